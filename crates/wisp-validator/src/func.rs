//! Function bodies: the algorithm of the spec's validation appendix, one operator at a time.
//!
//! The operand stack holds [`Operand`]s: value types as one byte, 0 being the spec's `Unknown`
//! (a value conjured by the stack-polymorphic bottom of unreachable code). Control frames remember
//! their kind, block type, the operand height at entry and whether the rest of the frame is
//! unreachable. Nothing recurses over nesting depth: both stacks are plain vectors, and
//! their allocations can be carried from one function to the next
//! ([`FuncValidatorAllocations`]).

use crate::error::{decode, invalid, mismatch, mismatch_msg, unknown, Error, Result};
use crate::types::TypeDefs;
use crate::ModuleInfo;
use wisp_decoder::{
    BlockType, BrTable, Catch, ErrorKind, FuncType, HeapType, MemArg, MemoryType, OpcodeDisplay, Operator,
    OperatorsReader, RefType, TableType, TryTable, ValType, VisitOperator,
};

/// The kind of a control frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    Func,
    Block,
    Loop,
    If,
    Else,
    /// A `try_table`'s block (exception handling): branches to it are a block's.
    TryTable,
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
    /// How many locals had been set (of those that need it) when the frame was entered:
    /// the ones set inside are unset again at its end.
    pub init_height: u32,
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

/// A value type on the operand stack or among the locals, packed in a word: a numeric type or
/// `v128` as its one-byte binary encoding, 0 for the spec's `Unknown`; a reference type as its
/// heap type's code (the abstract types' own bytes, [`CONCRETE`] with the type index in bits
/// 9 and up, or [`BOT`] for the bottom type of unreachable code) with bit 8 set when it is not
/// nullable. So `funcref` is 0x70 as before, and comparing two types is one compare, where the
/// derived equality of two `Option<ValType>`s that are not constants is a dozen instructions
/// (`local.set`, `global.set`, calls and block ends compare types only known at run time).
/// Type indices are canonical, so equal types are equal words; subtyping is the slow path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Operand(u32);

const CONCRETE: u32 = 0x01;
const BOT: u32 = 0x02;
const NON_NULL: u32 = 0x100;

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
            ValType::Ref(RefType::Typed { nullable, heap }) => {
                let nn = if nullable { 0 } else { NON_NULL };
                match heap {
                    HeapType::Concrete(x) => CONCRETE | nn | (x << 9),
                    h => match h.abstract_byte() {
                        Some(b) => b as u32 | nn,
                        None => 0,
                    },
                }
            }
        })
    }

    /// `(ref bot)`: what `ref.as_non_null` gives in unreachable code.
    const REF_BOT: Operand = Operand(BOT | NON_NULL);

    #[inline(always)]
    fn is_ref(self) -> bool {
        let code = self.0 & 0xff;
        code != 0 && code < 0x7b
    }

    /// The same reference type, not nullable (unknown stays unknown... as `(ref bot)`).
    fn non_null(self) -> Operand {
        if self == Operand::UNKNOWN {
            Operand::REF_BOT
        } else {
            Operand(self.0 | NON_NULL)
        }
    }

    /// The type, `None` when unknown (or bottom).
    #[inline(always)]
    fn get(self) -> Option<ValType> {
        if self.0 <= 0xff {
            if let Some(t) = ValType::from_byte(self.0 as u8) {
                return Some(t);
            }
        }
        let code = self.0 & 0xff;
        let nullable = self.0 & NON_NULL == 0;
        let heap = match code {
            0 | BOT => return None,
            CONCRETE => HeapType::Concrete(self.0 >> 9),
            b => HeapType::from_abstract_byte(b as u8)?,
        };
        Some(ValType::Ref(RefType::new(nullable, heap)))
    }
}

