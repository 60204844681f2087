//! The embedding API, end to end: modules written in the text format, run through wisp.

use wisp::{Caller, Engine, Error, Extern, Func, Linker, Module, Store, TrapCode, Val};

fn wat(src: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(src).expect("lex");
    let mut w: wast::Wat = wast::parser::parse(&buf).expect("parse");
    w.encode().expect("encode")
}

fn instantiate(src: &str) -> (Store<()>, wisp::Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat(src)).expect("module");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).expect("instantiate");
    (store, instance)
}

/// An engine running code on the given dispatch backend, module `src` for it, an empty store
/// and linker.
fn on_backend(dispatch: wisp::Dispatch, src: &str) -> (Engine, Module, Store<()>, Linker<()>) {
    let mut config = wisp::Config::new();
    config.dispatch(dispatch);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, wat(src)).expect("module");
    let store = Store::new(&engine, ());
    let linker = Linker::new(&engine);
    (engine, module, store, linker)
}

#[test]
fn add_and_fib() {
    let (mut store, inst) = instantiate(
        r#"(module
            (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
            (func $fib (export "fib") (param i64) (result i64)
              (if (result i64) (i64.lt_u (local.get 0) (i64.const 2))
                (then (local.get 0))
                (else (i64.add (call $fib (i64.sub (local.get 0) (i64.const 1)))
                               (call $fib (i64.sub (local.get 0) (i64.const 2))))))))"#,
    );
    let add = inst.get_typed_func::<(i32, i32), i32>(&store, "add").unwrap();
    assert_eq!(add.call(&mut store, (1, 2)).unwrap(), 3);
    assert_eq!(add.call(&mut store, (i32::MAX, 1)).unwrap(), i32::MIN);
    let fib = inst.get_typed_func::<i64, i64>(&store, "fib").unwrap();
    assert_eq!(fib.call(&mut store, 20).unwrap(), 6765);
}

#[test]
fn loops_and_branches() {
    let (mut store, inst) = instantiate(
        r#"(module
            (func (export "sum") (param $n i32) (result i32) (local $acc i32)
              (block $done
                (loop $top
                  (br_if $done (i32.eqz (local.get $n)))
                  (local.set $acc (i32.add (local.get $acc) (local.get $n)))
                  (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                  (br $top)))
              (local.get $acc))
            (func (export "pick") (param i32) (result i32)
              (block $c (block $b (block $a
                (br_table $a $b $c (local.get 0)))
                (return (i32.const 10)))
                (return (i32.const 20)))
              (i32.const 30))
            (func (export "multi") (result i32 i32) (i32.const 1) (i32.const 2))
            (func (export "keep") (result i32)
              (block (result i32) (i32.const 7) (i32.const 8) (br 0))))"#,
    );
    let sum = inst.get_typed_func::<i32, i32>(&store, "sum").unwrap();
    assert_eq!(sum.call(&mut store, 100).unwrap(), 5050);
    let pick = inst.get_typed_func::<i32, i32>(&store, "pick").unwrap();
    assert_eq!(pick.call(&mut store, 0).unwrap(), 10);
    assert_eq!(pick.call(&mut store, 1).unwrap(), 20);
    assert_eq!(pick.call(&mut store, 2).unwrap(), 30);
    assert_eq!(pick.call(&mut store, 99).unwrap(), 30);
    let multi = inst.get_typed_func::<(), (i32, i32)>(&store, "multi").unwrap();
    assert_eq!(multi.call(&mut store, ()).unwrap(), (1, 2));
    let keep = inst.get_typed_func::<(), i32>(&store, "keep").unwrap();
    assert_eq!(keep.call(&mut store, ()).unwrap(), 8);
}

#[test]
fn host_functions_call_back_into_exports() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        wat(r#"(module
            (import "env" "twice" (func $twice (param i32) (result i32)))
            (memory (export "memory") 1)
            (func (export "double") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
            (func (export "run") (param i32) (result i32) (call $twice (local.get 0))))"#),
    )
    .unwrap();
    let mut store = Store::new(&engine, 0u32);
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("env", "twice", |mut caller: Caller<'_, u32>, x: i32| -> wisp::Result<i32> {
            *caller.data_mut() += 1;
            let double = caller.get_export("double").and_then(Extern::into_func).unwrap();
            let mut out = [Val::I32(0)];
            double.call(&mut caller, &[Val::I32(x)], &mut out)?;
            Ok(out[0].i32().unwrap() + 1)
        })
        .unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let run = inst.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 20).unwrap(), 41);
    assert_eq!(*store.data(), 1);
}

