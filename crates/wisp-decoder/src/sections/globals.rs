//! Global section, and constant expressions (also used by element and data segments).

use crate::error::{Error, ErrorKind, Result};
use crate::operators::{Operator, OperatorsReader};
use crate::reader::BinaryReader;
use crate::types::{GlobalType, ValType};
use crate::Features;

/// A constant expression: its bytes up to and including the final `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConstExpr<'a> {
    pub data: &'a [u8],
    pub offset: usize,
    features: Features,
}

impl<'a> ConstExpr<'a> {
    /// Its instructions, ending with `end`.
    pub fn operators(&self) -> OperatorsReader<'a> {
        OperatorsReader::new(BinaryReader::new(self.data, self.offset), self.features)
    }

    /// Reads a constant expression: operators up to the first `end` (constant expressions
    /// have no blocks, so the first `end` is the last).
    pub(crate) fn read(r: &mut BinaryReader<'a>, f: &Features) -> Result<ConstExpr<'a>> {
        let offset = r.offset();
        let start = r.position();
        // Almost every expression is `i32.const n; end` (Go modules have 20,000-41,000 data
        // segments): with a LEB128 of at most four bytes nothing in it can be malformed, so
        // it is taken whole without the operator decoder.
        if let Some(len) = lone_i32_const_len(r.rest(), 4) {
            r.skip(len)?;
            return Ok(ConstExpr { data: &r.data()[start..start + len], offset, features: *f });
        }
        let mut ops = OperatorsReader::new(BinaryReader::new(r.rest(), offset), *f);
        loop {
            if ops.eof() {
                return Err(Error::new(ErrorKind::UnexpectedEndOfSection, ops.offset()));
            }
            if let Operator::End {} = ops.read()? {
                break;
            }
        }
        let len = ops.offset() - offset;
        r.skip(len)?;
        Ok(ConstExpr { data: &r.data()[start..start + len], offset, features: *f })
    }
}

/// The length of `i32.const n; end` at the start of `bytes`, when its LEB128 takes at most
/// `max_leb` bytes and ends with the `end`.
#[inline]
fn lone_i32_const_len(bytes: &[u8], max_leb: usize) -> Option<usize> {
    let [0x41, rest @ ..] = bytes else { return None };
    let leb = rest.iter().take(max_leb).position(|&b| b & 0x80 == 0)? + 1;
    (rest.get(leb) == Some(&0x0b)).then_some(leb + 2)
}

impl ConstExpr<'_> {
    /// The value of an expression that is only `i32.const n` (the offset of almost every
    /// data and element segment), without the operator decoder; `None` for anything else.
    #[inline]
    pub fn as_i32_const(&self) -> Option<i32> {
        // The expression was decoded once, so its LEB128 is well formed.
        if lone_i32_const_len(self.data, 5)? != self.data.len() {
            return None;
        }
        let leb = &self.data[1..self.data.len() - 1];
        let mut value: i64 = 0;
        for (i, &b) in leb.iter().enumerate() {
            value |= i64::from(b & 0x7f) << (7 * i);
        }
        let bits = 7 * leb.len() as u32;
        Some(((value << (64 - bits)) >> (64 - bits)) as i32)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Global<'a> {
    pub ty: GlobalType,
    pub init: ConstExpr<'a>,
}

pub(crate) fn read_global_type(r: &mut BinaryReader<'_>, f: &Features) -> Result<GlobalType> {
    let content = ValType::read(r, f)?;
    let at = r.offset();
    let mutable = match r.read_u8()? {
        0 => false,
        1 => true,
        _ => return Err(Error::new(ErrorKind::MalformedMutability, at)),
    };
    Ok(GlobalType { content, mutable })
}

pub(crate) fn read<'a>(r: &mut BinaryReader<'a>, f: &Features) -> Result<Vec<Global<'a>>> {
    let n = r.read_count()?;
    let mut globals = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let ty = read_global_type(r, f)?;
        let init = ConstExpr::read(r, f)?;
        globals.push(Global { ty, init });
    }
    Ok(globals)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<ConstExpr<'_>> {
        ConstExpr::read(&mut BinaryReader::new(bytes, 0), &Features::default())
    }

    #[test]
    fn lone_i32_const_agrees_with_the_decoder() {
        let samples =
            [0i64, 1, -1, 63, 64, -64, -65, 8191, 8192, -8193, 1 << 27, -(1 << 27), i32::MIN as i64, i32::MAX as i64];
        for v in samples {
            let mut bytes = vec![0x41];
            leb128::write::signed(&mut bytes, v).unwrap();
            bytes.extend([0x0b, 0xff]);
            let e = read(&bytes).unwrap();
            assert_eq!(e.data, &bytes[..bytes.len() - 1]);
            assert_eq!(e.as_i32_const(), Some(v as i32), "{bytes:x?}");
            let Operator::I32Const { value } = e.operators().read().unwrap() else { panic!() };
            assert_eq!(value as i64, v);
        }
        // Redundant (but well-formed) encodings, as long as the decoder takes them.
        assert_eq!(read(&[0x41, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b]).unwrap().as_i32_const(), Some(0));
        assert_eq!(read(&[0x41, 0xff, 0x7f, 0x0b]).unwrap().as_i32_const(), Some(-1));
        // Malformed LEB128s are still reported.
        assert!(read(&[0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b]).is_err());
        assert!(read(&[0x41, 0xff, 0xff, 0xff, 0xff, 0x4f, 0x0b]).is_err());
        assert!(read(&[0x41, 0x80, 0x80]).is_err());
        // Anything else is not a lone `i32.const`.
        for bytes in [&[0x42, 0x01, 0x0b][..], &[0x41, 0x01, 0x41, 0x02, 0x6a, 0x0b], &[0x23, 0x00, 0x0b]] {
            let f = Features { extended_const: true, ..Features::default() };
            let e = ConstExpr::read(&mut BinaryReader::new(bytes, 0), &f).unwrap();
            assert_eq!(e.as_i32_const(), None, "{bytes:x?}");
        }
    }
}
