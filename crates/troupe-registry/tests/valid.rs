//! The `valid` fixture app uses every kind; it loads, and its typed fields parse right.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use troupe_registry::{Kind, NoChecks, Registry, RestartType, Shutdown, Strategy, load};

fn app_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/check/valid")
}

fn registry() -> Registry {
    match load(&app_dir(), &NoChecks) {
        Ok(r) => r,
        Err(e) => panic!("valid app must load:\n{e}"),
    }
}

macro_rules! kind {
    ($reg:expr, $id:expr, $variant:path) => {
        match &$reg
            .get($id)
            .unwrap_or_else(|| panic!("missing {}", $id))
            .kind
        {
            $variant(spec) => spec.clone(),
            other => panic!("{} has kind {}", $id, other.name()),
        }
    };
}

#[test]
fn loads_every_kind_and_skips_hidden_dirs() {
    let reg = registry();
    assert_eq!(reg.root, app_dir());
    let mut kinds: Vec<&str> = reg.entries.values().map(|e| e.kind_name()).collect();
    kinds.sort();
    kinds.dedup();
    let mut all = troupe_registry::KIND_NAMES.to_vec();
    all.sort();
    assert_eq!(kinds, all);
    assert_eq!(reg.entries.len(), 26);
}

#[test]
fn node_config() {
    let node = registry().node;
    assert_eq!(node.name, "testnode");
    assert!(node.strict_mode);
    assert_eq!(node.log_level.as_deref(), Some("debug"));
    assert_eq!(node.default_host.as_deref(), Some("app:processes"));
    assert_eq!(node.env, vec!["HOME", "APP_*"]);
}

#[test]
fn lua_entries() {
    let reg = registry();
    let worker = reg.get("app:worker_process").unwrap();
    assert_eq!(
        (worker.namespace.as_str(), worker.name.as_str()),
        ("app", "worker_process")
    );
    assert_eq!(worker.meta.get("comment"), Some(&json!("the worker")));
    assert_eq!((worker.location.line, worker.location.column), (10, 5));
    assert!(worker.location.file.ends_with("_index.yaml"));
    let spec = kind!(reg, "app:worker_process", Kind::ProcessLua);
    let file = app_dir().join("worker.lua");
    assert_eq!(spec.source.text, std::fs::read_to_string(&file).unwrap());
    assert_eq!(spec.source.path.as_deref(), Some(file.as_path()));
    assert_eq!(
        (spec.source.location.line, spec.source.location.column),
        (14, 13)
    );
    assert_eq!(spec.method, None);
    assert_eq!(spec.modules, vec!["time", "json"]);
    assert_eq!(
        spec.imports.get("util").map(String::as_str),
        Some("app.lib:util")
    );

    let inline = kind!(reg, "app:inline_proc", Kind::ProcessLua);
    assert_eq!(inline.source.path, None);
    assert!(inline.source.text.starts_with("local function main()\n"));
    assert_eq!(
        (inline.source.location.line, inline.source.location.column),
        (22, 7)
    );
    assert_eq!(inline.method.as_deref(), Some("main"));

    let helper = kind!(reg, "app:helper", Kind::FunctionLua);
    assert_eq!(helper.method.as_deref(), Some("run"));
    assert_eq!(
        reg.get("app:helper").unwrap().meta.get("type"),
        Some(&json!("test"))
    );

    let lib = kind!(reg, "app.lib:util", Kind::LibraryLua);
    assert!(lib.source.text.contains("double"));
    assert_eq!(lib.method, None);
}

