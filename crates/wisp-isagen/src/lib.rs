//! The description of wisp's internal instruction set, and the generator that turns it into
//! `crates/wisp/src/isa/generated.rs`.
//!
//! The instruction set is a product of named axes, not a list of names:
//!
//! - **operator**: every numeric Wasm operator, taken from the decoder's opcode table
//!   (`wisp_decoder::for_each_operator!`), with its signature;
//! - **operand kind**, for each input: `S` (popped from the value stack), `L` (read from a
//!   local), `I` (an immediate in the instruction);
//! - **destination**: `S` (pushed), `L` (written to a local: a `local.set`/`local.tee` after the
//!   operator), and for comparisons and tests `Br`/`BrNot` (a `br_if` or `if` consuming the
//!   result: branch when it is true / false);
//! - for memory access, the address's kind (`S`, `L`, `I`: an absolute address; `A`, `X`, `E`,
//!   `F`: address arithmetic the access does itself, see `K`), the value's kind
//!   for stores, and the memory row (`MEMORY_ROWS`: memory 0 with 32-bit addresses, with every
//!   address kind; any memory by index with 32-bit addresses; any memory with 64-bit ones).
//!
//! A few facts about operators prune the product: a commutative operator needs no `LS` form
//! (its operands are swapped), a comparison's `LS` form is its mirror's `SL` (`a < b` is
//! `b > a`), an integer comparison needs no `BrNot` form (its inverse branches when it is true),
//! and a form whose fields do not fit the 16-byte instruction keeps its immediate in 32 bits
//! (sign-extended) or does not exist. Last, the forms no code of a corpus uses are left out by
//! name (`UNUSED`: data, measured by `benches/examples/form_usage.rs`). The translator falls
//! back to a form with fewer non-stack operands whenever the one it wants does not exist, so
//! every operator needs only its `SS` form to be complete.
//!
//! Everything else the translator and the executor need about an instruction is generated
//! here too: the `Instr` enum and its names, the selection of a form from operand kinds
//! (`Bin::form`, `Un::form`, `Load::form`, `Store::form`), the facts (commutative, mirror,
//! inverse, constant folding through the same semantic functions the handlers call, branch
//! targets), every generated form's handler for both dispatch backends, and the table of forms
//! the coverage test walks. Each Wasm operator's meaning is written once, as a function in
//! `crates/wisp/src/exec/ops.rs` named after its text name (`i32.lt_s` is `ops::i32_lt_s`).
//!
//! Instructions that are not numeric operators (control, calls, locals, globals, tables, bulk
//! memory) are listed in `SPECIAL` with their fields; their handlers are written by hand in
//! `crates/wisp/src/exec/handlers.rs`, and a missing one fails to compile.

use std::fmt::Write;
use std::path::PathBuf;

/// Where the generated code goes.
pub fn output_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../wisp/src/isa/generated.rs")
}

/// One operator of the decoder's table: its name, signature tokens and text name.
struct WasmOp {
    name: &'static str,
    sig: Vec<&'static str>,
    text: &'static str,
    /// A SIMD operator (fixed-width or relaxed): stack forms only (`simd_forms`).
    simd: bool,
}

macro_rules! collect_ops {
    ($( $proposal:ident $code:literal $name:ident { $($field:ident : $ty:ty = $read:ident),* } [$($sig:tt)*] $text:literal )*) => {
        vec![ $( (stringify!($proposal), stringify!($name), stringify!($($sig)*), $text) ),* ]
    };
}

/// The proposals whose operators get generated forms: the table's rows of the others (typed
/// function references, exceptions) are translated into hand-written special instructions.
const EXECUTED_PROPOSALS: &[&str] =
    &["mvp", "sign_ext", "sat", "bulk", "ref", "tail_call", "wide", "simd", "relaxed_simd"];

