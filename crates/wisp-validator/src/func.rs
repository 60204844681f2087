//! Function bodies: the algorithm of the spec's validation appendix, one operator at a time.
//!
//! The operand stack holds [`Operand`]s: value types as one byte, 0 being the spec's `Unknown`
//! (a value conjured by the stack-polymorphic bottom of unreachable code). Control frames remember
//! their kind, block type, the operand height at entry and whether the rest of the frame is
//! unreachable. Nothing recurses over nesting depth: both stacks are plain vectors, and
//! their allocations can be carried from one function to the next
//! ([`FuncValidatorAllocations`]).

use crate::error::{decode, invalid, mismatch, mismatch_msg, unknown, Error, Result};
use crate::ModuleInfo;
use wisp_decoder::{
    BlockType, BrTable, ErrorKind, FuncType, MemArg, MemoryType, OpcodeDisplay, Operator, OperatorsReader, RefType,
    TableType, ValType, VisitOperator,
};

/// The kind of a control frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    Func,
    Block,
    Loop,
    If,
    Else,
}

/// A control frame as the spec's algorithm keeps it.
#[derive(Debug, Clone)]
pub struct ControlFrame {
    pub kind: FrameKind,
    pub block_type: BlockType,
    /// Operand stack height when the frame was entered (after its parameters were popped).
    pub height: usize,
    /// Set once the rest of the frame is unreachable (after br, return, unreachable, ...).
    pub unreachable: bool,
    /// How many values the frame starts with above `height`: the block type's parameters
    /// (0 for the function's own frame, whose parameters are locals).
    pub num_params: u32,
    /// How many values the frame leaves above `height` at its `end`.
    pub num_results: u32,
}

impl ControlFrame {
    /// How many values a branch to this frame's label carries: a loop's parameters, the
    /// results of any other frame.
    #[inline]
    pub fn label_arity(&self) -> usize {
        if self.kind == FrameKind::Loop {
            self.num_params as usize
        } else {
            self.num_results as usize
        }
    }
}

/// A value type on the operand stack or among the locals: its one-byte binary encoding, or 0
/// for the spec's `Unknown`. Comparing two is one byte compare, where the derived equality of
/// two `Option<ValType>`s that are not constants is a dozen instructions (`local.set`,
/// `global.set`, calls and block ends compare types only known at run time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Operand(u8);

impl Operand {
    const UNKNOWN: Operand = Operand(0);

    #[inline(always)]
    const fn of(t: ValType) -> Operand {
        Operand(match t {
            ValType::I32 => 0x7f,
            ValType::I64 => 0x7e,
            ValType::F32 => 0x7d,
            ValType::F64 => 0x7c,
            ValType::V128 => 0x7b,
            ValType::Ref(RefType::FuncRef) => 0x70,
            ValType::Ref(RefType::ExternRef) => 0x6f,
        })
    }

    /// The type, `None` when unknown.
    #[inline(always)]
    fn get(self) -> Option<ValType> {
        ValType::from_byte(self.0)
    }
}

/// The vectors a [`FuncValidator`] works in, kept between functions so that validating a
/// module allocates once rather than once per function.
#[derive(Debug, Default)]
pub struct FuncValidatorAllocations {
    locals: Vec<Operand>,
    operands: Vec<Operand>,
    controls: Vec<ControlFrame>,
}

/// Validates one function body an operator at a time. Between operators a translator may ask
/// for the operand and control stacks, so validation and translation are one pass.
///
/// # When the queries reflect state
///
/// After [`FuncValidator::new`] and the [`define_locals`](Self::define_locals) calls, and
/// after every successful [`op`](Self::op), the queries ([`operand_height`](Self::operand_height),
/// [`control_height`](Self::control_height), [`control`](Self::control),
/// [`is_unreachable`](Self::is_unreachable), [`operand_type`](Self::operand_type),
/// [`label_types`](Self::label_types)) describe the state *before the next operator*: so a
/// translator that asks before calling `op(next)` sees what `next` will consume (for `end`
/// and `else`, the frame being closed is still `control(0)`), and one that asks after sees
/// what `next` produced. After `op` returns an error the state is unspecified. The locals
/// queries ([`num_locals`](Self::num_locals), [`local_type`](Self::local_type)) are fixed
/// once the first operator has been given.
pub struct FuncValidator<'m> {
    info: &'m ModuleInfo,
    /// The function's result types, for `return` and the final `end`.
    results: &'m [ValType],
    locals: Vec<Operand>,
    /// Locals declared by the body (parameters excluded), to enforce the decoder's limit.
    declared_locals: u64,
    operands: Vec<Operand>,
    controls: Vec<ControlFrame>,
    /// The innermost frame's `height`, kept at hand for the hot pops.
    base: usize,
    /// Offset of the operator being validated, for errors.
    offset: usize,
}

