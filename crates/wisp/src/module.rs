//! `Module`: decoded, validated code, translated lazily; shareable across threads and stores.

use crate::engine::{CompilationMode, Engine};
use crate::error::{Error, Result};
use crate::translate::{self, CompiledFunc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use wisp_decoder::{
    DataKind, ElementItems, ElementKind, ExternKind, FuncType, FunctionBody, GlobalType, HeapType, ImportType,
    MemoryType, Operator, RefType, TableType, ValType,
};

/// One instruction of a constant expression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ConstOp {
    /// A number, as its slot bits.
    Value(u64),
    /// A `v128` (two slots).
    V128(u128),
    RefNull,
    RefFunc(u32),
    GlobalGet(u32),
    I32Add,
    I32Sub,
    I32Mul,
    I64Add,
    I64Sub,
    I64Mul,
}

/// A constant expression. Almost all are one instruction (Go modules carry 20,000-41,000 data
/// segments, each with an `i32.const` offset), so that case is kept inline, not on the heap.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ConstExpr {
    One(ConstOp),
    Many(Box<[ConstOp]>),
}

impl ConstExpr {
    pub fn ops(&self) -> &[ConstOp] {
        match self {
            ConstExpr::One(op) => std::slice::from_ref(op),
            ConstExpr::Many(ops) => ops,
        }
    }
}

#[derive(Debug)]
pub(crate) enum ElemMode {
    Passive,
    Active { table: u32, offset: ConstExpr },
    Declared,
}

#[derive(Debug)]
pub(crate) struct ElemSeg {
    pub mode: ElemMode,
    #[allow(dead_code)]
    pub ty: RefType,
    pub items: Vec<ConstExpr>,
}

#[derive(Debug)]
pub(crate) enum DataMode {
    Passive,
    Active { memory: u32, offset: ConstExpr },
}

#[derive(Debug)]
pub(crate) struct DataSeg {
    pub mode: DataMode,
    /// Byte range in the module's bytes.
    pub start: usize,
    pub len: usize,
}

/// An import a module needs.
///
/// ```
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, r#"(module (import "env" "log" (func (param i32))))"#)?;
/// let import = module.imports().next().unwrap();
/// assert_eq!((import.module.as_str(), import.name.as_str()), ("env", "log"));
/// assert!(matches!(&import.ty, wisp::ExternType::Func(f) if f.params() == [wisp::ValType::I32]));
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ImportDesc {
    /// The module name of the import (`wasi_snapshot_preview1`, `env`, ...).
    pub module: String,
    /// The item name within that module.
    pub name: String,
    /// What the import must be.
    pub ty: ExternType,
}

/// The type of an import or export.
///
/// ```
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, r#"(module (memory (export "memory") 1 2))"#)?;
/// match module.get_export("memory") {
///     Some(wisp::ExternType::Memory(m)) => assert_eq!((m.limits.min, m.limits.max), (1, Some(2))),
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ExternType {
    /// A function of this type.
    Func(FuncType),
    /// A table of this type.
    Table(TableType),
    /// A memory of this type.
    Memory(MemoryType),
    /// A global of this type.
    Global(GlobalType),
    /// A tag whose exceptions carry this type's parameters (its results are empty).
    Tag(FuncType),
}

impl std::fmt::Display for ExternType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExternType::Func(t) => write!(f, "func {t}"),
            ExternType::Table(t) => write!(f, "table {} {:?}", t.element, t.limits),
            ExternType::Memory(t) => write!(f, "memory {:?}", t.limits),
            ExternType::Global(t) => write!(f, "global {}{}", if t.mutable { "mut " } else { "" }, t.content),
            ExternType::Tag(t) => write!(f, "tag {t}"),
        }
    }
}

/// What a module's `name` section says, as far as wisp uses it.
#[derive(Debug, Default)]
pub(crate) struct ModuleNames {
    pub module: Option<String>,
    pub functions: HashMap<u32, String>,
}

