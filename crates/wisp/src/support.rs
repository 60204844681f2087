//! What the decoder and validator accept but wisp does not execute yet: a module that uses
//! it is refused when it is created, with an error that names the feature, never a panic in
//! translation. WebAssembly 3.0's proposals are decoded and validated in full (their
//! `Config` switches exist for that); execution follows proposal by proposal: tail calls, wide
//! arithmetic, typed function references, multi-memory, memory64, custom page sizes,
//! fixed-width and relaxed SIMD and exception handling execute (2026-12-05).

use crate::error::{Error, Result};
use wisp_decoder::{
    CompositeType, ConstExpr, ElementItems, HeapType, ImportType, MemArg, Module, Operator, RefType, ValType,
};
use wisp_validator::BodyUses;

/// Refuses `m` if it uses a feature wisp does not execute: gc's types (WebAssembly 2.0's
/// features, extended constant expressions, tail calls, wide arithmetic, typed function
/// references, multi-memory, memory64, custom page sizes, SIMD and exceptions execute). What
/// the bodies name is `bodies`, noted by their validation (`None` when they are validated
/// later: eager compilation gives it to `check_bodies`), so no body is read a second time for
/// it. SIMD's memory accesses execute on memory 0 with 32-bit addresses only: only a module
/// with SIMD and more memories or a 64-bit one is scanned for the others. Exception payloads
/// are values, not slots, so a tag carrying a `v128` is refused too.
pub(crate) fn check(m: &Module<'_>, bodies: Option<BodyUses>) -> Result<()> {
    let f = m.features;
    if f.simd && f.exceptions {
        tags(m)?;
    }
    if f.gc {
        declarations(m)?;
    }
    if let Some(uses) = bodies {
        check_bodies(uses)?;
    }
    let imported = m.imports.iter().filter_map(|i| match i.ty {
        ImportType::Memory(t) => Some(t.memory64),
        _ => None,
    });
    let mut memories = imported.chain(m.memories.iter().map(|t| t.memory64));
    let mem0_64 = memories.next().unwrap_or(false);
    if f.simd && (mem0_64 || memories.next().is_some()) {
        scan(m, mem0_64)?;
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

/// Refuses a tag whose payload holds a `v128`.
fn tags(m: &Module<'_>) -> Result<()> {
    let imported_tags = m.imports.iter().filter_map(|i| match i.ty {
        ImportType::Tag(t) => Some(t),
        _ => None,
    });
    for t in imported_tags.chain(m.tags.iter().copied()) {
        if m.types.get(t as usize).is_some_and(|ty| ty.params().contains(&ValType::V128)) {
            return Err(unsupported("a tag with a v128 payload (simd with exceptions)"));
        }
    }
    Ok(())
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

/// Reads every body for what wisp does not execute, SIMD accesses to other memories than a
/// 32-bit memory 0 among them.
fn scan(m: &Module<'_>, mem0_64: bool) -> Result<()> {
    for body in &m.code {
        let (locals, mut ops) = body.read_locals()?;
        for (_, t) in locals {
            val_type(t)?;
        }
        while !ops.eof() {
            let op = ops.read()?;
            operator(&op)?;
            simd_memory(&op, mem0_64)?;
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

/// Refuses a SIMD memory access to another memory than memory 0 with 32-bit addresses (its
/// instructions have neither a memory index nor a 64-bit address yet).
fn simd_memory(op: &Operator<'_>, mem0_64: bool) -> Result<()> {
    if !matches!(op.proposal(), "simd" | "relaxed_simd") {
        return Ok(());
    }
    match memarg_of(op) {
        Some(m) if m.memory != 0 || mem0_64 => Err(Error::Unsupported(format!(
            "operator {} on memory {}{} (simd with multi-memory or memory64)",
            op.name(),
            m.memory,
            if m.memory == 0 { " with 64-bit addresses" } else { "" }
        ))),
        _ => Ok(()),
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
        (@one $op:ident $name:ident [load_lane $a:literal $n:literal] $m:ident $l:ident) => {
            match $op { Operator::$name { $m, .. } => Some($m), _ => None }
        };
        (@one $op:ident $name:ident [store_lane $a:literal $n:literal] $m:ident $l:ident) => {
            match $op { Operator::$name { $m, .. } => Some($m), _ => None }
        };
        (@one $op:ident $name:ident [$($sig:tt)*] $($f:ident)*) => {
            None
        };
    }
    wisp_decoder::for_each_operator!(memargs)
}
