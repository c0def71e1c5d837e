//! The process table of a [`Node`]: live processes by PID counter (a `DashMap`), how a
//! destination (a printed PID or a registered name) resolves to one, and the snapshots
//! `system.hosts` and the leak checks read.

use std::collections::HashMap;
use std::sync::Arc;

use super::Node;
use crate::process::ProcessRef;
use crate::{KernelError, Pid, ProcessError};

impl Node {
    /// A live process by PID.
    pub fn process(&self, pid: &Pid) -> Option<ProcessRef> {
        // A PID of another node is never a local process, whatever its counter.
        if !self.is_local_pid(pid.as_str()) {
            return None;
        }
        self.0.procs.get(&pid.id).map(|p| p.clone())
    }

    /// Resolve a destination: a printed PID or a registered name.
    pub fn resolve(&self, dest: &str) -> Option<ProcessRef> {
        // A PID of another node is never a local process, whatever its counter.
        if dest.starts_with('{') && !self.is_local_pid(dest) {
            return None;
        }
        self.resolve_known_local(dest)
    }

    /// [`Node::resolve`] for a `dest` already known not to be a PID of another node
    /// ([`Node::foreign_node`] said so): the send path checks the node part once.
    pub(super) fn resolve_known_local(&self, dest: &str) -> Option<ProcessRef> {
        let id = if dest.starts_with('{') {
            Pid::parse_id(dest)?
        } else {
            *self.0.names.get(dest)?
        };
        self.0.procs.get(&id).map(|p| p.clone())
    }

    /// Whether the printed PID `dest` names this node (`{<this node>@…`).
    pub(crate) fn is_local_pid(&self, dest: &str) -> bool {
        dest.strip_prefix('{')
            .and_then(|rest| rest.strip_prefix(self.name()))
            .is_some_and(|rest| rest.starts_with('@'))
    }

    /// The node a printed PID names when it is not this one (`None` for a name, a
    /// malformed PID or a local PID).
    pub(crate) fn foreign_node<'a>(&self, dest: &'a str) -> Option<&'a str> {
        // The local case first, with one short compare: it is every local send's path.
        if !dest.starts_with('{') || self.is_local_pid(dest) {
            return None;
        }
        Some(dest[1..].split_once('@')?.0)
    }

    pub(super) fn resolve_or_err(&self, dest: &str) -> Result<ProcessRef, KernelError> {
        self.resolve(dest)
            .ok_or_else(|| KernelError::ProcessNotFound(dest.to_string()))
    }

    /// Kill a known process with a reason.
    pub fn kill(&self, pid: &Pid, reason: ProcessError) -> bool {
        if let Some(node) = self.foreign_node(pid.as_str()) {
            // A process of another node (a supervisor's child there, SPEC §10): terminated
            // over the cluster; the reason stays here (the child exits `terminated`).
            tracing::debug!(pid = %pid, reason = %reason, "terminating a process of another node");
            return self.remote().is_some_and(|r| {
                r.send(
                    node,
                    crate::remote::RemoteOp::Terminate {
                        from: None,
                        to: pid.to_string(),
                    },
                )
                .is_ok()
            });
        }
        match self.process(pid) {
            Some(p) => {
                p.kill(reason);
                true
            }
            None => false,
        }
    }

    /// Number of live processes.
    pub fn process_count(&self) -> usize {
        self.0.procs.len()
    }

    /// A snapshot of the live processes as `(PID, entry ID)`, in PID order: what a leak
    /// check prints when [`Node::process_count`] is not back to its baseline.
    pub fn process_list(&self) -> Vec<(Pid, Arc<str>)> {
        let mut v: Vec<_> = self
            .0
            .procs
            .iter()
            .map(|p| (p.pid.clone(), p.entry.clone()))
            .collect();
        v.sort_by_key(|(pid, _)| pid.id);
        v
    }

    /// The live processes whose PID is on `host`, in PID order, at most `limit` of
    /// them (a snapshot: `system.hosts.processes`).
    pub fn processes_on(&self, host: &str, limit: usize) -> Vec<ProcessRef> {
        let mut v: Vec<_> = self
            .0
            .procs
            .iter()
            .filter(|p| p.pid.host() == host)
            .map(|p| p.clone())
            .collect();
        v.sort_by_key(|p| p.pid.id);
        v.truncate(limit);
        v
    }

    /// Live processes per host ID (`system.hosts.list`).
    pub fn process_counts(&self) -> HashMap<String, usize> {
        let mut m = HashMap::new();
        for p in self.0.procs.iter() {
            *m.entry(p.pid.host().to_string()).or_insert(0) += 1;
        }
        m
    }
}
