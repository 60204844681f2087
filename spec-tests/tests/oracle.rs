//! wasmparser as the oracle: every module of the wasm-v2 suite (module definitions and every
//! `assert_malformed` / `assert_invalid` binary) and every `.wasm` under `fixtures/` goes to
//! both wisp (decode + validate) and `wasmparser::Validator` with the same features, and the
//! accept/reject verdicts must agree. Known, explained differences are listed in `KNOWN`.

use std::path::Path;
use wasmparser::{Validator, WasmFeatures};
use wisp_decoder::Features;
use wisp_spec_tests::{collect_modules, decode_and_validate, ModuleCase, Suite};

/// WebAssembly 2.0 without SIMD, flag by flag, as `Features::wasm2()` is.
fn wasmparser_features() -> WasmFeatures {
    // FLOATS and GC_TYPES are wasmparser's switches for the MVP's floats and for reference
    // types' value types existing at all; they are part of every spec version.
    WasmFeatures::FLOATS
        | WasmFeatures::GC_TYPES
        | WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::REFERENCE_TYPES
}

/// Disagreements that are understood: (file, line, reason). wisp's verdict is the one the spec
/// testsuite expects in each case (the runner checks that separately).
const KNOWN: &[(&str, usize, &str)] = &[];

fn wasmparser_accepts(bytes: &[u8]) -> Result<(), String> {
    wasmparser_accepts_with(bytes, wasmparser_features())
}

fn wasmparser_accepts_with(bytes: &[u8], features: WasmFeatures) -> Result<(), String> {
    Validator::new_with_features(features).validate_all(bytes).map(|_| ()).map_err(|e| e.to_string())
}

/// One line of a disagreement report: where the module is, what its test expects, and each
/// side's verdict.
fn disagreement(c: &ModuleCase, wisp: Result<(), String>, oracle: Result<(), String>) -> String {
    format!(
        "{}:{} ({:?}): wisp {}, wasmparser {}",
        c.file,
        c.line,
        c.expect,
        wisp.map_or_else(|e| format!("rejects ({e})"), |()| "accepts".into()),
        oracle.map_or_else(|e| format!("rejects ({e})"), |()| "accepts".into()),
    )
}

#[test]
fn wisp_and_wasmparser_agree() {
    let features = Features::wasm2();
    let mut cases: Vec<ModuleCase> = Vec::new();
    for f in Suite::WasmV2.files() {
        cases.extend(collect_modules(&f.name, f.source));
    }
    let num_suite = cases.len();
    for path in wisp_spec_tests::fixture_modules() {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")).join("..")).unwrap_or(&path);
        cases.push(ModuleCase {
            file: name.display().to_string(),
            line: 0,
            expect: wisp_spec_tests::Expect::Valid,
            bytes,
        });
    }

    let mut disagreements = Vec::new();
    let mut known_seen = Vec::new();
    let (mut both_accept, mut both_reject) = (0, 0);
    for c in &cases {
        let wisp = decode_and_validate(&c.bytes, features);
        let oracle = wasmparser_accepts(&c.bytes);
        match (wisp.is_ok(), oracle.is_ok()) {
            (true, true) => both_accept += 1,
            (false, false) => both_reject += 1,
            _ => {}
        }
        if wisp.is_ok() == oracle.is_ok() {
            continue;
        }
        if let Some(k) = KNOWN.iter().find(|(f, l, _)| *f == c.file && *l == c.line) {
            known_seen.push(k);
            continue;
        }
        disagreements.push(disagreement(c, wisp, oracle));
    }
    println!(
        "{} modules ({} from wasm-v2, {} fixtures): both accept {both_accept}, both reject {both_reject}, \
         {} disagreements, {} known",
        cases.len(),
        num_suite,
        cases.len() - num_suite,
        disagreements.len(),
        known_seen.len()
    );
    let stale: Vec<_> = KNOWN.iter().filter(|k| !known_seen.contains(k)).collect();
    assert!(stale.is_empty(), "KNOWN lists cases that no longer disagree: {stale:?}");
    assert!(disagreements.is_empty(), "verdicts differ:\n{}", disagreements.join("\n"));
}

/// xorshift64*, as in the robustness test: deterministic single-byte mutations.
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

const MUTATIONS: usize = 20000;

