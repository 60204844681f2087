//! wisp, with one dispatch backend, under the same limits and with the same host as wasmi.

use crate::host::{self, ExportTy, ExternTy, Guest, HostState, HostTrap, Import, Plan};
use crate::{
    Kind, Outcome, Side, TrapKind, Ty, FUEL_EXPORT, MEMORY_LIMIT, TABLE_LIMIT, UNKNOWN_EXTERN, UNKNOWN_FUNC, V,
};
use std::collections::HashMap;
use wisp::{
    AsContext, AsContextMut, Caller, Config, Dispatch, Engine, Error, Extern, ExternRef, ExternType, Func, FuncType,
    Global, GlobalType, Limits, Linker, Memory, MemoryType, Module, RefType, Store, StoreLimits, StoreLimitsBuilder,
    Table, TableType, TrapCode, Val, ValType,
};

/// A store's data: the limits, the shared host state, and function identities.
pub struct Data {
    limits: StoreLimits,
    host: HostState,
    funcs: Vec<Func>,
    /// The instance, once instantiated: what a host function the harness calls directly (no
    /// Wasm caller) reaches back into.
    instance: Option<wisp::Instance>,
    /// Known functions by identity (`Func` is `Eq` and `Hash` by store and index).
    ids: HashMap<Func, u32>,
}

impl Data {
    fn register(&mut self, f: Func) {
        if !self.ids.contains_key(&f) {
            self.ids.insert(f, self.funcs.len() as u32);
            self.funcs.push(f);
            self.host.known_funcs += 1;
        }
    }
}

pub struct WispSide {
    dispatch: Dispatch,
    store: Store<Data>,
    instance: wisp::Instance,
}

fn ty(t: ValType) -> Ty {
    match t {
        ValType::I32 => Ty::I32,
        ValType::I64 => Ty::I64,
        ValType::F32 => Ty::F32,
        ValType::F64 => Ty::F64,
        ValType::FUNCREF => Ty::FuncRef,
        ValType::EXTERNREF => Ty::ExternRef,
        ValType::V128 => Ty::V128,
        other => unreachable!("no {other:?} in generated modules"),
    }
}

fn valtype(t: Ty) -> ValType {
    match t {
        Ty::I32 => ValType::I32,
        Ty::I64 => ValType::I64,
        Ty::F32 => ValType::F32,
        Ty::F64 => ValType::F64,
        Ty::FuncRef => ValType::FUNCREF,
        Ty::ExternRef => ValType::EXTERNREF,
        Ty::V128 => ValType::V128,
    }
}

fn ref_ty(t: RefType) -> Ty {
    match t {
        RefType::FuncRef => Ty::FuncRef,
        RefType::ExternRef => Ty::ExternRef,
        RefType::Typed { .. } => unreachable!("generated modules use funcref and externref only"),
    }
}

fn val(ctx: &impl AsContext<Data = Data>, v: &Val) -> V {
    match *v {
        Val::I32(x) => V::I32(x),
        Val::I64(x) => V::I64(x),
        Val::F32(x) => V::F32(x),
        Val::F64(x) => V::F64(x),
        Val::V128(x) => V::V128(x),
        Val::FuncRef(r) => V::FuncRef(r.map(|f| ctx.as_context().data().ids.get(&f).copied().unwrap_or(UNKNOWN_FUNC))),
        Val::ExternRef(r) => V::ExternRef(
            r.map(|e| e.data(ctx).and_then(|d| d.downcast_ref::<u32>()).copied().unwrap_or(UNKNOWN_EXTERN)),
        ),
        ref other => panic!("a value kind the generator never makes: {other:?}"),
    }
}

fn to_val(ctx: &mut impl AsContextMut<Data = Data>, v: V) -> Val {
    match v {
        V::I32(x) => Val::I32(x),
        V::I64(x) => Val::I64(x),
        V::F32(x) => Val::F32(x),
        V::F64(x) => Val::F64(x),
        V::V128(x) => Val::V128(x),
        V::FuncRef(id) => Val::FuncRef(id.map(|i| ctx.as_context().data().funcs[i as usize])),
        V::ExternRef(p) => Val::ExternRef(p.map(|p| ExternRef::new(&mut *ctx, p))),
    }
}

