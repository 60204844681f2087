//! The reference: wasmi with the same limits and the same host as wisp.

use crate::host::{self, ExportTy, ExternTy, Guest, HostState, HostTrap, Import, Plan};
use crate::{
    Kind, Outcome, Side, TrapKind, Ty, FUEL_EXPORT, MEMORY_LIMIT, TABLE_LIMIT, UNKNOWN_EXTERN, UNKNOWN_FUNC, V,
};
use std::collections::HashMap;
use wasmi::{
    AsContext, AsContextMut, Caller, CompilationMode, Config, Engine, Extern, ExternRef, ExternType, Func, FuncType,
    Global, Linker, Memory, MemoryType, Module, Mutability, Nullable, Ref, RefType, Store, StoreLimits,
    StoreLimitsBuilder, Table, TableType, Val, ValType,
};

impl wasmi::errors::HostError for HostTrap {}

thread_local! {
    static COMPILING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this thread is in wasmi's compiler, where a panic is caught and the module skipped
/// (for a panic hook that would otherwise abort, as the fuzzers' does).
pub fn compiling() -> bool {
    COMPILING.with(|c| c.get())
}

/// A store's data: the limits, the shared host state, and function identities.
pub struct Data {
    limits: StoreLimits,
    host: HostState,
    funcs: Vec<Func>,
    /// The instance, once instantiated: what a host function the harness calls directly (no
    /// Wasm caller) reaches back into.
    instance: Option<wasmi::Instance>,
    /// Known functions by identity. wasmi's `Func` has no `Eq`; its `Debug` text shows the
    /// store and the arena index, which is the identity (a unit test checks the mapping).
    ids: HashMap<String, u32>,
}

/// `f`'s identity (its `Debug` text) in `buf`.
fn func_key<'b>(f: &Func, buf: &'b mut String) -> &'b str {
    use std::fmt::Write;
    buf.clear();
    write!(buf, "{f:?}").expect("formatting to a String cannot fail");
    buf
}

impl Data {
    fn register(&mut self, f: Func) {
        let key = func_key(&f, &mut String::new()).to_string();
        if !self.ids.contains_key(&key) {
            self.ids.insert(key, self.funcs.len() as u32);
            self.funcs.push(f);
            self.host.known_funcs += 1;
        }
    }
}

pub struct WasmiSide {
    store: Store<Data>,
    instance: wasmi::Instance,
}

pub struct Compiled {
    engine: Engine,
    module: Module,
    /// log2 of the page size of each imported memory, by (module, name), from the bytes.
    page_sizes: HashMap<(String, String), u8>,
}

/// log2 of the page size of each imported memory (read with wasmparser: wasmi keeps it to itself).
fn import_page_sizes(bytes: &[u8]) -> HashMap<(String, String), u8> {
    let mut sizes = HashMap::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let Ok(wasmparser::Payload::ImportSection(reader)) = payload else { continue };
        for import in reader.into_imports().flatten() {
            if let wasmparser::TypeRef::Memory(m) = import.ty {
                let log2 = u8::try_from(m.page_size_log2()).unwrap_or(16);
                sizes.insert((import.module.to_string(), import.name.to_string()), log2);
            }
        }
    }
    sizes
}

fn ty(t: ValType) -> Ty {
    match t {
        ValType::I32 => Ty::I32,
        ValType::I64 => Ty::I64,
        ValType::F32 => Ty::F32,
        ValType::F64 => Ty::F64,
        ValType::FuncRef => Ty::FuncRef,
        ValType::ExternRef => Ty::ExternRef,
        ValType::V128 => Ty::V128,
    }
}

fn valtype(t: Ty) -> ValType {
    match t {
        Ty::I32 => ValType::I32,
        Ty::I64 => ValType::I64,
        Ty::F32 => ValType::F32,
        Ty::F64 => ValType::F64,
        Ty::FuncRef => ValType::FuncRef,
        Ty::ExternRef => ValType::ExternRef,
        Ty::V128 => ValType::V128,
    }
}

