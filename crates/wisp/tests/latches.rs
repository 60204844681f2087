//! Loop latches: a counter stepped by a constant, teed, compared and branched on. These tests
//! check the results against what the Wasm means, at the edges: counters wrapping at their
//! width, negative steps, steps too wide for a 16-bit immediate, both branch senses, counters
//! tested against zero (the teed value itself, or its `eqz`), and a second induction variable
//! stepped right before the latch (it must still happen first).

use wisp::{Config, Dispatch, Engine, Linker, Module, Store};

fn wat(src: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(src).expect("lex");
    let mut w: wast::Wat = wast::parser::parse(&buf).expect("parse");
    w.encode().expect("encode")
}

const MODULE: &str = r#"(module
  ;; 0: iterations of `i += step` from `start` until `i == end` (i32, bound in a local).
  (func (export "count_ne") (param $start i32) (param $end i32) (result i32) (local $n i32)
    (loop $l
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $l (i32.ne (local.tee $start (i32.add (local.get $start) (i32.const 4))) (local.get $end))))
    (local.get $n))
  ;; 1: counting down by 3 while i > -10 (signed, constant bound).
  (func (export "down_gt") (param $i i32) (result i32) (local $n i32)
    (loop $l
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $l (i32.gt_s (local.tee $i (i32.add (local.get $i) (i32.const -3))) (i32.const -10))))
    (local.get $n))
  ;; 2: an i64 counter stepping by 8 while below a local bound (unsigned).
  (func (export "up64") (param $i i64) (param $end i64) (result i64) (local $n i64)
    (loop $l
      (local.set $n (i64.add (local.get $n) (i64.const 1)))
      (br_if $l (i64.lt_u (local.tee $i (i64.add (local.get $i) (i64.const 8))) (local.get $end))))
    (i64.add (i64.shl (local.get $n) (i64.const 32)) (local.get $i)))
  ;; 3: a step too wide for the fused form (40000): tee split only.
  (func (export "wide_step") (param $i i32) (param $end i32) (result i32) (local $n i32)
    (loop $l
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 40000))) (local.get $end))))
    (local.get $n))
  ;; 4: the branch taken when the comparison is false (eqz; br_if), i32 counter by 1 against 100.
  (func (export "until_ge") (param $i i32) (result i32) (local $n i32)
    (block $out
      (loop $l
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br_if $out (i32.eqz (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 100))))
        (br $l)))
    (local.get $n))
  ;; 5: a tee of a two-local sum before a compare with a local: set, then a two-local branch.
  (func (export "sum_lt") (param $a i32) (param $b i32) (param $lim i32) (result i32) (local $s i32)
    (block $out
      (br_if $out (i32.lt_u (local.tee $s (i32.add (local.get $a) (local.get $b))) (local.get $lim)))
      (return (i32.const -1)))
    (local.get $s))
  ;; 6: a tee before br_if on the value itself.
  (func (export "odd") (param $a i32) (result i32) (local $t i32)
    (block $out
      (br_if $out (local.tee $t (i32.and (local.get $a) (i32.const 1))))
      (return (i32.const 100)))
    (i32.add (local.get $t) (i32.const 10)))
  ;; 7: counting down by 2 to zero, the teed counter itself the condition (`c != 0`).
  (func (export "down_to_zero") (param $i i32) (result i32) (local $n i32)
    (loop $l
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $l (local.tee $i (i32.sub (local.get $i) (i32.const 2)))))
    (local.get $n))
  ;; 8: leaving when the counter reaches zero (`eqz; br_if`).
  (func (export "until_zero") (param $i i32) (result i32) (local $n i32)
    (block $out
      (loop $l
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br_if $out (i32.eqz (local.tee $i (i32.add (local.get $i) (i32.const -1)))))
        (br $l)))
    (local.get $n))
  ;; 9: an i64 counter down to zero: `i64.eqz; i32.eqz; br_if` (all 64 bits count).
  (func (export "down64") (param $i i64) (result i32) (local $n i32)
    (loop $l
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $l (i32.eqz (i64.eqz (local.tee $i (i64.add (local.get $i) (i64.const -3)))))))
    (local.get $n))
  ;; 10: `if` on the teed counter: the loop continues from inside the `then`.
  (func (export "if_nonzero") (param $i i32) (result i32) (local $n i32)
    (loop $l
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (if (local.tee $i (i32.add (local.get $i) (i32.const -1))) (then (br $l))))
    (local.get $n))
)"#;

fn engines() -> Vec<Engine> {
    [Dispatch::Portable, Dispatch::Threaded]
        .into_iter()
        .map(|d| {
            let mut c = Config::default();
            c.dispatch(d);
            Engine::new(&c)
        })
        .collect()
}

