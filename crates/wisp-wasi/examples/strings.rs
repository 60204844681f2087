//! Passes strings through the alloc/free ABI of the Go reactor `fixtures/go/strings.wasm`:
//! `cargo run --release --example strings -- "some text"`.
//!
//! The host calls the guest's `alloc(len)`, writes the bytes there, calls an export with
//! `(ptr, len)`, gets back `ptr << 32 | len` of a buffer Go allocated, reads it, and hands both
//! buffers back with `free(ptr)`. `GoReactor::call_str` does all of that; the second half
//! does it step by step with `wisp::GuestAlloc` and the memory helpers.

use wisp::{unpack_ptr_len, GuestAlloc};
use wisp_wasi::GoReactor;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let input = std::env::args().nth(1).unwrap_or_else(|| "hello, wisp".to_string());
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/go/strings.wasm");
    let mut go = GoReactor::from_file(path)?;

    // One call each: the whole round trip.
    println!("upper({input:?}) = {:?}", go.call_str("upper", &input)?);
    println!("reverse({input:?}) = {:?}", go.call_str("reverse", &input)?);
    println!("sha256hex({input:?}) = {}", go.call_str("sha256hex", &input)?);

    // The same round trip, step by step (still under the reactor's panic capture).
    let greeting = go.guard(|store, instance| {
        let abi = GuestAlloc::new(&*store, instance)?;
        let greet = instance.reactor_typed_func::<(u32, u32), u64>(&*store, "greet")?;
        let buf = abi.alloc_bytes(&mut *store, input.as_bytes())?;
        let packed = greet.call(&mut *store, (buf.ptr, buf.len))?;
        let (ptr, len) = unpack_ptr_len(packed);
        let text = abi.memory().read_string(&*store, ptr, len)?;
        abi.free(&mut *store, ptr)?;
        abi.free(&mut *store, buf.ptr)?;
        Ok(text)
    })?;
    println!("greet({input:?}) = {greeting:?}");

    let live: i32 = go.call("live_count", ())?;
    println!("guest buffers still allocated: {live}");
    Ok(())
}
