//! The bytes of a linear memory, and the frozen images that instances made from a
//! [`Snapshot`](crate::Snapshot) start from.
//!
//! `unsafe` here is memory access: the allocator's zeroed pages and, on Linux (`cow.rs`), the
//! mappings behind copy-on-write memories, each block with the invariant it relies on.
//!
//! A memory is either heap bytes (a fresh memory, or a copy of an image) or, on Linux, a
//! private mapping of an image's memfd (a snapshot's memory, or the data of a module that
//! `Snapshot::to_wasm` wrote) in a reservation as large as the memory may grow (`cow.rs`): it
//! shares the image's pages with every other memory made from it until it writes one, when the
//! kernel gives it a copy of that page alone (copy-on-write). Both forms are plain `[u8]` to the
//! executor and the host.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

#[cfg(target_os = "linux")]
mod cow;

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
    #[cfg(target_os = "linux")]
    Mapped(cow::Mapping),
}

impl LinearMemory {
    /// `n` zero bytes; `None` when the allocator refuses. Heap memory, not a mapping: the
    /// allocator reuses pages an earlier memory freed, where fresh mappings would fault in
    /// every page an instance touches (RATIONALE.md).
    pub fn zeroed(n: usize) -> Option<Self> {
        Some(LinearMemory { repr: Repr::Heap(zeroed_bytes(n)?) })
    }

    /// A memory starting as `image`'s bytes, private to its owner, that may grow to `max`
    /// bytes: copy-on-write where the OS offers it (Linux), else a copy. The pages it has
    /// not written count as shared ([`LinearMemory::private_bytes`]) if `shared`.
    pub fn from_image(image: &MemoryImage, max: usize, shared: bool) -> Option<Self> {
        #[cfg(target_os = "linux")]
        if let ImageRepr::Mapped(img) = &image.repr {
            if let Some(m) = cow::Mapping::new(img, max, shared) {
                return Some(LinearMemory { repr: Repr::Mapped(m) });
            }
        }
        let _ = (max, shared);
        let mut data = zeroed_bytes(image.len())?;
        data.copy_from_slice(image.bytes());
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
            #[cfg(target_os = "linux")]
            Repr::Mapped(m) => m.grow_to(new_len),
        }
    }

    /// Bytes of a snapshot's image this memory shares until it writes them: 0 unless it is
    /// mapped copy-on-write from a snapshot.
    pub fn shared_bytes(&self) -> usize {
        match &self.repr {
            Repr::Heap(_) => 0,
            #[cfg(target_os = "linux")]
            Repr::Mapped(m) => m.shared(),
        }
    }

    /// Bytes this memory owns, shared with no other memory: every byte, except in a
    /// copy-on-write memory the image's pages it has not written (measured by the OS; all of
    /// them count where it cannot be asked).
    pub fn private_bytes(&self) -> usize {
        match &self.repr {
            Repr::Heap(v) => v.len(),
            #[cfg(target_os = "linux")]
            Repr::Mapped(m) => {
                let shared = m.shared();
                m.len() - shared + m.dirty_image_bytes().unwrap_or(shared)
            }
        }
    }
}

impl Deref for LinearMemory {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match &self.repr {
            Repr::Heap(v) => v,
            #[cfg(target_os = "linux")]
            Repr::Mapped(m) => m.bytes(),
        }
    }
}

impl DerefMut for LinearMemory {
    fn deref_mut(&mut self) -> &mut [u8] {
        match &mut self.repr {
            Repr::Heap(v) => v,
            #[cfg(target_os = "linux")]
            Repr::Mapped(m) => m.bytes_mut(),
        }
    }
}

/// A memory's bytes frozen at a snapshot: shared, read-only, by every instance made from it.
#[derive(Debug, Clone)]
pub(crate) struct MemoryImage {
    repr: ImageRepr,
}

#[derive(Debug, Clone)]
enum ImageRepr {
    Heap(Arc<[u8]>),
    #[cfg(target_os = "linux")]
    Mapped(Arc<cow::Image>),
}

impl MemoryImage {
    /// An image of `bytes`: a sealed memfd on Linux (a heap copy where that fails).
    pub fn capture(bytes: &[u8]) -> Self {
        #[cfg(target_os = "linux")]
        if let Some(img) = cow::Image::new(bytes) {
            return MemoryImage { repr: ImageRepr::Mapped(Arc::new(img)) };
        }
        MemoryImage { repr: ImageRepr::Heap(bytes.into()) }
    }

    /// `len` bytes, zero except for `bytes` at `at`, mapped from a sealed memfd; `None` where
    /// that is not available (the caller then writes `bytes` into each memory itself).
    pub fn of_data(len: usize, at: usize, bytes: &[u8]) -> Option<Self> {
        #[cfg(target_os = "linux")]
        if let Some(img) = cow::Image::with_contents(len, at, bytes) {
            return Some(MemoryImage { repr: ImageRepr::Mapped(Arc::new(img)) });
        }
        let _ = (len, at, bytes);
        None
    }

    pub fn len(&self) -> usize {
        self.bytes().len()
    }

    pub fn bytes(&self) -> &[u8] {
        match &self.repr {
            ImageRepr::Heap(b) => b,
            #[cfg(target_os = "linux")]
            ImageRepr::Mapped(img) => img.bytes(),
        }
    }
}
