//! The functions' observable behaviour: struct layouts byte by byte, stdio, files, directories,
//! clocks, randomness and `poll_oneoff`, as a guest sees them.

mod support;

use support::guest::Guest;
use support::TempDir;
use wisp::Engine;
use wisp_wasi::{Pipe, Stdio, WasiCtx};

const ALL: u64 = u64::MAX >> 34;
const O_CREAT: i64 = 1;
const O_DIRECTORY: i64 = 2;
const O_EXCL: i64 = 4;
const APPEND: i64 = 1;
const NONBLOCK: i64 = 4;

fn guest(tag: &str) -> (TempDir, Guest) {
    let engine = Engine::default();
    let module = support::guest::module(&engine);
    let dir = TempDir::new(tag);
    let g = Guest::new(&engine, &module, dir.path(), false, true);
    (dir, g)
}

fn iovec(g: &mut Guest, at: usize, buf: u32, len: u32) {
    let mut b = buf.to_le_bytes().to_vec();
    b.extend_from_slice(&len.to_le_bytes());
    g.write(at, &b);
}

#[test]
fn args_and_environ_layout() {
    let (_d, mut g) = guest("args");
    assert_eq!(g.errno("args_sizes_get", &[0, 4]), 0);
    assert_eq!((g.u32_at(0), g.u32_at(4)), (2, 9)); // "guest\0a1\0"
    assert_eq!(g.errno("args_get", &[100, 200]), 0);
    assert_eq!((g.u32_at(100), g.u32_at(104)), (200, 206));
    assert_eq!(g.read(200, 9), b"guest\0a1\0");
    assert_eq!(g.errno("environ_sizes_get", &[0, 4]), 0);
    assert_eq!((g.u32_at(0), g.u32_at(4)), (1, 4));
    assert_eq!(g.errno("environ_get", &[100, 200]), 0);
    assert_eq!(g.u32_at(100), 200);
    assert_eq!(g.read(200, 4), b"K=V\0");
}

#[test]
fn stdio_pipes_and_fdstat_layout() {
    let (_d, mut g) = guest("stdio");
    g.write(500, b"hello, ");
    g.write(600, b"pipe\n");
    iovec(&mut g, 0, 500, 7);
    iovec(&mut g, 8, 600, 5);
    assert_eq!(g.errno("fd_write", &[1, 0, 2, 100]), 0);
    assert_eq!(g.u32_at(100), 12);
    assert_eq!(g.stdout.contents(), b"hello, pipe\n");
    // stdin: "input", then EOF.
    iovec(&mut g, 0, 700, 3);
    assert_eq!(g.errno("fd_read", &[0, 0, 1, 100]), 0);
    assert_eq!((g.u32_at(100), g.read(700, 3)), (3, b"inp".to_vec()));
    iovec(&mut g, 0, 700, 100);
    assert_eq!(g.errno("fd_read", &[0, 0, 1, 100]), 0);
    assert_eq!(g.u32_at(100), 2);
    assert_eq!(g.errno("fd_read", &[0, 0, 1, 100]), 0);
    assert_eq!(g.u32_at(100), 0);
    // fdstat: 24 bytes; Go's startup sets NONBLOCK on stdio and reads it back.
    assert_eq!(g.errno("fd_fdstat_set_flags", &[1, NONBLOCK]), 0);
    g.write(300, &[0xAA; 24]);
    assert_eq!(g.errno("fd_fdstat_get", &[1, 300]), 0);
    let st = g.read(300, 24);
    assert_eq!(st[0], 0, "filetype unknown for a pipe");
    assert_eq!(u16::from_le_bytes([st[2], st[3]]), NONBLOCK as u16);
    let base = u64::from_le_bytes(st[8..16].try_into().unwrap());
    assert_ne!(base & (1 << 6), 0, "fd_write right");
    assert_eq!(base & (1 << 1), 0, "no fd_read right on stdout");
    assert_eq!(u64::from_le_bytes(st[16..24].try_into().unwrap()), 0);
    // Streams do not seek.
    assert_eq!(g.errno("fd_seek", &[1, 0, 1, 0]), 70);
    assert_eq!(g.errno("fd_tell", &[0, 0]), 70);
}

