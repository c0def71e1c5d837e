//! End-to-end tests of the mailbox bound `max_mailbox` (SPEC §3.6): each boots
//! `tests/apps/mailbox` (one worker), where some entries set a small bound in their
//! `limits:`, and checks what the Lua processes saw.
//! The wasm sender's side is in tests/wasm.rs.

mod common;

use serde_json::json;
use troupe::App;
use troupe::kernel::{Message, Value};

/// `app:sink`'s `limits.max_mailbox` (about 50 of the 1 KiB flood messages).
const SINK_LIMIT: u64 = 64 << 10;
/// `app:full`'s `limits.max_mailbox`; it fills its own mailbox with integers.
const FULL_LIMIT: u64 = 16 << 10;

/// Boot the app with the test bounds, run `entry(args)`, return its result as JSON.
fn run(entry: &str, args: Vec<Value>) -> serde_json::Value {
    let dir = common::app_dir("mailbox");
    let app = App::open(&dir).unwrap_or_else(|e| panic!("cannot boot {}:\n{e}", dir.display()));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let out =
        rt.block_on(async { tokio::time::timeout(common::TIMEOUT, app.exec(entry, args)).await });
    match out {
        Ok(Ok(Ok(v))) => {
            app.shutdown();
            v.to_json()
        }
        Ok(Ok(Err(e))) => {
            app.shutdown();
            panic!("{entry} failed: [{}] {}", e.kind.as_str(), e.message)
        }
        Ok(Err(e)) => panic!("cannot run {entry}: {e}"),
        Err(_) => {
            app.node.begin_shutdown();
            panic!("{entry} did not finish within {:?}", common::TIMEOUT)
        }
    }
}

/// How many flood messages (`{i = n, s = <1 KiB>}` on topic `flood`) fit in `limit`.
fn flood_capacity(limit: u64) -> u64 {
    let payload = Value::Map(vec![
        (Value::str("i"), Value::Int(1)),
        (Value::str("s"), Value::Str(vec![b'x'; 1024])),
    ]);
    limit / Message::charge_of("flood", &payload)
}

fn flood(mode: &str) {
    let n = flood_capacity(SINK_LIMIT);
    let v = run("app:flood", vec![Value::str(mode)]);
    let msg = v["err_message"].as_str().unwrap_or_default();
    assert!(msg.starts_with("mailbox full: "), "{v:#}");
    assert!(msg.contains("max_mailbox (65536 bytes)"), "{v:#}");
    assert_eq!(
        v["accepted"],
        json!(n),
        "accepted = bound / message charge: {v:#}"
    );
    assert_eq!(v["err_kind"], json!("Unavailable"), "{v:#}");
    assert_eq!(v["still_full"], json!(true), "{v:#}");
    assert_eq!(v["ticker_progressed"], json!(true), "{v:#}");
    // Exactly the accepted messages arrived, in order, and the CANCEL got through.
    assert_eq!(
        v["drained"],
        json!({"n": n, "in_order": true, "event": "pid.cancel", "reason": "drain now"}),
        "{v:#}"
    );
    // After the drain the bound has room again (at least as much as the first time: the
    // sink may receive some while the flood runs).
    assert!(v["accepted_again"].as_u64().unwrap_or(0) >= n, "{v:#}");
    assert_eq!(v["err2_kind"], json!("Unavailable"), "{v:#}");
    assert_eq!(v["echoed"], v["accepted_again"], "{v:#}");
    assert_eq!(v["echo_order"], json!(true), "{v:#}");
}

#[test]
fn a_flood_to_a_process_that_never_receives_is_refused_at_the_bound_and_the_worker_carries_on() {
    flood("pending");
}

#[test]
fn messages_routed_into_an_unread_inbox_still_count_until_received() {
    flood("inbox");
}

#[test]
fn messages_routed_into_an_unread_listen_channel_still_count_until_received() {
    flood("listen");
}

#[test]
fn exit_link_down_and_cancel_arrive_at_a_full_mailbox() {
    let v = run("app:full", vec![]);
    let n = FULL_LIMIT / Message::charge_of("self", &Value::Int(1));
    assert_eq!(
        v,
        json!({
            "accepted": n,
            "err_kind": "Unavailable",
            "full_message": true,
            "events": {"pid.cancel": "me", "pid.exit": "child", "pid.link.down": "child"},
            "still_full": true,
            "drained": n,
            "in_order": true,
            "room_again": true,
        })
    );
}

#[test]
fn with_message_to_a_full_mailbox_fails_the_spawn_and_delivers_nothing() {
    let n = flood_capacity(SINK_LIMIT);
    let v = run("app:spawner", vec![]);
    assert_eq!(
        v,
        json!({
            "accepted": n,
            "pid1": true,
            "err1_kind": "Unavailable",
            "err1_full": true,
            "pid2": true,
            "err2_kind": "Unavailable",
            "err2_full": true,
            "name_left": false,
            "small": {"n": 3, "in_order": true, "event": "pid.cancel", "reason": "drain"},
            "sink_got": n,
            "sink_in_order": true,
            "stray_event": false,
        })
    );
}
