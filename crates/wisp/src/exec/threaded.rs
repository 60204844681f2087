//! The threaded backend: every instruction is a handler function that ends by calling the next
//! instruction's handler in tail position.
//!
//! Each handler keeps the hot state in its arguments (instruction pointer, stack pointer, frame
//! base, memory base: all in registers under the C calling convention) and the rest in a
//! [`Ctx`]. With optimizations on, LLVM turns the final call into a jump, so every instruction
//! ends in its own indirect jump, which branch predictors handle far better than the portable
//! loop's single shared one. Without optimizations the calls would nest and overflow the Rust
//! stack, so this backend is chosen only where wisp is compiled with an opt-level above 0
//! (`cfg(wisp_threaded)`, set by `build.rs`); a test in `tests/dispatch.rs` runs millions of
//! instructions on a small thread stack to prove the tail calls are still jumps.
//!
//! Handlers are `unsafe fn`s: they take raw pointers whose validity the previous handler
//! vouches for, and are called through the [`Handler`] pointer type. Their bodies are safe
//! code around the primitive macros' `unsafe` blocks (see `exec`'s module documentation); the
//! state they share lives in [`Ctx`], whose invariant lets the helpers that only touch it be
//! safe functions.

use super::handlers::{grow_result, in_bounds, range, sat};
use super::ops::{self, Slot};
use super::{ea, ea64, load_mem, move_many_slots, move_slots, trap, zero_slots, Exit, Frame, GrowKind};
use crate::isa::generated_handlers;
use crate::isa::Instr;
use crate::module::ModuleInner;
use crate::store::{FuncKind, InstanceEntity, MemoryEntity, StoreInner, PAGE_SIZE};
use crate::translate::CompiledFunc;
use crate::trap::{Trap, TrapCode};
use std::sync::OnceLock;

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

/// The debug builds' checks read the translator's ops and the tests' instructions alike.
#[cfg(any(debug_assertions, test))]
impl AsRef<Instr> for Op {
    fn as_ref(&self) -> &Instr {
        &self.instr
    }
}

#[cfg(any(debug_assertions, test))]
impl AsRef<Instr> for Instr {
    fn as_ref(&self) -> &Instr {
        self
    }
}

impl Op {
    /// `instr` with replica 0 of its handler; [`lower`] picks the replicas, and the handlers
    /// that use the processor's own instructions (`hw`).
    #[inline]
    pub(crate) fn new(instr: Instr) -> Op {
        Op { handler: handlers_for(&instr)[0], instr }
    }

    /// The instruction this op runs.
    pub(crate) fn instr(&self) -> &Instr {
        &self.instr
    }

