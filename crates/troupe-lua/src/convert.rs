//! Lua ⇄ [`Value`] conversion: the deep copy of SPEC §3.2, bounded and faithful.
//!
//! [`to_value`] copies a Lua value into a kernel [`Value`]: tables become arrays (when
//! their keys are exactly `1..n`) or maps; error objects keep their kind; functions,
//! threads, channels, vectors, buffers and other userdata become nil (an entry whose *key*
//! becomes nil is left out, as Lua cannot hold a nil key). Nothing else is dropped or cut:
//! a cycle, nesting deeper than [`MAX_DEPTH`] or a copy larger than its [`Budget`] is a
//! [`CopyError`] (see `troupe_kernel::copy` for the cost model), found as the copy is
//! built. Shared sub-tables that are not cycles are copied each time they occur (as Erlang
//! copies terms), each copy charged to the budget. The copy reads tables raw (no
//! metamethod runs) and recurses at most [`MAX_DEPTH`] levels.
//!
//! [`to_lua`] builds the Lua value back; it refuses (instead of overflowing the stack) a
//! value nested deeper than twice [`MAX_DEPTH`], which no copy can build.

use std::collections::HashSet;
use std::ffi::c_void;

use mlua::{Lua, Table, Value as LuaValue};
use troupe_kernel::copy::{Budget, ERROR_BYTES, MAX_DEPTH};
use troupe_kernel::{CopyError, ErrorKind, ProcessError, Value};

use crate::modules::errors::LuaError;

/// How many levels of the current path are checked for cycles by a scan of an inline
/// array; deeper levels go into a hash set.
const SHALLOW: usize = 32;

/// Deep-copy a Lua value, charging `budget`.
///
/// Errors: [`CopyError::Cycle`], [`CopyError::TooDeep`], [`CopyError::TooLarge`], or
/// [`CopyError::Failed`] (the budget's stop check fired, or Lua could not read a table).
pub fn to_value(v: &LuaValue, budget: &mut Budget) -> Result<Value, CopyError> {
    Copier::new(budget).copy(v, 0)
}

/// Deep-copy several values as one copy (one budget): the arguments of a call or spawn.
///
/// Errors: as [`to_value`].
pub fn to_values<'v>(
    vs: impl IntoIterator<Item = &'v LuaValue>,
    budget: &mut Budget,
) -> Result<Vec<Value>, CopyError> {
    let mut c = Copier::new(budget);
    vs.into_iter().map(|v| c.copy(v, 0)).collect()
}

/// The tables on the path from the copy's root to the table being copied.
struct Copier<'b, 'a> {
    budget: &'b mut Budget<'a>,
    shallow: [*const c_void; SHALLOW],
    len: usize,
    deep: HashSet<*const c_void>,
}

/// The Payload `ud` is, if it is one (a tagged userdata, `crate::tagged`).
fn payload_of(ud: &mlua::AnyUserData) -> Option<crate::modules::payload::LuaPayload> {
    let lua = ud.weak_lua().try_upgrade()?;
    crate::modules::payload::as_payload(&lua, &LuaValue::UserData(ud.clone()))
        .ok()
        .flatten()
}

impl<'b, 'a> Copier<'b, 'a> {
    fn new(budget: &'b mut Budget<'a>) -> Self {
        Copier {
            budget,
            shallow: [std::ptr::null(); SHALLOW],
            len: 0,
            deep: HashSet::new(),
        }
    }

    /// Copy `v`, which sits inside `depth` tables.
    fn copy(&mut self, v: &LuaValue, depth: usize) -> Result<Value, CopyError> {
        Ok(match v {
            LuaValue::Nil => {
                self.budget.value(0)?;
                Value::Nil
            }
            LuaValue::Boolean(b) => {
                self.budget.value(0)?;
                Value::Bool(*b)
            }
            LuaValue::Integer(i) => {
                self.budget.value(0)?;
                Value::Int(*i)
            }
            LuaValue::Number(n) => {
                self.budget.value(0)?;
                number(*n)
            }
            LuaValue::String(s) => {
                let b = s.as_bytes();
                self.budget.value(b.len() as u64)?;
                Value::Str(b.to_vec())
            }
            LuaValue::Table(t) => self.table(t, depth + 1)?,
            LuaValue::UserData(ud) => self.userdata(ud)?,
            LuaValue::Error(e) => {
                let e = crate::error_to_process(e);
                self.budget.value(ERROR_BYTES + e.message.len() as u64)?;
                Value::Error(Box::new(e))
            }
            _ => {
                self.budget.value(0)?;
                Value::Nil
            }
        })
    }

