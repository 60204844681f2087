//! `Val`: a WebAssembly value as the host sees it.

use crate::func::Func;
use crate::store::{StoreInner, Stored};
use crate::tag::ExnRef;
use wisp_decoder::{HeapType, RefType, ValType};

/// An opaque reference the host hands to Wasm (`externref`). It refers to an object kept in
/// the store that created it.
///
/// ```
/// let engine = wisp::Engine::default();
/// let mut store = wisp::Store::new(&engine, ());
/// let r = wisp::ExternRef::new(&mut store, String::from("a host object"));
/// let module = wisp::Module::new(&engine, r#"(module
///     (func (export "id") (param externref) (result externref) (local.get 0)))"#)?;
/// let instance = wisp::Linker::new(&engine).instantiate(&mut store, &module)?;
/// let id = instance.get_func(&store, "id").unwrap();
/// let mut out = [wisp::Val::ExternRef(None)];
/// id.call(&mut store, &[wisp::Val::ExternRef(Some(r))], &mut out)?;
/// let wisp::Val::ExternRef(Some(back)) = out[0] else { panic!("null") };
/// assert_eq!(back.data(&store).and_then(|d| d.downcast_ref::<String>()).map(String::as_str), Some("a host object"));
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExternRef(pub(crate) Stored);

impl ExternRef {
    /// Puts `value` in the store and returns a reference to it.
    pub fn new<T: 'static + Send + Sync>(mut store: impl crate::AsContextMut, value: T) -> ExternRef {
        let inner = &mut store.as_context_mut().inner;
        inner.externs.push(Box::new(value));
        ExternRef(inner.stored(inner.externs.len() as u32 - 1))
    }

    /// The object this reference points to.
    pub fn data<'a, C: crate::AsContext>(&self, store: &'a C) -> Option<&'a (dyn std::any::Any + Send + Sync)> {
        let inner = &store.as_context().inner;
        let i = inner.check(self.0).ok()?;
        inner.externs.get(i as usize).map(|b| &**b)
    }
}

/// A WebAssembly value. Floats are kept as bit patterns so NaN payloads survive.
///
/// ```
/// use wisp::{Val, ValType};
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, r#"(module
///     (func (export "half") (param f64) (result f64) (f64.mul (local.get 0) (f64.const 0.5))))"#)?;
/// let mut store = wisp::Store::new(&engine, ());
/// let instance = wisp::Linker::new(&engine).instantiate(&mut store, &module)?;
/// let half = instance.get_func(&store, "half").unwrap();
/// let mut out = [Val::default_for(ValType::F64)];
/// half.call(&mut store, &[Val::F64(3.0f64.to_bits())], &mut out)?;
/// assert_eq!(out[0].f64(), Some(1.5));
/// assert_eq!(out[0].ty(), ValType::F64);
/// assert_eq!(out[0].i32(), None);
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Val {
    /// A 32-bit integer (signedness is the operation's business, not the value's).
    I32(i32),
    /// A 64-bit integer.
    I64(i64),
    /// An `f32` as its bits.
    F32(u32),
    /// An `f64` as its bits.
    F64(u64),
    /// A function reference; `None` is `ref.null func`.
    FuncRef(Option<Func>),
    /// An external reference; `None` is `ref.null extern`.
    ExternRef(Option<ExternRef>),
    /// A `v128`: lane 0 in the low bits (the byte order of the value in memory, little-endian).
    V128(u128),
    /// An exception reference; `None` is `ref.null exn`.
    ExnRef(Option<ExnRef>),
}

