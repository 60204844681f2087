//! A wasm-smith module on wisp and on wasmi: they must agree (see tests-diff).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wisp_difftest::{compare, generate, on_big_stack};

fuzz_target!(|data: &[u8]| {
    let Some(bytes) = generate(data) else { return };
    if let Err(d) = on_big_stack(|| compare(&bytes, data.len() as u64)) {
        panic!("divergence: {d}");
    }
});
