//! The filter of `registry.find` (WIPPY-API.md §10.1), as Wippy reads it:
//!
//! | key | test on an entry |
//! |---|---|
//! | `.kind` `.ns` `.name` `.id` | equal, or a `*` glob (`*` = any run of characters) |
//! | `meta.K` | `meta[K]` equals the value (numbers compare as numbers); an array value must be fully contained in an array `meta[K]` |
//! | `~meta.K` | `meta[K]` (as text) matches the regular expression |
//! | `*meta.K` / `^meta.K` / `$meta.K` | `meta[K]` (as text) contains / starts with / ends with the value |
//!
//! Every other key is ignored (as Wippy: `{kind = …}` or a nested `meta = {…}` filter
//! nothing). A string, number or boolean meta value is compared as text by the string
//! operators; a table or a missing value never matches them.
//!
//! Bounds (the filter is user input): a pattern or text is at most [`MAX_TEXT`] bytes;
//! regular expressions are compiled by the `regex` crate (linear-time matching) with a
//! compiled-size limit of [`REGEX_SIZE`]; an array value holds at most [`MAX_ITEMS`]
//! items. Anything over is `nil, err` (`Invalid`).

use mlua::{Table, Value as LuaValue};
use serde_json::Value as J;
use troupe_registry::Entry;

/// Longest string a filter value may be, in bytes.
pub const MAX_TEXT: usize = 64 * 1024;
/// Most items of an array `meta.K` value.
pub const MAX_ITEMS: usize = 1024;
/// Compiled-size limit of one regular expression (and of its lazy DFA), in bytes.
pub const REGEX_SIZE: usize = 1 << 20;

/// A filter that cannot be used; the text is the `Invalid` error's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("registry.find: {0}")]
pub struct FilterError(pub String);

/// One of the entry's own fields.
#[derive(Debug, Clone, Copy)]
enum Field {
    Kind,
    Ns,
    Name,
    Id,
}

/// How a field is compared.
enum Text {
    Exact(String),
    Glob(regex::Regex),
}

impl Text {
    fn holds(&self, s: &str) -> bool {
        match self {
            Text::Exact(t) => t == s,
            Text::Glob(re) => re.is_match(s),
        }
    }
}

/// A test on `meta[K]`.
enum MetaTest {
    Equal(J),
    Regex(regex::Regex),
    Contains(String),
    Prefix(String),
    Suffix(String),
}

enum Test {
    Field(Field, Text),
    Meta(String, MetaTest),
}

/// A parsed filter: every test must hold.
pub struct Filter(Vec<Test>);

impl Filter {
    /// A filter that lets every entry through.
    pub fn all() -> Filter {
        Filter(Vec::new())
    }

    /// Read a Lua filter table.
    ///
    /// Errors: a known key with a value of the wrong type, too long, a bad regular
    /// expression, too many array items; a value the bounded copy refuses (as a Lua
    /// error).
    pub fn parse(t: &Table) -> mlua::Result<Result<Filter, FilterError>> {
        let mut tests = Vec::new();
        for pair in t.pairs::<LuaValue, LuaValue>() {
            let (k, v) = pair?;
            let LuaValue::String(k) = k else { continue };
            let Ok(key) = k.to_str() else { continue };
            let key = key.to_string();
            let field = match key.as_str() {
                ".kind" => Some(Field::Kind),
                ".ns" => Some(Field::Ns),
                ".name" => Some(Field::Name),
                ".id" => Some(Field::Id),
                _ => None,
            };
            if let Some(f) = field {
                let s = match text(&key, &v) {
                    Ok(s) => s,
                    Err(e) => return Ok(Err(e)),
                };
                let t = if s.contains('*') {
                    match glob(&s) {
                        Ok(re) => Text::Glob(re),
                        Err(e) => return Ok(Err(FilterError(format!("{key}: {e}")))),
                    }
                } else {
                    Text::Exact(s)
                };
                tests.push(Test::Field(f, t));
                continue;
            }
            let (op, rest) = match key.as_bytes().first() {
                Some(b'~' | b'*' | b'^' | b'$') => (Some(key.as_bytes()[0]), &key[1..]),
                _ => (None, key.as_str()),
            };
            let Some(name) = rest.strip_prefix("meta.").filter(|n| !n.is_empty()) else {
                continue;
            };
            let test = match op {
                None => {
                    let want = crate::convert::to_json(&v)?;
                    if let J::Array(a) = &want
                        && a.len() > MAX_ITEMS
                    {
                        return Ok(Err(FilterError(format!(
                            "{key}: an array value may hold at most {MAX_ITEMS} items, got {}",
                            a.len()
                        ))));
                    }
                    MetaTest::Equal(want)
                }
                Some(op) => {
                    let s = match text(&key, &v) {
                        Ok(s) => s,
                        Err(e) => return Ok(Err(e)),
                    };
                    match op {
                        b'~' => match regex(&s) {
                            Ok(re) => MetaTest::Regex(re),
                            Err(e) => return Ok(Err(FilterError(format!("{key}: {e}")))),
                        },
                        b'*' => MetaTest::Contains(s),
                        b'^' => MetaTest::Prefix(s),
                        _ => MetaTest::Suffix(s),
                    }
                }
            };
            tests.push(Test::Meta(name.to_string(), test));
        }
        Ok(Ok(Filter(tests)))
    }

