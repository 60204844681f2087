//! The threaded backend: every instruction is a handler function that ends by calling the next
//! instruction's handler in tail position.
//!
//! Each handler keeps the hot state in its arguments (instruction pointer, stack pointer, frame
//! base, memory base: all in registers under the C calling convention) and the rest in a
//! [`Ctx`]. With optimizations on, LLVM turns the final call into a jump, so every instruction
//! ends in its own indirect jump, which branch predictors handle far better than the portable
//! loop's single shared one. Without optimizations the calls would nest and overflow the Rust
//! stack, so this backend is used only in builds without debug assertions; a test in
//! `tests/dispatch.rs` runs millions of instructions on a small thread stack to prove the tail
//! calls are still jumps.

use super::handlers::in_bounds;
use super::ops::{self, Slot};
use super::{ea, load_mem, move_many_slots, move_slots, trap, zero_slots, Exit, Frame, GrowKind};
use crate::isa::generated_handlers;
use crate::isa::Instr;
use crate::module::ModuleInner;
use crate::store::{FuncKind, InstanceEntity, MemoryEntity, StoreInner, PAGE_SIZE};
use crate::translate::CompiledFunc;
use crate::trap::{Trap, TrapCode};
use std::sync::{Arc, OnceLock};

/// A handler: instruction pointer, stack pointer, frame base, the top of the operand stack
/// (cached in a register; its slot, `sp - 1`, is stale until flushed), context, and memory
/// base. The top of stack comes fourth, in x86-64's `rcx`, where a shift's count must be:
/// shifts then move no other argument out of the way and back.
pub(crate) type Handler = unsafe fn(*const Op, *mut u64, *mut u64, u64, &mut Ctx, *mut u8);

/// One instruction of threaded code: its handler, then the instruction itself (the handler
/// reads its immediates from it).
#[derive(Clone, Copy)]
#[repr(C)]
pub(crate) struct Op {
    handler: Handler,
    instr: Instr,
}

impl std::fmt::Debug for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.instr.fmt(f)
    }
}

/// How a run ended.
#[derive(Clone, Copy)]
enum Outcome {
    Return,
    Host { func: u32, resume_ip: *const Op },
    GrowStack { instance: u32, def_index: u32, resume_ip: *const Op },
    Grow { kind: GrowKind, index: u32, delta: u32, resume_ip: *const Op },
    Trap(TrapCode),
}

/// The state a handler does not keep in registers.
pub(crate) struct Ctx {
    store: *mut StoreInner,
    slots: *mut u64,
    /// `ZEROING_PAD` slots before the end of the allocated value stack: a call whose frame would
    /// pass it leaves the inline path (`call_slow` grows the stack outside the loop, traps at
    /// the limit, or enters the callee).
    slots_end: *mut u64,
    /// The store's frame stack, its length and how far it may grow without leaving the fast
    /// path (its capacity, at most the frame limit). The vector's `len` is stale while the
    /// loop runs and set from `nframes` whenever the loop is left.
    frames: *mut Frame,
    nframes: usize,
    frames_cap: usize,
    globals: *const *mut u64,
    mem_len: usize,
    /// The current instance's memory 0 (null when it has none). Stable for the whole run:
    /// memories are only created by instantiation, which never happens inside a run.
    mem_entity: *mut MemoryEntity,
    inst: *const InstanceEntity,
    module: *const ModuleInner,
    /// The current module's translated functions (`ModuleInner::compiled`).
    compiled: *const OnceLock<Arc<CompiledFunc>>,
    inst_idx: u32,
    func: u32,
    /// The instance and defined function a call hands to `call_slow` (and the instance a
    /// return hands to `return_to_other_instance`).
    call_target: u32,
    call_def: u32,
    base_depth: usize,
    outcome: Outcome,
    sp: *mut u64,
    fp: *mut u64,
}

/// Marks the taken side of a conditional branch. An empty `asm!` has effects as far as the
/// compiler knows, so the branch stays a branch instead of a select of the next instruction:
/// a select makes the next handler's operand loads wait for the comparison, where a predicted
/// branch lets them start at once.
#[inline(always)]
fn taken() {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    // SAFETY: an empty instruction sequence that touches no memory, stack or flags.
    unsafe {
        std::arch::asm!("", options(nomem, nostack, preserves_flags))
    };
}

