//! Linux: a memory image (a snapshot's memory, or a module's data) lives in a sealed memfd; a
//! memory made from it is a private mapping of that file inside a reservation as large as the
//! memory may grow. The kernel shares every page with the image until the memory writes it,
//! then copies that page alone. The reservation never moves, so growing is an `mprotect` of
//! fresh zero pages.

use std::ptr::NonNull;

/// Read and write access for `mmap`/`mprotect`.
const RW: libc::c_int = libc::PROT_READ | libc::PROT_WRITE;

fn host_page() -> usize {
    // SAFETY: sysconf only reads a system constant.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(p).ok().filter(|&p| p.is_power_of_two()).unwrap_or(4096)
}

/// A sealed memfd holding an image's bytes, and a read-only shared view of them.
#[derive(Debug)]
pub(crate) struct Image {
    fd: libc::c_int,
    view: NonNull<u8>,
    len: usize,
}

// SAFETY: the memfd is sealed against writes, shrinking and growing, and `view` is a
// read-only mapping of it: the bytes behind it never change, so any thread may read them,
// and the descriptor is closed only by `Drop`, with the last owner.
unsafe impl Send for Image {}
// SAFETY: as for `Send`: shared access is reads of immutable bytes.
unsafe impl Sync for Image {}

impl Image {
    /// An image of `bytes`; `None` when the OS refuses (the caller falls back to a copy).
    /// `bytes` must not be empty (a mapping cannot be).
    pub fn new(bytes: &[u8]) -> Option<Image> {
        Image::with_contents(bytes.len(), 0, bytes)
    }

    /// An image of `len` bytes, zero except for `bytes` at `at` (which must fit); `None` when
    /// the OS refuses or `len` is 0.
    pub fn with_contents(len: usize, at: usize, bytes: &[u8]) -> Option<Image> {
        if len == 0 || at.checked_add(bytes.len()).is_none_or(|end| end > len) {
            return None;
        }
        // SAFETY: the name is a NUL-terminated string; the flags are valid for memfd_create.
        let fd = unsafe { libc::memfd_create(c"wisp-snapshot".as_ptr(), libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING) };
        if fd < 0 {
            return None;
        }
        let close = |fd| {
            // SAFETY: `fd` is the memfd this function opened and still owns.
            unsafe { libc::close(fd) };
            None
        };
        // SAFETY: `fd` is an open memfd; a length that does not fit `off_t` fails cleanly.
        if unsafe { libc::ftruncate(fd, len as libc::off_t) } != 0 {
            return close(fd);
        }
        // Zero runs stay holes in the file: they cost nothing and read as zeros.
        let chunk = 64 * 1024;
        let mut from = 0;
        while from < bytes.len() {
            let end = (from + chunk).min(bytes.len());
            let piece = &bytes[from..end];
            if piece.iter().any(|&b| b != 0) {
                let mut done = 0;
                while done < piece.len() {
                    let rest = &piece[done..];
                    let offset = (at + from + done) as libc::off_t;
                    // SAFETY: `rest` is a live slice; the kernel reads `rest.len()` bytes of it.
                    let n = unsafe { libc::pwrite(fd, rest.as_ptr().cast(), rest.len(), offset) };
                    if n <= 0 {
                        return close(fd);
                    }
                    done += n as usize;
                }
            }
            from = end;
        }
        let seals = libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE | libc::F_SEAL_SEAL;
        // SAFETY: `fd` is an open memfd created with MFD_ALLOW_SEALING.
        if unsafe { libc::fcntl(fd, libc::F_ADD_SEALS, seals) } != 0 {
            return close(fd);
        }
        // SAFETY: a fresh read-only shared mapping of `len` bytes of the file, placed by the
        // kernel (no fixed address, so nothing else is replaced).
        let view = unsafe { libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ, libc::MAP_SHARED, fd, 0) };
        if view == libc::MAP_FAILED {
            return close(fd);
        }
        Some(Image { fd, view: NonNull::new(view.cast())?, len })
    }

    pub fn bytes(&self) -> &[u8] {
        // SAFETY: `view` maps `len` readable bytes for as long as `self` lives, and the
        // sealed file behind it is never written.
        unsafe { std::slice::from_raw_parts(self.view.as_ptr(), self.len) }
    }
}

impl Drop for Image {
    fn drop(&mut self) {
        // SAFETY: `view`/`len` is the mapping `new` made and `fd` the memfd it opened; both
        // are released once, here. Mappings made from the fd keep the file alive on their own.
        unsafe {
            libc::munmap(self.view.as_ptr().cast(), self.len);
            libc::close(self.fd);
        }
    }
}

