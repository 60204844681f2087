//! Shows the binary of the modules a script defines around a line, and what wisp says.
//! `cargo run -p wisp-spec-tests --example explain -- wasm-v2 binary.wast 1189`

use wisp_spec_tests::{check, collect_modules, Mode, Suite};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [suite, file, line] = &args[..] else {
        eprintln!("usage: explain SUITE FILE LINE");
        std::process::exit(2);
    };
    let suite = Suite::from_name(suite).expect("unknown suite");
    let line: usize = line.parse().expect("line number");
    let f = suite.file(file).expect("no such file");
    for m in collect_modules(&f.name, f.source).into_iter().filter(|m| m.line == line) {
        let hex: Vec<String> = m.bytes.iter().map(|b| format!("{b:02x}")).collect();
        println!("{:?} at line {}: {} bytes\n{}", m.expect, m.line, m.bytes.len(), hex.join(" "));
        println!("decode only: {:?}", check(&m.bytes, suite.features(), Mode::DecodeOnly));
        println!("validate:    {:?}", check(&m.bytes, suite.features(), Mode::Validate));
    }
}
