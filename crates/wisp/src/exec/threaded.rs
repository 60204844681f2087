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

use super::ops::{self, Slot};
use super::{ea, load_mem, move_many_slots, move_slots, trap, zero_slots, Exit, Frame, GrowKind};
use crate::isa::Instr;
use crate::module::ModuleInner;
use crate::store::{FuncKind, InstanceEntity, MemoryEntity, StoreInner, PAGE_SIZE};
use crate::trap::{Trap, TrapCode};

/// A handler: instruction pointer, stack pointer, frame base, memory base, context, and the
/// top of the operand stack (cached in a register; its slot, `sp - 1`, is stale until flushed).
pub(crate) type Handler = unsafe fn(*const Op, *mut u64, *mut u64, *mut u8, &mut Ctx, u64);

/// One instruction of threaded code: its handler, then the instruction itself (the handler
/// reads its immediates from it).
#[derive(Clone, Copy)]
#[repr(C)]
pub(crate) struct Op {
    handler: Handler,
    instr: Instr,
}

impl Op {
    pub(crate) fn instr(&self) -> Instr {
        self.instr
    }
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
    code: *const Op,
    globals: *const *mut u64,
    mem_len: usize,
    /// The current instance's memory 0 (null when it has none). Stable for the whole run:
    /// memories are only created by instantiation, which never happens inside a run.
    mem_entity: *mut MemoryEntity,
    inst: *const InstanceEntity,
    module: *const ModuleInner,
    inst_idx: u32,
    func: u32,
    base_depth: usize,
    outcome: Outcome,
    sp: *mut u64,
    fp: *mut u64,
}

/// Threaded code for a translated function: the same instructions, each with its handler.
pub(crate) fn lower(code: &[Instr]) -> Box<[Op]> {
    code.iter().map(|&instr| Op { handler: handler_for(&instr), instr }).collect()
}

