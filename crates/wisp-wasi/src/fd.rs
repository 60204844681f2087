//! `fd_*`: operations on open descriptors.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::mem::GuestMemory;
use crate::table::{Descriptor, DirDesc, Kind, Stream};
use crate::types::{fdflags, filetype, fstflags, rights, size, whence, Rights, ADVICE_MAX, PREOPENTYPE_DIR};
use std::fs::{File, Metadata};
use std::io::{Read, Seek, SeekFrom, Write};
use std::time::{Duration, SystemTime};

/// `filestat`, in host terms.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Filestat {
    pub dev: u64,
    pub ino: u64,
    pub filetype: u8,
    pub nlink: u64,
    pub size: u64,
    pub atim: u64,
    pub mtim: u64,
    pub ctim: u64,
}

impl Filestat {
    pub fn write(&self, mem: &mut GuestMemory, ptr: u32) -> WasiResult<()> {
        let mut b = [0u8; size::FILESTAT as usize];
        b[0..8].copy_from_slice(&self.dev.to_le_bytes());
        b[8..16].copy_from_slice(&self.ino.to_le_bytes());
        b[16] = self.filetype;
        b[24..32].copy_from_slice(&self.nlink.to_le_bytes());
        b[32..40].copy_from_slice(&self.size.to_le_bytes());
        b[40..48].copy_from_slice(&self.atim.to_le_bytes());
        b[48..56].copy_from_slice(&self.mtim.to_le_bytes());
        b[56..64].copy_from_slice(&self.ctim.to_le_bytes());
        mem.write(ptr, &b)
    }
}

pub(crate) fn file_type_of(ft: std::fs::FileType) -> u8 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_block_device() {
            return filetype::BLOCK_DEVICE;
        }
        if ft.is_char_device() {
            return filetype::CHARACTER_DEVICE;
        }
        if ft.is_socket() {
            return filetype::SOCKET_STREAM;
        }
    }
    if ft.is_symlink() {
        filetype::SYMBOLIC_LINK
    } else if ft.is_dir() {
        filetype::DIRECTORY
    } else if ft.is_file() {
        filetype::REGULAR_FILE
    } else {
        filetype::UNKNOWN
    }
}

