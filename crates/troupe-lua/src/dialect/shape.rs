//! Runtime types (WIPPY-API.md §1: "types are runtime values"): the [`Shape`] a
//! `type X = ...` declaration denotes, built from its [`Ty`] with the chunk's other
//! declarations inlined, and the check of a Lua value against it.
//!
//! Supported: the primitives `string number integer boolean nil any unknown table function
//! userdata error`, literal types (string, number, boolean), `T?`, arrays `{T}`/`T[]`,
//! maps `{[K]: V}`, tables with fields (optional ones too, extra keys allowed) and an
//! optional indexer for the other keys, unions, intersections, and the validators. Not
//! supported (a `troupe check` error when such a type is used as a value): generic types,
//! function types, `typeof`, type packs, recursive types, names of types not declared in
//! the chunk. A shape is at most [`MAX_SHAPE_DEPTH`] deep and [`MAX_SHAPE_NODES`] nodes
//! after inlining, so checking a value is bounded by the shape's size times the value's.

use std::collections::HashMap;

use mlua::Value;
use serde::{Deserialize, Serialize};

use super::rewrite::Decl;
use super::ty::{Field, Ty, Validator};

/// Deepest a runtime shape may be.
pub const MAX_SHAPE_DEPTH: usize = 32;
/// Most nodes a runtime shape may have (after inlining the declarations it names).
pub const MAX_SHAPE_NODES: usize = 4096;
/// Most bytes of compiled program a `@pattern` may take (the `regex` crate's limit).
pub const MAX_PATTERN_BYTES: usize = 1 << 20;

/// What a runtime type accepts. Serialised (JSON) into the rewritten source and read back
/// by `__troupe_type` at run time.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "k", rename_all = "snake_case")]
pub enum Shape {
    Any,
    Nil,
    String,
    Number,
    /// A number with an integral value (Luau has no separate integer type).
    Integer,
    Boolean,
    Table,
    Function,
    Userdata,
    /// An error object (`errors.new`, a failed call's `err`).
    Error,
    Literal {
        v: Literal,
    },
    Optional {
        of: Box<Shape>,
    },
    Array {
        of: Box<Shape>,
    },
    Map {
        key: Box<Shape>,
        val: Box<Shape>,
    },
    Record {
        fields: Vec<FieldShape>,
        #[serde(default)]
        rest: Option<(Box<Shape>, Box<Shape>)>,
    },
    Union {
        of: Vec<Shape>,
    },
    All {
        of: Vec<Shape>,
    },
    Checked {
        of: Box<Shape>,
        checks: Vec<Check>,
    },
}

/// A literal type's value.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Literal {
    Bool(bool),
    Num(f64),
    /// A string literal (its bytes; Lua strings need not be UTF-8).
    Str(serde_bytes_compat::Bytes),
}

/// One field of a record shape.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FieldShape {
    pub name: String,
    pub shape: Shape,
    #[serde(default)]
    pub optional: bool,
}

/// A validator, as checked at run time.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "v", content = "a", rename_all = "snake_case")]
pub enum Check {
    Min(f64),
    Max(f64),
    MinLen(f64),
    MaxLen(f64),
    Pattern(Pattern),
}

/// A compiled `@pattern`: serialised as its text, compiled (bounded) when read.
#[derive(Debug, Clone)]
pub struct Pattern(pub regex::bytes::Regex);

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

impl Serialize for Pattern {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.as_str())
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Pattern, D::Error> {
        let s = String::deserialize(d)?;
        compile_pattern(&s).map_err(serde::de::Error::custom)
    }
}

/// Compile a `@pattern` regular expression (Rust `regex` syntax, close to Go's RE2; linear
/// time), at most [`MAX_PATTERN_BYTES`] compiled.
///
/// Errors: the pattern does not compile or is too large, as a message.
pub fn compile_pattern(re: &str) -> Result<Pattern, String> {
    regex::bytes::RegexBuilder::new(re)
        .size_limit(MAX_PATTERN_BYTES)
        .dfa_size_limit(MAX_PATTERN_BYTES)
        .build()
        .map(Pattern)
        .map_err(|e| format!("bad @pattern {re:?}: {e}"))
}

/// Lua string bytes in JSON: a UTF-8 string when they are UTF-8, else a list of bytes.
pub mod serde_bytes_compat {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(untagged)]
    pub enum Bytes {
        Text(String),
        Raw(Vec<u8>),
    }

    impl Bytes {
        pub fn new(b: Vec<u8>) -> Bytes {
            match String::from_utf8(b) {
                Ok(s) => Bytes::Text(s),
                Err(e) => Bytes::Raw(e.into_bytes()),
            }
        }
        pub fn as_bytes(&self) -> &[u8] {
            match self {
                Bytes::Text(s) => s.as_bytes(),
                Bytes::Raw(b) => b,
            }
        }
    }
}

