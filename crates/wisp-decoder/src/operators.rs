//! The WebAssembly instruction set, written once.
//!
//! `for_each_operator!` hands every operator to a macro of the caller's: the proposal that added
//! it, its opcode (prefixed opcodes are `prefix << 24 | sub-opcode`), its name, its immediates
//! (each with the reader function in [`imm`]), its type signature, and its text name.
//!
//! The signature column is `[a b -> c]` for operators whose typing is a plain pop/push (the
//! validator and translator handle all of those generically), `[load T A]` / `[store T A]` for
//! memory accesses of value type `T` and natural alignment `2^A`, `[load_lane A N]` /
//! `[store_lane A N]` for SIMD's lane accesses (natural alignment `2^A`, `N` lanes),
//! `[lane N : a -> b]` for a plain operator with a lane index below `N`, `[shuffle]` for
//! `i8x16.shuffle` (sixteen lanes below 32), and `[]` for operators whose
//! typing needs their own code (control flow, locals, globals, tables, references, ...).
//!
//! The reader, the [`Operator`] enum and its names are expanded from it here; the validator
//! and the translator expand it again, so the four can never drift apart.

use crate::error::{Error, ErrorKind, OpcodeDisplay, Result};
use crate::reader::BinaryReader;
use crate::types::{BlockType, HeapType, MemArg, ValType};
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
            exceptions 0x08 Throw { tag_index: u32 = var_u32 } [] "throw"
            exceptions 0x0a ThrowRef {} [] "throw_ref"
            mvp 0x0b End {} [] "end"
            mvp 0x0c Br { relative_depth: u32 = var_u32 } [] "br"
            mvp 0x0d BrIf { relative_depth: u32 = var_u32 } [] "br_if"
            mvp 0x0e BrTable { targets: $crate::BrTable<'a> = br_table } [] "br_table"
            mvp 0x0f Return {} [] "return"
            mvp 0x10 Call { function_index: u32 = var_u32 } [] "call"
            mvp 0x11 CallIndirect { type_index: u32 = var_u32, table_index: u32 = table_index } [] "call_indirect"
            tail_call 0x12 ReturnCall { function_index: u32 = var_u32 } [] "return_call"
            tail_call 0x13 ReturnCallIndirect { type_index: u32 = var_u32, table_index: u32 = var_u32 } [] "return_call_indirect"
            func_ref 0x14 CallRef { type_index: u32 = var_u32 } [] "call_ref"
            tail_call_ref 0x15 ReturnCallRef { type_index: u32 = var_u32 } [] "return_call_ref"
            mvp 0x1a Drop {} [] "drop"
            mvp 0x1b Select {} [] "select"
            ref 0x1c TypedSelect { ty: $crate::ValType = select_type } [] "select"
            exceptions 0x1f TryTable { table: $crate::TryTable<'a> = try_table } [] "try_table"
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
            ref 0xd0 RefNull { hty: $crate::HeapType = heap_type } [] "ref.null"
            ref 0xd1 RefIsNull {} [] "ref.is_null"
            ref 0xd2 RefFunc { function_index: u32 = var_u32 } [] "ref.func"
            func_ref 0xd4 RefAsNonNull {} [] "ref.as_non_null"
            func_ref 0xd5 BrOnNull { relative_depth: u32 = var_u32 } [] "br_on_null"
            func_ref 0xd6 BrOnNonNull { relative_depth: u32 = var_u32 } [] "br_on_non_null"
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
            wide 0xfc000013 I64Add128 {} [i64 i64 i64 i64 -> i64 i64] "i64.add128"
            wide 0xfc000014 I64Sub128 {} [i64 i64 i64 i64 -> i64 i64] "i64.sub128"
            wide 0xfc000015 I64MulWideS {} [i64 i64 -> i64 i64] "i64.mul_wide_s"
            wide 0xfc000016 I64MulWideU {} [i64 i64 -> i64 i64] "i64.mul_wide_u"
            simd 0xfd000000 V128Load { memarg: $crate::MemArg = memarg } [load v128 4] "v128.load"
            simd 0xfd000001 V128Load8x8S { memarg: $crate::MemArg = memarg } [load v128 3] "v128.load8x8_s"
            simd 0xfd000002 V128Load8x8U { memarg: $crate::MemArg = memarg } [load v128 3] "v128.load8x8_u"
            simd 0xfd000003 V128Load16x4S { memarg: $crate::MemArg = memarg } [load v128 3] "v128.load16x4_s"
            simd 0xfd000004 V128Load16x4U { memarg: $crate::MemArg = memarg } [load v128 3] "v128.load16x4_u"
            simd 0xfd000005 V128Load32x2S { memarg: $crate::MemArg = memarg } [load v128 3] "v128.load32x2_s"
            simd 0xfd000006 V128Load32x2U { memarg: $crate::MemArg = memarg } [load v128 3] "v128.load32x2_u"
            simd 0xfd000007 V128Load8Splat { memarg: $crate::MemArg = memarg } [load v128 0] "v128.load8_splat"
            simd 0xfd000008 V128Load16Splat { memarg: $crate::MemArg = memarg } [load v128 1] "v128.load16_splat"
            simd 0xfd000009 V128Load32Splat { memarg: $crate::MemArg = memarg } [load v128 2] "v128.load32_splat"
            simd 0xfd00000a V128Load64Splat { memarg: $crate::MemArg = memarg } [load v128 3] "v128.load64_splat"
            simd 0xfd00000b V128Store { memarg: $crate::MemArg = memarg } [store v128 4] "v128.store"
            simd 0xfd00000c V128Const { value: $crate::V128 = v128 } [-> v128] "v128.const"
            simd 0xfd00000d I8x16Shuffle { lanes: [u8; 16] = shuffle_lanes } [shuffle] "i8x16.shuffle"
            simd 0xfd00000e I8x16Swizzle {} [v128 v128 -> v128] "i8x16.swizzle"
            simd 0xfd00000f I8x16Splat {} [i32 -> v128] "i8x16.splat"
            simd 0xfd000010 I16x8Splat {} [i32 -> v128] "i16x8.splat"
            simd 0xfd000011 I32x4Splat {} [i32 -> v128] "i32x4.splat"
            simd 0xfd000012 I64x2Splat {} [i64 -> v128] "i64x2.splat"
            simd 0xfd000013 F32x4Splat {} [f32 -> v128] "f32x4.splat"
            simd 0xfd000014 F64x2Splat {} [f64 -> v128] "f64x2.splat"
            simd 0xfd000015 I8x16ExtractLaneS { lane: u8 = lane } [lane 16 : v128 -> i32] "i8x16.extract_lane_s"
            simd 0xfd000016 I8x16ExtractLaneU { lane: u8 = lane } [lane 16 : v128 -> i32] "i8x16.extract_lane_u"
            simd 0xfd000017 I8x16ReplaceLane { lane: u8 = lane } [lane 16 : v128 i32 -> v128] "i8x16.replace_lane"
            simd 0xfd000018 I16x8ExtractLaneS { lane: u8 = lane } [lane 8 : v128 -> i32] "i16x8.extract_lane_s"
            simd 0xfd000019 I16x8ExtractLaneU { lane: u8 = lane } [lane 8 : v128 -> i32] "i16x8.extract_lane_u"
            simd 0xfd00001a I16x8ReplaceLane { lane: u8 = lane } [lane 8 : v128 i32 -> v128] "i16x8.replace_lane"
            simd 0xfd00001b I32x4ExtractLane { lane: u8 = lane } [lane 4 : v128 -> i32] "i32x4.extract_lane"
            simd 0xfd00001c I32x4ReplaceLane { lane: u8 = lane } [lane 4 : v128 i32 -> v128] "i32x4.replace_lane"
            simd 0xfd00001d I64x2ExtractLane { lane: u8 = lane } [lane 2 : v128 -> i64] "i64x2.extract_lane"
            simd 0xfd00001e I64x2ReplaceLane { lane: u8 = lane } [lane 2 : v128 i64 -> v128] "i64x2.replace_lane"
            simd 0xfd00001f F32x4ExtractLane { lane: u8 = lane } [lane 4 : v128 -> f32] "f32x4.extract_lane"
            simd 0xfd000020 F32x4ReplaceLane { lane: u8 = lane } [lane 4 : v128 f32 -> v128] "f32x4.replace_lane"
            simd 0xfd000021 F64x2ExtractLane { lane: u8 = lane } [lane 2 : v128 -> f64] "f64x2.extract_lane"
            simd 0xfd000022 F64x2ReplaceLane { lane: u8 = lane } [lane 2 : v128 f64 -> v128] "f64x2.replace_lane"
            simd 0xfd000023 I8x16Eq {} [v128 v128 -> v128] "i8x16.eq"
            simd 0xfd000024 I8x16Ne {} [v128 v128 -> v128] "i8x16.ne"
            simd 0xfd000025 I8x16LtS {} [v128 v128 -> v128] "i8x16.lt_s"
            simd 0xfd000026 I8x16LtU {} [v128 v128 -> v128] "i8x16.lt_u"
            simd 0xfd000027 I8x16GtS {} [v128 v128 -> v128] "i8x16.gt_s"
            simd 0xfd000028 I8x16GtU {} [v128 v128 -> v128] "i8x16.gt_u"
            simd 0xfd000029 I8x16LeS {} [v128 v128 -> v128] "i8x16.le_s"
            simd 0xfd00002a I8x16LeU {} [v128 v128 -> v128] "i8x16.le_u"
            simd 0xfd00002b I8x16GeS {} [v128 v128 -> v128] "i8x16.ge_s"
            simd 0xfd00002c I8x16GeU {} [v128 v128 -> v128] "i8x16.ge_u"
            simd 0xfd00002d I16x8Eq {} [v128 v128 -> v128] "i16x8.eq"
            simd 0xfd00002e I16x8Ne {} [v128 v128 -> v128] "i16x8.ne"
            simd 0xfd00002f I16x8LtS {} [v128 v128 -> v128] "i16x8.lt_s"
            simd 0xfd000030 I16x8LtU {} [v128 v128 -> v128] "i16x8.lt_u"
            simd 0xfd000031 I16x8GtS {} [v128 v128 -> v128] "i16x8.gt_s"
            simd 0xfd000032 I16x8GtU {} [v128 v128 -> v128] "i16x8.gt_u"
            simd 0xfd000033 I16x8LeS {} [v128 v128 -> v128] "i16x8.le_s"
            simd 0xfd000034 I16x8LeU {} [v128 v128 -> v128] "i16x8.le_u"
            simd 0xfd000035 I16x8GeS {} [v128 v128 -> v128] "i16x8.ge_s"
            simd 0xfd000036 I16x8GeU {} [v128 v128 -> v128] "i16x8.ge_u"
            simd 0xfd000037 I32x4Eq {} [v128 v128 -> v128] "i32x4.eq"
            simd 0xfd000038 I32x4Ne {} [v128 v128 -> v128] "i32x4.ne"
            simd 0xfd000039 I32x4LtS {} [v128 v128 -> v128] "i32x4.lt_s"
            simd 0xfd00003a I32x4LtU {} [v128 v128 -> v128] "i32x4.lt_u"
            simd 0xfd00003b I32x4GtS {} [v128 v128 -> v128] "i32x4.gt_s"
            simd 0xfd00003c I32x4GtU {} [v128 v128 -> v128] "i32x4.gt_u"
            simd 0xfd00003d I32x4LeS {} [v128 v128 -> v128] "i32x4.le_s"
            simd 0xfd00003e I32x4LeU {} [v128 v128 -> v128] "i32x4.le_u"
            simd 0xfd00003f I32x4GeS {} [v128 v128 -> v128] "i32x4.ge_s"
            simd 0xfd000040 I32x4GeU {} [v128 v128 -> v128] "i32x4.ge_u"
            simd 0xfd000041 F32x4Eq {} [v128 v128 -> v128] "f32x4.eq"
            simd 0xfd000042 F32x4Ne {} [v128 v128 -> v128] "f32x4.ne"
            simd 0xfd000043 F32x4Lt {} [v128 v128 -> v128] "f32x4.lt"
            simd 0xfd000044 F32x4Gt {} [v128 v128 -> v128] "f32x4.gt"
            simd 0xfd000045 F32x4Le {} [v128 v128 -> v128] "f32x4.le"
            simd 0xfd000046 F32x4Ge {} [v128 v128 -> v128] "f32x4.ge"
            simd 0xfd000047 F64x2Eq {} [v128 v128 -> v128] "f64x2.eq"
            simd 0xfd000048 F64x2Ne {} [v128 v128 -> v128] "f64x2.ne"
            simd 0xfd000049 F64x2Lt {} [v128 v128 -> v128] "f64x2.lt"
            simd 0xfd00004a F64x2Gt {} [v128 v128 -> v128] "f64x2.gt"
            simd 0xfd00004b F64x2Le {} [v128 v128 -> v128] "f64x2.le"
            simd 0xfd00004c F64x2Ge {} [v128 v128 -> v128] "f64x2.ge"
            simd 0xfd00004d V128Not {} [v128 -> v128] "v128.not"
            simd 0xfd00004e V128And {} [v128 v128 -> v128] "v128.and"
            simd 0xfd00004f V128Andnot {} [v128 v128 -> v128] "v128.andnot"
            simd 0xfd000050 V128Or {} [v128 v128 -> v128] "v128.or"
            simd 0xfd000051 V128Xor {} [v128 v128 -> v128] "v128.xor"
            simd 0xfd000052 V128Bitselect {} [v128 v128 v128 -> v128] "v128.bitselect"
            simd 0xfd000053 V128AnyTrue {} [v128 -> i32] "v128.any_true"
            simd 0xfd000054 V128Load8Lane { memarg: $crate::MemArg = memarg, lane: u8 = lane } [load_lane 0 16] "v128.load8_lane"
            simd 0xfd000055 V128Load16Lane { memarg: $crate::MemArg = memarg, lane: u8 = lane } [load_lane 1 8] "v128.load16_lane"
            simd 0xfd000056 V128Load32Lane { memarg: $crate::MemArg = memarg, lane: u8 = lane } [load_lane 2 4] "v128.load32_lane"
            simd 0xfd000057 V128Load64Lane { memarg: $crate::MemArg = memarg, lane: u8 = lane } [load_lane 3 2] "v128.load64_lane"
            simd 0xfd000058 V128Store8Lane { memarg: $crate::MemArg = memarg, lane: u8 = lane } [store_lane 0 16] "v128.store8_lane"
            simd 0xfd000059 V128Store16Lane { memarg: $crate::MemArg = memarg, lane: u8 = lane } [store_lane 1 8] "v128.store16_lane"
            simd 0xfd00005a V128Store32Lane { memarg: $crate::MemArg = memarg, lane: u8 = lane } [store_lane 2 4] "v128.store32_lane"
            simd 0xfd00005b V128Store64Lane { memarg: $crate::MemArg = memarg, lane: u8 = lane } [store_lane 3 2] "v128.store64_lane"
            simd 0xfd00005c V128Load32Zero { memarg: $crate::MemArg = memarg } [load v128 2] "v128.load32_zero"
            simd 0xfd00005d V128Load64Zero { memarg: $crate::MemArg = memarg } [load v128 3] "v128.load64_zero"
            simd 0xfd00005e F32x4DemoteF64x2Zero {} [v128 -> v128] "f32x4.demote_f64x2_zero"
            simd 0xfd00005f F64x2PromoteLowF32x4 {} [v128 -> v128] "f64x2.promote_low_f32x4"
            simd 0xfd000060 I8x16Abs {} [v128 -> v128] "i8x16.abs"
            simd 0xfd000061 I8x16Neg {} [v128 -> v128] "i8x16.neg"
            simd 0xfd000062 I8x16Popcnt {} [v128 -> v128] "i8x16.popcnt"
            simd 0xfd000063 I8x16AllTrue {} [v128 -> i32] "i8x16.all_true"
            simd 0xfd000064 I8x16Bitmask {} [v128 -> i32] "i8x16.bitmask"
            simd 0xfd000065 I8x16NarrowI16x8S {} [v128 v128 -> v128] "i8x16.narrow_i16x8_s"
            simd 0xfd000066 I8x16NarrowI16x8U {} [v128 v128 -> v128] "i8x16.narrow_i16x8_u"
            simd 0xfd000067 F32x4Ceil {} [v128 -> v128] "f32x4.ceil"
            simd 0xfd000068 F32x4Floor {} [v128 -> v128] "f32x4.floor"
            simd 0xfd000069 F32x4Trunc {} [v128 -> v128] "f32x4.trunc"
            simd 0xfd00006a F32x4Nearest {} [v128 -> v128] "f32x4.nearest"
            simd 0xfd00006b I8x16Shl {} [v128 i32 -> v128] "i8x16.shl"
            simd 0xfd00006c I8x16ShrS {} [v128 i32 -> v128] "i8x16.shr_s"
            simd 0xfd00006d I8x16ShrU {} [v128 i32 -> v128] "i8x16.shr_u"
            simd 0xfd00006e I8x16Add {} [v128 v128 -> v128] "i8x16.add"
            simd 0xfd00006f I8x16AddSatS {} [v128 v128 -> v128] "i8x16.add_sat_s"
            simd 0xfd000070 I8x16AddSatU {} [v128 v128 -> v128] "i8x16.add_sat_u"
            simd 0xfd000071 I8x16Sub {} [v128 v128 -> v128] "i8x16.sub"
            simd 0xfd000072 I8x16SubSatS {} [v128 v128 -> v128] "i8x16.sub_sat_s"
            simd 0xfd000073 I8x16SubSatU {} [v128 v128 -> v128] "i8x16.sub_sat_u"
            simd 0xfd000074 F64x2Ceil {} [v128 -> v128] "f64x2.ceil"
            simd 0xfd000075 F64x2Floor {} [v128 -> v128] "f64x2.floor"
            simd 0xfd000076 I8x16MinS {} [v128 v128 -> v128] "i8x16.min_s"
            simd 0xfd000077 I8x16MinU {} [v128 v128 -> v128] "i8x16.min_u"
            simd 0xfd000078 I8x16MaxS {} [v128 v128 -> v128] "i8x16.max_s"
            simd 0xfd000079 I8x16MaxU {} [v128 v128 -> v128] "i8x16.max_u"
            simd 0xfd00007a F64x2Trunc {} [v128 -> v128] "f64x2.trunc"
            simd 0xfd00007b I8x16AvgrU {} [v128 v128 -> v128] "i8x16.avgr_u"
            simd 0xfd00007c I16x8ExtaddPairwiseI8x16S {} [v128 -> v128] "i16x8.extadd_pairwise_i8x16_s"
            simd 0xfd00007d I16x8ExtaddPairwiseI8x16U {} [v128 -> v128] "i16x8.extadd_pairwise_i8x16_u"
            simd 0xfd00007e I32x4ExtaddPairwiseI16x8S {} [v128 -> v128] "i32x4.extadd_pairwise_i16x8_s"
            simd 0xfd00007f I32x4ExtaddPairwiseI16x8U {} [v128 -> v128] "i32x4.extadd_pairwise_i16x8_u"
            simd 0xfd000080 I16x8Abs {} [v128 -> v128] "i16x8.abs"
            simd 0xfd000081 I16x8Neg {} [v128 -> v128] "i16x8.neg"
            simd 0xfd000082 I16x8Q15mulrSatS {} [v128 v128 -> v128] "i16x8.q15mulr_sat_s"
            simd 0xfd000083 I16x8AllTrue {} [v128 -> i32] "i16x8.all_true"
            simd 0xfd000084 I16x8Bitmask {} [v128 -> i32] "i16x8.bitmask"
            simd 0xfd000085 I16x8NarrowI32x4S {} [v128 v128 -> v128] "i16x8.narrow_i32x4_s"
            simd 0xfd000086 I16x8NarrowI32x4U {} [v128 v128 -> v128] "i16x8.narrow_i32x4_u"
            simd 0xfd000087 I16x8ExtendLowI8x16S {} [v128 -> v128] "i16x8.extend_low_i8x16_s"
            simd 0xfd000088 I16x8ExtendHighI8x16S {} [v128 -> v128] "i16x8.extend_high_i8x16_s"
            simd 0xfd000089 I16x8ExtendLowI8x16U {} [v128 -> v128] "i16x8.extend_low_i8x16_u"
            simd 0xfd00008a I16x8ExtendHighI8x16U {} [v128 -> v128] "i16x8.extend_high_i8x16_u"
            simd 0xfd00008b I16x8Shl {} [v128 i32 -> v128] "i16x8.shl"
            simd 0xfd00008c I16x8ShrS {} [v128 i32 -> v128] "i16x8.shr_s"
            simd 0xfd00008d I16x8ShrU {} [v128 i32 -> v128] "i16x8.shr_u"
            simd 0xfd00008e I16x8Add {} [v128 v128 -> v128] "i16x8.add"
            simd 0xfd00008f I16x8AddSatS {} [v128 v128 -> v128] "i16x8.add_sat_s"
            simd 0xfd000090 I16x8AddSatU {} [v128 v128 -> v128] "i16x8.add_sat_u"
            simd 0xfd000091 I16x8Sub {} [v128 v128 -> v128] "i16x8.sub"
            simd 0xfd000092 I16x8SubSatS {} [v128 v128 -> v128] "i16x8.sub_sat_s"
            simd 0xfd000093 I16x8SubSatU {} [v128 v128 -> v128] "i16x8.sub_sat_u"
            simd 0xfd000094 F64x2Nearest {} [v128 -> v128] "f64x2.nearest"
            simd 0xfd000095 I16x8Mul {} [v128 v128 -> v128] "i16x8.mul"
            simd 0xfd000096 I16x8MinS {} [v128 v128 -> v128] "i16x8.min_s"
            simd 0xfd000097 I16x8MinU {} [v128 v128 -> v128] "i16x8.min_u"
            simd 0xfd000098 I16x8MaxS {} [v128 v128 -> v128] "i16x8.max_s"
            simd 0xfd000099 I16x8MaxU {} [v128 v128 -> v128] "i16x8.max_u"
            simd 0xfd00009b I16x8AvgrU {} [v128 v128 -> v128] "i16x8.avgr_u"
            simd 0xfd00009c I16x8ExtmulLowI8x16S {} [v128 v128 -> v128] "i16x8.extmul_low_i8x16_s"
            simd 0xfd00009d I16x8ExtmulHighI8x16S {} [v128 v128 -> v128] "i16x8.extmul_high_i8x16_s"
            simd 0xfd00009e I16x8ExtmulLowI8x16U {} [v128 v128 -> v128] "i16x8.extmul_low_i8x16_u"
            simd 0xfd00009f I16x8ExtmulHighI8x16U {} [v128 v128 -> v128] "i16x8.extmul_high_i8x16_u"
            simd 0xfd0000a0 I32x4Abs {} [v128 -> v128] "i32x4.abs"
            simd 0xfd0000a1 I32x4Neg {} [v128 -> v128] "i32x4.neg"
            simd 0xfd0000a3 I32x4AllTrue {} [v128 -> i32] "i32x4.all_true"
            simd 0xfd0000a4 I32x4Bitmask {} [v128 -> i32] "i32x4.bitmask"
            simd 0xfd0000a7 I32x4ExtendLowI16x8S {} [v128 -> v128] "i32x4.extend_low_i16x8_s"
            simd 0xfd0000a8 I32x4ExtendHighI16x8S {} [v128 -> v128] "i32x4.extend_high_i16x8_s"
            simd 0xfd0000a9 I32x4ExtendLowI16x8U {} [v128 -> v128] "i32x4.extend_low_i16x8_u"
            simd 0xfd0000aa I32x4ExtendHighI16x8U {} [v128 -> v128] "i32x4.extend_high_i16x8_u"
            simd 0xfd0000ab I32x4Shl {} [v128 i32 -> v128] "i32x4.shl"
            simd 0xfd0000ac I32x4ShrS {} [v128 i32 -> v128] "i32x4.shr_s"
            simd 0xfd0000ad I32x4ShrU {} [v128 i32 -> v128] "i32x4.shr_u"
            simd 0xfd0000ae I32x4Add {} [v128 v128 -> v128] "i32x4.add"
            simd 0xfd0000b1 I32x4Sub {} [v128 v128 -> v128] "i32x4.sub"
            simd 0xfd0000b5 I32x4Mul {} [v128 v128 -> v128] "i32x4.mul"
            simd 0xfd0000b6 I32x4MinS {} [v128 v128 -> v128] "i32x4.min_s"
            simd 0xfd0000b7 I32x4MinU {} [v128 v128 -> v128] "i32x4.min_u"
            simd 0xfd0000b8 I32x4MaxS {} [v128 v128 -> v128] "i32x4.max_s"
            simd 0xfd0000b9 I32x4MaxU {} [v128 v128 -> v128] "i32x4.max_u"
            simd 0xfd0000ba I32x4DotI16x8S {} [v128 v128 -> v128] "i32x4.dot_i16x8_s"
            simd 0xfd0000bc I32x4ExtmulLowI16x8S {} [v128 v128 -> v128] "i32x4.extmul_low_i16x8_s"
            simd 0xfd0000bd I32x4ExtmulHighI16x8S {} [v128 v128 -> v128] "i32x4.extmul_high_i16x8_s"
            simd 0xfd0000be I32x4ExtmulLowI16x8U {} [v128 v128 -> v128] "i32x4.extmul_low_i16x8_u"
            simd 0xfd0000bf I32x4ExtmulHighI16x8U {} [v128 v128 -> v128] "i32x4.extmul_high_i16x8_u"
            simd 0xfd0000c0 I64x2Abs {} [v128 -> v128] "i64x2.abs"
            simd 0xfd0000c1 I64x2Neg {} [v128 -> v128] "i64x2.neg"
            simd 0xfd0000c3 I64x2AllTrue {} [v128 -> i32] "i64x2.all_true"
            simd 0xfd0000c4 I64x2Bitmask {} [v128 -> i32] "i64x2.bitmask"
            simd 0xfd0000c7 I64x2ExtendLowI32x4S {} [v128 -> v128] "i64x2.extend_low_i32x4_s"
            simd 0xfd0000c8 I64x2ExtendHighI32x4S {} [v128 -> v128] "i64x2.extend_high_i32x4_s"
            simd 0xfd0000c9 I64x2ExtendLowI32x4U {} [v128 -> v128] "i64x2.extend_low_i32x4_u"
            simd 0xfd0000ca I64x2ExtendHighI32x4U {} [v128 -> v128] "i64x2.extend_high_i32x4_u"
            simd 0xfd0000cb I64x2Shl {} [v128 i32 -> v128] "i64x2.shl"
            simd 0xfd0000cc I64x2ShrS {} [v128 i32 -> v128] "i64x2.shr_s"
            simd 0xfd0000cd I64x2ShrU {} [v128 i32 -> v128] "i64x2.shr_u"
            simd 0xfd0000ce I64x2Add {} [v128 v128 -> v128] "i64x2.add"
            simd 0xfd0000d1 I64x2Sub {} [v128 v128 -> v128] "i64x2.sub"
            simd 0xfd0000d5 I64x2Mul {} [v128 v128 -> v128] "i64x2.mul"
            simd 0xfd0000d6 I64x2Eq {} [v128 v128 -> v128] "i64x2.eq"
            simd 0xfd0000d7 I64x2Ne {} [v128 v128 -> v128] "i64x2.ne"
            simd 0xfd0000d8 I64x2LtS {} [v128 v128 -> v128] "i64x2.lt_s"
            simd 0xfd0000d9 I64x2GtS {} [v128 v128 -> v128] "i64x2.gt_s"
            simd 0xfd0000da I64x2LeS {} [v128 v128 -> v128] "i64x2.le_s"
            simd 0xfd0000db I64x2GeS {} [v128 v128 -> v128] "i64x2.ge_s"
            simd 0xfd0000dc I64x2ExtmulLowI32x4S {} [v128 v128 -> v128] "i64x2.extmul_low_i32x4_s"
            simd 0xfd0000dd I64x2ExtmulHighI32x4S {} [v128 v128 -> v128] "i64x2.extmul_high_i32x4_s"
            simd 0xfd0000de I64x2ExtmulLowI32x4U {} [v128 v128 -> v128] "i64x2.extmul_low_i32x4_u"
            simd 0xfd0000df I64x2ExtmulHighI32x4U {} [v128 v128 -> v128] "i64x2.extmul_high_i32x4_u"
            simd 0xfd0000e0 F32x4Abs {} [v128 -> v128] "f32x4.abs"
            simd 0xfd0000e1 F32x4Neg {} [v128 -> v128] "f32x4.neg"
            simd 0xfd0000e3 F32x4Sqrt {} [v128 -> v128] "f32x4.sqrt"
            simd 0xfd0000e4 F32x4Add {} [v128 v128 -> v128] "f32x4.add"
            simd 0xfd0000e5 F32x4Sub {} [v128 v128 -> v128] "f32x4.sub"
            simd 0xfd0000e6 F32x4Mul {} [v128 v128 -> v128] "f32x4.mul"
            simd 0xfd0000e7 F32x4Div {} [v128 v128 -> v128] "f32x4.div"
            simd 0xfd0000e8 F32x4Min {} [v128 v128 -> v128] "f32x4.min"
            simd 0xfd0000e9 F32x4Max {} [v128 v128 -> v128] "f32x4.max"
            simd 0xfd0000ea F32x4Pmin {} [v128 v128 -> v128] "f32x4.pmin"
            simd 0xfd0000eb F32x4Pmax {} [v128 v128 -> v128] "f32x4.pmax"
            simd 0xfd0000ec F64x2Abs {} [v128 -> v128] "f64x2.abs"
            simd 0xfd0000ed F64x2Neg {} [v128 -> v128] "f64x2.neg"
            simd 0xfd0000ef F64x2Sqrt {} [v128 -> v128] "f64x2.sqrt"
            simd 0xfd0000f0 F64x2Add {} [v128 v128 -> v128] "f64x2.add"
            simd 0xfd0000f1 F64x2Sub {} [v128 v128 -> v128] "f64x2.sub"
            simd 0xfd0000f2 F64x2Mul {} [v128 v128 -> v128] "f64x2.mul"
            simd 0xfd0000f3 F64x2Div {} [v128 v128 -> v128] "f64x2.div"
            simd 0xfd0000f4 F64x2Min {} [v128 v128 -> v128] "f64x2.min"
            simd 0xfd0000f5 F64x2Max {} [v128 v128 -> v128] "f64x2.max"
            simd 0xfd0000f6 F64x2Pmin {} [v128 v128 -> v128] "f64x2.pmin"
            simd 0xfd0000f7 F64x2Pmax {} [v128 v128 -> v128] "f64x2.pmax"
            simd 0xfd0000f8 I32x4TruncSatF32x4S {} [v128 -> v128] "i32x4.trunc_sat_f32x4_s"
            simd 0xfd0000f9 I32x4TruncSatF32x4U {} [v128 -> v128] "i32x4.trunc_sat_f32x4_u"
            simd 0xfd0000fa F32x4ConvertI32x4S {} [v128 -> v128] "f32x4.convert_i32x4_s"
            simd 0xfd0000fb F32x4ConvertI32x4U {} [v128 -> v128] "f32x4.convert_i32x4_u"
            simd 0xfd0000fc I32x4TruncSatF64x2SZero {} [v128 -> v128] "i32x4.trunc_sat_f64x2_s_zero"
            simd 0xfd0000fd I32x4TruncSatF64x2UZero {} [v128 -> v128] "i32x4.trunc_sat_f64x2_u_zero"
            simd 0xfd0000fe F64x2ConvertLowI32x4S {} [v128 -> v128] "f64x2.convert_low_i32x4_s"
            simd 0xfd0000ff F64x2ConvertLowI32x4U {} [v128 -> v128] "f64x2.convert_low_i32x4_u"
            relaxed_simd 0xfd000100 I8x16RelaxedSwizzle {} [v128 v128 -> v128] "i8x16.relaxed_swizzle"
            relaxed_simd 0xfd000101 I32x4RelaxedTruncF32x4S {} [v128 -> v128] "i32x4.relaxed_trunc_f32x4_s"
            relaxed_simd 0xfd000102 I32x4RelaxedTruncF32x4U {} [v128 -> v128] "i32x4.relaxed_trunc_f32x4_u"
            relaxed_simd 0xfd000103 I32x4RelaxedTruncF64x2SZero {} [v128 -> v128] "i32x4.relaxed_trunc_f64x2_s_zero"
            relaxed_simd 0xfd000104 I32x4RelaxedTruncF64x2UZero {} [v128 -> v128] "i32x4.relaxed_trunc_f64x2_u_zero"
            relaxed_simd 0xfd000105 F32x4RelaxedMadd {} [v128 v128 v128 -> v128] "f32x4.relaxed_madd"
            relaxed_simd 0xfd000106 F32x4RelaxedNmadd {} [v128 v128 v128 -> v128] "f32x4.relaxed_nmadd"
            relaxed_simd 0xfd000107 F64x2RelaxedMadd {} [v128 v128 v128 -> v128] "f64x2.relaxed_madd"
            relaxed_simd 0xfd000108 F64x2RelaxedNmadd {} [v128 v128 v128 -> v128] "f64x2.relaxed_nmadd"
            relaxed_simd 0xfd000109 I8x16RelaxedLaneselect {} [v128 v128 v128 -> v128] "i8x16.relaxed_laneselect"
            relaxed_simd 0xfd00010a I16x8RelaxedLaneselect {} [v128 v128 v128 -> v128] "i16x8.relaxed_laneselect"
            relaxed_simd 0xfd00010b I32x4RelaxedLaneselect {} [v128 v128 v128 -> v128] "i32x4.relaxed_laneselect"
            relaxed_simd 0xfd00010c I64x2RelaxedLaneselect {} [v128 v128 v128 -> v128] "i64x2.relaxed_laneselect"
            relaxed_simd 0xfd00010d F32x4RelaxedMin {} [v128 v128 -> v128] "f32x4.relaxed_min"
            relaxed_simd 0xfd00010e F32x4RelaxedMax {} [v128 v128 -> v128] "f32x4.relaxed_max"
            relaxed_simd 0xfd00010f F64x2RelaxedMin {} [v128 v128 -> v128] "f64x2.relaxed_min"
            relaxed_simd 0xfd000110 F64x2RelaxedMax {} [v128 v128 -> v128] "f64x2.relaxed_max"
            relaxed_simd 0xfd000111 I16x8RelaxedQ15mulrS {} [v128 v128 -> v128] "i16x8.relaxed_q15mulr_s"
            relaxed_simd 0xfd000112 I16x8RelaxedDotI8x16I7x16S {} [v128 v128 -> v128] "i16x8.relaxed_dot_i8x16_i7x16_s"
            relaxed_simd 0xfd000113 I32x4RelaxedDotI8x16I7x16AddS {} [v128 v128 v128 -> v128] "i32x4.relaxed_dot_i8x16_i7x16_add_s"

        }
    };
}

