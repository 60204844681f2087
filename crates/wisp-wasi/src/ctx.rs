//! `WasiCtx`: what a guest may see of the host (arguments, environment, stdio, preopened
//! directories, clocks, randomness), and its builder.

use crate::table::{Descriptor, DirDesc, Kind, Stream, Table};
use crate::types::{filetype, rights, Rights};
use std::collections::VecDeque;
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

/// The host state behind the `wasi_snapshot_preview1` functions. Put it (or a struct holding
/// it) in a `wisp::Store` and register the functions with [`crate::add_to_linker`].
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/go/hello.wasm");
/// // Run a Go command with its stdout captured.
/// let out = wisp_wasi::Pipe::new();
/// let ctx = wisp_wasi::WasiCtx::builder().arg("hello").stdout(wisp_wasi::Stdio::Pipe(out.clone())).build();
/// assert_eq!(ctx.args().collect::<Vec<_>>(), [b"hello"]);
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, std::fs::read(path)?)?;
/// let mut store = wisp::Store::new(&engine, ctx);
/// let mut linker = wisp::Linker::new(&engine);
/// wisp_wasi::add_to_linker(&mut linker, |ctx| ctx)?;
/// let instance = linker.instantiate(&mut store, &module)?;
/// let start = instance.get_typed_func::<(), ()>(&store, "_start")?;
/// match start.call(&mut store, ()) {
///     Err(wisp::Error::Exit(0)) | Ok(()) => {} // Go commands end with proc_exit(0)
///     Err(e) => return Err(e.into()),
/// }
/// assert_eq!(out.contents_string(), "hello from go\n");
/// # Ok(()) }
/// ```
pub struct WasiCtx {
    pub(crate) args: Vec<Vec<u8>>,
    pub(crate) env: Vec<Vec<u8>>,
    pub(crate) table: Table,
    pub(crate) wall: Box<dyn WallClock>,
    pub(crate) monotonic: Box<dyn MonotonicClock>,
    pub(crate) random: Box<dyn RandomSource>,
    /// Monotonic time at creation, the origin of the CPU-time clocks.
    pub(crate) cpu_origin: u64,
}

impl WasiCtx {
    /// A builder; see [`WasiCtxBuilder`].
    pub fn builder() -> WasiCtxBuilder {
        WasiCtxBuilder::default()
    }

    /// The guest's arguments, `argv[0]` included.
    pub fn args(&self) -> impl Iterator<Item = &[u8]> {
        self.args.iter().map(|a| a.as_slice())
    }

    /// The guest's environment, as `KEY=VALUE` entries.
    pub fn env(&self) -> impl Iterator<Item = &[u8]> {
        self.env.iter().map(|a| a.as_slice())
    }
}

/// The descriptor of fd 0, 1 or 2 for `stdio` (`None`: closed).
fn stdio_descriptor(fd: u32, stdio: Stdio) -> Option<Descriptor> {
    let which = match fd {
        0 => Stream::Stdin,
        1 => Stream::Stdout,
        _ => Stream::Stderr,
    };
    let (stream, tty) = match stdio {
        Stdio::Closed => return None,
        Stdio::Inherit => {
            let tty = match which {
                Stream::Stdin => io::stdin().is_terminal(),
                Stream::Stdout => io::stdout().is_terminal(),
                _ => io::stderr().is_terminal(),
            };
            (which, tty)
        }
        Stdio::Pipe(p) => (Stream::Pipe(p), false),
        Stdio::Writer(w) => (Stream::Writer(w), false),
    };
    let dir_right = if fd == 0 { rights::FD_READ } else { rights::FD_WRITE };
    let mut base = dir_right | rights::FD_FDSTAT_SET_FLAGS | rights::FD_FILESTAT_GET | rights::POLL_FD_READWRITE;
    // wasi-libc's isatty() wants a character device without seek rights.
    if !tty {
        base |= rights::FD_SEEK | rights::FD_TELL;
    }
    let ft = if tty { filetype::CHARACTER_DEVICE } else { filetype::UNKNOWN };
    Some(Descriptor::new(Kind::Stream { stream, filetype: ft }, base, 0))
}

