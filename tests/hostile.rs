//! Hostile and buggy Lua processes (SPEC §3.6 "Termination always works", "Fairness",
//! "Limits"): each offender runs on a 1-worker host next to a ping-pong that must keep
//! making progress (`tests/apps/hostile`, `app:drive`). The bystander plays its 100 rounds,
//! the node survives, and the offender is stopped (by `terminate`, within 1 s) or fails by
//! itself with an error naming the limit it broke.

mod common;

use common::{run_ok, run_with};
use serde_json::json;
use troupe::kernel::Value;

/// `app:drive(offender, action)` as JSON.
fn drive(offender: &str, action: &str) -> serde_json::Value {
    match run_with(
        "hostile",
        "app:drive",
        vec![Value::str(offender), Value::str(action)],
    ) {
        Ok(v) => v.to_json(),
        Err(e) => panic!("drive {offender} failed: {e:?}"),
    }
}

/// The offender was preempted (the bystander finished while it still ran) and `terminate`
/// stopped it within 1 s.
fn assert_preempted_then_terminated(offender: &str) {
    let v = drive(offender, "terminate");
    assert_eq!(v["rounds"], json!(100), "{offender}: {v:#}");
    assert_eq!(v["still_running"], json!(true), "{offender}: {v:#}");
    assert_eq!(v["exit"], json!("terminated"), "{offender}: {v:#}");
    assert!(
        v["stop_ms"].as_f64().unwrap_or(1e9) < 1000.0,
        "{offender}: {v:#}"
    );
}

/// The offender failed by itself with an error containing `limit` and the bystander then
/// finished its rounds.
fn assert_fails_naming(offender: &str, limit: &str) {
    let v = drive(offender, "wait");
    assert_eq!(v["rounds"], json!(100), "{offender}: {v:#}");
    let exit = v["exit"].as_str().unwrap_or_default();
    assert!(
        exit.contains(limit),
        "{offender}: expected an exit naming {limit}: {v:#}"
    );
}

// ---- user coroutines are preempted and can be terminated --------------------------------

#[test]
fn busy_loop_in_a_resumed_coroutine_is_preempted_and_terminated() {
    assert_preempted_then_terminated("app:busy_resume");
}

#[test]
fn busy_loop_in_nested_wrapped_coroutines_is_preempted_and_terminated() {
    assert_preempted_then_terminated("app:busy_nested");
}

#[test]
fn user_coroutines_keep_their_lua_semantics() {
    assert_eq!(
        run_ok("hostile", "app:coroutines_still_work"),
        json!({
            "got": [1, 2, 3, "done"],
            "ok1": true, "v1": 3,
            "ok2": false, "e2": "boom x",
            "ok3": false, "e3": "app:coroutines_still_work:14: wrapped",
            // as Luau's own wrap: the caller's position is prepended to a string error
            "ok4": false, "e4": "app:coroutines_still_work:18: app:coroutines_still_work:16: wrapped2",
            "status": "dead",
            "slept": "slept",
            "sum": 4_500_001_500_000_i64,
        })
    );
}

// ---- code that cannot yield holds its worker at most max_slice ----------------------------

#[test]
fn busy_gsub_callback_fails_with_max_slice() {
    assert_fails_naming("app:busy_gsub", "max_slice exceeded");
}

#[test]
fn busy_gsub_callback_catching_errors_still_fails_with_max_slice() {
    assert_fails_naming("app:busy_gsub_pcall", "max_slice exceeded");
}

#[test]
fn busy_sort_comparator_fails_with_max_slice() {
    assert_fails_naming("app:busy_sort", "max_slice exceeded");
}

#[test]
fn busy_index_metamethod_fails_with_max_slice() {
    assert_fails_naming("app:busy_meta", "max_slice exceeded");
}

#[test]
fn busy_tostring_metamethod_fails_with_max_slice() {
    assert_fails_naming("app:busy_tostring", "max_slice exceeded");
}

#[test]
fn catastrophic_pattern_fails_with_max_slice() {
    assert_fails_naming("app:busy_pattern", "max_slice exceeded");
}

/// `terminate` stops code that cannot yield within 1 s (long before its `max_slice`), and
/// the worker is free again.
fn assert_terminated_at_once(offender: &str) {
    let v = drive(offender, "terminate_first");
    assert_eq!(v["exit"], json!("terminated"), "{offender}: {v:#}");
    assert!(
        v["stop_ms"].as_f64().unwrap_or(1e9) < 1000.0,
        "{offender}: {v:#}"
    );
    assert_eq!(v["rounds"], json!(100), "{offender}: {v:#}");
}

#[test]
fn terminate_stops_code_that_cannot_yield() {
    for offender in [
        "app:busy_gsub",
        "app:busy_gsub_pcall",
        "app:busy_sort",
        "app:busy_meta",
        "app:busy_tostring",
        "app:busy_pattern",
    ] {
        assert_terminated_at_once(offender);
    }
}

