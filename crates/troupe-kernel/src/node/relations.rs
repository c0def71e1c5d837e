//! Relations and exit propagation of a [`Node`] (SPEC §3.3): links, monitors, exit
//! watchers, terminate, and [`Node::exit`] — the bookkeeping when a process ends (names
//! released, monitors told with EXIT, links with LINK_DOWN or a cascade, watchers, calls
//! cancelled) — plus [`ExitWatch`], how an in-node observer reads an exit.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use tokio::sync::oneshot;

use super::Node;
use super::remote_relations::Relate;
use crate::message::{Envelope, Event};
use crate::process::{ProcessRef, Relations};
use crate::remote::RemoteOp;
use crate::{ErrorKind, ExitResult, KernelError, Pid, ProcessError};

/// A receiver of one process's exit result (an exec caller, a supervisor, a service, a
/// function call's caller): a future resolving to the [`ExitResult`].
///
/// A *lost* exit — the node dropped the process without an exit result, which happens
/// only when its host stops at node shutdown — reads as an error exit of kind
/// [`ErrorKind::Canceled`] whose message starts with `shutdown` (as OTP: a process the
/// runtime takes down exits with reason `shutdown`; an observer never mistakes it for a
/// normal `nil` result).
#[derive(Debug)]
pub struct ExitWatch {
    pid: Pid,
    rx: oneshot::Receiver<ExitResult>,
}

impl ExitWatch {
    pub(crate) fn new(pid: Pid, rx: oneshot::Receiver<ExitResult>) -> ExitWatch {
        ExitWatch { pid, rx }
    }

    /// The watched process.
    pub fn pid(&self) -> &Pid {
        &self.pid
    }

    /// The error a lost exit of `pid` reads as (see [`ExitWatch`]).
    pub fn lost(pid: &Pid) -> ProcessError {
        ProcessError::new(
            ErrorKind::Canceled,
            format!("shutdown: the node stopped {pid} before it exited"),
        )
    }
}

impl Future for ExitWatch {
    type Output = ExitResult;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ExitResult> {
        let this = &mut *self;
        Pin::new(&mut this.rx)
            .poll(cx)
            .map(|r| r.unwrap_or_else(|_| Err(ExitWatch::lost(&this.pid))))
    }
}

/// Change `other`'s relations under its lock if it is still alive (a link or monitor to a
/// process that already exited is `ProcessNotFound`, named as the caller gave it: `dest`).
fn on_live(
    other: &ProcessRef,
    dest: &str,
    f: impl FnOnce(&mut Relations),
) -> Result<(), KernelError> {
    let mut r = other.relations.lock();
    if !r.alive {
        return Err(KernelError::ProcessNotFound(dest.to_string()));
    }
    f(&mut r);
    Ok(())
}

impl Node {
    /// `process.link`: bidirectional link between `me` and `dest`.
    pub fn link(&self, me: &ProcessRef, dest: &str) -> Result<(), KernelError> {
        if let Some(node) = self.foreign_node(dest) {
            self.check(Some(me), "process.link", || dest.to_string())?;
            return self.remote_relate(me, node, dest, Relate::Link);
        }
        let other = self.resolve_or_err(dest)?;
        self.check(Some(me), "process.link", || other.pid.to_string())?;
        if other.pid.id == me.pid.id {
            return Ok(());
        }
        on_live(&other, dest, |r| {
            r.links.insert(me.pid.id);
        })?;
        me.relations.lock().links.insert(other.pid.id);
        Ok(())
    }

    /// `process.unlink`.
    pub fn unlink(&self, me: &ProcessRef, dest: &str) -> Result<(), KernelError> {
        if let Some(node) = self.foreign_node(dest) {
            return self.remote_relate(me, node, dest, Relate::Unlink);
        }
        let other = self.resolve_or_err(dest)?;
        other.relations.lock().links.remove(&me.pid.id);
        me.relations.lock().links.remove(&other.pid.id);
        Ok(())
    }

    /// `process.monitor`: `me` gets an EXIT event when `dest` exits.
    pub fn monitor(&self, me: &ProcessRef, dest: &str) -> Result<(), KernelError> {
        if let Some(node) = self.foreign_node(dest) {
            self.check(Some(me), "process.monitor", || dest.to_string())?;
            return self.remote_relate(me, node, dest, Relate::Monitor);
        }
        let other = self.resolve_or_err(dest)?;
        self.check(Some(me), "process.monitor", || other.pid.to_string())?;
        on_live(&other, dest, |r| r.monitored_by.push(me.pid.id))?;
        me.relations.lock().monitoring.push(other.pid.id);
        Ok(())
    }

