//! A Lua process body: [`LuaProcess`], the future a worker polls, and [`ProcState`], the
//! per-process Rust state the Lua modules reach through [`with_current`].
//!
//! A process is a set of Luau coroutines (its `main` plus those made by
//! `coroutine.spawn`) sharing one sandboxed environment. Each poll first takes what the
//! kernel mailbox routed to an open subscription (the kernel decides the route, SPEC
//! §3.2: listened topic, else the inbox if open, else kept in order until a subscription
//! appears) and moves it into that subscription's channel, then resumes the woken
//! coroutines. It ends when `main` returns or raises.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use mlua::{Lua, MultiValue, Table, Thread, Value as LuaValue, ffi};
use troupe_kernel::copy;
use troupe_kernel::message::event_kind;
use troupe_kernel::{
    Envelope, ErrorKind, Event, ExitResult, Message, Node, ProcessError, ProcessRef, Route,
};
use troupe_registry::Entry;

use crate::channel::{Channel, Taken};
use crate::convert::to_lua;
use crate::memory::{Account, Ledger, SMALL_BUILD, Unguarded};
use crate::modules::errors::LuaError;
use crate::modules::payload::LuaPayload;
use crate::slice::{Doom, PREEMPTED, RUNNING, Slice};
use crate::tagged::{self, Tagged};
use crate::vm::Vm;

thread_local! {
    static CURRENT: RefCell<Option<Rc<ProcState>>> = const { RefCell::new(None) };
}

/// Run `f` with the current process. Errors when called outside a process.
pub fn with_current<R>(f: impl FnOnce(&Rc<ProcState>) -> mlua::Result<R>) -> mlua::Result<R> {
    let p = CURRENT.with(|c| c.borrow().clone());
    match p {
        Some(p) => f(&p),
        None => Err(mlua::Error::runtime(
            "this function can only be called inside a process",
        )),
    }
}

/// Most items one drain moves from the kernel mailbox into channels
/// ([`ProcState::drain`]): the kernel's `TAKE_BATCH`, one hold of the mailbox lock.
pub const DRAIN_ITEMS: usize = 256;

/// Work one drain may do, in items × (listened topics + 1): each item costs a scan of the
/// topic queues' heads in the kernel's take and of the listeners here. A process with
/// the most topics (4,096) moves 16 items a drain; one with few, [`DRAIN_ITEMS`].
pub const DRAIN_WORK: usize = 65_536;

/// Fewest items a drain moves, whatever the topics.
const DRAIN_MIN: usize = 16;

/// A topic subscription.
pub struct Listener {
    pub topic: String,
    pub channel: Channel,
    /// Deliver Message objects instead of payloads.
    pub message: bool,
}

/// The limits of SPEC §3.6 a Lua process runs under (resolved from its entry and the
/// node's defaults).
#[derive(Debug, Clone, Copy)]
pub struct ProcLimits {
    /// `max_memory`: bytes of Lua heap.
    pub max_memory: usize,
    /// `max_slice`: how long the process may hold its worker where it cannot be preempted.
    pub max_slice: std::time::Duration,
    /// `max_message`: bytes one deep copy the process makes may take (SPEC §3.2).
    pub max_message: u64,
}

impl ProcLimits {
    /// The limits of `entry` on `node`: the entry's own `limits:`, else `troupe.yaml`'s
    /// `limits:`, else SPEC §3.6's defaults (256 MiB, 1 s).
    pub fn of(node: &Node, entry: &Entry) -> ProcLimits {
        let l = entry.resolved_limits(&node.registry().node.limits);
        ProcLimits {
            max_memory: usize::try_from(l.max_memory).unwrap_or(usize::MAX),
            max_slice: l.max_slice,
            max_message: l.max_message,
        }
    }
}

/// Per-process state shared by the process's coroutines and the Lua modules.
pub struct ProcState {
    /// The VM the process lives in.
    pub vm: Rc<Vm>,
    /// Where in that VM it allocates and what it is charged.
    pub(crate) ledger: Rc<Ledger>,
    pub limits: ProcLimits,
    /// Set when the process broke a limit; it fails at its next yield.
    pub(crate) doom: Cell<Doom>,
    /// Rust-heap bytes its Lua objects hold ([`Held`]), counted against `max_memory`.
    pub(crate) held: Rc<Cell<usize>>,
    pub node: Node,
    pub handle: ProcessRef,
    /// The entry whose code runs (changed by `process.upgrade`).
    entry: RefCell<Arc<Entry>>,
    /// Printed PID, cached.
    pub pid: String,
    /// Coroutines currently parked on process-local channels only.
    pub local_blocked: Rc<Cell<usize>>,
    pub inbox: RefCell<Option<Channel>>,
    pub listeners: RefCell<Vec<Listener>>,
    pub events: RefCell<Option<Channel>>,
    /// Items taken from the kernel mailbox, being moved into channels (reused).
    taken: RefCell<Vec<(Route, Envelope)>>,
    /// A drain of this poll stopped at its limit: the poll wakes the process again.
    more: Cell<bool>,
    /// Coroutines made by `coroutine.spawn`, picked up by the next scheduling round.
    pub(crate) new_coroutines: RefCell<Vec<Coroutine>>,
    /// Libraries already imported by this process (entry ID → module value).
    pub libs: RefCell<std::collections::HashMap<String, LuaValue>>,
    /// The process's global environment (a fresh one after `process.upgrade`).
    env: RefCell<Table>,
    /// Set by `process.upgrade`: the code and arguments to restart with.
    pub(crate) upgrade: RefCell<Option<(Arc<Entry>, Vec<troupe_kernel::Value>)>>,
    /// Its `time` timers, tickers and `after` channels: aborted when it ends.
    pub(crate) timers: crate::modules::time::timers::Timers,
    /// Its event-bus subscriptions (`events.subscribe`), fed by [`LuaProcess`]'s poll.
    pub bus: crate::modules::events::Feeds,
}

