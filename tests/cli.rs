//! The `troupe` binary (SPEC §8): `run DIR -x ENTRY` and `check DIR`, run as a real process.

mod common;

use std::process::{Command, Output};

use common::app_dir;

fn troupe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_troupe"))
        .args(args)
        .env_remove("RUST_LOG")
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("run the troupe binary")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn cli_app() -> String {
    app_dir("cli").display().to_string()
}

#[test]
fn run_x_prints_the_result_and_exits_0() {
    let out = troupe(&["run", &cli_app(), "-x", "app:main"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "hello from troupe\n");
}

#[test]
fn run_x_passes_arguments_to_main() {
    let out = troupe(&["run", &cli_app(), "-x", "app:args", "one", "two"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "one+two\n");
}

#[test]
fn run_x_of_a_failing_entry_exits_1_with_the_error_on_stderr() {
    let out = troupe(&["run", &cli_app(), "-x", "app:fail"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    let err = text(&out.stderr);
    assert!(err.contains("something went wrong"), "stderr: {err}");
    assert!(err.contains("app:fail"), "stderr: {err}");
}

#[test]
fn run_x_of_a_missing_entry_is_one_clear_line() {
    let out = troupe(&["run", &cli_app(), "-x", "app:nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {err}");
    assert!(
        lines[0].contains("app:nope") && lines[0].contains("not found"),
        "stderr: {err}"
    );
    for bad in ["panicked", "backtrace", "RUST_BACKTRACE"] {
        assert!(!err.contains(bad), "stderr mentions {bad}: {err}");
    }
}

#[test]
fn check_of_a_valid_app_exits_0() {
    let out = troupe(&["check", &cli_app()]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("3 entries"),
        "stdout: {}",
        text(&out.stdout)
    );
}

/// Every test application is itself a valid app, except those invalid on purpose (their
/// problems are asserted where they are used).
#[test]
fn check_accepts_every_test_app() {
    const INVALID_ON_PURPOSE: &[&str] = &["security_bad_regex"];
    let root = app_dir("");
    let mut apps: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/apps")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_dir())
        .filter(|p| {
            !INVALID_ON_PURPOSE
                .iter()
                .any(|name| p.file_name().is_some_and(|f| f == *name))
        })
        .collect();
    apps.push(root.join("../app"));
    apps.sort();
    assert!(apps.len() >= 20, "found only {} apps", apps.len());
    for app in apps {
        let out = troupe(&["check", &app.display().to_string()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            app.display(),
            text(&out.stderr)
        );
    }
}
