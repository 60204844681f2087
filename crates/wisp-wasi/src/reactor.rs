//! [`GoReactor`] and its builder: the Go-aware layer over a Wasm instance (the guide is the
//! crate documentation).

use crate::ctx::{Pipe, SharedWriter, Stdio, WasiCtx, WasiCtxBuilder};
use std::fmt;
use std::io::Write;
use std::path::Path;
use wisp::{
    Engine, GuestAlloc, Instance, Linker, Memory, Module, Store, Trap, TypedFunc, Val, WasmParams, WasmResults,
};

/// What can go wrong with a Go reactor.
///
/// ```
/// # fn main() -> Result<(), wisp_wasi::ReactorError> {
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/go/state.wasm");
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, std::fs::read(path).unwrap())?;
/// let mut go = wisp_wasi::GoReactor::builder().forward_stderr(false).capture_stdout(true).instantiate(&engine, &module)?;
/// assert_eq!(go.call::<(), i64>("incr", ())?, 1);
/// // state.wasm's `boom` panics; the panic comes back with its text and retires the instance.
/// match go.call::<(), ()>("boom", ()) {
///     Err(wisp_wasi::ReactorError::Panic { message, .. }) => assert_eq!(message, "boom"),
///     other => panic!("{other:?}"),
/// }
/// assert!(matches!(go.call::<(), i64>("incr", ()), Err(wisp_wasi::ReactorError::Dead(_))));
/// // A wrong signature is an error that leaves the instance alive.
/// let mut other = wisp_wasi::GoReactor::builder().forward_stderr(false).capture_stdout(true).instantiate(&engine, &module)?;
/// assert!(matches!(other.call::<i32, i64>("incr", 1), Err(wisp_wasi::ReactorError::Wasm(_))));
/// assert!(!other.is_dead());
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ReactorError {
    /// The Go runtime died of an unrecovered panic (or a `fatal error:`): it printed
    /// `panic: MESSAGE` and a goroutine trace to stderr, then trapped. The instance is dead.
    Panic {
        /// The panic value as Go printed it, without the `panic: ` prefix and the trace
        /// (for a fatal error, the whole `fatal error: ...` line).
        message: String,
        /// Everything the guest wrote to stderr during the failed call.
        stderr: String,
        /// The trap that ended the call.
        trap: Trap,
    },
    /// The guest called `os.Exit(code)` (WASI `proc_exit`). The instance is dead.
    Exit(i32),
    /// A trap without a panic message on stderr (for instance `unreachable` in hand-written
    /// code, or an out-of-bounds access). The instance is dead.
    Trap {
        /// The trap that ended the call.
        trap: Trap,
        /// Everything the guest wrote to stderr during the failed call.
        stderr: String,
    },
    /// The call was stopped from outside: its deadline passed ([`GoReactor::set_timeout`]) or
    /// an [`wisp::InterruptHandle`] interrupted it (the trap's code says which). Go's runtime
    /// cannot resume a call stopped midway, so the instance is dead; the host, the store's
    /// other instances and other reactors are not affected.
    Stopped {
        /// The trap that stopped the call (`Interrupted` or `DeadlineExceeded`).
        trap: Trap,
        /// Everything the guest wrote to stderr during the stopped call.
        stderr: String,
    },
    /// The instance died in an earlier call (see [`GoReactor::dead_reason`]); nothing ran.
    Dead(String),
    /// Anything else: loading, linking, a missing export, a signature mismatch, a guest
    /// pointer out of bounds, a command module given where a reactor was expected, ...
    Wasm(wisp::Error),
}

impl fmt::Display for ReactorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReactorError::Panic { message, .. } => write!(f, "Go panic: {message}"),
            ReactorError::Exit(code) => write!(f, "the Go program exited with code {code}"),
            ReactorError::Trap { trap, .. } => write!(f, "{trap}"),
            ReactorError::Stopped { trap, .. } => write!(f, "call stopped: {trap}"),
            ReactorError::Dead(why) => write!(f, "instance is dead: {why}"),
            ReactorError::Wasm(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReactorError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReactorError::Panic { trap, .. } | ReactorError::Trap { trap, .. } | ReactorError::Stopped { trap, .. } => {
                Some(trap)
            }
            ReactorError::Wasm(e) => Some(e),
            _ => None,
        }
    }
}

