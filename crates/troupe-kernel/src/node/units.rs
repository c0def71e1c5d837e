//! Where each service and supervisor is (WIPPY-API.md §10.3): the state updates the
//! supervisors and the node's top level make, each published on the event bus as
//! `supervisor` `service.start` / `service.stop`.

use super::Node;
use crate::bus::BusEvent;
use crate::states::Status;
use crate::{ExitResult, Pid, Value};

impl Node {
    /// A unit's process was spawned (attempt `retry` since boot or the last stable run).
    pub(crate) fn unit_starting(&self, id: &str, retry: u64) {
        self.0.states.update(id, |s| {
            s.status = Status::Starting;
            s.desired = Status::Running;
            s.retry_count = retry;
        });
    }

    /// A unit runs as `pid`: recorded, and published as `supervisor` `service.start`.
    pub(crate) fn unit_running(&self, id: &str, pid: &Pid) {
        self.0.states.update(id, |s| {
            s.status = Status::Running;
            s.desired = Status::Running;
            s.started_at = Some(std::time::SystemTime::now());
            s.pid = Some(pid.clone());
        });
        self.unit_event(id, "service.start", pid, Status::Running, None);
    }

    /// A unit is being stopped by its supervisor or the node.
    pub(crate) fn unit_stopping(&self, id: &str) {
        self.0.states.update(id, |s| {
            s.status = Status::Stopping;
            s.desired = Status::Stopped;
        });
    }

    /// A unit's process `pid` ended: `stopped` (its supervisor stopped it) or by its
    /// result (`exited` / `failed`); `restart` says whether it will be started again.
    /// Published as `supervisor` `service.stop`.
    pub(crate) fn unit_ended(
        &self,
        id: &str,
        pid: Option<&Pid>,
        result: &ExitResult,
        stopped: bool,
        restart: bool,
    ) {
        let status = match result {
            _ if stopped => Status::Stopped,
            Ok(_) => Status::Exited,
            Err(_) => Status::Failed,
        };
        let error = result.as_ref().err().map(|e| e.message.clone());
        self.0.states.update(id, |s| {
            s.status = status;
            s.desired = if restart {
                Status::Running
            } else {
                Status::Stopped
            };
            s.pid = None;
            if error.is_some() {
                s.error = error.clone();
            }
        });
        if let Some(pid) = pid {
            self.unit_event(id, "service.stop", pid, status, error);
        }
    }

    fn unit_event(&self, id: &str, kind: &str, pid: &Pid, status: Status, error: Option<String>) {
        let mut data = vec![
            (Value::str("pid"), Value::str(pid.as_str())),
            (Value::str("status"), Value::str(status.as_str())),
        ];
        if let Some(e) = error {
            data.push((Value::str("error"), Value::str(e)));
        }
        let _ = self.0.bus.publish(BusEvent {
            system: "supervisor".into(),
            kind: kind.into(),
            path: id.into(),
            data: Value::Map(data),
        });
    }
}
