//! Any bytes: wisp's validator never panics and agrees with wasmparser on which modules are
//! valid, both with what wisp executes: WebAssembly 3.0 without GC (SIMD, relaxed SIMD, tail
//! calls, extended constants, multi-memory, memory64, typed function references, exceptions)
//! plus custom page sizes and wide arithmetic. Whatever validates also compiles in wisp (or is
//! the one combination it refuses for now: SIMD on another memory than a 32-bit memory 0).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wisp_validator::{validate_bytes, Features};

const WISP: Features = Features { gc: false, custom_page_sizes: true, wide_arithmetic: true, ..Features::wasm3() };

fuzz_target!(|data: &[u8]| {
    let ours = validate_bytes(data, WISP);
    let theirs =
        wasmparser::Validator::new_with_features(wisp_difftest::wasmparser_features_wisp_runs()).validate_all(data);
    assert_eq!(
        ours.is_ok(),
        theirs.is_ok(),
        "wisp: {:?}\nwasmparser: {:?}",
        ours.as_ref().map(drop),
        theirs.as_ref().map(drop)
    );
    if ours.is_ok() {
        let mut config = wisp::Config::new();
        config.features(WISP);
        let engine = wisp::Engine::new(&config);
        match wisp::Module::new(&engine, data) {
            Ok(_) => {}
            Err(wisp::Error::Unsupported(what)) if what.contains("simd with multi-memory or memory64") => {}
            Err(e) => panic!("a valid module does not compile: {e}"),
        }
    }
});