impl From<wisp::Error> for ReactorError {
    fn from(e: wisp::Error) -> Self {
        ReactorError::Wasm(e)
    }
}

impl From<std::io::Error> for ReactorError {
    fn from(e: std::io::Error) -> Self {
        ReactorError::Wasm(wisp::Error::Usage(e.to_string()))
    }
}

/// The panic text in what a Go runtime wrote to stderr before it died, if any.
///
/// Go prints `panic: VALUE` (several such lines for nested panics; the last one is the
/// fatal one) followed by a blank line and the goroutine trace, or `fatal error: TEXT`.
pub fn go_panic_message(stderr: &str) -> Option<String> {
    let at_line_start = |i: usize| i == 0 || stderr.as_bytes()[i - 1] == b'\n';
    let last = |pat: &str| stderr.match_indices(pat).filter(|(i, _)| at_line_start(*i)).last().map(|(i, _)| i);
    if let Some(i) = last("panic: ") {
        let rest = &stderr[i + "panic: ".len()..];
        let end =
            [rest.find("\n\ngoroutine "), rest.find("\n[signal ")].into_iter().flatten().min().unwrap_or(rest.len());
        return Some(rest[..end].trim_end().to_string());
    }
    last("fatal error: ").map(|i| {
        let line = &stderr[i..];
        line.lines().next().unwrap_or(line).trim_end().to_string()
    })
}

/// Where a reactor's stderr goes besides its per-call capture.
#[derive(Clone, Debug)]
enum Forward {
    None,
    Inherit,
    Writer(SharedWriter),
}

/// The guest's stderr: kept for the running call (to find a panic message in), kept in a
/// bounded history ([`GoReactor::stderr`]), and forwarded as it is written.
struct StderrTee {
    call: Pipe,
    history: Pipe,
    forward: Forward,
}

impl Write for StderrTee {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.call.write(bytes);
        self.history.write(bytes);
        match &self.forward {
            Forward::None => {}
            Forward::Inherit => std::io::stderr().lock().write_all(bytes)?,
            Forward::Writer(w) => w.write_all(bytes)?,
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The most bytes of output a reactor holds in memory by default (per stream); older bytes
/// are dropped first. See [`GoReactorBuilder::output_limit`].
pub const DEFAULT_OUTPUT_LIMIT: usize = 1 << 20;

/// Builds a [`GoReactor`]: the WASI context to give the guest, and what to do with its
/// stdout and stderr.
///
/// ```
/// # fn main() -> Result<(), wisp_wasi::ReactorError> {
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/go/state.wasm");
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, std::fs::read(path).unwrap())?;
/// let mut go = wisp_wasi::GoReactor::builder()
///     .wasi(wisp_wasi::WasiCtx::builder().arg("state.wasm").env("WISP_TEST", "builder"))
///     .capture_stdout(true) // kept in memory, bounded by `output_limit`
///     .forward_stderr(false)
///     .output_limit(64 << 10)
///     .instantiate(&engine, &module)?;
/// go.call::<(), ()>("say", ())?;
/// let out = String::from_utf8(go.take_stdout().unwrap()).unwrap();
/// assert_eq!(out, "state: init\nstate: say 0\n");
/// assert_eq!(go.take_stderr(), b"state: init (stderr)\nstate: say 0 (stderr)\n");
/// # Ok(()) }
/// ```
pub struct GoReactorBuilder {
    wasi: WasiCtxBuilder,
    capture_stdout: bool,
    /// Where stdout goes instead of the WASI context's own setting.
    stdout: Option<Stdio>,
    forward: Forward,
    output_limit: usize,
    initialize: bool,
    warm_up: Option<String>,
}

impl Default for GoReactorBuilder {
    fn default() -> Self {
        GoReactorBuilder {
            wasi: WasiCtx::builder().stdout(Stdio::Inherit),
            capture_stdout: false,
            stdout: None,
            forward: Forward::Inherit,
            output_limit: DEFAULT_OUTPUT_LIMIT,
            initialize: true,
            warm_up: None,
        }
    }
}

impl GoReactorBuilder {
    /// The guest's WASI context: arguments, environment, stdin, stdout, preopens, clocks.
    /// Its stderr setting is replaced: the reactor always captures stderr (see
    /// [`GoReactorBuilder::forward_stderr`]). Default: nothing granted but stdout, inherited.
    pub fn wasi(mut self, wasi: WasiCtxBuilder) -> Self {
        self.wasi = wasi;
        self
    }