impl ProcState {
    pub(crate) fn new(
        placed: (Rc<Vm>, Rc<Ledger>),
        limits: ProcLimits,
        node: Node,
        handle: ProcessRef,
        entry: Arc<Entry>,
        env: Table,
    ) -> ProcState {
        let (vm, ledger) = placed;
        ProcState {
            vm,
            ledger,
            limits,
            doom: Cell::new(Doom::None),
            held: Rc::new(Cell::new(0)),
            pid: handle.pid.to_string(),
            node,
            handle,
            local_blocked: Rc::new(Cell::new(0)),
            inbox: RefCell::new(None),
            listeners: RefCell::new(Vec::new()),
            events: RefCell::new(None),
            taken: RefCell::new(Vec::new()),
            more: Cell::new(false),
            new_coroutines: RefCell::new(Vec::new()),
            libs: RefCell::new(Default::default()),
            env: RefCell::new(env),
            upgrade: RefCell::new(None),
            entry: RefCell::new(entry),
            timers: Default::default(),
            bus: Default::default(),
        }
    }

    /// The entry whose code the process runs.
    pub fn entry(&self) -> Arc<Entry> {
        self.entry.borrow().clone()
    }

    /// The process's global environment.
    pub fn env(&self) -> Table {
        self.env.borrow().clone()
    }

    /// The memory account of this process (its allocations, its limit).
    pub(crate) fn account(&self) -> Account {
        Account {
            alloc: self.vm.alloc,
            main: self.vm.main,
            cats: &self.vm.cats,
            ledger: &*self.ledger,
            limit: self.limits.max_memory,
            held: &*self.held,
            doom: &self.doom,
        }
    }

    /// The error a doomed process ends with.
    fn doom_error(&self) -> Option<ProcessError> {
        let message = match self.doom.get() {
            Doom::None => return None,
            Doom::MaxMemory => format!(
                "max_memory exceeded: the process tried to hold more than its limit of {} bytes",
                self.limits.max_memory
            ),
            Doom::MaxSlice => format!(
                "max_slice exceeded: the process held its worker for more than {} without yielding",
                humantime::format_duration(self.limits.max_slice)
            ),
        };
        Some(ProcessError::new(ErrorKind::Internal, message))
    }

    /// Move what the kernel mailbox routed to an open subscription into that
    /// subscription's channel, in arrival order (the routing itself is the kernel's,
    /// SPEC §3.2), at most [`DRAIN_ITEMS`] items per call, fewer when the process listens
    /// to many topics ([`DRAIN_WORK`]). Called at the top of every poll
    /// and right after a subscription opens, so a coroutine reading the new channel finds
    /// what was waiting for it. When items remain, [`ProcState::more`] is set and the
    /// poll wakes the process again before it returns: each item costs up to O(listened
    /// topics) in the kernel's take, and this Rust-side work cannot be preempted, so one
    /// poll never holds the worker for a whole flooded mailbox (SPEC §3.6: the process's
    /// neighbours on its worker run in between).
    pub fn drain(&self, lua: &Lua) -> mlua::Result<()> {
        let mut taken = std::mem::take(&mut *self.taken.borrow_mut());
        let topics = self.listeners.borrow().len();
        let items = (DRAIN_WORK / (topics + 1)).clamp(DRAIN_MIN, DRAIN_ITEMS);
        if self.handle.take_some(&mut taken, items) {
            self.more.set(true);
        }
        let mut result = Ok(());
        for (route, env) in taken.drain(..) {
            if result.is_ok() {
                result = self.route(lua, route, env);
            }
        }
        *self.taken.borrow_mut() = taken;
        result
    }

