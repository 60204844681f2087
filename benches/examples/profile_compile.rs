//! Eager translation of a module in a loop, for callgrind and perf:
//! `cargo run --release -p wisp-benches --example profile_compile -- [FILE] [ITERATIONS]`
//!
//! Each iteration is what the `compile(FILE)` benchmark group times: `Module::new` with eager
//! compilation on wisp; `WASMI=1` runs wasmi's eager compilation instead, in the same harness;
//! `LAZY=1` is wisp's `Module::new` (lazy translation) followed by `translate_all`, and with
//! `WASMI=1` wasmi's `Module::new` in its default (lazy) mode: the `compile-lazy` group's work,
//! which is `Module::new`'s inclusive count in wisp's run, or all of it with `NEW_ONLY=1` (no
//! `translate_all`). `WASM3=1` switches on all of WebAssembly 3.0 on wisp. Prints the time per
//! iteration.
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let file = args.get(1).map(String::as_str).unwrap_or("c/gen.wasm");
    let iters: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let bytes = wisp_benches::fixture(file);
    let t = Instant::now();
    if std::env::var("WASMI").is_ok() {
        let mut config = wasmi::Config::default();
        if std::env::var("LAZY").is_err() {
            config.compilation_mode(wasmi::CompilationMode::Eager);
        }
        let engine = wasmi::Engine::new(&config);
        for _ in 0..iters {
            drop(wasmi::Module::new(&engine, &bytes[..]).unwrap());
        }
    } else {
        let lazy = std::env::var("LAZY").is_ok();
        let translate = lazy && std::env::var("NEW_ONLY").is_err();
        let mut config = wisp::Config::default();
        if std::env::var("WASM3").is_ok() {
            config.features(wisp::Features::wasm3());
        }
        if !lazy {
            config.compilation_mode(wisp::CompilationMode::Eager);
        }
        let engine = wisp::Engine::new(&config);
        for _ in 0..iters {
            let module = wisp::Module::new(&engine, &bytes).unwrap();
            if translate {
                module.translate_all();
            }
            drop(module);
        }
    }
    eprintln!("{file}: {:?} per iteration", t.elapsed() / iters);
}
