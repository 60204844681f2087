//! Reactor templates (`GoReactorPre`, `wisp::Snapshot`): clones start where `_initialize` left
//! the template, share nothing written afterwards, and see the host the way the module docs
//! of `wisp_wasi::GoReactorPre` decide (clock continued, seeds shared, crypto/rand fresh).

mod support;

use std::sync::Arc;
use std::time::Duration;
use support::fixtures_dir;
use wisp_wasi::{GoReactor, GoReactorPre, ReactorError, WasiCtx};

fn module(engine: &wisp::Engine, name: &str) -> wisp::Module {
    let bytes = std::fs::read(fixtures_dir().join(format!("go/{name}.wasm"))).unwrap();
    wisp::Module::new(engine, bytes).unwrap()
}

fn pre(name: &str) -> GoReactorPre {
    let engine = wisp::Engine::default();
    let m = module(&engine, name);
    GoReactor::builder().capture_stdout(true).forward_stderr(false).pre(&engine, &m).unwrap()
}

/// State written through one clone (a counter, a map entry, a goroutine left running) is
/// absent from the next clone, and from the template.
#[test]
fn clones_are_isolated() {
    let pre = pre("snap");
    let mut a = pre.instantiate_new().unwrap();
    assert_eq!(a.call::<_, i64>("incr", ()).unwrap(), 1);
    assert_eq!(a.call::<_, i64>("incr", ()).unwrap(), 2);
    a.call::<_, ()>("put", (7i32, 70i32)).unwrap();
    assert_eq!(a.call::<_, i32>("store_len", ()).unwrap(), 2);
    assert!(a.call::<_, i32>("background", ()).unwrap() != 0);
    assert!(a.call::<_, i64>("wait_ticks", 20i32).unwrap() > 0);

    let mut b = pre.instantiate_new().unwrap();
    assert_eq!(b.call::<_, i64>("incr", ()).unwrap(), 1);
    assert_eq!(b.call::<_, i32>("get_v", 7i32).unwrap(), -1);
    assert_eq!(b.call::<_, i32>("get_v", 1i32).unwrap(), 10, "the map an init built is in every clone");
    assert_eq!(b.call::<_, i32>("store_len", ()).unwrap(), 1);
    assert_eq!(b.call::<_, i64>("wait_ticks", 5i32).unwrap(), 0, "a goroutine of another clone ran here");
    assert!(b.call::<_, i32>("background", ()).unwrap() != 0, "the goroutine was already started");
    // The first clone still has its own state.
    assert_eq!(a.call::<_, i64>("incr", ()).unwrap(), 3);
    assert_eq!(a.call::<_, i32>("get_v", 7i32).unwrap(), 70);
    // The template's snapshot is unchanged: its memory holds no trace of either clone.
    let mut c = pre.instantiate_new().unwrap();
    assert_eq!(c.call::<_, i64>("incr", ()).unwrap(), 1);
}

/// Goroutines and timers work in a clone; `time.Since` of a value taken during `_initialize`
/// is never negative, even when the clone's own clock starts far behind the template's.
#[test]
fn clocks_continue_and_timers_fire() {
    let pre = pre("snap");
    // The template's clock ran through Go's start-up, so it is well past zero at capture;
    // a clone's fresh system clock starts at zero.
    let mut go = pre.instantiate_new().unwrap();
    let since = go.call::<_, i64>("since_init_ns", ()).unwrap();
    assert!(since >= 0, "time.Since(initTime) = {since} ns in a fresh clone");
    assert!(go.call::<_, i32>("timer_ms", 5i32).unwrap() != 0);
    assert!(go.call::<_, i32>("background", ()).unwrap() != 0);
    assert!(go.call::<_, i64>("wait_ticks", 30i32).unwrap() > 0);
    let later = go.call::<_, i64>("since_init_ns", ()).unwrap();
    assert!(later >= since + 30_000_000, "{later} after a 30 ms sleep, {since} before");

    // A clone on a virtual clock, which starts at its own origin: continued all the same.
    let engine = pre.engine().clone();
    let ctx = WasiCtx::builder().deterministic(1).build();
    let mut go = pre.instantiate(wisp::Store::new(&engine, ctx)).unwrap();
    let since = go.call::<_, i64>("since_init_ns", ()).unwrap();
    assert!(since >= 0, "time.Since(initTime) = {since} ns on a virtual clock");
    assert!(go.call::<_, i32>("timer_ms", 50i32).unwrap() != 0);
}