impl WasiCtx {
    /// Replaces stdin (fd 0), as [`WasiCtxBuilder::stdin`] would have set it.
    pub fn set_stdin(&mut self, s: Stdio) {
        self.set_stdio(0, s);
    }

    /// Replaces stdout (fd 1), as [`WasiCtxBuilder::stdout`] would have set it.
    pub fn set_stdout(&mut self, s: Stdio) {
        self.set_stdio(1, s);
    }

    /// Replaces stderr (fd 2), as [`WasiCtxBuilder::stderr`] would have set it.
    pub fn set_stderr(&mut self, s: Stdio) {
        self.set_stdio(2, s);
    }

    fn set_stdio(&mut self, fd: u32, s: Stdio) {
        match stdio_descriptor(fd, s) {
            Some(d) => self.table.insert_at(fd, d),
            None => {
                let _ = self.table.remove(fd as i32);
            }
        }
    }
}

impl std::fmt::Debug for WasiCtx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasiCtx").field("args", &self.args.len()).field("env", &self.env.len()).finish_non_exhaustive()
    }
}

/// Where one of fd 0, 1 and 2 goes.
///
/// ```
/// let log = wisp_wasi::Pipe::with_limit(1 << 16);
/// let ctx = wisp_wasi::WasiCtx::builder()
///     .stdin(wisp_wasi::Stdio::Pipe(wisp_wasi::Pipe::from_bytes("input\n")))
///     .stdout(wisp_wasi::Stdio::Inherit)
///     .stderr(wisp_wasi::Stdio::Pipe(log.clone()))
///     .build();
/// # let _ = ctx;
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum Stdio {
    /// The host process's own stream.
    Inherit,
    /// An in-memory buffer: output is appended to it, input is read from it (then EOF).
    Pipe(Pipe),
    /// Output goes to a writer of the host's (a logger, a channel, a file, a socket), each
    /// `fd_write` passed on as the guest makes it. As input it reads nothing (EOF is not
    /// given: `EBADF`).
    Writer(SharedWriter),
    /// No descriptor at all: the guest gets `EBADF`.
    #[default]
    Closed,
}

impl Stdio {
    /// Output to `w`, streamed: see [`Stdio::Writer`].
    ///
    /// ```
    /// use std::sync::mpsc;
    /// // Every write of the guest arrives on a channel, as it is made.
    /// struct Lines(mpsc::Sender<Vec<u8>>);
    /// impl std::io::Write for Lines {
    ///     fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
    ///         self.0.send(b.to_vec()).map_err(|_| std::io::ErrorKind::BrokenPipe)?;
    ///         Ok(b.len())
    ///     }
    ///     fn flush(&mut self) -> std::io::Result<()> {
    ///         Ok(())
    ///     }
    /// }
    /// let (tx, rx) = mpsc::channel();
    /// let wasi = wisp_wasi::WasiCtx::builder().stdout(wisp_wasi::Stdio::writer(Lines(tx))).build();
    /// # drop((wasi, rx));
    /// ```
    pub fn writer(w: impl std::io::Write + Send + 'static) -> Stdio {
        Stdio::Writer(SharedWriter::new(w))
    }
}

/// A host writer that guest output goes to (see [`Stdio::Writer`]). Clones share it.
///
/// ```
/// let sink = wisp_wasi::SharedWriter::new(std::io::sink());
/// let ctx = wisp_wasi::WasiCtx::builder().stdout(wisp_wasi::Stdio::Writer(sink.clone())).build();
/// # let _ = ctx;
/// ```
#[derive(Clone)]
pub struct SharedWriter(Arc<Mutex<Box<dyn std::io::Write + Send>>>);

impl SharedWriter {
    /// A writer shared by its clones.
    pub fn new(w: impl std::io::Write + Send + 'static) -> Self {
        SharedWriter(Arc::new(Mutex::new(Box::new(w))))
    }

