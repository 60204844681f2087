//! Code section: function bodies kept as byte ranges; locals and operators read on demand.

use crate::error::{Error, ErrorKind, Result};
use crate::operators::OperatorsReader;
use crate::reader::BinaryReader;
use crate::types::ValType;
use crate::Features;

/// The most locals (parameters excluded) a function may declare, as engines agree.
pub const MAX_LOCALS: u32 = 50_000;

/// One function body: local declarations then instructions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionBody<'a> {
    /// The body's bytes after its size prefix.
    pub data: &'a [u8],
    /// Offset of `data` in the module.
    pub offset: usize,
    features: Features,
    /// Whether the module has a data count section; without one, `memory.init` and
    /// `data.drop` are malformed.
    has_data_count: bool,
}

impl<'a> FunctionBody<'a> {
    /// A body over `data` (the bytes after its size prefix), which starts at `offset`.
    /// Meant for bodies of a module already decoded: the data count rule is not checked again.
    pub fn new(data: &'a [u8], offset: usize, features: Features) -> Self {
        FunctionBody { data, offset, features, has_data_count: true }
    }

    pub fn reader(&self) -> BinaryReader<'a> {
        BinaryReader::new(self.data, self.offset)
    }

    /// The local declarations; after them, [`LocalsReader::into_operators`] gives the code.
    pub fn locals(&self) -> Result<LocalsReader<'a>> {
        let mut r = self.reader();
        let groups = r.read_count()?;
        Ok(LocalsReader {
            reader: r,
            groups,
            read: 0,
            total: 0,
            features: self.features,
            has_data_count: self.has_data_count,
        })
    }

    /// Reads and checks all local declarations and returns them as (count, type) groups, with
    /// a reader positioned at the first instruction.
    pub fn read_locals(&self) -> Result<(Vec<(u32, ValType)>, OperatorsReader<'a>)> {
        let mut locals = self.locals()?;
        let mut groups = Vec::with_capacity(locals.groups as usize);
        while let Some(g) = locals.next_group()? {
            groups.push(g);
        }
        Ok((groups, locals.into_operators()))
    }
}

/// Reads the local declarations of a body.
#[derive(Debug, Clone)]
pub struct LocalsReader<'a> {
    reader: BinaryReader<'a>,
    groups: u32,
    read: u32,
    total: u64,
    features: Features,
    has_data_count: bool,
}

impl<'a> LocalsReader<'a> {
    /// The next (count, type) group, or `None` after the last.
    pub fn next_group(&mut self) -> Result<Option<(u32, ValType)>> {
        if self.read == self.groups {
            return Ok(None);
        }
        self.read += 1;
        let at = self.reader.offset();
        let count = self.reader.read_var_u32()?;
        self.total += u64::from(count);
        if self.total > u64::from(MAX_LOCALS) {
            return Err(Error::new(ErrorKind::TooManyLocals, at));
        }
        let ty = ValType::read(&mut self.reader, &self.features)?;
        Ok(Some((count, ty)))
    }

    /// The instructions, once every group has been read.
    pub fn into_operators(self) -> OperatorsReader<'a> {
        OperatorsReader::new(self.reader, self.features).with_data_count(self.has_data_count)
    }
}

pub(crate) fn read<'a>(r: &mut BinaryReader<'a>, f: &Features, has_data_count: bool) -> Result<Vec<FunctionBody<'a>>> {
    let n = r.read_count()?;
    let mut bodies = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let size = r.read_len()?;
        let offset = r.offset();
        let data = r.read_bytes(size)?;
        bodies.push(FunctionBody { data, offset, features: *f, has_data_count });
    }
    Ok(bodies)
}
