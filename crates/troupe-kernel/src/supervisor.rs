//! `process.supervisor` (SPEC §4.2): an OTP supervisor as a kernel-native process.
//!
//! A supervisor has a PID like any process (it can be monitored, linked, cancelled and
//! terminated). It monitors its children and learns of their exits from EXIT events in its
//! own mailbox, as OTP's `supervisor` does from `'EXIT'` messages, so it never polls.
//!
//! Rules, all as in OTP's `supervisor` module:
//! - children start one at a time in declared order; each must be running (its first
//!   slice done, or for a nested supervisor all of its own children running) before the
//!   next starts. An error exit before running is a failed start; during the initial start
//!   it stops the children already started (reverse order) and the supervisor fails.
//! - restart types: `permanent` (always restarted), `transient` (only after an error exit),
//!   `temporary` (never; removed from the supervisor when it exits or is stopped).
//! - strategies: `one_for_one` restarts the failed child; `one_for_all` stops every other
//!   running child in reverse start order and starts them all again in order;
//!   `rest_for_one` does the same for the children after the failed one.
//! - restart intensity: more than `intensity` restarts within `period` makes the supervisor
//!   stop all children (reverse order) and exit with an error; its parent then applies its
//!   own strategy (escalation).
//! - shutdown (a CANCEL, e.g. from the parent or the node): children are stopped in reverse
//!   start order, each by its `stop_timeout`: cancel, wait, terminate (`brutal_kill`:
//!   terminate at once; `infinity`: wait forever); then the supervisor exits normally.
//! - if the supervisor itself is killed, every child still running is terminated, and so
//!   is a child it was starting or stopping at that moment.
//!
//! Every start, exit (with reason), restart, stop and escalation is one log line with the
//! supervisor ID, child ID and PID.

use std::collections::{HashMap, VecDeque};
use std::future::poll_fn;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::Poll;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;
use troupe_registry::{Kind, RestartType, Shutdown, Strategy, SupervisorSpec};

use crate::message::{Envelope, Event};
use crate::runtime::{ProcessBody, ProcessContext, Runtime};
use crate::{ErrorKind, ExitResult, Node, Pid, ProcessError, ProcessRef, SpawnOptions, Value};
use crate::{KernelError, SpawnRequest, describe};

/// How often the start of a child on another node is tried again while that node is
/// not connected (within the child's `start_timeout`).
const RECONNECT_POLL: Duration = Duration::from_millis(100);

/// The runtime for `process.supervisor` entries; the node registers it itself.
pub struct SupervisorRuntime;

impl Runtime for SupervisorRuntime {
    fn kinds(&self) -> &'static [&'static str] {
        &["process.supervisor"]
    }

    fn start(&self, ctx: ProcessContext) -> Result<ProcessBody, ProcessError> {
        let Kind::ProcessSupervisor(spec) = &ctx.entry.kind else {
            return Err(ProcessError::new(
                ErrorKind::Invalid,
                format!("{} is not a process.supervisor", ctx.entry.id),
            ));
        };
        let children = spec
            .children
            .iter()
            .map(|id| ChildSpec::resolve(&ctx.node, id))
            .collect::<Result<Vec<_>, _>>()?;
        // Children's errors arrive as EXIT events, never as link cascades.
        ctx.handle.trap_links.store(true, Ordering::Release);
        let sup = Supervisor {
            ready: ctx.handle.take_ready(),
            node: ctx.node,
            id: ctx.entry.id.as_str().into(),
            inbox: Inbox::new(ctx.handle.clone()),
            handle: ctx.handle,
            spec: spec.clone(),
            children,
            by_pid: HashMap::new(),
            in_flight: None,
            restarts: VecDeque::new(),
        };
        Ok(Box::pin(sup.run()))
    }
}

/// A child as declared: how to start and stop it.
struct ChildSpec {
    id: Arc<str>,
    request: SpawnRequest,
    restart: RestartType,
    shutdown: Shutdown,
    start_timeout: Duration,
    /// Currently running process (`None` after an exit that is not restarted).
    pid: Option<Pid>,
    /// The last process started for this child (the one a restart replaces).
    last: Option<Pid>,
    /// Restarts of this child since the supervisor started (`system.supervisor.state`'s
    /// `retry_count`).
    restarts: u64,
}