#[test]
fn a_huge_table_move_does_not_hold_the_worker() {
    // Luau's move creates the destination keys (nil values included), so this one is
    // stopped by max_memory if terminate does not come first; either way the bystander
    // played and the offender ended.
    let v = drive("app:move_huge", "terminate");
    assert_eq!(v["rounds"], json!(100), "{v:#}");
    let exit = v["exit"].as_str().unwrap_or_default();
    assert!(
        exit == "terminated" || exit.contains("max_memory exceeded"),
        "{v:#}"
    );
}

#[test]
fn a_huge_sort_can_be_terminated() {
    let v = drive("app:sort_huge", "terminate_first");
    assert_eq!(v["exit"], json!("terminated"), "{v:#}");
    assert!(v["stop_ms"].as_f64().unwrap_or(1e9) < 1000.0, "{v:#}");
}

#[test]
fn replaced_table_move_and_sort_keep_their_semantics() {
    assert_eq!(
        run_ok("hostile", "app:table_ops"),
        json!({"up_ok": true, "down_ok": true, "c": [1, 2, 1, 2, 3], "sorted": true, "d": [3, 2, 1]})
    );
}

// ---- max_memory -------------------------------------------------------------------------------

#[test]
fn a_table_growing_forever_fails_with_max_memory() {
    // troupe.yaml sets the node default to 64 MiB
    assert_fails_naming("app:mem_grow", "max_memory exceeded");
    assert_fails_naming("app:mem_grow", "limit of 67108864 bytes");
}

#[test]
fn a_coroutine_made_before_its_process_had_a_memory_category_of_its_own_is_still_limited() {
    assert_fails_naming("app:mem_grow_early_coroutine", "max_memory exceeded");
}

#[test]
fn processes_sharing_a_memory_category_with_a_hog_live_on_uncharged() {
    let v = run_ok("hostile", "app:bucket_mates");
    let hog = v["hog"].as_str().unwrap_or_default();
    assert!(hog.contains("max_memory exceeded"), "{v:#}");
    assert_eq!(v["answered"], json!(300), "{v:#}");
    // An idle process holds a few KiB; none pays for the hog's 64 MiB.
    assert!(v["most_kib"].as_i64().unwrap_or(i64::MAX) < 256, "{v:#}");
}

#[test]
fn error_objects_count_against_max_memory() {
    assert_fails_naming("app:error_hoard", "limit of 16777216 bytes");
}

#[test]
fn error_frames_and_wrap_contexts_count_against_max_memory() {
    assert_fails_naming("app:error_frames_hoard", "limit of 16777216 bytes");
    assert_fails_naming("app:wrap_context_hoard", "limit of 16777216 bytes");
}

#[test]
fn logger_fields_count_against_max_memory() {
    assert_fails_naming("app:logger_fields_hoard", "limit of 16777216 bytes");
}

#[test]
fn a_cancel_flood_costs_one_pending_cancel() {
    let v = run_ok("hostile", "app:cancel_flood");
    assert_eq!(v["first"], json!({"n": 1, "reason": "flood 1"}), "{v:#}");
    assert_eq!(v["second"], json!({"n": 1, "reason": "again"}), "{v:#}");
}

#[test]
fn an_entry_s_own_max_memory_applies() {
    assert_fails_naming("app:mem_small", "limit of 16777216 bytes");
}

#[test]
fn an_entry_s_own_max_slice_applies() {
    assert_fails_naming(
        "app:busy_gsub_short",
        "for more than 200ms without yielding",
    );
}

#[test]
fn a_huge_string_fails_with_max_memory_even_when_caught() {
    assert_fails_naming("app:mem_rep", "max_memory exceeded");
}

#[test]
fn allocating_in_a_loop_that_catches_errors_fails_with_max_memory() {
    assert_fails_naming("app:mem_catch", "max_memory exceeded");
}

#[test]
fn each_process_is_charged_only_its_own_heap() {
    let v = run_ok("hostile", "app:two_holders");
    for who in ["a_mb", "b_mb"] {
        let mb = v[who].as_i64().unwrap_or(-1);
        // 40 MiB held plus the garbage of building it, under the 64 MiB limit
        assert!((40..64).contains(&mb), "{who}: {v:#}");
    }
    assert_eq!(v["exits"], json!(["640", "640"]), "{v:#}");
    assert_eq!(v["mine_mb"], json!(0), "{v:#}");
}

#[test]
fn message_objects_a_process_keeps_count_against_its_max_memory() {
    let v = run_ok("hostile", "app:hoard_drive");
    let exit = v["exit"].as_str().unwrap_or_default();
    assert!(exit.contains("max_memory exceeded"), "{v:#}");
    assert!(exit.contains("16777216"), "{v:#}");
}

#[test]
fn arguments_over_the_child_s_max_memory_fail_the_spawn() {
    let v = run_ok("hostile", "app:big_args");
    assert_eq!(v["small"], json!(2), "{v:#}");
    assert_eq!(v["big"], json!(true), "{v:#}");
    let err = v["err"].as_str().unwrap_or_default();
    assert!(
        err.contains(
            "cannot start app:tiny: max_memory exceeded by its arguments (limit 1048576 bytes)"
        ),
        "{v:#}"
    );
}

#[test]
fn memory_given_back_does_not_count() {
    assert_eq!(run_ok("hostile", "app:mem_ok"), json!(true));
}
