//! Compile + instantiate + `_initialize` of a Go reactor in a loop, for perf:
//! `cargo run --release -p wisp-benches --example profile_start -- [FILE] [ITERATIONS]`
//!
//! Prints the time per iteration of each phase. `WASMI=1` runs the same loop on wasmi
//! (`instantiate_and_start` counted as instantiation); `PRETRANSLATE=1` translates every
//! function of wisp's module up front (counted in `Module::new`).
use std::time::{Duration, Instant};

mod wasmi_host {
    wisp_benches::shim_host!(wasmi, wasmi::Error::i32_exit, instantiate_and_start);
}

/// Times of one iteration: module, instantiation, `_initialize`.
type Phases = (Duration, Duration, Duration);

fn wisp_iteration(engine: &wisp::Engine, bytes: &[u8]) -> Phases {
    let t0 = Instant::now();
    let module = wisp::Module::new(engine, bytes).unwrap();
    if std::env::var("PRETRANSLATE").is_ok() {
        module.translate_all();
    }
    let t1 = Instant::now();
    let mut store = wisp::Store::new(engine, ());
    let inst = wisp_benches::wisp_host::linker(engine).instantiate(&mut store, &module).unwrap();
    let t2 = Instant::now();
    inst.get_typed_func::<(), ()>(&store, "_initialize").unwrap().call(&mut store, ()).unwrap();
    (t1 - t0, t2 - t1, t2.elapsed())
}

fn wasmi_iteration(engine: &wasmi::Engine, bytes: &[u8]) -> Phases {
    let t0 = Instant::now();
    let module = wasmi::Module::new(engine, bytes).unwrap();
    let t1 = Instant::now();
    let mut store = wasmi::Store::new(engine, ());
    let inst = wasmi_host::linker(engine).instantiate_and_start(&mut store, &module).unwrap();
    let t2 = Instant::now();
    inst.get_typed_func::<(), ()>(&store, "_initialize").unwrap().call(&mut store, ()).unwrap();
    (t1 - t0, t2 - t1, t2.elapsed())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let file = args.get(1).map(String::as_str).unwrap_or("go/add.wasm");
    let iters: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(50);
    let bytes = wisp_benches::fixture(file);
    let mut iteration: Box<dyn FnMut() -> Phases> = if std::env::var("WASMI").is_ok() {
        let engine = wasmi::Engine::default();
        Box::new(move || wasmi_iteration(&engine, &bytes))
    } else {
        let engine = wisp::Engine::default();
        Box::new(move || wisp_iteration(&engine, &bytes))
    };
    let t = Instant::now();
    let (mut decode, mut inst_time, mut start) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for _ in 0..iters {
        let (d, i, s) = iteration();
        decode += d;
        inst_time += i;
        start += s;
    }
    eprintln!(
        "per iteration: Module::new {:?}, instantiate {:?}, _initialize {:?}, total {:?}",
        decode / iters,
        inst_time / iters,
        start / iters,
        t.elapsed() / iters
    );
}
