//! wisp-spec-tests: the official WebAssembly testsuite (`.wast` scripts) run against wisp.
//!
//! The runner decodes and validates every module itself (wisp-decoder and wisp-validator) and
//! hands everything that needs execution to a [`Backend`]. With [`NoExecution`] those
//! directives are counted as skipped; an engine implements [`Backend`] to run them.
//! The `wisp wast` CLI subcommand and this crate's binary and tests share this library.

mod backend;
mod runner;
mod suite;
mod wisp_backend;

pub use backend::{Backend, BackendError, NoExecution, Value};
pub use runner::{
    check, decode_and_validate, decode_only, message_matches, parse_buffer, run_wast, run_wast_with, Failure,
    FileReport, MessageMismatch, Mode,
};
pub use suite::{Suite, WastFile};
pub use wisp_backend::WispBackend;

use wast::{QuoteWat, Wast, WastDirective, WastExecute, Wat};

/// What a script says about a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A module definition: it must decode and validate.
    Valid,
    /// `assert_malformed`: the decoder must reject it.
    Malformed,
    /// `assert_invalid`: the validator must reject it.
    Invalid,
}

/// A module binary taken from a script.
#[derive(Debug, Clone)]
pub struct ModuleCase {
    pub file: String,
    pub line: usize,
    pub expect: Expect,
    pub bytes: Vec<u8>,
}

/// Every `.wasm` file under the repository's `fixtures/`, sorted (the tests that hold each
/// module to an independent verdict run them all).
pub fn fixture_modules() -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let p = entry.expect("a directory entry").path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "wasm") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures"), &mut out);
    out.sort();
    out
}

/// Every core module a script defines or asserts about, as a binary. Text modules that `wast`
/// cannot encode (malformed text) are left out: they never reach a binary decoder.
pub fn collect_modules(file: &str, source: &str) -> Vec<ModuleCase> {
    let mut out = Vec::new();
    let Ok(buf) = parse_buffer(source) else { return out };
    let Ok(wast) = wast::parser::parse::<Wast<'_>>(&buf) else { return out };
    for d in wast.directives {
        let line = d.span().linecol_in(source).0 + 1;
        let (expect, bytes) = match d {
            WastDirective::Module(mut m) | WastDirective::ModuleDefinition(mut m) => (Expect::Valid, encode(&mut m)),
            WastDirective::AssertMalformed { mut module, .. } => (Expect::Malformed, encode(&mut module)),
            WastDirective::AssertInvalid { mut module, .. } => (Expect::Invalid, encode(&mut module)),
            WastDirective::AssertUnlinkable { mut module, .. }
            | WastDirective::AssertTrap { exec: WastExecute::Wat(mut module), .. }
            | WastDirective::AssertReturn { exec: WastExecute::Wat(mut module), .. } => {
                (Expect::Valid, encode_wat(&mut module))
            }
            _ => continue,
        };
        if let Some(bytes) = bytes {
            out.push(ModuleCase { file: file.to_string(), line, expect, bytes });
        }
    }
    out
}

fn encode(m: &mut QuoteWat<'_>) -> Option<Vec<u8>> {
    match m {
        QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_)) => None,
        _ => m.encode().ok(),
    }
}

fn encode_wat(m: &mut Wat<'_>) -> Option<Vec<u8>> {
    match m {
        Wat::Component(_) => None,
        Wat::Module(_) => m.encode().ok(),
    }
}

/// The totals of a run over several files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub passed: u32,
    pub failed: u32,
    pub skipped: u32,
    pub rejections: u32,
    pub messages_matched: u32,
    pub rejected_by_text_parser: u32,
}

impl Totals {
    pub fn add(&mut self, r: &FileReport) {
        self.passed += r.passed;
        self.failed += r.failed;
        self.skipped += r.skipped;
        self.rejections += r.rejections;
        self.messages_matched += r.messages_matched;
        self.rejected_by_text_parser += r.rejected_by_text_parser;
    }
}

/// Per-file counts as CSV (`file,passed,failed,skipped`), the format committed under `results/`.
pub fn csv(reports: &[FileReport]) -> String {
    let mut s = String::from("file,passed,failed,skipped\n");
    for r in reports {
        s.push_str(&format!("{},{},{},{}\n", r.name, r.passed, r.failed, r.skipped));
    }
    s
}
