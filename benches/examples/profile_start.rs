//! Compile + instantiate + `_initialize` of a Go reactor in a loop, for perf:
//! `cargo run --release -p wisp-benches --example profile_start -- [FILE] [ITERATIONS]`
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let file = args.get(1).map(String::as_str).unwrap_or("go/add.wasm");
    let iters: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(50);
    let bytes = wisp_benches::fixture(file);
    let engine = wisp::Engine::default();
    let t = std::time::Instant::now();
    let (mut decode, mut start, mut inst_time) =
        (std::time::Duration::ZERO, std::time::Duration::ZERO, std::time::Duration::ZERO);
    for _ in 0..iters {
        let t0 = std::time::Instant::now();
        let module = wisp::Module::new(&engine, &bytes).unwrap();
        if std::env::var("PRETRANSLATE").is_ok() {
            module.translate_all();
        }
        let t1 = std::time::Instant::now();
        let mut store = wisp::Store::new(&engine, ());
        let inst = wisp_benches::wisp_host::linker(&engine).instantiate(&mut store, &module).unwrap();
        let t2 = std::time::Instant::now();
        inst.get_typed_func::<(), ()>(&store, "_initialize").unwrap().call(&mut store, ()).unwrap();
        decode += t1 - t0;
        inst_time += t2 - t1;
        start += t2.elapsed();
    }
    eprintln!(
        "per iteration: Module::new {:?}, instantiate {:?}, _initialize {:?}, total {:?}",
        decode / iters,
        inst_time / iters,
        start / iters,
        t.elapsed() / iters
    );
}