    /// Writes all of `bytes` and flushes, so that a line reaches the sink when the guest
    /// writes it.
    pub(crate) fn write_all(&self, bytes: &[u8]) -> io::Result<()> {
        let mut w = self.0.lock().unwrap_or_else(|e| e.into_inner());
        w.write_all(bytes)?;
        w.flush()
    }
}

impl std::fmt::Debug for SharedWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedWriter")
    }
}

/// A shareable in-memory byte buffer for stdio. Clones share the same bytes, so the host
/// keeps one handle and reads what the guest wrote after (or during) the run.
///
/// A pipe made with [`Pipe::with_limit`] holds at most that many bytes: past it, the oldest
/// bytes are dropped (and counted, [`Pipe::dropped`]), so a long-running guest that prints
/// cannot grow the host's memory. [`Pipe::take`] and [`Pipe::clear`] empty it.
///
/// ```
/// let pipe = wisp_wasi::Pipe::with_limit(8);
/// pipe.write(b"0123456789");
/// assert_eq!(pipe.contents(), b"23456789"); // the newest bytes, at most 8
/// assert_eq!(pipe.dropped(), 2);
/// assert_eq!(pipe.take(), b"23456789");
/// assert!(pipe.is_empty());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Pipe(Arc<Mutex<PipeInner>>);

#[derive(Debug, Default)]
struct PipeInner {
    data: VecDeque<u8>,
    /// How far reads have consumed `data`.
    read: usize,
    /// Most bytes held (`None`: no limit).
    limit: Option<usize>,
    /// Bytes dropped to stay within the limit.
    dropped: u64,
}

impl Pipe {
    /// An empty pipe without a limit.
    pub fn new() -> Pipe {
        Pipe::default()
    }

    /// An empty pipe that holds at most `max_bytes`, keeping the newest.
    pub fn with_limit(max_bytes: usize) -> Pipe {
        Pipe(Arc::new(Mutex::new(PipeInner { limit: Some(max_bytes), ..PipeInner::default() })))
    }

    /// A pipe holding `bytes`, for stdin.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Pipe {
        Pipe(Arc::new(Mutex::new(PipeInner { data: bytes.into().into(), ..PipeInner::default() })))
    }

    fn lock(&self) -> MutexGuard<'_, PipeInner> {
        // A poisoned lock only means another thread panicked mid-copy; the bytes are still bytes.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every byte held (reads do not remove bytes from this view; the limit, `take` and
    /// `clear` do).
    pub fn contents(&self) -> Vec<u8> {
        let inner = self.lock();
        let (a, b) = inner.data.as_slices();
        [a, b].concat()
    }

    /// [`Pipe::contents`] as text, lossily.
    pub fn contents_string(&self) -> String {
        String::from_utf8_lossy(&self.contents()).into_owned()
    }

    /// Removes and returns every byte held.
    pub fn take(&self) -> Vec<u8> {
        let mut inner = self.lock();
        inner.read = 0;
        let data = std::mem::take(&mut inner.data);
        data.into()
    }

    /// Drops every byte held.
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.read = 0;
        inner.data = VecDeque::new();
    }

    /// Number of bytes held.
    pub fn len(&self) -> usize {
        self.lock().data.len()
    }

    /// Whether no byte is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most bytes this pipe holds, if it has a limit.
    pub fn limit(&self) -> Option<usize> {
        self.lock().limit
    }

    /// How many bytes were dropped to keep within the limit.
    pub fn dropped(&self) -> u64 {
        self.lock().dropped
    }

    /// Bytes of memory the buffer has allocated (at least [`Pipe::len`]), to check that
    /// the host's memory stays bounded.
    pub fn capacity(&self) -> usize {
        self.lock().data.capacity()
    }

    /// Appends bytes (the host feeding more input, or the guest writing output); with a
    /// limit, the oldest bytes beyond it are dropped.
    pub fn write(&self, bytes: &[u8]) {
        let mut inner = self.lock();
        let bytes = match inner.limit {
            // Of a write longer than the limit, only its tail can stay.
            Some(max) if bytes.len() > max => {
                let cut = bytes.len() - max;
                inner.dropped += cut as u64;
                &bytes[cut..]
            }
            _ => bytes,
        };
        if let Some(max) = inner.limit {
            let over = (inner.data.len() + bytes.len()).saturating_sub(max);
            if over > 0 {
                inner.data.drain(..over);
                inner.read = inner.read.saturating_sub(over);
                inner.dropped += over as u64;
            }
        }
        inner.data.extend(bytes);
    }

    /// Bytes not yet read.
    pub fn unread(&self) -> usize {
        let inner = self.lock();
        inner.data.len() - inner.read
    }

    /// Reads up to `buf.len()` unread bytes; 0 means end of input.
    pub fn read(&self, buf: &mut [u8]) -> usize {
        let mut inner = self.lock();
        let start = inner.read;
        let n = buf.len().min(inner.data.len() - start);
        for (dst, src) in buf[..n].iter_mut().zip(inner.data.range(start..start + n)) {
            *dst = *src;
        }
        inner.read += n;
        n
    }
}