    /// Captures stdout in memory instead (read it with [`GoReactor::stdout`], empty it with
    /// [`GoReactor::take_stdout`]); at most [`GoReactorBuilder::output_limit`] bytes are
    /// held, the newest.
    pub fn capture_stdout(mut self, capture: bool) -> Self {
        self.capture_stdout = capture;
        self
    }

    /// Sends stdout to `w` as the guest writes it (a logger, a channel, a file); see
    /// [`Stdio::writer`]. Replaces [`GoReactorBuilder::capture_stdout`].
    pub fn stdout_writer(mut self, w: impl Write + Send + 'static) -> Self {
        self.stdout = Some(Stdio::writer(w));
        self.capture_stdout = false;
        self
    }

    /// Whether what the guest writes to stderr is also written to the host's stderr, as the
    /// guest writes it (default: yes). It is captured either way ([`GoReactor::stderr`]).
    pub fn forward_stderr(mut self, forward: bool) -> Self {
        self.forward = if forward { Forward::Inherit } else { Forward::None };
        self
    }

    /// Forwards stderr to `w` instead of the host's stderr, as the guest writes it. It is
    /// still captured ([`GoReactor::stderr`]) and searched for a panic message.
    pub fn stderr_writer(mut self, w: impl Write + Send + 'static) -> Self {
        self.forward = Forward::Writer(SharedWriter::new(w));
        self
    }

    /// The most bytes of captured stdout and of stderr history held in memory (default
    /// [`DEFAULT_OUTPUT_LIMIT`], 1 MiB each); past it, the oldest bytes are dropped, so a
    /// reactor that prints on every call runs for ever in bounded memory.
    pub fn output_limit(mut self, bytes: usize) -> Self {
        self.output_limit = bytes;
        self
    }

    /// Whether instantiating also runs `_initialize` (default: yes). Without it, call
    /// [`GoReactor::initialize`] before any export; [`GoReactor::guard`] still reaches the
    /// raw exports (to run a command's `_start`, or to see what the guest does when called
    /// too early).
    pub fn initialize(mut self, initialize: bool) -> Self {
        self.initialize = initialize;
        self
    }

    /// Links WASI, instantiates `module` in a new store and runs `_initialize`. For host data
    /// of your own, a linker shared by many reactors, and limits, fuel or a deadline in
    /// force during `_initialize`, see [`GoReactorBuilder::instantiate_in`].
    pub fn instantiate(self, engine: &Engine, module: &Module) -> Result<GoReactor, ReactorError> {
        self.instantiate_with(engine, module, |_| Ok(()))
    }

    /// [`GoReactorBuilder::instantiate`], with a chance to define more host functions in
    /// the linker (after WASI's) first.
    pub fn instantiate_with(
        self,
        engine: &Engine,
        module: &Module,
        extra: impl FnOnce(&mut Linker<WasiCtx>) -> wisp::Result<()>,
    ) -> Result<GoReactor, ReactorError> {
        let mut this = self;
        let store = Store::new(engine, std::mem::take(&mut this.wasi).build());
        let mut linker = Linker::new(engine);
        crate::add_to_linker(&mut linker, |ctx| ctx)?;
        extra(&mut linker)?;
        this.instantiate_in(store, &linker, module, |ctx| ctx)
    }

