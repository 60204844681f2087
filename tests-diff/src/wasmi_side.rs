//! The reference: wasmi with the same limits as wisp.

use crate::{Kind, Outcome, Side, TrapKind, Ty, MEMORY_LIMIT, TABLE_LIMIT, V};
use wasmi::{
    Config, Engine, Extern, Linker, Module, Nullable, Ref, Store, StoreLimits, StoreLimitsBuilder, Val, ValType,
};

pub struct WasmiSide {
    store: Store<StoreLimits>,
    instance: wasmi::Instance,
}

pub struct Compiled {
    engine: Engine,
    module: Module,
}

fn ty(t: ValType) -> Ty {
    match t {
        ValType::I32 => Ty::I32,
        ValType::I64 => Ty::I64,
        ValType::F32 => Ty::F32,
        ValType::F64 => Ty::F64,
        ValType::FuncRef => Ty::FuncRef,
        ValType::ExternRef => Ty::ExternRef,
        ValType::V128 => unreachable!("no SIMD in generated modules"),
    }
}

fn val(v: &Val) -> V {
    match v {
        Val::I32(x) => V::I32(*x),
        Val::I64(x) => V::I64(*x),
        Val::F32(x) => V::F32(x.to_bits()),
        Val::F64(x) => V::F64(x.to_bits()),
        Val::FuncRef(r) => V::FuncRef(r.is_null()),
        Val::ExternRef(r) => V::ExternRef(r.is_null()),
        Val::V128(_) => unreachable!("no SIMD in generated modules"),
    }
}

fn to_val(v: V) -> Val {
    match v {
        V::I32(x) => Val::I32(x),
        V::I64(x) => Val::I64(x),
        V::F32(x) => Val::F32(wasmi::F32::from_bits(x)),
        V::F64(x) => Val::F64(wasmi::F64::from_bits(x)),
        V::FuncRef(_) => Val::FuncRef(Nullable::Null),
        V::ExternRef(_) => Val::ExternRef(Nullable::Null),
    }
}

pub fn outcome(e: &wasmi::Error) -> Outcome {
    use wasmi::TrapCode as T;
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

impl WasmiSide {
    /// Compiles the module; `None` when wasmi rejects it.
    pub fn module(bytes: &[u8]) -> Option<Compiled> {
        let mut config = Config::default();
        config.set_max_recursion_depth(20_000);
        config.set_max_stack_height(64 << 20);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, bytes).ok()?;
        Some(Compiled { engine, module })
    }

    pub fn instantiate(c: &Compiled) -> Result<WasmiSide, Outcome> {
        let limits = StoreLimitsBuilder::new().memory_size(MEMORY_LIMIT).table_elements(TABLE_LIMIT).build();
        let mut store = Store::new(&c.engine, limits);
        store.limiter(|l| l);
        let linker = Linker::new(&c.engine);
        let instance = linker.instantiate_and_start(&mut store, &c.module).map_err(|e| outcome(&e))?;
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
        self.instance
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
            .collect()
    }

    fn func_type(&self, name: &str) -> (Vec<Ty>, Vec<Ty>) {
        let f = self.export(name).into_func().expect("a function");
        let t = f.ty(&self.store);
        (t.params().iter().map(|&p| ty(p)).collect(), t.results().iter().map(|&r| ty(r)).collect())
    }

    fn call(&mut self, name: &str, args: &[V]) -> Outcome {
        let f = self.export(name).into_func().expect("a function");
        let t = f.ty(&self.store);
        let args: Vec<Val> = args.iter().map(|&a| to_val(a)).collect();
        let mut results: Vec<Val> = t.results().iter().map(|&r| Val::default_for_ty(r)).collect();
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
            .map(|i| match t.get(&self.store, i).expect("in bounds") {
                Ref::Func(f) => f.is_null(),
                Ref::Extern(e) => e.is_null(),
            })
            .collect()
    }
}
