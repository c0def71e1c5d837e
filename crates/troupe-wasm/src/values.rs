//! Lua ↔ WIT values (SPEC §6.2): kernel [`Value`]s lowered to component [`Val`]s by the
//! callee's WIT types, and results lifted back.
//!
//! integers/floats ↔ numbers, bool, string/char ↔ string, `list<T>` and `tuple` ↔ array,
//! `record` ↔ table keyed by the field names as written (kebab-case), `option<T>` ↔ value
//! or nil, `result<T,E>` ↔ `{ok=T}` / `{err=E}`, `enum` ↔ string, `variant` ↔ `{tag=value}`
//! (a bare tag string is accepted for a case without payload), `flags` ↔ array of names.
//! A value that does not fit is a [`TypeError`] naming where it sits and what was expected,
//! raised before the guest runs.

use troupe_kernel::copy::Budget;
use troupe_kernel::{CopyError, Value};
use wasmtime::component::{Type, Val};

/// A value that does not fit its WIT type: `path` locates it (e.g. `point.x`),
/// `expected` is the WIT type, `got` describes the value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: expected {expected}, got {got}")]
pub struct TypeError {
    pub path: String,
    pub expected: String,
    pub got: String,
}

/// The WIT spelling of a type, for errors.
pub fn type_name(t: &Type) -> String {
    match t {
        Type::Bool => "bool".into(),
        Type::S8 => "s8".into(),
        Type::U8 => "u8".into(),
        Type::S16 => "s16".into(),
        Type::U16 => "u16".into(),
        Type::S32 => "s32".into(),
        Type::U32 => "u32".into(),
        Type::S64 => "s64".into(),
        Type::U64 => "u64".into(),
        Type::Float32 => "f32".into(),
        Type::Float64 => "f64".into(),
        Type::Char => "char".into(),
        Type::String => "string".into(),
        Type::List(l) => format!("list<{}>", type_name(&l.ty())),
        Type::Record(r) => format!(
            "record {{ {} }}",
            r.fields()
                .map(|f| format!("{}: {}", f.name, type_name(&f.ty)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Type::Tuple(t) => format!(
            "tuple<{}>",
            t.types()
                .map(|t| type_name(&t))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Type::Variant(v) => format!(
            "variant {{ {} }}",
            v.cases()
                .map(|c| c.name.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Type::Enum(e) => format!("enum {{ {} }}", e.names().collect::<Vec<_>>().join(", ")),
        Type::Option(o) => format!("option<{}>", type_name(&o.ty())),
        Type::Result(r) => format!(
            "result<{}, {}>",
            r.ok().map(|t| type_name(&t)).unwrap_or_else(|| "_".into()),
            r.err().map(|t| type_name(&t)).unwrap_or_else(|| "_".into())
        ),
        Type::Flags(f) => format!("flags {{ {} }}", f.names().collect::<Vec<_>>().join(", ")),
        other => format!("{other:?}").to_lowercase(),
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Nil => "nil".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Int(i) => format!("integer {i}"),
        Value::Float(f) => format!("number {f}"),
        Value::Str(s) => format!("string {:?}", String::from_utf8_lossy(s)),
        Value::Array(_) => "array".into(),
        Value::Map(_) => "table".into(),
        Value::Error(e) => format!("error {e}"),
    }
}

fn mismatch(path: &str, t: &Type, v: &Value) -> TypeError {
    TypeError {
        path: path.to_string(),
        expected: type_name(t),
        got: describe(v),
    }
}

fn int(path: &str, t: &Type, v: &Value) -> Result<i128, TypeError> {
    match v {
        Value::Int(i) => Ok(*i as i128),
        Value::Float(f) if f.fract() == 0.0 && f.is_finite() => Ok(*f as i128),
        _ => Err(mismatch(path, t, v)),
    }
}

fn ranged<T: TryFrom<i128>>(path: &str, t: &Type, v: &Value) -> Result<T, TypeError> {
    let i = int(path, t, v)?;
    T::try_from(i).map_err(|_| TypeError {
        path: path.to_string(),
        expected: type_name(t),
        got: format!("{i} (out of range)"),
    })
}

/// Elements of a Lua array (a table with keys 1..n arrives as [`Value::Array`]; an empty
/// table may arrive as an empty map).
fn elements<'a>(path: &str, t: &Type, v: &'a Value) -> Result<&'a [Value], TypeError> {
    match v {
        Value::Array(a) => Ok(a),
        Value::Map(m) if m.is_empty() => Ok(&[]),
        _ => Err(mismatch(path, t, v)),
    }
}

fn field<'a>(m: &'a [(Value, Value)], name: &str) -> Option<&'a Value> {
    m.iter()
        .find(|(k, _)| k.as_str() == Some(name))
        .map(|(_, v)| v)
}

/// Lower `v` to the WIT type `t`; `path` names the parameter for errors.
///
/// Errors: [`TypeError`] when `v` does not fit `t`.
pub fn lower(path: &str, t: &Type, v: &Value) -> Result<Val, TypeError> {
    Ok(match t {
        Type::Bool => match v {
            Value::Bool(b) => Val::Bool(*b),
            _ => return Err(mismatch(path, t, v)),
        },
        Type::S8 => Val::S8(ranged(path, t, v)?),
        Type::U8 => Val::U8(ranged(path, t, v)?),
        Type::S16 => Val::S16(ranged(path, t, v)?),
        Type::U16 => Val::U16(ranged(path, t, v)?),
        Type::S32 => Val::S32(ranged(path, t, v)?),
        Type::U32 => Val::U32(ranged(path, t, v)?),
        Type::S64 => Val::S64(ranged(path, t, v)?),
        Type::U64 => Val::U64(ranged(path, t, v)?),
        Type::Float32 | Type::Float64 => {
            let f = match v {
                Value::Int(i) => *i as f64,
                Value::Float(f) => *f,
                _ => return Err(mismatch(path, t, v)),
            };
            if matches!(t, Type::Float32) {
                Val::Float32(f as f32)
            } else {
                Val::Float64(f)
            }
        }
        Type::Char => {
            let s = v.as_str().ok_or_else(|| mismatch(path, t, v))?;
            let mut cs = s.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => Val::Char(c),
                _ => return Err(mismatch(path, t, v)),
            }
        }
        Type::String => match v {
            Value::Str(b) => Val::String(String::from_utf8(b.clone()).map_err(|_| TypeError {
                path: path.to_string(),
                expected: "string".into(),
                got: "a string that is not UTF-8".into(),
            })?),
            _ => return Err(mismatch(path, t, v)),
        },
        Type::List(l) => {
            let et = l.ty();
            let items = elements(path, t, v)?;
            Val::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| lower(&format!("{path}[{}]", i + 1), &et, x))
                    .collect::<Result<_, _>>()?,
            )
        }
        Type::Tuple(tt) => {
            let items = elements(path, t, v)?;
            if items.len() != tt.types().len() {
                return Err(TypeError {
                    path: path.to_string(),
                    expected: type_name(t),
                    got: format!("an array of {} values", items.len()),
                });
            }
            Val::Tuple(
                tt.types()
                    .zip(items)
                    .enumerate()
                    .map(|(i, (et, x))| lower(&format!("{path}[{}]", i + 1), &et, x))
                    .collect::<Result<_, _>>()?,
            )
        }
        Type::Record(r) => {
            let Value::Map(m) = v else {
                return Err(mismatch(path, t, v));
            };
            let mut fields = Vec::new();
            for f in r.fields() {
                let fv = field(m, f.name).unwrap_or(&Value::Nil);
                if matches!(fv, Value::Nil) && !matches!(f.ty, Type::Option(_)) {
                    return Err(TypeError {
                        path: format!("{path}.{}", f.name),
                        expected: type_name(&f.ty),
                        got: "nothing (missing field)".into(),
                    });
                }
                fields.push((
                    f.name.to_string(),
                    lower(&format!("{path}.{}", f.name), &f.ty, fv)?,
                ));
            }
            if let Some((k, _)) = m
                .iter()
                .find(|(k, _)| !r.fields().any(|f| k.as_str() == Some(f.name)))
            {
                return Err(TypeError {
                    path: path.to_string(),
                    expected: type_name(t),
                    got: format!("unknown field {}", k.display()),
                });
            }
            Val::Record(fields)
        }
        Type::Option(o) => match v {
            Value::Nil => Val::Option(None),
            x => Val::Option(Some(Box::new(lower(path, &o.ty(), x)?))),
        },
        Type::Result(r) => {
            let Value::Map(m) = v else {
                return Err(mismatch(path, t, v));
            };
            let (ok, err) = (field(m, "ok"), field(m, "err"));
            let payload = |ty: Option<Type>,
                           x: Option<&Value>,
                           side: &str|
             -> Result<Option<Box<Val>>, TypeError> {
                match ty {
                    Some(ty) => Ok(Some(Box::new(lower(
                        &format!("{path}.{side}"),
                        &ty,
                        x.unwrap_or(&Value::Nil),
                    )?))),
                    None => Ok(None),
                }
            };
            match (m.len(), ok, err) {
                (1, Some(x), None) => Val::Result(Ok(payload(r.ok(), Some(x), "ok")?)),
                (1, None, Some(x)) => Val::Result(Err(payload(r.err(), Some(x), "err")?)),
                _ => {
                    return Err(TypeError {
                        path: path.to_string(),
                        expected: format!("{} as {{ok=...}} or {{err=...}}", type_name(t)),
                        got: describe(v),
                    });
                }
            }
        }
        Type::Enum(e) => match v.as_str() {
            Some(s) if e.names().any(|n| n == s) => Val::Enum(s.to_string()),
            _ => return Err(mismatch(path, t, v)),
        },
        Type::Variant(var) => {
            let (tag, payload) = match v {
                Value::Str(_) => (v.as_str().unwrap_or_default().to_string(), &Value::Nil),
                Value::Map(m) if m.len() == 1 => match m[0].0.as_str() {
                    Some(k) => (k.to_string(), &m[0].1),
                    None => return Err(mismatch(path, t, v)),
                },
                _ => return Err(mismatch(path, t, v)),
            };
            let Some(case) = var.cases().find(|c| c.name == tag) else {
                return Err(TypeError {
                    path: path.to_string(),
                    expected: type_name(t),
                    got: format!("unknown case {tag:?}"),
                });
            };
            let inner = match case.ty {
                Some(ct) => Some(Box::new(lower(&format!("{path}.{tag}"), &ct, payload)?)),
                None => None,
            };
            Val::Variant(tag, inner)
        }
        Type::Flags(f) => {
            let items = elements(path, t, v)?;
            let mut names = Vec::new();
            for x in items {
                match x.as_str() {
                    Some(s) if f.names().any(|n| n == s) => names.push(s.to_string()),
                    _ => return Err(mismatch(path, t, x)),
                }
            }
            Val::Flags(names)
        }
        _ => {
            return Err(TypeError {
                path: path.to_string(),
                expected: type_name(t),
                got: format!(
                    "{} (resources, streams and futures cannot be passed from Lua)",
                    describe(v)
                ),
            });
        }
    })
}

