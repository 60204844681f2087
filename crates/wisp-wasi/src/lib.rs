//! WASI preview1 (`wasi_snapshot_preview1`) for [wisp], and the place to host Go 1.24
//! plugins: reactors built with `GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared`, whose
//! `//go:wasmexport` functions a Rust program calls and whose `//go:wasmimport` functions it
//! provides.
//!
//! # Hosting Go plugins
//!
//! [`GoReactor`] is a Go reactor ready to call: WASI linked, `_initialize` run once, stderr
//! captured so that an unrecovered panic comes back as [`ReactorError::Panic`] with its text,
//! and the instance retired after a panic, an `os.Exit` or a stopped call, so that later calls
//! fail with [`ReactorError::Dead`] instead of running a broken Go runtime.
//!
//! ```
//! # fn main() -> Result<(), wisp_wasi::ReactorError> {
//! # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/go/add.wasm");
//! // Go: //go:wasmexport add
//! //     func add(a, b int32) int32 { return a + b }
//! let mut go = wisp_wasi::GoReactor::from_file(path)?;
//! let sum: i32 = go.call("add", (1i32, 2i32))?;
//! assert_eq!(sum, 3);
//! # Ok(()) }
//! ```
//!
//! Go's `//go:wasmexport` lowers `int32`, `uint32`, `bool` and pointers to `i32` (call with
//! `i32` or `u32`), 64-bit integers to `i64`, floats to `f32`/`f64`, a `string` parameter to
//! two `i32`s; [`GoReactor::call`] checks the signature you ask for against the export.
//!
//! ## Step by step
//!
//! 1. **Plugins with state.** [`GoReactor::new`] and [`GoReactorBuilder::instantiate`] make a
//!    store of their own (`Store<WasiCtx>`). A host with several plugins uses
//!    [`GoReactorBuilder::instantiate_in`]: each plugin gets a `wisp::Store<T>` holding the
//!    host's own data (reached by host functions through `Caller::data_mut`, by the host
//!    through [`GoReactor::data_mut`]), one [`wisp::Linker<T>`] with WASI and the host
//!    functions serves all of them, and whatever the store was given first (a
//!    [`wisp::ResourceLimiter`], fuel, a deadline) is in force while `_initialize` runs. The
//!    example there shows it; `examples/plugin_host.rs` is a whole host.
//! 2. **Strings and bytes.** Go cannot take a slice or return a string through
//!    `//go:wasmexport`; the usual convention is an exported `alloc(size) uint32` and
//!    `free(ptr)`, inputs written into guest buffers, and results packed as `ptr<<32 | len`.
//!    [`GoReactor::call_str`] and [`GoReactor::call_bytes`] do the round trip
//!    ([`wisp::GuestAlloc`] underneath); structs embedding `structs.HostLayout` are read and
//!    written with [`wisp::guest_struct!`] and [`wisp::Memory::read_value`].
//! 3. **Output.** Stdout and stderr go wherever the builder says: the host's own streams, a
//!    `Write` sink streamed as the guest writes ([`GoReactorBuilder::stdout_writer`],
//!    [`GoReactorBuilder::stderr_writer`], e.g. a logger), or memory bounded by
//!    [`GoReactorBuilder::output_limit`] ([`GoReactor::take_stdout`]).
//! 4. **Failures.** Every call returns a [`ReactorError`] the host can match: a Go panic with
//!    its message, an exit code, a trap, a call stopped by its deadline
//!    ([`GoReactor::set_timeout`]) or an interrupt ([`GoReactor::interrupt_handle`]), a dead
//!    instance, or a plain error (a missing export, a wrong signature) that leaves the
//!    instance alive. Other instances and the host are never affected.
//! 5. **Go calling the host**: next section.
//!
//! # Go calling the host
//!
//! A Go plugin declares the functions its host offers with `//go:wasmimport MODULE NAME` and a
//! body-less Go function; the host defines them in its [`wisp::Linker`] with `func_wrap`, and
//! they reach the plugin's state through [`wisp::Caller::data_mut`]. Go 1.24 lowers parameters
//! as for `//go:wasmexport` (`cmd/compile/doc.go`): `int32`/`uint32`/`bool`/pointers to `i32`,
//! 64-bit integers to `i64`, floats to `f32`/`f64`, a `string` to two `i32`s (pointer, length);
//! at most one result, never a string. So:
//!
//! - **Strings and byte slices into the host**: pass `s string`, or
//!   `unsafe.Pointer(unsafe.SliceData(b)), uint32(len(b))`; the host reads them with
//!   [`wisp::Memory::read_string`] (UTF-8 checked) or [`wisp::Memory::read_bytes`]. They are
//!   valid during the call only.
//! - **Structs**: a pointer to a struct that embeds `structs.HostLayout` (fixed-size fields
//!   only); the host declares the same layout with [`wisp::guest_struct!`] and uses
//!   [`wisp::Memory::read_value`] / [`wisp::Memory::write_value`].
//! - **Bytes back to Go**: the host needs guest memory for them, so it calls the plugin's
//!   exported `alloc` from inside the import ([`wisp::GuestAlloc::from_caller`], then
//!   [`wisp::GuestAlloc::alloc_bytes`] with the `Caller` as the store), writes the bytes there
//!   and returns `ptr << 32 | len` ([`wisp::pack_ptr_len`]) or writes `{Ptr, Len uint32}`
//!   into a HostLayout struct the plugin passed. The plugin copies the bytes out and frees the
//!   buffer; `0` can mean "none", since an `alloc` that rounds 0 bytes up to 1 never returns 0.
//!
//! This is safe with Go's runtime: an import has no body, so Go's escape analysis puts what
//! its pointer parameters point at on the heap, which never moves (do not mark such an import
//! `//go:noescape`); the export runs on the importing goroutine's stack, which may grow and
//! move, and Go's import wrapper reloads its stack pointer after the call for that reason.
//! `crates/wisp-wasi/tests/go_host_calls.rs` forces a collection and a stack move inside
//! `alloc` to show it. A host function that fails (returns `Err`) stops the Go code inside the
//! import: [`GoReactor`] retires the instance and returns the error, typed
//! ([`wisp::Error::downcast_ref`]).
//!
//! The Go side (from `fixtures/go/hostcall/main.go`):
//!
//! ```go
//! //go:wasmimport host log
//! func hostLog(level int32, msg string)
//!
//! //go:wasmimport host get
//! func hostGet(key string) uint64 // ptr<<32 | len of a buffer from our alloc; 0: no such key
//!
//! //go:wasmimport host transform
//! func hostTransform(in unsafe.Pointer, n uint32, out *blob) int32
//!
//! type blob struct {
//!     _   structs.HostLayout
//!     Ptr uint32
//!     Len uint32
//! }
//!
//! //go:wasmexport alloc
//! func alloc(size uint32) uint32 // keeps the buffer alive in a map until free(ptr)
//! ```
//!
//! The host side, one store per plugin:
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/go/hostcall.wasm");
//! use std::collections::HashMap;
//! use wisp::{Caller, GuestAlloc};
//!
//! struct Plugin {
//!     wasi: wisp_wasi::WasiCtx,
//!     settings: HashMap<String, String>,
//!     logs: Vec<String>,
//! }
//!
//! let engine = wisp::Engine::default();
//! let module = wisp::Module::new(&engine, std::fs::read(path)?)?;
//! let mut linker = wisp::Linker::<Plugin>::new(&engine);
//! wisp_wasi::add_to_linker(&mut linker, |p: &mut Plugin| &mut p.wasi)?;
//!
//! // log(level int32, msg string): a string in.
//! linker.func_wrap("host", "log", |mut c: Caller<'_, Plugin>, level: i32, ptr: u32, len: u32| -> wisp::Result<()> {
//!     let msg = GuestAlloc::from_caller(&c)?.memory().read_string(&c, ptr, len)?;
//!     c.data_mut().logs.push(format!("{level}: {msg}"));
//!     Ok(())
//! })?;
//! // get(key string) uint64: a string in, a string out in a buffer from the guest's alloc.
//! linker.func_wrap("host", "get", |mut c: Caller<'_, Plugin>, ptr: u32, len: u32| -> wisp::Result<u64> {
//!     let abi = GuestAlloc::from_caller(&c)?;
//!     let key = abi.memory().read_string(&c, ptr, len)?;
//!     let Some(value) = c.data().settings.get(&key).cloned() else { return Ok(0) };
//!     let buf = abi.alloc_bytes(&mut c, value.as_bytes())?; // runs the guest's alloc
//!     Ok(wisp::pack_ptr_len(buf.ptr, buf.len))
//! })?;
//! // transform(in unsafe.Pointer, n uint32, out *blob) int32: bytes in, a struct out.
//! wisp::guest_struct! {
//!     struct Blob { ptr: u32, len: u32 }
//! }
//! linker.func_wrap("host", "transform", |mut c: Caller<'_, Plugin>, ip: u32, n: u32, out: u32| -> wisp::Result<i32> {
//!     let abi = GuestAlloc::from_caller(&c)?;
//!     let input = abi.memory().read_bytes(&c, ip, n)?;
//!     let buf = abi.alloc_bytes(&mut c, &input.to_ascii_uppercase())?;
//!     abi.memory().write_value(&mut c, out, &Blob { ptr: buf.ptr, len: buf.len })?;
//!     Ok(0)
//! })?;
//! # // put(key string, val unsafe.Pointer, n uint32) int32 and measure(in *sample, out *summary):
//! # // not used by the exports called here.
//! # linker.func_wrap("host", "put", |_: u32, _: u32, _: u32, _: u32| -> wisp::Result<i32> { Ok(-1) })?;
//! # linker.func_wrap("host", "measure", |_: u32, _: u32| -> wisp::Result<()> { Err(wisp::Error::from_host("no")) })?;
//!
//! let settings = HashMap::from([("greeting".to_string(), "Grüß dich".to_string())]);
//! let plugin = Plugin { wasi: wisp_wasi::WasiCtx::builder().build(), settings, logs: Vec::new() };
//! let store = wisp::Store::new(&engine, plugin);
//! let mut go = wisp_wasi::GoReactor::builder()
//!     .forward_stderr(false)
//!     .instantiate_in(store, &linker, &module, |p| &mut p.wasi)?;
//!
//! // hello(name string) logs, then builds its answer from get("greeting").
//! assert_eq!(go.call_str("hello", "Gopher")?, "Grüß dich, Gopher!");
//! // shout(s string) returns "<" + transform(s) + ">".
//! assert_eq!(go.call_str("shout", "quiet")?, "<QUIET>");
//! assert_eq!(go.data().logs, ["1: hostcall: init", "1: hello Gopher"]);
//! assert_eq!(go.call::<(), i32>("live_count", ())?, 0); // Go freed what the host allocated
//! # Ok(()) }
//! ```
//!
//! [`GuestAlloc::from_caller`](wisp::GuestAlloc::from_caller) looks the exports up by name
//! on each call; a host called often keeps the `GuestAlloc` in the store's data after the
//! first call (as `examples/plugin_host.rs` does).
//!
//! # Running WASI commands
//!
//! Without the Go layer: put a [`WasiCtx`] (or a struct holding one) in a `wisp::Store`, add
//! the 46 functions with [`add_to_linker`], and call `_start`; `proc_exit` comes back as
//! `wisp::Error::Exit`.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/go/exit3.wasm");
//! let engine = wisp::Engine::default();
//! let module = wisp::Module::new(&engine, std::fs::read(path)?)?;
//! let out = wisp_wasi::Pipe::new();
//! let ctx = wisp_wasi::WasiCtx::builder().stdout(wisp_wasi::Stdio::Pipe(out.clone())).build();
//! let mut store = wisp::Store::new(&engine, ctx);
//! let mut linker = wisp::Linker::new(&engine);
//! wisp_wasi::add_to_linker(&mut linker, |ctx| ctx)?;
//! let instance = linker.instantiate(&mut store, &module)?;
//! match instance.get_typed_func::<(), ()>(&store, "_start")?.call(&mut store, ()) {
//!     Err(wisp::Error::Exit(code)) => assert_eq!(code, 3), // exit3.wasm calls os.Exit(3)
//!     other => panic!("{other:?}"),
//! }
//! assert!(!out.contents().is_empty());
//! # Ok(()) }
//! ```
//!
//! # The sandbox
//!
//! The guest reaches only what the host grants: preopened directories
//! ([`WasiCtxBuilder::preopened_dir`], or read-only with
//! [`WasiCtxBuilder::preopened_dir_read_only`]), stdio as configured, the clocks and
//! randomness given (virtual and seeded with [`WasiCtxBuilder::deterministic`]). Every
//! function checks each guest pointer and length against the memory (`EFAULT`), each
//! descriptor against the table (`EBADF`) and its rights (`ENOTCAPABLE`), and each flag set
//! against the witx (`EINVAL`); paths are resolved component by component and may not leave
//! a directory descriptor (`..`, absolute paths and symlinks that lead out are
//! `ENOTCAPABLE`). A directory the guest opens itself carries the rights its parent passes on,
//! as wasmtime and wazero treat them, so Go's `os.Root` works; a read-only tree stays
//! read-only. No guest input panics the host.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
// The functions mirror the witx signatures one to one, some of which take nine values.
#![allow(clippy::too_many_arguments)]

