//! One process hosting three Go plugins (fixtures/go/hostcall.wasm): per-plugin state in the
//! store's data, one linker shared by all with the host functions every plugin imports
//! (`//go:wasmimport host ...`), each plugin's logs and output streamed to a logger with its
//! name, and a deadline that stops a runaway export while the other plugins keep serving.
//!
//! ```sh
//! cargo run -p wisp-wasi --example plugin_host
//! ```

use std::collections::HashMap;
use std::io::Write;
use std::time::{Duration, Instant};
use wisp::{Caller, Config, Engine, GuestAlloc, Linker, Module, Store};
use wisp_wasi::{GoReactor, ReactorError, WasiCtx};

/// What the host keeps per plugin.
struct Plugin {
    wasi: WasiCtx,
    name: String,
    /// The plugin's key-value settings (`get` and `put`).
    kv: HashMap<String, Vec<u8>>,
    host_calls: u32,
    /// Where the plugin's `log` calls go.
    log: Logger,
    /// The plugin's memory and alloc/free exports, found on its first host call.
    abi: Option<GuestAlloc>,
}

/// A logger that prefixes each line a plugin writes with its name and stream.
struct Logger {
    prefix: String,
    pending: Vec<u8>,
}

impl Write for Logger {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            println!("[{}] {}", self.prefix, String::from_utf8_lossy(&line[..line.len() - 1]));
        }
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn logger(name: &str, stream: &str) -> Logger {
    Logger { prefix: format!("{name} {stream}"), pending: Vec::new() }
}

/// The calling plugin's alloc ABI, looked up once per plugin.
fn abi(caller: &mut Caller<'_, Plugin>) -> wisp::Result<GuestAlloc> {
    if let Some(abi) = caller.data().abi {
        return Ok(abi);
    }
    let abi = GuestAlloc::from_caller(caller)?;
    caller.data_mut().abi = Some(abi);
    Ok(abi)
}

/// The host functions of fixtures/go/hostcall/main.go, defined once for every plugin.
fn host_functions(linker: &mut Linker<Plugin>) -> wisp::Result<()> {
    // log(level int32, msg string)
    linker.func_wrap(
        "host",
        "log",
        |mut c: Caller<'_, Plugin>, level: i32, ptr: u32, len: u32| -> wisp::Result<()> {
            let msg = abi(&mut c)?.memory().read_string(&c, ptr, len)?;
            let p = c.data_mut();
            p.host_calls += 1;
            writeln!(p.log, "level {level}: {msg}").map_err(wisp::Error::from_host)
        },
    )?;
    // get(key string) uint64: the value copied into a buffer from the plugin's own alloc.
    linker.func_wrap("host", "get", |mut c: Caller<'_, Plugin>, ptr: u32, len: u32| -> wisp::Result<u64> {
        let abi = abi(&mut c)?;
        let key = abi.memory().read_string(&c, ptr, len)?;
        c.data_mut().host_calls += 1;
        let Some(value) = c.data().kv.get(&key).cloned() else { return Ok(0) };
        let buf = abi.alloc_bytes(&mut c, &value)?;
        Ok(wisp::pack_ptr_len(buf.ptr, buf.len))
    })?;
    // put(key string, val unsafe.Pointer, n uint32) int32
    linker.func_wrap(
        "host",
        "put",
        |mut c: Caller<'_, Plugin>, kp: u32, kl: u32, vp: u32, vl: u32| -> wisp::Result<i32> {
            let mem = abi(&mut c)?.memory();
            let (key, value) = (mem.read_string(&c, kp, kl)?, mem.read_bytes(&c, vp, vl)?);
            let p = c.data_mut();
            p.host_calls += 1;
            Ok(p.kv.insert(key, value).map_or(-1, |old| old.len() as i32))
        },
    )?;
    // transform(in unsafe.Pointer, n uint32, out *blob) int32: this host upper-cases ASCII.
    linker.func_wrap(
        "host",
        "transform",
        |mut c: Caller<'_, Plugin>, ip: u32, n: u32, out: u32| -> wisp::Result<i32> {
            let abi = abi(&mut c)?;
            let input = abi.memory().read_bytes(&c, ip, n)?;
            let buf = abi.alloc_bytes(&mut c, &input.to_ascii_uppercase())?;
            abi.memory().write_value(&mut c, out, &[buf.ptr, buf.len])?; // struct { Ptr, Len uint32 }
            Ok(0)
        },
    )?;
    // measure(in *sample, out *summary): not offered by this host; a plugin calling it stops.
    linker.func_wrap("host", "measure", |_: u32, _: u32| -> wisp::Result<()> {
        Err(wisp::Error::from_host("measure is not offered by this host"))
    })?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/go/hostcall.wasm");
    let mut config = Config::new();
    config.interruptible(true); // for deadlines
    let engine = Engine::new(&config);
    let module = Module::new(&engine, std::fs::read(path)?)?;

    // WASI and the host functions defined once, for every plugin.
    let mut linker = Linker::<Plugin>::new(&engine);
    wisp_wasi::add_to_linker(&mut linker, |p: &mut Plugin| &mut p.wasi)?;
    host_functions(&mut linker)?;

    let mut plugins = Vec::new();
    for (name, greeting) in [("alpha", "Hello"), ("beta", "Bonjour"), ("gamma", "Grüß dich")] {
        let data = Plugin {
            wasi: WasiCtx::builder().arg(name).build(),
            name: name.into(),
            kv: HashMap::from([("greeting".to_string(), greeting.as_bytes().to_vec())]),
            host_calls: 0,
            log: logger(name, "log"),
            abi: None,
        };
        let mut store = Store::new(&engine, data);
        store.set_timeout(Some(Duration::from_millis(200)))?; // in force from `_initialize` on
        let go = GoReactor::builder()
            .stdout_writer(logger(name, "out"))
            .stderr_writer(logger(name, "err"))
            .instantiate_in(store, &linker, &module, |p| &mut p.wasi)?;
        plugins.push(go);
    }

    for who in ["world", "wisp"] {
        for go in &mut plugins {
            let answer = go.call_str("hello", who)?;
            println!("host: {} answered {answer:?}", go.data().name);
        }
    }
    let shouted = plugins[2].call_str("shout", "quiet please")?;
    println!("host: gamma shouted {shouted:?}");

    // A runaway export: the deadline stops it and retires that plugin only.
    let t = Instant::now();
    match plugins[1].call::<(), ()>("spin", ()) {
        Err(ReactorError::Stopped { trap, .. }) => {
            println!("host: {} stopped after {:.0?}: {trap}", plugins[1].data().name, t.elapsed())
        }
        other => println!("host: unexpected {other:?}"),
    }
    for go in &mut plugins {
        let name = go.data().name.clone();
        match go.call_str("hello", "again") {
            Ok(answer) => println!("host: {name} still serving: {answer:?} ({} host calls)", go.data().host_calls),
            Err(e) => println!("host: {name} refused: {e}"),
        }
    }
    Ok(())
}