/// Lift a component value to a kernel value (the inverse of [`lower`]), as a deep copy
/// under the rules of SPEC §3.2: at most 512 levels and `budget`'s bytes (a guest result
/// is as untrusted as a guest payload).
///
/// Errors: [`CopyError::TooDeep`] or [`CopyError::TooLarge`].
pub fn lift(v: &Val, budget: &mut Budget) -> Result<Value, CopyError> {
    lift_at(v, 0, budget)
}

fn str_value(s: &str, budget: &mut Budget) -> Result<Value, CopyError> {
    budget.value(s.len() as u64)?;
    Ok(Value::str(s))
}

fn lift_at(v: &Val, depth: usize, budget: &mut Budget) -> Result<Value, CopyError> {
    let open = |budget: &mut Budget| -> Result<(), CopyError> {
        budget.enter(depth + 1)?;
        budget.value(0)
    };
    // A payload-less case lifts to `true` (`{ok=true}`), as before.
    let payload = |p: &Option<Box<Val>>, budget: &mut Budget| match p.as_deref() {
        Some(x) => lift_at(x, depth + 1, budget),
        None => {
            budget.value(0)?;
            Ok(Value::Bool(true))
        }
    };
    Ok(match v {
        Val::Bool(b) => {
            budget.value(0)?;
            Value::Bool(*b)
        }
        Val::S8(_)
        | Val::U8(_)
        | Val::S16(_)
        | Val::U16(_)
        | Val::S32(_)
        | Val::U32(_)
        | Val::S64(_)
        | Val::U64(_)
        | Val::Float32(_)
        | Val::Float64(_) => {
            budget.value(0)?;
            scalar(v)
        }
        Val::Char(c) => str_value(&c.to_string(), budget)?,
        Val::String(s) => str_value(s, budget)?,
        Val::Enum(s) => str_value(s, budget)?,
        Val::List(l) | Val::Tuple(l) | Val::FixedLengthList(l) => {
            open(budget)?;
            Value::Array(
                l.iter()
                    .map(|x| lift_at(x, depth + 1, budget))
                    .collect::<Result<_, _>>()?,
            )
        }
        Val::Map(m) => {
            open(budget)?;
            let mut out = Vec::with_capacity(m.len());
            for (k, x) in m {
                out.push((
                    lift_at(k, depth + 1, budget)?,
                    lift_at(x, depth + 1, budget)?,
                ));
            }
            Value::Map(out)
        }
        Val::Record(fs) => {
            open(budget)?;
            let mut out = Vec::with_capacity(fs.len());
            for (k, x) in fs {
                out.push((str_value(k, budget)?, lift_at(x, depth + 1, budget)?));
            }
            Value::Map(out)
        }
        Val::Variant(tag, p) => {
            open(budget)?;
            Value::Map(vec![(str_value(tag, budget)?, payload(p, budget)?)])
        }
        Val::Option(o) => match o.as_deref() {
            Some(x) => lift_at(x, depth, budget)?,
            None => {
                budget.value(0)?;
                Value::Nil
            }
        },
        Val::Result(r) => {
            open(budget)?;
            let (k, p) = match r {
                Ok(p) => ("ok", p),
                Err(p) => ("err", p),
            };
            Value::Map(vec![(str_value(k, budget)?, payload(p, budget)?)])
        }
        Val::Flags(f) => {
            open(budget)?;
            Value::Array(
                f.iter()
                    .map(|s| str_value(s, budget))
                    .collect::<Result<_, _>>()?,
            )
        }
        other => str_value(&format!("{other:?}"), budget)?,
    })
}

fn scalar(v: &Val) -> Value {
    match v {
        Val::S8(i) => Value::Int(*i as i64),
        Val::U8(i) => Value::Int(*i as i64),
        Val::S16(i) => Value::Int(*i as i64),
        Val::U16(i) => Value::Int(*i as i64),
        Val::S32(i) => Value::Int(*i as i64),
        Val::U32(i) => Value::Int(*i as i64),
        Val::S64(i) => Value::Int(*i),
        Val::U64(i) => i64::try_from(*i)
            .map(Value::Int)
            .unwrap_or(Value::Float(*i as f64)),
        Val::Float32(f) => Value::Float(*f as f64),
        Val::Float64(f) => Value::Float(*f),
        _ => Value::Nil,
    }
}
