//! The kernel's side of distribution (SPEC §10): [`Remote`], the trait a cluster transport
//! implements, and [`RemoteMessage`], what crosses between nodes for one `process.send`.
//!
//! The kernel knows nothing of the transport (`troupe-cluster` puts it on
//! ractor_cluster). [`crate::Node::send`] hands a message whose destination PID names
//! another node to the installed [`Remote`]; the transport hands what arrives to
//! [`crate::Node::deliver_remote`], which routes it into the local mailbox exactly as a
//! local send does (the receiver's `max_mailbox`, its topics, its inbox).

use crate::security::Actor;
use crate::{ExitResult, KernelError, Value};

/// One message between nodes: what [`crate::Message`] holds, with PIDs in their printed
/// form (they name processes of two different nodes).
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteMessage {
    /// The receiver's printed PID (`{node@host|0x…}`), a process of the receiving node.
    pub to: String,
    pub topic: String,
    /// The sender's printed PID (`msg:from()` on the receiver), `None` for a message the
    /// sending node injected.
    pub from: Option<String>,
    pub payload: Value,
    /// The sender's actor at send time (SPEC §7.3: `msg:actor()` on the receiver).
    pub actor: Option<Actor>,
}

/// One operation between a process of one node and a process of another (SPEC §10):
/// what crosses the cluster for `send`, `link`/`unlink`, `monitor`/`unmonitor`,
/// `terminate`, `cancel`, and the exit signal a monitor or link receives. PIDs are
/// printed PIDs; `from` is always a process of the sending node.
#[derive(Debug, Clone, PartialEq)]
pub enum RemoteOp {
    /// `process.send`.
    Send(RemoteMessage),
    /// `from` monitors `to` (an EXIT when `to` exits; at once when it is not alive).
    Monitor { from: String, to: String },
    /// `from` stops monitoring `to`.
    Unmonitor { from: String, to: String },
    /// `from` links to `to` (a LINK_DOWN or a cascade on either side's error exit).
    Link { from: String, to: String },
    /// `from` unlinks from `to`.
    Unlink { from: String, to: String },
    /// `from` exited with `result`: `to` monitored it (`link == false`: EXIT) or was
    /// linked to it (`link == true`: LINK_DOWN when trapping, else a cascade, on an error).
    Exit {
        from: String,
        to: String,
        result: ExitResult,
        link: bool,
    },
    /// `process.terminate(to)` from `from`.
    Terminate { from: Option<String>, to: String },
    /// `process.cancel(to, reason)` from `from`.
    Cancel {
        from: Option<String>,
        to: String,
        reason: Option<String>,
    },
}

/// A cluster transport: carries operations to processes of other nodes, in the order
/// they were made by each sender (SPEC §10: per sender→receiver order holds across nodes).
/// What arrives goes to [`crate::Node::remote_op`]; a node that went away is reported to
/// [`crate::Node::node_down`].
pub trait Remote: Send + Sync {
    /// Queue `op` for node `node` without blocking.
    ///
    /// Errors: [`KernelError::NoConnection`] when `node` is not connected (or was refused).
    fn send(&self, node: &str, op: RemoteOp) -> Result<(), KernelError>;
}

/// The node part of a printed PID (`{node@host|0x…}` → `node`); `""` when malformed.
pub fn node_of(pid: &str) -> &str {
    pid.strip_prefix('{')
        .and_then(|r| r.split_once('@'))
        .map_or("", |(n, _)| n)
}
