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

fn c_workloads(c: &mut Criterion) {
    for w in wisp_benches::C_WORKLOADS {
        if filtered(w) {
            continue;
        }
        let bytes = fixture(w.file);
        let we = wisp::Engine::default();
        let wm = wisp::Module::new(&we, &bytes).unwrap();
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

criterion_group!(benches, go_calls_and_startup, go_workloads, c_workloads, compile);
criterion_main!(benches);
