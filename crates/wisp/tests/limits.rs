//! Resource limits: the store's limiter decides memory and table growth (a refused grow is
//! -1 to Wasm, an error to the host), creation sizes and counts fail instantiation with a
//! clear error, and the Config's value-stack and call-depth limits end runaway code in a
//! clean trap that leaves the store usable.

use wisp::{
    Config, Engine, Error, Linker, Memory, MemoryType, Module, RefType, ResourceLimiter, Store, StoreLimits,
    StoreLimitsBuilder, Table, TableType, TrapCode, Val,
};

fn wat(src: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(src).expect("lex");
    let mut w: wast::Wat = wast::parser::parse(&buf).expect("parse");
    w.encode().expect("encode")
}

const PAGE: usize = 65536;

const GROWER: &str = r#"(module
  (memory (export "mem") 1)
  (table (export "tab") 1 funcref)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "tgrow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0)))
  (func (export "poke") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0))))"#;

struct Host {
    limits: StoreLimits,
}

fn limited(limits: StoreLimits) -> (Store<Host>, wisp::Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat(GROWER)).unwrap();
    let mut store = Store::new(&engine, Host { limits });
    store.limiter(|h| &mut h.limits);
    let inst = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    (store, inst)
}

#[test]
fn memory_grow_past_the_limit_returns_minus_one_and_memory_stays_usable() {
    let (mut store, inst) = limited(StoreLimitsBuilder::new().memory_size(4 * PAGE).build());
    let grow = inst.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    let size = inst.get_typed_func::<(), i32>(&store, "size").unwrap();
    assert_eq!(grow.call(&mut store, 2).unwrap(), 1);
    assert_eq!(grow.call(&mut store, 2).unwrap(), -1, "5 pages > 4 allowed");
    assert_eq!(grow.call(&mut store, 1).unwrap(), 3, "exactly at the limit is allowed");
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1);
    assert_eq!(grow.call(&mut store, 0).unwrap(), 4, "growing by 0 always succeeds");
    assert_eq!(size.call(&mut store, ()).unwrap(), 4);
    let poke = inst.get_typed_func::<(i32, i32), ()>(&store, "poke").unwrap();
    let peek = inst.get_typed_func::<i32, i32>(&store, "peek").unwrap();
    poke.call(&mut store, (4 * PAGE as i32 - 1, 7)).unwrap();
    assert_eq!(peek.call(&mut store, 4 * PAGE as i32 - 1).unwrap(), 7);
    // The host's grow goes through the same limiter.
    let mem = inst.get_memory(&store, "mem").unwrap();
    assert!(mem.grow(&mut store, 1).is_err());
    assert_eq!(mem.size(&store).unwrap(), 4);
}

#[test]
fn table_grow_past_the_limit_returns_minus_one() {
    let (mut store, inst) = limited(StoreLimitsBuilder::new().table_elements(10).build());
    let tgrow = inst.get_typed_func::<i32, i32>(&store, "tgrow").unwrap();
    assert_eq!(tgrow.call(&mut store, 9).unwrap(), 1);
    assert_eq!(tgrow.call(&mut store, 1).unwrap(), -1);
    assert_eq!(tgrow.call(&mut store, 0).unwrap(), 10);
    let tab = inst.get_table(&store, "tab").unwrap();
    assert_eq!(tab.size(&store).unwrap(), 10);
    assert!(tab.grow(&mut store, 1, Val::FuncRef(None)).is_err());
}

#[test]
fn no_limiter_means_only_the_declared_maximum() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        wat(r#"(module (memory 1 3)
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#),
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let grow = inst.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 2).unwrap(), 1);
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1);
}

fn instantiate_err(limits: StoreLimits, src: &str) -> String {
    let engine = Engine::default();
    let module = Module::new(&engine, wat(src)).unwrap();
    let mut store = Store::new(&engine, Host { limits });
    store.limiter(|h| &mut h.limits);
    match Linker::new(&engine).instantiate(&mut store, &module) {
        Ok(_) => panic!("instantiation within the limits: {src}"),
        Err(e @ Error::Instantiate(_)) => e.to_string(),
        Err(e) => panic!("not an instantiation error: {e}"),
    }
}