/// The parameter and result types of a block type, borrowed from the module (or static for a
/// single value type). An unknown type index gives no types: callers check it first.
#[inline(always)]
pub(crate) fn block_type_types(info: &ModuleInfo, bt: BlockType) -> (&[ValType], &[ValType]) {
    match bt {
        BlockType::Empty => (&[], &[]),
        BlockType::Value(t) => (&[], single(t)),
        BlockType::FuncType(i) => match info.types.get(i as usize) {
            Some(ft) => (ft.params(), ft.results()),
            None => (&[], &[]),
        },
    }
}

/// A one-element slice of `t` that lives forever.
#[inline]
fn single(t: ValType) -> &'static [ValType] {
    match t {
        ValType::I32 => &[ValType::I32],
        ValType::I64 => &[ValType::I64],
        ValType::F32 => &[ValType::F32],
        ValType::F64 => &[ValType::F64],
        ValType::V128 => &[ValType::V128],
        ValType::Ref(RefType::FuncRef) => &[ValType::FUNCREF],
        ValType::Ref(RefType::ExternRef) => &[ValType::EXTERNREF],
    }
}

/// The value type that addresses a memory.
#[inline]
fn addr_type(m: &MemoryType) -> ValType {
    if m.memory64 {
        ValType::I64
    } else {
        ValType::I32
    }
}

/// Whether an operator's proposal is enabled: the first column of the opcode table.
macro_rules! proposal_enabled {
    ($f:expr, mvp) => {
        true
    };
    ($f:expr, sign_ext) => {
        $f.sign_extension
    };
    ($f:expr, sat) => {
        $f.saturating_float_to_int
    };
    ($f:expr, bulk) => {
        $f.bulk_memory
    };
    ($f:expr, ref) => {
        $f.reference_types
    };
    ($f:expr, simd) => {
        $f.simd
    };
    ($f:expr, tail_call) => {
        $f.tail_call
    };
}

macro_rules! valtype {
    (i32) => {
        ValType::I32
    };
    (i64) => {
        ValType::I64
    };
    (f32) => {
        ValType::F32
    };
    (f64) => {
        ValType::F64
    };
    (v128) => {
        ValType::V128
    };
    (funcref) => {
        ValType::FUNCREF
    };
    (externref) => {
        ValType::EXTERNREF
    };
}

/// The typing of one operator, from the signature column of the opcode table.
macro_rules! typing {
    ($s:ident, $name:ident, [] $($f:ident)*) => {
        $s.special(&Operator::$name { $($f),* })
    };
    ($s:ident, $name:ident, [load $t:ident $a:literal] $m:ident) => {
        $s.load(&$m, $a, valtype!($t))
    };
    ($s:ident, $name:ident, [store $t:ident $a:literal] $m:ident) => {
        $s.store(&$m, $a, valtype!($t))
    };
    ($s:ident, $name:ident, [$($i:ident)* -> $($o:ident)*] $($f:ident)*) => {
        $s.pop_push(&[$(valtype!($i)),*], &[$(valtype!($o)),*])
    };
}

