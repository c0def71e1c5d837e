//! Process-local channels (SPEC §3.4): buffered or unbuffered (rendezvous), closable, with
//! `select`. A channel lives in one process (it is `Rc`, never crosses a thread) and its
//! blocking operations are futures completed by the owning process's scheduler.
//!
//! Channels fed from outside the process (inbox, topic listeners, events, timers) are
//! marked *external*: a coroutine blocked on one can still be woken, which is what the
//! deadlock detector needs to know.
//!
//! A message routed into an external channel stays charged against its process's
//! `max_mailbox` (SPEC §3.6) until user code takes it out: each buffered item carries the
//! bytes it was charged, given back to the process when a receiver takes it (at once when
//! one is already waiting), when a closed channel discards it, or when the channel is
//! dropped with it still inside.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::block;
use mlua::{Lua, MultiValue, UserData, UserDataMethods, Value as LuaValue};
use troupe_kernel::ProcessRef;

/// A parked operation (single op or a whole `select`). Fired at most once.
pub struct Waiter {
    fired: Cell<bool>,
    /// `(case index, received value, ok)`.
    result: RefCell<Option<(usize, LuaValue, bool)>>,
    waker: RefCell<Option<Waker>>,
}

impl Waiter {
    fn new() -> Rc<Waiter> {
        Rc::new(Waiter {
            fired: Cell::new(false),
            result: RefCell::new(None),
            waker: RefCell::new(None),
        })
    }
    fn fire(&self, case: usize, v: LuaValue, ok: bool) {
        self.fired.set(true);
        *self.result.borrow_mut() = Some((case, v, ok));
        if let Some(w) = self.waker.borrow_mut().take() {
            w.wake();
        }
    }
}

struct State {
    /// Buffered values with what taking each gives back to the owner.
    buf: VecDeque<(LuaValue, Taken)>,
    /// The process charged for buffered messages, set by [`Channel::push_message`].
    owner: Option<ProcessRef>,
    cap: usize,
    closed: bool,
    recvq: VecDeque<(Rc<Waiter>, usize)>,
    sendq: VecDeque<(Rc<Waiter>, usize, LuaValue)>,
    /// A feed waiting for room (a `time` ticker): woken when a value is taken or on close.
    room: Option<Waker>,
    /// Dropped with the channel (a `time` timer's task: aborted once nobody can read it).
    guard: Option<Box<dyn std::any::Any>>,
}

/// What the owner process gets back when user code takes (or the channel discards) an
/// item fed from its mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    /// Nothing (a value not fed from the mailbox).
    Nothing,
    /// A message's bytes, back to its `max_mailbox` bound.
    Bytes(u64),
    /// A CANCEL event: the next `process.cancel` is delivered again
    /// (`ProcessHandle::cancel_taken`).
    Cancel,
}

impl State {
    /// Tell the owner an item was taken or discarded ([`Taken`]).
    fn release(&self, taken: Taken) {
        let Some(owner) = &self.owner else {
            return;
        };
        match taken {
            Taken::Nothing | Taken::Bytes(0) => {}
            Taken::Bytes(n) => owner.release(n),
            Taken::Cancel => owner.cancel_taken(),
        }
    }
}

impl Drop for State {
    fn drop(&mut self) {
        for (_, c) in std::mem::take(&mut self.buf) {
            self.release(c);
        }
    }
}

/// A channel handle (Lua userdata). Clones share the channel.
#[derive(Clone)]
pub struct Channel {
    st: Rc<RefCell<State>>,
    /// Fed from outside the process (see module docs).
    pub external: bool,
}

/// A [`Channel`] handle that does not keep it alive ([`Channel::downgrade`]).
#[derive(Clone)]
pub struct WeakChannel {
    st: std::rc::Weak<RefCell<State>>,
    external: bool,
}

