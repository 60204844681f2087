//! Tail calls (`return_call`, `return_call_indirect`, `return_call_ref`) on both dispatch backends: the callee
//! replaces the caller's frame, so tail recursion runs in constant space (millions of calls
//! deep under a value stack of 64 slots and a call depth of 8); callees in other instances, host
//! callees, fuel, interruption, stack growth, and traps with their Wasm offsets.

use std::time::Duration;
use wisp::{Config, Dispatch, Engine, Instance, Linker, Module, Store, TrapCode};

mod common;
use common::{instantiate, trap_code, wat};

/// An engine per dispatch backend, tail calls on, `tune` applied.
fn engines(tune: impl Fn(&mut Config)) -> Vec<(Dispatch, Engine)> {
    common::engines(|c| {
        c.wasm_tail_call(true).wasm_function_references(true);
        tune(c);
    })
}

const LOOPS: &str = r#"(module
  (type $t (func (param i64) (result i32)))
  (table funcref (elem $even $odd))
  ;; n steps of a counter and an accumulator: 2n, by tail calls ...
  (func $count (export "count") (param $n i64) (param $acc i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call $count (i64.sub (local.get $n) (i64.const 1))
                                (i64.add (local.get $acc) (i64.const 2))))))
  ;; ... and by plain calls.
  (func $count_call (export "count_call") (param $n i64) (param $acc i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else (call $count_call (i64.sub (local.get $n) (i64.const 1))
                              (i64.add (local.get $acc) (i64.const 2))))))
  ;; Mutual recursion through the table: 1 when n is even.
  (func $even (export "even") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 1))
      (else (return_call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1)) (i32.const 1)))))
  (func $odd (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 0))
      (else (return_call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1)) (i32.const 0)))))
  ;; A callee with more locals than the caller's frame: the callee's frame is zeroed.
  (func $dirty (export "dirty") (param $n i64) (result i64) (local i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 9 (i64.const -1))
    (return_call $clean (local.get $n)))
  (func $clean (param $n i64) (result i64) (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (i64.add (local.get $n) (local.get 9))))"#;

#[test]
fn ten_million_tail_calls_run_in_constant_space() {
    for (d, engine) in engines(|c| {
        c.max_stack_slots(64).max_call_depth(8);
    }) {
        let (mut store, inst) = instantiate(&engine, LOOPS);
        let count = inst.get_typed_func::<(i64, i64), i64>(&store, "count").unwrap();
        assert_eq!(count.call(&mut store, (10_000_000, 0)).unwrap(), 20_000_000, "{d:?}");
        let even = inst.get_typed_func::<i64, i32>(&store, "even").unwrap();
        assert_eq!(even.call(&mut store, 10_000_000).unwrap(), 1, "{d:?}");
        assert_eq!(even.call(&mut store, 9_999_999).unwrap(), 0, "{d:?}");
        // The same recursion by plain calls exhausts the frames (the limits are small indeed).
        let count_call = inst.get_typed_func::<(i64, i64), i64>(&store, "count_call").unwrap();
        let err = count_call.call(&mut store, (1_000, 0)).unwrap_err();
        assert_eq!(trap_code(&err), Some(TrapCode::StackOverflow), "{d:?}");
        // And the store still serves tail calls after that trap.
        assert_eq!(count.call(&mut store, (3, 1)).unwrap(), 7, "{d:?}");
        let dirty = inst.get_typed_func::<i64, i64>(&store, "dirty").unwrap();
        assert_eq!(dirty.call(&mut store, 5).unwrap(), 5, "{d:?}");
    }
}

