//! Running the real `troupe` binary with JSON logs, for tests that assert on the log.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long one run may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// A finished `troupe` run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// The JSON log records, in order.
    pub log: Vec<Value>,
}

/// Run `troupe --log-format json ARGS…` to completion (killed after [`TIMEOUT`]).
pub fn troupe(args: &[&str]) -> Run {
    troupe_env(args, &[])
}

/// [`troupe`] with extra environment variables.
pub fn troupe_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_troupe"))
        .arg("--log-format")
        .arg("json")
        .args(args)
        .env("RUST_LOG", "info")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start troupe");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let o = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let e = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let stderr = e.join().unwrap_or_default();
            panic!("troupe {args:?} did not finish within {TIMEOUT:?}\n{stderr}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = o.join().unwrap_or_default();
    let stderr = e.join().unwrap_or_default();
    let log = stderr
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    Run {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
        log,
    }
}
