//! What runs on every Luau interrupt (SPEC §3.6 "Termination always works" and
//! "Fairness"): preemption at the end of a slice, stopping a killed process, and failing a
//! process that holds its worker past `max_slice` or went over `max_memory`.
//!
//! Luau calls the interrupt at loop back-edges, calls and returns, and from its pattern
//! matcher. What it can do depends on where it fires:
//! - in the process coroutine the scheduler resumed, outside a C call: yield it (the
//!   worker then runs others) — the slice is over, or the process must stop;
//! - in a user coroutine (`coroutine.resume`/`wrap`) that can yield: yield it with
//!   `preempt_mark`; the Lua-side `resume` of `COROUTINE` passes the mark up to its own
//!   resumer, level by level, until the process coroutine yields to the scheduler, and
//!   resumes the inner coroutine when it is resumed itself;
//! - where nothing can yield (a `string.gsub` callback, a `table.sort` comparator, a
//!   metamethod, the pattern matcher): a killed or doomed process gets a Lua error raised
//!   at every interrupt until its code unwinds to a point that can yield (a `pcall` may
//!   catch one, the next back-edge raises again); a process that is neither may run on
//!   until `max_slice` has passed since its poll began, and is then doomed with
//!   [`Doom::MaxSlice`].
//!
//! A doomed process ends with an error naming the limit at its next yield, whatever its
//! code returns (`LuaProcess::poll` checks [`Doom`] first).

use std::cell::Cell;
use std::ffi::c_int;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use mlua::ffi;

thread_local! {
    /// What the interrupt callback needs about the process running on this worker.
    pub(crate) static SLICE: Cell<Slice> = const { Cell::new(Slice::NONE) };
    /// The three fields of [`SLICE`] every interrupt reads (the rest only once a slice is
    /// over): kept apart so the common case copies three words, not the whole `Slice`.
    static HOT: Cell<Hot> = const { Cell::new(Hot::NONE) };
    /// The Luau thread of the process coroutine being resumed (null between coroutines);
    /// set around each coroutine's poll.
    pub(crate) static RUNNING: Cell<*const std::ffi::c_void> = const { Cell::new(std::ptr::null()) };
    /// Set by the interrupt callback when it made a coroutine yield.
    pub(crate) static PREEMPTED: Cell<bool> = const { Cell::new(false) };
    /// The epoch at which the wall clock was last read for `max_slice` (once per tick).
    static WALL_CHECKED: Cell<u64> = const { Cell::new(u64::MAX) };
}

/// Why a process must fail at its next yield: a limit of SPEC §3.6 it broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doom {
    /// Nothing: the process may run.
    None,
    /// It held its worker without yielding for longer than `max_slice`.
    MaxSlice,
    /// It tried to hold more than `max_memory` bytes of Lua heap.
    MaxMemory,
}

/// Preemption bookkeeping for the process being polled (epochs are
/// [`troupe_kernel::preempt`] ticks of 1 ms).
#[derive(Clone, Copy)]
pub(crate) struct Slice {
    /// Epoch at which the running coroutine should yield.
    pub deadline: u64,
    /// When the interrupt first found this poll past its deadline where it could not yield
    /// (wall clock: the epoch ticker slows down on a loaded machine, `max_slice` must not;
    /// read lazily so a poll that yields in time never reads the clock).
    pub started: Option<Instant>,
    /// `max_slice`.
    pub max_slice: Duration,
    /// The process's kill flag (null: no process is being polled).
    pub kill: *const AtomicBool,
    /// The process's doom (valid whenever `kill` is non-null).
    pub doom: *const Cell<Doom>,
    /// The memory category the process allocates in now (valid whenever `kill` is
    /// non-null): put on the running thread at the end of every slice, so its threads
    /// follow a promotion (`memory.rs`).
    pub memcat: *const Cell<u8>,
}

