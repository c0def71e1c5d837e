//! The `json` module: `encode(v)` → string or `nil, err`; `decode(s)` → value or
//! `nil, err`. Both follow the deep-copy rules of SPEC §3.2 (`troupe_kernel::copy`):
//!
//! - `encode` copies `v` with the bounded copy (a cycle, more than 512 levels or more than
//!   `max_message` bytes is `nil, err` of kind `INVALID` naming the rule), and the text it
//!   writes is bounded by `max_message` bytes too (escaping can make text longer than the
//!   value).
//! - `decode` builds the value directly from the text with the same rules: at most 512
//!   levels of arrays/objects and `max_message` bytes of value. `null` decodes to nil and
//!   sequences encode as arrays, as for messages.

use std::fmt;

use mlua::{Lua, MultiValue, Table, Value as LuaValue};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use troupe_kernel::copy::Budget;
use troupe_kernel::{CopyError, ErrorKind, Value};

use crate::convert::to_lua;
use crate::limits;
use crate::modules::errors::nil_error;

/// Most levels of arrays/objects `json.encode` writes (as Wippy: deeper is `nil, err`).
const MAX_ENCODE_DEPTH: usize = 128;

/// Build the module table.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "encode",
        lua.create_function(|lua, v: LuaValue| {
            let v = match limits::copy(&v) {
                Ok(v) => v,
                Err(e) => return nil_error(lua, ErrorKind::Internal, format!("json.encode: {e}")),
            };
            if troupe_kernel::copy::depth(&v) > MAX_ENCODE_DEPTH {
                return nil_error(
                    lua,
                    ErrorKind::Internal,
                    format!("json.encode: nested deeper than {MAX_ENCODE_DEPTH} levels"),
                );
            }
            if let Err(e) = check_keys(&v) {
                return nil_error(lua, ErrorKind::Internal, e);
            }
            match encode(&v, limits::max_message()) {
                Ok(s) => Ok(MultiValue::from_iter([
                    LuaValue::String(lua.create_string(s)?),
                    LuaValue::Nil,
                ])),
                Err(e) => nil_error(lua, ErrorKind::Internal, e),
            }
        })?,
    )?;
    t.set(
        "decode",
        lua.create_function(|lua, s: LuaValue| {
            let s = match &s {
                LuaValue::String(s) if !s.as_bytes().is_empty() => s.clone(),
                LuaValue::String(_) => {
                    return nil_error(lua, ErrorKind::Invalid, "json.decode: empty string");
                }
                other => {
                    return nil_error(
                        lua,
                        ErrorKind::Invalid,
                        format!("json.decode: expected a string, got {}", other.type_name()),
                    );
                }
            };
            match decode(&s.as_bytes(), limits::max_message()) {
                Ok(v) => Ok(MultiValue::from_iter([to_lua(lua, &v)?, LuaValue::Nil])),
                Err(e) => nil_error(lua, ErrorKind::Internal, e),
            }
        })?,
    )?;
    t.set(
        "validate",
        lua.create_function(|lua, (schema, data): (LuaValue, LuaValue)| {
            let data = match limits::copy(&data) {
                Ok(v) => to_json(&v),
                Err(e) => return nil_error(lua, ErrorKind::Invalid, format!("json.validate: {e}")),
            };
            validate(lua, &schema, &data)
        })?,
    )?;
    t.set(
        "validate_string",
        lua.create_function(|lua, (schema, text): (LuaValue, mlua::LuaString)| {
            let data: serde_json::Value = match serde_json::from_slice(&text.as_bytes()) {
                Ok(v) => v,
                Err(e) => {
                    return Ok(MultiValue::from_iter([
                        LuaValue::Boolean(false),
                        crate::modules::errors::new_error(
                            lua,
                            ErrorKind::Invalid,
                            format!("json.validate_string: the data is not JSON: {e}"),
                        )?,
                    ]));
                }
            };
            validate(lua, &schema, &data)
        })?,
    )?;
    Ok(t)
}

/// The JSON Schema in `schema` (a table or JSON text).
fn schema_of(schema: &LuaValue) -> Result<serde_json::Value, String> {
    match schema {
        LuaValue::String(s) => serde_json::from_slice(&s.as_bytes())
            .map_err(|e| format!("the schema is not JSON: {e}")),
        other => limits::copy(other)
            .map(|v| to_json(&v))
            .map_err(|e| format!("the schema: {e}")),
    }
}

