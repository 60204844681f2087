//! Type section: function types.

use crate::error::{Error, ErrorKind, Result};
use crate::reader::BinaryReader;
use crate::types::{FuncType, ValType};
use crate::Features;

pub(crate) fn read(r: &mut BinaryReader<'_>, f: &Features) -> Result<Vec<FuncType>> {
    let n = r.read_count()?;
    let mut types = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let at = r.offset();
        match r.read_u8()? {
            0x60 => {}
            // The form is a signed LEB128 byte: a continuation bit makes it too long.
            b if b & 0x80 != 0 => return Err(Error::new(ErrorKind::IntegerTooLong, at)),
            _ => return Err(Error::new(ErrorKind::MalformedFuncType, at)),
        }
        let params = read_val_types(r, f)?;
        let results = read_val_types(r, f)?;
        types.push(FuncType::new(params, results));
    }
    Ok(types)
}

fn read_val_types(r: &mut BinaryReader<'_>, f: &Features) -> Result<Vec<ValType>> {
    let n = r.read_count()?;
    (0..n).map(|_| ValType::read(r, f)).collect()
}