impl Val {
    /// The value's type.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::FuncRef(_) => ValType::FUNCREF,
            Val::ExternRef(_) => ValType::EXTERNREF,
            Val::V128(_) => ValType::V128,
            Val::ExnRef(_) => EXNREF,
        }
    }

    /// The zero value of a type (null for references).
    pub fn default_for(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::Ref(RefType::FuncRef) => Val::FuncRef(None),
            ValType::Ref(RefType::ExternRef) => Val::ExternRef(None),
            ValType::Ref(r) if is_exn(r) => Val::ExnRef(None),
            ValType::Ref(r @ RefType::Typed { .. }) => Val::default_for(ValType::Ref(slot_ref_type(r))),
            ValType::V128 => Val::V128(0),
        }
    }

    /// The value if it is a `v128`.
    pub fn v128(&self) -> Option<u128> {
        if let Val::V128(v) = self {
            Some(*v)
        } else {
            None
        }
    }

    /// The value if it is an `i32`.
    pub fn i32(&self) -> Option<i32> {
        if let Val::I32(v) = self {
            Some(*v)
        } else {
            None
        }
    }

    /// The value if it is an `i64`.
    pub fn i64(&self) -> Option<i64> {
        if let Val::I64(v) = self {
            Some(*v)
        } else {
            None
        }
    }

    /// The value if it is an `f32`.
    pub fn f32(&self) -> Option<f32> {
        if let Val::F32(v) = self {
            Some(f32::from_bits(*v))
        } else {
            None
        }
    }

    /// The value if it is an `f64`.
    pub fn f64(&self) -> Option<f64> {
        if let Val::F64(v) = self {
            Some(f64::from_bits(*v))
        } else {
            None
        }
    }

    /// Whether the value may stand where a `ty` is expected (`ty`'s concrete types named by
    /// engine id, as the store's signatures name them): a null only for a nullable type, a
    /// function for a concrete type only when it has that type.
    pub(crate) fn matches(&self, ty: ValType, store: &StoreInner) -> bool {
        let ValType::Ref(r) = ty else { return self.ty() == ty };
        match (self, r.heap()) {
            (Val::FuncRef(None), _) => r.nullable() && slot_ref_type(r) == RefType::FuncRef,
            (Val::ExternRef(None), _) => r.nullable() && matches!(r.heap(), HeapType::Extern | HeapType::NoExtern),
            (Val::ExnRef(None), _) => r.nullable() && matches!(r.heap(), HeapType::Exn | HeapType::NoExn),
            (Val::FuncRef(Some(_)), HeapType::Func)
            | (Val::ExternRef(Some(_)), HeapType::Extern)
            | (Val::ExnRef(Some(_)), HeapType::Exn) => true,
            (Val::FuncRef(Some(f)), HeapType::Concrete(id)) => {
                store.check(f.0).is_ok_and(|i| store.funcs[i as usize].type_id == id)
            }
            _ => false,
        }
    }

    /// The value's slot encoding in `store`.
    pub(crate) fn to_slot(self, store: &StoreInner) -> Result<u64, crate::Error> {
        Ok(match self {
            Val::I32(v) => v as u32 as u64,
            Val::I64(v) => v as u64,
            Val::F32(v) => v as u64,
            Val::F64(v) => v,
            Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None) => 0,
            Val::FuncRef(Some(f)) => store.check(f.0)? as u64 + 1,
            Val::ExternRef(Some(e)) => store.check(e.0)? as u64 + 1,
            // Only its low half: a `v128` takes two slots (`put`).
            Val::V128(v) => v as u64,
            Val::ExnRef(Some(e)) => store.check(e.0)? as u64 + 1,
        })
    }

    /// The value's bits in two slots (a value that is not a `v128` in the low one).
    pub(crate) fn to_bits(self, store: &StoreInner) -> Result<u128, crate::Error> {
        Ok(match self {
            Val::V128(v) => v,
            v => v.to_slot(store)? as u128,
        })
    }

    /// `to_bits`' inverse for a value of type `ty`.
    pub(crate) fn from_bits(v: u128, ty: ValType, store: &StoreInner) -> Val {
        match ty {
            ValType::V128 => Val::V128(v),
            _ => Val::from_slot(v as u64, ty, store),
        }
    }

    /// Writes the value to the slots from `*at` on (two for a `v128`, low half first) and
    /// moves `*at` past them.
    pub(crate) fn put(self, store: &StoreInner, slots: &mut [u64], at: &mut usize) -> Result<(), crate::Error> {
        slots[*at] = self.to_slot(store)?;
        if let Val::V128(v) = self {
            slots[*at + 1] = (v >> 64) as u64;
            *at += 1;
        }
        *at += 1;
        Ok(())
    }

    /// Reads a value of type `ty` from the slots from `*at` on, and moves `*at` past them.
    pub(crate) fn take(slots: &[u64], at: &mut usize, ty: ValType, store: &StoreInner) -> Val {
        let v = if ty == ValType::V128 {
            *at += 1;
            Val::V128(slots[*at - 1] as u128 | (slots[*at] as u128) << 64)
        } else {
            Val::from_slot(slots[*at], ty, store)
        };
        *at += 1;
        v
    }

    /// Reads a slot of type `ty` from `store`.
    pub(crate) fn from_slot(v: u64, ty: ValType, store: &StoreInner) -> Val {
        match ty {
            ValType::I32 => Val::I32(v as u32 as i32),
            ValType::I64 => Val::I64(v as i64),
            ValType::F32 => Val::F32(v as u32),
            ValType::F64 => Val::F64(v),
            ValType::Ref(RefType::FuncRef) => {
                Val::FuncRef(if v == 0 { None } else { Some(Func(store.stored(v as u32 - 1))) })
            }
            ValType::Ref(RefType::ExternRef) => {
                Val::ExternRef(if v == 0 { None } else { Some(ExternRef(store.stored(v as u32 - 1))) })
            }
            ValType::Ref(r) if is_exn(r) => {
                Val::ExnRef(if v == 0 { None } else { Some(ExnRef(store.stored(v as u32 - 1))) })
            }
            ValType::Ref(r @ RefType::Typed { .. }) => Val::from_slot(v, ValType::Ref(slot_ref_type(r)), store),
            // Only the low half: see `take`.
            ValType::V128 => Val::V128(v as u128),
        }
    }
}

