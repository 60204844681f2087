//! The long differential run: `diff-long [FIRST_SEED] [COUNT]` compares generated modules on
//! wisp and wasmi and prints every divergence with its seed (a regression test's input).
//! `WISP_DIFF_TRACE=1` prints each seed before it runs (to find one that kills the process).

use std::time::Instant;
use wisp_difftest::{compare, module_of_seed, on_big_stack};

fn main() {
    on_big_stack(run)
}

fn run() {
    let args: Vec<u64> = std::env::args().skip(1).map(|a| a.parse().expect("a number")).collect();
    let first = args.first().copied().unwrap_or(0);
    let count = args.get(1).copied().unwrap_or(100_000);
    let trace = std::env::var_os("WISP_DIFF_TRACE").is_some();
    let start = Instant::now();
    let (mut compared, mut calls, mut divergences, mut panics) = (0u64, 0u64, 0u64, 0u64);
    let (mut host_calls, mut host_traps, mut reentries, mut funcrefs, mut wasmi_panics) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    for seed in first..first + count {
        if trace {
            eprintln!("seed {seed}");
        }
        let Some(bytes) = module_of_seed(seed) else { continue };
        match std::panic::catch_unwind(|| compare(&bytes, seed)) {
            Ok(Ok(s)) => {
                compared += u64::from(s.compared);
                calls += s.calls as u64;
                host_calls += s.host_calls;
                host_traps += s.host_traps;
                reentries += s.reentries;
                funcrefs += s.funcrefs;
                wasmi_panics += u64::from(s.reference_panicked);
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
                "{} seeds, {compared} modules compared, {calls} calls, {host_calls} host calls ({host_traps} \
                 failed, {reentries} re-entries), {funcrefs} funcrefs, {wasmi_panics} wasmi panics, {divergences} \
                 divergences, {panics} panics, {:.0?}",
                seed - first + 1,
                start.elapsed()
            );
        }
    }
    println!(
        "done: seeds {first}..{}, {compared} modules compared, {calls} calls, {host_calls} host calls ({host_traps} \
         failed on purpose, {reentries} calls back into Wasm), {funcrefs} non-null funcrefs compared by identity, \
         {wasmi_panics} modules wasmi panicked compiling (skipped), {divergences} divergences, {panics} panics, {:.1?}",
        first + count,
        start.elapsed()
    );
    if divergences + panics > 0 {
        std::process::exit(1);
    }
}
