//! Module-level rules: index spaces, limits, constant expressions, exports, start, segments.

use crate::error::{invalid, mismatch, unknown, Result};
use crate::func::operator_enabled;
use crate::types::{TypeDefs, Types};
use crate::ModuleInfo;
use wisp_decoder::{
    CompositeType, ConstExpr, DataKind, ElementItems, ElementKind, ErrorKind, ExternKind, HeapType, ImportType,
    MemoryType, Module, OpcodeDisplay, Operator, RefType, SubType, TableType, ValType,
};

/// The type `ref.func` gives: `(ref $t)` with typed references, `funcref` before them.
pub(crate) fn func_ref_type(info: &ModuleInfo, func: u32) -> ValType {
    match info.funcs.get(func as usize) {
        Some(&t) if info.features.function_references => {
            ValType::Ref(RefType::new(false, HeapType::Concrete(info.type_defs.canon(t))))
        }
        _ => ValType::FUNCREF,
    }
}

/// The most pages a 32-bit memory may have: 4 GiB.
const MAX_PAGES_32: u64 = 1 << 16;
/// The most pages a 64-bit memory may have: 2^64 bytes.
const MAX_PAGES_64: u64 = 1 << 48;

/// Module-level rules only (not function bodies).
pub fn validate_module(module: &Module<'_>) -> Result<ModuleInfo> {
    let features = module.features;
    let (type_defs, types) = if module.sub_types.len() == module.types.len() {
        Types::new(&module.types, &module.sub_types, features.gc)?
    } else {
        // A module built by hand, without definitions: every type a final function type.
        let subs: Vec<SubType> = (0..module.types.len() as u32)
            .map(|i| SubType {
                is_final: true,
                supertype: None,
                composite: CompositeType::Func,
                rec_start: i,
                rec_len: 1,
            })
            .collect();
        Types::new(&module.types, &subs, features.gc)?
    };
    let mut info = ModuleInfo { features, types, type_defs, ..ModuleInfo::default() };

    if !features.multi_value && info.types.iter().any(|t| t.results().len() > 1) {
        return Err(invalid("invalid result arity", 0));
    }

    // Index spaces: imports first, then the module's own definitions.
    info.funcs.reserve(module.num_funcs() as usize);
    for imp in &module.imports {
        match imp.ty {
            ImportType::Func(t) => {
                info.funcs.push(func_type_index(&info, t, imp.offset)?);
            }
            ImportType::Table(mut t) => {
                t.element = info.type_defs.canon_ref(t.element, imp.offset)?;
                check_table_type(&t, imp.offset)?;
                info.tables.push(t);
            }
            ImportType::Memory(m) => {
                check_memory_type(&m, imp.offset)?;
                info.memories.push(m);
            }
            ImportType::Global(mut g) => {
                if g.mutable && !features.mutable_global {
                    return Err(invalid("mutable globals cannot be imported", imp.offset));
                }
                g.content = info.type_defs.canon_val(g.content, imp.offset)?;
                info.globals.push(g);
            }
            ImportType::Tag(t) => {
                let t = tag_type_index(&info, t, imp.offset)?;
                info.tags.push(t);
            }
        }
    }
    info.num_imported_tags = info.tags.len() as u32;
    info.num_imported_funcs = info.funcs.len() as u32;
    info.num_imported_tables = info.tables.len() as u32;
    info.num_imported_memories = info.memories.len() as u32;
    info.num_imported_globals = info.globals.len() as u32;

    for &t in &module.functions {
        let t = func_type_index(&info, t, 0)?;
        info.funcs.push(t);
    }
    for t in &module.tables {
        let mut t = *t;
        t.element = info.type_defs.canon_ref(t.element, 0)?;
        check_table_type(&t, 0)?;
        info.tables.push(t);
    }
    if !features.reference_types && info.tables.len() > 1 {
        return Err(invalid("multiple tables", 0));
    }
    for m in &module.memories {
        check_memory_type(m, 0)?;
        info.memories.push(*m);
    }
    if !features.multi_memory && info.memories.len() > 1 {
        return Err(invalid("multiple memories", 0));
    }
    for &t in &module.tags {
        let t = tag_type_index(&info, t, 0)?;
        info.tags.push(t);
    }
    for g in &module.globals {
        let mut ty = g.ty;
        ty.content = info.type_defs.canon_val(ty.content, g.init.offset)?;
        info.globals.push(ty);
    }

    // Constant expressions see the imported globals (WebAssembly 2.0; with GC's rules also
    // the globals defined before them), and every `ref.func` in them declares its function
    // for use in bodies.
    let mut cx = ConstCx {
        info: &info,
        visible_globals: info.num_imported_globals,
        declared: vec![false; info.funcs.len()],
        stack: Vec::new(),
    };
    for (i, t) in module.tables.iter().enumerate() {
        let element = cx.info.tables[cx.info.num_imported_tables as usize + i].element;
        match module.table_inits.get(i).copied().flatten() {
            Some(init) => cx.check(&init, ValType::Ref(element))?,
            None if !element.nullable() => {
                return Err(mismatch(Some(ValType::Ref(element)), Some(ValType::Ref(t.element.with_nullable(true))), 0))
            }
            None => {}
        }
    }
    for (i, g) in module.globals.iter().enumerate() {
        let content = cx.info.globals[cx.info.num_imported_globals as usize + i].content;
        cx.check(&g.init, content)?;
        if features.gc {
            cx.visible_globals += 1;
        }
    }
    cx.visible_globals = if features.gc { cx.info.globals.len() as u32 } else { cx.info.num_imported_globals };

    let mut elements = Vec::with_capacity(module.elements.len());
    for e in &module.elements {
        let ty = cx.info.type_defs.canon_ref(e.ty, e.offset)?;
        match &e.items {
            ElementItems::Functions(funcs) => {
                for &f in funcs {
                    cx.declare(f, e.offset)?;
                }
            }
            ElementItems::Exprs(exprs) => {
                for expr in exprs {
                    cx.check(expr, ValType::Ref(ty))?;
                }
            }
        }
        match &e.kind {
            ElementKind::Active { table, offset } => {
                let Some(t) = cx.info.tables.get(*table as usize) else {
                    return Err(unknown("table", *table, e.offset));
                };
                if !cx.info.type_defs.ref_sub(ty, t.element) {
                    return Err(mismatch(Some(ValType::Ref(t.element)), Some(ValType::Ref(ty)), e.offset));
                }
                cx.check(offset, if t.table64 { ValType::I64 } else { ValType::I32 })?;
            }
            ElementKind::Passive | ElementKind::Declared => {}
        }
        elements.push(ty);
    }

    for d in &module.data {
        if let DataKind::Active { memory, offset } = &d.kind {
            let Some(m) = cx.info.memories.get(*memory as usize) else {
                return Err(unknown("memory", *memory, d.offset));
            };
            let addr = if m.memory64 { ValType::I64 } else { ValType::I32 };
            cx.check(offset, addr)?;
        }
    }

    if let Some(start) = module.start {
        let Some(ft) = info.func_type(start) else {
            return Err(unknown("function", start, 0));
        };
        if !ft.params().is_empty() || !ft.results().is_empty() {
            return Err(invalid("start function", 0));
        }
    }

    let mut names = std::collections::HashSet::with_capacity(module.exports.len());
    for ex in &module.exports {
        let (what, len) = match ex.kind {
            ExternKind::Func => ("function", info.funcs.len()),
            ExternKind::Table => ("table", info.tables.len()),
            ExternKind::Memory => ("memory", info.memories.len()),
            ExternKind::Global => ("global", info.globals.len()),
            ExternKind::Tag => ("tag", info.tags.len()),
        };
        if ex.index as usize >= len {
            return Err(unknown(what, ex.index, ex.offset));
        }
        match ex.kind {
            ExternKind::Func => cx.declared[ex.index as usize] = true,
            ExternKind::Global if !features.mutable_global && info.globals[ex.index as usize].mutable => {
                return Err(invalid("mutable globals cannot be exported", ex.offset));
            }
            _ => {}
        }
        if !names.insert(ex.name) {
            return Err(invalid("duplicate export name", ex.offset));
        }
    }

    let declared = std::mem::take(&mut cx.declared);
    info.declared_funcs = declared;
    info.elements = elements;
    info.data_count = module.data_count;
    info.make_single_refs();
    Ok(info)
}

