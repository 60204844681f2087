//! A wasm-smith module (made to terminate) instantiated in a store with small limits and fuel,
//! every export called: wisp may trap or refuse, never panic, hang or exhaust the host.
//! Generated with every 3.0 feature wisp executes (`smith_config_3_all` plus exceptions); when
//! the first byte's low bit is set, GC too, for typed function references (wasm-smith makes
//! them only with GC): wisp refuses the modules that use GC's types or operators
//! (`Error::Unsupported`) and runs the rest. Imports are provided: functions that return their
//! results' zero values (or trap, for one in four calls), and globals, memories and tables of the
//! import's type.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::atomic::{AtomicU32, Ordering};
use wisp::{
    Config, Engine, Error, Extern, ExternType, Func, Global, Linker, Memory, Module, Store, StoreLimits,
    StoreLimitsBuilder, Table, Tag, Val, ValType,
};
use wisp_difftest::{generate_with, smith_config_3_all, FUEL, FUEL_EXPORT};

fn zero(t: ValType) -> Val {
    Val::default_for(t)
}

/// Defines every import of `module` with a value of its type; false if one cannot be made.
fn provide(store: &mut Store<StoreLimits>, linker: &mut Linker<StoreLimits>, module: &Module) -> bool {
    for import in module.imports() {
        let ext: Extern = match &import.ty {
            ExternType::Func(ty) => {
                let results: Vec<ValType> = ty.results().to_vec();
                let calls = AtomicU32::new(0);
                Extern::Func(Func::new(&mut *store, ty.clone(), move |_, _, out| {
                    if calls.fetch_add(1, Ordering::Relaxed) % 4 == 3 {
                        return Err(Error::host("a failing host function"));
                    }
                    for (o, &t) in out.iter_mut().zip(&results) {
                        *o = zero(t);
                    }
                    Ok(())
                }))
            }
            ExternType::Global(g) => match Global::new(&mut *store, *g, zero(g.content)) {
                Ok(g) => Extern::Global(g),
                Err(_) => return false,
            },
            ExternType::Memory(m) => match Memory::new(&mut *store, *m) {
                Ok(m) => Extern::Memory(m),
                Err(_) => return false,
            },
            ExternType::Table(t) => match Table::new(&mut *store, *t, zero(ValType::Ref(t.element))) {
                Ok(t) => Extern::Table(t),
                Err(_) => return false,
            },
            ExternType::Tag(t) => match Tag::new(&mut *store, t.clone()) {
                Ok(t) => Extern::Tag(t),
                Err(_) => return false,
            },
            _ => return false,
        };
        if linker.define(&import.module, &import.name, ext).is_err() {
            return false;
        }
    }
    true
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let smith = wasm_smith_config(pick & 1 == 1);
    let Some(bytes) = generate_with(smith, rest) else { return };
    let mut config = Config::new();
    config
        .features(wisp::Features {
            gc: false,
            custom_page_sizes: true,
            wide_arithmetic: true,
            ..wisp::Features::wasm3()
        })
        .max_stack_slots(16 * 1024)
        .max_call_depth(500)
        .consume_fuel(true);
    let engine = Engine::new(&config);
    let module = match Module::new(&engine, &bytes) {
        Ok(m) => m,
        Err(Error::Unsupported(_)) => return,
        // GC is off in wisp: a module that uses it (its type forms decode only with GC since
        // 2026-12-06, its operators not at all) is rejected, and so must wasmparser reject it
        // without GC; anything else wisp rejects is a finding.
        Err(e) => {
            if wasmparser::Validator::new_with_features(wisp_difftest::wasmparser_features_wisp_runs())
                .validate_all(&bytes)
                .is_ok()
            {
                panic!("a wasm-smith module that needs no GC does not compile: {e}");
            }
            return;
        }
    };
    let limits = StoreLimitsBuilder::new().memory_size(2 << 20).table_elements(5_000).instances(2).build();
    let mut store: Store<StoreLimits> = Store::new(&engine, limits);
    store.limiter(|l| l);
    let mut linker = Linker::new(&engine);
    if !provide(&mut store, &mut linker, &module) {
        return;
    }
    store.set_fuel(1_000_000).unwrap();
    let Ok(instance) = linker.instantiate(&mut store, &module) else { return };
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

/// `smith_config_3_all` with exceptions, and GC (so typed function references) when `gc`.
fn wasm_smith_config(gc: bool) -> wasm_smith::Config {
    wasm_smith::Config { exceptions_enabled: true, gc_enabled: gc, ..smith_config_3_all() }
}
