//! The descriptor table: what each guest fd stands for, with its rights and flags.

use crate::ctx::Pipe;
use crate::errno::{Errno, WasiResult};
use crate::types::Rights;
use std::ffi::OsString;
use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;

/// At most this many descriptors are open at once (`EMFILE` beyond).
pub const MAX_FDS: u32 = 1 << 14;

pub(crate) struct Descriptor {
    pub kind: Kind,
    pub base: Rights,
    pub inheriting: Rights,
    /// `fdflags`: append and the sync flags are emulated; nonblock is recorded only.
    pub flags: u16,
}

impl Descriptor {
    pub fn new(kind: Kind, base: Rights, inheriting: Rights) -> Self {
        Descriptor { kind, base, inheriting, flags: 0 }
    }
}

pub(crate) enum Kind {
    Stream { stream: Stream, filetype: u8 },
    File(File),
    Dir(DirDesc),
}

pub(crate) enum Stream {
    Stdin,
    Stdout,
    Stderr,
    Pipe(Pipe),
    Writer(crate::ctx::SharedWriter),
}

/// A directory descriptor: a preopen root plus the real (symlink-free) path below it. The
/// directory itself is the capability: guest paths resolve under it and never above it.
pub(crate) struct DirDesc {
    pub root: Arc<PathBuf>,
    pub rel: Vec<OsString>,
    /// The guest name, for preopens (`fd_prestat_get`).
    pub preopen: Option<String>,
    /// The listing `fd_readdir` continues from (rebuilt when the cookie is 0).
    pub listing: Option<Vec<crate::fd::Dirent>>,
}

impl DirDesc {
    pub fn preopen(root: Arc<PathBuf>, guest: String) -> Self {
        DirDesc { root, rel: Vec::new(), preopen: Some(guest), listing: None }
    }

    pub fn host_path(&self) -> PathBuf {
        let mut p = PathBuf::from(&*self.root);
        p.extend(&self.rel);
        p
    }
}

#[derive(Default)]
pub(crate) struct Table {
    fds: Vec<Option<Descriptor>>,
}

impl Table {
    pub fn insert_at(&mut self, fd: u32, d: Descriptor) {
        let i = fd as usize;
        if self.fds.len() <= i {
            self.fds.resize_with(i + 1, || None);
        }
        self.fds[i] = Some(d);
    }

    /// Inserts at the lowest free fd.
    pub fn push(&mut self, d: Descriptor) -> WasiResult<u32> {
        let free = self.fds.iter().position(|s| s.is_none()).unwrap_or(self.fds.len());
        if free as u32 >= MAX_FDS {
            return Err(Errno::Mfile);
        }
        self.insert_at(free as u32, d);
        Ok(free as u32)
    }

    pub fn get(&self, fd: i32) -> WasiResult<&Descriptor> {
        usize::try_from(fd).ok().and_then(|i| self.fds.get(i)).and_then(|s| s.as_ref()).ok_or(Errno::Badf)
    }

    pub fn get_mut(&mut self, fd: i32) -> WasiResult<&mut Descriptor> {
        usize::try_from(fd).ok().and_then(|i| self.fds.get_mut(i)).and_then(|s| s.as_mut()).ok_or(Errno::Badf)
    }

    /// The descriptor, if it holds every right in `needed` (`ENOTCAPABLE` otherwise).
    pub fn with_rights(&mut self, fd: i32, needed: Rights) -> WasiResult<&mut Descriptor> {
        let d = self.get_mut(fd)?;
        if d.base & needed != needed {
            return Err(Errno::NotCapable);
        }
        Ok(d)
    }

    /// A directory descriptor holding `needed`.
    pub fn dir(&mut self, fd: i32, needed: Rights) -> WasiResult<&mut DirDesc> {
        let d = self.get_mut(fd)?;
        let has = d.base & needed == needed;
        match &mut d.kind {
            Kind::Dir(dir) if has => Ok(dir),
            Kind::Dir(_) => Err(Errno::NotCapable),
            _ => Err(Errno::NotDir),
        }
    }

    /// Every open descriptor, with its fd.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &Descriptor)> {
        self.fds.iter().enumerate().filter_map(|(fd, d)| Some((fd as u32, d.as_ref()?)))
    }

    pub fn remove(&mut self, fd: i32) -> WasiResult<Descriptor> {
        usize::try_from(fd).ok().and_then(|i| self.fds.get_mut(i)).and_then(|s| s.take()).ok_or(Errno::Badf)
    }
}
