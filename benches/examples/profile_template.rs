//! The measured parts of the `template/*` bench groups in a loop, for callgrind:
//! `cargo run --profile bench -p wisp-benches --example profile_template -- MODE [ITERATIONS]`
//! with MODE `fresh` (instantiate `add.wasm`, `_initialize`, `add`), `init-file` (instantiate
//! the module `wisp snapshot` writes of it, `add`) or `clone` (a `GoReactorPre` clone, `add`).
//! Both modules are compiled (and their code translated by a first run) outside the measured
//! function `measured`, as in the bench groups; `WASMI=1` runs wasmi's side of `fresh` and
//! `init-file`. Count one mode's instructions alone with
//! `valgrind --tool=callgrind --toggle-collect='*measured*' target/release/examples/profile_template init-file 20`.
use std::time::{Duration, Instant};

mod wasmi_host {
    wisp_benches::shim_host!(wasmi, wasmi::Error::i32_exit, instantiate_and_start);
}

#[inline(never)]
fn measured(f: &dyn Fn() -> i32, iters: u32) {
    for _ in 0..iters {
        assert_eq!(std::hint::black_box(f()), 3);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map(String::as_str).unwrap_or("init-file");
    let iters: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let bytes = wisp_benches::fixture("go/add.wasm");
    let engine = wisp::Engine::default();
    let module = wisp::Module::new(&engine, &bytes).unwrap();
    let quiet = || wisp_wasi::GoReactor::builder().forward_stderr(false);
    let init_bytes = {
        let clock = wisp_wasi::VirtualClock::new(Duration::ZERO);
        let wasi = wisp_wasi::WasiCtx::builder().args(["add.wasm"]).monotonic_clock(clock);
        quiet().wasi(wasi).pre(&engine, &module).unwrap().snapshot().to_wasm().unwrap()
    };
    let f: Box<dyn Fn() -> i32> = match (mode, std::env::var_os("WASMI").is_some()) {
        ("clone", _) => {
            let pre = quiet().pre(&engine, &module).unwrap();
            Box::new(move || pre.instantiate_new().unwrap().call::<(i32, i32), i32>("add", (1, 2)).unwrap())
        }
        ("fresh", false) => Box::new(move || {
            let (mut s, i) = wisp_benches::wisp_host::start(&engine, &module);
            i.get_typed_func::<(i32, i32), i32>(&s, "add").unwrap().call(&mut s, (1, 2)).unwrap()
        }),
        ("init-file", false) => {
            let m = wisp::Module::new(&engine, &init_bytes).unwrap();
            Box::new(move || {
                let mut s = wisp::Store::new(&engine, ());
                let i = wisp_benches::wisp_host::linker(&engine).instantiate(&mut s, &m).unwrap();
                i.get_typed_func::<(i32, i32), i32>(&s, "add").unwrap().call(&mut s, (1, 2)).unwrap()
            })
        }
        ("fresh", true) => {
            let engine = wasmi::Engine::default();
            let m = wasmi::Module::new(&engine, &bytes[..]).unwrap();
            Box::new(move || {
                let (mut s, i) = wasmi_host::start(&engine, &m);
                i.get_typed_func::<(i32, i32), i32>(&s, "add").unwrap().call(&mut s, (1, 2)).unwrap()
            })
        }
        ("init-file", true) => {
            let engine = wasmi::Engine::default();
            let m = wasmi::Module::new(&engine, &init_bytes[..]).unwrap();
            Box::new(move || {
                let mut s = wasmi::Store::new(&engine, ());
                let i = wasmi_host::linker(&engine).instantiate_and_start(&mut s, &m).unwrap();
                i.get_typed_func::<(i32, i32), i32>(&s, "add").unwrap().call(&mut s, (1, 2)).unwrap()
            })
        }
        _ => panic!("mode: fresh, init-file or clone"),
    };
    // The first run translates what the call path needs (cached in the module): outside.
    assert_eq!(f(), 3);
    let t = Instant::now();
    measured(&*f, iters);
    eprintln!("{mode}: {:?} per iteration", t.elapsed() / iters);
}