/// See [`HOT`].
#[derive(Clone, Copy)]
struct Hot {
    deadline: u64,
    kill: *const AtomicBool,
    doom: *const Cell<Doom>,
}

impl Hot {
    const NONE: Hot = Hot {
        deadline: u64::MAX,
        kill: std::ptr::null(),
        doom: std::ptr::null(),
    };
}

/// The worker starts polling a process: its slice bookkeeping.
pub(crate) fn enter(s: Slice) {
    HOT.set(Hot {
        deadline: s.deadline,
        kill: s.kill,
        doom: s.doom,
    });
    SLICE.set(s);
}

/// End the running process's slice now: its next interrupt (a call, return or loop
/// back-edge of its code) yields it to the worker as a preemption does, and the worker
/// polls it again after the others (Erlang's `erlang:yield/0`). No-op outside a process.
pub(crate) fn yield_soon() {
    let mut h = HOT.get();
    if !h.kill.is_null() {
        h.deadline = 0;
        HOT.set(h);
    }
}

/// The worker stopped polling it.
pub(crate) fn leave() {
    HOT.set(Hot::NONE);
    SLICE.set(Slice::NONE);
    RUNNING.set(std::ptr::null());
}

impl Slice {
    pub(crate) const NONE: Slice = Slice {
        deadline: u64::MAX,
        started: None,
        max_slice: Duration::MAX,
        kill: std::ptr::null(),
        doom: std::ptr::null(),
        memcat: std::ptr::null(),
    };
}

/// The light userdata a preempted user coroutine yields (its address is the identity).
static PREEMPT_TAG: u8 = 0;

/// [`PREEMPT_TAG`] as a Lua light userdata pointer.
pub(crate) fn preempt_mark() -> *mut std::ffi::c_void {
    &PREEMPT_TAG as *const u8 as *mut std::ffi::c_void
}

/// Lua-side `coroutine.resume` and `coroutine.wrap` that pass preemption yields (the
/// [`preempt_mark`]) and blocking calls' yields (`crate::block`'s mark) up to the resumer, so a busy
/// loop inside a user coroutine is preempted like any other and a blocking call (receive,
/// sleep) inside one suspends the whole process as it should. Called with the raw
/// `resume`, `yield`, `create`, `isyieldable`, the preempt mark and the block mark;
/// returns `resume, wrap`. Errors from `wrap` get the caller's position prepended, as
/// Luau's own `wrap` does.
pub(crate) const COROUTINE: &str = r##"
local raw_resume, raw_yield, raw_create, isyieldable, MARK, BLOCK = ...
local pack, unpack, select, error, type = table.pack, table.unpack, select, error, type
local function again(co, r)
  while r[1] and r.n == 2 and (r[2] == MARK or r[2] == BLOCK) do
    if r[2] == MARK and not isyieldable() then
      r = pack(raw_resume(co))
    else
      r = pack(raw_resume(co, raw_yield(r[2])))
    end
  end
  return r
end
local function check(co, ok, ...)
  if ok and select("#", ...) == 1 then
    local v = ...
    if v == MARK or v == BLOCK then
      local r = again(co, pack(ok, ...))
      return unpack(r, 1, r.n)
    end
  end
  return ok, ...
end
local function resume(co, ...)
  return check(co, raw_resume(co, ...))
end
local function finish(ok, ...)
  if ok then return ... end
  local e = ...
  if type(e) == "string" then error(e, 3) end
  error(e, 0)
end
local function wrap(f)
  local co = raw_create(f)
  return function(...)
    return finish(check(co, raw_resume(co, ...)))
  end
end
return resume, wrap
"##;