/// A tail call whose callee needs more value stack than is allocated grows it (outside the
/// loop, as a call does), and one that needs more than the limit traps at the tail call.
#[test]
fn a_tail_call_grows_the_value_stack_or_traps_at_its_limit() {
    let locals = " i64".repeat(20_000);
    let src = format!(
        r#"(module
  (func $small (export "small") (param $n i64) (result i64)
    (return_call $big (local.get $n) (i64.const 3)))
  (func $big (param $n i64) (param $k i64) (result i64) (local{locals})
    (local.set 19999 (local.get $k))
    (i64.add (local.get $n) (local.get 19999))))"#
    );
    for (d, engine) in engines(|_| {}) {
        let (mut store, inst) = instantiate(&engine, &src);
        let small = inst.get_typed_func::<i64, i64>(&store, "small").unwrap();
        assert_eq!(small.call(&mut store, 39).unwrap(), 42, "{d:?}");
        assert_eq!(small.call(&mut store, 1).unwrap(), 4, "{d:?}");
    }
    for (d, engine) in engines(|c| {
        c.max_stack_slots(10_000);
    }) {
        let module = Module::new(&engine, wat(&src)).unwrap();
        let mut store = Store::new(&engine, ());
        let inst = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
        let small = inst.get_typed_func::<i64, i64>(&store, "small").unwrap();
        let err = small.call(&mut store, 1).unwrap_err();
        let trap = err.as_trap().expect("a trap");
        assert_eq!(trap.code(), TrapCode::StackOverflow, "{d:?}");
        // At the `return_call` of `$small` (func 0): `local.get 0; i64.const 3; return_call 1`.
        let bytes = wat(&src);
        let at = find(&bytes, &[0x20, 0x00, 0x42, 0x03, 0x12, 0x01]) + 4;
        assert_eq!(trap.backtrace().len(), 1, "{d:?}: {err}");
        assert_eq!(trap.backtrace()[0].func_index, 0, "{d:?}");
        assert_eq!(trap.backtrace()[0].module_offset, Some(at), "{d:?}: {err}");
    }
}

/// The offset of the only occurrence of `pattern` in `bytes`.
fn find(bytes: &[u8], pattern: &[u8]) -> usize {
    let hits: Vec<usize> =
        bytes.windows(pattern.len()).enumerate().filter(|(_, w)| *w == pattern).map(|(i, _)| i).collect();
    assert_eq!(hits.len(), 1, "{pattern:x?} occurs {} times", hits.len());
    hits[0]
}

/// `ping` and `pong` live in two instances and tail-call each other, one through the shared
/// table and one through an import: every call switches instances, none keeps a frame.
#[test]
fn tail_calls_across_instances_run_in_constant_space() {
    const A: &str = r#"(module
  (type $t (func (param i64 i64) (result i64)))
  (table (export "table") 2 funcref)
  (elem (i32.const 0) $ping)
  (global $g (mut i32) (i32.const 0))
  (func $ping (export "ping") (param $n i64) (param $acc i64) (result i64)
    (global.set $g (i32.const 1))
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call_indirect (type $t)
              (i64.sub (local.get $n) (i64.const 1)) (i64.add (local.get $acc) (i64.const 1)) (i32.const 1))))))"#;
    const B: &str = r#"(module
  (type $t (func (param i64 i64) (result i64)))
  (import "a" "ping" (func $ping (type $t)))
  (import "a" "table" (table 2 funcref))
  (elem (i32.const 1) $pong)
  (global $g (mut i32) (i32.const 0))
  (func $pong (export "pong") (param $n i64) (param $acc i64) (result i64)
    (global.set $g (i32.const 2))
    (return_call $ping (local.get $n) (i64.add (local.get $acc) (i64.const 1000)))))"#;
    for (d, engine) in engines(|c| {
        c.max_stack_slots(64).max_call_depth(8);
    }) {
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        let a = linker.instantiate(&mut store, &Module::new(&engine, wat(A)).unwrap()).unwrap();
        linker.instance(&store, "a", a).unwrap();
        let b = linker.instantiate(&mut store, &Module::new(&engine, wat(B)).unwrap()).unwrap();
        let ping = a.get_typed_func::<(i64, i64), i64>(&store, "ping").unwrap();
        assert_eq!(ping.call(&mut store, (2_000_000, 0)).unwrap(), 2_002_000_000, "{d:?}");
        let pong = b.get_typed_func::<(i64, i64), i64>(&store, "pong").unwrap();
        assert_eq!(pong.call(&mut store, (3, 0)).unwrap(), 4003, "{d:?}");
    }
}

