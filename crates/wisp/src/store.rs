//! `Store<T>`: owns every runtime object (functions, memories, tables, globals, instances)
//! and the host's data. Handles (`Func`, `Memory`, ...) are indices into a store.

use crate::engine::{Engine, TypeDef};
use crate::exec::Stack;
use crate::func::HostFn;
use crate::limits::ResourceLimiter;
use crate::linear::{LinearMemory, MemoryImage};
use crate::module::Module;
use std::any::Any;
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use wisp_decoder::{FuncType, GlobalType, HeapType, MemoryType, SubType, TableType, ValType};
use wisp_validator::TypeDefs;

static NEXT_STORE_ID: AtomicU32 = AtomicU32::new(1);

/// The default page size (64 KiB); custom page sizes give a memory pages of 1 byte.
pub(crate) const PAGE_SIZE: usize = 65536;
/// Most elements a table may have in wisp, whatever its type says.
pub(crate) const MAX_TABLE_ELEMENTS: usize = 10_000_000;

/// The most pages a memory of type `ty` may have by the spec: 4 GiB of them for 32-bit
/// addresses (at most `u32::MAX`, so `memory.size` fits an i32), 2^64 bytes' for 64-bit ones.
pub(crate) fn spec_max_pages(ty: &MemoryType) -> u64 {
    let log2 = ty.page_size_log2();
    if ty.memory64 {
        if log2 == 0 {
            u64::MAX
        } else {
            1 << (64 - log2)
        }
    } else {
        ((1u64 << 32) >> log2).min(u32::MAX as u64)
    }
}

/// Bytes of `pages` pages of a memory of type `ty`, if they fit this host's address space.
pub(crate) fn pages_to_bytes(ty: &MemoryType, pages: u64) -> Option<usize> {
    usize::try_from(pages.min(spec_max_pages(ty))).ok()?.checked_mul(1 << ty.page_size_log2())
}

