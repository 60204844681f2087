//! The executor: wisp's bytecode run by one of two dispatch backends.
//!
//! Both run the same handler bodies (`handlers.rs`): the portable backend as arms of one
//! `match` in a loop, the threaded backend (`threaded.rs`) as functions that tail-call the
//! next instruction's handler.
//!
//! Hot state lives in locals the compiler keeps in registers: the instruction pointer, the
//! stack pointer, the frame base, the current instance's memory base and length, and its
//! globals. Wasm-to-Wasm calls push a [`Frame`] on wisp's own frame stack, never on the Rust
//! stack, so deep guest recursion ends in a clean trap. Host calls leave the loop: the caller
//! (generic over the store's data type) runs the host function and resumes the loop, which
//! keeps the loop itself monomorphic.

#[macro_use]
mod handlers;
pub(crate) mod ops;
pub(crate) mod threaded;

use crate::isa::Instr;
use crate::module::ModuleInner;
use crate::store::{FuncKind, InstanceEntity, StoreInner, PAGE_SIZE};
use crate::trap::{FrameInfo, Trap, TrapCode};
use handlers::in_bounds;
use ops::Slot;

/// A suspended or saved activation: where to continue and with which frame.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    /// Next instruction to run (a pointer into the backend's code, as an address).
    pub ip: usize,
    /// First instruction of the function (branch targets are relative to it).
    pub code: usize,
    /// Slot index of the frame base (first parameter).
    pub fp: usize,
    /// Store index of the instance.
    pub instance: u32,
    /// Defined-function index inside the instance's module (for backtraces).
    pub func: u32,
}

