//! wisp's internal bytecode.
//!
//! Every instruction is one fixed-size [`Instr`] (16 bytes; a test pins it). The set is
//! generated (`generated.rs`, from the description in `crates/wisp-isagen`): each numeric or
//! memory operator has one form per combination of its operands' kinds (`S` popped from the
//! stack, `L` read from a local, `I` an immediate) and its destination (pushed, a local, or a
//! branch consuming a comparison), named `Op_Kinds[_Set|_Br|_BrNot]` (`I32Add_LI_Set`: left
//! operand a local, right one an immediate, result into local `dst`). The translator picks a
//! form once, from its virtual operand stack; the hand-written instructions (control, calls,
//! locals, globals, tables, bulk memory) come first in the enum.
//!
//! Branch targets are instruction indices inside the function's code; `drop`/`keep` describe
//! the one stack adjustment a branch makes (keep the top `keep` slots, discard the `drop` slots
//! below them). `Debug` is the disassembler.

#[rustfmt::skip]
mod generated;

pub use generated::Instr;
pub(crate) use generated::{
    generated_handlers, select_form, translate_operator, v128_load_form, v128_store_form, Bin, Load, SimdOp, Store, Un,
    Wide,
};
#[allow(unused_imports)]
pub use generated::{FORMS, SIMD_FORMS};

/// An operand, as the translator's virtual stack holds it.
///
/// Every variant's field is one 64-bit word, so that the enum is a pair of words to LLVM: kept
/// in registers, passed in two, stored and loaded as two 8-byte moves. With a `u32` local
/// beside a `u64` constant it was an aggregate kept in memory, written in parts and then
/// copied whole, and the failed store forwarding of that copy took a tenth of translation
/// (RATIONALE.md, "The translator's operand entry is two words").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Opd {
    /// On the value stack.
    S,
    /// In a local: its index (always below 2^32; see `Opd::local`).
    L(u64),
    /// A constant's slot bits.
    I(u64),
    /// An element address `base + (local index << shift)` not yet computed, its base the value
    /// on the stack (so the entry is on the stack too). The translator makes one only when
    /// the load or store that consumes it follows with nothing in between that could make it
    /// materialize below other operands (`translate::idioms`).
    ElemS(Elem),
    /// The same with the base in a local.
    ElemL(Elem),
}

impl Opd {
    /// Local `x`.
    #[inline(always)]
    pub(crate) fn local(x: u32) -> Opd {
        Opd::L(x as u64)
    }

    /// Whether the entry occupies a slot of the value stack.
    #[inline]
    pub(crate) fn on_stack(self) -> bool {
        matches!(self, Opd::S | Opd::ElemS(..))
    }

    /// Whether the entry reads local `x` (and so must be computed before `x` is written).
    #[inline]
    pub(crate) fn reads(self, x: u32) -> bool {
        match self {
            Opd::L(l) => l == x as u64,
            Opd::ElemS(e) => e.index() == x,
            Opd::ElemL(e) => e.base() == x || e.index() == x,
            Opd::S | Opd::I(_) => false,
        }
    }
}

/// An element address's locals and shift in one word: the base's local (`Opd::ElemL` only) in
/// bits 0..27, the index's in bits 27..54, the shift in bits 54..59.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Elem(u64);

impl Elem {
    const BITS: u32 = 27;

    /// `None` when a local's index does not fit (a function has at most 50,000 declared
    /// locals, so only parameters past 2^27 would not: the translator then keeps the shift and
    /// add as they are).
    #[inline]
    pub(crate) fn new(base: u32, index: u32, shift: u32) -> Option<Elem> {
        let fits = |x: u32| x >> Self::BITS == 0;
        (fits(base) && fits(index))
            .then_some(Elem(base as u64 | (index as u64) << Self::BITS | ((shift & 31) as u64) << (2 * Self::BITS)))
    }

    #[inline(always)]
    pub(crate) fn base(self) -> u32 {
        (self.0 & ((1 << Self::BITS) - 1)) as u32
    }

    #[inline(always)]
    pub(crate) fn index(self) -> u32 {
        ((self.0 >> Self::BITS) & ((1 << Self::BITS) - 1)) as u32
    }

    #[inline(always)]
    pub(crate) fn shift(self) -> u32 {
        (self.0 >> (2 * Self::BITS)) as u32
    }
}

/// A load's or store's address, as the selector is asked about it: an operand, or one of the
/// address forms the translator recognises in the operators ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Addr {
    /// On the value stack.
    S,
    /// In a local.
    L(u32),
    /// A constant address.
    I(u64),
    /// A local plus a constant, added with 32-bit wrap-around.
    A(u32, u32),
    /// A local shifted left by a constant, plus a constant (32-bit, wrapping): a scaled index.
    X(u32, u32, u32),
    /// The value on the stack plus a local shifted left by a constant (32-bit, wrapping):
    /// `(index, shift)`.
    E(u32, u32),
    /// A local plus a local shifted left by a constant (32-bit, wrapping): `(base, index,
    /// shift)`.
    F(u32, u32, u32),
}

impl From<Opd> for Addr {
    fn from(o: Opd) -> Addr {
        match o {
            Opd::S => Addr::S,
            Opd::L(x) => Addr::L(x as u32),
            Opd::I(v) => Addr::I(v),
            Opd::ElemS(e) => Addr::E(e.index(), e.shift()),
            Opd::ElemL(e) => Addr::F(e.base(), e.index(), e.shift()),
        }
    }
}