fn wasm_ops() -> Vec<WasmOp> {
    let raw: Vec<(&'static str, &'static str, &'static str, &'static str)> =
        wisp_decoder::for_each_operator!(collect_ops);
    raw.into_iter()
        .filter(|(proposal, ..)| EXECUTED_PROPOSALS.contains(proposal))
        .map(|(proposal, name, sig, text)| WasmOp {
            name,
            sig: sig.split_whitespace().collect(),
            text,
            simd: proposal.ends_with("simd"),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The description: facts about operators that their signatures do not carry.
// ---------------------------------------------------------------------------------------------

/// Operators whose operands may be swapped.
const COMMUTATIVE: &[&str] = &[
    "I32Add", "I32Mul", "I32And", "I32Or", "I32Xor", "I32Eq", "I32Ne", "I64Add", "I64Mul", "I64And", "I64Or", "I64Xor",
    "I64Eq", "I64Ne", "F32Eq", "F32Ne", "F64Eq", "F64Ne",
];

/// Comparisons and their mirror: `a op b` is `b mirror a`.
const MIRROR: &[(&str, &str)] = &[
    ("I32LtS", "I32GtS"),
    ("I32LtU", "I32GtU"),
    ("I32LeS", "I32GeS"),
    ("I32LeU", "I32GeU"),
    ("I64LtS", "I64GtS"),
    ("I64LtU", "I64GtU"),
    ("I64LeS", "I64GeS"),
    ("I64LeU", "I64GeU"),
    ("F32Lt", "F32Gt"),
    ("F32Le", "F32Ge"),
    ("F64Lt", "F64Gt"),
    ("F64Le", "F64Ge"),
];

/// Comparisons and their inverse: `!(a op b)` is `a inverse b` (not so for the float orderings,
/// where NaN makes both false).
const INVERSE: &[(&str, &str)] = &[
    ("I32Eq", "I32Ne"),
    ("I32LtS", "I32GeS"),
    ("I32LtU", "I32GeU"),
    ("I32GtS", "I32LeS"),
    ("I32GtU", "I32LeU"),
    ("I64Eq", "I64Ne"),
    ("I64LtS", "I64GeS"),
    ("I64LtU", "I64GeU"),
    ("I64GtS", "I64LeS"),
    ("I64GtU", "I64LeU"),
    // `!(a == b)` is `a != b` for floats too (NaN makes `==` false and `!=` true).
    ("F32Eq", "F32Ne"),
    ("F64Eq", "F64Ne"),
];

/// Subtractions that are additions of the negated constant (`x - c` is `x + (-c)`).
const SUB_AS_ADD: &[(&str, &str)] = &[("I32Sub", "I32Add"), ("I64Sub", "I64Add")];

/// Non-commutative operators without a left-local (`LS`) form: a local left operand over a
/// computed right one is rare for them (the operand goes to the stack instead).
const NO_LEFT_LOCAL: &[&str] =
    &["F32Min", "F32Max", "F32Copysign", "F64Min", "F64Max", "F64Copysign", "I32Rotl", "I32Rotr", "I64Rotl", "I64Rotr"];

/// Unary operators with a local-to-local form (the integer widenings: a counter or index kept
/// as i32 and used as i64).
const LOCAL_TO_LOCAL: &[&str] = &["I64ExtendI32U", "I64ExtendI32S"];

/// Forms the axes give that no code in the corpus uses: the C and Go fixtures and every module
/// of the wasm-v2 spec suite, translated (`benches/examples/form_usage.rs`, 2026-12-05). They
/// are left out so that the forms that are used pay for no larger enum; the translator falls
/// back to a form with fewer non-stack operands for them. (Kept although unused there: the forms
/// `exec/handlers.rs` and `tests/translate.rs` name, `I32Popcnt_S_Set`, `I32GtS_SL_Br`,
/// `I32DivS_LL_Set`, `I32DivU_SL_Set`, `I32RemU_LS`.)
const UNUSED: &[&str] = &[
    "I32Load_E_Set",
    "I32Load_F_Set",
    "I64Load_X",
    "I64Load_E",
    "I64Load_E_Set",
    "I64Load_F_Set",
    "F32Load_X",
    "F32Load_E",
    "F32Load_E_Set",
    "F32Load_F",
    "F32Load_F_Set",
    "F64Load_E",
    "F64Load_E_Set",
    "F64Load_F",
    "F64Load_F_Set",
    "I32Load8S_S_Set",
    "I32Load8S_A",
    "I32Load8S_X",
    "I32Load8S_E",
    "I32Load8S_E_Set",
    "I32Load8S_F",
    "I32Load8S_F_Set",
    "I32Load8U_A_Set",
    "I32Load8U_X",
    "I32Load8U_E",
    "I32Load8U_E_Set",
    "I32Load8U_F",
    "I32Load8U_F_Set",
    "I32Load16S_S_Set",
    "I32Load16S_X",
    "I32Load16S_E",
    "I32Load16S_E_Set",
    "I32Load16S_F",
    "I32Load16S_F_Set",
    "I32Load16U_A_Set",
    "I32Load16U_X",
    "I32Load16U_E",
    "I32Load16U_E_Set",
    "I32Load16U_F",
    "I32Load16U_F_Set",
    "I64Load8S_A",
    "I64Load8S_A_Set",
    "I64Load8S_X",
    "I64Load8S_E",
    "I64Load8S_E_Set",
    "I64Load8S_F",
    "I64Load8S_F_Set",
    "I64Load8U_X",
    "I64Load8U_E",
    "I64Load8U_E_Set",
    "I64Load8U_F",
    "I64Load8U_F_Set",
    "I64Load16S_A",
    "I64Load16S_A_Set",
    "I64Load16S_X",
    "I64Load16S_E",
    "I64Load16S_E_Set",
    "I64Load16S_F",
    "I64Load16S_F_Set",
    "I64Load16U_X",
    "I64Load16U_E",
    "I64Load16U_E_Set",
    "I64Load16U_F",
    "I64Load16U_F_Set",
    "I64Load32S_X",
    "I64Load32S_E",
    "I64Load32S_E_Set",
    "I64Load32S_F",
    "I64Load32S_F_Set",
    "I64Load32U_X",
    "I64Load32U_E",
    "I64Load32U_E_Set",
    "I64Load32U_F",
    "I64Load32U_F_Set",
    "I32Store_EL",
    "I32Store_EI",
    "I32Store_FS",
    "I64Store_ES",
    "I64Store_EL",
    "I64Store_EI",
    "I64Store_FS",
    "I64Store_FL",
    "I64Store_FI",
    "F32Store_LI",
    "F32Store_IS",
    "F32Store_ES",
    "F32Store_EL",
    "F32Store_EI",
    "F32Store_FS",
    "F32Store_FL",
    "F32Store_FI",
    "F64Store_ES",
    "F64Store_EL",
    "F64Store_EI",
    "F64Store_FS",
    "F64Store_FL",
    "F64Store_FI",
    "I32Store8_ES",
    "I32Store8_EL",
    "I32Store8_EI",
    "I32Store8_FS",
    "I32Store8_FL",
    "I32Store8_FI",
    "I32Store16_SI",
    "I32Store16_AL",
    "I32Store16_AI",
    "I32Store16_ES",
    "I32Store16_EL",
    "I32Store16_EI",
    "I32Store16_FS",
    "I32Store16_FL",
    "I32Store16_FI",
    "I64Store8_ES",
    "I64Store8_EL",
    "I64Store8_EI",
    "I64Store8_FS",
    "I64Store8_FL",
    "I64Store8_FI",
    "I64Store16_IS",
    "I64Store16_ES",
    "I64Store16_EL",
    "I64Store16_EI",
    "I64Store16_FS",
    "I64Store16_FL",
    "I64Store16_FI",
    "I64Store32_ES",
    "I64Store32_EL",
    "I64Store32_EI",
    "I64Store32_FS",
    "I64Store32_FL",
    "I64Store32_FI",
    "I32Eqz_S_Set",
    "I32Eq_LL_Set",
    "I32Ne_LL_Set",
    "I32LtS_SS_Br",
    "I32LtS_LL_Set",
    "I32LtU_SS_Br",
    "I32GtS_SS_Br",
    "I32LeS_SS_Br",
    "I32LeS_SL",
    "I32LeS_SI_Br",
    "I32LeS_LL_Set",
    "I32LeS_LI_Set",
    "I32LeU_SI_Br",
    "I32LeU_LI",
    "I32LeU_LI_Set",
    "I32GeS_SS_Br",
    "I32GeS_SL",
    "I32GeS_SL_Br",
    "I32GeS_LI",
    "I32GeS_LI_Set",
    "I32GeU_SS_Br",
    "I32GeU_SL",
    "I32GeU_SI",
    "I32GeU_LL_Set",
    "I32GeU_LI_Set",
    "I64GtS_LL_Set",
    "I64GtU_LL_Set",
    "I64LeS_LL_Set",
    "I64LeU_SL",
    "I64GeS_LL_Set",
    "I64GeU_LL_Set",
    "F32Eq_SL_Br",
    "F32Ne_SL",
    "F32Ne_SL_Br",
    "F32Lt_SS_Br",
    "F32Lt_SS_BrNot",
    "F32Lt_SL_Br",
    "F32Lt_SL_BrNot",
    "F32Lt_SI_Br",
    "F32Lt_SI_BrNot",
    "F32Lt_LL_Br",
    "F32Gt_SS_Br",
    "F32Gt_SS_BrNot",
    "F32Gt_SL",
    "F32Gt_SL_Br",
    "F32Gt_SL_BrNot",
    "F32Gt_SI_BrNot",
    "F32Gt_LL_Br",
    "F32Gt_LI_Br",
    "F32Le_SS_Br",
    "F32Le_SS_BrNot",
    "F32Le_SL_Br",
    "F32Le_SL_BrNot",
    "F32Le_SI_Br",
    "F32Le_SI_BrNot",
    "F32Le_LL_Br",
    "F32Le_LI_Br",
    "F32Ge_SS_Br",
    "F32Ge_SS_BrNot",
    "F32Ge_SL",
    "F32Ge_SL_Br",
    "F32Ge_SL_BrNot",
    "F32Ge_SI_Br",
    "F32Ge_SI_BrNot",
    "F32Ge_LL_Br",
    "F32Ge_LI_Br",
    "F64Ne_SS_Br",
    "F64Ne_SL",
    "F64Ne_SL_Br",
    "F64Lt_SS_Br",
    "F64Lt_SS_BrNot",
    "F64Lt_SL_Br",
    "F64Lt_SL_BrNot",
    "F64Lt_SI_Br",
    "F64Lt_LL_Br",
    "F64Lt_LI_Br",
    "F64Gt_SS_Br",
    "F64Gt_SS_BrNot",
    "F64Gt_SL_Br",
    "F64Gt_SL_BrNot",
    "F64Gt_LL_Br",
    "F64Gt_LI_Br",
    "F64Le_SS_Br",
    "F64Le_SS_BrNot",
    "F64Le_SL_Br",
    "F64Le_SL_BrNot",
    "F64Le_SI_Br",
    "F64Le_SI_BrNot",
    "F64Le_LL_Br",
    "F64Le_LI_Br",
    "F64Ge_SS_Br",
    "F64Ge_SS_BrNot",
    "F64Ge_SL",
    "F64Ge_SL_Br",
    "F64Ge_SL_BrNot",
    "F64Ge_SI_Br",
    "F64Ge_SI_BrNot",
    "F64Ge_LL_Br",
    "F64Ge_LI_Br",
    "I32Clz_S_Set",
    "I32Mul_SS_Set",
    "I32DivS_SS_Set",
    "I32DivS_SL",
    "I32DivS_SL_Set",
    "I32DivS_SI_Set",
    "I32DivS_LS",
    "I32DivS_LS_Set",
    "I32DivU_SS_Set",
    "I32DivU_SL",
    "I32DivU_SI_Set",
    "I32RemS_SS_Set",
    "I32RemS_SL",
    "I32RemS_SL_Set",
    "I32RemS_SI_Set",
    "I32RemS_LS",
    "I32RemS_LS_Set",
    "I32RemS_LL_Set",
    "I32RemS_LI_Set",
    "I32RemU_SS_Set",
    "I32RemU_SL",
    "I32RemU_SL_Set",
    "I32RemU_SI",
    "I32RemU_SI_Set",
    "I32RemU_LS_Set",
    "I32RemU_LL_Set",
    "I32RemU_LI_Set",
    "I32Shl_SS_Set",
    "I32ShrS_SS_Set",
    "I32ShrS_SL",
    "I32ShrS_SL_Set",
    "I32ShrS_SI_Set",
    "I32ShrS_LS",
    "I32ShrS_LS_Set",
    "I32ShrS_LL_Set",
    "I32ShrU_SS_Set",
    "I32ShrU_SL",
    "I32ShrU_LS_Set",
    "I32Rotl_SI_Set",
    "I32Rotl_LI_Set",
    "I32Rotr_SS_Set",
    "I32Rotr_SL",
    "I32Rotr_SL_Set",
    "I32Rotr_SI",
    "I32Rotr_SI_Set",
    "I32Rotr_LL_Set",
    "I32Rotr_LI",
    "I32Rotr_LI_Set",
    "I64DivS_SS_Set",
    "I64DivS_SL",
    "I64DivS_SL_Set",
    "I64DivS_SI_Set",
    "I64DivS_LS",
    "I64DivS_LS_Set",
    "I64DivS_LI_Set",
    "I64DivU_LS_Set",
    "I64RemS_SS_Set",
    "I64RemS_SL_Set",
    "I64RemS_SI",
    "I64RemS_SI_Set",
    "I64RemS_LS",
    "I64RemS_LS_Set",
    "I64RemS_LI_Set",
    "I64RemU_SS_Set",
    "I64RemU_SI",
    "I64RemU_SI_Set",
    "I64RemU_LS_Set",
    "I64RemU_LI_Set",
    "I64Shl_LS_Set",
    "I64ShrS_SL_Set",
    "I64ShrS_LS",
    "I64ShrS_LS_Set",
    "I64ShrS_LL_Set",
    "I64Rotr_SS_Set",
    "I64Rotr_SL",
    "I64Rotr_SL_Set",
    "I64Rotr_SI",
    "I64Rotr_SI_Set",
    "I64Rotr_LL_Set",
    "I64Rotr_LI",
    "I64Rotr_LI_Set",
    "F32Abs_S_Set",
    "F32Ceil_S_Set",
    "F32Floor_S_Set",
    "F32Trunc_S_Set",
    "F32Nearest_S_Set",
    "F32Sqrt_S_Set",
    "F32Add_SS_Set",
    "F32Add_SL_Set",
    "F32Add_SI_Set",
    "F32Sub_SS_Set",
    "F32Sub_SI_Set",
    "F32Sub_LS_Set",
    "F32Sub_LL_Set",
    "F32Mul_SS_Set",
    "F32Mul_SL_Set",
    "F32Mul_SI_Set",
    "F32Mul_LS_Set",
    "F32Div_SL_Set",
    "F32Div_SI",
    "F32Div_SI_Set",
    "F32Div_LS_Set",
    "F32Div_LI_Set",
    "F32Min_SS_Set",
    "F32Min_SL",
    "F32Min_SL_Set",
    "F32Min_SI",
    "F32Min_SI_Set",
    "F32Min_LL_Set",
    "F32Min_LI",
    "F32Min_LI_Set",
    "F32Max_SS_Set",
    "F32Max_SL",
    "F32Max_SL_Set",
    "F32Max_SI",
    "F32Max_SI_Set",
    "F32Max_LL_Set",
    "F32Max_LI",
    "F32Max_LI_Set",
    "F32Copysign_SS_Set",
    "F32Copysign_SL",
    "F32Copysign_SL_Set",
    "F32Copysign_SI",
    "F32Copysign_SI_Set",
    "F32Copysign_LL_Set",
    "F32Copysign_LI",
    "F32Copysign_LI_Set",
    "F64Ceil_S_Set",
    "F64Floor_S_Set",
    "F64Trunc_S_Set",
    "F64Nearest_S_Set",
    "F64Sub_LI_Set",
    "F64Mul_LS_Set",
    "F64Min_SS_Set",
    "F64Min_SL",
    "F64Min_SL_Set",
    "F64Min_SI",
    "F64Min_SI_Set",
    "F64Min_LL_Set",
    "F64Min_LI",
    "F64Min_LI_Set",
    "F64Max_SS_Set",
    "F64Max_SL",
    "F64Max_SL_Set",
    "F64Max_SI",
    "F64Max_SI_Set",
    "F64Max_LL_Set",
    "F64Max_LI",
    "F64Max_LI_Set",
    "F64Copysign_SS_Set",
    "F64Copysign_SL",
    "F64Copysign_SL_Set",
    "F64Copysign_SI",
    "F64Copysign_SI_Set",
    "F64Copysign_LL_Set",
    "F64Copysign_LI",
    "F64Copysign_LI_Set",
    "I32TruncF32S_S_Set",
    "I32TruncF32U_S_Set",
    "I32TruncF64S_S_Set",
    "I32TruncF64U_S_Set",
    "I64ExtendI32S_L_Set",
    "I64TruncF32S_S_Set",
    "I64TruncF32U_S_Set",
    "I64TruncF64S_S_Set",
    "I64TruncF64U_S_Set",
    "F32ConvertI32U_S_Set",
    "F32ConvertI64S_S_Set",
    "F64ConvertI32U_S_Set",
    "I32Extend8S_S_Set",
    "I32Extend16S_S_Set",
    "I32TruncSatF32S_S_Set",
    "I32TruncSatF32U_S_Set",
    "I32TruncSatF64S_S_Set",
    "I32TruncSatF64U_S_Set",
    "I64TruncSatF32S_S_Set",
    "I64TruncSatF32U_S_Set",
    "I32Eq_StepLL_Br",
    "I32Ne_StepLL_Br",
    "I32LtS_StepI_Br",
    "I32GtS_StepL_Br",
    "I32GtS_StepI_Br",
    "I32GtS_StepLL_Br",
    "I32GtU_StepL_Br",
    "I32LeS_StepL_Br",
    "I32LeS_StepI_Br",
    "I32LeS_StepLL_Br",
    "I32LeU_StepI_Br",
    "I32LeU_StepLL_Br",
    "I32GeS_StepL_Br",
    "I32GeS_StepI_Br",
    "I32GeS_StepLL_Br",
    "I32GeU_StepI_Br",
    "I32GeU_StepLL_Br",
    "I64Eq_StepL_Br",
    "I64Eq_StepI_Br",
    "I64Eq_StepLL_Br",
    "I64Ne_StepLL_Br",
    "I64LtS_StepL_Br",
    "I64GtS_StepL_Br",
    "I64GtS_StepI_Br",
    "I64GtS_StepLL_Br",
    "I64GtU_StepL_Br",
    "I64GtU_StepI_Br",
    "I64GtU_StepLL_Br",
    "I64LeS_StepL_Br",
    "I64LeS_StepI_Br",
    "I64LeS_StepLL_Br",
    "I64LeU_StepI_Br",
    "I64LeU_StepLL_Br",
    "I64GeS_StepL_Br",
    "I64GeS_StepLL_Br",
    "I64GeU_StepI_Br",
    // `c + a * b` (`MUL_ADD`): kind combinations no module of the corpus produces (2026-12-05).
    "F32AddMul_LLI",
    "F32AddMul_LLI_Set",
    "F32AddMul_LLL_Set",
    "F32AddMul_LLS",
    "F32AddMul_LLS_Set",
    "F32AddMul_LSI",
    "F32AddMul_LSI_Set",
    "F32AddMul_LSL",
    "F32AddMul_LSL_Set",
    "F32AddMul_LSS",
    "F32AddMul_LSS_Set",
    "F32AddMul_SLI",
    "F32AddMul_SLI_Set",
    "F32AddMul_SLL_Set",
    "F32AddMul_SLS",
    "F32AddMul_SLS_Set",
    "F32AddMul_SSI",
    "F32AddMul_SSI_Set",
    "F32AddMul_SSL",
    "F32AddMul_SSL_Set",
    "F32AddMul_SSS",
    "F32AddMul_SSS_Set",
    "F32SubMul_LLI",
    "F32SubMul_LLI_Set",
    "F32SubMul_LLL_Set",
    "F32SubMul_LLS",
    "F32SubMul_LLS_Set",
    "F32SubMul_LSI",
    "F32SubMul_LSI_Set",
    "F32SubMul_LSL",
    "F32SubMul_LSL_Set",
    "F32SubMul_LSS",
    "F32SubMul_LSS_Set",
    "F32SubMul_SLI",
    "F32SubMul_SLI_Set",
    "F32SubMul_SLL_Set",
    "F32SubMul_SLS",
    "F32SubMul_SLS_Set",
    "F32SubMul_SSI",
    "F32SubMul_SSI_Set",
    "F32SubMul_SSL",
    "F32SubMul_SSL_Set",
    "F32SubMul_SSS",
    "F32SubMul_SSS_Set",
    "F64AddMul_LLI",
    "F64AddMul_LLL_Set",
    "F64AddMul_LLS",
    "F64AddMul_LSI_Set",
    "F64AddMul_SLL_Set",
    "F64AddMul_SLS_Set",
    "F64AddMul_SSI_Set",
    "F64SubMul_LLI",
    "F64SubMul_LLI_Set",
    "F64SubMul_LLS",
    "F64SubMul_LLS_Set",
    "F64SubMul_LSI",
    "F64SubMul_LSI_Set",
    "F64SubMul_LSL",
    "F64SubMul_LSL_Set",
    "F64SubMul_SLL_Set",
    "F64SubMul_SLS_Set",
    "F64SubMul_SSI",
    "F64SubMul_SSI_Set",
    "F64SubMul_SSL",
    "F64SubMul_SSL_Set",
    "F64SubMul_SSS",
    "I32AddMul_LLL_Set",
    "I32AddMul_LSL",
    "I32AddMul_LSL_Set",
    "I32AddMul_LSS",
    "I32AddMul_LSS_Set",
    "I32AddMul_SLL",
    "I32AddMul_SLL_Set",
    "I32AddMul_SSL_Set",
    "I32AddMul_SSS",
    "I32AddMul_SSS_Set",
    "I32SubMul_LLL",
    "I32SubMul_LSI_Set",
    "I32SubMul_LSL",
    "I32SubMul_LSL_Set",
    "I32SubMul_LSS",
    "I32SubMul_LSS_Set",
    "I32SubMul_SLI_Set",
    "I32SubMul_SLL",
    "I32SubMul_SLL_Set",
    "I32SubMul_SSI",
    "I32SubMul_SSI_Set",
    "I32SubMul_SSL",
    "I32SubMul_SSL_Set",
    "I32SubMul_SSS",
    "I32SubMul_SSS_Set",
    "I64AddMul_LSS",
    "I64AddMul_SSL",
    "I64SubMul_LSL",
    "I64SubMul_LSS",
    "I64SubMul_LSS_Set",
    "I64SubMul_SLL",
    "I64SubMul_SLL_Set",
    "I64SubMul_SSL",
    "I64SubMul_SSL_Set",
    "I64SubMul_SSS",
    // Go's conditional jumps (`Goto`/`GotoNot`) no fixture uses (`form_usage` over `fixtures/`,
    // 2026-12-06): the 32-bit comparisons, the float orderings.
    "I32Eq_SS_Goto",
    "I32Eq_SL_Goto",
    "I32Eq_SI_Goto",
    "I32Eq_LL_Goto",
    "I32Eq_LI_Goto",
    "I32Ne_SS_Goto",
    "I32Ne_SL_Goto",
    "I32Ne_SI_Goto",
    "I32Ne_LL_Goto",
    "I32Ne_LI_Goto",
    "I32LtS_SS_Goto",
    "I32LtS_SL_Goto",
    "I32LtS_SI_Goto",
    "I32LtS_LL_Goto",
    "I32LtS_LI_Goto",
    "I32LtU_SS_Goto",
    "I32LtU_SL_Goto",
    "I32LtU_SI_Goto",
    "I32LtU_LL_Goto",
    "I32GtS_SS_Goto",
    "I32GtS_SL_Goto",
    "I32GtS_SI_Goto",
    "I32GtS_LL_Goto",
    "I32GtS_LI_Goto",
    "I32GtU_SS_Goto",
    "I32GtU_SL_Goto",
    "I32GtU_SI_Goto",
    "I32GtU_LL_Goto",
    "I32LeS_SS_Goto",
    "I32LeS_SL_Goto",
    "I32LeS_SI_Goto",
    "I32LeS_LL_Goto",
    "I32LeU_SS_Goto",
    "I32LeU_SL_Goto",
    "I32LeU_SI_Goto",
    "I32LeU_LL_Goto",
    "I32LeU_LI_Goto",
    "I32GeS_SS_Goto",
    "I32GeS_SL_Goto",
    "I32GeS_SI_Goto",
    "I32GeS_LL_Goto",
    "I32GeS_LI_Goto",
    "I32GeU_SS_Goto",
    "I32GeU_SL_Goto",
    "I32GeU_SI_Goto",
    "I32GeU_LL_Goto",
    "I32GeU_LI_Goto",
    "F32Eq_SL_Goto",
    "F32Eq_SI_Goto",
    "F32Ne_SL_Goto",
    "F32Ne_SI_Goto",
    "F32Ne_LL_Goto",
    "F32Ne_LI_Goto",
    "F64Eq_SS_Goto",
    "F64Eq_SL_Goto",
    "F64Ne_SL_Goto",
    // `c op (a shift k)` (`SHIFTED`): kind combinations no module of the corpus produces (2026-12-07).
    "I32AddShl_SS",
    "I32AddShl_SS_Set",
    "I32AddShrS_LL",
    "I32AddShrS_LL_Set",
    "I32AddShrS_LS",
    "I32AddShrS_LS_Set",
    "I32AddShrS_SL",
    "I32AddShrS_SL_Set",
    "I32AddShrS_SS",
    "I32AddShrS_SS_Set",
    "I32AddShrU_LL",
    "I32AddShrU_LL_Set",
    "I32AddShrU_LS",
    "I32AddShrU_LS_Set",
    "I32AddShrU_SL",
    "I32AddShrU_SL_Set",
    "I32AddShrU_SS_Set",
    "I32AndShl_LL",
    "I32AndShl_LL_Set",
    "I32AndShl_LS",
    "I32AndShl_LS_Set",
    "I32AndShl_SL",
    "I32AndShl_SL_Set",
    "I32AndShl_SS",
    "I32AndShl_SS_Set",
    "I32AndShrS_LL",
    "I32AndShrS_LL_Set",
    "I32AndShrS_LS",
    "I32AndShrS_LS_Set",
    "I32AndShrS_SL",
    "I32AndShrS_SL_Set",
    "I32AndShrS_SS",
    "I32AndShrS_SS_Set",
    "I32AndShrU_LL",
    "I32AndShrU_LL_Set",
    "I32AndShrU_LS",
    "I32AndShrU_LS_Set",
    "I32AndShrU_SL",
    "I32AndShrU_SL_Set",
    "I32AndShrU_SS",
    "I32AndShrU_SS_Set",
    "I32OrShl_LL",
    "I32OrShl_LL_Set",
    "I32OrShl_LS",
    "I32OrShl_LS_Set",
    "I32OrShl_SS_Set",
    "I32OrShrS_LL",
    "I32OrShrS_LL_Set",
    "I32OrShrS_LS",
    "I32OrShrS_LS_Set",
    "I32OrShrS_SL",
    "I32OrShrS_SL_Set",
    "I32OrShrS_SS",
    "I32OrShrS_SS_Set",
    "I32OrShrU_LL",
    "I32OrShrU_LL_Set",
    "I32OrShrU_LS",
    "I32OrShrU_LS_Set",
    "I32OrShrU_SS",
    "I32OrShrU_SS_Set",
    "I32XorShl_LL",
    "I32XorShl_LS",
    "I32XorShl_SS",
    "I32XorShl_SS_Set",
    "I32XorShrS_LL",
    "I32XorShrS_LL_Set",
    "I32XorShrS_LS",
    "I32XorShrS_LS_Set",
    "I32XorShrS_SL",
    "I32XorShrS_SL_Set",
    "I32XorShrS_SS",
    "I32XorShrS_SS_Set",
    "I32XorShrU_LS",
    "I32XorShrU_LS_Set",
    "I32XorShrU_SS",
    "I32XorShrU_SS_Set",
    "I64AddShrS_SL",
    "I64AddShrS_SL_Set",
    "I64AddShrS_SS",
    "I64AndShl_LL",
    "I64AndShl_LL_Set",
    "I64AndShl_LS",
    "I64AndShl_LS_Set",
    "I64AndShrU_LL",
    "I64AndShrU_LL_Set",
    "I64AndShrU_LS",
    "I64AndShrU_LS_Set",
    "I64AndShrU_SL",
    "I64AndShrU_SL_Set",
    "I64AndShrU_SS",
    "I64AndShrU_SS_Set",
    "I64OrShrS_LL",
    "I64OrShrS_LL_Set",
    "I64OrShrS_LS",
    "I64OrShrS_LS_Set",
    "I64OrShrS_SL",
    "I64OrShrS_SL_Set",
    "I64OrShrS_SS",
    "I64OrShrS_SS_Set",
    "I64OrShrU_LL",
    "I64OrShrU_LL_Set",
    "I64OrShrU_LS",
    "I64OrShrU_LS_Set",
    "I64OrShrU_SS",
    "I64OrShrU_SS_Set",
    "I64XorShl_LL",
    "I64XorShl_LS",
    "I64XorShl_SL",
    "I64XorShl_SL_Set",
    "I64XorShl_SS",
    "I64XorShl_SS_Set",
    "I64XorShrS_LL",
    "I64XorShrS_LL_Set",
    "I64XorShrS_LS",
    "I64XorShrS_LS_Set",
    "I64XorShrS_SL_Set",
    "I64XorShrS_SS",
    "I64XorShrS_SS_Set",
    "I64XorShrU_SS_Set",
];

/// A product added to or subtracted from a value, `c + a * b` and `c - a * b` (the multiply's
/// result the right operand of the add or sub): the inner step of dot products, matrix
/// products and eliminations, an index `i * n + j`, a remainder `a - q * d`, a linear
/// congruential step. Floats are kept exact, two roundings as Wasm requires (no fused
/// multiply-add): the form computes the same two operations in the same order as the operators
/// it replaces, one dispatch instead of two. `(add or sub, mul)`.
const MUL_ADD: &[(&str, &str)] = &[
    ("I32Add", "I32Mul"),
    ("I32Sub", "I32Mul"),
    ("I64Add", "I64Mul"),
    ("I64Sub", "I64Mul"),
    ("F32Add", "F32Mul"),
    ("F32Sub", "F32Mul"),
    ("F64Add", "F64Mul"),
    ("F64Sub", "F64Mul"),
];

/// A shifted operand: `c op (a shift k)` with `k` a constant, `op` commutative (so the shifted
/// value may be either operand). What ARM offers every ALU instruction: a byte assembled into
/// a word (`b | x << 8`), a hash's mixing step (`h ^ h >> 29`), an address scaled and added
/// (`base + i << 3`), half of a rotation written with shifts. `(op, shift)`.
const SHIFTED: &[(&str, &str)] = &[
    ("I32Add", "I32Shl"),
    ("I32Add", "I32ShrU"),
    ("I32Add", "I32ShrS"),
    ("I32And", "I32Shl"),
    ("I32And", "I32ShrU"),
    ("I32And", "I32ShrS"),
    ("I32Or", "I32Shl"),
    ("I32Or", "I32ShrU"),
    ("I32Or", "I32ShrS"),
    ("I32Xor", "I32Shl"),
    ("I32Xor", "I32ShrU"),
    ("I32Xor", "I32ShrS"),
    ("I64Add", "I64Shl"),
    ("I64Add", "I64ShrU"),
    ("I64Add", "I64ShrS"),
    ("I64And", "I64Shl"),
    ("I64And", "I64ShrU"),
    ("I64And", "I64ShrS"),
    ("I64Or", "I64Shl"),
    ("I64Or", "I64ShrU"),
    ("I64Or", "I64ShrS"),
    ("I64Xor", "I64Shl"),
    ("I64Xor", "I64ShrU"),
    ("I64Xor", "I64ShrS"),
];

/// Operators whose semantic function returns `Result<_, TrapCode>`.
const TRAPS: &[&str] = &[
    "I32DivS",
    "I32DivU",
    "I32RemS",
    "I32RemU",
    "I64DivS",
    "I64DivU",
    "I64RemS",
    "I64RemU",
    "I32TruncF32S",
    "I32TruncF32U",
    "I32TruncF64S",
    "I32TruncF64U",
    "I64TruncF32S",
    "I64TruncF32U",
    "I64TruncF64S",
    "I64TruncF64U",
];

/// Operators that compute nothing on wisp's untyped slots (see `exec::ops::Slot`): the
/// translator emits no instruction for them.
const FREE: &[&str] =
    &["I32WrapI64", "I32ReinterpretF32", "I64ReinterpretF64", "F32ReinterpretI32", "F64ReinterpretI64"];

/// Wide arithmetic's operand kinds (the operators with two results, always pushed). A 128-bit
/// operand's halves share a kind: `add128`/`sub128` take their right operand from the stack or
/// two locals, or both operands from locals (a bignum's limbs kept in locals); `mul_wide_*`
/// commute, so they have no left-local form.
const WIDE_KINDS: &[&[K]] = &[
    &[K::S, K::S, K::S, K::S],
    &[K::S, K::S, K::L, K::L],
    &[K::L, K::L, K::L, K::L],
    &[K::S, K::S],
    &[K::S, K::L],
    &[K::S, K::I],
    &[K::L, K::L],
    &[K::L, K::I],
];

/// Unary tests whose result a branch may consume (`Br`/`BrNot` destinations).
const TESTS: &[&str] = &["I32Eqz", "I64Eqz"];

/// Loop latches, an idiom over the selector: `local.get c; const step; add; local.tee c;
/// (local.get b | const bound); cmp; br_if` for every integer comparison (the counter stepped
/// by a 16-bit constant, locals below 65536: every function's are, the decoder allows 50,000).
/// `if` and `eqz` select the inverse comparison, so only branch-when-true forms exist.
/// `(step kind, bound kind)`: a constant step with a local or constant bound, or a local step
/// (`c = c + by`, sieve's `j += i`) with a local bound.
const LATCH_KINDS: &[(&str, &str)] = &[("I", "L"), ("I", "I"), ("L", "L")];

/// A memory-access row: which memories its forms reach and how their address is read.
struct MemRow {
    /// Added to the operator's name (`I32LoadMem64_S`).
    suffix: &'static str,
    /// Fields after the operands' (the memory index, the offset).
    fields: &'static [Field],
    /// Whether the address is an i64 (memory64).
    addr64: bool,
}

/// The memory-access rows. Memory 0 with 32-bit addresses, the only one Wasm 2.0 has, carries
/// neither a memory index nor a width in its names or fields and has every address kind; the
/// rows of multi-memory (`Mem`: any memory with 32-bit addresses, by index) and memory64
/// (`Mem64`: any memory with 64-bit addresses and offsets) take their address and value from
/// the stack only (the translator materializes other operands), which keeps the forms few and
/// the first row's handlers as they were.
const MEMORY_ROWS: &[MemRow] = &[
    MemRow { suffix: "", fields: &[("offset", "u32")], addr64: false },
    MemRow { suffix: "Mem", fields: &[("memory", "u32"), ("offset", "u32")], addr64: false },
    MemRow { suffix: "Mem64", fields: &[("memory", "u32"), ("offset", "u64")], addr64: true },
];

/// Instructions that are not forms of a numeric operator: `(name, fields, doc)`. Their handlers
/// are written by hand (`exec/handlers.rs`).
/// A field of an instruction: name and Rust type.
type Field = (&'static str, &'static str);

const SPECIAL: &[(&str, &[Field], &str)] = &[
    ("Unreachable", &[], "Traps with `unreachable`."),
    ("Br", &[("target", "u32")], "Jumps to `target`."),
    ("BrAdjust", &[("target", "u32"), ("drop", "u32"), ("keep", "u32")], "Keeps the top `keep` slots, discards the `drop` below them, jumps."),
    ("BrNezAdjust", &[("target", "u32"), ("drop", "u32"), ("keep", "u32")], "Pops an i32; when it is non-zero, `BrAdjust`."),
    ("BrTable", &[("len", "u32")], "Pops an index; followed by `len + 1` `BrTableTarget` entries, the last the default; no entry adjusts the stack."),
    ("BrTableLocal", &[("index", "u32"), ("len", "u32")], "`BrTable` with the index read from a local (Go's resume dispatch)."),
    ("BrTableAdjust", &[("len", "u32")], "`BrTable` where some entry adjusts the stack."),
    ("BrTableLocalAdjust", &[("index", "u32"), ("len", "u32")], "`BrTableLocal` where some entry adjusts the stack."),
    ("BrTableLoadScaled", &[("index", "u16"), ("shift", "u16"), ("imm", "u32"), ("len", "u32")], "Idiom: `br_table` on the i32 loaded from a scaled index (`(index << shift) + imm`, offset 0), no entry adjusting the stack: a C `switch` on an array element, a bytecode interpreter's fetch and dispatch."),
    ("BrTableTarget", &[("target", "u32"), ("drop", "u32"), ("keep", "u32")], "A `br_table` entry (data, never executed)."),
    ("BrToTableLoadScaled", &[("target", "u32")], "Jump threading: a `br` to a `BrTableLoadScaled` (a case of a C `switch` in a loop, going back to its fetch and dispatch) runs that table's dispatch itself, read from `target`, one dispatch fewer per case."),
    ("BrToTableLocal", &[("target", "u32")], "Jump threading: a `br` to a `BrTableLocal` (a `switch` on a local in a loop, a state machine) runs that table's dispatch itself, read from `target`."),
    ("Return", &[("keep", "u32")], "Moves the top `keep` slots to the frame base and returns to the caller."),
    ("Call", &[("func", "u32")], "Calls a function defined in the same module (index among defined functions)."),
    ("ReturnCall", &[("func", "u32")], "`return_call` of a function defined in the same module: the callee's frame replaces the caller's (its arguments moved to the frame base)."),
    ("ReturnCallImport", &[("func", "u32")], "`return_call` through the instance's function index space: a Wasm callee replaces the caller's frame; a host function is called, and the `Return` the translator puts after this instruction returns its results."),
    ("ReturnCallIndirect", &[("type_id", "u32"), ("table", "u32")], "`return_call_indirect`: `CallIndirect`'s checks, then `ReturnCallImport`'s call (also followed by a `Return`)."),
    ("CallRef", &[], "`call_ref`: pops a function reference; traps when it is null, else calls its function as `CallImport` does (the signature was validated)."),
    ("ReturnCallRef", &[], "`return_call_ref`: `CallRef`'s check, then `ReturnCallImport`'s call (also followed by a `Return`)."),
    ("CallImport", &[("func", "u32")], "Calls through the instance's function index space (imports)."),
    ("CallIndirect", &[("type_id", "u32"), ("table", "u32")], "`type_id` is the engine-wide id of the expected signature."),
    ("Drop", &[], "Pops a slot."),
    ("LocalGet", &[("index", "u32")], "Pushes a local (the translator's materialization of a `local.get`)."),
    ("LocalSet", &[("index", "u32")], "Pops into a local."),
    ("LocalCopy", &[("src", "u32"), ("dst", "u32")], "`local.get src; local.set dst`."),
    ("LocalCopy2", &[("src", "u16"), ("dst", "u16"), ("src2", "u16"), ("dst2", "u16")], "`local.get src; local.set dst; local.get src2; local.set dst2`, in that order (the moves of loop-carried values at a loop's back edge)."),
    ("LocalSetImm", &[("index", "u32"), ("value", "u64")], "A constant's slot bits into a local."),
    ("LocalInsert", &[("index", "u32"), ("depth", "u32")], "Pushes a local below the top `depth` slots (a deferred `local.get` whose value must be kept before the local changes, or before a call or branch reads it)."),
    ("ConstInsert", &[("value", "u64"), ("depth", "u32")], "`LocalInsert` for a constant."),
    ("GlobalGet", &[("index", "u32")], "Pushes a global."),
    ("GlobalGetSet", &[("index", "u32"), ("dst", "u32")], "`global.get index; local.set dst`."),
    ("GlobalSet", &[("index", "u32")], "Pops into a global."),
    ("GlobalSetLocal", &[("index", "u32"), ("src", "u32")], "`local.get src; global.set index`."),
    ("GlobalSetImm", &[("index", "u32"), ("value", "u64")], "A constant's slot bits into a global."),
    ("Const32", &[("value", "u32")], "Pushes a 32-bit constant (zero-extended)."),
    ("Const64", &[("value", "u64")], "Pushes a 64-bit constant."),
    ("MemorySize", &[], "Pushes memory 0's size in pages."),
    ("MemoryGrow", &[], "Grows memory 0 by the popped number of pages; pushes the old size or -1."),
    ("MemoryInit", &[("data", "u32")], "`memory.init` of memory 0."),
    ("DataDrop", &[("data", "u32")], "`data.drop`."),
    ("MemoryCopy", &[], "`memory.copy` within memory 0."),
    ("MemoryFill", &[], "`memory.fill` of memory 0."),
    ("MemorySizeAt", &[("memory", "u32")], "`memory.size` of any memory but a 32-bit memory 0 with 64 KiB pages: the size in the memory's own pages (an i64 for a 64-bit memory)."),
    ("MemoryGrowAt", &[("memory", "u32")], "`memory.grow` of any memory but a 32-bit memory 0 with 64 KiB pages (the delta and result i64 for a 64-bit memory)."),
    ("MemoryInitAt", &[("memory", "u32"), ("data", "u32")], "`memory.init` of any memory but a 32-bit memory 0."),
    ("MemoryCopyAt", &[("dst", "u32"), ("src", "u32")], "`memory.copy` between any two memories (or within one) but within a 32-bit memory 0."),
    ("MemoryFillAt", &[("memory", "u32")], "`memory.fill` of any memory but a 32-bit memory 0."),
    ("TableIndex64", &[], "Saturates the i64 table index on top of the stack at `u32::MAX` (no table holds that many elements), so a `call_indirect` through a 64-bit table reads it as the 32-bit tables' index."),
    ("TableGet", &[("table", "u32")], "`table.get`."),
    ("TableSet", &[("table", "u32")], "`table.set`."),
    ("TableSize", &[("table", "u32")], "`table.size`."),
    ("TableGrow", &[("table", "u32")], "`table.grow`."),
    ("TableFill", &[("table", "u32")], "`table.fill`."),
    ("TableCopy", &[("dst", "u32"), ("src", "u32")], "`table.copy`."),
    ("TableInit", &[("table", "u32"), ("elem", "u32")], "`table.init`."),
    ("ElemDrop", &[("elem", "u32")], "`elem.drop`."),
    ("RefIsNull", &[], "`ref.is_null`."),
    ("RefAsNonNull", &[], "`ref.as_non_null`: traps when the reference on top of the stack is null."),
    ("BrOnNull", &[("target", "u32"), ("drop", "u32"), ("keep", "u32")], "`br_on_null`: when the reference on top is null, pops it and `BrAdjust`s; otherwise leaves it."),
    ("BrOnNonNull", &[("target", "u32"), ("drop", "u32"), ("keep", "u32")], "`br_on_non_null`: when the reference on top is not null, `BrAdjust` (the reference the last slot kept); otherwise pops it."),
    ("RefFunc", &[("func", "u32")], "Pushes a reference to function `func` of the instance."),
    ("SelectV128", &[], "`select` of two `v128`s (two slots each) by the condition on top."),
    ("GlobalGetV128", &[("index", "u32")], "Pushes a `v128` global (its two halves)."),
    ("GlobalSetV128", &[("index", "u32")], "Pops a `v128` into a global."),
    ("LocalGetV128", &[("index", "u32")], "Pushes a `v128` local (slots `index` and `index + 1`): one instruction for what would be two `LocalGet`s."),
    ("LocalSetV128", &[("index", "u32")], "Pops a `v128` into a local (slots `index` and `index + 1`)."),
    ("Throw", &[("tag", "u32")], "`throw`: pops the tag's values into a new exception and unwinds to the innermost handler that catches it (the functions' handler tables, searched outside the loop)."),
    ("ThrowRef", &[], "`throw_ref`: pops an `exnref` and throws that exception again; traps on null."),
    // Idioms: sequences of several Wasm operators kept as one instruction, each for a measured
    // gain recorded in crates/wisp/RATIONALE.md (the translator's `idioms` layer).
    ("SpAdjust", &[("local", "u32"), ("imm", "u32"), ("global", "u32")], "Go's stack-pointer adjustment: `local.get l; i32.const c; i32.add (or sub); local.tee l; global.set g`: `l = l + imm` (32-bit), then `g = l`."),
    ("CallImm", &[("func", "u32"), ("value", "u32")], "`i32.const value; call func` (Go passes a constant resume point on almost every call)."),
    ("GoCall", &[("local", "u16"), ("global", "u16"), ("func", "u32"), ("ret", "u32")], "Go's call: `SpAdjust` by -8 of `local` and `global`, the return address `ret` stored there as an i64, then `CallImm` of `func` at resume point 0 (the callee's only parameter)."),
    ("GlobalGetSetBrNez", &[("global", "u32"), ("dst", "u32"), ("target", "u32")], "Go's check after a call: `global.get g; local.set dst; br_if target` with the condition (the callee's unwind flag) popped."),
    ("I64CopyLL", &[("src", "u16"), ("dst", "u16"), ("src_offset", "u32"), ("dst_offset", "u32")], "A word copied: `local.get dst; local.get src; i64.load src_offset; i64.store dst_offset` (Go's copies between frames and objects)."),
    ("I64CopyLA", &[("src", "u16"), ("dst", "u16"), ("add", "u32"), ("src_offset", "u32")], "A word copied to a local plus a constant (added with wrap-around, store offset 0): `local.get dst; i32.const add; i32.add; local.get src; i64.load src_offset; i64.store`."),
    ("StackGuardBr", &[("local", "u16"), ("global", "u16"), ("offset", "u32"), ("target", "u32")], "Go's stack check at a function's entry: `local.get local; global.get global; i32.wrap_i64; i32.load offset; i32.le_u; if` (the `if` calls `morestack`): jumps to `target`, past the `if`'s body, when the local is above the i32 loaded from the global plus `offset` (unsigned)."),
    ("I64LoadZeroBr", &[("addr", "u32"), ("offset", "u32"), ("target", "u32")], "`local.get addr; i64.load offset; i64.eqz; br_if target` (Go's test of a pointer or word in memory against zero): jumps when the i64 loaded is zero."),
    ("I64LoadNonZeroBr", &[("addr", "u32"), ("offset", "u32"), ("target", "u32")], "`I64LoadZeroBr` the other way: jumps when the i64 loaded is not zero (the same test taken by an `if`, or negated)."),
    ("ReturnImm", &[("value", "u32")], "Go's return: `i32.const value; return` from a function with one result (its unwind flag), the constant written to the frame base."),
    ("SpAdjustReturnImm", &[("local", "u16"), ("global", "u16"), ("imm", "u32"), ("value", "u32")], "Go's return: `SpAdjust` of `local` by `imm` with `global` set to the result, then `ReturnImm` of `value` (the local, gone with the frame, is not written)."),
    ("LocalSetImmBr", &[("index", "u32"), ("value", "u32"), ("target", "u32")], "Go's jump to its resume dispatch: `i32.const value; local.set index; br target` (the target threaded through a `BrTableLocal` of the same local once targets are known)."),
    ("ConsumeFuel", &[("amount", "u32")], "Fuel metering (only with `Config::consume_fuel`): charges `amount` Wasm operators, the length of the block it starts, or traps when the store has less fuel."),
    ("TooLarge", &[], "The whole code of a function whose translation could not be addressed (a body of hundreds of megabytes): traps with `FunctionTooLarge` at its first call."),
    ("CheckInterrupt", &[], "Interruption (only with `Config::interruptible`): traps when the store's interrupt flag is set, clearing it."),
];

/// Placement. The threaded backend's handlers are laid out in the order of `Instr`'s variants
/// (with fat LTO the linker takes them in the order of `threaded::lower`'s table, which is the
/// variants' order), so the enum lists the instructions a program runs in its loops first and
/// the rest after them: where a new cold handler joins, the hot ones keep their addresses
/// relative to each other. Hot: every special instruction but those below, the scalar forms
/// and memory 0's loads and stores with 32-bit addresses, the latches and `select` forms.
/// Cold: the special instructions named here, the loads and stores of the other memory rows
/// (`Mem`, `Mem64`), and SIMD. Measured in crates/wisp/RATIONALE.md ("An order of its own").
/// Without LTO the order is by symbol name within a module, so the handlers also come in two
/// blocks that the threaded backend puts in modules `hot` and `cold` ("Handler placement
/// without LTO"); `exec/handlers.rs` lists the hand-written ones named here in its cold block.
const COLD: &[&str] = &[
    "Unreachable",
    "CallRef",
    "ReturnCallRef",
    "MemorySize",
    "MemoryGrow",
    "MemoryInit",
    "DataDrop",
    "MemorySizeAt",
    "MemoryGrowAt",
    "MemoryInitAt",
    "MemoryCopyAt",
    "MemoryFillAt",
    "TableIndex64",
    "TableGet",
    "TableSet",
    "TableSize",
    "TableGrow",
    "TableFill",
    "TableCopy",
    "TableInit",
    "ElemDrop",
    "RefAsNonNull",
    "BrOnNull",
    "BrOnNonNull",
    "RefFunc",
    "SelectV128",
    "GlobalGetV128",
    "GlobalSetV128",
    "Throw",
    "ThrowRef",
    "TooLarge",
];

// ---------------------------------------------------------------------------------------------
// The axes.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum K {
    S,
    L,
    I,
    /// An address that is a local plus a 32-bit constant, added with wrap-around before the
    /// offset applies (the "offset form" of an address that a constant offset cannot express).
    A,
    /// A scaled index: a local shifted left by a constant, plus a 32-bit constant (an element
    /// of an array at a fixed address: C's globals, a bytecode interpreter's tables).
    X,
    /// An element: a base from the stack plus a local index shifted left by a constant (C's
    /// `p[i]` with `p` computed, a stack array at a frame offset).
    E,
    /// An element whose base is a local: a local plus a local index shifted left by a constant.
    F,
}

impl K {
    fn letter(self) -> char {
        match self {
            K::S => 'S',
            K::L => 'L',
            K::I => 'I',
            K::A => 'A',
            K::X => 'X',
            K::E => 'E',
            K::F => 'F',
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum D {
    S,
    L,
    Br,
    BrNot,
    /// Go's `if cond { goto block }`: when the result is true (`Goto`) or false (`GotoNot`),
    /// local `index` is set to `state` and the branch taken (`GOTO_TESTS`).
    Goto,
    GotoNot,
}

impl D {
    fn suffix(self) -> &'static str {
        match self {
            D::S => "",
            D::L => "_Set",
            D::Br => "_Br",
            D::BrNot => "_BrNot",
            D::Goto => "_Goto",
            D::GotoNot => "_GotoNot",
        }
    }
    fn name(self) -> &'static str {
        match self {
            D::S => "S",
            D::L => "L",
            D::Br => "Br",
            D::BrNot => "BrNot",
            D::Goto => "Goto",
            D::GotoNot => "GotoNot",
        }
    }
}

/// Which family a form belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Family {
    Binary,
    Compare,
    Unary,
    Load,
    Store,
    /// `c + a * b` / `c - a * b` (`MUL_ADD`).
    MulAdd,
    /// Wide arithmetic: two results, low half first (`WIDE_KINDS`).
    Wide,
    /// `c op (a shift k)`, a shifted operand (`SHIFTED`).
    Shifted,
}

/// One generated instruction.
struct Form {
    name: String,
    op: &'static str,
    text: &'static str,
    family: Family,
    kinds: Vec<K>,
    dst: D,
    fields: Vec<(&'static str, &'static str)>,
    /// For memory access: bytes accessed.
    width: u32,
    /// The immediate field's type, when the form has one (`u32`, `u64` or `i32`).
    imm: Option<&'static str>,
    traps: bool,
    /// For memory access: the index of its row in `MEMORY_ROWS` (0 for every other form).
    row: usize,
    /// For a shifted operand, the shift: its operator's name and text name (`("I64ShrU",
    /// "i64.shr_u")`); empty for every other form.
    inner: (&'static str, &'static str),
}

/// Whether the fields fit beside a 2-byte tag in a 16-byte, 8-aligned instruction (rustc
/// places small fields in the bytes after the tag; `isa`'s size test checks the result).
fn fits(fields: &[(&str, &str)]) -> bool {
    let size = |t: &str| match t {
        "u64" => 8,
        "u16" | "i16" => 2,
        _ => 4,
    };
    let wide = fields.iter().filter(|f| f.1 == "u64").count();
    let words = fields.iter().filter(|f| size(f.1) == 4).count();
    let halves = fields.iter().filter(|f| size(f.1) == 2).count();
    match wide {
        // Bytes 2..8 beside the u64: one u32 (at 4) and one u16 (at 2), or up to three u16.
        0 => words <= 3 && 2 * halves + 4 * words <= 14,
        1 => words <= 1 && 2 * halves + 4 * words <= 6,
        _ => false,
    }
}

fn val_bits(ty: &str) -> u32 {
    match ty {
        "i32" | "f32" => 32,
        _ => 64,
    }
}

fn is_int(ty: &str) -> bool {
    ty.starts_with('i')
}

/// Fields for `kinds`/`dst`: locals as `u32` (or `u16` when that is what fits: every
/// function's locals are below 65536, the decoder allows 50,000), the immediate as wide as
/// `bits` needs, or narrowed to a sign-extended `i32` when `narrowable` and no choice of local
/// width leaves room for it; `None` when nothing fits.
fn layout(
    names: &[(&'static str, &'static str)],
    kinds: &[K],
    dst: D,
    bits: u32,
    narrowable: bool,
    prefix: &[(&'static str, &'static str)],
) -> Option<(Vec<Field>, Option<&'static str>)> {
    let build = |local: &'static str, imm: &'static str| {
        let mut f: Vec<(&'static str, &'static str)> = Vec::new();
        for (k, (lname, immname)) in kinds.iter().zip(names) {
            match k {
                K::S => {}
                K::L => f.push((lname, local)),
                K::I => f.push((immname, if *immname == "ptr" { "u32" } else { imm })),
                K::A => {
                    f.push((lname, local));
                    f.push(("add", "u32"));
                }
                K::X => {
                    f.push((lname, local));
                    f.push(("shift", "u16"));
                    f.push(("add", "u32"));
                }
                K::E => {
                    f.push(("index", local));
                    f.push(("shift", "u16"));
                }
                K::F => {
                    f.push((lname, local));
                    f.push(("index", local));
                    f.push(("shift", "u16"));
                }
            }
        }
        f.extend_from_slice(prefix);
        match dst {
            D::S => {}
            D::L => f.push(("dst", local)),
            D::Br | D::BrNot => f.push(("target", "u32")),
            D::Goto | D::GotoNot => {
                f.push(("index", local));
                f.push(("state", "u16"));
                f.push(("target", "u32"));
            }
        }
        f
    };
    let has_imm = kinds.iter().zip(names).any(|(k, n)| *k == K::I && n.1 != "ptr");
    let wide = if bits == 64 { "u64" } else { "u32" };
    let mut imms = vec![wide];
    if bits == 64 && narrowable && has_imm {
        imms.push("i32");
    }
    // A 64-bit immediate in full, with the locals as `u16` if that is what makes room, before
    // one narrowed to `i32`: a constant that does not survive the narrowing otherwise costs a
    // push of its own (`I64Add_LI_Set` of `1 << 32`, `I64AddMul_LLI` of an LCG multiplier).
    for &imm in &imms {
        for local in ["u32", "u16"] {
            let f = build(local, imm);
            if fits(&f) {
                return Some((f, has_imm.then_some(imm)));
            }
        }
    }
    None
}

fn kinds_name(kinds: &[K]) -> String {
    kinds.iter().map(|k| k.letter()).collect()
}

fn forms(ops: &[WasmOp]) -> Vec<Form> {
    let mut out = Vec::new();
    for op in ops {
        let sig = &op.sig;
        let name = op.name;
        if FREE.contains(&name) || op.simd {
            continue;
        }
        let traps = TRAPS.contains(&name);
        // Memory access.
        if sig.first() == Some(&"load") || sig.first() == Some(&"store") {
            let ty = sig[1];
            let after = op.text.split(".load").nth(1).or_else(|| op.text.split(".store").nth(1)).unwrap_or("");
            let width = match after.trim_start_matches(|c: char| !c.is_ascii_digit()).split('_').next().unwrap_or("") {
                "8" => 1,
                "16" => 2,
                "32" => 4,
                _ => val_bits(ty) / 8,
            };
            let load = sig[0] == "load";
            for (row_index, row) in MEMORY_ROWS.iter().enumerate() {
                let first = row_index == 0;
                let addr_kinds: &[K] = if first { &[K::S, K::L, K::I, K::A, K::X, K::E, K::F] } else { &[K::S] };
                let dsts: &[D] = if first { &[D::S, D::L] } else { &[D::S] };
                let values: &[K] = if first { &[K::S, K::L, K::I] } else { &[K::S] };
                if load {
                    for &a in addr_kinds {
                        for &d in dsts {
                            // A scaled index is loaded onto the stack only.
                            if a == K::X && d == D::L {
                                continue;
                            }
                            let Some((fields, imm)) = layout(&[("addr", "ptr")], &[a], d, 32, false, row.fields) else {
                                continue;
                            };
                            out.push(Form {
                                name: format!("{name}{}_{}{}", row.suffix, kinds_name(&[a]), d.suffix()),
                                op: name,
                                text: op.text,
                                family: Family::Load,
                                kinds: vec![a],
                                dst: d,
                                fields,
                                width,
                                imm,
                                traps: true,
                                row: row_index,
                                inner: ("", ""),
                            });
                        }
                    }
                } else {
                    for &a in addr_kinds {
                        if a == K::X {
                            continue;
                        }
                        for &v in values {
                            // The translator forms a local-plus-constant address only when the
                            // store's value is a local or a constant right after it.
                            if a == K::A && v == K::S {
                                continue;
                            }
                            let bits = if width == 8 { 64 } else { 32 };
                            let Some((fields, imm)) =
                                layout(&[("addr", "ptr"), ("value", "imm")], &[a, v], D::S, bits, true, row.fields)
                            else {
                                continue;
                            };
                            out.push(Form {
                                name: format!("{name}{}_{}", row.suffix, kinds_name(&[a, v])),
                                op: name,
                                text: op.text,
                                family: Family::Store,
                                kinds: vec![a, v],
                                dst: D::S,
                                fields,
                                width,
                                imm,
                                traps: true,
                                row: row_index,
                                inner: ("", ""),
                            });
                        }
                    }
                }
            }
            continue;
        }
        let Some(arrow) = sig.iter().position(|s| *s == "->") else { continue };
        let (params, results) = (&sig[..arrow], &sig[arrow + 1..]);
        if results.len() == 2 {
            for kinds in WIDE_KINDS.iter().filter(|k| k.len() == params.len()) {
                let (fields, imm) =
                    layout(wide_roles(params.len()), kinds, D::S, 64, true, &[]).expect("wide forms fit");
                out.push(Form {
                    name: format!("{name}_{}", kinds_name(kinds)),
                    op: name,
                    text: op.text,
                    family: Family::Wide,
                    kinds: kinds.to_vec(),
                    dst: D::S,
                    fields,
                    width: 0,
                    imm,
                    traps,
                    row: 0,
                    inner: ("", ""),
                });
            }
            continue;
        }
        if results.len() != 1 || params.is_empty() || params.len() > 2 {
            continue;
        }
        let ty = params[0];
        if params.len() == 2 {
            let cmp =
                results[0] == "i32" && ["Eq", "Ne", "Lt", "Gt", "Le", "Ge"].iter().any(|c| name[3..].starts_with(c));
            let comm = COMMUTATIVE.contains(&name);
            let mut kinds: Vec<[K; 2]> =
                vec![[K::S, K::S], [K::S, K::L], [K::S, K::I], [K::L, K::S], [K::L, K::L], [K::L, K::I]];
            if comm || cmp || NO_LEFT_LOCAL.contains(&name) {
                kinds.retain(|k| *k != [K::L, K::S]);
            }
            // `x - c` is always selected as `x + (-c)`.
            if SUB_AS_ADD.iter().any(|(sub, _)| *sub == name) {
                kinds.retain(|k| k[1] != K::I);
            }
            let dsts: Vec<D> = if cmp {
                if INVERSE.iter().any(|(a, b)| *a == name || *b == name) {
                    vec![D::S, D::L, D::Br, D::Goto]
                } else {
                    vec![D::S, D::L, D::Br, D::BrNot]
                }
            } else {
                vec![D::S, D::L]
            };
            for k in &kinds {
                for &d in &dsts {
                    // A float comparison with a constant is branched on; kept as a value it
                    // goes through the stack.
                    if cmp && !is_int(ty) && d == D::S && k[1] == K::I {
                        continue;
                    }
                    // An integer comparison goes into a local when both operands are not
                    // computed (`c = i < n`, a flag kept in a local); others through the stack.
                    if cmp && d == D::L && !(is_int(ty) && k[0] == K::L && k[1] != K::S) {
                        continue;
                    }
                    let Some((fields, imm)) =
                        layout(&[("a", "imm"), ("b", "imm")], k, d, val_bits(ty), is_int(ty), &[])
                    else {
                        continue;
                    };
                    out.push(Form {
                        name: format!("{name}_{}{}", kinds_name(k), d.suffix()),
                        op: name,
                        text: op.text,
                        family: if cmp { Family::Compare } else { Family::Binary },
                        kinds: k.to_vec(),
                        dst: d,
                        fields,
                        width: 0,
                        imm,
                        traps,
                        row: 0,
                        inner: ("", ""),
                    });
                }
            }
        } else {
            let dsts: &[D] =
                if TESTS.contains(&name) { &[D::S, D::L, D::Br, D::BrNot, D::Goto, D::GotoNot] } else { &[D::S, D::L] };
            // A float operator that keeps its type (abs, neg, sqrt, rounding) reads the stack only.
            let kinds: &[K] = if !is_int(ty) && results[0] == ty { &[K::S] } else { &[K::S, K::L] };
            for &k in kinds {
                for &d in dsts {
                    // A unary result from a local into a local is rare but for widenings: it
                    // goes through the stack.
                    if k == K::L && d == D::L && !LOCAL_TO_LOCAL.contains(&name) {
                        continue;
                    }
                    let (fields, imm) =
                        layout(&[("a", "imm")], &[k], d, val_bits(ty), false, &[]).expect("unary forms fit");
                    out.push(Form {
                        name: format!("{name}_{}{}", kinds_name(&[k]), d.suffix()),
                        op: name,
                        text: op.text,
                        family: Family::Unary,
                        kinds: vec![k],
                        dst: d,
                        fields,
                        width: 0,
                        imm,
                        traps,
                        row: 0,
                        inner: ("", ""),
                    });
                }
            }
        }
    }
    // `c + a * b`, `c - a * b`: the addend from the stack or a local, the left factor from the
    // stack or a local, the right one also an immediate.
    for &(add, mul) in MUL_ADD {
        let op = ops.iter().find(|o| o.name == add).expect("an operator of the table");
        debug_assert_eq!(mul_text(op.text), ops.iter().find(|o| o.name == mul).unwrap().text);
        let ty = op.sig[0];
        for c in [K::S, K::L] {
            for a in [K::S, K::L] {
                for b in [K::S, K::L, K::I] {
                    // A commutative product has its computed factor on the left.
                    if COMMUTATIVE.contains(&mul) && (a, b) == (K::L, K::S) {
                        continue;
                    }
                    for d in [D::S, D::L] {
                        let kinds = [c, a, b];
                        let names = [("c", "imm"), ("a", "imm"), ("b", "imm")];
                        let Some((fields, imm)) = layout(&names, &kinds, d, val_bits(ty), is_int(ty), &[]) else {
                            continue;
                        };
                        out.push(Form {
                            name: format!("{add}Mul_{}{}", kinds_name(&kinds), d.suffix()),
                            op: add,
                            text: op.text,
                            family: Family::MulAdd,
                            kinds: kinds.to_vec(),
                            dst: d,
                            fields,
                            width: 0,
                            imm,
                            traps: false,
                            row: 0,
                            inner: ("", ""),
                        });
                    }
                }
            }
        }
    }
    // `c op (a shift k)`: `c` and `a` from the stack or a local, the shift count an immediate.
    for &(outer, shift) in SHIFTED {
        let op = ops.iter().find(|o| o.name == outer).expect("an operator of the table");
        let sh = ops.iter().find(|o| o.name == shift).expect("an operator of the table");
        for c in [K::S, K::L] {
            for a in [K::S, K::L] {
                for d in [D::S, D::L] {
                    let kinds = [c, a];
                    let names = [("c", "imm"), ("a", "imm")];
                    let Some((fields, _)) = layout(&names, &kinds, d, 32, false, &[("k", "u16")]) else {
                        continue;
                    };
                    out.push(Form {
                        name: format!("{outer}{}_{}{}", &shift[3..], kinds_name(&kinds), d.suffix()),
                        op: outer,
                        text: op.text,
                        family: Family::Shifted,
                        kinds: kinds.to_vec(),
                        dst: d,
                        fields,
                        width: 0,
                        imm: None,
                        traps: false,
                        row: 0,
                        inner: (shift, sh.text),
                    });
                }
            }
        }
    }
    out
}

/// The operands of a wide operator with `n` inputs, bottom first, with their fields' names (a
/// local's, an immediate's).
fn wide_roles(n: usize) -> &'static [(&'static str, &'static str)] {
    if n == 4 {
        &[("a_lo", "imm"), ("a_hi", "imm"), ("b_lo", "imm"), ("b_hi", "imm")]
    } else {
        &[("a", "imm"), ("b", "imm")]
    }
}

/// The multiply of a `MUL_ADD` form's type: `f64.add` gives `f64.mul`.
fn mul_text(add: &str) -> String {
    format!("{}.mul", add.split('.').next().expect("a typed text name"))
}

/// `i32.lt_s` as `ops::i32_lt_s`.
fn sem(text: &str) -> String {
    format!("ops::{}", text.replace('.', "_"))
}

/// The slot bits of an immediate field, as an expression.
fn imm_expr(field: &str, ty: &str) -> String {
    match ty {
        "u64" => field.to_string(),
        "i32" => format!("{field} as i64 as u64"),
        _ => format!("{field} as u64"),
    }
}

/// The address of a form of another memory row than the first (taken from the stack): an i32
/// slot's low 32 bits, or the whole i64.
fn row_addr(f: &Form) -> &'static str {
    if MEMORY_ROWS[f.row].addr64 {
        "addr_"
    } else {
        "addr_ as u32 as u64"
    }
}