/// The value stack and the frame stack of a store.
pub(crate) struct Stack {
    pub(crate) slots: Vec<u64>,
    max_slots: usize,
    /// First free slot while no loop is running (or while one is suspended in a host call).
    pub sp: usize,
    /// Caller frames of running and suspended activations.
    pub frames: Vec<Frame>,
    pub(crate) max_frames: usize,
    /// Which backend runs code in this store.
    pub(crate) threaded: bool,
    /// Fuel left (only consulted when the engine meters fuel).
    pub(crate) fuel: u64,
    /// Set by an `InterruptHandle` to stop the running guest at its next check.
    pub(crate) interrupt: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Stack {
    pub fn new(max_slots: usize, max_frames: usize, threaded: bool) -> Self {
        Stack {
            slots: Vec::new(),
            max_slots,
            sp: 0,
            frames: Vec::new(),
            max_frames,
            threaded,
            fuel: 0,
            interrupt: Default::default(),
        }
    }

    /// Makes the value stack at least `need` slots long; false when that is over the limit.
    /// It starts small (a Go reactor's `_initialize` needs a few thousand slots, and an 8 MiB
    /// stack allocated per store cost 7% of its start-up in zeroing and page faults) and
    /// doubles. Growing moves the slots, so it happens only outside the run loop (at entry,
    /// and when a call leaves the loop with `Exit::GrowStack`), where no pointer into them is
    /// held: frames keep slot indices.
    pub fn reserve(&mut self, need: usize) -> bool {
        if need <= self.slots.len() {
            return true;
        }
        if need > self.max_slots {
            return false;
        }
        let mut len = self.slots.len().max(INITIAL_STACK_SLOTS.min(self.max_slots));
        while len < need {
            len = (len * 2).min(self.max_slots);
        }
        // A fresh zeroed allocation plus a copy, so the pages not yet used are not written.
        let mut slots = vec![0u64; len];
        slots[..self.slots.len()].copy_from_slice(&self.slots);
        self.slots = slots;
        true
    }

    pub fn slot(&self, i: usize) -> u64 {
        self.slots[i]
    }

    pub fn set_slot(&mut self, i: usize, v: u64) {
        self.slots[i] = v;
    }
}

/// The value stack's first allocation, in slots (512 KiB).
const INITIAL_STACK_SLOTS: usize = 1 << 16;

/// Why the loop stopped without trapping.
pub(crate) enum Exit {
    /// The entry function returned; its results start at the entry frame base.
    Return,
    /// A host function must run: `func` is its store index; its arguments are the top slots
    /// below `stack.sp`; `resume` continues the loop after it.
    Host { func: u32, caller_instance: u32, resume: Frame },
    /// A call of defined function `def_index` of store instance `instance` needs more value
    /// stack than is allocated (but no more than the limit): its arguments are the top slots
    /// below `stack.sp`. The caller grows the stack, pushes `resume` (the calling frame,
    /// continuing after the call) and enters the callee.
    GrowStack { instance: u32, def_index: u32, resume: Frame },
    /// A `memory.grow`/`table.grow` by a non-zero `delta` of store memory or table `index`
    /// while the store has a limiter, which only the generic caller can reach. The operands
    /// are popped (`stack.sp` is past them); the caller grows or refuses, pushes the old size
    /// or -1 (an i32) and continues the loop at `resume`.
    Grow { kind: GrowKind, index: u32, delta: u32, resume: Frame },
}

/// What an `Exit::Grow` grows: a memory, or a table whose new elements are `init` (an
/// encoded reference).
#[derive(Debug, Clone, Copy)]
pub(crate) enum GrowKind {
    Memory,
    Table { init: u64 },
}

/// Prepares a call of Wasm function `func` (a store index) whose arguments are already in
/// the slots at `stack.sp - num_params ..`. Returns the frame to run.
pub(crate) fn enter(store: &mut StoreInner, instance: u32, def_index: u32) -> Result<Frame, Trap> {
    if store.stack.frames.len() >= store.stack.max_frames {
        return Err(Trap::new(TrapCode::StackOverflow));
    }
    enter_callee(store, instance, def_index)
}

/// `enter` for a call the loop already admitted (its depth checked, its caller's frame pushed)
/// but left for the value stack to grow (`Exit::GrowStack`): a stack too small even at the
/// limit traps here, with the backtrace the loop would have given.
pub(crate) fn enter_callee(store: &mut StoreInner, instance: u32, def_index: u32) -> Result<Frame, Trap> {
    let module: &ModuleInner = &store.instances[instance as usize].module.inner;
    let cf = module.compiled(def_index);
    let fp = store.stack.sp - cf.num_params as usize;
    let (max_height, num_params, num_locals) = (cf.max_height as usize, cf.num_params, cf.num_locals);
    let (code, ops) = (cf.code.as_ptr() as usize, cf.ops.as_ptr() as usize);
    if !store.stack.reserve(fp + max_height) {
        return Err(Trap::new(TrapCode::StackOverflow));
    }
    let base = fp + num_params as usize;
    store.stack.slots[base..base + num_locals as usize].fill(0);
    store.stack.sp = base + num_locals as usize;
    let code = if store.stack.threaded { ops } else { code };
    Ok(Frame { ip: code, code, fp, instance, func: def_index })
}

/// Builds the backtrace: the frame that trapped, then its callers down to `base_depth`.
fn backtrace(store: &StoreInner, current: (u32, u32), base_depth: usize) -> Vec<FrameInfo> {
    let mut out = Vec::new();
    let mut push = |inst: u32, def: u32| {
        let m = &store.instances[inst as usize].module.inner;
        let func_index = m.num_imported_funcs + def;
        out.push(FrameInfo { func_index, func_name: m.func_names.get(&func_index).cloned() });
    };
    push(current.0, current.1);
    for f in store.stack.frames[base_depth..].iter().rev() {
        push(f.instance, f.func);
    }
    out
}

#[cold]
#[inline(never)]
pub(crate) fn trap(store: &StoreInner, code: TrapCode, current: (u32, u32), base_depth: usize) -> Trap {
    Trap::with_backtrace(code, backtrace(store, current, base_depth))
}

/// Runs from `frame` until the activation that started at frame depth `base_depth` returns,
/// a host function must be called, or a trap.
pub(crate) fn run(store: &mut StoreInner, frame: Frame, base_depth: usize) -> Result<Exit, Trap> {
    // SAFETY (for the whole loop): the code was produced by the translator from a validated
    // body, so every stack access stays inside the frame whose `max_height` was checked
    // against the stack's size when the frame was entered, every branch target is inside the
    // function's code, and every local, global, table, function and type index is in range
    // for the instance the code runs in. Memory and table accesses are bounds-checked here.
    unsafe {
        if store.stack.threaded {
            threaded::run(store, frame, base_depth)
        } else {
            run_portable(store, frame, base_depth)
        }
    }
}

pub(crate) struct Mem {
    base: *mut u8,
    len: usize,
}

#[inline(always)]
pub(crate) unsafe fn load_mem(store: &mut StoreInner, inst: *const InstanceEntity) -> Mem {
    match (&*inst).memories.first() {
        Some(&m) => {
            let mem = &mut store.memories[m as usize];
            Mem { base: mem.data.as_mut_ptr(), len: mem.data.len() }
        }
        None => Mem { base: std::ptr::null_mut(), len: 0 },
    }
}

/// Moves `n` slots down the stack (`dst <= src`), the way branches and returns move results:
/// one or none inline, since almost every block and function has at most one result.
#[inline(always)]
pub(crate) unsafe fn move_slots(src: *const u64, dst: *mut u64, n: usize) {
    match n {
        0 => {}
        1 => *dst = *src,
        _ => move_many_slots(src, dst, n),
    }
}

/// The rare move of several slots, out of line: a call in a handler's hot path makes it save
/// and restore registers on every execution.
#[cold]
#[inline(never)]
pub(crate) unsafe fn move_many_slots(src: *const u64, dst: *mut u64, n: usize) {
    std::ptr::copy(src, dst, n);
}

/// Zeroes `n` slots from `at`: a function's declared locals on entry. Few locals (the common
/// case) are zeroed inline with plain stores; volatile, so the loop does not become a call to
/// `memset`, which would make the call handler save registers on every call.
#[inline(always)]
pub(crate) unsafe fn zero_slots(at: *mut u64, n: usize) {
    if n <= 16 {
        for i in 0..n {
            std::ptr::write_volatile(at.add(i), 0);
        }
    } else {
        zero_many_slots(at, n);
    }
}

#[cold]
#[inline(never)]
unsafe fn zero_many_slots(at: *mut u64, n: usize) {
    std::ptr::write_bytes(at, 0, n);
}

/// Effective address of an access of `size` bytes, or `None` when out of bounds.
#[inline(always)]
pub(crate) fn ea(addr: u64, offset: u32, size: usize, len: usize) -> Option<usize> {
    let start = (addr as u32 as u64) + offset as u64;
    if start + size as u64 <= len as u64 {
        Some(start as usize)
    } else {
        None
    }
}

/// Builds the portable backend's `match`: control arms given by the caller, then every
/// handler of the shared list.
macro_rules! portable_match {
    (($instr:expr) ; $( $variant:ident $({ $($field:ident),* })? => $body:expr, )*) => {
        match $instr {
            $( Instr::$variant $({ $($field),* })? => $body, )*
        }
    };
}

unsafe fn run_portable(store: &mut StoreInner, frame: Frame, base_depth: usize) -> Result<Exit, Trap> {
    let slots: *mut u64 = store.stack.slots.as_mut_ptr();
    let mut ip = frame.ip as *const Instr;
    let mut code = frame.code as *const Instr;
    let mut fp: *mut u64 = slots.add(frame.fp);
    let mut sp: *mut u64 = slots.add(store.stack.sp);
    let mut inst_idx = frame.instance;
    let mut func = frame.func;
    let mut inst: *const InstanceEntity = &*store.instances[inst_idx as usize];
    let mut module: *const ModuleInner = &*(&*inst).module.inner;
    let mut globals: *const *mut u64 = (&*inst).global_ptrs.as_ptr();
    let mut mem = load_mem(store, inst);

    macro_rules! trap {
        ($code:expr) => {{
            store.stack.sp = sp.offset_from(slots) as usize;
            return Err(trap(store, $code, (inst_idx, func), base_depth));
        }};
    }
    macro_rules! pop {
        () => {{
            sp = sp.sub(1);
            *sp
        }};
        ($t:ty) => {{
            sp = sp.sub(1);
            <$t as Slot>::from_slot(*sp)
        }};
    }
    macro_rules! push {
        ($v:expr) => {{
            *sp = Slot::to_slot($v);
            sp = sp.add(1);
        }};
    }
    macro_rules! top {
        () => {
            *sp.sub(1)
        };
    }
    macro_rules! sp {
        () => {
            sp
        };
    }
    // The portable loop keeps the whole stack in memory: nothing is cached.
    macro_rules! flush {
        () => {};
    }
    macro_rules! reload {
        () => {};
    }
    macro_rules! set_sp {
        ($v:expr) => {
            sp = $v
        };
    }
    macro_rules! local {
        ($i:expr) => {
            *fp.add($i as usize)
        };
    }
    macro_rules! global {
        ($i:expr) => {
            **globals.add($i as usize)
        };
    }
    macro_rules! jump {
        ($target:expr) => {{
            ip = code.add($target as usize);
        }};
    }
    macro_rules! br_table_entry {
        ($i:expr) => {
            match *ip.add($i as usize) {
                Instr::BrTableTarget { target, drop, keep } => (target, drop, keep),
                _ => std::hint::unreachable_unchecked(),
            }
        };
    }
    macro_rules! mem_base {
        () => {
            mem.base
        };
    }
    macro_rules! mem_len {
        () => {
            mem.len
        };
    }
    macro_rules! reload_mem {
        () => {
            mem = load_mem(store, inst)
        };
    }
    macro_rules! store {
        () => {
            store
        };
    }
    macro_rules! inst {
        () => {
            (&*inst)
        };
    }
    macro_rules! inst_idx {
        () => {
            inst_idx
        };
    }
    macro_rules! module {
        () => {
            (&*module)
        };
    }
    /// Switches the registers to another instance after a call or return crosses instances.
    macro_rules! switch_instance {
        ($idx:expr) => {{
            inst_idx = $idx;
            inst = &*store.instances[inst_idx as usize];
            module = &*(&*inst).module.inner;
            globals = (&*inst).global_ptrs.as_ptr();
            mem = load_mem(store, inst);
        }};
    }
    macro_rules! ret {
        ($keep:expr) => {{
            let k = $keep as usize;
            move_slots(sp.sub(k), fp, k);
            sp = fp.add(k);
            if store.stack.frames.len() == base_depth {
                store.stack.sp = sp.offset_from(slots) as usize;
                return Ok(Exit::Return);
            }
            let f = store.stack.frames.pop().expect("a caller frame above the base");
            ip = f.ip as *const Instr;
            code = f.code as *const Instr;
            fp = slots.add(f.fp);
            func = f.func;
            if f.instance != inst_idx {
                switch_instance!(f.instance);
            } else {
                // The callee may have grown the memory.
                mem = load_mem(store, inst);
            }
        }};
    }
    /// Calls defined function `def` of instance `target` (the arguments are on the stack).
    /// The running frame, continuing at `ip`: what a run that leaves the loop resumes from.
    macro_rules! here {
        () => {
            Frame { ip: ip as usize, code: code as usize, fp: fp.offset_from(slots) as usize, instance: inst_idx, func }
        };
    }
    macro_rules! call_wasm {
        ($target:expr, $def:expr) => {{
            let target: u32 = $target;
            let def: u32 = $def;
            let target_module: &ModuleInner =
                if target == inst_idx { &*module } else { &store.instances[target as usize].module.inner };
            let cf: *const crate::translate::CompiledFunc = target_module.code_for_call(def);
            let cf = &*cf;
            let new_fp = sp.sub(cf.num_params as usize);
            let need = new_fp.offset_from(slots) as usize + cf.max_height as usize;
            if store.stack.frames.len() >= store.stack.max_frames || need > store.stack.max_slots {
                trap!(TrapCode::StackOverflow);
            }
            if need > store.stack.slots.len() {
                // Grown outside the loop, which then enters the callee (see `Exit::GrowStack`).
                store.stack.sp = sp.offset_from(slots) as usize;
                return Ok(Exit::GrowStack { instance: target, def_index: def, resume: here!() });
            }
            store.stack.frames.push(here!());
            if target != inst_idx {
                switch_instance!(target);
            }
            for i in 0..cf.num_locals as usize {
                *sp.add(i) = 0;
            }
            sp = sp.add(cf.num_locals as usize);
            fp = new_fp;
            code = cf.code.as_ptr();
            ip = code;
            func = def;
        }};
    }
    /// Leaves the loop for the caller to ask the limiter about a grow (see `Exit::Grow`).
    macro_rules! grow_exit {
        ($kind:expr, $index:expr, $delta:expr) => {{
            store.stack.sp = sp.offset_from(slots) as usize;
            return Ok(Exit::Grow { kind: $kind, index: $index as u32, delta: $delta, resume: here!() });
        }};
    }
    /// Calls store function `f`: Wasm in this loop, host functions outside it.
    macro_rules! call_store_func {
        ($f:expr) => {{
            let f: u32 = $f;
            match store.funcs[f as usize].kind {
                FuncKind::Wasm { instance, def_index } => call_wasm!(instance, def_index),
                FuncKind::Host { .. } => {
                    store.stack.sp = sp.offset_from(slots) as usize;
                    let resume = here!();
                    return Ok(Exit::Host { func: f, caller_instance: inst_idx, resume });
                }
            }
        }};
    }

    #[cfg(feature = "op-profile")]
    let mut prev: *const Instr = std::ptr::null();
    use crate::isa::generated_handlers;
    loop {
        let instr = *ip;
        #[cfg(feature = "op-profile")]
        {
            crate::op_profile::record(if prev.add(1) == ip { prev.as_ref() } else { None }, &instr);
            prev = ip;
        }
        ip = ip.add(1);
        for_each_handler!(portable_match(instr));
    }
}
