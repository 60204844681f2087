//! `Tag`, `ExnRef` and `Exception`: exception handling as the host sees it.
//!
//! A tag's identity is its store object, like a function's: two tags of the same type are
//! different tags, and an imported tag is the exporter's. An exception that no Wasm handler
//! catches leaves the call as [`Error::Exception`], which carries its tag and payload. Host
//! frames do not stop exceptions: one that escapes a Wasm call made by a host function reaches
//! that function as `Error::Exception`, and a host function that returns an
//! `Error::Exception` (that one, or one it made with [`Exception::new`]) throws it into its
//! Wasm caller at the call, where a `try_table` may catch it.

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, StoreInner, Stored, TagEntity};
use crate::value::Val;
use std::sync::Arc;
use wisp_decoder::FuncType;

/// A tag: what an exception is thrown and caught by, with the types of the values it carries.
///
/// ```
/// use wisp::{FuncType, Tag, Val, ValType};
/// let engine = wisp::Engine::new(wisp::Config::new().wasm_exceptions(true));
/// let mut store = wisp::Store::new(&engine, ());
/// let tag = Tag::new(&mut store, FuncType::new([ValType::I32], []))?;
/// let mut linker = wisp::Linker::new(&engine);
/// linker.define("host", "oops", tag)?;
/// let module = wisp::Module::new(&engine, r#"(module (tag $oops (import "host" "oops") (param i32))
///     (func (export "fail") (param i32) (throw $oops (local.get 0))))"#)?;
/// let instance = linker.instantiate(&mut store, &module)?;
/// let fail = instance.get_typed_func::<i32, ()>(&store, "fail")?;
/// match fail.call(&mut store, 7) {
///     Err(wisp::Error::Exception(e)) => {
///         assert_eq!(e.tag(), tag);
///         assert_eq!(e.payload(), &[Val::I32(7)]);
///     }
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tag(pub(crate) Stored);

impl Tag {
    /// A new tag whose exceptions carry `ty`'s parameters; `ty` has no results.
    pub fn new(mut store: impl AsContextMut, ty: FuncType) -> Result<Tag> {
        if !ty.results().is_empty() {
            return Err(Error::Signature(format!("a tag's type has no results, not {ty}")));
        }
        let inner = &mut store.as_context_mut().inner;
        let type_id = inner.engine.intern_type(&ty);
        inner.tags.push(TagEntity { ty: Arc::new(ty), type_id });
        Ok(Tag(inner.stored(inner.tags.len() as u32 - 1)))
    }

    /// The tag's type; [`Error::WrongStore`] for another store's tag.
    pub fn ty(&self, store: impl AsContext) -> Result<FuncType> {
        let inner = &store.as_context().inner;
        Ok((*inner.tags[inner.check(self.0)? as usize].ty).clone())
    }
}

/// A reference to an exception (an `exnref` value): thrown by Wasm or made by the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExnRef(pub(crate) Stored);

impl ExnRef {
    /// The exception's tag; [`Error::WrongStore`] for another store's exception.
    pub fn tag(&self, store: impl AsContext) -> Result<Tag> {
        let inner = &store.as_context().inner;
        let e = &inner.exns[inner.check(self.0)? as usize];
        Ok(Tag(inner.stored(e.tag)))
    }

    /// The values the exception carries, typed by its tag.
    pub fn payload(&self, store: impl AsContext) -> Result<Vec<Val>> {
        let inner = &store.as_context().inner;
        Ok(payload_of(inner, inner.check(self.0)?))
    }
}

/// The payload of store exception `exn` as values.
fn payload_of(inner: &StoreInner, exn: u32) -> Vec<Val> {
    let e = &inner.exns[exn as usize];
    let ty = &inner.tags[e.tag as usize].ty;
    let mut at = 0;
    ty.params().iter().map(|&t| Val::take(&e.payload, &mut at, t, inner)).collect()
}

