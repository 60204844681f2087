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
    /// The value when the expression is only `i32.const n`, as almost every data and element
    /// segment's offset is: found while reading it, so its users need not decode it again.
    i32_value: Option<i32>,
}

impl<'a> ConstExpr<'a> {
    /// Its instructions, ending with `end`.
    pub fn operators(&self) -> OperatorsReader<'a> {
        OperatorsReader::new(BinaryReader::new(self.data, self.offset), self.features)
    }

    /// The value of an expression that is only `i32.const n`; `None` for anything else.
    #[inline]
    pub fn as_i32_const(&self) -> Option<i32> {
        self.i32_value
    }

    /// Reads a constant expression: operators up to the first `end` (constant expressions
    /// have no blocks, so the first `end` is the last).
    #[inline(always)]
    pub(crate) fn read(r: &mut BinaryReader<'a>, f: &Features) -> Result<ConstExpr<'a>> {
        // Almost every expression is `i32.const n; end` (Go modules have 20,000-41,000 data
        // segments): with a LEB128 of at most four bytes nothing in it can be malformed, so
        // it is taken whole without the operator decoder.
        let rest = r.rest();
        if let Some((len, value)) = lone_i32_const(rest) {
            let offset = r.offset();
            r.skip(len)?;
            return Ok(ConstExpr { data: &rest[..len], offset, features: *f, i32_value: Some(value) });
        }
        Self::read_operators(r, f)
    }

    #[inline(never)]
    fn read_operators(r: &mut BinaryReader<'a>, f: &Features) -> Result<ConstExpr<'a>> {
        let offset = r.offset();
        let start = r.position();
        let mut ops = OperatorsReader::new(BinaryReader::new(r.rest(), offset), *f);
        let mut first = None;
        let mut count = 0;
        loop {
            if ops.eof() {
                return Err(Error::new(ErrorKind::UnexpectedEndOfSection, ops.offset()));
            }
            match ops.read()? {
                Operator::End {} => break,
                Operator::I32Const { value } if count == 0 => first = Some(value),
                _ => {}
            }
            count += 1;
        }
        let len = ops.offset() - offset;
        r.skip(len)?;
        let i32_value = first.filter(|_| count == 1);
        Ok(ConstExpr { data: &r.data()[start..start + len], offset, features: *f, i32_value })
    }
}

/// `i32.const n; end` at the start of `bytes` with a LEB128 of one to four bytes (which can
/// never be malformed): its length and `n`.
#[inline(always)]
fn lone_i32_const(bytes: &[u8]) -> Option<(usize, i32)> {
    let [0x41, b1, b2, b3, b4, b5, ..] = *bytes else { return None };
    let leb = [b1, b2, b3, b4];
    let mut value = 0i32;
    for (i, b) in leb.into_iter().enumerate() {
        value |= i32::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            let end = if i < 3 { leb[i + 1] } else { b5 };
            let unused = 32 - 7 * (i as u32 + 1);
            return (end == 0x0b).then_some((i + 3, (value << unused) >> unused));
        }
    }
    None
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
