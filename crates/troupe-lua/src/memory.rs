//! Per-process Lua memory accounting and `max_memory` (SPEC §3.6 "Limits").
//!
//! Mechanism (see ARCHITECTURE.md, "Lua memory limits", for the reasons and figures):
//! - **Luau memory categories.** Every Luau object records the category that was active on
//!   the thread that allocated it, and Luau keeps a byte count per category
//!   (`lua_totalbytes`), decremented when the object is freed whoever frees it. A VM has
//!   255 usable categories (0 is the VM's own: modules, compiled chunks).
//! - **Shared categories ("buckets") for small processes.** A process whose limit is at
//!   least [`BUCKET_MIN_LIMIT`] starts in a bucket shared with up to [`BUCKET_JOINS`]
//!   others, and is charged what the bucket gained while it ran (its [`Ledger`]: the
//!   bucket's bytes are read when each of its running intervals begins and ends). Once
//!   that charge passes [`PROMOTE_BYTES`] it gets a category of its own, exact from then
//!   on; what it left in the bucket stays charged to it, but never more than the bucket
//!   holds. So an idle process costs no category, and a VM holds tens of thousands of them.
//!   The bucket charge is approximate: garbage freed while a process runs lowers its
//!   charge (whoever made it), and its own garbage freed while others run stays on it. The
//!   error is bounded by what the bucket's other members put in it before their promotion
//!   (≤ [`BUCKET_JOINS`] × [`PROMOTE_BYTES`], 16 MiB), a quarter of the smallest limit a
//!   bucket takes; processes with smaller limits get their own category from the start.
//! - **A worker runs as many VMs (shards) as it needs**: a spawn takes a place in an
//!   existing VM, or starts a new VM when none has one.
//! - **A category is reused** once its process (or every member of a bucket) ended and it
//!   holds at most [`REUSE_BYTES`] of their uncollected garbage; a new owner starts from
//!   that baseline (so its count is exact up to 1 MiB).
//! - **Enforcement** has two parts. (1) A hard stop in the VM's allocator: while a process
//!   runs, mlua's allocator limit is set to what the VM holds now plus the process's
//!   headroom (its limit + [`MARGIN`] − what it holds), so no allocation can take it
//!   further (Luau raises "not enough memory"). (2) At the end of every slice and every
//!   poll the process's count is compared with its limit (`check`); over it, or right after
//!   a refused allocation (mlua clears its refusal flag at the next allocator call, so a
//!   refusal the code catches is seen only if nothing was allocated in between), the
//!   process is doomed ([`Doom::MaxMemory`]) and ends with an error naming `max_memory` at
//!   its next yield. An uncaught refusal also ends it naming `max_memory`. Small objects
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

/// Categories per VM usable by processes (1..=255).
pub const CATEGORIES: usize = 255;

/// A process whose `max_memory` is at least this starts in a shared category (bucket);
/// a smaller limit gets a category of its own at once (exact accounting).
pub const BUCKET_MIN_LIMIT: usize = 64 << 20;

/// A bucket member is given a category of its own once it is charged more than this.
pub const PROMOTE_BYTES: isize = 16 << 10;

/// How many processes may ever join one bucket.
pub const BUCKET_JOINS: u32 = 1024;

/// A bucket takes no new members once it holds this many bytes.
pub const BUCKET_OPEN_BYTES: usize = 1 << 20;

/// How far past its limit a process's allocations may go before they are refused outright
/// (up to that, it is doomed at the end of its slice instead).
pub const MARGIN: usize = 1 << 20;

thread_local! {
    static ACCOUNT: Cell<Account> = const { Cell::new(Account::NONE) };
    /// The ledger and the VM's allocator total at the last [`check`] on this worker.
    static CHECKED: Cell<(*const Ledger, isize)> = const { Cell::new((std::ptr::null(), 0)) };
}

/// Which categories a process allocates in and what it is charged (see the module doc).
/// Owned by the process (`ProcState`); [`Account`]s point at it.
pub(crate) struct Ledger {
    /// The process's own category (0: none yet) and that category's bytes when it got it.
    own: Cell<u8>,
    own_baseline: Cell<usize>,
    /// Its bucket (0: none).
    bucket: u8,
    /// Net bytes the bucket gained during this process's settled running intervals.
    charged: Cell<isize>,
    /// The bucket's bytes when the current running interval began.
    mark: Cell<usize>,
    /// The category it allocates in now (its own, else its bucket); the interrupt puts it
    /// on the running thread, so threads made before a promotion follow.
    pub(crate) cur: Cell<u8>,
}

