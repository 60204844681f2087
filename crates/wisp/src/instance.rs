//! `Instance`: an instantiated module, and the instantiation steps of the 2.0 spec.

use crate::error::{Error, Result};
use crate::func::{Func, TypedFunc, WasmParams, WasmResults};
use crate::global::Global;
use crate::linear::MemoryImage;
use crate::memory::Memory;
use crate::module::{ConstOp, DataMode, ElemMode, ExternType, Module, ModuleInner};
use crate::snapshot::SnapshotState;
use crate::store::{
    AsContext, AsContextMut, FuncEntity, FuncKind, GlobalEntity, InstanceEntity, Store, StoreInner, Stored,
};
use crate::table::Table;
use crate::tag::Tag;
use crate::trap::{Trap, TrapCode};
use wisp_decoder::{ExternKind, HeapType, Limits, RefType, ValType};
use wisp_validator::TypeDefs;

/// Something a module can import or export.
///
/// ```
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, r#"(module (memory (export "mem") 1) (func (export "f")))"#)?;
/// let mut store = wisp::Store::new(&engine, ());
/// let instance = wisp::Linker::new(&engine).instantiate(&mut store, &module)?;
/// let mem = instance.get_export(&store, "mem").unwrap();
/// assert!(mem.into_memory().is_some() && mem.into_func().is_none());
/// assert!(instance.get_export(&store, "f").and_then(wisp::Extern::into_func).is_some());
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Extern {
    /// A function.
    Func(Func),
    /// A table.
    Table(Table),
    /// A linear memory.
    Memory(Memory),
    /// A global.
    Global(Global),
    /// A tag (exception handling).
    Tag(Tag),
}

impl Extern {
    /// The function, if this is one.
    pub fn into_func(self) -> Option<Func> {
        if let Extern::Func(f) = self {
            Some(f)
        } else {
            None
        }
    }
    /// The memory, if this is one.
    pub fn into_memory(self) -> Option<Memory> {
        if let Extern::Memory(m) = self {
            Some(m)
        } else {
            None
        }
    }
    /// The table, if this is one.
    pub fn into_table(self) -> Option<Table> {
        if let Extern::Table(t) = self {
            Some(t)
        } else {
            None
        }
    }
    /// The global, if this is one.
    pub fn into_global(self) -> Option<Global> {
        if let Extern::Global(g) = self {
            Some(g)
        } else {
            None
        }
    }

    /// The tag, if this is one.
    pub fn into_tag(self) -> Option<Tag> {
        if let Extern::Tag(t) = self {
            Some(t)
        } else {
            None
        }
    }

    /// The type of the object, as import matching sees it (current sizes as minimums).
    /// [`Error::WrongStore`] for another store's object.
    pub fn ty(&self, store: impl AsContext) -> Result<ExternType> {
        Ok(match self {
            Extern::Func(f) => ExternType::Func(f.ty(&store)?),
            Extern::Table(t) => ExternType::Table(t.ty(&store)?),
            Extern::Memory(m) => ExternType::Memory(m.ty(&store)?),
            Extern::Global(g) => ExternType::Global(g.ty(&store)?),
            Extern::Tag(t) => ExternType::Tag(t.ty(&store)?),
        })
    }
}

impl From<Func> for Extern {
    fn from(f: Func) -> Self {
        Extern::Func(f)
    }
}
impl From<Memory> for Extern {
    fn from(m: Memory) -> Self {
        Extern::Memory(m)
    }
}
impl From<Table> for Extern {
    fn from(t: Table) -> Self {
        Extern::Table(t)
    }
}
impl From<Global> for Extern {
    fn from(g: Global) -> Self {
        Extern::Global(g)
    }
}
impl From<Tag> for Extern {
    fn from(t: Tag) -> Self {
        Extern::Tag(t)
    }
}

/// An instance of a module in a store.
///
/// ```
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, r#"(module
///     (global (export "answer") i32 (i32.const 42))
///     (table (export "table") 1 funcref)
///     (func (export "get") (result i32) (i32.const 42)))"#)?;
/// let mut store = wisp::Store::new(&engine, ());
/// let instance = wisp::Linker::new(&engine).instantiate(&mut store, &module)?;
/// assert_eq!(instance.get_global(&store, "answer").unwrap().get(&store)?, wisp::Val::I32(42));
/// assert_eq!(instance.get_table(&store, "table").unwrap().size(&store)?, 1);
/// assert!(instance.get_func(&store, "get").is_some());
/// assert!(instance.get_memory(&store, "memory").is_none());
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Instance(pub(crate) Stored);