/// A host function tail-called directly or through a table is called, and its results are
/// the caller's; its failure is the call's error.
#[test]
fn host_callees_of_tail_calls_return_to_the_callers_caller() {
    const SRC: &str = r#"(module
  (type $h (func (param i32) (result i32 i64)))
  (import "env" "twice" (func $twice (type $h)))
  (import "env" "fail" (func $fail (type $h)))
  (table funcref (elem $twice $fail))
  (func $direct (export "direct") (param i32) (result i32 i64)
    (return_call $twice (i32.add (local.get 0) (i32.const 1))))
  (func $indirect (export "indirect") (param i32) (param i32) (result i32 i64)
    (return_call_indirect (type $h) (local.get 0) (local.get 1)))
  ;; A Wasm caller below the tail call: the results come back to it.
  (func (export "nested") (param i32) (result i64)
    (local $hi i64)
    (call $direct (local.get 0))
    (local.set $hi)
    (i64.extend_i32_u)
    (local.get $hi)
    (i64.add)))"#;
    for (d, engine) in engines(|_| {}) {
        let module = Module::new(&engine, wat(SRC)).unwrap();
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        linker.func_wrap("env", "twice", |x: i32| -> (i32, i64) { (2 * x, x as i64 * 100) }).unwrap();
        linker
            .func_wrap("env", "fail", |_: i32| -> Result<(i32, i64), wisp::Error> {
                Err(wisp::Error::Usage("refused".into()))
            })
            .unwrap();
        let inst = linker.instantiate(&mut store, &module).unwrap();
        let direct = inst.get_typed_func::<i32, (i32, i64)>(&store, "direct").unwrap();
        assert_eq!(direct.call(&mut store, 20).unwrap(), (42, 2100), "{d:?}");
        let indirect = inst.get_typed_func::<(i32, i32), (i32, i64)>(&store, "indirect").unwrap();
        assert_eq!(indirect.call(&mut store, (5, 0)).unwrap(), (10, 500), "{d:?}");
        let err = indirect.call(&mut store, (5, 1)).unwrap_err();
        assert!(err.to_string().contains("refused"), "{d:?}: {err}");
        let err = indirect.call(&mut store, (5, 2)).unwrap_err();
        assert_eq!(trap_code(&err), Some(TrapCode::UndefinedElement), "{d:?}");
        let nested = inst.get_typed_func::<i32, i64>(&store, "nested").unwrap();
        assert_eq!(nested.call(&mut store, 3).unwrap(), 408, "{d:?}");
    }
}

/// A function that only tail-calls a host function, called from Wasm: the caller's own
/// operands after the call are whole. wasmi 2.0 crashes on this shape (tests-diff/RATIONALE.md,
/// seed 16,648 of the long run).
#[test]
fn a_caller_computes_on_after_a_callee_tail_called_a_host_function() {
    const SRC: &str = r#"(module
  (import "m" "f" (func $host))
  (global $g (export "g") (mut i32) (i32.const 7))
  (func $tail (return_call $host))
  (func (export "run")
    (call $tail)
    (global.set $g (i32.xor (global.get $g) (i32.add (global.get $g) (i32.const 5))))))"#;
    for (d, engine) in engines(|_| {}) {
        let module = Module::new(&engine, wat(SRC)).unwrap();
        let mut store = Store::new(&engine, 0u32);
        let mut linker = Linker::new(&engine);
        linker.func_wrap("m", "f", |mut caller: wisp::Caller<'_, u32>| *caller.data_mut() += 1).unwrap();
        let inst = linker.instantiate(&mut store, &module).unwrap();
        let run = inst.get_typed_func::<(), ()>(&store, "run").unwrap();
        let g = inst.get_global(&store, "g").unwrap();
        run.call(&mut store, ()).unwrap();
        // 7 ^ 12 = 11, then 11 ^ 16 = 27.
        assert_eq!(g.get(&store).unwrap().i32(), Some(11), "{d:?}");
        run.call(&mut store, ()).unwrap();
        assert_eq!(g.get(&store).unwrap().i32(), Some(27), "{d:?}");
        assert_eq!(*store.data(), 2, "{d:?}");
    }
}

/// A tail call costs what a call costs, one Wasm operator, and nothing after it runs: fuel
/// counts the operators run (crates/wisp/RATIONALE.md, "Tail calls").
#[test]
fn a_tail_call_costs_the_fuel_of_a_call() {
    for (d, engine) in engines(|c| {
        c.consume_fuel(true);
    }) {
        let (mut store, inst) = instantiate(&engine, LOOPS);
        let count = inst.get_typed_func::<(i64, i64), i64>(&store, "count").unwrap();
        let count_call = inst.get_typed_func::<(i64, i64), i64>(&store, "count_call").unwrap();
        let used = |f: &wisp::TypedFunc<(i64, i64), i64>, n: i64, store: &mut Store<()>| {
            store.set_fuel(1_000_000).unwrap();
            assert_eq!(f.call(&mut *store, (n, 0)).unwrap(), 2 * n);
            1_000_000 - store.get_fuel().unwrap()
        };
        // Each level charges its straight-line code up to the `else` (5: `local.get`, `i64.eqz`,
        // `if`, the `then` arm's `local.get`, `else`) and the `else` arm (7: two operands of
        // three operators each, and the call); the last level its `then` arm instead, and the
        // function's `end` (1). A plain call also runs, after each return, the `end`s of the
        // `if` and of the function (2), which a tail call never returns to.
        for n in [0i64, 1, 2, 10, 1000] {
            let tail = used(&count, n, &mut store);
            assert_eq!(tail, 6 + 12 * n as u64, "{d:?}: n = {n}");
            assert_eq!(used(&count_call, n, &mut store), tail + 2 * n as u64, "{d:?}: n = {n}");
        }
        // A runaway tail recursion runs out of fuel like any loop.
        store.set_fuel(10_000).unwrap();
        let err = count.call(&mut store, (i64::MAX, 0)).unwrap_err();
        assert_eq!(trap_code(&err), Some(TrapCode::OutOfFuel), "{d:?}");
    }
}

