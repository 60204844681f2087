//! Runs a WASI command:
//! `cargo run -p wisp-wasi --example run -- [--dir=HOST:GUEST]... module.wasm [args...]`.
//! Stdio and the environment are inherited; without `--dir` the current directory is
//! preopened as `.`. The exit code is the guest's.

fn main() {
    let mut argv = std::env::args().skip(1).peekable();
    let mut dirs = Vec::new();
    while let Some(d) = argv.next_if(|a| a.starts_with("--dir=")) {
        let spec = &d["--dir=".len()..];
        let (host, guest) = spec.split_once(':').unwrap_or((spec, spec));
        dirs.push((host.to_string(), guest.to_string()));
    }
    if dirs.is_empty() {
        dirs.push((".".into(), ".".into()));
    }
    let Some(path) = argv.next() else {
        eprintln!("usage: run [--dir=HOST:GUEST]... MODULE.wasm [ARGS...]");
        std::process::exit(2);
    };
    let code = match run(&path, argv.collect(), &dirs) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    };
    std::process::exit(code);
}

fn run(path: &str, args: Vec<String>, dirs: &[(String, String)]) -> Result<i32, Box<dyn std::error::Error>> {
    let bytes = std::fs::read(path)?;
    let engine = wisp::Engine::default();
    let module = wisp::Module::new(&engine, &bytes)?;
    let mut builder = wisp_wasi::WasiCtx::builder().arg(path).args(args).inherit_stdio().inherit_env();
    for (host, guest) in dirs {
        builder = builder.preopened_dir(host, guest.clone())?;
    }
    let ctx = builder.build();
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
