//! [`Host`]: a `process.host` scheduler (SPEC §3.1) — `workers` OS threads, each running a
//! single-threaded tokio runtime with a `LocalSet`. Every process is a local task pinned to
//! one worker; its body (a Lua VM thread, a wasm store) is therefore never shared across
//! threads. Work reaches a worker as a [`Job`] through an unbounded channel, or is run in
//! place when the caller is already on one of the host's workers (spawn locality, as in
//! Erlang).

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use parking_lot::Mutex;
use tokio::sync::mpsc;

/// A unit of work executed on a worker thread, inside its `LocalSet`.
pub type Job = Box<dyn FnOnce() + Send>;

thread_local! {
    static CURRENT: RefCell<Option<(Arc<str>, usize)>> = const { RefCell::new(None) };
}

/// The host ID and worker index of the calling thread, if it is a worker.
pub fn current_worker() -> Option<(Arc<str>, usize)> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Stack size of a worker thread: 8 MiB. Deep copies are bounded by
/// [`crate::copy::MAX_DEPTH`] so that building, dropping and printing a copy needs a small
/// part of it (see the test in `copy.rs`).
pub const WORKER_STACK: usize = 8 << 20;

/// A scheduler with a fixed set of worker threads.
pub struct Host {
    pub id: Arc<str>,
    senders: Mutex<Vec<mpsc::UnboundedSender<Job>>>,
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
    next: AtomicUsize,
    workers: usize,
    /// Jobs (process starts) sent to a worker and not yet run.
    queued: Arc<AtomicUsize>,
    /// Jobs run since the host started.
    executed: Arc<AtomicU64>,
}

impl Host {
    /// Start a host with `workers` threads (at least one).
    ///
    /// Errors: the OS refused to create a thread or a runtime.
    pub fn start(id: &str, workers: usize) -> std::io::Result<Arc<Host>> {
        crate::preempt::start_ticker();
        let workers = workers.max(1);
        let id: Arc<str> = id.into();
        let mut senders = Vec::with_capacity(workers);
        let mut threads = Vec::with_capacity(workers);
        let queued = Arc::new(AtomicUsize::new(0));
        let executed = Arc::new(AtomicU64::new(0));
        for index in 0..workers {
            let (q, x) = (queued.clone(), executed.clone());
            let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let host_id = id.clone();
            let thread = std::thread::Builder::new()
                .name(format!("{}#{}", id, index))
                .stack_size(WORKER_STACK)
                .spawn(move || {
                    CURRENT.with(|c| *c.borrow_mut() = Some((host_id, index)));
                    let local = tokio::task::LocalSet::new();
                    local.block_on(&rt, async move {
                        while let Some(job) = rx.recv().await {
                            q.fetch_sub(1, Ordering::Relaxed);
                            x.fetch_add(1, Ordering::Relaxed);
                            job();
                        }
                    });
                    drop(local);
                    CURRENT.with(|c| *c.borrow_mut() = None);
                })?;
            senders.push(tx);
            threads.push(thread);
        }
        Ok(Arc::new(Host {
            id,
            senders: Mutex::new(senders),
            threads: Mutex::new(threads),
            next: AtomicUsize::new(0),
            workers,
            queued,
            executed,
        }))
    }

    /// Number of worker threads.
    pub fn workers(&self) -> usize {
        self.workers
    }

    /// Jobs (process starts) waiting in the workers' queues.
    pub fn queue_depth(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    /// Jobs (process starts) run since the host started.
    pub fn executed(&self) -> u64 {
        self.executed.load(Ordering::Relaxed)
    }

    /// Run `job` on one of this host's workers: in place when the caller already is one,
    /// otherwise on the next worker round-robin.
    ///
    /// Errors: the host has been stopped (the job is dropped).
    pub fn run(&self, job: Job) -> Result<(), Job> {
        if let Some((hid, _)) = current_worker()
            && hid == self.id
        {
            self.executed.fetch_add(1, Ordering::Relaxed);
            job();
            return Ok(());
        }
        let senders = self.senders.lock();
        if senders.is_empty() {
            return Err(job);
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % senders.len();
        self.queued.fetch_add(1, Ordering::Relaxed);
        senders[i].send(job).map_err(|e| {
            self.queued.fetch_sub(1, Ordering::Relaxed);
            e.0
        })
    }

    /// Stop accepting work and end the worker threads; their remaining tasks are dropped.
    pub fn stop(&self) {
        self.senders.lock().clear();
        let threads = std::mem::take(&mut *self.threads.lock());
        let me = std::thread::current().id();
        for t in threads {
            if t.thread().id() != me {
                let _ = t.join();
            }
        }
    }
}
