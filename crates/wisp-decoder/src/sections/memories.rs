//! Memory section.

use crate::error::Result;
use crate::reader::BinaryReader;
use crate::types::MemoryType;
use crate::Features;

pub(crate) fn read_memory_type(r: &mut BinaryReader<'_>, f: &Features) -> Result<MemoryType> {
    let (limits, flags) = super::read_limits(r, f.memory64)?;
    Ok(MemoryType { limits, shared: false, memory64: flags & 0x04 != 0 })
}

pub(crate) fn read(r: &mut BinaryReader<'_>, f: &Features) -> Result<Vec<MemoryType>> {
    let n = r.read_count()?;
    (0..n).map(|_| read_memory_type(r, f)).collect()
}
