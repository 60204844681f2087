//! Every generated instruction form is executed: for each entry of `wisp::isa::FORMS` this test
//! builds small functions that the translator turns into that form (checked by disassembly),
//! runs them on both dispatch backends over edge values, and compares each result, trap and
//! (for stores) the whole memory with the same operator's all-stack form in the same module.
//! A form that no function reaches fails the test, so a new form without coverage breaks it.
//! Loop latches (an idiom over several operators) run a loop of up to four iterations against
//! the same loop with the counter read through the stack. `select`'s forms run on each numeric
//! type. Wide arithmetic's forms (two results) compare both results. The memory rows other than
//! memory 0's 32-bit one (`FormInfo::memory_row`) access memory 1, 32- or 64-bit, and are compared
//! with memory 0's all-stack form on a memory holding the same bytes.
//! (The threaded backend exists wherever wisp is optimized, the test profile included; CI
//! also runs this test with `--profile ci`.)

mod common;

use std::collections::BTreeMap;
use wisp::isa::{FormInfo, FORMS};
use wisp::{Config, Dispatch, Engine, Func, Linker, Memory, Module, Store, TrapCode, Val};

fn wat(src: &str) -> Result<Vec<u8>, String> {
    let buf = wast::parser::ParseBuffer::new(src).map_err(|e| e.to_string())?;
    let mut w: wast::Wat = wast::parser::parse(&buf).map_err(|e| e.to_string())?;
    w.encode().map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------
// Types and edge values. Values travel as slot bits: i32 and f32 zero-extended to 64 bits.
// ---------------------------------------------------------------------------------------------

/// Operand types and result type of a form's operator, from its text name.
fn signature(f: &FormInfo) -> (Vec<&'static str>, Option<&'static str>) {
    if f.family == "select" {
        // Untyped: the cases run it on each numeric type (`signatures`); i64 stands for them.
        return (vec!["i64", "i64", "i32"], Some("i64"));
    }
    let (prefix, rest) = f.op.split_once('.').expect("a text name has a type prefix");
    match f.family {
        "binary" => (vec![prefix, prefix], Some(prefix)),
        // `c + a * b`: the addend, then the factors.
        "muladd" => (vec![prefix, prefix, prefix], Some(prefix)),
        // `c op (a shift k)`: the other operand, then the shifted one (the count a constant).
        "shifted" => (vec![prefix, prefix], Some(prefix)),
        "compare" => (vec![prefix, prefix], Some("i32")),
        "unary" => {
            // `i64.extend_i32_u`, `f32.convert_i64_s`, `i32.trunc_sat_f64_u`, `f32.demote_f64`.
            let src = rest.split('_').find(|t| matches!(*t, "i32" | "i64" | "f32" | "f64")).unwrap_or(prefix);
            (vec![src], Some(if rest == "eqz" { "i32" } else { prefix }))
        }
        "load" => (vec![address_type(f)], Some(prefix)),
        // Two results of the prefix's type (`results`).
        "wide" => (vec![prefix; f.kinds.len()], Some(prefix)),
        "store" => (vec![address_type(f), prefix], None),
        // A latch's function takes the counter's start, the bound and a step, and returns the
        // counter.
        "latch" => (vec![prefix, prefix, prefix], Some(prefix)),
        other => panic!("unknown family {other} of {}", f.name),
    }
}

/// A load's or store's address type: i64 for the 64-bit memory row.
fn address_type(f: &FormInfo) -> &'static str {
    if f.memory_row == "Mem64" {
        "i64"
    } else {
        "i32"
    }
}

/// How many results a form's operator has (each of `signature`'s result type).
fn results(f: &FormInfo) -> usize {
    match (f.family, signature(f).1) {
        (_, None) => 0,
        ("wide", _) => 2,
        _ => 1,
    }
}

/// Bytes a load or store accesses (`i64.load32_u`: 4).
fn width(op: &str) -> u32 {
    let (prefix, rest) = op.split_once('.').unwrap();
    let digits: String = rest.chars().skip_while(|c| !c.is_ascii_digit()).take_while(|c| c.is_ascii_digit()).collect();
    match digits.as_str() {
        "8" => 1,
        "16" => 2,
        "32" => 4,
        _ if prefix.ends_with("32") => 4,
        _ => 8,
    }
}

fn edges(ty: &str) -> Vec<u64> {
    match ty {
        "i32" => [0i32, 1, 2, -1, -2, -7, i32::MIN, i32::MIN + 1, i32::MAX, 31, 32, 33, 63, 64, 65, 0x1234_5678]
            .iter()
            .map(|&v| v as u32 as u64)
            .collect(),
        "i64" => [
            0i64,
            1,
            2,
            -1,
            -2,
            -7,
            i64::MIN,
            i64::MAX,
            31,
            32,
            33,
            63,
            64,
            65,
            0xffff_ffff,
            1 << 32,
            0x8000_0000,
            i32::MIN as i64,
            i32::MAX as i64,
            0x1234_5678_9abc_def0,
        ]
        .iter()
        .map(|&v| v as u64)
        .collect(),
        "f32" => {
            let mut v: Vec<u64> = [
                0.0f32,
                -0.0,
                1.5,
                -2.5,
                0.5,
                -1.0,
                f32::NAN,
                f32::INFINITY,
                f32::NEG_INFINITY,
                2147483648.0, // 2^31
                2147483520.0, // the largest f32 below 2^31
                -2147483648.0,
                4294967296.0,          // 2^32
                9223372036854775808.0, // 2^63
                -9223372036854775808.0,
                1e30,
            ]
            .iter()
            .map(|v| v.to_bits() as u64)
            .collect();
            // A denormal, and negative NaNs with a payload (signalling and quiet).
            v.extend([1, 0xff80_0001, 0xffff_ffff]);
            v
        }
        "f64" => {
            let mut v: Vec<u64> = [
                0.0f64,
                -0.0,
                1.5,
                -2.5,
                0.5,
                -1.0,
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                2147483648.0,
                2147483647.0,
                -2147483648.0,
                -2147483649.0,
                4294967296.0,
                9223372036854775808.0,
                -9223372036854775808.0,
                1e30,
            ]
            .iter()
            .map(|v| v.to_bits())
            .collect();
            // A denormal (its bits fit a sign-extended 32-bit immediate), a signalling NaN, and
            // the negative NaN whose bits are all ones (also fits).
            v.extend([1, 0xfff0_0000_0000_0001, u64::MAX]);
            v
        }
        other => panic!("no edge values for {other}"),
    }
}

