//! `Val`: a WebAssembly value as the host sees it.

use crate::func::Func;
use crate::store::{StoreInner, Stored};
use crate::tag::ExnRef;
use wisp_decoder::{HeapType, RefType, ValType};
use wisp_validator::TypeDefs;

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

/// A reference to an object of GC's `any` hierarchy: a struct, an array or an `i31`, of
/// `anyref`, `eqref`, `i31ref`, `structref`, `arrayref`, `nullref` or a defined struct or array
/// type. wisp executes GC's types but none of its operators (they are not decoded yet), so no such
/// object exists: the type has no values, and `Val::AnyRef(None)` is those types' null.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnyRef {}

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
    /// A reference of the `any` hierarchy; only `None` exists: the null of `anyref` and of
    /// every type below it (`ref.null any`, `ref.null none`, a null struct reference, ...).
    AnyRef(Option<AnyRef>),
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
            Val::AnyRef(_) => ValType::Ref(RefType::new(true, HeapType::Any)),
        }
    }

    /// The zero value of a type (null for references). A concrete reference type is taken for
    /// a function type: the null of a struct or array type is `Val::AnyRef(None)`.
    pub fn default_for(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::Ref(r) => null_of(slot_ref_type(r)),
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
    /// engine id, as the store's signatures name them): a null only for a nullable type of its
    /// hierarchy, a function for a concrete type only when its type is that one or declares
    /// it as a supertype.
    pub(crate) fn matches(&self, ty: ValType, store: &StoreInner) -> bool {
        let ValType::Ref(r) = ty else { return self.ty() == ty };
        match self {
            // Another store's function: `to_slot` says so (`Error::WrongStore`).
            Val::FuncRef(Some(f)) => store
                .check(f.0)
                .ok()
                .is_none_or(|i| store.heap_sub(HeapType::Concrete(store.funcs[i as usize].type_id), r.heap())),
            Val::ExternRef(Some(_)) => r.heap() == HeapType::Extern,
            Val::ExnRef(Some(_)) => r.heap() == HeapType::Exn,
            Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None) | Val::AnyRef(None) => {
                let ValType::Ref(own) = self.ty() else { return false };
                r.nullable() && store.top(r.heap()) == own.heap()
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
            Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None) | Val::AnyRef(None) => 0,
            Val::FuncRef(Some(f)) => store.check(f.0)? as u64 + 1,
            Val::ExternRef(Some(e)) => store.check(e.0)? as u64 + 1,
            // Only its low half: a `v128` takes two slots (`put`).
            Val::V128(v) => v as u64,
            Val::ExnRef(Some(e)) => store.check(e.0)? as u64 + 1,
            Val::AnyRef(Some(a)) => match a {},
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
    #[inline]
    pub(crate) fn take(slots: &[u64], at: &mut usize, ty: ValType, store: &StoreInner) -> Val {
        let v = if matches!(ty, ValType::V128) {
            *at += 1;
            Val::V128(slots[*at - 1] as u128 | (slots[*at] as u128) << 64)
        } else {
            Val::from_slot(slots[*at], ty, store)
        };
        *at += 1;
        v
    }

    /// Reads a slot of type `ty` from `store`.
    #[inline]
    pub(crate) fn from_slot(v: u64, ty: ValType, store: &StoreInner) -> Val {
        match ty {
            ValType::I32 => Val::I32(v as u32 as i32),
            ValType::I64 => Val::I64(v as i64),
            ValType::F32 => Val::F32(v as u32),
            ValType::F64 => Val::F64(v),
            ValType::Ref(r) => {
                let stored = || store.stored(v as u32 - 1);
                match (store.top(r.heap()), v) {
                    (_, 0) => null_of(RefType::new(true, store.top(r.heap()))),
                    (HeapType::Func, _) => Val::FuncRef(Some(Func(stored()))),
                    (HeapType::Extern, _) => Val::ExternRef(Some(ExternRef(stored()))),
                    (HeapType::Exn, _) => Val::ExnRef(Some(ExnRef(stored()))),
                    // No operator makes one (see `AnyRef`).
                    _ => Val::AnyRef(None),
                }
            }
            // Only the low half: see `take`.
            ValType::V128 => Val::V128(v as u128),
        }
    }
}

/// `exnref`: `(ref null exn)`.
const EXNREF: ValType = ValType::Ref(RefType::new(true, HeapType::Exn));

/// The null of the hierarchy whose top is `r`'s heap type (`func`, `extern`, `exn`, `any`).
fn null_of(r: RefType) -> Val {
    match r.heap() {
        HeapType::Func => Val::FuncRef(None),
        HeapType::Extern => Val::ExternRef(None),
        HeapType::Exn => Val::ExnRef(None),
        _ => Val::AnyRef(None),
    }
}

/// The top of `r`'s hierarchy as a nullable reference type, where the module's or engine's
/// types are not at hand: a concrete type is taken for a function type. Enough where only
/// references to functions are resolved (element segments, snapshots): the other hierarchies
/// hold no function, and a struct or array reference is always null.
pub(crate) fn slot_ref_type(r: RefType) -> RefType {
    let top = match r.heap() {
        HeapType::Func | HeapType::NoFunc | HeapType::Concrete(_) => HeapType::Func,
        HeapType::Extern | HeapType::NoExtern => HeapType::Extern,
        HeapType::Exn | HeapType::NoExn => HeapType::Exn,
        HeapType::Any | HeapType::Eq | HeapType::I31 | HeapType::Struct | HeapType::Array | HeapType::None => {
            HeapType::Any
        }
    };
    RefType::new(true, top)
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