/// `true`, or `false, err` (Invalid) listing the first violations.
fn validate(lua: &Lua, schema: &LuaValue, data: &serde_json::Value) -> mlua::Result<MultiValue> {
    let fail = |lua: &Lua, msg: String| -> mlua::Result<MultiValue> {
        Ok(MultiValue::from_iter([
            LuaValue::Boolean(false),
            crate::modules::errors::new_error(lua, ErrorKind::Invalid, msg)?,
        ]))
    };
    let schema = match schema_of(schema) {
        Ok(s) => s,
        Err(e) => return fail(lua, format!("json.validate: {e}")),
    };
    let validator = match jsonschema::validator_for(&schema) {
        Ok(v) => v,
        Err(e) => return fail(lua, format!("json.validate: invalid schema: {e}")),
    };
    let errors: Vec<String> = validator
        .iter_errors(data)
        .take(8)
        .map(|e| {
            let at = e.instance_path.to_string();
            if at.is_empty() {
                e.to_string()
            } else {
                format!("{at}: {e}")
            }
        })
        .collect();
    if errors.is_empty() {
        Ok(MultiValue::from_iter([LuaValue::Boolean(true)]))
    } else {
        fail(lua, format!("validation failed: {}", errors.join("; ")))
    }
}

/// As Wippy's `json.encode`: a table is an array (keys exactly `1..n`, which the copy
/// already made a [`Value::Array`]) or an object (string keys only); a sparse array, mixed
/// keys or any other key type cannot be encoded.
///
/// Errors: text naming the offending key. Recursion is bounded by the caller's depth check
/// ([`MAX_ENCODE_DEPTH`]).
fn check_keys(v: &Value) -> Result<(), String> {
    match v {
        Value::Array(a) => a.iter().try_for_each(check_keys),
        Value::Map(m) => m.iter().try_for_each(|(k, x)| match k {
            Value::Str(_) => check_keys(x),
            other => Err(format!(
                "json.encode: cannot encode a table with a {} key ({}): a sparse array or \
                 mixed keys; tables must be sequences or have only string keys",
                match other {
                    Value::Int(_) | Value::Float(_) => "number",
                    Value::Bool(_) => "boolean",
                    _ => "non-string",
                },
                other.display()
            )),
        }),
        _ => Ok(()),
    }
}

/// JSON of a value as Wippy's `json.encode` writes it: an empty table is `[]`, errors are
/// their text, NaN and infinities are null.
pub fn to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Map(m) if m.is_empty() => J::Array(Vec::new()),
        Value::Array(a) => J::Array(a.iter().map(to_json).collect()),
        Value::Map(m) => J::Object(
            m.iter()
                .map(|(k, x)| {
                    let key = match k {
                        Value::Str(_) => k
                            .as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| k.display()),
                        other => other.display(),
                    };
                    (key, to_json(x))
                })
                .collect(),
        ),
        other => other.to_json(),
    }
}

/// A `Vec` writer that refuses to grow past `max` bytes.
struct Limited {
    buf: Vec<u8>,
    max: u64,
    over: bool,
}

impl std::io::Write for Limited {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if (self.buf.len() + b.len()) as u64 > self.max {
            self.over = true;
            return Err(std::io::Error::other("too large"));
        }
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// JSON text of `v`, at most `max_bytes` long.
///
/// Errors: the text would be longer (message names `max_message`), or serialization failed.
pub fn encode(v: &Value, max_bytes: u64) -> Result<Vec<u8>, String> {
    let mut w = Limited {
        buf: Vec::new(),
        max: max_bytes,
        over: false,
    };
    match serde_json::to_writer(&mut w, &to_json(v)) {
        Ok(()) => Ok(w.buf),
        Err(_) if w.over => Err(format!(
            "json.encode: the text is larger than max_message ({max_bytes} bytes, SPEC §3.2)"
        )),
        Err(e) => Err(format!("json.encode: {e}")),
    }
}

/// Decode JSON text into a value under the copy rules (512 levels, `max_bytes`).
///
/// Errors: malformed JSON (with line and column), or a refused copy naming the rule.
pub fn decode(text: &[u8], max_bytes: u64) -> Result<Value, String> {
    let mut st = State {
        budget: Budget::new(max_bytes),
        refused: None,
    };
    let mut de = serde_json::Deserializer::from_slice(text);
    // The seed checks the depth itself (512, not serde_json's 128), before recursing.
    de.disable_recursion_limit();
    let r = Seed {
        st: &mut st,
        depth: 0,
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v));
    match (r, st.refused) {
        (_, Some(e)) => Err(format!("json.decode: {e}")),
        (Ok(v), None) => Ok(v),
        (Err(e), None) => Err(format!("json.decode: {e}")),
    }
}

struct State<'b> {
    budget: Budget<'b>,
    refused: Option<CopyError>,
}

