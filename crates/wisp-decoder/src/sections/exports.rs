//! Export section.

use crate::error::{Error, ErrorKind, Result};
use crate::reader::BinaryReader;
use crate::types::ExternKind;
use crate::Features;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Export<'a> {
    pub name: &'a str,
    pub kind: ExternKind,
    pub index: u32,
    pub offset: usize,
}

pub(crate) fn read<'a>(r: &mut BinaryReader<'a>, f: &Features) -> Result<Vec<Export<'a>>> {
    let n = r.read_count()?;
    let mut exports = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let offset = r.offset();
        let name = r.read_name()?;
        let at = r.offset();
        let kind = match r.read_u8()? {
            0 => ExternKind::Func,
            1 => ExternKind::Table,
            2 => ExternKind::Memory,
            3 => ExternKind::Global,
            4 if f.exceptions => ExternKind::Tag,
            _ => return Err(Error::new(ErrorKind::MalformedExportKind, at)),
        };
        let index = r.read_var_u32()?;
        exports.push(Export { name, kind, index, offset });
    }
    Ok(exports)
}
