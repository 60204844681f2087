//! Guest memory, bounds-checked: every pointer and length the guest passes goes through here,
//! and anything outside the memory is `EFAULT`, never a panic.

use crate::errno::{Errno, WasiResult};
use crate::types::size;

/// A view of the calling instance's linear memory for one WASI call.
///
/// ```
/// let mut bytes = vec![0u8; 64];
/// let mut mem = wisp_wasi::GuestMemory::new(&mut bytes);
/// mem.write_u32(8, 0xDEADBEEF)?;
/// assert_eq!(mem.read_u32(8)?, 0xDEADBEEF);
/// assert_eq!(mem.read_u64(60), Err(wisp_wasi::Errno::Fault)); // past the end
/// # Ok::<(), wisp_wasi::Errno>(())
/// ```
pub struct GuestMemory<'a> {
    bytes: &'a mut [u8],
}

impl<'a> GuestMemory<'a> {
    /// A view of `bytes`.
    pub fn new(bytes: &'a mut [u8]) -> Self {
        GuestMemory { bytes }
    }

    fn range(&self, ptr: u32, len: u64) -> WasiResult<std::ops::Range<usize>> {
        let start = ptr as u64;
        let end = start.checked_add(len).ok_or(Errno::Fault)?;
        if end > self.bytes.len() as u64 {
            return Err(Errno::Fault);
        }
        Ok(start as usize..end as usize)
    }

    /// Checks that `len` bytes at `ptr` lie in memory.
    pub fn check(&self, ptr: u32, len: u64) -> WasiResult<()> {
        self.range(ptr, len).map(|_| ())
    }

    /// The `len` bytes at `ptr`, or `EFAULT`.
    pub fn slice(&self, ptr: u32, len: u32) -> WasiResult<&[u8]> {
        let r = self.range(ptr, len as u64)?;
        Ok(&self.bytes[r])
    }

    /// The `len` bytes at `ptr`, to change, or `EFAULT`.
    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> WasiResult<&mut [u8]> {
        let r = self.range(ptr, len as u64)?;
        Ok(&mut self.bytes[r])
    }

    fn array<const N: usize>(&self, ptr: u32) -> WasiResult<[u8; N]> {
        let r = self.range(ptr, N as u64)?;
        let mut out = [0u8; N];
        out.copy_from_slice(&self.bytes[r]);
        Ok(out)
    }

    /// The little-endian `u8` at `ptr`, or `EFAULT`.
    pub fn read_u8(&self, ptr: u32) -> WasiResult<u8> {
        Ok(self.array::<1>(ptr)?[0])
    }
    /// The little-endian `u16` at `ptr`, or `EFAULT`.
    pub fn read_u16(&self, ptr: u32) -> WasiResult<u16> {
        Ok(u16::from_le_bytes(self.array(ptr)?))
    }
    /// The little-endian `u32` at `ptr`, or `EFAULT`.
    pub fn read_u32(&self, ptr: u32) -> WasiResult<u32> {
        Ok(u32::from_le_bytes(self.array(ptr)?))
    }
    /// The little-endian `u64` at `ptr`, or `EFAULT`.
    pub fn read_u64(&self, ptr: u32) -> WasiResult<u64> {
        Ok(u64::from_le_bytes(self.array(ptr)?))
    }

    /// Copies `data` to `ptr`, or fails with `EFAULT`.
    pub fn write(&mut self, ptr: u32, data: &[u8]) -> WasiResult<()> {
        let r = self.range(ptr, data.len() as u64)?;
        self.bytes[r].copy_from_slice(data);
        Ok(())
    }
    /// Writes a little-endian `u8` at `ptr`, or fails with `EFAULT`.
    pub fn write_u8(&mut self, ptr: u32, v: u8) -> WasiResult<()> {
        self.write(ptr, &[v])
    }
    /// Writes a little-endian `u16` at `ptr`, or fails with `EFAULT`.
    pub fn write_u16(&mut self, ptr: u32, v: u16) -> WasiResult<()> {
        self.write(ptr, &v.to_le_bytes())
    }
    /// Writes a little-endian `u32` at `ptr`, or fails with `EFAULT`.
    pub fn write_u32(&mut self, ptr: u32, v: u32) -> WasiResult<()> {
        self.write(ptr, &v.to_le_bytes())
    }
    /// Writes a little-endian `u64` at `ptr`, or fails with `EFAULT`.
    pub fn write_u64(&mut self, ptr: u32, v: u64) -> WasiResult<()> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// Reads an `iovec_array` / `ciovec_array` and checks every buffer it names.
    pub fn iovecs(&self, ptr: u32, count: u32) -> WasiResult<Vec<(u32, u32)>> {
        self.check(ptr, count as u64 * size::IOVEC as u64)?;
        let mut out = Vec::with_capacity(count as usize);
        for i in 0..count {
            let at = ptr + i * size::IOVEC;
            let (buf, len) = (self.read_u32(at)?, self.read_u32(at + 4)?);
            self.check(buf, len as u64)?;
            out.push((buf, len));
        }
        Ok(out)
    }

    /// Copies the bytes of checked iovecs into one buffer (for writes).
    pub fn gather(&self, iovs: &[(u32, u32)]) -> WasiResult<Vec<u8>> {
        let total: u64 = iovs.iter().map(|&(_, l)| l as u64).sum();
        let mut out = Vec::with_capacity(total.min(1 << 24) as usize);
        for &(p, l) in iovs {
            out.extend_from_slice(self.slice(p, l)?);
        }
        Ok(out)
    }

    /// Copies `data` into checked iovecs in order; returns how many bytes fit.
    pub fn scatter(&mut self, iovs: &[(u32, u32)], mut data: &[u8]) -> WasiResult<usize> {
        let mut n = 0;
        for &(p, l) in iovs {
            if data.is_empty() {
                break;
            }
            let take = (l as usize).min(data.len());
            self.write(p, &data[..take])?;
            data = &data[take..];
            n += take;
        }
        Ok(n)
    }

    /// A guest string argument (a path): `len` bytes at `ptr`.
    pub fn bytes(&self, ptr: u32, len: u32) -> WasiResult<Vec<u8>> {
        Ok(self.slice(ptr, len)?.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        let mut buf = vec![0u8; 16];
        let mut m = GuestMemory::new(&mut buf);
        assert!(m.write_u64(8, 7).is_ok());
        assert_eq!(m.write_u64(9, 7), Err(Errno::Fault));
        assert_eq!(m.read_u32(u32::MAX), Err(Errno::Fault));
        assert_eq!(m.slice(16, 0).map(|s| s.len()), Ok(0));
        assert_eq!(m.slice(17, 0).map(|s| s.len()), Err(Errno::Fault));
        assert_eq!(m.iovecs(0, u32::MAX).map(|v| v.len()), Err(Errno::Fault));
        m.write_u32(0, 12).unwrap();
        m.write_u32(4, 5).unwrap();
        assert_eq!(m.iovecs(0, 1), Err(Errno::Fault));
    }
}
