//! Calls the Go reactor export `add` of `fixtures/go/add.wasm` (as the `go/call` benches) N times through one API path,
//! for callgrind: `cargo run --release -p wisp-benches --example profile_call -- typed 100000`
//! (`typed`: `TypedFunc::call`; `untyped`: `Func::call` over `Val` slices). `WASMI=1` runs the
//! same loop on wasmi. Each path's loop is its own non-inlined function, so `callgrind_annotate
//! --inclusive=yes` gives the Ir of one path; divided by N, the Ir per call (the setup's share
//! falls out by comparing two values of N).

use wisp_benches::wisp_host;

mod wasmi_host {
    wisp_benches::shim_host!(wasmi, wasmi::Error::i32_exit, instantiate_and_start);
}

macro_rules! paths {
    ($engine:ident, $typed:ident, $untyped:ident) => {
        #[inline(never)]
        fn $typed(store: &mut $engine::Store<()>, f: &$engine::TypedFunc<(i32, i32), i32>, n: u32) -> i64 {
            let mut sum = 0i64;
            for i in 0..n {
                sum += f.call(&mut *store, (i as i32, 2)).unwrap() as i64;
            }
            sum
        }

        #[inline(never)]
        fn $untyped(store: &mut $engine::Store<()>, f: &$engine::Func, n: u32) -> i64 {
            let mut sum = 0i64;
            let mut out = [$engine::Val::I32(0)];
            for i in 0..n {
                let args = [$engine::Val::I32(i as i32), $engine::Val::I32(2)];
                f.call(&mut *store, &args, &mut out).unwrap();
                sum += match out[0] {
                    $engine::Val::I32(v) => v as i64,
                    _ => unreachable!(),
                };
            }
            sum
        }
    };
}

paths!(wisp, wisp_typed, wisp_untyped);
paths!(wasmi, wasmi_typed, wasmi_untyped);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).map(String::as_str).unwrap_or("typed").to_string();
    let n: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let bytes = wisp_benches::fixture("go/add.wasm");
    let t = std::time::Instant::now();
    // The same start and path on either engine (their APIs mirror each other).
    macro_rules! run {
        ($engine:ident, $host:ident, $typed:ident, $untyped:ident) => {{
            let engine = $engine::Engine::default();
            let module = $engine::Module::new(&engine, &bytes[..]).unwrap();
            let (mut store, inst) = $host::start(&engine, &module);
            match path.as_str() {
                "typed" => {
                    let f = inst.get_typed_func(&store, "add").unwrap();
                    $typed(&mut store, &f, n)
                }
                _ => {
                    let f = inst.get_func(&store, "add").unwrap();
                    $untyped(&mut store, &f, n)
                }
            }
        }};
    }
    let sum = if std::env::var("WASMI").is_ok() {
        run!(wasmi, wasmi_host, wasmi_typed, wasmi_untyped)
    } else {
        run!(wisp, wisp_host, wisp_typed, wisp_untyped)
    };
    let expect: i64 = (0..n as i64).map(|i| i + 2).sum();
    assert_eq!(sum, expect, "add({n} calls)");
    eprintln!("{path} x{n}: {:?}", t.elapsed());
}
