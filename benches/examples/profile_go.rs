//! Runs one Go bench export on wisp in a loop, for perf/callgrind:
//! `cargo run --release -p wisp-benches --example profile_go -- fib 27 [iterations]`
//! (`pings` and `churn` run `fixtures/go/hostcall.wasm` with the bench's host functions;
//! `timers` takes `N,M`: one value per parameter). `WASMI=1` runs the same loop on wasmi, so
//! instruction counts of the two engines come from one harness. With the feature `op-profile`
//! it runs wisp's portable loop and prints the instructions and back-to-back pairs that ran
//! most often in the last iteration (`TOP=n` of each, default 40).

use wisp_benches::wisp_host;

mod wasmi_host {
    wisp_benches::shim_host!(wasmi, wasmi::Error::i32_exit, instantiate_and_start);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let export = args.get(1).map(String::as_str).unwrap_or("fib").to_string();
    // N, or one value per parameter separated by commas.
    let vals: Vec<i64> = args.get(2).map_or(vec![27], |s| s.split(',').map(|v| v.parse().unwrap()).collect());
    let iters: u32 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let hostcall = matches!(export.as_str(), "pings" | "churn");
    let bytes = wisp_benches::fixture(if hostcall { "go/hostcall.wasm" } else { "go/bench.wasm" });
    // An i64 parameter other than the first is a seed (42), as in the benches.
    let arg = |i: usize, wide: bool| match vals.get(i) {
        Some(&v) => v,
        None if wide && i > 0 => 42,
        None => vals[0],
    };
    // The same loop on either engine (their APIs mirror each other but for their host modules).
    macro_rules! timed {
        ($engine:ident, $host:ident, $ty:expr) => {{
            let engine = $engine::Engine::new(&config!($engine));
            let module = $engine::Module::new(&engine, &bytes[..]).unwrap();
            let (mut store, inst) =
                if hostcall { $host::start_hostcall(&engine, &module) } else { $host::start(&engine, &module) };
            let f = inst.get_func(&store, &export).unwrap();
            let ty = ($ty)(f.ty(&store));
            let t = std::time::Instant::now();
            for _ in 0..iters {
                #[cfg(feature = "op-profile")]
                wisp::op_profile::take();
                let mut out = vec![$engine::Val::I32(0); ty.results().len()];
                let params: Vec<$engine::Val> = ty
                    .params()
                    .iter()
                    .enumerate()
                    .map(|(i, t)| match t {
                        $engine::ValType::I64 => $engine::Val::I64(arg(i, true)),
                        _ => $engine::Val::I32(arg(i, false) as i32),
                    })
                    .collect();
                f.call(&mut store, &params, &mut out).unwrap();
                eprintln!("{export}({vals:?}) = {out:?}");
            }
            t
        }};
    }
    #[cfg(feature = "op-profile")]
    macro_rules! config {
        (wisp) => {{
            let mut c = wisp::Config::new();
            c.dispatch(wisp::Dispatch::Portable);
            c
        }};
        ($engine:ident) => {
            $engine::Config::default()
        };
    }
    #[cfg(not(feature = "op-profile"))]
    macro_rules! config {
        ($engine:ident) => {
            $engine::Config::default()
        };
    }
    let t = if std::env::var("WASMI").is_ok() {
        timed!(wasmi, wasmi_host, |t| t)
    } else {
        // wisp's `Func::ty` is an error, not a panic, for another store's function.
        timed!(wisp, wisp_host, |t: wisp::Result<wisp::FuncType>| t.expect("a function of this store"))
    };
    eprintln!("{:?}", t.elapsed());
    #[cfg(feature = "op-profile")]
    print_profile(wisp::op_profile::take());
}

#[cfg(feature = "op-profile")]
fn print_profile(c: wisp::op_profile::Counts) {
    let top: usize = std::env::var("TOP").ok().and_then(|s| s.parse().ok()).unwrap_or(40);
    println!("{} instructions", c.total());
    c.print_top(top);
}