impl WeakChannel {
    /// The channel, unless every strong handle is gone.
    pub fn upgrade(&self) -> Option<Channel> {
        self.st.upgrade().map(|st| Channel {
            st,
            external: self.external,
        })
    }
}

/// Result of a non-blocking attempt.
pub enum Try<T> {
    Ready(T),
    Blocked,
}

impl Channel {
    /// A new channel with `cap` buffer slots (0 = unbuffered).
    pub fn new(cap: usize, external: bool) -> Channel {
        Channel {
            st: Rc::new(RefCell::new(State {
                buf: VecDeque::new(),
                owner: None,
                cap,
                closed: false,
                recvq: VecDeque::new(),
                sendq: VecDeque::new(),
                room: None,
                guard: None,
            })),
            external,
        }
    }

    /// Identity comparison.
    pub fn same(&self, other: &Channel) -> bool {
        Rc::ptr_eq(&self.st, &other.st)
    }

    /// Values buffered and not yet received.
    pub fn buffered(&self) -> usize {
        self.st.borrow().buf.len()
    }

    /// Whether the channel has been closed.
    pub fn is_closed(&self) -> bool {
        self.st.borrow().closed
    }

    /// A handle that does not keep the channel alive (a feed that should stop once no one
    /// can read the channel).
    pub fn downgrade(&self) -> WeakChannel {
        WeakChannel {
            st: Rc::downgrade(&self.st),
            external: self.external,
        }
    }

    /// Keep `guard` until the channel is dropped (its last handle gone).
    pub fn set_guard(&self, guard: Box<dyn std::any::Any>) {
        self.st.borrow_mut().guard = Some(guard);
    }

    /// Values buffered now.
    pub fn len(&self) -> usize {
        self.st.borrow().buf.len()
    }

    /// Whether nothing is buffered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Wake `w` once, when a buffered value is next taken or the channel closes (a feed
    /// that keeps the buffer bounded waits on it instead of polling).
    pub fn wake_on_take(&self, w: &Waker) {
        self.st.borrow_mut().room = Some(w.clone());
    }

    /// Try to receive: `(value, ok)`; `ok=false` once closed and drained.
    pub fn try_recv(&self) -> Try<(LuaValue, bool)> {
        let mut st = self.st.borrow_mut();
        if let Some((v, charge)) = st.buf.pop_front() {
            st.release(charge);
            if let Some(w) = st.room.take() {
                w.wake();
            }
            while let Some((w, case, sv)) = st.sendq.pop_front() {
                if !w.fired.get() {
                    st.buf.push_back((sv, Taken::Nothing));
                    drop(st);
                    w.fire(case, LuaValue::Nil, true);
                    break;
                }
            }
            return Try::Ready((v, true));
        }
        while let Some((w, case, sv)) = st.sendq.pop_front() {
            if !w.fired.get() {
                drop(st);
                w.fire(case, LuaValue::Nil, true);
                return Try::Ready((sv, true));
            }
        }
        if st.closed {
            return Try::Ready((LuaValue::Nil, false));
        }
        Try::Blocked
    }

    /// Try to send. `Err` if closed.
    pub fn try_send(&self, v: LuaValue) -> Result<Try<()>, LuaValue> {
        let mut st = self.st.borrow_mut();
        if st.closed {
            return Err(v);
        }
        while let Some((w, case)) = st.recvq.pop_front() {
            if !w.fired.get() {
                drop(st);
                w.fire(case, v, true);
                return Ok(Try::Ready(()));
            }
        }
        if st.buf.len() < st.cap {
            st.buf.push_back((v, Taken::Nothing));
            return Ok(Try::Ready(()));
        }
        Ok(Try::Blocked)
    }

    /// Push without blocking or capacity limit (external feeds). Ignored once closed.
    pub fn push(&self, v: LuaValue) {
        self.push_charged(v, Taken::Nothing);
    }