#[test]
fn instantiation_over_the_limits_fails_with_a_clear_error() {
    let e = instantiate_err(StoreLimitsBuilder::new().memory_size(PAGE).build(), "(module (memory 2))");
    assert!(e.contains("resource limit exceeded") && e.contains("131072 bytes"), "{e}");
    let e = instantiate_err(StoreLimitsBuilder::new().table_elements(5).build(), "(module (table 6 funcref))");
    assert!(e.contains("resource limit exceeded") && e.contains("6 elements"), "{e}");
    let e = instantiate_err(StoreLimitsBuilder::new().memories(0).build(), "(module (memory 0))");
    assert!(e.contains("memories"), "{e}");
    let e = instantiate_err(StoreLimitsBuilder::new().tables(0).build(), "(module (table 0 funcref))");
    assert!(e.contains("tables"), "{e}");
    let e = instantiate_err(StoreLimitsBuilder::new().instances(0).build(), "(module)");
    assert!(e.contains("instances"), "{e}");
}

#[test]
fn instance_count_limit_applies_per_store() {
    let engine = Engine::default();
    let module = Module::new(&engine, wat("(module (memory 1))")).unwrap();
    let mut store = Store::new(&engine, Host { limits: StoreLimitsBuilder::new().instances(2).memories(2).build() });
    store.limiter(|h| &mut h.limits);
    let linker = Linker::new(&engine);
    linker.instantiate(&mut store, &module).unwrap();
    linker.instantiate(&mut store, &module).unwrap();
    let e = linker.instantiate(&mut store, &module).unwrap_err();
    assert!(e.to_string().contains("instances"), "{e}");
    // Another store has its own count.
    let mut other = Store::new(&engine, Host { limits: StoreLimitsBuilder::new().instances(1).build() });
    other.limiter(|h| &mut h.limits);
    linker.instantiate(&mut other, &module).unwrap();
}

#[test]
fn host_created_memories_and_tables_obey_the_limiter() {
    let engine = Engine::default();
    let mut store =
        Store::new(&engine, Host { limits: StoreLimitsBuilder::new().memory_size(PAGE).table_elements(3).build() });
    store.limiter(|h| &mut h.limits);
    let mt = |min, max| MemoryType {
        limits: wisp::Limits { min, max },
        memory64: false,
        shared: false,
        page_size_log2: None,
    };
    let tt = |min| TableType { element: RefType::FuncRef, limits: wisp::Limits { min, max: None }, table64: false };
    assert!(Memory::new(&mut store, mt(2, None)).is_err());
    let m = Memory::new(&mut store, mt(1, None)).unwrap();
    assert!(m.grow(&mut store, 1).is_err());
    assert!(Table::new(&mut store, tt(4), Val::FuncRef(None)).is_err());
    let t = Table::new(&mut store, tt(3), Val::FuncRef(None)).unwrap();
    assert!(t.grow(&mut store, 1, Val::FuncRef(None)).is_err());
}

/// A limiter with state: a budget of bytes shared by all memories, and a log of what it saw.
#[derive(Default)]
struct Budget {
    left: usize,
    seen: Vec<(usize, usize, Option<usize>)>,
}

impl ResourceLimiter for Budget {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> bool {
        self.seen.push((current, desired, maximum));
        let more = desired - current;
        if more > self.left {
            return false;
        }
        self.left -= more;
        true
    }
    fn table_growing(&mut self, _: usize, _: usize, _: Option<usize>) -> bool {
        true
    }
}

