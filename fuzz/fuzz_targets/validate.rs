//! Any bytes: wisp's validator never panics and agrees with wasmparser (WebAssembly 2.0
//! without SIMD) on which modules are valid; whatever validates also compiles in wisp.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wisp_validator::{validate_bytes, Features};

fuzz_target!(|data: &[u8]| {
    let ours = validate_bytes(data, Features::wasm2());
    let features = wasmparser::WasmFeatures::WASM2 & !wasmparser::WasmFeatures::SIMD;
    let theirs = wasmparser::Validator::new_with_features(features).validate_all(data);
    assert_eq!(
        ours.is_ok(),
        theirs.is_ok(),
        "wisp: {:?}\nwasmparser: {:?}",
        ours.as_ref().map(drop),
        theirs.as_ref().map(drop)
    );
    if ours.is_ok() {
        let engine = wisp::Engine::default();
        wisp::Module::new(&engine, data).expect("a valid module compiles");
    }
});