/// Where a result goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dst {
    /// Pushed.
    S,
    /// Into a local.
    L(u32),
    /// A branch to the target when the result is true (non-zero).
    Br(u32),
    /// A branch when it is false.
    BrNot(u32),
    /// Go's `if cond { goto block }`: when the result is true, local `.0` set to `.1` and a
    /// branch to `.2`.
    Goto(u32, u32, u32),
    /// The same when the result is false.
    GotoNot(u32, u32, u32),
}

/// A SIMD operator's form (operands from the stack, a `v128` in two slots), as the coverage
/// test sees it.
#[derive(Debug, Clone, Copy)]
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub struct SimdFormInfo {
    /// The variant's name.
    pub name: &'static str,
    /// The Wasm operator's text name (`i32x4.add`).
    pub op: &'static str,
    /// The decoder's signature: `v128 v128 -> v128`, `lane 4 : v128 -> i32`, `load v128 3`,
    /// `store v128 4`, `load_lane 0 16`, `store_lane 0 16` or `shuffle`.
    pub sig: &'static str,
    /// For memory access, the row (`FormInfo::memory_row`): empty for memory 0 with 32-bit
    /// addresses (and every other form), `Mem` (any memory, 32-bit) or `Mem64` (64-bit).
    pub memory_row: &'static str,
    /// The operand kinds of a form with operands outside the stack (`S`, `L`: a `v128` local,
    /// `A`: an address that is a local plus a constant), bottom first; empty for the stack form.
    pub kinds: &'static str,
    /// Where the result goes: `S` (pushed) or `L` (into a `v128` local).
    pub dst: &'static str,
}

/// A generated form, as the coverage test sees it.
#[derive(Debug, Clone, Copy)]
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub struct FormInfo {
    /// The variant's name.
    pub name: &'static str,
    /// The Wasm operator's text name (`i32.add`).
    pub op: &'static str,
    /// `binary`, `compare`, `unary`, `load`, `store`, `muladd` (`c + a * b`), `shifted` (`c op
    /// (a shift k)`), `latch` or `select`.
    pub family: &'static str,
    /// Each input's kind, in operand order (`S`, `L`, `I`; for loads and stores the address
    /// first).
    pub kinds: &'static str,
    /// `S`, `L`, `Br`, `BrNot`, `Goto` or `GotoNot`.
    pub dst: &'static str,
    /// Whether the immediate is kept in 32 bits, sign-extended (so only such constants select
    /// the form).
    pub narrow_imm: bool,
    /// For loads and stores, the memory row: `""` (memory 0, 32-bit addresses), `Mem` (any
    /// memory by index, 32-bit addresses) or `Mem64` (64-bit addresses); `""` for the rest.
    pub memory_row: &'static str,
    /// For a shifted operand, the shift's text name (`i64.shr_u`); `""` for the rest.
    pub inner: &'static str,
}

/// Whether a constant's slot bits survive being kept in 32 bits, sign-extended.
#[inline]
pub(crate) fn fits_i32(value: u64) -> bool {
    value as i32 as i64 as u64 == value
}

impl Instr {
    /// Whether this heads a `br_table`'s entries (`BrTableTarget`s follow it).
    pub fn is_br_table(&self) -> bool {
        matches!(
            self,
            Instr::BrTable { .. }
                | Instr::BrTableLocal { .. }
                | Instr::BrTableAdjust { .. }
                | Instr::BrTableLocalAdjust { .. }
                | Instr::BrTableLoadScaled { .. }
        )
    }

    /// Whether this calls a function (of any kind, tail calls included). Read by the debug
    /// builds' check of the loops the translator found (`exec::threaded::check_loops`).
    #[cfg_attr(not(any(debug_assertions, test)), allow(dead_code))]
    pub fn is_call(&self) -> bool {
        matches!(
            self,
            Instr::Call { .. }
                | Instr::CallImm { .. }
                | Instr::GoCall { .. }
                | Instr::CallImport { .. }
                | Instr::CallIndirect { .. }
                | Instr::CallRef
                | Instr::ReturnCall { .. }
                | Instr::ReturnCallImport { .. }
                | Instr::ReturnCallIndirect { .. }
                | Instr::ReturnCallRef
        )
    }

    /// The branch target of a branching instruction (`None` for everything else). Read by the
    /// threaded backend's `lower` and by the debug builds' check of its sites.
    pub fn branch_target(mut self) -> Option<u32> {
        self.branch_target_mut().map(|t| *t)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn instr_is_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<super::Instr>(), 16);
    }

    #[test]
    fn an_element_address_keeps_its_locals_and_shift() {
        use super::{Elem, Opd};
        assert_eq!(std::mem::size_of::<Opd>(), 16);
        let max = (1 << 27) - 1;
        for (base, index, shift) in [(0, 0, 0), (1, 2, 3), (max, max, 31), (max, 0, 2), (0, max, 1)] {
            let e = Elem::new(base, index, shift).unwrap();
            assert_eq!((e.base(), e.index(), e.shift()), (base, index, shift));
            assert!(Opd::ElemL(e).reads(base) && Opd::ElemL(e).reads(index));
            assert!(Opd::ElemS(e).reads(index));
        }
        assert!(!Opd::ElemS(Elem::new(5, 6, 2).unwrap()).reads(5), "an ElemS's base is on the stack");
        assert_eq!(Elem::new(1 << 27, 0, 0), None);
        assert_eq!(Elem::new(0, 1 << 27, 0), None);
        assert!(Opd::local(u32::MAX).reads(u32::MAX) && !Opd::local(7).reads(8));
    }
}
