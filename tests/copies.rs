//! End-to-end tests of the bounded, faithful deep copy (SPEC §3.2, §3.6): every copy site
//! refuses a cycle, nesting past 512 levels and a copy past `max_message` with an
//! `Invalid` error naming the rule (`Internal` for `json`, as Wippy; `json.encode` also
//! refuses past 128 levels), delivers nothing, and does it on a 1-worker host while a ticker
//! process there keeps counting (`tests/apps/copies`). Accepted borderline copies (512
//! levels, shared sub-tables, a 32 MiB string, wasm payloads) arrive whole.

mod common;

use common::{run_ok, run_with};
use serde_json::{Value as Json, json};
use troupe::kernel::Value;

const CYCLE: &str = "contains a cycle";
const DEPTH: &str = "nested deeper than 512 levels";
const SIZE: &str = "larger than max_message (67108864 bytes";

/// Run `app:main(case)`: the hostile copy's report.
fn case(name: &str) -> Json {
    match run_with("copies", "app:main", vec![Value::str(name)]) {
        Ok(v) => v.to_json(),
        Err(e) => panic!("{name}: main failed: [{}] {}", e.kind.as_str(), e.message),
    }
}

/// The case was refused with `Invalid` naming `rule`, nothing was delivered, and the ticker
/// on the same worker kept counting.
fn assert_refused(name: &str, rule: &str) {
    assert_refused_as(name, rule, "Invalid");
}

/// As [`assert_refused`], with the error kind `kind` (json failures are `Internal`, as
/// Wippy).
fn assert_refused_as(name: &str, rule: &str, kind: &str) {
    let r = case(name);
    assert_eq!(r["value"], "nil", "{name}: {r:#}");
    assert_eq!(r["kind"], kind, "{name}: {r:#}");
    let msg = r["message"].as_str().unwrap_or_default();
    assert!(msg.contains(rule), "{name}: expected {rule:?} in {msg:?}");
    assert_eq!(r["delivered"], 0, "{name}: something was delivered: {r:#}");
    assert_eq!(
        r["ticker_progressed"], true,
        "{name}: the ticker stalled: {r:#}"
    );
}

#[test]
fn send_refuses_cycles() {
    assert_refused("send_self_ref", CYCLE);
    assert_refused("send_doubling", CYCLE);
    assert_refused("send_nested_cycle", CYCLE);
    assert_refused("send_cycle_in_second_value", CYCLE);
}

#[test]
fn send_refuses_a_doubling_dag_after_max_message_bytes() {
    assert_refused("send_dag_bomb", SIZE);
}

#[test]
fn send_refuses_513_levels() {
    assert_refused("send_deep_513", DEPTH);
}

#[test]
fn send_refuses_a_100_mib_string() {
    assert_refused("send_huge_string", SIZE);
}

#[test]
fn json_encode_refuses_each_bomb() {
    // As Wippy: json.encode/decode failures are `Internal`; encode refuses past 128 levels.
    let internal = "Internal";
    assert_refused_as("json_self_ref", CYCLE, internal);
    assert_refused_as("json_doubling", CYCLE, internal);
    assert_refused_as("json_dag_bomb", SIZE, internal);
    assert_refused_as("json_deep_513", DEPTH, internal);
    assert_refused_as("json_deep_129", "nested deeper than 128 levels", internal);
    assert_refused_as("json_huge_string", SIZE, internal);
    assert_refused_as("json_decode_deep_513", DEPTH, internal);
}

#[test]
fn spawn_arguments_are_bounded_and_nothing_is_spawned() {
    assert_refused("spawn_args_cycle", CYCLE);
    assert_refused("spawn_args_bomb", SIZE);
    assert_refused("spawner_args_cycle", CYCLE);
    assert_refused("exec_args_cycle", CYCLE);
}

#[test]
fn with_context_and_with_message_refuse_cycles_and_bombs() {
    assert_refused("with_context_cycle", CYCLE);
    assert_refused("spawner_with_context_bomb", SIZE);
    assert_refused("with_message_cycle", CYCLE);
    assert_refused("funcs_new_with_context_cycle", CYCLE);
    // Caught with pcall, the raise carries the rule in its message.
    let r = case("with_context_cycle_pcall");
    assert_eq!(r["kind"], "raised", "{r:#}");
    assert!(
        r["message"].as_str().unwrap_or_default().contains(CYCLE),
        "{r:#}"
    );
    assert_eq!(r["ticker_progressed"], true, "{r:#}");
}

#[test]
fn function_arguments_and_results_are_bounded() {
    assert_refused("funcs_args_cycle", CYCLE);
    assert_refused("funcs_args_bomb", SIZE);
    assert_refused("funcs_async_args_cycle", CYCLE);
    assert_refused("funcs_result_cycle", CYCLE);
    assert_refused("funcs_result_bomb", SIZE);
    assert_refused("main_result_cycle", CYCLE);
}

#[test]
fn accepted_copies_are_faithful() {
    assert_eq!(
        run_ok("copies", "app:faithful"),
        json!({
            "send_512": true,
            "depth_512": 512,
            "json_128": true,
            "json_decode_512": 512,
            "send_shared": true,
            "shared_distinct": true,
            "shared_equal": true,
            "shared_independent": true,
            "send_dag_16": true,
            "dag_16_leaves": 65536,
            "send_mixed": true,
            "mixed": true,
            "send_fn": true,
            "fn_nil": true,
            "send_32mib": true,
            "big_len": 32 * 1024 * 1024,
            "ticker_progressed": true,
        })
    );
}

#[test]
fn wasm_payloads_follow_the_same_rules() {
    let r = run_ok("copies", "app:wasm");
    assert_eq!(r["send_512"], true, "{r:#}");
    assert_eq!(r["echo_512"], 512, "{r:#}");
    assert_eq!(r["send_after"], true, "{r:#}");
    assert_eq!(r["next_echo"], "after", "{r:#}");
    let cycle = r["cycle_to_wasm"].as_str().unwrap_or_default();
    assert!(cycle.contains(CYCLE), "{r:#}");
}
