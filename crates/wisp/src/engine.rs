//! The engine: configuration and the registry of function types shared by its modules.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use wisp_decoder::{CompositeType, Features, FuncType, SubType};
use wisp_validator::map_sub;

/// Engine configuration.
///
/// ```
/// let mut config = wisp::Config::new();
/// config.consume_fuel(true).interruptible(true).max_call_depth(10_000);
/// let engine = wisp::Engine::new(&config);
/// let mut store = wisp::Store::new(&engine, ());
/// store.set_fuel(1_000)?;
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) features: Features,
    /// Most value-stack slots one store's executions may use.
    pub(crate) max_stack_slots: usize,
    /// Most nested Wasm calls.
    pub(crate) max_call_depth: usize,
    pub(crate) dispatch: Dispatch,
    pub(crate) consume_fuel: bool,
    pub(crate) interruptible: bool,
    pub(crate) compilation: CompilationMode,
}

/// When a module's function bodies become wisp bytecode (named as wasmi names its modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CompilationMode {
    /// `Module::new` validates every body and translates each one on its first call: a Go
    /// module has thousands of functions and a plugin call reaches few of them.
    #[default]
    LazyTranslation,
    /// `Module::new` validates and translates every body, each in one pass over its
    /// operators (decoded once for both).
    Eager,
}

/// How the executor dispatches instructions.
///
/// ```
/// let mut config = wisp::Config::new();
/// config.dispatch(wisp::Dispatch::Portable); // the loop and match, in every build
/// let engine = wisp::Engine::new(&config);
/// # let _ = engine;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Dispatch {
    /// One `match` in a loop: works in every build.
    Portable,
    /// Handlers that tail-call each other: faster. Compiled in only when wisp itself is built
    /// with optimizations (an `opt-level` above 0, in any profile), because only then do the
    /// calls become jumps; asking for it in a build without it gives the portable loop.
    Threaded,
}

impl Dispatch {
    /// Whether this build of wisp has the threaded backend (wisp compiled with an optimization
    /// level above 0).
    pub const THREADED_AVAILABLE: bool = cfg!(wisp_threaded);
}

impl Default for Dispatch {
    /// The threaded backend where it is compiled in, else the portable loop.
    fn default() -> Self {
        if Dispatch::THREADED_AVAILABLE {
            Dispatch::Threaded
        } else {
            Dispatch::Portable
        }
    }
}

/// What a default [`Config`] accepts: all of WebAssembly 3.0 but GC (2026-12-06).
const DEFAULT_FEATURES: Features = Features { gc: false, ..Features::wasm3() };

impl Default for Config {
    fn default() -> Self {
        Config {
            features: DEFAULT_FEATURES,
            max_stack_slots: 1 << 20,
            max_call_depth: 64 * 1024,
            dispatch: Dispatch::default(),
            consume_fuel: false,
            interruptible: false,
            compilation: CompilationMode::default(),
        }
    }
}

impl Config {
    /// The default configuration: no fuel, no interruption, the default stack limits and
    /// features, the fastest dispatch this build has.
    pub fn new() -> Self {
        Self::default()
    }

    /// The WebAssembly proposals modules may use.
    pub fn features(&mut self, features: Features) -> &mut Self {
        self.features = features;
        self
    }

    /// Fixed-width SIMD (`v128`, `Val::V128`). On by default.
    pub fn wasm_simd(&mut self, on: bool) -> &mut Self {
        self.features.simd = on;
        self
    }

    /// Relaxed SIMD (needs [`wasm_simd`](Self::wasm_simd)): each relaxed operator gives one
    /// answer on every host, the deterministic one the specification lists (the RATIONALE of
    /// the `wisp` crate says which). On by default.
    pub fn wasm_relaxed_simd(&mut self, on: bool) -> &mut Self {
        self.features.relaxed_simd = on;
        self
    }

    /// Tail calls (`return_call`, `return_call_indirect`, `return_call_ref`), in constant space.
    /// On by default.
    pub fn wasm_tail_call(&mut self, on: bool) -> &mut Self {
        self.features.tail_call = on;
        self
    }

    /// Typed function references (`call_ref`, `(ref $t)`, `br_on_null`, ...). On by default.
    pub fn wasm_function_references(&mut self, on: bool) -> &mut Self {
        self.features.function_references = on;
        self
    }

    /// Several memories per module. On by default.
    pub fn wasm_multi_memory(&mut self, on: bool) -> &mut Self {
        self.features.multi_memory = on;
        self
    }

    /// 64-bit memories and tables. On by default.
    pub fn wasm_memory64(&mut self, on: bool) -> &mut Self {
        self.features.memory64 = on;
        self
    }

