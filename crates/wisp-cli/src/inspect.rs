//! `wisp inspect`: what a module is made of, read with wisp-decoder and checked with
//! wisp-validator directly (no engine, no instantiation, no guest code run).

use crate::error::{Class, CliError, CliResult};
use crate::host;
use clap::Args;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use wisp_decoder::{ExternKind, Features, FuncType, ImportType, Limits, MemoryType, Module, TableType};

/// Every proposal the decoder and validator know: a report describes any module, whatever an
/// engine would be configured to accept.
const ALL: Features = Features { custom_page_sizes: true, wide_arithmetic: true, ..Features::wasm3() };

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The module.
    pub file: PathBuf,
}

/// Prints the report. Exit status: 0 for a valid module; 68 for an invalid one and 67 for a
/// malformed body, after the report; 67 alone when the sections themselves do not decode.
pub fn inspect(a: &InspectArgs) -> CliResult<i32> {
    let bytes = host::read_file(&a.file)?;
    let name = a.file.display().to_string();
    // A text module is reported as the binary it encodes to.
    let bytes =
        wisp::wat_to_wasm(&bytes).map_err(|e| CliError::new(Class::Malformed, format!("{name}: {e}")))?.into_owned();
    let m = Module::parse_with_features(&bytes, ALL)
        .map_err(|e| CliError::new(Class::Malformed, format!("{name}: malformed module: {e}")))?;
    let verdict = wisp_validator::validate(&m);
    let report = render(&name, bytes.len(), &m, &verdict);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(report.as_bytes());
    let _ = out.flush();
    Ok(match verdict {
        Ok(_) => 0,
        Err(wisp_validator::Error::Decode(_)) => Class::Malformed.exit_code().into(),
        Err(_) => Class::Invalid.exit_code().into(),
    })
}

/// The report as text, one fact per line; lists indented under their heading.
fn render(
    name: &str,
    size: usize,
    m: &Module<'_>,
    verdict: &wisp_validator::Result<wisp_validator::ModuleInfo>,
) -> String {
    let mut s = String::new();
    let names = m.names();
    let exported = |n: &str| m.exports.iter().any(|e| e.name == n && e.kind == ExternKind::Func);
    let kind = match (exported("_start"), exported("_initialize")) {
        (true, true) => "command and reactor (exports _start and _initialize)",
        (true, false) => "WASI command (exports _start: `wisp run`)",
        (false, true) => "WASI reactor (exports _initialize: `wisp invoke`)",
        (false, false) => "library (neither _start nor _initialize)",
    };
    let valid = match verdict {
        Ok(_) => "yes".to_string(),
        Err(wisp_validator::Error::Decode(e)) => format!("no: malformed: {e}"),
        Err(e) => format!("no: invalid: {e}"),
    };
    let _ = writeln!(s, "file: {name} ({size} bytes)");
    if let Some(n) = names.module {
        let _ = writeln!(s, "name: {n}");
    }
    let _ = writeln!(s, "kind: {kind}");
    let _ = writeln!(s, "valid: {valid}");
    let _ = writeln!(s, "proposals: {}", proposals(m));

    let (instrs, code_bytes, unreadable) = count_instructions(m);
    let _ = writeln!(s, "types: {}", m.types.len());
    let _ = writeln!(s, "functions: {} imported, {} defined", m.num_imported_funcs, m.functions.len());
    let suffix =
        if unreadable > 0 { format!(" ({unreadable} bodies could not be read to the end)") } else { String::new() };
    let _ = writeln!(s, "instructions: {instrs} in {} bodies, {code_bytes} code bytes{suffix}", m.code.len());
    let mutable = m.globals.iter().filter(|g| g.ty.mutable).count();
    let _ =
        writeln!(s, "globals: {} imported, {} defined ({mutable} mutable)", m.num_imported_globals, m.globals.len());
    let data_bytes: usize = m.data.iter().map(|d| d.bytes.len()).sum();
    let _ = writeln!(s, "data segments: {} ({data_bytes} bytes)", m.data.len());
    let _ = writeln!(s, "element segments: {}", m.elements.len());
    match m.start {
        Some(f) => {
            let fname = names.function(f).map(|n| format!(" {n}")).unwrap_or_default();
            let _ = writeln!(s, "start: func[{f}]{fname}");
        }
        None => {
            let _ = writeln!(s, "start: none");
        }
    }

    let imported_mems = m.imports.iter().filter_map(|i| match i.ty {
        ImportType::Memory(t) => Some((t, Some(format!("{}.{}", i.module, i.name)))),
        _ => None,
    });
    let mems: Vec<(MemoryType, Option<String>)> = imported_mems.chain(m.memories.iter().map(|&t| (t, None))).collect();
    let _ = writeln!(s, "memories ({}):", mems.len());
    for (i, (t, from)) in mems.iter().enumerate() {
        let _ = writeln!(s, "  {i}: {}{}", memory_type(t), imported(from));
    }
    let imported_tables = m.imports.iter().filter_map(|i| match i.ty {
        ImportType::Table(t) => Some((t, Some(format!("{}.{}", i.module, i.name)))),
        _ => None,
    });
    let tables: Vec<(TableType, Option<String>)> = imported_tables.chain(m.tables.iter().map(|&t| (t, None))).collect();
    let _ = writeln!(s, "tables ({}):", tables.len());
    for (i, (t, from)) in tables.iter().enumerate() {
        let _ = writeln!(s, "  {i}: {} {}{}", t.element, limits(&t.limits, ""), imported(from));
    }

    let _ = writeln!(s, "imports ({}):", m.imports.len());
    for imp in &m.imports {
        let what = match imp.ty {
            ImportType::Func(t) => format!("func {}", func_sig(m, t)),
            ImportType::Table(t) => format!("table {} {}", t.element, limits(&t.limits, "")),
            ImportType::Memory(t) => format!("memory {}", memory_type(&t)),
            ImportType::Global(t) => format!("global {}{}", if t.mutable { "mut " } else { "" }, t.content),
            ImportType::Tag(t) => format!("tag {}", func_sig(m, t)),
        };
        let _ = writeln!(s, "  {}.{}: {what}", imp.module, imp.name);
    }

    let _ = writeln!(s, "exports ({}):", m.exports.len());
    let func_types: Vec<u32> = m
        .imports
        .iter()
        .filter_map(|i| if let ImportType::Func(t) = i.ty { Some(t) } else { None })
        .chain(m.functions.iter().copied())
        .collect();
    let global_types: Vec<_> = m
        .imports
        .iter()
        .filter_map(|i| if let ImportType::Global(t) = i.ty { Some(t) } else { None })
        .chain(m.globals.iter().map(|g| g.ty))
        .collect();
    for e in &m.exports {
        let i = e.index as usize;
        let what = match e.kind {
            ExternKind::Func => match func_types.get(i) {
                Some(&t) => format!("func {}", func_sig(m, t)),
                None => format!("func[{i}] (no such function)"),
            },
            ExternKind::Table => format!("table {i}"),
            ExternKind::Memory => format!("memory {i}"),
            ExternKind::Tag => format!("tag {i}"),
            ExternKind::Global => match global_types.get(i) {
                Some(t) => format!("global {}{}", if t.mutable { "mut " } else { "" }, t.content),
                None => format!("global[{i}] (no such global)"),
            },
        };
        let _ = writeln!(s, "  {}: {what}", e.name);
    }

    let _ = writeln!(s, "custom sections ({}):", m.customs.len());
    for c in &m.customs {
        let _ = writeln!(s, "  {}: {} bytes", c.name, c.data.len());
    }
    s
}

