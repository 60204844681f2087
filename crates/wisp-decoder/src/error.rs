//! Decoding errors: what went wrong and at which byte offset of the module.

use std::fmt;

/// A decoding error with the byte offset (from the start of the module) where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} (at offset {offset:#x})")]
pub struct Error {
    pub kind: ErrorKind,
    pub offset: usize,
}

impl Error {
    #[cold]
    pub fn new(kind: ErrorKind, offset: usize) -> Self {
        Error { kind, offset }
    }

    /// The message alone, worded as the reference interpreter words it where it has one.
    pub fn message(&self) -> String {
        self.kind.to_string()
    }
}

/// What kind of malformation was found. Messages follow the spec's reference interpreter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    #[error("unexpected end")]
    UnexpectedEnd,
    #[error("unexpected end of section or function")]
    UnexpectedEndOfSection,
    #[error("integer representation too long")]
    IntegerTooLong,
    #[error("integer too large")]
    IntegerTooLarge,
    #[error("magic header not detected")]
    BadMagic,
    #[error("unknown binary version")]
    BadVersion,
    #[error("malformed section id")]
    MalformedSectionId,
    #[error("section size mismatch")]
    SectionSizeMismatch,
    #[error("unexpected content after last section")]
    SectionOutOfOrder,
    #[error("malformed UTF-8 encoding")]
    MalformedUtf8,
    #[error("function and code section have inconsistent lengths")]
    FuncCodeMismatch,
    #[error("data count and data section have inconsistent lengths")]
    DataCountMismatch,
    #[error("data count section required")]
    DataCountRequired,
    #[error("too many locals")]
    TooManyLocals,
    #[error("malformed value type")]
    MalformedValType,
    #[error("malformed reference type")]
    MalformedRefType,
    #[error("malformed import kind")]
    MalformedImportKind,
    #[error("malformed export kind")]
    MalformedExportKind,
    #[error("malformed mutability")]
    MalformedMutability,
    #[error("malformed limits flags")]
    MalformedLimits,
    #[error("malformed elements segment kind")]
    MalformedElemKind,
    #[error("malformed data segment kind")]
    MalformedDataKind,
    #[error("malformed functype")]
    MalformedFuncType,
    #[error("zero byte expected")]
    ZeroByteExpected,
    #[error("illegal opcode {0}")]
    IllegalOpcode(OpcodeDisplay),
    #[error("invalid result arity")]
    InvalidResultArity,
    #[error("END opcode expected")]
    EndExpected,
    #[error("length out of bounds")]
    LengthOutOfBounds,
    #[error("malformed memop flags")]
    MalformedMemopFlags,
    #[error("{0}")]
    Other(&'static str),
}

/// An opcode as printed in errors: `0x1b` or `0xfc 0x20`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpcodeDisplay(pub u32);

impl fmt::Display for OpcodeDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 > 0xff {
            write!(f, "{:#x} {:#x}", self.0 >> 24, self.0 & 0x00ff_ffff)
        } else {
            write!(f, "{:#x}", self.0)
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
