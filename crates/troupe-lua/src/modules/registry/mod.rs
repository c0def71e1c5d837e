//! The `registry` module (WIPPY-API.md §10.1): a read-only view of the application's
//! entries.
//!
//! - `get(id)` → entry, nil; `nil, err`: `NotFound` (`entry not found: <id>`),
//!   `PermissionDenied` without `registry.get` on the ID.
//! - `find(filter)` → array of entries in registry order (Troupe's registry is keyed by
//!   ID, so that is ID order), nil; entries the caller may not `registry.get` are
//!   skipped; the filter keys are in [`filter`]; a bad filter value is `nil, err`
//!   (`Invalid`).
//! - `parse_id(s)` → `{ns, name}` (split at the first `:`; none → ns `""`).
//! - `snapshot()`, `snapshot_at(v)`, `current_version()`, `versions()`, `history()`,
//!   `apply_version(v)`, `build_delta(a, b)`: see [`snapshot`]. Troupe's registry is
//!   fixed at boot, so there is exactly one version and every write is refused.
//!
//! An entry is `{id = "ns:name", kind, meta = {…}, data = {…} | nil}` as Wippy gives it
//! (no `namespace`/`name` keys: `parse_id` splits an ID): `data` holds every field but
//! `name`, `kind` and `meta` as written, nil when there is none, with the text of a
//! `file://` `source` inlined (Lua kinds and `function.wat`; other `file://` strings stay
//! as written). A YAML null is nil. The copy is bounded by the registry's own input
//! bounds (64 MiB per file, 1,000,000 YAML nodes, 256 levels) and charged to the
//! caller's `max_memory` as it is built.

pub mod filter;
pub mod snapshot;

use mlua::{Lua, MultiValue, Table, Value as LuaValue};
use troupe_kernel::ErrorKind;
use troupe_registry::{Entry, Kind};

use crate::convert::json_object;
use crate::modules::errors::nil_error;
use crate::modules::process::fail;
use crate::process::{ProcState, with_current};
use filter::Filter;

/// The Lua table of an entry (see the module docs for its shape).
///
/// Errors: Lua memory errors.
pub fn entry_table(lua: &Lua, e: &Entry) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set("id", e.id.as_str())?;
    t.set("kind", e.kind_name())?;
    t.set("meta", json_object(lua, &e.meta)?)?;
    let mut data = match &e.raw {
        serde_json::Value::Object(o) => o.clone(),
        _ => Default::default(),
    };
    for k in ["name", "kind", "meta"] {
        data.remove(k);
    }
    inline_source(e, &mut data);
    if !data.is_empty() {
        t.set("data", json_object(lua, &data)?)?;
    }
    Ok(t)
}

/// Replace a `file://` `source` by the text the registry loaded from it.
fn inline_source(e: &Entry, data: &mut serde_json::Map<String, serde_json::Value>) {
    let source = match &e.kind {
        Kind::ProcessLua(s) | Kind::FunctionLua(s) | Kind::LibraryLua(s) => Some(&s.source),
        Kind::FunctionWat(w) => w.source.as_ref(),
        _ => None,
    };
    let Some(source) = source.filter(|s| s.path.is_some()) else {
        return;
    };
    if let Some(serde_json::Value::String(s)) = data.get("source")
        && s.starts_with("file://")
    {
        data.insert(
            "source".into(),
            serde_json::Value::String(source.text.clone()),
        );
    }
}

/// Whether the current process may see `e` (`registry.get` on its ID), without logging
/// a denial (`find` skips what it may not see).
pub(crate) fn visible(p: &ProcState, e: &Entry) -> bool {
    let scoped = p.handle.actor.is_some() && p.handle.scope.is_some();
    if !p.node.strict_mode() && !scoped {
        return true;
    }
    p.node.can(&p.handle, "registry.get", &e.id, None)
}

/// `get(id)` for the current process.
///
/// Errors: Lua memory errors.
pub(crate) fn get(lua: &Lua, id: &str) -> mlua::Result<MultiValue> {
    with_current(|p| {
        if let Err(e) = p
            .node
            .check(Some(&p.handle), "registry.get", || id.to_string())
        {
            return fail(lua, LuaValue::Nil, &e);
        }
        match p.node.entry(id) {
            Some(e) => Ok(MultiValue::from_iter([LuaValue::Table(entry_table(
                lua, &e,
            )?)])),
            None => nil_error(lua, ErrorKind::NotFound, format!("entry not found: {id}")),
        }
    })
}

/// `find(filter)` for the current process, over the entries `keep` also accepts.
///
/// Errors: Lua memory errors; a filter value the bounded copy refuses.
pub(crate) fn find(
    lua: &Lua,
    filter: Option<&Table>,
    keep: impl Fn(&Entry) -> bool,
) -> mlua::Result<MultiValue> {
    let filter = match filter {
        None => Filter::all(),
        Some(t) => match Filter::parse(t)? {
            Ok(f) => f,
            Err(e) => return nil_error(lua, ErrorKind::Invalid, e.to_string()),
        },
    };
    with_current(|p| {
        let out = lua.create_table()?;
        for e in p.node.registry().entries.values() {
            if keep(e) && filter.holds(e) && visible(p, e) {
                out.raw_push(entry_table(lua, e)?)?;
            }
        }
        Ok(MultiValue::from_iter([LuaValue::Table(out)]))
    })
}

/// `parse_id(s)` → `{ns, name}`: split at the first `:`; without one, ns is `""` and
/// name is `s` (as Wippy).
///
/// Errors: Lua memory errors.
pub fn parse_id(lua: &Lua, s: &str) -> mlua::Result<Table> {
    let (ns, name) = s.split_once(':').unwrap_or(("", s));
    let t = lua.create_table()?;
    t.set("ns", ns)?;
    t.set("name", name)?;
    Ok(t)
}

/// A filter argument: a table, or nil/none for every entry.
///
/// Errors: any other type (an argument error raises, as in Wippy).
pub(crate) fn filter_arg(v: LuaValue) -> mlua::Result<Option<Table>> {
    match v {
        LuaValue::Nil => Ok(None),
        LuaValue::Table(t) => Ok(Some(t)),
        other => Err(mlua::Error::runtime(format!(
            "bad argument #1 to 'find' (table expected, got {})",
            other.type_name()
        ))),
    }
}

/// Build the module table.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set("get", lua.create_function(|lua, id: String| get(lua, &id))?)?;
    t.set(
        "find",
        lua.create_function(|lua, f: LuaValue| find(lua, filter_arg(f)?.as_ref(), |_| true))?,
    )?;
    t.set(
        "parse_id",
        lua.create_function(|lua, s: String| parse_id(lua, &s))?,
    )?;
    snapshot::install(lua, &t)?;
    Ok(t)
}