    /// `process.unmonitor`.
    pub fn unmonitor(&self, me: &ProcessRef, dest: &str) -> Result<(), KernelError> {
        if let Some(node) = self.foreign_node(dest) {
            return self.remote_relate(me, node, dest, Relate::Unmonitor);
        }
        let other = self.resolve_or_err(dest)?;
        other
            .relations
            .lock()
            .monitored_by
            .retain(|x| *x != me.pid.id);
        me.relations
            .lock()
            .monitoring
            .retain(|x| *x != other.pid.id);
        Ok(())
    }

    /// `process.terminate`: kill the process (an error exit).
    pub fn terminate(&self, from: Option<&ProcessRef>, dest: &str) -> Result<(), KernelError> {
        if let Some(node) = self.foreign_node(dest) {
            self.check(from, "process.terminate", || dest.to_string())?;
            return self.remote_or_err(dest)?.send(
                node,
                RemoteOp::Terminate {
                    from: from.map(|f| f.pid.to_string()),
                    to: dest.to_string(),
                },
            );
        }
        let to = self.resolve_or_err(dest)?;
        self.check(from, "process.terminate", || to.pid.to_string())?;
        to.kill(ProcessError::terminated());
        Ok(())
    }

    /// Watch a process from outside: the [`ExitWatch`] resolves to its exit result.
    /// `None` when no such process lives.
    pub fn watch(&self, pid: &Pid) -> Option<ExitWatch> {
        let p = self.process(pid)?;
        let (tx, rx) = oneshot::channel();
        let mut r = p.relations.lock();
        if !r.alive {
            return None;
        }
        r.watchers.push(tx);
        Some(ExitWatch::new(p.pid.clone(), rx))
    }

    /// Bookkeeping when a process ends: release names, tell monitors (EXIT), links
    /// (LINK_DOWN or cascade on error exits) and watchers. Idempotent.
    pub fn exit(&self, handle: &ProcessRef, result: ExitResult) {
        let rel = {
            let mut r = handle.relations.lock();
            if !r.alive {
                return;
            }
            r.alive = false;
            std::mem::take(&mut *r)
        };
        let id = handle.pid.id;
        self.0.procs.remove(&id);
        for name in &rel.names {
            self.0.names.remove_if(name, |_, v| *v == id);
        }
        match &result {
            Ok(v) => {
                tracing::debug!(pid = %handle.pid, entry = %handle.entry, result = %v.display(), "process exited")
            }
            Err(e) => {
                tracing::debug!(pid = %handle.pid, entry = %handle.entry, error = %e, "process failed")
            }
        }
        for m in rel.monitored_by {
            if let Some(p) = self.0.procs.get(&m).map(|p| p.clone()) {
                p.relations.lock().monitoring.retain(|x| *x != id);
                p.deliver(Envelope::Event(Event::Exit {
                    from: handle.pid.clone(),
                    result: result.clone(),
                }));
            }
        }
        for l in rel.links {
            let Some(p) = self.0.procs.get(&l).map(|p| p.clone()) else {
                continue;
            };
            p.relations.lock().links.remove(&id);
            if let Err(e) = &result {
                if p.trap_links.load(Ordering::Acquire) {
                    p.deliver(Envelope::Event(Event::LinkDown {
                        from: handle.pid.clone(),
                        reason: e.clone(),
                    }));
                } else {
                    p.kill(ProcessError::link_failed());
                }
            }
        }
        for m in rel.monitoring {
            if let Some(p) = self.0.procs.get(&m).map(|p| p.clone()) {
                p.relations.lock().monitored_by.retain(|x| *x != id);
            }
        }
        for w in rel.watchers {
            let _ = w.send(result.clone());
        }
        for c in rel.calls {
            if let Some(p) = self.0.procs.get(&c).map(|p| p.clone()) {
                p.kill(ProcessError::new(
                    ErrorKind::Canceled,
                    format!("canceled: caller {} ended", handle.pid),
                ));
            }
        }
        if let Some(caller) = rel.called_by
            && let Some(p) = self.0.procs.get(&caller).map(|p| p.clone())
        {
            p.relations.lock().calls.retain(|x| *x != id);
        }
        if let Some(remote) = rel.remote {
            self.tell_remote_relations(&handle.pid, &result, *remote);
        }
        // After the monitors heard of the exit: a spawner waiting for "running" reads the
        // dropped signal as a failed start and finds the EXIT event already queued.
        drop(handle.take_ready());
    }
}
