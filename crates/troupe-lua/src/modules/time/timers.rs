//! Timers of the `time` module (WIPPY-API.md §6): `time.after(d)`, `time.timer(d)` and
//! `time.ticker(d)`. Each is a task on the worker's event loop (a tokio timer: no thread,
//! no CPU while it waits, SPEC §3.5) that puts Time values into a process-local channel.
//!
//! Bounds (SPEC §3.6):
//! - Every live task belongs to its process's [`Timers`] set and is aborted when the
//!   process ends (normally or killed), so timers die with their process. A task holds its
//!   channel weakly and the channel aborts it when collected: a timer nobody can read any
//!   more (an `after` channel dropped by a `select` loop) stops costing at the next
//!   collection rather than when it would have fired.
//! - Each live task is charged [`TASK_BYTES`] of Rust heap against the process's
//!   `max_memory` until it ends, so a process cannot create unbounded timers for free.
//! - A ticker's channel holds at most [`TICKER_BUFFER`] Times; while it is full, ticks are
//!   dropped and the task sleeps until a value is taken (it does not wake per period), so
//!   a ticker nobody reads costs nothing after 16 ticks. Ticks come at most once per
//!   millisecond (the resolution of the worker's timer wheel).
//! - The Time a task delivers is built in the process's memory account (as if the process
//!   made it), on mlua's fast path (a constant-size build).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use mlua::{UserData, UserDataMethods, Value as LuaValue};
use tokio::task::{AbortHandle, JoinSet};
use tokio::time::Instant;

use super::object::LuaTime;
use super::value::GoTime;
use crate::channel::{Channel, WeakChannel};
use crate::process::ProcState;

/// Rust heap charged to a process per live timer task (the task, its timer entry, its
/// channel handle; measured at a little under this).
pub const TASK_BYTES: usize = 512;

/// Buffer of a ticker's channel (as Wippy).
pub const TICKER_BUFFER: usize = 16;

/// Shortest interval between two ticks (the timer wheel's resolution).
pub const MIN_TICK: Duration = Duration::from_millis(1);

/// The live timer tasks of one process (a field of its `ProcState`): dropping it (the
/// process ended) aborts them all.
#[derive(Default)]
pub struct Timers(RefCell<JoinSet<()>>);

impl Timers {
    /// Start `fut` as a task of this process; finished tasks are reaped first, so the set
    /// holds only live ones.
    fn spawn(&self, fut: impl Future<Output = ()> + 'static) -> AbortHandle {
        let mut set = self.0.borrow_mut();
        while set.try_join_next().is_some() {}
        set.spawn_local(fut)
    }
}

/// What a timer task needs of its process: a weak handle (the task must not keep it
/// alive) and the charge for the task itself.
struct Owner {
    st: Weak<ProcState>,
    _held: Option<Rc<crate::process::Held>>,
}

impl Owner {
    fn current() -> mlua::Result<Owner> {
        crate::process::with_current(|p| {
            Ok(Owner {
                st: Rc::downgrade(p),
                _held: crate::process::hold(TASK_BYTES),
            })
        })
    }

    /// A Time of now, made as the process's own allocation (`None`: the process is gone
    /// or the build failed, e.g. past its memory limit — it is then doomed).
    fn now(&self) -> Option<LuaValue> {
        let st = self.st.upgrade()?;
        let vm = &st.vm;
        let state = vm.current_state().ok()?;
        // SAFETY: `state` and `vm.main` are live threads of `vm`, whose allocator state is
        // `vm.alloc`, and the account is of a process of that VM (alive: held by `st`).
        let _charge = unsafe { crate::memory::Charge::new(st.account(), vm.alloc, vm.main, state) };
        let v = {
            let _fast = vm.fast();
            vm.lua.create_userdata(LuaTime(GoTime::now())).ok()
        };
        crate::memory::check();
        v.map(LuaValue::UserData)
    }
}

fn spawn(fut: impl Future<Output = ()> + 'static) -> mlua::Result<AbortHandle> {
    crate::process::with_current(|p| Ok(p.timers.spawn(fut)))
}

/// The task currently feeding a channel; shared by the Timer object and the channel's
/// guard.
#[derive(Clone, Default)]
struct Slot(Rc<RefCell<Option<AbortHandle>>>);

impl Slot {
    fn set(&self, h: AbortHandle) {
        if let Some(old) = self.0.borrow_mut().replace(h) {
            old.abort();
        }
    }
    fn abort(&self) {
        if let Some(h) = self.0.borrow_mut().take() {
            h.abort();
        }
    }
}

/// Kept by a timer's channel: aborts the feeding task when the channel is dropped.
struct AbortOnDrop(Slot);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A channel for a timer task, which aborts the task in `slot` once it is dropped.
fn timer_channel(cap: usize, slot: &Slot) -> Channel {
    let ch = Channel::new(cap, true);
    ch.set_guard(Box::new(AbortOnDrop(slot.clone())));
    ch
}

fn std_duration(ns: i64) -> Duration {
    Duration::from_nanos(ns.max(0) as u64)
}

/// Ready once the channel has room for another value, is closed or is gone.
struct Room<'a>(&'a WeakChannel, usize);

impl Future for Room<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Some(ch) = self.0.upgrade() else {
            return Poll::Ready(());
        };
        if ch.is_closed() || ch.len() < self.1 {
            return Poll::Ready(());
        }
        ch.wake_on_take(cx.waker());
        Poll::Pending
    }
}

