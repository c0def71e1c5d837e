//! End-to-end tests of the Lua sandbox (SPEC §3.6 Isolation): everything reachable from a
//! process's code is its own or read-only, and a change one process makes is never seen by
//! another process on the same worker.
//!
//! `tests/apps/sandbox` runs on a one-worker host, so every process shares one Lua VM.
//! `app:main(attack)` runs the victim, then the attacker with one attack, then the victim
//! again: the attacker reports every attempt (refused with an error, or reaching only its
//! own tables), and the victim's snapshot of everything shared (with object addresses, so a
//! replaced function or table shows) must be unchanged, and its checks must still pass.
//! `app:walk` walks the whole reachable object graph from inside a process.

mod common;

use common::{run_ok, run_with};
use serde_json::{Value as Json, json};
use troupe::kernel::Value;

/// Run one attack; the driver's report.
fn attack(name: &str) -> Json {
    match run_with("sandbox", "app:main", vec![Value::str(name)]) {
        Ok(v) => v.to_json(),
        Err(e) => panic!(
            "sandbox {name}: the driver failed: [{}] {}",
            e.kind.as_str(),
            e.message
        ),
    }
}

/// The victim's checks when nothing shared has changed.
fn intact() -> Json {
    json!({
        "ran": true,
        "sleep_ok": true,
        "lookup_nil": true,
        "upper": "OK",
        "method_upper": "OK",
        "format": "7-x",
        "pcall_real": "real",
        "pcall_same": true,
        "globals_nil": true,
        "event_exit": "pid.exit",
        "json": "{\"a\":1}",
        "error_kind": "Invalid",
        "channel": "v",
        "math_pi": true,
        "lib_value": 42,
        "lib_list1": 1,
        "lib_answer": 42,
        "lib_added_nil": true,
        "lib_meta_nil": true,
        "lib_encode": "[1]",
        "fut": 42,
    })
}

/// The attacker's records; asserts the victim is unaffected and every record follows the
/// rule: an attempt on something shared fails with an error (`ok` false), an attempt on
/// the attacker's own tables (`own` true) succeeds.
fn records(name: &str) -> Vec<Json> {
    let r = attack(name);
    assert_eq!(
        r["attack_error"],
        Json::Null,
        "{name}: the attacker failed: {r:#}"
    );
    assert_eq!(
        r["victim"],
        intact(),
        "{name}: the victim was affected: {r:#}"
    );
    assert_eq!(
        r["unchanged"],
        json!(true),
        "{name}: the victim's view of the shared state changed: {:#}",
        r["changes"]
    );
    assert!(
        r["snapshot_lines"].as_u64().unwrap_or(0) > 300,
        "{name}: the victim's snapshot is too small to mean anything: {r:#}"
    );
    let list = r["attack"]
        .as_array()
        .unwrap_or_else(|| panic!("{name}: no records: {r:#}"))
        .clone();
    assert!(!list.is_empty(), "{name}: the attack tried nothing");
    for rec in &list {
        if rec["own"] == json!(true) {
            assert_eq!(rec["ok"], json!(true), "{name}: an own write failed: {rec}");
        } else {
            assert_eq!(
                rec["ok"],
                json!(false),
                "{name}: a shared write succeeded: {rec}"
            );
        }
    }
    list
}

fn what(rec: &Json) -> &str {
    rec["what"].as_str().unwrap_or("")
}

fn find<'a>(list: &'a [Json], name: &str) -> &'a Json {
    list.iter()
        .find(|r| what(r) == name)
        .unwrap_or_else(|| panic!("no record {name:?} in {list:#?}"))
}

/// Every refused record's error says the table is read-only.
fn all_readonly(name: &str, list: &[Json]) {
    for rec in list.iter().filter(|r| r["own"] != json!(true)) {
        let err = rec["err"].as_str().unwrap_or("").to_lowercase();
        assert!(err.contains("readonly"), "{name}: {rec}");
    }
}

