//! Function section: the type index of each defined function.

use crate::error::Result;
use crate::reader::BinaryReader;

pub(crate) fn read(r: &mut BinaryReader<'_>) -> Result<Vec<u32>> {
    let n = r.read_count()?;
    (0..n).map(|_| r.read_var_u32()).collect()
}
