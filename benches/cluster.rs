//! `cargo bench --bench cluster`: the remote rows of SPEC §9, between two `troupe run`
//! nodes on loopback (`benches/apps/cluster`), side by side with two Erlang/OTP nodes
//! (`erl -name`, a cookie, `benches/erlang/troupe_cluster_bench.erl`) in the same run:
//!
//! - remote ping-pong round trip, Lua ↔ Lua (µs, ≤ 1.5× OTP);
//! - remote one-way throughput, one sender → one receiver (messages/s, ≥ 1.0× OTP).
//!
//! The figures are measured inside the sending process (its clock around the loop), after
//! 1,000 warm-up round trips. `TROUPE_BENCH_QUICK=1` runs a tenth of the work;
//! `TROUPE_BENCH_JSON=path` appends the figures as JSON lines (see `common::report`).

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Better, Budget, Figure, header, report};

/// How long one side may take before the bench gives up.
const LIMIT: Duration = Duration::from_secs(300);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Kills the child when dropped (the bench never leaves a node behind).
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Wait until a line of `child`'s output (stdout and stderr merged by the caller into
/// one reader) contains `needle`; the line.
fn line_with(reader: &mut impl BufRead, needle: &str) -> Option<String> {
    let t0 = Instant::now();
    let mut line = String::new();
    while t0.elapsed() < LIMIT {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return None,
            Ok(_) if line.contains(needle) => return Some(line.trim().to_string()),
            Ok(_) => {}
        }
    }
    None
}

/// `name value` pairs of a line such as `remote_ping_us 61.2 remote_oneway_per_s 9000`.
fn pairs(text: &str) -> HashMap<String, f64> {
    let words: Vec<&str> = text.split_whitespace().collect();
    words
        .windows(2)
        .filter_map(|w| Some((w[0].to_string(), w[1].parse::<f64>().ok()?)))
        .collect()
}

/// The two Troupe nodes: b runs `bench:echo`, a runs `bench:pinger PID n m`.
fn troupe(n: u64, m: u64) -> HashMap<String, f64> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/apps/cluster");
    let (pa, pb) = (free_port(), free_port());
    let cookie = "troupe-bench";
    let start = |name: &str, port: u16, join: Option<u16>, exec: &[String]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_troupe"));
        c.arg("run")
            .arg(&dir)
            .args(["--node", name, "--listen", &format!("127.0.0.1:{port}")]);
        if let Some(j) = join {
            c.args(["--join", &format!("127.0.0.1:{j}")]);
        }
        c.arg("-x")
            .args(exec)
            .env("TROUPE_COOKIE", cookie)
            .env("RUST_LOG", "warn,lua=info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Reaped(c.spawn().expect("start troupe"))
    };
    let mut b = start("b", pb, None, &["bench:echo".into()]);
    // Lua's print goes to the log (stderr), at info level (`lua=info`).
    let mut b_err = BufReader::new(b.0.stderr.take().expect("stderr"));
    let Some(l) = line_with(&mut b_err, "receiver-pid") else {
        panic!("node b did not start");
    };
    let pid = l[l.find("receiver-pid ").expect("pid") + 13..]
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    // Keep b's log drained so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in b_err.lines() {});
    let mut a = start(
        "a",
        pa,
        Some(pb),
        &["bench:pinger".into(), pid, n.to_string(), m.to_string()],
    );
    let mut out = BufReader::new(a.0.stdout.take().expect("stdout"));
    let Some(result) = line_with(&mut out, "remote_ping_us") else {
        let mut err = String::new();
        let _ = std::io::Read::read_to_string(&mut a.0.stderr.take().expect("stderr"), &mut err);
        panic!("node a failed:\n{err}");
    };
    pairs(&result)
}

/// The two OTP nodes, when `erl` is installed.
fn otp(n: u64, m: u64) -> HashMap<String, f64> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/erlang");
    let outdir = std::env::temp_dir().join("troupe-bench-erl");
    let _ = std::fs::create_dir_all(&outdir);
    let compiled = Command::new("erlc")
        .arg("-o")
        .arg(&outdir)
        .arg(src.join("troupe_cluster_bench.erl"))
        .status();
    if !matches!(compiled, Ok(s) if s.success()) {
        println!(
            "(erlc/erl not found: Erlang reference skipped; install with `apt-get install -y erlang-nox`)"
        );
        return HashMap::new();
    }
    let erl = |name: &str, run: &[String]| {
        Command::new("erl")
            .args([
                "-name",
                &format!("{name}@127.0.0.1"),
                "-setcookie",
                "troupe-bench",
            ])
            .args(["-noshell", "-pa"])
            .arg(&outdir)
            .args(["-run", "troupe_cluster_bench"])
            .args(run)
            // epmd on loopback only.
            .env("ERL_EPMD_ADDRESS", "127.0.0.1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map(Reaped)
    };
    let Ok(mut b) = erl("trb", &["echo".into()]) else {
        return HashMap::new();
    };
    let mut b_out = BufReader::new(b.0.stdout.take().expect("stdout"));
    if line_with(&mut b_out, "ready").is_none() {
        println!("(the OTP echo node did not start: Erlang reference skipped)");
        return HashMap::new();
    }
    let Ok(mut a) = erl(
        "tra",
        &[
            "ping".into(),
            "trb@127.0.0.1".into(),
            n.to_string(),
            m.to_string(),
        ],
    ) else {
        return HashMap::new();
    };
    // The whole output: the node halts after printing.
    let mut out = String::new();
    if let Some(mut o) = a.0.stdout.take() {
        let _ = std::io::Read::read_to_string(&mut o, &mut out);
    }
    pairs(&out)
}

fn main() {
    let quick = std::env::var("TROUPE_BENCH_QUICK").is_ok_and(|v| v == "1");
    let (n, m) = if quick {
        (2_000, 20_000)
    } else {
        (20_000, 200_000)
    };
    let erl = otp(n, m);
    let ours = troupe(n, m);
    header();
    report(&Figure {
        name: "remote ping-pong round trip, 2 nodes on loopback",
        value: ours.get("remote_ping_us").copied().unwrap_or(f64::NAN),
        unit: "us",
        better: Better::Lower,
        budget: Budget::Otp {
            ratio: 1.5,
            orientation: None,
        },
        otp: erl.get("remote_ping_us").copied(),
    });
    report(&Figure {
        name: "remote one-way throughput, 1 sender -> 1 receiver",
        value: ours.get("remote_oneway_per_s").copied().unwrap_or(f64::NAN),
        unit: "msgs/s",
        better: Better::Higher,
        budget: Budget::Otp {
            ratio: 1.0,
            orientation: None,
        },
        otp: erl.get("remote_oneway_per_s").copied(),
    });
}
