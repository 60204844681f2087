//! Exception handling on both dispatch backends: handlers found at the right operand height with
//! their values, across frames and instances; exceptions that escape to the host as
//! `Error::Exception` with their tag and payload; host frames that exceptions cross both ways;
//! `exnref` values in the host's hands; and traps, fuel, interruption and stack exhaustion,
//! which handlers do not catch. Expected values follow from the proposal's semantics.

use std::time::Duration;
use wisp::{Config, Dispatch, Engine, Error, Exception, FuncType, Linker, Module, Store, Tag, TrapCode, Val, ValType};

mod common;
use common::{instantiate, trap_code, wat};

/// An engine per dispatch backend, exceptions (and tail calls) on, `tune` applied.
fn engines(tune: impl Fn(&mut Config)) -> Vec<(Dispatch, Engine)> {
    common::engines(|c| {
        c.wasm_exceptions(true).wasm_tail_call(true);
        tune(c);
    })
}

const HEIGHTS: &str = r#"(module
  (tag $e (export "e") (param i32 i64))
  (tag $other (export "other"))
  ;; Throws $e carrying (n, n * 10) when n > 0, $other when n < 0, from depth `d` of recursion.
  (func $thrower (param $n i32) (param $d i32) (result i32)
    (if (local.get $d)
      (then (return (i32.add (i32.const 1)
        (call $thrower (local.get $n) (i32.sub (local.get $d) (i32.const 1)))))))
    (if (i32.gt_s (local.get $n) (i32.const 0))
      (then (throw $e (local.get $n) (i64.mul (i64.extend_i32_s (local.get $n)) (i64.const 10)))))
    (if (i32.lt_s (local.get $n) (i32.const 0)) (then (throw $other)))
    (i32.const 0))
  ;; The value below the handler's label survives; those above it, and the try_table's own,
  ;; go. Caught: 1000 + n * 10 + n; returned: 1000 - 1 + d.
  (func (export "heights") (param $n i32) (param $d i32) (result i64)
    (local $a i32) (local $b i64)
    (i64.const 1000)
    (block $h (result i32 i64)
      (i32.const 7)
      (try_table (param i32) (result i32) (catch $e $h)
        (i64.const 9) (drop)
        (drop)
        (call $thrower (local.get $n) (local.get $d)))
      (i64.const -1))
    (local.set $b) (local.set $a)
    (i64.add (local.get $b))
    (i64.add (i64.extend_i32_s (local.get $a))))
  ;; catch_all_ref, then the exnref thrown again to an outer handler that takes the payload.
  (func (export "rethrow") (param $n i32) (result i32)
    (block $outer (result i32 i64)
      (block $inner (result exnref)
        (try_table (catch_all_ref $inner)
          (drop (call $thrower (local.get $n) (i32.const 3))))
        (return (i32.const -1)))
      (try_table (param exnref) (catch $e $outer) (throw_ref))
      (unreachable))
    (drop))
  ;; A handler whose label is a loop: the loop runs again with the payload as its parameters.
  ;; 3 -> throws 2 -> throws 1 -> throws 0 -> returns the number of entries, 4.
  (func (export "retry") (result i32)
    (local $tries i32) (local $k i32)
    (i32.const 3) (i64.const 0)
    (loop $again (param i32 i64) (result i32)
      (drop)
      (local.set $tries (i32.add (local.get $tries) (i32.const 1)))
      (local.set $k)
      (try_table (catch $e $again)
        (if (local.get $k) (then (throw $e (i32.sub (local.get $k) (i32.const 1)) (i64.const 0)))))
      (local.get $tries)))
  (func (export "throw_null") (throw_ref (ref.null exn)))
  (func (export "make") (param i32) (result exnref)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (drop (call $thrower (local.get 0) (i32.const 0))))
      (ref.null exn)))
  (func (export "throw_ref") (param exnref) (throw_ref (local.get 0)))
)"#;

