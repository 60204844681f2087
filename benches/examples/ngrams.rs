//! Static n-gram counts of wisp bytecode over a module, to pick superinstructions by measured
//! frequency: `cargo run --release -p wisp-benches --example ngrams -- FILE [N]`
use std::collections::HashMap;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&args[1]).unwrap();
    let top: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(40);
    let engine = wisp::Engine::default();
    let module = wisp::Module::new(&engine, &bytes).unwrap();
    let code = module.all_code();
    for n in 1..=3 {
        let mut counts: HashMap<String, usize> = HashMap::new();
        let mut total = 0;
        for f in &code {
            for w in f.windows(n) {
                *counts.entry(w.iter().map(|i| i.mnemonic()).collect::<Vec<_>>().join(" ")).or_default() += 1;
                total += 1;
            }
        }
        let mut v: Vec<_> = counts.into_iter().collect();
        v.sort_by_key(|&(_, c)| std::cmp::Reverse(c));
        println!("== {n}-grams ({total} total)");
        for (k, c) in v.iter().take(top) {
            println!("{:6.2}% {c:8} {k}", 100.0 * *c as f64 / total as f64);
        }
    }
}
