//! `poll_oneoff`: waiting for clocks and descriptors.
//!
//! Every descriptor wisp hands out is always ready: files and in-memory pipes never block, and
//! inherited stdin is read with a blocking read. So descriptor subscriptions are answered at
//! once, and only when there are none does the call sleep, until the earliest clock deadline.
//! See RATIONALE.md for why this is what Go's scheduler needs.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::mem::GuestMemory;
use crate::table::{Kind, Stream};
use crate::types::{clockid, eventtype, rights, size, EVENTRWFLAGS_HANGUP, SUBCLOCKFLAGS_ABSTIME};
use std::io::Seek;
use std::time::Duration;

struct Event {
    userdata: u64,
    error: Errno,
    kind: u8,
    nbytes: u64,
    flags: u16,
}

impl Event {
    fn write(&self, mem: &mut GuestMemory, ptr: u32) -> WasiResult<()> {
        let mut b = [0u8; size::EVENT as usize];
        b[0..8].copy_from_slice(&self.userdata.to_le_bytes());
        b[8..10].copy_from_slice(&(self.error as u16).to_le_bytes());
        b[10] = self.kind;
        b[16..24].copy_from_slice(&self.nbytes.to_le_bytes());
        b[24..26].copy_from_slice(&self.flags.to_le_bytes());
        mem.write(ptr, &b)
    }
}

fn ns(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// A clock subscription: how long from now until it fires, or the error it reports.
fn clock_wait(ctx: &mut WasiCtx, id: u32, timeout: u64, flags: u16) -> Result<u64, Errno> {
    if flags & !SUBCLOCKFLAGS_ABSTIME != 0 || id > clockid::THREAD_CPUTIME_ID {
        return Err(Errno::Inval);
    }
    if flags & SUBCLOCKFLAGS_ABSTIME == 0 {
        return Ok(timeout);
    }
    let now = match id {
        clockid::REALTIME => ns(ctx.wall.now()),
        clockid::MONOTONIC => ns(ctx.monotonic.now()),
        _ => crate::clock::cputime(ctx),
    };
    Ok(timeout.saturating_sub(now))
}

/// Readiness of a descriptor for reading or writing: bytes available and hang-up.
fn fd_ready(ctx: &mut WasiCtx, fd: i32, kind: u8) -> Result<(u64, u16), Errno> {
    let d = ctx.table.get_mut(fd)?;
    if d.base & rights::POLL_FD_READWRITE == 0 {
        return Err(Errno::NotCapable);
    }
    let reading = kind == eventtype::FD_READ;
    Ok(match &mut d.kind {
        Kind::File(f) if reading => {
            let len = f.metadata().map_err(Errno::from)?.len();
            let pos = f.stream_position().map_err(Errno::from)?;
            (len.saturating_sub(pos), 0)
        }
        Kind::File(_) => (0, 0),
        Kind::Dir(_) => return Err(Errno::Badf),
        Kind::Stream { stream: Stream::Pipe(p), .. } if reading => match p.unread() {
            0 => (0, EVENTRWFLAGS_HANGUP),
            n => (n as u64, 0),
        },
        // Inherited stdin and all output streams: the operation will not fail to proceed.
        Kind::Stream { .. } => (0, 0),
    })
}

pub fn poll_oneoff(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory,
    input: i32,
    out: i32,
    nsubs: i32,
    nevents: i32,
) -> WasiResult<()> {
    let (input, out, n) = (input as u32, out as u32, nsubs as u32);
    if n == 0 {
        return Err(Errno::Inval);
    }
    mem.check(input, n as u64 * size::SUBSCRIPTION as u64)?;
    mem.check(out, n as u64 * size::EVENT as u64)?;
    mem.check(nevents as u32, 4)?;

    let mut ready = Vec::new();
    // Clock subscriptions still waiting: (wait from now, userdata).
    let mut clocks: Vec<(u64, u64)> = Vec::new();
    for i in 0..n {
        let s = input + i * size::SUBSCRIPTION;
        let userdata = mem.read_u64(s)?;
        let tag = mem.read_u8(s + 8)?;
        let ev = |error, nbytes, flags| Event { userdata, error, kind: tag, nbytes, flags };
        match tag {
            eventtype::CLOCK => {
                let id = mem.read_u32(s + 16)?;
                let timeout = mem.read_u64(s + 24)?;
                let flags = mem.read_u16(s + 40)?;
                match clock_wait(ctx, id, timeout, flags) {
                    Ok(0) => ready.push(ev(Errno::Success, 0, 0)),
                    Ok(wait) => clocks.push((wait, userdata)),
                    Err(e) => ready.push(ev(e, 0, 0)),
                }
            }
            eventtype::FD_READ | eventtype::FD_WRITE => {
                let fd = mem.read_u32(s + 16)? as i32;
                match fd_ready(ctx, fd, tag) {
                    Ok((nbytes, flags)) => ready.push(ev(Errno::Success, nbytes, flags)),
                    Err(e) => ready.push(ev(e, 0, 0)),
                }
            }
            _ => ready.push(Event { userdata, error: Errno::Inval, kind: tag, nbytes: 0, flags: 0 }),
        }
    }

    if ready.is_empty() {
        // Only clocks: sleep until the earliest, then report every one that is due.
        let wait = clocks.iter().map(|&(w, _)| w).min().unwrap_or(0);
        ctx.monotonic.sleep(Duration::from_nanos(wait));
        for &(w, userdata) in &clocks {
            if w <= wait {
                ready.push(Event { userdata, error: Errno::Success, kind: eventtype::CLOCK, nbytes: 0, flags: 0 });
            }
        }
    }

    for (i, e) in ready.iter().enumerate() {
        e.write(mem, out + i as u32 * size::EVENT)?;
    }
    mem.write_u32(nevents as u32, ready.len() as u32)
}
