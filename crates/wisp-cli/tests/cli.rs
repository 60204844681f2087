//! The built `wisp` binary, end to end: every subcommand and every error class, with the exit
//! code and the one-line message each promises, and never a Rust panic message.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// Any run longer than this is a hang, and a failure.
const TIMEOUT: Duration = Duration::from_secs(120);

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Debug for Out {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cut = |s: &str| s.chars().take(2000).collect::<String>();
        write!(f, "exit {}\n--- stdout\n{}\n--- stderr\n{}", self.code, cut(&self.stdout), cut(&self.stderr))
    }
}

/// The workspace root: fixture paths in these tests are relative to it, as a user types them.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn wisp(args: &[&str]) -> Out {
    wisp_with_stdin(args, b"")
}

fn wisp_with_stdin(args: &[&str], stdin: &[u8]) -> Out {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args(args)
        .current_dir(root())
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn wisp");
    let mut input = child.stdin.take().unwrap();
    let _ = input.write_all(stdin);
    drop(input);
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || read_all(&mut stdout));
    let err_reader = std::thread::spawn(move || read_all(&mut stderr));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("wisp {args:?} did not finish in {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let out = Out {
        code: status.code().expect("exited, not killed by a signal"),
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    };
    assert!(!out.stderr.contains("panicked"), "a Rust panic message: {out:?}");
    assert!(!out.stderr.contains("RUST_BACKTRACE"), "a Rust panic message: {out:?}");
    out
}

fn read_all(r: &mut impl std::io::Read) -> String {
    let mut b = Vec::new();
    let _ = r.read_to_end(&mut b);
    String::from_utf8_lossy(&b).into_owned()
}

/// A fresh file under the test temp dir, returned as an absolute path.
fn temp_file(name: &str, bytes: &[u8]) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "wisp-cli-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}

fn temp_dir() -> PathBuf {
    let f = temp_file("x", b"");
    let d = Path::new(&f).parent().unwrap().to_path_buf();
    std::fs::remove_file(&f).unwrap();
    d
}

fn wat(src: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(src).expect("lex");
    let mut w: wast::Wat = wast::parser::parse(&buf).expect("parse");
    w.encode().expect("encode")
}

fn wat_file(src: &str) -> String {
    temp_file("m.wasm", &wat(src))
}

/// The error is exactly one line on stderr, starting `error: `.
fn one_line_error(out: &Out) -> &str {
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line of error: {out:?}");
    assert!(lines[0].starts_with("error: "), "{out:?}");
    lines[0]
}

const ADD: &str = "fixtures/go/add.wasm";
const TYPES: &str = "fixtures/go/types.wasm";
const TRAPS: &str = "fixtures/c/traps.wasm";

// ---- exit codes, as documented ----
const USAGE: i32 = 64;
const BAD_ARGS: i32 = 65;
const NOT_FOUND: i32 = 66;
const MALFORMED: i32 = 67;
const INVALID: i32 = 68;
const MISSING_IMPORT: i32 = 69;
const UNKNOWN_EXPORT: i32 = 70;
const TRAP: i32 = 71;
const RUNTIME: i32 = 72;

// A module that decodes but does not validate: `f` returns nothing but is typed `-> i32`.
const INVALID_WAT: &str = r#"(module (func (export "f") (result i32)))"#;

// ---------------------------------------------------------------------------------------------
// help

#[test]
fn help_for_every_subcommand_lists_the_exit_codes() {
    let top = wisp(&["--help"]);
    assert_eq!(top.code, 0, "{top:?}");
    for sub in ["run", "invoke", "wast", "inspect", "snapshot"] {
        assert!(top.stdout.contains(sub), "{top:?}");
        let h = wisp(&[sub, "--help"]);
        assert_eq!(h.code, 0, "{h:?}");
        assert!(h.stdout.contains("Usage: wisp"), "{h:?}");
        assert!(h.stdout.contains("Exit codes:"), "{h:?}");
        for code in ["64", "65", "66", "67", "68", "69", "70", "71", "72"] {
            assert!(h.stdout.contains(&format!("  {code}   ")), "{sub} --help lists {code}: {h:?}");
        }
    }
    let run_help = wisp(&["help", "run"]);
    for opt in ["--dir", "--dir-ro", "--env", "--inherit-env", "--max-stack"] {
        assert!(run_help.stdout.contains(opt), "{run_help:?}");
    }
    let invoke_help = wisp(&["invoke", "--help"]);
    for opt in ["--no-init", "--time", "--dir", "--env"] {
        assert!(invoke_help.stdout.contains(opt), "{invoke_help:?}");
    }
    let v = wisp(&["--version"]);
    assert_eq!(v.code, 0);
    assert!(v.stdout.starts_with("wisp "), "{v:?}");
}

