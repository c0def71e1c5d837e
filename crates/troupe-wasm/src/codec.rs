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
//! float, as Lua would see it; float32 decodes as a number; another ext type decodes as
//! the string of its bytes.
//!
//! Decoding guest bytes is a deep copy (SPEC §3.2) and follows its rules
//! (`troupe_kernel::copy`): containers nest at most 512 levels, and the value built is at
//! most `max_bytes` bytes (counted as it is built; a declared length is never trusted for
//! an allocation). Bad bytes are an error, never a panic.

use troupe_kernel::copy::{Budget, ERROR_BYTES};
use troupe_kernel::{CopyError, ErrorKind, ProcessError, Value};

/// MessagePack extension type of an error object.
pub const ERROR_EXT: i8 = 1;

/// Why guest bytes were not decoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CodecError {
    /// Not one complete MessagePack value (the cause is in the text).
    #[error("invalid MessagePack payload: {0}")]
    Malformed(String),
    /// Well-formed, but the copy rules refuse it (depth or `max_message`).
    #[error("{0}")]
    Refused(CopyError),
}

impl From<CodecError> for ProcessError {
    fn from(e: CodecError) -> ProcessError {
        match e {
            CodecError::Refused(c) => c.into(),
            m => ProcessError::new(ErrorKind::Invalid, m.to_string()),
        }
    }
}

/// Encode a value. A string or container longer than MessagePack's 2^32 − 1 (which no
/// copy within `max_message` can hold) is written as nil.
pub fn encode(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out, v);
    out
}

/// Encode several values as one array (spawn and call arguments).
pub fn encode_args(args: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    match u32::try_from(args.len()) {
        Ok(n) => {
            let _ = rmp::encode::write_array_len(&mut out, n);
            for a in args {
                write(&mut out, a);
            }
        }
        Err(_) => rmp::encode::write_nil(&mut out).unwrap_or(()),
    }
    out
}

/// Write one value, iteratively (host calls run on a wasm fiber's small stack, so no
/// recursion over the payload's depth). Writing to a Vec cannot fail: the results below
/// are ignored for that reason.
fn write(out: &mut Vec<u8>, v: &Value) {
    use rmp::encode as e;
    let mut todo: Vec<&Value> = vec![v];
    while let Some(v) = todo.pop() {
        match v {
            Value::Nil => e::write_nil(out).unwrap_or(()),
            Value::Bool(b) => e::write_bool(out, *b).unwrap_or(()),
            Value::Int(i) => {
                let _ = e::write_sint(out, *i);
            }
            Value::Float(f) => {
                let _ = e::write_f64(out, *f);
            }
            Value::Str(b) => match (std::str::from_utf8(b), u32::try_from(b.len())) {
                (_, Err(_)) => e::write_nil(out).unwrap_or(()),
                (Ok(s), Ok(_)) => {
                    let _ = e::write_str(out, s);
                }
                (Err(_), Ok(_)) => {
                    let _ = e::write_bin(out, b);
                }
            },
            Value::Array(a) => match u32::try_from(a.len()) {
                Ok(n) => {
                    let _ = e::write_array_len(out, n);
                    todo.extend(a.iter().rev());
                }
                Err(_) => e::write_nil(out).unwrap_or(()),
            },
            Value::Map(m) => match u32::try_from(m.len()) {
                Ok(n) => {
                    let _ = e::write_map_len(out, n);
                    for (k, x) in m.iter().rev() {
                        todo.push(x);
                        todo.push(k);
                    }
                }
                Err(_) => e::write_nil(out).unwrap_or(()),
            },
            Value::Error(err) => {
                let mut body = Vec::new();
                let _ = e::write_map_len(&mut body, 2);
                let _ = e::write_str(&mut body, "kind");
                let _ = e::write_str(&mut body, err.kind.as_str());
                let _ = e::write_str(&mut body, "message");
                let _ = e::write_str(&mut body, &err.message);
                match u32::try_from(body.len()) {
                    Ok(n) => {
                        let _ = e::write_ext_meta(out, n, ERROR_EXT);
                        out.extend_from_slice(&body);
                    }
                    Err(_) => e::write_nil(out).unwrap_or(()),
                }
            }
        }
    }
}

/// Decode one value of at most `max_bytes` bytes (SPEC §3.2 cost model).
///
/// Errors: [`CodecError::Malformed`] unless the bytes are exactly one MessagePack value;
/// [`CodecError::Refused`] past 512 levels or `max_bytes`.
pub fn decode(bytes: &[u8], max_bytes: u64) -> Result<Value, CodecError> {
    let mut budget = Budget::new(max_bytes);
    let mut d = Decoder {
        rd: bytes,
        budget: &mut budget,
    };
    let v = d.value(0)?;
    d.finish()?;
    Ok(v)
}

