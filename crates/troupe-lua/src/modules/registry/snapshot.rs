//! Snapshots, versions and history of the `registry` module (WIPPY-API.md §10.1),
//! read-only.
//!
//! Troupe's registry is loaded once at boot and never changes, so it has exactly one
//! version, [`VERSION`] (1): `current_version()`, `versions()` and `history()` show only
//! it, `snapshot()` and `snapshot_at(1)` are views of the one registry, and a version it
//! does not have is `nil, err` (`NotFound`). `build_delta(v, v)` is the empty delta
//! `{}`.
//!
//! Writes are refused (decision): `apply_version(v)` → `false, err` and
//! `changes:apply()` → `nil, err`, both of kind **`PermissionDenied`** ("the registry is
//! read-only in Troupe: …"): it is the kind a Wippy caller without `registry.apply` /
//! `registry.apply_version` gets, so code that handles a refused write handles this one.
//! `snapshot:changes()` still records `create`/`update`/`delete` operations (in the
//! caller's own Lua heap, so bounded by its `max_memory`) and `:ops()` lists them.
//!
//! Objects: Snapshot `:entries() :get(id) :namespace(ns) :find(f) :changes()
//! :version()`; Version `:id() :previous() :next() :string()` (and `tostring`);
//! History `:versions() :get_version(v) :snapshot_at(v)`; Changes `:create(e)
//! :update(e) :delete(id) :ops() :apply()`. A version argument is a Version object or
//! its integer ID.

use mlua::{
    AnyUserData, Lua, MetaMethod, MultiValue, Table, UserData, UserDataMethods, Value as LuaValue,
};
use troupe_kernel::ErrorKind;

use super::{filter_arg, find, get};
use crate::modules::errors::{new_error, nil_error};

/// The only version of a Troupe registry.
pub const VERSION: u64 = 1;

/// Why a write is refused.
const READ_ONLY: &str =
    "the registry is read-only in Troupe: it is loaded from the application's files at boot";

/// A registry version (only [`VERSION`] exists).
#[derive(Clone, Copy)]
pub struct Version(u64);

impl UserData for Version {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("id", |_, v, ()| Ok(v.0));
        m.add_method("previous", |_, _, ()| Ok(LuaValue::Nil));
        m.add_method("next", |_, _, ()| Ok(LuaValue::Nil));
        m.add_method("string", |_, v, ()| Ok(v.0.to_string()));
        m.add_meta_method(MetaMethod::ToString, |_, v, ()| Ok(v.0.to_string()));
        m.add_meta_method(MetaMethod::Eq, |_, a, b: mlua::UserDataRef<Version>| {
            Ok(a.0 == b.0)
        });
    }
}

/// The registry as of [`VERSION`].
#[derive(Clone, Copy)]
pub struct Snapshot;

impl UserData for Snapshot {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("entries", |lua, _, ()| find(lua, None, |_| true));
        m.add_method("get", |lua, _, id: String| get(lua, &id));
        m.add_method("namespace", |lua, _, ns: String| {
            find(lua, None, |e| e.namespace == ns)
        });
        m.add_method("find", |lua, _, f: LuaValue| {
            find(lua, filter_arg(f)?.as_ref(), |_| true)
        });
        m.add_method("changes", |lua, _, ()| {
            let ud = lua.create_userdata(Changes)?;
            ud.set_user_value(lua.create_table()?)?;
            Ok(ud)
        });
        m.add_method("version", |_, _, ()| Ok(Version(VERSION)));
    }
}

/// The history of versions (one).
pub struct History;

impl UserData for History {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("versions", |lua, _, ()| versions(lua));
        m.add_method("get_version", |lua, _, v: LuaValue| {
            known(lua, &v, |_| {
                Ok(LuaValue::UserData(lua.create_userdata(Version(VERSION))?))
            })
        });
        m.add_method("snapshot_at", |lua, _, v: LuaValue| {
            known(lua, &v, |_| {
                Ok(LuaValue::UserData(lua.create_userdata(Snapshot)?))
            })
        });
    }
}

/// Pending changes to a snapshot: recorded, never applied. The operations live in the
/// userdata's user value (a Lua table of `{kind, entry}`), in the caller's Lua heap.
pub struct Changes;