fn nanos(t: std::io::Result<SystemTime>) -> u64 {
    t.ok()
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

pub(crate) fn filestat_of(md: &Metadata) -> Filestat {
    let mut st = Filestat {
        filetype: file_type_of(md.file_type()),
        nlink: 1,
        size: md.len(),
        atim: nanos(md.accessed()),
        mtim: nanos(md.modified()),
        ctim: nanos(md.modified()),
        ..Filestat::default()
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let ts = |s: i64, ns: i64| (s as i128 * 1_000_000_000 + ns as i128).clamp(0, u64::MAX as i128) as u64;
        st.dev = md.dev();
        st.ino = md.ino();
        st.nlink = md.nlink();
        st.atim = ts(md.atime(), md.atime_nsec());
        st.mtim = ts(md.mtime(), md.mtime_nsec());
        st.ctim = ts(md.ctime(), md.ctime_nsec());
    }
    st
}

/// Turns `fstflags` plus the two times into `FileTimes`, checking the flags.
pub(crate) fn file_times(ctx: &mut WasiCtx, atim: u64, mtim: u64, fst: i32) -> WasiResult<std::fs::FileTimes> {
    let fst = u16::try_from(fst).map_err(|_| Errno::Inval)?;
    if fst & !fstflags::ALL != 0
        || (fst & fstflags::ATIM != 0 && fst & fstflags::ATIM_NOW != 0)
        || (fst & fstflags::MTIM != 0 && fst & fstflags::MTIM_NOW != 0)
    {
        return Err(Errno::Inval);
    }
    let now = SystemTime::UNIX_EPOCH + ctx.wall.now();
    let at = |ns: u64| SystemTime::UNIX_EPOCH.checked_add(Duration::from_nanos(ns)).ok_or(Errno::Inval);
    let mut t = std::fs::FileTimes::new();
    if fst & fstflags::ATIM != 0 {
        t = t.set_accessed(at(atim)?);
    } else if fst & fstflags::ATIM_NOW != 0 {
        t = t.set_accessed(now);
    }
    if fst & fstflags::MTIM != 0 {
        t = t.set_modified(at(mtim)?);
    } else if fst & fstflags::MTIM_NOW != 0 {
        t = t.set_modified(now);
    }
    Ok(t)
}

/// Opens a host file or directory only to set its times.
pub(crate) fn set_times_at(path: &std::path::Path, times: std::fs::FileTimes) -> WasiResult<()> {
    let f = File::open(path).or_else(|_| File::options().write(true).open(path))?;
    f.set_times(times)?;
    Ok(())
}

fn stream_filestat(filetype: u8) -> Filestat {
    Filestat { filetype, ..Filestat::default() }
}

pub(crate) fn descriptor_filestat(d: &Descriptor) -> WasiResult<Filestat> {
    match &d.kind {
        Kind::Stream { filetype, .. } => Ok(stream_filestat(*filetype)),
        Kind::File(f) => Ok(filestat_of(&f.metadata()?)),
        Kind::Dir(dir) => Ok(filestat_of(&std::fs::metadata(dir.host_path())?)),
    }
}

pub(crate) fn descriptor_filetype(d: &Descriptor) -> u8 {
    match &d.kind {
        Kind::Stream { filetype, .. } => *filetype,
        Kind::File(f) => f.metadata().map_or(filetype::REGULAR_FILE, |m| file_type_of(m.file_type())),
        Kind::Dir(_) => filetype::DIRECTORY,
    }
}

pub fn fd_advise(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory,
    fd: i32,
    offset: i64,
    len: i64,
    advice: i32,
) -> WasiResult<()> {
    let d = ctx.table.with_rights(fd, rights::FD_ADVISE)?;
    if !(0..=ADVICE_MAX as i32).contains(&advice) || offset < 0 || len < 0 {
        return Err(Errno::Inval);
    }
    match d.kind {
        Kind::Stream { .. } => Err(Errno::Spipe),
        // Advice is only a hint; the host page cache is not ours to steer.
        _ => Ok(()),
    }
}

pub fn fd_allocate(ctx: &mut WasiCtx, _mem: &mut GuestMemory, fd: i32, offset: i64, len: i64) -> WasiResult<()> {
    let d = ctx.table.with_rights(fd, rights::FD_ALLOCATE)?;
    let Kind::File(f) = &d.kind else {
        return Err(if matches!(d.kind, Kind::Dir(_)) { Errno::IsDir } else { Errno::Spipe });
    };
    if offset < 0 || len <= 0 {
        return Err(Errno::Inval);
    }
    let end = (offset as u64).checked_add(len as u64).filter(|&e| e <= i64::MAX as u64).ok_or(Errno::Fbig)?;
    if f.metadata()?.len() < end {
        f.set_len(end)?;
    }
    Ok(())
}

pub fn fd_close(ctx: &mut WasiCtx, _mem: &mut GuestMemory, fd: i32) -> WasiResult<()> {
    ctx.table.remove(fd).map(drop)
}

fn sync(ctx: &mut WasiCtx, fd: i32, right: Rights, data_only: bool) -> WasiResult<()> {
    let d = ctx.table.with_rights(fd, right)?;
    match &d.kind {
        Kind::File(f) if data_only => Ok(f.sync_data()?),
        Kind::File(f) => Ok(f.sync_all()?),
        Kind::Dir(dir) => {
            // Best effort: not every host can open a directory as a file.
            if let Ok(f) = File::open(dir.host_path()) {
                let _ = f.sync_all();
            }
            Ok(())
        }
        Kind::Stream { .. } => Err(Errno::Inval),
    }
}

pub fn fd_datasync(ctx: &mut WasiCtx, _mem: &mut GuestMemory, fd: i32) -> WasiResult<()> {
    sync(ctx, fd, rights::FD_DATASYNC, true)
}

pub fn fd_sync(ctx: &mut WasiCtx, _mem: &mut GuestMemory, fd: i32) -> WasiResult<()> {
    sync(ctx, fd, rights::FD_SYNC, false)
}

pub fn fd_fdstat_get(ctx: &mut WasiCtx, mem: &mut GuestMemory, fd: i32, buf: i32) -> WasiResult<()> {
    let d = ctx.table.get(fd)?;
    let mut b = [0u8; size::FDSTAT as usize];
    b[0] = descriptor_filetype(d);
    b[2..4].copy_from_slice(&d.flags.to_le_bytes());
    b[8..16].copy_from_slice(&d.base.to_le_bytes());
    b[16..24].copy_from_slice(&d.inheriting.to_le_bytes());
    mem.write(buf as u32, &b)
}

pub fn fd_fdstat_set_flags(ctx: &mut WasiCtx, _mem: &mut GuestMemory, fd: i32, flags: i32) -> WasiResult<()> {
    let d = ctx.table.with_rights(fd, rights::FD_FDSTAT_SET_FLAGS)?;
    let flags = u16::try_from(flags).map_err(|_| Errno::Inval)?;
    if flags & !fdflags::ALL != 0 {
        return Err(Errno::Inval);
    }
    d.flags = flags;
    Ok(())
}

pub fn fd_fdstat_set_rights(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory,
    fd: i32,
    base: i64,
    inheriting: i64,
) -> WasiResult<()> {
    let d = ctx.table.get_mut(fd)?;
    let (base, inheriting) = (base as u64, inheriting as u64);
    // Rights can only be dropped, never gained.
    if base & !d.base != 0 || inheriting & !d.inheriting != 0 {
        return Err(Errno::NotCapable);
    }
    d.base = base;
    d.inheriting = inheriting;
    Ok(())
}

pub fn fd_filestat_get(ctx: &mut WasiCtx, mem: &mut GuestMemory, fd: i32, buf: i32) -> WasiResult<()> {
    let d = ctx.table.with_rights(fd, rights::FD_FILESTAT_GET)?;
    mem.check(buf as u32, size::FILESTAT as u64)?;
    descriptor_filestat(d)?.write(mem, buf as u32)
}

pub fn fd_filestat_set_size(ctx: &mut WasiCtx, _mem: &mut GuestMemory, fd: i32, size: i64) -> WasiResult<()> {
    let d = ctx.table.with_rights(fd, rights::FD_FILESTAT_SET_SIZE)?;
    match &d.kind {
        Kind::File(f) => {
            if size < 0 {
                return Err(Errno::Inval);
            }
            Ok(f.set_len(size as u64)?)
        }
        Kind::Dir(_) => Err(Errno::IsDir),
        Kind::Stream { .. } => Err(Errno::Inval),
    }
}

pub fn fd_filestat_set_times(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory,
    fd: i32,
    atim: i64,
    mtim: i64,
    fst: i32,
) -> WasiResult<()> {
    ctx.table.with_rights(fd, rights::FD_FILESTAT_SET_TIMES)?;
    let times = file_times(ctx, atim as u64, mtim as u64, fst)?;
    let d = ctx.table.get(fd)?;
    match &d.kind {
        Kind::File(f) => Ok(f.set_times(times)?),
        Kind::Dir(dir) => set_times_at(&dir.host_path(), times),
        Kind::Stream { .. } => Err(Errno::Inval),
    }
}

#[cfg(unix)]
fn read_at(f: &File, buf: &mut [u8], off: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(f, buf, off)
}

#[cfg(unix)]
fn write_at(f: &File, buf: &[u8], off: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::write_at(f, buf, off)
}

#[cfg(not(unix))]
fn read_at(mut f: &File, buf: &mut [u8], off: u64) -> std::io::Result<usize> {
    let pos = f.stream_position()?;
    f.seek(SeekFrom::Start(off))?;
    let r = f.read(buf);
    f.seek(SeekFrom::Start(pos))?;
    r
}

#[cfg(not(unix))]
fn write_at(mut f: &File, buf: &[u8], off: u64) -> std::io::Result<usize> {
    let pos = f.stream_position()?;
    f.seek(SeekFrom::Start(off))?;
    let r = f.write(buf);
    f.seek(SeekFrom::Start(pos))?;
    r
}

/// Reads into the iovecs from a file, at `offset` or at the file position.
fn read_file(f: &File, mem: &mut GuestMemory, iovs: &[(u32, u32)], mut offset: Option<u64>) -> WasiResult<u32> {
    let mut total = 0u32;
    for &(p, l) in iovs {
        if l == 0 {
            continue;
        }
        let buf = mem.slice_mut(p, l)?;
        let n = match offset {
            Some(off) => read_at(f, buf, off)?,
            None => (&*f).read(buf)?,
        };
        total = total.saturating_add(n as u32);
        if let Some(off) = offset.as_mut() {
            *off += n as u64;
        }
        if n < l as usize {
            break;
        }
    }
    Ok(total)
}

fn read(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    offset: Option<i64>,
    out: i32,
) -> WasiResult<()> {
    let needed = if offset.is_some() { rights::FD_READ | rights::FD_SEEK } else { rights::FD_READ };
    let d = ctx.table.with_rights(fd, needed)?;
    let iovs = mem.iovecs(iovs as u32, iovs_len as u32)?;
    mem.check(out as u32, 4)?;
    let offset = match offset {
        Some(o) if o < 0 => return Err(Errno::Inval),
        o => o.map(|o| o as u64),
    };
    let n = match &mut d.kind {
        Kind::File(f) => read_file(f, mem, &iovs, offset)?,
        Kind::Dir(_) => return Err(Errno::IsDir),
        Kind::Stream { .. } if offset.is_some() => return Err(Errno::Spipe),
        Kind::Stream { stream, .. } => {
            let Some(&(p, l)) = iovs.iter().find(|&&(_, l)| l > 0) else {
                return mem.write_u32(out as u32, 0);
            };
            let buf = mem.slice_mut(p, l)?;
            // One read only: a stream may have less than asked for, and must not block for more.
            let n = match stream {
                Stream::Stdin => std::io::stdin().read(buf)?,
                Stream::Pipe(pipe) => pipe.read(buf),
                Stream::Stdout | Stream::Stderr | Stream::Writer(_) => return Err(Errno::Badf),
            };
            n as u32
        }
    };
    mem.write_u32(out as u32, n)
}

fn write(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    offset: Option<i64>,
    out: i32,
) -> WasiResult<()> {
    let needed = if offset.is_some() { rights::FD_WRITE | rights::FD_SEEK } else { rights::FD_WRITE };
    let d = ctx.table.with_rights(fd, needed)?;
    let iovs = mem.iovecs(iovs as u32, iovs_len as u32)?;
    mem.check(out as u32, 4)?;
    let data = mem.gather(&iovs)?;
    let flags = d.flags;
    match &mut d.kind {
        Kind::File(f) => match offset {
            Some(o) if o < 0 => return Err(Errno::Inval),
            Some(o) => {
                let mut done = 0;
                while done < data.len() {
                    match write_at(f, &data[done..], o as u64 + done as u64)? {
                        0 => return Err(Errno::Io),
                        n => done += n,
                    }
                }
            }
            None => {
                if flags & fdflags::APPEND != 0 {
                    f.seek(SeekFrom::End(0))?;
                }
                f.write_all(&data)?;
                if flags & (fdflags::SYNC | fdflags::RSYNC) != 0 {
                    f.sync_all()?;
                } else if flags & fdflags::DSYNC != 0 {
                    f.sync_data()?;
                }
            }
        },
        Kind::Dir(_) => return Err(Errno::IsDir),
        Kind::Stream { .. } if offset.is_some() => return Err(Errno::Spipe),
        Kind::Stream { stream, .. } => match stream {
            Stream::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(&data)?;
                out.flush()?;
            }
            Stream::Stderr => std::io::stderr().lock().write_all(&data)?,
            Stream::Pipe(pipe) => pipe.write(&data),
            Stream::Writer(w) => w.write_all(&data)?,
            Stream::Stdin => return Err(Errno::Badf),
        },
    }
    mem.write_u32(out as u32, data.len() as u32)
}

