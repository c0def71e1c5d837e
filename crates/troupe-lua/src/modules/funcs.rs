//! The `funcs` module (WIPPY-API.md §8): calling `function.*` entries (and process
//! entries with `meta.default_host`).
//!
//! - `call(id, ...)` → the target's first result, or `nil, err` (its kind kept; empty →
//!   Internal). The caller is suspended until the call ends.
//! - `async(id, ...)` → a Future, or `nil, err` when the call cannot start. Future methods
//!   never block: `:response()` / `:channel()` → the result channel (the same each call),
//!   which receives exactly one item and closes: a **Payload** on success or the **error
//!   object** on failure; `:is_complete()`; `:is_canceled()`; `:result()` → pending
//!   `nil, nil`, canceled `nil, err` (Canceled), failed `nil, err`, done `Payload, nil`;
//!   `:error()` → `err, true` (kind Internal) when failed, else `nil, false`; `:cancel()`
//!   → `true`: marks the future canceled and closes its channel; the call keeps running and
//!   its result is dropped (as Wippy).
//! - `new()` → an immutable Executor: `:with_context(t)`, `:with_actor(a)`,
//!   `:with_scope(s)`, `:with_options(t)`, then `:call` or `:async`. Options are opaque
//!   (any key is accepted) except `retry = {max_attempts, initial_delay, max_delay,
//!   backoff_factor, jitter, retry_kinds, skip_kinds}` (delays in milliseconds or duration
//!   strings; defaults 100 ms, 10 s, 2.0, 0.1) and Troupe's `timeout` (a duration: a call
//!   past it is killed and answers Timeout).
//!
//! A call runs as its own short-lived process (so it has a PID and can `process.send`)
//! inheriting the caller's actor, scope and `ctx`; the kernel cancels it if the caller
//! ends first (see `Node::call`).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use mlua::{Lua, MultiValue, Table, UserData, UserDataMethods, Value as LuaValue};
use troupe_kernel::{CallRequest, ErrorKind, ExitResult, Node, Pid, ProcessError, Value};

use crate::channel::Channel;
use crate::limits;
use crate::modules::ctx::{Overridable, Overrides, add_override_methods};
use crate::modules::errors::{LuaError, nil_error};
use crate::modules::payload::LuaPayload;
use crate::modules::process::{exit_values, nil_process_error};
use crate::modules::time::duration;
use crate::process::with_current;

/// Wippy's retry policy of an Executor (`with_options{retry = {...}}`).
#[derive(Clone, Debug)]
struct Retry {
    max_attempts: u32,
    initial: Duration,
    max: Duration,
    factor: f64,
    jitter: f64,
    retry_kinds: Option<Vec<String>>,
    skip_kinds: Vec<String>,
}

/// Most attempts a retry policy may ask for.
const MAX_ATTEMPTS: u32 = 100;

impl Retry {
    fn parse(t: &Table) -> mlua::Result<Retry> {
        let ms = |k: &str, default: Duration| -> mlua::Result<Duration> {
            match t.get::<LuaValue>(k)? {
                LuaValue::Nil => Ok(default),
                v => duration(&v).map_err(|e| mlua::Error::runtime(format!("retry.{k}: {e}"))),
            }
        };
        let kinds = |k: &str| -> mlua::Result<Option<Vec<String>>> {
            match t.get::<LuaValue>(k)? {
                LuaValue::Nil => Ok(None),
                LuaValue::Table(l) => l
                    .sequence_values::<String>()
                    .take(64)
                    .collect::<mlua::Result<Vec<_>>>()
                    .map(Some),
                other => Err(mlua::Error::runtime(format!(
                    "retry.{k}: expected a list of error kinds, got {}",
                    other.type_name()
                ))),
            }
        };
        let max_attempts = t.get::<Option<u32>>("max_attempts")?.unwrap_or(1);
        if max_attempts > MAX_ATTEMPTS {
            return Err(mlua::Error::runtime(format!(
                "retry.max_attempts: at most {MAX_ATTEMPTS}"
            )));
        }
        let factor = t.get::<Option<f64>>("backoff_factor")?.unwrap_or(2.0);
        let jitter = t.get::<Option<f64>>("jitter")?.unwrap_or(0.1);
        if !(factor.is_finite() && factor >= 1.0 && (0.0..=1.0).contains(&jitter)) {
            return Err(mlua::Error::runtime(
                "retry: backoff_factor must be >= 1 and jitter between 0 and 1",
            ));
        }
        Ok(Retry {
            max_attempts: max_attempts.max(1),
            initial: ms("initial_delay", Duration::from_millis(100))?,
            max: ms("max_delay", Duration::from_secs(10))?,
            factor,
            jitter,
            retry_kinds: kinds("retry_kinds")?,
            skip_kinds: kinds("skip_kinds")?.unwrap_or_default(),
        })
    }

    /// Whether an attempt that failed with `e` is tried again.
    fn wants(&self, e: &ProcessError) -> bool {
        let k = e.kind.as_str();
        if self.skip_kinds.iter().any(|s| s == k) || e.retryable == Some(false) {
            return false;
        }
        match &self.retry_kinds {
            Some(list) => list.iter().any(|s| s == k),
            None => true,
        }
    }