macro_rules! define_dispatch {
    ($( $proposal:ident $code:literal $name:ident { $($field:ident : $ty:ty = $read:ident),* } [$($sig:tt)*] $text:literal )*) => {
        /// The validator as a visitor of decoded operators: [`validate_function_with`]
        /// (crate::validate_function_with) decodes and checks each operator in one step. Each
        /// method is [`FuncValidator::op`] for its operator, after `self.offset` was set.
        #[allow(non_snake_case)]
        impl<'a> VisitOperator<'a> for FuncValidator<'_> {
            type Output = VisitResult;
            $(
                /// Checks the operator's proposal, then its typing: generic for every operator
                /// whose signature the table gives, `special` for the others.
                #[allow(unused_variables)]
                #[inline(always)]
                fn $name(&mut self $(, $field: $ty)*) -> VisitResult {
                    let checked = if self.controls.is_empty() {
                        Err(invalid("operators remaining after end of function", self.offset))
                    } else if !proposal_enabled!(self.info.features, $proposal) {
                        Err(self.disabled($code))
                    } else {
                        typing!(self, $name, [$($sig)*] $($field)*)
                    };
                    checked.map_err(boxed)
                }
            )*
        }

        impl FuncValidator<'_> {
            #[inline]
            fn dispatch(&mut self, op: &Operator<'_>) -> Result<()> {
                match op {
                    $( Operator::$name { $($field),* } => VisitOperator::$name(self $(, $field.clone())*).map_err(|e| *e), )*
                }
            }
        }

        /// The validator as the visitor of a reader that also wants the operator: each method
        /// checks its operator, then builds it (see [`FuncValidator::read`]).
        #[allow(non_snake_case)]
        impl<'a> VisitOperator<'a> for Checked<'_, '_, '_, 'a> {
            type Output = VisitResult;
            $(
                #[inline(always)]
                fn $name(&mut self $(, $field: $ty)*) -> VisitResult {
                    VisitOperator::$name(&mut *self.0 $(, $field.clone())*)?;
                    self.1.push(Operator::$name { $($field),* });
                    Ok(())
                }
            )*
        }

        /// Whether the proposal that introduced `op` is enabled in `features`.
        pub fn operator_enabled(op: &Operator<'_>, features: &wisp_decoder::Features) -> bool {
            match op {
                $( Operator::$name { .. } => proposal_enabled!(features, $proposal), )*
            }
        }
    };
}

wisp_decoder::for_each_operator!(define_dispatch);

/// What the validator's visitor methods give: nothing, or the error boxed. A checked operator
/// then leaves one register for the loop to test, where a `Result<()>` (four words) went
/// through memory at the join of the decoder's several hundred arms.
pub type VisitResult = std::result::Result<(), Box<Error>>;

#[cold]
#[inline(never)]
fn boxed(e: Error) -> Box<Error> {
    Box::new(e)
}

/// A validator lent to [`OperatorsReader::visit`] by [`FuncValidator::read_into`], with the
/// vector that receives the checked operators.
struct Checked<'v, 'm, 'o, 'a>(&'v mut FuncValidator<'m>, &'o mut Vec<Operator<'a>>);

impl<'m> FuncValidator<'m> {
    /// Starts validating function `func_index` (in the whole function index space).
    pub fn new(info: &'m ModuleInfo, func_index: u32) -> Result<Self> {
        Self::with_allocations(info, func_index, FuncValidatorAllocations::default())
    }

