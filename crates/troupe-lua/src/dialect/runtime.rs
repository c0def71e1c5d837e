//! Runtime type values (WIPPY-API.md §1): what `local X = __troupe_type("X", "<shape>")`
//! — the line the rewrite puts before a `type X = ...` used as a value — makes.
//!
//! A type value is a userdata (its metatable locked, as every userdata's: `sandbox.rs`):
//! - `X:is(v)` → `v, nil` when `v` conforms, else `nil, err` (kind `INVALID`, the message
//!   says where and why: `type User: field age: expected number, got string`);
//! - `X(v)` → `v`, or raises that message (a validating cast; no conversion);
//! - `X:kind()` → `"record"`, `"array"`, `"map"`, `"union"`, `"intersection"`,
//!   `"optional"`, `"literal"` or the primitive's name (`"string"`, `"integer"`, ...);
//! - `X:fields()` → a fresh table field name → type value (records), else `nil`;
//! - `X:elem()` → the element type of an array or optional, the value type of a map, else
//!   `nil`; `X:name()` → the declared name; `tostring(X)` → the type as text.
//!
//! `__troupe_type` is a shared, frozen global; the shape text it reads is bounded
//! ([`MAX_SHAPE_DEPTH`], [`MAX_SHAPE_NODES`], JSON's own nesting limit) and the Rust heap a
//! type value holds is charged to the process that made it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use mlua::{Lua, MetaMethod, MultiValue, UserData, UserDataMethods, Value};
use troupe_kernel::ErrorKind;

use super::shape::{MAX_SHAPE_DEPTH, MAX_SHAPE_NODES, Shape};
use crate::modules::errors::nil_error;

/// The global that makes type values (called by rewritten sources).
pub const CONSTRUCTOR: &str = "__troupe_type";

/// Parsed shapes by their text, per worker thread: a spawn of an entry with types parses
/// them once. At most this many bytes of shape text are kept (then it starts over).
const CACHE_BYTES: usize = 1 << 20;

thread_local! {
    static CACHE: RefCell<(usize, HashMap<String, Rc<Shape>>)> = RefCell::new((0, HashMap::new()));
}

/// A runtime type.
pub struct TypeValue {
    name: Rc<str>,
    shape: Rc<Shape>,
    /// Charges the shape's Rust heap to the process that made the value.
    #[allow(dead_code)]
    held: Option<Rc<crate::process::Held>>,
}

impl TypeValue {
    fn new(name: Rc<str>, shape: Rc<Shape>, bytes: usize) -> TypeValue {
        TypeValue {
            name,
            shape,
            held: crate::process::hold(bytes),
        }
    }

    fn sub(&self, shape: &Shape) -> TypeValue {
        let text_len = serde_json::to_string(shape).map(|s| s.len()).unwrap_or(0);
        TypeValue::new(self.name.clone(), Rc::new(shape.clone()), text_len * 4)
    }

    fn mismatch(&self, m: &super::shape::Mismatch) -> String {
        format!("type {}: {m}", self.name)
    }
}

impl UserData for TypeValue {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("is", |lua, t, v: Value| match t.shape.check(&v) {
            Ok(()) => Ok(MultiValue::from_iter([v, Value::Nil])),
            Err(e) => nil_error(lua, ErrorKind::Invalid, t.mismatch(&e)),
        });
        m.add_meta_method(MetaMethod::Call, |_, t, v: Value| match t.shape.check(&v) {
            Ok(()) => Ok(v),
            Err(e) => Err(mlua::Error::runtime(t.mismatch(&e))),
        });
        m.add_method("kind", |_, t, ()| Ok(t.shape.kind()));
        m.add_method("name", |_, t, ()| Ok(t.name.to_string()));
        m.add_method("fields", |lua, t, ()| match &*t.shape {
            Shape::Record { fields, .. } => {
                let out = lua.create_table()?;
                for f in fields {
                    let shape = if f.optional {
                        Shape::Optional {
                            of: Box::new(f.shape.clone()),
                        }
                    } else {
                        f.shape.clone()
                    };
                    out.raw_set(f.name.as_str(), t.sub(&shape))?;
                }
                Ok(Some(out))
            }
            _ => Ok(None),
        });
        m.add_method("elem", |_, t, ()| {
            Ok(match &*t.shape {
                Shape::Array { of } | Shape::Optional { of } => Some(t.sub(of)),
                Shape::Map { val, .. } => Some(t.sub(val)),
                _ => None,
            })
        });
        m.add_meta_method(MetaMethod::ToString, |_, t, ()| Ok(t.shape.describe()));
    }
}

/// `__troupe_type(name, shape_json)`: a type value.
///
/// Errors (raised): arguments not strings, a shape text that does not parse or is over
/// the bounds.
fn construct(_: &Lua, (name, text): (mlua::LuaString, mlua::LuaString)) -> mlua::Result<TypeValue> {
    let name: Rc<str> = Rc::from(name.to_str()?.as_ref());
    let text = text.to_str()?;
    let text: &str = text.as_ref();
    let cached = CACHE.with(|c| c.borrow().1.get(text).cloned());
    let shape = match cached {
        Some(s) => s,
        None => {
            let shape: Shape = serde_json::from_str(text)
                .map_err(|e| mlua::Error::runtime(format!("{CONSTRUCTOR}: bad shape: {e}")))?;
            let mut nodes = 0;
            let depth = shape.size(0, &mut nodes);
            if depth > MAX_SHAPE_DEPTH || nodes > MAX_SHAPE_NODES {
                return Err(mlua::Error::runtime(format!(
                    "{CONSTRUCTOR}: shape too large (at most {MAX_SHAPE_DEPTH} levels and {MAX_SHAPE_NODES} parts)"
                )));
            }
            let shape = Rc::new(shape);
            CACHE.with(|c| {
                let mut c = c.borrow_mut();
                if c.0 + text.len() > CACHE_BYTES {
                    c.0 = 0;
                    c.1.clear();
                }
                if text.len() <= CACHE_BYTES {
                    c.0 += text.len();
                    c.1.insert(text.to_string(), shape.clone());
                }
            });
            shape
        }
    };
    Ok(TypeValue::new(name, shape, text.len() * 4))
}

/// Install the constructor global. Call before the globals are sealed.
///
/// Errors: Lua memory errors.
pub fn install(lua: &Lua, globals: &mlua::Table) -> mlua::Result<()> {
    globals.raw_set(CONSTRUCTOR, lua.create_function(construct)?)
}
