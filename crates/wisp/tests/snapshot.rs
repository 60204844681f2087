//! `wisp::Snapshot`: an instance's state captured and instantiated again; copy-on-write
//! memories (Linux) share the snapshot's pages until they write them.

use wisp::{Engine, Linker, Module, Store, StoreLimitsBuilder, Val};

const WAT: &str = r#"(module
  (memory (export "memory") 16 64)
  (global $g (export "g") (mut i64) (i64.const 0))
  (global $f (mut funcref) (ref.null func))
  (table $t 4 funcref)
  (elem declare func $seven $nine)
  (data $d "passive")
  (type $ret (func (result i32)))
  (func $seven (result i32) (i32.const 7))
  (func $nine (result i32) (i32.const 9))
  (func (export "_initialize")
    (local $i i32)
    ;; every 64 KiB page gets its number in its first byte; page 3 gets 0xAB everywhere
    (loop $l
      (i32.store8 (i32.mul (local.get $i) (i32.const 65536)) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 16))))
    (memory.fill (i32.const 196608) (i32.const 0xAB) (i32.const 65535))
    (global.set $g (i64.const 0x1122334455667788))
    (global.set $f (ref.func $nine))
    (table.set $t (i32.const 2) (ref.func $seven))
    (data.drop $d))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "call_slot") (param i32) (result i32) (call_indirect $t (type $ret) (local.get 0)))
  (func (export "call_global") (result i32)
    (table.set $t (i32.const 0) (global.get $f))
    (call_indirect $t (type $ret) (i32.const 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "init_passive") (memory.init $d (i32.const 0) (i32.const 0) (i32.const 1)))
)"#;

fn setup() -> (Engine, Linker<()>, wisp::Snapshot) {
    let engine = Engine::default();
    let (linker, snapshot) = initialized(&engine, WAT);
    (engine, linker, snapshot)
}

