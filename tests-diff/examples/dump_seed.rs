//! Writes the module a seed generates, to triage a divergence with other tools (`wasm2wat`,
//! node): `cargo run --release -p wisp-difftest --example dump_seed -- SEED OUT.wasm`
fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(seed), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: dump_seed SEED OUT.wasm");
        std::process::exit(2);
    };
    let seed: u64 = seed.parse().expect("SEED is a number");
    match wisp_difftest::module_of_seed(seed) {
        Some(bytes) => std::fs::write(&out, bytes).expect("write OUT.wasm"),
        None => {
            eprintln!("seed {seed} generates no module");
            std::process::exit(1);
        }
    }
}
