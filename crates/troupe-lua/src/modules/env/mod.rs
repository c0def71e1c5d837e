//! The `env` module (WIPPY-API.md §7.5): environment variables declared as `env.variable`
//! entries, whose values live in `env.storage.*` storages ([`storage`]).
//!
//! - `get(name)` → value, nil. `name` is an entry's `variable` (any namespace; one in the
//!   caller's namespace first, else the first by entry ID), else an entry ID (a bare name
//!   is tried in the caller's namespace). An unset or empty value gives the entry's
//!   `default`, else `nil, err` NotFound. No entry → NotFound, even when the OS has the
//!   variable. `""` or a non-string → Invalid. Checked as `env.get` on `name`
//!   (PermissionDenied).
//! - `set(name, value)` → `true, nil` (value: string or number). Resolved like `get`;
//!   `readonly` entries and static storages → PermissionDenied; checked as `env.set` on
//!   `name`; a value over 64 KiB or with a newline/NUL → Invalid.
//! - `get_all()` → `{variable = value}` for every `env.variable` entry the caller may
//!   `env.get` that has a value (or a default). Only declared variables are listed, never
//!   the whole OS environment.
//!
//! `troupe.yaml`'s `env:` list (Troupe's older allowlist) still applies, to
//! `env.storage.os` only: when present, an OS variable it does not allow is
//! PermissionDenied. A call that reaches an `env.storage.file` runs its file I/O on the
//! blocking pool, so the worker thread keeps running other processes.

pub mod storage;

use std::collections::HashMap;
use std::sync::Arc;

use mlua::{Lua, MultiValue, Table, Value as LuaValue};
use troupe_kernel::{ErrorKind, Node};
use troupe_registry::{EnvVariableSpec, Kind};

use crate::modules::errors::nil_error;
use crate::process::with_current;
use storage::{Storage, StorageError};

/// `env.variable` entries by their `variable` name (built once per node).
struct Index(HashMap<String, Vec<String>>);

impl Index {
    fn of(node: &Node) -> Arc<Index> {
        node.shared(|| {
            let mut by: HashMap<String, Vec<String>> = HashMap::new();
            for (id, e) in &node.registry().entries {
                if let Kind::EnvVariable(v) = &e.kind {
                    by.entry(v.variable.clone()).or_default().push(id.clone());
                }
            }
            Index(by)
        })
    }
}

fn fail(kind: ErrorKind, message: impl Into<String>) -> StorageError {
    StorageError {
        kind,
        message: message.into(),
    }
}

/// The `env.variable` entry `name` names for a process of entry `caller`.
fn resolve(node: &Node, caller: &str, name: &str) -> Option<(String, EnvVariableSpec)> {
    let spec_of = |id: &str| match node.entry(id).map(|e| e.kind.clone()) {
        Some(Kind::EnvVariable(v)) => Some((id.to_string(), v)),
        _ => None,
    };
    let ns = caller.rsplit_once(':').map(|(ns, _)| ns).unwrap_or("");
    let index = Index::of(node);
    if let Some(ids) = index.0.get(name) {
        let pick = ids
            .iter()
            .find(|id| id.rsplit_once(':').map(|(n, _)| n) == Some(ns))
            .or(ids.first());
        if let Some(found) = pick.and_then(|id| spec_of(id)) {
            return Some(found);
        }
    }
    if name.contains(':') {
        spec_of(name)
    } else {
        spec_of(&format!("{ns}:{name}"))
    }
}

/// A name argument.
fn name_arg(v: &LuaValue) -> Result<String, StorageError> {
    match v {
        LuaValue::String(s) if !s.as_bytes().is_empty() => Ok(s
            .to_str()
            .map_err(|_| fail(ErrorKind::Invalid, "the variable name is not UTF-8"))?
            .to_string()),
        LuaValue::String(_) => Err(fail(ErrorKind::Invalid, "the variable name is empty")),
        other => Err(fail(
            ErrorKind::Invalid,
            format!(
                "expected a variable name (string), got {}",
                other.type_name()
            ),
        )),
    }
}

/// Run `f` off the worker thread when `s` may do file I/O, inline otherwise.
async fn run<R: Send + 'static>(
    io: bool,
    f: impl FnOnce() -> Result<R, StorageError> + Send + 'static,
) -> Result<R, StorageError> {
    if !io {
        return f();
    }
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) => Err(fail(
            ErrorKind::Internal,
            format!("env storage task failed: {e}"),
        )),
    }
}

/// The value of `spec` in its storage, else its default.
fn value_of(store: &Storage, spec: &EnvVariableSpec) -> Result<Option<String>, StorageError> {
    Ok(match store.get(&spec.variable)? {
        Some(v) if !v.is_empty() => Some(v),
        _ => spec.default.clone(),
    })
}

