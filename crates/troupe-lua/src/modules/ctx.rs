//! The `ctx` module (SPEC §5): `get(key)` → `value, err` and `all()` → table, over the
//! key/values the caller attached with `with_context{...}` on a spawner or on
//! `funcs.new()`. They are inherited like the security context: a spawned process or a
//! called function sees its parent's values, overlaid with what the parent added.
//!
//! Also [`Overrides`], the part of the spawner and `funcs.new()` builders that replaces
//! what a child inherits (context, actor, scope).

use std::sync::Arc;

use mlua::{Lua, MultiValue, Table, Value as LuaValue};
use troupe_kernel::security::{Actor, Scope};
use troupe_kernel::{ContextMap, ErrorKind, ProcessRef, merge_context};

use crate::convert::{copy_error, to_lua};
use crate::limits;
use crate::modules::errors::nil_error;
use crate::modules::security::{LuaScope, actor_from};
use crate::process::with_current;

/// What a builder replaces in the inherited context. Immutable in use: each `with_*`
/// clones it (SPEC §5: "each call returns a new spawner").
#[derive(Clone, Default)]
pub struct Overrides {
    /// Keys added with `with_context` (merged over the parent's at spawn/call time).
    pub context: Option<Arc<ContextMap>>,
    pub actor: Option<Arc<Actor>>,
    pub scope: Option<Arc<Scope>>,
}

impl Overrides {
    /// `with_context(t)`: add `t`'s string keys (later calls win per key).
    ///
    /// Errors: a key that is not a string; a value the bounded copy refuses (cycle,
    /// depth, `max_message` for all the values together; an `INVALID` error).
    pub fn with_context(&self, t: &Table) -> mlua::Result<Overrides> {
        let mut keys = Vec::new();
        let mut values = Vec::new();
        for pair in t.pairs::<LuaValue, LuaValue>() {
            let (k, v) = pair?;
            let LuaValue::String(k) = k else {
                return Err(mlua::Error::runtime(format!(
                    "with_context: keys must be strings, got a {}",
                    k.type_name()
                )));
            };
            keys.push(k.to_str()?.to_string());
            values.push(v);
        }
        let values = limits::copy_all(values.iter()).map_err(copy_error)?;
        let add: ContextMap = keys.into_iter().zip(values).collect();
        let mut next = self.clone();
        next.context = Some(merge_context(self.context.as_ref(), &add));
        Ok(next)
    }

    /// `with_actor(a)`: run as the actor table `{id=, meta=}` (see
    /// `security.new_actor`).
    ///
    /// Errors: not an actor table.
    pub fn with_actor(&self, lua: &Lua, a: &LuaValue) -> mlua::Result<Overrides> {
        let mut next = self.clone();
        next.actor = Some(Arc::new(actor_from(lua, a)?));
        Ok(next)
    }

    /// `with_scope(s)`: run under the scope object `s` (see `security.new_scope`).
    ///
    /// Errors: not a scope object.
    pub fn with_scope(&self, s: &LuaValue) -> mlua::Result<Overrides> {
        let scope = match s {
            LuaValue::UserData(u) => u.borrow::<LuaScope>().map(|s| s.0.clone()).ok(),
            _ => None,
        }
        .ok_or_else(|| {
            mlua::Error::runtime("with_scope: expected a scope (security.new_scope/named_scope)")
        })?;
        let mut next = self.clone();
        next.scope = Some(scope);
        Ok(next)
    }

    /// The context the child gets: the caller's own overlaid with the added keys, or
    /// `None` (inherit as is) when nothing was added.
    pub fn child_context(&self, caller: &ProcessRef) -> Option<Arc<ContextMap>> {
        self.context
            .as_ref()
            .map(|add| merge_context(caller.context.as_ref(), add))
    }
}

/// A builder that carries [`Overrides`] (the spawner, `funcs.new()`).
pub trait Overridable: Clone + mlua::UserData + 'static {
    fn overrides_mut(&mut self) -> &mut Overrides;
}

/// The `with_context(t)`, `with_actor(a)` and `with_scope(s)` methods of a builder: each
/// returns a changed copy, never the receiver changed (SPEC §5).
pub fn add_override_methods<T: Overridable, M: mlua::UserDataMethods<T>>(m: &mut M) {
    fn derive<T: Overridable>(
        b: &T,
        f: impl FnOnce(&Overrides) -> mlua::Result<Overrides>,
    ) -> mlua::Result<T> {
        let mut next = b.clone();
        let o = f(next.overrides_mut())?;
        *next.overrides_mut() = o;
        Ok(next)
    }
    m.add_method("with_context", |_, b, t: Table| {
        derive(b, |o| o.with_context(&t))
    });
    m.add_method("with_actor", |lua, b, a: LuaValue| {
        derive(b, |o| o.with_actor(lua, &a))
    });
    m.add_method("with_scope", |_, b, s: LuaValue| {
        derive(b, |o| o.with_scope(&s))
    });
}

/// Build the module table.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "get",
        lua.create_function(|lua, key: String| {
            if key.is_empty() {
                return nil_error(
                    lua,
                    ErrorKind::Invalid,
                    "ctx.get: the key must not be empty",
                );
            }
            let v =
                with_current(|p| Ok(p.handle.context.as_ref().and_then(|c| c.get(&key).cloned())))?;
            match v {
                Some(v) => Ok(MultiValue::from_iter([to_lua(lua, &v)?])),
                None => nil_error(lua, ErrorKind::NotFound, format!("key not found: {key}")),
            }
        })?,
    )?;
    t.set(
        "all",
        lua.create_function(|lua, ()| {
            with_current(|p| {
                let t = lua.create_table()?;
                for (k, v) in p.handle.context.iter().flat_map(|c| c.iter()) {
                    t.set(k.as_str(), to_lua(lua, v)?)?;
                }
                Ok(t)
            })
        })?,
    )?;
    Ok(t)
}
