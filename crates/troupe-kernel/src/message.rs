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
