//! Tag section (exception handling): each tag's type, a function type index.

use crate::error::{Error, ErrorKind, Result};
use crate::reader::BinaryReader;

/// A tag type: attribute 0 (exception), then the type index.
pub(crate) fn read_tag_type(r: &mut BinaryReader<'_>) -> Result<u32> {
    let at = r.offset();
    if r.read_u8()? != 0 {
        return Err(Error::new(ErrorKind::Other("malformed tag attribute"), at));
    }
    r.read_var_u32()
}

pub(crate) fn read(r: &mut BinaryReader<'_>) -> Result<Vec<u32>> {
    let n = r.read_count()?;
    (0..n).map(|_| read_tag_type(r)).collect()
}
