//! Top-level `process.service` supervision (SPEC §4.1): start in `requires` order,
//! restart after error exits with exponential backoff, stop in reverse order on shutdown
//! (cancel, wait `stop_timeout`, terminate). A normal exit is final.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rand::Rng;
use tokio::sync::{oneshot, watch};
use troupe_registry::{Kind, RestartPolicy, ServiceSpec};

use crate::{ExitResult, Node, Pid, ProcessError, SpawnRequest, Value};

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

/// Cancel a process, wait up to `stop_timeout` for it to end, then terminate it
/// (SPEC §4.1 shutdown). Returns its exit result.
pub async fn stop_process(
    node: &Node,
    pid: &Pid,
    exit: oneshot::Receiver<ExitResult>,
    stop_timeout: Duration,
) -> ExitResult {
    let _ = node.cancel(None, &pid.to_string(), Some("shutdown".into()));
    let mut exit = exit;
    match tokio::time::timeout(stop_timeout, &mut exit).await {
        Ok(r) => r.unwrap_or(Ok(Value::Nil)),
        Err(_) => {
            tracing::warn!(pid = %pid, timeout = ?stop_timeout, "process ignored cancel; terminating");
            node.kill(pid, ProcessError::terminated());
            exit.await.unwrap_or(Ok(Value::Nil))
        }
    }
}

/// Handle on the running top-level services.
pub struct Services {
    shutdown: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Services {
    /// Start every auto-start service in `ids` (full IDs of `process.service` entries) on
    /// the current tokio runtime. `default_host` is used for services without `host`.
    pub fn start(node: &Node, ids: &[String], default_host: &str) -> Services {
        let (shutdown, shutdown_rx) = watch::channel(false);
        let mut started: HashMap<String, watch::Receiver<bool>> = HashMap::new();
        let mut stopped: HashMap<String, watch::Receiver<bool>> = HashMap::new();
        let mut senders = HashMap::new();
        for id in ids {
            let (st, sr) = watch::channel(false);
            let (pt, pr) = watch::channel(false);
            started.insert(id.clone(), sr);
            stopped.insert(id.clone(), pr);
            senders.insert(id.clone(), (st, pt));
        }
        let mut tasks = Vec::new();
        for id in ids {
            let Some(entry) = node.entry(id) else {
                continue;
            };
            let Kind::ProcessService(spec) = &entry.kind else {
                continue;
            };
            let spec = spec.clone();
            let requires: Vec<_> = spec
                .lifecycle
                .requires
                .iter()
                .filter_map(|r| started.get(r).cloned())
                .collect();
            let dependants: Vec<_> = ids
                .iter()
                .filter(|other| {
                    node.entry(other).is_some_and(|e| match &e.kind {
                        Kind::ProcessService(s) => s.lifecycle.requires.contains(id),
                        _ => false,
                    })
                })
                .filter_map(|o| stopped.get(o).cloned())
                .collect();
            let Some((started_tx, stopped_tx)) = senders.remove(id) else {
                continue;
            };
            let run = ServiceRun {
                node: node.clone(),
                id: id.clone(),
                host: spec
                    .host
                    .clone()
                    .unwrap_or_else(|| default_host.to_string()),
                spec,
                requires,
                dependants,
                shutdown: shutdown_rx.clone(),
                started: started_tx,
                stopped: stopped_tx,
            };
            tasks.push(tokio::spawn(run.run()));
        }
        Services { shutdown, tasks }
    }

    /// Stop all services in reverse dependency order and wait for them.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

struct ServiceRun {
    node: Node,
    id: String,
    host: String,
    spec: ServiceSpec,
    requires: Vec<watch::Receiver<bool>>,
    dependants: Vec<watch::Receiver<bool>>,
    shutdown: watch::Receiver<bool>,
    started: watch::Sender<bool>,
    stopped: watch::Sender<bool>,
}

impl ServiceRun {
    async fn run(mut self) {
        self.supervise().await;
        let _ = self.stopped.send(true);
    }

    async fn supervise(&mut self) {
        for r in &mut self.requires {
            let mut sd = self.shutdown.clone();
            tokio::select! {
                _ = wait_true(r) => {}
                _ = wait_true(&mut sd) => return,
            }
        }
        let policy = self.spec.lifecycle.restart.clone();
        let mut attempt: u32 = 0;
        loop {
            let began = Instant::now();
            let args = self.spec.input.iter().map(Value::from).collect();
            let req = SpawnRequest {
                entry: self.spec.process.clone(),
                host: self.host.clone(),
                args,
                ..Default::default()
            };
            let result = match self.node.spawn(None, req, true) {
                Err(e) => {
                    tracing::error!(service = %self.id, error = %e, "service failed to start");
                    Err(ProcessError::from(e))
                }
                Ok((pid, rx)) => {
                    let Some(mut rx) = rx else { return };
                    tracing::info!(service = %self.id, pid = %pid, attempt, "service started");
                    let _ = self.started.send(true);
                    let mut sd = self.shutdown.clone();
                    tokio::select! {
                        r = &mut rx => r.unwrap_or(Ok(Value::Nil)),
                        _ = wait_true(&mut sd) => {
                            for d in &mut self.dependants {
                                wait_true(d).await;
                            }
                            let r = stop_process(&self.node, &pid, rx, self.spec.lifecycle.stop_timeout).await;
                            tracing::info!(service = %self.id, pid = %pid, result = %describe(&r), "service stopped");
                            return;
                        }
                    }
                    .inspect(|v| tracing::info!(service = %self.id, pid = %pid, result = %v.display(), "service exited normally; not restarted"))
                    .inspect_err(|e| tracing::warn!(service = %self.id, pid = %pid, error = %e, "service exited with error"))
                }
            };
            if result.is_ok() {
                return;
            }
            if began.elapsed() >= self.spec.lifecycle.stable_threshold {
                attempt = 0;
            }
            attempt += 1;
            if policy.max_attempts > 0 && attempt > policy.max_attempts {
                tracing::error!(service = %self.id, attempts = policy.max_attempts, "service failed permanently: max_attempts reached");
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
}

fn describe(r: &ExitResult) -> String {
    match r {
        Ok(v) => v.display(),
        Err(e) => format!("error: {e}"),
    }
}

/// Wait until a flag becomes true (or its sender is gone).
async fn wait_true(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|v| *v).await.map(|_| ());
}