/// An endless tail recursion, by `return_call` or by `return_call_ref`, stops at its deadline.
#[test]
fn an_endless_tail_recursion_is_interrupted() {
    const SPIN: &str = r#"(module
  (func $spin (export "spin") (param i64) (result i64)
    (return_call $spin (i64.add (local.get 0) (i64.const 1)))))"#;
    const SPIN_REF: &str = r#"(module
  (type $t (func (param i64) (result i64)))
  (elem declare func $spin)
  (func $spin (export "spin") (type $t)
    (return_call_ref $t (i64.add (local.get 0) (i64.const 1)) (ref.func $spin))))"#;
    for src in [SPIN, SPIN_REF] {
        for (d, engine) in engines(|c| {
            c.interruptible(true).max_stack_slots(64).max_call_depth(8);
        }) {
            let (mut store, inst) = instantiate(&engine, src);
            store.set_timeout(Some(Duration::from_millis(50))).unwrap();
            let spin = inst.get_typed_func::<i64, i64>(&store, "spin").unwrap();
            let err = spin.call(&mut store, 0).unwrap_err();
            let trap = err.as_trap().expect("a trap");
            assert_eq!(trap.code(), TrapCode::DeadlineExceeded, "{d:?}");
            // Stopped at the check on function entry: the offset of the body's first operator,
            // `local.get 0`, in the only frame left.
            let at = find(&wat(src), &[0x20, 0x00, 0x42, 0x01, 0x7c]);
            assert_eq!(trap.backtrace().len(), 1, "{d:?}: {err}");
            assert_eq!(trap.backtrace()[0].module_offset, Some(at), "{d:?}: {err}");
        }
    }
}

/// A trap in a tail-called function has the callee in its backtrace, not the frame it
/// replaced; a trap of `return_call_indirect` itself points at it.
#[test]
fn traps_after_and_at_tail_calls_have_their_offsets() {
    const SRC: &str = r#"(module
  (type $v (func))
  (table 1 funcref)
  (func $outer (export "outer") (call $mid))
  (func $mid (return_call $inner))
  (func $inner (unreachable))
  (func (export "null") (return_call_indirect (type $v) (i32.const 0)))
  (func (export "oob") (return_call_indirect (type $v) (i32.const 5))))"#;
    let bytes = wat(SRC);
    for (d, engine) in engines(|_| {}) {
        let (mut store, inst) = instantiate(&engine, SRC);
        let outer = inst.get_typed_func::<(), ()>(&store, "outer").unwrap();
        let err = outer.call(&mut store, ()).unwrap_err();
        let trap = err.as_trap().expect("a trap");
        assert_eq!(trap.code(), TrapCode::Unreachable, "{d:?}");
        let frames: Vec<(u32, Option<usize>)> =
            trap.backtrace().iter().map(|f| (f.func_index, f.module_offset)).collect();
        // `unreachable` (0x00) in func 2, and func 0's `call 1` (0x10 0x01).
        let call_at = find(&bytes, &[0x10, 0x01, 0x0b]);
        // `$inner`'s body (size 3: no locals, `unreachable`, `end`), then the next one's size.
        let unreachable_at = find(&bytes, &[0x03, 0x00, 0x00, 0x0b, 0x07]) + 2;
        assert_eq!(frames, vec![(2, Some(unreachable_at)), (0, Some(call_at))], "{d:?}: {err}");
        for (name, code, pattern) in [
            ("null", TrapCode::IndirectCallToNull, [0x41u8, 0x00, 0x13, 0x00, 0x00]),
            ("oob", TrapCode::UndefinedElement, [0x41, 0x05, 0x13, 0x00, 0x00]),
        ] {
            let f = inst.get_typed_func::<(), ()>(&store, name).unwrap();
            let err = f.call(&mut store, ()).unwrap_err();
            let trap = err.as_trap().expect("a trap");
            assert_eq!(trap.code(), code, "{d:?} {name}");
            assert_eq!(trap.backtrace()[0].module_offset, Some(find(&bytes, &pattern) + 2), "{d:?} {name}: {err}");
        }
    }
}

