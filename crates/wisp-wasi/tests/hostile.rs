//! No WASI call with hostile arguments panics the host: each of the 46 functions is called
//! with out-of-bounds pointers, huge lengths, bad fds, bad flags and negative values, on zeroed
//! and on random memory, and must answer with an errno (`proc_exit` with its exit).

mod support;

use support::guest::{Guest, SIGNATURES};
use support::TempDir;
use wisp::Engine;

const EFAULT: i32 = 21;
const EBADF: i32 = 8;
const EINVAL: i32 = 28;

const I32S: [i64; 18] = [
    0,
    1,
    2,
    3,
    4,
    7,
    8,
    64,
    1000,
    65532,
    65535,
    65536,
    -1,
    -8,
    i32::MIN as i64,
    i32::MAX as i64,
    0x7FFF_FFF0,
    0x1_0000 - 24,
];
const I64S: [i64; 8] = [0, 1, -1, i64::MIN, i64::MAX, 1 << 32, 4096, -4096];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

fn check(g: &mut Guest, name: &str, args: &[i64]) {
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.call_ints(name, args)));
    match r {
        Err(_) => panic!("{name}{args:?} panicked"),
        Ok(Ok(errno)) => assert!((0..=76).contains(&errno), "{name}{args:?} returned {errno}, not an errno"),
        Ok(Err(wisp::Error::Exit(code))) if name == "proc_exit" => {
            assert_eq!(code as i64, args[0] as i32 as i64)
        }
        Ok(Err(e)) => panic!("{name}{args:?} failed instead of returning an errno: {e}"),
    }
}

#[test]
fn every_function_survives_hostile_arguments() {
    let engine = Engine::default();
    let module = support::guest::module(&engine);
    let outer = TempDir::new("hostile");
    std::fs::write(outer.path().join("canary"), b"outside").unwrap();
    let sandbox = outer.path().join("sandbox");
    std::fs::create_dir(&sandbox).unwrap();
    std::fs::write(sandbox.join("file"), b"some bytes").unwrap();
    std::fs::create_dir(sandbox.join("dir")).unwrap();

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut calls = 0;
    for round in 0..4 {
        // Virtual clocks: a random clock subscription must not sleep for real.
        let mut g = Guest::new(&engine, &module, &sandbox, round % 2 == 1, true);
        if round >= 2 {
            let noise: Vec<u8> = (0..65536).map(|_| rng.next() as u8).collect();
            g.write(0, &noise);
        }
        for (name, sig, _) in SIGNATURES {
            // Each parameter hostile in turn, the others benign...
            for i in 0..sig.len() {
                let pool: &[i64] = if sig.as_bytes()[i] == b'I' { &I64S } else { &I32S };
                for &v in pool {
                    let mut args: Vec<i64> = sig.chars().map(|_| 0).collect();
                    args[i] = v;
                    check(&mut g, name, &args);
                    calls += 1;
                }
            }
            // ...then everything at random.
            for _ in 0..150 {
                let args: Vec<i64> =
                    sig.chars().map(|c| if c == 'I' { rng.pick(&I64S) } else { rng.pick(&I32S) }).collect();
                check(&mut g, name, &args);
                calls += 1;
            }
            if sig.is_empty() {
                check(&mut g, name, &[]);
            }
        }
    }
    assert!(calls > 20_000);
    // Nothing outside the preopen was touched.
    let mut names: Vec<String> = std::fs::read_dir(outer.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["canary", "sandbox"]);
    assert_eq!(std::fs::read(outer.path().join("canary")).unwrap(), b"outside");
}

fn guest(tag: &str) -> (TempDir, Guest) {
    let engine = Engine::default();
    let module = support::guest::module(&engine);
    let dir = TempDir::new(tag);
    std::fs::write(dir.path().join("file"), b"0123456789").unwrap();
    let g = Guest::new(&engine, &module, dir.path(), false, true);
    (dir, g)
}

