//! Runs a WASI command: `cargo run -p wisp-wasi --example run -- module.wasm [args...]`.
//! Stdio is inherited and the current directory is preopened as `.`; the exit code is the
//! guest's.

fn main() {
    let mut argv = std::env::args().skip(1);
    let Some(path) = argv.next() else {
        eprintln!("usage: run MODULE.wasm [ARGS...]");
        std::process::exit(2);
    };
    let code = match run(&path, argv.collect()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    };
    std::process::exit(code);
}

fn run(path: &str, args: Vec<String>) -> Result<i32, Box<dyn std::error::Error>> {
    let bytes = std::fs::read(path)?;
    let engine = wisp::Engine::default();
    let module = wisp::Module::new(&engine, &bytes)?;
    let ctx = wisp_wasi::WasiCtx::builder()
        .arg(path)
        .args(args)
        .inherit_stdio()
        .inherit_env()
        .preopened_dir(".", ".")?
        .build();
    let mut store = wisp::Store::new(&engine, ctx);
    let mut linker = wisp::Linker::new(&engine);
    wisp_wasi::add_to_linker(&mut linker, |ctx| ctx)?;
    let instance = linker.instantiate(&mut store, &module)?;
    let start = instance.get_typed_func::<(), ()>(&store, "_start")?;
    match start.call(&mut store, ()) {
        Ok(()) => Ok(0),
        Err(wisp::Error::Exit(code)) => Ok(code),
        Err(e) => Err(e.into()),
    }
}
