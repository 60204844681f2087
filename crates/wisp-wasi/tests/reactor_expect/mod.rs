//! An interpreter of the fixtures' expectation format (`fixtures/go/README.md`, "Expectation
//! format") that drives every instance through `wisp_wasi::GoReactor` and wisp's reactor and
//! memory helpers, so the fixtures test those helpers as well as the engine.
//!
//! Beyond what `expected.txt` states, it checks the helpers' own promises on the way:
//! - an export requested through the helpers before `_initialize` is refused (nothing runs);
//! - a trap whose stderr holds `panic: ` comes back as `ReactorError::Panic` with that text;
//! - after a trap or an exit, the next call is refused as "instance is dead".

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use wisp::{Engine, Module, TrapCode, Val, ValType};
use wisp_wasi::{GoReactor, Pipe, ReactorError, Stdio, WasiCtx};

/// The workspace's `fixtures/` directory.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// A token of a directive line.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Bare(String),
    Str(Vec<u8>),
}

fn lex(line: &str) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c == ' ' || c == '\t' {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut bytes = Vec::new();
            let mut closed = false;
            while let Some((_, c)) = chars.next() {
                match c {
                    '"' => {
                        closed = true;
                        break;
                    }
                    '\\' => {
                        let (_, e) = chars.next().ok_or("dangling backslash")?;
                        match e {
                            '\\' => bytes.push(b'\\'),
                            '"' => bytes.push(b'"'),
                            'n' => bytes.push(b'\n'),
                            't' => bytes.push(b'\t'),
                            'r' => bytes.push(b'\r'),
                            '0' => bytes.push(0),
                            'x' => {
                                let hi = chars.next().map(|(_, c)| c);
                                let lo = chars.next().map(|(_, c)| c);
                                let (Some(hi), Some(lo)) = (hi, lo) else {
                                    return Err("short \\x escape".into());
                                };
                                let h: String = [hi, lo].iter().collect();
                                bytes.push(u8::from_str_radix(&h, 16).map_err(|_| format!("bad \\x escape `\\x{h}`"))?);
                            }
                            other => return Err(format!("unknown escape `\\{other}`")),
                        }
                    }
                    c => {
                        let mut buf = [0; 4];
                        bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    }
                }
            }
            if !closed {
                return Err("unterminated string".into());
            }
            toks.push(Tok::Str(bytes));
        } else {
            let mut end = line.len();
            while let Some(&(i, c)) = chars.peek() {
                if c == ' ' || c == '\t' {
                    end = i;
                    break;
                }
                chars.next();
            }
            toks.push(Tok::Bare(line[start..end].to_string()));
        }
    }
    Ok(toks)
}

fn bare(t: Option<&Tok>) -> Result<&str, String> {
    match t {
        Some(Tok::Bare(s)) => Ok(s),
        Some(Tok::Str(s)) => Err(format!("expected a word, found string {:?}", String::from_utf8_lossy(s))),
        None => Err("missing operand".into()),
    }
}

fn string(t: Option<&Tok>) -> Result<&[u8], String> {
    match t {
        Some(Tok::Str(s)) => Ok(s),
        Some(Tok::Bare(w)) => Err(format!("expected a string, found `{w}`")),
        None => Err("missing string operand".into()),
    }
}

fn strings(toks: &[Tok]) -> Result<Vec<Vec<u8>>, String> {
    toks.iter().map(|t| string(Some(t)).map(<[u8]>::to_vec)).collect()
}