    /// Exception handling (tags, `try_table`, `throw`, `throw_ref`, `exnref`). On by default.
    /// An exception no handler catches is the call's [`Error::Exception`](crate::Error::Exception).
    pub fn wasm_exceptions(&mut self, on: bool) -> &mut Self {
        self.features.exceptions = on;
        self
    }

    /// Memories with one-byte pages (a proposal beyond 3.0). Off by default.
    pub fn wasm_custom_page_sizes(&mut self, on: bool) -> &mut Self {
        self.features.custom_page_sizes = on;
        self
    }

    /// 128-bit additions and wide multiplications (a proposal beyond 3.0). Off by default.
    pub fn wasm_wide_arithmetic(&mut self, on: bool) -> &mut Self {
        self.features.wide_arithmetic = on;
        self
    }

    /// Constant expressions with `i32`/`i64` `add`, `sub` and `mul`. On by default.
    pub fn wasm_extended_const(&mut self, on: bool) -> &mut Self {
        self.features.extended_const = on;
        self
    }

    /// Value-stack size in 64-bit slots (default 1 Mi slots, 8 MiB).
    pub fn max_stack_slots(&mut self, slots: usize) -> &mut Self {
        self.max_stack_slots = slots.max(64);
        self
    }

    /// The dispatch backend (default: threaded in optimized builds, portable otherwise).
    pub fn dispatch(&mut self, dispatch: Dispatch) -> &mut Self {
        self.dispatch = dispatch;
        self
    }

    /// Meters execution: every Wasm operator costs one unit of the store's fuel
    /// (`Store::set_fuel`), charged a block at a time; running out traps with
    /// `TrapCode::OutOfFuel`. Off by default, and free when off (no code is emitted).
    pub fn consume_fuel(&mut self, on: bool) -> &mut Self {
        self.consume_fuel = on;
        self
    }

    /// Makes guests stoppable from another thread through `Store::interrupt_handle`: loop
    /// headers and function entries check the flag. Off by default, and free when off.
    pub fn interruptible(&mut self, on: bool) -> &mut Self {
        self.interruptible = on;
        self
    }

    /// When function bodies are translated (default: on first call).
    pub fn compilation_mode(&mut self, mode: CompilationMode) -> &mut Self {
        self.compilation = mode;
        self
    }

    /// Deepest Wasm call nesting (default 65,536).
    pub fn max_call_depth(&mut self, depth: usize) -> &mut Self {
        self.max_call_depth = depth.max(1);
        self
    }
}

/// Deduplicates types engine-wide, so `call_indirect` compares two integers.
///
/// A type's identity is its recursion group's (iso-recursive equivalence, as the validator
/// decides it within a module): a group is keyed by its definitions (finality, declared
/// supertype, function, struct or array) with the indices into the group relative to its
/// start (`REC`) and those before it as engine ids. A plain function type is a group of one.
/// The registered definitions name engine ids, supertypes included, so definitions from
/// different modules compare as values and a store decides subtyping over them
/// (`wisp_validator::TypeDefs`).
#[derive(Debug, Default)]
pub(crate) struct TypeRegistry {
    groups: HashMap<Vec<(SubType, FuncType)>, u32>,
    /// Shared with the stores that use them (`StoreInner::types`), which read a signature on
    /// every call without this registry's lock.
    types: Vec<Arc<TypeDef>>,
}

/// A type as the engine registers it, its type indices engine ids. A declared supertype has
/// a smaller id than its subtypes (it is defined before them, in the group or one before).
#[derive(Debug)]
pub(crate) struct TypeDef {
    /// Parameters and results (empty for a struct or array type).
    pub(crate) func: FuncType,
    pub(crate) sub: SubType,
}

/// Marks, inside a group's key, an index relative to the group's start.
const REC: u32 = 1 << 31;

impl TypeRegistry {
    /// The engine id of the first type of the group `key`, registering it (its definitions made
    /// by `resolve` from the base id) when it is new.
    fn group(&mut self, key: Vec<(SubType, FuncType)>, resolve: impl Fn(u32, usize) -> (SubType, FuncType)) -> u32 {
        if let Some(&base) = self.groups.get(&key) {
            return base;
        }
        let base = self.types.len() as u32;
        for i in 0..key.len() {
            let (sub, func) = resolve(base, i);
            self.types.push(Arc::new(TypeDef { func, sub }));
        }
        self.groups.insert(key, base);
        base
    }
}

#[derive(Debug)]
pub(crate) struct EngineInner {
    pub(crate) config: Config,
    pub(crate) types: Mutex<TypeRegistry>,
    /// Value stacks of dropped stores, for new stores to take (see [`Engine::take_stack`]).
    stacks: Mutex<Vec<Vec<u64>>>,
}

