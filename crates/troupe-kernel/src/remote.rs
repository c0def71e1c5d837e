//! The kernel's side of distribution (SPEC §10): [`Remote`], the trait a cluster transport
//! implements, and [`RemoteMessage`], what crosses between nodes for one `process.send`.
//!
//! The kernel knows nothing of the transport (`troupe-cluster` puts it on
//! ractor_cluster). [`crate::Node::send`] hands a message whose destination PID names
//! another node to the installed [`Remote`]; the transport hands what arrives to
//! [`crate::Node::deliver_remote`], which routes it into the local mailbox exactly as a
//! local send does (the receiver's `max_mailbox`, its topics, its inbox).

use crate::security::Actor;
use crate::{ExitResult, KernelError, ProcessError, Value};

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

/// `process.spawn*(id, "NODE@HOST_ID", ...)` (SPEC §10): what the receiving node needs to
/// check the spawn against its policies, exactly as a local one (SPEC §7.2), and start
/// the child. Policies travel by entry ID: every node of a cluster loads the same
/// registry (the digest check at connection time), so an ID names the same policy.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteSpawn {
    /// The spawner's handle for the reply ([`RemoteOp::Spawned`]).
    pub reference: u64,
    /// The spawner's printed PID (a process of the sending node).
    pub from: String,
    /// The spawner's actor and the IDs of its scope's policies: what the checks run as.
    pub caller_actor: Option<Actor>,
    pub caller_policies: Option<Vec<String>>,
    /// An actor and scope the spawner asked the child to run as (`with_actor`,
    /// `with_scope`; checked as `process.security`); `None` inherits the spawner's.
    pub actor: Option<Actor>,
    pub policies: Option<Vec<String>>,
    /// The child's `ctx` values (already merged on the spawner's side).
    pub context: Option<Vec<(String, Value)>>,
    /// Entry ID and host entry ID on the receiving node.
    pub entry: String,
    pub host: String,
    pub args: Vec<Value>,
    /// Link the child with the spawner / make the spawner monitor it, before it runs.
    pub link: bool,
    pub monitor: bool,
    pub trap_links: bool,
    /// `with_message` messages, the first the child receives.
    pub messages: Vec<(String, Value)>,
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
    /// A spawn on the receiving node's host.
    Spawn(Box<RemoteSpawn>),
    /// The sending node's process `pid` holds the cluster-wide name `name` since `at`
    /// (microseconds since the Unix epoch, the sending node's clock; SPEC §10 `EVENTUAL`).
    NameClaim { name: String, pid: String, at: u64 },
    /// `pid` released `name` (unregistered, or exited).
    NameRelease { name: String, pid: String },
    /// The answer to a [`RemoteOp::Spawn`]: the child's printed PID, or why it was not
    /// started. Sent before the child runs, so it reaches the spawner before any exit
    /// signal of the child.
    Spawned {
        reference: u64,
        /// The spawner.
        to: String,
        result: Result<String, ProcessError>,
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

    /// The nodes that are up (connected and accepted), by name.
    fn nodes(&self) -> Vec<String>;
}

/// The node part of a printed PID (`{node@host|0x…}` → `node`); `""` when malformed.
pub fn node_of(pid: &str) -> &str {
    pid.strip_prefix('{')
        .and_then(|r| r.split_once('@'))
        .map_or("", |(n, _)| n)
}