/// The realtime clock (`clockid::realtime`).
///
/// ```
/// use std::time::Duration;
/// /// A clock stopped at one instant.
/// struct Frozen(Duration);
/// impl wisp_wasi::WallClock for Frozen {
///     fn now(&mut self) -> Duration { self.0 }
///     fn resolution(&self) -> Duration { Duration::from_secs(1) }
/// }
/// let ctx = wisp_wasi::WasiCtx::builder().wall_clock(Frozen(Duration::from_secs(1_700_000_000))).build();
/// # let _ = ctx;
/// ```
pub trait WallClock: Send {
    /// Time since 1970-01-01T00:00:00Z.
    fn now(&mut self) -> Duration;
    /// The clock's resolution (`clock_res_get`).
    fn resolution(&self) -> Duration;
}

/// The monotonic clock (`clockid::monotonic`), and sleeping on it (`poll_oneoff`).
///
/// ```
/// let clock = wisp_wasi::VirtualClock::new(wisp_wasi::DETERMINISTIC_EPOCH);
/// let ctx = wisp_wasi::WasiCtx::builder().monotonic_clock(clock.clone()).wall_clock(clock).build();
/// # let _ = ctx;
/// ```
pub trait MonotonicClock: Send {
    /// Time since an arbitrary origin; never decreases.
    fn now(&mut self) -> Duration;
    /// The clock's resolution (`clock_res_get`).
    fn resolution(&self) -> Duration;
    /// Blocks the guest for `d`.
    fn sleep(&mut self, d: Duration);
}

/// Where `random_get` bytes come from.
///
/// ```
/// use wisp_wasi::RandomSource;
/// let (mut a, mut b) = (wisp_wasi::SeededRandom::new(7), wisp_wasi::SeededRandom::new(7));
/// let (mut x, mut y) = ([0u8; 16], [0u8; 16]);
/// a.fill(&mut x).unwrap();
/// b.fill(&mut y).unwrap();
/// assert_eq!(x, y); // same seed, same bytes
/// let mut os = wisp_wasi::OsRandom::default();
/// os.fill(&mut x).unwrap();
/// ```
pub trait RandomSource: Send {
    /// Fills `buf` with random bytes.
    fn fill(&mut self, buf: &mut [u8]) -> io::Result<()>;
}

/// The host's real time.
///
/// ```
/// use wisp_wasi::WallClock;
/// let now = wisp_wasi::SystemWallClock.now();
/// assert!(now.as_secs() > 1_700_000_000);
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemWallClock;

impl WallClock for SystemWallClock {
    fn now(&mut self) -> Duration {
        SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default()
    }
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }
}