fn ref_ty(t: RefType) -> Ty {
    match t {
        RefType::Func => Ty::FuncRef,
        RefType::Extern => Ty::ExternRef,
    }
}

/// The known-function index of `f` (`buf` is scratch space, reused across calls).
fn func_id(ctx: &impl AsContext<Data = Data>, f: &Nullable<Func>, buf: &mut String) -> Option<u32> {
    f.val().map(|f| ctx.as_context().data().ids.get(func_key(f, buf)).copied().unwrap_or(UNKNOWN_FUNC))
}

fn extern_id(ctx: &impl AsContext<Data = Data>, e: &Nullable<ExternRef>) -> Option<u32> {
    e.val().map(|e| e.data(ctx.as_context()).downcast_ref::<u32>().copied().unwrap_or(UNKNOWN_EXTERN))
}

fn val(ctx: &impl AsContext<Data = Data>, v: &Val) -> V {
    match v {
        Val::I32(x) => V::I32(*x),
        Val::I64(x) => V::I64(*x),
        Val::F32(x) => V::F32(x.to_bits()),
        Val::F64(x) => V::F64(x.to_bits()),
        Val::FuncRef(r) => V::FuncRef(func_id(ctx, r, &mut String::new())),
        Val::ExternRef(r) => V::ExternRef(extern_id(ctx, r)),
        Val::V128(x) => V::V128(x.as_u128()),
    }
}

fn func_ref(ctx: &impl AsContext<Data = Data>, id: Option<u32>) -> Nullable<Func> {
    match id {
        None => Nullable::Null,
        Some(i) => Nullable::Val(ctx.as_context().data().funcs[i as usize]),
    }
}

fn extern_ref(ctx: &mut impl AsContextMut<Data = Data>, payload: Option<u32>) -> Nullable<ExternRef> {
    match payload {
        None => Nullable::Null,
        Some(p) => Nullable::Val(ExternRef::new(ctx, p)),
    }
}

fn to_val(ctx: &mut impl AsContextMut<Data = Data>, v: V) -> Val {
    match v {
        V::I32(x) => Val::I32(x),
        V::I64(x) => Val::I64(x),
        V::F32(x) => Val::F32(wasmi::F32::from_bits(x)),
        V::F64(x) => Val::F64(wasmi::F64::from_bits(x)),
        V::V128(x) => Val::V128(x.into()),
        V::FuncRef(id) => Val::FuncRef(func_ref(ctx, id)),
        V::ExternRef(p) => Val::ExternRef(extern_ref(ctx, p)),
    }
}

fn to_ref(ctx: &mut impl AsContextMut<Data = Data>, v: V) -> Ref {
    match v {
        V::FuncRef(id) => Ref::Func(func_ref(ctx, id)),
        V::ExternRef(p) => Ref::Extern(extern_ref(ctx, p)),
        other => unreachable!("{other:?} is no reference"),
    }
}

pub fn outcome(e: &wasmi::Error) -> Outcome {
    use wasmi::TrapCode as T;
    if let Some(t) = e.downcast_ref::<HostTrap>() {
        return Outcome::HostTrap(t.0);
    }
    let Some(code) = e.as_trap_code() else { return Outcome::Error(e.to_string()) };
    Outcome::Trap(match code {
        T::UnreachableCodeReached => TrapKind::Unreachable,
        T::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        T::TableOutOfBounds => TrapKind::TableOutOfBounds,
        T::IndirectCallToNull => TrapKind::IndirectCallToNull,
        T::IntegerDivisionByZero => TrapKind::IntegerDivideByZero,
        T::IntegerOverflow => TrapKind::IntegerOverflow,
        T::BadConversionToInteger => TrapKind::BadConversionToInteger,
        T::StackOverflow => TrapKind::StackOverflow,
        T::BadSignature => TrapKind::BadSignature,
        _ => TrapKind::Other,
    })
}

/// A host function's view of its caller.
struct WasmiGuest<'a> {
    caller: Caller<'a, Data>,
}