#[test]
fn typed_signature_mismatch_is_an_error() {
    let (store, inst) = instantiate(r#"(module (func (export "f") (param i32) (result i32) local.get 0))"#);
    let err = inst.get_typed_func::<i64, i32>(&store, "f").expect_err("mismatch");
    assert!(matches!(err, Error::Signature(_)), "{err}");
    assert!(matches!(inst.get_typed_func::<i32, i32>(&store, "nope"), Err(Error::UnknownExport(_))));
    let f = inst.get_func(&store, "f").unwrap();
    let mut store = store;
    assert!(matches!(f.call(&mut store, &[], &mut [Val::I32(0)]), Err(Error::Signature(_))));
    assert!(matches!(f.call(&mut store, &[Val::I64(1)], &mut [Val::I32(0)]), Err(Error::Signature(_))));
}

#[test]
fn host_memory_access_is_bounds_checked() {
    let (mut store, inst) = instantiate(r#"(module (memory (export "memory") 1))"#);
    let mem = inst.get_memory(&store, "memory").unwrap();
    mem.write(&mut store, 65530, b"hello!").unwrap();
    let mut buf = [0u8; 6];
    mem.read(&store, 65530, &mut buf).unwrap();
    assert_eq!(&buf, b"hello!");
    assert!(mem.write(&mut store, 65531, b"hello!").is_err());
    assert!(mem.read(&store, usize::MAX, &mut buf).is_err());
}

#[test]
fn infinite_recursion_traps_and_store_survives() {
    let (mut store, inst) = instantiate(
        r#"(module
            (func $f (export "forever") (param i32) (result i32) (call $f (i32.add (local.get 0) (i32.const 1))))
            (func (export "ok") (result i32) (i32.const 42)))"#,
    );
    let forever = inst.get_typed_func::<i32, i32>(&store, "forever").unwrap();
    let err = forever.call(&mut store, 0).unwrap_err();
    assert_eq!(err.as_trap().map(|t| t.code()), Some(TrapCode::StackOverflow), "{err}");
    let ok = inst.get_typed_func::<(), i32>(&store, "ok").unwrap();
    assert_eq!(ok.call(&mut store, ()).unwrap(), 42);
    // And again: the stack was fully unwound.
    assert!(forever.call(&mut store, 0).is_err());
    assert_eq!(ok.call(&mut store, ()).unwrap(), 42);
}

#[test]
fn traps_carry_code_and_names() {
    let (mut store, inst) = instantiate(
        r#"(module
            (func $inner (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
            (func $outer (export "div") (param i32) (result i32) (call $inner (local.get 0))))"#,
    );
    let div = inst.get_typed_func::<i32, i32>(&store, "div").unwrap();
    let err = div.call(&mut store, 0).unwrap_err();
    let trap = err.as_trap().expect("trap");
    assert_eq!(trap.code(), TrapCode::IntegerDivideByZero);
    let names: Vec<_> = trap.backtrace().iter().map(|f| f.func_name.clone()).collect();
    assert_eq!(names, vec![Some("inner".to_string()), Some("outer".to_string())]);
    assert_eq!(div.call(&mut store, 1).unwrap(), 1);
}

/// The value stack starts small and grows (outside the run loop, between a call's arguments
/// and its callee's entry): deep recursion that needs far more than the first allocation
/// returns the right sum on both backends, values below the growth point included, and so does
/// a host function re-entering Wasm from deep in the stack.
#[test]
fn value_stack_grows_for_deep_recursion() {
    const SRC: &str = r#"(module
        (import "host" "reenter" (func $reenter (param i32) (result i32)))
        ;; sum(n) = n + sum(n - 1), with a few extra live operands per frame.
        (func $sum (export "sum") (param i32) (result i64)
          (if (result i64) (i32.eqz (local.get 0))
            (then (i64.const 0))
            (else
              (i64.add
                (i64.add (i64.extend_i32_u (local.get 0)) (i64.const 0))
                (call $sum (i32.sub (local.get 0) (i32.const 1)))))))
        (func $deep (export "deep") (param i32) (result i32)
          (if (result i32) (i32.eqz (local.get 0))
            (then (call $reenter (i32.const 0)))
            (else (i32.add (i32.const 1) (call $deep (i32.sub (local.get 0) (i32.const 1))))))))"#;
    for dispatch in [wisp::Dispatch::Portable, wisp::Dispatch::Threaded] {
        let (_engine, module, mut store, mut linker) = on_backend(dispatch, SRC);
        linker
            .func_wrap("host", "reenter", |mut caller: Caller<'_, ()>, _: i32| -> i32 {
                let Some(Extern::Func(sum)) = caller.get_export("sum") else { panic!("sum is exported") };
                let sum = sum.typed::<i32, i64>(&caller).unwrap();
                sum.call(&mut caller, 20_000).unwrap() as i32
            })
            .unwrap();
        let inst = linker.instantiate(&mut store, &module).expect("instantiate");
        let sum = inst.get_typed_func::<i32, i64>(&store, "sum").unwrap();
        let n = 40_000i64;
        assert_eq!(sum.call(&mut store, n as i32).unwrap(), n * (n + 1) / 2, "{dispatch:?}");
        let deep = inst.get_typed_func::<i32, i32>(&store, "deep").unwrap();
        assert_eq!(deep.call(&mut store, 30_000).unwrap(), 30_000 + 200_010_000, "{dispatch:?}");
        // Past the limit it is still a clean trap, and the store works after it.
        let err = sum.call(&mut store, 10_000_000).unwrap_err();
        assert_eq!(err.as_trap().map(|t| t.code()), Some(TrapCode::StackOverflow), "{err}");
        assert_eq!(sum.call(&mut store, 10).unwrap(), 55);
    }
}