pub fn fd_read(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    nread: i32,
) -> WasiResult<()> {
    read(ctx, mem, fd, iovs, iovs_len, None, nread)
}

pub fn fd_pread(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    offset: i64,
    nread: i32,
) -> WasiResult<()> {
    read(ctx, mem, fd, iovs, iovs_len, Some(offset), nread)
}

pub fn fd_write(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    nwritten: i32,
) -> WasiResult<()> {
    write(ctx, mem, fd, iovs, iovs_len, None, nwritten)
}

pub fn fd_pwrite(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    offset: i64,
    nwritten: i32,
) -> WasiResult<()> {
    write(ctx, mem, fd, iovs, iovs_len, Some(offset), nwritten)
}

fn preopen_name(ctx: &WasiCtx, fd: i32) -> WasiResult<&str> {
    match &ctx.table.get(fd)?.kind {
        Kind::Dir(DirDesc { preopen: Some(name), .. }) => Ok(name),
        _ => Err(Errno::Badf),
    }
}

pub fn fd_prestat_get(ctx: &mut WasiCtx, mem: &mut GuestMemory, fd: i32, buf: i32) -> WasiResult<()> {
    let len = preopen_name(ctx, fd)?.len() as u32;
    let mut b = [0u8; size::PRESTAT as usize];
    b[0] = PREOPENTYPE_DIR;
    b[4..8].copy_from_slice(&len.to_le_bytes());
    mem.write(buf as u32, &b)
}

