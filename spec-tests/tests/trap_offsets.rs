//! The wasm offsets in a trap's backtrace, against wasmparser's reading of the same bytes: the
//! innermost frame is at the operator that trapped, every other frame at the `call` or
//! `call_indirect` it was in. wisp finds offsets at trap time by translating a function again
//! (crates/wisp/src/translate/offsets.rs), so cases run on both dispatch backends and both
//! compilation modes.
//!
//! - Hand-made cases know exactly which operator traps: every trap kind an operator gives,
//!   operators wisp fuses with their neighbours, callers, stack overflow, fuel and deadlines.
//! - `fixtures/c/traps.wasm` (clang's output): each trapping function has exactly one operator
//!   that can give its trap, so its offset is checked exactly.
//! - Every trap of the wasm-v2 suite's `assert_trap`/`assert_exhaustion` scripts (in modules
//!   that import nothing, so every frame is the module's own): the innermost frame must be at an
//!   operator that can give the trap's code, every other at a call of the frame above it.

use std::collections::HashMap;
use wasmparser::{Operator, Parser, Payload};
use wisp::{CompilationMode, Config, Dispatch, Engine, Error, Linker, Module, Store, Trap, TrapCode, Val};
use wisp_spec_tests::{run_wast, Backend, BackendError, Suite, Value, WispBackend};

/// Every function's operators with their module offsets, by function index (imports have
/// none), and whether the module imports anything.
fn operators(bytes: &[u8]) -> (Vec<Vec<(usize, Operator<'_>)>>, bool) {
    let (mut funcs, mut imports_any) = (Vec::new(), false);
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.expect("wasmparser reads the module") {
            Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    imports_any = true;
                    if let wasmparser::TypeRef::Func(_) = import.expect("import").ty {
                        funcs.push(Vec::new());
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let mut reader = body.get_operators_reader().expect("body");
                let mut ops = Vec::new();
                while !reader.eof() {
                    let (op, offset) = reader.read_with_offset().expect("operator");
                    ops.push((offset as usize, op));
                }
                funcs.push(ops);
            }
            _ => {}
        }
    }
    (funcs, imports_any)
}

/// Whether operator `op` can end in a trap with `code`. Names are wasmparser's variants.
fn gives(code: TrapCode, op: &Operator<'_>) -> bool {
    let name = format!("{op:?}");
    let name = name.split([' ', '{']).next().unwrap_or_default();
    let int = name.starts_with('I');
    let division = int && (name.contains("Div") || name.contains("Rem"));
    let truncation = int && name.contains("Trunc") && !name.contains("Sat");
    match code {
        TrapCode::Unreachable => name == "Unreachable",
        TrapCode::IntegerDivideByZero => division,
        TrapCode::IntegerOverflow => name == "I32DivS" || name == "I64DivS" || truncation,
        TrapCode::BadConversionToInteger => truncation,
        TrapCode::MemoryOutOfBounds => {
            name.contains("Load") || name.contains("Store") || name.starts_with("Memory") && name != "MemorySize"
        }
        TrapCode::TableOutOfBounds => name.starts_with("Table") && name != "TableSize",
        TrapCode::IndirectCallToNull | TrapCode::BadSignature | TrapCode::UndefinedElement => name == "CallIndirect",
        TrapCode::StackOverflow => name == "Call" || name == "CallIndirect",
        _ => false,
    }
}

