//! Functions: Wasm and host functions, dynamic and typed calls, and the `Caller` a host
//! function receives.

use crate::error::{Error, Result};
use crate::exec::{self, Exit, GrowKind};
use crate::instance::{Extern, Instance};
use crate::store::{AsContext, AsContextMut, FuncEntity, FuncKind, Store, Stored};
use crate::translate::slots_of;
use crate::value::Val;
use std::marker::PhantomData;
use std::sync::Arc;
use wisp_decoder::{FuncType, ValType};
use wisp_validator::TypeDefs;

/// A host function's trampoline: its parameters are the slots of the caller's value stack from
/// the given index on, and it writes its results there, from the same index (the stack holds
/// room for both). It reads the parameters before it runs the function and writes the results
/// after, through the `Caller`'s store: a call back into Wasm in between uses the stack above
/// the parameters and may move it (2026-12-07: copying the slots into a buffer and back was a
/// tenth of the instructions of a Go call to the host).
pub(crate) type HostFn<T> = dyn Fn(Caller<'_, T>, usize) -> Result<()> + Send + Sync;

/// A host function: its type and a trampoline over raw slots (parameters in, results out).
#[doc(hidden)]
pub struct HostFunc<T> {
    pub(crate) ty: FuncType,
    pub(crate) call: Arc<HostFn<T>>,
}

impl<T> Clone for HostFunc<T> {
    fn clone(&self) -> Self {
        HostFunc { ty: self.ty.clone(), call: self.call.clone() }
    }
}

impl<T> HostFunc<T> {
    /// A host function over `Val`s, for `Func::new` and `Linker::func_new`.
    pub fn from_vals(
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Self {
        let fty = ty.clone();
        let call = move |mut caller: Caller<'_, T>, base: usize| -> Result<()> {
            let inner = &caller.store.inner;
            let slots = &inner.stack.slots[base..];
            let mut at = 0;
            let params: Vec<Val> = fty.params().iter().map(|&t| Val::take(slots, &mut at, t, inner)).collect();
            // Nulls of the results' hierarchies (a concrete type's is the store's to tell).
            let mut results: Vec<Val> = fty.results().iter().map(|&t| Val::from_slot(0, t, inner)).collect();
            f(caller.reborrow(), &params, &mut results)?;
            let inner = &caller.store.inner;
            // The slots are written after the checks, from a buffer: `put` reads the store.
            let n = slots_of(fty.results()) as usize;
            let (mut small, mut big) = ([0u64; SMALL_CALL], Vec::new());
            let out: &mut [u64] = if n <= SMALL_CALL {
                &mut small[..n]
            } else {
                big.resize(n, 0);
                &mut big
            };
            let mut at = 0;
            for (r, &t) in results.iter().zip(fty.results()) {
                if !r.matches(t, inner) {
                    return Err(Error::Signature(format!(
                        "host function returned {} where {} was expected",
                        r.ty(),
                        t
                    )));
                }
                r.put(inner, out, &mut at)?;
            }
            caller.store.inner.stack.slots[base..base + n].copy_from_slice(out);
            Ok(())
        };
        HostFunc { ty, call: Arc::new(call) }
    }
}

/// What a host function sees of its caller: the store (and its data) and the calling
/// instance's exports.
///
/// ```
/// let engine = wisp::Engine::default();
/// let mut linker = wisp::Linker::<String>::new(&engine);
/// // print(ptr, len): the host reads the caller's memory and keeps the text in the store's data.
/// linker.func_wrap("env", "print", |mut caller: wisp::Caller<'_, String>, ptr: u32, len: u32| -> wisp::Result<()> {
///     let memory = caller.get_export("memory").and_then(wisp::Extern::into_memory).unwrap();
///     let text = memory.read_string(&caller, ptr, len)?;
///     caller.data_mut().push_str(&text);
///     Ok(())
/// })?;
/// let module = wisp::Module::new(&engine, r#"(module (import "env" "print" (func $print (param i32 i32)))
///     (memory (export "memory") 1) (data (i32.const 8) "hi!")
///     (func (export "run") (call $print (i32.const 8) (i32.const 3))))"#)?;
/// let mut store = wisp::Store::new(&engine, String::new());
/// let instance = linker.instantiate(&mut store, &module)?;
/// instance.get_typed_func::<(), ()>(&store, "run")?.call(&mut store, ())?;
/// assert_eq!(store.data(), "hi!");
/// # Ok::<(), wisp::Error>(())
/// ```
pub struct Caller<'a, T> {
    pub(crate) store: &'a mut Store<T>,
    /// The calling instance's index in the store, or [`NO_INSTANCE`] when the host is the
    /// caller. A plain index keeps `Caller` two words, passed in registers: passed as a pointer
    /// to a struct written field by field, its wider reads waited for those stores to retire
    /// (2026-12-07: 13% of the wall time of a Go call to the host).
    pub(crate) instance: u32,
}

/// `Caller::instance` of a call from the host.
pub(crate) const NO_INSTANCE: u32 = u32::MAX;