pub fn fd_prestat_dir_name(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory,
    fd: i32,
    path: i32,
    path_len: i32,
) -> WasiResult<()> {
    let name = preopen_name(ctx, fd)?;
    if (path_len as u32 as usize) < name.len() {
        return Err(Errno::NameTooLong);
    }
    mem.write(path as u32, name.as_bytes())
}

/// One directory entry as `fd_readdir` reports it.
#[derive(Debug, Clone)]
pub(crate) struct Dirent {
    pub name: Vec<u8>,
    pub ino: u64,
    pub filetype: u8,
}

#[cfg(unix)]
fn name_bytes(n: std::ffi::OsString) -> Vec<u8> {
    std::os::unix::ffi::OsStringExt::into_vec(n)
}

#[cfg(not(unix))]
fn name_bytes(n: std::ffi::OsString) -> Vec<u8> {
    n.to_string_lossy().into_owned().into_bytes()
}

fn ino_of(md: &Metadata) -> u64 {
    #[cfg(unix)]
    {
        std::os::unix::fs::MetadataExt::ino(md)
    }
    #[cfg(not(unix))]
    {
        let _ = md;
        0
    }
}

fn list_dir(dir: &DirDesc) -> WasiResult<Vec<Dirent>> {
    let path = dir.host_path();
    let own = std::fs::metadata(&path)?;
    // `..` of a capability root is not the guest's business: it gets the root's own inode.
    let parent_ino = match path.parent() {
        Some(p) if !dir.rel.is_empty() => std::fs::metadata(p).map_or(0, |m| ino_of(&m)),
        _ => ino_of(&own),
    };
    let mut entries = Vec::new();
    for e in std::fs::read_dir(&path)? {
        let e = e?;
        let ft = e.file_type().map_or(filetype::UNKNOWN, file_type_of);
        #[cfg(unix)]
        let ino = std::os::unix::fs::DirEntryExt::ino(&e);
        #[cfg(not(unix))]
        let ino = 0;
        entries.push(Dirent { name: name_bytes(e.file_name()), ino, filetype: ft });
    }
    // Sorted, so cookies (indices) stay meaningful across calls and runs are reproducible.
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let mut all = vec![
        Dirent { name: b".".to_vec(), ino: ino_of(&own), filetype: filetype::DIRECTORY },
        Dirent { name: b"..".to_vec(), ino: parent_ino, filetype: filetype::DIRECTORY },
    ];
    all.extend(entries);
    Ok(all)
}