#[test]
fn getfenv_2_injection_stays_in_the_attacker() {
    // Issue 11: `getfenv(2).pcall = ...` replaced `pcall` in the boot shim's environment,
    // so every later process on the worker returned "HIJACKED" without running.
    let list = records("inject");
    assert_eq!(find(&list, "getfenv(2).pcall = evil")["own"], json!(true));
}

#[test]
fn getfenv_at_every_level_reaches_only_the_process_environment() {
    let list = records("getfenv_levels");
    for level in 0..=3 {
        let rec = find(&list, &format!("getfenv({level})"));
        assert_eq!(rec["own"], json!(true), "level {level}: {rec}");
    }
    for level in 4..=6 {
        let rec = find(&list, &format!("getfenv({level})"));
        assert!(
            rec["err"].as_str().unwrap_or("").contains("invalid level"),
            "level {level}: {rec}"
        );
    }
}

#[test]
fn getfenv_of_builtins_answers_the_process_environment() {
    let list = records("getfenv_builtins");
    assert!(list.len() >= 20, "{list:#?}");
    for rec in &list {
        assert_eq!(rec["own"], json!(true), "{rec}");
    }
}

#[test]
fn setfenv_on_builtins_and_runtime_levels_is_refused() {
    let list = records("setfenv");
    assert_eq!(
        find(&list, "setfenv(1) on an own function")["ok"],
        json!(true)
    );
    assert!(
        find(&list, "setfenv(0)")["err"]
            .as_str()
            .unwrap_or("")
            .contains("setfenv(0)"),
        "{list:#?}"
    );
    for name in [
        "setfenv(2)",
        "setfenv(3)",
        "setfenv(time.sleep)",
        "setfenv(ch.receive)",
        "setfenv(getfenv)",
    ] {
        let err = find(&list, name)["err"].as_str().unwrap_or("").to_string();
        assert!(err.contains("built-in function"), "{name}: {err}");
    }
    let err = find(&list, "setfenv(function with a frozen env)")["err"].to_string();
    assert!(err.contains("frozen"), "{err}");
    for name in ["setfenv(4)", "setfenv(6)"] {
        let err = find(&list, name)["err"].as_str().unwrap_or("").to_string();
        assert!(err.contains("invalid level"), "{name}: {err}");
    }
    assert!(list.len() >= 25, "{list:#?}");
}

#[test]
fn module_tables_and_sub_tables_are_read_only() {
    let list = records("modules");
    // `logger` is a userdata (as Wippy): its writes are refused (records checks `ok` is
    // false) and its metatable is locked; every table write is refused as read-only.
    let (userdata, tables): (Vec<Json>, Vec<Json>) = list
        .iter()
        .cloned()
        .partition(|r| what(r).starts_with("logger ") || what(r) == "getmetatable(logger)");
    all_readonly("modules", &tables);
    assert_eq!(
        find(&userdata, "getmetatable(logger)")["type"],
        json!("boolean"),
        "logger: the metatable must be locked"
    );
    for op in ["field = evil", "method = evil", "setmetatable", "rawset"] {
        find(&userdata, &format!("logger {op}"));
    }
    assert_eq!(userdata.len(), 5, "{userdata:#?}");
    for path in [
        "process",
        "process.registry",
        "process.event",
        "channel",
        "coroutine",
        "time",
        "json",
        "errors",
        "uuid",
        "funcs",
        "security",
        "ctx",
        "registry",
        "env",
        "os",
    ] {
        for op in ["assign", "rawset", "setmetatable", "table.insert"] {
            find(&list, &format!("{path} {op}"));
        }
    }
    find(&list, "time.sleep = nil");
    find(&list, "process.registry.lookup = evil");
}

#[test]
fn standard_library_tables_are_read_only() {
    let list = records("libraries");
    all_readonly("libraries", &list);
    for path in [
        "G",
        "string",
        "table",
        "math",
        "coroutine",
        "bit32",
        "utf8",
        "os",
        "debug",
        "buffer",
        "vector",
    ] {
        find(&list, &format!("{path} assign"));
    }
}