fn limit_error(what: String) -> crate::Error {
    crate::Error::Instantiate(format!("resource limit exceeded: {what}"))
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum FuncKind {
    /// Defined function `def_index` of instance `instance`.
    Wasm { instance: u32, def_index: u32 },
    /// Entry `index` of the store's host functions, with its numbers of parameters and results
    /// (read on every call from Wasm, without following the type).
    Host { index: u32, params: u32, results: u32 },
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct FuncEntity {
    pub type_id: u32,
    pub kind: FuncKind,
}

#[derive(Debug)]
pub(crate) struct MemoryEntity {
    pub data: LinearMemory,
    pub ty: MemoryType,
}

impl MemoryEntity {
    pub fn new(ty: MemoryType) -> Result<Self, crate::Error> {
        let bytes = Some(ty.limits.min)
            .filter(|&min| min <= spec_max_pages(&ty))
            .and_then(|min| pages_to_bytes(&ty, min))
            .ok_or_else(|| crate::Error::Instantiate("memory too large".into()))?;
        let data = LinearMemory::zeroed(bytes)
            .ok_or_else(|| crate::Error::Instantiate(format!("cannot allocate a memory of {bytes} bytes")))?;
        Ok(MemoryEntity { data, ty })
    }

    /// A memory of type `ty` holding `image` (a snapshot's memory, or a module's memory after
    /// its data segments; at least `ty`'s minimum), whose unwritten pages count as shared if
    /// `shared` (see [`LinearMemory::from_image`]).
    pub fn from_image(mut ty: MemoryType, image: &MemoryImage, shared: bool) -> Result<Self, crate::Error> {
        let max = pages_to_bytes(&ty, ty.limits.max.unwrap_or(u64::MAX)).unwrap_or(usize::MAX);
        let data = LinearMemory::from_image(image, max, shared)
            .ok_or_else(|| crate::Error::Instantiate(format!("cannot allocate a memory of {} bytes", image.len())))?;
        ty.limits.min = (image.len() >> ty.page_size_log2()) as u64;
        Ok(MemoryEntity { data, ty })
    }

    /// The size in the memory's own pages.
    pub fn pages(&self) -> u64 {
        (self.data.len() >> self.ty.page_size_log2()) as u64
    }

    pub fn max_pages(&self) -> u64 {
        let spec = spec_max_pages(&self.ty);
        self.ty.limits.max.unwrap_or(spec).min(spec)
    }

    /// Bytes of `pages` of this memory's pages, if they fit this host.
    pub fn bytes_of(&self, pages: u64) -> Option<usize> {
        pages_to_bytes(&self.ty, pages)
    }

    /// Grows by `delta` pages; the old size in pages, or `None` when the limit forbids it or
    /// the host cannot hold the memory (a 64-bit memory may ask for more than any host has).
    pub fn grow(&mut self, delta: u64) -> Option<u64> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        if new > self.max_pages() {
            return None;
        }
        if delta == 0 {
            return Some(old);
        }
        let bytes = self.bytes_of(new)?;
        self.data.grow_to(bytes)?;
        Some(old)
    }
}

#[derive(Debug)]
pub(crate) struct TableEntity {
    /// Encoded references: 0 is null; funcref `n` is store function `n - 1`; externref `n`
    /// is store extern object `n - 1`.
    pub elements: Vec<u64>,
    pub ty: TableType,
}

impl TableEntity {
    pub fn max(&self) -> u64 {
        self.ty.limits.max.unwrap_or(u32::MAX as u64).min(u32::MAX as u64)
    }

    pub fn grow(&mut self, delta: u64, init: u64) -> Option<u64> {
        let old = self.elements.len() as u64;
        let new = old.checked_add(delta)?;
        if new > self.max() || new > MAX_TABLE_ELEMENTS as u64 {
            return None;
        }
        self.elements.try_reserve_exact(delta as usize).ok()?;
        self.elements.resize(new as usize, init);
        Some(old)
    }
}

#[derive(Debug)]
pub(crate) struct GlobalEntity {
    /// Mutated through raw pointers by the executor, hence the cell. A value is one slot, a
    /// `v128` two (low half first); the executor's pointer is to the first.
    pub value: UnsafeCell<[u64; 2]>,
    pub ty: GlobalType,
}

impl GlobalEntity {
    pub fn new(v: u128, ty: GlobalType) -> GlobalEntity {
        GlobalEntity { value: UnsafeCell::new([v as u64, (v >> 64) as u64]), ty }
    }

    /// The value's slot (the low half of a `v128`).
    pub fn get(&self) -> u64 {
        self.get128() as u64
    }

    /// The value's two slots (a value that is not a `v128` is in the low one).
    pub fn get128(&self) -> u128 {
        // SAFETY: the store is not shared across threads (`Store` is not `Sync`) and no
        // execution is running while the host holds `&self`.
        let [lo, hi] = unsafe { *self.value.get() };
        lo as u128 | (hi as u128) << 64
    }

    pub fn set(&mut self, v: u128) {
        *self.value.get_mut() = [v as u64, (v >> 64) as u64];
    }
}

/// The runtime view of an instance: its index spaces resolved to store objects.
#[derive(Debug)]
pub(crate) struct InstanceEntity {
    pub module: Module,
    pub funcs: Box<[u32]>,
    pub tables: Box<[u32]>,
    pub memories: Box<[u32]>,
    pub globals: Box<[u32]>,
    /// Pointers to the values of `globals`, for the executor.
    pub global_ptrs: Box<[*mut u64]>,
    /// Element segments, resolved to encoded references; emptied by `elem.drop`.
    pub elems: Vec<Box<[u64]>>,
    /// Data segments as (start, len) in the module's bytes; `len` 0 once dropped.
    pub datas: Vec<(usize, usize)>,
    /// Set when a Go-style runtime died in this instance (see `Instance::is_dead`).
    pub dead: Option<String>,
    /// Set once `Instance::initialize_reactor` has run `_initialize` (or found none to run).
    pub reactor_initialized: bool,
    /// The store memory exported as `memory`, if any: what nearly every host function asks its
    /// caller for (`Caller::get_export`), found once here instead of on every host call.
    pub memory_export: Option<u32>,
    /// Store tags of the instance's tag index space (imports first).
    pub tags: Box<[u32]>,
}

/// A tag: its identity is its store index (two definitions of the same type are different
/// tags; an import is the exporter's tag), its type the payload it carries.
#[derive(Debug)]
pub(crate) struct TagEntity {
    pub ty: Arc<FuncType>,
    /// The engine-wide id of its type: an import matches by it (iso-recursive identity).
    pub type_id: u32,
}

/// A thrown exception: its store tag and its payload, as slots (a `v128` in two, low half
/// first, as on the stack). Exceptions are referenced by `exnref` slots (index + 1) and live
/// as long as the store (wisp has no collector), except one that nothing can reference: never
/// handed out as an `exnref` (`referenced`), caught by a handler that does not take it, and
/// the newest, which `exec::catch` drops again. So a loop that throws and catches runs in
/// constant memory.
#[derive(Debug)]
pub(crate) struct ExnEntity {
    pub tag: u32,
    pub payload: Box<[u64]>,
    /// Whether an `exnref` to it may exist: pushed by `catch_ref`/`catch_all_ref`, or given to
    /// the host.
    pub referenced: bool,
}

/// The parts of a store that do not depend on the host data type.
pub(crate) struct StoreInner {
    pub id: u32,
    pub engine: Engine,
    /// Only through `push_func`, which keeps `types` covering every entry's type.
    pub funcs: Vec<FuncEntity>,
    /// The engine's types by id, at least through every type of `funcs` and of the modules
    /// instantiated here (`cover_types`): the signature a call checks its arguments against
    /// and the definitions subtyping walks, read without the engine's lock.
    pub types: Vec<Arc<TypeDef>>,
    pub memories: Vec<MemoryEntity>,
    pub tables: Vec<TableEntity>,
    // Boxed on purpose: the executor keeps raw pointers into these, which must not move
    // when the vector grows.
    #[allow(clippy::vec_box)]
    pub globals: Vec<Box<GlobalEntity>>,
    // Boxed on purpose: the executor keeps raw pointers into these, which must not move
    // when the vector grows.
    #[allow(clippy::vec_box)]
    pub instances: Vec<Box<InstanceEntity>>,
    pub externs: Vec<Box<dyn Any + Send + Sync>>,
    pub tags: Vec<TagEntity>,
    pub exns: Vec<ExnEntity>,
    pub stack: Stack,
    /// Whether the host installed a limiter (`Store::limiter`). The limiter itself lives in
    /// `Store<T>`, next to the data it borrows from; while this is set, the executor leaves
    /// the loop for every `memory.grow`/`table.grow` by a non-zero delta so that the generic
    /// caller can ask it (`Exit::Grow`).
    pub limited: bool,
    /// How the threaded loop runs a host function without leaving (set by each call into the
    /// store for its duration, `func::run_call`; `None` outside calls).
    pub host_hook: Option<crate::exec::HostHook>,
    /// The error of a host function the loop ran, for the call to return (`Exit::HostFailed`).
    pub host_error: Option<crate::Error>,
}

/// Hashes the trampoline addresses `host_cache` is keyed by with one multiply, where SipHash
/// cost some 180 instructions per import of every instantiation (a store's host functions
/// are the host's own, not input to defend against).
#[derive(Default, Clone, Copy)]
pub(crate) struct AddrHash;

impl std::hash::BuildHasher for AddrHash {
    type Hasher = AddrHasher;
    fn build_hasher(&self) -> AddrHasher {
        AddrHasher(0)
    }
}

pub(crate) struct AddrHasher(u64);

impl std::hash::Hasher for AddrHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    /// The product's high bits folded down: the table indexes by the low bits, which an
    /// aligned address times an odd constant leaves zero.
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
}