impl Ledger {
    /// The ledger of a process placed as `place` says.
    pub(crate) fn new(place: Place) -> Ledger {
        let (own, own_baseline, bucket) = match place {
            Place::Own { cat, baseline } => (cat, baseline, 0),
            Place::Bucket { cat } => (0, 0, cat),
        };
        Ledger {
            own: Cell::new(own),
            own_baseline: Cell::new(own_baseline),
            bucket,
            charged: Cell::new(0),
            mark: Cell::new(0),
            cur: Cell::new(if own != 0 { own } else { bucket }),
        }
    }

    /// Give its categories back to `cats` (the process ended).
    pub(crate) fn release(&self, cats: &Categories) {
        let own = self.own.replace(0);
        if own != 0 {
            cats.release(own);
        }
        if self.bucket != 0 {
            cats.leave(self.bucket);
        }
    }
}

/// Where a new process allocates: a category of its own (with the bytes it already holds:
/// a predecessor's garbage), or a bucket.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Place {
    Own { cat: u8, baseline: usize },
    Bucket { cat: u8 },
}

/// The process whose allocations are being made on this worker, and its budget.
#[derive(Clone, Copy)]
pub(crate) struct Account {
    /// The allocator state of the process's VM.
    pub alloc: *mut AllocState,
    /// The main thread of the process's VM (for `lua_totalbytes`).
    pub main: *mut ffi::lua_State,
    /// The VM's categories (for a promotion).
    pub cats: *const Categories,
    /// The process's ledger (null: no process, no limit).
    pub ledger: *const Ledger,
    /// `max_memory` in bytes.
    pub limit: usize,
    /// Rust-heap bytes the process's Lua objects hold (received messages), or null.
    pub held: *const Cell<usize>,
    /// Where to record that the limit was hit.
    pub doom: *const Cell<Doom>,
}

impl Account {
    pub(crate) const NONE: Account = Account {
        alloc: std::ptr::null_mut(),
        main: std::ptr::null_mut(),
        cats: std::ptr::null(),
        ledger: std::ptr::null(),
        limit: usize::MAX,
        held: std::ptr::null(),
        doom: std::ptr::null(),
    };

    fn ledger(&self) -> Option<&Ledger> {
        if self.ledger.is_null() || self.main.is_null() {
            None
        } else {
            Some(unsafe { &*self.ledger })
        }
    }

    fn bytes(&self, cat: u8) -> usize {
        unsafe { ffi::lua_totalbytes(self.main, c_int::from(cat)) }
    }

    /// The category this account allocates in now (0: the VM's own).
    pub(crate) fn cat(&self) -> u8 {
        self.ledger().map_or(0, |l| l.cur.get())
    }

    /// A running interval of this account begins: note the bucket's bytes.
    fn begin(&self) {
        if let Some(l) = self.ledger()
            && l.bucket != 0
        {
            l.mark.set(self.bytes(l.bucket));
        }
    }

    /// A running interval ends (or is split): add what the bucket gained to the charge.
    fn settle(&self) {
        if let Some(l) = self.ledger()
            && l.bucket != 0
        {
            let now = self.bytes(l.bucket);
            l.charged.set(
                l.charged
                    .get()
                    .saturating_add(now as isize - l.mark.get() as isize),
            );
            l.mark.set(now);
        }
    }

    /// Bytes this account's process holds now: its own category's bytes past the baseline,
    /// its bucket charge (never below 0 nor above what the bucket holds), and the Rust heap
    /// its Lua objects hold. Valid for the running account.
    pub(crate) fn used(&self) -> usize {
        match self.ledger() {
            None => 0,
            Some(l) => self.used_with(l, self.bucket_now(l)),
        }
    }

    /// The bucket's bytes now (0 without a bucket): read once and passed on.
    fn bucket_now(&self, l: &Ledger) -> usize {
        if l.bucket == 0 {
            0
        } else {
            self.bytes(l.bucket)
        }
    }