/// A `v128` immediate: its sixteen bytes, little-endian (bytes, not a `u128`, keep
/// `Operator` at 32 bytes: a `u128` field would align it to 16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct V128(pub [u8; 16]);

impl V128 {
    pub fn bits(self) -> u128 {
        u128::from_le_bytes(self.0)
    }
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

/// One handler of a `try_table`: which exceptions it catches and the label it branches to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Catch {
    /// `catch tag label`: the tag's values.
    One { tag: u32, label: u32 },
    /// `catch_ref tag label`: the tag's values and the `exnref`.
    OneRef { tag: u32, label: u32 },
    /// `catch_all label`: nothing.
    All { label: u32 },
    /// `catch_all_ref label`: the `exnref`.
    AllRef { label: u32 },
}

/// The immediates of `try_table`: its block type and its handlers, read on demand.
#[derive(Debug, Clone)]
pub struct TryTable<'a> {
    /// The block type's and the handlers' bytes (a slice keeps `Operator` at 32 bytes).
    bytes: &'a [u8],
}

impl<'a> TryTable<'a> {
    /// Every proposal on: the bytes were read once with the module's features, so reading
    /// them again with more cannot change what they say.
    const REREAD: Features = Features { custom_page_sizes: true, wide_arithmetic: true, ..Features::wasm3() };

