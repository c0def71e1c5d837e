//! `troupe check` on the registry leniency of WIPPY-API.md §12, through the real binary:
//! what Wippy accepts and Troupe ignores is a warning (exit 0, printed with file:line and
//! entry), a real typo stays an error with a suggestion, `--strict` turns every warning
//! into an error (exit 1); unknown kinds and references to them, any-YAML discovery with
//! the one-entry form, file-level `meta`, `file://` values, `fs.directory` `base`/`mode`,
//! and Wippy's pool rules.

use std::process::Command;

/// `troupe check [--strict] tests/check/<case>`: exit code, stdout, stderr (paths made
/// relative to the repository).
fn check(case: &str, strict: bool) -> (i32, String, String) {
    let dir = format!("{}/tests/check/{case}", env!("CARGO_MANIFEST_DIR"));
    let mut args = vec!["check"];
    if strict {
        args.push("--strict");
    }
    args.push(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_troupe"))
        .args(&args)
        .output()
        .expect("run troupe");
    let rel = |b: &[u8]| {
        String::from_utf8_lossy(b).replace(&format!("{}/", env!("CARGO_MANIFEST_DIR")), "")
    };
    let (stdout, stderr) = (rel(&out.stdout), rel(&out.stderr));
    assert!(!stderr.contains("panicked"), "{case}: panic:\n{stderr}");
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

#[track_caller]
fn has(text: &str, part: &str) {
    assert!(text.contains(part), "missing {part:?} in:\n{text}");
}

/// The warnings of `lenient_fields`, one per field Wippy accepts and Troupe ignores.
const LENIENT: &[&str] = &[
    "tests/check/lenient_fields/_index.yaml:6:24: app:host: warning: field `queue_size` in `host` is accepted for Wippy compatibility but not used by Troupe; ignored",
    "tests/check/lenient_fields/_index.yaml:6:42: app:host: warning: field `local_queue_size` in `host`",
    "tests/check/lenient_fields/_index.yaml:7:5: app:host: warning: field `lifecycle` for kind process.host",
    "tests/check/lenient_fields/_index.yaml:12:24: app:fn: warning: field `buffer` in `pool`",
    "tests/check/lenient_fields/_index.yaml:12:36: app:fn: warning: field `warm_start` in `pool`",
    "tests/check/lenient_fields/_index.yaml:19:5: app:modules: warning: field `type` for kind fs.directory",
    "tests/check/lenient_fields/_index.yaml:26:5: app:actor: warning: field `wit` for kind process.wasm",
    "tests/check/lenient_fields/_index.yaml:27:5: app:actor: warning: field `pool` for kind process.wasm",
    "tests/check/lenient_fields/_index.yaml:32:16: app:add: warning: `transport: wasi-http` is accepted for Wippy compatibility but not implemented by Troupe",
    "tests/check/lenient_fields/_index.yaml:34:7: app:add: warning: field `cwd` in `wasi`",
    "tests/check/lenient_fields/_index.yaml:35:12: app:add: warning: `wasi.env` as a list of env.variable references",
];

#[test]
fn wippy_fields_troupe_does_not_use_are_warnings() {
    let (code, out, err) = check("lenient_fields", false);
    assert_eq!(code, 0, "{err}");
    for w in LENIENT {
        has(&err, w);
    }
    assert_eq!(
        err.lines().count(),
        LENIENT.len(),
        "one line per warning:\n{err}"
    );
    has(&out, "ok: 5 entries in");
    has(&out, "(11 warnings)");
}

#[test]
fn strict_turns_every_warning_into_an_error() {
    let (code, out, err) = check("lenient_fields", true);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.is_empty(), "{out}");
    has(
        &err,
        "tests/check/lenient_fields/_index.yaml:6:24: app:host: error (--strict): field `queue_size` in `host`",
    );
    assert!(!err.contains(": warning: "), "{err}");
    assert_eq!(err.lines().last(), Some("11 problems found"));

    // A valid app without warnings passes under --strict too.
    let (code, out, err) = check("valid", true);
    assert_eq!(code, 0, "{err}");
    has(&out, "ok: 26 entries");
}

#[test]
fn real_typos_stay_errors_with_the_nearest_field() {
    let (code, _, err) = check("typo_fields", false);
    assert_eq!(code, 1);
    has(
        &err,
        "tests/check/typo_fields/_index.yaml:6:24: app:host: unknown field `queue_sise` in `host`, did you mean \"queue_size\"?",
    );
    has(
        &err,
        "tests/check/typo_fields/_index.yaml:11:12: app:fn: unknown field `wokers` in `pool`, did you mean \"workers\"?",
    );
    has(
        &err,
        "tests/check/typo_fields/_index.yaml:17:5: app:dir: unknown field `bace` for kind fs.directory, did you mean \"base\"?",
    );
    assert_eq!(err.lines().last(), Some("3 problems found"));
}

#[test]
fn unknown_kinds_and_references_to_them_are_warnings() {
    let (code, out, err) = check("unknown_kinds", false);
    assert_eq!(code, 0, "{err}");
    for (line, id, kind) in [
        (6, "api", "http.service"),
        (10, "handler", "http.endpoint"),
        (14, "templates", "template.jet"),
    ] {
        has(
            &err,
            &format!(
                "tests/check/unknown_kinds/_index.yaml:{line}:11: app:{id}: warning: kind \"{kind}\" is not implemented by Troupe; the entry is stored"
            ),
        );
    }
    has(
        &err,
        "_index.yaml:18:14: app:web: warning: `process` refers to app:handler, an entry of kind http.endpoint, which Troupe does not implement (expected a process.lua or process.wasm entry); it fails when used",
    );
    has(
        &err,
        "_index.yaml:19:11: app:web: warning: `host` refers to app:api, an entry of kind http.service",
    );
    has(
        &err,
        "_index.yaml:23:21: app:tree: warning: `children` refers to app:api, an entry of kind http.service",
    );
    has(
        &err,
        "_index.yaml:28:20: app:page: warning: `imports` refers to app:templates, an entry of kind template.jet",
    );
    has(&out, "ok: 6 entries in");
    has(&out, "(7 warnings)");

    let (code, _, err) = check("unknown_kinds", true);
    assert_eq!(code, 1);
    assert_eq!(err.lines().last(), Some("7 problems found"));
}

#[test]
fn every_yaml_file_with_a_namespace_is_loaded() {
    // app.yaml (entries) and sub/one.yml (one entry); readme.yaml (no namespace) and
    // broken.yml (not YAML, no namespace) are skipped silently; troupe.yaml is the config.
    let (code, out, err) = check("any_yaml", true);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    has(&out, "ok: 2 entries in tests/check/any_yaml\n");

    // A file that says `namespace:` but is not YAML is an error at its position.
    let (code, _, err) = check("any_yaml_broken", false);
    assert_eq!(code, 1);
    has(
        &err,
        "tests/check/any_yaml_broken/defs.yaml:6:1: invalid YAML",
    );
}

#[test]
fn file_level_meta_and_file_urls_are_checked_at_their_line() {
    let (code, _, err) = check("file_level", false);
    assert_eq!(code, 1);
    has(
        &err,
        "tests/check/file_level/a.yaml:2:7: `meta`: expected a map, found a list",
    );
    has(
        &err,
        "tests/check/file_level/b.yaml:7:9: app.b:doc: cannot read file://missing.txt (tests/check/file_level/missing.txt): No such file or directory",
    );
    // In an entry of an unimplemented kind too; a relative path stays inside the app.
    has(
        &err,
        "tests/check/file_level/b.yaml:10:11: app.b:outside: cannot read file://../escape.txt (tests/check/file_level/../escape.txt): it resolves to tests/check/escape.txt, outside tests/check/file_level",
    );
    assert!(
        !err.contains("present.txt"),
        "file://present.txt is read:\n{err}"
    );
    has(&err, "3 problems found and 1 warning");
}

#[test]
fn fs_directory_base_and_mode_are_validated() {
    let (code, _, err) = check("fs_base", false);
    assert_eq!(code, 1);
    has(
        &err,
        "tests/check/fs_base/_index.yaml:6:11: app:bad_base: `base`: unknown value \"parent\"; expected \"\" or \"project\" (the working directory) or \"module\" (the application directory)",
    );
    has(
        &err,
        "tests/check/fs_base/_index.yaml:11:11: app:bad_mode: `mode`: expected octal permissions such as \"0755\", found \"0999\"",
    );
    // `mode: 0750` (an integer in YAML), `"0o700"`, `base: module|project` are fine.
    assert_eq!(err.lines().last(), Some("2 problems found"), "{err}");
}

#[test]
fn pool_rules_reject_what_wippy_rejects() {
    let (code, _, err) = check("pool_rules", false);
    assert_eq!(code, 1);
    for p in [
        "_index.yaml:6:18: app:bad_type: `pool.type`: unknown value \"elastic\"; expected one of inline, lazy, static, adaptive",
        "_index.yaml:12:30: app:size_zero_with_workers: `pool.size`: expected at least 1 for a static pool or one with `workers`",
        "_index.yaml:18:22: app:negative: `pool.max_size`: expected a non-negative integer",
        "_index.yaml:24:32: app:static_size_zero: `pool.size`: expected at least 1 for a static pool",
        "_index.yaml:30:30: app:lazy_over_max: `pool.size` (5) must not exceed `pool.max_size` (2)",
    ] {
        has(&err, p);
    }
    assert_eq!(err.lines().last(), Some("5 problems found"));
}