    /// The wait before attempt `n` (1 = the first retry).
    fn delay(&self, n: u32) -> Duration {
        let base = self.initial.as_secs_f64() * self.factor.powi(n.saturating_sub(1) as i32);
        let base = base.min(self.max.as_secs_f64());
        // Deterministic spread from the clock's low bits: no RNG needed for jitter.
        let spread = (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
            % 1000) as f64
            / 1000.0;
        Duration::from_secs_f64((base * (1.0 + self.jitter * (2.0 * spread - 1.0))).max(0.0))
    }
}

/// `funcs.new()`: overrides plus call options.
#[derive(Clone, Default)]
pub struct Caller {
    overrides: Overrides,
    timeout: Option<Duration>,
    retry: Option<Retry>,
}

impl Caller {
    /// `with_options(t)`: Wippy's options are opaque; `retry` and Troupe's `timeout` are
    /// read, any other key is accepted and ignored.
    ///
    /// Errors: a bad `timeout` or `retry`.
    fn with_options(&self, t: &Table) -> mlua::Result<Caller> {
        let mut next = self.clone();
        match t.get::<LuaValue>("timeout")? {
            LuaValue::Nil => {}
            v => next.timeout = Some(duration(&v)?),
        }
        match t.get::<LuaValue>("retry")? {
            LuaValue::Nil => {}
            LuaValue::Table(r) => next.retry = Some(Retry::parse(&r)?),
            other => {
                return Err(mlua::Error::runtime(format!(
                    "with_options: retry must be a table, got {}",
                    other.type_name()
                )));
            }
        }
        Ok(next)
    }

    /// The call request, its arguments deep-copied as one copy (SPEC §3.2).
    ///
    /// Errors: a bad ID is the inner `Err` (Invalid), as is a refused copy.
    fn request(
        &self,
        id: String,
        args: MultiValue,
    ) -> mlua::Result<Result<Prepared, ProcessError>> {
        if let Err(e) = check_id(&id) {
            return Ok(Err(e));
        }
        let args: Vec<Value> = match limits::copy_all(args.iter()) {
            Ok(a) => a,
            Err(e) => return Ok(Err(e.into())),
        };
        with_current(|p| {
            Ok(Ok(Prepared {
                node: p.node.clone(),
                caller: p.handle.clone(),
                req: CallRequest {
                    function: id,
                    args,
                    actor: self.overrides.actor.clone(),
                    scope: self.overrides.scope.clone(),
                    context: self.overrides.child_context(&p.handle),
                },
                timeout: self.timeout,
                retry: self.retry.clone(),
            }))
        })
    }

    async fn call(&self, lua: Lua, id: String, args: MultiValue) -> mlua::Result<MultiValue> {
        let prepared = match self.request(id, args)? {
            Err(e) => return nil_process_error(&lua, e),
            Ok(p) => p,
        };
        match prepared.start() {
            Err(e) => nil_process_error(&lua, e),
            Ok(s) => {
                let r = prepared.finish(s).await;
                exit_values(&lua, r.map_err(ProcessError::at_boundary))
            }
        }
    }

    fn spawn_future(&self, lua: &Lua, id: String, args: MultiValue) -> mlua::Result<MultiValue> {
        let prepared = match self.request(id, args)? {
            Err(e) => return nil_process_error(lua, e),
            Ok(p) => p,
        };
        let started = match prepared.start() {
            Err(e) => return nil_process_error(lua, e),
            Ok(s) => s,
        };
        let state = Rc::new(FutureState {
            result: RefCell::new(None),
            canceled: Cell::new(false),
            channel: Channel::new(1, true),
            held: RefCell::new(None),
        });
        let weak = lua.weak();
        let st = state.clone();
        // The result lands while the caller is not running: charged to it explicitly.
        let counter = with_current(|p| Ok(p.held.clone()))?;
        tokio::task::spawn_local(async move {
            let r = prepared
                .finish(started)
                .await
                .map_err(ProcessError::at_boundary);
            if st.canceled.get() {
                return;
            }
            // Kept twice while unread: the result and the channel's Payload of it.
            let bytes = match &r {
                Ok(v) => troupe_kernel::copy::footprint(v),
                Err(e) => e.message.len() as u64,
            };
            *st.held.borrow_mut() = Some(crate::process::Held::new(
                &counter,
                usize::try_from(bytes.saturating_mul(2)).unwrap_or(usize::MAX),
            ));
            if let Some(lua) = weak.try_upgrade() {
                let item = match &r {
                    Ok(v) => crate::modules::payload::new_value(&lua, LuaPayload::of(v.clone())),
                    Err(e) => lua
                        .create_userdata(LuaError::new(e.clone()))
                        .map(LuaValue::UserData),
                };
                if let Ok(item) = item {
                    st.channel.push(item);
                }
            }
            st.channel.close();
            *st.result.borrow_mut() = Some(r);
        });
        Ok(MultiValue::from_iter([LuaValue::UserData(
            lua.create_userdata(LuaFuture(state))?,
        )]))
    }
}