/// The proposals the module uses, by their names in the WebAssembly proposals repository, and
/// the first standard that has them all.
fn proposals(m: &Module<'_>) -> String {
    let f = match m.features_used() {
        Ok(f) => f,
        Err(e) => return format!("unknown (a body does not decode: {e})"),
    };
    let named = [
        (f.sign_extension, "sign-extension-ops", 2),
        (f.saturating_float_to_int, "nontrapping-float-to-int-conversions", 2),
        (f.multi_value, "multi-value", 2),
        (f.bulk_memory, "bulk-memory-operations", 2),
        (f.reference_types, "reference-types", 2),
        (f.simd, "simd", 2),
        (f.relaxed_simd, "relaxed-simd", 3),
        (f.tail_call, "tail-call", 3),
        (f.extended_const, "extended-const", 3),
        (f.multi_memory, "multi-memory", 3),
        (f.memory64, "memory64", 3),
        (f.function_references, "function-references", 3),
        (f.exceptions, "exception-handling", 3),
        (f.gc, "gc (wisp does not execute it)", 3),
        (f.custom_page_sizes, "custom-page-sizes", 4),
        (f.wide_arithmetic, "wide-arithmetic", 4),
    ];
    let used: Vec<_> = named.iter().filter(|(on, ..)| *on).collect();
    let names: Vec<&str> = used.iter().map(|(_, n, _)| *n).collect();
    let standard = match used.iter().map(|(.., v)| *v).max().unwrap_or(1) {
        1 => "WebAssembly 1.0",
        2 => "WebAssembly 2.0",
        3 => "WebAssembly 3.0",
        _ => "beyond WebAssembly 3.0",
    };
    if names.is_empty() {
        format!("none ({standard})")
    } else {
        format!("{} ({standard})", names.join(", "))
    }
}

fn imported(from: &Option<String>) -> String {
    from.as_ref().map(|f| format!(" (imported from {f})")).unwrap_or_default()
}

/// A function type by index; an index the validator will reject reads as such.
fn func_sig(m: &Module<'_>, type_index: u32) -> String {
    match m.types.get(type_index as usize) {
        Some(t) => FuncType::to_string(t),
        None => format!("type[{type_index}] (no such type)"),
    }
}

fn limits(l: &Limits, unit: &str) -> String {
    match l.max {
        Some(max) => format!("min {}{unit}, max {max}{unit}", l.min),
        None => format!("min {}{unit}, no max", l.min),
    }
}

fn memory_type(t: &MemoryType) -> String {
    let mut s = limits(&t.limits, " pages");
    let bytes = t.limits.min.saturating_mul(65536);
    if bytes >= 1 << 20 {
        let _ = write!(s, " ({:.1} MiB initial)", bytes as f64 / f64::from(1 << 20));
    } else {
        let _ = write!(s, " ({} KiB initial)", bytes / 1024);
    }
    if t.memory64 {
        s.push_str(", 64-bit");
    }
    if t.shared {
        s.push_str(", shared");
    }
    s
}

/// Operators in every body (each `end` included), the bodies' total size, and how many
/// bodies stopped at a decoding error before their end.
fn count_instructions(m: &Module<'_>) -> (u64, usize, usize) {
    let mut count = 0u64;
    let mut bytes = 0usize;
    let mut unreadable = 0usize;
    for body in &m.code {
        bytes += body.data.len();
        let mut ops = match body.read_locals() {
            Ok((_, ops)) => ops,
            Err(_) => {
                unreadable += 1;
                continue;
            }
        };
        while !ops.eof() {
            if ops.read().is_err() {
                unreadable += 1;
                break;
            }
            count += 1;
        }
    }
    (count, bytes, unreadable)
}