/// `return_call_ref` and `call_ref`: a counter by tail calls through a reference (to itself, and
/// to a host function), and the same by plain calls through a reference.
const REFS: &str = r#"(module
  (type $t (func (param i64 i64) (result i64)))
  (import "env" "host" (func $host (type $t)))
  (elem declare func $count_ref $count_call_ref $host)
  (func $count_ref (export "count_ref") (type $t)
    (if (result i64) (i64.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call_ref $t (i64.sub (local.get 0) (i64.const 1))
                                (i64.add (local.get 1) (i64.const 2)) (ref.func $count_ref)))))
  (func $count_call_ref (export "count_call_ref") (type $t)
    (if (result i64) (i64.eqz (local.get 0))
      (then (local.get 1))
      (else (call_ref $t (i64.sub (local.get 0) (i64.const 1))
                         (i64.add (local.get 1) (i64.const 2)) (ref.func $count_call_ref)))))
  (func (export "tail_host") (type $t) (return_call_ref $t (local.get 0) (local.get 1) (ref.func $host)))
  (func (export "call_host") (type $t) (call_ref $t (local.get 0) (local.get 1) (ref.func $host)))
  (func (export "tail_null") (type $t) (return_call_ref $t (local.get 0) (local.get 1) (ref.null $t)))
  (func (export "call_null") (type $t) (call_ref $t (local.get 0) (local.get 1) (ref.null $t))))"#;

fn instantiate_refs(engine: &Engine) -> (Store<()>, Instance) {
    let module = Module::new(engine, wat(REFS)).expect("compiles");
    let mut store = Store::new(engine, ());
    let mut linker = Linker::new(engine);
    linker.func_wrap("env", "host", |n: i64, acc: i64| n * 1000 + acc).unwrap();
    let inst = linker.instantiate(&mut store, &module).expect("instantiates");
    (store, inst)
}

#[test]
fn ten_million_tail_calls_by_reference_run_in_constant_space() {
    for (d, engine) in engines(|c| {
        c.max_stack_slots(64).max_call_depth(8);
    }) {
        let (mut store, inst) = instantiate_refs(&engine);
        let f = |name: &str, store: &Store<()>| inst.get_typed_func::<(i64, i64), i64>(store, name).unwrap();
        assert_eq!(f("count_ref", &store).call(&mut store, (10_000_000, 0)).unwrap(), 20_000_000, "{d:?}");
        // By plain calls through references the frames run out, and the store stays usable.
        let err = f("count_call_ref", &store).call(&mut store, (1_000, 0)).unwrap_err();
        assert_eq!(trap_code(&err), Some(TrapCode::StackOverflow), "{d:?}");
        assert_eq!(f("count_call_ref", &store).call(&mut store, (3, 1)).unwrap(), 7, "{d:?}");
        // A host function through a reference, tail-called or called: its results are returned.
        assert_eq!(f("tail_host", &store).call(&mut store, (4, 2)).unwrap(), 4002, "{d:?}");
        assert_eq!(f("call_host", &store).call(&mut store, (5, 3)).unwrap(), 5003, "{d:?}");
        // A null reference traps with the spec's message.
        for name in ["tail_null", "call_null"] {
            let err = f(name, &store).call(&mut store, (1, 1)).unwrap_err();
            assert_eq!(trap_code(&err), Some(TrapCode::NullFunctionReference), "{d:?} {name}");
            assert_eq!(TrapCode::NullFunctionReference.message(), "null function reference");
        }
    }
}

