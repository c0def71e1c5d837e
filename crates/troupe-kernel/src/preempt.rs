//! The preemption clock (SPEC §3.6). One background thread advances [`EPOCH`] every
//! [`TICK`]; a process body records the epoch when it is resumed and yields once the
//! epoch has moved [`SLICE_TICKS`] past it. Reading an atomic is all a guest's interrupt
//! check costs, so the check can sit on every loop back-edge.

use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Monotonic tick counter.
pub static EPOCH: AtomicU64 = AtomicU64::new(0);

/// Length of one tick.
pub const TICK: Duration = Duration::from_millis(1);

/// A process may run this many ticks (1–2 ms) before it must yield.
pub const SLICE_TICKS: u64 = 2;

static START: Once = Once::new();

/// Start the ticker thread (idempotent).
pub fn start_ticker() {
    START.call_once(|| {
        let spawned = std::thread::Builder::new().name("troupe-epoch".into()).spawn(|| {
            loop {
                std::thread::sleep(TICK);
                EPOCH.fetch_add(1, Ordering::Relaxed);
            }
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the preemption ticker; busy processes will not be preempted");
        }
    });
}

/// The current epoch.
#[inline]
pub fn now() -> u64 {
    EPOCH.load(Ordering::Relaxed)
}
