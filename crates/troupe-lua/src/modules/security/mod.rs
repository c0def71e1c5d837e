//! The `security` module (WIPPY-API.md §9, SPEC §7): the current process's actor and
//! scope, access checks, and Actor / Scope / Policy / TokenStore objects (userdata).
//!
//! - `actor()` / `scope()` → the current [`LuaActor`] / [`LuaScope`] or nil;
//! - `can(action, resource [, meta])` → boolean, by the rule the kernel checks with
//!   (deny wins, else allow, else denied; without actor and scope, strict mode decides);
//! - `new_actor(id [, meta])` → Actor; raises PermissionDenied unless the caller may
//!   `security.actor.create` on `id`;
//! - `new_scope([policies])` → Scope of the Policy objects in the list (other items are
//!   ignored, as Wippy); raises unless `security.scope.create` on `custom`;
//! - `policy(id)` → Policy, nil / `nil, err`: Invalid when `security.policy.get` on `id` is
//!   denied, Internal when there is no such policy (as Wippy);
//! - `named_scope(group)` → Scope of the group's policies / `nil, err` (as `policy`, with
//!   `security.policy_group.get`; a group no policy belongs to is Internal);
//! - `token_store(id)` → TokenStore / `nil, err` (see [`token_store`]).
//!
//! The objects wrap the kernel's values ([`Actor`], [`Scope`], [`Policy`]), so what
//! `with_actor`/`with_scope` pass to a spawn or a call is what the kernel carries with
//! messages and children (ARCHITECTURE.md, Security).

pub mod scope;
pub mod token_store;

use std::sync::Arc;

use mlua::{Lua, MetaMethod, MultiValue, Table, UserData, UserDataMethods, Value as LuaValue};
use serde_json::{Map, Value as J};
use troupe_kernel::security::{Actor, Policy, Scope};
use troupe_kernel::{ErrorKind, ProcessError};

use crate::modules::errors::nil_error;
use crate::process::with_current;
pub use scope::{LuaPolicy, LuaScope};

/// Longest actor ID `new_actor` accepts, in bytes.
pub const MAX_ACTOR_ID: usize = 1024;

/// An actor in Lua (`:id()`, `:meta()`; `tostring` gives the ID).
#[derive(Clone)]
pub struct LuaActor(pub Arc<Actor>);

impl UserData for LuaActor {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("id", |_, a, ()| Ok(a.0.id.clone()));
        m.add_method("meta", |lua, a, ()| {
            crate::convert::json_object(lua, &a.0.meta)
        });
        m.add_meta_method(MetaMethod::ToString, |_, a, ()| Ok(a.0.id.clone()));
        m.add_meta_method(MetaMethod::Eq, |_, a, b: mlua::UserDataRef<LuaActor>| {
            Ok(a.0 == b.0)
        });
    }
}

/// The Lua value of an actor (an Actor object), as `security.actor()` and `msg:actor()`
/// give it.
///
/// Errors: Lua memory errors.
pub fn actor_value(lua: &Lua, a: &Arc<Actor>) -> mlua::Result<LuaValue> {
    Ok(LuaValue::UserData(
        lua.create_userdata(LuaActor(a.clone()))?,
    ))
}

/// An actor from Lua: an Actor object, or (leniently) a table `{id=, meta=}`.
///
/// Errors: anything else, a table without a string `id`, a `meta` that is not a table of
/// plain values.
pub fn actor_from(_lua: &Lua, v: &LuaValue) -> mlua::Result<Actor> {
    match v {
        LuaValue::UserData(u) => match u.borrow::<LuaActor>() {
            Ok(a) => Ok((*a.0).clone()),
            Err(_) => Err(mlua::Error::runtime(
                "expected an actor (security.new_actor / security.actor())",
            )),
        },
        LuaValue::Table(t) => {
            let id: String = t
                .get::<Option<String>>("id")?
                .ok_or_else(|| mlua::Error::runtime("an actor needs a string `id`"))?;
            let meta = meta_from(&t.get::<LuaValue>("meta")?, "an actor's `meta`")?;
            Ok(Actor { id, meta })
        }
        _ => Err(mlua::Error::runtime(
            "expected an actor (security.new_actor / security.actor())",
        )),
    }
}