/// The same comparison on mutated wasm-v2 modules: small random damage must be judged alike.
#[test]
fn wisp_and_wasmparser_agree_on_mutants() {
    let features = Features::wasm2();
    let mut cases: Vec<ModuleCase> = Vec::new();
    for f in Suite::WasmV2.files() {
        cases.extend(
            collect_modules(&f.name, f.source).into_iter().filter(|c| c.expect == wisp_spec_tests::Expect::Valid),
        );
    }
    let mut rng = Rng(0x0dd5_eed5);
    let mut disagreements = Vec::new();
    let (mut both_accept, mut both_reject) = (0, 0);
    for i in 0..MUTATIONS {
        let c = &cases[rng.below(cases.len())];
        if c.bytes.len() <= 8 {
            continue;
        }
        let at = 8 + rng.below(c.bytes.len() - 8);
        let mut bytes = c.bytes.clone();
        let old = bytes[at];
        bytes[at] = if rng.next() & 1 == 0 { old ^ (1 << rng.below(8)) } else { rng.next() as u8 };
        let wisp = decode_and_validate(&bytes, features);
        let oracle = wasmparser_accepts(&bytes);
        match (&wisp, &oracle) {
            (Ok(()), Ok(())) => both_accept += 1,
            (Err(_), Err(_)) => both_reject += 1,
            _ => disagreements.push(format!(
                "mutation #{i}: {}:{} byte {at} {old:#04x} -> {:#04x}: wisp {}, wasmparser {}",
                c.file,
                c.line,
                bytes[at],
                wisp.map_or_else(|e| format!("rejects ({e})"), |()| "accepts".into()),
                oracle.map_or_else(|e| format!("rejects ({e})"), |()| "accepts".into()),
            )),
        }
    }
    println!(
        "{MUTATIONS} mutants: both accept {both_accept}, both reject {both_reject}, {} disagreements",
        disagreements.len()
    );
    assert!(disagreements.is_empty(), "verdicts differ:\n{}", disagreements.join("\n"));
}

/// The wasmparser switches that match wisp's `features`.
fn wasmparser_features_of(f: Features) -> WasmFeatures {
    let mut w = wasmparser_features();
    let flags = [
        (f.simd, WasmFeatures::SIMD),
        (f.relaxed_simd, WasmFeatures::RELAXED_SIMD),
        (f.tail_call, WasmFeatures::TAIL_CALL),
        (f.extended_const, WasmFeatures::EXTENDED_CONST),
        (f.multi_memory, WasmFeatures::MULTI_MEMORY),
        (f.memory64, WasmFeatures::MEMORY64),
        (f.function_references, WasmFeatures::FUNCTION_REFERENCES),
        (f.exceptions, WasmFeatures::EXCEPTIONS),
        (f.custom_page_sizes, WasmFeatures::CUSTOM_PAGE_SIZES),
        (f.wide_arithmetic, WasmFeatures::WIDE_ARITHMETIC),
        (f.gc, WasmFeatures::GC),
    ];
    for (on, flag) in flags {
        w.set(flag, on);
    }
    w
}

/// The WebAssembly 3.0 suites and proposals the front end decodes and validates, and how
/// many of their modules may still be judged differently from wasmparser: a bound that only
/// goes down (each disagreement is printed; the spec runner says which verdict the testsuite
/// expects).
const V3_SUITES: &[(&str, usize)] = &[
    ("wasm-v3", 0),
    ("simd", 0),
    ("relaxed-simd", 0),
    ("tail-call", 0),
    ("function-references", 0),
    ("multi-memory", 0),
    ("memory64", 0),
    ("exceptions", 0),
    ("custom-page-sizes", 0),
    ("wide-arithmetic", 0),
    ("extended-const", 0),
];