/// The most instructions a function's threaded code may have: its branch targets are byte
/// offsets that must fit in an `i32`.
pub(crate) const MAX_OPS: usize = i32::MAX as usize / std::mem::size_of::<Op>();

/// Threaded code for a translated function: the same instructions, each with its handler.
/// Branch targets become byte offsets from the branching instruction (a `br_table`'s entries:
/// from the `br_table`), so a jump is one add to the instruction pointer, with no code base
/// and no scaling. `code` has at most [`MAX_OPS`] instructions.
pub(crate) fn lower(code: &[Instr], sites: &[(u32, u32)]) -> Box<[Op]> {
    assert!(code.len() <= MAX_OPS, "the translator bounds function size");
    let size = std::mem::size_of::<Op>() as i64;
    #[cfg(target_arch = "x86_64")]
    let popcnt = std::arch::is_x86_feature_detected!("popcnt");
    #[cfg(not(target_arch = "x86_64"))]
    let popcnt = false;
    let mut ops: Box<[Op]> = code.iter().map(|&instr| Op { handler: handler_for(&instr, popcnt), instr }).collect();
    // Only the instructions that have a target are rewritten, as `retarget` would.
    for &(site, base) in sites {
        if let Some(t) = ops[site as usize].instr.branch_target_mut() {
            *t = ((*t as i64 - base as i64) * size) as i32 as u32;
        }
    }
    ops
}

/// Debug builds: `sites` names every instruction of `code` that has a branch target, once,
/// with the base `retarget` would give it.
#[cfg(debug_assertions)]
pub(crate) fn check_sites(code: &[Instr], sites: &[(u32, u32)]) {
    let mut expected = Vec::new();
    let mut table = 0;
    for (i, instr) in code.iter().enumerate() {
        if instr.is_br_table() {
            table = i as u32;
        }
        if instr.branch_target().is_some() {
            let entry = matches!(instr, Instr::BrTableTarget { .. });
            expected.push((i as u32, if entry { table } else { i as u32 }));
        }
    }
    let mut recorded = sites.to_vec();
    recorded.sort_unstable();
    assert_eq!(recorded, expected, "the translator's branch sites");
}

/// The instructions of threaded code with absolute branch targets again (`lower` undone).
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub(crate) fn instructions(ops: &[Op]) -> Vec<Instr> {
    let size = std::mem::size_of::<Op>() as i64;
    retarget(ops.iter().map(|op| op.instr), |target, base| (base as i64 + target as i32 as i64 / size) as u32).collect()
}

/// Rewrites every branch target with `f(target, base)`, where `base` is the index of the
/// instruction a relative target counts from: the branch itself, or for a `br_table`'s
/// entries the table.
fn retarget(code: impl Iterator<Item = Instr>, f: impl Fn(u32, usize) -> u32) -> impl Iterator<Item = Instr> {
    let mut table = 0;
    code.enumerate().map(move |(i, mut instr)| {
        if instr.is_br_table() {
            table = i;
        }
        let base = if matches!(instr, Instr::BrTableTarget { .. }) { table } else { i };
        if let Some(t) = instr.branch_target_mut() {
            *t = f(*t, base);
        }
        instr
    })
}

