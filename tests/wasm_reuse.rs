//! Isolation on reused wasm state (SPEC §3.6, §6.2; issue 13): pooling-allocator slots
//! (memory, table, instance, fiber stack) and lazily pooled stores are handed to the next
//! instance or call only in the state a fresh one has, whatever the previous user did.
//! The scenarios are in `tests/apps/wasm_reuse`.

mod common;

use serde_json::json;
use troupe::kernel::Value;

fn scenario(name: &str) -> serde_json::Value {
    match common::run_with("wasm_reuse", "app:main", vec![Value::str(name)]) {
        Ok(v) => v.to_json(),
        Err(e) => panic!(
            "wasm_reuse {name} failed: [{}] {}",
            e.kind.as_str(),
            e.message
        ),
    }
}

/// What `run` reports for a fresh instance: data word 7, zero page 0, 1 page, global 0,
/// table slot null.
fn clean() -> serde_json::Value {
    json!([7, 0, 1, 0, 1])
}

#[test]
fn a_fresh_instance_finds_nothing_of_the_hostile_ones_before_it_in_its_slot() {
    assert_eq!(
        scenario("slots"),
        json!({
            "first": clean(),
            "after_scribble": true,
            "trap": "app:scribble failed: wasm trap: wasm `unreachable` instruction executed",
            "after_trap": clean(),
            "bomb": "max_memory exceeded: limit 1048576 bytes",
            "after_bomb": clean(),
            "spin": "max_execution_ms exceeded: ran longer than 300 ms",
            "after_spin": clean(),
            "still_clean": true,
        })
    );
}

#[test]
fn a_lazy_pool_keeps_its_own_state_but_never_hands_on_a_poisoned_instance() {
    // The warm instance's second call sees what its first wrote (Wippy's pools); a call
    // that trapped, blew max_memory or was killed leaves no instance behind.
    let warm = json!([99, 99, 2, 42, 0]);
    let r = scenario("lazy");
    assert_eq!(
        r,
        json!({
            "first": clean(),
            "second": warm,
            "trap": "app:scribble_lazy failed: wasm trap: wasm `unreachable` instruction executed",
            "after_trap": clean(),
            "bomb": "max_memory exceeded: limit 1048576 bytes",
            "after_bomb": clean(),
            "spin": "max_execution_ms exceeded: ran longer than 300 ms",
            "after_spin": clean(),
        })
    );
}

#[test]
fn a_warm_store_gets_its_full_fuel_for_every_call() {
    // Three calls of more than half the fuel each on one warm instance (its counter 1, 2,
    // 3); one call over the limit is stopped and its instance dropped; the next call
    // starts a new instance (counter 1) with full fuel again.
    assert_eq!(
        scenario("fuel"),
        json!([1, 2, 3, "fuel exhausted: limit 100000", 1, 2])
    );
}

#[test]
fn wasm_actors_after_a_memory_bomb_and_a_killed_spinner_still_run() {
    let r = scenario("actors");
    assert_eq!(r["echoes"], json!(50), "{r}");
    assert!(
        r["grow"]
            .as_str()
            .is_some_and(|s| s.contains("max_memory exceeded")),
        "{r}"
    );
    assert_eq!(
        r["spin"],
        json!("error: max_execution_ms exceeded: ran longer than 1500 ms"),
        "{r}"
    );
}
