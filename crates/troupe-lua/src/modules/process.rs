//! The `process` module (SPEC §3): identity, send, inbox/listen/events, spawn variants,
//! exec, cancel/terminate, links, monitors, options and the name registry, plus
//! `coroutine.spawn`. Every function acts as the current process (its PID and actor go
//! with the operation into the kernel).

use std::sync::atomic::Ordering;

use mlua::{Lua, MultiValue, Table, Value as LuaValue};
use troupe_kernel::message::event_kind;
use troupe_kernel::{ErrorKind, KernelError, ProcessError, SpawnRequest};

use crate::channel::Channel;
use crate::convert::to_lua;
use crate::limits;
use crate::modules::errors::{new_error, nil_error};
use crate::process::{Coroutine, Listener, with_current};

/// `(nil, err)` / `(false, err)` pair for a kernel failure.
pub fn fail(lua: &Lua, first: LuaValue, e: &KernelError) -> mlua::Result<MultiValue> {
    Ok(MultiValue::from_iter([
        first,
        new_error(lua, e.kind(), e.to_string())?,
    ]))
}

/// `false, err` (Invalid): the failure of `set_options` and `unlisten`, as Wippy.
fn fail_false(lua: &Lua, msg: &str) -> mlua::Result<MultiValue> {
    Ok(MultiValue::from_iter([
        LuaValue::Boolean(false),
        new_error(lua, ErrorKind::Invalid, msg)?,
    ]))
}

/// `subscribe(topic, ch)`: route the process's messages on `topic` into `ch` → `ch`, or
/// `nil, err` if the topic already has another channel (WIPPY-API.md §3).
pub fn subscribe(
    lua: &Lua,
    (topic, ch): (String, mlua::UserDataRef<Channel>),
) -> mlua::Result<MultiValue> {
    with_current(|p| {
        if let Some(l) = p.listeners.borrow().iter().find(|l| l.topic == topic) {
            if !l.channel.same(&ch) {
                return nil_error(
                    lua,
                    ErrorKind::AlreadyExists,
                    format!("subscribe: topic {topic:?} already has a channel"),
                );
            }
        } else {
            let listener = Listener {
                topic,
                channel: (*ch).clone(),
                message: false,
            };
            if let Err(e) = p.listen(lua, listener)? {
                return nil_error(lua, e.kind(), format!("subscribe: {e}"));
            }
        }
        Ok(MultiValue::from_iter([LuaValue::UserData(
            lua.create_userdata((*ch).clone())?,
        )]))
    })
}

/// `unsubscribe(ch)` / `process.unlisten(ch)`: stop routing into `ch` and close it → `true`,
/// or `false, err` if it was not subscribed. A non-channel argument raises. As Wippy, what
/// was routed to the topic before stays readable from the closed channel; later messages
/// go to the inbox (if open) or wait.
pub fn unsubscribe(lua: &Lua, ch: mlua::UserDataRef<Channel>) -> mlua::Result<MultiValue> {
    let found = with_current(|p| p.unlisten(lua, &ch))?;
    if !found {
        return fail_false(lua, "the channel is not subscribed to a topic");
    }
    ch.close();
    ok_true()
}

pub(crate) fn ok_true() -> mlua::Result<MultiValue> {
    Ok(MultiValue::from_iter([LuaValue::Boolean(true)]))
}

fn dest_of(v: &LuaValue) -> mlua::Result<String> {
    match v {
        LuaValue::String(s) => Ok(s.to_str()?.to_string()),
        _ => Err(mlua::Error::runtime(
            "expected a PID or a registered name (string)",
        )),
    }
}

