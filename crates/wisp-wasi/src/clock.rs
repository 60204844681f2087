//! `clock_res_get`, `clock_time_get`.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::mem::GuestMemory;
use crate::types::clockid;
use std::time::Duration;

fn ns(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// The CPU-time clocks: monotonic time since the context was built. The interpreter runs the
/// guest on one host thread, so this is an upper bound of the CPU time it used.
pub(crate) fn cputime(ctx: &mut WasiCtx) -> u64 {
    ns(ctx.monotonic.now()).saturating_sub(ctx.cpu_origin)
}

pub fn clock_res_get(ctx: &mut WasiCtx, mem: &mut GuestMemory, id: i32, out: i32) -> WasiResult<()> {
    let res = match id as u32 {
        clockid::REALTIME => ns(ctx.wall.resolution()),
        clockid::MONOTONIC | clockid::PROCESS_CPUTIME_ID | clockid::THREAD_CPUTIME_ID => ns(ctx.monotonic.resolution()),
        _ => return Err(Errno::Inval),
    };
    mem.write_u64(out as u32, res.max(1))
}

pub fn clock_time_get(ctx: &mut WasiCtx, mem: &mut GuestMemory, id: i32, _precision: i64, out: i32) -> WasiResult<()> {
    mem.check(out as u32, 8)?;
    let t = match id as u32 {
        clockid::REALTIME => ns(ctx.wall.now()),
        clockid::MONOTONIC => ns(ctx.monotonic.now()),
        clockid::PROCESS_CPUTIME_ID | clockid::THREAD_CPUTIME_ID => cputime(ctx),
        _ => return Err(Errno::Inval),
    };
    mem.write_u64(out as u32, t)
}
