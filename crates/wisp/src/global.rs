//! `Global`: a global variable in a store.

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, GlobalEntity, Stored};
use crate::value::Val;
use std::cell::UnsafeCell;
use wisp_decoder::GlobalType;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Global(pub(crate) Stored);

impl Global {
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, value: Val) -> Result<Global> {
        let inner = &mut store.as_context_mut().inner;
        if value.ty() != ty.content {
            return Err(Error::Signature(format!("global of type {} given a {}", ty.content, value.ty())));
        }
        let v = value.to_slot(inner)?;
        inner.globals.push(Box::new(GlobalEntity { value: UnsafeCell::new(v), ty }));
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
        Ok(Val::from_slot(g.get(), g.ty.content, inner))
    }

    pub fn set(&self, mut store: impl AsContextMut, value: Val) -> Result<()> {
        let inner = &mut store.as_context_mut().inner;
        let i = inner.check(self.0)? as usize;
        let ty = inner.globals[i].ty;
        if !ty.mutable {
            return Err(Error::Usage("cannot set an immutable global".into()));
        }
        if value.ty() != ty.content {
            return Err(Error::Signature(format!("global of type {} given a {}", ty.content, value.ty())));
        }
        let v = value.to_slot(inner)?;
        inner.globals[i].set(v);
        Ok(())
    }
}
