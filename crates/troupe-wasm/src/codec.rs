//! Payloads across the wasm boundary (SPEC §6.3): kernel [`Value`]s as MessagePack.
//!
//! | Value | MessagePack |
//! |---|---|
//! | nil, bool, int, float | nil, bool, int, float64 |
//! | string | str when UTF-8, else bin (both decode to a string) |
//! | array / map | array / map |
//! | error object | ext type [`ERROR_EXT`] holding the map `{kind, message}` |
//!
//! Every value the kernel can carry round-trips; a `u64` above `i64::MAX` decodes as a
//! float, as Lua would see it.

use rmpv::Value as Mp;
use troupe_kernel::{ErrorKind, ProcessError, Value};

/// MessagePack extension type of an error object.
pub const ERROR_EXT: i8 = 1;

/// Encode a value.
pub fn encode(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = rmpv::encode::write_value(&mut out, &to_mp(v));
    out
}

/// Encode several values as one array (spawn and call arguments).
pub fn encode_args(args: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = rmpv::encode::write_value(&mut out, &Mp::Array(args.iter().map(to_mp).collect()));
    out
}

/// Decode a value.
///
/// Errors: the bytes are not one complete MessagePack value (message names the cause).
pub fn decode(bytes: &[u8]) -> Result<Value, String> {
    let mut rd = bytes;
    let mp = rmpv::decode::read_value(&mut rd)
        .map_err(|e| format!("invalid MessagePack payload: {e}"))?;
    if !rd.is_empty() {
        return Err(format!(
            "invalid MessagePack payload: {} trailing bytes",
            rd.len()
        ));
    }
    Ok(from_mp(mp))
}

/// Decode an argument array; a non-array payload is one argument.
///
/// Errors: as [`decode`].
pub fn decode_args(bytes: &[u8]) -> Result<Vec<Value>, String> {
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    Ok(match decode(bytes)? {
        Value::Array(a) => a,
        other => vec![other],
    })
}

fn to_mp(v: &Value) -> Mp {
    match v {
        Value::Nil => Mp::Nil,
        Value::Bool(b) => Mp::Boolean(*b),
        Value::Int(i) => Mp::from(*i),
        Value::Float(f) => Mp::F64(*f),
        Value::Str(b) => match std::str::from_utf8(b) {
            Ok(s) => Mp::from(s),
            Err(_) => Mp::Binary(b.clone()),
        },
        Value::Array(a) => Mp::Array(a.iter().map(to_mp).collect()),
        Value::Map(m) => Mp::Map(m.iter().map(|(k, v)| (to_mp(k), to_mp(v))).collect()),
        Value::Error(e) => {
            let body = Mp::Map(vec![
                (Mp::from("kind"), Mp::from(e.kind.as_str())),
                (Mp::from("message"), Mp::from(e.message.as_str())),
            ]);
            let mut out = Vec::new();
            let _ = rmpv::encode::write_value(&mut out, &body);
            Mp::Ext(ERROR_EXT, out)
        }
    }
}

fn from_mp(m: Mp) -> Value {
    match m {
        Mp::Nil => Value::Nil,
        Mp::Boolean(b) => Value::Bool(b),
        Mp::Integer(i) => match i.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(i.as_f64().unwrap_or(f64::NAN)),
        },
        Mp::F32(f) => Value::Float(f as f64),
        Mp::F64(f) => Value::Float(f),
        Mp::String(s) => Value::Str(s.into_bytes()),
        Mp::Binary(b) => Value::Str(b),
        Mp::Array(a) => Value::Array(a.into_iter().map(from_mp).collect()),
        Mp::Map(m) => Value::Map(
            m.into_iter()
                .map(|(k, v)| (from_mp(k), from_mp(v)))
                .collect(),
        ),
        Mp::Ext(ERROR_EXT, body) => {
            let fields = match decode(&body) {
                Ok(Value::Map(f)) => f,
                _ => Vec::new(),
            };
            let field = |name: &str| {
                fields
                    .iter()
                    .find(|(k, _)| k.as_str() == Some(name))
                    .and_then(|(_, v)| v.as_str().map(str::to_string))
            };
            let kind = field("kind")
                .and_then(|k| ErrorKind::parse(&k))
                .unwrap_or(ErrorKind::Unknown);
            Value::Error(Box::new(ProcessError::new(
                kind,
                field("message").unwrap_or_default(),
            )))
        }
        Mp::Ext(_, body) => Value::Str(body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips() {
        let v = Value::Array(vec![
            Value::Nil,
            Value::Bool(true),
            Value::Int(-7),
            Value::Int(i64::MAX),
            Value::Float(1.5),
            Value::str("héllo"),
            Value::Str(vec![0xff, 0x00, 0xfe]),
            Value::Map(vec![
                (Value::str("k"), Value::Array(vec![Value::Int(1)])),
                (Value::Int(2), Value::Bool(false)),
            ]),
            Value::Error(Box::new(ProcessError::new(ErrorKind::NotFound, "gone"))),
        ]);
        assert_eq!(decode(&encode(&v)).unwrap(), v);
        assert_eq!(
            decode_args(&encode_args(&[Value::Int(1), Value::str("a")])).unwrap(),
            vec![Value::Int(1), Value::str("a")]
        );
    }

    #[test]
    fn bad_payloads_are_errors() {
        assert!(
            decode(&[0x92, 0x01])
                .unwrap_err()
                .contains("invalid MessagePack")
        );
        assert!(decode(&[0x01, 0x02]).unwrap_err().contains("trailing"));
    }
}
