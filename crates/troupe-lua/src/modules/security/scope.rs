//! Scope and Policy objects of the `security` module (WIPPY-API.md §9).
//!
//! - Policy: `:id()` → `"ns:name"`; `:evaluate(actor, action, resource [, meta])` →
//!   `"allow"` / `"deny"` when the policy matches, else `"undefined"`; also `:groups()`
//!   and `:effect()` (Troupe extras).
//! - Scope (immutable): `:with(policy)` / `:without(id | policy | {ns=, name=})` → a new
//!   Scope (each raises PermissionDenied unless the caller may `security.scope.create` on
//!   `with` / `without`); `:evaluate(...)` (deny wins, then allow, else `"undefined"`);
//!   `:contains(id | policy | {ns, name})` → boolean; `:policies()` → Policy objects.

use std::sync::Arc;

use mlua::{Lua, UserData, UserDataMethods, Value as LuaValue};
use troupe_kernel::security::{Actor, Effect, Policy, Request, Scope};

use super::{actor_from, request_meta, require};

/// A scope in Lua.
#[derive(Clone)]
pub struct LuaScope(pub Arc<Scope>);

/// A policy in Lua.
#[derive(Clone)]
pub struct LuaPolicy(pub Arc<Policy>);

/// The policy ID a `:without`/`:contains` argument names: an ID string, a Policy, or a
/// table `{ns=, name=}`.
///
/// Errors: anything else.
fn policy_id(v: &LuaValue) -> mlua::Result<String> {
    match v {
        LuaValue::String(s) => Ok(s.to_str()?.to_string()),
        LuaValue::UserData(u) => match u.borrow::<LuaPolicy>() {
            Ok(p) => Ok(p.0.id.clone()),
            Err(_) => Err(mlua::Error::runtime(
                "expected a policy, an ID or {ns=, name=}",
            )),
        },
        LuaValue::Table(t) => {
            let ns: Option<String> = t.get("ns")?;
            let name: Option<String> = t.get("name")?;
            match (ns, name) {
                (Some(ns), Some(name)) => Ok(format!("{ns}:{name}")),
                _ => Err(mlua::Error::runtime(
                    "a policy ID table needs string `ns` and `name`",
                )),
            }
        }
        _ => Err(mlua::Error::runtime(
            "expected a policy, an ID or {ns=, name=}",
        )),
    }
}

/// The owned arguments of `:evaluate(actor, action, resource [, meta])`.
struct EvaluateArgs {
    actor: Option<Actor>,
    action: String,
    resource: String,
    meta: Option<serde_json::Map<String, serde_json::Value>>,
}

impl EvaluateArgs {
    /// Errors: an actor that is neither nil, an Actor nor `{id=, meta=}`; a bad `meta`.
    fn from_lua(
        lua: &Lua,
        (actor, action, resource, meta): (LuaValue, String, String, LuaValue),
    ) -> mlua::Result<EvaluateArgs> {
        let actor = match actor {
            LuaValue::Nil => None,
            a => Some(actor_from(lua, &a)?),
        };
        Ok(EvaluateArgs {
            actor,
            action,
            resource,
            meta: request_meta(&meta)?,
        })
    }

    fn request(&self) -> Request<'_> {
        Request {
            actor: self.actor.as_ref(),
            action: &self.action,
            resource: &self.resource,
            meta: self.meta.as_ref(),
        }
    }
}

impl UserData for LuaPolicy {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("id", |_, p, ()| Ok(p.0.id.clone()));
        m.add_method("groups", |_, p, ()| Ok(p.0.groups.clone()));
        m.add_method("effect", |_, p, ()| {
            Ok(if p.0.allow { "allow" } else { "deny" })
        });
        m.add_method("evaluate", |lua, p, args| {
            let args = EvaluateArgs::from_lua(lua, args)?;
            Ok(p.0.evaluate(&args.request()).as_str())
        });
        m.add_meta_method(mlua::MetaMethod::ToString, |_, p, ()| Ok(p.0.id.clone()));
    }
}

impl UserData for LuaScope {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("policies", |lua, s, ()| {
            let t = lua.create_table_with_capacity(s.0.policies.len(), 0)?;
            for p in &s.0.policies {
                t.push(LuaPolicy(p.clone()))?;
            }
            Ok(t)
        });
        m.add_method("contains", |_, s, v: LuaValue| {
            let id = policy_id(&v)?;
            Ok(s.0.policies.iter().any(|p| p.id == id))
        });
        m.add_method("with", |_, s, p: mlua::UserDataRef<LuaPolicy>| {
            require("security.scope.create", "with")?;
            let mut policies = s.0.policies.clone();
            if !policies.iter().any(|q| q.id == p.0.id) {
                policies.push(p.0.clone());
            }
            Ok(LuaScope(Arc::new(Scope::new(policies))))
        });
        m.add_method("without", |_, s, v: LuaValue| {
            let id = policy_id(&v)?;
            require("security.scope.create", "without")?;
            let policies =
                s.0.policies
                    .iter()
                    .filter(|p| p.id != id)
                    .cloned()
                    .collect();
            Ok(LuaScope(Arc::new(Scope::new(policies))))
        });
        m.add_method("evaluate", |lua, s, args| {
            let args = EvaluateArgs::from_lua(lua, args)?;
            Ok(Effect::from(&s.0.evaluate(&args.request())).as_str())
        });
    }
}
