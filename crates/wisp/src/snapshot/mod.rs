//! [`Snapshot`]: an initialized instance's state, to make fresh instances from (its
//! documentation says what is captured).

mod wasm;

pub(crate) use wasm::marked_initialized;

use crate::error::{Error, Result};
use crate::instance::{instantiate_from, Instance};
use crate::linear::MemoryImage;
use crate::linker::Linker;
use crate::module::Module;
use crate::store::{AsContext, AsContextMut};
use std::collections::HashMap;
use std::sync::Arc;
use wisp_decoder::{RefType, ValType};

/// [`Snapshot`]: the state of an instance captured after it was initialized (a Go reactor
/// after `_initialize`), from which fresh instances are made without running anything.
///
/// The name follows Wizer, which snapshots an initialized instance ahead of time; making an
/// instance from one follows wasmtime's `InstancePre::instantiate`: the work is done once, and
/// each instantiation is cheap. A snapshot is `Send + Sync` and instantiates into any store of
/// its engine, on any thread, concurrently.
///
/// What is captured: every memory, global and table the module defines, which element and
/// data segments were dropped, and whether `_initialize` had run. What is not: the host's
/// state (a WASI context, the store's data) — the embedder carries that over (see
/// `wisp_wasi::GoReactorPre`) — and imported memories, tables and globals, which a snapshot
/// refuses, since their state lives outside the instance.
///
/// ```
/// # fn main() -> wisp::Result<()> {
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, r#"(module
///     (global $n (mut i32) (i32.const 0))
///     (func (export "_initialize") (global.set $n (i32.const 41)))
///     (func (export "next") (result i32)
///         (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n)))"#)?;
/// let linker = wisp::Linker::new(&engine);
/// let mut store = wisp::Store::new(&engine, ());
/// let instance = linker.instantiate(&mut store, &module)?;
/// instance.initialize_reactor(&mut store)?;
/// let snapshot = instance.snapshot(&store)?;
///
/// for _ in 0..3 {
///     // Each copy starts where `_initialize` left the original: no state from other copies.
///     let mut store = wisp::Store::new(&engine, ());
///     let copy = snapshot.instantiate(&mut store, &linker)?;
///     let next = copy.reactor_typed_func::<(), i32>(&store, "next")?;
///     assert_eq!(next.call(&mut store, ())?, 42);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Snapshot {
    inner: Arc<SnapshotState>,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("memory_bytes", &self.inner.memories.iter().map(MemoryImage::len).sum::<usize>())
            .field("globals", &self.inner.globals.len())
            .finish_non_exhaustive()
    }
}

/// A reference as a snapshot keeps it: 0 is null, `n` is the instance's function `n - 1`
/// (its index space, so it can be resolved in any store).
type SavedRef = u64;

pub(crate) struct SnapshotState {
    pub module: Module,
    /// Defined memories' bytes, in the module's order.
    pub memories: Vec<MemoryImage>,
    /// Defined globals' values, a `v128` whole (references as [`SavedRef`]).
    pub globals: Vec<u128>,
    /// Defined tables' elements, as [`SavedRef`]s.
    pub tables: Vec<Box<[SavedRef]>>,
    pub dropped_elems: Vec<bool>,
    pub dropped_datas: Vec<bool>,
    pub reactor_initialized: bool,
}

impl SnapshotState {
    /// A saved reference as the store reference of an instance whose functions are `funcs`.
    pub fn resolve_ref(&self, r: SavedRef, funcs: &[u32]) -> u64 {
        match r {
            0 => 0,
            n => funcs[n as usize - 1] as u64 + 1,
        }
    }
}

