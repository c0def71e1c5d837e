//! Registry leniency (WIPPY-API.md §12) in the typed model: Wippy's pool rules and how
//! `adaptive` maps onto Troupe's pools, `fs.directory` `base` resolution and `mode`,
//! `file://` values (relative, `file:///absolute`, nested, in every kind, bounded), the
//! one-entry file form, file-level `meta`, unknown kinds stored with their fields, and which
//! YAML files are definition files.

use std::path::{Path, PathBuf};

use troupe_registry::{Kind, NoChecks, PoolSpec, Registry, load, load_all};

/// A fresh application directory with `files` (path, text).
struct App(PathBuf);

impl App {
    fn new(tag: &str, files: &[(&str, &str)]) -> App {
        let dir =
            std::env::temp_dir().join(format!("troupe-leniency-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        App(dir)
    }
    fn load(&self) -> Registry {
        load(&self.0, &NoChecks).unwrap_or_else(|e| panic!("{e}"))
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn pool_of(reg: &Registry, id: &str) -> PoolSpec {
    match &reg.get(id).unwrap_or_else(|| panic!("{id}")).kind {
        Kind::FunctionLua(s) => s.pool.clone(),
        Kind::FunctionWat(s) | Kind::FunctionWasm(s) => s.pool.clone(),
        other => panic!("{id} is {}", other.name()),
    }
    .unwrap_or_else(|| panic!("{id} has no pool"))
}

#[test]
fn pool_type_is_inferred_as_wippy_does() {
    let entry = |name: &str, pool: &str| {
        format!(
            "  - name: {name}\n    kind: function.lua\n    method: main\n    pool: {pool}\n    source: \"return {{ main = function() end }}\"\n"
        )
    };
    let mut yaml = String::from("namespace: p\nentries:\n");
    for (name, pool) in [
        ("empty", "{}"),
        ("workers", "{workers: 3}"),
        ("workers_and_size", "{workers: 2, size: 5}"),
        ("size_only", "{size: 4}"),
        ("max_only", "{max_size: 6}"),
        ("size_and_max", "{size: 2, max_size: 6}"),
        ("static_size", "{type: static, size: 4}"),
        ("adaptive", "{type: adaptive}"),
        ("adaptive_max", "{type: adaptive, max_size: 5}"),
        ("inline", "{type: inline, size: 3}"),
        ("unused_keys", "{type: lazy, buffer: 10, warm_start: true}"),
    ] {
        yaml.push_str(&entry(name, pool));
    }
    let app = App::new("pools", &[("_index.yaml", &yaml)]);
    let report = load_all(&app.0, &NoChecks);
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    let reg = report.registry;
    let got = |id: &str| {
        let p = pool_of(&reg, &format!("p:{id}"));
        (p.requested, p.kind, p.size, p.max_size)
    };
    let s = |x: &str| x.to_string();
    // workers 0 and (size 0 or max_size > 0) → lazy; workers > 0 → static; else inline.
    assert_eq!(got("empty"), (s("lazy"), s("lazy"), None, None));
    assert_eq!(got("workers"), (s("static"), s("static"), Some(3), None));
    assert_eq!(
        got("workers_and_size"),
        (s("static"), s("static"), Some(2), None)
    );
    assert_eq!(got("size_only"), (s("inline"), s("inline"), Some(4), None));
    assert_eq!(got("max_only"), (s("lazy"), s("lazy"), None, Some(6)));
    assert_eq!(
        got("size_and_max"),
        (s("lazy"), s("lazy"), Some(2), Some(6))
    );
    assert_eq!(
        got("static_size"),
        (s("static"), s("static"), Some(4), None)
    );
    // adaptive runs as lazy, up to max_size (default 16) warm and running at once.
    assert_eq!(
        got("adaptive"),
        (s("adaptive"), s("lazy"), Some(16), Some(16))
    );
    assert_eq!(
        got("adaptive_max"),
        (s("adaptive"), s("lazy"), Some(5), Some(5))
    );
    assert_eq!(got("inline"), (s("inline"), s("inline"), Some(3), None));
    assert_eq!(got("unused_keys"), (s("lazy"), s("lazy"), None, None));
    let warned: Vec<&str> = report.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(warned.len(), 2, "{warned:#?}");
    assert!(warned[0].contains("`buffer` in `pool`"), "{warned:#?}");
    assert!(warned[1].contains("`warm_start` in `pool`"), "{warned:#?}");
}

#[test]
fn process_lua_has_no_pool() {
    let app = App::new(
        "process-pool",
        &[(
            "_index.yaml",
            "namespace: p\nentries:\n  - name: w\n    kind: process.lua\n    pool: {type: lazy}\n    source: \"return {}\"\n",
        )],
    );
    let err = load(&app.0, &NoChecks).unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown field `pool` for kind process.lua"),
        "{err}"
    );
}

#[test]
fn fs_directory_resolves_against_the_working_directory_or_the_module() {
    let app = App::new(
        "fs",
        &[(
            "sub/_index.yaml",
            "namespace: f\nentries:\n  - name: cwd\n    kind: fs.directory\n    directory: data\n  - name: project\n    kind: fs.directory\n    directory: data\n    base: project\n  - name: module\n    kind: fs.directory\n    directory: data\n    base: module\n    mode: \"0o700\"\n  - name: abs\n    kind: fs.directory\n    directory: /var/tmp\n    base: module\n    mode: 750\n    auto_init: true\n",
        )],
    );
    let reg = app.load();
    let fs = |id: &str| match &reg.get(id).unwrap().kind {
        Kind::FsDirectory(f) => f.clone(),
        _ => panic!("{id}"),
    };
    let cwd = std::env::current_dir().unwrap();
    // Not the YAML file's directory (`sub/`): Wippy's working directory, or the app root.
    assert_eq!(fs("f:cwd").directory, cwd.join("data"));
    assert_eq!(fs("f:project").directory, cwd.join("data"));
    assert_eq!(
        fs("f:module").directory,
        app.0.canonicalize().unwrap().join("data")
    );
    assert_eq!(fs("f:abs").directory, Path::new("/var/tmp"));
    assert_eq!((fs("f:cwd").mode, fs("f:cwd").auto_init), (0o755, false));
    assert_eq!(fs("f:module").mode, 0o700);
    // An unquoted `750` is read as octal digits.
    assert_eq!((fs("f:abs").mode, fs("f:abs").auto_init), (0o750, true));
}

#[test]
fn file_urls_are_inlined_in_every_field_and_bounded() {
    let outside =
        std::env::temp_dir().join(format!("troupe-leniency-abs-{}.txt", std::process::id()));
    std::fs::write(&outside, "absolute text").unwrap();
    let yaml = format!(
        "namespace: u\nentries:\n  - name: data\n    kind: registry.entry\n    meta: {{doc: file://a.txt}}\n    body: file://a.txt\n    nested: {{list: [file://dir/b.txt, 1, file://a.txt]}}\n    abs: file://{}\n  - name: svc_proc\n    kind: process.lua\n    source: file://main.lua\n  - name: svc\n    kind: process.service\n    process: svc_proc\n    input: [file://a.txt]\n",
        outside.display()
    );
    let app = App::new(
        "inline",
        &[
            ("_index.yaml", &yaml),
            ("a.txt", "A"),
            ("dir/b.txt", "B"),
            ("main.lua", "return { main = function() end }"),
        ],
    );
    let reg = app.load();
    let raw = &reg.get("u:data").unwrap().raw;
    assert_eq!(raw["body"], "A");
    assert_eq!(raw["nested"]["list"], serde_json::json!(["B", 1, "A"]));
    assert_eq!(raw["abs"], "absolute text", "file:///abs is absolute");
    // `meta` is left as written.
    assert_eq!(reg.get("u:data").unwrap().meta["doc"], "file://a.txt");
    // A Lua source keeps its file (for line numbers) and is inlined in raw.
    let p = reg.get("u:svc_proc").unwrap();
    match &p.kind {
        Kind::ProcessLua(s) => assert!(s.source.path.as_ref().unwrap().ends_with("main.lua")),
        _ => panic!(),
    }
    assert_eq!(p.raw["source"], "return { main = function() end }");
    // Typed fields see the inlined value too.
    match &reg.get("u:svc").unwrap().kind {
        Kind::ProcessService(s) => assert_eq!(s.input, vec![serde_json::json!("A")]),
        _ => panic!(),
    }
    std::fs::remove_file(&outside).unwrap();
}

#[test]
fn inlined_files_are_bounded_in_total() {
    // 5 × 60 MiB (sparse) named by file:// > 256 MiB in total: refused, not held.
    let mut yaml = String::from("namespace: b\nentries:\n");
    for i in 0..5 {
        yaml.push_str(&format!(
            "  - name: e{i}\n    kind: registry.entry\n    body: file://big.txt\n"
        ));
    }
    let app = App::new("budget", &[("_index.yaml", &yaml)]);
    let big = std::fs::File::create(app.0.join("big.txt")).unwrap();
    big.set_len(60 << 20).unwrap();
    let err = load(&app.0, &NoChecks).unwrap_err();
    assert_eq!(err.0.len(), 1, "{err}");
    assert!(
        err.0[0]
            .message
            .contains("expected at most 268435456 bytes (256 MiB) in total"),
        "{err}"
    );
    assert_eq!(err.0[0].entry.as_deref(), Some("b:e4"));
}

#[test]
fn one_entry_files_and_file_meta() {
    let app = App::new(
        "forms",
        &[
            (
                "one.yaml",
                "namespace: one\nversion: \"1.0\"\nname: solo\nkind: registry.entry\nmeta: {a: 1}\nvalue: 2\n",
            ),
            (
                "many.yml",
                "namespace: many\nmeta: {owner: me, tier: file}\nentries:\n  - name: x\n    kind: registry.entry\n    meta: {tier: entry}\n  - name: y\n    kind: registry.entry\n",
            ),
            ("skip.yaml", "title: no namespace\nentries: [1, 2]\n"),
            ("bad.yaml", "a: [unclosed\n"),
        ],
    );
    let reg = app.load();
    assert_eq!(reg.entries.len(), 3, "{:?}", reg.entries.keys());
    let solo = reg.get("one:solo").unwrap();
    assert_eq!(
        solo.meta,
        serde_json::json!({"a": 1}).as_object().unwrap().clone()
    );
    assert_eq!(solo.raw["value"], 2);
    assert!(solo.raw.get("namespace").is_none(), "{}", solo.raw);
    let x = &reg.get("many:x").unwrap().meta;
    assert_eq!(
        (x["owner"].as_str(), x["tier"].as_str()),
        (Some("me"), Some("entry"))
    );
    let y = &reg.get("many:y").unwrap().meta;
    assert_eq!(
        (y["owner"].as_str(), y["tier"].as_str()),
        (Some("me"), Some("file"))
    );
}

#[test]
fn index_yaml_is_always_a_definition_file() {
    // `_index.yaml` without a namespace is an error; any other file is skipped.
    let app = App::new(
        "index",
        &[
            ("_index.yaml", "entries: []\n"),
            ("other.yaml", "entries: []\n"),
        ],
    );
    let err = load(&app.0, &NoChecks).unwrap_err();
    assert_eq!(err.0.len(), 1, "{err}");
    assert!(err.0[0].location.file.ends_with("_index.yaml"), "{err}");
    assert!(
        err.0[0]
            .message
            .contains("missing required field `namespace`"),
        "{err}"
    );

    // Only files without a namespace: nothing to load.
    let app = App::new("none", &[("notes.yaml", "title: x\n")]);
    let err = load(&app.0, &NoChecks).unwrap_err();
    assert!(
        err.0[0].message.contains("no definition files found"),
        "{err}"
    );
}

#[test]
fn unknown_kinds_keep_their_fields() {
    let app = App::new(
        "kinds",
        &[(
            "_index.yaml",
            "namespace: k\nentries:\n  - name: r\n    kind: http.router\n    prefix: /api\n    middleware: [cors]\n  - name: nameless\n    kind: store.memory\n",
        )],
    );
    let report = load_all(&app.0, &NoChecks);
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    let r = report.registry.get("k:r").unwrap();
    assert!(matches!(&r.kind, Kind::Unimplemented(k) if k == "http.router"));
    assert_eq!(r.raw["prefix"], "/api");
    assert_eq!(r.raw["middleware"], serde_json::json!(["cors"]));
    assert_eq!(report.warnings.len(), 2);
    assert!(report.warnings[1].message.contains("\"store.memory\""));
    // A close misspelling of a Troupe kind gets the suggestion; a Wippy kind does not.
    assert!(!report.warnings[0].message.contains("did you mean"));
}
