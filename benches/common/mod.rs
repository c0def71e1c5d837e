//! Helpers shared by the benchmarks: run an entry in a booted node, time it, read the RSS,
//! print one figure beside its budget (and the Erlang reference when there is one).

#![allow(dead_code)]

use std::time::{Duration, Instant};

use troupe::App;
use troupe_kernel::Value;

/// Boot `benches/apps/<name>` and a current-thread tokio runtime to drive it; exits the
/// bench with a message if the app does not boot.
pub fn boot(name: &str) -> (App, tokio::runtime::Runtime) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches/apps")
        .join(name);
    let app = match App::open(&dir) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("cannot boot {}: {e}", dir.display());
            std::process::exit(1);
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    (app, rt)
}

pub async fn run(app: &App, entry: &str, args: &[u64]) -> Value {
    let args = args.iter().map(|n| Value::str(n.to_string())).collect();
    match app.exec(entry, args).await {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => panic!("{entry} failed: {e}"),
        Err(e) => panic!("{entry} could not start: {e}"),
    }
}

pub fn timed(rt: &tokio::runtime::Runtime, app: &App, entry: &str, args: &[u64]) -> Duration {
    let t0 = Instant::now();
    rt.block_on(run(app, entry, args));
    t0.elapsed()
}

pub fn rss_bytes() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0
}

/// Print one figure: value, unit, budget, the Erlang figure and ratio when given.
#[allow(clippy::too_many_arguments)]
pub fn report(
    name: &str,
    value: f64,
    unit: &str,
    budget: &str,
    limit: f64,
    higher_is_better: bool,
    erl: Option<&f64>,
) {
    let ok = if higher_is_better {
        value >= limit
    } else {
        value <= limit
    };
    let erl_s = erl
        .map(|e| format!("{e:.3} {unit}"))
        .unwrap_or_else(|| "-".into());
    let ratio = match erl {
        Some(e) if *e > 0.0 => format!(
            "{:.2}x",
            if higher_is_better {
                e / value
            } else {
                value / e
            }
        ),
        _ => "(erl not found)".into(),
    };
    println!(
        "{:<44} {:>12.3} {:<6} {:<16} {:>14}  {}  {}",
        name,
        value,
        unit,
        budget,
        erl_s,
        ratio,
        if ok { "within budget" } else { "OVER BUDGET" }
    );
}
