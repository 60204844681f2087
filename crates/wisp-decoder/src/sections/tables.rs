//! Table section.

use crate::error::Result;
use crate::reader::BinaryReader;
use crate::types::{RefType, TableType};
use crate::Features;

pub(crate) fn read_table_type(r: &mut BinaryReader<'_>, _f: &Features) -> Result<TableType> {
    let element = RefType::read(r)?;
    let (limits, _) = super::read_limits(r, 0x01)?;
    Ok(TableType { element, limits })
}

pub(crate) fn read(r: &mut BinaryReader<'_>, f: &Features) -> Result<Vec<TableType>> {
    let n = r.read_count()?;
    (0..n).map(|_| read_table_type(r, f)).collect()
}
