//! Eager compilation (`CompilationMode::Eager`: each body validated while it is translated, in
//! one pass) against the default (every body validated by `Module::new`, translated later):
//! for every module of the wasm-v2 suite (module definitions and every `assert_malformed` /
//! `assert_invalid` binary), every `.wasm` under `fixtures/` and mutants of the suite's valid
//! modules, both modes must reject with the same error, or accept and translate every function
//! to the same code.

use wisp::{CompilationMode, Config, Engine, Module};
use wisp_spec_tests::{collect_modules, Suite};

fn engine(mode: CompilationMode) -> Engine {
    let mut config = Config::new();
    config.compilation_mode(mode);
    Engine::new(&config)
}

/// Where the two modes differ on `bytes`, if they do. Fresh engines, so both number the
/// module's types alike (`call_indirect` carries an engine-wide type id).
fn differ(bytes: &[u8]) -> Option<String> {
    let (lazy, eager) = (engine(CompilationMode::LazyTranslation), engine(CompilationMode::Eager));
    match (Module::new(&lazy, bytes), Module::new(&eager, bytes)) {
        (Ok(l), Ok(e)) => {
            let (lc, ec) = (l.all_code(), e.all_code());
            let at = lc.iter().zip(&ec).position(|(a, b)| a != b);
            (lc.len() != ec.len() || at.is_some()).then(|| format!("code differs in defined function {at:?}"))
        }
        (Err(l), Err(e)) => (l.to_string() != e.to_string()).then(|| format!("errors differ: {l} / {e}")),
        (l, e) => Some(format!("lazy {:?}, eager {:?}", l.map(drop), e.map(drop))),
    }
}

#[test]
fn eager_and_lazy_compilation_agree() {
    let lazy = engine(CompilationMode::LazyTranslation);
    let mut differences = Vec::new();
    let (mut accepted, mut rejected) = (0, 0);
    let mut check = |what: String, bytes: &[u8]| {
        match differ(bytes) {
            Some(d) => differences.push(format!("{what}: {d}")),
            None if Module::validate(&lazy, bytes).is_ok() => accepted += 1,
            None => rejected += 1,
        };
    };
    let mut valid = Vec::new();
    for f in Suite::WasmV2.files() {
        for c in collect_modules(&f.name, f.source) {
            check(format!("{}:{}", c.file, c.line), &c.bytes);
            if c.expect == wisp_spec_tests::Expect::Valid {
                valid.push(c.bytes);
            }
        }
    }
    for path in wisp_spec_tests::fixture_modules() {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        check(path.display().to_string(), &bytes);
    }
    // Single-byte damage to valid modules, deterministic (xorshift64*).
    let mut state: u64 = 0x5eed_ea9e;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    for i in 0..5000 {
        let mut bytes = valid[(next() % valid.len() as u64) as usize].clone();
        if bytes.len() <= 8 {
            continue;
        }
        let at = 8 + (next() % (bytes.len() as u64 - 8)) as usize;
        bytes[at] ^= 1 << (next() % 8);
        check(format!("mutant #{i}"), &bytes);
    }
    println!("accepted alike {accepted}, rejected alike {rejected}, {} differences", differences.len());
    assert!(rejected > 1000 && accepted > 1000, "the cases exercise both verdicts");
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
