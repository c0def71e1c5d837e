//! End-to-end tests of the wasm host (SPEC §6): each test boots an application from
//! `tests/apps/<case>` (WAT written in the YAML, or Rust guests built for
//! `wasm32-wasip2` by `tests/guests.rs`'s builder) and checks what Lua observed.

mod common;

use common::cli::{troupe, troupe_env};
use common::run_ok;
use serde_json::json;
use troupe::kernel::Value;

#[test]
fn lua_calls_wat_functions_with_and_without_wit_and_limits_apply() {
    let r = run_ok("wasm_funcs", "app:main");
    assert_eq!(
        r,
        json!({
            "add": 42, "add_err_is_nil": true,
            "prod": 42,
            "len": 6,
            "echo": "round trip",
            "bad_is_nil": true,
            "bad_err": "app:compute: invalid argument 1: a: expected s32, got string \"six\"",
            "bad_kind": "Invalid",
            "spin_is_nil": true,
            "spin_err": "max_execution_ms exceeded: ran longer than 200 ms",
            "spin_kind": "Timeout",
            "burn_is_nil": true,
            "burn_err": "fuel exhausted: limit 100000",
        })
    );
}

fn actor(scenario: &str) -> serde_json::Value {
    match common::run_with("wasm_actors", "app:main", vec![Value::str(scenario)]) {
        Ok(v) => v.to_json(),
        Err(e) => panic!(
            "wasm_actors {scenario} failed: [{}] {}",
            e.kind.as_str(),
            e.message
        ),
    }
}

// ---- §6.3 messages between Lua and wasm --------------------------------------------------

#[test]
fn wasm_actor_and_lua_exchange_1000_messages_both_ways_in_order() {
    assert_eq!(
        actor("echo1000"),
        json!({"count": 1000, "in_order": true, "kinds_ok": true, "exit": "ok: 0"})
    );
}

#[test]
fn topic_routing_and_inbox_fallback_inside_wasm() {
    // b:1, a:2, b:3, a:4 sent; the actor listens to `a` with its inbox closed, so the `b`s
    // wait in order until it opens the inbox.
    assert_eq!(
        actor("routing"),
        json!([
            ["topic", "a", 2],
            ["topic", "a", 4],
            ["inbox", "b", 1],
            ["inbox", "b", 3]
        ])
    );
}

#[test]
fn wasm_calls_a_lua_function_and_spawns_a_lua_child() {
    assert_eq!(actor("call"), json!(42));
    assert_eq!(actor("spawn"), json!([true, "child got from wasm"]));
}

#[test]
fn a_wasm_funcs_call_is_checked_like_a_lua_one_and_its_replies_carry_its_actor() {
    assert_eq!(
        actor("call_checked"),
        json!({
            "denied": {
                "topic": "call_error",
                "payload": "permission denied: wasm-denied may not funcs.call app:double (no policy allows it)",
                "actor": "wasm-denied",
                "role": "worker",
            },
            "allowed": {"topic": "doubled", "payload": 42, "actor": "wasm-allowed", "role": "worker"},
        })
    );
}

// ---- §3.3 exits, links, monitors across the boundary -------------------------------------

#[test]
fn wasm_monitors_a_lua_process_and_traps_its_link() {
    assert_eq!(
        actor("wasm_monitors_lua"),
        json!([true, "error lua failed on purpose"])
    );
    assert_eq!(
        actor("wasm_traps_lua_link"),
        json!([true, "lua failed on purpose"])
    );
}

#[test]
fn lua_sees_exit_and_link_down_of_a_trapping_wasm_actor() {
    let reason = "app:actor failed: wasm trap: wasm `unreachable` instruction executed (last stderr line: crashing on purpose)";
    assert_eq!(
        actor("lua_monitors_wasm_crash"),
        json!(format!("error: {reason}"))
    );
    assert_eq!(
        actor("lua_link_down_from_wasm"),
        json!({"from_actor": true, "reason": reason, "kind": "Internal"})
    );
}

#[test]
fn a_wasm_actor_dies_when_a_linked_lua_process_fails() {
    assert_eq!(
        actor("wasm_dies_from_link"),
        json!("error: linked process failed")
    );
}

#[test]
fn cancel_is_delivered_to_a_wasm_actor_which_stops_cleanly() {
    assert_eq!(
        actor("cancel"),
        json!({"reason": "please stop", "result": "clean", "exit": "ok: 0"})
    );
}

