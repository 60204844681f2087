//! A Go reactor that prints a line on every call runs a million calls in flat host memory:
//! captured output is bounded by the reactor's output limit, and taken output leaves
//! nothing behind.
//!
//! One test in its own binary, so that no other test allocates while the resident set size
//! is measured.

use std::path::Path;
use wisp::{Engine, Module};
use wisp_wasi::GoReactor;

#[path = "support/rss.rs"]
mod rss;
use rss::{mib, rss_bytes};

/// `WISP_OUTPUT_CALLS` overrides the count (for a quick local run); the test's claim is about
/// a million.
fn calls() -> u32 {
    std::env::var("WISP_OUTPUT_CALLS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000)
}

#[test]
fn a_million_printing_calls_keep_host_memory_flat() {
    let engine = Engine::default();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/go/state.wasm");
    let module = Module::new(&engine, std::fs::read(path).unwrap()).unwrap();
    const LIMIT: usize = 64 * 1024;
    let mut go = GoReactor::builder()
        .forward_stderr(false)
        .capture_stdout(true)
        .output_limit(LIMIT)
        .instantiate(&engine, &module)
        .unwrap();
    let incr = go.func::<(), i64>("incr").unwrap();
    let say = go.func::<(), ()>("say").unwrap();
    // `say` prints "state: say N" to stdout and "state: say N (stderr)" to stderr.
    go.call_func(&incr, ()).unwrap();
    go.call_func(&say, ()).unwrap();
    assert_eq!(String::from_utf8_lossy(&go.take_stdout().unwrap()), "state: init\nstate: say 1\n");
    assert_eq!(String::from_utf8_lossy(&go.take_stderr()), "state: init (stderr)\nstate: say 1 (stderr)\n");

    // Warm up: translation, Go's allocator and the pipes reach their steady state.
    for _ in 0..20_000 {
        go.call_func(&say, ()).unwrap();
    }
    let rss = rss_bytes();
    let n = calls();
    let t = std::time::Instant::now();
    let mut max_capacity = 0;
    for i in 0..n {
        go.call_func(&say, ()).unwrap();
        if i % 1024 == 0 {
            let (stdout, stderr) = go.output_pipes();
            let (stdout, stderr) = (stdout.unwrap(), stderr);
            assert!(stdout.len() <= LIMIT && stderr.len() <= LIMIT);
            max_capacity = max_capacity.max(stdout.capacity()).max(stderr.capacity());
        }
    }
    let elapsed = t.elapsed();
    // Every line was printed; only the newest `LIMIT` bytes of each stream are held.
    let (stdout, stderr) = go.output_pipes();
    let (stdout, stderr) = (stdout.unwrap().clone(), stderr.clone());
    assert_eq!(stdout.len(), LIMIT);
    let line = b"state: say 1\n".len() as u64;
    assert!(stdout.dropped() >= u64::from(n) * line, "{} bytes dropped", stdout.dropped());
    assert!(stderr.dropped() >= u64::from(n) * line, "{} bytes dropped", stderr.dropped());
    let text = String::from_utf8(go.take_stdout().unwrap()).unwrap();
    assert!(text.ends_with("state: say 1\n"), "{}", &text[text.len() - 40..]);
    assert!(stdout.is_empty() && stdout.capacity() == 0);
    assert_eq!(go.take_stderr().len(), LIMIT);
    assert!(stderr.is_empty());
    // The buffers never held more than twice the limit (VecDeque rounds up to a power of two).
    assert!(max_capacity <= 2 * LIMIT, "a pipe's buffer reached {max_capacity} bytes");
    if let (Some(before), Some(after)) = (rss, rss_bytes()) {
        eprintln!("{n} printing calls: {elapsed:.2?}; RSS {:.1} -> {:.1} MiB", mib(before), mib(after));
        // Before the limit, a million calls held 36 MB of output (a line to each stream).
        assert!(after <= before + 8 * 1024 * 1024, "RSS grew from {before} to {after} bytes over {n} calls");
    }

    // Taking the output after each call holds nothing at all between calls.
    for _ in 0..10_000 {
        go.call_func(&say, ()).unwrap();
        assert_eq!(String::from_utf8_lossy(&go.take_stdout().unwrap()), "state: say 1\n");
        assert_eq!(String::from_utf8_lossy(&go.take_stderr()), "state: say 1 (stderr)\n");
    }
}
