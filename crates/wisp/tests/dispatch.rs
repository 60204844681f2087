//! The dispatch backends. The threaded backend relies on its handlers' final calls compiling to
//! jumps: if one stops doing so, every executed instruction of that kind adds a Rust stack
//! frame, and the long runs below overflow the small stack they are given. The backend is
//! compiled in wherever wisp is optimized (any opt-level above 0), so this holds in the test
//! profile (wisp at opt-level 2, with debug assertions) as well as in release builds. Debug
//! checks can break it: on 2026-12-05 every load and store handler stopped tail-calling in
//! the test profile because `read_unaligned`'s precondition check takes the address of a stack
//! temporary; this test caught it.

mod common;

use common::wat;
use wisp::{Config, Dispatch, Engine, Linker, Module, Store};

/// Exercises every kind of handler with out-of-line work: calls and returns, branches with
/// stack adjustment, br_table, float rounding, trapping conversions, loads and stores, bulk
/// memory, tables, and the handlers chosen by processor feature.
const WORKOUT: &str = r#"(module
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $leaf $leaf)
  (type $t (func (param i32) (result i32)))
  (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "run") (param $n i32) (result i32) (local $acc i32)
    (loop $top
      (local.set $acc (call $leaf (local.get $acc)))
      (local.set $acc (call_indirect (type $t) (local.get $acc) (i32.and (local.get $n) (i32.const 1))))
      (local.set $acc (i32.add (local.get $acc)
        (block $b (result i32)
          (br_table $b $b (i32.const 3) (i32.and (local.get $n) (i32.const 1))))))
      (local.set $acc (i32.add (local.get $acc)
        (i32.trunc_f32_s (f32.floor (f32.convert_i32_s (i32.and (local.get $n) (i32.const 7)))))))
      (local.set $acc (i32.add (local.get $acc)
        (block (result i32) (i32.const 5) (i32.const 6) (br 0))))
      (local.set $acc (i32.add (local.get $acc) (i32.popcnt (local.get $n))))
      (local.set $acc (i32.add (local.get $acc) (i32.wrap_i64 (i64.popcnt (i64.extend_i32_u (local.get $n))))))
      (memory.fill (i32.const 0) (i32.const 7) (i32.const 16))
      (memory.copy (i32.const 32) (i32.const 0) (i32.const 16))
      (local.set $acc (i32.add (local.get $acc) (i32.load8_u (i32.const 40))))
      (i32.store (i32.const 48) (local.get $acc))
      (local.set $acc (i32.load offset=48 (i32.const 0)))
      (f64.store (i32.const 56) (f64.convert_i32_s (local.get $acc)))
      (local.set $acc (i32.trunc_f64_s (f64.load (i32.const 56))))
      (br_if $top (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc)))"#;

fn run_workout(dispatch: Dispatch, n: i32) -> i32 {
    let mut config = Config::new();
    config.dispatch(dispatch);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, wat(WORKOUT)).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let run = inst.get_typed_func::<i32, i32>(&store, "run").unwrap();
    run.call(&mut store, n).unwrap()
}

/// Per iteration: +1 (call), +1 (call_indirect), +3 (br_table), +(n & 7), +6, twice n's
/// population count (i32 and i64, x86-64's `popcnt` handlers where the processor has it), +7
/// (the byte).
fn expected(n: i32) -> i32 {
    (1..=n).map(|i| 18 + (i & 7) + 2 * i.count_ones() as i32).sum()
}

#[test]
fn threaded_handlers_tail_call_on_a_small_stack() {
    let n = 200_000; // about 10 million instructions
    let got = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || run_workout(Dispatch::Threaded, n))
        .unwrap()
        .join()
        .expect("the run finished without overflowing its stack");
    assert_eq!(got, expected(n));
}

#[test]
fn backends_agree() {
    for n in [1, 2, 7, 100, 1001] {
        assert_eq!(run_workout(Dispatch::Portable, n), expected(n));
        assert_eq!(run_workout(Dispatch::Threaded, n), expected(n));
    }
}

