//! Every command and reactor fixture under fixtures/ runs through wisp + wisp-wasi, and its
//! stdout, stderr, results and exit code must match its `expected.txt`.

mod support;

use support::{expect, fixtures_dir};

fn engine() -> wisp::Engine {
    wisp::Engine::default()
}

fn run(rel: &str) {
    let path = fixtures_dir().join(rel).join("expected.txt");
    match expect::run_expected(&engine(), &path) {
        Ok(n) => assert!(n > 0, "{rel}: no scenarios"),
        Err(failures) => panic!("{} failure(s):\n{}", failures.len(), failures.join("\n")),
    }
}

/// Acceptance: a Go 1.24 wasip1 hello-world prints its line, exit code 0.
#[test]
fn go_hello() {
    run("go/hello");
}

/// Acceptance: `os.Exit(3)` ends the call with `Error::Exit(3)`.
#[test]
fn go_exit3() {
    run("go/exit3");
}

#[test]
fn go_gopanic() {
    run("go/gopanic");
}

#[test]
fn go_wasi_tour() {
    run("go/wasi_tour");
}

/// Go 1.24's os.Root over WASI rights: directories the guest opened itself serve as roots.
#[test]
fn go_osroot() {
    run("go/osroot");
}

/// The same tour on virtual clocks: sleeps and timers take no real time, and the transcript
/// is unchanged.
#[test]
fn go_wasi_tour_deterministic() {
    let path = fixtures_dir().join("go/wasi_tour/expected.txt");
    let t = std::time::Instant::now();
    if let Err(f) = expect::run_expected_with(&engine(), &path, true) {
        panic!("{}", f.join("\n"));
    }
    eprintln!("deterministic tour: {:?}", t.elapsed());
}

#[test]
fn go_state_deterministic() {
    let path = fixtures_dir().join("go/state/expected.txt");
    if let Err(f) = expect::run_expected_with(&engine(), &path, true) {
        panic!("{}", f.join("\n"));
    }
}

#[test]
fn go_state() {
    run("go/state");
}

#[test]
fn go_add() {
    run("go/add");
}

#[test]
fn go_types() {
    run("go/types");
}

#[test]
fn go_strings() {
    run("go/strings");
}

#[test]
fn go_snap() {
    run("go/snap");
}

/// Compute-heavy (about 12 s in a debug build); passes, run with `--ignored`.
#[test]
#[ignore]
fn go_bench() {
    run("go/bench");
}

/// Every Go fixture directory has a test above.
#[test]
fn go_fixtures_all_covered() {
    let known =
        ["hello", "exit3", "gopanic", "wasi_tour", "osroot", "state", "add", "types", "strings", "bench", "snap"];
    for p in expect::find_expected(&fixtures_dir().join("go")) {
        let name = p.parent().unwrap().file_name().unwrap().to_string_lossy().into_owned();
        assert!(known.contains(&name.as_str()), "fixtures/go/{name} has no test in wisp-wasi/tests/fixtures.rs");
    }
}

/// Every C fixture with an `expected.txt` (fixtures/c is still growing; none is fine).
#[test]
fn c_fixtures() {
    let engine = engine();
    let mut failures = Vec::new();
    let mut ran = 0;
    for p in expect::find_expected(&fixtures_dir().join("c")) {
        match expect::run_expected(&engine, &p) {
            Ok(n) => ran += n,
            Err(f) => failures.extend(f),
        }
    }
    eprintln!("c fixtures: {ran} scenario run(s) passed");
    assert!(failures.is_empty(), "{} failure(s):\n{}", failures.len(), failures.join("\n"));
}
