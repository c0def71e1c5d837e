//! The built-in Lua modules (WIPPY-API.md §1). `process`, `channel`, `coroutine.spawn`,
//! `errors`, `payload` and `os` are globals in every process; the others are bound as
//! globals of the process (and so reachable with `require(name)`) when the entry lists
//! them in `modules` (see [`require`]).

pub mod ctx;
pub mod env;
pub mod errors;
pub mod events;
pub mod funcs;
pub mod json;
pub mod logger;
pub mod payload;
pub mod process;
pub mod registry;
pub mod require;
pub mod security;
pub mod send;
pub mod spawner;
pub mod system;
pub mod time;
pub mod uuid;

use std::collections::HashMap;

use mlua::{IntoLua, Lua, Table};

/// Create every module, install the globals and return the modules an entry must list
/// (by name).
///
/// Errors: Lua memory errors.
pub fn install(lua: &Lua, globals: &Table) -> mlua::Result<HashMap<&'static str, mlua::Value>> {
    let mut m = HashMap::new();
    let process = process::module(lua)?;
    let channel = crate::channel::module(lua)?;
    spawner::install(lua, &process)?;
    globals.set("process", process.clone())?;
    globals.set("channel", channel.clone())?;
    let co: Table = globals.get("coroutine")?;
    co.set("spawn", lua.create_function(process::coroutine_spawn)?)?;
    globals.set("subscribe", lua.create_function(process::subscribe)?)?;
    globals.set("unsubscribe", lua.create_function(process::unsubscribe)?)?;
    globals.set("errors", errors::module(lua)?)?;
    globals.set("payload", payload::module(lua)?)?;
    let os: Table = globals.get("os")?;
    os.set("platform", "wippy")?;
    // Wippy's stub `package`: nothing can be loaded from files.
    let package = lua.create_table()?;
    package.set("path", "")?;
    package.set("cpath", "")?;
    package.set(
        "loadlib",
        lua.create_function(|_, _: mlua::MultiValue| {
            Ok((
                mlua::Value::Nil,
                "loadlib is not available in a Troupe process",
            ))
        })?,
    )?;
    globals.set("package", package)?;
    m.insert("time", time::module(lua)?.into_lua(lua)?);
    m.insert("json", json::module(lua)?.into_lua(lua)?);
    m.insert("logger", logger::module(lua)?.into_lua(lua)?);
    m.insert("uuid", uuid::module(lua)?.into_lua(lua)?);
    m.insert("funcs", funcs::module(lua)?.into_lua(lua)?);
    m.insert("security", security::module(lua)?.into_lua(lua)?);
    m.insert("ctx", ctx::module(lua)?.into_lua(lua)?);
    m.insert("registry", registry::module(lua)?.into_lua(lua)?);
    m.insert("env", env::module(lua)?.into_lua(lua)?);
    m.insert("events", events::module(lua)?.into_lua(lua)?);
    m.insert("system", system::module(lua)?.into_lua(lua)?);
    globals.set("require", lua.create_function(require::require)?)?;
    Ok(m)
}