/// The host's monotonic time, from `std::time::Instant`; sleeping really sleeps.
///
/// ```
/// use wisp_wasi::MonotonicClock;
/// let mut clock = wisp_wasi::SystemMonotonicClock::default();
/// let t0 = clock.now();
/// clock.sleep(std::time::Duration::from_millis(1));
/// assert!(clock.now() > t0);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SystemMonotonicClock {
    origin: Instant,
}

impl Default for SystemMonotonicClock {
    fn default() -> Self {
        SystemMonotonicClock { origin: Instant::now() }
    }
}

impl MonotonicClock for SystemMonotonicClock {
    fn now(&mut self) -> Duration {
        self.origin.elapsed()
    }
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }
    fn sleep(&mut self, d: Duration) {
        std::thread::sleep(d)
    }
}

/// A virtual time line for reproducible runs: both clocks read from it, each read moves it
/// forward by a fixed tick (so guests that spin on the clock make progress), and sleeping
/// moves it forward instantly instead of blocking.
///
/// ```
/// use wisp_wasi::MonotonicClock;
/// let mut clock = wisp_wasi::VirtualClock::new(wisp_wasi::DETERMINISTIC_EPOCH);
/// let t0 = clock.now();
/// clock.sleep(std::time::Duration::from_secs(3600)); // returns at once
/// assert!(clock.now() - t0 >= std::time::Duration::from_secs(3600));
/// ```
#[derive(Debug, Clone)]
pub struct VirtualClock {
    elapsed_ns: Arc<AtomicU64>,
    wall_origin: Duration,
    tick: Duration,
}

impl VirtualClock {
    /// A time line whose wall clock starts at `wall_origin` after the Unix epoch.
    pub fn new(wall_origin: Duration) -> Self {
        VirtualClock { elapsed_ns: Arc::new(AtomicU64::new(0)), wall_origin, tick: Duration::from_micros(1) }
    }

    /// Virtual time elapsed since the start.
    pub fn elapsed(&self) -> Duration {
        Duration::from_nanos(self.elapsed_ns.load(Ordering::Relaxed))
    }

    fn advance(&self, d: Duration) -> Duration {
        let ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        let prev = self.elapsed_ns.fetch_add(ns, Ordering::Relaxed);
        Duration::from_nanos(prev.saturating_add(ns))
    }
}

impl WallClock for VirtualClock {
    fn now(&mut self) -> Duration {
        self.wall_origin + self.advance(self.tick)
    }
    fn resolution(&self) -> Duration {
        self.tick
    }
}

impl MonotonicClock for VirtualClock {
    fn now(&mut self) -> Duration {
        self.advance(self.tick)
    }
    fn resolution(&self) -> Duration {
        self.tick
    }
    fn sleep(&mut self, d: Duration) {
        self.advance(d);
    }
}

/// The host's randomness: `/dev/urandom` where it exists, otherwise a generator seeded from
/// std's per-process hash keys and the time (not cryptographic; see RATIONALE.md).
///
/// ```
/// use wisp_wasi::RandomSource;
/// let mut r = wisp_wasi::OsRandom::default();
/// let mut buf = [0u8; 32];
/// r.fill(&mut buf).unwrap();
/// assert_ne!(buf, [0u8; 32]);
/// ```
#[derive(Debug, Default)]
pub struct OsRandom {
    urandom: Option<std::fs::File>,
    fallback: Option<SeededRandom>,
}

impl RandomSource for OsRandom {
    fn fill(&mut self, buf: &mut [u8]) -> io::Result<()> {
        use std::io::Read;
        if self.urandom.is_none() && self.fallback.is_none() {
            match std::fs::File::open("/dev/urandom") {
                Ok(f) => self.urandom = Some(f),
                Err(_) => {
                    use std::hash::{BuildHasher, Hasher};
                    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
                    h.write_u128(
                        SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_nanos(),
                    );
                    self.fallback = Some(SeededRandom::new(h.finish()));
                }
            }
        }
        match (&mut self.urandom, &mut self.fallback) {
            (Some(f), _) => f.read_exact(buf),
            (None, Some(r)) => r.fill(buf),
            (None, None) => Err(io::Error::other("no random source")),
        }
    }
}

