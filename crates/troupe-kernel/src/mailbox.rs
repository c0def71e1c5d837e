//! [`Mailbox`]: the one routing of SPEC §3.2, owned by a process's [`crate::ProcessHandle`]
//! and run under its lock. Every runtime (Lua, wasm, the native supervisor) takes from it
//! and converts only what it takes; none routes on its own.
//!
//! What it holds:
//! - the **subscriptions**: the topics the process `listen`s to, whether its inbox and its
//!   events are open;
//! - one queue per **route** ([`Route`]): each listened topic, the inbox, the events;
//! - the **pending** queue: messages no subscription takes yet, kept in arrival order
//!   until one appears (SPEC §3.2: "otherwise it stays queued, in order, until a matching
//!   subscription appears. Nothing is dropped").
//!
//! Routing is decided once per message, at arrival, as Wippy's dispatcher does: a message
//! whose topic is listened goes to that topic's queue; otherwise to the inbox if open;
//! otherwise to pending. Opening a subscription moves what pending holds for it, in order
//! (`listen(t)`: the messages on `t`; `inbox()`: all of them). A message already routed
//! keeps its route: `listen(t)` after the inbox opened does not take back the `t`
//! messages the inbox already holds, and `unlisten(t)` changes only where later `t`
//! messages go — those already routed to `t` are still handed out through it (Lua: they
//! stay readable from the closed channel, as a closed Wippy channel keeps its buffer;
//! wasm: `receive` still returns them as `delivery::topic`). Events (EXIT, LINK_DOWN, CANCEL) wait in their own queue until `events()` is opened.
//!
//! Every item carries its arrival number, so [`Mailbox::take_next`] hands out "the first
//! item of any open route" in arrival order, which keeps per-sender order across routes.
//!
//! Cost (a hostile sender can queue up to `max_mailbox` bytes of tiny messages): arrival
//! and [`Mailbox::take`] are O(1) (one hash lookup), [`Mailbox::take_next`] is O(number of
//! listened topics), [`Mailbox::take_event`] scans only the events queue (bounded by the
//! process's relations: CANCEL is coalesced), and only `listen` walks a queue, once (the
//! pending one, for the topic's messages).
//! Nothing rescans pending on a take. The subscriptions themselves are bounded
//! ([`MAX_TOPICS`], [`MAX_TOPIC_BYTES`]): the kernel holds them outside any runtime's
//! `max_memory`.
//!
//! The `max_mailbox` count is not kept here: bytes are charged when a message is queued
//! ([`crate::ProcessHandle::try_deliver`]) and given back by the runtime when it hands
//! the message to user code ([`crate::ProcessHandle::release`]).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use crate::KernelError;
use crate::message::{Envelope, Event, Message};

/// Most topics one process may listen to at once (decision; SPEC is silent). The
/// subscriptions live in the kernel, outside the runtime's `max_memory`, so they are
/// bounded here: `listen` past it fails with [`KernelError::TooManyTopics`].
pub const MAX_TOPICS: usize = 4096;

/// Most bytes of one listened topic name (decision; SPEC is silent). Longer is
/// [`KernelError::InvalidListen`].
pub const MAX_TOPIC_BYTES: usize = 1024;

/// The subscription an item is handed out through (SPEC §3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A message on a topic the process listens to.
    Topic(Arc<str>),
    /// A message no topic subscription takes, through the open inbox.
    Inbox,
    /// A lifecycle event, through the open events subscription.
    Events,
}

/// A message with its arrival number.
type Queued<T> = (u64, T);

/// The messages routed to one topic, and whether the process still listens to it.
#[derive(Default)]
struct TopicQueue {
    listening: bool,
    queue: VecDeque<Queued<Message>>,
}

/// Subscriptions, the queue of each route and the pending queue of one process.
#[derive(Default)]
pub struct Mailbox {
    /// Arrival number of the next item.
    next: u64,
    /// Listened topics and the messages routed to each, not yet taken. A topic
    /// unlistened while it still holds messages stays here, not listening, until they are
    /// taken.
    topics: HashMap<Arc<str>, TopicQueue>,
    inbox_open: bool,
    inbox: VecDeque<Queued<Message>>,
    events_open: bool,
    events: VecDeque<Queued<Event>>,
    /// Messages no subscription takes yet, in arrival order.
    pending: VecDeque<Queued<Message>>,
}

/// Why a topic cannot be listened to: empty, starting with `@` (reserved for the
/// runtime, as Wippy: WIPPY-API.md §2 `listen`), or longer than [`MAX_TOPIC_BYTES`].
pub fn check_topic(topic: &str) -> Result<(), KernelError> {
    if topic.is_empty() || topic.starts_with('@') || topic.len() > MAX_TOPIC_BYTES {
        return Err(KernelError::InvalidListen(shorten(topic)));
    }
    Ok(())
}