#[derive(Debug)]
pub(crate) struct ModuleInner {
    pub engine: Engine,
    pub bytes: Box<[u8]>,
    pub features: wisp_decoder::Features,
    pub types: Vec<FuncType>,
    /// Engine-wide id of each type.
    pub type_ids: Vec<u32>,
    pub imports: Vec<ImportDesc>,
    /// Type index of every function, imported first.
    pub funcs: Vec<u32>,
    pub num_imported_funcs: u32,
    pub num_imported_tables: u32,
    pub num_imported_memories: u32,
    pub num_imported_globals: u32,
    /// Types of every table, memory and global, imported first (the validator's index spaces).
    pub table_types: Vec<TableType>,
    pub memory_types: Vec<MemoryType>,
    pub global_types: Vec<GlobalType>,
    /// Type index of every tag, imported first.
    pub tag_types: Vec<u32>,
    pub num_imported_tags: u32,
    /// The initializer of each global the module defines.
    pub global_inits: Vec<ConstExpr>,
    /// The initializer of each table the module defines, where it has one (the null reference
    /// otherwise; a table of non-nullable references has one).
    pub table_inits: Vec<Option<ConstExpr>>,
    pub exports: Vec<(String, ExternKind, u32)>,
    pub export_index: ExportIndex,
    pub start: Option<u32>,
    pub elements: Vec<ElemSeg>,
    pub data: Vec<DataSeg>,
    /// Whether the module has a data count section. Without one no code can name a data
    /// segment (`memory.init` and `data.drop` need it), so instances keep no per-segment state:
    /// a Go module has about 20,000 segments, 300 KB of state per instance otherwise.
    pub data_count: bool,
    /// (offset, len) of each defined function's body in `bytes`.
    pub bodies: Vec<(usize, usize)>,
    /// Each defined function's translation, in place (no pointer to follow on a call).
    pub compiled: Box<[OnceLock<CompiledFunc>]>,
    /// Each defined memory as its active data segments leave it, made on first instantiation
    /// where it pays (`instance::data_image`).
    pub data_images: OnceLock<Box<[Option<crate::linear::MemoryImage>]>>,
    /// Where the `name` section's payload lies in `bytes` (start, length), read only when a
    /// name is asked for: a Go module names some 2,400 functions, a string each, and only a
    /// backtrace or `Module::name` needs them.
    pub name_section: Option<(usize, usize)>,
    pub names: OnceLock<ModuleNames>,
    /// What validation learned, kept in debug builds so translation can check its operand
    /// heights against the validator's, operator by operator.
    #[cfg(debug_assertions)]
    pub info: wisp_validator::ModuleInfo,
}

impl Drop for ModuleInner {
    /// The translations go last first: eager translation allocated them one after another,
    /// so each freed block joins the free space above it instead of being sorted into the
    /// allocator's bins (`_int_free` was 2-3% of an eager compile that included the drop).
    fn drop(&mut self) {
        for cell in self.compiled.iter_mut().rev() {
            drop(cell.take());
        }
    }
}

impl ModuleInner {
    /// `t` with its concrete type index as an engine id, as the store's types name them.
    pub fn engine_val(&self, t: ValType) -> ValType {
        match t {
            ValType::Ref(r) => ValType::Ref(self.engine_ref(r)),
            t => t,
        }
    }

    pub fn engine_ref(&self, r: RefType) -> RefType {
        match r.heap() {
            HeapType::Concrete(x) => RefType::new(r.nullable(), HeapType::Concrete(self.type_ids[x as usize])),
            _ => r,
        }
    }