fn hex(s: &[u8]) -> Result<Vec<u8>, String> {
    let s = std::str::from_utf8(s).map_err(|_| "hex string is not ASCII")?;
    if s.len() % 2 != 0 {
        return Err(format!("odd-length hex string `{s}`"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|_| format!("bad hex `{s}`")))
        .collect()
}

#[derive(Debug, Clone)]
enum Preopen {
    Dir { guest: String, host: PathBuf },
    Tmp { guest: String },
}

/// The configuration directives in force for a scenario.
#[derive(Debug, Clone, Default)]
struct Config {
    modules: Vec<PathBuf>,
    command: bool,
    args: Vec<Vec<u8>>,
    env: Vec<Vec<u8>>,
    stdin: Vec<u8>,
    preopens: Vec<Preopen>,
}

#[derive(Debug, Clone)]
struct Step {
    line: usize,
    text: String,
    toks: Vec<Tok>,
}

#[derive(Debug, Clone)]
struct Scenario {
    name: String,
    config: Config,
    steps: Vec<Step>,
}

fn parse(path: &Path) -> Result<Vec<Scenario>, String> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut config = Config::default();
    let mut scenarios: Vec<Scenario> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let at = |e: String| format!("{}:{line}: {e}", path.display());
        let toks = lex(trimmed).map_err(at)?;
        let head = bare(toks.first()).map_err(at)?.to_string();
        let rest = &toks[1..];
        match head.as_str() {
            "module" => {
                config.modules =
                    rest.iter().map(|t| bare(Some(t)).map(|p| dir.join(p))).collect::<Result<_, _>>().map_err(at)?;
            }
            "kind" => {
                config.command = match bare(rest.first()).map_err(at)? {
                    "command" => true,
                    "reactor" => false,
                    k => return Err(at(format!("unknown kind `{k}`"))),
                }
            }
            "args" => config.args = strings(rest).map_err(at)?,
            "env" => config.env = strings(rest).map_err(at)?,
            "stdin" => config.stdin = string(rest.first()).map_err(at)?.to_vec(),
            "preopen" => {
                let guest = string(rest.first()).map_err(at)?;
                let host = string(rest.get(1)).map_err(at)?;
                config.preopens.push(Preopen::Dir {
                    guest: String::from_utf8_lossy(guest).into_owned(),
                    host: dir.join(String::from_utf8_lossy(host).as_ref()),
                });
            }
            "preopen-tmp" => {
                let guest = string(rest.first()).map_err(at)?;
                config.preopens.push(Preopen::Tmp { guest: String::from_utf8_lossy(guest).into_owned() });
            }
            "scenario" => scenarios.push(Scenario {
                name: bare(rest.first()).map_err(at)?.to_string(),
                config: config.clone(),
                steps: Vec::new(),
            }),
            _ => {
                let s = scenarios.last_mut().ok_or_else(|| at(format!("step `{head}` outside a scenario")))?;
                s.steps.push(Step { line, text: trimmed.to_string(), toks });
            }
        }
    }
    Ok(scenarios)
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> std::io::Result<TempDir> {
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "wisp-reactor-expect-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p)?;
        Ok(TempDir(p))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What running the expectations covered.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    /// Scenario runs (a scenario runs once per listed module).
    pub runs: usize,
    /// Steps executed, all runs together.
    pub steps: usize,
    /// `call` steps among them.
    pub calls: usize,
}

/// Runs the scenarios of `expected` (all, or those named in `only`) and returns what ran,
/// or every failure, each with file, line and module.
pub fn run_expected(engine: &Engine, expected: &Path, only: Option<&[&str]>) -> Result<Tally, Vec<String>> {
    run_expected_as(engine, expected, only, false)
}

/// [`run_expected`] with every reactor scenario that starts with `call _initialize => void`
/// run on a clone of a template (`GoReactorPre`) instead: the template runs `_initialize` with
/// the scenario's WASI configuration, the clone gets a fresh context (the scenario's stdin) and
/// the `_initialize` step is the helper's no-op. What the template's `_initialize` printed is
/// expected before the clone's own output. Other scenarios (commands, calls before
/// `_initialize`) are skipped; `Tally::runs` counts the ones that ran.
pub fn run_expected_from_template(
    engine: &Engine,
    expected: &Path,
    only: Option<&[&str]>,
) -> Result<Tally, Vec<String>> {
    run_expected_as(engine, expected, only, true)
}

fn starts_initialized(sc: &Scenario) -> bool {
    let first_call = sc.steps.iter().find(|s| matches!(s.toks.first(), Some(Tok::Bare(b)) if b == "call"));
    !sc.config.command
        && first_call.is_some_and(|s| {
            s.toks.iter().map(|t| bare(Some(t)).unwrap_or("")).collect::<Vec<_>>()
                == ["call", "_initialize", "=>", "void"]
        })
}

