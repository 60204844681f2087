//! Type section: function types, and with GC's type system struct and array types,
//! sub/final declarations and recursion groups.

use crate::error::{Error, ErrorKind, Result};
use crate::reader::BinaryReader;
use crate::types::{CompositeType, FieldType, FuncType, StorageType, SubType, ValType};
use crate::Features;

/// The most types a module may define (the limit engines agree on); it also keeps every
/// type index within what the validator packs into an operand.
pub const MAX_TYPES: u32 = 1_000_000;

/// The section's types in index order: each one's parameters and results (empty for a struct
/// or array type), and its definition.
/// Also whether it uses GC's forms (`rec`, `sub`) anywhere, even where they say what the plain
/// form says (a group of one type, `sub final` with no supertype).
pub(crate) fn read(r: &mut BinaryReader<'_>, f: &Features) -> Result<(Vec<FuncType>, Vec<SubType>, bool)> {
    let n = r.read_count()?;
    let mut funcs = Vec::with_capacity(n as usize);
    let mut subs = Vec::with_capacity(n as usize);
    let mut gc_forms = false;
    for _ in 0..n {
        let at = r.offset();
        let b = r.peek_u8()?;
        gc_forms |= f.gc && matches!(b, 0x4e..=0x50);
        if b == 0x4e && f.gc {
            r.read_u8()?;
            let len = r.read_count()?;
            let start = funcs.len() as u32;
            for _ in 0..len {
                gc_forms |= matches!(r.peek_u8()?, 0x4f | 0x50);
                read_sub_type(r, f, start, len, &mut funcs, &mut subs)?;
            }
        } else {
            let start = funcs.len() as u32;
            read_sub_type(r, f, start, 1, &mut funcs, &mut subs)?;
        }
        if funcs.len() > MAX_TYPES as usize {
            return Err(Error::new(ErrorKind::Other("too many types"), at));
        }
    }
    Ok((funcs, subs, gc_forms))
}

fn read_sub_type(
    r: &mut BinaryReader<'_>,
    f: &Features,
    rec_start: u32,
    rec_len: u32,
    funcs: &mut Vec<FuncType>,
    subs: &mut Vec<SubType>,
) -> Result<()> {
    let at = r.offset();
    let b = r.peek_u8()?;
    let (is_final, supertype) = if f.gc && (b == 0x50 || b == 0x4f) {
        r.read_u8()?;
        let n = r.read_count()?;
        let mut supertype = None;
        for _ in 0..n {
            // More than one supertype is malformed for the reference decoder's successor;
            // the validator words it ("at most one supertype").
            let s = r.read_var_u32()?;
            if supertype.is_some() {
                return Err(Error::new(ErrorKind::Other("at most one supertype allowed"), at));
            }
            supertype = Some(s);
        }
        (b == 0x4f, supertype)
    } else {
        (true, None)
    };
    let at = r.offset();
    let composite = match r.read_u8()? {
        0x60 => {
            let params = read_val_types(r, f)?;
            let results = read_val_types(r, f)?;
            funcs.push(FuncType::new(params, results));
            CompositeType::Func
        }
        0x5f if f.gc => {
            let n = r.read_count()?;
            let fields = (0..n).map(|_| read_field(r, f)).collect::<Result<Vec<_>>>()?;
            funcs.push(FuncType::new([], []));
            CompositeType::Struct(fields.into_boxed_slice())
        }
        0x5e if f.gc => {
            let field = read_field(r, f)?;
            funcs.push(FuncType::new([], []));
            CompositeType::Array(field)
        }
        // The form is a signed LEB128 byte: a continuation bit makes it too long.
        b if b & 0x80 != 0 => return Err(Error::new(ErrorKind::IntegerTooLong, at)),
        _ => return Err(Error::new(ErrorKind::MalformedFuncType, at)),
    };
    subs.push(SubType { is_final, supertype, composite, rec_start, rec_len });
    Ok(())
}

fn read_field(r: &mut BinaryReader<'_>, f: &Features) -> Result<FieldType> {
    let storage = match r.peek_u8()? {
        0x78 => {
            r.read_u8()?;
            StorageType::I8
        }
        0x77 => {
            r.read_u8()?;
            StorageType::I16
        }
        _ => StorageType::Val(ValType::read(r, f)?),
    };
    let at = r.offset();
    let mutable = match r.read_u8()? {
        0 => false,
        1 => true,
        _ => return Err(Error::new(ErrorKind::MalformedMutability, at)),
    };
    Ok(FieldType { storage, mutable })
}

fn read_val_types(r: &mut BinaryReader<'_>, f: &Features) -> Result<Vec<ValType>> {
    let n = r.read_count()?;
    (0..n).map(|_| ValType::read(r, f)).collect()
}