/// Why a declaration has no runtime shape (for the `troupe check` message).
pub type Unsupported = String;

/// The shape of declaration `decl`, resolving names among `decls`.
///
/// Errors: what makes it unsupported (see the module doc), as a message.
pub fn resolve(decl: &Decl, decls: &HashMap<&str, &Decl>) -> Result<Shape, Unsupported> {
    if decl.generic {
        return Err("a generic type cannot be a runtime value".to_string());
    }
    let mut r = Resolver {
        decls,
        stack: vec![decl.name.clone()],
        nodes: 0,
    };
    r.shape(&decl.ty, 0)
}

struct Resolver<'a> {
    decls: &'a HashMap<&'a str, &'a Decl>,
    /// The declarations being inlined (a cycle is a recursive type).
    stack: Vec<String>,
    nodes: usize,
}

impl Resolver<'_> {
    fn shape(&mut self, ty: &Ty, depth: usize) -> Result<Shape, Unsupported> {
        self.nodes += 1;
        if self.nodes > MAX_SHAPE_NODES {
            return Err(format!(
                "its runtime validator would have more than {MAX_SHAPE_NODES} parts"
            ));
        }
        if depth > MAX_SHAPE_DEPTH {
            return Err(format!(
                "its runtime validator would nest deeper than {MAX_SHAPE_DEPTH} levels"
            ));
        }
        let d = depth + 1;
        Ok(match ty {
            Ty::Name { name, generic } => {
                if *generic {
                    return Err(format!(
                        "`{name}<...>`: generic types have no runtime validator"
                    ));
                }
                match name.as_str() {
                    "any" | "unknown" => Shape::Any,
                    "nil" => Shape::Nil,
                    "string" => Shape::String,
                    "number" => Shape::Number,
                    "integer" => Shape::Integer,
                    "boolean" => Shape::Boolean,
                    "table" => Shape::Table,
                    "function" => Shape::Function,
                    "userdata" => Shape::Userdata,
                    "error" => Shape::Error,
                    other => {
                        let Some(decl) = self.decls.get(other) else {
                            return Err(format!(
                                "`{other}` is not a type declared in this source nor one of string, number, integer, boolean, nil, any, unknown, table, function, userdata, error"
                            ));
                        };
                        if self.stack.iter().any(|s| s == other) {
                            return Err(format!(
                                "`{other}` is recursive; recursive types have no runtime validator"
                            ));
                        }
                        if decl.generic {
                            return Err(format!(
                                "`{other}` is generic; generic types have no runtime validator"
                            ));
                        }
                        self.stack.push(other.to_string());
                        let s = self.shape(&decl.ty, d);
                        self.stack.pop();
                        s?
                    }
                }
            }
            Ty::Str(s) => Shape::Literal {
                v: Literal::Str(serde_bytes_compat::Bytes::new(s.clone())),
            },
            Ty::Num(n) => Shape::Literal {
                v: Literal::Num(*n),
            },
            Ty::Bool(b) => Shape::Literal {
                v: Literal::Bool(*b),
            },
            Ty::Nil => Shape::Nil,
            Ty::Optional(t) => Shape::Optional {
                of: Box::new(self.shape(t, d)?),
            },
            Ty::Array(t) => Shape::Array {
                of: Box::new(self.shape(t, d)?),
            },
            Ty::Table { fields, indexer } => {
                let rest = match indexer {
                    Some((k, v)) => {
                        Some((Box::new(self.shape(k, d)?), Box::new(self.shape(v, d)?)))
                    }
                    None => None,
                };
                if fields.is_empty() {
                    match rest {
                        Some((key, val)) => Shape::Map { key, val },
                        None => Shape::Table,
                    }
                } else {
                    let fields = fields
                        .iter()
                        .map(|Field { name, ty, optional }| {
                            Ok(FieldShape {
                                name: name.clone(),
                                shape: self.shape(ty, d)?,
                                optional: *optional,
                            })
                        })
                        .collect::<Result<Vec<_>, Unsupported>>()?;
                    Shape::Record { fields, rest }
                }
            }
            Ty::Union(ts) => Shape::Union {
                of: ts
                    .iter()
                    .map(|t| self.shape(t, d))
                    .collect::<Result<_, _>>()?,
            },
            Ty::Inter(ts) => Shape::All {
                of: ts
                    .iter()
                    .map(|t| self.shape(t, d))
                    .collect::<Result<_, _>>()?,
            },
            Ty::Validated(t, vs) => Shape::Checked {
                of: Box::new(self.shape(t, d)?),
                checks: vs
                    .iter()
                    .map(|v| {
                        Ok(match v {
                            Validator::Min(n) => Check::Min(*n),
                            Validator::Max(n) => Check::Max(*n),
                            Validator::MinLen(n) => Check::MinLen(*n),
                            Validator::MaxLen(n) => Check::MaxLen(*n),
                            Validator::Pattern(p) => Check::Pattern(compile_pattern(p)?),
                        })
                    })
                    .collect::<Result<_, Unsupported>>()?,
            },
            Ty::Other(what) => return Err(format!("{what} has no runtime validator")),
        })
    }
}