/// Decode an argument array; a non-array payload is one argument, no bytes none. Each
/// argument may nest 512 levels; all together are at most `max_bytes`.
///
/// Errors: as [`decode`].
pub fn decode_args(bytes: &[u8], max_bytes: u64) -> Result<Vec<Value>, CodecError> {
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    let mut budget = Budget::new(max_bytes);
    let mut d = Decoder {
        rd: bytes,
        budget: &mut budget,
    };
    let args = match d.array_len()? {
        Some(n) => {
            let mut out = Vec::with_capacity(n.min(d.rd.len()));
            for _ in 0..n {
                out.push(d.value(0)?);
            }
            out
        }
        None => vec![d.value(0)?],
    };
    d.finish()?;
    Ok(args)
}

fn malformed(what: &str) -> CodecError {
    CodecError::Malformed(what.to_string())
}

/// A reader over guest bytes that builds [`Value`]s under a [`Budget`].
struct Decoder<'r, 'b, 'a> {
    rd: &'r [u8],
    budget: &'b mut Budget<'a>,
}

impl<'r> Decoder<'r, '_, '_> {
    fn finish(&self) -> Result<(), CodecError> {
        if self.rd.is_empty() {
            Ok(())
        } else {
            Err(CodecError::Malformed(format!(
                "{} trailing bytes",
                self.rd.len()
            )))
        }
    }

    fn take(&mut self, n: usize) -> Result<&'r [u8], CodecError> {
        if n > self.rd.len() {
            return Err(malformed("unexpected end of data"));
        }
        let (head, rest) = self.rd.split_at(n);
        self.rd = rest;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, CodecError> {
        Ok(self.take(1)?[0])
    }

    fn be<const N: usize>(&mut self) -> Result<[u8; N], CodecError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn len(&mut self, bytes: usize) -> Result<usize, CodecError> {
        Ok(match bytes {
            1 => self.byte()? as usize,
            2 => u16::from_be_bytes(self.be()?) as usize,
            _ => u32::from_be_bytes(self.be()?) as usize,
        })
    }

    fn charge(&mut self, extra: u64) -> Result<(), CodecError> {
        self.budget.value(extra).map_err(CodecError::Refused)
    }

    /// If the next value is an array, consume its header (charged as a value) and return
    /// its length.
    fn array_len(&mut self) -> Result<Option<usize>, CodecError> {
        let n = match self.rd.first() {
            Some(m @ 0x90..=0x9f) => {
                let n = (m & 0x0f) as usize;
                self.rd = &self.rd[1..];
                n
            }
            Some(0xdc) => {
                self.rd = &self.rd[1..];
                self.len(2)?
            }
            Some(0xdd) => {
                self.rd = &self.rd[1..];
                self.len(4)?
            }
            _ => return Ok(None),
        };
        self.charge(0)?;
        Ok(Some(n))
    }

    fn bytes(&mut self, n: usize) -> Result<Vec<u8>, CodecError> {
        if n > self.rd.len() {
            return Err(malformed("unexpected end of data"));
        }
        self.charge(n as u64)?;
        Ok(self.take(n)?.to_vec())
    }

    /// One value (a root: its containers count from level 1), built iteratively with an
    /// explicit stack of open containers, so a deep payload cannot overflow the native
    /// stack (host calls run on a wasm fiber's stack).
    fn value(&mut self, _root: usize) -> Result<Value, CodecError> {
        let mut open: Vec<Frame> = Vec::new();
        loop {
            let mut v = match self.item()? {
                Item::Value(v) => v,
                Item::Array(n) => {
                    self.open(open.len())?;
                    if n == 0 {
                        Value::Array(Vec::new())
                    } else {
                        // Each element takes at least one byte: never reserve more.
                        let out = Vec::with_capacity(n.min(self.rd.len()));
                        open.push(Frame::Array { out, left: n });
                        continue;
                    }
                }
                Item::Map(n) => {
                    self.open(open.len())?;
                    if n == 0 {
                        Value::Map(Vec::new())
                    } else {
                        let out = Vec::with_capacity(n.min(self.rd.len() / 2));
                        open.push(Frame::Map {
                            out,
                            key: None,
                            left: n,
                        });
                        continue;
                    }
                }
            };
            // Put `v` into the innermost open container; close the ones it completes.
            loop {
                match open.last_mut() {
                    None => return Ok(v),
                    Some(Frame::Array { out, left }) => {
                        out.push(v);
                        *left -= 1;
                        if *left > 0 {
                            break;
                        }
                    }
                    Some(Frame::Map { out, key, left }) => match key.take() {
                        None => {
                            *key = Some(v);
                            break;
                        }
                        Some(k) => {
                            out.push((k, v));
                            *left -= 1;
                            if *left > 0 {
                                break;
                            }
                        }
                    },
                }
                // The innermost container is complete: it becomes the value to put.
                v = match open.pop() {
                    Some(Frame::Array { out, .. }) => Value::Array(out),
                    Some(Frame::Map { out, .. }) => Value::Map(out),
                    None => return Err(malformed("no open container")),
                };
            }
        }
    }