/// A handler body for a generated form.
fn body(f: &Form) -> String {
    let imm_ty = f.imm.unwrap_or("u32");
    // Stack operands, bottom first, named as their role.
    let roles: Vec<&str> = match f.family {
        Family::Binary | Family::Compare => vec!["a", "b"],
        Family::Unary => vec!["a"],
        Family::Load => vec!["addr"],
        Family::Store => vec!["addr", "value"],
        Family::MulAdd => vec!["c", "a", "b"],
        Family::Wide => wide_roles(f.kinds.len()).iter().map(|r| r.0).collect(),
        Family::Shifted => vec!["c", "a"],
    };
    // An element address's base is on the stack too.
    let stack: Vec<&str> =
        roles.iter().zip(&f.kinds).filter(|(_, k)| matches!(k, K::S | K::E)).map(|(r, _)| *r).collect();
    let operand = |role: &str, k: K| -> String {
        match (k, role) {
            (K::S, r) => format!("{r}_"),
            (K::L, r) => format!("local!({r})"),
            (K::I, "addr") => "ptr as u64".to_string(),
            (K::A, _) => "(local!(addr) as u32).wrapping_add(add) as u64".to_string(),
            (K::X, _) => "(local!(addr) as u32).wrapping_shl(shift as u32).wrapping_add(add) as u64".to_string(),
            (K::E, _) => {
                "(addr_ as u32).wrapping_add((local!(index) as u32).wrapping_shl(shift as u32)) as u64".to_string()
            }
            (K::F, _) => "(local!(addr) as u32).wrapping_add((local!(index) as u32).wrapping_shl(shift as u32)) as u64"
                .to_string(),
            (K::I, _) => imm_expr("imm", imm_ty),
        }
    };
    let mut s = String::new();
    let pushes = f.dst == D::S && f.family != Family::Store;
    if pushes && !stack.is_empty() {
        for r in stack[1..].iter().rev() {
            write!(s, "let {r}_ = pop!(); ").unwrap();
        }
        write!(s, "let {}_ = top!(); ", stack[0]).unwrap();
    } else {
        for r in stack.iter().rev() {
            write!(s, "let {r}_ = pop!(); ").unwrap();
        }
    }
    let value = match f.family {
        Family::Binary | Family::Compare => {
            let call = format!(
                "{}(Slot::from_slot({}), Slot::from_slot({}))",
                sem(f.text),
                operand("a", f.kinds[0]),
                operand("b", f.kinds[1])
            );
            if f.traps {
                format!("or_trap!({call})")
            } else {
                call
            }
        }
        Family::Unary => {
            let call = format!("{}(Slot::from_slot({}))", sem(f.text), operand("a", f.kinds[0]));
            if f.traps {
                format!("or_trap!({call})")
            } else {
                call
            }
        }
        Family::Load if f.row != 0 => {
            format!("load_at!(memory, {}, offset as u64, {}, {})", row_addr(f), f.width, sem(f.text))
        }
        Family::Load => format!("load_from!({}, offset, {}, {})", operand("addr", f.kinds[0]), f.width, sem(f.text)),
        // The product first, then the add or sub, each through its operator's own function.
        Family::MulAdd => format!(
            "{}(Slot::from_slot({}), {}(Slot::from_slot({}), Slot::from_slot({})))",
            sem(f.text),
            operand("c", f.kinds[0]),
            sem(&mul_text(f.text)),
            operand("a", f.kinds[1]),
            operand("b", f.kinds[2])
        ),
        // The shift first, then the operator, each through its own function.
        Family::Shifted => format!(
            "{}(Slot::from_slot({}), Slot::from_slot(Slot::to_slot({}(Slot::from_slot({}), Slot::from_slot(k as u64)))))",
            sem(f.text),
            operand("c", f.kinds[0]),
            sem(f.inner.1),
            operand("a", f.kinds[1])
        ),
        // Two results, low half first: the low one takes the first operand's slot.
        Family::Wide => {
            let args: Vec<String> =
                roles.iter().zip(&f.kinds).map(|(r, &k)| format!("Slot::from_slot({})", operand(r, k))).collect();
            let results = if stack.is_empty() { "push!(lo); push!(hi)" } else { "top!() = lo; push!(hi)" };
            return format!("{{ {s}let (lo, hi) = {}({}); {results} }}", sem(f.text), args.join(", "));
        }
        Family::Store if f.row != 0 => {
            return format!(
                "{{ {s}store_at!(memory, {}, offset as u64, {}, {}, {}) }}",
                row_addr(f),
                f.width,
                sem(f.text),
                operand("value", f.kinds[1])
            );
        }
        Family::Store => {
            return format!(
                "{{ {s}store_to!({}, offset, {}, {}, {}) }}",
                operand("addr", f.kinds[0]),
                f.width,
                sem(f.text),
                operand("value", f.kinds[1])
            );
        }
    };
    // A load's macro already gives slot bits.
    let slot = if f.family == Family::Load { value.clone() } else { format!("Slot::to_slot({value})") };
    match f.dst {
        D::S if !stack.is_empty() => write!(s, "top!() = {slot}").unwrap(),
        D::S => write!(s, "push!({slot})").unwrap(),
        D::L => write!(s, "local!(dst) = {slot}").unwrap(),
        D::Br => write!(s, "if {value} {{ jump!(target) }}").unwrap(),
        D::BrNot => write!(s, "if !{value} {{ jump!(target) }}").unwrap(),
        D::Goto => write!(s, "if {value} {{ local!(index) = state as u64; jump!(target) }}").unwrap(),
        D::GotoNot => write!(s, "if !{value} {{ local!(index) = state as u64; jump!(target) }}").unwrap(),
    }
    format!("{{ {s} }}")
}

