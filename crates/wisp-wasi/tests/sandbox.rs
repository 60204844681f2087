//! The sandbox: the guest reaches only its preopens. Each test is one way out, and each must
//! fail with `ENOTCAPABLE` (76) while the same operation inside the sandbox works.

mod support;

use support::guest::Guest;
use support::TempDir;
use wisp::Engine;

const ENOTCAPABLE: i32 = 76;
const ELOOP: i32 = 32;
const ALL: u64 = u64::MAX >> 34;
const READ: u64 = 1 << 1;
const WRITE: u64 = 1 << 6;
const O_CREAT: i64 = 1;
const O_DIRECTORY: i64 = 2;
const O_TRUNC: i64 = 8;

/// A temp dir holding `canary` (outside) and `sandbox/` (the preopen, fd 3) with `file`,
/// `sub/inner`.
struct World {
    outer: TempDir,
    g: Guest,
}

impl World {
    fn new(tag: &str, read_only: bool) -> World {
        let outer = TempDir::new(tag);
        std::fs::write(outer.path().join("canary"), b"secret").unwrap();
        let sb = outer.path().join("sandbox");
        std::fs::create_dir_all(sb.join("sub")).unwrap();
        std::fs::write(sb.join("file"), b"inside").unwrap();
        std::fs::write(sb.join("sub/inner"), b"inner").unwrap();
        let engine = Engine::default();
        let module = support::guest::module(&engine);
        let g = Guest::new(&engine, &module, &sb, read_only, true);
        World { outer, g }
    }

    fn sandbox(&self) -> std::path::PathBuf {
        self.outer.path().join("sandbox")
    }

    fn open(&mut self, path: &str) -> i32 {
        self.g.open(path, 0, READ, 0).0
    }

    fn stat(&mut self, path: &str, follow: bool) -> i32 {
        let (p, l) = self.g.str(2000, path);
        self.g.errno("path_filestat_get", &[3, follow as i64, p, l, 3000])
    }

    fn read_fd(&mut self, fd: i32) -> Vec<u8> {
        self.g.write(100, &[0, 4, 0, 0, 64, 0, 0, 0]); // iovec {1024, 64}
        assert_eq!(self.g.errno("fd_read", &[fd as i64, 100, 1, 200]), 0);
        let n = self.g.u32_at(200) as usize;
        self.g.read(1024, n)
    }

    #[cfg(unix)]
    fn host_symlink(&self, target: &str, at: &str) {
        std::os::unix::fs::symlink(target, self.sandbox().join(at)).unwrap();
    }
}

#[test]
fn inside_works() {
    let mut w = World::new("inside", false);
    let (e, fd) = w.g.open("sub/../file", 0, READ, 0);
    assert_eq!(e, 0);
    assert_eq!(w.read_fd(fd), b"inside");
    assert_eq!(w.stat("./sub/./inner", true), 0);
    assert_eq!(w.g.u64_at(3000 + 32), 5, "filestat.size");
}

#[test]
fn dotdot_past_the_root() {
    let mut w = World::new("dotdot", false);
    for p in ["..", "../canary", "sub/../../canary", "sub/../..", "./../sandbox/file", "sub/../sub/../../canary"] {
        assert_eq!(w.open(p), ENOTCAPABLE, "open {p}");
        assert_eq!(w.stat(p, true), ENOTCAPABLE, "stat {p}");
    }
    let (p, l) = w.g.str(2000, "../escaped");
    assert_eq!(w.g.errno("path_create_directory", &[3, p, l]), ENOTCAPABLE);
    let (o, ol) = w.g.str(2100, "file");
    assert_eq!(w.g.errno("path_rename", &[3, o, ol, 3, p, l]), ENOTCAPABLE);
    assert_eq!(w.g.errno("path_link", &[3, 0, o, ol, 3, p, l]), ENOTCAPABLE);
    assert!(!w.outer.path().join("escaped").exists());
}

#[test]
fn absolute_paths() {
    let mut w = World::new("absolute", false);
    let canary = w.outer.path().join("canary").to_string_lossy().into_owned();
    for p in ["/", "/etc/passwd", canary.as_str(), "//file"] {
        assert_eq!(w.open(p), ENOTCAPABLE, "open {p}");
        assert_eq!(w.stat(p, false), ENOTCAPABLE, "stat {p}");
    }
}