#[doc(hidden)]
pub mod args;
#[doc(hidden)]
pub mod clock;
mod ctx;
mod errno;
#[doc(hidden)]
pub mod fd;
mod mem;
#[doc(hidden)]
pub mod path;
#[doc(hidden)]
pub mod poll;
mod pre;
#[doc(hidden)]
pub mod proc;
#[doc(hidden)]
pub mod random;
mod reactor;
mod sandbox;
#[doc(hidden)]
pub mod sched;
#[doc(hidden)]
pub mod sock;
mod table;
#[doc(hidden)]
pub mod types;

pub use ctx::{
    MonotonicClock, OsRandom, Pipe, RandomSource, SeededRandom, SharedWriter, Stdio, SystemMonotonicClock,
    SystemWallClock, VirtualClock, WallClock, WasiCtx, WasiCtxBuilder, DETERMINISTIC_EPOCH,
};
pub use errno::{Errno, WasiResult};
pub use mem::GuestMemory;
pub use pre::GoReactorPre;
pub use reactor::{go_panic_message, GoReactor, GoReactorBuilder, ReactorError, DEFAULT_OUTPUT_LIMIT};

use wisp::{Caller, Linker};

/// The import module name of WASI preview1.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// Every function name of `wasi_snapshot_preview1`, as the witx orders them.
pub const FUNCTIONS: [&str; 46] = [
    "args_get",
    "args_sizes_get",
    "environ_get",
    "environ_sizes_get",
    "clock_res_get",
    "clock_time_get",
    "fd_advise",
    "fd_allocate",
    "fd_close",
    "fd_datasync",
    "fd_fdstat_get",
    "fd_fdstat_set_flags",
    "fd_fdstat_set_rights",
    "fd_filestat_get",
    "fd_filestat_set_size",
    "fd_filestat_set_times",
    "fd_pread",
    "fd_prestat_get",
    "fd_prestat_dir_name",
    "fd_pwrite",
    "fd_read",
    "fd_readdir",
    "fd_renumber",
    "fd_seek",
    "fd_sync",
    "fd_tell",
    "fd_write",
    "path_create_directory",
    "path_filestat_get",
    "path_filestat_set_times",
    "path_link",
    "path_open",
    "path_readlink",
    "path_remove_directory",
    "path_rename",
    "path_symlink",
    "path_unlink_file",
    "poll_oneoff",
    "proc_exit",
    "proc_raise",
    "sched_yield",
    "random_get",
    "sock_accept",
    "sock_recv",
    "sock_send",
    "sock_shutdown",
];

