//! Errors a program can match: host errors keep their type, a dead instance, guest memory out
//! of bounds and another store's handle each have their own variant, a trap prints one line,
//! and no misuse panics.

use wisp::{Caller, Engine, Error, Extern, Global, Linker, Memory, Module, Store, Table, TrapCode, Val};
use wisp::{GlobalType, Limits, MemoryType, RefType, TableType, ValType};

fn wat(src: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(src).expect("lex");
    let mut w: wast::Wat = wast::parser::parse(&buf).expect("parse");
    w.encode().expect("encode")
}

/// A host error type of the program's own, to be found again after the call.
#[derive(Debug, PartialEq)]
struct QuotaExceeded {
    asked: i32,
}

impl std::fmt::Display for QuotaExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "quota exceeded: {} asked", self.asked)
    }
}

impl std::error::Error for QuotaExceeded {}

const CALLS_HOST: &str = r#"(module
    (import "host" "io" (func $io (param i32) (result i32)))
    (import "host" "quota" (func $quota (param i32) (result i32)))
    (import "host" "exit" (func $exit (param i32)))
    (func (export "io") (param i32) (result i32) (call $io (local.get 0)))
    (func (export "quota") (param i32) (result i32) (call $quota (local.get 0)))
    (func (export "exit") (param i32) (call $exit (local.get 0))))"#;

#[test]
fn host_errors_keep_their_type() {
    let engine = Engine::default();
    let module = Module::new(&engine, wat(CALLS_HOST)).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    // `?` on an `io::Error` inside a host closure.
    linker
        .func_wrap("host", "io", |n: i32| -> Result<i32, std::io::Error> {
            let bytes = std::fs::read(format!("/nonexistent-wisp-test-dir/{n}"))?;
            Ok(bytes.len() as i32)
        })
        .unwrap();
    linker
        .func_wrap("host", "quota", |_: Caller<'_, ()>, n: i32| -> Result<i32, QuotaExceeded> {
            if n > 10 {
                Err(QuotaExceeded { asked: n })
            } else {
                Ok(n)
            }
        })
        .unwrap();
    // A wisp error raised by a host function stays what it is (here an exit, as WASI's
    // `proc_exit` raises it), not a host error wrapping it.
    linker.func_wrap("host", "exit", |code: i32| -> wisp::Result<()> { Err(Error::Exit(code)) }).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();

    let io = instance.get_typed_func::<i32, i32>(&store, "io").unwrap();
    let err = io.call(&mut store, 1).unwrap_err();
    assert!(matches!(err, Error::Host(_)), "{err:?}");
    assert_eq!(err.downcast_ref::<std::io::Error>().map(|e| e.kind()), Some(std::io::ErrorKind::NotFound));
    assert!(err.downcast_ref::<QuotaExceeded>().is_none());

    let quota = instance.get_typed_func::<i32, i32>(&store, "quota").unwrap();
    assert_eq!(quota.call(&mut store, 3).unwrap(), 3);
    let err = quota.call(&mut store, 11).unwrap_err();
    assert_eq!(err.to_string(), "host error: quota exceeded: 11 asked");
    assert_eq!(err.downcast::<QuotaExceeded>().unwrap(), QuotaExceeded { asked: 11 });

    let exit = instance.get_typed_func::<i32, ()>(&store, "exit").unwrap();
    assert_eq!(exit.call(&mut store, 7).unwrap_err().exit_code(), Some(7));

    // The untyped call path carries the same error.
    let mut out = [Val::I32(0)];
    let err = instance.get_func(&store, "quota").unwrap().call(&mut store, &[Val::I32(99)], &mut out).unwrap_err();
    assert_eq!(err.downcast_ref::<QuotaExceeded>(), Some(&QuotaExceeded { asked: 99 }));
}