#[test]
fn usage_errors_exit_64() {
    for args in [
        &["bogus"][..],
        &[],
        &["run"],
        &["invoke"],
        &["invoke", ADD],
        &["wast"],
        &["inspect"],
        &["run", "--no-such-option", "x.wasm"],
        &["run", "--max-stack", "lots", "x.wasm"],
    ] {
        let out = wisp(args);
        assert_eq!(out.code, USAGE, "wisp {args:?}: {out:?}");
        assert!(!out.stderr.is_empty());
    }
    let out = wisp(&["run", "--env", "=v", "fixtures/go/hello.wasm"]);
    assert_eq!(out.code, USAGE, "{out:?}");
    assert_eq!(one_line_error(&out), "error: --env `=v`: expected KEY=VALUE");
    let out = wisp(&["run", "--dir", "::/guest", "fixtures/go/hello.wasm"]);
    assert_eq!(out.code, USAGE, "{out:?}");
    one_line_error(&out);
}

// ---------------------------------------------------------------------------------------------
// invoke

#[test]
fn invoke_go_reactor_add() {
    let out = wisp(&["invoke", ADD, "add", "1", "2"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "3\n");
    assert_eq!(out.stderr, "");
    // Negative and hex arguments, and wrapping arithmetic shown signed.
    let out = wisp(&["invoke", ADD, "add", "-5", "0x10"]);
    assert_eq!(out.stdout, "11\n", "{out:?}");
    let out = wisp(&["invoke", ADD, "add", "0x7fffffff", "1"]);
    assert_eq!(out.stdout, "-2147483648\n", "{out:?}");
}

#[test]
fn invoke_parses_each_parameter_type() {
    let cases: &[(&[&str], &str)] = &[
        (&["i64_mul", "-3", "0x100000000"], "-12884901888\n"),
        (&["u64_half", "18446744073709551615"], "9223372036854775807\n"),
        (&["f32_mul", "1.5", "-2"], "-3.0\n"),
        (&["f64_sqrt", "2"], "1.4142135623730951\n"),
        (&["f64_sqrt", "inf"], "inf\n"),
        (&["f64_sqrt", "nan"], "nan\n"),
        (&["f64_sqrt", "0x1p-2"], "0.5\n"),
        (&["i32_neg", "-2147483648"], "-2147483648\n"),
        (&["bool_not", "0"], "1\n"),
        (&["mix", "1", "2", "3.5", "4.25", "5", "6", "7"], ""),
        (&["noop"], ""),
    ];
    for (args, want) in cases {
        let mut full = vec!["invoke", TYPES];
        full.extend_from_slice(args);
        let out = wisp(&full);
        assert_eq!(out.code, 0, "{args:?}: {out:?}");
        if !want.is_empty() {
            assert_eq!(out.stdout, *want, "{args:?}: {out:?}");
        }
    }
    // sqrt(-1) is a NaN (its sign is the hardware's business).
    let out = wisp(&["invoke", TYPES, "f64_sqrt", "-1"]);
    assert!(out.stdout == "nan\n" || out.stdout == "-nan\n", "{out:?}");
    // `mix` returns one f64 line in Rust's shortest round-trip form.
    let out = wisp(&["invoke", TYPES, "mix", "1", "2", "3.5", "4.25", "5", "6", "7"]);
    let v: f64 = out.stdout.trim().parse().expect("a float");
    assert_eq!(format!("{v:?}\n"), out.stdout);
}

#[test]
fn invoke_time_reports_phases_on_stderr() {
    let out = wisp(&["invoke", "--time", ADD, "add", "40", "2"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "42\n");
    for phase in ["decode+validate", "translate", "instantiate", "_initialize", "call"] {
        assert!(out.stderr.contains(phase), "{phase}: {out:?}");
    }
    assert!(out.stderr.contains(" ms"), "{out:?}");
}

/// `wisp snapshot` writes a module that starts initialized: its exports work without
/// `_initialize` (the original traps), with what `--env` and `--dir` gave at snapshot time.
#[test]
fn snapshot_writes_an_initialized_module() {
    let out_file = temp_file("state.init.wasm", b"");
    let data = root().join("fixtures/go/state/testdata");
    let dir = format!("{}::/data", data.display());
    let out = wisp(&[
        "snapshot",
        "--env",
        "WISP_TEST=snapshotted",
        "--dir-ro",
        &dir,
        "fixtures/go/state.wasm",
        "-o",
        &out_file,
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("wrote "), "{out:?}");
    // The original needs `_initialize`; the snapshot does not, and its state is the initialized one.
    let orig = wisp(&["invoke", "--no-init", "fixtures/go/state.wasm", "incr"]);
    assert_eq!(orig.code, TRAP, "{orig:?}");
    let inc = wisp(&["invoke", "--no-init", &out_file, "incr"]);
    assert_eq!((inc.code, inc.stdout.as_str()), (0, "1\n"), "{inc:?}");
    // `_initialize` is a no-op now: calling it first changes nothing, and prints nothing (the
    // original's init prints "state: init").
    let inc = wisp(&["invoke", &out_file, "incr"]);
    assert_eq!((inc.code, inc.stdout.as_str()), (0, "1\n"), "{inc:?}");
    // The environment Go read at init is baked in; the run's own --env does not change it.
    let env = wisp(&["invoke", "--no-init", "--env", "WISP_TEST=later", "--env", "OTHER=x", &out_file, "env_count"]);
    assert_eq!((env.code, env.stdout.as_str()), (0, "1\n"), "{env:?}");
    let bytes = std::fs::read(&out_file).unwrap();
    assert_eq!(&bytes[..4], b"\0asm");
    // A command is refused, with the usage-class exit code for a missing reactor export.
    let cmd = wisp(&["snapshot", "fixtures/go/hello.wasm", "-o", &out_file]);
    assert_eq!(cmd.code, 70, "{cmd:?}");
    assert!(cmd.stderr.contains("not a reactor"), "{cmd:?}");
}

#[test]
fn invoke_no_init_skips_initialize() {
    // Go's wrapper traps when the runtime was not initialized.
    let out = wisp(&["invoke", "--no-init", ADD, "add", "1", "2"]);
    assert_eq!(out.code, TRAP, "{out:?}");
    assert!(out.stderr.contains("call _initialize first"), "{out:?}");
    assert!(out.stderr.contains("error: fixtures/go/add.wasm: add: wasm trap: unreachable"), "{out:?}");
    // A module without `_initialize` runs as is.
    let out = wisp(&["invoke", TRAPS, "ok"]);
    assert_eq!(out.code, 0, "{out:?}");
}

#[test]
fn invoke_wrong_argument_count_or_type_exits_65() {
    let out = wisp(&["invoke", ADD, "add", "1"]);
    assert_eq!(out.code, BAD_ARGS, "{out:?}");
    assert_eq!(one_line_error(&out), "error: `add` takes 2 arguments (i32, i32) -> (i32), 1 given");
    let out = wisp(&["invoke", ADD, "add", "1", "2", "3"]);
    assert_eq!(out.code, BAD_ARGS, "{out:?}");
    for (args, why) in [
        (&["add", "1", "x"][..], "argument 2 of `add` (i32): `x` is not an integer"),
        (&["add", "1.5", "1"], "argument 1 of `add` (i32): `1.5` is not an integer"),
        (&["add", "4294967296", "1"], "argument 1 of `add` (i32): `4294967296` does not fit in i32"),
    ] {
        let mut full = vec!["invoke", ADD];
        full.extend_from_slice(args);
        let out = wisp(&full);
        assert_eq!(out.code, BAD_ARGS, "{out:?}");
        assert_eq!(one_line_error(&out), format!("error: {why}"));
    }
    let out = wisp(&["invoke", TYPES, "f64_sqrt", "two"]);
    assert_eq!(out.code, BAD_ARGS, "{out:?}");
    one_line_error(&out);
    // Arguments are checked before any guest code runs: nothing on stdout.
    assert_eq!(out.stdout, "");
}

#[test]
fn invoke_unknown_export_exits_70() {
    let out = wisp(&["invoke", ADD, "nope"]);
    assert_eq!(out.code, UNKNOWN_EXPORT, "{out:?}");
    assert_eq!(
        one_line_error(&out),
        "error: fixtures/go/add.wasm: no export named `nope` (exported functions: _initialize, add)"
    );
    let out = wisp(&["invoke", ADD, "memory"]);
    assert_eq!(out.code, UNKNOWN_EXPORT, "{out:?}");
    assert_eq!(one_line_error(&out), "error: fixtures/go/add.wasm: export `memory` is a memory, not a function");
}

#[test]
fn invoke_trap_exits_71_with_backtrace() {
    let out = wisp(&["invoke", TRAPS, "div_s", "1", "0"]);
    assert_eq!(out.code, TRAP, "{out:?}");
    let mut lines = out.stderr.lines();
    assert_eq!(lines.next(), Some("error: fixtures/c/traps.wasm: div_s: wasm trap: integer divide by zero"));
    let frame = lines.next().unwrap();
    assert!(frame.starts_with("  0: func[") && frame.contains(" at offset 0x"), "{out:?}");
    for (args, code) in [
        (&["do_unreachable"][..], "unreachable"),
        (&["trunc_s", "nan"], "invalid conversion to integer"),
        (&["div_s64", "-9223372036854775808", "-1"], "integer overflow"),
        (&["load", "0xffffffff"], "out of bounds memory access"),
    ] {
        let mut full = vec!["invoke", TRAPS];
        full.extend_from_slice(args);
        let out = wisp(&full);
        assert_eq!(out.code, TRAP, "{args:?}: {out:?}");
        assert!(out.stderr.lines().next().unwrap().ends_with(&format!("wasm trap: {code}")), "{out:?}");
    }
}

#[test]
fn stack_overflow_traps_with_a_short_backtrace() {
    let out = wisp(&["invoke", TRAPS, "recurse_forever"]);
    assert_eq!(out.code, TRAP, "{out:?}");
    assert!(out.stderr.starts_with("error: fixtures/c/traps.wasm: recurse_forever: wasm trap: call stack exhausted"));
    // Tens of thousands of frames of one function fold into one line.
    assert!(out.stderr.lines().count() < 10, "{out:?}");
    assert!(out.stderr.contains(" frames)"), "{out:?}");
    // A smaller stack overflows sooner, still as a trap.
    let out = wisp(&["invoke", "--max-stack", "1000", TRAPS, "recurse", "10000"]);
    assert_eq!(out.code, TRAP, "{out:?}");
    assert!(out.stderr.contains("call stack exhausted"), "{out:?}");
    let out = wisp(&["invoke", TRAPS, "recurse", "10000"]);
    assert_eq!(out.code, 0, "{out:?}");
}

#[test]
fn invoke_passes_the_guest_exit_code_through() {
    let m = wat_file(
        r#"(module
            (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
            (memory (export "memory") 1)
            (func (export "quit") (param i32) (call $exit (local.get 0)) unreachable))"#,
    );
    let out = wisp(&["invoke", &m, "quit", "7"]);
    assert_eq!(out.code, 7, "{out:?}");
    assert_eq!(out.stderr, "");
    let out = wisp(&["invoke", &m, "quit", "0"]);
    assert_eq!(out.code, 0, "{out:?}");
}

#[test]
fn invoke_prints_every_result_of_a_multi_value_function() {
    let m = wat_file(
        r#"(module (func (export "three") (result i32 i64 f64)
            i32.const -1 i64.const 0x7fffffffffffffff f64.const 0.1))"#,
    );
    let out = wisp(&["invoke", &m, "three"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "-1\n9223372036854775807\n0.1\n");
}

// ---------------------------------------------------------------------------------------------
// run

#[test]
fn run_go_hello_prints_its_output() {
    let out = wisp(&["run", "fixtures/go/hello.wasm"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "hello from go\n");
    assert_eq!(out.stderr, "");
}

#[test]
fn run_go_exit3_passes_its_exit_code_through() {
    let out = wisp(&["run", "fixtures/go/exit3.wasm"]);
    assert_eq!(out.code, 3, "{out:?}");
    assert!(!out.stdout.is_empty(), "{out:?}");
    assert!(!out.stderr.is_empty(), "{out:?}");
    assert!(!out.stderr.contains("error:"), "an exit is not an error: {out:?}");
}

#[test]
fn run_go_panic_exits_2() {
    let out = wisp(&["run", "fixtures/go/gopanic.wasm"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("panic: assignment to entry in nil map"), "{out:?}");
}

#[test]
fn run_c_commands_args_env_stdin_and_exit_codes() {
    let out = wisp(&[
        "run",
        "--env",
        "WISP_TEST=c fixture",
        "--env",
        "EMPTY=",
        "fixtures/c/args_env.wasm",
        "one",
        "two words",
        "",
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        "argc=4\nargv[0]=[fixtures/c/args_env.wasm]\nargv[1]=[one]\nargv[2]=[two words]\nargv[3]=[]\n\
         env[0]=[WISP_TEST=c fixture]\nenv[1]=[EMPTY=]\nenvc=2\ngetenv(WISP_TEST)=[c fixture]\n\
         getenv(WISP_UNSET)=[(null)]\n"
    );
    // Everything after FILE is the guest's, wisp's own option names included.
    let out = wisp(&["run", "fixtures/c/args_env.wasm", "--dir", "-x"]);
    assert!(out.stdout.contains("argv[1]=[--dir]\nargv[2]=[-x]\n"), "{out:?}");
    assert!(out.stdout.contains("envc=0"), "{out:?}");

    let out = wisp_with_stdin(&["run", "fixtures/c/cat.wasm"], b"abc\n\x00\xff");
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout.as_bytes(), "abc\n\u{0}\u{fffd}".as_bytes());

    for (arg, code) in [("42", 42), ("0", 0)] {
        let out = wisp(&["run", "fixtures/c/exitcode.wasm", arg]);
        assert_eq!(out.code, code, "{out:?}");
    }
}

#[test]
fn run_env_inherit_and_override() {
    let out = wisp(&["run", "--inherit-env", "--env", "WISP_TEST=x", "fixtures/c/args_env.wasm"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("getenv(WISP_TEST)=[x]"), "{out:?}");
    // The test runner's own environment reached the guest.
    assert!(out.stdout.contains("=[PATH="), "{out:?}");
}

#[test]
fn run_with_preopened_directories() {
    let dir = temp_dir();
    let grant = format!("{}::/sandbox", dir.display());
    let out = wisp(&["run", "--dir", &grant, "fixtures/c/fileio.wasm"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.ends_with("done\n"), "{out:?}");
    assert!(!out.stdout.contains("FAIL"), "{out:?}");

    let ro = temp_dir();
    let grant = format!("{}::/sandbox", ro.display());
    let out = wisp(&["run", "--dir-ro", &grant, "fixtures/c/fileio.wasm"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("FAIL: fopen w+: Capabilities insufficient"), "read-only refuses writes: {out:?}");
    assert_eq!(std::fs::read_dir(&ro).unwrap().count(), 0, "nothing written");

    let out = wisp(&["run", "--dir", "/no/such/dir", "fixtures/go/hello.wasm"]);
    assert_eq!(out.code, NOT_FOUND, "{out:?}");
    assert_eq!(one_line_error(&out), "error: --dir /no/such/dir: No such file or directory");
}

#[test]
fn run_a_reactor_is_an_unknown_export() {
    let out = wisp(&["run", ADD]);
    assert_eq!(out.code, UNKNOWN_EXPORT, "{out:?}");
    assert_eq!(
        one_line_error(&out),
        "error: fixtures/go/add.wasm: no `_start` export, not a WASI command (it is a reactor: call its exports with `wisp invoke`)"
    );
}

#[test]
fn run_trap_exits_71() {
    let out = wisp(&["run", "fixtures/c/abort.wasm"]);
    assert_eq!(out.code, TRAP, "{out:?}");
    assert_eq!(out.stdout, "about to abort\n");
    assert!(out.stderr.starts_with("error: fixtures/c/abort.wasm: wasm trap: unreachable\n  0: func["), "{out:?}");
}

#[test]
fn start_function_trap_and_failed_instantiation() {
    let m = wat_file(r#"(module (func $s unreachable) (start $s) (func (export "_start")))"#);
    let out = wisp(&["run", &m]);
    assert_eq!(out.code, TRAP, "{out:?}");
    assert!(out.stderr.contains("wasm trap: unreachable"), "{out:?}");

    // An active segment out of bounds traps (WebAssembly 2.0), during instantiation.
    let m = wat_file(r#"(module (memory 1) (data (i32.const 65535) "ab") (func (export "_start")))"#);
    let out = wisp(&["run", &m]);
    assert_eq!(out.code, TRAP, "{out:?}");
    assert!(out.stderr.contains("wasm trap: out of bounds memory access"), "{out:?}");

    // A table wisp refuses to allocate fails instantiation without a trap.
    let m = wat_file(r#"(module (table 20000000 funcref) (func (export "_start")))"#);
    let out = wisp(&["run", &m]);
    assert_eq!(out.code, RUNTIME, "{out:?}");
    assert!(one_line_error(&out).contains("instantiation failed"), "{out:?}");
}

// ---------------------------------------------------------------------------------------------
// module errors, shared by run, invoke and inspect

#[test]
fn file_not_found_exits_66() {
    for args in [
        &["run", "no/such.wasm"][..],
        &["invoke", "no/such.wasm", "f"],
        &["inspect", "no/such.wasm"],
        &["wast", "no/such.wast"],
    ] {
        let out = wisp(args);
        assert_eq!(out.code, NOT_FOUND, "{args:?}: {out:?}");
        assert!(out.stderr.contains("error: no/such.wa"), "{out:?}");
        assert!(out.stderr.contains(": No such file or directory"), "{out:?}");
    }
    // A directory is not a module.
    let out = wisp(&["inspect", "fixtures"]);
    assert_eq!(out.code, NOT_FOUND, "{out:?}");
    one_line_error(&out);
}

#[test]
fn malformed_module_exits_67() {
    let files = [
        temp_file("empty.wasm", b""),
        // (Text such as `(module)` is a module now: see every_command_accepts_the_text_format.)
        temp_file("junk.wasm", b"module"),
        temp_file("cut.wasm", b"\0asm\x01\0\0\0\x01\x05\x01\x60"),
        temp_file("version.wasm", b"\0asm\x02\0\0\0"),
    ];
    for f in &files {
        for args in [vec!["run", f], vec!["invoke", f, "f"], vec!["inspect", f]] {
            let out = wisp(&args);
            assert_eq!(out.code, MALFORMED, "{args:?}: {out:?}");
            let line = one_line_error(&out);
            assert!(line.contains("malformed module: "), "{out:?}");
        }
    }
    // The whole add.wasm cut in half.
    let bytes = std::fs::read(root().join(ADD)).unwrap();
    let half = temp_file("half.wasm", &bytes[..bytes.len() / 2]);
    let out = wisp(&["invoke", &half, "add", "1", "2"]);
    assert_eq!(out.code, MALFORMED, "{out:?}");
    one_line_error(&out);
}

#[test]
fn invalid_module_exits_68() {
    let m = wat_file(INVALID_WAT);
    for args in [vec!["run", &m], vec!["invoke", &m, "f"]] {
        let out = wisp(&args);
        assert_eq!(out.code, INVALID, "{out:?}");
        assert!(one_line_error(&out).contains("invalid module: "), "{out:?}");
    }
}

#[test]
fn missing_import_exits_69() {
    let m = wat_file(r#"(module (import "env" "log" (func (param i32))) (func (export "_start")))"#);
    for args in [vec!["run", &m], vec!["invoke", &m, "_start"]] {
        let out = wisp(&args);
        assert_eq!(out.code, MISSING_IMPORT, "{out:?}");
        let line = one_line_error(&out);
        assert!(line.contains("`env`.`log`"), "{out:?}");
    }
    // A WASI name with the wrong type is unlinkable too.
    let m = wat_file(r#"(module (import "wasi_snapshot_preview1" "fd_write" (func)) (func (export "_start")))"#);
    let out = wisp(&["run", &m]);
    assert_eq!(out.code, MISSING_IMPORT, "{out:?}");
    one_line_error(&out);
}

// ---------------------------------------------------------------------------------------------
// wast

#[test]
fn wast_runs_the_v2_i32_script_all_passed() {
    let file = wisp_spec_tests::Suite::WasmV2.file("i32.wast").expect("i32.wast in the testsuite");
    let path = temp_file("i32.wast", file.source.as_bytes());
    let out = wisp(&["wast", &path]);
    assert_eq!(out.code, 0, "{out:?}");
    let line = out.stdout.lines().next().unwrap();
    assert!(line.starts_with(&format!("{path}: ")), "{out:?}");
    assert!(line.ends_with(" passed, 0 failed"), "{out:?}");
    let passed: u32 = line[path.len() + 2..].split(' ').next().unwrap().parse().unwrap();
    assert!(passed > 400, "{out:?}");
}

#[test]
fn wast_reports_failures_per_file_and_in_total() {
    let good = temp_file(
        "good.wast",
        br#"(module (func (export "f") (result i32) i32.const 1))
            (assert_return (invoke "f") (i32.const 1))
            (assert_invalid (module (func (result i32))) "type mismatch")"#,
    );
    let bad = temp_file(
        "bad.wast",
        br#"(module (func (export "f") (result i32) i32.const 1))
            (assert_return (invoke "f") (i32.const 2))
            (assert_trap (invoke "f") "unreachable")"#,
    );
    let out = wisp(&["wast", &good, &bad]);
    assert_eq!(out.code, 1, "{out:?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], format!("{good}: 3 passed, 0 failed"));
    assert_eq!(lines[1], format!("{bad}: 1 passed, 2 failed"));
    assert!(lines[2].starts_with(&format!("  {bad}:2: assert_return: ")), "{out:?}");
    assert!(lines[3].starts_with(&format!("  {bad}:3: assert_trap: ")), "{out:?}");
    assert_eq!(*lines.last().unwrap(), "total: 4 passed, 2 failed");

    let junk = temp_file("junk.wast", b"(module (func (oops)");
    let out = wisp(&["wast", &junk]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.starts_with(&format!("{junk}: 0 passed, 1 failed")), "{out:?}");

    // A missing file is reported, the others still run, and the status says "not found".
    let out = wisp(&["wast", &good, "no/such.wast"]);
    assert_eq!(out.code, NOT_FOUND, "{out:?}");
    assert!(out.stdout.contains(&format!("{good}: 3 passed, 0 failed")), "{out:?}");
    assert_eq!(one_line_error(&out), "error: no/such.wast: No such file or directory");
}

// ---------------------------------------------------------------------------------------------
// inspect

#[test]
fn inspect_go_reactor() {
    let out = wisp(&["inspect", ADD]);
    assert_eq!(out.code, 0, "{out:?}");
    for want in [
        "file: fixtures/go/add.wasm (",
        "kind: WASI reactor",
        "valid: yes",
        "functions: 10 imported, 1115 defined",
        "instructions: ",
        "memories (1):\n  0: min 29 pages, no max",
        "tables (1):\n  0: funcref min 5211, no max",
        "imports (10):\n  wasi_snapshot_preview1.sched_yield: func () -> (i32)\n",
        "  wasi_snapshot_preview1.fd_write: func (i32, i32, i32, i32) -> (i32)\n",
        "exports (3):\n  _initialize: func () -> ()\n  add: func (i32, i32) -> (i32)\n  memory: memory 0\n",
        "custom sections (2):",
        "  name: ",
        "  producers: ",
    ] {
        assert!(out.stdout.contains(want), "missing {want:?}: {out:?}");
    }
    let count: u64 = out
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("instructions: "))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(count > 400_000, "{count}");
}

#[test]
fn inspect_command_and_library() {
    let out = wisp(&["inspect", "fixtures/go/hello.wasm"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("kind: WASI command"), "{out:?}");
    let m = wat_file(
        r#"(module $demo
            (import "env" "mem" (memory 1 2))
            (table 3 10 funcref)
            (global (export "g") (mut i64) (i64.const 0))
            (func $f (export "f") (param f32) (result f64) f64.const 1)
            (start $s) (func $s))"#,
    );
    let out = wisp(&["inspect", &m]);
    assert_eq!(out.code, 0, "{out:?}");
    for want in [
        "name: demo",
        "kind: library",
        "start: func[1] s",
        "memories (1):\n  0: min 1 pages, max 2 pages (64 KiB initial) (imported from env.mem)",
        "tables (1):\n  0: funcref min 3, max 10",
        "  env.mem: memory min 1 pages, max 2 pages",
        "  g: global mut i64",
        "  f: func (f32) -> (f64)",
        "globals: 0 imported, 1 defined (1 mutable)",
    ] {
        assert!(out.stdout.contains(want), "missing {want:?}: {out:?}");
    }
}

#[test]
fn inspect_lists_the_proposals_a_module_uses() {
    let cases = [
        (r#"(module (func (export "f") (result i32) i32.const 1))"#, "none (WebAssembly 1.0)"),
        (
            r#"(module (func (param i32) (result i32 i32) local.get 0 i32.extend8_s local.get 0))"#,
            "sign-extension-ops, multi-value (WebAssembly 2.0)",
        ),
        (
            r#"(module (memory 1) (memory i64 1)
                (func $f (param v128) (result v128) local.get 0)
                (func $t (param i64) (result i64) local.get 0 return_call $t))"#,
            "simd, tail-call, multi-memory, memory64 (WebAssembly 3.0)",
        ),
        (
            r#"(module (tag $e (param i32)) (func (param i64 i64 i64 i64) (result i64 i64)
                local.get 0 local.get 1 local.get 2 local.get 3 i64.add128))"#,
            "multi-value, exception-handling, wide-arithmetic (beyond WebAssembly 3.0)",
        ),
        (
            r#"(module (type (struct (field i32))) (global anyref (ref.null any)))"#,
            "reference-types, gc (wisp does not execute it) (WebAssembly 3.0)",
        ),
    ];
    for (wat, want) in cases {
        let m = wat_file(wat);
        let out = wisp(&["inspect", &m]);
        assert_eq!(out.code, 0, "{wat}: {out:?}");
        let line = out.stdout.lines().find_map(|l| l.strip_prefix("proposals: ")).unwrap_or_default();
        assert_eq!(line, want, "{wat}");
    }
}

#[test]
fn inspect_invalid_module_prints_the_report_and_the_error() {
    let m = wat_file(INVALID_WAT);
    let out = wisp(&["inspect", &m]);
    assert_eq!(out.code, INVALID, "{out:?}");
    assert!(out.stdout.contains("valid: no: invalid: "), "{out:?}");
    assert!(out.stdout.contains("type mismatch"), "{out:?}");
    assert!(out.stdout.contains("  f: func () -> (i32)"), "{out:?}");
    assert_eq!(out.stderr, "");
}

#[test]
fn invoke_reference_arguments_are_null() {
    let m = wat_file(
        r#"(module
            (func (export "isnull") (param externref) (result i32) local.get 0 ref.is_null)
            (func (export "nullfunc") (result funcref) ref.null func))"#,
    );
    let out = wisp(&["invoke", &m, "isnull", "null"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "1\n"), "{out:?}");
    let out = wisp(&["invoke", &m, "nullfunc"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "null\n"), "{out:?}");
    let out = wisp(&["invoke", &m, "isnull", "0"]);
    assert_eq!(out.code, BAD_ARGS, "{out:?}");
    one_line_error(&out);
}

// ---------------------------------------------------------------------------------------------
// robustness: damaged modules end in an error class, never a panic or a hang

#[test]
fn truncated_and_mutated_modules_never_panic() {
    let bytes = std::fs::read(root().join(TRAPS)).unwrap();
    for len in (0..bytes.len()).step_by(3) {
        let f = temp_file("cut.wasm", &bytes[..len]);
        let out = wisp(&["inspect", &f]);
        assert!([0, MALFORMED, INVALID].contains(&out.code), "cut at {len}: {out:?}");
    }
    // A fixed-seed xorshift: three random bytes changed past the header, 60 times.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..60 {
        let mut m = bytes.clone();
        for _ in 0..3 {
            let at = 8 + (next() as usize) % (m.len() - 8);
            m[at] = next() as u8;
        }
        let f = temp_file("mut.wasm", &m);
        let out = wisp(&["inspect", &f]);
        assert!([0, MALFORMED, INVALID].contains(&out.code), "{out:?}");
        let out = wisp(&["invoke", &f, "div_s", "7", "2"]);
        let allowed = [0, BAD_ARGS, MALFORMED, INVALID, MISSING_IMPORT, UNKNOWN_EXPORT, TRAP, RUNTIME];
        assert!(allowed.contains(&out.code), "{out:?}");
    }
}

#[test]
fn fuel_stops_a_runaway_guest_with_a_trap() {
    let spin =
        wat_file(r#"(module (func (export "spin") (loop $l (br $l))) (func (export "one") (result i32) i32.const 1))"#);
    let out = wisp(&["invoke", "--fuel", "100000", &spin, "spin"]);
    assert_eq!(out.code, TRAP, "{out:?}");
    assert!(out.stderr.lines().next().unwrap().ends_with("wasm trap: all fuel consumed"), "{out:?}");
    // Enough fuel: the export runs normally.
    let out = wisp(&["invoke", "--fuel", "100", &spin, "one"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "1\n"), "{out:?}");
    // A Go command runs to completion with a generous budget, and traps with a tiny one.
    let out = wisp(&["run", "--fuel", "1000000000", "fixtures/go/hello.wasm"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "hello from go\n"), "{out:?}");
    let out = wisp(&["run", "--fuel", "1000", "fixtures/go/hello.wasm"]);
    assert_eq!(out.code, TRAP, "{out:?}");
}

#[test]
fn max_memory_caps_initial_memory_and_growth() {
    let m =
        wat_file(r#"(module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#);
    // Growth past the cap is refused to the guest: memory.grow returns -1.
    let out = wisp(&["invoke", "--max-memory", "131072", &m, "grow", "1"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "1\n"), "{out:?}");
    let out = wisp(&["invoke", "--max-memory", "131072", &m, "grow", "2"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "-1\n"), "{out:?}");
    // Without the option the same growth succeeds.
    let out = wisp(&["invoke", &m, "grow", "2"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "1\n"), "{out:?}");
    // An initial memory larger than the cap does not instantiate.
    let big = wat_file(r#"(module (memory 4) (func (export "f")))"#);
    let out = wisp(&["invoke", "--max-memory", "65536", &big, "f"]);
    assert_eq!(out.code, 72, "{out:?}");
    assert!(one_line_error(&out).contains("memory"), "{out:?}");
}

// ---------------------------------------------------------------------------------------------
// the text format and --timeout

const TEXT_MODULE: &str = r#";; a reactor in the text format
(module
  (memory (export "memory") 1)
  (func (export "_initialize"))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "spin") (loop $l (br $l))))"#;

#[test]
fn every_command_accepts_the_text_format() {
    let m = temp_file("add.wat", TEXT_MODULE.as_bytes());
    let out = wisp(&["invoke", &m, "add", "40", "2"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "42\n"), "{out:?}");
    let out = wisp(&["inspect", &m]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("add"), "{out:?}");
    let hello = temp_file(
        "hello.wat",
        br#"(module
          (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 16) "hello from text\0a")
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 16))
            (i32.store (i32.const 4) (i32.const 16))
            (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
    );
    let out = wisp(&["run", &hello]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "hello from text\n"), "{out:?}");
    // Text that does not parse is a malformed module, with the line and column.
    let bad = temp_file("bad.wat", b"(module\n  (func (result i32) (i32.const)))");
    for cmd in [&["invoke", &bad, "f"][..], &["run", &bad], &["inspect", &bad]] {
        let out = wisp(cmd);
        assert_eq!(out.code, MALFORMED, "{cmd:?}: {out:?}");
        one_line_error(&out);
        assert!(out.stderr.contains("invalid text module") && out.stderr.contains("at line 2, column 32"), "{out:?}");
    }
    // Bytes that are neither text nor a binary module keep the binary decoder's verdict.
    let junk = temp_file("junk.wasm", b"\x01\x02\x03\x04garbage");
    let out = wisp(&["invoke", &junk, "f"]);
    assert_eq!(out.code, MALFORMED, "{out:?}");
    assert!(out.stderr.contains("malformed module"), "{out:?}");
}

#[test]
fn timeout_stops_a_runaway_guest_with_a_trap() {
    let m = temp_file("spin.wat", TEXT_MODULE.as_bytes());
    let t0 = Instant::now();
    let out = wisp(&["invoke", "--timeout", "300ms", &m, "spin"]);
    assert_eq!(out.code, TRAP, "{out:?}");
    assert!(out.stderr.lines().next().unwrap().ends_with("wasm trap: deadline exceeded"), "{out:?}");
    assert!(t0.elapsed() >= Duration::from_millis(300), "{:?}", t0.elapsed());
    // In time: the export runs normally.
    let out = wisp(&["invoke", "--timeout", "10s", &m, "add", "1", "2"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "3\n"), "{out:?}");
    // `run` too: a Go command finishes well within a generous limit.
    let out = wisp(&["run", "--timeout", "1m", "fixtures/go/hello.wasm"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "hello from go\n"), "{out:?}");
    let spin_cmd = temp_file("spin_cmd.wat", br#"(module (func (export "_start") (loop $l (br $l))))"#);
    let out = wisp(&["run", "--timeout", "0.2", &spin_cmd]);
    assert_eq!(out.code, TRAP, "{out:?}");
    // A duration that is not one is a usage error.
    for bad in ["soon", "0", "-1s", "5h"] {
        let out = wisp(&["invoke", "--timeout", bad, &m, "add", "1", "2"]);
        assert_eq!(out.code, USAGE, "--timeout {bad}: {out:?}");
    }
}
