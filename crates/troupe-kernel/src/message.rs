//! What travels through a mailbox: [`Message`]s (topic + payload from a sender) and
//! lifecycle [`Event`]s (EXIT, LINK_DOWN, CANCEL — SPEC §3.3). Both are queued in one
//! FIFO per process, which gives per-sender ordering for free.

use std::sync::Arc;

use crate::security::Actor;
use crate::{ExitResult, Pid, Value};

/// A message sent with `process.send`.
#[derive(Debug, Clone)]
pub struct Message {
    pub topic: Arc<str>,
    /// The sender, `None` for messages injected by the node (e.g. service input).
    pub from: Option<Pid>,
    pub payload: Value,
    /// The sender's actor at send time (SPEC §7.3).
    pub actor: Option<Arc<Actor>>,
    /// Bytes this message counts against the receiver's `max_mailbox` (SPEC §3.6):
    /// [`Message::charge_of`] computed once when it is sent, 0 for a message that is not
    /// counted. The runtime passes it to [`crate::ProcessHandle::release`] when it hands
    /// the message to user code.
    pub charge: u64,
}

impl Message {
    /// A message with its [`Message::charge`] computed.
    pub fn new(
        topic: Arc<str>,
        from: Option<Pid>,
        payload: Value,
        actor: Option<Arc<Actor>>,
    ) -> Message {
        let charge = Message::charge_of(&topic, &payload);
        Message {
            topic,
            from,
            payload,
            actor,
            charge,
        }
    }

    /// The size estimate a message is charged against `max_mailbox`: a fixed cost per
    /// message (the queue slot, [`Envelope`]'s size) plus the topic's length plus
    /// [`Value::estimated_bytes`] of the payload. Bytes; never 0.
    pub fn charge_of(topic: &str, payload: &Value) -> u64 {
        (std::mem::size_of::<Envelope>() + topic.len()) as u64 + payload.estimated_bytes()
    }
}

/// Event kinds, with the string constants Lua sees (`process.event.*`).
pub mod event_kind {
    pub const EXIT: &str = "pid.exit";
    pub const LINK_DOWN: &str = "pid.link.down";
    pub const CANCEL: &str = "pid.cancel";
}

/// A lifecycle event for the events channel.
#[derive(Debug, Clone)]
pub enum Event {
    /// A monitored process exited (normal or error).
    Exit { from: Pid, result: ExitResult },
    /// A linked process exited with an error and this process traps links.
    LinkDown {
        from: Pid,
        reason: crate::ProcessError,
    },
    /// Someone asked this process to stop (`process.cancel`).
    Cancel {
        from: Option<Pid>,
        reason: Option<String>,
    },
}

/// One mailbox item.
#[derive(Debug, Clone)]
pub enum Envelope {
    Message(Message),
    Event(Event),
}
