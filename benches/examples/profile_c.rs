//! Runs one export of fixtures/c/bench.wasm on wisp in a loop, for perf:
//! `cargo run --release -p wisp-benches --example profile_c -- EXPORT ARG [ITERATIONS]`
//!
//! Every parameter gets ARG (or `A,B`: one value each). `WASMI=1` runs the same loop on wasmi, so instruction counts
//! (`valgrind --tool=callgrind`) and profiles of the two engines come from one harness;
//! `FIXTURE=c/bulk.wasm` picks another module of `fixtures/` (`c/simd.wasm`: wisp's engine has
//! SIMD on, as wasmi's with its `simd` feature). With the `op-profile` feature, wisp runs the
//! portable loop and prints the instructions and pairs that ran most often in the last
//! iteration (`TOP=n` of each, default 40), as `profile_go` does.
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let export = args.get(1).map(String::as_str).unwrap_or("mix");
    // ARG, or one value per parameter separated by commas.
    let vals: Vec<i32> = args.get(2).map_or(vec![2000], |s| s.split(',').map(|v| v.parse().unwrap()).collect());
    let n = vals[0];
    let arg = |i: usize| *vals.get(i).unwrap_or(&n);
    let iters: u32 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(3);
    let bytes = wisp_benches::fixture(&std::env::var("FIXTURE").unwrap_or_else(|_| "c/bench.wasm".into()));
    // The same loop on either engine (their APIs mirror each other but for instantiation).
    macro_rules! timed {
        ($engine:ident, $new:expr, $instantiate:ident, $ty:expr) => {{
            let engine = $new;
            let module = $engine::Module::new(&engine, &bytes[..]).unwrap();
            let mut store = $engine::Store::new(&engine, ());
            let inst = $engine::Linker::new(&engine).$instantiate(&mut store, &module).unwrap();
            let f = inst.get_func(&store, export).unwrap();
            let ty = ($ty)(f.ty(&store));
            let t = Instant::now();
            for _ in 0..iters {
                #[cfg(feature = "op-profile")]
                wisp::op_profile::take();
                let mut out = vec![$engine::Val::I32(0); ty.results().len()];
                let params: Vec<$engine::Val> = (0..ty.params().len()).map(|i| $engine::Val::I32(arg(i))).collect();
                f.call(&mut store, &params, &mut out).unwrap();
                eprintln!("{export}({n}) = {out:?}");
            }
            t
        }};
    }
    let t = if std::env::var("WASMI").is_ok() {
        timed!(wasmi, wasmi::Engine::default(), instantiate_and_start, |t| t)
    } else {
        // wisp's `Func::ty` is an error, not a panic, for another store's function.
        timed!(wisp, engine(), instantiate, |t: wisp::Result<wisp::FuncType>| t.unwrap())
    };
    eprintln!("{:?}", t.elapsed() / iters);
    #[cfg(feature = "op-profile")]
    {
        let c = wisp::op_profile::take();
        let top: usize = std::env::var("TOP").ok().and_then(|s| s.parse().ok()).unwrap_or(40);
        println!("{} instructions", c.total());
        c.print_top(top);
    }
}

/// wisp's engine for the fixture: SIMD on, and the portable loop when counting instructions.
fn engine() -> wisp::Engine {
    let mut config = wisp_benches::wisp_simd_config();
    if cfg!(feature = "op-profile") {
        config.dispatch(wisp::Dispatch::Portable);
    }
    wisp::Engine::new(&config)
}