#[test]
fn service_with_full_lifecycle() {
    let reg = registry();
    let svc = kind!(reg, "app:worker", Kind::ProcessService);
    assert_eq!(
        svc.process, "app:worker_process",
        "bare name resolves in the same namespace"
    );
    assert_eq!(svc.host.as_deref(), Some("app:processes"));
    assert_eq!(svc.input, vec![json!(1), json!("two"), json!({"three": 3})]);
    let lc = &svc.lifecycle;
    assert!(lc.auto_start);
    assert_eq!(
        lc.requires,
        vec!["app:db"],
        "depends_on is an alias of requires"
    );
    assert_eq!(lc.start_timeout, Duration::from_millis(250));
    assert_eq!(
        lc.stop_timeout,
        Some(Shutdown::After(Duration::from_secs(2)))
    );
    assert_eq!(lc.stable_threshold, Duration::from_secs(60));
    assert!(lc.optional);
    let r = &lc.restart;
    assert_eq!(
        r.initial_delay,
        Duration::from_millis(500),
        "a bare integer is milliseconds"
    );
    assert_eq!(r.max_delay, Duration::from_secs(3600));
    assert_eq!((r.backoff_factor, r.jitter, r.max_attempts), (1.5, 0.2, 7));
    assert_eq!(r.restart_type, Some(RestartType::Transient));
    let sec = lc.security.as_ref().unwrap();
    assert_eq!(sec.actor_id.as_deref(), Some("service:worker"));
    assert_eq!(sec.actor_meta.get("role"), Some(&json!("worker")));
    assert_eq!(sec.policies, vec!["app:worker_policy"]);
    assert_eq!(sec.groups, vec!["app:workers"]);

    let db = kind!(reg, "app:db", Kind::ProcessService);
    assert_eq!(db.process, "app:inline_proc");
    assert_eq!(db.host, None);
    assert!(db.input.is_empty());
    let defaults = troupe_registry::Lifecycle {
        auto_start: true,
        ..Default::default()
    };
    assert_eq!(db.lifecycle, defaults);
    assert_eq!(db.lifecycle.start_timeout, Duration::from_secs(10));

    let host = kind!(reg, "app:processes", Kind::ProcessHost);
    assert_eq!(host.workers, Some(2));
}

#[test]
fn supervisors() {
    let reg = registry();
    let top = kind!(reg, "app:pipeline", Kind::ProcessSupervisor);
    assert_eq!(top.children, vec!["app:worker", "app:sub"]);
    assert_eq!(top.strategy, Strategy::OneForAll);
    assert_eq!((top.intensity, top.period), (3, Duration::from_secs(10)));
    assert!(top.lifecycle.auto_start);

    let sub = kind!(reg, "app:sub", Kind::ProcessSupervisor);
    assert_eq!(sub.children, vec!["app.wasm:actor_service"]);
    assert_eq!(sub.strategy, Strategy::OneForOne);
    assert_eq!(
        (sub.intensity, sub.period),
        (1, Duration::from_secs(5)),
        "OTP defaults"
    );
    assert!(!sub.lifecycle.auto_start);

    let child = kind!(reg, "app.wasm:actor_service", Kind::ProcessService);
    assert_eq!(child.process, "app.wasm:actor");
    assert_eq!(
        child.lifecycle.restart.restart_type,
        Some(RestartType::Permanent)
    );
}

#[test]
fn policy() {
    let reg = registry();
    let p = kind!(reg, "app:worker_policy", Kind::SecurityPolicy);
    assert_eq!(p.actions, vec!["read", "write"]);
    assert_eq!(
        p.resources,
        vec!["document:*"],
        "a single string is a one-element list"
    );
    assert!(p.allow);
    assert_eq!(p.groups, vec!["editors"]);
    assert_eq!(p.conditions.len(), 3);
    assert_eq!(p.conditions[0].field, "actor.meta.role");
    assert_eq!(p.conditions[0].operator, "eq");
    assert_eq!(p.conditions[0].value, Some(json!("editor")));
    assert_eq!(p.conditions[1].value_from.as_deref(), Some("actor.id"));
    assert_eq!(p.conditions[1].value, None);
    assert_eq!(
        (p.conditions[2].operator.as_str(), &p.conditions[2].value),
        ("exists", &None)
    );
}

#[test]
fn registry_entry_keeps_raw_fields() {
    let reg = registry();
    let e = reg.get("app:settings").unwrap();
    assert!(matches!(e.kind, Kind::RegistryEntry));
    assert_eq!(e.raw["anything"], json!("goes"));
    assert_eq!(e.raw["nested"], json!({"a": [1, 2]}));
    assert_eq!(e.raw["kind"], json!("registry.entry"));
    assert_eq!(e.meta.get("type"), Some(&json!("config")));
    assert_eq!(
        reg.get("app:worker").unwrap().raw["lifecycle"]["restart"]["jitter"],
        json!(0.2)
    );
}

