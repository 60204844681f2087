//! The host-to-Wasm call path, typed (`TypedFunc::call`) and untyped (`Func::call`): once a
//! store has run a function, calling it again allocates nothing, and every misuse is still an
//! error value. Its own test binary because it counts allocations with a global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use wisp::{Engine, Error, Func, FuncType, Linker, Module, Store, Val, ValType};

/// Counts the allocations (and reallocations) of the current thread.
struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counter is a
// thread-local `Cell` with a const initializer, which does not allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_in(f: impl FnOnce()) -> u64 {
    let before = ALLOCS.with(Cell::get);
    f();
    ALLOCS.with(Cell::get) - before
}

fn wat(src: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(src).expect("lex");
    let mut w: wast::Wat = wast::parser::parse(&buf).expect("parse");
    w.encode().expect("encode")
}

const MODULE: &str = r#"(module
    (import "host" "twice" (func $twice (param i64) (result i64)))
    (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
    ;; a Wasm-to-host call inside a host-to-Wasm call
    (func (export "via_host") (param i64) (result i64) (i64.add (call $twice (local.get 0)) (i64.const 1)))
    (func (export "pick") (param funcref funcref i32) (result funcref)
      (select (result funcref) (local.get 0) (local.get 1) (local.get 2)))
    ;; 20 parameters: more than the untyped call keeps on the Rust stack
    (func (export "sum20")
      (param i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
      (result i64)
      (local $i i32) (local $s i64)
      (loop $l
        (local.set $s (i64.add (local.get $s) (i64.mul (i64.extend_i32_u (local.get $i))
          (call $twice (i64.extend_i32_u (local.get $i))))))
        (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 3))))
      (i64.add (local.get $s)
        (i64.add (i64.add (i64.add (local.get 0) (local.get 1)) (i64.add (local.get 2) (local.get 19)))
                 (local.get 10)))))"#;

fn setup() -> (Store<()>, wisp::Instance, Func) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat(MODULE)).expect("module");
    let mut store = Store::new(&engine, ());
    let twice = Func::wrap(&mut store, |x: i64| x.wrapping_mul(2));
    let mut linker = Linker::new(&engine);
    linker.define("host", "twice", twice).unwrap();
    let instance = linker.instantiate(&mut store, &module).expect("instantiate");
    (store, instance, twice)
}

#[test]
fn repeated_calls_allocate_nothing() {
    let (mut store, inst, twice) = setup();
    let add = inst.get_func(&store, "add").unwrap();
    let via_host = inst.get_func(&store, "via_host").unwrap();
    let pick = inst.get_func(&store, "pick").unwrap();
    let add_typed = add.typed::<(i32, i32), i32>(&store).unwrap();
    let via_host_typed = via_host.typed::<i64, i64>(&store).unwrap();
    let mut out = [Val::I32(0)];
    let mut out64 = [Val::I64(0)];

    // The first calls may size the store's stacks; after them nothing may allocate.
    let mut round = |store: &mut Store<()>| {
        for i in 0..100 {
            add.call(&mut *store, &[Val::I32(i), Val::I32(2)], &mut out).unwrap();
            assert_eq!(out[0], Val::I32(i + 2));
            assert_eq!(add_typed.call(&mut *store, (i, 3)).unwrap(), i + 3);
            via_host.call(&mut *store, &[Val::I64(i as i64)], &mut out64).unwrap();
            assert_eq!(out64[0], Val::I64(2 * i as i64 + 1));
            assert_eq!(via_host_typed.call(&mut *store, 5).unwrap(), 11);
            // A host function called from the host, through the untyped path.
            twice.call(&mut *store, &[Val::I64(21)], &mut out64).unwrap();
            assert_eq!(out64[0], Val::I64(42));
            let mut r = [Val::FuncRef(None)];
            pick.call(&mut *store, &[Val::FuncRef(Some(add)), Val::FuncRef(None), Val::I32(1)], &mut r).unwrap();
            assert_eq!(r[0], Val::FuncRef(Some(add)));
        }
    };
    round(&mut store);
    let n = allocations_in(|| round(&mut store));
    assert_eq!(n, 0, "{n} allocations in 600 calls after the first round");
}

