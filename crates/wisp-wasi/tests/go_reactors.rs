//! Go 1.24 fixtures through the reactor helpers (`wisp_wasi::GoReactor`, wisp's memory and
//! alloc helpers): every fixture, every export, every expected result from `expected.txt`
//! (bench: its `quick` scenario, sized for debug builds), and the helpers' own promises.

mod reactor_expect;

use reactor_expect::{fixtures_dir, run_expected};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wisp::{Config, Engine, ExternType, Module, TrapCode};
use wisp_wasi::{GoReactor, ReactorError, WasiCtx};

fn go_fixture(name: &str) -> PathBuf {
    fixtures_dir().join("go").join(name)
}

fn module(engine: &Engine, file: &str) -> Module {
    let bytes = std::fs::read(go_fixture(file)).expect("read fixture");
    Module::new(engine, bytes).expect("module")
}

/// Scenarios run by these tests, per fixture directory (`None`: all of them).
const FIXTURES: &[(&str, Option<&[&str]>)] = &[
    ("add", None),
    ("types", None),
    ("strings", None),
    ("state", None),
    ("bench", Some(&["quick"])),
    ("snap", None),
    ("hello", None),
    ("exit3", None),
    ("gopanic", None),
    ("wasi_tour", None),
    ("osroot", None),
];

/// Exports that never return, so no `expected.txt` step can call them; the tests named here do.
const CALLED_ELSEWHERE: &[(&str, &str)] = &[
    // a_deadline_stops_a_runaway_go_export_and_retires_only_that_instance
    ("state.wasm", "spin"),
    // tests/templates.rs: failures_stay_in_their_clone
    ("snap.wasm", "spin"),
];

fn run(dir: &str) {
    let only = FIXTURES.iter().find(|(d, _)| *d == dir).expect("listed fixture").1;
    let path = go_fixture(dir).join("expected.txt");
    match run_expected(&Engine::default(), &path, only) {
        Ok(t) => {
            assert!(t.runs > 0 && t.calls > 0, "{dir}: nothing ran");
            eprintln!("go/{dir}: {} scenario run(s), {} steps, {} calls", t.runs, t.steps, t.calls);
        }
        Err(f) => panic!("{} failure(s):\n{}", f.len(), f.join("\n")),
    }
}

#[test]
fn go_add() {
    run("add");
}

#[test]
fn go_types() {
    run("types");
}

#[test]
fn go_strings() {
    run("strings");
}

#[test]
fn go_state() {
    run("state");
}

#[test]
fn go_snap() {
    run("snap");
}

#[test]
fn go_bench_quick() {
    run("bench");
}

#[test]
fn go_hello() {
    run("hello");
}

#[test]
fn go_exit3() {
    run("exit3");
}

#[test]
fn go_gopanic() {
    run("gopanic");
}

#[test]
fn go_wasi_tour() {
    run("wasi_tour");
}

/// Every reactor fixture's scenarios that start with `_initialize` hold on a clone of a
/// template (`GoReactorPre`) as they do on a freshly initialized instance.
#[test]
fn every_reactor_fixture_from_a_template_clone() {
    let engine = Engine::default();
    for (dir, only) in FIXTURES {
        let path = go_fixture(dir).join("expected.txt");
        match reactor_expect::run_expected_from_template(&engine, &path, *only) {
            Ok(t) => eprintln!("go/{dir} from a template: {} scenario run(s), {} calls", t.runs, t.calls),
            Err(f) => panic!("go/{dir} from a template: {} failure(s):\n{}", f.len(), f.join("\n")),
        }
    }
}

#[test]
fn go_osroot() {
    run("osroot");
}

/// Fixtures that import host functions besides WASI, which `expected.txt` cannot define: the
/// test file named here links them and must call every export (named in quotes).
const HOST_IMPORTING: &[(&str, &str)] = &[("hostcall.wasm", "tests/go_host_calls.rs")];

