//! Interruption and deadlines, aimed at one call.
//!
//! The executor checks one flag (`Stack::interrupt`) at loop headers and function entry
//! (`CheckInterrupt`, compiled in with `Config::interruptible`). Everything here decides when
//! that flag is raised, so that it only ever stops the call it was meant for:
//!
//! - A store's [`Gate`] knows whether an outermost call is running and which one (a
//!   generation number). [`InterruptHandle::interrupt`] raises the flag only while a call
//!   runs, under the gate's lock; the start of the next call lowers it under the same lock.
//!   An interrupt that lands after a call returned therefore does nothing, instead of
//!   killing whatever call comes next.
//! - A timeout ([`Store::set_timeout`]) gives each outermost call a deadline. One watchdog
//!   thread per process sleeps until the earliest deadline of all stores and raises the flag
//!   of a call that is still running past its deadline; the call then fails with
//!   [`TrapCode::DeadlineExceeded`] rather than `Interrupted`, so the host can tell the two
//!   apart.
//!
//! Calls made by host functions back into Wasm run inside the outermost call and share its
//! deadline. Without `Config::interruptible`, none of this runs: the call path checks one
//! boolean.

use crate::error::{Error, Result};
use crate::store::Store;
use crate::trap::TrapCode;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

/// Why the running call's flag was raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cause {
    Interrupt,
    Deadline,
}

#[derive(Debug, Default)]
struct GateState {
    /// Counts outermost calls; the running one has this number.
    generation: u64,
    running: bool,
    /// When the running call must stop, if it has a deadline.
    deadline: Option<Instant>,
    /// Whether the watchdog holds an entry for this gate (it holds at most one).
    queued: bool,
    /// Set when the flag was raised for the running call.
    cause: Option<Cause>,
}

/// A store's interruption state, shared with its [`InterruptHandle`]s and the watchdog.
#[derive(Debug)]
pub(crate) struct Gate {
    state: Mutex<GateState>,
    /// The flag the executor checks (the same `Arc` as `Stack::interrupt`).
    flag: Arc<AtomicBool>,
}

impl Gate {
    pub(crate) fn new(flag: Arc<AtomicBool>) -> Arc<Gate> {
        Arc::new(Gate { state: Mutex::new(GateState::default()), flag })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        // A panic while holding this lock leaves plain data behind: keep going with it.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Raises the flag for the running call, if there is one.
    fn raise(&self, cause: Cause) {
        let mut s = self.lock();
        if s.running && s.cause.is_none() {
            s.cause = Some(cause);
            self.flag.store(true, Ordering::Relaxed);
        }
    }

    /// An outermost call starts: a new generation, the flag lowered, its deadline set.
    pub(crate) fn begin(self: &Arc<Self>, timeout: Option<Duration>) {
        let mut s = self.lock();
        s.generation = s.generation.wrapping_add(1);
        s.running = true;
        s.cause = None;
        self.flag.store(false, Ordering::Relaxed);
        s.deadline = timeout.map(|t| Instant::now().checked_add(t).unwrap_or_else(far_future));
        if let Some(at) = s.deadline {
            if !s.queued {
                s.queued = true;
                drop(s);
                watchdog().schedule(at, Arc::downgrade(self));
            }
        }
    }

    /// The outermost call ended: returns why its flag was raised, if it was.
    fn end(&self) -> Option<Cause> {
        let mut s = self.lock();
        s.running = false;
        s.deadline = None;
        self.flag.store(false, Ordering::Relaxed);
        s.cause.take()
    }

    /// The watchdog's visit at `now`: raises the flag of a call past its deadline; returns
    /// when to come back (a later call's deadline), or `None` to forget this gate.
    fn visit(&self, now: Instant) -> Option<Instant> {
        let mut s = self.lock();
        match s.deadline {
            Some(at) if s.running && at <= now => {
                if s.cause.is_none() {
                    s.cause = Some(Cause::Deadline);
                    self.flag.store(true, Ordering::Relaxed);
                }
                s.queued = false;
                None
            }
            Some(at) if s.running => Some(at),
            _ => {
                s.queued = false;
                None
            }
        }
    }
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)
}

/// The process's one watchdog thread and its queue of deadlines (one entry per store that
/// has a deadline pending).
struct Watchdog {
    queue: Mutex<BinaryHeap<Reverse<Entry>>>,
    wake: Condvar,
}

struct Entry {
    at: Instant,
    gate: Weak<Gate>,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.at.cmp(&other.at)
    }
}

fn watchdog() -> &'static Watchdog {
    static WATCHDOG: OnceLock<&'static Watchdog> = OnceLock::new();
    WATCHDOG.get_or_init(|| {
        let w: &'static Watchdog =
            Box::leak(Box::new(Watchdog { queue: Mutex::new(BinaryHeap::new()), wake: Condvar::new() }));
        // If the thread cannot be spawned, deadlines are not enforced; calls still run.
        let _ = std::thread::Builder::new().name("wisp-deadlines".into()).spawn(move || w.run());
        w
    })
}

impl Watchdog {
    fn schedule(&self, at: Instant, gate: Weak<Gate>) {
        let mut q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        let earliest = q.peek().is_none_or(|Reverse(e)| at < e.at);
        q.push(Reverse(Entry { at, gate }));
        if earliest {
            self.wake.notify_one();
        }
    }

