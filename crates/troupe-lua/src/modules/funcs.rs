//! The `funcs` module (SPEC §5): calling `function.*` entries.
//!
//! - `call(id, ...)` → `value, err`: the caller is suspended until the function returns.
//! - `async(id, ...)` → a future (or `nil, err` when the call cannot start):
//!   `:response()` → a channel that receives the result value once, or is closed without
//!   a value when the call fails (then `:error()` says why); `:is_complete()`;
//!   `:result()` → `value, err`, waiting for completion if needed; `:error()` → the error
//!   or nil (does not wait); `:cancel()` → kills the call with `CANCELED`, true if it was
//!   still running.
//! - `new()` → an immutable builder: `:with_context(t)`, `:with_actor(a)`,
//!   `:with_scope(s)`, `:with_options{timeout=}` (a duration as in `time`), then `:call`
//!   or `:async`. A call past its timeout is killed and answers `TIMEOUT`.
//!
//! A call runs as its own short-lived process (so it has a PID and can `process.send`)
//! inheriting the caller's actor, scope and `ctx`; the kernel cancels it if the caller
//! ends first (see `Node::call`).

use std::time::Duration;

use mlua::{Lua, MultiValue, Table, UserData, UserDataMethods, Value as LuaValue};
use tokio::sync::{oneshot, watch};
use troupe_kernel::{
    CallRequest, ErrorKind, ExitResult, KernelError, Node, Pid, ProcessError, Value,
};

use crate::channel::Channel;
use crate::convert::to_lua;
use crate::limits;
use crate::modules::ctx::{Overridable, Overrides, add_override_methods};
use crate::modules::errors::LuaError;
use crate::modules::process::{exit_values, nil_process_error};
use crate::modules::time::duration;
use crate::process::with_current;

/// `funcs.new()`: overrides plus call options.
#[derive(Clone, Default)]
pub struct Caller {
    overrides: Overrides,
    timeout: Option<Duration>,
}

impl Caller {
    /// `with_options{timeout=}`.
    ///
    /// Errors: an unknown option or a bad duration.
    fn with_options(&self, t: &Table) -> mlua::Result<Caller> {
        let mut next = self.clone();
        for pair in t.pairs::<String, LuaValue>() {
            let (k, v) = pair?;
            match k.as_str() {
                "timeout" => next.timeout = Some(duration(&v)?),
                other => {
                    return Err(mlua::Error::runtime(format!(
                        "with_options: unknown option {other:?}; expected timeout"
                    )));
                }
            }
        }
        Ok(next)
    }

    /// Start the call: the function's PID and the receiver of its result.
    /// The arguments are deep-copied as one copy (SPEC §3.2); a refused copy or a kernel
    /// failure is the inner `Err`.
    fn start(&self, id: String, args: MultiValue) -> mlua::Result<Result<Started, ProcessError>> {
        let args: Vec<Value> = match limits::copy_all(args.iter()) {
            Ok(a) => a,
            Err(e) => return Ok(Err(e.into())),
        };
        with_current(|p| {
            let req = CallRequest {
                function: id,
                args,
                actor: self.overrides.actor.clone(),
                scope: self.overrides.scope.clone(),
                context: self.overrides.child_context(&p.handle),
            };
            Ok(p.node
                .call(&p.handle, req)
                .map(|(pid, rx)| Started {
                    node: p.node.clone(),
                    pid,
                    rx,
                    timeout: self.timeout,
                })
                .map_err(ProcessError::from))
        })
    }

    async fn call(&self, lua: Lua, id: String, args: MultiValue) -> mlua::Result<MultiValue> {
        match self.start(id, args)? {
            Err(e) => nil_process_error(&lua, e),
            Ok(s) => exit_values(&lua, s.finish().await),
        }
    }