fn doc(f: &Form) -> String {
    let role = |i: usize| match f.family {
        Family::Binary | Family::Compare => ["left", "right"][i],
        Family::Unary => "operand",
        Family::Load => "address",
        Family::Store => ["address", "value"][i],
        Family::MulAdd => ["addend", "left factor", "right factor"][i],
        Family::Shifted => ["other operand", "shifted operand"][i],
        Family::Wide if f.kinds.len() == 4 => {
            ["left low half", "left high half", "right low half", "right high half"][i]
        }
        Family::Wide => ["left", "right"][i],
    };
    let mut parts = Vec::new();
    for (i, k) in f.kinds.iter().enumerate() {
        let what = match k {
            K::S => "from the stack",
            K::L => "from a local",
            K::I if role(i) == "address" => "an absolute address",
            K::A => "a local plus `add` (wrapping at 32 bits)",
            K::X => "a local shifted left by `shift`, plus `add` (wrapping at 32 bits)",
            K::E => "from the stack, plus local `index` shifted left by `shift` (wrapping at 32 bits)",
            K::F => "a local plus local `index` shifted left by `shift` (wrapping at 32 bits)",
            K::I => "an immediate",
        };
        parts.push(format!("{} {what}", role(i)));
    }
    let dst = match f.dst {
        D::S if f.family == Family::Store => "",
        D::S if f.family == Family::Wide => "; low and high halves pushed",
        D::S => "; result pushed",
        D::L => "; result into local `dst`",
        D::Br => "; branches when true",
        D::BrNot => "; branches when false",
        D::Goto => "; when true, sets local `index` to `state` and branches",
        D::GotoNot => "; when false, sets local `index` to `state` and branches",
    };
    let imm = match f.imm {
        Some("i32") => " (immediate sign-extended from 32 bits)",
        _ => "",
    };
    let text = match f.family {
        Family::MulAdd => format!("{} c (a * b)", f.text),
        Family::Shifted => format!("{} c ({} a k)", f.text, f.inner.1),
        _ => f.text.to_string(),
    };
    let row = match f.row {
        0 => "",
        r if MEMORY_ROWS[r].addr64 => " (memory `memory`, 64-bit address)",
        _ => " (memory `memory`, 32-bit address)",
    };
    format!("`{text}`{row}: {}{dst}{imm}.", parts.join(", "))
}

