//! A wasm-smith module on wisp and on wasmi: they must agree (see tests-diff).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wisp_difftest::{compare, generate, on_big_stack, wasmi_side};

/// libfuzzer-sys aborts on any panic; a panic of wasmi's compiler (a debug assertion of the
/// reference, not a finding about wisp) is caught by `compare`, which skips the module.
fn let_wasmi_compile_panics_unwind() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !wasmi_side::compiling() {
                abort(info)
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    let_wasmi_compile_panics_unwind();
    let Some(bytes) = generate(data) else { return };
    if let Err(d) = on_big_stack(|| compare(&bytes, data.len() as u64)) {
        panic!("divergence: {d}");
    }
});