/// A host function runs inside the dispatch loop on the threaded backend: what it does to the
/// store must be seen by the code that called it. Here its call back into Wasm grows the value
/// stack (moving it) under live caller frames, it grows the caller's memory, and it fails.
#[test]
fn host_calls_leave_the_caller_a_moved_stack_a_grown_memory_or_an_error() {
    const SRC: &str = r#"(module
        (import "host" "reenter" (func $reenter (param i32) (result i32)))
        (import "host" "grow" (func $grow (result i32)))
        (memory (export "memory") 1)
        (func $sum (export "sum") (param i32) (result i64)
          (if (result i64) (i32.eqz (local.get 0))
            (then (i64.const 0))
            (else (i64.add (i64.extend_i32_u (local.get 0)) (call $sum (i32.sub (local.get 0) (i32.const 1)))))))
        ;; depth(n): n frames, each keeping 1000 + n below the call, then the host call.
        (func $depth (export "depth") (param i32) (result i32)
          (if (result i32) (i32.eqz (local.get 0))
            (then (call $reenter (i32.const 60000)))
            (else (i32.add (i32.add (i32.const 1000) (local.get 0))
                           (call $depth (i32.sub (local.get 0) (i32.const 1)))))))
        ;; Stores at the last byte of the grown memory, then reads it back with its size.
        (func (export "grow_then_touch") (result i32)
          (local $old i32)
          (local.set $old (call $grow))
          (i32.store8 (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 1)) (i32.const 7))
          (i32.add (i32.mul (local.get $old) (i32.const 100))
            (i32.add (memory.size) (i32.load8_u (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 1)))))))"#;
    for dispatch in [wisp::Dispatch::Portable, wisp::Dispatch::Threaded] {
        let (engine, module, mut store, mut linker) = on_backend(dispatch, SRC);
        linker
            .func_wrap("host", "reenter", |mut caller: Caller<'_, ()>, n: i32| -> wisp::Result<i32> {
                if n < 0 {
                    return Err(Error::Exit(-n));
                }
                let Some(Extern::Func(sum)) = caller.get_export("sum") else { panic!("sum is exported") };
                Ok(sum.typed::<i32, i64>(&caller).unwrap().call(&mut caller, n)? as i32)
            })
            .unwrap();
        linker
            .func_wrap("host", "grow", |mut caller: Caller<'_, ()>| -> i32 {
                let memory = caller.get_export("memory").and_then(Extern::into_memory).unwrap();
                memory.grow(&mut caller, 2).unwrap() as i32
            })
            .unwrap();
        let inst = linker.instantiate(&mut store, &module).expect("instantiate");
        // A fresh store: the nested sum(60000) grows the value stack past its first allocation.
        let depth = inst.get_typed_func::<i32, i32>(&store, "depth").unwrap();
        let sum60k = (60_000i64 * 60_001 / 2) as i32;
        let above: i32 = (1..=10).map(|n| 1000 + n).sum();
        assert_eq!(depth.call(&mut store, 10).unwrap(), above.wrapping_add(sum60k), "{dispatch:?}");
        let touch = inst.get_typed_func::<(), i32>(&store, "grow_then_touch").unwrap();
        assert_eq!(touch.call(&mut store, ()).unwrap(), 100 + 3 + 7, "{dispatch:?}");
        assert_eq!(touch.call(&mut store, ()).unwrap(), 300 + 5 + 7, "{dispatch:?}");
        // The host function's error is the call's error, and the store still works after it.
        let reenter = inst.get_typed_func::<i32, i32>(&store, "depth").unwrap();
        let failing = Module::new(
            &engine,
            wat(r#"(module (import "host" "reenter" (func $r (param i32) (result i32)))
                (func (export "f") (result i32) (i32.add (i32.const 1) (call $r (i32.const -3)))))"#),
        )
        .unwrap();
        let finst = linker.instantiate(&mut store, &failing).unwrap();
        let f = finst.get_typed_func::<(), i32>(&store, "f").unwrap();
        let err = f.call(&mut store, ()).unwrap_err();
        assert!(matches!(err, Error::Exit(3)), "{dispatch:?}: {err}");
        assert_eq!(reenter.call(&mut store, 1).unwrap(), 1001 + sum60k, "{dispatch:?}");
    }
}

