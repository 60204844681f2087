//! Where an execution engine plugs into the runner.
//!
//! The runner itself only decodes and validates. Everything that needs a running module
//! (instantiate, register, invoke, get) goes through [`Backend`]; a backend that cannot do
//! something answers [`BackendError::Unsupported`] and the directive counts as skipped.
//! [`NoExecution`] answers that to everything, which is what the runner uses until the
//! interpreter implements the trait.

use std::fmt;

/// A WebAssembly value crossing the harness boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    I32(i32),
    I64(i64),
    /// The bit pattern, so NaN payloads survive.
    F32(u32),
    /// The bit pattern.
    F64(u64),
    V128(u128),
    /// `None` is the null reference; `Some` carries an opaque identity chosen by the backend.
    FuncRef(Option<u32>),
    /// `None` is the null reference; `Some(n)` is the host value `ref.extern n`.
    ExternRef(Option<u32>),
    /// The null of the `exn` hierarchy (`ref.null exn`, `ref.null noexn`).
    ExnNull,
    /// The null of the `any` hierarchy (`ref.null any`, `ref.null none`, `ref.null struct`, ...).
    AnyNull,
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::I32(v) => write!(f, "i32:{v}"),
            Value::I64(v) => write!(f, "i64:{v}"),
            Value::F32(b) => write!(f, "f32:{} ({b:#010x})", f32::from_bits(*b)),
            Value::F64(b) => write!(f, "f64:{} ({b:#018x})", f64::from_bits(*b)),
            Value::V128(b) => write!(f, "v128:{b:#034x}"),
            Value::FuncRef(None) => f.write_str("ref.null func"),
            Value::FuncRef(Some(_)) => f.write_str("ref.func"),
            Value::ExternRef(None) => f.write_str("ref.null extern"),
            Value::ExternRef(Some(n)) => write!(f, "ref.extern {n}"),
            Value::ExnNull => f.write_str("ref.null exn"),
            Value::AnyNull => f.write_str("ref.null any"),
        }
    }
}

/// Why a backend operation did not produce a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendError {
    /// The backend cannot do this (yet): the directive is skipped, neither passed nor failed.
    Unsupported,
    /// Instantiation failed while resolving imports (`assert_unlinkable` expects this).
    Link(String),
    /// Execution trapped, in a call or in instantiation (segments, `start`).
    Trap(String),
    /// The call stack or another resource ran out (`assert_exhaustion` expects this).
    Exhausted(String),
    /// A Wasm exception left the call uncaught (`assert_exception` expects this).
    Exception(String),
    /// Anything else, e.g. an unknown export or instance name: always a failure.
    Other(String),
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackendError::Unsupported => f.write_str("unsupported by the backend"),
            BackendError::Link(m) => write!(f, "link error: {m}"),
            BackendError::Trap(m) => write!(f, "trap: {m}"),
            BackendError::Exhausted(m) => write!(f, "exhaustion: {m}"),
            BackendError::Exception(m) => write!(f, "exception: {m}"),
            BackendError::Other(m) => f.write_str(m),
        }
    }
}

/// An execution engine driven by a `.wast` script. One backend value lives for one script.
///
/// Instances are named by the script's `$id`s (without the `$`); `None` means the most recently
/// instantiated module. The backend provides the `spectest` module the testsuite imports from
/// (`print*` functions, `global_i32` = 666, `global_i64` = 666, `global_f32` = 666.6,
/// `global_f64` = 666.6, `table` of 10..20 funcref, `memory` of 1..2 pages).
pub trait Backend {
    /// Instantiates a module the runner has already decoded and validated, running its start
    /// function, and makes it the current instance (also under `name`, when given).
    fn instantiate(&mut self, bytes: &[u8], name: Option<&str>) -> Result<(), BackendError>;

    /// Makes the exports of `instance` importable under the module name `as_name`.
    fn register(&mut self, as_name: &str, instance: Option<&str>) -> Result<(), BackendError>;

    /// Calls the exported function `func` of `instance` with `args`.
    fn invoke(&mut self, instance: Option<&str>, func: &str, args: &[Value]) -> Result<Vec<Value>, BackendError>;

    /// Reads the exported global `global` of `instance`.
    fn get(&mut self, instance: Option<&str>, global: &str) -> Result<Value, BackendError>;
}

/// The backend for validation-only runs: every execution directive is skipped.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoExecution;

impl Backend for NoExecution {
    fn instantiate(&mut self, _: &[u8], _: Option<&str>) -> Result<(), BackendError> {
        Err(BackendError::Unsupported)
    }

    fn register(&mut self, _: &str, _: Option<&str>) -> Result<(), BackendError> {
        Err(BackendError::Unsupported)
    }

    fn invoke(&mut self, _: Option<&str>, _: &str, _: &[Value]) -> Result<Vec<Value>, BackendError> {
        Err(BackendError::Unsupported)
    }

    fn get(&mut self, _: Option<&str>, _: &str) -> Result<Value, BackendError> {
        Err(BackendError::Unsupported)
    }
}