fn fields_decl(fields: &[(&str, &str)]) -> String {
    if fields.is_empty() {
        String::new()
    } else {
        format!(" {{ {} }}", fields.iter().map(|(n, t)| format!("{n}: {t}")).collect::<Vec<_>>().join(", "))
    }
}

fn fields_pat(fields: &[(&str, &str)]) -> String {
    if fields.is_empty() {
        String::new()
    } else {
        format!(" {{ {} }}", fields.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>().join(", "))
    }
}

/// A local field's initializer: as is when it is a `u32`, else narrowed (or no form).
fn local_init(f: &Form, name: &str) -> String {
    field_init(&f.fields, name, false)
}

/// The initializer of field `name` (of `fields`) from the value bound under that name: a
/// `u16` field takes it narrowed (no form when it does not fit); `word`: the value is an
/// `Opd::L`'s 64-bit word, which a `u32` field takes cast (a local's index fits).
fn field_init(fields: &[Field], name: &str, word: bool) -> String {
    match fields.iter().find(|(n, _)| *n == name) {
        Some((_, "u16")) => format!("{name}: u16::try_from({name}).ok()?"),
        _ if word => format!("{name}: {name} as u32"),
        _ => name.to_string(),
    }
}

/// The selector arm's pattern and constructor for one form.
fn select_arm(f: &Form, op_enum: &str) -> String {
    let roles: &[&str] = match f.family {
        Family::Binary | Family::Compare => &["a", "b"],
        Family::Unary => &["a"],
        Family::Load => &["addr"],
        Family::Store => &["addr", "value"],
        Family::MulAdd => &["c", "a", "b"],
        Family::Shifted => &["c", "a"],
        Family::Wide => &["a_lo", "a_hi", "b_lo", "b_hi", "a", "b"][if f.kinds.len() == 4 { 0..4 } else { 4..6 }],
    };
    let mut pats = Vec::new();
    let mut guards = Vec::new();
    let mut inits = Vec::new();
    for (k, role) in f.kinds.iter().zip(roles) {
        // An address operand has its own kinds (`Addr`); every other operand is an `Opd`.
        let ty = if *role == "addr" { "Addr" } else { "Opd" };
        match k {
            K::S => pats.push(format!("{ty}::S")),
            K::L => {
                pats.push(format!("{ty}::L({role})"));
                inits.push(field_init(&f.fields, role, ty == "Opd"));
            }
            K::A => {
                pats.push(format!("Addr::A({role}, add)"));
                inits.push(local_init(f, role));
                inits.push("add".to_string());
            }
            K::X => {
                pats.push(format!("Addr::X({role}, shift, add)"));
                inits.push(local_init(f, role));
                inits.push("shift: shift as u16".to_string());
                inits.push("add".to_string());
            }
            K::E => {
                pats.push("Addr::E(index, shift)".to_string());
                inits.push(local_init(f, "index"));
                inits.push("shift: shift as u16".to_string());
            }
            K::F => {
                pats.push(format!("Addr::F({role}, index, shift)"));
                inits.push(local_init(f, role));
                inits.push(local_init(f, "index"));
                inits.push("shift: shift as u16".to_string());
            }
            K::I if *role == "addr" => {
                pats.push("Addr::I(ptr)".to_string());
                inits.push("ptr: ptr as u32".to_string());
            }
            K::I => {
                pats.push("Opd::I(imm)".to_string());
                match f.imm.expect("an immediate form has an immediate type") {
                    "u64" => inits.push("imm".to_string()),
                    "i32" => {
                        guards.push("fits_i32(imm)".to_string());
                        inits.push("imm: imm as i32".to_string());
                    }
                    _ => inits.push("imm: imm as u32".to_string()),
                }
            }
        }
    }
    if matches!(f.family, Family::Load | Family::Store) {
        if f.row != 0 {
            inits.push("memory".to_string());
        }
        inits.push("offset".to_string());
    }
    let dpat = match f.dst {
        D::S => "Dst::S",
        D::L => {
            inits.push(local_init(f, "dst"));
            "Dst::L(dst)"
        }
        D::Br => {
            inits.push("target".to_string());
            "Dst::Br(target)"
        }
        D::BrNot => {
            inits.push("target".to_string());
            "Dst::BrNot(target)"
        }
        D::Goto | D::GotoNot => {
            inits.push(local_init(f, "index"));
            inits.push("state: u16::try_from(state).ok()?".to_string());
            inits.push("target".to_string());
            if f.dst == D::Goto {
                "Dst::Goto(index, state, target)"
            } else {
                "Dst::GotoNot(index, state, target)"
            }
        }
    };
    if f.family == Family::Shifted {
        // The count, taken modulo the width as the shift takes it.
        inits.push(format!("k: (k & {}) as u16", val_bits(&f.text[..3]) - 1));
    }
    let guard = if guards.is_empty() { String::new() } else { format!(" if {}", guards.join(" && ")) };
    let init = if inits.is_empty() { String::new() } else { format!(" {{ {} }}", inits.join(", ")) };
    let pat = if f.family == Family::Wide {
        // Wide operators are selected over a slice of their operands (two or four).
        format!("&[{}]", pats.join(", "))
    } else if pats.len() == 1 {
        pats[0].clone()
    } else {
        format!("({})", pats.join(", "))
    };
    // A shifted operand's arm names its shift's operator beside its own.
    let head = match f.family {
        Family::Shifted => format!("{op_enum}::{}, {op_enum}::{}", f.op, f.inner.0),
        _ => format!("{op_enum}::{}", f.op),
    };
    format!("({head}, {pat}, {dpat}){guard} => Instr::{}{init},", f.name)
}

/// A latch form: `(name, comparison, counter type, bound kind)`.
struct Latch {
    name: String,
    cmp: &'static str,
    text: &'static str,
    ty: &'static str,
    step: &'static str,
    bound: &'static str,
}

fn latches(ops: &[WasmOp]) -> Vec<Latch> {
    let mut out = Vec::new();
    for op in ops {
        let int_cmp = op.sig.len() == 4
            && op.sig[3] == "i32"
            && (op.sig[0] == "i32" || op.sig[0] == "i64")
            && ["Eq", "Ne", "Lt", "Gt", "Le", "Ge"].iter().any(|c| op.name[3..].starts_with(c));
        if !int_cmp {
            continue;
        }
        for &(step, bound) in LATCH_KINDS {
            let kinds = if step == "I" { bound.to_string() } else { format!("{step}{bound}") };
            out.push(Latch {
                name: format!("{}_Step{kinds}_Br", op.name),
                cmp: op.name,
                text: op.text,
                ty: op.sig[0],
                step,
                bound,
            });
        }
    }
    out
}

fn latch_fields(l: &Latch) -> Vec<(&'static str, &'static str)> {
    let bound = if l.bound == "L" { ("b", "u16") } else { ("bound", if l.ty == "i32" { "u32" } else { "i32" }) };
    let step = if l.step == "L" { ("by", "u16") } else { ("step", "i16") };
    vec![("local", "u16"), step, bound, ("target", "u32")]
}

fn latch_body(l: &Latch) -> String {
    let add = format!("ops::{}_add", l.ty);
    // The bound and the target are read after the store to the counter (`imm!`), so they do
    // not hold registers across it (RATIONALE.md, "The next handler is loaded from the
    // advanced `ip`").
    let bound = if l.bound == "L" {
        "local!(imm!(b))".to_string()
    } else if l.ty == "i32" {
        "imm!(bound) as u64".to_string()
    } else {
        "imm!(bound) as i64 as u64".to_string()
    };
    let step = if l.step == "L" { "local!(by)" } else { "step as i64 as u64" };
    format!(
        "{{ let v = Slot::to_slot({add}(Slot::from_slot(local!(local)), Slot::from_slot({step}))); local!(local) = v; if {}(Slot::from_slot(v), Slot::from_slot({bound})) {{ jump!(imm!(target)) }} }}",
        sem(l.text)
    )
}