impl<'a, T> Caller<'a, T> {
    /// The store's data.
    pub fn data(&self) -> &T {
        self.store.data()
    }

    /// The store's data, to change.
    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut()
    }

    /// The store's engine.
    pub fn engine(&self) -> &crate::Engine {
        self.store.engine()
    }

    /// An export of the calling instance (e.g. its `memory`).
    #[inline]
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        if self.instance == NO_INSTANCE {
            return None;
        }
        let inner = &self.store.inner;
        if name == "memory" {
            // Found at instantiation (2026-12-05: the lookup was a twelfth of a Go host call);
            // inline, so the `Extern` stays in registers (2026-12-07).
            if let Some(m) = inner.instances[self.instance as usize].memory_export {
                return Some(Extern::Memory(crate::Memory(inner.stored(m))));
            }
        }
        self.named_export(name)
    }

    #[inline(never)]
    fn named_export(&self, name: &str) -> Option<Extern> {
        self.instance()?.get_export(&*self.store, name)
    }

    /// The calling instance, when the caller is Wasm.
    pub fn instance(&self) -> Option<Instance> {
        (self.instance != NO_INSTANCE).then(|| Instance(self.store.inner.stored(self.instance)))
    }

    fn reborrow(&mut self) -> Caller<'_, T> {
        Caller { store: self.store, instance: self.instance }
    }
}

impl<T> AsContext for Caller<'_, T> {
    type Data = T;
    fn as_context(&self) -> &Store<T> {
        self.store
    }
}

impl<T> AsContextMut for Caller<'_, T> {
    fn as_context_mut(&mut self) -> &mut Store<T> {
        self.store
    }
}

/// A function in a store: Wasm or host.
///
/// Two `Func`s are equal exactly when they are the same function of the same store, however
/// they were obtained (an export, a table element, a `funcref` result or global, the handle a
/// host function was created with): the identity `ref.func` gives and a table keeps. Functions
/// of different stores are never equal.
///
/// ```
/// let engine = wisp::Engine::default();
/// let mut store = wisp::Store::new(&engine, ());
/// let double = wisp::Func::wrap(&mut store, |x: i32| x * 2);
/// let ty = double.ty(&store)?;
/// assert_eq!((ty.params(), ty.results()), (&[wisp::ValType::I32][..], &[wisp::ValType::I32][..]));
/// let mut out = [wisp::Val::I32(0)];
/// double.call(&mut store, &[wisp::Val::I32(21)], &mut out)?;
/// assert_eq!(out[0], wisp::Val::I32(42));
/// assert_eq!(double.typed::<i32, i32>(&store)?.call(&mut store, 5)?, 10);
/// assert!(double.typed::<i64, i32>(&store).is_err()); // the signature is checked
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Func(pub(crate) Stored);

pub(crate) fn new_host_func<T>(store: &mut Store<T>, host: HostFunc<T>) -> Func {
    let type_id = store.inner.engine.intern_type(&host.ty);
    new_host_func_of_type(store, &host, type_id)
}

/// [`new_host_func`] for a function whose type the engine gave id `type_id` already: a
/// linker's definitions are interned once, not in every store that imports them (the
/// registry's lock and a hash of the type, per import of each instantiation).
pub(crate) fn new_host_func_of_type<T>(store: &mut Store<T>, host: &HostFunc<T>, type_id: u32) -> Func {
    let (params, results) = (slots_of(host.ty.params()), slots_of(host.ty.results()));
    // Copies the list only while a running host function holds a snapshot of it.
    store.host_snapshot = None;
    Arc::make_mut(&mut store.hosts).push(host.call.clone());
    let index = store.hosts.len() as u32 - 1;
    let func = store.inner.push_func(FuncEntity { type_id, kind: FuncKind::Host { index, params, results } });
    Func(store.inner.stored(func))
}

