//! What the decoder and validator accept but wisp does not execute yet: a module that uses
//! it is refused when it is created, with an error that names the feature, never a panic in
//! translation. WebAssembly 3.0's proposals are decoded and validated in full (their
//! `Config` switches exist for that); execution follows proposal by proposal: tail calls,
//! wide arithmetic and exception handling execute (2026-12-05).

use crate::error::{Error, Result};
use wisp_decoder::{
    CompositeType, ElementItems, Features, HeapType, ImportType, MemArg, Module, Operator, RefType, ValType,
};

/// Whether `f` switches on a proposal wisp does not execute yet (WebAssembly 2.0's features,
/// extended constant expressions, tail calls, wide arithmetic and exceptions it executes, on
/// or off).
fn beyond_executed(f: Features) -> bool {
    f.simd || f.relaxed_simd || f.multi_memory || f.memory64 || f.function_references || f.custom_page_sizes || f.gc
}

/// Refuses `m` if it uses a feature wisp does not execute. A module decoded with only the
/// features wisp executes needs no scan (the default: nothing is read twice).
pub(crate) fn check(m: &Module<'_>) -> Result<()> {
    let f = m.features;
    if !beyond_executed(f) {
        return Ok(());
    }
    for s in &m.sub_types {
        if !matches!(s.composite, CompositeType::Func) || s.supertype.is_some() || !s.is_final || s.rec_len > 1 {
            return Err(unsupported("struct, array, sub and rec types (gc)"));
        }
    }
    for t in &m.types {
        t.params().iter().chain(t.results()).try_for_each(|&t| val_type(t))?;
    }
    for i in &m.imports {
        match i.ty {
            ImportType::Table(t) => table(t.element, t.table64)?,
            ImportType::Memory(t) => memory(t.page_size_log2)?,
            ImportType::Global(g) => val_type(g.content)?,
            ImportType::Func(_) | ImportType::Tag(_) => {}
        }
    }
    for t in &m.tables {
        table(t.element, t.table64)?;
    }
    if m.table_inits.iter().any(Option::is_some) {
        return Err(unsupported("table initializer expressions (function-references)"));
    }
    for t in &m.memories {
        memory(t.page_size_log2)?;
    }
    for g in &m.globals {
        val_type(g.ty.content)?;
    }
    for e in &m.elements {
        ref_type(e.ty)?;
        if let ElementItems::Exprs(es) = &e.items {
            for expr in es {
                let mut ops = expr.operators();
                while let Ok(op) = ops.read() {
                    if matches!(op, Operator::End {}) {
                        break;
                    }
                    operator(&op)?;
                }
            }
        }
    }
    for body in &m.code {
        let (locals, mut ops) = body.read_locals()?;
        for (_, t) in locals {
            val_type(t)?;
        }
        while !ops.eof() {
            operator(&ops.read()?)?;
        }
    }
    Ok(())
}

#[cold]
fn unsupported(what: &str) -> Error {
    Error::Unsupported(what.to_string())
}

fn val_type(t: ValType) -> Result<()> {
    match t {
        ValType::V128 => Err(unsupported("type v128 (simd)")),
        ValType::Ref(r) => ref_type(r),
        _ => Ok(()),
    }
}

/// Reference types wisp represents: `funcref`, `externref` and `exnref`, nullable or not
/// (and `noexn`, whose only value is null).
fn ref_type(r: RefType) -> Result<()> {
    match r.heap() {
        HeapType::Func | HeapType::Extern | HeapType::Exn | HeapType::NoExn => Ok(()),
        _ => Err(Error::Unsupported(format!("reference type {r} (function-references)"))),
    }
}

fn table(element: RefType, table64: bool) -> Result<()> {
    if table64 {
        return Err(unsupported("64-bit tables (memory64)"));
    }
    ref_type(element)
}

fn memory(page_size_log2: Option<u8>) -> Result<()> {
    match page_size_log2 {
        None | Some(16) => Ok(()),
        Some(_) => Err(unsupported("custom page sizes (custom-page-sizes)")),
    }
}

fn memarg(op: &Operator<'_>, m: &MemArg) -> Result<()> {
    if m.memory != 0 {
        return Err(Error::Unsupported(format!("operator {} on memory {} (multi-memory)", op.name(), m.memory)));
    }
    if m.offset > u64::from(u32::MAX) {
        return Err(Error::Unsupported(format!("operator {} with offset {} (memory64)", op.name(), m.offset)));
    }
    Ok(())
}

/// Refuses an operator of a proposal wisp does not execute, or one that names a memory other
/// than the first.
fn operator(op: &Operator<'_>) -> Result<()> {
    let proposal = op.proposal();
    if !matches!(proposal, "mvp" | "sign_ext" | "sat" | "bulk" | "ref" | "tail_call" | "wide" | "exceptions") {
        // `return_call_ref` is a tail call of a typed reference: refused with `call_ref`.
        let proposal = match proposal {
            "func_ref" | "tail_call_ref" => "function-references",
            p => p,
        };
        return Err(Error::Unsupported(format!("operator {} ({})", op.name(), proposal.replace('_', "-"))));
    }
    let mem = |m: u32| {
        if m == 0 {
            Ok(())
        } else {
            Err(Error::Unsupported(format!("operator {} on memory {m} (multi-memory)", op.name())))
        }
    };
    match op {
        Operator::MemorySize { mem: m } | Operator::MemoryGrow { mem: m } | Operator::MemoryFill { mem: m } => mem(*m),
        Operator::MemoryInit { mem: m, .. } => mem(*m),
        Operator::MemoryCopy { dst_mem, src_mem } => mem(*dst_mem).and(mem(*src_mem)),
        Operator::TypedSelect { ty } => val_type(*ty),
        Operator::RefNull { hty } => ref_type(RefType::new(true, *hty)),
        Operator::Block { blockty } | Operator::Loop { blockty } | Operator::If { blockty } => match blockty {
            wisp_decoder::BlockType::Value(t) => val_type(*t),
            _ => Ok(()),
        },
        Operator::TryTable { table } => match table.blockty() {
            wisp_decoder::BlockType::Value(t) => val_type(t),
            _ => Ok(()),
        },
        _ => match memarg_of(op) {
            Some(m) => memarg(op, m),
            None => Ok(()),
        },
    }
}

/// The memory immediate of a load or store.
fn memarg_of<'o>(op: &'o Operator<'_>) -> Option<&'o MemArg> {
    macro_rules! memargs {
        ($( $proposal:ident $code:literal $name:ident { $($field:ident : $ty:ty = $read:ident),* } [$($sig:tt)*] $text:literal )*) => {
            match op {
                $( Operator::$name { .. } => memargs!(@one op $name [$($sig)*] $($field)*), )*
            }
        };
        (@one $op:ident $name:ident [load $t:ident $a:literal] $m:ident) => {
            match $op { Operator::$name { $m } => Some($m), _ => None }
        };
        (@one $op:ident $name:ident [store $t:ident $a:literal] $m:ident) => {
            match $op { Operator::$name { $m } => Some($m), _ => None }
        };
        (@one $op:ident $name:ident [$($sig:tt)*] $($f:ident)*) => {
            None
        };
    }
    wisp_decoder::for_each_operator!(memargs)
}
