//! Traps: why a Wasm execution stopped, where, and the call stack that led there.

use std::fmt;

/// The reason for a trap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrapCode {
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    IndirectCallToNull,
    BadSignature,
    IntegerDivideByZero,
    IntegerOverflow,
    BadConversionToInteger,
    StackOverflow,
    UninitializedElement,
    /// `call_indirect` past the end of its table.
    UndefinedElement,
    OutOfFuel,
    Interrupted,
}

impl TrapCode {
    /// The reference interpreter's wording, used by the spec tests.
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::IndirectCallToNull => "uninitialized element",
            TrapCode::BadSignature => "indirect call type mismatch",
            TrapCode::IntegerDivideByZero => "integer divide by zero",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::BadConversionToInteger => "invalid conversion to integer",
            TrapCode::StackOverflow => "call stack exhausted",
            TrapCode::UninitializedElement => "uninitialized element",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::OutOfFuel => "all fuel consumed",
            TrapCode::Interrupted => "interrupted",
        }
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// One frame of a trap's backtrace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameInfo {
    /// Index in the module's function index space.
    pub func_index: u32,
    /// From the module's name section, when it has one.
    pub func_name: Option<String>,
}

/// A trap: its code and the Wasm frames active when it happened, innermost first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trap {
    code: TrapCode,
    backtrace: Vec<FrameInfo>,
}

impl Trap {
    pub(crate) fn new(code: TrapCode) -> Self {
        Trap { code, backtrace: Vec::new() }
    }

    pub(crate) fn with_backtrace(code: TrapCode, backtrace: Vec<FrameInfo>) -> Self {
        Trap { code, backtrace }
    }

    pub fn code(&self) -> TrapCode {
        self.code
    }

    pub fn backtrace(&self) -> &[FrameInfo] {
        &self.backtrace
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wasm trap: {}", self.code)?;
        for (i, fr) in self.backtrace.iter().enumerate() {
            match &fr.func_name {
                Some(n) => write!(f, "\n  {i}: func[{}] {n}", fr.func_index)?,
                None => write!(f, "\n  {i}: func[{}]", fr.func_index)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for Trap {}
