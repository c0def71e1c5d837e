//! Per-process Lua memory accounting and `max_memory` (SPEC §3.6 "Limits").
//!
//! Mechanism (see ARCHITECTURE.md, "Lua memory limits", for the reasons):
//! - **Luau memory categories.** Every Luau object records the category that was active on
//!   the thread that allocated it, and Luau keeps a byte count per category
//!   (`lua_totalbytes`), decremented when the object is freed whoever frees it. Each Lua
//!   process owns one category of its VM while it lives: its threads, and the VM's main
//!   thread while the process is being polled, allocate in that category. So the count is
//!   exactly the Lua heap the process holds, including garbage not yet collected.
//! - **A VM has 255 process categories** (0 is the VM's own: modules, compiled chunks), so a
//!   worker runs as many VMs (shards) as it needs: a spawn takes a free category of an
//!   existing VM, or starts a new VM when all are taken.
//! - **A category is reused** as soon as its process ended and it holds at most
//!   [`REUSE_BYTES`] of that process's uncollected garbage; the new owner starts from that
//!   baseline (so its count is exact up to 1 MiB).
//! - **Enforcement** has two parts. (1) A hard stop in the VM's allocator: while a process
//!   runs, mlua's allocator limit is set to what the VM holds now plus the process's
//!   headroom (its limit + [`MARGIN`] − what it holds), so no allocation can take it
//!   further (Luau raises "not enough memory"). (2) At the end of every slice and every
//!   poll the process's count is compared with its limit (`check`); over it, or after a
//!   refused allocation, the process is doomed ([`Doom::MaxMemory`]) and ends with an error
//!   naming `max_memory` at its next yield, even if its code caught the error. Small objects
//!   come from Luau's shared size-class pages, which reach the allocator a page at a time,
//!   and garbage of other processes freed during the slice widens the headroom, so the bound
//!   holds to within a slice's worth of that.

use std::cell::{Cell, RefCell};
use std::ffi::{c_int, c_void};

use mlua::ffi;

use crate::slice::Doom;

/// A free category may be handed to a new process while its previous owners' garbage is at
/// most this many bytes (the new owner's count can be short by at most that much).
pub const REUSE_BYTES: usize = 1 << 20;

/// How many of the most recently freed categories a spawn looks at before it looks
/// elsewhere (keeps a spawn O(1) when many free categories still hold garbage).
const REUSE_TRIES: usize = 8;

/// Categories per VM usable by processes (1..=255).
pub const CATEGORIES: usize = 255;

/// How far past its limit a process's allocations may go before they are refused outright
/// (up to that, it is doomed at the end of its slice instead).
pub const MARGIN: usize = 1 << 20;

thread_local! {
    static ACCOUNT: Cell<Account> = const { Cell::new(Account::NONE) };
}

/// The process whose allocations are being made on this worker, and its budget.
#[derive(Clone, Copy)]
pub(crate) struct Account {
    /// The allocator state of the process's VM.
    pub alloc: *mut AllocState,
    /// The main thread of the process's VM (for `lua_totalbytes`).
    pub main: *mut ffi::lua_State,
    /// The process's category (0: no process, no limit).
    pub cat: u8,
    /// `max_memory` in bytes.
    pub limit: usize,
    /// Bytes the category held when the process got it (a predecessor's garbage).
    pub baseline: usize,
    /// Rust-heap bytes the process's Lua objects hold (received messages), or null.
    pub held: *const Cell<usize>,
    /// Where to record that the limit was hit.
    pub doom: *const Cell<Doom>,
}

impl Account {
    pub(crate) const NONE: Account = Account {
        alloc: std::ptr::null_mut(),
        main: std::ptr::null_mut(),
        cat: 0,
        limit: usize::MAX,
        baseline: 0,
        held: std::ptr::null(),
        doom: std::ptr::null(),
    };

    /// Bytes this account's process holds now: its Lua heap plus the Rust heap its Lua
    /// objects hold.
    pub(crate) fn used(&self) -> usize {
        if self.cat == 0 || self.main.is_null() {
            return 0;
        }
        let total = unsafe { ffi::lua_totalbytes(self.main, c_int::from(self.cat)) };
        let held = if self.held.is_null() {
            0
        } else {
            unsafe { (*self.held).get() }
        };
        total.saturating_sub(self.baseline).saturating_add(held)
    }

