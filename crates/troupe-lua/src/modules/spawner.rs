//! The spawner builder (SPEC §5): `process.with_context(t)` and `process.with_options(t)`
//! return a spawner; `:with_context(t)`, `:with_options(t)`, `:with_actor(a)`,
//! `:with_scope(s)`, `:with_name(n)` and `:with_message(topic, ...)` each return a new
//! spawner (the receiver is never changed); `:spawn`, `:spawn_linked`,
//! `:spawn_monitored`, `:spawn_linked_monitored` (→ `pid` or `nil, err`) and `:exec`
//! (→ the result) take the same arguments as the `process` functions.
//!
//! - `with_actor`/`with_scope` need permission `process.security` on the entry.
//! - `with_name(n)`: the child is registered under `n` before it runs. If a live process
//!   holds `n`, nothing is spawned: the `with_message` messages go to it and its PID is
//!   returned (spawn-or-signal, as a "get or start" of a named worker).
//! - `with_message(topic, ...)`: queued before the child runs, so it is the first thing
//!   it receives (in order, from the spawner).
//! - `with_options(t)`: host options are opaque (as Wippy: any key is accepted and kept
//!   out of the child); Troupe reads `trap_links` (the child starts with it set). Keys
//!   must be strings.

use mlua::{Lua, MultiValue, Table, UserData, UserDataMethods, Value as LuaValue};
use troupe_kernel::{ProcessError, SpawnOptions, SpawnRequest, Value};

use crate::convert::copy_error;
use crate::limits;
use crate::modules::ctx::{Overridable, Overrides, add_override_methods};
use crate::modules::process::{exit_values, fail, nil_process_error, spawn_request, spawn_values};
use crate::process::with_current;

/// An immutable spawner.
#[derive(Clone, Default)]
pub struct Spawner {
    overrides: Overrides,
    name: Option<String>,
    messages: Vec<(String, Value)>,
    trap_links: bool,
}

impl Spawner {
    /// `with_options(t)`: opaque host options; `trap_links` is read.
    ///
    /// Errors: a non-string key or a non-boolean `trap_links` (raised).
    pub fn with_options(&self, t: &Table) -> mlua::Result<Spawner> {
        let mut next = self.clone();
        for pair in t.pairs::<LuaValue, LuaValue>() {
            let (k, v) = pair?;
            let LuaValue::String(k) = k else {
                return Err(mlua::Error::runtime(format!(
                    "with_options: option keys must be strings, got {}",
                    k.type_name()
                )));
            };
            match (&*k.as_bytes(), v) {
                (b"trap_links", LuaValue::Boolean(b)) => next.trap_links = b,
                (b"trap_links", _) => {
                    return Err(mlua::Error::runtime(
                        "with_options: trap_links must be a boolean",
                    ));
                }
                _ => {}
            }
        }
        Ok(next)
    }

    fn request(
        &self,
        args: MultiValue,
        link: bool,
        monitor: bool,
    ) -> mlua::Result<Result<SpawnRequest, ProcessError>> {
        let mut req = match spawn_request(args, link, monitor)? {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
        req.actor = self.overrides.actor.clone();
        req.scope = self.overrides.scope.clone();
        req.context = with_current(|p| Ok(self.overrides.child_context(&p.handle)))?;
        req.name = self.name.clone();
        req.messages = self.messages.clone();
        req.trap_links = self.trap_links;
        Ok(Ok(req))
    }

    fn spawn(
        &self,
        lua: &Lua,
        args: MultiValue,
        link: bool,
        monitor: bool,
    ) -> mlua::Result<MultiValue> {
        let req = match self.request(args, link, monitor)? {
            Ok(r) => r,
            Err(e) => return nil_process_error(lua, e),
        };
        // As Wippy: a spawner's permission denials raise; other failures are `nil, err`.
        spawn_values(lua, req, true)
    }
}

impl Overridable for Spawner {
    fn overrides_mut(&mut self) -> &mut Overrides {
        &mut self.overrides
    }
}

impl UserData for Spawner {
    fn add_fields<F: mlua::UserDataFields<Self>>(f: &mut F) {
        // `exec` blocks: a Lua function (see `crate::block`), found after the Rust methods.
        f.add_meta_field_with("__index", |lua| {
            let t = lua.create_table()?;
            let exec = crate::block::function(
                lua,
                |lua, (s, args): (mlua::UserDataRef<Spawner>, MultiValue)| {
                    let s = s.clone();
                    async move { s.exec(lua, args).await }
                },
            )?;
            t.raw_set("exec", exec)?;
            // The spawn methods block when the host is another node's (SPEC §10).
            for (name, link, monitor) in [
                ("spawn", false, false),
                ("spawn_linked", true, false),
                ("spawn_monitored", false, true),
                ("spawn_linked_monitored", true, true),
            ] {
                let raw = lua.create_function(
                    move |lua, (s, args): (mlua::UserDataRef<Spawner>, MultiValue)| {
                        s.spawn(lua, args, link, monitor)
                    },
                )?;
                t.raw_set(name, crate::block::wrap(lua, raw)?)?;
            }
            Ok(t)
        });
    }

    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        add_override_methods(m);
        m.add_method("with_options", |_, s, t: Table| s.with_options(&t));
        m.add_method("with_name", |_, s, name: String| {
            Ok(Spawner {
                name: Some(name),
                ..s.clone()
            })
        });
        m.add_method(
            "with_message",
            |_, s, (topic, payload): (String, MultiValue)| {
                if topic.starts_with('@') {
                    return Err(mlua::Error::runtime(format!(
                        "with_message: invalid topic {topic:?}: topics must not start with '@'"
                    )));
                }
                // A builder raises on bad input (as for its other arguments).
                let payload: Value = limits::copy_payload(&payload).map_err(copy_error)?;
                let mut next = s.clone();
                next.messages.push((topic, payload));
                Ok(next)
            },
        );
    }
}

impl Spawner {
    /// `spawner:exec(id, host, ...)`: spawn and wait for the exit (`process.exec`).
    async fn exec(&self, lua: Lua, args: MultiValue) -> mlua::Result<MultiValue> {
        let req = match self.request(args, false, false)? {
            Ok(r) => r,
            Err(e) => return nil_process_error(&lua, e),
        };
        let opts = SpawnOptions {
            watch: true,
            ready: false,
        };
        let spawned = with_current(|p| Ok(p.node.spawn_with(Some(&p.handle), req, opts)))?;
        match spawned {
            Err(e) => fail(&lua, LuaValue::Nil, &e),
            Ok(s) => match s.exit {
                None => Ok(MultiValue::new()),
                Some(rx) => exit_values(&lua, rx.await),
            },
        }
    }
}

/// Install `process.with_context` and `process.with_options` on the `process` table.
pub fn install(lua: &Lua, process: &Table) -> mlua::Result<()> {
    process.set(
        "with_context",
        lua.create_function(|_, t: Table| {
            let mut s = Spawner::default();
            s.overrides = s.overrides.with_context(&t)?;
            Ok(s)
        })?,
    )?;
    process.set(
        "with_options",
        lua.create_function(|_, t: Table| Spawner::default().with_options(&t))?,
    )?;
    Ok(())
}
