//! Element section, in all eight encodings.

use crate::error::{Error, ErrorKind, Result};
use crate::reader::BinaryReader;
use crate::sections::globals::ConstExpr;
use crate::types::{HeapType, RefType};
use crate::Features;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElementKind<'a> {
    Passive,
    Active { table: u32, offset: ConstExpr<'a> },
    Declared,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElementItems<'a> {
    /// Function indices (encodings 0-3).
    Functions(Vec<u32>),
    /// Constant expressions (encodings 4-7).
    Exprs(Vec<ConstExpr<'a>>),
}

impl ElementItems<'_> {
    pub fn len(&self) -> usize {
        match self {
            ElementItems::Functions(v) => v.len(),
            ElementItems::Exprs(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element<'a> {
    pub kind: ElementKind<'a>,
    pub ty: RefType,
    pub items: ElementItems<'a>,
    pub offset: usize,
    /// The segment's encoding (0 to 7): bit 0 passive or declared, bit 1 an explicit table
    /// or declared, bit 2 expressions. Everything but 0 came with bulk memory and reference
    /// types.
    pub flags: u8,
}

pub(crate) fn read<'a>(r: &mut BinaryReader<'a>, f: &Features) -> Result<Vec<Element<'a>>> {
    let n = r.read_count()?;
    let mut elements = Vec::with_capacity(n as usize);
    for _ in 0..n {
        elements.push(read_one(r, f)?);
    }
    Ok(elements)
}

fn read_one<'a>(r: &mut BinaryReader<'a>, f: &Features) -> Result<Element<'a>> {
    let offset = r.offset();
    let flags = r.read_var_u32()?;
    // Encodings 1 to 7 came with bulk memory; those of expressions (4 to 7) need reference
    // types too, as wasmparser has it.
    if flags > 7 || (flags != 0 && !f.bulk_memory) || (flags & 0x04 != 0 && !f.reference_types) {
        return Err(Error::new(ErrorKind::MalformedElemKind, offset));
    }
    // Bit 0: passive or declared; bit 1: explicit table (active) or declared; bit 2: expressions.
    let kind = if flags & 0x01 == 0 {
        let table = if flags & 0x02 != 0 { r.read_var_u32()? } else { 0 };
        ElementKind::Active { table, offset: ConstExpr::read(r, f)? }
    } else if flags & 0x02 == 0 {
        ElementKind::Passive
    } else {
        ElementKind::Declared
    };
    let uses_exprs = flags & 0x04 != 0;
    // Encodings 0 and 4 imply their type; the others say elemkind (0x00) or a reference type.
    // With typed references a vector of function indices is `(ref func)`: none is null.
    let indices_type = if f.function_references { RefType::new(false, HeapType::Func) } else { RefType::FuncRef };
    let ty = if flags & 0x03 == 0 {
        if uses_exprs {
            RefType::FuncRef
        } else {
            indices_type
        }
    } else if uses_exprs {
        RefType::read(r, f)?
    } else {
        let at = r.offset();
        if r.read_u8()? != 0x00 {
            return Err(Error::new(ErrorKind::MalformedElemKind, at));
        }
        indices_type
    };
    let count = r.read_count()?;
    let items = if uses_exprs {
        let mut exprs = Vec::with_capacity(count as usize);
        for _ in 0..count {
            exprs.push(ConstExpr::read(r, f)?);
        }
        ElementItems::Exprs(exprs)
    } else {
        let mut funcs = Vec::with_capacity(count as usize);
        for _ in 0..count {
            funcs.push(r.read_var_u32()?);
        }
        ElementItems::Functions(funcs)
    };
    Ok(Element { kind, ty, items, offset, flags: flags as u8 })
}