impl Func {
    /// A host function taking and returning `Val`s.
    pub fn new<T>(
        mut store: impl AsContextMut<Data = T>,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Func {
        new_host_func(store.as_context_mut(), HostFunc::from_vals(ty, f))
    }

    /// A host function from a Rust closure with typed parameters and results.
    pub fn wrap<T, Params, Results>(
        mut store: impl AsContextMut<Data = T>,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Func {
        new_host_func(store.as_context_mut(), f.into_func())
    }

    /// The function's type; [`Error::WrongStore`] for another store's function.
    pub fn ty(&self, store: impl AsContext) -> Result<FuncType> {
        let s = store.as_context();
        let i = s.inner.check(self.0)?;
        Ok(s.inner.func_type(i).clone())
    }

    /// Calls the function with `params`, writing `results`. Counts and types are checked.
    ///
    /// Takes no lock and allocates nothing for up to 16 parameters and results: the signature
    /// is the store's copy of the engine's type, and the slots live on the stack.
    pub fn call<T>(&self, mut store: impl AsContextMut<Data = T>, params: &[Val], results: &mut [Val]) -> Result<()> {
        let store = store.as_context_mut();
        let idx = store.inner.check(self.0)?;
        let ty = store.inner.func_type(idx);
        if params.len() != ty.params().len() || results.len() != ty.results().len() {
            return Err(arity_error(ty, params.len(), results.len()));
        }
        let (np, nr) = (slots_of(ty.params()) as usize, slots_of(ty.results()) as usize);
        let n = np.max(nr);
        // Zeroed on every call: the few slots most signatures take, else up to `SMALL_CALL`.
        let mut tiny = [0u64; 4];
        let mut small;
        let mut big = Vec::new();
        let buf: &mut [u64] = if n <= tiny.len() {
            &mut tiny[..n]
        } else if n <= SMALL_CALL {
            small = [0u64; SMALL_CALL];
            &mut small[..n]
        } else {
            big.resize(n, 0);
            &mut big
        };
        let mut at = 0;
        for (i, (p, &t)) in params.iter().zip(ty.params()).enumerate() {
            // Numbers, the common case, are checked and written in one match.
            let slot = match (*p, t) {
                (Val::I32(v), ValType::I32) => v as u32 as u64,
                (Val::I64(v), ValType::I64) => v as u64,
                (Val::F32(v), ValType::F32) => v as u64,
                (Val::F64(v), ValType::F64) => v,
                _ => {
                    if !p.matches(t, &store.inner) {
                        return Err(argument_error(ty, i, p.ty(), t));
                    }
                    p.put(&store.inner, buf, &mut at)?;
                    continue;
                }
            };
            buf[at] = slot;
            at += 1;
        }
        call_raw(store, idx, buf, np, nr)?;
        let inner = &store.inner;
        let mut at = 0;
        for (r, &t) in results.iter_mut().zip(inner.func_type(idx).results()) {
            *r = Val::take(buf, &mut at, t, inner);
        }
        Ok(())
    }

    /// A typed view of the function; its signature is checked once here.
    pub fn typed<Params: WasmParams, Results: WasmResults>(
        &self,
        store: impl AsContext,
    ) -> Result<TypedFunc<Params, Results>> {
        let ty = self.ty(&store)?;
        let (p, r) = (Params::types(), Results::types());
        let inner = &store.as_context().inner;
        // A parameter's Rust type must be a subtype of the Wasm one, a result's a supertype.
        let fits =
            |a: &[ValType], b: &[ValType]| a.len() == b.len() && a.iter().zip(b).all(|(&a, &b)| inner.val_sub(a, b));
        if !fits(&p, ty.params()) || !fits(ty.results(), &r) {
            return Err(Error::Signature(format!(
                "function has type {ty}, not {}",
                FuncType::new(p.iter().copied(), r.iter().copied())
            )));
        }
        Ok(TypedFunc { func: *self, _marker: PhantomData })
    }
}

/// Most values a dynamic call passes in or out without a heap buffer.
const SMALL_CALL: usize = 16;

/// Slots of the small buffer of a typed call (at most 24, twelve `v128`s, otherwise).
const SMALL_TYPED: usize = 4;

#[cold]
#[inline(never)]
fn arity_error(ty: &FuncType, params: usize, results: usize) -> Error {
    Error::Signature(format!("function {ty} called with {params} arguments and {results} result slots"))
}

#[cold]
#[inline(never)]
fn argument_error(ty: &FuncType, i: usize, got: ValType, want: ValType) -> Error {
    Error::Signature(format!("argument {i} is {got} but the function {ty} expects {want}"))
}

/// Calls store function `func` with parameters in `buf[..np]`; results land in `buf[..nr]`.
pub(crate) fn call_raw<T>(store: &mut Store<T>, func: u32, buf: &mut [u64], np: usize, nr: usize) -> Result<()> {
    // An outermost call gets its own interruption generation and deadline (`interrupt.rs`).
    store.guarded_call(|store| run_hooked(store, func, buf, np, nr))
}

/// [`run_call`], with the hook of a call this one is nested in (a host function calling back
/// into Wasm) put back after: it holds a pointer to the store that this call's borrow outlives.
#[inline]
fn run_hooked<T>(store: &mut Store<T>, func: u32, buf: &mut [u64], np: usize, nr: usize) -> Result<()> {
    let outer = store.inner.host_hook;
    let result = run_call(store, func, buf, np, nr);
    store.inner.host_hook = outer;
    result
}

/// Runs host function `hf` (a store function index) for a Wasm caller of instance
/// `caller_instance`: its arguments are the top slots below `stack.sp`, which it replaces with
/// its results.
fn host_call<T>(store: &mut Store<T>, hf: u32, caller_instance: u32) -> Result<()> {
    let FuncKind::Host { index, params: hp, results: hr } = store.inner.funcs[hf as usize].kind else {
        unreachable!("the loop calls out only for host functions")
    };
    // The host functions as of some earlier host call, taken out of the store while the store
    // is lent to the function as `Caller`: one reference count for many host calls, not one per
    // call (2026-12-05: the count's two atomic operations were a tenth of a Go-to-host call).
    // The list only grows, so a snapshot's entries stay right; a function added since is
    // found by taking a new one.
    let hosts = match store.host_snapshot.take() {
        Some(h) if (index as usize) < h.len() => h,
        _ => store.hosts.clone(),
    };
    let host = &hosts[index as usize];
    let (hp, hr) = (hp as usize, hr as usize);
    let args = store.inner.stack.sp - hp;
    // The calling frame's height counts the results as well as the parameters.
    debug_assert!(args + hp.max(hr) <= store.inner.stack.slots.len());
    let result = host(Caller { store: &mut *store, instance: caller_instance }, args);
    if store.host_snapshot.is_none() {
        store.host_snapshot = Some(hosts);
    }
    result?;
    store.inner.stack.sp = args + hr;
    Ok(())
}

/// [`host_call`] for the loop (`exec::HostHook`): false when the host function failed, its
/// error left in the store.
///
/// # Safety
///
/// `store` is a `*mut Store<T>` to a live store that nothing else borrows.
unsafe fn call_host<T>(store: *mut (), hf: u32, caller_instance: u32) -> bool {
    // SAFETY: the precondition.
    let store = unsafe { &mut *store.cast::<Store<T>>() };
    match host_call(store, hf, caller_instance) {
        Ok(()) => true,
        Err(e) => {
            store.inner.host_error = Some(e);
            false
        }
    }
}

/// A host function called from the frame `resume` continues failed with `e`: an exception of
/// this store is thrown at the call (host frames do not stop exceptions), and the frame of its
/// handler returned; any other error, or an exception no frame catches, is returned.
fn rethrow<T>(store: &mut Store<T>, e: Error, resume: exec::Frame, base_depth: usize) -> Result<exec::Frame> {
    let Error::Exception(x) = &e else { return Err(e) };
    let Some(exn) = x.index_in(&store.inner) else { return Err(e) };
    exec::catch(&mut store.inner, exn, resume, base_depth).ok_or(e)
}

fn run_call<T>(store: &mut Store<T>, func: u32, buf: &mut [u64], np: usize, nr: usize) -> Result<()> {
    let kind = store.inner.funcs[func as usize].kind;
    if let FuncKind::Wasm { instance, .. } = kind {
        if let Some(why) = &store.inner.instances[instance as usize].dead {
            return Err(Error::Dead(why.clone()));
        }
    }
    // The parameters go on the value stack: a Wasm callee's frame starts there, and a host
    // function's trampoline reads them there, as from a Wasm caller.
    let inner = &mut store.inner;
    let base_sp = inner.stack.sp;
    let base_depth = inner.stack.frames.len();
    if !inner.stack.reserve(base_sp + np.max(nr)) {
        return Err(crate::Trap::new(crate::TrapCode::StackOverflow).into());
    }
    for (i, &v) in buf[..np].iter().enumerate() {
        inner.stack.set_slot(base_sp + i, v);
    }
    inner.stack.sp = base_sp + np;
    let (instance, def_index) = match kind {
        FuncKind::Host { index, .. } => {
            let host = store.hosts[index as usize].clone();
            let result = host(Caller { store: &mut *store, instance: NO_INSTANCE }, base_sp);
            if result.is_ok() {
                buf[..nr].copy_from_slice(&store.inner.stack.slots[base_sp..base_sp + nr]);
            }
            store.inner.stack.sp = base_sp;
            return result;
        }
        FuncKind::Wasm { instance, def_index } => (instance, def_index),
    };
    let unwind = |s: &mut Store<T>| {
        s.inner.stack.sp = base_sp;
        s.inner.stack.frames.truncate(base_depth);
    };
    let mut frame = match exec::enter(&mut store.inner, instance, def_index) {
        Ok(f) => f,
        Err(t) => {
            unwind(store);
            return Err(t.into());
        }
    };
    loop {
        // The threaded loop runs host functions in place, through this pointer; derived anew
        // for each run, after the last use of `store` before it.
        let raw: *mut Store<T> = &mut *store;
        let call = call_host::<T>;
        // SAFETY: `raw` is the store, borrowed by nothing else while the loop runs but through
        // the hook (and the loop's own pointer, derived from the same one); `call_raw` puts the
        // hook of an enclosing call back when this one ends.
        let exit = unsafe {
            (*raw).inner.host_hook = Some(exec::HostHook { store: raw.cast(), call });
            exec::run(std::ptr::addr_of_mut!((*raw).inner), frame, base_depth)
        };
        match exit {
            Ok(Exit::Return) => {
                for (i, r) in buf[..nr].iter_mut().enumerate() {
                    *r = store.inner.stack.slot(base_sp + i);
                }
                unwind(store);
                return Ok(());
            }
            Ok(Exit::Host { func: hf, caller_instance, resume }) => {
                frame = match host_call(store, hf, caller_instance) {
                    Ok(()) => resume,
                    Err(e) => match rethrow(store, e, resume, base_depth) {
                        Ok(f) => f,
                        Err(e) => {
                            unwind(store);
                            return Err(e);
                        }
                    },
                };
            }
            Ok(Exit::HostFailed { resume }) => {
                let e = store.inner.host_error.take().expect("a failed host call leaves its error");
                frame = match rethrow(store, e, resume, base_depth) {
                    Ok(f) => f,
                    Err(e) => {
                        unwind(store);
                        return Err(e);
                    }
                };
            }
            Ok(Exit::Throw { exn, resume }) => {
                frame = match exec::catch(&mut store.inner, exn, resume, base_depth) {
                    Some(f) => f,
                    None => {
                        let e = crate::tag::Exception::of(&mut store.inner, exn);
                        unwind(store);
                        return Err(e.into());
                    }
                };
            }
            Ok(Exit::Grow { kind, index, delta, resume }) => {
                let index = index as usize;
                let (old, wide) = match kind {
                    GrowKind::Memory => (store.grow_memory(index, delta), store.inner.memories[index].ty.memory64),
                    GrowKind::Table { init } => {
                        (store.grow_table(index, delta, init), store.inner.tables[index].ty.table64)
                    }
                };
                // The result takes the slot of the popped delta, which the frame has room for.
                let sp = store.inner.stack.sp;
                store.inner.stack.set_slot(sp, exec::grow_result(old, wide));
                store.inner.stack.sp = sp + 1;
                frame = resume;
            }
            Ok(Exit::GrowStack { instance, def_index, resume, tail }) => {
                // `enter` grows the stack (it is within the limit: the loop checked), then the
                // callee runs with the caller's frame below it, as the loop would have done
                // (or in its place, for a tail call).
                if !tail {
                    store.inner.stack.frames.push(resume);
                }
                frame = match exec::enter_callee(&mut store.inner, instance, def_index) {
                    Ok(f) => f,
                    Err(t) => {
                        // As the loop traps: in the caller, at its call.
                        if !tail {
                            store.inner.stack.frames.pop();
                        }
                        let t = exec::trap_at_call(&store.inner, t.code(), resume, base_depth);
                        unwind(store);
                        return Err(t.into());
                    }
                };
            }
            Err(trap) => {
                unwind(store);
                return Err(trap.into());
            }
        }
    }
}

/// A function with a signature checked once; calls convert no `Val`s.
///
/// ```
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, r#"(module
///     (func (export "divmod") (param i64 i64) (result i64 i64)
///       (i64.div_u (local.get 0) (local.get 1)) (i64.rem_u (local.get 0) (local.get 1))))"#)?;
/// let mut store = wisp::Store::new(&engine, ());
/// let instance = wisp::Linker::new(&engine).instantiate(&mut store, &module)?;
/// let divmod = instance.get_typed_func::<(u64, u64), (u64, u64)>(&store, "divmod")?;
/// assert_eq!(divmod.call(&mut store, (17, 5))?, (3, 2));
/// assert!(instance.get_typed_func::<(u64, u64), u64>(&store, "divmod").is_err()); // wrong results
/// # Ok::<(), wisp::Error>(())
/// ```
pub struct TypedFunc<Params, Results> {
    func: Func,
    _marker: PhantomData<fn(Params) -> Results>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P, R> Copy for TypedFunc<P, R> {}

impl<P, R> std::fmt::Debug for TypedFunc<P, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedFunc").field("func", &self.func).finish()
    }
}

impl<Params: WasmParams, Results: WasmResults> TypedFunc<Params, Results> {
    /// The function, untyped.
    pub fn func(&self) -> Func {
        self.func
    }

