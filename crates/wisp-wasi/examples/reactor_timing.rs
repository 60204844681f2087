//! Times every Go fixture: loading the module, instantiating it with WASI plus `_initialize`
//! (commands: plus `_start`), and its heaviest export (the bench fixture's `full` scenario
//! arguments). Run with `cargo run --release -p wisp-wasi --example reactor_timing`; add
//! `-- --runs N` for more repetitions (default 5; the median is printed).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wisp::{Engine, Module, Val};
use wisp_wasi::{GoReactor, Pipe, ReactorError, Stdio, WasiCtx, WasiCtxBuilder};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/go")
}

/// A call of a reactor export, with a description for the table.
struct Call {
    name: &'static str,
    args: Vec<Val>,
    /// For the alloc/free ABI: the input bytes (then `args` is empty).
    input: Option<&'static str>,
}

fn call(name: &'static str, args: &[Val]) -> Call {
    Call { name, args: args.to_vec(), input: None }
}

fn abi(name: &'static str, input: &'static str) -> Call {
    Call { name, args: Vec::new(), input: Some(input) }
}

fn i32v(v: i32) -> Val {
    Val::I32(v)
}

fn i64v(v: i64) -> Val {
    Val::I64(v)
}

/// Candidate heavy calls per reactor; the slowest is reported.
fn candidates(fixture: &str) -> Vec<Call> {
    match fixture {
        "add" | "add_satconv" => vec![call("add", &[i32v(1), i32v(2)])],
        "types" => vec![
            call(
                "mix",
                &[
                    i32v(-1),
                    i64v(-2),
                    Val::F32(0.5f32.to_bits()),
                    Val::F64(0.25f64.to_bits()),
                    i32v(-1),
                    i32v(1),
                    i64v(10),
                ],
            ),
            call("rec_global_sum", &[]),
            call("f64_sqrt", &[Val::F64(2f64.to_bits())]),
        ],
        "strings" => vec![
            abi("json_transform", r#"{"name":"wisp","values":[1,2,3.5]}"#),
            abi("sha256hex", "The quick brown fox jumps over the lazy dog"),
            abi("upper", "caf\u{e9} stra\u{df}e"),
            abi("reverse", "h\u{e9}llo"),
        ],
        "state" => {
            vec![call("workers", &[i32v(100)]), call("pingpong", &[i32v(1000)]), call("gc_stress", &[i32v(300)])]
        }
        "bench" | "bench_satconv" => vec![
            call("fib", &[i32v(30)]),
            call("sort_ints", &[i32v(100_000), i64v(42)]),
            call("sha256_bytes", &[i32v(1_000_000)]),
            call("map_work", &[i32v(100_000)]),
            call("regexp_work", &[i32v(1000)]),
            call("sieve", &[i32v(1_000_000)]),
            call("mandelbrot", &[i32v(200)]),
            call("nbody", &[i32v(100_000)]),
            call("json_work", &[i32v(1000)]),
            call("tree_work", &[i32v(12)]),
        ],
        _ => Vec::new(),
    }
}

fn wasi_for(fixture: &str, tmp: &Path) -> WasiCtxBuilder {
    let b = WasiCtx::builder().arg(format!("{fixture}.wasm"));
    match fixture {
        "state" => b
            .env("WISP_TEST", "hello wisp")
            .preopened_dir_read_only(fixtures().join("state/testdata"), "/data")
            .expect("preopen"),
        "wasi_tour" => b
            .args(["alpha", "beta gamma", ""])
            .env("WISP_TEST", "tour")
            .env("A", "1")
            .stdin(Stdio::Pipe(Pipe::from_bytes("line one\nline two\n\nlast without newline")))
            .preopened_dir(tmp, "/sandbox")
            .expect("preopen"),
        _ => b,
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn fmt(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1000.0 {
        format!("{us:.1} µs")
    } else if us < 1e6 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{:.3} s", us / 1e6)
    }
}

fn instantiate(
    engine: &Engine,
    module: &Module,
    fixture: &str,
    init: bool,
    tmp: &Path,
) -> Result<GoReactor, ReactorError> {
    GoReactor::builder()
        .wasi(wasi_for(fixture, tmp))
        .capture_stdout(true)
        .forward_stderr(false)
        .initialize(init)
        .instantiate(engine, module)
}

fn run_call(go: &mut GoReactor, c: &Call) -> Result<(), ReactorError> {
    if let Some(input) = c.input {
        return go.call_bytes(c.name, input.as_bytes()).map(drop);
    }
    let f = go.instance().get_func(go.store(), c.name).expect("export");
    let mut results: Vec<Val> = f.ty(go.store())?.results().iter().map(|&t| Val::default_for(t)).collect();
    go.call_vals(c.name, &c.args, &mut results)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut runs = 5usize;
    let mut argv = std::env::args().skip(1);
    while let Some(a) = argv.next() {
        if a == "--runs" {
            runs = argv.next().and_then(|n| n.parse().ok()).unwrap_or(runs).max(1);
        }
    }
    let tmp = std::env::temp_dir().join(format!("wisp-reactor-timing-{}", std::process::id()));
    let engine = Engine::default();
    let reactors = ["add", "add_satconv", "types", "strings", "state", "bench", "bench_satconv"];
    let commands = ["hello", "exit3", "gopanic", "wasi_tour"];
    println!("median of {runs} runs each; wisp {} (release)", env!("CARGO_PKG_VERSION"));
    println!();
    println!("| fixture | kind | Module::new | instantiate + _initialize | heaviest export | its time |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let mut bench_rows = Vec::new();
    for fixture in reactors.iter().chain(commands.iter()) {
        let is_command = commands.contains(fixture);
        let bytes = std::fs::read(fixtures().join(format!("{fixture}.wasm")))?;
        let mut loads = Vec::new();
        let mut module = None;
        for _ in 0..runs {
            let t = Instant::now();
            module = Some(Module::new(&engine, &bytes)?);
            loads.push(t.elapsed());
        }
        let module = module.expect("runs >= 1");
        // The first instantiation also translates the functions `_initialize` reaches (lazy
        // translation, cached in the Module); it is reported apart.
        let mut inits = Vec::new();
        let mut first = None;
        for _ in 0..runs + 1 {
            let _ = std::fs::remove_dir_all(&tmp);
            std::fs::create_dir_all(&tmp)?;
            let t = Instant::now();
            let mut go = instantiate(&engine, &module, fixture, !is_command, &tmp)?;
            if is_command {
                let r = go.guard(|store, inst| inst.get_typed_func::<(), ()>(&*store, "_start")?.call(store, ()));
                match r {
                    Ok(()) | Err(ReactorError::Exit(_)) => {}
                    Err(e) => return Err(format!("{fixture}: _start: {e}").into()),
                }
            }
            let d = t.elapsed();
            if first.is_none() {
                first = Some(d);
            } else {
                inits.push(d);
            }
        }
        let init = median(inits);
        let (mut heaviest, mut heaviest_t) = (String::from("-"), Duration::ZERO);
        for c in candidates(fixture) {
            let mut go = instantiate(&engine, &module, fixture, true, &tmp)?;
            run_call(&mut go, &c)?; // translate what it reaches
            let mut times = Vec::new();
            for _ in 0..runs {
                let t = Instant::now();
                run_call(&mut go, &c)?;
                times.push(t.elapsed());
            }
            let m = median(times);
            let label = match c.input {
                Some(i) => format!("{}({} bytes, alloc ABI)", c.name, i.len()),
                None => format!(
                    "{}({})",
                    c.name,
                    c.args
                        .iter()
                        .map(|v| match v {
                            Val::I32(x) => x.to_string(),
                            Val::I64(x) => x.to_string(),
                            Val::F32(b) => f32::from_bits(*b).to_string(),
                            Val::F64(b) => f64::from_bits(*b).to_string(),
                            _ => "?".into(),
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            if fixture.starts_with("bench") {
                bench_rows.push((fixture.to_string(), label.clone(), m));
            }
            if m >= heaviest_t {
                heaviest = label;
                heaviest_t = m;
            }
        }
        let (kind, init_col) = if is_command {
            ("command", format!("{} (instantiate + _start)", fmt(init)))
        } else {
            ("reactor", fmt(init))
        };
        println!(
            "| {fixture} | {kind} | {} | {init_col} (first: {}) | {heaviest} | {} |",
            fmt(median(loads)),
            fmt(first.unwrap_or_default()),
            if heaviest_t.is_zero() { "-".into() } else { fmt(heaviest_t) }
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
    println!();
    println!("bench exports with the `full` scenario's arguments:");
    println!();
    println!("| module | call | time |");
    println!("| --- | --- | --- |");
    for (m, l, t) in bench_rows {
        println!("| {m} | {l} | {} |", fmt(t));
    }
    Ok(())
}