impl WasmiGuest<'_> {
    /// An export of the calling instance (of the instance, when the harness is the caller).
    fn export(&self, name: &str) -> Option<Extern> {
        self.caller.get_export(name).or_else(|| self.caller.data().instance?.get_export(&self.caller, name))
    }
}

impl Guest for WasmiGuest<'_> {
    type Error = wasmi::Error;

    fn state(&mut self) -> &mut HostState {
        &mut self.caller.data_mut().host
    }

    fn has_instance(&self) -> bool {
        self.export(FUEL_EXPORT).is_some()
    }

    fn memory_len(&self, name: &str) -> Option<usize> {
        Some(self.export(name)?.into_memory()?.data_size(&self.caller))
    }

    fn memory_read(&self, name: &str, at: usize, buf: &mut [u8]) -> bool {
        self.export(name).and_then(Extern::into_memory).is_some_and(|m| m.read(&self.caller, at, buf).is_ok())
    }

    fn memory_write(&mut self, name: &str, at: usize, bytes: &[u8]) -> bool {
        self.export(name).and_then(Extern::into_memory).is_some_and(|m| m.write(&mut self.caller, at, bytes).is_ok())
    }

    fn global_get(&mut self, name: &str) -> Option<V> {
        let g = self.export(name)?.into_global()?;
        Some(val(&self.caller, &g.get(&self.caller)))
    }

    fn global_set(&mut self, name: &str, v: V) -> bool {
        let Some(g) = self.export(name).and_then(Extern::into_global) else { return false };
        let v = to_val(&mut self.caller, v);
        g.set(&mut self.caller, v).is_ok()
    }

    fn call(&mut self, name: &str, args: &[V], results: &[Ty]) -> Result<Vec<V>, (Outcome, wasmi::Error)> {
        let f = self.export(name).and_then(Extern::into_func).expect("an exported function");
        let args: Vec<Val> = args.iter().map(|&a| to_val(&mut self.caller, a)).collect();
        let mut out: Vec<Val> = results.iter().map(|&t| Val::default_for_ty(valtype(t))).collect();
        match f.call(&mut self.caller, &args, &mut out) {
            Ok(()) => Ok(out.iter().map(|v| val(&self.caller, v)).collect()),
            Err(e) => Err((outcome(&e), e)),
        }
    }

    fn host_trap(&self, trap: HostTrap) -> wasmi::Error {
        wasmi::Error::host(trap)
    }
}

fn extern_ty(t: &ExternType) -> ExternTy {
    match t {
        ExternType::Func(f) => {
            ExternTy::Func(f.params().iter().map(|&p| ty(p)).collect(), f.results().iter().map(|&r| ty(r)).collect())
        }
        ExternType::Global(g) => ExternTy::Global(ty(g.content()), g.mutability().is_mut()),
        // wasmi does not show a memory type's page size: `Compiled::plan` fills it in.
        ExternType::Memory(m) => ExternTy::Memory(m.minimum(), m.maximum(), m.is_64(), 16),
        ExternType::Table(t) => ExternTy::Table(ref_ty(t.element()), t.minimum(), t.maximum(), t.is_64()),
    }
}

fn export_ty(t: &ExternType) -> ExportTy {
    match extern_ty(t) {
        ExternTy::Func(p, r) => ExportTy::Func(p, r),
        ExternTy::Global(t, m) => ExportTy::Global(t, m),
        ExternTy::Memory(..) => ExportTy::Memory,
        ExternTy::Table(t, ..) => ExportTy::Table(t),
    }
}