    /// The instruction, to patch before [`lower`]: its fields only, never its variant
    /// (the handler was chosen by it).
    pub(crate) fn instr_mut(&mut self) -> &mut Instr {
        &mut self.instr
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
    Host {
        func: u32,
        resume_ip: *const Op,
    },
    HostFailed {
        resume_ip: *const Op,
    },
    Throw {
        exn: u32,
        resume_ip: *const Op,
    },
    GrowStack {
        instance: u32,
        def_index: u32,
        resume_ip: *const Op,
        tail: bool,
    },
    Grow {
        kind: GrowKind,
        index: u32,
        delta: u64,
        resume_ip: *const Op,
    },
    /// A trap, at the instruction `at`.
    Trap(TrapCode, *const Op),
}

/// The state a handler does not keep in registers.
///
/// Its invariant, made by `run` and kept by every function that changes it: `store` is the
/// run's store and nothing else uses it while the loop runs; `inst`, `module`, `compiled`,
/// `globals` and `mem_entity` belong to instance `inst_idx` of that store; `slots` is the
/// value stack's start and `frames` the frame vector's buffer with room for `frames_cap`. All
/// of these stay valid for the whole run: no instance, memory or global is created, dropped
/// or moved inside it, and the value stack and frame vector move only where `run` and
/// `call_slow` reset these fields. The functions of this module that take `&mut Ctx` rely on
/// it, which is why some of them (`switch_instance`, `reload_mem`) are safe to call.
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
    compiled: *const OnceLock<CompiledFunc>,
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

/// `p` unchanged, through an empty `asm!` the compiler cannot see through. A handler's `ip`
/// goes through it before the next handler is loaded: the load then reads the advanced `ip`
/// instead of an offset from the old one, so the two are not live at once. With six registers
/// held by a handler's arguments that one register more made 62 hot handlers save and restore
/// `rbx` (RATIONALE.md, "The next handler is loaded from the advanced `ip`").
#[inline(always)]
#[allow(clippy::pointers_in_nomem_asm_block, reason = "the template reads and writes no memory")]
fn opaque<T>(mut p: *const T) -> *const T {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    // SAFETY: the template is a comment: no instruction runs, so no memory, stack, flags or
    // register other than `p`'s own (which it leaves as it was) is touched.
    unsafe {
        std::arch::asm!("/* {0} */", inout(reg) p, options(pure, nomem, nostack, preserves_flags))
    };
    p
}

/// The most instructions a function's threaded code may have: its branch targets are byte
/// offsets that must fit in an `i32`.
pub(crate) const MAX_OPS: usize = i32::MAX as usize / std::mem::size_of::<Op>();

/// Threaded code for `code` (see [`lower`]): the instructions of a function the translator
/// did not emit as ops (one that is too large to translate), and tests.
pub(crate) fn lower_code(code: &[Instr], sites: &[(u32, u32)], loops: &[(u32, u32)]) -> Box<[Op]> {
    let mut ops: Box<[Op]> = code.iter().map(|&instr| Op::new(instr)).collect();
    lower(&mut ops, sites, loops, popcnt());
    ops
}

/// Whether the processor has `popcnt`, which `hw`'s handlers use.
#[inline]
pub(crate) fn popcnt() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::arch::is_x86_feature_detected!("popcnt");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Makes the translator's ops (each with replica 0 of its handler, [`Op::new`]) threaded code,
/// in place. Branch targets become byte offsets from the branching instruction (a
/// `br_table`'s entries: from the `br_table`), so a jump is one add to the instruction
/// pointer, with no code base and no scaling. `ops` has at most [`MAX_OPS`] instructions.
/// `hw`: some op may take a handler of `hw` (the processor has `popcnt` and the function
/// counts bits); only then are all ops looked at for one.
///
/// A hot instruction inside a loop without calls (`loops`: disjoint ranges `(first, last)` in
/// order, as the translator found them; [`check_loops`]) gets one of [`REPLICAS`] copies of
/// its handler, chosen by the handlers it hands on to (the next instruction's and, for a
/// branch, its target's): a copy's closing jump sees fewer distinct targets, which the branch
/// predictor follows best (crates/wisp/RATIONALE.md, "Handler replicas, chosen by successor").
/// Only the loops and the branch sites are visited: every other op is done when emitted.
pub(crate) fn lower(ops: &mut [Op], sites: &[(u32, u32)], loops: &[(u32, u32)], hw: bool) {
    assert!(ops.len() <= MAX_OPS, "the translator bounds function size");
    let size = std::mem::size_of::<Op>() as i64;
    let handler = |instr: &Instr, r: usize| hw_handler(instr, hw).unwrap_or(handlers_for(instr)[r]);
    if hw {
        for op in ops.iter_mut() {
            if let Some(h) = hw_handler(&op.instr, true) {
                op.handler = h;
            }
        }
    }
    #[cfg(debug_assertions)]
    if !hw && popcnt() {
        for op in ops.iter() {
            assert!(hw_handler(&op.instr, true).is_none(), "{:?} counts bits, unannounced", op.instr);
        }
    }
    // In a loop, each handler chosen by the next instruction's replica 0.
    for &(first, last) in loops {
        for i in first as usize..=last as usize {
            let next = ops.get(i + 1).map_or(0, |n| handlers_for(&n.instr)[0] as usize);
            ops[i].handler = handler(&ops[i].instr, replica(next, 0));
        }
    }
    // A branch's replica by both places it goes, in a loop only (tested before its target is
    // looked at; without loops, not at all: the test on every site cost go/bench 0.8%).
    if !loops.is_empty() {
        let in_loop = |i: usize| {
            let k = loops.partition_point(|&(_, last)| (last as usize) < i);
            loops.get(k).is_some_and(|&(first, _)| first as usize <= i)
        };
        for &(site, _) in sites {
            let s = site as usize;
            if !in_loop(s) {
                continue;
            }
            let instr = ops[s].instr;
            match (instr, instr.branch_target()) {
                (Instr::BrTableTarget { .. }, _) | (_, None) => {}
                (instr, Some(target)) => {
                    let next = ops.get(s + 1).map_or(0, |n| handlers_for(&n.instr)[0] as usize);
                    let target = handlers_for(&ops[target as usize].instr)[0] as usize;
                    ops[s].handler = handler(&instr, replica(next, target));
                }
            }
        }
    }
    // Only the instructions that have a target are rewritten, as `retarget` would. A
    // `br_table`'s entry, which never runs, holds its target's handler (`table_jump!`).
    for &(site, base) in sites {
        let s = site as usize;
        if let Some(t) = ops[s].instr.branch_target_mut() {
            let target = *t as usize;
            *t = ((*t as i64 - base as i64) * size) as i32 as u32;
            if let Instr::BrTableTarget { .. } = ops[s].instr {
                ops[s].handler = ops[target].handler;
            }
        }
    }
}

/// For each instruction of `code`, whether it lies in a loop without calls: between a branch
/// back and its target, with no call among them. Such a loop runs the same few handlers over
/// and over, where a jump's targets repeat; elsewhere (Go's functions, each one loop around
/// its body and its calls) more copies only add code to fetch. Empty when there is no such
/// loop. The translator finds the same loops as it emits the branches (`loops` of [`lower`]);
/// this scan of the finished code is the check of what it found ([`check_loops`]).
#[cfg(any(debug_assertions, test))]
fn loops_without_calls(code: &[impl AsRef<Instr>], sites: &[(u32, u32)]) -> Vec<bool> {
    // The branches back, as (target, branch); a `br_table`'s entries (whose base is their
    // table, not themselves) are data, not branches.
    let back: Vec<(usize, usize)> = sites
        .iter()
        .filter(|&&(site, base)| site == base)
        .filter_map(|&(site, _)| {
            let t = code[site as usize].as_ref().branch_target()?;
            (t <= site).then_some((t as usize, site as usize))
        })
        .collect();
    if back.is_empty() {
        return Vec::new();
    }
    // The calls' positions, in order (few, usually none).
    let calls: Vec<usize> = code.iter().enumerate().filter(|(_, i)| i.as_ref().is_call()).map(|(at, _)| at).collect();
    // +1 where a loop starts, -1 past where it ends; the running sum counts the loops.
    let mut edges = vec![0i32; code.len() + 1];
    let mut any = false;
    for (t, s) in back {
        let first_call = calls.partition_point(|&c| c < t);
        if calls.get(first_call).is_none_or(|&c| c > s) {
            edges[t] += 1;
            edges[s + 1] -= 1;
            any = true;
        }
    }
    if !any {
        return Vec::new();
    }
    let mut depth = 0;
    edges
        .into_iter()
        .map(|e| {
            depth += e;
            depth > 0
        })
        .collect()
}

/// How many copies of each hot handler there are (a power of two).
const REPLICAS: usize = 4;

/// The replica for an instruction whose successors have the handlers `next` and `target`
/// (replica 0 of each; 0 for none). Only the low 12 bits of each address are hashed: they
/// stay the same wherever the binary is loaded, so a build chooses the same way every run.
fn replica(next: usize, target: usize) -> usize {
    let key = (next & 0xfff) as u32 | ((target & 0xfff) as u32) << 12;
    (key.wrapping_mul(0x9e37_79b1) >> 30) as usize & (REPLICAS - 1)
}

/// The handler that uses an instruction the processor has (`hw`), if `i` has one.
fn hw_handler(i: &Instr, popcnt: bool) -> Option<Handler> {
    #[cfg(target_arch = "x86_64")]
    if popcnt {
        return hw::handler_for(i);
    }
    let _ = (i, popcnt);
    None
}

/// Debug builds: `loops` (the translator's, as `lower` takes them) are disjoint ranges in
/// order that cover exactly the instructions a scan of the code finds in loops without calls.
#[cfg(debug_assertions)]
pub(crate) fn check_loops(code: &[impl AsRef<Instr>], sites: &[(u32, u32)], loops: &[(u32, u32)]) {
    assert!(loops.windows(2).all(|w| w[0].1 < w[1].0), "loops not disjoint and in order: {loops:?}");
    let mut found = vec![false; code.len()];
    for &(first, last) in loops {
        assert!(first <= last && (last as usize) < code.len(), "loop {first}..={last} of {}", code.len());
        found[first as usize..=last as usize].fill(true);
    }
    let mut expected = loops_without_calls(code, sites);
    expected.resize(code.len(), false);
    assert_eq!(found, expected, "the translator's loops without calls, {loops:?}");
}

/// Debug builds: `sites` names every instruction of `code` that has a branch target, once,
/// with the base `retarget` would give it.
#[cfg(debug_assertions)]
pub(crate) fn check_sites(code: &[impl AsRef<Instr>], sites: &[(u32, u32)]) {
    let mut expected = Vec::new();
    let mut table = 0;
    for (i, instr) in code.iter().map(AsRef::as_ref).enumerate() {
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

/// The handlers in two modules, hot and cold (the blocks `for_each_handler!` gives): a build
/// without LTO lays out a module's functions by symbol name, so the module path keeps the hot
/// ones together, before the cold (crates/wisp/RATIONALE.md, "Handler placement without LTO").
/// With fat LTO `handlers_for`'s tables, in `Instr`'s order, decide instead.
macro_rules! threaded_handlers {
    ($d:tt ; { $($hot:tt)* } { $($cold:tt)* }) => {
        #[allow(non_snake_case, unused_mut, unused_macros, unused_variables, unused_assignments, unreachable_code, clippy::all)]
        mod h {
            pub(super) use self::cold::*;
            pub(super) use self::hot::*;
            mod hot {
                use super::super::*;
                handler_fns!($d ; $($hot)*);
            }
            mod cold {
                use super::super::*;
                handler_fns!($d ; $($cold)*);
            }
        }
        handler_table!({ $($hot)* } { $($cold)* });
    };
}

// The primitives a handler body uses, written once: each handler defines a one-line
// `macro_rules!` per primitive that passes its own state (`ip`, `sp`, `fp`, `tos`, `ctx`,
// `mem`, `this`: identifiers only the handler's own definitions can name, by hygiene) to these.
// Defining each whole primitive inside every handler made the crate expand to 712,836 lines
// (`-Zunpretty=expanded`); passing the state instead, to 466,355 (2026-12-07).

macro_rules! t_flush {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident]) => {
        // SAFETY: `sp - 1` is the top operand or, on an empty operand stack,
        // the frame's pad slot (`CompiledFunc::num_locals`): inside the frame.
        unsafe { *$sp.sub(1) = $tos }
    };
}

macro_rules! t_reload {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident]) => {
        // SAFETY: as for `flush!`.
        $tos = unsafe { *$sp.sub(1) }
    };
}

macro_rules! t_trap {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $code:expr) => {{
        // The operands are dead: a trap ends the call, which unwinds the value
        // stack to its base. The frame base is live in every handler and lies
        // in the value stack, where the loop's exit reads `ctx.sp`; a store's
        // popped `sp` here kept a register more live beside the old one
        // (RATIONALE.md, "The next handler is loaded from the advanced `ip`").
        $ctx.sp = $fp;
        $ctx.outcome = Outcome::Trap($code, $this);
        return;
    }};
}

macro_rules! t_throw {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $exn:expr) => {{
        let exn: u32 = $exn;
        // The operands below stay: a handler's label may keep some.
        flush!();
        $ctx.sp = $sp;
        $ctx.fp = $fp;
        $ctx.outcome = Outcome::Throw { exn, resume_ip: $ip };
        return;
    }};
}

