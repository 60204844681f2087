//! Fuel metering and interruption: runaway guests are stopped with a trap and the store stays
//! usable; fuel counts are deterministic across runs and dispatch backends.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wisp::{Config, Dispatch, Engine, Error, Linker, Module, Store, TrapCode};

fn wat(src: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(src).expect("lex");
    let mut w: wast::Wat = wast::parser::parse(&buf).expect("parse");
    w.encode().expect("encode")
}

const GUEST: &str = r#"(module
  (func (export "spin") (loop $l (br $l)))
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "sum") (param $n i32) (result i32) (local $acc i32)
    (block $done (loop $top
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $top)))
    (local.get $acc)))"#;

fn setup(config: &Config) -> (Store<()>, wisp::Instance) {
    let engine = Engine::new(config);
    let module = Module::new(&engine, wat(GUEST)).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    (store, inst)
}

fn fuel_config(dispatch: Dispatch) -> Config {
    let mut c = Config::new();
    c.consume_fuel(true).dispatch(dispatch);
    c
}

/// Interrupts through `handle` every `period` until stopped. An interrupt aims at the running
/// call only (one sent before the call starts is lost), so a test keeps sending until the call
/// it stops is over.
struct Interrupter {
    done: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl Interrupter {
    fn start(handle: wisp::InterruptHandle, period: Duration) -> Self {
        let done = Arc::new(AtomicBool::new(false));
        let stop = done.clone();
        let thread = std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(period);
                handle.interrupt();
            }
        });
        Interrupter { done, thread }
    }

    fn stop(self) {
        self.done.store(true, Ordering::Relaxed);
        self.thread.join().unwrap();
    }
}

#[test]
fn out_of_fuel_traps_and_store_recovers() {
    let (mut store, inst) = setup(&fuel_config(Dispatch::default()));
    store.set_fuel(100_000).unwrap();
    let spin = inst.get_typed_func::<(), ()>(&store, "spin").unwrap();
    let err = spin.call(&mut store, ()).unwrap_err();
    assert_eq!(err.as_trap().map(|t| t.code()), Some(TrapCode::OutOfFuel), "{err}");
    assert!(store.get_fuel().unwrap() < 100_000);
    // Refuelled, the store runs again.
    store.set_fuel(1_000_000).unwrap();
    let fib = inst.get_typed_func::<i32, i32>(&store, "fib").unwrap();
    assert_eq!(fib.call(&mut store, 15).unwrap(), 610);
}

#[test]
fn zero_fuel_runs_nothing() {
    let (mut store, inst) = setup(&fuel_config(Dispatch::default()));
    assert_eq!(store.get_fuel().unwrap(), 0);
    let sum = inst.get_typed_func::<i32, i32>(&store, "sum").unwrap();
    assert!(matches!(sum.call(&mut store, 3), Err(Error::Trap(t)) if t.code() == TrapCode::OutOfFuel));
}

/// Fuel consumed by a call: the same every time, on both backends.
fn consumed(dispatch: Dispatch, export: &str, arg: i32) -> u64 {
    let (mut store, inst) = setup(&fuel_config(dispatch));
    store.set_fuel(u64::MAX / 2).unwrap();
    let f = inst.get_typed_func::<i32, i32>(&store, export).unwrap();
    f.call(&mut store, arg).unwrap();
    u64::MAX / 2 - store.get_fuel().unwrap()
}

#[test]
fn fuel_is_deterministic_across_runs_and_backends() {
    for (export, arg) in [("fib", 12), ("sum", 1000)] {
        let a = consumed(Dispatch::Portable, export, arg);
        let b = consumed(Dispatch::Portable, export, arg);
        let c = consumed(Dispatch::Threaded, export, arg);
        assert_eq!(a, b, "{export}: runs differ");
        assert_eq!(a, c, "{export}: backends differ");
        assert!(a > 0);
    }
    // `sum(n)` runs its 11-operator loop body n times plus a constant: the count is linear.
    let d1 = consumed(Dispatch::Portable, "sum", 1001) - consumed(Dispatch::Portable, "sum", 1000);
    let d2 = consumed(Dispatch::Portable, "sum", 2001) - consumed(Dispatch::Portable, "sum", 2000);
    assert_eq!(d1, d2);
    assert!((5..=20).contains(&d1), "per-iteration fuel {d1}");
}

