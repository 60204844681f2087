//! Runs one `.wast` script: decodes and validates every module itself, hands everything that
//! needs execution to a [`Backend`].

use crate::backend::{Backend, BackendError, Value};
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};
use wisp_decoder::Features;

/// One failed check of a script.
#[derive(Debug, Clone)]
pub struct Failure {
    /// 1-based line of the directive in the script.
    pub line: usize,
    /// The directive's keyword (`module`, `assert_malformed`, ...).
    pub directive: &'static str,
    pub message: String,
}

/// A rejection whose message differs from the one the script expects.
#[derive(Debug, Clone)]
pub struct MessageMismatch {
    pub line: usize,
    pub expected: String,
    pub actual: String,
}

/// What one script did.
#[derive(Debug, Clone, Default)]
pub struct FileReport {
    pub name: String,
    pub passed: u32,
    pub failed: u32,
    pub skipped: u32,
    pub failures: Vec<Failure>,
    /// `assert_malformed` / `assert_invalid` modules that wisp rejected.
    pub rejections: u32,
    /// Of those, how many with a message containing the expected text.
    pub messages_matched: u32,
    pub message_mismatches: Vec<MessageMismatch>,
    /// `assert_malformed` / `assert_invalid` text modules that the `wast` crate (standing in
    /// for the reference text parser) already refused to parse or encode.
    pub rejected_by_text_parser: u32,
}

impl FileReport {
    fn pass(&mut self) {
        self.passed += 1;
    }

    fn skip(&mut self) {
        self.skipped += 1;
    }

    fn fail(&mut self, line: usize, directive: &'static str, message: impl Into<String>) {
        self.failed += 1;
        self.failures.push(Failure { line, directive, message: message.into() });
    }
}

/// How much of wisp a run checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Decode and validate: the real check.
    #[default]
    Validate,
    /// Only the decoder (every section, every operator, block nesting): `assert_invalid` is
    /// skipped. For working on the decoder while validation is elsewhere.
    DecodeOnly,
}

/// Decodes and validates a module with wisp, turning a panic into an error so that one bad
/// module cannot end a whole run.
pub fn decode_and_validate(bytes: &[u8], features: Features) -> Result<(), String> {
    check(bytes, features, Mode::Validate)
}

/// Decodes a module and every operator of its bodies, checking only the binary format.
pub fn decode_only(bytes: &[u8], features: Features) -> Result<(), wisp_decoder::Error> {
    let module = wisp_decoder::Module::parse_with_features(bytes, features)?;
    for body in &module.code {
        let (_, mut ops) = body.read_locals()?;
        // Block nesting, so a body must end with the `end` that closes it, as the reference
        // decoder's structured reading requires.
        let mut depth = 1u32;
        while !ops.eof() {
            if depth == 0 {
                return Err(wisp_decoder::Error::new(
                    wisp_decoder::ErrorKind::Other("operators after function end"),
                    ops.offset(),
                ));
            }
            match ops.read()? {
                wisp_decoder::Operator::Block { .. }
                | wisp_decoder::Operator::Loop { .. }
                | wisp_decoder::Operator::If { .. } => depth += 1,
                wisp_decoder::Operator::End {} => depth -= 1,
                _ => {}
            }
        }
        if depth != 0 {
            return Err(wisp_decoder::Error::new(wisp_decoder::ErrorKind::EndExpected, ops.offset()));
        }
    }
    Ok(())
}

/// [`decode_and_validate`] or [`decode_only`], panics caught.
pub fn check(bytes: &[u8], features: Features, mode: Mode) -> Result<(), String> {
    let result = catch_unwind(AssertUnwindSafe(|| match mode {
        Mode::Validate => wisp_validator::validate_bytes(bytes, features).map(|_| ()).map_err(|e| e.message()),
        Mode::DecodeOnly => decode_only(bytes, features).map_err(|e| e.message()),
    }));
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(format!("PANIC in wisp: {what}"))
        }
    }
}

