//! [`ProcessHandle`]: the shared, thread-safe half of a process — its mailbox, its
//! relations (links, monitors, exit watchers, names) and its kill flag. The other half, the
//! process body, lives on one worker thread and is never shared.
//!
//! The mailbox itself — subscriptions, routing, the queue of each route and the pending
//! queue (SPEC §3.2) — is a [`Mailbox`] under the handle's lock; runtimes take from it
//! through the handle ([`ProcessHandle::take_next`], [`ProcessHandle::take`], …).
//!
//! The mailbox bound (`max_mailbox`, SPEC §3.6) is kept here: the handle counts the bytes
//! of message payload queued for the process and not yet received. A message is charged
//! when it is queued ([`ProcessHandle::try_deliver`] refuses one that would pass the
//! bound) and its runtime gives the bytes back with [`ProcessHandle::release`] when it
//! hands the message to user code (see ARCHITECTURE.md, "Mailbox bound").

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use futures::task::AtomicWaker;
use parking_lot::Mutex;

use crate::mailbox::{Mailbox, Route};
use crate::message::{Envelope, Event, Message};
use crate::security::{Actor, Scope};
use crate::{ExitResult, KernelError, Pid, ProcessError};

/// Default `max_mailbox` (SPEC §3.6): 64 MiB of queued, not yet received message payload
/// (as estimated by [`Message::charge`]) per process.
pub const DEFAULT_MAX_MAILBOX: u64 = 64 << 20;

/// Items [`ProcessHandle::take_all`] takes under one hold of the mailbox lock.
pub const TAKE_BATCH: usize = 256;

/// Shared state of one live process.
pub struct ProcessHandle {
    pub pid: Pid,
    /// Entry ID the process runs.
    pub entry: Arc<str>,
    /// Subscriptions and queued items (SPEC §3.2), routed once under this lock.
    mailbox: Mutex<Mailbox>,
    /// Bytes charged for messages queued and not yet handed to user code: in the kernel
    /// queue or in the runtime's own queues. Never above `max_mailbox` (reservations are a
    /// compare-and-swap), never below 0 (releases saturate).
    queued_bytes: AtomicU64,
    /// `max_mailbox` of this process, fixed at spawn (see [`crate::Node::max_mailbox_for`]).
    max_mailbox: u64,
    /// A CANCEL event was delivered and the runtime has not yet handed it to user code:
    /// further CANCELs are coalesced into it ([`ProcessHandle::offer_cancel`]).
    cancel_pending: AtomicBool,
    waker: AtomicWaker,
    /// Set when the process must die (terminate or link cascade); checked by the body's
    /// poll wrapper and by the Lua interrupt callback.
    pub killed: AtomicBool,
    kill_reason: Mutex<Option<ProcessError>>,
    /// Set by a runtime when its body returns `Pending` only to be fair (a preemption
    /// yield), not because it waits for something; see [`ProcessHandle::mark_yielded`].
    pub yielded: AtomicBool,
    /// `trap_links` option (SPEC §3.3).
    pub trap_links: AtomicBool,
    pub(crate) relations: Mutex<Relations>,
    /// The actor this process runs as (SPEC §7.3), stamped on its messages.
    pub actor: Option<Arc<Actor>>,
    /// The policies its operations are checked against (SPEC §7.1); inherited like the
    /// actor.
    pub scope: Option<Arc<Scope>>,
    /// The key/values attached with `with_context` (Lua's `ctx`, SPEC §5); inherited like
    /// the actor.
    pub context: Option<Arc<ContextMap>>,
    /// Told when the process is running (see [`ProcessHandle::take_ready`]); dropped
    /// unsent if it exits first.
    ready: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    /// When it was spawned (Lua's `system.hosts.processes`: `started_at`).
    pub started_at: std::time::SystemTime,
    /// The process that spawned or called it (`None` for the node's own spawns).
    pub parent: Option<Pid>,
    /// Times its body has been polled (Lua's `system.hosts.processes`: `steps`).
    pub steps: AtomicU64,
}

