//! `random_get`.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::mem::GuestMemory;

pub fn random_get(ctx: &mut WasiCtx, mem: &mut GuestMemory, buf: i32, len: i32) -> WasiResult<()> {
    let out = mem.slice_mut(buf as u32, len as u32)?;
    ctx.random.fill(out).map_err(|_| Errno::Io)
}
