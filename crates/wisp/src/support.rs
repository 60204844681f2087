//! What the decoder and validator accept but wisp does not execute yet: a module that uses
//! it is refused when it is created, with an error that names the feature, never a panic in
//! translation. WebAssembly 3.0's proposals are decoded and validated in full (their
//! `Config` switches exist for that); execution follows proposal by proposal: tail calls, wide
//! arithmetic, typed function references, multi-memory, memory64, custom page sizes,
//! fixed-width and relaxed SIMD and exception handling execute (2026-12-05).
//!
//! GC's type system executes, its operators do not (2026-12-06): struct and array types,
//! declared supertypes (`sub`, `final`) and the abstract heap types (`any`, `eq`, `i31`,
//! `struct`, `array`, `none`) are accepted, and without the operators that make or inspect
//! GC objects the only values of the `any` hierarchy are nulls (`Val::AnyRef(None)`); the
//! subtyping that `call_indirect` and import matching need is the engine's
//! (`wisp_validator::TypeDefs` over engine ids). GC's operators (`struct.*`, `array.*`,
//! `ref.i31`, `i31.get_*`, `ref.test`, `ref.cast`, `br_on_cast*`, `any.convert_extern`,
//! `extern.convert_any`, `ref.eq`) are not decoded yet, so the decoder refuses them
//! (`illegal opcode 0xfb`, `0xd3`); once it reads them, `operator` below refuses them by name
//! (their proposal, `gc`, is not one this file lets through) until they execute.

use crate::error::{Error, Result};
use wisp_decoder::{ConstExpr, ElementItems, Features, ImportType, MemArg, Module, Operator, ValType};

/// Whether `f` switches on a proposal wisp does not execute in full (WebAssembly 2.0's
/// features, extended constant expressions, tail calls, wide arithmetic, typed function
/// references, multi-memory, memory64, custom page sizes, SIMD and exceptions it executes, on
/// or off; of gc, the types only: a module with gc on is scanned for its operators).
/// SIMD's memory accesses execute on memory 0 with 32-bit addresses only: a module with SIMD
/// and more memories or 64-bit ones is scanned for the others.
/// Exception payloads are values, not slots, so a tag carrying a `v128` is refused too.
fn beyond_executed(f: Features) -> bool {
    f.gc || (f.simd && (f.multi_memory || f.memory64 || f.exceptions))
}

/// Refuses `m` if it uses a feature wisp does not execute. A module decoded with only the
/// features wisp executes needs no scan (the default: nothing is read twice).
pub(crate) fn check(m: &Module<'_>) -> Result<()> {
    let f = m.features;
    if !beyond_executed(f) {
        return Ok(());
    }
    let imported_tags = m.imports.iter().filter_map(|i| match i.ty {
        ImportType::Tag(t) => Some(t),
        _ => None,
    });
    for t in imported_tags.chain(m.tags.iter().copied()) {
        if m.types.get(t as usize).is_some_and(|ty| ty.params().contains(&ValType::V128)) {
            return Err(unsupported("a tag with a v128 payload (simd with exceptions)"));
        }
    }
    for init in m.table_inits.iter().flatten() {
        const_expr(init)?;
    }
    for g in &m.globals {
        const_expr(&g.init)?;
    }
    for e in &m.elements {
        if let ElementItems::Exprs(es) = &e.items {
            es.iter().try_for_each(const_expr)?;
        }
    }
    let imported = m.imports.iter().filter_map(|i| match i.ty {
        ImportType::Memory(t) => Some(t.memory64),
        _ => None,
    });
    let mem0_64 = imported.chain(m.memories.iter().map(|t| t.memory64)).next().unwrap_or(false);
    for body in &m.code {
        let (_, mut ops) = body.read_locals()?;
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
    Ok(())
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