/// A host function's parameters and results live in its Wasm caller's value stack (the
/// trampoline reads and writes them there, around the function's run): every number type and
/// `v128` in order, more results than parameters, more than sixteen of each through `Func::new`,
/// on both backends, and the same functions called from the host, where `Caller` has no
/// instance.
#[test]
fn host_functions_take_and_give_every_value_through_the_stack() {
    const SRC: &str = r#"(module
        (import "host" "swap" (func $swap (param i32 i64 f32 f64 v128) (result v128 f64 f32 i64 i32)))
        (import "host" "spread" (func $spread (param i32) (result i64 i64 i64 i64 i64)))
        (import "host" "wide" (func $wide (param i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
                                                i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
                                         (result i64 i64 i64 i64 i64 i64 i64 i64 i64
                                                 i64 i64 i64 i64 i64 i64 i64 i64 i64)))
        (memory (export "memory") 1)
        ;; The swapped values folded into one i64, each weighted, so order and bits all count.
        (func (export "swap") (result i64)
          (local $v v128) (local $d f64) (local $f f32) (local $l i64) (local $i i32)
          (call $swap (i32.const -7) (i64.const -1099511627776) (f32.const 1.5) (f64.const 2.25)
                      (v128.const i64x2 0x0123456789abcdef 0x7edcba9876543210))
          (local.set $i) (local.set $l) (local.set $f) (local.set $d) (local.set $v)
          (i64.add (i64.mul (i64.extend_i32_s (local.get $i)) (i64.const 1000000))
            (i64.add (local.get $l)
              (i64.add (i64.trunc_f32_s (f32.mul (local.get $f) (f32.const 100)))
                (i64.add (i64.trunc_f64_s (f64.mul (local.get $d) (f64.const 10000)))
                  (i64.add (i64x2.extract_lane 0 (local.get $v))
                           (i64.mul (i64x2.extract_lane 1 (local.get $v)) (i64.const 3))))))))
        ;; spread(n) = (n, 2n, 3n, 4n, 5n), weighted by powers of ten.
        (func (export "spread") (param i32) (result i64)
          (local $a i64) (local $b i64) (local $c i64) (local $d i64) (local $e i64)
          (call $spread (local.get 0))
          (local.set $e) (local.set $d) (local.set $c) (local.set $b) (local.set $a)
          (i64.add (local.get $a) (i64.add (i64.mul (local.get $b) (i64.const 10))
            (i64.add (i64.mul (local.get $c) (i64.const 100)) (i64.add (i64.mul (local.get $d) (i64.const 1000))
              (i64.mul (local.get $e) (i64.const 10000)))))))
        ;; wide(1..=20): result k is k + 1 + (k + 2) * 1000; the first, the seventeenth and the
        ;; last are returned weighted.
        (func (export "wide") (result i64)
          (local $r0 i64) (local $r16 i64) (local $r17 i64)
          (call $wide (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5)
                      (i64.const 6) (i64.const 7) (i64.const 8) (i64.const 9) (i64.const 10)
                      (i64.const 11) (i64.const 12) (i64.const 13) (i64.const 14) (i64.const 15)
                      (i64.const 16) (i64.const 17) (i64.const 18) (i64.const 19) (i64.const 20))
          (local.set $r17) (local.set $r16)
          drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop
          (local.set $r0)
          (i64.add (local.get $r0) (i64.add (i64.mul (local.get $r16) (i64.const 1000000))
                                            (i64.mul (local.get $r17) (i64.const 1000000000000))))))"#;
    let v = 0x7edc_ba98_7654_3210_0123_4567_89ab_cdefu128;
    let wide_ty = wisp::FuncType::new([wisp::ValType::I64; 20], [wisp::ValType::I64; 18]);
    let wide = |caller: Caller<'_, ()>, args: &[Val], results: &mut [Val]| -> wisp::Result<()> {
        // Wasm callers see their instance and its memory, host callers neither.
        let from_wasm = caller.instance().is_some();
        assert_eq!(caller.get_export("memory").is_some(), from_wasm);
        let a: Vec<i64> = args.iter().map(|v| v.i64().unwrap()).collect();
        for (k, r) in results.iter_mut().enumerate() {
            *r = Val::I64(a[k] + a[k + 2] * 1000);
        }
        Ok(())
    };
    let wide_expect = |k: i64| (k + 1) + (k + 3) * 1000;
    for dispatch in [wisp::Dispatch::Portable, wisp::Dispatch::Threaded] {
        let (_engine, module, mut store, mut linker) = on_backend(dispatch, SRC);
        linker
            .func_wrap("host", "swap", |caller: Caller<'_, ()>, i: i32, l: i64, f: f32, d: f64, v: u128| {
                assert!(caller.instance().is_some());
                (v, d, f, l, i)
            })
            .unwrap();
        linker
            .func_wrap("host", "spread", |n: i32| (n as i64, 2 * n as i64, 3 * n as i64, 4 * n as i64, 5 * n as i64))
            .unwrap();
        linker.func_new("host", "wide", wide_ty.clone(), wide).unwrap();
        let inst = linker.instantiate(&mut store, &module).expect("instantiate");
        let swap = inst.get_typed_func::<(), i64>(&store, "swap").unwrap();
        let lanes = 0x0123_4567_89ab_cdefi64.wrapping_add(0x7edc_ba98_7654_3210i64.wrapping_mul(3));
        let expect = (-7_000_000i64 - (1 << 40) + 150 + 22_500).wrapping_add(lanes);
        assert_eq!(swap.call(&mut store, ()).unwrap(), expect, "{dispatch:?}");
        let spread = inst.get_typed_func::<i32, i64>(&store, "spread").unwrap();
        assert_eq!(spread.call(&mut store, 7).unwrap(), 7 * 54_321, "{dispatch:?}");
        let w = inst.get_typed_func::<(), i64>(&store, "wide").unwrap();
        let expect = wide_expect(0) + wide_expect(16) * 1_000_000 + wide_expect(17) * 1_000_000_000_000;
        assert_eq!(w.call(&mut store, ()).unwrap(), expect, "{dispatch:?}");

        // The same host functions called by the host.
        let f = Func::wrap(&mut store, |caller: Caller<'_, ()>, i: i32, l: i64, f: f32, d: f64, v: u128| {
            assert!(caller.instance().is_none() && caller.get_export("memory").is_none());
            (v, d, f, l, i)
        });
        let typed = f.typed::<(i32, i64, f32, f64, u128), (u128, f64, f32, i64, i32)>(&store).unwrap();
        assert_eq!(typed.call(&mut store, (-7, -1 << 40, 1.5, 2.25, v)).unwrap(), (v, 2.25, 1.5, -1 << 40, -7));
        let mut out = [Val::I32(0); 5];
        let args = [Val::I32(3), Val::I64(4), Val::F32(0.5f32.to_bits()), Val::F64(0.25f64.to_bits()), Val::V128(!v)];
        f.call(&mut store, &args, &mut out).unwrap();
        assert_eq!(
            out,
            [Val::V128(!v), Val::F64(0.25f64.to_bits()), Val::F32(0.5f32.to_bits()), Val::I64(4), Val::I32(3)]
        );
        let g = Func::new(&mut store, wide_ty.clone(), wide);
        let args: Vec<Val> = (1..=20).map(Val::I64).collect();
        let mut out = vec![Val::I64(0); 18];
        g.call(&mut store, &args, &mut out).unwrap();
        assert_eq!(out, (0..18).map(|k| Val::I64(wide_expect(k))).collect::<Vec<_>>(), "{dispatch:?}");
    }
}

