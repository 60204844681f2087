//! Guest output: streamed to any `Write` sink as it is written, and captured in bounded pipes
//! that the host can take or clear.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use wisp::{Caller, Engine, Linker, Module, Store};
use wisp_wasi::{GoReactor, Pipe, ReactorError, Stdio, WasiCtx};

/// A sink that shares what it receives with the test.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Shared {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn wat(src: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(src).expect("lex");
    let mut w: wast::Wat = wast::parser::parse(&buf).expect("parse");
    w.encode().expect("encode")
}

#[test]
fn a_writer_sink_sees_each_write_while_the_call_runs() {
    // The guest writes a line, asks the host what the sink holds, writes another line.
    let module = r#"(module
        (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
        (import "host" "sink_len" (func $sink_len (result i32)))
        (memory (export "memory") 1)
        (data (i32.const 100) "first\0a")
        (data (i32.const 200) "second\0a")
        (func (export "run") (result i32) (local $seen i32)
            (i32.store (i32.const 0) (i32.const 100))
            (i32.store (i32.const 4) (i32.const 6))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (local.set $seen (call $sink_len))
            (i32.store (i32.const 0) (i32.const 200))
            (i32.store (i32.const 4) (i32.const 7))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (local.get $seen)))"#;
    let engine = Engine::default();
    let module = Module::new(&engine, wat(module)).unwrap();
    let sink = Shared::default();
    let wasi = WasiCtx::builder().stdout(Stdio::writer(sink.clone())).build();
    let mut store = Store::new(&engine, wasi);
    let mut linker = Linker::new(&engine);
    wisp_wasi::add_to_linker(&mut linker, |ctx| ctx).unwrap();
    let probe = sink.clone();
    linker.func_wrap("host", "sink_len", move |_: Caller<'_, WasiCtx>| probe.0.lock().unwrap().len() as i32).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<(), i32>(&store, "run").unwrap();
    // Mid-call, the sink already had the first line.
    assert_eq!(run.call(&mut store, ()).unwrap(), 6);
    assert_eq!(sink.text(), "first\nsecond\n");
}

#[test]
fn a_limited_pipe_keeps_the_newest_bytes() {
    let p = Pipe::with_limit(8);
    assert_eq!(p.limit(), Some(8));
    p.write(b"abcde");
    p.write(b"fghij");
    assert_eq!(p.contents(), b"cdefghij");
    assert_eq!((p.len(), p.dropped()), (8, 2));
    // A write longer than the limit keeps its tail.
    p.write(b"0123456789AB");
    assert_eq!(p.contents(), b"456789AB");
    assert_eq!(p.dropped(), 14);
    // Reads continue where they were, even as old bytes go.
    let mut buf = [0u8; 3];
    assert_eq!(p.read(&mut buf), 3);
    assert_eq!(&buf, b"456");
    p.write(b"CD");
    assert_eq!(p.unread(), 7);
    assert_eq!(p.read(&mut buf), 3);
    assert_eq!(&buf, b"789");
    assert_eq!(p.take(), b"6789ABCD");
    assert!(p.is_empty());
    p.write(b"xy");
    p.clear();
    assert_eq!((p.len(), p.unread(), p.contents()), (0, 0, Vec::new()));
    // Without a limit, nothing is dropped.
    let q = Pipe::new();
    q.write(&[7; 100_000]);
    assert_eq!((q.len(), q.dropped(), q.limit()), (100_000, 0, None));
}

#[test]
fn go_output_streams_to_sinks_and_a_panic_is_still_recognized() {
    let engine = Engine::default();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/go/state.wasm");
    let module = Module::new(&engine, std::fs::read(path).unwrap()).unwrap();
    let (out, err) = (Shared::default(), Shared::default());
    let mut go = GoReactor::builder()
        .stdout_writer(out.clone())
        .stderr_writer(err.clone())
        .instantiate(&engine, &module)
        .unwrap();
    assert_eq!(out.text(), "state: init\n");
    assert_eq!(err.text(), "state: init (stderr)\n");
    for n in 1..=3 {
        go.call::<(), i64>("incr", ()).unwrap();
        go.call::<(), ()>("say", ()).unwrap();
        assert!(out.text().ends_with(&format!("state: say {n}\n")), "{}", out.text());
        assert!(err.text().ends_with(&format!("state: say {n} (stderr)\n")), "{}", err.text());
    }
    assert_eq!(go.stdout(), None, "stdout goes to the sink, not to a capture");
    // Stderr is kept as well, and taken on demand.
    assert!(String::from_utf8_lossy(&go.take_stderr()).ends_with("state: say 3 (stderr)\n"));
    assert!(go.stderr().is_empty());
    // The panic text is found in this call's stderr and also reached the sink.
    match go.call::<(), ()>("boom", ()) {
        Err(ReactorError::Panic { message, .. }) => assert_eq!(message, "boom"),
        other => panic!("{other:?}"),
    }
    assert!(err.text().contains("panic: boom"), "{}", err.text());
}
