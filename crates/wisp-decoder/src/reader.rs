//! A zero-copy cursor over module bytes: LEB128 to the spec's limits, names, vectors.

use crate::error::{Error, ErrorKind, Result};

/// Reads primitive values from a byte slice. Offsets in errors are relative to the start of the
/// module, so a reader over a section or a function body knows where its slice began.
#[derive(Debug, Clone)]
pub struct BinaryReader<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
}

/// The last byte a signed LEB128 of `bits` bits may have, after `shift` value bits: its
/// payload in place, or the error it makes (a continuation bit; bits past `bits` that do not
/// all equal the sign bit).
fn sleb_last(byte: u8, bits: u32, shift: u32) -> std::result::Result<i64, ErrorKind> {
    if byte & 0x80 != 0 {
        return Err(ErrorKind::IntegerTooLong);
    }
    let used = bits - shift; // value bits in this byte, 1..=7
    let payload = byte & 0x7f;
    if used < 7 {
        let sign = (payload >> (used - 1)) & 1;
        let upper = payload >> used;
        let expected = if sign == 1 { (1u8 << (7 - used)) - 1 } else { 0 };
        if upper != expected {
            return Err(ErrorKind::IntegerTooLarge);
        }
    }
    Ok((payload as i64) << shift)
}

impl<'a> BinaryReader<'a> {
    /// A reader over `data`, whose first byte is at `base` in the module.
    pub fn new(data: &'a [u8], base: usize) -> Self {
        BinaryReader { data, pos: 0, base }
    }

    /// The offset of the next byte, from the start of the module.
    #[inline]
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// The position of the next byte within this reader's slice.
    #[inline]
    pub fn position(&self) -> usize {
        self.pos
    }

    #[inline]
    pub fn eof(&self) -> bool {
        self.pos >= self.data.len()
    }

