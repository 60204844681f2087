//! Go calling its host: `fixtures/go/hostcall.wasm` imports five host functions
//! (`//go:wasmimport host ...`) that take and return strings, byte slices and
//! `structs.HostLayout` structs; the host functions below hand bytes back by calling the
//! guest's `alloc` from inside the import. Expected values follow the Go source's comments
//! (fixtures/go/hostcall/main.go) and the host functions defined here.

use std::collections::HashMap;
use std::time::Duration;
use wisp::{Caller, Config, Engine, GuestAlloc, Linker, Module, Store, TrapCode};
use wisp_wasi::{GoReactor, ReactorError, WasiCtx};

fn fixture() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/go/hostcall.wasm")
}

wisp::guest_struct! {
    /// Go: `blob { _ structs.HostLayout; Ptr uint32; Len uint32 }`
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Blob { ptr: u32, len: u32 }
}

wisp::guest_struct! {
    /// Go: `sample { _ structs.HostLayout; Tag uint8; Count uint32; Scale float64; Values [8]int32 }`
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Sample { tag: u8, count: u32, scale: f64, values: [i32; 8] }
}

wisp::guest_struct! {
    /// Go: `summary { _ structs.HostLayout; Min, Max int32; Sum int64; Mean float64; Tag uint8; Ok bool }`
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Summary { min: i32, max: i32, sum: i64, mean: f64, tag: u8, ok: bool }
}

/// A host error that must come back, typed, through the Go frames.
#[derive(Debug, PartialEq)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused key {:?}", self.0)
    }
}

impl std::error::Error for Refused {}

/// The host's data for one plugin.
struct Host {
    wasi: WasiCtx,
    logs: Vec<(i32, String)>,
    kv: HashMap<String, Vec<u8>>,
    samples: Vec<Sample>,
    /// The guest's memory and alloc/free, looked up on the first host call that needs them.
    abi: Option<GuestAlloc>,
}

impl Host {
    fn new() -> Host {
        Host { wasi: WasiCtx::builder().build(), logs: Vec::new(), kv: HashMap::new(), samples: Vec::new(), abi: None }
    }
}

fn abi(caller: &mut Caller<'_, Host>) -> wisp::Result<GuestAlloc> {
    if let Some(abi) = caller.data().abi {
        return Ok(abi);
    }
    let abi = GuestAlloc::from_caller(caller)?;
    caller.data_mut().abi = Some(abi);
    Ok(abi)
}

