//! wisp-validator: the spec's validation rules over a decoded module.
//!
//! [`validate_module`] checks the module-level rules (index spaces, limits, constant
//! expressions, exports, start, segments) and returns a [`ModuleInfo`] with every index
//! space typed. [`FuncValidator`] then checks a function body one operator at a time, with
//! the algorithm of the spec's validation appendix, so a translator can drive it and read
//! operand and control heights between operators. [`validate`] does both for a whole module.
//!
//! Error messages are worded as the reference interpreter words them (the official
//! testsuite matches on their prefix).

// Untrusted bytes only ever meet safe code here: `unsafe` belongs to the executor.
#![forbid(unsafe_code)]

mod error;
mod func;
mod module;
mod types;

pub use error::{Error, Result};
pub use func::{operator_enabled, ControlFrame, FrameKind, FuncValidator, FuncValidatorAllocations, VisitResult};
pub use module::validate_module;
pub use types::{map_sub, TypeDefs, Types};

use wisp_decoder::{FuncType, GlobalType, HeapType, MemoryType, Module, RefType, TableType};

// Kept importable from here, as the skeleton had them.
pub use wisp_decoder::{BlockType, Features, Operator, ValType};

/// What validation learned about a module: every index space with its types.
#[derive(Debug, Clone, Default)]
pub struct ModuleInfo {
    pub features: Features,
    /// Every type's parameters and results (empty for struct and array types), with
    /// canonical type indices.
    pub types: Vec<FuncType>,
    /// The type section's definitions, canonicalised, and the subtyping between them.
    pub type_defs: Types,
    /// Type index of every tag, imported first.
    pub tags: Vec<u32>,
    /// Type index of every function, imported first.
    pub funcs: Vec<u32>,
    /// Every table, imported first.
    pub tables: Vec<TableType>,
    /// Every memory, imported first.
    pub memories: Vec<MemoryType>,
    /// Every global, imported first.
    pub globals: Vec<GlobalType>,
    /// Element type of each element segment.
    pub elements: Vec<RefType>,
    /// The data count section's value: `None` when the module has no data count section (then
    /// bodies may not use `memory.init` or `data.drop`). When present it equals the number of
    /// data segments (the decoder checks that).
    pub data_count: Option<u32>,
    pub num_imported_funcs: u32,
    pub num_imported_globals: u32,
    /// Functions that may be referenced by `ref.func` in function bodies: those named
    /// outside bodies (exports, element segments, global initializers). One per function.
    pub declared_funcs: Vec<bool>,
    pub num_imported_tables: u32,
    pub num_imported_memories: u32,
    pub num_imported_tags: u32,
    /// One-element slices of every reference type (block types of one typed reference borrow
    /// theirs from here): see [`ModuleInfo::single_ref`].
    pub single_refs: Vec<ValType>,
}

/// The abstract heap types, in the order of [`ModuleInfo::single_refs`].
const ABSTRACT_HEAPS: [HeapType; 12] = [
    HeapType::Func,
    HeapType::Extern,
    HeapType::Any,
    HeapType::Eq,
    HeapType::I31,
    HeapType::Struct,
    HeapType::Array,
    HeapType::Exn,
    HeapType::NoFunc,
    HeapType::NoExtern,
    HeapType::None,
    HeapType::NoExn,
];

impl ModuleInfo {
    /// Fills [`single_refs`](Self::single_refs): the abstract reference types, then two per
    /// type index (nullable, not).
    pub(crate) fn make_single_refs(&mut self) {
        let concrete = (0..self.types.len() as u32).map(HeapType::Concrete);
        self.single_refs = ABSTRACT_HEAPS
            .into_iter()
            .chain(concrete)
            .flat_map(|h| [ValType::Ref(RefType::new(true, h)), ValType::Ref(RefType::new(false, h))])
            .collect();
    }

    /// A one-element slice holding reference type `r` (canonical), borrowed from the module.
    pub fn single_ref(&self, r: RefType) -> &[ValType] {
        let h = match r.heap() {
            HeapType::Concrete(x) => ABSTRACT_HEAPS.len() + x as usize,
            h => ABSTRACT_HEAPS.iter().position(|&a| a == h).unwrap_or(0),
        };
        let i = 2 * h + usize::from(!r.nullable());
        self.single_refs.get(i..i + 1).unwrap_or(&[])
    }

    pub fn func_type(&self, func_index: u32) -> Option<&FuncType> {
        self.funcs.get(func_index as usize).and_then(|&t| self.types.get(t as usize))
    }
}

/// Fully validates a decoded module (module-level rules and every function body).
pub fn validate(module: &Module<'_>) -> Result<ModuleInfo> {
    let info = validate_module(module)?;
    let mut allocs = FuncValidatorAllocations::default();
    let last = module.code.len().wrapping_sub(1);
    for (i, body) in module.code.iter().enumerate() {
        let func_index = info.num_imported_funcs + i as u32;
        allocs = validate_function_with(&info, func_index, body, allocs).map_err(|e| body_error(e, i == last))?;
    }
    Ok(info)
}

/// The error a module gives for `e`, found in one of its bodies (`last`: the code section's
/// last one). A body cut short before its `end` is reported as the reference interpreter
/// reports it: it reads on into the next body (and finds no `end`) or into the end of the
/// section.
pub fn body_error(e: Error, last: bool) -> Error {
    match e {
        Error::Decode(e) if e.kind == wisp_decoder::ErrorKind::EndExpected && last => {
            Error::Decode(wisp_decoder::Error::new(wisp_decoder::ErrorKind::UnexpectedEndOfSection, e.offset))
        }
        e => e,
    }
}

/// Decodes and validates a module's bytes with the given features.
pub fn validate_bytes(bytes: &[u8], features: Features) -> Result<ModuleInfo> {
    let module = Module::parse_with_features(bytes, features)?;
    validate(&module)
}

/// Validates one defined function's body.
pub fn validate_function(info: &ModuleInfo, func_index: u32, body: &wisp_decoder::FunctionBody<'_>) -> Result<()> {
    validate_function_with(info, func_index, body, FuncValidatorAllocations::default()).map(drop)
}

/// Validates one body, reusing (and giving back) a validator's allocations.
pub fn validate_function_with(
    info: &ModuleInfo,
    func_index: u32,
    body: &wisp_decoder::FunctionBody<'_>,
    allocs: FuncValidatorAllocations,
) -> Result<FuncValidatorAllocations> {
    let mut v = FuncValidator::with_allocations(info, func_index, allocs)?;
    let mut locals = body.locals()?;
    while let Some((count, ty)) = locals.next_group()? {
        v.define_locals(count, ty)?;
    }
    let mut ops = locals.into_operators();
    while !ops.eof() {
        // Decoded and checked in one step: the validator is the decoder's visitor.
        v.set_offset(ops.offset());
        ops.visit_checked(&mut v).map_err(|e| *e)?;
    }
    v.finish(ops.offset())?;
    Ok(v.into_allocations())
}