/// A deterministic generator (splitmix64): the same seed gives the same bytes.
///
/// ```
/// let ctx = wisp_wasi::WasiCtx::builder().random(wisp_wasi::SeededRandom::new(1)).build();
/// # let _ = ctx;
/// ```
#[derive(Debug, Clone)]
pub struct SeededRandom {
    state: u64,
}

impl SeededRandom {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        SeededRandom { state: seed }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl RandomSource for SeededRandom {
    fn fill(&mut self, buf: &mut [u8]) -> io::Result<()> {
        for chunk in buf.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}

/// The wall-clock start of [`WasiCtxBuilder::deterministic`]: 2025-01-01T00:00:00Z.
pub const DETERMINISTIC_EPOCH: Duration = Duration::from_secs(1_735_689_600);

struct Preopen {
    host: PathBuf,
    guest: String,
    read_only: bool,
}

/// Builds a [`WasiCtx`]. Everything starts closed or empty: no arguments, no environment,
/// stdio closed, no preopens, the host's clocks and randomness.
///
/// ```
/// let dir = std::env::temp_dir();
/// let ctx = wisp_wasi::WasiCtx::builder()
///     .args(["plugin", "--verbose"])
///     .env("LANG", "C")
///     .inherit_stdio()
///     .preopened_dir_read_only(&dir, "/data")?
///     .deterministic(42) // virtual clocks, seeded randomness
///     .build();
/// assert_eq!(ctx.args().count(), 2);
/// assert_eq!(ctx.env().collect::<Vec<_>>(), [b"LANG=C"]);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Default)]
pub struct WasiCtxBuilder {
    args: Vec<Vec<u8>>,
    env: Vec<Vec<u8>>,
    stdin: Stdio,
    stdout: Stdio,
    stderr: Stdio,
    preopens: Vec<Preopen>,
    wall: Option<Box<dyn WallClock>>,
    monotonic: Option<Box<dyn MonotonicClock>>,
    random: Option<Box<dyn RandomSource>>,
}

impl WasiCtxBuilder {
    /// Appends one argument (the first is `argv[0]`, the program name).
    pub fn arg(mut self, arg: impl AsRef<[u8]>) -> Self {
        self.args.push(arg.as_ref().to_vec());
        self
    }

    /// Adds arguments, in order.
    pub fn args<A: AsRef<[u8]>>(mut self, args: impl IntoIterator<Item = A>) -> Self {
        self.args.extend(args.into_iter().map(|a| a.as_ref().to_vec()));
        self
    }

    /// The host process's own arguments.
    pub fn inherit_args(self) -> Self {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            self.args(std::env::args_os().map(|a| a.into_vec()))
        }
        #[cfg(not(unix))]
        self.args(std::env::args_os().map(|a| a.to_string_lossy().into_owned()))
    }

