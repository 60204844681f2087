//! Every workload on wisp and on wasmi in one criterion group, same bytes, same arguments,
//! results checked equal to the expected value on both engines before anything is timed.

use criterion::measurement::Measurement;
use criterion::{criterion_group, criterion_main, Bencher, BenchmarkGroup, BenchmarkId, Criterion};
use std::time::Duration;
use wisp_benches::{fixture, Args, Expect, Workload, GO_WORKLOADS};

mod wasmi_host {
    wisp_benches::shim_host!(wasmi, wasmi::Error::i32_exit, instantiate_and_start);
}

/// `run_wisp` and `run_wasmi`: one call of a workload's export, typed by its signature.
macro_rules! run_fn {
    ($name:ident, $engine:ident) => {
        fn $name(store: &mut $engine::Store<()>, inst: &$engine::Instance, w: &Workload) -> Expect {
            macro_rules! call {
                ($p:ty, $r:ty, $args:expr) => {
                    inst.get_typed_func::<$p, $r>(&*store, w.export).unwrap().call(&mut *store, $args).unwrap()
                };
            }
            match (w.args, w.expect) {
                (Args::I32(a), Expect::I32(_)) => Expect::I32(call!(i32, i32, a)),
                (Args::I32(a), Expect::I64(_)) => Expect::I64(call!(i32, i64, a)),
                (Args::I32(a), Expect::F64(_)) => Expect::F64(call!(i32, f64, a)),
                (Args::I32I64(a, b), Expect::I64(_)) => Expect::I64(call!((i32, i64), i64, (a, b))),
                (Args::I32I32(a, b), Expect::I32(_)) => Expect::I32(call!((i32, i32), i32, (a, b))),
                (Args::I32I32(a, b), Expect::I64(_)) => Expect::I64(call!((i32, i32), i64, (a, b))),
                (Args::I32I32F64(a, b), Expect::F64(_)) => Expect::F64(call!((i32, i32), f64, (a, b))),
                _ => panic!("workload {} has a signature this harness does not call", w.name),
            }
        }
    };
}

run_fn!(run_wisp, wisp);
run_fn!(run_wasmi, wasmi);