    /// Point the VM's allocator limit at this account: the VM's bytes now plus the
    /// process's headroom, or no limit for the VM's own work.
    fn arm(&self, vm_alloc: *mut AllocState) {
        if vm_alloc.is_null() {
            return;
        }
        let st = unsafe { &mut *vm_alloc };
        if st.memory_limit == 0 {
            // Inside [`Unguarded`]: mlua is on its unprotected paths, so no limit may be set
            // until it ends (it arms the then-current account).
            return;
        }
        st.memory_limit = if self.cat == 0 {
            isize::MAX
        } else {
            let room = self
                .limit
                .saturating_add(MARGIN)
                .saturating_sub(self.used());
            // 1, not 0: mlua reads a limit of 0 as "none".
            st.used_memory
                .saturating_add(room.min(isize::MAX as usize) as isize)
                .max(1)
        };
    }
}

/// Make `a` the account of this worker until the guard drops (then the previous one is
/// back), and make `state` (the thread mlua allocates on) and the VM's main thread allocate
/// in its category.
pub(crate) struct Charge {
    prev: Account,
    vm_alloc: *mut AllocState,
    states: [*mut ffi::lua_State; 2],
    /// The VM's "an allocation was refused" flag before this account began (the previous
    /// account's, given back when this one ends; a refusal seen by one is not the other's).
    prev_reached: bool,
}

impl Charge {
    /// # Safety
    /// `state` and `main` must be live threads of the VM whose allocator state is
    /// `vm_alloc` (or null), and `a` an account of that VM or [`Account::NONE`].
    pub(crate) unsafe fn new(
        a: Account,
        vm_alloc: *mut AllocState,
        main: *mut ffi::lua_State,
        state: *mut ffi::lua_State,
    ) -> Charge {
        let prev = ACCOUNT.replace(a);
        let states = [state, main];
        for s in states {
            if !s.is_null() {
                unsafe { ffi::lua_setmemcat(s, c_int::from(a.cat)) };
            }
        }
        let mut prev_reached = false;
        if !vm_alloc.is_null() {
            let st = unsafe { &mut *vm_alloc };
            prev_reached = std::mem::replace(&mut st.limit_reached, false);
        }
        a.arm(vm_alloc);
        Charge {
            prev,
            vm_alloc,
            states,
            prev_reached,
        }
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        // Back to the previous process's category on these threads when it is in the same VM,
        // else to the VM's own.
        ACCOUNT.set(self.prev);
        let back = armed_for(self.vm_alloc);
        for s in self.states {
            if !s.is_null() {
                unsafe { ffi::lua_setmemcat(s, c_int::from(back.cat)) };
            }
        }
        back.arm(self.vm_alloc);
        if !self.vm_alloc.is_null() {
            unsafe { (*self.vm_alloc).limit_reached = self.prev_reached };
        }
    }
}

/// The account whose limit `vm_alloc`'s VM should enforce now: the running one if it is
/// of that VM, else none (the VM's own work).
fn armed_for(vm_alloc: *mut AllocState) -> Account {
    let a = ACCOUNT.get();
    if a.alloc == vm_alloc {
        a
    } else {
        Account::NONE
    }
}

/// Builds this small (bytes, by the kernel's cost model, [`troupe_kernel::copy::footprint`])
/// are made on mlua's unprotected paths ([`Unguarded`]).
pub const SMALL_BUILD: u64 = 64 << 10;

/// mlua's unprotected API paths for a stretch of Rust-side work whose allocations the
/// runtime bounds (an event table, a received message object, a new process's environment,
/// thread and small arguments), until the guard drops.
///
/// While a limit is set, mlua runs every Rust-side Lua API call inside its own `lua_pcall`
/// (so a refused allocation cannot unwind through Rust frames): about 1,700 instructions
/// per call, measured with callgrind, most of spawn + exit. Meanwhile the VM's allocator
/// limit is off instead (mlua calls Luau directly; a real out-of-memory aborts, as it
/// always does); the allocations are still counted in the running process's category, so
/// [`check`] still dooms a process over its limit, and the limit is armed again on drop.
/// Callers keep what they build under [`SMALL_BUILD`] or a constant.
/// Nested guards (and [`Charge`]s inside one) leave the limit off until the outermost
/// guard drops.
pub(crate) struct Unguarded<'a> {
    lua: &'a mlua::Lua,
    vm_alloc: *mut AllocState,
    /// This guard turned the limit off (it was not off already).
    outermost: bool,
}