    /// Put one item the kernel routed into its channel. Its `max_mailbox` bytes stay
    /// charged until user code takes it from the channel (see [`Channel::push_message`]).
    fn route(&self, lua: &Lua, route: Route, env: Envelope) -> mlua::Result<()> {
        match (route, env) {
            (Route::Events, Envelope::Event(e)) => {
                let ch = self.events.borrow().clone();
                if let Some(ch) = ch {
                    self.push_event(lua, &ch, &e)?;
                }
            }
            (Route::Topic(topic), Envelope::Message(m)) => {
                let target = {
                    let ls = self.listeners.borrow();
                    ls.iter()
                        .find(|l| *l.topic == *topic)
                        .map(|l| (l.channel.clone(), l.message))
                };
                let charge = m.charge;
                match target {
                    Some((ch, true)) => {
                        let v = self.message_object(lua, m)?;
                        ch.push_message(v, &self.handle, Taken::Bytes(charge));
                    }
                    Some((ch, false)) => {
                        // A payload copy is as big as the payload: small ones on the fast
                        // path.
                        let _fast =
                            (charge <= SMALL_BUILD).then(|| Unguarded::new(lua, self.vm.alloc));
                        let v = to_lua(lua, &m.payload)?;
                        ch.push_message(v, &self.handle, Taken::Bytes(charge));
                    }
                    // The listeners and the kernel's topics change together (`listen`,
                    // `unlisten`, `subscribe`); should they ever not, the message is not
                    // lost: it goes through the inbox if open.
                    None => self.to_inbox(lua, m)?,
                }
            }
            (_, Envelope::Message(m)) => self.to_inbox(lua, m)?,
            (_, Envelope::Event(_)) => {}
        }
        Ok(())
    }

    /// Put `m` in the inbox channel as a Message object (released if there is none).
    fn to_inbox(&self, lua: &Lua, m: Message) -> mlua::Result<()> {
        let inbox = self.inbox.borrow().clone();
        let charge = m.charge;
        match inbox {
            Some(ch) => {
                let v = self.message_object(lua, m)?;
                ch.push_message(v, &self.handle, Taken::Bytes(charge));
            }
            None => self.handle.release(charge),
        }
        Ok(())
    }

    /// A Message object for `m` (its payload stays a kernel value: a constant-size build).
    fn message_object(&self, lua: &Lua, m: Message) -> mlua::Result<LuaValue> {
        let _fast = Unguarded::new(lua, self.vm.alloc);
        tagged::value(lua, LuaMessage::new(m, &self.held))
    }

    /// Put an event's table in the events channel; a CANCEL's table tells the kernel when
    /// user code takes it (until then further CANCELs are coalesced into it).
    fn push_event(&self, lua: &Lua, ch: &Channel, e: &Event) -> mlua::Result<()> {
        let t = self.event_table(lua, e)?;
        match e {
            Event::Cancel { .. } => ch.push_message(t, &self.handle, Taken::Cancel),
            _ => ch.push(t),
        }
        Ok(())
    }

    /// [`event_table`], on the fast path when the event is small (all but an EXIT with a
    /// large value or a long reason).
    fn event_table(&self, lua: &Lua, e: &Event) -> mlua::Result<LuaValue> {
        let small = match e {
            Event::Exit { result: Ok(v), .. } => copy::within(v, SMALL_BUILD),
            Event::Exit {
                result: Err(err), ..
            } => err.message.len() as u64 <= SMALL_BUILD,
            Event::LinkDown { reason, .. } => reason.message.len() as u64 <= SMALL_BUILD,
            Event::Cancel { reason, .. } => {
                reason.as_ref().map_or(0, |r| r.len()) as u64 <= SMALL_BUILD
            }
        };
        if small {
            let _fast = Unguarded::new(lua, self.vm.alloc);
            return small_event_table(lua, e);
        }
        event_table(lua, e)
    }

    /// Open (or return) the events channel; the events waiting in the kernel move into
    /// it, in order.
    pub fn open_events(&self, lua: &Lua) -> mlua::Result<Channel> {
        self.open_route(lua, &self.events, || self.handle.open_events())
    }

    /// Open (or return) the inbox channel; the messages waiting in the kernel move into
    /// it, in order.
    pub fn open_inbox(&self, lua: &Lua) -> mlua::Result<Channel> {
        self.open_route(lua, &self.inbox, || self.handle.open_inbox())
    }

    /// The channel in `slot`, or a new one there after the kernel opened the route
    /// (`open_kernel`) and what waited for it moved in.
    fn open_route(
        &self,
        lua: &Lua,
        slot: &RefCell<Option<Channel>>,
        open_kernel: impl FnOnce() -> bool,
    ) -> mlua::Result<Channel> {
        if let Some(ch) = slot.borrow().clone() {
            return Ok(ch);
        }
        let ch = Channel::new(usize::MAX, true);
        *slot.borrow_mut() = Some(ch.clone());
        open_kernel();
        self.drain(lua)?;
        Ok(ch)
    }

    /// Route `topic` into `listener`'s channel: the kernel listens to it first (its rule
    /// refuses a bad topic), then what was waiting for it moves into the channel.
    ///
    /// Errors: the inner `Err` is the kernel's refusal (`InvalidListen`, `TooManyTopics`).
    pub fn listen(
        &self,
        lua: &Lua,
        listener: Listener,
    ) -> mlua::Result<Result<(), troupe_kernel::KernelError>> {
        if let Err(e) = self.handle.listen(&listener.topic) {
            return Ok(Err(e));
        }
        self.listeners.borrow_mut().push(listener);
        self.drain(lua)?;
        Ok(Ok(()))
    }