    /// Instantiates `module` in `store`, your own, with `linker`, yours too, then runs
    /// `_initialize`. `wasi` finds the guest's [`WasiCtx`] in the store's data, as for
    /// [`add_to_linker`](crate::add_to_linker); the builder's [`GoReactorBuilder::wasi`] is
    /// not used (the store's context is), but its output settings are applied to it.
    ///
    /// - Host data of any type `T`: per-plugin state lives in the store, host functions
    ///   reach it through `Caller::data_mut`, no `Arc<Mutex<_>>` needed.
    /// - One linker, with WASI and the host functions defined once, serves every reactor.
    /// - Whatever the store was given before (a limiter, fuel, a timeout) is in force while
    ///   `_initialize` runs: with fuel metering on, give the store fuel first, since Go's
    ///   runtime start-up runs many instructions.
    ///
    /// ```
    /// # fn main() -> Result<(), wisp_wasi::ReactorError> {
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/go/add.wasm");
    /// struct Plugin {
    ///     wasi: wisp_wasi::WasiCtx,
    ///     calls: u32,
    /// }
    /// let mut config = wisp::Config::new();
    /// config.consume_fuel(true);
    /// let engine = wisp::Engine::new(&config);
    /// let module = wisp::Module::new(&engine, std::fs::read(path).unwrap())?;
    /// let mut linker = wisp::Linker::<Plugin>::new(&engine);
    /// wisp_wasi::add_to_linker(&mut linker, |p: &mut Plugin| &mut p.wasi)?;
    /// let mut plugins = Vec::new();
    /// for _ in 0..2 {
    ///     let mut store = wisp::Store::new(&engine, Plugin { wasi: wisp_wasi::WasiCtx::builder().build(), calls: 0 });
    ///     store.set_fuel(1_000_000_000)?; // before `_initialize`
    ///     let go = wisp_wasi::GoReactor::builder().instantiate_in(store, &linker, &module, |p| &mut p.wasi)?;
    ///     plugins.push(go);
    /// }
    /// for go in &mut plugins {
    ///     assert_eq!(go.call::<_, i32>("add", (2i32, 3i32))?, 5);
    ///     go.data_mut().calls += 1;
    /// }
    /// assert!(plugins.iter().all(|go| go.data().calls == 1));
    /// # Ok(()) }
    /// ```
    pub fn instantiate_in<T>(
        self,
        mut store: Store<T>,
        linker: &Linker<T>,
        module: &Module,
        wasi: impl FnOnce(&mut T) -> &mut WasiCtx,
    ) -> Result<GoReactor<T>, ReactorError> {
        let pipes = self.output_settings().install(wasi(store.data_mut()));
        let instance = linker.instantiate(&mut store, module)?;
        let mut go = GoReactor::assemble(store, instance, pipes)?;
        if self.initialize {
            go.initialize()?;
        }
        Ok(go)
    }

    /// What the builder says about output, for reactors made later (from a template).
    pub(crate) fn output_settings(&self) -> OutputSettings {
        OutputSettings {
            capture_stdout: self.capture_stdout,
            stdout: self.stdout.clone(),
            forward: self.forward.clone(),
            output_limit: self.output_limit,
        }
    }

    /// Names an export, `() -> ()`, that a template ([`GoReactorBuilder::pre`]) calls once
    /// after `_initialize` and before capturing: caches, parsed configuration and warmed-up
    /// state it leaves are then in every clone.
    pub fn warm_up(mut self, export: impl Into<String>) -> Self {
        self.warm_up = Some(export.into());
        self
    }

    pub(crate) fn warm_up_export(&self) -> Option<&str> {
        self.warm_up.as_deref()
    }

    /// Whether reactors made by this builder run `_initialize` when instantiated.
    pub(crate) fn initializes(&self) -> bool {
        self.initialize
    }