macro_rules! threaded_handlers {
    ($d:tt ; $( $variant:ident $({ $($field:ident),* })? => $body:expr, )*) => {
        #[allow(non_snake_case, unused_mut, unused_macros, unused_variables, unused_assignments, unreachable_code, clippy::all)]
        mod h {
            use super::*;
            $(
                pub(super) unsafe fn $variant(ip: *const Op, sp: *mut u64, fp: *mut u64, tos: u64, ctx: &mut Ctx, mem: *mut u8) {
                    let Instr::$variant $({ $($field),* })? = (*ip).instr else {
                        // SAFETY: `lower` pairs each instruction with its own variant's handler.
                        std::hint::unreachable_unchecked()
                    };
                    let this = ip;
                    let mut ip = ip.add(1);
                    let mut sp = sp;
                    let mut fp = fp;
                    let mut mem = mem;
                    let mut tos = tos;
                    macro_rules! flush {
                        () => {
                            *sp.sub(1) = tos
                        };
                    }
                    macro_rules! reload {
                        () => {
                            tos = *sp.sub(1)
                        };
                    }
                    macro_rules! trap {
                        ($d code:expr) => {{
                            ctx.sp = sp;
                            ctx.outcome = Outcome::Trap($d code);
                            return;
                        }};
                    }
                    macro_rules! pop {
                        () => {{
                            let v = tos;
                            sp = sp.sub(1);
                            tos = *sp.sub(1);
                            v
                        }};
                        ($d t:ty) => {{
                            let v = tos;
                            sp = sp.sub(1);
                            tos = *sp.sub(1);
                            <$d t as Slot>::from_slot(v)
                        }};
                    }
                    macro_rules! push {
                        ($d v:expr) => {{
                            let v = Slot::to_slot($d v);
                            *sp.sub(1) = tos;
                            sp = sp.add(1);
                            tos = v;
                        }};
                    }
                    macro_rules! top {
                        () => {
                            tos
                        };
                    }
                    macro_rules! sp {
                        () => {
                            sp
                        };
                    }
                    macro_rules! set_sp {
                        ($d v:expr) => {
                            sp = $d v
                        };
                    }
                    macro_rules! local {
                        ($d i:expr) => {
                            *fp.add($d i as usize)
                        };
                    }
                    macro_rules! global {
                        ($d i:expr) => {
                            **ctx.globals.add($d i as usize)
                        };
                    }
                    macro_rules! jump {
                        ($d target:expr) => {{
                            // Threaded targets are byte offsets from the branching instruction (see `lower`).
                            ip = this.byte_offset($d target as i32 as isize);
                            taken();
                        }};
                    }
                    macro_rules! br_table_entry {
                        ($d i:expr) => {
                            match (*ip.add($d i as usize)).instr {
                                Instr::BrTableTarget { target, drop, keep } => (target, drop, keep),
                                _ => std::hint::unreachable_unchecked(),
                            }
                        };
                    }
                    macro_rules! mem_base {
                        () => {
                            mem
                        };
                    }
                    macro_rules! mem_len {
                        () => {
                            ctx.mem_len
                        };
                    }
                    macro_rules! reload_mem {
                        () => {
                            mem = reload_mem(ctx, mem)
                        };
                    }
                    macro_rules! store {
                        () => {
                            (&mut *ctx.store)
                        };
                    }
                    macro_rules! inst {
                        () => {
                            (&*ctx.inst)
                        };
                    }
                    macro_rules! inst_idx {
                        () => {
                            ctx.inst_idx
                        };
                    }
                    macro_rules! module {
                        () => {
                            (&*ctx.module)
                        };
                    }
                    macro_rules! ret {
                        ($d keep:expr) => {{
                            let k = $d keep as usize;
                            if k == 1 {
                                // The result is the cached top: store it where the caller wants it.
                                *fp = tos;
                            } else if k > 1 {
                                flush!();
                                return return_many(sp, fp, mem, ctx, k);
                            }
                            return finish_return(fp.add(k), mem, ctx);
                        }};
                    }
                    macro_rules! call_wasm {
                        ($d target:expr, $d def:expr) => {{
                            let target: u32 = $d target;
                            let def: u32 = $d def;
                            flush!();
                            // The common case inline: a translated function of this instance, with
                            // room for its frame. Everything else continues in `call_slow`, by a
                            // tail call, so this handler keeps its registers free.
                            let translated = if target == ctx.inst_idx {
                                // SAFETY: validation checked `def` against the module's functions.
                                (*ctx.compiled.add(def as usize)).get()
                            } else {
                                None
                            };
                            let cf: &crate::translate::CompiledFunc = match translated {
                                Some(cf)
                                    if sp as usize + (cf.max_height as usize - cf.num_params as usize) * 8
                                        <= ctx.slots_end as usize
                                        && ctx.nframes != ctx.frames_cap =>
                                {
                                    cf
                                }
                                _ => {
                                    ctx.call_target = target;
                                    ctx.call_def = def;
                                    return call_slow(ip, sp, fp, tos, ctx, mem);
                                }
                            };
                            // The callee starts with an empty operand stack: nothing is cached.
                            tos = 0;
                            push_caller(ctx, ip, fp);
                            ctx.func = def;
                            fp = sp.sub(cf.num_params as usize);
                            // Zeroes the locals eight slots at a time, past them into the callee's
                            // operand area and at most 8 slots past its frame, which `slots_end`
                            // keeps room for (everything above `sp` is dead).
                            let locals_end = sp.add(cf.num_locals as usize);
                            loop {
                                // Volatile, so the loop stays eight inline stores instead of a memset call.
                                for i in 0..8 {
                                    std::ptr::write_volatile(sp.add(i), 0);
                                }
                                sp = sp.add(8);
                                if sp >= locals_end {
                                    break;
                                }
                            }
                            sp = locals_end;
                            ip = cf.ops.as_ptr();
                        }};
                    }
                    macro_rules! grow_exit {
                        ($d kind:expr, $d index:expr, $d delta:expr) => {{
                            flush!();
                            ctx.sp = sp;
                            ctx.fp = fp;
                            let (kind, index, delta) = ($d kind, $d index as u32, $d delta);
                            ctx.outcome = Outcome::Grow { kind, index, delta, resume_ip: ip };
                            return;
                        }};
                    }
                    macro_rules! call_store_func {
                        ($d f:expr) => {{
                            let f: u32 = $d f;
                            match (&*ctx.store).funcs[f as usize].kind {
                                FuncKind::Wasm { instance, def_index } => call_wasm!(instance, def_index),
                                FuncKind::Host { .. } => {
                                    flush!();
                                    ctx.sp = sp;
                                    ctx.fp = fp;
                                    ctx.outcome = Outcome::Host { func: f, resume_ip: ip };
                                    return;
                                }
                            }
                        }};
                    }

                    $body;
                    // The tail call: with optimizations, a jump to the next handler.
                    ((*ip).handler)(ip, sp, fp, tos, ctx, mem)
                }
            )*
        }

        /// The handler of `i`; `popcnt`: whether the processor has that instruction.
        #[inline]
        fn handler_for(i: &Instr, popcnt: bool) -> Handler {
            #[cfg(target_arch = "x86_64")]
            if popcnt {
                if let Some(h) = hw::handler_for(i) {
                    return h;
                }
            }
            #[cfg(not(target_arch = "x86_64"))]
            let _ = popcnt;
            match i {
                $( Instr::$variant { .. } => h::$variant, )*
            }
        }
    };
}

