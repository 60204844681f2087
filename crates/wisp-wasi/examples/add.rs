//! Loads the Go 1.24 reactor `fixtures/go/add.wasm` and calls its `//go:wasmexport add`:
//! `cargo run --release --example add` prints `1 + 2 = 3`.
//!
//! The Go side (fixtures/go/add/main.go):
//!
//! ```go
//! //go:wasmexport add
//! func add(a, b int32) int32 { return a + b }
//! ```

use wisp_wasi::GoReactor;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/go/add.wasm").to_string());
    // Reads and validates the module, links WASI, instantiates it and runs `_initialize`.
    let mut go = GoReactor::from_file(&path)?;
    let (a, b) = (1i32, 2i32);
    let sum: i32 = go.call("add", (a, b))?;
    println!("{a} + {b} = {sum}");
    Ok(())
}