impl ChildSpec {
    fn resolve(node: &Node, id: &str) -> Result<ChildSpec, ProcessError> {
        let entry = node.entry(id).ok_or_else(|| {
            ProcessError::new(ErrorKind::NotFound, format!("child {id} does not exist"))
        })?;
        let (mut request, lifecycle, supervisor) = match &entry.kind {
            Kind::ProcessService(s) => (
                SpawnRequest {
                    entry: s.process.clone(),
                    // `host: NODE@HOST_ID`: the child runs on that node (SPEC §10).
                    host: {
                        let host = s.host.clone().unwrap_or_else(|| node.default_host());
                        match &s.node {
                            Some(n) => format!("{n}@{host}"),
                            None => host,
                        }
                    },
                    args: s.input.iter().map(Value::from).collect(),
                    monitor: true,
                    ..Default::default()
                },
                &s.lifecycle,
                false,
            ),
            Kind::ProcessSupervisor(s) => (
                SpawnRequest {
                    entry: entry.id.clone(),
                    host: node.default_host(),
                    monitor: true,
                    ..Default::default()
                },
                &s.lifecycle,
                true,
            ),
            _ => {
                return Err(ProcessError::new(
                    ErrorKind::Invalid,
                    match &entry.kind {
                        Kind::Unimplemented(kind) => format!(
                            "child {id} has kind {kind}, which Troupe does not implement; expected process.service or process.supervisor"
                        ),
                        _ => format!(
                            "child {id} is a {}; expected process.service or process.supervisor",
                            entry.kind_name()
                        ),
                    },
                ));
            }
        };
        // `lifecycle.security` (SPEC §7.3): the child runs with its own actor and policies.
        let (actor, scope) = node.security_context(lifecycle.security.as_ref());
        request.actor = actor;
        request.scope = scope;
        Ok(ChildSpec {
            id: entry.id.as_str().into(),
            request,
            restart: lifecycle
                .restart
                .restart_type
                .unwrap_or(RestartType::Permanent),
            shutdown: lifecycle.shutdown(supervisor),
            start_timeout: lifecycle.start_timeout,
            pid: None,
            last: None,
            restarts: 0,
        })
    }
}

/// The supervisor's mailbox, read directly (it is a native process): inbox and events
/// open, so it takes every item in arrival order; [`Inbox::exit_of`] is a selective
/// receive of one child's EXIT, which the kernel mailbox answers from its events queue.
struct Inbox {
    handle: ProcessRef,
}

impl Inbox {
    fn new(handle: ProcessRef) -> Inbox {
        handle.open_inbox();
        handle.open_events();
        Inbox { handle }
    }

    async fn next(&mut self) -> Envelope {
        poll_fn(|cx| {
            if let Some((_, e)) = self.handle.take_next() {
                return Poll::Ready(e);
            }
            // Register, then look again: an item arriving in between still wakes us.
            self.handle.register_waker(cx.waker());
            match self.handle.take_next() {
                Some((_, e)) => Poll::Ready(e),
                None => Poll::Pending,
            }
        })
        .await
    }

    /// Wait for the EXIT event of `pid`, keeping every other item in order for later.
    /// The supervisor monitors every child it starts, so the event always comes.
    async fn exit_of(&mut self, pid: &Pid) -> ExitResult {
        let handle = self.handle.clone();
        let take = || {
            handle
                .take_event(|e| matches!(e, Event::Exit { from, .. } if from == pid))
                .and_then(|e| exit_result(Envelope::Event(e)))
        };
        poll_fn(|cx| {
            if let Some(r) = take() {
                return Poll::Ready(r);
            }
            handle.register_waker(cx.waker());
            match take() {
                Some(r) => Poll::Ready(r),
                None => Poll::Pending,
            }
        })
        .await
    }

    /// [`Inbox::exit_of`], or `None` when `deadline` passes first.
    async fn exit_within(&mut self, pid: &Pid, deadline: Instant) -> Option<ExitResult> {
        tokio::time::timeout_at(tokio::time::Instant::from_std(deadline), self.exit_of(pid))
            .await
            .ok()
    }
}

fn exit_result(e: Envelope) -> Option<ExitResult> {
    match e {
        Envelope::Event(Event::Exit { result, .. }) => Some(result),
        _ => None,
    }
}

