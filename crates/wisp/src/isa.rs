//! wisp's internal bytecode, defined once.
//!
//! Every instruction is one fixed-size [`Instr`] (16 bytes; a test pins it). Branch targets are
//! instruction indices inside the function's code; `drop`/`keep` describe the one stack
//! adjustment a branch makes (keep the top `keep` slots, discard the `drop` slots below them).
//! Plain numeric Wasm operators map to the variant of the same name; the translator derives that
//! mapping from the decoder's opcode table, so a missing variant fails to compile.
//! `Debug` is the disassembler.

/// Binary operators with fused operand and destination forms, written once. Entry:
/// `(Op, OpLL, OpLLSet, OpSet, OpImm, OpL, OpTee, OpLI, OpLS, OpLSet, OpLISet, OpLLTee, OpImmTee,
/// OpImmSet, OpLSTee, OpLITee, type, semantics)`:
/// - `OpLL { a, b }`: `local.get a; local.get b; op` (pushes the result),
/// - `OpLLSet { a, b, dst }`: the same, then `local.set dst`,
/// - `OpSet { dst }`: `op; local.set dst`,
/// - `OpImm { value }`: `i32.const`/`i64.const`/`f32.const`/`f64.const value; op` (the constant
///   as its slot bits),
/// - `OpL { b }`: `local.get b; op` (left operand on the stack, right one a local),
/// - `OpTee { dst }`: `op; local.tee dst`,
/// - `OpLI { a, value }`: `local.get a; const value; op` (a local and a constant),
/// - `OpLS { a }`: `local.get a; <code computing the right operand>; op`: the left operand is
///   read from local `a` when the op runs, the right one is on the stack (see the translator's
///   deferred `local.get`),
/// - `OpLSet { b, dst }`: `OpL` then `local.set dst`,
/// - `OpLISet { a, value, dst }`: `OpLI` then `local.set dst`, the constant's slot bits
///   sign-extended from 32 (formed only when that gives them back, or for 32-bit types),
/// - `OpLLTee { a, b, dst }`: `OpLL` then `local.tee dst`,
/// - `OpImmTee { value, dst }`, `OpImmSet { value, dst }`: `OpImm` then `local.tee`/`local.set`,
/// - `OpLSTee { a, dst }`: `OpLS` then `local.tee dst`,
/// - `OpLITee { a, value, dst }`: `OpLI` then `local.tee dst`, the constant kept as in `OpLISet`.
///
/// The ISA, the translator's fusion rules and both dispatch backends expand this list.
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_fused_binop {
    ($m:ident $($extra:tt)*) => {
        $m! {
            $($extra)* ;
            (I32Add, I32AddLL, I32AddLLSet, I32AddSet, I32AddImm, I32AddL, I32AddTee, I32AddLI, I32AddLS, I32AddLSet, I32AddLISet, I32AddLLTee, I32AddImmTee, I32AddImmSet, I32AddLSTee, I32AddLITee, u32, |a: u32, b: u32| a.wrapping_add(b))
            (I32Sub, I32SubLL, I32SubLLSet, I32SubSet, I32SubImm, I32SubL, I32SubTee, I32SubLI, I32SubLS, I32SubLSet, I32SubLISet, I32SubLLTee, I32SubImmTee, I32SubImmSet, I32SubLSTee, I32SubLITee, u32, |a: u32, b: u32| a.wrapping_sub(b))
            (I32Mul, I32MulLL, I32MulLLSet, I32MulSet, I32MulImm, I32MulL, I32MulTee, I32MulLI, I32MulLS, I32MulLSet, I32MulLISet, I32MulLLTee, I32MulImmTee, I32MulImmSet, I32MulLSTee, I32MulLITee, u32, |a: u32, b: u32| a.wrapping_mul(b))
            (I32And, I32AndLL, I32AndLLSet, I32AndSet, I32AndImm, I32AndL, I32AndTee, I32AndLI, I32AndLS, I32AndLSet, I32AndLISet, I32AndLLTee, I32AndImmTee, I32AndImmSet, I32AndLSTee, I32AndLITee, u32, |a: u32, b: u32| a & b)
            (I32Or, I32OrLL, I32OrLLSet, I32OrSet, I32OrImm, I32OrL, I32OrTee, I32OrLI, I32OrLS, I32OrLSet, I32OrLISet, I32OrLLTee, I32OrImmTee, I32OrImmSet, I32OrLSTee, I32OrLITee, u32, |a: u32, b: u32| a | b)
            (I32Xor, I32XorLL, I32XorLLSet, I32XorSet, I32XorImm, I32XorL, I32XorTee, I32XorLI, I32XorLS, I32XorLSet, I32XorLISet, I32XorLLTee, I32XorImmTee, I32XorImmSet, I32XorLSTee, I32XorLITee, u32, |a: u32, b: u32| a ^ b)
            (I32Shl, I32ShlLL, I32ShlLLSet, I32ShlSet, I32ShlImm, I32ShlL, I32ShlTee, I32ShlLI, I32ShlLS, I32ShlLSet, I32ShlLISet, I32ShlLLTee, I32ShlImmTee, I32ShlImmSet, I32ShlLSTee, I32ShlLITee, u32, |a: u32, b: u32| a.wrapping_shl(b))
            (I32ShrU, I32ShrULL, I32ShrULLSet, I32ShrUSet, I32ShrUImm, I32ShrUL, I32ShrUTee, I32ShrULI, I32ShrULS, I32ShrULSet, I32ShrULISet, I32ShrULLTee, I32ShrUImmTee, I32ShrUImmSet, I32ShrULSTee, I32ShrULITee, u32, |a: u32, b: u32| a.wrapping_shr(b))
            (I32Rotl, I32RotlLL, I32RotlLLSet, I32RotlSet, I32RotlImm, I32RotlL, I32RotlTee, I32RotlLI, I32RotlLS, I32RotlLSet, I32RotlLISet, I32RotlLLTee, I32RotlImmTee, I32RotlImmSet, I32RotlLSTee, I32RotlLITee, u32, |a: u32, b: u32| a.rotate_left(b))
            (I32Rotr, I32RotrLL, I32RotrLLSet, I32RotrSet, I32RotrImm, I32RotrL, I32RotrTee, I32RotrLI, I32RotrLS, I32RotrLSet, I32RotrLISet, I32RotrLLTee, I32RotrImmTee, I32RotrImmSet, I32RotrLSTee, I32RotrLITee, u32, |a: u32, b: u32| a.rotate_right(b))
            (I32ShrS, I32ShrSLL, I32ShrSLLSet, I32ShrSSet, I32ShrSImm, I32ShrSL, I32ShrSTee, I32ShrSLI, I32ShrSLS, I32ShrSLSet, I32ShrSLISet, I32ShrSLLTee, I32ShrSImmTee, I32ShrSImmSet, I32ShrSLSTee, I32ShrSLITee, i32, |a: i32, b: i32| a.wrapping_shr(b as u32))
            (I64Add, I64AddLL, I64AddLLSet, I64AddSet, I64AddImm, I64AddL, I64AddTee, I64AddLI, I64AddLS, I64AddLSet, I64AddLISet, I64AddLLTee, I64AddImmTee, I64AddImmSet, I64AddLSTee, I64AddLITee, u64, |a: u64, b: u64| a.wrapping_add(b))
            (I64Sub, I64SubLL, I64SubLLSet, I64SubSet, I64SubImm, I64SubL, I64SubTee, I64SubLI, I64SubLS, I64SubLSet, I64SubLISet, I64SubLLTee, I64SubImmTee, I64SubImmSet, I64SubLSTee, I64SubLITee, u64, |a: u64, b: u64| a.wrapping_sub(b))
            (I64Mul, I64MulLL, I64MulLLSet, I64MulSet, I64MulImm, I64MulL, I64MulTee, I64MulLI, I64MulLS, I64MulLSet, I64MulLISet, I64MulLLTee, I64MulImmTee, I64MulImmSet, I64MulLSTee, I64MulLITee, u64, |a: u64, b: u64| a.wrapping_mul(b))
            (I64And, I64AndLL, I64AndLLSet, I64AndSet, I64AndImm, I64AndL, I64AndTee, I64AndLI, I64AndLS, I64AndLSet, I64AndLISet, I64AndLLTee, I64AndImmTee, I64AndImmSet, I64AndLSTee, I64AndLITee, u64, |a: u64, b: u64| a & b)
            (I64Or, I64OrLL, I64OrLLSet, I64OrSet, I64OrImm, I64OrL, I64OrTee, I64OrLI, I64OrLS, I64OrLSet, I64OrLISet, I64OrLLTee, I64OrImmTee, I64OrImmSet, I64OrLSTee, I64OrLITee, u64, |a: u64, b: u64| a | b)
            (I64Xor, I64XorLL, I64XorLLSet, I64XorSet, I64XorImm, I64XorL, I64XorTee, I64XorLI, I64XorLS, I64XorLSet, I64XorLISet, I64XorLLTee, I64XorImmTee, I64XorImmSet, I64XorLSTee, I64XorLITee, u64, |a: u64, b: u64| a ^ b)
            (I64Shl, I64ShlLL, I64ShlLLSet, I64ShlSet, I64ShlImm, I64ShlL, I64ShlTee, I64ShlLI, I64ShlLS, I64ShlLSet, I64ShlLISet, I64ShlLLTee, I64ShlImmTee, I64ShlImmSet, I64ShlLSTee, I64ShlLITee, u64, |a: u64, b: u64| a.wrapping_shl(b as u32))
            (I64ShrU, I64ShrULL, I64ShrULLSet, I64ShrUSet, I64ShrUImm, I64ShrUL, I64ShrUTee, I64ShrULI, I64ShrULS, I64ShrULSet, I64ShrULISet, I64ShrULLTee, I64ShrUImmTee, I64ShrUImmSet, I64ShrULSTee, I64ShrULITee, u64, |a: u64, b: u64| a.wrapping_shr(b as u32))
            (I64ShrS, I64ShrSLL, I64ShrSLLSet, I64ShrSSet, I64ShrSImm, I64ShrSL, I64ShrSTee, I64ShrSLI, I64ShrSLS, I64ShrSLSet, I64ShrSLISet, I64ShrSLLTee, I64ShrSImmTee, I64ShrSImmSet, I64ShrSLSTee, I64ShrSLITee, i64, |a: i64, b: i64| a.wrapping_shr(b as u32))
            (I64Rotl, I64RotlLL, I64RotlLLSet, I64RotlSet, I64RotlImm, I64RotlL, I64RotlTee, I64RotlLI, I64RotlLS, I64RotlLSet, I64RotlLISet, I64RotlLLTee, I64RotlImmTee, I64RotlImmSet, I64RotlLSTee, I64RotlLITee, u64, |a: u64, b: u64| a.rotate_left((b & 63) as u32))
            (I64Rotr, I64RotrLL, I64RotrLLSet, I64RotrSet, I64RotrImm, I64RotrL, I64RotrTee, I64RotrLI, I64RotrLS, I64RotrLSet, I64RotrLISet, I64RotrLLTee, I64RotrImmTee, I64RotrImmSet, I64RotrLSTee, I64RotrLITee, u64, |a: u64, b: u64| a.rotate_right((b & 63) as u32))
            (F64Add, F64AddLL, F64AddLLSet, F64AddSet, F64AddImm, F64AddL, F64AddTee, F64AddLI, F64AddLS, F64AddLSet, F64AddLISet, F64AddLLTee, F64AddImmTee, F64AddImmSet, F64AddLSTee, F64AddLITee, f64, |a: f64, b: f64| a + b)
            (F64Sub, F64SubLL, F64SubLLSet, F64SubSet, F64SubImm, F64SubL, F64SubTee, F64SubLI, F64SubLS, F64SubLSet, F64SubLISet, F64SubLLTee, F64SubImmTee, F64SubImmSet, F64SubLSTee, F64SubLITee, f64, |a: f64, b: f64| a - b)
            (F64Mul, F64MulLL, F64MulLLSet, F64MulSet, F64MulImm, F64MulL, F64MulTee, F64MulLI, F64MulLS, F64MulLSet, F64MulLISet, F64MulLLTee, F64MulImmTee, F64MulImmSet, F64MulLSTee, F64MulLITee, f64, |a: f64, b: f64| a * b)
            (F64Div, F64DivLL, F64DivLLSet, F64DivSet, F64DivImm, F64DivL, F64DivTee, F64DivLI, F64DivLS, F64DivLSet, F64DivLISet, F64DivLLTee, F64DivImmTee, F64DivImmSet, F64DivLSTee, F64DivLITee, f64, |a: f64, b: f64| a / b)
            (F32Add, F32AddLL, F32AddLLSet, F32AddSet, F32AddImm, F32AddL, F32AddTee, F32AddLI, F32AddLS, F32AddLSet, F32AddLISet, F32AddLLTee, F32AddImmTee, F32AddImmSet, F32AddLSTee, F32AddLITee, f32, |a: f32, b: f32| a + b)
            (F32Sub, F32SubLL, F32SubLLSet, F32SubSet, F32SubImm, F32SubL, F32SubTee, F32SubLI, F32SubLS, F32SubLSet, F32SubLISet, F32SubLLTee, F32SubImmTee, F32SubImmSet, F32SubLSTee, F32SubLITee, f32, |a: f32, b: f32| a - b)
            (F32Mul, F32MulLL, F32MulLLSet, F32MulSet, F32MulImm, F32MulL, F32MulTee, F32MulLI, F32MulLS, F32MulLSet, F32MulLISet, F32MulLLTee, F32MulImmTee, F32MulImmSet, F32MulLSTee, F32MulLITee, f32, |a: f32, b: f32| a * b)
            (F32Div, F32DivLL, F32DivLLSet, F32DivSet, F32DivImm, F32DivL, F32DivTee, F32DivLI, F32DivLS, F32DivLSet, F32DivLISet, F32DivLLTee, F32DivImmTee, F32DivImmSet, F32DivLSTee, F32DivLITee, f32, |a: f32, b: f32| a / b)
        }
    };
}

