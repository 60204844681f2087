//! `path_*`: operations on names under a directory descriptor, all through the sandbox's
//! resolver.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fd::{file_times, filestat_of, set_times_at};
use crate::mem::GuestMemory;
use crate::sandbox::{link_stays_inside, read_link, resolve, Resolved};
use crate::table::{Descriptor, DirDesc, Kind};
use crate::types::{fdflags, lookupflags, oflags, rights, Rights};
use std::fs::{File, OpenOptions};

fn follow(flags: i32) -> WasiResult<bool> {
    let flags = flags as u32;
    if flags & !lookupflags::SYMLINK_FOLLOW != 0 {
        return Err(Errno::Inval);
    }
    Ok(flags & lookupflags::SYMLINK_FOLLOW != 0)
}

/// Resolves the guest path at `path`/`len` under directory `fd`, which must hold `needed`.
fn resolve_at(
    ctx: &mut WasiCtx,
    mem: &GuestMemory,
    fd: i32,
    needed: Rights,
    path: i32,
    len: i32,
    follow: bool,
) -> WasiResult<Resolved> {
    let dir = ctx.table.dir(fd, needed)?;
    let path = mem.slice(path as u32, len as u32)?;
    resolve(dir, path, follow)
}

/// Fails with `ENOTDIR` when the path ended in `/` but names something else.
fn check_dir_suffix(r: &Resolved) -> WasiResult<()> {
    if r.must_be_dir && r.name.is_some() {
        let md = std::fs::metadata(r.path())?;
        if !md.is_dir() {
            return Err(Errno::NotDir);
        }
    }
    Ok(())
}

pub fn path_create_directory(ctx: &mut WasiCtx, mem: &mut GuestMemory, fd: i32, path: i32, len: i32) -> WasiResult<()> {
    let r = resolve_at(ctx, mem, fd, rights::PATH_CREATE_DIRECTORY, path, len, false)?;
    std::fs::create_dir(r.entry(Errno::Exist)?)?;
    Ok(())
}

pub fn path_filestat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory,
    fd: i32,
    flags: i32,
    path: i32,
    len: i32,
    buf: i32,
) -> WasiResult<()> {
    let follow = follow(flags)?;
    let r = resolve_at(ctx, mem, fd, rights::PATH_FILESTAT_GET, path, len, follow)?;
    mem.check(buf as u32, crate::types::size::FILESTAT as u64)?;
    check_dir_suffix(&r)?;
    let md = std::fs::symlink_metadata(r.path())?;
    filestat_of(&md).write(mem, buf as u32)
}

pub fn path_filestat_set_times(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory,
    fd: i32,
    flags: i32,
    path: i32,
    len: i32,
    atim: i64,
    mtim: i64,
    fst: i32,
) -> WasiResult<()> {
    let follow = follow(flags)?;
    let r = resolve_at(ctx, mem, fd, rights::PATH_FILESTAT_SET_TIMES, path, len, follow)?;
    let times = file_times(ctx, atim as u64, mtim as u64, fst)?;
    check_dir_suffix(&r)?;
    let p = r.path();
    if std::fs::symlink_metadata(&p)?.file_type().is_symlink() {
        // std sets times through an open file, which would follow the link.
        return Err(Errno::NotSup);
    }
    set_times_at(&p, times)
}

pub fn path_link(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory,
    old_fd: i32,
    old_flags: i32,
    old_path: i32,
    old_len: i32,
    new_fd: i32,
    new_path: i32,
    new_len: i32,
) -> WasiResult<()> {
    let follow = follow(old_flags)?;
    let old = resolve_at(ctx, mem, old_fd, rights::PATH_LINK_SOURCE, old_path, old_len, follow)?;
    let new = resolve_at(ctx, mem, new_fd, rights::PATH_LINK_TARGET, new_path, new_len, false)?;
    let src = old.entry(Errno::Perm)?;
    if std::fs::symlink_metadata(&src)?.is_dir() {
        return Err(Errno::Perm);
    }
    std::fs::hard_link(src, new.entry(Errno::Exist)?)?;
    Ok(())
}