#[test]
fn handlers_keep_the_operands_below_their_label_and_push_the_payload() {
    for (d, engine) in engines(|_| {}) {
        let (mut store, inst) = instantiate(&engine, HEIGHTS);
        let heights = inst.get_typed_func::<(i32, i32), i64>(&store, "heights").unwrap();
        // Caught from 0, 1 and 50 frames down: 1000 + n * 10 + n.
        for depth in [0, 1, 50] {
            assert_eq!(heights.call(&mut store, (4, depth)).unwrap(), 1000 + 40 + 4, "{d:?} depth {depth}");
        }
        // Not thrown: the try_table's result (the depth) after 1000 - 1.
        assert_eq!(heights.call(&mut store, (0, 6)).unwrap(), 1000 - 1 + 6, "{d:?}");
        // Another tag passes the handler by and leaves the call.
        match heights.call(&mut store, (-1, 2)) {
            Err(Error::Exception(x)) => {
                assert_eq!(Some(x.tag()), inst.get_export(&store, "other").and_then(|e| e.into_tag()), "{d:?}");
                assert!(x.payload().is_empty());
            }
            other => panic!("{d:?}: {other:?}"),
        }
        let rethrow = inst.get_typed_func::<i32, i32>(&store, "rethrow").unwrap();
        assert_eq!(rethrow.call(&mut store, 12).unwrap(), 12, "{d:?}");
        assert_eq!(rethrow.call(&mut store, 0).unwrap(), -1, "{d:?}");
        let retry = inst.get_typed_func::<(), i32>(&store, "retry").unwrap();
        assert_eq!(retry.call(&mut store, ()).unwrap(), 4, "{d:?}");
        // The store still works after all of it.
        assert_eq!(heights.call(&mut store, (2, 3)).unwrap(), 1022, "{d:?}");
    }
}

#[test]
fn an_uncaught_exception_is_an_error_with_its_tag_and_payload() {
    for (d, engine) in engines(|_| {}) {
        let (mut store, inst) = instantiate(&engine, HEIGHTS);
        let tag = inst.get_export(&store, "e").and_then(|e| e.into_tag()).unwrap();
        assert_eq!(tag.ty(&store).unwrap(), FuncType::new([ValType::I32, ValType::I64], []));
        let make = inst.get_func(&store, "make").unwrap();
        let mut out = [Val::I32(0)];
        make.call(&mut store, &[Val::I32(3)], &mut out).unwrap();
        let Val::ExnRef(Some(exn)) = out[0] else { panic!("{d:?}: {:?}", out[0]) };
        assert_eq!(exn.tag(&store).unwrap(), tag);
        assert_eq!(exn.payload(&store).unwrap(), [Val::I32(3), Val::I64(30)]);
        // Given back to Wasm and thrown again: the same exception leaves the call.
        let throw_ref = inst.get_func(&store, "throw_ref").unwrap();
        let err = throw_ref.call(&mut store, &[Val::ExnRef(Some(exn))], &mut []).unwrap_err();
        let Error::Exception(x) = &err else { panic!("{d:?}: {err:?}") };
        assert_eq!((x.exn(), x.tag(), x.payload()), (exn, tag, &[Val::I32(3), Val::I64(30)][..]));
        assert!(err.to_string().contains("uncaught wasm exception"), "{err}");
        // A null reference is a trap, not an exception.
        let err = inst.get_typed_func::<(), ()>(&store, "throw_null").unwrap().call(&mut store, ()).unwrap_err();
        assert_eq!(trap_code(&err), Some(TrapCode::NullExceptionReference), "{d:?}: {err}");
        // Not thrown: null.
        make.call(&mut store, &[Val::I32(0)], &mut out).unwrap();
        assert_eq!(out[0], Val::ExnRef(None));
    }
}