/// `exnref`: `(ref null exn)`.
const EXNREF: ValType = ValType::Ref(RefType::new(true, wisp_decoder::HeapType::Exn));

/// Whether `r` refers to exceptions (`exn`, or `noexn`: only null).
fn is_exn(r: RefType) -> bool {
    matches!(r.heap(), wisp_decoder::HeapType::Exn | wisp_decoder::HeapType::NoExn)
}

/// The reference type whose slots hold values of `r`: `funcref` for references to functions,
/// `externref` for the others (wisp runs only those two kinds; see `support.rs`).
pub(crate) fn slot_ref_type(r: RefType) -> RefType {
    match r.heap() {
        HeapType::Func | HeapType::NoFunc | HeapType::Concrete(_) => RefType::FuncRef,
        _ => RefType::ExternRef,
    }
}

/// Whether value type `a` is a subtype of `b`, both naming engine ids (without declared
/// supertypes, which `support.rs` refuses, a concrete type matches only itself and `func`).
pub(crate) fn val_sub(a: ValType, b: ValType) -> bool {
    let (ValType::Ref(a), ValType::Ref(b)) = (a, b) else { return a == b };
    (b.nullable() || !a.nullable())
        && match (a.heap(), b.heap()) {
            (x, y) if x == y => true,
            (HeapType::Concrete(_) | HeapType::NoFunc, HeapType::Func) => true,
            (HeapType::NoFunc, HeapType::Concrete(_))
            | (HeapType::NoExtern, HeapType::Extern)
            | (HeapType::NoExn, HeapType::Exn) => true,
            _ => false,
        }
}

impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::I32(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I64(v)
    }
}
impl From<f32> for Val {
    fn from(v: f32) -> Val {
        Val::F32(v.to_bits())
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::F64(v.to_bits())
    }
}
impl From<Func> for Val {
    fn from(f: Func) -> Val {
        Val::FuncRef(Some(f))
    }
}