/// A one-shot task: after `d`, one Time into the channel, then it closes.
async fn one_shot(ch: WeakChannel, d: i64, owner: Owner, fired: Rc<Cell<bool>>) {
    tokio::time::sleep(std_duration(d)).await;
    fired.set(true);
    let Some(ch) = ch.upgrade() else {
        return;
    };
    if let Some(v) = owner.now() {
        ch.push(v);
    }
    ch.close();
}

/// `time.after(d)`: a channel that receives one Time when `d` (> 0) has elapsed, then
/// closes.
pub fn after(d: i64) -> mlua::Result<Channel> {
    let slot = Slot::default();
    let ch = timer_channel(1, &slot);
    let owner = Owner::current()?;
    slot.set(spawn(one_shot(
        ch.downgrade(),
        d,
        owner,
        Rc::new(Cell::new(false)),
    ))?);
    Ok(ch)
}

/// A `time.timer(d)` object: `:response()`/`:channel()`, `:stop()`, `:reset(d)`.
pub struct Timer {
    channel: Channel,
    task: Slot,
    fired: Rc<Cell<bool>>,
}

impl Timer {
    /// A timer that fires once after `d` (> 0).
    pub fn start(d: i64) -> mlua::Result<Timer> {
        let task = Slot::default();
        let channel = timer_channel(1, &task);
        let fired = Rc::new(Cell::new(false));
        task.set(spawn(one_shot(
            channel.downgrade(),
            d,
            Owner::current()?,
            fired.clone(),
        ))?);
        Ok(Timer {
            channel,
            task,
            fired,
        })
    }

    fn pending(&self) -> bool {
        self.task.0.borrow().is_some() && !self.fired.get()
    }
}

impl UserData for Timer {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("channel", |_, t, ()| Ok(t.channel.clone()));
        m.add_method("response", |_, t, ()| Ok(t.channel.clone()));
        // Go's Stop: true if the call stopped a pending timer. The channel stays open (no
        // value will come unless `reset` arms it again).
        m.add_method("stop", |_, t, ()| {
            let was = t.pending();
            t.task.abort();
            Ok(was)
        });
        // Go's Reset: true if the timer was pending. A timer that already fired has
        // delivered its Time and closed its channel: it stays fired (false).
        m.add_method("reset", |_, t, d: LuaValue| {
            let d = super::duration::arg(&d)
                .map_err(|e| mlua::Error::runtime(format!("time: timer:reset: {e}")))?;
            if d <= 0 {
                return Err(mlua::Error::runtime(format!(
                    "time: timer:reset: the duration must be positive, got {}",
                    super::duration::format(d)
                )));
            }
            let was = t.pending();
            if t.fired.get() {
                return Ok(false);
            }
            let owner = Owner::current()?;
            t.task.set(spawn(one_shot(
                t.channel.downgrade(),
                d,
                owner,
                t.fired.clone(),
            ))?);
            Ok(was)
        });
    }
}

/// A `time.ticker(d)` object: `:response()`/`:channel()`, `:stop()`.
pub struct Ticker {
    channel: Channel,
    task: Slot,
}

impl Ticker {
    /// A ticker of period `d` (> 0; at least [`MIN_TICK`] in effect).
    pub fn start(d: i64) -> mlua::Result<Ticker> {
        let task = Slot::default();
        let channel = timer_channel(TICKER_BUFFER, &task);
        let owner = Owner::current()?;
        let period = std_duration(d).max(MIN_TICK);
        let weak = channel.downgrade();
        let h = spawn(async move {
            let start = Instant::now();
            let mut next = match start.checked_add(period) {
                Some(n) => n,
                None => return std::future::pending().await,
            };
            loop {
                tokio::time::sleep_until(next).await;
                let Some(ch) = weak.upgrade() else {
                    return;
                };
                if ch.is_closed() {
                    return;
                }
                if ch.len() >= TICKER_BUFFER {
                    // Full: this tick is dropped; wait for room, then the next tick on the
                    // grid.
                    drop(ch);
                    Room(&weak, TICKER_BUFFER).await;
                } else if let Some(v) = owner.now() {
                    // Room was checked: this hands it to a receiver or buffers it.
                    let _ = ch.try_send(v);
                } else if owner.st.strong_count() == 0 {
                    return;
                }
                let now = Instant::now();
                next = match next.checked_add(period) {
                    Some(n) if n > now => n,
                    Some(_) => {
                        // Behind (slow receiver or wait for room): skip to the grid.
                        let p = period.as_nanos();
                        let behind = (now - start).as_nanos() % p;
                        match now.checked_add(Duration::from_nanos((p - behind) as u64)) {
                            Some(n) => n,
                            None => return std::future::pending().await,
                        }
                    }
                    None => return std::future::pending().await,
                };
            }
        })?;
        task.set(h);
        Ok(Ticker { channel, task })
    }
}

impl UserData for Ticker {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("channel", |_, t, ()| Ok(t.channel.clone()));
        m.add_method("response", |_, t, ()| Ok(t.channel.clone()));
        // No more ticks; the channel stays open (as Go's Ticker.Stop).
        m.add_method("stop", |_, t, ()| {
            t.task.abort();
            Ok(true)
        });
    }
}