/// Runs a group's two benchmarks, wisp's first unless `WISP_BENCH_WASMI_FIRST` is set
/// (`benches/compare` alternates the order between its rounds, so neither engine is always the
/// one measured right after the other warmed the machine).
fn both<M: Measurement>(
    g: &mut BenchmarkGroup<'_, M>,
    mut wisp: impl FnMut(&mut Bencher<'_, M>),
    mut wasmi: impl FnMut(&mut Bencher<'_, M>),
) {
    if std::env::var_os("WISP_BENCH_WASMI_FIRST").is_some() {
        g.bench_function(BenchmarkId::from_parameter("wasmi"), |b| wasmi(b));
        g.bench_function(BenchmarkId::from_parameter("wisp"), |b| wisp(b));
    } else {
        g.bench_function(BenchmarkId::from_parameter("wisp"), |b| wisp(b));
        g.bench_function(BenchmarkId::from_parameter("wasmi"), |b| wasmi(b));
    }
}

/// Whether group `name` runs: `WISP_BENCH_FILTER` unset, or one of its `|`-separated
/// substrings in `name`.
fn selected(name: &str) -> bool {
    std::env::var("WISP_BENCH_FILTER").map_or(true, |f| f.split('|').any(|p| name.contains(p)))
}

fn filtered(w: &Workload) -> bool {
    !selected(w.name)
}

/// Runs `w` once; workloads with state (the bulk-memory one) reset it first.
fn iter_wisp(store: &mut wisp::Store<()>, inst: &wisp::Instance, w: &Workload) -> Expect {
    if w.export == "bulk" {
        inst.get_typed_func::<(), ()>(&*store, "bulk_reset").unwrap().call(&mut *store, ()).unwrap();
    }
    run_wisp(store, inst, w)
}

fn iter_wasmi(store: &mut wasmi::Store<()>, inst: &wasmi::Instance, w: &Workload) -> Expect {
    if w.export == "bulk" {
        inst.get_typed_func::<(), ()>(&*store, "bulk_reset").unwrap().call(&mut *store, ()).unwrap();
    }
    run_wasmi(store, inst, w)
}

/// The C workloads, then the SIMD ones; a workload whose module wisp refuses as
/// `Error::Unsupported` (SIMD before wisp executes it) is skipped with a line on stderr, so its
/// row appears in `benches/compare` once wisp accepts the module.
fn c_workloads(c: &mut Criterion) {
    let c_engine = || wisp::Engine::default();
    let simd = wisp_benches::SIMD_WORKLOADS.iter().map(|w| (w, wisp_benches::wisp_simd_engine as fn() -> _));
    for (w, engine) in wisp_benches::C_WORKLOADS.iter().map(|w| (w, c_engine as fn() -> _)).chain(simd) {
        if filtered(w) {
            continue;
        }
        let bytes = fixture(w.file);
        let we = engine();
        let wm = match wisp::Module::new(&we, &bytes) {
            Ok(m) => m,
            Err(wisp::Error::Unsupported(what)) => {
                eprintln!("{}: skipped, wisp refuses {} ({what})", w.name, w.file);
                continue;
            }
            Err(e) => panic!("{}: wisp refuses {}: {e}", w.name, w.file),
        };
        let mut ws = wisp::Store::new(&we, ());
        let wi = wisp::Linker::new(&we).instantiate(&mut ws, &wm).unwrap();
        let me = wasmi::Engine::default();
        let mm = wasmi::Module::new(&me, &bytes[..]).unwrap();
        let mut ms = wasmi::Store::new(&me, ());
        let mi = wasmi::Linker::new(&me).instantiate_and_start(&mut ms, &mm).unwrap();
        assert_eq!(iter_wisp(&mut ws, &wi, w), w.expect, "wisp: {}", w.name);
        assert_eq!(iter_wasmi(&mut ms, &mi, w), w.expect, "wasmi: {}", w.name);
        let mut g = c.benchmark_group(w.name);
        g.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
        both(&mut g, |b| b.iter(|| iter_wisp(&mut ws, &wi, w)), |b| b.iter(|| iter_wasmi(&mut ms, &mi, w)));
        g.finish();
    }
}

/// Decode + validate + translate of every function, eagerly on both engines, beside wasmparser
/// validating the same bytes: the largest Go module, and 2,500 generated C functions.
/// (wasmi translates lazily by default; wisp translates all here.)
fn compile(c: &mut Criterion) {
    for file in ["go/bench.wasm", "c/gen.wasm"] {
        let name = format!("compile({file})");
        if !selected(&name) {
            continue;
        }
        let bytes = fixture(file);
        // Both engines' eager modes: every body validated and translated by `Module::new`.
        let mut wisp_eager = wisp::Config::default();
        wisp_eager.compilation_mode(wisp::CompilationMode::Eager);
        let we = wisp::Engine::new(&wisp_eager);
        let mut eager = wasmi::Config::default();
        eager.compilation_mode(wasmi::CompilationMode::Eager);
        let me_eager = wasmi::Engine::new(&eager);
        if file == "c/gen.wasm" {
            // The translated code runs, and agrees with gen/expected.txt, on both engines.
            let wm = wisp::Module::new(&we, &bytes).unwrap();
            let mut ws = wisp::Store::new(&we, ());
            let wi = wisp::Linker::new(&we).instantiate(&mut ws, &wm).unwrap();
            let mm = wasmi::Module::new(&me_eager, &bytes[..]).unwrap();
            let mut ms = wasmi::Store::new(&me_eager, ());
            let mi = wasmi::Linker::new(&me_eager).instantiate_and_start(&mut ms, &mm).unwrap();
            let gen = Workload {
                name: "c/gen run_all(0)",
                file,
                export: "run_all",
                args: Args::I32(0),
                expect: Expect::I32(1487671332),
            };
            wi.get_typed_func::<(), ()>(&ws, "reset").unwrap().call(&mut ws, ()).unwrap();
            mi.get_typed_func::<(), ()>(&ms, "reset").unwrap().call(&mut ms, ()).unwrap();
            assert_eq!(run_wisp(&mut ws, &wi, &gen), gen.expect, "wisp: {}", gen.name);
            assert_eq!(run_wasmi(&mut ms, &mi, &gen), gen.expect, "wasmi: {}", gen.name);
        }
        let mut g = c.benchmark_group(name);
        g.sample_size(10).measurement_time(Duration::from_secs(3));
        both(
            &mut g,
            |b| b.iter(|| wisp::Module::new(&we, &bytes).unwrap()),
            |b| b.iter(|| wasmi::Module::new(&me_eager, &bytes[..]).unwrap()),
        );
        g.bench_function(BenchmarkId::from_parameter("wasmparser-validate"), |b| {
            b.iter(|| wasmparser::Validator::new().validate_all(&bytes).unwrap())
        });
        g.finish();
    }
    if !selected("compile-lazy(go/bench.wasm)") {
        return;
    }
    // Both engines' defaults: validate everything now, translate each function on first call.
    let bytes = fixture("go/bench.wasm");
    let we = wisp::Engine::default();
    let me_lazy = wasmi::Engine::default();
    let mut g = c.benchmark_group("compile-lazy(go/bench.wasm)");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    both(
        &mut g,
        |b| b.iter(|| wisp::Module::new(&we, &bytes).unwrap()),
        |b| b.iter(|| wasmi::Module::new(&me_lazy, &bytes[..]).unwrap()),
    );
    g.finish();
}

/// A small C command's start with the module already compiled: a fresh store, the stdio
/// imports resolved by a linker made once, its memory (2 pages, 6 data segments), table (an
/// element segment) and global, then `_start` (`main` prints a line through `fd_write`; its
/// code translated on the first iteration and kept by the module on both engines). Dropping
/// the store is timed too.
fn instantiate(c: &mut Criterion) {
    let file = "c/hello.wasm";
    let name = format!("instantiate({file})");
    if !selected(&name) {
        return;
    }
    let bytes = fixture(file);
    let we = wisp::Engine::default();
    let wm = wisp::Module::new(&we, &bytes).unwrap();
    let wl = wisp_benches::wisp_host::command_linker(&we);
    let me = wasmi::Engine::default();
    let mm = wasmi::Module::new(&me, &bytes[..]).unwrap();
    let ml = wasmi_host::command_linker(&me);
    let wisp_start = || {
        let mut s = wisp::Store::new(&we, ());
        let i = wl.instantiate(&mut s, &wm).unwrap();
        i.get_typed_func::<(), ()>(&s, "_start").unwrap().call(&mut s, ()).unwrap();
        s
    };
    let wasmi_start = || {
        let mut s = wasmi::Store::new(&me, ());
        let i = ml.instantiate_and_start(&mut s, &mm).unwrap();
        i.get_typed_func::<(), ()>(&s, "_start").unwrap().call(&mut s, ()).unwrap();
        s
    };
    // `_start` returns normally on both (`main` returns 0: no `proc_exit`).
    drop((wisp_start(), wasmi_start()));
    let mut g = c.benchmark_group(name);
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    both(&mut g, |b| b.iter(|| drop(wisp_start())), |b| b.iter(|| drop(wasmi_start())));
    g.finish();
}

fn go_workloads(c: &mut Criterion) {
    let bytes = fixture("go/bench.wasm");
    let wisp_engine = wisp::Engine::default();
    let wisp_module = wisp::Module::new(&wisp_engine, &bytes).unwrap();
    let wasmi_engine = wasmi::Engine::default();
    let wasmi_module = wasmi::Module::new(&wasmi_engine, &bytes[..]).unwrap();
    let (mut ws, wi) = wisp_benches::wisp_host::start(&wisp_engine, &wisp_module);
    let (mut ms, mi) = wasmi_host::start(&wasmi_engine, &wasmi_module);
    for w in GO_WORKLOADS {
        if filtered(w) {
            continue;
        }
        // Checked before timing, on both engines.
        assert_eq!(run_wisp(&mut ws, &wi, w), w.expect, "wisp: {}", w.name);
        assert_eq!(run_wasmi(&mut ms, &mi, w), w.expect, "wasmi: {}", w.name);
        let mut g = c.benchmark_group(w.name);
        g.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
        both(&mut g, |b| b.iter(|| run_wisp(&mut ws, &wi, w)), |b| b.iter(|| run_wasmi(&mut ms, &mi, w)));
        g.finish();
    }
}

fn go_calls_and_startup(c: &mut Criterion) {
    let bytes = fixture("go/add.wasm");
    let wisp_engine = wisp::Engine::default();
    let wasmi_engine = wasmi::Engine::default();
    if selected("go/start(add.wasm)") {
        let mut g = c.benchmark_group("go/start(add.wasm)");
        g.sample_size(10).measurement_time(Duration::from_secs(3));
        both(
            &mut g,
            |b| {
                b.iter(|| {
                    let m = wisp::Module::new(&wisp_engine, &bytes).unwrap();
                    wisp_benches::wisp_host::start(&wisp_engine, &m)
                })
            },
            |b| {
                b.iter(|| {
                    let m = wasmi::Module::new(&wasmi_engine, &bytes[..]).unwrap();
                    wasmi_host::start(&wasmi_engine, &m)
                })
            },
        );
        g.finish();
    }
    if !selected("go/call(add)") && !selected("go/call-untyped(add)") {
        return;
    }

    let wm = wisp::Module::new(&wisp_engine, &bytes).unwrap();
    let (mut ws, wi) = wisp_benches::wisp_host::start(&wisp_engine, &wm);
    let mm = wasmi::Module::new(&wasmi_engine, &bytes[..]).unwrap();
    let (mut ms, mi) = wasmi_host::start(&wasmi_engine, &mm);
    let wadd = wi.get_typed_func::<(i32, i32), i32>(&ws, "add").unwrap();
    let madd = mi.get_typed_func::<(i32, i32), i32>(&ms, "add").unwrap();
    assert_eq!(wadd.call(&mut ws, (1, 2)).unwrap(), 3);
    assert_eq!(madd.call(&mut ms, (1, 2)).unwrap(), 3);
    let mut g = c.benchmark_group("go/call(add)");
    both(
        &mut g,
        |b| b.iter(|| wadd.call(&mut ws, (1, 2)).unwrap()),
        |b| b.iter(|| madd.call(&mut ms, (1, 2)).unwrap()),
    );
    g.finish();

    // The same call through each engine's untyped `Func::call` over a slice of values.
    let wf = wi.get_func(&ws, "add").unwrap();
    let mf = mi.get_func(&ms, "add").unwrap();
    let (wargs, mut wout) = ([wisp::Val::I32(1), wisp::Val::I32(2)], [wisp::Val::I32(0)]);
    let (margs, mut mout) = ([wasmi::Val::I32(1), wasmi::Val::I32(2)], [wasmi::Val::I32(0)]);
    wf.call(&mut ws, &wargs, &mut wout).unwrap();
    mf.call(&mut ms, &margs, &mut mout).unwrap();
    assert_eq!(wout[0], wisp::Val::I32(3));
    assert_eq!(mout[0].i32(), Some(3));
    let mut g = c.benchmark_group("go/call-untyped(add)");
    both(
        &mut g,
        |b| b.iter(|| wf.call(&mut ws, &wargs, &mut wout).unwrap()),
        |b| b.iter(|| mf.call(&mut ms, &margs, &mut mout).unwrap()),
    );
    g.finish();
}

/// A fresh initialized Go instance plus its first call, three ways (compile excluded
/// throughout: each module is decoded and validated once, outside the timing). The wasmi side
/// of every group is the same work on wasmi: instantiate, `_initialize` (the Go runtime's
/// start), `add`; or, for `init-file`, instantiate the module `wisp snapshot` writes and call.
/// These compare features, not engines: `benches/compare` lists them apart from the
/// geometric mean.
fn go_templates(c: &mut Criterion) {
    let names = ["template/clone(add.wasm)", "template/fresh(add.wasm)", "template/init-file(add.wasm)"];
    if !names.iter().any(|n| selected(n)) {
        return;
    }
    let bytes = fixture("go/add.wasm");
    let wisp_engine = wisp::Engine::default();
    let wasmi_engine = wasmi::Engine::default();
    let wm = wisp::Module::new(&wisp_engine, &bytes).unwrap();
    let mm = wasmi::Module::new(&wasmi_engine, &bytes[..]).unwrap();
    let quiet = || wisp_wasi::GoReactor::builder().forward_stderr(false);
    let pre = quiet().pre(&wisp_engine, &wm).unwrap();
    let init_bytes = {
        let clock = wisp_wasi::VirtualClock::new(Duration::ZERO);
        let wasi = wisp_wasi::WasiCtx::builder().args(["add.wasm"]).monotonic_clock(clock);
        quiet().wasi(wasi).pre(&wisp_engine, &wm).unwrap().snapshot().to_wasm().unwrap()
    };
    let wm_init = wisp::Module::new(&wisp_engine, &init_bytes).unwrap();
    let mm_init = wasmi::Module::new(&wasmi_engine, &init_bytes[..]).unwrap();

    let clone_add = || pre.instantiate_new().unwrap().call::<(i32, i32), i32>("add", (1, 2)).unwrap();
    let wisp_fresh_add = || {
        let (mut s, i) = wisp_benches::wisp_host::start(&wisp_engine, &wm);
        i.get_typed_func::<(i32, i32), i32>(&s, "add").unwrap().call(&mut s, (1, 2)).unwrap()
    };
    let wasmi_fresh_add = || {
        let (mut s, i) = wasmi_host::start(&wasmi_engine, &mm);
        i.get_typed_func::<(i32, i32), i32>(&s, "add").unwrap().call(&mut s, (1, 2)).unwrap()
    };
    let wisp_file_add = || {
        let mut s = wisp::Store::new(&wisp_engine, ());
        let i = wisp_benches::wisp_host::linker(&wisp_engine).instantiate(&mut s, &wm_init).unwrap();
        i.get_typed_func::<(i32, i32), i32>(&s, "add").unwrap().call(&mut s, (1, 2)).unwrap()
    };
    let wasmi_file_add = || {
        let mut s = wasmi::Store::new(&wasmi_engine, ());
        let i = wasmi_host::linker(&wasmi_engine).instantiate_and_start(&mut s, &mm_init).unwrap();
        i.get_typed_func::<(i32, i32), i32>(&s, "add").unwrap().call(&mut s, (1, 2)).unwrap()
    };
    for f in [&clone_add as &dyn Fn() -> i32, &wisp_fresh_add, &wasmi_fresh_add, &wisp_file_add, &wasmi_file_add] {
        assert_eq!(f(), 3);
    }
    let groups: [(&str, &dyn Fn() -> i32, &dyn Fn() -> i32); 3] = [
        (names[0], &clone_add, &wasmi_fresh_add),
        (names[1], &wisp_fresh_add, &wasmi_fresh_add),
        (names[2], &wisp_file_add, &wasmi_file_add),
    ];
    for (name, wisp_side, wasmi_side) in groups {
        if !selected(name) {
            continue;
        }
        let mut g = c.benchmark_group(name);
        g.sample_size(10).measurement_time(Duration::from_secs(3));
        both(&mut g, |b| b.iter(wisp_side), |b| b.iter(wasmi_side));
        g.finish();
    }
}

/// Go calling its host (`fixtures/go/hostcall.wasm`): `pings(1000)` makes 1,000 calls of the
/// host's `log(level, msg string)` from one export call (the per-call cost of a Go-to-host call,
/// the host reading its string argument); `churn(100)` makes 100 calls of `get(key)`, each
/// calling back into the guest's `alloc` from inside the import.
fn go_host_calls(c: &mut Criterion) {
    let groups = ["go/host-call(pings 1000)", "go/host-alloc(churn 100)"];
    if !groups.iter().any(|g| selected(g)) {
        return;
    }
    let bytes = fixture("go/hostcall.wasm");
    let wisp_engine = wisp::Engine::default();
    let wasmi_engine = wasmi::Engine::default();
    let wm = wisp::Module::new(&wisp_engine, &bytes).unwrap();
    let (mut ws, wi) = wisp_benches::wisp_host::start_hostcall(&wisp_engine, &wm);
    let mm = wasmi::Module::new(&wasmi_engine, &bytes[..]).unwrap();
    let (mut ms, mi) = wasmi_host::start_hostcall(&wasmi_engine, &mm);

    if selected(groups[0]) {
        let wf = wi.get_typed_func::<i32, ()>(&ws, "pings").unwrap();
        let mf = mi.get_typed_func::<i32, ()>(&ms, "pings").unwrap();
        wf.call(&mut ws, 1000).unwrap();
        mf.call(&mut ms, 1000).unwrap();
        let mut g = c.benchmark_group(groups[0]);
        both(&mut g, |b| b.iter(|| wf.call(&mut ws, 1000).unwrap()), |b| b.iter(|| mf.call(&mut ms, 1000).unwrap()));
        g.finish();
    }
    if selected(groups[1]) {
        let wf = wi.get_typed_func::<i32, i64>(&ws, "churn").unwrap();
        let mf = mi.get_typed_func::<i32, i64>(&ms, "churn").unwrap();
        // "Hi!" is 3 bytes, 100 times.
        assert_eq!(wf.call(&mut ws, 100).unwrap(), 300);
        assert_eq!(mf.call(&mut ms, 100).unwrap(), 300);
        let mut g = c.benchmark_group(groups[1]);
        both(&mut g, |b| b.iter(|| wf.call(&mut ws, 100).unwrap()), |b| b.iter(|| mf.call(&mut ms, 100).unwrap()));
        g.finish();
    }
}

criterion_group!(
    benches,
    go_calls_and_startup,
    go_templates,
    go_host_calls,
    go_workloads,
    c_workloads,
    compile,
    instantiate
);
criterion_main!(benches);
