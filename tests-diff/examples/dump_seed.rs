//! Writes the module a seed generates, to triage a divergence with other tools (`wasm2wat`,
//! node): `cargo run --release -p wisp-difftest --example dump_seed -- SEED OUT.wasm [CONFIG]`
//! (CONFIG as `diff-long` names it: `2`, the default, `3` or `3-all`).
fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(seed), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: dump_seed SEED OUT.wasm [CONFIG]");
        std::process::exit(2);
    };
    let config = args.next().unwrap_or_else(|| "2".to_string());
    let Some(generate) = wisp_difftest::generator(&config) else {
        eprintln!("no configuration {config:?} (2, 3 or 3-all)");
        std::process::exit(2);
    };
    let seed: u64 = seed.parse().expect("SEED is a number");
    match generate(seed) {
        Some(bytes) => std::fs::write(&out, bytes).expect("write OUT.wasm"),
        None => {
            eprintln!("seed {seed} generates no module");
            std::process::exit(1);
        }
    }
}