/// Checks `trap`'s frames against `funcs` (see the file's documentation); `Err` says what
/// is wrong.
fn check(funcs: &[Vec<(usize, Operator<'_>)>], trap: &Trap) -> Result<(), String> {
    let op_at = |func: u32, at: Option<usize>| -> Result<&Operator<'_>, String> {
        let at = at.ok_or(format!("func {func} has no offset"))?;
        let ops = funcs.get(func as usize).ok_or(format!("no func {func}"))?;
        let i =
            ops.binary_search_by_key(&at, |(o, _)| *o).map_err(|_| format!("{at:#x} is no operator of func {func}"))?;
        Ok(&ops[i].1)
    };
    let frames = trap.backtrace();
    let first = frames.first().ok_or("no frames")?;
    let op = op_at(first.func_index, first.module_offset)?;
    if !gives(trap.code(), op) {
        return Err(format!("{trap}: the operator there is {op:?}"));
    }
    for pair in frames.windows(2) {
        match op_at(pair[1].func_index, pair[1].module_offset)? {
            Operator::Call { function_index } if *function_index == pair[0].func_index => {}
            Operator::CallIndirect { .. } => {}
            other => return Err(format!("{trap}: caller {} is at {other:?}", pair[1])),
        }
    }
    Ok(())
}

/// A spec-suite backend that checks each trap's offsets (in modules that import nothing).
struct Checking {
    inner: WispBackend,
    /// Bytes of the current and of each named instance's module, when it imports nothing.
    current: Option<Vec<u8>>,
    named: HashMap<String, Option<Vec<u8>>>,
    checked: usize,
    failures: Vec<String>,
}

impl Backend for Checking {
    fn instantiate(&mut self, bytes: &[u8], name: Option<&str>) -> Result<(), BackendError> {
        self.inner.instantiate(bytes, name)?;
        self.current = (!operators(bytes).1).then(|| bytes.to_vec());
        if let Some(n) = name {
            self.named.insert(n.to_string(), self.current.clone());
        }
        Ok(())
    }

    fn register(&mut self, as_name: &str, instance: Option<&str>) -> Result<(), BackendError> {
        self.inner.register(as_name, instance)
    }

    fn invoke(&mut self, instance: Option<&str>, func: &str, args: &[Value]) -> Result<Vec<Value>, BackendError> {
        let result = self.inner.invoke(instance, func, args);
        let trap = self.inner.take_last_trap();
        let bytes = match instance {
            Some(n) => self.named.get(n).cloned().flatten(),
            None => self.current.clone(),
        };
        if let (Err(_), Some(trap), Some(bytes)) = (&result, trap, bytes) {
            self.checked += 1;
            if let Err(e) = check(&operators(&bytes).0, &trap) {
                self.failures.push(format!("{func}{args:?}: {e}"));
            }
        }
        result
    }

    fn get(&mut self, instance: Option<&str>, global: &str) -> Result<Value, BackendError> {
        self.inner.get(instance, global)
    }
}

/// Both backends, each with one compilation mode, for the whole suite (the other cases run all
/// four pairings).
const ENGINES: [(Dispatch, CompilationMode); 2] =
    [(Dispatch::Portable, CompilationMode::LazyTranslation), (Dispatch::Threaded, CompilationMode::Eager)];

#[test]
fn spec_suite_traps_are_at_operators_that_give_them() {
    for (dispatch, mode) in ENGINES {
        let (mut checked, mut failures) = (0, Vec::new());
        // Only scripts that expect traps.
        for f in Suite::WasmV2
            .files()
            .into_iter()
            .filter(|f| f.source.contains("(assert_trap") || f.source.contains("(assert_exhaustion"))
        {
            let mut backend = Checking {
                inner: WispBackend::with_config(
                    Config::new().features(Suite::WasmV2.features()).dispatch(dispatch).compilation_mode(mode),
                ),
                current: None,
                named: HashMap::new(),
                checked: 0,
                failures: Vec::new(),
            };
            run_wast(&f.name, f.source, Suite::WasmV2.features(), &mut backend);
            checked += backend.checked;
            failures.extend(backend.failures.into_iter().map(|e| format!("{}: {e}", f.name)));
        }
        println!("{dispatch:?}/{mode:?}: {checked} traps checked");
        assert!(checked > 1000, "{dispatch:?}/{mode:?}: only {checked} traps checked");
        assert!(failures.is_empty(), "{dispatch:?}/{mode:?}:\n{}", failures.join("\n"));
    }
}

#[test]
fn clang_traps_are_at_the_one_operator_that_gives_them() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/c/traps.wasm");
    let bytes = std::fs::read(path).expect("fixtures/c/traps.wasm");
    let (funcs, _) = operators(&bytes);
    // From fixtures/c/traps/expected.txt: each call traps with the code given.
    let cases: [(&str, &[Val], TrapCode); 14] = [
        ("do_unreachable", &[], TrapCode::Unreachable),
        ("div_s", &[Val::I32(1), Val::I32(0)], TrapCode::IntegerDivideByZero),
        ("rem_s", &[Val::I32(1), Val::I32(0)], TrapCode::IntegerDivideByZero),
        ("div_u", &[Val::I32(1), Val::I32(0)], TrapCode::IntegerDivideByZero),
        ("div_s", &[Val::I32(i32::MIN), Val::I32(-1)], TrapCode::IntegerOverflow),
        ("div_s64", &[Val::I64(i64::MIN), Val::I64(-1)], TrapCode::IntegerOverflow),
        ("load", &[Val::I32(131069)], TrapCode::MemoryOutOfBounds),
        ("load8", &[Val::I32(131072)], TrapCode::MemoryOutOfBounds),
        ("store", &[Val::I32(131070), Val::I32(1)], TrapCode::MemoryOutOfBounds),
        ("trunc_s", &[Val::F64(f64::NAN.to_bits())], TrapCode::BadConversionToInteger),
        ("trunc_u", &[Val::F32((-1f32).to_bits())], TrapCode::IntegerOverflow),
        ("recurse_forever", &[], TrapCode::StackOverflow),
        ("call1", &[Val::I32(0), Val::I32(7)], TrapCode::IndirectCallToNull),
        ("call2", &[Val::I32(1), Val::I32(7)], TrapCode::BadSignature),
    ];
    for (what, engine) in engines(|_| {}) {
        for (name, args, code) in cases {
            let trap = trap_of(&engine, &bytes, name, args, |_| {});
            let what = format!("{what} {name}{args:?}");
            assert_eq!(trap.code(), code, "{what}");
            check(&funcs, &trap).unwrap_or_else(|e| panic!("{what}: {e}"));
            // The only operator of its function that gives this code.
            let inner = &trap.backtrace()[0];
            let candidates: Vec<usize> =
                funcs[inner.func_index as usize].iter().filter(|(_, op)| gives(code, op)).map(|(at, _)| *at).collect();
            assert_eq!(candidates, [inner.module_offset.unwrap()], "{what}: {trap}");
            check_line(&trap);
        }
    }
}