#[test]
fn exceptions_cross_instances_and_host_frames() {
    for (d, engine) in engines(|_| {}) {
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        let lib = Module::new(
            &engine,
            wat(r#"(module
              (tag $e (export "e") (param i32))
              (func (export "throw") (param i32) (throw $e (local.get 0))))"#),
        )
        .unwrap();
        let lib = linker.instantiate(&mut store, &lib).unwrap();
        linker.instance(&store, "lib", lib).unwrap();
        let lib_throw = lib.get_typed_func::<i32, ()>(&store, "throw").unwrap();
        // A host function that calls Wasm which throws, and passes the error on.
        linker
            .func_wrap("host", "relay", move |mut caller: wisp::Caller<'_, ()>, x: i32| -> wisp::Result<()> {
                lib_throw.call(&mut caller, x)
            })
            .unwrap();
        // A host function that handles the exception of its call itself.
        linker
            .func_wrap("host", "swallow", move |mut caller: wisp::Caller<'_, ()>, x: i32| -> i32 {
                match lib_throw.call(&mut caller, x) {
                    Err(Error::Exception(e)) => e.payload()[0].i32().unwrap_or(0) + 100,
                    _ => -1,
                }
            })
            .unwrap();
        // A host function that throws an exception of another store: an error Wasm cannot catch.
        let foreign = {
            let mut other = Store::new(&engine, ());
            let t = Tag::new(&mut other, FuncType::new([], [])).unwrap();
            Exception::new(&mut other, t, &[]).unwrap()
        };
        linker.func_wrap("host", "foreign", move || -> wisp::Result<()> { Err(foreign.clone().into()) }).unwrap();
        let app = Module::new(
            &engine,
            wat(r#"(module
              (tag $e (import "lib" "e") (param i32))
              (func $throw (import "lib" "throw") (param i32))
              (func $relay (import "host" "relay") (param i32))
              (func $foreign (import "host" "foreign"))
              (func $swallow (import "host" "swallow") (param i32) (result i32))
              (func (export "direct") (param i32) (result i32)
                (block $h (result i32)
                  (try_table (catch $e $h) (call $throw (local.get 0)))
                  (i32.const -1)))
              (func (export "through_host") (param i32) (result i32)
                (block $h (result i32)
                  (try_table (catch $e $h) (call $relay (local.get 0)))
                  (i32.const -1)))
              (func (export "foreign") (result i32)
                (block $h
                  (try_table (catch_all $h) (call $foreign))
                  (return (i32.const -1)))
                (i32.const 1))
              ;; The tail call's frame is gone when its host callee throws: no handler of it.
              (func (export "tail_to_host") (param i32)
                (block $h
                  (try_table (catch_all $h) (return_call $relay (local.get 0))))
                (unreachable))
              (func (export "swallowed") (param i32) (result i32)
                (block $h (result i32)
                  (try_table (result i32) (catch $e $h) (call $swallow (local.get 0)))
                  (i32.add (i32.const 1000)))))"#),
        )
        .unwrap();
        let app = linker.instantiate(&mut store, &app).unwrap();
        let call = |store: &mut Store<()>, name: &str| app.get_typed_func::<i32, i32>(&*store, name).unwrap();
        let direct = call(&mut store, "direct");
        assert_eq!(direct.call(&mut store, 41).unwrap(), 41, "{d:?}");
        let through = call(&mut store, "through_host");
        assert_eq!(through.call(&mut store, 42).unwrap(), 42, "{d:?}");
        let err = app.get_typed_func::<(), i32>(&store, "foreign").unwrap().call(&mut store, ()).unwrap_err();
        assert!(matches!(err, Error::Exception(_)), "{d:?}: {err:?}");
        let tail_to_host = app.get_typed_func::<i32, ()>(&store, "tail_to_host").unwrap();
        let err = tail_to_host.call(&mut store, 3).unwrap_err();
        assert!(matches!(&err, Error::Exception(x) if x.payload() == [Val::I32(3)]), "{d:?}: {err:?}");
        // Handled by the host function: the Wasm handler around its call sees nothing.
        let swallowed = call(&mut store, "swallowed");
        assert_eq!(swallowed.call(&mut store, 5).unwrap(), 1105, "{d:?}");
        // Called from the host, the library's exception is the host's error.
        let err = lib.get_typed_func::<i32, ()>(&store, "throw").unwrap().call(&mut store, 9).unwrap_err();
        let Error::Exception(x) = err else { panic!("{d:?}: {err:?}") };
        assert_eq!(x.payload(), &[Val::I32(9)]);
    }
}

