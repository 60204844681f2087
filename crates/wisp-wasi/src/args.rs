//! `args_get`, `args_sizes_get`, `environ_get`, `environ_sizes_get`: NUL-terminated strings
//! packed into one buffer, with an array of pointers to them.

use crate::ctx::WasiCtx;
use crate::errno::WasiResult;
use crate::mem::GuestMemory;

fn sizes(list: &[Vec<u8>], mem: &mut GuestMemory, count: i32, buf_size: i32) -> WasiResult<()> {
    let total: usize = list.iter().map(|s| s.len() + 1).sum();
    mem.check(count as u32, 4)?;
    mem.check(buf_size as u32, 4)?;
    mem.write_u32(count as u32, list.len() as u32)?;
    mem.write_u32(buf_size as u32, total as u32)
}

fn get(list: &[Vec<u8>], mem: &mut GuestMemory, ptrs: i32, buf: i32) -> WasiResult<()> {
    let (ptrs, buf) = (ptrs as u32, buf as u32);
    let total: u64 = list.iter().map(|s| s.len() as u64 + 1).sum();
    mem.check(ptrs, list.len() as u64 * 4)?;
    mem.check(buf, total)?;
    let mut at = buf;
    for (i, s) in list.iter().enumerate() {
        mem.write_u32(ptrs + 4 * i as u32, at)?;
        mem.write(at, s)?;
        mem.write_u8(at + s.len() as u32, 0)?;
        at += s.len() as u32 + 1;
    }
    Ok(())
}

pub fn args_sizes_get(ctx: &mut WasiCtx, mem: &mut GuestMemory, argc: i32, buf_size: i32) -> WasiResult<()> {
    sizes(&ctx.args, mem, argc, buf_size)
}

pub fn args_get(ctx: &mut WasiCtx, mem: &mut GuestMemory, argv: i32, buf: i32) -> WasiResult<()> {
    get(&ctx.args, mem, argv, buf)
}

pub fn environ_sizes_get(ctx: &mut WasiCtx, mem: &mut GuestMemory, count: i32, buf_size: i32) -> WasiResult<()> {
    sizes(&ctx.env, mem, count, buf_size)
}

pub fn environ_get(ctx: &mut WasiCtx, mem: &mut GuestMemory, environ: i32, buf: i32) -> WasiResult<()> {
    get(&ctx.env, mem, environ, buf)
}
