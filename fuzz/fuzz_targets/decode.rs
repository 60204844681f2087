//! Any bytes: the decoder reads every section and every body's operators, and never panics
//! (every proposal it knows switched on: WebAssembly 3.0 with GC's types, custom page sizes,
//! wide arithmetic).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wisp_decoder::{Features, Module};

const ALL: Features = Features { custom_page_sizes: true, wide_arithmetic: true, ..Features::wasm3() };

fuzz_target!(|data: &[u8]| {
    let Ok(module) = Module::parse_with_features(data, ALL) else { return };
    for body in &module.code {
        let Ok((_locals, mut ops)) = body.read_locals() else { continue };
        while !ops.eof() {
            if ops.read().is_err() {
                break;
            }
        }
    }
    let _ = module.names();
});