/// Parse `(id, host, ...)`; a nil host means the caller's own host. The arguments are
/// deep-copied as one copy (SPEC §3.2).
///
/// Errors: a bad entry ID or host raises; a refused copy is the inner `Err` (for the
/// caller's `nil, err`).
pub fn spawn_request(
    args: MultiValue,
    link: bool,
    monitor: bool,
) -> mlua::Result<Result<SpawnRequest, ProcessError>> {
    let mut it = args.into_iter();
    let id = match it.next() {
        Some(LuaValue::String(s)) => s.to_str()?.to_string(),
        _ => {
            return Err(mlua::Error::runtime(
                "spawn: expected an entry ID (string) as first argument",
            ));
        }
    };
    let host = match it.next() {
        Some(LuaValue::String(s)) => s.to_str()?.to_string(),
        Some(LuaValue::Nil) | None => with_current(|p| Ok(p.handle.pid.host().to_string()))?,
        Some(_) => {
            return Err(mlua::Error::runtime(
                "spawn: expected a host ID (string) as second argument",
            ));
        }
    };
    let rest: Vec<LuaValue> = it.collect();
    let args = match limits::copy_all(rest.iter()) {
        Ok(a) => a,
        Err(e) => return Ok(Err(e.into())),
    };
    Ok(Ok(SpawnRequest {
        entry: id,
        host,
        args,
        link,
        monitor,
        ..Default::default()
    }))
}

/// `nil, err` for a process error.
pub fn nil_process_error(lua: &Lua, e: ProcessError) -> mlua::Result<MultiValue> {
    // The whole error (kind, message, retryable, details), as it crossed the boundary.
    Ok(MultiValue::from_iter([
        LuaValue::Nil,
        LuaValue::UserData(lua.create_userdata(crate::modules::errors::LuaError::new(e))?),
    ]))
}

/// Spawn `req` as the current process and return what Lua gets: the PID, or `nil, err`
/// (a permission denial raises instead when `raise_denied`, as Wippy's spawner). A host of
/// another node (`NODE@HOST_ID`, SPEC §10) parks the call until that node answers: the
/// function returning this must be a blocking one ([`crate::block::wrap`]).
///
/// Errors: Lua memory errors; a denial when `raise_denied`.
pub fn spawn_values(lua: &Lua, req: SpawnRequest, raise_denied: bool) -> mlua::Result<MultiValue> {
    let answer = move |lua: &Lua, r: Result<troupe_kernel::Pid, KernelError>| match r {
        Ok(pid) => Ok(MultiValue::from_iter([LuaValue::String(
            lua.create_string(pid.as_str())?,
        )])),
        Err(e) if raise_denied && e.kind() == ErrorKind::PermissionDenied => {
            Err(mlua::Error::external(ProcessError::from(e)))
        }
        Err(e) => fail(lua, LuaValue::Nil, &e),
    };
    with_current(|p| match p.node.spawn_anywhere(&p.handle, req) {
        Ok(troupe_kernel::Started::There(reply)) => {
            let lua = lua.clone();
            Ok(crate::block::park_multi(async move {
                answer(&lua, reply.await)
            }))
        }
        Ok(troupe_kernel::Started::Here(pid)) => {
            let _fast = p.vm.fast();
            answer(lua, Ok(pid))
        }
        Err(e) => answer(lua, Err(e)),
    })
}

fn spawn_fn(lua: &Lua, link: bool, monitor: bool) -> mlua::Result<mlua::Function> {
    let raw = lua.create_function(move |lua, args: MultiValue| {
        let req = match spawn_request(args, link, monitor)? {
            Ok(r) => r,
            Err(e) => return nil_process_error(lua, e),
        };
        spawn_values(lua, req, false)
    })?;
    crate::block::wrap(lua, raw)
}

/// `coroutine.spawn(fn)`: run `fn` (with no arguments, as Wippy) as a coroutine of the
/// current process; returns the new thread.
pub fn coroutine_spawn(lua: &Lua, f: mlua::Function) -> mlua::Result<mlua::Thread> {
    let thread = lua.create_thread(f)?;
    with_current(|p| {
        p.new_coroutines
            .borrow_mut()
            .push(Coroutine::new(false, &thread));
        Ok(thread)
    })
}