    /// Calls the function: no lock, no allocation, no conversion through `Val`. A trap, an exit or a
    /// host function's error ends the call and comes back as the error.
    pub fn call<T>(&self, mut store: impl AsContextMut<Data = T>, params: Params) -> Result<Results> {
        let store = store.as_context_mut();
        let idx = store.inner.check(self.func.0)?;
        // Most signatures take a few slots, and the buffer is zeroed on every call: the small
        // one where it suffices (decided at compile time).
        if Params::LEN <= SMALL_TYPED && Results::LEN <= SMALL_TYPED {
            Self::call_in(store, idx, params, &mut [0u64; SMALL_TYPED])
        } else {
            Self::call_in(store, idx, params, &mut [0u64; 24])
        }
    }

    /// The call of function `idx` with its slots in `buf`, which has room for the parameters'
    /// and the results'.
    #[inline(always)]
    fn call_in<T>(store: &mut Store<T>, idx: u32, params: Params, buf: &mut [u64]) -> Result<Results> {
        let id = store.inner.id;
        params.store(id, buf)?;
        call_raw(store, idx, buf, Params::LEN, Results::LEN)?;
        Ok(Results::load(id, buf))
    }
}

/// A Rust type that maps to one Wasm value type.
///
/// Implemented for `i32`, `u32`, `i64`, `u64`, `f32`, `f64`, `u128` (`v128`, lane 0 in the low
/// bits, as [`Val::V128`]: no other Wasm type is 128 bits wide, so no newtype is needed to say
/// which is meant) and `Option<Func>` (`funcref`):
///
/// ```
/// use wisp::{ValType, WasmTy};
/// assert_eq!(<u32 as WasmTy>::valtype(), ValType::I32);
/// assert_eq!(<f64 as WasmTy>::valtype(), ValType::F64);
/// assert_eq!(<u128 as WasmTy>::valtype(), ValType::V128);
/// assert_eq!(<Option<wisp::Func> as WasmTy>::valtype(), ValType::FUNCREF);
/// ```
pub trait WasmTy: Sized + 'static {
    /// The Wasm type of this Rust type.
    fn valtype() -> ValType;
    /// The slots a value takes (two for a `v128`).
    #[doc(hidden)]
    const SLOTS: usize = 1;
    #[doc(hidden)]
    fn to_slot(self, store: u32) -> Result<u64>;
    #[doc(hidden)]
    fn from_slot(v: u64, store: u32) -> Self;
    /// Writes the value to `buf` from `*at` on, and moves `*at` past it.
    #[doc(hidden)]
    #[inline]
    fn store_at(self, store: u32, buf: &mut [u64], at: &mut usize) -> Result<()> {
        buf[*at] = self.to_slot(store)?;
        *at += 1;
        Ok(())
    }
    /// Reads a value from `buf` from `*at` on, and moves `*at` past it.
    #[doc(hidden)]
    #[inline]
    fn load_at(buf: &[u64], at: &mut usize, store: u32) -> Self {
        *at += 1;
        Self::from_slot(buf[*at - 1], store)
    }
}

