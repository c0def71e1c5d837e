//! Helpers shared by the benchmarks: boot a bench app and run an entry in it, time it, read
//! the RSS and per-thread CPU time, and [`report`] one figure: a printed line beside its
//! SPEC §9 budget and the Erlang/OTP figure, and (when `TROUPE_BENCH_JSON=path` is set) one
//! JSON object appended to `path`.

#![allow(dead_code)]

use std::io::Write;
use std::time::{Duration, Instant};

use troupe::App;
use troupe_kernel::{SpawnRequest, Value};

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

/// Run `entry` on the app's default host with `args` (as strings) and return its result;
/// panics (ending the bench) when it fails.
pub async fn run(app: &App, entry: &str, args: &[u64]) -> Value {
    let args = args.iter().map(|n| Value::str(n.to_string())).collect();
    match app.exec(entry, args).await {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => panic!("{entry} failed: {e}"),
        Err(e) => panic!("{entry} could not start: {e}"),
    }
}

/// [`run`] timed from outside, wall clock.
pub fn timed(rt: &tokio::runtime::Runtime, app: &App, entry: &str, args: &[u64]) -> Duration {
    let _watch = Watchdog::start(app, entry);
    let t0 = Instant::now();
    rt.block_on(run(app, entry, args));
    t0.elapsed()
}

/// How long a figure may run before [`Watchdog`] prints the node's processes:
/// `TROUPE_BENCH_WATCHDOG` seconds, 120 by default (every figure takes a few seconds).
fn watchdog_after() -> Duration {
    let secs = std::env::var("TROUPE_BENCH_WATCHDOG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120);
    Duration::from_secs(secs)
}

/// While alive, a thread that prints every live process (PID, entry, mailbox length,
/// steps) to stderr if the figure is still running after [`watchdog_after`]: a hung
/// figure says who waits with mail queued and who waits with none.
pub struct Watchdog {
    done: Option<std::sync::mpsc::Sender<()>>,
}

impl Watchdog {
    pub fn start(app: &App, figure: &str) -> Watchdog {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let node = app.node.clone();
        let figure = figure.to_string();
        let after = watchdog_after();
        std::thread::spawn(move || {
            if rx.recv_timeout(after) != Err(std::sync::mpsc::RecvTimeoutError::Timeout) {
                return;
            }
            eprintln!("watchdog: {figure} still running after {after:?}; live processes:");
            for host in node.hosts() {
                for p in node.processes_on(&host.id, 200) {
                    eprintln!(
                        "  {} {} queued={} steps={} yielded={} alive={}",
                        p.pid,
                        p.entry,
                        p.queued(),
                        p.steps.load(std::sync::atomic::Ordering::Relaxed),
                        p.yielded.load(std::sync::atomic::Ordering::Relaxed),
                        p.is_alive(),
                    );
                }
            }
        });
        Watchdog { done: Some(tx) }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if let Some(tx) = self.done.take() {
            let _ = tx.send(());
        }
    }
}

/// Spawn `count` processes of `entry` on `host` from the bench's own thread (not a worker,
/// so the host places them round-robin over its workers), wait until every one has exited
/// normally and return the wall time from the first spawn to the last exit.
pub fn timed_spread(
    rt: &tokio::runtime::Runtime,
    app: &App,
    entry: &str,
    host: &str,
    count: usize,
    args: &[u64],
) -> Duration {
    rt.block_on(async {
        let t0 = Instant::now();
        let mut exits = Vec::with_capacity(count);
        for _ in 0..count {
            let req = SpawnRequest {
                entry: entry.to_string(),
                host: host.to_string(),
                args: args.iter().map(|n| Value::str(n.to_string())).collect(),
                ..Default::default()
            };
            match app.node.spawn(None, req, true) {
                Ok((_, Some(rx))) => exits.push(rx),
                Ok((_, None)) => panic!("{entry}: no exit receiver"),
                Err(e) => panic!("{entry} could not start on {host}: {e}"),
            }
        }
        for rx in exits {
            // A lost exit reads as a `shutdown` error (`ExitWatch`).
            if let Err(e) = rx.await {
                panic!("{entry} failed: {e}");
            }
        }
        t0.elapsed()
    })
}

/// The node's process count once it has stopped changing for 100 ms (processes of an
/// earlier figure may still be ending), waiting at most 10 s.
pub async fn settled_process_count(app: &App) -> usize {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut count = app.node.process_count();
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = app.node.process_count();
        if now == count || Instant::now() > deadline {
            return now;
        }
        count = now;
    }
}