    /// Stop routing into `ch`: what the kernel routed to its topic so far moves into
    /// the channel first (it stays readable from it once closed, as Wippy), then the
    /// kernel unlistens the topic (later messages go to the inbox or wait). Returns
    /// whether `ch` was a subscription.
    ///
    /// Errors: Lua memory errors while moving messages into channels.
    pub fn unlisten(&self, lua: &Lua, ch: &Channel) -> mlua::Result<bool> {
        let Some(topic) = self
            .listeners
            .borrow()
            .iter()
            .find(|l| l.channel.same(ch))
            .map(|l| Route::Topic(l.topic.as_str().into()))
        else {
            return Ok(false);
        };
        // Only this topic's queue, O(1) an item (a full drain is bounded per call, and
        // what is left of this topic must reach this channel before it closes).
        while let Some(env) = self.handle.take(&topic) {
            self.route(lua, topic.clone(), env)?;
        }
        let topic = {
            let mut ls = self.listeners.borrow_mut();
            match ls.iter().position(|l| l.channel.same(ch)) {
                Some(i) => ls.remove(i).topic,
                None => return Ok(false),
            }
        };
        let _ = self.handle.unlisten(&topic);
        Ok(true)
    }
}

/// Bytes of Rust heap that a Lua object of a process holds, counted with its Lua heap
/// against `max_memory` (SPEC §3.6) while the object lives: a received message keeps its
/// payload as a kernel `Value` (`:data()` builds a Lua copy of it each time), so a process
/// that keeps a million message objects pays for them.
pub struct Held {
    counter: Rc<Cell<usize>>,
    bytes: usize,
}

/// Rust-heap objects smaller than this are not charged through [`Held`] (their Lua
/// userdata, charged anyway, is about as big).
pub const HOLD_MIN: usize = 64;

/// Charge `bytes` of Rust heap to the running process while the returned guard lives
/// (none outside a process or under [`HOLD_MIN`]).
pub(crate) fn hold(bytes: usize) -> Option<Rc<Held>> {
    if bytes < HOLD_MIN {
        return None;
    }
    CURRENT.with(|c| {
        c.borrow()
            .as_ref()
            .map(|p| Rc::new(Held::new(&p.held, bytes)))
    })
}

