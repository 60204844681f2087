//! Long-running use of a Go reactor leaves nothing behind: 100,000 calls of `add` keep guest
//! memory, store objects and the process's resident memory flat, and instantiating the same
//! module in many stores one after another does not grow the process.
//!
//! One test in its own binary, so that no other test allocates while the resident set size
//! is measured.

use std::path::Path;
use wisp::{Engine, Module};
use wisp_wasi::GoReactor;

#[path = "support/rss.rs"]
mod rss;
use rss::{mib, rss_bytes};

fn add_module(engine: &Engine) -> Module {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/go/add.wasm");
    Module::new(engine, std::fs::read(path).unwrap()).unwrap()
}

fn reactor(engine: &Engine, module: &Module) -> GoReactor {
    GoReactor::builder().forward_stderr(false).capture_stdout(true).instantiate(engine, module).unwrap()
}

#[test]
fn long_running_reactors_stay_flat() {
    let engine = Engine::default();
    let module = add_module(&engine);

    // 100,000 calls in a row on one instance.
    let mut go = reactor(&engine, &module);
    let add = go.func::<(i32, i32), i32>("add").unwrap();
    // Warm up: the first calls translate functions and may let Go's allocator settle.
    for i in 0..1_000 {
        assert_eq!(go.call_func(&add, (i, 1)).unwrap(), i + 1);
    }
    let counts = go.store().object_counts();
    let pages = go.memory().size(go.store()).unwrap();
    let rss = rss_bytes();
    let t = std::time::Instant::now();
    for i in 0..100_000i32 {
        let (a, b) = (i.wrapping_mul(7919), i ^ 0x5555);
        assert_eq!(go.call_func(&add, (a, b)).unwrap(), a.wrapping_add(b));
    }
    let elapsed = t.elapsed();
    assert_eq!(go.memory().size(go.store()).unwrap(), pages, "guest memory grew");
    assert_eq!(go.store().object_counts(), counts, "store objects changed");
    assert!(go.stdout().unwrap().is_empty() && go.stderr().is_empty());
    if let (Some(before), Some(after)) = (rss, rss_bytes()) {
        eprintln!("100,000 add calls: {elapsed:.2?}; RSS {:.1} -> {:.1} MiB", mib(before), mib(after));
        // Anything per call (even 100 bytes) would show as 10 MB here.
        assert!(after <= before + 8 * 1024 * 1024, "RSS grew from {before} to {after} bytes over 100,000 calls");
    }
    drop(go);

    // Many stores, one after another, each instantiated and initialized, then dropped.
    let one = reactor(&engine, &module);
    let per_instance = one.store().object_counts().memory_bytes;
    drop(one);
    for _ in 0..5 {
        drop(reactor(&engine, &module));
    }
    let before = rss_bytes();
    let rounds = 40;
    for i in 0..rounds {
        let mut go = reactor(&engine, &module);
        assert_eq!(go.call::<(i32, i32), i32>("add", (i, 2)).unwrap(), i + 2);
    }
    if let (Some(before), Some(after)) = (before, rss_bytes()) {
        eprintln!(
            "{rounds} stores: RSS {:.1} -> {:.1} MiB (guest memory per instance {:.1} MiB)",
            mib(before),
            mib(after),
            mib(per_instance)
        );
        // A leaked instance would keep at least its guest memory: `rounds` of them would be
        // far more than this bound.
        let bound = (rounds as usize * per_instance) / 4;
        assert!(
            after <= before + bound,
            "RSS grew from {before} to {after} bytes over {rounds} instantiations (bound {bound})"
        );
    }
}