pub fn fd_readdir(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory,
    fd: i32,
    buf: i32,
    buf_len: i32,
    cookie: i64,
    bufused: i32,
) -> WasiResult<()> {
    let dir = ctx.table.dir(fd, rights::FD_READDIR)?;
    let (buf, buf_len) = (buf as u32, buf_len as u32);
    mem.check(buf, buf_len as u64)?;
    mem.check(bufused as u32, 4)?;
    let cookie = cookie as u64;
    if cookie == 0 || dir.listing.is_none() {
        dir.listing = Some(list_dir(dir)?);
    }
    let listing = dir.listing.as_deref().unwrap_or_default();
    let mut used = 0u32;
    let start = usize::try_from(cookie).unwrap_or(usize::MAX);
    for (i, e) in listing.iter().enumerate().skip(start) {
        let mut rec = Vec::with_capacity(size::DIRENT as usize + e.name.len());
        rec.extend_from_slice(&(i as u64 + 1).to_le_bytes());
        rec.extend_from_slice(&e.ino.to_le_bytes());
        rec.extend_from_slice(&(e.name.len() as u32).to_le_bytes());
        rec.extend_from_slice(&[e.filetype, 0, 0, 0]);
        rec.extend_from_slice(&e.name);
        // The last entry may be cut short: a full buffer tells the guest to call again.
        let room = (buf_len - used) as usize;
        let take = rec.len().min(room);
        mem.write(buf + used, &rec[..take])?;
        used += take as u32;
        if used == buf_len {
            break;
        }
    }
    mem.write_u32(bufused as u32, used)
}