fn link(engine: &Engine) -> Linker<Host> {
    let mut linker = Linker::<Host>::new(engine);
    wisp_wasi::add_to_linker(&mut linker, |h: &mut Host| &mut h.wasi).unwrap();
    // log(level int32, msg string)
    linker
        .func_wrap("host", "log", |mut caller: Caller<'_, Host>, level: i32, ptr: u32, len: u32| -> wisp::Result<()> {
            let msg = abi(&mut caller)?.memory().read_string(&caller, ptr, len)?;
            caller.data_mut().logs.push((level, msg));
            Ok(())
        })
        .unwrap();
    // get(key string) uint64: a buffer from the guest's alloc, packed; 0 for an unknown key.
    linker
        .func_wrap("host", "get", |mut caller: Caller<'_, Host>, ptr: u32, len: u32| -> Result<u64, wisp::BoxError> {
            let abi = abi(&mut caller)?;
            let key = abi.memory().read_string(&caller, ptr, len)?;
            if key == "forbidden" {
                return Err(Box::new(Refused(key)));
            }
            let Some(value) = caller.data().kv.get(&key).cloned() else { return Ok(0) };
            let buf = abi.alloc_bytes(&mut caller, &value)?; // runs the guest's alloc
            Ok(wisp::pack_ptr_len(buf.ptr, buf.len))
        })
        .unwrap();
    // put(key string, val unsafe.Pointer, n uint32) int32
    linker
        .func_wrap(
            "host",
            "put",
            |mut caller: Caller<'_, Host>, kp: u32, kl: u32, vp: u32, vl: u32| -> wisp::Result<i32> {
                let mem = abi(&mut caller)?.memory();
                let key = mem.read_string(&caller, kp, kl)?;
                let value = mem.read_bytes(&caller, vp, vl)?;
                Ok(caller.data_mut().kv.insert(key, value).map_or(-1, |old| old.len() as i32))
            },
        )
        .unwrap();
    // transform(in unsafe.Pointer, n uint32, out *blob) int32: ASCII upper case; 22 for no input.
    linker
        .func_wrap(
            "host",
            "transform",
            |mut caller: Caller<'_, Host>, ip: u32, n: u32, out: u32| -> wisp::Result<i32> {
                let abi = abi(&mut caller)?;
                let input = abi.memory().read_bytes(&caller, ip, n)?;
                if input.is_empty() {
                    return Ok(22);
                }
                let buf = abi.alloc_bytes(&mut caller, &input.to_ascii_uppercase())?;
                abi.memory().write_value(&mut caller, out, &Blob { ptr: buf.ptr, len: buf.len })?;
                Ok(0)
            },
        )
        .unwrap();
    // measure(in *sample, out *summary)
    linker
        .func_wrap("host", "measure", |mut caller: Caller<'_, Host>, ip: u32, op: u32| -> wisp::Result<()> {
            let mem = abi(&mut caller)?.memory();
            let s: Sample = mem.read_value(&caller, ip)?;
            caller.data_mut().samples.push(s);
            let mut out = Summary { min: 0, max: 0, sum: 0, mean: 0.0, tag: s.tag, ok: false };
            if (1..=8).contains(&s.count) {
                let v = &s.values[..s.count as usize];
                out.min = *v.iter().min().unwrap();
                out.max = *v.iter().max().unwrap();
                out.sum = v.iter().map(|&x| i64::from(x)).sum();
                out.mean = out.sum as f64 * s.scale / f64::from(s.count);
                out.ok = true;
            }
            mem.write_value(&mut caller, op, &out)
        })
        .unwrap();
    linker
}

fn plugin(engine: &Engine, linker: &Linker<Host>, module: &Module) -> GoReactor<Host> {
    let store = Store::new(engine, Host::new());
    GoReactor::builder().forward_stderr(false).instantiate_in(store, linker, module, |h| &mut h.wasi).unwrap()
}

fn setup() -> (Engine, Linker<Host>, Module) {
    let engine = Engine::default();
    let module = Module::new(&engine, std::fs::read(fixture()).unwrap()).unwrap();
    let linker = link(&engine);
    (engine, linker, module)
}

/// The bytes `remember(key, n)` passes to put: byte i is byte(7*i + 1).
fn remembered(n: usize) -> Vec<u8> {
    (0..n).map(|i| (7 * i + 1) as u8).collect()
}

/// What `recall` computes from a value: sum of (i+1) * b[i].
fn weighted(b: &[u8]) -> i64 {
    b.iter().enumerate().map(|(i, &x)| (i as i64 + 1) * i64::from(x)).sum()
}

#[test]
fn strings_in_and_out_of_host_functions() {
    let (engine, linker, module) = setup();
    let mut go = plugin(&engine, &linker, &module);
    // init() logged through the host while `_initialize` ran.
    assert_eq!(go.data().logs, [(1, "hostcall: init".to_string())]);

    // No greeting on the host: the Go default.
    assert_eq!(go.call_str("hello", "wisp").unwrap(), "Hello, wisp!");
    go.data_mut().kv.insert("greeting".into(), "Grüß dich".into());
    assert_eq!(go.call_str("hello", "Gopher").unwrap(), "Grüß dich, Gopher!");
    // An empty value is found (alloc never returns 0), and is not the default.
    go.data_mut().kv.insert("greeting".into(), Vec::new());
    assert_eq!(go.call_str("hello", "x").unwrap(), ", x!");
    assert_eq!(go.data().logs[1..], [(1, "hello wisp".into()), (1, "hello Gopher".into()), (1, "hello x".into())]);
    assert_eq!(go.take_stderr(), b"hostcall: hello wisp\nhostcall: hello Gopher\nhostcall: hello x\n");

    // Bytes in, bytes out through a HostLayout struct the host fills.
    assert_eq!(go.call_str("shout", "abc é").unwrap(), "<ABC é>");
    assert_eq!(go.call_str("shout", "").unwrap(), "error 22");
    // Every buffer the host allocated was freed by the guest, every input and result by call_str.
    assert_eq!(go.call::<(), i32>("live_count", ()).unwrap(), 0);
}