    /// The next item: a whole scalar, or the header of a container.
    fn item(&mut self) -> Result<Item, CodecError> {
        let m = self.byte()?;
        let scalar = |d: &mut Self, v: Value| -> Result<Item, CodecError> {
            d.charge(0)?;
            Ok(Item::Value(v))
        };
        let string = |d: &mut Self, n: usize| -> Result<Item, CodecError> {
            Ok(Item::Value(Value::Str(d.bytes(n)?)))
        };
        match m {
            0x00..=0x7f => scalar(self, Value::Int(m as i64)),
            0xe0..=0xff => scalar(self, Value::Int(m as i8 as i64)),
            0x80..=0x8f => Ok(Item::Map((m & 0x0f) as usize)),
            0x90..=0x9f => Ok(Item::Array((m & 0x0f) as usize)),
            0xa0..=0xbf => string(self, (m & 0x1f) as usize),
            0xc0 => scalar(self, Value::Nil),
            0xc2 => scalar(self, Value::Bool(false)),
            0xc3 => scalar(self, Value::Bool(true)),
            0xc4 | 0xd9 => {
                let n = self.len(1)?;
                string(self, n)
            }
            0xc5 | 0xda => {
                let n = self.len(2)?;
                string(self, n)
            }
            0xc6 | 0xdb => {
                let n = self.len(4)?;
                string(self, n)
            }
            0xc7 => {
                let n = self.len(1)?;
                self.ext(n).map(Item::Value)
            }
            0xc8 => {
                let n = self.len(2)?;
                self.ext(n).map(Item::Value)
            }
            0xc9 => {
                let n = self.len(4)?;
                self.ext(n).map(Item::Value)
            }
            0xd4 => self.ext(1).map(Item::Value),
            0xd5 => self.ext(2).map(Item::Value),
            0xd6 => self.ext(4).map(Item::Value),
            0xd7 => self.ext(8).map(Item::Value),
            0xd8 => self.ext(16).map(Item::Value),
            0xca => {
                let f = f32::from_be_bytes(self.be()?);
                scalar(self, Value::Float(f as f64))
            }
            0xcb => {
                let f = f64::from_be_bytes(self.be()?);
                scalar(self, Value::Float(f))
            }
            0xcc => {
                let v = self.byte()? as i64;
                scalar(self, Value::Int(v))
            }
            0xcd => {
                let v = u16::from_be_bytes(self.be()?) as i64;
                scalar(self, Value::Int(v))
            }
            0xce => {
                let v = u32::from_be_bytes(self.be()?) as i64;
                scalar(self, Value::Int(v))
            }
            0xcf => {
                let u = u64::from_be_bytes(self.be()?);
                let v = i64::try_from(u)
                    .map(Value::Int)
                    .unwrap_or(Value::Float(u as f64));
                scalar(self, v)
            }
            0xd0 => {
                let v = i8::from_be_bytes(self.be()?) as i64;
                scalar(self, Value::Int(v))
            }
            0xd1 => {
                let v = i16::from_be_bytes(self.be()?) as i64;
                scalar(self, Value::Int(v))
            }
            0xd2 => {
                let v = i32::from_be_bytes(self.be()?) as i64;
                scalar(self, Value::Int(v))
            }
            0xd3 => {
                let v = i64::from_be_bytes(self.be()?);
                scalar(self, Value::Int(v))
            }
            0xdc => {
                let n = self.len(2)?;
                Ok(Item::Array(n))
            }
            0xdd => {
                let n = self.len(4)?;
                Ok(Item::Array(n))
            }
            0xde => {
                let n = self.len(2)?;
                Ok(Item::Map(n))
            }
            0xdf => {
                let n = self.len(4)?;
                Ok(Item::Map(n))
            }
            0xc1 => Err(malformed("reserved marker 0xc1")),
        }
    }

    /// Check and charge a container opened inside `depth` others.
    fn open(&mut self, depth: usize) -> Result<(), CodecError> {
        self.budget.enter(depth + 1).map_err(CodecError::Refused)?;
        self.charge(0)
    }

    /// An ext value of `n` body bytes: an error object for [`ERROR_EXT`] (its body read
    /// flat, without recursion), else the string of its bytes.
    fn ext(&mut self, n: usize) -> Result<Value, CodecError> {
        let ty = self.byte()? as i8;
        let body = self.take(n)?;
        if ty != ERROR_EXT {
            self.charge(n as u64)?;
            return Ok(Value::Str(body.to_vec()));
        }
        let (kind, message) = error_body(body);
        let kind = kind.map_or(ErrorKind::Unknown, |k| ErrorKind::named(&k));
        let message = message.unwrap_or_default();
        self.charge(ERROR_BYTES + message.len() as u64)?;
        Ok(Value::Error(Box::new(ProcessError::new(kind, message))))
    }
}