/// A snapshot of module `wat`'s instance after `_initialize`, and the linker it was made with.
fn initialized(engine: &Engine, wat: &str) -> (Linker<()>, wisp::Snapshot) {
    let module = Module::new(engine, wat).unwrap();
    let linker = Linker::new(engine);
    let mut store = Store::new(engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    instance.initialize_reactor(&mut store).unwrap();
    let snapshot = instance.snapshot(&store).unwrap();
    (linker, snapshot)
}

fn call<T>(store: &mut Store<T>, instance: &wisp::Instance, name: &str, args: &[Val]) -> wisp::Result<Option<Val>> {
    let f = instance.reactor_func(&*store, name)?;
    let n = f.ty(&*store)?.results().len();
    let mut out = vec![Val::I32(0); n];
    f.call(&mut *store, args, &mut out)?;
    Ok(out.pop())
}

fn i32_of(v: Option<Val>) -> i32 {
    match v {
        Some(Val::I32(x)) => x,
        other => panic!("expected an i32, got {other:?}"),
    }
}

#[test]
fn state_is_carried_and_clones_are_independent() {
    let (engine, linker, snapshot) = setup();
    assert!(snapshot.reactor_initialized());
    assert!(snapshot.data_dropped(0));
    let mut s1 = Store::new(&engine, ());
    let a = snapshot.instantiate(&mut s1, &linker).unwrap();
    assert!(a.is_reactor_initialized(&s1));
    for page in 0..16 {
        let want = if page == 3 { 0xAB } else { page };
        assert_eq!(i32_of(call(&mut s1, &a, "load8", &[Val::I32(page * 65536)]).unwrap()), want);
    }
    assert_eq!(i32_of(call(&mut s1, &a, "load8", &[Val::I32(196608 + 100)]).unwrap()), 0xAB);
    let g = a.get_global(&s1, "g").unwrap().get(&s1).unwrap();
    assert!(matches!(g, Val::I64(0x1122334455667788)));
    // The table and the funcref global point at this instance's functions.
    assert_eq!(i32_of(call(&mut s1, &a, "call_slot", &[Val::I32(2)]).unwrap()), 7);
    assert!(call(&mut s1, &a, "call_slot", &[Val::I32(1)]).is_err(), "slot 1 stays null");
    assert_eq!(i32_of(call(&mut s1, &a, "call_global", &[]).unwrap()), 9);
    // The dropped data segment stays dropped: memory.init of one byte traps.
    assert!(call(&mut s1, &a, "init_passive", &[]).is_err());

    call(&mut s1, &a, "store8", &[Val::I32(5 * 65536), Val::I32(99)]).unwrap();
    assert_eq!(i32_of(call(&mut s1, &a, "grow", &[Val::I32(2)]).unwrap()), 16);
    call(&mut s1, &a, "store8", &[Val::I32(17 * 65536 + 1), Val::I32(1)]).unwrap();
    assert_eq!(i32_of(call(&mut s1, &a, "load8", &[Val::I32(17 * 65536)]).unwrap()), 0);

    let mut s2 = Store::new(&engine, ());
    let b = snapshot.instantiate(&mut s2, &linker).unwrap();
    assert_eq!(i32_of(call(&mut s2, &b, "load8", &[Val::I32(5 * 65536)]).unwrap()), 5);
    assert_eq!(b.get_memory(&s2, "memory").unwrap().size(&s2).unwrap(), 16);
    assert_eq!(snapshot.memory(0).unwrap()[5 * 65536], 5, "the snapshot's image is unchanged");
    // The maximum still holds for the clone: 64 pages.
    assert_eq!(i32_of(call(&mut s2, &b, "grow", &[Val::I32(48)]).unwrap()), 16);
    assert_eq!(i32_of(call(&mut s2, &b, "grow", &[Val::I32(1)]).unwrap()), -1);
    call(&mut s2, &b, "store8", &[Val::I32(64 * 65536 - 1), Val::I32(3)]).unwrap();
    assert_eq!(i32_of(call(&mut s2, &b, "load8", &[Val::I32(64 * 65536 - 1)]).unwrap()), 3);
    assert!(call(&mut s2, &b, "load8", &[Val::I32(64 * 65536)]).is_err());
}

/// A copy-on-write clone owns only the pages it writes (Linux: measured by the OS).
#[cfg(target_os = "linux")]
#[test]
fn clones_own_only_what_they_write() {
    let (engine, linker, snapshot) = setup();
    let mut store = Store::new(&engine, ());
    let a = snapshot.instantiate(&mut store, &linker).unwrap();
    let mem = a.get_memory(&store, "memory").unwrap();
    // Reading every page shares them all.
    for page in 0..16 {
        call(&mut store, &a, "load8", &[Val::I32(page * 65536 + 7)]).unwrap();
    }
    assert_eq!(mem.private_bytes(&store).unwrap(), 0);
    call(&mut store, &a, "store8", &[Val::I32(3 * 65536 + 10), Val::I32(1)]).unwrap();
    call(&mut store, &a, "store8", &[Val::I32(9 * 65536 + 10), Val::I32(1)]).unwrap();
    let own = mem.private_bytes(&store).unwrap();
    assert!(own > 0 && own <= 2 * 16384, "two written host pages, {own} bytes private");
    // A heap memory (fresh instance) owns all its bytes.
    let module = snapshot.module().clone();
    let mut fresh = Store::new(&engine, ());
    let f = linker.instantiate(&mut fresh, &module).unwrap();
    let fm = f.get_memory(&fresh, "memory").unwrap();
    assert_eq!(fm.private_bytes(&fresh).unwrap(), 16 * 65536);
}

/// Records what a memory asks, and allows owning at most `limit` bytes.
struct Recorder {
    limit: usize,
    asked: Vec<(usize, usize)>,
}

impl wisp::ResourceLimiter for Recorder {
    fn memory_growing(&mut self, current: usize, desired: usize, _max: Option<usize>) -> bool {
        self.asked.push((current, desired));
        desired <= self.limit
    }
    fn table_growing(&mut self, _current: usize, _desired: usize, _max: Option<usize>) -> bool {
        true
    }
}

/// A copy-on-write clone is charged what it owns: nothing when made, then at each grow the
/// snapshot's pages it wrote (as the OS counts them) plus what it grew, so a limiter that allows
/// less than the snapshot's 16 pages still lets clones be made and called, and still limits
/// growth.
#[cfg(target_os = "linux")]
#[test]
fn a_clones_limiter_sees_what_it_owns() {
    let (engine, _, snapshot) = setup();
    let mut store = Store::new(&engine, Recorder { limit: 8 * 65536, asked: Vec::new() });
    store.limiter(|r| r);
    let linker = Linker::new(&engine);
    let a = snapshot.instantiate(&mut store, &linker).unwrap();
    assert_eq!(store.data().asked, [(0, 0)]);
    let mem = a.get_memory(&store, "memory").unwrap();
    let call = |store: &mut Store<Recorder>, name: &str, args: &[Val]| {
        let f = a.reactor_func(&*store, name).unwrap();
        let mut out = vec![Val::I32(0); f.ty(&*store).unwrap().results().len()];
        f.call(&mut *store, args, &mut out).unwrap();
        out.pop()
    };
    for page in 0..16 {
        call(&mut store, "load8", &[Val::I32(page * 65536 + 7)]);
    }
    call(&mut store, "store8", &[Val::I32(3 * 65536 + 10), Val::I32(1)]);
    call(&mut store, "store8", &[Val::I32(9 * 65536 + 10), Val::I32(1)]);
    call(&mut store, "store8", &[Val::I32(9 * 65536 + 11), Val::I32(1)]);
    let dirty = mem.private_bytes(&store).unwrap();
    // Two host pages written (one per 64 KiB page touched), whatever the host's page size.
    let host_page = dirty / 2;
    assert!(host_page.is_power_of_two() && (4096..=65536).contains(&host_page), "{dirty}");
    assert_eq!(call(&mut store, "grow", &[Val::I32(1)]), Some(Val::I32(16)));
    assert_eq!(store.data().asked[1], (dirty, dirty + 65536));
    assert_eq!(mem.private_bytes(&store).unwrap(), dirty + 65536, "grown bytes count in full");
    // Owning 8 more pages would pass the limit: refused, as a failed grow.
    assert_eq!(call(&mut store, "grow", &[Val::I32(8)]), Some(Val::I32(-1)));
    assert_eq!(store.data().asked[2], (dirty + 65536, dirty + 9 * 65536));
    assert_eq!(mem.size(&store).unwrap(), 17);
    assert_eq!(call(&mut store, "load8", &[Val::I32(9 * 65536 + 10)]), Some(Val::I32(1)));
    // The host's grow asks the same way; a fresh memory is charged its size.
    assert!(mem.grow(&mut store, 7).is_err());
    let fresh = linker.instantiate(&mut store, snapshot.module());
    assert!(fresh.unwrap_err().to_string().contains("resource limit"));
    assert_eq!(store.data().asked.last(), Some(&(0, 16 * 65536)));
}

#[test]
fn limiter_and_engine_are_checked() {
    let (engine, linker, snapshot) = setup();
    let mut store = Store::new(&engine, StoreLimitsBuilder::new().memory_size(8 * 65536).build());
    store.limiter(|l| l);
    let linker2 = Linker::new(&engine);
    let made = snapshot.instantiate(&mut store, &linker2);
    if cfg!(target_os = "linux") {
        // Copy-on-write: the clone owns none of the snapshot's 16 pages yet.
        made.unwrap();
    } else {
        // A copy owns all 16.
        let err = made.unwrap_err();
        assert!(err.to_string().contains("resource limit"), "{err}");
    }
    let mut store = Store::new(&engine, StoreLimitsBuilder::new().memory_size(8 * 65536).build());
    store.limiter(|l| l);
    let err = linker2.instantiate(&mut store, snapshot.module()).unwrap_err();
    assert!(err.to_string().contains("resource limit"), "{err}");
    let other = Engine::default();
    let mut store = Store::new(&other, ());
    let err = snapshot.instantiate(&mut store, &Linker::new(&other)).unwrap_err();
    assert!(err.to_string().contains("different engines"), "{err}");
    drop(linker);
}

#[test]
fn snapshots_refuse_outside_state() {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (import "env" "mem" (memory 1)))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let mem = wisp::Memory::new(
        &mut store,
        wisp::MemoryType {
            limits: wisp::Limits { min: 1, max: None },
            memory64: false,
            shared: false,
            page_size_log2: None,
        },
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker.define("env", "mem", mem).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let err = instance.snapshot(&store).unwrap_err();
    assert!(err.to_string().contains("imports a memory"), "{err}");
    // A dead instance is refused too.
    let module = Module::new(&engine, r#"(module (func (export "_initialize") unreachable))"#).unwrap();
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    assert!(instance.initialize_reactor(&mut store).is_err());
    assert!(instance.snapshot(&store).is_err());
}

/// Snapshots are shared by threads; each thread instantiates into its own stores.
#[test]
fn snapshots_instantiate_on_many_threads() {
    let (engine, linker, snapshot) = setup();
    std::thread::scope(|s| {
        for t in 0..4 {
            let (engine, linker, snapshot) = (&engine, &linker, &snapshot);
            s.spawn(move || {
                for i in 0..200 {
                    let mut store = Store::new(engine, ());
                    let inst = snapshot.instantiate(&mut store, linker).unwrap();
                    call(&mut store, &inst, "store8", &[Val::I32(65536 * 4), Val::I32(t * 10 + i % 7)]).unwrap();
                    let got = i32_of(call(&mut store, &inst, "load8", &[Val::I32(65536 * 4)]).unwrap());
                    assert_eq!(got, t * 10 + i % 7);
                }
            });
        }
    });
}

/// A host function cannot snapshot the instance that called it: its memory and globals are
/// mid-call.
#[test]
fn no_snapshot_during_a_call() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "host" "snap" (func $snap (result i32)))
             (memory 1) (func (export "go") (result i32) (call $snap)))"#,
    )
    .unwrap();
    let mut linker = Linker::<Option<wisp::Instance>>::new(&engine);
    linker
        .func_wrap("host", "snap", |caller: wisp::Caller<'_, Option<wisp::Instance>>| -> i32 {
            let inst = caller.data().unwrap();
            match inst.snapshot(&caller) {
                Ok(_) => 1,
                Err(e) if e.to_string().contains("while a call") => 0,
                Err(_) => 2,
            }
        })
        .unwrap();
    let mut store = Store::new(&engine, None);
    let inst = linker.instantiate(&mut store, &module).unwrap();
    *store.data_mut() = Some(inst);
    let go = inst.get_typed_func::<(), i32>(&store, "go").unwrap();
    assert_eq!(go.call(&mut store, ()).unwrap(), 0);
    assert!(inst.snapshot(&store).is_ok(), "after the call, the snapshot is taken");
}