/// Every pointer argument out of bounds is `EFAULT`, with valid fds everywhere else.
#[test]
fn out_of_bounds_pointers_are_efault() {
    let (_dir, mut g) = guest("efault");
    let (fe, file) = g.open("file", 0, u64::MAX >> 34, 0);
    assert_eq!(fe, 0);
    let file = file as i64;
    let oob = 65536 - 2;
    let far = i32::MAX as i64;
    let (p, l) = g.str(2000, "file");
    let cases: Vec<(&str, Vec<i64>)> = vec![
        ("args_get", vec![oob, 0]),
        ("args_get", vec![0, oob]),
        ("args_sizes_get", vec![oob, 0]),
        ("environ_get", vec![0, oob]),
        ("environ_sizes_get", vec![0, far]),
        ("clock_res_get", vec![0, oob]),
        ("clock_time_get", vec![1, 0, oob]),
        ("fd_fdstat_get", vec![1, oob]),
        ("fd_filestat_get", vec![file, oob]),
        ("fd_prestat_get", vec![3, oob]),
        ("fd_prestat_dir_name", vec![3, oob, 100]),
        ("fd_read", vec![0, oob, 1, 0]),
        ("fd_read", vec![0, 0, 100_000, 0]),
        ("fd_write", vec![1, oob, 1, 0]),
        ("fd_write", vec![1, 0, 1, oob]),
        ("fd_pread", vec![file, far, 1, 0, 0]),
        ("fd_pwrite", vec![file, far, 1, 0, 0]),
        ("fd_readdir", vec![3, oob, 100, 0, 0]),
        ("fd_seek", vec![file, 0, 0, oob]),
        ("fd_tell", vec![file, oob]),
        ("path_create_directory", vec![3, oob, 10]),
        ("path_filestat_get", vec![3, 1, p, l, oob]),
        ("path_filestat_get", vec![3, 1, far, 4, 0]),
        ("path_filestat_set_times", vec![3, 1, oob, 10, 0, 0, 0]),
        ("path_link", vec![3, 0, p, l, 3, oob, 5]),
        ("path_open", vec![3, 1, p, l, 0, 0, 0, 0, oob]),
        ("path_readlink", vec![3, oob, 5, 0, 10, 0]),
        ("path_remove_directory", vec![3, far, 1]),
        ("path_rename", vec![3, p, l, 3, oob, 8]),
        ("path_symlink", vec![oob, 8, 3, p, l]),
        ("path_unlink_file", vec![3, oob, 4]),
        ("poll_oneoff", vec![oob, 0, 1, 0]),
        ("poll_oneoff", vec![0, 0, 100_000, 0]),
        ("random_get", vec![oob, 10]),
        ("random_get", vec![0, -1]),
        ("sock_recv", vec![1, oob, 1, 0, 0, 0]),
        ("sock_send", vec![1, oob, 1, 0, 0]),
    ];
    for (name, args) in cases {
        assert_eq!(g.errno(name, &args), EFAULT, "{name}{args:?}");
    }
}

