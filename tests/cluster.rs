//! Troupe nodes in a cluster (SPEC §10), end to end: real `troupe run` processes on
//! loopback ports, joined by `--node/--listen/--join` and a cookie in `TROUPE_COOKIE`.
//! No timing assertions beyond generous timeouts; every child is killed when its test
//! ends, pass or fail.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(60);

fn app(name: &str) -> String {
    format!("{}/tests/apps/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A free loopback port (bound then released: another process could take it in between,
/// which only makes a test fail loudly, never pass wrongly).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A `troupe run` child with its stderr lines forwarded to a channel (and kept).
struct NodeProc {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl NodeProc {
    fn start(dir: &str, cookie: &str, args: &[&str]) -> NodeProc {
        let mut child = Command::new(env!("CARGO_BIN_EXE_troupe"))
            .arg("run")
            .arg(dir)
            .args(args)
            .env("TROUPE_COOKIE", cookie)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start troupe");
        let (tx, lines) = mpsc::channel();
        for out in [
            Box::new(child.stderr.take().expect("stderr")) as Box<dyn std::io::Read + Send>,
            Box::new(child.stdout.take().expect("stdout")),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        NodeProc {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The first output line containing `needle` (within [`LIMIT`]).
    fn wait_for(&mut self, needle: &str) -> String {
        self.wait_from(0, needle)
    }

    /// The first output line containing `needle` that comes after line `after`.
    fn wait_for_after(&mut self, needle: &str, after: &str) -> String {
        let from = self
            .seen
            .iter()
            .position(|l| l == after)
            .map_or(0, |i| i + 1);
        self.wait_from(from, needle)
    }

    /// The first output line containing `needle` from line number `from` on.
    fn wait_from(&mut self, from: usize, needle: &str) -> String {
        if let Some(l) = self.seen[from..].iter().find(|l| l.contains(needle)) {
            return l.clone();
        }
        let t0 = Instant::now();
        while t0.elapsed() < LIMIT {
            match self.lines.recv_timeout(Duration::from_millis(100)) {
                Ok(l) => {
                    self.seen.push(l.clone());
                    if l.contains(needle) {
                        return l;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        panic!(
            "no line with {needle:?} after line {from}; output so far:\n{}",
            self.seen.join("\n")
        );
    }

    /// What it printed so far (the node keeps running).
    fn drain_now(&mut self) -> String {
        while let Ok(l) = self.lines.recv_timeout(Duration::from_millis(300)) {
            self.seen.push(l);
        }
        self.seen.join("\n")
    }

    /// Wait for the exit (within [`LIMIT`]): its status code and all its output.
    fn finish(mut self) -> (i32, String) {
        let t0 = Instant::now();
        let code = loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                break s.code().unwrap_or(-1);
            }
            if t0.elapsed() > LIMIT {
                let _ = self.child.kill();
                panic!("a node did not exit; output:\n{}", self.drain());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        (code, self.drain())
    }

    fn drain(&mut self) -> String {
        // The reader threads end with the child's pipes.
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(5) {
            match self.lines.recv_timeout(Duration::from_millis(200)) {
                Ok(l) => self.seen.push(l),
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        self.seen.join("\n")
    }
}

impl Drop for NodeProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `troupe run DIR --node NAME --listen 127.0.0.1:PORT [--join 127.0.0.1:JOIN] -x EXEC...`
/// with `cookie` in `TROUPE_COOKIE`.
fn node(
    dir: &str,
    cookie: &str,
    name: &str,
    port: u16,
    join: Option<u16>,
    exec: &[&str],
) -> NodeProc {
    let listen = format!("127.0.0.1:{port}");
    let mut args = vec!["--node", name, "--listen", &listen];
    let joined = join.map(|j| format!("127.0.0.1:{j}"));
    if let Some(j) = &joined {
        args.extend(["--join", j.as_str()]);
    }
    args.push("-x");
    args.extend(exec);
    NodeProc::start(dir, cookie, &args)
}

/// The PID the receiver printed (`receiver-pid {b@…}`).
fn printed_pid(line: &str) -> String {
    printed(line, "receiver-pid ")
}

/// Node `b` running `b_exec` (which prints its `receiver-pid`), then node `a` joined to
/// it running `a_exec`, where `PID` stands for that PID.
fn pair(b_exec: &[&str], a_exec: &[&str]) -> (NodeProc, NodeProc, String) {
    let (pa, pb) = (free_port(), free_port());
    let dir = app("cluster");
    let mut b = node(&dir, "sesame", "b", pb, None, b_exec);
    let pid = printed_pid(&b.wait_for("receiver-pid"));
    let a_exec: Vec<&str> = a_exec
        .iter()
        .map(|x| if *x == "PID" { pid.as_str() } else { x })
        .collect();
    let a = node(&dir, "sesame", "a", pa, Some(pb), &a_exec);
    (a, b, pid)
}

#[test]
fn ten_thousand_ordered_messages_lua_to_lua_across_nodes() {
    let (a, b, pid) = pair(&["app:receiver", "10000"], &["app:sender", "PID", "10000"]);
    assert!(pid.starts_with("{b@"), "{pid}");
    let (code_a, out_a) = a.finish();
    assert_eq!(code_a, 0, "sender node failed:\n{out_a}");
    assert!(out_a.contains("sent 10000, receiver got 10000"), "{out_a}");
    assert!(
        out_a.contains("node up") && out_a.contains("node=b"),
        "{out_a}"
    );
    let (code_b, out_b) = b.finish();
    assert_eq!(code_b, 0, "receiver node failed:\n{out_b}");
    assert!(out_b.contains("received 10000 in order"), "{out_b}");
    assert!(
        out_b.contains("node up") && out_b.contains("node=a"),
        "{out_b}"
    );
}

#[test]
fn a_wrong_cookie_is_refused_and_logged_on_both_sides() {
    let (pa, pb) = (free_port(), free_port());
    let dir = app("cluster");
    let mut b = node(&dir, "right", "b", pb, None, &["app:receiver", "1"]);
    let pid = printed_pid(&b.wait_for("receiver-pid"));
    let mut a = node(&dir, "wrong", "a", pa, Some(pb), &["app:sender", &pid, "1"]);
    a.wait_for("authentication failed");
    b.wait_for("authentication failed");
    // Refused: the sender never gets through (it gives up after its retries; we do not
    // wait for that) and the receiver got nothing.
    assert!(
        !b.seen.iter().any(|l| l.contains("node up")),
        "{}",
        b.seen.join("\n")
    );
    assert!(
        !a.seen.iter().any(|l| l.contains("node up")),
        "{}",
        a.seen.join("\n")
    );
}

#[test]
fn a_node_with_another_application_is_refused_and_logged_on_both_sides() {
    let (pa, pb) = (free_port(), free_port());
    let mut b = node(
        &app("cluster"),
        "sesame",
        "b",
        pb,
        None,
        &["app:receiver", "1"],
    );
    let pid = printed_pid(&b.wait_for("receiver-pid"));
    let mut a = node(
        &app("cluster_other"),
        "sesame",
        "a",
        pa,
        Some(pb),
        &["app:sender", &pid, "1"],
    );
    a.wait_for("application differs");
    b.wait_for("application differs");
    assert!(
        !b.seen.iter().any(|l| l.contains("node up")),
        "{}",
        b.seen.join("\n")
    );
}

#[test]
fn a_send_to_a_node_that_is_not_connected_is_nil_err_unavailable() {
    let out = Command::new(env!("CARGO_BIN_EXE_troupe"))
        .args([
            "run",
            &app("cluster"),
            "--node",
            "a",
            "--listen",
            &format!("127.0.0.1:{}", free_port()),
        ])
        .args(["-x", "app:unreachable", "{z@app:host|0x00001}"])
        .env("TROUPE_COOKIE", "sesame")
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("Unavailable: node z is not connected (noconnection)"),
        "{stdout}"
    );
}

#[test]
fn no_cookie_refuses_to_boot_with_the_reason() {
    let out = Command::new(env!("CARGO_BIN_EXE_troupe"))
        .args([
            "run",
            &app("cluster"),
            "--node",
            "a",
            "-x",
            "app:unreachable",
            "x",
        ])
        .env_remove("TROUPE_COOKIE")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("no cookie") && stderr.contains("TROUPE_COOKIE"),
        "{stderr}"
    );
}

/// Node `b` running `app:idle`, and node `a` (joined to it) running `app:watcher PID mode`.
fn watch(mode: &str) -> (NodeProc, NodeProc, String) {
    pair(&["app:idle"], &["app:watcher", "PID", mode])
}

#[test]
fn a_remote_monitor_gets_the_exit_with_its_value() {
    let (a, b, pid) = watch("monitor");
    let (code, out) = a.finish();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!("pid.exit from={pid} value=stopped")),
        "{out}"
    );
    drop(b);
}

#[test]
fn a_remote_link_delivers_link_down_to_a_trapping_process() {
    let (a, b, pid) = watch("link");
    let (code, out) = a.finish();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!("pid.link.down from={pid} error=")),
        "{out}"
    );
    assert!(out.contains("crashed on purpose"), "{out}");
    drop(b);
}

#[test]
fn a_remote_cancel_reaches_the_process_with_its_reason_and_sender() {
    let (a, b, pid) = pair(
        &["app:idle", "app:cancellable"],
        &["app:watcher", "PID", "cancel"],
    );
    let (code, out) = a.finish();
    assert_eq!(code, 0, "{out}");
    let line = out
        .lines()
        .find(|l| l.contains("pid.exit from="))
        .unwrap_or_else(|| panic!("no exit:\n{out}"));
    let me = &line[line.find("me=").expect("me") + 3..];
    assert!(
        line.contains(&format!(
            "pid.exit from={pid} value=cancelled: enough by {me}"
        )),
        "{line}"
    );
    drop(b);
}

#[test]
fn a_remote_terminate_ends_the_process_and_its_monitor_sees_why() {
    let (a, b, pid) = watch("terminate");
    let (code, out) = a.finish();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!("pid.exit from={pid} error=Canceled: terminated")),
        "{out}"
    );
    drop(b);
}

#[test]
fn killing_a_node_fires_noconnection_to_its_monitors_and_links() {
    let (mut a, mut b, pid) = watch("nodedown");
    a.wait_for("watching");
    b.child.kill().expect("SIGKILL node b");
    let _ = b.child.wait();
    let (code, out) = a.finish();
    assert_eq!(code, 0, "{out}");
    let exit = format!("pid.exit from={pid} error=Unavailable: noconnection: node b is down");
    let down = format!("pid.link.down from={pid} error=Unavailable: noconnection: node b is down");
    assert!(out.contains(&exit), "{out}");
    assert!(out.contains(&down), "{out}");
    assert!(out.contains("send: Unavailable"), "{out}");
    assert!(out.contains("node down") && out.contains("node=b"), "{out}");
}

#[test]
fn a_restarted_node_is_a_new_incarnation_old_pids_are_dead_new_ones_work() {
    let (pa, pb) = (free_port(), free_port());
    let dir = app("cluster");
    let mut b1 = node(&dir, "sesame", "b", pb, None, &["app:idle"]);
    let old = printed_pid(&b1.wait_for("receiver-pid"));
    b1.child.kill().expect("SIGKILL node b");
    let _ = b1.child.wait();
    let mut b2 = node(&dir, "sesame", "b", pb, None, &["app:idle"]);
    let new = printed_pid(&b2.wait_for("receiver-pid"));
    assert_ne!(old, new, "the new incarnation reused a PID");
    let a = node(
        &dir,
        "sesame",
        "a",
        pa,
        Some(pb),
        &["app:watcher", &old, "stale", &new],
    );
    let (code, out) = a.finish();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!(
            "pid.exit from={old} error=NotFound: noproc: {old} is not alive"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("pid.exit from={new} value=stopped")),
        "{out}"
    );
    drop(b2);
}

#[test]
fn a_frozen_node_is_taken_for_gone_after_the_failure_detection_timeout() {
    // SIGSTOP keeps the TCP session open: only the heartbeat notices (timeout: 3s in
    // tests/apps/cluster/troupe.yaml).
    let (mut a, mut b, pid) = watch("nodedown");
    a.wait_for("watching");
    let (code, out) = frozen_while(&mut b, || a.finish());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("failure-detection timeout"), "{out}");
    let exit = format!("pid.exit from={pid} error=Unavailable: noconnection: node b is down");
    assert!(out.contains(&exit), "{out}");
}

#[test]
fn ten_thousand_ordered_messages_lua_to_wasm_and_back_across_nodes() {
    let (a, b, _) = pair(&["app:wasm_echo"], &["app:wasm_sender", "PID", "10000"]);
    let (code, out) = a.finish();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("echoed 10000 in order"), "{out}");
    drop(b);
}

#[test]
fn remote_spawn_is_checked_by_the_receiving_node_and_relations_precede_the_child() {
    let (a, mut b, _) = pair(&["app:idle"], &["app:remote_spawner"]);
    let (code, out) = a.finish();
    assert_eq!(code, 0, "{out}");
    // The child ran on b, as alice (the spawner's actor), with its argument.
    assert!(
        out.contains("report node=b actor=alice arg=hello msg:actor=alice"),
        "{out}"
    );
    // The spawner builder: its ctx values and first message went with the spawn.
    assert!(
        out.contains("builder color=blue first=hello builder from=true"),
        "{out}"
    );
    // The monitor and the link were in place before the children ran: a child that
    // ends at once is still seen.
    assert!(out.contains("pid.exit value=spawned done"), "{out}");
    assert!(
        out.contains("pid.link.down error=Internal: ") && out.contains("crashed at once"),
        "{out}"
    );
    // b checked alice's scope: denied, and app:forbidden never ran there.
    assert!(
        out.contains("denied PermissionDenied: ") && out.contains("app:forbidden"),
        "{out}"
    );
    assert!(out.contains("nope NotFound"), "{out}");
    let b_out = b.drain_now();
    assert!(!b_out.contains("forbidden ran"), "{b_out}");
    assert!(b_out.contains("permission denied"), "{b_out}");
}

#[test]
fn a_supervisor_restarts_a_child_that_lived_on_a_killed_node_once_the_node_is_back() {
    let (ps, pb) = (free_port(), free_port());
    let dir = app("cluster");
    let mut b1 = node(&dir, "sesame", "b", pb, None, &["app:idle"]);
    b1.wait_for("receiver-pid");
    // Node s runs app:remote_sup (lifecycle.node: s); `idle` only keeps it running.
    let mut s = node(&dir, "sesame", "s", ps, Some(pb), &["app:idle"]);
    let first = s.wait_for("child started on another node");
    let first_pid = logged_pid(&first);
    assert!(first_pid.starts_with("{b@"), "{first}");
    b1.child.kill().expect("SIGKILL node b");
    let _ = b1.child.wait();
    s.wait_for("noconnection: node b is down");
    let mut b2 = node(&dir, "sesame", "b", pb, None, &["app:idle"]);
    b2.wait_for("receiver-pid");
    // s dials b again; the supervisor's restart starts the child on the new b.
    let t0 = Instant::now();
    let second = loop {
        let l = s.wait_for_after("child started on another node", &first);
        if logged_pid(&l) != first_pid {
            break l;
        }
        assert!(t0.elapsed() < LIMIT, "no second start");
    };
    let second_pid = logged_pid(&second);
    assert!(second_pid.starts_with("{b@"), "{second}");
    assert_ne!(first_pid, second_pid);
}

/// Run `f` with node `n` frozen (SIGSTOP: its sessions stay open, it reads and sends
/// nothing), then kill it.
fn frozen_while<T>(n: &mut NodeProc, f: impl FnOnce() -> T) -> T {
    let pid = n.child.id().to_string();
    let stopped = Command::new("kill").args(["-STOP", &pid]).status();
    assert!(stopped.is_ok_and(|s| s.success()), "kill -STOP");
    let r = f();
    let _ = Command::new("kill").args(["-CONT", &pid]).status();
    let _ = n.child.kill();
    r
}

/// The PID printed after `prefix` in `line`.
fn printed(line: &str, prefix: &str) -> String {
    let start = line.find(prefix).expect("prefix") + prefix.len();
    let end = line[start..].find('}').expect("pid end") + start + 1;
    line[start..end].to_string()
}

/// The `pid={…}` field of a log line.
fn logged_pid(line: &str) -> String {
    printed(line, "pid=")
}

#[test]
fn an_eventual_name_resolves_from_another_node_and_is_released_with_its_holder() {
    let (a, b, holder) = pair(&["app:name_holder"], &["app:name_user", "PID"]);
    let (code, out) = a.finish();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!(
            "found {holder} | taken AlreadyExists | pong 42 | released, send NotFound"
        )),
        "{out}"
    );
    let (code_b, out_b) = b.finish();
    assert_eq!(code_b, 0, "{out_b}");
    assert!(out_b.contains("released"), "{out_b}");
}

