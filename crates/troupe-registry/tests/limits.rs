//! `limits:` (SPEC §3.6) on Lua entries, wasm entries and `troupe.yaml`: valid values parse
//! to bytes and durations, the node defaults fill what an entry leaves out, and every bad
//! value is a problem at the value's file:line:column naming the field and the expectation.

use std::path::PathBuf;
use std::time::Duration;

use troupe_registry::{Kind, Limits, NoChecks, NodeLimits, Registry, load};

const MIB: u64 = 1 << 20;

/// A fresh app directory with `_index.yaml` (and `troupe.yaml` when given).
fn app(tag: &str, index: &str, node: Option<&str>) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("troupe-limits-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("_index.yaml"), index).unwrap();
    if let Some(node) = node {
        std::fs::write(dir.join("troupe.yaml"), node).unwrap();
    }
    dir
}

fn load_ok(tag: &str, index: &str, node: Option<&str>) -> Registry {
    let dir = app(tag, index, node);
    let r = load(&dir, &NoChecks).unwrap_or_else(|e| panic!("{tag}: {e}"));
    std::fs::remove_dir_all(&dir).unwrap();
    r
}

/// Every problem as `line:column: entry: message` (file names dropped).
fn problems(tag: &str, index: &str, node: Option<&str>) -> Vec<String> {
    let dir = app(tag, index, node);
    let err = load(&dir, &NoChecks).expect_err("expected problems");
    std::fs::remove_dir_all(&dir).unwrap();
    err.0
        .iter()
        .map(|d| {
            let file = d.location.file.file_name().unwrap().to_string_lossy();
            match &d.entry {
                Some(e) => format!(
                    "{file}:{}:{}: {e}: {}",
                    d.location.line, d.location.column, d.message
                ),
                None => format!(
                    "{file}:{}:{}: {}",
                    d.location.line, d.location.column, d.message
                ),
            }
        })
        .collect()
}

/// A `process.lua` entry `w` with this `limits:` body (each line indented under it).
fn lua_entry(kind: &str, limits: &str) -> String {
    let mut s = format!(
        "namespace: app\nentries:\n  - name: w\n    kind: {kind}\n    source: \"return 1\"\n    limits:\n"
    );
    for line in limits.lines() {
        s.push_str(&format!("      {line}\n"));
    }
    s
}

fn wasm_entry(limits: &str) -> String {
    let mut s = String::from(
        "namespace: app\nentries:\n  - name: w\n    kind: function.wat\n    method: run\n    source: \"(module)\"\n    limits:\n",
    );
    for line in limits.lines() {
        s.push_str(&format!("      {line}\n"));
    }
    s
}

fn limits_of(r: &Registry, id: &str) -> Limits {
    r.get(id).unwrap().limits().unwrap().clone()
}

