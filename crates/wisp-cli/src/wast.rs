//! `wisp wast`: spec scripts run on wisp with the spec-tests runner (the same library the
//! testsuite's own tests use), one `N passed, M failed` line per file and a total.

use crate::error::{Class, CliError, CliResult};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use wisp_decoder::Features;
use wisp_spec_tests::{run_wast_with, FileReport, Mode, WispBackend};

#[derive(Debug, Args)]
pub struct WastArgs {
    /// Print every failure (default: the first 10 of each file).
    #[arg(short, long)]
    pub verbose: bool,

    /// The scripts.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

const SHOWN_FAILURES: usize = 10;

/// Runs every script. Exit status: 0 when all passed, 1 when a check failed, 66 when a file
/// could not be read (the others still run).
pub fn wast(a: &WastArgs) -> CliResult<i32> {
    let features = Features::wasm2();
    let mut total = FileReport::default();
    let mut unreadable: Option<Class> = None;
    let mut out = std::io::stdout().lock();
    for path in &a.files {
        let name = path.display().to_string();
        let source = match std::fs::read(path) {
            // Bad UTF-8 becomes U+FFFD, which the script parser then reports as a failure.
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => {
                report_now(&mut out, CliError::io(path, &e), &mut unreadable);
                continue;
            }
        };
        // A fresh engine per script, as the reference interpreter starts each script afresh.
        let mut backend = WispBackend::new(features);
        let r = run_wast_with(&name, &source, features, Mode::Validate, &mut backend);
        let skipped = if r.skipped > 0 { format!(", {} skipped", r.skipped) } else { String::new() };
        let _ = writeln!(out, "{name}: {} passed, {} failed{skipped}", r.passed, r.failed);
        let limit = if a.verbose { usize::MAX } else { SHOWN_FAILURES };
        for f in r.failures.iter().take(limit) {
            let _ = writeln!(out, "  {name}:{}: {}: {}", f.line, f.directive, f.message);
        }
        if r.failures.len() > limit {
            let _ = writeln!(out, "  ... {} more (--verbose shows all)", r.failures.len() - limit);
        }
        total.passed += r.passed;
        total.failed += r.failed;
        total.skipped += r.skipped;
    }
    if a.files.len() > 1 {
        let skipped = if total.skipped > 0 { format!(", {} skipped", total.skipped) } else { String::new() };
        let _ = writeln!(out, "total: {} passed, {} failed{skipped}", total.passed, total.failed);
    }
    let _ = out.flush();
    if let Some(class) = unreadable {
        return Ok(class.exit_code().into());
    }
    Ok(if total.failed > 0 { Class::WastFailed.exit_code().into() } else { 0 })
}

/// Prints an unreadable file's error now, in order with the reports, and keeps the first
/// one's class for the exit status.
fn report_now(out: &mut impl Write, e: CliError, first: &mut Option<Class>) {
    let _ = out.flush();
    let _ = writeln!(std::io::stderr(), "error: {e}");
    first.get_or_insert(e.class);
}
