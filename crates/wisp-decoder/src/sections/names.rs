//! The `name` custom section: module, function and local names, for traps and backtraces.

use crate::error::Result;
use crate::reader::BinaryReader;
use std::collections::HashMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names<'a> {
    pub module: Option<&'a str>,
    pub functions: HashMap<u32, &'a str>,
    pub locals: HashMap<u32, HashMap<u32, &'a str>>,
}

impl<'a> Names<'a> {
    pub fn function(&self, index: u32) -> Option<&'a str> {
        self.functions.get(&index).copied()
    }

    /// Parses a name section's payload (after the section name).
    pub fn parse(data: &'a [u8], offset: usize) -> Result<Names<'a>> {
        let mut r = BinaryReader::new(data, offset);
        let mut names = Names::default();
        while !r.eof() {
            let id = r.read_u8()?;
            let size = r.read_var_u32()? as usize;
            let mut s = r.sub_reader(size)?;
            match id {
                0 => names.module = Some(s.read_name()?),
                1 => names.functions = read_name_map(&mut s)?,
                2 => {
                    let n = s.read_count()?;
                    for _ in 0..n {
                        let func = s.read_var_u32()?;
                        names.locals.insert(func, read_name_map(&mut s)?);
                    }
                }
                _ => {} // other subsections (labels, types, ...) are not needed
            }
        }
        Ok(names)
    }
}

fn read_name_map<'a>(r: &mut BinaryReader<'a>) -> Result<HashMap<u32, &'a str>> {
    let n = r.read_count()?;
    let mut map = HashMap::with_capacity(n as usize);
    for _ in 0..n {
        let idx = r.read_var_u32()?;
        map.insert(idx, r.read_name()?);
    }
    Ok(map)
}
