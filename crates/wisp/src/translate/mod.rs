//! Translation of validated function bodies into wisp's bytecode, over a virtual operand stack.
//!
//! One pass over the operators. The translator's operand stack holds, for each Wasm operand,
//! where its value is: on the value stack (`Opd::S`), in a local (`Opd::L`: a `local.get` not yet
//! executed) or a constant (`Opd::I`), and for the load or store just ahead, an element address
//! not yet computed (`Opd::ElemS`, `Opd::ElemL`: see `idioms::element`). `local.get` and
//! constants emit nothing. Each operator picks its instruction form once, from its operands'
//! kinds and its destination (pushed, into the local of a `local.set`/`local.tee` that follows,
//! or a `br_if`/`if` consuming a comparison), through the generated selectors of `isa`
//! (`Bin::form`, ...); where the instruction set has no form for the kinds, operands move to
//! the stack until it has one, and a destination no form has is the stack's.
//! Nothing emitted is rewritten afterwards, except branch targets patched at a block's end.
//!
//! An operand that is not on the stack is *materialized* (pushed, or inserted below the stack
//! operands above it: `LocalInsert`) before anything that would change or observe it: a write
//! of its local, a branch, a label, a call taking it as an argument. Only operands that
//! physically sit on the value stack count towards stack heights, so branch adjustments and the
//! frame's maximum height are in physical slots.

use crate::exec::threaded::Op;
use crate::isa::{
    select_form, translate_operator, v128_load_form, v128_store_form, Addr, Bin, Dst, Instr, Load, Opd, SimdOp, Store,
    Un, Wide,
};
use crate::module::ModuleInner;
use wisp_decoder::{BlockType, FunctionBody, MemArg, Operator, ValType};

mod idioms;
mod offsets;

pub(crate) use idioms::{ResumeEntry, NO_GUARD};
pub(crate) use offsets::{offset_map, OffsetMap};

#[cfg_attr(not(feature = "internals"), allow(dead_code))]
impl CompiledFunc {
    /// The instructions, whichever backend's array holds them.
    pub fn instructions(&self) -> Vec<Instr> {
        if self.ops.is_empty() {
            self.code.to_vec()
        } else {
            crate::exec::threaded::instructions(&self.ops)
        }
    }
}

/// A translated function, ready to run.
#[derive(Debug)]
pub(crate) struct CompiledFunc {
    pub code: Box<[Instr]>,
    /// The same code for the threaded backend. Exactly one of `code` and `ops` is non-empty:
    /// the one the engine's backend runs (see `instructions`).
    pub ops: Box<[crate::exec::threaded::Op]>,
    pub num_params: u32,
    /// Slots zeroed on entry above the parameters: the locals the body declares, plus one pad
    /// slot below the operands. The pad is where the threaded backend spills its cached top
    /// of stack when the operand stack is empty, so a spill never lands on a local.
    pub num_locals: u32,
    #[allow(dead_code)]
    pub num_results: u32,
    /// The most slots the frame can use: parameters, locals and operands.
    pub max_height: u32,
    /// Where a call that is not a resume may enter past Go's resume dispatch (`idioms::ResumeEntry`).
    pub entry: idioms::ResumeEntry,
    /// The `try_table` bodies, searched only when an exception is thrown (`exec::catch`):
    /// entering a `try_table` runs nothing. A range entered later comes later, so a search
    /// from the back meets an inner range before the ones around it.
    pub tries: Box<[TryRange]>,
}

/// A `try_table`'s body and its handlers.
#[derive(Debug, Clone)]
pub(crate) struct TryRange {
    /// The body's instructions, `start..end` (a call among them is where its callee's
    /// exceptions come from).
    pub start: u32,
    pub end: u32,
    pub catches: Box<[CatchClause]>,
}

/// One handler of a `try_table`: which exceptions, and the label that receives them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CatchClause {
    /// The instance's tag index, `None` for `catch_all`/`catch_all_ref`.
    pub tag: Option<u32>,
    /// Whether the `exnref` follows the payload (`catch_ref`, `catch_all_ref`).
    pub with_ref: bool,
    /// The label's instruction (a loop's start, a block's end).
    pub target: u32,
    /// The label's operand height: the values land there, everything above is dropped.
    pub height: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Func,
    Block,
    Loop,
    If,
    Else,
}

struct Ctrl {
    kind: Kind,
    /// The block's type, for where its `v128` parameters and results lie (`None`: the
    /// function's own frame, whose results are `Translator::results`).
    ty: Option<BlockType>,
    /// Operand height below the block's parameters (every operand there is on the stack).
    height: u32,
    params: u32,
    results: u32,
    live_at_entry: bool,
    /// Loop start, the target of branches to a loop's label.
    start: u32,
    /// The last forward branch to this frame's end still waiting for its target, or
    /// `NO_SITE`: an index into `Translator::pending`, whose entries chain each frame's
    /// branches (a site's target field is written once, with the frame's end).
    pending: u32,
    /// The branch of an `if` to its `else` (or end), while that is still unknown.
    else_fixup: Option<u32>,
    /// A `try_table`'s range in `Translator::tries`, or `NO_SITE`.
    try_index: u32,
}

/// The end of a chain of pending branch sites (`Ctrl::pending`, `Translator::pending`).
const NO_SITE: u32 = u32::MAX;

/// Operands kept off the stack at most; past it they are all materialized (keeps the scans for
/// preserving a local short on pathological code).
const MAX_VIRTUAL: u32 = 64;

/// How far above the lowest operand not on the stack the stack may grow before everything is
/// materialized: it bounds the scans a write of a local makes (so a body of many pushes and
/// local writes translates in linear time).
const SCAN_LIMIT: usize = 256;

/// How many operators the translator sees ahead of the current one (the longest reach: an
/// element address's load or store, with a store's value between; two stack-pointer
/// adjustments after the first one's add need seven).
const WINDOW: usize = 16;

/// Operators already translated that the read-ahead buffer keeps before it drops them.
const COMPACT: usize = 128;

/// Operators read into the buffer at a time when it holds no more than `WINDOW` ahead.
const BATCH: usize = 32;

struct Translator<'m> {
    module: &'m ModuleInner,
    /// The code, as the threaded backend runs it but for replicas and branch offsets (each
    /// op has replica 0 of its handler from when it was emitted: `exec::threaded::lower`).
    code: Vec<Op>,
    /// Whether an operator whose forms the threaded backend may run with the processor's own
    /// instruction was translated (`exec::threaded::lower`, `hw`): `i32.popcnt`, `i64.popcnt`.
    hw: bool,
    ctrls: Vec<Ctrl>,
    /// The virtual operand stack.
    stack: Vec<Opd>,
    /// How many of its entries occupy a value-stack slot (`Opd::S`, and an element address
    /// over its base: `Opd::ElemS`).
    phys: u32,
    /// How many are not `Opd::S` (an `ElemS` counts here too: it is still to be computed).
    virt: u32,
    /// Every entry below this index is on the stack: scans for entries to materialize start
    /// here, and stay within `SCAN_LIMIT` entries of the top.
    floor: usize,
    max_height: u32,
    live: bool,
    /// The first operator met that wisp does not execute (Module::new refuses modules using
    /// one; a translation that still meets one fails with its name rather than guessing).
    unsupported: Option<&'static str>,
    num_results: u32,
    /// Fuel metering: every block starts with a `ConsumeFuel` counting its Wasm operators.
    fuel: bool,
    fuel_site: Option<u32>,
    /// Interruption: loop headers and function entry check the store's interrupt flag.
    interruptible: bool,
    /// Whether memory 0 exists with 32-bit addresses: its accesses take the first memory row
    /// (and the idioms over them); every other memory's go through the rows with an index.
    mem0_32: bool,
    /// Whether `memory.size`/`memory.grow` of memory 0 are its plain instructions (32-bit
    /// addresses and 64 KiB pages).
    mem0_plain_pages: bool,
    /// Every instruction that has a branch target, once, with the index its relative target
    /// will count from (itself, or for a `br_table`'s entry the table): the threaded backend's
    /// `lower` rewrites these and looks at no other instruction's fields.
    sites: Vec<(u32, u32)>,
    /// The instructions inside loops without calls, as disjoint ranges `(first, last)` in
    /// order: from a loop's start to a branch back to it, when no call was emitted in between.
    /// The threaded backend gives them handler copies (`exec::threaded::lower`).
    loops: Vec<(u32, u32)>,
    /// One past the position of the last call emitted (0: none yet).
    after_call: u32,
    /// Forward branches waiting for their frame's end: `(site, previous entry of the same
    /// frame or NO_SITE)`. Kept beside the code rather than threaded through the branches'
    /// target fields, so a site's target is written once (each write of a target field is a
    /// jump on the instruction's variant).
    pending: Vec<(u32, u32)>,
    /// The stack indices of the entries that are the high half of a `v128` (ascending): a
    /// `v128` is two entries, each a slot, low half first; `drop` and `select`, which have no
    /// type, learn from here whether they move one slot or two.
    highs: Vec<u32>,
    /// The function's result types.
    results: &'m [ValType],
    /// Which slots start a `v128` local (empty when the function has none). Operators name
    /// locals by slot: the window's indices are mapped as they are read (`LocalSlots`).
    v128_locals: Vec<bool>,
    /// The `try_table` ranges so far, in the order they were entered (an open one ends at
    /// `u32::MAX`), with growable handler lists.
    tries: Vec<(u32, u32, Vec<CatchClause>)>,
    /// Handlers whose label is a block not yet ended: `(range, handler, frame index)`.
    catch_fixups: Vec<(u32, u32, u32)>,
}

/// The slots of a function's locals when some are `v128`s: each Wasm local's first slot, and
/// which slots start a `v128`. `None` while every local so far is one slot.
struct LocalSlots {
    slot: Vec<u32>,
    v128: Vec<bool>,
}

impl LocalSlots {
    /// Adds `n` locals of type `t` after the `seen` ones before them (all one slot each while
    /// there is no `LocalSlots`).
    fn add(this: &mut Option<LocalSlots>, seen: u32, n: u32, t: ValType) {
        if t == ValType::V128 && n > 0 && this.is_none() {
            let mut l = LocalSlots { slot: Vec::new(), v128: Vec::new() };
            l.push(seen, ValType::I32);
            *this = Some(l);
        }
        if let Some(l) = this {
            l.push(n, t);
        }
    }

    fn push(&mut self, n: u32, t: ValType) {
        for _ in 0..n {
            self.slot.push(self.v128.len() as u32);
            self.v128.push(t == ValType::V128);
            if t == ValType::V128 {
                self.v128.push(false);
            }
        }
    }

