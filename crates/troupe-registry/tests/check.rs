//! Fixture apps under `tests/check/<case>/`: each error class is reported with the exact
//! file, line, column, entry ID and a message that says what was expected.

use std::path::{Path, PathBuf};

use troupe_registry::{Diagnostic, NoChecks, SourceChecker, load, load_all};

/// Flags the first Lua line containing `SYNTAX_ERROR` and any WAT containing `BAD_WAT`.
struct FakeChecker;

impl SourceChecker for FakeChecker {
    fn check_lua(&self, source: &str) -> Result<(), (usize, String)> {
        match source.lines().position(|l| l.contains("SYNTAX_ERROR")) {
            Some(i) => Err((i + 1, "unexpected symbol near 'SYNTAX_ERROR'".into())),
            None => Ok(()),
        }
    }
    fn check_wat(&self, source: &str) -> Result<(), String> {
        if source.contains("BAD_WAT") {
            Err("unknown operator `BAD_WAT`".into())
        } else {
            Ok(())
        }
    }
}

fn case_dir(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/check")
        .join(case)
}

/// One diagnostic, with the file relative to the case directory.
#[derive(Debug)]
struct Found {
    file: String,
    line: usize,
    column: usize,
    entry: Option<String>,
    message: String,
}

fn problems(case: &str) -> Vec<Found> {
    let dir = case_dir(case);
    let diags = match load(&dir, &FakeChecker) {
        Ok(_) => panic!("{case}: expected problems, the app loaded"),
        Err(d) => d.0,
    };
    let sorted = {
        let mut s: Vec<Diagnostic> = diags.clone();
        s.sort_by(|a, b| a.location.cmp(&b.location));
        s
    };
    assert_eq!(
        diags, sorted,
        "{case}: diagnostics are sorted by file, line, column"
    );
    diags
        .into_iter()
        .map(|d| Found {
            file: d
                .location
                .file
                .strip_prefix(&dir)
                .unwrap_or(&d.location.file)
                .display()
                .to_string(),
            line: d.location.line,
            column: d.location.column,
            entry: d.entry,
            message: d.message,
        })
        .collect()
}

#[track_caller]
fn assert_problem(
    p: &Found,
    file: &str,
    line: usize,
    column: usize,
    entry: Option<&str>,
    words: &[&str],
) {
    assert_eq!(
        (p.file.as_str(), p.line, p.column),
        (file, line, column),
        "position of {p:?}"
    );
    assert_eq!(p.entry.as_deref(), entry, "entry of {p:?}");
    for w in words {
        assert!(
            p.message.contains(w),
            "message {:?} should contain {w:?}",
            p.message
        );
    }
}

/// The case has exactly one problem, matching the arguments.
#[track_caller]
fn assert_only(
    case: &str,
    file: &str,
    line: usize,
    column: usize,
    entry: Option<&str>,
    words: &[&str],
) {
    let found = problems(case);
    assert_eq!(found.len(), 1, "{case}: {found:#?}");
    assert_problem(&found[0], file, line, column, entry, words);
}

#[test]
fn unknown_kind_is_a_warning_with_the_nearest_kind() {
    let report = load_all(&case_dir("unknown_kind"), &FakeChecker);
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    assert_eq!(report.warnings.len(), 1, "{:#?}", report.warnings);
    let w = &report.warnings[0];
    assert_eq!(
        (w.location.line, w.location.column, w.entry.as_deref()),
        (4, 11, Some("app:worker"))
    );
    assert!(
        w.message
            .contains("kind \"proces.lua\" is not implemented by Troupe")
            && w.message.contains("(did you mean \"process.lua\"?)"),
        "{w}"
    );
    // Stored, with its kind as written.
    let e = report.registry.get("app:worker").expect("stored");
    assert_eq!(e.kind_name(), "proces.lua");
    assert_eq!(report.registry.warnings, report.warnings);
}

#[test]
fn missing_field() {
    assert_only(
        "missing_field",
        "_index.yaml",
        3,
        5,
        Some("app:worker"),
        &["missing required field `source`"],
    );
}