/// Parses a script the way the testsuite needs (its `names.wast` uses confusing Unicode).
pub fn parse_buffer(source: &str) -> Result<ParseBuffer<'_>, wast::Error> {
    let mut lexer = Lexer::new(source);
    lexer.allow_confusing_unicode(true);
    ParseBuffer::new_with_lexer(lexer)
}

/// Runs a whole script against wisp's decoder and validator and the given backend.
pub fn run_wast(name: &str, source: &str, features: Features, backend: &mut dyn Backend) -> FileReport {
    run_wast_with(name, source, features, Mode::Validate, backend)
}

/// [`run_wast`] with a choice of [`Mode`].
pub fn run_wast_with(
    name: &str,
    source: &str,
    features: Features,
    mode: Mode,
    backend: &mut dyn Backend,
) -> FileReport {
    let mut report = FileReport { name: name.to_string(), ..FileReport::default() };
    let buf = match parse_buffer(source) {
        Ok(b) => b,
        Err(e) => {
            report.fail(1, "script", format!("cannot lex script: {e}"));
            return report;
        }
    };
    let wast = match parser::parse::<Wast<'_>>(&buf) {
        Ok(w) => w,
        Err(mut e) => {
            e.set_text(source);
            report.fail(1, "script", format!("cannot parse script: {e}"));
            return report;
        }
    };
    let mut run = Run { source, features, mode, backend, report, definitions: HashMap::new(), last_definition: None };
    for directive in wast.directives {
        run.directive(directive);
    }
    run.report
}

struct Run<'s, 'b> {
    source: &'s str,
    features: Features,
    mode: Mode,
    backend: &'b mut dyn Backend,
    report: FileReport,
    /// Binaries of `(module definition $name ...)`, for `(module instance ...)`.
    definitions: HashMap<String, Vec<u8>>,
    last_definition: Option<Vec<u8>>,
}

impl Run<'_, '_> {
    fn line(&self, span: wast::token::Span) -> usize {
        span.linecol_in(self.source).0 + 1
    }

    fn directive(&mut self, d: WastDirective<'_>) {
        let line = self.line(d.span());
        match d {
            WastDirective::Module(mut m) => {
                let name = m.name().map(|id| id.name().to_string());
                let Some(bytes) = self.valid_module(line, "module", &mut m) else { return };
                match self.backend.instantiate(&bytes, name.as_deref()) {
                    Ok(()) | Err(BackendError::Unsupported) => self.report.pass(),
                    Err(e) => self.report.fail(line, "module", format!("instantiation failed: {e}")),
                }
            }
            WastDirective::ModuleDefinition(mut m) => {
                let name = m.name().map(|id| id.name().to_string());
                let Some(bytes) = self.valid_module(line, "module definition", &mut m) else { return };
                self.report.pass();
                if let Some(name) = name {
                    self.definitions.insert(name, bytes.clone());
                }
                self.last_definition = Some(bytes);
            }
            WastDirective::ModuleInstance { instance, module, .. } => {
                let bytes = match module {
                    Some(id) => self.definitions.get(id.name()).cloned(),
                    None => self.last_definition.clone(),
                };
                let Some(bytes) = bytes else {
                    return self.report.fail(line, "module instance", "no such module definition");
                };
                let result = self.backend.instantiate(&bytes, instance.map(|i| i.name()));
                self.expect_ok(line, "module instance", result);
            }
            WastDirective::AssertMalformed { mut module, message, .. } => {
                self.assert_rejected(line, "assert_malformed", &mut module, message)
            }
            WastDirective::AssertInvalid { .. } if self.mode == Mode::DecodeOnly => self.report.skip(),
            WastDirective::AssertInvalid { mut module, message, .. } => {
                self.assert_rejected(line, "assert_invalid", &mut module, message)
            }
            WastDirective::Register { name, module, .. } => {
                let result = self.backend.register(name, module.map(|m| m.name()));
                self.expect_ok(line, "register", result);
            }
            WastDirective::Invoke(invoke) => {
                let result = self.invoke(&invoke);
                self.expect_ok(line, "invoke", result.map(|_| ()));
            }
            WastDirective::AssertReturn { exec, results, .. } => self.assert_return(line, exec, &results),
            WastDirective::AssertTrap { exec, message, .. } => self.assert_trap(line, exec, message),
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(&call) {
                Err(BackendError::Unsupported) => self.report.skip(),
                Err(BackendError::Exhausted(_)) => self.report.pass(),
                Err(e) => {
                    self.report.fail(line, "assert_exhaustion", format!("expected exhaustion ({message}), got {e}"))
                }
                Ok(v) => {
                    self.report.fail(line, "assert_exhaustion", format!("expected exhaustion ({message}), got {v:?}"))
                }
            },
            WastDirective::AssertUnlinkable { mut module, message, .. } => {
                let Some(bytes) = self.valid_wat(line, "assert_unlinkable", &mut module) else { return };
                match self.backend.instantiate(&bytes, None) {
                    Err(BackendError::Unsupported) => self.report.skip(),
                    Err(BackendError::Link(_)) => self.report.pass(),
                    Err(e) => {
                        self.report.fail(line, "assert_unlinkable", format!("expected link error ({message}), got {e}"))
                    }
                    Ok(()) => self.report.fail(line, "assert_unlinkable", format!("instantiated, expected {message}")),
                }
            }
            WastDirective::AssertException { exec, .. } => self.assert_exception(line, exec),
            // Custom-section annotations, stack switching and threads: wisp has none.
            WastDirective::AssertInvalidCustom { .. }
            | WastDirective::AssertMalformedCustom { .. }
            | WastDirective::AssertSuspension { .. }
            | WastDirective::Thread(_)
            | WastDirective::Wait { .. } => self.report.skip(),
        }
    }