    /// Clones made from a template of this builder get the WASI context's stdout setting
    /// (when the builder neither captures nor redirects stdout): a clone's own context, built
    /// afresh, would have it closed.
    pub(crate) fn keep_wasi_stdout(&mut self) {
        if !self.capture_stdout && self.stdout.is_none() {
            self.stdout = Some(self.wasi.stdout_setting());
        }
    }

    /// The builder's WASI context, built (for a reactor in a store of its own).
    pub(crate) fn take_wasi(&mut self) -> WasiCtx {
        std::mem::take(&mut self.wasi).build()
    }
}

/// A builder's output settings (see [`GoReactorBuilder::output_settings`]).
#[derive(Clone)]
pub(crate) struct OutputSettings {
    capture_stdout: bool,
    stdout: Option<Stdio>,
    forward: Forward,
    output_limit: usize,
}

impl OutputSettings {
    /// Points `ctx`'s stderr (and stdout, if the builder says so) at fresh pipes, as every
    /// reactor made by this builder gets: (stdout capture, stderr history, this call's stderr).
    pub(crate) fn install(&self, ctx: &mut WasiCtx) -> OutputPipes {
        let (stderr, stderr_call) = (Pipe::with_limit(self.output_limit), Pipe::with_limit(self.output_limit));
        let tee = StderrTee { call: stderr_call.clone(), history: stderr.clone(), forward: self.forward.clone() };
        ctx.set_stderr(Stdio::writer(tee));
        let stdout = if self.capture_stdout {
            let p = Pipe::with_limit(self.output_limit);
            ctx.set_stdout(Stdio::Pipe(p.clone()));
            Some(p)
        } else {
            if let Some(out) = &self.stdout {
                ctx.set_stdout(out.clone());
            }
            None
        };
        OutputPipes { stdout, stderr, stderr_call }
    }
}

/// The pipes a reactor's output goes to (see [`GoReactorBuilder::install_output`]).
pub(crate) struct OutputPipes {
    stdout: Option<Pipe>,
    stderr: Pipe,
    stderr_call: Pipe,
}

/// A Go reactor instance, initialized and ready to call. See the [crate documentation](crate).
///
/// Every call goes through one policy: what the guest wrote to stderr during the call is
/// captured; if the call traps, the text after `panic: ` becomes [`ReactorError::Panic`];
/// after a trap, an exit or a failing host function the instance is marked dead (Go's
/// runtime cannot continue from there) and any later call, through this type or directly
/// on its functions, fails with "instance is dead".
///
/// ```
/// # fn main() -> Result<(), wisp_wasi::ReactorError> {
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/go/state.wasm");
/// let mut config = wisp::Config::new();
/// config.interruptible(true);
/// let engine = wisp::Engine::new(&config);
/// let module = wisp::Module::new(&engine, std::fs::read(path).unwrap())?;
/// let mut go = wisp_wasi::GoReactor::builder().forward_stderr(false).instantiate(&engine, &module)?;
/// go.set_timeout(Some(std::time::Duration::from_millis(50)))?;
/// assert_eq!(go.call::<(), i64>("incr", ())?, 1);
/// // `spin` never returns: the deadline stops it, and Go cannot resume, so the instance retires.
/// assert!(matches!(go.call::<(), ()>("spin", ()), Err(wisp_wasi::ReactorError::Stopped { .. })));
/// assert!(go.is_dead() && go.dead_reason().unwrap().contains("deadline exceeded"));
/// # Ok(()) }
/// ```
pub struct GoReactor<T = WasiCtx> {
    store: Store<T>,
    instance: Instance,
    memory: Memory,
    stdout: Option<Pipe>,
    /// Bounded history of stderr.
    stderr: Pipe,
    /// Stderr of the running call.
    stderr_call: Pipe,
    abi: Option<GuestAlloc>,
}

impl<T> fmt::Debug for GoReactor<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GoReactor")
            .field("instance", &self.instance)
            .field("dead", &self.dead_reason())
            .finish_non_exhaustive()
    }
}

