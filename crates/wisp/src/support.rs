//! What the decoder and validator accept but wisp does not execute yet: a module that uses
//! it is refused when it is created, with an error that names the feature, never a panic in
//! translation. WebAssembly 3.0's proposals are decoded and validated in full (their
//! `Config` switches exist for that); execution follows proposal by proposal: tail calls, wide
//! arithmetic, typed function references, multi-memory, memory64, custom page sizes,
//! fixed-width and relaxed SIMD (on every memory) and exception handling (`v128` payloads
//! included) execute; gc does not (2026-12-06).

use crate::error::{Error, Result};
use wisp_decoder::{CompositeType, ConstExpr, ElementItems, HeapType, ImportType, Module, Operator, RefType, ValType};
use wisp_validator::BodyUses;

/// Refuses `m` if it uses a feature wisp does not execute: gc's types (WebAssembly 2.0's
/// features and the rest of 3.0 execute, with the proposals beyond it that wisp knows). What
/// the bodies name is `bodies`, noted by their validation (`None` when they are validated
/// later: eager compilation gives it to `check_bodies`), so no body is read a second time for
/// it.
pub(crate) fn check(m: &Module<'_>, bodies: Option<BodyUses>) -> Result<()> {
    if m.features.gc {
        declarations(m)?;
    }
    if let Some(uses) = bodies {
        check_bodies(uses)?;
    }
    Ok(())
}

/// Refuses what bodies name that wisp does not execute (see [`BodyUses`]).
pub(crate) fn check_bodies(uses: BodyUses) -> Result<()> {
    match uses.gc_ref {
        Some(r) => ref_type(r),
        None => Ok(()),
    }
}

/// Refuses gc's types where the module declares them (types, imports, tables, globals,
/// segments).
fn declarations(m: &Module<'_>) -> Result<()> {
    // Function types in recursion groups execute (their identity is the group's, `engine.rs`);
    // declared subtypes need the subtype checks of gc at run time.
    for s in &m.sub_types {
        if !matches!(s.composite, CompositeType::Func) || s.supertype.is_some() {
            return Err(unsupported("struct and array types, declared supertypes (gc)"));
        }
    }
    for t in &m.types {
        t.params().iter().chain(t.results()).try_for_each(|&t| val_type(t))?;
    }
    for i in &m.imports {
        match i.ty {
            ImportType::Table(t) => ref_type(t.element)?,
            ImportType::Global(g) => val_type(g.content)?,
            ImportType::Func(_) | ImportType::Memory(_) | ImportType::Tag(_) => {}
        }
    }
    for t in &m.tables {
        ref_type(t.element)?;
    }
    for init in m.table_inits.iter().flatten() {
        const_expr(init)?;
    }
    for g in &m.globals {
        val_type(g.ty.content)?;
    }
    for e in &m.elements {
        ref_type(e.ty)?;
        if let ElementItems::Exprs(es) = &e.items {
            es.iter().try_for_each(const_expr)?;
        }
    }
    Ok(())
}

fn const_expr(expr: &ConstExpr<'_>) -> Result<()> {
    let mut ops = expr.operators();
    while let Ok(op) = ops.read() {
        if matches!(op, Operator::End {}) {
            break;
        }
        operator(&op)?;
    }
    Ok(())
}

#[cold]
fn unsupported(what: &str) -> Error {
    Error::Unsupported(what.to_string())
}

fn val_type(t: ValType) -> Result<()> {
    match t {
        ValType::Ref(r) => ref_type(r),
        _ => Ok(()),
    }
}

/// Reference types wisp represents: to functions (of any type, or of a defined function type:
/// the module's types are all function types once `check` has seen them), to external objects
/// and to exceptions, nullable or not, and their bottom types.
fn ref_type(r: RefType) -> Result<()> {
    match r.heap() {
        HeapType::Func
        | HeapType::Extern
        | HeapType::Exn
        | HeapType::Concrete(_)
        | HeapType::NoFunc
        | HeapType::NoExtern
        | HeapType::NoExn => Ok(()),
        _ => Err(Error::Unsupported(format!("reference type {r} (gc)"))),
    }
}

/// Refuses an operator of a proposal wisp does not execute.
fn operator(op: &Operator<'_>) -> Result<()> {
    let proposal = op.proposal();
    if !matches!(
        proposal,
        "mvp"
            | "sign_ext"
            | "sat"
            | "bulk"
            | "ref"
            | "tail_call"
            | "wide"
            | "func_ref"
            | "tail_call_ref"
            | "simd"
            | "relaxed_simd"
            | "exceptions"
    ) {
        return Err(Error::Unsupported(format!("operator {} ({})", op.name(), proposal.replace('_', "-"))));
    }
    match op {
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
        _ => Ok(()),
    }
}
