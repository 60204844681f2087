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