pub fn fd_renumber(ctx: &mut WasiCtx, _mem: &mut GuestMemory, fd: i32, to: i32) -> WasiResult<()> {
    ctx.table.get(fd)?;
    ctx.table.get(to)?;
    if fd == to {
        return Ok(());
    }
    let d = ctx.table.remove(fd)?;
    ctx.table.insert_at(to as u32, d);
    Ok(())
}

pub fn fd_seek(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory,
    fd: i32,
    offset: i64,
    wh: i32,
    newoffset: i32,
) -> WasiResult<()> {
    // Asking for the position only needs `fd_tell`.
    let needed = if offset == 0 && wh == whence::CUR as i32 { rights::FD_TELL } else { rights::FD_SEEK };
    let d = ctx.table.with_rights(fd, needed)?;
    mem.check(newoffset as u32, 8)?;
    let from = match u8::try_from(wh) {
        Ok(whence::SET) if offset >= 0 => SeekFrom::Start(offset as u64),
        Ok(whence::CUR) => SeekFrom::Current(offset),
        Ok(whence::END) => SeekFrom::End(offset),
        _ => return Err(Errno::Inval),
    };
    let pos = match &mut d.kind {
        Kind::File(f) => f.seek(from)?,
        Kind::Dir(_) if offset == 0 && wh != whence::END as i32 => 0,
        Kind::Dir(_) => return Err(Errno::Inval),
        Kind::Stream { .. } => return Err(Errno::Spipe),
    };
    mem.write_u64(newoffset as u32, pos)
}

pub fn fd_tell(ctx: &mut WasiCtx, mem: &mut GuestMemory, fd: i32, out: i32) -> WasiResult<()> {
    let d = ctx.table.with_rights(fd, rights::FD_TELL)?;
    mem.check(out as u32, 8)?;
    let pos = match &mut d.kind {
        Kind::File(f) => f.stream_position()?,
        Kind::Dir(_) => 0,
        Kind::Stream { .. } => return Err(Errno::Spipe),
    };
    mem.write_u64(out as u32, pos)
}