    fn spawn_future(&self, lua: &Lua, id: String, args: MultiValue) -> mlua::Result<MultiValue> {
        let started = match self.start(id, args)? {
            Err(e) => return nil_process_error(lua, e),
            Ok(s) => s,
        };
        let (tx, rx) = watch::channel(None);
        let channel = Channel::new(1, true);
        let future = LuaFuture {
            node: started.node.clone(),
            pid: started.pid.clone(),
            result: rx,
            channel: channel.clone(),
        };
        let weak = lua.weak();
        tokio::task::spawn_local(async move {
            let r = started.finish().await;
            if let Ok(v) = &r
                && let Some(lua) = weak.try_upgrade()
                && let Ok(v) = to_lua(&lua, v)
            {
                channel.push(v);
            }
            channel.close();
            let _ = tx.send(Some(r));
        });
        Ok(MultiValue::from_iter([LuaValue::UserData(
            lua.create_userdata(future)?,
        )]))
    }
}

/// A call in flight.
struct Started {
    node: Node,
    pid: Pid,
    rx: oneshot::Receiver<ExitResult>,
    timeout: Option<Duration>,
}

impl Started {
    /// Wait for the result; past the timeout, kill the call and answer `TIMEOUT`.
    async fn finish(self) -> ExitResult {
        let Some(limit) = self.timeout else {
            return self.rx.await.unwrap_or(Ok(Value::Nil));
        };
        match tokio::time::timeout(limit, self.rx).await {
            Ok(r) => r.unwrap_or(Ok(Value::Nil)),
            Err(_) => {
                let e = ProcessError::new(
                    ErrorKind::Timeout,
                    format!("function call {} timed out after {limit:?}", self.pid),
                );
                self.node.kill(&self.pid, e.clone());
                Err(e)
            }
        }
    }
}

/// The future `funcs.async` returns.
pub struct LuaFuture {
    node: Node,
    pid: Pid,
    result: watch::Receiver<Option<ExitResult>>,
    channel: Channel,
}

impl UserData for LuaFuture {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("response", |_, f, ()| Ok(f.channel.clone()));
        m.add_method("is_complete", |_, f, ()| Ok(f.result.borrow().is_some()));
        m.add_method("error", |lua, f, ()| match &*f.result.borrow() {
            Some(Err(e)) => Ok(LuaValue::UserData(
                lua.create_userdata(LuaError::new(e.clone()))?,
            )),
            _ => Ok(LuaValue::Nil),
        });
        m.add_method("cancel", |_, f, ()| {
            if f.result.borrow().is_some() {
                return Ok(false);
            }
            Ok(f.node.kill(
                &f.pid,
                ProcessError::new(ErrorKind::Canceled, "function call canceled"),
            ))
        });
        m.add_async_method("result", |lua, f, ()| async move {
            let mut rx = f.result.clone();
            let r = match rx.wait_for(|r| r.is_some()).await {
                Ok(r) => r.clone().unwrap_or(Ok(Value::Nil)),
                Err(_) => Err(KernelError::ShuttingDown.into()),
            };
            exit_values(&lua, r)
        });
    }
}

impl Overridable for Caller {
    fn overrides_mut(&mut self) -> &mut Overrides {
        &mut self.overrides
    }
}

impl UserData for Caller {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        add_override_methods(m);
        m.add_method("with_options", |_, c, t: Table| c.with_options(&t));
        m.add_async_method(
            "call",
            |lua, c, (id, args): (String, MultiValue)| async move { c.call(lua, id, args).await },
        );
        m.add_method("async", |lua, c, (id, args): (String, MultiValue)| {
            c.spawn_future(lua, id, args)
        });
    }
}

/// Build the module table.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "call",
        lua.create_async_function(|lua, (id, args): (String, MultiValue)| async move {
            Caller::default().call(lua, id, args).await
        })?,
    )?;
    t.set(
        "async",
        lua.create_function(|lua, (id, args): (String, MultiValue)| {
            Caller::default().spawn_future(lua, id, args)
        })?,
    )?;
    t.set("new", lua.create_function(|_, ()| Ok(Caller::default()))?)?;
    Ok(t)
}