macro_rules! t_pop {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident]) => {{
        let v = $tos;
        // SAFETY: the translator's heights, checked against the validator's,
        // put an operand here, so `sp - 2` is the next operand or the pad slot.
        unsafe {
            $sp = $sp.sub(1);
            $tos = *$sp.sub(1);
        }
        v
    }};
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $t:ty) => {
        <$t as Slot>::from_slot(t_pop!([$ip $sp $fp $tos $ctx $mem $this]))
    };
}

macro_rules! t_push {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $v:expr) => {{
        let v = Slot::to_slot($v);
        // SAFETY: the translator's heights keep the operand stack within the
        // frame's `max_height` slots, reserved when it was entered.
        unsafe {
            *$sp.sub(1) = $tos;
            $sp = $sp.add(1);
        }
        $tos = v;
    }};
}

macro_rules! t_local {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $i:expr) => {
        *{
            let i = $i as usize;
            // SAFETY: validation checked the local index against the function's
            // parameters and locals, which start at the frame base.
            unsafe { &mut *$fp.add(i) }
        }
    };
}

macro_rules! t_global_hi {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $i:expr) => {
        *{
            let i = $i as usize;
            // SAFETY: as for `global!`; a `v128` global's cell is two slots, and
            // validation checked this one is a `v128`.
            unsafe { &mut *(*$ctx.globals.add(i)).add(1) }
        }
    };
}

macro_rules! t_global {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $i:expr) => {
        *{
            let i = $i as usize;
            // SAFETY: validation checked the global index; the instance's global
            // pointers point at its globals' cells in the store, valid for the
            // whole run, and no other reference to a global's value is live.
            unsafe { &mut **$ctx.globals.add(i) }
        }
    };
}

macro_rules! t_jump {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $target:expr) => {{
        let offset = $target as i32 as isize;
        // SAFETY: branch targets were patched to instructions of the same
        // function; `lower` made them byte offsets from the branch.
        $ip = unsafe { $this.byte_offset(offset) };
        taken();
    }};
}

macro_rules! t_table_at {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $target:expr) => {{
        let offset = $target as i32 as isize;
        // SAFETY: branch targets were patched to instructions of the same
        // function; `lower` made them byte offsets from the branch.
        unsafe { (*$this.byte_offset(offset)).instr }
    }};
}

// Entry `min(i, len)` of the `br_table` of `len` whose first entry is at
// `first`, as the op it is.
macro_rules! t_table_entry_op {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $first:expr, $i:expr, $len:expr) => {{
        let i = ($i).min($len) as usize;
        // SAFETY: `first` is the first of the `len + 1` entries that follow a
        // `br_table` of `len` (`br_table_entry!`: `ip` before any jump;
        // `jump_via_table!`: the entry after the table at a threaded branch's
        // target), and `i <= len`.
        unsafe { &*($first).add(i) }
    }};
}

// An entry's (target, drop, keep), the target a byte offset from its table.
macro_rules! t_entry_parts {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $entry:expr) => {{
        let entry: &Op = $entry;
        match entry.instr {
            Instr::BrTableTarget { target, drop, keep } => (target, drop, keep),
            // SAFETY: the translator emits only entries after a `br_table`.
            _ => unsafe { std::hint::unreachable_unchecked() },
        }
    }};
}

// Entry `min(i, len)` of the `br_table` of `len` whose first entry is at
// `first`: its (target, drop, keep).
macro_rules! t_table_entry {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $first:expr, $i:expr, $len:expr) => {
        entry_parts!(table_entry_op!($first, $i, $len))
    };
}

// Jumps to the target of entry `i` of the `br_table` at branch target `table`.
macro_rules! t_jump_via_table {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $table:expr, $i:expr, $len:expr) => {{
        // SAFETY: `table` is a branch target (`lower` made it a byte offset from
        // this instruction) that heads a `br_table` of `len` (the jump
        // threading's condition), so it and the entry after it lie in this
        // function's code.
        let (head, first) = unsafe {
            let head = $this.byte_offset($table as i32 as isize);
            (head, head.add(1))
        };
        table_jump!(head, first, $i, $len)
    }};
}

macro_rules! t_br_table_entry {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $i:expr, $len:expr) => {
        table_entry!($ip, $i, $len)
    };
}

macro_rules! t_jump_table {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $i:expr, $len:expr) => {{
        // `ip` is the entry after this `br_table`; targets count from it.
        table_jump!($this, $ip, $i, $len)
    }};
}

// Entry `min(i, len)` of the table of `len` at `head`, whose first entry is
// `first`: ends the handler in its target's handler, which `lower` copied
// into the entry, so it loads beside the target's offset rather than from the
// target after it (one load fewer between the index and the jump: what a
// mispredicted `switch` waits for).
macro_rules! t_table_jump {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $head:expr, $first:expr, $i:expr, $len:expr) => {{
        let head: *const Op = $head;
        let entry = table_entry_op!($first, $i, $len);
        let (target, _, _) = entry_parts!(entry);
        // SAFETY: an entry's target is a byte offset from its table to an
        // instruction of the same function.
        $ip = unsafe { head.byte_offset(target as i32 as isize) };
        let next = entry.handler;
        // SAFETY: `ip` is an instruction of this function (above).
        debug_assert!(next as usize == unsafe { (*$ip).handler } as usize, "an entry holds its target's handler");
        // SAFETY: `next` is the handler of the instruction at `ip` (`lower`),
        // which runs in this frame: the tail's precondition.
        return unsafe { next($ip, $sp, $fp, $tos, $ctx, $mem) };
    }};
}

macro_rules! t_reload_mem {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident]) => {
        $mem = reload_mem($ctx, $mem)
    };
}

macro_rules! t_store {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident]) => {
        // SAFETY: `Ctx::store` is the run's store, which nothing else uses
        // while the loop runs; a body's borrows of it reach disjoint parts
        // of the store or end before the next one is made.
        unsafe { &mut *$ctx.store }
    };
}

macro_rules! t_inst {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident]) => {
        // SAFETY: `Ctx::inst` is the running instance, boxed in the store; no
        // instance is created, dropped or moved during a run.
        unsafe { &*$ctx.inst }
    };
}

macro_rules! t_module {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident]) => {
        // SAFETY: `Ctx::module` is the running instance's module, which the
        // instance keeps alive.
        unsafe { &*$ctx.module }
    };
}

macro_rules! t_ret {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $keep:expr) => {{
        let k = $keep as usize;
        if k == 1 {
            // The result is the cached top: store it where the caller wants it.
            // SAFETY: the frame base is a slot of the frame.
            unsafe { *$fp = $tos };
        } else if k > 1 {
            flush!();
            // SAFETY: the translator's heights put the `k` results on top of
            // the operand stack; the frame base has room for them.
            return unsafe { return_many($sp, $fp, $mem, $ctx, k) };
        }
        // SAFETY: the results are in place at the frame base, within the frame.
        return unsafe { finish_return($fp.add(k), $mem, $ctx) };
    }};
}

macro_rules! t_ret_imm {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $v:expr) => {
        ret_imm!($v, (crate::exec::NO_GLOBAL, 0))
    };
    // `known`: a global this handler has just written, and its value.
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $v:expr, $known:expr) => {{
        let v: u64 = $v;
        if v == 0 {
            // SAFETY: a frame with one result, at `fp`.
            return unsafe { return_zero($fp, $mem, $ctx, $known) };
        }
        // SAFETY: the frame base is the first slot of a frame with at least
        // one (the result).
        unsafe { *$fp = v };
        // SAFETY: the result is in place at the frame base, within the frame.
        return unsafe { finish_return($fp.add(1), $mem, $ctx) };
    }};
}