    /// [`Account::used`] with the bucket's bytes already read.
    fn used_with(&self, l: &Ledger, bucket_now: usize) -> usize {
        let mut total = 0usize;
        let own = l.own.get();
        if own != 0 {
            total = self.bytes(own).saturating_sub(l.own_baseline.get());
        }
        if l.bucket != 0 {
            let charge = l
                .charged
                .get()
                .saturating_add(bucket_now as isize - l.mark.get() as isize);
            let charge = usize::try_from(charge.max(0)).unwrap_or(0);
            total = total.saturating_add(charge.min(bucket_now));
        }
        let held = if self.held.is_null() {
            0
        } else {
            unsafe { (*self.held).get() }
        };
        total.saturating_add(held)
    }

    /// Give a bucket member charged past [`PROMOTE_BYTES`] a category of its own (when its
    /// VM has one free); the VM's main thread allocates in it at once, the running thread
    /// from its next interrupt.
    fn promote(&self, bucket_now: usize) {
        let Some(l) = self.ledger() else {
            return;
        };
        if l.own.get() != 0 || l.bucket == 0 || self.cats.is_null() {
            return;
        }
        let charge = l
            .charged
            .get()
            .saturating_add(bucket_now as isize - l.mark.get() as isize);
        if charge <= PROMOTE_BYTES {
            return;
        }
        if let Some((cat, baseline)) = unsafe { &*self.cats }.acquire(self.main) {
            l.own.set(cat);
            l.own_baseline.set(baseline);
            l.cur.set(cat);
            unsafe { ffi::lua_setmemcat(self.main, c_int::from(cat)) };
        }
    }

    /// Point the VM's allocator limit at this account: the VM's bytes now plus the
    /// process's headroom, or no limit for the VM's own work.
    fn arm(&self, vm_alloc: *mut AllocState) {
        let used = if self.ledger.is_null() {
            0
        } else {
            self.used()
        };
        self.arm_with(vm_alloc, used);
    }