#[test]
fn terminate_kills_a_wasm_actor_blocked_in_receive() {
    assert_eq!(actor("terminate"), json!("error: terminated"));
}

// ---- §3.6 fairness and limits -----------------------------------------------------------

#[test]
fn spinning_wasm_is_preempted_then_killed_by_max_execution_ms() {
    assert_eq!(
        actor("preempt"),
        json!({
            "rounds": 100,
            "err": "none",
            "spinner_still_running": true,
            "same_host": true,
            "spinner_exit": "error: max_execution_ms exceeded: ran longer than 1500 ms",
        })
    );
}

#[test]
fn max_memory_exceeded_is_an_error_exit_naming_the_limit() {
    assert_eq!(
        actor("memory"),
        json!("error: max_memory exceeded: limit 16777216 bytes")
    );
}

// ---- §6.2 Lua ↔ WIT values through a component's exports --------------------------------

#[test]
fn lua_calls_component_functions_over_every_wit_kind() {
    let r = run_ok("wasm_components", "app:main");
    let rect_item = json!({
        "name": "widget", "tags": ["a", "b"], "color": "green", "perms": ["read", "exec"],
        "origin": {"x": 1, "y": -2}, "the-shape": {"rect": {"x": 3, "y": 4}},
    });
    assert_eq!(
        r["describe"],
        json!("widget [a,b] green rx at (1, -2): rect 3x4")
    );
    assert_eq!(
        r["describe_circle"],
        json!("c [] blue  at none: circle r=1.5")
    );
    assert_eq!(r["roundtrip"], rect_item);
    let mut empty = rect_item.clone();
    empty.as_object_mut().unwrap().remove("origin");
    empty["the-shape"] = json!({"empty": true});
    assert_eq!(r["roundtrip_empty"], empty);
    assert_eq!(r["div_ok"], json!({"ok": 3}));
    assert_eq!(r["div_err"], json!({"err": "division by zero"}));
    assert_eq!(r["maybe_some"], json!(42));
    assert_eq!(r["maybe_none"], json!(true));
    assert_eq!(r["swap"], json!([7, "seven"]));
    assert_eq!(r["initial"], json!("ü"));
}

#[test]
fn mistyped_arguments_are_errors_naming_the_parameter_and_type() {
    let r = run_ok("wasm_components", "app:main");
    let err = |k: &str| {
        assert_eq!(r[k]["kind"], json!("Invalid"), "{k}: {:#}", r[k]);
        r[k]["err"].as_str().unwrap_or_default().to_string()
    };
    let pre = "app:describe: invalid argument 1: ";
    assert_eq!(
        err("bad_enum"),
        format!("{pre}i.color: expected enum {{ red, green, blue }}, got string \"purple\"")
    );
    assert_eq!(
        err("bad_field"),
        format!("{pre}i.name: expected string, got integer 5")
    );
    assert_eq!(
        err("missing_field"),
        format!("{pre}i.tags: expected list<string>, got nothing (missing field)")
    );
    assert_eq!(
        err("bad_flag"),
        format!("{pre}i.perms: expected flags {{ read, write, exec }}, got string \"fly\"")
    );
    assert_eq!(
        err("bad_variant"),
        format!(
            "{pre}i.the-shape: expected variant {{ circle, rect, empty }}, got unknown case \"hexagon\""
        )
    );
    assert_eq!(
        err("bad_list"),
        format!("{pre}i.tags[2]: expected string, got integer 2")
    );
    assert_eq!(
        err("out_of_range"),
        "app:swap: invalid argument 1: t[2]: expected u8, got 300 (out of range)"
    );
    assert_eq!(
        err("too_many"),
        "app:initial: `troupe:test-types/shapes#initial` takes 1 argument(s), got 2"
    );
}

// ---- §6.3 WASI commands, §6.4 capabilities -----------------------------------------------

fn app(name: &str) -> String {
    common::app_dir(name).display().to_string()
}

