//! The bytes of a linear memory, and the frozen images that instances made from a
//! [`Snapshot`](crate::Snapshot) start from.
//!
//! A memory is either heap bytes (a fresh memory, or a copy of an image) or, on Linux, a
//! private mapping of an image's memfd: the clone shares the image's pages with the snapshot
//! and every other clone until it writes one, when the kernel gives it a copy of that page
//! alone (copy-on-write). Both forms are plain `[u8]` to the executor and the host.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// `n` zero bytes, or `None` when the allocator refuses (where `vec![0; n]` would abort the
/// host). Zeroed allocations are mapped lazily by the OS: a large initial memory costs nothing
/// until it is touched.
fn zeroed_bytes(n: usize) -> Option<Vec<u8>> {
    if n == 0 {
        return Some(Vec::new());
    }
    let layout = std::alloc::Layout::array::<u8>(n).ok()?;
    // SAFETY: `layout` has a non-zero size; a non-null result is `n` initialized (zero) bytes
    // allocated by the global allocator with the layout `Vec<u8>` of capacity `n` uses.
    unsafe {
        let p = std::alloc::alloc_zeroed(layout);
        (!p.is_null()).then(|| Vec::from_raw_parts(p, n, n))
    }
}

/// A linear memory's bytes.
#[derive(Debug)]
pub(crate) struct LinearMemory {
    repr: Repr,
}

#[derive(Debug)]
enum Repr {
    Heap(Vec<u8>),
}

impl LinearMemory {
    /// `n` zero bytes; `None` when the allocator refuses.
    pub fn zeroed(n: usize) -> Option<Self> {
        Some(LinearMemory { repr: Repr::Heap(zeroed_bytes(n)?) })
    }

    /// A memory starting as `image`'s bytes, private to its owner.
    pub fn from_image(image: &MemoryImage) -> Option<Self> {
        let mut data = zeroed_bytes(image.len())?;
        image.copy_into(&mut data);
        Some(LinearMemory { repr: Repr::Heap(data) })
    }

    /// Grows to `new_len` bytes (at least the current length), the new bytes zero.
    pub fn grow_to(&mut self, new_len: usize) -> Option<()> {
        match &mut self.repr {
            Repr::Heap(old) => {
                // A new zeroed allocation and a copy of the old bytes, not `resize`: `resize`
                // writes zeros over every new byte (faulting in every new page, which Go's
                // start-up grows by megabytes and barely touches); the allocator's zeroed
                // pages are mapped lazily.
                let mut data = zeroed_bytes(new_len)?;
                data[..old.len()].copy_from_slice(old);
                *old = data;
                Some(())
            }
        }
    }

    /// Bytes this memory holds that no other memory shares: every byte of a heap memory.
    pub fn private_bytes(&self) -> usize {
        match &self.repr {
            Repr::Heap(v) => v.len(),
        }
    }
}

impl Deref for LinearMemory {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match &self.repr {
            Repr::Heap(v) => v,
        }
    }
}

impl DerefMut for LinearMemory {
    fn deref_mut(&mut self) -> &mut [u8] {
        match &mut self.repr {
            Repr::Heap(v) => v,
        }
    }
}

/// A memory's bytes frozen at a snapshot: shared, read-only, by every instance made from it.
#[derive(Debug, Clone)]
pub(crate) struct MemoryImage {
    bytes: Arc<[u8]>,
}

impl MemoryImage {
    pub fn capture(bytes: &[u8]) -> Self {
        MemoryImage { bytes: bytes.into() }
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn copy_into(&self, out: &mut [u8]) {
        out[..self.bytes.len()].copy_from_slice(&self.bytes);
    }
}