    #[inline]
    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        &self.data[self.pos..]
    }

    /// The whole slice this reader covers.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    #[cold]
    pub fn error(&self, kind: ErrorKind) -> Error {
        Error::new(kind, self.offset())
    }

    // Past the header every read is inside a section, a function body or an expression.
    #[cold]
    fn eof_error(&self) -> Error {
        Error::new(ErrorKind::UnexpectedEndOfSection, self.base + self.data.len())
    }

    #[inline]
    pub fn read_u8(&mut self) -> Result<u8> {
        match self.data.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                Ok(b)
            }
            None => Err(self.eof_error()),
        }
    }

    #[inline]
    pub fn peek_u8(&self) -> Result<u8> {
        self.data.get(self.pos).copied().ok_or_else(|| self.eof_error())
    }

    pub fn read_bytes(&mut self, len: usize) -> Result<&'a [u8]> {
        if len > self.remaining() {
            return Err(self.eof_error());
        }
        let bytes = &self.data[self.pos..self.pos + len];
        self.pos += len;
        Ok(bytes)
    }

    pub fn skip(&mut self, len: usize) -> Result<()> {
        self.read_bytes(len).map(|_| ())
    }

    #[inline]
    pub fn read_u32_le(&mut self) -> Result<u32> {
        let b = self.read_bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    #[inline]
    pub fn read_u64_le(&mut self) -> Result<u64> {
        let b = self.read_bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    /// Unsigned LEB128 of at most `bits` bits (32 or 64).
    #[inline(never)]
    fn read_uleb(&mut self, bits: u32) -> Result<u64> {
        let max_bytes = bits.div_ceil(7);
        let mut result: u64 = 0;
        let mut shift = 0u32;
        let mut i = 0u32;
        loop {
            let byte = self.read_u8()?;
            i += 1;
            if i == max_bytes {
                // The last permitted byte: no continuation, and no bits beyond `bits`.
                if byte & 0x80 != 0 {
                    return Err(Error::new(ErrorKind::IntegerTooLong, self.offset() - 1));
                }
                let used = bits - shift;
                if used < 7 && (byte as u32) >> used != 0 {
                    return Err(Error::new(ErrorKind::IntegerTooLarge, self.offset() - 1));
                }
                return Ok(result | ((byte as u64) << shift));
            }
            result |= ((byte & 0x7f) as u64) << shift;
            if byte & 0x80 == 0 {
                return Ok(result);
            }
            shift += 7;
        }
    }

    /// Signed LEB128 of at most `bits` bits (32, 33 or 64), sign-extended to i64.
    #[inline(never)]
    fn read_sleb(&mut self, bits: u32) -> Result<i64> {
        let max_bytes = bits.div_ceil(7);
        let mut result: i64 = 0;
        let mut shift = 0u32;
        let mut i = 0u32;
        loop {
            let byte = self.read_u8()?;
            i += 1;
            if i == max_bytes {
                result |= sleb_last(byte, bits, shift).map_err(|kind| Error::new(kind, self.offset() - 1))?;
                if bits < 64 {
                    result = (result << (64 - bits)) >> (64 - bits);
                }
                return Ok(result);
            }
            result |= ((byte & 0x7f) as i64) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                if shift < 64 {
                    result = (result << (64 - shift)) >> (64 - shift);
                }
                return Ok(result);
            }
        }
    }

    #[inline]
    pub fn read_var_u32(&mut self) -> Result<u32> {
        // Fast path: most indices and counts fit in one byte.
        if let Some(&b) = self.data.get(self.pos) {
            if b < 0x80 {
                self.pos += 1;
                return Ok(b as u32);
            }
        }
        self.read_var_u32_long()
    }

    /// A LEB128 `u32` of two bytes or more: the bytes before the last permitted one can never
    /// be malformed, so with enough bytes left they are taken without the general loop.
    #[inline(never)]
    fn read_var_u32_long(&mut self) -> Result<u32> {
        if let Some(d) = self.data.get(self.pos..self.pos + 5) {
            let mut result = 0u32;
            for (i, &b) in d[..4].iter().enumerate() {
                result |= u32::from(b & 0x7f) << (7 * i);
                if b < 0x80 {
                    self.pos += i + 1;
                    return Ok(result);
                }
            }
        }
        self.read_uleb(32).map(|v| v as u32)
    }

    /// A LEB128 `u64` (memory64's offsets, on for every memory access once memory64 is on):
    /// one byte without a call, as `read_var_u32`.
    pub fn read_var_u64(&mut self) -> Result<u64> {
        if let Some(&b) = self.data.get(self.pos) {
            if b < 0x80 {
                self.pos += 1;
                return Ok(b as u64);
            }
        }
        self.read_var_u64_long()
    }

    /// A LEB128 `u64` of two bytes or more: the nine bytes before the last permitted one can
    /// never be malformed, so with enough bytes left they are taken without the general loop.
    #[inline(never)]
    fn read_var_u64_long(&mut self) -> Result<u64> {
        if let Some(d) = self.data.get(self.pos..self.pos + 10) {
            let mut result = 0u64;
            for (i, &b) in d[..9].iter().enumerate() {
                result |= u64::from(b & 0x7f) << (7 * i);
                if b < 0x80 {
                    self.pos += i + 1;
                    return Ok(result);
                }
            }
        }
        self.read_uleb(64)
    }

    // Forced: called from the operator match's `i32.const` arm, which is hot.
    #[inline(always)]
    pub fn read_var_i32(&mut self) -> Result<i32> {
        // Fast path: small constants fit in one byte.
        if let Some(&b) = self.data.get(self.pos) {
            if b < 0x80 {
                self.pos += 1;
                return Ok(i32::from((b << 1) as i8) >> 1);
            }
        }
        self.read_sleb_long::<5>(32).map(|v| v as i32)
    }

    pub fn read_var_s33(&mut self) -> Result<i64> {
        self.read_sleb(33)
    }

    #[inline(always)]
    pub fn read_var_i64(&mut self) -> Result<i64> {
        if let Some(&b) = self.data.get(self.pos) {
            if b < 0x80 {
                self.pos += 1;
                return Ok(i64::from((b << 1) as i8) >> 1);
            }
        }
        self.read_sleb_long::<10>(64)
    }

    /// A signed LEB128 of at most `bits` bits in at most `MAX` bytes, two bytes or more: the
    /// bytes before the last permitted one can never be malformed, so with enough bytes left
    /// they are taken without the general loop.
    #[inline(never)]
    fn read_sleb_long<const MAX: usize>(&mut self, bits: u32) -> Result<i64> {
        if let Some(d) = self.data.get(self.pos..self.pos + MAX) {
            let mut result = 0i64;
            for (i, &b) in d[..MAX - 1].iter().enumerate() {
                result |= i64::from(b & 0x7f) << (7 * i);
                if b < 0x80 {
                    self.pos += i + 1;
                    let unused = 64 - 7 * (i as u32 + 1);
                    return Ok((result << unused) >> unused);
                }
            }
            // All `MAX` bytes (a 64-bit constant of 2^62 or more in magnitude, say): the last
            // one checked here too; a malformed one is left to the loop, which names its error.
            if let Ok(last) = sleb_last(d[MAX - 1], bits, 7 * (MAX as u32 - 1)) {
                self.pos += MAX;
                let result = result | last;
                return Ok(if bits < 64 { (result << (64 - bits)) >> (64 - bits) } else { result });
            }
        }
        self.read_sleb(bits)
    }

    /// A vector length, checked against the bytes left (each element takes at least one byte)
    /// so a hostile count cannot make us allocate before we fail.
    pub fn read_count(&mut self) -> Result<u32> {
        let n = self.read_var_u32()?;
        if n as usize > self.remaining() {
            // The reference decoder would run out of bytes reading the elements.
            return Err(self.eof_error());
        }
        Ok(n)
    }

    /// A byte length (of a name, a section, a body), checked against the bytes left.
    pub fn read_len(&mut self) -> Result<usize> {
        let start = self.offset();
        let n = self.read_var_u32()? as usize;
        if n > self.remaining() {
            return Err(Error::new(ErrorKind::LengthOutOfBounds, start));
        }
        Ok(n)
    }

    /// A UTF-8 name: length-prefixed bytes.
    pub fn read_name(&mut self) -> Result<&'a str> {
        let len = self.read_len()?;
        let start = self.offset();
        let bytes = self.read_bytes(len)?;
        std::str::from_utf8(bytes).map_err(|_| Error::new(ErrorKind::MalformedUtf8, start))
    }

    /// A reader over the next `len` bytes, advancing past them.
    pub fn sub_reader(&mut self, len: usize) -> Result<BinaryReader<'a>> {
        let base = self.offset();
        let data = self.read_bytes(len)?;
        Ok(BinaryReader::new(data, base))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u32_of(bytes: &[u8]) -> Result<u32> {
        BinaryReader::new(bytes, 0).read_var_u32()
    }
    fn i32_of(bytes: &[u8]) -> Result<i32> {
        BinaryReader::new(bytes, 0).read_var_i32()
    }
    fn i64_of(bytes: &[u8]) -> Result<i64> {
        BinaryReader::new(bytes, 0).read_var_i64()
    }
    fn kind<T: std::fmt::Debug>(r: Result<T>) -> ErrorKind {
        r.unwrap_err().kind
    }

    #[test]
    fn unsigned_limits() {
        assert_eq!(u32_of(&[0x00]).unwrap(), 0);
        assert_eq!(u32_of(&[0x80, 0x00]).unwrap(), 0);
        assert_eq!(u32_of(&[0xff, 0xff, 0xff, 0xff, 0x0f]).unwrap(), u32::MAX);
        assert_eq!(kind(u32_of(&[0xff, 0xff, 0xff, 0xff, 0x1f])), ErrorKind::IntegerTooLarge);
        assert_eq!(kind(u32_of(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00])), ErrorKind::IntegerTooLong);
        assert_eq!(kind(u32_of(&[0x80, 0x80])), ErrorKind::UnexpectedEndOfSection);
    }

    /// `u64` (memory64's offsets): the leb128 crate's encodings, alone and with bytes after
    /// them (the path that does not check each byte's bounds), and the limits.
    #[test]
    fn unsigned_64() {
        let mut values = vec![0u64, u64::MAX];
        for k in 0..64 {
            values.extend([1u64 << k, (1u64 << k) - 1]);
        }
        for &v in &values {
            let mut buf = Vec::new();
            leb128::write::unsigned(&mut buf, v).unwrap();
            let len = buf.len();
            assert_eq!(BinaryReader::new(&buf, 0).read_var_u64().unwrap(), v, "{buf:x?}");
            buf.extend([0x80; 12]);
            let mut r = BinaryReader::new(&buf, 0);
            assert_eq!(r.read_var_u64().unwrap(), v, "{buf:x?}");
            assert_eq!(r.position(), len);
        }
        let u64_of = |b: &[u8]| BinaryReader::new(b, 0).read_var_u64();
        let mut max = [0xff; 10];
        max[9] = 0x01;
        assert_eq!(u64_of(&max).unwrap(), u64::MAX);
        max[9] = 0x02;
        assert_eq!(kind(u64_of(&max)), ErrorKind::IntegerTooLarge);
        assert_eq!(kind(u64_of(&[0x80; 11])), ErrorKind::IntegerTooLong);
        assert_eq!(kind(u64_of(&[0x80, 0x80])), ErrorKind::UnexpectedEndOfSection);
    }

    #[test]
    fn signed_limits() {
        assert_eq!(i32_of(&[0x7f]).unwrap(), -1);
        assert_eq!(i32_of(&[0xff, 0xff, 0xff, 0xff, 0x7f]).unwrap(), -1);
        assert_eq!(i32_of(&[0x80, 0x80, 0x80, 0x80, 0x78]).unwrap(), i32::MIN);
        assert_eq!(i32_of(&[0xff, 0xff, 0xff, 0xff, 0x07]).unwrap(), i32::MAX);
        assert_eq!(kind(i32_of(&[0xff, 0xff, 0xff, 0xff, 0x4f])), ErrorKind::IntegerTooLarge);
        assert_eq!(kind(i32_of(&[0x80, 0x80, 0x80, 0x80, 0x70])), ErrorKind::IntegerTooLarge);
        assert_eq!(kind(i32_of(&[0xff, 0xff, 0xff, 0xff, 0x0f])), ErrorKind::IntegerTooLarge);
        assert_eq!(kind(i32_of(&[0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])), ErrorKind::IntegerTooLong);
        assert_eq!(i64_of(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]).unwrap(), i64::MIN);
        assert_eq!(
            kind(i64_of(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])),
            ErrorKind::IntegerTooLarge
        );
        assert_eq!(
            kind(i64_of(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7e])),
            ErrorKind::IntegerTooLarge
        );
    }

    #[test]
    fn agrees_with_leb128_crate() {
        let samples: [i64; 12] = [0, 1, -1, 63, 64, -64, -65, 127, 128, i32::MIN as i64, i32::MAX as i64, 0x1234_5678];
        for &v in &samples {
            let mut buf = Vec::new();
            leb128::write::signed(&mut buf, v).unwrap();
            assert_eq!(i32_of(&buf).unwrap() as i64, v, "{buf:x?}");
            assert_eq!(i64_of(&buf).unwrap(), v);
        }
        for v in [0u64, 1, 127, 128, 300, 16384, u32::MAX as u64] {
            let mut buf = Vec::new();
            leb128::write::unsigned(&mut buf, v).unwrap();
            assert_eq!(u32_of(&buf).unwrap() as u64, v);
        }
    }

    /// With bytes after it, a LEB128 takes the paths that read without checking each byte's
    /// bounds; they must agree with the general loop, and stop where the number ends.
    #[test]
    fn followed_by_more_bytes() {
        let mut signed: Vec<i64> = vec![0, -1, i64::MIN, i64::MAX, i32::MIN as i64, i32::MAX as i64];
        for k in 0..64 {
            let p = 1i64 << k;
            signed.extend([p, p.wrapping_neg(), p.wrapping_sub(1), p.wrapping_neg().wrapping_add(1)]);
        }
        for &v in &signed {
            let mut buf = Vec::new();
            leb128::write::signed(&mut buf, v).unwrap();
            let len = buf.len();
            buf.extend([0x80; 12]);
            let mut r = BinaryReader::new(&buf, 0);
            assert_eq!(r.read_var_i64().unwrap(), v, "{buf:x?}");
            assert_eq!(r.position(), len);
            if let Ok(v32) = i32::try_from(v) {
                let mut r = BinaryReader::new(&buf, 0);
                assert_eq!(r.read_var_i32().unwrap(), v32, "{buf:x?}");
                assert_eq!(r.position(), len);
            }
            if let Ok(u) = u32::try_from(v) {
                let mut buf = Vec::new();
                leb128::write::unsigned(&mut buf, u64::from(u)).unwrap();
                let len = buf.len();
                buf.extend([0xff; 12]);
                let mut r = BinaryReader::new(&buf, 0);
                assert_eq!(r.read_var_u32().unwrap(), u, "{buf:x?}");
                assert_eq!(r.position(), len);
            }
        }
        // Malformed ones still are, with bytes after them.
        let mut r = BinaryReader::new(&[0xff, 0xff, 0xff, 0xff, 0x1f, 0x00, 0x00], 0);
        assert_eq!(kind(r.read_var_u32()), ErrorKind::IntegerTooLarge);
        let mut r = BinaryReader::new(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00], 0);
        assert_eq!(kind(r.read_var_u32()), ErrorKind::IntegerTooLong);
        let mut r = BinaryReader::new(&[0xff, 0xff, 0xff, 0xff, 0x4f, 0x00, 0x00], 0);
        assert_eq!(kind(r.read_var_i32()), ErrorKind::IntegerTooLarge);
        let mut r = BinaryReader::new(&[0x80; 12], 0);
        assert_eq!(kind(r.read_var_i64()), ErrorKind::IntegerTooLong);
        // The last permitted byte, read beside the others: padded encodings are values, its
        // continuation bit or unused bits unlike the sign are errors, at its own offset.
        let mut r = BinaryReader::new(&[0x80, 0x80, 0x80, 0x80, 0x00, 0x7f], 0);
        assert_eq!((r.read_var_i32().unwrap(), r.position()), (0, 5));
        let mut r = BinaryReader::new(&[0xff, 0xff, 0xff, 0xff, 0x7f, 0x00], 0);
        assert_eq!((r.read_var_i32().unwrap(), r.position()), (-1, 5));
        let mut ten = [0xffu8; 11];
        ten[9] = 0x7f;
        let mut r = BinaryReader::new(&ten, 0);
        assert_eq!((r.read_var_i64().unwrap(), r.position()), (-1, 10));
        ten[9] = 0x00;
        let mut r = BinaryReader::new(&ten, 0);
        assert_eq!((r.read_var_i64().unwrap(), r.position()), (i64::MAX, 10));
        for (last, error) in
            [(0x80, ErrorKind::IntegerTooLong), (0x02, ErrorKind::IntegerTooLarge), (0x7e, ErrorKind::IntegerTooLarge)]
        {
            ten[9] = last;
            let e = BinaryReader::new(&ten, 0).read_var_i64().unwrap_err();
            assert_eq!((e.kind, e.offset), (error, 9), "{last:#x}");
        }
        let e = BinaryReader::new(&[0x80, 0x80, 0x80, 0x80, 0x08, 0x00], 0).read_var_i32().unwrap_err();
        assert_eq!((e.kind, e.offset), (ErrorKind::IntegerTooLarge, 4));
    }
}
