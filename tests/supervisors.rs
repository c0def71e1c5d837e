//! End-to-end tests of OTP supervision (SPEC §4.2) and of the node's top level (SPEC §4.1),
//! through the real binary: each test boots a YAML tree, reads the JSON log and asserts
//! the observed sequence of starts, exits, restarts and stops (PIDs change on restart;
//! order matters).

mod common;

use std::collections::HashSet;
use std::process::Command;

use common::cli::{Run, troupe};

use serde_json::Value;

fn app(name: &str) -> String {
    format!("{}/tests/apps/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// `troupe run tests/apps/supervision -x app:<driver>`; asserts success and returns the
/// run with the driver's JSON result.
fn drive(driver: &str) -> (Run, Value) {
    let run = troupe(&["run", &app("supervision"), "-x", &format!("app:{driver}")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let result = serde_json::from_str(run.stdout.trim())
        .unwrap_or_else(|e| panic!("driver result is not JSON ({e}): {}", run.stdout));
    (run, result)
}

fn field<'a>(rec: &'a Value, name: &str) -> &'a str {
    rec.pointer(&format!("/fields/{name}"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// Short forms of the supervisor's log lines: `"started a"`, `"error b"`, `"exited b"`,
/// `"restarting b"`, `"stopped c"`, `"escalating"` — child IDs without namespace.
const EVENTS: &[(&str, &str)] = &[
    ("child started", "started"),
    ("child exited with error", "error"),
    ("child exited", "exited"),
    ("child restarting", "restarting"),
    ("child stopped", "stopped"),
    ("child failed to start", "failed"),
    (
        "restart intensity exceeded; stopping children and escalating",
        "escalating",
    ),
];

impl Run {
    /// The supervisor `sup`'s events as short strings, in log order.
    fn events(&self, sup: &str) -> Vec<String> {
        self.records(sup)
            .map(|(short, rec)| {
                let child = field(rec, "child");
                let child = child.rsplit(':').next().unwrap_or(child);
                if short == "escalating" {
                    short.to_string()
                } else {
                    format!("{short} {child}")
                }
            })
            .collect()
    }

    /// `(short name, record)` of supervisor `sup`'s events.
    fn records<'a>(&'a self, sup: &'a str) -> impl Iterator<Item = (&'static str, &'a Value)> {
        self.log.iter().filter_map(move |rec| {
            if field(rec, "supervisor") != sup {
                return None;
            }
            let msg = field(rec, "message");
            EVENTS
                .iter()
                .find(|(m, _)| *m == msg)
                .map(|(_, short)| (*short, rec))
        })
    }

    /// PIDs logged for `child` of `sup` with event `short`, in order.
    fn pids(&self, sup: &str, short: &str, child: &str) -> Vec<String> {
        self.records(sup)
            .filter(|(s, rec)| *s == short && field(rec, "child") == child)
            .map(|(_, rec)| field(rec, "pid").to_string())
            .collect()
    }

    /// Index of the first log record with `message` and `field = value`.
    fn position(&self, message: &str, field_name: &str, value: &str) -> Option<usize> {
        self.log
            .iter()
            .position(|r| field(r, "message") == message && field(r, field_name) == value)
    }

    fn count(&self, message: &str) -> usize {
        self.log
            .iter()
            .filter(|r| field(r, "message") == message)
            .count()
    }
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn all_distinct(pids: &[String]) -> bool {
    pids.iter().collect::<HashSet<_>>().len() == pids.len()
}

#[test]
fn one_for_one_restarts_only_the_failed_child() {
    let (run, r) = drive("drive_one_for_one");
    assert_eq!(r["b_changed"], true, "{r}");
    assert_eq!(r["a_same"], true, "{r}");
    assert_eq!(r["c_same"], true, "{r}");
    assert_eq!(r["sup_exit"], "shutdown", "{r}");
    assert_eq!(
        run.events("app:ofo"),
        strs(&[
            "started ofo_a",
            "started ofo_b",
            "started ofo_c",
            "error ofo_b",
            "restarting ofo_b",
            "started ofo_b",
            "stopped ofo_c",
            "stopped ofo_b",
            "stopped ofo_a",
        ]),
        "{}",
        run.stderr
    );
    let b = run.pids("app:ofo", "started", "app:ofo_b");
    assert!(all_distinct(&b), "{b:?}");
}

#[test]
fn one_for_all_stops_the_others_in_reverse_and_restarts_all_in_order() {
    let (run, r) = drive("drive_one_for_all");
    for k in ["a_changed", "b_changed", "c_changed"] {
        assert_eq!(r[k], true, "{r}");
    }
    assert_eq!(
        run.events("app:ofa"),
        strs(&[
            "started ofa_a",
            "started ofa_b",
            "started ofa_c",
            "error ofa_b",
            "stopped ofa_c",
            "stopped ofa_a",
            "restarting ofa_a",
            "started ofa_a",
            "restarting ofa_b",
            "started ofa_b",
            "restarting ofa_c",
            "started ofa_c",
            "stopped ofa_c",
            "stopped ofa_b",
            "stopped ofa_a",
        ]),
        "{}",
        run.stderr
    );
    for c in ["app:ofa_a", "app:ofa_b", "app:ofa_c"] {
        let p = run.pids("app:ofa", "started", c);
        assert!(p.len() == 2 && all_distinct(&p), "{c}: {p:?}");
    }
}

#[test]
fn rest_for_one_restarts_the_failed_child_and_those_after_it() {
    let (run, r) = drive("drive_rest_for_one");
    assert_eq!(r["a_same"], true, "{r}");
    assert_eq!(r["b_changed"], true, "{r}");
    assert_eq!(r["c_changed"], true, "{r}");
    assert_eq!(
        run.events("app:rfo"),
        strs(&[
            "started rfo_a",
            "started rfo_b",
            "started rfo_c",
            "error rfo_b",
            "stopped rfo_c",
            "restarting rfo_b",
            "started rfo_b",
            "restarting rfo_c",
            "started rfo_c",
            "stopped rfo_c",
            "stopped rfo_b",
            "stopped rfo_a",
        ]),
        "{}",
        run.stderr
    );
}

#[test]
fn transient_and_temporary_children() {
    let (run, r) = drive("drive_restart_types");
    assert_eq!(r["transient_error_restarted"], true, "{r}");
    assert_eq!(r["transient_normal_gone"], true, "{r}");
    assert_eq!(r["temporary_gone"], true, "{r}");
    let per_child = |c: &str| -> Vec<String> {
        run.events("app:types")
            .into_iter()
            .filter(|e| e.ends_with(&format!(" {c}")))
            .collect()
    };
    // Transient: a normal exit is final.
    assert_eq!(
        per_child("tr_normal"),
        strs(&["started tr_normal", "exited tr_normal"]),
        "{}",
        run.stderr
    );
    // Transient: an error exit is restarted.
    assert_eq!(
        per_child("tr_error"),
        strs(&[
            "started tr_error",
            "error tr_error",
            "restarting tr_error",
            "started tr_error",
            "stopped tr_error"
        ]),
        "{}",
        run.stderr
    );
    // Temporary: never restarted, not stopped at shutdown (it is gone).
    assert_eq!(
        per_child("tmp"),
        strs(&["started tmp", "error tmp"]),
        "{}",
        run.stderr
    );
}

#[test]
fn intensity_exceeded_escalates_to_the_parent() {
    let (run, r) = drive("drive_escalation");
    assert_eq!(r["a_changed"], true, "{r}");
    assert_eq!(r["b_changed"], true, "{r}");
    assert_eq!(r["x_same"], true, "{r}");
    // inner: one restart is within intensity 1; the second failure escalates, after
    // stopping the remaining child. Its restarted incarnation then starts both again.
    assert_eq!(
        run.events("app:inner"),
        strs(&[
            "started in_a",
            "started in_b",
            "error in_a",
            "restarting in_a",
            "started in_a",
            "error in_a",
            "escalating",
            "stopped in_b",
            "started in_a",
            "started in_b",
            "stopped in_b",
            "stopped in_a",
        ]),
        "{}",
        run.stderr
    );
    // outer: sees inner fail with the escalation reason and restarts it (one_for_one):
    // esc_x is untouched.
    assert_eq!(
        run.events("app:outer"),
        strs(&[
            "started esc_x",
            "started inner",
            "error inner",
            "restarting inner",
            "started inner",
            "stopped inner",
            "stopped esc_x",
        ]),
        "{}",
        run.stderr
    );
    let failure = run
        .records("app:outer")
        .find(|(s, _)| *s == "error")
        .map(|(_, rec)| field(rec, "error").to_string())
        .unwrap_or_default();
    assert!(
        failure.contains("restart intensity exceeded") && failure.contains("app:in_a"),
        "{failure}"
    );
    let inner = run.pids("app:outer", "started", "app:inner");
    assert!(inner.len() == 2 && all_distinct(&inner), "{inner:?}");
}

#[test]
fn child_ignoring_cancel_is_terminated_after_its_stop_timeout() {
    let (run, r) = drive("drive_shutdown");
    assert_eq!(r["sup_exit"], "shutdown", "{r}");
    assert_eq!(r["waited_for_stubborn"], true, "{r}");
    assert_eq!(
        run.events("app:shutdown"),
        strs(&[
            "started st_polite",
            "started st_stubborn",
            "started st_brutal",
            "stopped st_brutal",
            "stopped st_stubborn",
            "stopped st_polite",
        ]),
        "{}",
        run.stderr
    );
    let result = |c: &str| {
        run.records("app:shutdown")
            .find(|(s, rec)| *s == "stopped" && field(rec, "child") == c)
            .map(|(_, rec)| field(rec, "result").to_string())
            .unwrap_or_default()
    };
    assert_eq!(result("app:st_brutal"), "error: terminated");
    assert_eq!(result("app:st_stubborn"), "error: terminated");
    assert_eq!(result("app:st_polite"), "st_polite stopped");
    let warned = run
        .position(
            "child ignored cancel; terminating",
            "child",
            "app:st_stubborn",
        )
        .expect("stubborn warned");
    assert!(
        warned
            < run
                .position("child stopped", "child", "app:st_stubborn")
                .unwrap_or(0)
    );
}

#[test]
fn node_shutdown_stops_leaves_first_in_reverse_order() {
    let run = troupe(&["run", &app("supervision_node"), "-x", "app:driver"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "all running");
    let order: Vec<String> = run
        .log
        .iter()
        .filter(|r| {
            matches!(
                field(r, "message"),
                "child stopped" | "supervisor stopped" | "service stopped"
            )
        })
        .map(|r| {
            let who = [field(r, "child"), field(r, "unit"), field(r, "supervisor")]
                .into_iter()
                .find(|s| !s.is_empty())
                .unwrap_or("")
                .to_string();
            format!("{} {who}", field(r, "message"))
        })
        .collect();
    assert_eq!(
        order,
        strs(&[
            "service stopped app:late",
            "child stopped app:n_d",
            "child stopped app:n_c",
            "child stopped app:n_b",
            "supervisor stopped app:mid",
            "child stopped app:mid",
            "child stopped app:n_a",
            "supervisor stopped app:root",
            "supervisor stopped app:root",
        ]),
        "{}",
        run.stderr
    );
    // requires: `late` requires n_b, a child of the root tree: it starts once the whole
    // tree runs.
    let root_started = run
        .position("top-level supervisor started", "supervisor", "app:root")
        .expect("root started");
    let late_started = run
        .position("service started", "service", "app:late")
        .expect("late started");
    assert!(root_started < late_started, "{}", run.stderr);
    // The tree started in declared order, depth first.
    let starts: Vec<&str> = run
        .log
        .iter()
        .filter(|r| field(r, "message") == "child started")
        .map(|r| field(r, "child"))
        .collect();
    assert_eq!(
        starts,
        ["app:n_a", "app:n_b", "app:n_c", "app:mid", "app:n_d"],
        "{}",
        run.stderr
    );
}

#[test]
fn top_level_escalation_stops_the_node_with_status_1() {
    let run = troupe(&["run", &app("supervision_escalate")]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.events("app:root"),
        strs(&[
            "started calm_svc",
            "started crash_svc",
            "error crash_svc",
            "restarting crash_svc",
            "started crash_svc",
            "error crash_svc",
            "restarting crash_svc",
            "started crash_svc",
            "error crash_svc",
            "escalating",
            "stopped calm_svc",
        ]),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "troupe: supervisor app:root: top-level supervisor failed: restart intensity exceeded (more than 2 restarts within 5s)"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn start_timeout_optional_startup_and_required_failure() {
    let run = troupe(&["run", &app("startup")]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // slow: terminated twice for missing its start_timeout, then failed; optional.
    assert_eq!(
        run.log
            .iter()
            .filter(|r| field(r, "message")
                == "service not running within start_timeout; terminating"
                && field(r, "unit") == "app:slow")
            .count(),
        2,
        "{}",
        run.stderr
    );
    let degraded = run.log.iter().any(|r| {
        field(r, "unit") == "app:slow"
            && field(r, "message").contains("startup is optional, the node continues degraded")
    });
    assert!(degraded, "{}", run.stderr);
    assert!(
        run.position(
            "not started: a requirement failed",
            "unit",
            "app:needs_slow"
        )
        .is_some(),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.position("service started", "service", "app:needs_slow"),
        None
    );
    // The node kept running after slow failed: fragile's second run came later.
    let slow_failed = run
        .log
        .iter()
        .position(|r| field(r, "unit") == "app:slow" && field(r, "message").contains("degraded"))
        .unwrap_or(usize::MAX);
    let fragile_runs: Vec<usize> = run
        .log
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            field(r, "message") == "service started" && field(r, "service") == "app:fragile"
        })
        .map(|(i, _)| i)
        .collect();
    assert_eq!(fragile_runs.len(), 2, "{}", run.stderr);
    assert!(fragile_runs[1] > slow_failed, "{}", run.stderr);
    // fragile is required: failing for good stops the node with status 1.
    assert!(
        run.stderr.contains(
            "troupe: service app:fragile: service failed permanently: max_attempts (1) reached"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn backoff_grows_and_resets_after_stable_threshold() {
    let run = troupe(&["run", &app("backoff"), "-x", "app:driver"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let delays: Vec<(String, String)> = run
        .log
        .iter()
        .filter(|r| field(r, "message") == "service restarting after backoff")
        .map(|r| {
            (
                r.pointer("/fields/attempt")
                    .map(|a| a.to_string())
                    .unwrap_or_default(),
                field(r, "delay").to_string(),
            )
        })
        .collect();
    let expect = [
        ("1", "30ms"),
        ("2", "60ms"),
        ("3", "120ms"),
        // run 4 lived longer than stable_threshold: the count starts over
        ("1", "30ms"),
        ("2", "60ms"),
        ("3", "120ms"),
    ];
    assert!(delays.len() >= expect.len(), "{delays:?}\n{}", run.stderr);
    for (got, want) in delays.iter().zip(expect) {
        assert_eq!((got.0.as_str(), got.1.as_str()), want, "{delays:?}");
    }
}

#[test]
fn thousand_child_supervisor_starts_and_stops() {
    // Generated: 1,000 services under one one_for_one supervisor, top level.
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let n = 1000;
    let mut yaml = String::from(
        "namespace: big\nentries:\n  - name: worker\n    kind: process.lua\n    source: |\n      return { main = function()\n        local ev = process.events()\n        while ev:receive().kind ~= process.event.CANCEL do end\n      end }\n",
    );
    let mut children = Vec::new();
    for i in 0..n {
        yaml.push_str(&format!(
            "  - {{name: w{i}, kind: process.service, process: worker}}\n"
        ));
        children.push(format!("w{i}"));
    }
    yaml.push_str(&format!(
        "  - name: sup\n    kind: process.supervisor\n    children: [{}]\n    lifecycle: {{auto_start: true}}\n",
        children.join(", ")
    ));
    yaml.push_str(
        "  - name: driver\n    kind: process.lua\n    modules: [time]\n    source: |\n      local time = require(\"time\")\n      return { main = function()\n        time.sleep(\"50ms\")\n        return \"ok\"\n      end }\n",
    );
    std::fs::write(dir.join("_index.yaml"), yaml).expect("write app");
    let run = troupe(&["run", &dir.to_string_lossy(), "-x", "big:driver"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.count("child started"), n);
    assert_eq!(run.count("child stopped"), n);
    // Stopped in exactly reverse start order.
    let started: Vec<&str> = run
        .records("big:sup")
        .filter(|(s, _)| *s == "started")
        .map(|(_, r)| field(r, "child"))
        .collect();
    let mut stopped: Vec<&str> = run
        .records("big:sup")
        .filter(|(s, _)| *s == "stopped")
        .map(|(_, r)| field(r, "child"))
        .collect();
    stopped.reverse();
    assert_eq!(started, stopped);
    // Times from the log (printed, not asserted: timing belongs in benches/).
    let time_of = |msg: &str| {
        run.log
            .iter()
            .filter(|r| field(r, "message") == msg)
            .filter_map(|r| r["timestamp"].as_str())
            .filter_map(|t| humantime::parse_rfc3339(t).ok())
            .collect::<Vec<_>>()
    };
    let starts = time_of("child started");
    let stops = time_of("child stopped");
    if let (Some(a), Some(b), Some(c), Some(d)) =
        (starts.first(), starts.last(), stops.first(), stops.last())
    {
        println!(
            "1,000 children: start {:?}, shutdown {:?}",
            b.duration_since(*a).unwrap_or_default(),
            d.duration_since(*c).unwrap_or_default()
        );
    }
}

#[test]
fn tree_prints_the_declared_tree() {
    let out = Command::new(env!("CARGO_BIN_EXE_troupe"))
        .args(["tree", &app("supervision_node")])
        .output()
        .expect("run troupe tree");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let expected = "\
node troupe: 2 top-level units
app:late  service, backoff 1s..1m 30s x2, process app:worker on app:workers, stop 10s, auto_start, requires app:n_b
app:root  supervisor one_for_one, intensity 1 in 5s, auto_start
├─ app:n_a  service permanent, process app:worker on app:workers, stop 10s
├─ app:mid  supervisor one_for_all, intensity 1 in 5s, permanent, stop infinity
│  ├─ app:n_b  service permanent, process app:worker on app:workers, stop 10s
│  └─ app:n_c  service permanent, process app:worker on app:workers, stop 10s
└─ app:n_d  service permanent, process app:worker on app:workers, stop 10s
";
    assert_eq!(text, expected);
}

#[test]
fn bad_trees_fail_check_with_locations() {
    let dir = format!("{}/tests/check/bad_tree", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_troupe"))
        .args(["check", &dir])
        .output()
        .expect("run troupe check");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        "_index.yaml:10:21: app:svc: `lifecycle.stop_timeout`: invalid value \"soon\"",
        "_index.yaml:11:23: app:svc: `lifecycle.restart.type`: unknown value \"forever\"; expected one of permanent, transient, temporary",
        "_index.yaml:14:15: app:root: `strategy`: unknown value \"one_for_none\"; expected one of one_for_one, one_for_all, rest_for_one",
        "_index.yaml:16:21: app:root: `children` refers to app:ghost, which does not exist",
        "_index.yaml:16:28: app:root: `children` must name a process.service or process.supervisor entry, but app:proc is a process.lua",
        "6 problems found",
    ] {
        assert!(err.contains(want), "missing {want:?} in\n{err}");
    }
    // Cycles and second parents are reported by tests/check_cli.rs (supervisor_cycle,
    // two_parents); booting refuses the same tree.
    let run = Command::new(env!("CARGO_BIN_EXE_troupe"))
        .args(["run", &dir])
        .output()
        .expect("run troupe run");
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("refusing to boot"));
}

#[test]
fn a_supervisor_is_a_process_linked_monitored_and_terminated() {
    let (run, r) = drive("drive_terminate");
    // Linked (trapping) and monitoring processes both hear of its exit.
    assert_eq!(r["link_down"], "terminated", "{r}");
    assert_eq!(r["exit"], "terminated", "{r}");
    // Its children die with it.
    assert_eq!(r["k_a_gone"], true, "{r}");
    assert_eq!(r["k_b_gone"], true, "{r}");
    assert_eq!(
        run.events("app:killable"),
        strs(&["started k_a", "started k_b"]),
        "{}",
        run.stderr
    );
}
