//! The WebAssembly instruction set, written once.
//!
//! `for_each_operator!` hands every operator to a macro of the caller's: the proposal that added
//! it, its opcode (prefixed opcodes are `prefix << 24 | sub-opcode`), its name, its immediates
//! (each with the reader function in [`imm`]), its type signature, and its text name.
//!
//! The signature column is `[a b -> c]` for operators whose typing is a plain pop/push (the
//! validator and translator handle all of those generically), `[load T A]` / `[store T A]` for
//! memory accesses of value type `T` and natural alignment `2^A`, and `[]` for operators whose
//! typing needs their own code (control flow, locals, globals, tables, references, ...).
//!
//! The reader, the [`Operator`] enum and its names are expanded from it here; the validator
//! and the translator expand it again, so the four can never drift apart.

use crate::error::{Error, ErrorKind, OpcodeDisplay, Result};
use crate::reader::BinaryReader;
use crate::types::{BlockType, MemArg, RefType, ValType};
use crate::Features;

#[macro_export]
macro_rules! for_each_operator {
    ($m:ident) => {
        $m! {
            mvp 0x00 Unreachable {} [] "unreachable"
            mvp 0x01 Nop {} [->] "nop"
            mvp 0x02 Block { blockty: $crate::BlockType = block_type } [] "block"
            mvp 0x03 Loop { blockty: $crate::BlockType = block_type } [] "loop"
            mvp 0x04 If { blockty: $crate::BlockType = block_type } [] "if"
            mvp 0x05 Else {} [] "else"
            mvp 0x0b End {} [] "end"
            mvp 0x0c Br { relative_depth: u32 = var_u32 } [] "br"
            mvp 0x0d BrIf { relative_depth: u32 = var_u32 } [] "br_if"
            mvp 0x0e BrTable { targets: $crate::BrTable<'a> = br_table } [] "br_table"
            mvp 0x0f Return {} [] "return"
            mvp 0x10 Call { function_index: u32 = var_u32 } [] "call"
            mvp 0x11 CallIndirect { type_index: u32 = var_u32, table_index: u32 = table_index } [] "call_indirect"
            mvp 0x1a Drop {} [] "drop"
            mvp 0x1b Select {} [] "select"
            ref 0x1c TypedSelect { ty: $crate::ValType = select_type } [] "select"
            mvp 0x20 LocalGet { local_index: u32 = var_u32 } [] "local.get"
            mvp 0x21 LocalSet { local_index: u32 = var_u32 } [] "local.set"
            mvp 0x22 LocalTee { local_index: u32 = var_u32 } [] "local.tee"
            mvp 0x23 GlobalGet { global_index: u32 = var_u32 } [] "global.get"
            mvp 0x24 GlobalSet { global_index: u32 = var_u32 } [] "global.set"
            ref 0x25 TableGet { table: u32 = var_u32 } [] "table.get"
            ref 0x26 TableSet { table: u32 = var_u32 } [] "table.set"
            mvp 0x28 I32Load { memarg: $crate::MemArg = memarg } [load i32 2] "i32.load"
            mvp 0x29 I64Load { memarg: $crate::MemArg = memarg } [load i64 3] "i64.load"
            mvp 0x2a F32Load { memarg: $crate::MemArg = memarg } [load f32 2] "f32.load"
            mvp 0x2b F64Load { memarg: $crate::MemArg = memarg } [load f64 3] "f64.load"
            mvp 0x2c I32Load8S { memarg: $crate::MemArg = memarg } [load i32 0] "i32.load8_s"
            mvp 0x2d I32Load8U { memarg: $crate::MemArg = memarg } [load i32 0] "i32.load8_u"
            mvp 0x2e I32Load16S { memarg: $crate::MemArg = memarg } [load i32 1] "i32.load16_s"
            mvp 0x2f I32Load16U { memarg: $crate::MemArg = memarg } [load i32 1] "i32.load16_u"
            mvp 0x30 I64Load8S { memarg: $crate::MemArg = memarg } [load i64 0] "i64.load8_s"
            mvp 0x31 I64Load8U { memarg: $crate::MemArg = memarg } [load i64 0] "i64.load8_u"
            mvp 0x32 I64Load16S { memarg: $crate::MemArg = memarg } [load i64 1] "i64.load16_s"
            mvp 0x33 I64Load16U { memarg: $crate::MemArg = memarg } [load i64 1] "i64.load16_u"
            mvp 0x34 I64Load32S { memarg: $crate::MemArg = memarg } [load i64 2] "i64.load32_s"
            mvp 0x35 I64Load32U { memarg: $crate::MemArg = memarg } [load i64 2] "i64.load32_u"
            mvp 0x36 I32Store { memarg: $crate::MemArg = memarg } [store i32 2] "i32.store"
            mvp 0x37 I64Store { memarg: $crate::MemArg = memarg } [store i64 3] "i64.store"
            mvp 0x38 F32Store { memarg: $crate::MemArg = memarg } [store f32 2] "f32.store"
            mvp 0x39 F64Store { memarg: $crate::MemArg = memarg } [store f64 3] "f64.store"
            mvp 0x3a I32Store8 { memarg: $crate::MemArg = memarg } [store i32 0] "i32.store8"
            mvp 0x3b I32Store16 { memarg: $crate::MemArg = memarg } [store i32 1] "i32.store16"
            mvp 0x3c I64Store8 { memarg: $crate::MemArg = memarg } [store i64 0] "i64.store8"
            mvp 0x3d I64Store16 { memarg: $crate::MemArg = memarg } [store i64 1] "i64.store16"
            mvp 0x3e I64Store32 { memarg: $crate::MemArg = memarg } [store i64 2] "i64.store32"
            mvp 0x3f MemorySize { mem: u32 = memory_index } [] "memory.size"
            mvp 0x40 MemoryGrow { mem: u32 = memory_index } [] "memory.grow"
            mvp 0x41 I32Const { value: i32 = var_i32 } [-> i32] "i32.const"
            mvp 0x42 I64Const { value: i64 = var_i64 } [-> i64] "i64.const"
            mvp 0x43 F32Const { value: $crate::Ieee32 = ieee32 } [-> f32] "f32.const"
            mvp 0x44 F64Const { value: $crate::Ieee64 = ieee64 } [-> f64] "f64.const"
            mvp 0x45 I32Eqz {} [i32 -> i32] "i32.eqz"
            mvp 0x46 I32Eq {} [i32 i32 -> i32] "i32.eq"
            mvp 0x47 I32Ne {} [i32 i32 -> i32] "i32.ne"
            mvp 0x48 I32LtS {} [i32 i32 -> i32] "i32.lt_s"
            mvp 0x49 I32LtU {} [i32 i32 -> i32] "i32.lt_u"
            mvp 0x4a I32GtS {} [i32 i32 -> i32] "i32.gt_s"
            mvp 0x4b I32GtU {} [i32 i32 -> i32] "i32.gt_u"
            mvp 0x4c I32LeS {} [i32 i32 -> i32] "i32.le_s"
            mvp 0x4d I32LeU {} [i32 i32 -> i32] "i32.le_u"
            mvp 0x4e I32GeS {} [i32 i32 -> i32] "i32.ge_s"
            mvp 0x4f I32GeU {} [i32 i32 -> i32] "i32.ge_u"
            mvp 0x50 I64Eqz {} [i64 -> i32] "i64.eqz"
            mvp 0x51 I64Eq {} [i64 i64 -> i32] "i64.eq"
            mvp 0x52 I64Ne {} [i64 i64 -> i32] "i64.ne"
            mvp 0x53 I64LtS {} [i64 i64 -> i32] "i64.lt_s"
            mvp 0x54 I64LtU {} [i64 i64 -> i32] "i64.lt_u"
            mvp 0x55 I64GtS {} [i64 i64 -> i32] "i64.gt_s"
            mvp 0x56 I64GtU {} [i64 i64 -> i32] "i64.gt_u"
            mvp 0x57 I64LeS {} [i64 i64 -> i32] "i64.le_s"
            mvp 0x58 I64LeU {} [i64 i64 -> i32] "i64.le_u"
            mvp 0x59 I64GeS {} [i64 i64 -> i32] "i64.ge_s"
            mvp 0x5a I64GeU {} [i64 i64 -> i32] "i64.ge_u"
            mvp 0x5b F32Eq {} [f32 f32 -> i32] "f32.eq"
            mvp 0x5c F32Ne {} [f32 f32 -> i32] "f32.ne"
            mvp 0x5d F32Lt {} [f32 f32 -> i32] "f32.lt"
            mvp 0x5e F32Gt {} [f32 f32 -> i32] "f32.gt"
            mvp 0x5f F32Le {} [f32 f32 -> i32] "f32.le"
            mvp 0x60 F32Ge {} [f32 f32 -> i32] "f32.ge"
            mvp 0x61 F64Eq {} [f64 f64 -> i32] "f64.eq"
            mvp 0x62 F64Ne {} [f64 f64 -> i32] "f64.ne"
            mvp 0x63 F64Lt {} [f64 f64 -> i32] "f64.lt"
            mvp 0x64 F64Gt {} [f64 f64 -> i32] "f64.gt"
            mvp 0x65 F64Le {} [f64 f64 -> i32] "f64.le"
            mvp 0x66 F64Ge {} [f64 f64 -> i32] "f64.ge"
            mvp 0x67 I32Clz {} [i32 -> i32] "i32.clz"
            mvp 0x68 I32Ctz {} [i32 -> i32] "i32.ctz"
            mvp 0x69 I32Popcnt {} [i32 -> i32] "i32.popcnt"
            mvp 0x6a I32Add {} [i32 i32 -> i32] "i32.add"
            mvp 0x6b I32Sub {} [i32 i32 -> i32] "i32.sub"
            mvp 0x6c I32Mul {} [i32 i32 -> i32] "i32.mul"
            mvp 0x6d I32DivS {} [i32 i32 -> i32] "i32.div_s"
            mvp 0x6e I32DivU {} [i32 i32 -> i32] "i32.div_u"
            mvp 0x6f I32RemS {} [i32 i32 -> i32] "i32.rem_s"
            mvp 0x70 I32RemU {} [i32 i32 -> i32] "i32.rem_u"
            mvp 0x71 I32And {} [i32 i32 -> i32] "i32.and"
            mvp 0x72 I32Or {} [i32 i32 -> i32] "i32.or"
            mvp 0x73 I32Xor {} [i32 i32 -> i32] "i32.xor"
            mvp 0x74 I32Shl {} [i32 i32 -> i32] "i32.shl"
            mvp 0x75 I32ShrS {} [i32 i32 -> i32] "i32.shr_s"
            mvp 0x76 I32ShrU {} [i32 i32 -> i32] "i32.shr_u"
            mvp 0x77 I32Rotl {} [i32 i32 -> i32] "i32.rotl"
            mvp 0x78 I32Rotr {} [i32 i32 -> i32] "i32.rotr"
            mvp 0x79 I64Clz {} [i64 -> i64] "i64.clz"
            mvp 0x7a I64Ctz {} [i64 -> i64] "i64.ctz"
            mvp 0x7b I64Popcnt {} [i64 -> i64] "i64.popcnt"
            mvp 0x7c I64Add {} [i64 i64 -> i64] "i64.add"
            mvp 0x7d I64Sub {} [i64 i64 -> i64] "i64.sub"
            mvp 0x7e I64Mul {} [i64 i64 -> i64] "i64.mul"
            mvp 0x7f I64DivS {} [i64 i64 -> i64] "i64.div_s"
            mvp 0x80 I64DivU {} [i64 i64 -> i64] "i64.div_u"
            mvp 0x81 I64RemS {} [i64 i64 -> i64] "i64.rem_s"
            mvp 0x82 I64RemU {} [i64 i64 -> i64] "i64.rem_u"
            mvp 0x83 I64And {} [i64 i64 -> i64] "i64.and"
            mvp 0x84 I64Or {} [i64 i64 -> i64] "i64.or"
            mvp 0x85 I64Xor {} [i64 i64 -> i64] "i64.xor"
            mvp 0x86 I64Shl {} [i64 i64 -> i64] "i64.shl"
            mvp 0x87 I64ShrS {} [i64 i64 -> i64] "i64.shr_s"
            mvp 0x88 I64ShrU {} [i64 i64 -> i64] "i64.shr_u"
            mvp 0x89 I64Rotl {} [i64 i64 -> i64] "i64.rotl"
            mvp 0x8a I64Rotr {} [i64 i64 -> i64] "i64.rotr"
            mvp 0x8b F32Abs {} [f32 -> f32] "f32.abs"
            mvp 0x8c F32Neg {} [f32 -> f32] "f32.neg"
            mvp 0x8d F32Ceil {} [f32 -> f32] "f32.ceil"
            mvp 0x8e F32Floor {} [f32 -> f32] "f32.floor"
            mvp 0x8f F32Trunc {} [f32 -> f32] "f32.trunc"
            mvp 0x90 F32Nearest {} [f32 -> f32] "f32.nearest"
            mvp 0x91 F32Sqrt {} [f32 -> f32] "f32.sqrt"
            mvp 0x92 F32Add {} [f32 f32 -> f32] "f32.add"
            mvp 0x93 F32Sub {} [f32 f32 -> f32] "f32.sub"
            mvp 0x94 F32Mul {} [f32 f32 -> f32] "f32.mul"
            mvp 0x95 F32Div {} [f32 f32 -> f32] "f32.div"
            mvp 0x96 F32Min {} [f32 f32 -> f32] "f32.min"
            mvp 0x97 F32Max {} [f32 f32 -> f32] "f32.max"
            mvp 0x98 F32Copysign {} [f32 f32 -> f32] "f32.copysign"
            mvp 0x99 F64Abs {} [f64 -> f64] "f64.abs"
            mvp 0x9a F64Neg {} [f64 -> f64] "f64.neg"
            mvp 0x9b F64Ceil {} [f64 -> f64] "f64.ceil"
            mvp 0x9c F64Floor {} [f64 -> f64] "f64.floor"
            mvp 0x9d F64Trunc {} [f64 -> f64] "f64.trunc"
            mvp 0x9e F64Nearest {} [f64 -> f64] "f64.nearest"
            mvp 0x9f F64Sqrt {} [f64 -> f64] "f64.sqrt"
            mvp 0xa0 F64Add {} [f64 f64 -> f64] "f64.add"
            mvp 0xa1 F64Sub {} [f64 f64 -> f64] "f64.sub"
            mvp 0xa2 F64Mul {} [f64 f64 -> f64] "f64.mul"
            mvp 0xa3 F64Div {} [f64 f64 -> f64] "f64.div"
            mvp 0xa4 F64Min {} [f64 f64 -> f64] "f64.min"
            mvp 0xa5 F64Max {} [f64 f64 -> f64] "f64.max"
            mvp 0xa6 F64Copysign {} [f64 f64 -> f64] "f64.copysign"
            mvp 0xa7 I32WrapI64 {} [i64 -> i32] "i32.wrap_i64"
            mvp 0xa8 I32TruncF32S {} [f32 -> i32] "i32.trunc_f32_s"
            mvp 0xa9 I32TruncF32U {} [f32 -> i32] "i32.trunc_f32_u"
            mvp 0xaa I32TruncF64S {} [f64 -> i32] "i32.trunc_f64_s"
            mvp 0xab I32TruncF64U {} [f64 -> i32] "i32.trunc_f64_u"
            mvp 0xac I64ExtendI32S {} [i32 -> i64] "i64.extend_i32_s"
            mvp 0xad I64ExtendI32U {} [i32 -> i64] "i64.extend_i32_u"
            mvp 0xae I64TruncF32S {} [f32 -> i64] "i64.trunc_f32_s"
            mvp 0xaf I64TruncF32U {} [f32 -> i64] "i64.trunc_f32_u"
            mvp 0xb0 I64TruncF64S {} [f64 -> i64] "i64.trunc_f64_s"
            mvp 0xb1 I64TruncF64U {} [f64 -> i64] "i64.trunc_f64_u"
            mvp 0xb2 F32ConvertI32S {} [i32 -> f32] "f32.convert_i32_s"
            mvp 0xb3 F32ConvertI32U {} [i32 -> f32] "f32.convert_i32_u"
            mvp 0xb4 F32ConvertI64S {} [i64 -> f32] "f32.convert_i64_s"
            mvp 0xb5 F32ConvertI64U {} [i64 -> f32] "f32.convert_i64_u"
            mvp 0xb6 F32DemoteF64 {} [f64 -> f32] "f32.demote_f64"
            mvp 0xb7 F64ConvertI32S {} [i32 -> f64] "f64.convert_i32_s"
            mvp 0xb8 F64ConvertI32U {} [i32 -> f64] "f64.convert_i32_u"
            mvp 0xb9 F64ConvertI64S {} [i64 -> f64] "f64.convert_i64_s"
            mvp 0xba F64ConvertI64U {} [i64 -> f64] "f64.convert_i64_u"
            mvp 0xbb F64PromoteF32 {} [f32 -> f64] "f64.promote_f32"
            mvp 0xbc I32ReinterpretF32 {} [f32 -> i32] "i32.reinterpret_f32"
            mvp 0xbd I64ReinterpretF64 {} [f64 -> i64] "i64.reinterpret_f64"
            mvp 0xbe F32ReinterpretI32 {} [i32 -> f32] "f32.reinterpret_i32"
            mvp 0xbf F64ReinterpretI64 {} [i64 -> f64] "f64.reinterpret_i64"
            sign_ext 0xc0 I32Extend8S {} [i32 -> i32] "i32.extend8_s"
            sign_ext 0xc1 I32Extend16S {} [i32 -> i32] "i32.extend16_s"
            sign_ext 0xc2 I64Extend8S {} [i64 -> i64] "i64.extend8_s"
            sign_ext 0xc3 I64Extend16S {} [i64 -> i64] "i64.extend16_s"
            sign_ext 0xc4 I64Extend32S {} [i64 -> i64] "i64.extend32_s"
            ref 0xd0 RefNull { hty: $crate::RefType = ref_type } [] "ref.null"
            ref 0xd1 RefIsNull {} [] "ref.is_null"
            ref 0xd2 RefFunc { function_index: u32 = var_u32 } [] "ref.func"
            sat 0xfc000000 I32TruncSatF32S {} [f32 -> i32] "i32.trunc_sat_f32_s"
            sat 0xfc000001 I32TruncSatF32U {} [f32 -> i32] "i32.trunc_sat_f32_u"
            sat 0xfc000002 I32TruncSatF64S {} [f64 -> i32] "i32.trunc_sat_f64_s"
            sat 0xfc000003 I32TruncSatF64U {} [f64 -> i32] "i32.trunc_sat_f64_u"
            sat 0xfc000004 I64TruncSatF32S {} [f32 -> i64] "i64.trunc_sat_f32_s"
            sat 0xfc000005 I64TruncSatF32U {} [f32 -> i64] "i64.trunc_sat_f32_u"
            sat 0xfc000006 I64TruncSatF64S {} [f64 -> i64] "i64.trunc_sat_f64_s"
            sat 0xfc000007 I64TruncSatF64U {} [f64 -> i64] "i64.trunc_sat_f64_u"
            bulk 0xfc000008 MemoryInit { data_index: u32 = var_u32, mem: u32 = memory_index } [] "memory.init"
            bulk 0xfc000009 DataDrop { data_index: u32 = var_u32 } [] "data.drop"
            bulk 0xfc00000a MemoryCopy { dst_mem: u32 = memory_index, src_mem: u32 = memory_index } [] "memory.copy"
            bulk 0xfc00000b MemoryFill { mem: u32 = memory_index } [] "memory.fill"
            bulk 0xfc00000c TableInit { elem_index: u32 = var_u32, table: u32 = var_u32 } [] "table.init"
            bulk 0xfc00000d ElemDrop { elem_index: u32 = var_u32 } [] "elem.drop"
            bulk 0xfc00000e TableCopy { dst_table: u32 = var_u32, src_table: u32 = var_u32 } [] "table.copy"
            ref 0xfc00000f TableGrow { table: u32 = var_u32 } [] "table.grow"
            ref 0xfc000010 TableSize { table: u32 = var_u32 } [] "table.size"
            ref 0xfc000011 TableFill { table: u32 = var_u32 } [] "table.fill"
            // SIMD (0xfd prefix) joins this table in its own issue.
        }
    };
}

/// An `f32` immediate, as its bit pattern (NaN payloads must survive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ieee32(pub u32);

/// An `f64` immediate, as its bit pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ieee64(pub u64);

impl Ieee32 {
    pub fn bits(self) -> u32 {
        self.0
    }
}

impl Ieee64 {
    pub fn bits(self) -> u64 {
        self.0
    }
}

/// The immediates of `br_table`: label indices, read on demand, and the default label.
#[derive(Debug, Clone)]
pub struct BrTable<'a> {
    /// The labels' LEB128 bytes (a slice, not a reader: it keeps `Operator` at 32 bytes).
    targets: &'a [u8],
    len: u32,
    default: u32,
}

