//! End-to-end tests of the process kernel and the Lua runtime (SPEC §3, §5): each test
//! boots a small application from `tests/apps/<case>`, runs its entry, and checks exactly
//! what the Lua code observed.

mod common;

use common::{run, run_err, run_ok, run_with, str_at};
use serde_json::json;
use troupe::kernel::{ErrorKind, Value};

// ---- §3.3 spawn and exit results ---------------------------------------------------------

#[test]
fn exec_returns_main_value() {
    let r = run_with("spawn_exit", "app:ok", vec![Value::str("x"), Value::Int(2)]);
    assert_eq!(
        r.map(|v| v.to_json()),
        Ok(json!({"a": "x", "b": 2, "sum": 42}))
    );
    assert_eq!(
        run("spawn_exit", "app:text"),
        Ok(Value::str("plain string"))
    );
}

#[test]
fn return_nil_reason_is_an_error_exit() {
    let e = run_err("spawn_exit", "app:fail");
    assert_eq!(e.message, "reason");
    let e = run_err("spawn_exit", "app:fail_obj");
    assert_eq!(
        (e.kind, e.message.as_str()),
        (ErrorKind::Invalid, "bad input")
    );
    let e = run_err("spawn_exit", "app:raise");
    assert_eq!(e.message, "exploded");
}

#[test]
fn process_exec_sees_values_and_errors() {
    assert_eq!(
        run_ok("spawn_exit", "app:main"),
        json!({
            "ok_value": {"a": "x", "b": 2, "sum": 42},
            "ok_err_is_nil": true,
            "fail_value_is_nil": true,
            "fail_err": "reason",
            "obj_value_is_nil": true,
            "obj_kind": "Invalid",
            "obj_message": "bad input",
            "raise_value_is_nil": true,
            "raise_message": "exploded",
        })
    );
}

// ---- §3.3 monitors -----------------------------------------------------------------------

#[test]
fn monitor_gets_exit_on_normal_and_error_exit() {
    assert_eq!(
        run_ok("monitor_exit", "app:main"),
        json!({
            "normal": {
                "kind": "pid.exit", "is_exit_const": true, "from_matches": true,
                "value": 42, "error_is_nil": true,
            },
            "error": {
                "kind": "pid.exit", "from_matches": true, "value_is_nil": true,
                "error": "boom", "error_kind": "Invalid",
            },
            "runtime": {"monitor_ok": true, "kind": "pid.exit", "from_matches": true, "value": "go:late"},
        })
    );
}

// ---- §3.3 links ----------------------------------------------------------------------------

#[test]
fn link_down_only_on_error_exit() {
    assert_eq!(
        run_ok("link_down", "app:main"),
        json!({
            "log": ["pid.exit:ok1", "pid.exit:ok2", "pid.exit:err", "pid.link.down:err"],
            "reason": "child broke",
        })
    );
}

#[test]
fn link_failure_cascades_through_a_chain_of_five() {
    let linked = "linked process failed";
    assert_eq!(
        run_ok("cascade", "app:chain"),
        json!({"c1": linked, "c2": linked, "c3": "c3 failed", "c4": linked, "c5": linked})
    );
}

#[test]
fn link_failure_cascades_through_a_star_of_ten() {
    let linked = "linked process failed";
    let mut expected = serde_json::Map::new();
    expected.insert("center".into(), json!(linked));
    for i in 1..=10 {
        let v = if i == 7 { "leaf7 failed" } else { linked };
        expected.insert(format!("leaf{i}"), json!(v));
    }
    assert_eq!(
        run_ok("cascade", "app:star"),
        serde_json::Value::Object(expected)
    );
}

#[test]
fn trap_links_delivers_link_down_and_survives() {
    assert_eq!(
        run_ok("trap_links", "app:main"),
        json!({
            "kind": "pid.link.down",
            "is_link_down_const": true,
            "from_matches": true,
            // as Wippy: LINK_DOWN carries `result = {error = err}` and `at` (Unix seconds)
            "reason": "crashed on purpose",
            "reason_kind": "Internal",
            "at_is_unix_seconds": true,
            "after": "still here",
            "trap": true,
        })
    );
}

#[test]
fn cancel_delivers_reason_and_target_decides() {
    assert_eq!(
        run_ok("cancel", "app:main"),
        json!({
            "cancel_returned": true,
            "graceful": {
                "value": {"kind": "pid.cancel", "is_cancel_const": true, "reason": "shutting down", "from_parent": true},
                "error_is_nil": true,
            },
            "stubborn": {"error": "refused: go away", "value_is_nil": true},
            "cleanup": "cleaned up after shutting down",
        })
    );
}