fn run_expected_as(
    engine: &Engine,
    expected: &Path,
    only: Option<&[&str]>,
    template: bool,
) -> Result<Tally, Vec<String>> {
    let scenarios = parse(expected).map_err(|e| vec![e])?;
    let mut modules: HashMap<PathBuf, Module> = HashMap::new();
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for sc in &scenarios {
        if only.is_some_and(|o| !o.contains(&sc.name.as_str())) {
            continue;
        }
        if template && !starts_initialized(sc) {
            continue;
        }
        if sc.config.modules.is_empty() {
            failures.push(format!("{}: scenario {} has no module", expected.display(), sc.name));
        }
        for path in &sc.config.modules {
            let module = match modules.get(path) {
                Some(m) => m.clone(),
                None => match std::fs::read(path)
                    .map_err(|e| e.to_string())
                    .and_then(|b| Module::new(engine, b).map_err(|e| e.to_string()))
                {
                    Ok(m) => {
                        modules.insert(path.clone(), m.clone());
                        m
                    }
                    Err(e) => {
                        failures.push(format!("{}: {e}", path.display()));
                        continue;
                    }
                },
            };
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            let mut run = Run::new(expected, &name, sc);
            run.template = template;
            match run.go(engine, &module) {
                Ok(()) => {
                    tally.runs += 1;
                    tally.steps += run.steps;
                    tally.calls += run.calls;
                }
                Err(e) => failures.push(e),
            }
        }
    }
    if failures.is_empty() {
        Ok(tally)
    } else {
        Err(failures)
    }
}

/// One scenario on one module.
struct Run<'a> {
    file: &'a Path,
    module_name: &'a str,
    scenario: &'a Scenario,
    vars: HashMap<String, u64>,
    initialized: bool,
    finished: bool,
    /// Run on a template's clone (see [`run_expected_from_template`]).
    template: bool,
    /// What the template's `_initialize` wrote: (stdout, stderr), expected first.
    init_output: (Vec<u8>, Vec<u8>),
    steps: usize,
    calls: usize,
}

enum Expect {
    Void,
    Value(ValType, Option<u64>),
    Bind(ValType, String),
    Trap(Option<&'static [TrapCode]>),
    Exit(i32),
}

fn valtype(s: &str) -> Result<ValType, String> {
    Ok(match s {
        "i32" => ValType::I32,
        "i64" => ValType::I64,
        "f32" => ValType::F32,
        "f64" => ValType::F64,
        _ => return Err(format!("unknown value type `{s}`")),
    })
}

fn trap_codes(kind: &str) -> Result<&'static [TrapCode], String> {
    Ok(match kind {
        "unreachable" => &[TrapCode::Unreachable],
        "out-of-bounds" => &[TrapCode::MemoryOutOfBounds],
        "table-out-of-bounds" => &[TrapCode::TableOutOfBounds, TrapCode::UndefinedElement],
        "indirect-call-null" => &[TrapCode::IndirectCallToNull, TrapCode::UninitializedElement],
        "indirect-call-type" => &[TrapCode::BadSignature],
        "int-overflow" => &[TrapCode::IntegerOverflow],
        "div-by-zero" => &[TrapCode::IntegerDivideByZero],
        "invalid-conversion" => &[TrapCode::BadConversionToInteger],
        "stack-exhausted" => &[TrapCode::StackOverflow],
        _ => return Err(format!("unknown trap kind `{kind}`")),
    })
}

fn parse_int(s: &str) -> Result<u64, String> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s),
    };
    let v = match digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16),
        None => digits.parse::<u64>(),
    }
    .map_err(|_| format!("bad integer `{s}`"))?;
    Ok(if neg { v.wrapping_neg() } else { v })
}

impl<'a> Run<'a> {
    fn new(file: &'a Path, module_name: &'a str, scenario: &'a Scenario) -> Self {
        Run {
            file,
            module_name,
            scenario,
            vars: HashMap::new(),
            initialized: false,
            template: false,
            init_output: (Vec::new(), Vec::new()),
            finished: false,
            steps: 0,
            calls: 0,
        }
    }

    /// `$name`, `$name.ptr`, `$name.len`, each with an optional `+N`; or a plain number.
    fn int(&self, s: &str) -> Result<u64, String> {
        let Some(var) = s.strip_prefix('$') else {
            return parse_int(s);
        };
        let (var, add) = match var.split_once('+') {
            Some((v, n)) => (v, parse_int(n)?),
            None => (var, 0),
        };
        let (name, part) = match var.rsplit_once('.') {
            Some((n, p @ ("ptr" | "len"))) => (n, Some(p)),
            _ => (var, None),
        };
        let v = *self.vars.get(name).ok_or_else(|| format!("unbound variable `${name}`"))?;
        let v = match part {
            Some("ptr") => v >> 32,
            Some(_) => v & 0xFFFF_FFFF,
            None => v,
        };
        Ok(v.wrapping_add(add))
    }

    fn addr(&self, t: Option<&Tok>) -> Result<u32, String> {
        let v = self.int(bare(t)?)?;
        u32::try_from(v).map_err(|_| format!("address {v:#x} does not fit 32 bits"))
    }