    /// A userdata: an error object keeps its kind, a Payload travels as its value, any
    /// other becomes nil. Out of line, so that [`Copier::copy`]'s frame (one per nesting
    /// level) stays small.
    #[inline(never)]
    fn userdata(&mut self, ud: &mlua::AnyUserData) -> Result<Value, CopyError> {
        Ok(match ud.borrow::<LuaError>() {
            Ok(e) => {
                let details =
                    e.0.details
                        .as_deref()
                        .map_or(0, troupe_kernel::copy::footprint);
                self.budget
                    .value(ERROR_BYTES + e.0.message.len() as u64 + details)?;
                Value::Error(Box::new(e.0.clone()))
            }
            Err(_) => match payload_of(ud) {
                // A Payload travels as its value (decoded when it holds another format).
                Some(p) => {
                    let v = p.value().map_err(|e| {
                        CopyError::Failed(Box::new(ProcessError::new(ErrorKind::Internal, e)))
                    })?;
                    self.budget.charge(troupe_kernel::copy::footprint(&v))?;
                    v.into_owned()
                }
                None => {
                    self.budget.value(0)?;
                    Value::Nil
                }
            },
        })
    }

    fn on_path(&self, p: *const c_void) -> bool {
        self.shallow[..self.len.min(SHALLOW)].contains(&p) || self.deep.contains(&p)
    }

    /// Copy table `t` at nesting level `depth` (1 = outermost).
    fn table(&mut self, t: &Table, depth: usize) -> Result<Value, CopyError> {
        self.budget.enter(depth)?;
        self.budget.value(0)?;
        let p = t.to_pointer();
        if self.on_path(p) {
            return Err(CopyError::Cycle);
        }
        if self.len < SHALLOW {
            self.shallow[self.len] = p;
        } else {
            self.deep.insert(p);
        }
        self.len += 1;
        let r = self.entries(t, depth);
        self.len -= 1;
        if self.len >= SHALLOW {
            self.deep.remove(&p);
        }
        r
    }

    fn entries(&mut self, t: &Table, depth: usize) -> Result<Value, CopyError> {
        // Keys 1, 2, 3, … in order build an array without key values; anything else turns
        // the copy into a map (and a map whose keys are exactly 1..n back into an array).
        let mut arr: Vec<Value> = Vec::new();
        let mut map: Vec<(Value, Value)> = Vec::new();
        let mut seq = true;
        let mut refused: Option<CopyError> = None;
        let read = t.for_each::<LuaValue, LuaValue>(|k, v| {
            let step = (|| {
                if copied_as_nil(&k) {
                    return Ok(());
                }
                if seq && index(&k) == Some(arr.len() as i64 + 1) {
                    arr.push(self.copy(&v, depth)?);
                    return Ok(());
                }
                if seq {
                    seq = false;
                    map.reserve(arr.len() + 1);
                    for (i, x) in arr.drain(..).enumerate() {
                        self.budget.value(0)?;
                        map.push((Value::Int(i as i64 + 1), x));
                    }
                }
                let key = self.copy(&k, depth)?;
                let val = self.copy(&v, depth)?;
                map.push((key, val));
                Ok(())
            })();
            step.map_err(|e| {
                refused = Some(e);
                mlua::Error::runtime("copy refused")
            })
        });
        if let Some(e) = refused {
            return Err(e);
        }
        if let Err(e) = read {
            return Err(CopyError::Failed(Box::new(ProcessError::new(
                ErrorKind::Internal,
                format!("cannot read a table to copy it: {e}"),
            ))));
        }
        if seq {
            return Ok(if arr.is_empty() {
                Value::Map(map)
            } else {
                Value::Array(arr)
            });
        }
        Ok(into_array(map))
    }
}

/// A key whose copy would be nil (the entry is left out).
fn copied_as_nil(k: &LuaValue) -> bool {
    match k {
        LuaValue::UserData(ud) => !ud.is::<LuaError>(),
        LuaValue::Nil
        | LuaValue::Boolean(_)
        | LuaValue::Integer(_)
        | LuaValue::Number(_)
        | LuaValue::String(_)
        | LuaValue::Table(_)
        | LuaValue::Error(_) => false,
        _ => true,
    }
}

/// A key's integer value, as the copy would make it.
fn index(k: &LuaValue) -> Option<i64> {
    match k {
        LuaValue::Integer(i) => Some(*i),
        LuaValue::Number(n) => match number(*n) {
            Value::Int(i) => Some(i),
            _ => None,
        },
        _ => None,
    }
}