/// The vectors a [`FuncValidator`] works in, kept between functions so that validating a
/// module allocates once rather than once per function.
#[derive(Debug, Default)]
pub struct FuncValidatorAllocations {
    inits: Vec<bool>,
    init_log: Vec<u32>,
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
    /// Whether each local holds a value (only kept when some local has no default value).
    inits: Vec<bool>,
    /// The locals set since... in order: frames unset theirs at their end.
    init_log: Vec<u32>,
    /// Some local is not defaultable: `local.get` must check it was set.
    needs_init: bool,
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
        BlockType::Value(ValType::Ref(r)) => (&[], info.single_ref(r)),
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
        // Other reference types are the module's (`ModuleInfo::single_ref`).
        ValType::Ref(RefType::Typed { .. }) => &[],
    }
}

/// The value type that addresses a table.
#[inline]
fn table_addr(t: &TableType) -> ValType {
    if t.table64 {
        ValType::I64
    } else {
        ValType::I32
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
    ($s:ident, $name:ident, [lane $n:literal : $($i:ident)* -> $($o:ident)*] $lane:ident) => {
        $s.check_lane($lane, $n).and_then(|()| $s.pop_push(&[$(valtype!($i)),*], &[$(valtype!($o)),*]))
    };
    ($s:ident, $name:ident, [load_lane $a:literal $n:literal] $m:ident $lane:ident) => {
        $s.check_lane($lane, $n).and_then(|()| $s.load_lane(&$m, $a, true))
    };
    ($s:ident, $name:ident, [store_lane $a:literal $n:literal] $m:ident $lane:ident) => {
        $s.check_lane($lane, $n).and_then(|()| $s.load_lane(&$m, $a, false))
    };
    ($s:ident, $name:ident, [shuffle] $lanes:ident) => {
        $s.shuffle(&$lanes)
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
                /// Checks the operator's typing: generic for every operator whose signature the
                /// table gives, `special` for the others. Its proposal is the reader's check
                /// (the module's bodies are read with the features it is validated with), or
                /// `dispatch`'s for an operator from elsewhere.
                #[allow(unused_variables)]
                #[inline(always)]
                fn $name(&mut self $(, $field: $ty)*) -> VisitResult {
                    let checked = if self.controls.is_empty() {
                        Err(invalid("operators remaining after end of function", self.offset))
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
                    $( Operator::$name { $($field),* } => {
                        if !wisp_decoder::proposal_enabled!($proposal, self.info.features) {
                            return Err(self.disabled($code));
                        }
                        VisitOperator::$name(self $(, $field.clone())*).map_err(|e| *e)
                    } )*
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
                    *self.1 = Operator::$name { $($field),* };
                    Ok(())
                }
            )*
        }

        /// Whether the proposal that introduced `op` is enabled in `features`.
        pub fn operator_enabled(op: &Operator<'_>, features: &wisp_decoder::Features) -> bool {
            match op {
                $( Operator::$name { .. } => wisp_decoder::proposal_enabled!($proposal, features), )*
            }
        }
    };
}

wisp_decoder::for_each_operator!(define_dispatch);

/// What the validator's visitor methods give: nothing, or the error boxed. A checked operator
/// then leaves one register for the loop to test, where a `Result<()>` (four words) went
/// through memory at the join of the decoder's several hundred arms.
pub type VisitResult = std::result::Result<(), Box<Error>>;

/// A malformed operator, as [`OperatorsReader::visit_checked`] reports it to the validator.
impl From<wisp_decoder::Error> for Box<Error> {
    #[cold]
    fn from(e: wisp_decoder::Error) -> Self {
        Box::new(Error::Decode(e))
    }
}

#[cold]
#[inline(never)]
fn boxed(e: Error) -> Box<Error> {
    Box::new(e)
}

