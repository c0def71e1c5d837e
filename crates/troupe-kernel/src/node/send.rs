//! The sending half of the message path (SPEC §3.2): [`Node::send`] checks the topic,
//! resolves the destination and the caller's right to send, builds the [`Message`]
//! (sender PID and actor stamped, `max_mailbox` charge computed once) and hands it to
//! [`crate::ProcessHandle::try_deliver`], which charges and routes it into the
//! receiver's [`crate::mailbox::Mailbox`]. `process.cancel` is here too: an event, not a
//! message, coalesced per receiver. Remote delivery (distribution) plugs in at
//! [`Node::send`]'s resolve step: a PID of another node goes to that node's link instead
//! of the process table.

use std::sync::Arc;

use super::Node;
use crate::Pid;
use crate::message::Message;
use crate::process::ProcessRef;
use crate::remote::{RemoteMessage, RemoteOp};
use crate::{KernelError, Value};

impl Node {
    /// `process.send` (SPEC §3.2): queue a message for `dest` (PID or name).
    ///
    /// Errors: topic starts with `@`; no such process (`not found`); the receiver's
    /// mailbox would pass its `max_mailbox` ([`KernelError::MailboxFull`], SPEC §3.6 —
    /// nothing is queued).
    pub fn send(
        &self,
        from: Option<&ProcessRef>,
        dest: &str,
        topic: &str,
        payload: Value,
    ) -> Result<(), KernelError> {
        if topic.starts_with('@') {
            return Err(KernelError::InvalidTopic(topic.to_string()));
        }
        if let Some(node) = self.foreign_node(dest) {
            return self.send_remote(from, node, dest, topic, payload);
        }
        let to = match self.resolve_known_local(dest) {
            Some(to) => to,
            None => return self.send_to_eventual(from, dest, topic, payload),
        };
        self.check(from, "process.send", || to.pid.to_string())?;
        self.send_to(from, &to, topic.into(), payload)
    }

    /// A send to `name` when no local process holds it: to the holder of the cluster-wide
    /// name (SPEC §10), on this node or another.
    ///
    /// Errors: no such name or process (`ProcessNotFound`); as [`Node::send`].
    #[cold]
    fn send_to_eventual(
        &self,
        from: Option<&ProcessRef>,
        name: &str,
        topic: &str,
        payload: Value,
    ) -> Result<(), KernelError> {
        let pid = match name.starts_with('{') {
            false => self.lookup_eventual(name),
            true => None,
        }
        .ok_or_else(|| KernelError::ProcessNotFound(name.to_string()))?;
        if let Some(node) = self.foreign_node(pid.as_str()) {
            return self.send_remote(from, node, pid.as_str(), topic, payload);
        }
        let to = self
            .process(&pid)
            .ok_or_else(|| KernelError::ProcessNotFound(name.to_string()))?;
        self.check(from, "process.send", || to.pid.to_string())?;
        self.send_to(from, &to, topic.into(), payload)
    }

    /// A send to a PID of node `node` (SPEC §10): the caller's right to send is checked
    /// here, as for a local send; the message goes to the cluster transport.
    ///
    /// Errors: no transport (a lone node: `ProcessNotFound`); `node` not connected
    /// ([`KernelError::NoConnection`]); the security check.
    fn send_remote(
        &self,
        from: Option<&ProcessRef>,
        node: &str,
        dest: &str,
        topic: &str,
        payload: Value,
    ) -> Result<(), KernelError> {
        let remote = self.remote_or_err(dest)?;
        self.check(from, "process.send", || dest.to_string())?;
        remote.send(
            node,
            RemoteOp::Send(RemoteMessage {
                to: dest.to_string(),
                topic: topic.to_string(),
                from: from.map(|f| f.pid.to_string()),
                payload,
                actor: from.and_then(|f| f.actor.as_deref().cloned()),
            }),
        )
    }

    /// Route a message that arrived from another node into the local receiver's mailbox,
    /// exactly as a local send (its `max_mailbox`, topics and inbox). The sending node
    /// already checked the sender's right to send.
    ///
    /// Errors: the receiver is not a live process of this node (a PID of another node or
    /// of an earlier incarnation of this one, SPEC §10); `MailboxFull`; a malformed
    /// sender PID.
    pub fn deliver_remote(&self, m: RemoteMessage) -> Result<(), KernelError> {
        if m.topic.starts_with('@') {
            return Err(KernelError::InvalidTopic(m.topic));
        }
        let to = match Pid::parse(&m.to) {
            Some(_) if self.is_local_pid(&m.to) => self.resolve_or_err(&m.to)?,
            _ => return Err(KernelError::ProcessNotFound(m.to)),
        };
        let from = match &m.from {
            Some(f) => Some(Pid::parse(f).ok_or_else(|| KernelError::InvalidPid(f.clone()))?),
            None => None,
        };
        to.try_deliver(Message::new(
            m.topic.into(),
            from,
            m.payload,
            m.actor.map(Arc::new),
        ))
    }

    /// Queue a message for a known process, under its `max_mailbox`.
    ///
    /// Errors: [`KernelError::MailboxFull`] (nothing is queued).
    pub fn send_to(
        &self,
        from: Option<&ProcessRef>,
        to: &ProcessRef,
        topic: Arc<str>,
        payload: Value,
    ) -> Result<(), KernelError> {
        to.try_deliver(self.message(from, topic, payload))
    }

    /// A message from `from` (its PID and actor stamped), charged by size.
    pub(super) fn message(
        &self,
        from: Option<&ProcessRef>,
        topic: Arc<str>,
        payload: Value,
    ) -> Message {
        Message::new(
            topic,
            from.map(|f| f.pid.clone()),
            payload,
            from.and_then(|f| f.actor.clone()),
        )
    }

    /// `process.cancel`: deliver a CANCEL event (coalesced into one already pending, see
    /// [`ProcessHandle::offer_cancel`]).
    pub fn cancel(
        &self,
        from: Option<&ProcessRef>,
        dest: &str,
        reason: Option<String>,
    ) -> Result<(), KernelError> {
        if let Some(node) = self.foreign_node(dest) {
            self.check(from, "process.cancel", || dest.to_string())?;
            return self.remote_or_err(dest)?.send(
                node,
                RemoteOp::Cancel {
                    from: from.map(|f| f.pid.to_string()),
                    to: dest.to_string(),
                    reason,
                },
            );
        }
        let to = self.resolve_or_err(dest)?;
        self.check(from, "process.cancel", || to.pid.to_string())?;
        // One pending CANCEL per process: a second is coalesced into it.
        to.offer_cancel(from.map(|f| f.pid.clone()), reason);
        Ok(())
    }
}