/// `topic` cut to 64 bytes (at a char boundary) for an error message.
fn shorten(topic: &str) -> String {
    if topic.len() <= 64 {
        return topic.to_string();
    }
    let mut end = 64;
    while !topic.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &topic[..end])
}

impl Mailbox {
    fn stamp(&mut self) -> u64 {
        let n = self.next;
        self.next += 1;
        n
    }

    /// Queue a message on its route (decided now, once).
    pub(crate) fn push_message(&mut self, m: Message) {
        let n = self.stamp();
        if !self.topics.is_empty()
            && let Some(q) = self.topics.get_mut(&*m.topic)
            && q.listening
        {
            q.queue.push_back((n, m));
        } else if self.inbox_open {
            self.inbox.push_back((n, m));
        } else {
            self.pending.push_back((n, m));
        }
    }

    /// Queue an event (handed out once events are open).
    pub(crate) fn push_event(&mut self, e: Event) {
        let n = self.stamp();
        self.events.push_back((n, e));
    }

    /// Queue an item: [`Mailbox::push_message`] or [`Mailbox::push_event`].
    pub(crate) fn push(&mut self, env: Envelope) {
        match env {
            Envelope::Message(m) => self.push_message(m),
            Envelope::Event(e) => self.push_event(e),
        }
    }

    /// Listen to `topic`: from now on its messages take [`Route::Topic`], and those
    /// pending move there, in order. `Ok(false)` when already listened (nothing changes,
    /// as Wippy: "calling listen twice returns the same channel").
    ///
    /// Errors: [`KernelError::InvalidListen`] ([`check_topic`]);
    /// [`KernelError::TooManyTopics`] past [`MAX_TOPICS`].
    pub fn listen(&mut self, topic: &str) -> Result<bool, KernelError> {
        check_topic(topic)?;
        if self.listens(topic) {
            return Ok(false);
        }
        let draining = self.topics.contains_key(topic);
        if !draining && self.topics.len() >= MAX_TOPICS {
            return Err(KernelError::TooManyTopics(MAX_TOPICS));
        }
        let mut mine = VecDeque::new();
        if self.pending.iter().any(|(_, m)| *m.topic == *topic) {
            let mut rest = VecDeque::with_capacity(self.pending.len());
            for (n, m) in self.pending.drain(..) {
                if *m.topic == *topic {
                    mine.push_back((n, m));
                } else {
                    rest.push_back((n, m));
                }
            }
            self.pending = rest;
        }
        // A topic listened again while it still held messages from before: the pending
        // ones arrived after those (they were routed elsewhere), so they go behind.
        let q = self.topics.entry(topic.into()).or_default();
        q.listening = true;
        q.queue.extend(mine);
        Ok(true)
    }

    /// Stop listening to `topic`: later messages on it go to the inbox (if open) or wait.
    /// The ones already routed to it are still handed out through [`Route::Topic`] (the
    /// route was decided at arrival). `false` when it was not listened.
    pub fn unlisten(&mut self, topic: &str) -> bool {
        match self.topics.get_mut(topic) {
            Some(q) if q.listening => {
                q.listening = false;
                if q.queue.is_empty() {
                    self.topics.remove(topic);
                }
                true
            }
            _ => false,
        }
    }

    /// Whether the process listens to `topic`.
    pub fn listens(&self, topic: &str) -> bool {
        self.topics.get(topic).is_some_and(|q| q.listening)
    }

    /// Open the inbox: every pending message moves there, in order. `false` when it was
    /// open already.
    pub fn open_inbox(&mut self) -> bool {
        if self.inbox_open {
            return false;
        }
        self.inbox_open = true;
        self.inbox = std::mem::take(&mut self.pending);
        true
    }

    /// Open the events subscription. `false` when it was open already.
    pub fn open_events(&mut self) -> bool {
        !std::mem::replace(&mut self.events_open, true)
    }

    /// Take the first item queued for `route` (none when the route is not open).
    pub fn take(&mut self, route: &Route) -> Option<Envelope> {
        match route {
            Route::Topic(t) => {
                let q = self.topics.get_mut(&**t)?;
                let m = q.queue.pop_front().map(|(_, m)| Envelope::Message(m));
                if q.queue.is_empty() && !q.listening {
                    self.topics.remove(&**t);
                }
                m
            }
            Route::Inbox => self.inbox.pop_front().map(|(_, m)| Envelope::Message(m)),
            Route::Events if self.events_open => {
                self.events.pop_front().map(|(_, e)| Envelope::Event(e))
            }
            Route::Events => None,
        }
    }

