//! Instantiation of an already compiled module in a loop, for callgrind and perf:
//! `cargo run --release -p wisp-benches --example profile_instantiate -- [FILE] [ITERATIONS]`
//!
//! Each iteration is what the `instantiate(FILE)` benchmark group times: a fresh `Store`, the
//! imports resolved by a linker made once (the C commands' stdio shim), memories, tables,
//! globals and segments, and a first call of `_start`; dropped at the end. `WASMI=1` runs the
//! same loop on wasmi (`instantiate_and_start`); `NO_CALL=1` leaves out the call. Prints the
//! time per iteration. For callgrind, the iterations' cost is the difference of two runs with
//! different counts (the module's compilation is in both).
use std::time::Instant;

mod wasmi_host {
    wisp_benches::shim_host!(wasmi, wasmi::Error::i32_exit, instantiate_and_start);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let file = args.get(1).map(String::as_str).unwrap_or("c/hello.wasm");
    let iters: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let call = std::env::var("NO_CALL").is_err();
    let bytes = wisp_benches::fixture(file);
    let t;
    if std::env::var("WASMI").is_ok() {
        let engine = wasmi::Engine::default();
        let module = wasmi::Module::new(&engine, &bytes[..]).unwrap();
        let linker = wasmi_host::command_linker(&engine);
        t = Instant::now();
        for _ in 0..iters {
            let mut store = wasmi::Store::new(&engine, ());
            let inst = linker.instantiate_and_start(&mut store, &module).unwrap();
            if call {
                inst.get_typed_func::<(), ()>(&store, "_start").unwrap().call(&mut store, ()).unwrap();
            }
        }
    } else {
        let engine = wisp::Engine::default();
        let module = wisp::Module::new(&engine, &bytes).unwrap();
        let linker = wisp_benches::wisp_host::command_linker(&engine);
        t = Instant::now();
        for _ in 0..iters {
            let mut store = wisp::Store::new(&engine, ());
            let inst = linker.instantiate(&mut store, &module).unwrap();
            if call {
                inst.get_typed_func::<(), ()>(&store, "_start").unwrap().call(&mut store, ()).unwrap();
            }
        }
    }
    eprintln!("{file}: {:?} per iteration", t.elapsed() / iters);
}
