//! The value, reference, function, table, memory and global types of the binary format.

use crate::error::{ErrorKind, Result};
use crate::reader::BinaryReader;
use crate::Features;
use std::fmt;

/// A reference type. Wasm 2.0 has two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefType {
    FuncRef,
    ExternRef,
}

/// A value type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    Ref(RefType),
}

impl ValType {
    pub const FUNCREF: ValType = ValType::Ref(RefType::FuncRef);
    pub const EXTERNREF: ValType = ValType::Ref(RefType::ExternRef);

    pub fn is_ref(self) -> bool {
        matches!(self, ValType::Ref(_))
    }

    /// Decodes a value type from its one-byte encoding.
    #[inline]
    pub fn from_byte(b: u8) -> Option<ValType> {
        Some(match b {
            0x7f => ValType::I32,
            0x7e => ValType::I64,
            0x7d => ValType::F32,
            0x7c => ValType::F64,
            0x7b => ValType::V128,
            0x70 => ValType::FUNCREF,
            0x6f => ValType::EXTERNREF,
            _ => return None,
        })
    }

    pub(crate) fn read(r: &mut BinaryReader<'_>, features: &Features) -> Result<ValType> {
        let at = r.offset();
        let b = r.read_u8()?;
        match ValType::from_byte(b) {
            Some(ValType::V128) if !features.simd => Err(crate::Error::new(ErrorKind::MalformedValType, at)),
            Some(ValType::Ref(_)) if !features.reference_types => {
                Err(crate::Error::new(ErrorKind::MalformedValType, at))
            }
            Some(t) => Ok(t),
            None => Err(crate::Error::new(ErrorKind::MalformedValType, at)),
        }
    }
}

impl RefType {
    pub(crate) fn read(r: &mut BinaryReader<'_>) -> Result<RefType> {
        let at = r.offset();
        match r.read_u8()? {
            0x70 => Ok(RefType::FuncRef),
            0x6f => Ok(RefType::ExternRef),
            _ => Err(crate::Error::new(ErrorKind::MalformedRefType, at)),
        }
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RefType::FuncRef => "funcref",
            RefType::ExternRef => "externref",
        })
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValType::I32 => f.write_str("i32"),
            ValType::I64 => f.write_str("i64"),
            ValType::F32 => f.write_str("f32"),
            ValType::F64 => f.write_str("f64"),
            ValType::V128 => f.write_str("v128"),
            ValType::Ref(r) => r.fmt(f),
        }
    }
}

/// A function type: parameters then results, in one allocation.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FuncType {
    types: Box<[ValType]>,
    num_params: usize,
}

impl FuncType {
    pub fn new(params: impl IntoIterator<Item = ValType>, results: impl IntoIterator<Item = ValType>) -> Self {
        let mut types: Vec<ValType> = params.into_iter().collect();
        let num_params = types.len();
        types.extend(results);
        FuncType { types: types.into_boxed_slice(), num_params }
    }

    #[inline]
    pub fn params(&self) -> &[ValType] {
        &self.types[..self.num_params]
    }

    #[inline]
    pub fn results(&self) -> &[ValType] {
        &self.types[self.num_params..]
    }
}

impl fmt::Debug for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (i, t) in self.params().iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{t}")?;
        }
        f.write_str(") -> (")?;
        for (i, t) in self.results().iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{t}")?;
        }
        f.write_str(")")
    }
}

/// Size limits of a table or memory (in elements or pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    pub min: u64,
    pub max: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TableType {
    pub element: RefType,
    pub limits: Limits,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemoryType {
    pub limits: Limits,
    pub memory64: bool,
    pub shared: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GlobalType {
    pub content: ValType,
    pub mutable: bool,
}

/// The type of a block, loop or if.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockType {
    Empty,
    Value(ValType),
    /// An index into the type section (multi-value).
    FuncType(u32),
}

/// The immediate of a load or store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemArg {
    /// log2 of the alignment hint.
    pub align: u32,
    pub offset: u64,
    pub memory: u32,
}

/// The kind of thing an import or export names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExternKind {
    Func,
    Table,
    Memory,
    Global,
}

impl fmt::Display for ExternKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExternKind::Func => "func",
            ExternKind::Table => "table",
            ExternKind::Memory => "memory",
            ExternKind::Global => "global",
        })
    }
}
