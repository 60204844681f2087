//! A guest that imports all 46 WASI functions and re-exports each through a Wasm trampoline
//! (so the host function sees a calling instance and its memory), plus its memory.

use std::path::Path;
use wisp::{Engine, Linker, Module, Store, Val};
use wisp_wasi::{Pipe, Stdio, WasiCtx};

/// Each function's core Wasm signature, written from the witx independently of the crate:
/// parameter types (`i` = i32, `I` = i64) and whether it returns an errno.
pub const SIGNATURES: [(&str, &str, bool); 46] = [
    ("args_get", "ii", true),
    ("args_sizes_get", "ii", true),
    ("environ_get", "ii", true),
    ("environ_sizes_get", "ii", true),
    ("clock_res_get", "ii", true),
    ("clock_time_get", "iIi", true),
    ("fd_advise", "iIIi", true),
    ("fd_allocate", "iII", true),
    ("fd_close", "i", true),
    ("fd_datasync", "i", true),
    ("fd_fdstat_get", "ii", true),
    ("fd_fdstat_set_flags", "ii", true),
    ("fd_fdstat_set_rights", "iII", true),
    ("fd_filestat_get", "ii", true),
    ("fd_filestat_set_size", "iI", true),
    ("fd_filestat_set_times", "iIIi", true),
    ("fd_pread", "iiiIi", true),
    ("fd_prestat_get", "ii", true),
    ("fd_prestat_dir_name", "iii", true),
    ("fd_pwrite", "iiiIi", true),
    ("fd_read", "iiii", true),
    ("fd_readdir", "iiiIi", true),
    ("fd_renumber", "ii", true),
    ("fd_seek", "iIii", true),
    ("fd_sync", "i", true),
    ("fd_tell", "ii", true),
    ("fd_write", "iiii", true),
    ("path_create_directory", "iii", true),
    ("path_filestat_get", "iiiii", true),
    ("path_filestat_set_times", "iiiiIIi", true),
    ("path_link", "iiiiiii", true),
    ("path_open", "iiiiiIIii", true),
    ("path_readlink", "iiiiii", true),
    ("path_remove_directory", "iii", true),
    ("path_rename", "iiiiii", true),
    ("path_symlink", "iiiii", true),
    ("path_unlink_file", "iii", true),
    ("poll_oneoff", "iiii", true),
    ("proc_exit", "i", false),
    ("proc_raise", "i", true),
    ("sched_yield", "", true),
    ("random_get", "ii", true),
    ("sock_accept", "iii", true),
    ("sock_recv", "iiiiii", true),
    ("sock_send", "iiiii", true),
    ("sock_shutdown", "ii", true),
];

fn wat_type(c: char) -> &'static str {
    if c == 'I' {
        "i64"
    } else {
        "i32"
    }
}

pub fn wat() -> String {
    let mut imports = String::new();
    let mut funcs = String::new();
    for (name, params, ret) in SIGNATURES {
        let ps: Vec<&str> = params.chars().map(wat_type).collect();
        let param = if ps.is_empty() { String::new() } else { format!("(param {})", ps.join(" ")) };
        let result = if ret { "(result i32)" } else { "" };
        imports.push_str(&format!("(import \"wasi_snapshot_preview1\" \"{name}\" (func ${name} {param} {result}))\n"));
        let gets: String = (0..ps.len()).map(|i| format!("local.get {i} ")).collect();
        funcs.push_str(&format!("(func (export \"{name}\") {param} {result} {gets} call ${name})\n"));
    }
    format!("(module\n{imports}(memory (export \"memory\") 1)\n{funcs})")
}

pub fn module(engine: &Engine) -> Module {
    let src = wat();
    let buf = wast::parser::ParseBuffer::new(&src).expect("lex");
    let mut w: wast::Wat = wast::parser::parse(&buf).expect("parse");
    Module::new(engine, w.encode().expect("encode")).expect("module")
}

/// An instance of the guest with in-memory stdio and `dir` preopened as `/sandbox` (fd 3).
pub struct Guest {
    pub store: Store<WasiCtx>,
    pub instance: wisp::Instance,
    pub stdout: Pipe,
}

