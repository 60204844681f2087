//! The SIMD workloads (`fixtures/c/simd.wasm`) give the results computed natively from their
//! C source: every call line of simd/expected-calls.txt on wasmi (simd feature), and those and
//! every benchmark workload on wisp.

use wisp_benches::{fixture, fixtures, Args, Expect, SIMD_WORKLOADS};

/// `(export, argument, result)` of each `call` line of simd/expected-calls.txt.
fn expected_calls() -> Vec<(String, i32, i32)> {
    let text = std::fs::read_to_string(fixtures().join("c/simd/expected-calls.txt")).unwrap();
    let calls: Vec<_> = text
        .lines()
        .filter_map(|l| l.strip_prefix("call "))
        .map(|l| {
            let (call, result) = l.split_once(" => i32:").expect("`=> i32:` result");
            let (name, arg) = call.split_once(" i32:").expect("one i32 argument");
            (name.to_string(), arg.parse().unwrap(), result.parse().unwrap())
        })
        .collect();
    assert_eq!(calls.len(), 16, "simd/expected-calls.txt: four exports at four sizes");
    calls
}

/// Every expected call and every workload, each as `(export, argument, result)`.
fn all_cases() -> Vec<(String, i32, i32)> {
    let mut cases = expected_calls();
    for w in SIMD_WORKLOADS {
        let (Args::I32(a), Expect::I32(r)) = (w.args, w.expect) else { panic!("{}: (i32) -> i32 expected", w.name) };
        cases.push((w.export.to_string(), a, r));
    }
    cases
}

/// Runs `f` on a thread with a large stack: in a test build, wasmi's handlers for some v128
/// operators do not tail-call, and its stack grows with the instructions run (checked
/// 2026-12-05: the 2 MiB test thread and a 64 MiB one overflow; release builds do not).
fn big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(1 << 30).spawn(f).unwrap().join().unwrap();
}

#[test]
fn simd_workloads_on_wasmi() {
    big_stack(simd_on_wasmi);
}

/// The call lines of expected-calls.txt; the workloads' own sizes are checked on wasmi by the
/// benchmark harness (release build) before it times them.
fn simd_on_wasmi() {
    let bytes = fixture("c/simd.wasm");
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, &bytes[..]).expect("wasmi (simd feature) compiles simd.wasm");
    let mut store = wasmi::Store::new(&engine, ());
    let instance = wasmi::Linker::new(&engine).instantiate_and_start(&mut store, &module).unwrap();
    for (export, arg, want) in expected_calls() {
        let f = instance.get_typed_func::<i32, i32>(&store, &export).unwrap();
        assert_eq!(f.call(&mut store, arg).unwrap(), want, "wasmi: {export}({arg})");
    }
}

#[test]
fn simd_workloads_on_wisp() {
    let bytes = fixture("c/simd.wasm");
    // The default dispatch, on the test thread's stack: every v128 handler tail-calls in a test
    // build too (wisp's `tests/dispatch.rs` checks each form on a small stack).
    let engine = wisp_benches::wisp_simd_engine();
    let module = wisp::Module::new(&engine, &bytes).expect("wisp compiles simd.wasm");
    let mut store = wisp::Store::new(&engine, ());
    let instance = wisp::Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    for (export, arg, want) in all_cases() {
        let f = instance.get_typed_func::<i32, i32>(&store, &export).unwrap();
        assert_eq!(f.call(&mut store, arg).unwrap(), want, "wisp: {export}({arg})");
    }
}
