//! Shared pieces of wisp's benchmarks: the workloads, and the minimal WASI host both engines
//! get for Go reactors, written once over a byte slice so wisp and wasmi run the same host code.

use std::path::PathBuf;

/// The repository's `fixtures/` directory.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

pub fn fixture(path: &str) -> Vec<u8> {
    let p = fixtures().join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// A benchmark workload: an export called with arguments, and the result it must give.
pub struct Workload {
    pub name: &'static str,
    pub file: &'static str,
    pub export: &'static str,
    pub args: Args,
    pub expect: Expect,
}

#[derive(Clone, Copy)]
pub enum Args {
    I32(i32),
    I32I64(i32, i64),
    I32I32(i32, i32),
    /// Two i32 arguments and an f64 result.
    I32I32F64(i32, i32),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Expect {
    I32(i32),
    I64(i64),
    F64(f64),
}

/// Go 1.24 reactor workloads from `fixtures/go/bench` (expected values from its expected.txt,
/// checked natively by the fixture's Go test).
pub const GO_WORKLOADS: &[Workload] = &[
    Workload {
        name: "go/fib(25)",
        file: "go/bench.wasm",
        export: "fib",
        args: Args::I32(25),
        expect: Expect::I64(75025),
    },
    Workload {
        name: "go/sieve(100000)",
        file: "go/bench.wasm",
        export: "sieve",
        args: Args::I32(100_000),
        expect: Expect::I32(9592),
    },
    Workload {
        name: "go/sort_ints(100000)",
        file: "go/bench.wasm",
        export: "sort_ints",
        args: Args::I32I64(100_000, 42),
        expect: Expect::I64(-1094611222973717270),
    },
    Workload {
        name: "go/sha256_bytes(1000000)",
        file: "go/bench.wasm",
        export: "sha256_bytes",
        args: Args::I32(1_000_000),
        expect: Expect::I32(499540526),
    },
    Workload {
        name: "go/map_work(1000)",
        file: "go/bench.wasm",
        export: "map_work",
        args: Args::I32(1000),
        expect: Expect::I64(17309874089),
    },
    Workload {
        name: "go/nbody(1000)",
        file: "go/bench.wasm",
        export: "nbody",
        args: Args::I32(1000),
        expect: Expect::F64(-109.97477137018046),
    },
    Workload {
        name: "go/mandelbrot(200)",
        file: "go/bench.wasm",
        export: "mandelbrot",
        args: Args::I32(200),
        expect: Expect::I32(9949),
    },
    Workload {
        name: "go/json_work(10)",
        file: "go/bench.wasm",
        export: "json_work",
        args: Args::I32(10),
        expect: Expect::I64(550076),
    },
    Workload {
        name: "go/tree_work(8)",
        file: "go/bench.wasm",
        export: "tree_work",
        args: Args::I32(8),
        expect: Expect::I64(24240),
    },
    Workload {
        name: "go/pingpong(1000)",
        file: "go/bench.wasm",
        export: "pingpong",
        args: Args::I32(1000),
        expect: Expect::I64(1499500),
    },
    Workload {
        name: "go/timers(300,2)",
        file: "go/bench.wasm",
        export: "timers",
        args: Args::I32I32(300, 2),
        expect: Expect::I64(300090300),
    },
    Workload {
        name: "go/regexp_work(10)",
        file: "go/bench.wasm",
        export: "regexp_work",
        args: Args::I32(10),
        expect: Expect::I32(8045),
    },
];

/// C workloads from `fixtures/c/bench` (clang -O2, no imports; expected values from its
/// expected.txt, computed natively with gcc).
pub const C_WORKLOADS: &[Workload] = &[
    Workload {
        name: "c/fib(25)",
        file: "c/bench.wasm",
        export: "fib",
        args: Args::I32(25),
        expect: Expect::I64(75025),
    },
    Workload {
        name: "c/sieve(1000000)",
        file: "c/bench.wasm",
        export: "sieve",
        args: Args::I32(1_000_000),
        expect: Expect::I32(78498),
    },
    Workload {
        name: "c/matmul(100,3)",
        file: "c/bench.wasm",
        export: "matmul",
        args: Args::I32I32F64(100, 3),
        expect: Expect::F64(664.5625),
    },
    Workload {
        name: "c/stencil(128,100)",
        file: "c/bench.wasm",
        export: "stencil",
        args: Args::I32I32F64(128, 100),
        expect: Expect::F64(1167027.7467049614),
    },
    Workload {
        name: "c/lu(120,3)",
        file: "c/bench.wasm",
        export: "lu",
        args: Args::I32I32F64(120, 3),
        expect: Expect::F64(575338.4654237321),
    },
    Workload {
        name: "c/sha256_bytes(1000000)",
        file: "c/bench.wasm",
        export: "sha256_bytes",
        args: Args::I32(1_000_000),
        expect: Expect::I32(499540526),
    },
    Workload {
        name: "c/vm_run(1000000)",
        file: "c/bench.wasm",
        export: "vm_run",
        args: Args::I32(1_000_000),
        expect: Expect::I32(-1901491168),
    },
    Workload {
        name: "c/i64_mix(1000000)",
        file: "c/bench.wasm",
        export: "i64_mix",
        args: Args::I32(1_000_000),
        expect: Expect::I64(-6104062509861587034),
    },
    Workload {
        name: "c/coremark_mix(2000)",
        file: "c/bench.wasm",
        export: "mix",
        args: Args::I32(2000),
        expect: Expect::I32(-1282537520),
    },
    Workload {
        name: "c/bulk(100,65536)",
        file: "c/bulk.wasm",
        export: "bulk",
        args: Args::I32I32(100, 65536),
        expect: Expect::I32(-411638563),
    },
];

/// SIMD workloads from `fixtures/c/simd` (clang -O2 -msimd128, no imports; expected values
/// from simd/expected-calls.txt, computed natively with gcc from the scalar path of the same
/// source). wisp refuses v128 modules with `Error::Unsupported` until it executes SIMD: the
/// harness and `benches/compare` then skip these rows, which appear once it accepts them.
pub const SIMD_WORKLOADS: &[Workload] = &[
    Workload {
        name: "c/simd_blur(20)",
        file: "c/simd.wasm",
        export: "simd_blur",
        args: Args::I32(20),
        expect: Expect::I32(1918879287),
    },
    Workload {
        name: "c/simd_dot(1600)",
        file: "c/simd.wasm",
        export: "simd_dot",
        args: Args::I32(1600),
        expect: Expect::I32(-634266721),
    },
    Workload {
        name: "c/simd_find(200)",
        file: "c/simd.wasm",
        export: "simd_find",
        args: Args::I32(200),
        expect: Expect::I32(-331454715),
    },
    Workload {
        name: "c/simd_blend(200)",
        file: "c/simd.wasm",
        export: "simd_blend",
        args: Args::I32(200),
        expect: Expect::I32(1812693234),
    },
];

/// The wisp engine the SIMD workloads are compiled with: fixed-width SIMD enabled, so that a
/// wisp which does not execute it yet answers `Error::Unsupported`, not a validation error.
pub fn wisp_simd_engine() -> wisp::Engine {
    wisp::Engine::new(&wisp_simd_config())
}

/// The configuration of [`wisp_simd_engine`], for a caller that sets more.
pub fn wisp_simd_config() -> wisp::Config {
    let mut config = wisp::Config::new();
    config.wasm_simd(true);
    config
}

/// WASI errno values the shim returns.
pub const ESUCCESS: i32 = 0;
pub const EBADF: i32 = 8;
pub const EFAULT: i32 = 21;
pub const ESPIPE: i32 = 70;

fn get<const N: usize>(mem: &[u8], at: u32) -> Option<[u8; N]> {
    mem.get(at as usize..at as usize + N).map(|s| s.try_into().expect("length N"))
}

fn put(mem: &mut [u8], at: u32, bytes: &[u8]) -> bool {
    match mem.get_mut(at as usize..at as usize + bytes.len()) {
        Some(s) => {
            s.copy_from_slice(bytes);
            true
        }
        None => false,
    }
}

/// The handful of WASI preview1 calls a Go reactor makes to start and run pure code.
/// Output is discarded, there are no preopens, clocks are real, randomness is a fixed pattern.
pub mod shim {
    use super::*;

    pub fn args_sizes_get(mem: &mut [u8], argc: u32, size: u32) -> i32 {
        if put(mem, argc, &1u32.to_le_bytes()) && put(mem, size, &6u32.to_le_bytes()) {
            ESUCCESS
        } else {
            EFAULT
        }
    }

    pub fn args_get(mem: &mut [u8], argv: u32, buf: u32) -> i32 {
        if put(mem, argv, &buf.to_le_bytes()) && put(mem, buf, b"bench\0") {
            ESUCCESS
        } else {
            EFAULT
        }
    }

    pub fn environ_sizes_get(mem: &mut [u8], count: u32, size: u32) -> i32 {
        if put(mem, count, &0u32.to_le_bytes()) && put(mem, size, &0u32.to_le_bytes()) {
            ESUCCESS
        } else {
            EFAULT
        }
    }

    /// Nanoseconds that sleeps skipped (see `poll_oneoff`), added to both clocks.
    static SKIPPED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

    fn skipped() -> u64 {
        SKIPPED.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn clock_time_get(mem: &mut [u8], id: u32, out: u32) -> i32 {
        let t = if id == 0 { realtime() } else { monotonic() };
        if put(mem, out, &t.to_le_bytes()) {
            ESUCCESS
        } else {
            EFAULT
        }
    }

    fn realtime() -> u64 {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        now.as_nanos() as u64 + skipped()
    }

    fn monotonic() -> u64 {
        use std::sync::OnceLock;
        static START: OnceLock<std::time::Instant> = OnceLock::new();
        START.get_or_init(std::time::Instant::now).elapsed().as_nanos() as u64 + 1 + skipped()
    }

    pub fn fd_write(mem: &mut [u8], _fd: u32, iovs: u32, n: u32, written: u32) -> i32 {
        let mut total = 0u32;
        for i in 0..n {
            match get::<4>(mem, iovs + 8 * i + 4) {
                Some(len) => total += u32::from_le_bytes(len),
                None => return EFAULT,
            }
        }
        if put(mem, written, &total.to_le_bytes()) {
            ESUCCESS
        } else {
            EFAULT
        }
    }

    pub fn random_get(mem: &mut [u8], buf: u32, len: u32) -> i32 {
        match mem.get_mut(buf as usize..buf as usize + len as usize) {
            Some(s) => {
                for (i, b) in s.iter_mut().enumerate() {
                    *b = (i as u8).wrapping_mul(31).wrapping_add(7);
                }
                ESUCCESS
            }
            None => EFAULT,
        }
    }

    /// Every subscription fires at once: the benchmarks never wait on input, and a sleep (a
    /// clock subscription) moves both clocks forward by its timeout instead of waiting, so a
    /// workload of goroutines on timers measures the runtime's work, not the host's sleeping.
    pub fn poll_oneoff(mem: &mut [u8], subs: u32, events: u32, n: u32, nevents: u32) -> i32 {
        let mut skip = 0u64;
        for i in 0..n {
            let Some(sub) = get::<48>(mem, subs + 48 * i) else { return EFAULT };
            if sub[8] == 0 {
                // A clock: timeout at bytes 24..32, flags at 40 (bit 0: absolute time).
                let timeout = u64::from_le_bytes(sub[24..32].try_into().expect("8 bytes"));
                let id = u32::from_le_bytes(sub[16..20].try_into().expect("4 bytes"));
                let wait = if sub[40] & 1 == 0 {
                    timeout
                } else {
                    let now = if id == 0 { realtime() } else { monotonic() };
                    timeout.saturating_sub(now)
                };
                skip = skip.max(wait);
            }
            let mut ev = [0u8; 32];
            ev[..8].copy_from_slice(&sub[..8]);
            ev[10] = sub[8];
            if !put(mem, events + 32 * i, &ev) {
                return EFAULT;
            }
        }
        SKIPPED.fetch_add(skip, std::sync::atomic::Ordering::Relaxed);
        if put(mem, nevents, &n.to_le_bytes()) {
            ESUCCESS
        } else {
            EFAULT
        }
    }

    pub fn fd_fdstat_get(mem: &mut [u8], fd: u32, out: u32) -> i32 {
        if fd > 2 {
            return EBADF;
        }
        let mut st = [0u8; 24];
        st[0] = 2; // character device
        st[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
        if put(mem, out, &st) {
            ESUCCESS
        } else {
            EFAULT
        }
    }
}

/// A memory's bytes as either engine gives them: wasmi's `data_mut` returns the slice, wisp's
/// a `Result` (another store's memory is an error there, not a panic).
pub trait MemBytes<'a> {
    fn bytes(self) -> &'a mut [u8];
}

impl<'a> MemBytes<'a> for &'a mut [u8] {
    fn bytes(self) -> &'a mut [u8] {
        self
    }
}

impl<'a, E: std::fmt::Debug> MemBytes<'a> for Result<&'a mut [u8], E> {
    fn bytes(self) -> &'a mut [u8] {
        self.expect("the caller's own memory")
    }
}

