//! `Global`: a global variable in a store.

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, GlobalEntity, Stored};
use crate::value::Val;
use wisp_decoder::GlobalType;

/// A global variable in a store: a module's, or one the host made with [`Global::new`].
///
/// ```
/// use wisp::{GlobalType, Val, ValType};
/// let engine = wisp::Engine::default();
/// let mut store = wisp::Store::new(&engine, ());
/// let counter = wisp::Global::new(&mut store, GlobalType { content: ValType::I64, mutable: true }, Val::I64(1))?;
/// let mut linker = wisp::Linker::new(&engine);
/// linker.define("host", "counter", counter)?;
/// let module = wisp::Module::new(&engine, r#"(module (global $c (import "host" "counter") (mut i64))
///     (func (export "bump") (global.set $c (i64.add (global.get $c) (i64.const 1)))))"#)?;
/// let instance = linker.instantiate(&mut store, &module)?;
/// instance.get_typed_func::<(), ()>(&store, "bump")?.call(&mut store, ())?;
/// assert_eq!(counter.get(&store)?, Val::I64(2));
/// counter.set(&mut store, Val::I64(10))?;
/// assert!(counter.set(&mut store, Val::I32(10)).is_err()); // wrong type
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Global(pub(crate) Stored);

impl Global {
    /// A new global of type `ty` holding `value` (which must be of its content type).
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, value: Val) -> Result<Global> {
        let inner = &mut store.as_context_mut().inner;
        inner.cover_val_type(ty.content);
        if !value.matches(ty.content, inner) {
            return Err(Error::Signature(format!("global of type {} given a {}", ty.content, value.ty())));
        }
        let v = value.to_bits(inner)?;
        inner.globals.push(Box::new(GlobalEntity::new(v, ty)));
        Ok(Global(inner.stored(inner.globals.len() as u32 - 1)))
    }

    /// The global's type; [`Error::WrongStore`] for another store's global.
    pub fn ty(&self, store: impl AsContext) -> Result<GlobalType> {
        let inner = &store.as_context().inner;
        Ok(inner.globals[inner.check(self.0)? as usize].ty)
    }

    /// The global's value; [`Error::WrongStore`] for another store's global.
    pub fn get(&self, store: impl AsContext) -> Result<Val> {
        let inner = &store.as_context().inner;
        let g = &inner.globals[inner.check(self.0)? as usize];
        Ok(Val::from_bits(g.get128(), g.ty.content, inner))
    }

    /// Sets the value; fails for an immutable global or a value of another type.
    pub fn set(&self, mut store: impl AsContextMut, value: Val) -> Result<()> {
        let inner = &mut store.as_context_mut().inner;
        let i = inner.check(self.0)? as usize;
        let ty = inner.globals[i].ty;
        if !ty.mutable {
            return Err(Error::Usage("cannot set an immutable global".into()));
        }
        if !value.matches(ty.content, inner) {
            return Err(Error::Signature(format!("global of type {} given a {}", ty.content, value.ty())));
        }
        let v = value.to_bits(inner)?;
        inner.globals[i].set(v);
        Ok(())
    }
}