/// Every fixture directory has a test above, and every function export of every module is
/// called by a scenario that runs.
#[test]
fn every_fixture_and_every_export_is_exercised() {
    let engine = Engine::default();
    let mut wasm_files = BTreeSet::new();
    for (file, test) in HOST_IMPORTING {
        let source = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(test)).unwrap();
        for (name, ty) in module(&engine, file).exports() {
            if matches!(ty, ExternType::Func(_)) && name != "_initialize" {
                assert!(source.contains(&format!("\"{name}\"")), "{file}: export `{name}` is never called by {test}");
            }
        }
        wasm_files.insert(file.to_string());
    }
    let mut dirs = BTreeSet::new();
    for entry in std::fs::read_dir(fixtures_dir().join("go")).unwrap() {
        let p = entry.unwrap().path();
        if p.join("expected.txt").is_file() {
            dirs.insert(p.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    let listed: BTreeSet<String> = FIXTURES.iter().map(|(d, _)| d.to_string()).collect();
    assert_eq!(dirs, listed, "fixture directories vs. tests");

    for (dir, only) in FIXTURES {
        let text = std::fs::read_to_string(go_fixture(dir).join("expected.txt")).unwrap();
        let mut called = BTreeSet::new();
        let mut modules = Vec::new();
        let mut in_run = true;
        for line in text.lines().map(str::trim) {
            let mut words = line.split_whitespace();
            match words.next() {
                Some("module") => modules = words.map(str::to_string).collect(),
                Some("scenario") => {
                    let name = words.next().unwrap_or("");
                    in_run = only.is_none_or(|o| o.contains(&name));
                }
                Some("call") if in_run => {
                    called.insert(words.next().unwrap_or("").to_string());
                }
                _ => {}
            }
        }
        for m in &modules {
            let file = m.trim_start_matches("../").to_string();
            let module = module(&engine, &file);
            for (name, ty) in module.exports() {
                if matches!(ty, ExternType::Func(_)) && !CALLED_ELSEWHERE.contains(&(file.as_str(), name)) {
                    assert!(called.contains(name), "{file}: export `{name}` is never called by go/{dir}/expected.txt");
                }
            }
            wasm_files.insert(file);
        }
    }
    for entry in std::fs::read_dir(fixtures_dir().join("go")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "wasm") {
            let f = p.file_name().unwrap().to_string_lossy().into_owned();
            assert!(wasm_files.contains(&f), "{f} is in no expected.txt");
        }
    }
}

fn quiet() -> wisp_wasi::GoReactorBuilder {
    GoReactor::builder().forward_stderr(false).capture_stdout(true)
}

#[test]
fn command_module_is_refused_as_a_reactor() {
    let engine = Engine::default();
    let err = quiet().instantiate(&engine, &module(&engine, "hello.wasm")).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("WASI command") && msg.contains("_start"), "{msg}");
}

#[test]
fn exports_are_refused_before_initialize() {
    let engine = Engine::default();
    let mut go = quiet().initialize(false).instantiate(&engine, &module(&engine, "add.wasm")).unwrap();
    let err = go.call::<(i32, i32), i32>("add", (1, 2)).unwrap_err();
    assert!(err.to_string().contains("before `_initialize`"), "{err}");
    // Nothing ran: no Go message on stderr, and the instance is alive.
    assert!(go.stderr().is_empty());
    assert!(!go.is_dead());
    assert!(!go.instance().is_reactor_initialized(go.store()));
    go.initialize().unwrap();
    assert!(go.instance().is_reactor_initialized(go.store()));
    assert_eq!(go.call::<(i32, i32), i32>("add", (1, 2)).unwrap(), 3);
    // Asking for a missing export or the wrong signature is an error, not a crash.
    assert!(go.call::<(), ()>("nope", ()).is_err());
    assert!(go.call::<i32, i32>("add", 1).is_err());
    assert!(!go.is_dead());
}

