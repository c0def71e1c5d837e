//! Node shutdown through the real binary (SPEC §3.6 "Termination always works"): SIGINT and
//! SIGTERM stop hostile services within their stop timeouts and the node exits 0; a second
//! signal exits at once; a node whose processes will not stop still exits after its grace
//! period.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `troupe run tests/apps/<app>` in the background.
fn start(app: &str) -> Child {
    let dir = format!("{}/tests/apps/{app}", env!("CARGO_MANIFEST_DIR"));
    Command::new(env!("CARGO_BIN_EXE_troupe"))
        .args(["run", &dir])
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start troupe")
}

fn signal(child: &Child, sig: &str) {
    let status = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

/// Wait for the child to exit (killing it and failing after `limit`); exit code, stderr and
/// how long it took.
fn finish(mut child: Child, limit: Duration) -> (i32, String, Duration) {
    let t0 = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if t0.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("wait");
            panic!(
                "troupe did not exit within {limit:?}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let took = t0.elapsed();
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        took,
    )
}

fn stops_hostile_services_on(sig: &str) {
    let child = start("shutdown_hostile");
    std::thread::sleep(Duration::from_millis(3000));
    signal(&child, sig);
    // Three services with stop_timeout 1s, stopped one after another, plus slack.
    let (code, log, _) = finish(child, Duration::from_secs(15));
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("tick"), "the bystander made progress: {log}");
    for svc in ["app:spinner", "app:ticker"] {
        assert!(
            log.lines()
                .any(|l| l.contains("service stopped") && l.contains(svc)),
            "{svc} stopped: {log}"
        );
    }
    // The gsub spinner holds the worker until max_slice fails it, then is restarted.
    assert!(
        log.lines()
            .any(|l| l.contains("app:gsub_spinner") && l.contains("max_slice exceeded")),
        "{log}"
    );
}

#[test]
fn sigint_stops_hostile_services_and_the_node_exits_cleanly() {
    stops_hostile_services_on("-INT");
}

#[test]
fn sigterm_stops_hostile_services_and_the_node_exits_cleanly() {
    stops_hostile_services_on("-TERM");
}

#[test]
fn a_second_signal_exits_at_once() {
    for (first, second) in [("-INT", "-INT"), ("-TERM", "-INT"), ("-INT", "-TERM")] {
        let child = start("shutdown_slow");
        std::thread::sleep(Duration::from_millis(800));
        signal(&child, first);
        std::thread::sleep(Duration::from_millis(500));
        signal(&child, second);
        // The service's stop_timeout is 60 s; the second signal must not wait for it.
        let (code, log, took) = finish(child, Duration::from_secs(10));
        assert_eq!(code, 130, "{first} then {second}: {log}");
        assert!(took < Duration::from_secs(5), "{took:?}: {log}");
        assert!(log.contains("second signal"), "{log}");
    }
}

#[test]
fn a_node_whose_processes_will_not_stop_exits_after_its_grace_period() {
    let child = start("shutdown_never");
    std::thread::sleep(Duration::from_millis(800));
    signal(&child, "-INT");
    // grace = finite stop timeouts (none) + 5 s
    let (code, log, took) = finish(child, Duration::from_secs(20));
    assert_eq!(code, 1, "{log}");
    assert!(took >= Duration::from_secs(4), "{took:?}: {log}");
    assert!(log.contains("did not stop"), "{log}");
}