impl WasmTy for u128 {
    fn valtype() -> ValType {
        ValType::V128
    }
    const SLOTS: usize = 2;
    /// The low half (`store_at` writes both).
    fn to_slot(self, _: u32) -> Result<u64> {
        Ok(self as u64)
    }
    fn from_slot(v: u64, _: u32) -> Self {
        v as u128
    }
    #[inline]
    fn store_at(self, _: u32, buf: &mut [u64], at: &mut usize) -> Result<()> {
        buf[*at] = self as u64;
        buf[*at + 1] = (self >> 64) as u64;
        *at += 2;
        Ok(())
    }
    #[inline]
    fn load_at(buf: &[u64], at: &mut usize, _: u32) -> Self {
        *at += 2;
        buf[*at - 2] as u128 | (buf[*at - 1] as u128) << 64
    }
}

macro_rules! wasm_ty {
    ($t:ty, $vt:expr, |$v:ident| $to:expr, |$s:ident| $from:expr) => {
        impl WasmTy for $t {
            fn valtype() -> ValType {
                $vt
            }
            #[inline]
            fn to_slot(self, _: u32) -> Result<u64> {
                let $v = self;
                Ok($to)
            }
            #[inline]
            fn from_slot($s: u64, _: u32) -> Self {
                $from
            }
        }
    };
}

