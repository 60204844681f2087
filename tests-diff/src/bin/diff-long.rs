//! The long differential run: `diff-long [FIRST_SEED] [COUNT] [CONFIG]` compares generated
//! modules on wisp and wasmi and prints every divergence with its seed (a regression test's
//! input). CONFIG picks wasm-smith's configuration: `2` (`smith_config`, the default), `3`
//! (`smith_config_3`) or `3-all` (`module_of_seed_3_all`: every 3.0 feature both engines run).
//! `WISP_DIFF_TRACE=1` prints each seed before it runs (to find one that kills the process).

use std::collections::BTreeMap;
use std::time::Instant;
use wisp_difftest::{
    compare, features_used, module_of_seed_3_all, module_of_seed_with, on_big_stack, smith_config, smith_config_3,
    Feature,
};

fn main() {
    on_big_stack(run)
}

fn run() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: u64| args.get(i).map_or(default, |a| a.parse().expect("a number"));
    let first = number(0, 0);
    let count = number(1, 100_000);
    let name = args.get(2).map_or("2", String::as_str);
    let module: fn(u64) -> Option<Vec<u8>> = match name {
        "2" => |seed| module_of_seed_with(smith_config(), seed),
        "3" => |seed| module_of_seed_with(smith_config_3(), seed),
        "3-all" => module_of_seed_3_all,
        other => panic!("no configuration {other:?} (2, 3 or 3-all)"),
    };
    let trace = std::env::var_os("WISP_DIFF_TRACE").is_some();
    let start = Instant::now();
    let (mut compared, mut calls, mut divergences, mut panics) = (0u64, 0u64, 0u64, 0u64);
    let (mut host_calls, mut host_traps, mut reentries, mut funcrefs, mut wasmi_panics) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let (mut refused, mut beyond_2) = (0u64, 0u64);
    let mut features: BTreeMap<Feature, u64> = BTreeMap::new();
    let summary = |features: &BTreeMap<Feature, u64>| {
        features.iter().map(|(f, n)| format!("{f:?} {n}")).collect::<Vec<_>>().join(", ")
    };
    for seed in first..first + count {
        if trace {
            eprintln!("seed {seed}");
        }
        let Some(bytes) = module(seed) else { continue };
        match std::panic::catch_unwind(|| compare(&bytes, seed)) {
            Ok(Ok(s)) => {
                compared += u64::from(s.compared && !s.refused);
                refused += u64::from(s.refused);
                calls += s.calls as u64;
                host_calls += s.host_calls;
                host_traps += s.host_traps;
                reentries += s.reentries;
                funcrefs += s.funcrefs;
                wasmi_panics += u64::from(s.reference_panicked);
                if s.compared && !s.refused && name != "2" {
                    let used = features_used(&bytes);
                    beyond_2 += u64::from(!used.is_empty());
                    for f in used {
                        *features.entry(f).or_default() += 1;
                    }
                }
            }
            Ok(Err(d)) => {
                divergences += 1;
                println!("DIVERGENCE seed {seed}: {d}");
            }
            Err(_) => {
                panics += 1;
                println!("PANIC seed {seed}");
            }
        }
        if (seed - first + 1) % 10_000 == 0 {
            println!(
                "{} seeds, {compared} modules compared ({beyond_2} beyond 2.0: {}), {refused} refused by wisp, \
                 {calls} calls, {host_calls} host calls ({host_traps} failed, {reentries} re-entries), {funcrefs} \
                 funcrefs, {wasmi_panics} wasmi panics, {divergences} divergences, {panics} panics, {:.0?}",
                seed - first + 1,
                summary(&features),
                start.elapsed()
            );
        }
    }
    println!(
        "done ({name}): seeds {first}..{}, {compared} modules compared ({beyond_2} beyond WebAssembly 2.0: {}), \
         {refused} refused by wisp (SIMD with multi-memory or memory64), {calls} calls, {host_calls} host calls \
         ({host_traps} failed on purpose, {reentries} calls back into Wasm), {funcrefs} non-null funcrefs compared \
         by identity, {wasmi_panics} modules wasmi panicked compiling (skipped), {divergences} divergences, \
         {panics} panics, {:.1?}",
        first + count,
        summary(&features),
        start.elapsed()
    );
    if divergences + panics > 0 {
        std::process::exit(1);
    }
}
