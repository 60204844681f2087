//! One file per section of the binary format.

pub mod code;
pub mod custom;
pub mod data;
pub mod elements;
pub mod exports;
pub mod functions;
pub mod globals;
pub mod imports;
pub mod memories;
pub mod names;
pub mod tables;
pub mod types;

use crate::error::{Error, ErrorKind, Result};
use crate::reader::BinaryReader;
use crate::types::Limits;

/// Limits of a table (32-bit) or, with `allow64`, of a memory64.
/// Returns the limits and the raw flags byte for memory's shared/64-bit bits.
pub(crate) fn read_limits(r: &mut BinaryReader<'_>, max_flag: u8) -> Result<(Limits, u8)> {
    let at = r.offset();
    let flags = r.read_u8()?;
    if flags > max_flag {
        return Err(Error::new(ErrorKind::MalformedLimits, at));
    }
    let wide = flags & 0x04 != 0;
    let read = |r: &mut BinaryReader<'_>| -> Result<u64> {
        if wide {
            r.read_var_u64()
        } else {
            r.read_var_u32().map(u64::from)
        }
    };
    let min = read(r)?;
    let max = if flags & 0x01 != 0 { Some(read(r)?) } else { None };
    Ok((Limits { min, max }, flags))
}
