//! Runs a fixture's `expected.txt` (format: fixtures/go/README.md) through wisp + wisp-wasi.

use super::TempDir;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use wisp::{Engine, Error, Func, Linker, Module, Store, TrapCode, Val, ValType};
use wisp_wasi::{Pipe, Stdio, WasiCtx};

#[derive(Debug, Clone)]
enum Tok {
    Word(String),
    Str(Vec<u8>),
}

impl Tok {
    fn word(&self) -> Result<&str, String> {
        match self {
            Tok::Word(w) => Ok(w),
            Tok::Str(_) => Err("expected a word, found a string".into()),
        }
    }
    fn bytes(&self) -> Result<&[u8], String> {
        match self {
            Tok::Str(s) => Ok(s),
            Tok::Word(w) => Err(format!("expected a string, found `{w}`")),
        }
    }
}

fn tokenize(line: &str) -> Result<Vec<Tok>, String> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b' ' || b[i] == b'\t' {
            i += 1;
            continue;
        }
        if b[i] == b'"' {
            i += 1;
            let mut s = Vec::new();
            loop {
                let c = *b.get(i).ok_or("unterminated string")?;
                i += 1;
                match c {
                    b'"' => break,
                    b'\\' => {
                        let e = *b.get(i).ok_or("bad escape")?;
                        i += 1;
                        match e {
                            b'\\' => s.push(b'\\'),
                            b'"' => s.push(b'"'),
                            b'n' => s.push(b'\n'),
                            b't' => s.push(b'\t'),
                            b'r' => s.push(b'\r'),
                            b'0' => s.push(0),
                            b'x' => {
                                let h = line.get(i..i + 2).ok_or("bad \\x")?;
                                s.push(u8::from_str_radix(h, 16).map_err(|e| e.to_string())?);
                                i += 2;
                            }
                            other => return Err(format!("unknown escape \\{}", other as char)),
                        }
                    }
                    c => s.push(c),
                }
            }
            out.push(Tok::Str(s));
        } else {
            let start = i;
            while i < b.len() && b[i] != b' ' && b[i] != b'\t' {
                i += 1;
            }
            out.push(Tok::Word(line[start..i].to_string()));
        }
    }
    Ok(out)
}

#[derive(Clone, Default)]
struct Config {
    modules: Vec<PathBuf>,
    args: Vec<Vec<u8>>,
    env: Vec<Vec<u8>>,
    stdin: Vec<u8>,
    /// (guest, Some(host dir)) or (guest, None) for a fresh writable temp dir.
    preopens: Vec<(String, Option<PathBuf>)>,
}

struct Scenario {
    name: String,
    config: Config,
    steps: Vec<(usize, Vec<Tok>)>,
}

fn parse(path: &Path) -> Result<Vec<Scenario>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let dir = path.parent().unwrap();
    let mut config = Config::default();
    let mut scenarios: Vec<Scenario> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let toks = tokenize(t).map_err(|e| format!("line {}: {e}", n + 1))?;
        let head = toks[0].word()?.to_string();
        let rest = &toks[1..];
        let strs = || rest.iter().map(|t| t.bytes().map(<[u8]>::to_vec)).collect::<Result<Vec<_>, _>>();
        match head.as_str() {
            "module" => {
                config.modules = rest.iter().map(|t| t.word().map(|w| dir.join(w))).collect::<Result<_, _>>()?;
            }
            "kind" => {}
            "args" => config.args = strs()?,
            "env" => config.env = strs()?,
            "stdin" => config.stdin = rest[0].bytes()?.to_vec(),
            "preopen" => {
                let guest = String::from_utf8(rest[0].bytes()?.to_vec()).unwrap();
                let host = String::from_utf8(rest[1].bytes()?.to_vec()).unwrap();
                config.preopens.push((guest, Some(dir.join(host))));
            }
            "preopen-tmp" => {
                let guest = String::from_utf8(rest[0].bytes()?.to_vec()).unwrap();
                config.preopens.push((guest, None));
            }
            "scenario" => scenarios.push(Scenario {
                name: rest[0].word()?.to_string(),
                config: config.clone(),
                steps: Vec::new(),
            }),
            _ => {
                let s = scenarios.last_mut().ok_or(format!("line {}: step before any scenario", n + 1))?;
                s.steps.push((n + 1, toks));
            }
        }
    }
    Ok(scenarios)
}

struct Run {
    store: Store<WasiCtx>,
    instance: wisp::Instance,
    stdout: Pipe,
    stderr: Pipe,
    vars: HashMap<String, u64>,
    base: PathBuf,
    _temps: Vec<TempDir>,
}

fn int(s: &str) -> Result<i128, String> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let v = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => i128::from_str_radix(h, 16),
        None => s.parse::<i128>(),
    }
    .map_err(|e| format!("bad integer `{s}`: {e}"))?;
    Ok(if neg { -v } else { v })
}

