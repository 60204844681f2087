//! Translation of validated function bodies into wisp's bytecode.
//!
//! One pass over the operators. The translator keeps its own operand height (slots are
//! untyped, so it needs no types) and skips code that cannot be reached. Branches carry their
//! one stack adjustment (drop/keep); forward targets are patched at the block's `end`.

use crate::isa::{fits_imm32, Instr};
use crate::module::ModuleInner;
use wisp_decoder::{BlockType, ErrorKind, FunctionBody, Operator};

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
    /// Operand height below the block's parameters.
    height: u32,
    params: u32,
    results: u32,
    live_at_entry: bool,
    /// Loop start, the target of branches to a loop's label.
    start: u32,
    /// The last forward branch to this frame's end still waiting for its target, or
    /// `NO_SITE`. Pending branches form a chain through their own target fields (each holds
    /// the previous pending site), so recording one costs no allocation.
    pending: u32,
    /// The `BrIfEqz` of an `if` that still needs its else/end target.
    else_fixup: Option<u32>,
}

struct Translator<'m> {
    module: &'m ModuleInner,
    code: Vec<Instr>,
    ctrls: Vec<Ctrl>,
    height: u32,
    max_height: u32,
    live: bool,
    num_results: u32,
    /// The first code index fusion may touch: a branch target at or after it would land
    /// inside a fused instruction otherwise.
    barrier: u32,
    /// Fuel metering: every block starts with a `ConsumeFuel` counting its Wasm operators.
    fuel: bool,
    fuel_site: Option<u32>,
    /// Interruption: loop headers and function entry check the store's interrupt flag.
    interruptible: bool,
    /// Operand slots whose value a plain `local.get` pushed, bottom to top: `(slot, local,
    /// pos)` while the slot (an operand height) holds the value the `LocalGet { index: local }`
    /// at `code[pos]` pushed and nothing has touched it since. An operator that consumes such
    /// a slot as its left operand, with other code in between, can read the local itself and
    /// the `LocalGet` disappears (see `defer_left`). Kept sparse so that plain pushes cost
    /// nothing.
    gets: Vec<(u32, u32, u32)>,
    /// The last operator was a binary one whose left operand a `local.get` pushed: `(local,
    /// pos, at)` for `defer_cmp_left`.
    pending_cmp: Option<(u32, u32, u32)>,
}

/// Plain operators (typing is pop/push only, no immediates): the instruction of the same name,
/// with how many slots it pops and pushes. Derived from the decoder's opcode table.
macro_rules! plain_one {
    (Nop {} [$($sig:tt)*]) => { None };
    ($name:ident {} [$($p:ident)* -> $($r:ident)*]) => {
        Some((Instr::$name, 0 $(+ plain_one!(@count $p))*, 0 $(+ plain_one!(@count $r))*))
    };
    ($name:ident { $($field:ident)* } [$($sig:tt)*]) => { None };
    (@count $t:ident) => { 1 };
}

macro_rules! plain_ops {
    ($( $proposal:ident $code:literal $name:ident { $($field:ident : $ty:ty = $read:ident),* } [$($sig:tt)*] $text:literal )*) => {
        fn plain_op(op: &Operator<'_>) -> Option<(Instr, u32, u32)> {
            match op {
                $( Operator::$name { .. } => plain_one!($name { $($field)* } [$($sig)*]), )*
            }
        }
    };
}
wisp_decoder::for_each_operator!(plain_ops);

/// Fusion rules for the binary operators of `isa::for_each_fused_binop!`: operands from two
/// `local.get`s, a result going to `local.set`, or both. Arguments: the last three instructions
/// that may fuse (oldest first). Returns how many to replace and with what.
macro_rules! binop_rules {
    ( ; $( ($op:ident, $ll:ident, $llset:ident, $set:ident, $imm:ident, $l:ident, $tee:ident, $li:ident, $ls:ident,
            $lset:ident, $liset:ident, $lltee:ident, $immtee:ident, $immset:ident, $lstee:ident, $litee:ident,
            $t:ty, $f:expr) )*) => {
        fn fuse_binop(p: Option<Instr>, b: Option<Instr>, a: Instr) -> Option<(usize, Instr)> {
            use Instr::*;
            match (p, b, a) {
                // The constant keeps its slot bits: an i32/f32 const zero-extended, an i64/f64 one whole.
                $( (_, Some(Const32 { value }), $op) => Some((2, $imm { value: value as u64 })), )*
                $( (_, Some(Const64 { value }), $op) => Some((2, $imm { value })), )*
                $( (Some(LocalGet { index: x }), Some(LocalGet { index: y }), $op) => Some((3, $ll { a: x, b: y })), )*
                $( (_, Some($ll { a, b }), LocalSet { index }) => Some((2, $llset { a, b, dst: index })), )*
                $( (_, Some($op), LocalSet { index }) => Some((2, $set { dst: index })), )*
                $( (_, Some($op), LocalTee { index }) => Some((2, $tee { dst: index })), )*
                $( (_, Some($l { b }), LocalSet { index }) => Some((2, $lset { b, dst: index })), )*
                $( (_, Some($li { a, value }), LocalSet { index })
                    if fits_imm32(value, std::mem::size_of::<$t>()) =>
                {
                    Some((2, $liset { a, value: value as u32, dst: index }))
                } )*
                $( (_, Some($ll { a, b }), LocalTee { index }) => Some((2, $lltee { a, b, dst: index })), )*
                $( (_, Some($imm { value }), LocalTee { index }) => Some((2, $immtee { value, dst: index })), )*
                $( (_, Some($ls { a }), LocalTee { index }) => Some((2, $lstee { a, dst: index })), )*
                $( (_, Some($li { a, value }), LocalTee { index })
                    if fits_imm32(value, std::mem::size_of::<$t>()) =>
                {
                    Some((2, $litee { a, value: value as u32, dst: index }))
                } )*
                $( (_, Some($imm { value }), LocalSet { index }) => Some((2, $immset { value, dst: index })), )*
                $( (_, Some(LocalGet { index }), $imm { value }) => Some((2, $li { a: index, value })), )*
                // After the two-local form had its chance (above): one operand from a local.
                $( (_, Some(LocalGet { index }), $op) => Some((2, $l { b: index })), )*
                _ => None,
            }
        }

        /// The local a fused binop writes, if any.
        fn fused_binop_dst(i: &Instr) -> Option<u32> {
            use Instr::*;
            match *i {
                $( $llset { dst, .. } | $set { dst } | $tee { dst } | $lset { dst, .. } | $liset { dst, .. }
                   | $lltee { dst, .. } | $immtee { dst, .. } | $immset { dst, .. } | $lstee { dst, .. }
                   | $litee { dst, .. } => Some(dst), )*
                _ => None,
            }
        }

        /// A fused binop's `local.tee` form as its `local.set` form, with the local.
        fn tee_binop_as_set(i: Instr) -> Option<(Instr, u32)> {
            use Instr::*;
            match i {
                $( $lltee { a, b, dst } => Some(($llset { a, b, dst }, dst)), )*
                $( $tee { dst } => Some(($set { dst }, dst)), )*
                $( $immtee { value, dst } => Some(($immset { value, dst }, dst)), )*
                $( $litee { a, value, dst } => Some(($liset { a, value, dst }, dst)), )*
                _ => None,
            }
        }

        /// The form of a plain binop that reads its left operand from local `a`.
        fn left_local_binop(i: &Instr, a: u32) -> Option<Instr> {
            use Instr::*;
            match *i {
                $( $op => Some($ls { a }), )*
                _ => None,
            }
        }
    };
}
crate::for_each_fused_binop! { binop_rules }

