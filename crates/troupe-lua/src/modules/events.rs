//! The `events` module (WIPPY-API.md §10.2) over the node's event bus
//! (`troupe_kernel::bus`).
//!
//! - `subscribe(system [, kind])` → Subscription, or `nil, err` (`Invalid`: an empty
//!   system, a pattern over 1 KiB, more than 256 subscriptions, or a denied
//!   `events.subscribe` on the system — as Wippy, a denial is `Invalid` here). `system`
//!   and `kind` may contain `*` (any run of characters); no kind means every kind.
//! - `sub:channel()` → the subscription's channel (the same each call) of
//!   `{system, kind, path, data}` tables; `sub:close()` → true (ends the subscription
//!   and closes the channel); `sub:dropped()` (Troupe's addition) → how many events were
//!   dropped because the subscription was full.
//! - `send(system, kind, path [, data])` → `true, nil`, or `nil, err`: `Invalid` for an
//!   empty system or over-long names, or data the bounded copy refuses (`max_message`);
//!   `PermissionDenied` without `events.send` on the system.
//!
//! A subscription lives until `close()` or the end of its process (dropping the
//! Subscription object does not end it: `events.subscribe(s):channel()` keeps working,
//! as in Wippy). Events wait in the kernel queue (bounded, see `troupe_kernel::bus`)
//! and are moved into the channel while the process runs, at most [`FEED`] at a time,
//! so a subscriber that never reads holds at most that many Lua tables plus its kernel
//! queue. Troupe publishes `supervisor` events (`service.start`, `service.stop`; path =
//! the service or supervisor child ID; data `{pid, status, error?}`). Wippy's `registry`
//! events (`registry.begin`, `entry.create`, …, `registry.commit`) happen at boot in
//! Troupe, before any process runs, so a subscriber never sees them.

use std::sync::Arc;

use mlua::{Lua, MultiValue, Table, UserData, UserDataMethods, Value as LuaValue};
use troupe_kernel::bus::{BusError, BusEvent, Subscription};
use troupe_kernel::{ErrorKind, Node};

use crate::channel::Channel;
use crate::convert::to_lua;
use crate::limits;
use crate::modules::errors::nil_error;
use crate::modules::process::fail;
use crate::process::{ProcState, with_current};

/// Most events moved into a subscription's channel ahead of the reader.
pub const FEED: usize = 16;

/// A live subscription of a process: the kernel queue and the channel it feeds. Ends
/// the subscription when dropped (when the process ends).
pub struct Feed {
    node: Node,
    sub: Arc<Subscription>,
    channel: Channel,
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.node.bus().unsubscribe(self.sub.id());
    }
}

/// The feeds of one process (`ProcState::bus`).
pub type Feeds = std::cell::RefCell<Vec<Feed>>;

/// Move queued bus events into their channels (up to [`FEED`] buffered each) and drop
/// the feeds of closed subscriptions. Called by the process's poll, inside its memory
/// account.
///
/// Errors: Lua memory errors.
pub(crate) fn pump(lua: &Lua, st: &ProcState) -> mlua::Result<()> {
    let mut feeds = match st.bus.try_borrow_mut() {
        Ok(f) => f,
        Err(_) => return Ok(()),
    };
    if feeds.is_empty() {
        return Ok(());
    }
    feeds.retain(|f| !f.sub.is_closed());
    for f in feeds.iter() {
        while f.channel.buffered() < FEED {
            let Some(ev) = f.sub.take() else { break };
            let t = event_table(lua, &ev)?;
            f.channel.push(LuaValue::Table(t));
        }
    }
    Ok(())
}

/// `{system, kind, path, data}`.
fn event_table(lua: &Lua, ev: &BusEvent) -> mlua::Result<Table> {
    let t = lua.create_table_with_capacity(0, 4)?;
    t.set("system", ev.system.as_str())?;
    t.set("kind", ev.kind.as_str())?;
    t.set("path", ev.path.as_str())?;
    t.set("data", to_lua(lua, &ev.data)?)?;
    Ok(t)
}

/// The Subscription object.
pub struct LuaSubscription {
    node: Node,
    sub: Arc<Subscription>,
    channel: Channel,
}

impl UserData for LuaSubscription {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("channel", |_, s, ()| Ok(s.channel.clone()));
        m.add_method("close", |_, s, ()| {
            s.node.bus().unsubscribe(s.sub.id());
            s.channel.close();
            Ok(true)
        });
        m.add_method("dropped", |_, s, ()| Ok(s.sub.dropped()));
    }
}

fn bus_error(lua: &Lua, e: BusError) -> mlua::Result<MultiValue> {
    nil_error(lua, ErrorKind::Invalid, e.to_string())
}

fn subscribe(lua: &Lua, system: String, kind: Option<String>) -> mlua::Result<MultiValue> {
    with_current(|p| {
        if system.is_empty() {
            return bus_error(lua, BusError::EmptySystem);
        }
        if let Err(e) = p
            .node
            .check(Some(&p.handle), "events.subscribe", || system.clone())
        {
            return nil_error(lua, ErrorKind::Invalid, e.to_string());
        }
        let sub = match p.node.bus().subscribe(&p.handle, &system, kind.as_deref()) {
            Ok(s) => s,
            Err(e) => return bus_error(lua, e),
        };
        let channel = Channel::new(usize::MAX, true);
        p.bus.borrow_mut().push(Feed {
            node: p.node.clone(),
            sub: sub.clone(),
            channel: channel.clone(),
        });
        let ud = lua.create_userdata(LuaSubscription {
            node: p.node.clone(),
            sub,
            channel,
        })?;
        Ok(MultiValue::from_iter([LuaValue::UserData(ud)]))
    })
}

fn send(
    lua: &Lua,
    (system, kind, path, data): (String, String, String, LuaValue),
) -> mlua::Result<MultiValue> {
    if system.is_empty() {
        return bus_error(lua, BusError::EmptySystem);
    }
    let data = match limits::copy(&data) {
        Ok(d) => d,
        Err(e) => return limits::refused(lua, e),
    };
    with_current(|p| {
        if let Err(e) = p
            .node
            .check(Some(&p.handle), "events.send", || system.clone())
        {
            return fail(lua, LuaValue::Nil, &e);
        }
        match p.node.bus().publish(BusEvent {
            system,
            kind,
            path,
            data,
        }) {
            Ok(_) => Ok(MultiValue::from_iter([LuaValue::Boolean(true)])),
            Err(e) => bus_error(lua, e),
        }
    })
}

/// Build the module table.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "subscribe",
        lua.create_function(|lua, (system, kind): (String, Option<String>)| {
            subscribe(lua, system, kind)
        })?,
    )?;
    t.set("send", lua.create_function(send)?)?;
    Ok(t)
}