impl<'a> Unguarded<'a> {
    /// Turn the limit of `lua` (whose allocator state is `vm_alloc`) off.
    pub(crate) fn new(lua: &'a mlua::Lua, vm_alloc: *mut AllocState) -> Unguarded<'a> {
        // Cannot fail: the VM was made with mlua's allocator (checked by `AllocState::of`).
        let outermost = lua.set_memory_limit(0).is_ok_and(|prev| prev != 0);
        Unguarded {
            lua,
            vm_alloc,
            outermost,
        }
    }
}

impl Drop for Unguarded<'_> {
    fn drop(&mut self) {
        if !self.outermost {
            return;
        }
        // Any non-zero limit turns mlua's protected paths back on; `arm` then sets the real
        // one (leaving the refusal flag as it is).
        let _ = self.lua.set_memory_limit(isize::MAX as usize);
        armed_for(self.vm_alloc).arm(self.vm_alloc);
    }
}

/// The account of the process running now.
pub(crate) fn current() -> Account {
    ACCOUNT.get()
}

/// Doom the running process if it holds more than its limit or an allocation of its was
/// just refused. Called at the end of every slice (the interrupt) and of every poll.
pub(crate) fn check() {
    let a = ACCOUNT.get();
    if a.cat == 0 || a.doom.is_null() || a.alloc.is_null() {
        return;
    }
    let refused = unsafe { (*a.alloc).limit_reached };
    if refused || a.used() > a.limit {
        unsafe { (*a.doom).set(Doom::MaxMemory) };
    }
}

/// mlua's allocator state (`MemoryState`, `#[repr(C)]`, these four fields in mlua 0.12),
/// the userdata of its allocator: its `memory_limit` is what [`Charge`] sets, and
/// `limit_reached` says the last allocation was refused. [`AllocState::of`] checks the
/// layout against mlua's own accessors when a VM is made.
#[repr(C)]
pub(crate) struct AllocState {
    used_memory: isize,
    memory_limit: isize,
    /// Set by mlua around its few unprotected calls; read by mlua's allocator only.
    #[allow(dead_code)]
    ignore_limit: bool,
    limit_reached: bool,
}

impl AllocState {
    /// The allocator state of `lua`, after turning on mlua's protected allocations (a
    /// limit of 0 would tell mlua allocations cannot fail).
    ///
    /// Errors: the state does not look like mlua's `MemoryState` (an mlua upgrade changed
    /// it): refuse to run rather than write to the wrong fields.
    pub(crate) fn of(lua: &mlua::Lua, main: *mut ffi::lua_State) -> mlua::Result<*mut AllocState> {
        let mut ud: *mut c_void = std::ptr::null_mut();
        unsafe { ffi::lua_getallocf(main, &mut ud) };
        let st = ud.cast::<AllocState>();
        let probe = 0x7e57_0000usize;
        lua.set_memory_limit(probe)?;
        let ok = !st.is_null()
            && unsafe { (*st).memory_limit } == probe as isize
            && unsafe { (*st).used_memory } == lua.used_memory() as isize;
        lua.set_memory_limit(isize::MAX as usize)?;
        if !ok {
            return Err(mlua::Error::runtime(
                "mlua's allocator state has an unexpected layout; Lua memory limits cannot work",
            ));
        }
        Ok(st)
    }
}

/// The process categories of one VM that no live process owns.
pub(crate) struct Categories {
    free: RefCell<Vec<u8>>,
}

impl Categories {
    pub(crate) fn new() -> Categories {
        // Handed out from the end: 1 first.
        Categories {
            free: RefCell::new((1..=CATEGORIES as u8).rev().collect()),
        }
    }

    /// A category for a new process and its baseline, or `None` when every free one still
    /// holds too much garbage (or none is free).
    pub(crate) fn acquire(&self, main: *mut ffi::lua_State) -> Option<(u8, usize)> {
        let mut free = self.free.borrow_mut();
        let mut i = free.len();
        let stop = i.saturating_sub(REUSE_TRIES);
        while i > stop {
            i -= 1;
            let cat = free[i];
            let bytes = unsafe { ffi::lua_totalbytes(main, c_int::from(cat)) };
            if bytes <= REUSE_BYTES {
                free.swap_remove(i);
                return Some((cat, bytes));
            }
        }
        None
    }

    /// Whether some category is free (perhaps still holding garbage).
    pub(crate) fn any_free(&self) -> bool {
        !self.free.borrow().is_empty()
    }

    /// Give a category back when its process ended.
    pub(crate) fn release(&self, cat: u8) {
        self.free.borrow_mut().push(cat);
    }
}