/// Links, monitors and watchers of a process. Guarded by one lock per process.
#[derive(Default)]
pub(crate) struct Relations {
    pub alive: bool,
    pub links: HashSet<u64>,
    /// Processes monitoring this one (each gets an EXIT event).
    pub monitored_by: Vec<u64>,
    /// Processes this one monitors (for cleanup).
    pub monitoring: Vec<u64>,
    /// In-node observers (exec callers, supervisors) told of the exit.
    pub watchers: Vec<tokio::sync::oneshot::Sender<ExitResult>>,
    pub names: Vec<String>,
    /// Function calls this process is waiting on (`funcs.call`/`async`): they are
    /// cancelled when it ends (SPEC §5).
    pub calls: Vec<u64>,
    /// The caller, when this process is a function call.
    pub called_by: Option<u64>,
    /// Relations with processes of other nodes (SPEC §10); made on the first one, so a
    /// process that never relates to another node pays one pointer.
    pub remote: Option<Box<RemoteRelations>>,
}

impl Relations {
    /// The relations with other nodes' processes, made if there were none.
    pub fn remote_mut(&mut self) -> &mut RemoteRelations {
        self.remote.get_or_insert_with(Default::default)
    }
}

/// A process's links and monitors with processes of other nodes, as printed PIDs.
#[derive(Default)]
pub(crate) struct RemoteRelations {
    /// Processes of other nodes linked to this one.
    pub links: HashSet<String>,
    /// Processes of other nodes monitoring this one.
    pub monitored_by: Vec<String>,
    /// Processes of other nodes this one monitors.
    pub monitoring: Vec<String>,
    /// Cluster-wide (`EVENTUAL`) names it holds (SPEC §10), released when it exits.
    pub names: Vec<String>,
}

/// The `ctx` key/values of a process: string keys, kernel values.
pub type ContextMap = std::collections::BTreeMap<String, crate::Value>;

/// What a process runs as (SPEC §7.3): actor, scope and `ctx` values. Each part is
/// inherited from the spawner unless the spawn request replaces it.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    pub actor: Option<Arc<Actor>>,
    pub scope: Option<Arc<Scope>>,
    pub context: Option<Arc<ContextMap>>,
}

impl ProcessHandle {
    pub(crate) fn new(
        pid: Pid,
        entry: Arc<str>,
        cx: Identity,
        max_mailbox: u64,
        parent: Option<Pid>,
    ) -> Self {
        ProcessHandle {
            pid,
            entry,
            mailbox: Mutex::new(Mailbox::default()),
            queued_bytes: AtomicU64::new(0),
            cancel_pending: AtomicBool::new(false),
            max_mailbox,
            waker: AtomicWaker::new(),
            killed: AtomicBool::new(false),
            kill_reason: Mutex::new(None),
            yielded: AtomicBool::new(false),
            trap_links: AtomicBool::new(false),
            relations: Mutex::new(Relations {
                alive: true,
                ..Default::default()
            }),
            actor: cx.actor,
            scope: cx.scope,
            context: cx.context,
            ready: Mutex::new(None),
            started_at: std::time::SystemTime::now(),
            parent,
            steps: AtomicU64::new(0),
        }
    }

    /// A handle that belongs to no process: the node never registers it, so nothing can
    /// find it by PID or name, send to it, link to it or monitor it, and
    /// [`ProcessHandle::is_alive`] is false. A runtime uses one as a placeholder in state
    /// it builds ahead of, or keeps between, processes — the wasm runtime's pooled
    /// function instances (SPEC §6.2) hold one while no call runs on them — and must put
    /// the real process's handle in its place before guest code runs for that process.
    /// `pid` should not collide with a live process: the node's counter starts at 1, so
    /// counter 0 (`Pid::new(node, host, 0)`) is never a real process.
    pub fn detached(pid: Pid, entry: Arc<str>) -> ProcessHandle {
        let handle = ProcessHandle::new(pid, entry, Identity::default(), DEFAULT_MAX_MAILBOX, None);
        handle.relations.lock().alive = false;
        handle
    }

    pub(crate) fn set_ready(&self, tx: tokio::sync::oneshot::Sender<()>) {
        *self.ready.lock() = Some(tx);
    }

    /// Say that the body is about to return `Pending` because its slice is over (it woke
    /// itself to run again), not because it waits. The kernel uses it to tell a process
    /// still busy starting from one that is running (see [`ProcessHandle::take_ready`]).
    pub fn mark_yielded(&self) {
        self.yielded.store(true, Ordering::Relaxed);
    }

