//! Validates .wasm files and reports how long decoding and validation take.
//!
//! `cargo run --release -p wisp-validator --example validate -- file.wasm...`

use std::time::Instant;
use wisp_decoder::Module;

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let runs = 20;
        let mut best_parse = f64::MAX;
        let mut best_total = f64::MAX;
        let mut result = None;
        for _ in 0..runs {
            let t0 = Instant::now();
            let module = Module::parse(&bytes);
            let t1 = Instant::now();
            let r = module
                .map_err(wisp_validator::Error::from)
                .and_then(|m| wisp_validator::validate(&m).map(|i| (i, m.code.len())));
            let t2 = Instant::now();
            best_parse = best_parse.min((t1 - t0).as_secs_f64());
            best_total = best_total.min((t2 - t0).as_secs_f64());
            result = Some(r.map(|(_, n)| n));
        }
        // The same work by wasmparser, for scale (decoding included).
        let mut best_wp = f64::MAX;
        let features = wasmparser::WasmFeatures::WASM2 & !wasmparser::WasmFeatures::SIMD;
        for _ in 0..runs {
            let t0 = Instant::now();
            let ok = wasmparser::Validator::new_with_features(features).validate_all(&bytes).is_ok();
            best_wp = best_wp.min(t0.elapsed().as_secs_f64());
            std::hint::black_box(ok);
        }
        println!(
            "  wasmparser decode+validate {:.2} ms; wisp decode+validate {:.2} ms",
            best_wp * 1e3,
            best_total * 1e3
        );
        // Reading every operator without validating: the decoder's share.
        let mut best_read = f64::MAX;
        let mut num_ops = 0;
        for _ in 0..runs {
            let module = Module::parse(&bytes).unwrap();
            let t0 = Instant::now();
            let mut n = 0usize;
            for body in &module.code {
                let (_, mut ops) = body.read_locals().unwrap();
                while !ops.eof() {
                    std::hint::black_box(ops.read().unwrap());
                    n += 1;
                }
            }
            best_read = best_read.min(t0.elapsed().as_secs_f64());
            num_ops = n;
        }
        println!("  reading {num_ops} operators alone {:.2} ms", best_read * 1e3);
        match result.unwrap() {
            Ok(n) => println!(
                "{path}: valid, {n} bodies, {} KiB: decode {:.2} ms, validate {:.2} ms ({:.0} MB/s)",
                bytes.len() / 1024,
                best_parse * 1e3,
                (best_total - best_parse) * 1e3,
                bytes.len() as f64 / (best_total - best_parse) / 1e6
            ),
            Err(e) => println!("{path}: invalid: {e}"),
        }
    }
}