wasm_ty!(i32, ValType::I32, |v| v as u32 as u64, |s| s as u32 as i32);
wasm_ty!(u32, ValType::I32, |v| v as u64, |s| s as u32);
wasm_ty!(i64, ValType::I64, |v| v as u64, |s| s as i64);
wasm_ty!(u64, ValType::I64, |v| v, |s| s);
wasm_ty!(f32, ValType::F32, |v| v.to_bits() as u64, |s| f32::from_bits(s as u32));
wasm_ty!(f64, ValType::F64, |v| v.to_bits(), |s| f64::from_bits(s));

impl WasmTy for Option<Func> {
    fn valtype() -> ValType {
        ValType::FUNCREF
    }
    fn to_slot(self, store: u32) -> Result<u64> {
        match self {
            None => Ok(0),
            Some(f) if f.0.store == store => Ok(f.0.index as u64 + 1),
            Some(_) => Err(Error::WrongStore),
        }
    }
    fn from_slot(v: u64, store: u32) -> Self {
        if v == 0 {
            None
        } else {
            Some(Func(Stored { store, index: v as u32 - 1 }))
        }
    }
}

/// Parameters of a typed call: a `WasmTy`, a tuple of them, or `()`.
///
/// ```
/// use wisp::{ValType, WasmParams};
/// assert_eq!(<(i32, f64) as WasmParams>::types(), [ValType::I32, ValType::F64]);
/// assert_eq!(<() as WasmParams>::LEN, 0);
/// ```
pub trait WasmParams: Sized {
    /// How many slots the values take (one each, two for a `v128`).
    const LEN: usize;
    /// Their Wasm types, in order.
    fn types() -> Vec<ValType>;
    #[doc(hidden)]
    fn store(self, store: u32, buf: &mut [u64]) -> Result<()>;
}

