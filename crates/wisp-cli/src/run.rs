//! `wisp run`: a WASI command's `_start`, with stdio inherited and the guest's exit status
//! passed through.

use crate::error::{Class, CliError, CliResult};
use crate::host::{self, HostOptions, Outcome};
use clap::Args;
use std::path::PathBuf;
use wisp::ExternType;

#[derive(Debug, Args)]
#[command(override_usage = "wisp run [OPTIONS] <FILE> [ARGS]...")]
pub struct RunArgs {
    #[command(flatten)]
    pub host: HostOptions,

    /// FILE, the WASI command module (exports `_start`), then ARGS for the guest, whose argv[0]
    /// is FILE as given. wisp's options go before FILE: everything after it is the guest's.
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true, value_name = "FILE [ARGS]")]
    pub command: Vec<String>,
}

impl RunArgs {
    fn file(&self) -> PathBuf {
        PathBuf::from(&self.command[0])
    }
}

/// Runs the command; the result is the process's exit status.
pub fn run(a: &RunArgs) -> CliResult<i32> {
    crate::host::reject_option_as_file(&a.command[0])?;
    let file = a.file();
    let engine = host::engine(&a.host);
    let bytes = host::read_file(&file)?;
    let module = host::load_module(&engine, &file, &bytes)?;
    drop(bytes);
    let name = file.display().to_string();
    // Checked before instantiation, so a reactor's `start` never runs by mistake.
    match module.get_export("_start") {
        Some(ExternType::Func(ty)) if ty.params().is_empty() && ty.results().is_empty() => {}
        Some(ExternType::Func(ty)) => {
            return Err(CliError::new(
                Class::UnknownExport,
                format!("{name}: `_start` has type {ty}, expected () -> ()"),
            ))
        }
        Some(_) => return Err(CliError::new(Class::UnknownExport, format!("{name}: `_start` is not a function"))),
        None => {
            let hint = if module.get_export("_initialize").is_some() {
                " (it is a reactor: call its exports with `wisp invoke`)"
            } else {
                ""
            };
            return Err(CliError::new(
                Class::UnknownExport,
                format!("{name}: no `_start` export, not a WASI command{hint}"),
            ));
        }
    }
    let ctx = host::wasi_ctx(&a.command, &a.host)?;
    let (mut store, instance) = host::instantiate(&engine, &module, &file, ctx, &a.host)?;
    let instance = match instance {
        Outcome::Done(i) => i,
        Outcome::Exit(code) => return Ok(code),
    };
    let start = instance
        .get_func(&store, "_start")
        .ok_or_else(|| CliError::new(Class::UnknownExport, format!("{name}: no `_start` export")))?;
    let result = start.call(&mut store, &[], &mut []);
    match host::outcome(&name, result)? {
        Outcome::Done(()) => Ok(0),
        Outcome::Exit(code) => Ok(code),
    }
}