#[test]
fn modules_in_the_text_format() {
    let engine = Engine::default();
    let text = r#";; comments and white space before the module are fine
        (module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))"#;
    let module = Module::new(&engine, text).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let add = inst.get_typed_func::<(i32, i32), i32>(&store, "add").unwrap();
    assert_eq!(add.call(&mut store, (40, 2)).unwrap(), 42);
    // The same bytes as the binary that `wast` encodes.
    assert_eq!(&*wisp::wat_to_wasm(text.as_bytes()).unwrap(), wat(text).as_slice());
    Module::validate(&engine, text.as_bytes()).unwrap();

    // Text that does not parse says where.
    let err = Module::new(&engine, "(module\n (func (result i32) (i32.const)))").unwrap_err();
    assert!(matches!(&err, Error::Text(m) if m.ends_with("at line 2, column 31") && !m.contains('\n')), "{err}");
    // Text that parses into an invalid module is invalid, as its binary would be.
    let err = Module::new(&engine, r#"(module (func (result i32)))"#).unwrap_err();
    assert!(matches!(err, Error::Validate(_)), "{err}");
    // Anything else is left to the binary decoder.
    assert!(matches!(Module::new(&engine, b"\x01\x02garbage"), Err(Error::Decode(_))));
    assert!(matches!(Module::new(&engine, b""), Err(Error::Decode(_))));
}