/// `process.upgrade([id], ...)`: restart the process's code as `main(...)` of entry `id`
/// (its own entry when nil or `""`) with the new arguments, keeping its PID, links,
/// monitors, names and mailbox (WIPPY-API.md §2). Never returns: the process driver swaps
/// the code at the end of this poll. Its limits stay those it started with.
///
/// Errors (raised, so an uncaught one exits with `upgrade: …`): a bad ID, an entry that is
/// not a `process.lua`, a refused argument copy.
fn upgrade(_: &Lua, args: MultiValue) -> mlua::Result<MultiValue> {
    let mut it = args.into_iter();
    let id = match it.next() {
        None | Some(LuaValue::Nil) => None,
        Some(LuaValue::String(s)) if s.as_bytes().is_empty() => None,
        Some(LuaValue::String(s)) => Some(s.to_str()?.to_string()),
        Some(other) => {
            return Err(mlua::Error::runtime(format!(
                "upgrade: expected an entry ID (string) or nil, got {}",
                other.type_name()
            )));
        }
    };
    let rest: Vec<LuaValue> = it.collect();
    let args =
        limits::copy_all(rest.iter()).map_err(|e| mlua::Error::runtime(format!("upgrade: {e}")))?;
    with_current(|p| {
        let entry = match id {
            None => p.entry(),
            Some(id) => {
                let e = p.node.entry(&id).ok_or_else(|| {
                    mlua::Error::runtime(format!("upgrade: entry {id} not found"))
                })?;
                if e.kind_name() != "process.lua" {
                    return Err(mlua::Error::runtime(format!(
                        "upgrade: entry {id} has kind {}, expected process.lua",
                        e.kind_name()
                    )));
                }
                e
            }
        };
        *p.upgrade.borrow_mut() = Some((entry, args));
        Ok(())
    })?;
    // Parked for ever: the scheduler restarts the process before it runs again.
    Ok(crate::block::park_multi(std::future::pending()))
}