#[test]
fn byte_slices_to_and_from_the_host() {
    let (engine, linker, module) = setup();
    let mut go = plugin(&engine, &linker, &module);
    let abi = GuestAlloc::new(go.store(), &go.instance()).unwrap();
    let remember = go.func::<(u32, u32, i32), i32>("remember").unwrap();
    let recall = go.func::<(u32, u32), i64>("recall").unwrap();
    let key = abi.alloc_bytes(go.store_mut(), b"blob").unwrap();

    assert_eq!(go.call_func(&remember, (key.ptr, key.len, 300)).unwrap(), -1);
    assert_eq!(go.data().kv["blob"], remembered(300));
    assert_eq!(go.data().kv["blob"][73], 0, "byte 73 is 7*73+1 = 512, i.e. 0");
    assert_eq!(go.call_func(&recall, (key.ptr, key.len)).unwrap(), weighted(&remembered(300)));
    // put returns the previous length; an empty slice is stored as empty.
    assert_eq!(go.call_func(&remember, (key.ptr, key.len, 3)).unwrap(), 300);
    assert_eq!(go.call_func(&recall, (key.ptr, key.len)).unwrap(), 1 + 2 * 8 + 3 * 15);
    assert_eq!(go.call_func(&remember, (key.ptr, key.len, 0)).unwrap(), 3);
    assert_eq!(go.data().kv["blob"], b"");
    assert_eq!(go.call_func(&recall, (key.ptr, key.len)).unwrap(), 0);
    // A value the host put there itself.
    go.data_mut().kv.insert("blob".into(), vec![255; 1000]);
    assert_eq!(go.call_func(&recall, (key.ptr, key.len)).unwrap(), 255 * 1000 * 1001 / 2);
    // Unknown key.
    let other = abi.alloc_bytes(go.store_mut(), b"nothing").unwrap();
    assert_eq!(go.call_func(&recall, (other.ptr, other.len)).unwrap(), -1);
    abi.free(go.store_mut(), key.ptr).unwrap();
    abi.free(go.store_mut(), other.ptr).unwrap();
    assert_eq!(go.call::<(), i32>("live_count", ()).unwrap(), 0);
    // get's "0 means unknown" relies on alloc never returning 0, even for 0 bytes.
    let p = go.call::<u32, u32>("alloc", 0).unwrap();
    assert_ne!(p, 0);
    assert_eq!(go.call::<(), i32>("live_count", ()).unwrap(), 1);
    go.call::<u32, ()>("free", p).unwrap();
    assert_eq!(go.call::<(), i32>("live_count", ()).unwrap(), 0);
}

#[test]
fn host_layout_structs_both_ways() {
    let (engine, linker, module) = setup();
    let mut go = plugin(&engine, &linker, &module);
    // Values i*i - 10: -10 -9 -6 -1 6 | 15 26 39.
    assert_eq!(go.call::<i32, i64>("stats", 5).unwrap(), -20 * 1000 + 6 * 10 - 10);
    let s = go.data().samples[0];
    assert_eq!((s.tag, s.count, s.scale), (b'q', 5, 0.5));
    assert_eq!(s.values, [-10, -9, -6, -1, 6, 0, 0, 0]);
    let at = go.call::<(), u32>("last_summary", ()).unwrap();
    let kept: Summary = go.memory().read_value(go.store(), at).unwrap();
    assert_eq!(kept, Summary { min: -10, max: 6, sum: -20, mean: -2.0, tag: b'q', ok: true });

    assert_eq!(go.call::<i32, i64>("stats", 100).unwrap(), 60 * 1000 + 39 * 10 - 10, "clamped to 8 values");
    let kept: Summary = go.memory().read_value(go.store(), at).unwrap();
    assert_eq!((kept.sum, kept.mean), (60, 3.75));
    // Count 0: the host says not Ok.
    assert_eq!(go.call::<i32, i64>("stats", 0).unwrap(), -1);
    assert_eq!(go.data().samples.last().unwrap().count, 0);
}

