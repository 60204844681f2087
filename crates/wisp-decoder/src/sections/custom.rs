//! Custom sections: kept as name and bytes.

use crate::error::Result;
use crate::reader::BinaryReader;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomSection<'a> {
    pub name: &'a str,
    pub data: &'a [u8],
    /// Offset of `data` in the module.
    pub data_offset: usize,
}

pub(crate) fn read<'a>(r: &mut BinaryReader<'a>) -> Result<CustomSection<'a>> {
    let name = r.read_name()?;
    let data_offset = r.offset();
    let data = r.read_bytes(r.remaining())?;
    Ok(CustomSection { name, data, data_offset })
}
