//! The wisp engine as the runner's execution [`Backend`].

use crate::backend::{Backend, BackendError, Value};
use std::collections::HashMap;
use wisp::{
    Config, Engine, Error, ExternRef, Func, Global, GlobalType, Instance, Limits, Linker, Memory, MemoryType, Module,
    RefType, Store, Table, TableType, TrapCode, Val, ValType,
};

/// Runs scripts on wisp. The `spectest` module is defined once per script, as the reference
/// interpreter does.
pub struct WispBackend {
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    named: HashMap<String, Instance>,
    current: Option<Instance>,
    /// The current module, and the named ones, that wisp refused as using a feature it does
    /// not execute yet: what they are asked is skipped, not run on another instance.
    refused_current: bool,
    refused: std::collections::HashSet<String>,
    /// The trap of the last call that trapped, whole (the runner sees only its message).
    last_trap: Option<wisp::Trap>,
}

impl WispBackend {
    pub fn new(features: wisp::Features) -> Self {
        let mut config = Config::new();
        config.features(features);
        Self::with_config(&config)
    }

    /// Runs scripts with fuel metering and interruption checks compiled in (and fuel to spare),
    /// to show the instrumentation changes no result.
    pub fn instrumented(features: wisp::Features) -> Self {
        Self::variant(features, wisp::Dispatch::default(), true)
    }

    /// Runs scripts on dispatch backend `dispatch`, `instrumented` or not (see `instrumented`).
    pub fn variant(features: wisp::Features, dispatch: wisp::Dispatch, instrumented: bool) -> Self {
        let mut config = Config::new();
        config.features(features).dispatch(dispatch).consume_fuel(instrumented).interruptible(instrumented);
        let mut backend = Self::with_config(&config);
        if instrumented {
            backend.store.set_fuel(u64::MAX / 2).expect("fuel is enabled");
        }
        backend
    }

    pub fn with_config(config: &Config) -> Self {
        let engine = Engine::new(config);
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        linker.allow_shadowing(true);
        define_spectest(&mut store, &mut linker).expect("the spectest module defines cleanly");
        WispBackend {
            engine,
            store,
            linker,
            named: HashMap::new(),
            current: None,
            refused_current: false,
            refused: Default::default(),
            last_trap: None,
        }
    }

    /// The trap of the last call that trapped, once.
    pub fn take_last_trap(&mut self) -> Option<wisp::Trap> {
        self.last_trap.take()
    }

    fn instance(&self, name: Option<&str>) -> Result<Instance, BackendError> {
        match name {
            Some(n) if self.refused.contains(n) => Err(BackendError::Unsupported),
            None if self.refused_current => Err(BackendError::Unsupported),
            Some(n) => self.named.get(n).copied().ok_or_else(|| BackendError::Other(format!("no instance named ${n}"))),
            None => self.current.ok_or_else(|| BackendError::Other("no current instance".into())),
        }
    }

    fn to_val(&mut self, v: &Value) -> Result<Val, BackendError> {
        Ok(match *v {
            Value::I32(x) => Val::I32(x),
            Value::I64(x) => Val::I64(x),
            Value::F32(b) => Val::F32(b),
            Value::F64(b) => Val::F64(b),
            Value::FuncRef(None) => Val::FuncRef(None),
            Value::ExternRef(None) => Val::ExternRef(None),
            Value::ExternRef(Some(n)) => Val::ExternRef(Some(ExternRef::new(&mut self.store, n))),
            Value::V128(b) => Val::V128(b),
            Value::ExnNull => Val::ExnRef(None),
            Value::AnyNull => Val::AnyRef(None),
            Value::FuncRef(Some(_)) => return Err(BackendError::Unsupported),
        })
    }

    fn from_val(&self, v: Val) -> Result<Value, BackendError> {
        Ok(match v {
            Val::I32(x) => Value::I32(x),
            Val::I64(x) => Value::I64(x),
            Val::F32(b) => Value::F32(b),
            Val::F64(b) => Value::F64(b),
            Val::FuncRef(f) => Value::FuncRef(f.map(|_| 0)),
            Val::ExternRef(None) => Value::ExternRef(None),
            Val::ExternRef(Some(e)) => {
                let n = e.data(&self.store).and_then(|d| d.downcast_ref::<u32>()).copied();
                Value::ExternRef(Some(n.unwrap_or(u32::MAX)))
            }
            Val::V128(b) => Value::V128(b),
            Val::ExnRef(None) => Value::ExnNull,
            Val::AnyRef(None) => Value::AnyNull,
            // A value kind newer than this runner.
            _ => return Err(BackendError::Unsupported),
        })
    }
}

