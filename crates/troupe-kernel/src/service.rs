//! The top level of the node (SPEC §4.1, §4.2): auto-started `process.service` and
//! `process.supervisor` entries that no supervisor owns.
//!
//! - Units start in `requires` order: independent ones in parallel, a dependant once every
//!   requirement is running. A requirement owned by a supervisor stands for its top-level
//!   supervisor. Stop is the reverse: a unit stops only after its dependants stopped.
//! - A top-level service is restarted after an error exit (or a failed start) with
//!   exponential backoff; a run longer than `stable_threshold` resets the attempt count;
//!   `max_attempts` ends in a logged failed state. A normal exit is final.
//! - A top-level supervisor is not restarted: if it fails (escalation, failed start) the
//!   node shuts down with a non-zero exit code, as an OTP node whose permanent application
//!   stops.
//! - A unit that fails for good stops the node too, unless it is `startup: optional`; then
//!   the node keeps running degraded and the unit's dependants are not started.
//! - "Running" means the process finished its first slice without failing (or, for a
//!   supervisor, all its children run); it must happen within `start_timeout`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rand::Rng;
use tokio::sync::watch;
use troupe_registry::{Kind, Lifecycle, Registry, RestartPolicy, ServiceSpec, Shutdown};

use crate::{
    ErrorKind, ExitResult, ExitWatch, Node, Pid, ProcessError, SpawnOptions, SpawnRequest, Spawned,
    Value, describe,
};

/// The delay before restart attempt `attempt` (1-based): `initial_delay ·
/// backoff_factor^(attempt-1)`, capped at `max_delay`, then spread by ±`jitter`.
pub fn backoff_delay(policy: &RestartPolicy, attempt: u32) -> Duration {
    let base = policy.initial_delay.as_secs_f64()
        * policy
            .backoff_factor
            .max(1.0)
            .powi(attempt.saturating_sub(1) as i32);
    let capped = base.min(policy.max_delay.as_secs_f64());
    let jitter = policy.jitter.clamp(0.0, 1.0);
    let factor = if jitter > 0.0 {
        1.0 + rand::rng().random_range(-jitter..=jitter)
    } else {
        1.0
    };
    Duration::from_secs_f64((capped * factor).max(0.0))
}

/// Stop a process by its shutdown setting (SPEC §4.1): cancel, wait up to the timeout,
/// then terminate (`brutal_kill`: terminate at once; `infinity`: wait forever). Returns its
/// exit result.
pub async fn stop_process(
    node: &Node,
    pid: &Pid,
    exit: ExitWatch,
    shutdown: Shutdown,
) -> ExitResult {
    let mut exit = exit;
    match shutdown {
        Shutdown::BrutalKill => {
            node.kill(pid, ProcessError::terminated());
        }
        Shutdown::Infinity => {
            let _ = node.cancel(None, pid.as_str(), Some("shutdown".into()));
        }
        Shutdown::After(timeout) => {
            let _ = node.cancel(None, pid.as_str(), Some("shutdown".into()));
            match tokio::time::timeout(timeout, &mut exit).await {
                Ok(r) => return r,
                Err(_) => {
                    tracing::warn!(pid = %pid, stop_timeout = %shutdown, "process ignored cancel; terminating");
                    node.kill(pid, ProcessError::terminated());
                }
            }
        }
    }
    exit.await
}

/// Every entry a supervisor owns, mapped to the top-level supervisor above it.
pub fn top_level_owners(registry: &Registry) -> HashMap<String, String> {
    let mut parent = HashMap::new();
    for e in registry.entries.values() {
        if let Kind::ProcessSupervisor(s) = &e.kind {
            for c in &s.children {
                parent.insert(c.clone(), e.id.clone());
            }
        }
    }
    let mut owners = HashMap::new();
    for child in parent.keys() {
        let mut top = child;
        // Bounded: validation rejects cycles, but never loop forever on a bad registry.
        for _ in 0..=parent.len() {
            match parent.get(top) {
                Some(p) => top = p,
                None => break,
            }
        }
        owners.insert(child.clone(), top.clone());
    }
    owners
}

/// Where a top-level unit is, for its dependants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Pending,
    Running,
    Failed,
}

