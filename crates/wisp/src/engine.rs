//! The engine: configuration and the registry of function types shared by its modules.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use wisp_decoder::{Features, FuncType};

/// Engine configuration.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Dispatch {
    /// One `match` in a loop: works in every build.
    Portable,
    /// Handlers that tail-call each other: faster, and used only in builds without debug
    /// assertions (without optimizations the calls would not become jumps). Asking for it in
    /// a debug build gives the portable loop.
    Threaded,
}

impl Default for Dispatch {
    fn default() -> Self {
        if cfg!(debug_assertions) {
            Dispatch::Portable
        } else {
            Dispatch::Threaded
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            features: Features::wasm2(),
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
    pub fn new() -> Self {
        Self::default()
    }

    /// The WebAssembly proposals modules may use.
    pub fn features(&mut self, features: Features) -> &mut Self {
        self.features = features;
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

/// Deduplicates function types engine-wide, so `call_indirect` compares two integers.
#[derive(Debug, Default)]
pub(crate) struct TypeRegistry {
    ids: HashMap<FuncType, u32>,
    /// Shared with the stores that use them (`Store::func_types`), which read a signature on
    /// every call without this registry's lock.
    types: Vec<Arc<FuncType>>,
}

#[derive(Debug)]
pub(crate) struct EngineInner {
    pub(crate) config: Config,
    pub(crate) types: Mutex<TypeRegistry>,
}

/// Compiles and runs modules. Cheap to clone; shareable across threads.
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
    pub fn new(config: &Config) -> Self {
        Engine { inner: Arc::new(EngineInner { config: config.clone(), types: Mutex::default() }) }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Whether stores of this engine run the threaded backend.
    pub(crate) fn threaded(&self) -> bool {
        self.inner.config.dispatch == Dispatch::Threaded && !cfg!(debug_assertions)
    }

    pub(crate) fn same(&self, other: &Engine) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The engine-wide id of a function type.
    pub(crate) fn intern_type(&self, ty: &FuncType) -> u32 {
        let mut reg = self.inner.types.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&id) = reg.ids.get(ty) {
            return id;
        }
        let id = reg.types.len() as u32;
        reg.types.push(Arc::new(ty.clone()));
        reg.ids.insert(ty.clone(), id);
        id
    }

    /// Extends `known` (a prefix of the registry) until it holds type `id`.
    pub(crate) fn types_through(&self, id: u32, known: &mut Vec<Arc<FuncType>>) {
        let reg = self.inner.types.lock().unwrap_or_else(|e| e.into_inner());
        let end = reg.types.len().min(id as usize + 1);
        if known.len() < end {
            known.extend(reg.types[known.len()..end].iter().cloned());
        }
    }
}
