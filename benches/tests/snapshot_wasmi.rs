//! A module written by `wisp::Snapshot::to_wasm` (what `wisp snapshot` writes) is a standard
//! module: wasmparser validates it, and on wasmi its exports give the same results as the
//! original module after `_initialize`, without running the Go runtime's start again.

use std::time::Duration;
use wisp_wasi::{GoReactor, GoReactorPre, VirtualClock, WasiCtx};

mod wasmi_host {
    wisp_benches::shim_host!(wasmi, wasmi::Error::i32_exit, instantiate_and_start);
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../fixtures/go/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A template as `wisp snapshot` makes it: the monotonic clock from zero during `_initialize`.
fn template(engine: &wisp::Engine, bytes: &[u8]) -> GoReactorPre {
    let module = wisp::Module::new(engine, bytes).unwrap();
    let wasi = WasiCtx::builder().args(["snap.wasm"]).monotonic_clock(VirtualClock::new(Duration::ZERO));
    GoReactor::builder().wasi(wasi).forward_stderr(false).pre(engine, &module).unwrap()
}

/// `wasmi_host::start`, with `fd_read` (imported by snap.wasm, never called) defined too.
fn start(engine: &wasmi::Engine, module: &wasmi::Module) -> (wasmi::Store<()>, wasmi::Instance) {
    let mut linker = wasmi_host::linker(engine);
    if linker.get(&wasmi::Store::new(engine, ()), "wasi_snapshot_preview1", "fd_read").is_none() {
        linker.func_wrap("wasi_snapshot_preview1", "fd_read", |_: i32, _: i32, _: i32, _: i32| 8i32).unwrap();
    }
    let mut store = wasmi::Store::new(engine, ());
    let instance = linker.instantiate_and_start(&mut store, module).unwrap();
    call::<(), ()>(&mut store, &instance, "_initialize", ());
    (store, instance)
}

fn call<P: wasmi::WasmParams, R: wasmi::WasmResults>(
    store: &mut wasmi::Store<()>,
    inst: &wasmi::Instance,
    name: &str,
    p: P,
) -> R {
    inst.get_typed_func::<P, R>(&*store, name).unwrap().call(store, p).unwrap()
}

/// Runs `f` on a thread with a large stack: in a test build, wasmi overflows the test thread's
/// 2 MiB stack while it runs snap.wasm's `_initialize` (checked 2026-12-05; wisp does not).
fn big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(256 << 20).spawn(f).unwrap().join().unwrap();
}

#[test]
fn snapshot_of_snap_runs_on_wasmi_like_the_original() {
    big_stack(snap_on_wasmi);
}

fn snap_on_wasmi() {
    let bytes = fixture("snap.wasm");
    let engine = wisp::Engine::default();
    let pre = template(&engine, &bytes);
    let out = pre.snapshot().to_wasm().unwrap();
    wasmparser::Validator::new().validate_all(&out).expect("wasmparser accepts the snapshot");

    let me = wasmi::Engine::default();
    // The original, started on wasmi (its `_initialize` runs the Go runtime's start) ...
    let orig = wasmi::Module::new(&me, &bytes[..]).unwrap();
    let (mut os, oi) = start(&me, &orig);
    // ... and the snapshot, whose `_initialize` (called by `start` too) does nothing.
    let snap = wasmi::Module::new(&me, &out[..]).unwrap();
    let (mut ss, si) = start(&me, &snap);
    for (store, inst) in [(&mut os, &oi), (&mut ss, &si)] {
        assert_eq!(call::<(), i64>(store, inst, "incr", ()), 1);
        assert_eq!(call::<(), i64>(store, inst, "incr", ()), 2);
        assert_eq!(call::<i32, i32>(store, inst, "get_v", 1), 10);
        assert_eq!(call::<i32, i32>(store, inst, "get_v", 5), -1);
        call::<(i32, i32), ()>(store, inst, "put", (5, 50));
        assert_eq!(call::<i32, i32>(store, inst, "get_v", 5), 50);
        assert_eq!(call::<(), i32>(store, inst, "store_len", ()), 2);
        assert!(call::<(), i64>(store, inst, "since_init_ns", ()) >= 0);
        assert_eq!(call::<i32, i32>(store, inst, "timer_ms", 2), 1);
        assert_eq!(call::<(), i32>(store, inst, "background", ()), 1);
        assert!(call::<i32, i64>(store, inst, "wait_ticks", 10) > 0);
    }
    // The memory carries the template's runtime state: its random generator gives wasmi the
    // sequence a wisp clone of the same template gets.
    let mut clone = pre.instantiate_new().unwrap();
    let on_wisp: Vec<u64> = (0..3).map(|_| clone.call::<(), u64>("math_rand", ()).unwrap()).collect();
    let fresh = start(&me, &snap);
    let (mut fs, fi) = fresh;
    let on_wasmi: Vec<u64> = (0..3).map(|_| call::<(), i64>(&mut fs, &fi, "math_rand", ()) as u64).collect();
    assert_eq!(on_wisp, on_wasmi);
}

#[test]
fn snapshots_of_add_and_strings_run_on_wasmi() {
    let me = wasmi::Engine::default();
    let engine = wisp::Engine::default();
    let out = template(&engine, &fixture("add.wasm")).snapshot().to_wasm().unwrap();
    let (mut s, i) = wasmi_host::start(&me, &wasmi::Module::new(&me, &out[..]).unwrap());
    for (a, b) in [(1, 2), (-5, 3), (i32::MAX, 1)] {
        assert_eq!(call::<(i32, i32), i32>(&mut s, &i, "add", (a, b)), a.wrapping_add(b));
    }
    // The same module on wisp, without `_initialize`: the exports work at once.
    let module = wisp::Module::new(&engine, &out).unwrap();
    let (mut ws, wi) = wisp_benches::wisp_host::start(&engine, &module);
    let add = wi.get_typed_func::<(i32, i32), i32>(&ws, "add").unwrap();
    assert_eq!(add.call(&mut ws, (20, 22)).unwrap(), 42);

    // strings: alloc/free and a packed result through the guest's allocator.
    let out = template(&engine, &fixture("strings.wasm")).snapshot().to_wasm().unwrap();
    let (mut s, i) = wasmi_host::start(&me, &wasmi::Module::new(&me, &out[..]).unwrap());
    let input = b"hello snapshot";
    let p = call::<u32, u32>(&mut s, &i, "alloc", input.len() as u32);
    let mem = i.get_memory(&s, "memory").unwrap();
    mem.write(&mut s, p as usize, input).unwrap();
    let packed = call::<(u32, u32), u64>(&mut s, &i, "reverse", (p, input.len() as u32));
    let (rp, rl) = ((packed >> 32) as usize, (packed & 0xffff_ffff) as usize);
    let mut got = vec![0u8; rl];
    mem.read(&s, rp, &mut got).unwrap();
    assert_eq!(got, b"tohspans olleh");
}