    /// [`Channel::push`] of an item fed from `owner`'s mailbox: `taken` goes back to
    /// `owner` when user code takes the value (see the module docs): a message's bytes
    /// against its `max_mailbox`, or word that a CANCEL was taken. `owner` is the process
    /// the channel belongs to.
    pub fn push_message(&self, v: LuaValue, owner: &ProcessRef, taken: Taken) {
        if taken != Taken::Nothing {
            let mut st = self.st.borrow_mut();
            if st.owner.is_none() {
                st.owner = Some(owner.clone());
            }
        }
        self.push_charged(v, taken);
    }

    fn push_charged(&self, v: LuaValue, charge: Taken) {
        let mut st = self.st.borrow_mut();
        if st.closed {
            st.release(charge);
            return;
        }
        while let Some((w, case)) = st.recvq.pop_front() {
            if !w.fired.get() {
                st.release(charge);
                drop(st);
                w.fire(case, v, true);
                return;
            }
        }
        st.buf.push_back((v, charge));
    }

    /// Close: wake every receiver with `ok=false` and every sender with an error.
    pub fn close(&self) {
        let (recv, send) = {
            let mut st = self.st.borrow_mut();
            if st.closed {
                return;
            }
            st.closed = true;
            if let Some(w) = st.room.take() {
                w.wake();
            }
            (std::mem::take(&mut st.recvq), std::mem::take(&mut st.sendq))
        };
        for (w, case) in recv {
            if !w.fired.get() {
                w.fire(case, LuaValue::Nil, false);
            }
        }
        for (w, case, _) in send {
            if !w.fired.get() {
                w.fire(case, LuaValue::Nil, false);
            }
        }
    }

    fn park_recv(&self, w: &Rc<Waiter>, case: usize) {
        self.st.borrow_mut().recvq.push_back((w.clone(), case));
    }

    fn park_send(&self, w: &Rc<Waiter>, case: usize, v: LuaValue) {
        self.st.borrow_mut().sendq.push_back((w.clone(), case, v));
    }
}

/// One `select` case.
#[derive(Clone)]
pub enum Case {
    Recv(Channel),
    Send(Channel, LuaValue),
}

impl Case {
    pub fn channel(&self) -> &Channel {
        match self {
            Case::Recv(c) | Case::Send(c, _) => c,
        }
    }
}

impl UserData for Case {}

/// Outcome of an operation: `(case index, value, ok)`.
pub type Outcome = (usize, LuaValue, bool);

/// Try every case once, in order.
///
/// Errors: a send case on a closed channel.
pub fn try_cases(cases: &[Case]) -> mlua::Result<Option<Outcome>> {
    for (i, c) in cases.iter().enumerate() {
        match c {
            Case::Recv(ch) => {
                if let Try::Ready((v, ok)) = ch.try_recv() {
                    return Ok(Some((i, v, ok)));
                }
            }
            Case::Send(ch, v) => match ch.try_send(v.clone()) {
                Ok(Try::Ready(())) => return Ok(Some((i, LuaValue::Nil, true))),
                Ok(Try::Blocked) => {}
                Err(_) => return Err(mlua::Error::runtime("send on closed channel")),
            },
        }
    }
    Ok(None)
}

/// Future for a blocking channel operation or select. Counts itself as locally blocked
/// (for deadlock detection) while parked on channels that are all process-local.
pub struct Wait {
    cases: Vec<Case>,
    waiter: Option<Rc<Waiter>>,
    local_blocked: Option<Rc<Cell<usize>>>,
    counted: bool,
}

impl Wait {
    /// Wait on `cases`; `blocked` is the process's counter of locally blocked coroutines.
    pub fn new(cases: Vec<Case>, blocked: Rc<Cell<usize>>) -> Wait {
        Wait {
            cases,
            waiter: None,
            local_blocked: Some(blocked),
            counted: false,
        }
    }
    fn uncount(&mut self) {
        if self.counted {
            self.counted = false;
            if let Some(b) = &self.local_blocked {
                b.set(b.get().saturating_sub(1));
            }
        }
    }
}