#[test]
fn closed_stdio_is_ebadf() {
    let engine = Engine::default();
    let module = support::guest::module(&engine);
    let mut store = wisp::Store::new(&engine, WasiCtx::builder().stdout(Stdio::Closed).build());
    let mut linker = wisp::Linker::new(&engine);
    wisp_wasi::add_to_linker(&mut linker, |c| c).unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let f = inst.get_typed_func::<(i32, i32, i32, i32), i32>(&store, "fd_write").unwrap();
    assert_eq!(f.call(&mut store, (1, 0, 0, 0)).unwrap(), 8);
    let f = inst.get_typed_func::<(i32, i32), i32>(&store, "fd_prestat_get").unwrap();
    assert_eq!(f.call(&mut store, (3, 0)).unwrap(), 8, "no preopens");
}

#[test]
fn prestat_layout() {
    let (_d, mut g) = guest("prestat");
    g.write(0, &[0xAA; 8]);
    assert_eq!(g.errno("fd_prestat_get", &[3, 0]), 0);
    assert_eq!(g.read(0, 8), [0, 0, 0, 0, 8, 0, 0, 0], "tag dir, padding zeroed, name length");
    assert_eq!(g.errno("fd_prestat_dir_name", &[3, 100, 8]), 0);
    assert_eq!(g.read(100, 8), b"/sandbox");
    assert_eq!(g.errno("fd_prestat_dir_name", &[3, 100, 7]), 37);
    // Not a preopen: stdio, and the end of the list.
    assert_eq!(g.errno("fd_prestat_get", &[1, 0]), 8);
    assert_eq!(g.errno("fd_prestat_get", &[4, 0]), 8);
}

#[test]
fn files_read_write_seek_stat() {
    let (dir, mut g) = guest("files");
    let (e, fd) = g.open("f.txt", O_CREAT | O_EXCL, ALL, 0);
    assert_eq!(e, 0);
    assert_eq!(fd, 4, "lowest free fd after the preopen");
    let fd = fd as i64;
    assert_eq!(g.open("f.txt", O_CREAT | O_EXCL, ALL, 0).0, 20, "EEXIST");
    g.write(500, b"hello world");
    iovec(&mut g, 0, 500, 11);
    assert_eq!(g.errno("fd_write", &[fd, 0, 1, 100]), 0);
    assert_eq!(g.errno("fd_tell", &[fd, 100]), 0);
    assert_eq!(g.u64_at(100), 11);
    assert_eq!(g.errno("fd_seek", &[fd, -5, 2, 100]), 0);
    assert_eq!(g.u64_at(100), 6);
    iovec(&mut g, 0, 800, 100);
    assert_eq!(g.errno("fd_read", &[fd, 0, 1, 100]), 0);
    assert_eq!(g.read(800, g.u32_at(100) as usize), b"world");
    // pread/pwrite leave the position alone.
    iovec(&mut g, 0, 900, 4);
    assert_eq!(g.errno("fd_pread", &[fd, 0, 1, 1, 100]), 0);
    assert_eq!(g.read(900, 4), b"ello");
    g.write(500, b"J");
    iovec(&mut g, 0, 500, 1);
    assert_eq!(g.errno("fd_pwrite", &[fd, 0, 1, 0, 100]), 0);
    assert_eq!(g.errno("fd_tell", &[fd, 100]), 0);
    assert_eq!(g.u64_at(100), 11);
    // filestat: 64 bytes.
    g.write(300, &[0xAA; 64]);
    assert_eq!(g.errno("fd_filestat_get", &[fd, 300]), 0);
    let st = g.read(300, 64);
    assert_eq!(st[16], 4, "regular_file");
    assert_eq!(&st[17..24], &[0; 7], "padding zeroed");
    assert_eq!(u64::from_le_bytes(st[24..32].try_into().unwrap()), 1, "nlink");
    assert_eq!(u64::from_le_bytes(st[32..40].try_into().unwrap()), 11, "size");
    // times, size, allocate, sync
    assert_eq!(g.errno("fd_filestat_set_times", &[fd, 0, 1_000_000_000_123, 0b0100]), 0);
    assert_eq!(g.errno("fd_filestat_get", &[fd, 300]), 0);
    assert_eq!(g.u64_at(300 + 48), 1_000_000_000_123);
    assert_eq!(g.errno("fd_filestat_set_size", &[fd, 3]), 0);
    assert_eq!(g.errno("fd_allocate", &[fd, 0, 8]), 0);
    assert_eq!(g.errno("fd_sync", &[fd]), 0);
    assert_eq!(g.errno("fd_datasync", &[fd]), 0);
    assert_eq!(g.errno("fd_advise", &[fd, 0, 0, 1]), 0);
    assert_eq!(std::fs::read(dir.path().join("f.txt")).unwrap(), b"Jel\0\0\0\0\0");
    // append flag, set later as Go's SetNonblock does
    assert_eq!(g.errno("fd_fdstat_set_flags", &[fd, APPEND | NONBLOCK]), 0);
    assert_eq!(g.errno("fd_seek", &[fd, 0, 0, 100]), 0);
    g.write(500, b"!");
    iovec(&mut g, 0, 500, 1);
    assert_eq!(g.errno("fd_write", &[fd, 0, 1, 100]), 0);
    assert_eq!(std::fs::read(dir.path().join("f.txt")).unwrap(), b"Jel\0\0\0\0\0!");
    // renumber onto stdin's slot, then close
    assert_eq!(g.errno("fd_renumber", &[fd, 0]), 0);
    assert_eq!(g.errno("fd_tell", &[fd, 100]), 8);
    assert_eq!(g.errno("fd_close", &[0]), 0);
    assert_eq!(g.errno("fd_close", &[0]), 8);
}