/// Comparisons fused with the `br_if` that consumes them, written once. Entry:
/// `(Cmp, CmpBr, CmpBrNot, CmpLLBr, CmpLLBrNot, CmpImm, CmpImmBr, CmpImmBrNot, CmpLBr, CmpLBrNot,
/// CmpLI, CmpLIBr, CmpLIBrNot, MirrorLBr, MirrorLBrNot, type, semantics)`:
/// - `CmpBr { target }`: `cmp; br_if` (branch when true), `CmpBrNot`: when false (the
///   translator forms it from `cmp; i32.eqz; br_if` and from `cmp; br_if` on an `if`),
/// - `CmpLLBr { a, b, target }`, `CmpLLBrNot`: both operands from locals,
/// - `CmpImm { value }`, `CmpImmBr { value, target }`, `CmpImmBrNot`: the right operand a
///   constant (as its slot bits),
/// - `CmpLBr { b, target }`, `CmpLBrNot`: the left operand on the stack, the right one local `b`,
/// - `CmpLI { a, value }`: `local.get a; const value; cmp` (pushes the i32 result),
/// - `CmpLIBr { a, value, target }`, `CmpLIBrNot`: the same with the `br_if`, the constant's
///   slot bits sign-extended from 32 (formed only when that gives them back, or for 32-bit
///   types),
/// - `MirrorLBr`, `MirrorLBrNot`: the `LBr` forms of the comparison with its operands swapped
///   (`a < b` is `b > a`), which a compare whose *left* operand is a deferred `local.get`
///   becomes (names only: the variants are the mirror's own).
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_fused_cmp {
    ($m:ident $($extra:tt)*) => {
        $m! {
            $($extra)* ;
            (I32Eq, I32EqBr, I32EqBrNot, I32EqLLBr, I32EqLLBrNot, I32EqImm, I32EqImmBr, I32EqImmBrNot, I32EqLBr, I32EqLBrNot, I32EqLI, I32EqLIBr, I32EqLIBrNot, I32EqLBr, I32EqLBrNot, u32, |a: u32, b: u32| a == b)
            (I32Ne, I32NeBr, I32NeBrNot, I32NeLLBr, I32NeLLBrNot, I32NeImm, I32NeImmBr, I32NeImmBrNot, I32NeLBr, I32NeLBrNot, I32NeLI, I32NeLIBr, I32NeLIBrNot, I32NeLBr, I32NeLBrNot, u32, |a: u32, b: u32| a != b)
            (I32LtS, I32LtSBr, I32LtSBrNot, I32LtSLLBr, I32LtSLLBrNot, I32LtSImm, I32LtSImmBr, I32LtSImmBrNot, I32LtSLBr, I32LtSLBrNot, I32LtSLI, I32LtSLIBr, I32LtSLIBrNot, I32GtSLBr, I32GtSLBrNot, i32, |a: i32, b: i32| a < b)
            (I32LtU, I32LtUBr, I32LtUBrNot, I32LtULLBr, I32LtULLBrNot, I32LtUImm, I32LtUImmBr, I32LtUImmBrNot, I32LtULBr, I32LtULBrNot, I32LtULI, I32LtULIBr, I32LtULIBrNot, I32GtULBr, I32GtULBrNot, u32, |a: u32, b: u32| a < b)
            (I32GtS, I32GtSBr, I32GtSBrNot, I32GtSLLBr, I32GtSLLBrNot, I32GtSImm, I32GtSImmBr, I32GtSImmBrNot, I32GtSLBr, I32GtSLBrNot, I32GtSLI, I32GtSLIBr, I32GtSLIBrNot, I32LtSLBr, I32LtSLBrNot, i32, |a: i32, b: i32| a > b)
            (I32GtU, I32GtUBr, I32GtUBrNot, I32GtULLBr, I32GtULLBrNot, I32GtUImm, I32GtUImmBr, I32GtUImmBrNot, I32GtULBr, I32GtULBrNot, I32GtULI, I32GtULIBr, I32GtULIBrNot, I32LtULBr, I32LtULBrNot, u32, |a: u32, b: u32| a > b)
            (I32LeS, I32LeSBr, I32LeSBrNot, I32LeSLLBr, I32LeSLLBrNot, I32LeSImm, I32LeSImmBr, I32LeSImmBrNot, I32LeSLBr, I32LeSLBrNot, I32LeSLI, I32LeSLIBr, I32LeSLIBrNot, I32GeSLBr, I32GeSLBrNot, i32, |a: i32, b: i32| a <= b)
            (I32LeU, I32LeUBr, I32LeUBrNot, I32LeULLBr, I32LeULLBrNot, I32LeUImm, I32LeUImmBr, I32LeUImmBrNot, I32LeULBr, I32LeULBrNot, I32LeULI, I32LeULIBr, I32LeULIBrNot, I32GeULBr, I32GeULBrNot, u32, |a: u32, b: u32| a <= b)
            (I32GeS, I32GeSBr, I32GeSBrNot, I32GeSLLBr, I32GeSLLBrNot, I32GeSImm, I32GeSImmBr, I32GeSImmBrNot, I32GeSLBr, I32GeSLBrNot, I32GeSLI, I32GeSLIBr, I32GeSLIBrNot, I32LeSLBr, I32LeSLBrNot, i32, |a: i32, b: i32| a >= b)
            (I32GeU, I32GeUBr, I32GeUBrNot, I32GeULLBr, I32GeULLBrNot, I32GeUImm, I32GeUImmBr, I32GeUImmBrNot, I32GeULBr, I32GeULBrNot, I32GeULI, I32GeULIBr, I32GeULIBrNot, I32LeULBr, I32LeULBrNot, u32, |a: u32, b: u32| a >= b)
            (I64Eq, I64EqBr, I64EqBrNot, I64EqLLBr, I64EqLLBrNot, I64EqImm, I64EqImmBr, I64EqImmBrNot, I64EqLBr, I64EqLBrNot, I64EqLI, I64EqLIBr, I64EqLIBrNot, I64EqLBr, I64EqLBrNot, u64, |a: u64, b: u64| a == b)
            (I64Ne, I64NeBr, I64NeBrNot, I64NeLLBr, I64NeLLBrNot, I64NeImm, I64NeImmBr, I64NeImmBrNot, I64NeLBr, I64NeLBrNot, I64NeLI, I64NeLIBr, I64NeLIBrNot, I64NeLBr, I64NeLBrNot, u64, |a: u64, b: u64| a != b)
            (I64LtS, I64LtSBr, I64LtSBrNot, I64LtSLLBr, I64LtSLLBrNot, I64LtSImm, I64LtSImmBr, I64LtSImmBrNot, I64LtSLBr, I64LtSLBrNot, I64LtSLI, I64LtSLIBr, I64LtSLIBrNot, I64GtSLBr, I64GtSLBrNot, i64, |a: i64, b: i64| a < b)
            (I64LtU, I64LtUBr, I64LtUBrNot, I64LtULLBr, I64LtULLBrNot, I64LtUImm, I64LtUImmBr, I64LtUImmBrNot, I64LtULBr, I64LtULBrNot, I64LtULI, I64LtULIBr, I64LtULIBrNot, I64GtULBr, I64GtULBrNot, u64, |a: u64, b: u64| a < b)
            (I64GtS, I64GtSBr, I64GtSBrNot, I64GtSLLBr, I64GtSLLBrNot, I64GtSImm, I64GtSImmBr, I64GtSImmBrNot, I64GtSLBr, I64GtSLBrNot, I64GtSLI, I64GtSLIBr, I64GtSLIBrNot, I64LtSLBr, I64LtSLBrNot, i64, |a: i64, b: i64| a > b)
            (I64GtU, I64GtUBr, I64GtUBrNot, I64GtULLBr, I64GtULLBrNot, I64GtUImm, I64GtUImmBr, I64GtUImmBrNot, I64GtULBr, I64GtULBrNot, I64GtULI, I64GtULIBr, I64GtULIBrNot, I64LtULBr, I64LtULBrNot, u64, |a: u64, b: u64| a > b)
            (I64LeS, I64LeSBr, I64LeSBrNot, I64LeSLLBr, I64LeSLLBrNot, I64LeSImm, I64LeSImmBr, I64LeSImmBrNot, I64LeSLBr, I64LeSLBrNot, I64LeSLI, I64LeSLIBr, I64LeSLIBrNot, I64GeSLBr, I64GeSLBrNot, i64, |a: i64, b: i64| a <= b)
            (I64LeU, I64LeUBr, I64LeUBrNot, I64LeULLBr, I64LeULLBrNot, I64LeUImm, I64LeUImmBr, I64LeUImmBrNot, I64LeULBr, I64LeULBrNot, I64LeULI, I64LeULIBr, I64LeULIBrNot, I64GeULBr, I64GeULBrNot, u64, |a: u64, b: u64| a <= b)
            (I64GeS, I64GeSBr, I64GeSBrNot, I64GeSLLBr, I64GeSLLBrNot, I64GeSImm, I64GeSImmBr, I64GeSImmBrNot, I64GeSLBr, I64GeSLBrNot, I64GeSLI, I64GeSLIBr, I64GeSLIBrNot, I64LeSLBr, I64LeSLBrNot, i64, |a: i64, b: i64| a >= b)
            (I64GeU, I64GeUBr, I64GeUBrNot, I64GeULLBr, I64GeULLBrNot, I64GeUImm, I64GeUImmBr, I64GeUImmBrNot, I64GeULBr, I64GeULBrNot, I64GeULI, I64GeULIBr, I64GeULIBrNot, I64LeULBr, I64LeULBrNot, u64, |a: u64, b: u64| a >= b)
            (F64Eq, F64EqBr, F64EqBrNot, F64EqLLBr, F64EqLLBrNot, F64EqImm, F64EqImmBr, F64EqImmBrNot, F64EqLBr, F64EqLBrNot, F64EqLI, F64EqLIBr, F64EqLIBrNot, F64EqLBr, F64EqLBrNot, f64, |a: f64, b: f64| a == b)
            (F64Ne, F64NeBr, F64NeBrNot, F64NeLLBr, F64NeLLBrNot, F64NeImm, F64NeImmBr, F64NeImmBrNot, F64NeLBr, F64NeLBrNot, F64NeLI, F64NeLIBr, F64NeLIBrNot, F64NeLBr, F64NeLBrNot, f64, |a: f64, b: f64| a != b)
            (F64Lt, F64LtBr, F64LtBrNot, F64LtLLBr, F64LtLLBrNot, F64LtImm, F64LtImmBr, F64LtImmBrNot, F64LtLBr, F64LtLBrNot, F64LtLI, F64LtLIBr, F64LtLIBrNot, F64GtLBr, F64GtLBrNot, f64, |a: f64, b: f64| a < b)
            (F64Gt, F64GtBr, F64GtBrNot, F64GtLLBr, F64GtLLBrNot, F64GtImm, F64GtImmBr, F64GtImmBrNot, F64GtLBr, F64GtLBrNot, F64GtLI, F64GtLIBr, F64GtLIBrNot, F64LtLBr, F64LtLBrNot, f64, |a: f64, b: f64| a > b)
            (F64Le, F64LeBr, F64LeBrNot, F64LeLLBr, F64LeLLBrNot, F64LeImm, F64LeImmBr, F64LeImmBrNot, F64LeLBr, F64LeLBrNot, F64LeLI, F64LeLIBr, F64LeLIBrNot, F64GeLBr, F64GeLBrNot, f64, |a: f64, b: f64| a <= b)
            (F64Ge, F64GeBr, F64GeBrNot, F64GeLLBr, F64GeLLBrNot, F64GeImm, F64GeImmBr, F64GeImmBrNot, F64GeLBr, F64GeLBrNot, F64GeLI, F64GeLIBr, F64GeLIBrNot, F64LeLBr, F64LeLBrNot, f64, |a: f64, b: f64| a >= b)
        }
    };
}