#[test]
fn a_wasi_command_writes_to_the_terminal_under_run_x_and_its_exit_status_is_the_result() {
    let ok = troupe(&["run", &app("wasm_command"), "-x", "app:hello"]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert_eq!(
        ok.stdout,
        "hello from a wasi command: args=[\"one\", \"two\"]\nGREETING=hi there\n\
         input: contents of the mounted file\nwrite: denied\n0\n"
    );
    assert!(ok.stderr.contains("a line on stderr"), "{}", ok.stderr);
    // `std::process::exit(3)` reaches WASI preview 2 as `exit(err)`: status 1.
    let fail = troupe(&["run", &app("wasm_command"), "-x", "app:fail"]);
    assert_eq!(fail.code, 1);
    assert!(
        fail.stderr
            .contains("troupe: app:fail failed: exited with code 1"),
        "{}",
        fail.stderr
    );
}

#[test]
fn a_wasi_command_spawned_by_lua_logs_its_output_with_entry_and_pid() {
    let run = troupe(&["run", &app("wasm_command"), "-x", "app:main"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(run.stdout.trim()).unwrap(),
        json!({"hello": 0, "hello_err": "nil", "fail_err": "exited with code 1"})
    );
    let lines: Vec<(String, String, String)> = run
        .log
        .iter()
        .filter(|r| r["fields"]["stream"].is_string())
        .map(|r| {
            let f = &r["fields"];
            (
                f["entry"].as_str().unwrap_or_default().to_string(),
                f["stream"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let hello: Vec<_> = lines
        .iter()
        .filter(|l| l.0 == "app:hello")
        .map(|l| (l.1.as_str(), l.2.as_str()))
        .collect();
    assert_eq!(
        hello,
        vec![
            (
                "stdout",
                "hello from a wasi command: args=[\"one\", \"two\"]"
            ),
            ("stdout", "GREETING=hi there"),
            ("stdout", "input: contents of the mounted file"),
            ("stdout", "write: denied"),
            ("stderr", "a line on stderr"),
        ]
    );
    assert!(
        run.log
            .iter()
            .any(|r| r["fields"]["entry"] == "app:hello" && r["fields"]["pid"].is_string())
    );
}

#[test]
fn a_wasi_preview1_module_runs_through_imports_wasi1() {
    let run = troupe(&["run", &app("wasm_command"), "-x", "app:call_p1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "21\n", "fd_write reported the bytes written");
    assert!(
        run.log.iter().any(|r| r["fields"]["entry"] == "app:p1"
            && r["fields"]["message"] == "hello from preview 1"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_wasm_process_that_mounts_a_directory_needs_fs_get_on_it() {
    let run = troupe(&["run", &app("wasm_command"), "-x", "app:mounts_checked"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(
        v["denied"],
        json!({
            "error": "permission denied: reader may not fs.get app:data (no policy allows it)",
            "kind": "PermissionDenied",
        })
    );
    assert_eq!(v["allowed"], json!({"result": 0}));
    // The denied process never ran guest code: only the allowed one wrote its lines.
    let writers: std::collections::BTreeSet<String> = run
        .log
        .iter()
        .filter(|r| r["fields"]["entry"] == "app:hello" && r["fields"]["stream"] == "stdout")
        .map(|r| r["fields"]["pid"].to_string())
        .collect();
    assert_eq!(writers.len(), 1, "{:?}", run.log);
    assert!(
        run.log
            .iter()
            .any(|r| r["fields"]["message"] == "permission denied"
                && r["fields"]["action"] == "fs.get"
                && r["fields"]["resource"] == "app:data"
                && r["fields"]["actor"] == "reader")
    );
}

#[test]
fn an_unlisted_import_fails_the_boot_naming_entry_and_interface() {
    let run = troupe(&["run", &app("wasm_imports")]);
    assert_eq!(run.code, 1);
    let err = run.stderr.trim();
    assert!(err.starts_with("troupe: refusing to boot: entry app:actor: imports interfaces its `imports` does not list: "), "{err}");
    assert!(
        err.contains("troupe:runtime/funcs@0.1.0 (needs `troupe:funcs`)"),
        "{err}"
    );
    assert!(
        err.contains("wasi:cli/environment@0.2.6 (needs `wasi:cli`)"),
        "{err}"
    );
    assert!(err.ends_with("`imports` lists [troupe:process]"), "{err}");
}

#[test]
fn the_second_boot_loads_compiled_code_from_the_cache() {
    let cache = tempfile::tempdir().expect("temp dir");
    let dir = cache.path().display().to_string();
    let boot = || {
        let run = troupe_env(
            &["run", &app("wasm_funcs"), "-x", "app:main"],
            &[
                ("TROUPE_CACHE_DIR", &dir),
                ("RUST_LOG", "troupe_wasm=debug"),
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let count = |m: &str| {
            run.log
                .iter()
                .filter(|r| r["fields"]["message"] == m)
                .count()
        };
        (
            count("wasm compiled"),
            count("wasm loaded from the compile cache"),
        )
    };
    // wasm_funcs has five function.wat entries; two share text.wat, so four distinct codes
    // are compiled once each, then all five load from disk.
    let (compiled, loaded) = boot();
    assert!(
        compiled >= 4 && loaded <= 1,
        "first boot: compiled {compiled}, loaded {loaded}"
    );
    assert_eq!(
        boot(),
        (0, compiled + loaded),
        "second boot must not compile"
    );
}

// ---- §6.2 pool ---------------------------------------------------------------------------

#[test]
fn function_pools_keep_instances_warm_drop_trapped_ones_and_cap_concurrent_calls() {
    // Each entry's guest bumps a global and returns it, so a value shows which instance
    // served the call (see tests/apps/wasm_pool/_index.yaml).
    let trap =
        |id: &str| format!("{id} failed: wasm trap: wasm `unreachable` instruction executed");
    assert_eq!(
        run_ok("wasm_pool", "app:main"),
        json!({
            // No `pool` and `inline`: a fresh instance per call.
            "default": [1, 1, 1],
            "inline": [1, 1, 1],
            // `lazy`: the instance and its global survive between calls; the one that
            // trapped (its counter at 4) is dropped, and the next call starts a new one.
            "lazy": [1, 2, 3, trap("app:next_lazy"), 1, 2],
            // The same through a component export.
            "component": [1, 2, trap("app:next_component"), 1, 2],
            // `static, size: 2`: both instances exist from boot and serve calls in turn.
            "static": [1, 1, 2, 2, 3],
            // `max_size: 1`: four concurrent callers, served one after the other by the
            // one warm instance (an overlapping call would have made a fresh one: a 1).
            "serialized": [1, 2, 3, 4],
        })
    );
}

#[test]
fn a_pool_with_max_size_0_fails_the_boot_naming_the_entry() {
    match troupe::App::open(&common::app_dir("wasm_pool_zero")) {
        Ok(_) => panic!("a pool with max_size 0 booted"),
        Err(e) => assert_eq!(
            e.to_string(),
            "entry app:never: `pool.max_size` must be at least 1"
        ),
    }
}

// ---- supervision of wasm processes -------------------------------------------------------

#[test]
fn a_supervised_wasm_actor_that_traps_is_restarted() {
    assert_eq!(
        actor("supervised"),
        json!({"restarted_twice": true, "sup_exit": "ok: shutdown"})
    );
}

// ---- the committed guests match their sources --------------------------------------------

#[test]
fn committed_guests_are_built_from_their_sources() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    if let Err(why) = xtask::ensure_target() {
        println!(
            "SKIPPED: cannot install the {} target: {why}",
            xtask::TARGET
        );
        return;
    }
    match xtask::guests(root, xtask::Mode::Check) {
        Ok(lines) => assert_eq!(lines.len(), xtask::GUESTS.len()),
        Err(e) => panic!("{e}"),
    }
}

// ---- §3.6 max_mailbox from a wasm sender --------------------------------------------------

#[test]
fn a_wasm_send_to_a_full_mailbox_returns_unavailable_to_the_guest_and_events_still_arrive() {
    let run = troupe(&["run", &app("wasm_mailbox"), "-x", "app:main"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let first = run.stdout.lines().next().unwrap_or_default();
    let mut v: serde_json::Value = serde_json::from_str(first).unwrap_or_default();
    // Every accepted message is still there, nothing of the actor's got in.
    let filled = v["filled"].take();
    assert_eq!(v["drained"].take(), filled, "{}", run.stdout);
    assert_eq!(
        v,
        json!({
            // 1 MiB strings: 63 fit in the default 64 MiB (each costs a little more).
            "filled": null, "big": 63, "err_kind": "Unavailable",
            "exit_from_actor": true, "exit_ok": true,
            "from_actor": 0, "drained": null, "room_again": true,
        }),
        "{}",
        run.stdout
    );
    // The guest saw each refusal as an `error` with kind UNAVAILABLE: it logs
    // "cannot report to DRIVER: ErrorKind::Unavailable: mailbox full: …" for "ready" and
    // "canceled".
    let refused: Vec<&str> = run
        .log
        .iter()
        .filter(|r| r["fields"]["entry"] == "app:actor")
        .filter_map(|r| r["fields"]["message"].as_str())
        .filter(|m| m.starts_with("cannot report to "))
        .collect();
    assert_eq!(refused.len(), 2, "{refused:?}\n{}", run.stderr);
    for m in refused {
        assert!(m.contains("Unavailable: mailbox full: "), "{m}");
        assert!(m.contains("max_mailbox (67108864 bytes)"), "{m}");
    }
}