impl<'a> BrTable<'a> {
    /// Number of labels, not counting the default.
    pub fn len(&self) -> u32 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn default(&self) -> u32 {
        self.default
    }

    /// The labels in order, not counting the default. They were checked when the operator
    /// was read, so iteration cannot fail.
    pub fn targets(&self) -> impl ExactSizeIterator<Item = u32> + 'a {
        let mut r = BinaryReader::new(self.targets, 0);
        (0..self.len).map(move |_| r.read_var_u32().unwrap_or(0))
    }
}

/// Reader functions for immediates, named in the operator table.
pub mod imm {
    use super::*;

    type R<'r, 'a> = &'r mut BinaryReader<'a>;

    #[inline]
    pub fn var_u32(r: R<'_, '_>, _: &Features) -> Result<u32> {
        r.read_var_u32()
    }

    #[inline]
    pub fn var_i32(r: R<'_, '_>, _: &Features) -> Result<i32> {
        r.read_var_i32()
    }

    #[inline]
    pub fn var_i64(r: R<'_, '_>, _: &Features) -> Result<i64> {
        r.read_var_i64()
    }

    pub fn ieee32(r: R<'_, '_>, _: &Features) -> Result<Ieee32> {
        r.read_u32_le().map(Ieee32)
    }

    pub fn ieee64(r: R<'_, '_>, _: &Features) -> Result<Ieee64> {
        r.read_u64_le().map(Ieee64)
    }

