//! The module: its sections, read in order, with the binary format's cross-section rules.

use crate::error::{Error, ErrorKind, Result};
use crate::reader::BinaryReader;
use crate::sections::{self, code::FunctionBody, custom::CustomSection};
use crate::types::{FuncType, MemoryType, SubType, TableType};
use crate::{ConstExpr, Data, Element, Export, Features, Global, Import, Names};

/// The known section ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SectionId {
    Custom = 0,
    Type = 1,
    Import = 2,
    Function = 3,
    Table = 4,
    Memory = 5,
    Global = 6,
    Export = 7,
    Start = 8,
    Element = 9,
    Code = 10,
    Data = 11,
    DataCount = 12,
    Tag = 13,
}

impl SectionId {
    fn from_byte(b: u8) -> Option<SectionId> {
        use SectionId::*;
        Some(match b {
            0 => Custom,
            1 => Type,
            2 => Import,
            3 => Function,
            4 => Table,
            5 => Memory,
            6 => Global,
            7 => Export,
            8 => Start,
            9 => Element,
            10 => Code,
            11 => Data,
            12 => DataCount,
            13 => Tag,
            _ => return None,
        })
    }

    /// Where the section must stand; data count sits between element and code.
    fn order(self) -> u8 {
        use SectionId::*;
        match self {
            Custom => 0,
            Type => 1,
            Import => 2,
            Function => 3,
            Table => 4,
            Memory => 5,
            Tag => 6,
            Global => 7,
            Export => 8,
            Start => 9,
            Element => 10,
            DataCount => 11,
            Code => 12,
            Data => 13,
        }
    }
}

/// A decoded module. Everything borrows from the module's bytes.
#[derive(Debug, Clone, Default)]
pub struct Module<'a> {
    pub features: Features,
    /// Every type's parameters and results, in index order (empty for struct and array types).
    pub types: Vec<FuncType>,
    /// Every type's definition (same indices as `types`): its kind, finality, supertype and
    /// recursion group.
    pub sub_types: Vec<SubType>,
    /// Whether the type section writes GC's forms (`rec`, `sub`), even where they say no
    /// more than the plain form (a group of one type, `sub final` with no supertype).
    pub type_gc_forms: bool,
    pub imports: Vec<Import<'a>>,
    /// The type index of each function the module defines (not counting imports).
    pub functions: Vec<u32>,
    pub tables: Vec<TableType>,
    /// Each defined table's initial element expression, if it has one (typed references).
    pub table_inits: Vec<Option<ConstExpr<'a>>>,
    pub memories: Vec<MemoryType>,
    /// The type index of each tag the module defines (not counting imports).
    pub tags: Vec<u32>,
    pub globals: Vec<Global<'a>>,
    pub exports: Vec<Export<'a>>,
    pub start: Option<u32>,
    pub elements: Vec<Element<'a>>,
    pub data_count: Option<u32>,
    pub code: Vec<FunctionBody<'a>>,
    pub data: Vec<Data<'a>>,
    pub customs: Vec<CustomSection<'a>>,
    /// Counts of imports by kind, so index spaces are known without rescanning.
    pub num_imported_funcs: u32,
    pub num_imported_tables: u32,
    pub num_imported_memories: u32,
    pub num_imported_globals: u32,
    pub num_imported_tags: u32,
}

