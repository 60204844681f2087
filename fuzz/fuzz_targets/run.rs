//! A wasm-smith module (made to terminate) instantiated in a store with small limits and fuel,
//! every export called: wisp may trap or refuse, never panic, hang or exhaust the host.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wisp::{Config, Engine, Extern, Linker, Module, Store, StoreLimits, StoreLimitsBuilder, Val, ValType};
use wisp_difftest::{generate, FUEL, FUEL_EXPORT};

fn zero(t: ValType) -> Val {
    match t {
        ValType::I32 => Val::I32(0),
        ValType::I64 => Val::I64(0),
        ValType::F32 => Val::F32(0),
        ValType::F64 => Val::F64(0),
        ValType::EXTERNREF => Val::ExternRef(None),
        _ => Val::FuncRef(None),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(bytes) = generate(data) else { return };
    let mut config = Config::new();
    config.max_stack_slots(16 * 1024).max_call_depth(500).consume_fuel(true);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, &bytes).expect("wasm-smith modules are valid");
    let limits = StoreLimitsBuilder::new().memory_size(2 << 20).table_elements(5_000).instances(2).build();
    let mut store: Store<StoreLimits> = Store::new(&engine, limits);
    store.limiter(|l| l);
    let Ok(instance) = Linker::new(&engine).instantiate(&mut store, &module) else { return };
    let fuel = instance.get_global(&store, FUEL_EXPORT).expect("fuel exported");
    for (_, ext) in instance.exports(&store).expect("an instance of this store") {
        let Extern::Func(f) = ext else { continue };
        let ty = f.ty(&store).expect("a function of this store");
        let args: Vec<Val> = ty.params().iter().map(|&t| zero(t)).collect();
        let mut results: Vec<Val> = ty.results().iter().map(|&t| zero(t)).collect();
        fuel.set(&mut store, Val::I32(FUEL as i32)).unwrap();
        // wisp's own fuel bounds every call too, whatever the module does.
        store.set_fuel(1_000_000).unwrap();
        let _ = f.call(&mut store, &args, &mut results);
    }
});