impl Run {
    /// A number, or `$name`, `$name.ptr`, `$name.len`, each with an optional `+N`.
    fn value(&self, s: &str) -> Result<i128, String> {
        let Some(v) = s.strip_prefix('$') else {
            return int(s);
        };
        let (v, add) = match v.split_once('+') {
            Some((v, a)) => (v, int(a)?),
            None => (v, 0),
        };
        let (name, part) = match v.rsplit_once('.') {
            Some((n, p @ ("ptr" | "len"))) => (n, Some(p)),
            _ => (v, None),
        };
        let raw = *self.vars.get(name).ok_or(format!("unbound variable ${name}"))?;
        let base = match part {
            Some("ptr") => raw >> 32,
            Some(_) => raw & 0xFFFF_FFFF,
            None => raw,
        };
        Ok(base as i128 + add)
    }

    fn mem(&mut self) -> Result<wisp::Memory, String> {
        self.instance.get_memory(&self.store, "memory").ok_or("no exported memory".into())
    }

    fn output(&self, which: &str) -> Vec<u8> {
        if which.starts_with("stdout") {
            self.stdout.contents()
        } else {
            self.stderr.contents()
        }
    }

    fn arg(&self, tok: &str, ty: ValType) -> Result<Val, String> {
        let (t, v) = tok.split_once(':').ok_or(format!("bad argument `{tok}`"))?;
        let want = match t {
            "i32" => ValType::I32,
            "i64" => ValType::I64,
            "f32" => ValType::F32,
            "f64" => ValType::F64,
            _ => return Err(format!("bad type in `{tok}`")),
        };
        if want != ty {
            return Err(format!("argument `{tok}` but the parameter is {ty}"));
        }
        Ok(match ty {
            ValType::I32 => Val::I32(self.value(v)? as i32),
            ValType::I64 => Val::I64(self.value(v)? as i64),
            ValType::F32 => Val::F32((float(v)? as f32).to_bits()),
            _ => Val::F64(float(v)?.to_bits()),
        })
    }

    fn step(&mut self, toks: &[Tok], finished: &mut bool) -> Result<(), String> {
        let head = toks[0].word()?;
        match head {
            "call" => {
                if *finished {
                    return Err("call after the instance finished".into());
                }
                let name = toks[1].word()?;
                let arrow = toks.iter().position(|t| matches!(t, Tok::Word(w) if w == "=>")).ok_or("no =>")?;
                let func: Func = self.instance.get_func(&self.store, name).ok_or(format!("no export {name}"))?;
                let ty = func.ty(&self.store).expect("a function of this store");
                let arg_toks = &toks[2..arrow];
                if arg_toks.len() != ty.params().len() {
                    return Err(format!("{name} takes {} arguments", ty.params().len()));
                }
                let params = arg_toks
                    .iter()
                    .zip(ty.params())
                    .map(|(t, &vt)| self.arg(t.word()?, vt))
                    .collect::<Result<Vec<_>, _>>()?;
                let mut results: Vec<Val> = ty.results().iter().map(|&t| Val::default_for(t)).collect();
                let outcome = func.call(&mut self.store, &params, &mut results);
                let expect: Vec<&str> = toks[arrow + 1..].iter().map(|t| t.word()).collect::<Result<_, _>>()?;
                self.check_result(name, outcome, &results, &expect, finished)
            }
            "write" | "write-hex" => {
                let addr = self.value(toks[1].word()?)? as usize;
                let data = toks[2].bytes()?;
                let data = if head == "write-hex" { hex(data)? } else { data.to_vec() };
                let m = self.mem()?;
                m.write(&mut self.store, addr, &data).map_err(|e| e.to_string())
            }
            "expect-mem" | "expect-mem-hex" => {
                let addr = self.value(toks[1].word()?)? as usize;
                let want = toks[2].bytes()?;
                let want = if head == "expect-mem-hex" { hex(want)? } else { want.to_vec() };
                let m = self.mem()?;
                let mut got = vec![0; want.len()];
                m.read(&self.store, addr, &mut got).map_err(|e| e.to_string())?;
                if got != want {
                    return Err(format!("memory at {addr}: {:?}, expected {:?}", lossy(&got), lossy(&want)));
                }
                Ok(())
            }
            "expect-packed" => {
                let v = self.value(toks[1].word()?)? as u64;
                let (ptr, len) = ((v >> 32) as usize, (v & 0xFFFF_FFFF) as usize);
                let want = toks[2].bytes()?;
                let mut got = vec![0; len];
                if len > 0 {
                    let m = self.mem()?;
                    m.read(&self.store, ptr, &mut got).map_err(|e| e.to_string())?;
                }
                if got != want {
                    return Err(format!("packed {:?}, expected {:?}", lossy(&got), lossy(want)));
                }
                Ok(())
            }
            "stdout" | "stderr" => {
                let (got, want) = (self.output(head), toks[1].bytes()?);
                if got != want {
                    return Err(format!("{head} is {:?}, expected {:?}", lossy(&got), lossy(want)));
                }
                Ok(())
            }
            "stdout-contains" | "stderr-contains" => {
                let (got, want) = (self.output(head), toks[1].bytes()?);
                if !got.windows(want.len().max(1)).any(|w| w == want) {
                    return Err(format!("{head}: {:?} not in {:?}", lossy(want), lossy(&got)));
                }
                Ok(())
            }
            "stdout-file" | "stderr-file" => {
                // The README quotes PATH; fixtures also write it bare.
                let rel = match &toks[1] {
                    Tok::Word(w) => w.clone(),
                    Tok::Str(s) => lossy(s),
                };
                let file = self.base.join(rel);
                let want = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
                let got = self.output(head);
                if got != want {
                    return Err(format!("{head}: got {:?}\nexpected {:?}", lossy(&got), lossy(&want)));
                }
                Ok(())
            }
            other => Err(format!("unknown step `{other}`")),
        }
    }

