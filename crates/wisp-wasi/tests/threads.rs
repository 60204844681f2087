//! One `Engine` and one `Module` shared by threads, each with its own `Store`: Go reactors
//! instantiated and called at the same time give the same answers as on one thread.

use std::sync::{Arc, Barrier};
use wisp::{Engine, Module};
use wisp_wasi::GoReactor;

fn fixture(name: &str) -> Vec<u8> {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/go/").to_string() + name;
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

#[test]
fn threads_share_one_module_and_call_go_reactors_concurrently() {
    const THREADS: usize = 4;
    let engine = Engine::default();
    let add = Module::new(&engine, fixture("add.wasm")).unwrap();
    let bench = Module::new(&engine, fixture("bench.wasm")).unwrap();
    let start = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (engine, add, bench, start) = (engine.clone(), add.clone(), bench.clone(), start.clone());
            std::thread::spawn(move || {
                // Everyone instantiates at once, then calls at once.
                start.wait();
                let mut a = GoReactor::new(&engine, &add).unwrap();
                let mut b = GoReactor::new(&engine, &bench).unwrap();
                start.wait();
                for i in 0..200i32 {
                    let x = i * 1000 + t as i32;
                    assert_eq!(a.call::<(i32, i32), i32>("add", (x, 7)).unwrap(), x + 7);
                }
                assert_eq!(b.call::<i32, i64>("fib", 20).unwrap(), 6765);
                assert_eq!(b.call::<i32, i32>("sieve", 10_000).unwrap(), 1229);
                assert_eq!(b.call::<(i32, i64), i64>("sort_ints", (1000, 42)).unwrap(), -8665970923497830212);
                t
            })
        })
        .collect();
    let mut done: Vec<usize> = handles.into_iter().map(|h| h.join().expect("thread finished")).collect();
    done.sort();
    assert_eq!(done, (0..THREADS).collect::<Vec<_>>());
}

#[test]
fn a_store_moves_to_another_thread() {
    let engine = Engine::default();
    let module = Module::new(&engine, fixture("add.wasm")).unwrap();
    let mut go = GoReactor::new(&engine, &module).unwrap();
    assert_eq!(go.call::<(i32, i32), i32>("add", (1, 2)).unwrap(), 3);
    let mut go = std::thread::spawn(move || {
        assert_eq!(go.call::<(i32, i32), i32>("add", (3, 4)).unwrap(), 7);
        go
    })
    .join()
    .unwrap();
    assert_eq!(go.call::<(i32, i32), i32>("add", (5, 6)).unwrap(), 11);
}
