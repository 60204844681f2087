//! [`Snapshot::to_wasm`]: the snapshot as a standard module (its documentation says what
//! changes).

use super::{SavedRef, Snapshot};
use crate::error::{Error, Result};
use crate::module::{ConstOp, DataMode, ElemMode};
use wisp_decoder::{RefType, ValType};

/// LEB128 through the `leb128` crate the decoder reads it with; writing to a `Vec` cannot fail.
fn leb_u(out: &mut Vec<u8>, v: u64) {
    leb128::write::unsigned(out, v).expect("a Vec takes every byte");
}

fn leb_s(out: &mut Vec<u8>, v: i64) {
    leb128::write::signed(out, v).expect("a Vec takes every byte");
}

/// A cursor over the original module's bytes (already validated by wisp).
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

fn malformed(what: &str) -> Error {
    Error::Usage(format!("cannot write the snapshot: unexpected {what} in the module"))
}

impl<'a> Cursor<'a> {
    fn byte(&mut self) -> Result<u8> {
        let b = *self.bytes.get(self.pos).ok_or_else(|| malformed("end"))?;
        self.pos += 1;
        Ok(b)
    }

    fn u(&mut self) -> Result<u64> {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
            if shift > 63 {
                return Err(malformed("LEB128 number"));
            }
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| malformed("end"))?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    /// Skips a constant expression through its `end`.
    fn skip_const_expr(&mut self) -> Result<()> {
        loop {
            match self.byte()? {
                0x0B => return Ok(()),
                0x41 | 0x42 | 0x23 | 0xD2 => {
                    self.u()?;
                }
                0x43 => {
                    self.take(4)?;
                }
                0x44 => {
                    self.take(8)?;
                }
                0xD0 => {
                    // A heap type: an abstract one's byte, or a type index (s33).
                    self.u()?;
                }
                0x6A | 0x6B | 0x6C | 0x7C | 0x7D | 0x7E => {}
                0xFD => {
                    self.u()?;
                    self.take(16)?;
                }
                _ => return Err(malformed("constant expression")),
            }
        }
    }

    /// A global's type: its value type (one byte, or `0x63`/`0x64` and a heap type) and
    /// mutability, as written.
    fn global_type(&mut self) -> Result<&'a [u8]> {
        let start = self.pos;
        if matches!(self.byte()?, 0x63 | 0x64) {
            self.u()?;
        }
        self.byte()?;
        Ok(&self.bytes[start..self.pos])
    }

    /// A memory's limits: flags (bit 0 a maximum, bit 2 64-bit, bit 3 a page size), minimum,
    /// maximum and log2 of the page size (16 unless written).
    fn memory_limits(&mut self) -> Result<(u8, u64, Option<u64>, u32)> {
        let flags = self.byte()?;
        if flags & !0x0d != 0 {
            return Err(Error::Usage("cannot write the snapshot: shared memories are not supported".into()));
        }
        let min = self.u()?;
        let max = if flags & 1 != 0 { Some(self.u()?) } else { None };
        let page_log2 = if flags & 0x08 != 0 { self.u()? as u32 } else { 16 };
        Ok((flags, min, max, page_log2))
    }
}

/// A memory's limits as [`Cursor::memory_limits`] reads them, with minimum `min`.
fn memory_limits(out: &mut Vec<u8>, flags: u8, min: u64, max: Option<u64>, page_log2: u32) {
    out.push(flags);
    leb_u(out, min);
    if let Some(m) = max {
        leb_u(out, m);
    }
    if flags & 0x08 != 0 {
        leb_u(out, u64::from(page_log2));
    }
}

fn section(out: &mut Vec<u8>, id: u8, payload: &[u8]) {
    out.push(id);
    leb_u(out, payload.len() as u64);
    out.extend_from_slice(payload);
}