    fn run(&self) {
        let mut q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            let now = Instant::now();
            match q.peek() {
                None => q = self.wake.wait(q).unwrap_or_else(|p| p.into_inner()),
                Some(Reverse(e)) if e.at > now => {
                    let wait = e.at - now;
                    q = self.wake.wait_timeout(q, wait).unwrap_or_else(|p| p.into_inner()).0;
                }
                Some(_) => {
                    let Reverse(e) = q.pop().expect("peeked");
                    if let Some(gate) = e.gate.upgrade() {
                        // The gate's lock is taken while holding the queue's; `begin` never
                        // holds its gate's lock while scheduling, so there is no cycle.
                        if let Some(later) = gate.visit(now) {
                            q.push(Reverse(Entry { at: later, gate: e.gate }));
                        }
                    }
                }
            }
        }
    }
}

/// Stops the outermost call running in a store at its next loop header or function entry,
/// with [`TrapCode::Interrupted`]. Cheap to clone; usable from any thread. Needs
/// `Config::interruptible(true)`.
///
/// An interrupt is aimed at the call running when it is requested: requested while no call
/// runs, it does nothing, and it never carries over to the next call.
///
/// ```
/// let mut config = wisp::Config::new();
/// config.interruptible(true);
/// let engine = wisp::Engine::new(&config);
/// let module = wisp::Module::new(&engine, r#"(module (func (export "spin") (loop (br 0))))"#)?;
/// let mut store = wisp::Store::new(&engine, ());
/// let instance = wisp::Linker::new(&engine).instantiate(&mut store, &module)?;
/// let spin = instance.get_typed_func::<(), ()>(&store, "spin")?;
/// let handle = store.interrupt_handle()?;
/// let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
/// let stopper = {
///     let stop = stop.clone();
///     std::thread::spawn(move || while !stop.load(std::sync::atomic::Ordering::Relaxed) {
///         std::thread::sleep(std::time::Duration::from_millis(5));
///         handle.interrupt();
///     })
/// };
/// let err = spin.call(&mut store, ()).unwrap_err();
/// stop.store(true, std::sync::atomic::Ordering::Relaxed);
/// stopper.join().unwrap();
/// assert!(matches!(err, wisp::Error::Trap(t) if t.code() == wisp::TrapCode::Interrupted));
/// // Or a deadline for every call:
/// store.set_timeout(Some(std::time::Duration::from_millis(20)))?;
/// let err = spin.call(&mut store, ()).unwrap_err();
/// assert!(matches!(err, wisp::Error::Trap(t) if t.code() == wisp::TrapCode::DeadlineExceeded));
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct InterruptHandle {
    gate: Arc<Gate>,
}

impl InterruptHandle {
    /// Interrupts the call running now, if any (see the type's docs).
    pub fn interrupt(&self) {
        self.gate.raise(Cause::Interrupt);
    }
}

fn not_interruptible() -> Error {
    Error::Usage("interruption is not enabled: use Config::interruptible(true)".into())
}

impl<T> Store<T> {
    /// A handle that interrupts this store's running call (see [`InterruptHandle`]).
    pub fn interrupt_handle(&self) -> Result<InterruptHandle> {
        match &self.gate {
            Some(gate) => Ok(InterruptHandle { gate: gate.clone() }),
            None => Err(not_interruptible()),
        }
    }

    /// Gives every outermost call into this store at most `timeout` of wall-clock time
    /// (`None`: no limit, the default). A call still running then stops at its next loop
    /// header or function entry with [`TrapCode::DeadlineExceeded`]; the store stays usable.
    /// Needs `Config::interruptible(true)`.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) -> Result<()> {
        if self.gate.is_none() {
            return Err(not_interruptible());
        }
        self.timeout = timeout;
        Ok(())
    }

    /// The timeout set with [`Store::set_timeout`].
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// Runs `call` as an outermost call: its own generation and deadline, and an
    /// `Interrupted` trap turned into `DeadlineExceeded` when the deadline raised the flag.
    /// Calls made from host functions inside it are not outermost and run as they are.
    ///
    /// Without interruption, or inside a call, it is `call(self)`, inlined (one call site, so
    /// `call` inlines too: 2026-12-06, the call from the host had run its own frame through a
    /// closure here); the outermost call of an interruptible store takes `gated_call`.
    #[inline]
    pub(crate) fn guarded_call<R>(&mut self, call: impl FnOnce(&mut Self) -> Result<R>) -> Result<R> {
        match &self.gate {
            Some(gate) if !self.in_call => {
                let gate = gate.clone();
                self.gated_call(gate, call)
            }
            _ => call(self),
        }
    }

    #[inline(never)]
    fn gated_call<R>(&mut self, gate: Arc<Gate>, call: impl FnOnce(&mut Self) -> Result<R>) -> Result<R> {
        self.in_call = true;
        gate.begin(self.timeout);
        let result = call(self);
        self.in_call = false;
        let cause = gate.end();
        match result {
            Err(Error::Trap(t)) if cause == Some(Cause::Deadline) && t.code() == TrapCode::Interrupted => {
                Err(Error::Trap(t.with_code(TrapCode::DeadlineExceeded)))
            }
            other => other,
        }
    }
}
