//! Wasm offsets of translated instructions, found again when a trap asks for them.
//!
//! Translation keeps no offsets: a trap is rare, and a table per function would cost every
//! compilation time and memory (crates/wisp/RATIONALE.md, "Wasm offsets in traps"). When a
//! trap's backtrace needs the offset of an instruction, the function is translated again with
//! a recorder (translation is deterministic: the same module and engine give the same code),
//! which keeps each operator's offset and notes which operator each run of emitted
//! instructions came from.
//!
//! An instruction stands for the operator being translated when it was emitted. Where the
//! translator took several operators in at once (a fused form: `local.get; i32.const; i32.add;
//! i32.load` as one load, a comparison with its `br_if`, an idiom), the instructions map to the
//! first of those operators that can trap (the load, the division, the call), or to the first
//! operator of the group when none can. Instructions emitted before the first operator (the
//! function's entry checks of fuel and interruption) map to the body's first operator.

use super::Failure;
use crate::isa::{Bin, Load, Store, Un};
use crate::module::ModuleInner;
use wisp_decoder::Operator;

/// What the translator tells a recorder. The translation of compiled code uses `()`, whose
/// hooks are empty and vanish when `translate_with` is instantiated for it.
pub(super) trait Record {
    /// The next operator read into the window starts at module offset `offset`.
    fn read(&mut self, offset: usize);
    /// The window dropped its first `n` operators.
    fn compact(&mut self, n: usize);
    /// The window's operator at `head` and the `consumed` ones after it were translated into
    /// the instructions from `start` to `end`. (The window is passed whole: a slice of it made
    /// by the caller would keep its bounds check in the translation that records nothing.)
    fn translated(&mut self, window: &[Operator<'_>], head: usize, consumed: usize, start: usize, end: usize);
}

impl Record for () {
    #[inline(always)]
    fn read(&mut self, _: usize) {}
    #[inline(always)]
    fn compact(&mut self, _: usize) {}
    #[inline(always)]
    fn translated(&mut self, _: &[Operator<'_>], _: usize, _: usize, _: usize, _: usize) {}
}

/// The module offsets of one function's instructions.
#[derive(Debug, Default)]
pub(crate) struct OffsetMap {
    /// The offset of every operator read, in order.
    operators: Vec<usize>,
    /// Operators the window dropped before its current first one.
    dropped: usize,
    /// (first instruction, offset) of each group of operators that emitted code, in order.
    runs: Vec<(u32, usize)>,
    /// How many instructions the translation made.
    len: usize,
}

impl Record for OffsetMap {
    fn read(&mut self, offset: usize) {
        self.operators.push(offset);
    }

    fn compact(&mut self, n: usize) {
        self.dropped += n;
    }

    fn translated(&mut self, window: &[Operator<'_>], head: usize, consumed: usize, start: usize, end: usize) {
        if end > start {
            let k = window[head..=head + consumed].iter().position(can_trap).unwrap_or(0);
            if let Some(&offset) = self.operators.get(self.dropped + head + k) {
                self.runs.push((start as u32, offset));
            }
        }
    }
}

impl OffsetMap {
    /// The module offset of instruction `index` of the function, or `None` past its end.
    pub(crate) fn offset(&self, index: usize) -> Option<usize> {
        if index >= self.len {
            return None;
        }
        match self.runs.partition_point(|&(start, _)| start as usize <= index) {
            0 => self.operators.first().copied(),
            k => Some(self.runs[k - 1].1),
        }
    }
}

/// Whether `op` can trap (or, for a call, have a frame above it in a backtrace). Which numeric
/// operators trap is the instruction set description's fact (`Bin::traps`, `Un::traps`).
fn can_trap(op: &Operator<'_>) -> bool {
    use Operator::*;
    matches!(
        op,
        Unreachable {}
            | Call { .. }
            | CallIndirect { .. }
            | ReturnCall { .. }
            | ReturnCallIndirect { .. }
            | CallRef { .. }
            | ReturnCallRef { .. }
            | RefAsNonNull {}
            | TableGet { .. }
            | TableSet { .. }
            | TableInit { .. }
            | TableCopy { .. }
            | TableFill { .. }
            | MemoryInit { .. }
            | MemoryCopy { .. }
            | MemoryFill { .. }
    ) || Bin::of(op).is_some_and(Bin::traps)
        || Un::of(op).is_some_and(Un::traps)
        || Load::of(op).is_some()
        || Store::of(op).is_some()
}

/// Translates defined function `def_index` again, recording the offset of each instruction.
/// `expected_len` is the length of the code the function runs: a translation that does not
/// give the same length gives no map (so an offset is never a wrong one).
pub(crate) fn offset_map(module: &ModuleInner, def_index: u32, expected_len: usize) -> Option<OffsetMap> {
    let mut map = OffsetMap::default();
    let compiled = super::with_scratch(|scratch| super::translate_with(module, def_index, scratch, None, &mut map));
    let len = match compiled {
        Ok(c) => c.code.len().max(c.ops.len()),
        Err(Failure::Invalid(_) | Failure::TooLarge | Failure::Unsupported(_)) => return None,
    };
    if len != expected_len {
        return None;
    }
    map.len = len;
    Some(map)
}