/// Export lookups by name, repeated and interleaved (the module keeps the last names found
/// aside): each name always finds its own export, in two instances and through `Caller`.
#[test]
fn export_lookups_in_any_order() {
    let src = r#"(module
        (import "host" "probe" (func $probe))
        (memory (export "memory") 1)
        (global (export "mem") i32 (i32.const 7))
        (global (export "memory2") i32 (i32.const 8))
        (func (export "m") (result i32) (i32.const 1))
        (func (export "") (result i32) (i32.const 2))
        (func (export "alloc") (result i32) (i32.const 3))
        (func (export "allocate") (result i32) (i32.const 4))
        (func (export "run") (call $probe)))"#;
    let engine = Engine::default();
    let module = Module::new(&engine, wat(src)).unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("host", "probe", |caller: Caller<'_, u32>| {
            for name in ["memory", "alloc", "memory", "mem", "memory", "nope", "memory"] {
                let found = caller.get_export(name);
                let ok = match name {
                    "memory" => matches!(found, Some(Extern::Memory(_))),
                    "alloc" => matches!(found, Some(Extern::Func(_))),
                    "mem" => matches!(found, Some(Extern::Global(_))),
                    _ => found.is_none(),
                };
                assert!(ok, "{name}: {found:?}");
            }
        })
        .unwrap();
    let mut stores: Vec<(Store<u32>, wisp::Instance)> = (0..2)
        .map(|_| {
            let mut s = Store::new(&engine, 0);
            let i = linker.instantiate(&mut s, &module).unwrap();
            (s, i)
        })
        .collect();
    let expect = [("m", 1), ("", 2), ("alloc", 3), ("allocate", 4)];
    for round in 0..3 {
        for (store, inst) in &mut stores {
            for &(name, v) in expect.iter().chain(expect.iter().rev()) {
                let f = inst.get_typed_func::<(), i32>(&*store, name).unwrap();
                assert_eq!(f.call(&mut *store, ()).unwrap(), v, "{name} in round {round}");
            }
            for (name, v) in [("mem", 7), ("memory2", 8)] {
                assert_eq!(inst.get_global(&*store, name).unwrap().get(&*store).unwrap(), Val::I32(v), "{name}");
            }
            assert!(inst.get_memory(&*store, "memory").is_some());
            assert!(inst.get_export(&*store, "memor").is_none());
            assert!(inst.get_export(&*store, "allocat").is_none());
            inst.get_typed_func::<(), ()>(&*store, "run").unwrap().call(&mut *store, ()).unwrap();
        }
    }
}

/// `Caller::get_export("memory")` is the calling instance's export of that name, whatever it
/// is: its memory (the one written through it is the one the caller reads), a global, or
/// nothing; three instances of three modules in one store call the same host function.
#[test]
fn a_callers_memory_export_is_its_own() {
    let modules = [
        // The memory exported as `memory`; the host writes 41 at 8, the caller reads it back.
        r#"(module (import "host" "probe" (func $probe (param i32) (result i32)))
            (memory (export "memory") 1)
            (func (export "run") (result i32) (drop (call $probe (i32.const 1))) (i32.load (i32.const 8))))"#,
        // A global named `memory`, the memory under another name.
        r#"(module (import "host" "probe" (func $probe (param i32) (result i32)))
            (memory (export "mem") 1)
            (global (export "memory") i32 (i32.const 5))
            (func (export "run") (result i32) (call $probe (i32.const 2))))"#,
        // A memory, not exported.
        r#"(module (import "host" "probe" (func $probe (param i32) (result i32)))
            (memory 1)
            (func (export "run") (result i32) (call $probe (i32.const 3))))"#,
    ];
    for dispatch in [wisp::Dispatch::Portable, wisp::Dispatch::Threaded] {
        let (engine, _, mut store, mut linker) = on_backend(dispatch, modules[0]);
        linker
            .func_wrap("host", "probe", |mut caller: Caller<'_, ()>, which: i32| -> i32 {
                match (which, caller.get_export("memory")) {
                    (1, Some(Extern::Memory(m))) => {
                        m.write(&mut caller, 8, &41u32.to_le_bytes()).unwrap();
                        0
                    }
                    (2, Some(Extern::Global(g))) => g.get(&caller).unwrap().i32().unwrap(),
                    (3, None) => 7,
                    (w, e) => panic!("module {w}: {e:?}"),
                }
            })
            .unwrap();
        let mut results = Vec::new();
        for src in modules {
            let module = Module::new(&engine, wat(src)).unwrap();
            let inst = linker.instantiate(&mut store, &module).unwrap();
            let run = inst.get_typed_func::<(), i32>(&store, "run").unwrap();
            results.push(run.call(&mut store, ()).unwrap());
        }
        assert_eq!(results, [41, 5, 7], "{dispatch:?}");
    }
}