    /// Take the "running" signal a spawner asked for (`SpawnOptions::ready`). The kernel
    /// sends it after the first slice that ends blocked on something (waiting for a
    /// message, a timer, …) rather than yielded by preemption (see
    /// [`ProcessHandle::mark_yielded`]). A runtime with a longer start phase (a
    /// supervisor starting its children, as OTP's `init/1`) takes it before its first
    /// poll and sends it itself. Dropped unsent when the process exits first, which the
    /// spawner reads as a failed start.
    pub fn take_ready(&self) -> Option<tokio::sync::oneshot::Sender<()>> {
        self.ready.lock().take()
    }

    /// Append to the mailbox and wake the process, whatever the bound: the path of runtime
    /// events (EXIT, LINK_DOWN, CANCEL — always delivered, SPEC §3.6). A message pushed
    /// this way is still charged its [`Message::charge`] (so the runtime's release
    /// balances), but never refused; messages from senders go through
    /// [`ProcessHandle::try_deliver`].
    pub fn deliver(&self, env: Envelope) {
        if let Envelope::Message(m) = &env
            && m.charge > 0
        {
            self.queued_bytes.fetch_add(m.charge, Ordering::AcqRel);
        }
        self.push(env);
    }

    /// Queue a message from a sender under the `max_mailbox` bound (SPEC §3.6): charge
    /// `m.charge` bytes and append it, or refuse it and queue nothing.
    ///
    /// Errors: [`KernelError::MailboxFull`] when the bytes already queued plus `m.charge`
    /// would exceed the process's `max_mailbox`.
    pub fn try_deliver(&self, m: Message) -> Result<(), KernelError> {
        self.reserve(m.charge)?;
        self.push(Envelope::Message(m));
        Ok(())
    }

    /// Charge `bytes` against the bound without queueing anything yet (the caller pushes
    /// the messages with [`ProcessHandle::push_reserved`], or gives the bytes back with
    /// [`ProcessHandle::release`]). All or nothing.
    ///
    /// Errors: [`KernelError::MailboxFull`], as [`ProcessHandle::try_deliver`].
    pub(crate) fn reserve(&self, bytes: u64) -> Result<(), KernelError> {
        let mut cur = self.queued_bytes.load(Ordering::Acquire);
        loop {
            let next = match cur.checked_add(bytes) {
                Some(n) if n <= self.max_mailbox => n,
                _ => {
                    return Err(KernelError::MailboxFull {
                        pid: self.pid.to_string(),
                        queued: cur,
                        bytes,
                        limit: self.max_mailbox,
                    });
                }
            };
            match self.queued_bytes.compare_exchange_weak(
                cur,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(()),
                Err(now) => cur = now,
            }
        }
    }

    /// Append messages whose bytes [`ProcessHandle::reserve`] already charged, in order,
    /// under one lock.
    pub(crate) fn push_reserved(&self, msgs: Vec<Message>) {
        {
            let mut mb = self.mailbox.lock();
            for m in msgs {
                mb.push_message(m);
            }
        }
        self.waker.wake();
    }

    fn push(&self, env: Envelope) {
        self.mailbox.lock().push(env);
        self.waker.wake();
    }

