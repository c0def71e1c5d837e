//! The `uuid` module: `v4()`, `v7()` as lowercase hyphenated strings.

use mlua::{Lua, Table};

/// Build the module table.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "v4",
        lua.create_function(|_, ()| Ok(uuid::Uuid::new_v4().to_string()))?,
    )?;
    t.set(
        "v7",
        lua.create_function(|_, ()| Ok(uuid::Uuid::now_v7().to_string()))?,
    )?;
    Ok(t)
}