    pub fn blockty(&self) -> BlockType {
        imm::block_type(&mut BinaryReader::new(self.bytes, 0), &Self::REREAD).unwrap_or(BlockType::Empty)
    }

    /// The handlers in order. They were checked when the operator was read, so iteration
    /// cannot fail.
    pub fn catches(&self) -> impl Iterator<Item = Catch> + 'a {
        let mut r = BinaryReader::new(self.bytes, 0);
        let _ = imm::block_type(&mut r, &Self::REREAD);
        let n = r.read_var_u32().unwrap_or(0);
        (0..n).map(move |_| {
            let kind = r.read_u8().unwrap_or(2);
            let first = r.read_var_u32().unwrap_or(0);
            match kind {
                0x00 => Catch::One { tag: first, label: r.read_var_u32().unwrap_or(0) },
                0x01 => Catch::OneRef { tag: first, label: r.read_var_u32().unwrap_or(0) },
                0x02 => Catch::All { label: first },
                _ => Catch::AllRef { label: first },
            }
        })
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

    #[inline(always)]
    pub fn var_i32(r: R<'_, '_>, _: &Features) -> Result<i32> {
        r.read_var_i32()
    }

    #[inline(always)]
    pub fn var_i64(r: R<'_, '_>, _: &Features) -> Result<i64> {
        r.read_var_i64()
    }