#[test]
fn traps_and_exhaustion_are_not_caught_and_fuel_and_interruption_stop_throwing_loops() {
    const SRC: &str = r#"(module
      (tag $e)
      (func $deep (export "deep") (param i32)
        (block $h
          (try_table (catch_all $h) (call $deep (i32.add (local.get 0) (i32.const 1)))))
      )
      (func (export "trap") (result i32)
        (block $h
          (try_table (catch_all $h) (drop (i32.div_u (i32.const 1) (i32.const 0)))))
        (i32.const 1))
      (func (export "spin") (param i32) (result i32)
        (loop $l
          (block $h
            (try_table (catch $e $h) (throw $e)))
          (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
          (br_if $l (local.get 0)))
        (i32.const 7))
      (func (export "forever")
        (loop $l
          (block $h (try_table (catch_all $h) (throw $e)))
          (br $l))))"#;
    for (d, engine) in engines(|c| {
        c.consume_fuel(true).interruptible(true).max_call_depth(1000);
    }) {
        let (mut store, inst) = instantiate(&engine, SRC);
        store.set_fuel(u64::MAX / 2).unwrap();
        let err = inst.get_typed_func::<i32, ()>(&store, "deep").unwrap().call(&mut store, 0).unwrap_err();
        assert_eq!(trap_code(&err), Some(TrapCode::StackOverflow), "{d:?}: {err}");
        let err = inst.get_typed_func::<(), i32>(&store, "trap").unwrap().call(&mut store, ()).unwrap_err();
        assert_eq!(trap_code(&err), Some(TrapCode::IntegerDivideByZero), "{d:?}: {err}");
        let spin = inst.get_typed_func::<i32, i32>(&store, "spin").unwrap();
        let held = store.exception_count();
        assert_eq!(spin.call(&mut store, 1000).unwrap(), 7, "{d:?}");
        // Each exception was caught without a reference to it: none is kept.
        assert_eq!(store.exception_count(), held, "{d:?}");
        // Fuel counts the operators run, thrown or not: a few thousand are not enough for 1000
        // rounds of about ten.
        store.set_fuel(3000).unwrap();
        let err = spin.call(&mut store, 1000).unwrap_err();
        assert_eq!(trap_code(&err), Some(TrapCode::OutOfFuel), "{d:?}: {err}");
        store.set_fuel(u64::MAX / 2).unwrap();
        store.set_timeout(Some(Duration::from_millis(50))).unwrap();
        let err = inst.get_typed_func::<(), ()>(&store, "forever").unwrap().call(&mut store, ()).unwrap_err();
        assert!(matches!(trap_code(&err), Some(TrapCode::DeadlineExceeded | TrapCode::Interrupted)), "{d:?}: {err}");
        store.set_timeout(None).unwrap();
        assert_eq!(spin.call(&mut store, 3).unwrap(), 7, "{d:?}");
    }
}