/// Loads fused with the address computation before them, written once. Entry:
/// `(Load, LoadLocal, LoadLocalAddImm, LoadAddImm, LoadSet, LoadLocalSet, LoadScaled, bytes,
/// conversion)`:
/// - `LoadLocal { index, offset }`: `local.get index; load offset`,
/// - `LoadLocalAddImm { index, imm, offset }`: `local.get index; i32.const imm; i32.add; load
///   offset` (the address `index + imm` wraps at 32 bits before the offset applies),
/// - `LoadAddImm { imm, offset }`: `i32.const imm; i32.add; load offset`,
/// - `LoadSet { offset, dst }`, `LoadLocalSet { index, offset, dst }`: the load (address on the
///   stack, or in local `index`), then `local.set dst`,
/// - `LoadScaled { index, shift, imm, offset }`: `local.get index; i32.const shift; i32.shl;
///   i32.const imm; i32.add; load offset`, an element of a global array (the address
///   `(index << shift) + imm` wraps at 32 bits before the offset applies).
/// The conversion turns the loaded little-endian bytes into the slot value.
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_fused_load {
    ($m:ident $($extra:tt)*) => {
        $m! {
            $($extra)* ;
            (I32Load, I32LoadLocal, I32LoadLocalAddImm, I32LoadAddImm, I32LoadSet, I32LoadLocalSet, I32LoadScaled, 4, u32::from_le_bytes)
            (I64Load, I64LoadLocal, I64LoadLocalAddImm, I64LoadAddImm, I64LoadSet, I64LoadLocalSet, I64LoadScaled, 8, u64::from_le_bytes)
            (F32Load, F32LoadLocal, F32LoadLocalAddImm, F32LoadAddImm, F32LoadSet, F32LoadLocalSet, F32LoadScaled, 4, u32::from_le_bytes)
            (F64Load, F64LoadLocal, F64LoadLocalAddImm, F64LoadAddImm, F64LoadSet, F64LoadLocalSet, F64LoadScaled, 8, u64::from_le_bytes)
            (I32Load8S, I32Load8SLocal, I32Load8SLocalAddImm, I32Load8SAddImm, I32Load8SSet, I32Load8SLocalSet, I32Load8SScaled, 1, |b: [u8; 1]| b[0] as i8 as i32)
            (I32Load8U, I32Load8ULocal, I32Load8ULocalAddImm, I32Load8UAddImm, I32Load8USet, I32Load8ULocalSet, I32Load8UScaled, 1, |b: [u8; 1]| b[0] as u32)
            (I32Load16S, I32Load16SLocal, I32Load16SLocalAddImm, I32Load16SAddImm, I32Load16SSet, I32Load16SLocalSet, I32Load16SScaled, 2, |b| i16::from_le_bytes(b) as i32)
            (I32Load16U, I32Load16ULocal, I32Load16ULocalAddImm, I32Load16UAddImm, I32Load16USet, I32Load16ULocalSet, I32Load16UScaled, 2, |b| u16::from_le_bytes(b) as u32)
            (I64Load8S, I64Load8SLocal, I64Load8SLocalAddImm, I64Load8SAddImm, I64Load8SSet, I64Load8SLocalSet, I64Load8SScaled, 1, |b: [u8; 1]| b[0] as i8 as i64)
            (I64Load8U, I64Load8ULocal, I64Load8ULocalAddImm, I64Load8UAddImm, I64Load8USet, I64Load8ULocalSet, I64Load8UScaled, 1, |b: [u8; 1]| b[0] as u64)
            (I64Load16S, I64Load16SLocal, I64Load16SLocalAddImm, I64Load16SAddImm, I64Load16SSet, I64Load16SLocalSet, I64Load16SScaled, 2, |b| i16::from_le_bytes(b) as i64)
            (I64Load16U, I64Load16ULocal, I64Load16ULocalAddImm, I64Load16UAddImm, I64Load16USet, I64Load16ULocalSet, I64Load16UScaled, 2, |b| u16::from_le_bytes(b) as u64)
            (I64Load32S, I64Load32SLocal, I64Load32SLocalAddImm, I64Load32SAddImm, I64Load32SSet, I64Load32SLocalSet, I64Load32SScaled, 4, |b| i32::from_le_bytes(b) as i64)
            (I64Load32U, I64Load32ULocal, I64Load32ULocalAddImm, I64Load32UAddImm, I64Load32USet, I64Load32ULocalSet, I64Load32UScaled, 4, |b| u32::from_le_bytes(b) as u64)
        }
    };
}