#[test]
fn a_custom_limiter_sees_every_growth_from_wasm_and_from_host_functions() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        wat(r#"(module
          (import "host" "grow_from_host" (func $h (param i32) (result i32)))
          (memory (export "memory") 1 10)
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
          (func (export "via_host") (param i32) (result i32) (call $h (local.get 0))))"#),
    )
    .unwrap();
    let mut store = Store::new(&engine, Budget { left: 3 * PAGE, ..Budget::default() });
    store.limiter(|b| b as &mut dyn ResourceLimiter);
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("host", "grow_from_host", |mut caller: wisp::Caller<'_, Budget>, n: i32| -> i32 {
            let mem = caller.get_export("memory").and_then(|e| e.into_memory()).unwrap();
            mem.grow(&mut caller, n as u64).map_or(-1, |old| old as i32)
        })
        .unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let grow = inst.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    let via_host = inst.get_typed_func::<i32, i32>(&store, "via_host").unwrap();
    assert_eq!(grow.call(&mut store, 1).unwrap(), 1);
    assert_eq!(via_host.call(&mut store, 1).unwrap(), 2);
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1, "budget spent");
    assert_eq!(grow.call(&mut store, 20).unwrap(), -1, "over the declared maximum: the limiter is not asked");
    let max = Some(10 * PAGE);
    assert_eq!(
        store.data().seen,
        vec![(0, PAGE, max), (PAGE, 2 * PAGE, max), (2 * PAGE, 3 * PAGE, max), (3 * PAGE, 4 * PAGE, max)]
    );
}

const RECURSE: &str = r#"(module
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))
  (func $fat (export "fat") (param i32) (result i32)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $fat (i32.sub (local.get 0) (i32.const 1))))))))"#;

fn recurse(config: &Config) -> (Store<()>, wisp::TypedFunc<i32, i32>, wisp::TypedFunc<i32, i32>) {
    let engine = Engine::new(config);
    let module = Module::new(&engine, wat(RECURSE)).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let down = inst.get_typed_func::<i32, i32>(&store, "down").unwrap();
    let fat = inst.get_typed_func::<i32, i32>(&store, "fat").unwrap();
    (store, down, fat)
}

fn overflow(r: wisp::Result<i32>) {
    match r {
        Err(Error::Trap(t)) => assert_eq!(t.code(), TrapCode::StackOverflow),
        other => panic!("expected a stack overflow trap, got {other:?}"),
    }
}

#[test]
fn call_depth_limit_traps_cleanly_and_the_store_stays_usable() {
    let mut config = Config::new();
    config.max_call_depth(100);
    let (mut store, down, _) = recurse(&config);
    // The entry activation is not counted: `down(n)` makes n nested calls.
    assert_eq!(down.call(&mut store, 100).unwrap(), 100);
    overflow(down.call(&mut store, 101));
    overflow(down.call(&mut store, 1_000_000));
    assert_eq!(down.call(&mut store, 50).unwrap(), 50, "the store works after the trap");
}

#[test]
fn value_stack_limit_traps_cleanly_and_counts_frame_sizes() {
    let mut config = Config::new();
    config.max_stack_slots(4096);
    let (mut store, down, fat) = recurse(&config);
    assert_eq!(down.call(&mut store, 100).unwrap(), 100);
    overflow(down.call(&mut store, 100_000));
    // A frame of 33 slots and more: far fewer fit.
    assert_eq!(fat.call(&mut store, 50).unwrap(), 50);
    overflow(fat.call(&mut store, 200));
    assert_eq!(down.call(&mut store, 100).unwrap(), 100, "the store works after the trap");
}

#[test]
fn default_limits_end_unbounded_recursion() {
    let (mut store, down, fat) = recurse(&Config::new());
    overflow(down.call(&mut store, i32::MAX));
    overflow(fat.call(&mut store, i32::MAX));
    assert_eq!(down.call(&mut store, 1000).unwrap(), 1000);
}

// Grows from inside Wasm leave the run loop when a limiter is installed (the loop cannot reach
// the store's data); the tests below run on both dispatch backends (the threaded one exists
// wherever wisp is optimized, the test profile included; see `tests/dispatch.rs`).
const BACKENDS: [wisp::Dispatch; 2] = [wisp::Dispatch::Portable, wisp::Dispatch::Threaded];