impl Drop for StoreInner {
    fn drop(&mut self) {
        self.engine.keep_stack(std::mem::take(&mut self.stack.slots));
    }
}

// SAFETY: the raw pointers inside (`global_ptrs`, the stack's registers) point into data
// owned by this same store, which moves with it; nothing is shared with another thread.
unsafe impl Send for StoreInner {}

/// Finds the store's limiter in its data (the closure given to `Store::limiter`).
type LimiterFn<T> = Box<dyn FnMut(&mut T) -> &mut (dyn ResourceLimiter) + Send + Sync>;

/// Everything a set of instances owns, plus the host's data `T`.
///
/// ```
/// let engine = wisp::Engine::default();
/// let mut linker = wisp::Linker::<u32>::new(&engine);
/// linker.func_wrap("host", "tick", |mut caller: wisp::Caller<'_, u32>| *caller.data_mut() += 1)?;
/// let module = wisp::Module::new(&engine, r#"(module (import "host" "tick" (func $tick))
///     (func (export "run") (call $tick) (call $tick)))"#)?;
/// let mut store = wisp::Store::new(&engine, 0u32);
/// let instance = linker.instantiate(&mut store, &module)?;
/// instance.get_typed_func::<(), ()>(&store, "run")?.call(&mut store, ())?;
/// assert_eq!(*store.data(), 2);
/// *store.data_mut() = 10;
/// assert_eq!(store.into_data(), 10);
/// # Ok::<(), wisp::Error>(())
/// ```
pub struct Store<T> {
    pub(crate) inner: StoreInner,
    /// Append-only; shared so that a running call keeps a snapshot to call host functions
    /// through without a reference count per call (`func::run_call`).
    pub(crate) hosts: std::sync::Arc<Vec<std::sync::Arc<HostFn<T>>>>,
    /// A snapshot of `hosts` that host calls go through (taken out while one runs): one
    /// reference count for many host calls instead of one each (`func::host_call`).
    pub(crate) host_snapshot: Option<std::sync::Arc<Vec<std::sync::Arc<HostFn<T>>>>>,
    /// Host functions a linker already created in this store, by trampoline address.
    pub(crate) host_cache: std::collections::HashMap<usize, u32, AddrHash>,
    /// The host's resource limiter, if it installed one: `inner.limited` says so to the
    /// executor.
    limiter: Option<LimiterFn<T>>,
    /// Interruption and deadlines (only with `Config::interruptible`; see `interrupt.rs`).
    pub(crate) gate: Option<std::sync::Arc<crate::interrupt::Gate>>,
    /// Each outermost call's time limit (`Store::set_timeout`).
    pub(crate) timeout: Option<std::time::Duration>,
    /// Whether an outermost call is running (host functions calling back in are nested).
    pub(crate) in_call: bool,
    data: T,
}

