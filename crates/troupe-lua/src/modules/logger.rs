//! The `logger` module: `debug/info/warn/error(msg [, fields])` into `tracing`, tagged with
//! the process's PID and entry ID; `fields` (a table) is attached as JSON.

use mlua::{Lua, Table, Value as LuaValue};

use crate::limits;
use crate::process::with_current;

/// Build the module table.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    for level in ["debug", "info", "warn", "error"] {
        t.set(
            level,
            lua.create_function(move |_, (msg, fields): (LuaValue, Option<LuaValue>)| {
                let msg = match &msg {
                    LuaValue::String(s) => s.to_string_lossy(),
                    other => match limits::copy(other) {
                        Ok(v) => v.display(),
                        Err(e) => format!("<{e}>"),
                    },
                };
                let fields = fields
                    .map(|f| match limits::copy(&f) {
                        Ok(v) => v.to_json().to_string(),
                        Err(e) => format!("<{e}>"),
                    })
                    .unwrap_or_default();
                let (pid, entry) =
                    with_current(|p| Ok((p.pid.clone(), p.entry.id.clone()))).unwrap_or_default();
                match level {
                    "debug" => tracing::debug!(target: "lua", pid = %pid, entry = %entry, fields = %fields, "{msg}"),
                    "info" => tracing::info!(target: "lua", pid = %pid, entry = %entry, fields = %fields, "{msg}"),
                    "warn" => tracing::warn!(target: "lua", pid = %pid, entry = %entry, fields = %fields, "{msg}"),
                    _ => tracing::error!(target: "lua", pid = %pid, entry = %entry, fields = %fields, "{msg}"),
                }
                Ok(())
            })?,
        )?;
    }
    Ok(t)
}