/// `nest(d, delta)` recurses `d` levels, then grows memory 0 by `delta` pages with operands
/// of the enclosing expressions below the grow on the stack, then writes and reads the last
/// byte of the (possibly grown) memory. Returns `d(d+1)/2 + 100 + 10 * grow + 9`.
/// `tnest` does the same with `table.grow` and `d(d+1)/2 + 1000 + grow`.
const NESTED: &str = r#"(module
  (memory (export "mem") 1)
  (table (export "tab") 1 funcref)
  (func $nest (export "nest") (param $d i32) (param $delta i32) (result i32)
    (if (result i32) (i32.eqz (local.get $d))
      (then
        (i32.add (i32.const 100)
          (i32.add
            (i32.mul (i32.const 10) (memory.grow (local.get $delta)))
            (block (result i32)
              (i32.store8 (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 1)) (i32.const 9))
              (i32.load8_u (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 1)))))))
      (else
        (i32.add (local.get $d)
          (call $nest (i32.sub (local.get $d) (i32.const 1)) (local.get $delta))))))
  (func $tnest (export "tnest") (param $d i32) (param $delta i32) (result i32)
    (if (result i32) (i32.eqz (local.get $d))
      (then
        (i32.add (i32.const 1000) (table.grow (ref.null func) (local.get $delta))))
      (else
        (i32.add (local.get $d)
          (call $tnest (i32.sub (local.get $d) (i32.const 1)) (local.get $delta)))))))"#;

fn nested<T: 'static>(
    dispatch: wisp::Dispatch,
    data: T,
    limiter: Option<fn(&mut T) -> &mut dyn ResourceLimiter>,
) -> Nested<T> {
    let mut config = Config::new();
    config.dispatch(dispatch);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, wat(NESTED)).unwrap();
    let mut store = Store::new(&engine, data);
    if let Some(l) = limiter {
        store.limiter(l);
    }
    let inst = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let nest = inst.get_typed_func::<(i32, i32), i32>(&store, "nest").unwrap();
    let tnest = inst.get_typed_func::<(i32, i32), i32>(&store, "tnest").unwrap();
    let mem = inst.get_memory(&store, "mem").unwrap();
    let tab = inst.get_table(&store, "tab").unwrap();
    Nested { store, nest, tnest, mem, tab }
}

struct Nested<T> {
    store: Store<T>,
    nest: wisp::TypedFunc<(i32, i32), i32>,
    tnest: wisp::TypedFunc<(i32, i32), i32>,
    mem: Memory,
    tab: Table,
}

fn nest_expected(d: i32, grow: i32) -> i32 {
    d * (d + 1) / 2 + 100 + 10 * grow + 9
}

fn tnest_expected(d: i32, grow: i32) -> i32 {
    d * (d + 1) / 2 + 1000 + grow
}

fn store_limits(h: &mut Host) -> &mut dyn ResourceLimiter {
    &mut h.limits
}

#[test]
fn memory_grow_refused_inside_wasm_on_both_backends() {
    for dispatch in BACKENDS {
        let limits = StoreLimitsBuilder::new().memory_size(2 * PAGE).build();
        let mut n = nested(dispatch, Host { limits }, Some(store_limits));
        let s = &mut n.store;
        assert_eq!(n.nest.call(&mut *s, (0, 1)).unwrap(), nest_expected(0, 1), "{dispatch:?}: 1 -> 2 pages");
        assert_eq!(n.nest.call(&mut *s, (0, 1)).unwrap(), nest_expected(0, -1), "{dispatch:?}: 3 pages refused");
        assert_eq!(n.mem.size(&*s).unwrap(), 2, "{dispatch:?}");
        assert_eq!(n.nest.call(&mut *s, (0, 0)).unwrap(), nest_expected(0, 2), "{dispatch:?}: grow by 0");
    }
}

