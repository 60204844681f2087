//! The wasm offsets of traps in real modules, against wasmparser's reading of the same bytes:
//! every trap of the wasm-v2 suite's `assert_trap`/`assert_exhaustion` scripts (in modules that
//! import nothing, so every frame is the module's own), and one per trap kind of
//! `fixtures/c/traps.wasm` (clang's output). The innermost frame must be at an operator that
//! can give the trap's code, and every other frame at a `call` of the frame above it (or a
//! `call_indirect`). In traps.wasm each trapping function has exactly one such operator, so
//! there the offset is checked exactly.

use std::collections::HashMap;
use wasmparser::{Operator, Parser, Payload};
use wisp::{CompilationMode, Config, Dispatch, Engine, Linker, Module, Store, Trap, TrapCode, Val};
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

fn config(dispatch: Dispatch, mode: CompilationMode) -> Config {
    let mut config = Config::new();
    config.features(Suite::WasmV2.features()).dispatch(dispatch).compilation_mode(mode);
    config
}

/// Both backends, each with one compilation mode (the hand-made cases of wisp's own
/// `tests/trap_offsets.rs` run all four pairings).
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
                inner: WispBackend::with_config(&config(dispatch, mode)),
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
    for (dispatch, mode) in ENGINES {
        let engine = Engine::new(&config(dispatch, mode));
        let module = Module::new(&engine, &bytes).unwrap();
        for (name, args, code) in cases {
            let what = format!("{dispatch:?}/{mode:?} {name}{args:?}");
            let mut store = Store::new(&engine, ());
            let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
            let func = instance.get_func(&store, name).unwrap();
            let mut results: Vec<Val> =
                func.ty(&store).unwrap().results().iter().map(|&t| Val::default_for(t)).collect();
            let err = func.call(&mut store, args, &mut results).expect_err(&what);
            let trap = err.as_trap().unwrap_or_else(|| panic!("{what}: {err}"));
            assert_eq!(trap.code(), code, "{what}");
            check(&funcs, trap).unwrap_or_else(|e| panic!("{what}: {e}"));
            // The only operator of its function that gives this code.
            let inner = &trap.backtrace()[0];
            let candidates: Vec<usize> =
                funcs[inner.func_index as usize].iter().filter(|(_, op)| gives(code, op)).map(|(at, _)| *at).collect();
            assert_eq!(candidates, [inner.module_offset.unwrap()], "{what}: {trap}");
            let line = trap.to_string();
            assert!(line.ends_with(&format!(" at offset {:#x}", candidates[0])) && !line.contains('\n'), "{line}");
        }
    }
}