fn setup(engine: &Engine, src: &str) -> (Module, Store<()>, wisp::Instance) {
    let module = Module::new(engine, wat(src)).expect("valid");
    let mut store = Store::new(engine, ());
    let inst = Linker::new(engine).instantiate(&mut store, &module).expect("instantiate");
    (module, store, inst)
}

#[test]
fn latches_compute_what_the_wasm_means() {
    for engine in engines() {
        let (_, mut store, inst) = setup(&engine, MODULE);
        let s = &mut store;
        let count_ne = inst.get_typed_func::<(i32, i32), i32>(&*s, "count_ne").unwrap();
        assert_eq!(count_ne.call(&mut *s, (0, 40)).unwrap(), 10);
        // The i32 counter wraps at 32 bits: 0xffff_fff0 + 4 * 6 = 8.
        assert_eq!(count_ne.call(&mut *s, (-16, 8)).unwrap(), 6);
        let down_gt = inst.get_typed_func::<i32, i32>(&*s, "down_gt").unwrap();
        assert_eq!(down_gt.call(&mut *s, 20).unwrap(), 10); // 17, 14, ..., -10
        assert_eq!(down_gt.call(&mut *s, -100).unwrap(), 1);
        assert_eq!(down_gt.call(&mut *s, -7).unwrap(), 1); // -10 is not greater than -10
        let up64 = inst.get_typed_func::<(i64, i64), i64>(&*s, "up64").unwrap();
        // Across 2^32: the add is 64-bit. 0xffff_fff0 + 8 * 4 = 0x1_0000_0010.
        assert_eq!(up64.call(&mut *s, (0xffff_fff0, 0x1_0000_0010)).unwrap(), (4 << 32) + 0x1_0000_0010);
        // Unsigned: -24 and -8 are near the top of the range, and -16 < -8.
        assert_eq!(up64.call(&mut *s, (-24, -8)).unwrap(), (2 << 32) - 8);
        let wide = inst.get_typed_func::<(i32, i32), i32>(&*s, "wide_step").unwrap();
        assert_eq!(wide.call(&mut *s, (0, 200_000)).unwrap(), 5);
        let until_ge = inst.get_typed_func::<i32, i32>(&*s, "until_ge").unwrap();
        assert_eq!(until_ge.call(&mut *s, 0).unwrap(), 100);
        assert_eq!(until_ge.call(&mut *s, 500).unwrap(), 1);
        let sum_lt = inst.get_typed_func::<(i32, i32, i32), i32>(&*s, "sum_lt").unwrap();
        assert_eq!(sum_lt.call(&mut *s, (3, 4, 8)).unwrap(), 7);
        assert_eq!(sum_lt.call(&mut *s, (3, 5, 8)).unwrap(), -1);
        let odd = inst.get_typed_func::<i32, i32>(&*s, "odd").unwrap();
        assert_eq!(odd.call(&mut *s, 7).unwrap(), 11);
        assert_eq!(odd.call(&mut *s, 6).unwrap(), 100);
        let down_to_zero = inst.get_typed_func::<i32, i32>(&*s, "down_to_zero").unwrap();
        assert_eq!(down_to_zero.call(&mut *s, 10).unwrap(), 5); // 8, 6, 4, 2, 0
        assert_eq!(down_to_zero.call(&mut *s, 2).unwrap(), 1);
        let until_zero = inst.get_typed_func::<i32, i32>(&*s, "until_zero").unwrap();
        assert_eq!(until_zero.call(&mut *s, 5).unwrap(), 5);
        assert_eq!(until_zero.call(&mut *s, 1).unwrap(), 1);
        let down64 = inst.get_typed_func::<i64, i32>(&*s, "down64").unwrap();
        assert_eq!(down64.call(&mut *s, 9).unwrap(), 3);
        assert_eq!(down64.call(&mut *s, 3).unwrap(), 1);
        let if_nonzero = inst.get_typed_func::<i32, i32>(&*s, "if_nonzero").unwrap();
        assert_eq!(if_nonzero.call(&mut *s, 4).unwrap(), 4);
        assert_eq!(if_nonzero.call(&mut *s, 1).unwrap(), 1);
    }
}

/// The loops counting down to zero above are translated as latches (a comparison with the
/// constant 0), not as a step, a tee and a test.
#[test]
fn counters_tested_against_zero_are_latches() {
    let engine = Engine::default();
    let module = Module::new(&engine, wat(MODULE)).expect("valid");
    for (func, latch) in [(7, "I32Ne_StepI_Br"), (8, "I32Eq_StepI_Br"), (9, "I64Ne_StepI_Br"), (10, "I32Eq_StepI_Br")] {
        let code = module.disassemble(func).expect("defined");
        assert!(code.contains(latch), "func {func} has no {latch}:\n{code}");
    }
}