/// Every module of the 3.0 suites (module definitions and every `assert_malformed` /
/// `assert_invalid` binary), judged by wisp and by wasmparser with the same proposals on.
/// wasmparser's GC switch also turns on GC's operators, which wisp refuses: a module that
/// wasmparser accepts and wisp rejects only for an operator of the 0xfb prefix is not
/// counted (no suite here tests GC's operators).
// Measured 2026-12-06: no disagreement in any suite (6,374 modules), so every bound is 0.
#[test]
fn wisp_and_wasmparser_agree_on_wasm3_suites() {
    let mut failures = Vec::new();
    for &(name, allowed) in V3_SUITES {
        let suite = Suite::from_name(name).unwrap_or_else(|| panic!("no suite {name}"));
        let features = suite.features();
        let wp = wasmparser_features_of(features);
        let mut cases = Vec::new();
        for f in suite.files() {
            cases.extend(collect_modules(&f.name, f.source));
        }
        let mut disagreements = Vec::new();
        for c in &cases {
            let wisp = decode_and_validate(&c.bytes, features);
            let oracle = wasmparser_accepts_with(&c.bytes, wp);
            if wisp.is_ok() == oracle.is_ok() {
                continue;
            }
            if wisp.as_ref().is_err_and(|e| e.contains("illegal opcode 0xfb")) {
                continue;
            }
            disagreements.push(disagreement(c, wisp, oracle));
        }
        println!("{name}: {} modules, {} disagreements (at most {allowed})", cases.len(), disagreements.len());
        for d in &disagreements {
            println!("  {d}");
        }
        if disagreements.len() > allowed {
            failures.push(format!("{name}: {} disagreements, at most {allowed}", disagreements.len()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The flags of `f`, by name, each with the same features but that flag off.
fn each_flag_off(f: Features) -> Vec<(&'static str, Features)> {
    let mut out = Vec::new();
    let mut off = |name, on: bool, clear: fn(&mut Features)| {
        if on {
            let mut g = f;
            clear(&mut g);
            out.push((name, g));
        }
    };
    off("sign_extension", f.sign_extension, |g| g.sign_extension = false);
    off("saturating_float_to_int", f.saturating_float_to_int, |g| g.saturating_float_to_int = false);
    off("multi_value", f.multi_value, |g| g.multi_value = false);
    off("bulk_memory", f.bulk_memory, |g| g.bulk_memory = false);
    off("reference_types", f.reference_types, |g| g.reference_types = false);
    off("simd", f.simd, |g| g.simd = false);
    off("relaxed_simd", f.relaxed_simd, |g| g.relaxed_simd = false);
    off("tail_call", f.tail_call, |g| g.tail_call = false);
    off("extended_const", f.extended_const, |g| g.extended_const = false);
    off("multi_memory", f.multi_memory, |g| g.multi_memory = false);
    off("memory64", f.memory64, |g| g.memory64 = false);
    off("function_references", f.function_references, |g| g.function_references = false);
    off("exceptions", f.exceptions, |g| g.exceptions = false);
    off("custom_page_sizes", f.custom_page_sizes, |g| g.custom_page_sizes = false);
    off("wide_arithmetic", f.wide_arithmetic, |g| g.wide_arithmetic = false);
    off("gc", f.gc, |g| g.gc = false);
    out
}

/// `Module::features_used` on every valid module of the 2.0 and 3.0 suites: the features it
/// names suffice (wisp and wasmparser, each with exactly those, accept the module) and each is
/// needed (wisp, with that one flag off, rejects it).
#[test]
fn features_used_are_sufficient_and_needed() {
    let mut failures = Vec::new();
    let mut checked = 0;
    let suites = std::iter::once("wasm-v2").chain(V3_SUITES.iter().map(|&(n, _)| n));
    for name in suites {
        let suite = Suite::from_name(name).unwrap_or_else(|| panic!("no suite {name}"));
        let features = suite.features();
        for f in suite.files() {
            for c in collect_modules(&f.name, f.source) {
                if c.expect != wisp_spec_tests::Expect::Valid || decode_and_validate(&c.bytes, features).is_err() {
                    continue;
                }
                let module = wisp_decoder::Module::parse_with_features(&c.bytes, features).expect("decoded above");
                let used = module.features_used().expect("bodies decoded above");
                checked += 1;
                let at = format!("{name} {}:{} (uses {used:?})", c.file, c.line);
                if let Err(e) = decode_and_validate(&c.bytes, used) {
                    failures.push(format!("{at}: wisp rejects it with only those: {e}"));
                }
                let mut wp = wasmparser_features_of(used);
                for (on, flag) in [
                    (used.sign_extension, WasmFeatures::SIGN_EXTENSION),
                    (used.saturating_float_to_int, WasmFeatures::SATURATING_FLOAT_TO_INT),
                    (used.multi_value, WasmFeatures::MULTI_VALUE),
                    (used.bulk_memory, WasmFeatures::BULK_MEMORY),
                    (used.reference_types, WasmFeatures::REFERENCE_TYPES),
                ] {
                    wp.set(flag, on);
                }
                if let Err(e) = wasmparser_accepts_with(&c.bytes, wp) {
                    failures.push(format!("{at}: wasmparser rejects it with only those: {e}"));
                }
                for (flag, without) in each_flag_off(used) {
                    if decode_and_validate(&c.bytes, without).is_ok() {
                        failures.push(format!("{at}: accepted without {flag}"));
                    }
                }
            }
        }
    }
    println!("{checked} modules, {} failures", failures.len());
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert!(checked > 3500, "only {checked} modules checked");
}
