//! `wisp::Error`: everything that can go wrong, from bytes to a finished call.

use crate::trap::Trap;

/// A host function's error, kept with its type: [`Error::downcast_ref`] gets it back.
///
/// ```
/// #[derive(Debug)]
/// struct Denied;
/// impl std::fmt::Display for Denied {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("denied") }
/// }
/// impl std::error::Error for Denied {}
///
/// let engine = wisp::Engine::default();
/// let mut linker = wisp::Linker::new(&engine);
/// linker.func_wrap("host", "ask", || -> Result<i32, wisp::BoxError> { Err(Box::new(Denied)) })?;
/// let module = wisp::Module::new(&engine, r#"(module (import "host" "ask" (func $ask (result i32)))
///     (func (export "f") (result i32) (call $ask)))"#)?;
/// let mut store = wisp::Store::new(&engine, ());
/// let instance = linker.instantiate(&mut store, &module)?;
/// let err = instance.get_typed_func::<(), i32>(&store, "f")?.call(&mut store, ()).unwrap_err();
/// assert!(err.downcast_ref::<Denied>().is_some());
/// # Ok::<(), wisp::Error>(())
/// ```
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The errors of wisp's API. Every one says what and where; none is ever a panic.
///
/// Programs match the variants: a dead instance, guest memory out of bounds and a handle of
/// another store each have their own; `Usage` is left for the remaining misuse. More variants
/// may come, hence `#[non_exhaustive]`.
///
/// ```
/// let engine = wisp::Engine::default();
/// match wisp::Module::new(&engine, b"\0asm\x02\0\0\0") {
///     Err(e) => assert!(e.to_string().contains("version"), "{e}"),
///     Ok(_) => unreachable!("not version 1"),
/// }
/// let module = wisp::Module::new(&engine, r#"(module (func (export "f") unreachable))"#)?;
/// let mut store = wisp::Store::new(&engine, ());
/// let instance = wisp::Linker::new(&engine).instantiate(&mut store, &module)?;
/// let f = instance.get_typed_func::<(), ()>(&store, "f")?;
/// match f.call(&mut store, ()) {
///     Err(wisp::Error::Trap(trap)) => assert_eq!(trap.code(), wisp::TrapCode::Unreachable),
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not a well-formed module.
    #[error("malformed module: {0}")]
    Decode(#[from] wisp_decoder::Error),
    /// The module is in the text format and does not parse (or the `wat` feature is off).
    #[error("invalid text module: {0}")]
    Text(String),
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
    /// A Wasm exception that no handler caught: its tag and payload (see [`Exception`]). A host
    /// function that returns this error throws the exception into its Wasm caller.
    ///
    /// [`Exception`]: crate::Exception
    #[error("{0}")]
    Exception(Box<crate::tag::Exception>),
    /// The guest asked to exit (WASI `proc_exit`) with this status.
    #[error("exited with code {0}")]
    Exit(i32),
    /// An export is missing or of another kind.
    #[error("unknown export: {0}")]
    UnknownExport(String),
    /// Wrong number or types of arguments or results.
    #[error("type mismatch: {0}")]
    Signature(String),
    /// A host function failed; the error keeps its type (see [`Error::downcast_ref`]).
    #[error("host error: {0}")]
    Host(BoxError),
    /// The instance was retired ([`Instance::mark_dead`](crate::Instance::mark_dead)) for
    /// this reason; nothing ran.
    #[error("instance is dead: {0}")]
    Dead(String),
    /// The host read or wrote guest memory outside its bounds.
    #[error("out of bounds memory access: {len} bytes at offset {offset:#x} (memory size {size})")]
    MemoryOutOfBounds {
        /// First byte asked for.
        offset: u64,
        /// Number of bytes asked for.
        len: u64,
        /// The memory's size in bytes.
        size: u64,
    },
    /// A handle (function, memory, table, global, instance) used with a store it does not
    /// belong to.
    #[error("object used with a store it does not belong to")]
    WrongStore,
    /// The module is valid, but uses a feature that the configuration enables and wisp
    /// does not execute yet (`unsupported: operator call_ref (function-references)`).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// Another misuse of the API (a feature not enabled, a reactor called too early, ...).
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

/// A host error made of a message only.
#[derive(Debug)]
struct HostMessage(String);

impl std::fmt::Display for HostMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HostMessage {}

impl Error {
    /// Creates a host error from a message, for host functions that fail.
    pub fn host(msg: impl std::fmt::Display) -> Self {
        Error::Host(Box::new(HostMessage(msg.to_string())))
    }

    /// Wraps any error of a host function, keeping its type. A `wisp::Error` stays itself
    /// (so an exit or a trap raised by a host function keeps its meaning).
    pub fn from_host(e: impl Into<BoxError>) -> Self {
        match e.into().downcast::<Error>() {
            Ok(e) => *e,
            Err(other) => Error::Host(other),
        }
    }

    /// The host function's error, when this is one of type `E`.
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        match self {
            Error::Host(e) => e.downcast_ref::<E>(),
            _ => None,
        }
    }

    /// The host function's error of type `E`, or this error back.
    pub fn downcast<E: std::error::Error + 'static>(self) -> Result<E, Error> {
        match self {
            Error::Host(e) if e.is::<E>() => Ok(*e.downcast::<E>().expect("checked by `is`")),
            other => Err(other),
        }
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

    /// Why the instance is dead, when the call was refused for that.
    pub fn dead_reason(&self) -> Option<&str> {
        match self {
            Error::Dead(why) => Some(why),
            _ => None,
        }
    }

    pub(crate) fn oob(offset: impl TryInto<u64>, len: impl TryInto<u64>, size: usize) -> Self {
        Error::MemoryOutOfBounds {
            offset: offset.try_into().unwrap_or(u64::MAX),
            len: len.try_into().unwrap_or(u64::MAX),
            size: size as u64,
        }
    }
}

/// `Result` with wisp's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
