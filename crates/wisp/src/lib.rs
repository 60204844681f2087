//! wisp: a WebAssembly interpreter for embedding in Rust programs.
//!
//! ```ignore
//! let engine = wisp::Engine::default();
//! let module = wisp::Module::new(&engine, &bytes)?;
//! let mut store = wisp::Store::new(&engine, ());
//! let linker = wisp::Linker::new(&engine);
//! let instance = linker.instantiate(&mut store, &module)?;
//! let add = instance.get_typed_func::<(i32, i32), i32>(&store, "add")?;
//! assert_eq!(add.call(&mut store, (1, 2))?, 3);
//! ```

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
mod linker;
mod memory;
mod module;
#[cfg(feature = "op-profile")]
pub mod op_profile;
mod reactor;
mod store;
mod table;
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
pub use store::{AsContext, AsContextMut, Store};
pub use table::Table;
pub use trap::{BacktraceDisplay, FrameInfo, Trap, TrapCode};
pub use value::{ExternRef, Val};
pub use wisp_decoder::{Features, FuncType, GlobalType, Limits, MemoryType, RefType, TableType, ValType};

// Modules and engines are shared between threads; a store moves to another thread with its data.
const _: () = {
    const fn send_sync<X: Send + Sync>() {}
    const fn send<X: Send>() {}
    send_sync::<Engine>();
    send_sync::<Module>();
    send_sync::<Config>();
    send::<Store<()>>();
    send::<Instance>();
    send::<StoreLimits>();
};

/// `Store<T>` is `Send` for every `T: Send`.
#[allow(dead_code)]
fn store_is_send<T: Send>(store: Store<T>) -> impl Send {
    store
}