/// Addresses around the ends of a one-page memory, for an access of `w` bytes.
fn addresses(w: u32) -> Vec<u64> {
    let end = 65536u32;
    [0, 1, end - w - SMALL_OFFSET, end - w - SMALL_OFFSET + 1, end - w, end - w + 1, end, u32::MAX]
        .iter()
        .map(|&a| a as u64)
        .collect()
}

/// The memory offsets every load and store form runs with.
const SMALL_OFFSET: u32 = 3;
const OFFSETS: [u32; 2] = [0, SMALL_OFFSET];

/// Whether a constant's slot bits survive a sign-extended 32-bit immediate.
fn fits_i32(v: u64) -> bool {
    v as i32 as i64 as u64 == v
}

fn val(ty: &str, bits: u64) -> Val {
    match ty {
        "i32" => Val::I32(bits as u32 as i32),
        "i64" => Val::I64(bits as i64),
        "f32" => Val::F32(bits as u32),
        "f64" => Val::F64(bits),
        other => panic!("no value of {other}"),
    }
}

fn bits(v: &Val) -> u64 {
    match *v {
        Val::I32(x) => x as u32 as u64,
        Val::I64(x) => x as u64,
        Val::F32(x) => x as u64,
        Val::F64(x) => x,
        ref other => panic!("unexpected result {other:?}"),
    }
}