macro_rules! threaded_handlers {
    ($d:tt ; $( $variant:ident $({ $($field:ident),* })? => $body:expr, )*) => {
        #[allow(non_snake_case, unused_mut, unused_macros, unused_variables, unused_assignments, unreachable_code, clippy::all)]
        mod h {
            use super::*;
            $(
                pub(super) unsafe fn $variant(ip: *const Op, sp: *mut u64, fp: *mut u64, mem: *mut u8, ctx: &mut Ctx, tos: u64) {
                    let Instr::$variant $({ $($field),* })? = (*ip).instr else {
                        // SAFETY: `lower` pairs each instruction with its own variant's handler.
                        std::hint::unreachable_unchecked()
                    };
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
                            ip = ctx.code.add($d target as usize);
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
                        () => {{
                            if !ctx.mem_entity.is_null() {
                                let data = &mut (*ctx.mem_entity).data;
                                mem = data.as_mut_ptr();
                                ctx.mem_len = data.len();
                            }
                        }};
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
                    macro_rules! switch_instance {
                        ($d idx:expr) => {{
                            ctx.inst_idx = $d idx;
                            ctx.inst = &*(&*ctx.store).instances[ctx.inst_idx as usize];
                            ctx.module = &*(&*ctx.inst).module.inner;
                            ctx.globals = (&*ctx.inst).global_ptrs.as_ptr();
                            ctx.mem_entity = mem_entity(&mut *ctx.store, ctx.inst);
                            mem = std::ptr::null_mut();
                            ctx.mem_len = 0;
                            reload_mem!();
                        }};
                    }
                    macro_rules! ret {
                        ($d keep:expr) => {{
                            let k = $d keep as usize;
                            if k == 1 {
                                // The result is the cached top: store it where the caller wants it.
                                *fp = tos;
                            } else if k > 1 {
                                flush!();
                                move_many_slots(sp.sub(k), fp, k);
                            }
                            sp = fp.add(k);
                            let store = &mut *ctx.store;
                            if store.stack.frames.len() == ctx.base_depth {
                                ctx.sp = sp;
                                ctx.outcome = Outcome::Return;
                                return;
                            }
                            let f = store.stack.frames.pop().expect("a caller frame above the base");
                            ip = f.ip as *const Op;
                            ctx.code = f.code as *const Op;
                            fp = ctx.slots.add(f.fp);
                            ctx.func = f.func;
                            if f.instance != ctx.inst_idx {
                                switch_instance!(f.instance);
                            } else {
                                // The callee may have grown the memory.
                                reload_mem!();
                            }
                            reload!();
                        }};
                    }
                    macro_rules! call_wasm {
                        ($d target:expr, $d def:expr) => {{
                            let target: u32 = $d target;
                            let def: u32 = $d def;
                            flush!();
                            let store = &mut *ctx.store;
                            let target_module: &ModuleInner = if target == ctx.inst_idx {
                                &*ctx.module
                            } else {
                                &store.instances[target as usize].module.inner
                            };
                            let cf: *const crate::translate::CompiledFunc = target_module.code_for_call(def);
                            let cf = &*cf;
                            let new_fp = sp.sub(cf.num_params as usize);
                            let need = new_fp.offset_from(ctx.slots) as usize + cf.max_height as usize;
                            if store.stack.frames.len() >= store.stack.max_frames || need > store.stack.max_slots {
                                trap!(TrapCode::StackOverflow);
                            }
                            if need > store.stack.slots.len() {
                                // Grown outside the loop, which then enters the callee (see
                                // `Exit::GrowStack`); the top of stack was flushed above.
                                ctx.sp = sp;
                                ctx.fp = fp;
                                ctx.outcome = Outcome::GrowStack { instance: target, def_index: def, resume_ip: ip };
                                return;
                            }
                            store.stack.frames.push(Frame {
                                ip: ip as usize,
                                code: ctx.code as usize,
                                fp: fp.offset_from(ctx.slots) as usize,
                                instance: ctx.inst_idx,
                                func: ctx.func,
                            });
                            if target != ctx.inst_idx {
                                switch_instance!(target);
                            }
                            zero_slots(sp, cf.num_locals as usize);
                            sp = sp.add(cf.num_locals as usize);
                            fp = new_fp;
                            ctx.code = cf.ops.as_ptr();
                            ip = ctx.code;
                            ctx.func = def;
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
                    ((*ip).handler)(ip, sp, fp, mem, ctx, tos)
                }
            )*
        }

        fn handler_for(i: &Instr) -> Handler {
            match i {
                $( Instr::$variant { .. } => h::$variant, )*
            }
        }
    };
}

for_each_handler!(threaded_handlers $);

/// The instance's memory 0, or null.
unsafe fn mem_entity(store: &mut StoreInner, inst: *const InstanceEntity) -> *mut MemoryEntity {
    match (&*inst).memories.first() {
        Some(&m) => &mut store.memories[m as usize],
        None => std::ptr::null_mut(),
    }
}

/// Runs threaded code from `frame` (see [`super::run`]).
pub(crate) unsafe fn run(store: &mut StoreInner, frame: Frame, base_depth: usize) -> Result<Exit, Trap> {
    let slots = store.stack.slots.as_mut_ptr();
    let inst: *const InstanceEntity = &*store.instances[frame.instance as usize];
    let mem = load_mem(store, inst);
    let mem_entity = mem_entity(store, inst);
    let mut ctx = Ctx {
        store,
        slots,
        code: frame.code as *const Op,
        globals: (&*inst).global_ptrs.as_ptr(),
        mem_len: mem.len,
        mem_entity,
        inst,
        module: &*(&*inst).module.inner,
        inst_idx: frame.instance,
        func: frame.func,
        base_depth,
        outcome: Outcome::Return,
        sp: std::ptr::null_mut(),
        fp: std::ptr::null_mut(),
    };
    let ip = frame.ip as *const Op;
    let sp = slots.add((*ctx.store).stack.sp);
    let fp = slots.add(frame.fp);
    let tos = *sp.sub(1);
    ((*ip).handler)(ip, sp, fp, mem.base, &mut ctx, tos);
    let store = &mut *ctx.store;
    store.stack.sp = ctx.sp.offset_from(slots) as usize;
    // Where a run that left the loop continues: at `ip`, in the frame that was running.
    let resume = |ip: *const Op| Frame {
        ip: ip as usize,
        code: ctx.code as usize,
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
