//! End-to-end tests of top-level services and of the examples, through the real binary:
//! restart with growing backoff, final normal exit, `max_attempts`, `requires` order, and
//! graceful shutdown on SIGINT (cancel, wait `stop_timeout`, terminate; dependants first).

use std::process::{Command, Stdio};
use std::time::Duration;

/// `troupe run examples/<name> -x ARGS…` to completion; asserts success and returns
/// (stdout, stderr).
fn run_example(name: &str, args: &[&str]) -> (String, String) {
    let dir = format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_troupe"))
        .args(["run", &dir, "-x"])
        .args(args)
        .output()
        .expect("run troupe");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    (stdout, stderr)
}

/// Run `troupe run DIR`, send SIGINT after `after`, return (exit code, stderr).
fn run_then_interrupt(dir: &str, after: Duration) -> (i32, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_troupe"))
        .args(["run", dir])
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start troupe");
    std::thread::sleep(after);
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn lines_with<'a>(log: &'a str, needles: &[&str]) -> Vec<&'a str> {
    log.lines()
        .filter(|l| needles.iter().all(|n| l.contains(n)))
        .collect()
}

#[test]
fn services_restart_stop_and_shut_down_in_order() {
    let dir = format!("{}/tests/apps/services", env!("CARGO_MANIFEST_DIR"));
    let (code, log) = run_then_interrupt(&dir, Duration::from_millis(1500));
    assert_eq!(code, 0, "{log}");

    // Restarts with delays growing 50ms, 100ms, 200ms, then a final failed state.
    let delays: Vec<_> = lines_with(&log, &["service restarting after backoff", "svc:crasher"]);
    assert_eq!(delays.len(), 3, "{log}");
    assert!(
        delays[0].contains("attempt=1") && delays[0].contains("delay=50ms"),
        "{}",
        delays[0]
    );
    assert!(
        delays[1].contains("attempt=2") && delays[1].contains("delay=100ms"),
        "{}",
        delays[1]
    );
    assert!(
        delays[2].contains("attempt=3") && delays[2].contains("delay=200ms"),
        "{}",
        delays[2]
    );
    assert_eq!(
        lines_with(&log, &["service failed permanently", "svc:crasher"]).len(),
        1,
        "{log}"
    );
    // Each run had its own PID.
    let starts = lines_with(&log, &["service started", "svc:crasher"]);
    assert_eq!(starts.len(), 4, "{log}");
    let pids: std::collections::HashSet<_> = starts
        .iter()
        .filter_map(|l| l.split("pid=").nth(1))
        .collect();
    assert_eq!(pids.len(), 4, "{log}");

    // A normal exit is final.
    assert_eq!(
        lines_with(
            &log,
            &[
                "service exited normally; not restarted",
                "svc:done",
                "finished"
            ]
        )
        .len(),
        1,
        "{log}"
    );
    assert!(
        lines_with(&log, &["service restarting", "svc:done"]).is_empty(),
        "{log}"
    );

    // requires: polite starts after stubborn and stops before it.
    let pos = |needles: &[&str]| {
        log.lines()
            .position(|l| needles.iter().all(|n| l.contains(n)))
    };
    let started_stubborn = pos(&["service started", "svc:stubborn"]).expect("stubborn started");
    let started_polite = pos(&["service started", "svc:polite"]).expect("polite started");
    assert!(started_stubborn < started_polite, "{log}");
    let stopped_polite = pos(&["service stopped", "svc:polite"]).expect("polite stopped");
    let stopped_stubborn = pos(&["service stopped", "svc:stubborn"]).expect("stubborn stopped");
    assert!(stopped_polite < stopped_stubborn, "{log}");
    // polite honoured the cancel; stubborn was terminated after its stop_timeout.
    assert!(
        log.lines()
            .nth(stopped_polite)
            .is_some_and(|l| l.contains("cancelled: shutdown")),
        "{log}"
    );
    assert_eq!(
        lines_with(&log, &["ignored cancel; terminating"]).len(),
        1,
        "{log}"
    );
    assert!(
        log.lines()
            .nth(stopped_stubborn)
            .is_some_and(|l| l.contains("terminated")),
        "{log}"
    );
}

#[test]
fn example_ping_pong_runs_under_x() {
    let (stdout, stderr) = run_example("ping-pong", &["app:main", "300"]);
    assert!(
        stdout.contains("300 round trips between ping and pong"),
        "{stdout}"
    );
    // The report is main's result, printed by `-x` (print is a log record, as Wippy).
    assert!(
        stdout
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("300 round trips between ping and pong in ")),
        "{stdout}"
    );
    assert!(
        stderr.contains("pong stopping") && stderr.contains("\"served\":300"),
        "{stderr}"
    );
}