    #[inline(always)]
    pub fn block_type(r: R<'_, '_>, f: &Features) -> Result<BlockType> {
        let b = r.peek_u8()?;
        if b == 0x40 {
            r.read_u8()?;
            return Ok(BlockType::Empty);
        }
        if ValType::from_byte(b).is_some() {
            return ValType::read(r, f).map(BlockType::Value);
        }
        let at = r.offset();
        let idx = r.read_var_s33()?;
        if idx < 0 {
            return Err(Error::new(ErrorKind::MalformedValType, at));
        }
        Ok(BlockType::FuncType(idx as u32))
    }

    pub fn br_table<'a>(r: R<'_, 'a>, _: &Features) -> Result<BrTable<'a>> {
        let len = r.read_count()?;
        let start = r.position();
        for _ in 0..len {
            r.read_var_u32()?;
        }
        let targets = &r.data()[start..r.position()];
        let default = r.read_var_u32()?;
        Ok(BrTable { targets, len, default })
    }

    /// A memory index that Wasm 2.0 encodes as a single zero byte; a LEB with multi-memory.
    pub fn memory_index(r: R<'_, '_>, f: &Features) -> Result<u32> {
        if f.multi_memory {
            return r.read_var_u32();
        }
        let at = r.offset();
        match r.read_u8()? {
            0 => Ok(0),
            _ => Err(Error::new(ErrorKind::ZeroByteExpected, at)),
        }
    }

