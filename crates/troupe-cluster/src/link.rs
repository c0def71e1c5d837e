//! [`Link`]: the sending side of one peer that is up — the outbox whose frames go out
//! packed, one cast per burst, and the credit that bounds what this node keeps in flight
//! to the peer (SPEC §3.6 across nodes).
//!
//! A frame for another node waits in ractor_cluster's actor and session queues (unbounded)
//! until the socket takes it. The link counts the bytes of operation frames sent and not
//! yet acknowledged by the peer (its router sends [`crate::wire::Frame::Ack`] every
//! [`ACK_EVERY`] bytes and at every heartbeat), in total and per sending process: past
//! [`MAX_IN_FLIGHT_BYTES`] for the peer, or [`MAX_PER_SENDER_BYTES`] for one process, a
//! send is refused ([`SendRefused::Busy`]), as a full `max_mailbox` refuses one. Frames
//! leave and are acknowledged in order (one session, one router), so the acknowledged
//! bytes are taken off the senders oldest first and each sender's count is exact.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use parking_lot::Mutex;
use ractor::ActorRef;

use crate::router::RouterMsg;

/// Most bytes of operation frames sent to one peer and not yet acknowledged: 64 MiB.
pub const MAX_IN_FLIGHT_BYTES: usize = 64 << 20;

/// Most of those one sending process may have: 16 MiB, so a process flooding a node
/// leaves the rest of the link to the others.
pub const MAX_PER_SENDER_BYTES: usize = 16 << 20;

/// A receiver acknowledges what it got from a peer every this many bytes (and at every
/// heartbeat tick).
pub const ACK_EVERY: usize = 1 << 20;

/// Why a frame was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendRefused {
    /// The peer's router is gone, or the pending queue is full (`noconnection`).
    Down,
    /// The bound (bytes) the send would pass: [`MAX_IN_FLIGHT_BYTES`] for the peer or
    /// [`MAX_PER_SENDER_BYTES`] for the sender.
    Busy(usize),
}

/// An up peer: its router, the outbox and the credit.
#[derive(Clone)]
pub struct Link {
    pub router: ActorRef<RouterMsg>,
    state: Arc<Mutex<State>>,
    /// The cluster runtime, where the flushes run.
    rt: tokio::runtime::Handle,
}

/// Under the link's one lock.
#[derive(Default)]
struct State {
    /// Frames not yet cast, in send order.
    frames: Vec<Vec<u8>>,
    /// A flush task is on its way (at most one per peer, so the order holds).
    flushing: bool,
    /// Bytes sent and not acknowledged.
    in_flight: usize,
    /// The same bytes by sender, oldest first (consecutive frames of one sender merged;
    /// `None`: a frame of no process, e.g. one that waited while the peer was pending).
    order: VecDeque<(Option<Arc<str>>, usize)>,
    /// Per sender (printed PID), the sum of its entries in `order`.
    by_sender: HashMap<Arc<str>, usize>,
}

impl State {
    fn record(&mut self, sender: Option<&str>, len: usize) {
        self.in_flight += len;
        let key = sender.map(|s| match self.by_sender.get_key_value(s) {
            Some((k, _)) => k.clone(),
            None => Arc::from(s),
        });
        if let Some(k) = &key {
            *self.by_sender.entry(k.clone()).or_insert(0) += len;
        }
        match self.order.back_mut() {
            Some((last, n)) if *last == key => *n += len,
            _ => self.order.push_back((key, len)),
        }
    }

    fn acknowledge(&mut self, mut bytes: usize) {
        self.in_flight = self.in_flight.saturating_sub(bytes);
        while bytes > 0 {
            let Some((who, n)) = self.order.front_mut() else {
                return;
            };
            let take = bytes.min(*n);
            *n -= take;
            bytes -= take;
            if let Some(w) = who.as_ref()
                && let Some(held) = self.by_sender.get_mut(w)
            {
                *held -= take.min(*held);
                if *held == 0 {
                    self.by_sender.remove(w);
                }
            }
            if *n == 0 {
                self.order.pop_front();
            }
        }
    }
}