    /// `TYPE:VALUE` as a `Val`.
    fn arg(&self, tok: &str) -> Result<Val, String> {
        let (ty, v) = tok.split_once(':').ok_or_else(|| format!("argument `{tok}` is not TYPE:VALUE"))?;
        Ok(match valtype(ty)? {
            ValType::I32 => Val::I32(self.int(v)? as u32 as i32),
            ValType::I64 => Val::I64(self.int(v)? as i64),
            // `nan` as an argument: the canonical quiet NaN.
            ValType::F32 => Val::F32(float_bits(v, true)?.unwrap_or(0x7FC0_0000) as u32),
            _ => Val::F64(float_bits(v, false)?.unwrap_or(0x7FF8_0000_0000_0000)),
        })
    }

    fn expect(&self, toks: &[Tok]) -> Result<Expect, String> {
        let first = bare(toks.first())?;
        Ok(match first {
            "void" => Expect::Void,
            "trap" => match toks.get(1) {
                None => Expect::Trap(None),
                Some(t) => Expect::Trap(Some(trap_codes(bare(Some(t))?)?)),
            },
            "exit" => Expect::Exit(self.int(bare(toks.get(1))?)? as u32 as i32),
            typed => {
                let (ty, v) = typed.split_once(':').ok_or_else(|| format!("bad result `{typed}`"))?;
                let ty = valtype(ty)?;
                if let Some(name) = v.strip_prefix('$') {
                    Expect::Bind(ty, name.to_string())
                } else {
                    let bits = match ty {
                        ValType::I32 => Some(self.int(v)? & 0xFFFF_FFFF),
                        ValType::I64 => Some(self.int(v)?),
                        ValType::F32 => float_bits(v, true)?,
                        _ => float_bits(v, false)?,
                    };
                    Expect::Value(ty, bits)
                }
            }
        })
    }

    fn go(&mut self, engine: &Engine, module: &Module) -> Result<(), String> {
        let sc = self.scenario;
        let where_ = format!("{} [{} on {}]", self.file.display(), sc.name, self.module_name);
        let mut tmps = Vec::new();
        let mut wasi = WasiCtx::builder()
            .args(&sc.config.args)
            .env_entries(&sc.config.env)
            .stdin(Stdio::Pipe(Pipe::from_bytes(sc.config.stdin.clone())));
        for p in &sc.config.preopens {
            wasi = match p {
                Preopen::Dir { guest, host } => wasi.preopened_dir_read_only(host, guest.clone()),
                Preopen::Tmp { guest } => {
                    let t = TempDir::new().map_err(|e| format!("{where_}: temp dir: {e}"))?;
                    let w = wasi.preopened_dir(&t.0, guest.clone());
                    tmps.push(t);
                    w
                }
            }
            .map_err(|e| format!("{where_}: preopen: {e}"))?;
        }
        let mut go = if self.template {
            let builder = GoReactor::builder().wasi(wasi).capture_stdout(true).forward_stderr(false);
            let pre = builder.pre(engine, module).map_err(|e| format!("{where_}: template: {e}"))?;
            self.init_output = (pre.init_stdout().unwrap_or_default().to_vec(), pre.init_stderr().to_vec());
            let ctx = WasiCtx::builder().stdin(Stdio::Pipe(Pipe::from_bytes(sc.config.stdin.clone()))).build();
            pre.instantiate(wisp::Store::new(engine, ctx)).map_err(|e| format!("{where_}: clone: {e}"))?
        } else {
            GoReactor::builder()
                .wasi(wasi)
                .capture_stdout(true)
                .forward_stderr(false)
                .initialize(false)
                .instantiate(engine, module)
                .map_err(|e| format!("{where_}: instantiation: {e}"))?
        };
        for step in &sc.steps {
            self.steps += 1;
            self.step(&mut go, step).map_err(|e| {
                format!(
                    "{}:{}: [{} on {}] `{}`: {e}\n  stderr so far: {:?}",
                    self.file.display(),
                    step.line,
                    sc.name,
                    self.module_name,
                    step.text,
                    String::from_utf8_lossy(&go.stderr())
                )
            })?;
        }
        drop(go);
        drop(tmps);
        Ok(())
    }

