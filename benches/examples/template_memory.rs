//! Memory held by live Go instances: N clones of a reactor template (`GoReactorPre`) against N
//! fully initialized instances, each after one trivial call, all kept alive. Run each mode in
//! its own process so that one does not reuse the other's freed memory:
//!
//! ```sh
//! cargo run --profile bench -p wisp-benches --example template_memory -- clones 1000
//! cargo run --profile bench -p wisp-benches --example template_memory -- fresh 1000
//! ```
//!
//! Prints the resident set before and after, per instance, and (for clones) the memory pages
//! the clones own (`wisp::Memory::private_bytes`), the rest being shared with the template.

fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    statm.split_whitespace().nth(1).and_then(|p| p.parse::<usize>().ok()).unwrap_or(0) * 4096
}

fn mib(b: usize) -> f64 {
    b as f64 / (1024.0 * 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map(String::as_str).unwrap_or("clones");
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let file = args.get(3).map(String::as_str).unwrap_or("go/add.wasm");
    let engine = wisp::Engine::default();
    let module = wisp::Module::new(&engine, wisp_benches::fixture(file)).unwrap();
    let quiet = || wisp_wasi::GoReactor::builder().forward_stderr(false);
    let pre = (mode == "clones").then(|| quiet().pre(&engine, &module).unwrap());
    // One instance first, so that translated code and allocator arenas are not counted.
    let mut warm = match &pre {
        Some(p) => p.instantiate_new().unwrap(),
        None => quiet().instantiate(&engine, &module).unwrap(),
    };
    assert_eq!(warm.call::<(i32, i32), i32>("add", (1, 2)).unwrap(), 3);
    let before = rss();
    let t = std::time::Instant::now();
    let mut live = Vec::with_capacity(n);
    for _ in 0..n {
        let mut go = match &pre {
            Some(p) => p.instantiate_new().unwrap(),
            None => quiet().instantiate(&engine, &module).unwrap(),
        };
        assert_eq!(go.call::<(i32, i32), i32>("add", (1, 2)).unwrap(), 3);
        live.push(go);
    }
    let elapsed = t.elapsed();
    let after = rss();
    let private: usize = live.iter().map(|g| g.memory().private_bytes(g.store()).unwrap()).sum();
    let size = live[0].memory().data_size(live[0].store()).unwrap();
    println!(
        "{mode} x{n} of {file}: RSS {:.1} MiB -> {:.1} MiB, {:.3} MiB per instance; linear memory {:.1} MiB \
         each, {:.3} MiB of it owned on average; {:.2} ms per instance",
        mib(before),
        mib(after),
        mib(after.saturating_sub(before)) / n as f64,
        mib(size),
        mib(private) / n as f64,
        elapsed.as_secs_f64() * 1e3 / n as f64
    );
    drop(warm);
}