    /// The module's names, read from its `name` section on first use. A malformed name section
    /// gives no names, as the spec says custom sections must not make a module fail.
    pub fn names(&self) -> &ModuleNames {
        self.names.get_or_init(|| {
            let Some((start, len)) = self.name_section else { return ModuleNames::default() };
            let names = wisp_decoder::Names::parse(&self.bytes[start..start + len], start).unwrap_or_default();
            ModuleNames {
                module: names.module.map(str::to_string),
                functions: names.functions.iter().map(|(&k, &v)| (k, v.to_string())).collect(),
            }
        })
    }

    pub fn func_type(&self, func_index: u32) -> &FuncType {
        &self.types[self.funcs[func_index as usize] as usize]
    }

    /// The tables, memories and globals the module defines (its imports come first in each
    /// index space).
    pub fn defined_tables(&self) -> &[TableType] {
        &self.table_types[self.num_imported_tables as usize..]
    }

    pub fn defined_memories(&self) -> &[MemoryType] {
        &self.memory_types[self.num_imported_memories as usize..]
    }

    pub fn defined_globals(&self) -> impl Iterator<Item = (&GlobalType, &ConstExpr)> {
        self.global_types[self.num_imported_globals as usize..].iter().zip(&self.global_inits)
    }

    pub fn body(&self, def_index: u32) -> FunctionBody<'_> {
        let (off, len) = self.bodies[def_index as usize];
        FunctionBody::new(&self.bytes[off..off + len], off, self.features)
    }

    /// The executor's way to the code of a callee: the already-translated case inline, first
    /// translation out of line. Keeping `get_or_init`'s closure out of the dispatch handlers
    /// keeps their stack frames empty, which the threaded backend needs for its tail calls.
    #[inline(always)]
    pub fn code_for_call(&self, def_index: u32) -> &CompiledFunc {
        match self.compiled[def_index as usize].get() {
            Some(c) => c,
            None => self.translate_cold(def_index),
        }
    }

    /// Validates and translates every body (eager compilation), in one pass over each;
    /// errors are those validation alone gives, for the first invalid body.
    fn translate_all_validating(&self, info: &wisp_validator::ModuleInfo) -> Result<()> {
        let mut allocs = wisp_validator::FuncValidatorAllocations::default();
        let n = self.bodies.len();
        for def_index in 0..n {
            let func_index = self.num_imported_funcs + def_index as u32;
            let mut validator = wisp_validator::FuncValidator::with_allocations(info, func_index, allocs)?;
            let compiled = match translate::translate_validating(self, def_index as u32, &mut validator) {
                Ok(compiled) => compiled,
                Err(translate::Failure::TooLarge) => translate::too_large(self, def_index as u32),
                Err(translate::Failure::Unsupported(name)) => {
                    return Err(crate::Error::Unsupported(format!("operator {name}")))
                }
                Err(translate::Failure::Invalid(e)) => {
                    return Err(wisp_validator::body_error(e, def_index + 1 == n).into())
                }
            };
            allocs = validator.into_allocations();
            // The module is not shared yet: every cell is empty.
            let _ = self.compiled[def_index].set(compiled);
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn translate_cold(&self, def_index: u32) -> &CompiledFunc {
        self.compiled(def_index)
    }

    /// The translated code of defined function `def_index`, translating it on first use.
    pub fn compiled(&self, def_index: u32) -> &CompiledFunc {
        self.compiled[def_index as usize].get_or_init(|| {
            // Validation accepted this body; only a function too large for wisp's branch
            // offsets fails, and then every call of it traps with that reason.
            translate::translate(self, def_index).unwrap_or_else(|_| translate::too_large(self, def_index))
        })
    }
}

/// A validated module. Cloning is cheap; a module can be instantiated in many stores, on many
/// threads.
///
/// ```
/// let engine = wisp::Engine::default();
/// let wat = r#"(module $demo (import "env" "f" (func)) (func (export "g")))"#;
/// let module = wisp::Module::new(&engine, wat)?; // binary or text; decoded and validated here
/// assert_eq!(module.name(), Some("demo"));
/// assert_eq!(module.imports().len(), 1);
/// assert!(matches!(module.get_export("g"), Some(wisp::ExternType::Func(_))));
/// // Bad input is an error, never a panic.
/// assert!(wisp::Module::new(&engine, b"\0asm\x01\0\0\0\x01").is_err());
/// let shared = module.clone();
/// std::thread::spawn(move || assert!(shared.get_export("g").is_some())).join().unwrap();
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

/// A constant expression as instances evaluate it. The lone `i32.const` (a Go module's 42,000
/// data segment offsets) is taken inline, without the call and the `Result` of the general case.
#[inline(always)]
fn const_expr(expr: &wisp_decoder::ConstExpr<'_>) -> Result<ConstExpr> {
    match expr.as_i32_const() {
        Some(value) => Ok(ConstExpr::One(ConstOp::Value(value as u32 as u64))),
        None => const_expr_ops(expr),
    }
}

#[inline(never)]
fn const_expr_ops(expr: &wisp_decoder::ConstExpr<'_>) -> Result<ConstExpr> {
    let mut ops = expr.operators();
    let mut out = Vec::new();
    loop {
        let op = ops.read()?;
        out.push(match op {
            Operator::End {} => break,
            Operator::I32Const { value } => ConstOp::Value(value as u32 as u64),
            Operator::I64Const { value } => ConstOp::Value(value as u64),
            Operator::F32Const { value } => ConstOp::Value(value.bits() as u64),
            Operator::F64Const { value } => ConstOp::Value(value.bits()),
            Operator::V128Const { value } => ConstOp::V128(u128::from_le_bytes(value.0)),
            Operator::RefNull { .. } => ConstOp::RefNull,
            Operator::RefFunc { function_index } => ConstOp::RefFunc(function_index),
            Operator::GlobalGet { global_index } => ConstOp::GlobalGet(global_index),
            Operator::I32Add {} => ConstOp::I32Add,
            Operator::I32Sub {} => ConstOp::I32Sub,
            Operator::I32Mul {} => ConstOp::I32Mul,
            Operator::I64Add {} => ConstOp::I64Add,
            Operator::I64Sub {} => ConstOp::I64Sub,
            Operator::I64Mul {} => ConstOp::I64Mul,
            other => {
                return Err(Error::Validate(wisp_validator::Error::invalid(
                    format!("constant expression required, found {}", other.name()),
                    expr.offset,
                )))
            }
        });
    }
    Ok(match out.as_slice() {
        [one] => ConstExpr::One(*one),
        _ => ConstExpr::Many(out.into_boxed_slice()),
    })
}

/// A module's binary form: `bytes` as they are, unless they look like the text format
/// (`.wat`: their first character after white space is `(` or a `;;` comment), which is
/// parsed and encoded. Text needs the `wat`
/// feature (on by default); without it, text is an [`Error::Text`].
///
/// ```
/// let wasm = wisp::wat_to_wasm(br#"(module (func (export "f") (result i32) (i32.const 7)))"#).unwrap();
/// assert!(wasm.starts_with(b"\0asm"));
/// assert!(wisp::wat_to_wasm(b"(module (func (result i32)").is_err());
/// ```
pub fn wat_to_wasm(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>> {
    // Only what looks like text is parsed as text: other bytes go to the binary decoder,
    // whose error (a bad magic header, a truncated section) says more about them.
    let text = bytes.trim_ascii_start();
    if !(text.starts_with(b"(") || text.starts_with(b";;")) {
        return Ok(std::borrow::Cow::Borrowed(bytes));
    }
    #[cfg(feature = "wat")]
    {
        wat::parse_bytes(bytes).map_err(|e| Error::Text(one_line(&e.to_string())))
    }
    #[cfg(not(feature = "wat"))]
    {
        Err(Error::Text("not a binary module, and wisp was built without the `wat` feature".into()))
    }
}

/// The text parser's error in one line: its message and where (`--> <anon>:2:32` in the
/// multi-line form with a source snippet becomes `at line 2, column 32`).
#[cfg(feature = "wat")]
fn one_line(text: &str) -> String {
    let mut lines = text.lines();
    let message = lines.next().unwrap_or("").trim().to_string();
    let place = lines.find_map(|l| l.trim().strip_prefix("--> ")).and_then(|at| {
        let mut parts = at.rsplitn(3, ':');
        let (col, line) = (parts.next()?, parts.next()?);
        Some(format!(" at line {line}, column {col}"))
    });
    message + place.as_deref().unwrap_or("")
}

impl Module {
    /// Decodes, validates and prepares a module, given in the binary format or (with the
    /// default `wat` feature) the text format. Function bodies are translated on first call.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        let bytes: Box<[u8]> = wat_to_wasm(bytes.as_ref())?.into();
        let features = engine.config().features;
        let m = wisp_decoder::Module::parse_with_features(&bytes, features)?;
        // The validator knows every index space; the module keeps them. Eager compilation
        // validates each body while translating it.
        let eager = engine.config().compilation == CompilationMode::Eager;
        let info = if eager { wisp_validator::validate_module(&m)? } else { wisp_validator::validate(&m)? };
        // Everything the decoder reads executes: GC's operators, the one part of 3.0 that does
        // not, are not decoded yet (an illegal opcode), 2026-12-06.
        let for_bodies = eager.then(|| info.clone());
        #[cfg(debug_assertions)]
        let info_copy = info.clone();

        let types = info.types;
        let type_ids = engine.intern_module_types(&m.types, &m.sub_types);
        let imports = m
            .imports
            .iter()
            .map(|imp| {
                let ty = match imp.ty {
                    ImportType::Func(t) => ExternType::Func(types[t as usize].clone()),
                    ImportType::Table(t) => ExternType::Table(t),
                    ImportType::Memory(t) => ExternType::Memory(t),
                    ImportType::Global(t) => ExternType::Global(t),
                    ImportType::Tag(t) => ExternType::Tag(types[t as usize].clone()),
                };
                ImportDesc { module: imp.module.to_string(), name: imp.name.to_string(), ty }
            })
            .collect();
        let global_inits = m.globals.iter().map(|g| const_expr(&g.init)).collect::<Result<Vec<_>>>()?;
        let table_inits =
            m.table_inits.iter().map(|e| e.as_ref().map(const_expr).transpose()).collect::<Result<_>>()?;
        let exports: Vec<(String, ExternKind, u32)> =
            m.exports.iter().map(|e| (e.name.to_string(), e.kind, e.index)).collect();
        let export_index = ExportIndex::new(exports.iter().map(|e| e.0.as_str()));
        let mut elements = Vec::with_capacity(m.elements.len());
        for e in &m.elements {
            let mode = match &e.kind {
                ElementKind::Passive => ElemMode::Passive,
                ElementKind::Declared => ElemMode::Declared,
                ElementKind::Active { table, offset } => {
                    ElemMode::Active { table: *table, offset: const_expr(offset)? }
                }
            };
            let items = match &e.items {
                ElementItems::Functions(fs) => fs.iter().map(|&f| ConstExpr::One(ConstOp::RefFunc(f))).collect(),
                ElementItems::Exprs(es) => es.iter().map(const_expr).collect::<Result<Vec<_>>>()?,
            };
            elements.push(ElemSeg { mode, ty: crate::value::slot_ref_type(e.ty), items });
        }
        let base = bytes.as_ptr() as usize;
        let mut data = Vec::with_capacity(m.data.len());
        for d in &m.data {
            let mode = match &d.kind {
                DataKind::Passive => DataMode::Passive,
                DataKind::Active { memory, offset } => {
                    DataMode::Active { memory: *memory, offset: const_expr(offset)? }
                }
            };
            data.push(DataSeg { mode, start: d.bytes.as_ptr() as usize - base, len: d.bytes.len() });
        }
        let bodies: Vec<(usize, usize)> = m.code.iter().map(|b| (b.offset, b.data.len())).collect();
        let name_section = m.custom("name").map(|c| (c.data.as_ptr() as usize - base, c.data.len()));
        let compiled = (0..bodies.len()).map(|_| OnceLock::new()).collect();
        let start = m.start;
        let num_imported_tags = m.num_imported_tags;
        let data_count = m.data_count.is_some();
        // Everything borrowed from `bytes` has been copied out; the module may own them now.
        drop(m);
        let inner = ModuleInner {
            engine: engine.clone(),
            bytes,
            features,
            types,
            type_ids,
            imports,
            funcs: info.funcs,
            num_imported_funcs: info.num_imported_funcs,
            num_imported_tables: info.num_imported_tables,
            num_imported_memories: info.num_imported_memories,
            num_imported_globals: info.num_imported_globals,
            table_types: info.tables,
            memory_types: info.memories,
            global_types: info.globals,
            tag_types: info.tags,
            num_imported_tags,
            global_inits,
            table_inits,
            exports,
            export_index,
            start,
            elements,
            data,
            data_count,
            bodies,
            compiled,
            data_images: OnceLock::new(),
            name_section,
            names: OnceLock::new(),
            #[cfg(debug_assertions)]
            info: info_copy,
        };
        if let Some(info) = for_bodies {
            inner.translate_all_validating(&info)?;
        }
        Ok(Module { inner: Arc::new(inner) })
    }

    /// Checks that `bytes` decode and validate, without preparing a module.
    pub fn validate(engine: &Engine, bytes: &[u8]) -> Result<()> {
        let bytes = wat_to_wasm(bytes)?;
        let m = wisp_decoder::Module::parse_with_features(&bytes, engine.config().features)?;
        wisp_validator::validate(&m)?;
        Ok(())
    }

    /// The engine the module was compiled for.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The module's name from its name section.
    pub fn name(&self) -> Option<&str> {
        self.inner.names().module.as_deref()
    }

    /// The imports, in the order the module declares them.
    pub fn imports(&self) -> impl ExactSizeIterator<Item = &ImportDesc> {
        self.inner.imports.iter()
    }

    /// Exports with their types.
    pub fn exports(&self) -> impl ExactSizeIterator<Item = (&str, ExternType)> + '_ {
        self.inner.exports.iter().map(|(n, k, i)| (n.as_str(), self.extern_type(*k, *i)))
    }

    /// The type of export `name`, if there is one.
    pub fn get_export(&self, name: &str) -> Option<ExternType> {
        let i = self.inner.export_index.get(name)?;
        let (_, k, idx) = &self.inner.exports[i];
        Some(self.extern_type(*k, *idx))
    }

    fn extern_type(&self, kind: ExternKind, index: u32) -> ExternType {
        let m = &self.inner;
        match kind {
            ExternKind::Func => ExternType::Func(m.func_type(index).clone()),
            ExternKind::Table => ExternType::Table(m.table_types[index as usize]),
            ExternKind::Memory => ExternType::Memory(m.memory_types[index as usize]),
            ExternKind::Global => ExternType::Global(m.global_types[index as usize]),
            ExternKind::Tag => ExternType::Tag(m.types[m.tag_types[index as usize] as usize].clone()),
        }
    }

    /// wisp's bytecode for function `func_index` (in the module's function index space), one
    /// instruction per line: the disassembler, for wisp's tests and tools (feature `internals`).
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn disassemble(&self, func_index: u32) -> Option<String> {
        let def = func_index.checked_sub(self.inner.num_imported_funcs)?;
        if def as usize >= self.inner.bodies.len() {
            return None;
        }
        let cf = self.inner.compiled(def);
        let mut out = format!(
            "func[{func_index}] params={} locals={} max_height={}\n",
            cf.num_params, cf.num_locals, cf.max_height
        );
        for (i, instr) in cf.instructions().iter().enumerate() {
            out.push_str(&format!("{i:5}: {instr:?}\n"));
        }
        Some(out)
    }

    /// The bytecode of every defined function (translating all of them), for statistics
    /// (feature `internals`).
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn all_code(&self) -> Vec<Vec<crate::isa::Instr>> {
        (0..self.inner.bodies.len() as u32).map(|i| self.inner.compiled(i).instructions()).collect()
    }

    /// Translates every function now instead of on first call.
    pub fn translate_all(&self) {
        for i in 0..self.inner.bodies.len() as u32 {
            self.inner.compiled(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Config, Dispatch, Engine, Linker, Module, Store, TrapCode};

    /// A function that could not be translated (forced here: only a body of hundreds of
    /// megabytes gets there) traps at each call with the reason; the module's other functions
    /// and the store keep working.
    #[test]
    fn an_untranslatable_function_traps_at_its_calls() {
        for dispatch in [Dispatch::Portable, Dispatch::Threaded] {
            let mut config = Config::new();
            config.dispatch(dispatch);
            let engine = Engine::new(&config);
            let text = r#"(module
                (func (export "big") (param i32) (result i32) local.get 0)
                (func (export "ok") (result i32) i32.const 7))"#;
            let module = Module::new(&engine, text).expect("valid");
            let refused = crate::translate::too_large(&module.inner, 0);
            assert!(module.inner.compiled[0].set(refused).is_ok(), "not translated yet");
            let mut store = Store::new(&engine, ());
            let inst = Linker::new(&engine).instantiate(&mut store, &module).expect("instantiates");
            let big = inst.get_typed_func::<i32, i32>(&store, "big").unwrap();
            let ok = inst.get_typed_func::<(), i32>(&store, "ok").unwrap();
            for _ in 0..2 {
                let err = big.call(&mut store, 5).unwrap_err();
                let trap = err.as_trap().expect("a trap");
                assert_eq!(trap.code(), TrapCode::FunctionTooLarge, "{err}");
                assert_eq!(ok.call(&mut store, ()).unwrap(), 7);
            }
        }
    }
}

/// Export names to their positions in the export list, with the last two names found kept
/// aside: host functions look up `memory` (and `alloc`) on every call through
/// `Caller::get_export`, and hashing the name with std's SipHash took about 200 of a
/// Go-to-host call's 980 instructions (2026-12-05); a hit on a recent name costs one string
/// comparison. The map stays keyed by SipHash, so a module cannot choose colliding names to
/// slow its host down. The recent positions are relaxed atomics (a module is shared between
/// threads): a stale or racing value is only ever a position whose name is compared first.
#[derive(Debug, Default)]
pub(crate) struct ExportIndex {
    map: HashMap<Box<str>, usize>,
    /// Names by position in the export list.
    names: Vec<Box<str>>,
    /// Position + 1 of the last two names found (0: none).
    recent: [AtomicUsize; 2],
}

impl ExportIndex {
    fn new<'a>(list: impl Iterator<Item = &'a str>) -> Self {
        let names: Vec<Box<str>> = list.map(Box::from).collect();
        let map = names.iter().enumerate().map(|(i, n)| (n.clone(), i)).collect();
        ExportIndex { map, names, recent: Default::default() }
    }

    /// The position of export `name` in the module's export list.
    pub(crate) fn get(&self, name: &str) -> Option<usize> {
        for slot in &self.recent {
            let p = slot.load(Ordering::Relaxed);
            if p != 0 && self.names.get(p - 1).is_some_and(|n| **n == *name) {
                return Some(p - 1);
            }
        }
        let &p = self.map.get(name)?;
        self.recent[1].store(self.recent[0].load(Ordering::Relaxed), Ordering::Relaxed);
        self.recent[0].store(p + 1, Ordering::Relaxed);
        Some(p)
    }
}