/// Fusion rules for the loads of `isa::for_each_fused_load!` with the address computation
/// before them.
macro_rules! load_rules {
    ( ; $( ($load:ident, $local:ident, $localimm:ident, $addimm:ident, $set:ident, $localset:ident, $scaled:ident, $n:literal, $conv:expr) )*) => {
        fn fuse_load(b: Option<Instr>, a: Instr) -> Option<(usize, Instr)> {
            use Instr::*;
            match (b?, a) {
                $( ($load { offset }, LocalSet { index }) => Some((2, $set { offset, dst: index })), )*
                $( ($local { index: x, offset }, LocalSet { index }) => Some((2, $localset { index: x, offset, dst: index })), )*
                $( (LocalGet { index }, $load { offset }) => Some((2, $local { index, offset })), )*
                $( (LocalGetAddImm { index, value }, $load { offset }) => Some((2, $localimm { index, imm: value, offset })), )*
                $( (I32AddImm { value }, $load { offset }) => Some((2, $addimm { imm: value as u32, offset })), )*
                $( (I32ShlLI { a: index, value: shift }, $addimm { imm, offset }) => {
                    Some((2, $scaled { index, shift: (shift & 31) as u8, imm, offset }))
                } )*
                _ => None,
            }
        }

        /// The local a fused load writes, if any.
        fn fused_load_dst(i: &Instr) -> Option<u32> {
            use Instr::*;
            match *i {
                $( $set { dst, .. } | $localset { dst, .. } => Some(dst), )*
                _ => None,
            }
        }
    };
}
crate::for_each_fused_load! { load_rules }

/// Fusion rules for the comparisons of `isa::for_each_fused_cmp!` with the `br_if` (or the
/// `if`'s branch-when-false) that consumes them, then with `local.get` operands; and the
/// branch target of every fused comparison, for patching.
macro_rules! cmp_rules {
    ( ; $( ($cmp:ident, $br:ident, $brnot:ident, $llbr:ident, $llbrnot:ident, $imm:ident, $immbr:ident, $immbrnot:ident,
            $lbr:ident, $lbrnot:ident, $li:ident, $libr:ident, $librnot:ident, $mlbr:ident, $mlbrnot:ident, $t:ty, $f:expr) )*) => {
        fn fuse_cmp(p: Option<Instr>, b: Option<Instr>, a: Instr) -> Option<(usize, Instr)> {
            use Instr::*;
            match (p, b, a) {
                $( (_, Some(Const32 { value }), $cmp) => Some((2, $imm { value: value as u64 })), )*
                $( (_, Some(Const64 { value }), $cmp) => Some((2, $imm { value })), )*
                $( (_, Some($imm { value }), BrIfNez { target }) => Some((2, $immbr { value, target })), )*
                $( (_, Some($imm { value }), BrIfEqz { target }) => Some((2, $immbrnot { value, target })), )*
                $( (_, Some($cmp), BrIfNez { target }) => Some((2, $br { target })), )*
                $( (_, Some($cmp), BrIfEqz { target }) => Some((2, $brnot { target })), )*
                $( (Some(LocalGet { index: x }), Some(LocalGet { index: y }), $br { target }) => {
                    Some((3, $llbr { a: x, b: y, target }))
                } )*
                $( (Some(LocalGet { index: x }), Some(LocalGet { index: y }), $brnot { target }) => {
                    Some((3, $llbrnot { a: x, b: y, target }))
                } )*
                // After the two-local forms had their chance (above): the right operand a local.
                $( (_, Some(LocalGet { index }), $br { target }) => Some((2, $lbr { b: index, target })), )*
                $( (_, Some(LocalGet { index }), $brnot { target }) => Some((2, $lbrnot { b: index, target })), )*
                $( (_, Some(LocalGet { index }), $imm { value }) => Some((2, $li { a: index, value })), )*
                $( (_, Some($li { a, value }), BrIfNez { target })
                    if fits_imm32(value, std::mem::size_of::<$t>()) =>
                {
                    Some((2, $libr { a, value: value as u32, target }))
                } )*
                $( (_, Some($li { a, value }), BrIfEqz { target })
                    if fits_imm32(value, std::mem::size_of::<$t>()) =>
                {
                    Some((2, $librnot { a, value: value as u32, target }))
                } )*
                _ => None,
            }
        }

        /// The form of a compare-and-branch whose left operand is read from local `a`: the
        /// mirrored comparison with `a` as its right operand.
        fn left_local_cmp_br(i: &Instr, a: u32) -> Option<Instr> {
            use Instr::*;
            match *i {
                $( $br { target } => Some($mlbr { b: a, target }), )*
                $( $brnot { target } => Some($mlbrnot { b: a, target }), )*
                _ => None,
            }
        }

        fn fused_cmp_target(i: &mut Instr) -> Option<&mut u32> {
            use Instr::*;
            match i {
                $( $br { target } | $brnot { target } | $llbr { target, .. } | $llbrnot { target, .. }
                   | $immbr { target, .. } | $immbrnot { target, .. } | $lbr { target, .. } | $lbrnot { target, .. }
                   | $libr { target, .. } | $librnot { target, .. } => Some(target), )*
                _ => None,
            }
        }
    };
}
crate::for_each_fused_cmp! { cmp_rules }

