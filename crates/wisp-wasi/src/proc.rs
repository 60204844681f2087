//! `proc_exit`, `proc_raise`.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::mem::GuestMemory;
use crate::types::SIGNAL_MAX;

/// `proc_exit` never returns to the guest: it ends the call with `wisp::Error::Exit(code)`.
pub fn proc_exit(code: i32) -> wisp::Error {
    wisp::Error::Exit(code)
}

/// Signals are not delivered to the guest (preview1 deprecates them); valid numbers get
/// `ENOSYS`, others `EINVAL`.
pub fn proc_raise(_ctx: &mut WasiCtx, _mem: &mut GuestMemory, sig: i32) -> WasiResult<()> {
    if !(0..=SIGNAL_MAX as i32).contains(&sig) {
        return Err(Errno::Inval);
    }
    Err(Errno::NoSys)
}
