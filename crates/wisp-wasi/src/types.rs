//! The witx types of `wasi_snapshot_preview1`: flag bits, enum values and struct layouts.
//! Layouts are little-endian with C alignment, as the witx `typenames.witx` defines them.

pub type Rights = u64;

pub mod rights {
    use super::Rights;
    pub const FD_DATASYNC: Rights = 1 << 0;
    pub const FD_READ: Rights = 1 << 1;
    pub const FD_SEEK: Rights = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: Rights = 1 << 3;
    pub const FD_SYNC: Rights = 1 << 4;
    pub const FD_TELL: Rights = 1 << 5;
    pub const FD_WRITE: Rights = 1 << 6;
    pub const FD_ADVISE: Rights = 1 << 7;
    pub const FD_ALLOCATE: Rights = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: Rights = 1 << 9;
    pub const PATH_CREATE_FILE: Rights = 1 << 10;
    pub const PATH_LINK_SOURCE: Rights = 1 << 11;
    pub const PATH_LINK_TARGET: Rights = 1 << 12;
    pub const PATH_OPEN: Rights = 1 << 13;
    pub const FD_READDIR: Rights = 1 << 14;
    pub const PATH_READLINK: Rights = 1 << 15;
    pub const PATH_RENAME_SOURCE: Rights = 1 << 16;
    pub const PATH_RENAME_TARGET: Rights = 1 << 17;
    pub const PATH_FILESTAT_GET: Rights = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: Rights = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: Rights = 1 << 20;
    pub const FD_FILESTAT_GET: Rights = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: Rights = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: Rights = 1 << 23;
    pub const PATH_SYMLINK: Rights = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: Rights = 1 << 25;
    pub const PATH_UNLINK_FILE: Rights = 1 << 26;
    pub const POLL_FD_READWRITE: Rights = 1 << 27;
    pub const SOCK_SHUTDOWN: Rights = 1 << 28;
    pub const SOCK_ACCEPT: Rights = 1 << 29;

    /// Rights that apply to a regular file.
    pub const FILE: Rights = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;

    /// Rights that apply to a directory.
    pub const DIR: Rights = FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_ADVISE
        | PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE;

    /// Rights that change the file system; a read-only preopen never grants them.
    pub const MUTATING: Rights = FD_DATASYNC
        | FD_WRITE
        | FD_ALLOCATE
        | PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE;
}

pub mod filetype {
    pub const UNKNOWN: u8 = 0;
    pub const BLOCK_DEVICE: u8 = 1;
    pub const CHARACTER_DEVICE: u8 = 2;
    pub const DIRECTORY: u8 = 3;
    pub const REGULAR_FILE: u8 = 4;
    pub const SOCKET_DGRAM: u8 = 5;
    pub const SOCKET_STREAM: u8 = 6;
    pub const SYMBOLIC_LINK: u8 = 7;
}

pub mod fdflags {
    pub const APPEND: u16 = 1 << 0;
    pub const DSYNC: u16 = 1 << 1;
    pub const NONBLOCK: u16 = 1 << 2;
    pub const RSYNC: u16 = 1 << 3;
    pub const SYNC: u16 = 1 << 4;
    pub const ALL: u16 = APPEND | DSYNC | NONBLOCK | RSYNC | SYNC;
}

pub mod oflags {
    pub const CREAT: u16 = 1 << 0;
    pub const DIRECTORY: u16 = 1 << 1;
    pub const EXCL: u16 = 1 << 2;
    pub const TRUNC: u16 = 1 << 3;
    pub const ALL: u16 = CREAT | DIRECTORY | EXCL | TRUNC;
}

pub mod lookupflags {
    pub const SYMLINK_FOLLOW: u32 = 1 << 0;
}

pub mod fstflags {
    pub const ATIM: u16 = 1 << 0;
    pub const ATIM_NOW: u16 = 1 << 1;
    pub const MTIM: u16 = 1 << 2;
    pub const MTIM_NOW: u16 = 1 << 3;
    pub const ALL: u16 = ATIM | ATIM_NOW | MTIM | MTIM_NOW;
}

pub mod whence {
    pub const SET: u8 = 0;
    pub const CUR: u8 = 1;
    pub const END: u8 = 2;
}

pub mod clockid {
    pub const REALTIME: u32 = 0;
    pub const MONOTONIC: u32 = 1;
    pub const PROCESS_CPUTIME_ID: u32 = 2;
    pub const THREAD_CPUTIME_ID: u32 = 3;
}

pub mod eventtype {
    pub const CLOCK: u8 = 0;
    pub const FD_READ: u8 = 1;
    pub const FD_WRITE: u8 = 2;
}

pub const EVENTRWFLAGS_HANGUP: u16 = 1;
pub const SUBCLOCKFLAGS_ABSTIME: u16 = 1;
pub const PREOPENTYPE_DIR: u8 = 0;
pub const RIFLAGS_ALL: u16 = 0b11;
pub const SDFLAGS_ALL: u8 = 0b11;
/// `signal` values run from `none` (0) to `sys` (30).
pub const SIGNAL_MAX: u8 = 30;
/// `advice` values run from `normal` (0) to `noreuse` (5).
pub const ADVICE_MAX: u8 = 5;

/// Struct sizes, for bounds checks before anything is written.
pub mod size {
    pub const IOVEC: u32 = 8;
    pub const FDSTAT: u32 = 24;
    pub const FILESTAT: u32 = 64;
    pub const DIRENT: u32 = 24;
    pub const PRESTAT: u32 = 8;
    pub const SUBSCRIPTION: u32 = 48;
    pub const EVENT: u32 = 32;
}
