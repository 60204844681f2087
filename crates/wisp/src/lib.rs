//! wisp: a WebAssembly interpreter for embedding in Rust programs.
//!
//! The API mirrors wasmtime's and wasmi's: an [`Engine`] compiles [`Module`]s, a [`Store`]
//! holds instances and the host's data `T`, a [`Linker`] resolves imports (host functions
//! written as Rust closures, which get a [`Caller`]), and an [`Instance`] hands out exported
//! [`Func`]s, [`Memory`]s, [`Table`]s and [`Global`]s. Every failure is an [`Error`] value:
//! no input, however malformed, panics the host.
//!
//! ```
//! let engine = wisp::Engine::default();
//! // Binary modules, or the text format (default feature `wat`).
//! let module = wisp::Module::new(&engine, r#"(module
//!     (import "host" "double" (func $double (param i32) (result i32)))
//!     (func (export "add") (param i32 i32) (result i32)
//!       (call $double (i32.add (local.get 0) (local.get 1)))))"#)?;
//! let mut store = wisp::Store::new(&engine, 0u32); // the host's data: a call counter
//! let mut linker = wisp::Linker::new(&engine);
//! linker.func_wrap("host", "double", |mut caller: wisp::Caller<'_, u32>, x: i32| {
//!     *caller.data_mut() += 1;
//!     x * 2
//! })?;
//! let instance = linker.instantiate(&mut store, &module)?;
//! let add = instance.get_typed_func::<(i32, i32), i32>(&store, "add")?;
//! assert_eq!(add.call(&mut store, (1, 2))?, 6);
//! assert_eq!(*store.data(), 1);
//! # Ok::<(), wisp::Error>(())
//! ```
//!
//! Fuel ([`Config::consume_fuel`], [`Store::set_fuel`]), interruption from another thread
//! ([`Config::interruptible`], [`InterruptHandle`]) and per-call deadlines
//! ([`Store::set_timeout`]) bound what a guest may run; a [`ResourceLimiter`] bounds its
//! memories and tables. For reactors (Go's `-buildmode=c-shared`): [`Instance::initialize_reactor`],
//! the guest memory helpers on [`Memory`] and [`GuestAlloc`]; the WASI side, with a guide to
//! hosting Go plugins, is the `wisp-wasi` crate.

#![deny(missing_docs)]
// `unsafe` lives in the executor (`exec/`) and in the store's raw memory and globals; every
// operation sits in its own `unsafe` block with a `// SAFETY:` comment, also inside `unsafe fn`s.
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

mod engine;
mod error;
mod exec;
mod fuel;
mod func;
mod global;
mod instance;
mod interrupt;
/// wisp's internal bytecode: for wisp's own tests and tools (feature `internals`), not an API.
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod isa;
#[cfg(not(feature = "internals"))]
mod isa;
mod limits;
mod linear;
mod linker;
mod memory;
mod module;
#[cfg(feature = "op-profile")]
pub mod op_profile;
mod reactor;
mod snapshot;
mod store;
mod table;
mod tag;
mod translate;
mod trap;
mod value;

pub use engine::{CompilationMode, Config, Dispatch, Engine};
pub use error::{BoxError, Error, Result};
pub use func::{Caller, Func, HostReturn, IntoFunc, TypedFunc, WasmParams, WasmResults, WasmTy};
pub use global::Global;
pub use instance::{Extern, Instance};
pub use interrupt::InterruptHandle;
pub use limits::{
    ResourceLimiter, StoreLimits, StoreLimitsBuilder, DEFAULT_INSTANCE_LIMIT, DEFAULT_MEMORY_LIMIT, DEFAULT_TABLE_LIMIT,
};
pub use linker::Linker;
pub use memory::Memory;
pub use module::{wat_to_wasm, ExternType, ImportDesc, Module};
#[doc(hidden)]
pub use reactor::align_up as reactor_align_up;
pub use reactor::{
    pack_ptr_len, unpack_ptr_len, DecodeError, GuestAlloc, GuestBuf, GuestValue, StoreCounts, INITIALIZE, START,
};
pub use snapshot::Snapshot;
pub use store::{AsContext, AsContextMut, Store};
pub use table::Table;
pub use tag::{Exception, ExnRef, Tag};
pub use trap::{BacktraceDisplay, FrameInfo, Trap, TrapCode};
pub use value::{AnyRef, ExternRef, Val};
pub use wisp_decoder::{Features, FuncType, GlobalType, Limits, MemoryType, RefType, TableType, ValType};

// Modules and engines are shared between threads; a store moves to another thread with its data.
const _: () = {
    const fn send_sync<X: Send + Sync>() {}
    const fn send<X: Send>() {}
    send_sync::<Engine>();
    send_sync::<Module>();
    send_sync::<Config>();
    send_sync::<Snapshot>();
    send::<Store<()>>();
    send::<Instance>();
    send::<StoreLimits>();
};

/// `Store<T>` is `Send` for every `T: Send`.
#[allow(dead_code)]
fn store_is_send<T: Send>(store: Store<T>) -> impl Send {
    store
}