    /// Encodes a module that must be valid and checks it with wisp; counts a failure if not.
    fn valid_module(&mut self, line: usize, what: &'static str, m: &mut QuoteWat<'_>) -> Option<Vec<u8>> {
        if let QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_)) = m {
            self.report.skip();
            return None;
        }
        let bytes = match m.encode() {
            Ok(b) => b,
            Err(e) => {
                self.report.fail(line, what, format!("wast cannot encode the module: {}", e.message()));
                return None;
            }
        };
        self.check_valid(line, what, bytes)
    }

    fn valid_wat(&mut self, line: usize, what: &'static str, m: &mut Wat<'_>) -> Option<Vec<u8>> {
        if let Wat::Component(_) = m {
            self.report.skip();
            return None;
        }
        let bytes = match m.encode() {
            Ok(b) => b,
            Err(e) => {
                self.report.fail(line, what, format!("wast cannot encode the module: {}", e.message()));
                return None;
            }
        };
        self.check_valid(line, what, bytes)
    }

    fn check_valid(&mut self, line: usize, what: &'static str, bytes: Vec<u8>) -> Option<Vec<u8>> {
        match check(&bytes, self.features, self.mode) {
            Ok(()) => Some(bytes),
            Err(msg) => {
                self.report.fail(line, what, format!("valid module rejected: {msg}"));
                None
            }
        }
    }

    fn assert_rejected(&mut self, line: usize, what: &'static str, m: &mut QuoteWat<'_>, expected: &str) {
        if let QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_)) = m {
            return self.report.skip();
        }
        let bytes = match m.encode() {
            Ok(b) => b,
            Err(_) => {
                // The text never became a binary: the reference text parser's job, done.
                self.report.rejected_by_text_parser += 1;
                return self.report.pass();
            }
        };
        match check(&bytes, self.features, self.mode) {
            Ok(()) => self.report.fail(line, what, format!("module accepted, expected \"{expected}\"")),
            Err(actual) => {
                self.report.pass();
                self.report.rejections += 1;
                if message_matches(&actual, expected) {
                    self.report.messages_matched += 1;
                } else {
                    self.report.message_mismatches.push(MessageMismatch {
                        line,
                        expected: expected.to_string(),
                        actual,
                    });
                }
            }
        }
    }

    fn expect_ok(&mut self, line: usize, what: &'static str, result: Result<(), BackendError>) {
        match result {
            Ok(()) => self.report.pass(),
            Err(BackendError::Unsupported) => self.report.skip(),
            Err(e) => self.report.fail(line, what, e.to_string()),
        }
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Vec<Value>, BackendError> {
        let mut args = Vec::with_capacity(invoke.args.len());
        for a in &invoke.args {
            args.push(arg_value(a).ok_or(BackendError::Unsupported)?);
        }
        self.backend.invoke(invoke.module.map(|m| m.name()), invoke.name, &args)
    }

    /// Runs what an `assert_return` or `assert_trap` executes.
    fn execute(&mut self, line: usize, exec: WastExecute<'_>) -> Option<Result<Vec<Value>, BackendError>> {
        Some(match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Get { module, global, .. } => {
                self.backend.get(module.map(|m| m.name()), global).map(|v| vec![v])
            }
            WastExecute::Wat(mut wat) => {
                let bytes = self.valid_wat(line, "module", &mut wat)?;
                self.backend.instantiate(&bytes, None).map(|()| Vec::new())
            }
        })
    }

    fn assert_return(&mut self, line: usize, exec: WastExecute<'_>, expected: &[WastRet<'_>]) {
        let Some(result) = self.execute(line, exec) else { return };
        match result {
            Err(BackendError::Unsupported) => self.report.skip(),
            Err(e) => self.report.fail(line, "assert_return", e.to_string()),
            Ok(values) => {
                let mut pats = Vec::with_capacity(expected.len());
                for r in expected {
                    match r {
                        WastRet::Core(c) => pats.push(c),
                        #[allow(unreachable_patterns)]
                        _ => return self.report.skip(),
                    }
                }
                if values.len() == pats.len() && values.iter().zip(&pats).all(|(v, p)| value_matches(v, p)) {
                    self.report.pass();
                } else {
                    let got: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                    self.report.fail(line, "assert_return", format!("got [{}], expected {pats:?}", got.join(", ")));
                }
            }
        }
    }

    fn assert_trap(&mut self, line: usize, exec: WastExecute<'_>, message: &str) {
        let Some(result) = self.execute(line, exec) else { return };
        match result {
            Err(BackendError::Unsupported) => self.report.skip(),
            Err(BackendError::Trap(_)) => self.report.pass(),
            Err(e) => self.report.fail(line, "assert_trap", format!("expected trap ({message}), got {e}")),
            Ok(v) => self.report.fail(line, "assert_trap", format!("expected trap ({message}), got {v:?}")),
        }
    }

    fn assert_exception(&mut self, line: usize, exec: WastExecute<'_>) {
        let Some(result) = self.execute(line, exec) else { return };
        match result {
            Err(BackendError::Unsupported) => self.report.skip(),
            Err(BackendError::Exception(_)) => self.report.pass(),
            Err(e) => self.report.fail(line, "assert_exception", format!("expected an exception, got {e}")),
            Ok(v) => self.report.fail(line, "assert_exception", format!("expected an exception, got {v:?}")),
        }
    }
}

