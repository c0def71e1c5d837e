//! A wasm process's view of its mailbox (SPEC §3.2 inside wasm): the items drained from
//! the kernel queue and the subscriptions that decide what `receive` hands over.
//!
//! A message whose topic is `listen`ed goes out as `delivery::topic`; otherwise as
//! `delivery::inbox` once the inbox is open; events go out once `events` is open.
//! Anything no subscription takes stays queued, in arrival order, until one appears.

use std::collections::{HashSet, VecDeque};

use troupe_kernel::Envelope;

/// Subscriptions plus the items not yet handed over.
#[derive(Default)]
pub struct Mailbox {
    pub pending: VecDeque<Envelope>,
    pub topics: HashSet<String>,
    pub inbox: bool,
    pub events: bool,
}

/// Which subscription took an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Topic,
    Inbox,
    Event,
}

impl Mailbox {
    fn route(&self, e: &Envelope) -> Option<Route> {
        match e {
            Envelope::Message(m) if self.topics.contains(&*m.topic) => Some(Route::Topic),
            Envelope::Message(_) if self.inbox => Some(Route::Inbox),
            Envelope::Message(_) => None,
            Envelope::Event(_) if self.events => Some(Route::Event),
            Envelope::Event(_) => None,
        }
    }

    /// Take the first item an open subscription takes.
    pub fn take(&mut self) -> Option<(Route, Envelope)> {
        let (i, route) = self
            .pending
            .iter()
            .enumerate()
            .find_map(|(i, e)| self.route(e).map(|r| (i, r)))?;
        self.pending.remove(i).map(|e| (route, e))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use troupe_kernel::{Event, Message, Value};

    use super::*;

    fn msg(topic: &str) -> Envelope {
        Envelope::Message(Message {
            topic: Arc::from(topic),
            from: None,
            payload: Value::Nil,
            actor: None,
            charge: 0,
        })
    }

    fn topic(e: &Envelope) -> &str {
        match e {
            Envelope::Message(m) => &m.topic,
            Envelope::Event(_) => "event",
        }
    }

    #[test]
    fn routes_by_topic_then_inbox_and_keeps_the_rest_in_order() {
        let mut mb = Mailbox::default();
        mb.pending.extend([
            msg("a"),
            msg("b"),
            msg("a"),
            Envelope::Event(Event::Cancel {
                from: None,
                reason: None,
            }),
        ]);
        assert!(mb.take().is_none());
        mb.topics.insert("b".into());
        let (r, e) = mb.take().unwrap();
        assert_eq!((r, topic(&e)), (Route::Topic, "b"));
        assert!(mb.take().is_none());
        mb.inbox = true;
        assert_eq!(mb.take().map(|(r, _)| r), Some(Route::Inbox));
        assert_eq!(mb.take().map(|(r, _)| r), Some(Route::Inbox));
        assert!(mb.take().is_none());
        mb.events = true;
        assert_eq!(mb.take().map(|(r, _)| r), Some(Route::Event));
    }
}