/// A host function that creates another during a call, which the guest then calls in the
/// same call (the running call holds an older list of host functions), and a host function
/// reached again from inside itself.
#[test]
fn host_functions_made_and_reentered_during_a_call() {
    let src = r#"(module
        (import "host" "make" (func $make (param i32) (result funcref)))
        (import "host" "first" (func $first (result i32)))
        (import "host" "again" (func $again (param i32) (result i32)))
        (type $r (func (result i32)))
        (table 1 funcref)
        (func (export "run") (param i32) (result i32)
          (drop (call $first))
          (table.set (i32.const 0) (call $make (local.get 0)))
          (i32.add (call $first) (call_indirect (type $r) (i32.const 0))))
        (func (export "down") (param i32) (result i32) (call $again (local.get 0))))"#;
    let engine = Engine::default();
    let module = Module::new(&engine, wat(src)).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("host", "first", || 1000i32).unwrap();
    linker
        .func_wrap("host", "make", |mut caller: Caller<'_, ()>, k: i32| -> Option<wisp::Func> {
            Some(wisp::Func::wrap(&mut caller, move || k * 10))
        })
        .unwrap();
    // again(n) = n + again(n - 1) through the guest's `down`, down to 0.
    linker
        .func_wrap("host", "again", |mut caller: Caller<'_, ()>, n: i32| -> wisp::Result<i32> {
            if n == 0 {
                return Ok(0);
            }
            let down = caller.get_export("down").and_then(Extern::into_func).unwrap();
            let down = down.typed::<i32, i32>(&caller)?;
            Ok(n + down.call(&mut caller, n - 1)?)
        })
        .unwrap();
    let mut store = Store::new(&engine, ());
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let run = inst.get_typed_func::<i32, i32>(&store, "run").unwrap();
    for k in 1..=5 {
        assert_eq!(run.call(&mut store, k).unwrap(), 1000 + 10 * k);
    }
    let down = inst.get_typed_func::<i32, i32>(&store, "down").unwrap();
    assert_eq!(down.call(&mut store, 50).unwrap(), 50 * 51 / 2);
}

/// A 64-bit memory made by the host: sizes are `u64` pages, a grow no host can hold is an
/// error (never a panic or an abort), and Wasm importing it sees the same memory.
#[test]
fn a_hosts_64_bit_memory() {
    let mut config = wisp::Config::new();
    config.wasm_memory64(true).wasm_multi_memory(true);
    let engine = Engine::new(&config);
    let mut store = Store::new(&engine, ());
    let ty = wisp::MemoryType {
        limits: wisp::Limits { min: 1, max: None },
        memory64: true,
        shared: false,
        page_size_log2: None,
    };
    let memory = wisp::Memory::new(&mut store, ty).unwrap();
    assert_eq!(memory.size(&store).unwrap(), 1);
    assert!(memory.grow(&mut store, 1 << 40).is_err(), "2^56 bytes");
    assert!(memory.grow(&mut store, u64::MAX).is_err());
    assert_eq!(memory.grow(&mut store, 1).unwrap(), 1);
    assert!(memory.ty(&store).unwrap().memory64);
    memory.write(&mut store, 2 * 65536 - 1, &[42]).unwrap();
    let module = Module::new(
        &engine,
        r#"(module
          (import "host" "mem" (memory $m1 i64 1))
          (memory $m0 1)
          (func (export "last") (result i32) (i32.load8_u $m1 (i64.sub (i64.mul (memory.size $m1) (i64.const 65536)) (i64.const 1))))
          (func (export "grow") (param i64) (result i64) (memory.grow $m1 (local.get 0))))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker.define("host", "mem", memory).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let last = instance.get_typed_func::<(), i32>(&store, "last").unwrap();
    assert_eq!(last.call(&mut store, ()).unwrap(), 42);
    let grow = instance.get_typed_func::<i64, i64>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 1 << 47).unwrap(), -1, "more than any host holds");
    assert_eq!(grow.call(&mut store, -1).unwrap(), -1);
    assert_eq!(grow.call(&mut store, 1).unwrap(), 2);
    assert_eq!(memory.size(&store).unwrap(), 3);
}

