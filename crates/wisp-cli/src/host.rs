//! What `run` and `invoke` share: the engine from the limit options, the WASI context from the
//! `--dir`/`--env` options, loading a module, and instantiating it with WASI linked.

use crate::error::{from_wisp, io_reason, Class, CliError, CliResult};
use clap::Args;
use std::path::{Path, PathBuf};
use wisp::{Config, Engine, Instance, Linker, Module, Store, StoreLimits, StoreLimitsBuilder};
use wisp_wasi::WasiCtx;

/// What the CLI's stores hold: the guest's WASI context and its resource limits.
pub struct Host {
    pub wasi: WasiCtx,
    limits: StoreLimits,
}

/// Options of the guest's sandbox and of the engine, for `run` and `invoke`.
#[derive(Debug, Clone, Default, Args)]
pub struct HostOptions {
    /// Grant the guest a host directory, as GUEST (default: the same path). Repeatable.
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    pub dirs: Vec<String>,

    /// Like --dir, but the guest cannot create, write, rename or remove anything under it.
    #[arg(long = "dir-ro", value_name = "HOST[::GUEST]")]
    pub dirs_ro: Vec<String>,

    /// Set an environment variable for the guest (KEY alone: take the host's value). Repeatable.
    #[arg(long = "env", value_name = "KEY=VALUE")]
    pub envs: Vec<String>,

    /// Give the guest the whole host environment (--env entries override it).
    #[arg(long)]
    pub inherit_env: bool,

    /// Value-stack size in 64-bit slots (default 1048576, i.e. 8 MiB); deeper code traps.
    #[arg(long, value_name = "SLOTS")]
    pub max_stack: Option<usize>,

    /// Stop the guest (a trap, exit 71) after it has run N WebAssembly instructions.
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,

    /// Most bytes any one linear memory may have: a larger initial memory fails to
    /// instantiate (exit 72), and `memory.grow` past it returns -1 to the guest.
    #[arg(long, value_name = "BYTES")]
    pub max_memory: Option<usize>,

    /// Stop the guest (a trap, exit 71) when one call into it runs longer than DURATION:
    /// `start`, `_initialize` and the export or `_start` each get that long. DURATION is a
    /// number with a unit, `ms`, `s` or `m` (`500ms`, `2s`, `1.5m`); a bare number is seconds.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<std::time::Duration>,
}

/// `500ms`, `2s`, `1.5m`, or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let (num, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    let v: f64 = num.trim().parse().map_err(|_| format!("`{s}` is not a duration (try 500ms, 2s or 1.5m)"))?;
    std::time::Duration::try_from_secs_f64(v * scale)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("`{s}` is not a positive duration"))
}

/// FILE takes anything so that the guest's arguments after it may start with `-`; an unknown
/// option before FILE lands there, and is a usage error (a file named `-x` is `./-x`).
pub fn reject_option_as_file(first: &str) -> CliResult<()> {
    if first.starts_with('-') && first.len() > 1 {
        return Err(CliError::new(
            Class::Usage,
            format!("unknown option `{first}` (wisp's options go before FILE; try --help)"),
        ));
    }
    Ok(())
}

/// One `--dir` or `--dir-ro` grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirGrant {
    pub host: PathBuf,
    pub guest: String,
    pub read_only: bool,
}

/// Splits `HOST[::GUEST]`; without `::GUEST` the guest sees the host path as given.
pub fn parse_dir(spec: &str, read_only: bool) -> CliResult<DirGrant> {
    let (host, guest) = match spec.split_once("::") {
        Some((h, g)) => (h, g),
        None => (spec, spec),
    };
    if host.is_empty() || guest.is_empty() {
        let opt = if read_only { "--dir-ro" } else { "--dir" };
        return Err(CliError::new(Class::Usage, format!("{opt} `{spec}`: expected HOST or HOST::GUEST")));
    }
    Ok(DirGrant { host: PathBuf::from(host), guest: guest.to_string(), read_only })
}

/// The guest's environment: the host's when inherited, then each `--env` in order, a later
/// entry replacing an earlier one of the same key.
pub fn environment(opts: &HostOptions) -> CliResult<Vec<(String, String)>> {
    let mut env: Vec<(String, String)> = Vec::new();
    if opts.inherit_env {
        for (k, v) in std::env::vars_os() {
            env.push((k.to_string_lossy().into_owned(), v.to_string_lossy().into_owned()));
        }
    }
    for e in &opts.envs {
        let (k, v) = match e.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => match std::env::var_os(e) {
                Some(v) => (e.clone(), v.to_string_lossy().into_owned()),
                // Like `env -u`: a variable the host does not have is simply not passed.
                None => continue,
            },
        };
        if k.is_empty() {
            return Err(CliError::new(Class::Usage, format!("--env `{e}`: expected KEY=VALUE")));
        }
        env.retain(|(old, _)| *old != k);
        env.push((k, v));
    }
    Ok(env)
}

/// A WASI context with stdio inherited, `args` as argv (argv[0] included), and the options'
/// environment and preopens. A directory that cannot be opened is a usage-time error (66).
pub fn wasi_ctx(args: &[String], opts: &HostOptions) -> CliResult<WasiCtx> {
    Ok(wasi_builder(args, opts)?.build())
}