impl Future for Wait {
    type Output = mlua::Result<Outcome>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        match &this.waiter {
            None => {
                if let Some(o) = try_cases(&this.cases)? {
                    return Poll::Ready(Ok(o));
                }
                let w = Waiter::new();
                *w.waker.borrow_mut() = Some(cx.waker().clone());
                for (i, c) in this.cases.iter().enumerate() {
                    match c {
                        Case::Recv(ch) => ch.park_recv(&w, i),
                        Case::Send(ch, v) => ch.park_send(&w, i, v.clone()),
                    }
                }
                this.waiter = Some(w);
                if this.cases.iter().all(|c| !c.channel().external) {
                    this.counted = true;
                    if let Some(b) = &this.local_blocked {
                        b.set(b.get() + 1);
                    }
                }
                Poll::Pending
            }
            Some(w) => {
                let r = w.result.borrow_mut().take();
                match r {
                    Some((case, v, ok)) => {
                        this.uncount();
                        if let Some(Case::Send(..)) = this.cases.get(case)
                            && !ok
                        {
                            return Poll::Ready(Err(mlua::Error::runtime(
                                "send on closed channel",
                            )));
                        }
                        Poll::Ready(Ok((case, v, ok)))
                    }
                    None => {
                        *w.waker.borrow_mut() = Some(cx.waker().clone());
                        Poll::Pending
                    }
                }
            }
        }
    }
}

impl Drop for Wait {
    fn drop(&mut self) {
        self.uncount();
        if let Some(w) = &self.waiter {
            // Cancelled: make the parked entries stale.
            w.fired.set(true);
        }
    }
}

impl UserData for Channel {
    fn add_fields<F: mlua::UserDataFields<Self>>(f: &mut F) {
        // The blocking methods are Lua functions (see `crate::block`), found through
        // `__index` after the Rust methods.
        f.add_meta_field_with("__index", |lua| {
            let t = lua.create_table()?;
            t.raw_set("receive", block::wrap(lua, lua.create_function(receive)?)?)?;
            t.raw_set("send", block::wrap(lua, lua.create_function(send)?)?)?;
            Ok(t)
        });
    }

    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        // As Go and Wippy: closing a closed channel raises.
        m.add_method("close", |_, ch, ()| {
            if ch.is_closed() {
                return Err(mlua::Error::runtime("close of closed channel"));
            }
            ch.close();
            Ok(())
        });
        m.add_method("is_closed", |_, ch, ()| Ok(ch.is_closed()));
        m.add_method("len", |_, ch, ()| Ok(ch.st.borrow().buf.len()));
        m.add_method("case_receive", |_, ch, ()| Ok(Case::Recv(ch.clone())));
        m.add_method("case_send", |_, ch, v: LuaValue| {
            Ok(Case::Send(ch.clone(), v))
        });
        m.add_meta_method(
            mlua::MetaMethod::Eq,
            |_, a, b: mlua::UserDataRef<Channel>| Ok(a.same(&b)),
        );
        m.add_meta_method(mlua::MetaMethod::ToString, |_, ch, ()| {
            Ok(format!("channel({:p})", Rc::as_ptr(&ch.st)))
        });
    }
}

/// Build the `channel` module: `new([size])`, `select{cases..., default=bool}`.
pub fn module(lua: &Lua) -> mlua::Result<mlua::Table> {
    let t = lua.create_table()?;
    t.set(
        "new",
        lua.create_function(|_, size: LuaValue| {
            let size = crate::duration::size(&size, 0, crate::duration::MAX_CHANNEL_SIZE)
                .map_err(|e| mlua::Error::runtime(format!("channel.new: {e}")))?;
            Ok(Channel::new(size, false))
        })?,
    )?;
    t.set("select", block::wrap(lua, lua.create_function(select)?)?)?;
    Ok(t)
}