/// Cast what `link`'s outbox holds, packed ([`crate::wire::pack`]), until it is empty.
/// Runs on the cluster runtime: the senders (process threads) only queue.
async fn flush(link: Link) {
    loop {
        let frames = {
            let mut s = link.state.lock();
            if s.frames.is_empty() {
                s.flushing = false;
                return;
            }
            std::mem::take(&mut s.frames)
        };
        if link
            .router
            .cast(RouterMsg::Frame(crate::wire::pack(&frames)))
            .is_err()
        {
            // The peer's router is gone: its session's end reports the node down.
            link.state.lock().flushing = false;
            return;
        }
        // Let the senders add to the next batch while this one goes out.
        tokio::task::yield_now().await;
    }
}

impl Link {
    /// An up peer's link; `rt` is the cluster runtime, where its flushes run.
    pub fn new(router: ActorRef<RouterMsg>, rt: tokio::runtime::Handle) -> Link {
        Link {
            router,
            state: Default::default(),
            rt,
        }
    }

    /// Queue an operation frame from `sender` (a printed PID) for the next cast, within
    /// the credit.
    pub fn send(&self, bytes: Vec<u8>, sender: Option<&str>) -> Result<(), SendRefused> {
        let len = bytes.len();
        let start = {
            let mut s = self.state.lock();
            if s.in_flight + len > MAX_IN_FLIGHT_BYTES {
                return Err(SendRefused::Busy(MAX_IN_FLIGHT_BYTES));
            }
            if let Some(who) = sender
                && s.by_sender.get(who).copied().unwrap_or(0) + len > MAX_PER_SENDER_BYTES
            {
                return Err(SendRefused::Busy(MAX_PER_SENDER_BYTES));
            }
            s.record(sender, len);
            s.queue(bytes)
        };
        self.start(start);
        Ok(())
    }

    /// Queue a frame already accepted (one that waited while the peer was pending):
    /// counted, never refused, so nothing a sender was told is sent gets lost.
    pub fn accepted(&self, bytes: Vec<u8>) {
        let start = {
            let mut s = self.state.lock();
            s.record(None, bytes.len());
            s.queue(bytes)
        };
        self.start(start);
    }

    /// The peer acknowledged `bytes`.
    pub fn acknowledged(&self, bytes: usize) {
        self.state.lock().acknowledge(bytes);
    }

    fn start(&self, start: bool) {
        if start {
            self.rt.spawn(flush(self.clone()));
        }
    }
}

impl State {
    /// Append to the outbox; `true` when a flush must be started.
    fn queue(&mut self, bytes: Vec<u8>) -> bool {
        self.frames.push(bytes);
        !std::mem::replace(&mut self.flushing, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acknowledgements_are_taken_off_the_senders_oldest_first() {
        let mut s = State::default();
        s.record(Some("{a@h|0x1}"), 10);
        s.record(Some("{a@h|0x1}"), 5);
        s.record(Some("{a@h|0x2}"), 7);
        s.record(None, 3);
        assert_eq!(s.in_flight, 25);
        assert_eq!(s.order.len(), 3, "consecutive frames of one sender merge");
        s.acknowledge(12);
        assert_eq!(s.by_sender.get("{a@h|0x1}"), Some(&3));
        assert_eq!(s.by_sender.get("{a@h|0x2}"), Some(&7));
        s.acknowledge(10);
        assert_eq!(s.by_sender.get("{a@h|0x1}"), None);
        assert_eq!(s.by_sender.get("{a@h|0x2}"), None);
        assert_eq!(s.in_flight, 3);
        // More than was sent (a confused peer): nothing goes negative.
        s.acknowledge(100);
        assert_eq!((s.in_flight, s.order.len()), (0, 0));
    }
}
