//! `wisp::Error`: everything that can go wrong, from bytes to a finished call.

use crate::trap::Trap;

/// The errors of wisp's API. Every one says what and where; none is ever a panic.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The bytes are not a well-formed module.
    #[error("malformed module: {0}")]
    Decode(#[from] wisp_decoder::Error),
    /// The module is well-formed but invalid.
    #[error("invalid module: {0}")]
    Validate(wisp_validator::Error),
    /// An import could not be resolved or has the wrong type.
    #[error("unlinkable: {0}")]
    Link(String),
    /// Instantiation failed (a segment out of bounds, a trap in `start`, ...).
    #[error("instantiation failed: {0}")]
    Instantiate(String),
    /// Wasm code trapped.
    #[error("{0}")]
    Trap(#[from] Trap),
    /// The guest asked to exit (WASI `proc_exit`) with this status.
    #[error("exited with code {0}")]
    Exit(i32),
    /// An export is missing or of another kind.
    #[error("unknown export: {0}")]
    UnknownExport(String),
    /// Wrong number or types of arguments or results.
    #[error("type mismatch: {0}")]
    Signature(String),
    /// A host function failed.
    #[error("host error: {0}")]
    Host(String),
    /// A handle used with a store it does not belong to, a dead instance, or a misuse.
    #[error("{0}")]
    Usage(String),
}

impl From<wisp_validator::Error> for Error {
    fn from(e: wisp_validator::Error) -> Self {
        match e {
            wisp_validator::Error::Decode(d) => Error::Decode(d),
            other => Error::Validate(other),
        }
    }
}

impl Error {
    /// Creates a host error, for host functions that fail.
    pub fn host(msg: impl std::fmt::Display) -> Self {
        Error::Host(msg.to_string())
    }

    /// The trap, when this error is one.
    pub fn as_trap(&self) -> Option<&Trap> {
        match self {
            Error::Trap(t) => Some(t),
            _ => None,
        }
    }

    /// The exit status, when the guest exited.
    pub fn exit_code(&self) -> Option<i32> {
        match self {
            Error::Exit(c) => Some(*c),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