/// Defines `linker(&Engine) -> Linker<()>` and `start(&Engine, &Module) -> (Store, Instance)`
/// for an engine crate whose API has wisp's and wasmi's shape: the minimal WASI host (`shim`)
/// for Go reactors, written once for both engines. `$exit` turns an exit code into the
/// engine's error; `$instantiate` is the linker method that instantiates and runs `start`
/// (`instantiate` in wisp, `instantiate_and_start` in wasmi).
#[macro_export]
macro_rules! shim_host {
    ($engine:ident, $exit:expr, $instantiate:ident) => {
        use $crate::shim;
        use $engine::{Caller, Engine, Extern, Instance, Linker, Module, Store};

        fn mem<'a>(caller: &'a mut Caller<'_, ()>) -> &'a mut [u8] {
            let m = caller.get_export("memory").and_then(Extern::into_memory).expect("Go exports its memory");
            $crate::MemBytes::bytes(m.data_mut(caller))
        }

        pub fn linker(engine: &Engine) -> Linker<()> {
            let mut l = Linker::new(engine);
            let w = "wasi_snapshot_preview1";
            l.func_wrap(w, "sched_yield", || 0i32).unwrap();
            l.func_wrap(w, "proc_exit", |code: i32| -> Result<(), $engine::Error> { Err(($exit)(code)) }).unwrap();
            l.func_wrap(w, "args_get", |mut c: Caller<'_, ()>, a: i32, b: i32| {
                shim::args_get(mem(&mut c), a as u32, b as u32)
            })
            .unwrap();
            l.func_wrap(w, "args_sizes_get", |mut c: Caller<'_, ()>, a: i32, b: i32| {
                shim::args_sizes_get(mem(&mut c), a as u32, b as u32)
            })
            .unwrap();
            l.func_wrap(w, "environ_get", |_: i32, _: i32| 0i32).unwrap();
            l.func_wrap(w, "environ_sizes_get", |mut c: Caller<'_, ()>, a: i32, b: i32| {
                shim::environ_sizes_get(mem(&mut c), a as u32, b as u32)
            })
            .unwrap();
            l.func_wrap(w, "clock_time_get", |mut c: Caller<'_, ()>, id: i32, _p: i64, out: i32| {
                shim::clock_time_get(mem(&mut c), id as u32, out as u32)
            })
            .unwrap();
            l.func_wrap(w, "fd_write", |mut c: Caller<'_, ()>, fd: i32, iovs: i32, n: i32, nw: i32| {
                shim::fd_write(mem(&mut c), fd as u32, iovs as u32, n as u32, nw as u32)
            })
            .unwrap();
            l.func_wrap(w, "random_get", |mut c: Caller<'_, ()>, b: i32, n: i32| {
                shim::random_get(mem(&mut c), b as u32, n as u32)
            })
            .unwrap();
            l.func_wrap(w, "poll_oneoff", |mut c: Caller<'_, ()>, s: i32, e: i32, n: i32, ne: i32| {
                shim::poll_oneoff(mem(&mut c), s as u32, e as u32, n as u32, ne as u32)
            })
            .unwrap();
            l.func_wrap(w, "fd_close", |_: i32| 0i32).unwrap();
            l.func_wrap(w, "fd_fdstat_get", |mut c: Caller<'_, ()>, fd: i32, out: i32| {
                shim::fd_fdstat_get(mem(&mut c), fd as u32, out as u32)
            })
            .unwrap();
            l.func_wrap(w, "fd_fdstat_set_flags", |_: i32, _: i32| 0i32).unwrap();
            l.func_wrap(w, "fd_prestat_get", |_: i32, _: i32| $crate::EBADF).unwrap();
            l.func_wrap(w, "fd_prestat_dir_name", |_: i32, _: i32, _: i32| $crate::EBADF).unwrap();
            l
        }

        /// `linker` plus `fd_seek` (ESPIPE: standard streams do not seek), which the C
        /// commands' stdio imports (`fixtures/c/hello.wasm`: `fd_close`, `fd_fdstat_get`,
        /// `fd_seek`, `fd_write`).
        pub fn command_linker(engine: &Engine) -> Linker<()> {
            let mut l = linker(engine);
            l.func_wrap("wasi_snapshot_preview1", "fd_seek", |_: i32, _: i64, _: i32, _: i32| $crate::ESPIPE).unwrap();
            l
        }

        /// `linker` plus the host functions `fixtures/go/hostcall.wasm` imports (module
        /// `host`), for the Go-to-host call groups: `log` reads its message from guest memory;
        /// `get` answers every key with `Hi!` in a buffer from the guest's own `alloc`, called
        /// from inside the import; the others do nothing.
        pub fn hostcall_linker(engine: &Engine) -> Linker<()> {
            let mut l = linker(engine);
            l.func_wrap("host", "log", |mut c: Caller<'_, ()>, _level: i32, ptr: i32, len: i32| {
                let m = mem(&mut c);
                std::hint::black_box(
                    m.get(ptr as u32 as usize..(ptr as u32 as usize).saturating_add(len as u32 as usize)),
                );
            })
            .unwrap();
            l.func_wrap("host", "get", |mut c: Caller<'_, ()>, _ptr: i32, _len: i32| -> Result<i64, $engine::Error> {
                let alloc = c.get_export("alloc").and_then(Extern::into_func).expect("alloc export");
                let alloc = alloc.typed::<i32, i32>(&c).expect("alloc: (i32) -> i32");
                let p = alloc.call(&mut c, 3)?;
                let m = mem(&mut c);
                m[p as u32 as usize..p as u32 as usize + 3].copy_from_slice(b"Hi!");
                Ok(i64::from(p as u32) << 32 | 3)
            })
            .unwrap();
            l.func_wrap("host", "put", |_: i32, _: i32, _: i32, _: i32| -1i32).unwrap();
            l.func_wrap("host", "transform", |_: i32, _: i32, _: i32| 22i32).unwrap();
            l.func_wrap("host", "measure", |_: i32, _: i32| {}).unwrap();
            l
        }

        /// Instantiates a Go reactor and runs `_initialize`.
        pub fn start(engine: &Engine, module: &Module) -> (Store<()>, Instance) {
            start_with(linker(engine), module)
        }

        /// [`start`] with the host functions of `fixtures/go/hostcall.wasm` linked as well.
        pub fn start_hostcall(engine: &Engine, module: &Module) -> (Store<()>, Instance) {
            start_with(hostcall_linker(engine), module)
        }

        fn start_with(linker: Linker<()>, module: &Module) -> (Store<()>, Instance) {
            let mut store = Store::new(linker.engine(), ());
            let instance = linker.$instantiate(&mut store, module).expect("instantiate");
            instance
                .get_typed_func::<(), ()>(&store, "_initialize")
                .expect("_initialize")
                .call(&mut store, ())
                .expect("init");
            (store, instance)
        }
    };
}

/// wisp with the shim, for Go reactors.
pub mod wisp_host {
    shim_host!(wisp, wisp::Error::Exit, instantiate);
}