/// Build the module table.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "pid",
        lua.create_function(|_, ()| with_current(|p| Ok(p.pid.clone())))?,
    )?;
    t.set(
        "id",
        lua.create_function(|_, ()| with_current(|p| Ok(p.entry().id.clone())))?,
    )?;
    t.set(
        "upgrade",
        crate::block::wrap(lua, lua.create_function(upgrade)?)?,
    )?;
    t.set("send", crate::modules::send::function(lua)?)?;
    t.set(
        "inbox",
        lua.create_function(|lua, ()| with_current(|p| p.open_inbox(lua)))?,
    )?;
    t.set(
        "listen",
        lua.create_function(|lua, (topic, opts): (String, Option<Table>)| {
            let message = match &opts {
                Some(o) => o.get::<Option<bool>>("message")?.unwrap_or(false),
                None => false,
            };
            with_current(|p| {
                if let Some(l) = p.listeners.borrow().iter().find(|l| l.topic == topic) {
                    return Ok(MultiValue::from_iter([LuaValue::UserData(
                        lua.create_userdata(l.channel.clone())?,
                    )]));
                }
                let ch = Channel::new(usize::MAX, true);
                let listener = Listener {
                    topic,
                    channel: ch.clone(),
                    message,
                };
                // The kernel's rule (`ProcessHandle::listen`): an empty topic, one starting
                // with `@` or one over 1024 bytes is `nil, err` (Invalid), as Wippy.
                if let Err(e) = p.listen(lua, listener)? {
                    return nil_error(lua, e.kind(), format!("listen: {e}"));
                }
                Ok(MultiValue::from_iter([LuaValue::UserData(
                    lua.create_userdata(ch)?,
                )]))
            })
        })?,
    )?;
    t.set("unlisten", lua.create_function(unsubscribe)?)?;
    t.set(
        "events",
        lua.create_function(|lua, ()| with_current(|p| p.open_events(lua)))?,
    )?;
    t.set("spawn", spawn_fn(lua, false, false)?)?;
    t.set("spawn_monitored", spawn_fn(lua, false, true)?)?;
    t.set("spawn_linked", spawn_fn(lua, true, false)?)?;
    t.set("spawn_linked_monitored", spawn_fn(lua, true, true)?)?;
    t.set(
        "exec",
        crate::block::function(lua, |lua, args: MultiValue| async move {
            let mut req = match spawn_request(args, false, false)? {
                Ok(r) => r,
                Err(e) => return nil_process_error(&lua, e),
            };
            // As Wippy: an exec child starts with no `ctx` values (its actor and scope are
            // still the caller's: see ARCHITECTURE.md, identity is never dropped).
            req.context = Some(std::sync::Arc::new(Default::default()));
            let spawned = with_current(|p| Ok(p.node.spawn(Some(&p.handle), req, true)))?;
            match spawned {
                Err(e) => fail(&lua, LuaValue::Nil, &e),
                Ok((_, None)) => Ok(MultiValue::new()),
                Ok((_, Some(rx))) => exit_values(&lua, rx.await),
            }
        })?,
    )?;
    t.set(
        "cancel",
        lua.create_function(|lua, (dest, reason): (LuaValue, Option<String>)| {
            let dest = dest_of(&dest)?;
            with_current(|p| match p.node.cancel(Some(&p.handle), &dest, reason) {
                Ok(()) => ok_true(),
                Err(e) => fail(lua, LuaValue::Nil, &e),
            })
        })?,
    )?;
    t.set(
        "terminate",
        lua.create_function(|lua, dest: LuaValue| {
            let dest = dest_of(&dest)?;
            with_current(|p| match p.node.terminate(Some(&p.handle), &dest) {
                Ok(()) => ok_true(),
                Err(e) => fail(lua, LuaValue::Nil, &e),
            })
        })?,
    )?;
    type RelOp =
        fn(&troupe_kernel::Node, &troupe_kernel::ProcessRef, &str) -> Result<(), KernelError>;
    let rels: [(&str, RelOp); 4] = [
        ("link", |n, me, d| n.link(me, d)),
        ("unlink", |n, me, d| n.unlink(me, d)),
        ("monitor", |n, me, d| n.monitor(me, d)),
        ("unmonitor", |n, me, d| n.unmonitor(me, d)),
    ];
    for (name, op) in rels {
        t.set(
            name,
            lua.create_function(move |lua, dest: LuaValue| {
                let dest = dest_of(&dest)?;
                with_current(|p| match op(&p.node, &p.handle, &dest) {
                    Ok(()) => ok_true(),
                    Err(e) => fail(lua, LuaValue::Nil, &e),
                })
            })?,
        )?;
    }
    t.set(
        "set_options",
        lua.create_function(|lua, opts: LuaValue| {
            let LuaValue::Table(opts) = opts else {
                return fail_false(lua, "set_options: expected a table of options");
            };
            with_current(|p| {
                let mut bad = None;
                for pair in opts.pairs::<LuaValue, LuaValue>() {
                    let (k, v) = pair?;
                    match (k.as_string().map(|s| s.to_string_lossy()).as_deref(), v) {
                        (Some("trap_links"), LuaValue::Boolean(trap)) => {
                            p.handle.trap_links.store(trap, Ordering::Release);
                        }
                        (Some("trap_links"), _) => {
                            bad.get_or_insert_with(|| {
                                "option trap_links must be a boolean".to_string()
                            });
                        }
                        (key, _) => {
                            let key = key.map_or_else(|| format!("{k:?}"), str::to_string);
                            bad.get_or_insert_with(|| format!("option {key} is not supported"));
                        }
                    }
                }
                match bad {
                    Some(m) => fail_false(lua, &m),
                    None => Ok(MultiValue::from_iter([
                        LuaValue::Boolean(true),
                        LuaValue::Nil,
                    ])),
                }
            })
        })?,
    )?;
    t.set(
        "get_options",
        lua.create_function(|lua, ()| {
            with_current(|p| {
                let o = lua.create_table()?;
                o.set("trap_links", p.handle.trap_links.load(Ordering::Acquire))?;
                Ok(o)
            })
        })?,
    )?;
    let event = lua.create_table()?;
    event.set("EXIT", event_kind::EXIT)?;
    event.set("LINK_DOWN", event_kind::LINK_DOWN)?;
    event.set("CANCEL", event_kind::CANCEL)?;
    t.set("event", event)?;
    t.set("registry", registry(lua)?)?;
    Ok(t)
}

