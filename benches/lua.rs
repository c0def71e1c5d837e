//! SPEC §9 benchmarks for Lua processes. Run with `cargo bench --bench lua`.
//!
//! Each workload lives in `benches/apps/lua/_index.yaml` and runs inside a real node; the
//! harness times the whole call from outside. When `erl` is on PATH the same workloads run
//! on Erlang/OTP (`benches/erlang/troupe_bench.erl`) in the same invocation and the ratio
//! is printed. `TROUPE_BENCH_QUICK=1` shrinks the sizes for a smoke run;
//! `TROUPE_BENCH_ONLY=spawn,idle,ping,ring,sleepers,sleep0,restart` picks figures.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{boot, report, rss_bytes, run, timed};
use troupe::App;
use troupe_kernel::Value;

struct Sizes {
    spawn: u64,
    idle: u64,
    ping: u64,
    ring_n: u64,
    ring_r: u64,
    sleepers: u64,
    sleep_ms: u64,
    sleep0: u64,
    /// Kept small: OTP's supervisor keeps every restart within `period` in a list it
    /// walks on each restart, so its per-restart cost grows with the count (11 us at
    /// 1,000, 134 us at 20,000 on this machine); Troupe's window is a deque.
    restarts: u64,
}

fn main() {
    let quick = std::env::var("TROUPE_BENCH_QUICK").is_ok_and(|v| v == "1");
    let s = if quick {
        Sizes {
            spawn: 10_000,
            idle: 10_000,
            ping: 20_000,
            ring_n: 1_000,
            ring_r: 10,
            sleepers: 10_000,
            sleep_ms: 50,
            sleep0: 100_000,
            restarts: 500,
        }
    } else {
        Sizes {
            spawn: 100_000,
            idle: 100_000,
            ping: 200_000,
            ring_n: 10_000,
            ring_r: 100,
            sleepers: 10_000,
            sleep_ms: 50,
            sleep0: 1_000_000,
            restarts: 2_000,
        }
    };
    let (app, rt) = boot("lua");
    let erl = erlang(&s);
    println!(
        "{:<44} {:>12}  {:<16} {:>14}  troupe/erlang",
        "figure", "troupe", "budget", "erlang"
    );

    let only = std::env::var("TROUPE_BENCH_ONLY").unwrap_or_default();
    let want = |name: &str| only.is_empty() || only.split(',').any(|o| o == name);

    // Warm the worker VMs so compile and VM creation are not in the figures.
    rt.block_on(run(&app, "bench:spawn_exit", &[2000]));

    if want("spawn") {
        let t = timed(&rt, &app, "bench:spawn_exit", &[s.spawn]);
        report(
            "spawn + exit of a trivial Lua process",
            t.as_secs_f64() * 1e6 / s.spawn as f64,
            "us",
            "<= 5 us",
            5.0,
            false,
            erl.get("spawn_exit_us"),
        );
    }

    if want("idle") {
        let bytes = idle_memory(&rt, &app, s.idle);
        report(
            "memory per idle Lua process",
            bytes,
            "B",
            "<= 4096 B",
            4096.0,
            false,
            erl.get("idle_bytes"),
        );
    }

    if want("ping") {
        let t = timed(&rt, &app, "bench:ping_pong", &[s.ping]);
        report(
            "ping-pong round trip, Lua <-> Lua",
            t.as_secs_f64() * 1e6 / s.ping as f64,
            "us",
            "<= 2 us",
            2.0,
            false,
            erl.get("ping_pong_us"),
        );
    }

    if want("ring") {
        let t = timed(&rt, &app, "bench:ring", &[s.ring_n, s.ring_r]);
        let hops = (s.ring_n * s.ring_r) as f64 / t.as_secs_f64();
        report(
            &format!("ring {} x {} (hops/s)", s.ring_n, s.ring_r),
            hops,
            "hops/s",
            ">= 1000000",
            1e6,
            true,
            erl.get("ring_hops_per_s"),
        );
    }

    if want("sleepers") {
        let t = timed(&rt, &app, "bench:sleepers", &[s.sleepers, s.sleep_ms]);
        report(
            &format!("{} processes sleeping {} ms (wall)", s.sleepers, s.sleep_ms),
            t.as_secs_f64() * 1e3,
            "ms",
            "< 1000 ms",
            1000.0,
            false,
            erl.get("sleepers_ms"),
        );
    }

    if want("sleep0") {
        let t = timed(&rt, &app, "bench:sleep0", &[s.sleep0]);
        report(
            "async host call (time.sleep(0)) round trip",
            t.as_secs_f64() * 1e6 / s.sleep0 as f64,
            "us",
            "<= 1 us",
            1.0,
            false,
            erl.get("sleep0_us"),
        );
    }

    if want("restart") {
        let t = timed(&rt, &app, "bench:restart", &[s.restarts]);
        report(
            "crash -> restarted child running (one_for_one)",
            t.as_secs_f64() * 1e6 / s.restarts as f64,
            "us",
            "<= 50 us",
            50.0,
            false,
            erl.get("restart_us"),
        );
    }

    app.shutdown();
}