    fn step(&mut self, go: &mut GoReactor, step: &Step) -> Result<(), String> {
        let toks = &step.toks;
        let op = bare(toks.first())?;
        let memory = go.memory();
        match op {
            "call" => self.call(go, &toks[1..]),
            "write" | "write-hex" => {
                let at = self.addr(toks.get(1))?;
                let s = string(toks.get(2))?;
                let bytes = if op == "write" { s.to_vec() } else { hex(s)? };
                memory.write_bytes(go.store_mut(), at, &bytes).map_err(|e| e.to_string())
            }
            "expect-mem" | "expect-mem-hex" => {
                let at = self.addr(toks.get(1))?;
                let s = string(toks.get(2))?;
                let want = if op == "expect-mem" { s.to_vec() } else { hex(s)? };
                let got = memory.read_bytes(go.store(), at, want.len() as u32).map_err(|e| e.to_string())?;
                same_bytes(&got, &want)
            }
            "expect-packed" => {
                let packed = self.int(bare(toks.get(1))?)?;
                let want = string(toks.get(2))?;
                let got = memory.read_packed(go.store(), packed).map_err(|e| e.to_string())?;
                same_bytes(&got, want)
            }
            "stdout" | "stderr" | "stdout-contains" | "stderr-contains" | "stdout-file" | "stderr-file" => {
                let got =
                    if op.starts_with("stdout") { go.stdout().ok_or("stdout is not captured")? } else { go.stderr() };
                let before = if op.starts_with("stdout") { &self.init_output.0 } else { &self.init_output.1 };
                let got = [&before[..], &got[..]].concat();
                // README: `stdout-file "PATH"`; wasi_tour writes the path bare, so take both.
                let arg = match toks.get(1) {
                    Some(Tok::Bare(p)) if op.ends_with("-file") => p.as_bytes(),
                    t => string(t)?,
                };
                if op.ends_with("-contains") {
                    if contains(&got, arg) {
                        Ok(())
                    } else {
                        Err(format!(
                            "output {:?} does not contain {:?}",
                            String::from_utf8_lossy(&got),
                            String::from_utf8_lossy(arg)
                        ))
                    }
                } else if op.ends_with("-file") {
                    let dir = self.file.parent().unwrap_or(Path::new("."));
                    let path = dir.join(String::from_utf8_lossy(arg).as_ref());
                    let want = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                    same_bytes(&got, &want)
                } else {
                    same_bytes(&got, arg)
                }
            }
            other => Err(format!("unknown step `{other}`")),
        }
    }

    fn call(&mut self, go: &mut GoReactor, toks: &[Tok]) -> Result<(), String> {
        if self.finished {
            return Err("a call after the instance finished (trap or exit)".into());
        }
        self.calls += 1;
        let name = bare(toks.first())?.to_string();
        let arrow = toks.iter().position(|t| *t == Tok::Bare("=>".into())).ok_or("call without `=>`")?;
        let params = toks[1..arrow].iter().map(|t| self.arg(bare(Some(t))?)).collect::<Result<Vec<Val>, String>>()?;
        let expect = self.expect(&toks[arrow + 1..])?;

        let instance = go.instance();
        let func = instance.get_func(go.store(), &name).ok_or_else(|| format!("no exported function `{name}`"))?;
        let ty = func.ty(go.store()).map_err(|e| e.to_string())?;
        let want_params: Vec<ValType> = params.iter().map(Val::ty).collect();
        if ty.params() != want_params.as_slice() {
            return Err(format!("`{name}` has type {ty}; the step passes {want_params:?}"));
        }
        let mut results: Vec<Val> = ty.results().iter().map(|&t| Val::default_for(t)).collect();

        let exports_init = instance.get_func(go.store(), wisp::INITIALIZE).is_some();
        let outcome = if name == wisp::INITIALIZE {
            // The helper's own path: runs `_initialize` once and remembers it.
            let r = go.initialize();
            if r.is_ok() {
                self.initialized = true;
                // A second initialization is a no-op, not a second `_initialize`.
                go.initialize().map_err(|e| format!("second initialize_reactor failed: {e}"))?;
            }
            r
        } else if self.initialized || !exports_init {
            // The helper's checked path: looks the export up through `reactor_func`.
            go.call_vals(&name, &params, &mut results)
        } else {
            // Too early for the helpers: they must refuse without running anything...
            match go.call_vals(&name, &params, &mut results) {
                Err(ReactorError::Wasm(wisp::Error::Usage(m))) if m.contains("before `_initialize`") => {}
                other => return Err(format!("the helper did not refuse a call before `_initialize`: {other:?}")),
            }
            // ...and the raw export shows what the guest itself does.
            go.guard(|store, _| func.call(store, &params, &mut results))
        };

        let is_start = name == wisp::START;
        match (outcome, expect) {
            (Ok(()), Expect::Void) if results.is_empty() => Ok(()),
            (Ok(()), Expect::Exit(0)) if is_start && results.is_empty() => {
                self.finished = true;
                Ok(())
            }
            (Ok(()), Expect::Value(t, bits)) if results.len() == 1 && results[0].ty() == t => {
                let got = bits_of(results[0]);
                let ok = match bits {
                    Some(b) => got == b,
                    None => is_nan(results[0]),
                };
                if ok {
                    Ok(())
                } else {
                    Err(format!("returned {:?}, expected {:#x}", results[0], bits.unwrap_or(0)))
                }
            }
            (Ok(()), Expect::Bind(t, var)) if results.len() == 1 && results[0].ty() == t => {
                self.vars.insert(var, bits_of(results[0]));
                Ok(())
            }
            (Err(e), Expect::Trap(kinds)) => {
                let (trap, stderr) = match &e {
                    ReactorError::Panic { trap, stderr, message } => {
                        if message.is_empty() {
                            return Err("a Go panic with an empty message".into());
                        }
                        (trap, stderr)
                    }
                    ReactorError::Trap { trap, stderr } => {
                        if wisp_wasi::go_panic_message(stderr).is_some() {
                            return Err(format!("a panic reported as a bare trap: {e:?}"));
                        }
                        (trap, stderr)
                    }
                    other => return Err(format!("expected a trap, got: {other}")),
                };
                let _ = stderr;
                if let Some(kinds) = kinds {
                    if !kinds.contains(&trap.code()) {
                        return Err(format!("trapped with {:?}, expected {kinds:?}", trap.code()));
                    }
                }
                self.finish(go, &name, &params)
            }
            (Err(ReactorError::Exit(code)), Expect::Exit(want)) => {
                if code != want {
                    return Err(format!("exited with {code}, expected {want}"));
                }
                self.finish(go, &name, &params)
            }
            (Ok(()), _) => Err(format!("returned {results:?}, expected something else")),
            (Err(e), _) => Err(format!("failed: {e}")),
        }
    }