#[test]
fn unknown_field_suggests_nearest() {
    assert_only(
        "unknown_field",
        "_index.yaml",
        6,
        5,
        Some("app:worker"),
        &[
            "unknown field `modles`",
            "process.lua",
            "did you mean \"modules\"?",
        ],
    );
}

#[test]
fn wrong_type() {
    assert_only(
        "wrong_type",
        "_index.yaml",
        6,
        13,
        Some("app:worker"),
        &["`method`", "expected a string, found a list"],
    );
}

#[test]
fn duplicate_id_points_at_second_and_names_first() {
    assert_only(
        "duplicate_id",
        "_index.yaml",
        5,
        5,
        Some("app:worker"),
        &["duplicate entry ID app:worker", "_index.yaml:3:5"],
    );
}

#[test]
fn bad_reference() {
    assert_only(
        "bad_reference",
        "_index.yaml",
        8,
        14,
        Some("app:worker"),
        &[
            "`process`",
            "app:worker_proces",
            "does not exist",
            "process.lua or process.wasm",
            "did you mean \"app:worker_process\"?",
        ],
    );
}

#[test]
fn wrong_kind_reference() {
    assert_only(
        "wrong_kind_reference",
        "_index.yaml",
        9,
        14,
        Some("app:worker"),
        &[
            "`process` must name a process.lua or process.wasm entry",
            "app:helper is a function.lua",
        ],
    );
}

#[test]
fn requires_cycle_is_named() {
    assert_only(
        "requires_cycle",
        "_index.yaml",
        10,
        18,
        Some("app:a"),
        &["cycle in requires: app:a -> app:b -> app:a"],
    );
}

#[test]
fn supervisor_cycle_is_named() {
    assert_only(
        "supervisor_cycle",
        "_index.yaml",
        8,
        16,
        Some("app:middle"),
        &["cycle in supervisor children: app:middle -> app:top -> app:middle"],
    );
}

#[test]
fn child_with_two_supervisors_names_both() {
    assert_only(
        "two_parents",
        "_index.yaml",
        15,
        9,
        Some("app:sup_b"),
        &[
            "app:svc is a child of both app:sup_a and app:sup_b",
            "_index.yaml:11:16",
        ],
    );
}

#[test]
fn unreadable_source() {
    assert_only(
        "unreadable_source",
        "_index.yaml",
        5,
        13,
        Some("app:worker"),
        &[
            "cannot read source file",
            "file://missing.lua",
            "missing.lua",
        ],
    );
}

#[test]
fn bad_hash_and_missing_wasm_file() {
    let found = problems("bad_hash");
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_problem(
        &found[0],
        "_index.yaml",
        11,
        11,
        Some("app:add"),
        &[
            "`hash` does not match",
            "expected sha256:0000000000000000000000000000000000000000000000000000000000000000",
            "actual sha256:93a44bbb96c751218e4c00d479e4c14358122a389acca16205b1e4d0dc5f9476",
        ],
    );
    assert_problem(
        &found[1],
        "_index.yaml",
        16,
        11,
        Some("app:gone"),
        &["cannot read wasm file", "missing.wasm"],
    );
}

#[test]
fn yaml_syntax_error_has_parser_position() {
    assert_only("yaml_syntax", "_index.yaml", 6, 11, None, &["invalid YAML"]);
}

#[test]
fn lua_syntax_errors_map_to_lua_and_yaml_lines() {
    let found = problems("lua_syntax");
    assert_eq!(found.len(), 2, "{found:#?}");
    // Inline block scalar: Lua line 2 is YAML line 7, at the block's indentation.
    assert_problem(
        &found[0],
        "_index.yaml",
        7,
        7,
        Some("app:inline"),
        &["Lua syntax error", "Lua line 2", "SYNTAX_ERROR"],
    );
    // file:// source: the .lua file and its own line.
    assert_problem(
        &found[1],
        "bad.lua",
        3,
        1,
        Some("app:from_file"),
        &["Lua syntax error", "Lua line 3"],
    );
    // Without a checker there is nothing to report.
    assert!(load(&case_dir("lua_syntax"), &NoChecks).is_ok());
}

