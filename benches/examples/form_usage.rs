//! Static use of the generated forms over a corpus of modules, to decide which forms earn their
//! variant: `cargo run --release -p wisp-benches --example form_usage -- FILE_OR_DIR...`
//!
//! Every module that loads is translated eagerly; prints each form of `wisp::isa::FORMS` with
//! how often it occurs (`0` for forms no module uses), then the totals.
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn files(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(p).unwrap().flatten().map(|e| e.path()).collect();
        entries.sort();
        for e in entries {
            files(&e, out);
        }
    } else if p.extension().is_some_and(|e| e == "wasm") {
        out.push(p.to_path_buf());
    }
}

fn main() {
    let mut paths = Vec::new();
    for a in std::env::args().skip(1) {
        files(Path::new(&a), &mut paths);
    }
    let engine = wisp::Engine::default();
    let mut counts: HashMap<&'static str, usize> = HashMap::new();
    let mut modules = 0;
    for p in &paths {
        let Ok(bytes) = std::fs::read(p) else { continue };
        let Ok(module) = wisp::Module::new(&engine, &bytes) else { continue };
        modules += 1;
        for f in module.all_code() {
            for i in f.iter() {
                *counts.entry(i.mnemonic()).or_default() += 1;
            }
        }
    }
    let mut unused = 0;
    for form in wisp::isa::FORMS {
        let n = counts.get(form.name).copied().unwrap_or(0);
        unused += (n == 0) as usize;
        println!("{n:8} {}", form.name);
    }
    eprintln!("{modules} modules; {unused} of {} forms unused", wisp::isa::FORMS.len());
}
