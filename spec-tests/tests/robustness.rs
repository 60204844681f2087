//! No input, however malformed, panics: every truncated prefix of the wasm-v2 suite's modules
//! and a few thousand deterministic single-byte mutations go through decode + validate, and
//! only errors may come back. Mutants that still validate are also translated by the engine
//! (`wisp::Module::translate_all`), the next consumer of "valid" bytes.

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;
use wisp_decoder::Features;
use wisp_spec_tests::{collect_modules, ModuleCase, Suite};

/// Modules up to this size get every prefix; larger ones get `PREFIXES_PER_LARGE_MODULE`
/// evenly spaced prefixes (plus the last 64), so the test stays quadratic in small numbers only.
const ALL_PREFIXES_UP_TO: usize = 4096;
const PREFIXES_PER_LARGE_MODULE: usize = 512;
const MUTATIONS: usize = 5000;
const SEED: u64 = 0x005e_ed0f_715b;

/// xorshift64*: small, deterministic, good enough to pick bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Distinct module binaries of the wasm-v2 suite.
fn modules() -> Vec<ModuleCase> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for f in Suite::WasmV2.files() {
        for m in collect_modules(&f.name, f.source) {
            if seen.insert(m.bytes.clone()) {
                out.push(m);
            }
        }
    }
    out
}

/// Decodes and validates; Err(panic message) if wisp panicked.
fn survives(bytes: &[u8]) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| {
        // Reading the name section too: it is parsed on demand for traps and backtraces.
        if let Ok(m) = wisp_decoder::Module::parse_with_features(bytes, Features::wasm2()) {
            let _ = m.names();
        }
        if wisp_validator::validate_bytes(bytes, Features::wasm2()).is_ok() {
            let engine = wisp::Engine::default();
            if let Ok(m) = wisp::Module::new(&engine, bytes) {
                m.translate_all();
            }
        }
    }))
    .map_err(|p| {
        p.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default()
    })
}

fn prefix_lengths(len: usize) -> Vec<usize> {
    if len <= ALL_PREFIXES_UP_TO {
        return (0..len).collect();
    }
    let mut v: Vec<usize> = (0..PREFIXES_PER_LARGE_MODULE).map(|i| i * len / PREFIXES_PER_LARGE_MODULE).collect();
    v.extend(len.saturating_sub(64)..len);
    v.dedup();
    v
}

#[test]
fn truncated_modules_only_error() {
    let start = Instant::now();
    let mut panics = Vec::new();
    let mut checked = 0usize;
    for m in modules() {
        for n in prefix_lengths(m.bytes.len()) {
            checked += 1;
            if let Err(msg) = survives(&m.bytes[..n]) {
                panics.push(format!("{}:{} truncated to {n} of {} bytes: {msg}", m.file, m.line, m.bytes.len()));
            }
        }
    }
    println!("{checked} truncated modules in {:?}", start.elapsed());
    assert!(panics.is_empty(), "wisp panicked on {} inputs:\n{}", panics.len(), panics.join("\n"));
}

#[test]
fn mutated_modules_only_error() {
    let start = Instant::now();
    let modules = modules();
    let mut rng = Rng(SEED);
    let mut panics = Vec::new();
    for i in 0..MUTATIONS {
        let m = &modules[rng.below(modules.len())];
        if m.bytes.len() <= 8 {
            continue;
        }
        // Past the header, where the interesting bytes are.
        let at = 8 + rng.below(m.bytes.len() - 8);
        let mut bytes = m.bytes.clone();
        let old = bytes[at];
        // Half the time flip one bit, else any byte: small and large changes both.
        bytes[at] = if rng.next() & 1 == 0 { old ^ (1 << rng.below(8)) } else { rng.next() as u8 };
        if let Err(msg) = survives(&bytes) {
            panics.push(format!(
                "mutation #{i}: {}:{} byte {at} {old:#04x} -> {:#04x}: {msg}",
                m.file, m.line, bytes[at]
            ));
        }
    }
    println!("{MUTATIONS} mutations in {:?}", start.elapsed());
    assert!(panics.is_empty(), "wisp panicked on {} inputs:\n{}", panics.len(), panics.join("\n"));
}