for_each_handler!(threaded_handlers $);

/// Handlers that use an instruction x86-64's baseline lacks, chosen when the processor has
/// it: `popcnt` instead of the portable count (a 20-instruction sequence with a multiply).
#[cfg(target_arch = "x86_64")]
#[allow(non_snake_case)]
mod hw {
    use super::{Ctx, Handler, Instr, Op};

    /// Only asked when the processor has `popcnt`.
    pub(super) fn handler_for(i: &Instr) -> Option<Handler> {
        match i {
            Instr::I32Popcnt_S => Some(I32Popcnt_S),
            Instr::I64Popcnt_S => Some(I64Popcnt_S),
            _ => None,
        }
    }

    /// The count of the top of stack (an i32's slot is zero-extended, so counting all 64 bits
    /// counts the i32).
    #[target_feature(enable = "popcnt")]
    unsafe fn I32Popcnt_S(ip: *const Op, sp: *mut u64, fp: *mut u64, tos: u64, ctx: &mut Ctx, mem: *mut u8) {
        let ip = ip.add(1);
        ((*ip).handler)(ip, sp, fp, (tos as u32).count_ones() as u64, ctx, mem)
    }

    #[target_feature(enable = "popcnt")]
    unsafe fn I64Popcnt_S(ip: *const Op, sp: *mut u64, fp: *mut u64, tos: u64, ctx: &mut Ctx, mem: *mut u8) {
        let ip = ip.add(1);
        ((*ip).handler)(ip, sp, fp, tos.count_ones() as u64, ctx, mem)
    }
}

/// The instance's memory 0, or null.
unsafe fn mem_entity(store: &mut StoreInner, inst: *const InstanceEntity) -> *mut MemoryEntity {
    match (&*inst).memories.first() {
        Some(&m) => &mut store.memories[m as usize],
        None => std::ptr::null_mut(),
    }
}

/// Points the context at store instance `idx` (a call or return crossing instances); returns
/// the new memory base.
#[cold]
#[inline(never)]
unsafe fn switch_instance(ctx: &mut Ctx, idx: u32) -> *mut u8 {
    ctx.inst_idx = idx;
    ctx.inst = &*(&*ctx.store).instances[idx as usize];
    ctx.module = &*(&*ctx.inst).module.inner;
    ctx.compiled = (*ctx.module).compiled.as_ptr();
    ctx.globals = (&*ctx.inst).global_ptrs.as_ptr();
    ctx.mem_entity = mem_entity(&mut *ctx.store, ctx.inst);
    ctx.mem_len = 0;
    reload_mem(ctx, std::ptr::null_mut())
}

