//! What a node does with operations from a peer that lies (SPEC §10, §3.6): the kernel's
//! `Node::remote_op` fed forged operations directly, with a recording transport in place
//! of ractor_cluster. The peer is node `b`; node `c` is a third node it must not speak
//! for. Boots `tests/apps/cluster` as node `a`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use std::sync::Mutex;
use troupe::App;
use troupe::kernel::security::Actor;
use troupe::kernel::{ErrorKind, KernelError, Remote, RemoteMessage, RemoteOp, RemoteSpawn, Value};

/// A transport that records what the node sends, to `b` only.
#[derive(Default)]
struct Recorder(Mutex<Vec<(String, RemoteOp)>>);

impl Remote for Recorder {
    fn send(&self, node: &str, op: RemoteOp) -> Result<(), KernelError> {
        if node != "b" {
            return Err(KernelError::NoConnection(node.to_string()));
        }
        self.0
            .lock()
            .expect("recorder")
            .push((node.to_string(), op));
        Ok(())
    }
    fn nodes(&self) -> Vec<String> {
        vec!["b".into()]
    }
}

impl Recorder {
    /// The ops sent so far, once `done` holds for them (within 10 s).
    fn wait(&self, done: impl Fn(&[(String, RemoteOp)]) -> bool) -> Vec<(String, RemoteOp)> {
        let t0 = Instant::now();
        loop {
            let ops = self.0.lock().expect("recorder").clone();
            if done(&ops) || t0.elapsed() > Duration::from_secs(10) {
                return ops;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn boot() -> (App, Arc<Recorder>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/apps/cluster");
    let app = App::open(&dir).expect("boots");
    let rec = Arc::new(Recorder::default());
    assert!(app.node.set_remote(rec.clone()));
    (app, rec)
}

fn spawn(entry: &str, policies: Option<Vec<String>>) -> RemoteSpawn {
    RemoteSpawn {
        reference: 7,
        from: "{b@app:host|0x00042}".into(),
        caller_actor: Some(Actor {
            id: "alice".into(),
            meta: Default::default(),
        }),
        caller_policies: policies,
        actor: None,
        policies: None,
        context: None,
        entry: entry.into(),
        host: "app:host".into(),
        args: vec![Value::str("{b@app:host|0x00042}"), Value::str("hello")],
        link: false,
        monitor: true,
        trap_links: false,
        messages: Vec::new(),
    }
}

fn scope() -> Option<Vec<String>> {
    Some(vec!["app:allow_all".into(), "app:no_forbidden".into()])
}

#[test]
fn a_peer_cannot_speak_for_a_third_node() {
    let (app, rec) = boot();
    let node = &app.node;
    // A message "from" a process of c, arriving from b.
    let forged = RemoteOp::Send(RemoteMessage {
        to: "{a@app:host|0x00001}".into(),
        topic: "t".into(),
        from: Some("{c@app:host|0x00001}".into()),
        payload: Value::Nil,
        actor: None,
    });
    assert!(matches!(
        node.remote_op("b", forged),
        Err(KernelError::InvalidPid(_))
    ));
    // A name claimed for a process of c.
    let claim = RemoteOp::NameClaim {
        name: "leader".into(),
        pid: "{c@app:host|0x00001}".into(),
        at: 1,
    };
    assert!(node.remote_op("b", claim).is_err());
    assert_eq!(node.lookup_eventual("leader"), None);
    // A spawn "by" a process of c.
    let mut s = spawn("app:spawned", scope());
    s.from = "{c@app:host|0x00001}".into();
    let before = node.process_count();
    assert!(node.remote_op("b", RemoteOp::Spawn(Box::new(s))).is_err());
    assert_eq!(node.process_count(), before);
    assert!(
        rec.0.lock().expect("recorder").is_empty(),
        "answered a forged op"
    );
    app.shutdown();
}

#[test]
fn a_remote_spawn_is_checked_here_and_a_denied_one_leaves_nothing() {
    let (app, rec) = boot();
    let node = &app.node;
    let before = node.process_count();
    // Denied by alice's scope on this node.
    node.remote_op(
        "b",
        RemoteOp::Spawn(Box::new(spawn("app:forbidden", scope()))),
    )
    .expect("answered");
    // A scope naming a policy this node does not have: refused, not run with less.
    node.remote_op(
        "b",
        RemoteOp::Spawn(Box::new(spawn(
            "app:spawned",
            Some(vec!["app:allow_all".into(), "app:no_such_policy".into()]),
        ))),
    )
    .expect("answered");
    let ops = rec.wait(|o| o.len() >= 2);
    assert_eq!(
        node.process_count(),
        before,
        "a denied spawn left a process"
    );
    let kinds: Vec<ErrorKind> = ops
        .iter()
        .filter_map(|(_, op)| match op {
            RemoteOp::Spawned { result: Err(e), .. } => Some(e.kind.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        kinds,
        vec![ErrorKind::PermissionDenied, ErrorKind::PermissionDenied],
        "{ops:?}"
    );
    app.shutdown();
}

#[test]
fn an_allowed_remote_spawn_is_answered_before_the_child_says_anything() {
    let (app, rec) = boot();
    // app:spawned sends its parent (the forged b process) a report, then exits: the
    // answer, the report and the monitor's EXIT must reach b in that order.
    app.node
        .remote_op(
            "b",
            RemoteOp::Spawn(Box::new(spawn("app:spawned", scope()))),
        )
        .expect("answered");
    let ops = rec.wait(|o| o.iter().any(|(_, op)| matches!(op, RemoteOp::Exit { .. })));
    let order: Vec<&str> = ops
        .iter()
        .map(|(_, op)| match op {
            RemoteOp::Spawned { result: Ok(_), .. } => "spawned",
            RemoteOp::Send(_) => "send",
            RemoteOp::Exit { link: false, .. } => "exit",
            _ => "other",
        })
        .collect();
    assert_eq!(order, vec!["spawned", "send", "exit"], "{ops:?}");
    if let (_, RemoteOp::Send(m)) = &ops[1] {
        // The child runs as the spawner's actor.
        assert_eq!(m.actor.as_ref().map(|a| a.id.as_str()), Some("alice"));
    }
    app.shutdown();
}

#[test]
fn a_name_from_a_peer_is_bounded_and_released_only_by_its_holder() {
    let (app, _rec) = boot();
    let node = &app.node;
    let holder = "{b@app:host|0x00042}".to_string();
    let long = RemoteOp::NameClaim {
        name: "x".repeat(2000),
        pid: holder.clone(),
        at: 1,
    };
    node.remote_op("b", long).expect("ignored");
    assert_eq!(node.eventual_name_count(), 0, "kept a name over 1 KiB");
    node.remote_op(
        "b",
        RemoteOp::NameClaim {
            name: "svc".into(),
            pid: holder.clone(),
            at: 1,
        },
    )
    .expect("claimed");
    assert_eq!(
        node.lookup_eventual("svc").map(|p| p.to_string()),
        Some(holder.clone())
    );
    // A release naming another process of b does not free it.
    node.remote_op(
        "b",
        RemoteOp::NameRelease {
            name: "svc".into(),
            pid: "{b@app:host|0x00099}".into(),
        },
    )
    .expect("ignored");
    assert!(node.lookup_eventual("svc").is_some());
    node.node_down("b");
    assert_eq!(
        node.lookup_eventual("svc"),
        None,
        "a lost node's name stayed"
    );
    app.shutdown();
}
