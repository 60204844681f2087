//! Module-level rules: index spaces, limits, constant expressions, exports, start, segments.

use crate::error::{invalid, mismatch, unknown, Result};
use crate::func::operator_enabled;
use crate::ModuleInfo;
use wisp_decoder::{
    ConstExpr, DataKind, ElementItems, ElementKind, ErrorKind, ExternKind, ImportType, MemoryType, Module,
    OpcodeDisplay, Operator, TableType, ValType,
};

/// The most pages a 32-bit memory may have: 4 GiB.
const MAX_PAGES_32: u64 = 1 << 16;
/// The most pages a 64-bit memory may have: 2^64 bytes.
const MAX_PAGES_64: u64 = 1 << 48;

/// Module-level rules only (not function bodies).
pub fn validate_module(module: &Module<'_>) -> Result<ModuleInfo> {
    let features = module.features;
    let mut info = ModuleInfo { features, types: module.types.clone(), ..ModuleInfo::default() };

    if !features.multi_value && info.types.iter().any(|t| t.results().len() > 1) {
        return Err(invalid("invalid result arity", 0));
    }

    // Index spaces: imports first, then the module's own definitions.
    let num_types = info.types.len();
    info.funcs.reserve(module.num_funcs() as usize);
    for imp in &module.imports {
        match imp.ty {
            ImportType::Func(t) => {
                if t as usize >= num_types {
                    return Err(unknown("type", t, imp.offset));
                }
                info.funcs.push(t);
            }
            ImportType::Table(t) => {
                check_table_type(&t, imp.offset)?;
                info.tables.push(t);
            }
            ImportType::Memory(m) => {
                check_memory_type(&m, imp.offset)?;
                info.memories.push(m);
            }
            ImportType::Global(g) => {
                if g.mutable && !features.mutable_global {
                    return Err(invalid("mutable globals cannot be imported", imp.offset));
                }
                info.globals.push(g);
            }
        }
    }
    info.num_imported_funcs = info.funcs.len() as u32;
    info.num_imported_tables = info.tables.len() as u32;
    info.num_imported_memories = info.memories.len() as u32;
    info.num_imported_globals = info.globals.len() as u32;

    for &t in &module.functions {
        if t as usize >= num_types {
            return Err(unknown("type", t, 0));
        }
        info.funcs.push(t);
    }
    for t in &module.tables {
        check_table_type(t, 0)?;
        info.tables.push(*t);
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
    info.globals.extend(module.globals.iter().map(|g| g.ty));

    // Constant expressions see only the imported globals (WebAssembly 2.0), and every
    // `ref.func` in them declares its function for use in bodies.
    let mut cx = ConstCx {
        info: &info,
        visible_globals: info.num_imported_globals,
        declared: vec![false; info.funcs.len()],
        stack: Vec::new(),
    };
    for g in &module.globals {
        cx.check(&g.init, g.ty.content)?;
    }

    let mut elements = Vec::with_capacity(module.elements.len());
    for e in &module.elements {
        match &e.items {
            ElementItems::Functions(funcs) => {
                for &f in funcs {
                    cx.declare(f, e.offset)?;
                }
            }
            ElementItems::Exprs(exprs) => {
                for expr in exprs {
                    cx.check(expr, ValType::Ref(e.ty))?;
                }
            }
        }
        match &e.kind {
            ElementKind::Active { table, offset } => {
                let Some(t) = info.tables.get(*table as usize) else {
                    return Err(unknown("table", *table, e.offset));
                };
                if t.element != e.ty {
                    return Err(mismatch(Some(ValType::Ref(t.element)), Some(ValType::Ref(e.ty)), e.offset));
                }
                cx.check(offset, ValType::I32)?;
            }
            ElementKind::Passive | ElementKind::Declared => {}
        }
        elements.push(e.ty);
    }

    for d in &module.data {
        if let DataKind::Active { memory, offset } = &d.kind {
            let Some(m) = info.memories.get(*memory as usize) else {
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
    check_limits(t.limits.min, t.limits.max, u64::from(u32::MAX), "table size must be at most 2^32-1", offset)
}

fn check_memory_type(m: &MemoryType, offset: usize) -> Result<()> {
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
                Operator::RefNull { hty } => ValType::Ref(hty),
                Operator::RefFunc { function_index } => {
                    self.declare(function_index, at)?;
                    ValType::FUNCREF
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
            [t] if t == expected => Ok(()),
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