fn backend_error(e: Error) -> BackendError {
    match e {
        Error::Link(m) => BackendError::Link(m),
        Error::Trap(t) if t.code() == TrapCode::StackOverflow => BackendError::Exhausted(t.to_string()),
        Error::Trap(t) => BackendError::Trap(t.code().message().to_string()),
        Error::Instantiate(m) => BackendError::Trap(m),
        Error::Exception(e) => BackendError::Exception(e.to_string()),
        other => BackendError::Other(other.to_string()),
    }
}

fn define_spectest(store: &mut Store<()>, linker: &mut Linker<()>) -> wisp::Result<()> {
    linker.func_wrap("spectest", "print", || {})?;
    linker.func_wrap("spectest", "print_i32", |_: i32| {})?;
    linker.func_wrap("spectest", "print_i64", |_: i64| {})?;
    linker.func_wrap("spectest", "print_f32", |_: f32| {})?;
    linker.func_wrap("spectest", "print_f64", |_: f64| {})?;
    linker.func_wrap("spectest", "print_i32_f32", |_: i32, _: f32| {})?;
    linker.func_wrap("spectest", "print_f64_f64", |_: f64, _: f64| {})?;
    let mut g = |content, v| Global::new(&mut *store, GlobalType { content, mutable: false }, v);
    let gi32 = g(ValType::I32, Val::I32(666))?;
    let gi64 = g(ValType::I64, Val::I64(666))?;
    let gf32 = g(ValType::F32, Val::from(666.6f32))?;
    let gf64 = g(ValType::F64, Val::from(666.6f64))?;
    linker.define("spectest", "global_i32", gi32)?;
    linker.define("spectest", "global_i64", gi64)?;
    linker.define("spectest", "global_f32", gf32)?;
    linker.define("spectest", "global_f64", gf64)?;
    let table = Table::new(
        &mut *store,
        TableType { element: RefType::FuncRef, limits: Limits { min: 10, max: Some(20) }, table64: false },
        Val::FuncRef(None),
    )?;
    linker.define("spectest", "table", table)?;
    let memory = Memory::new(
        &mut *store,
        MemoryType { limits: Limits { min: 1, max: Some(2) }, memory64: false, shared: false, page_size_log2: None },
    )?;
    linker.define("spectest", "memory", memory)?;
    Ok(())
}

impl Backend for WispBackend {
    fn instantiate(&mut self, bytes: &[u8], name: Option<&str>) -> Result<(), BackendError> {
        let module = match Module::new(&self.engine, bytes) {
            Ok(m) => m,
            Err(Error::Unsupported(_)) => {
                self.refused_current = true;
                if let Some(n) = name {
                    self.refused.insert(n.to_string());
                }
                return Err(BackendError::Unsupported);
            }
            Err(e) => return Err(BackendError::Other(format!("compile: {e}"))),
        };
        let instance = self.linker.instantiate(&mut self.store, &module).map_err(backend_error)?;
        self.current = Some(instance);
        self.refused_current = false;
        if let Some(n) = name {
            self.named.insert(n.to_string(), instance);
            self.refused.remove(n);
        }
        Ok(())
    }

    fn register(&mut self, as_name: &str, instance: Option<&str>) -> Result<(), BackendError> {
        let inst = self.instance(instance)?;
        self.linker.instance(&self.store, as_name, inst).map_err(backend_error)?;
        Ok(())
    }

    fn invoke(&mut self, instance: Option<&str>, func: &str, args: &[Value]) -> Result<Vec<Value>, BackendError> {
        let inst = self.instance(instance)?;
        let f: Func = inst
            .get_func(&self.store, func)
            .ok_or_else(|| BackendError::Other(format!("no exported function {func}")))?;
        let params = args.iter().map(|a| self.to_val(a)).collect::<Result<Vec<_>, _>>()?;
        let ty = f.ty(&self.store).map_err(backend_error)?;
        let mut results: Vec<Val> = ty.results().iter().map(|&t| Val::default_for(t)).collect();
        f.call(&mut self.store, &params, &mut results).map_err(|e| {
            if let Error::Trap(t) = &e {
                self.last_trap = Some(t.clone());
            }
            backend_error(e)
        })?;
        results.into_iter().map(|v| self.from_val(v)).collect()
    }

    fn get(&mut self, instance: Option<&str>, global: &str) -> Result<Value, BackendError> {
        let inst = self.instance(instance)?;
        let g = inst
            .get_global(&self.store, global)
            .ok_or_else(|| BackendError::Other(format!("no exported global {global}")))?;
        self.from_val(g.get(&self.store).map_err(backend_error)?)
    }
}