impl<'a> Module<'a> {
    /// Decodes a module with the default features (WebAssembly 2.0).
    pub fn parse(bytes: &'a [u8]) -> Result<Module<'a>> {
        Module::parse_with_features(bytes, Features::default())
    }

    pub fn parse_with_features(bytes: &'a [u8], features: Features) -> Result<Module<'a>> {
        let mut r = BinaryReader::new(bytes, 0);
        // A module cut short inside the header is "unexpected end", as the reference says.
        let magic = r.read_bytes(4).map_err(|_| Error::new(ErrorKind::UnexpectedEnd, bytes.len()))?;
        if magic != b"\0asm" {
            return Err(Error::new(ErrorKind::BadMagic, 0));
        }
        let version = r.read_bytes(4).map_err(|_| Error::new(ErrorKind::UnexpectedEnd, bytes.len()))?;
        if version != [1, 0, 0, 0] {
            return Err(Error::new(ErrorKind::BadVersion, 4));
        }

        let mut m = Module { features, ..Module::default() };
        let mut last_order = 0u8;
        let mut code_section_at = None;
        while !r.eof() {
            let id_at = r.offset();
            let id_byte = r.read_u8()?;
            let id = SectionId::from_byte(id_byte).ok_or_else(|| Error::new(ErrorKind::MalformedSectionId, id_at))?;
            let size = r.read_len()?;
            let mut s = r.sub_reader(size)?;
            if id != SectionId::Custom {
                if (id == SectionId::DataCount && !features.bulk_memory)
                    || (id == SectionId::Tag && !features.exceptions)
                {
                    return Err(Error::new(ErrorKind::MalformedSectionId, id_at));
                }
                if id.order() <= last_order {
                    return Err(Error::new(ErrorKind::SectionOutOfOrder, id_at));
                }
                last_order = id.order();
            }
            match id {
                SectionId::Custom => m.customs.push(sections::custom::read(&mut s)?),
                SectionId::Type => (m.types, m.sub_types, m.type_gc_forms) = sections::types::read(&mut s, &features)?,
                SectionId::Import => {
                    m.imports = sections::imports::read(&mut s, &features)?;
                    for imp in &m.imports {
                        match imp.ty {
                            crate::ImportType::Func(_) => m.num_imported_funcs += 1,
                            crate::ImportType::Table(_) => m.num_imported_tables += 1,
                            crate::ImportType::Memory(_) => m.num_imported_memories += 1,
                            crate::ImportType::Global(_) => m.num_imported_globals += 1,
                            crate::ImportType::Tag(_) => m.num_imported_tags += 1,
                        }
                    }
                }
                SectionId::Function => m.functions = sections::functions::read(&mut s)?,
                SectionId::Table => {
                    (m.tables, m.table_inits) = sections::tables::read(&mut s, &features)?.into_iter().unzip()
                }
                SectionId::Tag => m.tags = sections::tags::read(&mut s)?,
                SectionId::Memory => m.memories = sections::memories::read(&mut s, &features)?,
                SectionId::Global => m.globals = sections::globals::read(&mut s, &features)?,
                SectionId::Export => m.exports = sections::exports::read(&mut s, &features)?,
                SectionId::Start => m.start = Some(s.read_var_u32()?),
                SectionId::Element => m.elements = sections::elements::read(&mut s, &features)?,
                SectionId::DataCount => m.data_count = Some(s.read_var_u32()?),
                SectionId::Code => {
                    code_section_at = Some(id_at);
                    m.code = sections::code::read(&mut s, &features, m.data_count.is_some())?;
                }
                SectionId::Data => {
                    m.data = sections::data::read(&mut s, &features)?;
                    if let Some(n) = m.data_count {
                        if n as usize != m.data.len() {
                            return Err(Error::new(ErrorKind::DataCountMismatch, id_at));
                        }
                    }
                }
            }
            if !s.eof() {
                return Err(Error::new(ErrorKind::SectionSizeMismatch, s.offset()));
            }
        }
        // Checked once every section is read, so a repeated section is reported as such first.
        if m.code.len() != m.functions.len() {
            return Err(Error::new(ErrorKind::FuncCodeMismatch, code_section_at.unwrap_or(bytes.len())));
        }
        if let Some(n) = m.data_count {
            if n as usize != m.data.len() {
                return Err(Error::new(ErrorKind::DataCountMismatch, bytes.len()));
            }
        }
        Ok(m)
    }

    /// Total functions: imported then defined.
    pub fn num_funcs(&self) -> u32 {
        self.num_imported_funcs + self.functions.len() as u32
    }

    pub fn num_tables(&self) -> u32 {
        self.num_imported_tables + self.tables.len() as u32
    }

    pub fn num_memories(&self) -> u32 {
        self.num_imported_memories + self.memories.len() as u32
    }

    pub fn num_tags(&self) -> u32 {
        self.num_imported_tags + self.tags.len() as u32
    }

    pub fn num_globals(&self) -> u32 {
        self.num_imported_globals + self.globals.len() as u32
    }

    /// The custom section with this name, if any (the first one).
    pub fn custom(&self, name: &str) -> Option<&CustomSection<'a>> {
        self.customs.iter().find(|c| c.name == name)
    }

    /// Names from the `name` custom section. A malformed name section is ignored, as the spec
    /// says custom sections must not make a module fail.
    pub fn names(&self) -> Names<'a> {
        match self.custom("name") {
            Some(c) => Names::parse(c.data, c.data_offset).unwrap_or_default(),
            None => Names::default(),
        }
    }
}