    /// `call_indirect`'s table: a zero byte in 1.0, any index with reference types.
    pub fn table_index(r: R<'_, '_>, f: &Features) -> Result<u32> {
        if f.reference_types {
            return r.read_var_u32();
        }
        let at = r.offset();
        match r.read_u8()? {
            0 => Ok(0),
            _ => Err(Error::new(ErrorKind::ZeroByteExpected, at)),
        }
    }

    #[inline(always)]
    pub fn memarg(r: R<'_, '_>, f: &Features) -> Result<MemArg> {
        let at = r.offset();
        let mut align = r.read_var_u32()?;
        let mut memory = 0;
        // Bit 6 of the alignment field announces an explicit memory index (multi-memory).
        if f.multi_memory && align & 0x40 != 0 {
            align &= !0x40;
            memory = r.read_var_u32()?;
        }
        // The reference decoder keeps alignment exponents below 32 (bit 6 is the memory-index
        // flag of multi-memory); anything larger is malformed, not merely invalid.
        if align >= 32 {
            return Err(Error::new(ErrorKind::MalformedMemopFlags, at));
        }
        let offset = if f.memory64 { r.read_var_u64()? } else { r.read_var_u32()? as u64 };
        Ok(MemArg { align, offset, memory })
    }

    pub fn select_type(r: R<'_, '_>, f: &Features) -> Result<ValType> {
        let at = r.offset();
        let n = r.read_var_u32()?;
        if n != 1 {
            return Err(Error::new(ErrorKind::InvalidResultArity, at));
        }
        ValType::read(r, f)
    }