fn check_limits(min: u64, max: Option<u64>, range: u64, msg: &'static str, offset: usize) -> Result<()> {
    if min > range {
        return Err(invalid(msg, offset));
    }
    if let Some(max) = max {
        if max > range {
            return Err(invalid(msg, offset));
        }
        if min > max {
            return Err(invalid("size minimum must not be greater than maximum", offset));
        }
    }
    Ok(())
}

fn check_table_type(t: &TableType, offset: usize) -> Result<()> {
    if t.table64 {
        return check_limits(t.limits.min, t.limits.max, u64::MAX, "table size must be at most 2^64-1", offset);
    }
    check_limits(t.limits.min, t.limits.max, u64::from(u32::MAX), "table size must be at most 2^32-1", offset)
}

/// A function's type index: a function type's.
fn func_type_index(info: &ModuleInfo, t: u32, offset: usize) -> Result<u32> {
    if t as usize >= info.types.len() {
        return Err(unknown("type", t, offset));
    }
    if !info.type_defs.is_func(t) {
        return Err(invalid("type mismatch: not a function type", offset));
    }
    Ok(t)
}

/// A tag's type index: a function type without results.
fn tag_type_index(info: &ModuleInfo, t: u32, offset: usize) -> Result<u32> {
    let t = func_type_index(info, t, offset)?;
    if !info.types[t as usize].results().is_empty() {
        return Err(invalid("non-empty tag result type", offset));
    }
    Ok(t)
}