    /// Appends `key=value` to the environment.
    pub fn env(mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Self {
        let mut e = key.as_ref().to_vec();
        e.push(b'=');
        e.extend_from_slice(value.as_ref());
        self.env.push(e);
        self
    }

    /// Appends entries already written as `KEY=VALUE`.
    pub fn env_entries<E: AsRef<[u8]>>(mut self, entries: impl IntoIterator<Item = E>) -> Self {
        self.env.extend(entries.into_iter().map(|e| e.as_ref().to_vec()));
        self
    }

    /// The host process's own environment.
    pub fn inherit_env(mut self) -> Self {
        for (k, v) in std::env::vars_os() {
            self = self.env(k.to_string_lossy().as_bytes(), v.to_string_lossy().as_bytes());
        }
        self
    }

    /// Where fd 0 reads from.
    pub fn stdin(mut self, s: Stdio) -> Self {
        self.stdin = s;
        self
    }

    /// Where fd 1 writes to.
    pub fn stdout(mut self, s: Stdio) -> Self {
        self.stdout = s;
        self
    }

    /// Where fd 2 writes to.
    pub fn stderr(mut self, s: Stdio) -> Self {
        self.stderr = s;
        self
    }

    /// Inherits all three standard streams.
    pub fn inherit_stdio(self) -> Self {
        self.stdin(Stdio::Inherit).stdout(Stdio::Inherit).stderr(Stdio::Inherit)
    }

    /// Grants the guest the host directory `host` under the name `guest` (e.g. `"/data"` or
    /// `"."`), with full rights inside it. Preopens get fds 3, 4, ... in the order given.
    pub fn preopened_dir(self, host: impl AsRef<Path>, guest: impl Into<String>) -> io::Result<Self> {
        self.preopen(host.as_ref(), guest.into(), false)
    }

    /// Like [`WasiCtxBuilder::preopened_dir`], but nothing under it can be created, written,
    /// renamed, removed or have its times changed.
    pub fn preopened_dir_read_only(self, host: impl AsRef<Path>, guest: impl Into<String>) -> io::Result<Self> {
        self.preopen(host.as_ref(), guest.into(), true)
    }

    fn preopen(mut self, host: &Path, guest: String, read_only: bool) -> io::Result<Self> {
        // Canonical once, here: later resolution trusts the root and checks everything below it.
        let host = host.canonicalize()?;
        if !host.is_dir() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{} is not a directory", host.display())));
        }
        self.preopens.push(Preopen { host, guest, read_only });
        Ok(self)
    }

    /// The realtime clock (default: [`SystemWallClock`]).
    pub fn wall_clock(mut self, c: impl WallClock + 'static) -> Self {
        self.wall = Some(Box::new(c));
        self
    }

    /// The monotonic clock (default: [`SystemMonotonicClock`]).
    pub fn monotonic_clock(mut self, c: impl MonotonicClock + 'static) -> Self {
        self.monotonic = Some(Box::new(c));
        self
    }

    /// Where `random_get` bytes come from (default: [`OsRandom`]).
    pub fn random(mut self, r: impl RandomSource + 'static) -> Self {
        self.random = Some(Box::new(r));
        self
    }

    /// Reproducible runs: both clocks on one [`VirtualClock`] starting at
    /// [`DETERMINISTIC_EPOCH`] (sleeps take no real time) and random bytes from `seed`.
    pub fn deterministic(self, seed: u64) -> Self {
        let clock = VirtualClock::new(DETERMINISTIC_EPOCH);
        self.wall_clock(clock.clone()).monotonic_clock(clock).random(SeededRandom::new(seed))
    }

    /// Where stdout goes, as set so far.
    pub(crate) fn stdout_setting(&self) -> Stdio {
        self.stdout.clone()
    }

    /// The context.
    pub fn build(self) -> WasiCtx {
        let mut table = Table::default();
        for (fd, stdio) in [self.stdin, self.stdout, self.stderr].into_iter().enumerate() {
            if let Some(d) = stdio_descriptor(fd as u32, stdio) {
                table.insert_at(fd as u32, d);
            }
        }
        for (i, p) in self.preopens.into_iter().enumerate() {
            let (base, inheriting): (Rights, Rights) = if p.read_only {
                (rights::DIR & !rights::MUTATING, (rights::DIR | rights::FILE) & !rights::MUTATING)
            } else {
                (rights::DIR, rights::DIR | rights::FILE)
            };
            let dir = DirDesc::preopen(Arc::new(p.host), p.guest);
            table.insert_at(3 + i as u32, Descriptor::new(Kind::Dir(dir), base, inheriting));
        }
        let mut monotonic = self.monotonic.unwrap_or_else(|| Box::new(SystemMonotonicClock::default()));
        let cpu_origin = u64::try_from(monotonic.now().as_nanos()).unwrap_or(u64::MAX);
        WasiCtx {
            args: self.args,
            env: self.env,
            table,
            wall: self.wall.unwrap_or_else(|| Box::new(SystemWallClock)),
            monotonic,
            random: self.random.unwrap_or_else(|| Box::new(OsRandom::default())),
            cpu_origin,
        }
    }
}
