//! Links and monitors between a process of this node and a process of another (SPEC §10),
//! and what happens when that node goes away.
//!
//! Each side keeps its half in the local process's `Relations::remote` (links, monitors
//! and monitored-by as printed PIDs of the other node; made on the first one), and the
//! two halves talk through [`RemoteOp`]s: `Monitor`/`Link` install the far half (or are
//! answered at once with an `Exit` of reason `noproc` when the far process is not alive,
//! as OTP), the far process's exit comes back as `Exit`, and [`Node::node_down`] ends
//! every relation with a node that went away: EXIT to monitors and LINK_DOWN (or the
//! cascade) to links, with kind `UNAVAILABLE` and reason `noconnection`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::Node;
use crate::message::{Envelope, Event};
use crate::process::{ProcessRef, RemoteRelations};
use crate::remote::{Remote, RemoteOp, node_of};
use crate::{ErrorKind, ExitResult, KernelError, Pid, ProcessError};

/// A relation change asked for by a local process.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Relate {
    Link,
    Unlink,
    Monitor,
    Unmonitor,
}

/// The reason of the exit signals a node's loss produces (as OTP: `noconnection`).
pub fn noconnection(node: &str) -> ProcessError {
    ProcessError::new(
        ErrorKind::Unavailable,
        format!("noconnection: node {node} is down"),
    )
}

/// The reason a link or monitor to a process that is not alive gets (as OTP: `noproc`).
fn noproc(pid: &str) -> ProcessError {
    ProcessError::new(ErrorKind::NotFound, format!("noproc: {pid} is not alive"))
}

impl Node {
    /// The transport to reach `dest`, a PID of another node. A lone node (no transport
    /// installed) knows no other node: `dest` is a process it cannot find
    /// (`ProcessNotFound`, as any PID of no live process); a node of a cluster says the
    /// node is not connected when it is not (the transport's `NoConnection`).
    pub(crate) fn remote_or_err(&self, dest: &str) -> Result<&Arc<dyn Remote>, KernelError> {
        self.remote()
            .ok_or_else(|| KernelError::ProcessNotFound(dest.to_string()))
    }

    /// `me` links, unlinks, monitors or unmonitors `dest`, a process of `node`: the local
    /// half changes here, the far half with the op it sends.
    ///
    /// Errors: `node` not connected (nothing changes).
    pub(crate) fn remote_relate(
        &self,
        me: &ProcessRef,
        node: &str,
        dest: &str,
        how: Relate,
    ) -> Result<(), KernelError> {
        let remote = self.remote_or_err(dest)?;
        let (from, to) = (me.pid.to_string(), dest.to_string());
        let op = match how {
            Relate::Link => RemoteOp::Link { from, to },
            Relate::Unlink => RemoteOp::Unlink { from, to },
            Relate::Monitor => RemoteOp::Monitor { from, to },
            Relate::Unmonitor => RemoteOp::Unmonitor { from, to },
        };
        remote.send(node, op)?;
        let mut rel = me.relations.lock();
        let r = rel.remote_mut();
        match how {
            Relate::Link => {
                r.links.insert(dest.to_string());
            }
            Relate::Unlink => {
                r.links.remove(dest);
            }
            Relate::Monitor => r.monitoring.push(dest.to_string()),
            Relate::Unmonitor => {
                if let Some(i) = r.monitoring.iter().position(|x| x == dest) {
                    r.monitoring.remove(i);
                }
            }
        }
        Ok(())
    }