pub fn kind(code: TrapCode) -> TrapKind {
    match code {
        TrapCode::Unreachable => TrapKind::Unreachable,
        TrapCode::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        // wasmi reports a `call_indirect` past the table's end as a table access.
        TrapCode::TableOutOfBounds | TrapCode::UndefinedElement => TrapKind::TableOutOfBounds,
        TrapCode::IndirectCallToNull | TrapCode::UninitializedElement => TrapKind::IndirectCallToNull,
        TrapCode::BadSignature => TrapKind::BadSignature,
        TrapCode::IntegerDivideByZero => TrapKind::IntegerDivideByZero,
        TrapCode::IntegerOverflow => TrapKind::IntegerOverflow,
        TrapCode::BadConversionToInteger => TrapKind::BadConversionToInteger,
        TrapCode::StackOverflow => TrapKind::StackOverflow,
        _ => TrapKind::Other,
    }
}

pub fn outcome(e: &Error) -> Outcome {
    match e {
        Error::Trap(t) => Outcome::Trap(kind(t.code())),
        Error::Host(msg) => match HostTrap::parse(&msg.to_string()) {
            Some(t) => Outcome::HostTrap(t.0),
            None => Outcome::Error(e.to_string()),
        },
        // The one combination wisp refuses that the generator makes (until SIMD accesses carry
        // a memory index and an address width).
        Error::Unsupported(what) if what.contains("simd with multi-memory or memory64") => {
            Outcome::Refused(what.clone())
        }
        other => Outcome::Error(other.to_string()),
    }
}

/// A host function's view of its caller.
struct WispGuest<'a> {
    caller: Caller<'a, Data>,
}

impl WispGuest<'_> {
    /// An export of the calling instance (of the instance, when the harness is the caller).
    fn export(&self, name: &str) -> Option<Extern> {
        self.caller.get_export(name).or_else(|| self.caller.data().instance?.get_export(&self.caller, name))
    }
}

impl Guest for WispGuest<'_> {
    type Error = Error;

    fn state(&mut self) -> &mut HostState {
        &mut self.caller.data_mut().host
    }

    fn has_instance(&self) -> bool {
        self.export(FUEL_EXPORT).is_some()
    }

    fn memory_len(&self, name: &str) -> Option<usize> {
        self.export(name)?.into_memory()?.data_size(&self.caller).ok()
    }

    fn memory_read(&self, name: &str, at: usize, buf: &mut [u8]) -> bool {
        self.export(name).and_then(Extern::into_memory).is_some_and(|m| m.read(&self.caller, at, buf).is_ok())
    }

    fn memory_write(&mut self, name: &str, at: usize, bytes: &[u8]) -> bool {
        self.export(name).and_then(Extern::into_memory).is_some_and(|m| m.write(&mut self.caller, at, bytes).is_ok())
    }

    fn global_get(&mut self, name: &str) -> Option<V> {
        let g = self.export(name)?.into_global()?;
        Some(val(&self.caller, &g.get(&self.caller).ok()?))
    }

    fn global_set(&mut self, name: &str, v: V) -> bool {
        let Some(g) = self.export(name).and_then(Extern::into_global) else { return false };
        let v = to_val(&mut self.caller, v);
        g.set(&mut self.caller, v).is_ok()
    }

    fn call(&mut self, name: &str, args: &[V], results: &[Ty]) -> Result<Vec<V>, (Outcome, Error)> {
        let f = self.export(name).and_then(Extern::into_func).expect("an exported function");
        let args: Vec<Val> = args.iter().map(|&a| to_val(&mut self.caller, a)).collect();
        let mut out: Vec<Val> = results.iter().map(|&t| Val::default_for(valtype(t))).collect();
        match f.call(&mut self.caller, &args, &mut out) {
            Ok(()) => Ok(out.iter().map(|v| val(&self.caller, v)).collect()),
            Err(e) => Err((outcome(&e), e)),
        }
    }

    fn host_trap(&self, trap: HostTrap) -> Error {
        Error::host(trap)
    }
}

