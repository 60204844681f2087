//! Every workload on wisp and on wasmi in one criterion group, same bytes, same arguments,
//! results checked equal to the expected value on both engines before anything is timed.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::time::Duration;
use wisp_benches::{fixture, shim, Args, Expect, Workload, GO_WORKLOADS};

mod wasmi_host {
    use super::shim;
    use wasmi::{Caller, Engine, Error, Extern, Instance, Linker, Module, Store};

    fn mem<'a>(caller: &'a mut Caller<'_, ()>) -> &'a mut [u8] {
        let m = caller.get_export("memory").and_then(Extern::into_memory).expect("Go exports its memory");
        m.data_mut(caller)
    }

    pub fn linker(engine: &Engine) -> Linker<()> {
        let mut l = Linker::new(engine);
        let w = "wasi_snapshot_preview1";
        l.func_wrap(w, "sched_yield", || 0i32).unwrap();
        l.func_wrap(w, "proc_exit", |code: i32| -> Result<(), Error> { Err(Error::i32_exit(code)) }).unwrap();
        l.func_wrap(w, "args_get", |mut c: Caller<'_, ()>, a: i32, b: i32| shim::args_get(mem(&mut c), a as u32, b as u32)).unwrap();
        l.func_wrap(w, "args_sizes_get", |mut c: Caller<'_, ()>, a: i32, b: i32| shim::args_sizes_get(mem(&mut c), a as u32, b as u32)).unwrap();
        l.func_wrap(w, "environ_get", |_: i32, _: i32| 0i32).unwrap();
        l.func_wrap(w, "environ_sizes_get", |mut c: Caller<'_, ()>, a: i32, b: i32| shim::environ_sizes_get(mem(&mut c), a as u32, b as u32)).unwrap();
        l.func_wrap(w, "clock_time_get", |mut c: Caller<'_, ()>, id: i32, _p: i64, out: i32| shim::clock_time_get(mem(&mut c), id as u32, out as u32)).unwrap();
        l.func_wrap(w, "fd_write", |mut c: Caller<'_, ()>, fd: i32, iovs: i32, n: i32, nw: i32| shim::fd_write(mem(&mut c), fd as u32, iovs as u32, n as u32, nw as u32)).unwrap();
        l.func_wrap(w, "random_get", |mut c: Caller<'_, ()>, b: i32, n: i32| shim::random_get(mem(&mut c), b as u32, n as u32)).unwrap();
        l.func_wrap(w, "poll_oneoff", |mut c: Caller<'_, ()>, s: i32, e: i32, n: i32, ne: i32| shim::poll_oneoff(mem(&mut c), s as u32, e as u32, n as u32, ne as u32)).unwrap();
        l.func_wrap(w, "fd_close", |_: i32| 0i32).unwrap();
        l.func_wrap(w, "fd_fdstat_get", |mut c: Caller<'_, ()>, fd: i32, out: i32| shim::fd_fdstat_get(mem(&mut c), fd as u32, out as u32)).unwrap();
        l.func_wrap(w, "fd_fdstat_set_flags", |_: i32, _: i32| 0i32).unwrap();
        l.func_wrap(w, "fd_prestat_get", |_: i32, _: i32| wisp_benches::EBADF).unwrap();
        l.func_wrap(w, "fd_prestat_dir_name", |_: i32, _: i32, _: i32| wisp_benches::EBADF).unwrap();
        l
    }

    pub fn start(engine: &Engine, module: &Module) -> (Store<()>, Instance) {
        let mut store = Store::new(engine, ());
        let instance = linker(engine).instantiate_and_start(&mut store, module).expect("instantiate");
        instance.get_typed_func::<(), ()>(&store, "_initialize").expect("_initialize").call(&mut store, ()).expect("init");
        (store, instance)
    }
}

/// Calls a workload's export once on wisp.
fn run_wisp(store: &mut wisp::Store<()>, inst: &wisp::Instance, w: &Workload) -> Expect {
    match (w.args, w.expect) {
        (Args::I32(a), Expect::I32(_)) => Expect::I32(inst.get_typed_func::<i32, i32>(&*store, w.export).unwrap().call(&mut *store, a).unwrap()),
        (Args::I32(a), Expect::I64(_)) => Expect::I64(inst.get_typed_func::<i32, i64>(&*store, w.export).unwrap().call(&mut *store, a).unwrap()),
        (Args::I32(a), Expect::F64(_)) => Expect::F64(inst.get_typed_func::<i32, f64>(&*store, w.export).unwrap().call(&mut *store, a).unwrap()),
        (Args::I32I64(a, b), Expect::I64(_)) => Expect::I64(inst.get_typed_func::<(i32, i64), i64>(&*store, w.export).unwrap().call(&mut *store, (a, b)).unwrap()),
        (Args::I32I32(a, b), Expect::I32(_)) => Expect::I32(inst.get_typed_func::<(i32, i32), i32>(&*store, w.export).unwrap().call(&mut *store, (a, b)).unwrap()),
        (Args::I32I32F64(a, b), Expect::F64(_)) => Expect::F64(inst.get_typed_func::<(i32, i32), f64>(&*store, w.export).unwrap().call(&mut *store, (a, b)).unwrap()),
        _ => unimplemented!("signature of {}", w.name),
    }
}

fn run_wasmi(store: &mut wasmi::Store<()>, inst: &wasmi::Instance, w: &Workload) -> Expect {
    match (w.args, w.expect) {
        (Args::I32(a), Expect::I32(_)) => Expect::I32(inst.get_typed_func::<i32, i32>(&*store, w.export).unwrap().call(&mut *store, a).unwrap()),
        (Args::I32(a), Expect::I64(_)) => Expect::I64(inst.get_typed_func::<i32, i64>(&*store, w.export).unwrap().call(&mut *store, a).unwrap()),
        (Args::I32(a), Expect::F64(_)) => Expect::F64(inst.get_typed_func::<i32, f64>(&*store, w.export).unwrap().call(&mut *store, a).unwrap()),
        (Args::I32I64(a, b), Expect::I64(_)) => Expect::I64(inst.get_typed_func::<(i32, i64), i64>(&*store, w.export).unwrap().call(&mut *store, (a, b)).unwrap()),
        (Args::I32I32(a, b), Expect::I32(_)) => Expect::I32(inst.get_typed_func::<(i32, i32), i32>(&*store, w.export).unwrap().call(&mut *store, (a, b)).unwrap()),
        (Args::I32I32F64(a, b), Expect::F64(_)) => Expect::F64(inst.get_typed_func::<(i32, i32), f64>(&*store, w.export).unwrap().call(&mut *store, (a, b)).unwrap()),
        _ => unimplemented!("signature of {}", w.name),
    }
}

fn filtered(w: &Workload) -> bool {
    std::env::var("WISP_BENCH_FILTER").is_ok_and(|f| !w.name.contains(&f))
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
        g.bench_function(BenchmarkId::from_parameter("wisp"), |b| b.iter(|| iter_wisp(&mut ws, &wi, w)));
        g.bench_function(BenchmarkId::from_parameter("wasmi"), |b| b.iter(|| iter_wasmi(&mut ms, &mi, w)));
        g.finish();
    }
}

/// Decode + validate + translate of the largest Go module, beside wasmparser validating the same
/// bytes and wasmi compiling them (wasmi translates lazily by default; wisp translates all here).
fn compile(c: &mut Criterion) {
    if std::env::var("WISP_BENCH_FILTER").is_ok_and(|f| !"compile".contains(&f)) {
        return;
    }
    let bytes = fixture("go/bench.wasm");
    let we = wisp::Engine::default();
    let me = wasmi::Engine::default();
    let mut g = c.benchmark_group("compile(go/bench.wasm)");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    g.bench_function(BenchmarkId::from_parameter("wisp"), |b| {
        b.iter(|| {
            let m = wisp::Module::new(&we, &bytes).unwrap();
            m.translate_all();
            m
        })
    });
    g.bench_function(BenchmarkId::from_parameter("wasmi"), |b| b.iter(|| wasmi::Module::new(&me, &bytes[..]).unwrap()));
    g.bench_function(BenchmarkId::from_parameter("wasmparser-validate"), |b| {
        b.iter(|| wasmparser::Validator::new().validate_all(&bytes).unwrap())
    });
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
        g.bench_function(BenchmarkId::from_parameter("wisp"), |b| b.iter(|| run_wisp(&mut ws, &wi, w)));
        g.bench_function(BenchmarkId::from_parameter("wasmi"), |b| b.iter(|| run_wasmi(&mut ms, &mi, w)));
        g.finish();
    }
}

fn go_calls_and_startup(c: &mut Criterion) {
    let bytes = fixture("go/add.wasm");
    let wisp_engine = wisp::Engine::default();
    let wasmi_engine = wasmi::Engine::default();
    let mut g = c.benchmark_group("go/start(add.wasm)");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    g.bench_function(BenchmarkId::from_parameter("wisp"), |b| {
        b.iter(|| {
            let m = wisp::Module::new(&wisp_engine, &bytes).unwrap();
            wisp_benches::wisp_host::start(&wisp_engine, &m)
        })
    });
    g.bench_function(BenchmarkId::from_parameter("wasmi"), |b| {
        b.iter(|| {
            let m = wasmi::Module::new(&wasmi_engine, &bytes[..]).unwrap();
            wasmi_host::start(&wasmi_engine, &m)
        })
    });
    g.finish();

    let wm = wisp::Module::new(&wisp_engine, &bytes).unwrap();
    let (mut ws, wi) = wisp_benches::wisp_host::start(&wisp_engine, &wm);
    let mm = wasmi::Module::new(&wasmi_engine, &bytes[..]).unwrap();
    let (mut ms, mi) = wasmi_host::start(&wasmi_engine, &mm);
    let wadd = wi.get_typed_func::<(i32, i32), i32>(&ws, "add").unwrap();
    let madd = mi.get_typed_func::<(i32, i32), i32>(&ms, "add").unwrap();
    assert_eq!(wadd.call(&mut ws, (1, 2)).unwrap(), 3);
    assert_eq!(madd.call(&mut ms, (1, 2)).unwrap(), 3);
    let mut g = c.benchmark_group("go/call(add)");
    g.bench_function(BenchmarkId::from_parameter("wisp"), |b| b.iter(|| wadd.call(&mut ws, (1, 2)).unwrap()));
    g.bench_function(BenchmarkId::from_parameter("wasmi"), |b| b.iter(|| madd.call(&mut ms, (1, 2)).unwrap()));
    g.finish();
}

criterion_group!(benches, go_calls_and_startup, go_workloads, c_workloads, compile);
criterion_main!(benches);
