//! `wisp invoke`: instantiate with WASI, initialize a reactor, call one export with arguments
//! parsed by its parameter types, print its results one per line.

use crate::error::{Class, CliError, CliResult};
use crate::host::{self, HostOptions, Outcome};
use crate::values::{format_val, parse_val};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use wisp::{ExternType, FuncType, Module, Val};

#[derive(Debug, Args)]
#[command(override_usage = "wisp invoke [OPTIONS] <FILE> <EXPORT> [ARGS]...")]
pub struct InvokeArgs {
    #[command(flatten)]
    pub host: HostOptions,

    /// Do not call `_initialize` before the export, even when the module exports it.
    #[arg(long)]
    pub no_init: bool,

    /// Print decode+validate, translate, instantiate, initialize and call times to stderr
    /// (translates every function up front, so the call time excludes translation).
    #[arg(long)]
    pub time: bool,

    /// FILE, the module; EXPORT, the function to call; ARGS, one per parameter: integers in
    /// decimal or 0x hex (negative allowed), floats in decimal, 0x hex float, inf, nan. wisp's
    /// options go before FILE: everything after it is EXPORT and ARGS.
    #[arg(required = true, num_args = 1.., trailing_var_arg = true, allow_hyphen_values = true, value_name = "FILE EXPORT [ARGS]")]
    pub operands: Vec<String>,
}

/// Runs the call; the result is the process's exit status (0, or the guest's exit code).
pub fn invoke(a: &InvokeArgs) -> CliResult<i32> {
    if let Some(first) = a.operands.first() {
        host::reject_option_as_file(first)?;
    }
    let (file, export, args) = match a.operands.as_slice() {
        [file, export, args @ ..] => (PathBuf::from(file), export.as_str(), args),
        _ => {
            return Err(CliError::new(
                Class::Usage,
                "missing EXPORT after FILE (`wisp inspect FILE` lists the exports)",
            ))
        }
    };
    let mut times: Vec<(&str, Duration)> = Vec::new();
    let engine = host::engine(&a.host);
    let bytes = host::read_file(&file)?;
    let t = Instant::now();
    let module = host::load_module(&engine, &file, &bytes)?;
    times.push(("decode+validate", t.elapsed()));
    drop(bytes);
    let name = file.display().to_string();

    // Everything the command line alone can get wrong is reported before any guest code runs.
    let ty = export_func_type(&module, &name, export)?;
    let params = parse_args(&ty, export, args)?;

    if a.time {
        let t = Instant::now();
        module.translate_all();
        times.push(("translate", t.elapsed()));
    }
    let ctx = host::wasi_ctx(std::slice::from_ref(&name), &a.host)?;
    let t = Instant::now();
    let (mut store, instance) = host::instantiate(&engine, &module, &file, ctx, &a.host)?;
    times.push(("instantiate", t.elapsed()));
    let instance = match instance {
        Outcome::Done(i) => i,
        Outcome::Exit(code) => return finish(a.time, &times, code),
    };

    if !a.no_init && export != "_initialize" {
        if let Some(init) = instance.get_func(&store, "_initialize") {
            let t = Instant::now();
            let r = init.call(&mut store, &[], &mut []);
            times.push(("_initialize", t.elapsed()));
            if let Outcome::Exit(code) = host::outcome(&format!("{name}: _initialize"), r)? {
                return finish(a.time, &times, code);
            }
        }
    }

    let func = instance
        .get_func(&store, export)
        .ok_or_else(|| CliError::new(Class::UnknownExport, format!("{name}: no exported function `{}`", export)))?;
    let mut results: Vec<Val> = ty.results().iter().map(|&t| Val::default_for(t)).collect();
    let t = Instant::now();
    let r = func.call(&mut store, &params, &mut results);
    times.push(("call", t.elapsed()));
    if let Outcome::Exit(code) = host::outcome(&format!("{name}: {}", export), r)? {
        return finish(a.time, &times, code);
    }
    let mut out = std::io::stdout().lock();
    for v in &results {
        // A closed stdout (`| head`) is not the guest's failure; stop printing quietly.
        if writeln!(out, "{}", format_val(v)).is_err() {
            break;
        }
    }
    let _ = out.flush();
    finish(a.time, &times, 0)
}

fn finish(time: bool, times: &[(&str, Duration)], code: i32) -> CliResult<i32> {
    if time {
        let mut err = std::io::stderr().lock();
        for (what, d) in times {
            let _ = writeln!(err, "{what:>16}: {:>10.3} ms", d.as_secs_f64() * 1e3);
        }
    }
    Ok(code)
}

/// The type of the exported function `export`, or why it cannot be called.
fn export_func_type(module: &Module, name: &str, export: &str) -> CliResult<FuncType> {
    match module.get_export(export) {
        Some(ExternType::Func(ty)) => Ok(ty),
        Some(other) => {
            let kind = match other {
                ExternType::Table(_) => "a table",
                ExternType::Memory(_) => "a memory",
                ExternType::Global(_) => "a global",
                ExternType::Tag(_) => "a tag",
                ExternType::Func(_) => "a function",
                _ => "not a function",
            };
            Err(CliError::new(Class::UnknownExport, format!("{name}: export `{export}` is {kind}, not a function")))
        }
        None => {
            let funcs: Vec<&str> =
                module.exports().filter(|(_, t)| matches!(t, ExternType::Func(_))).map(|(n, _)| n).collect();
            let shown: Vec<&str> = funcs.iter().copied().take(12).collect();
            let more = if funcs.len() > shown.len() { ", ..." } else { "" };
            let list = if funcs.is_empty() { "none".to_string() } else { format!("{}{more}", shown.join(", ")) };
            Err(CliError::new(
                Class::UnknownExport,
                format!("{name}: no export named `{export}` (exported functions: {list})"),
            ))
        }
    }
}

/// The command-line arguments as values of the function's parameter types.
pub fn parse_args(ty: &FuncType, export: &str, args: &[String]) -> CliResult<Vec<Val>> {
    let params = ty.params();
    if params.len() != args.len() {
        let plural = if params.len() == 1 { "" } else { "s" };
        return Err(CliError::new(
            Class::BadArguments,
            format!("`{export}` takes {} argument{plural} {ty}, {} given", params.len(), args.len()),
        ));
    }
    params
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (&p, text))| {
            parse_val(p, text).map_err(|why| {
                CliError::new(Class::BadArguments, format!("argument {} of `{export}` ({p}): {why}", i + 1))
            })
        })
        .collect()
}