    fn check_result(
        &mut self,
        name: &str,
        outcome: wisp::Result<()>,
        results: &[Val],
        expect: &[&str],
        finished: &mut bool,
    ) -> Result<(), String> {
        let stderr_tail = || {
            let e = self.stderr.contents();
            String::from_utf8_lossy(&e[e.len().saturating_sub(2000)..]).into_owned()
        };
        match expect {
            ["exit", n] => {
                *finished = true;
                let want = int(n)? as i32;
                match outcome {
                    Err(Error::Exit(code)) if code == want => Ok(()),
                    Ok(()) if want == 0 && name == "_start" => Ok(()),
                    other => Err(format!("{name}: expected exit {want}, got {other:?}; stderr: {}", stderr_tail())),
                }
            }
            ["trap", kind @ ..] => {
                *finished = true;
                let trap = match &outcome {
                    Err(Error::Trap(t)) => t,
                    other => return Err(format!("{name}: expected a trap, got {other:?}; stderr: {}", stderr_tail())),
                };
                if let [kind] = kind {
                    let ok = match *kind {
                        "unreachable" => trap.code() == TrapCode::Unreachable,
                        "out-of-bounds" => trap.code() == TrapCode::MemoryOutOfBounds,
                        "table-out-of-bounds" => {
                            matches!(trap.code(), TrapCode::TableOutOfBounds | TrapCode::UndefinedElement)
                        }
                        "indirect-call-null" => {
                            matches!(trap.code(), TrapCode::IndirectCallToNull | TrapCode::UninitializedElement)
                        }
                        "indirect-call-type" => trap.code() == TrapCode::BadSignature,
                        "int-overflow" => trap.code() == TrapCode::IntegerOverflow,
                        "div-by-zero" => trap.code() == TrapCode::IntegerDivideByZero,
                        "invalid-conversion" => trap.code() == TrapCode::BadConversionToInteger,
                        "stack-exhausted" => trap.code() == TrapCode::StackOverflow,
                        k => return Err(format!("unknown trap kind {k}")),
                    };
                    if !ok {
                        return Err(format!("{name}: expected trap {kind}, got {:?}", trap.code()));
                    }
                }
                Ok(())
            }
            ["void"] => match outcome {
                Ok(()) if results.is_empty() => Ok(()),
                other => Err(format!("{name}: expected void, got {other:?} {results:?}; stderr: {}", stderr_tail())),
            },
            [tv] => {
                if let Err(e) = outcome {
                    return Err(format!("{name}: expected {tv}, got error {e}; stderr: {}", stderr_tail()));
                }
                let [got] = results else {
                    return Err(format!("{name}: {} results", results.len()));
                };
                let (t, v) = tv.split_once(':').ok_or(format!("bad result `{tv}`"))?;
                let bits = match (t, got) {
                    ("i32", Val::I32(x)) => *x as u32 as u64,
                    ("i64", Val::I64(x)) => *x as u64,
                    ("f32", Val::F32(x)) => *x as u64,
                    ("f64", Val::F64(x)) => *x,
                    _ => return Err(format!("{name}: result {got:?} is not {t}")),
                };
                if let Some(var) = v.strip_prefix('$') {
                    self.vars.insert(var.to_string(), bits);
                    return Ok(());
                }
                let ok = match t {
                    "i32" => bits == self.value(v)? as i32 as u32 as u64,
                    "i64" => bits == self.value(v)? as i64 as u64,
                    "f32" if v == "nan" => f32::from_bits(bits as u32).is_nan(),
                    "f64" if v == "nan" => f64::from_bits(bits).is_nan(),
                    "f32" => bits == (float(v)? as f32).to_bits() as u64,
                    _ => bits == float(v)?.to_bits(),
                };
                if !ok {
                    return Err(format!("{name}: got {got:?}, expected {tv}"));
                }
                Ok(())
            }
            other => Err(format!("bad result {other:?}")),
        }
    }
}

