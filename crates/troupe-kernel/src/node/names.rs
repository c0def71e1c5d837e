//! The name registry of a [`Node`] (SPEC §3.1, WIPPY-API.md §2 `process.registry`): one
//! table of names to PID counters, the one `register` both runtimes call. A name dies
//! with its holder (released in [`Node::exit`]); a killed holder's names are free at once.

use std::sync::atomic::Ordering;

use super::Node;
use crate::process::ProcessRef;
use crate::{KernelError, Pid};

impl Node {
    /// `process.registry.register(name [, pid])` as both runtimes call it (WIPPY-API.md
    /// §2): bind `name` to the printed PID `pid`, or to the caller when `None`. A name
    /// already bound to that PID is fine (no check is made). As Wippy, `pid` must be a
    /// PID: a registered name is not resolved.
    ///
    /// Errors: [`KernelError::InvalidPid`] (not a printed PID); as
    /// [`Node::register_name`] (taken, no such process, denied).
    pub fn register(
        &self,
        caller: &ProcessRef,
        name: &str,
        pid: Option<&str>,
    ) -> Result<(), KernelError> {
        let target = target_of(caller, pid)?;
        if self.lookup_name(name).as_ref() == Some(&target) {
            return Ok(());
        }
        self.register_name(Some(caller), name, &target)
    }

    /// `process.registry.register(name, pid)`. A name held by a process that was killed
    /// (terminated, or dying from a link or its supervisor) but has not exited yet is
    /// free.
    ///
    /// Errors: the name is held by another live process; no such process.
    pub fn register_name(
        &self,
        caller: Option<&ProcessRef>,
        name: &str,
        pid: &Pid,
    ) -> Result<(), KernelError> {
        self.check(caller, "process.registry.register", || name.to_string())?;
        let p = self
            .process(pid)
            .ok_or_else(|| KernelError::ProcessNotFound(pid.to_string()))?;
        match self.0.names.entry(name.to_string()) {
            dashmap::Entry::Occupied(o) => {
                if *o.get() == pid.id {
                    return Ok(());
                }
                if self.name_holder(*o.get()).is_some() {
                    return Err(KernelError::NameTaken(name.to_string()));
                }
                let mut o = o;
                o.insert(pid.id);
            }
            dashmap::Entry::Vacant(v) => {
                v.insert(pid.id);
            }
        }
        let mut r = p.relations.lock();
        if !r.alive {
            drop(r);
            self.0.names.remove_if(name, |_, v| *v == pid.id);
            return Err(KernelError::ProcessNotFound(pid.to_string()));
        }
        r.names.push(name.to_string());
        Ok(())
    }

    /// `process.registry.lookup(name)`.
    pub fn lookup_name(&self, name: &str) -> Option<Pid> {
        let id = *self.0.names.get(name)?;
        self.0.procs.get(&id).map(|p| p.pid.clone())
    }

    /// `process.registry.unregister(name)`; returns whether it was bound.
    pub fn unregister_name(&self, name: &str) -> bool {
        match self.0.names.remove(name) {
            Some((_, id)) => {
                if let Some(p) = self.0.procs.get(&id) {
                    p.relations.lock().names.retain(|n| n != name);
                }
                true
            }
            None => false,
        }
    }

    /// Number of bound names (SPEC §3.1). A name is released when its process exits, so
    /// once every process holding one has ended this is back to its earlier value.
    pub fn name_count(&self) -> usize {
        self.0.names.len()
    }

    /// A snapshot of the name registry as `(name, PID counter)`, sorted by name (a bound
    /// name whose process is gone would be a leak).
    pub fn name_list(&self) -> Vec<(String, u64)> {
        let mut v: Vec<_> = self
            .0
            .names
            .iter()
            .map(|e| (e.key().clone(), *e.value()))
            .collect();
        v.sort();
        v
    }

    /// The process holding a name bound to `id`: live and not killed. A killed process
    /// runs no more code and exits at its next poll, so its names are free to claim at
    /// once; otherwise a supervisor restarting a child whose predecessor was killed with
    /// its supervisor could find the name still taken (found by tests/chaos.rs). Its exit
    /// then leaves a name rebound meanwhile alone.
    fn name_holder(&self, id: u64) -> Option<ProcessRef> {
        let p = self.0.procs.get(&id).map(|p| p.clone())?;
        (!p.killed.load(Ordering::Acquire)).then_some(p)
    }

    /// Bind `name` to `handle` unless a live process holds it; returns that holder.
    pub(super) fn claim_name(&self, name: &str, handle: &ProcessRef) -> Option<ProcessRef> {
        match self.0.names.entry(name.to_string()) {
            dashmap::Entry::Occupied(mut o) => {
                if let Some(p) = self.name_holder(*o.get()) {
                    return Some(p);
                }
                o.insert(handle.pid.id);
            }
            dashmap::Entry::Vacant(v) => {
                v.insert(handle.pid.id);
            }
        }
        handle.relations.lock().names.push(name.to_string());
        None
    }
}

/// The process a `register(name [, pid])` names: `pid`, or the caller when `None`.
///
/// Errors: [`KernelError::InvalidPid`] when `pid` is not a printed PID (as Wippy: a
/// registered name is not resolved).
pub(super) fn target_of(caller: &ProcessRef, pid: Option<&str>) -> Result<Pid, KernelError> {
    match pid {
        None => Ok(caller.pid.clone()),
        Some(s) => Pid::parse(s).ok_or_else(|| KernelError::InvalidPid(s.to_string())),
    }
}
