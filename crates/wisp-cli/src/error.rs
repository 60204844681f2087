//! The CLI's failures: one class per distinct exit code, one line of message.

use std::fmt;
use std::path::Path;

/// What went wrong, as the exit code tells it. The table in `--help` and README.md is this enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// `wisp wast`: at least one check of a script failed.
    WastFailed,
    /// A bad command line: unknown option, missing operand, malformed option value.
    Usage,
    /// `wisp invoke`: wrong number of arguments, or one that does not parse as its parameter type.
    BadArguments,
    /// A file that does not exist or cannot be read (module, script, preopened directory).
    FileNotFound,
    /// The bytes are not a well-formed module (or a script does not parse).
    Malformed,
    /// The module is well-formed but does not validate.
    Invalid,
    /// An import the host does not provide, or provides with another type.
    MissingImport,
    /// The export does not exist or is not a function (`run`: no `_start`).
    UnknownExport,
    /// Wasm code trapped; the message carries the backtrace.
    Trap,
    /// Any other runtime failure: instantiation (a segment out of bounds), a host error.
    Runtime,
    /// A bug in wisp (a panic caught at the top).
    Internal,
}

impl Class {
    pub fn exit_code(self) -> u8 {
        match self {
            Class::WastFailed => 1,
            Class::Usage => 64,
            Class::BadArguments => 65,
            Class::FileNotFound => 66,
            Class::Malformed => 67,
            Class::Invalid => 68,
            Class::MissingImport => 69,
            Class::UnknownExport => 70,
            Class::Trap => 71,
            Class::Runtime => 72,
            Class::Internal => 101,
        }
    }
}

/// The exit code table, as shown at the end of `wisp --help` and in README.md.
pub const EXIT_CODES: &str = "\
Exit codes:
  0    success (run: `_start` returned or the guest exited with 0)
  N    run/invoke: the guest called WASI proc_exit(N) (low 8 bits, as a native process)
  1    wast: at least one check failed (a script that does not parse is one)
  64   usage: unknown option, missing operand, bad --dir/--env/--max-stack value
  65   invoke: wrong number of arguments, or one that does not parse as its type
  66   file not found or unreadable (module, script, preopened directory)
  67   malformed module
  68   invalid module (inspect: printed, then exits 68)
  69   missing or incompatible import
  70   unknown export, or not a function (run: no `_start`)
  71   trap (message and backtrace on stderr), including running out of --fuel
  72   other runtime failure (instantiation, host error)
  101  internal error (a bug in wisp)";

/// A failure to report: its class and a one-line message (a trap adds its backtrace lines).
#[derive(Debug)]
pub struct CliError {
    pub class: Class,
    pub message: String,
}

impl CliError {
    pub fn new(class: Class, message: impl Into<String>) -> Self {
        CliError { class, message: message.into() }
    }

    /// A file that could not be read, worded by the kind of I/O error.
    pub fn io(path: &Path, e: &std::io::Error) -> Self {
        CliError::new(Class::FileNotFound, format!("{}: {}", path.display(), io_reason(e)))
    }
}

/// An I/O error's reason without Rust's "(os error N)" suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Sorts an engine error into its class; `context` (the file, the export) prefixes the message.
pub fn from_wisp(context: &str, e: wisp::Error) -> CliError {
    let class = match &e {
        wisp::Error::Decode(_) | wisp::Error::Text(_) => Class::Malformed,
        wisp::Error::Validate(_) => Class::Invalid,
        wisp::Error::Link(_) => Class::MissingImport,
        wisp::Error::UnknownExport(_) => Class::UnknownExport,
        wisp::Error::Signature(_) => Class::BadArguments,
        wisp::Error::Trap(_) => Class::Trap,
        wisp::Error::Instantiate(_) | wisp::Error::Host(_) | wisp::Error::Usage(_) => Class::Runtime,
        // Callers turn an exit into the process's status before this; it is never an error.
        wisp::Error::Exit(_) => Class::Runtime,
        // The engine may grow new errors (fuel, memory limits) before this table learns them.
        #[allow(unreachable_patterns)]
        _ => Class::Runtime,
    };
    let text = match &e {
        wisp::Error::Trap(t) => format_trap(t),
        other => other.to_string(),
    };
    if context.is_empty() {
        CliError::new(class, text)
    } else {
        CliError::new(class, format!("{context}: {text}"))
    }
}

/// Most backtrace lines printed; a deeper trace keeps its innermost and outermost frames.
const MAX_TRACE_LINES: usize = 40;

/// `wasm trap: CODE` and the backtrace, innermost first, one line per run of equal frames
/// (a stack overflow is tens of thousands of the same frame).
pub fn format_trap(t: &wisp::Trap) -> String {
    let mut runs: Vec<(usize, usize, &wisp::FrameInfo)> = Vec::new(); // (first index, count, frame)
    for (i, f) in t.backtrace().iter().enumerate() {
        match runs.last_mut() {
            Some((_, n, last)) if *last == f => *n += 1,
            _ => runs.push((i, 1, f)),
        }
    }
    // A frame prints as `func[3] div at offset 0x1a2` (wisp's `FrameInfo` display).
    let line = |(first, n, f): &(usize, usize, &wisp::FrameInfo)| {
        if *n == 1 {
            format!("\n  {first}: {f}")
        } else {
            format!("\n  {first}..={}: {f} ({n} frames)", first + n - 1)
        }
    };
    let mut s = format!("wasm trap: {}", t.code());
    if runs.len() <= MAX_TRACE_LINES {
        runs.iter().for_each(|r| s.push_str(&line(r)));
    } else {
        let tail = 5;
        let head = MAX_TRACE_LINES - tail;
        runs[..head].iter().for_each(|r| s.push_str(&line(r)));
        let hidden: usize = runs[head..runs.len() - tail].iter().map(|r| r.1).sum();
        s.push_str(&format!("\n  ... {hidden} more frames ..."));
        runs[runs.len() - tail..].iter().for_each(|r| s.push_str(&line(r)));
    }
    s
}

pub type CliResult<T> = Result<T, CliError>;