struct Supervisor {
    node: Node,
    handle: ProcessRef,
    id: Arc<str>,
    spec: SupervisorSpec,
    inbox: Inbox,
    children: Vec<ChildSpec>,
    /// Running children by PID (the whole PID: a child on another node has a counter of
    /// that node's).
    by_pid: HashMap<Pid, usize>,
    /// The child being started (spawned, not yet running) or stopped (cancelled, not yet
    /// exited): in no `ChildSpec::pid`, but still this supervisor's to kill if it dies.
    in_flight: Option<Pid>,
    /// Times of recent restarts, for the intensity check.
    restarts: VecDeque<Instant>,
    ready: Option<oneshot::Sender<()>>,
}

impl Drop for Supervisor {
    /// A killed supervisor takes its children with it (OTP: children are linked),
    /// including one it was starting or stopping when it died.
    fn drop(&mut self) {
        let why = ProcessError::new(ErrorKind::Canceled, "supervisor exited");
        for c in &self.children {
            if let Some(pid) = &c.pid {
                self.node.kill(pid, why.clone());
                self.node
                    .unit_ended(&c.id, Some(pid), &Err(why.clone()), true, false);
            }
        }
        if let Some(pid) = &self.in_flight {
            self.node.kill(pid, why);
        }
    }
}

impl Supervisor {
    async fn run(mut self) -> ExitResult {
        let me = self.handle.pid.clone();
        for i in 0..self.children.len() {
            if let Err(e) = self.start_child(i).await {
                tracing::error!(supervisor = %self.id, pid = %me, child = %self.children[i].id, error = %e, "child failed to start; supervisor stopping");
                self.stop_all().await;
                return Err(ProcessError::new(
                    e.kind,
                    format!(
                        "supervisor {}: child {} failed to start: {}",
                        self.id, self.children[i].id, e.message
                    ),
                ));
            }
        }
        tracing::info!(supervisor = %self.id, pid = %me, strategy = self.spec.strategy.as_str(), children = self.children.len(), "supervisor running");
        if let Some(tx) = self.ready.take() {
            let _ = tx.send(());
        }
        loop {
            match self.inbox.next().await {
                Envelope::Event(Event::Cancel { reason, .. }) => {
                    tracing::info!(supervisor = %self.id, pid = %me, reason = reason.as_deref().unwrap_or(""), "supervisor stopping children in reverse order");
                    self.stop_all().await;
                    tracing::info!(supervisor = %self.id, pid = %me, "supervisor stopped");
                    return Ok(Value::str("shutdown"));
                }
                Envelope::Event(Event::Exit { from, result }) => {
                    if let Some(i) = self.by_pid.remove(&from) {
                        self.children[i].pid = None;
                        self.child_exited(i, &from, result).await?;
                    }
                }
                // Plain messages are ignored: received, so their bytes leave the
                // mailbox bound (SPEC §3.6).
                Envelope::Message(m) => self.inbox.handle.release(m.charge),
                // LINK_DOWN from processes that linked to us: ignored.
                _ => {}
            }
        }
    }

