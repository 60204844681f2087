//! Hostile modules never hurt the host: each crafted module below is rejected with an error or
//! runs, in bounded time and memory, and nothing panics, aborts or hangs. A counting allocator
//! measures the peak heap each step uses on its own thread, so "no unbounded allocation before
//! validation" is checked, not assumed: declared counts must not drive allocations past what the
//! bytes present can justify.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use wisp::{Config, Engine, Error, Linker, Module, Store, StoreLimits, StoreLimitsBuilder, TrapCode};

// ---- a per-thread peak-heap meter ------------------------------------------------------------

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn note(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
}

// SAFETY: every call is forwarded to the system allocator unchanged; only counters change.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = System.alloc(l);
        if !p.is_null() {
            note(l.size() as isize);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(l);
        if !p.is_null() {
            note(l.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l);
        note(-(l.size() as isize));
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = System.realloc(p, l, new);
        if !q.is_null() {
            note(new as isize - l.size() as isize);
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Runs `f` and returns its result with the most heap it held at once (this thread only).
fn peak<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let base = LIVE.with(|l| l.get());
    PEAK.with(|p| p.set(base));
    let r = f();
    let top = PEAK.with(|p| p.get());
    (r, (top - base).max(0) as usize)
}

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

// ---- a minimal binary encoder ----------------------------------------------------------------

fn leb(v: u32) -> Vec<u8> {
    let mut out = Vec::new();
    leb128::write::unsigned(&mut out, u64::from(v)).expect("writing to a vector");
    out
}

fn name(s: &str) -> Vec<u8> {
    [leb(s.len() as u32), s.as_bytes().to_vec()].concat()
}

/// A vector: its count, then the items.
fn vec_of(items: impl IntoIterator<Item = Vec<u8>>) -> Vec<u8> {
    let items: Vec<Vec<u8>> = items.into_iter().collect();
    [leb(items.len() as u32), items.concat()].concat()
}

fn module(sections: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    for (id, body) in sections {
        out.push(*id);
        out.extend(leb(body.len() as u32));
        out.extend(body);
    }
    out
}

const I32: u8 = 0x7f;
const I64: u8 = 0x7e;
const END: u8 = 0x0b;

fn functype(params: &[u8], results: &[u8]) -> Vec<u8> {
    [vec![0x60], vec_of(params.iter().map(|&p| vec![p])), vec_of(results.iter().map(|&r| vec![r]))].concat()
}

/// A body: local groups (count, type), then code (its final `end` included by the caller).
fn body(locals: &[(u32, u8)], code: &[u8]) -> Vec<u8> {
    let inner = [vec_of(locals.iter().map(|&(n, t)| [leb(n), vec![t]].concat())), code.to_vec()].concat();
    [leb(inner.len() as u32), inner].concat()
}

/// One function of type `ty` exported as "f", with `body`.
fn one_func(ty: Vec<u8>, body: Vec<u8>) -> Vec<u8> {
    module(&[
        (1, vec_of([ty])),
        (3, vec_of([leb(0)])),
        (7, vec_of([[name("f"), vec![0x00], leb(0)].concat()])),
        (10, vec_of([body])),
    ])
}

fn compile(bytes: &[u8]) -> (wisp::Result<Module>, usize) {
    let engine = Engine::default();
    peak(|| Module::new(&engine, bytes))
}

fn rejected_small(what: &str, bytes: &[u8]) {
    let (r, heap) = compile(bytes);
    match r {
        Ok(_) => panic!("{what}: accepted"),
        Err(Error::Decode(_) | Error::Validate(_)) => {}
        Err(e) => panic!("{what}: rejected with an unexpected error kind: {e}"),
    }
    assert!(heap < MIB, "{what}: {heap} bytes of heap to reject a {}-byte module", bytes.len());
}

// ---- the hostile modules ---------------------------------------------------------------------

#[test]
fn huge_declared_counts_are_rejected_without_allocating_for_them() {
    let huge = leb(u32::MAX);
    let tail = vec![0u8; 16];
    for (id, what) in [
        (1, "types"),
        (2, "imports"),
        (3, "functions"),
        (4, "tables"),
        (5, "memories"),
        (6, "globals"),
        (7, "exports"),
        (9, "element segments"),
        (10, "bodies"),
        (11, "data segments"),
    ] {
        rejected_small(what, &module(&[(id, [huge.clone(), tail.clone()].concat())]));
    }
    // A data count no data section matches.
    rejected_small("data count", &module(&[(12, huge.clone())]));
    // A function type with 2^32-1 parameters.
    rejected_small("params", &module(&[(1, [leb(1), vec![0x60], huge.clone(), vec![I32; 8]].concat())]));
    // A body declaring 2^32-1 locals in one group, and in two groups whose sum overflows.
    let ty = functype(&[], &[]);
    rejected_small("locals", &one_func(ty.clone(), body(&[(u32::MAX, I32)], &[END])));
    rejected_small("locals sum", &one_func(ty.clone(), body(&[(u32::MAX, I32), (u32::MAX, I64)], &[END])));
    // br_table announcing 2^32-1 targets.
    let code = [vec![0x41, 0x00, 0x0e], huge.clone(), vec![0; 8], vec![END]].concat();
    rejected_small("br_table targets", &one_func(ty.clone(), body(&[], &code)));
    // An element segment of 2^32-1 function indices; a data segment of 2^32-1 bytes.
    let elems = [leb(1), vec![0x00, 0x41, 0x00, END], huge.clone(), vec![0; 8]].concat();
    rejected_small("element items", &module(&[(1, vec_of([ty.clone()])), (9, elems)]));
    let datas = [leb(1), vec![0x01], huge.clone(), vec![0; 8]].concat();
    rejected_small("data bytes", &module(&[(11, datas)]));
    // A section claiming more bytes than the module has; a name longer than the module.
    let mut truncated = module(&[(1, vec_of([ty.clone()]))]);
    truncated[9] = 0x7f;
    rejected_small("section size", &truncated);
    let imp = [leb(1), huge.clone(), b"env".to_vec()].concat();
    rejected_small("import name length", &module(&[(2, imp)]));
}

#[test]
fn a_hostile_name_section_costs_nothing() {
    // Custom sections are not validated; a `name` section with absurd counts must not hurt.
    let names = [name("name"), vec![0x01], leb(10), leb(u32::MAX), vec![0; 5]].concat();
    let bytes = module(&[(0, names)]);
    let (r, heap) = compile(&bytes);
    let _ = r; // accepted or rejected, both fine
    assert!(heap < MIB, "{heap}");
}

fn call_i32(bytes: &[u8], config: &Config, arg: Option<i32>) -> wisp::Result<Vec<wisp::Val>> {
    let engine = Engine::new(config);
    let module = Module::new(&engine, bytes)?;
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine).instantiate(&mut store, &module)?;
    let f = inst.get_func(&store, "f").expect("export f");
    let ty = f.ty(&store).unwrap();
    let mut results = vec![wisp::Val::I32(0); ty.results().len()];
    let args: Vec<wisp::Val> = arg.into_iter().map(wisp::Val::I32).collect();
    f.call(&mut store, &args, &mut results)?;
    Ok(results)
}

#[test]
fn deep_nesting_validates_and_runs_without_recursion() {
    let depth = 200_000;
    let code = [[0x02u8, 0x40].repeat(depth), vec![END; depth], vec![0x41, 0x07, END]].concat();
    let bytes = one_func(functype(&[], &[I32]), body(&[], &code));
    let (r, heap) = peak(|| call_i32(&bytes, &Config::new(), None));
    assert_eq!(r.unwrap(), vec![wisp::Val::I32(7)]);
    assert!(heap < 64 * bytes.len() + 4 * MIB, "{heap} bytes for {} bytes of nesting", bytes.len());
    // Nested ifs and loops too, with a branch out of the innermost.
    let depth = 50_000;
    let open = [0x41u8, 0x01, 0x04, 0x40, 0x03, 0x40].repeat(depth);
    let code = [open, vec![0x0c], leb(2 * depth as u32 - 1), vec![END; 2 * depth], vec![0x41, 0x09, END]].concat();
    let bytes = one_func(functype(&[], &[I32]), body(&[], &code));
    assert_eq!(call_i32(&bytes, &Config::new(), None).unwrap(), vec![wisp::Val::I32(9)]);
    // Unclosed: rejected.
    let code = [0x02u8, 0x40].repeat(depth);
    rejected_small_or_bounded(&one_func(functype(&[], &[]), body(&[], &code)));
}

fn rejected_small_or_bounded(bytes: &[u8]) {
    let (r, heap) = compile(bytes);
    assert!(r.is_err());
    assert!(heap < 64 * bytes.len() + MIB, "{heap}");
}

#[test]
fn a_giant_br_table_runs() {
    let n = 1_000_000u32;
    // (block $out (result i32)
    //   (block $b (block $a (br_table $a $b $a $b ... $b (local.get 0)))
    //             (br $out (i32.const 1)))
    //   (i32.const 2))
    // Even indices leave through $a (1), odd ones and the default through $b (2).
    let mut code = vec![0x02, I32, 0x02, 0x40, 0x02, 0x40, 0x20, 0x00, 0x0e];
    code.extend(leb(n));
    for i in 0..n {
        code.push(if i % 2 == 0 { 0x00 } else { 0x01 });
    }
    code.extend([0x01, END, 0x41, 0x01, 0x0c, 0x01, END, 0x41, 0x02, END, END]);
    let bytes = one_func(functype(&[I32], &[I32]), body(&[], &code));
    let (r, heap) = peak(|| {
        let engine = Engine::default();
        let module = Module::new(&engine, &bytes).unwrap();
        let mut store = Store::new(&engine, ());
        let inst = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
        let f = inst.get_typed_func::<i32, i32>(&store, "f").unwrap();
        [0, 1, 999_998, 999_999, 1_000_000, -1].map(|a| f.call(&mut store, a).unwrap())
    });
    assert_eq!(r, [1, 2, 1, 2, 2, 2]);
    assert!(heap > bytes.len(), "the meter sees the module's own translation ({heap} bytes)");
    assert!(heap < 64 * bytes.len() + 8 * MIB, "{heap} bytes of heap for a {}-byte br_table", bytes.len());
}

fn limited_store(engine: &Engine, memory: usize, table: usize) -> Store<StoreLimits> {
    let mut store = Store::new(engine, StoreLimitsBuilder::new().memory_size(memory).table_elements(table).build());
    store.limiter(|l| l);
    store
}

#[test]
fn maximal_memories_are_refused_by_limits_and_lazy_without() {
    let engine = Engine::default();
    let mem = |min: u32, max: Option<u32>| {
        let limits = match max {
            Some(m) => [vec![0x01], leb(min), leb(m)].concat(),
            None => [vec![0x00], leb(min)].concat(),
        };
        module(&[(5, vec_of([limits])), (7, vec_of([[name("m"), vec![0x02], leb(0)].concat()]))])
    };
    // 65,536 pages (4 GiB): refused under a 64 MiB limit, before any allocation.
    let module4g = Module::new(&engine, mem(65536, None)).unwrap();
    let mut store = limited_store(&engine, 64 * MIB, 1000);
    let (r, heap) = peak(|| Linker::new(&engine).instantiate(&mut store, &module4g));
    let e = r.unwrap_err().to_string();
    assert!(e.contains("resource limit exceeded"), "{e}");
    assert!(heap < MIB, "{heap}");
    // Over the 32-bit maximum: invalid.
    assert!(Module::new(&engine, mem(65537, None)).is_err());
    assert!(Module::new(&engine, mem(0, Some(65537))).is_err());
    // Without a limiter a 4 GiB memory is only address space until touched (or, where the
    // system refuses the address space, a clean error).
    let mut store = Store::new(&engine, ());
    match Linker::new(&engine).instantiate(&mut store, &module4g) {
        Ok(inst) => {
            let m = inst.get_memory(&store, "m").unwrap();
            assert_eq!(m.data_size(&store).unwrap(), 4 << 30);
            m.write(&mut store, (4 << 30) - 1, &[42]).unwrap();
            let mut b = [0];
            m.read(&store, (4 << 30) - 1, &mut b).unwrap();
            assert_eq!(b, [42]);
        }
        Err(e) => assert!(matches!(e, Error::Instantiate(_)), "{e}"),
    }
}

#[test]
fn growing_to_the_maximum_is_bounded_by_the_limiter() {
    // (memory 1 65536) (func (export "f") (param i32) (result i32) (memory.grow (local.get 0)))
    let engine = Engine::default();
    let bytes = module(&[
        (1, vec_of([functype(&[I32], &[I32])])),
        (3, vec_of([leb(0)])),
        (5, vec_of([[vec![0x01], leb(1), leb(65536)].concat()])),
        (7, vec_of([[name("f"), vec![0x00], leb(0)].concat()])),
        (10, vec_of([body(&[], &[0x20, 0x00, 0x40, 0x00, END])])),
    ]);
    let module = Module::new(&engine, bytes).unwrap();
    let mut store = limited_store(&engine, 16 * MIB, 1000);
    let inst = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let grow = inst.get_typed_func::<i32, i32>(&store, "f").unwrap();
    let (r, heap) = peak(|| [65535, -1, 65536, 100, 255].map(|d| grow.call(&mut store, d).unwrap()));
    assert_eq!(r, [-1, -1, -1, 1, -1]);
    assert!(heap < 17 * MIB, "{heap}");
}

#[test]
fn maximal_tables_are_refused_cleanly() {
    let engine = Engine::default();
    let table = |min: u32| module(&[(4, vec_of([[vec![0x70, 0x00], leb(min)].concat()]))]);
    // u32::MAX elements: valid, but no engine should allocate it.
    let m = Module::new(&engine, table(u32::MAX)).unwrap();
    let mut store = Store::new(&engine, ());
    let (r, heap) = peak(|| Linker::new(&engine).instantiate(&mut store, &m));
    assert!(matches!(r, Err(Error::Instantiate(_))));
    assert!(heap < MIB, "{heap}");
    // Within wisp's cap but over a limiter's.
    let m = Module::new(&engine, table(1_000_000)).unwrap();
    let mut store = limited_store(&engine, MIB, 10_000);
    let (r, heap) = peak(|| Linker::new(&engine).instantiate(&mut store, &m));
    assert!(r.unwrap_err().to_string().contains("resource limit exceeded"));
    assert!(heap < MIB, "{heap}");
}

#[test]
fn thousands_of_imports_link_or_fail_quickly() {
    let n = 10_000u32;
    let imports = (0..n).map(|i| [name("env"), name(&format!("f{i}")), vec![0x00], leb(0)].concat());
    let bytes = module(&[(1, vec_of([functype(&[], &[])])), (2, vec_of(imports))]);
    let engine = Engine::default();
    let module = Module::new(&engine, &bytes).unwrap();
    let mut store = Store::new(&engine, ());
    let e = Linker::new(&engine).instantiate(&mut store, &module).unwrap_err();
    assert!(matches!(e, Error::Link(_)), "{e}");
    let mut linker = Linker::new(&engine);
    for i in 0..n {
        linker.func_wrap("env", &format!("f{i}"), || {}).unwrap();
    }
    let (r, heap) = peak(|| linker.instantiate(&mut store, &module).map(drop));
    r.unwrap();
    assert!(heap < 16 * MIB, "{heap}");
}

#[test]
fn fifty_thousand_locals_run_and_respect_the_stack_limit() {
    // (func (param i32) (result i64) (local 50000 i64) (local.set 49999 (i64.const 5)) (local.get 49999))
    let n = 50_000u32;
    let last = leb(n); // param 0, then locals 1..=n
    let code = [vec![0x42, 0x05, 0x21], last.clone(), vec![0x20], last, vec![END]].concat();
    let bytes = one_func(functype(&[I32], &[I64]), body(&[(n, I64)], &code));
    assert_eq!(call_i32(&bytes, &Config::new(), Some(0)).unwrap(), vec![wisp::Val::I64(5)]);
    let mut small = Config::new();
    small.max_stack_slots(10_000);
    match call_i32(&bytes, &small, Some(0)) {
        Err(Error::Trap(t)) => assert_eq!(t.code(), TrapCode::StackOverflow),
        other => panic!("expected a stack overflow, got {other:?}"),
    }
}

#[test]
fn huge_data_segments_fail_at_instantiation_without_copying_out_of_bounds() {
    let engine = Engine::default();
    let seg = vec![0xabu8; 8 * MIB];
    // (memory 1) (data (i32.const 0) "8 MiB")
    let active = [vec![0x00, 0x41, 0x00, END], leb(seg.len() as u32), seg.clone()].concat();
    let bytes = module(&[(5, vec_of([[vec![0x00], leb(1)].concat()])), (11, vec_of([active]))]);
    let module_ = Module::new(&engine, &bytes).unwrap();
    let mut store = Store::new(&engine, ());
    match Linker::new(&engine).instantiate(&mut store, &module_) {
        Err(Error::Trap(t)) => assert_eq!(t.code(), TrapCode::MemoryOutOfBounds),
        other => panic!("expected an out-of-bounds trap, got {other:?}"),
    }
    // At an offset that wraps around 2^32.
    let wrap = [vec![0x00, 0x41], vec![0x7f], vec![END], leb(2), vec![1, 2]].concat();
    let bytes = module(&[(5, vec_of([[vec![0x00], leb(1)].concat()])), (11, vec_of([wrap]))]);
    let m = Module::new(&engine, &bytes).unwrap();
    assert!(matches!(Linker::new(&engine).instantiate(&mut store, &m), Err(Error::Trap(_))));
}

#[test]
fn a_hundred_thousand_functions_compile_lazily() {
    let n = 100_000u32;
    let bytes = module(&[
        (1, vec_of([functype(&[], &[I32])])),
        (3, vec_of((0..n).map(|_| leb(0)))),
        (7, vec_of([[name("f"), vec![0x00], leb(n - 1)].concat()])),
        (10, vec_of((0..n).map(|i| body(&[], &[vec![0x41], leb(i % 64), vec![END]].concat())))),
    ]);
    let (r, heap) = peak(|| call_i32(&bytes, &Config::new(), None));
    assert_eq!(r.unwrap(), vec![wisp::Val::I32(((n - 1) % 64) as i32)]);
    assert!(heap < 64 * bytes.len() + 8 * MIB, "{heap} bytes for {} bytes", bytes.len());
}

#[test]
fn truncations_and_mutations_of_a_hostile_module_never_panic() {
    // Every prefix of a module with all the section kinds.
    let ty = functype(&[I32], &[I32]);
    let bytes = module(&[
        (1, vec_of([ty])),
        (3, vec_of([leb(0)])),
        (4, vec_of([vec![0x70, 0x00, 0x01]])),
        (5, vec_of([vec![0x00, 0x01]])),
        (6, vec_of([vec![I32, 0x01, 0x41, 0x00, END]])),
        (7, vec_of([[name("f"), vec![0x00], leb(0)].concat()])),
        (9, vec_of([[vec![0x00, 0x41, 0x00, END], leb(1), leb(0)].concat()])),
        (12, leb(1)),
        (10, vec_of([body(&[(2, I32)], &[0x20, 0x00, 0x20, 0x00, 0x0e, 0x01, 0x00, 0x00, END])])),
        (11, vec_of([[vec![0x01], leb(3), b"abc".to_vec()].concat()])),
    ]);
    let engine = Engine::default();
    Module::new(&engine, &bytes).expect("the original is valid");
    for len in 0..bytes.len() {
        let _ = Module::new(&engine, &bytes[..len]);
    }
    for i in 8..bytes.len() {
        for v in [0x00, 0x7f, 0x80, 0xff] {
            let mut m = bytes.clone();
            m[i] = v;
            if let Ok(module) = Module::new(&engine, &m) {
                let mut store = limited_store(&engine, MIB, 1000);
                if let Ok(inst) = Linker::new(&engine).instantiate(&mut store, &module) {
                    if let Ok(f) = inst.get_typed_func::<i32, i32>(&store, "f") {
                        let _ = f.call(&mut store, 0);
                    }
                }
            }
        }
    }
}

/// A deferred `local.get` under twenty thousand stack operands, then as many writes of another
/// local, then a write of the deferred local itself: the value read first is the one returned.
/// (The translator bounds how far above a deferred operand the stack grows before it is
/// materialized, so each local write scans a bounded part of its stack: this body translates in
/// linear time.)
#[test]
fn deep_stacks_over_a_deferred_local() {
    let n = 20_000;
    let mut body = String::from("local.get 0\n");
    body.push_str(&"global.get 0\n".repeat(n));
    body.push_str(&"i32.const 7 local.set 1\n".repeat(n));
    body.push_str(&"drop\n".repeat(n));
    body.push_str("i32.const 99 local.set 0 local.get 1 i32.add local.get 0 i32.add");
    let src = format!(
        "(module (global i32 (i32.const 5)) (func (export \"f\") (param i32) (result i32) (local i32)\n{body}))"
    );
    let engine = wisp::Engine::default();
    let module = wisp::Module::new(&engine, src.as_bytes()).expect("valid");
    let mut store = wisp::Store::new(&engine, ());
    let inst = wisp::Linker::new(&engine).instantiate(&mut store, &module).expect("instantiates");
    let f = inst.get_typed_func::<i32, i32>(&store, "f").unwrap();
    // 11 (read before any write) + 7 + 99.
    assert_eq!(f.call(&mut store, 11).unwrap(), 11 + 7 + 99);
}