/// An open container of [`Decoder::value`].
enum Frame {
    Array {
        out: Vec<Value>,
        left: usize,
    },
    Map {
        out: Vec<(Value, Value)>,
        key: Option<Value>,
        left: usize,
    },
}

/// What [`Decoder::item`] read.
enum Item {
    Value(Value),
    Array(usize),
    Map(usize),
}

/// The `kind` and `message` strings of an error body (a map of strings); anything else in
/// it is ignored, and a body of another shape gives neither.
fn error_body(body: &[u8]) -> (Option<String>, Option<String>) {
    let mut rd = body;
    let (mut kind, mut message) = (None, None);
    let Ok(n) = rmp::decode::read_map_len(&mut rd) else {
        return (None, None);
    };
    let text = |rd: &mut &[u8]| -> Option<String> {
        let len = rmp::decode::read_str_len(rd).ok()? as usize;
        if len > rd.len() {
            return None;
        }
        let (s, rest) = rd.split_at(len);
        *rd = rest;
        Some(String::from_utf8_lossy(s).into_owned())
    };
    for _ in 0..n {
        let (Some(k), Some(v)) = (text(&mut rd), text(&mut rd)) else {
            return (None, None);
        };
        match k.as_str() {
            "kind" => kind = Some(v),
            "message" => message = Some(v),
            _ => {}
        }
    }
    (kind, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use troupe_kernel::DEFAULT_MAX_MESSAGE;
    use troupe_kernel::copy::MAX_DEPTH;

    const MAX: u64 = DEFAULT_MAX_MESSAGE;

    #[test]
    fn every_value_round_trips() {
        let v = Value::Array(vec![
            Value::Nil,
            Value::Bool(true),
            Value::Int(-7),
            Value::Int(i64::MAX),
            Value::Int(i64::MIN),
            Value::Float(1.5),
            Value::str("héllo"),
            Value::Str(vec![0xff, 0x00, 0xfe]),
            Value::Map(vec![
                (Value::str("k"), Value::Array(vec![Value::Int(1)])),
                (Value::Int(2), Value::Bool(false)),
            ]),
            Value::Error(Box::new(ProcessError::new(ErrorKind::NotFound, "gone"))),
        ]);
        assert_eq!(decode(&encode(&v), MAX).unwrap(), v);
        assert_eq!(
            decode_args(&encode_args(&[Value::Int(1), Value::str("a")]), MAX).unwrap(),
            vec![Value::Int(1), Value::str("a")]
        );
    }

    #[test]
    fn bad_payloads_are_errors() {
        let e = decode(&[0x92, 0x01], MAX).unwrap_err();
        assert!(e.to_string().contains("invalid MessagePack"), "{e}");
        let e = decode(&[0x01, 0x02], MAX).unwrap_err();
        assert!(e.to_string().contains("trailing"), "{e}");
        // A declared length of 2^32 − 1 elements with no bytes behind it: an error, and
        // no allocation of that size.
        let e = decode(&[0xdd, 0xff, 0xff, 0xff, 0xff], MAX).unwrap_err();
        assert!(e.to_string().contains("end of data"), "{e}");
        let e = decode(&[0xdb, 0xff, 0xff, 0xff, 0xff, 0x61], MAX).unwrap_err();
        assert!(e.to_string().contains("end of data"), "{e}");
        assert!(decode(&[0xc1], MAX).is_err());
    }

    #[test]
    fn decoding_follows_the_copy_rules() {
        let deep = |n: usize| {
            let mut b = vec![0x91u8; n];
            b.push(0xc0);
            b
        };
        assert!(decode(&deep(MAX_DEPTH), MAX).is_ok());
        let e = decode(&deep(MAX_DEPTH + 1), MAX).unwrap_err();
        assert_eq!(e, CodecError::Refused(CopyError::TooDeep));
        assert!(ProcessError::from(e).message.contains("512 levels"));
        // 65,536 one-byte nils are 2 MiB of values: past a 1 MiB budget.
        let mut b = vec![0xdc, 0xff, 0xff];
        b.extend(std::iter::repeat_n(0xc0, 0xffff));
        let e = decode(&b, 1 << 20).unwrap_err();
        assert_eq!(
            e,
            CodecError::Refused(CopyError::TooLarge { max_bytes: 1 << 20 })
        );
        // Each argument may nest 512 levels inside the argument array.
        let mut args = vec![0x91u8];
        args.extend(deep(MAX_DEPTH));
        assert_eq!(decode_args(&args, MAX).unwrap().len(), 1);
    }
}