impl Shape {
    /// The kind name `X:kind()` answers: the primitive's name, or `literal`, `optional`,
    /// `array`, `map`, `record`, `union`, `intersection` (a validated type answers the
    /// kind of the type it validates).
    pub fn kind(&self) -> &'static str {
        match self {
            Shape::Any => "any",
            Shape::Nil => "nil",
            Shape::String => "string",
            Shape::Number => "number",
            Shape::Integer => "integer",
            Shape::Boolean => "boolean",
            Shape::Table => "table",
            Shape::Function => "function",
            Shape::Userdata => "userdata",
            Shape::Error => "error",
            Shape::Literal { .. } => "literal",
            Shape::Optional { .. } => "optional",
            Shape::Array { .. } => "array",
            Shape::Map { .. } => "map",
            Shape::Record { .. } => "record",
            Shape::Union { .. } => "union",
            Shape::All { .. } => "intersection",
            Shape::Checked { of, .. } => of.kind(),
        }
    }

    /// Depth and node count, for validating a shape read at run time.
    pub fn size(&self, depth: usize, nodes: &mut usize) -> usize {
        *nodes += 1;
        let d = depth + 1;
        let kids: Vec<&Shape> = match self {
            Shape::Optional { of } | Shape::Array { of } | Shape::Checked { of, .. } => vec![of],
            Shape::Map { key, val } => vec![key, val],
            Shape::Record { fields, rest } => {
                let mut v: Vec<&Shape> = fields.iter().map(|f| &f.shape).collect();
                if let Some((k, x)) = rest {
                    v.push(k);
                    v.push(x);
                }
                v
            }
            Shape::Union { of } | Shape::All { of } => of.iter().collect(),
            _ => Vec::new(),
        };
        kids.into_iter()
            .map(|k| k.size(d, nodes))
            .max()
            .unwrap_or(depth)
    }

    /// The type as text, as a Wippy user writes it (`{name: string, age?: number}`).
    pub fn describe(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }

    fn write(&self, s: &mut String) {
        use std::fmt::Write;
        match self {
            Shape::Literal { v } => match v {
                Literal::Bool(b) => {
                    let _ = write!(s, "{b}");
                }
                Literal::Num(n) => {
                    let _ = write!(s, "{n}");
                }
                Literal::Str(b) => {
                    let _ = write!(s, "{:?}", String::from_utf8_lossy(b.as_bytes()));
                }
            },
            Shape::Optional { of } => {
                of.write_grouped(s);
                s.push('?');
            }
            Shape::Array { of } => {
                s.push('{');
                of.write(s);
                s.push('}');
            }
            Shape::Map { key, val } => {
                s.push_str("{[");
                key.write(s);
                s.push_str("]: ");
                val.write(s);
                s.push('}');
            }
            Shape::Record { fields, rest } => {
                s.push('{');
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        s.push_str(", ");
                    }
                    s.push_str(&f.name);
                    s.push_str(if f.optional { "?: " } else { ": " });
                    f.shape.write(s);
                }
                if let Some((k, v)) = rest {
                    s.push_str(", [");
                    k.write(s);
                    s.push_str("]: ");
                    v.write(s);
                }
                s.push('}');
            }
            Shape::Union { of } | Shape::All { of } => {
                let sep = if matches!(self, Shape::Union { .. }) {
                    " | "
                } else {
                    " & "
                };
                for (i, t) in of.iter().enumerate() {
                    if i > 0 {
                        s.push_str(sep);
                    }
                    t.write_grouped(s);
                }
            }
            Shape::Checked { of, checks } => {
                of.write(s);
                for c in checks {
                    let _ = match c {
                        Check::Min(n) => write!(s, " @min({n})"),
                        Check::Max(n) => write!(s, " @max({n})"),
                        Check::MinLen(n) => write!(s, " @min_len({n})"),
                        Check::MaxLen(n) => write!(s, " @max_len({n})"),
                        Check::Pattern(p) => write!(s, " @pattern({:?})", p.0.as_str()),
                    };
                }
            }
            other => s.push_str(other.kind()),
        }
    }

    fn write_grouped(&self, s: &mut String) {
        if matches!(
            self,
            Shape::Union { .. } | Shape::All { .. } | Shape::Checked { .. }
        ) {
            s.push('(');
            self.write(s);
            s.push(')');
        } else {
            self.write(s);
        }
    }

    /// Check `v` against the shape. `Err` says where and what: `field age: expected
    /// number, got string`.
    ///
    /// Cost: bounded by the shape's size times the value's (tables are read raw, no
    /// metamethod runs).
    pub fn check(&self, v: &Value) -> Result<(), Mismatch> {
        match self {
            Shape::Any => Ok(()),
            Shape::Nil => expect(v.is_nil(), self, v),
            Shape::String => expect(matches!(v, Value::String(_)), self, v),
            Shape::Number => expect(number(v).is_some(), self, v),
            Shape::Integer => expect(
                number(v).is_some_and(|n| n.is_finite() && n.fract() == 0.0),
                self,
                v,
            ),
            Shape::Boolean => expect(matches!(v, Value::Boolean(_)), self, v),
            Shape::Table => expect(matches!(v, Value::Table(_)), self, v),
            Shape::Function => expect(matches!(v, Value::Function(_)), self, v),
            Shape::Userdata => expect(matches!(v, Value::UserData(_)), self, v),
            Shape::Error => expect(is_error(v), self, v),
            Shape::Literal { v: lit } => {
                let ok = match (lit, v) {
                    (Literal::Bool(a), Value::Boolean(b)) => a == b,
                    (Literal::Str(a), Value::String(b)) => a.as_bytes() == &b.as_bytes()[..],
                    (Literal::Num(a), v) => number(v) == Some(*a),
                    _ => false,
                };
                expect(ok, self, v)
            }
            Shape::Optional { of } => {
                if v.is_nil() {
                    Ok(())
                } else {
                    of.check(v)
                }
            }
            Shape::Array { of } => {
                let t = table(v, self)?;
                let len = t.raw_len();
                let mut count = 0usize;
                let mut out = Ok(());
                let _ = t.for_each::<Value, Value>(|k, x| {
                    count += 1;
                    let idx =
                        number(&k).filter(|n| n.fract() == 0.0 && *n >= 1.0 && *n <= len as f64);
                    let r = match idx {
                        None => Err(Mismatch::new(format!(
                            "expected an array (keys 1..n), found key {}",
                            show_key(&k)
                        ))),
                        Some(n) => of.check(&x).map_err(|m| m.at(format!("[{}]", n as u64))),
                    };
                    if let Err(m) = r {
                        out = Err(m);
                        return Err(mlua::Error::runtime("stop"));
                    }
                    Ok(())
                });
                out?;
                if count != len {
                    return Err(Mismatch::new("expected an array without holes".to_string()));
                }
                Ok(())
            }
            Shape::Map { key, val } => {
                let t = table(v, self)?;
                each(&t, |k, x| {
                    key.check(&k)
                        .map_err(|m| m.at(format!("key {}", show_key(&k))))?;
                    val.check(&x)
                        .map_err(|m| m.at(format!("[{}]", show_key(&k))))
                })
            }
            Shape::Record { fields, rest } => {
                let t = table(v, self)?;
                for f in fields {
                    let x: Value = t.raw_get(f.name.as_str()).unwrap_or(Value::Nil);
                    if x.is_nil() {
                        if f.optional
                            || matches!(f.shape, Shape::Optional { .. } | Shape::Any | Shape::Nil)
                        {
                            continue;
                        }
                        return Err(Mismatch::new(format!(
                            "missing field {} (expected {})",
                            f.name,
                            f.shape.describe()
                        )));
                    }
                    f.shape
                        .check(&x)
                        .map_err(|m| m.at(format!("field {}", f.name)))?;
                }
                if let Some((key, val)) = rest {
                    each(&t, |k, x| {
                        if let Value::String(s) = &k {
                            let s = s.as_bytes();
                            if fields.iter().any(|f| f.name.as_bytes() == &s[..]) {
                                return Ok(());
                            }
                        }
                        key.check(&k)
                            .map_err(|m| m.at(format!("key {}", show_key(&k))))?;
                        val.check(&x)
                            .map_err(|m| m.at(format!("[{}]", show_key(&k))))
                    })?;
                }
                Ok(())
            }
            Shape::Union { of } => {
                if of.iter().any(|s| s.check(v).is_ok()) {
                    Ok(())
                } else {
                    Err(Mismatch::new(format!(
                        "expected {}, got {}",
                        self.describe(),
                        type_of(v)
                    )))
                }
            }
            Shape::All { of } => of.iter().try_for_each(|s| s.check(v)),
            Shape::Checked { of, checks } => {
                of.check(v)?;
                checks.iter().try_for_each(|c| c.check(v))
            }
        }
    }
}

