//! The type expressions the rewrite reads while it passes over a type (the syntax tree of
//! a `type X = ...` declaration, from which [`super::shape`] builds a runtime validator),
//! the Wippy validators (`@min(n)`, ...) and the decoding of Lua string literals used as
//! literal types or validator arguments.

/// A type as written (Luau types plus Wippy's `T[]`, `name?: T` and validators).
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// A type name (`string`, `User`, `mod.T`); `generic` when it has type arguments.
    Name { name: String, generic: bool },
    /// A string literal type (`"red"`).
    Str(Vec<u8>),
    /// A number literal type (Wippy; Luau sees `number`).
    Num(f64),
    /// `true` / `false`.
    Bool(bool),
    /// `nil`.
    Nil,
    /// `T?`.
    Optional(Box<Ty>),
    /// `{T}` or `T[]`.
    Array(Box<Ty>),
    /// A table type with named fields and/or an indexer `[K]: V`.
    Table {
        fields: Vec<Field>,
        indexer: Option<(Box<Ty>, Box<Ty>)>,
    },
    /// `A | B`.
    Union(Vec<Ty>),
    /// `A & B`.
    Inter(Vec<Ty>),
    /// A type with Wippy validators after it.
    Validated(Box<Ty>, Vec<Validator>),
    /// A type Luau knows that has no runtime validator (function types, `typeof`, type
    /// packs, generic functions, mixed `|`/`&`): what it is, for the error message.
    Other(&'static str),
}

/// A named field of a table type.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub ty: Ty,
    /// Written `name?: T`.
    pub optional: bool,
}

/// A Wippy runtime validator (WIPPY-API.md §1). Stripped from the Luau text; enforced by
/// runtime types.
#[derive(Debug, Clone, PartialEq)]
pub enum Validator {
    /// `@min(n)`: a number at least `n`.
    Min(f64),
    /// `@max(n)`: a number at most `n`.
    Max(f64),
    /// `@min_len(n)`: a string of at least `n` characters, or a table of at least `n` items.
    MinLen(f64),
    /// `@max_len(n)`: at most `n` characters or items.
    MaxLen(f64),
    /// `@pattern(re)`: a string the regular expression matches (unanchored, as Go's
    /// `regexp.MatchString`).
    Pattern(String),
}

/// The names of the validators, for error messages.
pub const VALIDATORS: &str = "@min(n), @max(n), @min_len(n), @max_len(n), @pattern(re)";

impl Validator {
    /// The validator `name` with its single literal argument.
    ///
    /// Errors: an unknown name, or an argument of the wrong type, as a message.
    pub fn new(name: &str, arg: Arg) -> Result<Validator, String> {
        let num = |arg: Arg| match arg {
            Arg::Num(n) => Ok(n),
            _ => Err(format!("validator @{name} takes a number")),
        };
        Ok(match name {
            "min" => Validator::Min(num(arg)?),
            "max" => Validator::Max(num(arg)?),
            "min_len" | "max_len" => {
                let n = num(arg)?;
                if !(n >= 0.0 && n.fract() == 0.0) {
                    return Err(format!(
                        "validator @{name} takes a whole number of at least 0"
                    ));
                }
                if name == "min_len" {
                    Validator::MinLen(n)
                } else {
                    Validator::MaxLen(n)
                }
            }
            "pattern" => match arg {
                Arg::Str(s) => {
                    let s = String::from_utf8(s)
                        .map_err(|_| "validator @pattern takes UTF-8 text".to_string())?;
                    super::shape::compile_pattern(&s)?;
                    Validator::Pattern(s)
                }
                _ => return Err("validator @pattern takes a string".to_string()),
            },
            other => {
                return Err(format!(
                    "unknown validator @{other}; expected one of {VALIDATORS}"
                ));
            }
        })
    }
}

/// A validator's argument.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Num(f64),
    Str(Vec<u8>),
    None,
}

/// The number a Lua number literal denotes (`0x1F`, `1e3`, `1_000`), if it parses.
pub fn number(text: &str) -> Option<f64> {
    let t = text.replace('_', "");
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return u64::from_str_radix(hex, 16).ok().map(|n| n as f64);
    }
    if let Some(bin) = t.strip_prefix("0b").or_else(|| t.strip_prefix("0B")) {
        return u64::from_str_radix(bin, 2).ok().map(|n| n as f64);
    }
    t.parse::<f64>().ok()
}

/// The bytes a Lua string literal (with its quotes or long brackets) denotes.
/// Unknown escapes keep the escaped character; the text is at most the literal's length.
pub fn string(lit: &str) -> Vec<u8> {
    let b = lit.as_bytes();
    if b.first() == Some(&b'[') {
        // [==[ ... ]==]: no escapes; a first newline is skipped.
        let level = b[1..].iter().take_while(|&&c| c == b'=').count();
        let open = level + 2;
        let close = level + 2;
        if b.len() < open + close {
            return Vec::new();
        }
        let mut body = &b[open..b.len() - close];
        if body.first() == Some(&b'\r') {
            body = &body[1..];
        }
        if body.first() == Some(&b'\n') {
            body = &body[1..];
        }
        return body.to_vec();
    }
    if b.len() < 2 {
        return Vec::new();
    }
    let body = &b[1..b.len() - 1];
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let c = body[i];
        if c != b'\\' || i + 1 >= body.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let e = body[i + 1];
        i += 2;
        match e {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'v' => out.push(11),
            b'x' => {
                let hex = body.get(i..i + 2).and_then(|h| std::str::from_utf8(h).ok());
                if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    out.push(v);
                    i += 2;
                }
            }
            b'z' => {
                while i < body.len() && body[i].is_ascii_whitespace() {
                    i += 1;
                }
            }
            b'u' if body.get(i) == Some(&b'{') => {
                let end = body[i..].iter().position(|&c| c == b'}').map(|p| i + p);
                if let Some(end) = end {
                    let code = std::str::from_utf8(&body[i + 1..end])
                        .ok()
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .and_then(char::from_u32);
                    if let Some(ch) = code {
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    }
                    i = end + 1;
                }
            }
            d if d.is_ascii_digit() => {
                let mut v: u32 = u32::from(d - b'0');
                let mut n = 1;
                while n < 3 && i < body.len() && body[i].is_ascii_digit() {
                    v = v * 10 + u32::from(body[i] - b'0');
                    i += 1;
                    n += 1;
                }
                out.push(v.min(255) as u8);
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_decode() {
        assert_eq!(string(r#""a\"b\n""#), b"a\"b\n");
        assert_eq!(string("'\\65\\x42'"), b"AB");
        assert_eq!(string("[==[\nx]]y]==]"), b"x]]y");
        assert_eq!(string("'\\u{48}'"), b"H");
    }

    #[test]
    fn numbers_parse() {
        assert_eq!(number("0x10"), Some(16.0));
        assert_eq!(number("1_000"), Some(1000.0));
        assert_eq!(number("2.5e1"), Some(25.0));
    }
}
