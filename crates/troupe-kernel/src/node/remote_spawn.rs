//! Spawning on another node's host (SPEC §10): `process.spawn*(id, "NODE@HOST_ID", ...)`.
//!
//! The spawner's node sends a [`RemoteSpawn`] and keeps a [`PendingSpawn`] under a
//! reference; the receiving node checks the spawn against *its* policies with the
//! spawner's actor and scope (SPEC §7.2, the same checks as a local spawn), starts the
//! child with the far half of the requested link/monitor already installed, and answers
//! with [`RemoteOp::Spawned`] *before* the child runs. Frames between two nodes keep
//! their order, so the answer reaches the spawner's node before any exit signal of the
//! child; there the near half is installed and the spawner is woken with the PID.
//!
//! A spawner that stopped waiting (it exited, or a supervisor's start timed out) never
//! learns the child's PID: the child is terminated and no relation is left behind. A node
//! that goes away fails every spawn waiting on it with `noconnection`
//! ([`Node::fail_remote_spawns`]).

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::oneshot;

use super::Node;
use super::spawn::Far;
use crate::process::ProcessRef;
use crate::remote::{RemoteOp, RemoteSpawn};
use crate::security::Scope;
use crate::{KernelError, Pid, ProcessError, SpawnRequest};

/// A remote spawn waiting for its answer.
pub(crate) struct PendingSpawn {
    /// The node asked.
    node: String,
    parent: ProcessRef,
    link: bool,
    monitor: bool,
    tx: oneshot::Sender<Result<Pid, KernelError>>,
}

/// Remote spawns waiting for their answers, by reference.
#[derive(Default)]
pub(crate) struct PendingSpawns {
    next: std::sync::atomic::AtomicU64,
    waiting: parking_lot::Mutex<HashMap<u64, PendingSpawn>>,
}

/// Where a spawn went: a process of this node, or a spawn on another node whose answer
/// the caller awaits (see [`Node::spawn_anywhere`]).
pub enum Started {
    Here(Pid),
    There(std::pin::Pin<Box<dyn Future<Output = Result<Pid, KernelError>> + Send>>),
}

impl Node {
    /// `process.spawn*` as every runtime calls it: on a host of this node at once
    /// ([`Node::spawn`]), on `NODE@HOST_ID` of another node as a remote spawn
    /// ([`Node::spawn_remote`]) whose answer the caller awaits without blocking its
    /// thread.
    ///
    /// Errors: as [`Node::spawn`] and [`Node::spawn_remote`].
    pub fn spawn_anywhere(
        &self,
        parent: &ProcessRef,
        req: SpawnRequest,
    ) -> Result<Started, KernelError> {
        if self.remote_host(&req.host).is_some() {
            return Ok(Started::There(Box::pin(self.spawn_remote(parent, req)?)));
        }
        self.spawn(Some(parent), req, false)
            .map(|(pid, _)| Started::Here(pid))
    }