    pub fn ref_type(r: R<'_, '_>, _: &Features) -> Result<RefType> {
        RefType::read(r)
    }
}

/// Whether an operator's proposal is on: an operator of a proposal that is off is an illegal
/// opcode, as it is to an engine that never heard of the proposal.
macro_rules! proposal_enabled {
    (mvp, $f:ident) => {
        true
    };
    (sign_ext, $f:ident) => {
        $f.sign_extension
    };
    (sat, $f:ident) => {
        $f.saturating_float_to_int
    };
    (bulk, $f:ident) => {
        $f.bulk_memory
    };
    (ref, $f:ident) => {
        $f.reference_types
    };
}

macro_rules! define_operators {
    ($( $proposal:ident $code:literal $name:ident { $($field:ident : $ty:ty = $read:ident),* } [$($sig:tt)*] $text:literal )*) => {
        /// One decoded instruction with its immediates.
        #[derive(Debug, Clone)]
        pub enum Operator<'a> {
            $( $name { $($field: $ty),* }, )*
        }

        impl<'a> Operator<'a> {
            /// The instruction's name in the text format.
            pub fn name(&self) -> &'static str {
                match self {
                    $( Operator::$name { .. } => $text, )*
                }
            }

            /// The opcode, with prefixed opcodes as `prefix << 24 | sub-opcode`.
            pub fn opcode(&self) -> u32 {
                match self {
                    $( Operator::$name { .. } => $code, )*
                }
            }
        }

        /// Receives decoded operators as calls, one method per operator (named as its
        /// [`Operator`] variant, its immediates as arguments), so that a validator's inner loop
        /// decodes and checks an operator in one place, with no [`Operator`] value in between.
        /// See [`OperatorsReader::visit`].
        #[allow(non_snake_case)]
        pub trait VisitOperator<'a> {
            type Output;
            $( fn $name(&mut self $(, $field: $ty)*) -> Self::Output; )*
        }

        /// The visitor that builds the [`Operator`]: what [`OperatorsReader::read`] is.
        struct BuildOperator;

        #[allow(non_snake_case)]
        impl<'a> VisitOperator<'a> for BuildOperator {
            type Output = Operator<'a>;
            $(
                #[inline(always)]
                fn $name(&mut self $(, $field: $ty)*) -> Operator<'a> {
                    Operator::$name { $($field),* }
                }
            )*
        }

        /// The visitor that builds the [`Operator`] at the end of a vector: what
        /// [`OperatorsReader::read_into`] is.
        struct PushOperator<'v, 'a>(&'v mut Vec<Operator<'a>>);

        #[allow(non_snake_case)]
        impl<'a> VisitOperator<'a> for PushOperator<'_, 'a> {
            type Output = ();
            $(
                #[inline(always)]
                fn $name(&mut self $(, $field: $ty)*) {
                    self.0.push(Operator::$name { $($field),* })
                }
            )*
        }

        /// Decodes the immediates of operator `code` (read at `at`) and hands them to `v`.
        #[inline(always)]
        fn visit_operator<'a, V: VisitOperator<'a>>(
            r: &mut BinaryReader<'a>,
            f: &Features,
            has_data_count: bool,
            code: u32,
            at: usize,
            v: &mut V,
        ) -> Result<V::Output> {
            Ok(match code {
                $(
                    $code if proposal_enabled!($proposal, f) => {
                        $( let $field = imm::$read(r, f)?; )*
                        if needs_data_count($code) && !has_data_count {
                            return Err(Error::new(ErrorKind::DataCountRequired, at));
                        }
                        v.$name($($field),*)
                    }
                )*
                _ => return Err(Error::new(ErrorKind::IllegalOpcode(OpcodeDisplay(code)), at)),
            })
        }
    };
}