pub fn path_open(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory,
    fd: i32,
    dirflags: i32,
    path: i32,
    len: i32,
    oflags: i32,
    base: i64,
    inheriting: i64,
    fdflags: i32,
    out: i32,
) -> WasiResult<()> {
    let follow = follow(dirflags)?;
    let of = u16::try_from(oflags).map_err(|_| Errno::Inval)?;
    let ff = u16::try_from(fdflags).map_err(|_| Errno::Inval)?;
    if of & !oflags::ALL != 0 || ff & !fdflags::ALL != 0 {
        return Err(Errno::Inval);
    }
    let (base, inheriting) = (base as u64, inheriting as u64);
    let mut needed = rights::PATH_OPEN;
    if of & oflags::CREAT != 0 {
        needed |= rights::PATH_CREATE_FILE;
    }
    if of & oflags::TRUNC != 0 {
        needed |= rights::PATH_FILESTAT_SET_SIZE;
    }
    ctx.table.dir(fd, needed)?;
    let parent_inheriting = ctx.table.get(fd)?.inheriting;
    // Writing is the one right never silently dropped: a read-only tree refuses the open.
    if base & rights::FD_WRITE != 0 && parent_inheriting & rights::FD_WRITE == 0 {
        return Err(Errno::NotCapable);
    }
    mem.check(out as u32, 4)?;
    let r = resolve_at(ctx, mem, fd, needed, path, len, follow)?;
    let target = r.path();
    let existing = std::fs::symlink_metadata(&target);
    if let Ok(md) = &existing {
        if md.file_type().is_symlink() {
            // Only reachable without `symlink_follow`: POSIX O_NOFOLLOW says ELOOP.
            return Err(Errno::Loop);
        }
    }
    let is_dir = existing.as_ref().is_ok_and(|m| m.is_dir());
    if (of & oflags::CREAT != 0 && of & oflags::EXCL != 0) && existing.is_ok() {
        return Err(Errno::Exist);
    }
    if of & oflags::DIRECTORY != 0 || r.must_be_dir || is_dir {
        match &existing {
            Err(_) => return Err(std::fs::metadata(&target).err().map_or(Errno::NoEnt, Errno::from)),
            Ok(m) if !m.is_dir() => return Err(Errno::NotDir),
            _ => {}
        }
        if base & rights::FD_WRITE != 0 || of & oflags::TRUNC != 0 {
            return Err(Errno::IsDir);
        }
        let dir = DirDesc { root: r.root.clone(), rel: r.rel(), preopen: None, listing: None };
        // A directory gets every directory right its parent passes on, whatever base rights
        // were asked for: guests ask with a file's access mode (Go: read-only, so no
        // `PATH_FILESTAT_SET_SIZE`, and `os.Root.Create` in it would fail), while in POSIX a
        // directory's open mode never limits what is done under it. The parent's inheriting
        // rights still bound it (a read-only tree stays read-only); wasmtime and wazero do
        // not limit directories by the requested rights either.
        let mut d = Descriptor::new(Kind::Dir(dir), parent_inheriting & rights::DIR, inheriting & parent_inheriting);
        d.flags = ff;
        let new = ctx.table.push(d)?;
        return mem.write_u32(out as u32, new);
    }
    if r.name.is_none() {
        return Err(Errno::IsDir);
    }
    let effective = base & parent_inheriting & rights::FILE;
    let write = effective & rights::FD_WRITE != 0;
    let mut opts = OpenOptions::new();
    opts.read(effective & rights::FD_READ != 0 || !write);
    // Creating and truncating need a writable host handle even when the guest gets no
    // write right; the rights on the directory were checked above.
    opts.write(write || of & (oflags::CREAT | oflags::TRUNC) != 0);
    if of & oflags::CREAT != 0 {
        if of & oflags::EXCL != 0 {
            opts.create_new(true);
        } else {
            opts.create(true);
        }
    }
    opts.truncate(of & oflags::TRUNC != 0);
    let file: File = opts.open(&target)?;
    let mut d = Descriptor::new(Kind::File(file), effective, inheriting & parent_inheriting);
    d.flags = ff;
    let new = ctx.table.push(d)?;
    mem.write_u32(out as u32, new)
}

