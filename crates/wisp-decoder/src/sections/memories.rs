//! Memory section.

use crate::error::Result;
use crate::reader::BinaryReader;
use crate::types::MemoryType;
use crate::Features;

pub(crate) fn read_memory_type(r: &mut BinaryReader<'_>, f: &Features) -> Result<MemoryType> {
    // Flags: bit 0 has-max, bit 1 shared (threads, not supported), bit 2 64-bit (memory64).
    let at = r.offset();
    let max_flag = if f.memory64 { 0x05 } else { 0x01 };
    let (limits, flags) = super::read_limits(r, max_flag)?;
    if flags & 0x02 != 0 {
        return Err(crate::Error::new(crate::ErrorKind::MalformedLimits, at));
    }
    Ok(MemoryType { limits, shared: flags & 0x02 != 0, memory64: flags & 0x04 != 0 })
}

pub(crate) fn read(r: &mut BinaryReader<'_>, f: &Features) -> Result<Vec<MemoryType>> {
    let n = r.read_count()?;
    (0..n).map(|_| read_memory_type(r, f)).collect()
}