/// `select`'s forms: the kinds of its two values (`S`, `L`, `I`), its condition always on the
/// stack (the comparison just computed, in the code compilers emit), each pushed or into a
/// local. Both values constant is left to the stack form (rare, and two 64-bit immediates do
/// not fit).
const SELECT_KINDS: &[(char, char)] =
    &[('S', 'S'), ('S', 'L'), ('S', 'I'), ('L', 'S'), ('L', 'L'), ('L', 'I'), ('I', 'S'), ('I', 'L')];

/// A `select` form: name, kinds, destination, fields, handler body.
struct SelectForm {
    name: String,
    a: char,
    b: char,
    dst: D,
    fields: Vec<Field>,
    body: String,
}

fn select_forms() -> Vec<SelectForm> {
    let mut out = Vec::new();
    for &(a, b) in SELECT_KINDS {
        for dst in [D::S, D::L] {
            // Locals as u32, or as u16 where that is what fits beside a 64-bit immediate.
            let Some(fields) = ["u32", "u16"].iter().find_map(|&local| {
                let mut f: Vec<Field> = Vec::new();
                for (k, role) in [(a, "a"), (b, "b")] {
                    match k {
                        'L' => f.push((role, local)),
                        'I' => f.push(("imm", "u64")),
                        _ => {}
                    }
                }
                if dst == D::L {
                    f.push(("dst", local));
                }
                fits(&f).then_some(f)
            }) else {
                continue;
            };
            let value = |k: char, role: &str| match k {
                'L' => format!("local!({role})"),
                'I' => "imm".to_string(),
                _ => format!("{role}_"),
            };
            // Every form chooses through `ops::select`, without a branch.
            let body = match (a, b, dst) {
                ('S', 'S', D::S) => {
                    "{ let c = pop!(u32); let b_ = pop!(); top!() = ops::select(c, top!(), b_) }".to_string()
                }
                ('S', _, D::S) => {
                    format!("{{ let c = pop!(u32); top!() = ops::select(c, top!(), {}) }}", value(b, "b"))
                }
                (_, 'S', D::S) => {
                    format!("{{ let c = pop!(u32); top!() = ops::select(c, {}, top!()) }}", value(a, "a"))
                }
                (_, _, D::S) => format!(
                    "{{ let c = top!() as u32; top!() = ops::select(c, {}, {}) }}",
                    value(a, "a"),
                    value(b, "b")
                ),
                _ => {
                    let mut s = "let c = pop!(u32); ".to_string();
                    if b == 'S' {
                        s.push_str("let b_ = pop!(); ");
                    }
                    if a == 'S' {
                        s.push_str("let a_ = pop!(); ");
                    }
                    format!("{{ {s}local!(dst) = ops::select(c, {}, {}) }}", value(a, "a"), value(b, "b"))
                }
            };
            out.push(SelectForm { name: format!("Select_{a}{b}S{}", dst.suffix()), a, b, dst, fields, body });
        }
    }
    out
}

/// A SIMD operator's form (stack operands, result pushed; one per operator, and for a load or
/// store one per memory row): a `v128` takes two slots, low half first (RATIONALE.md, "v128
/// values take two slots").
struct SimdForm {
    /// The instruction's name: the operator's, plus its memory row's suffix.
    name: String,
    /// The Wasm operator's name.
    op: &'static str,
    text: &'static str,
    /// For memory access: the index of its row in `MEMORY_ROWS` (0 for every other form).
    row: usize,
    /// The decoder's signature tokens.
    sig: String,
    fields: Vec<Field>,
    /// The Wasm operator's fields as the translator's arm binds them, and the instruction's
    /// initializer from them.
    pat: &'static str,
    init: String,
    /// Slots taken from the stack and pushed.
    pops: u32,
    pushes: u32,
    body: String,
    /// The operand kinds (`S`, `L`: a `v128` local, `A`: an address that is a local plus a
    /// constant) and destination of a form of `SIMD_KINDS`; empty and `S` for the stack form.
    kinds: String,
    dst: D,
}

/// SIMD operators with operand-kind forms, beside their stack form: `v128` operands read
/// straight from a `v128` local (`L`) and the result written straight to one (`_Set`, a
/// `local.set`/`local.tee` after the operator), for `v128.load` an address that is a local or
/// a local plus a constant (`L`, `A`, as the scalar loads have them), for `v128.store` an
/// address and a value from locals. Chosen by what the
/// SIMD workloads and clang's auto-vectorized code execute (crates/wisp/RATIONALE.md, "v128
/// operand kinds"); every other SIMD operator takes its operands from the stack.
const SIMD_KINDS: &[&str] = &[
    "V128Load",
    "V128Store",
    "V128And",
    "V128Or",
    "V128Xor",
    "I8x16Eq",
    "I8x16AddSatU",
    "I8x16SubSatU",
    "I8x16NarrowI16x8U",
    "I16x8Add",
    "I16x8Sub",
    "I16x8Mul",
    "I16x8ExtendLowI8x16U",
    "I16x8ExtendHighI8x16U",
    "I16x8ExtmulLowI8x16U",
    "I16x8ExtmulHighI8x16U",
    "I32x4Add",
    "I32x4Sub",
    "I32x4Mul",
    "I32x4DotI16x8S",
    "I32x4ExtmulLowI16x8U",
    "I32x4ExtmulHighI16x8U",
    "F32x4Add",
    "F32x4Sub",
    "F32x4Mul",
    "F64x2Add",
    "F64x2Sub",
    "F64x2Mul",
];

/// The operand-kind forms of a `SIMD_KINDS` operator other than a load: a binary or unary
/// operator on `v128`s, each operand from the stack or a `v128` local, the result pushed or
/// written to a `v128` local (its all-stack, pushed form is the operator's stack form).
fn simd_kind_forms(op: &WasmOp, params: &[&str], f: &str) -> Vec<SimdForm> {
    let kinds: &[&[K]] = match params.len() {
        2 => &[&[K::S, K::S], &[K::S, K::L], &[K::L, K::S], &[K::L, K::L]],
        _ => &[&[K::S], &[K::L]],
    };
    let roles = [("a", "imm"), ("b", "imm")];
    let mut out = Vec::new();
    for k in kinds {
        for d in [D::S, D::L] {
            if d == D::S && k.iter().all(|k| *k == K::S) {
                continue;
            }
            let (fields, _) = layout(&roles[..k.len()], k, d, 32, false, &[]).expect("v128 kind forms fit");
            // Stack operands popped (the top one first), then the call on every operand.
            let mut pops = String::new();
            for (i, kind) in k.iter().enumerate().rev() {
                if *kind == K::S {
                    write!(pops, "let {}_ = pop_v128!(); ", roles[i].0).unwrap();
                }
            }
            let args: Vec<String> = k
                .iter()
                .zip(roles)
                .map(|(kind, (r, _))| if *kind == K::S { format!("{r}_") } else { format!("local_v128!({r})") })
                .collect();
            let call = format!("{f}({})", args.join(", "));
            let put = if d == D::L { format!("set_local_v128!(dst, {call})") } else { format!("push_v128!({call})") };
            let name = format!("{}_{}{}", op.name, kinds_name(k), d.suffix());
            let stack = k.iter().filter(|k| **k == K::S).count() as u32;
            out.push(SimdForm {
                name,
                op: op.name,
                text: op.text,
                row: 0,
                sig: op.sig.join(" "),
                fields,
                pat: " {}",
                init: String::new(),
                pops: 2 * stack,
                pushes: if d == D::S { 2 } else { 0 },
                body: format!("{{ {pops}{put} }}"),
                kinds: kinds_name(k),
                dst: d,
            });
        }
    }
    out
}

/// The slots a value of type `ty` takes.
fn slots(ty: &str) -> u32 {
    if ty == "v128" {
        2
    } else {
        1
    }
}

/// The code that pops operands `params` (bottom first) into `p0`, `p1`, ... and the arguments
/// that pass them to a semantic function.
fn simd_pops(params: &[&str]) -> (String, Vec<String>) {
    let mut s = String::new();
    for (i, ty) in params.iter().enumerate().rev() {
        if *ty == "v128" {
            write!(s, "let p{i} = pop_v128!(); ").unwrap();
        } else {
            write!(s, "let p{i} = pop!(); ").unwrap();
        }
    }
    let args = params
        .iter()
        .enumerate()
        .map(|(i, ty)| if *ty == "v128" { format!("p{i}") } else { format!("Slot::from_slot(p{i})") })
        .collect();
    (s, args)
}

fn simd_forms(ops: &[WasmOp]) -> Vec<SimdForm> {
    let mut out = Vec::new();
    for op in ops.iter().filter(|o| o.simd) {
        let sig = &op.sig;
        let f = sem(op.text);
        // A load's natural alignment is its width: `[load v128 align]`, `[load_lane align lanes]`.
        let memory =
            |sig: &[&str]| 1u32 << sig[if sig[0] == "load" { 2 } else { 1 }].parse::<u32>().expect("an alignment");
        let form = |row: usize, fields: Vec<Field>, pat, init: String, pops, pushes, body: String| SimdForm {
            name: format!("{}{}", op.name, MEMORY_ROWS[row].suffix),
            op: op.name,
            text: op.text,
            row,
            sig: sig.join(" "),
            fields,
            pat,
            init,
            pops,
            pushes,
            body,
            kinds: String::new(),
            dst: D::S,
        };
        // Memory access: one form per memory row, the address read as the scalar rows read it
        // (`row_access`), the same semantic function on the bytes.
        let access = matches!(sig[0], "load" | "store" | "load_lane" | "store_lane");
        if access {
            let lane = sig[0].ends_with("lane");
            let pat = if lane { " { memarg, lane }" } else { " { memarg }" };
            for (row_index, row) in MEMORY_ROWS.iter().enumerate() {
                let mut fields = row.fields.to_vec();
                let mut init: Vec<String> = row
                    .fields
                    .iter()
                    .map(|&(n, ty)| match (n, ty) {
                        ("memory", _) => "memory: memarg.memory".to_string(),
                        // A 32-bit memory's offsets are below 2^32 (validated).
                        ("offset", "u32") => "offset: memarg.offset as u32".to_string(),
                        _ => "offset: memarg.offset".to_string(),
                    })
                    .collect();
                // A byte for the lane: beside a 64-bit offset and a memory index, a `u32` would
                // make every instruction 24 bytes instead of 16.
                if lane {
                    fields.push(("lane", "u8"));
                    init.push("lane".to_string());
                }
                let init = format!(" {{ {} }}", init.join(", "));
                let (load, store, at) = row_access(row_index);
                let body = match sig[0] {
                    "load" => {
                        let n = memory(sig);
                        format!("{{ let a = pop!(); let b = {load}({at}, {n}); push_v128!({f}(b)) }}")
                    }
                    "store" => format!("{{ let v = pop_v128!(); let a = pop!(); {store}({at}, 16, {f}(v)) }}"),
                    "load_lane" => {
                        let n = memory(sig);
                        format!("{{ let v = pop_v128!(); let a = pop!(); let b = {load}({at}, {n}); push_v128!({f}(v, b, lane.into())) }}")
                    }
                    _ => {
                        let n = memory(sig);
                        format!("{{ let v = pop_v128!(); let a = pop!(); {store}({at}, {n}, {f}(v, lane.into())) }}")
                    }
                };
                let (pops, pushes) = match sig[0] {
                    "load" => (1, 2),
                    "store" => (3, 0),
                    "load_lane" => (3, 2),
                    _ => (3, 0),
                };
                out.push(form(row_index, fields, pat, init, pops, pushes, body));
            }
            // `v128.store` on memory 0 (32-bit addresses): the address and the value from the
            // stack or a local.
            if SIMD_KINDS.contains(&op.name) && sig[0] == "store" {
                for (a, v) in [(K::S, K::L), (K::L, K::S), (K::L, K::L)] {
                    let (fields, _) =
                        layout(&[("addr", "ptr"), ("value", "imm")], &[a, v], D::S, 32, false, MEMORY_ROWS[0].fields)
                            .expect("v128 store forms fit");
                    let value = if v == K::S { "let v = pop_v128!(); " } else { "let v = local_v128!(value); " };
                    let (pop, at) = if a == K::S { ("let a = pop!(); ", "a") } else { ("", "local!(addr)") };
                    out.push(SimdForm {
                        name: format!("{}_{}", op.name, kinds_name(&[a, v])),
                        pops: (a == K::S) as u32 + 2 * (v == K::S) as u32,
                        body: format!("{{ {value}{pop}store_bytes!({at}, offset, 16, {f}(v)) }}"),
                        kinds: kinds_name(&[a, v]),
                        ..form(0, fields, pat, String::new(), 0, 0, String::new())
                    });
                }
                continue;
            }
            // `v128.load` on memory 0 (32-bit addresses) from a local or a local plus a constant,
            // and into a `v128` local.
            if SIMD_KINDS.contains(&op.name) {
                assert_eq!(sig[0], "load", "SIMD_KINDS: {} is no load or store", op.name);
                let n = memory(sig);
                for a in [K::S, K::L, K::A] {
                    for d in [D::S, D::L] {
                        if (a, d) == (K::S, D::S) {
                            continue;
                        }
                        let (fields, _) = layout(&[("addr", "ptr")], &[a], d, 32, false, MEMORY_ROWS[0].fields)
                            .expect("v128 load forms fit");
                        let (pop, at) = match a {
                            K::S => ("let a = pop!(); ", "a"),
                            K::L => ("", "local!(addr)"),
                            _ => ("", "(local!(addr) as u32).wrapping_add(add) as u64"),
                        };
                        let put = if d == D::L { "set_local_v128!(dst, " } else { "push_v128!(" };
                        out.push(SimdForm {
                            name: format!("{}_{}{}", op.name, kinds_name(&[a]), d.suffix()),
                            pops: (a == K::S) as u32,
                            pushes: if d == D::S { 2 } else { 0 },
                            body: format!("{{ {pop}let b = load_bytes!({at}, offset, {n}); {put}{f}(b)) }}"),
                            kinds: kinds_name(&[a]),
                            dst: d,
                            ..form(0, fields, pat, String::new(), 0, 0, String::new())
                        });
                    }
                }
            }
            continue;
        }
        let mut kind_forms = Vec::new();
        out.push(match sig[0] {
            // The constant is two halves pushed by the translator; a shuffle's lanes are a
            // constant `v128` operand (the translator pushes them).
            "->" => continue,
            "shuffle" => form(
                0,
                vec![],
                " { .. }",
                String::new(),
                6,
                2,
                format!(
                    "{{ let l = pop_v128!(); let b = pop_v128!(); let a = pop_v128!(); push_v128!({f}(a, b, l)) }}"
                ),
            ),
            _ => {
                let lane = sig[0] == "lane";
                let sig = if lane { &sig[3..] } else { &sig[..] };
                let arrow = sig.iter().position(|s| *s == "->").expect("a signature");
                let (params, result) = (&sig[..arrow], sig[arrow + 1]);
                let (pops, mut args) = simd_pops(params);
                if SIMD_KINDS.contains(&op.name) {
                    assert!(
                        !lane && params.iter().all(|p| *p == "v128") && result == "v128",
                        "SIMD_KINDS: {} is not an operator on v128s",
                        op.name
                    );
                    kind_forms = simd_kind_forms(op, params, &f);
                }
                if lane {
                    args.push("lane".to_string());
                }
                let call = format!("{f}({})", args.join(", "));
                let push = if result == "v128" { format!("push_v128!({call})") } else { format!("push!({call})") };
                let (fields, pat, init) = if lane {
                    (vec![("lane", "u32")], " { lane }", " { lane: lane as u32 }")
                } else {
                    (vec![], " {}", "")
                };
                form(
                    0,
                    fields,
                    pat,
                    init.to_string(),
                    params.iter().map(|t| slots(t)).sum(),
                    slots(result),
                    format!("{{ {pops}{push} }}"),
                )
            }
        });
        out.extend(kind_forms);
    }
    out
}

/// How a SIMD access of memory row `row` reads and writes its bytes: the macros, and their
/// arguments before the width (address, offset). Memory 0's 32-bit row goes through the cached
/// memory; the others name their memory, and check the address and offset in 64 bits as the
/// scalar rows do (an i32 address's low 32 bits).
fn row_access(row: usize) -> (&'static str, &'static str, &'static str) {
    match row {
        0 => ("load_bytes!", "store_bytes!", "a, offset"),
        r if MEMORY_ROWS[r].addr64 => ("load_bytes_at!", "store_bytes_at!", "memory, a, offset as u64"),
        _ => ("load_bytes_at!", "store_bytes_at!", "memory, a as u32 as u64, offset as u64"),
    }
}

