//! The node's event bus (WIPPY-API.md §10.2): `{system, kind, path, data}` events that
//! processes publish (`events.send`) and the node publishes itself (`supervisor`
//! `service.*` events from the top level and the OTP supervisors), delivered to every
//! matching subscription.
//!
//! Isolation rules (SPEC §3.6; decisions where Wippy is silent):
//! - **Bounded per subscriber.** A subscription queues at most [`MAX_QUEUED`] events
//!   and each queued event is charged its estimated bytes against the subscriber's
//!   `max_mailbox` (like a message) until the runtime takes it. An event that does not
//!   fit is **dropped for that subscriber** and counted ([`Subscription::dropped`]): a
//!   subscriber that never reads costs at most its bounds, and the publisher never
//!   waits.
//! - **Bounded per process.** At most [`MAX_SUBSCRIPTIONS`] live subscriptions per
//!   process.
//! - **Bounded patterns.** A system or kind pattern (`*` matches any run of characters)
//!   is at most [`MAX_PATTERN`] bytes and is compiled once to a linear-time matcher.
//! - **Shared data.** An event's `data` is one immutable [`Value`] (already the
//!   sender's bounded deep copy); each subscriber's runtime builds its own copy from it.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use parking_lot::{Mutex, RwLock};

use crate::{ProcessRef, Value};

/// Most events one subscription holds before new ones are dropped for it.
pub const MAX_QUEUED: usize = 1024;
/// Most live subscriptions one process may hold.
pub const MAX_SUBSCRIPTIONS: usize = 256;
/// Longest system or kind pattern, and longest `system`/`kind` of a published event,
/// in bytes.
pub const MAX_PATTERN: usize = 1024;
/// Longest `path` of a published event, in bytes.
pub const MAX_PATH: usize = 4096;

/// One bus event (Wippy's `{system, kind, path, data}`).
#[derive(Debug, Clone, PartialEq)]
pub struct BusEvent {
    /// The publishing subsystem, e.g. `supervisor`, or any name a process chose.
    pub system: String,
    /// What happened, e.g. `service.start`.
    pub kind: String,
    /// What it happened to, e.g. a service's entry ID.
    pub path: String,
    pub data: Value,
}

impl BusEvent {
    /// Bytes charged against a subscriber's `max_mailbox` while the event is queued for
    /// it: the strings' lengths, a fixed cost, and [`Value::estimated_bytes`] of `data`.
    pub fn charge(&self) -> u64 {
        (std::mem::size_of::<BusEvent>() + self.system.len() + self.kind.len() + self.path.len())
            as u64
            + self.data.estimated_bytes()
    }
}

/// Why a subscription or a publication was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BusError {
    /// The system name is empty (as Wippy: Invalid).
    #[error("events: the system must not be empty")]
    EmptySystem,
    /// A pattern, system, kind or path is longer than its bound.
    #[error("events: {what} is {len} bytes long; at most {max} bytes are allowed")]
    TooLong {
        what: &'static str,
        len: usize,
        max: usize,
    },
    /// The process already holds [`MAX_SUBSCRIPTIONS`] subscriptions.
    #[error(
        "events: too many subscriptions: a process may hold at most {MAX_SUBSCRIPTIONS}; close some first"
    )]
    TooMany,
    /// A pattern could not be compiled.
    #[error("events: invalid pattern {0:?}")]
    Pattern(String),
}

/// A `*`-glob compiled to an anchored regular expression (linear-time matching).
#[derive(Debug)]
struct Glob(regex::Regex);

impl Glob {
    fn new(what: &'static str, pattern: &str) -> Result<Glob, BusError> {
        if pattern.len() > MAX_PATTERN {
            return Err(BusError::TooLong {
                what,
                len: pattern.len(),
                max: MAX_PATTERN,
            });
        }
        let parts: Vec<String> = pattern.split('*').map(regex::escape).collect();
        let re = format!("^(?s:{})$", parts.join(".*"));
        regex::RegexBuilder::new(&re)
            .size_limit(1 << 20)
            .build()
            .map(Glob)
            .map_err(|_| BusError::Pattern(pattern.to_string()))
    }

    fn matches(&self, s: &str) -> bool {
        self.0.is_match(s)
    }
}

/// A live subscription: its patterns, the subscriber and its queue.
pub struct Subscription {
    id: u64,
    system: Glob,
    kind: Option<Glob>,
    owner: ProcessRef,
    /// Queued events with the bytes each is charged to the owner.
    queue: Mutex<VecDeque<(Arc<BusEvent>, u64)>>,
    dropped: AtomicU64,
    closed: AtomicBool,
}

impl Subscription {
    /// Whether an event of `system`/`kind` is for this subscription.
    fn wants(&self, system: &str, kind: &str) -> bool {
        self.system.matches(system) && self.kind.as_ref().is_none_or(|k| k.matches(kind))
    }

