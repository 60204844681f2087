//! The type section's rules: recursion groups, their canonical forms (two groups that
//! spell the same types are one type, as iso-recursive equivalence says), declared
//! supertypes, and subtyping of value and heap types.
//!
//! Every type index the validator keeps is canonical: the first index of the first group
//! equivalent to its own. Equal canonical types are then equal values, and type identity is
//! a compare, as it was before typed references.

use crate::error::{invalid, unknown, Result};
use std::collections::HashMap;
use wisp_decoder::{CompositeType, FieldType, FuncType, HeapType, RefType, StorageType, SubType, ValType};

/// Marks, inside a group's key, an index relative to the group's start.
const REC: u32 = 1 << 31;

/// The module's types after canonicalisation.
#[derive(Debug, Clone, Default)]
pub struct Types {
    /// Every type index's canonical index.
    canon: Vec<u32>,
    /// Every type's definition, its type indices canonical.
    subs: Vec<SubType>,
}

impl Types {
    /// Checks the type section and canonicalises it; gives the function types with
    /// canonical indices. Before GC (`gc` off) a type names only types defined before it.
    pub(crate) fn new(funcs: &[FuncType], subs: &[SubType], gc: bool) -> Result<(Types, Vec<FuncType>)> {
        let mut types = Types { canon: Vec::with_capacity(subs.len()), subs: Vec::with_capacity(subs.len()) };
        let mut out_funcs = Vec::with_capacity(funcs.len());
        let mut groups: HashMap<Vec<(SubType, FuncType)>, u32> = HashMap::new();
        let mut start = 0usize;
        while start < subs.len() {
            let len = (subs[start].rec_len as usize).max(1);
            let end = start + len;
            let group = &subs[start..end];
            let group_funcs = &funcs[start..end];
            // Every index the group names must be defined by now (earlier groups or this one).
            for (i, s) in group.iter().enumerate() {
                let end = if gc { end } else { start + i };
                let mut ok = true;
                for_each_index(s, &group_funcs[i], |x| ok &= (x as usize) < end);
                if !ok {
                    let mut bad = 0;
                    for_each_index(s, &group_funcs[i], |x| {
                        if x as usize >= end && bad == 0 {
                            bad = x
                        }
                    });
                    return Err(unknown("type", bad, 0));
                }
                if let Some(sup) = s.supertype {
                    if sup as usize >= start + i {
                        return Err(unknown("type", sup, 0));
                    }
                }
            }
            // The group's key: indices inside it relative, those before it canonical.
            let rel = |x: u32| if x as usize >= start { REC | (x - start as u32) } else { types.canon[x as usize] };
            let key: Vec<(SubType, FuncType)> =
                group.iter().zip(group_funcs).map(|(s, f)| map_sub(s, f, &rel)).collect();
            let canon_start = *groups.entry(key).or_insert(start as u32);
            for i in 0..len {
                types.canon.push(canon_start + i as u32);
            }
            let canon = |x: u32| types.canon[x as usize];
            for (s, f) in group.iter().zip(group_funcs) {
                let (sub, func) = map_sub(s, f, &canon);
                types.subs.push(sub);
                out_funcs.push(func);
            }
            for i in start..end {
                types.check_supertype(i as u32, &out_funcs)?;
            }
            start = end;
        }
        Ok((types, out_funcs))
    }

    pub fn len(&self) -> usize {
        self.subs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.subs.is_empty()
    }

    /// The canonical index of type `x` (which must exist).
    #[inline]
    pub fn canon(&self, x: u32) -> u32 {
        self.canon.get(x as usize).copied().unwrap_or(x)
    }

    /// The definition of type `x` (canonical or not).
    pub fn sub(&self, x: u32) -> Option<&SubType> {
        self.subs.get(x as usize)
    }