#[test]
fn a_dead_instance_has_its_variant() {
    let engine = Engine::default();
    let module = Module::new(&engine, wat(r#"(module (func (export "f") (result i32) (i32.const 1)))"#)).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let f = instance.get_typed_func::<(), i32>(&store, "f").unwrap();
    instance.mark_dead(&mut store, "the runtime panicked");
    let err = f.call(&mut store, ()).unwrap_err();
    assert!(matches!(&err, Error::Dead(why) if why == "the runtime panicked"), "{err:?}");
    assert_eq!(err.dead_reason(), Some("the runtime panicked"));
    assert_eq!(err.to_string(), "instance is dead: the runtime panicked");
    assert!(matches!(instance.reactor_func(&store, "f"), Err(Error::Dead(_))));
}

#[test]
fn guest_memory_out_of_bounds_has_its_variant() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mem = Memory::new(
        &mut store,
        MemoryType { limits: Limits { min: 1, max: None }, memory64: false, shared: false, page_size_log2: None },
    )
    .unwrap();
    let mut buf = [0u8; 8];
    match mem.read(&store, 65_532, &mut buf) {
        Err(Error::MemoryOutOfBounds { offset: 65_532, len: 8, size: 65_536 }) => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(mem.write(&mut store, usize::MAX, &buf), Err(Error::MemoryOutOfBounds { .. })));
    assert!(matches!(mem.read_bytes(&store, 65_535, 2), Err(Error::MemoryOutOfBounds { offset: 65_535, len: 2, .. })));
    mem.read(&store, 65_528, &mut buf).unwrap();
}

#[test]
fn a_trap_is_one_line_and_its_backtrace_folds() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        wat(r#"(module
            (func $down (param i32) (result i32) (i32.add (call $down (local.get 0)) (i32.const 1)))
            (func (export "run") (result i32) (call $down (i32.const 0))))"#),
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<(), i32>(&store, "run").unwrap();
    let err = run.call(&mut store, ()).unwrap_err();
    let trap = err.as_trap().unwrap();
    assert_eq!(trap.code(), TrapCode::StackOverflow);
    // Every `down` frame is at its recursive call, `run` at its call of `down`.
    let (down_call, run_call) =
        (trap.backtrace()[0].module_offset.unwrap(), trap.backtrace().last().unwrap().module_offset.unwrap());
    assert!(trap.backtrace()[..trap.backtrace().len() - 1].iter().all(|f| f.module_offset == Some(down_call)));
    assert_eq!(err.to_string(), format!("wasm trap: call stack exhausted in func[0] down at offset {down_call:#x}"));
    let frames = trap.backtrace().len();
    assert!(frames > 1000, "{frames} frames");
    // Every frame but the outermost is `down`: two lines for them, one for `run`.
    let folded = trap.backtrace_display().to_string();
    let more = frames - 2;
    let with_commas = format!("{},{:03}", more / 1000, more % 1000);
    assert_eq!(
        folded,
        format!(
            "  0: func[0] down at offset {down_call:#x}\n  ... {with_commas} more frames of down\n  {}: func[1] at offset {run_call:#x}",
            frames - 1
        ),
        "{frames} frames"
    );

    // A retired instance keeps the short form as its reason.
    instance.mark_dead(&mut store, format!("{err}"));
    assert_eq!(instance.dead_reason(&store).unwrap().lines().count(), 1);
}

fn wrong<X>(r: Result<X, Error>) -> bool {
    matches!(r, Err(Error::WrongStore))
}