    #[inline(always)]
    pub fn ieee32(r: R<'_, '_>, _: &Features) -> Result<Ieee32> {
        r.read_u32_le().map(Ieee32)
    }

    #[inline(always)]
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
        if ValType::starts_val_type(b) {
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

    pub fn v128(r: R<'_, '_>, _: &Features) -> Result<V128> {
        let b = r.read_bytes(16)?;
        let mut bytes = [0; 16];
        bytes.copy_from_slice(b);
        Ok(V128(bytes))
    }

    /// A lane index: one byte (its range is the validator's rule).
    pub fn lane(r: R<'_, '_>, _: &Features) -> Result<u8> {
        r.read_u8()
    }

    pub fn shuffle_lanes(r: R<'_, '_>, _: &Features) -> Result<[u8; 16]> {
        let b = r.read_bytes(16)?;
        let mut lanes = [0; 16];
        lanes.copy_from_slice(b);
        Ok(lanes)
    }

    pub fn heap_type(r: R<'_, '_>, f: &Features) -> Result<HeapType> {
        HeapType::read(r, f)
    }

    pub fn try_table<'a>(r: R<'_, 'a>, f: &Features) -> Result<TryTable<'a>> {
        let start = r.position();
        block_type(r, f)?;
        let n = r.read_count()?;
        for _ in 0..n {
            let at = r.offset();
            match r.read_u8()? {
                0x00 | 0x01 => {
                    r.read_var_u32()?;
                    r.read_var_u32()?;
                }
                0x02 | 0x03 => {
                    r.read_var_u32()?;
                }
                _ => return Err(Error::new(ErrorKind::Other("malformed catch clause"), at)),
            }
        }
        Ok(TryTable { bytes: &r.data()[start..r.position()] })
    }
}

/// Whether an operator's proposal (the first column of the opcode table) is on in features
/// `$f`: an operator of a proposal that is off is an illegal opcode, as it is to an engine
/// that never heard of the proposal.
#[macro_export]
macro_rules! proposal_enabled {
    (mvp, $f:expr) => {
        true
    };
    (sign_ext, $f:expr) => {
        $f.sign_extension
    };
    (sat, $f:expr) => {
        $f.saturating_float_to_int
    };
    (bulk, $f:expr) => {
        $f.bulk_memory
    };
    (ref, $f:expr) => {
        $f.reference_types
    };
    (tail_call, $f:expr) => {
        $f.tail_call
    };
    (func_ref, $f:expr) => {
        $f.function_references
    };
    (tail_call_ref, $f:expr) => {
        $f.tail_call && $f.function_references
    };
    (exceptions, $f:expr) => {
        $f.exceptions
    };
    (wide, $f:expr) => {
        $f.wide_arithmetic
    };
    (simd, $f:expr) => {
        $f.simd
    };
    (relaxed_simd, $f:expr) => {
        $f.relaxed_simd
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

            /// The proposal that added the instruction: the table's first column (`mvp` for
            /// WebAssembly 1.0).
            pub fn proposal(&self) -> &'static str {
                match self {
                    $( Operator::$name { .. } => stringify!($proposal), )*
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
            type Output = std::result::Result<(), Box<Error>>;
            $(
                #[inline(always)]
                fn $name(&mut self $(, $field: $ty)*) -> Self::Output {
                    self.0.push(Operator::$name { $($field),* });
                    Ok(())
                }
            )*
        }

        /// Decodes the immediates of operator `code` (read at `at`) and hands them to `v`.
        /// `PREFIX` is `code`'s top byte (0 for one-byte opcodes): the arms of the other
        /// prefixes fold away, so each prefix has a match of its own rows only. The prefix
        /// bytes themselves are arms of the one-byte match, handed to `prefixed`: one bounds
        /// check and one jump per operator, as before there were prefixes to leave out.
        #[inline(always)]
        fn visit_operator<'a, V: VisitOperator<'a>, const PREFIX: u32>(
            ops: &mut OperatorsReader<'a>,
            code: u32,
            at: usize,
            v: &mut V,
            prefixed: Prefixed<'a, V>,
        ) -> Result<V::Output> {
            Ok(match code {
                $(
                    $code if $code >> 24 == PREFIX && proposal_enabled!($proposal, ops.features) => {
                        $( let $field = imm::$read(&mut ops.reader, &ops.features)?; )*
                        if needs_data_count($code) && !ops.has_data_count {
                            return Err(Error::new(ErrorKind::DataCountRequired, at));
                        }
                        v.$name($($field),*)
                    }
                )*
                0xfc | 0xfd if PREFIX == 0 => return prefixed(ops, code as u8, at, v),
                _ => return Err(Error::new(ErrorKind::IllegalOpcode(OpcodeDisplay(code)), at)),
            })
        }
    };
}

/// What [`visit_operator`] does with a prefix byte (0xfc or 0xfd) read at `at`: read the rest
/// of the opcode and visit the operator.
type Prefixed<'a, V> = fn(&mut OperatorsReader<'a>, u8, usize, &mut V) -> Result<<V as VisitOperator<'a>>::Output>;

