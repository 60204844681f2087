//! Table section.

use crate::error::{Error, ErrorKind, Result};
use crate::reader::BinaryReader;
use crate::sections::globals::ConstExpr;
use crate::types::{RefType, TableType};
use crate::Features;

pub(crate) fn read_table_type(r: &mut BinaryReader<'_>, f: &Features) -> Result<TableType> {
    let at = r.offset();
    let element = RefType::read(r, f)?;
    // 1.0 knows one element type; `externref` and the rest came with reference types.
    if element != RefType::FuncRef && !f.reference_types {
        return Err(Error::new(ErrorKind::MalformedRefType, at));
    }
    let (limits, flags) = super::read_limits(r, f.memory64, false)?;
    Ok(TableType { element, limits, table64: flags & 0x04 != 0 })
}

/// A table and, with typed references, the expression that gives its elements' first value
/// (`0x40 0x00 tabletype expr`); without one they start null.
pub(crate) fn read<'a>(r: &mut BinaryReader<'a>, f: &Features) -> Result<Vec<(TableType, Option<ConstExpr<'a>>)>> {
    let n = r.read_count()?;
    let mut tables = Vec::with_capacity(n as usize);
    for _ in 0..n {
        if f.function_references && r.peek_u8()? == 0x40 {
            r.read_u8()?;
            let at = r.offset();
            if r.read_u8()? != 0x00 {
                return Err(Error::new(ErrorKind::MalformedRefType, at));
            }
            let ty = read_table_type(r, f)?;
            tables.push((ty, Some(ConstExpr::read(r, f)?)));
        } else {
            tables.push((read_table_type(r, f)?, None));
        }
    }
    Ok(tables)
}