    /// Whether `e` passes every test.
    pub fn holds(&self, e: &Entry) -> bool {
        self.0.iter().all(|t| match t {
            Test::Field(f, text) => {
                let s = match f {
                    Field::Kind => e.kind_name(),
                    Field::Ns => e.namespace.as_str(),
                    Field::Name => e.name.as_str(),
                    Field::Id => e.id.as_str(),
                };
                text.holds(s)
            }
            Test::Meta(k, test) => e.meta.get(k).is_some_and(|have| meta_holds(test, have)),
        })
    }
}

fn meta_holds(test: &MetaTest, have: &J) -> bool {
    match test {
        MetaTest::Equal(J::Array(want)) => match have {
            J::Array(have) => want.iter().all(|w| have.iter().any(|h| same(h, w))),
            _ => false,
        },
        MetaTest::Equal(want) => same(have, want),
        MetaTest::Regex(re) => as_text(have).is_some_and(|s| re.is_match(&s)),
        MetaTest::Contains(p) => as_text(have).is_some_and(|s| s.contains(p.as_str())),
        MetaTest::Prefix(p) => as_text(have).is_some_and(|s| s.starts_with(p.as_str())),
        MetaTest::Suffix(p) => as_text(have).is_some_and(|s| s.ends_with(p.as_str())),
    }
}

/// A scalar meta value as text (`2` → `"2"`, `true` → `"true"`); tables and null have
/// none.
fn as_text(v: &J) -> Option<std::borrow::Cow<'_, str>> {
    match v {
        J::String(s) => Some(s.as_str().into()),
        J::Number(n) => Some(match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => format!("{}", f as i64).into(),
            _ => n.to_string().into(),
        }),
        J::Bool(b) => Some(if *b { "true" } else { "false" }.into()),
        _ => None,
    }
}

/// JSON equality that treats `2` and `2.0` as equal (Lua numbers).
fn same(a: &J, b: &J) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// A filter value that must be text: a string, or a number (coerced as Lua does).
fn text(key: &str, v: &LuaValue) -> Result<String, FilterError> {
    let s = match v {
        LuaValue::String(s) => s.to_string_lossy(),
        LuaValue::Integer(i) => i.to_string(),
        LuaValue::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => (*n as i64).to_string(),
        LuaValue::Number(n) => n.to_string(),
        other => {
            return Err(FilterError(format!(
                "{key} must be a string, got a {}",
                other.type_name()
            )));
        }
    };
    if s.len() > MAX_TEXT {
        return Err(FilterError(format!(
            "{key} is {} bytes long; at most {MAX_TEXT} bytes are allowed",
            s.len()
        )));
    }
    Ok(s)
}

fn regex(pattern: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE)
        .dfa_size_limit(REGEX_SIZE)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(n) => format!(
                "the regular expression is too large (its compiled form passes the limit of {n} bytes)"
            ),
            other => format!("invalid regular expression: {other}"),
        })
}

/// A `*` glob as an anchored regular expression.
fn glob(pattern: &str) -> Result<regex::Regex, String> {
    let parts: Vec<String> = pattern.split('*').map(regex::escape).collect();
    regex(&format!("^(?s:{})$", parts.join(".*")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_are_anchored_and_literal() {
        let g = glob("app.*:test_*").unwrap();
        assert!(g.is_match("app.x:test_a"));
        assert!(!g.is_match("appx:test_a"));
        assert!(!g.is_match("xapp.x:test_a"));
        assert!(glob("*").unwrap().is_match(""));
    }

    #[test]
    fn huge_regexes_are_refused() {
        let e = regex("(a{1000}){1000}").unwrap_err();
        assert!(e.contains("too large"), "{e}");
        assert!(
            regex("(")
                .unwrap_err()
                .contains("invalid regular expression")
        );
    }

    #[test]
    fn arrays_are_contained() {
        let have = serde_json::json!(["a", "b", 3]);
        assert!(meta_holds(
            &MetaTest::Equal(serde_json::json!(["b", 3.0])),
            &have
        ));
        assert!(!meta_holds(
            &MetaTest::Equal(serde_json::json!(["b", "z"])),
            &have
        ));
        assert!(!meta_holds(
            &MetaTest::Equal(serde_json::json!(["a"])),
            &serde_json::json!("a")
        ));
    }
}
