//! Compares one module file on wisp and wasmi as the long run does (`compare`, arguments from
//! SEED): `diff_file FILE.wasm [SEED]` prints the outcome and exits 1 on a divergence. A reducer's
//! predicate (`wasm-tools shrink`) when a divergence is triaged.
fn main() {
    let mut args = std::env::args().skip(1);
    let Some(file) = args.next() else {
        eprintln!("usage: diff_file FILE.wasm [SEED]");
        std::process::exit(2);
    };
    let seed: u64 = args.next().map_or(0, |s| s.parse().expect("SEED is a number"));
    let bytes = std::fs::read(&file).expect("read FILE.wasm");
    match wisp_difftest::on_big_stack(|| wisp_difftest::compare(&bytes, seed)) {
        Ok(stats) => println!("agree: {stats:?}"),
        Err(d) => {
            println!("DIVERGENCE: {d}");
            std::process::exit(1);
        }
    }
}
