//! `troupe check` problems for the security and env kinds (WIPPY-API.md §7.5, §9):
//! `security.policy.expr`, the `ncontains`/`nmatches` operators, `security.token_store`,
//! `env.variable` and `env.storage.*`. Each case is one definition file written to a fresh
//! directory; every problem is reported at its line with the entry ID.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use troupe_registry::{NoChecks, load};

static CASE: AtomicUsize = AtomicUsize::new(0);

fn app(yaml: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "troupe-security-env-{}-{}",
        std::process::id(),
        CASE.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("_index.yaml"), yaml).unwrap();
    dir
}

/// `(line, entry, message)` of every problem.
fn problems(yaml: &str) -> Vec<(usize, Option<String>, String)> {
    let dir = app(yaml);
    let out = match load(&dir, &NoChecks) {
        Ok(_) => Vec::new(),
        Err(d) => {
            d.0.into_iter()
                .map(|d| (d.location.line, d.entry, d.message))
                .collect()
        }
    };
    let _ = std::fs::remove_dir_all(&dir);
    out
}

#[track_caller]
fn only(yaml: &str, line: usize, entry: &str, words: &[&str]) {
    let found = problems(yaml);
    assert_eq!(found.len(), 1, "{found:#?}");
    let (l, e, m) = &found[0];
    assert_eq!((*l, e.as_deref()), (line, Some(entry)), "{m}");
    for w in words {
        assert!(m.contains(w), "{m:?} should contain {w:?}");
    }
}

const HEAD: &str = "namespace: t\nentries:\n";

#[test]
fn valid_definitions_load() {
    let yaml = format!(
        "{HEAD}  - {{name: os, kind: env.storage.os}}\n  - {{name: v, kind: env.variable, storage: os}}\n  - name: p\n    kind: security.policy\n    policy:\n      actions: a\n      resources: r\n      effect: allow\n      conditions:\n        - {{field: actor.id, operator: ncontains, value: x}}\n        - {{field: actor.id, operator: nmatches, value: \"^g\"}}\n"
    );
    assert_eq!(problems(&yaml), vec![]);
}

#[test]
fn env_variable_needs_a_storage() {
    only(
        &format!("{HEAD}  - {{name: v, kind: env.variable}}\n"),
        3,
        "t:v",
        &["missing required field `storage`"],
    );
}

#[test]
fn env_variable_name_must_be_word_characters() {
    only(
        &format!(
            "{HEAD}  - {{name: os, kind: env.storage.os}}\n  - name: v\n    kind: env.variable\n    storage: os\n    variable: \"BAD-NAME\"\n"
        ),
        7,
        "t:v",
        &["BAD-NAME", "[A-Za-z0-9_]+"],
    );
}

#[test]
fn env_variable_storage_must_be_a_storage() {
    only(
        &format!(
            "{HEAD}  - {{name: p, kind: registry.entry}}\n  - {{name: v, kind: env.variable, storage: p}}\n"
        ),
        4,
        "t:v",
        &["`storage` must name", "env.storage.os", "t:p"],
    );
    only(
        &format!("{HEAD}  - {{name: v, kind: env.variable, storage: nowhere}}\n"),
        3,
        "t:v",
        &["t:nowhere", "does not exist"],
    );
}

#[test]
fn env_variable_field_types() {
    only(
        &format!(
            "{HEAD}  - {{name: os, kind: env.storage.os}}\n  - {{name: v, kind: env.variable, storage: os, readonly: \"yes\"}}\n"
        ),
        4,
        "t:v",
        &["readonly"],
    );
    only(
        &format!(
            "{HEAD}  - {{name: os, kind: env.storage.os}}\n  - {{name: v, kind: env.variable, storage: os, default: [1]}}\n"
        ),
        4,
        "t:v",
        &["default"],
    );
    only(
        &format!(
            "{HEAD}  - {{name: os, kind: env.storage.os}}\n  - {{name: v, kind: env.variable, storage: os, storag: os}}\n"
        ),
        4,
        "t:v",
        &["unknown field `storag`"],
    );
}

#[test]
fn file_storage_fields() {
    only(
        &format!("{HEAD}  - {{name: f, kind: env.storage.file}}\n"),
        3,
        "t:f",
        &["missing required field `file_path`"],
    );
    only(
        &format!("{HEAD}  - {{name: f, kind: env.storage.file, file_path: \"\"}}\n"),
        3,
        "t:f",
        &["file_path"],
    );
    only(
        &format!(
            "{HEAD}  - {{name: f, kind: env.storage.file, file_path: a.env, file_mode: \"0999\"}}\n"
        ),
        3,
        "t:f",
        &["file_mode", "octal"],
    );
    only(
        &format!(
            "{HEAD}  - {{name: f, kind: env.storage.file, file_path: a.env, auto_create: 1}}\n"
        ),
        3,
        "t:f",
        &["auto_create"],
    );
}