#[cfg(unix)]
#[test]
fn existing_symlinks_leading_outside() {
    let mut w = World::new("symlinks", false);
    let canary = w.outer.path().join("canary").to_string_lossy().into_owned();
    w.host_symlink(&canary, "abs");
    w.host_symlink("../canary", "rel");
    w.host_symlink("..", "up");
    w.host_symlink("hop2", "hop1");
    w.host_symlink("sub/../..", "hop2");
    w.host_symlink("/", "root");
    for p in ["abs", "rel", "up/canary", "hop1/canary", "hop1", "root/etc/passwd", "sub/../rel"] {
        assert_eq!(w.open(p), ENOTCAPABLE, "open {p}");
        assert_eq!(w.stat(p, true), ENOTCAPABLE, "stat {p}");
    }
    // Not following the final link looks at the link itself, which is inside.
    assert_eq!(w.stat("abs", false), 0);
    assert_eq!(w.g.read(3000 + 16, 1), [7], "filetype symbolic_link");
    // Opening a final symlink without symlink_follow is ELOOP (O_NOFOLLOW), never a follow.
    let (p, l) = w.g.str(1000, "rel");
    assert_eq!(w.g.errno("path_open", &[3, 0, p, l, 0, READ as i64, 0, 0, 996]), ELOOP);
    // A hard link through an escaping link would pull the outside in.
    let (n, nl) = w.g.str(2100, "stolen");
    assert_eq!(w.g.errno("path_link", &[3, 1, p, l, 3, n, nl]), ENOTCAPABLE);
    assert!(!w.sandbox().join("stolen").exists());
    // Links that stay inside work.
    w.host_symlink("sub/inner", "good");
    w.host_symlink("../file", "sub/back");
    let (e, fd) = w.g.open("good", 0, READ, 0);
    assert_eq!(e, 0);
    assert_eq!(w.read_fd(fd), b"inner");
    let (e, fd) = w.g.open("sub/back", 0, READ, 0);
    assert_eq!(e, 0);
    assert_eq!(w.read_fd(fd), b"inside");
}

#[cfg(unix)]
#[test]
fn symlink_loops() {
    let mut w = World::new("loops", false);
    w.host_symlink("b", "a");
    w.host_symlink("a", "b");
    w.host_symlink("self/x", "self");
    assert_eq!(w.open("a"), ELOOP);
    assert_eq!(w.open("self"), ELOOP);
}

#[cfg(unix)]
#[test]
fn guest_created_symlinks_leading_outside() {
    let mut w = World::new("guestlinks", false);
    let symlink = |w: &mut World, target: &str, at: &str| {
        let (t, tl) = w.g.str(2000, target);
        let (p, l) = w.g.str(2200, at);
        w.g.errno("path_symlink", &[t, tl, 3, p, l])
    };
    for (target, at) in [("../canary", "l1"), ("/etc", "l2"), ("sub/../../canary", "l3"), ("../../canary", "sub/l4")] {
        assert_eq!(symlink(&mut w, target, at), ENOTCAPABLE, "symlink {at} -> {target}");
        assert!(std::fs::symlink_metadata(w.sandbox().join(at)).is_err(), "{at} was created");
    }
    // Inside targets are fine, also from a subdirectory.
    assert_eq!(symlink(&mut w, "file", "ok"), 0);
    assert_eq!(symlink(&mut w, "../file", "sub/ok2"), 0);
    let (e, fd) = w.g.open("sub/ok2", 0, READ, 0);
    assert_eq!(e, 0);
    assert_eq!(w.read_fd(fd), b"inside");
    // Moved one level up, the same link would point outside: following it is refused.
    let (o, ol) = w.g.str(2000, "sub/ok2");
    let (n, nl) = w.g.str(2100, "moved");
    assert_eq!(w.g.errno("path_rename", &[3, o, ol, 3, n, nl]), 0);
    assert_eq!(w.open("moved"), ENOTCAPABLE);
}

/// A directory fd is a capability of its own: `..` cannot climb out of it, even into the
/// preopen that contains it.
#[test]
fn directory_fd_is_its_own_root() {
    let mut w = World::new("dirfd", false);
    let (e, sub) = w.g.open("sub", O_DIRECTORY, ALL & !WRITE, 0);
    assert_eq!(e, 0);
    let sub = sub as i64;
    assert_eq!(w.g.open_at(sub, "inner", 1, 0, READ, 0).0, 0);
    assert_eq!(w.g.open_at(sub, "../file", 1, 0, READ, 0).0, ENOTCAPABLE);
    assert_eq!(w.g.open_at(sub, "..", 1, O_DIRECTORY, ALL & !WRITE, 0).0, ENOTCAPABLE);
}

