//! Data section, in its three encodings.

use crate::error::{Error, ErrorKind, Result};
use crate::reader::BinaryReader;
use crate::sections::globals::ConstExpr;
use crate::Features;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataKind<'a> {
    Passive,
    Active { memory: u32, offset: ConstExpr<'a> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Data<'a> {
    pub kind: DataKind<'a>,
    pub bytes: &'a [u8],
    pub offset: usize,
    /// The segment's encoding: 0 active in memory 0, 1 passive, 2 active with an explicit
    /// memory index.
    pub flags: u8,
}

pub(crate) fn read<'a>(r: &mut BinaryReader<'a>, f: &Features) -> Result<Vec<Data<'a>>> {
    let n = r.read_count()?;
    let mut data = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let offset = r.offset();
        let flags = r.read_var_u32()?;
        let kind = match flags {
            0 => DataKind::Active { memory: 0, offset: ConstExpr::read(r, f)? },
            1 if f.bulk_memory => DataKind::Passive,
            2 if f.bulk_memory || f.multi_memory => {
                let memory = r.read_var_u32()?;
                DataKind::Active { memory, offset: ConstExpr::read(r, f)? }
            }
            _ => return Err(Error::new(ErrorKind::MalformedDataKind, offset)),
        };
        let len = r.read_var_u32()? as usize;
        let bytes = r.read_bytes(len)?;
        data.push(Data { kind, bytes, offset, flags: flags as u8 });
    }
    Ok(data)
}