impl Held {
    pub(crate) fn new(counter: &Rc<Cell<usize>>, bytes: usize) -> Held {
        counter.set(counter.get().saturating_add(bytes));
        Held {
            counter: counter.clone(),
            bytes,
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.counter
            .set(self.counter.get().saturating_sub(self.bytes));
    }
}

/// A received message (`msg:topic()`, `msg:from()`, `msg:payload()`, `msg:actor()`). The
/// payload is shared with the payload objects `:payload()` returns (no copy per call) and
/// its bytes are charged to the receiving process while any of them lives (`Held`).
pub struct LuaMessage {
    pub msg: Message,
    payload: Rc<(troupe_kernel::Value, Option<Held>)>,
}

impl LuaMessage {
    fn new(mut msg: Message, held: &Rc<Cell<usize>>) -> LuaMessage {
        let payload = std::mem::replace(&mut msg.payload, troupe_kernel::Value::Nil);
        let bytes = usize::try_from(msg.charge).unwrap_or(usize::MAX);
        LuaMessage {
            msg,
            payload: Rc::new((payload, Some(Held::new(held, bytes)))),
        }
    }
}

impl Tagged for LuaMessage {
    const TAG: std::ffi::c_int = 100;
    const NAME: &'static str = "process.Message";
}

/// `msg:topic()`, raw.
unsafe extern "C-unwind" fn message_topic(l: *mut ffi::lua_State) -> std::ffi::c_int {
    unsafe {
        let m = tagged::this::<LuaMessage>(l, c"topic");
        tagged::push_str(l, m.msg.topic.as_bytes());
        1
    }
}

/// `msg:from()`, raw: the sender's PID; as Wippy, `""` when the node, not a process, sent
/// it.
unsafe extern "C-unwind" fn message_from(l: *mut ffi::lua_State) -> std::ffi::c_int {
    unsafe {
        let m = tagged::this::<LuaMessage>(l, c"from");
        let from = m.msg.from.as_ref().map_or("", |p| p.as_str());
        tagged::push_str(l, from.as_bytes());
        1
    }
}

/// `msg:payload()`, raw: a Payload sharing the message's value (no copy); as Wippy, nil
/// for a message sent without a value.
unsafe extern "C-unwind" fn message_payload(l: *mut ffi::lua_State) -> std::ffi::c_int {
    unsafe {
        let m = tagged::this::<LuaMessage>(l, c"payload");
        if matches!(m.payload.0, troupe_kernel::Value::Nil) {
            ffi::lua_pushnil(l);
        } else {
            tagged::push(l, LuaPayload::shared(m.payload.clone()));
        }
        1
    }
}

/// Register Message objects on `lua`'s VM ([`tagged::install`]): `topic`, `from` and
/// `payload` raw, `actor` and `tostring` through mlua. Once per VM.
///
/// Errors: Lua memory errors.
pub(crate) fn install_message(lua: &Lua) -> mlua::Result<()> {
    let methods = lua.create_table()?;
    methods.raw_set("topic", tagged::function(lua, message_topic)?)?;
    methods.raw_set("from", tagged::function(lua, message_from)?)?;
    methods.raw_set("payload", tagged::function(lua, message_payload)?)?;
    methods.raw_set(
        "actor",
        lua.create_function(|lua, this: LuaValue| {
            tagged::with_self::<LuaMessage, _>(lua, "actor", &this, |m| match &m.msg.actor {
                None => Ok(LuaValue::Nil),
                Some(a) => crate::modules::security::actor_value(lua, a),
            })
        })?,
    )?;
    tagged::install_methods::<LuaMessage>(lua, methods, |m| {
        format!("process.Message{{topic={}}}", m.msg.topic)
    })
}

/// mlua's fast path on the running process's VM until the guard drops (none outside a
/// process). For an async function: made before it returns its future, dropped first thing
/// when the future is polled (see [`Unguarded`]).
pub(crate) fn fast_guard() -> Option<Unguarded> {
    CURRENT.with(|c| c.borrow().as_ref().map(|p| p.vm.fast()))
}

/// The Lua table for an event (SPEC §3.3).
pub fn event_table(lua: &Lua, e: &Event) -> mlua::Result<LuaValue> {
    // Fresh tables: `raw_set` (no metamethod can run, so mlua needs no protected call).
    let t = lua.create_table_with_capacity(0, 4)?;
    // As Wippy: when the event was read, Unix seconds.
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    t.raw_set("at", at)?;
    match e {
        Event::Exit { from, result } => {
            t.raw_set("kind", event_kind::EXIT)?;
            t.raw_set("from", from.to_string())?;
            let r = lua.create_table_with_capacity(0, 1)?;
            match result {
                Ok(v) => r.raw_set("value", to_lua(lua, v)?)?,
                Err(err) => r.raw_set("error", LuaError::new(err.clone()))?,
            }
            t.raw_set("result", r)?;
        }
        Event::LinkDown { from, reason } => {
            t.raw_set("kind", event_kind::LINK_DOWN)?;
            t.raw_set("from", from.to_string())?;
            // As Wippy: `result = {error = err}` (LINK_DOWN is sent for error exits only).
            let r = lua.create_table_with_capacity(0, 1)?;
            r.raw_set("error", LuaError::new(reason.clone()))?;
            t.raw_set("result", r)?;
        }
        Event::Cancel { from, reason } => {
            t.raw_set("kind", event_kind::CANCEL)?;
            t.raw_set(
                "from",
                from.as_ref().map_or_else(String::new, |p| p.to_string()),
            )?;
            t.raw_set("reason", reason.as_deref().unwrap_or(""))?;
        }
    }
    Ok(LuaValue::Table(t))
}

/// [`event_table`] through Luau's own API (one call per field, no mlua conversion of the
/// keys and strings): ≈ 8,000 instructions by mlua per EXIT, most of a spawn + exit. The
/// values mlua must make (an EXIT's value, an error object) are made first, then pushed.
///
/// Only on mlua's fast path ([`Unguarded`]: no allocation is refused, so no Luau error
/// can unwind through this function), for an event of constant size.
///
/// Errors: Lua memory errors; no stack slot.
fn small_event_table(lua: &Lua, e: &Event) -> mlua::Result<LuaValue> {
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (kind, from, inner): (&str, &str, Option<(&std::ffi::CStr, LuaValue)>) = match e {
        Event::Exit { from, result } => (
            event_kind::EXIT,
            from.as_str(),
            Some(match result {
                Ok(v) => (c"value", to_lua(lua, v)?),
                Err(err) => (
                    c"error",
                    LuaValue::UserData(lua.create_userdata(LuaError::new(err.clone()))?),
                ),
            }),
        ),
        Event::LinkDown { from, reason } => (
            event_kind::LINK_DOWN,
            from.as_str(),
            Some((
                c"error",
                LuaValue::UserData(lua.create_userdata(LuaError::new(reason.clone()))?),
            )),
        ),
        Event::Cancel { from, .. } => (
            event_kind::CANCEL,
            from.as_ref().map_or("", |p| p.as_str()),
            None,
        ),
    };
    let reason = match e {
        Event::Cancel { reason, .. } => Some(reason.as_deref().unwrap_or("")),
        _ => None,
    };
    lua.exec_raw_lua(|raw| unsafe {
        let l = raw.state();
        if ffi::lua_checkstack(l, 6) == 0 {
            return Err(mlua::Error::StackError);
        }
        ffi::lua_createtable(l, 0, 4);
        ffi::lua_pushnumber(l, at as f64);
        ffi::lua_rawsetfield(l, -2, c"at".as_ptr());
        tagged::push_str(l, kind.as_bytes());
        ffi::lua_rawsetfield(l, -2, c"kind".as_ptr());
        tagged::push_str(l, from.as_bytes());
        ffi::lua_rawsetfield(l, -2, c"from".as_ptr());
        if let Some(reason) = reason {
            tagged::push_str(l, reason.as_bytes());
            ffi::lua_rawsetfield(l, -2, c"reason".as_ptr());
        }
        if let Some((key, v)) = &inner {
            ffi::lua_createtable(l, 0, 1);
            if let Err(e) = raw.push_value(v) {
                ffi::lua_pop(l, 2);
                return Err(e);
            }
            ffi::lua_rawsetfield(l, -2, key.as_ptr());
            ffi::lua_rawsetfield(l, -2, c"result".as_ptr());
        }
        let t = <LuaValue as mlua::FromLua>::from_stack(-1, raw);
        ffi::lua_pop(l, 1);
        t
    })
}

/// Whether `e` is Luau's out-of-memory error: in a Lua process only a refused allocation
/// (past `max_memory`) raises it, since a real out-of-memory aborts. It may arrive as
/// mlua's `MemoryError`, or re-raised as text by a `pcall` (the boot shim's) with a
/// position in front (by `coroutine.wrap`).
fn is_memory_error(e: &mlua::Error) -> bool {
    const MESSAGE: &str = "not enough memory";
    match e {
        mlua::Error::MemoryError(_) => true,
        mlua::Error::CallbackError { cause, .. } | mlua::Error::WithContext { cause, .. } => {
            is_memory_error(cause)
        }
        mlua::Error::RuntimeError(m) => {
            let m = m.split("\nstack traceback:").next().unwrap_or(m).trim_end();
            m == MESSAGE || m.ends_with(&format!(": {MESSAGE}"))
        }
        _ => false,
    }
}

/// Convert a Lua error into a process error, keeping error-object kinds.
pub fn error_to_process(e: &mlua::Error) -> ProcessError {
    match e {
        mlua::Error::CallbackError { cause, .. } => error_to_process(cause),
        mlua::Error::WithContext { cause, .. } => error_to_process(cause),
        mlua::Error::RuntimeError(m) => ProcessError::new(ErrorKind::Internal, strip_traceback(m)),
        mlua::Error::SyntaxError { message, .. } => {
            ProcessError::new(ErrorKind::Invalid, message.clone())
        }
        mlua::Error::ExternalError(x) => match x.downcast_ref::<ProcessError>() {
            Some(pe) => pe.clone(),
            None => ProcessError::new(ErrorKind::Internal, x.to_string()),
        },
        other => ProcessError::new(ErrorKind::Internal, other.to_string()),
    }
}

/// mlua appends `\nstack traceback:\n...` to errors raised in a coroutine. The traceback
/// is logged (debug) but kept out of the error message other processes and the CLI see:
/// `error("boom", 0)` exits with the reason `boom`, as in Wippy.
fn strip_traceback(m: &str) -> String {
    match m.rfind("\nstack traceback:") {
        Some(i) => {
            tracing::debug!(error = %&m[..i], traceback = %&m[i + 1..], "lua error");
            m[..i].to_string()
        }
        None => m.to_string(),
    }
}

/// A result value, deep-copied by the bounded copy (SPEC §3.2): a refused copy is an
/// error exit (`INVALID`, naming the rule), so a function's caller gets `nil, err`.
fn copy_result(v: &LuaValue) -> ExitResult {
    crate::limits::copy(v).map_err(ProcessError::from)
}

/// The result of `main`: `(value)` is a normal exit; a raised error, or a second return
/// value that is a string or an error object, is an error exit (SPEC §3.3).
pub fn main_result(r: mlua::Result<MultiValue>) -> ExitResult {
    match r {
        Err(e) => Err(error_to_process(&e).at_boundary()),
        Ok(vals) => {
            let mut it = vals.into_iter();
            let first = it.next().unwrap_or(LuaValue::Nil);
            match it.next() {
                // As Wippy: `return nil, "why"` is an Internal error.
                Some(LuaValue::String(s)) => {
                    Err(ProcessError::new(ErrorKind::Internal, s.to_string_lossy()))
                }
                Some(LuaValue::UserData(ud)) if ud.is::<LuaError>() => {
                    match ud.borrow::<LuaError>() {
                        Ok(e) => Err(e.0.clone().at_boundary()),
                        Err(_) => copy_result(&first),
                    }
                }
                _ => copy_result(&first),
            }
        }
    }
}

/// One coroutine of a process: its Luau thread, resumed by [`LuaProcess`] itself.
pub(crate) struct Coroutine {
    /// The process's `main` (its end is the process's exit).
    main: bool,
    /// The thread's address, what the interrupt compares with (`slice::RUNNING`).
    ptr: *const std::ffi::c_void,
    thread: Thread,
    /// An operation it parked whose yield has not reached the scheduler yet: the slice
    /// ended (a preemption yield) between the blocking function's return and the
    /// wrapper's `yield`. Kept with the coroutine, since another coroutine may park in the
    /// worker's slot meanwhile; used when the block's yield arrives.
    held: Option<crate::block::Parked>,
}

impl Coroutine {
    pub(crate) fn new(main: bool, thread: &Thread) -> Coroutine {
        Coroutine {
            main,
            ptr: thread.to_pointer(),
            thread: thread.clone(),
            held: None,
        }
    }
}

/// A coroutine parked on a blocking operation ([`crate::block`]): resolves, with the
/// coroutine, when the operation ends.
struct Blocked {
    co: Option<Coroutine>,
    op: crate::block::Parked,
    /// Its Rust heap (the boxed operation, the queue's node), charged to the process
    /// against `max_memory` while it waits: a process with many coroutines parked pays
    /// for them (SPEC §3.6).
    _held: Held,
}

/// Bytes a parked coroutine holds on the Rust heap besides its Luau thread (charged to
/// the process, see [`Blocked`]): the queue node with the coroutine, and the boxed
/// operation (a channel wait with its waiter and case list, a timer, an exit watch).
const PARKED_BYTES: usize = 256;

impl Future for Blocked {
    type Output = (Coroutine, mlua::Result<MultiValue>);
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        match this.op.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(r) => match this.co.take() {
                Some(co) => Poll::Ready((co, r)),
                // Polled after it completed: FuturesUnordered never does.
                None => Poll::Pending,
            },
        }
    }
}