/// A memory mapped copy-on-write from an [`Image`], in a reservation of `reserved` bytes.
#[derive(Debug)]
pub(crate) struct Mapping {
    base: NonNull<u8>,
    len: usize,
    reserved: usize,
    /// Bytes at the start mapped from an image that count as shared, not owned (0: none,
    /// or the image is a module's data, which every instance is charged for).
    shared: usize,
}

// SAFETY: the mapping is owned by this value alone (no other pointer to it escapes except
// through `&self`/`&mut self` borrows), so moving it to another thread moves its only owner.
unsafe impl Send for Mapping {}

impl Mapping {
    /// An inaccessible reservation of at least `bytes` (whole host pages), of length 0.
    fn reserve(bytes: usize) -> Option<Mapping> {
        let page = host_page();
        let reserved = bytes.checked_add(page - 1)? & !(page - 1);
        if reserved == 0 {
            return None;
        }
        // SAFETY: a fresh inaccessible anonymous reservation placed by the kernel; nothing
        // is replaced, and MAP_NORESERVE commits no memory for it.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                reserved,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return None;
        }
        Some(Mapping { base: NonNull::new(base.cast())?, len: 0, reserved, shared: 0 })
    }

    /// A private mapping of `image` that may grow to `max` bytes, its pages counted as
    /// shared (not owned) if `shared`; `None` when the OS refuses.
    pub fn new(image: &Image, max: usize, shared: bool) -> Option<Mapping> {
        let mut mapping = Mapping::reserve(max.max(image.len))?;
        let base = mapping.base.as_ptr().cast();
        // SAFETY: MAP_FIXED replaces the first `image.len` bytes of the reservation made
        // above, which this function owns and nothing else uses yet; the file is at least that
        // long (sealed at that size), so every page of the mapping is backed.
        let at = unsafe { libc::mmap(base, image.len, RW, libc::MAP_PRIVATE | libc::MAP_FIXED, image.fd, 0) };
        if at != base {
            return None; // `mapping`'s drop releases the reservation
        }
        mapping.len = image.len;
        mapping.shared = if shared { image.len } else { 0 };
        Some(mapping)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Grows to `new_len` bytes of zeros past the current end; `None` past the reservation.
    pub fn grow_to(&mut self, new_len: usize) -> Option<()> {
        if new_len > self.reserved {
            return None;
        }
        if new_len > self.len {
            let page = host_page();
            let from = (self.len + page - 1) & !(page - 1);
            let to = (new_len + page - 1) & !(page - 1);
            if to > from {
                // SAFETY: [from, to) lies inside the reservation (to <= reserved, rounded to
                // pages, which `reserved` is) and past the file mapping: anonymous private
                // pages, zero until written.
                let r = unsafe { libc::mprotect(self.base.as_ptr().add(from).cast(), to - from, RW) };
                if r != 0 {
                    return None;
                }
            }
            self.len = new_len;
        }
        Some(())
    }

    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the first `len` bytes of the reservation are mapped readable and writable
        // while `self` lives; `&self` keeps every writer (which needs `&mut self`) away.
        unsafe { std::slice::from_raw_parts(self.base.as_ptr(), self.len) }
    }

    pub fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `bytes`; `&mut self` makes this the only access.
        unsafe { std::slice::from_raw_parts_mut(self.base.as_ptr(), self.len) }
    }

    /// Bytes of the image this memory counts as shared (see `Mapping::new`).
    pub fn shared(&self) -> usize {
        self.shared
    }

    /// Bytes of the shared image this memory has written (the kernel copied those pages), from
    /// `/proc/self/pagemap`: pages present or swapped that are not pages of the file. `None`
    /// when pagemap cannot be read.
    pub fn dirty_image_bytes(&self) -> Option<usize> {
        use std::os::unix::fs::FileExt;
        if self.shared == 0 {
            return Some(0);
        }
        let page = host_page();
        let pages = self.shared.div_ceil(page);
        let first = self.base.as_ptr() as usize / page;
        let file = std::fs::File::open("/proc/self/pagemap").ok()?;
        let mut buf = vec![0u8; pages * 8];
        file.read_exact_at(&mut buf, (first * 8) as u64).ok()?;
        let own = buf
            .chunks_exact(8)
            .map(|e| u64::from_le_bytes(e.try_into().unwrap_or_default()))
            .filter(|&e| e & (3 << 62) != 0 && e & (1 << 61) == 0)
            .count();
        Some((own * page).min(self.shared))
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: the reservation is this value's own and unmapped once, here; the file
        // mapping inside it goes with it.
        unsafe { libc::munmap(self.base.as_ptr().cast(), self.reserved) };
    }
}
