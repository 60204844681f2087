//! `sched_yield`.

use crate::ctx::WasiCtx;
use crate::errno::WasiResult;
use crate::mem::GuestMemory;

pub fn sched_yield(_ctx: &mut WasiCtx, _mem: &mut GuestMemory) -> WasiResult<()> {
    std::thread::yield_now();
    Ok(())
}
