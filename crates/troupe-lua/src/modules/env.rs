//! The `env` module (SPEC §5): `get(name)` → `value, err` for the environment variables
//! the application allows in `troupe.yaml`:
//!
//! ```yaml
//! env: [HOME, APP_*]     # exact names, or prefixes ending in *
//! ```
//!
//! A name the app does not allow answers `nil, err` of kind `PERMISSION_DENIED`; an
//! allowed variable that is not set answers `nil, err` of kind `NOT_FOUND`. With actor
//! and scope (or in strict mode) the read is also checked as action `env.get` on the
//! variable name, like the operations of SPEC §7.2.

use mlua::{Lua, MultiValue, Table, Value as LuaValue};
use troupe_kernel::ErrorKind;

use crate::modules::errors::nil_error;
use crate::modules::process::fail;
use crate::process::with_current;

/// Whether `troupe.yaml`'s `env` list allows `name`.
pub fn allowed(list: &[String], name: &str) -> bool {
    list.iter().any(|p| match p.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => p == name,
    })
}

/// Build the module table.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "get",
        lua.create_function(|lua, name: String| {
            with_current(|p| {
                if !allowed(&p.node.registry().node.env, &name) {
                    return nil_error(lua,
                            ErrorKind::PermissionDenied,
                            format!(
                                "environment variable {name} is not allowed: list it under `env` in troupe.yaml"
                            ));
                }
                if let Err(e) = p.node.check(Some(&p.handle), "env.get", || name.clone()) {
                    return fail(lua, LuaValue::Nil, &e);
                }
                match std::env::var(&name) {
                    Ok(v) => Ok(MultiValue::from_iter([LuaValue::String(
                        lua.create_string(v)?,
                    )])),
                    Err(_) => nil_error(lua,
                            ErrorKind::NotFound,
                            format!("environment variable {name} is not set")),
                }
            })
        })?,
    )?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::allowed;

    #[test]
    fn exact_names_and_prefixes() {
        let list = vec!["HOME".to_string(), "APP_*".to_string()];
        assert!(allowed(&list, "HOME"));
        assert!(!allowed(&list, "HOMEDIR"));
        assert!(allowed(&list, "APP_"));
        assert!(allowed(&list, "APP_TOKEN"));
        assert!(!allowed(&list, "PATH"));
        assert!(!allowed(&[], "HOME"));
    }
}
