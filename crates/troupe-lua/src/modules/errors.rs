//! The `errors` module (SPEC §5): error objects with a kind and a message.
//! `errors.new(kind, message)`, `errors.new(message)`, `errors.new{kind=, message=}`;
//! methods `:kind()`, `:message()`, `tostring(err)`; constants `errors.NOT_FOUND`, ….

use mlua::{Lua, MetaMethod, MultiValue, Table, UserData, UserDataMethods, Value as LuaValue};
use troupe_kernel::{ErrorKind, ProcessError};

/// Lua userdata wrapping a [`ProcessError`].
#[derive(Debug, Clone)]
pub struct LuaError(pub ProcessError);

impl UserData for LuaError {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("kind", |_, e, ()| Ok(e.0.kind.as_str()));
        m.add_method("message", |_, e, ()| Ok(e.0.message.clone()));
        m.add_meta_method(MetaMethod::ToString, |_, e, ()| Ok(e.0.message.clone()));
        m.add_meta_method(MetaMethod::Eq, |_, a, b: mlua::UserDataRef<LuaError>| {
            Ok(a.0 == b.0)
        });
    }
}

/// Make an error userdata value.
pub fn new_error(lua: &Lua, kind: ErrorKind, msg: impl Into<String>) -> mlua::Result<LuaValue> {
    Ok(LuaValue::UserData(
        lua.create_userdata(LuaError(ProcessError::new(kind, msg)))?,
    ))
}

/// `nil, err`: the failure half of the `value, err` convention (SPEC §5).
///
/// Errors: Lua memory errors.
pub fn nil_error(lua: &Lua, kind: ErrorKind, msg: impl Into<String>) -> mlua::Result<MultiValue> {
    Ok(MultiValue::from_iter([
        LuaValue::Nil,
        new_error(lua, kind, msg)?,
    ]))
}

/// Build the module table.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    for k in ErrorKind::ALL {
        t.set(k.as_str(), k.as_str())?;
    }
    t.set(
        "new",
        lua.create_function(|lua, (a, b): (LuaValue, Option<String>)| {
            let (kind, msg) = match (&a, b) {
                (LuaValue::Table(t), _) => {
                    let kind: Option<String> = t.get("kind")?;
                    let msg: Option<String> = t.get("message")?;
                    (
                        kind.and_then(|k| ErrorKind::parse(&k))
                            .unwrap_or(ErrorKind::Unknown),
                        msg.unwrap_or_default(),
                    )
                }
                (LuaValue::String(s), Some(m)) => {
                    let s = s.to_str()?.to_string();
                    match ErrorKind::parse(&s) {
                        Some(k) => (k, m),
                        None => {
                            return Err(mlua::Error::runtime(format!(
                                "errors.new: unknown error kind {s:?}"
                            )));
                        }
                    }
                }
                (LuaValue::String(s), None) => (ErrorKind::Unknown, s.to_str()?.to_string()),
                _ => {
                    return Err(mlua::Error::runtime(
                        "errors.new: expected (kind, message), (message) or {kind=, message=}",
                    ));
                }
            };
            new_error(lua, kind, msg)
        })?,
    )?;
    t.set(
        "is",
        lua.create_function(|_, (e, kind): (LuaValue, String)| {
            Ok(match e {
                LuaValue::UserData(ud) => ud
                    .borrow::<LuaError>()
                    .map(|e| e.0.kind.as_str() == kind)
                    .unwrap_or(false),
                _ => false,
            })
        })?,
    )?;
    Ok(t)
}