/// `table.move` and `table.sort` replaced by versions the interrupt can stop: Luau's own run
/// their loops in C without an interrupt check, so `table.move({}, 1, 2^40, 1, {})` or the
/// default comparison of a huge table could hold a worker for minutes and ignore
/// `terminate`. A move of more than 65,536 elements is done in chunks from a Lua loop (in the
/// same order as Luau's, so overlapping moves stay right); a sort of more than 4,096
/// elements without a comparator uses a Lua `<` comparator (slower, but each call is an
/// interrupt point). Called with the raw `move` and `sort`; returns `move, sort`.
pub(crate) const TABLE: &str = r##"
local raw_move, raw_sort = ...
local type, rawequal, min, max = type, rawequal, math.min, math.max
local CHUNK = 65536
local function move(a1, f, e, t, a2)
  if a2 == nil then a2 = a1 end
  if type(f) ~= "number" or type(e) ~= "number" or type(t) ~= "number" or e - f < CHUNK then
    return raw_move(a1, f, e, t, a2)
  end
  if t > f and t <= e and rawequal(a1, a2) then
    local hi = e
    while hi >= f do
      local lo = max(f, hi - CHUNK + 1)
      raw_move(a1, lo, hi, t + (lo - f), a2)
      hi = lo - 1
    end
  else
    local lo = f
    while lo <= e do
      local hi = min(e, lo + CHUNK - 1)
      raw_move(a1, lo, hi, t + (lo - f), a2)
      lo = hi + 1
    end
  end
  return a2
end
local function lt(a, b) return a < b end
local function sort(t, comp)
  if comp == nil and type(t) == "table" and #t > 4096 then
    return raw_sort(t, lt)
  end
  return raw_sort(t, comp)
end
return move, sort
"##;

/// The Luau interrupt callback (installed on every VM). See the module doc for what it
/// does where.
///
/// # Safety
/// Called by Luau with a valid thread; raises Lua errors (a `longjmp`, Luau is built with
/// `LUA_USE_LONGJMP`) over this frame, which holds nothing to drop.
pub(crate) unsafe extern "C-unwind" fn interrupt(state: *mut ffi::lua_State, gc: c_int) {
    if gc >= 0 {
        return;
    }
    let h = HOT.get();
    if h.kill.is_null() {
        return;
    }
    let now = troupe_kernel::preempt::now();
    let killed = unsafe { (*h.kill).load(Ordering::Relaxed) };
    let mut doom = unsafe { (*h.doom).get() };
    if !killed && doom == Doom::None && now < h.deadline {
        return;
    }
    let s = SLICE.get();
    // Once per slice: the running thread allocates where the process does now (a thread
    // made before a promotion follows it; until then its bucket charge counts it).
    unsafe { ffi::lua_setmemcat(state, c_int::from((*s.memcat).get())) };
    if doom == Doom::None {
        crate::memory::check();
        doom = unsafe { (*s.doom).get() };
    }
    let running = RUNNING.get();
    let yieldable = !running.is_null() && unsafe { ffi::lua_isyieldable(state) } != 0;
    if yieldable {
        PREEMPTED.set(true);
        unsafe {
            if running == state as *const std::ffi::c_void {
                ffi::lua_yield(state, 0);
            } else {
                ffi::lua_pushlightuserdata(state, preempt_mark());
                ffi::lua_yield(state, 1);
            }
        }
        return;
    }
    if !killed && doom == Doom::None {
        if WALL_CHECKED.replace(now) == now {
            return;
        }
        let Some(started) = s.started else {
            SLICE.set(Slice {
                started: Some(Instant::now()),
                ..s
            });
            return;
        };
        if started.elapsed() < s.max_slice {
            return;
        }
        doom = Doom::MaxSlice;
        unsafe { (*s.doom).set(doom) };
    }
    let message: &str = match doom {
        Doom::MaxSlice => "max_slice exceeded: the process held its worker without yielding",
        Doom::MaxMemory => "max_memory exceeded",
        Doom::None => "process terminated",
    };
    unsafe {
        if ffi::lua_checkstack(state, 2) == 0 {
            return;
        }
        ffi::lua_pushlstring(state, message.as_ptr().cast(), message.len());
        ffi::lua_error(state);
    }
}