#[test]
fn unrecovered_panic_is_an_error_with_its_text_and_kills_the_instance() {
    let engine = Engine::default();
    let m = module(&engine, "state.wasm");
    let mut go = quiet().wasi(WasiCtx::builder().arg("state.wasm")).instantiate(&engine, &m).unwrap();
    assert_eq!(go.call::<(), i64>("incr", ()).unwrap(), 1);
    match go.call::<(), ()>("boom", ()) {
        Err(ReactorError::Panic { message, stderr, trap }) => {
            assert_eq!(message, "boom");
            assert!(stderr.starts_with("panic: boom\n\ngoroutine "), "{stderr}");
            assert_eq!(trap.code(), wisp::TrapCode::Unreachable);
        }
        other => panic!("expected a Go panic, got {other:?}"),
    }
    assert!(go.is_dead());
    assert_eq!(go.dead_reason().as_deref(), Some("Go panic: boom"));
    let err = go.call::<(), i64>("get", ()).unwrap_err();
    assert!(matches!(err, ReactorError::Dead(_)), "{err:?}");
    assert_eq!(err.to_string(), "instance is dead: Go panic: boom");
    // The engine refuses too, when the store is used directly.
    let get = go.instance().get_typed_func::<(), i64>(go.store(), "get").unwrap();
    let err = get.call(go.store_mut(), ()).unwrap_err();
    assert_eq!(err.to_string(), "instance is dead: Go panic: boom");

    // An error value as the panic: Go prints its Error() text.
    let mut go = quiet().instantiate(&engine, &m).unwrap();
    match go.call::<(), ()>("boom_error", ()) {
        Err(ReactorError::Panic { message, .. }) => assert!(message.contains("kaboom error")),
        other => panic!("expected a Go panic, got {other:?}"),
    }
}

#[test]
fn os_exit_is_an_error_and_kills_the_instance() {
    let engine = Engine::default();
    let mut go = quiet().instantiate(&engine, &module(&engine, "state.wasm")).unwrap();
    match go.call::<i32, ()>("exit_with", 3) {
        Err(ReactorError::Exit(3)) => {}
        other => panic!("expected exit 3, got {other:?}"),
    }
    let err = go.call::<(), i64>("get", ()).unwrap_err();
    assert_eq!(err.to_string(), "instance is dead: the Go program exited with code 3");
}

#[test]
fn recovered_panics_leave_the_instance_alive() {
    let engine = Engine::default();
    let mut go = quiet().instantiate(&engine, &module(&engine, "state.wasm")).unwrap();
    assert_eq!(go.call::<(i32, i32), i32>("safe_div", (1, 0)).unwrap(), 0);
    let packed: u64 = go.call("last_error", ()).unwrap();
    let text = go.memory().read_packed(go.store(), packed).unwrap();
    assert_eq!(text, b"runtime error: integer divide by zero");
    assert!(!go.is_dead());
    assert_eq!(go.call::<(i32, i32), i32>("safe_div", (7, 2)).unwrap(), 3);
}

#[test]
fn two_stores_of_one_module_share_no_state() {
    let engine = Engine::default();
    let m = module(&engine, "state.wasm");
    let mut a = quiet().instantiate(&engine, &m).unwrap();
    let mut b = quiet().instantiate(&engine, &m).unwrap();
    for want in 1..=3i64 {
        assert_eq!(a.call::<(), i64>("incr", ()).unwrap(), want);
    }
    a.call::<(i32, i32), ()>("put", (1, 100)).unwrap();
    assert_eq!(b.call::<(), i64>("get", ()).unwrap(), 0);
    assert_eq!(b.call::<(), i32>("store_len", ()).unwrap(), 0);
    assert_eq!(b.call::<i32, i32>("get_v", 1).unwrap(), -1);
    assert_eq!(b.call::<(), i64>("incr", ()).unwrap(), 1);
    assert_eq!(a.call::<(), i64>("get", ()).unwrap(), 3);
    assert_eq!(a.call::<i32, i32>("get_v", 1).unwrap(), 100);
    // A panic in one leaves the other alive.
    assert!(b.call::<(), ()>("boom", ()).is_err());
    assert!(b.is_dead() && !a.is_dead());
    assert_eq!(a.call::<(), i64>("incr", ()).unwrap(), 4);
    // Each has its own stdout capture, with `init`'s line once.
    assert_eq!(a.stdout().unwrap(), b"state: init\n");
    assert_eq!(b.stdout().unwrap(), b"state: init\n");
}

