//! `troupe test` (SPEC §8, WIPPY-API.md §11) end to end: discovery, the verdict (only a
//! raised error, `false` or a returned error fails), pass/fail/time lines with the failure
//! reason, suites and order, the final count line, the exit code, `--filter`, and the Lua
//! test application `tests/app` (SPEC §3, §5, §7 from the Lua side) passing as a whole.

mod common;

use common::cli::{Run, troupe};

fn test_cmd(dir: &str, extra: &[&str]) -> Run {
    let dir = common::app_dir(dir).display().to_string();
    let mut args = vec!["test", dir.as_str()];
    args.extend_from_slice(extra);
    troupe(&args)
}

/// The `PASS`/`FAIL` lines by test ID, without the timing.
fn verdicts(stdout: &str) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = stdout
        .lines()
        .filter(|l| l.starts_with("PASS  ") || l.starts_with("FAIL  "))
        .map(|l| {
            let (status, rest) = l.split_at(4);
            let rest = rest.trim_start();
            let (id, after) = rest.split_once(' ').unwrap_or((rest, ""));
            // "(2.5 ms)" or "(2.5 ms): reason"
            assert!(after.starts_with('(') && after.contains(" ms)"), "{l}");
            let reason = after.split_once("): ").map(|x| x.1).unwrap_or("");
            (id.to_string(), status.to_string(), reason.to_string())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn failing_tests_are_reported_with_their_reason_and_the_run_exits_1() {
    let run = test_cmd("test_runner", &["--timeout", "500ms"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let s = |x: &str| x.to_string();
    assert_eq!(
        verdicts(&run.stdout),
        vec![
            // Any entry with meta.type test is a test; a process.lua runs as a process.
            (s("t:a_process"), s("PASS"), s("")),
            (s("t:hangs"), s("FAIL"), s("timed out after 500ms")),
            (s("t:passes"), s("PASS"), s("")),
            (s("t:raises"), s("FAIL"), s("assertion failed: sum is 5")),
            // `return false, "why"` reports why.
            (s("t:returns_false"), s("FAIL"), s("expected 3, got 4")),
            // nil, numbers and tables pass (as Wippy's runner).
            (s("t:returns_nil"), s("PASS"), s("")),
            // `return nil, "why"` and `return true, "why"` are error exits too.
            (
                s("t:returns_nil_and_error"),
                s("FAIL"),
                s("the fixture is missing")
            ),
            (s("t:returns_number"), s("PASS"), s("")),
            (
                s("t:returns_plain_false"),
                s("FAIL"),
                s("test returned false")
            ),
            (s("t:returns_table"), s("PASS"), s("")),
            (s("t:returns_true_and_error"), s("FAIL"), s("but it broke")),
            // A test that cannot load fails with why (Wippy's `require` text), never counts
            // as skipped.
            (
                s("t:unknown_module"),
                s("FAIL"),
                s("module 'no_such_module' not found")
            ),
        ],
        "t:helper (meta.type helper) is not a test"
    );
    assert!(
        run.stdout.contains("\nfailures:\n  t:"),
        "a failure summary precedes the count: {}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("suite "),
        "no suite headers without meta.suite: {}",
        run.stdout
    );
    assert_eq!(run.stdout.lines().last(), Some("5 passed, 7 failed"));
}

#[test]
fn filter_selects_tests_by_substring_or_wildcard() {
    let run = test_cmd("test_runner", &["--filter", "pass"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(verdicts(&run.stdout).len(), 1);
    assert_eq!(run.stdout.lines().last(), Some("1 passed, 0 failed"));

    let run = test_cmd("test_runner", &["--filter", "t:returns_*_false"]);
    assert_eq!(run.code, 1);
    let ids: Vec<String> = verdicts(&run.stdout).into_iter().map(|v| v.0).collect();
    assert_eq!(ids, vec!["t:returns_plain_false"]);
    assert_eq!(run.stdout.lines().last(), Some("0 passed, 1 failed"));

    // Several filters: a test runs when any matches.
    let run = test_cmd("test_runner", &["-f", "table", "--filter", "number"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ids: Vec<String> = verdicts(&run.stdout).into_iter().map(|v| v.0).collect();
    assert_eq!(ids, vec!["t:returns_number", "t:returns_table"]);
}

/// Suites run alphabetically, tests without a suite last as "other"; a suite with any
/// `meta.order` runs one test at a time by order then ID. The app's own tests assert the
/// order they ran in (tests/apps/test_order); here the output shows it too.
#[test]
fn suites_run_alphabetically_and_ordered_suites_in_order() {
    let run = test_cmd("test_order", &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("suite ") || l.starts_with("PASS") || l.starts_with("FAIL"))
        .map(|l| l.split(" (").next().unwrap_or(l))
        .collect();
    let (alpha, rest) = lines.split_at(7);
    assert_eq!(
        alpha,
        [
            "suite alpha",
            "PASS  order:first",
            "PASS  order:plain",
            "PASS  order:step",
            "PASS  order:a_tie",
            "PASS  order:b_tie",
            "PASS  order:check",
        ],
        "{}",
        run.stdout
    );
    assert_eq!(rest[0], "suite beta");
    let mut beta = rest[1..3].to_vec();
    beta.sort();
    assert_eq!(beta, ["PASS  order:beta_one", "PASS  order:beta_two"]);
    assert_eq!(
        &rest[3..],
        [
            "suite zeta",
            "PASS  order:zeta_only",
            "suite other",
            "PASS  order:final"
        ]
    );
    assert!(
        run.stdout.contains("suite alpha (6 tests, in order)\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("suite beta (2 tests)\n"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.lines().last(), Some("10 passed, 0 failed"));
}

#[test]
fn no_matching_test_is_an_error_not_a_pass() {
    let run = test_cmd("test_runner", &["--filter", "zzz"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no tests found"), "{}", run.stderr);
    assert_eq!(run.stdout.lines().last(), Some("0 passed, 0 failed"));
}

#[test]
fn an_invalid_application_prints_its_problems_and_runs_nothing() {
    let run = test_cmd("security_bad_regex", &[]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr
            .ends_with("troupe: refusing to boot: 1 problem found\n"),
        "{}",
        run.stderr
    );
}

/// `troupe test tests/app`: the Lua test application covering SPEC §3, §5 and §7 passes
/// as a whole (each of its tests asserts exact values; see tests/app/*/_index.yaml).
#[test]
fn the_lua_test_application_passes() {
    let dir = format!("{}/tests/app", env!("CARGO_MANIFEST_DIR"));
    let run = troupe(&["test", &dir]);
    let failures: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("FAIL"))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}\n{}", run.stderr);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let last = run.stdout.lines().last().unwrap_or("");
    let passed: usize = last
        .strip_suffix(" passed, 0 failed")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected summary {last:?}"));
    let lines = verdicts(&run.stdout).len();
    assert_eq!(passed, lines, "one PASS line per test");
    assert!(passed >= 51, "tests/app has 51 tests, ran {passed}");
}
