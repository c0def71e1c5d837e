//! Warm instances of wasm function entries: the `pool` setting of `function.wat` and
//! `function.wasm` (SPEC §6.2), `{type: inline|lazy|static, size, max_size}`.
//!
//! - `inline` (the default): every call instantiates a fresh instance in a fresh store and
//!   drops both when it returns; nothing is kept.
//! - `lazy`: instances are created on demand. After a call that ended normally, its store
//!   and instance go back to the entry's warm list if the list holds fewer than `size`
//!   (default 1); the next call takes a warm instance instead of instantiating. Guest state
//!   (globals, linear memory, tables) therefore persists between the calls an instance
//!   serves, as in Wippy's pools. An instance whose call trapped, hit a limit (fuel,
//!   `max_memory`, `max_execution_ms`), exited, failed in a host call or was killed is
//!   dropped, never reused. A call whose arguments do not fit the signature never enters
//!   the guest, so its instance is kept.
//! - `static`: like `lazy`, but `size` (default 1) instances are created at boot, by
//!   [`crate::WasmRuntime::prepare_all`] right after the entry is prepared, so the first
//!   calls find them warm (and a boot whose instances cannot be created fails naming the
//!   entry).
//! - `max_size`: at most `max_size` instances of the entry run calls at the same time. Each
//!   call takes a permit of the entry's semaphore before it takes or creates an instance
//!   and gives it back when the call ends; further calls wait, which suspends only the
//!   calling process. The wait is not part of `max_execution_ms`. No limit when absent.
//!
//! The warm list is a FIFO: a call takes the instance idle longest and a finished call
//! appends its own, so the instances of a `static` pool serve calls in turn.
//!
//! A warm store is a whole [`Store<State>`] (it is `Send`, so it moves between worker
//! threads while idle). Between calls it is *parked* ([`State::park`]): it holds a
//! detached placeholder handle ([`troupe_kernel::ProcessHandle::detached`]) and no node.
//! A call takes it and re-targets it ([`State::begin_call`] plus the fuel and the epoch
//! deadline, in `run`): handle, node, entry, arguments, mailbox view, limit flag, clock,
//! last stderr line and the PID of its stdout/stderr lines are the new call's; the WASI
//! contexts (args, env, mounts) and the resource table are the entry's and stay. Static
//! instances are built the same way at boot: a store whose handle is the placeholder,
//! instantiated with `futures::executor::block_on`, then parked.
//!
//! Warm instances occupy slots of the engine's pooling allocator (see [`crate::engine`])
//! for the life of the node.

use std::collections::VecDeque;
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use troupe_kernel::{Pid, ProcessHandle, ProcessRef};
use troupe_registry::PoolSpec;
use wasmtime::Store;

use crate::state::State;

/// `pool.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A fresh instance per call.
    Inline,
    /// Instances kept after calls, created on demand.
    Lazy,
    /// Instances kept after calls, `size` of them created at boot.
    Static,
}

/// An instantiated entry.
#[derive(Clone, Copy)]
pub enum Instance {
    Component(wasmtime::component::Instance),
    Core(wasmtime::Instance),
}

/// A store and its instance, idle in a pool.
pub struct Warm {
    pub store: Store<State>,
    pub instance: Instance,
}

/// The pool of one function entry.
pub struct Pool {
    pub mode: Mode,
    /// Warm instances kept at most (`size`); 0 for `inline`.
    pub size: usize,
    idle: Mutex<VecDeque<Warm>>,
    /// `max_size` permits, when set.
    slots: Option<Arc<Semaphore>>,
    /// The placeholder handle parked stores hold.
    pub vacant: ProcessRef,
}

impl Pool {
    /// The pool of entry `entry` on node `node_name` as `spec` asks; `function` is false
    /// for `process.wasm` entries, which are never pooled.
    ///
    /// Errors: `max_size: 0` (no call could ever run).
    pub fn new(
        spec: Option<&PoolSpec>,
        function: bool,
        node_name: &str,
        entry: &str,
    ) -> Result<Pool, String> {
        let spec = spec.filter(|_| function);
        let mode = match spec.map(|s| s.kind.as_str()) {
            Some("lazy") => Mode::Lazy,
            Some("static") => Mode::Static,
            _ => Mode::Inline,
        };
        let size = match mode {
            Mode::Inline => 0,
            _ => spec.and_then(|s| s.size).unwrap_or(1),
        };
        let slots = match spec.and_then(|s| s.max_size) {
            Some(0) => return Err("`pool.max_size` must be at least 1".into()),
            Some(n) => Some(Arc::new(Semaphore::new(n))),
            None => None,
        };
        // Counter 0 is never a real process (the node counts from 1).
        let vacant = Arc::new(ProcessHandle::detached(
            Pid::new(node_name, "", 0),
            entry.into(),
        ));
        Ok(Pool {
            mode,
            size,
            idle: Mutex::new(VecDeque::new()),
            slots,
            vacant,
        })
    }

    /// Wait for a permit to run a call (`max_size`); `None` when there is no limit. The
    /// call runs while the permit lives.
    pub async fn permit(&self) -> Option<OwnedSemaphorePermit> {
        self.slots.clone()?.acquire_owned().await.ok()
    }

    /// A warm instance, the one idle longest, if any.
    pub fn take(&self) -> Option<Warm> {
        self.idle.lock().pop_front()
    }

    /// Keep `warm` (a store that just finished a call normally, or was built at boot) for
    /// a later call, if the pool keeps instances and has room; otherwise drop it.
    pub fn give_back(&self, mut warm: Warm) {
        if self.size == 0 {
            return;
        }
        warm.store.data_mut().park(&self.vacant);
        let full = {
            let mut idle = self.idle.lock();
            if idle.len() < self.size {
                idle.push_back(warm);
                None
            } else {
                Some(warm)
            }
        };
        // A store is dropped outside the lock (that frees its instance).
        drop(full);
    }

    /// Number of warm instances now.
    pub fn idle(&self) -> usize {
        self.idle.lock().len()
    }
}