macro_rules! t_call_wasm {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $target:expr, $def:expr) => {
        call_wasm!($target, $def, false, false)
    };
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $target:expr, $def:expr, $past_dispatch:expr) => {
        call_wasm!($target, $def, $past_dispatch, false)
    };
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $target:expr, $def:expr, $past_dispatch:expr, $tail:expr) => {
        call_wasm!($target, $def, $past_dispatch, $tail, (crate::exec::NO_GLOBAL, 0))
    };
    // A `tail` call: the callee's frame replaces this one, from its base.
    // `known`: a global the caller has just written, and its value (`go_entry!`).
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $target:expr, $def:expr, $past_dispatch:expr, $tail:expr, $known:expr) => {{
        let target: u32 = $target;
        let def: u32 = $def;
        flush!();
        // The common case inline: a translated function of this instance, with
        // room for its frame. Everything else continues in `call_slow`, by a
        // tail call, so this handler keeps its registers free.
        let translated = if target == $ctx.inst_idx {
            // SAFETY: validation checked `def` against the module's functions;
            // `Ctx::compiled` is the running module's table, valid for the run.
            unsafe { &*$ctx.compiled.add(def as usize) }.get()
        } else {
            None
        };
        let room = |cf: &crate::translate::CompiledFunc| {
            if $tail {
                $fp as usize + cf.max_height as usize * 8 <= $ctx.slots_end as usize
            } else {
                $sp as usize + (cf.max_height as usize - cf.num_params as usize) * 8 <= $ctx.slots_end as usize
                    && $ctx.nframes != $ctx.frames_cap
            }
        };
        let cf: &crate::translate::CompiledFunc = match translated {
            Some(cf) if room(cf) => cf,
            _ => {
                $ctx.call_target = target;
                $ctx.call_def = def;
                // SAFETY: the handler's state, with the cached top flushed.
                return unsafe { call_slow::<{ $tail }>($ip, $sp, $fp, $tos, $ctx, $mem) };
            }
        };
        // The callee starts with an empty operand stack: nothing is cached.
        $tos = 0;
        let n = cf.num_params as usize;
        if $tail {
            // SAFETY: the arguments are the top `num_params` operands
            // (validation checked the call's type), above the frame base.
            unsafe {
                move_slots($sp.sub(n), $fp, n);
                $sp = $fp.add(n);
            }
        } else {
            // SAFETY: `nframes != frames_cap`, checked above.
            unsafe { push_caller($ctx, $ip, $fp) };
            // SAFETY: the arguments are the top `num_params` operands
            // (validation checked the call's type), so the callee's frame
            // starts in this one.
            $fp = unsafe { $sp.sub(n) };
        }
        $ctx.func = def;
        // Zeroes the locals eight slots at a time, past them into the callee's
        // operand area and at most 8 slots past its frame, which `slots_end`
        // keeps room for (everything above `sp` is dead).
        // SAFETY: the callee's frame ends before `slots_end` (checked above).
        let locals_end = unsafe { $sp.add(cf.num_locals as usize) };
        loop {
            // SAFETY: `sp` is below `locals_end`, so these 8 slots end at most 8
            // past the callee's frame, which ends before `slots_end`, `ZEROING_PAD`
            // slots before the end of the value stack.
            unsafe {
                // Volatile, so the loop stays eight inline stores instead of a memset call.
                for i in 0..8 {
                    std::ptr::write_volatile($sp.add(i), 0);
                }
                $sp = $sp.add(8);
            }
            if $sp >= locals_end {
                break;
            }
        }
        $sp = locals_end;
        $ip = cf.ops.as_ptr();
        let entry = cf.entry;
        if $past_dispatch && entry.at != 0 {
            // The callee's `GlobalGetSet`, run here (its own immediates),
            // then where its dispatch sends resume point 0, or past Go's
            // prologue when its check passes (`ResumeEntry`).
            let (v, at) = go_entry!(entry, $known);
            local!(entry.local) = v;
            // SAFETY: `at` and `body` are instructions of the callee's code.
            $ip = unsafe { $ip.add(at as usize) };
        }
    }};
}

macro_rules! t_tail_call_wasm {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $target:expr, $def:expr) => {
        call_wasm!($target, $def, false, true)
    };
}

macro_rules! t_grow_exit {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $kind:expr, $index:expr, $delta:expr) => {{
        flush!();
        $ctx.sp = $sp;
        $ctx.fp = $fp;
        let (kind, index, delta) = ($kind, $index as u32, $delta);
        $ctx.outcome = Outcome::Grow { kind, index, delta, resume_ip: $ip };
        return;
    }};
}

macro_rules! t_call_store_func {
    ([$ip:ident $sp:ident $fp:ident $tos:ident $ctx:ident $mem:ident $this:ident] $f:expr) => {{
        let f: u32 = $f;
        // SAFETY: `Ctx::store` is the run's store, only read here.
        let store = unsafe { &*$ctx.store };
        match store.funcs[f as usize].kind {
            FuncKind::Wasm { instance, def_index } => call_wasm!(instance, def_index),
            FuncKind::Host { .. } => {
                flush!();
                $ctx.call_target = f;
                // SAFETY: the handler's state, with the cached top flushed.
                return unsafe { call_host($ip, $sp, $fp, $tos, $ctx, $mem) };
            }
        }
    }};
}