impl GoReactor<WasiCtx> {
    /// A builder with the defaults of [`GoReactor::new`].
    pub fn builder() -> GoReactorBuilder {
        GoReactorBuilder::default()
    }

    /// Instantiates and initializes `module` with the default builder: stdout inherited,
    /// stderr captured and forwarded, no arguments, environment or files.
    pub fn new(engine: &Engine, module: &Module) -> Result<GoReactor, ReactorError> {
        GoReactorBuilder::default().instantiate(engine, module)
    }

    /// [`GoReactor::new`] for a `.wasm` file, on a default engine.
    pub fn from_file(path: impl AsRef<Path>) -> Result<GoReactor, ReactorError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)
            .map_err(|e| ReactorError::Wasm(wisp::Error::Usage(format!("{}: {e}", path.display()))))?;
        let engine = Engine::default();
        let module = Module::new(&engine, bytes)?;
        GoReactor::new(&engine, &module)
    }
}

impl<T> GoReactor<T> {
    /// A reactor over `instance` in `store`, its output in `pipes`.
    pub(crate) fn assemble(store: Store<T>, instance: Instance, pipes: OutputPipes) -> Result<Self, ReactorError> {
        let memory = instance
            .get_memory(&store, "memory")
            .ok_or_else(|| wisp::Error::UnknownExport("a Go reactor exports `memory`; this module does not".into()))?;
        let OutputPipes { stdout, stderr, stderr_call } = pipes;
        Ok(GoReactor { store, instance, memory, stdout, stderr, stderr_call, abi: None })
    }

    /// The store, given up (the reactor's instance stays in it).
    pub(crate) fn into_store(self) -> Store<T> {
        self.store
    }

    /// Runs `_initialize`, once (see [`wisp::Instance::initialize_reactor`]); instantiation
    /// does it unless [`GoReactorBuilder::initialize`] said otherwise. Fails for a command
    /// module (one that exports `_start`).
    pub fn initialize(&mut self) -> Result<(), ReactorError> {
        self.guard(|store, instance| instance.initialize_reactor(store))
    }

    /// Runs `f` on the store and instance under the reactor's error policy (see the type's
    /// docs). Everything else in this type is built on it; use it for sequences of calls.
    pub fn guard<R>(&mut self, f: impl FnOnce(&mut Store<T>, &Instance) -> wisp::Result<R>) -> Result<R, ReactorError> {
        if let Some(why) = self.instance.dead_reason(&self.store) {
            return Err(ReactorError::Dead(why));
        }
        // Stderr is forwarded as it is written; this call's is kept apart for its panic text.
        self.stderr_call.clear();
        let result = f(&mut self.store, &self.instance);
        let fresh = self.stderr_call.take();
        let e = match result {
            Ok(r) => return Ok(r),
            Err(e) => e,
        };
        let fatal = matches!(e, wisp::Error::Trap(_) | wisp::Error::Exit(_) | wisp::Error::Host(_));
        if !fatal {
            return Err(match e {
                wisp::Error::Dead(why) => ReactorError::Dead(why),
                other => ReactorError::Wasm(other),
            });
        }
        let stderr = String::from_utf8_lossy(&fresh).into_owned();
        let err = match e {
            wisp::Error::Exit(code) => ReactorError::Exit(code),
            wisp::Error::Trap(trap)
                if matches!(trap.code(), wisp::TrapCode::Interrupted | wisp::TrapCode::DeadlineExceeded) =>
            {
                ReactorError::Stopped { trap, stderr }
            }
            wisp::Error::Trap(trap) => match go_panic_message(&stderr) {
                Some(message) => ReactorError::Panic { message, stderr, trap },
                None => ReactorError::Trap { trap, stderr },
            },
            other => ReactorError::Wasm(other),
        };
        let why = match &err {
            ReactorError::Panic { message, .. } => format!("Go panic: {message}"),
            other => other.to_string(),
        };
        self.instance.mark_dead(&mut self.store, why);
        Err(err)
    }