#[test]
fn invalid_wat() {
    assert_only(
        "bad_wat",
        "_index.yaml",
        5,
        13,
        Some("app:add"),
        &["invalid WAT", "BAD_WAT"],
    );
}

#[test]
fn multiple_problems_across_files_all_reported() {
    let found = problems("multiple");
    let summary: Vec<_> = found
        .iter()
        .map(|p| (p.file.as_str(), p.line, p.column))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("a/_index.yaml", 12, 14),
            ("a/_index.yaml", 14, 19),
            ("a/_index.yaml", 16, 23),
            ("b/_index.yaml", 3, 5),
            ("b/_index.yaml", 6, 5),
            ("b/_index.yaml", 8, 14),
            ("b/_index.yaml", 14, 18),
            ("b/_index.yaml", 15, 7),
            ("troupe.yaml", 2, 1),
        ],
        "{found:#?}"
    );
    // A kind Troupe does not implement is a warning, reported with the rest.
    let report = load_all(&case_dir("multiple"), &FakeChecker);
    assert_eq!(report.warnings.len(), 1, "{:#?}", report.warnings);
    let w = &report.warnings[0];
    assert_eq!((w.location.line, w.location.column), (7, 11), "{w}");
    assert!(w.location.file.ends_with("a/_index.yaml"), "{w}");
    assert!(
        w.message
            .contains("kind \"process.luaa\" is not implemented by Troupe")
            && w.message.contains("(did you mean \"process.lua\"?)"),
        "{w}"
    );
    assert_problem(
        &found[0],
        "a/_index.yaml",
        12,
        14,
        Some("app:svc"),
        &["app.b:missing", "does not exist"],
    );
    assert_problem(
        &found[1],
        "a/_index.yaml",
        14,
        19,
        Some("app:svc"),
        &[
            "`lifecycle.auto_start`",
            "expected a boolean",
            "found a string",
        ],
    );
    assert_problem(
        &found[2],
        "a/_index.yaml",
        16,
        23,
        Some("app:svc"),
        &["`lifecycle.restart.max_attempts`", "non-negative integer"],
    );
    assert_problem(
        &found[3],
        "b/_index.yaml",
        3,
        5,
        Some("app:shared"),
        &["duplicate entry ID app:shared", "a/_index.yaml:3:5"],
    );
    assert_problem(
        &found[4],
        "b/_index.yaml",
        6,
        5,
        Some("app:proc"),
        &["missing required field `source`"],
    );
    assert_problem(
        &found[5],
        "b/_index.yaml",
        8,
        14,
        Some("app:proc"),
        &["`modules`", "expected a list of strings, found a string"],
    );
    assert_problem(
        &found[6],
        "b/_index.yaml",
        14,
        18,
        Some("app:other"),
        &["cycle in requires: app:other -> app:svc -> app:other"],
    );
    assert_problem(
        &found[7],
        "b/_index.yaml",
        15,
        7,
        Some("app:other"),
        &[
            "unknown field `auto_strat`",
            "`lifecycle`",
            "did you mean \"auto_start\"?",
        ],
    );
    assert_problem(
        &found[8],
        "troupe.yaml",
        2,
        1,
        None,
        &["unknown field `strict_mode`", "troupe.yaml"],
    );
}

#[test]
fn not_a_directory_and_empty_app() {
    let missing = case_dir("no_such_case");
    let err = load(&missing, &NoChecks).unwrap_err();
    assert_eq!(err.0.len(), 1);
    assert!(err.0[0].message.contains("not a directory"), "{err}");

    let empty = std::env::temp_dir().join(format!("troupe-empty-app-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let err = load(&empty, &NoChecks).unwrap_err();
    assert!(
        err.0[0].message.contains("no definition files found"),
        "{err}"
    );
    std::fs::remove_dir_all(&empty).unwrap();
}

#[test]
fn display_is_file_line_column_entry_message() {
    let err = load(&case_dir("wrong_type"), &NoChecks).unwrap_err();
    let text = err.to_string();
    assert!(
        text.ends_with("_index.yaml:6:13: app:worker: `method`: expected a string, found a list"),
        "{text}"
    );
}
