//! The long differential run: `diff-long [FIRST_SEED] [COUNT] [CONFIG]` compares generated
//! modules on wisp and wasmi and prints every divergence with its seed (a regression test's
//! input). CONFIG picks wasm-smith's configuration: `2` (`smith_config`, the default), `3`
//! (`smith_config_3`) or `3-all` (`module_of_seed_3_all`: every 3.0 feature both engines run).
//!
//! The comparisons run in a worker process (this program again, `WISP_DIFF_WORKER` set) that
//! reports each seed on its standard output. A worker that dies (a signal: wasmi 2.0 has
//! crashed on generated 3.0 modules, see RATIONALE.md) is replaced by one that starts after the
//! seed it died on; that seed is run once more with wasmi alone, and the crash is counted as
//! wasmi's when wasmi alone dies too, as a failure of the run otherwise.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Instant;
use wisp_difftest::{compare_on, features_used, generator, on_big_stack};

const WORKER: &str = "WISP_DIFF_WORKER";
const WASMI_ONLY: &str = "WISP_DIFF_WASMI_ONLY";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: u64| args.get(i).map_or(default, |a| a.parse().expect("a number"));
    let first = number(0, 0);
    let count = number(1, 100_000);
    let name = args.get(2).map_or("2", String::as_str).to_string();
    let Some(module) = generator(&name) else {
        eprintln!("no configuration {name:?} (2, 3 or 3-all)");
        std::process::exit(2);
    };
    if std::env::var_os(WORKER).is_some() {
        let wasmi_only = std::env::var_os(WASMI_ONLY).is_some();
        on_big_stack(|| work(first, count, &name, module, wasmi_only));
    } else {
        supervise(first, count, &name);
    }
}

/// The worker: compares seeds `first..first + count` and reports each on standard output, flushed
/// before the next begins, so what it said survives its crash. Lines: `begin SEED`, then one of
/// `ok SEED COMPARED REFUSED CALLS HOST_CALLS HOST_TRAPS REENTRIES FUNCREFS WASMI_PANICKED
/// FEATURES`, `divergence SEED TEXT` or `panic SEED`.
fn work(first: u64, count: u64, name: &str, module: fn(u64) -> Option<Vec<u8>>, wasmi_only: bool) {
    let backends = if wasmi_only { Vec::new() } else { wisp_difftest::backends() };
    let mut out = std::io::stdout().lock();
    for seed in first..first + count {
        let Some(bytes) = module(seed) else { continue };
        writeln!(out, "begin {seed}").and_then(|()| out.flush()).expect("report");
        let line = match std::panic::catch_unwind(|| compare_on(&bytes, seed, &backends)) {
            Ok(Ok(s)) => {
                let compared = s.compared && !s.refused;
                let used = if compared && name != "2" { features_used(&bytes) } else { Vec::new() };
                let used: Vec<String> = used.iter().map(|f| format!("{f:?}")).collect();
                format!(
                    "ok {seed} {} {} {} {} {} {} {} {} {}",
                    u8::from(compared),
                    u8::from(s.refused),
                    s.calls,
                    s.host_calls,
                    s.host_traps,
                    s.reentries,
                    s.funcrefs,
                    u8::from(s.reference_panicked),
                    if used.is_empty() { "-".to_string() } else { used.join(",") }
                )
            }
            Ok(Err(d)) => format!("divergence {seed} {}", d.0.replace('\n', " ")),
            Err(_) => format!("panic {seed}"),
        };
        writeln!(out, "{line}").and_then(|()| out.flush()).expect("report");
    }
}

/// What the supervisor adds up from its workers' reports.
#[derive(Default)]
struct Totals {
    compared: u64,
    refused: u64,
    calls: u64,
    host_calls: u64,
    host_traps: u64,
    reentries: u64,
    funcrefs: u64,
    wasmi_panics: u64,
    beyond_2: u64,
    features: BTreeMap<String, u64>,
    divergences: Vec<u64>,
    panics: Vec<u64>,
    wasmi_crashes: Vec<u64>,
    wisp_crashes: Vec<u64>,
}

impl Totals {
    /// Adds one `ok` report (the words after the seed).
    fn add(&mut self, words: &[&str]) -> Option<()> {
        let n = |i: usize| words.get(i).and_then(|w| w.parse::<u64>().ok());
        self.compared += n(0)?;
        self.refused += n(1)?;
        self.calls += n(2)?;
        self.host_calls += n(3)?;
        self.host_traps += n(4)?;
        self.reentries += n(5)?;
        self.funcrefs += n(6)?;
        self.wasmi_panics += n(7)?;
        let features = *words.get(8)?;
        if features != "-" {
            self.beyond_2 += 1;
            for f in features.split(',') {
                *self.features.entry(f.to_string()).or_default() += 1;
            }
        }
        Some(())
    }