/// Stores fused with where their operands come from, written once. Entry:
/// `(Store, StoreAt, StoreAtImm, StoreLocalLocal, bytes, to_bytes)`:
/// - `StoreAt { addr, offset }`: `local.get addr; <code computing the value>; store offset`:
///   the address is read from the local when the store runs (the translator's deferred
///   `local.get`),
/// - `StoreAtImm { addr, offset, value }`: `local.get addr; const value; store offset`, the
///   constant's slot bits sign-extended from 32 (formed only when that gives them back, or
///   for stores of 32 bits or fewer),
/// - `StoreLocalLocal { addr, value, offset }`: `local.get addr; local.get value; store offset`,
/// - `StoreLocalAddImmImm { addr, imm, value }`, `StoreLocalAddImmLocal { addr, imm, value }`:
///   `local.get addr; i32.const imm; i32.add; const value / local.get value; store offset=0`
///   (the address `addr + imm` wraps at 32 bits; the constant as in `StoreAtImm`).
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_fused_store {
    ($m:ident $($extra:tt)*) => {
        $m! {
            $($extra)* ;
            (I32Store, I32StoreAt, I32StoreAtImm, I32StoreLocalLocal, I32StoreLocalAddImmImm, I32StoreLocalAddImmLocal, 4, |v: u64| (v as u32).to_le_bytes())
            (I64Store, I64StoreAt, I64StoreAtImm, I64StoreLocalLocal, I64StoreLocalAddImmImm, I64StoreLocalAddImmLocal, 8, |v: u64| v.to_le_bytes())
            (F32Store, F32StoreAt, F32StoreAtImm, F32StoreLocalLocal, F32StoreLocalAddImmImm, F32StoreLocalAddImmLocal, 4, |v: u64| (v as u32).to_le_bytes())
            (F64Store, F64StoreAt, F64StoreAtImm, F64StoreLocalLocal, F64StoreLocalAddImmImm, F64StoreLocalAddImmLocal, 8, |v: u64| v.to_le_bytes())
            (I32Store8, I32Store8At, I32Store8AtImm, I32Store8LocalLocal, I32Store8LocalAddImmImm, I32Store8LocalAddImmLocal, 1, |v: u64| [v as u8])
            (I32Store16, I32Store16At, I32Store16AtImm, I32Store16LocalLocal, I32Store16LocalAddImmImm, I32Store16LocalAddImmLocal, 2, |v: u64| (v as u16).to_le_bytes())
            (I64Store8, I64Store8At, I64Store8AtImm, I64Store8LocalLocal, I64Store8LocalAddImmImm, I64Store8LocalAddImmLocal, 1, |v: u64| [v as u8])
            (I64Store16, I64Store16At, I64Store16AtImm, I64Store16LocalLocal, I64Store16LocalAddImmImm, I64Store16LocalAddImmLocal, 2, |v: u64| (v as u16).to_le_bytes())
            (I64Store32, I64Store32At, I64Store32AtImm, I64Store32LocalLocal, I64Store32LocalAddImmImm, I64Store32LocalAddImmLocal, 4, |v: u64| (v as u32).to_le_bytes())
        }
    };
}