impl<T> Store<T> {
    /// How many exceptions the store holds (tests of their reclamation).
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn exception_count(&self) -> usize {
        self.inner.exns.len()
    }

    /// An empty store for modules of `engine`, holding the host's `data`.
    pub fn new(engine: &Engine, data: T) -> Self {
        let config = engine.config();
        let mut stack = Stack::new(config.max_stack_slots, config.max_call_depth, engine.threaded());
        stack.slots = engine.take_stack();
        let gate = config.interruptible.then(|| crate::interrupt::Gate::new(stack.interrupt.clone()));
        Store {
            inner: StoreInner {
                id: NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed),
                engine: engine.clone(),
                funcs: Vec::new(),
                types: Vec::new(),
                memories: Vec::new(),
                tables: Vec::new(),
                globals: Vec::new(),
                instances: Vec::new(),
                externs: Vec::new(),
                tags: Vec::new(),
                exns: Vec::new(),
                stack,
                limited: false,
                host_hook: None,
                host_error: None,
            },
            hosts: Default::default(),
            host_snapshot: None,
            host_cache: std::collections::HashMap::default(),
            limiter: None,
            gate,
            timeout: None,
            in_call: false,
            data,
        }
    }

    /// The store's engine.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The host's data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The host's data, to change.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// Drops the store's instances and objects and returns the host's data.
    pub fn into_data(self) -> T {
        self.data
    }

    pub(crate) fn split_mut(&mut self) -> (&mut StoreInner, &mut T) {
        (&mut self.inner, &mut self.data)
    }

    /// Installs a resource limiter, found in the store's data by `limiter`; it then decides
    /// every memory and table creation and growth in this store (see [`ResourceLimiter`]).
    pub fn limiter(&mut self, limiter: impl FnMut(&mut T) -> &mut (dyn ResourceLimiter) + Send + Sync + 'static) {
        self.limiter = Some(Box::new(limiter));
        self.inner.limited = true;
    }

    /// Lends the limiter, if one is installed, to `f`.
    fn with_limiter<R>(&mut self, f: impl FnOnce(&mut dyn ResourceLimiter) -> R) -> Option<R> {
        let limiter = self.limiter.as_mut()?;
        Some(f(limiter(&mut self.data)))
    }

    /// `memory.grow` of store memory `m`: the old size in pages, or `None` (-1 to Wasm) when
    /// the memory's maximum, the limiter or the allocator refuses. The limiter sees the bytes
    /// the memory owns ([`LinearMemory::private_bytes`]: a copy-on-write memory does not own
    /// the snapshot's pages it has not written) before and after the grow.
    pub(crate) fn grow_memory(&mut self, m: usize, delta: u64) -> Option<u64> {
        if delta > 0 && self.limiter.is_some() {
            let mem = &self.inner.memories[m];
            let new = mem.pages().checked_add(delta).filter(|&n| n <= mem.max_pages())?;
            let added = mem.bytes_of(new - mem.pages())?;
            let current = mem.data.private_bytes();
            let desired = current.checked_add(added)?;
            let max = mem.ty.limits.max.and_then(|m| mem.bytes_of(m));
            if !self.with_limiter(|l| l.memory_growing(current, desired, max))? {
                return None;
            }
        }
        self.inner.memories[m].grow(delta)
    }

    /// `table.grow` of store table `t`: the old size, or `None` (-1 to Wasm) when refused.
    pub(crate) fn grow_table(&mut self, t: usize, delta: u64, init: u64) -> Option<u64> {
        if delta > 0 && self.limiter.is_some() {
            let table = &self.inner.tables[t];
            let current = table.elements.len();
            let desired = usize::try_from(delta).ok().and_then(|d| current.checked_add(d))?;
            let max = table.ty.limits.max.and_then(|m| usize::try_from(m).ok());
            if !self.with_limiter(|l| l.table_growing(current, desired, max))? {
                return None;
            }
        }
        self.inner.tables[t].grow(delta, init)
    }

    /// Checks that `instances` more instances, `memories` more memories and `tables` more
    /// tables fit the limiter's counts.
    pub(crate) fn admit_counts(
        &mut self,
        instances: usize,
        memories: usize,
        tables: usize,
    ) -> Result<(), crate::Error> {
        let inner = &self.inner;
        let have = (inner.instances.len(), inner.memories.len(), inner.tables.len());
        let Some(max) = self.with_limiter(|l| (l.instances(), l.memories(), l.tables())) else {
            return Ok(());
        };
        for (what, have, more, max) in [
            ("instances", have.0, instances, max.0),
            ("memories", have.1, memories, max.1),
            ("tables", have.2, tables, max.2),
        ] {
            if have.saturating_add(more) > max {
                return Err(limit_error(format!(
                    "the store holds {have} {what} and may hold at most {max}; {more} more asked"
                )));
            }
        }
        Ok(())
    }

    /// Creates a memory of type `ty`, if its size fits the limiter; returns its store index.
    pub(crate) fn new_memory(&mut self, ty: MemoryType) -> Result<u32, crate::Error> {
        self.admit_counts(0, 1, 0)?;
        let desired =
            pages_to_bytes(&ty, ty.limits.min).ok_or_else(|| crate::Error::Instantiate("memory too large".into()))?;
        let max = ty.limits.max.and_then(|m| pages_to_bytes(&ty, m));
        if self.with_limiter(|l| l.memory_growing(0, desired, max)) == Some(false) {
            return Err(limit_error(format!("a memory of {desired} bytes")));
        }
        let memories = &mut self.inner.memories;
        memories.push(MemoryEntity::new(ty)?);
        Ok(memories.len() as u32 - 1)
    }

    /// Creates a memory holding `image`, if the limiter allows what the memory owns; returns
    /// its store index. A snapshot's image (`shared`) mapped copy-on-write owns nothing yet
    /// (it shares the image's pages until it writes them); a module's data image, or a copy,
    /// owns its full size, as any new memory.
    pub(crate) fn new_memory_from_image(
        &mut self,
        ty: MemoryType,
        image: &MemoryImage,
        shared: bool,
    ) -> Result<u32, crate::Error> {
        self.admit_counts(0, 1, 0)?;
        let max = ty.limits.max.and_then(|m| pages_to_bytes(&ty, m));
        let memory = MemoryEntity::from_image(ty, image, shared)?;
        let owned = memory.data.len() - memory.data.shared_bytes();
        if self.with_limiter(|l| l.memory_growing(0, owned, max)) == Some(false) {
            return Err(limit_error(format!("a memory of {} bytes owning {owned}", memory.data.len())));
        }
        let memories = &mut self.inner.memories;
        memories.push(memory);
        Ok(memories.len() as u32 - 1)
    }

    /// Creates a table of type `ty` filled with `init`, if it fits; returns its store index.
    pub(crate) fn new_table(&mut self, ty: TableType, init: u64) -> Result<u32, crate::Error> {
        self.admit_counts(0, 0, 1)?;
        let n = usize::try_from(ty.limits.min).ok().filter(|&n| n <= MAX_TABLE_ELEMENTS);
        let n = n.ok_or_else(|| crate::Error::Instantiate("table too large".into()))?;
        let max = ty.limits.max.and_then(|m| usize::try_from(m).ok());
        if self.with_limiter(|l| l.table_growing(0, n, max)) == Some(false) {
            return Err(limit_error(format!("a table of {n} elements")));
        }
        let mut elements = Vec::new();
        elements.try_reserve_exact(n).map_err(|_| limit_error(format!("cannot allocate a table of {n} elements")))?;
        elements.resize(n, init);
        let tables = &mut self.inner.tables;
        tables.push(TableEntity { elements, ty });
        Ok(tables.len() as u32 - 1)
    }
}