/// The guest replaces a directory it holds an fd for with a symlink; the fd must not follow.
#[cfg(unix)]
#[test]
fn directory_fd_swapped_for_a_symlink() {
    let mut w = World::new("swap", false);
    let (e, sub) = w.g.open("sub", O_DIRECTORY, ALL & !WRITE, 0);
    assert_eq!(e, 0);
    let sub = sub as i64;
    // Move sub away and put a link in its place (the guest could do this with rename).
    std::fs::rename(w.sandbox().join("sub"), w.sandbox().join("gone")).unwrap();
    w.host_symlink("..", "sub");
    assert_eq!(w.g.open_at(sub, "canary", 1, 0, READ, 0).0, ENOTCAPABLE);
    assert_eq!(w.g.open_at(sub, "sandbox/file", 1, 0, READ, 0).0, ENOTCAPABLE);
}

#[test]
fn read_only_preopen_enforces_rights() {
    let mut w = World::new("readonly", true);
    // Reading works, Go-style rights (which include bits that do not apply) and all.
    let (e, fd) = w.g.open("file", 0, ALL & !WRITE, 0);
    assert_eq!(e, 0);
    assert_eq!(w.read_fd(fd), b"inside");
    let fd = fd as i64;
    // The opened file has no write rights, and cannot regain them.
    w.g.write(100, &[0, 4, 0, 0, 4, 0, 0, 0]);
    assert_eq!(w.g.errno("fd_write", &[fd, 100, 1, 200]), ENOTCAPABLE);
    assert_eq!(w.g.errno("fd_filestat_set_size", &[fd, 0]), ENOTCAPABLE);
    assert_eq!(w.g.errno("fd_fdstat_set_rights", &[fd, -1, -1]), ENOTCAPABLE);
    // Opening for writing, creating and truncating fail at open.
    assert_eq!(w.g.open("file", 0, READ | WRITE, 0).0, ENOTCAPABLE);
    assert_eq!(w.g.open("new", O_CREAT, READ, 0).0, ENOTCAPABLE);
    assert_eq!(w.g.open("file", O_TRUNC, READ, 0).0, ENOTCAPABLE);
    // No change to the tree through any path_* function, nor through subdirectory fds.
    let (p, l) = w.g.str(2000, "file");
    let (n, nl) = w.g.str(2100, "other");
    let (d, dl) = w.g.str(2200, "sub");
    assert_eq!(w.g.errno("path_create_directory", &[3, n, nl]), ENOTCAPABLE);
    assert_eq!(w.g.errno("path_unlink_file", &[3, p, l]), ENOTCAPABLE);
    assert_eq!(w.g.errno("path_remove_directory", &[3, d, dl]), ENOTCAPABLE);
    assert_eq!(w.g.errno("path_rename", &[3, p, l, 3, n, nl]), ENOTCAPABLE);
    assert_eq!(w.g.errno("path_link", &[3, 0, p, l, 3, n, nl]), ENOTCAPABLE);
    assert_eq!(w.g.errno("path_symlink", &[p, l, 3, n, nl]), ENOTCAPABLE);
    assert_eq!(w.g.errno("path_filestat_set_times", &[3, 1, p, l, 0, 0, 0b1010]), ENOTCAPABLE);
    let (e, sub) = w.g.open("sub", O_DIRECTORY, ALL & !WRITE, 0);
    assert_eq!(e, 0);
    let (i, il) = w.g.str(2300, "inner");
    assert_eq!(w.g.errno("path_unlink_file", &[sub as i64, i, il]), ENOTCAPABLE);
    assert_eq!(w.g.open_at(sub as i64, "inner", 1, 0, READ | WRITE, 0).0, ENOTCAPABLE);
    assert_eq!(w.g.errno("fd_fdstat_set_rights", &[3, -1, -1]), ENOTCAPABLE);
    // Everything is as it was.
    assert_eq!(std::fs::read(w.sandbox().join("file")).unwrap(), b"inside");
    assert_eq!(std::fs::read(w.sandbox().join("sub/inner")).unwrap(), b"inner");
    assert!(!w.sandbox().join("other").exists());
}

