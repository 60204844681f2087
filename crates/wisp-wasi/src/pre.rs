//! [`GoReactorPre`]: a template of an initialized Go reactor (its documentation says what a
//! clone inherits).

use crate::ctx::{MonotonicClock, WasiCtx};
use crate::reactor::{GoReactor, GoReactorBuilder, OutputSettings, ReactorError};
use crate::table::{DirDesc, Kind};
use std::sync::Arc;
use std::time::Duration;
use wisp::{Engine, Linker, Module, Snapshot, Store};

/// Finds the guest's [`WasiCtx`] in the host's store data.
type WasiOf<T> = Arc<dyn Fn(&mut T) -> &mut WasiCtx + Send + Sync>;

/// A preopened directory as captured: fd, guest name, host root, rights.
#[derive(Clone)]
struct SavedPreopen {
    fd: u32,
    guest: String,
    root: Arc<std::path::PathBuf>,
    base: crate::types::Rights,
    inheriting: crate::types::Rights,
}

/// The WASI context's state at capture.
#[derive(Clone)]
struct SavedWasi {
    args: Vec<Vec<u8>>,
    env: Vec<Vec<u8>>,
    preopens: Vec<SavedPreopen>,
    /// The template's monotonic clock at capture: no clone reads less.
    monotonic: Duration,
    cpu_origin: u64,
}

/// [`GoReactorPre`]: a template of an initialized Go reactor. `_initialize` (Go's runtime
/// start and every package's `init`) runs once; each [`GoReactorPre::instantiate`] then makes
/// a fresh, isolated reactor from the captured state, as if `_initialize` had just run in it.
///
/// The name follows wasmtime's `InstancePre` (work done once, `instantiate(store)` per
/// instance); the state is a [`wisp::Snapshot`] (Wizer's term) plus the WASI context's.
///
/// # What Go captured at init, and what a clone sees
///
/// Go's runtime reads the host during `_initialize` and keeps what it read in linear memory,
/// which every clone inherits. Each such read, decided:
///
/// - **Monotonic clock** (`clock_time_get(MONOTONIC)`: `runtimeInitTime`, timers, every
///   `time.Now()` taken by an `init`): a clone's monotonic clock continues from the last
///   reading the template could have seen. Its context's clock is wrapped so that it reads at
///   least the template's clock at capture and only moves forward, so `time.Since` of a value
///   taken at init is never negative and timers due later stay later. The CPU-time clocks
///   keep the template's origin for the same reason.
/// - **Wall clock**: read afresh by every call (`clock_time_get(REALTIME)`); a value an `init`
///   stored stays the template's (it is data).
/// - **Arguments and environment** (`args_get`, `environ_get`, read into `os.Args` and the
///   runtime's environment at init): a clone's are the template's; its context is given the
///   template's, so later WASI calls agree with what Go already holds.
/// - **Preopened directories** (`fd_prestat_get` in package `syscall`'s init, which records the
///   guest paths and fds): a clone gets the template's preopens at the same fds. A template
///   whose `_initialize` left any other descriptor open (a file) is refused: an open file's
///   offset cannot be shared or copied faithfully.
/// - **Random seeds** (`random_get` in `runtime.randinit`: the seed of the runtime's ChaCha8
///   generator, from which map hash seeds, `math/rand` and `math/rand/v2`'s global generators
///   and the scheduler's choices are drawn): **shared by every clone**. The generator's state
///   is a Go variable at an address only the Go linker knows (a Go module exports no data
///   symbols), so wisp cannot reseed it. It is safe for what it is used for: map iteration
///   order, select and scheduler fairness and hash seeds need unpredictability against an
///   attacker who cannot observe another clone's state, and each clone's sequence still
///   diverges with its own inputs. It is not safe for secrets, which Go never draws from it:
///   `crypto/rand` calls `random_get` on every read, so it gives every clone fresh bytes from
///   the clone's own random source. A host that needs different `math/rand` streams per
///   clone seeds a generator of its own (`rand.New(rand.NewPCG(...))`) from `crypto/rand`.
/// - **Standard streams**: a clone's stdout and stderr are set as the builder says for every
///   reactor (captured, forwarded); Go caches only their fds, so any stream works.
///
/// Goroutines and timers that `_initialize` left (blocked or sleeping) are part of the
/// captured memory and continue in every clone.
///
/// `Send + Sync`: share it (in an `Arc`) and instantiate from any thread.
///
/// ```
/// # fn main() -> Result<(), wisp_wasi::ReactorError> {
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/go/state.wasm");
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, std::fs::read(path).unwrap())?;
/// // `_initialize` runs here, once.
/// let pre = wisp_wasi::GoReactor::builder().capture_stdout(true).pre(&engine, &module)?;
/// for _ in 0..3 {
///     let mut go = pre.instantiate_new()?; // no Go runtime start-up
///     assert_eq!(go.call::<_, i64>("incr", ())?, 1); // nothing left by the previous one
/// }
/// # Ok(()) }
/// ```
pub struct GoReactorPre<T = WasiCtx> {
    snapshot: Snapshot,
    linker: Linker<T>,
    wasi: WasiOf<T>,
    output: OutputSettings,
    saved: SavedWasi,
    /// What the template's `_initialize` (and warm-up) wrote: (stdout if captured, stderr).
    init_output: (Option<Vec<u8>>, Vec<u8>),
}

