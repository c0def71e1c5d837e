//! The loader never panics on user input: every truncation of the fixture files, and every
//! field of every kind given values of the wrong shape, yield diagnostics or a registry.

use std::path::{Path, PathBuf};

use troupe_registry::{NoChecks, load};

fn temp_app(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("troupe-robust-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn truncated_files_never_panic() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/check");
    let dir = temp_app("truncate");
    std::fs::copy(fixtures.join("valid/worker.lua"), dir.join("worker.lua")).unwrap();
    for file in [
        "valid/_index.yaml",
        "valid/wasm/_index.yaml",
        "multiple/a/_index.yaml",
    ] {
        let text = std::fs::read_to_string(fixtures.join(file)).unwrap();
        let cuts: Vec<usize> = (0..=text.len())
            .filter(|i| text.is_char_boundary(*i))
            .step_by(3)
            .collect();
        for cut in cuts {
            std::fs::write(dir.join("_index.yaml"), &text[..cut]).unwrap();
            let _ = load(&dir, &NoChecks);
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn wrong_shapes_everywhere_are_diagnostics() {
    let kinds: &[(&str, &[&str])] = &[
        ("process.host", &["host", "lifecycle"]),
        (
            "process.lua",
            &["source", "method", "modules", "imports", "meta"],
        ),
        ("library.lua", &["source", "modules", "imports"]),
        (
            "function.wat",
            &[
                "source", "method", "wit", "imports", "wasi", "pool", "limits",
            ],
        ),
        (
            "function.wasm",
            &["fs", "path", "hash", "method", "wasi", "pool", "limits"],
        ),
        (
            "process.wasm",
            &["fs", "path", "hash", "method", "imports", "wasi", "limits"],
        ),
        ("fs.directory", &["directory", "read_only"]),
        (
            "process.service",
            &["process", "host", "input", "lifecycle"],
        ),
        (
            "process.supervisor",
            &["children", "strategy", "intensity", "period", "lifecycle"],
        ),
        ("security.policy", &["policy", "groups"]),
    ];
    let shapes = [
        "[1, [2]]",
        "{a: {b: 1}}",
        "-5",
        "1.5e400",
        "~",
        "\"\"",
        "!!binary aGk=",
        "{lifecycle: [x]}",
    ];
    let nested = [
        "{workers: x, restart: 1, security: {actor: 1, policies: {a: 1}}, requires: [1]}",
        "{mounts: [1, {fs: [1]}], env: [1], args: {a: 1}, type: 7, size: -1, max_memory: 1.5}",
        "{actions: 1, resources: [1], effect: maybe, conditions: [1, {operator: eq}, {field: x, operator: in}]}",
    ];
    let dir = temp_app("shapes");
    let mut yaml = String::from("namespace: app\nentries:\n");
    let mut n = 0;
    for (kind, fields) in kinds {
        for field in fields.iter() {
            for value in shapes.iter().chain(nested.iter()) {
                n += 1;
                yaml.push_str(&format!(
                    "  - name: e{n}\n    kind: {kind}\n    {field}: {value}\n"
                ));
            }
        }
    }
    std::fs::write(dir.join("_index.yaml"), &yaml).unwrap();
    let err = load(&dir, &NoChecks).expect_err("every entry has a problem");
    for d in &err.0 {
        assert!(d.location.line >= 1 && d.location.column >= 1, "{d}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
