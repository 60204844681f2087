//! `sock_accept`, `sock_recv`, `sock_send`, `sock_shutdown`. A `WasiCtx` grants no sockets,
//! so every valid descriptor answers `ENOTSOCK`; arguments are checked first, in the order a
//! socket implementation would check them.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::mem::GuestMemory;
use crate::types::{fdflags, RIFLAGS_ALL, SDFLAGS_ALL};

pub fn sock_accept(ctx: &mut WasiCtx, mem: &mut GuestMemory, fd: i32, flags: i32, out: i32) -> WasiResult<()> {
    ctx.table.get(fd)?;
    if flags as u32 & !(fdflags::NONBLOCK as u32) != 0 {
        return Err(Errno::Inval);
    }
    mem.check(out as u32, 4)?;
    Err(Errno::NotSock)
}

pub fn sock_recv(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory,
    fd: i32,
    ri_data: i32,
    ri_len: i32,
    ri_flags: i32,
    ro_len: i32,
    ro_flags: i32,
) -> WasiResult<()> {
    ctx.table.get(fd)?;
    if ri_flags as u32 & !(RIFLAGS_ALL as u32) != 0 {
        return Err(Errno::Inval);
    }
    mem.iovecs(ri_data as u32, ri_len as u32)?;
    mem.check(ro_len as u32, 4)?;
    mem.check(ro_flags as u32, 2)?;
    Err(Errno::NotSock)
}

pub fn sock_send(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory,
    fd: i32,
    si_data: i32,
    si_len: i32,
    si_flags: i32,
    so_len: i32,
) -> WasiResult<()> {
    ctx.table.get(fd)?;
    if si_flags != 0 {
        return Err(Errno::Inval);
    }
    mem.iovecs(si_data as u32, si_len as u32)?;
    mem.check(so_len as u32, 4)?;
    Err(Errno::NotSock)
}

pub fn sock_shutdown(ctx: &mut WasiCtx, _mem: &mut GuestMemory, fd: i32, how: i32) -> WasiResult<()> {
    ctx.table.get(fd)?;
    if how as u32 & !(SDFLAGS_ALL as u32) != 0 || how == 0 {
        return Err(Errno::Inval);
    }
    Err(Errno::NotSock)
}