/// A module `Snapshot::to_wasm` wrote (marked `wisp.initialized`) with more than 64 KiB of
/// active data starts each instance from one image of its data segments (copy-on-write on
/// Linux); other modules copy their segments. Either way every instance sees the segments
/// applied in order (a later one over an earlier), writes stay in their instance, and each
/// instance owns and is charged its memory's full size.
#[test]
fn instances_start_from_the_modules_data() {
    let engine = Engine::default();
    let big = "a".repeat(70_000);
    for (pages, rewrite) in [(8, false), (2, false), (8, true)] {
        let wat = format!(
            r#"(module
      (memory (export "memory") {pages})
      (data (i32.const 0) "{big}")
      (data (i32.const 100) "xyz")
      (data (i32.const 100000) "tail")
      (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
      (func (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1))))"#
        );
        let mut module = Module::new(&engine, wat).unwrap();
        let linker = Linker::new(&engine);
        if rewrite {
            let mut s = Store::new(&engine, ());
            let bytes = linker.instantiate(&mut s, &module).unwrap().snapshot(&s).unwrap().to_wasm().unwrap();
            assert!(bytes.windows(16).any(|w| w == b"wisp.initialized"));
            module = Module::new(&engine, &bytes).unwrap();
        }
        let mut s1 = Store::new(&engine, ());
        let a = linker.instantiate(&mut s1, &module).unwrap();
        let mut s2 = Store::new(&engine, ());
        let b = linker.instantiate(&mut s2, &module).unwrap();
        call(&mut s1, &a, "store8", &[Val::I32(5), Val::I32(1)]).unwrap();
        call(&mut s1, &a, "store8", &[Val::I32(70_001), Val::I32(2)]).unwrap();
        for (store, inst, at5, at70001) in [(&mut s1, &a, 1, 2), (&mut s2, &b, b'a' as i32, 0)] {
            let load = |store: &mut Store<()>, at: i32| i32_of(call(store, inst, "load8", &[Val::I32(at)]).unwrap());
            assert_eq!(load(store, 5), at5);
            assert_eq!(load(store, 70_001), at70001);
            assert_eq!([load(store, 0), load(store, 99), load(store, 69_999)], [b'a' as i32; 3]);
            assert_eq!([load(store, 100), load(store, 102), load(store, 103)], [b'x' as i32, b'z' as i32, b'a' as i32]);
            assert_eq!([load(store, 70_000), load(store, 99_999)], [0, 0]);
            assert_eq!(load(store, 100_003), b'l' as i32);
            let mem = inst.get_memory(&*store, "memory").unwrap();
            assert_eq!(mem.private_bytes(&*store).unwrap(), pages * 65536);
        }
        let mut limited = Store::new(&engine, StoreLimitsBuilder::new().memory_size((pages - 1) * 65536).build());
        limited.limiter(|l| l);
        let err = Linker::new(&engine).instantiate(&mut limited, &module).unwrap_err();
        assert!(err.to_string().contains("resource limit"), "{err}");
    }
    // A segment past the memory still traps at instantiation, after the image path declined.
    let wat = format!(r#"(module (memory 2) (data (i32.const 0) "{big}") (data (i32.const 131071) "ab"))"#);
    let module = Module::new(&engine, wat).unwrap();
    assert!(Linker::new(&engine).instantiate(&mut Store::new(&engine, ()), &module).is_err());
}

