//! The `security` module (SPEC §5, §7): the current process's actor and scope, access
//! checks, and policy/scope values for code that builds contexts.
//!
//! - `actor()` → `{id=, meta={...}}` or nil (the same shape as `msg:actor()`);
//! - `scope()` → a scope object or nil; `scope:policies()` → policy IDs,
//!   `scope:with(p)` / `scope:without(id)` → a new scope, `scope:contains(id)`;
//! - `can(action, resource [, meta])` → boolean, by the rule the kernel checks with
//!   (deny wins, else allow, else denied; strict mode without actor or scope);
//! - `new_actor(id [, meta])` → an actor table; `new_scope([policies])` → a scope from
//!   policy objects or IDs; `policy(id)` → a policy object (`:id()`, `:groups()`,
//!   `:effect()`) or `nil, err`; `named_scope(group)` → the policies of a group.

use std::sync::Arc;

use mlua::{Lua, MultiValue, Table, Value as LuaValue};
use troupe_kernel::ErrorKind;
use troupe_kernel::security::{Actor, Policy, Scope};

use crate::modules::errors::nil_error;
use crate::process::with_current;

/// A scope in Lua.
#[derive(Clone)]
pub struct LuaScope(pub Arc<Scope>);

/// A policy in Lua.
#[derive(Clone)]
pub struct LuaPolicy(pub Arc<Policy>);

/// The Lua table of an actor: `{id=, meta=}`.
///
/// Errors: Lua memory errors.
pub fn actor_table(lua: &Lua, a: &Actor) -> mlua::Result<LuaValue> {
    let t = lua.create_table()?;
    t.set("id", a.id.clone())?;
    t.set("meta", crate::convert::json_object(lua, &a.meta)?)?;
    Ok(LuaValue::Table(t))
}

/// An actor from a Lua table `{id=, meta=}`.
///
/// Errors: no string `id`, or a `meta` that is not a table of plain values.
pub fn actor_from(_lua: &Lua, v: &LuaValue) -> mlua::Result<Actor> {
    let LuaValue::Table(t) = v else {
        return Err(mlua::Error::runtime(
            "expected an actor table {id=..., meta={...}}",
        ));
    };
    let id: String = t
        .get::<Option<String>>("id")?
        .ok_or_else(|| mlua::Error::runtime("an actor needs a string `id`"))?;
    let meta = match t.get::<LuaValue>("meta")? {
        LuaValue::Nil => Default::default(),
        m => match crate::convert::to_json(&m)? {
            serde_json::Value::Object(o) => o,
            _ => return Err(mlua::Error::runtime("an actor's `meta` must be a table")),
        },
    };
    Ok(Actor { id, meta })
}

impl mlua::UserData for LuaScope {
    fn add_methods<M: mlua::UserDataMethods<Self>>(m: &mut M) {
        m.add_method("policies", |_, s, ()| {
            Ok(s.0
                .policies
                .iter()
                .map(|p| p.id.clone())
                .collect::<Vec<_>>())
        });
        m.add_method("contains", |_, s, id: String| {
            Ok(s.0.policies.iter().any(|p| p.id == id))
        });
        m.add_method("with", |_, s, p: mlua::UserDataRef<LuaPolicy>| {
            let mut policies = s.0.policies.clone();
            if !policies.iter().any(|q| q.id == p.0.id) {
                policies.push(p.0.clone());
            }
            Ok(LuaScope(Arc::new(Scope::new(policies))))
        });
        m.add_method("without", |_, s, id: String| {
            let policies =
                s.0.policies
                    .iter()
                    .filter(|p| p.id != id)
                    .cloned()
                    .collect();
            Ok(LuaScope(Arc::new(Scope::new(policies))))
        });
    }
}

impl mlua::UserData for LuaPolicy {
    fn add_methods<M: mlua::UserDataMethods<Self>>(m: &mut M) {
        m.add_method("id", |_, p, ()| Ok(p.0.id.clone()));
        m.add_method("groups", |_, p, ()| Ok(p.0.groups.clone()));
        m.add_method("effect", |_, p, ()| {
            Ok(if p.0.allow { "allow" } else { "deny" })
        });
    }
}

/// Build the module table.
///
/// Errors: Lua memory errors.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "actor",
        lua.create_function(|lua, ()| {
            with_current(|p| match &p.handle.actor {
                Some(a) => actor_table(lua, a),
                None => Ok(LuaValue::Nil),
            })
        })?,
    )?;
    t.set(
        "scope",
        lua.create_function(|_, ()| with_current(|p| Ok(p.handle.scope.clone().map(LuaScope))))?,
    )?;
    t.set(
        "can",
        lua.create_function(|_, (action, resource, meta): (String, String, LuaValue)| {
            let meta = match meta {
                LuaValue::Nil => None,
                m => match crate::convert::to_json(&m)? {
                    serde_json::Value::Object(o) => Some(o),
                    _ => return Err(mlua::Error::runtime("can: `meta` must be a table")),
                },
            };
            with_current(|p| Ok(p.node.can(&p.handle, &action, &resource, meta.as_ref())))
        })?,
    )?;
    t.set(
        "new_actor",
        lua.create_function(|lua, (id, meta): (String, LuaValue)| {
            let t = lua.create_table()?;
            t.set("id", id)?;
            t.set(
                "meta",
                if meta.is_nil() {
                    LuaValue::Table(lua.create_table()?)
                } else {
                    meta
                },
            )?;
            actor_from(lua, &LuaValue::Table(t.clone()))?;
            Ok(t)
        })?,
    )?;
    t.set(
        "new_scope",
        lua.create_function(|lua, list: Option<Table>| {
            let mut policies: Vec<Arc<Policy>> = Vec::new();
            for v in list.iter().flat_map(|l| l.sequence_values::<LuaValue>()) {
                let p = match v? {
                    LuaValue::UserData(u) => u.borrow::<LuaPolicy>()?.0.clone(),
                    LuaValue::String(id) => {
                        let id = id.to_str()?.to_string();
                        match with_current(|p| {
                            Ok(p.node.policies().iter().find(|q| q.id == id).cloned())
                        })? {
                            Some(p) => p,
                            None => {
                                return nil_error(
                                    lua,
                                    ErrorKind::NotFound,
                                    format!("policy {id} not found"),
                                );
                            }
                        }
                    }
                    _ => {
                        return Err(mlua::Error::runtime(
                            "new_scope: expected policies or policy IDs",
                        ));
                    }
                };
                if !policies.iter().any(|q| q.id == p.id) {
                    policies.push(p);
                }
            }
            let scope = lua.create_userdata(LuaScope(Arc::new(Scope::new(policies))))?;
            Ok(MultiValue::from_iter([LuaValue::UserData(scope)]))
        })?,
    )?;
    t.set(
        "policy",
        lua.create_function(|lua, id: String| {
            let found =
                with_current(|p| Ok(p.node.policies().iter().find(|q| q.id == id).cloned()))?;
            match found {
                Some(p) => Ok(MultiValue::from_iter([LuaValue::UserData(
                    lua.create_userdata(LuaPolicy(p))?,
                )])),
                None => nil_error(lua, ErrorKind::NotFound, format!("policy {id} not found")),
            }
        })?,
    )?;
    t.set(
        "named_scope",
        lua.create_function(|_, group: String| {
            with_current(|p| {
                let scope = Scope::group(p.node.policies(), &group);
                Ok(LuaScope(Arc::new(scope)))
            })
        })?,
    )?;
    Ok(t)
}
