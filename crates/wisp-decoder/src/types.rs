//! The value, reference, function, table, memory and global types of the binary format.

use crate::error::{ErrorKind, Result};
use crate::reader::BinaryReader;
use crate::Features;
use std::fmt;

/// A heap type: what a reference points to. The abstract ones are named by their one-byte
/// codes; a concrete one is a type index (typed function references).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HeapType {
    Func,
    Extern,
    Any,
    Eq,
    I31,
    Struct,
    Array,
    Exn,
    NoFunc,
    NoExtern,
    None,
    NoExn,
    Concrete(u32),
}

/// Which proposal a heap type came with ([`HeapType::introduced_by`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HeapTypeOrigin {
    Mvp,
    Exceptions,
    FunctionReferences,
    Gc,
}

impl HeapType {
    /// The abstract heap type with this one-byte code.
    pub fn from_abstract_byte(b: u8) -> Option<HeapType> {
        Some(match b {
            0x70 => HeapType::Func,
            0x6f => HeapType::Extern,
            0x6e => HeapType::Any,
            0x6d => HeapType::Eq,
            0x6c => HeapType::I31,
            0x6b => HeapType::Struct,
            0x6a => HeapType::Array,
            0x69 => HeapType::Exn,
            0x73 => HeapType::NoFunc,
            0x72 => HeapType::NoExtern,
            0x71 => HeapType::None,
            0x74 => HeapType::NoExn,
            _ => return None,
        })
    }

    /// The one-byte code of an abstract heap type (`None` for a concrete one).
    pub const fn abstract_byte(self) -> Option<u8> {
        Some(match self {
            HeapType::Func => 0x70,
            HeapType::Extern => 0x6f,
            HeapType::Any => 0x6e,
            HeapType::Eq => 0x6d,
            HeapType::I31 => 0x6c,
            HeapType::Struct => 0x6b,
            HeapType::Array => 0x6a,
            HeapType::Exn => 0x69,
            HeapType::NoFunc => 0x73,
            HeapType::NoExtern => 0x72,
            HeapType::None => 0x71,
            HeapType::NoExn => 0x74,
            HeapType::Concrete(_) => return None,
        })
    }

    /// The proposal that introduced this heap type: what the features must switch on to name
    /// it, and what `wisp inspect` reports a module using it needs.
    pub(crate) fn introduced_by(self) -> HeapTypeOrigin {
        match self {
            HeapType::Func | HeapType::Extern => HeapTypeOrigin::Mvp,
            HeapType::Exn | HeapType::NoExn => HeapTypeOrigin::Exceptions,
            HeapType::Concrete(_) => HeapTypeOrigin::FunctionReferences,
            // The bottom types `nofunc` and `noextern` came with GC, not with typed function
            // references (whose proposal has only `func`, `extern` and type indices).
            HeapType::NoFunc
            | HeapType::NoExtern
            | HeapType::Any
            | HeapType::Eq
            | HeapType::I31
            | HeapType::Struct
            | HeapType::Array
            | HeapType::None => HeapTypeOrigin::Gc,
        }
    }

    /// Whether the features allow naming this heap type.
    fn enabled(self, f: &Features) -> bool {
        match self.introduced_by() {
            // A 1.0 table's element type is `funcref` too; value types check `reference_types`.
            HeapTypeOrigin::Mvp => true,
            HeapTypeOrigin::Exceptions => f.exceptions,
            HeapTypeOrigin::FunctionReferences => f.function_references,
            HeapTypeOrigin::Gc => f.gc,
        }
    }

    /// Reads a heap type: an abstract code or a non-negative s33 type index.
    pub(crate) fn read(r: &mut BinaryReader<'_>, f: &Features) -> Result<HeapType> {
        let at = r.offset();
        let b = r.peek_u8()?;
        if let Some(h) = HeapType::from_abstract_byte(b) {
            r.read_u8()?;
            if !h.enabled(f) {
                return Err(crate::Error::new(ErrorKind::MalformedRefType, at));
            }
            return Ok(h);
        }
        let idx = r.read_var_s33()?;
        if idx < 0 || !f.function_references {
            return Err(crate::Error::new(ErrorKind::MalformedRefType, at));
        }
        Ok(HeapType::Concrete(idx as u32))
    }
}

impl fmt::Display for HeapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HeapType::Func => "func",
            HeapType::Extern => "extern",
            HeapType::Any => "any",
            HeapType::Eq => "eq",
            HeapType::I31 => "i31",
            HeapType::Struct => "struct",
            HeapType::Array => "array",
            HeapType::Exn => "exn",
            HeapType::NoFunc => "nofunc",
            HeapType::NoExtern => "noextern",
            HeapType::None => "none",
            HeapType::NoExn => "noexn",
            HeapType::Concrete(i) => return write!(f, "{i}"),
        })
    }
}