/// The reference interpreter's messages are the spec's; ours should contain them. The 1.0
/// interpreter said "invalid" where 2.0 says "malformed" for binary-format errors ("invalid
/// UTF-8 encoding", "invalid mutability", "invalid section id", ...); wisp uses 2.0's words.
pub fn message_matches(actual: &str, expected: &str) -> bool {
    if actual.contains(expected) {
        return true;
    }
    match expected.strip_prefix("invalid ") {
        Some(rest) => actual.contains(&format!("malformed {rest}")),
        None => false,
    }
}

fn arg_value(arg: &WastArg<'_>) -> Option<Value> {
    let WastArg::Core(core) = arg else { return None };
    Some(match core {
        WastArgCore::I32(v) => Value::I32(*v),
        WastArgCore::I64(v) => Value::I64(*v),
        WastArgCore::F32(v) => Value::F32(v.bits),
        WastArgCore::F64(v) => Value::F64(v.bits),
        WastArgCore::V128(v) => Value::V128(u128::from_le_bytes(v.to_le_bytes())),
        WastArgCore::RefNull(HeapType::Abstract { ty, .. }) => match null_hierarchy(*ty) {
            Hierarchy::Func => Value::FuncRef(None),
            Hierarchy::Extern => Value::ExternRef(None),
            Hierarchy::Exn => Value::ExnNull,
            Hierarchy::Any => Value::AnyNull,
        },
        WastArgCore::RefExtern(n) => Value::ExternRef(Some(*n)),
        _ => return None,
    })
}

