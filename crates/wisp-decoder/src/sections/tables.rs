//! Table section.

use crate::error::Result;
use crate::reader::BinaryReader;
use crate::types::{RefType, TableType};
use crate::Features;

pub(crate) fn read_table_type(r: &mut BinaryReader<'_>, f: &Features) -> Result<TableType> {
    let element = RefType::read(r)?;
    // A 64-bit table (memory64 proposal) has nowhere to say so in `TableType` yet; its limits
    // are read correctly and the validator sees them as plain limits.
    let (limits, _) = super::read_limits(r, f.memory64)?;
    Ok(TableType { element, limits })
}

pub(crate) fn read(r: &mut BinaryReader<'_>, f: &Features) -> Result<Vec<TableType>> {
    let n = r.read_count()?;
    (0..n).map(|_| read_table_type(r, f)).collect()
}