#[test]
fn directories_and_readdir_cookies() {
    let (dir, mut g) = guest("readdir");
    for n in ["b", "a", "c"] {
        std::fs::write(dir.path().join(n), n).unwrap();
    }
    let (p, l) = g.str(2000, "d");
    assert_eq!(g.errno("path_create_directory", &[3, p, l]), 0);
    assert_eq!(g.errno("path_create_directory", &[3, p, l]), 20);
    // One big read: ., .., a, b, c, d in order, each 24 bytes + name.
    assert_eq!(g.errno("fd_readdir", &[3, 4096, 4096, 0, 100]), 0);
    let used = g.u32_at(100) as usize;
    let buf = g.read(4096, used);
    let mut names = Vec::new();
    let mut at = 0;
    let mut cookies = Vec::new();
    while at < buf.len() {
        let next = u64::from_le_bytes(buf[at..at + 8].try_into().unwrap());
        let len = u32::from_le_bytes(buf[at + 16..at + 20].try_into().unwrap()) as usize;
        let ty = buf[at + 20];
        names.push((String::from_utf8(buf[at + 24..at + 24 + len].to_vec()).unwrap(), ty));
        cookies.push(next);
        at += 24 + len;
    }
    let expect: Vec<(String, u8)> = [(".", 3), ("..", 3), ("a", 4), ("b", 4), ("c", 4), ("d", 3)]
        .iter()
        .map(|&(n, t)| (n.to_string(), t))
        .collect();
    assert_eq!(names, expect);
    assert_eq!(cookies, [1, 2, 3, 4, 5, 6]);
    // A small buffer is filled completely (the last entry cut), and the cookie continues.
    assert_eq!(g.errno("fd_readdir", &[3, 4096, 30, 0, 100]), 0);
    assert_eq!(g.u32_at(100), 30);
    assert_eq!(g.errno("fd_readdir", &[3, 4096, 4096, 4, 100]), 0);
    assert_eq!(g.u32_at(100), 2 * 25);
    assert_eq!(g.read(4096 + 24, 1), b"c");
    assert_eq!(g.errno("fd_readdir", &[3, 4096, 4096, 99, 100]), 0);
    assert_eq!(g.u32_at(100), 0);
    // rename, unlink, rmdir
    let (a, al) = g.str(2000, "a");
    let (x, xl) = g.str(2100, "d/x");
    assert_eq!(g.errno("path_rename", &[3, a, al, 3, x, xl]), 0);
    let (d, dl) = g.str(2200, "d");
    assert_eq!(g.errno("path_remove_directory", &[3, d, dl]), 55, "ENOTEMPTY");
    assert_eq!(g.errno("path_unlink_file", &[3, d, dl]), 31, "EISDIR");
    assert_eq!(g.errno("path_unlink_file", &[3, x, xl]), 0);
    assert_eq!(g.errno("path_unlink_file", &[3, x, xl]), 44, "ENOENT");
    assert_eq!(g.errno("path_remove_directory", &[3, d, dl]), 0);
    // a directory fd reads and resolves under itself
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/in"), "in").unwrap();
    let (e, sub) = g.open("sub", O_DIRECTORY, ALL & !(1 << 6), 0);
    assert_eq!(e, 0);
    assert_eq!(g.errno("fd_fdstat_get", &[sub as i64, 300]), 0);
    assert_eq!(g.read(300, 1), [3]);
    assert_eq!(g.open_at(sub as i64, "in", 1, 0, 2, 0).0, 0);
    assert_eq!(g.open("b/", 0, 2, 0).0, 54, "ENOTDIR for a trailing slash on a file");
    assert_eq!(g.open("missing", 0, 2, 0).0, 44);
}