/// The initializer of a global holding `v`, of type `ty`, then `end`.
fn const_expr(out: &mut Vec<u8>, ty: ValType, v: u128) -> Result<()> {
    let v128 = v;
    let v = v as u64;
    match ty {
        ValType::I32 => {
            out.push(0x41);
            leb_s(out, v as u32 as i32 as i64);
        }
        ValType::I64 => {
            out.push(0x42);
            leb_s(out, v as i64);
        }
        ValType::F32 => {
            out.push(0x43);
            out.extend_from_slice(&(v as u32).to_le_bytes());
        }
        ValType::F64 => {
            out.push(0x44);
            out.extend_from_slice(&v.to_le_bytes());
        }
        ValType::Ref(RefType::FuncRef) if v == 0 => out.extend_from_slice(&[0xD0, 0x70]),
        ValType::Ref(RefType::FuncRef) => {
            out.push(0xD2);
            leb_u(out, v - 1);
        }
        ValType::Ref(RefType::ExternRef) => out.extend_from_slice(&[0xD0, 0x6F]),
        ValType::V128 => {
            out.extend_from_slice(&[0xFD, 0x0C]);
            out.extend_from_slice(&v128.to_le_bytes());
        }
        other => return Err(Error::Usage(format!("cannot write the snapshot: a global of type {other}"))),
    }
    out.push(0x0B);
    Ok(())
}

