//! SPEC §9 benchmarks for wasm processes. Run with `cargo bench --bench wasm`.
//!
//! The workloads live in `benches/apps/wasm/_index.yaml` and drive the test actor
//! (`tests/guests/actor`, a Rust guest built for wasm32-wasip2) from Lua inside a real
//! node. `TROUPE_BENCH_QUICK=1` shrinks the sizes; `TROUPE_BENCH_ONLY=spawn,ping,live,calls`
//! picks figures.

mod common;

use std::time::{Duration, Instant};

use common::{boot, report, rss_bytes, run, timed};
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
    println!("{:<44} {:>12}  {:<16}", "figure", "troupe", "budget");
    let only = std::env::var("TROUPE_BENCH_ONLY").unwrap_or_default();
    let want = |name: &str| only.is_empty() || only.split(',').any(|o| o == name);

    // Warm up: the pool's first slots, the Lua VMs.
    rt.block_on(run(&app, "bench:spawn_first_message", &[200]));

    if want("spawn") {
        let t = timed(&rt, &app, "bench:spawn_first_message", &[spawns]);
        report(
            "spawn + first message of a wasm actor",
            t.as_secs_f64() * 1e6 / spawns as f64,
            "us",
            "<= 15 us",
            15.0,
            false,
            None,
        );
    }
    if want("ping") {
        let t = timed(&rt, &app, "bench:ping_pong", &[pings]);
        report(
            "ping-pong round trip, Lua <-> wasm",
            t.as_secs_f64() * 1e6 / pings as f64,
            "us",
            "<= 4 us",
            4.0,
            false,
            None,
        );
    }
    if want("live") {
        let (bytes, elapsed) = live_actors(&rt, &app, live);
        report(
            &format!("memory per live wasm actor ({live} live)"),
            bytes,
            "B",
            "10,000 fit",
            f64::INFINITY,
            false,
            None,
        );
        println!(
            "  ({live} actors spawned and blocked in receive in {:.0} ms)",
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
            report(name, v / 1e3, "us", "<= 1 us overhead", 1.0, false, None);
        }
    }
    app.shutdown();
}

/// Spawn `n` wasm actors blocked in receive; the RSS growth per actor and the time taken.
fn live_actors(rt: &tokio::runtime::Runtime, app: &App, n: u64) -> (f64, Duration) {
    rt.block_on(async {
        let base = app.node.process_count();
        let before = rss_bytes();
        let t0 = Instant::now();
        let exec = app.exec("bench:idle_spawn", vec![Value::str(n.to_string())]);
        tokio::pin!(exec);
        let deadline = Instant::now() + Duration::from_secs(300);
        let (after, elapsed) = loop {
            tokio::select! {
                r = &mut exec => panic!("idle driver ended early: {:?}", r.map(|r| r.map(|v| v.display()))),
                _ = tokio::time::sleep(Duration::from_millis(20)) => {}
            }
            if app.node.process_count() > base + n as usize && app.node.lookup_name("idle_driver").is_some() {
                let elapsed = t0.elapsed();
                tokio::select! {
                    r = &mut exec => panic!("idle driver ended early: {:?}", r.map(|r| r.map(|v| v.display()))),
                    _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                }
                break (rss_bytes(), elapsed);
            }
            assert!(Instant::now() < deadline, "the wasm actors did not start in time");
        };
        if let Err(e) = app.node.send(None, "idle_driver", "release", Value::Nil) {
            panic!("cannot release the actors: {e}");
        }
        let _ = exec.await;
        ((after - before) / n as f64, elapsed)
    })
}