#[test]
fn static_and_router_storage_fields() {
    only(
        &format!("{HEAD}  - {{name: s, kind: env.storage.static, values: [1, 2]}}\n"),
        3,
        "t:s",
        &["values"],
    );
    only(
        &format!("{HEAD}  - {{name: s, kind: env.storage.static, values: {{A: [1]}}}}\n"),
        3,
        "t:s",
        &["values.A"],
    );
    only(
        &format!("{HEAD}  - {{name: r, kind: env.storage.router, storages: []}}\n"),
        3,
        "t:r",
        &["at least one"],
    );
    only(
        &format!("{HEAD}  - {{name: r, kind: env.storage.router}}\n"),
        3,
        "t:r",
        &["missing required field `storages`"],
    );
    only(
        &format!(
            "{HEAD}  - {{name: x, kind: registry.entry}}\n  - {{name: r, kind: env.storage.router, storages: [x]}}\n"
        ),
        4,
        "t:r",
        &["`storages` must name"],
    );
    only(
        &format!("{HEAD}  - {{name: m, kind: env.storage.memory, values: {{}}}}\n"),
        3,
        "t:m",
        &["unknown field `values`"],
    );
}

#[test]
fn token_store_fields() {
    only(
        &format!("{HEAD}  - {{name: ts, kind: security.token_store}}\n"),
        3,
        "t:ts",
        &["missing required field `store`"],
    );
    only(
        &format!("{HEAD}  - {{name: ts, kind: security.token_store, store: s, token_length: 4}}\n"),
        3,
        "t:ts",
        &["token_length", "16", "256"],
    );
    only(
        &format!(
            "{HEAD}  - {{name: ts, kind: security.token_store, store: s, default_expiration: soon}}\n"
        ),
        3,
        "t:ts",
        &["default_expiration", "invalid duration"],
    );
    only(
        &format!(
            "{HEAD}  - {{name: ts, kind: security.token_store, store: s, default_expiration: 0}}\n"
        ),
        3,
        "t:ts",
        &["positive"],
    );
    only(
        &format!(
            "{HEAD}  - {{name: ts, kind: security.token_store, store: s, token_key: k, token_key_env: K}}\n"
        ),
        3,
        "t:ts",
        &["not both"],
    );
    only(
        &format!(
            "{HEAD}  - {{name: ts, kind: security.token_store, store: s, token_lenght: 32}}\n"
        ),
        3,
        "t:ts",
        &["unknown field `token_lenght`", "token_length"],
    );
}

#[test]
fn expression_policy_fields() {
    only(
        &format!(
            "{HEAD}  - name: p\n    kind: security.policy.expr\n    policy: {{actions: a, resources: r, effect: allow}}\n"
        ),
        5,
        "t:p",
        &["missing required field `policy.expression`"],
    );
    only(
        &format!(
            "{HEAD}  - name: p\n    kind: security.policy.expr\n    policy: {{actions: a, resources: r, effect: allow, expression: \"  \"}}\n"
        ),
        5,
        "t:p",
        &["empty"],
    );
    let long = "a".repeat(5000);
    only(
        &format!(
            "{HEAD}  - name: p\n    kind: security.policy.expr\n    policy: {{actions: a, resources: r, effect: allow, expression: {long}}}\n"
        ),
        5,
        "t:p",
        &["too long"],
    );
    // `conditions` belong to security.policy, `expression` to security.policy.expr.
    only(
        &format!(
            "{HEAD}  - name: p\n    kind: security.policy.expr\n    policy: {{actions: a, resources: r, effect: allow, expression: \"true\", conditions: []}}\n"
        ),
        5,
        "t:p",
        &["unknown field `conditions`"],
    );
    only(
        &format!(
            "{HEAD}  - name: p\n    kind: security.policy\n    policy: {{actions: a, resources: r, effect: allow, expression: \"true\"}}\n"
        ),
        5,
        "t:p",
        &["unknown field `expression`"],
    );
}

#[test]
fn negative_operators_need_values() {
    only(
        &format!(
            "{HEAD}  - name: p\n    kind: security.policy\n    policy:\n      actions: a\n      resources: r\n      effect: allow\n      conditions:\n        - {{field: actor.id, operator: ncontains}}\n"
        ),
        10,
        "t:p",
        &["missing required field `value`", "ncontains"],
    );
    only(
        &format!(
            "{HEAD}  - name: p\n    kind: security.policy\n    policy:\n      actions: a\n      resources: r\n      effect: allow\n      conditions:\n        - {{field: actor.id, operator: nmatch, value: x}}\n"
        ),
        10,
        "t:p",
        &["nmatch", "nmatches"],
    );
}