/// Handle on the running top level.
pub struct Services {
    shutdown: watch::Sender<bool>,
    failure: watch::Receiver<Option<String>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Services {
    /// Start the top-level units `ids` (full IDs of `process.service` and
    /// `process.supervisor` entries) on the current tokio runtime.
    pub fn start(node: &Node, ids: &[String]) -> Services {
        let (shutdown, shutdown_rx) = watch::channel(false);
        let (failure_tx, failure) = watch::channel(None);
        let owners = top_level_owners(node.registry());
        let lifecycle = |id: &str| {
            node.entry(id).and_then(|e| match &e.kind {
                Kind::ProcessService(s) => Some(s.lifecycle.clone()),
                Kind::ProcessSupervisor(s) => Some(s.lifecycle.clone()),
                _ => None,
            })
        };
        // Requirements as top-level unit IDs.
        let requires: HashMap<&String, Vec<String>> = ids
            .iter()
            .map(|id| {
                let mut reqs: Vec<String> = lifecycle(id)
                    .map(|l| l.requires)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|r| owners.get(&r).cloned().unwrap_or(r))
                    .filter(|r| r != id && ids.contains(r))
                    .collect();
                reqs.sort();
                reqs.dedup();
                (id, reqs)
            })
            .collect();
        let mut phases = HashMap::new();
        let mut stops = HashMap::new();
        let mut senders = HashMap::new();
        for id in ids {
            let (pt, pr) = watch::channel(Phase::Pending);
            let (st, sr) = watch::channel(false);
            phases.insert(id.clone(), pr);
            stops.insert(id.clone(), sr);
            senders.insert(id.clone(), (pt, st));
        }
        let mut tasks = Vec::new();
        for id in ids {
            let (Some(entry), Some(lifecycle)) = (node.entry(id), lifecycle(id)) else {
                continue;
            };
            let Some((phase, stopped)) = senders.remove(id) else {
                continue;
            };
            let kind = match &entry.kind {
                Kind::ProcessService(s) => UnitKind::Service(Box::new(s.clone())),
                _ => UnitKind::Supervisor,
            };
            let unit = Unit {
                node: node.clone(),
                id: id.clone(),
                kind,
                lifecycle,
                requires: requires[id]
                    .iter()
                    .filter_map(|r| Some((r.clone(), phases.get(r)?.clone())))
                    .collect(),
                dependants: ids
                    .iter()
                    .filter(|other| requires[other].contains(id))
                    .filter_map(|o| stops.get(o).cloned())
                    .collect(),
                shutdown: shutdown_rx.clone(),
                phase,
                stopped,
                failure: failure_tx.clone(),
            };
            tasks.push(tokio::spawn(unit.run()));
        }
        Services {
            shutdown,
            failure,
            tasks,
        }
    }

    /// Resolves when a unit that is not `startup: optional` failed for good (a service
    /// reached `max_attempts`, a top-level supervisor failed); the text says which and why.
    /// Never resolves otherwise.
    pub async fn failed(&self) -> String {
        let mut rx = self.failure.clone();
        match rx.wait_for(|f| f.is_some()).await {
            Ok(f) => f.clone().unwrap_or_default(),
            Err(_) => std::future::pending().await,
        }
    }

    /// Stop all units in reverse dependency order and wait for them.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

enum UnitKind {
    Service(Box<ServiceSpec>),
    Supervisor,
}

/// One top-level unit's task.
struct Unit {
    node: Node,
    id: String,
    kind: UnitKind,
    lifecycle: Lifecycle,
    requires: Vec<(String, watch::Receiver<Phase>)>,
    /// `stopped` flags of the units that require this one.
    dependants: Vec<watch::Receiver<bool>>,
    shutdown: watch::Receiver<bool>,
    phase: watch::Sender<Phase>,
    stopped: watch::Sender<bool>,
    failure: watch::Sender<Option<String>>,
}

/// How a start attempt ended.
enum Start {
    /// Running; here are its PID and exit receiver.
    Running(Pid, ExitWatch),
    /// Ended (normally or not) before or instead of running.
    Ended(Option<Pid>, ExitResult),
    /// The node is shutting down.
    Shutdown,
}

impl Unit {
    async fn run(mut self) {
        if self.wait_requirements().await {
            match &self.kind {
                UnitKind::Service(spec) => {
                    let spec = (**spec).clone();
                    self.service(&spec).await
                }
                UnitKind::Supervisor => self.supervisor().await,
            }
        }
        let _ = self.stopped.send(true);
    }