/// Runs of non-zero bytes in `mem`, merged across zero gaps shorter than `GAP`. Instantiation
/// pays per segment more than per byte: Go's initialized memory (add.wasm) is 18,387 runs
/// with gaps under 16 bytes, 247 with gaps under 64 bytes (807 KB), 62 under 256 (838 KB).
fn runs(mem: &[u8]) -> Vec<(usize, usize)> {
    const GAP: usize = 256;
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < mem.len() {
        if mem[i] == 0 {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        while i < mem.len() {
            if mem[i] != 0 {
                end = i + 1;
            } else if i - end >= GAP {
                break;
            }
            i += 1;
        }
        match out.last_mut() {
            Some(last) if start - last.1 < GAP => last.1 = end,
            _ => out.push((start, end)),
        }
    }
    out
}

impl Snapshot {
    /// A standard Wasm module that starts where this snapshot was taken (what Wizer writes
    /// for wasmtime), for wisp or any other engine. Calling its exports needs no
    /// `_initialize` (and calling `_initialize` does nothing); its imports are the original
    /// module's.
    ///
    /// The original module's sections are copied, except:
    /// - memory: each defined memory's minimum becomes its captured size;
    /// - global: each defined global's initializer becomes its captured value;
    /// - data: the captured memories as active segments (runs of non-zero bytes; zeros are what a
    ///   new memory holds anyway). When the module has a data count section (it uses
    ///   `memory.init`/`data.drop`, which name segments by index), the original segments keep
    ///   their indices: active ones become empty, passive ones keep their bytes unless dropped;
    ///   the image follows them;
    /// - start: removed (it ran before the snapshot);
    /// - code: `_initialize`, if the module exports it, gets an empty body, so hosts that call it
    ///   first (every WASI reactor host does) change nothing;
    /// - a custom section `wisp.initialized` (empty) is added: it tells wisp that the data is an
    ///   initialized memory, which instances will mostly read, so wisp maps it copy-on-write
    ///   instead of copying it into each instance (on Linux). Other engines ignore it.
    ///
    /// Tables are written as the element segments leave them, so a snapshot whose tables were
    /// changed after instantiation (`table.set`, `table.grow`, `table.init`), or whose passive
    /// element segments were dropped, is refused with an error rather than written wrong.
    ///
    /// What the instance read from its host while it was initialized (for a Go reactor: the
    /// arguments, environment, preopen names, clocks and random seeds; see
    /// `wisp_wasi::GoReactorPre`) is baked into the memory the module carries.
    pub fn to_wasm(&self) -> Result<Vec<u8>> {
        let state = &*self.inner;
        let m = &state.module.inner;
        self.check_tables()?;
        for (i, seg) in m.elements.iter().enumerate() {
            if matches!(seg.mode, ElemMode::Passive) && state.dropped_elems[i] {
                return Err(Error::Usage(format!(
                    "cannot write the snapshot: passive element segment {i} was dropped"
                )));
            }
        }
        let init_body = match m.exports.iter().find(|(n, _, _)| n == crate::reactor::INITIALIZE) {
            Some((_, wisp_decoder::ExternKind::Func, f)) if *f >= m.num_imported_funcs => {
                Some((*f - m.num_imported_funcs) as u64)
            }
            _ => None,
        };
        let bytes = &m.bytes;
        let mut out = Vec::with_capacity(bytes.len() + state.memories.iter().map(|i| i.len() / 4).sum::<usize>());
        out.extend_from_slice(&bytes[..8]);
        let mut c = Cursor { bytes, pos: 8 };
        let has_data_count = {
            let mut probe = Cursor { bytes, pos: 8 };
            let mut found = false;
            while probe.pos < bytes.len() {
                let id = probe.byte()?;
                let len = probe.u()? as usize;
                probe.take(len)?;
                found |= id == 12;
            }
            found
        };
        let mut data_written = false;
        while c.pos < bytes.len() {
            let id = c.byte()?;
            let len = c.u()? as usize;
            let body = c.take(len)?;
            let mut s = Cursor { bytes: body, pos: 0 };
            let mut p = Vec::new();
            match id {
                5 => {
                    let n = s.u()?;
                    leb_u(&mut p, n);
                    for i in 0..n as usize {
                        let (flags, _, max, page_log2) = s.memory_limits()?;
                        let pages = state.memories.get(i).map_or(0, |img| img.len() >> page_log2);
                        memory_limits(&mut p, flags, pages as u64, max, page_log2);
                    }
                    section(&mut out, id, &p);
                }
                6 => {
                    let n = s.u()?;
                    leb_u(&mut p, n);
                    for i in 0..n as usize {
                        p.extend_from_slice(s.global_type()?);
                        s.skip_const_expr()?;
                        let global_ty = m.global_types[m.num_imported_globals as usize + i];
                        const_expr(&mut p, global_ty.content, state.globals[i])?;
                    }
                    section(&mut out, id, &p);
                }
                8 => {} // start: it ran before the snapshot
                10 => {
                    let n = s.u()?;
                    leb_u(&mut p, n);
                    for i in 0..n {
                        let size = s.u()? as usize;
                        let code = s.take(size)?;
                        if Some(i) == init_body {
                            p.extend_from_slice(&[0x02, 0x00, 0x0B]);
                        } else {
                            leb_u(&mut p, size as u64);
                            p.extend_from_slice(code);
                        }
                    }
                    section(&mut out, id, &p);
                }
                11 => {
                    self.data_section(&mut out, has_data_count)?;
                    data_written = true;
                }
                12 => {
                    let count = self.data_segments(has_data_count).len();
                    leb_u(&mut p, count as u64);
                    section(&mut out, id, &p);
                }
                0 if custom_name(body) == Some(INITIALIZED.as_bytes()) => {} // written once, below
                _ => section(&mut out, id, body),
            }
            // A module without a data section gets one after code (sections 10 then 11).
            if id == 10 && !data_written && !bytes_have_section(bytes, 11)? {
                self.data_section(&mut out, has_data_count)?;
                data_written = true;
            }
        }
        let mut p = Vec::new();
        leb_u(&mut p, INITIALIZED.len() as u64);
        p.extend_from_slice(INITIALIZED.as_bytes());
        section(&mut out, 0, &p);
        Ok(out)
    }

    /// The data segments to write: (memory, offset, bytes, active).
    fn data_segments(&self, keep_indices: bool) -> Vec<(u32, usize, &[u8], bool)> {
        let state = &*self.inner;
        let m = &state.module.inner;
        let mut segs = Vec::new();
        if keep_indices {
            for (i, seg) in m.data.iter().enumerate() {
                match &seg.mode {
                    DataMode::Active { memory, .. } => segs.push((*memory, 0, &[][..], true)),
                    DataMode::Passive if state.dropped_datas[i] => segs.push((0, 0, &[][..], false)),
                    DataMode::Passive => segs.push((0, 0, &m.bytes[seg.start..seg.start + seg.len], false)),
                }
            }
        }
        for (mi, img) in state.memories.iter().enumerate() {
            let mem = img.bytes();
            for (a, b) in runs(mem) {
                segs.push((mi as u32, a, &mem[a..b], true));
            }
        }
        segs
    }

    fn data_section(&self, out: &mut Vec<u8>, keep_indices: bool) -> Result<()> {
        let segs = self.data_segments(keep_indices);
        let memory64 = |i: u32| self.inner.module.inner.memory_types.get(i as usize).is_some_and(|t| t.memory64);
        let mut p = Vec::new();
        leb_u(&mut p, segs.len() as u64);
        for (memory, offset, bytes, active) in segs {
            match (active, memory) {
                (false, _) => p.push(0x01),
                (true, 0) => p.push(0x00),
                (true, m) => {
                    p.push(0x02);
                    leb_u(&mut p, m as u64);
                }
            }
            if active {
                // The offset is of the memory's address type.
                if memory64(memory) {
                    p.push(0x42);
                    leb_s(&mut p, offset as i64);
                } else {
                    p.push(0x41);
                    leb_s(&mut p, offset as u32 as i32 as i64);
                }
                p.push(0x0B);
            }
            leb_u(&mut p, bytes.len() as u64);
            p.extend_from_slice(bytes);
        }
        section(out, 11, &p);
        Ok(())
    }

    /// Refuses tables that differ from what the module's element segments make of them.
    fn check_tables(&self) -> Result<()> {
        let state = &*self.inner;
        let m = &state.module.inner;
        let mut tables: Vec<Vec<SavedRef>> =
            m.table_types.iter().skip(m.num_imported_tables as usize).map(|t| vec![0; t.limits.min as usize]).collect();
        let unsupported = || Error::Usage("cannot write the snapshot: an element segment it cannot replay".into());
        for seg in &m.elements {
            let ElemMode::Active { table, offset } = &seg.mode else { continue };
            let [ConstOp::Value(at)] = offset.ops() else { return Err(unsupported()) };
            let t = tables.get_mut(*table as usize).ok_or_else(unsupported)?;
            for (k, item) in seg.items.iter().enumerate() {
                let v = match item.ops() {
                    [ConstOp::RefNull] => 0,
                    [ConstOp::RefFunc(f)] => *f as u64 + 1,
                    _ => return Err(unsupported()),
                };
                *t.get_mut(*at as u32 as usize + k).ok_or_else(unsupported)? = v;
            }
        }
        for (i, (want, have)) in tables.iter().zip(&state.tables).enumerate() {
            if want[..] != have[..] {
                return Err(Error::Usage(format!(
                    "cannot write the snapshot: table {i} changed after instantiation (only memories and globals \
                     are written)"
                )));
            }
        }
        Ok(())
    }
}

/// The name of the (empty) custom section [`Snapshot::to_wasm`] adds: the module's data is the
/// memory of an initialized instance, which instances will mostly read, so wisp maps it
/// copy-on-write rather than copying it (`instance::data_image`). Other engines ignore it.
pub(crate) const INITIALIZED: &str = "wisp.initialized";

/// The name of a custom section, from its payload.
fn custom_name(body: &[u8]) -> Option<&[u8]> {
    let mut c = Cursor { bytes: body, pos: 0 };
    let n = usize::try_from(c.u().ok()?).ok()?;
    c.take(n).ok()
}

/// Whether `bytes` (a module wisp validated) has the [`INITIALIZED`] custom section.
pub(crate) fn marked_initialized(bytes: &[u8]) -> bool {
    let mut c = Cursor { bytes, pos: 8 };
    while c.pos < bytes.len() {
        let (Ok(id), Ok(len)) = (c.byte(), c.u()) else { return false };
        let Ok(body) = c.take(len as usize) else { return false };
        if id == 0 && custom_name(body) == Some(INITIALIZED.as_bytes()) {
            return true;
        }
    }
    false
}

fn bytes_have_section(bytes: &[u8], want: u8) -> Result<bool> {
    let mut c = Cursor { bytes, pos: 8 };
    while c.pos < bytes.len() {
        let id = c.byte()?;
        let len = c.u()? as usize;
        c.take(len)?;
        if id == want {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::{leb_s, runs};

    #[test]
    fn signed_leb() {
        let enc = |v| {
            let mut o = Vec::new();
            leb_s(&mut o, v);
            o
        };
        assert_eq!(enc(0), [0x00]);
        assert_eq!(enc(-1), [0x7F]);
        assert_eq!(enc(63), [0x3F]);
        assert_eq!(enc(64), [0xC0, 0x00]);
        assert_eq!(enc(-64), [0x40]);
        assert_eq!(enc(-65), [0xBF, 0x7F]);
    }

    #[test]
    fn runs_of_non_zero_bytes() {
        let mut m = vec![0u8; 2000];
        m[3] = 1;
        m[200] = 1; // merged with 3: a gap under 256
        m[1000] = 2;
        m[1999] = 3;
        assert_eq!(runs(&m), vec![(3, 201), (1000, 1001), (1999, 2000)]);
        assert!(runs(&[0; 64]).is_empty());
    }
}
