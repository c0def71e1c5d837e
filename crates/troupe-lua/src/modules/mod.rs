//! The built-in Lua modules (SPEC §5). `process`, `channel` and `coroutine.spawn` are
//! globals in every process; the others are reached with `require(name)` and only when
//! the entry lists them in `modules`.

pub mod ctx;
pub mod env;
pub mod errors;
pub mod events;
pub mod funcs;
pub mod json;
pub mod logger;
pub mod process;
pub mod registry;
pub mod require;
pub mod security;
pub mod spawner;
pub mod system;
pub mod time;
pub mod uuid;

use std::collections::HashMap;

use mlua::{Lua, Table};

/// Modules every Lua entry may `require` without listing them.
pub const ALWAYS: &[&str] = &["process", "channel", "coroutine"];

/// Create every module, install the globals and return the module tables by name.
///
/// Errors: Lua memory errors.
pub fn install(lua: &Lua, globals: &Table) -> mlua::Result<HashMap<&'static str, Table>> {
    let mut m = HashMap::new();
    let process = process::module(lua)?;
    let channel = crate::channel::module(lua)?;
    spawner::install(lua, &process)?;
    globals.set("process", process.clone())?;
    globals.set("channel", channel.clone())?;
    let co: Table = globals.get("coroutine")?;
    co.set("spawn", lua.create_function(process::coroutine_spawn)?)?;
    m.insert("process", process);
    m.insert("channel", channel);
    m.insert("coroutine", co);
    m.insert("time", time::module(lua)?);
    m.insert("json", json::module(lua)?);
    m.insert("logger", logger::module(lua)?);
    m.insert("errors", errors::module(lua)?);
    m.insert("uuid", uuid::module(lua)?);
    m.insert("funcs", funcs::module(lua)?);
    m.insert("security", security::module(lua)?);
    m.insert("ctx", ctx::module(lua)?);
    m.insert("registry", registry::module(lua)?);
    m.insert("env", env::module(lua)?);
    m.insert("events", events::module(lua)?);
    m.insert("system", system::module(lua)?);
    let os: Table = globals.get("os")?;
    m.insert("os", os);
    globals.set("require", lua.create_function(require::require)?)?;
    Ok(m)
}
