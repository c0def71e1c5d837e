//! `troupe check` on bad applications (SPEC §2.2): every error class is reported with
//! file:line:column, the entry ID and what was expected, through the real binary (so the
//! Luau and WAT checkers are the real ones), and the exit code is 1.

use std::process::Command;

fn check(case: &str) -> (i32, String) {
    let dir = format!("{}/tests/check/{case}", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_troupe"))
        .args(["check", &dir])
        .output()
        .expect("run troupe");
    let stderr = String::from_utf8_lossy(&out.stderr)
        .replace(&format!("{}/", env!("CARGO_MANIFEST_DIR")), "");
    (out.status.code().unwrap_or(-1), stderr)
}

fn assert_reports(case: &str, expected: &[&str]) {
    let (code, err) = check(case);
    assert_eq!(code, 1, "{case}: expected exit 1, stderr:\n{err}");
    for e in expected {
        assert!(err.contains(e), "{case}: missing {e:?} in:\n{err}");
    }
    assert!(!err.contains("panicked"), "{case}: panic in output:\n{err}");
}

/// A kind Troupe does not implement is a warning (WIPPY-API.md §12), with the nearest
/// Troupe kind when it looks like a misspelling; `--strict` makes it an error.
#[test]
fn unknown_kind_is_a_warning_with_suggestion() {
    let (code, err) = check("unknown_kind");
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(
            "tests/check/unknown_kind/_index.yaml:4:11: app:worker: warning: kind \"proces.lua\" is not implemented by Troupe (did you mean \"process.lua\"?)"
        ),
        "{err}"
    );
}

#[test]
fn missing_required_field() {
    assert_reports(
        "missing_field",
        &["tests/check/missing_field/_index.yaml:3:5: app:worker: missing required field `source`"],
    );
}

#[test]
fn unknown_field_with_suggestion() {
    assert_reports(
        "unknown_field",
        &[
            "_index.yaml:6:5: app:worker: unknown field `modles` for kind process.lua, did you mean \"modules\"?",
        ],
    );
}

#[test]
fn wrong_type() {
    assert_reports(
        "wrong_type",
        &["_index.yaml:6:13: app:worker: `method`: expected a string, found a list"],
    );
}

#[test]
fn duplicate_id() {
    assert_reports(
        "duplicate_id",
        &[
            "_index.yaml:5:5: app:worker: duplicate entry ID app:worker: first defined at",
            "_index.yaml:3:5",
        ],
    );
}

#[test]
fn reference_to_missing_entry() {
    assert_reports(
        "bad_reference",
        &[
            "_index.yaml:8:14: app:worker: `process` refers to app:worker_proces, which does not exist",
            "did you mean \"app:worker_process\"?",
        ],
    );
}

#[test]
fn reference_to_wrong_kind() {
    assert_reports(
        "wrong_kind_reference",
        &[
            "_index.yaml:9:14: app:worker: `process` must name a process.lua or process.wasm entry, but app:helper is a function.lua",
        ],
    );
}

#[test]
fn requires_cycle() {
    assert_reports(
        "requires_cycle",
        &["_index.yaml:10:18: app:a: cycle in requires: app:a -> app:b -> app:a"],
    );
}

#[test]
fn supervisor_cycle() {
    assert_reports(
        "supervisor_cycle",
        &["cycle in supervisor children: app:middle -> app:top -> app:middle"],
    );
}

#[test]
fn child_with_two_supervisors() {
    assert_reports(
        "two_parents",
        &["_index.yaml:15:9: app:sup_b: app:svc is a child of both app:sup_a and app:sup_b"],
    );
}

#[test]
fn unreadable_source() {
    assert_reports(
        "unreadable_source",
        &["_index.yaml:5:13: app:worker: cannot read source file file://missing.lua"],
    );
}

#[test]
fn lua_syntax_errors_inline_and_in_files() {
    assert_reports(
        "lua_syntax",
        &[
            "tests/check/lua_syntax/_index.yaml:7:7: app:inline: Lua syntax error at Lua line 2",
            "tests/check/lua_syntax/bad.lua:3:1: app:from_file: Lua syntax error at Lua line 3",
        ],
    );
}

#[test]
fn invalid_wat() {
    assert_reports(
        "bad_wat",
        &["tests/check/bad_wat/_index.yaml", "invalid WAT"],
    );
}

#[test]
fn wasm_hash_mismatch() {
    assert_reports(
        "bad_hash",
        &[
            "_index.yaml:11:11: app:add: `hash` does not match",
            "expected sha256:0000",
            "actual sha256:93a44bbb",
        ],
    );
}

#[test]
fn yaml_syntax() {
    assert_reports("yaml_syntax", &["_index.yaml:6:11: invalid YAML"]);
}

#[test]
fn all_problems_at_once() {
    let (code, err) = check("multiple");
    assert_eq!(code, 1);
    let problems: Vec<_> = err
        .lines()
        .filter(|l| l.starts_with("tests/check/multiple/"))
        .collect();
    assert!(problems.len() >= 8, "expected every problem, got:\n{err}");
    assert!(err.contains("problems found"), "{err}");
}

#[test]
fn valid_app_passes() {
    let dir = format!("{}/tests/check/valid", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_troupe"))
        .args(["check", &dir])
        .output()
        .expect("run troupe");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // 17 entries in tests/check/valid and its lib/ and wasm/, 9 in security_env/.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("ok: 26 entries"), "{stdout}");
}

#[test]
fn run_refuses_to_boot_an_invalid_app() {
    let dir = format!("{}/tests/check/unknown_field", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_troupe"))
        .args(["run", &dir])
        .output()
        .expect("run troupe");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown field") && err.contains("refusing to boot"),
        "{err}"
    );
}
