//! Idioms: sequences of several Wasm operators that the translator recognises in the operators
//! ahead and translates as one instruction, or as a simpler sequence the selector then handles.
//! They are the exception to choosing each operator's form alone; each is kept for a gain
//! measured on code it was not written for (crates/wisp/RATIONALE.md, "Idioms").
//!
//! An idiom looks only at the virtual stack and the operators ahead, never at emitted code. The
//! operators it takes in still count for fuel (the translator meters every consumed one).

use super::{Next, Translator};
use crate::isa::{Bin, Instr, Opd, Un};
use wisp_decoder::Operator;

impl Translator<'_> {
    /// Idioms starting at a binary operator whose operands, after the selector's algebra, are
    /// `(a, b)` (the top two entries). Returns how many operators ahead it consumed.
    pub(super) fn binary_idiom(&mut self, op: Bin, a: Opd, b: Opd, ahead: &[Operator<'_>]) -> Option<usize> {
        if let Some(n) = self.shifts_as_extension(op, b, ahead) {
            return Some(n);
        }
        let (Opd::L(x), Opd::I(c)) = (a, b) else { return None };
        self.stack_pointer_adjust(op, x, c, ahead).or_else(|| self.latch(op, x, c, ahead))
    }

    /// Idioms starting at a unary operator.
    pub(super) fn unary_idiom(&mut self, op: Un, ahead: &[Operator<'_>]) -> Option<usize> {
        // Go's address arithmetic on 64-bit registers: `i64.extend_i32_u; i64.const c; i64.add;
        // i32.wrap_i64` keeps the low 32 bits of `x + c`, which is `i32.add x (i32.const c)`.
        if op != Un::I64ExtendI32U {
            return None;
        }
        let [Operator::I64Const { value }, Operator::I64Add {}, Operator::I32WrapI64 {}, ..] = ahead else {
            return None;
        };
        self.push(Opd::I(*value as u32 as u64));
        Some(3 + self.binary(Bin::I32Add, &ahead[3..]))
    }

    /// `x << k; >> k` (arithmetic) with `k` leaving 8, 16 or 32 bits is a sign extension (Go
    /// without `GOWASM=signext`, clang's default target).
    fn shifts_as_extension(&mut self, op: Bin, b: Opd, ahead: &[Operator<'_>]) -> Option<usize> {
        let Opd::I(k) = b else { return None };
        let ext = match (op, k, ahead) {
            (Bin::I64Shl, 32, [Operator::I64Const { value: 32 }, Operator::I64ShrS {}, ..]) => Un::I64Extend32S,
            (Bin::I64Shl, 48, [Operator::I64Const { value: 48 }, Operator::I64ShrS {}, ..]) => Un::I64Extend16S,
            (Bin::I64Shl, 56, [Operator::I64Const { value: 56 }, Operator::I64ShrS {}, ..]) => Un::I64Extend8S,
            (Bin::I32Shl, 16, [Operator::I32Const { value: 16 }, Operator::I32ShrS {}, ..]) => Un::I32Extend16S,
            (Bin::I32Shl, 24, [Operator::I32Const { value: 24 }, Operator::I32ShrS {}, ..]) => Un::I32Extend8S,
            _ => return None,
        };
        self.pop();
        Some(2 + self.unary(ext, &ahead[2..]))
    }

    /// Go's stack-pointer adjustment: `local.get sp; i32.const c; i32.sub; local.tee sp;
    /// global.set g` (after the algebra, an add of `-c`).
    fn stack_pointer_adjust(&mut self, op: Bin, x: u32, c: u64, ahead: &[Operator<'_>]) -> Option<usize> {
        let [Operator::LocalTee { local_index }, Operator::GlobalSet { global_index }, ..] = ahead else { return None };
        if op != Bin::I32Add || *local_index != x {
            return None;
        }
        self.preserve(x, 2);
        self.pop();
        self.pop();
        self.emit(Instr::SpAdjust { local: x, imm: c as u32, global: *global_index });
        Some(2)
    }

    /// A loop latch: `local.get c; const step; add; local.tee c; (local.get b | const k); cmp;
    /// [i32.eqz;] br_if` (or `if`), the counter and the comparison of one integer width.
    fn latch(&mut self, op: Bin, x: u32, c: u64, ahead: &[Operator<'_>]) -> Option<usize> {
        let wide = match op {
            Bin::I32Add => false,
            Bin::I64Add => true,
            _ => return None,
        };
        let [Operator::LocalTee { local_index }, bound, cmp, rest @ ..] = ahead else { return None };
        if *local_index != x {
            return None;
        }
        let bound = match *bound {
            Operator::LocalGet { local_index } => Opd::L(local_index),
            Operator::I32Const { value } if !wide => Opd::I(value as u32 as u64),
            Operator::I64Const { value } if wide => Opd::I(value as u64),
            _ => return None,
        };
        // An integer comparison (only those have an inverse) of the counter's width.
        let mut cmp = Bin::of(cmp)?;
        if cmp.inverse().is_none() || is_64bit_compare(cmp) != wide {
            return None;
        }
        let (negate, branch, consumed) = match rest {
            [Operator::I32Eqz {}, Operator::BrIf { relative_depth }, ..] => (true, Next::BrIf(*relative_depth), 5),
            [Operator::I32Eqz {}, Operator::If { blockty }, ..] => (false, Next::If(*blockty), 5),
            [Operator::BrIf { relative_depth }, ..] => (false, Next::BrIf(*relative_depth), 4),
            [Operator::If { blockty }, ..] => (true, Next::If(*blockty), 4),
            _ => return None,
        };
        if negate {
            cmp = cmp.inverse()?;
        }
        // The step as the counter's signed value.
        let step = if wide { c } else { c as u32 as i32 as i64 as u64 };
        cmp.latch(x, step, bound, 0)?;
        // Operands are virtual: everything below them goes on the stack for the branch.
        self.materialize_all(2);
        if !self.plain_branch(branch, 0) {
            return None;
        }
        self.pop();
        self.pop();
        let form = cmp.latch(x, step, bound, u32::MAX).expect("checked above");
        let site = self.emit(form);
        match branch {
            Next::BrIf(depth) => {
                let (target, _, _, idx) = self.branch_info(depth, self.phys);
                self.link(site, target, idx);
            }
            Next::If(bt) => self.open_if(bt, Some(site)),
            _ => unreachable!("a latch ends in a branch"),
        }
        Some(consumed)
    }

    /// `i32.const v; call f` as one instruction, when the constant is the last argument (Go
    /// passes its resume point so on almost every call). Returns whether it applied.
    pub(super) fn call_imm(&mut self, func: u32, params: usize) -> bool {
        let Some(Opd::I(v)) = self.stack.last().copied().filter(|_| params > 0) else { return false };
        if v >> 32 != 0 {
            return false;
        }
        let len = self.stack.len();
        for j in len - params..len - 1 {
            self.materialize(j);
        }
        for _ in 0..params {
            self.pop();
        }
        self.emit(Instr::CallImm { func, value: v as u32 });
        true
    }

    /// Go's check after a call: `global.get g; local.set x; br_if d` with the callee's unwind
    /// flag on the stack.
    pub(super) fn call_check(&mut self, global: u32, ahead: &[Operator<'_>]) -> Option<usize> {
        let [Operator::LocalSet { local_index }, Operator::BrIf { relative_depth }, ..] = ahead else { return None };
        if self.stack.last() != Some(&Opd::S) {
            return None;
        }
        self.materialize_all(1);
        let (target, drop, _, idx) = self.branch_info(*relative_depth, self.phys - 1);
        if drop != 0 {
            return None;
        }
        self.pop();
        let site = self.emit(Instr::GlobalGetSetBrNez { global, dst: *local_index, target: u32::MAX });
        self.link(site, target, idx);
        Some(2)
    }

    /// Go's jump to its resume dispatch: `i32.const k; local.set pc; br $loop` (see
    /// `thread_resume_jumps`).
    pub(super) fn resume_jump(&mut self, x: u32, ahead: &[Operator<'_>]) -> Option<usize> {
        let [Operator::Br { relative_depth }, ..] = ahead else { return None };
        let Some(&Opd::I(v)) = self.stack.last() else { return None };
        if v >> 32 != 0 {
            return None;
        }
        self.materialize_all(1);
        let (target, drop, _, idx) = self.branch_info(*relative_depth, self.phys);
        if drop != 0 {
            return None;
        }
        self.pop();
        let site = self.emit(Instr::LocalSetImmBr { index: x, value: v as u32, target: u32::MAX });
        self.link(site, target, idx);
        self.live = false;
        Some(1)
    }
}

fn is_64bit_compare(op: Bin) -> bool {
    matches!(
        op,
        Bin::I64Eq
            | Bin::I64Ne
            | Bin::I64LtS
            | Bin::I64LtU
            | Bin::I64GtS
            | Bin::I64GtU
            | Bin::I64LeS
            | Bin::I64LeU
            | Bin::I64GeS
            | Bin::I64GeU
    )
}

/// Jump threading, once every branch target is known: a resume jump (`LocalSetImmBr`) whose
/// target is the `BrTableLocal` dispatch on the same local goes straight to the entry the
/// constant selects, when that entry adjusts no stack. With fuel or interruption on, a loop
/// header starts with its own instruction, nothing matches and every block is still metered.
/// Only branch targets change.
pub(super) fn thread_resume_jumps(code: &mut [Instr]) {
    for i in 0..code.len() {
        let Instr::LocalSetImmBr { index, value, target } = code[i] else { continue };
        let Some(&Instr::BrTableLocal { index: x, len }) = code.get(target as usize) else { continue };
        if x != index {
            continue;
        }
        let entry = target as usize + 1 + value.min(len) as usize;
        if let Some(&Instr::BrTableTarget { target: t, drop: 0, keep: 0 }) = code.get(entry) {
            code[i] = Instr::LocalSetImmBr { index, value, target: t };
        }
    }
}
