//! WASI preview1 (`wasi_snapshot_preview1`) for wisp: all 46 functions of the witx, over a
//! [`WasiCtx`] that keeps the guest inside what the host grants.
//!
//! ```ignore
//! let engine = wisp::Engine::default();
//! let module = wisp::Module::new(&engine, &bytes)?;
//! let mut store = wisp::Store::new(&engine, wisp_wasi::WasiCtx::builder().inherit_stdio().build());
//! let mut linker = wisp::Linker::new(&engine);
//! wisp_wasi::add_to_linker(&mut linker, |ctx| ctx)?;
//! let instance = linker.instantiate(&mut store, &module)?;
//! match instance.get_typed_func::<(), ()>(&store, "_start")?.call(&mut store, ()) {
//!     Ok(()) => {}
//!     Err(wisp::Error::Exit(code)) => std::process::exit(code),
//!     Err(e) => return Err(e.into()),
//! }
//! ```
//!
//! Every function checks each guest pointer and length against the memory (`EFAULT`), each
//! descriptor against the table (`EBADF`) and its rights (`ENOTCAPABLE`), and each flag set
//! against the witx (`EINVAL`); no guest input panics the host.

#![forbid(unsafe_code)]
// The functions mirror the witx signatures one to one, some of which take nine values.
#![allow(clippy::too_many_arguments)]

pub mod args;
pub mod clock;
mod ctx;
mod errno;
pub mod fd;
mod mem;
pub mod path;
pub mod poll;
mod pre;
pub mod proc;
pub mod random;
mod reactor;
mod sandbox;
pub mod sched;
pub mod sock;
mod table;
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