/// Jump threading, run once all targets are patched:
/// - Go's jumps back to its resume dispatch, `i32.const c; local.set x; br $loop` where the
///   loop starts with `local.get x; br_table`: the table's choice is known, so the jump goes
///   straight to the chosen entry's target (when that entry adjusts no stack);
/// - a plain `br` to a `local.get` does the push itself (`LocalGetBr`).
///
/// With fuel or interruption on, labels and loop headers start with their own instruction, the
/// patterns do not match and every block is still metered.
fn thread_jumps(code: &mut [Instr]) {
    for i in 0..code.len() {
        // A jump to a `local.get` does the push itself and lands after it.
        if let Instr::Br { target } = code[i] {
            if let Some(&Instr::LocalGet { index }) = code.get(target as usize) {
                code[i] = Instr::LocalGetBr { index, target: target + 1 };
            }
            continue;
        }
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

/// The end of a chain of pending branch sites (`Ctrl::pending`).
const NO_SITE: u32 = u32::MAX;

/// Fusion rules for the stores of `isa::for_each_fused_store!`, and the form of a plain store
/// that reads its address from a local (for `Translator::defer_left`).
macro_rules! store_rules {
    ( ; $( ($store:ident, $at:ident, $atimm:ident, $ll:ident, $laimm:ident, $lalocal:ident, $n:literal, $bytes:expr) )*) => {
        fn fuse_store(p: Option<Instr>, b: Option<Instr>, a: Instr) -> Option<(usize, Instr)> {
            use Instr::*;
            // A constant's slot bits kept in 32 bits, if a store of `n` bytes writes the same.
            let imm32 = |value: u64, n: usize| fits_imm32(value, n).then_some(value as u32);
            match (p, b?, a) {
                $( (Some(LocalGet { index: addr }), LocalGet { index: value }, $store { offset }) => {
                    Some((3, $ll { addr, value, offset }))
                } )*
                $( (Some(LocalGetAddImm { index: addr, value: imm }), LocalGet { index: value }, $store { offset: 0 }) => {
                    Some((3, $lalocal { addr, imm, value }))
                } )*
                $( (Some(LocalGetAddImm { index: addr, value: imm }), Const32 { value }, $store { offset: 0 }) => {
                    Some((3, $laimm { addr, imm, value: imm32(value as u64, $n)? }))
                } )*
                $( (Some(LocalGetAddImm { index: addr, value: imm }), Const64 { value }, $store { offset: 0 }) => {
                    Some((3, $laimm { addr, imm, value: imm32(value, $n)? }))
                } )*
                $( (Some(LocalGet { index: addr }), Const32 { value }, $store { offset }) => {
                    Some((3, $atimm { addr, offset, value: imm32(value as u64, $n)? }))
                } )*
                $( (Some(LocalGet { index: addr }), Const64 { value }, $store { offset }) => {
                    Some((3, $atimm { addr, offset, value: imm32(value, $n)? }))
                } )*
                $( (_, Const32 { value }, $at { addr, offset }) => {
                    Some((2, $atimm { addr, offset, value: imm32(value as u64, $n)? }))
                } )*
                $( (_, Const64 { value }, $at { addr, offset }) => {
                    Some((2, $atimm { addr, offset, value: imm32(value, $n)? }))
                } )*
                _ => None,
            }
        }

        /// The form of a plain store that reads its address from local `addr`.
        fn store_at(i: &Instr, addr: u32) -> Option<Instr> {
            use Instr::*;
            match *i {
                $( $store { offset } => Some($at { addr, offset }), )*
                _ => None,
            }
        }
    };
}
crate::for_each_fused_store! { store_rules }

/// Fusion rules for loop latches (`isa::for_each_fused_step!`): a counter stepped by a small
/// constant, then compared and branched on; and the branch targets of the latch forms.
macro_rules! step_rules {
    ( ; $( ($lbr:ident, $lbrnot:ident, $immbr:ident, $immbrnot:ident, $llbr:ident, $llbrnot:ident, $libr:ident, $librnot:ident,
            $steplbr:ident, $steplbrnot:ident, $stepibr:ident, $stepibrnot:ident, $stepllbr:ident, $stepllbrnot:ident,
            $stepinc:ident, $stepadd:ident, $t:ty, $ct:ty, $f:expr) )*) => {
        fn fuse_step(b: Option<Instr>, a: Instr) -> Option<(usize, Instr)> {
            use Instr::*;
            // A latch after a second induction variable's step takes the step in.
            match (b, a) {
                $( (Some(LocalAddImmSet { src, value, dst }), $steplbr { local, step, b, target }) if src == dst => {
                    let by = i16::try_from(value as i32).ok()?;
                    let [local, b, inc] = narrow_locals([local, b, dst])?;
                    return Some((2, $stepinc { local, step, b, inc, by, target }));
                } )*
                $( (Some(I32AddLLSet { a: x, b: y, dst }), $stepllbr { local, by, b, target }) if dst == x || dst == y => {
                    let other = if dst == x { y } else { x };
                    let [x, y] = narrow_locals([dst, other])?;
                    return Some((2, $stepadd { local, by, b, x, y, target }));
                } )*
                _ => {}
            }
            match a {
                $( $llbr { a: c, b: bound, target } => {
                    let (local, by, bound) = counter_local_step(b?, c, bound, std::mem::size_of::<$ct>())?;
                    Some((2, $stepllbr { local, by, b: bound, target }))
                } )*
                $( $llbrnot { a: c, b: bound, target } => {
                    let (local, by, bound) = counter_local_step(b?, c, bound, std::mem::size_of::<$ct>())?;
                    Some((2, $stepllbrnot { local, by, b: bound, target }))
                } )*
                $( $lbr { b: bound, target } => {
                    let (local, step) = counter_step(b?, std::mem::size_of::<$ct>())?;
                    Some((2, $steplbr { local, step, b: bound, target }))
                } )*
                $( $lbrnot { b: bound, target } => {
                    let (local, step) = counter_step(b?, std::mem::size_of::<$ct>())?;
                    Some((2, $steplbrnot { local, step, b: bound, target }))
                } )*
                $( $immbr { value, target } if fits_imm32(value, std::mem::size_of::<$ct>()) => {
                    let (local, step) = counter_step(b?, std::mem::size_of::<$ct>())?;
                    Some((2, $stepibr { local, step, bound: value as u32, target }))
                } )*
                $( $immbrnot { value, target } if fits_imm32(value, std::mem::size_of::<$ct>()) => {
                    let (local, step) = counter_step(b?, std::mem::size_of::<$ct>())?;
                    Some((2, $stepibrnot { local, step, bound: value as u32, target }))
                } )*
                _ => None,
            }
        }

        /// `tee; compare-and-branch` as `set; compare-and-branch reading the local`: the value
        /// goes to its local either way, and the branch reads it back instead of the stack
        /// (no push and pop). `Some((set, branch))` when both have such forms.
        fn split_tee(b: Instr, a: Instr) -> Option<(Instr, Instr)> {
            use Instr::*;
            let (set, dst) = tee_as_set(b)?;
            let br = match a {
                $( $lbr { b, target } => $llbr { a: dst, b, target }, )*
                $( $lbrnot { b, target } => $llbrnot { a: dst, b, target }, )*
                $( $immbr { value, target } if fits_imm32(value, std::mem::size_of::<$ct>()) => {
                    $libr { a: dst, value: value as u32, target }
                } )*
                $( $immbrnot { value, target } if fits_imm32(value, std::mem::size_of::<$ct>()) => {
                    $librnot { a: dst, value: value as u32, target }
                } )*
                BrIfNez { target } => BrIfLocalNez { index: dst, target },
                BrIfEqz { target } => BrIfLocalEqz { index: dst, target },
                _ => return None,
            };
            Some((set, br))
        }

        fn fused_step_target(i: &mut Instr) -> Option<&mut u32> {
            use Instr::*;
            match i {
                $( $steplbr { target, .. } | $steplbrnot { target, .. } | $stepibr { target, .. } | $stepibrnot { target, .. }
                   | $stepllbr { target, .. } | $stepllbrnot { target, .. } | $stepinc { target, .. }
                   | $stepadd { target, .. } => Some(target), )*
                _ => None,
            }
        }
    };
}
crate::for_each_fused_step! { step_rules }

/// Fusion rules for integer division and remainder (`isa::for_each_fused_div!`).
macro_rules! div_rules {
    ( ; $( ($op:ident, $ll:ident, $ls:ident, $tee:ident, $set:ident, $lltee:ident, $llset:ident, $t:ty, $f:path) )*) => {
        fn fuse_div(p: Option<Instr>, b: Option<Instr>, a: Instr) -> Option<(usize, Instr)> {
            use Instr::*;
            match (p, b?, a) {
                $( (Some(LocalGet { index: x }), LocalGet { index: y }, $op) => Some((3, $ll { a: x, b: y })), )*
                $( (_, $ll { a, b }, LocalTee { index }) => Some((2, $lltee { a, b, dst: index })), )*
                $( (_, $ll { a, b }, LocalSet { index }) => Some((2, $llset { a, b, dst: index })), )*
                $( (_, $op, LocalTee { index }) => Some((2, $tee { dst: index })), )*
                $( (_, $op, LocalSet { index }) => Some((2, $set { dst: index })), )*
                _ => None,
            }
        }

        /// The form of a division that reads its left operand from local `a`.
        fn left_local_div(i: &Instr, a: u32) -> Option<Instr> {
            use Instr::*;
            match *i {
                $( $op => Some($ls { a }), )*
                _ => None,
            }
        }

        /// The local a fused division writes, if any.
        fn fused_div_dst(i: &Instr) -> Option<u32> {
            use Instr::*;
            match *i {
                $( $tee { dst } | $set { dst } | $lltee { dst, .. } | $llset { dst, .. } => Some(dst), )*
                _ => None,
            }
        }
    };
}
crate::for_each_fused_div! { div_rules }

/// The counter step before a latch's compare-and-branch, for a counter of `bytes` bytes:
/// `(local, step)`. An i32 counter is `LocalAddImmTee` onto itself, an i64 one `I64AddLITee`
/// onto itself (`I64AddLI; local.tee` has fused into it by then; its constant is kept
/// sign-extended). Steps beyond 16 bits do not fuse.
fn counter_step(b: Instr, bytes: usize) -> Option<(u32, i16)> {
    match b {
        Instr::LocalAddImmTee { src, value, dst } if bytes == 4 && src == dst => {
            Some((dst, i16::try_from(value as i32).ok()?))
        }
        Instr::I64AddLITee { a, value, dst } if bytes == 8 && a == dst => {
            Some((dst, i16::try_from(value as i32).ok()?))
        }
        _ => None,
    }
}

/// A counter stepped by a local before a two-local compare-and-branch of it (`b`, then the
/// branch reading locals `c` and `bound`): `c = c + by` (or `by + c`) as a `*AddLLSet` of the
/// counter's width. Returns `(counter, by, bound)` as the latch's 16-bit fields.
fn counter_local_step(b: Instr, c: u32, bound: u32, bytes: usize) -> Option<(u16, u16, u16)> {
    let (x, y, dst) = match (b, bytes) {
        (Instr::I32AddLLSet { a, b, dst }, 4) | (Instr::I64AddLLSet { a, b, dst }, 8) => (a, b, dst),
        _ => return None,
    };
    let by = match () {
        _ if dst != c => return None,
        _ if x == c => y,
        _ if y == c => x,
        _ => return None,
    };
    let [c, by, bound] = narrow_locals([c, by, bound])?;
    Some((c, by, bound))
}

/// Local indices as a latch's 16-bit fields (every function's fit: the decoder allows 50,000
/// locals), or `None`.
fn narrow_locals<const N: usize>(locals: [u32; N]) -> Option<[u16; N]> {
    let mut out = [0; N];
    for (o, l) in out.iter_mut().zip(locals) {
        *o = u16::try_from(l).ok()?;
    }
    Some(out)
}

/// A `local.tee` form as the matching `local.set` form, with the local it writes.
fn tee_as_set(i: Instr) -> Option<(Instr, u32)> {
    use Instr::*;
    Some(match i {
        LocalTee { index } => (LocalSet { index }, index),
        LocalGetTee { src, dst } => (LocalCopy { src, dst }, dst),
        LocalAddImmTee { src, value, dst } => (LocalAddImmSet { src, value, dst }, dst),
        SelectTee { dst } => (SelectSet { dst }, dst),
        other => return tee_binop_as_set(other),
    })
}

/// The form of a one-off superinstruction that reads its left operand from local `a` (see
/// `Translator::defer_left`).
fn left_local_special(i: &Instr, a: u32) -> Option<Instr> {
    use Instr::*;
    match *i {
        I32AddShlImm { shift } => Some(I32AddLShlImm { a, shift }),
        I32AddShlLI { x, shift } => Some(I32AddLShlL { a, x, shift }),
        I32XorMulImm { value } => Some(I32XorLSMulImm { a, value }),
        _ => None,
    }
}

/// Whether `i`, placed between a `local.get local` and the operator consuming its value,
/// stops that operator from reading the local itself: it writes the local, or it branches,
/// returns or ends the code (see `Translator::defer_left`).
fn disturbs(i: &Instr, local: u32) -> bool {
    use Instr::*;
    match *i {
        LocalSet { index }
        | LocalTee { index }
        | GlobalGetLocalSet { index, .. }
        | LocalSetImm32 { index, .. }
        | LocalSetImm64 { index, .. }
        | LocalAddImmTeeGlobal { index, .. } => index == local,
        LocalCopy { dst, .. } | LocalAddImmSet { dst, .. } | LocalAddImmTee { dst, .. } | LocalGetTee { dst, .. } => {
            dst == local
        }
        LocalCopy2 { d1, d2, .. } => d1 as u32 == local || d2 as u32 == local,
        SelectTee { dst } | SelectSet { dst } => dst == local,
        Return { .. } | BrTableTarget { .. } | Unreachable => true,
        _ => {
            i.is_br_table()
                || branch_target(*i).is_some()
                || fused_binop_dst(i) == Some(local)
                || fused_load_dst(i) == Some(local)
                || fused_div_dst(i) == Some(local)
        }
    }
}

/// The branch target of a branching instruction (`None` for everything else).
fn branch_target(mut i: Instr) -> Option<u32> {
    branch_target_mut(&mut i).map(|t| *t)
}

pub(crate) fn branch_target_mut(i: &mut Instr) -> Option<&mut u32> {
    match i {
        Instr::Br { target: t }
        | Instr::BrAdjust { target: t, .. }
        | Instr::BrIfNez { target: t }
        | Instr::BrIfEqz { target: t }
        | Instr::BrIfNezAdjust { target: t, .. }
        | Instr::BrIfI64Eqz { target: t }
        | Instr::BrIfI64Nez { target: t }
        | Instr::BrIfLocalNez { target: t, .. }
        | Instr::BrIfLocalEqz { target: t, .. }
        | Instr::GlobalGetLocalSetBrIfNez { target: t, .. }
        | Instr::LocalSetImmBr { target: t, .. }
        | Instr::LocalGetBr { target: t, .. }
        | Instr::I32Load8UAtBrNez { target: t, .. }
        | Instr::I32Load8UAtBrEqz { target: t, .. }
        | Instr::BrTableTarget { target: t, .. } => Some(t),
        other => {
            if fused_step_target(other).is_some() {
                fused_step_target(other)
            } else {
                fused_cmp_target(other)
            }
        }
    }
}

impl<'m> Translator<'m> {
    /// Appends an instruction, fusing it with the ones before it where a superinstruction
    /// exists. Returns the index of the (possibly fused) instruction.
    fn emit(&mut self, i: Instr) -> u32 {
        self.code.push(i);
        while self.fuse() {}
        self.code.len() as u32 - 1
    }

    /// Marks the current position as a branch target: nothing before it fuses with what follows.
    fn label(&mut self) -> u32 {
        let at = self.code.len() as u32;
        self.barrier = at;
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

    /// Stops fusion at the current position without starting a fuel block (br_table entries).
    fn no_fusion_here(&mut self) {
        self.barrier = self.code.len() as u32;
    }

    /// Charges one unit of fuel for a Wasm operator to the current block.
    fn meter(&mut self) {
        if let Some(site) = self.fuel_site {
            if let Instr::ConsumeFuel { amount } = &mut self.code[site as usize] {
                *amount += 1;
            }
        }
    }

    /// One peephole step over the tail of the code; true when it rewrote something.
    fn fuse(&mut self) -> bool {
        use Instr::*;
        let n = self.code.len();
        let avail = n - (self.barrier as usize).min(n);
        let c = &self.code;
        let (b, a) = match avail {
            0 => return false,
            1 => (None, c[n - 1]),
            _ => (Some(c[n - 2]), c[n - 1]),
        };
        let prev3 = if avail >= 3 { Some(c[n - 3]) } else { None };
        let prev4 = if avail >= 4 { Some(c[n - 4]) } else { None };
        let (drop, new) = match (prev4, prev3, b, a) {
            (_, _, Some(Const32 { value }), I32Sub) => (2, I32AddImm { value: value.wrapping_neg() as u64 }),
            (_, _, Some(LocalGet { index }), I32AddImm { value }) => (2, LocalGetAddImm { index, value: value as u32 }),
            (_, _, Some(LocalAddImmTee { src, value, dst }), GlobalSet { index: g }) if src == dst => {
                (2, LocalAddImmTeeGlobal { index: src, delta: value, global: g })
            }
            (_, _, Some(GlobalGet { index: g }), LocalSet { index }) => (2, GlobalGetLocalSet { global: g, index }),
            (_, _, Some(Const32 { value }), LocalSet { index }) => (2, LocalSetImm32 { index, value }),
            (_, _, Some(Const64 { value }), LocalSet { index }) if fits_imm32(value, 8) => {
                (2, LocalSetImm64 { index, value: value as u32 })
            }
            (_, _, Some(LocalSet { index }), LocalGet { index: g }) if g == index => (2, LocalTee { index }),
            (_, _, Some(LocalGet { index: src }), LocalSet { index: dst }) => (2, LocalCopy { src, dst }),
            (_, _, Some(LocalGetAddImm { index: src, value }), LocalSet { index: dst }) => {
                (2, LocalAddImmSet { src, value, dst })
            }
            (_, _, Some(LocalGet { index: src }), LocalTee { index: dst }) => (2, LocalGetTee { src, dst }),
            (_, _, Some(LocalGetAddImm { index: src, value }), LocalTee { index: dst }) => {
                (2, LocalAddImmTee { src, value, dst })
            }
            (_, _, Some(LocalGet { index }), BrIfNez { target }) => (2, BrIfLocalNez { index, target }),
            (_, _, Some(LocalGet { index }), BrIfEqz { target }) => (2, BrIfLocalEqz { index, target }),
            (_, _, Some(GlobalGetLocalSet { global, index }), BrIfNez { target }) => {
                (2, GlobalGetLocalSetBrIfNez { global, index, target })
            }
            (_, _, Some(LocalSetImm32 { index, value }), Br { target }) => (2, LocalSetImmBr { index, value, target }),
            (_, _, Some(LocalGet { index }), BrTable { len }) => (2, BrTableLocal { index, len }),
            (_, _, Some(LocalGet { index }), BrTableAdjust { len }) => (2, BrTableLocalAdjust { index, len }),
            (_, _, Some(I32LoadScaled { index, shift, imm, offset: 0 }), BrTable { len }) => {
                (2, BrTableLoadScaled { index, shift, imm, len })
            }
            (_, Some(LocalGet { index }), Some(I64ExtendI32U), I64AddImm { value }) => {
                (3, LocalGetExtendAddImm { index, value })
            }
            (_, _, Some(Const32 { value }), Call { func }) => (2, CallImm { func, value }),
            // Shifting right arithmetically keeps the sign: `(x >> k) < 0` is `x < 0`.
            (_, _, Some(I32ShrSImm { .. }), I32LtSImm { value: 0 }) => (2, I32LtSImm { value: 0 }),
            (_, _, Some(I32ShrSImm { .. }), I32GeSImm { value: 0 }) => (2, I32GeSImm { value: 0 }),
            (_, _, Some(I64ShrSImm { .. }), I64LtSImm { value: 0 }) => (2, I64LtSImm { value: 0 }),
            (_, _, Some(I64ShrSImm { .. }), I64GeSImm { value: 0 }) => (2, I64GeSImm { value: 0 }),
            (_, _, Some(I32ShrSLI { a, .. }), I32LtSImm { value: 0 }) => (2, I32LtSLI { a, value: 0 }),
            (_, _, Some(I32ShrSLI { a, .. }), I32GeSImm { value: 0 }) => (2, I32GeSLI { a, value: 0 }),
            (_, _, Some(I64ShrSLI { a, .. }), I64LtSImm { value: 0 }) => (2, I64LtSLI { a, value: 0 }),
            (_, _, Some(I64ShrSLI { a, .. }), I64GeSImm { value: 0 }) => (2, I64GeSLI { a, value: 0 }),
            // Sign extension without the sign-extension operators (clang's default target).
            (_, _, Some(I32ShlImm { value: 16 }), I32ShrSImm { value: 16 }) => (2, I32Extend16S),
            (_, _, Some(I32ShlImm { value: 24 }), I32ShrSImm { value: 24 }) => (2, I32Extend8S),
            (_, _, Some(Select), LocalTee { index }) => (2, SelectTee { dst: index }),
            (_, _, Some(Select), LocalSet { index }) => (2, SelectSet { dst: index }),
            (_, _, Some(I32ShlImm { value }), I32Add) => (2, I32AddShlImm { shift: value as u32 & 31 }),
            (_, _, Some(I32ShlImm { value }), I32AddLS { a }) => (2, I32AddLShlImm { a, shift: value as u32 & 31 }),
            (_, _, Some(I32ShlLI { a: x, value }), I32Add) => (2, I32AddShlLI { x, shift: value as u32 & 31 }),
            (_, _, Some(I32ShlLI { a: x, value }), I32AddL { b })
            | (_, _, Some(I32ShlLI { a: x, value }), I32AddLS { a: b }) => {
                (2, I32AddLShlL { a: b, x, shift: value as u32 & 31 })
            }
            (_, _, Some(LocalGet { index }), I32AddShlLI { x, shift }) => (2, I32AddLShlL { a: index, x, shift }),
            (_, _, Some(I32Xor), I32MulImm { value }) => (2, I32XorMulImm { value: value as u32 }),
            (_, _, Some(I32XorLS { a }), I32MulImm { value }) => (2, I32XorLSMulImm { a, value: value as u32 }),
            (_, _, Some(I32MulL { b }), I32Add) => (2, I32MulLAdd { b }),
            (_, _, Some(I32Load16SLocalAddImm { index, imm, offset: 0 }), I32MulLAdd { b }) => {
                (2, I32Load16SAtMulLAdd { index, imm, b })
            }
            (_, _, Some(I32Load16SLocal { index, offset: 0 }), I32MulLAdd { b }) => {
                (2, I32Load16SAtMulLAdd { index, imm: 0, b })
            }
            // `x << k < 0` tests bit 31 - k (k taken modulo 32; k = 0 is a sign test, kept as
            // a comparison so a branch can still fuse with it).
            (_, _, Some(I32ShlLI { a, value }), I32LtSImm { value: 0 }) if value & 31 != 0 => {
                (2, I32BitL { a, bit: 31 - (value as u32 & 31) })
            }
            (_, _, Some(I32ShlImm { value }), I32LtSImm { value: 0 }) if value & 31 != 0 => {
                (2, I32Bit { bit: 31 - (value as u32 & 31) })
            }
            (_, _, Some(I32Load8ULocalAddImm { index, imm, offset: 0 }), BrIfNez { target }) => {
                (2, I32Load8UAtBrNez { index, imm, target })
            }
            (_, _, Some(I32Load8ULocalAddImm { index, imm, offset: 0 }), BrIfEqz { target }) => {
                (2, I32Load8UAtBrEqz { index, imm, target })
            }
            (_, _, Some(I32Load8ULocal { index, offset: 0 }), BrIfNez { target }) => {
                (2, I32Load8UAtBrNez { index, imm: 0, target })
            }
            (_, _, Some(I32Load8ULocal { index, offset: 0 }), BrIfEqz { target }) => {
                (2, I32Load8UAtBrEqz { index, imm: 0, target })
            }
            (_, _, Some(LocalCopy { src: s1, dst: d1 }), LocalCopy { src: s2, dst: d2 })
                if [s1, d1, s2, d2].iter().all(|&l| l <= u16::MAX as u32) =>
            {
                (2, LocalCopy2 { s1: s1 as u16, d1: d1 as u16, s2: s2 as u16, d2: d2 as u16 })
            }
            (_, _, Some(I32Eqz), BrIfEqz { target }) => (2, BrIfNez { target }),
            (_, _, Some(I32Eqz), BrIfNez { target }) => (2, BrIfEqz { target }),
            (_, _, Some(I64Eqz), BrIfEqz { target }) => (2, BrIfI64Nez { target }),
            (_, _, Some(I64Eqz), BrIfNez { target }) => (2, BrIfI64Eqz { target }),
            // Go's int32 and int8/int16 sign extensions without GOWASM=signext.
            // (`i64.const n; i64.shl` has already become `I64ShlImm`.)
            (_, Some(I64ShlImm { value: 32 }), Some(Const64 { value: 32 }), I64ShrS) => (3, I64Extend32S),
            (_, Some(I64ShlImm { value: 48 }), Some(Const64 { value: 48 }), I64ShrS) => (3, I64Extend16S),
            (_, Some(I64ShlImm { value: 56 }), Some(Const64 { value: 56 }), I64ShrS) => (3, I64Extend8S),
            _ => match fuse_binop(prev3, b, a)
                .or_else(|| fuse_cmp(prev3, b, a))
                .or_else(|| fuse_load(b, a))
                .or_else(|| fuse_store(prev3, b, a))
                .or_else(|| fuse_step(b, a))
                .or_else(|| fuse_div(prev3, b, a))
            {
                Some(r) => r,
                None => {
                    // No one-instruction form: a tee before a compare-and-branch becomes a set
                    // and a branch reading the local (the set may fuse with what is before it).
                    let Some((set, br)) = b.and_then(|b| split_tee(b, a)) else { return false };
                    self.truncate_code(n - 2);
                    self.emit(set);
                    self.emit(br);
                    return true;
                }
            },
        };
        self.truncate_code(n - drop);
        self.code.push(new);
        true
    }

    fn push(&mut self, n: u32) {
        self.height += n;
        if self.height > self.max_height {
            self.max_height = self.height;
        }
    }

    fn pop(&mut self, n: u32) {
        debug_assert!(self.height >= n, "validated code never underflows");
        self.height = self.height.saturating_sub(n);
        self.forget_gets_from(self.height);
    }

    /// The `(local, pos)` of the `local.get` that pushed the operand `depth` slots below the
    /// top (0 = top), if one did.
    fn operand(&self, depth: u32) -> Option<(u32, u32)> {
        let slot = self.height.checked_sub(depth + 1)?;
        self.gets.iter().rev().take(depth as usize + 1).find(|g| g.0 == slot).map(|&(_, l, p)| (l, p))
    }

    fn block_arity(&self, bt: BlockType) -> (u32, u32) {
        match bt {
            BlockType::Empty => (0, 0),
            BlockType::Value(_) => (0, 1),
            BlockType::FuncType(i) => {
                let t = &self.module.types[i as usize];
                (t.params().len() as u32, t.results().len() as u32)
            }
        }
    }

    fn push_ctrl(&mut self, kind: Kind, bt: BlockType) {
        let (params, results) = self.block_arity(bt);
        let height = if self.live { self.height - params } else { self.height };
        self.ctrls.push(Ctrl {
            kind,
            height,
            params,
            results,
            live_at_entry: self.live,
            start: self.code.len() as u32,
            pending: NO_SITE,
            else_fixup: None,
        });
    }

    /// The target, drop and keep of a branch to label `depth` from the current height.
    /// Returns `None` as target for forward branches (patched at the block's end).
    fn branch_info(&self, depth: u32) -> (Option<u32>, u32, u32, usize) {
        let idx = self.ctrls.len() - 1 - depth as usize;
        let frame = &self.ctrls[idx];
        let (target, keep) = match frame.kind {
            Kind::Loop => (Some(frame.start), frame.params),
            _ => (None, frame.results),
        };
        let drop = self.height - frame.height - keep;
        (target, drop, keep, idx)
    }

    /// Records a forward branch site for frame `idx`: links it into the frame's chain.
    fn add_fixup(&mut self, idx: usize, site: u32) {
        let prev = std::mem::replace(&mut self.ctrls[idx].pending, site);
        self.patch(site, prev);
    }

    fn patch(&mut self, site: u32, target: u32) {
        let i = &mut self.code[site as usize];
        match branch_target_mut(i) {
            Some(t) => *t = target,
            None => unreachable!("patching a non-branch {i:?}"),
        }
    }

    /// Sets the operand height, as control flow does at `else` and `end`; slots above the old
    /// height carry no `local.get`.
    fn set_height(&mut self, h: u32) {
        self.height = h;
        self.forget_gets_from(h);
        if h > self.max_height {
            self.max_height = h;
        }
    }

    /// Slots at operand height `h` and above no longer hold what a `local.get` pushed.
    fn forget_gets_from(&mut self, h: u32) {
        while let Some(&(slot, _, _)) = self.gets.last() {
            if slot < h {
                break;
            }
            self.gets.pop();
        }
    }

    /// The top `n` operand slots are rewritten in place by the instruction being emitted.
    fn touch(&mut self, n: u32) {
        self.forget_gets_from(self.height.saturating_sub(n));
    }

    /// Cuts the code back to `len` instructions (a fusion rewrote the tail): slots whose
    /// `local.get` was cut lose it.
    fn truncate_code(&mut self, len: usize) {
        self.code.truncate(len);
        // `gets` is in code order, so the cut ones are at its end.
        while let Some(&(_, _, pos)) = self.gets.last() {
            if (pos as usize) < len {
                break;
            }
            self.gets.pop();
        }
    }

    /// Called after emitting `code[at]`, an operator whose left operand was the slot
    /// `left` described before it was popped. When that slot came from a `local.get a` at
    /// `pos`, other code computed the right operand in between, and `code[at]` has a form
    /// reading its left operand from a local, drops the `local.get` and uses that form: a
    /// push and a pop saved. Valid because nothing in between branches (runtime heights
    /// there are one lower than the translator's, which only branch adjustments would see),
    /// writes local `a`, or is a branch target (`barrier`).
    fn defer_left(&mut self, left: Option<(u32, u32)>, at: u32) {
        let Some((a, pos)) = left else { return };
        let make = |i: &Instr| {
            left_local_binop(i, a)
                .or_else(|| left_local_div(i, a))
                .or_else(|| store_at(i, a))
                .or_else(|| left_local_special(i, a))
        };
        if self.replace_deferred(a, pos, at, make) {
            // The new form may fuse with what computed its right operand (a constant stored).
            while self.fuse() {}
        }
    }

    /// `defer_left` for a comparison, done once the `br_if` (or `if`) consuming it has fused
    /// with it at `site` (a compare-and-branch): `pending` is the comparison's left operand
    /// and position. Returns where the branch is now.
    fn defer_cmp_left(&mut self, pending: Option<(u32, u32, u32)>, site: u32) -> u32 {
        match pending {
            Some((a, pos, at)) if at == site && self.replace_deferred(a, pos, at, |i| left_local_cmp_br(i, a)) => {
                // The mirrored branch may fuse with what computed its other operand (a loop
                // latch's counter step); the branch stays the last instruction.
                while self.fuse() {}
                self.code.len() as u32 - 1
            }
            _ => site,
        }
    }

    /// Drops the `local.get a` at `pos` and replaces `code[at]` (the last instruction) by
    /// `make(code[at])`, when that is valid (see `defer_left`) and `make` has a form.
    fn replace_deferred(&mut self, a: u32, pos: u32, at: u32, make: impl Fn(&Instr) -> Option<Instr>) -> bool {
        let (p, at) = (pos as usize, at as usize);
        if p < self.barrier as usize || p + 1 >= at || at - p > 48 || at + 1 != self.code.len() {
            return false;
        }
        if !matches!(self.code[p], Instr::LocalGet { index } if index == a) {
            return false;
        }
        let Some(new) = make(&self.code[at]) else { return false };
        if self.code[p + 1..at].iter().any(|i| disturbs(i, a)) {
            return false;
        }
        self.code.remove(p);
        self.code[at - 1] = new;
        for e in &mut self.gets {
            if e.2 > pos {
                e.2 -= 1;
            }
        }
        true
    }

    fn branch(&mut self, depth: u32, conditional: bool, pending: Option<(u32, u32, u32)>) {
        let (target, drop, keep, idx) = self.branch_info(depth);
        let t = target.unwrap_or(u32::MAX);
        let instr = match (conditional, drop) {
            (false, 0) => Instr::Br { target: t },
            (false, _) => Instr::BrAdjust { target: t, drop, keep },
            (true, 0) => Instr::BrIfNez { target: t },
            (true, _) => Instr::BrIfNezAdjust { target: t, drop, keep },
        };
        let site = self.emit(instr);
        let site = self.defer_cmp_left(pending, site);
        if target.is_none() {
            self.add_fixup(idx, site);
        }
    }

    fn op(&mut self, op: &Operator<'_>) {
        // A comparison's deferred left operand, for the `br_if`/`if` right after it.
        let pending_cmp = self.pending_cmp.take();
        if self.live {
            self.meter();
        }
        // Control structure is tracked even in unreachable code, so ends match their blocks.
        match *op {
            Operator::Block { blockty } => return self.push_ctrl(Kind::Block, blockty),
            Operator::Loop { blockty } => {
                let start = self.loop_label();
                self.push_ctrl(Kind::Loop, blockty);
                self.ctrls.last_mut().expect("just pushed").start = start;
                return;
            }
            Operator::If { blockty } => {
                let mut site = None;
                if self.live {
                    self.pop(1);
                    let at = self.emit(Instr::BrIfEqz { target: u32::MAX });
                    site = Some(self.defer_cmp_left(pending_cmp, at));
                }
                self.push_ctrl(Kind::If, blockty);
                self.ctrls.last_mut().expect("just pushed").else_fixup = site;
                return;
            }
            Operator::Else {} => {
                let idx = self.ctrls.len() - 1;
                if self.live {
                    let site = self.emit(Instr::Br { target: u32::MAX });
                    self.add_fixup(idx, site);
                }
                let here = self.label();
                if let Some(site) = self.ctrls[idx].else_fixup.take() {
                    self.patch(site, here);
                }
                let f = &mut self.ctrls[idx];
                f.kind = Kind::Else;
                let h = f.height + f.params;
                self.live = f.live_at_entry;
                self.set_height(h);
                return;
            }
            Operator::End {} => {
                let f = self.ctrls.pop().expect("validated: end matches a frame");
                let here = if f.kind == Kind::Func { self.code.len() as u32 } else { self.label() };
                if let Some(site) = f.else_fixup {
                    self.patch(site, here);
                }
                let mut site = f.pending;
                while site != NO_SITE {
                    let next = branch_target(self.code[site as usize]).expect("a pending site is a branch");
                    self.patch(site, here);
                    site = next;
                }
                self.set_height(f.height + f.results);
                self.live = f.live_at_entry;
                if f.kind == Kind::Func {
                    self.emit(Instr::Return { keep: self.num_results });
                }
                return;
            }
            _ => {}
        }
        if !self.live {
            return;
        }
        // i32 readers truncate their slot, so `i32.wrap_i64` has nothing to do (see exec::ops::Slot).
        if let Operator::I32WrapI64 {} = op {
            // ...but `i64.extend_i32_u; i64.const c; i64.add; i32.wrap_i64` is Go's way of adding
            // an offset to an address: a 32-bit add (its low 32 bits are all that is kept, and
            // they do not depend on the bits the extension clears). Fusion has already made the
            // constant add `I64AddImm`, or the whole sequence after a `local.get`
            // `LocalGetExtendAddImm`.
            let n = self.code.len();
            let at = self.barrier as usize;
            if n > at {
                if let Instr::LocalGetExtendAddImm { index, value } = self.code[n - 1] {
                    self.truncate_code(n - 1);
                    self.emit(Instr::LocalGetAddImm { index, value: value as u32 });
                } else if n >= 2 + at {
                    if let [Instr::I64ExtendI32U, Instr::I64AddImm { value }] = self.code[n - 2..] {
                        self.truncate_code(n - 2);
                        self.emit(Instr::I32AddImm { value: value as u32 as u64 });
                    }
                }
            }
            return;
        }
        if let Some((instr, pops, pushes)) = plain_op(op) {
            let left = if pops == 2 { self.operand(1) } else { None };
            self.pop(pops);
            self.push(pushes);
            let at = self.emit(instr);
            self.defer_left(left, at);
            if let Some((a, pos)) = left {
                self.pending_cmp = Some((a, pos, at));
            }
            return;
        }
        let m = self.module;
        match *op {
            Operator::Nop {} => {}
            Operator::Unreachable {} => {
                self.emit(Instr::Unreachable);
                self.live = false;
            }
            Operator::Br { relative_depth } => {
                self.branch(relative_depth, false, None);
                self.live = false;
            }
            Operator::BrIf { relative_depth } => {
                self.pop(1);
                self.branch(relative_depth, true, pending_cmp);
            }
            Operator::BrTable { ref targets } => {
                self.pop(1);
                let depths = || targets.targets().chain(std::iter::once(targets.default()));
                // Known before the head is emitted, so the head fuses into the right form.
                let adjusts = depths().any(|depth| self.branch_info(depth).1 != 0);
                let len = targets.len();
                self.emit(if adjusts { Instr::BrTableAdjust { len } } else { Instr::BrTable { len } });
                self.no_fusion_here();
                for depth in depths() {
                    let (target, drop, keep, idx) = self.branch_info(depth);
                    self.no_fusion_here();
                    let site = self.emit(Instr::BrTableTarget { target: target.unwrap_or(u32::MAX), drop, keep });
                    if target.is_none() {
                        self.add_fixup(idx, site);
                    }
                }
                self.live = false;
            }
            Operator::Return {} => {
                self.emit(Instr::Return { keep: self.num_results });
                self.live = false;
            }
            Operator::Call { function_index } => {
                let ty = m.func_type(function_index);
                self.pop(ty.params().len() as u32);
                self.push(ty.results().len() as u32);
                if function_index >= m.num_imported_funcs {
                    self.emit(Instr::Call { func: function_index - m.num_imported_funcs });
                } else {
                    self.emit(Instr::CallImport { func: function_index });
                }
            }
            Operator::CallIndirect { type_index, table_index } => {
                let ty = &m.types[type_index as usize];
                self.pop(1 + ty.params().len() as u32);
                self.push(ty.results().len() as u32);
                self.emit(Instr::CallIndirect { type_id: m.type_ids[type_index as usize], table: table_index });
            }
            Operator::Drop {} => {
                self.pop(1);
                self.emit(Instr::Drop);
            }
            Operator::Select {} | Operator::TypedSelect { .. } => {
                self.pop(2);
                self.touch(1);
                self.emit(Instr::Select);
            }
            Operator::LocalGet { local_index } => {
                self.push(1);
                let n = self.code.len();
                let at = self.emit(Instr::LocalGet { index: local_index });
                if at as usize == n && matches!(self.code[n], Instr::LocalGet { .. }) {
                    self.gets.push((self.height - 1, local_index, at));
                }
            }
            Operator::LocalSet { local_index } => {
                self.pop(1);
                self.emit(Instr::LocalSet { index: local_index });
            }
            Operator::LocalTee { local_index } => {
                self.touch(1);
                self.emit(Instr::LocalTee { index: local_index });
            }
            Operator::GlobalGet { global_index } => {
                self.push(1);
                self.emit(Instr::GlobalGet { index: global_index });
            }
            Operator::GlobalSet { global_index } => {
                self.pop(1);
                self.emit(Instr::GlobalSet { index: global_index });
            }
            Operator::TableGet { table } => {
                self.touch(1);
                self.emit(Instr::TableGet { table });
            }
            Operator::TableSet { table } => {
                self.pop(2);
                self.emit(Instr::TableSet { table });
            }
            Operator::I32Const { value } => {
                self.push(1);
                self.emit(Instr::Const32 { value: value as u32 });
            }
            Operator::F32Const { value } => {
                self.push(1);
                self.emit(Instr::Const32 { value: value.bits() });
            }
            Operator::I64Const { value } => {
                self.push(1);
                self.emit(Instr::Const64 { value: value as u64 });
            }
            Operator::F64Const { value } => {
                self.push(1);
                self.emit(Instr::Const64 { value: value.bits() });
            }
            Operator::MemorySize { .. } => {
                self.push(1);
                self.emit(Instr::MemorySize);
            }
            Operator::MemoryGrow { .. } => {
                self.touch(1);
                self.emit(Instr::MemoryGrow);
            }
            Operator::MemoryInit { data_index, .. } => {
                self.pop(3);
                self.emit(Instr::MemoryInit { data: data_index });
            }
            Operator::DataDrop { data_index } => {
                self.emit(Instr::DataDrop { data: data_index });
            }
            Operator::MemoryCopy { .. } => {
                self.pop(3);
                self.emit(Instr::MemoryCopy);
            }
            Operator::MemoryFill { .. } => {
                self.pop(3);
                self.emit(Instr::MemoryFill);
            }
            Operator::TableInit { elem_index, table } => {
                self.pop(3);
                self.emit(Instr::TableInit { table, elem: elem_index });
            }
            Operator::ElemDrop { elem_index } => {
                self.emit(Instr::ElemDrop { elem: elem_index });
            }
            Operator::TableCopy { dst_table, src_table } => {
                self.pop(3);
                self.emit(Instr::TableCopy { dst: dst_table, src: src_table });
            }
            Operator::TableGrow { table } => {
                self.pop(1);
                self.touch(1);
                self.emit(Instr::TableGrow { table });
            }
            Operator::TableSize { table } => {
                self.push(1);
                self.emit(Instr::TableSize { table });
            }
            Operator::TableFill { table } => {
                self.pop(3);
                self.emit(Instr::TableFill { table });
            }
            Operator::RefNull { .. } => {
                self.push(1);
                self.emit(Instr::RefNull);
            }
            Operator::RefIsNull {} => {
                self.touch(1);
                self.emit(Instr::RefIsNull);
            }
            Operator::RefFunc { function_index } => {
                self.push(1);
                self.emit(Instr::RefFunc { func: function_index });
            }
            _ => self.memory_access(op),
        }
    }

    fn memory_access(&mut self, op: &Operator<'_>) {
        macro_rules! mem_ops {
            ($( $proposal:ident $code:literal $name:ident { $($field:ident : $ty:ty = $read:ident),* } [$($sig:tt)*] $text:literal )*) => {
                match *op {
                    $( Operator::$name { .. } => mem_ops!(@one self op $name [$($sig)*]), )*
                }
            };
            (@one $s:ident $op:ident $name:ident [load $t:ident $a:literal]) => {{
                if let Operator::$name { memarg } = *$op {
                    $s.touch(1);
                    $s.emit(Instr::$name { offset: memarg.offset as u32 });
                }
            }};
            (@one $s:ident $op:ident $name:ident [store $t:ident $a:literal]) => {{
                if let Operator::$name { memarg } = *$op {
                    let left = $s.operand(1);
                    $s.pop(2);
                    let at = $s.emit(Instr::$name { offset: memarg.offset as u32 });
                    $s.defer_left(left, at);
                }
            }};
            (@one $s:ident $op:ident $name:ident [$($sig:tt)*]) => {
                unreachable!("operator {} is handled before memory accesses", $op.name())
            };
        }
        wisp_decoder::for_each_operator!(mem_ops)
    }
}

/// Translates defined function `def_index` of `module`. The body was validated when the
/// module was created.
pub(crate) fn translate(module: &ModuleInner, def_index: u32) -> Result<CompiledFunc, wisp_decoder::Error> {
    let func_index = module.num_imported_funcs + def_index;
    let ty = module.func_type(func_index);
    let body: FunctionBody<'_> = module.body(def_index);
    let (locals, mut ops) = body.read_locals()?;
    let num_locals: u32 = locals.iter().map(|&(n, _)| n).sum::<u32>() + 1;
    let num_results = ty.results().len() as u32;
    let mut t = Translator {
        module,
        code: Vec::with_capacity(body.data.len()),
        ctrls: Vec::new(),
        height: 0,
        max_height: 0,
        live: true,
        num_results,
        barrier: 0,
        fuel: module.engine.config().consume_fuel,
        fuel_site: None,
        interruptible: module.engine.config().interruptible,
        gets: Vec::new(),
        pending_cmp: None,
    };
    if t.interruptible {
        t.emit(Instr::CheckInterrupt);
    }
    if t.fuel {
        t.label();
    }
    t.ctrls.push(Ctrl {
        kind: Kind::Func,
        height: 0,
        params: 0,
        results: num_results,
        live_at_entry: true,
        start: 0,
        pending: NO_SITE,
        else_fixup: None,
    });
    while !ops.eof() {
        let op = ops.read()?;
        t.op(&op);
    }
    thread_jumps(&mut t.code);
    if t.code.len() > crate::exec::threaded::MAX_OPS {
        // Only a body of hundreds of megabytes gets here; both backends refuse it alike.
        return Err(wisp_decoder::Error::new(ErrorKind::Other("function too large to translate"), body.offset));
    }
    let num_params = ty.params().len() as u32;
    // Each backend runs one array; the threaded one carries the instructions inside its ops.
    let (code, ops) = if module.engine.threaded() {
        (Box::default(), crate::exec::threaded::lower(&t.code))
    } else {
        (t.code.into_boxed_slice(), Box::default())
    };
    Ok(CompiledFunc {
        ops,
        code,
        num_params,
        num_locals,
        num_results,
        max_height: num_params + num_locals + t.max_height.max(num_results),
    })
}