const _: () = {
    const fn send_sync<X: Send + Sync>() {}
    send_sync::<GoReactorPre<WasiCtx>>();
};

impl<T> std::fmt::Debug for GoReactorPre<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoReactorPre").field("snapshot", &self.snapshot).finish_non_exhaustive()
    }
}

/// A monotonic clock that never reads less than `floor`: the clone's own clock, moved
/// forward by the amount it was behind the template's when the clone was made.
struct Continued {
    inner: Box<dyn MonotonicClock>,
    offset: Duration,
}

impl MonotonicClock for Continued {
    fn now(&mut self) -> Duration {
        self.inner.now().saturating_add(self.offset)
    }
    fn resolution(&self) -> Duration {
        self.inner.resolution()
    }
    fn sleep(&mut self, d: Duration) {
        self.inner.sleep(d)
    }
}

impl GoReactorBuilder {
    /// A template ([`GoReactorPre`]) over `module` with the builder's WASI context: the
    /// module is instantiated and initialized once, in a store of the template's own, and
    /// captured. Clones get the builder's output settings.
    pub fn pre(mut self, engine: &Engine, module: &Module) -> Result<GoReactorPre<WasiCtx>, ReactorError> {
        self.keep_wasi_stdout();
        let store = Store::new(engine, self.take_wasi());
        let mut linker = Linker::new(engine);
        crate::add_to_linker(&mut linker, |ctx| ctx)?;
        self.pre_in(store, &linker, module, |ctx| ctx)
    }

    /// A template over `module` instantiated in `store` with `linker`, both the host's (see
    /// [`GoReactorBuilder::instantiate_in`]): `_initialize` runs under whatever the store was
    /// given (fuel, a limiter, a deadline), then the warm-up export if one was named
    /// ([`GoReactorBuilder::warm_up`]), then the instance and the WASI context that `wasi`
    /// finds are captured. The store is dropped; every clone is made in a store the host
    /// gives to [`GoReactorPre::instantiate`].
    pub fn pre_in<T: 'static>(
        self,
        store: Store<T>,
        linker: &Linker<T>,
        module: &Module,
        wasi: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + 'static,
    ) -> Result<GoReactorPre<T>, ReactorError> {
        if !self.initializes() {
            return Err(ReactorError::Wasm(wisp::Error::Usage(
                "a reactor template captures an initialized instance: `initialize(false)` cannot make one".into(),
            )));
        }
        let warm_up = self.warm_up_export().map(str::to_owned);
        let output = self.output_settings();
        let mut go = self.instantiate_in(store, linker, module, &wasi)?;
        if let Some(name) = warm_up {
            go.call::<(), ()>(&name, ())?;
        }
        let snapshot = go.instance().snapshot(go.store())?;
        let init_output = (go.stdout(), go.stderr());
        let mut store = go.into_store();
        let saved = SavedWasi::capture(wasi(store.data_mut()))?;
        Ok(GoReactorPre { snapshot, linker: linker.clone(), wasi: Arc::new(wasi), output, saved, init_output })
    }
}