/// The current memory's base (`mem` when the instance has none), its length refreshed in the
/// context: after anything that may have grown it.
#[inline(always)]
unsafe fn reload_mem(ctx: &mut Ctx, mem: *mut u8) -> *mut u8 {
    if ctx.mem_entity.is_null() {
        return mem;
    }
    let data = &mut (*ctx.mem_entity).data;
    ctx.mem_len = data.len();
    data.as_mut_ptr()
}

/// The end of a return whose results are in place at the frame base, below `sp`: leaves the
/// run at its entry frame, or pops the caller's frame and continues there.
#[inline(always)]
unsafe fn finish_return(sp: *mut u64, mem: *mut u8, ctx: &mut Ctx) {
    if ctx.nframes == ctx.base_depth {
        ctx.sp = sp;
        ctx.outcome = Outcome::Return;
        return;
    }
    ctx.nframes -= 1;
    // SAFETY: frames below `nframes` were written by calls of this run or are the store's own
    // (`run` keeps the vector's `len` in step).
    let f = *ctx.frames.add(ctx.nframes);
    let ip = f.ip as *const Op;
    let fp = ctx.slots.add(f.fp);
    ctx.func = f.func;
    if f.instance != ctx.inst_idx {
        ctx.call_target = f.instance;
        return return_to_other_instance(ip, sp, fp, 0, ctx, mem);
    }
    // The callee may have grown the memory.
    let mem = reload_mem(ctx, mem);
    let tos = *sp.sub(1);
    ((*ip).handler)(ip, sp, fp, tos, ctx, mem)
}

/// A return of several results (the cached top flushed): moved out of line, because the
/// copy is a call that would make every return save registers.
#[cold]
#[inline(never)]
unsafe fn return_many(sp: *mut u64, fp: *mut u64, mem: *mut u8, ctx: &mut Ctx, k: usize) {
    move_many_slots(sp.sub(k), fp, k);
    finish_return(fp.add(k), mem, ctx)
}

/// A return into a frame of another instance (`ret!` set `ip` and `fp` and left the instance
/// in `ctx.call_target`).
#[cold]
#[inline(never)]
unsafe fn return_to_other_instance(ip: *const Op, sp: *mut u64, fp: *mut u64, _tos: u64, ctx: &mut Ctx, _mem: *mut u8) {
    let mem = switch_instance(ctx, ctx.call_target);
    let tos = *sp.sub(1);
    ((*ip).handler)(ip, sp, fp, tos, ctx, mem)
}

/// Pushes the calling frame, continuing at `ip`, on the frame stack.
///
/// SAFETY: `ctx.nframes < ctx.frames_cap`, at most the frame vector's capacity.
#[inline(always)]
unsafe fn push_caller(ctx: &mut Ctx, ip: *const Op, fp: *mut u64) {
    ctx.frames.add(ctx.nframes).write(Frame {
        ip: ip as usize,
        code: 0,
        fp: fp.offset_from(ctx.slots) as usize,
        instance: ctx.inst_idx,
        func: ctx.func,
    });
    ctx.nframes += 1;
}

