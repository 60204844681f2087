//! The executor: wisp's bytecode run by one of two dispatch backends.
//!
//! Both run the same handler bodies (`handlers.rs`): the portable backend as arms of one
//! `match` in a loop, the threaded backend (`threaded.rs`) as functions that tail-call the
//! next instruction's handler.
//!
//! Hot state lives in locals the compiler keeps in registers: the instruction pointer, the
//! stack pointer, the frame base, the current instance's memory base and length, and its
//! globals. Wasm-to-Wasm calls push a [`Frame`] on wisp's own frame stack, never on the Rust
//! stack, so deep guest recursion ends in a clean trap. Host functions are generic over the
//! store's data type, the loop is not: the threaded loop calls them in place through a
//! type-erased hook the caller put in the store ([`HostHook`]); the portable loop leaves, and
//! the caller runs the host function and resumes it.
//!
//! # `unsafe`
//!
//! The executor trusts what validation and translation proved, so it reaches the value stack,
//! locals, globals and code through raw pointers without checks. `unsafe_op_in_unsafe_fn` is
//! denied and each unsafe operation sits in a small `unsafe` block whose `// SAFETY:` comment
//! names the fact it relies on (`clippy::undocumented_unsafe_blocks` is denied as well):
//!
//! - *heights*: the translator's operand stack heights, checked against the validator's in
//!   debug builds, keep the stack pointer between the frame's pad slot and its `max_height`,
//!   which was reserved when the frame was entered (`enter`, `call_wasm!`);
//! - *indices*: validation checked every local, global, function, table and memory index an
//!   instruction carries;
//! - *code*: branch targets were patched to instructions of the same function, a `br_table`'s
//!   `len + 1` entries follow it, and a function's code ends in a `Return`;
//! - *bounds*: `ea`, `ea64`, `in_bounds` or `range` checked a memory or table access before it happens;
//! - *the run*: the store and its instances (boxed), modules, memories, globals and value stack
//!   stay where they are for the whole run: nothing creates, drops or moves them inside it (the
//!   value stack grows only outside the loop, see `Exit::GrowStack`).
//!
//! Handler bodies (`handlers.rs`, `isa/generated.rs`) reach interpreter state only through
//! each backend's primitive macros (`pop!`, `local!`, `jump!`, ...), which hold the `unsafe`
//! blocks: generated bodies contain none, hand-written ones only their bulk memory copies.
//! The indices and targets given to those macros are an instruction's own immediates, which is
//! what their SAFETY comments assume. Functions with raw-pointer preconditions (the threaded
//! handlers, which the `Handler` type calls through a pointer; slot moves; frame pushes) are
//! `unsafe fn`s with a `# Safety` section; helpers that need only references or indices are
//! safe functions.

#[macro_use]
mod handlers;
pub(crate) mod ops;
mod simd;
pub(crate) mod threaded;

use crate::isa::Instr;
use crate::module::ModuleInner;
use crate::store::{FuncKind, InstanceEntity, StoreInner, PAGE_SIZE};
use crate::translate::{self, OffsetMap};
use crate::trap::{FrameInfo, Trap, TrapCode};
pub(crate) use handlers::grow_result;
use handlers::{in_bounds, range, sat};
use ops::Slot;
use std::collections::HashMap;