/// Integer division and remainder (they trap) with fused operand and destination forms,
/// written once. Entry: `(Op, OpLL, OpLS, OpTee, OpSet, OpLLTee, OpLLSet, type, checked
/// operation)`, the forms as in `for_each_fused_binop!`:
/// - `OpLL { a, b }`: `local.get a; local.get b; op`,
/// - `OpLS { a }`: the left operand read from local `a`, the right one on the stack (the
///   translator's deferred `local.get`),
/// - `OpTee { dst }`, `OpSet { dst }`: `op; local.tee dst` / `op; local.set dst`,
/// - `OpLLTee { a, b, dst }`, `OpLLSet { a, b, dst }`: both.
///
/// The ISA, the translator's fusion rules and both dispatch backends expand this list.
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_fused_div {
    ($m:ident $($extra:tt)*) => {
        $m! {
            $($extra)* ;
            (I32DivS, I32DivSLL, I32DivSLS, I32DivSTee, I32DivSSet, I32DivSLLTee, I32DivSLLSet, i32, ops::i32_div_s)
            (I32DivU, I32DivULL, I32DivULS, I32DivUTee, I32DivUSet, I32DivULLTee, I32DivULLSet, u32, ops::i32_div_u)
            (I32RemS, I32RemSLL, I32RemSLS, I32RemSTee, I32RemSSet, I32RemSLLTee, I32RemSLLSet, i32, ops::i32_rem_s)
            (I32RemU, I32RemULL, I32RemULS, I32RemUTee, I32RemUSet, I32RemULLTee, I32RemULLSet, u32, ops::i32_rem_u)
            (I64DivS, I64DivSLL, I64DivSLS, I64DivSTee, I64DivSSet, I64DivSLLTee, I64DivSLLSet, i64, ops::i64_div_s)
            (I64DivU, I64DivULL, I64DivULS, I64DivUTee, I64DivUSet, I64DivULLTee, I64DivULLSet, u64, ops::i64_div_u)
            (I64RemS, I64RemSLL, I64RemSLS, I64RemSTee, I64RemSSet, I64RemSLLTee, I64RemSLLSet, i64, ops::i64_rem_s)
            (I64RemU, I64RemULL, I64RemULS, I64RemUTee, I64RemUSet, I64RemULLTee, I64RemULLSet, u64, ops::i64_rem_u)
        }
    };
}

/// A loop's latch, written once: a counter stepped by a small constant and compared with a
/// local or a constant, then a branch. Entry: `(CmpLBr, CmpLBrNot, CmpImmBr, CmpImmBrNot,
/// CmpLLBr, CmpLLBrNot, CmpLIBr, CmpLIBrNot, StepLBr, StepLBrNot, StepIBr, StepIBrNot,
/// StepLLBr, StepLLBrNot, StepLBrInc, StepLLBrAdd, compare type, counter type, comparison)`, the first eight the compare-and-branch forms
/// (of `for_each_fused_cmp!`) a latch is found after, for the translator's rules:
/// - `StepLBr { local, step, b, target }`: `local.get local; const step; add; local.tee local;
///   local.get b; cmp; br_if target` (the counter is `local`, `step` sign-extended),
/// - `StepIBr { local, step, bound, target }`: the same against a constant (`bound` kept in 32
///   bits, sign-extended for 64-bit counters),
/// - `StepLLBr { local, by, b, target }`: the counter stepped by local `by` (`local.get local;
///   local.get by; add; local.tee local; local.get b; cmp; br_if target`, either order of the
///   add's operands), locals below 65536 (every function's are: the decoder allows 50,000),
/// - the `BrNot` forms branch when the comparison is false (`if`, or `eqz; br_if`),
/// - `StepLBrInc { local, step, b, inc, by, target }`: `StepLBr` after another local stepped
///   by a small constant (`inc = inc + by` as i32, clang's strength-reduced pointer beside the
///   counter: `LocalAddImmSet; StepLBr`), which happens first,
/// - `StepLLBrAdd { local, by, b, x, y, target }`: `StepLLBr` after `x = x + y` as i32
///   (`I32AddLLSet` with its destination as an operand), which happens first.
///
/// The ISA, the translator's rules and both dispatch backends expand this list.
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_fused_step {
    ($m:ident $($extra:tt)*) => {
        $m! {
            $($extra)* ;
            (I32EqLBr, I32EqLBrNot, I32EqImmBr, I32EqImmBrNot, I32EqLLBr, I32EqLLBrNot, I32EqLIBr, I32EqLIBrNot, I32EqStepLBr, I32EqStepLBrNot, I32EqStepIBr, I32EqStepIBrNot, I32EqStepLLBr, I32EqStepLLBrNot, I32EqStepLBrInc, I32EqStepLLBrAdd, u32, u32, |a: u32, b: u32| a == b)
            (I32NeLBr, I32NeLBrNot, I32NeImmBr, I32NeImmBrNot, I32NeLLBr, I32NeLLBrNot, I32NeLIBr, I32NeLIBrNot, I32NeStepLBr, I32NeStepLBrNot, I32NeStepIBr, I32NeStepIBrNot, I32NeStepLLBr, I32NeStepLLBrNot, I32NeStepLBrInc, I32NeStepLLBrAdd, u32, u32, |a: u32, b: u32| a != b)
            (I32LtSLBr, I32LtSLBrNot, I32LtSImmBr, I32LtSImmBrNot, I32LtSLLBr, I32LtSLLBrNot, I32LtSLIBr, I32LtSLIBrNot, I32LtSStepLBr, I32LtSStepLBrNot, I32LtSStepIBr, I32LtSStepIBrNot, I32LtSStepLLBr, I32LtSStepLLBrNot, I32LtSStepLBrInc, I32LtSStepLLBrAdd, i32, u32, |a: i32, b: i32| a < b)
            (I32LtULBr, I32LtULBrNot, I32LtUImmBr, I32LtUImmBrNot, I32LtULLBr, I32LtULLBrNot, I32LtULIBr, I32LtULIBrNot, I32LtUStepLBr, I32LtUStepLBrNot, I32LtUStepIBr, I32LtUStepIBrNot, I32LtUStepLLBr, I32LtUStepLLBrNot, I32LtUStepLBrInc, I32LtUStepLLBrAdd, u32, u32, |a: u32, b: u32| a < b)
            (I32GtSLBr, I32GtSLBrNot, I32GtSImmBr, I32GtSImmBrNot, I32GtSLLBr, I32GtSLLBrNot, I32GtSLIBr, I32GtSLIBrNot, I32GtSStepLBr, I32GtSStepLBrNot, I32GtSStepIBr, I32GtSStepIBrNot, I32GtSStepLLBr, I32GtSStepLLBrNot, I32GtSStepLBrInc, I32GtSStepLLBrAdd, i32, u32, |a: i32, b: i32| a > b)
            (I32GtULBr, I32GtULBrNot, I32GtUImmBr, I32GtUImmBrNot, I32GtULLBr, I32GtULLBrNot, I32GtULIBr, I32GtULIBrNot, I32GtUStepLBr, I32GtUStepLBrNot, I32GtUStepIBr, I32GtUStepIBrNot, I32GtUStepLLBr, I32GtUStepLLBrNot, I32GtUStepLBrInc, I32GtUStepLLBrAdd, u32, u32, |a: u32, b: u32| a > b)
            (I32LeSLBr, I32LeSLBrNot, I32LeSImmBr, I32LeSImmBrNot, I32LeSLLBr, I32LeSLLBrNot, I32LeSLIBr, I32LeSLIBrNot, I32LeSStepLBr, I32LeSStepLBrNot, I32LeSStepIBr, I32LeSStepIBrNot, I32LeSStepLLBr, I32LeSStepLLBrNot, I32LeSStepLBrInc, I32LeSStepLLBrAdd, i32, u32, |a: i32, b: i32| a <= b)
            (I32LeULBr, I32LeULBrNot, I32LeUImmBr, I32LeUImmBrNot, I32LeULLBr, I32LeULLBrNot, I32LeULIBr, I32LeULIBrNot, I32LeUStepLBr, I32LeUStepLBrNot, I32LeUStepIBr, I32LeUStepIBrNot, I32LeUStepLLBr, I32LeUStepLLBrNot, I32LeUStepLBrInc, I32LeUStepLLBrAdd, u32, u32, |a: u32, b: u32| a <= b)
            (I32GeSLBr, I32GeSLBrNot, I32GeSImmBr, I32GeSImmBrNot, I32GeSLLBr, I32GeSLLBrNot, I32GeSLIBr, I32GeSLIBrNot, I32GeSStepLBr, I32GeSStepLBrNot, I32GeSStepIBr, I32GeSStepIBrNot, I32GeSStepLLBr, I32GeSStepLLBrNot, I32GeSStepLBrInc, I32GeSStepLLBrAdd, i32, u32, |a: i32, b: i32| a >= b)
            (I32GeULBr, I32GeULBrNot, I32GeUImmBr, I32GeUImmBrNot, I32GeULLBr, I32GeULLBrNot, I32GeULIBr, I32GeULIBrNot, I32GeUStepLBr, I32GeUStepLBrNot, I32GeUStepIBr, I32GeUStepIBrNot, I32GeUStepLLBr, I32GeUStepLLBrNot, I32GeUStepLBrInc, I32GeUStepLLBrAdd, u32, u32, |a: u32, b: u32| a >= b)
            (I64EqLBr, I64EqLBrNot, I64EqImmBr, I64EqImmBrNot, I64EqLLBr, I64EqLLBrNot, I64EqLIBr, I64EqLIBrNot, I64EqStepLBr, I64EqStepLBrNot, I64EqStepIBr, I64EqStepIBrNot, I64EqStepLLBr, I64EqStepLLBrNot, I64EqStepLBrInc, I64EqStepLLBrAdd, u64, u64, |a: u64, b: u64| a == b)
            (I64NeLBr, I64NeLBrNot, I64NeImmBr, I64NeImmBrNot, I64NeLLBr, I64NeLLBrNot, I64NeLIBr, I64NeLIBrNot, I64NeStepLBr, I64NeStepLBrNot, I64NeStepIBr, I64NeStepIBrNot, I64NeStepLLBr, I64NeStepLLBrNot, I64NeStepLBrInc, I64NeStepLLBrAdd, u64, u64, |a: u64, b: u64| a != b)
            (I64LtSLBr, I64LtSLBrNot, I64LtSImmBr, I64LtSImmBrNot, I64LtSLLBr, I64LtSLLBrNot, I64LtSLIBr, I64LtSLIBrNot, I64LtSStepLBr, I64LtSStepLBrNot, I64LtSStepIBr, I64LtSStepIBrNot, I64LtSStepLLBr, I64LtSStepLLBrNot, I64LtSStepLBrInc, I64LtSStepLLBrAdd, i64, u64, |a: i64, b: i64| a < b)
            (I64LtULBr, I64LtULBrNot, I64LtUImmBr, I64LtUImmBrNot, I64LtULLBr, I64LtULLBrNot, I64LtULIBr, I64LtULIBrNot, I64LtUStepLBr, I64LtUStepLBrNot, I64LtUStepIBr, I64LtUStepIBrNot, I64LtUStepLLBr, I64LtUStepLLBrNot, I64LtUStepLBrInc, I64LtUStepLLBrAdd, u64, u64, |a: u64, b: u64| a < b)
            (I64GtSLBr, I64GtSLBrNot, I64GtSImmBr, I64GtSImmBrNot, I64GtSLLBr, I64GtSLLBrNot, I64GtSLIBr, I64GtSLIBrNot, I64GtSStepLBr, I64GtSStepLBrNot, I64GtSStepIBr, I64GtSStepIBrNot, I64GtSStepLLBr, I64GtSStepLLBrNot, I64GtSStepLBrInc, I64GtSStepLLBrAdd, i64, u64, |a: i64, b: i64| a > b)
            (I64GtULBr, I64GtULBrNot, I64GtUImmBr, I64GtUImmBrNot, I64GtULLBr, I64GtULLBrNot, I64GtULIBr, I64GtULIBrNot, I64GtUStepLBr, I64GtUStepLBrNot, I64GtUStepIBr, I64GtUStepIBrNot, I64GtUStepLLBr, I64GtUStepLLBrNot, I64GtUStepLBrInc, I64GtUStepLLBrAdd, u64, u64, |a: u64, b: u64| a > b)
            (I64LeSLBr, I64LeSLBrNot, I64LeSImmBr, I64LeSImmBrNot, I64LeSLLBr, I64LeSLLBrNot, I64LeSLIBr, I64LeSLIBrNot, I64LeSStepLBr, I64LeSStepLBrNot, I64LeSStepIBr, I64LeSStepIBrNot, I64LeSStepLLBr, I64LeSStepLLBrNot, I64LeSStepLBrInc, I64LeSStepLLBrAdd, i64, u64, |a: i64, b: i64| a <= b)
            (I64LeULBr, I64LeULBrNot, I64LeUImmBr, I64LeUImmBrNot, I64LeULLBr, I64LeULLBrNot, I64LeULIBr, I64LeULIBrNot, I64LeUStepLBr, I64LeUStepLBrNot, I64LeUStepIBr, I64LeUStepIBrNot, I64LeUStepLLBr, I64LeUStepLLBrNot, I64LeUStepLBrInc, I64LeUStepLLBrAdd, u64, u64, |a: u64, b: u64| a <= b)
            (I64GeSLBr, I64GeSLBrNot, I64GeSImmBr, I64GeSImmBrNot, I64GeSLLBr, I64GeSLLBrNot, I64GeSLIBr, I64GeSLIBrNot, I64GeSStepLBr, I64GeSStepLBrNot, I64GeSStepIBr, I64GeSStepIBrNot, I64GeSStepLLBr, I64GeSStepLLBrNot, I64GeSStepLBrInc, I64GeSStepLLBrAdd, i64, u64, |a: i64, b: i64| a >= b)
            (I64GeULBr, I64GeULBrNot, I64GeUImmBr, I64GeUImmBrNot, I64GeULLBr, I64GeULLBrNot, I64GeULIBr, I64GeULIBrNot, I64GeUStepLBr, I64GeUStepLBrNot, I64GeUStepIBr, I64GeUStepIBrNot, I64GeUStepLLBr, I64GeUStepLLBrNot, I64GeUStepLBrInc, I64GeUStepLLBrAdd, u64, u64, |a: u64, b: u64| a >= b)
        }
    };
}