/// Read access to a store, from a `Store` or a `Caller`.
///
/// Functions taking `impl AsContext` accept `&Store<T>`, `&mut Store<T>`, `&Caller<'_, T>` and
/// `&mut Caller<'_, T>`.
///
/// ```
/// fn pages(memory: wisp::Memory, store: impl wisp::AsContext) -> u64 {
///     memory.size(store).unwrap_or(0)
/// }
/// let engine = wisp::Engine::default();
/// let mut store = wisp::Store::new(&engine, ());
/// let ty = wisp::MemoryType { limits: wisp::Limits { min: 3, max: None }, memory64: false, shared: false, page_size_log2: None };
/// let memory = wisp::Memory::new(&mut store, ty)?;
/// assert_eq!(pages(memory, &store), 3);
/// # Ok::<(), wisp::Error>(())
/// ```
pub trait AsContext {
    /// The store's data type.
    type Data;
    /// The store.
    fn as_context(&self) -> &Store<Self::Data>;
}

/// Write access to a store, from a `Store` or a `Caller`.
///
/// Functions taking `impl AsContextMut` accept `&mut Store<T>` and `&mut Caller<'_, T>`, so host
/// functions can call back into Wasm with their `Caller`.
///
/// ```
/// fn zero(memory: wisp::Memory, mut store: impl wisp::AsContextMut) -> wisp::Result<()> {
///     memory.data_mut(&mut store)?.fill(0);
///     Ok(())
/// }
/// let engine = wisp::Engine::default();
/// let mut store = wisp::Store::new(&engine, ());
/// let ty = wisp::MemoryType { limits: wisp::Limits { min: 1, max: None }, memory64: false, shared: false, page_size_log2: None };
/// let memory = wisp::Memory::new(&mut store, ty)?;
/// memory.write(&mut store, 0, b"xyz")?;
/// zero(memory, &mut store)?;
/// assert_eq!(&memory.data(&store)?[..3], &[0, 0, 0]);
/// # Ok::<(), wisp::Error>(())
/// ```
pub trait AsContextMut: AsContext {
    /// The store, to change.
    fn as_context_mut(&mut self) -> &mut Store<Self::Data>;
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn as_context(&self) -> &Store<T> {
        self
    }
}