/// A suspended or saved activation: where to continue and with which frame. Its fields are
/// the executor's own, so every frame comes from `enter`/`enter_callee` or from the loop,
/// which is what lets `run` trust them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    /// Next instruction to run (a pointer into the backend's code, as an address).
    ip: usize,
    /// First instruction of the function (branch targets are relative to it).
    code: usize,
    /// Slot index of the frame base (first parameter).
    fp: usize,
    /// Store index of the instance.
    instance: u32,
    /// Defined-function index inside the instance's module (for backtraces).
    func: u32,
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
    #[inline]
    pub fn reserve(&mut self, need: usize) -> bool {
        // Every call from the host asks twice; the stack seldom has to grow.
        need <= self.slots.len() || self.grow(need)
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self, need: usize) -> bool {
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

/// The value stack's first allocation, in slots (64 KiB).
const INITIAL_STACK_SLOTS: usize = 1 << 13;

/// No global: the index in a `(global, value)` pair of a handler that has just written none
/// (`go_entry!`, the threaded backend's `return_zero`).
pub(crate) const NO_GLOBAL: u32 = u32::MAX;

/// How the loop calls a host function in place (threaded backend): `call(store, func,
/// caller_instance)` runs store function `func` (a host function) with its arguments on top of
/// the value stack below `stack.sp`, leaves its results there, and returns false when the host
/// function failed (its error in `StoreInner::host_error`).
#[derive(Clone, Copy)]
pub(crate) struct HostHook {
    /// The `Store<T>` that owns the running `StoreInner`, type-erased.
    pub store: *mut (),
    /// `func::call_host::<T>` for that `T`. Its precondition: `store` is the running call's
    /// store pointer and nothing else borrows the store.
    pub call: unsafe fn(*mut (), u32, u32) -> bool,
}

/// Why the loop stopped without trapping.
pub(crate) enum Exit {
    /// The entry function returned; its results start at the entry frame base.
    Return,
    /// A host function must run: `func` is its store index; its arguments are the top slots
    /// below `stack.sp`; `resume` continues the loop after it.
    Host { func: u32, caller_instance: u32, resume: Frame },
    /// A host function the loop ran in place failed; its error is in `StoreInner::host_error`.
    /// `resume` continues after the call (an exception the host function threw is caught
    /// from there).
    HostFailed { resume: Frame },
    /// Store exception `exn` was thrown at the instruction before `resume`'s; the caller finds
    /// its handler ([`catch`]) and continues there, or returns it to the host.
    Throw { exn: u32, resume: Frame },
    /// A call of defined function `def_index` of store instance `instance` needs more value
    /// stack than is allocated (but no more than the limit): its arguments are the top slots
    /// below `stack.sp`. The caller grows the stack, pushes `resume` (the calling frame,
    /// continuing after the call) and enters the callee. A `tail` call's arguments are already
    /// at the calling frame's base, which the callee takes over: `resume` is not pushed (it
    /// only places a trap).
    GrowStack { instance: u32, def_index: u32, resume: Frame, tail: bool },
    /// A `memory.grow`/`table.grow` by a non-zero `delta` of store memory or table `index`
    /// while the store has a limiter, which only the generic caller can reach. The operands
    /// are popped (`stack.sp` is past them); the caller grows or refuses, pushes the old size
    /// or -1 (of the memory's or table's index type) and continues the loop at `resume`.
    Grow { kind: GrowKind, index: u32, delta: u64, resume: Frame },
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
#[inline]
pub(crate) fn enter(store: &mut StoreInner, instance: u32, def_index: u32) -> Result<Frame, Trap> {
    if store.stack.frames.len() >= store.stack.max_frames {
        return Err(Trap::new(TrapCode::StackOverflow));
    }
    enter_callee(store, instance, def_index)
}

/// `enter` for a call the loop already admitted (its depth checked, its caller's frame pushed)
/// but left for the value stack to grow (`Exit::GrowStack`): a stack too small even at the
/// limit traps here, with the backtrace the loop would have given.
#[inline]
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
    // Most functions have a local or two: stores in place, not a `memset` call (whose
    // register saves cost a call from the host more than the zeroing; 2026-12-06).
    match &mut store.stack.slots[base..base + num_locals as usize] {
        [] => {}
        [a] => *a = 0,
        [a, b] => [*a, *b] = [0, 0],
        locals => locals.fill(0),
    }
    store.stack.sp = base + num_locals as usize;
    let code = if store.stack.threaded { ops } else { code };
    Ok(Frame { ip: code, code, fp, instance, func: def_index })
}

/// Builds the backtrace: the frame that trapped, then its callers down to `base_depth`.
/// `current` is the trapping frame's instance, defined function and the address of the
/// instruction that trapped (in the store's backend's code); a caller's position is its call,
/// the instruction before the one it continues at. Offsets are found by translating each
/// function again (`translate::offset_map`), once per function in the trace.
fn backtrace(store: &StoreInner, current: (u32, u32, usize), base_depth: usize) -> Vec<FrameInfo> {
    let (threaded, size) = (store.stack.threaded, instr_size(store));
    let mut maps: HashMap<(u32, u32), Option<OffsetMap>> = HashMap::new();
    let mut out = Vec::new();
    let mut push = |inst: u32, def: u32, at: usize| {
        let m = &store.instances[inst as usize].module.inner;
        let func_index = m.num_imported_funcs + def;
        let module_offset = code_index(m, def, at, size, threaded).and_then(|(index, len)| {
            maps.entry((inst, def)).or_insert_with(|| translate::offset_map(m, def, len)).as_ref()?.offset(index)
        });
        out.push(FrameInfo { func_index, func_name: m.names().functions.get(&func_index).cloned(), module_offset });
    };
    push(current.0, current.1, current.2);
    for f in store.stack.frames[base_depth..].iter().rev() {
        push(f.instance, f.func, f.ip.wrapping_sub(size));
    }
    out
}

/// The index of the instruction at address `at` in defined function `def`'s code, and the
/// code's length; `None` when `at` is not one of its instructions.
fn code_index(m: &ModuleInner, def: u32, at: usize, size: usize, threaded: bool) -> Option<(usize, usize)> {
    let cf = m.compiled.get(def as usize)?.get()?;
    let (base, len) =
        if threaded { (cf.ops.as_ptr() as usize, cf.ops.len()) } else { (cf.code.as_ptr() as usize, cf.code.len()) };
    let bytes = at.checked_sub(base)?;
    let index = bytes / size;
    (bytes % size == 0 && index < len).then_some((index, len))
}

/// The trap `code` in function `current` (instance, defined function, address of the
/// instruction that trapped), with the backtrace down to frame depth `base_depth`.
#[cold]
#[inline(never)]
pub(crate) fn trap(store: &StoreInner, code: TrapCode, current: (u32, u32, usize), base_depth: usize) -> Trap {
    Trap::with_backtrace(code, backtrace(store, current, base_depth))
}

/// The trap `code` at the call that `resume` (a frame continuing after a call) made: for a
/// call that failed outside the loop, the backtrace the loop would have given.
pub(crate) fn trap_at_call(store: &StoreInner, code: TrapCode, resume: Frame, base_depth: usize) -> Trap {
    trap(store, code, (resume.instance, resume.func, resume.ip.wrapping_sub(instr_size(store))), base_depth)
}

/// The size of one instruction in the code the store's backend runs.
fn instr_size(store: &StoreInner) -> usize {
    if store.stack.threaded {
        std::mem::size_of::<threaded::Op>()
    } else {
        std::mem::size_of::<Instr>()
    }
}

/// Finds the handler of store exception `exn`, thrown at the instruction before `frame`'s
/// (a `throw`, or a call the exception came out of), in that frame and then in its callers
/// down to frame depth `base_depth`, popping the frames it leaves. With a handler found, its
/// label's values are pushed (the payload, then the `exnref`, as the handler asks) at the
/// label's height and the returned frame continues at the label; `None` when no frame of this
/// activation catches it.
///
/// The search reads the `try_table` ranges translation kept beside the code, so entering a
/// `try_table` costs nothing and a throw pays for what it unwinds.
pub(crate) fn catch(store: &mut StoreInner, exn: u32, mut frame: Frame, base_depth: usize) -> Option<Frame> {
    let size = instr_size(store);
    let threaded = store.stack.threaded;
    let tag = store.exns[exn as usize].tag;
    loop {
        let inst = &store.instances[frame.instance as usize];
        let cf = inst.module.inner.compiled(frame.func);
        let base = if threaded { cf.ops.as_ptr() as usize } else { cf.code.as_ptr() as usize };
        // `ip` continues after the instruction the exception came from.
        let at = ((frame.ip - base) / size) as u32 - 1;
        let instr = if threaded { cf.ops[at as usize].instr() } else { &cf.code[at as usize] };
        // A tail call whose callee was a host function ran it as a call, but the frame it
        // replaces keeps no handlers.
        let replaced = matches!(instr, Instr::ReturnCallImport { .. } | Instr::ReturnCallIndirect { .. });
        let found = cf
            .tries
            .iter()
            .rev()
            .filter(|r| !replaced && (r.start..r.end).contains(&at))
            .find_map(|r| r.catches.iter().find(|c| c.tag.is_none_or(|t| inst.tags[t as usize] == tag)));
        if let Some(c) = found {
            let mut sp = frame.fp + (cf.num_params + cf.num_locals + c.height) as usize;
            frame.ip = base + c.target as usize * size;
            if c.tag.is_some() {
                let payload = &store.exns[exn as usize].payload;
                // The label's values fit in the frame: validation typed the label with them.
                store.stack.slots[sp..sp + payload.len()].copy_from_slice(payload);
                sp += payload.len();
            }
            if c.with_ref {
                store.stack.slots[sp] = exn as u64 + 1;
                sp += 1;
                store.exns[exn as usize].referenced = true;
            } else if !store.exns[exn as usize].referenced && exn as usize + 1 == store.exns.len() {
                // Caught, and no `exnref` to it exists: nothing can reach it again.
                store.exns.pop();
            }
            store.stack.sp = sp;
            return Some(frame);
        }
        if store.stack.frames.len() <= base_depth {
            return None;
        }
        frame = store.stack.frames.pop().expect("a caller frame above the base");
    }
}

/// Runs from `frame` until the activation that started at frame depth `base_depth` returns,
/// a host function must be called (or failed, run in place), or a trap.
///
/// # Safety
///
/// `store` points at a live store that nothing else borrows during the run, except a host
/// function through `StoreInner::host_hook` (which must then be the running call's).
#[inline]
pub(crate) unsafe fn run(store: *mut StoreInner, frame: Frame, base_depth: usize) -> Result<Exit, Trap> {
    // SAFETY: a live store (the precondition); the borrow ends here.
    let threaded = unsafe { (*store).stack.threaded };
    if threaded {
        // SAFETY: frames are made only by `enter`/`enter_callee` and by the loop (the `resume`
        // of an `Exit`, the caller frames it pushes; `Frame`'s fields are private to `exec`),
        // always for this store and its backend, with `stack.sp` at the top of the frame's
        // operands; the driver changes neither except as each `Exit` allows. The store is
        // borrowed only as the precondition allows.
        unsafe { threaded::run(store, frame, base_depth) }
    } else {
        // SAFETY: as above; the portable loop never calls the host hook, so it may borrow the
        // store for the whole run.
        unsafe { run_portable(&mut *store, frame, base_depth) }
    }
}

pub(crate) struct Mem {
    base: *mut u8,
    len: usize,
}

/// Store memory `mem0` (an instance's memory 0, `None` when it has none): its base and length.
#[inline(always)]
pub(crate) fn load_mem(store: &mut StoreInner, mem0: Option<u32>) -> Mem {
    match mem0 {
        Some(m) => {
            let mem = &mut store.memories[m as usize];
            Mem { base: mem.data.as_mut_ptr(), len: mem.data.len() }
        }
        None => Mem { base: std::ptr::null_mut(), len: 0 },
    }
}

/// Moves `n` slots down the stack (`dst <= src`), the way branches and returns move results:
/// one or none inline, since almost every block and function has at most one result.
///
/// # Safety
///
/// `n` slots from `src` and from `dst` lie in the value stack.
#[inline(always)]
pub(crate) unsafe fn move_slots(src: *const u64, dst: *mut u64, n: usize) {
    match n {
        0 => {}
        // SAFETY: one slot at each (the precondition).
        1 => unsafe { *dst = *src },
        // SAFETY: the precondition.
        _ => unsafe { move_many_slots(src, dst, n) },
    }
}

/// The rare move of several slots, out of line: a call in a handler's hot path makes it save
/// and restore registers on every execution.
///
/// # Safety
///
/// As for [`move_slots`].
#[cold]
#[inline(never)]
pub(crate) unsafe fn move_many_slots(src: *const u64, dst: *mut u64, n: usize) {
    // SAFETY: both ranges lie in the value stack (the precondition); `copy` allows overlap.
    unsafe { std::ptr::copy(src, dst, n) };
}

/// Zeroes `n` slots from `at`: a function's declared locals on entry. Few locals (the common
/// case) are zeroed inline with plain stores; volatile, so the loop does not become a call to
/// `memset`, which would make the call handler save registers on every call.
///
/// # Safety
///
/// `n` slots from `at` lie in the value stack.
#[inline(always)]
pub(crate) unsafe fn zero_slots(at: *mut u64, n: usize) {
    if n <= 16 {
        for i in 0..n {
            // SAFETY: `i < n` (the precondition).
            unsafe { std::ptr::write_volatile(at.add(i), 0) };
        }
    } else {
        // SAFETY: the precondition.
        unsafe { zero_many_slots(at, n) };
    }
}

/// # Safety
///
/// As for [`zero_slots`].
#[cold]
#[inline(never)]
unsafe fn zero_many_slots(at: *mut u64, n: usize) {
    // SAFETY: the precondition.
    unsafe { std::ptr::write_bytes(at, 0, n) };
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

/// Effective address of an access of `size` bytes at `addr + offset` where both may be 64-bit
/// (the memory rows other than memory 0's 32-bit one), or `None` when out of bounds: checked
/// arithmetic, so no sum wraps on any host.
#[inline(always)]
pub(crate) fn ea64(addr: u64, offset: u64, size: usize, len: usize) -> Option<usize> {
    let start = addr.checked_add(offset)?;
    let end = start.checked_add(size as u64)?;
    if end <= len as u64 {
        Some(start as usize)
    } else {
        None
    }
}

/// Builds the portable backend's `match`: control arms given by the caller, then every
/// handler of the shared list.
macro_rules! portable_match {
    (($instr:expr) ; { $($hot:tt)* } { $($cold:tt)* }) => {
        portable_match!(($instr) ; $($hot)* $($cold)*)
    };
    (($instr:expr) ; $( $variant:ident $({ $($field:ident),* })? => $body:expr, )*) => {
        match $instr {
            $( Instr::$variant $({ $($field),* })? => $body, )*
        }
    };
}

/// Runs portable code from `frame` (see [`run`]).
///
/// # Safety
///
/// `frame` is a frame of `store` in this backend's form: `ip` and `code` point into the code
/// of defined function `func` of instance `instance`, `fp` is a slot index with the
/// function's `max_height` slots reserved from it, `store.stack.sp` is the top of its operand
/// stack, and `base_depth` is at most the frame stack's length.
unsafe fn run_portable(store: &mut StoreInner, frame: Frame, base_depth: usize) -> Result<Exit, Trap> {
    let slots: *mut u64 = store.stack.slots.as_mut_ptr();
    let mut ip = frame.ip as *const Instr;
    let mut code = frame.code as *const Instr;
    // SAFETY: the frame base is a slot index inside the value stack (the precondition).
    let mut fp: *mut u64 = unsafe { slots.add(frame.fp) };
    // SAFETY: so is the stack pointer.
    let mut sp: *mut u64 = unsafe { slots.add(store.stack.sp) };
    let mut inst_idx = frame.instance;
    let mut func = frame.func;
    let entity: &InstanceEntity = &store.instances[inst_idx as usize];
    let mut inst: *const InstanceEntity = entity;
    let mut module: *const ModuleInner = &*entity.module.inner;
    let mut globals: *const *mut u64 = entity.global_ptrs.as_ptr();
    let mem0 = entity.memories.first().copied();
    let mut mem = load_mem(store, mem0);

    // The value stack does not move during a run (it grows only outside the loop), so every
    // pointer into it stays valid, and the slot index of one is its distance from `slots`.
    macro_rules! slot_index {
        ($p:expr) => {{
            let p: *mut u64 = $p;
            // SAFETY: `p` and `slots` point into the value stack.
            unsafe { p.offset_from(slots) as usize }
        }};
    }
    macro_rules! trap {
        ($code:expr) => {{
            store.stack.sp = slot_index!(sp);
            // `ip` has moved past the instruction that traps.
            return Err(trap(store, $code, (inst_idx, func, ip.wrapping_sub(1) as usize), base_depth));
        }};
    }
    macro_rules! throw {
        ($exn:expr) => {{
            let exn: u32 = $exn;
            store.stack.sp = slot_index!(sp);
            return Ok(Exit::Throw { exn, resume: here!() });
        }};
    }
    macro_rules! pop {
        () => {{
            // SAFETY: the translator's heights, checked against the validator's, put an
            // operand below `sp`.
            unsafe {
                sp = sp.sub(1);
                *sp
            }
        }};
        ($t:ty) => {{
            // SAFETY: as for `pop!()`.
            let v = unsafe {
                sp = sp.sub(1);
                *sp
            };
            <$t as Slot>::from_slot(v)
        }};
    }
    macro_rules! push {
        ($v:expr) => {{
            let v = Slot::to_slot($v);
            // SAFETY: the translator's heights keep the operand stack within the frame's
            // `max_height` slots, reserved when it was entered.
            unsafe {
                *sp = v;
                sp = sp.add(1);
            }
        }};
    }
    macro_rules! top {
        () => {
            // SAFETY: the translator's heights put an operand below `sp`.
            *unsafe { &mut *sp.sub(1) }
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
            *{
                let i = $i as usize;
                // SAFETY: validation checked the local index against the function's
                // parameters and locals, which start at the frame base.
                unsafe { &mut *fp.add(i) }
            }
        };
    }
    macro_rules! global_hi {
        ($i:expr) => {
            *{
                let i = $i as usize;
                // SAFETY: as for `global!`; a `v128` global's cell is two slots, and
                // validation checked this one is a `v128`.
                unsafe { &mut *(*globals.add(i)).add(1) }
            }
        };
    }
    macro_rules! global {
        ($i:expr) => {
            *{
                let i = $i as usize;
                // SAFETY: validation checked the global index; the instance's global pointers
                // point at its globals' cells in the store, valid for the whole run, and no
                // other reference to a global's value is live.
                unsafe { &mut **globals.add(i) }
            }
        };
    }
    macro_rules! jump {
        ($target:expr) => {{
            let target = $target as usize;
            // SAFETY: branch targets were patched to instructions of the same function.
            ip = unsafe { code.add(target) };
        }};
    }
    // A field of the running instruction, read again where a body names it (`imm!` of the
    // threaded backend, which reads it late): here the arm's binding.
    macro_rules! imm {
        ($f:ident) => {
            $f
        };
    }
    macro_rules! table_at {
        ($target:expr) => {{
            let target = $target as usize;
            // SAFETY: branch targets were patched to instructions of the same function.
            unsafe { *code.add(target) }
        }};
    }
    // Entry `min(i, len)` of the `br_table` of `len` whose first entry is at `first`: its
    // (target, drop, keep).
    macro_rules! table_entry {
        ($first:expr, $i:expr, $len:expr) => {{
            let first: *const Instr = $first;
            let i = ($i).min($len) as usize;
            // SAFETY: `first` is the first of the `len + 1` entries that follow a `br_table` of
            // `len` (`br_table_entry!`: `ip` before any jump; `jump_via_table!`: the entry after
            // the table at a threaded branch's target), and `i <= len`.
            match *unsafe { &*first.add(i) } {
                Instr::BrTableTarget { target, drop, keep } => (target, drop, keep),
                // SAFETY: the translator emits only entries after a `br_table`.
                _ => unsafe { std::hint::unreachable_unchecked() },
            }
        }};
    }
    // Jumps to the target of entry `i` of the `br_table` at branch target `table` (the jump
    // threading's condition: a `br_table` of `len` heads it).
    macro_rules! jump_via_table {
        ($table:expr, $i:expr, $len:expr) => {{
            // SAFETY: `table` is a branch target, patched to an instruction of this function
            // that heads a `br_table`, so the entry after it lies in the function's code too.
            let first = unsafe { code.add($table as usize + 1) };
            let (target, _, _) = table_entry!(first, $i, $len);
            jump!(target)
        }};
    }
    macro_rules! br_table_entry {
        ($i:expr, $len:expr) => {
            table_entry!(ip, $i, $len)
        };
    }
    // Jumps to the target of entry `i` of this `br_table` of `len`.
    macro_rules! jump_table {
        ($i:expr, $len:expr) => {{
            let (target, _, _) = br_table_entry!($i, $len);
            jump!(target)
        }};
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
        () => {{
            let mem0 = inst!().memories.first().copied();
            mem = load_mem(store, mem0);
        }};
    }
    macro_rules! store {
        () => {
            store
        };
    }
    macro_rules! inst {
        () => {
            // SAFETY: the running instance, boxed in the store; no instance is created,
            // dropped or moved during a run.
            unsafe { &*inst }
        };
    }
    macro_rules! inst_idx {
        () => {
            inst_idx
        };
    }
    macro_rules! module {
        () => {
            // SAFETY: the running instance's module, which the instance keeps alive.
            unsafe { &*module }
        };
    }
    /// Switches the registers to another instance after a call or return crosses instances.
    macro_rules! switch_instance {
        ($idx:expr) => {{
            inst_idx = $idx;
            let entity: &InstanceEntity = &store.instances[inst_idx as usize];
            inst = entity;
            module = &*entity.module.inner;
            globals = entity.global_ptrs.as_ptr();
            let mem0 = entity.memories.first().copied();
            mem = load_mem(store, mem0);
        }};
    }
    macro_rules! ret {
        ($keep:expr) => {{
            let k = $keep as usize;
            // SAFETY: the translator's heights put the `k` results on top of the operand
            // stack; the frame base has room for them.
            unsafe {
                move_slots(sp.sub(k), fp, k);
                sp = fp.add(k);
            }
            finish_return!();
        }};
    }
    /// Returns the one result `v` (a function with one result: its frame has a slot).
    macro_rules! ret_imm {
        // The global just written, which the threaded backend's return uses, does not matter
        // here: the caller's check runs as its own instruction.
        ($v:expr, $known:expr) => {{
            let _ = $known;
            ret_imm!($v)
        }};
        ($v:expr) => {{
            // SAFETY: the frame base is the first slot of a frame with at least one (the result).
            unsafe {
                *fp = $v;
                sp = fp.add(1);
            }
            finish_return!();
        }};
    }
    /// The end of a return whose results are in place at the frame base, below `sp`.
    macro_rules! finish_return {
        () => {{
            if store.stack.frames.len() == base_depth {
                store.stack.sp = slot_index!(sp);
                return Ok(Exit::Return);
            }
            let f = store.stack.frames.pop().expect("a caller frame above the base");
            ip = f.ip as *const Instr;
            code = f.code as *const Instr;
            // SAFETY: a saved frame's base is a slot index inside the value stack.
            fp = unsafe { slots.add(f.fp) };
            func = f.func;
            // Within one instance `mem` is current: every change of the memory inside the loop
            // reloads it (`memory.grow`, a switch of instance), and leaving the loop does too.
            if f.instance != inst_idx {
                switch_instance!(f.instance);
            }
        }};
    }
    /// The running frame, continuing at `ip`: what a run that leaves the loop resumes from.
    macro_rules! here {
        () => {
            Frame { ip: ip as usize, code: code as usize, fp: slot_index!(fp), instance: inst_idx, func }
        };
    }
    /// Calls defined function `def` of instance `target` (the arguments are on the stack); a
    /// `tail` call replaces the running frame instead of pushing it.
    macro_rules! call_wasm {
        ($target:expr, $def:expr) => {
            call_wasm!($target, $def, false, false)
        };
        ($target:expr, $def:expr, $past_dispatch:expr) => {
            call_wasm!($target, $def, $past_dispatch, false)
        };
        ($target:expr, $def:expr, $past_dispatch:expr, $tail:expr) => {
            call_wasm!($target, $def, $past_dispatch, $tail, (crate::exec::NO_GLOBAL, 0))
        };
        // `known`: a global the caller has just written, and its value (`go_entry!`).
        ($target:expr, $def:expr, $past_dispatch:expr, $tail:expr, $known:expr) => {{
            let target: u32 = $target;
            let def: u32 = $def;
            let target_module: &ModuleInner =
                if target == inst_idx { module!() } else { &store.instances[target as usize].module.inner };
            let cf: *const crate::translate::CompiledFunc = target_module.code_for_call(def);
            // SAFETY: a module keeps its translated functions while an instance holds it, past
            // this run; going through a raw pointer frees `store` for the frame stack below.
            let cf = unsafe { &*cf };
            let n = cf.num_params as usize;
            // SAFETY: the arguments are the top `num_params` operands (validation checked the
            // call's type), so the callee's frame starts inside the caller's.
            let args = unsafe { sp.sub(n) };
            // A tail call's callee takes the running frame's place, from its base.
            let new_fp = if $tail { fp } else { args };
            let need = slot_index!(new_fp) + cf.max_height as usize;
            if (!$tail && store.stack.frames.len() >= store.stack.max_frames) || need > store.stack.max_slots {
                trap!(TrapCode::StackOverflow);
            }
            if $tail {
                // SAFETY: the arguments are operands of the running frame, above its base.
                unsafe {
                    move_slots(args, fp, n);
                    sp = fp.add(n);
                }
            }
            if need > store.stack.slots.len() {
                // Grown outside the loop, which then enters the callee (see `Exit::GrowStack`).
                store.stack.sp = slot_index!(sp);
                return Ok(Exit::GrowStack { instance: target, def_index: def, resume: here!(), tail: $tail });
            }
            if !$tail {
                store.stack.frames.push(here!());
            }
            if target != inst_idx {
                switch_instance!(target);
            }
            // SAFETY: the callee's frame, its locals included, ends inside the value stack
            // (`need`, checked above).
            unsafe {
                for i in 0..cf.num_locals as usize {
                    *sp.add(i) = 0;
                }
                sp = sp.add(cf.num_locals as usize);
            }
            fp = new_fp;
            code = cf.code.as_ptr();
            ip = code;
            func = def;
            let entry = cf.entry;
            if $past_dispatch && entry.at != 0 {
                // The callee's `GlobalGetSet`, run here (its own immediates), then where its
                // dispatch sends resume point 0, or past Go's prologue when its check passes
                // (`ResumeEntry`).
                let (v, at) = go_entry!(entry, $known);
                local!(entry.local) = v;
                // SAFETY: `at` and `body` are instructions of the callee's code.
                ip = unsafe { code.add(at as usize) };
            }
        }};
    }
    macro_rules! tail_call_wasm {
        ($target:expr, $def:expr) => {
            call_wasm!($target, $def, false, true)
        };
    }
    /// Leaves the loop for the caller to ask the limiter about a grow (see `Exit::Grow`).
    macro_rules! grow_exit {
        ($kind:expr, $index:expr, $delta:expr) => {{
            store.stack.sp = slot_index!(sp);
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
                    store.stack.sp = slot_index!(sp);
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
        // SAFETY: `ip` points at an instruction of the running function: its first, the one
        // after an instruction that falls through (code never falls off its end), a branch
        // target, or a saved frame's.
        let instr = unsafe { *ip };
        #[cfg(feature = "op-profile")]
        {
            // SAFETY: a non-null `prev` is the instruction run before this one.
            let prev_instr = unsafe { prev.as_ref() };
            crate::op_profile::record(if prev.wrapping_add(1) == ip { prev_instr } else { None }, &instr);
            prev = ip;
        }
        // SAFETY: one past an instruction is inside its function's code or one past its end.
        ip = unsafe { ip.add(1) };
        for_each_handler!(portable_match(instr));
    }
}