/// Whether a constant's slot bits survive being kept in 32 bits (`widen_imm32` gives them
/// back), as fused forms with a 32-bit immediate keep them; a reader of `bytes` bytes (4 or
/// fewer) ignores the upper half, so for it any value does.
pub(crate) fn fits_imm32(value: u64, bytes: usize) -> bool {
    bytes <= 4 || widen_imm32(value as u32) == value
}

/// The slot bits of a constant kept in 32 bits: sign-extended.
#[inline(always)]
pub(crate) fn widen_imm32(value: u32) -> u64 {
    value as i32 as i64 as u64
}

macro_rules! define_isa_with_cmps {
    ($base:tt $binops:tt ; $( ($cmp:ident, $br:ident, $brnot:ident, $llbr:ident, $llbrnot:ident, $imm:ident, $immbr:ident, $immbrnot:ident,
                               $lbr:ident, $lbrnot:ident, $li:ident, $libr:ident, $librnot:ident, $mlbr:ident, $mlbrnot:ident, $ct:ty, $cf:expr) )*) => {
        for_each_fused_load!(define_isa_with_loads $base $binops
            { $( $br { target: u32 }, $brnot { target: u32 }, $llbr { a: u32, b: u32, target: u32 }, $llbrnot { a: u32, b: u32, target: u32 },
                 $imm { value: u64 }, $immbr { value: u64, target: u32 }, $immbrnot { value: u64, target: u32 },
                 $lbr { b: u32, target: u32 }, $lbrnot { b: u32, target: u32 }, $li { a: u32, value: u64 },
                 $libr { a: u32, value: u32, target: u32 }, $librnot { a: u32, value: u32, target: u32 }, )* });
    };
}

macro_rules! define_isa_with_loads {
    ($base:tt $binops:tt $cmps:tt ; $( ($load:ident, $local:ident, $localimm:ident, $addimm:ident, $set:ident, $localset:ident, $scaled:ident, $n:literal, $conv:expr) )*) => {
        for_each_fused_store!(define_isa_with_stores $base $binops $cmps
            { $( $local { index: u32, offset: u32 }, $localimm { index: u32, imm: u32, offset: u32 },
                 $addimm { imm: u32, offset: u32 }, $set { offset: u32, dst: u32 },
                 $localset { index: u32, offset: u32, dst: u32 }, $scaled { index: u32, shift: u8, imm: u32, offset: u32 }, )* });
    };
}

macro_rules! define_isa_with_stores {
    ($base:tt $binops:tt $cmps:tt $loads:tt ; $( ($store:ident, $at:ident, $atimm:ident, $ll:ident, $laimm:ident, $lalocal:ident, $n:literal, $bytes:expr) )*) => {
        for_each_fused_step!(define_isa_with_steps $base $binops $cmps $loads
            { $( $at { addr: u32, offset: u32 }, $atimm { addr: u32, offset: u32, value: u32 },
                 $ll { addr: u32, value: u32, offset: u32 }, $laimm { addr: u32, imm: u32, value: u32 },
                 $lalocal { addr: u32, imm: u32, value: u32 }, )* });
    };
}