    /// Start child `i` and wait until it runs (or fails, or misses its `start_timeout`).
    ///
    /// Errors: the spawn was refused, the child exited with an error before running, or
    /// it did not run within its start timeout (it is then terminated).
    async fn start_child(&mut self, i: usize) -> Result<(), ProcessError> {
        let child = &self.children[i];
        self.node.unit_starting(&child.id, child.restarts);
        if self.node.remote_host(&child.request.host).is_some() {
            return self.start_remote_child(i).await;
        }
        let spawned = self
            .node
            .spawn_with(
                Some(&self.handle),
                child.request.clone(),
                SpawnOptions {
                    watch: false,
                    ready: true,
                },
            )
            .map_err(|e| {
                let e = ProcessError::from(e);
                self.node
                    .unit_ended(&child.id, None, &Err(e.clone()), false, false);
                e
            })?;
        let pid = spawned.pid;
        self.in_flight = Some(pid.clone());
        let timeout = child.start_timeout;
        let ready = spawned.ready;
        let started = match ready {
            Some(rx) => match tokio::time::timeout(timeout, rx).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(_)) => match self.inbox.exit_of(&pid).await {
                    // Ran to a normal end at once: started, and its exit is handled next
                    // (queued again, after what arrived meanwhile, for the main loop).
                    Ok(v) => {
                        self.inbox.handle.deliver(Envelope::Event(Event::Exit {
                            from: pid.clone(),
                            result: Ok(v),
                        }));
                        Ok(())
                    }
                    Err(e) => Err(e),
                },
                Err(_) => {
                    self.node.kill(&pid, ProcessError::terminated());
                    let _ = self.inbox.exit_of(&pid).await;
                    Err(ProcessError::new(
                        ErrorKind::Timeout,
                        format!(
                            "not running within start_timeout {}",
                            humantime::format_duration(timeout)
                        ),
                    ))
                }
            },
            None => Ok(()),
        };
        self.in_flight = None;
        let child = &mut self.children[i];
        match started {
            Ok(()) => {
                tracing::info!(supervisor = %self.id, child = %child.id, pid = %pid, "child started");
                self.running(i, pid);
                Ok(())
            }
            Err(e) => {
                tracing::warn!(supervisor = %self.id, child = %child.id, pid = %pid, error = %e, "child failed to start");
                self.node
                    .unit_ended(&child.id, Some(&pid), &Err(e.clone()), false, false);
                Err(e)
            }
        }
    }

    /// Start child `i` on another node's host (`host: NODE@HOST_ID`, SPEC §10): started
    /// once that node answers with its PID (monitored from then on, as a local child).
    /// While the node is not connected (not up yet at boot, or away after a failure) the
    /// start is tried again every [`RECONNECT_POLL`] within the child's `start_timeout`:
    /// a child whose node was killed is restarted when the node is back in time. Fails
    /// when that node refuses (its policies, an unknown entry), or the timeout passes (a
    /// child it starts later is then terminated by the kernel).
    async fn start_remote_child(&mut self, i: usize) -> Result<(), ProcessError> {
        let child = &self.children[i];
        let timeout = child.start_timeout;
        let deadline = tokio::time::Instant::now() + timeout;
        let attempt = async {
            loop {
                let r = match self.node.spawn_remote(&self.handle, child.request.clone()) {
                    Err(e) => Err(e),
                    Ok(reply) => reply.await,
                };
                match r {
                    Err(KernelError::NoConnection(_)) => {
                        tokio::time::sleep(RECONNECT_POLL).await;
                    }
                    r => return r.map_err(ProcessError::from),
                }
            }
        };
        let started = match tokio::time::timeout_at(deadline, attempt).await {
            Ok(r) => r,
            Err(_) => Err(ProcessError::new(
                ErrorKind::Timeout,
                format!(
                    "not started on {} within start_timeout {}: its node is not connected (noconnection) or did not answer",
                    child.request.host,
                    humantime::format_duration(timeout)
                ),
            )),
        };
        let child = &mut self.children[i];
        match started {
            Ok(pid) => {
                tracing::info!(supervisor = %self.id, child = %child.id, pid = %pid, "child started on another node");
                self.running(i, pid);
                Ok(())
            }
            Err(e) => {
                tracing::warn!(supervisor = %self.id, child = %child.id, host = %child.request.host, error = %e, "child failed to start on another node");
                self.node
                    .unit_ended(&child.id, None, &Err(e.clone()), false, false);
                Err(e)
            }
        }
    }

    /// Child `i` is running as `pid`.
    fn running(&mut self, i: usize, pid: Pid) {
        let child = &mut self.children[i];
        self.node.unit_running(&child.id, &pid);
        self.by_pid.insert(pid.clone(), i);
        child.last = Some(pid.clone());
        child.pid = Some(pid);
    }

    /// Stop child `i` by its shutdown setting; logs and returns nothing (the reason is
    /// only logged: a stopped child is never restarted for this exit).
    async fn stop_child(&mut self, i: usize) {
        let Some(pid) = self.children[i].pid.take() else {
            return;
        };
        self.by_pid.remove(&pid);
        self.in_flight = Some(pid.clone());
        self.node.unit_stopping(&self.children[i].id);
        let shutdown = self.children[i].shutdown;
        let result = match shutdown {
            Shutdown::BrutalKill => {
                self.node.kill(&pid, ProcessError::terminated());
                self.inbox.exit_of(&pid).await
            }
            Shutdown::Infinity => {
                let _ = self
                    .node
                    .cancel(Some(&self.handle), pid.as_str(), Some("shutdown".into()));
                self.inbox.exit_of(&pid).await
            }
            Shutdown::After(d) => {
                let _ = self
                    .node
                    .cancel(Some(&self.handle), pid.as_str(), Some("shutdown".into()));
                match self.inbox.exit_within(&pid, Instant::now() + d).await {
                    Some(r) => r,
                    None => {
                        tracing::warn!(supervisor = %self.id, child = %self.children[i].id, pid = %pid, stop_timeout = %shutdown, "child ignored cancel; terminating");
                        self.node.kill(&pid, ProcessError::terminated());
                        self.inbox.exit_of(&pid).await
                    }
                }
            }
        };
        self.in_flight = None;
        tracing::info!(supervisor = %self.id, child = %self.children[i].id, pid = %pid, result = %describe(&result), "child stopped");
        self.node
            .unit_ended(&self.children[i].id, Some(&pid), &result, true, false);
    }

    /// Stop every running child in reverse start order.
    async fn stop_all(&mut self) {
        for i in (0..self.children.len()).rev() {
            self.stop_child(i).await;
        }
    }

    /// React to the exit of child `i` by its restart type and the strategy.
    ///
    /// Errors: the restart intensity was exceeded (escalation); children are stopped.
    async fn child_exited(
        &mut self,
        i: usize,
        pid: &Pid,
        result: ExitResult,
    ) -> Result<(), ProcessError> {
        let child = &mut self.children[i];
        match &result {
            Ok(v) => {
                tracing::info!(supervisor = %self.id, child = %child.id, pid = %pid, result = %v.display(), restart = child.restart.as_str(), "child exited")
            }
            Err(e) => {
                tracing::warn!(supervisor = %self.id, child = %child.id, pid = %pid, error = %e, restart = child.restart.as_str(), "child exited with error")
            }
        }
        let restart = match child.restart {
            RestartType::Permanent => true,
            RestartType::Transient => result.is_err(),
            RestartType::Temporary => false,
        };
        self.node
            .unit_ended(&child.id, Some(pid), &result, false, restart);
        if !restart {
            return Ok(());
        }
        let reason = describe(&result);
        self.restart(i, &reason).await
    }

    /// Apply the strategy for failed child `failed`, retrying (and counting) failed starts.
    async fn restart(&mut self, mut failed: usize, reason: &str) -> Result<(), ProcessError> {
        let me = self.handle.pid.clone();
        let mut reason = reason.to_string();
        // Children a failed attempt was still to start: the retry starts them too (OTP
        // restarts the whole group again), though they have no running process.
        let mut owed: Vec<usize> = Vec::new();
        loop {
            if !self.add_restart() {
                tracing::error!(supervisor = %self.id, pid = %me, child = %self.children[failed].id, intensity = self.spec.intensity, period = %humantime::format_duration(self.spec.period), "restart intensity exceeded; stopping children and escalating");
                self.stop_all().await;
                return Err(ProcessError::new(
                    ErrorKind::Unavailable,
                    format!(
                        "supervisor {}: restart intensity exceeded (more than {} restarts within {}); last failure: child {}: {}",
                        self.id,
                        self.spec.intensity,
                        humantime::format_duration(self.spec.period),
                        self.children[failed].id,
                        reason
                    ),
                ));
            }
            let n = self.children.len();
            let affected = match self.spec.strategy {
                Strategy::OneForOne => failed..failed + 1,
                Strategy::OneForAll => 0..n,
                Strategy::RestForOne => failed..n,
            };
            let to_start: Vec<usize> = affected
                .clone()
                .filter(|&j| {
                    j == failed
                        || owed.contains(&j)
                        || (self.children[j].pid.is_some()
                            && self.children[j].restart != RestartType::Temporary)
                })
                .collect();
            for j in affected.rev() {
                if j != failed {
                    self.stop_child(j).await;
                }
            }
            let mut retry = None;
            for (k, &j) in to_start.iter().enumerate() {
                let c = &self.children[j];
                let old = c.last.as_ref().map(|p| p.as_str()).unwrap_or("");
                tracing::info!(supervisor = %self.id, child = %c.id, pid = old, strategy = self.spec.strategy.as_str(), "child restarting");
                self.children[j].restarts += 1;
                if let Err(e) = self.start_child(j).await {
                    retry = Some((j, e));
                    owed = to_start[k + 1..].to_vec();
                    break;
                }
            }
            match retry {
                None => return Ok(()),
                Some((j, e)) => {
                    failed = j;
                    reason = format!("error: {e}");
                }
            }
        }
    }

    /// Record a restart; false when that makes more than `intensity` within `period`.
    fn add_restart(&mut self) -> bool {
        let now = Instant::now();
        self.restarts.push_back(now);
        while let Some(t) = self.restarts.front() {
            if now.duration_since(*t) > self.spec.period {
                self.restarts.pop_front();
            } else {
                break;
            }
        }
        self.restarts.len() as u64 <= u64::from(self.spec.intensity)
    }
}