    /// [`Account::arm`] with what the process holds already worked out.
    fn arm_with(&self, vm_alloc: *mut AllocState, used: usize) {
        if vm_alloc.is_null() {
            return;
        }
        let st = unsafe { &mut *vm_alloc };
        if st.memory_limit == 0 {
            // Inside [`Unguarded`]: mlua is on its unprotected paths, so no limit may be set
            // until it ends (it arms the then-current account).
            return;
        }
        st.memory_limit = if self.ledger.is_null() {
            isize::MAX
        } else {
            let room = self.limit.saturating_add(MARGIN).saturating_sub(used);
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
    acct: Account,
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
        // What the bucket gains from here on is the new account's, not the previous one's.
        prev.settle();
        a.begin();
        let states = [state, main];
        for s in states {
            if !s.is_null() {
                unsafe { ffi::lua_setmemcat(s, c_int::from(a.cat())) };
            }
        }
        let mut prev_reached = false;
        if !vm_alloc.is_null() {
            let st = unsafe { &mut *vm_alloc };
            prev_reached = std::mem::replace(&mut st.limit_reached, false);
        }
        a.arm(vm_alloc);
        Charge {
            acct: a,
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
        self.acct.settle();
        ACCOUNT.set(self.prev);
        self.prev.begin();
        let back = armed_for(self.vm_alloc);
        for s in self.states {
            if !s.is_null() {
                unsafe { ffi::lua_setmemcat(s, c_int::from(back.cat())) };
            }
        }
        back.arm(self.vm_alloc);
        if !self.vm_alloc.is_null() {
            unsafe { (*self.vm_alloc).limit_reached = self.prev_reached };
        }
    }
}

/// A poll of a process begins: make `a` the worker's account, its category the VM main
/// thread's, its limit the VM's — and leave it so when the poll ends (no restore): until
/// another process is polled (which switches again) nothing allocates in the VM, so the
/// next poll of the same process finds everything in place and does nothing. That is most
/// polls of a process that only waits or yields (a `time.sleep(0)` loop, one side of a
/// ping-pong). [`forget`] clears it when the process ends.
///
/// # Safety
/// `a` must be an account of the VM whose allocator state is `vm_alloc` and main thread
/// `main`, and its pointers valid until [`forget`] is called for its ledger.
pub(crate) unsafe fn switch_to(a: Account, vm_alloc: *mut AllocState, main: *mut ffi::lua_State) {
    let prev = ACCOUNT.get();
    if !a.ledger.is_null() && prev.ledger == a.ledger {
        return;
    }
    ACCOUNT.set(a);
    prev.settle();
    a.begin();
    unsafe { ffi::lua_setmemcat(main, c_int::from(a.cat())) };
    if !vm_alloc.is_null() {
        // A refusal seen by the previous account is not this one's.
        unsafe { (*vm_alloc).limit_reached = false };
    }
    // The bucket's bytes were just read by `begin` (its mark).
    let used = a.ledger().map_or(0, |l| a.used_with(l, l.mark.get()));
    a.arm_with(vm_alloc, used);
}

/// The process of `ledger` ended: if its account is still the worker's (see
/// [`switch_to`]), none is, and its VM is back to its own category and no limit.
///
/// # Safety
/// As [`switch_to`], for the VM of `ledger`.
pub(crate) unsafe fn forget(
    ledger: *const Ledger,
    vm_alloc: *mut AllocState,
    main: *mut ffi::lua_State,
) {
    let a = ACCOUNT.get();
    if a.ledger != ledger || ledger.is_null() {
        return;
    }
    a.settle();
    ACCOUNT.set(Account::NONE);
    unsafe { ffi::lua_setmemcat(main, 0) };
    Account::NONE.arm(vm_alloc);
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
/// guard drops. An async function may make one before it returns its future and drop it
/// at the future's first poll: mlua boxes the future in a userdata in between (a
/// constant-size build, otherwise a protected call per blocking call).
pub(crate) struct Unguarded {
    lua: mlua::Lua,
    vm_alloc: *mut AllocState,
    /// This guard turned the limit off (it was not off already).
    outermost: bool,
    /// The limit it replaced and the ledger of the account it was armed for: given back as
    /// it was when that account is still the one running (what was built meanwhile is in
    /// both the VM's bytes and the account's, so the absolute limit is unchanged).
    saved: (isize, *const Ledger),
}

impl Unguarded {
    /// Turn the limit of `lua` (whose allocator state is `vm_alloc`) off.
    pub(crate) fn new(lua: &mlua::Lua, vm_alloc: *mut AllocState) -> Unguarded {
        let saved = if vm_alloc.is_null() {
            0
        } else {
            unsafe { (*vm_alloc).memory_limit }
        };
        if saved == 0 && !vm_alloc.is_null() {
            // Already off (an outer guard): nothing to do now or on drop.
            return Unguarded {
                lua: lua.clone(),
                vm_alloc,
                outermost: false,
                saved: (0, std::ptr::null()),
            };
        }
        // Cannot fail: the VM was made with mlua's allocator (checked by `AllocState::of`).
        let outermost = lua.set_memory_limit(0).is_ok_and(|prev| prev != 0);
        Unguarded {
            lua: lua.clone(),
            vm_alloc,
            outermost,
            saved: (saved, armed_for(vm_alloc).ledger),
        }
    }
}

impl Drop for Unguarded {
    fn drop(&mut self) {
        if !self.outermost {
            return;
        }
        // Any non-zero limit turns mlua's protected paths back on; then the real one
        // (leaving the refusal flag as it is).
        let _ = self.lua.set_memory_limit(isize::MAX as usize);
        let now = armed_for(self.vm_alloc);
        if now.ledger == self.saved.1 && !self.vm_alloc.is_null() && self.saved.0 != 0 {
            unsafe { (*self.vm_alloc).memory_limit = self.saved.0 };
        } else {
            now.arm(self.vm_alloc);
        }
    }
}

/// The account of the process running now.
pub(crate) fn current() -> Account {
    ACCOUNT.get()
}

/// Doom the running process if it holds more than its limit or an allocation of its was
/// just refused. Called at the end of every slice (the interrupt) and of every poll.
///
/// Skipped when the VM allocated and freed nothing since the last check of the same
/// process (its heap and its message objects are then what they were): most polls of a
/// process that only waits.
pub(crate) fn check() {
    let a = ACCOUNT.get();
    if a.ledger.is_null() || a.doom.is_null() || a.alloc.is_null() {
        return;
    }
    let st = unsafe { &*a.alloc };
    let refused = st.limit_reached;
    let seen = (a.ledger, st.used_memory);
    if !refused && CHECKED.get() == seen {
        return;
    }
    CHECKED.set(seen);
    let Some(l) = a.ledger() else {
        return;
    };
    let bucket_now = a.bucket_now(l);
    a.promote(bucket_now);
    if refused || a.used_with(l, bucket_now) > a.limit {
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

/// The process categories of one VM: those no live process owns, and the buckets.
pub(crate) struct Categories {
    free: RefCell<Vec<u8>>,
    /// Live members of each bucket (0 for other categories).
    members: RefCell<Vec<u32>>,
    /// The bucket new processes join, and how many have joined it.
    open: Cell<Option<(u8, u32)>>,
}

impl Categories {
    pub(crate) fn new() -> Categories {
        // Handed out from the end: 1 first.
        Categories {
            free: RefCell::new((1..=CATEGORIES as u8).rev().collect()),
            members: RefCell::new(vec![0; CATEGORIES + 1]),
            open: Cell::new(None),
        }
    }

    /// A place for a new process: a bucket if `bucketed`, else a category of its own
    /// (with its baseline), or `None` when every free category still holds too much
    /// garbage (or none is free).
    pub(crate) fn place(&self, main: *mut ffi::lua_State, bucketed: bool) -> Option<Place> {
        if !bucketed {
            return self
                .acquire(main)
                .map(|(cat, baseline)| Place::Own { cat, baseline });
        }
        if let Some((b, joins)) = self.open.get() {
            let bytes = unsafe { ffi::lua_totalbytes(main, c_int::from(b)) };
            if joins < BUCKET_JOINS && bytes < BUCKET_OPEN_BYTES {
                self.open.set(Some((b, joins + 1)));
                self.members.borrow_mut()[usize::from(b)] += 1;
                return Some(Place::Bucket { cat: b });
            }
            // Full: no new members; free once its last one leaves.
            self.open.set(None);
            if self.members.borrow()[usize::from(b)] == 0 {
                self.free.borrow_mut().push(b);
            }
        }
        let (b, _) = self.acquire(main)?;
        self.open.set(Some((b, 1)));
        self.members.borrow_mut()[usize::from(b)] = 1;
        Some(Place::Bucket { cat: b })
    }

    /// A free category and its baseline, or `None` when every free one still holds too
    /// much garbage (or none is free). The most recently freed first; at most 255 counts
    /// read (a few microseconds).
    fn acquire(&self, main: *mut ffi::lua_State) -> Option<(u8, usize)> {
        let mut free = self.free.borrow_mut();
        let mut i = free.len();
        while i > 0 {
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

    /// Give a category of its own back when its process ended.
    fn release(&self, cat: u8) {
        self.free.borrow_mut().push(cat);
    }

    /// A member of bucket `cat` ended; the bucket is free once it is closed and empty.
    fn leave(&self, cat: u8) {
        let mut m = self.members.borrow_mut();
        let n = &mut m[usize::from(cat)];
        *n = n.saturating_sub(1);
        if *n == 0 && self.open.get().map(|(b, _)| b) != Some(cat) {
            self.free.borrow_mut().push(cat);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(p: Option<Place>) -> u8 {
        match p {
            Some(Place::Bucket { cat }) => cat,
            other => panic!("expected a bucket, got {other:?}"),
        }
    }

    #[test]
    fn a_bucket_takes_members_until_its_joins_run_out_and_is_freed_when_empty() {
        let lua = mlua::Lua::new();
        let main = lua.current_thread().to_pointer() as *mut ffi::lua_State;
        let c = Categories::new();
        let first = bucket(c.place(main, true));
        for _ in 1..BUCKET_JOINS {
            assert_eq!(bucket(c.place(main, true)), first);
        }
        let second = bucket(c.place(main, true));
        assert_ne!(first, second);
        // The first is closed: free once its last member leaves, not before.
        let free = c.free.borrow().len();
        for _ in 1..BUCKET_JOINS {
            c.leave(first);
        }
        assert_eq!(c.free.borrow().len(), free);
        c.leave(first);
        assert_eq!(c.free.borrow().len(), free + 1);
        // The open one stays open while empty, and takes the next member.
        c.leave(second);
        assert_eq!(c.free.borrow().len(), free + 1);
        assert_eq!(bucket(c.place(main, true)), second);
        // A category of its own is never a live bucket.
        match c.place(main, false) {
            Some(Place::Own { cat, .. }) => assert_ne!(cat, second),
            other => panic!("expected a category of its own, got {other:?}"),
        }
    }
}