    fn kind_word(&self) -> &'static str {
        match self.kind {
            UnitKind::Service(_) => "service",
            UnitKind::Supervisor => "supervisor",
        }
    }

    /// Wait until every requirement runs. False if one failed or the node stops first.
    async fn wait_requirements(&mut self) -> bool {
        for (rid, r) in &mut self.requires {
            let mut sd = self.shutdown.clone();
            tokio::select! {
                p = r.wait_for(|p| *p != Phase::Pending) => {
                    if p.map(|p| *p == Phase::Failed).unwrap_or(true) {
                        tracing::warn!(unit = %self.id, requirement = %rid, "not started: a requirement failed");
                        let _ = self.phase.send(Phase::Failed);
                        return false;
                    }
                }
                _ = wait_true(&mut sd) => return false,
            }
        }
        true
    }

    /// Spawn the unit's process and wait until it runs, ends, misses `start_timeout`, or
    /// the node stops.
    async fn start(&mut self, req: SpawnRequest) -> Start {
        let opts = SpawnOptions {
            watch: true,
            ready: true,
        };
        let (pid, mut exit, ready) = match self.node.spawn_with(None, req, opts) {
            Ok(Spawned {
                pid,
                exit: Some(exit),
                ready: Some(ready),
            }) => (pid, exit, ready),
            Ok(_) => return Start::Shutdown,
            Err(e) => {
                tracing::error!(unit = %self.id, error = %e, "{} failed to start", self.kind_word());
                return Start::Ended(None, Err(e.into()));
            }
        };
        let timeout = self.lifecycle.start_timeout;
        let mut sd = self.shutdown.clone();
        tokio::select! {
            r = tokio::time::timeout(timeout, ready) => match r {
                Ok(Ok(())) => Start::Running(pid, exit),
                Ok(Err(_)) => {
                    Start::Ended(Some(pid), exit.await)
                }
                Err(_) => {
                    tracing::warn!(unit = %self.id, pid = %pid, start_timeout = %humantime::format_duration(timeout), "{} not running within start_timeout; terminating", self.kind_word());
                    self.node.kill(&pid, ProcessError::terminated());
                    let _ = (&mut exit).await;
                    Start::Ended(Some(pid), Err(ProcessError::new(ErrorKind::Timeout, format!("not running within start_timeout {}", humantime::format_duration(timeout)))))
                }
            },
            _ = wait_true(&mut sd) => {
                self.node.unit_stopping(&self.id);
                let r = stop_process(&self.node, &pid, exit, self.lifecycle.shutdown(matches!(self.kind, UnitKind::Supervisor))).await;
                tracing::info!(unit = %self.id, pid = %pid, result = %describe(&r), "{} stopped", self.kind_word());
                self.node.unit_ended(&self.id, Some(&pid), &r, true, false);
                Start::Shutdown
            }
        }
    }

    /// Wait for the exit of a running unit; `None` when the node stopped it.
    async fn wait_exit(&mut self, pid: &Pid, exit: ExitWatch) -> Option<ExitResult> {
        let mut exit = exit;
        let mut sd = self.shutdown.clone();
        tokio::select! {
            r = &mut exit => Some(r),
            _ = wait_true(&mut sd) => {
                for d in &mut self.dependants {
                    wait_true(d).await;
                }
                let shutdown = self.lifecycle.shutdown(matches!(self.kind, UnitKind::Supervisor));
                self.node.unit_stopping(&self.id);
                let r = stop_process(&self.node, pid, exit, shutdown).await;
                tracing::info!(unit = %self.id, pid = %pid, result = %describe(&r), "{} stopped", self.kind_word());
                self.node.unit_ended(&self.id, Some(pid), &r, true, false);
                None
            }
        }
    }