impl SavedWasi {
    fn capture(ctx: &mut WasiCtx) -> Result<SavedWasi, ReactorError> {
        let mut preopens = Vec::new();
        for (fd, d) in ctx.table.iter().filter(|(fd, _)| *fd > 2) {
            match &d.kind {
                Kind::Dir(DirDesc { root, rel, preopen: Some(guest), .. }) if rel.is_empty() => {
                    preopens.push(SavedPreopen {
                        fd,
                        guest: guest.clone(),
                        root: root.clone(),
                        base: d.base,
                        inheriting: d.inheriting,
                    });
                }
                _ => {
                    return Err(ReactorError::Wasm(wisp::Error::Usage(format!(
                        "cannot make a template: the reactor's initialization left fd {fd} open (only stdio and \
                         preopened directories can be carried into clones)"
                    ))))
                }
            }
        }
        Ok(SavedWasi {
            args: ctx.args.clone(),
            env: ctx.env.clone(),
            preopens,
            monotonic: ctx.monotonic.now(),
            cpu_origin: ctx.cpu_origin,
        })
    }

    /// Gives `ctx` the template's arguments, environment, preopens and a clock continuing
    /// the template's.
    fn apply(&self, ctx: &mut WasiCtx) {
        ctx.args = self.args.clone();
        ctx.env = self.env.clone();
        let stale: Vec<u32> = ctx.table.iter().map(|(fd, _)| fd).filter(|&fd| fd > 2).collect();
        for fd in stale {
            let _ = ctx.table.remove(fd as i32);
        }
        for p in &self.preopens {
            let dir = DirDesc::preopen(p.root.clone(), p.guest.clone());
            ctx.table.insert_at(p.fd, crate::table::Descriptor::new(Kind::Dir(dir), p.base, p.inheriting));
        }
        let placeholder: Box<dyn MonotonicClock> = Box::new(crate::ctx::SystemMonotonicClock::default());
        let mut inner = std::mem::replace(&mut ctx.monotonic, placeholder);
        let offset = self.monotonic.saturating_sub(inner.now());
        ctx.monotonic = Box::new(Continued { inner, offset });
        ctx.cpu_origin = self.cpu_origin;
    }
}

impl<T> GoReactorPre<T> {
    /// A fresh reactor in `store` (the host's, with its data, limiter, fuel, timeout): the
    /// captured state is copied in, the store's WASI context is given the template's
    /// arguments, environment and preopens and a monotonic clock that continues the
    /// template's (see [`GoReactorPre`]); nothing of the Go runtime runs. The store
    /// must belong to the template's engine.
    pub fn instantiate(&self, mut store: Store<T>) -> Result<GoReactor<T>, ReactorError> {
        let ctx = (self.wasi)(store.data_mut());
        self.saved.apply(ctx);
        let pipes = self.output.install(ctx);
        let instance = self.snapshot.instantiate(&mut store, &self.linker)?;
        GoReactor::assemble(store, instance, pipes)
    }

    /// The captured instance state (for [`wisp::Snapshot::instantiate`], or to write a
    /// pre-initialized module).
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// What `_initialize` (and the warm-up export) wrote to stdout, when the builder
    /// captures it. It went to the template's streams: clones start with empty ones.
    pub fn init_stdout(&self) -> Option<&[u8]> {
        self.init_output.0.as_deref()
    }

    /// What `_initialize` (and the warm-up export) wrote to stderr (also forwarded as it was
    /// written, if the builder forwards stderr).
    pub fn init_stderr(&self) -> &[u8] {
        &self.init_output.1
    }

    /// The engine clones must be made on.
    pub fn engine(&self) -> &Engine {
        self.snapshot.module().engine()
    }
}

impl GoReactorPre<WasiCtx> {
    /// [`GoReactorPre::instantiate`] in a new store whose WASI context has the host's clocks
    /// and randomness, stdin closed, and the template's arguments, environment and preopens.
    pub fn instantiate_new(&self) -> Result<GoReactor<WasiCtx>, ReactorError> {
        self.instantiate(Store::new(self.engine(), WasiCtx::builder().build()))
    }
}
