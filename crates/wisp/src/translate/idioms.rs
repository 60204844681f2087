//! Idioms: sequences of several Wasm operators that the translator recognises in the operators
//! ahead and translates as one instruction, or as a simpler sequence the selector then handles.
//! They are the exception to choosing each operator's form alone; each is kept for a gain
//! measured on code it was not written for (crates/wisp/RATIONALE.md, "Idioms").
//!
//! An idiom looks only at the virtual stack and the operators ahead, never at emitted code. The
//! operators it takes in still count for fuel (the translator meters every consumed one). Jump
//! threading is the exception: a branch back to a loop reads the loop's header, which is final
//! (`branch_to_dispatch`), and Go's resume jumps are retargeted once all targets are known
//! (`thread_resume_jumps`); neither rewrites anything but branch targets.

use super::{Next, Translator};
use crate::exec::threaded::Op;
use crate::isa::{v128_load_form, Addr, Bin, Dst, Elem, Instr, Load, Opd, Store, Un};
use wisp_decoder::{BlockType, Operator};

impl Translator<'_> {
    /// Idioms starting at a binary operator whose operands, after the selector's algebra, are
    /// `(a, b)` (the top two entries). Returns how many operators ahead it consumed.
    pub(super) fn binary_idiom(&mut self, op: Bin, a: Opd, b: Opd, ahead: &[Operator<'_>]) -> Option<usize> {
        if let Some(n) = self.shifts_as_extension(op, b, ahead) {
            return Some(n);
        }
        if let Some(n) = self.mul_add(op, a, b, ahead) {
            return Some(n);
        }
        match (a, b) {
            (Opd::L(x), Opd::I(c)) => {
                let x = x as u32;
                self.stack_pointer_adjust(op, x, c, ahead)
                    .or_else(|| self.latch(op, x, Opd::I(c), ahead))
                    .or_else(|| self.address_plus_constant(op, x, c, ahead))
                    .or_else(|| self.scaled_index(op, x, c, ahead))
                    .or_else(|| self.element(op, x, c, ahead))
                    .or_else(|| self.shifted(op, a, c, ahead))
            }
            (Opd::S, Opd::I(c)) => self.shifted(op, a, c, ahead),
            // A counter stepped by another local (either operand of the add).
            (Opd::L(x), Opd::L(y)) => match ahead.first() {
                Some(&Operator::LocalTee { local_index }) if local_index as u64 == x => {
                    self.latch(op, local_index, Opd::L(y), ahead)
                }
                Some(&Operator::LocalTee { local_index }) if local_index as u64 == y => {
                    self.latch(op, local_index, Opd::L(x), ahead)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// A `br` back to a loop whose header is a `br_table` reading its index from memory or
    /// from a local (a `switch` in a loop: a bytecode interpreter's fetch and dispatch, a state
    /// machine), after at most `HEAD` moves and steps of locals (`pc = next; next = pc + 1`,
    /// the loop-carried values' phis): those are emitted again here and the table runs from
    /// the branch (`BrToTableLoadScaled`, `BrToTableLocal`), one dispatch fewer per case. The
    /// instructions copied cannot trap or branch and touch no operand; the `br` adjusts no
    /// stack, so they run at the height the header runs at. With fuel or interruption on, the
    /// header starts with their instruction and nothing matches. Returns the branch to emit
    /// (its target the table), after emitting the copies.
    pub(super) fn branch_to_dispatch(&mut self, header: u32) -> Option<Instr> {
        const HEAD: usize = 4;
        let start = header as usize;
        let window = self.code.get(start..(start + HEAD + 1).min(self.code.len()))?;
        let n = window.iter().position(|op| !is_move_or_step(op.instr()))?;
        let table = header + n as u32;
        let branch = match window[n].instr() {
            Instr::BrTableLoadScaled { .. } => Instr::BrToTableLoadScaled { target: table },
            Instr::BrTableLocal { .. } => Instr::BrToTableLocal { target: table },
            _ => return None,
        };
        for k in start..start + n {
            let copy = *self.code[k].instr();
            self.emit(copy);
        }
        Some(branch)
    }

    /// `c; a; b; mul; add` (or `sub`) of one type as one instruction computing `c + a * b`
    /// (`c - a * b`; floats with the same two roundings): the inner step of dot products and
    /// eliminations, an index `i * n + j`, a remainder `a - q * d`. The addend is the entry
    /// below the factors, or for an integer add (commutative) a `local.get` right after the
    /// product (`a * b + c`); the result goes to the stack or to the local the next operator
    /// sets.
    fn mul_add(&mut self, op: Bin, a: Opd, b: Opd, ahead: &[Operator<'_>]) -> Option<usize> {
        let (add, sub) = match op {
            Bin::I32Mul => (Bin::I32Add, Bin::I32Sub),
            Bin::I64Mul => (Bin::I64Add, Bin::I64Sub),
            Bin::F32Mul => (Bin::F32Add, Bin::F32Sub),
            Bin::F64Mul => (Bin::F64Add, Bin::F64Sub),
            _ => return None,
        };
        let below = || self.stack.len().checked_sub(3).and_then(|i| self.stack.get(i)).copied();
        let (add, c, taken) = match ahead {
            [next, ..] if Bin::of(next) == Some(add) => (add, below()?, 1),
            [next, ..] if Bin::of(next) == Some(sub) => (sub, below()?, 1),
            [Operator::LocalGet { local_index }, next, ..] if add.commutative() && Bin::of(next) == Some(add) => {
                (add, Opd::local(*local_index), 2)
            }
            _ => return None,
        };
        // The operands on the virtual stack: the factors, and the addend below them.
        let operands = if taken == 1 { 3 } else { 2 };
        self.finish_idiom(operands, taken, ahead, |d| add.mul_form(c, a, b, d))
    }

    /// The end of an idiom over the top `operands` entries that consumed `taken` operators
    /// ahead: the result into the local the operator after them sets when `form` has that
    /// destination (else pushed), the entries popped, the form emitted. `None` when `form` has
    /// no form for the destination, before anything changed.
    fn finish_idiom(
        &mut self,
        operands: usize,
        taken: usize,
        ahead: &[Operator<'_>],
        form: impl Fn(Dst) -> Option<Instr>,
    ) -> Option<usize> {
        let fused = super::next_of(ahead.get(taken));
        let (dst, fused) = match fused {
            Next::Set(x) | Next::Tee(x) if form(Dst::L(x)).is_some() => (Dst::L(x), fused),
            _ => (Dst::S, Next::None),
        };
        let form = form(dst)?;
        if let Dst::L(x) = dst {
            self.preserve(x, operands);
        }
        for _ in 0..operands {
            self.pop();
        }
        Some(taken + self.finish(form, dst, fused))
    }

    /// `a shift k` (a constant count) taken by a commutative operator with the entry below it,
    /// or with a `local.get` right after it: `c op (a shift k)` as one instruction (a shifted
    /// operand, `SHIFTED`), into the local the next operator sets when the form has it.
    /// Asked of every binary operator with a constant: the cheap tests inline, in the caller,
    /// before the call that saves registers.
    #[inline]
    fn shifted(&mut self, shift: Bin, a: Opd, k: u64, ahead: &[Operator<'_>]) -> Option<usize> {
        let shifts =
            matches!(shift, Bin::I32Shl | Bin::I32ShrU | Bin::I32ShrS | Bin::I64Shl | Bin::I64ShrU | Bin::I64ShrS);
        if !shifts || !matches!(a, Opd::S | Opd::L(_)) {
            return None;
        }
        self.shifted_operand(shift, a, k, ahead)
    }

    #[inline(never)]
    fn shifted_operand(&mut self, shift: Bin, a: Opd, k: u64, ahead: &[Operator<'_>]) -> Option<usize> {
        let below = || self.stack.len().checked_sub(3).and_then(|i| self.stack.get(i)).copied();
        let (next, c, taken) = match ahead {
            [Operator::LocalGet { local_index }, next, ..] => (next, Opd::local(*local_index), 2),
            [next, ..] => (next, below()?, 1),
            _ => return None,
        };
        let op = Bin::of(next).filter(|op| op.commutative())?;
        if !matches!(c, Opd::S | Opd::L(_)) {
            return None;
        }
        // The operands on the virtual stack: the shifted value and its count, and the other
        // operand below them when it is not the `local.get` after.
        let operands = if taken == 1 { 3 } else { 2 };
        self.finish_idiom(operands, taken, ahead, |d| op.shifted_form(shift, c, a, k, d))
    }

    /// `local.get i; i32.const k; i32.shl; i32.const c; i32.add` as the address of the load
    /// that follows (an element of an array at a fixed address), and when that load (an
    /// `i32.load` at offset 0) feeds a `br_table` adjusting no stack, the switch on it.
    fn scaled_index(&mut self, op: Bin, i: u32, k: u64, ahead: &[Operator<'_>]) -> Option<usize> {
        let [Operator::I32Const { value }, Operator::I32Add {}, load, rest @ ..] = ahead else { return None };
        if op != Bin::I32Shl {
            return None;
        }
        let (load, memarg) = Load::of(load).filter(|(_, m)| self.first_row(m))?;
        let (shift, add) = (k as u32 & 31, *value as u32);
        if let (Load::I32Load, 0, [Operator::BrTable { targets }, ..]) = (load, memarg.offset, rest) {
            let index = u16::try_from(i).ok();
            self.materialize_all(2);
            self.pop();
            self.pop();
            if let (Some(index), false) = (index, self.table_adjusts(targets)) {
                let head = Instr::BrTableLoadScaled { index, shift: shift as u16, imm: add, len: targets.len() };
                self.br_table(head, targets);
                return Some(4);
            }
            // The table adjusts the stack: the load, then the table's own translation.
            self.push(Opd::local(i));
            self.push(Opd::I(k));
        }
        let form = load.form(Addr::X(i, shift, add), memarg.offset as u32, Dst::S)?;
        self.pop();
        self.pop();
        self.emit(form);
        self.push(Opd::S);
        Some(3)
    }

    /// `base; local.get i; i32.const k; i32.shl; i32.add` (or `local.get i; i32.const k; i32.shl;
    /// local.get base; i32.add`), the base on the stack or in a local, as an element address
    /// (`Opd::ElemS`, `Opd::ElemL`) that the load or store consuming it takes whole: C's `p[i]`,
    /// a stack array at a frame offset. Made only when the operators up to that access are
    /// ones that cannot ask for the address below other operands (see `element_consumed`), so
    /// it is never materialized but on top, where it is the shift and add it replaces.
    fn element(&mut self, op: Bin, i: u32, k: u64, ahead: &[Operator<'_>]) -> Option<usize> {
        if op != Bin::I32Shl {
            return None;
        }
        let shift = k as u32 & 31;
        let n = self.stack.len();
        let (base, below, rest) = match ahead {
            [Operator::I32Add {}, rest @ ..] if n >= 3 => (self.top(2), true, rest),
            [Operator::LocalGet { local_index }, Operator::I32Add {}, rest @ ..] => {
                (Opd::local(*local_index), false, rest)
            }
            _ => return None,
        };
        let e = match base {
            Opd::S => Opd::ElemS(Elem::new(0, i, shift)?),
            Opd::L(b) => Opd::ElemL(Elem::new(b as u32, i, shift)?),
            _ => return None,
        };
        // Room for the operators up to the access without a bound's materialization.
        let room = super::WINDOW as u32 + 1;
        if self.virt + room >= super::MAX_VIRTUAL || self.stack.len() + room as usize - self.floor >= super::SCAN_LIMIT
        {
            return None;
        }
        if !self.mem0_32 || !element_consumed(e, rest) {
            return None;
        }
        self.pop();
        self.pop();
        if below {
            self.pop();
        }
        self.push(e);
        Some(ahead.len() - rest.len())
    }

    /// `local.get x; i32.const c; i32.add` as the address of the load or store that follows:
    /// the access takes the local and the constant itself (the add wraps at 32 bits, so the
    /// constant cannot join the offset). A store's value must be a `local.get` or a constant
    /// (one operator between the add and the store).
    fn address_plus_constant(&mut self, op: Bin, x: u32, c: u64, ahead: &[Operator<'_>]) -> Option<usize> {
        if op != Bin::I32Add {
            return None;
        }
        let addr = Addr::A(x, c as u32);
        if let Some(n) = self.copy_to_local_plus_constant(x, c as u32, ahead) {
            return Some(n);
        }
        if let Some((load, memarg)) = Load::of(ahead.first()?).filter(|(_, m)| self.first_row(m)) {
            let offset = memarg.offset as u32;
            let wanted = super::next_of(ahead.get(1));
            let (dst, fused) = match wanted {
                Next::Set(d) | Next::Tee(d) if load.form(addr, offset, Dst::L(d)).is_some() => (Dst::L(d), wanted),
                _ => (Dst::S, Next::None),
            };
            let form = load.form(addr, offset, dst)?;
            if let Dst::L(d) = dst {
                self.preserve(d, 2);
            }
            self.pop();
            self.pop();
            return Some(1 + self.finish(form, dst, fused));
        }
        if let Some(Operator::V128Load { memarg }) = ahead.first().filter(|op| match op {
            Operator::V128Load { memarg } => self.first_row(memarg),
            _ => false,
        }) {
            let (dst, next) = self.v128_dst(&ahead[1..], 2);
            let form = v128_load_form(addr, memarg.offset as u32, dst).expect("v128.load has every address kind");
            self.pop();
            self.pop();
            return Some(1 + self.v128_finish(form, dst, next));
        }
        let value = match *ahead.first()? {
            Operator::LocalGet { local_index } => Opd::local(local_index),
            Operator::I32Const { value } => Opd::I(value as u32 as u64),
            Operator::I64Const { value } => Opd::I(value as u64),
            Operator::F32Const { value } => Opd::I(value.bits() as u64),
            Operator::F64Const { value } => Opd::I(value.bits()),
            _ => return None,
        };
        let (store, memarg) = Store::of(ahead.get(1)?).filter(|(_, m)| self.first_row(m))?;
        let form = store.form(addr, value, memarg.offset as u32)?;
        self.pop();
        self.pop();
        self.emit(form);
        Some(2)
    }

    /// `local.get dst; i32.const add; i32.add` (its operands the top two entries) as the
    /// address of `local.get src; i64.load offset; i64.store` (offset 0): a word copied,
    /// `I64CopyLA` (Go's copies into its frame, the address computed before the value).
    fn copy_to_local_plus_constant(&mut self, dst: u32, add: u32, ahead: &[Operator<'_>]) -> Option<usize> {
        let [Operator::LocalGet { local_index }, Operator::I64Load { memarg: load }, Operator::I64Store { memarg: store }, ..] =
            *ahead
        else {
            return None;
        };
        if !self.first_row(&load) || !self.first_row(&store) || store.offset != 0 {
            return None;
        }
        let (src, dst) = (u16::try_from(local_index).ok()?, u16::try_from(dst).ok()?);
        let src_offset = u32::try_from(load.offset).ok()?;
        self.pop();
        self.pop();
        self.emit(Instr::I64CopyLA { src, dst, add, src_offset });
        Some(3)
    }

    /// `local.get dst; local.get src; i64.load offset; i64.store offset` at the load (its
    /// address the top entry, the store's below it): a word copied, `I64CopyLL`.
    #[inline(never)]
    pub(super) fn copy(&mut self, offset: u32, ahead: &[Operator<'_>]) -> Option<usize> {
        let Some(Operator::I64Store { memarg }) = ahead.first() else { return None };
        let n = self.stack.len();
        let (Opd::L(src), Opd::L(dst)) = (self.top(0), *self.stack.get(n.checked_sub(2)?)?) else { return None };
        if !self.first_row(memarg) {
            return None;
        }
        let (src, dst) = (u16::try_from(src).ok()?, u16::try_from(dst).ok()?);
        let dst_offset = u32::try_from(memarg.offset).ok()?;
        self.pop();
        self.pop();
        self.emit(Instr::I64CopyLL { src, dst, src_offset: offset, dst_offset });
        Some(1)
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
    /// global.set g` (after the algebra, an add of `-c`). A second adjustment of the same pair
    /// right after it (a Go function's return frees its frame, then pops its return address)
    /// joins it: nothing between them could see the first value of `g`; so does an
    /// `i32.const v; return` after them, when the function has one result.
    fn stack_pointer_adjust(&mut self, op: Bin, x: u32, c: u64, ahead: &[Operator<'_>]) -> Option<usize> {
        let [Operator::LocalTee { local_index }, Operator::GlobalSet { global_index }, rest @ ..] = ahead else {
            return None;
        };
        if op != Bin::I32Add || *local_index != x {
            return None;
        }
        let g = *global_index;
        let (imm, consumed) = match *rest {
            [Operator::LocalGet { local_index: a }, Operator::I32Const { value }, ref add, Operator::LocalTee { local_index: b }, Operator::GlobalSet { global_index: h }, ..]
                if a == x && b == x && h == g =>
            {
                match add {
                    Operator::I32Add {} => ((c as u32).wrapping_add(value as u32), 7),
                    Operator::I32Sub {} => ((c as u32).wrapping_sub(value as u32), 7),
                    _ => (c as u32, 2),
                }
            }
            _ => (c as u32, 2),
        };
        // The function's return right after it (Go's epilogue): the frame's local is not
        // written, only the global.
        if let ([Operator::I32Const { value }, Operator::Return {}, ..], 1, Ok(local), Ok(global)) =
            (&ahead[consumed..], self.num_results, u16::try_from(x), u16::try_from(g))
        {
            self.pop();
            self.pop();
            self.emit(Instr::SpAdjustReturnImm { local, global, imm, value: *value as u32 });
            self.go_dead();
            return Some(consumed + 2);
        }
        self.preserve(x, 2);
        self.pop();
        self.pop();
        if consumed == 2 {
            if let Some(n) = self.go_call(x, imm, g, rest) {
                return Some(2 + n);
            }
        }
        self.emit(Instr::SpAdjust { local: x, imm, global: g });
        Some(consumed)
    }

    /// Go's call of a function of its module, after the adjustment that made room for the
    /// return address (`imm` = -8, stack pointer `x`, global `g`; its operands popped): `local.get
    /// x; i64.const ret; i64.store; i32.const 0; call f`, the callee taking the resume point
    /// alone. Returns how many operators of `rest` it took.
    fn go_call(&mut self, x: u32, imm: u32, g: u32, rest: &[Operator<'_>]) -> Option<usize> {
        let [Operator::LocalGet { local_index }, Operator::I64Const { value }, Operator::I64Store { memarg }, Operator::I32Const { value: 0 }, Operator::Call { function_index }, ..] =
            *rest
        else {
            return None;
        };
        let m = self.module;
        let (local, global) = (u16::try_from(x).ok()?, u16::try_from(g).ok()?);
        let ret = u32::try_from(value).ok()?;
        if local_index != x || imm != 8u32.wrapping_neg() || memarg.offset != 0 || !self.first_row(&memarg) {
            return None;
        }
        let func = function_index.checked_sub(m.num_imported_funcs)?;
        let ty = m.func_type(function_index);
        if ty.params().len() != 1 {
            return None;
        }
        self.emit_call(Instr::GoCall { local, global, func, ret });
        self.call_results(ty);
        Some(5)
    }

    /// A loop latch: `local.get c; (const step | local.get by); add; local.tee c; (local.get b |
    /// const k); cmp; [i32.eqz;] br_if` (or `if`), the counter and the comparison of one integer
    /// width; or the counter tested against zero: `local.tee c; [eqz;] [i32.eqz;] br_if`.
    fn latch(&mut self, op: Bin, x: u32, step: Opd, ahead: &[Operator<'_>]) -> Option<usize> {
        let wide = match op {
            Bin::I32Add => false,
            Bin::I64Add => true,
            _ => return None,
        };
        let Some(Operator::LocalTee { local_index }) = ahead.first() else { return None };
        if *local_index != x {
            return None;
        }
        let operand = |op: &Operator<'_>| match *op {
            Operator::LocalGet { local_index } => Some(Opd::local(local_index)),
            Operator::I32Const { value } if !wide => Some(Opd::I(value as u32 as u64)),
            Operator::I64Const { value } if wide => Some(Opd::I(value as u64)),
            _ => None,
        };
        // The counter tested against zero (a loop counting down): `local.tee c; br_if` is
        // `c != 0`, with `eqz` first `c == 0`. Otherwise the bound follows the step (`c < n`),
        // or was pushed before the counter (`n != c`): then the comparison is mirrored and the
        // bound's entry is consumed too.
        let zero = Opd::I(0);
        let (ne, eq, eqz) = if wide {
            (Bin::I64Ne, Bin::I64Eq, matches!(ahead.get(1), Some(Operator::I64Eqz {})))
        } else {
            (Bin::I32Ne, Bin::I32Eq, matches!(ahead.get(1), Some(Operator::I32Eqz {})))
        };
        let (bound, cmp, rest, below) = match (ahead.get(1), ahead.get(1).and_then(operand), self.stack.len()) {
            (Some(Operator::BrIf { .. } | Operator::If { .. }), _, _) if !wide => (zero, ne, ahead.get(1..)?, false),
            (_, _, _) if eqz => (zero, eq, ahead.get(2..)?, false),
            (_, Some(bound), _) => (bound, Bin::of(ahead.get(2)?)?, ahead.get(3..)?, false),
            (_, None, n) if n >= 3 && matches!(self.top(2), Opd::L(_) | Opd::I(_)) => {
                let cmp = Bin::of(ahead.get(1)?)?;
                let mirrored = if cmp.commutative() { cmp } else { cmp.mirror()? };
                (self.top(2), mirrored, ahead.get(2..)?, true)
            }
            _ => return None,
        };
        // Operators taken before `rest`: the tee, then the bound and the comparison, the
        // comparison alone (a bound from the stack), or at most an `eqz` (a test against zero).
        let prefix = ahead.len() - rest.len();
        // A bound below the counter that reads the counter's local holds its old value, which
        // the latch (reading the local after the step) would not see.
        if below && bound == Opd::local(x) {
            return None;
        }
        // An integer comparison of the counter's width.
        let mut cmp = cmp;
        if int_compare_width(cmp) != Some(wide) {
            return None;
        }
        let (negate, branch, consumed) = match rest {
            [Operator::I32Eqz {}, Operator::BrIf { relative_depth }, ..] => (true, Next::BrIf(*relative_depth), 2),
            [Operator::I32Eqz {}, Operator::If { blockty }, ..] => (false, Next::If(*blockty), 2),
            [Operator::BrIf { relative_depth }, ..] => (false, Next::BrIf(*relative_depth), 1),
            [Operator::If { blockty }, ..] => (true, Next::If(*blockty), 1),
            _ => return None,
        };
        let consumed = prefix + consumed;
        let operands = 2 + below as usize;
        if negate {
            cmp = cmp.inverse()?;
        }
        let select = |cmp: Bin, target: u32| match (step, bound) {
            // The step as the counter's signed value.
            (Opd::I(c), _) => cmp.latch(x, if wide { c } else { c as u32 as i32 as i64 as u64 }, bound, target),
            (Opd::L(by), Opd::L(b)) => cmp.latch_by(x, by as u32, b as u32, target),
            _ => None,
        };
        select(cmp, 0)?;
        // Operands are virtual: everything below them goes on the stack for the branch.
        self.materialize_all(operands);
        if !self.plain_branch(branch, 0) {
            return None;
        }
        for _ in 0..operands {
            self.pop();
        }
        let form = select(cmp, u32::MAX).expect("checked above");
        let site = self.emit(form);
        match branch {
            Next::BrIf(depth) => {
                self.link_branch(site, depth);
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
        self.emit_call(Instr::CallImm { func, value: v as u32 });
        true
    }

    /// `i32.const v; return` from a function with one result as one instruction (Go returns
    /// its unwind flag so, from every function). Returns whether it applied.
    pub(super) fn return_imm(&mut self) -> bool {
        let Some(Opd::I(v)) = self.stack.last().copied().filter(|_| self.num_results == 1) else { return false };
        if v >> 32 != 0 {
            return false;
        }
        self.pop();
        self.emit(Instr::ReturnImm { value: v as u32 });
        self.go_dead();
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

    /// Go's stack check at a function's entry, the stack pointer `local.get sp` on top: `global.get
    /// g; [i32.wrap_i64;] i32.load offset; i32.le_u; if` (the `if` calls `morestack`), as one
    /// instruction branching past the `if`'s body (`StackGuardBr`).
    pub(super) fn stack_guard(&mut self, global: u32, ahead: &[Operator<'_>]) -> Option<usize> {
        let (load, rest) = match ahead {
            [Operator::I32WrapI64 {}, load, rest @ ..] => (load, rest),
            [load, rest @ ..] => (load, rest),
            [] => return None,
        };
        let [Operator::I32LeU {}, Operator::If { blockty: blockty @ BlockType::Empty }, ..] = *rest else {
            return None;
        };
        let (Load::I32Load, memarg) = Load::of(load)? else { return None };
        let Some(&Opd::L(sp)) = self.stack.last() else { return None };
        let (local, global) = (u16::try_from(sp).ok()?, u16::try_from(global).ok()?);
        if !self.first_row(&memarg) {
            return None;
        }
        let offset = u32::try_from(memarg.offset).ok()?;
        // Everything below the stack pointer goes on the stack, as for any branch.
        self.materialize_all(1);
        self.pop();
        let site = self.emit(Instr::StackGuardBr { local, global, offset, target: u32::MAX });
        self.open_if(blockty, Some(site));
        Some(ahead.len() - rest.len() + 2)
    }

    /// At an `i64.load`: `local.get p; i64.load offset; i64.eqz` with what only negates the test after it
    /// (`super::negations`), taken by a `br_if` adjusting no stack or an `if`: one instruction
    /// that loads and branches on zero or non-zero (Go's tests of pointers and words in memory:
    /// `if p.next == nil`, a func value's nil check).
    #[inline(never)]
    pub(super) fn load_test(&mut self, offset: u32, ahead: &[Operator<'_>]) -> Option<usize> {
        let (Some(&Opd::L(addr)), [Operator::I64Eqz {}, rest @ ..]) = (self.stack.last(), ahead) else {
            return None;
        };
        let addr = addr as u32;
        let (n, negated) = super::negations(rest, false);
        let next = super::next_of(rest.get(n));
        if !matches!(next, Next::BrIf(_) | Next::If(_)) {
            return None;
        }
        if !matches!(self.destination(next, 1, true, 0), Next::BrIf(_) | Next::If(_)) {
            return None;
        }
        self.pop();
        let t = u32::MAX;
        // A `br_if` branches when the test holds, an `if` to its `else` when it does not.
        let zero = matches!(next, Next::BrIf(_)) != negated;
        let form = if zero {
            Instr::I64LoadZeroBr { addr, offset, target: t }
        } else {
            Instr::I64LoadNonZeroBr { addr, offset, target: t }
        };
        Some(1 + n + self.finish(form, Dst::Br(t), next))
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
        self.go_dead();
        Some(1)
    }

    /// Go's `if cond { goto block }`: at an `if` taking a test (`next`; `body`, the operators
    /// after the `if`), whose whole body is a resume jump (`i32.const state; local.set index; br`),
    /// the test sets the local and jumps itself when it would enter the body (`Dst::Goto`,
    /// threaded like `LocalSetImmBr` by `thread_resume_jumps`): one dispatch where the body
    /// took a second. Only when `form` has the test with that destination for its operands as
    /// they are, and with fuel off (the `end` starts a metered block the jump must not skip).
    pub(super) fn goto(
        &self,
        next: Next,
        body: &[Operator<'_>],
        negated: bool,
        form: impl Fn(Dst) -> Option<Instr>,
    ) -> Next {
        let (
            Next::If(BlockType::Empty),
            [Operator::I32Const { value }, Operator::LocalSet { local_index }, Operator::Br { relative_depth }, Operator::End {}, ..],
        ) = (next, body)
        else {
            return next;
        };
        if self.fuel || *relative_depth == 0 {
            return next;
        }
        let goto = Next::Goto { index: *local_index, state: *value as u32, depth: relative_depth - 1 };
        match super::condition_dst(goto, negated) {
            (dst, _) if form(dst).is_some() => goto,
            _ => next,
        }
    }

    /// Two local-to-local copies in a row, `local.get a; local.set x; local.get c; local.set d`
    /// (a loop's back edge moving its loop-carried values, as compilers resolve phis), as one
    /// instruction that does them in order (`LocalCopy2`). Returns the operators it took.
    pub(super) fn copy_pair(&mut self, x: u32, ahead: &[Operator<'_>]) -> Option<usize> {
        let [Operator::LocalGet { local_index: c }, Operator::LocalSet { local_index: d }, ..] = *ahead else {
            return None;
        };
        let Some(&Opd::L(a)) = self.stack.last() else { return None };
        let a = a as u32;
        if a == x || c == d || self.local_is_v128(c) || self.local_is_v128(d) {
            return None;
        }
        let [src, dst, src2, dst2] = [a, x, c, d].map(u16::try_from);
        let (Ok(src), Ok(dst), Ok(src2), Ok(dst2)) = (src, dst, src2, dst2) else { return None };
        // As two `local_set`s would: what reads `x` is pushed before `x` is written. What reads
        // `d` is pushed before both copies, which reads the same value unless `d` is `x`, and an
        // entry reading `x` was pushed by then.
        self.preserve(x, 1);
        self.pop();
        self.preserve(d, 0);
        self.emit(Instr::LocalCopy2 { src, dst, src2, dst2 });
        Some(2)
    }
}

/// Whether element address `e`, on top of the stack before `ops`, is the address of a load or
/// store among them that has a form for it, with only operators between that leave it where it
/// is: operand pushes, numeric operators, loads and stores over operands above it, and writes of
/// locals other than its own (no control, no call, nothing that materializes what lies below its
/// operands).
fn element_consumed(e: Opd, ops: &[Operator<'_>]) -> bool {
    let addr = Addr::from(e);
    let (base, index) = match e {
        Opd::ElemS(e) => (None, e.index()),
        Opd::ElemL(e) => (Some(e.base()), e.index()),
        _ => return false,
    };
    let writable = |x: u32| x != index && Some(x) != base;
    // Entries above `e`.
    let mut above = 0usize;
    for (at, op) in ops.iter().enumerate() {
        match *op {
            Operator::LocalGet { .. }
            | Operator::I32Const { .. }
            | Operator::I64Const { .. }
            | Operator::F32Const { .. }
            | Operator::F64Const { .. }
            | Operator::GlobalGet { .. } => above += 1,
            Operator::LocalSet { local_index } if above >= 1 && writable(local_index) => above -= 1,
            Operator::LocalTee { local_index } if above >= 1 && writable(local_index) => {}
            Operator::Drop {} if above >= 1 => above -= 1,
            Operator::Nop {} => {}
            Operator::I32WrapI64 {}
            | Operator::I32ReinterpretF32 {}
            | Operator::I64ReinterpretF64 {}
            | Operator::F32ReinterpretI32 {}
            | Operator::F64ReinterpretI64 {}
                if above >= 1 => {}
            _ => {
                if let Some((load, memarg)) = Load::of(op) {
                    // Another memory's load takes its address from the stack.
                    if above == 0 {
                        if memarg.memory != 0 {
                            return false;
                        }
                        return load.form(addr, memarg.offset as u32, Dst::S).is_some();
                    }
                } else if let Some((store, memarg)) = Store::of(op) {
                    // A value from the stack needs the form for it; a value that is a local or a
                    // constant (one operator) leaves the address on top, computed there if no
                    // form takes both.
                    if above == 1 {
                        if memarg.memory != 0 {
                            return false;
                        }
                        let plain_value = at == 1
                            && matches!(
                                ops[0],
                                Operator::LocalGet { .. }
                                    | Operator::I32Const { .. }
                                    | Operator::I64Const { .. }
                                    | Operator::F32Const { .. }
                                    | Operator::F64Const { .. }
                            );
                        return plain_value || store.form(addr, Opd::S, memarg.offset as u32).is_some();
                    }
                    if above < 2 {
                        return false;
                    }
                    above -= 2;
                } else if Bin::of(op).is_some() && above >= 2 {
                    above -= 1;
                } else if Un::of(op).is_none() || above == 0 {
                    return false;
                }
            }
        }
    }
    false
}

/// Whether `i` only moves or steps locals (a loop header's phis): no operand, no trap, no
/// branch.
fn is_move_or_step(i: &Instr) -> bool {
    matches!(
        i,
        Instr::LocalCopy { .. }
            | Instr::LocalCopy2 { .. }
            | Instr::LocalSetImm { .. }
            | Instr::I32Add_LI_Set { .. }
            | Instr::I64Add_LI_Set { .. }
    )
}

/// Whether `op` is an integer comparison, and of 64-bit operands.
fn int_compare_width(op: Bin) -> Option<bool> {
    use Bin::*;
    match op {
        I32Eq | I32Ne | I32LtS | I32LtU | I32GtS | I32GtU | I32LeS | I32LeU | I32GeS | I32GeU => Some(false),
        I64Eq | I64Ne | I64LtS | I64LtU | I64GtS | I64GtU | I64LeS | I64LeU | I64GeS | I64GeU => Some(true),
        _ => None,
    }
}

/// Jump threading, once every branch target is known: a resume jump (`LocalSetImmBr`, or a
/// test that jumps as Go's `if cond { goto block }`, `goto`) whose target is the `BrTableLocal`
/// dispatch on the same local goes straight to the entry the constant selects, when that entry
/// adjusts no stack. With fuel or interruption on, a loop header starts with its own
/// instruction, nothing matches and every block is still metered. Only branch targets change.
/// Only the branch sites are visited (`sites`: every instruction with a target), not the code.
pub(super) fn thread_resume_jumps(code: &mut [Op], sites: &[(u32, u32)]) {
    for &(site, _) in sites {
        let i = site as usize;
        let (index, value, target) = match *code[i].instr() {
            Instr::LocalSetImmBr { index, value, target } => (index, value, target),
            other => match other.goto() {
                Some(jump) => jump,
                None => continue,
            },
        };
        let Some(&Instr::BrTableLocal { index: x, len }) = code.get(target as usize).map(Op::instr) else { continue };
        if x != index {
            continue;
        }
        let entry = target as usize + 1 + value.min(len) as usize;
        if let Some(&Instr::BrTableTarget { target: t, drop: 0, keep: 0 }) = code.get(entry).map(Op::instr) {
            if let Some(jump) = code[i].instr_mut().branch_target_mut() {
                *jump = t;
            }
        }
    }
}

/// Where a call may enter a function past Go's resume dispatch, which every Go function that
/// can be resumed starts with: `global.get $SP; local.set sp` (`GlobalGetSet`), then the
/// `br_table` on its resume-point parameter (`BrTableLocal`). A call that passes 0 there (a
/// call, not a resume: `CallImm` with value 0) runs the first itself and starts at the
/// instruction entry 0 leads to, two dispatches fewer per Go call. `at == 0` (the function's
/// first instruction) means the function has no such dispatch: it is entered at its start.
/// With fuel or interruption on, the function starts with their instruction and never matches.
///
/// Where entry 0 leads to Go's prologue, the stack check (`StackGuardBr`, whose branch skips
/// the call of `morestack`) and then the frame's allocation (`SpAdjust` of the same local and
/// global), or to the allocation alone, the call runs those too when the check passes: the
/// stack pointer is adjusted once, in a register, and the callee starts at `body`. When the
/// check fails, or its load would trap, the call enters at `at` and the check runs as an
/// instruction (and takes `morestack`'s path or traps there, with its own offset).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ResumeEntry {
    /// The instruction entry 0 of the dispatch leads to.
    pub at: u32,
    /// `GlobalGetSet`'s global and local.
    pub global: u32,
    pub local: u32,
    /// The instruction after the prologue's `SpAdjust`; 0: no prologue to run in the call.
    pub body: u32,
    /// The `SpAdjust`'s immediate (the frame's size, negated).
    pub frame: u32,
    /// The stack check's global (the goroutine's `g`) and offset (its stack guard), read as
    /// `StackGuardBr` reads them; `guard == NO_GUARD`: the prologue has no check.
    pub guard: u32,
    pub guard_offset: u32,
}

/// `ResumeEntry::guard` of a prologue without a stack check.
pub(crate) const NO_GUARD: u32 = u32::MAX;

/// The [`ResumeEntry`] of a function's code (with absolute branch targets).
pub(super) fn resume_entry(code: &[Op], num_params: u32) -> ResumeEntry {
    let instr = |at: u32| code.get(at as usize).map(Op::instr);
    let (
        Some(&Instr::GlobalGetSet { index, dst }),
        Some(&Instr::BrTableLocal { index: x, .. }),
        Some(&Instr::BrTableTarget { target, drop: 0, keep: 0 }),
    ) = (instr(0), instr(1), instr(2))
    else {
        return ResumeEntry::default();
    };
    // The table reads the last parameter (where `CallImm` puts its value), which the local
    // written before it is not.
    if num_params == 0 || x != num_params - 1 || dst == x {
        return ResumeEntry::default();
    }
    let mut entry =
        ResumeEntry { at: target, global: index, local: dst, body: 0, frame: 0, guard: NO_GUARD, guard_offset: 0 };
    // The frame's allocation, of the stack pointer the dispatch loaded.
    let adjust = |at: u32| match instr(at) {
        Some(&Instr::SpAdjust { local, imm, global })
            if local == dst && global == index && (at as usize) + 1 < code.len() =>
        {
            Some(imm)
        }
        _ => None,
    };
    match instr(target) {
        Some(&Instr::StackGuardBr { local, global, offset, target: past }) if local as u32 == dst => {
            if let Some(imm) = adjust(past) {
                (entry.body, entry.frame, entry.guard, entry.guard_offset) = (past + 1, imm, global as u32, offset);
            }
        }
        _ => {
            if let Some(imm) = adjust(target) {
                (entry.body, entry.frame) = (target + 1, imm);
            }
        }
    }
    entry
}
