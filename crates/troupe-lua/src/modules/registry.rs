//! The `registry` module (SPEC §5): a read-only view of the application's entries.
//!
//! - `get(id)` → an entry table or `nil, err` (`NOT_FOUND`);
//! - `find(criteria)` → a list of entry tables sorted by ID. Criteria keys: `kind`,
//!   `namespace`, `name`, and `["meta.KEY"]`; every given key must equal the entry's
//!   value (a meta value compares with `==` after conversion, so `["meta.order"] = 2`
//!   matches `order: 2`). An unknown key is an error.
//!
//! An entry table is `{id=, kind=, namespace=, name=, meta={...}, data={...}}` where
//! `data` holds the kind's fields as written in YAML (everything but `name`, `kind`,
//! `meta`), as Wippy's `registry.get` gives them. Values convert like message payloads:
//! a YAML null is nil.

use mlua::{Lua, MultiValue, Table, Value as LuaValue};
use troupe_kernel::ErrorKind;
use troupe_registry::Entry;

use crate::convert::json_object;
use crate::modules::errors::nil_error;
use crate::process::with_current;

/// The Lua table of an entry.
///
/// Errors: Lua memory errors.
pub fn entry_table(lua: &Lua, e: &Entry) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set("id", e.id.as_str())?;
    t.set("kind", e.kind_name())?;
    t.set("namespace", e.namespace.as_str())?;
    t.set("name", e.name.as_str())?;
    t.set("meta", json_object(lua, &e.meta)?)?;
    let mut data = match &e.raw {
        serde_json::Value::Object(o) => o.clone(),
        _ => Default::default(),
    };
    for k in ["name", "kind", "meta"] {
        data.remove(k);
    }
    t.set("data", json_object(lua, &data)?)?;
    Ok(t)
}

/// One criterion of `find`.
enum Criterion {
    Kind(String),
    Namespace(String),
    Name(String),
    Meta(String, serde_json::Value),
}

impl Criterion {
    fn parse(_lua: &Lua, key: &str, v: LuaValue) -> mlua::Result<Criterion> {
        let text = |v: &LuaValue| -> mlua::Result<String> {
            match v {
                LuaValue::String(s) => Ok(s.to_str()?.to_string()),
                _ => Err(mlua::Error::runtime(format!(
                    "registry.find: `{key}` must be a string"
                ))),
            }
        };
        Ok(match key {
            "kind" => Criterion::Kind(text(&v)?),
            "namespace" => Criterion::Namespace(text(&v)?),
            "name" => Criterion::Name(text(&v)?),
            k => match k.strip_prefix("meta.") {
                Some(m) if !m.is_empty() => {
                    Criterion::Meta(m.to_string(), crate::convert::to_json(&v)?)
                }
                _ => {
                    return Err(mlua::Error::runtime(format!(
                        "registry.find: unknown criterion {k:?}; expected kind, namespace, name or \"meta.KEY\""
                    )));
                }
            },
        })
    }

    fn holds(&self, e: &Entry) -> bool {
        match self {
            Criterion::Kind(k) => e.kind_name() == k,
            Criterion::Namespace(n) => &e.namespace == n,
            Criterion::Name(n) => &e.name == n,
            Criterion::Meta(k, want) => e.meta.get(k).is_some_and(|have| same(have, want)),
        }
    }
}

/// JSON equality that treats `2` and `2.0` as equal (Lua numbers).
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Build the module table.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "get",
        lua.create_function(|lua, id: String| {
            let e = with_current(|p| Ok(p.node.entry(&id)))?;
            match e {
                Some(e) => Ok(MultiValue::from_iter([LuaValue::Table(entry_table(
                    lua, &e,
                )?)])),
                None => nil_error(lua, ErrorKind::NotFound, format!("entry {id} not found")),
            }
        })?,
    )?;
    t.set(
        "find",
        lua.create_function(|lua, criteria: Option<Table>| {
            let mut want = Vec::new();
            for pair in criteria.iter().flat_map(|c| c.pairs::<String, LuaValue>()) {
                let (k, v) = pair?;
                want.push(Criterion::parse(lua, &k, v)?);
            }
            let mut found: Vec<_> = with_current(|p| {
                Ok(p.node
                    .registry()
                    .entries
                    .values()
                    .filter(|e| want.iter().all(|c| c.holds(e)))
                    .cloned()
                    .collect())
            })?;
            found.sort_by(|a: &Entry, b: &Entry| a.id.as_str().cmp(b.id.as_str()));
            let out = lua.create_table()?;
            for e in &found {
                out.push(entry_table(lua, e)?)?;
            }
            Ok(out)
        })?,
    )?;
    Ok(t)
}