/// Spawn `n` processes blocked in receive, measure the RSS growth, then release them.
fn idle_memory(rt: &tokio::runtime::Runtime, app: &App, n: u64) -> f64 {
    rt.block_on(async {
        let base_count = app.node.process_count();
        let before = rss_bytes();
        let entry = "bench:idle_spawn";
        let args = vec![Value::str(n.to_string())];
        let exec = app.exec(entry, args);
        tokio::pin!(exec);
        let after;
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            tokio::select! {
                r = &mut exec => panic!("idle driver ended early: {:?}", r.map(|r| r.map(|v| v.display()))),
                _ = tokio::time::sleep(Duration::from_millis(50)) => {}
            }
            if app.node.process_count() > base_count + n as usize && app.node.lookup_name("idle_driver").is_some() {
                tokio::select! {
                    r = &mut exec => panic!("idle driver ended early: {:?}", r.map(|r| r.map(|v| v.display()))),
                    _ = tokio::time::sleep(Duration::from_millis(300)) => {}
                }
                after = rss_bytes();
                break;
            }
            assert!(Instant::now() < deadline, "idle processes did not start in time");
        }
        if let Err(e) = app.node.send(None, "idle_driver", "release", Value::Nil) {
            panic!("cannot release idle processes: {e}");
        }
        let _ = exec.await;
        (after - before) / n as f64
    })
}

/// Run the Erlang reference if `erl` is installed; `name -> value`.
fn erlang(s: &Sizes) -> HashMap<String, f64> {
    let mut out = HashMap::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/erlang");
    let outdir = std::env::temp_dir().join("troupe-bench-erl");
    let _ = std::fs::create_dir_all(&outdir);
    let compiled = std::process::Command::new("erlc")
        .arg("-o")
        .arg(&outdir)
        .arg(src.join("troupe_bench.erl"))
        .status();
    match compiled {
        Ok(st) if st.success() => {}
        _ => {
            println!(
                "(erlc/erl not found: Erlang reference skipped; install with `apt-get install -y erlang-nox`)"
            );
            return out;
        }
    }
    let args = [
        s.spawn, s.idle, s.ping, s.ring_n, s.ring_r, s.sleepers, s.sleep_ms, s.sleep0, s.restarts,
    ]
    .map(|n| n.to_string());
    let res = std::process::Command::new("erl")
        .arg("-noshell")
        .arg("-pa")
        .arg(&outdir)
        .args(["-run", "troupe_bench", "main"])
        .args(&args)
        .output();
    if let Ok(o) = res {
        for line in String::from_utf8_lossy(&o.stdout).lines() {
            if let Some((k, v)) = line.split_once(' ')
                && let Ok(v) = v.trim().parse::<f64>()
            {
                out.insert(k.to_string(), v);
            }
        }
    }
    out
}
