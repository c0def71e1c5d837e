//! End-to-end tests of the wasm host (SPEC §6): each test boots an application from
//! `tests/apps/<case>` (WAT written in the YAML, or Rust guests built for
//! `wasm32-wasip2` by `tests/guests.rs`'s builder) and checks what Lua observed.

mod common;

use common::run_ok;
use serde_json::json;
use troupe::kernel::Value;

#[test]
fn lua_calls_wat_functions_with_and_without_wit() {
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
            "bad_kind": "INVALID",
            "spin_is_nil": true,
            "spin_err": "max_execution_ms exceeded: ran longer than 200 ms",
            "spin_kind": "TIMEOUT",
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
        json!({"from_actor": true, "reason": reason})
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