// --- Hand-made cases -----------------------------------------------------------------------

fn wat(src: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(src).expect("lex");
    let mut w: wast::Wat = wast::parser::parse(&buf).expect("parse");
    w.encode().expect("encode")
}

/// The four engines every case runs on.
fn engines(tweak: impl Fn(&mut Config)) -> Vec<(String, Engine)> {
    let mut out = Vec::new();
    for dispatch in [Dispatch::Portable, Dispatch::Threaded] {
        for mode in [CompilationMode::LazyTranslation, CompilationMode::Eager] {
            let mut config = Config::new();
            config.dispatch(dispatch).compilation_mode(mode);
            tweak(&mut config);
            out.push((format!("{dispatch:?}/{mode:?}"), Engine::new(&config)));
        }
    }
    assert!(Dispatch::THREADED_AVAILABLE, "the test profile compiles the threaded backend in");
    out
}

/// Calls export `name` of a fresh instance of `bytes` and returns its trap.
fn trap_of(engine: &Engine, bytes: &[u8], name: &str, args: &[Val], setup: impl Fn(&mut Store<()>)) -> Trap {
    let module = Module::new(engine, bytes).unwrap();
    let mut store = Store::new(engine, ());
    setup(&mut store);
    let instance = Linker::new(engine).instantiate(&mut store, &module).unwrap();
    let func = instance.get_func(&store, name).unwrap_or_else(|| panic!("no export {name}"));
    let mut results: Vec<Val> = func.ty(&store).unwrap().results().iter().map(|&t| Val::default_for(t)).collect();
    match func.call(&mut store, args, &mut results) {
        Err(Error::Trap(t)) => t,
        other => panic!("{name}{args:?}: expected a trap, got {other:?}"),
    }
}

