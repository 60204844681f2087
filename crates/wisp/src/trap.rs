//! Traps: why a Wasm execution stopped, where, and the call stack that led there.

use std::fmt;

/// The reason for a trap.
///
/// ```
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, r#"(module
///     (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))"#)?;
/// let mut store = wisp::Store::new(&engine, ());
/// let instance = wisp::Linker::new(&engine).instantiate(&mut store, &module)?;
/// let div = instance.get_typed_func::<(i32, i32), i32>(&store, "div")?;
/// for (args, code) in [((1, 0), wisp::TrapCode::IntegerDivideByZero), ((i32::MIN, -1), wisp::TrapCode::IntegerOverflow)] {
///     match div.call(&mut store, args) {
///         Err(wisp::Error::Trap(t)) => assert_eq!(t.code(), code),
///         other => panic!("{other:?}"),
///     }
/// }
/// assert_eq!(wisp::TrapCode::IntegerDivideByZero.message(), "integer divide by zero");
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrapCode {
    /// The `unreachable` instruction ran.
    Unreachable,
    /// A load, store or bulk memory operation outside its memory.
    MemoryOutOfBounds,
    /// A table access or bulk table operation outside its table.
    TableOutOfBounds,
    /// `call_indirect` reached a null element.
    IndirectCallToNull,
    /// `call_ref` or `return_call_ref` of a null function reference.
    NullFunctionReference,
    /// `ref.as_non_null` of a null reference.
    NullReference,
    /// `call_indirect` reached a function of another type than the instruction's.
    BadSignature,
    /// Integer division or remainder by zero.
    IntegerDivideByZero,
    /// Signed division overflow (`MIN / -1`).
    IntegerOverflow,
    /// A float-to-integer truncation of NaN or of a value out of range.
    BadConversionToInteger,
    /// The call stack or the value stack is exhausted (deep recursion).
    StackOverflow,
    /// An element of a table that was never set.
    UninitializedElement,
    /// `call_indirect` past the end of its table.
    UndefinedElement,
    /// The store ran out of fuel ([`Config::consume_fuel`](crate::Config::consume_fuel)).
    OutOfFuel,
    /// Stopped by an [`InterruptHandle`](crate::InterruptHandle).
    Interrupted,
    /// Stopped because the call ran past its deadline (`Store::set_timeout`).
    DeadlineExceeded,
    /// The called function could not be translated: its code would exceed what wisp's branch
    /// offsets address (a body of hundreds of megabytes).
    FunctionTooLarge,
    /// `throw_ref` of a null `exnref`.
    NullExceptionReference,
}

impl TrapCode {
    /// The reference interpreter's wording, used by the spec tests.
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::IndirectCallToNull => "uninitialized element",
            TrapCode::NullFunctionReference => "null function reference",
            TrapCode::NullReference => "null reference",
            TrapCode::BadSignature => "indirect call type mismatch",
            TrapCode::IntegerDivideByZero => "integer divide by zero",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::BadConversionToInteger => "invalid conversion to integer",
            TrapCode::StackOverflow => "call stack exhausted",
            TrapCode::UninitializedElement => "uninitialized element",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::OutOfFuel => "all fuel consumed",
            TrapCode::Interrupted => "interrupted",
            TrapCode::DeadlineExceeded => "deadline exceeded",
            TrapCode::FunctionTooLarge => "function too large to translate",
            TrapCode::NullExceptionReference => "null exception reference",
        }
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// One frame of a trap's backtrace.
///
/// `module_offset` is where the frame was in the module binary: for the innermost frame the
/// operator that trapped, for the others the `call` or `call_indirect` they were in (the same
/// byte offsets `wasmparser`'s readers and wasmtime's `FrameInfo::module_offset` give). Where
/// wisp ran several operators as one instruction, the offset is the one among them that can
/// trap (a load whose address was `local + const`: the load). Fuel and interruption are
/// checked at a block's start: such a trap is at the `loop`, `else` or `end` that starts the
/// block, or at the body's first operator for the function's entry.
///
/// ```
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, r#"(module
///     (func $inner unreachable)
///     (func $outer (export "run") (call $inner)))"#)?;
/// let mut store = wisp::Store::new(&engine, ());
/// let instance = wisp::Linker::new(&engine).instantiate(&mut store, &module)?;
/// let Err(wisp::Error::Trap(trap)) = instance.get_typed_func::<(), ()>(&store, "run")?.call(&mut store, ()) else {
///     panic!("no trap")
/// };
/// let frames: Vec<Option<&str>> = trap.backtrace().iter().map(|f| f.func_name.as_deref()).collect();
/// assert_eq!(frames, [Some("inner"), Some("outer")]); // innermost first, names from the name section
/// assert_eq!(trap.backtrace()[0].func_index, 0);
/// // Where each frame was: the `unreachable`, then the `call` (bodies are in index order).
/// let (Some(unreachable), Some(call)) = (trap.backtrace()[0].module_offset, trap.backtrace()[1].module_offset) else {
///     panic!("no offsets")
/// };
/// assert!(unreachable < call);
/// assert_eq!(trap.backtrace()[1].to_string(), format!("func[1] outer at offset {call:#x}"));
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FrameInfo {
    /// Index in the module's function index space.
    pub func_index: u32,
    /// From the module's name section, when it has one.
    pub func_name: Option<String>,
    /// Byte offset in the module binary of the operator the frame was at (see above); `None`
    /// where wisp cannot tell (a function too large to translate).
    pub module_offset: Option<usize>,
}