macro_rules! define_isa_with_steps {
    ($base:tt $binops:tt $cmps:tt $loads:tt $stores:tt ; $( ($lbr:ident, $lbrnot:ident, $immbr:ident, $immbrnot:ident, $llbr:ident, $llbrnot:ident,
                                                            $libr:ident, $librnot:ident, $steplbr:ident, $steplbrnot:ident, $stepibr:ident, $stepibrnot:ident,
                                                            $stepllbr:ident, $stepllbrnot:ident, $stepinc:ident, $stepadd:ident, $t:ty, $ct:ty, $f:expr) )*) => {
        for_each_fused_div!(define_isa_with_divs $base $binops $cmps $loads $stores
            { $( $steplbr { local: u32, step: i16, b: u32, target: u32 }, $steplbrnot { local: u32, step: i16, b: u32, target: u32 },
                 $stepibr { local: u32, step: i16, bound: u32, target: u32 }, $stepibrnot { local: u32, step: i16, bound: u32, target: u32 },
                 $stepllbr { local: u16, by: u16, b: u16, target: u32 }, $stepllbrnot { local: u16, by: u16, b: u16, target: u32 },
                 $stepinc { local: u16, step: i16, b: u16, inc: u16, by: i16, target: u32 },
                 $stepadd { local: u16, by: u16, b: u16, x: u16, y: u16, target: u32 }, )* });
    };
}

macro_rules! define_isa_with_binops {
    ($base:tt ; $( ($op:ident, $ll:ident, $llset:ident, $set:ident, $imm:ident, $l:ident, $tee:ident, $li:ident, $ls:ident,
                    $lset:ident, $liset:ident, $lltee:ident, $immtee:ident, $immset:ident, $lstee:ident, $litee:ident, $t:ty, $f:expr) )*) => {
        for_each_fused_cmp!(define_isa_with_cmps $base
            { $( $ll { a: u32, b: u32 }, $llset { a: u32, b: u32, dst: u32 }, $set { dst: u32 }, $imm { value: u64 },
                 $l { b: u32 }, $tee { dst: u32 }, $li { a: u32, value: u64 }, $ls { a: u32 },
                 $lset { b: u32, dst: u32 }, $liset { a: u32, value: u32, dst: u32 }, $lltee { a: u32, b: u32, dst: u32 },
                 $immtee { value: u64, dst: u32 }, $immset { value: u64, dst: u32 },
                 $lstee { a: u32, dst: u32 }, $litee { a: u32, value: u32, dst: u32 }, )* });
    };
}

macro_rules! define_isa_with_divs {
    ($base:tt $binops:tt $cmps:tt $loads:tt $stores:tt $steps:tt ; $( ($op:ident, $ll:ident, $ls:ident, $tee:ident, $set:ident, $lltee:ident, $llset:ident, $t:ty, $f:path) )*) => {
        define_isa! { $base $binops
            cmps $cmps
            loads $loads
            stores $stores
            steps $steps
            divs { $( $ll { a: u32, b: u32 }, $ls { a: u32 }, $tee { dst: u32 }, $set { dst: u32 },
                      $lltee { a: u32, b: u32, dst: u32 }, $llset { a: u32, b: u32, dst: u32 }, )* }
        }
    };
}