/// `ns:name` with both parts non-empty.
fn check_id(id: &str) -> Result<(), ProcessError> {
    match id.split_once(':') {
        Some((ns, name)) if !ns.is_empty() && !name.is_empty() => Ok(()),
        _ => Err(ProcessError::new(
            ErrorKind::Invalid,
            format!("invalid function ID {id:?}: expected \"namespace:name\""),
        )),
    }
}

/// A call ready to start (again, when it is retried).
struct Prepared {
    node: Node,
    caller: troupe_kernel::ProcessRef,
    req: CallRequest,
    timeout: Option<Duration>,
    retry: Option<Retry>,
}

impl Prepared {
    fn start(&self) -> Result<Started, ProcessError> {
        self.node
            .call(&self.caller, self.req.clone())
            .map(|(pid, rx)| Started { pid, rx })
            .map_err(ProcessError::from)
    }

    /// Wait for the result of `first`; past the timeout, kill the call and answer
    /// Timeout; retry as the policy says.
    async fn finish(&self, first: Started) -> ExitResult {
        let mut r = self.wait(first).await;
        let Some(retry) = &self.retry else {
            return r;
        };
        let mut attempt = 1;
        while let Err(e) = &r {
            if attempt >= retry.max_attempts
                || !retry.wants(e)
                || self.caller.kill_reason().is_some()
            {
                break;
            }
            tokio::time::sleep(retry.delay(attempt)).await;
            attempt += 1;
            r = match self.start() {
                Ok(s) => self.wait(s).await,
                Err(e) => Err(e),
            };
        }
        r
    }

    async fn wait(&self, s: Started) -> ExitResult {
        // A lost exit (node shutdown) is an error (`ExitWatch`).
        let Some(limit) = self.timeout else {
            return s.rx.await;
        };
        match tokio::time::timeout(limit, s.rx).await {
            Ok(r) => r,
            Err(_) => {
                let e = ProcessError::new(
                    ErrorKind::Timeout,
                    format!("function call {} timed out after {limit:?}", s.pid),
                );
                self.node.kill(&s.pid, e.clone());
                Err(e)
            }
        }
    }
}

/// A call in flight.
struct Started {
    pid: Pid,
    rx: troupe_kernel::ExitWatch,
}

/// What a Future and the task waiting for its call share.
struct FutureState {
    result: RefCell<Option<ExitResult>>,
    canceled: Cell<bool>,
    channel: Channel,
    /// The caller's charge for the result it holds (SPEC §3.6 `max_memory`).
    held: RefCell<Option<crate::process::Held>>,
}

/// The Future `funcs.async` returns.
pub struct LuaFuture(Rc<FutureState>);

impl UserData for LuaFuture {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("response", |_, f, ()| Ok(f.0.channel.clone()));
        m.add_method("channel", |_, f, ()| Ok(f.0.channel.clone()));
        m.add_method("is_complete", |_, f, ()| Ok(f.0.result.borrow().is_some()));
        m.add_method("is_canceled", |_, f, ()| Ok(f.0.canceled.get()));
        m.add_method("error", |lua, f, ()| match &*f.0.result.borrow() {
            Some(Err(e)) if !f.0.canceled.get() => {
                let mut e = e.clone();
                e.kind = ErrorKind::Internal;
                Ok((
                    LuaValue::UserData(lua.create_userdata(LuaError::new(e))?),
                    true,
                ))
            }
            _ => Ok((LuaValue::Nil, false)),
        });
        m.add_method("cancel", |_, f, ()| {
            f.0.canceled.set(true);
            f.0.channel.close();
            Ok(true)
        });
        m.add_method("result", |lua, f, ()| {
            if f.0.canceled.get() {
                return nil_error(lua, ErrorKind::Canceled, "the call was canceled");
            }
            match &*f.0.result.borrow() {
                None => Ok(MultiValue::from_iter([LuaValue::Nil, LuaValue::Nil])),
                Some(Err(e)) => nil_process_error(lua, e.clone()),
                Some(Ok(v)) => Ok(MultiValue::from_iter([
                    crate::modules::payload::new_value(lua, LuaPayload::of(v.clone()))?,
                    LuaValue::Nil,
                ])),
            }
        });
    }
}

impl Overridable for Caller {
    fn overrides_mut(&mut self) -> &mut Overrides {
        &mut self.overrides
    }
}

impl UserData for Caller {
    fn add_fields<F: mlua::UserDataFields<Self>>(f: &mut F) {
        // `call` blocks: a Lua function (see `crate::block`), found after the Rust methods.
        f.add_meta_field_with("__index", |lua| {
            let t = lua.create_table()?;
            let call = crate::block::function(
                lua,
                |lua, (c, id, args): (mlua::UserDataRef<Caller>, String, MultiValue)| {
                    let c = c.clone();
                    async move { c.call(lua, id, args).await }
                },
            )?;
            t.raw_set("call", call)?;
            Ok(t)
        });
    }

    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        add_override_methods(m);
        m.add_method("with_options", |_, c, t: Table| c.with_options(&t));
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
        crate::block::function(lua, |lua, (id, args): (String, MultiValue)| async move {
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
