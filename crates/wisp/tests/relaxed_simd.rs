//! Relaxed SIMD answers the specification allows, where a plausible shortcut gives one it does
//! not (found comparing the relaxed operators with wasmi's for the differential run, 2026-12-06).

use wisp::{wat_to_wasm, Config, Dispatch, Engine, Linker, Module, Store, Val};

fn backends() -> Vec<Dispatch> {
    let mut d = vec![Dispatch::Portable];
    if Dispatch::THREADED_AVAILABLE {
        d.push(Dispatch::Threaded);
    }
    d
}

/// `i32x4.relaxed_dot_i8x16_i7x16_add_s` is `i16x8.relaxed_dot_i8x16_i7x16_s` (whose pair sums
/// are 16-bit), pairs added into 32 bits, plus the addend. With every byte -128 each pair sum
/// is 32,768, out of 16-bit range: the specification allows -32,768 (wrapped) or 32,767
/// (saturated) per 16-bit lane, so -65,536, -1 or 65,534 per 32-bit lane; summing the four
/// products straight into 32 bits gives 65,536, which it does not allow (the relaxed-simd
/// suite's `relaxed_dot_product.wast` checks this since 2026). wisp wraps, as its 16-bit dot.
#[test]
fn relaxed_dot_add_goes_through_the_16_bit_dot() {
    let wasm = wat_to_wasm(
        br#"(module
  (func (export "dot") (param v128 v128) (result v128)
    (i16x8.relaxed_dot_i8x16_i7x16_s (local.get 0) (local.get 1)))
  (func (export "dot_add") (param v128 v128 v128) (result v128)
    (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get 0) (local.get 1) (local.get 2))))"#,
    )
    .expect("valid text");
    let all_min = u128::from_le_bytes([0x80; 16]);
    let lanes32 = |x: i32| (0..4).fold(0u128, |v, i| v | u128::from(x as u32) << (32 * i));
    let lanes16 = |x: i16| (0..8).fold(0u128, |v, i| v | u128::from(x as u16) << (16 * i));
    for d in backends() {
        let mut config = Config::new();
        config.dispatch(d).wasm_simd(true).wasm_relaxed_simd(true);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, &wasm[..]).expect("compiles");
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine).instantiate(&mut store, &module).expect("instantiates");
        let call = |store: &mut Store<()>, name: &str, args: &[Val]| {
            let mut out = [Val::V128(0)];
            instance.get_func(&*store, name).expect("exported").call(store, args, &mut out).expect("runs");
            out[0]
        };
        let dot = call(&mut store, "dot", &[Val::V128(all_min), Val::V128(all_min)]);
        assert_eq!(dot, Val::V128(lanes16(i16::MIN)), "{d:?}: 16-bit pair sums wrap");
        let dot_add = call(&mut store, "dot_add", &[Val::V128(all_min), Val::V128(all_min), Val::V128(lanes32(7))]);
        assert_eq!(dot_add, Val::V128(lanes32(-65_536 + 7)), "{d:?}: two wrapped pair sums plus the addend");
        // Where no pair sum leaves 16 bits, the answer is the exact one: -128*127*2 = -32,512
        // per pair, twice, plus 1.
        let a = u128::from_le_bytes([0x80, 0x80, 0x80, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let b = u128::from_le_bytes([0x7f; 16]);
        let exact = call(&mut store, "dot_add", &[Val::V128(a), Val::V128(b), Val::V128(lanes32(1))]);
        assert_eq!(exact, Val::V128(lanes32(1) & !u128::from(u32::MAX) | u128::from((-65_023i32) as u32)), "{d:?}");
    }
}