/// The runtime's generator was seeded at init, so it gives every clone the same sequence
/// (the documented decision); crypto/rand reads `random_get` and differs per clone.
#[test]
fn random_seeds_shared_crypto_fresh() {
    let pre = pre("snap");
    let mut a = pre.instantiate_new().unwrap();
    let mut b = pre.instantiate_new().unwrap();
    let ma: Vec<u64> = (0..4).map(|_| a.call::<_, u64>("math_rand", ()).unwrap()).collect();
    let mb: Vec<u64> = (0..4).map(|_| b.call::<_, u64>("math_rand", ()).unwrap()).collect();
    assert_eq!(ma, mb, "math/rand/v2 draws from the runtime generator seeded once, at init");
    let ca = a.call::<_, u64>("crypto_rand", ()).unwrap();
    let cb = b.call::<_, u64>("crypto_rand", ()).unwrap();
    assert_ne!(ca, cb, "crypto/rand must read the host's randomness in each clone");
    // With seeded random sources, crypto/rand follows each clone's own source.
    let engine = pre.engine().clone();
    let seeded = |seed| {
        let ctx = WasiCtx::builder().random(wisp_wasi::SeededRandom::new(seed)).build();
        pre.instantiate(wisp::Store::new(&engine, ctx)).unwrap()
    };
    let (x, y) =
        (seeded(5).call::<_, u64>("crypto_rand", ()).unwrap(), seeded(5).call::<_, u64>("crypto_rand", ()).unwrap());
    assert_eq!(x, y);
}

/// Arguments, environment and preopens are the template's, whatever the clone's context had.
#[test]
fn args_env_preopens_are_the_templates() {
    let engine = wisp::Engine::default();
    let m = module(&engine, "state");
    let dir = fixtures_dir().join("go/state/testdata");
    let wasi = WasiCtx::builder()
        .args(["state.wasm", "one", "two"])
        .env("WISP_TEST", "template")
        .preopened_dir_read_only(&dir, "/data")
        .unwrap();
    let pre = GoReactor::builder().wasi(wasi).forward_stderr(false).pre(&engine, &m).unwrap();
    let ctx = WasiCtx::builder().args(["other"]).env("WISP_TEST", "clone").build();
    let mut go = pre.instantiate(wisp::Store::new(&engine, ctx)).unwrap();
    assert_eq!(go.call::<_, i32>("args_len", ()).unwrap(), 3);
    assert_eq!(go.data().args().count(), 3, "the clone's context has the template's arguments");
    assert!(go.data().env().any(|e| e == b"WISP_TEST=template"));
    let names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert!(!names.is_empty());
    let scratch = go.call::<_, u32>("scratch", ()).unwrap();
    let memory = go.memory();
    memory.write_bytes(go.store_mut(), scratch, b"/data").unwrap();
    let packed = go.call::<_, u64>("list_dir", (scratch, 5u32)).unwrap();
    let listing = String::from_utf8(memory.read_packed(go.store(), packed).unwrap()).unwrap();
    for n in &names {
        assert!(listing.contains(n.as_str()), "{listing:?} lacks {n}");
    }
}

/// A clone that panics, exits or runs out of fuel dies alone: the template and other clones
/// carry on.
#[test]
fn failures_stay_in_their_clone() {
    let pre = pre("snap");
    let mut bad = pre.instantiate_new().unwrap();
    bad.call::<_, i64>("incr", ()).unwrap();
    match bad.call::<_, ()>("boom", ()) {
        Err(ReactorError::Panic { message, .. }) => assert_eq!(message, "snap: boom"),
        other => panic!("expected a panic, got {other:?}"),
    }
    assert!(bad.is_dead());
    let mut good = pre.instantiate_new().unwrap();
    assert_eq!(good.call::<_, i64>("incr", ()).unwrap(), 1);

    let state = self::pre("state");
    let mut exits = state.instantiate_new().unwrap();
    assert!(matches!(exits.call::<_, ()>("exit_with", 4i32), Err(ReactorError::Exit(4))));
    assert_eq!(state.instantiate_new().unwrap().call::<_, i64>("incr", ()).unwrap(), 1);

    // Fuel: the template initializes with plenty; a clone given little runs out in `spin`.
    let mut config = wisp::Config::new();
    config.consume_fuel(true);
    let engine = wisp::Engine::new(&config);
    let m = module(&engine, "snap");
    let mut linker = wisp::Linker::<WasiCtx>::new(&engine);
    wisp_wasi::add_to_linker(&mut linker, |c| c).unwrap();
    let mut store = wisp::Store::new(&engine, WasiCtx::builder().build());
    store.set_fuel(u64::MAX / 2).unwrap();
    let pre = GoReactor::builder().forward_stderr(false).pre_in(store, &linker, &m, |c| c).unwrap();
    let mut store = wisp::Store::new(&engine, WasiCtx::builder().build());
    store.set_fuel(1_000_000).unwrap();
    let mut starved = pre.instantiate(store).unwrap();
    assert!(starved.call::<_, i64>("spin", ()).is_err());
    assert!(starved.is_dead());
    let mut store = wisp::Store::new(&engine, WasiCtx::builder().build());
    store.set_fuel(100_000_000).unwrap();
    let mut fed = pre.instantiate(store).unwrap();
    assert_eq!(fed.call::<_, i64>("incr", ()).unwrap(), 1);

    // A deadline: the clone stops, the next one runs.
    let mut config = wisp::Config::new();
    config.interruptible(true);
    let engine = wisp::Engine::new(&config);
    let m = module(&engine, "snap");
    let pre = GoReactor::builder().forward_stderr(false).pre(&engine, &m).unwrap();
    let mut slow = pre.instantiate_new().unwrap();
    slow.set_timeout(Some(Duration::from_millis(20))).unwrap();
    assert!(matches!(slow.call::<_, i64>("spin", ()), Err(ReactorError::Stopped { .. })));
    assert_eq!(pre.instantiate_new().unwrap().call::<_, i64>("incr", ()).unwrap(), 1);
}