impl Guest {
    pub fn new(engine: &Engine, module: &Module, dir: &Path, read_only: bool, deterministic: bool) -> Guest {
        let stdout = Pipe::new();
        let mut b = WasiCtx::builder()
            .args(["guest", "a1"])
            .env("K", "V")
            .stdin(Stdio::Pipe(Pipe::from_bytes("input")))
            .stdout(Stdio::Pipe(stdout.clone()))
            .stderr(Stdio::Pipe(Pipe::new()));
        b = if read_only { b.preopened_dir_read_only(dir, "/sandbox") } else { b.preopened_dir(dir, "/sandbox") }
            .unwrap();
        if deterministic {
            b = b.deterministic(7);
        }
        let mut store = Store::new(engine, b.build());
        let mut linker = Linker::new(engine);
        wisp_wasi::add_to_linker(&mut linker, |c| c).unwrap();
        let instance = linker.instantiate(&mut store, module).unwrap();
        Guest { store, instance, stdout }
    }

    pub fn call(&mut self, name: &str, args: &[Val]) -> wisp::Result<i32> {
        let f = self.instance.get_func(&self.store, name).expect("export");
        let ty = f.ty(&self.store).expect("a function of this store");
        let mut results = vec![Val::I32(0); ty.results().len()];
        f.call(&mut self.store, args, &mut results)?;
        Ok(results.first().and_then(Val::i32).unwrap_or(0))
    }

    /// Calls with i32/i64 arguments given as i64s, converted to each parameter's type.
    pub fn call_ints(&mut self, name: &str, args: &[i64]) -> wisp::Result<i32> {
        let sig = SIGNATURES.iter().find(|s| s.0 == name).expect("known function").1;
        assert_eq!(sig.len(), args.len(), "{name} takes {} arguments", sig.len());
        let vals: Vec<Val> =
            sig.chars().zip(args).map(|(c, &a)| if c == 'I' { Val::I64(a) } else { Val::I32(a as i32) }).collect();
        self.call(name, &vals)
    }

    /// Calls and expects an errno back (no trap, no exit).
    pub fn errno(&mut self, name: &str, args: &[i64]) -> i32 {
        match self.call_ints(name, args) {
            Ok(e) => e,
            Err(e) => panic!("{name}{args:?}: {e}"),
        }
    }

    pub fn memory(&self) -> wisp::Memory {
        self.instance.get_memory(&self.store, "memory").unwrap()
    }

    pub fn write(&mut self, at: usize, bytes: &[u8]) {
        let m = self.memory();
        m.write(&mut self.store, at, bytes).unwrap();
    }

    pub fn read(&self, at: usize, len: usize) -> Vec<u8> {
        let mut b = vec![0; len];
        self.memory().read(&self.store, at, &mut b).unwrap();
        b
    }

    pub fn u32_at(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.read(at, 4).try_into().unwrap())
    }

    pub fn u64_at(&self, at: usize) -> u64 {
        u64::from_le_bytes(self.read(at, 8).try_into().unwrap())
    }

    /// Writes `path` at `at` and returns (ptr, len) as call arguments.
    pub fn str(&mut self, at: usize, s: &str) -> (i64, i64) {
        self.write(at, s.as_bytes());
        (at as i64, s.len() as i64)
    }

    /// `path_open` under fd 3; returns (errno, new fd).
    pub fn open(&mut self, path: &str, oflags: i64, rights: u64, fdflags: i64) -> (i32, i32) {
        self.open_at(3, path, 1, oflags, rights, fdflags)
    }

    pub fn open_at(&mut self, dir: i64, path: &str, lookup: i64, oflags: i64, rights: u64, fdflags: i64) -> (i32, i32) {
        let (p, l) = self.str(1000, path);
        let e = self.errno("path_open", &[dir, lookup, p, l, oflags, rights as i64, rights as i64, fdflags, 996]);
        (e, self.u32_at(996) as i32)
    }
}