/// An exception that no Wasm handler caught ([`Error::Exception`]): the exception, its tag and
/// its payload, read when it left Wasm.
#[derive(Debug, Clone, PartialEq)]
pub struct Exception {
    exn: ExnRef,
    tag: Tag,
    payload: Vec<Val>,
}

impl Exception {
    /// A new exception of `tag` carrying `payload` (of the tag's parameter types), for a host
    /// function to throw into its Wasm caller by returning it as an error.
    ///
    /// ```
    /// use wisp::{Exception, FuncType, Tag, Val, ValType};
    /// let engine = wisp::Engine::new(wisp::Config::new().wasm_exceptions(true));
    /// let mut store = wisp::Store::new(&engine, ());
    /// let tag = Tag::new(&mut store, FuncType::new([ValType::I64], []))?;
    /// let mut linker = wisp::Linker::new(&engine);
    /// linker.define("host", "e", tag)?;
    /// linker.func_wrap("host", "check", move |mut caller: wisp::Caller<'_, ()>, x: i64| -> wisp::Result<()> {
    ///     if x < 0 {
    ///         return Err(Exception::new(&mut caller, tag, &[Val::I64(x)])?.into());
    ///     }
    ///     Ok(())
    /// })?;
    /// let module = wisp::Module::new(&engine, r#"(module
    ///     (tag $e (import "host" "e") (param i64))
    ///     (func $check (import "host" "check") (param i64))
    ///     (func (export "safe") (param i64) (result i64)
    ///       (block $caught (result i64)
    ///         (try_table (catch $e $caught) (call $check (local.get 0)))
    ///         (i64.const 0))))"#)?;
    /// let instance = linker.instantiate(&mut store, &module)?;
    /// let safe = instance.get_typed_func::<i64, i64>(&store, "safe")?;
    /// assert_eq!(safe.call(&mut store, 5)?, 0);
    /// assert_eq!(safe.call(&mut store, -3)?, -3); // caught in Wasm, its payload the result
    /// # Ok::<(), wisp::Error>(())
    /// ```
    pub fn new(mut store: impl AsContextMut, tag: Tag, payload: &[Val]) -> Result<Exception> {
        let inner = &mut store.as_context_mut().inner;
        let t = inner.check(tag.0)?;
        let ty = inner.tags[t as usize].ty.clone();
        if payload.len() != ty.params().len() || payload.iter().zip(ty.params()).any(|(v, &t)| v.ty() != t) {
            return Err(Error::Signature(format!("an exception of tag type {ty} given {payload:?}")));
        }
        let mut slots = vec![0; crate::translate::slots_of(ty.params()) as usize].into_boxed_slice();
        let mut at = 0;
        for v in payload {
            v.put(inner, &mut slots, &mut at)?;
        }
        let exn = inner.new_exn(t, slots);
        Ok(Exception::of(inner, exn))
    }

    /// Store exception `exn` as the host sees it (which references it from now on).
    pub(crate) fn of(inner: &mut StoreInner, exn: u32) -> Exception {
        inner.exns[exn as usize].referenced = true;
        let tag = Tag(inner.stored(inner.exns[exn as usize].tag));
        Exception { exn: ExnRef(inner.stored(exn)), tag, payload: payload_of(inner, exn) }
    }

    /// The exception, as an `exnref` (to pass back to Wasm, or to throw again).
    pub fn exn(&self) -> ExnRef {
        self.exn
    }

    /// The exception's tag.
    pub fn tag(&self) -> Tag {
        self.tag
    }

    /// The values the exception carries.
    pub fn payload(&self) -> &[Val] {
        &self.payload
    }

    /// The store exception to throw again, when it belongs to `inner`.
    pub(crate) fn index_in(&self, inner: &StoreInner) -> Option<u32> {
        inner.check(self.exn.0).ok()
    }
}

impl std::fmt::Display for Exception {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "uncaught wasm exception (tag {}) carrying {:?}", self.tag.0.index, self.payload)
    }
}

impl From<Exception> for Error {
    fn from(e: Exception) -> Error {
        Error::Exception(Box::new(e))
    }
}