#[test]
fn terminate_cascades_to_linked_processes() {
    assert_eq!(
        run_ok("terminate", "app:main"),
        json!({
            "monitor_ok": true,
            "terminate_ok": true,
            "parent": {"error": "terminated", "kind": "Canceled"},
            "child": {"error": "linked process failed", "kind": "Internal"},
        })
    );
}

// ---- §3.2 delivery ---------------------------------------------------------------------

#[test]
fn unlistened_topics_fall_back_to_the_inbox() {
    assert_eq!(
        run_ok("inbox_fallback", "app:main"),
        json!({
            "a": [1, 3],
            "inbox": [
                {"topic": "b", "data": 2, "from_sender": true},
                {"topic": "c", "data": {"x": 4}, "from_sender": true},
            ],
            "a_empty": true,
            "inbox_empty": true,
        })
    );
}

#[test]
fn messages_are_retained_until_a_subscription_opens() {
    assert_eq!(
        run_ok("retained", "app:main"),
        json!({
            "sender_done": true,
            "x": ["x1", "x2", "x3"],
            "y": ["y=y1", "y=y2"],
            "x_drained": true,
            "inbox_drained": true,
        })
    );
}

#[test]
fn messages_from_one_sender_arrive_in_order() {
    assert_eq!(
        run_ok("ordering", "app:main"),
        json!({"received": 2000, "violations": 0, "s1_last": 1000, "s2_last": 1000})
    );
}

#[test]
fn each_topic_has_its_own_channel() {
    assert_eq!(
        run_ok("topics", "app:main"),
        json!({
            "same_channel": true,
            "a": ["a1", "a2", "a3"],
            "b": ["b1", "b2"],
            "c": ["c=c1", "c=c2"],
        })
    );
}

#[test]
fn after_unlisten_messages_go_to_the_inbox() {
    let mut v = run_ok("unlisten", "app:main");
    // as Wippy: a second unlisten of the same channel is `false, err`
    assert!(!str_at(&v, "/again_err").is_empty(), "{v:#}");
    assert_ne!(str_at(&v, "/again_err"), "nil", "{v:#}");
    v.as_object_mut().unwrap().remove("again_err");
    assert_eq!(
        v,
        json!({
            "first": 1, "removed": true, "inbox_topic": "t", "inbox_data": 2,
            // as Wippy: unlisten closes the channel (ready, drained, not ok)
            "old_channel_closed": true,
            "again_ok": false,
        })
    );
}

// ---- §3.4 channels -------------------------------------------------------------------------

#[test]
fn select_with_timeout_and_ready_channels() {
    assert_eq!(
        run_ok("select", "app:main"),
        json!({
            "timeout": {"is_timeout": true, "is_never": false, "waited_enough": true},
            "ready": {"is_ready": true, "value": "hello", "ok": true, "fast": true},
            "later": {"is_later": true, "value": "from coroutine"},
            "default": true,
            "closed": {"is_closed": true, "ok": false},
        })
    );
}

// ---- §3.1 names ----------------------------------------------------------------------------

#[test]
fn names_register_send_and_release_on_exit() {
    let v = run_ok("names", "app:main");
    // as Wippy: register of a taken name and a lookup miss are `nil, err` with these texts
    assert_eq!(str_at(&v, "/taken/err"), "name already registered", "{v:#}");
    assert_eq!(
        str_at(&v, "/after_exit/err"),
        "name not registered",
        "{v:#}"
    );
    let send_err = str_at(&v, "/send_after_exit/err");
    assert!(
        send_err.contains("not found") && send_err.contains("svc"),
        "{v:#}"
    );
    let mut v = v;
    for p in ["taken", "after_exit", "send_after_exit"] {
        v[p].as_object_mut().unwrap().remove("err");
    }
    assert_eq!(
        v,
        json!({
            "child_registered": true,
            "lookup_is_child": true,
            "send_by_name": true,
            "pong_from_child": true,
            "taken": {"is_nil": true, "kind": "AlreadyExists"},
            "child_exit": "bye",
            "after_exit": {"is_nil": true, "kind": "NotFound"},
            "send_after_exit": {"is_nil": true, "kind": "NotFound"},
            "reregister": true,
            "lookup_is_me": true,
            "unregister": true,
            "lookup_after_unregister_is_nil": true,
        })
    );
}