fn float(v: &str) -> Result<f64, String> {
    match v {
        "inf" => Ok(f64::INFINITY),
        "-inf" => Ok(f64::NEG_INFINITY),
        "nan" => Ok(f64::NAN),
        _ => v.parse::<f64>().map_err(|e| format!("bad float {v}: {e}")),
    }
}

fn hex(s: &[u8]) -> Result<Vec<u8>, String> {
    let s = std::str::from_utf8(s).map_err(|e| e.to_string())?;
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|e| e.to_string())).collect()
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn build_ctx(
    config: &Config,
    stdout: &Pipe,
    stderr: &Pipe,
    deterministic: bool,
) -> Result<(WasiCtx, Vec<TempDir>), String> {
    let mut b = WasiCtx::builder()
        .args(&config.args)
        .env_entries(&config.env)
        .stdin(Stdio::Pipe(Pipe::from_bytes(config.stdin.clone())))
        .stdout(Stdio::Pipe(stdout.clone()))
        .stderr(Stdio::Pipe(stderr.clone()));
    let mut temps = Vec::new();
    for (guest, host) in &config.preopens {
        b = match host {
            // Fixtures only read these; read-only also proves read-only preopens serve Go.
            Some(h) => b.preopened_dir_read_only(h, guest.clone()),
            None => {
                let t = TempDir::new("fixture");
                let b = b.preopened_dir(t.path(), guest.clone());
                temps.push(t);
                b
            }
        }
        .map_err(|e| format!("preopen {guest}: {e}"))?;
    }
    if deterministic {
        b = b.deterministic(1);
    }
    Ok((b.build(), temps))
}

/// Runs every scenario of `expected` on every module it lists; returns one line per failure.
pub fn run_expected(engine: &Engine, expected: &Path) -> Result<usize, Vec<String>> {
    run_expected_with(engine, expected, false)
}

/// [`run_expected`], optionally on virtual clocks and seeded randomness.
pub fn run_expected_with(engine: &Engine, expected: &Path, deterministic: bool) -> Result<usize, Vec<String>> {
    let scenarios = parse(expected).map_err(|e| vec![e])?;
    let mut failures = Vec::new();
    let mut modules: HashMap<PathBuf, Module> = HashMap::new();
    let mut count = 0;
    for s in &scenarios {
        for m in &s.config.modules {
            count += 1;
            let label = format!("{} [{}] {}", expected.display(), m.file_name().unwrap().to_string_lossy(), s.name);
            if !modules.contains_key(m) {
                let bytes = match std::fs::read(m) {
                    Ok(b) => b,
                    Err(e) => {
                        failures.push(format!("{label}: {e}"));
                        continue;
                    }
                };
                match Module::new(engine, &bytes) {
                    Ok(module) => {
                        modules.insert(m.clone(), module);
                    }
                    Err(e) => {
                        failures.push(format!("{label}: compile: {e}"));
                        continue;
                    }
                }
            }
            if let Err(e) = run_scenario(engine, &modules[m], s, expected.parent().unwrap(), deterministic) {
                failures.push(format!("{label}: {e}"));
            }
        }
    }
    if failures.is_empty() {
        Ok(count)
    } else {
        Err(failures)
    }
}

fn run_scenario(
    engine: &Engine,
    module: &Module,
    s: &Scenario,
    base: &Path,
    deterministic: bool,
) -> Result<(), String> {
    let (stdout, stderr) = (Pipe::new(), Pipe::new());
    let (ctx, temps) = build_ctx(&s.config, &stdout, &stderr, deterministic)?;
    let mut store = Store::new(engine, ctx);
    let mut linker = Linker::new(engine);
    wisp_wasi::add_to_linker(&mut linker, |c| c).map_err(|e| e.to_string())?;
    let instance = linker.instantiate(&mut store, module).map_err(|e| format!("instantiate: {e}"))?;
    let mut run =
        Run { store, instance, stdout, stderr, vars: HashMap::new(), base: base.to_path_buf(), _temps: temps };
    let mut finished = false;
    for (line, toks) in &s.steps {
        run.step(toks, &mut finished).map_err(|e| format!("line {line}: {e}"))?;
    }
    Ok(())
}

/// Every `expected.txt` under `dir`, sorted.
pub fn find_expected(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "expected.txt") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