    /// Give back the bytes of a message the runtime has handed to user code (`m.charge`;
    /// 0 is a no-op). Saturates at 0: a runtime bug that releases twice cannot wrap the
    /// counter (it would only make the bound looser for this process).
    pub fn release(&self, bytes: u64) {
        if bytes == 0 {
            return;
        }
        let prev = self
            .queued_bytes
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |c| {
                Some(c.saturating_sub(bytes))
            })
            .unwrap_or(0);
        debug_assert!(
            prev >= bytes,
            "mailbox release of {bytes} with {prev} queued"
        );
    }

    /// Deliver a CANCEL event unless one is already pending (delivered, not yet handed to
    /// user code): then this one is coalesced into it and nothing is queued. Returns
    /// whether it was queued. So a flood of `process.cancel` at a process that does not
    /// read its events costs one event, not one per call (SPEC §3.6 Isolation: events are
    /// exempt from `max_mailbox`, so they must be bounded another way).
    pub fn offer_cancel(&self, from: Option<Pid>, reason: Option<String>) -> bool {
        if self.cancel_pending.swap(true, Ordering::AcqRel) {
            return false;
        }
        self.deliver(Envelope::Event(crate::Event::Cancel { from, reason }));
        true
    }

    /// The runtime handed a CANCEL event to user code: the next one is delivered again.
    pub fn cancel_taken(&self) {
        self.cancel_pending.store(false, Ordering::Release);
    }

    /// Bytes of message payload queued and not yet received (the `max_mailbox` count).
    pub fn mailbox_bytes(&self) -> u64 {
        self.queued_bytes.load(Ordering::Acquire)
    }

    /// The process's `max_mailbox` in bytes.
    pub fn max_mailbox(&self) -> u64 {
        self.max_mailbox
    }

    /// `process.listen(topic)` (SPEC §3.2): route `topic`'s messages to
    /// [`Route::Topic`]; those pending move there, in order. `Ok(false)` when the process
    /// listens to it already (nothing changes).
    ///
    /// Errors: [`KernelError::InvalidListen`] (empty, `@…`, longer than 1024 bytes — as
    /// Wippy, `@` topics are the runtime's); [`KernelError::TooManyTopics`] (more than
    /// [`crate::mailbox::MAX_TOPICS`]).
    pub fn listen(&self, topic: &str) -> Result<bool, KernelError> {
        self.mailbox.lock().listen(topic)
    }

    /// `process.unlisten` (SPEC §3.2): later messages on `topic` go to the inbox (if
    /// open) or wait; those already routed to it are still handed out through
    /// [`Route::Topic`] (the route is decided once, at arrival).
    ///
    /// Errors: [`KernelError::NotListened`] (as Wippy: `false, err` when not subscribed).
    pub fn unlisten(&self, topic: &str) -> Result<(), KernelError> {
        if self.mailbox.lock().unlisten(topic) {
            Ok(())
        } else {
            Err(KernelError::NotListened(topic.to_string()))
        }
    }

    /// Whether the process listens to `topic`.
    pub fn listens(&self, topic: &str) -> bool {
        self.mailbox.lock().listens(topic)
    }

    /// `process.inbox()`: open the inbox (pending messages move there, in order).
    /// Returns whether it was newly opened.
    pub fn open_inbox(&self) -> bool {
        self.mailbox.lock().open_inbox()
    }

    /// `process.events()`: open the events subscription. Returns whether it was newly
    /// opened.
    pub fn open_events(&self) -> bool {
        self.mailbox.lock().open_events()
    }

    /// Take the first item queued for `route` (none when that route is not open or has
    /// nothing). The runtime releases a message's charge when it hands it to user code.
    pub fn take(&self, route: &Route) -> Option<Envelope> {
        self.mailbox.lock().take(route)
    }

    /// Take the first item, in arrival order, of any open route, with its route.
    pub fn take_next(&self) -> Option<(Route, Envelope)> {
        self.mailbox.lock().take_next()
    }

    /// Take every item of the open routes, in arrival order (a runtime that moves what it
    /// takes into its own channels at once: Lua). Appends to `out`. The lock is taken
    /// for at most [`TAKE_BATCH`] items at a time, so a process with a long mailbox and
    /// many listened topics (each take is O(topics)) never holds its senders — other
    /// processes — waiting on the lock for longer than one batch (SPEC §3.6).
    pub fn take_all(&self, out: &mut Vec<(Route, Envelope)>) {
        loop {
            let mut mb = self.mailbox.lock();
            for _ in 0..TAKE_BATCH {
                match mb.take_next() {
                    Some(item) => out.push(item),
                    None => return,
                }
            }
        }
    }

    /// Take at most `max` items of the open routes, in arrival order (as
    /// [`ProcessHandle::take_all`], in batches of at most [`TAKE_BATCH`] per hold of the
    /// lock). Returns `true` when it stopped at `max` (items may remain), so a runtime can
    /// bound the work of one poll and come back for the rest (SPEC §3.6).
    pub fn take_some(&self, out: &mut Vec<(Route, Envelope)>, max: usize) -> bool {
        let mut left = max;
        while left > 0 {
            let mut mb = self.mailbox.lock();
            for _ in 0..TAKE_BATCH.min(left) {
                match mb.take_next() {
                    Some(item) => {
                        out.push(item);
                        left -= 1;
                    }
                    None => return false,
                }
            }
        }
        true
    }

    /// Selective receive over the events (as OTP's `receive` with a pattern; the
    /// supervisor waits for one child's EXIT so): take the first event `pred` accepts,
    /// whether or not events are open; the others stay in order.
    pub fn take_event(&self, pred: impl FnMut(&Event) -> bool) -> Option<Event> {
        self.mailbox.lock().take_event(pred)
    }

    /// Items queued in the mailbox (every route and pending).
    pub fn queued(&self) -> usize {
        self.mailbox.lock().len()
    }

    /// Wake the process's task without queueing anything (a runtime-side feed, such as
    /// an event-bus subscription, has something for it).
    pub fn wake(&self) {
        self.waker.wake();
    }

    /// Register the waker to call when something arrives.
    pub fn register_waker(&self, w: &std::task::Waker) {
        self.waker.register(w);
    }

    /// Ask the process to die with `reason` (first reason wins).
    pub fn kill(&self, reason: ProcessError) {
        {
            let mut r = self.kill_reason.lock();
            if r.is_none() {
                *r = Some(reason);
            }
        }
        self.killed.store(true, Ordering::Release);
        self.waker.wake();
    }

    /// The kill reason, if the process was killed.
    pub fn kill_reason(&self) -> Option<ProcessError> {
        if self.killed.load(Ordering::Acquire) {
            self.kill_reason.lock().clone()
        } else {
            None
        }
    }

    /// Whether the process is still alive.
    pub fn is_alive(&self) -> bool {
        self.relations.lock().alive
    }
}