#[cfg(unix)]
#[test]
fn symlinks_readlink_and_hard_links() {
    let (dir, mut g) = guest("links");
    std::fs::write(dir.path().join("t"), "target").unwrap();
    let (t, tl) = g.str(2000, "t");
    let (l, ll) = g.str(2100, "l");
    assert_eq!(g.errno("path_symlink", &[t, tl, 3, l, ll]), 0);
    assert_eq!(g.errno("path_readlink", &[3, l, ll, 500, 100, 100]), 0);
    assert_eq!((g.u32_at(100), g.read(500, 1)), (1, b"t".to_vec()));
    assert_eq!(g.errno("path_readlink", &[3, t, tl, 500, 100, 100]), 28, "EINVAL: not a link");
    let (h, hl) = g.str(2200, "h");
    assert_eq!(g.errno("path_link", &[3, 0, t, tl, 3, h, hl]), 0);
    assert_eq!(std::fs::read(dir.path().join("h")).unwrap(), b"target");
    assert_eq!(g.errno("path_filestat_get", &[3, 0, l, ll, 300]), 0);
    assert_eq!(g.read(300 + 16, 1), [7]);
    assert_eq!(g.errno("path_filestat_get", &[3, 1, l, ll, 300]), 0);
    assert_eq!(g.read(300 + 16, 1), [4]);
    assert_eq!(g.u64_at(300 + 24), 2, "nlink after the hard link");
    assert_eq!(g.errno("path_filestat_set_times", &[3, 1, l, ll, 5_000_000_000, 7_000_000_000, 0b0101]), 0);
    assert_eq!(g.errno("path_filestat_get", &[3, 1, t, tl, 300]), 0);
    assert_eq!((g.u64_at(300 + 40), g.u64_at(300 + 48)), (5_000_000_000, 7_000_000_000));
}

#[test]
fn clocks_and_random_are_deterministic_when_asked() {
    let (_d, mut g) = guest("clocks");
    assert_eq!(g.errno("clock_time_get", &[0, 0, 0]), 0);
    let wall = g.u64_at(0);
    assert!(wall >= wisp_wasi::DETERMINISTIC_EPOCH.as_nanos() as u64);
    assert!(wall < wisp_wasi::DETERMINISTIC_EPOCH.as_nanos() as u64 + 1_000_000_000);
    assert_eq!(g.errno("clock_time_get", &[1, 0, 0]), 0);
    let m1 = g.u64_at(0);
    assert_eq!(g.errno("clock_time_get", &[1, 0, 0]), 0);
    assert!(g.u64_at(0) > m1, "monotonic moves on every read");
    for id in 0..4 {
        assert_eq!(g.errno("clock_res_get", &[id, 0]), 0);
        assert!(g.u64_at(0) > 0);
        assert_eq!(g.errno("clock_time_get", &[id, 0, 0]), 0);
    }
    assert_eq!(g.errno("random_get", &[100, 32]), 0);
    let a = g.read(100, 32);
    let (_d2, mut g2) = guest("clocks2");
    assert_eq!(g2.errno("random_get", &[100, 32]), 0);
    assert_eq!(g2.read(100, 32), a, "same seed, same bytes");
    assert_ne!(a, [0; 32]);
    assert_eq!(g.errno("sched_yield", &[]), 0);
    assert_eq!(g.errno("proc_raise", &[2]), 52);
}

#[test]
fn real_random_is_not_constant() {
    let mut buf = [0u8; 32];
    wisp_wasi::RandomSource::fill(&mut wisp_wasi::OsRandom::default(), &mut buf).unwrap();
    let mut buf2 = [0u8; 32];
    wisp_wasi::RandomSource::fill(&mut wisp_wasi::OsRandom::default(), &mut buf2).unwrap();
    assert_ne!(buf, buf2);
}