    /// `t` with its type indices canonical; an unknown index is an error.
    pub fn canon_val(&self, t: ValType, offset: usize) -> Result<ValType> {
        match t {
            ValType::Ref(r) => Ok(ValType::Ref(self.canon_ref(r, offset)?)),
            t => Ok(t),
        }
    }

    pub fn canon_ref(&self, r: RefType, offset: usize) -> Result<RefType> {
        Ok(RefType::new(r.nullable(), self.canon_heap(r.heap(), offset)?))
    }

    pub fn canon_heap(&self, h: HeapType, offset: usize) -> Result<HeapType> {
        match h {
            HeapType::Concrete(x) if x as usize >= self.canon.len() => Err(unknown("type", x, offset)),
            HeapType::Concrete(x) => Ok(HeapType::Concrete(self.canon(x))),
            h => Ok(h),
        }
    }

    fn field_sub(&self, a: &FieldType, b: &FieldType) -> bool {
        if a.mutable != b.mutable {
            return false;
        }
        match (a.storage, b.storage) {
            (StorageType::Val(x), StorageType::Val(y)) => {
                if a.mutable {
                    x == y
                } else {
                    self.val_sub(x, y)
                }
            }
            (x, y) => x == y,
        }
    }

    /// Type `x`'s declared supertype: not final, and matched by `x`'s definition.
    fn check_supertype(&self, x: u32, funcs: &[FuncType]) -> Result<()> {
        let s = &self.subs[x as usize];
        let Some(sup) = s.supertype else { return Ok(()) };
        let t = &self.subs[sup as usize];
        if t.is_final {
            return Err(invalid("sub type cannot have a final super type", 0));
        }
        let ok = match (&s.composite, &t.composite) {
            (CompositeType::Func, CompositeType::Func) => {
                let (a, b) = (&funcs[x as usize], &funcs[sup as usize]);
                a.params().len() == b.params().len()
                    && a.results().len() == b.results().len()
                    && b.params().iter().zip(a.params()).all(|(&p, &q)| self.val_sub(p, q))
                    && a.results().iter().zip(b.results()).all(|(&p, &q)| self.val_sub(p, q))
            }
            (CompositeType::Struct(a), CompositeType::Struct(b)) => {
                a.len() >= b.len() && a.iter().zip(b.iter()).all(|(p, q)| self.field_sub(p, q))
            }
            (CompositeType::Array(a), CompositeType::Array(b)) => self.field_sub(a, b),
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(invalid("sub type does not match super type", 0))
        }
    }
}

/// Subtyping over type definitions found by index: a module's with canonical indices (the
/// validator's [`Types`]) or an engine's with engine-wide ids (wisp's store), so both decide
/// it by the same rules. Two indices name one type only when they are equal.
pub trait TypeDefs {
    /// The definition of type `x`, if there is one.
    fn def(&self, x: u32) -> Option<&SubType>;

    fn is_func(&self, x: u32) -> bool {
        matches!(self.def(x).map(|s| &s.composite), Some(CompositeType::Func))
    }

    /// Whether value type `a` matches `b`.
    fn val_sub(&self, a: ValType, b: ValType) -> bool {
        match (a, b) {
            (ValType::Ref(a), ValType::Ref(b)) => self.ref_sub(a, b),
            (a, b) => a == b,
        }
    }

    fn ref_sub(&self, a: RefType, b: RefType) -> bool {
        (b.nullable() || !a.nullable()) && self.heap_sub(a.heap(), b.heap())
    }

