//! Validation errors: the reference interpreter's wording, and where.

use wisp_decoder::ValType;

/// A validation error: a message worded as the reference interpreter words it, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Decode(#[from] wisp_decoder::Error),
    #[error("{message} (at offset {offset:#x})")]
    Invalid { message: String, offset: usize },
}

impl Error {
    #[cold]
    pub fn invalid(message: impl Into<String>, offset: usize) -> Self {
        Error::Invalid { message: message.into(), offset }
    }
    pub fn offset(&self) -> usize {
        match self {
            Error::Decode(e) => e.offset,
            Error::Invalid { offset, .. } => *offset,
        }
    }
    /// The message without the offset.
    pub fn message(&self) -> String {
        match self {
            Error::Decode(e) => e.message(),
            Error::Invalid { message, .. } => message.clone(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

// Error constructors live out of line so the hot paths that call them stay small.

#[cold]
#[inline(never)]
pub(crate) fn invalid(message: &'static str, offset: usize) -> Error {
    Error::invalid(message, offset)
}

/// "unknown <what> <index>": the reference interpreter names the index; the testsuite
/// matches on the prefix.
#[cold]
#[inline(never)]
pub(crate) fn unknown(what: &'static str, index: u32, offset: usize) -> Error {
    Error::invalid(format!("unknown {what} {index}"), offset)
}

/// A type mismatch; `found` is `None` when the operand stack had nothing to give.
#[cold]
#[inline(never)]
pub(crate) fn mismatch(expected: Option<ValType>, found: Option<ValType>, offset: usize) -> Error {
    let msg = match (expected, found) {
        (Some(e), Some(f)) => format!("type mismatch: expected {e}, found {f}"),
        (Some(e), None) => format!("type mismatch: expected {e}, but the operand stack is empty"),
        (None, Some(f)) => format!("type mismatch: unexpected {f}"),
        (None, None) => "type mismatch".to_string(),
    };
    Error::invalid(msg, offset)
}

#[cold]
#[inline(never)]
pub(crate) fn mismatch_msg(detail: &'static str, offset: usize) -> Error {
    Error::invalid(format!("type mismatch: {detail}"), offset)
}

#[cold]
#[inline(never)]
pub(crate) fn decode(kind: wisp_decoder::ErrorKind, offset: usize) -> Error {
    Error::Decode(wisp_decoder::Error::new(kind, offset))
}