/// Builds one value at nesting `depth` (the number of arrays/objects around it).
struct Seed<'s, 'b> {
    st: &'s mut State<'b>,
    depth: usize,
}

impl Seed<'_, '_> {
    fn charge<E: de::Error>(&mut self, r: Result<(), CopyError>) -> Result<(), E> {
        r.map_err(|e| {
            let m = e.to_string();
            self.st.refused = Some(e);
            E::custom(m)
        })
    }

    fn scalar<E: de::Error>(mut self, extra: u64, v: Value) -> Result<Value, E> {
        let r = self.st.budget.value(extra);
        self.charge(r)?;
        Ok(v)
    }

    fn open<E: de::Error>(&mut self) -> Result<(), E> {
        let r = self
            .st
            .budget
            .enter(self.depth + 1)
            .and_then(|()| self.st.budget.value(0));
        self.charge(r)
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_, '_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.scalar(0, Value::Nil)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        self.scalar(0, Value::Bool(b))
    }
    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Value, E> {
        self.scalar(0, Value::Int(i))
    }
    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        let v = i64::try_from(u)
            .map(Value::Int)
            .unwrap_or(Value::Float(u as f64));
        self.scalar(0, v)
    }
    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        self.scalar(0, Value::Float(f))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        self.visit_string(s.to_string())
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        let n = s.len() as u64;
        self.scalar(n, Value::Str(s.into_bytes()))
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Value, A::Error> {
        self.open()?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Seed {
            st: &mut *self.st,
            depth: self.depth + 1,
        })? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Value, A::Error> {
        self.open()?;
        let mut out = Vec::new();
        while let Some(k) = map.next_key::<String>()? {
            let r = self.st.budget.value(k.len() as u64);
            self.charge(r)?;
            let v = map.next_value_seed(Seed {
                st: &mut *self.st,
                depth: self.depth + 1,
            })?;
            out.push((Value::Str(k.into_bytes()), v));
        }
        Ok(Value::Map(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use troupe_kernel::copy::MAX_DEPTH;

    #[test]
    fn decode_follows_the_copy_rules() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert_eq!(
            troupe_kernel::copy::depth(&decode(deep(MAX_DEPTH).as_bytes(), u64::MAX).unwrap()),
            MAX_DEPTH
        );
        let e = decode(deep(MAX_DEPTH + 1).as_bytes(), u64::MAX).unwrap_err();
        assert!(e.contains("deeper than 512 levels"), "{e}");
        let e = decode(b"[\"aaaaaaaa\", 1, 2, 3]", 64).unwrap_err();
        assert!(e.contains("max_message (64 bytes"), "{e}");
        assert!(decode(b"[1, 2", u64::MAX).unwrap_err().contains("EOF"));
        assert!(decode(b"1 2", u64::MAX).unwrap_err().contains("trailing"));
        assert_eq!(
            decode(
                br#"{"a": [1, 2.5, null, true, "x"], "b": 18446744073709551615}"#,
                u64::MAX
            )
            .unwrap(),
            Value::Map(vec![
                (
                    Value::str("a"),
                    Value::Array(vec![
                        Value::Int(1),
                        Value::Float(2.5),
                        Value::Nil,
                        Value::Bool(true),
                        Value::str("x")
                    ])
                ),
                (Value::str("b"), Value::Float(u64::MAX as f64)),
            ])
        );
    }

    #[test]
    fn only_sequences_and_string_keyed_tables_encode() {
        let arr = Value::Array(vec![
            Value::Int(1),
            Value::Map(vec![(Value::str("a"), Value::Nil)]),
        ]);
        assert!(check_keys(&arr).is_ok());
        let sparse = Value::Map(vec![
            (Value::Int(1), Value::Int(1)),
            (Value::Int(3), Value::Int(3)),
        ]);
        assert!(check_keys(&sparse).unwrap_err().contains("number key (1)"));
        let mixed = Value::Map(vec![
            (Value::str("x"), Value::Int(1)),
            (Value::Int(1), Value::Int(1)),
        ]);
        assert!(check_keys(&Value::Array(vec![mixed])).is_err());
        let boolean = Value::Map(vec![(Value::Bool(true), Value::Int(1))]);
        assert!(check_keys(&boolean).unwrap_err().contains("boolean key"));
    }

    #[test]
    fn encode_bounds_the_text() {
        let v = Value::Str(vec![1u8; 100]);
        assert_eq!(encode(&v, 1000).unwrap().len(), 602);
        let e = encode(&v, 600).unwrap_err();
        assert!(e.contains("max_message (600 bytes"), "{e}");
    }
}
