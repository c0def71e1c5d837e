//! The `logger` module (WIPPY-API.md §7.2): a userdata used with colon calls.
//!
//! `logger:debug|info|warn|error(msg [, fields])` emits one `tracing` record (target
//! `lua`) with the process's `pid`, its `location` (`<entry-id>:<line>` of the call), the
//! logger's name and fields, and `fields` (a table with string keys) as JSON; in `:error`,
//! `fields.error` (an error object or text) becomes the record's `error` field. `msg` must
//! be a string or a number, else the call raises. `logger:with(fields)` → a child logger
//! with those fields fixed; `logger:named(name)` → a named child (`""` raises). Dot calls
//! (`logger.info("x")`) raise, as in Wippy.

use std::rc::Rc;

use mlua::{AnyUserData, Lua, UserData, UserDataMethods, Value as LuaValue};
use serde_json::{Map, Value as Json};

use crate::limits;
use crate::process::with_current;

/// Most fields a logger carries (its own plus its ancestors'); more raise.
const MAX_FIELDS: usize = 256;

/// A logger: a name (dot-joined for named children) and fixed fields. The fields of a
/// child made by `with` are Rust heap, charged to the process that made it while the
/// logger lives ([`crate::process::hold`]).
#[derive(Clone, Default)]
pub struct Logger {
    name: Rc<str>,
    fields: Rc<Map<String, Json>>,
    /// Kept for its `Drop` (gives the charge back).
    #[allow(dead_code)]
    held: Option<Rc<crate::process::Held>>,
}

/// About how many bytes of heap a JSON value holds (iterative: any depth).
fn json_bytes(v: &Json) -> usize {
    let mut total = 0usize;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        total += std::mem::size_of::<Json>();
        match v {
            Json::String(s) => total += s.len(),
            Json::Array(a) => stack.extend(a.iter()),
            Json::Object(m) => {
                for (k, x) in m {
                    total += k.len();
                    stack.push(x);
                }
            }
            _ => {}
        }
    }
    total
}

/// The JSON object of a `fields` table (string keys only; other keys are left out).
fn fields_of(v: &LuaValue) -> mlua::Result<Map<String, Json>> {
    let t = match v {
        LuaValue::Nil => return Ok(Map::new()),
        LuaValue::Table(t) => t,
        other => {
            return Err(mlua::Error::runtime(format!(
                "logger: fields must be a table, got {}",
                other.type_name()
            )));
        }
    };
    let copied = limits::copy(&LuaValue::Table(t.clone()))
        .map_err(|e| mlua::Error::runtime(format!("logger: fields: {e}")))?;
    // As Wippy: only string keys become fields (a sequence part is left out).
    Ok(match copied {
        troupe_kernel::Value::Map(m) => m
            .into_iter()
            .filter_map(|(k, v)| match k {
                troupe_kernel::Value::Str(b) => {
                    Some((String::from_utf8_lossy(&b).into_owned(), v.to_json()))
                }
                _ => None,
            })
            .collect(),
        _ => Map::new(),
    })
}

/// `<entry-id>:<line>` of the Lua code calling the logger.
fn location(lua: &Lua) -> String {
    lua.inspect_stack(1, |d| {
        let src = d.source();
        let s = src.short_src.as_deref().unwrap_or("?").to_string();
        match d.current_line() {
            Some(l) => format!("{s}:{l}"),
            None => s,
        }
    })
    .unwrap_or_default()
}

