//! The bounded differential run: generated modules on wisp and wasmi must agree.

use std::collections::BTreeMap;
use std::time::Instant;
use wisp_difftest::{
    compare, features_used, module_of_seed, module_of_seed_3_all, module_of_seed_with, on_big_stack, smith_config_3,
    Feature,
};

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

/// Modules in the bounded run with every 3.0 feature both engines execute
/// (`WISP_DIFF_MODULES_3_ALL` overrides).
const MODULES_3_ALL: u64 = 600;

/// Generated modules with SIMD, relaxed SIMD, several and 64-bit memories, custom page sizes,
/// extended constants, tail calls and wide arithmetic (`module_of_seed_3_all`: half of them
/// without SIMD) agree with wasmi, and the generator keeps
/// producing each feature (what an independent validator, wasmparser, rejects without it).
/// Modules wisp refuses (SIMD on another memory than a 32-bit memory 0, until its SIMD accesses
/// carry a memory index and an address width) are counted apart.
#[test]
fn generated_modules_with_every_shared_3_0_feature_agree_with_wasmi() {
    on_big_stack(|| {
        let n = std::env::var("WISP_DIFF_MODULES_3_ALL").ok().and_then(|s| s.parse().ok()).unwrap_or(MODULES_3_ALL);
        let start = Instant::now();
        let (mut compared, mut calls, mut traps, mut refused, mut beyond_2) = (0u64, 0, 0, 0u64, 0u64);
        let mut features: BTreeMap<Feature, u64> = BTreeMap::new();
        let mut divergences = Vec::new();
        for seed in 0..n {
            let Some(bytes) = module_of_seed_3_all(seed) else { continue };
            match compare(&bytes, seed) {
                Ok(s) if s.refused => refused += 1,
                Ok(s) => {
                    compared += u64::from(s.compared);
                    calls += s.calls;
                    traps += s.traps;
                    let used = if s.compared { features_used(&bytes) } else { Vec::new() };
                    beyond_2 += u64::from(!used.is_empty());
                    for f in used {
                        *features.entry(f).or_default() += 1;
                    }
                }
                Err(d) => divergences.push(format!("seed {seed}: {d}")),
            }
        }
        println!(
            "{compared} modules compared in {:.1?} ({beyond_2} beyond WebAssembly 2.0: {features:?}), {refused} \
             refused by wisp; {calls} calls ({traps} trapped); {} divergences",
            start.elapsed(),
            divergences.len()
        );
        for d in &divergences {
            println!("  {d}");
        }
        assert!(compared + refused > n / 2, "too few modules generated");
        assert!(compared > n / 4, "only {compared} modules compared ({refused} refused)");
        assert!(beyond_2 > compared / 2, "only {beyond_2} of {compared} modules use a 3.0 feature");
        for f in Feature::ALL {
            let k = features.get(&f).copied().unwrap_or(0);
            assert!(k * 50 >= compared, "only {k} of {compared} compared modules use {f:?}");
        }
        assert!(divergences.is_empty(), "{} divergences, first: {}", divergences.len(), divergences[0]);
    })
}
