//! `errno`: the witx error codes, and how host I/O errors map onto them.

use std::fmt;
use std::io;

macro_rules! errnos {
    ($($name:ident = $n:literal $text:literal,)*) => {
        /// A WASI preview1 error code (`errno`, a `u16`), numbered as the witx defines them.
        ///
        /// ```
        /// let e = wisp_wasi::Errno::from(std::io::Error::from(std::io::ErrorKind::NotFound));
        /// assert_eq!(e, wisp_wasi::Errno::NoEnt);
        /// assert_eq!((e.name(), e as u16), ("noent", 44));
        /// assert_eq!(wisp_wasi::Errno::from_raw(76), Some(wisp_wasi::Errno::NotCapable));
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u16)]
        pub enum Errno {
            $(#[doc = concat!("`", $text, "` (", stringify!($n), ")")] $name = $n,)*
        }

        impl Errno {
            /// The witx name of the code (`"badf"`, `"notcapable"`, ...).
            pub fn name(self) -> &'static str {
                match self {
                    $(Errno::$name => $text,)*
                }
            }

            /// The code for a raw value, if it is one.
            pub fn from_raw(n: u16) -> Option<Errno> {
                match n {
                    $($n => Some(Errno::$name),)*
                    _ => None,
                }
            }
        }
    };
}

errnos! {
    Success = 0 "success", TooBig = 1 "2big", Acces = 2 "acces", AddrInUse = 3 "addrinuse",
    AddrNotAvail = 4 "addrnotavail", AfNoSupport = 5 "afnosupport", Again = 6 "again",
    Already = 7 "already", Badf = 8 "badf", BadMsg = 9 "badmsg", Busy = 10 "busy",
    Canceled = 11 "canceled", Child = 12 "child", ConnAborted = 13 "connaborted",
    ConnRefused = 14 "connrefused", ConnReset = 15 "connreset", Deadlk = 16 "deadlk",
    DestAddrReq = 17 "destaddrreq", Dom = 18 "dom", Dquot = 19 "dquot", Exist = 20 "exist",
    Fault = 21 "fault", Fbig = 22 "fbig", HostUnreach = 23 "hostunreach", Idrm = 24 "idrm",
    Ilseq = 25 "ilseq", InProgress = 26 "inprogress", Intr = 27 "intr", Inval = 28 "inval",
    Io = 29 "io", IsConn = 30 "isconn", IsDir = 31 "isdir", Loop = 32 "loop", Mfile = 33 "mfile",
    Mlink = 34 "mlink", MsgSize = 35 "msgsize", Multihop = 36 "multihop",
    NameTooLong = 37 "nametoolong", NetDown = 38 "netdown", NetReset = 39 "netreset",
    NetUnreach = 40 "netunreach", Nfile = 41 "nfile", NoBufs = 42 "nobufs", NoDev = 43 "nodev",
    NoEnt = 44 "noent", NoExec = 45 "noexec", NoLck = 46 "nolck", NoLink = 47 "nolink",
    NoMem = 48 "nomem", NoMsg = 49 "nomsg", NoProtoOpt = 50 "noprotoopt", NoSpc = 51 "nospc",
    NoSys = 52 "nosys", NotConn = 53 "notconn", NotDir = 54 "notdir", NotEmpty = 55 "notempty",
    NotRecoverable = 56 "notrecoverable", NotSock = 57 "notsock", NotSup = 58 "notsup",
    NoTty = 59 "notty", Nxio = 60 "nxio", Overflow = 61 "overflow", OwnerDead = 62 "ownerdead",
    Perm = 63 "perm", Pipe = 64 "pipe", Proto = 65 "proto", ProtoNoSupport = 66 "protonosupport",
    ProtoType = 67 "prototype", Range = 68 "range", Rofs = 69 "rofs", Spipe = 70 "spipe",
    Srch = 71 "srch", Stale = 72 "stale", TimedOut = 73 "timedout", TxtBsy = 74 "txtbsy",
    Xdev = 75 "xdev", NotCapable = 76 "notcapable",
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), *self as u16)
    }
}

impl std::error::Error for Errno {}

/// The result of a WASI function: its errno on failure.
pub type WasiResult<T> = Result<T, Errno>;

impl From<io::Error> for Errno {
    fn from(e: io::Error) -> Errno {
        if let Some(n) = e.raw_os_error() {
            if let Some(errno) = from_os(n) {
                return errno;
            }
        }
        from_kind(e.kind())
    }
}

