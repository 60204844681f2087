//! Resource limits: a host hook that decides whether a store's memories and tables may be
//! created or grow, and how many instances, memories and tables a store may hold.
//!
//! Named and shaped after Wasmtime's `ResourceLimiter` and `StoreLimits`, so a host moving
//! between the two engines recognises them. Install one with [`Store::limiter`].
//!
//! [`Store::limiter`]: crate::Store::limiter

/// Default most instances a store may hold when a limiter does not say otherwise.
pub const DEFAULT_INSTANCE_LIMIT: usize = 10_000;
/// Default most memories a store may hold.
pub const DEFAULT_MEMORY_LIMIT: usize = 10_000;
/// Default most tables a store may hold.
pub const DEFAULT_TABLE_LIMIT: usize = 10_000;

/// Decides, per store, whether memories and tables may be created or grow.
///
/// The growing hooks are asked before a memory or table is created (with `current` 0) and
/// before every `memory.grow`/`table.grow` (from Wasm or from the host) that the object's own
/// maximum allows. A `false` makes Wasm's grow return -1, as the spec lets an engine do, and
/// makes instantiation or `Memory::new`/`Table::new` fail with an error.
///
/// A memory is charged for the bytes it owns ([`Memory::private_bytes`]): its size, except
/// for a memory that an instance made from a [`Snapshot`] maps copy-on-write (on Linux),
/// which shares the snapshot's pages until it writes them and owns only the pages it wrote
/// plus what it grew. Its creation asks
/// `memory_growing(0, 0, max)`; each grow asks `memory_growing(owned, owned + added, max)`,
/// where `owned` is measured by the OS at that moment. Writes between grows are not seen as
/// they happen (an interpreter cannot trap them cheaply), so a memory may own up to the
/// snapshot's size more than its limiter was last told, never more: the host accepted that
/// much when it took the snapshot, and it can read `Memory::private_bytes` after any call.
/// Where memories are copied (elsewhere than Linux, or when the OS refuses a mapping) the copy
/// owns, and is charged, its full size.
///
/// [`Memory::private_bytes`]: crate::Memory::private_bytes
/// [`Snapshot`]: crate::Snapshot
///
/// ```
/// /// Lets memories grow to 4 pages, and counts the refusals.
/// struct Budget { refused: u32 }
/// impl wisp::ResourceLimiter for Budget {
///     fn memory_growing(&mut self, _current: usize, desired: usize, _max: Option<usize>) -> bool {
///         let ok = desired <= 4 * 65536;
///         self.refused += u32::from(!ok);
///         ok
///     }
///     fn table_growing(&mut self, _current: usize, _desired: usize, _max: Option<usize>) -> bool {
///         true
///     }
/// }
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, r#"(module (memory 1)
///     (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#)?;
/// let mut store = wisp::Store::new(&engine, Budget { refused: 0 });
/// store.limiter(|b| b);
/// let instance = wisp::Linker::new(&engine).instantiate(&mut store, &module)?;
/// let grow = instance.get_typed_func::<i32, i32>(&store, "grow")?;
/// assert_eq!(grow.call(&mut store, 3)?, 1); // 4 pages now
/// assert_eq!(grow.call(&mut store, 1)?, -1); // refused: Wasm sees a failed grow
/// assert_eq!(store.data().refused, 1);
/// # Ok::<(), wisp::Error>(())
/// ```
pub trait ResourceLimiter {
    /// A memory wants to grow from owning `current` to owning `desired` bytes (its size,
    /// except for a copy-on-write memory made from a snapshot: see above); `maximum` is its
    /// declared maximum in bytes, if it has one.
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> bool;

    /// A table wants to grow from `current` to `desired` elements; `maximum` is its declared
    /// maximum, if it has one.
    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> bool;

    /// Most instances the store may hold.
    fn instances(&self) -> usize {
        DEFAULT_INSTANCE_LIMIT
    }

    /// Most memories the store may hold (defined by modules or created by the host).
    fn memories(&self) -> usize {
        DEFAULT_MEMORY_LIMIT
    }

    /// Most tables the store may hold (defined by modules or created by the host).
    fn tables(&self) -> usize {
        DEFAULT_TABLE_LIMIT
    }
}

/// Simple limits: a cap on each memory's size, on each table's elements, and on the number of
/// instances, memories and tables in a store. Build with [`StoreLimitsBuilder`].
///
/// ```
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, "(module (memory 2))")?;
/// let mut store = wisp::Store::new(&engine, wisp::StoreLimitsBuilder::new().memory_size(65536).build());
/// store.limiter(|limits| limits);
/// // The module asks for two pages, the limit allows one.
/// assert!(wisp::Linker::new(&engine).instantiate(&mut store, &module).is_err());
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreLimits {
    memory_size: Option<usize>,
    table_elements: Option<usize>,
    instances: usize,
    memories: usize,
    tables: usize,
}

impl Default for StoreLimits {
    fn default() -> Self {
        StoreLimits {
            memory_size: None,
            table_elements: None,
            instances: DEFAULT_INSTANCE_LIMIT,
            memories: DEFAULT_MEMORY_LIMIT,
            tables: DEFAULT_TABLE_LIMIT,
        }
    }
}

impl ResourceLimiter for StoreLimits {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> bool {
        self.memory_size.is_none_or(|max| desired <= max)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> bool {
        self.table_elements.is_none_or(|max| desired <= max)
    }

    fn instances(&self) -> usize {
        self.instances
    }

    fn memories(&self) -> usize {
        self.memories
    }

    fn tables(&self) -> usize {
        self.tables
    }
}

/// Builds [`StoreLimits`]; anything not set is unlimited (counts: the defaults above).
///
/// ```
/// let limits = wisp::StoreLimitsBuilder::new().memory_size(1 << 20).table_elements(10_000).instances(4).build();
/// let engine = wisp::Engine::default();
/// let mut store = wisp::Store::new(&engine, limits);
/// store.limiter(|l| l);
/// let module = wisp::Module::new(&engine, "(module)")?;
/// let linker = wisp::Linker::new(&engine);
/// for _ in 0..4 {
///     linker.instantiate(&mut store, &module)?;
/// }
/// assert!(linker.instantiate(&mut store, &module).is_err()); // a fifth instance
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct StoreLimitsBuilder(StoreLimits);

impl StoreLimitsBuilder {
    /// A builder with nothing limited.
    pub fn new() -> Self {
        Self::default()
    }

    /// Most bytes any one memory may own: its size, or for a copy-on-write memory made from
    /// a snapshot, what it wrote and grew (see [`ResourceLimiter`]).
    pub fn memory_size(mut self, bytes: usize) -> Self {
        self.0.memory_size = Some(bytes);
        self
    }

    /// Most elements any one table may have.
    pub fn table_elements(mut self, elements: usize) -> Self {
        self.0.table_elements = Some(elements);
        self
    }

    /// Most instances in the store.
    pub fn instances(mut self, n: usize) -> Self {
        self.0.instances = n;
        self
    }

    /// Most memories in the store.
    pub fn memories(mut self, n: usize) -> Self {
        self.0.memories = n;
        self
    }

    /// Most tables in the store.
    pub fn tables(mut self, n: usize) -> Self {
        self.0.tables = n;
        self
    }

    /// The limits set so far.
    pub fn build(self) -> StoreLimits {
        self.0
    }
}