impl<T> AsContextMut for Store<T> {
    fn as_context_mut(&mut self) -> &mut Store<T> {
        self
    }
}

impl<C: AsContext + ?Sized> AsContext for &C {
    type Data = C::Data;
    fn as_context(&self) -> &Store<C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContext + ?Sized> AsContext for &mut C {
    type Data = C::Data;
    fn as_context(&self) -> &Store<C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContextMut + ?Sized> AsContextMut for &mut C {
    fn as_context_mut(&mut self) -> &mut Store<C::Data> {
        (**self).as_context_mut()
    }
}

/// A handle's link to its store: index plus the store's id, checked on every use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Stored {
    pub store: u32,
    pub index: u32,
}

impl StoreInner {
    pub fn check(&self, s: Stored) -> Result<u32, crate::Error> {
        if s.store == self.id {
            Ok(s.index)
        } else {
            Err(crate::Error::WrongStore)
        }
    }

    pub fn stored(&self, index: u32) -> Stored {
        Stored { store: self.id, index }
    }

    /// Adds a function to the store; returns its store index.
    pub fn push_func(&mut self, f: FuncEntity) -> u32 {
        self.cover_types(f.type_id);
        self.funcs.push(f);
        self.funcs.len() as u32 - 1
    }

    /// A new exception of store tag `tag` carrying `payload`; its store index.
    pub fn new_exn(&mut self, tag: u32, payload: Box<[u64]>) -> u32 {
        self.exns.push(ExnEntity { tag, payload, referenced: false });
        self.exns.len() as u32 - 1
    }