#[test]
fn lua_limits_parse_with_units() {
    for kind in ["process.lua", "function.lua"] {
        let r = load_ok(
            "lua",
            &lua_entry(
                kind,
                "max_memory: 16MiB\nmax_mailbox: 512KiB\nmax_message: \"64 MB\"\nmax_slice: 250ms",
            ),
            None,
        );
        let l = limits_of(&r, "app:w");
        assert_eq!(
            l,
            Limits {
                max_memory: Some(16 * MIB),
                max_mailbox: Some(512 << 10),
                max_message: Some(64_000_000),
                max_slice: Some(Duration::from_millis(250)),
                ..Limits::default()
            },
            "{kind}"
        );
        let spec = match &r.get("app:w").unwrap().kind {
            Kind::ProcessLua(s) | Kind::FunctionLua(s) => s.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(spec.limits, l);
    }
    let r = load_ok(
        "lua-ints",
        &lua_entry(
            "process.lua",
            "max_memory: 1048576\nmax_slice: 1500\nmax_mailbox: 1GB",
        ),
        None,
    );
    let l = limits_of(&r, "app:w");
    assert_eq!(l.max_memory, Some(MIB));
    assert_eq!(l.max_slice, Some(Duration::from_millis(1500)));
    assert_eq!(l.max_mailbox, Some(1_000_000_000));
}

#[test]
fn wasm_limits_accept_mailbox_and_message() {
    let r = load_ok(
        "wasm",
        &wasm_entry(
            "max_execution_ms: 500\nmax_memory: 1GiB\nfuel: 1000\nmax_mailbox: 1MiB\nmax_message: 4096",
        ),
        None,
    );
    assert_eq!(
        limits_of(&r, "app:w"),
        Limits {
            max_execution: Some(Duration::from_millis(500)),
            max_memory: Some(1 << 30),
            fuel: Some(1000),
            max_mailbox: Some(MIB),
            max_message: Some(4096),
            max_slice: None,
        }
    );
}

#[test]
fn node_defaults_and_resolve() {
    assert_eq!(
        NodeLimits::default(),
        NodeLimits {
            max_memory: 256 * MIB,
            max_mailbox: 64 * MIB,
            max_message: 64 * MIB,
            max_slice: Duration::from_secs(1),
        }
    );
    let r = load_ok(
        "node",
        &lua_entry("process.lua", "max_memory: 8MiB"),
        Some("limits:\n  max_memory: 128MiB\n  max_mailbox: 1MiB\n  max_slice: 2s\n"),
    );
    let node = r.node.limits;
    assert_eq!(
        node,
        NodeLimits {
            max_memory: 128 * MIB,
            max_mailbox: MIB,
            max_message: 64 * MIB,
            max_slice: Duration::from_secs(2),
        }
    );
    assert_eq!(
        limits_of(&r, "app:w").resolve(&node),
        NodeLimits {
            max_memory: 8 * MIB,
            ..node
        }
    );
    // No troupe.yaml: the defaults.
    let r = load_ok("nonode", &lua_entry("process.lua", "max_slice: 10ms"), None);
    assert_eq!(r.node.limits, NodeLimits::default());
    assert_eq!(
        limits_of(&r, "app:w").resolve(&r.node.limits).max_slice,
        Duration::from_millis(10)
    );
}

#[test]
fn bad_sizes_are_problems_with_positions() {
    let p = problems(
        "badsize",
        &lua_entry(
            "process.lua",
            "max_memory: 0\nmax_mailbox: -5\nmax_message: lots",
        ),
        None,
    );
    assert_eq!(
        p,
        vec![
            "_index.yaml:7:19: app:w: `limits.max_memory`: expected a size of at least 1 byte, found 0",
            "_index.yaml:8:20: app:w: `limits.max_mailbox`: expected a size of at least 1 byte, found -5",
            "_index.yaml:9:20: app:w: `limits.max_message`: invalid size \"lots\" (a size starts with a number); expected a size such as 16MiB, 512KiB, 1GB or an integer number of bytes",
        ]
    );
    let p = problems(
        "absurd",
        &lua_entry(
            "function.lua",
            "max_memory: 2TiB\nmax_mailbox: 5 parsecs\nmax_message: 1.5\nmax_slice: [1]",
        ),
        None,
    );
    assert_eq!(
        p,
        vec![
            "_index.yaml:7:19: app:w: `limits.max_memory`: \"2TiB\" is too large; expected at most 1TiB",
            "_index.yaml:8:20: app:w: `limits.max_mailbox`: invalid size \"5 parsecs\" (unknown unit \"parsecs\" (use B, KiB, MiB, GiB, KB, MB or GB)); expected a size such as 16MiB, 512KiB, 1GB or an integer number of bytes",
            "_index.yaml:9:20: app:w: `limits.max_message`: expected a size such as 16MiB, 512KiB, 1GB or an integer number of bytes, found a number",
            "_index.yaml:10:18: app:w: `limits.max_slice`: expected a duration such as \"250ms\", \"1s\", \"1m\" or an integer of milliseconds, found a list",
        ]
    );
    let p = problems(
        "negative-unit",
        &lua_entry("process.lua", "max_memory: \"-1MiB\"\nmax_mailbox: 0KiB"),
        None,
    );
    assert_eq!(
        p,
        vec![
            "_index.yaml:7:19: app:w: `limits.max_memory`: invalid size \"-1MiB\" (a size cannot be negative); expected a size such as 16MiB, 512KiB, 1GB or an integer number of bytes",
            "_index.yaml:8:20: app:w: `limits.max_mailbox`: expected a size of at least 1 byte, found \"0KiB\"",
        ]
    );
}

#[test]
fn bad_durations_are_problems_with_positions() {
    let p = problems(
        "badslice",
        &format!(
            "{}{}",
            lua_entry("process.lua", "max_slice: 0"),
            "  - name: v\n    kind: process.lua\n    source: x\n    limits: {max_slice: 2days}\n  - name: u\n    kind: process.lua\n    source: x\n    limits: {max_slice: soon}\n  - name: t\n    kind: process.lua\n    source: x\n    limits: {max_slice: -3}\n"
        ),
        None,
    );
    assert_eq!(
        p,
        vec![
            "_index.yaml:7:18: app:w: `limits.max_slice`: expected a duration longer than zero, found 0",
            "_index.yaml:11:25: app:v: `limits.max_slice`: \"2days\" is too long; expected at most 1 day",
            "_index.yaml:15:25: app:u: `limits.max_slice`: invalid duration \"soon\" (expected number at 0); expected a duration such as \"250ms\", \"1s\", \"1m\" or an integer of milliseconds",
            "_index.yaml:19:25: app:t: `limits.max_slice`: expected a duration longer than zero, found -3",
        ]
    );
    let p = problems(
        "badexec",
        &wasm_entry("max_execution_ms: 0\nfuel: -1\nmax_memory: 99999999999999999999GiB"),
        None,
    );
    assert_eq!(
        p,
        vec![
            "_index.yaml:8:25: app:w: `limits.max_execution_ms`: expected a number of milliseconds above zero, found 0",
            "_index.yaml:9:13: app:w: `limits.fuel`: expected a positive integer, found -1",
            "_index.yaml:10:19: app:w: `limits.max_memory`: invalid size \"99999999999999999999GiB\" (the size is too large); expected a size such as 16MiB, 512KiB, 1GB or an integer number of bytes",
        ]
    );
}

#[test]
fn keys_of_the_other_runtime_are_clear_errors() {
    let p = problems(
        "wasm-only",
        &lua_entry(
            "process.lua",
            "fuel: 100\nmax_execution_ms: 5\nmax_memroy: 1MiB",
        ),
        None,
    );
    assert_eq!(
        p,
        vec![
            "_index.yaml:7:7: app:w: `limits.fuel` applies only to wasm entries (function.wat, function.wasm, process.wasm); a process.lua accepts max_memory, max_mailbox, max_message, max_slice",
            "_index.yaml:8:7: app:w: `limits.max_execution_ms` applies only to wasm entries (function.wat, function.wasm, process.wasm); a process.lua accepts max_memory, max_mailbox, max_message, max_slice",
            "_index.yaml:9:7: app:w: unknown field `max_memroy` in `limits`, did you mean \"max_memory\"?",
        ]
    );
    let p = problems("lua-only", &wasm_entry("max_slice: 1s"), None);
    assert_eq!(
        p,
        vec![
            "_index.yaml:8:7: app:w: `limits.max_slice` applies only to Lua entries (wasm code is always preempted); a function.wat accepts max_execution_ms, max_memory, fuel, max_mailbox, max_message",
        ]
    );
    // library.lua has no limits of its own: it runs inside the process that requires it.
    let p = problems(
        "library",
        "namespace: app\nentries:\n  - name: l\n    kind: library.lua\n    source: x\n    limits: {max_memory: 1MiB}\n",
        None,
    );
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("_index.yaml:6:5: app:l: unknown field `limits` for kind library.lua"),
        "{p:?}"
    );
}

#[test]
fn node_limits_errors_are_in_troupe_yaml() {
    let p = problems(
        "node-bad",
        &lua_entry("process.lua", "max_memory: 1MiB"),
        Some("limits:\n  max_memory: 0\n  fuel: 10\n  max_slice: 25h\n  max_mailbox: [1]\n"),
    );
    assert_eq!(
        p,
        vec![
            "troupe.yaml:2:15: `limits.max_memory`: expected a size of at least 1 byte, found 0",
            "troupe.yaml:3:3: `limits.fuel` is set on each wasm entry, not in troupe.yaml; troupe.yaml accepts max_memory, max_mailbox, max_message, max_slice",
            "troupe.yaml:4:14: `limits.max_slice`: \"25h\" is too long; expected at most 1 day",
            "troupe.yaml:5:16: `limits.max_mailbox`: expected a size such as 16MiB, 512KiB, 1GB or an integer number of bytes, found a list",
        ]
    );
    let p = problems(
        "node-shape",
        &lua_entry("process.lua", "max_memory: 1MiB"),
        Some("limits: 5\n"),
    );
    assert_eq!(
        p,
        vec!["troupe.yaml:1:9: `limits`: expected a map, found an integer"]
    );
}