/// Writes a subscription (48 bytes) at `at`.
fn subscription(g: &mut Guest, at: usize, userdata: u64, tag: u8, a: u32, timeout: u64, flags: u16) {
    let mut b = vec![0u8; 48];
    b[0..8].copy_from_slice(&userdata.to_le_bytes());
    b[8] = tag;
    b[16..20].copy_from_slice(&a.to_le_bytes());
    b[24..32].copy_from_slice(&timeout.to_le_bytes());
    b[32..40].copy_from_slice(&1000u64.to_le_bytes());
    b[40..42].copy_from_slice(&flags.to_le_bytes());
    g.write(at, &b);
}

fn events(g: &Guest, at: usize, n: usize) -> Vec<(u64, u16, u8, u64, u16)> {
    (0..n)
        .map(|i| {
            let e = g.read(at + 32 * i, 32);
            (
                u64::from_le_bytes(e[0..8].try_into().unwrap()),
                u16::from_le_bytes([e[8], e[9]]),
                e[10],
                u64::from_le_bytes(e[16..24].try_into().unwrap()),
                u16::from_le_bytes([e[24], e[25]]),
            )
        })
        .collect()
}

fn monotonic(g: &mut Guest) -> u64 {
    assert_eq!(g.errno("clock_time_get", &[1, 0, 8000]), 0);
    g.u64_at(8000)
}

#[test]
fn poll_clock_only_sleeps_until_the_earliest() {
    let (_d, mut g) = guest("pollclock");
    subscription(&mut g, 0, 11, 0, 1, 50_000_000, 0);
    subscription(&mut g, 48, 22, 0, 1, 10_000_000, 0);
    let t0 = monotonic(&mut g);
    assert_eq!(g.errno("poll_oneoff", &[0, 1000, 2, 2000]), 0);
    let t1 = monotonic(&mut g);
    assert_eq!(g.u32_at(2000), 1);
    assert_eq!(events(&g, 1000, 1), [(22, 0, 0, 0, 0)]);
    assert!(t1 - t0 >= 10_000_000 && t1 - t0 < 50_000_000, "slept {}", t1 - t0);
    // Absolute deadline on the monotonic clock, already passed: fires at once.
    subscription(&mut g, 0, 33, 0, 1, t1, 1);
    assert_eq!(g.errno("poll_oneoff", &[0, 1000, 1, 2000]), 0);
    assert_eq!(events(&g, 1000, 1), [(33, 0, 0, 0, 0)]);
    // An unknown clock is an event error, not a call error.
    subscription(&mut g, 0, 44, 0, 9, 1, 0);
    assert_eq!(g.errno("poll_oneoff", &[0, 1000, 1, 2000]), 0);
    assert_eq!(events(&g, 1000, 1), [(44, 28, 0, 0, 0)]);
}

/// Go's netpoll: a clock timeout plus fd_read/fd_write subscriptions. Ready descriptors
/// answer at once without waiting for the clock.
#[test]
fn poll_descriptors_with_a_clock_as_go_does() {
    let (_d, mut g) = guest("pollfd");
    subscription(&mut g, 0, 1, 0, 1, 3_600_000_000_000, 0); // an hour
    subscription(&mut g, 48, 2, 1, 0, 0, 0); // stdin readable: "input"
    subscription(&mut g, 96, 3, 2, 1, 0, 0); // stdout writable
    subscription(&mut g, 144, 4, 1, 77, 0, 0); // not an fd
    let t0 = monotonic(&mut g);
    assert_eq!(g.errno("poll_oneoff", &[0, 1000, 4, 2000]), 0);
    assert!(monotonic(&mut g) - t0 < 1_000_000, "did not wait for the clock");
    assert_eq!(g.u32_at(2000), 3);
    assert_eq!(events(&g, 1000, 3), [(2, 0, 1, 5, 0), (3, 0, 2, 0, 0), (4, 8, 1, 0, 0)]);
    // Stdin drained: still ready, with hangup, so a read sees EOF instead of waiting forever.
    iovec(&mut g, 3000, 3100, 64);
    assert_eq!(g.errno("fd_read", &[0, 3000, 1, 3200]), 0);
    assert_eq!(g.errno("poll_oneoff", &[48, 1000, 1, 2000]), 0);
    assert_eq!(events(&g, 1000, 1), [(2, 0, 1, 0, 1)]);
    // Go's delay < 0 case: descriptor subscriptions only.
    assert_eq!(g.errno("poll_oneoff", &[96, 1000, 1, 2000]), 0);
    assert_eq!(g.u32_at(2000), 1);
}