/// Creates the import `index` in `store`.
fn provide(store: &mut Store<Data>, index: usize, import: &Import) -> Result<Extern, wasmi::Error> {
    let known = store.data().host.known_funcs;
    Ok(match &import.ty {
        ExternTy::Func(params, results) => {
            let fty = FuncType::new(params.iter().map(|&t| valtype(t)), results.iter().map(|&t| valtype(t)));
            let results = results.clone();
            let f = Func::new(&mut *store, fty, move |caller, params, out| {
                let params: Vec<V> = params.iter().map(|p| val(&caller, p)).collect();
                let mut g = WasmiGuest { caller };
                let vals = host::host_call(&mut g, index, &params, &results)?;
                for (o, v) in out.iter_mut().zip(vals) {
                    *o = to_val(&mut g.caller, v);
                }
                Ok(())
            });
            store.data_mut().register(f);
            Extern::Func(f)
        }
        ExternTy::Global(t, mutable) => {
            let v = to_val(store, host::import_value(index, *t, known));
            let m = if *mutable { Mutability::Var } else { Mutability::Const };
            Extern::Global(Global::new(&mut *store, v, m))
        }
        ExternTy::Memory(min, max, memory64, page_size_log2) => {
            let mut ty = MemoryType::builder();
            ty.min(*min).max(*max).memory64(*memory64).page_size_log2(*page_size_log2);
            let m = Memory::new(&mut *store, ty.build()?)?;
            let _ = m.write(&mut *store, 0, &host::import_memory_bytes(index));
            Extern::Memory(m)
        }
        ExternTy::Table(t, min, max, table64) => {
            let elem = if *t == Ty::FuncRef { RefType::Func } else { RefType::Extern };
            let ty = if *table64 {
                TableType::new64(elem, *min, *max)
            } else {
                TableType::new(elem, u32::try_from(*min).unwrap(), max.map(|m| u32::try_from(m).unwrap()))
            };
            let init = to_ref(store, host::import_value(index, *t, known));
            Extern::Table(Table::new(&mut *store, ty, init)?)
        }
    })
}

impl Compiled {
    /// The module's imports and exports.
    pub fn plan(&self) -> Plan {
        Plan::new(
            self.module
                .imports()
                .map(|i| {
                    let mut ty = extern_ty(i.ty());
                    if let ExternTy::Memory(.., page_size_log2) = &mut ty {
                        let key = (i.module().to_string(), i.name().to_string());
                        *page_size_log2 = self.page_sizes.get(&key).copied().unwrap_or(16);
                    }
                    Import { module: i.module().into(), name: i.name().into(), ty }
                })
                .collect(),
            self.module.exports().map(|e| (e.name().to_string(), export_ty(e.ty()))).collect(),
        )
    }
}

impl WasmiSide {
    /// Compiles the module; `Err(true)` when wasmi panics compiling it (a wasmi bug; its
    /// translator has debug assertions), `Err(false)` when it rejects it.
    pub fn module(bytes: &[u8]) -> Result<Compiled, bool> {
        let mut config = Config::default();
        config.set_max_recursion_depth(20_000);
        config.set_max_stack_height(64 << 20);
        // Tail calls, multi-memory, memory64, extended constants and (with the `simd` feature)
        // SIMD and relaxed SIMD are on by default; wide arithmetic and custom page sizes are not
        // (`smith_config_3` generates wide arithmetic, `smith_config_3_all` and
        // `tests/memories.rs` custom page sizes).
        config.wasm_tail_call(true).wasm_wide_arithmetic(true).wasm_custom_page_sizes(true);
        // Every function is translated here, where a panic of wasmi's translator is caught,
        // rather than on its first call.
        config.compilation_mode(CompilationMode::Eager);
        let engine = Engine::new(&config);
        // The engine is dropped after a panic, so no state it left half-updated is used again.
        COMPILING.with(|c| c.set(true));
        let compiled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Module::new(&engine, bytes)));
        COMPILING.with(|c| c.set(false));
        match compiled {
            Ok(Ok(module)) => Ok(Compiled { engine, module, page_sizes: import_page_sizes(bytes) }),
            Ok(Err(_)) => Err(false),
            Err(_) => Err(true),
        }
    }

    pub fn instantiate(c: &Compiled, plan: &Plan) -> Result<WasmiSide, Outcome> {
        let limits = StoreLimitsBuilder::new().memory_size(MEMORY_LIMIT).table_elements(TABLE_LIMIT).build();
        let host = HostState { plan: plan.clone(), ..HostState::default() };
        let mut store =
            Store::new(&c.engine, Data { limits, host, funcs: Vec::new(), instance: None, ids: HashMap::new() });
        store.limiter(|d| &mut d.limits);
        let mut linker = Linker::new(&c.engine);
        // Functions first, so globals and tables may start out referring to them.
        let mut order: Vec<usize> = (0..plan.imports.len()).collect();
        order.sort_by_key(|&i| !matches!(plan.imports[i].ty, ExternTy::Func(..)));
        for i in order {
            let import = &plan.imports[i];
            let ext = provide(&mut store, i, import).map_err(|e| outcome(&e))?;
            linker.define(&import.module, &import.name, ext).map_err(|e| Outcome::Error(e.to_string()))?;
        }
        let instance = linker.instantiate_and_start(&mut store, &c.module).map_err(|e| outcome(&e))?;
        store.data_mut().instance = Some(instance);
        for (name, _) in &plan.exports {
            if let Some(f) = instance.get_func(&store, name) {
                store.data_mut().register(f);
            }
        }
        Ok(WasmiSide { store, instance })
    }

    fn export(&self, name: &str) -> Extern {
        self.instance.get_export(&self.store, name).expect("export exists")
    }
}