/// How one resume of a coroutine ended.
enum Resumed {
    /// It yielded (preempted, blocked or a bare `coroutine.yield`): it stays.
    Stays,
    /// It returned or raised.
    Ended(mlua::Result<MultiValue>),
}

/// Wakes the process and records that a wake happened (deadlock detection).
struct FlagWaker {
    flag: AtomicBool,
    inner: Waker,
}

impl Wake for FlagWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.flag.store(true, Ordering::Relaxed);
        self.inner.wake_by_ref();
    }
}

/// The future a worker polls for a Lua process: its own resume loop. Each poll routes the
/// mailbox, then resumes the coroutines that can run, in FIFO order — new ones, those whose
/// blocking operation ended (with its results), those preempted — until none can or the
/// slice is over.
pub struct LuaProcess {
    pub(crate) lua: Lua,
    pub(crate) st: Rc<ProcState>,
    /// Coroutines that can run, with the values to resume them with.
    ready: VecDeque<(Coroutine, MultiValue)>,
    /// Coroutines parked on a blocking operation; polled only when woken.
    parked: FuturesUnordered<Blocked>,
    waker: Option<(Waker, Arc<FlagWaker>, Waker)>,
}

impl LuaProcess {
    /// Restart as `main(...)` of `entry` with `args` (`process.upgrade`).
    ///
    /// Errors: Lua memory errors; the entry is not a Lua entry.
    fn restart(
        &mut self,
        (entry, args): (Arc<Entry>, Vec<troupe_kernel::Value>),
    ) -> mlua::Result<()> {
        self.ready.clear();
        self.parked = FuturesUnordered::new();
        self.st.new_coroutines.borrow_mut().clear();
        self.st.libs.borrow_mut().clear();
        let (thread, args, env) =
            crate::boot_thread(&self.st.vm, &entry, &args, self.st.ledger.cur.get())?;
        *self.st.env.borrow_mut() = env;
        *self.st.entry.borrow_mut() = entry;
        self.ready.push_back((Coroutine::new(true, &thread), args));
        Ok(())
    }