#[test]
fn memory_grow_deep_in_the_call_stack_resumes_on_the_right_slot() {
    for dispatch in BACKENDS {
        let limits = StoreLimitsBuilder::new().memory_size(3 * PAGE).build();
        let mut n = nested(dispatch, Host { limits }, Some(store_limits));
        let s = &mut n.store;
        assert_eq!(n.nest.call(&mut *s, (1000, 1)).unwrap(), nest_expected(1000, 1), "{dispatch:?}");
        assert_eq!(n.nest.call(&mut *s, (500, 1)).unwrap(), nest_expected(500, 2), "{dispatch:?}");
        assert_eq!(n.nest.call(&mut *s, (1000, 1)).unwrap(), nest_expected(1000, -1), "{dispatch:?}: refused");
        assert_eq!(n.nest.call(&mut *s, (7, 5)).unwrap(), nest_expected(7, -1), "{dispatch:?}: refused");
        assert_eq!(n.mem.size(&*s).unwrap(), 3, "{dispatch:?}");
        // The byte written right after the grow is in the last page of the grown memory.
        assert_eq!(n.mem.data(&*s).unwrap()[3 * PAGE - 1], 9, "{dispatch:?}");
    }
}

#[test]
fn table_grow_refused_inside_wasm_on_both_backends() {
    for dispatch in BACKENDS {
        let limits = StoreLimitsBuilder::new().table_elements(4).build();
        let mut n = nested(dispatch, Host { limits }, Some(store_limits));
        let s = &mut n.store;
        assert_eq!(n.tnest.call(&mut *s, (0, 2)).unwrap(), tnest_expected(0, 1), "{dispatch:?}: 1 -> 3");
        assert_eq!(n.tnest.call(&mut *s, (300, 2)).unwrap(), tnest_expected(300, -1), "{dispatch:?}: 5 refused");
        assert_eq!(n.tnest.call(&mut *s, (300, 1)).unwrap(), tnest_expected(300, 3), "{dispatch:?}: 3 -> 4");
        assert_eq!(n.tnest.call(&mut *s, (0, 0)).unwrap(), tnest_expected(0, 4), "{dispatch:?}: grow by 0");
        assert_eq!(n.tab.size(&*s).unwrap(), 4, "{dispatch:?}");
    }
}

/// Counts how often it is asked, and allows everything or nothing.
#[derive(Default)]
struct Counter {
    allow: bool,
    memory: usize,
    table: usize,
}

impl ResourceLimiter for Counter {
    fn memory_growing(&mut self, _: usize, _: usize, _: Option<usize>) -> bool {
        self.memory += 1;
        self.allow
    }
    fn table_growing(&mut self, _: usize, _: usize, _: Option<usize>) -> bool {
        self.table += 1;
        self.allow
    }
}

fn counter(c: &mut Counter) -> &mut dyn ResourceLimiter {
    c
}