/// `memory.init` and `data.drop`, which a module without a data count section may not use.
#[inline(always)]
const fn needs_data_count(code: u32) -> bool {
    code == 0xfc00_0008 || code == 0xfc00_0009
}

for_each_operator!(define_operators);

/// The opcode of a prefixed operator whose prefix was read at `at`: `prefix << 24 | sub-opcode`.
#[inline(always)]
fn prefixed(r: &mut BinaryReader<'_>, prefix: u8, at: usize) -> Result<u32> {
    let sub = r.read_var_u32()?;
    if sub > 0x00ff_ffff {
        return Err(Error::new(ErrorKind::IllegalOpcode(OpcodeDisplay(u32::from(prefix) << 24 | 0xff_ffff)), at));
    }
    Ok(u32::from(prefix) << 24 | sub)
}

/// The `prefixed` of a match of prefixed opcodes, which has no prefix arms.
fn no_prefix<'a, V: VisitOperator<'a>>(
    _: &mut OperatorsReader<'a>,
    prefix: u8,
    at: usize,
    _: &mut V,
) -> Result<V::Output> {
    Err(Error::new(ErrorKind::IllegalOpcode(OpcodeDisplay(u32::from(prefix))), at))
}

/// A decoding error as a checked visitor's error, out of the operator loop.
#[cold]
#[inline(never)]
fn malformed<E: From<Error>>(e: Error) -> E {
    E::from(e)
}

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
        self.visit_checked(&mut PushOperator(out)).map_err(|e| *e)
    }

    /// Reads the next operator and hands it to `visitor`: the method named as the operator,
    /// called with its immediates. Errors are those [`read`](Self::read) reports, and are
    /// reported before the visitor sees the operator.
    #[inline(always)]
    pub fn visit<V: VisitOperator<'a>>(&mut self, visitor: &mut V) -> Result<V::Output> {
        let at = self.reader.offset();
        let b = self.reader.read_u8()?;
        visit_operator::<V, 0>(self, u32::from(b), at, visitor, |ops, prefix, at, v| {
            let code = prefixed(&mut ops.reader, prefix, at)?;
            if prefix == 0xfc {
                visit_operator::<V, 0xfc>(ops, code, at, v, no_prefix)
            } else {
                visit_operator::<V, 0xfd>(ops, code, at, v, no_prefix)
            }
        })
    }

    /// Like [`visit`](Self::visit), for a visitor whose methods return `Result<(), E>`: a
    /// decoding error becomes an `E` too, so a caller's loop tests one result per operator
    /// (one word when `E` is a box). Each arm of the one-byte match then goes straight back
    /// to that loop, where two nested results joined all arms in one block first.
    #[inline(always)]
    pub fn visit_checked<V, E>(&mut self, visitor: &mut V) -> std::result::Result<(), E>
    where
        V: VisitOperator<'a, Output = std::result::Result<(), E>>,
        E: From<Error>,
    {
        let at = self.reader.offset();
        let b = match self.reader.read_u8() {
            Ok(b) => b,
            Err(e) => return Err(malformed(e)),
        };
        let visited = visit_operator::<V, 0>(self, u32::from(b), at, visitor, |ops, prefix, at, v| {
            Ok(if prefix == 0xfc { ops.visit_fc(at, v) } else { ops.visit_fd(at, v) })
        });
        match visited {
            Ok(checked) => checked,
            Err(e) => Err(malformed(e)),
        }
    }

    /// The 0xfc operators (saturating truncations, bulk memory, tables): out of the loop that
    /// reads one-byte opcodes, whose registers a second large match would crowd.
    #[inline(never)]
    fn visit_fc<V, E>(&mut self, at: usize, visitor: &mut V) -> std::result::Result<(), E>
    where
        V: VisitOperator<'a, Output = std::result::Result<(), E>>,
        E: From<Error>,
    {
        let code = prefixed(&mut self.reader, 0xfc, at).map_err(malformed)?;
        visit_operator::<V, 0xfc>(self, code, at, visitor, no_prefix).unwrap_or_else(|e| Err(malformed(e)))
    }

    /// The 0xfd operators (SIMD): rare in most code, and the largest group, so out of line
    /// and cold.
    #[cold]
    #[inline(never)]
    fn visit_fd<V, E>(&mut self, at: usize, visitor: &mut V) -> std::result::Result<(), E>
    where
        V: VisitOperator<'a, Output = std::result::Result<(), E>>,
        E: From<Error>,
    {
        let code = prefixed(&mut self.reader, 0xfd, at).map_err(malformed)?;
        visit_operator::<V, 0xfd>(self, code, at, visitor, no_prefix).unwrap_or_else(|e| Err(malformed(e)))
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
