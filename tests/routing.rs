//! The routing equivalence tests (SPEC §3.2, issue 13): one kernel mailbox routes for
//! every runtime, so each scenario run from Lua (`tests/apps/routing`, `app:lua_scenario`)
//! and from wasm (the guest `tests/guests/routing`) must observe the same thing. Each test
//! boots the app, runs the scenario on both sides and asserts both reports equal the
//! expected lines (and so each other).

mod common;

use serde_json::{Value as Json, json};
use troupe::kernel::Value;

/// Run `scenario` from Lua and from wasm; assert both ended normally and reported
/// `expected`.
fn same_from_lua_and_wasm(scenario: &str, expected: &[&str]) {
    let out = match common::run_with("routing", "app:main", vec![Value::str(scenario)]) {
        Ok(v) => v.to_json(),
        Err(e) => panic!("routing {scenario}: [{}] {}", e.kind.as_str(), e.message),
    };
    assert_eq!(
        out["exits"],
        json!({"lua": "ok", "wasm": "ok"}),
        "{scenario}: {out:#}"
    );
    let expected = Json::from(expected.to_vec());
    assert_eq!(out["lua"], expected, "{scenario} from Lua");
    assert_eq!(out["wasm"], expected, "{scenario} from wasm");
}

#[test]
fn listen_refuses_at_topics_empty_and_long_ones_from_both_runtimes() {
    // As Wippy: `@` topics are the runtime's; listening twice is fine (same channel in
    // Lua); unlisten of something not subscribed is Invalid.
    same_from_lua_and_wasm(
        "bad_topics",
        &[
            "listen @x: Invalid",
            "listen empty: Invalid",
            "listen long: Invalid",
            "send @x: Invalid",
            "unlisten never: Invalid",
            "listen t: ok",
            "listen t again: ok",
            "topic t 1",
            "none",
        ],
    );
}

#[test]
fn register_takes_a_pid_not_a_name_from_both_runtimes() {
    same_from_lua_and_wasm(
        "register",
        &[
            "self: ok",
            "self again: ok",
            "own, no pid: ok",
            "a name: Invalid",
            "not a pid: Invalid",
            "dead pid: NotFound",
            "taken: AlreadyExists",
            "lookup true",
        ],
    );
}

#[test]
fn messages_queued_before_a_subscription_wait_in_order_for_it() {
    // b:1, a:2, b:3, a:4 queued with nothing open: `listen a` takes the `a`s, in order;
    // the `b`s wait until the inbox opens.
    same_from_lua_and_wasm(
        "queued",
        &[
            "listen a: ok",
            "topic a 2",
            "topic a 4",
            "none",
            "inbox b 1",
            "inbox b 3",
            "none",
        ],
    );
}

#[test]
fn a_message_routed_to_the_inbox_stays_there_after_listen() {
    // Routing is decided once, at arrival: t:1 arrived with only the inbox open.
    same_from_lua_and_wasm(
        "listen_after_inbox",
        &["listen t: ok", "inbox t 1", "topic t 2", "none"],
    );
}

#[test]
fn unlisten_changes_where_later_messages_go_not_the_ones_already_routed() {
    same_from_lua_and_wasm(
        "unlisten",
        &[
            "listen t: ok",
            "topic t 1",
            "unlisten t: ok",
            "unlisten t again: Invalid",
            "topic t 2",
            "inbox t 3",
            "none",
        ],
    );
}

#[test]
fn events_wait_for_the_events_subscription_and_cancels_coalesce_until_taken() {
    // Two cancels before events() is open: one CANCEL (the first reason); once taken, the
    // next is delivered again. A message waiting meanwhile is not an event.
    same_from_lua_and_wasm(
        "events",
        &[
            "cancel r1: ok",
            "cancel r2: ok",
            "cancel r1",
            "none",
            "cancel r3: ok",
            "cancel r3",
            "inbox m 9",
            "none",
        ],
    );
}