/// `.` and `..` name no directory entry: the capability's own directory cannot be removed or
/// renamed through them.
#[test]
fn the_root_itself_cannot_be_removed() {
    let mut w = World::new("rootdir", false);
    for p in [".", "sub/..", "./"] {
        let (a, al) = w.g.str(2000, p);
        assert_ne!(w.g.errno("path_remove_directory", &[3, a, al]), 0, "rmdir {p}");
        assert_ne!(w.g.errno("path_unlink_file", &[3, a, al]), 0, "unlink {p}");
        let (n, nl) = w.g.str(2100, "x");
        assert_ne!(w.g.errno("path_rename", &[3, a, al, 3, n, nl]), 0, "rename {p}");
    }
    assert!(w.sandbox().join("file").exists());
}

#[test]
fn nul_bytes_in_paths() {
    let mut w = World::new("nul", false);
    w.g.write(2000, b"file\0/../../canary");
    assert_eq!(w.g.errno("path_open", &[3, 1, 2000, 18, 0, READ as i64, 0, 0, 996]), 28);
}

/// The rights Go 1.24's `syscall.openat` asks for (syscall/fs_wasip1.go): `fileRights` (bits
/// 0-27) as inheriting, and without `writeRights` as base for `O_RDONLY`, directories too.
const GO_FILE_RIGHTS: u64 = (1 << 28) - 1;
const GO_WRITE_RIGHTS: u64 = 1 | (1 << 6) | (1 << 8) | (1 << 19);
const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;

impl World {
    /// `path_open` of a directory as Go's `os.OpenRoot` does it; returns (errno, fd).
    fn go_open_dir(&mut self, path: &str) -> (i32, i64) {
        let (p, l) = self.g.str(1000, path);
        let args = [3, 1, p, l, 0, (GO_FILE_RIGHTS & !GO_WRITE_RIGHTS) as i64, GO_FILE_RIGHTS as i64, 0, 996];
        let e = self.g.errno("path_open", &args);
        (e, i64::from(self.g.u32_at(996)))
    }

    /// `path_open` under `dir` as Go's `Root.OpenFile(name, O_RDWR|flags)` does it.
    fn go_open_rw(&mut self, dir: i64, name: &str, oflags: i64) -> i32 {
        let (p, l) = self.g.str(1000, name);
        let args = [dir, 0, p, l, oflags, GO_FILE_RIGHTS as i64, GO_FILE_RIGHTS as i64, 0, 996];
        self.g.errno("path_open", &args)
    }

    fn base_rights(&mut self, fd: i64) -> u64 {
        assert_eq!(self.g.errno("fd_fdstat_get", &[fd, 3000]), 0);
        self.g.u64_at(3000 + 8)
    }
}

/// A directory the guest opened itself, with the read-only rights Go asks for, can create and
/// truncate files when its tree is writable (Go's `os.Root.Create`), keeping an existing
/// file's permissions; in a read-only tree it still cannot.
#[test]
fn directories_opened_the_go_way_serve_as_roots() {
    let mut w = World::new("goroot", false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let inner = w.sandbox().join("sub/inner");
        std::fs::set_permissions(&inner, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let (e, sub) = w.go_open_dir("sub");
    assert_eq!(e, 0);
    assert_ne!(w.base_rights(sub) & PATH_FILESTAT_SET_SIZE, 0);
    assert_eq!(w.go_open_rw(sub, "inner", O_CREAT | O_TRUNC), 0);
    assert_eq!(std::fs::read(w.sandbox().join("sub/inner")).unwrap(), b"");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(w.sandbox().join("sub/inner")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640, "truncating keeps the mode");
    }
    assert_eq!(w.go_open_rw(sub, "created", O_CREAT | O_TRUNC), 0);
    assert!(w.sandbox().join("sub/created").is_file());
    // Still its own root.
    assert_eq!(w.go_open_rw(sub, "../file", O_TRUNC), ENOTCAPABLE);
    assert_eq!(std::fs::read(w.sandbox().join("file")).unwrap(), b"inside");

    let mut w = World::new("goroot-ro", true);
    let (e, sub) = w.go_open_dir("sub");
    assert_eq!(e, 0);
    assert_eq!(w.base_rights(sub) & PATH_FILESTAT_SET_SIZE, 0);
    assert_eq!(w.go_open_rw(sub, "inner", O_TRUNC), ENOTCAPABLE);
    assert_eq!(w.go_open_rw(sub, "created", O_CREAT), ENOTCAPABLE);
    assert_eq!(std::fs::read(w.sandbox().join("sub/inner")).unwrap(), b"inner");
    assert!(!w.sandbox().join("sub/created").exists());
}