/// `memory.init` and `data.drop`, which a module without a data count section may not use.
#[inline(always)]
const fn needs_data_count(code: u32) -> bool {
    code == 0xfc00_0008 || code == 0xfc00_0009
}

for_each_operator!(define_operators);

/// Reads one operator at a time from a function body or constant expression.
#[derive(Debug, Clone)]
pub struct OperatorsReader<'a> {
    reader: BinaryReader<'a>,
    features: Features,
    has_data_count: bool,
}

impl<'a> OperatorsReader<'a> {
    pub fn new(reader: BinaryReader<'a>, features: Features) -> Self {
        OperatorsReader { reader, features, has_data_count: true }
    }

    /// Says whether the module has a data count section: without one, `memory.init` and
    /// `data.drop` are malformed ("data count section required").
    pub fn with_data_count(mut self, has_data_count: bool) -> Self {
        self.has_data_count = has_data_count;
        self
    }

    /// The offset of the next operator in the module.
    #[inline]
    pub fn offset(&self) -> usize {
        self.reader.offset()
    }

    #[inline]
    pub fn eof(&self) -> bool {
        self.reader.eof()
    }

    pub fn reader(&self) -> &BinaryReader<'a> {
        &self.reader
    }

    /// Reads the next operator.
    #[inline]
    pub fn read(&mut self) -> Result<Operator<'a>> {
        self.visit(&mut BuildOperator)
    }

    /// Reads the next operator onto the end of `out`, built there in place (a reader that
    /// keeps operators in a vector saves moving each one out of a returned value).
    #[inline]
    pub fn read_into(&mut self, out: &mut Vec<Operator<'a>>) -> Result<()> {
        self.visit(&mut PushOperator(out))
    }

    /// Reads the next operator and hands it to `visitor`: the method named as the operator,
    /// called with its immediates. Errors are those [`read`](Self::read) reports, and are
    /// reported before the visitor sees the operator.
    #[inline(always)]
    pub fn visit<V: VisitOperator<'a>>(&mut self, visitor: &mut V) -> Result<V::Output> {
        let at = self.reader.offset();
        let b = self.reader.read_u8()?;
        let code = match b {
            0xfc | 0xfd => self.prefixed(b, at)?,
            _ => u32::from(b),
        };
        visit_operator(&mut self.reader, &self.features, self.has_data_count, code, at, visitor)
    }

    /// The opcode of a prefixed operator: `prefix << 24 | sub-opcode`.
    #[inline(never)]
    fn prefixed(&mut self, prefix: u8, at: usize) -> Result<u32> {
        let sub = self.reader.read_var_u32()?;
        if sub > 0x00ff_ffff {
            return Err(Error::new(ErrorKind::IllegalOpcode(OpcodeDisplay(u32::from(prefix) << 24 | 0xff_ffff)), at));
        }
        Ok(u32::from(prefix) << 24 | sub)
    }

    /// Reads the next operator and the offset it started at.
    #[inline]
    pub fn read_with_offset(&mut self) -> Result<(Operator<'a>, usize)> {
        let at = self.offset();
        self.read().map(|op| (op, at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The translator keeps a window of operators ahead: their size is its memory traffic.
    #[test]
    fn operator_is_four_words() {
        assert_eq!(std::mem::size_of::<Operator<'_>>(), 32);
    }

    #[test]
    fn br_table_reads_its_labels_back() {
        // br_table with labels 1, 300 (two-byte LEB) and 0; default 2.
        let bytes = [0x0e, 0x03, 0x01, 0xac, 0x02, 0x00, 0x02];
        let mut r = OperatorsReader::new(BinaryReader::new(&bytes, 0), Features::default());
        let Operator::BrTable { targets } = r.read().unwrap() else { panic!("not a br_table") };
        assert_eq!(targets.len(), 3);
        assert_eq!(targets.targets().collect::<Vec<_>>(), [1, 300, 0]);
        assert_eq!(targets.default(), 2);
    }
}
