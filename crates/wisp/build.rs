//! Decides whether the threaded dispatch backend is compiled in.
//!
//! Its handlers end by calling the next instruction's handler; only an optimizing build turns
//! those calls into jumps (without optimization every executed instruction would add a Rust
//! stack frame). So the backend exists in builds of this crate with an optimization level
//! above 0, whatever the profile's name or its debug assertions, and `tests/dispatch.rs` checks
//! on a small stack that the calls are jumps in every profile the tests run under.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(wisp_threaded)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=OPT_LEVEL");
    let opt = std::env::var("OPT_LEVEL").unwrap_or_default();
    if !opt.is_empty() && opt != "0" {
        println!("cargo::rustc-cfg=wisp_threaded");
    }
}