/// `ping` and `pong` in two instances call each other by `return_call_ref`: `pong` through a
/// reference to the import, `ping` through a global of the other module's (equivalent) type that
/// `pong`'s instance sets.
#[test]
fn tail_calls_by_reference_across_instances_run_in_constant_space() {
    const A: &str = r#"(module
  (type $t (func (param i64 i64) (result i64)))
  (global $next (export "next") (mut (ref null $t)) (ref.null $t))
  (func $ping (export "ping") (type $t)
    (if (result i64) (i64.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call_ref $t (i64.sub (local.get 0) (i64.const 1)) (i64.add (local.get 1) (i64.const 1))
                                (global.get $next))))))"#;
    const B: &str = r#"(module
  (type $t (func (param i64 i64) (result i64)))
  (import "a" "ping" (func $ping (type $t)))
  (import "a" "next" (global $next (mut (ref null $t))))
  (elem declare func $ping $pong)
  (func $pong (type $t)
    (return_call_ref $t (local.get 0) (i64.add (local.get 1) (i64.const 1000)) (ref.func $ping)))
  (func $init (global.set $next (ref.func $pong)))
  (start $init))"#;
    for (d, engine) in engines(|c| {
        c.max_stack_slots(64).max_call_depth(8);
    }) {
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        let a = linker.instantiate(&mut store, &Module::new(&engine, wat(A)).unwrap()).unwrap();
        let ping = a.get_typed_func::<(i64, i64), i64>(&store, "ping").unwrap();
        // Before `B` sets the global, `ping` calls through a null reference.
        let err = ping.call(&mut store, (1, 0)).unwrap_err();
        assert_eq!(trap_code(&err), Some(TrapCode::NullFunctionReference), "{d:?}");
        linker.instance(&store, "a", a).unwrap();
        linker.instantiate(&mut store, &Module::new(&engine, wat(B)).unwrap()).unwrap();
        assert_eq!(ping.call(&mut store, (2_000_000, 0)).unwrap(), 2_002_000_000, "{d:?}");
    }
}

/// `call_ref` costs what `call` costs and `return_call_ref` what `return_call` costs, one
/// operator each: the reference versions of the counters run one more operator per level (the
/// `ref.func`), and nothing else.
#[test]
fn calls_by_reference_cost_the_fuel_of_calls() {
    for (d, engine) in engines(|c| {
        c.consume_fuel(true);
    }) {
        let (mut store, loops) = instantiate(&engine, LOOPS);
        let (mut rstore, refs) = instantiate_refs(&engine);
        let used = |inst: &Instance, name: &str, n: i64, store: &mut Store<()>| {
            let f = inst.get_typed_func::<(i64, i64), i64>(&*store, name).unwrap();
            store.set_fuel(1_000_000).unwrap();
            assert_eq!(f.call(&mut *store, (n, 0)).unwrap(), 2 * n);
            1_000_000 - store.get_fuel().unwrap()
        };
        for n in [0i64, 1, 2, 10, 1000] {
            let tail = used(&loops, "count", n, &mut store);
            assert_eq!(used(&refs, "count_ref", n, &mut rstore), tail + n as u64, "{d:?}: n = {n}");
            let call = used(&loops, "count_call", n, &mut store);
            assert_eq!(used(&refs, "count_call_ref", n, &mut rstore), call + n as u64, "{d:?}: n = {n}");
        }
        rstore.set_fuel(10_000).unwrap();
        let count_ref = refs.get_typed_func::<(i64, i64), i64>(&rstore, "count_ref").unwrap();
        let err = count_ref.call(&mut rstore, (i64::MAX, 0)).unwrap_err();
        assert_eq!(trap_code(&err), Some(TrapCode::OutOfFuel), "{d:?}");
    }
}

/// A null reference's trap points at the `return_call_ref` or `call_ref` that met it.
#[test]
fn a_call_through_a_null_reference_traps_at_it() {
    const SRC: &str = r#"(module
  (type $v (func))
  (func (export "tail") (return_call_ref $v (ref.null $v)))
  (func (export "call") (call_ref $v (ref.null $v))))"#;
    let bytes = wat(SRC);
    for (d, engine) in engines(|_| {}) {
        let (mut store, inst) = instantiate(&engine, SRC);
        // `ref.null 0` (0xd0 0x00), then `return_call_ref 0` (0x15) or `call_ref 0` (0x14).
        for (name, op) in [("tail", 0x15u8), ("call", 0x14)] {
            let f = inst.get_typed_func::<(), ()>(&store, name).unwrap();
            let err = f.call(&mut store, ()).unwrap_err();
            let trap = err.as_trap().expect("a trap");
            assert_eq!(trap.code(), TrapCode::NullFunctionReference, "{d:?} {name}");
            let at = find(&bytes, &[0xd0, 0x00, op, 0x00, 0x0b]) + 2;
            assert_eq!(trap.backtrace()[0].module_offset, Some(at), "{d:?} {name}: {err}");
        }
    }
}
