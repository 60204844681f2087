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
pub mod tags;
pub mod types;

use crate::error::{Error, ErrorKind, Result};
use crate::reader::BinaryReader;
use crate::types::Limits;

/// Limits of a table or memory. Flags: bit 0 has-max, bit 1 shared (threads, never accepted),
/// bit 2 64-bit indices (only with `allow64`, the memory64 proposal's tables and memories),
/// bit 3 a page size follows (only with `allow_page_size`, custom page sizes' memories).
/// Returns the limits and the flags.
pub(crate) fn read_limits(r: &mut BinaryReader<'_>, allow64: bool, allow_page_size: bool) -> Result<(Limits, u8)> {
    let at = r.offset();
    let flags = r.read_u8()?;
    let ok = match flags & !0x08 {
        0x00 | 0x01 => true,
        0x04 | 0x05 => allow64,
        _ => false,
    } && (flags & 0x08 == 0 || allow_page_size);
    if !ok {
        // WebAssembly 2.0's reference decoder reads the flag as a one-bit LEB128 and words its
        // errors that way; from memory64 on it is a flags byte.
        let kind = if allow64 {
            ErrorKind::MalformedLimits
        } else if flags & 0x80 != 0 {
            ErrorKind::IntegerTooLong
        } else {
            ErrorKind::IntegerTooLarge
        };
        let kind = if allow_page_size { ErrorKind::MalformedLimits } else { kind };
        return Err(Error::new(kind, at));
    }
    // WebAssembly 3.0 encodes every limit as a u64, also a 32-bit memory's or table's (the
    // validator then holds it to its range); 2.0, without memory64, as a u32: a 32-bit limit
    // in a six-byte LEB128 is well-formed only with memory64 on (as wasmparser reads it).
    let wide = allow64;
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

/// The page size of a memory with custom page sizes, as log2 of its bytes. Which sizes are
/// allowed (1 and 64 KiB) is the validator's rule; one that cannot be a size of a 64-bit
/// address space is malformed.
pub(crate) fn read_page_size(r: &mut BinaryReader<'_>) -> Result<u8> {
    let at = r.offset();
    let log2 = r.read_var_u32()?;
    if log2 > 64 {
        return Err(Error::new(ErrorKind::Other("malformed custom page size"), at));
    }
    Ok(log2 as u8)
}