/// Results of a typed call: a `WasmTy`, a tuple of them, or `()`.
///
/// ```
/// use wisp::{ValType, WasmResults};
/// assert_eq!(<i64 as WasmResults>::types(), [ValType::I64]);
/// assert_eq!(<(u32, u32) as WasmResults>::LEN, 2);
/// ```
pub trait WasmResults: Sized {
    /// How many slots the values take (one each, two for a `v128`).
    const LEN: usize;
    /// Their Wasm types, in order.
    fn types() -> Vec<ValType>;
    #[doc(hidden)]
    fn load(store: u32, buf: &[u64]) -> Self;
}

impl<A: WasmTy> WasmParams for A {
    const LEN: usize = A::SLOTS;
    fn types() -> Vec<ValType> {
        vec![A::valtype()]
    }
    fn store(self, store: u32, buf: &mut [u64]) -> Result<()> {
        self.store_at(store, buf, &mut 0)
    }
}

impl<A: WasmTy> WasmResults for A {
    const LEN: usize = A::SLOTS;
    fn types() -> Vec<ValType> {
        vec![A::valtype()]
    }
    fn load(store: u32, buf: &[u64]) -> Self {
        A::load_at(buf, &mut 0, store)
    }
}

macro_rules! tuples {
    ($( ($($n:ident $i:tt),*) )*) => {$(
        impl<$($n: WasmTy),*> WasmParams for ($($n,)*) {
            const LEN: usize = 0 $(+ $n::SLOTS)*;
            fn types() -> Vec<ValType> {
                vec![$($n::valtype()),*]
            }
            #[allow(unused_variables, unused_mut)]
            fn store(self, store: u32, buf: &mut [u64]) -> Result<()> {
                let mut at = 0;
                $( self.$i.store_at(store, buf, &mut at)?; )*
                Ok(())
            }
        }
        impl<$($n: WasmTy),*> WasmResults for ($($n,)*) {
            const LEN: usize = 0 $(+ $n::SLOTS)*;
            fn types() -> Vec<ValType> {
                vec![$($n::valtype()),*]
            }
            #[allow(unused_variables, unused_mut, clippy::unused_unit)]
            fn load(store: u32, buf: &[u64]) -> Self {
                let mut at = 0;
                ($( $n::load_at(buf, &mut at, store), )*)
            }
        }
    )*};
}

tuples! {
    ()
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11)
}

/// What a host closure may return: results, or `Result` of them.
///
/// ```
/// let engine = wisp::Engine::default();
/// let mut store = wisp::Store::new(&engine, ());
/// // Plain results, or a `Result` whose error (any error type) ends the guest's call.
/// let plain = wisp::Func::wrap(&mut store, |a: i32, b: i32| (b, a));
/// let checked = wisp::Func::wrap(&mut store, |x: u32| -> Result<u32, std::num::TryFromIntError> {
///     u8::try_from(x).map(u32::from)
/// });
/// assert_eq!(plain.typed::<(i32, i32), (i32, i32)>(&store)?.call(&mut store, (1, 2))?, (2, 1));
/// assert_eq!(checked.typed::<u32, u32>(&store)?.call(&mut store, 200)?, 200);
/// let err = checked.typed::<u32, u32>(&store)?.call(&mut store, 300).unwrap_err();
/// assert!(err.downcast_ref::<std::num::TryFromIntError>().is_some());
/// # Ok::<(), wisp::Error>(())
/// ```
pub trait HostReturn {
    /// The Wasm results.
    type Results: WasmResults + WasmParams;
    /// The results, or the error that ends the call.
    fn into_result(self) -> Result<Self::Results>;
}

impl<R: WasmResults + WasmParams> HostReturn for R {
    type Results = R;
    fn into_result(self) -> Result<R> {
        Ok(self)
    }
}

/// Any error type works: `?` on an `io::Error` inside a host closure returning
/// `Result<_, io::Error>` (or `Result<_, BoxError>`), and the caller gets it back with
/// [`Error::downcast_ref`]. A `wisp::Error` stays itself.
impl<R: WasmResults + WasmParams, E: Into<crate::error::BoxError>> HostReturn for Result<R, E> {
    type Results = R;
    fn into_result(self) -> Result<R> {
        self.map_err(Error::from_host)
    }
}

/// Rust closures that can become host functions. `Params` is a marker: the argument tuple,
/// with `Caller` first for closures that take one.
///
/// ```
/// let engine = wisp::Engine::default();
/// let mut linker = wisp::Linker::<u64>::new(&engine);
/// linker.func_wrap("m", "nothing", || {})?; // no parameters, no results
/// linker.func_wrap("m", "add", |a: i64, b: i64| a + b)?; // values in, values out
/// linker.func_wrap("m", "count", |mut c: wisp::Caller<'_, u64>, n: i64| { // the caller first
///     *c.data_mut() += n as u64;
/// })?;
/// # Ok::<(), wisp::Error>(())
/// ```
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    #[doc(hidden)]
    fn into_func(self) -> HostFunc<T>;
}