#[test]
fn send_to_a_dead_pid_fails_with_not_found() {
    let v = run_ok("dead_pid", "app:main");
    assert!(str_at(&v, "/err").contains("not found"), "{v:#}");
    assert!(str_at(&v, "/name_err").contains("not found"), "{v:#}");
    // as Wippy: a failed send is `nil, err` (NotFound)
    assert_eq!(
        (
            &v["exited"],
            &v["ok_is_nil"],
            &v["kind"],
            &v["name_ok_is_nil"],
            &v["name_kind"]
        ),
        (
            &json!(true),
            &json!(true),
            &json!("NotFound"),
            &json!(true),
            &json!("NotFound")
        )
    );
}

// ---- §3.3 deadlock detection ---------------------------------------------------------------

#[test]
fn deadlock_is_detected_but_inbox_waits_are_not_deadlocks() {
    let deadlock =
        |n: usize| format!("error: deadlock: all {n} coroutines blocked on process-local channels");
    assert_eq!(
        run_ok("deadlock", "app:main"),
        json!({
            "stuck": deadlock(1),
            "stuck_pair": deadlock(2),
            "inbox_waiter": "value: hello",
            "co_waiter": "value: woken by coroutine",
        })
    );
}

// ---- §3.6 fairness ---------------------------------------------------------------------------

#[test]
fn busy_loop_does_not_starve_ping_pong_on_one_worker() {
    assert_eq!(
        run_ok("fairness", "app:main"),
        json!({
            "rounds": 100,
            "err": "none",
            "busy_still_running": true,
            "busy_exit": "terminated",
            "same_host": true,
        })
    );
}

#[test]
fn busy_loop_inside_a_user_coroutine_does_not_starve_ping_pong() {
    assert_eq!(
        run_with("fairness", "app:main", vec![Value::str("app:busy_wrapped")]).map(|v| v.to_json()),
        Ok(json!({
            "rounds": 100,
            "err": "none",
            "busy_still_running": true,
            "busy_exit": "terminated",
            "same_host": true,
        }))
    );
}

#[test]
fn lua_error_in_one_process_does_not_affect_others() {
    let v = run_ok("crash_isolation", "app:main");
    assert_eq!(
        str_at(&v, "/index_nil"),
        "app:index_nil:3: attempt to index nil with 'field'",
        "{v:#}"
    );
    // As Wippy: send with fewer than two arguments is `nil, err`; main returns it, so the
    // process exits with that error (and nobody else is affected).
    assert_eq!(
        str_at(&v, "/bad_call"),
        "send: expected a destination and a topic",
        "{v:#}"
    );
    let table_err = str_at(&v, "/error_table");
    assert!(
        table_err.starts_with("table: ") && !table_err.contains('\n'),
        "{v:#}"
    );
    assert_eq!(
        (&v["count"], &v["counter_exit"]),
        (&json!(2), &json!("counter stopped at 2"))
    );
}

// ---- §5 Lua ------------------------------------------------------------------------------

#[test]
fn modules_gate_refuses_unlisted_and_allows_listed() {
    let v = run_ok("modules_gate", "app:main");
    let denied = str_at(&v, "/denied");
    // as Wippy: `module '<name>' not found`; an unlisted known module also names the entry
    assert!(
        denied.contains("module 'time' not found") && denied.contains("app:main"),
        "{v:#}"
    );
    let unknown = str_at(&v, "/unknown");
    assert!(
        unknown.contains("module 'no_such_module' not found"),
        "{v:#}"
    );
    assert_eq!(
        (&v["denied_ok"], &v["unknown_ok"], &v["allowed"]),
        (&json!(false), &json!(false), &json!("[1,2,3]"))
    );

    let e = run_err("modules_gate", "app:bad");
    assert!(
        e.message.contains("module 'time' not found") && e.message.contains("app:bad"),
        "{e:?}"
    );
}

#[test]
fn processes_cannot_see_or_change_each_others_globals() {
    assert_eq!(
        run_ok("isolation", "app:main"),
        json!({
            "writer": {
                "own_global": "from writer",
                "set_string": false,
                "clobber_upper": false,
                "set_G": false,
                "set_process": false,
                "set_math": false,
            },
            "reader": {
                "leaked_global_nil": true,
                "string_custom_nil": true,
                "leak2_nil": true,
                "upper": "OK",
                "send_is_function": true,
                "pi_intact": true,
            },
            "second_writer_instance": {"before_nil": true, "after": 1},
            "main_sees": true,
        })
    );
}

#[test]
fn luau_type_annotations_parse_and_run() {
    assert_eq!(run("luau_types", "app:main"), Ok(Value::Int(25)));
}