/// Every SIMD form run in a loop on the threaded backend, on a small stack: its handler ends
/// in a jump like the scalar ones. (Until 2026-12-06 some did not in the test profile, and the
/// SIMD workloads' test ran on the portable loop.)
#[test]
fn simd_handlers_tail_call_on_a_small_stack() {
    let n = 30_000; // a frame per run of a handler that calls would pass 256 KiB
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let mut config = Config::new();
            config
                .dispatch(Dispatch::Threaded)
                .wasm_simd(true)
                .wasm_relaxed_simd(true)
                .wasm_multi_memory(true)
                .wasm_memory64(true);
            let engine = Engine::new(&config);
            for f in wisp::isa::SIMD_FORMS {
                let (text, params, _) = common::simd_module(f);
                // Function 0 called `n` times with zeros (address 0 for memory forms).
                let args: String = params
                    .iter()
                    .map(|p| match *p {
                        "v128" => "v128.const i64x2 0 0 ".to_string(),
                        t => format!("{t}.const 0 "),
                    })
                    .collect();
                let looped = format!(
                    "(func (export \"loop\") (param $n i32) (loop $l {args}call 0 drop \
                     (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))"
                );
                let text = format!("{} {looped})", text.strip_suffix(')').expect("a module"));
                let module = Module::new(&engine, wat(&text)).unwrap_or_else(|e| panic!("{}: {e}", f.name));
                let mut store = Store::new(&engine, ());
                let inst = Linker::new(&engine).instantiate(&mut store, &module).expect("instantiates");
                let run = inst.get_typed_func::<i32, ()>(&store, "loop").expect("exported");
                run.call(&mut store, n).unwrap_or_else(|e| panic!("{}: {e}", f.name));
            }
        })
        .unwrap()
        .join()
        .expect("every SIMD form ran without overflowing its stack");
}

/// Two `switch`es in loops whose cases branch back to the table (`BrToTableLoadScaled` on a
/// loaded word, `BrToTableLocal` on a local): three cases a round, `n` rounds each.
const SWITCHES: &str = r#"(module
  (memory 1)
  (data (i32.const 16) "\00\00\00\00\01\00\00\00\02\00\00\00\03\00\00\00")
  (func (export "run") (param $n i32) (result i32) (local $s i32) (local $acc i32) (local $m i32)
    (local.set $m (local.get $n))
    (loop $loaded
      (block $exit
        (block $c2
          (block $c1
            (block $c0
              (br_table $c0 $c1 $c2 $exit
                (i32.load (i32.add (i32.shl (local.get $s) (i32.const 2)) (i32.const 16)))))
            (local.set $acc (i32.add (local.get $acc) (i32.const 1)))
            (local.set $s (i32.const 1))
            (br $loaded))
          (local.set $acc (i32.add (local.get $acc) (i32.const 2)))
          (local.set $s (i32.const 2))
          (br $loaded))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (local.set $s (select (i32.const 0) (i32.const 3) (local.get $n)))
        (br $loaded)))
    (local.set $s (i32.const 0))
    (loop $state
      (block $exit
        (block $c2
          (block $c1
            (block $c0
              (br_table $c0 $c1 $c2 $exit (local.get $s)))
            (local.set $acc (i32.add (local.get $acc) (i32.const 1)))
            (local.set $s (i32.const 1))
            (br $state))
          (local.set $acc (i32.add (local.get $acc) (i32.const 2)))
          (local.set $s (i32.const 2))
          (br $state))
        (local.set $m (i32.sub (local.get $m) (i32.const 1)))
        (local.set $s (select (i32.const 0) (i32.const 3) (local.get $m)))
        (br $state)))
    (local.get $acc)))"#;

#[test]
fn switch_dispatch_tail_calls_on_a_small_stack() {
    let n = 300_000; // about 10 million instructions
    for dispatch in [Dispatch::Threaded, Dispatch::Portable] {
        let got = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                let mut config = Config::new();
                config.dispatch(dispatch);
                let engine = Engine::new(&config);
                let module = Module::new(&engine, wat(SWITCHES)).unwrap();
                let text = module.disassemble(0).unwrap();
                assert!(text.contains("BrToTableLoadScaled") && text.contains("BrToTableLocal"), "{text}");
                let mut store = Store::new(&engine, ());
                let inst = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
                let run = inst.get_typed_func::<i32, i32>(&store, "run").unwrap();
                run.call(&mut store, n).unwrap()
            })
            .unwrap()
            .join()
            .expect("the run finished without overflowing its stack");
        assert_eq!(got, 6 * n);
    }
}