#[test]
fn strings_through_the_alloc_abi() {
    let engine = Engine::default();
    let mut go = quiet().instantiate(&engine, &module(&engine, "strings.wasm")).unwrap();
    assert_eq!(go.call_str("upper", "hello, wisp").unwrap(), "HELLO, WISP");
    assert_eq!(go.call_str("reverse", "héllo").unwrap(), "olléh");
    assert_eq!(go.call_str("greet", "wisp").unwrap(), "Hello, wisp!");
    assert_eq!(
        go.call_str("sha256hex", "abc").unwrap(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(go.call_bytes("upper", b"").unwrap(), b"");
    assert_eq!(go.call_bytes("reverse", b"ab\xff").unwrap(), "\u{fffd}ba".as_bytes());
    assert_eq!(
        go.call_str("json_transform", r#"{"name":"wisp","values":[1,2,3.5]}"#).unwrap(),
        r#"{"name":"wisp","sum":6.5,"count":3}"#
    );
    let big = "x".repeat(100_000);
    assert_eq!(go.call_str("upper", &big).unwrap(), "X".repeat(100_000));
    // Every buffer went back.
    assert_eq!(go.call::<(), i32>("live_count", ()).unwrap(), 0);
    // A function without the ABI's signature is refused before anything is allocated.
    assert!(go.call_bytes("live_count", b"x").is_err());
    assert_eq!(go.call::<(), i32>("live_count", ()).unwrap(), 0);
    // Modules without alloc/free have no ABI.
    let mut add = quiet().instantiate(&engine, &module(&engine, "add.wasm")).unwrap();
    assert!(add.call_bytes("add", b"x").is_err());
}

wisp::guest_struct! {
    /// Go: `Inner { _ structs.HostLayout; A uint16; B int8; C bool; D float32 }`.
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Inner { a: u16, b: i8, c: bool, d: f32 }
}

wisp::guest_struct! {
    /// Go: `Rec` in fixtures/go/types/main.go (64 bytes, align 8).
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Rec {
        x: i32, y: u32, z: i64, f: f64, g: f32, tag: [u8; 3], inner: Inner, arr: [Inner; 2], n: u64,
    }
}

#[test]
fn host_layout_structs_through_guest_pointers() {
    use wisp::GuestValue;
    assert_eq!((Inner::SIZE, Inner::ALIGN), (8, 4));
    assert_eq!((Rec::SIZE, Rec::ALIGN), (64, 8));
    let engine = Engine::default();
    let mut go = quiet().instantiate(&engine, &module(&engine, "types.wasm")).unwrap();
    let mem = go.memory();
    let s: u32 = go.call("scratch", ()).unwrap();
    let rec = Rec {
        x: 100,
        y: 0xFFFF_FFFF,
        z: -3,
        f: 10.75,
        g: 2.5,
        tag: [1, 2, 3],
        inner: Inner { a: 0xFFFF, b: -128, c: true, d: 1.5 },
        arr: [Inner { a: 10, b: 20, c: false, d: -2.25 }, Inner { a: 30, b: 40, c: true, d: 100.0 }],
        n: 1000,
    };
    let at = s + 128;
    mem.write_value(go.store_mut(), at, &rec).unwrap();
    // The same bytes as the hand-written layout in types/expected.txt.
    let want = "64000000fffffffffdffffffffffffff00000000008025400000204001020300ffff80010000c03f0a001400000010c01e0028010000c842e803000000000000";
    let got: String = mem.read_bytes(go.store(), at, 64).unwrap().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(got, want);
    assert_eq!(go.call::<u32, i64>("rec_sum", at).unwrap(), 4295034018);
    assert_eq!(go.call::<u32, i64>("rec_bump", at).unwrap(), 4294969299);
    let bumped: Rec = mem.read_value(go.store(), at).unwrap();
    assert_eq!((bumped.x, bumped.z, bumped.f, bumped.g), (-100, -4, 21.5, 3.0));
    assert_eq!(bumped.tag, [2, 3, 4]);
    assert_eq!(bumped.inner, Inner { a: 0, b: -128, c: false, d: 3.0 });
    assert_eq!(bumped.arr, [rec.arr[1], rec.arr[0]]);
    assert_eq!(bumped.n, 2001);

    // A Go global read by the host, changed by the host, read again by Go.
    let g: u32 = go.call("rec_global", ()).unwrap();
    let mut global: Rec = mem.read_value(go.store(), g).unwrap();
    assert_eq!((global.x, global.y), (-7, 7));
    assert_eq!(go.call::<(), i64>("rec_global_sum", ()).unwrap(), -81984429704858313);
    global.x = 1000;
    mem.write_value(go.store_mut(), g, &global).unwrap();
    assert_eq!(go.call::<(), i64>("rec_global_sum", ()).unwrap(), -81984429704857306);

    // Arrays and scalars.
    mem.write_value(go.store_mut(), s + 64, &[-3i32, 2, 3, 4, 5, 6, 7, 65536]).unwrap();
    assert_eq!(go.call::<u32, i32>("arr_sum", s + 64).unwrap(), 65560);
    go.call::<u32, ()>("arr_square", s + 64).unwrap();
    let sq: [i32; 8] = mem.read_value(go.store(), s + 64).unwrap();
    assert_eq!(sq, [9, 4, 9, 16, 25, 36, 49, 0]);
    mem.write_value(go.store_mut(), s, &7i32).unwrap();
    assert_eq!(go.call::<u32, i32>("ptr_i32_double", s).unwrap(), 7);
    assert_eq!(mem.read_value::<i32>(go.store(), s).unwrap(), 14);

    // Bad guest data and bad pointers are errors, never panics.
    mem.write_bytes(go.store_mut(), s, &[2]).unwrap();
    let err = mem.read_value::<bool>(go.store(), s).unwrap_err();
    assert!(err.to_string().contains("not a bool"), "{err}");
    let size = mem.data_size(go.store()).unwrap() as u32;
    assert!(mem.read_value::<Rec>(go.store(), size - 63).is_err());
    assert!(mem.read_value::<u64>(go.store(), u32::MAX).is_err());
    assert!(mem.read_bytes(go.store(), u32::MAX, u32::MAX).is_err());
    assert!(mem.write_value(go.store_mut(), size - 4, &0u64).is_err());
    assert!(mem.read_packed(go.store(), (u64::from(size) << 32) | 1).is_err());
    mem.write_bytes(go.store_mut(), s, b"ok\xff").unwrap();
    assert_eq!(mem.read_string(go.store(), s, 2).unwrap(), "ok");
    assert!(mem.read_string(go.store(), s, 3).is_err());
    assert!(!go.is_dead());
}

#[test]
fn initialize_output_and_stdio_capture() {
    let engine = Engine::default();
    let go = quiet().instantiate(&engine, &module(&engine, "state.wasm")).unwrap();
    // `init` ran inside `_initialize`, once.
    assert_eq!(go.stdout().unwrap(), b"state: init\n");
    assert_eq!(go.stderr(), b"state: init (stderr)\n");
}

/// The interpreter of the expectation format fails where it should: each scenario below
/// states one wrong thing about add.wasm or state.wasm.
#[test]
fn the_expectation_runner_catches_wrong_expectations() {
    let add = go_fixture("add.wasm");
    let state = go_fixture("state.wasm");
    let text = format!(
        r#"module {add}
args "add.wasm"
scenario right
call _initialize => void
call add i32:1 i32:2 => i32:3
scenario wrong-value
call _initialize => void
call add i32:1 i32:2 => i32:4
scenario wrong-type
call _initialize => void
call add i64:1 i64:2 => i32:3
scenario no-trap
call _initialize => void
call add i32:1 i32:2 => trap
scenario wrong-trap-kind
call add i32:1 i32:2 => trap out-of-bounds
scenario wrong-stderr
call _initialize => void
stderr "something"
scenario wrong-mem
call _initialize => void
write 1024 "abc"
expect-mem 1024 "abd"
scenario wrong-mem-hex
call _initialize => void
write-hex 1024 "00ff"
expect-mem-hex 1024 "00fe"
scenario unbound
call _initialize => void
call add i32:$nope i32:1 => i32:1
module {state}
scenario wrong-exit
call _initialize => void
call exit_with i32:3 => exit 4
scenario call-after-exit
call _initialize => void
call exit_with i32:3 => exit 3
call get => i64:0
scenario wrong-packed
call _initialize => void
call arg i32:0 => i64:$r
expect-packed $r "nope"
scenario wrong-stdout
call _initialize => void
stdout-contains "not printed"
scenario right-too
call _initialize => void
call boom => trap unreachable
stderr-contains "panic: boom"
"#,
        add = add.display(),
        state = state.display()
    );
    let dir = std::env::temp_dir().join(format!("wisp-expect-selftest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("expected.txt");
    std::fs::write(&path, text).unwrap();
    let result = run_expected(&Engine::default(), &path, None);
    let _ = std::fs::remove_dir_all(&dir);
    let failures = result.expect_err("wrong expectations must fail");
    let wrong = [
        "wrong-value",
        "wrong-type",
        "no-trap",
        "wrong-trap-kind",
        "wrong-stderr",
        "wrong-mem ",
        "wrong-mem-hex",
        "unbound",
        "wrong-exit",
        "call-after-exit",
        "wrong-packed",
        "wrong-stdout",
    ];
    for w in wrong {
        let tag = format!("[{}", w.trim_end());
        assert!(
            failures.iter().any(|f| f.contains(&format!("{tag} on"))),
            "scenario {w} did not fail:\n{}",
            failures.join("\n")
        );
    }
    assert_eq!(failures.len(), wrong.len(), "{}", failures.join("\n"));
}

/// The same interpreter over the C fixtures (clang wasm32-wasi commands and reactors): the
/// helpers are not Go-specific.
#[test]
fn c_fixtures_through_the_same_helpers() {
    let engine = Engine::default();
    let mut failures = Vec::new();
    let mut runs = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(fixtures_dir().join("c"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.txt").is_file())
        .collect();
    dirs.sort();
    for dir in &dirs {
        // bench: its quick scenario only, as for Go.
        let only: Option<&[&str]> = if dir.ends_with("bench") { Some(&["quick"]) } else { None };
        match run_expected(&engine, &dir.join("expected.txt"), only) {
            Ok(t) => runs += t.runs,
            Err(f) => failures.extend(f),
        }
    }
    assert!(failures.is_empty(), "{} failure(s):\n{}", failures.len(), failures.join("\n"));
    eprintln!("c fixtures: {} directories, {runs} scenario runs", dirs.len());
}

#[test]
fn a_deadline_stops_a_runaway_go_export_and_retires_only_that_instance() {
    let mut config = Config::new();
    config.interruptible(true);
    let engine = Engine::new(&config);
    let m = module(&engine, "state.wasm");
    let mut runaway = quiet().instantiate(&engine, &m).unwrap();
    let mut other = quiet().instantiate(&engine, &m).unwrap();
    runaway.set_timeout(Some(Duration::from_millis(200))).unwrap();
    // Calls that finish in time are not affected by the deadline.
    for n in 1..=100 {
        assert_eq!(runaway.call::<(), i64>("incr", ()).unwrap(), n);
    }
    let t0 = Instant::now();
    let err = runaway.call::<(), ()>("spin", ()).unwrap_err();
    let took = t0.elapsed();
    match &err {
        ReactorError::Stopped { trap, .. } => assert_eq!(trap.code(), TrapCode::DeadlineExceeded),
        other => panic!("{other:?}"),
    }
    assert!(took >= Duration::from_millis(200) && took < Duration::from_secs(20), "stopped after {took:?}");
    assert!(err.to_string().starts_with("call stopped: wasm trap: deadline exceeded in "), "{err}");
    // Go's runtime cannot resume: the instance is retired, with a one-line reason.
    let why = runaway.dead_reason().unwrap();
    assert!(why.starts_with("call stopped: wasm trap: deadline exceeded") && !why.contains('\n'), "{why}");
    assert!(matches!(runaway.call::<(), i64>("get", ()), Err(ReactorError::Dead(_))));
    // Another instance of the same module keeps serving.
    assert_eq!(other.call::<(), i64>("incr", ()).unwrap(), 1);

    // An interrupt from another thread stops a call the same way.
    let handle = other.interrupt_handle().unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let stopper = {
        let done = done.clone();
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20));
                handle.interrupt();
            }
        })
    };
    let err = other.call::<(), ()>("spin", ()).unwrap_err();
    done.store(true, Ordering::Relaxed);
    stopper.join().unwrap();
    match &err {
        ReactorError::Stopped { trap, .. } => assert_eq!(trap.code(), TrapCode::Interrupted),
        other => panic!("{other:?}"),
    }
    assert!(other.is_dead());
    // The host keeps working: a fresh instance from the same engine and module.
    let mut fresh = quiet().instantiate(&engine, &m).unwrap();
    assert_eq!(fresh.call::<(), i64>("incr", ()).unwrap(), 1);
}

/// A plugin's host data: its WASI context, its own state, and its memory budget.
struct Plugin {
    wasi: WasiCtx,
    name: &'static str,
    host_calls: u32,
    budget: Budget,
}

/// Refuses memory beyond `max_bytes` and remembers the largest request.
struct Budget {
    max_bytes: usize,
    largest_request: usize,
}

impl wisp::ResourceLimiter for Budget {
    fn memory_growing(&mut self, _current: usize, desired: usize, _max: Option<usize>) -> bool {
        self.largest_request = self.largest_request.max(desired);
        desired <= self.max_bytes
    }
    fn table_growing(&mut self, _current: usize, _desired: usize, _max: Option<usize>) -> bool {
        true
    }
}

fn plugin_store(engine: &Engine, name: &'static str, max_bytes: usize) -> wisp::Store<Plugin> {
    let wasi = WasiCtx::builder().arg(name).build();
    let budget = Budget { max_bytes, largest_request: 0 };
    let mut store = wisp::Store::new(engine, Plugin { wasi, name, host_calls: 0, budget });
    store.limiter(|p: &mut Plugin| &mut p.budget);
    store
}

#[test]
fn reactors_over_host_data_share_one_linker() {
    let engine = Engine::default();
    let m = module(&engine, "state.wasm");
    // WASI and a host function, defined once for every plugin.
    let mut linker = wisp::Linker::<Plugin>::new(&engine);
    wisp_wasi::add_to_linker(&mut linker, |p: &mut Plugin| &mut p.wasi).unwrap();
    linker
        .func_wrap("host", "note", |mut c: wisp::Caller<'_, Plugin>| {
            c.data_mut().host_calls += 1;
        })
        .unwrap();
    let mut plugins: Vec<GoReactor<Plugin>> = ["a", "b", "c"]
        .into_iter()
        .map(|name| {
            let store = plugin_store(&engine, name, 256 << 20);
            quiet().instantiate_in(store, &linker, &m, |p| &mut p.wasi).unwrap()
        })
        .collect();
    for (i, go) in plugins.iter_mut().enumerate() {
        for _ in 0..=i {
            go.call::<(), i64>("incr", ()).unwrap();
        }
        go.data_mut().host_calls += 10 * (i as u32 + 1);
        // The WASI context is the plugin's: its own argv.
        assert_eq!(go.call::<(), i32>("args_len", ()).unwrap(), 1);
        assert_eq!(go.take_stdout().unwrap(), b"state: init\n");
    }
    for (i, go) in plugins.iter_mut().enumerate() {
        assert_eq!(go.call::<(), i64>("get", ()).unwrap(), i as i64 + 1, "{}", go.data().name);
        assert_eq!(go.data().host_calls, 10 * (i as u32 + 1));
        assert!(go.data().budget.largest_request > 0, "the limiter saw Go's memory");
    }
    // The panic handling works on any store: one plugin dies, the others serve on.
    match plugins[1].call::<(), ()>("boom", ()) {
        Err(ReactorError::Panic { message, .. }) => assert_eq!(message, "boom"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(plugins[1].call::<(), i64>("get", ()), Err(ReactorError::Dead(_))));
    assert_eq!(plugins[0].call::<(), i64>("incr", ()).unwrap(), 2);
    assert_eq!(plugins[2].call::<(), i64>("incr", ()).unwrap(), 4);
}

#[test]
fn limits_fuel_and_deadlines_apply_during_initialize() {
    let mut config = Config::new();
    config.consume_fuel(true).interruptible(true);
    let engine = Engine::new(&config);
    let m = module(&engine, "state.wasm");
    let mut linker = wisp::Linker::<Plugin>::new(&engine);
    wisp_wasi::add_to_linker(&mut linker, |p: &mut Plugin| &mut p.wasi).unwrap();

    // Fuel given before `_initialize`: the runtime starts, and calls spend from it.
    let mut store = plugin_store(&engine, "fuelled", 256 << 20);
    store.set_fuel(10_000_000_000).unwrap();
    store.set_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut go = quiet().instantiate_in(store, &linker, &m, |p| &mut p.wasi).unwrap();
    let after_init = go.store().get_fuel().unwrap();
    assert!(after_init < 10_000_000_000);
    assert_eq!(go.call::<(), i64>("incr", ()).unwrap(), 1);
    assert!(go.store().get_fuel().unwrap() < after_init);

    // No fuel: `_initialize` itself runs out, and the instance is retired.
    let store = plugin_store(&engine, "empty", 256 << 20);
    match quiet().instantiate_in(store, &linker, &m, |p| &mut p.wasi) {
        Err(ReactorError::Trap { trap, .. }) => assert_eq!(trap.code(), TrapCode::OutOfFuel),
        other => panic!("{other:?}"),
    }

    // A memory budget below what Go's start-up grows to: `_initialize` fails inside the
    // runtime, which the limiter refused.
    let mut store = plugin_store(&engine, "small", 0);
    store.set_fuel(10_000_000_000).unwrap();
    let initial = match m.get_export("memory") {
        Some(ExternType::Memory(t)) => t.limits.min as usize * 65536,
        other => panic!("{other:?}"),
    };
    store.data_mut().budget.max_bytes = initial;
    let err = quiet().instantiate_in(store, &linker, &m, |p| &mut p.wasi).unwrap_err();
    assert!(matches!(err, ReactorError::Panic { .. } | ReactorError::Trap { .. } | ReactorError::Exit(_)), "{err:?}");

    // A deadline shorter than Go's start-up stops `_initialize`.
    let mut store = plugin_store(&engine, "late", 256 << 20);
    store.set_fuel(10_000_000_000).unwrap();
    store.set_timeout(Some(Duration::from_nanos(1))).unwrap();
    match quiet().instantiate_in(store, &linker, &m, |p| &mut p.wasi) {
        Err(ReactorError::Stopped { trap, .. }) => assert_eq!(trap.code(), TrapCode::DeadlineExceeded),
        other => panic!("{other:?}"),
    }
}