/// A trap: its code and the Wasm frames active when it happened, innermost first.
///
/// Its `Display` is one line: the code, the innermost function and the module offset of the
/// operator that trapped, as in `wasm trap: integer divide by zero in func[3] div at offset
/// 0x1a2`. The whole backtrace is [`Trap::backtrace`], or printed by
/// [`Trap::backtrace_display`].
///
/// ```
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, r#"(module (memory 1)
///     (func $load (export "load") (param i32) (result i32) (i32.load (local.get 0))))"#)?;
/// let mut store = wisp::Store::new(&engine, ());
/// let instance = wisp::Linker::new(&engine).instantiate(&mut store, &module)?;
/// let load = instance.get_typed_func::<i32, i32>(&store, "load")?;
/// let Err(wisp::Error::Trap(trap)) = load.call(&mut store, 65536) else { panic!("in bounds?") };
/// assert_eq!(trap.code(), wisp::TrapCode::MemoryOutOfBounds);
/// let line = trap.to_string();
/// assert!(line.contains("out of bounds") && line.contains("load") && !line.contains('\n'), "{line}");
/// assert!(line.ends_with(&format!(" at offset {:#x}", trap.backtrace()[0].module_offset.unwrap())), "{line}");
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trap {
    code: TrapCode,
    backtrace: Vec<FrameInfo>,
}

impl Trap {
    pub(crate) fn new(code: TrapCode) -> Self {
        Trap { code, backtrace: Vec::new() }
    }

    pub(crate) fn with_backtrace(code: TrapCode, backtrace: Vec<FrameInfo>) -> Self {
        Trap { code, backtrace }
    }

    /// The same trap with another code (an interruption that a deadline caused).
    pub(crate) fn with_code(mut self, code: TrapCode) -> Self {
        self.code = code;
        self
    }

    /// Why the trap happened.
    pub fn code(&self) -> TrapCode {
        self.code
    }

    /// The Wasm frames active at the trap, innermost first.
    pub fn backtrace(&self) -> &[FrameInfo] {
        &self.backtrace
    }
}

/// `func[3] div at offset 0x1a2`: the index, the name when known, the module offset when
/// known.
impl fmt::Display for FrameInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "func[{}]", self.func_index)?;
        if let Some(n) = &self.func_name {
            write!(f, " {n}")?;
        }
        if let Some(offset) = self.module_offset {
            write!(f, " at offset {offset:#x}")?;
        }
        Ok(())
    }
}

impl Trap {
    /// The backtrace for people: one line per frame, innermost first, a run of the same
    /// frame folded into one line, and a deep stack cut to its innermost and outermost
    /// frames (a stack overflow is tens of thousands of frames of one function).
    pub fn backtrace_display(&self) -> BacktraceDisplay<'_> {
        BacktraceDisplay { frames: &self.backtrace }
    }
}

