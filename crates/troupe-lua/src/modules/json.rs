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

/// Build the module table.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "encode",
        lua.create_function(|lua, v: LuaValue| {
            let v = match limits::copy(&v) {
                Ok(v) => v,
                Err(e) => return limits::refused(lua, e),
            };
            match encode(&v, limits::max_message()) {
                Ok(s) => Ok(MultiValue::from_iter([LuaValue::String(
                    lua.create_string(s)?,
                )])),
                Err(e) => nil_error(lua, ErrorKind::Invalid, e),
            }
        })?,
    )?;
    t.set(
        "decode",
        lua.create_function(|lua, s: mlua::LuaString| {
            match decode(&s.as_bytes(), limits::max_message()) {
                Ok(v) => Ok(MultiValue::from_iter([to_lua(lua, &v)?])),
                Err(e) => nil_error(lua, ErrorKind::Invalid, e),
            }
        })?,
    )?;
    Ok(t)
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
    match serde_json::to_writer(&mut w, &v.to_json()) {
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
    fn encode_bounds_the_text() {
        let v = Value::Str(vec![1u8; 100]);
        assert_eq!(encode(&v, 1000).unwrap().len(), 602);
        let e = encode(&v, 600).unwrap_err();
        assert!(e.contains("max_message (600 bytes"), "{e}");
    }
}
