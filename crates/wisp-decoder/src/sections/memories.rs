//! Memory section.

use crate::error::Result;
use crate::reader::BinaryReader;
use crate::types::MemoryType;
use crate::Features;

pub(crate) fn read_memory_type(r: &mut BinaryReader<'_>, f: &Features) -> Result<MemoryType> {
    let (limits, flags) = super::read_limits(r, f.memory64, f.custom_page_sizes)?;
    let page_size_log2 = if flags & 0x08 != 0 { Some(super::read_page_size(r)?) } else { None };
    Ok(MemoryType { limits, shared: false, memory64: flags & 0x04 != 0, page_size_log2 })
}

pub(crate) fn read(r: &mut BinaryReader<'_>, f: &Features) -> Result<Vec<MemoryType>> {
    let n = r.read_count()?;
    (0..n).map(|_| read_memory_type(r, f)).collect()
}
