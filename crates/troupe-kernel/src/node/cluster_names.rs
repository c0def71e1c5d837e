//! Cluster-wide names (SPEC §10, WIPPY-API.md §2 `process.registry.EVENTUAL`): a name
//! registered with scope `EVENTUAL` is known to every connected node and resolves from
//! each (`lookup`, `send` by name).
//!
//! Each node keeps the whole table ([`ClusterNames`]): its own processes' names and the
//! ones its peers announced. A registration or release is told to every node that is up
//! ([`RemoteOp::NameClaim`], [`RemoteOp::NameRelease`]); a node that comes up is told
//! every name held here ([`Node::node_up`]); a node that goes away takes its names with
//! it ([`Node::forget_names_of`]). A holder's exit releases its names everywhere.
//!
//! Conflicts (the same name held on two nodes, e.g. registered on both sides of a
//! partition) are settled the same way on every node: the older registration wins (its
//! registering node's clock, microseconds; a tie goes to the smaller node name), and the
//! node of the other holder sends it a CANCEL with reason `name conflict`.
//!
//! Why not ractor_cluster's process groups: a group's members are ractor actors (a Troupe
//! process is not one), and a group carries neither a Troupe PID nor a registration time
//! for the conflict rule; the table rides the router's frames instead, with the same
//! sessions and failure detection.

use std::sync::atomic::Ordering;

use dashmap::DashMap;

use super::Node;
use crate::process::ProcessRef;
use crate::remote::{RemoteOp, node_of};
use crate::{KernelError, Pid};

/// Most eventual names one process may hold (each is stored on every node of the
/// cluster).
pub const MAX_EVENTUAL_NAMES: usize = 64;

/// Longest eventual name, in bytes.
pub const MAX_NAME_BYTES: usize = 1024;

/// The reason of the CANCEL the losing holder of a conflict gets (SPEC §10).
pub const NAME_CONFLICT: &str = "name conflict";

/// One cluster-wide name.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Held {
    /// The holder's printed PID.
    pid: String,
    /// When it was registered (microseconds since the Unix epoch, the registering node's
    /// clock).
    at: u64,
}

impl Held {
    /// Whether `self` wins a conflict with `other` (older first, then the smaller node).
    fn wins_over(&self, other: &Held) -> bool {
        (self.at, node_of(&self.pid)) < (other.at, node_of(&other.pid))
    }
}

/// The cluster-wide name table of a node.
pub(crate) type ClusterNames = DashMap<String, Held>;

fn now_micros() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

impl Node {
    /// `process.registry.register(name, pid, EVENTUAL)`: bind `name` cluster-wide to `pid`
    /// (the caller when `None`), a process of this node, and tell every connected node.
    /// The same name and PID again is fine.
    ///
    /// Errors: [`KernelError::InvalidPid`] (not a printed PID);
    /// [`KernelError::NameTaken`] (held by another live process, here or on another
    /// node); `ProcessNotFound`; [`KernelError::Denied`] (`process.registry.register.eventual`
    /// on the name); [`KernelError::InvalidRequest`] for a PID of another node or a name
    /// over [`MAX_NAME_BYTES`]; [`KernelError::TooManyNames`] for a holder at
    /// [`MAX_EVENTUAL_NAMES`].
    pub fn register_eventual(
        &self,
        caller: &ProcessRef,
        name: &str,
        pid: Option<&str>,
    ) -> Result<(), KernelError> {
        let target = super::names::target_of(caller, pid)?;
        if !self.is_local_pid(target.as_str()) {
            return Err(KernelError::InvalidRequest(format!(
                "register: {target} is a process of another node; an eventual name is registered on the node of its process"
            )));
        }
        if name.len() > MAX_NAME_BYTES {
            return Err(KernelError::InvalidRequest(format!(
                "register: an eventual name is at most {MAX_NAME_BYTES} bytes, this one has {}",
                name.len()
            )));
        }
        self.check(Some(caller), "process.registry.register.eventual", || {
            name.to_string()
        })?;
        let p = self
            .process(&target)
            .ok_or_else(|| KernelError::ProcessNotFound(target.to_string()))?;
        let held = Held {
            pid: target.to_string(),
            at: now_micros(),
        };
        {
            // The holder's lock first, then the table's entry: as on its exit.
            let mut rel = p.relations.lock();
            if !rel.alive || p.killed.load(Ordering::Acquire) {
                return Err(KernelError::ProcessNotFound(target.to_string()));
            }
            // The same name and PID again is fine, even at the bound.
            let again = (self.0.cluster_names.get(name)).is_some_and(|h| h.pid == held.pid);
            if again {
                return Ok(());
            }
            if rel.remote.as_ref().map_or(0, |r| r.names.len()) >= MAX_EVENTUAL_NAMES {
                return Err(KernelError::TooManyNames(MAX_EVENTUAL_NAMES));
            }
            match self.0.cluster_names.entry(name.to_string()) {
                dashmap::Entry::Occupied(o) if o.get().pid == held.pid => return Ok(()),
                dashmap::Entry::Occupied(mut o) => {
                    if self.eventual_holder_alive(&o.get().pid) {
                        return Err(KernelError::NameTaken(name.to_string()));
                    }
                    o.insert(held.clone());
                }
                dashmap::Entry::Vacant(v) => {
                    v.insert(held.clone());
                }
            }
            rel.remote_mut().names.push(name.to_string());
        }
        self.tell_every_node(|| RemoteOp::NameClaim {
            name: name.to_string(),
            pid: held.pid.clone(),
            at: held.at,
        });
        Ok(())
    }