#[test]
fn example_supervised_worker_restarts_with_growing_delays() {
    let dir = format!("{}/examples/supervised-worker", env!("CARGO_MANIFEST_DIR"));
    let (code, log) = run_then_interrupt(&dir, Duration::from_millis(2200));
    assert_eq!(code, 0, "{log}");
    let delays: Vec<_> = lines_with(&log, &["service restarting after backoff", "app:flaky"]);
    assert!(delays.len() >= 3, "{log}");
    assert!(
        delays[0].contains("delay=200ms")
            && delays[1].contains("delay=400ms")
            && delays[2].contains("delay=800ms"),
        "{log}"
    );
    assert!(
        !lines_with(&log, &["counter still running"]).is_empty(),
        "{log}"
    );
    assert!(
        !lines_with(&log, &["service stopped", "app:counter"]).is_empty(),
        "{log}"
    );
}

#[test]
fn example_supervision_tree_restarts_and_escalates() {
    let dir = format!("{}/examples/supervision-tree", env!("CARGO_MANIFEST_DIR"));
    let (code, log) = run_then_interrupt(&dir, Duration::from_millis(4500));
    assert_eq!(code, 0, "{log}");
    // The parser crashes; one_for_all restarts the whole pipeline with new PIDs.
    let crashes = lines_with(
        &log,
        &[
            "child exited with error",
            "child=app:parser",
            "bad record 7",
        ],
    );
    assert!(crashes.len() >= 4, "{log}");
    let reader_starts = lines_with(&log, &["child started", "child=app:reader"]);
    let pids: std::collections::HashSet<_> = reader_starts
        .iter()
        .filter_map(|l| l.split("pid=").nth(1))
        .collect();
    assert!(pids.len() >= 4, "{log}");
    // The 4th crash within 10 s escalates; the root restarts the pipeline.
    assert!(
        !lines_with(
            &log,
            &["restart intensity exceeded", "supervisor=app:pipeline"]
        )
        .is_empty(),
        "{log}"
    );
    assert!(
        !lines_with(
            &log,
            &[
                "child restarting",
                "supervisor=app:root",
                "child=app:pipeline"
            ]
        )
        .is_empty(),
        "{log}"
    );
    // The clock under the root is never restarted.
    assert_eq!(
        lines_with(&log, &["child started", "child=app:clock"]).len(),
        1,
        "{log}"
    );
    // Ctrl-C: the pipeline stops before the clock (reverse order), the root last.
    let pos = |needles: &[&str]| {
        let lines: Vec<&str> = log.lines().collect();
        lines
            .iter()
            .rposition(|l| needles.iter().all(|n| l.contains(n)))
            .unwrap_or_else(|| panic!("no {needles:?} in\n{log}"))
    };
    let pipeline = pos(&["child stopped", "supervisor=app:root", "child=app:pipeline"]);
    let clock = pos(&["child stopped", "supervisor=app:root", "child=app:clock"]);
    let root = pos(&["supervisor stopped", "supervisor=app:root"]);
    assert!(pipeline < clock && clock < root, "{log}");
}

#[test]
fn example_lua_wasm_pingpong_runs_under_x() {
    let (stdout, stderr) = run_example("lua-wasm-pingpong", &["app:main", "500"]);
    assert!(
        stdout.contains("500 round trips between Lua and wasm"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("500 round trips between Lua and wasm in ")),
        "{stdout}"
    );
    assert!(
        stderr.contains("wasm pong stopping after 500 pings"),
        "{stderr}"
    );
}

#[test]
fn example_wasm_workers_completes_while_a_worker_is_restarted() {
    let (stdout, log) = run_example("wasm-workers", &["app:report"]);
    // The corpus is fixed: every file is counted exactly once whatever the restart did.
    assert!(
        stdout.starts_with("24 files, 2629 lines, 23463 words counted by the wasm workers\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("most frequent words: again=85, host=70, count=62, next=58, intensity=56"),
        "{stdout}"
    );
    // The report is app:report's result, printed by `-x`: the per-worker lines add up to 24.
    let per_worker: u64 = stdout
        .lines()
        .filter_map(|l| {
            l.strip_prefix("  ")?
                .split(": ")
                .nth(1)?
                .strip_suffix(" files")
        })
        .filter_map(|n| n.parse::<u64>().ok())
        .sum();
    assert_eq!(per_worker, 24, "{stdout}");
    assert_eq!(
        stdout.lines().last(),
        Some("most frequent words: again=85, host=70, count=62, next=58, intensity=56"),
        "{stdout}"
    );
    // worker-2 was terminated on purpose and its supervisor restarted it under a new PID.
    let killed = lines_with(
        &log,
        &[
            "child exited with error",
            "child=app:worker_2",
            "error=terminated",
        ],
    );
    assert_eq!(killed.len(), 1, "{log}");
    let started = lines_with(&log, &["child started", "child=app:worker_2"]);
    assert_eq!(started.len(), 2, "worker-2 starts twice: {log}");
    assert_ne!(pid_of(started[0]), pid_of(started[1]));
    assert_eq!(lines_with(&log, &["worker-2 ready"]).len(), 2, "{log}");
    // Every job finished; none was lost with the dead worker.
    assert_eq!(lines_with(&log, &["job done"]).len(), 24, "{log}");
    assert_eq!(
        lines_with(&log, &["all jobs done", "\"files\":24"]).len(),
        1,
        "{log}"
    );
}

fn pid_of(line: &str) -> &str {
    line.split(" pid=")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or("")
}