impl std::fmt::Debug for ProcessHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Process({} {})", self.pid, self.entry)
    }
}

/// Shared pointer to a process.
pub type ProcessRef = Arc<ProcessHandle>;

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::atomic::AtomicUsize;

    use super::*;

    /// Every item queued for `h` (inbox and events open), appended to `out` in order.
    fn drain_into(h: &ProcessHandle, out: &mut VecDeque<Envelope>) {
        h.open_inbox();
        h.open_events();
        let mut v = Vec::new();
        h.take_all(&mut v);
        out.extend(v.into_iter().map(|(_, e)| e));
    }
    use crate::{ErrorKind, Value};

    fn handle(limit: u64) -> ProcessRef {
        Arc::new(ProcessHandle::new(
            Pid::new("n", "h", 1),
            "app:sink".into(),
            Identity::default(),
            limit,
            None,
        ))
    }

    /// A message from sender `s` with sequence number `i`, charged exactly `charge`.
    fn msg(s: i64, i: i64, charge: u64) -> Message {
        Message {
            topic: "t".into(),
            from: None,
            payload: Value::Array(vec![Value::Int(s), Value::Int(i)]),
            actor: None,
            charge,
        }
    }

    fn seq(e: &Envelope) -> (i64, i64, u64) {
        match e {
            Envelope::Message(m) => match &m.payload {
                Value::Array(a) => match (&a[0], &a[1]) {
                    (Value::Int(s), Value::Int(i)) => (*s, *i, m.charge),
                    _ => unreachable!(),
                },
                _ => unreachable!(),
            },
            Envelope::Event(_) => (-1, -1, 0),
        }
    }

    #[test]
    fn concurrent_senders_fill_the_bound_exactly_and_nothing_more() {
        let h = handle(10_000);
        let refused = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for t in 0..4 {
                let (h, refused) = (&h, &refused);
                s.spawn(move || {
                    for i in 0..1000 {
                        match h.try_deliver(msg(t, i, 100)) {
                            Ok(()) => {}
                            Err(e) => {
                                assert_eq!(
                                    ProcessError::from(e.clone()).kind,
                                    ErrorKind::Unavailable
                                );
                                assert!(e.to_string().starts_with("mailbox full"), "{e}");
                                refused.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                });
            }
        });
        let mut q = VecDeque::new();
        drain_into(&h, &mut q);
        assert_eq!(q.len(), 100, "10_000 bytes of 100-byte messages");
        assert_eq!(refused.load(Ordering::Relaxed), 4000 - 100);
        assert_eq!(h.mailbox_bytes(), 10_000);
        // Events are never refused, and do not count.
        h.deliver(Envelope::Event(crate::Event::Cancel {
            from: None,
            reason: None,
        }));
        assert_eq!(h.mailbox_bytes(), 10_000);
        for e in &q {
            h.release(seq(e).2);
        }
        assert_eq!(h.mailbox_bytes(), 0);
        assert!(h.try_deliver(msg(9, 0, 100)).is_ok(), "room again");
    }

    #[test]
    fn concurrent_senders_and_a_draining_receiver_keep_order_and_balance() {
        let h = handle(5_000);
        let per_sender = 2_000;
        let accepted = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        let received = std::thread::scope(|s| {
            for t in 0..3 {
                let (h, accepted, done) = (&h, &accepted, &done);
                s.spawn(move || {
                    let mut i = 0;
                    while i < per_sender {
                        // Retry a refused message: per-sender order must hold for the
                        // accepted ones.
                        match h.try_deliver(msg(t, i, 1 + (i as u64 % 7) * 50)) {
                            Ok(()) => {
                                accepted.fetch_add(1, Ordering::Relaxed);
                                i += 1;
                            }
                            Err(_) => std::thread::yield_now(),
                        }
                    }
                    done.fetch_add(1, Ordering::Release);
                });
            }
            let h = &h;
            let done = &done;
            s.spawn(move || {
                let mut got = Vec::new();
                let mut q = VecDeque::new();
                loop {
                    let finished = done.load(Ordering::Acquire) == 3;
                    drain_into(h, &mut q);
                    assert!(h.mailbox_bytes() <= h.max_mailbox());
                    for e in q.drain(..) {
                        let (s, i, c) = seq(&e);
                        h.release(c);
                        got.push((s, i));
                    }
                    if finished && h.mailbox_bytes() == 0 {
                        break got;
                    }
                    std::thread::yield_now();
                }
            })
            .join()
            .unwrap()
        });
        assert_eq!(received.len(), 3 * per_sender as usize);
        assert_eq!(accepted.load(Ordering::Relaxed), received.len());
        for t in 0..3 {
            let mine: Vec<i64> = received
                .iter()
                .filter(|(s, _)| *s == t)
                .map(|(_, i)| *i)
                .collect();
            assert_eq!(
                mine,
                (0..per_sender).collect::<Vec<_>>(),
                "sender {t} in order"
            );
        }
        assert_eq!(h.mailbox_bytes(), 0, "nothing leaked");
    }

    #[test]
    fn a_message_bigger_than_the_bound_is_refused_even_when_the_mailbox_is_empty() {
        let h = handle(1_000);
        assert!(h.try_deliver(msg(0, 0, 1_001)).is_err());
        assert_eq!(h.mailbox_bytes(), 0);
        assert!(h.try_deliver(msg(0, 1, 1_000)).is_ok());
        assert!(h.try_deliver(msg(0, 2, 1)).is_err());
        let mut q = VecDeque::new();
        drain_into(&h, &mut q);
        assert_eq!(q.len(), 1);
        h.release(1_000);
        assert_eq!(h.mailbox_bytes(), 0);
    }

    #[test]
    fn take_some_stops_at_its_limit_in_order_and_says_whether_more_remain() {
        let h = handle(u64::MAX);
        h.open_inbox();
        for i in 0..700 {
            assert!(h.try_deliver(msg(0, i, 1)).is_ok());
        }
        let ids = |v: &[(Route, Envelope)]| v.iter().map(|(_, e)| seq(e).1).collect::<Vec<_>>();
        let mut out = Vec::new();
        assert!(h.take_some(&mut out, 300), "stopped at 300 of 700");
        assert_eq!(ids(&out), (0..300).collect::<Vec<_>>());
        out.clear();
        assert!(
            h.take_some(&mut out, 400),
            "exactly at the limit: more may remain"
        );
        assert_eq!(ids(&out), (300..700).collect::<Vec<_>>());
        out.clear();
        assert!(!h.take_some(&mut out, 400), "nothing left");
        assert!(out.is_empty());
    }

    #[test]
    fn estimated_bytes_counts_strings_and_nodes_and_survives_deep_nesting() {
        let node = std::mem::size_of::<Value>() as u64;
        assert_eq!(Value::Nil.estimated_bytes(), node);
        assert_eq!(Value::str("abcd").estimated_bytes(), node + 4);
        let v = Value::Map(vec![(Value::str("k"), Value::Array(vec![Value::Int(1)]))]);
        assert_eq!(v.estimated_bytes(), node + (node + 1) + node + node);
        let mut deep = Value::str("x");
        for _ in 0..100_000 {
            deep = Value::Array(vec![deep]);
        }
        assert_eq!(deep.estimated_bytes(), 100_001 * node + 1);
        // Dropping it recursively would overflow the test thread's stack: unwind by hand.
        let mut cur = deep;
        while let Value::Array(mut a) = cur {
            cur = a.pop().unwrap_or(Value::Nil);
        }
        let m = Message::new("topic".into(), None, Value::str("ab"), None);
        assert_eq!(
            m.charge,
            std::mem::size_of::<Envelope>() as u64 + 5 + node + 2
        );
    }
}