/// Every call the inline path of `call_wasm!` does not take: a callee in another instance or
/// not yet translated, a frame stack at its capacity, or a value stack without room for the
/// callee's frame. `ip` is where the caller continues; the arguments are on the stack (the
/// cached top flushed); the callee is `ctx.call_target`/`ctx.call_def`.
#[cold]
#[inline(never)]
unsafe fn call_slow(ip: *const Op, sp: *mut u64, fp: *mut u64, tos: u64, ctx: &mut Ctx, mem: *mut u8) {
    let (target, def) = (ctx.call_target, ctx.call_def);
    let store = &mut *ctx.store;
    let target_module: &ModuleInner =
        if target == ctx.inst_idx { &*ctx.module } else { &store.instances[target as usize].module.inner };
    let cf: *const CompiledFunc = target_module.code_for_call(def);
    let cf = &*cf;
    let new_fp = sp.sub(cf.num_params as usize);
    let need = new_fp.offset_from(ctx.slots) as usize + cf.max_height as usize;
    if ctx.nframes >= store.stack.max_frames || need > store.stack.max_slots {
        ctx.sp = sp;
        ctx.outcome = Outcome::Trap(TrapCode::StackOverflow);
        return;
    }
    if need > store.stack.slots.len() {
        // Grown outside the loop, which then enters the callee (see `Exit::GrowStack`).
        ctx.sp = sp;
        ctx.fp = fp;
        ctx.outcome = Outcome::GrowStack { instance: target, def_index: def, resume_ip: ip };
        return;
    }
    if ctx.nframes == ctx.frames_cap {
        // The frames do not point into themselves, so the vector may move.
        let frames = &mut store.stack.frames;
        frames.set_len(ctx.nframes);
        frames.reserve(ctx.nframes.max(16));
        ctx.frames = frames.as_mut_ptr();
        ctx.frames_cap = frames.capacity().min(store.stack.max_frames);
    }
    push_caller(ctx, ip, fp);
    let mem = if target != ctx.inst_idx { switch_instance(ctx, target) } else { mem };
    zero_slots(sp, cf.num_locals as usize);
    let sp = sp.add(cf.num_locals as usize);
    let ip = cf.ops.as_ptr();
    ctx.func = def;
    ((*ip).handler)(ip, sp, new_fp, tos, ctx, mem)
}

/// Slots kept free at the end of the value stack for the inline call path's zeroing.
const ZEROING_PAD: usize = 8;

/// Runs threaded code from `frame` (see [`super::run`]).
pub(crate) unsafe fn run(store: &mut StoreInner, frame: Frame, base_depth: usize) -> Result<Exit, Trap> {
    let slots = store.stack.slots.as_mut_ptr();
    // Room for the inline call path's 8-slot zeroing past a frame (see `call_wasm!`).
    let slots_end = slots.add(store.stack.slots.len().saturating_sub(ZEROING_PAD));
    let inst: *const InstanceEntity = &*store.instances[frame.instance as usize];
    let mem = load_mem(store, inst);
    let mem_entity = mem_entity(store, inst);
    let module: *const ModuleInner = &*(&*inst).module.inner;
    let frames = &mut store.stack.frames;
    let (nframes, frames_cap) = (frames.len(), frames.capacity().min(store.stack.max_frames));
    let frames = frames.as_mut_ptr();
    let mut ctx = Ctx {
        store,
        slots,
        slots_end,
        frames,
        nframes,
        frames_cap,
        globals: (&*inst).global_ptrs.as_ptr(),
        mem_len: mem.len,
        mem_entity,
        inst,
        module,
        compiled: (*module).compiled.as_ptr(),
        inst_idx: frame.instance,
        func: frame.func,
        call_target: 0,
        call_def: 0,
        base_depth,
        outcome: Outcome::Return,
        sp: std::ptr::null_mut(),
        fp: std::ptr::null_mut(),
    };
    let ip = frame.ip as *const Op;
    let sp = slots.add((*ctx.store).stack.sp);
    let fp = slots.add(frame.fp);
    let tos = *sp.sub(1);
    ((*ip).handler)(ip, sp, fp, tos, &mut ctx, mem.base);
    let store = &mut *ctx.store;
    // SAFETY: the loop wrote every frame below `nframes` (or found it there), within capacity.
    store.stack.frames.set_len(ctx.nframes);
    store.stack.sp = ctx.sp.offset_from(slots) as usize;
    // Where a run that left the loop continues: at `ip`, in the frame that was running.
    let resume = |ip: *const Op| Frame {
        ip: ip as usize,
        code: 0,
        fp: ctx.fp.offset_from(slots) as usize,
        instance: ctx.inst_idx,
        func: ctx.func,
    };
    match ctx.outcome {
        Outcome::Return => Ok(Exit::Return),
        Outcome::Host { func, resume_ip } => {
            Ok(Exit::Host { func, caller_instance: ctx.inst_idx, resume: resume(resume_ip) })
        }
        Outcome::Grow { kind, index, delta, resume_ip } => {
            Ok(Exit::Grow { kind, index, delta, resume: resume(resume_ip) })
        }
        Outcome::GrowStack { instance, def_index, resume_ip } => {
            Ok(Exit::GrowStack { instance, def_index, resume: resume(resume_ip) })
        }
        Outcome::Trap(code) => Err(trap(store, code, (ctx.inst_idx, ctx.func), base_depth)),
    }
}