#[test]
fn wasm_entries() {
    let reg = registry();
    let fs = kind!(reg, "app.wasm:modules", Kind::FsDirectory);
    // `base: module`: against the application directory (canonical).
    assert_eq!(
        fs.directory,
        app_dir().canonicalize().unwrap().join("wasm/modules")
    );
    assert_eq!(
        (fs.base.as_str(), fs.mode, fs.auto_init),
        ("module", 0o755, false)
    );
    assert!(fs.directory.join("empty.wasm").is_file());
    assert!(fs.read_only);
    let data = kind!(reg, "app.wasm:data", Kind::FsDirectory);
    assert_eq!(data.directory, Path::new("/tmp"));
    assert!(!data.read_only);

    let wat = kind!(reg, "app.wasm:add_wat", Kind::FunctionWat);
    assert!(wat.source.as_ref().unwrap().text.starts_with("(module"));
    assert_eq!(wat.method.as_deref(), Some("add"));
    assert_eq!(wat.wit.as_deref(), Some("add: func(a: s32, b: s32) -> s32"));
    let pool = wat.pool.unwrap();
    assert_eq!(
        (pool.kind.as_str(), pool.size, pool.max_size),
        ("lazy", Some(2), Some(8))
    );
    assert_eq!(wat.limits.max_execution, Some(Duration::from_millis(500)));
    assert_eq!(wat.limits.max_memory, Some(16 * 1024 * 1024));
    assert_eq!(wat.limits.fuel, Some(1_000_000));

    let hash = "sha256:93a44bbb96c751218e4c00d479e4c14358122a389acca16205b1e4d0dc5f9476";
    let f = kind!(reg, "app.wasm:add", Kind::FunctionWasm);
    assert_eq!(f.fs.as_deref(), Some("app.wasm:modules"));
    assert_eq!(f.path.as_deref(), Some("empty.wasm"));
    assert_eq!(f.hash.as_deref(), Some(hash));
    assert_eq!(f.method.as_deref(), Some("math#add"));
    assert_eq!(f.imports, vec!["wasi:cli"]);
    assert!(f.source.is_none() && f.pool.is_none());

    let p = kind!(reg, "app.wasm:actor", Kind::ProcessWasm);
    assert_eq!(
        p.hash.as_deref(),
        Some(hash),
        "hash is normalised to lower case"
    );
    assert_eq!(p.method, None);
    assert_eq!(p.imports, vec!["wasi:cli", "troupe:process"]);
    assert_eq!(p.wasi.mounts.len(), 1);
    assert_eq!(p.wasi.mounts[0].fs, "app.wasm:data");
    assert_eq!(p.wasi.mounts[0].guest, "/data");
    assert!(p.wasi.mounts[0].read_only);
    assert_eq!(p.wasi.env.get("PORT").map(String::as_str), Some("8080"));
    assert_eq!(p.wasi.env.get("MODE").map(String::as_str), Some("test"));
    assert_eq!(p.wasi.args, vec!["--verbose"]);
    assert_eq!(p.limits.max_memory, Some(64 * 1024));
}

#[test]
fn security_and_env_kinds() {
    use troupe_registry::EnvStorageSpec;
    let reg = registry();
    let p = kind!(reg, "app.senv:expr_policy", Kind::SecurityPolicyExpr);
    assert_eq!(p.expression.as_deref(), Some("actor.meta.level >= 3"));
    assert_eq!(p.groups, vec!["writers"]);
    let ts = kind!(reg, "app.senv:tokens", Kind::SecurityTokenStore);
    assert_eq!(ts.store, "app.senv:memory_store");
    assert_eq!(ts.token_length, 24);
    assert_eq!(ts.default_expiration, Duration::from_secs(7200));
    assert_eq!(ts.token_key_env.as_deref(), Some("APP_TOKEN_KEY"));
    let v = kind!(reg, "app.senv:HOME_DIR", Kind::EnvVariable);
    assert_eq!(
        (
            v.variable.as_str(),
            v.storage.as_str(),
            v.default.as_deref(),
            v.readonly
        ),
        ("HOME_DIR", "app.senv:os", Some("/tmp"), true)
    );
    let v = kind!(reg, "app.senv:named", Kind::EnvVariable);
    assert_eq!((v.variable.as_str(), v.readonly), ("API_URL", false));
    match kind!(reg, "app.senv:file", Kind::EnvStorage) {
        EnvStorageSpec::File {
            path,
            auto_create,
            file_mode,
            dir_mode,
        } => {
            assert!(path.ends_with("security_env/data/app.env"), "{path:?}");
            assert_eq!((auto_create, file_mode, dir_mode), (true, 0o640, 0o750));
        }
        other => panic!("{other:?}"),
    }
    match kind!(reg, "app.senv:routed", Kind::EnvStorage) {
        EnvStorageSpec::Router(list) => {
            assert_eq!(list, vec!["app.senv:mem", "app.senv:fixed", "app.senv:os"])
        }
        other => panic!("{other:?}"),
    }
    match kind!(reg, "app.senv:fixed", Kind::EnvStorage) {
        EnvStorageSpec::Static(values) => {
            assert_eq!(values.get("A").map(String::as_str), Some("1"));
        }
        other => panic!("{other:?}"),
    }
}