impl Check {
    fn check(&self, v: &Value) -> Result<(), Mismatch> {
        let fail = |what: String| Err(Mismatch::new(what));
        match self {
            Check::Min(n) | Check::Max(n) => {
                let Some(x) = number(v) else {
                    return Ok(());
                };
                let min = matches!(self, Check::Min(_));
                if (min && x < *n) || (!min && x > *n) {
                    return fail(format!(
                        "{x} is {} than the {} {n}",
                        if min { "less" } else { "more" },
                        if min { "minimum" } else { "maximum" }
                    ));
                }
                Ok(())
            }
            Check::MinLen(n) | Check::MaxLen(n) => {
                let len = match v {
                    Value::String(s) => {
                        let b = s.as_bytes();
                        match std::str::from_utf8(&b) {
                            Ok(t) => t.chars().count(),
                            Err(_) => b.len(),
                        }
                    }
                    Value::Table(t) => t.raw_len(),
                    _ => return Ok(()),
                } as f64;
                let min = matches!(self, Check::MinLen(_));
                if (min && len < *n) || (!min && len > *n) {
                    return fail(format!(
                        "length {len} is {} than the {} length {n}",
                        if min { "less" } else { "more" },
                        if min { "minimum" } else { "maximum" }
                    ));
                }
                Ok(())
            }
            Check::Pattern(p) => match v {
                Value::String(s) if !p.0.is_match(&s.as_bytes()) => {
                    fail(format!("does not match the pattern {:?}", p.0.as_str()))
                }
                _ => Ok(()),
            },
        }
    }
}