macro_rules! into_func {
    ($( ($($n:ident $i:tt),*) )*) => {$(
        impl<T, F, R, $($n: WasmTy),*> IntoFunc<T, ($($n,)*), R> for F
        where
            F: Fn($($n),*) -> R + Send + Sync + 'static,
            R: HostReturn,
        {
            fn into_func(self) -> HostFunc<T> {
                let ty = FuncType::new(vec![$($n::valtype()),*], <R::Results as WasmResults>::types());
                let call = move |caller: Caller<'_, T>, base: usize| -> Result<()> {
                    let inner = &mut caller.store.inner;
                    let id = inner.id;
                    #[allow(unused_mut, unused_variables)]
                    let mut at = 0;
                    // Slices of known length: one bounds check each, none per value.
                    #[allow(unused_variables)]
                    let args = &inner.stack.slots[base..base + (0 $(+ $n::SLOTS)*)];
                    let r = self($($n::load_at(args, &mut at, id)),*).into_result()?;
                    r.store(id, &mut inner.stack.slots[base..base + <R::Results as WasmResults>::LEN])
                };
                HostFunc { ty, call: Arc::new(call) }
            }
        }

        impl<T, F, R, $($n: WasmTy),*> IntoFunc<T, (Caller<'static, T>, $($n,)*), R> for F
        where
            F: for<'a> Fn(Caller<'a, T>, $($n),*) -> R + Send + Sync + 'static,
            R: HostReturn,
        {
            fn into_func(self) -> HostFunc<T> {
                let ty = FuncType::new(vec![$($n::valtype()),*], <R::Results as WasmResults>::types());
                let call = move |mut caller: Caller<'_, T>, base: usize| -> Result<()> {
                    let id = caller.store.inner.id;
                    #[allow(unused_mut, unused_variables)]
                    let mut at = 0;
                    #[allow(unused_variables)]
                    let args = &caller.store.inner.stack.slots[base..base + (0 $(+ $n::SLOTS)*)];
                    $( let $n = $n::load_at(args, &mut at, id); )*
                    let r = self(caller.reborrow(), $($n),*).into_result()?;
                    r.store(id, &mut caller.store.inner.stack.slots[base..base + <R::Results as WasmResults>::LEN])
                };
                HostFunc { ty, call: Arc::new(call) }
            }
        }
    )*};
}

#[allow(non_snake_case)]
mod into_func_impls {
    use super::*;
    into_func! {
        ()
        (A 0)
        (A 0, B 1)
        (A 0, B 1, C 2)
        (A 0, B 1, C 2, D 3)
        (A 0, B 1, C 2, D 3, E 4)
        (A 0, B 1, C 2, D 3, E 4, F1 5)
        (A 0, B 1, C 2, D 3, E 4, F1 5, G 6)
        (A 0, B 1, C 2, D 3, E 4, F1 5, G 6, H 7)
        (A 0, B 1, C 2, D 3, E 4, F1 5, G 6, H 7, I 8)
        (A 0, B 1, C 2, D 3, E 4, F1 5, G 6, H 7, I 8, J 9)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Engine, Extern, Func, Linker, Module, Store, Val};

    fn module(engine: &Engine, text: &str) -> Module {
        let buf = wast::parser::ParseBuffer::new(text).unwrap();
        let mut wat = wast::parser::parse::<wast::Wat>(&buf).unwrap();
        Module::new(engine, wat.encode().unwrap()).unwrap()
    }

    #[test]
    fn func_equality_is_identity() {
        let engine = Engine::default();
        let m = module(
            &engine,
            r#"(module
                (import "host" "h" (func $h))
                (func $f (export "f"))
                (func $g (export "g"))
                (table (export "t") 4 funcref)
                (elem (i32.const 0) func $f $g $f $h)
                (export "h" (func $h))
                (func (export "ref_g") (result funcref) (ref.func $g)))"#,
        );
        let mut store = Store::new(&engine, ());
        let h = Func::wrap(&mut store, || {});
        let mut linker = Linker::new(&engine);
        linker.define("host", "h", h).unwrap();
        let i = linker.instantiate(&mut store, &m).unwrap();
        let (f, g) = (i.get_func(&store, "f").unwrap(), i.get_func(&store, "g").unwrap());
        let t = i.get_export(&store, "t").and_then(Extern::into_table).unwrap();
        let elem = |n| match t.get(&store, n) {
            Some(Val::FuncRef(Some(x))) => x,
            other => panic!("element {n}: {other:?}"),
        };
        assert_eq!(elem(0), f);
        assert_eq!(elem(1), g);
        assert_eq!(elem(2), elem(0));
        assert_ne!(elem(0), elem(1));
        assert_eq!(elem(3), h);
        assert_eq!(i.get_func(&store, "h").unwrap(), h);
        let mut r = [Val::I32(0)];
        i.get_func(&store, "ref_g").unwrap().call(&mut store, &[], &mut r).unwrap();
        assert_eq!(r[0], Val::FuncRef(Some(g)));

        // The first function of another store has the same index there: another function.
        let mut other = Store::new(&engine, ());
        assert_ne!(Func::wrap(&mut other, || {}), h);
    }
}
