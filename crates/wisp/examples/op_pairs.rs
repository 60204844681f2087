//! Runs one export on the portable loop and prints the instructions and back-to-back pairs
//! that ran most often: `cargo run --release -p wisp --features op-profile --example op_pairs
//! -- FILE EXPORT [I32_ARG,...] [TOP]`. Exports of WASI modules are not supported (no imports).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&args[1]).expect("read the module");
    let export = &args[2];
    let vals: Vec<i32> = args.get(3).map_or(vec![], |s| s.split(',').map(|v| v.parse().unwrap()).collect());
    let top: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(40);
    let mut config = wisp::Config::new();
    config.dispatch(wisp::Dispatch::Portable);
    let engine = wisp::Engine::new(&config);
    let module = wisp::Module::new(&engine, &bytes).expect("compile");
    let mut store = wisp::Store::new(&engine, ());
    let inst = wisp::Linker::new(&engine).instantiate(&mut store, &module).expect("instantiate");
    let f = inst.get_func(&store, export).expect("no such export");
    let ty = f.ty(&store).expect("a function of this store");
    let params: Vec<wisp::Val> =
        (0..ty.params().len()).map(|i| wisp::Val::I32(*vals.get(i).or(vals.last()).unwrap_or(&0))).collect();
    let mut out = vec![wisp::Val::I32(0); ty.results().len()];
    wisp::op_profile::take();
    f.call(&mut store, &params, &mut out).expect("call");
    let c = wisp::op_profile::take();
    println!("{export}{vals:?} = {out:?}: {} instructions", c.total());
    c.print_top(top);
}
