//! Import section.

use crate::error::{Error, ErrorKind, Result};
use crate::reader::BinaryReader;
use crate::types::{ExternKind, GlobalType, MemoryType, TableType};
use crate::Features;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportType {
    /// A function, by type index.
    Func(u32),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
    /// A tag (exception handling), by type index.
    Tag(u32),
}

impl ImportType {
    pub fn kind(&self) -> ExternKind {
        match self {
            ImportType::Func(_) => ExternKind::Func,
            ImportType::Table(_) => ExternKind::Table,
            ImportType::Memory(_) => ExternKind::Memory,
            ImportType::Global(_) => ExternKind::Global,
            ImportType::Tag(_) => ExternKind::Tag,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Import<'a> {
    pub module: &'a str,
    pub name: &'a str,
    pub ty: ImportType,
    /// Offset of the import entry in the module.
    pub offset: usize,
}

pub(crate) fn read<'a>(r: &mut BinaryReader<'a>, f: &Features) -> Result<Vec<Import<'a>>> {
    let n = r.read_count()?;
    let mut imports = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let offset = r.offset();
        let module = r.read_name()?;
        let name = r.read_name()?;
        let at = r.offset();
        let ty = match r.read_u8()? {
            0x00 => ImportType::Func(r.read_var_u32()?),
            0x01 => ImportType::Table(super::tables::read_table_type(r, f)?),
            0x02 => ImportType::Memory(super::memories::read_memory_type(r, f)?),
            0x03 => ImportType::Global(super::globals::read_global_type(r, f)?),
            0x04 if f.exceptions => ImportType::Tag(super::tags::read_tag_type(r)?),
            _ => return Err(Error::new(ErrorKind::MalformedImportKind, at)),
        };
        imports.push(Import { module, name, ty, offset });
    }
    Ok(imports)
}
