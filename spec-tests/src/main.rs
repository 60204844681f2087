//! `cargo run --release -p wisp-spec-tests -- [--suite wasm-v1|wasm-v2|wasm-v3] [--proposal NAME]
//! [--dispatch portable|threaded] [--plain] [--write-csv] [--decode-only] [--verbose] [FILE_FILTER]`
//!
//! Scripts run on the engine's default dispatch backend with fuel metering and interruption
//! checks compiled in; `--dispatch` picks the backend, `--plain` leaves both checks out.
//!
//! Prints one line per file, then the message tally, and as its last line
//! `N passed, M failed, K skipped`; exits 1 when anything failed.

use std::process::ExitCode;
use wisp_spec_tests::{csv, run_wast_with, Backend, FileReport, Mode, NoExecution, Suite, Totals, WispBackend};

const USAGE: &str = "usage: wisp-spec-tests [--suite wasm-v1|wasm-v2|wasm-v3] [--proposal NAME] [--dispatch portable|threaded] [--plain] [--write-csv] [--decode-only] [--no-exec] [--verbose] [FILE_FILTER]";

fn main() -> ExitCode {
    let mut suite = Suite::WasmV2;
    let mut filter: Option<String> = None;
    let mut write_csv = false;
    let mut verbose = false;
    let mut mode = Mode::Validate;
    let mut execute = true;
    let mut dispatch = wisp::Dispatch::default();
    let mut instrumented = true;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--suite" | "--proposal" => {
                let Some(name) = args.next() else {
                    eprintln!("{arg} needs a value\n{USAGE}");
                    return ExitCode::from(2);
                };
                let parsed =
                    if arg == "--suite" { Suite::from_name(&name) } else { name.parse().ok().map(Suite::Proposal) };
                match parsed {
                    Some(s) => suite = s,
                    None => {
                        eprintln!("unknown {}: {name}\n{USAGE}", &arg[2..]);
                        return ExitCode::from(2);
                    }
                }
            }
            "--dispatch" => {
                dispatch = match args.next().as_deref() {
                    Some("portable") => wisp::Dispatch::Portable,
                    Some("threaded") if wisp::Dispatch::THREADED_AVAILABLE => wisp::Dispatch::Threaded,
                    Some("threaded") => {
                        eprintln!("the threaded backend is not compiled into this build (optimization level 0)");
                        return ExitCode::from(2);
                    }
                    _ => {
                        eprintln!("--dispatch needs portable or threaded\n{USAGE}");
                        return ExitCode::from(2);
                    }
                }
            }
            "--plain" => instrumented = false,
            "--write-csv" => write_csv = true,
            "--decode-only" => mode = Mode::DecodeOnly,
            "--no-exec" => execute = false,
            "--verbose" | "-v" => verbose = true,
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ if arg.starts_with('-') => {
                eprintln!("unknown option {arg}\n{USAGE}");
                return ExitCode::from(2);
            }
            _ => filter = Some(arg),
        }
    }

    let features = suite.features();
    let mut reports: Vec<FileReport> = Vec::new();
    let mut totals = Totals::default();
    for file in suite.files() {
        if filter.as_deref().is_some_and(|f| !file.name.contains(f)) {
            continue;
        }
        // A fresh engine per script, as the reference interpreter starts each script afresh.
        let mut backend: Box<dyn Backend> = if execute {
            Box::new(WispBackend::variant(features, dispatch, instrumented))
        } else {
            Box::new(NoExecution)
        };
        let report = run_wast_with(&file.name, file.source, features, mode, backend.as_mut());
        print_report(&report, verbose);
        totals.add(&report);
        reports.push(report);
    }

    if write_csv {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("results");
        let path = dir.join(format!("{}.csv", suite.name()));
        if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, csv(&reports))) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
        println!("wrote {}", path.display());
    }
    let how = match (execute, instrumented) {
        (false, _) => "not executed".to_string(),
        (true, true) => format!("{dispatch:?} backend with fuel and interruption"),
        (true, false) => format!("{dispatch:?} backend plain"),
    };
    println!("suite: {suite}, {} files, {how}", reports.len());
    println!(
        "messages: {} of {} rejections matched the expected text ({} text modules rejected by the text parser)",
        totals.messages_matched, totals.rejections, totals.rejected_by_text_parser
    );
    println!("{} passed, {} failed, {} skipped", totals.passed, totals.failed, totals.skipped);
    if totals.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn print_report(r: &FileReport, verbose: bool) {
    let status = if r.failed > 0 { "FAIL" } else { "ok  " };
    let mut line = format!("{status} {:<32} {} passed, {} failed, {} skipped", r.name, r.passed, r.failed, r.skipped);
    if let Some(f) = r.failures.first() {
        line.push_str(&format!("; first failure: line {}: {}: {}", f.line, f.directive, f.message));
    }
    println!("{line}");
    if verbose {
        for f in r.failures.iter().skip(1) {
            println!("     line {}: {}: {}", f.line, f.directive, f.message);
        }
        for m in &r.message_mismatches {
            println!("     message at line {}: expected \"{}\", got \"{}\"", m.line, m.expected, m.actual);
        }
    }
}