#[test]
fn large_signatures_and_misuse() {
    let (mut store, inst, _) = setup();
    let sum20 = inst.get_func(&store, "sum20").unwrap();
    let args: Vec<Val> = (1..=20).map(|i| Val::I64(i * 100)).collect();
    let mut out = [Val::I64(0)];
    sum20.call(&mut store, &args, &mut out).unwrap();
    // 0*0*2 + 1*1*2 + 2*2*2 = 10; params 1, 2, 3, 20 and 11 (x100) add 3700.
    assert_eq!(out[0], Val::I64(3710));

    let add = inst.get_func(&store, "add").unwrap();
    let mut one = [Val::I32(0)];
    let sig = |r: wisp::Result<()>| matches!(r, Err(Error::Signature(_)));
    assert!(sig(add.call(&mut store, &[Val::I32(1)], &mut one)), "too few arguments");
    assert!(sig(add.call(&mut store, &[Val::I32(1), Val::I32(2), Val::I32(3)], &mut one)), "too many");
    assert!(sig(add.call(&mut store, &[Val::I32(1), Val::I32(2)], &mut [])), "no result slot");
    assert!(sig(add.call(&mut store, &[Val::I32(1), Val::I64(2)], &mut one)), "wrong type");
    assert!(sig(sum20.call(&mut store, &args[..19], &mut out)), "19 of 20");
    let mut bad = args.clone();
    bad[17] = Val::F64(0);
    assert!(sig(sum20.call(&mut store, &bad, &mut out)), "wrong type past the 16th");
    assert!(add.typed::<(i32, i64), i32>(&store).is_err());

    // A function of another store, as the callee or as an argument.
    let (mut other, other_inst, _) = setup();
    assert!(matches!(add.call(&mut other, &[Val::I32(1), Val::I32(2)], &mut one), Err(Error::WrongStore)));
    let foreign = other_inst.get_func(&other, "add").unwrap();
    let pick = inst.get_func(&store, "pick").unwrap();
    let mut r = [Val::FuncRef(None)];
    let e = pick.call(&mut store, &[Val::FuncRef(Some(foreign)), Val::FuncRef(None), Val::I32(1)], &mut r);
    assert!(matches!(e, Err(Error::WrongStore)), "{e:?}");

    // The store still works after every refused call.
    add.call(&mut store, &[Val::I32(40), Val::I32(2)], &mut one).unwrap();
    assert_eq!(one[0], Val::I32(42));
    assert_eq!(
        add.ty(&store).unwrap(),
        FuncType::new([ValType::I32, ValType::I32], [ValType::I32]),
        "the store's copy of the signature"
    );
}

#[test]
fn every_number_type_and_v128_through_both_paths() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        wat(r#"(module
            (func (export "swap") (param i32 i64 f32 f64 v128) (result v128 f64 f32 i64 i32)
              local.get 4 local.get 3 local.get 2 local.get 1 local.get 0))"#),
    )
    .expect("module");
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine).instantiate(&mut store, &module).expect("instantiate");
    let swap = inst.get_func(&store, "swap").unwrap();
    let v = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210u128;
    let args =
        [Val::I32(-7), Val::I64(-1 << 40), Val::F32(1.5f32.to_bits()), Val::F64(2.25f64.to_bits()), Val::V128(v)];
    let mut out = [Val::I32(0); 5];
    swap.call(&mut store, &args, &mut out).unwrap();
    assert_eq!(
        out,
        [Val::V128(v), Val::F64(2.25f64.to_bits()), Val::F32(1.5f32.to_bits()), Val::I64(-1 << 40), Val::I32(-7)]
    );
    let typed = swap.typed::<(i32, i64, f32, f64, u128), (u128, f64, f32, i64, i32)>(&store).unwrap();
    assert_eq!(typed.call(&mut store, (-7, -1 << 40, 1.5, 2.25, v)).unwrap(), (v, 2.25, 1.5, -1 << 40, -7));
    // A number of the wrong type in any position is refused, also where the type is a number.
    for i in 0..args.len() {
        let mut bad = args;
        bad[i] = if i == 0 { Val::I64(0) } else { Val::I32(0) };
        assert!(matches!(swap.call(&mut store, &bad, &mut out), Err(Error::Signature(_))), "argument {i}");
    }
}