fn registry(lua: &Lua) -> mlua::Result<Table> {
    let r = lua.create_table()?;
    r.set(
        "register",
        lua.create_function(
            |lua, (name, pid, scope): (String, Option<String>, Option<i64>)| {
                // LOCAL (0, the default): this node's name table; EVENTUAL and up
                // (1..3): cluster-wide (SPEC §10; Troupe has no consensus, so CONSISTENT
                // and STRONG are eventual too). The rules are the kernel's, shared with
                // wasm: `pid` must be a PID.
                let eventual = is_eventual(scope).map_err(mlua::Error::runtime)?;
                with_current(|p| {
                    let r = if eventual {
                        p.node.register_eventual(&p.handle, &name, pid.as_deref())
                    } else {
                        p.node.register(&p.handle, &name, pid.as_deref())
                    };
                    match r {
                        Ok(()) => ok_true(),
                        Err(KernelError::NameTaken(_)) => {
                            nil_error(lua, ErrorKind::AlreadyExists, "name already registered")
                        }
                        Err(e @ KernelError::InvalidPid(_)) => {
                            nil_error(lua, ErrorKind::Invalid, format!("register: {e}"))
                        }
                        Err(e) => fail(lua, LuaValue::Nil, &e),
                    }
                })
            },
        )?,
    )?;
    r.set(
        "lookup",
        lua.create_function(|lua, name: String| {
            // This node's names, then the cluster's (SPEC §10).
            with_current(|p| match p.node.lookup(&name) {
                Some(pid) => Ok(MultiValue::from_iter([LuaValue::String(
                    lua.create_string(pid.to_string())?,
                )])),
                None => nil_error(lua, ErrorKind::NotFound, "name not registered"),
            })
        })?,
    )?;
    r.set(
        "unregister",
        lua.create_function(|_, (name, scope): (String, Option<i64>)| {
            let eventual = is_eventual(scope).map_err(mlua::Error::runtime)?;
            with_current(|p| {
                Ok(if eventual {
                    p.node.unregister_eventual(&name)
                } else {
                    p.node.unregister_name(&name)
                })
            })
        })?,
    )?;
    for (k, v) in [
        ("LOCAL", 0),
        ("EVENTUAL", 1),
        ("CONSISTENT", 2),
        ("STRONG", 3),
    ] {
        r.set(k, v)?;
    }
    Ok(r)
}

/// Whether a `process.registry` scope argument is a cluster-wide one: `nil`/`LOCAL` (0)
/// no, `EVENTUAL`, `CONSISTENT`, `STRONG` (1..3) yes.
///
/// Errors: any other number (raised, as a bad argument).
fn is_eventual(scope: Option<i64>) -> Result<bool, String> {
    match scope {
        None | Some(0) => Ok(false),
        Some(1..=3) => Ok(true),
        Some(n) => Err(format!(
            "registry: unknown scope {n}; expected process.registry.LOCAL, EVENTUAL, CONSISTENT or STRONG"
        )),
    }
}

/// `(value)` or `(nil, err)` for an exit result.
pub fn exit_values(lua: &Lua, r: troupe_kernel::ExitResult) -> mlua::Result<MultiValue> {
    match r {
        Ok(v) => Ok(MultiValue::from_iter([to_lua(lua, &v)?])),
        Err(e) => nil_process_error(lua, e),
    }
}