    /// After a trap or an exit: the instance must be dead, and refuse the next call.
    fn finish(&mut self, go: &mut GoReactor, name: &str, params: &[Val]) -> Result<(), String> {
        self.finished = true;
        if !go.is_dead() {
            return Err("the instance is not marked dead after a trap or exit".into());
        }
        let mut results = vec![Val::I32(0); 16];
        let f = go.instance().get_func(go.store(), name);
        let n = f.map_or(0, |f| f.ty(go.store()).map_or(0, |t| t.results().len()));
        match go.guard(|store, inst| match inst.get_func(&*store, name) {
            Some(f) => f.call(store, params, &mut results[..n]),
            None => Ok(()),
        }) {
            Err(ReactorError::Dead(_)) => {}
            other => return Err(format!("a call on the dead instance was not refused: {other:?}")),
        }
        // Bypassing the reactor type, the engine itself refuses to enter the instance.
        if let Some(f) = f {
            match f.call(go.store_mut(), params, &mut results[..n]) {
                Err(wisp::Error::Dead(_)) => {}
                other => return Err(format!("the engine entered a dead instance: {other:?}")),
            }
        }
        Ok(())
    }
}

fn bits_of(v: Val) -> u64 {
    match v {
        Val::I32(x) => x as u32 as u64,
        Val::I64(x) => x as u64,
        Val::F32(b) => b as u64,
        Val::F64(b) => b,
        _ => 0,
    }
}

fn is_nan(v: Val) -> bool {
    match v {
        Val::F32(b) => f32::from_bits(b).is_nan(),
        Val::F64(b) => f64::from_bits(b).is_nan(),
        _ => false,
    }
}

/// A float literal's bits, `None` for `nan` (any NaN).
fn float_bits(s: &str, single: bool) -> Result<Option<u64>, String> {
    if s == "nan" {
        return Ok(None);
    }
    let v: f64 = match s {
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        _ => {
            if single {
                // Parse straight to f32: going through f64 could round twice.
                let f: f32 = s.parse().map_err(|_| format!("bad float `{s}`"))?;
                return Ok(Some(f.to_bits() as u64));
            }
            s.parse().map_err(|_| format!("bad float `{s}`"))?
        }
    };
    Ok(Some(if single { (v as f32).to_bits() as u64 } else { v.to_bits() }))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

fn same_bytes(got: &[u8], want: &[u8]) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("got {:?}, expected {:?}", String::from_utf8_lossy(got), String::from_utf8_lossy(want)))
    }
}