#[test]
fn fuel_api_needs_fuel_enabled() {
    let (mut store, _) = setup(&Config::new());
    assert!(matches!(store.set_fuel(10), Err(Error::Usage(_))));
    assert!(matches!(store.get_fuel(), Err(Error::Usage(_))));
    assert!(matches!(store.interrupt_handle(), Err(Error::Usage(_))));
}

#[test]
fn another_thread_interrupts_a_spinning_guest() {
    let mut config = Config::new();
    config.interruptible(true);
    let (mut store, inst) = setup(&config);
    let handle = store.interrupt_handle().unwrap();
    let spin = inst.get_typed_func::<(), ()>(&store, "spin").unwrap();
    let t0 = Instant::now();
    // An interrupt aims at the running call only: one sent before the call started would be
    // lost, so keep sending until the call is over.
    let stopper = Interrupter::start(handle, Duration::from_millis(50));
    let err = spin.call(&mut store, ()).unwrap_err();
    stopper.stop();
    assert_eq!(err.as_trap().map(|t| t.code()), Some(TrapCode::Interrupted), "{err}");
    assert!(t0.elapsed() < Duration::from_secs(10));
    // The store runs normally again.
    let sum = inst.get_typed_func::<i32, i32>(&store, "sum").unwrap();
    assert_eq!(sum.call(&mut store, 10).unwrap(), 55);
}

#[test]
fn interrupting_deep_recursion_unwinds_cleanly() {
    let mut config = Config::new();
    config.interruptible(true);
    let (mut store, inst) = setup(&config);
    let handle = store.interrupt_handle().unwrap();
    let fib = inst.get_typed_func::<i32, i32>(&store, "fib").unwrap();
    // An interrupt aims at the running call only, so keep asking until the call is over.
    let stopper = Interrupter::start(handle, Duration::from_millis(5));
    let err = fib.call(&mut store, 40).unwrap_err();
    stopper.stop();
    assert_eq!(err.as_trap().map(|t| t.code()), Some(TrapCode::Interrupted));
    assert_eq!(fib.call(&mut store, 10).unwrap(), 55);
}

fn interruptible() -> Config {
    let mut config = Config::new();
    config.interruptible(true);
    config
}

#[test]
fn an_interrupt_after_the_call_returned_does_not_touch_the_next_call() {
    let (mut store, inst) = setup(&interruptible());
    let handle = store.interrupt_handle().unwrap();
    let sum = inst.get_typed_func::<i32, i32>(&store, "sum").unwrap();
    assert_eq!(sum.call(&mut store, 10).unwrap(), 55);
    // Lands after the call returned: aimed at a call that is over, it does nothing.
    handle.interrupt();
    handle.interrupt();
    assert_eq!(sum.call(&mut store, 100).unwrap(), 5050);
    // Nor does it stop a long call later: only the deadline ends this one.
    store.set_timeout(Some(Duration::from_millis(50))).unwrap();
    let spin = inst.get_typed_func::<(), ()>(&store, "spin").unwrap();
    handle.interrupt();
    let err = spin.call(&mut store, ()).unwrap_err();
    assert_eq!(err.as_trap().map(|t| t.code()), Some(TrapCode::DeadlineExceeded), "{err}");
}