#[test]
fn metatables_are_read_only_or_locked() {
    let list = records("metatables");
    for rec in list.iter().filter(|r| {
        let w = what(r);
        w.starts_with("string metatable") || w.starts_with("env metatable")
    }) {
        assert!(
            rec["err"]
                .as_str()
                .unwrap_or("")
                .to_lowercase()
                .contains("readonly"),
            "{rec}"
        );
    }
    for kind in [
        "channel",
        "case",
        "timer",
        "time",
        "duration",
        "error",
        "message",
        "payload",
        "future",
        "caller",
        "spawner",
        "scope",
        "named_scope",
        "policy",
        "logger",
        "child_logger",
    ] {
        assert_eq!(
            find(&list, &format!("getmetatable({kind})"))["type"],
            json!("boolean"),
            "{kind}: the metatable must be locked"
        );
        find(&list, &format!("setmetatable({kind})"));
        find(&list, &format!("{kind}.field = evil"));
    }
}

/// Every `kind` attempt was refused as read-only, and each of `names` was attempted.
fn all_refused(kind: &str, names: &[&str]) {
    let list = records(kind);
    all_readonly(kind, &list);
    for name in names {
        find(&list, name);
    }
}

#[test]
fn rawset_on_shared_tables_is_refused() {
    all_refused(
        "rawset",
        &[
            "rawset(G)",
            "rawset(string metatable)",
            "rawset(env metatable)",
            "rawset(process.registry)",
            "rawset(string)",
        ],
    );
}

#[test]
fn setmetatable_on_shared_tables_is_refused() {
    all_refused(
        "setmetatable",
        &[
            "setmetatable(G)",
            "setmetatable(string metatable)",
            "setmetatable(process.event)",
            "setmetatable(math)",
        ],
    );
}

#[test]
fn library_instances_are_per_process() {
    // The writes succeed (the instance is the attacker's own); the victim's `checks`
    // (lib_value, lib_list1, lib_answer, lib_added_nil, lib_meta_nil) see the original.
    // As Wippy, the library runs in the process's own environment (one `_G`): the record
    // "the library runs in this process's environment" is `ok`, and changing it stays local.
    let list = records("library");
    assert!(list.iter().all(|r| r["own"] == json!(true)), "{list:#?}");
    assert_eq!(
        find(&list, "the library runs in this process's environment")["ok"],
        json!(true)
    );
    assert_eq!(list.len(), 8, "{list:#?}");
}

#[test]
fn process_globals_are_allowed_and_stay_local() {
    let list = records("globals");
    assert_eq!(find(&list, "globals are visible here")["ok"], json!(true));
}

#[test]
fn object_graph_walk_finds_no_writable_shared_table() {
    let v = run_ok("sandbox", "app:walk");
    // An empty Lua list converts to an empty object.
    let empty = |x: &Json| *x == json!({}) || *x == json!([]);
    assert!(
        empty(&v["problems"]),
        "writable tables this process does not own: {:#}",
        v["problems"]
    );
    assert!(empty(&v["accessors"]), "upvalue accessors reachable: {v:#}");
    // No upvalue access from Lua: `debug` is reduced to `traceback`.
    assert_eq!(v["debug_keys"], json!(["traceback"]), "{v:#}");
    let count = |k: &str| v["counts"][k].as_u64().unwrap_or(0);
    assert!(count("tables") >= 60, "{v:#}");
    assert!(count("functions") >= 250, "{v:#}");
    assert!(count("userdata") >= 20, "{v:#}");
    let roots = v["roots"].as_array().cloned().unwrap_or_default();
    for m in [
        "process",
        "channel",
        "coroutine",
        "time",
        "json",
        "logger",
        "errors",
        "uuid",
        "funcs",
        "security",
        "ctx",
        "registry",
        "env",
        "os",
        "lib",
    ] {
        assert!(
            roots.contains(&json!(format!("require.{m}"))),
            "{m} not walked: {roots:?}"
        );
    }
}