    /// `process.registry.unregister(name, EVENTUAL)`: release `name` when a process of
    /// this node holds it; returns whether it did.
    pub fn unregister_eventual(&self, name: &str) -> bool {
        let Some(held) = self.0.cluster_names.get(name).map(|h| h.clone()) else {
            return false;
        };
        if !self.is_local_pid(&held.pid) {
            return false;
        }
        if let Some(p) = self.resolve(&held.pid)
            && let Some(r) = p.relations.lock().remote.as_mut()
        {
            r.names.retain(|n| n != name);
        }
        self.release_eventual(name, &held.pid);
        true
    }

    /// `process.registry.lookup(name)` as both runtimes call it: this node's names first,
    /// then the cluster's (SPEC §10).
    pub fn lookup(&self, name: &str) -> Option<Pid> {
        self.lookup_name(name)
            .or_else(|| self.lookup_eventual(name))
    }

    /// The holder of a cluster-wide name, if any.
    pub fn lookup_eventual(&self, name: &str) -> Option<Pid> {
        let pid = self.0.cluster_names.get(name)?.pid.clone();
        Pid::parse(&pid)
    }

    /// Number of cluster-wide names known here (this node's and its peers').
    pub fn eventual_name_count(&self) -> usize {
        self.0.cluster_names.len()
    }

    /// Release `name` if `pid` holds it, and tell every node.
    pub(super) fn release_eventual(&self, name: &str, pid: &str) {
        if self
            .0
            .cluster_names
            .remove_if(name, |_, h| h.pid == pid)
            .is_some()
        {
            self.tell_every_node(|| RemoteOp::NameRelease {
                name: name.to_string(),
                pid: pid.to_string(),
            });
        }
    }

    /// Whether the holder `pid` of an eventual name is alive as far as this node knows:
    /// a local process not killed, or a process of another node (its names go when it
    /// exits or its node does).
    fn eventual_holder_alive(&self, pid: &str) -> bool {
        if !self.is_local_pid(pid) {
            return true;
        }
        self.resolve(pid)
            .is_some_and(|p| !p.killed.load(Ordering::Acquire))
    }

    /// Send `op()` to every node that is up.
    fn tell_every_node(&self, op: impl Fn() -> RemoteOp) {
        if let Some(remote) = self.remote() {
            for n in remote.nodes() {
                let _ = remote.send(&n, op());
            }
        }
    }

    /// Node `from_node` announced that its process `pid` holds `name` since `at`.
    pub(super) fn name_claimed(&self, name: String, pid: String, at: u64) {
        if name.len() > MAX_NAME_BYTES {
            return;
        }
        let theirs = Held { pid, at };
        let loser = match self.0.cluster_names.entry(name.clone()) {
            dashmap::Entry::Vacant(v) => {
                v.insert(theirs);
                None
            }
            dashmap::Entry::Occupied(mut o) => {
                let ours = o.get().clone();
                if ours.pid == theirs.pid || !theirs.wins_over(&ours) {
                    // Ours wins (its node tells the other holder) or nothing changed.
                    None
                } else {
                    o.insert(theirs);
                    Some(ours.pid)
                }
            }
        };
        // A holder of this node lost: it no longer holds the name and is told why.
        if let Some(lost) = loser
            && self.is_local_pid(&lost)
            && let Some(p) = self.resolve(&lost)
        {
            if let Some(r) = p.relations.lock().remote.as_mut() {
                r.names.retain(|n| *n != name);
            }
            tracing::warn!(name = %name, pid = %lost, "eventual name held on two nodes; the older registration wins, this holder is cancelled");
            p.offer_cancel(None, Some(NAME_CONFLICT.to_string()));
        }
    }

    /// Node `from_node` released `name` held by its process `pid`.
    pub(super) fn name_released(&self, name: &str, pid: &str) {
        self.0.cluster_names.remove_if(name, |_, h| h.pid == pid);
    }

    /// Node `node` is up: tell it every name a process of this node holds.
    pub fn node_up(&self, node: &str) {
        let Some(remote) = self.remote() else { return };
        let ours: Vec<(String, Held)> = self
            .0
            .cluster_names
            .iter()
            .filter(|e| self.is_local_pid(&e.value().pid))
            .map(|e| (e.key().clone(), e.value().clone()))
            .collect();
        for (name, held) in ours {
            let _ = remote.send(
                node,
                RemoteOp::NameClaim {
                    name,
                    pid: held.pid,
                    at: held.at,
                },
            );
        }
    }

    /// Node `node` went away: its names vanish (SPEC §10).
    pub(super) fn forget_names_of(&self, node: &str) {
        self.0.cluster_names.retain(|_, h| node_of(&h.pid) != node);
    }
}