/// A validator lent to [`OperatorsReader::visit`] by [`FuncValidator::read_into`], with the
/// slot that receives the checked operator.
struct Checked<'v, 'm, 'o, 'a>(&'v mut FuncValidator<'m>, &'o mut Operator<'a>);

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
        let FuncValidatorAllocations { mut inits, mut init_log, mut locals, mut operands, mut controls } = allocs;
        inits.clear();
        init_log.clear();
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
            init_height: 0,
        });
        Ok(FuncValidator {
            info,
            results: ty.results(),
            locals,
            inits,
            init_log,
            needs_init: false,
            declared_locals: 0,
            operands,
            controls,
            base: 0,
            offset: 0,
        })
    }

    /// Gives back the vectors for the next function.
    pub fn into_allocations(self) -> FuncValidatorAllocations {
        FuncValidatorAllocations {
            inits: self.inits,
            init_log: self.init_log,
            locals: self.locals,
            operands: self.operands,
            controls: self.controls,
        }
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
        let ty = self.info.type_defs.canon_val(ty, self.offset)?;
        if !ty.is_defaultable() && !self.needs_init {
            self.needs_init = true;
            self.inits.resize(self.locals.len(), true);
        }
        if self.needs_init {
            self.inits.extend(std::iter::repeat_n(ty.is_defaultable(), count as usize));
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
    /// spent ~18 instructions of each on entering and leaving). Each operator is written into
    /// a slot made ready for it, not pushed: a push tested the vector's capacity and stored
    /// its length once per operator.
    pub fn read_into<'a>(
        &mut self,
        ops: &mut OperatorsReader<'a>,
        out: &mut Vec<Operator<'a>>,
        n: usize,
    ) -> Result<()> {
        let start = out.len();
        out.resize(start + n, Operator::Nop {});
        let mut filled = start;
        let mut checked = Ok(());
        for slot in &mut out[start..] {
            if ops.eof() {
                break;
            }
            self.offset = ops.offset();
            if let Err(e) = ops.visit_checked(&mut Checked(self, slot)) {
                checked = Err(*e);
                break;
            }
            filled += 1;
        }
        out.truncate(filled);
        checked
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
                Some(t) if self.matches(t, expected) => return Ok(t),
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

    /// Pops a value of any type, as the stack holds it (unknown included).
    #[inline]
    fn pop_raw(&mut self) -> Result<Operand> {
        if self.operands.len() > self.frame_height() {
            if let Some(v) = self.operands.pop() {
                return Ok(v);
            }
        }
        self.pop_at_bottom(None).map(|_| Operand::UNKNOWN)
    }

    /// Pops a reference of any type (or unknown).
    fn pop_ref(&mut self) -> Result<Operand> {
        let t = self.pop_raw()?;
        if t != Operand::UNKNOWN && !t.is_ref() {
            return Err(mismatch_msg("expected a reference", self.offset));
        }
        Ok(t)
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
                if !self.matches(found, Operand::of(t)) {
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

    /// Whether operand `found` matches type `expected`: the same, unknown, or a subtype.
    #[inline]
    fn matches(&self, found: Operand, expected: Operand) -> bool {
        if found == expected || found == Operand::UNKNOWN {
            return true;
        }
        if !found.is_ref() || !expected.is_ref() {
            return false;
        }
        if found.0 & 0xff == BOT {
            return expected.0 & NON_NULL == 0 || found.0 & NON_NULL != 0;
        }
        match (found.get(), expected.get()) {
            (Some(a), Some(b)) => self.info.type_defs.val_sub(a, b),
            _ => false,
        }
    }

    /// Whether value type `a` matches `b` (both canonical).
    fn val_sub(&self, a: ValType, b: ValType) -> bool {
        self.info.type_defs.val_sub(a, b)
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
        let bt = match bt {
            BlockType::Empty => bt,
            BlockType::Value(t) => {
                if t.is_ref() {
                    BlockType::Value(info.type_defs.canon_val(t, self.offset)?)
                } else {
                    bt
                }
            }
            BlockType::FuncType(i) => {
                let Some(ft) = info.types.get(i as usize) else {
                    return Err(unknown("type", i, self.offset));
                };
                if !info.type_defs.is_func(i) {
                    return Err(invalid("type mismatch: block type is not a function type", self.offset));
                }
                if !info.features.multi_value && (!ft.params().is_empty() || ft.results().len() > 1) {
                    return Err(invalid("invalid result arity", self.offset));
                }
                bt
            }
        };
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
            init_height: self.init_log.len() as u32,
        });
        self.push_vals(params);
        Ok(())
    }

    /// Unsets the locals set since the innermost frame was entered.
    fn reset_inits(&mut self) {
        let Some(h) = self.controls.last().map(|f| f.init_height as usize) else { return };
        for i in self.init_log.drain(h..) {
            self.inits[i as usize] = false;
        }
    }

    /// Records that local `index` holds a value.
    #[inline(always)]
    fn set_init(&mut self, index: u32) {
        if self.needs_init && !self.inits[index as usize] {
            self.inits[index as usize] = true;
            self.init_log.push(index);
        }
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
        if self.needs_init {
            self.reset_inits();
        }
        let Some(frame) = self.controls.last() else {
            return Err(invalid("else found outside an if block", self.offset));
        };
        let (params, _) = block_type_types(info, frame.block_type);
        self.push_vals(params);
        Ok(())
    }

    #[inline(always)]
    fn visit_end(&mut self) -> Result<()> {
        let results = self.check_frame_end()?;
        if self.needs_init {
            self.reset_inits();
        }
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

    /// The type of a `call_indirect` or `return_call_indirect` callee, after popping the
    /// table's address.
    fn indirect_callee(&mut self, type_index: u32, table_index: u32) -> Result<&'m FuncType> {
        let table = self.table(table_index)?;
        let info: &'m ModuleInfo = self.info;
        let Some(ft) = info.types.get(type_index as usize) else {
            return Err(unknown("type", type_index, self.offset));
        };
        if !info.type_defs.is_func(type_index) {
            return Err(mismatch_msg("call_indirect needs a function type", self.offset));
        }
        if !info.type_defs.ref_sub(table.element, RefType::FuncRef) {
            return Err(mismatch_msg("call_indirect requires a table of funcref", self.offset));
        }
        self.pop_expect(table_addr(&table))?;
        Ok(ft)
    }

    /// The type of a `call_ref` or `return_call_ref` callee, after popping the reference.
    fn ref_callee(&mut self, type_index: u32) -> Result<&'m FuncType> {
        let info: &'m ModuleInfo = self.info;
        let Some(ft) = info.types.get(type_index as usize) else {
            return Err(unknown("type", type_index, self.offset));
        };
        if !info.type_defs.is_func(type_index) {
            return Err(mismatch_msg("call_ref needs a function type", self.offset));
        }
        let r = RefType::new(true, HeapType::Concrete(info.type_defs.canon(type_index)));
        self.pop_expect(ValType::Ref(r))?;
        Ok(ft)
    }

    /// A tail call to a function of type `ft`: its results must be the caller's.
    fn return_call(&mut self, ft: &'m FuncType) -> Result<()> {
        let (callee, caller) = (ft.results(), self.results);
        if callee.len() != caller.len() || callee.iter().zip(caller).any(|(&a, &b)| !self.val_sub(a, b)) {
            return Err(mismatch_msg("tail call's results differ from the caller's", self.offset));
        }
        self.pop_vals(ft.params())?;
        self.set_unreachable()
    }

    /// The type of tag `index`.
    fn tag(&self, index: u32) -> Result<&'m FuncType> {
        let info: &'m ModuleInfo = self.info;
        match info.tags.get(index as usize).and_then(|&t| info.types.get(t as usize)) {
            Some(ft) => Ok(ft),
            None => Err(unknown("tag", index, self.offset)),
        }
    }

    /// `try_table`: its handlers branch to labels outside it, so they are checked first.
    fn visit_try_table(&mut self, table: &TryTable<'_>) -> Result<()> {
        let exn = ValType::Ref(RefType::new(false, HeapType::Exn));
        for c in table.catches() {
            let (tag, with_ref, label) = match c {
                Catch::One { tag, label } => (Some(tag), false, label),
                Catch::OneRef { tag, label } => (Some(tag), true, label),
                Catch::All { label } => (None, false, label),
                Catch::AllRef { label } => (None, true, label),
            };
            let params = match tag {
                Some(t) => self.tag(t)?.params(),
                None => &[],
            };
            let label = self.label(label)?;
            let n = params.len() + usize::from(with_ref);
            let given = params.iter().copied().chain(with_ref.then_some(exn));
            if label.len() != n || given.zip(label).any(|(a, &b)| !self.val_sub(a, b)) {
                return Err(mismatch_msg("catch handler's values do not match its label", self.offset));
            }
        }
        self.push_ctrl(FrameKind::TryTable, table.blockty())
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
        if !m.memory64 && memarg.offset > u64::from(u32::MAX) {
            return Err(invalid("offset out of range", self.offset));
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

    /// A SIMD lane access: `[addr v128] -> [v128]` for a load, `[addr v128] -> []` for a store.
    fn load_lane(&mut self, memarg: &MemArg, natural: u32, load: bool) -> Result<()> {
        let addr = self.check_memarg(memarg, natural)?;
        self.pop_expect(ValType::V128)?;
        self.pop_operand(addr)?;
        if load {
            self.push(ValType::V128);
        }
        Ok(())
    }

    fn check_lane(&self, lane: u8, lanes: u8) -> Result<()> {
        if lane >= lanes {
            return Err(invalid("invalid lane index", self.offset));
        }
        Ok(())
    }

    fn shuffle(&mut self, lanes: &[u8; 16]) -> Result<()> {
        if lanes.iter().any(|&l| l >= 32) {
            return Err(invalid("invalid lane index", self.offset));
        }
        self.pop_push(&[ValType::V128, ValType::V128], &[ValType::V128])
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
                let ft = self.indirect_callee(*type_index, *table_index)?;
                self.pop_vals(ft.params())?;
                self.push_vals(ft.results());
                Ok(())
            }
            Operator::ReturnCall { function_index } => {
                let ft = self.func_type(*function_index)?;
                self.return_call(ft)
            }
            Operator::ReturnCallIndirect { type_index, table_index } => {
                let ft = self.indirect_callee(*type_index, *table_index)?;
                self.return_call(ft)
            }
            Operator::CallRef { type_index } => {
                let ft = self.ref_callee(*type_index)?;
                self.pop_vals(ft.params())?;
                self.push_vals(ft.results());
                Ok(())
            }
            Operator::ReturnCallRef { type_index } => {
                let ft = self.ref_callee(*type_index)?;
                self.return_call(ft)
            }
            Operator::RefAsNonNull {} => {
                let t = self.pop_ref()?;
                self.operands.push(t.non_null());
                Ok(())
            }
            Operator::BrOnNull { relative_depth } => {
                let t = self.pop_ref()?;
                let types = self.label(*relative_depth)?;
                self.pop_vals(types)?;
                self.push_vals(types);
                self.operands.push(t.non_null());
                Ok(())
            }
            Operator::BrOnNonNull { relative_depth } => {
                let types = self.label(*relative_depth)?;
                let Some((&last, rest)) = types.split_last().filter(|(t, _)| t.is_ref()) else {
                    return Err(mismatch_msg("br_on_non_null needs a label that takes a reference", self.offset));
                };
                let t = self.pop_ref()?;
                if !self.matches(t.non_null(), Operand::of(last)) {
                    return Err(mismatch(Some(last), t.non_null().get(), self.offset));
                }
                self.pop_vals(rest)?;
                self.push_vals(rest);
                Ok(())
            }
            Operator::Throw { tag_index } => {
                let ft = self.tag(*tag_index)?;
                self.pop_vals(ft.params())?;
                self.set_unreachable()
            }
            Operator::ThrowRef {} => {
                self.pop_expect(ValType::Ref(RefType::new(true, HeapType::Exn)))?;
                self.set_unreachable()
            }
            Operator::TryTable { table } => self.visit_try_table(table),
            Operator::Drop {} => self.pop_any().map(drop),
            Operator::Select {} => {
                self.pop_expect(I32)?;
                let (o1, o2) = (self.pop_raw()?, self.pop_raw()?);
                if o1.is_ref() || o2.is_ref() {
                    return Err(mismatch_msg("select without a type needs numeric operands", self.offset));
                }
                let (t1, t2) = (o1.get(), o2.get());
                if let (Some(a), Some(b)) = (t1, t2) {
                    if a != b {
                        return Err(mismatch(Some(a), Some(b), self.offset));
                    }
                }
                self.operands.push(t1.or(t2).map_or(Operand::UNKNOWN, Operand::of));
                Ok(())
            }
            Operator::TypedSelect { ty } => {
                let ty = self.info.type_defs.canon_val(*ty, self.offset)?;
                self.pop_expect(I32)?;
                self.pop_expect(ty)?;
                self.pop_expect(ty)?;
                self.push(ty);
                Ok(())
            }
            Operator::LocalGet { local_index } => {
                let t = self.local(*local_index)?;
                if self.needs_init && !self.inits[*local_index as usize] {
                    return Err(invalid("uninitialized local", self.offset));
                }
                self.operands.push(t);
                Ok(())
            }
            Operator::LocalSet { local_index } => {
                let t = self.local(*local_index)?;
                self.pop_operand(t)?;
                self.set_init(*local_index);
                Ok(())
            }
            Operator::LocalTee { local_index } => {
                let t = self.local(*local_index)?;
                self.pop_operand(t)?;
                self.set_init(*local_index);
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
                self.pop_expect(table_addr(&t))?;
                self.push(ValType::Ref(t.element));
                Ok(())
            }
            Operator::TableSet { table } => {
                let t = self.table(*table)?;
                self.pop_expect(ValType::Ref(t.element))?;
                self.pop_expect(table_addr(&t)).map(drop)
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
                let h = self.info.type_defs.canon_heap(*hty, self.offset)?;
                self.push(ValType::Ref(RefType::new(true, h)));
                Ok(())
            }
            Operator::RefIsNull {} => {
                self.pop_ref()?;
                self.push(I32);
                Ok(())
            }
            Operator::RefFunc { function_index } => {
                self.func_type(*function_index)?;
                if !self.info.declared_funcs.get(*function_index as usize).copied().unwrap_or(false) {
                    return Err(invalid("undeclared function reference", self.offset));
                }
                self.push(crate::module::func_ref_type(self.info, *function_index));
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
                if !self.info.type_defs.ref_sub(e, t.element) {
                    return Err(mismatch(Some(ValType::Ref(t.element)), Some(ValType::Ref(e)), self.offset));
                }
                self.pop_vals(&[table_addr(&t), I32, I32])
            }
            Operator::ElemDrop { elem_index } => self.elem(*elem_index).map(drop),
            Operator::TableCopy { dst_table, src_table } => {
                let dst = self.table(*dst_table)?;
                let src = self.table(*src_table)?;
                if !self.info.type_defs.ref_sub(src.element, dst.element) {
                    return Err(mismatch(
                        Some(ValType::Ref(dst.element)),
                        Some(ValType::Ref(src.element)),
                        self.offset,
                    ));
                }
                let (d, s) = (table_addr(&dst), table_addr(&src));
                let len = if d == I32 || s == I32 { I32 } else { ValType::I64 };
                self.pop_vals(&[d, s, len])
            }
            Operator::TableGrow { table } => {
                let t = self.table(*table)?;
                let a = table_addr(&t);
                self.pop_vals(&[ValType::Ref(t.element), a])?;
                self.push(a);
                Ok(())
            }
            Operator::TableSize { table } => {
                let t = self.table(*table)?;
                self.push(table_addr(&t));
                Ok(())
            }
            Operator::TableFill { table } => {
                let t = self.table(*table)?;
                let a = table_addr(&t);
                self.pop_vals(&[a, ValType::Ref(t.element), a])
            }
            // Every other operator has a signature in the table and never gets here.
            other => Err(Error::invalid(format!("internal: no typing for {}", other.name()), self.offset)),
        }
    }
}