/// The warm-up export runs once, in the template: its effects are in every clone.
#[test]
fn warm_up_runs_in_the_template() {
    let engine = wisp::Engine::default();
    let m = module(&engine, "snap");
    let pre = GoReactor::builder().forward_stderr(false).warm_up("incr").pre(&engine, &m);
    // `incr` is () -> i64, not () -> (): refused with a signature error, not run.
    assert!(pre.is_err());
    let m = module(&engine, "state");
    let pre = GoReactor::builder().forward_stderr(false).warm_up("reset").pre(&engine, &m).unwrap();
    assert_eq!(pre.instantiate_new().unwrap().call::<_, i64>("incr", ()).unwrap(), 1);
}

/// Many threads clone one template and call concurrently: 4 threads, 10,000 clones.
#[test]
fn four_threads_ten_thousand_clones() {
    let pre = Arc::new(pre("add"));
    let per_thread = 2_500;
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let pre = pre.clone();
            std::thread::spawn(move || {
                for i in 0..per_thread {
                    let mut go = pre.instantiate_new().unwrap();
                    let (a, b) = (t * 1_000_000 + i, i);
                    assert_eq!(go.call::<_, i32>("add", (a, b)).unwrap(), a + b);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

/// A clone of a small reactor owns at most 1 MiB of memory after a trivial call (Linux, where
/// memories are copy-on-write: the rest is shared with the template).
#[cfg(target_os = "linux")]
#[test]
fn a_clone_owns_little_memory() {
    let pre = pre("add");
    let size = pre.snapshot().memory(0).unwrap().len();
    let mut go = pre.instantiate_new().unwrap();
    assert_eq!(go.call::<_, i32>("add", (2i32, 3i32)).unwrap(), 5);
    let own = go.memory().private_bytes(go.store()).unwrap();
    eprintln!("add.wasm clone: {own} private bytes of {size}");
    assert!(own <= 1 << 20, "{own} private bytes of {size}");
    let fresh = GoReactor::builder().forward_stderr(false).instantiate(pre.engine(), pre.snapshot().module()).unwrap();
    let all = fresh.memory().private_bytes(fresh.store()).unwrap();
    assert_eq!(all, fresh.memory().data_size(fresh.store()).unwrap(), "a fresh instance owns all its memory");
}

/// Clones of `pre()` write to the stdout the builder's WASI context had (a pipe here), not to
/// a closed descriptor; what `_initialize` printed went there once, from the template.
#[test]
fn clones_keep_the_builders_stdout() {
    let engine = wisp::Engine::default();
    let m = module(&engine, "state");
    let out = wisp_wasi::Pipe::new();
    let wasi = WasiCtx::builder().stdout(wisp_wasi::Stdio::Pipe(out.clone()));
    let pre = GoReactor::builder().wasi(wasi).forward_stderr(false).pre(&engine, &m).unwrap();
    assert_eq!(out.contents_string(), "state: init\n");
    let mut go = pre.instantiate_new().unwrap();
    go.call::<_, i64>("incr", ()).unwrap();
    go.call::<_, ()>("say", ()).unwrap();
    assert_eq!(out.contents_string(), "state: init\nstate: say 1\n");
}