#[test]
fn real_clock_sleep_really_sleeps() {
    let engine = Engine::default();
    let module = support::guest::module(&engine);
    let dir = TempDir::new("realsleep");
    let mut g = Guest::new(&engine, &module, dir.path(), false, false);
    subscription(&mut g, 0, 1, 0, 1, 20_000_000, 0);
    let t = std::time::Instant::now();
    assert_eq!(g.errno("poll_oneoff", &[0, 1000, 1, 2000]), 0);
    assert!(t.elapsed() >= std::time::Duration::from_millis(20));
}

#[test]
fn proc_exit_is_a_distinct_result() {
    let (_d, mut g) = guest("exit");
    match g.call_ints("proc_exit", &[3]) {
        Err(wisp::Error::Exit(3)) => {}
        other => panic!("{other:?}"),
    }
}

/// The host keeps a handle on the captured output and reads it after the store is gone.
#[test]
fn captured_output_outlives_the_store() {
    let out = Pipe::new();
    {
        let engine = Engine::default();
        let module = support::guest::module(&engine);
        let mut store = wisp::Store::new(&engine, WasiCtx::builder().stdout(Stdio::Pipe(out.clone())).build());
        let mut linker = wisp::Linker::new(&engine);
        wisp_wasi::add_to_linker(&mut linker, |c| c).unwrap();
        let inst = linker.instantiate(&mut store, &module).unwrap();
        let mem = inst.get_memory(&store, "memory").unwrap();
        mem.write(&mut store, 0, &[16, 0, 0, 0, 3, 0, 0, 0]).unwrap();
        mem.write(&mut store, 16, b"abc").unwrap();
        let f = inst.get_typed_func::<(i32, i32, i32, i32), i32>(&store, "fd_write").unwrap();
        assert_eq!(f.call(&mut store, (1, 0, 1, 8)).unwrap(), 0);
    }
    assert_eq!(out.contents_string(), "abc");
}

/// The context can live inside a larger host state.
#[test]
fn context_inside_host_state() {
    struct Host {
        calls: u32,
        wasi: WasiCtx,
    }
    let engine = Engine::default();
    let module = support::guest::module(&engine);
    let mut store = wisp::Store::new(&engine, Host { calls: 0, wasi: WasiCtx::builder().arg("x").build() });
    let mut linker = wisp::Linker::new(&engine);
    wisp_wasi::add_to_linker(&mut linker, |h: &mut Host| {
        h.calls += 1;
        &mut h.wasi
    })
    .unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let f = inst.get_typed_func::<(i32, i32), i32>(&store, "args_sizes_get").unwrap();
    assert_eq!(f.call(&mut store, (0, 4)).unwrap(), 0);
    assert_eq!(store.data().calls, 1);
}

/// A module without a `memory` export still links and gets `EFAULT` for any pointer.
#[test]
fn no_memory_export_is_efault() {
    let engine = Engine::default();
    let src = r#"(module
        (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_close" (func $c (param i32) (result i32)))
        (func (export "write") (result i32) (call $w (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))
        (func (export "close") (result i32) (call $c (i32.const 1))))"#;
    let buf = wast::parser::ParseBuffer::new(src).unwrap();
    let mut w: wast::Wat = wast::parser::parse(&buf).unwrap();
    let module = wisp::Module::new(&engine, w.encode().unwrap()).unwrap();
    let mut store = wisp::Store::new(&engine, WasiCtx::builder().stdout(Stdio::Pipe(Pipe::new())).build());
    let mut linker = wisp::Linker::new(&engine);
    wisp_wasi::add_to_linker(&mut linker, |c| c).unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    assert_eq!(inst.get_typed_func::<(), i32>(&store, "write").unwrap().call(&mut store, ()).unwrap(), 21);
    assert_eq!(inst.get_typed_func::<(), i32>(&store, "close").unwrap().call(&mut store, ()).unwrap(), 0);
}