/// `v128` values cross the API as `u128` (typed calls and host functions) and `Val::V128`
/// (dynamic calls, globals), lane 0 in the low bits, each taking two slots beside one-slot
/// values in the same signature.
#[test]
fn v128_values_cross_the_api() {
    let mut config = wisp::Config::new();
    config.wasm_simd(true);
    let engine = Engine::new(&config);
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    // Swaps the halves of `a` and counts `x` up.
    linker.func_wrap("host", "swap", |a: u128, x: i32| -> (i32, u128) { (x + 1, a.rotate_left(64)) }).unwrap();
    let module = Module::new(
        &engine,
        r#"(module
            (import "host" "swap" (func $swap (param v128 i32) (result i32 v128)))
            (global $g (export "g") (mut v128) (v128.const i64x2 5 6))
            (func (export "f") (param $a v128) (param $x i32) (result v128 i32)
                (call $swap (local.get $a) (local.get $x))
                (local.set $a)
                (local.set $x)
                (i32x4.add (local.get $a) (global.get $g))
                (local.get $x)))"#,
    )
    .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let f = instance.get_typed_func::<(u128, i32), (u128, i32)>(&store, "f").unwrap();
    // (1, 2) swapped is (2, 1); plus the global's (5, 6) as i32x4 lanes (5, 0, 6, 0).
    assert_eq!(f.call(&mut store, (1 | 2 << 64, 7)).unwrap(), (7 | 7 << 64, 8));
    let mut out = [Val::I32(0), Val::I32(0)];
    instance.get_func(&store, "f").unwrap().call(&mut store, &[Val::V128(3), Val::I32(-1)], &mut out).unwrap();
    assert_eq!(out, [Val::V128(5 | 9 << 64), Val::I32(0)]);
    let g = instance.get_global(&store, "g").unwrap();
    assert_eq!(g.get(&store).unwrap(), Val::V128(5 | 6 << 64));
    g.set(&mut store, Val::V128(u128::MAX)).unwrap();
    assert_eq!(g.get(&store).unwrap().v128(), Some(u128::MAX));
}

/// A store takes the value stack an earlier store of its engine left (not zeroed again): the
/// locals of every frame still start at zero, on both backends, after a store that filled
/// 2,000 frames' locals with ones, and two stores alive at once do not share one.
#[test]
fn locals_start_at_zero_on_a_stack_another_store_left() {
    let src = r#"(module
        (func $fill (export "fill") (param $n i32) (result i64)
          (local $a i64) (local $b i64) (local $c i32) (local $d f64)
          (local.set $a (i64.const -1)) (local.set $b (i64.const -1))
          (local.set $c (i32.const -1)) (local.set $d (f64.const -1))
          (if (result i64) (i32.eqz (local.get $n))
            (then (i64.const 1))
            (else (i64.add (call $fill (i32.sub (local.get $n) (i32.const 1))) (local.get $a)))))
        (func $read (export "read") (param $n i32) (result i64)
          (local $a i64) (local $b i64) (local $c i32) (local $d f64)
          (i64.or
            (i64.or (i64.or (local.get $a) (local.get $b))
                    (i64.or (i64.extend_i32_u (local.get $c)) (i64.reinterpret_f64 (local.get $d))))
            (if (result i64) (i32.eqz (local.get $n))
              (then (i64.const 0))
              (else (call $read (i32.sub (local.get $n) (i32.const 1))))))))"#;
    for dispatch in [wisp::Dispatch::Portable, wisp::Dispatch::Threaded] {
        let (engine, module, mut first, linker) = on_backend(dispatch, src);
        let i = linker.instantiate(&mut first, &module).unwrap();
        let fill = i.get_typed_func::<i32, i64>(&first, "fill").unwrap();
        assert_eq!(fill.call(&mut first, 2000).unwrap(), -1999, "{dispatch:?}");
        drop(first);
        let mut second = Store::new(&engine, ());
        let mut third = Store::new(&engine, ());
        for store in [&mut second, &mut third] {
            let i = linker.instantiate(&mut *store, &module).unwrap();
            let read = i.get_typed_func::<i32, i64>(&*store, "read").unwrap();
            assert_eq!(read.call(&mut *store, 2000).unwrap(), 0, "{dispatch:?}");
            let fill = i.get_typed_func::<i32, i64>(&*store, "fill").unwrap();
            assert_eq!(fill.call(&mut *store, 100).unwrap(), -99, "{dispatch:?}");
        }
        let i = linker.instantiate(&mut second, &module).unwrap();
        let read = i.get_typed_func::<i32, i64>(&second, "read").unwrap();
        assert_eq!(read.call(&mut second, 2000).unwrap(), 0, "{dispatch:?}");
    }
}