/// Latches that take in the step of a second induction variable before them.
const COMPANIONS: &str = r#"(module
  ;; 0: a pointer stepped by -3 beside a counter stepped by 1 up to a local bound.
  (func (export "inc_ptr") (param $i i32) (param $end i32) (result i32) (local $p i32)
    (loop $l
      (local.set $p (i32.add (local.get $p) (i32.const -3)))
      (br_if $l (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $end))))
    (local.get $p))
  ;; 1: the stepped local is the latch's bound: the comparison must see its new value.
  (func (export "inc_bound") (param $i i32) (param $end i32) (result i32)
    (loop $l
      (local.set $end (i32.add (local.get $end) (i32.const 2)))
      (br_if $l (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 3))) (local.get $end))))
    (local.get $i))
  ;; 2: an i64 counter beside an i32 pointer that wraps at 32 bits (its slot stays zero-extended).
  (func (export "inc_wrap64") (param $i i64) (param $end i64) (param $p i32) (result i64)
    (loop $l
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br_if $l (i64.ne (local.tee $i (i64.add (local.get $i) (i64.const 1))) (local.get $end))))
    (i64.extend_i32_u (local.get $p)))
  ;; 3: a step too wide for the 16-bit field: no companion form.
  (func (export "inc_wide") (param $i i32) (param $end i32) (result i32) (local $p i32)
    (loop $l
      (local.set $p (i32.add (local.get $p) (i32.const 40000)))
      (br_if $l (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $end))))
    (local.get $p))
  ;; 4: sieve's inner loop: j (i64) stepped by a local while below n, a pointer q (i32) stepped
  ;; by another local beside it, wrapping at 32 bits.
  (func (export "add_ptr") (param $j i64) (param $by i64) (param $n i64) (param $q i32) (param $s i32) (result i64)
    (loop $l
      (local.set $q (i32.add (local.get $q) (local.get $s)))
      (br_if $l (i64.lt_u (local.tee $j (i64.add (local.get $j) (local.get $by))) (local.get $n))))
    (i64.extend_i32_u (local.get $q)))
  ;; 5: the companion writes the counter's step (operands swapped): the step must see it.
  (func (export "add_by") (param $j i32) (param $by i32) (param $n i32) (param $s i32) (result i32)
    (loop $l
      (local.set $by (i32.add (local.get $s) (local.get $by)))
      (br_if $l (i32.lt_u (local.tee $j (i32.add (local.get $j) (local.get $by))) (local.get $n))))
    (i32.add (i32.mul (local.get $j) (i32.const 100)) (local.get $by)))
)"#;

#[test]
fn companions_step_first() {
    for engine in engines() {
        let (_, mut store, inst) = setup(&engine, COMPANIONS);
        let s = &mut store;
        let inc_ptr = inst.get_typed_func::<(i32, i32), i32>(&*s, "inc_ptr").unwrap();
        assert_eq!(inc_ptr.call(&mut *s, (0, 10)).unwrap(), -30);
        assert_eq!(inc_ptr.call(&mut *s, (50, 10)).unwrap(), -3); // runs once
        let inc_bound = inst.get_typed_func::<(i32, i32), i32>(&*s, "inc_bound").unwrap();
        // i = 3k against end = 10 + 2k: stops at k = 10 (against the old end it would stop at 8).
        assert_eq!(inc_bound.call(&mut *s, (0, 10)).unwrap(), 30);
        let inc_wrap64 = inst.get_typed_func::<(i64, i64, i32), i64>(&*s, "inc_wrap64").unwrap();
        assert_eq!(inc_wrap64.call(&mut *s, (0, 3, -32)).unwrap(), 16);
        assert_eq!(inc_wrap64.call(&mut *s, (0, 1, -1)).unwrap(), 15);
        let inc_wide = inst.get_typed_func::<(i32, i32), i32>(&*s, "inc_wide").unwrap();
        assert_eq!(inc_wide.call(&mut *s, (0, 3)).unwrap(), 120_000);
        let add_ptr = inst.get_typed_func::<(i64, i64, i64, i32, i32), i64>(&*s, "add_ptr").unwrap();
        assert_eq!(add_ptr.call(&mut *s, (0, 5, 20, 100, 7)).unwrap(), 128); // 4 iterations
        assert_eq!(add_ptr.call(&mut *s, (0, 5, 20, -2, 1)).unwrap(), 2); // wraps at 32 bits
        let add_by = inst.get_typed_func::<(i32, i32, i32, i32), i32>(&*s, "add_by").unwrap();
        // by = 1, 2, 3, 4 and j = 1, 3, 6, 10 (with the step after the add: by would end at 5).
        assert_eq!(add_by.call(&mut *s, (0, 0, 10, 1)).unwrap(), 1004);
    }
}
