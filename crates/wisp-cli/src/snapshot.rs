//! `wisp snapshot`: run a reactor's `_initialize` (and an optional warm-up export) once, then
//! write a standard module holding the initialized memory and globals, whose `_initialize`
//! does nothing (`wisp::Snapshot::to_wasm`). wisp, or any engine, then calls its exports
//! without starting the Go runtime again.
//!
//! What the guest read from the host during initialization is baked in: its arguments and
//! environment (`--env`, FILE as argv[0]), the names and fds of its preopens (`--dir`: give
//! the snapshot the same directories when running it), random seeds (shared by every run of
//! the snapshot; `crypto/rand` still reads the host each time). The monotonic clock runs from
//! zero during initialization, and sleeps take no time, so any host's monotonic clock is
//! later than every time the guest recorded.

use crate::error::{from_wisp, Class, CliError, CliResult};
use crate::host::{self, HostOptions};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;
use wisp::{ExternType, Linker};
use wisp_wasi::{GoReactor, ReactorError, VirtualClock};

#[derive(Debug, Args)]
#[command(override_usage = "wisp snapshot [OPTIONS] <FILE> -o <OUTPUT>")]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub host: HostOptions,

    /// Where to write the initialized module.
    #[arg(short = 'o', long = "output", value_name = "OUTPUT")]
    pub output: PathBuf,

    /// An export, `() -> ()`, to call once after `_initialize` and before the snapshot.
    #[arg(long = "warm-up", value_name = "EXPORT")]
    pub warm_up: Option<String>,

    /// The reactor module (exports `_initialize`, or nothing to initialize).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

pub fn snapshot(a: &SnapshotArgs) -> CliResult<i32> {
    host::reject_option_as_file(&a.file.display().to_string())?;
    let name = a.file.display().to_string();
    let engine = host::engine(&a.host);
    let bytes = host::read_file(&a.file)?;
    let module = host::load_module(&engine, &a.file, &bytes)?;
    drop(bytes);
    if module.get_export("_start").is_some() {
        return Err(CliError::new(
            Class::UnknownExport,
            format!("{name}: exports `_start`: a WASI command, not a reactor; only reactors can be snapshotted"),
        ));
    }
    if !matches!(module.get_export("memory"), Some(ExternType::Memory(_))) {
        return Err(CliError::new(Class::UnknownExport, format!("{name}: no exported `memory`")));
    }
    let wasi = host::wasi_builder(&[name.clone()], &a.host)?.monotonic_clock(VirtualClock::new(Duration::ZERO));
    let store = host::store(&engine, wasi.build(), &a.host)?;
    let mut linker: Linker<host::Host> = Linker::new(&engine);
    wisp_wasi::add_to_linker(&mut linker, |h: &mut host::Host| &mut h.wasi)
        .map_err(|e| CliError::new(Class::Internal, format!("cannot define WASI: {e}")))?;
    let mut builder = GoReactor::builder();
    if let Some(w) = &a.warm_up {
        builder = builder.warm_up(w.clone());
    }
    let pre = builder.pre_in(store, &linker, &module, |h: &mut host::Host| &mut h.wasi).map_err(|e| match e {
        ReactorError::Wasm(e) => from_wisp(&name, e),
        ReactorError::Exit(code) => {
            CliError::new(Class::Runtime, format!("{name}: the guest exited with {code} while initializing"))
        }
        other => CliError::new(Class::Trap, format!("{name}: {other}")),
    })?;
    let out = pre.snapshot().to_wasm().map_err(|e| CliError::new(Class::Runtime, format!("{name}: {e}")))?;
    // What is written must load: checked here rather than found out by whoever runs it.
    wisp::Module::validate(&engine, &out).map_err(|e| {
        CliError::new(Class::Internal, format!("internal error (a bug in wisp): the snapshot does not validate: {e}"))
    })?;
    std::fs::write(&a.output, &out).map_err(|e| CliError::io(&a.output, &e))?;
    let _ = writeln!(
        std::io::stderr(),
        "wrote {} ({} bytes; {} initialized memory bytes)",
        a.output.display(),
        out.len(),
        pre.snapshot().memory(0).map_or(0, <[u8]>::len)
    );
    Ok(0)
}
