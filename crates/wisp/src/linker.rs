//! `Linker<T>`: names host functions and instances, and resolves a module's imports by name.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::func::{new_host_func_of_type, Caller, Func, HostFunc, IntoFunc};
use crate::instance::{instantiate, Extern, Instance};
use crate::module::Module;
use crate::store::{AsContext, AsContextMut};
use crate::value::Val;
use std::collections::HashMap;
use std::sync::Arc;
use wisp_decoder::FuncType;

enum Definition<T> {
    Extern(Extern),
    /// Created in a store the first time a module in that store imports it; with the
    /// engine's id of its type, interned when it is defined.
    Host(HostFunc<T>, u32),
}

/// One module name's definitions, by name.
type Names<T> = HashMap<String, Definition<T>>;

impl<T> Clone for Definition<T> {
    fn clone(&self) -> Self {
        match self {
            Definition::Extern(e) => Definition::Extern(*e),
            Definition::Host(h, id) => Definition::Host(h.clone(), *id),
        }
    }
}

/// Resolves imports by (module, name).
///
/// Host functions are defined once in a linker and created in each store the first time a module
/// there imports them; instances can be named too, so that later modules import their exports.
///
/// ```
/// let engine = wisp::Engine::default();
/// let mut linker = wisp::Linker::<Vec<String>>::new(&engine);
/// linker.func_wrap("env", "log", |mut caller: wisp::Caller<'_, Vec<String>>, n: i32| {
///     caller.data_mut().push(format!("log {n}"));
/// })?;
/// let lib = wisp::Module::new(&engine, r#"(module (import "env" "log" (func $log (param i32)))
///     (func (export "twice") (param i32) (call $log (local.get 0)) (call $log (local.get 0))))"#)?;
/// let app = wisp::Module::new(&engine, r#"(module (import "lib" "twice" (func $twice (param i32)))
///     (func (export "main") (call $twice (i32.const 7))))"#)?;
/// let mut store = wisp::Store::new(&engine, Vec::new());
/// let lib_instance = linker.instantiate(&mut store, &lib)?;
/// linker.instance(&store, "lib", lib_instance)?;
/// let app_instance = linker.instantiate(&mut store, &app)?;
/// app_instance.get_typed_func::<(), ()>(&store, "main")?.call(&mut store, ())?;
/// assert_eq!(store.data(), &["log 7", "log 7"]);
/// // A missing import is an error that names it.
/// let err = wisp::Linker::<Vec<String>>::new(&engine).instantiate(&mut store, &app).unwrap_err();
/// assert!(err.to_string().contains("twice"), "{err}");
/// # Ok::<(), wisp::Error>(())
/// ```
pub struct Linker<T> {
    engine: Engine,
    /// By module name, then by name: looked up with the import's two `&str`s, where a pair
    /// of `String`s as the key cost two allocations per import of every instantiation.
    defs: HashMap<String, Names<T>>,
    allow_shadowing: bool,
}

impl<T> Clone for Linker<T> {
    fn clone(&self) -> Self {
        Linker { engine: self.engine.clone(), defs: self.defs.clone(), allow_shadowing: self.allow_shadowing }
    }
}

impl<T> Linker<T> {
    /// An empty linker for modules of `engine`.
    pub fn new(engine: &Engine) -> Self {
        Linker { engine: engine.clone(), defs: HashMap::new(), allow_shadowing: false }
    }

    /// The engine the linker serves.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether a later definition may replace an earlier one of the same name.
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        self.allow_shadowing = allow;
        self
    }

    fn insert(&mut self, module: &str, name: &str, def: Definition<T>) -> Result<&mut Self> {
        if !self.allow_shadowing && self.lookup(module, name).is_some() {
            return Err(Error::Link(format!("`{module}`.`{name}` is already defined")));
        }
        self.defs.entry(module.to_string()).or_default().insert(name.to_string(), def);
        Ok(self)
    }

    fn lookup(&self, module: &str, name: &str) -> Option<&Definition<T>> {
        self.defs.get(module)?.get(name)
    }

    /// Defines `module`.`name` as an object of a store.
    pub fn define(&mut self, module: &str, name: &str, item: impl Into<Extern>) -> Result<&mut Self> {
        self.insert(module, name, Definition::Extern(item.into()))
    }

    /// Defines a host function from a typed Rust closure.
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Result<&mut Self> {
        self.host(module, name, f.into_func())
    }

    /// Defines a host function over `Val`s.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Result<&mut Self> {
        self.host(module, name, HostFunc::from_vals(ty, f))
    }

    fn host(&mut self, module: &str, name: &str, f: HostFunc<T>) -> Result<&mut Self> {
        let type_id = self.engine.intern_type(&f.ty);
        self.insert(module, name, Definition::Host(f, type_id))
    }

    /// Defines every export of `instance` under the module name `module`.
    pub fn instance(&mut self, store: impl AsContext<Data = T>, module: &str, instance: Instance) -> Result<&mut Self> {
        for (name, ext) in instance.exports(&store)? {
            self.define(module, &name, ext)?;
        }
        Ok(self)
    }

    /// The definition of `module`.`name`, created in `store` if it is a host function.
    pub fn get(&self, mut store: impl AsContextMut<Data = T>, module: &str, name: &str) -> Option<Extern> {
        let def = self.lookup(module, name)?;
        Some(self.materialize(store.as_context_mut(), def))
    }

    fn materialize(&self, store: &mut crate::Store<T>, def: &Definition<T>) -> Extern {
        match def {
            Definition::Extern(e) => *e,
            Definition::Host(h, type_id) => {
                let key = Arc::as_ptr(&h.call) as *const () as usize;
                if let Some(&f) = store.host_cache.get(&key) {
                    return Extern::Func(Func(store.inner.stored(f)));
                }
                let f = new_host_func_of_type(store, h, *type_id);
                store.host_cache.insert(key, f.0.index);
                Extern::Func(f)
            }
        }
    }

    /// Resolves `module`'s imports by name and instantiates it (running its start function).
    pub fn instantiate(&self, mut store: impl AsContextMut<Data = T>, module: &Module) -> Result<Instance> {
        let store = store.as_context_mut();
        let imports = self.resolve_imports(store, module)?;
        instantiate(store, module, &imports)
    }

    /// `module`'s imports, in its import order, from this linker's definitions.
    pub(crate) fn resolve_imports(&self, store: &mut crate::Store<T>, module: &Module) -> Result<Vec<Extern>> {
        let mut imports = Vec::with_capacity(module.inner.imports.len());
        store.inner.funcs.reserve(module.inner.funcs.len());
        // Imports come grouped by module (all of WASI's together): its map is looked up once
        // per run of them.
        let mut last: Option<(&str, Option<&Names<T>>)> = None;
        for imp in &module.inner.imports {
            let names = match last {
                Some((m, names)) if m == imp.module => names,
                _ => self.defs.get(&imp.module),
            };
            last = Some((&imp.module, names));
            let def = names.and_then(|n| n.get(&imp.name)).ok_or_else(|| {
                Error::Link(format!(
                    "unknown import: `{}`.`{}` ({}) has not been defined",
                    imp.module, imp.name, imp.ty
                ))
            })?;
            imports.push(self.materialize(store, def));
        }
        Ok(imports)
    }
}