    /// Tell the other nodes that `pid` exited with `result`: its remote monitors (EXIT),
    /// its remote links, and the processes it monitored (their half is dropped). A node
    /// that is not connected any more is skipped (its side ended these at `node_down`).
    pub(crate) fn tell_remote_relations(
        &self,
        pid: &Pid,
        result: &ExitResult,
        rel: RemoteRelations,
    ) {
        let RemoteRelations {
            links,
            monitored_by,
            monitoring,
            names,
        } = rel;
        let from = pid.to_string();
        for n in names {
            self.release_eventual(&n, &from);
        }
        let Some(remote) = self.remote() else {
            return;
        };
        let exit = |to: String, link: bool| RemoteOp::Exit {
            from: from.clone(),
            to,
            result: result.clone(),
            link,
        };
        for w in monitored_by {
            let _ = remote.send(node_of(&w), exit(w.clone(), false));
        }
        for l in links {
            let _ = remote.send(node_of(&l), exit(l.clone(), true));
        }
        for m in monitoring {
            let op = RemoteOp::Unmonitor {
                from: from.clone(),
                to: m.clone(),
            };
            let _ = remote.send(node_of(&m), op);
        }
    }

    /// Apply an operation that arrived from node `from_node`. An op whose remote process
    /// is not of `from_node` (a confused or hostile peer naming a third node's process) is
    /// refused; one whose local process is gone is answered as OTP would (`noproc`) or
    /// dropped.
    ///
    /// Errors: what the op could not do, for the transport's log (nothing is sent back
    /// for a message send, as OTP).
    pub fn remote_op(&self, from_node: &str, op: RemoteOp) -> Result<(), KernelError> {
        let foreign = |pid: &str| -> Result<(), KernelError> {
            if node_of(pid) == from_node {
                Ok(())
            } else {
                Err(KernelError::InvalidPid(pid.to_string()))
            }
        };
        match op {
            RemoteOp::Send(m) => {
                if let Some(f) = &m.from {
                    foreign(f)?;
                }
                self.deliver_remote(m)
            }
            RemoteOp::Monitor { from, to } => {
                foreign(&from)?;
                self.far_half(from, to, false)
            }
            RemoteOp::Link { from, to } => {
                foreign(&from)?;
                self.far_half(from, to, true)
            }
            RemoteOp::Unmonitor { from, to } => {
                foreign(&from)?;
                if let Some(p) = self.local(&to)
                    && let Some(r) = p.relations.lock().remote.as_mut()
                {
                    r.monitored_by.retain(|x| *x != from);
                }
                Ok(())
            }
            RemoteOp::Unlink { from, to } => {
                foreign(&from)?;
                if let Some(p) = self.local(&to)
                    && let Some(r) = p.relations.lock().remote.as_mut()
                {
                    r.links.remove(&from);
                }
                Ok(())
            }
            RemoteOp::Exit {
                from,
                to,
                result,
                link,
            } => {
                foreign(&from)?;
                let Some(p) = self.local(&to) else {
                    return Ok(());
                };
                let pid = Pid::parse(&from).ok_or_else(|| KernelError::InvalidPid(from.clone()))?;
                if link {
                    let linked = p
                        .relations
                        .lock()
                        .remote
                        .as_mut()
                        .is_some_and(|r| r.links.remove(&from));
                    if linked {
                        link_signal(&p, pid, &result);
                    }
                } else {
                    let had = p.relations.lock().remote.as_mut().is_some_and(|r| {
                        let i = r.monitoring.iter().position(|x| *x == from);
                        i.map(|i| r.monitoring.remove(i)).is_some()
                    });
                    if had {
                        p.deliver(Envelope::Event(Event::Exit { from: pid, result }));
                    }
                }
                Ok(())
            }
            RemoteOp::Terminate { from, to } => {
                if let Some(f) = &from {
                    foreign(f)?;
                }
                let p = self
                    .local(&to)
                    .ok_or_else(|| KernelError::ProcessNotFound(to.clone()))?;
                p.kill(ProcessError::terminated());
                Ok(())
            }
            RemoteOp::Cancel { from, to, reason } => {
                let from = match &from {
                    Some(f) => {
                        foreign(f)?;
                        Some(Pid::parse(f).ok_or_else(|| KernelError::InvalidPid(f.clone()))?)
                    }
                    None => None,
                };
                let p = self
                    .local(&to)
                    .ok_or_else(|| KernelError::ProcessNotFound(to.clone()))?;
                p.offer_cancel(from, reason);
                Ok(())
            }
            RemoteOp::Spawn(spawn) => {
                foreign(&spawn.from)?;
                self.spawn_for_remote(from_node, *spawn)
            }
            RemoteOp::NameClaim { name, pid, at } => {
                foreign(&pid)?;
                self.name_claimed(name, pid, at);
                Ok(())
            }
            RemoteOp::NameRelease { name, pid } => {
                foreign(&pid)?;
                self.name_released(&name, &pid);
                Ok(())
            }
            RemoteOp::Spawned {
                reference,
                to,
                result,
            } => {
                if !self.is_local_pid(&to) {
                    return Err(KernelError::InvalidPid(to));
                }
                self.remote_spawned(from_node, reference, result)
            }
        }
    }