/// A snapshot carries every memory of an instance, of either width and page size, and a clone
/// grows each in its own pages under the store's limiter; a snapshot module can only be written
/// for memories the 2.0 binary format describes, and says so for the others.
#[test]
fn snapshots_carry_several_memories() {
    let mut config = wisp::Config::new();
    config.wasm_multi_memory(true).wasm_memory64(true).wasm_custom_page_sizes(true);
    let engine = Engine::new(&config);
    let wat = r#"(module
      (memory $a (export "a") 1 4)
      (memory $b (export "b") i64 2 4)
      (memory $c (export "c") 10 100 (pagesize 1))
      (func (export "_initialize")
        (i32.store8 $a (i32.const 65535) (i32.const 1))
        (i32.store8 $b (i64.const 131071) (i32.const 2))
        (i32.store8 $c (i32.const 9) (i32.const 3)))
      (func (export "peek") (result i32)
        (i32.add (i32.add (i32.load8_u $a (i32.const 65535)) (i32.load8_u $b (i64.const 131071)))
          (i32.load8_u $c (i32.const 9))))
      (func (export "grow") (result i64)
        (drop (memory.grow $c (i32.const 5)))
        (i64.add (memory.grow $b (i64.const 1)) (i64.extend_i32_u (memory.size $c)))))"#;
    let module = Module::new(&engine, wat).unwrap();
    let linker = Linker::new(&engine);
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    instance.initialize_reactor(&mut store).unwrap();
    let snapshot = instance.snapshot(&store).unwrap();
    // The module it writes starts where the snapshot was taken, 64-bit and 1-byte pages kept.
    let written = Module::new(&engine, snapshot.to_wasm().unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let fresh = Linker::new(&engine).instantiate(&mut store, &written).unwrap();
    // Its `_initialize` is empty: the state is already there.
    fresh.initialize_reactor(&mut store).unwrap();
    assert_eq!(i32_of(call(&mut store, &fresh, "peek", &[]).unwrap()), 6);
    let sizes: Vec<_> = ["a", "b", "c"]
        .iter()
        .map(|m| {
            let m = fresh.get_memory(&store, m).unwrap();
            (m.size(&store).unwrap(), m.page_size(&store).unwrap())
        })
        .collect();
    assert_eq!(sizes, [(1, 65536), (2, 65536), (10, 1)]);
    for _ in 0..2 {
        // With a limiter every grow leaves the loop for it (`Exit::Grow`), with a 64-bit delta.
        let mut store = Store::new(&engine, StoreLimitsBuilder::new().memory_size(1 << 20).build());
        store.limiter(|l| l);
        let clone = snapshot.instantiate(&mut store, &Linker::new(&engine)).unwrap();
        assert_eq!(i32_of(call(&mut store, &clone, "peek", &[]).unwrap()), 6);
        let c = clone.get_memory(&store, "c").unwrap();
        assert_eq!((c.size(&store).unwrap(), c.page_size(&store).unwrap()), (10, 1));
        // b grows from 2 pages to 3, then 4 (its maximum), then refuses (-1); c by 5 bytes each time.
        let grown: Vec<_> = (0..3).map(|_| call(&mut store, &clone, "grow", &[]).unwrap()).collect();
        assert_eq!(grown, [Some(Val::I64(2 + 15)), Some(Val::I64(3 + 20)), Some(Val::I64(-1 + 25))]);
        let b = clone.get_memory(&store, "b").unwrap();
        assert_eq!((b.size(&store).unwrap(), b.data_size(&store).unwrap()), (4, 4 * 65536));
        assert_eq!(i32_of(call(&mut store, &clone, "peek", &[]).unwrap()), 6);
    }
}