    /// The node and host of a spawn's `host` when it names another node's host
    /// (`NODE@HOST_ID`, SPEC §10); `None` for a host of this node (`HOST_ID`, or this
    /// node's own name before the `@`).
    pub fn remote_host<'a>(&self, host: &'a str) -> Option<(&'a str, &'a str)> {
        let (node, id) = host.split_once('@')?;
        (node != self.name()).then_some((node, id))
    }

    /// Spawn on another node's host: `req.host` is `NODE@HOST_ID` (see
    /// [`Node::remote_host`]). Resolves to the child's PID once that node started it, or
    /// to why it did not: its policies refused ([`KernelError::Remote`] with kind
    /// `PERMISSION_DENIED`), its entry or host is unknown there, or the node went away
    /// (`NoConnection`). The link/monitor `req` asks for is in place before the child runs.
    ///
    /// Errors (at once): `req.host` names no other node; no transport or the node is not
    /// connected; `req.name` is set (a remote spawn does not register names: the child
    /// can register its own).
    pub fn spawn_remote(
        &self,
        parent: &ProcessRef,
        req: SpawnRequest,
    ) -> Result<impl Future<Output = Result<Pid, KernelError>> + Send + 'static, KernelError> {
        let Some((node, host)) = self.remote_host(&req.host) else {
            return Err(KernelError::HostNotFound(req.host.clone()));
        };
        if req.name.is_some() {
            return Err(KernelError::InvalidRequest(format!(
                "spawn on {}: a spawn on another node cannot register a name (with_name); the child can register its own",
                req.host
            )));
        }
        let remote = self.remote_or_err(&req.host)?;
        let pending = &self.0.remote_spawns;
        let reference = pending
            .next
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let ids = |s: &Scope| s.policies.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
        let context = req
            .context
            .as_ref()
            .or(parent.context.as_ref())
            .map(|c| c.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
        let op = RemoteOp::Spawn(Box::new(RemoteSpawn {
            reference,
            from: parent.pid.to_string(),
            caller_actor: parent.actor.as_deref().cloned(),
            caller_policies: parent.scope.as_deref().map(ids),
            actor: req.actor.as_deref().cloned(),
            policies: req.scope.as_deref().map(ids),
            context,
            entry: req.entry,
            host: host.to_string(),
            args: req.args,
            link: req.link,
            monitor: req.monitor,
            trap_links: req.trap_links,
            messages: req.messages,
        }));
        let (tx, rx) = oneshot::channel();
        pending.waiting.lock().insert(
            reference,
            PendingSpawn {
                node: node.to_string(),
                parent: parent.clone(),
                link: req.link,
                monitor: req.monitor,
                tx,
            },
        );
        if let Err(e) = remote.send(node, op) {
            pending.waiting.lock().remove(&reference);
            return Err(e);
        }
        let node = node.to_string();
        Ok(async move { rx.await.unwrap_or(Err(KernelError::NoConnection(node))) })
    }

    /// Node `node` went away: every spawn waiting on it fails with `noconnection`.
    pub(crate) fn fail_remote_spawns(&self, node: &str) {
        let gone: Vec<PendingSpawn> = {
            let mut w = self.0.remote_spawns.waiting.lock();
            let refs: Vec<u64> = w
                .iter()
                .filter(|(_, p)| p.node == node)
                .map(|(r, _)| *r)
                .collect();
            refs.into_iter().filter_map(|r| w.remove(&r)).collect()
        };
        for p in gone {
            let _ = p.tx.send(Err(KernelError::NoConnection(node.to_string())));
        }
    }

    /// The answer to one of our remote spawns, from node `from_node`.
    ///
    /// Errors: the child's PID is not of `from_node`, or malformed (the spawn fails).
    pub(super) fn remote_spawned(
        &self,
        from_node: &str,
        reference: u64,
        result: Result<String, ProcessError>,
    ) -> Result<(), KernelError> {
        let p = {
            let mut w = self.0.remote_spawns.waiting.lock();
            // Only the node that was asked may answer.
            match w.get(&reference) {
                Some(p) if p.node == from_node => w.remove(&reference),
                _ => None,
            }
        };
        let Some(p) = p else { return Ok(()) };
        let child = match result {
            Err(e) => {
                let _ = p.tx.send(Err(KernelError::Remote(Box::new(e))));
                return Ok(());
            }
            Ok(c) => c,
        };
        let pid = match Pid::parse(&child) {
            Some(pid) if pid.node() == from_node => pid,
            _ => {
                let _ = p.tx.send(Err(KernelError::InvalidPid(child.clone())));
                return Err(KernelError::InvalidPid(child));
            }
        };
        // The near half goes in only while the spawner still waits. One that stopped
        // waiting (it exited, a supervisor's start timed out) never got the PID and
        // holds no relation: nobody could stop or watch the child, so it is terminated,
        // as a supervisor kills a child it was starting when it died.
        let installed = {
            let mut rel = p.parent.relations.lock();
            let waiting = rel.alive && !p.tx.is_closed();
            if waiting {
                let r = rel.remote_mut();
                if p.link {
                    r.links.insert(child.clone());
                }
                if p.monitor {
                    r.monitoring.push(child.clone());
                }
            }
            waiting
        };
        if !installed {
            if let Some(remote) = self.remote() {
                let _ = remote.send(
                    from_node,
                    RemoteOp::Terminate {
                        from: None,
                        to: child,
                    },
                );
            }
            return Ok(());
        }
        let _ = p.tx.send(Ok(pid));
        Ok(())
    }

    /// A spawn another node asked for: checked as a local spawn with the spawner's actor
    /// and scope, started, and answered (before the child runs).
    pub(super) fn spawn_for_remote(
        &self,
        from_node: &str,
        s: RemoteSpawn,
    ) -> Result<(), KernelError> {
        let reply_to = s.from.clone();
        let reference = s.reference;
        let remote = self.remote_or_err(&reply_to)?.clone();
        let reply = |result: Result<String, ProcessError>| {
            let _ = remote.send(
                from_node,
                RemoteOp::Spawned {
                    reference,
                    to: reply_to.clone(),
                    result,
                },
            );
        };
        let announced = std::cell::Cell::new(false);
        let announce = |pid: &Pid| {
            announced.set(true);
            reply(Ok(pid.to_string()));
        };
        let started = self.start_for_remote(s, &announce);
        if let Err(e) = started
            && !announced.get()
        {
            reply(Err(e.into()));
        }
        Ok(())
    }

    fn start_for_remote(&self, s: RemoteSpawn, announce: &dyn Fn(&Pid)) -> Result<(), KernelError> {
        let caller_actor = s.caller_actor.map(Arc::new);
        let caller_scope = match s.caller_policies {
            Some(ids) => Some(Arc::new(self.scope_of(&ids)?)),
            None => None,
        };
        let who = &s.from;
        let check = |action: &str, resource: &str| {
            self.check_as(
                who,
                caller_actor.as_deref(),
                caller_scope.as_deref(),
                action,
                resource,
            )
        };
        check("process.spawn", &s.entry)?;
        check("process.host", &s.host)?;
        if s.actor.is_some() || s.policies.is_some() {
            check("process.security", &s.entry)?;
        }
        let scope = match s.policies {
            Some(ids) => Some(Arc::new(self.scope_of(&ids)?)),
            None => caller_scope,
        };
        let req = SpawnRequest {
            entry: s.entry,
            host: s.host,
            args: s.args,
            link: false,
            monitor: false,
            actor: s.actor.map(Arc::new).or(caller_actor.clone()),
            scope,
            context: Some(Arc::new(
                s.context.unwrap_or_default().into_iter().collect(),
            )),
            name: None,
            messages: s.messages,
            trap_links: s.trap_links,
        };
        let far = Far {
            parent: &s.from,
            actor: caller_actor,
            link: s.link,
            monitor: s.monitor,
            announce,
        };
        self.start_far(req, far).map(|_| ())
    }

    /// The scope made of the policies with these entry IDs.
    ///
    /// Errors: an ID that names no policy of this node (a spawn is refused rather than
    /// run under fewer policies than its caller has).
    fn scope_of(&self, ids: &[String]) -> Result<Scope, KernelError> {
        let mut policies = Vec::with_capacity(ids.len());
        for id in ids {
            let p = self
                .policies()
                .iter()
                .find(|p| p.id == *id)
                .ok_or_else(|| {
                    KernelError::Denied(format!(
                        "the spawner's scope holds policy {id}, which this node does not have"
                    ))
                })?;
            policies.push(p.clone());
        }
        Ok(Scope::new(policies))
    }
}