#[test]
fn a_name_held_on_two_nodes_goes_to_the_older_registration() {
    let (pa, pb) = (free_port(), free_port());
    let dir = app("cluster");
    // a registers first, alone (it dials b, which is not there yet); b registers at
    // boot, before a's next dial reaches it (a dials every 300 ms).
    let mut a = node(&dir, "sesame", "a", pa, Some(pb), &["app:leader"]);
    let line = a.wait_for("registered true");
    let older = printed(&line, "registered true ");
    let b = node(&dir, "sesame", "b", pb, None, &["app:leader"]);
    let (code, out) = b.finish();
    assert_eq!(code, 0, "{out}");
    // Usually b registered before the nodes met (a conflict, settled for the older);
    // if a's name reached b first, b's registration was refused. Either way the name
    // is a's.
    let conflict = format!("cancelled: name conflict; leader is {older}");
    let refused = format!("refused; leader is {older}");
    assert!(out.contains(&conflict) || out.contains(&refused), "{out}");
    eprintln!(
        "name conflict path: {}",
        if out.contains(&conflict) {
            "conflict"
        } else {
            "refused"
        }
    );
    drop(a);
}

#[test]
fn the_cluster_example_completes_after_losing_a_worker_node() {
    // examples/cluster/run.sh with this build's binary: b and c supervise wasm workers,
    // a coordinates; c is killed at a quarter of the jobs.
    let script = format!("{}/examples/cluster/run.sh", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("bash")
        .arg(&script)
        .env("TROUPE", env!("CARGO_BIN_EXE_troupe"))
        .output()
        .expect("run.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("killed node c"), "{stdout}");
    assert!(stdout.contains("all 40 jobs done"), "{stdout}");
    assert!(
        stdout.contains("2 workers lost") && stdout.contains("noconnection: node c is down"),
        "{stdout}"
    );
    assert!(stdout.contains("primes below 400000: 33860"), "{stdout}");
}

#[test]
fn a_flood_to_a_node_that_does_not_take_it_is_refused_past_the_in_flight_bound() {
    // b holds the process; a waits until b is up, then b is frozen (nothing is read or
    // acknowledged) and a floods it: one process may have at most 16 MiB in flight, and
    // another process still gets its message out.
    let (mut a, mut b, _) = pair(&["app:idle"], &["app:flooder", "PID"]);
    a.wait_for("node up");
    let (code, out) = frozen_while(&mut b, || a.finish());
    assert_eq!(code, 0, "{out}");
    let line = out
        .lines()
        .find(|l| l.starts_with("refused after"))
        .unwrap_or_else(|| panic!("no refusal:\n{out}"));
    assert!(
        line.contains(
            "Unavailable: the link to node b is busy: the send would pass 16777216 bytes"
        ),
        "{line}"
    );
    assert!(line.contains("another process: sent"), "{line}");
    let mib: u32 = line["refused after ".len()..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("count");
    assert!((14..=16).contains(&mib), "{line}");
}

#[test]
fn a_wasm_actor_monitors_and_links_to_processes_of_another_node() {
    let (a, b, _) = pair(&["app:idle"], &["app:wasm_watcher", "PID", "monitor"]);
    let (code, out) = a.finish();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("wasm monitor: exit same=true ok \"stopped\""),
        "{out}"
    );
    drop(b);
    let (a, b, _) = pair(&["app:idle"], &["app:wasm_watcher", "PID", "trap"]);
    let (code, out) = a.finish();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("wasm trap: link_down same=true") && out.contains("crashed on purpose"),
        "{out}"
    );
    drop(b);
}

#[test]
fn the_tree_shows_where_units_and_children_run() {
    let out = Command::new(env!("CARGO_BIN_EXE_troupe"))
        .args(["tree", &app("cluster")])
        .output()
        .expect("troupe tree");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("auto_start on node s"), "{text}");
    assert!(
        text.contains("app:remote_child  service permanent, process app:idle_worker on b@app:host"),
        "{text}"
    );
}

#[test]
fn eventual_names_are_bounded_per_name_and_per_process() {
    let port = free_port();
    let a = node(
        &app("cluster"),
        "sesame",
        "a",
        port,
        None,
        &["app:name_bounds"],
    );
    let (code, out) = a.finish();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "long Invalid: register: an eventual name is at most 1024 bytes, this one has 1025"
        ),
        "{out}"
    );
    assert!(
        out.contains("65th Unavailable: too many eventual names: a process may hold at most 64"),
        "{out}"
    );
}