/// A `meta` argument: nil (empty) or a table of plain values (a bounded copy).
///
/// Errors: another type, or a table the copy refuses (cycles, size, depth).
pub fn meta_from(v: &LuaValue, what: &str) -> mlua::Result<Map<String, J>> {
    match v {
        LuaValue::Nil => Ok(Map::new()),
        LuaValue::Table(t) if t.is_empty() => Ok(Map::new()),
        m => match crate::convert::to_json(m)? {
            J::Object(o) => Ok(o),
            _ => Err(mlua::Error::runtime(format!("{what} must be a table"))),
        },
    }
}

/// Optional `meta` for checks: `None` when nil.
fn request_meta(v: &LuaValue) -> mlua::Result<Option<Map<String, J>>> {
    match v {
        LuaValue::Nil => Ok(None),
        m => meta_from(m, "`meta`").map(Some),
    }
}

/// Raise PermissionDenied unless the current process may do `action` on `resource`
/// (the kernel's check: skipped without actor and scope unless strict mode).
///
/// Errors: the denial as a raised error object.
pub(crate) fn require(action: &str, resource: &str) -> mlua::Result<()> {
    with_current(|p| {
        p.node
            .check(Some(&p.handle), action, || resource.to_string())
            .map_err(|e| mlua::Error::external(ProcessError::new(e.kind(), e.to_string())))
    })
}

/// Whether the current process may do `action` on `resource` (see [`require`]).
fn permitted(action: &str, resource: &str) -> mlua::Result<Result<(), String>> {
    with_current(|p| {
        Ok(p.node
            .check(Some(&p.handle), action, || resource.to_string())
            .map_err(|e| e.to_string()))
    })
}

/// The policy with entry ID `id` among the node's compiled policies.
fn find_policy(id: &str) -> mlua::Result<Option<Arc<Policy>>> {
    with_current(|p| Ok(p.node.policies().iter().find(|q| q.id == id).cloned()))
}

fn one(v: LuaValue) -> MultiValue {
    MultiValue::from_iter([v])
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
                Some(a) => actor_value(lua, a),
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
            let meta = request_meta(&meta)?;
            with_current(|p| Ok(p.node.can(&p.handle, &action, &resource, meta.as_ref())))
        })?,
    )?;
    t.set(
        "new_actor",
        lua.create_function(|lua, (id, meta): (String, LuaValue)| {
            if id.is_empty() || id.len() > MAX_ACTOR_ID {
                return Err(mlua::Error::external(ProcessError::new(
                    ErrorKind::Invalid,
                    format!("new_actor: the ID must be 1 to {MAX_ACTOR_ID} bytes"),
                )));
            }
            let meta = meta_from(&meta, "new_actor: `meta`")?;
            require("security.actor.create", &id)?;
            actor_value(lua, &Arc::new(Actor { id, meta }))
        })?,
    )?;
    t.set(
        "new_scope",
        lua.create_function(|_, list: Option<Table>| {
            require("security.scope.create", "custom")?;
            let mut policies: Vec<Arc<Policy>> = Vec::new();
            if let Some(list) = list {
                // A sequence is bounded by the Lua heap; each item is one check.
                for v in list.sequence_values::<LuaValue>() {
                    if let LuaValue::UserData(u) = v?
                        && let Ok(p) = u.borrow::<LuaPolicy>()
                        && !policies.iter().any(|q| q.id == p.0.id)
                    {
                        policies.push(p.0.clone());
                    }
                }
            }
            Ok(LuaScope(Arc::new(Scope::new(policies))))
        })?,
    )?;
    t.set(
        "policy",
        lua.create_function(|lua, id: String| {
            if let Err(why) = permitted("security.policy.get", &id)? {
                return nil_error(lua, ErrorKind::Invalid, why);
            }
            match find_policy(&id)? {
                Some(p) => Ok(one(LuaValue::UserData(lua.create_userdata(LuaPolicy(p))?))),
                None => nil_error(lua, ErrorKind::Internal, format!("policy not found: {id}")),
            }
        })?,
    )?;
    t.set(
        "named_scope",
        lua.create_function(|lua, group: String| {
            if let Err(why) = permitted("security.policy_group.get", &group)? {
                return nil_error(lua, ErrorKind::Invalid, why);
            }
            let scope = with_current(|p| Ok(Scope::group(p.node.policies(), &group)))?;
            if scope.policies.is_empty() {
                return nil_error(
                    lua,
                    ErrorKind::Internal,
                    format!("policy group not found: {group}"),
                );
            }
            Ok(one(LuaValue::UserData(
                lua.create_userdata(LuaScope(Arc::new(scope)))?,
            )))
        })?,
    )?;
    t.set("token_store", lua.create_function(token_store::open)?)?;
    Ok(t)
}