#[test]
fn snapshots_keep_whole_v128_globals() {
    let wat = r#"(module
      (global $v (export "v") (mut v128) (v128.const i64x2 0 0))
      (global $r (mut (ref null func)) (ref.null func))
      (func $f)
      (elem declare func $f)
      (func (export "_initialize")
        (global.set $v (v128.const i64x2 0x0123456789abcdef 0x7edcba9876543210))
        (global.set $r (ref.func $f)))
      (func (export "high") (result i64) (i64x2.extract_lane 1 (global.get $v)))
      (func (export "has_r") (result i32) (i32.eqz (ref.is_null (global.get $r)))))"#;
    // SIMD and typed references are on by default.
    let engine = Engine::default();
    let (linker, snapshot) = initialized(&engine, wat);
    let mut store = Store::new(&engine, ());
    let want = 0x7edc_ba98_7654_3210_0123_4567_89ab_cdef_u128;
    assert_eq!(snapshot.globals()[0], want);
    let clone = snapshot.instantiate(&mut store, &linker).unwrap();
    let written = Module::new(&engine, snapshot.to_wasm().unwrap()).unwrap();
    let fresh = linker.instantiate(&mut store, &written).unwrap();
    fresh.initialize_reactor(&mut store).unwrap();
    for i in [clone, fresh] {
        assert_eq!(i.get_global(&store, "v").unwrap().get(&store).unwrap(), Val::V128(want));
        assert_eq!(call(&mut store, &i, "high", &[]).unwrap(), Some(Val::I64(0x7edc_ba98_7654_3210)));
        assert_eq!(i32_of(call(&mut store, &i, "has_r", &[]).unwrap()), 1);
    }
}