fn emit(lua: &Lua, log: &Logger, level: &str, msg: LuaValue, fields: LuaValue) -> mlua::Result<()> {
    let msg = match &msg {
        LuaValue::String(s) => s.to_string_lossy(),
        LuaValue::Integer(i) => i.to_string(),
        LuaValue::Number(n) => n.to_string(),
        other => {
            return Err(mlua::Error::runtime(format!(
                "logger:{level}: the message must be a string or a number, got {}",
                other.type_name()
            )));
        }
    };
    let mut all = (*log.fields).clone();
    let mut error = String::new();
    for (k, v) in fields_of(&fields)? {
        if level == "error" && k == "error" {
            error = match v {
                Json::String(s) => s,
                other => other.to_string(),
            };
        } else {
            all.insert(k, v);
        }
    }
    let fields = if all.is_empty() {
        String::new()
    } else {
        Json::Object(all).to_string()
    };
    let pid = with_current(|p| Ok(p.pid.clone())).unwrap_or_default();
    let location = location(lua);
    let name = &*log.name;
    match level {
        "debug" => {
            tracing::debug!(target: "lua", pid = %pid, location = %location, logger = %name, fields = %fields, "{msg}")
        }
        "info" => {
            tracing::info!(target: "lua", pid = %pid, location = %location, logger = %name, fields = %fields, "{msg}")
        }
        "warn" => {
            tracing::warn!(target: "lua", pid = %pid, location = %location, logger = %name, fields = %fields, "{msg}")
        }
        _ => {
            tracing::error!(target: "lua", pid = %pid, location = %location, logger = %name, fields = %fields, error = %error, "{msg}")
        }
    }
    Ok(())
}

/// `print(...)` as Wippy's: one info record of the arguments joined by a space.
pub fn print_record(lua: &Lua, text: &str) {
    let pid = with_current(|p| Ok(p.pid.clone())).unwrap_or_default();
    let location = location(lua);
    tracing::info!(target: "lua", pid = %pid, location = %location, "{text}");
}

/// The receiver of a colon call, or an error telling the caller to use one.
fn this(ud: &LuaValue, method: &str) -> mlua::Result<Logger> {
    match ud {
        LuaValue::UserData(u) => match u.borrow::<Logger>() {
            Ok(l) => Ok(l.clone()),
            Err(_) => Err(colon(method)),
        },
        _ => Err(colon(method)),
    }
}

fn colon(method: &str) -> mlua::Error {
    mlua::Error::runtime(format!(
        "logger.{method}: call it with a colon: logger:{method}(...)"
    ))
}

impl UserData for Logger {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        for level in ["debug", "info", "warn", "error"] {
            m.add_function(
                level,
                move |lua, (ud, msg, fields): (LuaValue, LuaValue, LuaValue)| {
                    let log = this(&ud, level)?;
                    emit(lua, &log, level, msg, fields)
                },
            );
        }
        m.add_function("with", |lua, (ud, fields): (LuaValue, LuaValue)| {
            let log = this(&ud, "with")?;
            let mut all = (*log.fields).clone();
            all.extend(fields_of(&fields)?);
            if all.len() > MAX_FIELDS {
                return Err(mlua::Error::runtime(format!(
                    "logger:with: a logger carries at most {MAX_FIELDS} fields"
                )));
            }
            let bytes: usize = all.iter().map(|(k, v)| k.len() + json_bytes(v)).sum();
            lua.create_userdata(Logger {
                name: log.name.clone(),
                fields: Rc::new(all),
                held: crate::process::hold(bytes),
            })
        });
        m.add_function("named", |lua, (ud, name): (LuaValue, LuaValue)| {
            let log = this(&ud, "named")?;
            let name = match name {
                LuaValue::String(s) if !s.as_bytes().is_empty() => s.to_string_lossy(),
                _ => {
                    return Err(mlua::Error::runtime(
                        "logger:named: the name must be a non-empty string",
                    ));
                }
            };
            let full = if log.name.is_empty() {
                name
            } else {
                format!("{}.{name}", log.name)
            };
            if full.len() > 1024 {
                return Err(mlua::Error::runtime(
                    "logger:named: a logger name is at most 1024 bytes",
                ));
            }
            lua.create_userdata(Logger {
                name: full.into(),
                fields: log.fields.clone(),
                held: log.held.clone(),
            })
        });
    }
}

/// Build the module value: the root logger.
///
/// Errors: Lua memory errors.
pub fn module(lua: &Lua) -> mlua::Result<AnyUserData> {
    lua.create_userdata(Logger::default())
}
