//! SPEC §9 benchmarks for wasm processes. Run with `cargo bench --bench wasm`.
//!
//! The workloads live in `benches/apps/wasm/_index.yaml` and drive the test actor
//! (`tests/guests/actor`, a Rust guest built for wasm32-wasip2) from Lua inside a real
//! node. The SPEC §9 wasm rows have absolute budgets (no OTP counterpart).
//! `TROUPE_BENCH_QUICK=1` shrinks the sizes; `TROUPE_BENCH_ONLY=spawn,ping,live,calls`
//! picks figures; `TROUPE_BENCH_JSON=path` appends one JSON object per figure to `path`.

mod common;

use std::time::{Duration, Instant};

use common::{
    Better, Budget, Figure, boot, header, report, rss_bytes, run, settled_process_count, timed,
};
use troupe::App;
use troupe_kernel::Value;

fn main() {
    let quick = std::env::var("TROUPE_BENCH_QUICK").is_ok_and(|v| v == "1");
    let (spawns, pings, live, calls) = if quick {
        (1_000, 10_000, 2_000, 100_000)
    } else {
        (10_000, 100_000, 10_000, 1_000_000)
    };
    let (app, rt) = boot("wasm");
    header();
    let only = std::env::var("TROUPE_BENCH_ONLY").unwrap_or_default();
    let want = |name: &str| only.is_empty() || only.split(',').any(|o| o == name);

    // Warm up: the pool's first slots, the Lua VMs.
    rt.block_on(run(&app, "bench:spawn_first_message", &[200]));

    if want("spawn") {
        let t = timed(&rt, &app, "bench:spawn_first_message", &[spawns]);
        report(&Figure {
            name: "spawn + first message of a wasm actor",
            value: t.as_secs_f64() * 1e6 / spawns as f64,
            unit: "us",
            better: Better::Lower,
            budget: Budget::Absolute(10.0),
            otp: None,
        });
    }
    if want("ping") {
        let t = timed(&rt, &app, "bench:ping_pong", &[pings]);
        report(&Figure {
            name: "ping-pong round trip, Lua <-> wasm",
            value: t.as_secs_f64() * 1e6 / pings as f64,
            unit: "us",
            better: Better::Lower,
            budget: Budget::Absolute(1.5),
            otp: None,
        });
    }
    if want("live") {
        let (bytes, count, elapsed) = live_actors(&rt, &app, live);
        report(&Figure {
            name: &format!("live wasm actors at once (of {live} spawned)"),
            value: count as f64,
            unit: "procs",
            better: Better::Higher,
            budget: Budget::Absolute(live as f64),
            otp: None,
        });
        report(&Figure {
            name: &format!("memory per live wasm actor ({count} live)"),
            value: bytes,
            unit: "B",
            better: Better::Lower,
            budget: Budget::None,
            otp: None,
        });
        println!(
            "  ({live} actors spawned, each answered a message and is blocked in receive, in {:.0} ms)",
            elapsed.as_secs_f64() * 1e3
        );
    }
    if want("calls") {
        for (mode, name) in [
            ("hostcalls", "sync host call from wasm (trivial)"),
            ("asynccalls", "async host call from wasm (receive, 0 ms)"),
        ] {
            let v = rt.block_on(async {
                let args = vec![Value::str(mode), Value::str(calls.to_string())];
                match app.exec("bench:host_calls", args).await {
                    Ok(Ok(Value::Float(f))) => f,
                    Ok(Ok(Value::Int(i))) => i as f64,
                    other => panic!("host_calls {mode}: {other:?}"),
                }
            });
            report(&Figure {
                name,
                value: v / 1e3,
                unit: "us",
                better: Better::Lower,
                budget: Budget::None,
                otp: None,
            });
        }
    }
    app.shutdown();
}

/// Spawn `n` wasm actors that each answer one message and stay blocked in receive
/// (`bench:idle_spawn`); the RSS growth per actor, the actors live at once and the time
/// until all had answered. Then stop them and wait until all have ended.
fn live_actors(rt: &tokio::runtime::Runtime, app: &App, n: u64) -> (f64, u64, Duration) {
    rt.block_on(async {
        let base = settled_process_count(app).await;
        let before = rss_bytes();
        let t0 = Instant::now();
        let exec = app.exec("bench:idle_spawn", vec![Value::str(n.to_string())]);
        tokio::pin!(exec);
        let deadline = Instant::now() + Duration::from_secs(300);
        // The driver registers its name once every actor has answered.
        while app.node.lookup_name("idle_driver").is_none() {
            tokio::select! {
                r = &mut exec => panic!("idle driver ended early: {:?}", r.map(|r| r.map(|v| v.display()))),
                _ = tokio::time::sleep(Duration::from_millis(20)) => {}
            }
            assert!(Instant::now() < deadline, "the wasm actors did not start in time");
        }
        let elapsed = t0.elapsed();
        let after = rss_bytes();
        // Everything but the driver.
        let live = app.node.process_count().saturating_sub(base + 1) as u64;
        if let Err(e) = app.node.send(None, "idle_driver", "release", Value::Nil) {
            panic!("cannot release the actors: {e}");
        }
        match exec.await {
            Ok(Ok(_)) => {}
            other => panic!("idle driver failed: {:?}", other.map(|r| r.map(|v| v.display()))),
        }
        while app.node.process_count() > base {
            tokio::time::sleep(Duration::from_millis(20)).await;
            assert!(Instant::now() < deadline, "the wasm actors did not end in time");
        }
        ((after - before) / n as f64, live, elapsed)
    })
}