#[test]
fn a_deadline_stops_a_runaway_export_and_the_store_keeps_serving() {
    let (mut store, inst) = setup(&interruptible());
    let (mut other, other_inst) = setup(&interruptible());
    assert_eq!(store.timeout(), None);
    store.set_timeout(Some(Duration::from_millis(100))).unwrap();
    let spin = inst.get_typed_func::<(), ()>(&store, "spin").unwrap();
    let t0 = Instant::now();
    let err = spin.call(&mut store, ()).unwrap_err();
    let took = t0.elapsed();
    let trap = err.as_trap().expect("a trap");
    assert_eq!(trap.code(), TrapCode::DeadlineExceeded);
    // Stopped at a loop header's check: the offset of a `loop`.
    let at = trap.backtrace()[0].module_offset.expect("an offset");
    assert_eq!(err.to_string(), format!("wasm trap: deadline exceeded in func[0] at offset {at:#x}"));
    assert!(took >= Duration::from_millis(100), "stopped after {took:?}");
    assert!(took < Duration::from_secs(10), "stopped after {took:?}");

    // Every call gets its own deadline: short calls keep succeeding, many of them.
    let sum = inst.get_typed_func::<i32, i32>(&store, "sum").unwrap();
    for n in 0..20_000 {
        assert_eq!(sum.call(&mut store, n % 100).unwrap(), (n % 100) * (n % 100 + 1) / 2);
    }
    // The other store never had a deadline.
    let other_sum = other_inst.get_typed_func::<i32, i32>(&other, "sum").unwrap();
    assert_eq!(other_sum.call(&mut other, 10).unwrap(), 55);
    // And the runaway export stops again, each time.
    assert_eq!(spin.call(&mut store, ()).unwrap_err().as_trap().map(|t| t.code()), Some(TrapCode::DeadlineExceeded));
    store.set_timeout(None).unwrap();
    assert_eq!(sum.call(&mut store, 4).unwrap(), 10);
}

#[test]
fn deadlines_need_interruption_enabled() {
    let (mut store, _) = setup(&Config::new());
    assert!(matches!(store.set_timeout(Some(Duration::from_secs(1))), Err(Error::Usage(_))));
}

#[test]
fn interrupting_one_store_leaves_the_others_running() {
    let (mut a, a_inst) = setup(&interruptible());
    let (mut b, b_inst) = setup(&interruptible());
    let handle = a.interrupt_handle().unwrap();
    let a_spin = a_inst.get_typed_func::<(), ()>(&a, "spin").unwrap();
    b.set_timeout(Some(Duration::from_secs(5))).unwrap();
    let b_sum = b_inst.get_typed_func::<i32, i32>(&b, "sum").unwrap();
    let runner = std::thread::spawn(move || a_spin.call(&mut a, ()));
    let stopper = Interrupter::start(handle, Duration::from_millis(5));
    for _ in 0..1000 {
        assert_eq!(b_sum.call(&mut b, 10).unwrap(), 55);
    }
    let err = runner.join().unwrap().unwrap_err();
    stopper.stop();
    assert_eq!(err.as_trap().map(|t| t.code()), Some(TrapCode::Interrupted));
    assert_eq!(b_sum.call(&mut b, 10).unwrap(), 55);
}

#[test]
fn a_call_back_into_wasm_from_a_host_function_shares_the_outer_deadline() {
    let engine = Engine::new(&interruptible());
    let module = Module::new(
        &engine,
        wat(r#"(module
            (import "host" "reenter" (func $reenter))
            (func (export "spin") (loop $l (br $l)))
            (func (export "outer") (call $reenter)))"#),
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("host", "reenter", |mut caller: wisp::Caller<'_, ()>| -> wisp::Result<()> {
            let spin = caller.get_export("spin").and_then(wisp::Extern::into_func).unwrap();
            spin.typed::<(), ()>(&caller)?.call(&mut caller, ())
        })
        .unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    store.set_timeout(Some(Duration::from_millis(100))).unwrap();
    let outer = inst.get_typed_func::<(), ()>(&store, "outer").unwrap();
    let t0 = Instant::now();
    let err = outer.call(&mut store, ()).unwrap_err();
    assert_eq!(err.as_trap().map(|t| t.code()), Some(TrapCode::DeadlineExceeded), "{err}");
    assert!(t0.elapsed() < Duration::from_secs(10));
    // The store is usable afterwards, and the next outermost call gets a fresh deadline.
    let err = outer.call(&mut store, ()).unwrap_err();
    assert_eq!(err.as_trap().map(|t| t.code()), Some(TrapCode::DeadlineExceeded), "{err}");
}