    /// The export `name` with its signature checked, for repeated calls with
    /// [`GoReactor::call_func`].
    pub fn func<P: WasmParams, R: WasmResults>(&self, name: &str) -> Result<TypedFunc<P, R>, ReactorError> {
        if let Some(why) = self.instance.dead_reason(&self.store) {
            return Err(ReactorError::Dead(why));
        }
        Ok(self.instance.reactor_typed_func(&self.store, name)?)
    }

    /// Calls a function obtained with [`GoReactor::func`].
    pub fn call_func<P: WasmParams, R: WasmResults>(
        &mut self,
        func: &TypedFunc<P, R>,
        params: P,
    ) -> Result<R, ReactorError> {
        self.guard(|store, _| func.call(store, params))
    }

    /// Calls the export `name`; parameter and result types are checked against it
    /// (`i32`/`u32` for Go's int32, uint32, bool and pointers; `i64`/`u64`; `f32`; `f64`).
    ///
    /// ```
    /// # fn main() -> Result<(), wisp_wasi::ReactorError> {
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/go/types.wasm");
    /// let mut go = wisp_wasi::GoReactor::from_file(path)?;
    /// assert_eq!(go.call::<_, i64>("i64_mul", (3_000_000_000i64, 3i64))?, 9_000_000_000);
    /// assert_eq!(go.call::<_, f64>("f64_sqrt", 2.0f64)?, std::f64::consts::SQRT_2);
    /// go.call::<_, ()>("noop", ())?;
    /// // A wrong signature is an error, not a crash.
    /// assert!(go.call::<_, i32>("noop", ()).is_err());
    /// # Ok(()) }
    /// ```
    pub fn call<P: WasmParams, R: WasmResults>(&mut self, name: &str, params: P) -> Result<R, ReactorError> {
        let f = self.func::<P, R>(name)?;
        self.call_func(&f, params)
    }

    /// Calls the export `name` with dynamically typed values.
    pub fn call_vals(&mut self, name: &str, params: &[Val], results: &mut [Val]) -> Result<(), ReactorError> {
        if let Some(why) = self.instance.dead_reason(&self.store) {
            return Err(ReactorError::Dead(why));
        }
        let f = self.instance.reactor_func(&self.store, name)?;
        self.guard(|store, _| f.call(store, params, results))
    }

    fn abi(&mut self) -> Result<GuestAlloc, ReactorError> {
        if let Some(a) = self.abi {
            return Ok(a);
        }
        let a = GuestAlloc::new(&self.store, &self.instance)?;
        self.abi = Some(a);
        Ok(a)
    }

    /// Calls an export `name(ptr, len) -> ptr << 32 | len` through the guest's
    /// `alloc`/`free` exports: `input` is copied into a guest buffer, the result copied out,
    /// and both buffers freed.
    ///
    /// ```
    /// # fn main() -> Result<(), wisp_wasi::ReactorError> {
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/go/strings.wasm");
    /// let mut go = wisp_wasi::GoReactor::from_file(path)?;
    /// assert_eq!(go.call_bytes("reverse", b"hello")?, b"olleh");
    /// assert_eq!(go.call_str("upper", "café")?, "CAFÉ");
    /// assert_eq!(go.call::<(), i32>("live_count", ())?, 0); // every buffer was freed
    /// # Ok(()) }
    /// ```
    pub fn call_bytes(&mut self, name: &str, input: &[u8]) -> Result<Vec<u8>, ReactorError> {
        let abi = self.abi()?;
        let f = self.func::<(u32, u32), u64>(name)?;
        self.guard(|store, _| abi.call_bytes(store, &f, input))
    }

    /// [`GoReactor::call_bytes`] for text: the result must be UTF-8.
    pub fn call_str(&mut self, name: &str, input: &str) -> Result<String, ReactorError> {
        let abi = self.abi()?;
        let f = self.func::<(u32, u32), u64>(name)?;
        self.guard(|store, _| abi.call_str(store, &f, input))
    }

    /// The guest's exported `memory`, for [`wisp::Memory::read_bytes`],
    /// [`wisp::Memory::read_value`] and the other pointer helpers.
    pub fn memory(&self) -> Memory {
        self.memory
    }