/// [`wasi_ctx`], not built yet.
pub fn wasi_builder(args: &[String], opts: &HostOptions) -> CliResult<wisp_wasi::WasiCtxBuilder> {
    let mut b = WasiCtx::builder().inherit_stdio().args(args);
    for (k, v) in environment(opts)? {
        b = b.env(k, v);
    }
    let grants = opts.dirs.iter().map(|d| parse_dir(d, false)).chain(opts.dirs_ro.iter().map(|d| parse_dir(d, true)));
    for g in grants {
        let g = g?;
        let result = if g.read_only {
            b.preopened_dir_read_only(&g.host, g.guest.clone())
        } else {
            b.preopened_dir(&g.host, g.guest.clone())
        };
        b = result.map_err(|e| {
            CliError::new(Class::FileNotFound, format!("--dir {}: {}", g.host.display(), io_reason(&e)))
        })?;
    }
    Ok(b)
}

/// An engine configured from the limit options.
pub fn engine(opts: &HostOptions) -> Engine {
    let mut config = Config::new();
    if let Some(slots) = opts.max_stack {
        config.max_stack_slots(slots);
    }
    if opts.fuel.is_some() {
        config.consume_fuel(true);
    }
    if opts.timeout.is_some() {
        config.interruptible(true);
    }
    Engine::new(&config)
}

/// Reads a file, mapping failures to "file not found or unreadable".
pub fn read_file(path: &Path) -> CliResult<Vec<u8>> {
    std::fs::read(path).map_err(|e| CliError::io(path, &e))
}

/// Decodes and validates a module, binary or text.
pub fn load_module(engine: &Engine, path: &Path, bytes: &[u8]) -> CliResult<Module> {
    Module::new(engine, bytes).map_err(|e| from_wisp(&path.display().to_string(), e))
}

/// The outcome of running guest code: it returned, or it asked to exit with a status.
pub enum Outcome<T> {
    Done(T),
    Exit(i32),
}

/// Separates a guest's `proc_exit` from real errors.
pub fn outcome<T>(context: &str, r: wisp::Result<T>) -> CliResult<Outcome<T>> {
    match r {
        Ok(v) => Ok(Outcome::Done(v)),
        Err(wisp::Error::Exit(code)) => Ok(Outcome::Exit(code)),
        Err(e) => Err(from_wisp(context, e)),
    }
}

/// A store holding `ctx` and the module instantiated in it with WASI linked (running `start`).
pub fn instantiate(
    engine: &Engine,
    module: &Module,
    path: &Path,
    ctx: WasiCtx,
    opts: &HostOptions,
) -> CliResult<(Store<Host>, Outcome<Instance>)> {
    let mut store = store(engine, ctx, opts)?;
    let mut linker: Linker<Host> = Linker::new(engine);
    wisp_wasi::add_to_linker(&mut linker, |host: &mut Host| &mut host.wasi)
        .map_err(|e| CliError::new(Class::Internal, format!("cannot define WASI: {e}")))?;
    let instance = outcome(&path.display().to_string(), linker.instantiate(&mut store, module))?;
    Ok((store, instance))
}

/// A store holding `ctx`, with the options' memory limit, fuel and timeout.
pub fn store(engine: &Engine, ctx: WasiCtx, opts: &HostOptions) -> CliResult<Store<Host>> {
    let limits = match opts.max_memory {
        Some(bytes) => StoreLimitsBuilder::new().memory_size(bytes).build(),
        None => StoreLimits::default(),
    };
    let mut store = Store::new(engine, Host { wasi: ctx, limits });
    store.limiter(|host: &mut Host| &mut host.limits);
    if let Some(fuel) = opts.fuel {
        store.set_fuel(fuel).map_err(|e| CliError::new(Class::Internal, format!("cannot set fuel: {e}")))?;
    }
    if let Some(t) = opts.timeout {
        store
            .set_timeout(Some(t))
            .map_err(|e| CliError::new(Class::Internal, format!("cannot set the timeout: {e}")))?;
    }
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_specs() {
        let g = parse_dir("/tmp/x::/data", false).unwrap();
        assert_eq!(g, DirGrant { host: "/tmp/x".into(), guest: "/data".into(), read_only: false });
        let g = parse_dir(".", true).unwrap();
        assert_eq!(g, DirGrant { host: ".".into(), guest: ".".into(), read_only: true });
        assert!(parse_dir("::/data", false).is_err());
        assert!(parse_dir("/tmp::", false).is_err());
    }

    #[test]
    fn env_entries_override_in_order() {
        let opts = HostOptions { envs: vec!["A=1".into(), "B=x=y".into(), "A=2".into()], ..Default::default() };
        assert_eq!(environment(&opts).unwrap(), vec![("B".into(), "x=y".into()), ("A".into(), "2".into())]);
        let bad = HostOptions { envs: vec!["=1".into()], ..Default::default() };
        assert_eq!(environment(&bad).unwrap_err().class, Class::Usage);
        let unset = HostOptions { envs: vec!["WISP_CLI_SURELY_UNSET_VARIABLE".into()], ..Default::default() };
        assert!(environment(&unset).unwrap().is_empty());
    }
}
