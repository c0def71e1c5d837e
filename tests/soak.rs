//! Soak (issue 13): 1,000,000 messages through a ring of 1,000 Lua processes in a booted
//! application (`tests/apps/soak`). 1,000 tokens are in flight at once, each goes once round
//! the ring; the test asserts that every token comes back, in order, having visited every
//! node exactly once, that every node saw its senders' messages in order (per-sender FIFO,
//! SPEC §3.2, as OTP), and that exactly 1,000,000 messages passed between ring members.
//! No timing assertion: the timeout is only there so that a hang fails instead of blocking.

mod common;

use std::time::{Duration, Instant};

use troupe::App;
use troupe::kernel::Value;

/// Ring size and tokens: `RING * TOKENS` ring messages.
const RING: i64 = 1_000;
const TOKENS: i64 = 1_000;

/// A generous bound for a debug build on a loaded 2-core machine; a hang fails the test.
const SOAK_TIMEOUT: Duration = Duration::from_secs(900);

#[test]
fn a_million_messages_round_a_ring_of_a_thousand_arrive_in_order_and_all_counted() {
    let dir = common::app_dir("soak");
    let app = App::open(&dir).unwrap_or_else(|e| panic!("cannot boot {}:\n{e}", dir.display()));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let args = vec![Value::str(RING.to_string()), Value::str(TOKENS.to_string())];
    let t0 = Instant::now();
    let outcome =
        rt.block_on(async { tokio::time::timeout(SOAK_TIMEOUT, app.exec("app:ring", args)).await });
    let elapsed = t0.elapsed();
    let result = match outcome {
        Err(_) => {
            app.node.begin_shutdown();
            panic!("the soak did not finish within {SOAK_TIMEOUT:?}");
        }
        Ok(Err(e)) => panic!("cannot run app:ring: {e}"),
        Ok(Ok(Err(e))) => panic!("app:ring failed: [{}] {}", e.kind.as_str(), e.message),
        Ok(Ok(Ok(v))) => v.to_json(),
    };
    app.shutdown();
    eprintln!("soak: {} ring messages in {elapsed:.1?}", RING * TOKENS);

    let int = |k: &str| {
        result
            .get(k)
            .and_then(|v| v.as_i64())
            .unwrap_or_else(|| panic!("no integer {k} in {result:#}"))
    };
    assert_eq!(int("returned"), TOKENS, "{result:#}");
    assert_eq!(
        int("out_of_order"),
        0,
        "tokens came back out of order: {result:#}"
    );
    assert_eq!(
        int("bad_hops"),
        0,
        "a token skipped or repeated a hop: {result:#}"
    );
    assert_eq!(
        int("bad_sum"),
        0,
        "a token missed or revisited a node: {result:#}"
    );
    assert_eq!(int("reported"), RING, "{result:#}");
    assert_eq!(int("distinct_reporters"), RING, "{result:#}");
    assert_eq!(
        int("wrong_count"),
        0,
        "a node saw the wrong number of tokens: {result:#}"
    );
    assert_eq!(
        int("node_violations"),
        0,
        "a node saw a sender's messages out of order: {result:#}"
    );
    assert_eq!(int("ring_messages"), RING * TOKENS, "{result:#}");
}
