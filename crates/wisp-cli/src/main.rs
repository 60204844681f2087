//! `wisp`: run WASI commands, call exports, run spec scripts and inspect modules with the wisp
//! WebAssembly interpreter.

#![forbid(unsafe_code)]

mod error;
mod host;
mod inspect;
mod invoke;
mod run;
mod snapshot;
mod values;
mod wast;

use clap::{Parser, Subcommand};
use error::{Class, CliError, EXIT_CODES};
use std::io::Write;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

#[derive(Debug, Parser)]
#[command(
    name = "wisp",
    version,
    about = "A WebAssembly interpreter: run WASI commands, call exports, run spec scripts, inspect modules",
    after_help = EXIT_CODES,
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a WASI command (its `_start`) with stdio inherited; exit with the guest's exit code.
    #[command(after_help = EXIT_CODES)]
    Run(run::RunArgs),
    /// Call an exported function with arguments and print its results, one per line.
    #[command(after_help = EXIT_CODES)]
    Invoke(invoke::InvokeArgs),
    /// Run .wast spec scripts and print `N passed, M failed` per file and in total.
    #[command(after_help = EXIT_CODES)]
    Wast(wast::WastArgs),
    /// Describe a module: imports, exports, memories, tables, counts, custom sections, validity.
    #[command(after_help = EXIT_CODES)]
    Inspect(inspect::InspectArgs),
    /// Initialize a reactor (`_initialize`, then --warm-up) and write a module that starts
    /// where it left off: memory and globals as initialized, `_initialize` a no-op.
    #[command(after_help = EXIT_CODES)]
    Snapshot(snapshot::SnapshotArgs),
}

/// Deep guest code runs on wisp's own stacks, but decoding and validating big modules gets a
/// generous Rust stack anyway.
const WORKER_STACK: usize = 64 << 20;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // Help and version go to stdout with status 0; usage errors to stderr.
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(Class::Usage.exit_code()) } else { ExitCode::SUCCESS };
        }
    };

    // A panic is a bug in wisp: report it in one line at the end, not as Rust's panic message.
    let panic_message: Arc<Mutex<Option<String>>> = Arc::default();
    let slot = Arc::clone(&panic_message);
    std::panic::set_hook(Box::new(move |info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_string());
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        if let Ok(mut s) = slot.lock() {
            // The last panic is the one that ended the worker (the spec runner catches others).
            *s = Some(format!("{what}{at}"));
        }
    }));

    let worker = std::thread::Builder::new().name("wisp".into()).stack_size(WORKER_STACK).spawn(move || dispatch(&cli));
    let result = match worker {
        Ok(handle) => match handle.join() {
            Ok(r) => r,
            Err(_) => {
                let msg = panic_message.lock().ok().and_then(|s| s.clone()).unwrap_or_else(|| "panic".into());
                Err(CliError::new(Class::Internal, format!("internal error (a bug in wisp): {msg}")))
            }
        },
        Err(e) => Err(CliError::new(Class::Internal, format!("cannot start a thread: {e}"))),
    };
    let _ = std::io::stdout().flush();
    match result {
        // Statuses outside 0..=255 keep their low 8 bits, as a native process's would.
        Ok(status) => ExitCode::from(status as u8),
        Err(e) => {
            // Not eprintln!, which panics when stderr is closed.
            let _ = writeln!(std::io::stderr(), "error: {e}");
            ExitCode::from(e.class.exit_code())
        }
    }
}

fn dispatch(cli: &Cli) -> Result<i32, CliError> {
    match &cli.command {
        Command::Run(a) => run::run(a),
        Command::Invoke(a) => invoke::invoke(a),
        Command::Wast(a) => wast::wast(a),
        Command::Inspect(a) => inspect::inspect(a),
        Command::Snapshot(a) => snapshot::snapshot(a),
    }
}