/// Every function taking a descriptor answers `EBADF` for one that is not open.
#[test]
fn bad_fds_are_ebadf() {
    let (_dir, mut g) = guest("ebadf");
    let (p, l) = g.str(2000, "file");
    for bad in [99, -1, i32::MIN as i64, 0x7FFF_FFFF] {
        let cases: Vec<(&str, Vec<i64>)> = vec![
            ("fd_advise", vec![bad, 0, 0, 0]),
            ("fd_allocate", vec![bad, 0, 1]),
            ("fd_close", vec![bad]),
            ("fd_datasync", vec![bad]),
            ("fd_fdstat_get", vec![bad, 0]),
            ("fd_fdstat_set_flags", vec![bad, 0]),
            ("fd_fdstat_set_rights", vec![bad, 0, 0]),
            ("fd_filestat_get", vec![bad, 0]),
            ("fd_filestat_set_size", vec![bad, 0]),
            ("fd_filestat_set_times", vec![bad, 0, 0, 0]),
            ("fd_pread", vec![bad, 0, 0, 0, 0]),
            ("fd_prestat_get", vec![bad, 0]),
            ("fd_prestat_dir_name", vec![bad, 0, 10]),
            ("fd_pwrite", vec![bad, 0, 0, 0, 0]),
            ("fd_read", vec![bad, 0, 0, 0]),
            ("fd_readdir", vec![bad, 0, 10, 0, 0]),
            ("fd_renumber", vec![bad, 1]),
            ("fd_renumber", vec![1, bad]),
            ("fd_seek", vec![bad, 0, 0, 0]),
            ("fd_sync", vec![bad]),
            ("fd_tell", vec![bad, 0]),
            ("fd_write", vec![bad, 0, 0, 0]),
            ("path_create_directory", vec![bad, p, l]),
            ("path_filestat_get", vec![bad, 0, p, l, 0]),
            ("path_filestat_set_times", vec![bad, 0, p, l, 0, 0, 0]),
            ("path_link", vec![bad, 0, p, l, 3, p, l]),
            ("path_link", vec![3, 0, p, l, bad, p, l]),
            ("path_open", vec![bad, 0, p, l, 0, 0, 0, 0, 0]),
            ("path_readlink", vec![bad, p, l, 0, 10, 0]),
            ("path_remove_directory", vec![bad, p, l]),
            ("path_rename", vec![bad, p, l, 3, p, l]),
            ("path_rename", vec![3, p, l, bad, p, l]),
            ("path_symlink", vec![p, l, bad, p, l]),
            ("path_unlink_file", vec![bad, p, l]),
            ("sock_accept", vec![bad, 0, 0]),
            ("sock_recv", vec![bad, 0, 0, 0, 0, 0]),
            ("sock_send", vec![bad, 0, 0, 0, 0]),
            ("sock_shutdown", vec![bad, 1]),
        ];
        for (name, args) in cases {
            assert_eq!(g.errno(name, &args), EBADF, "{name}{args:?}");
        }
    }
}

/// Flag and enum values outside the witx are `EINVAL`.
#[test]
fn bad_flags_are_einval() {
    let (_dir, mut g) = guest("einval");
    let (fe, file) = g.open("file", 0, u64::MAX >> 34, 0);
    assert_eq!(fe, 0);
    let file = file as i64;
    let (p, l) = g.str(2000, "file");
    let cases: Vec<(&str, Vec<i64>)> = vec![
        ("clock_res_get", vec![4, 0]),
        ("clock_time_get", vec![-1, 0, 0]),
        ("fd_advise", vec![file, 0, 0, 6]),
        ("fd_fdstat_set_flags", vec![1, 0x20]),
        ("fd_fdstat_set_flags", vec![1, 0x10000]),
        ("fd_filestat_set_times", vec![file, 0, 0, 0b11]),
        ("fd_filestat_set_times", vec![file, 0, 0, 0b1100]),
        ("fd_filestat_set_times", vec![file, 0, 0, 0x10]),
        ("fd_seek", vec![file, 0, 3, 0]),
        ("fd_seek", vec![file, -1, 0, 0]),
        ("path_filestat_get", vec![3, 2, p, l, 0]),
        ("path_filestat_set_times", vec![3, 0, p, l, 0, 0, 0b11]),
        ("path_link", vec![3, 4, p, l, 3, p, l]),
        ("path_open", vec![3, 2, p, l, 0, 0, 0, 0, 0]),
        ("path_open", vec![3, 0, p, l, 0x10, 0, 0, 0, 0]),
        ("path_open", vec![3, 0, p, l, 0, 0, 0, 0x20, 0]),
        ("poll_oneoff", vec![0, 0, 0, 0]),
        ("proc_raise", vec![31]),
        ("sock_accept", vec![1, 2, 0]),
        ("sock_recv", vec![1, 0, 0, 4, 0, 0]),
        ("sock_send", vec![1, 0, 0, 1, 0]),
        ("sock_shutdown", vec![1, 4]),
        ("sock_shutdown", vec![1, 0]),
    ];
    for (name, args) in cases {
        assert_eq!(g.errno(name, &args), EINVAL, "{name}{args:?}");
    }
}