/// Resident set size of this process, bytes (`/proc/self/statm`; 0 when unreadable).
pub fn rss_bytes() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0
}

/// CPU time (user + system, seconds) of each thread of this process whose name starts
/// with `prefix` (worker threads are named `<host id>#<index>`, truncated by Linux to 15
/// bytes), as `(name, seconds)` sorted by name. Resolution: one clock tick (10 ms).
pub fn thread_cpu(prefix: &str) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return out;
    };
    for t in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(t.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ...`: comm may hold spaces; fields after it are plain.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = &stat[open + 1..close];
        if !name.starts_with(prefix) {
            continue;
        }
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        // After the comm, index 0 is field 3 (state); utime is field 14, stime 15.
        let tick = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
        if let (Some(u), Some(s)) = (tick(11), tick(12)) {
            out.push((name.to_string(), (u + s) / 100.0));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Which way a figure is good.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// Times, bytes: smaller is better; the budget is an upper bound.
    Lower,
    /// Throughputs, counts: larger is better; the budget is a lower bound.
    Higher,
}

/// The budget of a figure, as the SPEC §9 table gives it.
#[derive(Clone, Copy)]
pub enum Budget {
    /// A ratio to the OTP figure measured in the same run (`ratio` = Troupe / OTP; an upper
    /// bound for [`Better::Lower`], a lower bound for [`Better::Higher`]). Without `erl`
    /// the verdict falls back to the table's absolute `orientation` figure (same unit as
    /// the value) when it gives one, and is unknown otherwise.
    Otp {
        ratio: f64,
        orientation: Option<f64>,
    },
    /// An absolute bound in the figure's unit (rows whose ratio column is "—").
    Absolute(f64),
    /// Not a SPEC §9 row: printed for information, no verdict.
    None,
}

/// One measured figure.
pub struct Figure<'a> {
    /// The line's label; also the `figure` key of the JSON object.
    pub name: &'a str,
    pub value: f64,
    /// `us`, `ms`, `B`, `hops/s`, `x`, `processes`, …
    pub unit: &'a str,
    pub better: Better,
    pub budget: Budget,
    /// The same workload on Erlang/OTP in this run, same unit; `None` when `erl` is absent
    /// or the figure has no OTP counterpart.
    pub otp: Option<f64>,
}

/// What the verdict of a figure was decided from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Basis {
    /// The ratio to OTP in this run.
    Otp,
    /// The absolute orientation figure (no `erl`).
    Orientation,
    /// An absolute budget.
    Absolute,
    /// No verdict possible (no budget, or a ratio budget without `erl` or orientation).
    None,
}

impl Basis {
    fn as_str(self) -> &'static str {
        match self {
            Basis::Otp => "otp",
            Basis::Orientation => "orientation",
            Basis::Absolute => "absolute",
            Basis::None => "none",
        }
    }
}

/// The printed header matching [`report`]'s columns, after the machine's load average
/// (the figures of a shared machine are only comparable within one run).
pub fn header() {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("(load average {} on {cores} cores)", load.join(" "));
    println!(
        "{:<48} {:>14} {:<9} {:<22} {:>14} {:>8}  verdict",
        "figure", "troupe", "unit", "budget (SPEC §9)", "otp", "ratio"
    );
}

/// `12.5`, `1000000`, `0.3`: the shortest form of a bound.
fn bound(v: f64) -> String {
    format!("{v}")
}

/// The budget as the SPEC writes it: `<= 1.5x OTP`, `>= 0.5x OTP`, `<= 10 us`, `-`.
fn budget_text(f: &Figure) -> String {
    let op = match f.better {
        Better::Lower => "<=",
        Better::Higher => ">=",
    };
    match f.budget {
        Budget::Otp { ratio, .. } => format!("{op} {}x OTP", bound(ratio)),
        Budget::Absolute(b) if f.unit == "x" => format!("{op} {}x", bound(b)),
        Budget::Absolute(b) => format!("{op} {} {}", bound(b), f.unit),
        Budget::None => "-".into(),
    }
}

fn meets(better: Better, value: f64, limit: f64) -> bool {
    match better {
        Better::Lower => value <= limit,
        Better::Higher => value >= limit,
    }
}

/// Print one figure and, when `TROUPE_BENCH_JSON` names a file, append one JSON line to it:
/// `{"figure", "value", "unit", "budget", "otp", "ratio", "within_budget", "basis"}`.
/// `ratio` is Troupe / OTP (null without an OTP figure); `within_budget` is null when no
/// verdict is possible; `basis` says what decided it (`otp`, `orientation` when `erl` is
/// absent, `absolute`, `none`). A file that cannot be written is reported on stderr once
/// per figure and does not stop the bench.
pub fn report(f: &Figure) {
    let otp = f.otp.filter(|o| o.is_finite() && *o > 0.0);
    let ratio = otp.map(|o| f.value / o);
    let (within, basis) = match (f.budget, ratio) {
        (Budget::Otp { ratio: r, .. }, Some(x)) => (Some(meets(f.better, x, r)), Basis::Otp),
        (
            Budget::Otp {
                orientation: Some(o),
                ..
            },
            None,
        ) => (Some(meets(f.better, f.value, o)), Basis::Orientation),
        (Budget::Otp { .. }, None) => (None, Basis::None),
        (Budget::Absolute(b), _) => (Some(meets(f.better, f.value, b)), Basis::Absolute),
        (Budget::None, _) => (None, Basis::None),
    };
    let budget = budget_text(f);
    let orientation = match f.budget {
        Budget::Otp {
            orientation: Some(o),
            ..
        } => budget_text(&Figure {
            budget: Budget::Absolute(o),
            ..*f
        }),
        _ => String::new(),
    };
    let verdict = match (within, basis) {
        (Some(true), Basis::Orientation) => {
            format!("within budget (no erl: judged on the orientation figure {orientation})")
        }
        (Some(false), Basis::Orientation) => {
            format!("OVER BUDGET (no erl: judged on the orientation figure {orientation})")
        }
        (Some(true), _) => "within budget".into(),
        (Some(false), _) => "OVER BUDGET".into(),
        (None, _) if matches!(f.budget, Budget::Otp { .. }) => "no verdict (needs erl)".into(),
        (None, _) => "-".into(),
    };
    println!(
        "{:<48} {:>14.3} {:<9} {:<22} {:>14} {:>8}  {}",
        f.name,
        f.value,
        f.unit,
        budget,
        otp.map(|o| format!("{o:.3}")).unwrap_or_else(|| "-".into()),
        ratio
            .map(|r| format!("{r:.2}x"))
            .unwrap_or_else(|| "-".into()),
        verdict
    );
    let Ok(path) = std::env::var("TROUPE_BENCH_JSON") else {
        return;
    };
    if path.is_empty() {
        return;
    }
    let line = serde_json::json!({
        "figure": f.name,
        "value": f.value,
        "unit": f.unit,
        "budget": budget,
        "otp": otp,
        "ratio": ratio,
        "within_budget": within,
        "basis": basis.as_str(),
    });
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| writeln!(file, "{line}"));
    if let Err(e) = written {
        eprintln!("cannot append to TROUPE_BENCH_JSON={path}: {e}");
    }
}
