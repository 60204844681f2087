//! wisp-validator: the spec's validation rules over a decoded module.
//!
//! SKELETON: the API below is the contract other crates build on; the bodies are being
//! written. `validate` currently accepts everything it can decode.

use wisp_decoder::{BlockType, Features, FuncType, GlobalType, MemoryType, Module, Operator, RefType, TableType, ValType};

/// A validation error: a message worded as the reference interpreter words it, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Decode(#[from] wisp_decoder::Error),
    #[error("{message} (at offset {offset:#x})")]
    Invalid { message: String, offset: usize },
}

impl Error {
    pub fn invalid(message: impl Into<String>, offset: usize) -> Self {
        Error::Invalid { message: message.into(), offset }
    }
    pub fn offset(&self) -> usize {
        match self {
            Error::Decode(e) => e.offset,
            Error::Invalid { offset, .. } => *offset,
        }
    }
    /// The message without the offset.
    pub fn message(&self) -> String {
        match self {
            Error::Decode(e) => e.message(),
            Error::Invalid { message, .. } => message.clone(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What validation learned about a module: every index space with its types.
#[derive(Debug, Clone, Default)]
pub struct ModuleInfo {
    pub features: Features,
    pub types: Vec<FuncType>,
    /// Type index of every function, imported first.
    pub funcs: Vec<u32>,
    pub tables: Vec<TableType>,
    pub memories: Vec<MemoryType>,
    pub globals: Vec<GlobalType>,
    /// Element type of each element segment.
    pub elements: Vec<RefType>,
    /// Number of data segments (from the data count section when present).
    pub data_count: Option<u32>,
    pub num_imported_funcs: u32,
    pub num_imported_globals: u32,
    /// Functions that may be referenced by `ref.func` in function bodies.
    pub declared_funcs: Vec<bool>,
}

impl ModuleInfo {
    pub fn func_type(&self, func_index: u32) -> Option<&FuncType> {
        self.funcs.get(func_index as usize).and_then(|&t| self.types.get(t as usize))
    }
}

/// Decodes and fully validates a module (module-level rules and every function body).
pub fn validate(module: &Module<'_>) -> Result<ModuleInfo> {
    let info = validate_module(module)?;
    for (i, body) in module.code.iter().enumerate() {
        validate_function(&info, info.num_imported_funcs + i as u32, body)?;
    }
    Ok(info)
}

/// Decodes and validates a module's bytes with the given features.
pub fn validate_bytes(bytes: &[u8], features: Features) -> Result<ModuleInfo> {
    let module = Module::parse_with_features(bytes, features)?;
    validate(&module)
}

/// Module-level rules only (not function bodies).
pub fn validate_module(_module: &Module<'_>) -> Result<ModuleInfo> {
    Ok(ModuleInfo::default())
}

/// Validates one defined function's body.
pub fn validate_function(info: &ModuleInfo, func_index: u32, body: &wisp_decoder::FunctionBody<'_>) -> Result<()> {
    let mut v = FuncValidator::new(info, func_index)?;
    let (locals, mut ops) = body.read_locals()?;
    for (count, ty) in locals {
        v.define_locals(count, ty)?;
    }
    while !ops.eof() {
        let (op, offset) = ops.read_with_offset()?;
        v.op(offset, &op)?;
    }
    v.finish(ops.offset())
}

/// The kind of a control frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    Func,
    Block,
    Loop,
    If,
    Else,
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
}

/// Validates one function body an operator at a time. Between operators a translator may ask
/// for the operand and control stacks, so validation and translation are one pass.
pub struct FuncValidator<'m> {
    info: &'m ModuleInfo,
    locals: Vec<ValType>,
    operands: Vec<Option<ValType>>,
    controls: Vec<ControlFrame>,
}

impl<'m> FuncValidator<'m> {
    /// Starts validating function `func_index` (in the whole function index space).
    pub fn new(info: &'m ModuleInfo, func_index: u32) -> Result<Self> {
        let ty = info.func_type(func_index).ok_or_else(|| Error::invalid("unknown function", 0))?;
        Ok(FuncValidator {
            info,
            locals: ty.params().to_vec(),
            operands: Vec::new(),
            controls: vec![ControlFrame {
                kind: FrameKind::Func,
                block_type: BlockType::FuncType(info.funcs[func_index as usize]),
                height: 0,
                unreachable: false,
            }],
        })
    }

    pub fn define_locals(&mut self, count: u32, ty: ValType) -> Result<()> {
        self.locals.extend(std::iter::repeat(ty).take(count as usize));
        Ok(())
    }

    /// Validates one operator.
    pub fn op(&mut self, _offset: usize, _op: &Operator<'_>) -> Result<()> {
        Ok(())
    }

    /// Checks the body ended exactly at its last `end`.
    pub fn finish(&mut self, _offset: usize) -> Result<()> {
        Ok(())
    }

    pub fn info(&self) -> &'m ModuleInfo {
        self.info
    }

    /// Number of locals, parameters included.
    pub fn num_locals(&self) -> u32 {
        self.locals.len() as u32
    }

    pub fn local_type(&self, index: u32) -> Option<ValType> {
        self.locals.get(index as usize).copied()
    }

    /// Current operand stack height (values, whatever their types).
    pub fn operand_height(&self) -> usize {
        self.operands.len()
    }

    /// Number of open control frames, the function's own frame included.
    pub fn control_height(&self) -> usize {
        self.controls.len()
    }

    /// The control frame `depth` labels out (0 = innermost).
    pub fn control(&self, depth: u32) -> Option<&ControlFrame> {
        let n = self.controls.len();
        (depth as usize).checked_add(1).filter(|&d| d <= n).map(|d| &self.controls[n - d])
    }

    /// Whether the code being validated is unreachable (the innermost frame is).
    pub fn is_unreachable(&self) -> bool {
        self.controls.last().is_some_and(|f| f.unreachable)
    }

    /// Parameter and result types of a block type.
    pub fn block_params_results(&self, bt: BlockType) -> (&[ValType], &[ValType]) {
        match bt {
            BlockType::Empty => (&[], &[]),
            BlockType::Value(t) => (&[], std::slice::from_ref(self.leak_valtype(t))),
            BlockType::FuncType(i) => {
                let ft = &self.info.types[i as usize];
                (ft.params(), ft.results())
            }
        }
    }

    fn leak_valtype(&self, t: ValType) -> &'static ValType {
        const ALL: [ValType; 7] = [ValType::I32, ValType::I64, ValType::F32, ValType::F64, ValType::V128, ValType::FUNCREF, ValType::EXTERNREF];
        ALL.iter().find(|&&x| x == t).expect("every value type is listed")
    }
}