    /// Take the first item, in arrival order, of any open route, with the route it came
    /// through. O(number of listened topics).
    pub fn take_next(&mut self) -> Option<(Route, Envelope)> {
        // The open route whose head arrived first.
        let mut best: Option<(u64, Option<&Arc<str>>)> = None;
        for (t, q) in &self.topics {
            if let Some((n, _)) = q.queue.front()
                && best.is_none_or(|(b, _)| *n < b)
            {
                best = Some((*n, Some(t)));
            }
        }
        let topic = best.and_then(|(_, t)| t.cloned());
        let mut first = best.map(|(n, _)| n);
        let mut route = topic.map(Route::Topic);
        if let Some((n, _)) = self.inbox.front()
            && first.is_none_or(|b| *n < b)
        {
            first = Some(*n);
            route = Some(Route::Inbox);
        }
        if self.events_open
            && let Some((n, _)) = self.events.front()
            && first.is_none_or(|b| *n < b)
        {
            route = Some(Route::Events);
        }
        let route = route?;
        let item = self.take(&route)?;
        Some((route, item))
    }

    /// Selective receive over the events (as OTP's `receive` with a pattern): take the
    /// first event `pred` accepts, whether or not events are open, leaving the others in
    /// order. Scans only the events queue.
    pub fn take_event(&mut self, mut pred: impl FnMut(&Event) -> bool) -> Option<Event> {
        let i = self.events.iter().position(|(_, e)| pred(e))?;
        self.events.remove(i).map(|(_, e)| e)
    }