/// The `n`th operator (from 0) of function `func` that `is` accepts: its offset.
fn nth(ops: &[Vec<(usize, Operator<'_>)>], func: u32, is: fn(&Operator<'_>) -> bool, n: usize) -> usize {
    let found: Vec<usize> = ops[func as usize].iter().filter(|(_, op)| is(op)).map(|&(at, _)| at).collect();
    *found.get(n).unwrap_or_else(|| panic!("func {func} has {} such operators, not {}", found.len(), n + 1))
}

/// The backtrace as (function index, offset) pairs.
fn frames(trap: &Trap) -> Vec<(u32, Option<usize>)> {
    trap.backtrace().iter().map(|f| (f.func_index, f.module_offset)).collect()
}

/// One line, ending in the innermost frame's offset.
fn check_line(trap: &Trap) {
    let line = trap.to_string();
    let offset = trap.backtrace()[0].module_offset.expect("an offset");
    assert!(!line.contains('\n') && line.ends_with(&format!(" at offset {offset:#x}")), "{line}");
}

macro_rules! is {
    ($($p:pat_param)|+) => {{
        fn f(op: &Operator<'_>) -> bool {
            matches!(op, $($p)|+)
        }
        f as fn(&Operator<'_>) -> bool
    }};
}

const CASES_WAT: &str = r#"(module
  (type $t1 (func (param i32) (result i32)))
  (type $t2 (func (param i32 i32) (result i32)))
  (memory 1)
  (table 4 funcref)
  (elem (i32.const 0) $sq $pair $div)
  (func $sq (type $t1) (i32.mul (local.get 0) (local.get 0)))
  (func $pair (type $t2) (i32.add (local.get 0) (local.get 1)))
  (func (export "unreachable") (nop) (drop (i32.const 1)) (unreachable))
  (func $div (export "div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "rem_u_const") (param i32) (result i32)
    (i32.add (local.get 0) (i32.rem_u (local.get 0) (i32.const 0))))
  (func (export "div_s64") (param i64 i64) (result i64) (i64.div_s (local.get 0) (local.get 1)))
  (func (export "trunc_set") (param f64) (result i32) (local i32)
    (local.set 1 (i32.trunc_f64_s (local.get 0))) (local.get 1))
  (func (export "load") (param i32) (result i32) (i32.load offset=4 (local.get 0)))
  (func (export "load_plus") (param i32) (result i32) (i32.load (i32.add (local.get 0) (i32.const 16))))
  (func (export "load_plus_set") (param i32) (result i32) (local i32)
    (local.set 1 (i32.load16_s offset=2 (i32.add (local.get 0) (i32.const 16)))) (local.get 1))
  (func (export "store") (param i32) (i32.store (local.get 0) (i32.const 7)))
  (func (export "store_plus") (param i32) (i32.store offset=2 (i32.add (local.get 0) (i32.const 16)) (i32.const 7)))
  (func (export "scaled") (param i32) (result i32) (i32.load (i32.add (i32.shl (local.get 0) (i32.const 2)) (i32.const 1024))))
  (func (export "go_addr") (param i32) (result i32)
    (i32.load (i32.wrap_i64 (i64.add (i64.extend_i32_u (local.get 0)) (i64.const 8)))))
  (func (export "fill") (param i32) (memory.fill (local.get 0) (i32.const 0) (i32.const 16)))
  (func (export "table_get") (param i32) (result funcref) (table.get 0 (local.get 0)))
  (func (export "call_ind") (param i32) (result i32) (call_indirect (type $t1) (i32.const 5) (local.get 0)))
  (func $recurse (export "recurse") (param i32) (result i32) (i32.add (call $recurse (local.get 0)) (i32.const 1)))
  (func (export "outer") (param i32 i32) (result i32) (drop (i32.const 1)) (call $middle (local.get 0) (local.get 1)))
  (func $middle (param i32 i32) (result i32) (block (result i32) (call $div (local.get 0) (local.get 1))))
  (func (export "outer_imm") (param i32) (result i32) (call $div (local.get 0) (i32.const 0)))
  (func (export "via_table") (param i32 i32) (result i32)
    (call_indirect (type $t2) (local.get 0) (local.get 1) (i32.const 2)))
  (func (export "after_loop") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get 1) (i32.const 10))))
    (i32.div_u (local.get 1) (local.get 0)))
  (func (export "spin") (nop) (loop $l (br $l))))"#;

