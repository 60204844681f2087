//! Runs one export of fixtures/c/bench.wasm on wisp in a loop, for perf:
//! `cargo run --release -p wisp-benches --example profile_c -- EXPORT ARG [ITERATIONS]`
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let export = args.get(1).map(String::as_str).unwrap_or("mix");
    let n: i32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let iters: u32 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(3);
    let bytes = wisp_benches::fixture("c/bench.wasm");
    let engine = wisp::Engine::default();
    let module = wisp::Module::new(&engine, &bytes).unwrap();
    let mut store = wisp::Store::new(&engine, ());
    let inst = wisp::Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let f = inst.get_func(&store, export).unwrap();
    let ty = f.ty(&store);
    let t = std::time::Instant::now();
    for _ in 0..iters {
        let mut out = vec![wisp::Val::I32(0); ty.results().len()];
        let params: Vec<wisp::Val> = ty.params().iter().map(|_| wisp::Val::I32(n)).collect();
        f.call(&mut store, &params, &mut out).unwrap();
        eprintln!("{export}({n}) = {out:?}");
    }
    eprintln!("{:?}", t.elapsed() / iters);
}
