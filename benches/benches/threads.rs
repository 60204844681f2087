//! Throughput with 1 and 2 threads: one `Engine` and one `Module` (Go's bench.wasm), each
//! thread with its own `Store`, calling `fib(20)` at the same time. Reported as calls per
//! second; with independent stores it should scale with cores.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::sync::Barrier;
use std::time::{Duration, Instant};
use wisp_benches::{fixture, wisp_host};

fn threads(c: &mut Criterion) {
    let engine = wisp::Engine::default();
    let module = wisp::Module::new(&engine, fixture("go/bench.wasm")).unwrap();
    let mut g = c.benchmark_group("threads/go-fib(20)");
    g.sample_size(20).measurement_time(Duration::from_secs(8));
    for n in [1usize, 2] {
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::from_parameter(format!("{n} thread{}", if n == 1 { "" } else { "s" })), |b| {
            b.iter_custom(|iters| {
                let ready = Barrier::new(n + 1);
                let go = Barrier::new(n + 1);
                std::thread::scope(|s| {
                    let handles: Vec<_> = (0..n)
                        .map(|_| {
                            let (engine, module, ready, go) = (&engine, &module, &ready, &go);
                            s.spawn(move || {
                                let (mut store, inst) = wisp_host::start(engine, module);
                                let fib = inst.get_typed_func::<i32, i64>(&store, "fib").unwrap();
                                ready.wait();
                                go.wait();
                                for _ in 0..iters {
                                    assert_eq!(fib.call(&mut store, 20).unwrap(), 6765);
                                }
                            })
                        })
                        .collect();
                    ready.wait();
                    let start = Instant::now();
                    go.wait();
                    for h in handles {
                        h.join().unwrap();
                    }
                    start.elapsed()
                })
            })
        });
    }
    g.finish();
}

criterion_group!(benches, threads);
criterion_main!(benches);