    fn summary(&self) -> String {
        let features: Vec<String> = self.features.iter().map(|(f, n)| format!("{f} {n}")).collect();
        format!(
            "{} modules compared ({} beyond WebAssembly 2.0: {}), {} refused by wisp, {} calls, {} host calls \
             ({} failed on purpose, {} calls back into Wasm), {} non-null funcrefs compared by identity, {} modules \
             wasmi panicked compiling (skipped), {} crashed wasmi (skipped: {:?}), {} divergences {:?}, {} panics \
             {:?}, {} crashes with wisp {:?}",
            self.compared,
            self.beyond_2,
            features.join(", "),
            self.refused,
            self.calls,
            self.host_calls,
            self.host_traps,
            self.reentries,
            self.funcrefs,
            self.wasmi_panics,
            self.wasmi_crashes.len(),
            self.wasmi_crashes,
            self.divergences.len(),
            self.divergences,
            self.panics.len(),
            self.panics,
            self.wisp_crashes.len(),
            self.wisp_crashes,
        )
    }
}

/// Starts a worker on `first..first + count`, reading its reports.
fn worker(first: u64, count: u64, name: &str, wasmi_only: bool) -> std::process::Child {
    let mut command = Command::new(std::env::current_exe().expect("this program's path"));
    command.args([first.to_string(), count.to_string(), name.to_string()]).env(WORKER, "1");
    if wasmi_only {
        command.env(WASMI_ONLY, "1");
    }
    command.stdout(Stdio::piped()).spawn().expect("start a worker")
}

/// Whether wasmi alone dies on `seed`.
fn wasmi_dies_on(seed: u64, name: &str) -> bool {
    let child = worker(seed, 1, name, true);
    let status = child.wait_with_output().expect("wait for the worker").status;
    !status.success()
}

fn supervise(first: u64, count: u64, name: &str) {
    let start = Instant::now();
    let end = first + count;
    let mut totals = Totals::default();
    let mut next = first;
    let mut reported = first;
    while next < end {
        let mut child = worker(next, end - next, name, false);
        let mut running = None;
        for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
            let line = line.expect("a worker's report");
            let mut words = line.splitn(3, ' ');
            let (kind, seed) = (words.next().unwrap_or(""), words.next().and_then(|s| s.parse::<u64>().ok()));
            let Some(seed) = seed else {
                panic!("a worker's report: {line:?}");
            };
            match kind {
                "begin" => {
                    running = Some(seed);
                    continue;
                }
                "ok" => {
                    let rest: Vec<&str> = words.next().unwrap_or("").split(' ').collect();
                    totals.add(&rest).unwrap_or_else(|| panic!("a worker's report: {line:?}"));
                    running = None;
                }
                "divergence" => {
                    println!("DIVERGENCE seed {seed}: {}", words.next().unwrap_or(""));
                    totals.divergences.push(seed);
                    running = None;
                }
                "panic" => {
                    println!("PANIC seed {seed}");
                    totals.panics.push(seed);
                    running = None;
                }
                _ => panic!("a worker's report: {line:?}"),
            }
            while reported + 10_000 <= seed + 1 {
                reported += 10_000;
                println!("{} seeds: {}, {:.0?}", reported - first, totals.summary(), start.elapsed());
            }
        }
        let status = child.wait().expect("wait for the worker");
        if status.success() {
            break;
        }
        let Some(seed) = running else {
            eprintln!("a worker failed between seeds ({status}); stopping");
            std::process::exit(2);
        };
        if wasmi_dies_on(seed, name) {
            println!("WASMI CRASH seed {seed} ({status}; wasmi alone dies too)");
            totals.wasmi_crashes.push(seed);
        } else {
            println!("CRASH seed {seed} ({status}; wasmi alone does not)");
            totals.wisp_crashes.push(seed);
        }
        next = seed + 1;
    }
    println!("done ({name}): seeds {first}..{end}, {}, {:.1?}", totals.summary(), start.elapsed());
    if !(totals.divergences.is_empty() && totals.panics.is_empty() && totals.wisp_crashes.is_empty()) {
        std::process::exit(1);
    }
}
