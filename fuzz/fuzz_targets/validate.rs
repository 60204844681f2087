//! Any bytes: wisp's validator never panics and agrees with wasmparser on which modules are
//! valid, both with what wisp executes: WebAssembly 3.0 without GC (SIMD, relaxed SIMD, tail
//! calls, extended constants, multi-memory, memory64, typed function references, exceptions)
//! plus custom page sizes and wide arithmetic. Whatever validates also compiles in wisp (or is
//! the one combination it refuses for now: SIMD on another memory than a 32-bit memory 0).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasmparser::WasmFeatures as W;
use wisp_validator::{validate_bytes, Features};

const WISP: Features = Features { gc: false, custom_page_sizes: true, wide_arithmetic: true, ..Features::wasm3() };

fn wasmparser_features() -> W {
    W::WASM2
        | W::SIMD
        | W::RELAXED_SIMD
        | W::TAIL_CALL
        | W::EXTENDED_CONST
        | W::MULTI_MEMORY
        | W::MEMORY64
        | W::FUNCTION_REFERENCES
        | W::EXCEPTIONS
        | W::CUSTOM_PAGE_SIZES
        | W::WIDE_ARITHMETIC
}

fuzz_target!(|data: &[u8]| {
    let ours = validate_bytes(data, WISP);
    let theirs = wasmparser::Validator::new_with_features(wasmparser_features()).validate_all(data);
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