/// How many value stacks an engine keeps for its next stores, and the largest it keeps (in
/// slots, 512 KiB): enough for stores made one after another or a few at a time, without an
/// idle engine holding more than a megabyte.
const KEPT_STACKS: usize = 2;
const KEPT_STACK_MAX_SLOTS: usize = 1 << 16;

/// Compiles and runs modules. Cheap to clone; shareable across threads.
///
/// ```
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, r#"(module (func (export "f") (result i32) (i32.const 7)))"#)?;
/// let other = engine.clone(); // the same engine: modules of one run in stores of the other
/// let mut store = wisp::Store::new(&other, ());
/// let instance = wisp::Linker::new(&other).instantiate(&mut store, &module)?;
/// assert_eq!(instance.get_typed_func::<(), i32>(&store, "f")?.call(&mut store, ())?, 7);
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Engine {
    pub(crate) inner: Arc<EngineInner>,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(&Config::default())
    }
}

impl Engine {
    /// An engine with `config`.
    pub fn new(config: &Config) -> Self {
        Engine {
            inner: Arc::new(EngineInner { config: config.clone(), types: Mutex::default(), stacks: Mutex::default() }),
        }
    }

    /// The configuration the engine was made with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The value stack a dropped store of this engine left, or an empty one: a new store
    /// takes it instead of zeroing a fresh allocation (64 KiB of zeros were most of the
    /// instantiation of a small C command, 2026-12-06). Its slots hold old values, which no
    /// code reads: a call zeroes its locals and validation lets operators read only what
    /// was pushed.
    pub(crate) fn take_stack(&self) -> Vec<u64> {
        self.inner.stacks.lock().unwrap_or_else(|e| e.into_inner()).pop().unwrap_or_default()
    }

    /// Keeps a dropped store's value stack for [`Engine::take_stack`], unless enough are kept
    /// or it is large.
    pub(crate) fn keep_stack(&self, slots: Vec<u64>) {
        if slots.is_empty() || slots.len() > KEPT_STACK_MAX_SLOTS {
            return;
        }
        let mut kept = self.inner.stacks.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() < KEPT_STACKS {
            kept.push(slots);
        }
    }

    /// Whether stores of this engine run the threaded backend.
    pub(crate) fn threaded(&self) -> bool {
        self.inner.config.dispatch == Dispatch::Threaded && Dispatch::THREADED_AVAILABLE
    }

    pub(crate) fn same(&self, other: &Engine) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The engine-wide id of a host function's type (a final type in a group of one; its
    /// concrete reference types name engine ids).
    pub(crate) fn intern_type(&self, ty: &FuncType) -> u32 {
        let mut reg = self.inner.types.lock().unwrap_or_else(|e| e.into_inner());
        let sub = SubType { is_final: true, supertype: None, composite: CompositeType::Func, rec_start: 0, rec_len: 1 };
        let def = (sub, ty.clone());
        reg.group(vec![def.clone()], |_, _| def.clone())
    }

    /// The engine-wide id of each of a module's types (`types` and `subs` as decoded).
    pub(crate) fn intern_module_types(&self, types: &[FuncType], subs: &[SubType]) -> Vec<u32> {
        let mut reg = self.inner.types.lock().unwrap_or_else(|e| e.into_inner());
        let n = types.len().min(subs.len());
        let mut ids: Vec<u32> = Vec::with_capacity(n);
        let mut start = 0;
        while start < n {
            let len = (subs[start].rec_len as usize).max(1).min(n - start);
            let outer = |x: u32, ids: &[u32]| ids.get(x as usize).copied().unwrap_or(x);
            let key = (start..start + len)
                .map(|i| {
                    let rel = |x: u32| if x as usize >= start { REC | (x - start as u32) } else { outer(x, &ids) };
                    map_sub(&subs[i], &types[i], &rel)
                })
                .collect();
            let base = reg.group(key, |base, i| {
                let abs = |x: u32| if x as usize >= start { base + (x - start as u32) } else { outer(x, &ids) };
                map_sub(&subs[start + i], &types[start + i], &abs)
            });
            ids.extend(base..base + len as u32);
            start += len;
        }
        ids
    }

    /// Extends `known` (a prefix of the registry) until it holds type `id`.
    pub(crate) fn types_through(&self, id: u32, known: &mut Vec<Arc<TypeDef>>) {
        let reg = self.inner.types.lock().unwrap_or_else(|e| e.into_inner());
        let end = reg.types.len().min(id as usize + 1);
        if known.len() < end {
            known.extend(reg.types[known.len()..end].iter().cloned());
        }
    }
}