    /// Items queued on every route and pending.
    pub fn len(&self) -> usize {
        self.topics.values().map(|q| q.queue.len()).sum::<usize>()
            + self.inbox.len()
            + self.events.len()
            + self.pending.len()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Value;

    fn msg(topic: &str, i: i64) -> Message {
        Message {
            topic: Arc::from(topic),
            from: None,
            payload: Value::Int(i),
            actor: None,
            charge: 0,
        }
    }

    fn cancel() -> Event {
        Event::Cancel {
            from: None,
            reason: None,
        }
    }

    /// `(route, topic, n)` of a taken item (`("events", "", -1)` for an event).
    fn show(t: Option<(Route, Envelope)>) -> Option<(String, String, i64)> {
        let (r, e) = t?;
        let r = match r {
            Route::Topic(t) => format!("topic:{t}"),
            Route::Inbox => "inbox".into(),
            Route::Events => "events".into(),
        };
        Some(match e {
            Envelope::Message(m) => match m.payload {
                Value::Int(i) => (r, m.topic.to_string(), i),
                _ => unreachable!(),
            },
            Envelope::Event(_) => (r, String::new(), -1),
        })
    }

    fn s(r: &str, t: &str, i: i64) -> Option<(String, String, i64)> {
        Some((r.into(), t.into(), i))
    }

    #[test]
    fn routes_by_topic_then_inbox_and_keeps_the_rest_in_order() {
        let mut mb = Mailbox::default();
        mb.push_message(msg("a", 1));
        mb.push_message(msg("b", 2));
        mb.push_message(msg("a", 3));
        mb.push_event(cancel());
        assert!(mb.take_next().is_none(), "nothing open");
        assert_eq!(mb.listen("b"), Ok(true));
        assert_eq!(show(mb.take_next()), s("topic:b", "b", 2));
        assert!(mb.take_next().is_none());
        assert!(mb.open_inbox());
        assert_eq!(show(mb.take_next()), s("inbox", "a", 1));
        assert_eq!(show(mb.take_next()), s("inbox", "a", 3));
        assert!(mb.take_next().is_none());
        assert!(mb.open_events());
        assert_eq!(show(mb.take_next()), s("events", "", -1));
        assert!(mb.is_empty());
    }

    #[test]
    fn take_next_hands_out_arrival_order_across_routes() {
        let mut mb = Mailbox::default();
        mb.listen("a").unwrap();
        mb.listen("c").unwrap();
        mb.open_inbox();
        mb.open_events();
        mb.push_message(msg("c", 1));
        mb.push_message(msg("b", 2));
        mb.push_event(cancel());
        mb.push_message(msg("a", 3));
        mb.push_message(msg("c", 4));
        let got: Vec<_> = std::iter::from_fn(|| show(mb.take_next())).collect();
        assert_eq!(
            got,
            vec![
                ("topic:c".into(), "c".into(), 1),
                ("inbox".into(), "b".into(), 2),
                ("events".into(), String::new(), -1),
                ("topic:a".into(), "a".into(), 3),
                ("topic:c".into(), "c".into(), 4),
            ]
        );
    }

    #[test]
    fn a_routed_message_keeps_its_route_through_listen_and_unlisten() {
        let mut mb = Mailbox::default();
        mb.open_inbox();
        mb.push_message(msg("t", 1));
        assert!(mb.listen("t").unwrap());
        assert!(!mb.listen("t").unwrap(), "twice: nothing changes");
        mb.push_message(msg("t", 2));
        mb.push_message(msg("x", 3));
        mb.push_message(msg("t", 4));
        assert!(mb.unlisten("t"));
        assert!(!mb.unlisten("t"), "not listened any more");
        assert!(!mb.listens("t"));
        mb.push_message(msg("t", 5));
        let got: Vec<_> = std::iter::from_fn(|| show(mb.take_next())).collect();
        assert_eq!(
            got,
            vec![
                // 1 was routed to the inbox before the listen: it stays there.
                ("inbox".into(), "t".into(), 1),
                ("topic:t".into(), "t".into(), 2),
                ("inbox".into(), "x".into(), 3),
                // routed to `t` before the unlisten: still handed out through it.
                ("topic:t".into(), "t".into(), 4),
                ("inbox".into(), "t".into(), 5),
            ]
        );
        assert!(mb.topics.is_empty(), "the drained topic is gone");
    }

    #[test]
    fn listening_again_to_a_draining_topic_keeps_arrival_order() {
        let mut mb = Mailbox::default();
        mb.listen("t").unwrap();
        mb.push_message(msg("t", 1));
        mb.unlisten("t");
        mb.push_message(msg("t", 2));
        assert_eq!(mb.listen("t"), Ok(true));
        mb.push_message(msg("t", 3));
        let got: Vec<_> = std::iter::from_fn(|| show(mb.take_next())).collect();
        assert_eq!(
            got,
            vec![
                ("topic:t".into(), "t".into(), 1),
                ("topic:t".into(), "t".into(), 2),
                ("topic:t".into(), "t".into(), 3),
            ]
        );
    }

    #[test]
    fn bad_topics_and_too_many_topics_are_refused() {
        let mut mb = Mailbox::default();
        assert!(matches!(mb.listen(""), Err(KernelError::InvalidListen(_))));
        assert!(matches!(
            mb.listen("@x"),
            Err(KernelError::InvalidListen(_))
        ));
        let long = "é".repeat(MAX_TOPIC_BYTES);
        match mb.listen(&long) {
            Err(KernelError::InvalidListen(t)) => assert!(t.len() < 80, "{t}"),
            other => panic!("{other:?}"),
        }
        for i in 0..MAX_TOPICS {
            assert_eq!(mb.listen(&format!("t{i}")), Ok(true));
        }
        assert!(matches!(
            mb.listen("one more"),
            Err(KernelError::TooManyTopics(MAX_TOPICS))
        ));
        assert_eq!(mb.listen("t7"), Ok(false), "an existing one is fine");
        assert!(mb.unlisten("t7"));
        assert_eq!(mb.listen("one more"), Ok(true));
    }

    #[test]
    fn selective_receive_takes_the_matching_event_and_keeps_the_rest() {
        let mut mb = Mailbox::default();
        mb.push_message(msg("m", 1));
        mb.push_event(cancel());
        mb.push_event(Event::Exit {
            from: crate::Pid::new("n", "h", 7),
            result: Ok(Value::Nil),
        });
        let got = mb.take_event(|e| matches!(e, Event::Exit { from, .. } if from.id == 7));
        assert!(matches!(got, Some(Event::Exit { .. })));
        assert!(mb.take_event(|e| matches!(e, Event::Exit { .. })).is_none());
        mb.open_events();
        assert_eq!(show(mb.take_next()), s("events", "", -1));
        assert_eq!(mb.len(), 1, "the message still pending");
    }

    #[test]
    fn a_long_pending_queue_costs_nothing_per_take() {
        // 200,000 unroutable messages ahead of a listened topic: each take must not walk
        // them (a quadratic rescan would take minutes here, not milliseconds).
        let mut mb = Mailbox::default();
        for i in 0..200_000 {
            mb.push_message(msg("junk", i));
        }
        mb.listen("t").unwrap();
        for i in 0..200_000 {
            mb.push_message(msg("t", i));
            let got = mb.take_next();
            assert_eq!(show(got), s("topic:t", "t", i));
        }
        assert_eq!(mb.len(), 200_000);
    }
}