    /// Queue `ev` for the owner, or drop it (counted) when the queue or the owner's
    /// `max_mailbox` is full. Wakes the owner on success.
    fn offer(&self, ev: &Arc<BusEvent>, charge: u64) -> bool {
        if self.closed.load(Ordering::Acquire) {
            return false;
        }
        let mut q = self.queue.lock();
        if q.len() >= MAX_QUEUED || self.owner.reserve(charge).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        q.push_back((ev.clone(), charge));
        drop(q);
        self.owner.wake();
        true
    }

    /// The next queued event; its bytes go back to the owner's `max_mailbox`.
    pub fn take(&self) -> Option<Arc<BusEvent>> {
        let (ev, charge) = self.queue.lock().pop_front()?;
        self.owner.release(charge);
        Some(ev)
    }

    /// Events queued and not yet taken.
    pub fn queued(&self) -> usize {
        self.queue.lock().len()
    }

    /// Events dropped for this subscription because it was full (see the module docs).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Whether [`EventBus::unsubscribe`] closed it.
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// The subscription's ID (for [`EventBus::unsubscribe`]).
    pub fn id(&self) -> u64 {
        self.id
    }

    fn close(&self) {
        self.closed.store(true, Ordering::Release);
        let drained: Vec<_> = self.queue.lock().drain(..).collect();
        for (_, charge) in drained {
            self.owner.release(charge);
        }
    }
}

/// The bus: every live subscription of the node.
#[derive(Default)]
pub struct EventBus {
    subs: RwLock<Vec<Arc<Subscription>>>,
    next: AtomicU64,
}

impl EventBus {
    /// Subscribe `owner` to events whose system matches `system` and, when given and not
    /// empty, whose kind matches `kind` (`*` matches any run of characters).
    ///
    /// Errors: an empty system, a pattern over [`MAX_PATTERN`] bytes, more than
    /// [`MAX_SUBSCRIPTIONS`] subscriptions for `owner`.
    pub fn subscribe(
        &self,
        owner: &ProcessRef,
        system: &str,
        kind: Option<&str>,
    ) -> Result<Arc<Subscription>, BusError> {
        if system.is_empty() {
            return Err(BusError::EmptySystem);
        }
        let sys = Glob::new("the system pattern", system)?;
        let kind = match kind {
            Some(k) if !k.is_empty() => Some(Glob::new("the kind pattern", k)?),
            _ => None,
        };
        let mut subs = self.subs.write();
        subs.retain(|s| s.owner.is_alive());
        let held = subs
            .iter()
            .filter(|s| s.owner.pid.id == owner.pid.id)
            .count();
        if held >= MAX_SUBSCRIPTIONS {
            return Err(BusError::TooMany);
        }
        let sub = Arc::new(Subscription {
            id: self.next.fetch_add(1, Ordering::Relaxed) + 1,
            system: sys,
            kind,
            owner: owner.clone(),
            queue: Mutex::new(VecDeque::new()),
            dropped: AtomicU64::new(0),
            closed: AtomicBool::new(false),
        });
        subs.push(sub.clone());
        Ok(sub)
    }

    /// End a subscription: it is removed from the bus and what it still queues is
    /// released. Returns whether it was live.
    pub fn unsubscribe(&self, id: u64) -> bool {
        let removed = {
            let mut subs = self.subs.write();
            subs.iter()
                .position(|s| s.id == id)
                .map(|i| subs.swap_remove(i))
        };
        match removed {
            Some(s) => {
                s.close();
                true
            }
            None => false,
        }
    }

    /// Publish `ev` to every matching subscription; returns how many queued it.
    ///
    /// Errors: an empty system, or a system/kind over [`MAX_PATTERN`] bytes or a path
    /// over [`MAX_PATH`] bytes.
    pub fn publish(&self, ev: BusEvent) -> Result<usize, BusError> {
        if ev.system.is_empty() {
            return Err(BusError::EmptySystem);
        }
        for (what, len, max) in [
            ("the system", ev.system.len(), MAX_PATTERN),
            ("the kind", ev.kind.len(), MAX_PATTERN),
            ("the path", ev.path.len(), MAX_PATH),
        ] {
            if len > max {
                return Err(BusError::TooLong { what, len, max });
            }
        }
        let charge = ev.charge();
        let ev = Arc::new(ev);
        let subs = self.subs.read();
        Ok(subs
            .iter()
            .filter(|s| s.wants(&ev.system, &ev.kind))
            .filter(|s| s.offer(&ev, charge))
            .count())
    }

    /// Live subscriptions (of every process).
    pub fn len(&self) -> usize {
        self.subs.read().len()
    }

    /// Whether no subscription is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_whole_names() {
        let g = Glob::new("p", "service.*").unwrap();
        assert!(g.matches("service.start"));
        assert!(!g.matches("xservice.start"));
        let g = Glob::new("p", "a.b").unwrap();
        assert!(g.matches("a.b"));
        assert!(!g.matches("axb"), "a dot is literal");
        let g = Glob::new("p", "*").unwrap();
        assert!(g.matches(""));
        assert!(Glob::new("p", &"*a".repeat(MAX_PATTERN / 2)).is_ok());
        assert!(matches!(
            Glob::new("p", &"x".repeat(MAX_PATTERN + 1)),
            Err(BusError::TooLong { .. })
        ));
    }
}