/// What `get`/`set` work on once the caller's side is checked.
struct Plan {
    storage: Arc<Storage>,
    spec: EnvVariableSpec,
    name: String,
}

fn plan(action: &str, name: &LuaValue) -> mlua::Result<Result<Plan, StorageError>> {
    let name = match name_arg(name) {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    with_current(|p| {
        if let Err(e) = p.node.check(Some(&p.handle), action, || name.clone()) {
            return Ok(Err(fail(ErrorKind::PermissionDenied, e.to_string())));
        }
        let Some((_, spec)) = resolve(&p.node, &p.handle.entry, &name) else {
            return Ok(Err(fail(
                ErrorKind::NotFound,
                format!("environment variable not found: {name} (no env.variable entry)"),
            )));
        };
        Ok(
            storage::storage(&p.node, &spec.storage).map(|storage| Plan {
                storage,
                spec,
                name,
            }),
        )
    })
}

fn answer(lua: &Lua, r: Result<LuaValue, StorageError>) -> mlua::Result<MultiValue> {
    match r {
        Ok(v) => Ok(MultiValue::from_iter([v])),
        Err(e) => nil_error(lua, e.kind, e.message),
    }
}

/// Build the module table.
///
/// Errors: Lua memory errors.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "get",
        crate::block::function(lua, |lua, name: LuaValue| {
            let planned = plan("env.get", &name);
            async move {
                let got = match planned? {
                    Err(e) => Err(e),
                    Ok(p) => {
                        run(p.storage.does_io(), move || {
                            match value_of(&p.storage, &p.spec)? {
                                Some(v) => Ok(v),
                                None => Err(fail(
                                    ErrorKind::NotFound,
                                    format!("environment variable {} is not set", p.name),
                                )),
                            }
                        })
                        .await
                    }
                };
                let got = match got {
                    Ok(v) => Ok(LuaValue::String(lua.create_string(v)?)),
                    Err(e) => Err(e),
                };
                answer(&lua, got)
            }
        })?,
    )?;
    t.set(
        "set",
        crate::block::function(lua, |lua, (name, value): (LuaValue, LuaValue)| {
            let planned = plan("env.set", &name);
            let value = match &value {
                LuaValue::String(s) => s.to_str().map(|s| s.to_string()).map_err(|_| ()),
                LuaValue::Integer(i) => Ok(i.to_string()),
                LuaValue::Number(n) => Ok(n.to_string()),
                _ => Err(()),
            };
            async move {
                let r = match (planned?, value) {
                    (Err(e), _) => Err(e),
                    (Ok(_), Err(())) => Err(fail(
                        ErrorKind::Invalid,
                        "env.set: the value must be a string or a number",
                    )),
                    (Ok(p), Ok(_)) if p.spec.readonly => Err(fail(
                        ErrorKind::PermissionDenied,
                        format!("environment variable {} is read-only", p.name),
                    )),
                    (Ok(p), Ok(v)) => run(p.storage.does_io(), move || {
                        p.storage.set(&p.spec.variable, &v)
                    })
                    .await
                    .map(|()| LuaValue::Boolean(true)),
                };
                answer(&lua, r)
            }
        })?,
    )?;
    t.set(
        "get_all",
        crate::block::function(lua, |lua, ()| {
            // The caller's side: which declared variables it may read, and their storages.
            let planned = with_current(|p| {
                let mut list = Vec::new();
                let index = Index::of(&p.node);
                let mut names: Vec<&String> = index.0.keys().collect();
                names.sort();
                for name in names {
                    if p.node
                        .check(Some(&p.handle), "env.get", || name.clone())
                        .is_err()
                    {
                        continue;
                    }
                    if let Some((_, spec)) = resolve(&p.node, &p.handle.entry, name)
                        && let Ok(s) = storage::storage(&p.node, &spec.storage)
                    {
                        list.push((s, spec));
                    }
                }
                Ok(list)
            });
            async move {
                let list = planned?;
                let io = list.iter().any(|(s, _)| s.does_io());
                let values = run(io, move || {
                    let mut out = Vec::new();
                    for (s, spec) in &list {
                        // A storage that fails (an unreadable file) leaves its variables out.
                        if let Ok(Some(v)) = value_of(s, spec) {
                            out.push((spec.variable.clone(), v));
                        }
                    }
                    Ok(out)
                })
                .await;
                let t = lua.create_table()?;
                match values {
                    Ok(values) => {
                        for (k, v) in values {
                            t.set(k, v)?;
                        }
                        Ok(MultiValue::from_iter([LuaValue::Table(t)]))
                    }
                    Err(e) => nil_error(&lua, e.kind, e.message),
                }
            }
        })?,
    )?;
    Ok(t)
}