    /// The live local process a printed PID of this node names.
    fn local(&self, pid: &str) -> Option<ProcessRef> {
        if !self.is_local_pid(pid) {
            return None;
        }
        self.resolve(pid)
    }

    /// Install the far half of a monitor (`link == false`) or link of remote `from` on
    /// local `to`; when `to` is not alive, answer with its `noproc` exit at once.
    fn far_half(&self, from: String, to: String, link: bool) -> Result<(), KernelError> {
        let installed = self.local(&to).is_some_and(|p| {
            let mut r = p.relations.lock();
            if !r.alive {
                return false;
            }
            if link {
                r.remote_mut().links.insert(from.clone());
            } else {
                r.remote_mut().monitored_by.push(from.clone());
            }
            true
        });
        if installed {
            return Ok(());
        }
        let node = node_of(&from).to_string();
        let result = Err(noproc(&to));
        self.remote_or_err(&from)?.send(
            &node,
            RemoteOp::Exit {
                from: to,
                to: from,
                result,
                link,
            },
        )
    }

    /// Node `node` went away (its session closed): every local process monitoring one of
    /// its processes gets EXIT, every one linked to one gets LINK_DOWN (trapping) or dies
    /// (an error cascade), with [`noconnection`]; what its processes held here (monitors
    /// of local processes) is dropped. O(live processes), once per node loss.
    pub fn node_down(&self, node: &str) {
        self.fail_remote_spawns(node);
        self.forget_names_of(node);
        let reason = noconnection(node);
        let on_node = |pid: &str| node_of(pid) == node;
        let procs: Vec<ProcessRef> = self.0.procs.iter().map(|p| p.clone()).collect();
        for p in procs {
            let (monitoring, links) = {
                let mut rel = p.relations.lock();
                let Some(r) = rel.remote.as_mut() else {
                    continue;
                };
                r.monitored_by.retain(|x| !on_node(x));
                let (gone, kept): (Vec<String>, Vec<String>) =
                    r.monitoring.drain(..).partition(|x| on_node(x));
                r.monitoring = kept;
                let links: Vec<String> = r.links.iter().filter(|x| on_node(x)).cloned().collect();
                for l in &links {
                    r.links.remove(l);
                }
                (gone, links)
            };
            for m in monitoring {
                if let Some(pid) = Pid::parse(&m) {
                    p.deliver(Envelope::Event(Event::Exit {
                        from: pid,
                        result: Err(reason.clone()),
                    }));
                }
            }
            for l in links {
                if let Some(pid) = Pid::parse(&l) {
                    link_signal(&p, pid, &Err(reason.clone()));
                }
            }
        }
    }
}

/// A linked process `from` exited with `result`: nothing on a normal exit; on an error,
/// LINK_DOWN when `p` traps links, else `p` dies (SPEC §3.3).
fn link_signal(p: &ProcessRef, from: Pid, result: &ExitResult) {
    if let Err(e) = result {
        if p.trap_links.load(Ordering::Acquire) {
            p.deliver(Envelope::Event(Event::LinkDown {
                from,
                reason: e.clone(),
            }));
        } else {
            p.kill(ProcessError::link_failed());
        }
    }
}