macro_rules! define_isa {
    (
        {
        special { $( $(#[$sm:meta])* $sname:ident $({ $($sf:ident : $st:ty),* $(,)? })? ),* $(,)? }
        plain { $( $pname:ident ),* $(,)? }
        }
        { $( $bname:ident { $($bf:ident : $bt:ty),* } ),* $(,)? }
        cmps { $( $cname:ident { $($cf:ident : $ct:ty),* } ),* $(,)? }
        loads { $( $lname:ident { $($lf:ident : $lt:ty),* } ),* $(,)? }
        stores { $( $stname:ident { $($stf:ident : $stt:ty),* } ),* $(,)? }
        steps { $( $sfname:ident { $($sff:ident : $sft:ty),* } ),* $(,)? }
        divs { $( $dname:ident { $($df:ident : $dt:ty),* } ),* $(,)? }
    ) => {
        /// One instruction of wisp's internal bytecode.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub enum Instr {
            $( $(#[$sm])* $sname $({ $($sf: $st),* })?, )*
            $( $pname, )*
            $( $bname { $($bf: $bt),* }, )*
            $( $cname { $($cf: $ct),* }, )*
            $( $lname { $($lf: $lt),* }, )*
            $( $stname { $($stf: $stt),* }, )*
            $( $sfname { $($sff: $sft),* }, )*
            $( $dname { $($df: $dt),* }, )*
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

            /// The instruction's mnemonic, for disassembly and statistics.
            pub fn mnemonic(&self) -> &'static str {
                match self {
                    $( Instr::$sname { .. } => stringify!($sname), )*
                    $( Instr::$pname => stringify!($pname), )*
                    $( Instr::$bname { .. } => stringify!($bname), )*
                    $( Instr::$cname { .. } => stringify!($cname), )*
                    $( Instr::$lname { .. } => stringify!($lname), )*
                    $( Instr::$stname { .. } => stringify!($stname), )*
                    $( Instr::$sfname { .. } => stringify!($sfname), )*
                    $( Instr::$dname { .. } => stringify!($dname), )*
                }
            }
        }
    };
}

for_each_fused_binop!(define_isa_with_binops {
    special {
        /// Traps with `unreachable`.
        Unreachable,
        Br { target: u32 },
        BrAdjust { target: u32, drop: u32, keep: u32 },
        /// Pops an i32; branches when it is non-zero.
        BrIfNez { target: u32 },
        /// Pops an i32; branches when it is zero.
        BrIfEqz { target: u32 },
        BrIfNezAdjust { target: u32, drop: u32, keep: u32 },
        /// Pops an index; followed by `len + 1` [`Instr::BrTableTarget`] entries, the last the default.
        BrTable { len: u32 },
        /// `local.get index; br_table`: the index read from a local (Go's resume dispatch at
        /// function entry and loop headers). Followed by its entries as `BrTable`.
        BrTableLocal { index: u32, len: u32 },
        /// `BrTable` and `BrTableLocal` when some entry adjusts the stack (drop > 0); the plain
        /// forms are kept for tables whose entries all drop nothing, so their handlers carry no
        /// slot-moving code (which made them save registers on every dispatch).
        BrTableAdjust { len: u32 },
        BrTableLocalAdjust { index: u32, len: u32 },
        /// `I32LoadScaled` (offset 0) then `br_table` with no entry adjusting the stack: the
        /// index loaded from `(index << shift) + imm`. A C `switch` on a value read from an
        /// array (a bytecode interpreter's fetch and dispatch).
        BrTableLoadScaled { index: u32, shift: u8, imm: u32, len: u32 },
        /// A `br_table` entry (data, never executed).
        BrTableTarget { target: u32, drop: u32, keep: u32 },
        /// Moves the top `keep` slots to the frame base and returns to the caller.
        Return { keep: u32 },
        /// Calls a function defined in the same module (index among defined functions).
        Call { func: u32 },
        /// Calls through the instance's function index space (imports).
        CallImport { func: u32 },
        /// `type_id` is the engine-wide id of the expected signature.
        CallIndirect { type_id: u32, table: u32 },
        Drop,
        Select,
        LocalGet { index: u32 },
        LocalSet { index: u32 },
        LocalTee { index: u32 },
        GlobalGet { index: u32 },
        GlobalSet { index: u32 },
        Const32 { value: u32 },
        Const64 { value: u64 },
        I32Load { offset: u32 },
        I64Load { offset: u32 },
        F32Load { offset: u32 },
        F64Load { offset: u32 },
        I32Load8S { offset: u32 },
        I32Load8U { offset: u32 },
        I32Load16S { offset: u32 },
        I32Load16U { offset: u32 },
        I64Load8S { offset: u32 },
        I64Load8U { offset: u32 },
        I64Load16S { offset: u32 },
        I64Load16U { offset: u32 },
        I64Load32S { offset: u32 },
        I64Load32U { offset: u32 },
        I32Store { offset: u32 },
        I64Store { offset: u32 },
        F32Store { offset: u32 },
        F64Store { offset: u32 },
        I32Store8 { offset: u32 },
        I32Store16 { offset: u32 },
        I64Store8 { offset: u32 },
        I64Store16 { offset: u32 },
        I64Store32 { offset: u32 },
        MemorySize,
        MemoryGrow,
        MemoryInit { data: u32 },
        DataDrop { data: u32 },
        MemoryCopy,
        MemoryFill,
        TableGet { table: u32 },
        TableSet { table: u32 },
        TableSize { table: u32 },
        TableGrow { table: u32 },
        TableFill { table: u32 },
        TableCopy { dst: u32, src: u32 },
        TableInit { table: u32, elem: u32 },
        ElemDrop { elem: u32 },
        RefNull,
        RefIsNull,
        RefFunc { func: u32 },
        /// Fuel metering (only with `Config::consume_fuel`): charges `amount` Wasm operators,
        /// the length of the block it starts, or traps when the store has less fuel.
        ConsumeFuel { amount: u32 },
        /// Interruption (only with `Config::interruptible`): traps when the store's interrupt
        /// flag is set, clearing it.
        CheckInterrupt,

        // Superinstructions, each the fusion of a sequence measured frequent in Go and C code
        // (see crates/wisp/RATIONALE.md). The translator forms them at emission time and never
        // across a branch target.
        /// `local.get x; i32.add_imm c`: pushes `x + c` (wrapping, 32-bit). (`I32AddImm`, from
        /// `i32.const c; i32.add` and from Go's `i64.extend_i32_u; i64.const c; i64.add;
        /// i32.wrap_i64`, belongs to the fused binop family.)
        LocalGetAddImm { index: u32, value: u32 },
        /// Go's stack-pointer adjustment: `local.get x; i32.const c; i32.sub; local.tee x;
        /// global.set g` (with `delta = -c`).
        LocalAddImmTeeGlobal { index: u32, delta: u32, global: u32 },
        /// `global.get g; local.set x`.
        GlobalGetLocalSet { global: u32, index: u32 },
        /// `i32.const c; local.set x` (and `i64.const` when `c` fits in 32 bits, sign-extended
        /// in `LocalSetImm64`).
        LocalSetImm32 { index: u32, value: u32 },
        LocalSetImm64 { index: u32, value: u32 },
        /// `i64.eqz; br_if` inverted: branch when the i64 is zero / non-zero.
        BrIfI64Eqz { target: u32 },
        BrIfI64Nez { target: u32 },
        /// `local.get src; local.set dst`.
        LocalCopy { src: u32, dst: u32 },
        /// `local.get src; local.tee dst`: pushes local `src` and copies it to `dst`.
        LocalGetTee { src: u32, dst: u32 },
        /// A `br` whose target starts with `local.get index`, threaded: pushes the local and
        /// jumps past it (formed once all targets are known).
        LocalGetBr { index: u32, target: u32 },
        /// `local.get src; i32.add_imm c; local.tee dst`.
        LocalAddImmTee { src: u32, value: u32, dst: u32 },
        /// `local.get src; i32.add_imm c; local.set dst` (a counter step, or a pointer bump).
        LocalAddImmSet { src: u32, value: u32, dst: u32 },
        /// `local.get x; br_if`, taken when the local's i32 is non-zero / zero.
        BrIfLocalNez { index: u32, target: u32 },
        BrIfLocalEqz { index: u32, target: u32 },
        /// Go's check after a call: `global.get g; local.set x; br_if target` (reload the stack
        /// pointer, then branch on the unwind flag the callee returned).
        GlobalGetLocalSetBrIfNez { global: u32, index: u32, target: u32 },
        /// Go's jump to its resume dispatch: `i32.const c; local.set x; br target`.
        LocalSetImmBr { index: u32, value: u32, target: u32 },
        /// `local.get x; i64.extend_i32_u; i64.const c; i64.add`: Go's pointer arithmetic on
        /// its 32-bit stack pointer, as a 64-bit value.
        LocalGetExtendAddImm { index: u32, value: u64 },
        /// `i32.const c; call f`: Go passes a resume point of 0 on almost every call.
        CallImm { func: u32, value: u32 },
        /// Scaled-index additions, C's `base + i * 4` (shift amounts already taken modulo 32):
        /// `i32.const shift; i32.shl; i32.add` (`[a, b]` to `a + (b << shift)`),
        I32AddShlImm { shift: u32 },
        /// the same with the left operand read from local `a` (the translator's deferred
        /// `local.get`): `local.get a; <b>; i32.const shift; i32.shl; i32.add`,
        I32AddLShlImm { a: u32, shift: u32 },
        /// `local.get x; i32.const shift; i32.shl; i32.add`: the top plus `x << shift`,
        I32AddShlLI { x: u32, shift: u32 },
        /// and `local.get a; local.get x; i32.const shift; i32.shl; i32.add`: pushes
        /// `a + (x << shift)`.
        I32AddLShlL { a: u32, x: u32, shift: u32 },
        /// `i32.xor; i32.const c; i32.mul`: a step of FNV-style hashing, `(a ^ b) * c`,
        I32XorMulImm { value: u32 },
        /// and `local.get a; <b>; i32.xor; i32.const c; i32.mul`: `(a ^ b) * c` with `a` read
        /// from the local.
        I32XorLSMulImm { a: u32, value: u32 },
        /// `local.get b; i32.mul; i32.add`: a multiply-accumulate, `acc + x * b` for `[acc, x]`.
        I32MulLAdd { b: u32 },
        /// `local.get index; i32.const imm; i32.add; i32.load16_s; local.get b; i32.mul;
        /// i32.add`: the same multiply-accumulate with `x` loaded as an int16 from `index + imm`
        /// (wrapping at 32 bits, offset 0): fixed-point dot products (CoreMark's matrix phase).
        I32Load16SAtMulLAdd { index: u32, imm: u32, b: u32 },
        /// `local.get a; i32.const k; i32.shl; i32.const 0; i32.lt_s` (0 < k < 32): pushes bit
        /// `31 - k` of local `a` (clang's test of one bit, as in CRC steps),
        I32BitL { a: u32, bit: u32 },
        /// and `i32.const k; i32.shl; i32.const 0; i32.lt_s`: bit `31 - k` of the top.
        I32Bit { bit: u32 },
        /// `local.get index; i32.const imm; i32.add; i32.load8_u; br_if`, taken when the byte
        /// at `index + imm` (wrapping at 32 bits) is non-zero / zero: testing a byte flag or a
        /// string's terminator. (`imm` is 0 for a plain `local.get`.)
        I32Load8UAtBrNez { index: u32, imm: u32, target: u32 },
        I32Load8UAtBrEqz { index: u32, imm: u32, target: u32 },
        /// Two `LocalCopy`s in a row (locals below 65536): `d1 = s1`, then `d2 = s2`. Register
        /// shuffles at the end of unrolled loop bodies (sha256's working variables).
        LocalCopy2 { s1: u16, d1: u16, s2: u16, d2: u16 },
        /// `select; local.tee dst` and `select; local.set dst` (branchless choices kept in a
        /// local: CRC steps, min/max).
        SelectTee { dst: u32 },
        SelectSet { dst: u32 },
    }
    plain {
        Nop,
        I32Eqz, I32Eq, I32Ne, I32LtS, I32LtU, I32GtS, I32GtU, I32LeS, I32LeU, I32GeS, I32GeU,
        I64Eqz, I64Eq, I64Ne, I64LtS, I64LtU, I64GtS, I64GtU, I64LeS, I64LeU, I64GeS, I64GeU,
        F32Eq, F32Ne, F32Lt, F32Gt, F32Le, F32Ge,
        F64Eq, F64Ne, F64Lt, F64Gt, F64Le, F64Ge,
        I32Clz, I32Ctz, I32Popcnt, I32Add, I32Sub, I32Mul, I32DivS, I32DivU, I32RemS, I32RemU,
        I32And, I32Or, I32Xor, I32Shl, I32ShrS, I32ShrU, I32Rotl, I32Rotr,
        I64Clz, I64Ctz, I64Popcnt, I64Add, I64Sub, I64Mul, I64DivS, I64DivU, I64RemS, I64RemU,
        I64And, I64Or, I64Xor, I64Shl, I64ShrS, I64ShrU, I64Rotl, I64Rotr,
        F32Abs, F32Neg, F32Ceil, F32Floor, F32Trunc, F32Nearest, F32Sqrt,
        F32Add, F32Sub, F32Mul, F32Div, F32Min, F32Max, F32Copysign,
        F64Abs, F64Neg, F64Ceil, F64Floor, F64Trunc, F64Nearest, F64Sqrt,
        F64Add, F64Sub, F64Mul, F64Div, F64Min, F64Max, F64Copysign,
        I32WrapI64, I32TruncF32S, I32TruncF32U, I32TruncF64S, I32TruncF64U,
        I64ExtendI32S, I64ExtendI32U, I64TruncF32S, I64TruncF32U, I64TruncF64S, I64TruncF64U,
        F32ConvertI32S, F32ConvertI32U, F32ConvertI64S, F32ConvertI64U, F32DemoteF64,
        F64ConvertI32S, F64ConvertI32U, F64ConvertI64S, F64ConvertI64U, F64PromoteF32,
        I32ReinterpretF32, I64ReinterpretF64, F32ReinterpretI32, F64ReinterpretI64,
        I32Extend8S, I32Extend16S, I64Extend8S, I64Extend16S, I64Extend32S,
        I32TruncSatF32S, I32TruncSatF32U, I32TruncSatF64S, I32TruncSatF64U,
        I64TruncSatF32S, I64TruncSatF32U, I64TruncSatF64S, I64TruncSatF64U,
    }
});

#[cfg(test)]
mod tests {
    #[test]
    fn instr_is_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<super::Instr>(), 16);
    }
}
