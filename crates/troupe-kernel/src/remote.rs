//! The kernel's side of distribution (SPEC §10): [`Remote`], the trait a cluster transport
//! implements, and [`RemoteMessage`], what crosses between nodes for one `process.send`.
//!
//! The kernel knows nothing of the transport (`troupe-cluster` puts it on
//! ractor_cluster). [`crate::Node::send`] hands a message whose destination PID names
//! another node to the installed [`Remote`]; the transport hands what arrives to
//! [`crate::Node::deliver_remote`], which routes it into the local mailbox exactly as a
//! local send does (the receiver's `max_mailbox`, its topics, its inbox).

use crate::security::Actor;
use crate::{KernelError, Value};

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

/// A cluster transport: carries messages to processes of other nodes, in the order they
/// were sent from each sender (SPEC §10: per sender→receiver order holds across nodes).
pub trait Remote: Send + Sync {
    /// Queue `m` for node `node` without blocking.
    ///
    /// Errors: [`KernelError::NoConnection`] when `node` is not connected (or was refused).
    fn send(&self, node: &str, m: RemoteMessage) -> Result<(), KernelError>;
}