/// The generated file.
pub fn generate() -> String {
    let ops = wasm_ops();
    let (mut forms, mut latches, mut selects) = (forms(&ops), latches(&ops), select_forms());
    let simd = simd_forms(&ops);
    // Every name the list of unused forms gives is a form, and not one an operator needs.
    for name in UNUSED {
        // An idiom's all-stack form is not needed: its operators keep their own forms.
        let all_stack = forms.iter().find(|f| f.name == *name).map(|f| {
            !matches!(f.family, Family::MulAdd | Family::Shifted) && f.kinds.iter().all(|k| *k == K::S) && f.dst == D::S
        });
        let other = latches.iter().any(|l| l.name == *name) || selects.iter().any(|f| f.name == *name);
        assert!(
            all_stack == Some(false) || (all_stack.is_none() && other),
            "UNUSED: {name} is no form, or an all-stack one"
        );
    }
    forms.retain(|f| !UNUSED.contains(&f.name.as_str()));
    latches.retain(|l| !UNUSED.contains(&l.name.as_str()));
    selects.retain(|f| !UNUSED.contains(&f.name.as_str()));
    let mut o = String::new();
    o.push_str("// @generated by `cargo run -p wisp-isagen` from the description in crates/wisp-isagen/src/lib.rs.\n");
    o.push_str("// Do not edit: change the description and regenerate (tests/current.rs checks this file).\n\n");
    o.push_str("#![allow(non_camel_case_types, clippy::all)]\n\n");
    o.push_str("use super::{fits_i32, Addr, Dst, FormInfo, Opd, SimdFormInfo};\nuse crate::exec::ops::{self, Slot};\nuse wisp_decoder::{MemArg, Operator};\n\n");

    // The enum, in the order `COLD` gives: the hot instructions first, the cold ones after.
    for name in COLD {
        assert!(SPECIAL.iter().any(|s| s.0 == *name), "COLD: {name} is no special instruction");
    }
    let cold = |name: &str| COLD.contains(&name);
    o.push_str("/// One instruction of wisp's internal bytecode: the hand-written special instructions and\n/// every operand-kind form of the numeric and memory operators, the hot ones first (the\n/// threaded backend's handlers are laid out in this order: see the generator's `COLD`).\n");
    o.push_str("#[derive(Debug, Clone, Copy, PartialEq)]\npub enum Instr {\n");
    // Variant 0's handler is the one fat LTO lays out last, after SIMD (`nm -n`, 2026-12-06:
    // `Unreachable` when it was variant 0, then `Br`), so the first variant is a cold one.
    let first = COLD[0];
    let special = |o: &mut String, hot: bool| {
        for (name, fields, d) in SPECIAL.iter().filter(|s| cold(s.0) != hot && (hot || s.0 != first)) {
            writeln!(o, "    /// {d}\n    {name}{},", fields_decl(fields)).unwrap();
        }
    };
    let (name, fields, d) = SPECIAL.iter().find(|s| s.0 == first).unwrap();
    writeln!(o, "    /// {d}\n    {name}{},", fields_decl(fields)).unwrap();
    let generated = |o: &mut String, hot: bool| {
        for f in forms.iter().filter(|f| (f.row == 0) == hot) {
            writeln!(o, "    /// {}\n    {}{},", doc(f), f.name, fields_decl(&f.fields)).unwrap();
        }
    };
    special(&mut o, true);
    generated(&mut o, true);
    for l in &latches {
        let bound = if l.bound == "L" { "local `b`" } else { "constant `bound`" };
        let step = if l.step == "L" { "local `by`" } else { "`step`" };
        writeln!(
            o,
            "    /// Loop latch: `local = local + {step}`, then `br_if target` when `{}` of it and {bound} holds.\n    {}{},",
            l.text,
            l.name,
            fields_decl(&latch_fields(l))
        )
        .unwrap();
    }
    for f in &selects {
        let what = |k: char, role: &str| match k {
            'S' => format!("{role} from the stack"),
            'L' => format!("{role} from a local"),
            _ => format!("{role} an immediate"),
        };
        let dst = if f.dst == D::L { "result into local `dst`" } else { "result pushed" };
        writeln!(
            o,
            "    /// `select`: {}, {}, condition from the stack; {dst}.\n    {}{},",
            what(f.a, "first value"),
            what(f.b, "second value"),
            f.name,
            fields_decl(&f.fields)
        )
        .unwrap();
    }
    special(&mut o, false);
    generated(&mut o, false);
    for f in &simd {
        let row = match f.row {
            0 => "",
            r if MEMORY_ROWS[r].addr64 => " (memory `memory`, 64-bit address)",
            _ => " (memory `memory`, 32-bit address)",
        };
        let kinds = if f.kinds.is_empty() {
            "operands from the stack (a `v128` in two slots)".to_string()
        } else {
            let what: Vec<String> = f
                .kinds
                .chars()
                .map(|k| match k {
                    'S' => "stack",
                    'L' => "local",
                    _ => "local plus constant",
                })
                .map(String::from)
                .collect();
            format!("operands {} (a `v128` local is two slots)", what.join(", "))
        };
        let dst = if f.dst == D::L { "result into local `dst`" } else { "result pushed" };
        writeln!(o, "    /// `{}`{row}: {kinds}; {dst}.\n    {}{},", f.text, f.name, fields_decl(&f.fields)).unwrap();
    }
    o.push_str("}\n\n");

    // Names and branch targets.
    o.push_str("impl Instr {\n    /// The instruction's name, for disassembly and statistics.\n    #[cfg_attr(not(feature = \"internals\"), allow(dead_code))]\n    pub fn mnemonic(&self) -> &'static str {\n        match self {\n");
    for (name, fields, _) in SPECIAL {
        let pat = if fields.is_empty() { String::new() } else { " { .. }".to_string() };
        writeln!(o, "            Instr::{name}{pat} => \"{name}\",").unwrap();
    }
    for f in &forms {
        let pat = if f.fields.is_empty() { String::new() } else { " { .. }".to_string() };
        writeln!(o, "            Instr::{}{pat} => \"{}\",", f.name, f.name).unwrap();
    }
    for f in &simd {
        let pat = if f.fields.is_empty() { String::new() } else { " { .. }".to_string() };
        writeln!(o, "            Instr::{}{pat} => \"{}\",", f.name, f.name).unwrap();
    }
    for l in &latches {
        writeln!(o, "            Instr::{} {{ .. }} => \"{}\",", l.name, l.name).unwrap();
    }
    for f in &selects {
        let pat = if f.fields.is_empty() { String::new() } else { " { .. }".to_string() };
        writeln!(o, "            Instr::{}{pat} => \"{}\",", f.name, f.name).unwrap();
    }
    o.push_str("        }\n    }\n\n");
    o.push_str("    /// The branch target of a branching instruction (a `br_table`'s entries included).\n    pub fn branch_target_mut(&mut self) -> Option<&mut u32> {\n        match self {\n");
    let mut targets: Vec<String> = SPECIAL
        .iter()
        .filter(|(_, fields, _)| fields.iter().any(|f| f.0 == "target"))
        .map(|(n, _, _)| n.to_string())
        .collect();
    targets.extend(
        forms.iter().filter(|f| matches!(f.dst, D::Br | D::BrNot | D::Goto | D::GotoNot)).map(|f| f.name.clone()),
    );
    targets.extend(latches.iter().map(|l| l.name.clone()));
    for chunk in targets.chunks(4) {
        let arms: Vec<String> = chunk.iter().map(|n| format!("Instr::{n} {{ target, .. }}")).collect();
        writeln!(o, "            {} => Some(target),", arms.join(" | ")).unwrap();
    }
    o.push_str("            _ => None,\n        }\n    }\n\n");
    o.push_str("    /// A conditional jump's local, state and target (`Goto`/`GotoNot` forms), for threading.\n    pub fn goto(&self) -> Option<(u32, u32, u32)> {\n        match *self {\n");
    for f in forms.iter().filter(|f| matches!(f.dst, D::Goto | D::GotoNot)) {
        writeln!(
            o,
            "            Instr::{} {{ index, state, target, .. }} => Some((u32::from(index), u32::from(state), target)),",
            f.name
        )
        .unwrap();
    }
    o.push_str("            _ => None,\n        }\n    }\n}\n\n");

    // Operator enums and their facts.
    let family_ops = |fam: &[Family]| -> Vec<(&'static str, &'static str)> {
        let mut v: Vec<(&'static str, &'static str)> = Vec::new();
        for f in &forms {
            if fam.contains(&f.family) && !v.iter().any(|(n, _)| *n == f.op) {
                v.push((f.op, f.text));
            }
        }
        v
    };
    let bins = family_ops(&[Family::Binary, Family::Compare]);
    let uns = family_ops(&[Family::Unary]);
    let loads = family_ops(&[Family::Load]);
    let stores = family_ops(&[Family::Store]);
    let wides = family_ops(&[Family::Wide]);
    let enum_of = |o: &mut String, ty: &str, doc: &str, list: &[(&str, &str)]| {
        writeln!(o, "/// {doc}\n#[derive(Debug, Clone, Copy, PartialEq, Eq)]\npub(crate) enum {ty} {{").unwrap();
        for (n, t) in list {
            writeln!(o, "    /// `{t}`\n    {n},").unwrap();
        }
        o.push_str("}\n\n");
    };
    enum_of(&mut o, "Bin", "Binary numeric operators (comparisons included).", &bins);
    enum_of(&mut o, "Un", "Unary numeric operators (those that compute something on slots).", &uns);
    enum_of(&mut o, "Load", "Loads.", &loads);
    enum_of(&mut o, "Store", "Stores.", &stores);
    enum_of(&mut o, "Wide", "Wide arithmetic: operators with two results.", &wides);

    let bool_fn = |o: &mut String, name: &str, doc: &str, list: &[&str]| {
        writeln!(o, "    /// {doc}\n    pub(crate) fn {name}(self) -> bool {{").unwrap();
        if list.is_empty() {
            o.push_str("        false\n    }\n\n");
        } else {
            let arms: Vec<String> = list.iter().map(|n| format!("Self::{n}")).collect();
            writeln!(o, "        matches!(self, {})\n    }}\n\n", arms.join(" | ")).unwrap();
        }
    };
    let pair_fn = |o: &mut String, name: &str, doc: &str, pairs: Vec<(&str, &str)>| {
        writeln!(o, "    /// {doc}\n    pub(crate) fn {name}(self) -> Option<Self> {{\n        match self {{").unwrap();
        for (a, b) in pairs {
            writeln!(o, "            Self::{a} => Some(Self::{b}),").unwrap();
        }
        o.push_str("            _ => None,\n        }\n    }\n\n");
    };

    o.push_str("impl Bin {\n");
    writeln!(o, "    /// The binary operator `op` is, if it is one.\n    pub(crate) fn of(op: &Operator<'_>) -> Option<Self> {{\n        Some(match op {{").unwrap();
    for (n, _) in &bins {
        writeln!(o, "            Operator::{n} {{}} => Self::{n},").unwrap();
    }
    o.push_str("            _ => return None,\n        })\n    }\n\n");
    let comm: Vec<&str> = bins.iter().map(|b| b.0).filter(|n| COMMUTATIVE.contains(n)).collect();
    bool_fn(&mut o, "commutative", "Whether the operands may be swapped.", &comm);
    let traps: Vec<&str> = bins.iter().map(|b| b.0).filter(|n| TRAPS.contains(n)).collect();
    bool_fn(&mut o, "traps", "Whether the operator can trap (division and remainder by zero, overflow).", &traps);
    let cmps: Vec<&str> =
        forms.iter().filter(|f| f.family == Family::Compare).map(|f| f.op).fold(Vec::new(), |mut v, n| {
            if !v.contains(&n) {
                v.push(n)
            }
            v
        });
    bool_fn(&mut o, "is_compare", "Whether this is a comparison (a branch may consume it).", &cmps);
    let mirrors: Vec<(&str, &str)> = MIRROR.iter().flat_map(|&(a, b)| [(a, b), (b, a)]).collect();
    pair_fn(&mut o, "mirror", "The comparison with swapped operands that gives the same result.", mirrors);
    let inverses: Vec<(&str, &str)> = INVERSE.iter().flat_map(|&(a, b)| [(a, b), (b, a)]).collect();
    pair_fn(&mut o, "inverse", "The comparison that is true exactly when this one is false.", inverses);
    pair_fn(
        &mut o,
        "add_of_sub",
        "The addition a subtraction of a constant is (of the constant negated).",
        SUB_AS_ADD.to_vec(),
    );
    o.push_str("    /// The result of the operator on two constants' slot bits, computed by the handlers' own\n    /// semantic function; `None` when it traps (the trap is left to run time).\n");
    o.push_str("    pub(crate) fn fold(self, a: u64, b: u64) -> Option<u64> {\n        Some(match self {\n");
    for (n, t) in &bins {
        let q = if TRAPS.contains(n) { ".ok()?" } else { "" };
        writeln!(o, "            Self::{n} => Slot::to_slot({}(Slot::from_slot(a), Slot::from_slot(b)){q}),", sem(t))
            .unwrap();
    }
    o.push_str("        })\n    }\n\n");
    o.push_str("    /// The form for these operand kinds and destination, if the instruction set has it.\n");
    o.push_str("    /// The loop latch stepping local `local` by `step` (slot bits) and comparing it with `bound`,\n    /// if the instruction set has it for these operands.\n");
    o.push_str("    pub(crate) fn latch(self, local: u32, step: u64, bound: Opd, target: u32) -> Option<Instr> {\n");
    o.push_str("        let local = u16::try_from(local).ok()?;\n        let step = i16::try_from(step as i64).ok()?;\n        Some(match (self, bound) {\n");
    for l in latches.iter().filter(|l| l.step == "I") {
        let arm = match (l.bound, l.ty) {
            ("L", _) => format!("(Self::{}, Opd::L(b)) => Instr::{} {{ local, step, b: u16::try_from(b).ok()?, target }},", l.cmp, l.name),
            (_, "i32") => format!("(Self::{}, Opd::I(bound)) => Instr::{} {{ local, step, bound: bound as u32, target }},", l.cmp, l.name),
            _ => format!("(Self::{}, Opd::I(bound)) if fits_i32(bound) => Instr::{} {{ local, step, bound: bound as i32, target }},", l.cmp, l.name),
        };
        writeln!(o, "            {arm}").unwrap();
    }
    o.push_str("            _ => return None,\n        })\n    }\n\n");
    o.push_str("    /// The loop latch stepping local `local` by local `by` and comparing it with local `b`.\n");
    o.push_str("    pub(crate) fn latch_by(self, local: u32, by: u32, b: u32, target: u32) -> Option<Instr> {\n");
    o.push_str("        let (local, by, b) = (u16::try_from(local).ok()?, u16::try_from(by).ok()?, u16::try_from(b).ok()?);\n        Some(match self {\n");
    for l in latches.iter().filter(|l| l.step == "L") {
        writeln!(o, "            Self::{} => Instr::{} {{ local, by, b, target }},", l.cmp, l.name).unwrap();
    }
    o.push_str("            _ => return None,\n        })\n    }\n\n");
    o.push_str("    /// The form for these operand kinds and destination, if the instruction set has it.\n");
    o.push_str("    pub(crate) fn form(self, a: Opd, b: Opd, d: Dst) -> Option<Instr> {\n        Some(match (self, (a, b), d) {\n");
    for f in forms.iter().filter(|f| matches!(f.family, Family::Binary | Family::Compare)) {
        writeln!(o, "            {}", select_arm(f, "Self")).unwrap();
    }
    o.push_str("            _ => return None,\n        })\n    }\n\n");
    o.push_str("    /// The form of `c self (a * b)` (`self` an add or sub, the product its right operand) for\n    /// these operand kinds and destination, if the instruction set has it.\n");
    o.push_str("    pub(crate) fn mul_form(self, c: Opd, a: Opd, b: Opd, d: Dst) -> Option<Instr> {\n        Some(match (self, (c, a, b), d) {\n");
    for f in forms.iter().filter(|f| f.family == Family::MulAdd) {
        writeln!(o, "            {}", select_arm(f, "Self")).unwrap();
    }
    o.push_str("            _ => return None,\n        })\n    }\n\n");
    o.push_str("    /// The form of `c self (a shift k)` (`self` commutative, `shift` a shift by the constant\n    /// `k`) for these operand kinds and destination, if the instruction set has it.\n");
    o.push_str("    pub(crate) fn shifted_form(self, shift: Self, c: Opd, a: Opd, k: u64, d: Dst) -> Option<Instr> {\n        Some(match (self, shift, (c, a), d) {\n");
    for f in forms.iter().filter(|f| f.family == Family::Shifted) {
        writeln!(o, "            {}", select_arm(f, "Self")).unwrap();
    }
    o.push_str("            _ => return None,\n        })\n    }\n}\n\n");

    o.push_str("impl Un {\n");
    writeln!(o, "    /// The unary operator `op` is, if it is one that computes something.\n    pub(crate) fn of(op: &Operator<'_>) -> Option<Self> {{\n        Some(match op {{").unwrap();
    for (n, _) in &uns {
        writeln!(o, "            Operator::{n} {{}} => Self::{n},").unwrap();
    }
    o.push_str("            _ => return None,\n        })\n    }\n\n");
    let tests: Vec<&str> = uns.iter().map(|u| u.0).filter(|n| TESTS.contains(n)).collect();
    bool_fn(&mut o, "is_test", "Whether a branch may consume the result (`eqz`).", &tests);
    let traps: Vec<&str> = uns.iter().map(|u| u.0).filter(|n| TRAPS.contains(n)).collect();
    bool_fn(&mut o, "traps", "Whether the operator can trap (a float-to-integer truncation).", &traps);
    o.push_str("    /// The result on a constant's slot bits; `None` when it traps.\n    pub(crate) fn fold(self, a: u64) -> Option<u64> {\n        Some(match self {\n");
    for (n, t) in &uns {
        let q = if TRAPS.contains(n) { ".ok()?" } else { "" };
        writeln!(o, "            Self::{n} => Slot::to_slot({}(Slot::from_slot(a)){q}),", sem(t)).unwrap();
    }
    o.push_str("        })\n    }\n\n");
    o.push_str("    /// The form for this operand kind and destination, if the instruction set has it.\n");
    o.push_str("    pub(crate) fn form(self, a: Opd, d: Dst) -> Option<Instr> {\n        Some(match (self, a, d) {\n");
    for f in forms.iter().filter(|f| f.family == Family::Unary) {
        writeln!(o, "            {}", select_arm(f, "Self")).unwrap();
    }
    o.push_str("            _ => return None,\n        })\n    }\n}\n\n");

    o.push_str("impl Wide {\n");
    o.push_str("    /// How many operands the operator takes (a 128-bit operand is two).\n    pub(crate) fn arity(self) -> usize {\n        match self {\n");
    for (n, _) in &wides {
        let f = forms.iter().find(|f| f.op == *n).expect("a wide operator has forms");
        writeln!(o, "            Self::{n} => {},", f.kinds.len()).unwrap();
    }
    o.push_str("        }\n    }\n\n");
    o.push_str("    /// Whether the two operands may be swapped.\n    pub(crate) fn commutative(self) -> bool {\n");
    let comm: Vec<String> =
        wides.iter().filter(|(n, _)| n.starts_with("I64MulWide")).map(|(n, _)| format!("Self::{n}")).collect();
    writeln!(o, "        matches!(self, {})\n    }}\n", comm.join(" | ")).unwrap();
    o.push_str("    /// The form for these operand kinds (bottom first; the results are pushed), if the\n    /// instruction set has it.\n");
    o.push_str(
        "    pub(crate) fn form(self, opds: &[Opd]) -> Option<Instr> {\n        Some(match (self, opds, Dst::S) {\n",
    );
    for f in forms.iter().filter(|f| f.family == Family::Wide) {
        writeln!(o, "            {}", select_arm(f, "Self")).unwrap();
    }
    o.push_str("            _ => return None,\n        })\n    }\n}\n\n");

    for (ty, list, fam) in [("Load", &loads, Family::Load), ("Store", &stores, Family::Store)] {
        writeln!(o, "impl {ty} {{").unwrap();
        writeln!(o, "    /// The {} `op` is, with its memory argument.\n    pub(crate) fn of(op: &Operator<'_>) -> Option<(Self, MemArg)> {{\n        Some(match *op {{", ty.to_lowercase()).unwrap();
        for (n, _) in list.iter() {
            writeln!(o, "            Operator::{n} {{ memarg }} => (Self::{n}, memarg),").unwrap();
        }
        o.push_str("            _ => return None,\n        })\n    }\n\n");
        if fam == Family::Load {
            o.push_str("    /// The form for this address kind and destination (`offset` from the memory argument).\n");
            o.push_str("    pub(crate) fn form(self, addr: Addr, offset: u32, d: Dst) -> Option<Instr> {\n        Some(match (self, addr, d) {\n");
        } else {
            o.push_str("    /// The form for these address and value kinds (`offset` from the memory argument).\n");
            o.push_str("    pub(crate) fn form(self, addr: Addr, value: Opd, offset: u32) -> Option<Instr> {\n        let d = Dst::S;\n        Some(match (self, (addr, value), d) {\n");
        }
        for f in forms.iter().filter(|f| f.family == fam && f.row == 0) {
            writeln!(o, "            {}", select_arm(f, "Self")).unwrap();
        }
        o.push_str("            _ => return None,\n        })\n    }\n\n");
        // The other rows: every operand on the stack, the row chosen by the address width.
        o.push_str("    /// The form on memory `memory` of another row than memory 0's 32-bit one (every operand\n    /// on the stack): `addr64` for a 64-bit memory; `None` when an offset does not fit its row.\n");
        o.push_str("    pub(crate) fn form_at(self, memory: u32, offset: u64, addr64: bool) -> Option<Instr> {\n        Some(match (self, addr64) {\n");
        for f in forms.iter().filter(|f| f.family == fam && f.row != 0) {
            let row = &MEMORY_ROWS[f.row];
            let offset = if row.fields.iter().any(|x| *x == ("offset", "u64")) {
                "offset"
            } else {
                "offset: u32::try_from(offset).ok()?"
            };
            writeln!(o, "            (Self::{}, {}) => Instr::{} {{ memory, {offset} }},", f.op, row.addr64, f.name)
                .unwrap();
        }
        o.push_str("        })\n    }\n}\n\n");
    }

    // SIMD operand kinds.
    let kinded: Vec<&SimdForm> =
        simd.iter().filter(|f| SIMD_KINDS.contains(&f.op) && f.sig.contains("->") && f.kinds.is_empty()).collect();
    o.push_str("/// The SIMD operators with operand-kind forms (but `v128.load`, `v128_load_form`).\n#[derive(Debug, Clone, Copy, PartialEq, Eq)]\npub(crate) enum SimdOp {\n");
    for f in &kinded {
        writeln!(o, "    /// `{}`\n    {},", f.text, f.op).unwrap();
    }
    o.push_str("}\n\n");
    // The arm selecting form `g`: `Opd::L(x)` is the `v128` local at slot `x`.
    let arm = |g: &SimdForm, head: String| -> String {
        let mut inits = Vec::new();
        let mut pats = Vec::new();
        let access = g.sig.starts_with("load") || g.sig.starts_with("store");
        let roles: &[&str] = if g.sig.starts_with("load") {
            &["addr"]
        } else if access {
            &["addr", "value"]
        } else {
            &["a", "b"]
        };
        let init = |name: &str| field_init(&g.fields, name, false);
        for (k, role) in g.kinds.chars().zip(roles) {
            let ty = if *role == "addr" { "Addr" } else { "Opd" };
            match k {
                'S' => pats.push(format!("{ty}::S")),
                'L' => {
                    pats.push(format!("{ty}::L({role})"));
                    inits.push(field_init(&g.fields, role, ty == "Opd"));
                }
                _ => {
                    pats.push(format!("Addr::A({role}, add)"));
                    inits.push(init(role));
                    inits.push("add".to_string());
                }
            }
        }
        if access {
            inits.push("offset".to_string());
        }
        let dpat = if g.dst == D::L {
            inits.push(init("dst"));
            "Dst::L(dst)"
        } else {
            "Dst::S"
        };
        let init = if inits.is_empty() { String::new() } else { format!(" {{ {} }}", inits.join(", ")) };
        let pat = match (access, pats.len()) {
            (true, 1) => pats[0].clone(),
            (true, _) => format!("({})", pats.join(", ")),
            _ => format!("&[{}]", pats.join(", ")),
        };
        format!("            ({head}{pat}, {dpat}) => Instr::{}{init},", g.name)
    };
    o.push_str("impl SimdOp {\n    /// How many `v128` operands the operator takes.\n    pub(crate) fn arity(self) -> usize {\n        match self {\n");
    for f in &kinded {
        writeln!(o, "            Self::{} => {},", f.op, f.pops / 2).unwrap();
    }
    o.push_str("        }\n    }\n\n");
    o.push_str("    /// The form for these operand kinds (bottom first; `Opd::L(x)`: the `v128` local at slot\n    /// `x`) and destination, if the instruction set has it.\n");
    o.push_str(
        "    pub(crate) fn form(self, opds: &[Opd], d: Dst) -> Option<Instr> {\n        Some(match (self, opds, d) {\n",
    );
    for f in &kinded {
        writeln!(
            o,
            "            (Self::{}, &[{}], Dst::S) => Instr::{},",
            f.op,
            vec!["Opd::S"; f.pops as usize / 2].join(", "),
            f.name
        )
        .unwrap();
        for g in simd.iter().filter(|g| g.op == f.op && !g.kinds.is_empty()) {
            writeln!(o, "{}", arm(g, format!("Self::{}, ", g.op))).unwrap();
        }
    }
    o.push_str("            _ => return None,\n        })\n    }\n}\n\n");
    o.push_str("/// The `v128.load` form on memory 0 with 32-bit addresses for this address kind and\n/// destination (`offset` from the memory argument), if the instruction set has it.\n");
    o.push_str("pub(crate) fn v128_load_form(addr: Addr, offset: u32, d: Dst) -> Option<Instr> {\n    Some(match (addr, d) {\n");
    o.push_str("        (Addr::S, Dst::S) => Instr::V128Load { offset },\n");
    for g in simd.iter().filter(|g| g.op == "V128Load" && !g.kinds.is_empty()) {
        writeln!(o, "{}", &arm(g, String::new())[4..]).unwrap();
    }
    o.push_str("        _ => return None,\n    })\n}\n\n");
    o.push_str("/// The `v128.store` form on memory 0 with 32-bit addresses for these address and value kinds\n/// (`offset` from the memory argument), if the instruction set has it.\n");
    o.push_str("pub(crate) fn v128_store_form(addr: Addr, value: Opd, offset: u32) -> Option<Instr> {\n    Some(match ((addr, value), Dst::S) {\n");
    o.push_str("        ((Addr::S, Opd::S), Dst::S) => Instr::V128Store { offset },\n");
    for g in simd.iter().filter(|g| g.op == "V128Store" && !g.kinds.is_empty()) {
        writeln!(o, "{}", &arm(g, String::new())[4..]).unwrap();
    }
    o.push_str("        _ => return None,\n    })\n}\n\n");

    // The translator's arms: each numeric and memory operator names its family's operator in
    // the translator's own match, so the Wasm operator is dispatched on once (`Bin::of` and the
    // like stay for the idioms that look ahead).
    o.push_str("/// The translator's match on a Wasm operator: `$t`'s arm for every numeric and memory\n/// operator (each a `return` of how many operators ahead it consumed), then the caller's arms.\n");
    o.push_str("macro_rules! translate_operator {\n    ($op:expr, $t:ident, $ahead:ident, { $($arms:tt)* }) => {\n        match $op {\n");
    for (n, _) in &bins {
        writeln!(o, "            Operator::{n} {{}} => return $t.binary(Bin::{n}, $ahead),").unwrap();
    }
    for (n, _) in &uns {
        writeln!(o, "            Operator::{n} {{}} => return $t.unary(Un::{n}, $ahead),").unwrap();
    }
    for (n, _) in &loads {
        writeln!(o, "            Operator::{n} {{ memarg }} => return $t.load(Load::{n}, memarg, $ahead),").unwrap();
    }
    for (n, _) in &stores {
        writeln!(o, "            Operator::{n} {{ memarg }} => return $t.store(Store::{n}, memarg),").unwrap();
    }
    for (n, _) in &wides {
        writeln!(o, "            Operator::{n} {{}} => return $t.wide(Wide::{n}),").unwrap();
    }
    for f in simd.iter().filter(|f| f.pat != " { .. }" && f.row == 0 && f.kinds.is_empty()) {
        if SIMD_KINDS.contains(&f.op) {
            if !f.sig.contains("->") {
                // Memory 0 with 32-bit addresses has the operand kinds; the other rows follow.
                let call = if f.sig.starts_with("load") { "v128_load(memarg, $ahead)" } else { "v128_store(memarg)" };
                writeln!(o, "            Operator::{}{} if $t.first_row(&memarg) => return $t.{call},", f.op, f.pat)
                    .unwrap();
            } else {
                writeln!(
                    o,
                    "            Operator::{}{} => return $t.simd_kinds(SimdOp::{}, $ahead),",
                    f.op, f.pat, f.op
                )
                .unwrap();
                continue;
            }
        }
        let rows: Vec<&SimdForm> = simd.iter().filter(|g| g.op == f.op && g.kinds.is_empty()).collect();
        let instr = if rows.len() == 1 {
            format!("Instr::{}{}", f.name, f.init)
        } else {
            // The memory row of the access (`memory_row`: an index into the description's rows).
            let arms: Vec<String> = rows
                .iter()
                .map(|g| {
                    let pat = if g.row + 1 == rows.len() { "_".to_string() } else { g.row.to_string() };
                    format!("{pat} => Instr::{}{}", g.name, g.init)
                })
                .collect();
            format!("match $t.memory_row(&memarg) {{ {} }}", arms.join(", "))
        };
        writeln!(
            o,
            "            Operator::{}{} => {{ $t.simd({}, {instr}, {}); return 0 }}",
            f.op, f.pat, f.pops, f.pushes
        )
        .unwrap();
    }
    o.push_str("            $($arms)*\n        }\n    };\n}\npub(crate) use translate_operator;\n\n");

    o.push_str("/// The `select` form for its two values' kinds (the condition on the stack) and destination,\n/// if the instruction set has it.\n");
    o.push_str("pub(crate) fn select_form(a: Opd, b: Opd, d: Dst) -> Option<Instr> {\n    Some(match (a, b, d) {\n");
    for f in &selects {
        let pat = |k: char, local: &str| match k {
            'S' => "Opd::S".to_string(),
            'L' => format!("Opd::L({local})"),
            _ => "Opd::I(imm)".to_string(),
        };
        let init: Vec<String> = f
            .fields
            .iter()
            // The values' locals `a` and `b` come from `Opd::L`.
            .map(|(n, _)| field_init(&f.fields, n, matches!(*n, "a" | "b")))
            .collect();
        let init = if init.is_empty() { String::new() } else { format!(" {{ {} }}", init.join(", ")) };
        let dpat = if f.dst == D::L { "Dst::L(dst)" } else { "Dst::S" };
        writeln!(o, "        ({}, {}, {dpat}) => Instr::{}{init},", pat(f.a, "a"), pat(f.b, "b"), f.name).unwrap();
    }
    o.push_str("        _ => return None,\n    })\n}\n\n");

    // Handlers.
    // Two blocks, hot and cold as in the enum: a build without LTO lays out each module's
    // handlers by symbol name, so the threaded backend keeps the blocks in modules of their own.
    o.push_str("/// The handlers of every generated form, handed to a dispatch backend's macro `$m` after\n/// the caller's tokens in two blocks, hot and cold (as `Instr` orders them), each followed by\n/// the hand-written handlers of its kind (`hot`, `cold`).\n");
    o.push_str("macro_rules! generated_handlers {\n    ($m:ident ($($extra:tt)*) { $($hot:tt)* } { $($cold:tt)* }) => {\n        $m! {\n            $($extra)* ; {\n");
    for f in forms.iter().filter(|f| f.row == 0) {
        writeln!(o, "            {}{} => {},", f.name, fields_pat(&f.fields), body(f)).unwrap();
    }
    for l in &latches {
        writeln!(o, "            {}{} => {},", l.name, fields_pat(&latch_fields(l)), latch_body(l)).unwrap();
    }
    for f in &selects {
        writeln!(o, "            {}{} => {},", f.name, fields_pat(&f.fields), f.body).unwrap();
    }
    o.push_str("            $($hot)*\n            } {\n");
    for f in forms.iter().filter(|f| f.row != 0) {
        writeln!(o, "            {}{} => {},", f.name, fields_pat(&f.fields), body(f)).unwrap();
    }
    for f in &simd {
        writeln!(o, "            {}{} => {},", f.name, fields_pat(&f.fields), f.body).unwrap();
    }
    o.push_str("            $($cold)*\n            }\n        }\n    };\n}\npub(crate) use generated_handlers;\n\n");

    // The table of forms for the coverage test.
    o.push_str("/// Every generated form: what the coverage test walks.\n#[cfg_attr(not(feature = \"internals\"), allow(dead_code))]\npub const FORMS: &[FormInfo] = &[\n");
    for f in &forms {
        let fam = match f.family {
            Family::Binary => "binary",
            Family::Compare => "compare",
            Family::Unary => "unary",
            Family::Load => "load",
            Family::Store => "store",
            Family::MulAdd => "muladd",
            Family::Wide => "wide",
            Family::Shifted => "shifted",
        };
        writeln!(
            o,
            "    FormInfo {{ name: \"{}\", op: \"{}\", family: \"{fam}\", kinds: \"{}\", dst: \"{}\", narrow_imm: {}, memory_row: \"{}\", inner: \"{}\" }},",
            f.name,
            f.text,
            kinds_name(&f.kinds),
            f.dst.name(),
            f.imm == Some("i32"),
            MEMORY_ROWS[f.row].suffix,
            f.inner.1
        )
        .unwrap();
    }
    for l in &latches {
        writeln!(
            o,
            "    FormInfo {{ name: \"{}\", op: \"{}\", family: \"latch\", kinds: \"L{}{}\", dst: \"Br\", narrow_imm: {}, memory_row: \"\", inner: \"\" }},",
            l.name,
            l.text,
            l.step,
            l.bound,
            l.bound == "I" && l.ty == "i64"
        )
        .unwrap();
    }
    for f in &selects {
        writeln!(
            o,
            "    FormInfo {{ name: \"{}\", op: \"select\", family: \"select\", kinds: \"{}{}S\", dst: \"{}\", narrow_imm: false, memory_row: \"\", inner: \"\" }},",
            f.name,
            f.a,
            f.b,
            f.dst.name()
        )
        .unwrap();
    }
    o.push_str("];\n\n");
    o.push_str("/// Every SIMD form (one per operator and, for memory access, memory row): what the coverage\n/// test walks.\n#[cfg_attr(not(feature = \"internals\"), allow(dead_code))]\npub const SIMD_FORMS: &[SimdFormInfo] = &[\n");
    for f in &simd {
        writeln!(
            o,
            "    SimdFormInfo {{ name: \"{}\", op: \"{}\", sig: \"{}\", memory_row: \"{}\", kinds: \"{}\", dst: \"{}\" }},",
            f.name,
            f.text,
            f.sig,
            MEMORY_ROWS[f.row].suffix,
            f.kinds,
            f.dst.name()
        )
        .unwrap();
    }
    o.push_str("];\n");
    o
}