    /// A process whose `main` coroutine starts with `args`.
    pub(crate) fn new(
        lua: Lua,
        st: Rc<ProcState>,
        main: Coroutine,
        args: MultiValue,
    ) -> LuaProcess {
        let mut ready = VecDeque::with_capacity(1);
        ready.push_back((main, args));
        LuaProcess {
            lua,
            st,
            ready,
            parked: FuturesUnordered::new(),
            waker: None,
        }
    }

    /// Resume `co` with `args` once, with the slice pointing at it; a coroutine that
    /// blocked is parked, one that yielded otherwise is ready again.
    ///
    /// The operation a blocking call parked is in the worker's slot when the resume ends:
    /// with the block's yield, it is parked with the coroutine; with another yield (the
    /// slice ended before the wrapper yielded) it is held by the coroutine until its yield
    /// comes; when the coroutine ends, or its yield failed and it parked nothing newer, it
    /// is dropped.
    fn resume(&mut self, mut co: Coroutine, args: MultiValue) -> (bool, Resumed) {
        RUNNING.set(co.ptr);
        // The first two values are all a resume's result is read for (a block mark; main's
        // `value` or `nil, err`): a pair is read off the stack without a `MultiValue`.
        let r = co.thread.resume::<(LuaValue, LuaValue)>(args);
        RUNNING.set(std::ptr::null());
        let main = co.main;
        let slot = crate::block::take_parked();
        let (first, second) = match r {
            Err(e) => return (main, Resumed::Ended(Err(e))),
            Ok(vals) => vals,
        };
        if co.thread.status() != mlua::thread::ThreadStatus::Resumable {
            return (
                main,
                Resumed::Ended(Ok(MultiValue::from_iter([first, second]))),
            );
        }
        if !crate::block::is_block(&first) {
            if slot.is_some() {
                co.held = slot;
            }
            self.ready.push_back((co, MultiValue::new()));
        } else if let Some(op) = slot.or_else(|| co.held.take()) {
            co.held = None;
            let _held = Held::new(&self.st.held, PARKED_BYTES);
            self.parked.push(Blocked {
                co: Some(co),
                op,
                _held,
            });
        } else {
            // A block mark with nothing parked: only a coroutine that yielded the mark
            // itself; it resumes with no values.
            self.ready.push_back((co, MultiValue::new()));
        }
        (main, Resumed::Stays)
    }

    fn flag_waker(&mut self, outer: &Waker) -> (Arc<FlagWaker>, Waker) {
        if let Some((o, f, w)) = &self.waker
            && o.will_wake(outer)
        {
            return (f.clone(), w.clone());
        }
        let f = Arc::new(FlagWaker {
            flag: AtomicBool::new(false),
            inner: outer.clone(),
        });
        let w = Waker::from(f.clone());
        self.waker = Some((outer.clone(), f.clone(), w.clone()));
        (f, w)
    }
}