#[test]
fn coroutines_run_concurrently_and_end_with_main() {
    assert_eq!(
        run_ok("coroutines", "app:main"),
        json!({
            "log": ["co got 1", "main got 10", "co got 2", "main got 20", "co got 3", "main got 30"],
            "child_exit": "main done",
            "ticks_before_exit": true,
            "ticks_after_exit": 0,
        })
    );
}

#[test]
fn library_via_imports_and_require_alias() {
    assert_eq!(
        run_ok("library", "app:main"),
        json!({
            "double": 42,
            "same_table": true,
            "encoded": "[1,2,3]",
            "version": "1.2",
            // as Wippy: one `_G` per process, so a module listed only by an imported
            // library is bound in the importer too
            "main_may_require_json": true,
        })
    );
}

#[test]
fn funcs_call_returns_value_and_error() {
    assert_eq!(
        run_ok("funcs", "app:main"),
        json!({
            "value": 5,
            "err_is_nil": true,
            "fail_value_is_nil": true,
            "fail_err": "bad input: 7",
            "fail_kind": "Invalid",
            "raise_value_is_nil": true,
            "raise_err": "function raised",
            "missing_err": "entry app:missing not found",
            "missing_kind": "NotFound",
        })
    );
}

#[test]
fn json_round_trip() {
    assert_eq!(
        run_ok("json", "app:main"),
        json!({
            "encoded_type": "string",
            "back": {"name": "troupe", "n": 42, "pi": 3.5, "ok": true, "list": [1, 2, 3], "nested": {"a": {"b": "c"}}},
            "array": "[1,2,3]",
            "scalar": "\"hi\"",
            "k1": true, "k2_is_nil": true, "k3": 2.5, "s": "été", "neg": -7,
            "bad_is_nil": true,
            // as Wippy: malformed JSON is Internal, empty input Invalid; `{}` encodes as `[]`
            "bad_kind": "Internal",
            "empty_is_nil": true,
            "empty_kind": "Invalid",
            "empty_object": "[]",
        })
    );
}

#[test]
fn errors_new_kind_and_message() {
    assert_eq!(
        run_ok("errors", "app:main"),
        json!({
            "kind": "NotFound",
            "message": "no such thing",
            "str": "no such thing",
            "const": "NotFound",
            "is_kind": true,
            "table_kind": "PermissionDenied",
            "table_message": "nope",
            "timeout_const": "Timeout",
            // as Wippy: custom kinds are kept; `errors.new(kind, msg)` ignores the 2nd arg
            "custom_kind": "NotAKind",
            "custom_message": "x",
            "positional_message": "Invalid",
            "positional_kind": "",
            "bool_arg_ok": false,
            "bool_arg_refused": true,
        })
    );
}

fn uuid_version(s: &str) -> Option<char> {
    let groups: Vec<&str> = s.split('-').collect();
    let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    let hex = groups.iter().all(|g| {
        g.chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    });
    if lens != [8, 4, 4, 4, 12] || !hex {
        return None;
    }
    let variant = groups[3].chars().next()?;
    if !"89ab".contains(variant) {
        return None;
    }
    groups[2].chars().next()
}

#[test]
fn uuid_v4_and_v7_format() {
    let v = run_ok("uuid", "app:main");
    let ids: Vec<&str> = (0..4).map(|i| str_at(&v, &format!("/{i}"))).collect();
    assert_eq!(
        ids.iter().map(|s| uuid_version(s)).collect::<Vec<_>>(),
        [Some('4'), Some('4'), Some('7'), Some('7')],
        "{ids:?}"
    );
    assert_ne!(ids[0], ids[1]);
    assert!(ids[2] < ids[3], "v7 ids are time-ordered: {ids:?}");
}

#[test]
fn spawn_of_a_missing_entry_returns_not_found() {
    assert_eq!(
        run_ok("missing_entry", "app:main"),
        json!({
            "spawn": {"pid_is_nil": true, "err": "entry app:does_not_exist not found", "kind": "NotFound"},
            "spawn_linked_monitored": {"pid_is_nil": true, "err": "entry app:does_not_exist not found"},
            "exec": {"result_is_nil": true, "err": "entry app:does_not_exist not found"},
            "library": {"pid_is_nil": true, "err": "entry app:lib has kind library.lua, which cannot be spawned", "kind": "Invalid"},
        })
    );
}

/// Regression: a process preempted inside an async call (between the call parking and its
/// coroutine yielding) lost the wake-up that completed the call and hung forever.
#[test]
fn preemption_inside_an_async_call_does_not_lose_the_wakeup() {
    assert_eq!(run_ok("preempt_async", "app:main"), json!([1, 2, 3, 4, 5]));
}