/// A map whose keys are exactly the integers `1..n` (in any order) as an array.
fn into_array(map: Vec<(Value, Value)>) -> Value {
    let n = map.len() as i64;
    if n == 0
        || !map
            .iter()
            .all(|(k, _)| matches!(k, Value::Int(i) if (1..=n).contains(i)))
    {
        return Value::Map(map);
    }
    // Keys of a Lua table are distinct, so the n keys in 1..=n are each of them once.
    let mut arr = vec![Value::Nil; map.len()];
    for (k, v) in map {
        if let Value::Int(i) = k {
            arr[i as usize - 1] = v;
        }
    }
    Value::Array(arr)
}

/// A Lua number: integral values in the exactly representable range are integers
/// (negative zero stays a float, so it survives the copy).
pub(crate) fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 && !(n == 0.0 && n.is_sign_negative()) {
        Value::Int(n as i64)
    } else {
        Value::Float(n)
    }
}

/// Deepest value [`to_lua`] builds: no copy builds one deeper.
pub const MAX_BUILD_DEPTH: usize = 2 * MAX_DEPTH;

/// Build a Lua value from a [`Value`].
///
/// Errors: Lua memory errors; a value nested deeper than [`MAX_BUILD_DEPTH`].
pub fn to_lua(lua: &Lua, v: &Value) -> mlua::Result<LuaValue> {
    build(lua, v, 0)
}

fn build(lua: &Lua, v: &Value, depth: usize) -> mlua::Result<LuaValue> {
    Ok(match v {
        Value::Nil => LuaValue::Nil,
        Value::Bool(b) => LuaValue::Boolean(*b),
        Value::Int(i) => LuaValue::Number(*i as f64),
        Value::Float(f) => LuaValue::Number(*f),
        Value::Str(s) => LuaValue::String(lua.create_string(s)?),
        Value::Array(_) | Value::Map(_) if depth >= MAX_BUILD_DEPTH => {
            return Err(mlua::Error::external(ProcessError::new(
                ErrorKind::Invalid,
                format!("cannot build a value nested deeper than {MAX_BUILD_DEPTH} levels"),
            )));
        }
        Value::Array(a) => {
            let t = lua.create_table_with_capacity(a.len(), 0)?;
            for (i, x) in a.iter().enumerate() {
                t.raw_set(i + 1, build(lua, x, depth + 1)?)?;
            }
            LuaValue::Table(t)
        }
        Value::Map(m) => {
            let t = lua.create_table_with_capacity(0, m.len())?;
            for (k, x) in m {
                let k = build(lua, k, depth + 1)?;
                if !k.is_nil() {
                    t.raw_set(k, build(lua, x, depth + 1)?)?;
                }
            }
            LuaValue::Table(t)
        }
        Value::Error(e) => LuaValue::UserData(lua.create_userdata(LuaError::new((**e).clone()))?),
    })
}

/// Deep-copy a Lua value into JSON (security `meta`, registry criteria), by the same
/// bounded copy as messages: `max_message` bytes at most, no cycles, at most
/// [`MAX_DEPTH`] levels.
///
/// Errors: the [`CopyError`] as a Lua error (an `INVALID` error object when raised).
pub fn to_json(v: &LuaValue) -> mlua::Result<serde_json::Value> {
    let value = crate::limits::copy(v).map_err(copy_error)?;
    Ok(value.to_json())
}

/// A refused copy as a Lua error that keeps its kind when raised.
pub fn copy_error(e: CopyError) -> mlua::Error {
    mlua::Error::external(ProcessError::from(e))
}

/// A JSON object (entry `meta`, an actor's `meta`) as a plain Lua table, by the same
/// conversion as messages and `json.decode`: a YAML/JSON null is nil, not mlua's `NULL`
/// sentinel (a light userdata, which is truthy and `~= nil`).
///
/// Errors: Lua memory errors.
pub fn json_object(
    lua: &Lua,
    o: &serde_json::Map<String, serde_json::Value>,
) -> mlua::Result<LuaValue> {
    to_lua(lua, &Value::from(&serde_json::Value::Object(o.clone())))
}

/// A float's text as Lua 5.3 prints it: integral values without a fraction (`1.0` → `"1"`,
/// as Wippy's `tostring`), others with the shortest round-trip digits.
pub fn number_text(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else if n.is_nan() {
        "nan".to_string()
    } else if n.is_infinite() {
        if n > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        format!("{n}")
    }
}