#[test]
fn the_limiter_is_asked_exactly_once_per_grow() {
    for dispatch in BACKENDS {
        let mut n = nested(dispatch, Counter { allow: true, ..Counter::default() }, Some(counter));
        let s = &mut n.store;
        let seen = |s: &Store<Counter>| (s.data().memory, s.data().table);
        assert_eq!(seen(s), (1, 1), "{dispatch:?}: once per creation at instantiation");
        assert_eq!(n.nest.call(&mut *s, (20, 1)).unwrap(), nest_expected(20, 1), "{dispatch:?}");
        assert_eq!(seen(s), (2, 1), "{dispatch:?}");
        assert_eq!(n.tnest.call(&mut *s, (20, 3)).unwrap(), tnest_expected(20, 1), "{dispatch:?}");
        assert_eq!(seen(s), (2, 2), "{dispatch:?}");
        // Growing by 0 and growing past the declared maximum do not ask.
        assert_eq!(n.nest.call(&mut *s, (3, 0)).unwrap(), nest_expected(3, 2), "{dispatch:?}");
        assert_eq!(n.nest.call(&mut *s, (3, 70_000)).unwrap(), nest_expected(3, -1), "{dispatch:?}");
        assert_eq!(n.tnest.call(&mut *s, (3, 0)).unwrap(), tnest_expected(3, 4), "{dispatch:?}");
        assert_eq!(seen(s), (2, 2), "{dispatch:?}");
        // Refusals are counted the same; the host API asks once too.
        s.data_mut().allow = false;
        assert_eq!(n.nest.call(&mut *s, (3, 1)).unwrap(), nest_expected(3, -1), "{dispatch:?}");
        assert_eq!(n.tnest.call(&mut *s, (3, 1)).unwrap(), tnest_expected(3, -1), "{dispatch:?}");
        assert_eq!(seen(s), (3, 3), "{dispatch:?}");
        assert!(n.mem.grow(&mut *s, 1).is_err());
        assert!(n.tab.grow(&mut *s, 1, Val::FuncRef(None)).is_err());
        assert_eq!(seen(s), (4, 4), "{dispatch:?}");
        assert_eq!((n.mem.size(&*s).unwrap(), n.tab.size(&*s).unwrap()), (2, 4), "{dispatch:?}");
    }
}

#[test]
fn a_store_without_limiter_still_grows_on_both_backends() {
    for dispatch in BACKENDS {
        let mut n = nested(dispatch, (), None);
        let s = &mut n.store;
        assert_eq!(n.nest.call(&mut *s, (100, 3)).unwrap(), nest_expected(100, 1), "{dispatch:?}");
        assert_eq!(n.nest.call(&mut *s, (0, 2)).unwrap(), nest_expected(0, 4), "{dispatch:?}");
        assert_eq!(n.nest.call(&mut *s, (0, 65_531)).unwrap(), nest_expected(0, -1), "{dispatch:?}: > 4 GiB");
        assert_eq!(n.mem.size(&*s).unwrap(), 6, "{dispatch:?}");
        assert_eq!(n.tnest.call(&mut *s, (100, 5)).unwrap(), tnest_expected(100, 1), "{dispatch:?}");
        assert_eq!(n.tab.size(&*s).unwrap(), 6, "{dispatch:?}");
    }
}

#[test]
fn a_grow_inside_wasm_called_back_from_a_host_function_asks_the_limiter() {
    for dispatch in BACKENDS {
        let mut config = Config::new();
        config.dispatch(dispatch);
        let engine = Engine::new(&config);
        let module = Module::new(
            &engine,
            wat(r#"(module
              (import "host" "reenter" (func $reenter (param i32) (result i32)))
              (memory 1)
              (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
              (func (export "outer") (param i32) (result i32)
                (i32.add (i32.const 1000) (call $reenter (local.get 0)))))"#),
        )
        .unwrap();
        let mut store = Store::new(&engine, Counter { allow: true, ..Counter::default() });
        store.limiter(counter);
        let mut linker = Linker::new(&engine);
        linker
            .func_wrap("host", "reenter", |mut caller: wisp::Caller<'_, Counter>, n: i32| -> wisp::Result<i32> {
                let grow = caller.get_export("grow").and_then(|e| e.into_func()).unwrap();
                let grow = grow.typed::<i32, i32>(&caller)?;
                let first = grow.call(&mut caller, n)?;
                caller.data_mut().allow = false;
                let second = grow.call(&mut caller, n)?;
                Ok(first * 10 + second)
            })
            .unwrap();
        let inst = linker.instantiate(&mut store, &module).unwrap();
        let outer = inst.get_typed_func::<i32, i32>(&store, "outer").unwrap();
        assert_eq!(outer.call(&mut store, 1).unwrap(), 1000 + 10 - 1, "{dispatch:?}");
        assert_eq!(store.data().memory, 3, "{dispatch:?}: creation + two grows");
    }
}