fn from_kind(kind: io::ErrorKind) -> Errno {
    use io::ErrorKind as K;
    match kind {
        K::NotFound => Errno::NoEnt,
        K::PermissionDenied => Errno::Acces,
        K::ConnectionRefused => Errno::ConnRefused,
        K::ConnectionReset => Errno::ConnReset,
        K::ConnectionAborted => Errno::ConnAborted,
        K::NotConnected => Errno::NotConn,
        K::AddrInUse => Errno::AddrInUse,
        K::AddrNotAvailable => Errno::AddrNotAvail,
        K::BrokenPipe => Errno::Pipe,
        K::AlreadyExists => Errno::Exist,
        K::WouldBlock => Errno::Again,
        K::InvalidInput => Errno::Inval,
        K::InvalidData => Errno::Ilseq,
        K::TimedOut => Errno::TimedOut,
        K::Interrupted => Errno::Intr,
        K::Unsupported => Errno::NotSup,
        K::OutOfMemory => Errno::NoMem,
        _ => Errno::Io,
    }
}

/// Host `errno` numbers, where the platform's numbering is known. Linux numbers are the
/// generic ones (x86, arm, riscv); the BSD numbers cover macOS and the BSDs.
fn from_os(n: i32) -> Option<Errno> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let e = match n {
        1 => Errno::Perm,
        2 => Errno::NoEnt,
        4 => Errno::Intr,
        5 => Errno::Io,
        6 => Errno::Nxio,
        7 => Errno::TooBig,
        9 => Errno::Badf,
        11 => Errno::Again,
        12 => Errno::NoMem,
        13 => Errno::Acces,
        14 => Errno::Fault,
        16 => Errno::Busy,
        17 => Errno::Exist,
        18 => Errno::Xdev,
        19 => Errno::NoDev,
        20 => Errno::NotDir,
        21 => Errno::IsDir,
        22 => Errno::Inval,
        23 => Errno::Nfile,
        24 => Errno::Mfile,
        25 => Errno::NoTty,
        26 => Errno::TxtBsy,
        27 => Errno::Fbig,
        28 => Errno::NoSpc,
        29 => Errno::Spipe,
        30 => Errno::Rofs,
        31 => Errno::Mlink,
        32 => Errno::Pipe,
        36 => Errno::NameTooLong,
        38 => Errno::NoSys,
        39 => Errno::NotEmpty,
        40 => Errno::Loop,
        75 => Errno::Overflow,
        84 => Errno::Ilseq,
        95 => Errno::NotSup,
        116 => Errno::Stale,
        122 => Errno::Dquot,
        _ => return None,
    };
    #[cfg(any(
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly"
    ))]
    let e = match n {
        1 => Errno::Perm,
        2 => Errno::NoEnt,
        4 => Errno::Intr,
        5 => Errno::Io,
        6 => Errno::Nxio,
        7 => Errno::TooBig,
        9 => Errno::Badf,
        12 => Errno::NoMem,
        13 => Errno::Acces,
        14 => Errno::Fault,
        16 => Errno::Busy,
        17 => Errno::Exist,
        18 => Errno::Xdev,
        19 => Errno::NoDev,
        20 => Errno::NotDir,
        21 => Errno::IsDir,
        22 => Errno::Inval,
        23 => Errno::Nfile,
        24 => Errno::Mfile,
        25 => Errno::NoTty,
        26 => Errno::TxtBsy,
        27 => Errno::Fbig,
        28 => Errno::NoSpc,
        29 => Errno::Spipe,
        30 => Errno::Rofs,
        31 => Errno::Mlink,
        32 => Errno::Pipe,
        35 => Errno::Again,
        45 => Errno::NotSup,
        62 => Errno::Loop,
        63 => Errno::NameTooLong,
        66 => Errno::NotEmpty,
        69 => Errno::Dquot,
        70 => Errno::Stale,
        78 => Errno::NoSys,
        _ => return None,
    };
    #[cfg(not(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly"
    )))]
    let e = {
        let _ = n;
        return None;
    };
    Some(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_matches_witx() {
        assert_eq!(Errno::Badf as u16, 8);
        assert_eq!(Errno::Fault as u16, 21);
        assert_eq!(Errno::Inval as u16, 28);
        assert_eq!(Errno::NoEnt as u16, 44);
        assert_eq!(Errno::NotCapable as u16, 76);
        for n in 0..=76 {
            assert_eq!(Errno::from_raw(n).map(|e| e as u16), Some(n));
        }
        assert_eq!(Errno::from_raw(77), None);
    }

    #[test]
    fn io_errors_map() {
        let e = std::fs::metadata("/definitely/not/here/wisp").unwrap_err();
        assert_eq!(Errno::from(e), Errno::NoEnt);
        assert_eq!(Errno::from(io::Error::from(io::ErrorKind::AlreadyExists)), Errno::Exist);
    }
}
