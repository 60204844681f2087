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
    assert_eq!(mem.size(&store), 4);
}

#[test]
fn table_grow_past_the_limit_returns_minus_one() {
    let (mut store, inst) = limited(StoreLimitsBuilder::new().table_elements(10).build());
    let tgrow = inst.get_typed_func::<i32, i32>(&store, "tgrow").unwrap();
    assert_eq!(tgrow.call(&mut store, 9).unwrap(), 1);
    assert_eq!(tgrow.call(&mut store, 1).unwrap(), -1);
    assert_eq!(tgrow.call(&mut store, 0).unwrap(), 10);
    let tab = inst.get_table(&store, "tab").unwrap();
    assert_eq!(tab.size(&store), 10);
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
    let mt = |min, max| MemoryType { limits: wisp::Limits { min, max }, memory64: false, shared: false };
    let tt = |min| TableType { element: RefType::FuncRef, limits: wisp::Limits { min, max: None } };
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