/// Function indices in `CASES_WAT`.
const UNREACHABLE: u32 = 2;
const DIV: u32 = 3;
const RECURSE: u32 = 17;
const OUTER: u32 = 18;
const MIDDLE: u32 = 19;
const OUTER_IMM: u32 = 20;
const VIA_TABLE: u32 = 21;
const AFTER_LOOP: u32 = 22;
const SPIN: u32 = 23;

type Pick = (u32, fn(&Operator<'_>) -> bool, usize);

#[test]
fn each_frame_is_at_the_operator_wasmparser_reads_there() {
    let bytes = wat(CASES_WAT);
    let (ops, _) = operators(&bytes);
    let call = is!(Operator::Call { .. });
    let call_indirect = is!(Operator::CallIndirect { .. });
    let load = is!(Operator::I32Load { .. } | Operator::I32Load16S { .. });
    let store = is!(Operator::I32Store { .. });
    #[rustfmt::skip]
    let cases: Vec<(&str, Vec<Val>, TrapCode, Vec<Pick>)> = vec![
        ("unreachable", vec![], TrapCode::Unreachable, vec![(UNREACHABLE, is!(Operator::Unreachable), 0)]),
        ("div_s", vec![Val::I32(1), Val::I32(0)], TrapCode::IntegerDivideByZero, vec![(DIV, is!(Operator::I32DivS), 0)]),
        ("div_s", vec![Val::I32(i32::MIN), Val::I32(-1)], TrapCode::IntegerOverflow, vec![(DIV, is!(Operator::I32DivS), 0)]),
        // A divisor that is a constant: the form takes it as an immediate.
        ("rem_u_const", vec![Val::I32(3)], TrapCode::IntegerDivideByZero, vec![(4, is!(Operator::I32RemU), 0)]),
        ("div_s64", vec![Val::I64(i64::MIN), Val::I64(-1)], TrapCode::IntegerOverflow, vec![(5, is!(Operator::I64DivS), 0)]),
        // A conversion whose result goes straight into a local (fused with the `local.set`).
        ("trunc_set", vec![Val::F64(f64::NAN.to_bits())], TrapCode::BadConversionToInteger, vec![(6, is!(Operator::I32TruncF64S), 0)]),
        ("trunc_set", vec![Val::F64(3e10f64.to_bits())], TrapCode::IntegerOverflow, vec![(6, is!(Operator::I32TruncF64S), 0)]),
        ("load", vec![Val::I32(65533)], TrapCode::MemoryOutOfBounds, vec![(7, load, 0)]),
        // `local.get; i32.const; i32.add; i32.load` is one instruction: the load's offset.
        ("load_plus", vec![Val::I32(65530)], TrapCode::MemoryOutOfBounds, vec![(8, load, 0)]),
        ("load_plus_set", vec![Val::I32(65530)], TrapCode::MemoryOutOfBounds, vec![(9, load, 0)]),
        ("store", vec![Val::I32(65534)], TrapCode::MemoryOutOfBounds, vec![(10, store, 0)]),
        ("store_plus", vec![Val::I32(65530)], TrapCode::MemoryOutOfBounds, vec![(11, store, 0)]),
        // `(i << k) + c` as the address of a load.
        ("scaled", vec![Val::I32(1 << 20)], TrapCode::MemoryOutOfBounds, vec![(12, load, 0)]),
        // Go's 64-bit address arithmetic before a load.
        ("go_addr", vec![Val::I32(65530)], TrapCode::MemoryOutOfBounds, vec![(13, load, 0)]),
        ("fill", vec![Val::I32(65530)], TrapCode::MemoryOutOfBounds, vec![(14, is!(Operator::MemoryFill { .. }), 0)]),
        ("table_get", vec![Val::I32(4)], TrapCode::TableOutOfBounds, vec![(15, is!(Operator::TableGet { .. }), 0)]),
        ("call_ind", vec![Val::I32(1)], TrapCode::BadSignature, vec![(16, call_indirect, 0)]),
        ("call_ind", vec![Val::I32(3)], TrapCode::IndirectCallToNull, vec![(16, call_indirect, 0)]),
        ("call_ind", vec![Val::I32(9)], TrapCode::UndefinedElement, vec![(16, call_indirect, 0)]),
        // Callers are at their calls: through a block, after code, with a constant argument
        // (`i32.const; call` is one instruction), and through a table.
        ("outer", vec![Val::I32(1), Val::I32(0)], TrapCode::IntegerDivideByZero,
            vec![(DIV, is!(Operator::I32DivS), 0), (MIDDLE, call, 0), (OUTER, call, 0)]),
        ("outer_imm", vec![Val::I32(1)], TrapCode::IntegerDivideByZero,
            vec![(DIV, is!(Operator::I32DivS), 0), (OUTER_IMM, call, 0)]),
        ("via_table", vec![Val::I32(1), Val::I32(0)], TrapCode::IntegerDivideByZero,
            vec![(DIV, is!(Operator::I32DivS), 0), (VIA_TABLE, call_indirect, 0)]),
        // After a loop whose latch is one instruction.
        ("after_loop", vec![Val::I32(0)], TrapCode::IntegerDivideByZero, vec![(AFTER_LOOP, is!(Operator::I32DivU), 0)]),
    ];
    for (what, engine) in engines(|_| {}) {
        for (name, args, code, picks) in &cases {
            let trap = trap_of(&engine, &bytes, name, args, |_| {});
            assert_eq!(trap.code(), *code, "{what}: {name}{args:?}");
            let want: Vec<_> = picks.iter().map(|&(f, is, n)| (f, Some(nth(&ops, f, is, n)))).collect();
            assert_eq!(frames(&trap), want, "{what}: {name}{args:?}: {trap}");
            check_line(&trap);
        }
    }
}

#[test]
fn a_stack_overflow_is_at_the_recursive_call_in_every_frame() {
    let bytes = wat(CASES_WAT);
    let (ops, _) = operators(&bytes);
    let at = nth(&ops, RECURSE, is!(Operator::Call { .. }), 0);
    // Out of frames, and out of value stack first.
    let mut engines_ = engines(|c| {
        c.max_call_depth(300);
    });
    engines_.extend(engines(|c| {
        c.max_stack_slots(500);
    }));
    for (what, engine) in engines_ {
        let trap = trap_of(&engine, &bytes, "recurse", &[Val::I32(0)], |_| {});
        assert_eq!(trap.code(), TrapCode::StackOverflow, "{what}");
        let f = frames(&trap);
        assert!((100..=301).contains(&f.len()), "{what}: {} frames", f.len());
        assert!(f.iter().all(|&fr| fr == (RECURSE, Some(at))), "{what}: {f:?}");
        check_line(&trap);
        // Folded: one line for the innermost, one for the rest.
        let text = trap.backtrace_display().to_string();
        assert_eq!(text.lines().count(), 2, "{what}: {text}");
        assert!(text.starts_with(&format!("  0: func[{RECURSE}] recurse at offset {at:#x}\n")), "{what}: {text}");
    }
}

#[test]
fn fuel_and_deadline_traps_are_at_the_block_they_charge() {
    let bytes = wat(CASES_WAT);
    let (ops, _) = operators(&bytes);
    let first = nth(&ops, SPIN, is!(Operator::Nop), 0);
    let header = nth(&ops, SPIN, is!(Operator::Loop { .. }), 0);
    for (what, engine) in engines(|c| {
        c.consume_fuel(true);
    }) {
        // No fuel at all: the function's entry charges its first block.
        let trap = trap_of(&engine, &bytes, "spin", &[], |s| s.set_fuel(0).unwrap());
        assert_eq!((trap.code(), frames(&trap)), (TrapCode::OutOfFuel, vec![(SPIN, Some(first))]), "{what}");
        // Some: the loop's header runs out.
        let trap = trap_of(&engine, &bytes, "spin", &[], |s| s.set_fuel(1000).unwrap());
        assert_eq!((trap.code(), frames(&trap)), (TrapCode::OutOfFuel, vec![(SPIN, Some(header))]), "{what}");
    }
    for (what, engine) in engines(|c| {
        c.interruptible(true);
    }) {
        let trap = trap_of(&engine, &bytes, "spin", &[], |s| {
            s.set_timeout(Some(std::time::Duration::from_millis(20))).unwrap()
        });
        assert_eq!((trap.code(), frames(&trap)), (TrapCode::DeadlineExceeded, vec![(SPIN, Some(header))]), "{what}");
        check_line(&trap);
    }
}