fn extern_ty(t: &ExternType) -> ExternTy {
    match t {
        ExternType::Func(f) => {
            ExternTy::Func(f.params().iter().map(|&p| ty(p)).collect(), f.results().iter().map(|&r| ty(r)).collect())
        }
        ExternType::Global(g) => ExternTy::Global(ty(g.content), g.mutable),
        ExternType::Memory(m) => {
            ExternTy::Memory(m.limits.min, m.limits.max, m.memory64, m.page_size_log2.unwrap_or(16))
        }
        ExternType::Table(t) => ExternTy::Table(ref_ty(t.element), t.limits.min, t.limits.max, t.table64),
        other => panic!("an import kind the generator never makes: {other:?}"),
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

/// The module's imports and exports as wisp reads them.
pub fn plan(module: &Module) -> Plan {
    Plan::new(
        module
            .imports()
            .map(|i| Import { module: i.module.clone(), name: i.name.clone(), ty: extern_ty(&i.ty) })
            .collect(),
        module.exports().map(|(n, t)| (n.to_string(), export_ty(&t))).collect(),
    )
}

/// Creates the import `index` in `store`.
fn provide(store: &mut Store<Data>, index: usize, import: &Import) -> Result<Extern, Error> {
    let known = store.data().host.known_funcs;
    Ok(match &import.ty {
        ExternTy::Func(params, results) => {
            let fty = FuncType::new(params.iter().map(|&t| valtype(t)), results.iter().map(|&t| valtype(t)));
            let results = results.clone();
            let f = Func::new(&mut *store, fty, move |caller, params, out| {
                let params: Vec<V> = params.iter().map(|p| val(&caller, p)).collect();
                let mut g = WispGuest { caller };
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
            Extern::Global(Global::new(&mut *store, GlobalType { content: valtype(*t), mutable: *mutable }, v)?)
        }
        ExternTy::Memory(min, max, memory64, page_size_log2) => {
            let ty = MemoryType {
                limits: Limits { min: *min, max: *max },
                memory64: *memory64,
                shared: false,
                page_size_log2: Some(*page_size_log2),
            };
            let m = Memory::new(&mut *store, ty)?;
            let _ = m.write(&mut *store, 0, &host::import_memory_bytes(index));
            Extern::Memory(m)
        }
        ExternTy::Table(t, min, max, table64) => {
            let element = if *t == Ty::FuncRef { RefType::FuncRef } else { RefType::ExternRef };
            let init = to_val(store, host::import_value(index, *t, known));
            Extern::Table(Table::new(
                &mut *store,
                TableType { element, limits: Limits { min: *min, max: *max }, table64: *table64 },
                init,
            )?)
        }
    })
}

impl WispSide {
    /// Instantiates the module with the host `plan` describes (which must be what wisp reads).
    pub fn instantiate(bytes: &[u8], dispatch: Dispatch, plan: &Plan) -> Result<WispSide, Outcome> {
        let mut config = Config::new();
        // The WebAssembly 3.0 proposals both engines execute (what `smith_config_3_all`
        // generates, and the memories of `tests/memories.rs`).
        config
            .dispatch(dispatch)
            .wasm_simd(true)
            .wasm_relaxed_simd(true)
            .wasm_extended_const(true)
            .wasm_tail_call(true)
            .wasm_wide_arithmetic(true)
            .wasm_multi_memory(true)
            .wasm_memory64(true)
            .wasm_custom_page_sizes(true);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, bytes).map_err(|e| outcome(&e))?;
        let own = self::plan(&module);
        if own != *plan {
            return Err(Outcome::Error(format!("wisp reads the imports and exports as {own:?}, wasmi as {plan:?}")));
        }
        let limits = StoreLimitsBuilder::new().memory_size(MEMORY_LIMIT).table_elements(TABLE_LIMIT).build();
        let host = HostState { plan: own, ..HostState::default() };
        let mut store =
            Store::new(&engine, Data { limits, host, funcs: Vec::new(), instance: None, ids: HashMap::new() });
        store.limiter(|d| &mut d.limits);
        let mut linker = Linker::new(&engine);
        // Functions first, so globals and tables may start out referring to them.
        let mut order: Vec<usize> = (0..plan.imports.len()).collect();
        order.sort_by_key(|&i| !matches!(plan.imports[i].ty, ExternTy::Func(..)));
        for i in order {
            let import = &plan.imports[i];
            let ext = provide(&mut store, i, import).map_err(|e| outcome(&e))?;
            linker.define(&import.module, &import.name, ext).map_err(|e| outcome(&e))?;
        }
        let instance = linker.instantiate(&mut store, &module).map_err(|e| outcome(&e))?;
        store.data_mut().instance = Some(instance);
        for (name, _) in &plan.exports {
            if let Some(f) = instance.get_func(&store, name) {
                store.data_mut().register(f);
            }
        }
        Ok(WispSide { dispatch, store, instance })
    }

    fn export(&self, name: &str) -> Extern {
        self.instance.get_export(&self.store, name).expect("export exists")
    }
}

impl Side for WispSide {
    fn name(&self) -> String {
        format!("wisp {:?}", self.dispatch)
    }

    fn exports(&self) -> Vec<(String, Kind)> {
        let mut exports: Vec<_> = self
            .instance
            .exports(&self.store)
            .expect("an instance of this store")
            .into_iter()
            .map(|(n, e)| {
                let kind = match e {
                    Extern::Func(_) => Kind::Func,
                    Extern::Global(_) => Kind::Global,
                    Extern::Memory(_) => Kind::Memory,
                    Extern::Table(_) => Kind::Table,
                    other => panic!("an export kind the generator never makes: {other:?}"),
                };
                (n, kind)
            })
            .collect();
        exports.sort();
        exports
    }

    fn func_type(&self, name: &str) -> (Vec<Ty>, Vec<Ty>) {
        let t = self.export(name).into_func().expect("a function").ty(&self.store).expect("of this store");
        (t.params().iter().map(|&p| ty(p)).collect(), t.results().iter().map(|&r| ty(r)).collect())
    }

    fn call(&mut self, name: &str, args: &[V]) -> Outcome {
        let f = self.export(name).into_func().expect("a function");
        let t = f.ty(&self.store).expect("of this store");
        let args: Vec<Val> = args.iter().map(|&a| to_val(&mut self.store, a)).collect();
        let mut results = vec![Val::I32(0); t.results().len()];
        match f.call(&mut self.store, &args, &mut results) {
            Ok(()) => Outcome::Ok(results.iter().map(|v| val(&self.store, v)).collect()),
            Err(e) => outcome(&e),
        }
    }

    fn global(&self, name: &str) -> V {
        val(&self.store, &self.export(name).into_global().expect("a global").get(&self.store).expect("of this store"))
    }

    fn set_global(&mut self, name: &str, v: V) {
        let g = self.export(name).into_global().expect("a global");
        let v = to_val(&mut self.store, v);
        g.set(&mut self.store, v).expect("settable");
    }

    fn memory(&self, name: &str) -> &[u8] {
        self.export(name).into_memory().expect("a memory").data(&self.store).expect("of this store")
    }

    fn table(&self, name: &str) -> Vec<V> {
        let t = self.export(name).into_table().expect("a table");
        (0..t.size(&self.store).expect("of this store"))
            .map(|i| match t.get(&self.store, i) {
                Some(v) => val(&self.store, &v),
                None => unreachable!("element {i} within the table's size"),
            })
            .collect()
    }

    fn host(&self) -> &HostState {
        &self.store.data().host
    }
}