pub fn path_readlink(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory,
    fd: i32,
    path: i32,
    len: i32,
    buf: i32,
    buf_len: i32,
    used: i32,
) -> WasiResult<()> {
    let r = resolve_at(ctx, mem, fd, rights::PATH_READLINK, path, len, false)?;
    mem.check(buf as u32, buf_len as u32 as u64)?;
    mem.check(used as u32, 4)?;
    let target = read_link(&r.entry(Errno::Inval)?)?;
    // readlink(2) truncates to the buffer.
    let n = target.len().min(buf_len as u32 as usize);
    mem.write(buf as u32, &target[..n])?;
    mem.write_u32(used as u32, n as u32)
}

pub fn path_remove_directory(ctx: &mut WasiCtx, mem: &mut GuestMemory, fd: i32, path: i32, len: i32) -> WasiResult<()> {
    let r = resolve_at(ctx, mem, fd, rights::PATH_REMOVE_DIRECTORY, path, len, false)?;
    let p = r.entry(Errno::Inval)?;
    if std::fs::symlink_metadata(&p)?.file_type().is_symlink() {
        return Err(Errno::NotDir);
    }
    std::fs::remove_dir(p)?;
    Ok(())
}

pub fn path_rename(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory,
    fd: i32,
    old_path: i32,
    old_len: i32,
    new_fd: i32,
    new_path: i32,
    new_len: i32,
) -> WasiResult<()> {
    let old = resolve_at(ctx, mem, fd, rights::PATH_RENAME_SOURCE, old_path, old_len, false)?;
    let new = resolve_at(ctx, mem, new_fd, rights::PATH_RENAME_TARGET, new_path, new_len, false)?;
    let (src, dst) = (old.entry(Errno::Busy)?, new.entry(Errno::Busy)?);
    check_dir_suffix(&old)?;
    std::fs::rename(src, dst)?;
    Ok(())
}

pub fn path_symlink(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory,
    old_path: i32,
    old_len: i32,
    fd: i32,
    new_path: i32,
    new_len: i32,
) -> WasiResult<()> {
    let target = mem.bytes(old_path as u32, old_len as u32)?;
    let r = resolve_at(ctx, mem, fd, rights::PATH_SYMLINK, new_path, new_len, false)?;
    let link = r.entry(Errno::Exist)?;
    if target.is_empty() {
        return Err(Errno::NoEnt);
    }
    if target.contains(&0) {
        return Err(Errno::Inval);
    }
    // The resolver would refuse to follow it anyway; refusing to create it is clearer.
    if !link_stays_inside(&target, r.parent_rel.len()) {
        return Err(Errno::NotCapable);
    }
    symlink(&target, &link)
}

#[cfg(unix)]
fn symlink(target: &[u8], link: &std::path::Path) -> WasiResult<()> {
    use std::os::unix::ffi::OsStrExt;
    std::os::unix::fs::symlink(std::ffi::OsStr::from_bytes(target), link)?;
    Ok(())
}

#[cfg(not(unix))]
fn symlink(_target: &[u8], _link: &std::path::Path) -> WasiResult<()> {
    Err(Errno::NotSup)
}

pub fn path_unlink_file(ctx: &mut WasiCtx, mem: &mut GuestMemory, fd: i32, path: i32, len: i32) -> WasiResult<()> {
    let r = resolve_at(ctx, mem, fd, rights::PATH_UNLINK_FILE, path, len, false)?;
    let p = r.entry(Errno::IsDir)?;
    let md = std::fs::symlink_metadata(&p)?;
    if md.is_dir() {
        return Err(Errno::IsDir);
    }
    if r.must_be_dir {
        return Err(Errno::NotDir);
    }
    std::fs::remove_file(p)?;
    Ok(())
}
