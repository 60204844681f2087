//! Path resolution inside a directory capability. The guest names files by byte strings
//! relative to a directory fd; this module turns one into a host path that is provably under
//! that directory, walking component by component and expanding symlinks itself (see
//! RATIONALE.md). Escapes are `ENOTCAPABLE`.

use crate::errno::{Errno, WasiResult};
use crate::table::DirDesc;
use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;

/// Symlinks expanded in one resolution before `ELOOP` (Linux's limit is 40).
const MAX_SYMLINKS: u32 = 32;

/// A resolved guest path: a real directory under the capability (`parent`) and the final
/// component, if any. `name == None` means the path designates `parent` itself (`.`, `a/..`).
pub(crate) struct Resolved {
    pub root: Arc<PathBuf>,
    /// Components from the preopen root to the parent directory; each a real directory.
    pub parent_rel: Vec<OsString>,
    pub name: Option<OsString>,
    /// The path ended in `/`: the target must be a directory.
    pub must_be_dir: bool,
}

impl Resolved {
    pub fn parent(&self) -> PathBuf {
        let mut p = PathBuf::from(&*self.root);
        p.extend(&self.parent_rel);
        p
    }

    /// The host path of the target.
    pub fn path(&self) -> PathBuf {
        let mut p = self.parent();
        if let Some(n) = &self.name {
            p.push(n);
        }
        p
    }

    /// The final component, for operations that act on a directory entry (create, remove,
    /// rename, link): `.` and `..` name no entry and get `err`.
    pub fn entry(&self, err: Errno) -> WasiResult<PathBuf> {
        match &self.name {
            Some(_) => Ok(self.path()),
            None => Err(err),
        }
    }

    /// The target's components from the preopen root, when it is a directory.
    pub fn rel(&self) -> Vec<OsString> {
        let mut r = self.parent_rel.clone();
        r.extend(self.name.clone());
        r
    }
}

#[cfg(unix)]
fn component(bytes: &[u8]) -> WasiResult<OsString> {
    use std::os::unix::ffi::OsStrExt;
    Ok(std::ffi::OsStr::from_bytes(bytes).to_os_string())
}

#[cfg(not(unix))]
fn component(bytes: &[u8]) -> WasiResult<OsString> {
    let s = std::str::from_utf8(bytes).map_err(|_| Errno::Ilseq)?;
    // Other hosts have more separators and prefixes than `/`; none may reach the host.
    if s.contains(['\\', ':']) {
        return Err(Errno::NotCapable);
    }
    Ok(OsString::from(s))
}

#[cfg(unix)]
fn link_bytes(target: PathBuf) -> Vec<u8> {
    use std::os::unix::ffi::OsStringExt;
    target.into_os_string().into_vec()
}

#[cfg(not(unix))]
fn link_bytes(target: PathBuf) -> Vec<u8> {
    target.to_string_lossy().replace('\\', "/").into_bytes()
}

/// The bytes of the symlink at `path` (for `path_readlink` and resolution).
pub(crate) fn read_link(path: &std::path::Path) -> WasiResult<Vec<u8>> {
    Ok(link_bytes(std::fs::read_link(path)?))
}

fn split(path: &[u8]) -> impl Iterator<Item = &[u8]> {
    path.split(|&b| b == b'/').filter(|c| !c.is_empty())
}

/// Checks that the directory's own path is still made of real directories (the guest could
/// have replaced one of them with a symlink since it opened the fd).
fn verify_base(dir: &DirDesc) -> WasiResult<()> {
    let mut p = PathBuf::from(&*dir.root);
    for c in &dir.rel {
        p.push(c);
        let md = std::fs::symlink_metadata(&p)?;
        if md.file_type().is_symlink() {
            return Err(Errno::NotCapable);
        }
        if !md.is_dir() {
            return Err(Errno::NotDir);
        }
    }
    Ok(())
}

/// Resolves `path` under `dir`. `follow` says whether a symlink in the final component is
/// expanded (symlinks in earlier components always are).
pub(crate) fn resolve(dir: &DirDesc, path: &[u8], follow: bool) -> WasiResult<Resolved> {
    if path.is_empty() {
        return Err(Errno::NoEnt);
    }
    if path[0] == b'/' {
        return Err(Errno::NotCapable);
    }
    if path.contains(&0) {
        return Err(Errno::Inval);
    }
    verify_base(dir)?;
    let must_be_dir = path.ends_with(b"/");
    let floor = dir.rel.len();
    let mut stack = dir.rel.clone();
    let mut work: VecDeque<Vec<u8>> = split(path).map(<[u8]>::to_vec).collect();
    let mut name: Option<OsString> = None;
    let mut links = 0;
    let host = |stack: &[OsString]| {
        let mut p = PathBuf::from(&*dir.root);
        p.extend(stack);
        p
    };
    while let Some(c) = work.pop_front() {
        let last = work.is_empty();
        name = None;
        match c.as_slice() {
            b"." => {}
            b".." => {
                if stack.len() <= floor {
                    return Err(Errno::NotCapable);
                }
                stack.pop();
            }
            bytes => {
                let comp = component(bytes)?;
                let p = host(&stack).join(&comp);
                match std::fs::symlink_metadata(&p) {
                    Ok(md) if md.file_type().is_symlink() && (!last || follow || must_be_dir) => {
                        links += 1;
                        if links > MAX_SYMLINKS {
                            return Err(Errno::Loop);
                        }
                        let target = read_link(&p)?;
                        if target.is_empty() {
                            return Err(Errno::NoEnt);
                        }
                        if target[0] == b'/' {
                            return Err(Errno::NotCapable);
                        }
                        for t in split(&target).collect::<Vec<_>>().into_iter().rev() {
                            work.push_front(t.to_vec());
                        }
                    }
                    Ok(md) if !last => {
                        if !md.is_dir() {
                            return Err(Errno::NotDir);
                        }
                        stack.push(comp);
                    }
                    Ok(_) => name = Some(comp),
                    Err(e) if last && e.kind() == std::io::ErrorKind::NotFound => name = Some(comp),
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    Ok(Resolved { root: dir.root.clone(), parent_rel: stack, name, must_be_dir })
}

/// Whether a symlink with contents `target`, placed in the directory `depth` levels below the
/// preopen root, stays inside the root when read lexically. Absolute targets never do.
pub(crate) fn link_stays_inside(target: &[u8], depth: usize) -> bool {
    if target.first() == Some(&b'/') {
        return false;
    }
    let mut d = depth as isize;
    for c in split(target) {
        match c {
            b"." => {}
            b".." => {
                d -= 1;
                if d < 0 {
                    return false;
                }
            }
            _ => d += 1,
        }
    }
    true
}