    /// What the guest wrote to stderr and was not taken yet (at most the output limit, the
    /// newest bytes).
    pub fn stderr(&self) -> Vec<u8> {
        self.stderr.contents()
    }

    /// Removes and returns what [`GoReactor::stderr`] holds.
    pub fn take_stderr(&mut self) -> Vec<u8> {
        self.stderr.take()
    }

    /// What the guest wrote to stdout and was not taken yet, when it is captured
    /// ([`GoReactorBuilder::capture_stdout`]).
    pub fn stdout(&self) -> Option<Vec<u8>> {
        self.stdout.as_ref().map(Pipe::contents)
    }

    /// Removes and returns what [`GoReactor::stdout`] holds.
    pub fn take_stdout(&mut self) -> Option<Vec<u8>> {
        self.stdout.as_ref().map(Pipe::take)
    }

    /// The pipes holding captured stdout (if captured) and the stderr history, to check
    /// their sizes or clear them.
    pub fn output_pipes(&self) -> (Option<&Pipe>, &Pipe) {
        (self.stdout.as_ref(), &self.stderr)
    }

    /// The Wasm instance.
    pub fn instance(&self) -> Instance {
        self.instance
    }

    /// The store (see [`GoReactor::store_mut`]).
    pub fn store(&self) -> &Store<T> {
        &self.store
    }

    /// The store, for direct use of the instance's functions and memory (calls made this
    /// way bypass the panic capture, but a dead instance still refuses them).
    pub fn store_mut(&mut self) -> &mut Store<T> {
        &mut self.store
    }

    /// The host's data in the reactor's store.
    pub fn data(&self) -> &T {
        self.store.data()
    }

    /// The host's data in the reactor's store, to change.
    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut()
    }

    /// Whether the instance was retired (see [`GoReactor::dead_reason`]).
    pub fn is_dead(&self) -> bool {
        self.instance.is_dead(&self.store)
    }

    /// Gives every call at most `timeout` (`None`: no limit); a call still running then is
    /// stopped with [`ReactorError::Stopped`] and the instance retired. The engine needs
    /// [`wisp::Config::interruptible`].
    pub fn set_timeout(&mut self, timeout: Option<std::time::Duration>) -> Result<(), ReactorError> {
        Ok(self.store.set_timeout(timeout)?)
    }

    /// A handle another thread can use to stop the call running now (see
    /// [`wisp::InterruptHandle`]); the stopped call fails with [`ReactorError::Stopped`].
    /// The engine needs [`wisp::Config::interruptible`].
    pub fn interrupt_handle(&self) -> Result<wisp::InterruptHandle, ReactorError> {
        Ok(self.store.interrupt_handle()?)
    }

    /// Why the instance died (`Go panic: ...`, `the Go program exited with code N`, ...).
    pub fn dead_reason(&self) -> Option<String> {
        self.instance.dead_reason(&self.store)
    }
}

#[cfg(test)]
mod tests {
    use super::go_panic_message;

    #[test]
    fn panic_messages() {
        let s = "state: x\npanic: boom\n\ngoroutine 1 [running]:\nmain.boom()\n";
        assert_eq!(go_panic_message(s).as_deref(), Some("boom"));
        let nested = "panic: first [recovered]\n\tpanic: second\n\ngoroutine 1 [running]:\n";
        assert_eq!(go_panic_message(nested).as_deref(), Some("first [recovered]\n\tpanic: second"));
        let multi = "panic: line one\nline two\n\ngoroutine 5 [running]:\n";
        assert_eq!(go_panic_message(multi).as_deref(), Some("line one\nline two"));
        let fatal = "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\n";
        assert_eq!(go_panic_message(fatal).as_deref(), Some("fatal error: all goroutines are asleep - deadlock!"));
        assert_eq!(go_panic_message("no panic here: really\n"), None);
        assert_eq!(go_panic_message(""), None);
    }
}
