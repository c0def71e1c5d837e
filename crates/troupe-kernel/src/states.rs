//! Where every `process.service` and `process.supervisor` of the node is in its life
//! (WIPPY-API.md §10.3 `system.supervisor.state/states`): the top level (`service.rs`)
//! and the OTP supervisors (`supervisor.rs`) record each transition here, and the same
//! transition is published on the event bus as a `supervisor` event
//! (`service.start` when the unit runs, `service.stop` when its process ended).
//!
//! Runtimes read it through [`SupervisionView`] (a read-only snapshot); only the kernel
//! writes. The table holds one row per declared entry, made at boot, so it never grows.

use std::collections::BTreeMap;
use std::time::SystemTime;

use parking_lot::RwLock;
use troupe_registry::{Kind, Registry};

use crate::Pid;

/// A unit's status, with Wippy's names (`system.supervisor.state(id).status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Part of Wippy's set; Troupe does not produce it (every declared unit has a row
    /// from boot, `Stopped` until it starts).
    Unknown,
    /// Its process was spawned and is not running yet.
    Starting,
    Running,
    /// Its supervisor is stopping it (cancel, then terminate after `stop_timeout`).
    Stopping,
    /// Stopped by its supervisor or the node, or never started (not auto-started).
    Stopped,
    /// Its process ended normally.
    Exited,
    /// Its process ended with an error, or failed to start.
    Failed,
}

impl Status {
    /// The name Lua sees.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unknown => "unknown",
            Status::Starting => "starting",
            Status::Running => "running",
            Status::Stopping => "stopping",
            Status::Stopped => "stopped",
            Status::Exited => "exited",
            Status::Failed => "failed",
        }
    }
}

/// One unit's state.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceState {
    /// Entry ID of the `process.service` / `process.supervisor`.
    pub id: String,
    /// `process.service` or `process.supervisor`.
    pub kind: &'static str,
    pub status: Status,
    /// What its supervisor wants: `Running` while it is to run (or be restarted),
    /// `Stopped` once it is being stopped or will not be restarted.
    pub desired: Status,
    /// Restarts since boot (a top-level service: the current backoff attempt; a
    /// supervisor's child: every restart its supervisor made).
    pub retry_count: u64,
    /// Last change.
    pub last_update: SystemTime,
    /// When its current (or last) process started running; `None` before the first run.
    pub started_at: Option<SystemTime>,
    /// Its current process.
    pub pid: Option<Pid>,
    /// The supervisor entry that owns it (`None` at the top level).
    pub supervisor: Option<String>,
    /// Why its last process failed.
    pub error: Option<String>,
}

/// The read side of the table (what `system.supervisor.*` uses).
pub trait SupervisionView {
    /// The state of one unit, or `None` if `id` is not a service or supervisor.
    fn state(&self, id: &str) -> Option<ServiceState>;
    /// Every unit, in ID order.
    fn states(&self) -> Vec<ServiceState>;
}

/// The table (see the module docs).
pub struct ServiceStates {
    map: RwLock<BTreeMap<String, ServiceState>>,
}

impl ServiceStates {
    /// One row per service and supervisor entry of `registry`: `stopped`, desired
    /// `stopped` (the top level marks the auto-started ones `starting` when it starts
    /// them).
    pub(crate) fn of(registry: &Registry) -> ServiceStates {
        let now = SystemTime::now();
        let mut owner = BTreeMap::new();
        for e in registry.entries.values() {
            if let Kind::ProcessSupervisor(s) = &e.kind {
                for c in &s.children {
                    owner.insert(c.clone(), e.id.clone());
                }
            }
        }
        let map = registry
            .entries
            .values()
            .filter_map(|e| {
                let kind = match &e.kind {
                    Kind::ProcessService(_) => "process.service",
                    Kind::ProcessSupervisor(_) => "process.supervisor",
                    _ => return None,
                };
                Some((
                    e.id.clone(),
                    ServiceState {
                        id: e.id.clone(),
                        kind,
                        status: Status::Stopped,
                        desired: Status::Stopped,
                        retry_count: 0,
                        last_update: now,
                        started_at: None,
                        pid: None,
                        supervisor: owner.get(&e.id).cloned(),
                        error: None,
                    },
                ))
            })
            .collect();
        ServiceStates {
            map: RwLock::new(map),
        }
    }

    /// Change one row (no-op for an ID that is not a unit) and stamp `last_update`.
    pub(crate) fn update(&self, id: &str, f: impl FnOnce(&mut ServiceState)) {
        if let Some(s) = self.map.write().get_mut(id) {
            f(s);
            s.last_update = SystemTime::now();
        }
    }
}

impl SupervisionView for ServiceStates {
    fn state(&self, id: &str) -> Option<ServiceState> {
        self.map.read().get(id).cloned()
    }

    fn states(&self) -> Vec<ServiceState> {
        self.map.read().values().cloned().collect()
    }
}
