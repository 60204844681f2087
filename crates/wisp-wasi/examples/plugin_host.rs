//! One process hosting three Go plugins (fixtures/go/state.wasm): per-plugin state in the
//! store's data, one linker shared by all, each plugin's output streamed to a logger with its
//! name, and a deadline that stops a runaway export while the other plugins keep serving.
//!
//! ```sh
//! cargo run -p wisp-wasi --example plugin_host
//! ```

use std::io::Write;
use std::time::{Duration, Instant};
use wisp::{Config, Engine, Linker, Module, Store};
use wisp_wasi::{GoReactor, ReactorError, WasiCtx};

/// What the host keeps per plugin.
struct Plugin {
    wasi: WasiCtx,
    name: String,
    served: u32,
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

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/go/state.wasm");
    let mut config = Config::new();
    config.interruptible(true); // for deadlines
    let engine = Engine::new(&config);
    let module = Module::new(&engine, std::fs::read(path)?)?;

    // WASI (and any host functions) defined once, for every plugin.
    let mut linker = Linker::<Plugin>::new(&engine);
    wisp_wasi::add_to_linker(&mut linker, |p: &mut Plugin| &mut p.wasi)?;

    let mut plugins = Vec::new();
    for name in ["alpha", "beta", "gamma"] {
        let data = Plugin { wasi: WasiCtx::builder().arg(name).build(), name: name.into(), served: 0 };
        let mut store = Store::new(&engine, data);
        store.set_timeout(Some(Duration::from_millis(200)))?; // in force from `_initialize` on
        let go = GoReactor::builder()
            .stdout_writer(logger(name, "out"))
            .stderr_writer(logger(name, "err"))
            .instantiate_in(store, &linker, &module, |p| &mut p.wasi)?;
        plugins.push(go);
    }

    for round in 1..=2 {
        for go in &mut plugins {
            let n = go.call::<(), i64>("incr", ())?;
            go.call::<(), ()>("say", ())?;
            go.data_mut().served += 1;
            assert_eq!(n, round);
        }
    }

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
        match go.call::<(), i64>("incr", ()) {
            Ok(n) => println!("host: {name} still serving (counter {n}, {} calls before)", go.data().served),
            Err(e) => println!("host: {name} refused: {e}"),
        }
    }
    Ok(())
}