    /// The signature of store function `func`.
    #[inline]
    pub fn func_type(&self, func: u32) -> &FuncType {
        &self.types[self.funcs[func as usize].type_id as usize].func
    }

    /// Makes `types` hold the engine's type `id` (and those before it).
    pub fn cover_types(&mut self, id: u32) {
        if self.types.len() <= id as usize {
            self.engine.types_through(id, &mut self.types);
        }
    }

    /// Makes `types` hold the engine type `t` names, if it names one the engine has: a value
    /// of it is then told by its hierarchy (a host's global or table of a concrete type).
    pub fn cover_val_type(&mut self, t: ValType) {
        if let ValType::Ref(r) = t {
            if let HeapType::Concrete(id) = r.heap() {
                self.cover_types(id);
            }
        }
    }

    /// Whether engine type `actual` is engine type `expected` or declares it as a supertype,
    /// directly or not: `call_indirect`'s check once the ids differ (`actual` is a function's
    /// type, so `types` covers it and its supertypes, which have smaller ids).
    #[cold]
    #[inline(never)]
    pub fn declared_subtype(&self, actual: u32, expected: u32) -> bool {
        self.heap_sub(HeapType::Concrete(actual), HeapType::Concrete(expected))
    }
}

/// Subtyping over the engine's types as far as the store has them (`cover_types`).
impl TypeDefs for StoreInner {
    fn def(&self, x: u32) -> Option<&SubType> {
        self.types.get(x as usize).map(|t| &t.sub)
    }
}
