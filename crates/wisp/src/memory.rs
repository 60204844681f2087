//! `Memory`: a linear memory, read and written by the host with bounds checks.

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, MemoryEntity, Stored};
use wisp_decoder::MemoryType;

/// A linear memory in a store.
///
/// ```
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, r#"(module (memory (export "memory") 1)
///     (func (export "sum") (param i32 i32) (result i32) (local $s i32)
///       (block (loop (br_if 1 (i32.eqz (local.get 1)))
///         (local.set $s (i32.add (local.get $s) (i32.load8_u (local.get 0))))
///         (local.set 0 (i32.add (local.get 0) (i32.const 1)))
///         (local.set 1 (i32.sub (local.get 1) (i32.const 1))) (br 0)))
///       (local.get $s)))"#)?;
/// let mut store = wisp::Store::new(&engine, ());
/// let instance = wisp::Linker::new(&engine).instantiate(&mut store, &module)?;
/// let memory = instance.get_memory(&store, "memory").unwrap();
/// memory.write(&mut store, 100, &[1, 2, 3, 4])?;
/// let sum = instance.get_typed_func::<(i32, i32), i32>(&store, "sum")?;
/// assert_eq!(sum.call(&mut store, (100, 4))?, 10);
/// assert_eq!(memory.size(&store)?, 1); // pages
/// assert_eq!(memory.grow(&mut store, 1)?, 1); // the old size
/// assert_eq!(memory.data(&store)?.len(), 2 * 65536);
/// assert!(memory.write(&mut store, 2 * 65536 - 1, &[0, 0]).is_err()); // out of bounds: an error
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Memory(pub(crate) Stored);

fn oob(offset: usize, len: usize, size: usize) -> Error {
    Error::oob(offset, len, size)
}

impl Memory {
    /// A new memory of type `ty`, zeroed, for the host to define as an import.
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory> {
        let store = store.as_context_mut();
        if ty.limits.max.is_some_and(|m| m < ty.limits.min) {
            return Err(Error::Usage("memory minimum exceeds its maximum".into()));
        }
        let index = store.new_memory(ty)?;
        Ok(Memory(store.inner.stored(index)))
    }

    fn entity<'a, C: AsContext>(&self, store: &'a C) -> Result<&'a MemoryEntity> {
        let inner = &store.as_context().inner;
        Ok(&inner.memories[inner.check(self.0)? as usize])
    }

    fn entity_mut<'a, C: AsContextMut>(&self, store: &'a mut C) -> Result<&'a mut MemoryEntity> {
        let inner = &mut store.as_context_mut().inner;
        let i = inner.check(self.0)?;
        Ok(&mut inner.memories[i as usize])
    }

    /// The type, with the current size as its minimum. Fails with [`Error::WrongStore`]
    /// for another store's memory, as every method here does.
    pub fn ty(&self, store: impl AsContext) -> Result<MemoryType> {
        let m = self.entity(&store)?;
        let mut ty = m.ty;
        ty.limits.min = m.pages();
        Ok(ty)
    }

    /// Size in the memory's pages (64 KiB, or 1 byte with custom page sizes). A 64-bit
    /// memory's sizes are `u64` like any other's; it holds at most what this host can allocate.
    pub fn size(&self, store: impl AsContext) -> Result<u64> {
        Ok(self.entity(&store)?.pages())
    }

    /// The page size in bytes: 65,536, or 1 for a memory declared with custom page size 1.
    pub fn page_size(&self, store: impl AsContext) -> Result<u64> {
        Ok(1 << self.entity(&store)?.ty.page_size_log2())
    }

    /// Size in bytes.
    pub fn data_size(&self, store: impl AsContext) -> Result<usize> {
        Ok(self.entity(&store)?.data.len())
    }

    /// Bytes of this memory that it does not share with a [`Snapshot`](crate::Snapshot) or
    /// another memory, and what a [`ResourceLimiter`](crate::ResourceLimiter) is charged for
    /// it: all of them for a fresh memory, or one copied from a snapshot; for a memory mapped
    /// copy-on-write from a snapshot (Linux), the snapshot's pages it has written (host pages,
    /// measured by the OS) plus every byte it grew past the snapshot's size.
    pub fn private_bytes(&self, store: impl AsContext) -> Result<usize> {
        Ok(self.entity(&store)?.data.private_bytes())
    }

    /// Grows by `delta` pages and returns the previous size in pages.
    /// The store's limiter, if any, may refuse, and so may the host's allocator (an error, never
    /// a panic, however large a 64-bit memory's `delta`).
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64) -> Result<u64> {
        let store = store.as_context_mut();
        let i = store.inner.check(self.0)? as usize;
        store.grow_memory(i, delta).ok_or_else(|| Error::Usage(format!("memory cannot grow by {delta} pages")))
    }

    /// The memory's bytes.
    pub fn data<'a, C: AsContext>(&self, store: &'a C) -> Result<&'a [u8]> {
        Ok(&self.entity(store)?.data[..])
    }

    /// The memory's bytes, to write.
    pub fn data_mut<'a, C: AsContextMut>(&self, store: &'a mut C) -> Result<&'a mut [u8]> {
        Ok(&mut self.entity_mut(store)?.data[..])
    }

    /// The memory's bytes and the store's data at once, for host functions that move data
    /// between the two.
    pub fn data_and_store_mut<'a, T: 'a>(
        &self,
        store: &'a mut impl AsContextMut<Data = T>,
    ) -> Result<(&'a mut [u8], &'a mut T)> {
        let store = store.as_context_mut();
        let i = store.inner.check(self.0)? as usize;
        let (inner, data) = store.split_mut();
        Ok((&mut inner.memories[i].data[..], data))
    }

    /// Copies `buf.len()` bytes at `offset` into `buf`.
    pub fn read(&self, store: impl AsContext, offset: usize, buf: &mut [u8]) -> Result<()> {
        let data = self.data(&store)?;
        let end = offset.checked_add(buf.len()).filter(|&e| e <= data.len());
        match end {
            Some(end) => {
                buf.copy_from_slice(&data[offset..end]);
                Ok(())
            }
            None => Err(oob(offset, buf.len(), data.len())),
        }
    }

    /// Copies `buf` into memory at `offset`.
    pub fn write(&self, mut store: impl AsContextMut, offset: usize, buf: &[u8]) -> Result<()> {
        let data = self.data_mut(&mut store)?;
        let size = data.len();
        match offset.checked_add(buf.len()).filter(|&e| e <= size) {
            Some(end) => {
                data[offset..end].copy_from_slice(buf);
                Ok(())
            }
            None => Err(oob(offset, buf.len(), size)),
        }
    }
}