/// A reference type. Wasm 2.0's two (nullable `func` and `extern`) have their own variants,
/// which every engine path that predates typed references matches on; every other reference
/// type is `Typed`. [`RefType::new`] keeps the two forms from overlapping, so equality is
/// type identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefType {
    FuncRef,
    ExternRef,
    /// Any other reference type (never a nullable `func` or `extern`).
    Typed {
        nullable: bool,
        heap: HeapType,
    },
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

    /// Whether a local of this type starts with a default value (non-nullable references
    /// have none, so such a local must be set before it is read).
    pub fn is_defaultable(self) -> bool {
        match self {
            ValType::Ref(r) => r.nullable(),
            _ => true,
        }
    }

    /// Decodes a value type from its one-byte encoding (numeric types, `v128`, and the
    /// shorthands `funcref` and `externref`).
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

    /// Whether `b` starts a value type (so a block type starting with it is not an index).
    pub(crate) fn starts_val_type(b: u8) -> bool {
        ValType::from_byte(b).is_some() || HeapType::from_abstract_byte(b).is_some() || b == 0x63 || b == 0x64
    }

    pub(crate) fn read(r: &mut BinaryReader<'_>, features: &Features) -> Result<ValType> {
        let at = r.offset();
        let b = r.peek_u8()?;
        match b {
            0x7c..=0x7f => {
                r.read_u8()?;
                Ok(ValType::from_byte(b).unwrap_or(ValType::I32))
            }
            0x7b if features.simd => {
                r.read_u8()?;
                Ok(ValType::V128)
            }
            _ => match RefType::read(r, features) {
                Ok(t) if features.reference_types => Ok(ValType::Ref(t)),
                Ok(_) | Err(_) => Err(crate::Error::new(ErrorKind::MalformedValType, at)),
            },
        }
    }
}

impl RefType {
    /// The reference type `(ref null? heap)`, in its canonical variant.
    pub const fn new(nullable: bool, heap: HeapType) -> RefType {
        match (nullable, heap) {
            (true, HeapType::Func) => RefType::FuncRef,
            (true, HeapType::Extern) => RefType::ExternRef,
            _ => RefType::Typed { nullable, heap },
        }
    }

    pub const fn nullable(self) -> bool {
        match self {
            RefType::FuncRef | RefType::ExternRef => true,
            RefType::Typed { nullable, .. } => nullable,
        }
    }

    pub const fn heap(self) -> HeapType {
        match self {
            RefType::FuncRef => HeapType::Func,
            RefType::ExternRef => HeapType::Extern,
            RefType::Typed { heap, .. } => heap,
        }
    }

    /// The same reference type, nullable or not.
    pub const fn with_nullable(self, nullable: bool) -> RefType {
        RefType::new(nullable, self.heap())
    }

    /// Reads a reference type: `0x63 ht` (nullable), `0x64 ht` (non-null), or an abstract
    /// heap type's one-byte shorthand (nullable).
    pub(crate) fn read(r: &mut BinaryReader<'_>, f: &Features) -> Result<RefType> {
        let at = r.offset();
        let b = r.read_u8()?;
        let t = match b {
            0x63 | 0x64 if f.function_references => RefType::new(b == 0x63, HeapType::read(r, f)?),
            _ => match HeapType::from_abstract_byte(b) {
                Some(h) if h.enabled(f) => RefType::new(true, h),
                _ => return Err(crate::Error::new(ErrorKind::MalformedRefType, at)),
            },
        };
        Ok(t)
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefType::FuncRef => f.write_str("funcref"),
            RefType::ExternRef => f.write_str("externref"),
            RefType::Typed { nullable: true, heap } => write!(f, "(ref null {heap})"),
            RefType::Typed { nullable: false, heap } => write!(f, "(ref {heap})"),
        }
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
    /// Addressed with `i64` (memory64's 64-bit tables).
    pub table64: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemoryType {
    pub limits: Limits,
    pub memory64: bool,
    pub shared: bool,
    /// log2 of the page size when the module gives one (custom page sizes: 0 or 16).
    pub page_size_log2: Option<u8>,
}

impl MemoryType {
    /// log2 of the page size in bytes (16 unless the module says otherwise).
    pub fn page_size_log2(&self) -> u32 {
        self.page_size_log2.map_or(16, u32::from)
    }
}

/// A storage type of a struct field or array element (GC's type section forms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StorageType {
    I8,
    I16,
    Val(ValType),
}

/// A struct field or array element: its storage type and mutability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldType {
    pub storage: StorageType,
    pub mutable: bool,
}

/// What a type definition describes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CompositeType {
    /// Its parameters and results are the module's `types` entry at the same index.
    Func,
    Struct(Box<[FieldType]>),
    Array(FieldType),
}

/// A type definition with its place in the type system: finality, declared supertype, and
/// the recursion group it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubType {
    pub is_final: bool,
    pub supertype: Option<u32>,
    pub composite: CompositeType,
    /// Index of the first type of its recursion group, and the group's size.
    pub rec_start: u32,
    pub rec_len: u32,
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
    Tag,
}

impl fmt::Display for ExternKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExternKind::Func => "func",
            ExternKind::Table => "table",
            ExternKind::Memory => "memory",
            ExternKind::Global => "global",
            ExternKind::Tag => "tag",
        })
    }
}
