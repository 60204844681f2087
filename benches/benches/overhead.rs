//! What fuel metering and interruption checks cost: the same workload on wisp with each
//! feature off and on, in one criterion group. (Off, nothing is emitted: the "off" variant is
//! the plain engine.) `benches/compare` does not read these groups: their names start with
//! `overhead/`; read the ratios from criterion's output.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::time::Duration;
use wisp::{Config, Engine, Linker, Module, Store};
use wisp_benches::fixture;

fn engine(fuel: bool, interrupt: bool) -> Engine {
    let mut c = Config::new();
    c.consume_fuel(fuel).interruptible(interrupt);
    Engine::new(&c)
}

fn c_export(c: &mut Criterion, export: &'static str, arg: i32, expect: i64) {
    let bytes = fixture("c/bench.wasm");
    let mut g = c.benchmark_group(format!("overhead/c/{export}({arg})"));
    g.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    for (name, fuel, interrupt) in [("off", false, false), ("fuel", true, false), ("interruptible", false, true)] {
        let e = engine(fuel, interrupt);
        let m = Module::new(&e, &bytes).unwrap();
        let mut s = Store::new(&e, ());
        let i = Linker::new(&e).instantiate(&mut s, &m).unwrap();
        let f = i.get_func(&s, export).unwrap();
        let call = move |s: &mut Store<()>| -> i64 {
            if fuel {
                s.set_fuel(u64::MAX / 2).unwrap();
            }
            let mut out = [wisp::Val::I64(0)];
            f.call(&mut *s, &[wisp::Val::I32(arg)], &mut out).unwrap();
            match out[0] {
                wisp::Val::I32(v) => v as i64,
                wisp::Val::I64(v) => v,
                other => panic!("unexpected {other:?}"),
            }
        };
        assert_eq!(call(&mut s), expect, "{name}");
        g.bench_function(BenchmarkId::from_parameter(name), |b| b.iter(|| call(&mut s)));
    }
    g.finish();
}

fn go_fib(c: &mut Criterion) {
    let bytes = fixture("go/bench.wasm");
    let mut g = c.benchmark_group("overhead/go/fib(25)");
    g.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    for (name, fuel, interrupt) in [("off", false, false), ("fuel", true, false), ("interruptible", false, true)] {
        let e = engine(fuel, interrupt);
        let m = Module::new(&e, &bytes).unwrap();
        let mut s = Store::new(&e, ());
        if fuel {
            s.set_fuel(u64::MAX / 2).unwrap();
        }
        let l = wisp_benches::wisp_host::linker(&e);
        let i = l.instantiate(&mut s, &m).unwrap();
        i.get_typed_func::<(), ()>(&s, "_initialize").unwrap().call(&mut s, ()).unwrap();
        let fib = i.get_typed_func::<i32, i64>(&s, "fib").unwrap();
        assert_eq!(fib.call(&mut s, 25).unwrap(), 75025, "{name}");
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                if fuel {
                    s.set_fuel(u64::MAX / 2).unwrap();
                }
                fib.call(&mut s, 25).unwrap()
            })
        });
    }
    g.finish();
}

fn overhead(c: &mut Criterion) {
    c_export(c, "fib", 25, 75025);
    c_export(c, "sieve", 1_000_000, 78498);
    go_fib(c);
}

criterion_group!(benches, overhead);
criterion_main!(benches);
