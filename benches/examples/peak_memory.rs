//! The same work on wisp or wasmi, for peak-RSS comparison with `/usr/bin/time -v`:
//! load a Go reactor, run `_initialize`, call `add(1, 2)` 1000 times.
//! `cargo run --release -p wisp-benches --example peak_memory -- wisp|wasmi [FILE]`
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let engine_name = args.get(1).map(String::as_str).unwrap_or("wisp");
    let bytes = wisp_benches::fixture(args.get(2).map(String::as_str).unwrap_or("go/add.wasm"));
    let mut sum = 0i64;
    match engine_name {
        "wisp" => {
            let engine = wisp::Engine::default();
            let module = wisp::Module::new(&engine, &bytes).unwrap();
            let (mut store, inst) = wisp_benches::wisp_host::start(&engine, &module);
            let add = inst.get_typed_func::<(i32, i32), i32>(&store, "add").unwrap();
            for _ in 0..1000 {
                sum += add.call(&mut store, (1, 2)).unwrap() as i64;
            }
        }
        "wasmi" => {
            let engine = wasmi::Engine::default();
            let module = wasmi::Module::new(&engine, &bytes[..]).unwrap();
            let mut store = wasmi::Store::new(&engine, ());
            let inst = wasmi_shim::linker(&engine).instantiate_and_start(&mut store, &module).unwrap();
            inst.get_typed_func::<(), ()>(&store, "_initialize").unwrap().call(&mut store, ()).unwrap();
            let add = inst.get_typed_func::<(i32, i32), i32>(&store, "add").unwrap();
            for _ in 0..1000 {
                sum += add.call(&mut store, (1, 2)).unwrap() as i64;
            }
        }
        other => panic!("unknown engine {other}"),
    }
    println!("{engine_name}: sum = {sum}");
}

mod wasmi_shim {
    // Only `linker` is used here.
    #![allow(dead_code)]
    wisp_benches::shim_host!(wasmi, wasmi::Error::i32_exit, instantiate_and_start);
}
