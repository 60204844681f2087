//! A wasm-smith module on wisp and on wasmi: they must agree (see tests-diff). The first byte
//! picks the generator's configuration: WebAssembly 2.0 (`smith_config`), or every 3.0 feature
//! both engines run (`smith_config_3_all`: SIMD, relaxed SIMD, multi-memory, memory64, custom
//! page sizes, extended constants, tail calls, wide arithmetic), or all of those but SIMD
//! (`smith_config_3_memories`, whose several and 64-bit memories wisp does not refuse).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wisp_difftest::{
    compare, generate_with, on_big_stack, smith_config, smith_config_3_all, smith_config_3_memories, wasmi_side,
};

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
    let Some((&pick, rest)) = data.split_first() else { return };
    let config = match pick % 3 {
        0 => smith_config(),
        1 => smith_config_3_memories(),
        _ => smith_config_3_all(),
    };
    let Some(bytes) = generate_with(config, rest) else { return };
    if let Err(d) = on_big_stack(|| compare(&bytes, data.len() as u64)) {
        panic!("divergence: {d}");
    }
});
