//! `Table`: a table of references in a store.

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, Stored};
use crate::value::Val;
use wisp_decoder::{TableType, ValType};

/// A table of references in a store: a module's, or one the host made with [`Table::new`].
///
/// ```
/// use wisp::{Limits, RefType, TableType, Val};
/// let engine = wisp::Engine::default();
/// let mut store = wisp::Store::new(&engine, ());
/// let ty = TableType { element: RefType::FuncRef, limits: Limits { min: 2, max: Some(4) }, table64: false };
/// let table = wisp::Table::new(&mut store, ty, Val::FuncRef(None))?;
/// assert_eq!(table.size(&store)?, 2);
/// assert_eq!(table.grow(&mut store, 2, Val::FuncRef(None))?, 2); // the old size
/// assert!(table.grow(&mut store, 1, Val::FuncRef(None)).is_err()); // past the maximum
/// let f = wisp::Func::wrap(&mut store, || 42i32);
/// table.set(&mut store, 3, Val::FuncRef(Some(f)))?;
/// assert_eq!(table.get(&store, 3), Some(Val::FuncRef(Some(f))));
/// assert_eq!(table.get(&store, 4), None);
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Table(pub(crate) Stored);

impl Table {
    /// A new table of type `ty`, every element `init`.
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Val) -> Result<Table> {
        let store = store.as_context_mut();
        store.inner.cover_val_type(ValType::Ref(ty.element));
        if !init.matches(ValType::Ref(ty.element), &store.inner) {
            return Err(Error::Signature(format!("table of {} given a {}", ty.element, init.ty())));
        }
        let v = init.to_slot(&store.inner)?;
        let index = store.new_table(ty, v)?;
        Ok(Table(store.inner.stored(index)))
    }

    fn index(&self, inner: &crate::store::StoreInner) -> Result<usize> {
        Ok(inner.check(self.0)? as usize)
    }

    /// The type, with the current size as its minimum. Fails with [`Error::WrongStore`] for
    /// another store's table, as every method here does.
    pub fn ty(&self, store: impl AsContext) -> Result<TableType> {
        let inner = &store.as_context().inner;
        let t = &inner.tables[self.index(inner)?];
        let mut ty = t.ty;
        ty.limits.min = t.elements.len() as u64;
        Ok(ty)
    }

    /// The number of elements.
    pub fn size(&self, store: impl AsContext) -> Result<u64> {
        let inner = &store.as_context().inner;
        Ok(inner.tables[self.index(inner)?].elements.len() as u64)
    }

    /// Element `index`; `None` past the end (or for another store's table).
    pub fn get(&self, store: impl AsContext, index: u64) -> Option<Val> {
        let inner = &store.as_context().inner;
        let t = &inner.tables[self.index(inner).ok()?];
        let &v = t.elements.get(usize::try_from(index).ok()?)?;
        Some(Val::from_slot(v, ValType::Ref(t.ty.element), inner))
    }

    /// Sets element `index`; fails out of bounds or for a value of another type.
    pub fn set(&self, mut store: impl AsContextMut, index: u64, value: Val) -> Result<()> {
        let inner = &mut store.as_context_mut().inner;
        let i = self.index(inner)?;
        if !value.matches(ValType::Ref(inner.tables[i].ty.element), inner) {
            return Err(Error::Signature("table element of the wrong type".into()));
        }
        let v = value.to_slot(inner)?;
        let slot = usize::try_from(index).ok().and_then(|ix| inner.tables[i].elements.get_mut(ix));
        match slot {
            Some(s) => {
                *s = v;
                Ok(())
            }
            None => Err(Error::Usage(format!("table index {index} out of bounds"))),
        }
    }

    /// Grows by `delta` elements set to `init`; returns the previous size. The store's
    /// limiter, if any, may refuse.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64, init: Val) -> Result<u64> {
        let store = store.as_context_mut();
        let i = self.index(&store.inner)?;
        let v = init.to_slot(&store.inner)?;
        store.grow_table(i, delta, v).ok_or_else(|| Error::Usage(format!("table cannot grow by {delta}")))
    }
}