/// See [`Trap::backtrace_display`].
///
/// ```
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, r#"(module (func $f (export "f") unreachable))"#)?;
/// let mut store = wisp::Store::new(&engine, ());
/// let instance = wisp::Linker::new(&engine).instantiate(&mut store, &module)?;
/// let Err(wisp::Error::Trap(trap)) = instance.get_typed_func::<(), ()>(&store, "f")?.call(&mut store, ()) else {
///     panic!()
/// };
/// let text = trap.backtrace_display().to_string();
/// assert!(text.contains("f"), "{text}");
/// # Ok::<(), wisp::Error>(())
/// ```
pub struct BacktraceDisplay<'a> {
    frames: &'a [FrameInfo],
}

/// Most lines a folded backtrace prints before cutting the middle.
const MAX_TRACE_LINES: usize = 12;

/// `n` with thousands separators: "65,530".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for BacktraceDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Runs of equal frames: (index of the first, count, frame).
        let mut runs: Vec<(usize, usize, &FrameInfo)> = Vec::new();
        for (i, fr) in self.frames.iter().enumerate() {
            match runs.last_mut() {
                Some((_, n, last)) if *last == fr => *n += 1,
                _ => runs.push((i, 1, fr)),
            }
        }
        let line = |f: &mut fmt::Formatter<'_>, first: bool, &(i, n, fr): &(usize, usize, &FrameInfo)| {
            if !first {
                f.write_str("\n")?;
            }
            write!(f, "  {i}: {fr}")?;
            match n {
                1 => Ok(()),
                2 => write!(f, "\n  {}: {fr}", i + 1),
                _ => {
                    let name = fr.func_name.clone().unwrap_or_else(|| fr.to_string());
                    write!(f, "\n  ... {} more frames of {name}", thousands(n - 1))
                }
            }
        };
        let (head, tail) = if runs.len() <= MAX_TRACE_LINES { (runs.len(), 0) } else { (MAX_TRACE_LINES - 3, 3) };
        for (k, r) in runs[..head].iter().enumerate() {
            line(f, k == 0, r)?;
        }
        if tail > 0 {
            let hidden: usize = runs[head..runs.len() - tail].iter().map(|r| r.1).sum();
            write!(f, "\n  ... {} more frames", thousands(hidden))?;
            for r in &runs[runs.len() - tail..] {
                line(f, false, r)?;
            }
        }
        Ok(())
    }
}

/// One line: the code, the function that trapped and the offset there. The backtrace is
/// [`Trap::backtrace`], or [`Trap::backtrace_display`] to print it.
impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wasm trap: {}", self.code)?;
        if let Some(fr) = self.backtrace.first() {
            write!(f, " in {fr}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Trap {}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(i: u32, name: &str, offset: usize) -> FrameInfo {
        FrameInfo { func_index: i, func_name: Some(name.into()), module_offset: Some(offset) }
    }

    #[test]
    fn display_is_one_line_and_the_backtrace_folds() {
        let mut frames = vec![frame(1, "f", 0x4d); 65_531];
        frames.push(frame(0, "main", 0x2a));
        let t = Trap::with_backtrace(TrapCode::StackOverflow, frames);
        assert_eq!(t.to_string(), "wasm trap: call stack exhausted in func[1] f at offset 0x4d");
        assert_eq!(
            t.backtrace_display().to_string(),
            "  0: func[1] f at offset 0x4d\n  ... 65,530 more frames of f\n  65531: func[0] main at offset 0x2a"
        );
        assert_eq!(Trap::new(TrapCode::Unreachable).to_string(), "wasm trap: unreachable");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn many_different_frames_are_cut_in_the_middle() {
        let frames: Vec<_> =
            (0..100).map(|i| FrameInfo { func_index: i, func_name: None, module_offset: None }).collect();
        let text = Trap::with_backtrace(TrapCode::Unreachable, frames).backtrace_display().to_string();
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), MAX_TRACE_LINES + 1, "{text}");
        assert_eq!(lines[0], "  0: func[0]");
        assert_eq!(lines[MAX_TRACE_LINES - 3], "  ... 88 more frames");
        assert_eq!(lines[MAX_TRACE_LINES], "  99: func[99]");
    }
}
