//! [`ProcessHandle`]: the shared, thread-safe half of a process — its mailbox, its
//! relations (links, monitors, exit watchers, names) and its kill flag. The other half, the
//! process body, lives on one worker thread and is never shared.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::task::AtomicWaker;
use parking_lot::Mutex;

use crate::message::Envelope;
use crate::security::{Actor, Scope};
use crate::{ExitResult, Pid, ProcessError};

/// Shared state of one live process.
pub struct ProcessHandle {
    pub pid: Pid,
    /// Entry ID the process runs.
    pub entry: Arc<str>,
    mailbox: Mutex<VecDeque<Envelope>>,
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
    pub(crate) fn new(pid: Pid, entry: Arc<str>, cx: Identity) -> Self {
        ProcessHandle {
            pid,
            entry,
            mailbox: Mutex::new(VecDeque::new()),
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
        let handle = ProcessHandle::new(pid, entry, Identity::default());
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

    /// Append to the mailbox and wake the process.
    pub fn deliver(&self, env: Envelope) {
        self.mailbox.lock().push_back(env);
        self.waker.wake();
    }

    /// Move every queued item into `out`, in arrival order.
    pub fn drain_into(&self, out: &mut VecDeque<Envelope>) {
        let mut mb = self.mailbox.lock();
        if out.is_empty() {
            std::mem::swap(&mut *mb, out);
        } else {
            out.extend(mb.drain(..));
        }
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