/// The worker is running this process until it drops: the current process and the slice
/// clock (the memory account stays the process's after the poll, see
/// `memory::switch_to`).
struct Enter {}

impl Enter {
    fn new(st: &Rc<ProcState>) -> Enter {
        CURRENT.with(|c| *c.borrow_mut() = Some(st.clone()));
        let now = troupe_kernel::preempt::now();
        crate::slice::enter(Slice {
            deadline: now + troupe_kernel::preempt::SLICE_TICKS,
            started: None,
            max_slice: st.limits.max_slice,
            kill: &st.handle.killed as *const AtomicBool,
            doom: &st.doom,
            memcat: &st.ledger.cur,
        });
        PREEMPTED.set(false);
        unsafe { crate::memory::switch_to(st.account(), st.vm.alloc, st.vm.main) };
        Enter {}
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        CURRENT.with(|c| *c.borrow_mut() = None);
        crate::slice::leave();
    }
}

impl Drop for LuaProcess {
    fn drop(&mut self) {
        unsafe { crate::memory::forget(&*self.st.ledger, self.st.vm.alloc, self.st.vm.main) };
        self.st.ledger.release(&self.st.vm.cats);
    }
}

impl Future for LuaProcess {
    type Output = ExitResult;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ExitResult> {
        let this = &mut *self;
        this.st.handle.register_waker(cx.waker());
        let _enter = Enter::new(&this.st);
        this.st.more.set(false);
        if let Err(e) = this.st.drain(&this.lua) {
            let e = this.st.doom_error().unwrap_or_else(|| error_to_process(&e));
            return Poll::Ready(Err(e));
        }
        if let Err(e) = crate::modules::events::pump(&this.lua, &this.st) {
            let e = this.st.doom_error().unwrap_or_else(|| error_to_process(&e));
            return Poll::Ready(Err(e));
        }
        let (flag, waker) = this.flag_waker(cx.waker());
        flag.flag.store(false, Ordering::Relaxed);
        let mut inner_cx = Context::from_waker(&waker);
        loop {
            {
                let mut newc = this.st.new_coroutines.borrow_mut();
                for co in newc.drain(..) {
                    this.ready.push_back((co, MultiValue::new()));
                }
            }
            while let Poll::Ready(Some((co, r))) = this.parked.poll_next_unpin(&mut inner_cx) {
                this.ready.push_back((co, crate::block::resume_values(r)));
            }
            let Some((co, args)) = this.ready.pop_front() else {
                break;
            };
            let (main, resumed) = this.resume(co, args);
            crate::memory::check();
            let upgrade = this.st.upgrade.borrow_mut().take();
            if let Some(up) = upgrade {
                // `process.upgrade`: the old code's coroutines end; the new code starts as
                // the main coroutine in a fresh environment, with the same PID, links,
                // monitors, names, mailbox and channels.
                if let Err(e) = this.restart(up) {
                    return Poll::Ready(Err(ProcessError::new(
                        ErrorKind::Internal,
                        format!("upgrade: {}", error_to_process(&e).message),
                    )));
                }
                // An upgrade loop still yields the worker at its slice end.
                if PREEMPTED.get() {
                    this.st.handle.mark_yielded();
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                continue;
            }
            if let Resumed::Ended(Err(e)) = &resumed
                && is_memory_error(e)
            {
                // A refused allocation its code did not catch: the limit, by name.
                this.st.doom.set(Doom::MaxMemory);
            }
            if let Some(e) = this.st.doom_error() {
                return Poll::Ready(Err(e));
            }
            match resumed {
                Resumed::Ended(r) if main => return Poll::Ready(main_result(r)),
                // As Wippy: an uncaught error in any coroutine fails the process with it.
                Resumed::Ended(Err(e)) => {
                    return Poll::Ready(Err(error_to_process(&e).at_boundary()));
                }
                Resumed::Ended(Ok(_)) | Resumed::Stays => {}
            }
            if PREEMPTED.get() {
                this.st.handle.mark_yielded();
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
        }
        if this.parked.is_empty() {
            // Only coroutine.spawn'ed coroutines ran, and all ended.
            return Poll::Ready(Ok(troupe_kernel::Value::Nil));
        }
        // Refill the event-bus channels its code read meanwhile (a parked reader is
        // woken, which polls the process again).
        if let Err(e) = crate::modules::events::pump(&this.lua, &this.st) {
            let e = this.st.doom_error().unwrap_or_else(|| error_to_process(&e));
            return Poll::Ready(Err(e));
        }
        if this.st.more.get() {
            // The kernel holds more for the open subscriptions than one drain moves: come
            // back for it after the worker's other processes had their turn.
            cx.waker().wake_by_ref();
        }
        if PREEMPTED.get() {
            this.st.handle.mark_yielded();
        } else if !this.st.more.get()
            && !flag.flag.load(Ordering::Relaxed)
            && this.st.local_blocked.get() >= this.parked.len()
        {
            return Poll::Ready(Err(ProcessError::new(
                ErrorKind::Internal,
                format!(
                    "deadlock: all {} coroutines blocked on process-local channels",
                    this.parked.len()
                ),
            )));
        }
        Poll::Pending
    }
}