impl Changes {
    fn record(lua: &Lua, ud: &AnyUserData, kind: &str, entry: LuaValue) -> mlua::Result<()> {
        let ops: Table = ud.user_value()?;
        let op = lua.create_table()?;
        op.set("kind", kind)?;
        op.set("entry", entry)?;
        ops.raw_push(op)
    }
}

impl UserData for Changes {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_function("create", |lua, (ud, e): (AnyUserData, Table)| {
            Changes::record(lua, &ud, "entry.create", LuaValue::Table(e))?;
            Ok(ud)
        });
        m.add_function("update", |lua, (ud, e): (AnyUserData, Table)| {
            Changes::record(lua, &ud, "entry.update", LuaValue::Table(e))?;
            Ok(ud)
        });
        m.add_function("delete", |lua, (ud, id): (AnyUserData, String)| {
            let e = super::parse_id(lua, &id)?;
            e.set("id", id)?;
            Changes::record(lua, &ud, "entry.delete", LuaValue::Table(e))?;
            Ok(ud)
        });
        m.add_function("ops", |lua, ud: AnyUserData| {
            let ops: Table = ud.user_value()?;
            let out = lua.create_table_with_capacity(ops.raw_len(), 0)?;
            for op in ops.sequence_values::<LuaValue>() {
                out.raw_push(op?)?;
            }
            Ok(out)
        });
        m.add_function("apply", |lua, _: AnyUserData| {
            nil_error(lua, ErrorKind::PermissionDenied, READ_ONLY)
        });
    }
}

/// The version ID a Lua argument names: a Version object or an integer.
fn version_of(v: &LuaValue) -> Option<u64> {
    match v {
        LuaValue::UserData(u) => u.borrow::<Version>().ok().map(|v| v.0),
        LuaValue::Integer(i) => u64::try_from(*i).ok(),
        LuaValue::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n < 9.0e15 => Some(*n as u64),
        _ => None,
    }
}

/// `f(version)` when `v` names a version the registry has, else `nil, err`
/// (`NotFound`).
fn known(
    lua: &Lua,
    v: &LuaValue,
    f: impl FnOnce(u64) -> mlua::Result<LuaValue>,
) -> mlua::Result<MultiValue> {
    match version_of(v) {
        Some(VERSION) => Ok(MultiValue::from_iter([f(VERSION)?])),
        Some(other) => nil_error(
            lua,
            ErrorKind::NotFound,
            format!(
                "registry version {other} not found: Troupe's registry has only version {VERSION}"
            ),
        ),
        None => nil_error(
            lua,
            ErrorKind::Invalid,
            format!(
                "expected a registry version (a Version or an integer), got a {}",
                v.type_name()
            ),
        ),
    }
}

fn versions(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_push(Version(VERSION))?;
    Ok(t)
}

/// Add the snapshot, version and history functions to the module table.
///
/// Errors: Lua memory errors.
pub fn install(lua: &Lua, t: &Table) -> mlua::Result<()> {
    t.set("snapshot", lua.create_function(|_, ()| Ok(Snapshot))?)?;
    t.set(
        "snapshot_at",
        lua.create_function(|lua, v: LuaValue| {
            known(lua, &v, |_| {
                Ok(LuaValue::UserData(lua.create_userdata(Snapshot)?))
            })
        })?,
    )?;
    t.set(
        "current_version",
        lua.create_function(|_, ()| Ok(Version(VERSION)))?,
    )?;
    t.set("versions", lua.create_function(|lua, ()| versions(lua))?)?;
    t.set("history", lua.create_function(|_, ()| Ok(History))?)?;
    t.set(
        "apply_version",
        lua.create_function(|lua, _v: LuaValue| {
            Ok(MultiValue::from_iter([
                LuaValue::Boolean(false),
                new_error(lua, ErrorKind::PermissionDenied, READ_ONLY)?,
            ]))
        })?,
    )?;
    t.set(
        "build_delta",
        lua.create_function(|lua, (a, b): (LuaValue, LuaValue)| {
            let r = known(lua, &a, |_| Ok(LuaValue::Nil))?;
            if r.len() > 1 {
                return Ok(r);
            }
            known(lua, &b, |_| Ok(LuaValue::Table(lua.create_table()?)))
        })?,
    )?;
    Ok(())
}