/// The guest's alloc runs inside an import while the Go runtime collects garbage or moves
/// the goroutine's stack: results and the live buffer count are unchanged.
#[test]
fn alloc_inside_an_import_survives_gc_and_stack_growth() {
    let (engine, linker, module) = setup();
    for mode in [0, 1, 2] {
        let mut go = plugin(&engine, &linker, &module);
        go.data_mut().kv.insert("greeting".into(), "Hi!".into());
        go.call::<i32, ()>("set_alloc_mode", mode).unwrap();
        let gcs = go.call::<(), u32>("num_gc", ()).unwrap();
        let n = if mode == 1 { 50 } else { 500 };
        assert_eq!(go.call::<i32, i64>("churn", n).unwrap(), 3 * i64::from(n), "mode {mode}");
        // The modes did what they say: collections ran, the stack moved under churn's frame.
        let gcs = go.call::<(), u32>("num_gc", ()).unwrap() - gcs;
        let moves = go.call::<(), i32>("stack_moves", ()).unwrap();
        match mode {
            1 => assert!(gcs >= 50, "{gcs} collections"),
            2 => assert!(moves > 0, "the stack never moved"),
            _ => assert_eq!(moves, 0),
        }
        assert_eq!(go.call_str("hello", "again").unwrap(), "Hi!, again!", "mode {mode}");
        assert_eq!(go.call_str("shout", "moved?").unwrap(), "<MOVED?>", "mode {mode}");
        assert_eq!(go.call::<(), i32>("live_count", ()).unwrap(), 0, "mode {mode}");
    }
}

#[test]
fn many_host_calls_in_one_export() {
    let (engine, linker, module) = setup();
    let mut go = plugin(&engine, &linker, &module);
    go.call::<(), ()>("ping", ()).unwrap();
    go.call::<i32, ()>("pings", 10_000).unwrap();
    let logs = &go.data().logs;
    assert_eq!(logs.len(), 1 + 1 + 10_000);
    assert!(logs[1..].iter().all(|(level, msg)| *level == 0 && msg.is_empty()));
}

#[test]
fn a_typed_host_error_comes_back_through_go_and_retires_the_instance() {
    let (engine, linker, module) = setup();
    let mut go = plugin(&engine, &linker, &module);
    let err = go.call_str("recall", "forbidden").unwrap_err();
    match &err {
        ReactorError::Wasm(e) => assert_eq!(e.downcast_ref::<Refused>(), Some(&Refused("forbidden".into()))),
        other => panic!("{other:?}"),
    }
    // Go was stopped inside an import: it cannot go on.
    assert!(go.is_dead());
    assert!(matches!(go.call::<(), i32>("live_count", ()), Err(ReactorError::Dead(_))));
}

#[test]
fn a_deadline_stops_a_guest_that_called_the_host_first() {
    let mut config = Config::new();
    config.interruptible(true);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, std::fs::read(fixture()).unwrap()).unwrap();
    let linker = link(&engine);
    let mut go = plugin(&engine, &linker, &module);
    go.set_timeout(Some(Duration::from_millis(50))).unwrap();
    match go.call::<(), ()>("spin", ()) {
        Err(ReactorError::Stopped { trap, .. }) => assert_eq!(trap.code(), TrapCode::DeadlineExceeded),
        other => panic!("{other:?}"),
    }
    assert_eq!(go.data().logs.last().unwrap(), &(2, "spin".to_string()));
    assert!(go.is_dead());
}