/// A `v128` in a payload travels as two slots among the others: thrown and caught (`catch`,
/// `catch_ref` and the exception thrown again, `catch_all` at the right height), across a host
/// function that passes it on or makes one with `Exception::new`, and out to the host.
#[test]
fn v128_payloads_travel_through_handlers_host_frames_and_the_host() {
    const V: u128 = 0x0011_2233_4455_6677_8899_aabb_ccdd_eeff;
    let payload = [Val::I32(-7), Val::V128(V), Val::I64(1 << 40)];
    for (d, engine) in engines(|c| {
        c.wasm_simd(true);
    }) {
        let mut store = Store::new(&engine, ());
        let ty = FuncType::new([ValType::I32, ValType::V128, ValType::I64], []);
        let tag = Tag::new(&mut store, ty).unwrap();
        let mut linker = Linker::new(&engine);
        linker.define("host", "v", tag).unwrap();
        let lib = Module::new(
            &engine,
            wat(r#"(module
              (tag $v (import "host" "v") (param i32 v128 i64))
              (func (export "throw") (param i32 v128 i64) (throw $v (local.get 0) (local.get 1) (local.get 2))))"#),
        )
        .unwrap();
        let lib = linker.instantiate(&mut store, &lib).unwrap();
        linker.instance(&store, "lib", lib).unwrap();
        let lib_throw = lib.get_func(&store, "throw").unwrap();
        linker
            .func_wrap("host", "relay", move |mut caller: wisp::Caller<'_, ()>, x: i32| -> wisp::Result<()> {
                let args = [Val::I32(x), Val::V128(V ^ x as u128), Val::I64(x as i64 * 3)];
                lib_throw.call(&mut caller, &args, &mut [])
            })
            .unwrap();
        linker
            .func_wrap("host", "make", move |mut caller: wisp::Caller<'_, ()>, x: i32| -> wisp::Result<()> {
                let args = [Val::I32(x), Val::V128((V << 8) | x as u128), Val::I64(-1)];
                Err(Exception::new(&mut caller, tag, &args)?.into())
            })
            .unwrap();
        let app = Module::new(
            &engine,
            wat(r#"(module
              (tag $v (import "host" "v") (param i32 v128 i64))
              (func $throw (import "lib" "throw") (param i32 v128 i64))
              (func $relay (import "host" "relay") (param i32))
              (func $make (import "host" "make") (param i32))
              (func (export "catch") (param i32 v128 i64) (result i32 v128 i64)
                (block $h (result i32 v128 i64)
                  (try_table (catch $v $h) (call $throw (local.get 0) (local.get 1) (local.get 2)))
                  (unreachable)))
              ;; Caught with its exnref, the payload dropped, thrown again and caught outside.
              (func (export "rethrow") (param i32 v128 i64) (result i32 v128 i64) (local $x exnref)
                (block $outer (result i32 v128 i64)
                  (block $inner (result i32 v128 i64 exnref)
                    (try_table (catch_ref $v $inner) (call $throw (local.get 0) (local.get 1) (local.get 2)))
                    (unreachable))
                  (local.set $x) (drop) (drop) (drop)
                  (try_table (catch $v $outer) (throw_ref (local.get $x)))
                  (unreachable)))
              ;; The v128 and i32 below the handler's label survive it.
              (func (export "catch_all") (param i32 v128 i64) (result v128 i32)
                (v128.const i64x2 5 6) (i32.const 9)
                (block $h (try_table (catch_all $h) (call $throw (local.get 0) (local.get 1) (local.get 2))))
                (i32.add (i32.const 1)))
              (func (export "relayed") (param i32) (result i32 v128 i64)
                (block $h (result i32 v128 i64)
                  (try_table (catch $v $h) (call $relay (local.get 0)))
                  (unreachable)))
              (func (export "made") (param i32) (result i32 v128 i64)
                (block $h (result i32 v128 i64)
                  (try_table (catch $v $h) (call $make (local.get 0)))
                  (unreachable)))
              (func (export "uncaught") (param i32) (call $make (local.get 0))))"#),
        )
        .unwrap();
        let app = linker.instantiate(&mut store, &app).unwrap();
        let mut out = [Val::I32(0), Val::I32(0), Val::I32(0)];
        for name in ["catch", "rethrow"] {
            let f = app.get_func(&store, name).unwrap();
            f.call(&mut store, &payload, &mut out).unwrap();
            assert_eq!(out, payload, "{d:?} {name}");
        }
        let f = app.get_func(&store, "catch_all").unwrap();
        f.call(&mut store, &payload, &mut out[..2]).unwrap();
        assert_eq!(out[..2], [Val::V128(6 << 64 | 5), Val::I32(10)], "{d:?}");
        let f = app.get_func(&store, "relayed").unwrap();
        f.call(&mut store, &[Val::I32(4)], &mut out).unwrap();
        assert_eq!(out, [Val::I32(4), Val::V128(V ^ 4), Val::I64(12)], "{d:?}");
        let f = app.get_func(&store, "made").unwrap();
        f.call(&mut store, &[Val::I32(5)], &mut out).unwrap();
        assert_eq!(out, [Val::I32(5), Val::V128((V << 8) | 5), Val::I64(-1)], "{d:?}");
        // Out to the host: from Wasm's throw, and from the host function's exception.
        let err = lib.get_func(&store, "throw").unwrap().call(&mut store, &payload, &mut []).unwrap_err();
        let Error::Exception(x) = err else { panic!("{d:?}: {err:?}") };
        assert_eq!((x.tag(), x.payload()), (tag, &payload[..]), "{d:?}");
        assert_eq!(x.exn().payload(&store).unwrap(), payload, "{d:?}");
        let err = app.get_func(&store, "uncaught").unwrap().call(&mut store, &[Val::I32(6)], &mut []).unwrap_err();
        let Error::Exception(x) = err else { panic!("{d:?}: {err:?}") };
        assert_eq!(x.payload(), [Val::I32(6), Val::V128((V << 8) | 6), Val::I64(-1)], "{d:?}");
    }
}