impl Instance {
    /// Captures this instance's state (see [`Snapshot`]), typically right after
    /// [`Instance::initialize_reactor`].
    ///
    /// Fails with [`Error::Usage`] while a call runs in the store (from a host function), for
    /// a dead instance ([`Error::Dead`]), for a module that imports a memory,
    /// table or global (state outside the instance), and for a table or global holding an
    /// external reference or a function of another instance.
    pub fn snapshot(&self, store: impl AsContext) -> Result<Snapshot> {
        let store = store.as_context();
        // `sp` is 0 between outermost calls (every call restores it); a host function's
        // caller sees its Wasm caller's frame above it.
        if store.in_call || store.inner.stack.sp != 0 {
            // A host function's caller: the guest's memory and globals are mid-call.
            return Err(Error::Usage("cannot snapshot an instance while a call into its store is running".into()));
        }
        let inner = &store.inner;
        let e = &inner.instances[inner.check(self.0)? as usize];
        if let Some(why) = &e.dead {
            return Err(Error::Dead(why.clone()));
        }
        let m = &e.module.inner;
        if m.num_imported_memories + m.num_imported_tables + m.num_imported_globals > 0 {
            let what = m
                .imports
                .iter()
                .find(|i| !matches!(i.ty, crate::module::ExternType::Func(_)))
                .map(|i| format!("`{}`.`{}`", i.module, i.name))
                .unwrap_or_default();
            return Err(Error::Usage(format!(
                "cannot snapshot an instance that imports a memory, table or global ({what}): its state lives \
                 outside the instance"
            )));
        }
        // Store function -> this instance's function index (the first, if imported twice).
        let mut own: HashMap<u32, u32> = HashMap::with_capacity(e.funcs.len());
        for (i, &f) in e.funcs.iter().enumerate().rev() {
            own.insert(f, i as u32);
        }
        let save_ref = |v: u64, ty: RefType, what: &str| -> Result<SavedRef> {
            match (v, crate::value::slot_ref_type(ty)) {
                (0, _) => Ok(0),
                (v, RefType::FuncRef) => own.get(&(v as u32 - 1)).map(|&i| i as u64 + 1).ok_or_else(|| {
                    Error::Usage(format!("cannot snapshot: {what} holds a function of another instance"))
                }),
                (_, RefType::ExternRef | RefType::Typed { .. }) => {
                    Err(Error::Usage(format!("cannot snapshot: {what} holds an external reference")))
                }
            }
        };
        let memories = e.memories.iter().map(|&i| MemoryImage::capture(&inner.memories[i as usize].data)).collect();
        let mut globals = Vec::with_capacity(e.globals.len());
        for (i, &g) in e.globals.iter().enumerate() {
            let g = &inner.globals[g as usize];
            globals.push(match g.ty.content {
                ValType::Ref(ty) => u128::from(save_ref(g.get(), ty, &format!("global {i}"))?),
                _ => g.get128(),
            });
        }
        let mut tables = Vec::with_capacity(e.tables.len());
        for (i, &t) in e.tables.iter().enumerate() {
            let t = &inner.tables[t as usize];
            let what = format!("table {i}");
            tables.push(t.elements.iter().map(|&v| save_ref(v, t.ty.element, &what)).collect::<Result<_>>()?);
        }
        let dropped_elems = e.elems.iter().zip(&m.elements).map(|(have, seg)| have.len() < seg.items.len()).collect();
        // Without a data count section the instance keeps no segment state: only the active
        // segments are gone (applied at instantiation).
        let dropped_datas = m
            .data
            .iter()
            .enumerate()
            .map(|(i, seg)| match e.datas.get(i) {
                Some(have) => have.1 < seg.len,
                None => matches!(seg.mode, crate::module::DataMode::Active { .. }),
            })
            .collect();
        Ok(Snapshot {
            inner: Arc::new(SnapshotState {
                module: e.module.clone(),
                memories,
                globals,
                tables,
                dropped_elems,
                dropped_datas,
                reactor_initialized: e.reactor_initialized,
            }),
        })
    }
}

impl Snapshot {
    /// A fresh instance in `store` holding the captured state, its imports resolved by
    /// `linker` as [`Linker::instantiate`] does. Nothing runs: no segment is applied again,
    /// `start` and `_initialize` are not called (a snapshot taken after
    /// [`Instance::initialize_reactor`] gives an instance whose exports can be called at once).
    ///
    /// The store's limiter is asked for each memory as for a new memory of the bytes it owns
    /// (see [`ResourceLimiter`](crate::ResourceLimiter)): none for a memory mapped
    /// copy-on-write (Linux), which shares the captured pages until it writes them; the
    /// captured size for a copy.
    pub fn instantiate<T>(&self, mut store: impl AsContextMut<Data = T>, linker: &Linker<T>) -> Result<Instance> {
        let store = store.as_context_mut();
        let module = &self.inner.module;
        if !module.engine().same(store.engine()) {
            return Err(Error::Usage("snapshot and store belong to different engines".into()));
        }
        let imports = linker.resolve_imports(store, module)?;
        instantiate_from(store, module, &imports, Some(&self.inner))
    }

    /// The module the snapshot was taken of.
    pub fn module(&self) -> &Module {
        &self.inner.module
    }

    /// The captured bytes of the module's defined memory `index`.
    pub fn memory(&self, index: usize) -> Option<&[u8]> {
        self.inner.memories.get(index).map(MemoryImage::bytes)
    }

    /// The captured values of the module's defined globals, untyped: numbers as their bits (a
    /// `v128` all 128 of them, the others in the low 64), a function reference as 1 + the
    /// function's index, 0 for null.
    pub fn globals(&self) -> &[u128] {
        &self.inner.globals
    }

    /// The captured elements of the module's defined table `index`, encoded as
    /// [`Snapshot::globals`] encodes references.
    pub fn table(&self, index: usize) -> Option<&[u64]> {
        self.inner.tables.get(index).map(|t| &t[..])
    }

    /// Whether element segment `index` was dropped (by `elem.drop`, or as an active or
    /// declared segment) when the snapshot was taken.
    pub fn elem_dropped(&self, index: usize) -> bool {
        self.inner.dropped_elems.get(index).copied().unwrap_or(false)
    }

    /// Whether data segment `index` was dropped (by `data.drop`, or as an active segment).
    pub fn data_dropped(&self, index: usize) -> bool {
        self.inner.dropped_datas.get(index).copied().unwrap_or(false)
    }

    /// Whether `_initialize` had run in the captured instance.
    pub fn reactor_initialized(&self) -> bool {
        self.inner.reactor_initialized
    }
}
