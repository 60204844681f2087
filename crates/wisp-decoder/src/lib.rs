//! wisp-decoder: the WebAssembly binary format, decoded without copying.
//!
//! [`Module::parse`] reads the sections of a module in order and checks the binary format's
//! own rules (section order and sizes, LEB128 limits, UTF-8 names, counts that agree). Function
//! bodies and constant expressions stay byte ranges; [`OperatorsReader`] decodes their
//! instructions on demand, from the single opcode table in [`for_each_operator!`].
//! Semantics (types, indices, limits) are the validator's job.

// Untrusted bytes only ever meet safe code here: `unsafe` belongs to the executor.
#![forbid(unsafe_code)]

mod error;
mod module;
pub mod operators;
mod reader;
pub mod sections;
mod types;
mod uses;

pub use error::{Error, ErrorKind, OpcodeDisplay, Result};
pub use module::{Module, SectionId};
pub use operators::{BrTable, Catch, Ieee32, Ieee64, Operator, OperatorsReader, TryTable, VisitOperator, V128};
pub use reader::BinaryReader;
pub use sections::code::{FunctionBody, LocalsReader};
pub use sections::custom::CustomSection;
pub use sections::data::{Data, DataKind};
pub use sections::elements::{Element, ElementItems, ElementKind};
pub use sections::exports::Export;
pub use sections::globals::{ConstExpr, Global};
pub use sections::imports::{Import, ImportType};
pub use sections::names::Names;
pub use types::{
    BlockType, CompositeType, ExternKind, FieldType, FuncType, GlobalType, HeapType, Limits, MemArg, MemoryType,
    RefType, StorageType, SubType, TableType, ValType,
};

/// The WebAssembly proposals a module may use. The default is WebAssembly 2.0 without SIMD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Features {
    pub mutable_global: bool,
    pub sign_extension: bool,
    pub saturating_float_to_int: bool,
    pub multi_value: bool,
    pub bulk_memory: bool,
    pub reference_types: bool,
    pub simd: bool,
    pub tail_call: bool,
    pub extended_const: bool,
    pub multi_memory: bool,
    pub memory64: bool,
    /// Relaxed SIMD (needs `simd`).
    pub relaxed_simd: bool,
    /// Typed function references: `(ref null? $t)`, `call_ref`, `br_on_null`, ...
    pub function_references: bool,
    /// Exception handling: the tag section, `try_table`, `throw`, `throw_ref`, `exnref`.
    pub exceptions: bool,
    /// Memories with a page size other than 64 KiB (1 byte).
    pub custom_page_sizes: bool,
    /// `i64.add128`, `i64.sub128`, `i64.mul_wide_s`, `i64.mul_wide_u`.
    pub wide_arithmetic: bool,
    /// GC's type system: struct and array types, sub/final and recursion groups, the
    /// abstract heap types `any`, `eq`, `i31`, `struct`, `array`, `none`. Its operators
    /// (the 0xfb prefix) are not in the opcode table: a body that uses one is refused.
    pub gc: bool,
}

impl Features {
    /// WebAssembly 1.0 (the MVP plus mutable globals import/export).
    pub const fn wasm1() -> Features {
        Features {
            mutable_global: true,
            sign_extension: false,
            saturating_float_to_int: false,
            multi_value: false,
            bulk_memory: false,
            reference_types: false,
            simd: false,
            tail_call: false,
            extended_const: false,
            multi_memory: false,
            memory64: false,
            relaxed_simd: false,
            function_references: false,
            exceptions: false,
            custom_page_sizes: false,
            wide_arithmetic: false,
            gc: false,
        }
    }

    /// WebAssembly 2.0 without SIMD: what wisp executes by default.
    pub const fn wasm2() -> Features {
        Features {
            sign_extension: true,
            saturating_float_to_int: true,
            multi_value: true,
            bulk_memory: true,
            reference_types: true,
            ..Features::wasm1()
        }
    }

    /// WebAssembly 3.0 as the decoder and validator know it: every proposal it merged, with
    /// GC's type system but without GC's operators.
    pub const fn wasm3() -> Features {
        Features {
            simd: true,
            tail_call: true,
            extended_const: true,
            multi_memory: true,
            memory64: true,
            relaxed_simd: true,
            function_references: true,
            exceptions: true,
            gc: true,
            ..Features::wasm2()
        }
    }
}

impl Default for Features {
    fn default() -> Self {
        Features::wasm2()
    }
}
