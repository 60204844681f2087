//! wisp, with one dispatch backend, under the same limits as wasmi.

use crate::{Kind, Outcome, Side, TrapKind, Ty, MEMORY_LIMIT, TABLE_LIMIT, V};
use wisp::{
    Config, Dispatch, Engine, Error, Extern, Linker, Module, Store, StoreLimits, StoreLimitsBuilder, TrapCode, Val,
    ValType,
};

pub struct WispSide {
    dispatch: Dispatch,
    store: Store<StoreLimits>,
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
        other => unreachable!("no {other:?} in generated modules"),
    }
}

fn val(v: &Val) -> V {
    match *v {
        Val::I32(x) => V::I32(x),
        Val::I64(x) => V::I64(x),
        Val::F32(x) => V::F32(x),
        Val::F64(x) => V::F64(x),
        Val::FuncRef(r) => V::FuncRef(r.is_none()),
        Val::ExternRef(r) => V::ExternRef(r.is_none()),
    }
}

fn to_val(v: V) -> Val {
    match v {
        V::I32(x) => Val::I32(x),
        V::I64(x) => Val::I64(x),
        V::F32(x) => Val::F32(x),
        V::F64(x) => Val::F64(x),
        V::FuncRef(_) => Val::FuncRef(None),
        V::ExternRef(_) => Val::ExternRef(None),
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
        other => Outcome::Error(other.to_string()),
    }
}

impl WispSide {
    pub fn instantiate(bytes: &[u8], dispatch: Dispatch) -> Result<WispSide, Outcome> {
        let mut config = Config::new();
        config.dispatch(dispatch);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, bytes).map_err(|e| outcome(&e))?;
        let limits = StoreLimitsBuilder::new().memory_size(MEMORY_LIMIT).table_elements(TABLE_LIMIT).build();
        let mut store = Store::new(&engine, limits);
        store.limiter(|l| l);
        let instance = Linker::new(&engine).instantiate(&mut store, &module).map_err(|e| outcome(&e))?;
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
        self.instance
            .exports(&self.store)
            .into_iter()
            .map(|(n, e)| {
                let kind = match e {
                    Extern::Func(_) => Kind::Func,
                    Extern::Global(_) => Kind::Global,
                    Extern::Memory(_) => Kind::Memory,
                    Extern::Table(_) => Kind::Table,
                };
                (n, kind)
            })
            .collect()
    }

    fn func_type(&self, name: &str) -> (Vec<Ty>, Vec<Ty>) {
        let t = self.export(name).into_func().expect("a function").ty(&self.store);
        (t.params().iter().map(|&p| ty(p)).collect(), t.results().iter().map(|&r| ty(r)).collect())
    }

    fn call(&mut self, name: &str, args: &[V]) -> Outcome {
        let f = self.export(name).into_func().expect("a function");
        let t = f.ty(&self.store);
        let args: Vec<Val> = args.iter().map(|&a| to_val(a)).collect();
        let mut results = vec![Val::I32(0); t.results().len()];
        match f.call(&mut self.store, &args, &mut results) {
            Ok(()) => Outcome::Ok(results.iter().map(val).collect()),
            Err(e) => outcome(&e),
        }
    }

    fn global(&self, name: &str) -> V {
        val(&self.export(name).into_global().expect("a global").get(&self.store))
    }

    fn set_global(&mut self, name: &str, v: V) {
        let g = self.export(name).into_global().expect("a global");
        g.set(&mut self.store, to_val(v)).expect("settable");
    }

    fn memory(&self, name: &str) -> &[u8] {
        self.export(name).into_memory().expect("a memory").data(&self.store)
    }

    fn table(&self, name: &str) -> Vec<bool> {
        let t = self.export(name).into_table().expect("a table");
        (0..t.size(&self.store))
            .map(|i| matches!(t.get(&self.store, i), Some(Val::FuncRef(None) | Val::ExternRef(None))))
            .collect()
    }
}