/// A constant in the text format, exactly (floats as hexadecimal or NaN payloads).
fn literal(ty: &str, bits: u64) -> String {
    match ty {
        "i32" => (bits as u32 as i32).to_string(),
        "i64" => (bits as i64).to_string(),
        "f32" => {
            let b = bits as u32;
            let sign = if b >> 31 == 1 { "-" } else { "" };
            let (exp, man) = ((b >> 23) & 0xff, b & 0x7f_ffff);
            match exp {
                0xff if man == 0 => format!("{sign}inf"),
                0xff => format!("{sign}nan:0x{man:x}"),
                0 => format!("{sign}0x0.{:06x}p-126", man << 1),
                _ => format!("{sign}0x1.{:06x}p{}", man << 1, exp as i32 - 127),
            }
        }
        "f64" => {
            let sign = if bits >> 63 == 1 { "-" } else { "" };
            let (exp, man) = ((bits >> 52) & 0x7ff, bits & 0xf_ffff_ffff_ffff);
            match exp {
                0x7ff if man == 0 => format!("{sign}inf"),
                0x7ff => format!("{sign}nan:0x{man:x}"),
                0 => format!("{sign}0x0.{man:013x}p-1022"),
                _ => format!("{sign}0x1.{man:013x}p{}", exp as i64 - 1023),
            }
        }
        other => panic!("no constant of {other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The functions built for a form.
// ---------------------------------------------------------------------------------------------

/// One module built for a form: the function under test (`form`) and the all-stack form of the
/// same operator (`plain`), with the same signature, and the argument rows both are called with.
struct Case {
    wat: String,
    /// Whether `form` must compile to the form (a narrow immediate that does not fit must not).
    selects: bool,
    params: Vec<&'static str>,
    rows: Vec<Vec<u64>>,
}

/// An operand of kind `k` read from parameter `i` (`S`: computed onto the value stack; `L`: the
/// parameter itself; `I`: the constant `c`). `below` says whether an operand that is not on the
/// stack lies below this one: a block's start would push it, so then `S` is computed by an
/// addition of zero to the bits instead (exact for every value: the reinterpretations emit
/// nothing).
fn operand(k: char, i: usize, ty: &str, c: Option<u64>, below: bool) -> String {
    match k {
        'S' if !below => format!("(block (result {ty}) (local.get {i}))"),
        'S' => match ty {
            "i32" | "i64" => format!("({ty}.add (local.get {i}) ({ty}.const 0))"),
            "f32" => format!("(f32.reinterpret_i32 (i32.add (i32.reinterpret_f32 (local.get {i})) (i32.const 0)))"),
            "f64" => format!("(f64.reinterpret_i64 (i64.add (i64.reinterpret_f64 (local.get {i})) (i64.const 0)))"),
            other => panic!("no operand of {other}"),
        },
        'L' => format!("(local.get {i})"),
        'I' => format!("({ty}.const {})", literal(ty, c.expect("an immediate operand has a constant"))),
        // A local plus a constant: the constant is the case's, the local the row's value.
        'A' => format!("(i32.add (local.get {i}) (i32.const {}))", c.expect("an address constant") as u32 as i32),
        // A scaled index: the shift in the constant's high half, the added constant in its low.
        'X' => {
            let c = c.expect("a shift and a constant");
            format!("(i32.add (i32.shl (local.get {i}) (i32.const {})) (i32.const {}))", c >> 32, c as u32 as i32)
        }
        // An element: the row's value as the base (computed onto the stack for `E`, a local for
        // `F`) plus local `$ix` (set to the constant's low half) shifted by its high half.
        'E' | 'F' => {
            let shift = c.expect("a shift and an index") >> 32;
            let base =
                if k == 'E' { format!("(block (result i32) (local.get {i}))") } else { format!("(local.get {i})") };
            format!("(i32.add {base} (i32.shl (local.get $ix) (i32.const {shift})))")
        }
        other => panic!("unknown operand kind {other}"),
    }
}

/// The operator applied to `operands`, with the memory offset for loads and stores (on memory 1
/// for the rows other than memory 0's 32-bit one) and a shifted operand's count `shift`.
fn apply(f: &FormInfo, offset: u32, shift: u32, operands: &[String]) -> String {
    let mem = match (f.family, f.memory_row) {
        ("load" | "store", "") => format!(" offset={offset}"),
        ("load" | "store", _) => format!(" 1 offset={offset}"),
        _ => String::new(),
    };
    if let ("muladd", [c, a, b]) = (f.family, operands) {
        let ty = f.op.split_once('.').unwrap().0;
        return format!("({} {c} ({ty}.mul {a} {b}))", f.op);
    }
    if let ("shifted", [c, a]) = (f.family, operands) {
        let ty = f.op.split_once('.').unwrap().0;
        return format!("({} {c} ({} {a} ({ty}.const {shift})))", f.op, f.inner);
    }
    format!("({}{mem} {})", f.op, operands.join(" "))
}

/// The signatures a form's cases run with: its operator's, or for `select` (which copies bits
/// of any numeric type) each numeric type's.
fn signatures(f: &FormInfo) -> Vec<(Vec<&'static str>, Option<&'static str>)> {
    if f.family == "select" {
        ["i32", "i64", "f32", "f64"].iter().map(|&t| (vec![t, t, "i32"], Some(t))).collect()
    } else {
        vec![signature(f)]
    }
}

fn module(
    f: &FormInfo,
    sig: &(Vec<&'static str>, Option<&'static str>),
    consts: &[Option<u64>],
    offset: u32,
    shift: u32,
) -> String {
    let (params, result) = sig.clone();
    let kinds: Vec<char> = f.kinds.chars().collect();
    let ops: Vec<String> = kinds
        .iter()
        .enumerate()
        .map(|(i, &k)| operand(k, i, params[i], consts[i], kinds[..i].iter().any(|&b| b != 'S')))
        .collect();
    let e = apply(f, offset, shift, &ops);
    let r = result.map(|r| format!(" (result{})", format!(" {r}").repeat(results(f)))).unwrap_or_default();
    // The destination local: the first operand's own local when the types allow (the operands
    // are read before the result is written), else a local of its own.
    let (dst, local) = match result {
        _ if f.dst.starts_with("Goto") => (0, " (local $pc i32)".to_string()),
        Some(r) if r == params[0] => (0, String::new()),
        Some(r) => (params.len(), format!(" (local {r})")),
        None => (0, String::new()),
    };
    // Go's `if cond { goto block }`: the body sets the block's local and jumps back to the loop
    // (which leaves when the local is set): 1 when the condition held, 0 when not.
    let goto = |cond: &str, taken: u32| {
        format!(
            "(block $done (loop $top (br_if $done (local.get $pc)) \
             (if {cond} (then (local.set $pc (i32.const 7)) (br $top))) (return (i32.const {})))) (i32.const {taken})",
            1 - taken
        )
    };
    let body = match f.dst {
        "S" => e,
        "L" => format!("(local.set {dst} {e}) (local.get {dst})"),
        // `br_if` consumes the condition: branches (result 1) when it is true.
        "Br" => format!("(block (br_if 0 {e}) (return (i32.const 0))) (i32.const 1)"),
        // `if` branches to its `else` when the condition is false.
        "BrNot" => format!("(if (result i32) {e} (then (i32.const 1)) (else (i32.const 0)))"),
        "Goto" => goto(&e, 1),
        // The jump when the condition is false.
        "GotoNot" => goto(&format!("(i32.eqz {e})"), 0),
        other => panic!("unknown destination {other}"),
    };
    let stack: Vec<String> = (0..kinds.len())
        .map(|i| match kinds[i] {
            // The same address, computed on the stack.
            'A' | 'X' | 'E' | 'F' => {
                format!("(block (result i32) {})", operand(kinds[i], i, params[i], consts[i], false))
            }
            _ => operand('S', i, params[i], None, false),
        })
        .collect();
    // `c + a * b`'s reference keeps the product apart (a block's end between it and the add).
    let plain = match (f.family, &stack[..]) {
        ("muladd", [c, a, b]) => {
            let ty = params[0];
            format!("({} {c} (block (result {ty}) ({ty}.mul {a} {b})))", f.op)
        }
        // The shift apart from the operator likewise.
        ("shifted", [c, a]) => {
            let ty = params[0];
            format!("({} {c} (block (result {ty}) ({} {a} ({ty}.const {shift}))))", f.op, f.inner)
        }
        // Another memory row's reference is memory 0's 32-bit form (a 64-bit address wrapped:
        // every address the cases take is below 2^32).
        (_, [addr, rest @ ..]) if !f.memory_row.is_empty() => {
            let addr = if f.memory_row == "Mem64" { format!("(i32.wrap_i64 {addr})") } else { addr.clone() };
            let row0 = FormInfo { memory_row: "", ..*f };
            apply(&row0, offset, shift, &[vec![addr], rest.to_vec()].concat())
        }
        _ => apply(f, offset, shift, &stack),
    };
    let p = params.join(" ");
    // An element's index local, in both functions.
    let (ix, init) = match kinds.iter().position(|&k| k == 'E' || k == 'F') {
        Some(i) => (" (local $ix i32)", format!("(local.set $ix (i32.const {})) ", consts[i].unwrap() as u32 as i32)),
        None => ("", String::new()),
    };
    let memories = match f.memory_row {
        "" => "(memory (export \"mem\") 1)",
        "Mem" => "(memory (export \"mem\") 1) (memory (export \"mem1\") 1)",
        _ => "(memory (export \"mem\") 1) (memory (export \"mem1\") i64 1)",
    };
    format!(
        "(module\n  {memories}\n  (func (export \"form\") (param {p}){r}{local}{ix}\n    {init}{body})\n  (func (export \"plain\") (param {p}){r}{ix}\n    {init}{plain}))"
    )
}

/// Rows of arguments: every combination of each operand's values.
fn rows(values: &[Vec<u64>]) -> Vec<Vec<u64>> {
    let mut out = vec![Vec::new()];
    for vs in values {
        out = out.iter().flat_map(|row| vs.iter().map(move |&v| [row.clone(), vec![v]].concat())).collect();
    }
    out
}

/// Steps a latch's counter takes (all fit its 16-bit immediate).
const STEPS: [i64; 5] = [1, -1, 7, -32768, 32767];

/// A loop whose latch is `local.get 0; const step; add; local.tee 0; bound; cmp; br_if`, run at
/// most four times (local 2 counts the iterations), returning the counter; the reference reads
/// the counter through the stack, which no latch takes.
fn latch_module(f: &FormInfo, step: Option<i64>, bound: Option<u64>, bound_first: bool) -> String {
    let ty = f.op.split_once('.').unwrap().0;
    let bound = match bound {
        None => "(local.get 1)".to_string(),
        Some(c) => format!("({ty}.const {})", literal(ty, c)),
    };
    let step = match step {
        Some(c) => format!("({ty}.const {c})"),
        None => "(local.get 2)".to_string(),
    };
    let body = |counter: &str| {
        let stepped = format!("(local.tee 0 ({ty}.add {counter} {step}))");
        // The bound pushed before the counter: the mirrored comparison gives the same latch.
        let test = if bound_first {
            format!("({} {bound} {stepped})", mirror(f.op))
        } else {
            format!("({} {stepped} {bound})", f.op)
        };
        format!(
            "(block $out (loop $l (local.set 3 (i32.add (local.get 3) (i32.const 1))) \
             (br_if $out (i32.gt_u (local.get 3) (i32.const 3))) (br_if $l {test}))) (local.get 0)"
        )
    };
    format!(
        "(module\n  (memory (export \"mem\") 1)\n  (func (export \"form\") (param {ty} {ty} {ty}) (result {ty}) (local i32)\n    {})\n  \
         (func (export \"plain\") (param {ty} {ty} {ty}) (result {ty}) (local i32)\n    {}))",
        body("(local.get 0)"),
        body(&format!("(block (result {ty}) (local.get 0))"))
    )
}

/// The comparison with its operands swapped (`a < b` is `b > a`).
fn mirror(op: &str) -> String {
    let (ty, name) = op.split_once('.').unwrap();
    let m = match name {
        "lt_s" => "gt_s",
        "gt_s" => "lt_s",
        "lt_u" => "gt_u",
        "gt_u" => "lt_u",
        "le_s" => "ge_s",
        "ge_s" => "le_s",
        "le_u" => "ge_u",
        "ge_u" => "le_u",
        same => same,
    };
    format!("{ty}.{m}")
}

fn latch_cases(f: &FormInfo) -> Vec<Case> {
    let (params, _) = signature(f);
    let values = edges(params[0]);
    let local_step = f.kinds.as_bytes()[1] == b'L';
    let steps: Vec<Option<i64>> = if local_step { vec![None] } else { STEPS.iter().map(|&s| Some(s)).collect() };
    let step_values: Vec<u64> =
        STEPS.iter().map(|&s| if params[0] == "i32" { s as i32 as u32 as u64 } else { s as u64 }).collect();
    let mut out = Vec::new();
    for step in steps {
        let bounds: Vec<Option<u64>> =
            if f.kinds == "LII" { values.iter().map(|&c| Some(c)).collect() } else { vec![None] };
        for bound in bounds {
            let bound_values = match bound {
                None => values.clone(),
                Some(c) => vec![c],
            };
            let step_row = if local_step { step_values.clone() } else { vec![0] };
            let rows = rows(&[values.clone(), bound_values, step_row]);
            for bound_first in [false, true] {
                out.push(Case {
                    wat: latch_module(f, step, bound, bound_first),
                    selects: !f.narrow_imm || bound.is_none_or(fits_i32),
                    params: vec![params[0]; 3],
                    rows: rows.clone(),
                });
            }
        }
    }
    out
}

fn cases(f: &FormInfo) -> Vec<Case> {
    if f.family == "latch" {
        return latch_cases(f);
    }
    signatures(f).iter().flat_map(|sig| typed_cases(f, sig)).collect()
}

fn typed_cases(f: &FormInfo, sig: &(Vec<&'static str>, Option<&'static str>)) -> Vec<Case> {
    let params = sig.0.clone();
    let kinds: Vec<char> = f.kinds.chars().collect();
    let memory = matches!(f.family, "load" | "store");
    // The values each operand takes: addresses for a load's or store's first operand.
    let values: Vec<Vec<u64>> =
        (0..kinds.len()).map(|i| if memory && i == 0 { addresses(width(f.op)) } else { edges(params[i]) }).collect();
    // Four 128-bit halves take a few values each (carries and borrows across both halves), not
    // every combination of every edge.
    let values = if kinds.len() == 4 {
        let few = [0i64, 1, -1, i64::MIN, i64::MAX, 0x1234_5678_9abc_def0].map(|v| v as u64).to_vec();
        vec![few; 4]
    } else {
        values
    };
    let imms: Vec<usize> = (0..kinds.len()).filter(|&i| kinds[i] == 'I').collect();
    // A local-plus-constant address: the constant wraps the row's address around 32 bits.
    let adds: Vec<usize> = (0..kinds.len()).filter(|&i| matches!(kinds[i], 'A' | 'X' | 'E' | 'F')).collect();
    // The constants of the immediate operands, one module per choice.
    let choices: Vec<Vec<u64>> = match imms.as_slice() {
        [] => vec![vec![]],
        [i] => values[*i].iter().map(|&c| vec![c]).collect(),
        // A store with both address and value constant: every address with some value, and every
        // value at an in-bounds address.
        [a, v] => {
            let (addrs, vals) = (&values[*a], &values[*v]);
            let mut c: Vec<Vec<u64>> = addrs.iter().enumerate().map(|(k, &x)| vec![x, vals[k % vals.len()]]).collect();
            c.extend(vals.iter().map(|&y| vec![1, y]));
            c
        }
        _ => unreachable!("at most two operands"),
    };
    let offsets: &[u32] = if memory { &OFFSETS } else { &[0] };
    let shifts: &[u32] = if f.family == "shifted" { &SHIFTS } else { &[0] };
    let add_choices: Vec<Option<u64>> = match adds.first().map(|&i| kinds[i]) {
        None => vec![None],
        Some('X') => SCALES.iter().map(|&(k, c)| Some((k as u64) << 32 | c as u64)).collect(),
        Some('E' | 'F') => ELEMENTS.iter().map(|&(k, c)| Some((k as u64) << 32 | c as u64)).collect(),
        Some(_) => ADDS.iter().map(|&c| Some(c as u64)).collect(),
    };
    let mut out = Vec::new();
    for (&offset, &shift) in offsets.iter().flat_map(|o| shifts.iter().map(move |s| (o, s))) {
        for &add in &add_choices {
            for choice in &choices {
                let mut consts = vec![None; kinds.len()];
                if let (Some(c), Some(&i)) = (add, adds.first()) {
                    consts[i] = Some(c);
                }
                let mut per_operand = values.clone();
                for (&i, &c) in imms.iter().zip(choice) {
                    consts[i] = Some(c);
                    per_operand[i] = vec![c];
                }
                // An address is 32 bits: no narrowing applies to it.
                let selects =
                    !f.narrow_imm || imms.iter().zip(choice).all(|(&i, &c)| (memory && i == 0) || fits_i32(c));
                out.push(Case {
                    wat: module(f, sig, &consts, offset, shift),
                    selects,
                    params: params.clone(),
                    rows: rows(&per_operand),
                });
            }
        }
    }
    out
}

/// Shifts and constants of scaled-index addresses (`X` operands): a shift of 35 is one of 3
/// (Wasm takes shift counts modulo 32).
const SCALES: [(u32, u32); 5] = [(0, 0), (2, 1488), (3, 0xffff_fff0), (31, 0), (35, 16)];

/// Shifts and index values of element addresses (`E`, `F` operands): the index moves the base
/// by one, to the end of memory, around 2^32 (`0x1000_0000 << 4` and `0x4000_0000 << 2` wrap to
/// zero, `0xffff_ffff << 3` to minus 8), and a shift of 34 is one of 2.
const ELEMENTS: [(u32, u32); 6] = [(0, 1), (2, 0x3ff0), (4, 0x1000_0000), (2, 0x4000_0000), (3, 0xffff_ffff), (34, 3)];

/// Shift counts of shifted operands: none, one, a byte, the width less one, the width and past
/// it (Wasm takes the count modulo the width).
const SHIFTS: [u32; 7] = [0, 1, 8, 31, 32, 63, 100];

/// Constants added to a local address (`A` operands): none, small, one that wraps a high
/// address around to a low one, and one that moves a low address to the end.
const ADDS: [u32; 4] = [0, 8, 0xffff_fff8, 65530];

// ---------------------------------------------------------------------------------------------
// Running.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, PartialEq)]
enum Outcome {
    /// The results' bits (none for a store), and the memory after a store.
    Value(Vec<u64>, Option<Vec<u8>>),
    /// A trap, and the memory after a store that trapped (a store that traps writes nothing).
    Trap(TrapCode, Option<Vec<u8>>),
    Error(String),
}

/// Whether two different float results are both NaNs that Wasm's nondeterminism allows (the
/// spec's "NaN propagation"): an arithmetic operator gives a canonical NaN (any sign) when every
/// NaN among its inputs is canonical, else any arithmetic NaN (quiet bit set). Bit operators
/// (`neg`, `abs`, `copysign`), loads and stores keep NaN bits exactly. Different forms may differ
/// here: the compiler commutes the operands of the semantic functions' `+`, `*`, `min` and `max`,
/// and the processor propagates the NaN of one operand.
fn both_allowed_nans(f: &FormInfo, params: &[&str], row: &[u64], got: &Outcome, want: &Outcome) -> bool {
    let (Outcome::Value(g, None), Outcome::Value(w, None)) = (got, want) else { return false };
    let ([g], [w]) = (&g[..], &w[..]) else { return false };
    // `select` copies bits: no NaN of its may change.
    if f.family == "select" {
        return false;
    }
    let (_, result) = signature(f);
    let rest = f.op.split_once('.').unwrap().1;
    if !matches!(result, Some("f32" | "f64")) || matches!(rest, "neg" | "abs" | "copysign") {
        return false;
    }
    // A float type's (exponent, quiet bit, everything but the sign) masks.
    let masks = |ty: &str| match ty {
        "f32" => (0x7f80_0000u64, 0x40_0000u64, 0x7fff_ffffu64),
        _ => (0x7ff0_0000_0000_0000, 0x8_0000_0000_0000, 0x7fff_ffff_ffff_ffff),
    };
    let is_nan = |ty: &str, b: u64| ty.starts_with('f') && (b & masks(ty).2) > masks(ty).0;
    let canonical = |ty: &str, b: u64| (b & masks(ty).2) == masks(ty).0 | masks(ty).1;
    let arithmetic = |ty: &str, b: u64| is_nan(ty, b) && b & masks(ty).1 != 0;
    let r = result.unwrap();
    let inputs_canonical = params.iter().zip(row).all(|(ty, &b)| !is_nan(ty, b) || canonical(ty, b));
    let ok = |b: u64| if inputs_canonical { canonical(r, b) } else { arithmetic(r, b) };
    ok(*g) && ok(*w)
}

fn pattern() -> Vec<u8> {
    (0..65536u32).map(|i| (i.wrapping_mul(167).wrapping_add(13) ^ (i >> 8)) as u8).collect()
}

fn mnemonics(disassembly: &str) -> Vec<String> {
    disassembly
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(": "))
        .map(|(_, rest)| rest.split([' ', '{']).next().unwrap_or("").to_string())
        .collect()
}

fn call(store: &mut Store<()>, func: Func, args: &[Val], results: usize, mem: Option<(Memory, &[u8])>) -> Outcome {
    if let Some((m, pattern)) = mem {
        m.data_mut(&mut *store).expect("own memory").copy_from_slice(pattern);
    }
    let mut out = vec![Val::I32(0); results];
    let res = func.call(&mut *store, args, &mut out);
    let after = mem.map(|(m, _)| m.data(&*store).expect("own memory").to_vec());
    match res {
        Ok(()) => Outcome::Value(out.iter().map(bits).collect(), after),
        Err(e) => match e.as_trap() {
            Some(t) => Outcome::Trap(t.code(), after),
            None => Outcome::Error(e.to_string()),
        },
    }
}

/// What running a form found.
#[derive(Default)]
struct Report {
    /// Cases whose `form` function compiled to the form, on both backends.
    selected: usize,
    /// Argument rows compared.
    compared: usize,
    /// Rows whose results were different NaNs, both allowed.
    nans: usize,
    failures: Vec<String>,
    /// The instructions one case compiled to, when none selected the form.
    seen: Option<String>,
}

fn run_form(f: &FormInfo, engines: &[(&str, Engine)], pattern: &[u8]) -> Report {
    let mut rep = Report::default();
    let op_name = f.name.split('_').next().unwrap().trim_end_matches(f.memory_row);
    let plain_name = match f.family {
        // The reference multiplies with the all-stack form, then adds.
        "muladd" => format!("{}Mul_SS", &op_name[..3]),
        // The reference shifts in a block, then applies the operator to two stack operands.
        "shifted" => {
            format!("{}_SS", op_name.trim_end_matches("Shl").trim_end_matches("ShrU").trim_end_matches("ShrS"))
        }
        _ => format!("{op_name}_{}", "S".repeat(f.kinds.len())),
    };
    let results = results(f);
    for case in cases(f) {
        let bytes = match wat(&case.wat) {
            Ok(b) => b,
            Err(e) => {
                rep.failures.push(format!("{}: the text does not assemble ({e}):\n{}", f.name, case.wat));
                continue;
            }
        };
        let mut selected_everywhere = true;
        for (backend, engine) in engines {
            let module = match Module::new(engine, &bytes) {
                Ok(m) => m,
                Err(e) => {
                    rep.failures.push(format!("{}: module rejected ({e}):\n{}", f.name, case.wat));
                    selected_everywhere = false;
                    continue;
                }
            };
            let form_code = module.disassemble(0).expect("func 0 is defined");
            let plain_code = module.disassemble(1).expect("func 1 is defined");
            let selected = mnemonics(&form_code).iter().any(|m| m == f.name);
            selected_everywhere &= selected;
            if selected != case.selects {
                let verb = if case.selects { "does not compile to" } else { "must not compile to" };
                rep.failures
                    .push(format!("{}: on {backend}, the function {verb} it:\n{}\n{form_code}", f.name, case.wat));
            }
            if !selected && rep.seen.is_none() {
                rep.seen = Some(format!("{}\ncompiles to:\n{form_code}", case.wat));
            }
            if f.family == "latch" {
                if mnemonics(&plain_code).iter().any(|m| m.contains("_Step")) {
                    rep.failures.push(format!("{}: the reference has a latch:\n{plain_code}", f.name));
                }
            } else if !mnemonics(&plain_code).contains(&plain_name) {
                rep.failures.push(format!("{}: the reference is not {plain_name}:\n{plain_code}", f.name));
            }
            let mut store = Store::new(engine, ());
            let inst = Linker::new(engine).instantiate(&mut store, &module).expect("instantiates");
            let form = inst.get_func(&store, "form").unwrap();
            let plain = inst.get_func(&store, "plain").unwrap();
            let mem = inst.get_memory(&store, "mem").unwrap();
            mem.data_mut(&mut store).expect("own memory").copy_from_slice(pattern);
            // Another memory row's form accesses memory 1, holding the same bytes.
            let form_mem = match inst.get_memory(&store, "mem1") {
                Some(m) => {
                    m.data_mut(&mut store).expect("own memory").copy_from_slice(pattern);
                    m
                }
                None => mem,
            };
            // A store's memory is reset before each call and compared after it.
            let store_in = |m: Memory| if f.family == "store" { Some((m, pattern)) } else { None };
            for row in &case.rows {
                let args: Vec<Val> = row.iter().zip(&case.params).map(|(&b, ty)| val(ty, b)).collect();
                let got = call(&mut store, form, &args, results, store_in(form_mem));
                let want = call(&mut store, plain, &args, results, store_in(mem));
                rep.compared += 1;
                if got != want && both_allowed_nans(f, &case.params, row, &got, &want) {
                    rep.nans += 1;
                } else if got != want {
                    let show = |o: &Outcome| {
                        let changed = |m: &Option<Vec<u8>>| {
                            m.as_ref()
                                .map(|m| {
                                    let first = m.iter().zip(pattern).position(|(a, b)| a != b);
                                    format!(", memory first differs from the pattern at {first:?}")
                                })
                                .unwrap_or_default()
                        };
                        match o {
                            Outcome::Value(v, m) => format!("{v:x?}{}", changed(m)),
                            Outcome::Trap(code, m) => format!("trap {code:?}{}", changed(m)),
                            Outcome::Error(e) => format!("error {e}"),
                        }
                    };
                    rep.failures.push(format!(
                        "{}: on {backend}, args {args:?}: form gives {}, plain gives {}\n{}\n{form_code}",
                        f.name,
                        show(&got),
                        show(&want),
                        case.wat
                    ));
                    break;
                }
            }
        }
        if selected_everywhere {
            rep.selected += 1;
        }
    }
    rep
}

#[test]
fn every_form_runs_like_its_plain_operator() {
    let engines: Vec<(&str, Engine)> = [("portable", Dispatch::Portable), ("threaded", Dispatch::Threaded)]
        .into_iter()
        .map(|(name, d)| {
            let mut config = Config::new();
            config.dispatch(d).wasm_wide_arithmetic(true).wasm_multi_memory(true).wasm_memory64(true);
            (name, Engine::new(&config))
        })
        .collect();
    let pattern = pattern();
    let mut covered = 0;
    let mut compared = 0;
    let mut nans = 0;
    let mut uncovered: BTreeMap<&str, String> = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    for f in FORMS {
        let rep = run_form(f, &engines, &pattern);
        compared += rep.compared;
        nans += rep.nans;
        if rep.selected == 0 {
            uncovered.insert(f.name, rep.seen.unwrap_or_default());
        } else if rep.failures.is_empty() {
            covered += 1;
        }
        // At most two messages per form: the first ones say enough.
        failures.extend(rep.failures.into_iter().take(2));
    }
    eprintln!(
        "forms covered: {covered} of {} ({compared} calls compared with the plain form, both backends \
         counted; {nans} gave different NaNs, both allowed)",
        FORMS.len()
    );
    for (name, seen) in &uncovered {
        eprintln!("not reached: {name}; for example\n{seen}");
    }
    for msg in failures.iter().take(40) {
        eprintln!("FAIL {msg}");
    }
    assert!(
        uncovered.is_empty() && failures.is_empty(),
        "{} of {} forms not reached ({}), {} failures",
        uncovered.len(),
        FORMS.len(),
        uncovered.keys().copied().collect::<Vec<_>>().join(", "),
        failures.len()
    );
    assert_eq!(covered, FORMS.len());
}

/// The instructions of typed function references, which are not forms of a numeric operator:
/// each function compiles to its instruction (by disassembly) and gives, on both backends, plain
/// and with fuel and interruption on, what the spec says (`br_on_null` branches on null and
/// drops it, `br_on_non_null` branches with the reference, `ref.as_non_null` and `call_ref`
/// trap on null).
#[test]
fn every_reference_instruction_runs_on_both_backends() {
    const SRC: &str = r#"(module
  (type $t (func (param i32) (result i32)))
  (table $tab 2 funcref)
  (elem (table $tab) (i32.const 0) func $inc)
  (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))
  ;; The reference in slot 0 of the table, or null for any other index.
  (func $at (param $i i32) (result (ref null $t))
    (if (result (ref null $t)) (local.get $i)
      (then (ref.null $t))
      (else (ref.func $inc))))
  (elem declare func $inc)
  (func (export "call_ref") (param $i i32) (param $x i32) (result i32)
    (call_ref $t (local.get $x) (call $at (local.get $i))))
  (func (export "return_call_ref") (param $i i32) (param $x i32) (result i32)
    (return_call_ref $t (local.get $x) (call $at (local.get $i))))
  (func (export "ref_as_non_null") (param $i i32) (param $x i32) (result i32)
    (call_ref $t (local.get $x) (ref.as_non_null (call $at (local.get $i)))))
  ;; 100 - x for null (the value below the label's dropped); the reference called otherwise.
  (func (export "br_on_null") (param $i i32) (param $x i32) (result i32)
    (i32.const 100)
    (block $null (result i32)
      (i32.const 7) (local.get $x)
      (br_on_null $null (call $at (local.get $i)))
      (call_ref $t)
      (return))
    (i32.sub))
  ;; At the label, x and the reference (5 dropped below them), called and added to 100; 1005
  ;; when it is null.
  (func (export "br_on_non_null") (param $i i32) (param $x i32) (result i32)
    (i32.const 100)
    (block $some (result i32 (ref $t))
      (i32.const 5)
      (local.get $x)
      (br_on_non_null $some (call $at (local.get $i)))
      (drop)
      (return (i32.add (i32.const 1000))))
    (call_ref $t)
    (i32.add)))"#;
    let mut engines = Vec::new();
    for d in [Dispatch::Portable, Dispatch::Threaded] {
        for instrumented in [false, true] {
            let mut config = Config::new();
            config.dispatch(d).wasm_tail_call(true).wasm_function_references(true);
            config.consume_fuel(instrumented).interruptible(instrumented);
            engines.push((format!("{d:?}, fuel and interruption: {instrumented}"), instrumented, Engine::new(&config)));
        }
    }
    let bytes = wat(SRC).expect("assembles");
    let null = Some(TrapCode::NullFunctionReference);
    // (export, its function index, the instruction, [(index, x) -> result or trap]).
    type Outcomes = [((i32, i32), Result<i32, Option<TrapCode>>); 2];
    let cases: [(&str, u32, &str, Outcomes); 5] = [
        ("call_ref", 2, "CallRef", [((0, 41), Ok(42)), ((1, 41), Err(null))]),
        ("return_call_ref", 3, "ReturnCallRef", [((0, 9), Ok(10)), ((1, 9), Err(null))]),
        ("ref_as_non_null", 4, "RefAsNonNull", [((0, 1), Ok(2)), ((1, 1), Err(Some(TrapCode::NullReference)))]),
        ("br_on_null", 5, "BrOnNull", [((0, 3), Ok(4)), ((1, 3), Ok(97))]),
        ("br_on_non_null", 6, "BrOnNonNull", [((0, 3), Ok(104)), ((1, 3), Ok(1005))]),
    ];
    for (name, instrumented, engine) in &engines {
        let module = Module::new(engine, &bytes).expect("compiles");
        let mut store = Store::new(engine, ());
        if *instrumented {
            store.set_fuel(1_000_000).unwrap();
        }
        let inst = Linker::new(engine).instantiate(&mut store, &module).expect("instantiates");
        for (export, index, instr, rows) in &cases {
            let code = module.disassemble(*index).expect("defined");
            assert!(mnemonics(&code).iter().any(|m| m == instr), "{name}: {export} is not {instr}:\n{code}");
            let f = inst.get_typed_func::<(i32, i32), i32>(&store, export).unwrap();
            for (args, want) in rows {
                let got = f.call(&mut store, *args).map_err(|e| e.as_trap().map(|t| t.code()));
                assert_eq!(&got, want, "{name}: {export}{args:?}");
            }
        }
    }
    assert_eq!(TrapCode::NullReference.message(), "null reference");
}

/// A SIMD operand type's values: `v128`s with integer, float and NaN lanes and lane indices
/// below and above 16 (for swizzles), and scalars at the edges.
fn simd_values(ty: &str) -> Vec<Val> {
    match ty {
        "v128" => [
            0u128,
            u128::MAX,
            0x8000_0000_7fff_ffff_0000_0001_ffff_fffe,
            // f32 lanes: NaN, -inf, a signalling NaN, 1.0.
            0x7fc0_0000_ff80_0000_7f80_0001_3f80_0000,
            // f64 lanes: a NaN with payload, -2.0.
            0x7ff8_0000_0000_0001_c000_0000_0000_0000,
            0x1f0e_2d0c_0b8a_0908_0706_0504_0302_0100,
        ]
        .map(Val::V128)
        .to_vec(),
        "i32" => [0, 1, -1, i32::MIN, 33].map(Val::I32).to_vec(),
        "i64" => [0, 1, -1, i64::MIN].map(Val::I64).to_vec(),
        "f32" => [0.0f32, -1.5, f32::NAN].map(|f| Val::F32(f.to_bits())).to_vec(),
        "f64" => [0.0f64, -1.5, f64::NAN].map(|f| Val::F64(f.to_bits())).to_vec(),
        other => panic!("no values for {other}"),
    }
}

/// Every SIMD form (one per operator, all operands from the stack; memory access on each
/// memory row; the generator's operand-kind forms) is reached from Wasm (checked by
/// disassembly) and gives the same results and traps on both backends, plain and with fuel
/// and interruption, over edge values and addresses at both ends of memory; a form of another
/// memory row than memory 0's 32-bit one gives what memory 0's form gives on the same bytes,
/// and traps for every address of 4 GiB or more; an operand-kind form gives what its
/// operator's stack form gives. What the results must be is the spec suites' business (`spec-tests`'s
/// `simd_on_every_backend_and_variant` runs them all on the same four engines).
#[test]
fn every_simd_form_is_reached_and_agrees_on_every_backend() {
    let engines: Vec<(Engine, bool)> = [Dispatch::Portable, Dispatch::Threaded]
        .into_iter()
        .flat_map(|d| [(d, false), (d, true)])
        .map(|(d, instrumented)| {
            let mut config = Config::new();
            config.dispatch(d).wasm_simd(true).wasm_relaxed_simd(true);
            config.wasm_multi_memory(true).wasm_memory64(true);
            config.consume_fuel(instrumented).interruptible(instrumented);
            (Engine::new(&config), instrumented)
        })
        .collect();
    let pattern = pattern();
    let mut failures = Vec::new();
    let mut calls = 0;
    for f in wisp::isa::SIMD_FORMS {
        let (text, params, _) = common::simd_module(f);
        let bytes = wat(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", f.name));
        let mut rows: Vec<Vec<Val>> = vec![vec![]];
        for (i, p) in params.iter().enumerate() {
            // Addresses: in bounds at both ends, one whose access ends past memory, and for a
            // 64-bit memory, some that are not below 4 GiB.
            let values = match *p {
                "i32" if i == 0 && f.sig.contains("load") || f.sig.starts_with("store") => {
                    [0, 1, 65536 - 19, 65536 - 4].map(Val::I32).to_vec()
                }
                "i64" if i == 0 && f.memory_row == "Mem64" => {
                    [0, 1, 65536 - 19, 65536 - 4, 1 << 32, (1 << 32) + 1, -1].map(Val::I64).to_vec()
                }
                _ => simd_values(p),
            };
            rows = rows.iter().flat_map(|r| values.iter().map(move |v| [&r[..], &[*v]].concat())).collect();
        }
        let mut outcomes: Vec<Vec<String>> = Vec::new();
        for (engine, instrumented) in &engines {
            let module = Module::new(engine, &bytes).unwrap_or_else(|e| panic!("{}: {e}", f.name));
            let code = module.disassemble(0).expect("func 0 is defined");
            if !mnemonics(&code).iter().any(|m| m == f.name) {
                failures.push(format!("{} not reached:\n{code}", f.name));
            }
            let mut store = Store::new(engine, ());
            if *instrumented {
                store.set_fuel(u64::MAX).expect("fuel on");
            }
            let instance = Linker::new(engine).instantiate(&mut store, &module).expect("instantiates");
            let func = instance.get_func(&store, "f").expect("exported");
            let plain = instance.get_func(&store, "plain");
            let memories: Vec<Memory> =
                ["memory", "memory1"].iter().filter_map(|m| instance.get_memory(&store, m)).collect();
            let mut seen = Vec::new();
            for row in &rows {
                let mut run = |func: Func, store: &mut Store<()>| {
                    for m in &memories {
                        m.data_mut(&mut *store).expect("own memory").copy_from_slice(&pattern);
                    }
                    let mut out = [Val::I32(0)];
                    let res = func.call(&mut *store, row, &mut out);
                    calls += 1;
                    match res {
                        Ok(()) => format!("{:?}", out[0]),
                        Err(e) => format!("{:?}", e.as_trap().map(|t| t.code())),
                    }
                };
                let got = run(func, &mut store);
                if let Some(plain) = plain {
                    let high = matches!(row.first(), Some(Val::I64(a)) if *a as u64 >= 1 << 32);
                    let want =
                        if high { format!("{:?}", Some(TrapCode::MemoryOutOfBounds)) } else { run(plain, &mut store) };
                    if got != want {
                        failures.push(format!("{} on {row:?}: {got}, memory 0's form gives {want}", f.name));
                    }
                }
                seen.push(got);
            }
            outcomes.push(seen);
        }
        // A form with operands or its result outside the stack gives what the operator's stack
        // form gives (the spec suites' form) on the same operands.
        if !f.kinds.is_empty() {
            let stack = wisp::isa::SIMD_FORMS
                .iter()
                .find(|g| g.op == f.op && g.kinds.is_empty() && g.memory_row.is_empty())
                .expect("every SIMD operator has its stack form");
            let (text, _, _) = common::simd_module(stack);
            let (engine, _) = &engines[0];
            let module = Module::new(engine, wat(&text).expect("the stack form's module")).expect("compiles");
            let mut store = Store::new(engine, ());
            let instance = Linker::new(engine).instantiate(&mut store, &module).expect("instantiates");
            let func = instance.get_func(&store, "f").expect("exported");
            let memory = instance.get_memory(&store, "memory").expect("exported");
            for (row, got) in rows.iter().zip(&outcomes[0]) {
                memory.data_mut(&mut store).expect("own memory").copy_from_slice(&pattern);
                let mut out = [Val::I32(0)];
                // The `A` form's address is the parameter plus 5.
                let row: Vec<Val> = match (f.kinds.starts_with('A'), &row[..]) {
                    (true, [Val::I32(a), rest @ ..]) => [&[Val::I32(a.wrapping_add(5))], rest].concat(),
                    _ => row.clone(),
                };
                let want = match func.call(&mut store, &row, &mut out) {
                    Ok(()) => format!("{:?}", out[0]),
                    Err(e) => format!("{:?}", e.as_trap().map(|t| t.code())),
                };
                if *got != want {
                    failures.push(format!("{} on {row:?}: {got}, the stack form {} gives {want}", f.name, stack.name));
                }
            }
        }
        for (i, o) in outcomes.iter().enumerate().skip(1) {
            if *o != outcomes[0] {
                failures.push(format!(
                    "{}: engine {i} differs from the portable one: {:?} vs {:?}",
                    f.name, o, outcomes[0]
                ));
            }
        }
    }
    let kinds = wisp::isa::SIMD_FORMS.iter().filter(|f| !f.kinds.is_empty()).count();
    eprintln!(
        "SIMD forms: {} ({kinds} with operands or results in locals; {calls} calls)",
        wisp::isa::SIMD_FORMS.len()
    );
    assert!(kinds > 0, "the operand-kind forms are walked too");
    assert!(failures.is_empty(), "{}", failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n"));
}