/// Runs `f` on the caller's memory (empty when the caller exports none, so every pointer is
/// `EFAULT`) and its `WasiCtx`, and turns the outcome into the errno the guest receives.
fn call<T, G>(
    caller: &mut Caller<'_, T>,
    get: &G,
    f: impl FnOnce(&mut WasiCtx, &mut GuestMemory) -> WasiResult<()>,
) -> i32
where
    G: Fn(&mut T) -> &mut WasiCtx,
{
    let memory = caller.get_export("memory").and_then(wisp::Extern::into_memory);
    let (bytes, data): (&mut [u8], &mut T) = match memory {
        Some(m) => match m.data_and_store_mut(caller) {
            Ok(both) => both,
            // The caller's own export is of its store; should that ever fail, no byte is reachable.
            Err(_) => return crate::errno::Errno::Fault as i32,
        },
        None => (Default::default(), caller.data_mut()),
    };
    let mut mem = GuestMemory::new(bytes);
    match f(get(data), &mut mem) {
        Ok(()) => 0,
        Err(e) => e as i32,
    }
}

macro_rules! register {
    ($linker:ident, $get:ident, $( $module:ident :: $name:ident ( $($arg:ident : $ty:ty),* ) ; )*) => {$(
        {
            let get = $get.clone();
            $linker.func_wrap(MODULE, stringify!($name), move |mut caller: Caller<'_, T>, $($arg: $ty),*| -> wisp::Result<i32> {
                Ok(call(&mut caller, &get, |ctx, mem| $module::$name(ctx, mem, $($arg),*)))
            })?;
        }
    )*};
}