    /// Like [`new`](Self::new), reusing the vectors of an earlier validator
    /// (see [`into_allocations`](Self::into_allocations)).
    pub fn with_allocations(info: &'m ModuleInfo, func_index: u32, allocs: FuncValidatorAllocations) -> Result<Self> {
        let type_index = match info.funcs.get(func_index as usize) {
            Some(&t) => t,
            None => return Err(unknown("function", func_index, 0)),
        };
        let ty: &'m FuncType = match info.types.get(type_index as usize) {
            Some(ty) => ty,
            None => return Err(unknown("type", type_index, 0)),
        };
        let FuncValidatorAllocations { mut locals, mut operands, mut controls } = allocs;
        locals.clear();
        operands.clear();
        controls.clear();
        locals.extend(ty.params().iter().map(|&t| Operand::of(t)));
        controls.push(ControlFrame {
            kind: FrameKind::Func,
            block_type: BlockType::FuncType(type_index),
            height: 0,
            unreachable: false,
            num_params: 0,
            num_results: ty.results().len() as u32,
        });
        Ok(FuncValidator {
            info,
            results: ty.results(),
            locals,
            declared_locals: 0,
            operands,
            controls,
            base: 0,
            offset: 0,
        })
    }

    /// Gives back the vectors for the next function.
    pub fn into_allocations(self) -> FuncValidatorAllocations {
        FuncValidatorAllocations { locals: self.locals, operands: self.operands, controls: self.controls }
    }

    /// Declares `count` more locals of type `ty`, after the parameters and earlier locals.
    pub fn define_locals(&mut self, count: u32, ty: ValType) -> Result<()> {
        self.declared_locals += u64::from(count);
        if self.declared_locals > u64::from(wisp_decoder::sections::code::MAX_LOCALS) {
            return Err(decode(ErrorKind::TooManyLocals, self.offset));
        }
        let features = &self.info.features;
        if (ty == ValType::V128 && !features.simd) || (ty.is_ref() && !features.reference_types) {
            return Err(decode(ErrorKind::MalformedValType, self.offset));
        }
        self.locals.extend(std::iter::repeat_n(Operand::of(ty), count as usize));
        Ok(())
    }

    /// Validates one operator, found at `offset` in the module.
    #[inline]
    pub fn op(&mut self, offset: usize, op: &Operator<'_>) -> Result<()> {
        self.offset = offset;
        self.dispatch(op)
    }

    /// Reads up to `n` more operators of `ops` (fewer at its end), validating each and pushing
    /// it onto `out`, decoding it once: for a reader that translates a body while it is
    /// validated. An operator is checked before it is pushed, so a caller only ever sees
    /// operators that are valid where they stand; errors are those
    /// [`validate_function_with`](crate::validate_function_with) reports. Several operators
    /// per call keep the decoder's state in registers across them (one call per operator
    /// spent ~18 instructions of each on entering and leaving).
    pub fn read_into<'a>(
        &mut self,
        ops: &mut OperatorsReader<'a>,
        out: &mut Vec<Operator<'a>>,
        n: usize,
    ) -> Result<()> {
        for _ in 0..n {
            if ops.eof() {
                break;
            }
            self.offset = ops.offset();
            match ops.visit(&mut Checked(self, out)) {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(*e),
                Err(e) => return Err(Error::Decode(e)),
            }
        }
        Ok(())
    }

    /// Sets the offset errors of the next operator given to the visitor methods report.
    #[inline(always)]
    pub(crate) fn set_offset(&mut self, offset: usize) {
        self.offset = offset;
    }

    /// Checks the body ended exactly at its last `end`; `offset` is where the body ends.
    pub fn finish(&mut self, offset: usize) -> Result<()> {
        if self.controls.is_empty() {
            Ok(())
        } else {
            Err(decode(ErrorKind::EndExpected, offset))
        }
    }

    pub fn info(&self) -> &'m ModuleInfo {
        self.info
    }

    /// Number of locals, parameters included.
    pub fn num_locals(&self) -> u32 {
        self.locals.len() as u32
    }

    pub fn local_type(&self, index: u32) -> Option<ValType> {
        self.locals.get(index as usize).and_then(|t| t.get())
    }

    /// Current operand stack height (values, whatever their types, unknown ones included).
    pub fn operand_height(&self) -> usize {
        self.operands.len()
    }

    /// The type of the operand `depth` values below the top (0 = top): `None` past the bottom
    /// of the stack, `Some(None)` for a value of unknown type (only in unreachable code).
    pub fn operand_type(&self, depth: u32) -> Option<Option<ValType>> {
        let n = self.operands.len();
        (depth as usize).checked_add(1).filter(|&d| d <= n).map(|d| self.operands[n - d].get())
    }

    /// Number of open control frames, the function's own frame included (0 once the final
    /// `end` has been validated).
    pub fn control_height(&self) -> usize {
        self.controls.len()
    }

    /// The control frame `depth` labels out (0 = innermost).
    #[inline(always)]
    pub fn control(&self, depth: u32) -> Option<&ControlFrame> {
        let n = self.controls.len();
        (depth as usize).checked_add(1).filter(|&d| d <= n).map(|d| &self.controls[n - d])
    }

    /// The types a branch to label `depth` carries (a loop's parameters, else the results).
    #[inline(always)]
    pub fn label_types(&self, depth: u32) -> Option<&'m [ValType]> {
        self.control(depth).map(|f| {
            let (params, results) = block_type_types(self.info, f.block_type);
            if f.kind == FrameKind::Loop {
                params
            } else {
                results
            }
        })
    }

    /// The function's result types.
    pub fn results(&self) -> &'m [ValType] {
        self.results
    }

    /// Whether the code being validated is unreachable (the innermost frame is).
    pub fn is_unreachable(&self) -> bool {
        self.controls.last().is_some_and(|f| f.unreachable)
    }

    /// Parameter and result types of a block type. A type index that does not exist gives
    /// no types (blocks that use one never validate).
    pub fn block_params_results(&self, bt: BlockType) -> (&[ValType], &[ValType]) {
        block_type_types(self.info, bt)
    }

    // ----- the operand stack -----

    #[inline]
    fn frame_height(&self) -> usize {
        self.base
    }

    #[inline(always)]
    fn push(&mut self, t: ValType) {
        self.operands.push(Operand::of(t));
    }

    #[inline(always)]
    fn push_vals(&mut self, types: &[ValType]) {
        // Almost always none or one: pushes, not `extend`'s reservation.
        for &t in types {
            self.push(t);
        }
    }

    /// Pops a value of type `expected` (or of unknown type).
    #[inline(always)]
    fn pop_expect(&mut self, expected: ValType) -> Result<Option<ValType>> {
        self.pop_operand(Operand::of(expected)).map(Operand::get)
    }

    /// Pops a value of type `expected` (or of unknown type), giving what was popped.
    #[inline(always)]
    fn pop_operand(&mut self, expected: Operand) -> Result<Operand> {
        // The common case inline: the value is there, with this type.
        let len = self.operands.len();
        if len > self.base && self.operands[len - 1] == expected {
            self.operands.truncate(len - 1);
            return Ok(expected);
        }
        self.pop_operand_slow(expected)
    }

    #[inline(never)]
    fn pop_operand_slow(&mut self, expected: Operand) -> Result<Operand> {
        if self.operands.len() > self.frame_height() {
            match self.operands.pop() {
                Some(t) if t == expected || t == Operand::UNKNOWN => return Ok(t),
                Some(found) => return Err(mismatch(expected.get(), found.get(), self.offset)),
                None => {}
            }
        }
        self.pop_at_bottom(expected.get()).map(|_| Operand::UNKNOWN)
    }

    /// Pops a value of any type.
    #[inline]
    fn pop_any(&mut self) -> Result<Option<ValType>> {
        if self.operands.len() > self.frame_height() {
            if let Some(v) = self.operands.pop() {
                return Ok(v.get());
            }
        }
        self.pop_at_bottom(None)
    }

    /// A pop at the frame's bottom: unknown in unreachable code, else an error.
    #[cold]
    fn pop_at_bottom(&self, expected: Option<ValType>) -> Result<Option<ValType>> {
        if self.is_unreachable() {
            Ok(None)
        } else {
            Err(mismatch(expected, None, self.offset))
        }
    }

    #[inline(always)]
    fn pop_vals(&mut self, types: &[ValType]) -> Result<()> {
        for &t in types.iter().rev() {
            self.pop_expect(t)?;
        }
        Ok(())
    }

    /// The generic typing of a plain operator.
    #[inline(always)]
    fn pop_push(&mut self, ins: &[ValType], outs: &[ValType]) -> Result<()> {
        let len = self.operands.len();
        let n = ins.len();
        // The common case in one step: the operands are there, with exactly these types, and
        // the results take their places. `ins` and `outs` are constants of each operator, so
        // the loops unroll.
        if len >= self.base + n {
            let top = &self.operands[len - n..];
            let mut i = 0;
            while i < n && top[i] == Operand::of(ins[i]) {
                i += 1;
            }
            if i == n {
                if outs.len() <= n {
                    for (slot, &t) in self.operands[len - n..].iter_mut().zip(outs) {
                        *slot = Operand::of(t);
                    }
                    self.operands.truncate(len - n + outs.len());
                    return Ok(());
                }
                self.operands.truncate(len - n);
                for &t in outs {
                    self.push(t);
                }
                return Ok(());
            }
        }
        self.pop_vals_slow(ins)?;
        for &t in outs {
            self.push(t);
        }
        Ok(())
    }

    #[inline(never)]
    fn pop_vals_slow(&mut self, types: &[ValType]) -> Result<()> {
        self.pop_vals(types)
    }

    /// Checks the top of the stack against `types` without changing it: the spec's
    /// `push_vals(pop_vals(types))`. Values under the frame's bottom in unreachable code are
    /// unknown and match anything.
    fn check_top(&self, types: &[ValType]) -> Result<()> {
        let avail = self.operands.len() - self.frame_height().min(self.operands.len());
        for (i, &t) in types.iter().rev().enumerate() {
            if i < avail {
                let found = self.operands[self.operands.len() - 1 - i];
                if found != Operand::of(t) && found != Operand::UNKNOWN {
                    return Err(mismatch(Some(t), found.get(), self.offset));
                }
            } else if self.is_unreachable() {
                break;
            } else {
                return Err(mismatch(Some(t), None, self.offset));
            }
        }
        Ok(())
    }

    #[inline(always)]
    fn set_unreachable(&mut self) -> Result<()> {
        let h = self.frame_height();
        self.operands.truncate(h);
        if let Some(f) = self.controls.last_mut() {
            f.unreachable = true;
        }
        Ok(())
    }

    // ----- control -----

    #[inline(always)]
    fn push_ctrl(&mut self, kind: FrameKind, bt: BlockType) -> Result<()> {
        let info = self.info;
        match bt {
            BlockType::Empty | BlockType::Value(_) => {}
            BlockType::FuncType(i) => {
                let Some(ft) = info.types.get(i as usize) else {
                    return Err(unknown("type", i, self.offset));
                };
                if !info.features.multi_value && (!ft.params().is_empty() || ft.results().len() > 1) {
                    return Err(invalid("invalid result arity", self.offset));
                }
            }
        }
        let (params, results) = block_type_types(info, bt);
        self.pop_vals(params)?;
        let height = self.operands.len();
        self.base = height;
        self.controls.push(ControlFrame {
            kind,
            block_type: bt,
            height,
            unreachable: false,
            num_params: params.len() as u32,
            num_results: results.len() as u32,
        });
        self.push_vals(params);
        Ok(())
    }

    /// Pops the innermost frame's results and checks nothing else is left in it.
    #[inline(always)]
    fn check_frame_end(&mut self) -> Result<&'m [ValType]> {
        let Some(frame) = self.controls.last() else {
            return Err(invalid("operators remaining after end of function", self.offset));
        };
        let (_, results) = block_type_types(self.info, frame.block_type);
        let height = frame.height;
        self.pop_vals(results)?;
        if self.operands.len() != height {
            let extra = self.operands.last().and_then(|t| t.get());
            return Err(mismatch(None, extra, self.offset));
        }
        Ok(results)
    }

    fn visit_else(&mut self) -> Result<()> {
        if self.controls.last().map(|f| f.kind) != Some(FrameKind::If) {
            return Err(invalid("else found outside an if block", self.offset));
        }
        self.check_frame_end()?;
        let info = self.info;
        let Some(frame) = self.controls.last_mut() else {
            return Err(invalid("else found outside an if block", self.offset));
        };
        frame.kind = FrameKind::Else;
        frame.unreachable = false;
        let (params, _) = block_type_types(info, frame.block_type);
        self.push_vals(params);
        Ok(())
    }

    #[inline(always)]
    fn visit_end(&mut self) -> Result<()> {
        let results = self.check_frame_end()?;
        let Some(frame) = self.controls.pop() else {
            return Err(invalid("operators remaining after end of function", self.offset));
        };
        self.base = self.controls.last().map_or(0, |f| f.height);
        if frame.kind == FrameKind::If {
            // An `if` without `else` has an empty else branch, which passes its parameters on.
            let (params, _) = block_type_types(self.info, frame.block_type);
            if params != results {
                return Err(mismatch_msg("if without else must leave its parameters as its results", self.offset));
            }
        }
        self.push_vals(results);
        Ok(())
    }

    #[inline(always)]
    fn label(&self, depth: u32) -> Result<&'m [ValType]> {
        match self.label_types(depth) {
            Some(types) => Ok(types),
            None => Err(unknown("label", depth, self.offset)),
        }
    }

    fn visit_br_table(&mut self, table: &BrTable<'_>) -> Result<()> {
        self.pop_expect(ValType::I32)?;
        let default = self.label(table.default())?;
        let arity = default.len();
        for depth in table.targets() {
            let types = self.label(depth)?;
            if types.len() != arity {
                return Err(mismatch_msg("br_table targets have different arities", self.offset));
            }
            self.check_top(types)?;
        }
        self.pop_vals(default)?;
        self.set_unreachable()
    }

    // ----- index spaces -----

    #[inline(always)]
    fn local(&self, index: u32) -> Result<Operand> {
        match self.locals.get(index as usize) {
            Some(&t) => Ok(t),
            None => Err(unknown("local", index, self.offset)),
        }
    }

    #[inline(always)]
    fn memory(&self, index: u32) -> Result<&'m MemoryType> {
        let info: &'m ModuleInfo = self.info;
        match info.memories.get(index as usize) {
            Some(m) => Ok(m),
            None => Err(unknown("memory", index, self.offset)),
        }
    }

    fn table(&self, index: u32) -> Result<TableType> {
        match self.info.tables.get(index as usize) {
            Some(&t) => Ok(t),
            None => Err(unknown("table", index, self.offset)),
        }
    }

    fn elem(&self, index: u32) -> Result<RefType> {
        match self.info.elements.get(index as usize) {
            Some(&t) => Ok(t),
            None => Err(unknown("elem segment", index, self.offset)),
        }
    }

    fn data(&self, index: u32) -> Result<()> {
        match self.info.data_count {
            None => Err(decode(ErrorKind::DataCountRequired, self.offset)),
            Some(n) if index < n => Ok(()),
            Some(_) => Err(unknown("data segment", index, self.offset)),
        }
    }

    #[inline(always)]
    fn func_type(&self, index: u32) -> Result<&'m FuncType> {
        let info: &'m ModuleInfo = self.info;
        match info.func_type(index) {
            Some(ft) => Ok(ft),
            None => Err(unknown("function", index, self.offset)),
        }
    }

    #[cold]
    fn disabled(&self, code: u32) -> Error {
        decode(ErrorKind::IllegalOpcode(OpcodeDisplay(code)), self.offset)
    }

    // ----- memory accesses -----

    #[inline(always)]
    fn check_memarg(&self, memarg: &MemArg, natural: u32) -> Result<Operand> {
        let m = self.memory(memarg.memory)?;
        if memarg.align > natural {
            return Err(invalid("alignment must not be larger than natural", self.offset));
        }
        // A choice of two constants, not a conversion of `addr_type`'s result.
        Ok(if m.memory64 { Operand::of(ValType::I64) } else { Operand::of(ValType::I32) })
    }

    #[inline(always)]
    fn load(&mut self, memarg: &MemArg, natural: u32, t: ValType) -> Result<()> {
        let addr = self.check_memarg(memarg, natural)?;
        self.pop_operand(addr)?;
        self.push(t);
        Ok(())
    }

    #[inline(always)]
    fn store(&mut self, memarg: &MemArg, natural: u32, t: ValType) -> Result<()> {
        let addr = self.check_memarg(memarg, natural)?;
        self.pop_expect(t)?;
        self.pop_operand(addr)?;
        Ok(())
    }

    // ----- the operators the table marks `[]` -----

    /// Inlined into each visitor method, where the operator is known and the match folds.
    #[inline(always)]
    fn special(&mut self, op: &Operator<'_>) -> Result<()> {
        use ValType::I32;
        match op {
            Operator::Unreachable {} => self.set_unreachable(),
            Operator::Block { blockty } => self.push_ctrl(FrameKind::Block, *blockty),
            Operator::Loop { blockty } => self.push_ctrl(FrameKind::Loop, *blockty),
            Operator::If { blockty } => {
                self.pop_expect(I32)?;
                self.push_ctrl(FrameKind::If, *blockty)
            }
            Operator::Else {} => self.visit_else(),
            Operator::End {} => self.visit_end(),
            Operator::Br { relative_depth } => {
                let types = self.label(*relative_depth)?;
                self.pop_vals(types)?;
                self.set_unreachable()
            }
            Operator::BrIf { relative_depth } => {
                self.pop_expect(I32)?;
                let types = self.label(*relative_depth)?;
                self.pop_vals(types)?;
                self.push_vals(types);
                Ok(())
            }
            Operator::BrTable { targets } => self.visit_br_table(targets),
            Operator::Return {} => {
                let results = self.results;
                self.pop_vals(results)?;
                self.set_unreachable()
            }
            Operator::Call { function_index } => {
                let ft = self.func_type(*function_index)?;
                self.pop_vals(ft.params())?;
                self.push_vals(ft.results());
                Ok(())
            }
            Operator::CallIndirect { type_index, table_index } => {
                let table = self.table(*table_index)?;
                let info: &'m ModuleInfo = self.info;
                let Some(ft) = info.types.get(*type_index as usize) else {
                    return Err(unknown("type", *type_index, self.offset));
                };
                if table.element != RefType::FuncRef {
                    return Err(mismatch_msg("call_indirect requires a table of funcref", self.offset));
                }
                self.pop_expect(I32)?;
                self.pop_vals(ft.params())?;
                self.push_vals(ft.results());
                Ok(())
            }
            Operator::Drop {} => self.pop_any().map(drop),
            Operator::Select {} => {
                self.pop_expect(I32)?;
                let t1 = self.pop_any()?;
                let t2 = self.pop_any()?;
                if t1.is_some_and(ValType::is_ref) || t2.is_some_and(ValType::is_ref) {
                    return Err(mismatch_msg("select without a type needs numeric operands", self.offset));
                }
                if let (Some(a), Some(b)) = (t1, t2) {
                    if a != b {
                        return Err(mismatch(Some(a), Some(b), self.offset));
                    }
                }
                self.operands.push(t1.or(t2).map_or(Operand::UNKNOWN, Operand::of));
                Ok(())
            }
            Operator::TypedSelect { ty } => {
                self.pop_expect(I32)?;
                self.pop_expect(*ty)?;
                self.pop_expect(*ty)?;
                self.push(*ty);
                Ok(())
            }
            Operator::LocalGet { local_index } => {
                let t = self.local(*local_index)?;
                self.operands.push(t);
                Ok(())
            }
            Operator::LocalSet { local_index } => {
                let t = self.local(*local_index)?;
                self.pop_operand(t).map(drop)
            }
            Operator::LocalTee { local_index } => {
                let t = self.local(*local_index)?;
                self.pop_operand(t)?;
                self.operands.push(t);
                Ok(())
            }
            Operator::GlobalGet { global_index } => match self.info.globals.get(*global_index as usize) {
                Some(g) => {
                    let t = g.content;
                    self.push(t);
                    Ok(())
                }
                None => Err(unknown("global", *global_index, self.offset)),
            },
            Operator::GlobalSet { global_index } => match self.info.globals.get(*global_index as usize) {
                Some(g) if g.mutable => {
                    let t = g.content;
                    self.pop_expect(t).map(drop)
                }
                Some(_) => Err(invalid("global is immutable", self.offset)),
                None => Err(unknown("global", *global_index, self.offset)),
            },
            Operator::TableGet { table } => {
                let t = self.table(*table)?;
                self.pop_expect(I32)?;
                self.push(ValType::Ref(t.element));
                Ok(())
            }
            Operator::TableSet { table } => {
                let t = self.table(*table)?;
                self.pop_expect(ValType::Ref(t.element))?;
                self.pop_expect(I32).map(drop)
            }
            Operator::MemorySize { mem } => {
                let a = addr_type(self.memory(*mem)?);
                self.push(a);
                Ok(())
            }
            Operator::MemoryGrow { mem } => {
                let a = addr_type(self.memory(*mem)?);
                self.pop_expect(a)?;
                self.push(a);
                Ok(())
            }
            Operator::RefNull { hty } => {
                self.push(ValType::Ref(*hty));
                Ok(())
            }
            Operator::RefIsNull {} => match self.pop_any()? {
                Some(t) if !t.is_ref() => Err(mismatch_msg("ref.is_null needs a reference", self.offset)),
                _ => {
                    self.push(I32);
                    Ok(())
                }
            },
            Operator::RefFunc { function_index } => {
                self.func_type(*function_index)?;
                if !self.info.declared_funcs.get(*function_index as usize).copied().unwrap_or(false) {
                    return Err(invalid("undeclared function reference", self.offset));
                }
                self.push(ValType::FUNCREF);
                Ok(())
            }
            Operator::MemoryInit { data_index, mem } => {
                if self.info.data_count.is_none() {
                    return Err(decode(ErrorKind::DataCountRequired, self.offset));
                }
                let a = addr_type(self.memory(*mem)?);
                self.data(*data_index)?;
                self.pop_vals(&[a, I32, I32])
            }
            Operator::DataDrop { data_index } => self.data(*data_index),
            Operator::MemoryCopy { dst_mem, src_mem } => {
                let dst = addr_type(self.memory(*dst_mem)?);
                let src = addr_type(self.memory(*src_mem)?);
                let len = if dst == I32 || src == I32 { I32 } else { ValType::I64 };
                self.pop_vals(&[dst, src, len])
            }
            Operator::MemoryFill { mem } => {
                let a = addr_type(self.memory(*mem)?);
                self.pop_vals(&[a, I32, a])
            }
            Operator::TableInit { elem_index, table } => {
                let t = self.table(*table)?;
                let e = self.elem(*elem_index)?;
                if t.element != e {
                    return Err(mismatch(Some(ValType::Ref(t.element)), Some(ValType::Ref(e)), self.offset));
                }
                self.pop_vals(&[I32, I32, I32])
            }
            Operator::ElemDrop { elem_index } => self.elem(*elem_index).map(drop),
            Operator::TableCopy { dst_table, src_table } => {
                let dst = self.table(*dst_table)?;
                let src = self.table(*src_table)?;
                if dst.element != src.element {
                    return Err(mismatch(
                        Some(ValType::Ref(dst.element)),
                        Some(ValType::Ref(src.element)),
                        self.offset,
                    ));
                }
                self.pop_vals(&[I32, I32, I32])
            }
            Operator::TableGrow { table } => {
                let t = self.table(*table)?;
                self.pop_vals(&[ValType::Ref(t.element), I32])?;
                self.push(I32);
                Ok(())
            }
            Operator::TableSize { table } => {
                self.table(*table)?;
                self.push(I32);
                Ok(())
            }
            Operator::TableFill { table } => {
                let t = self.table(*table)?;
                self.pop_vals(&[I32, ValType::Ref(t.element), I32])
            }
            // Every other operator has a signature in the table and never gets here.
            other => Err(Error::invalid(format!("internal: no typing for {}", other.name()), self.offset)),
        }
    }
}