    /// Failed for good: stop the node unless optional.
    fn fail(&self, why: String) {
        let _ = self.phase.send(Phase::Failed);
        if self.lifecycle.optional {
            tracing::warn!(unit = %self.id, "{why}; startup is optional, the node continues degraded");
        } else {
            tracing::error!(unit = %self.id, "{why}; stopping the node");
            let _ = self
                .failure
                .send(Some(format!("{} {}: {why}", self.kind_word(), self.id)));
        }
    }

    fn supervisor_failed(&self, e: &ProcessError) {
        let prefix = format!("supervisor {}: ", self.id);
        let why = e.message.strip_prefix(&prefix).unwrap_or(&e.message);
        self.fail(format!("top-level supervisor failed: {why}"));
    }

    async fn service(&mut self, spec: &ServiceSpec) {
        let policy = self.lifecycle.restart.clone();
        // `lifecycle.security` (SPEC §7.3): the actor and policies the process runs with.
        let (actor, scope) = self.node.security_context(self.lifecycle.security.as_ref());
        let mut attempt: u32 = 0;
        loop {
            let began = Instant::now();
            let req = SpawnRequest {
                entry: spec.process.clone(),
                host: spec
                    .host
                    .clone()
                    .unwrap_or_else(|| self.node.default_host()),
                args: spec.input.iter().map(Value::from).collect(),
                actor: actor.clone(),
                scope: scope.clone(),
                ..Default::default()
            };
            self.node.unit_starting(&self.id, u64::from(attempt));
            let (pid, result) = match self.start(req).await {
                Start::Shutdown => return,
                Start::Ended(pid, r) => (pid, r),
                Start::Running(pid, exit) => {
                    tracing::info!(service = %self.id, pid = %pid, attempt, "service started");
                    self.node.unit_running(&self.id, &pid);
                    let _ = self.phase.send(Phase::Running);
                    match self.wait_exit(&pid, exit).await {
                        None => return,
                        Some(r) => (Some(pid), r),
                    }
                }
            };
            let pid_text = pid.as_ref().map(|p| p.to_string()).unwrap_or_default();
            match &result {
                Ok(v) => {
                    let _ = self.phase.send(Phase::Running);
                    tracing::info!(service = %self.id, pid = %pid_text, result = %v.display(), "service exited normally; not restarted");
                    self.node
                        .unit_ended(&self.id, pid.as_ref(), &result, false, false);
                    return;
                }
                Err(e) => {
                    tracing::warn!(service = %self.id, pid = %pid_text, error = %e, "service exited with error")
                }
            }
            if began.elapsed() >= self.lifecycle.stable_threshold {
                attempt = 0;
            }
            attempt += 1;
            let gives_up = policy.max_attempts > 0 && attempt > policy.max_attempts;
            self.node
                .unit_ended(&self.id, pid.as_ref(), &result, false, !gives_up);
            if gives_up {
                self.fail(format!(
                    "service failed permanently: max_attempts ({}) reached",
                    policy.max_attempts
                ));
                return;
            }
            let delay = backoff_delay(&policy, attempt);
            tracing::info!(service = %self.id, attempt, delay = ?delay, "service restarting after backoff");
            let mut sd = self.shutdown.clone();
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = wait_true(&mut sd) => return,
            }
        }
    }

    async fn supervisor(&mut self) {
        let req = SpawnRequest {
            entry: self.id.clone(),
            host: self.node.default_host(),
            ..Default::default()
        };
        self.node.unit_starting(&self.id, 0);
        let (pid, result) = match self.start(req).await {
            Start::Shutdown => return,
            Start::Ended(pid, r) => (pid, r),
            Start::Running(pid, exit) => {
                tracing::info!(supervisor = %self.id, pid = %pid, "top-level supervisor started");
                self.node.unit_running(&self.id, &pid);
                let _ = self.phase.send(Phase::Running);
                match self.wait_exit(&pid, exit).await {
                    None => return,
                    Some(r) => (Some(pid), r),
                }
            }
        };
        self.node
            .unit_ended(&self.id, pid.as_ref(), &result, false, false);
        match &result {
            Ok(v) => {
                tracing::info!(supervisor = %self.id, result = %v.display(), "top-level supervisor exited")
            }
            Err(e) => self.supervisor_failed(e),
        }
    }
}

/// Wait until a flag becomes true (or its sender is gone).
async fn wait_true(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|v| *v).await.map(|_| ());
}