/// `ch:receive()`: `value, ok` (`ok` false once closed and drained); blocks while empty.
/// Two values, never a list: the fast path allocates nothing.
fn receive(_: &Lua, ch: mlua::UserDataRef<Channel>) -> mlua::Result<(LuaValue, LuaValue)> {
    if let Try::Ready((v, ok)) = ch.try_recv() {
        return Ok((v, LuaValue::Boolean(ok)));
    }
    let ch = ch.clone();
    let blocked = crate::process::with_current(|p| Ok(p.local_blocked.clone()))?;
    let mark = block::park(async move {
        let (_, v, ok) = Wait::new(vec![Case::Recv(ch)], blocked).await?;
        Ok(MultiValue::from_iter([v, LuaValue::Boolean(ok)]))
    });
    Ok((mark, LuaValue::Nil))
}

/// `ch:send(v)`: `true`; blocks while full (unbuffered: until a receiver takes it).
///
/// Errors: the channel is closed (raised, as Go's panic).
fn send(_: &Lua, (ch, v): (mlua::UserDataRef<Channel>, LuaValue)) -> mlua::Result<MultiValue> {
    match ch.try_send(v.clone()) {
        Ok(Try::Ready(())) => return Ok(MultiValue::from_iter([LuaValue::Boolean(true)])),
        Err(_) => return Err(mlua::Error::runtime("send on closed channel")),
        Ok(Try::Blocked) => {}
    }
    let ch = ch.clone();
    let blocked = crate::process::with_current(|p| Ok(p.local_blocked.clone()))?;
    Ok(block::park_multi(async move {
        Wait::new(vec![Case::Send(ch, v)], blocked).await?;
        Ok(MultiValue::from_iter([LuaValue::Boolean(true)]))
    }))
}

/// `channel.select{cases..., default=bool}`: the result table of the first case ready;
/// blocks until one is, unless `default` is set.
fn select(lua: &Lua, (spec, default): (mlua::Table, Option<bool>)) -> mlua::Result<MultiValue> {
    // As Wippy: array items that are not cases are ignored.
    let mut cases = Vec::new();
    for v in spec.sequence_values::<LuaValue>() {
        if let LuaValue::UserData(ud) = v?
            && let Ok(c) = ud.borrow::<Case>()
        {
            cases.push(c.clone());
        }
    }
    let has_default =
        default.unwrap_or(false) || spec.get::<Option<bool>>("default")?.unwrap_or(false);
    if let Some(o) = try_cases(&cases)? {
        let out = lua.create_table()?;
        fill(&out, &cases, o)?;
        return Ok(MultiValue::from_iter([LuaValue::Table(out)]));
    }
    if has_default {
        let out = lua.create_table()?;
        out.set("default", true)?;
        out.set("ok", true)?;
        return Ok(MultiValue::from_iter([LuaValue::Table(out)]));
    }
    // No cases and no default waits for ever, as Go's empty select (the deadlock check
    // ends the process if nothing else can run).
    let blocked = crate::process::with_current(|p| Ok(p.local_blocked.clone()))?;
    let lua = lua.clone();
    Ok(block::park_multi(async move {
        let o = Wait::new(cases.clone(), blocked).await?;
        let out = lua.create_table()?;
        fill(&out, &cases, o)?;
        Ok(MultiValue::from_iter([LuaValue::Table(out)]))
    }))
}

/// The result table of a select: `{channel, value, ok}` (for a send case `value` is the
/// value sent), plus Troupe's `case` (the 1-based index of the case that ran).
fn fill(out: &mlua::Table, cases: &[Case], (i, v, ok): Outcome) -> mlua::Result<()> {
    out.set("channel", cases[i].channel().clone())?;
    match &cases[i] {
        Case::Send(_, sent) => out.set("value", sent.clone())?,
        Case::Recv(_) => out.set("value", v)?,
    }
    out.set("ok", ok)?;
    out.set("case", i + 1)?;
    Ok(())
}
