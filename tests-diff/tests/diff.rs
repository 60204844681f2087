//! The bounded differential run: generated modules on wisp and wasmi must agree.

use std::time::Instant;
use wisp_difftest::{compare, module_of_seed, module_of_seed_with, on_big_stack, smith_config_3};

/// Modules in the bounded run (`WISP_DIFF_MODULES` overrides).
const MODULES: u64 = 5000;

#[test]
fn generated_modules_agree_with_wasmi() {
    on_big_stack(bounded_run)
}

fn bounded_run() {
    let n = std::env::var("WISP_DIFF_MODULES").ok().and_then(|s| s.parse().ok()).unwrap_or(MODULES);
    let start = Instant::now();
    let (mut compared, mut calls, mut traps, mut inst_failed, mut overflow) = (0, 0, 0, 0, 0);
    let mut reference_panicked = 0;
    let (mut importing, mut host_calls, mut host_traps, mut reentries, mut funcrefs) = (0, 0, 0, 0, 0);
    let mut divergences = Vec::new();
    let trace = std::env::var_os("WISP_DIFF_TRACE").is_some();
    for seed in 0..n {
        if trace {
            eprintln!("seed {seed}");
        }
        let Some(bytes) = module_of_seed(seed) else { continue };
        match compare(&bytes, seed) {
            Ok(s) => {
                compared += usize::from(s.compared);
                calls += s.calls;
                traps += s.traps;
                inst_failed += usize::from(s.instantiation_failed);
                overflow += usize::from(s.stack_overflow);
                importing += usize::from(s.imports);
                reference_panicked += usize::from(s.reference_panicked);
                host_calls += s.host_calls;
                host_traps += s.host_traps;
                reentries += s.reentries;
                funcrefs += s.funcrefs;
            }
            Err(d) => divergences.push(format!("seed {seed}: {d}")),
        }
    }
    println!(
        "{compared} modules compared in {:.1?}: {calls} calls ({traps} trapped), {inst_failed} failed to \
         instantiate alike, {overflow} stopped at a stack overflow; {importing} with imports: {host_calls} host \
         calls ({host_traps} failed on purpose, {reentries} calls back into Wasm); {funcrefs} non-null funcrefs \
         compared by identity; wasmi panicked compiling {reference_panicked} (skipped); {} divergences",
        start.elapsed(),
        divergences.len()
    );
    for d in &divergences {
        println!("  {d}");
    }
    assert!(compared as u64 > n / 2, "too few modules generated");
    assert!(divergences.is_empty(), "{} divergences, first: {}", divergences.len(), divergences[0]);
}

/// Modules in the bounded run with tail calls and wide arithmetic (`WISP_DIFF_MODULES_3`
/// overrides).
const MODULES_3: u64 = 1000;

/// Generated modules that use tail calls and wide arithmetic agree with wasmi (which runs both),
/// and enough of them use those operators for the run to mean something: the modules a
/// WebAssembly 2.0 engine cannot decode.
#[test]
fn generated_modules_with_tail_calls_and_wide_arithmetic_agree_with_wasmi() {
    on_big_stack(|| {
        let n = std::env::var("WISP_DIFF_MODULES_3").ok().and_then(|s| s.parse().ok()).unwrap_or(MODULES_3);
        let wasm2 = wisp::Engine::default();
        let (mut compared, mut calls, mut traps, mut beyond_2) = (0, 0, 0, 0);
        let mut divergences = Vec::new();
        for seed in 0..n {
            let Some(bytes) = module_of_seed_with(smith_config_3(), seed) else { continue };
            match compare(&bytes, seed) {
                Ok(s) => {
                    compared += usize::from(s.compared);
                    calls += s.calls;
                    traps += s.traps;
                    beyond_2 += usize::from(s.compared && wisp::Module::new(&wasm2, &bytes).is_err());
                }
                Err(d) => divergences.push(format!("seed {seed}: {d}")),
            }
        }
        println!(
            "{compared} modules compared ({beyond_2} of them beyond WebAssembly 2.0): {calls} calls ({traps} \
             trapped); {} divergences",
            divergences.len()
        );
        for d in &divergences {
            println!("  {d}");
        }
        assert!(compared as u64 > n / 2, "too few modules generated");
        assert!(beyond_2 > compared / 4, "only {beyond_2} of {compared} modules use tail calls or wide arithmetic");
        assert!(divergences.is_empty(), "{} divergences, first: {}", divergences.len(), divergences[0]);
    })
}