/// Every handle of one store, used with another: an error or `None`, never a panic.
#[test]
fn another_stores_handles_are_refused_everywhere() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        wat(r#"(module
            (memory (export "memory") 1)
            (table (export "table") 2 funcref)
            (global (export "global") (mut i32) (i32.const 5))
            (func (export "f") (result i32) (i32.const 7)))"#),
    )
    .unwrap();
    let mut mine = Store::new(&engine, ());
    let mut other = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut mine, &module).unwrap();

    // Instance
    assert_eq!(instance.get_export(&other, "memory"), None);
    assert_eq!(instance.get_func(&other, "f"), None);
    assert_eq!(instance.get_memory(&other, "memory"), None);
    assert_eq!(instance.get_table(&other, "table"), None);
    assert_eq!(instance.get_global(&other, "global"), None);
    assert!(wrong(instance.exports(&other)));
    assert!(wrong(instance.module(&other)));
    assert!(matches!(instance.get_typed_func::<(), i32>(&other, "f"), Err(Error::UnknownExport(_))));
    assert!(!instance.is_command(&other));
    assert!(!instance.is_dead(&other));
    assert!(wrong(instance.initialize_reactor(&mut other)));
    assert!(wrong(instance.reactor_func(&other, "f")));
    instance.mark_dead(&mut other, "not this store's"); // a no-op
    assert!(!instance.is_dead(&mine));
    assert!(wrong(Linker::new(&engine).instance(&other, "m", instance)));

    // Memory
    let mem = instance.get_memory(&mine, "memory").unwrap();
    assert!(wrong(mem.size(&other)));
    assert!(wrong(mem.data_size(&other)));
    assert!(wrong(mem.ty(&other)));
    assert!(wrong(mem.data(&other)));
    assert!(wrong(mem.data_mut(&mut other)));
    assert!(wrong(mem.data_and_store_mut(&mut other)));
    assert!(wrong(mem.read(&other, 0, &mut [0; 4])));
    assert!(wrong(mem.write(&mut other, 0, &[1; 4])));
    assert!(wrong(mem.grow(&mut other, 1)));
    assert!(wrong(mem.read_bytes(&other, 0, 4)));
    assert!(wrong(Extern::Memory(mem).ty(&other)));
    assert_eq!(mem.size(&mine).unwrap(), 1);

    // Table
    let table = instance.get_table(&mine, "table").unwrap();
    assert!(wrong(table.size(&other)));
    assert!(wrong(table.ty(&other)));
    assert_eq!(table.get(&other, 0), None);
    assert!(wrong(table.set(&mut other, 0, Val::FuncRef(None))));
    assert!(wrong(table.grow(&mut other, 1, Val::FuncRef(None))));

    // Global
    let global = instance.get_global(&mine, "global").unwrap();
    assert!(wrong(global.get(&other)));
    assert!(wrong(global.ty(&other)));
    assert!(wrong(global.set(&mut other, Val::I32(1))));
    assert_eq!(global.get(&mine).unwrap(), Val::I32(5));

    // Func
    let f = instance.get_func(&mine, "f").unwrap();
    assert!(wrong(f.ty(&other)));
    assert!(wrong(f.typed::<(), i32>(&other)));
    assert!(wrong(f.call(&mut other, &[], &mut [Val::I32(0)])));
    let typed = f.typed::<(), i32>(&mine).unwrap();
    assert!(wrong(typed.call(&mut other, ())));
    assert_eq!(typed.call(&mut mine, ()).unwrap(), 7);

    // Values holding another store's references.
    let t2 = Table::new(
        &mut other,
        TableType { element: RefType::FuncRef, limits: Limits { min: 1, max: None }, table64: false },
        Val::FuncRef(None),
    )
    .unwrap();
    assert!(wrong(t2.set(&mut other, 0, Val::FuncRef(Some(f)))));
    let g2 =
        Global::new(&mut other, GlobalType { content: ValType::FUNCREF, mutable: true }, Val::FuncRef(None)).unwrap();
    assert!(wrong(g2.set(&mut other, Val::FuncRef(Some(f)))));
    let mut linker = Linker::new(&engine);
    linker.define("m", "f", f).unwrap();
    let imports = Module::new(&engine, wat(r#"(module (import "m" "f" (func (result i32))))"#)).unwrap();
    assert!(wrong(linker.instantiate(&mut other, &imports)));
}

/// GC's types, switched off (the default), make the module malformed or invalid; switched on
/// they execute (a body that names them compiles lazily and eagerly); GC's operators are not
/// decoded, so a module that uses one is malformed whatever the switches say.
#[test]
fn gc_types_need_their_switch_and_gc_operators_are_refused() {
    let gc_types = [
        r#"(module (type (struct (field i32))))"#,
        r#"(module (type $a (sub (func))) (type (sub $a (func))))"#,
        r#"(module (func (param anyref)))"#,
        r#"(module (func (local anyref)))"#,
        r#"(module (func (result i32) (block (result eqref) ref.null eq) ref.is_null))"#,
        r#"(module (func (result i32) ref.null i31 ref.is_null))"#,
    ];
    for src in gc_types {
        let bytes = wat(src);
        assert!(
            matches!(Module::new(&Engine::default(), &bytes), Err(Error::Decode(_) | Error::Validate(_))),
            "{src}: accepted by default"
        );
        for mode in [wisp::CompilationMode::LazyTranslation, wisp::CompilationMode::Eager] {
            let mut config = wisp::Config::new();
            config.features(wisp::Features::wasm3()).compilation_mode(mode);
            if let Err(e) = Module::new(&Engine::new(&config), &bytes) {
                panic!("{src} ({mode:?}): {e}");
            }
        }
    }
    let mut config = wisp::Config::new();
    config.features(wisp::Features::wasm3());
    let op = wat(
        r#"(module (type $s (struct (field i32))) (func (result i32) (struct.get $s 0 (struct.new $s (i32.const 1)))))"#,
    );
    match Module::new(&Engine::new(&config), &op) {
        Err(Error::Decode(e)) => assert!(e.to_string().contains("illegal opcode 0xfb"), "{e}"),
        other => panic!("struct.new: {other:?}"),
    }
}