/// One handler function per entry (see `threaded_handlers!`).
macro_rules! handler_fns {
    ($d:tt ; $( $variant:ident $({ $($field:ident),* })? => $body:expr, )*) => {
        $(
            /// # Safety
            ///
            /// `ip` points at this handler's instruction in the running function's threaded
            /// code, `sp` and `fp` are that function's stack pointer and frame base (its
            /// `max_height` slots reserved), `ctx` upholds [`Ctx`]'s invariant and `mem` is
            /// the current memory's base: what `run`, `call_wasm!`, `call_slow` and
            /// returns establish, and each handler hands on to the next.
            pub(in crate::exec::threaded) unsafe fn $variant<const R: u8>(ip: *const Op, sp: *mut u64, fp: *mut u64, tos: u64, ctx: &mut Ctx, mem: *mut u8) {
                // Replica `R` of the handler (`lower`). Identical functions would be merged
                // into one; a comment naming the replica keeps each its own code. (Elsewhere
                // the replicas are one function: correct, without the predictor's gain.)
                #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
                if R != 0 {
                    // SAFETY: the template is a comment: it runs nothing and touches no
                    // register, memory, stack or flag.
                    unsafe { core::arch::asm!("/* replica {0} */", const R, options(nomem, nostack, preserves_flags)) };
                }
                // The immediates, read in place from the instruction.
                // SAFETY: `ip` points at an instruction of the running function (the
                // handler's precondition), and `Op::new` pairs each instruction with its own
                // variant's handler.
                // (A body may read a field again with `imm!`, after its stores; the copy here is
                // then unused and its load goes away.)
                #[allow(unused_variables)]
                let ($($($field,)*)?) = unsafe {
                    let Instr::$variant $({ $($field),* })? = (*ip).instr else {
                        std::hint::unreachable_unchecked()
                    };
                    ($($($field,)*)?)
                };
                let this = ip;
                // Field `f` of this instruction, read where the body names it: after a store
                // to a slot, which the compiler cannot tell apart from the code, the load stays
                // after it, so the field does not take a register across the store.
                #[allow(unused_macros)]
                macro_rules! imm {
                    ($d f:ident) => {{
                        // SAFETY: as for the fields above: `this` is this handler's instruction.
                        let Instr::$variant { $d f, .. } = (unsafe { (*this).instr }) else {
                            // SAFETY: `Op::new` pairs each instruction with its own variant's handler.
                            unsafe { std::hint::unreachable_unchecked() }
                        };
                        $d f
                    }};
                }
                // SAFETY: one past an instruction is inside its function's code or one past
                // its end.
                let mut ip = unsafe { ip.add(1) };
                let mut sp = sp;
                let mut fp = fp;
                let mut mem = mem;
                let mut tos = tos;
                // The primitives (`t_*`, above), given this handler's state.
                macro_rules! flush { ($d($d a:tt)*) => { t_flush!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! reload { ($d($d a:tt)*) => { t_reload!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! trap { ($d($d a:tt)*) => { t_trap!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! throw { ($d($d a:tt)*) => { t_throw!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! pop { ($d($d a:tt)*) => { t_pop!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! push { ($d($d a:tt)*) => { t_push!([ip sp fp tos ctx mem this] $d($d a)*) } }
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
                macro_rules! local { ($d($d a:tt)*) => { t_local!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! global_hi { ($d($d a:tt)*) => { t_global_hi!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! global { ($d($d a:tt)*) => { t_global!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! jump { ($d($d a:tt)*) => { t_jump!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! table_at { ($d($d a:tt)*) => { t_table_at!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! table_entry_op { ($d($d a:tt)*) => { t_table_entry_op!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! entry_parts { ($d($d a:tt)*) => { t_entry_parts!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! table_entry { ($d($d a:tt)*) => { t_table_entry!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! jump_via_table { ($d($d a:tt)*) => { t_jump_via_table!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! br_table_entry { ($d($d a:tt)*) => { t_br_table_entry!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! jump_table { ($d($d a:tt)*) => { t_jump_table!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! table_jump { ($d($d a:tt)*) => { t_table_jump!([ip sp fp tos ctx mem this] $d($d a)*) } }
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
                macro_rules! reload_mem { ($d($d a:tt)*) => { t_reload_mem!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! store { ($d($d a:tt)*) => { t_store!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! inst { ($d($d a:tt)*) => { t_inst!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! inst_idx {
                    () => {
                        ctx.inst_idx
                    };
                }
                macro_rules! module { ($d($d a:tt)*) => { t_module!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! ret { ($d($d a:tt)*) => { t_ret!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! ret_imm { ($d($d a:tt)*) => { t_ret_imm!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! call_wasm { ($d($d a:tt)*) => { t_call_wasm!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! tail_call_wasm { ($d($d a:tt)*) => { t_tail_call_wasm!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! grow_exit { ($d($d a:tt)*) => { t_grow_exit!([ip sp fp tos ctx mem this] $d($d a)*) } }
                macro_rules! call_store_func { ($d($d a:tt)*) => { t_call_store_func!([ip sp fp tos ctx mem this] $d($d a)*) } }
                $body;
                // The advanced `ip`, opaque: the next handler is loaded from it (see `opaque`).
                let ip = opaque(ip);
                // The tail call: with optimizations, a jump to the next handler.
                // SAFETY: `ip` is the next instruction of the running function, a branch target
                // in it, or a callee's first instruction: inside threaded code.
                let next = unsafe { (*ip).handler };
                // SAFETY: `sp`, `fp`, `tos`, `ctx` and `mem` are the state of the frame `ip`
                // runs in (a callee's, set up by `call_wasm!`): the next handler's precondition.
                unsafe { next(ip, sp, fp, tos, ctx, mem) }
            }
        )*
    };
}

/// `handlers_for`, over every entry of both blocks: a hot handler has [`REPLICAS`] copies,
/// a cold one is its single copy repeated.
macro_rules! handler_table {
    ({ $( $hot:ident $({ $($hfield:ident),* })? => $hbody:expr, )* } { $( $variant:ident $({ $($field:ident),* })? => $body:expr, )* }) => {
        /// The replicas of `i`'s handler (the processor's own instructions aside: `hw`).
        #[inline]
        fn handlers_for(i: &Instr) -> &'static [Handler; REPLICAS] {
            match i {
                $( Instr::$hot { .. } => {
                    static T: [Handler; REPLICAS] = [h::$hot::<0>, h::$hot::<1>, h::$hot::<2>, h::$hot::<3>];
                    &T
                } )*
                $( Instr::$variant { .. } => {
                    static T: [Handler; REPLICAS] = [h::$variant::<0>; REPLICAS];
                    &T
                } )*
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
            Instr::I32Popcnt_L { .. } => Some(I32Popcnt_L),
            Instr::I64Popcnt_L { .. } => Some(I64Popcnt_L),
            Instr::I32Popcnt_S_Set { .. } => Some(I32Popcnt_S_Set),
            Instr::I64Popcnt_S_Set { .. } => Some(I64Popcnt_S_Set),
            _ => None,
        }
    }

    /// `popcnt` of the top of stack, of a local (pushed), and of the popped value into a local,
    /// for each width (`$ty` is what the slot is read as: an i32 is counted in its low 32 bits,
    /// as i32 readers truncate their slot).
    macro_rules! popcnt_forms {
        ($($on_stack:ident, $from_local:ident, $into_local:ident, $ty:ty;)*) => {$(
            /// # Safety
            ///
            /// A handler's (see `h`); and the processor has `popcnt` (`handler_for` checked).
            #[target_feature(enable = "popcnt")]
            unsafe fn $on_stack(ip: *const Op, sp: *mut u64, fp: *mut u64, tos: u64, ctx: &mut Ctx, mem: *mut u8) {
                // SAFETY: one past an instruction is inside its function's code or one past its end.
                let ip = unsafe { ip.add(1) };
                // SAFETY: the next instruction of the running function (`popcnt` never ends one).
                let next = unsafe { (*ip).handler };
                // SAFETY: the same frame, with the count as its top of stack.
                unsafe { next(ip, sp, fp, (tos as $ty).count_ones() as u64, ctx, mem) }
            }

            /// # Safety
            ///
            /// As for the stack form.
            #[target_feature(enable = "popcnt")]
            unsafe fn $from_local(ip: *const Op, sp: *mut u64, fp: *mut u64, tos: u64, ctx: &mut Ctx, mem: *mut u8) {
                // SAFETY: `ip` points at the running instruction.
                let Instr::$from_local { a } = (unsafe { *ip }).instr else {
                    // SAFETY: `handler_for` gives this handler only to its own instruction.
                    unsafe { std::hint::unreachable_unchecked() }
                };
                // SAFETY: validation checked the local index; the frame holds the locals.
                let v = unsafe { *fp.add(a as usize) } as $ty;
                // SAFETY: the translator's heights include the pushed slot; the cached top
                // goes to its slot below it.
                unsafe { *sp.sub(1) = tos };
                // SAFETY: one past an instruction is inside its function's code or one past
                // its end; `popcnt` never ends a function, so it is the next instruction.
                let (ip, sp) = unsafe { (ip.add(1), sp.add(1)) };
                // SAFETY: as above: the next instruction of the running function.
                let next = unsafe { (*ip).handler };
                // SAFETY: the same frame, one slot higher, the count as its top of stack.
                unsafe { next(ip, sp, fp, v.count_ones() as u64, ctx, mem) }
            }

            /// # Safety
            ///
            /// As for the stack form.
            #[target_feature(enable = "popcnt")]
            unsafe fn $into_local(ip: *const Op, sp: *mut u64, fp: *mut u64, tos: u64, ctx: &mut Ctx, mem: *mut u8) {
                // SAFETY: `ip` points at the running instruction.
                let Instr::$into_local { dst } = (unsafe { *ip }).instr else {
                    // SAFETY: `handler_for` gives this handler only to its own instruction.
                    unsafe { std::hint::unreachable_unchecked() }
                };
                // SAFETY: validation checked the local index; the frame holds the locals.
                unsafe { *fp.add(dst as usize) = (tos as $ty).count_ones() as u64 };
                // SAFETY: the operand was on the stack, so the slot below it (the new top,
                // re-read) is inside the frame; one past an instruction is inside its code.
                let (sp, ip) = unsafe { (sp.sub(1), ip.add(1)) };
                // SAFETY: as above.
                let top = unsafe { *sp.sub(1) };
                // SAFETY: the next instruction of the running function (`popcnt` never ends one).
                let next = unsafe { (*ip).handler };
                // SAFETY: the same frame, one slot lower.
                unsafe { next(ip, sp, fp, top, ctx, mem) }
            }
        )*};
    }

    popcnt_forms! {
        I32Popcnt_S, I32Popcnt_L, I32Popcnt_S_Set, u32;
        I64Popcnt_S, I64Popcnt_L, I64Popcnt_S_Set, u64;
    }
}

/// Store memory `mem0` (the instance's memory 0), or null when it has none.
fn mem_entity(store: &mut StoreInner, mem0: Option<u32>) -> *mut MemoryEntity {
    match mem0 {
        Some(m) => &mut store.memories[m as usize],
        None => std::ptr::null_mut(),
    }
}

/// Points the context at store instance `idx` (a call or return crossing instances); returns
/// the new memory base.
#[cold]
#[inline(never)]
fn switch_instance(ctx: &mut Ctx, idx: u32) -> *mut u8 {
    ctx.inst_idx = idx;
    // SAFETY: `Ctx::store` is the run's store (`Ctx`'s invariant).
    let store = unsafe { &mut *ctx.store };
    let inst: &InstanceEntity = &store.instances[idx as usize];
    ctx.inst = inst;
    ctx.module = &*inst.module.inner;
    ctx.compiled = inst.module.inner.compiled.as_ptr();
    ctx.globals = inst.global_ptrs.as_ptr();
    let mem0 = inst.memories.first().copied();
    ctx.mem_entity = mem_entity(store, mem0);
    ctx.mem_len = 0;
    reload_mem(ctx, std::ptr::null_mut())
}

/// The current memory's base (`mem` when the instance has none), its length refreshed in the
/// context: after anything that may have grown it.
#[inline(always)]
fn reload_mem(ctx: &mut Ctx, mem: *mut u8) -> *mut u8 {
    if ctx.mem_entity.is_null() {
        return mem;
    }
    // SAFETY: a non-null `Ctx::mem_entity` is the instance's memory 0 in the run's store, which
    // stays where it is for the run (`Ctx`'s invariant).
    let data = unsafe { &mut (*ctx.mem_entity).data };
    ctx.mem_len = data.len();
    data.as_mut_ptr()
}

/// The end of a return whose results are in place at the frame base, below `sp`: leaves the
/// run at its entry frame, or pops the caller's frame and continues there.
///
/// # Safety
///
/// `sp` is in the returning frame, just past its results; `ctx` and `mem` as for a handler.
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
    let f = unsafe { *ctx.frames.add(ctx.nframes) };
    let ip = f.ip as *const Op;
    // SAFETY: a saved frame's base is a slot index inside the value stack, which does not move
    // during a run.
    let fp = unsafe { ctx.slots.add(f.fp) };
    ctx.func = f.func;
    if f.instance != ctx.inst_idx {
        ctx.call_target = f.instance;
        // SAFETY: `ip` and `fp` are the caller's, the results end at `sp` in its frame.
        return unsafe { return_to_other_instance(ip, sp, fp, 0, ctx, mem) };
    }
    // `mem` and `Ctx::mem_len` are current: the callee ran in this instance, and every change
    // of its memory inside the loop (`memory.grow`, a call into another instance and back, a
    // host call) reloads them, while limited grows leave the loop, which reloads on entry.
    // SAFETY: the caller's frame lies below `sp`, its pad slot at least.
    let tos = unsafe { *sp.sub(1) };
    // SAFETY: a saved frame's instruction (the one after its call) is in threaded code.
    let next = unsafe { (*ip).handler };
    // SAFETY: the caller's frame and operands restored, the results on top.
    unsafe { next(ip, sp, fp, tos, ctx, mem) }
}

/// A return of the one result 0, Go's "no unwinding": when the caller continues in this
/// instance with Go's check of that flag (`GlobalGetSetBrNez`), the check runs here (the stack
/// pointer reloaded from its global, the flag popped, no branch) and the caller continues
/// after it, one dispatch fewer per Go call.
///
/// # Safety
///
/// `fp` is the base of the returning frame, which has a slot for its result; `ctx` and `mem`
/// as for a handler. `known` is a global of this instance the returning handler has just
/// written and its value, or `NO_GLOBAL`.
#[inline(always)]
unsafe fn return_zero(fp: *mut u64, mem: *mut u8, ctx: &mut Ctx, known: (u32, u64)) {
    if ctx.nframes != ctx.base_depth {
        // SAFETY: frames below `nframes` were written by calls of this run or are the store's
        // own, and `nframes` is above the base, so there is one.
        let f = unsafe { *ctx.frames.add(ctx.nframes - 1) };
        let ip = f.ip as *const Op;
        // SAFETY: a saved frame's instruction (the one after its call) is in threaded code.
        let check = unsafe { &(*ip).instr };
        if let (Instr::GlobalGetSetBrNez { global, dst, .. }, true) = (*check, f.instance == ctx.inst_idx) {
            ctx.nframes -= 1;
            ctx.func = f.func;
            // SAFETY: a saved frame's base is a slot index inside the value stack.
            let fp_caller = unsafe { ctx.slots.add(f.fp) };
            // A global the returning handler has just written (Go's stack pointer, by
            // `SpAdjustReturnImm`) is not read back from its cell.
            // SAFETY: the check's own immediates: validation checked its local index against
            // the caller's locals and its global index against the instance's globals (the
            // caller runs in this instance), whose pointers stay valid for the run.
            unsafe {
                *fp_caller.add(dst as usize) =
                    if global == known.0 { known.1 } else { **ctx.globals.add(global as usize) }
            };
            // The flag popped: the caller's operands end where the returning frame began.
            let sp = fp;
            // SAFETY: the caller's frame lies below `sp`, its pad slot at least.
            let tos = unsafe { *sp.sub(1) };
            // SAFETY: the check does not end a function: the instruction after it is in its code.
            let ip = unsafe { ip.add(1) };
            // SAFETY: as above.
            let next = unsafe { (*ip).handler };
            // SAFETY: the caller's frame and operands restored, past its check.
            return unsafe { next(ip, sp, fp_caller, tos, ctx, mem) };
        }
    }
    // SAFETY: the frame base is the first slot of a frame with at least one (the result).
    unsafe { *fp = 0 };
    // SAFETY: the result is in place at the frame base, within the frame.
    unsafe { finish_return(fp.add(1), mem, ctx) }
}

/// A return of several results (the cached top flushed): moved out of line, because the
/// copy is a call that would make every return save registers.
///
/// # Safety
///
/// The `k` results are the top slots below `sp`, in the frame at `fp`; as for a handler.
#[cold]
#[inline(never)]
unsafe fn return_many(sp: *mut u64, fp: *mut u64, mem: *mut u8, ctx: &mut Ctx, k: usize) {
    // SAFETY: the results and their destination at the frame base lie in the frame.
    unsafe { move_many_slots(sp.sub(k), fp, k) };
    // SAFETY: the results now end at `fp + k`, inside the frame.
    unsafe { finish_return(fp.add(k), mem, ctx) }
}

/// A return into a frame of another instance (`ret!` set `ip` and `fp` and left the instance
/// in `ctx.call_target`).
///
/// # Safety
///
/// `ip` and `fp` are a saved caller frame's, the results end at `sp`; as for a handler.
#[cold]
#[inline(never)]
unsafe fn return_to_other_instance(ip: *const Op, sp: *mut u64, fp: *mut u64, _tos: u64, ctx: &mut Ctx, _mem: *mut u8) {
    let mem = switch_instance(ctx, ctx.call_target);
    // SAFETY: the caller's frame lies below `sp`, its pad slot at least.
    let tos = unsafe { *sp.sub(1) };
    // SAFETY: a saved frame's instruction (the one after its call) is in threaded code.
    let next = unsafe { (*ip).handler };
    // SAFETY: the caller's frame, operands and instance restored, the results on top.
    unsafe { next(ip, sp, fp, tos, ctx, mem) }
}

/// Pushes the calling frame, continuing at `ip`, on the frame stack.
///
/// # Safety
///
/// `ctx.nframes < ctx.frames_cap` (at most the frame vector's capacity), and `fp` is in the
/// value stack.
#[inline(always)]
unsafe fn push_caller(ctx: &mut Ctx, ip: *const Op, fp: *mut u64) {
    // SAFETY: `nframes` is below the vector's capacity (the precondition).
    let slot = unsafe { ctx.frames.add(ctx.nframes) };
    // SAFETY: `fp` and `Ctx::slots` point into the same value stack.
    let fp = unsafe { fp.offset_from(ctx.slots) } as usize;
    let frame = Frame { ip: ip as usize, code: 0, fp, instance: ctx.inst_idx, func: ctx.func };
    // SAFETY: `slot` is inside the vector's buffer, past its initialized frames.
    unsafe { slot.write(frame) };
    ctx.nframes += 1;
}

/// Every call the inline path of `call_wasm!` does not take: a callee in another instance or
/// not yet translated, a frame stack at its capacity, or a value stack without room for the
/// callee's frame. `ip` is where the caller continues; the arguments are on the stack (the
/// cached top flushed); the callee is `ctx.call_target`/`ctx.call_def`. A `TAIL` call's
/// callee replaces the calling frame: its arguments move to the frame's base, and no frame
/// is pushed.
///
/// # Safety
///
/// As for a handler, with `ip` the instruction after the call.
#[cold]
#[inline(never)]
unsafe fn call_slow<const TAIL: bool>(
    ip: *const Op,
    sp: *mut u64,
    fp: *mut u64,
    tos: u64,
    ctx: &mut Ctx,
    mem: *mut u8,
) {
    let (target, def) = (ctx.call_target, ctx.call_def);
    // SAFETY: `Ctx::store` is the run's store (`Ctx`'s invariant).
    let store = unsafe { &mut *ctx.store };
    let target_module: &ModuleInner = if target == ctx.inst_idx {
        // SAFETY: `Ctx::module` is the running instance's module, which the instance keeps alive.
        unsafe { &*ctx.module }
    } else {
        &store.instances[target as usize].module.inner
    };
    let cf: *const CompiledFunc = target_module.code_for_call(def);
    // SAFETY: a module keeps its translated functions while an instance holds it, past this
    // run; going through a raw pointer frees `store` for the frame stack's update below.
    let cf = unsafe { &*cf };
    let n = cf.num_params as usize;
    // SAFETY: the arguments are the top `num_params` operands (validation checked the call's
    // type), so the callee's frame starts inside the caller's.
    let args = unsafe { sp.sub(n) };
    // A tail call's callee takes the calling frame's place, from its base.
    let new_fp = if TAIL { fp } else { args };
    // SAFETY: `new_fp` and `Ctx::slots` point into the same value stack.
    let need = unsafe { new_fp.offset_from(ctx.slots) } as usize + cf.max_height as usize;
    if (!TAIL && ctx.nframes >= store.stack.max_frames) || need > store.stack.max_slots {
        ctx.sp = sp;
        // At the call, the instruction before the one the caller continues at.
        ctx.outcome = Outcome::Trap(TrapCode::StackOverflow, ip.wrapping_sub(1));
        return;
    }
    let sp = if TAIL {
        // SAFETY: the arguments are operands of the calling frame, above its base.
        unsafe {
            move_slots(args, fp, n);
            fp.add(n)
        }
    } else {
        sp
    };
    if need > store.stack.slots.len() {
        // Grown outside the loop, which then enters the callee (see `Exit::GrowStack`).
        ctx.sp = sp;
        ctx.fp = fp;
        ctx.outcome = Outcome::GrowStack { instance: target, def_index: def, resume_ip: ip, tail: TAIL };
        return;
    }
    if !TAIL {
        if ctx.nframes == ctx.frames_cap {
            // The frames do not point into themselves, so the vector may move.
            let frames = &mut store.stack.frames;
            // SAFETY: the loop wrote every frame below `nframes` (or found it there), within
            // capacity.
            unsafe { frames.set_len(ctx.nframes) };
            frames.reserve(ctx.nframes.max(16));
            ctx.frames = frames.as_mut_ptr();
            ctx.frames_cap = frames.capacity().min(store.stack.max_frames);
        }
        // SAFETY: `nframes` is below the frame limit (checked above) and below the capacity
        // (made room for above); `fp` is the caller's frame base.
        unsafe { push_caller(ctx, ip, fp) };
    }
    let mem = if target != ctx.inst_idx { switch_instance(ctx, target) } else { mem };
    // SAFETY: the callee's frame, its locals included, ends inside the value stack (`need`,
    // checked above).
    let sp = unsafe {
        zero_slots(sp, cf.num_locals as usize);
        sp.add(cf.num_locals as usize)
    };
    let ip = cf.ops.as_ptr();
    ctx.func = def;
    // SAFETY: a translated function's threaded code has at least one instruction.
    let next = unsafe { (*ip).handler };
    // SAFETY: the callee's frame set up at `new_fp`, its locals zeroed, its operands empty.
    unsafe { next(ip, sp, new_fp, tos, ctx, mem) }
}

/// A call of host function `ctx.call_target` from the loop, its arguments on the stack (the
/// cached top flushed), run in place through the store's host hook: no leaving and re-entering
/// the loop. The stacks go back to the store for the call (the host function may call into
/// Wasm, which uses them and may grow them, moving them) and are taken up again after it.
/// Without a hook, the loop is left for the caller to run it (`Exit::Host`).
///
/// # Safety
///
/// As for a handler, with `ip` the instruction after the call.
#[inline(never)]
unsafe fn call_host(ip: *const Op, sp: *mut u64, fp: *mut u64, _tos: u64, ctx: &mut Ctx, mem: *mut u8) {
    let func = ctx.call_target;
    // SAFETY: `Ctx::store` is the run's store (`Ctx`'s invariant); the borrow ends here.
    let hook = unsafe { (*ctx.store).host_hook };
    let Some(hook) = hook else {
        ctx.sp = sp;
        ctx.fp = fp;
        ctx.outcome = Outcome::Host { func, resume_ip: ip };
        return;
    };
    // SAFETY: `sp`, `fp` and `Ctx::slots` point into the value stack.
    let (sp_index, fp_index) = unsafe { (sp.offset_from(ctx.slots) as usize, fp.offset_from(ctx.slots) as usize) };
    {
        // SAFETY: as above; this borrow ends before the host function runs.
        let store = unsafe { &mut *ctx.store };
        store.stack.sp = sp_index;
        // SAFETY: the loop wrote every frame below `nframes` (or found it there), within
        // capacity.
        unsafe { store.stack.frames.set_len(ctx.nframes) };
    }
    // SAFETY: the hook is the running call's (`func::run_call` sets it for its store and puts
    // the previous one back when it ends), and no reference into the store is live.
    let ok = unsafe { (hook.call)(hook.store, func, ctx.inst_idx) };
    // SAFETY: the run's store; the host function's borrows of it have ended.
    let store = unsafe { &mut *ctx.store };
    // The host function's calls into Wasm returned to it: the frame stack is as it was, but
    // it and the value stack may have moved, and the memory may have grown (or the store's
    // memories moved, when the host function instantiated a module).
    (ctx.slots, ctx.slots_end, ctx.frames, ctx.frames_cap) = stack_bounds(store);
    let slots = ctx.slots;
    // SAFETY: `Ctx::inst` is the running instance, boxed in the store (`Ctx`'s invariant).
    let mem0 = unsafe { &*ctx.inst }.memories.first().copied();
    ctx.mem_entity = mem_entity(store, mem0);
    let mem = reload_mem(ctx, mem);
    // SAFETY: the host call left `stack.sp` just past its results, in the calling frame, whose
    // base is `fp_index` (the value stack keeps slot indices when it moves).
    let (sp, fp) = unsafe { (slots.add(store.stack.sp), slots.add(fp_index)) };
    if !ok {
        ctx.sp = sp;
        ctx.fp = fp;
        ctx.outcome = Outcome::HostFailed { resume_ip: ip };
        return;
    }
    // SAFETY: the calling frame lies below `sp`, its pad slot at least.
    let tos = unsafe { *sp.sub(1) };
    // SAFETY: the instruction after the call, in threaded code.
    let next = unsafe { (*ip).handler };
    // SAFETY: the calling frame restored, the results on top.
    unsafe { next(ip, sp, fp, tos, ctx, mem) }
}

/// Slots kept free at the end of the value stack for the inline call path's zeroing.
const ZEROING_PAD: usize = 8;

/// What `Ctx` keeps of the store's stacks, read again wherever they may have moved (entering
/// the loop, after a host call): the slots' start, `slots_end` (`ZEROING_PAD` slots before
/// their end, room for the inline call path's zeroing past a frame, see `call_wasm!`), the
/// frames' buffer and how many frames it holds without leaving the inline path.
fn stack_bounds(store: &mut StoreInner) -> (*mut u64, *mut u64, *mut Frame, usize) {
    let slots = store.stack.slots.as_mut_ptr();
    // SAFETY: at most the value stack's length past its start.
    let slots_end = unsafe { slots.add(store.stack.slots.len().saturating_sub(ZEROING_PAD)) };
    let frames_cap = store.stack.frames.capacity().min(store.stack.max_frames);
    (slots, slots_end, store.stack.frames.as_mut_ptr(), frames_cap)
}

/// Runs threaded code from `frame` (see [`super::run`]).
///
/// # Safety
///
/// As for [`super::run_portable`], with `frame`'s code in threaded form.
#[inline]
pub(crate) unsafe fn run(store_ptr: *mut StoreInner, frame: Frame, base_depth: usize) -> Result<Exit, Trap> {
    // SAFETY: a live store that nothing else borrows (the precondition); this borrow ends
    // before the first handler runs.
    let store = unsafe { &mut *store_ptr };
    let nframes = store.stack.frames.len();
    let (slots, slots_end, frames, frames_cap) = stack_bounds(store);
    let entity: &InstanceEntity = &store.instances[frame.instance as usize];
    let inst: *const InstanceEntity = entity;
    let module: *const ModuleInner = &*entity.module.inner;
    let compiled = entity.module.inner.compiled.as_ptr();
    let globals = entity.global_ptrs.as_ptr();
    let mem0 = entity.memories.first().copied();
    let mem = load_mem(store, mem0);
    let mem_entity = mem_entity(store, mem0);
    let sp = store.stack.sp;
    let mut ctx = Ctx {
        store: store_ptr,
        slots,
        slots_end,
        frames,
        nframes,
        frames_cap,
        globals,
        mem_len: mem.len,
        mem_entity,
        inst,
        module,
        compiled,
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
    // SAFETY: the stack pointer and frame base are slot indices inside the value stack, and
    // the frame's pad slot at least lies below the stack pointer (the precondition).
    let (sp, fp, tos) = unsafe {
        let sp = slots.add(sp);
        (sp, slots.add(frame.fp), *sp.sub(1))
    };
    // SAFETY: `ip` is an instruction of the frame's function in threaded form (the
    // precondition).
    let first = unsafe { (*ip).handler };
    // SAFETY: the frame's state (the precondition) and a `ctx` just made from this store: a
    // handler's precondition.
    unsafe { first(ip, sp, fp, tos, &mut ctx, mem.base) };
    // SAFETY: the store given to this run; the handlers' borrows of it have ended.
    let store = unsafe { &mut *ctx.store };
    // SAFETY: the loop wrote every frame below `nframes` (or found it there), within capacity.
    unsafe { store.stack.frames.set_len(ctx.nframes) };
    // The value stack may have moved during the run (a host function's calls grew it):
    // `ctx.slots` is where it is now.
    let slots = ctx.slots;
    // SAFETY: every way out of the loop leaves `ctx.sp` in the value stack.
    store.stack.sp = unsafe { ctx.sp.offset_from(slots) } as usize;
    // Where a run that left the loop continues: at `ip`, in the frame that was running.
    let resume = |ip: *const Op| Frame {
        ip: ip as usize,
        code: 0,
        // SAFETY: the ways out that resume (host calls, grows) leave the running frame's base
        // in `ctx.fp`, in the value stack.
        fp: unsafe { ctx.fp.offset_from(slots) } as usize,
        instance: ctx.inst_idx,
        func: ctx.func,
    };
    match ctx.outcome {
        Outcome::Return => Ok(Exit::Return),
        Outcome::HostFailed { resume_ip } => Ok(Exit::HostFailed { resume: resume(resume_ip) }),
        Outcome::Throw { exn, resume_ip } => Ok(Exit::Throw { exn, resume: resume(resume_ip) }),
        Outcome::Host { func, resume_ip } => {
            Ok(Exit::Host { func, caller_instance: ctx.inst_idx, resume: resume(resume_ip) })
        }
        Outcome::Grow { kind, index, delta, resume_ip } => {
            Ok(Exit::Grow { kind, index, delta, resume: resume(resume_ip) })
        }
        Outcome::GrowStack { instance, def_index, resume_ip, tail } => {
            Ok(Exit::GrowStack { instance, def_index, resume: resume(resume_ip), tail })
        }
        Outcome::Trap(code, at) => Err(trap(store, code, (ctx.inst_idx, ctx.func, at as usize), base_depth)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Operators with no immediates, to follow an instruction in `lower`'s input.
    const SUCCESSORS: [Instr; 20] = [
        Instr::Drop,
        Instr::I32Eqz_S,
        Instr::I32Eq_SS,
        Instr::I64Eqz_S,
        Instr::I32Clz_S,
        Instr::I32Ctz_S,
        Instr::I32Add_SS,
        Instr::I32Sub_SS,
        Instr::I32Mul_SS,
        Instr::I32And_SS,
        Instr::I32Or_SS,
        Instr::I32Shl_SS,
        Instr::I32ShrS_SS,
        Instr::I32ShrU_SS,
        Instr::I64Add_SS,
        Instr::I64Sub_SS,
        Instr::I64Mul_SS,
        Instr::I64And_SS,
        Instr::I64Or_SS,
        Instr::I64Xor_SS,
    ];

    /// A hot handler's replicas are distinct functions where the build keeps them apart.
    #[test]
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    fn hot_replicas_are_distinct_functions() {
        for instr in [Instr::I32Xor_SS, Instr::I32Add_SS, Instr::Drop] {
            let mut addrs: Vec<usize> = handlers_for(&instr).iter().map(|&h| h as usize).collect();
            addrs.sort_unstable();
            addrs.dedup();
            assert_eq!(addrs.len(), REPLICAS, "{instr:?}");
        }
    }

    /// `code` closed by a branch back to its start, as a loop.
    fn looped(mut code: Vec<Instr>) -> (Vec<Instr>, Vec<(u32, u32)>) {
        let at = code.len() as u32;
        code.push(Instr::Br { target: 0 });
        (code, vec![(at, at)])
    }

    /// `lower`, with the loops without calls that a scan of `code` finds (as ranges).
    fn lower_scanned(code: &[Instr], sites: &[(u32, u32)]) -> Box<[Op]> {
        let mut loops: Vec<(u32, u32)> = Vec::new();
        for (i, looped) in loops_without_calls(code, sites).into_iter().enumerate() {
            match loops.last_mut() {
                Some((_, last)) if looped && *last + 1 == i as u32 => *last = i as u32,
                _ if looped => loops.push((i as u32, i as u32)),
                _ => {}
            }
        }
        lower_code(code, sites, &loops)
    }

    /// Every op gets a replica of its own instruction's handler, and in a loop one instruction
    /// followed by twenty different ones does not get the same replica every time.
    #[test]
    fn lower_spreads_an_instruction_over_its_replicas() {
        let (code, sites) = looped(SUCCESSORS.iter().flat_map(|&s| [Instr::I32Xor_SS, s]).collect());
        let ops = lower_scanned(&code, &sites);
        for op in ops.iter() {
            assert!(handlers_for(&op.instr).iter().any(|&h| h as usize == op.handler as usize), "{:?}", op.instr);
        }
        let mut used: Vec<usize> = ops[..40].iter().step_by(2).map(|op| op.handler as usize).collect();
        used.sort_unstable();
        used.dedup();
        #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
        assert!(used.len() > 1, "one replica for twenty successors");
        // The same successor, the same replica.
        let (code, sites) = looped(vec![Instr::I32Xor_SS, Instr::Drop, Instr::I32Xor_SS, Instr::Drop]);
        let again = lower_scanned(&code, &sites);
        assert_eq!(again[0].handler as usize, again[2].handler as usize);
    }

    /// Outside loops, and in a loop that calls, every instruction keeps replica 0.
    #[test]
    fn replicas_only_in_loops_without_calls() {
        let body: Vec<Instr> = SUCCESSORS.iter().flat_map(|&s| [Instr::I32Xor_SS, s]).collect();
        let straight = lower_scanned(&body, &[]);
        let mut calling = body.clone();
        calling.push(Instr::Call { func: 0 });
        let (calling, sites) = looped(calling);
        let calling = lower_scanned(&calling, &sites);
        for ops in [&straight[..], &calling[..40]] {
            for op in ops {
                assert_eq!(op.handler as usize, handlers_for(&op.instr)[0] as usize, "{:?}", op.instr);
            }
        }
    }
}