impl Instance {
    fn entity<'a>(&self, inner: &'a StoreInner) -> Result<&'a InstanceEntity> {
        Ok(&inner.instances[inner.check(self.0)? as usize])
    }

    /// The export `name`, if the module has one (`None` for another store's instance).
    pub fn get_export(&self, store: impl AsContext, name: &str) -> Option<Extern> {
        let inner = &store.as_context().inner;
        let e = self.entity(inner).ok()?;
        let m = &e.module.inner;
        let i = m.export_index.get(name)?;
        let (_, kind, index) = m.exports[i];
        Some(export_of(inner, e, kind, index))
    }

    /// All exports, in the module's order; [`Error::WrongStore`] for another store's
    /// instance.
    pub fn exports(&self, store: impl AsContext) -> Result<Vec<(String, Extern)>> {
        let inner = &store.as_context().inner;
        let e = self.entity(inner)?;
        Ok(e.module.inner.exports.iter().map(|(n, k, i)| (n.clone(), export_of(inner, e, *k, *i))).collect())
    }

    /// The exported function `name`, if there is one.
    pub fn get_func(&self, store: impl AsContext, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    /// The exported memory `name`, if there is one.
    pub fn get_memory(&self, store: impl AsContext, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    /// The exported global `name`, if there is one.
    pub fn get_global(&self, store: impl AsContext, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }

    /// The exported table `name`, if there is one.
    pub fn get_table(&self, store: impl AsContext, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    /// The exported function `name` with its signature checked against `Params -> Results`.
    pub fn get_typed_func<Params: WasmParams, Results: WasmResults>(
        &self,
        store: impl AsContext,
        name: &str,
    ) -> Result<TypedFunc<Params, Results>> {
        let f = self
            .get_func(&store, name)
            .ok_or_else(|| Error::UnknownExport(format!("no exported function named `{name}`")))?;
        f.typed(&store).map_err(|e| match e {
            Error::Signature(s) => Error::Signature(format!("export `{name}`: {s}")),
            other => other,
        })
    }

    /// The module this is an instance of; [`Error::WrongStore`] for another store's instance.
    pub fn module(&self, store: impl AsContext) -> Result<Module> {
        Ok(self.entity(&store.as_context().inner)?.module.clone())
    }
}

fn export_of(inner: &StoreInner, e: &InstanceEntity, kind: ExternKind, index: u32) -> Extern {
    let i = index as usize;
    match kind {
        ExternKind::Func => Extern::Func(Func(inner.stored(e.funcs[i]))),
        ExternKind::Table => Extern::Table(Table(inner.stored(e.tables[i]))),
        ExternKind::Memory => Extern::Memory(Memory(inner.stored(e.memories[i]))),
        ExternKind::Global => Extern::Global(Global(inner.stored(e.globals[i]))),
        ExternKind::Tag => Extern::Tag(Tag(inner.stored(e.tags[i]))),
    }
}

/// Whether `actual` limits may stand where `expected` are required.
fn limits_match(actual: Limits, expected: Limits) -> bool {
    actual.min >= expected.min
        && match expected.max {
            None => true,
            Some(em) => actual.max.is_some_and(|am| am <= em),
        }
}

/// Whether `actual` may be imported as `expected`; a function by its engine-wide type id (its
/// own or a declared subtype of the import's), a tag by the same id, `type_id` for the
/// import's type (signatures name engine ids only in the store).
fn check_import(
    store: &StoreInner,
    module: &str,
    name: &str,
    expected: &ExternType,
    type_id: u32,
    actual: &Extern,
) -> Result<()> {
    // A function that matches needs no copy of its type (that is for the error's message).
    if let (ExternType::Func(_), Extern::Func(f)) = (expected, actual) {
        let id = store.funcs[store.check(f.0)? as usize].type_id;
        if store.heap_sub(HeapType::Concrete(id), HeapType::Concrete(type_id)) {
            return Ok(());
        }
    }
    let mut actual_id = None;
    let actual_ty = match actual {
        Extern::Func(f) => {
            let i = store.check(f.0)?;
            actual_id = Some(store.funcs[i as usize].type_id);
            ExternType::Func(store.func_type(i).clone())
        }
        Extern::Table(t) => {
            let i = store.check(t.0)? as usize;
            let mut ty = store.tables[i].ty;
            ty.limits.min = store.tables[i].elements.len() as u64;
            ExternType::Table(ty)
        }
        Extern::Memory(m) => {
            let i = store.check(m.0)? as usize;
            let mut ty = store.memories[i].ty;
            ty.limits.min = store.memories[i].pages();
            ExternType::Memory(ty)
        }
        Extern::Global(g) => ExternType::Global(store.globals[store.check(g.0)? as usize].ty),
        Extern::Tag(t) => {
            let tag = &store.tags[store.check(t.0)? as usize];
            actual_id = Some(tag.type_id);
            ExternType::Tag((*tag.ty).clone())
        }
    };
    let ok = match (expected, &actual_ty) {
        (ExternType::Func(_), ExternType::Func(_)) => {
            actual_id.is_some_and(|a| store.heap_sub(HeapType::Concrete(a), HeapType::Concrete(type_id)))
        }
        (ExternType::Table(e), ExternType::Table(a)) => {
            e.element == a.element && e.table64 == a.table64 && limits_match(a.limits, e.limits)
        }
        (ExternType::Memory(e), ExternType::Memory(a)) => {
            e.memory64 == a.memory64
                && e.shared == a.shared
                && e.page_size_log2() == a.page_size_log2()
                && limits_match(a.limits, e.limits)
        }
        (ExternType::Global(e), ExternType::Global(a)) => {
            e.mutable == a.mutable
                && if e.mutable { e.content == a.content } else { store.val_sub(a.content, e.content) }
        }
        // Exact, as for functions (the same engine type: a tag's payload flows both ways,
        // thrown and caught).
        (ExternType::Tag(_), ExternType::Tag(_)) => actual_id == Some(type_id),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::Link(format!(
            "incompatible import type for `{module}`.`{name}`: expected {expected}, found {actual_ty}"
        )))
    }
}

/// A segment's offset from its constant's slot bits: an i64 for a 64-bit memory or table, else
/// an i32's.
fn offset_value(bits: u64, wide: bool) -> u64 {
    if wide {
        bits
    } else {
        bits as u32 as u64
    }
}

/// Evaluates a constant expression with the instance's globals and functions so far.
fn eval_const(inner: &StoreInner, expr: &[ConstOp], globals: &[u32], funcs: &[u32]) -> u64 {
    // One number (every Go data segment's offset) or reference (every item of Go's table
    // segment, thousands per instantiation): no stack to allocate.
    match expr {
        [ConstOp::Value(v)] => return *v,
        [ConstOp::RefFunc(f)] => return funcs[*f as usize] as u64 + 1,
        [ConstOp::RefNull] => return 0,
        _ => {}
    }
    let mut stack: Vec<u64> = Vec::with_capacity(2);
    for op in expr {
        let v = match *op {
            ConstOp::Value(v) => v,
            ConstOp::V128(v) => v as u64,
            ConstOp::RefNull => 0,
            ConstOp::RefFunc(f) => funcs[f as usize] as u64 + 1,
            ConstOp::GlobalGet(g) => inner.globals[globals[g as usize] as usize].get(),
            ConstOp::I32Add
            | ConstOp::I32Sub
            | ConstOp::I32Mul
            | ConstOp::I64Add
            | ConstOp::I64Sub
            | ConstOp::I64Mul => {
                let b = stack.pop().unwrap_or(0);
                let a = stack.pop().unwrap_or(0);
                match *op {
                    ConstOp::I32Add => (a as u32).wrapping_add(b as u32) as u64,
                    ConstOp::I32Sub => (a as u32).wrapping_sub(b as u32) as u64,
                    ConstOp::I32Mul => (a as u32).wrapping_mul(b as u32) as u64,
                    ConstOp::I64Add => a.wrapping_add(b),
                    ConstOp::I64Sub => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                }
            }
        };
        stack.push(v);
    }
    stack.pop().unwrap_or(0)
}

/// Least active data (bytes) for which a module's memory starts from an image of its data
/// segments: below it, copying the segments costs less than mapping a file.
const DATA_IMAGE_MIN_BYTES: usize = 64 * 1024;

/// The image of defined memory `def` after the module's active data segments, for a module
/// that `Snapshot::to_wasm` wrote (its data is an initialized memory, which instances mostly
/// read): made once per module, then each instance maps it and the kernel copies only the pages
/// it writes (wasmtime's copy-on-write initialization), instead of each instance clearing a
/// heap memory and copying every segment. Other modules copy their segments: a module that
/// initializes itself writes much of its memory (Go's `_initialize` in `add.wasm`: about 800
/// pages of 4 KiB), and faulting in fresh pages cost more than reused heap memory
/// (RATIONALE.md). `None` also when the OS offers no such mapping, the data is small, or a
/// segment's offset is not a constant or does not fit the memory's minimum (then
/// instantiation must trap as the spec says, segment by segment).
fn data_image(m: &ModuleInner, def: usize) -> Option<&MemoryImage> {
    let images = m.data_images.get_or_init(|| {
        if !crate::snapshot::marked_initialized(&m.bytes) {
            return Box::default();
        }
        (0..m.defined_memories().len()).map(|i| build_data_image(m, i)).collect()
    });
    images.get(def)?.as_ref()
}

fn build_data_image(m: &ModuleInner, def: usize) -> Option<MemoryImage> {
    let index = m.num_imported_memories + def as u32;
    let ty = &m.defined_memories()[def];
    let size = crate::store::pages_to_bytes(ty, ty.limits.min)?;
    let mut segments = Vec::new();
    let (mut low, mut high, mut total) = (usize::MAX, 0, 0);
    for seg in &m.data {
        match &seg.mode {
            DataMode::Active { memory, offset } if *memory == index => {
                let [ConstOp::Value(at)] = offset.ops() else { return None };
                let at = usize::try_from(offset_value(*at, ty.memory64)).ok()?;
                let end = at.checked_add(seg.len).filter(|&e| e <= size)?;
                if seg.len > 0 {
                    (low, high, total) = (low.min(at), high.max(end), total + seg.len);
                    segments.push((at, seg));
                }
            }
            _ => {}
        }
    }
    if total < DATA_IMAGE_MIN_BYTES {
        return None;
    }
    // Only the span the segments cover is assembled; the file is `size` long around it.
    let mut span = vec![0u8; high - low];
    for (at, seg) in segments {
        span[at - low..at - low + seg.len].copy_from_slice(&m.bytes[seg.start..seg.start + seg.len]);
    }
    MemoryImage::of_data(size, low, &span)
}

/// Instantiates `module` in `store` with `imports` (in the module's import order).
pub(crate) fn instantiate<T>(store: &mut Store<T>, module: &Module, imports: &[Extern]) -> Result<Instance> {
    instantiate_from(store, module, imports, None)
}

/// Instantiates `module` in `store`, fresh (`from` is `None`: segments applied, `start` run)
/// or as a copy of a snapshot's state (memories, globals, tables, dropped segments; nothing
/// runs).
pub(crate) fn instantiate_from<T>(
    store: &mut Store<T>,
    module: &Module,
    imports: &[Extern],
    from: Option<&SnapshotState>,
) -> Result<Instance> {
    let m = &module.inner;
    if !m.engine.same(store.engine()) {
        return Err(Error::Usage("module and store belong to different engines".into()));
    }
    if imports.len() != m.imports.len() {
        return Err(Error::Link(format!("module needs {} imports, {} given", m.imports.len(), imports.len())));
    }
    store.admit_counts(1, m.defined_memories().len(), m.defined_tables().len())?;
    let inner = &mut store.inner;
    // Import checks and values of the module's reference types look its types up.
    if let Some(&last) = m.type_ids.iter().max() {
        inner.cover_types(last);
    }
    let mut funcs = Vec::with_capacity(m.funcs.len());
    let mut tables = Vec::new();
    let mut memories = Vec::new();
    let mut globals = Vec::new();
    let mut tags = Vec::with_capacity(m.tag_types.len());
    for (desc, ext) in m.imports.iter().zip(imports) {
        // Imported functions come first in the function index space.
        let func_type_id = m.funcs.get(funcs.len()).and_then(|&t| m.type_ids.get(t as usize)).copied();
        // Imported tags come first in the tag index space too.
        let tag_type_id = m.tag_types.get(tags.len()).and_then(|&t| m.type_ids.get(t as usize)).copied();
        // Tables and globals name their concrete types by engine id in the store.
        let engine_ty;
        let expected = match desc.ty {
            ExternType::Table(mut t) => {
                t.element = m.engine_ref(t.element);
                engine_ty = ExternType::Table(t);
                &engine_ty
            }
            ExternType::Global(mut g) => {
                g.content = m.engine_val(g.content);
                engine_ty = ExternType::Global(g);
                &engine_ty
            }
            ref t => t,
        };
        let type_id = if matches!(desc.ty, ExternType::Tag(_)) { tag_type_id } else { func_type_id };
        check_import(inner, &desc.module, &desc.name, expected, type_id.unwrap_or(u32::MAX), ext)?;
        match ext {
            Extern::Func(f) => funcs.push(f.0.index),
            Extern::Table(t) => tables.push(t.0.index),
            Extern::Memory(x) => memories.push(x.0.index),
            Extern::Global(g) => globals.push(g.0.index),
            Extern::Tag(t) => tags.push(t.0.index),
        }
    }
    for &ty in &m.tag_types[m.num_imported_tags as usize..] {
        let (ty, type_id) = (std::sync::Arc::new(m.types[ty as usize].clone()), m.type_ids[ty as usize]);
        inner.tags.push(crate::store::TagEntity { ty, type_id });
        tags.push(inner.tags.len() as u32 - 1);
    }
    let instance_index = inner.instances.len() as u32;
    for (def, &ty) in m.funcs[m.num_imported_funcs as usize..].iter().enumerate() {
        funcs.push(inner.push_func(FuncEntity {
            type_id: m.type_ids[ty as usize],
            kind: FuncKind::Wasm { instance: instance_index, def_index: def as u32 },
        }));
    }
    for (i, &ty) in m.defined_tables().iter().enumerate() {
        let mut ty = ty;
        ty.element = m.engine_ref(ty.element);
        match from {
            None => {
                // A table is defined before any global: its initializer reads imports only.
                let init = m.table_inits[i].as_ref().map_or(0, |e| eval_const(&store.inner, e.ops(), &globals, &funcs));
                tables.push(store.new_table(ty, init)?)
            }
            Some(snap) => {
                let saved = &snap.tables[i];
                let mut ty = ty;
                ty.limits.min = saved.len() as u64;
                let t = store.new_table(ty, 0)?;
                for (slot, &r) in store.inner.tables[t as usize].elements.iter_mut().zip(saved.iter()) {
                    *slot = snap.resolve_ref(r, &funcs);
                }
                tables.push(t);
            }
        }
    }
    for (i, &ty) in m.defined_memories().iter().enumerate() {
        memories.push(match from {
            None => match data_image(m, i) {
                Some(image) => store.new_memory_from_image(ty, image, false)?,
                None => store.new_memory(ty)?,
            },
            Some(snap) => store.new_memory_from_image(ty, &snap.memories[i], true)?,
        });
    }
    let inner = &mut store.inner;
    for (i, (ty, init)) in m.defined_globals().enumerate() {
        let v = match from {
            None => match init.ops() {
                // A `v128`'s initializer: its constant or another global.
                [ConstOp::V128(v)] => *v,
                [ConstOp::GlobalGet(g)] => inner.globals[globals[*g as usize] as usize].get128(),
                ops => eval_const(inner, ops, &globals, &funcs) as u128,
            },
            Some(snap) if matches!(ty.content, ValType::Ref(r) if crate::value::slot_ref_type(r) == RefType::FuncRef) => {
                snap.resolve_ref(snap.globals[i] as u64, &funcs) as u128
            }
            Some(snap) => snap.globals[i],
        };
        let ty = wisp_decoder::GlobalType { content: m.engine_val(ty.content), ..*ty };
        inner.globals.push(Box::new(GlobalEntity::new(v, ty)));
        globals.push(inner.globals.len() as u32 - 1);
    }
    let global_ptrs = globals.iter().map(|&g| inner.globals[g as usize].value.get().cast::<u64>()).collect();
    let elems = m
        .elements
        .iter()
        .enumerate()
        .map(|(i, seg)| {
            if from.is_some_and(|snap| snap.dropped_elems[i]) {
                return Box::default();
            }
            seg.items.iter().map(|e| eval_const(inner, e.ops(), &globals, &funcs)).collect::<Box<[u64]>>()
        })
        .collect();
    // Without a data count section no instruction names a segment (see `data_count`).
    let datas = m
        .data
        .iter()
        .take(if m.data_count { usize::MAX } else { 0 })
        .enumerate()
        .map(|(i, d)| (d.start, if from.is_some_and(|snap| snap.dropped_datas[i]) { 0 } else { d.len }))
        .collect();
    let memory_export = m.export_index.get("memory").and_then(|i| match m.exports[i] {
        (_, ExternKind::Memory, index) => Some(memories[index as usize]),
        _ => None,
    });
    inner.instances.push(Box::new(InstanceEntity {
        module: module.clone(),
        funcs: funcs.into(),
        tables: tables.into(),
        memories: memories.into(),
        globals: globals.into(),
        global_ptrs,
        elems,
        datas,
        dead: None,
        reactor_initialized: from.is_some_and(|snap| snap.reactor_initialized),
        memory_export,
        tags: tags.into(),
    }));
    let instance = Instance(inner.stored(instance_index));
    if from.is_some() {
        return Ok(instance);
    }

    // Active segments, in order; a segment that does not fit traps, and what earlier
    // segments wrote stays written (2.0).
    let ent = instance_index as usize;
    for (i, seg) in m.elements.iter().enumerate() {
        match &seg.mode {
            ElemMode::Active { table, offset } => {
                let e = &inner.instances[ent];
                let ti = e.tables[*table as usize] as usize;
                let at = eval_const(inner, offset.ops(), &e.globals, &e.funcs);
                let d = usize::try_from(offset_value(at, inner.tables[ti].ty.table64)).unwrap_or(usize::MAX);
                let items = std::mem::take(&mut inner.instances[ent].elems[i]);
                let t = &mut inner.tables[ti];
                if d.checked_add(items.len()).is_none_or(|end| end > t.elements.len()) {
                    return Err(Trap::new(TrapCode::TableOutOfBounds).into());
                }
                t.elements[d..d + items.len()].copy_from_slice(&items);
            }
            ElemMode::Declared => inner.instances[ent].elems[i] = Box::default(),
            ElemMode::Passive => {}
        }
    }
    for (i, seg) in m.data.iter().enumerate() {
        if let DataMode::Active { memory, offset } = &seg.mode {
            let imaged =
                memory.checked_sub(m.num_imported_memories).is_some_and(|d| data_image(m, d as usize).is_some());
            if imaged {
                // The memory was made holding every active segment of it (checked to fit).
                if let Some(d) = inner.instances[ent].datas.get_mut(i) {
                    d.1 = 0;
                }
                continue;
            }
            let e = &inner.instances[ent];
            let mi = e.memories[*memory as usize] as usize;
            let at = eval_const(inner, offset.ops(), &e.globals, &e.funcs);
            let d = usize::try_from(offset_value(at, inner.memories[mi].ty.memory64)).unwrap_or(usize::MAX);
            let mem = &mut inner.memories[mi];
            if d.checked_add(seg.len).is_none_or(|end| end > mem.data.len()) {
                return Err(Trap::new(TrapCode::MemoryOutOfBounds).into());
            }
            mem.data[d..d + seg.len].copy_from_slice(&m.bytes[seg.start..seg.start + seg.len]);
            if let Some(d) = inner.instances[ent].datas.get_mut(i) {
                d.1 = 0;
            }
        }
    }
    if let Some(start) = m.start {
        let f = Func(inner.stored(inner.instances[ent].funcs[start as usize]));
        f.call(&mut *store, &[], &mut [])?;
    }
    Ok(instance)
}

impl Instance {
    /// Instantiates `module` with imports given in the module's order.
    pub fn new<T>(mut store: impl AsContextMut<Data = T>, module: &Module, imports: &[Extern]) -> Result<Instance> {
        instantiate(store.as_context_mut(), module, imports)
    }
}