    /// Renames the locals of `ops` to their slots.
    fn map(&self, ops: &mut [Operator<'_>]) {
        for op in ops {
            if let Operator::LocalGet { local_index }
            | Operator::LocalSet { local_index }
            | Operator::LocalTee { local_index } = op
            {
                *local_index = self.slot[*local_index as usize];
            }
        }
    }
}

/// The slots a value of type `t` takes: two for a `v128`, one for any other.
#[inline]
pub(crate) fn slots(t: ValType) -> u32 {
    // A test of the variant: `==` compares a reference type's fields too.
    if matches!(t, ValType::V128) {
        2
    } else {
        1
    }
}

/// The slots values of types `ts` take (inlined: every untyped call from the host counts its
/// parameters' and results' slots, and without LTO a call across codegen units costs more
/// than the count).
#[inline]
pub(crate) fn slots_of(ts: &[ValType]) -> u32 {
    ts.iter().map(|&t| slots(t)).sum()
}

/// What the operator after the current one does with its result.
#[derive(Clone, Copy)]
enum Next {
    None,
    Set(u32),
    Tee(u32),
    BrIf(u32),
    If(BlockType),
    /// Go's `if cond { goto block }`, an `if` whose whole body is `i32.const state; local.set
    /// index; br` to `depth` (counted from outside the `if`) (`idioms::goto`).
    Goto {
        index: u32,
        state: u32,
        depth: u32,
    },
}

fn next_of(op: Option<&Operator<'_>>) -> Next {
    match op {
        Some(&Operator::LocalSet { local_index }) => Next::Set(local_index),
        Some(&Operator::LocalTee { local_index }) => Next::Tee(local_index),
        Some(&Operator::BrIf { relative_depth }) => Next::BrIf(relative_depth),
        Some(&Operator::If { blockty }) => Next::If(blockty),
        _ => Next::None,
    }
}

/// Where a comparison's or test's result goes when `next` takes it (`destination`'s choice),
/// `negated` when the operators consumed with it negate it: into a local, or a branch (a
/// `br_if` jumps when the result is true, an `if` to its `else` when it is false), or else
/// pushed.
fn condition_dst(next: Next, negated: bool) -> (Dst, Next) {
    let branch = |when_true: bool| if when_true != negated { Dst::Br(u32::MAX) } else { Dst::BrNot(u32::MAX) };
    match next {
        Next::Set(x) | Next::Tee(x) => (Dst::L(x), next),
        Next::BrIf(_) => (branch(true), next),
        Next::If(_) => (branch(false), next),
        // The body runs, and so the jump, when the result is true.
        Next::Goto { index, state, .. } if negated => (Dst::GotoNot(index, state, u32::MAX), next),
        Next::Goto { index, state, .. } => (Dst::Goto(index, state, u32::MAX), next),
        _ => (Dst::S, Next::None),
    }
}

/// The operators after a comparison or test that only extend or negate its result (0 or 1 in
/// its whole slot): `i64.extend_i32_u` leaves it as it is, each `eqz` negates it. Returns how
/// many there are and whether they negate it. An odd run ends only where a `br_if` or `if`
/// takes the result, or the comparison has an inverse: elsewhere the run stops before its last
/// `eqz`.
fn negations(ahead: &[Operator<'_>], invertible: bool) -> (usize, bool) {
    let (mut n, mut odd, mut even) = (0, false, 0);
    for op in ahead {
        match op {
            Operator::I64ExtendI32U {} => {}
            Operator::I32Eqz {} | Operator::I64Eqz {} => odd = !odd,
            _ => break,
        }
        n += 1;
        if !odd {
            even = n;
        }
    }
    if odd && !invertible && !matches!(ahead.get(n), Some(Operator::BrIf { .. } | Operator::If { .. })) {
        return (even, false);
    }
    (n, odd)
}

/// `(x op c) op2 k` as `x op c'`: the constant `c'` when the operators ahead are `k` and an
/// `op2` that combines with `op` into one operation on `x` (`x + c + k`, `x + c - k`, `x & c &
/// k`, the same for `or`, `xor` and `mul`, shifts and rotations by constants in a row); `None`
/// when they are not. Shifts join while their counts (taken modulo the width, as the operators
/// take them) add up to less than the width, where the shift left or the logical shift right
/// would leave zero; an arithmetic shift by more than the width less one is by that.
fn reassociated(op: Bin, c: u64, ahead: &[Operator<'_>]) -> Option<u64> {
    use Bin::*;
    let (k, next, i32) = match ahead {
        [Operator::I32Const { value }, next, ..] => (*value as u32 as u64, Bin::of(next)?, true),
        [Operator::I64Const { value }, next, ..] => (*value as u64, Bin::of(next)?, false),
        _ => return None,
    };
    let bits = if i32 { 32 } else { 64 };
    let shifts = |c: u64, k: u64| (c & (bits - 1)) + (k & (bits - 1));
    match (op, next) {
        (I32Add, I32Add) | (I32And, I32And) | (I32Or, I32Or) | (I32Xor, I32Xor) | (I32Mul, I32Mul) if i32 => {
            op.fold(c, k)
        }
        (I64Add, I64Add) | (I64And, I64And) | (I64Or, I64Or) | (I64Xor, I64Xor) | (I64Mul, I64Mul) if !i32 => {
            op.fold(c, k)
        }
        (I32Add, I32Sub) if i32 => I32Sub.fold(c, k),
        (I64Add, I64Sub) if !i32 => I64Sub.fold(c, k),
        (I32Shl, I32Shl) | (I32ShrU, I32ShrU) if i32 => Some(shifts(c, k)).filter(|&s| s < bits),
        (I64Shl, I64Shl) | (I64ShrU, I64ShrU) if !i32 => Some(shifts(c, k)).filter(|&s| s < bits),
        (I32ShrS, I32ShrS) if i32 => Some(shifts(c, k).min(bits - 1)),
        (I64ShrS, I64ShrS) if !i32 => Some(shifts(c, k).min(bits - 1)),
        (I32Rotl, I32Rotl) | (I32Rotr, I32Rotr) if i32 => Some(shifts(c, k) & (bits - 1)),
        (I64Rotl, I64Rotl) | (I64Rotr, I64Rotr) if !i32 => Some(shifts(c, k) & (bits - 1)),
        _ => None,
    }
}

impl<'m> Translator<'m> {
    fn emit(&mut self, i: Instr) -> u32 {
        self.code.push(Op::new(i));
        self.code.len() as u32 - 1
    }

    /// `emit` for a call (any instruction that `Instr::is_call`): a loop around it is not one
    /// without calls (`loops`).
    pub(super) fn emit_call(&mut self, i: Instr) -> u32 {
        let at = self.emit(i);
        self.after_call = at + 1;
        at
    }

    /// Notes the branch back at `site` to the loop starting at `start`: its range joins
    /// `loops` (merged with the ranges it overlaps, all of which end before `site`) when no
    /// call was emitted since `start`.
    fn note_loop(&mut self, start: u32, site: u32) {
        if self.after_call > start {
            return;
        }
        let mut first = start;
        while let Some(&(f, last)) = self.loops.last() {
            if last < start {
                break;
            }
            first = first.min(f);
            self.loops.pop();
        }
        self.loops.push((first, site));
    }

    /// Marks the current position as a branch target (a fuel block starts here).
    fn label(&mut self) -> u32 {
        let at = self.code.len() as u32;
        if self.fuel {
            self.fuel_site = Some(self.emit(Instr::ConsumeFuel { amount: 0 }));
        }
        at
    }

    /// A label at a loop header: also where an interruptible guest is checked.
    fn loop_label(&mut self) -> u32 {
        let at = self.label();
        if self.interruptible {
            self.emit(Instr::CheckInterrupt);
        }
        at
    }

    /// Charges one unit of fuel for a Wasm operator to the current block.
    pub(super) fn meter(&mut self) {
        if let Some(site) = self.fuel_site {
            if let Instr::ConsumeFuel { amount } = self.code[site as usize].instr_mut() {
                *amount += 1;
            }
        }
    }

    // --- The virtual stack ---------------------------------------------------------------

    /// Pushes an entry. An `S` entry's instruction has been emitted already, so the stack
    /// matches the code only once it is pushed: the scan bound is enforced after the push.
    /// The bounds are met rarely (hostile or unusual bodies): their materialization is out of
    /// line, so a push is a few instructions where it is inlined, with no registers to save.
    #[inline(always)]
    fn push(&mut self, e: Opd) {
        if e != Opd::S {
            if e.on_stack() {
                self.phys += 1;
                self.max_height = self.max_height.max(self.phys);
            }
            return self.push_virtual(e);
        }
        self.phys += 1;
        self.max_height = self.max_height.max(self.phys);
        self.stack.push(e);
        if self.virt != 0 && self.stack.len() - self.floor > SCAN_LIMIT {
            self.spill();
        }
    }

    /// `push` of an entry not on the stack.
    #[inline(always)]
    fn push_virtual(&mut self, e: Opd) {
        if self.virt >= MAX_VIRTUAL {
            self.spill();
        }
        if self.virt == 0 {
            self.floor = self.stack.len();
        }
        self.virt += 1;
        self.stack.push(e);
        if self.stack.len() - self.floor > SCAN_LIMIT {
            self.spill();
        }
    }

    /// Everything materialized, when a push passes `MAX_VIRTUAL` or `SCAN_LIMIT`.
    #[cold]
    #[inline(never)]
    fn spill(&mut self) {
        self.materialize_all(0);
    }

    fn pop(&mut self) -> Opd {
        let e = self.stack.pop().expect("validated code never underflows");
        if let Some(&h) = self.highs.last() {
            if h as usize == self.stack.len() {
                self.highs.pop();
            }
        }
        if e.on_stack() {
            self.phys -= 1;
        }
        if e != Opd::S {
            self.virt -= 1;
        }
        self.floor = self.floor.min(self.stack.len());
        e
    }

    fn top(&self, depth: usize) -> Opd {
        self.stack[self.stack.len() - 1 - depth]
    }

    /// Puts entry `i` on the value stack: pushed, or inserted below the entries above it that
    /// are already there.
    fn materialize(&mut self, i: usize) {
        let e = self.stack[i];
        if e == Opd::S {
            return;
        }
        let depth = self.stack[i + 1..].iter().filter(|e| e.on_stack()).count() as u32;
        if depth == 0 && self.materialize_v128_local(i) {
            return;
        }
        self.emit_materialize(i, depth);
    }

    /// Puts a `v128` local's two entries on top of the stack with one `LocalGetV128` when entry
    /// `i` is one of them and no entry above them is on the stack. Returns whether it did.
    fn materialize_v128_local(&mut self, i: usize) -> bool {
        let Opd::L(x) = self.stack[i] else { return false };
        let x = x as u32;
        let lo = if self.local_is_v128(x) {
            i
        } else if x > 0 && self.local_is_v128(x - 1) && i > 0 {
            i - 1
        } else {
            return false;
        };
        let Opd::L(index) = self.stack[lo] else { return false };
        let index = index as u32;
        if !self.local_is_v128(index) || self.stack.get(lo + 1) != Some(&Opd::local(index + 1)) {
            return false;
        }
        self.emit(Instr::LocalGetV128 { index });
        for e in &mut self.stack[lo..lo + 2] {
            *e = Opd::S;
        }
        self.phys += 2;
        self.virt -= 2;
        if self.virt == 0 {
            self.floor = self.stack.len();
        }
        self.max_height = self.max_height.max(self.phys);
        true
    }

    /// Emits what puts virtual entry `i` on the stack below `depth` stack entries, and records
    /// it there.
    fn emit_materialize(&mut self, i: usize, depth: u32) {
        let instr = match (self.stack[i], depth) {
            (Opd::L(index), 0) => Instr::LocalGet { index: index as u32 },
            (Opd::L(index), depth) => Instr::LocalInsert { index: index as u32, depth },
            (Opd::I(v), 0) if v >> 32 == 0 => Instr::Const32 { value: v as u32 },
            (Opd::I(value), 0) => Instr::Const64 { value },
            (Opd::I(value), depth) => Instr::ConstInsert { value, depth },
            // An element address is computed where it is, on top: `idioms::element` makes one
            // only where nothing asks for it below other operands.
            (Opd::ElemS(e), 0) => {
                self.emit(Instr::I32Shl_LI { a: e.index(), imm: e.shift() });
                self.max_height = self.max_height.max(self.phys + 1);
                Instr::I32Add_SS
            }
            (Opd::ElemL(e), 0) => {
                self.emit(Instr::I32Shl_LI { a: e.index(), imm: e.shift() });
                Instr::I32Add_SL { b: e.base() }
            }
            (Opd::ElemS(..) | Opd::ElemL(..), _) => unreachable!("an element address below other operands"),
            (Opd::S, _) => return,
        };
        self.emit(instr);
        if !self.stack[i].on_stack() {
            self.phys += 1;
        }
        self.stack[i] = Opd::S;
        self.virt -= 1;
        if self.virt == 0 {
            self.floor = self.stack.len();
        }
        self.max_height = self.max_height.max(self.phys);
    }

    /// Computes the top entry when it is an element address, for an operator that takes its
    /// operand only as a value, a local or a constant (`idioms::element` hands element
    /// addresses to loads and stores only; this keeps every other consumer exact regardless).
    fn settle_top(&mut self) {
        let n = self.stack.len();
        if matches!(self.stack[n - 1], Opd::ElemS(..) | Opd::ElemL(..)) {
            self.emit_materialize(n - 1, 0);
        }
    }

    /// Materializes every entry except the top `keep_top`, in one pass bottom up: an entry's
    /// depth is the number of entries above it that were on the stack before the pass (those
    /// materialized by it are all below).
    fn materialize_all(&mut self, keep_top: usize) {
        let end = self.stack.len().saturating_sub(keep_top);
        let before = self.phys;
        // Entries below the floor are all on the stack.
        let mut seen = self.floor.min(end) as u32;
        for i in self.floor.min(end)..end {
            if self.virt == 0 {
                break;
            }
            let e = self.stack[i];
            if e == Opd::S {
                seen += 1;
            } else {
                // An entry on the stack already (an element address over its base) is itself
                // among those counted before.
                seen += e.on_stack() as u32;
                self.emit_materialize(i, before - seen);
            }
        }
    }

    /// Before local `x` is written: every entry below the top `skip` (the operands of the
    /// instruction that writes it, which read it first) that still reads it is materialized.
    fn preserve(&mut self, x: u32, skip: usize) {
        if self.virt == 0 {
            return;
        }
        for i in (self.floor..self.stack.len().saturating_sub(skip)).rev() {
            if self.stack[i].reads(x) {
                self.materialize(i);
            }
        }
    }

    /// The code after this point is unreachable until the next `else` or `end`. Its operands
    /// are never computed: they count as on the stack, so the frames opened in it (whose heights
    /// count every entry as on the stack) close with consistent counts.
    fn go_dead(&mut self) {
        self.live = false;
        for e in self.stack.iter_mut().rev() {
            if self.virt == 0 {
                break;
            }
            if *e != Opd::S {
                self.phys += !e.on_stack() as u32;
                *e = Opd::S;
                self.virt -= 1;
            }
        }
        self.floor = self.stack.len();
    }

    // --- Control -------------------------------------------------------------------------

    fn block_arity(&self, bt: BlockType) -> (u32, u32) {
        match bt {
            BlockType::Empty => (0, 0),
            BlockType::Value(t) => (0, slots(t)),
            BlockType::FuncType(i) => {
                let t = &self.module.types[i as usize];
                (slots_of(t.params()), slots_of(t.results()))
            }
        }
    }

    /// A block type's parameter and result types (a single result only when it is a `v128`:
    /// those are what `mark_highs` looks for).
    fn block_types(&self, bt: BlockType) -> (&'m [ValType], &'m [ValType]) {
        match bt {
            BlockType::FuncType(i) => {
                let t = &self.module.types[i as usize];
                (t.params(), t.results())
            }
            BlockType::Value(ValType::V128) => (&[], &[ValType::V128]),
            _ => (&[], &[]),
        }
    }

    /// Records the high halves of the `v128`s among values of types `types` whose first entry
    /// is at stack index `base`.
    fn mark_highs(&mut self, base: u32, types: &[ValType]) {
        let mut at = base;
        for &t in types {
            at += slots(t);
            if t == ValType::V128 {
                self.highs.push(at - 1);
            }
        }
    }

    /// Whether the value whose last entry is `depth` entries below the top is a `v128`.
    fn is_v128(&self, depth: usize) -> bool {
        self.highs.last().is_some_and(|&h| h as usize + 1 + depth == self.stack.len())
    }

    /// Whether slot `x` starts a `v128` local.
    fn local_is_v128(&self, x: u32) -> bool {
        self.v128_locals.get(x as usize).copied().unwrap_or(false)
    }

    fn global_is_v128(&self, g: u32) -> bool {
        self.module.global_types[g as usize].content == ValType::V128
    }

    /// Pushes a `v128` as its two halves.
    fn push_v128(&mut self, lo: Opd, hi: Opd) {
        self.push(lo);
        self.push(hi);
        self.highs.push(self.stack.len() as u32 - 1);
    }

    /// A SIMD operator's instruction, its operands (`pops` slots) from the stack; a result of
    /// two slots is a `v128` (no SIMD operator has two results).
    fn simd(&mut self, pops: usize, i: Instr, pushes: u32) {
        self.take_operands(pops);
        self.emit(i);
        if pushes == 2 {
            self.push_v128(Opd::S, Opd::S);
        } else {
            self.pushes(pushes);
        }
    }

    /// The `v128` local whose halves are entries `at` and `at + 1`, if they are one.
    fn v128_local_at(&self, at: usize) -> Option<u32> {
        match (self.stack[at], self.stack[at + 1]) {
            (Opd::L(x), Opd::L(y)) if y == x + 1 && self.local_is_v128(x as u32) => Some(x as u32),
            _ => None,
        }
    }

    /// Where a SIMD result goes, its operator's operands the top `operands` entries: into the
    /// `v128` local a `local.set`/`local.tee` after it names (the other entries that read the
    /// local materialized first), else pushed.
    fn v128_dst(&mut self, ahead: &[Operator<'_>], operands: usize) -> (Dst, Next) {
        match next_of(ahead.first()) {
            next @ (Next::Set(x) | Next::Tee(x)) if self.local_is_v128(x) => {
                self.preserve(x + 1, operands);
                self.preserve(x, operands);
                (Dst::L(x), next)
            }
            _ => (Dst::S, Next::None),
        }
    }

    /// Emits SIMD `form`, its operands popped, and records its result where `dst` put it.
    /// Returns the operators consumed after it.
    fn v128_finish(&mut self, form: Instr, dst: Dst, next: Next) -> usize {
        self.emit(form);
        match (dst, next) {
            (Dst::L(x), Next::Tee(_)) => {
                self.push_v128(Opd::local(x), Opd::local(x + 1));
                1
            }
            (Dst::L(_), _) => 1,
            _ => {
                self.push_v128(Opd::S, Opd::S);
                0
            }
        }
    }

    /// A SIMD operator with operand-kind forms (`SimdOp`): a `v128` operand that is a `v128`
    /// local is read from it, any other is put on the stack; the result goes where `v128_dst`
    /// says.
    fn simd_kinds(&mut self, op: SimdOp, ahead: &[Operator<'_>]) -> usize {
        let n = op.arity();
        let base = self.stack.len() - 2 * n;
        let mut opds = [Opd::S; 2];
        for (i, o) in opds.iter_mut().enumerate().take(n) {
            match self.v128_local_at(base + 2 * i) {
                Some(x) => *o = Opd::local(x),
                None => {
                    self.materialize(base + 2 * i);
                    self.materialize(base + 2 * i + 1);
                }
            }
        }
        let (dst, next) = self.v128_dst(ahead, 2 * n);
        let form = op.form(&opds[..n], dst).expect("a SIMD_KINDS operator has every kind and destination");
        for _ in 0..2 * n {
            self.pop();
        }
        self.v128_finish(form, dst, next)
    }

    /// `v128.load` on memory 0 with 32-bit addresses: the address from a local or the stack.
    fn v128_load(&mut self, memarg: MemArg, ahead: &[Operator<'_>]) -> usize {
        let addr = match self.top(0) {
            Opd::L(x) => Addr::L(x as u32),
            _ => {
                self.materialize(self.stack.len() - 1);
                Addr::S
            }
        };
        let (dst, next) = self.v128_dst(ahead, 1);
        let form = v128_load_form(addr, memarg.offset as u32, dst).expect("v128.load has every address kind");
        self.pop();
        self.v128_finish(form, dst, next)
    }

    /// `v128.store` on memory 0 with 32-bit addresses: the address and the value from a local
    /// or the stack.
    fn v128_store(&mut self, memarg: MemArg) -> usize {
        let n = self.stack.len();
        let value = match self.v128_local_at(n - 2) {
            Some(x) => Opd::local(x),
            None => {
                self.materialize(n - 2);
                self.materialize(n - 1);
                Opd::S
            }
        };
        let addr = match self.stack[n - 3] {
            Opd::L(x) => Addr::L(x as u32),
            _ => {
                self.materialize(n - 3);
                Addr::S
            }
        };
        let form = v128_store_form(addr, value, memarg.offset as u32).expect("v128.store has every operand kind");
        for _ in 0..3 {
            self.pop();
        }
        self.emit(form);
        0
    }

    fn push_ctrl(&mut self, kind: Kind, bt: BlockType) {
        let (params, results) = self.block_arity(bt);
        let len = self.stack.len() as u32;
        let height = if self.live { len - params } else { len };
        self.ctrls.push(Ctrl {
            kind,
            ty: Some(bt),
            height,
            params,
            results,
            live_at_entry: self.live,
            start: self.code.len() as u32,
            pending: NO_SITE,
            else_fixup: None,
            try_index: NO_SITE,
        });
    }

    /// The target, drop and keep of a branch to label `depth` from physical height `height`.
    /// Returns `None` as target for forward branches (patched at the block's end).
    fn branch_info(&self, depth: u32, height: u32) -> (Option<u32>, u32, u32, usize) {
        let idx = self.ctrls.len() - 1 - depth as usize;
        let frame = &self.ctrls[idx];
        let (target, keep) = match frame.kind {
            Kind::Loop => (Some(frame.start), frame.params),
            _ => (None, frame.results),
        };
        let drop = height - frame.height - keep;
        (target, drop, keep, idx)
    }

    /// Records a forward branch site for frame `idx`: links it into the frame's chain.
    fn add_fixup(&mut self, idx: usize, site: u32) {
        self.sites.push((site, site));
        self.chain(idx, site);
    }

    /// Links branch `site` into frame `idx`'s chain of pending branches.
    fn chain(&mut self, idx: usize, site: u32) {
        let entry = self.pending.len() as u32;
        let prev = std::mem::replace(&mut self.ctrls[idx].pending, entry);
        self.pending.push((site, prev));
    }

    fn patch(&mut self, site: u32, target: u32) {
        let i = self.code[site as usize].instr_mut();
        match i.branch_target_mut() {
            Some(t) => *t = target,
            None => unreachable!("patching a non-branch {i:?}"),
        }
    }

    /// Links branch `site` to label `depth`: its target now for a loop, at the block's end
    /// otherwise.
    fn link(&mut self, site: u32, target: Option<u32>, idx: usize) {
        match target {
            Some(t) => {
                self.sites.push((site, site));
                self.note_loop(t, site);
                self.patch(site, t)
            }
            None => self.add_fixup(idx, site),
        }
    }

    /// Links branch `site` to label `depth`, for a branch that adjusts no stack from the
    /// current height (checked by the caller: a fused test or jump).
    fn link_branch(&mut self, site: u32, depth: u32) {
        let (target, _, _, idx) = self.branch_info(depth, self.phys);
        self.link(site, target, idx);
    }

    /// Resets the stack to a frame's base plus `n` operands on the value stack (at `else` and
    /// `end`).
    fn reset_stack(&mut self, height: u32, n: u32, types: &[ValType]) {
        while self.highs.last().is_some_and(|&h| h >= height) {
            self.highs.pop();
        }
        self.mark_highs(height, types);
        self.stack.truncate(height as usize);
        self.stack.resize((height + n) as usize, Opd::S);
        self.phys = height + n;
        self.virt = 0;
        self.floor = self.stack.len();
        self.max_height = self.max_height.max(self.phys);
    }

    fn open_if(&mut self, bt: BlockType, else_site: Option<u32>) {
        if let Some(site) = else_site {
            self.sites.push((site, site));
        }
        self.push_ctrl(Kind::If, bt);
        self.ctrls.last_mut().expect("just pushed").else_fixup = else_site;
    }

    /// A conditional branch on the top entry (popped): to label `depth` when it is non-zero.
    fn br_if(&mut self, depth: u32) {
        self.materialize_all(1);
        self.settle_top();
        let cond = self.top(0);
        let height = self.phys - (cond == Opd::S) as u32;
        let (target, drop, keep, idx) = self.branch_info(depth, height);
        let t = u32::MAX;
        let instr = match cond {
            Opd::I(0) => {
                self.pop();
                return;
            }
            // Rare: a `br_if` that adjusts the stack takes its condition from the stack.
            _ if drop != 0 => {
                self.on_stack(1);
                Instr::BrNezAdjust { target: t, drop, keep }
            }
            Opd::I(_) => Instr::Br { target: t },
            Opd::L(a) => Instr::I32Eqz_L_BrNot { a: a as u32, target: t },
            _ => Instr::I32Eqz_S_BrNot { target: t },
        };
        self.pop();
        let site = self.emit(instr);
        self.link(site, target, idx);
    }

    /// `br_on_null` (`null`) or `br_on_non_null` to label `depth`, the reference on top of the
    /// value stack: the null one is dropped when the first branches, the other kept when the
    /// second does (so it is one of the label's values), and the second pops it when it falls
    /// through.
    fn br_on_null(&mut self, depth: u32, null: bool) {
        self.materialize_all(0);
        let (target, drop, keep, idx) = self.branch_info(depth, self.phys - null as u32);
        let t = u32::MAX;
        let site = self.emit(if null {
            Instr::BrOnNull { target: t, drop, keep }
        } else {
            Instr::BrOnNonNull { target: t, drop, keep }
        });
        self.link(site, target, idx);
        if !null {
            self.pop();
        }
    }

    // --- Operators -----------------------------------------------------------------------

    /// Translates `op`; `ahead` are the operators that follow it. Returns how many of them it
    /// consumed.
    // Inlined into the loop that reads the operators (its one caller), as it was before its
    // match took the numeric operators' arms (a call per operator: +2% instructions on Go).
    #[inline(always)]
    fn op(&mut self, op: &Operator<'_>, ahead: &[Operator<'_>]) -> usize {
        let next = ahead.first();
        if self.live {
            self.meter();
        } else if !matches!(
            op,
            Operator::Block { .. }
                | Operator::Loop { .. }
                | Operator::If { .. }
                | Operator::Else {}
                | Operator::End {}
                | Operator::TryTable { .. }
        ) {
            // Control structure is tracked even in unreachable code, so ends match their blocks.
            return 0;
        }
        let m = self.module;
        // One match on the operator: the numeric and memory operators' arms are generated (each
        // names its family's operator), the others follow; an operator without a translation
        // does not compile.
        translate_operator!(*op, self, ahead, {
            Operator::Block { blockty } => {
                if self.live {
                    self.materialize_all(0);
                }
                self.push_ctrl(Kind::Block, blockty);
                return 0;
            }
            Operator::Loop { blockty } => {
                if self.live {
                    self.materialize_all(0);
                }
                let start = self.loop_label();
                self.push_ctrl(Kind::Loop, blockty);
                self.ctrls.last_mut().expect("just pushed").start = start;
                return 0;
            }
            Operator::If { blockty } => {
                let mut site = None;
                if self.live {
                    self.materialize_all(1);
                    self.settle_top();
                    let cond = self.top(0);
                    let test = |dst| if matches!(cond, Opd::S | Opd::L(_)) { Un::I32Eqz.form(cond, dst) } else { None };
                    // The body runs when `eqz` is false.
                    if let Next::Goto { index, state, depth } = self.goto(Next::If(blockty), ahead, true, test) {
                        if self.plain_branch(Next::Goto { index, state, depth }, cond.on_stack() as u32) {
                            let dst = Dst::GotoNot(index, state, u32::MAX);
                            let form = test(dst).expect("goto checked the form");
                            self.pop();
                            // `finish` counts the `if` among what it consumed; here it is the
                            // operator itself.
                            return self.finish(form, dst, Next::Goto { index, state, depth }) - 1;
                        }
                    }
                    site = match self.pop() {
                        Opd::I(0) => Some(self.emit(Instr::Br { target: u32::MAX })),
                        Opd::I(_) => None,
                        Opd::L(a) => Some(self.emit(Instr::I32Eqz_L_Br { a: a as u32, target: u32::MAX })),
                        _ => Some(self.emit(Instr::I32Eqz_S_Br { target: u32::MAX })),
                    };
                }
                self.open_if(blockty, site);
                return 0;
            }
            Operator::Else {} => {
                let idx = self.ctrls.len() - 1;
                if self.live {
                    self.materialize_all(0);
                    let site = self.emit(Instr::Br { target: u32::MAX });
                    self.add_fixup(idx, site);
                }
                let here = self.label();
                if let Some(site) = self.ctrls[idx].else_fixup.take() {
                    self.patch(site, here);
                }
                let f = &mut self.ctrls[idx];
                f.kind = Kind::Else;
                let (h, p, ty) = (f.height, f.params, f.ty);
                self.live = f.live_at_entry;
                let params = ty.map_or(&[][..], |bt| self.block_types(bt).0);
                self.reset_stack(h, p, params);
                return 0;
            }
            Operator::End {} => {
                if self.live {
                    self.materialize_all(0);
                }
                let f = self.ctrls.pop().expect("validated: end matches a frame");
                if f.try_index != NO_SITE {
                    self.tries[f.try_index as usize].1 = self.code.len() as u32;
                }
                let here = if f.kind == Kind::Func { self.code.len() as u32 } else { self.label() };
                if !self.catch_fixups.is_empty() {
                    self.patch_catches(self.ctrls.len() as u32, here);
                }
                if let Some(site) = f.else_fixup {
                    self.patch(site, here);
                }
                let mut entry = f.pending;
                while entry != NO_SITE {
                    let (site, prev) = self.pending[entry as usize];
                    self.patch(site, here);
                    entry = prev;
                }
                let results = f.ty.map_or(self.results, |bt| self.block_types(bt).1);
                self.reset_stack(f.height, f.results, results);
                self.live = f.live_at_entry;
                if f.kind == Kind::Func {
                    self.emit(Instr::Return { keep: self.num_results });
                }
                return 0;
            }
            Operator::TryTable { ref table } => {
                self.try_table(table);
                return 0;
            }
            Operator::Throw { tag_index } => {
                let params = slots_of(m.types[m.tag_types[tag_index as usize] as usize].params());
                self.take_operands(params as usize);
                self.emit(Instr::Throw { tag: tag_index });
                self.go_dead();
            }
            Operator::ThrowRef {} => {
                self.take_operands(1);
                self.emit(Instr::ThrowRef);
                self.go_dead();
            }
            Operator::Nop {} => {}
            Operator::Unreachable {} => {
                self.emit(Instr::Unreachable);
                self.go_dead();
            }
            // Slots are untyped and i32 readers truncate (see `exec::ops::Slot`): nothing to do,
            // but a constant keeps its canonical (zero-extended) bits.
            Operator::I32WrapI64 {} => {
                if let Opd::I(v) = self.top(0) {
                    self.pop();
                    self.push(Opd::I(v as u32 as u64));
                }
            }
            Operator::I32ReinterpretF32 {}
            | Operator::I64ReinterpretF64 {}
            | Operator::F32ReinterpretI32 {}
            | Operator::F64ReinterpretI64 {} => {}
            Operator::Br { relative_depth } => {
                self.materialize_all(0);
                let (target, drop, keep, idx) = self.branch_info(relative_depth, self.phys);
                let t = target.unwrap_or(u32::MAX);
                let branch = match target {
                    Some(t) if drop == 0 => self.branch_to_dispatch(t),
                    _ => None,
                };
                let site = self.emit(branch.unwrap_or(if drop == 0 {
                    Instr::Br { target: t }
                } else {
                    Instr::BrAdjust { target: t, drop, keep }
                }));
                self.link(site, branch.and_then(|b| b.branch_target()).or(target), idx);
                self.go_dead();
            }
            Operator::BrIf { relative_depth } => self.br_if(relative_depth),
            Operator::BrTable { ref targets } => {
                self.materialize_all(1);
                self.settle_top();
                // A constant index is pushed; a local one is read by the table itself.
                if let Opd::I(_) = self.top(0) {
                    self.on_stack(1);
                }
                let index = self.pop();
                let len = targets.len();
                let head = match (index, self.table_adjusts(targets)) {
                    (Opd::L(index), false) => Instr::BrTableLocal { index: index as u32, len },
                    (Opd::L(index), true) => Instr::BrTableLocalAdjust { index: index as u32, len },
                    (_, false) => Instr::BrTable { len },
                    (_, true) => Instr::BrTableAdjust { len },
                };
                self.br_table(head, targets);
            }
            Operator::Return {} => {
                if self.return_imm() {
                    return 0;
                }
                self.on_stack(self.num_results as usize);
                self.emit(Instr::Return { keep: self.num_results });
                self.go_dead();
            }
            Operator::Call { function_index } => {
                let ty = m.func_type(function_index);
                let (params, _) = arity(ty);
                if function_index >= m.num_imported_funcs
                    && self.call_imm(function_index - m.num_imported_funcs, params)
                {
                    self.call_results(ty);
                    return 0;
                }
                self.take_operands(params);
                if function_index >= m.num_imported_funcs {
                    self.emit_call(Instr::Call { func: function_index - m.num_imported_funcs });
                } else {
                    self.emit_call(Instr::CallImport { func: function_index });
                }
                self.call_results(ty);
            }
            Operator::CallIndirect { type_index, table_index } => {
                let ty = &m.types[type_index as usize];
                self.take_operands(arity(ty).0 + 1);
                self.table_index(table_index);
                self.emit_call(Instr::CallIndirect { type_id: m.type_ids[type_index as usize], table: table_index });
                self.call_results(ty);
            }
            // Tail calls: the callee's frame replaces this one (`exec`), so nothing follows a
            // call of a defined function. A callee reached through the index space or a table
            // may be a host function, which is called like any other: the `Return` after it
            // returns its results.
            Operator::ReturnCall { function_index } => {
                let (params, results) = arity(m.func_type(function_index));
                self.take_operands(params);
                if function_index >= m.num_imported_funcs {
                    self.emit_call(Instr::ReturnCall { func: function_index - m.num_imported_funcs });
                } else {
                    self.emit_call(Instr::ReturnCallImport { func: function_index });
                    self.return_after_host(results);
                }
                self.go_dead();
            }
            Operator::ReturnCallIndirect { type_index, table_index } => {
                let (params, results) = arity(&m.types[type_index as usize]);
                self.take_operands(params + 1);
                self.table_index(table_index);
                self.emit_call(Instr::ReturnCallIndirect { type_id: m.type_ids[type_index as usize], table: table_index });
                self.return_after_host(results);
                self.go_dead();
            }
            // A function reference's slot is its store index plus one: the call needs no table.
            Operator::CallRef { type_index } => {
                let ty = &m.types[type_index as usize];
                self.take_operands(arity(ty).0 + 1);
                self.emit_call(Instr::CallRef);
                self.call_results(ty);
            }
            Operator::ReturnCallRef { type_index } => {
                let (params, results) = arity(&m.types[type_index as usize]);
                self.take_operands(params + 1);
                self.emit_call(Instr::ReturnCallRef);
                self.return_after_host(results);
                self.go_dead();
            }
            Operator::RefAsNonNull {} => self.simple(1, Instr::RefAsNonNull, 1),
            Operator::BrOnNull { relative_depth } => self.br_on_null(relative_depth, true),
            Operator::BrOnNonNull { relative_depth } => self.br_on_null(relative_depth, false),
            Operator::Drop {} => {
                for _ in 0..1 + self.is_v128(0) as u32 {
                    if self.pop().on_stack() {
                        self.emit(Instr::Drop);
                    }
                }
            }
            Operator::Select {} | Operator::TypedSelect { .. } if self.is_v128(1) => {
                self.simd(5, Instr::SelectV128, 2);
            }
            Operator::Select {} | Operator::TypedSelect { .. } => return self.select(ahead.first()),
            Operator::LocalGet { local_index } if self.local_is_v128(local_index) => {
                self.push_v128(Opd::local(local_index), Opd::local(local_index + 1));
            }
            Operator::LocalGet { local_index } => self.push(Opd::local(local_index)),
            // A `v128` local is two: the high half is on top.
            Operator::LocalSet { local_index } | Operator::LocalTee { local_index }
                if self.local_is_v128(local_index) =>
            {
                if self.top(0) == Opd::S && self.top(1) == Opd::S {
                    self.preserve(local_index + 1, 2);
                    self.preserve(local_index, 2);
                    self.pop();
                    self.pop();
                    self.emit(Instr::LocalSetV128 { index: local_index });
                } else {
                    self.local_set(local_index + 1, false);
                    self.local_set(local_index, false);
                }
                if let Operator::LocalTee { .. } = op {
                    self.push_v128(Opd::local(local_index), Opd::local(local_index + 1));
                }
            }
            Operator::V128Const { value } => {
                let v = u128::from_le_bytes(value.0);
                self.push_v128(Opd::I(v as u64), Opd::I((v >> 64) as u64));
            }
            // The lanes are a constant operand (RATIONALE.md, "SIMD").
            Operator::I8x16Shuffle { lanes } => {
                let v = u128::from_le_bytes(lanes);
                self.push_v128(Opd::I(v as u64), Opd::I((v >> 64) as u64));
                self.simd(6, Instr::I8x16Shuffle, 2);
            }
            Operator::GlobalGet { global_index } if self.global_is_v128(global_index) => {
                self.simd(0, Instr::GlobalGetV128 { index: global_index }, 2);
            }
            Operator::GlobalSet { global_index } if self.global_is_v128(global_index) => {
                self.simd(2, Instr::GlobalSetV128 { index: global_index }, 0);
            }
            Operator::LocalSet { local_index } => {
                if let Some(n) = self.resume_jump(local_index, ahead) {
                    return n;
                }
                if let Some(n) = self.copy_pair(local_index, ahead) {
                    return n;
                }
                self.local_set(local_index, false)
            }
            Operator::LocalTee { local_index } => self.local_set(local_index, true),
            Operator::GlobalGet { global_index } => {
                if let Some(n) = self.call_check(global_index, ahead) {
                    return n;
                }
                if let Some(n) = self.stack_guard(global_index, ahead) {
                    return n;
                }
                let dest = next_of(next);
                if let Next::Set(x) | Next::Tee(x) = dest {
                    self.preserve(x, 0);
                    self.emit(Instr::GlobalGetSet { index: global_index, dst: x });
                    if let Next::Tee(_) = dest {
                        self.push(Opd::local(x));
                    }
                    return 1;
                }
                self.emit(Instr::GlobalGet { index: global_index });
                self.push(Opd::S);
            }
            Operator::GlobalSet { global_index } => {
                let index = global_index;
                self.settle_top();
                let i = match self.pop() {
                    Opd::S | Opd::ElemS(..) | Opd::ElemL(..) => Instr::GlobalSet { index },
                    Opd::L(src) => Instr::GlobalSetLocal { index, src: src as u32 },
                    Opd::I(value) => Instr::GlobalSetImm { index, value },
                };
                self.emit(i);
            }
            Operator::I32Const { value } => self.push(Opd::I(value as u32 as u64)),
            Operator::F32Const { value } => self.push(Opd::I(value.bits() as u64)),
            Operator::I64Const { value } => self.push(Opd::I(value as u64)),
            Operator::F64Const { value } => self.push(Opd::I(value.bits())),
            Operator::RefNull { .. } => self.push(Opd::I(0)),
            Operator::TableGet { table } => self.simple(1, Instr::TableGet { table }, 1),
            Operator::TableSet { table } => self.simple(2, Instr::TableSet { table }, 0),
            // Memory 0 with 32-bit addresses (and for its size 64 KiB pages) has its plain
            // instructions; any other memory, the ones that name it.
            Operator::MemorySize { mem } if mem == 0 && self.mem0_plain_pages => self.simple(0, Instr::MemorySize, 1),
            Operator::MemorySize { mem } => self.simple(0, Instr::MemorySizeAt { memory: mem }, 1),
            Operator::MemoryGrow { mem } if mem == 0 && self.mem0_plain_pages => self.simple(1, Instr::MemoryGrow, 1),
            Operator::MemoryGrow { mem } => self.simple(1, Instr::MemoryGrowAt { memory: mem }, 1),
            Operator::MemoryInit { data_index, mem } if mem == 0 && self.mem0_32 => {
                self.simple(3, Instr::MemoryInit { data: data_index }, 0)
            }
            Operator::MemoryInit { data_index, mem } => {
                self.simple(3, Instr::MemoryInitAt { memory: mem, data: data_index }, 0)
            }
            Operator::DataDrop { data_index } => self.simple(0, Instr::DataDrop { data: data_index }, 0),
            Operator::MemoryCopy { dst_mem, src_mem } if dst_mem == 0 && src_mem == 0 && self.mem0_32 => {
                self.simple(3, Instr::MemoryCopy, 0)
            }
            Operator::MemoryCopy { dst_mem, src_mem } => {
                self.simple(3, Instr::MemoryCopyAt { dst: dst_mem, src: src_mem }, 0)
            }
            Operator::MemoryFill { mem } if mem == 0 && self.mem0_32 => self.simple(3, Instr::MemoryFill, 0),
            Operator::MemoryFill { mem } => self.simple(3, Instr::MemoryFillAt { memory: mem }, 0),
            Operator::TableInit { elem_index, table } => {
                self.simple(3, Instr::TableInit { table, elem: elem_index }, 0)
            }
            Operator::ElemDrop { elem_index } => self.simple(0, Instr::ElemDrop { elem: elem_index }, 0),
            Operator::TableCopy { dst_table, src_table } => {
                self.simple(3, Instr::TableCopy { dst: dst_table, src: src_table }, 0)
            }
            Operator::TableGrow { table } => self.simple(2, Instr::TableGrow { table }, 1),
            Operator::TableSize { table } => self.simple(0, Instr::TableSize { table }, 1),
            Operator::TableFill { table } => self.simple(3, Instr::TableFill { table }, 0),
            Operator::RefIsNull {} => self.simple(1, Instr::RefIsNull, 1),
            Operator::RefFunc { function_index } => self.simple(0, Instr::RefFunc { func: function_index }, 1),
        });
        0
    }

    /// `try_table`: a block whose range and handlers go to the side table; no code. Its
    /// operands are all on the stack, as at any block's entry, so a handler's label height is
    /// physical. In unreachable code it is only a block.
    fn try_table(&mut self, table: &wisp_decoder::TryTable<'_>) {
        let live = self.live;
        let mut catches = Vec::new();
        if live {
            self.materialize_all(0);
            for c in table.catches() {
                let (tag, with_ref, label) = match c {
                    wisp_decoder::Catch::One { tag, label } => (Some(tag), false, label),
                    wisp_decoder::Catch::OneRef { tag, label } => (Some(tag), true, label),
                    wisp_decoder::Catch::All { label } => (None, false, label),
                    wisp_decoder::Catch::AllRef { label } => (None, true, label),
                };
                // Labels count from outside the `try_table`.
                let idx = self.ctrls.len() - 1 - label as usize;
                let frame = &self.ctrls[idx];
                let target = match frame.kind {
                    Kind::Loop => frame.start,
                    _ => {
                        let at = (self.tries.len() as u32, catches.len() as u32, idx as u32);
                        self.catch_fixups.push(at);
                        u32::MAX
                    }
                };
                catches.push(CatchClause { tag, with_ref, target, height: frame.height });
            }
        }
        self.push_ctrl(Kind::Block, table.blockty());
        if live {
            self.ctrls.last_mut().expect("just pushed").try_index = self.tries.len() as u32;
            self.tries.push((self.code.len() as u32, u32::MAX, catches));
        }
    }

    /// Gives the handlers that wait for frame `idx`'s end their target `here`.
    fn patch_catches(&mut self, idx: u32, here: u32) {
        let tries = &mut self.tries;
        self.catch_fixups.retain(|&(range, handler, frame)| {
            if frame != idx {
                return true;
            }
            tries[range as usize].2[handler as usize].target = here;
            false
        });
    }

    /// Whether a `br_table` here (its index popped, everything on the stack) has an entry that
    /// adjusts the stack.
    fn table_adjusts(&self, targets: &wisp_decoder::BrTable<'_>) -> bool {
        let height = self.phys;
        table_depths(targets).any(|depth| self.branch_info(depth, height).1 != 0)
    }

    /// Emits a `br_table`'s head and its entries (its index popped, everything on the stack).
    fn br_table(&mut self, head: Instr, targets: &wisp_decoder::BrTable<'_>) {
        let height = self.phys;
        let table = self.emit(head);
        for depth in table_depths(targets) {
            let (target, drop, keep, idx) = self.branch_info(depth, height);
            let site = self.emit(Instr::BrTableTarget { target: target.unwrap_or(u32::MAX), drop, keep });
            self.sites.push((site, table));
            if target.is_none() {
                self.chain(idx, site);
            }
        }
        self.go_dead();
    }

    /// The `Return` a host callee of a tail call returns through: its `results` are pushed
    /// where its arguments were.
    fn return_after_host(&mut self, results: u32) {
        self.pushes(results);
        self.emit(Instr::Return { keep: results });
    }

    /// A wide arithmetic operator: its form from its operands' kinds (a commutative one's
    /// computed operand goes left), operands the instruction set has no form for moved to the
    /// stack bottom up; both results pushed.
    fn wide(&mut self, op: Wide) -> usize {
        self.settle_top();
        let n = op.arity();
        let len = self.stack.len();
        if op.commutative() && self.stack[len - 2] != Opd::S && self.stack[len - 1] == Opd::S {
            self.stack.swap(len - 2, len - 1);
            if self.virt != 0 {
                self.floor = self.floor.min(len - 2);
            }
        }
        let mut i = len - n;
        let form = loop {
            if let Some(form) = op.form(&self.stack[len - n..]) {
                break form;
            }
            self.materialize(i);
            i += 1;
        };
        for _ in 0..n {
            self.pop();
        }
        self.emit(form);
        self.pushes(2);
        0
    }

    /// An instruction that takes its `pops` operands from the stack and pushes `pushes`.
    fn simple(&mut self, pops: usize, i: Instr, pushes: u32) {
        self.take_operands(pops);
        self.emit(i);
        self.pushes(pushes);
    }

    /// Puts the top `n` entries on the value stack (each inserted below those above it that
    /// already are). Entries below them stay where they are.
    fn on_stack(&mut self, n: usize) {
        let len = self.stack.len();
        for j in len - n..len {
            self.materialize(j);
        }
    }

    /// Pushes a call's results, of the callee's type `ty`.
    fn call_results(&mut self, ty: &wisp_decoder::FuncType) {
        let base = self.stack.len() as u32;
        self.pushes(slots_of(ty.results()));
        self.mark_highs(base, ty.results());
    }

    fn pushes(&mut self, n: u32) {
        for _ in 0..n {
            self.push(Opd::S);
        }
    }

    /// The top `n` entries (an instruction's operands, a call's arguments) onto the stack and
    /// popped. Entries below them may stay where they are: neither an instruction that takes
    /// its operands from the stack nor a callee can change the caller's locals.
    fn take_operands(&mut self, n: usize) {
        self.on_stack(n);
        for _ in 0..n {
            self.pop();
        }
    }

    fn local_set(&mut self, x: u32, tee: bool) {
        self.settle_top();
        let v = self.top(0);
        if v != Opd::local(x) {
            // The value is read first: the stack entry counts above those preserved.
            self.preserve(x, 1);
        }
        self.pop();
        match v {
            Opd::L(y) if y == x as u64 => {}
            _ => {
                self.emit(match v {
                    Opd::S | Opd::ElemS(..) | Opd::ElemL(..) => Instr::LocalSet { index: x },
                    Opd::L(src) => Instr::LocalCopy { src: src as u32, dst: x },
                    Opd::I(value) => Instr::LocalSetImm { index: x, value },
                });
            }
        }
        if tee {
            self.push(Opd::local(x));
        }
    }

    /// Prepares the destination the next operator gives the result of an operator whose
    /// `operands` are the top entries: for a `local.set`/`local.tee`, the other entries that read
    /// the local are materialized (the operands themselves are read before the result is
    /// written); for a `br_if` or `if` consuming a comparison (`branches`), everything below the
    /// operands is, and the branch must adjust no stack. Returns the operator to fuse, if any.
    fn destination(&mut self, next: Next, operands: usize, branches: bool, s_ops: u32) -> Next {
        match next {
            Next::Set(x) | Next::Tee(x) => {
                self.preserve(x, operands);
                next
            }
            Next::BrIf(_) | Next::If(_) if branches => {
                self.materialize_all(operands);
                if self.plain_branch(next, s_ops) {
                    next
                } else {
                    Next::None
                }
            }
            // A jump that would adjust the stack stays an `if` around it.
            Next::Goto { .. } if branches => {
                self.materialize_all(operands);
                if self.plain_branch(next, s_ops) {
                    next
                } else {
                    Next::If(BlockType::Empty)
                }
            }
            _ => Next::None,
        }
    }

    /// Emits `form`, whose result is pushed, for an operator whose operands were popped: the
    /// common case of `finish`, taken before any destination is looked at (each look-up at the
    /// operator after is a jump on its kind).
    #[inline(always)]
    fn pushed(&mut self, form: Instr) -> usize {
        self.emit(form);
        self.push(Opd::S);
        0
    }

    /// Emits `form` for an operator whose `operands` were popped, with destination `dst` taken
    /// from `next` (or pushed); completes the `br_if`/`if` it consumed. Returns the number of
    /// operators consumed.
    fn finish(&mut self, form: Instr, dst: Dst, next: Next) -> usize {
        let site = self.emit(form);
        match (dst, next) {
            (Dst::S, _) => {
                self.push(Opd::S);
                0
            }
            (Dst::L(x), Next::Tee(_)) => {
                self.push(Opd::local(x));
                1
            }
            (Dst::L(_), _) => 1,
            (Dst::Br(_) | Dst::BrNot(_), Next::BrIf(depth)) => {
                self.link_branch(site, depth);
                1
            }
            (Dst::Br(_) | Dst::BrNot(_), Next::If(bt)) => {
                self.open_if(bt, Some(site));
                1
            }
            // The `if`, its body and its `end`.
            (Dst::Goto(..) | Dst::GotoNot(..), Next::Goto { depth, .. }) => {
                self.link_branch(site, depth);
                5
            }
            _ => unreachable!("a branch destination comes from a br_if or an if"),
        }
    }

    /// Whether a `br_if` to `depth` from the height left once `operands` are popped adjusts no
    /// stack (only such branches fuse with the comparison).
    fn plain_branch(&self, next: Next, s_operands: u32) -> bool {
        match next {
            Next::BrIf(depth) | Next::Goto { depth, .. } => self.branch_info(depth, self.phys - s_operands).1 == 0,
            Next::If(_) => true,
            _ => false,
        }
    }

    fn binary(&mut self, op: Bin, ahead: &[Operator<'_>]) -> usize {
        let &[.., a, b] = &self.stack[..] else { unreachable!("validated: a binary operator has two operands") };
        if let (Opd::I(x), Opd::I(y)) = (a, b) {
            if let Some(v) = op.fold(x, y) {
                self.pop();
                self.pop();
                self.push(Opd::I(v));
                return 0;
            }
        }
        // Algebra: constants and locals go right; `x - c` is `x + (-c)`. (Written as values,
        // not as swaps and writes of fields: an entry written in parts and then copied whole
        // stalled a failed store forwarding: 11% of `binary`'s samples on c/gen.wasm, RATIONALE.md.)
        let (op, a, b, swapped) = match (a, b) {
            (Opd::L(_) | Opd::I(_), Opd::S) | (Opd::I(_), Opd::L(_)) if op.commutative() => (op, b, a, true),
            (Opd::L(_) | Opd::I(_), Opd::S) | (Opd::I(_), Opd::L(_)) => match op.mirror() {
                Some(m) => (m, b, a, true),
                None => (op, a, b, false),
            },
            _ => (op, a, b, false),
        };
        let (mut op, b, negated) = match (op.add_of_sub(), b) {
            (Some(add), Opd::I(c)) => match op.fold(0, c) {
                Some(neg) => (add, Opd::I(neg), true),
                None => (op, b, false),
            },
            _ => (op, b, false),
        };
        let n = self.stack.len();
        // Entries the algebra left as they were are not written back (an entry written whole
        // after its parts went through memory stalled on the failed store forwarding).
        if swapped || negated {
            if let [.., sa, sb] = &mut self.stack[..] {
                (*sa, *sb) = (a, b);
            }
        }
        if self.virt != 0 {
            self.floor = self.floor.min(n - 2);
        }
        // A constant combined with the one the next operator applies: that operator and its
        // constant are consumed, and the operator is translated again with the sum (or mask,
        // or count) in place, so further constants in the chain join it too.
        if let (Opd::S | Opd::L(_), Opd::I(c)) = (a, b) {
            if let Some(k) = reassociated(op, c, ahead) {
                if let [.., sb] = &mut self.stack[..] {
                    *sb = Opd::I(k);
                }
                return 2 + self.binary(op, &ahead[2..]);
            }
        }
        if let Some(consumed) = self.binary_idiom(op, a, b, ahead) {
            return consumed;
        }
        // A comparison's result extended is itself, and under `eqz` it is its inverse (a
        // comparison without one, a float ordering, is negated only by the branch taking it).
        let (mut consumed, mut negated) = (0, false);
        if op.is_compare() {
            (consumed, negated) = negations(ahead, op.inverse().is_some());
            if let (true, Some(inv)) = (negated, op.inverse()) {
                op = inv;
                negated = false;
            }
        }
        let s_ops = (a == Opd::S) as u32 + (b == Opd::S) as u32;
        let wanted =
            self.goto(next_of(ahead.get(consumed)), ahead.get(consumed + 1..).unwrap_or(&[]), negated, |dst| {
                op.form(a, b, dst)
            });
        if let Next::None = wanted {
            let form = self.select2(|a, b| op.form(a, b, Dst::S));
            self.pop();
            self.pop();
            return consumed + self.pushed(form);
        }
        let fused = self.destination(wanted, 2, op.is_compare(), s_ops);
        let (dst, fused) = condition_dst(fused, negated);
        // An `if` taking the comparison unnegated branches when its inverse holds.
        let (fop, dst) = match (fused, dst, op.inverse()) {
            (Next::If(_), Dst::BrNot(target), Some(inv)) => (inv, Dst::Br(target)),
            _ => (op, dst),
        };
        // The destination when some form for these kinds, or the stack's, has it (the
        // description leaves out forms no code uses; integer comparisons go into a local from
        // local operands only).
        // The form for the kinds as they are is taken as found.
        let direct = if dst == Dst::S { None } else { fop.form(a, b, dst) };
        let (op, dst, fused) = if dst == Dst::S || direct.is_some() || fop.form(Opd::S, Opd::S, dst).is_some() {
            (fop, dst, fused)
        } else {
            (op, Dst::S, Next::None)
        };
        let form = match direct {
            Some(i) => i,
            None => self.select2(|a, b| op.form(a, b, dst)),
        };
        self.pop();
        self.pop();
        consumed + self.finish_negated(form, dst, fused, negated)
    }

    /// `finish`, for a result that the operators consumed with it negate (`negations`): a
    /// branch taking it was chosen the other way; a result pushed is negated by an `eqz`.
    fn finish_negated(&mut self, form: Instr, dst: Dst, next: Next, negated: bool) -> usize {
        let consumed = self.finish(form, dst, next);
        if negated && dst == Dst::S {
            self.pop();
            self.emit(Un::I32Eqz.form(Opd::S, Dst::S).expect("every operator has its stack form"));
            self.push(Opd::S);
        }
        consumed
    }

    /// The form `f` gives for the top two entries, materializing operands until it has one
    /// (every operator has its stack-only form).
    fn select2(&mut self, f: impl Fn(Opd, Opd) -> Option<Instr>) -> Instr {
        self.select2_below(0, f)
    }

    /// `select2` for the two entries below the top `above` (`select`'s values, under its
    /// condition).
    fn select2_below(&mut self, above: usize, f: impl Fn(Opd, Opd) -> Option<Instr>) -> Instr {
        let (a, b) = (self.stack.len() - 2 - above, self.stack.len() - 1 - above);
        if let Some(i) = f(self.stack[a], self.stack[b]) {
            return i;
        }
        if self.stack[a] != Opd::S {
            self.materialize(a);
            if let Some(i) = f(Opd::S, self.stack[b]) {
                return i;
            }
        }
        self.materialize(b);
        f(Opd::S, Opd::S).expect("every operator has its stack form")
    }

    /// `select`: a constant condition picks a value that is not on the stack without code;
    /// otherwise the condition goes on the stack, the values are taken as their kinds allow (a
    /// value a form cannot take is materialized below the ones above it), and the result goes
    /// to the stack or to the local the next operator sets. Returns the operators consumed
    /// after it.
    fn select(&mut self, next: Option<&Operator<'_>>) -> usize {
        let n = self.stack.len();
        let (a, b, c) = (self.stack[n - 3], self.stack[n - 2], self.stack[n - 1]);
        if let (Opd::I(c), false, false) = (c, a == Opd::S, b == Opd::S) {
            self.pop();
            self.pop();
            self.pop();
            self.push(if c as u32 != 0 { a } else { b });
            return 0;
        }
        self.materialize(n - 1);
        let (dst, fused) = match self.destination(next_of(next), 3, false, 0) {
            Next::Set(x) | Next::Tee(x)
                if select_form(a, b, Dst::L(x)).is_some() || select_form(Opd::S, Opd::S, Dst::L(x)).is_some() =>
            {
                (Dst::L(x), next_of(next))
            }
            _ => (Dst::S, Next::None),
        };
        // A form that cannot address a local (some keep locals in 16 bits) takes that value
        // from the stack; the all-stack forms take any local.
        let form = self.select2_below(1, |a, b| select_form(a, b, dst));
        self.pop();
        self.pop();
        self.pop();
        self.finish(form, dst, fused)
    }

    fn unary(&mut self, op: Un, ahead: &[Operator<'_>]) -> usize {
        self.hw |= matches!(op, Un::I32Popcnt | Un::I64Popcnt);
        if let Some(consumed) = self.unary_idiom(op, ahead) {
            return consumed;
        }
        let a = self.top(0);
        if let Opd::I(x) = a {
            if let Some(v) = op.fold(x) {
                self.pop();
                self.push(Opd::I(v));
                return 0;
            }
        }
        // A test's result extended is itself; under `eqz` it is negated (`negations`).
        let (consumed, negated) = if op.is_test() { negations(ahead, false) } else { (0, false) };
        let wanted =
            self.goto(next_of(ahead.get(consumed)), ahead.get(consumed + 1..).unwrap_or(&[]), negated, |dst| {
                op.form(a, dst)
            });
        if let Next::None = wanted {
            let form = self.select1(|a| op.form(a, Dst::S));
            self.pop();
            return consumed + self.pushed(form);
        }
        let fused = self.destination(wanted, 1, op.is_test(), (a == Opd::S) as u32);
        let (dst, fused) = condition_dst(fused, negated);
        // The destination when a form for this kind, or the stack's, has it.
        let direct = if dst == Dst::S { None } else { op.form(a, dst) };
        let (dst, fused) = if dst == Dst::S || direct.is_some() || op.form(Opd::S, dst).is_some() {
            (dst, fused)
        } else {
            (Dst::S, Next::None)
        };
        let form = match direct {
            Some(i) => i,
            None => self.select1(|a| op.form(a, dst)),
        };
        self.pop();
        consumed + self.finish_negated(form, dst, fused, negated)
    }

    /// The form `f` gives for the top entry, materialized when it has none for its kind (every
    /// operator, load included, has its stack form).
    fn select1(&mut self, f: impl Fn(Opd) -> Option<Instr>) -> Instr {
        if let Some(i) = f(self.top(0)) {
            return i;
        }
        let n = self.stack.len();
        self.materialize(n - 1);
        f(Opd::S).expect("every operator has its stack form")
    }

    /// Whether an access with `memarg` takes the first memory row (memory 0, 32-bit
    /// addresses), whose forms and idioms take a 32-bit offset.
    pub(crate) fn first_row(&self, memarg: &MemArg) -> bool {
        memarg.memory == 0 && self.mem0_32
    }

    /// The memory row (the index among the description's rows) of an access with `memarg`:
    /// the first, else a 32-bit memory's (1) or a 64-bit one's (2).
    pub(crate) fn memory_row(&self, memarg: &MemArg) -> usize {
        if self.first_row(memarg) {
            0
        } else if self.module.memory_types[memarg.memory as usize].memory64 {
            2
        } else {
            1
        }
    }

    /// A `call_indirect` through a 64-bit table: its index, on top, saturated to 32 bits.
    fn table_index(&mut self, table: u32) {
        if self.module.table_types[table as usize].table64 {
            self.emit(Instr::TableIndex64);
        }
    }

    /// A load or store outside the first memory row: every operand on the stack.
    fn access_at(&mut self, operands: usize, form: Option<Instr>, pushes: u32) -> usize {
        let form = form.expect("a validated offset fits its memory's row");
        self.simple(operands, form, pushes);
        0
    }

    fn load(&mut self, op: Load, memarg: MemArg, ahead: &[Operator<'_>]) -> usize {
        if !self.first_row(&memarg) {
            let wide = self.module.memory_types[memarg.memory as usize].memory64;
            return self.access_at(1, op.form_at(memarg.memory, memarg.offset, wide), 1);
        }
        let offset = memarg.offset as u32;
        // Out of line, and only for the one load they take: inlined into the translator's loop
        // they cost every translation (c/gen eager +2%).
        if let Load::I64Load = op {
            if let Some(consumed) = self.load_test(offset, ahead).or_else(|| self.copy(offset, ahead)) {
                return consumed;
            }
        }
        let next = ahead.first();
        let addr = self.top(0);
        if let Next::None = next_of(next) {
            let form = self.select1(|a| op.form(a.into(), offset, Dst::S));
            self.pop();
            return self.pushed(form);
        }
        // Into the local when a form for this address, or the stack's, has it (the description
        // leaves out forms no code uses).
        let (dst, fused) = match self.destination(next_of(next), 1, false, 0) {
            Next::Set(x) | Next::Tee(x)
                if op.form(addr.into(), offset, Dst::L(x)).is_some()
                    || op.form(Addr::S, offset, Dst::L(x)).is_some() =>
            {
                (Dst::L(x), next_of(next))
            }
            _ => (Dst::S, Next::None),
        };
        let form = self.select1(|a| op.form(a.into(), offset, dst));
        self.pop();
        self.finish(form, dst, fused)
    }

    /// Returns the operators consumed after it (none), as every operator's translation does.
    fn store(&mut self, op: Store, memarg: MemArg) -> usize {
        if !self.first_row(&memarg) {
            let wide = self.module.memory_types[memarg.memory as usize].memory64;
            return self.access_at(2, op.form_at(memarg.memory, memarg.offset, wide), 0);
        }
        let offset = memarg.offset as u32;
        let form = self.select2(|a, v| op.form(a.into(), v, offset));
        self.pop();
        self.pop();
        self.emit(form);
        0
    }
}
/// A `br_table`'s label depths, its default last (the order of its entries).
fn table_depths<'a>(targets: &'a wisp_decoder::BrTable<'_>) -> impl Iterator<Item = u32> + 'a {
    targets.targets().chain(std::iter::once(targets.default()))
}

/// The validator run beside the translator (debug builds): after each step, a live translator
/// holds as many operands as the validator, and its physical count is that of its `S` entries.
#[cfg(debug_assertions)]
struct HeightCheck<'m> {
    validator: wisp_validator::FuncValidator<'m>,
    /// The Wasm local of each slot that starts one, when the translator's operators name slots.
    locals: Option<Vec<u32>>,
}

#[cfg(debug_assertions)]
impl<'m> HeightCheck<'m> {
    fn new(
        module: &'m ModuleInner,
        func_index: u32,
        locals: &[(u32, wisp_decoder::ValType)],
        slots: Option<&LocalSlots>,
    ) -> Self {
        let mut validator = wisp_validator::FuncValidator::new(&module.info, func_index).expect("validated module");
        for &(n, ty) in locals {
            validator.define_locals(n, ty).expect("validated locals");
        }
        let locals = slots.map(|l| {
            let mut of = vec![u32::MAX; l.v128.len()];
            for (i, &s) in l.slot.iter().enumerate() {
                of[s as usize] = i as u32;
            }
            of
        });
        HeightCheck { validator, locals }
    }

    fn step<'a, 'o: 'a>(&mut self, t: &Translator<'_>, ops: impl Iterator<Item = &'a Operator<'o>>) {
        for op in ops {
            let mut op = op.clone();
            if let (
                Some(of),
                Operator::LocalGet { local_index }
                | Operator::LocalSet { local_index }
                | Operator::LocalTee { local_index },
            ) = (&self.locals, &mut op)
            {
                *local_index = of[*local_index as usize];
            }
            self.validator.op(0, &op).expect("validated body");
        }
        let phys = t.stack.iter().filter(|e| e.on_stack()).count() as u32;
        debug_assert_eq!(t.phys, phys, "physical operand count");
        let virt = t.stack.iter().filter(|e| **e != Opd::S).count() as u32;
        debug_assert_eq!(t.virt, virt, "virtual operand count");
        debug_assert!(t.stack[..t.floor.min(t.stack.len())].iter().all(|e| *e == Opd::S), "entries below the floor");
        if t.live && !self.validator.is_unreachable() {
            // A `v128` is two entries.
            debug_assert_eq!(
                t.stack.len() - t.highs.len(),
                self.validator.operand_height(),
                "operand height {:?} {:?}",
                t.stack,
                t.highs
            );
        }
        debug_assert!(
            !t.live || !self.validator.is_unreachable() || self.validator.control_height() == 0,
            "reachability"
        );
    }
}

/// The code of a function that could not be translated: one instruction that traps with
/// `FunctionTooLarge` (so the error surfaces at its first call, as a trap).
pub(crate) fn too_large(module: &ModuleInner, def_index: u32) -> CompiledFunc {
    let ty = module.func_type(module.num_imported_funcs + def_index);
    let (num_params, num_results) = (slots_of(ty.params()), slots_of(ty.results()));
    let code = [Instr::TooLarge];
    let (code, ops) = if module.engine.threaded() {
        (Box::default(), crate::exec::threaded::lower_code(&code, &[], &[]))
    } else {
        (Box::from(code), Box::default())
    };
    let max_height = num_params + 1 + num_results;
    CompiledFunc {
        code,
        ops,
        num_params,
        num_locals: 1,
        num_results,
        max_height,
        entry: Default::default(),
        tries: Box::default(),
    }
}

/// The vectors a translation works in, kept from one function to the next on each thread:
/// their capacity is reused, so translating a function allocates only its output.
#[derive(Default)]
struct Scratch {
    code: Vec<Op>,
    ctrls: Vec<Ctrl>,
    stack: Vec<Opd>,
    sites: Vec<(u32, u32)>,
    loops: Vec<(u32, u32)>,
    pending: Vec<(u32, u32)>,
    highs: Vec<u32>,
    /// The read-ahead window; empty between functions (so no borrowed bytes outlive one).
    window: Vec<Operator<'static>>,
}

/// Capacity, in instructions, above which a thread does not keep its code buffer (the
/// largest function translated there would otherwise pin its size for the thread's life).
const KEEP_CODE: usize = 1 << 16;

thread_local! {
    static SCRATCH: std::cell::Cell<Scratch> = std::cell::Cell::new(Scratch::default());
}

/// An empty window again, with the capacity `buf` had (the in-place collect of an empty
/// vector into one of a type of the same size and alignment keeps its allocation).
fn recycle_window(mut buf: Vec<Operator<'_>>) -> Vec<Operator<'static>> {
    buf.clear();
    buf.into_iter().map(|_| Operator::Nop {}).collect()
}

/// A call's numbers of arguments and results.
fn arity(ty: &wisp_decoder::FuncType) -> (usize, u32) {
    (slots_of(ty.params()) as usize, slots_of(ty.results()))
}

/// Why a body was not translated.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The body is invalid (found only by a translation that validates it).
    Invalid(wisp_validator::Error),
    /// The body translates to more instructions than wisp's branch offsets reach.
    TooLarge,
    /// The body uses an operator wisp does not execute (named).
    Unsupported(&'static str),
}

impl From<wisp_validator::Error> for Failure {
    fn from(e: wisp_validator::Error) -> Self {
        Failure::Invalid(e)
    }
}

impl From<wisp_decoder::Error> for Failure {
    fn from(e: wisp_decoder::Error) -> Self {
        Failure::Invalid(e.into())
    }
}

/// Translates defined function `def_index` of `module`, whose body was validated when the
/// module was created.
pub(crate) fn translate(module: &ModuleInner, def_index: u32) -> Result<CompiledFunc, Failure> {
    with_scratch(|scratch| translate_with(module, def_index, scratch, None, &mut ()))
}

/// Validates the body of defined function `def_index` with `validator` (just created for it)
/// while translating it: one decoding of each operator serves both.
pub(crate) fn translate_validating(
    module: &ModuleInner,
    def_index: u32,
    validator: &mut wisp_validator::FuncValidator<'_>,
) -> Result<CompiledFunc, Failure> {
    with_scratch(|scratch| translate_with(module, def_index, scratch, Some(validator), &mut ()))
}

fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    // Taken, not borrowed: a translation that fails (or a nested one) just starts empty.
    let mut scratch = SCRATCH.with(std::cell::Cell::take);
    let result = f(&mut scratch);
    if scratch.code.capacity() <= KEEP_CODE {
        SCRATCH.with(|s| s.set(scratch));
    }
    result
}

/// A scratch vector taken out of its slot, empty, with its capacity.
fn emptied<T>(v: &mut Vec<T>) -> Vec<T> {
    let mut v = std::mem::take(v);
    v.clear();
    v
}

/// `rec` sees each operator's offset and the instructions each translated (`offsets.rs`); it
/// is told offsets only when there is no `validator`.
fn translate_with<R: offsets::Record>(
    module: &ModuleInner,
    def_index: u32,
    scratch: &mut Scratch,
    mut validator: Option<&mut wisp_validator::FuncValidator<'_>>,
    rec: &mut R,
) -> Result<CompiledFunc, Failure> {
    let func_index = module.num_imported_funcs + def_index;
    let ty = module.func_type(func_index);
    let body: FunctionBody<'_> = module.body(def_index);
    let mut locals = body.locals()?;
    let mut num_locals: u32 = 1;
    #[cfg(debug_assertions)]
    let mut groups = Vec::new();
    // Where each Wasm local lives when some are `v128`s (two slots each); `None` when every
    // local is its own slot.
    let mut layout = None;
    for (i, &p) in ty.params().iter().enumerate() {
        LocalSlots::add(&mut layout, i as u32, 1, p);
    }
    let mut seen = ty.params().len() as u32;
    while let Some((n, lty)) = locals.next_group()? {
        if let Some(v) = validator.as_deref_mut() {
            v.define_locals(n, lty)?;
        }
        num_locals += n * slots(lty);
        LocalSlots::add(&mut layout, seen, n, lty);
        seen += n;
        #[cfg(debug_assertions)]
        groups.push((n, lty));
    }
    let mut ops = locals.into_operators();
    let num_results = slots_of(ty.results());
    let mut code = emptied(&mut scratch.code);
    code.reserve(body.data.len());
    let mut t = Translator {
        module,
        code,
        hw: false,
        ctrls: emptied(&mut scratch.ctrls),
        stack: emptied(&mut scratch.stack),
        phys: 0,
        virt: 0,
        floor: 0,
        max_height: 0,
        live: true,
        unsupported: None,
        num_results,
        fuel: module.engine.config().consume_fuel,
        fuel_site: None,
        interruptible: module.engine.config().interruptible,
        mem0_32: module.memory_types.first().is_some_and(|t| !t.memory64),
        mem0_plain_pages: module.memory_types.first().is_some_and(|t| !t.memory64 && t.page_size_log2() == 16),
        sites: emptied(&mut scratch.sites),
        loops: emptied(&mut scratch.loops),
        after_call: 0,
        pending: emptied(&mut scratch.pending),
        highs: emptied(&mut scratch.highs),
        results: ty.results(),
        v128_locals: layout.as_ref().map(|l| l.v128.clone()).unwrap_or_default(),
        tries: Vec::new(),
        catch_fixups: Vec::new(),
    };
    if t.interruptible {
        t.emit(Instr::CheckInterrupt);
    }
    if t.fuel {
        t.label();
    }
    t.ctrls.push(Ctrl {
        kind: Kind::Func,
        ty: None,
        height: 0,
        params: 0,
        results: num_results,
        live_at_entry: true,
        start: 0,
        pending: NO_SITE,
        else_fixup: None,
        try_index: NO_SITE,
    });
    // A window of the operators ahead: an operator's destination, and an idiom's extent, come
    // from the ones that follow it.
    // The operators read so far from `head` on; refilled to `WINDOW` ahead, compacted now and
    // then (no per-operator shifting).
    let mut buf: Vec<Operator<'_>> = std::mem::take(&mut scratch.window);
    buf.reserve(2 * COMPACT);
    let mut head = 0;
    // Debug builds check the translator's operand heights against the validator's.
    #[cfg(debug_assertions)]
    let mut check = HeightCheck::new(module, func_index, &groups, layout.as_ref());
    loop {
        if head >= COMPACT {
            buf.drain(..head);
            rec.compact(head);
            head = 0;
        }
        if buf.len() - head <= WINDOW && !ops.eof() {
            // Validated as it is read: the translator only sees operators valid where they are.
            // Read in batches (the window refills every `BATCH` operators, not every one); at
            // the body's end, not once per operator of the last window.
            let read = buf.len();
            match validator.as_deref_mut() {
                Some(v) => v.read_into(&mut ops, &mut buf, BATCH)?,
                None => {
                    for _ in 0..BATCH {
                        if ops.eof() {
                            break;
                        }
                        rec.read(ops.offset());
                        ops.read_into(&mut buf)?;
                    }
                }
            }
            if let Some(l) = &layout {
                l.map(&mut buf[read..]);
            }
        }
        if head == buf.len() {
            break;
        }
        // The translator sees `WINDOW` operators ahead, however many the buffer holds.
        let ahead = &buf[head + 1..buf.len().min(head + 1 + WINDOW)];
        let start = t.code.len();
        let was_live = t.live;
        let consumed = t.op(&buf[head], ahead);
        rec.translated(&buf, head, consumed, start, t.code.len());
        #[cfg(debug_assertions)]
        check.step(&t, buf[head..=head + consumed].iter());
        // An operator taken in by the one before it still counts for fuel, when that one was
        // live (it may end the block: a return that took the operators before it).
        if was_live {
            for _ in 0..consumed {
                t.meter();
            }
        }
        head += 1 + consumed;
    }
    scratch.window = recycle_window(buf);
    if let Some(v) = validator {
        v.finish(ops.offset())?;
    }
    if let Some(name) = t.unsupported {
        return Err(Failure::Unsupported(name));
    }
    // The loops as written (before jump threading moves branch targets).
    #[cfg(debug_assertions)]
    crate::exec::threaded::check_loops(&t.code, &t.sites, &t.loops);
    idioms::thread_resume_jumps(&mut t.code, &t.sites);
    // Whichever backend runs: the sites are what the threaded one relies on.
    #[cfg(debug_assertions)]
    crate::exec::threaded::check_sites(&t.code, &t.sites);
    if t.code.len() > crate::exec::threaded::MAX_OPS {
        // Only a body of hundreds of megabytes gets here; both backends refuse it alike.
        return Err(Failure::TooLarge);
    }
    let num_params = slots_of(ty.params());
    let entry = idioms::resume_entry(&t.code, num_params);
    // Each backend runs one array; the threaded one carries the instructions inside its ops,
    // lowered where the translator emitted them, and copied out: the buffer stays for the next
    // function (giving it away and allocating the next measured 1% more instructions). A
    // buffer the thread will not keep (`KEEP_CODE`) is given away instead: a copy would only
    // hold a large function's code twice at once.
    let (code, ops) = if module.engine.threaded() {
        crate::exec::threaded::lower(&mut t.code, &t.sites, &t.loops, t.hw && crate::exec::threaded::popcnt());
        let ops = if t.code.capacity() > KEEP_CODE {
            std::mem::take(&mut t.code).into_boxed_slice()
        } else {
            Box::from(&t.code[..])
        };
        (Box::default(), ops)
    } else {
        (t.code.iter().map(|op| *op.instr()).collect(), Box::default())
    };
    let max_height = num_params + num_locals + t.max_height.max(num_results);
    scratch.code = t.code;
    scratch.ctrls = t.ctrls;
    scratch.stack = t.stack;
    scratch.sites = t.sites;
    scratch.loops = t.loops;
    scratch.pending = t.pending;
    scratch.highs = t.highs;
    let tries = t.tries.into_iter().map(|(start, end, c)| TryRange { start, end, catches: c.into() }).collect();
    Ok(CompiledFunc { ops, code, num_params, num_locals, num_results, max_height, entry, tries })
}
