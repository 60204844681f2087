//! Runs one Go bench export on wisp in a loop, for perf/callgrind:
//! `cargo run --release -p wisp-benches --example profile_go -- fib 27 [iterations]`
//! (`pings` and `churn` run `fixtures/go/hostcall.wasm` with the bench's host functions).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let export = args.get(1).map(String::as_str).unwrap_or("fib");
    let n: i32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(27);
    let iters: u32 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let hostcall = matches!(export, "pings" | "churn");
    let bytes = wisp_benches::fixture(if hostcall { "go/hostcall.wasm" } else { "go/bench.wasm" });
    let engine = wisp::Engine::default();
    let module = wisp::Module::new(&engine, &bytes).unwrap();
    let (mut store, inst) = if hostcall {
        wisp_benches::wisp_host::start_hostcall(&engine, &module)
    } else {
        wisp_benches::wisp_host::start(&engine, &module)
    };
    let f = inst.get_func(&store, export).unwrap();
    let ty = f.ty(&store).expect("a function of this store");
    let t = std::time::Instant::now();
    for _ in 0..iters {
        let mut out = vec![wisp::Val::I32(0); ty.results().len()];
        let params: Vec<wisp::Val> = ty
            .params()
            .iter()
            .enumerate()
            .map(|(i, t)| match t {
                wisp::ValType::I64 => wisp::Val::I64(if i == 0 { n as i64 } else { 42 }),
                _ => wisp::Val::I32(n),
            })
            .collect();
        f.call(&mut store, &params, &mut out).unwrap();
        eprintln!("{export}({n}) = {:?}", out);
    }
    eprintln!("{:?}", t.elapsed());
}