/// The four reference type hierarchies, each with its own null.
#[derive(Clone, Copy)]
enum Hierarchy {
    Func,
    Extern,
    Exn,
    Any,
}

/// The hierarchy of an abstract heap type.
fn null_hierarchy(ty: AbstractHeapType) -> Hierarchy {
    use AbstractHeapType as A;
    match ty {
        A::Func | A::NoFunc => Hierarchy::Func,
        A::Extern | A::NoExtern => Hierarchy::Extern,
        A::Exn | A::NoExn => Hierarchy::Exn,
        _ => Hierarchy::Any,
    }
}

fn f32_matches(bits: u32, p: &NanPattern<wast::token::F32>) -> bool {
    match p {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => bits & 0x7fc0_0000 == 0x7fc0_0000,
        NanPattern::Value(v) => bits == v.bits,
    }
}

fn f64_matches(bits: u64, p: &NanPattern<wast::token::F64>) -> bool {
    match p {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => bits & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
        NanPattern::Value(v) => bits == v.bits,
    }
}

fn v128_matches(v: u128, p: &V128Pattern) -> bool {
    let b = v.to_le_bytes();
    let lane32 = |i: usize| u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]);
    let lane64 = |i: usize| u64::from_le_bytes(b[8 * i..8 * i + 8].try_into().expect("8 bytes"));
    match p {
        V128Pattern::I8x16(l) => l.iter().enumerate().all(|(i, &x)| b[i] == x as u8),
        V128Pattern::I16x8(l) => {
            l.iter().enumerate().all(|(i, &x)| u16::from_le_bytes([b[2 * i], b[2 * i + 1]]) == x as u16)
        }
        V128Pattern::I32x4(l) => l.iter().enumerate().all(|(i, &x)| lane32(i) == x as u32),
        V128Pattern::I64x2(l) => l.iter().enumerate().all(|(i, &x)| lane64(i) == x as u64),
        V128Pattern::F32x4(l) => l.iter().enumerate().all(|(i, p)| f32_matches(lane32(i), p)),
        V128Pattern::F64x2(l) => l.iter().enumerate().all(|(i, p)| f64_matches(lane64(i), p)),
    }
}

fn value_matches(v: &Value, p: &WastRetCore<'_>) -> bool {
    match (p, v) {
        (WastRetCore::I32(x), Value::I32(y)) => x == y,
        (WastRetCore::I64(x), Value::I64(y)) => x == y,
        (WastRetCore::F32(p), Value::F32(bits)) => f32_matches(*bits, p),
        (WastRetCore::F64(p), Value::F64(bits)) => f64_matches(*bits, p),
        (WastRetCore::V128(p), Value::V128(bits)) => v128_matches(*bits, p),
        (
            WastRetCore::RefNull(None),
            Value::FuncRef(None) | Value::ExternRef(None) | Value::ExnNull | Value::AnyNull,
        ) => true,
        (WastRetCore::RefNull(Some(HeapType::Abstract { ty, .. })), v) => {
            let h = null_hierarchy(*ty);
            matches!(
                (h, v),
                (Hierarchy::Func, Value::FuncRef(None))
                    | (Hierarchy::Extern, Value::ExternRef(None))
                    | (Hierarchy::Exn, Value::ExnNull)
                    | (Hierarchy::Any, Value::AnyNull)
            )
        }
        (WastRetCore::RefExtern(None), Value::ExternRef(Some(_))) => true,
        (WastRetCore::RefExtern(Some(n)), Value::ExternRef(Some(m))) => n == m,
        (WastRetCore::RefFunc(_), Value::FuncRef(Some(_))) => true,
        (WastRetCore::Either(alts), v) => alts.iter().any(|p| value_matches(v, p)),
        _ => false,
    }
}