    /// Heap subtyping: declared supertypes, then the abstract hierarchies.
    fn heap_sub(&self, a: HeapType, b: HeapType) -> bool {
        use HeapType as H;
        if a == b {
            return true;
        }
        match (a, b) {
            (H::Concrete(mut x), H::Concrete(y)) => {
                // Declared supertypes have smaller indices: the walk ends.
                while let Some(s) = self.def(x).and_then(|s| s.supertype) {
                    if s == y {
                        return true;
                    }
                    x = s;
                }
                false
            }
            (H::Concrete(x), b) => match self.def(x).map(|s| &s.composite) {
                Some(CompositeType::Func) => b == H::Func,
                Some(CompositeType::Struct(_)) => matches!(b, H::Struct | H::Eq | H::Any),
                Some(CompositeType::Array(_)) => matches!(b, H::Array | H::Eq | H::Any),
                None => false,
            },
            (H::NoFunc, H::Concrete(y)) => self.is_func(y),
            (H::None, H::Concrete(y)) => !self.is_func(y) && self.def(y).is_some(),
            (_, H::Concrete(_)) => false,
            (H::None, H::I31 | H::Struct | H::Array | H::Eq | H::Any) => true,
            (H::I31 | H::Struct | H::Array, H::Eq | H::Any) => true,
            (H::Eq, H::Any) => true,
            (H::NoFunc, H::Func) | (H::NoExtern, H::Extern) | (H::NoExn, H::Exn) => true,
            _ => false,
        }
    }

    /// The top of `h`'s hierarchy: `func`, `extern`, `exn` or `any` (the hierarchy of struct
    /// and array types, `i31` and `none`).
    fn top(&self, h: HeapType) -> HeapType {
        use HeapType as H;
        match h {
            H::Func | H::NoFunc => H::Func,
            H::Extern | H::NoExtern => H::Extern,
            H::Exn | H::NoExn => H::Exn,
            H::Concrete(x) if self.is_func(x) => H::Func,
            H::Any | H::Eq | H::I31 | H::Struct | H::Array | H::None | H::Concrete(_) => H::Any,
        }
    }
}

impl TypeDefs for Types {
    fn def(&self, x: u32) -> Option<&SubType> {
        self.subs.get(x as usize)
    }
}

/// Calls `f` with every type index a definition names (its supertype excepted).
fn for_each_index(s: &SubType, func: &FuncType, mut f: impl FnMut(u32)) {
    let mut val = |t: &ValType| {
        if let ValType::Ref(r) = t {
            if let HeapType::Concrete(x) = r.heap() {
                f(x)
            }
        }
    };
    match &s.composite {
        CompositeType::Func => func.params().iter().chain(func.results()).for_each(&mut val),
        CompositeType::Struct(fields) => fields.iter().for_each(|fl| {
            if let StorageType::Val(t) = &fl.storage {
                val(t)
            }
        }),
        CompositeType::Array(fl) => {
            if let StorageType::Val(t) = &fl.storage {
                val(t)
            }
        }
    }
}

/// A definition and its function type with every type index mapped by `m` (the supertype
/// too), its place in its group dropped: the form in which two groups' types compare.
pub fn map_sub(s: &SubType, func: &FuncType, m: &impl Fn(u32) -> u32) -> (SubType, FuncType) {
    let val = |t: ValType| match t {
        ValType::Ref(r) => match r.heap() {
            HeapType::Concrete(x) => ValType::Ref(RefType::new(r.nullable(), HeapType::Concrete(m(x)))),
            _ => t,
        },
        t => t,
    };
    let field = |fl: &FieldType| FieldType {
        storage: match fl.storage {
            StorageType::Val(t) => StorageType::Val(val(t)),
            st => st,
        },
        mutable: fl.mutable,
    };
    let composite = match &s.composite {
        CompositeType::Func => CompositeType::Func,
        CompositeType::Struct(fields) => CompositeType::Struct(fields.iter().map(field).collect()),
        CompositeType::Array(fl) => CompositeType::Array(field(fl)),
    };
    let func = FuncType::new(func.params().iter().map(|&t| val(t)), func.results().iter().map(|&t| val(t)));
    let sub = SubType {
        is_final: s.is_final,
        supertype: s.supertype.map(m),
        composite,
        // Group positions are not part of a type's identity.
        rec_start: 0,
        rec_len: s.rec_len,
    };
    (sub, func)
}