fn check_memory_type(m: &MemoryType, offset: usize) -> Result<()> {
    if let Some(log2) = m.page_size_log2 {
        if log2 != 0 && log2 != 16 {
            return Err(invalid("invalid custom page size", offset));
        }
        let bits = if m.memory64 { 64 } else { 32 } - u32::from(log2);
        // A 32-bit memory's page count is an i32 to `memory.size`: with 1-byte pages, 2^32
        // pages would not fit, so at most 2^32 - 1 (custom-page-sizes' memory_max.wast).
        let range = match (bits, m.memory64) {
            (64.., _) => u64::MAX,
            (_, false) => (1u64 << bits).min(u64::from(u32::MAX)),
            (_, true) => 1u64 << bits,
        };
        let msg = if m.memory64 {
            "memory size must be at most 2^64 bytes"
        } else {
            "memory size must be at most 2^32 bytes"
        };
        return check_limits(m.limits.min, m.limits.max, range, msg, offset);
    }
    if m.memory64 {
        check_limits(m.limits.min, m.limits.max, MAX_PAGES_64, "memory size must be at most 2^48 pages", offset)
    } else {
        check_limits(m.limits.min, m.limits.max, MAX_PAGES_32, "memory size must be at most 65536 pages (4GiB)", offset)
    }
}

/// Checks constant expressions and collects the functions they declare.
struct ConstCx<'i> {
    info: &'i ModuleInfo,
    /// Globals `global.get` may name: the imported ones.
    visible_globals: u32,
    declared: Vec<bool>,
    stack: Vec<ValType>,
}

impl ConstCx<'_> {
    fn declare(&mut self, func: u32, offset: usize) -> Result<()> {
        match self.declared.get_mut(func as usize) {
            Some(d) => {
                *d = true;
                Ok(())
            }
            None => Err(unknown("function", func, offset)),
        }
    }

    /// Checks that `expr` is constant and produces exactly one value of type `expected`.
    /// As the reference interpreter does, every instruction is checked for constness before
    /// any typing error is reported.
    fn check(&mut self, expr: &ConstExpr<'_>, expected: ValType) -> Result<()> {
        // The offset of almost every segment: constant, and typed as `i32` needs.
        if expected == ValType::I32 && expr.as_i32_const().is_some() {
            return Ok(());
        }
        let features = self.info.features;
        let mut ops = expr.operators();
        self.stack.clear();
        let mut type_error = None;
        loop {
            let (op, at) = ops.read_with_offset()?;
            if !operator_enabled(&op, &features) {
                return Err(crate::error::decode(ErrorKind::IllegalOpcode(OpcodeDisplay(op.opcode())), at));
            }
            let pushed = match op {
                Operator::End {} => break,
                Operator::I32Const { .. } => ValType::I32,
                Operator::I64Const { .. } => ValType::I64,
                Operator::F32Const { .. } => ValType::F32,
                Operator::F64Const { .. } => ValType::F64,
                Operator::V128Const { .. } if features.simd => ValType::V128,
                Operator::RefNull { hty } => ValType::Ref(RefType::new(true, self.info.type_defs.canon_heap(hty, at)?)),
                Operator::RefFunc { function_index } => {
                    self.declare(function_index, at)?;
                    func_ref_type(self.info, function_index)
                }
                Operator::GlobalGet { global_index } => {
                    let g = match self.info.globals.get(global_index as usize) {
                        Some(g) if global_index < self.visible_globals => g,
                        _ => return Err(unknown("global", global_index, at)),
                    };
                    if g.mutable {
                        return Err(invalid("constant expression required", at));
                    }
                    g.content
                }
                Operator::I32Add {} | Operator::I32Sub {} | Operator::I32Mul {} if features.extended_const => {
                    self.binary(ValType::I32, at, &mut type_error)
                }
                Operator::I64Add {} | Operator::I64Sub {} | Operator::I64Mul {} if features.extended_const => {
                    self.binary(ValType::I64, at, &mut type_error)
                }
                _ => return Err(invalid("constant expression required", at)),
            };
            self.stack.push(pushed);
        }
        if let Some(e) = type_error {
            return Err(e);
        }
        match self.stack[..] {
            [t] if self.info.type_defs.val_sub(t, expected) => Ok(()),
            [t] => Err(mismatch(Some(expected), Some(t), expr.offset)),
            [] => Err(mismatch(Some(expected), None, expr.offset)),
            [.., t] => Err(mismatch(None, Some(t), expr.offset)),
        }
    }

    /// An extended-const arithmetic operator: pops two `t`, gives `t`; the first typing
    /// error is kept for after the constness check.
    fn binary(&mut self, t: ValType, at: usize, type_error: &mut Option<crate::Error>) -> ValType {
        for _ in 0..2 {
            let found = self.stack.pop();
            if found != Some(t) && type_error.is_none() {
                *type_error = Some(mismatch(Some(t), found, at));
            }
        }
        t
    }
}
