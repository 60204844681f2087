//! Any bytes: the decoder reads every section and every body's operators, and never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wisp_decoder::{Features, Module};

fuzz_target!(|data: &[u8]| {
    let Ok(module) = Module::parse_with_features(data, Features::wasm2()) else { return };
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
