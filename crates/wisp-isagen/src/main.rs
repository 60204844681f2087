//! Writes `crates/wisp/src/isa/generated.rs` from the description in `lib.rs`:
//! `cargo run -p wisp-isagen`. `tests/current.rs` fails while the checked-in file is stale.

fn main() {
    let path = wisp_isagen::output_path();
    std::fs::write(&path, wisp_isagen::generate()).expect("write the generated instruction set");
    println!("wrote {}", path.display());
}