/// A value that does not fit: the path to the part that does not, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// Innermost last while the error travels out; read reversed.
    path: Vec<String>,
    pub reason: String,
}

impl Mismatch {
    fn new(reason: String) -> Mismatch {
        Mismatch {
            path: Vec::new(),
            reason,
        }
    }

    fn at(mut self, seg: String) -> Mismatch {
        if self.path.len() < MAX_SHAPE_DEPTH * 2 {
            self.path.push(seg);
        }
        self
    }
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, seg) in self.path.iter().rev().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(seg)?;
        }
        if !self.path.is_empty() {
            f.write_str(": ")?;
        }
        f.write_str(&self.reason)
    }
}

fn expect(ok: bool, s: &Shape, v: &Value) -> Result<(), Mismatch> {
    if ok {
        Ok(())
    } else {
        Err(Mismatch::new(format!(
            "expected {}, got {}",
            s.describe(),
            type_of(v)
        )))
    }
}

/// The type name Lua's `type()` gives (errors named `error`).
fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Integer(_) | Value::Number(_) => "number",
        Value::UserData(_) if is_error(v) => "error",
        Value::UserData(_) | Value::LightUserData(_) => "userdata",
        other => other.type_name(),
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Number(n) => Some(*n),
        _ => None,
    }
}

fn is_error(v: &Value) -> bool {
    matches!(v, Value::UserData(u) if u.is::<crate::modules::errors::LuaError>())
}

fn table(v: &Value, s: &Shape) -> Result<mlua::Table, Mismatch> {
    match v {
        Value::Table(t) => Ok(t.clone()),
        other => Err(Mismatch::new(format!(
            "expected {}, got {}",
            s.describe(),
            type_of(other)
        ))),
    }
}

/// Every pair of `t` (raw), stopping at the first mismatch.
fn each(
    t: &mlua::Table,
    mut f: impl FnMut(Value, Value) -> Result<(), Mismatch>,
) -> Result<(), Mismatch> {
    let mut out = Ok(());
    let _ = t.for_each::<Value, Value>(|k, x| {
        if let Err(m) = f(k, x) {
            out = Err(m);
            return Err(mlua::Error::runtime("stop"));
        }
        Ok(())
    });
    out
}

fn show_key(k: &Value) -> String {
    match k {
        Value::String(s) => {
            let s = s.to_string_lossy();
            if s.len() > 64 {
                format!("{:?}...", &s[..s.floor_char_boundary(64)])
            } else {
                format!("{s:?}")
            }
        }
        Value::Integer(i) => i.to_string(),
        Value::Number(n) => n.to_string(),
        other => type_of(other).to_string(),
    }
}