impl Side for WasmiSide {
    fn name(&self) -> String {
        "wasmi".into()
    }

    fn exports(&self) -> Vec<(String, Kind)> {
        let mut exports: Vec<_> = self
            .instance
            .exports(&self.store)
            .map(|e| {
                let name = e.name().to_string();
                let kind = match e.into_extern() {
                    Extern::Func(_) => Kind::Func,
                    Extern::Global(_) => Kind::Global,
                    Extern::Memory(_) => Kind::Memory,
                    Extern::Table(_) => Kind::Table,
                };
                (name, kind)
            })
            .collect();
        exports.sort();
        exports
    }

    fn func_type(&self, name: &str) -> (Vec<Ty>, Vec<Ty>) {
        let f = self.export(name).into_func().expect("a function");
        let t = f.ty(&self.store);
        (t.params().iter().map(|&p| ty(p)).collect(), t.results().iter().map(|&r| ty(r)).collect())
    }

    fn call(&mut self, name: &str, args: &[V]) -> Outcome {
        let f = self.export(name).into_func().expect("a function");
        let t = f.ty(&self.store);
        let args: Vec<Val> = args.iter().map(|&a| to_val(&mut self.store, a)).collect();
        let mut results: Vec<Val> = t.results().iter().map(|&r| Val::default_for_ty(r)).collect();
        match f.call(&mut self.store, &args, &mut results) {
            Ok(()) => Outcome::Ok(results.iter().map(|v| val(&self.store, v)).collect()),
            Err(e) => outcome(&e),
        }
    }

    fn global(&self, name: &str) -> V {
        val(&self.store, &self.export(name).into_global().expect("a global").get(&self.store))
    }

    fn set_global(&mut self, name: &str, v: V) {
        let g = self.export(name).into_global().expect("a global");
        let v = to_val(&mut self.store, v);
        g.set(&mut self.store, v).expect("settable");
    }

    fn memory(&self, name: &str) -> &[u8] {
        self.export(name).into_memory().expect("a memory").data(&self.store)
    }

    fn table(&self, name: &str) -> Vec<V> {
        let t = self.export(name).into_table().expect("a table");
        let mut buf = String::with_capacity(128);
        (0..t.size(&self.store))
            .map(|i| match t.get(&self.store, i).expect("in bounds") {
                Ref::Func(f) => V::FuncRef(func_id(&self.store, &f, &mut buf)),
                Ref::Extern(e) => V::ExternRef(extern_id(&self.store, &e)),
            })
            .collect()
    }

    fn host(&self) -> &HostState {
        &self.store.data().host
    }
}