/// Defines all 46 `wasi_snapshot_preview1` functions in `linker`. `get` finds the `WasiCtx`
/// inside the store's data (`|ctx| ctx` when the data is the `WasiCtx` itself).
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + Clone + 'static,
) -> wisp::Result<()> {
    register! { linker, get,
        args::args_get(argv: i32, buf: i32);
        args::args_sizes_get(argc: i32, buf_size: i32);
        args::environ_get(environ: i32, buf: i32);
        args::environ_sizes_get(count: i32, buf_size: i32);
        clock::clock_res_get(id: i32, out: i32);
        clock::clock_time_get(id: i32, precision: i64, out: i32);
        fd::fd_advise(fd: i32, offset: i64, len: i64, advice: i32);
        fd::fd_allocate(fd: i32, offset: i64, len: i64);
        fd::fd_close(fd: i32);
        fd::fd_datasync(fd: i32);
        fd::fd_fdstat_get(fd: i32, buf: i32);
        fd::fd_fdstat_set_flags(fd: i32, flags: i32);
        fd::fd_fdstat_set_rights(fd: i32, base: i64, inheriting: i64);
        fd::fd_filestat_get(fd: i32, buf: i32);
        fd::fd_filestat_set_size(fd: i32, size: i64);
        fd::fd_filestat_set_times(fd: i32, atim: i64, mtim: i64, fst: i32);
        fd::fd_pread(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nread: i32);
        fd::fd_prestat_get(fd: i32, buf: i32);
        fd::fd_prestat_dir_name(fd: i32, path: i32, path_len: i32);
        fd::fd_pwrite(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nwritten: i32);
        fd::fd_read(fd: i32, iovs: i32, iovs_len: i32, nread: i32);
        fd::fd_readdir(fd: i32, buf: i32, buf_len: i32, cookie: i64, bufused: i32);
        fd::fd_renumber(fd: i32, to: i32);
        fd::fd_seek(fd: i32, offset: i64, whence: i32, newoffset: i32);
        fd::fd_sync(fd: i32);
        fd::fd_tell(fd: i32, out: i32);
        fd::fd_write(fd: i32, iovs: i32, iovs_len: i32, nwritten: i32);
        path::path_create_directory(fd: i32, path: i32, len: i32);
        path::path_filestat_get(fd: i32, flags: i32, path: i32, len: i32, buf: i32);
        path::path_filestat_set_times(fd: i32, flags: i32, path: i32, len: i32, atim: i64, mtim: i64, fst: i32);
        path::path_link(old_fd: i32, old_flags: i32, old_path: i32, old_len: i32, new_fd: i32, new_path: i32, new_len: i32);
        path::path_open(fd: i32, dirflags: i32, path: i32, len: i32, oflags: i32, base: i64, inheriting: i64, fdflags: i32, out: i32);
        path::path_readlink(fd: i32, path: i32, len: i32, buf: i32, buf_len: i32, used: i32);
        path::path_remove_directory(fd: i32, path: i32, len: i32);
        path::path_rename(fd: i32, old_path: i32, old_len: i32, new_fd: i32, new_path: i32, new_len: i32);
        path::path_symlink(old_path: i32, old_len: i32, fd: i32, new_path: i32, new_len: i32);
        path::path_unlink_file(fd: i32, path: i32, len: i32);
        poll::poll_oneoff(input: i32, out: i32, nsubs: i32, nevents: i32);
        proc::proc_raise(sig: i32);
        sched::sched_yield();
        random::random_get(buf: i32, len: i32);
        sock::sock_accept(fd: i32, flags: i32, out: i32);
        sock::sock_recv(fd: i32, ri_data: i32, ri_len: i32, ri_flags: i32, ro_len: i32, ro_flags: i32);
        sock::sock_send(fd: i32, si_data: i32, si_len: i32, si_flags: i32, so_len: i32);
        sock::sock_shutdown(fd: i32, how: i32);
    }
    linker.func_wrap(MODULE, "proc_exit", |code: i32| -> wisp::Result<()> { Err(proc::proc_exit(code)) })?;
    Ok(())
}
