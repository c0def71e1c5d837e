//! The parsing context shared by every kind parser: where we are (file, namespace, entry),
//! where problems, warnings and references go, and [`Fields`], a typed reader over a YAML
//! mapping that reports unknown keys (an error with a suggestion, or a warning for a key
//! Wippy accepts and Troupe does not use), missing keys and wrong types with positions.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::input::{self, InputError};
use crate::yaml::{Node, Value};
use crate::{Diagnostic, EntryId, Location, SourceChecker, suggest, units};

/// A reference from one entry to another, checked once all entries are known.
#[derive(Debug, Clone)]
pub(crate) struct Ref {
    /// The referring entry (`None` for `troupe.yaml` or an entry without a valid name).
    pub from: Option<EntryId>,
    /// The resolved full ID it names.
    pub target: EntryId,
    /// Where the reference was written.
    pub location: Location,
    /// The field, as written in messages (`process`, `lifecycle.requires`, …).
    pub field: &'static str,
    /// Kinds the target may have.
    pub expected: &'static [&'static str],
}

/// A wasm `hash` to verify against the file at `fs` directory + `path`.
#[derive(Debug, Clone)]
pub(crate) struct HashCheck {
    pub entry: EntryId,
    pub fs: EntryId,
    pub path: String,
    pub path_location: Location,
    /// Lower-case hex digest (without `sha256:`).
    pub expected: String,
    pub hash_location: Location,
}

/// Everything the parsers produce besides the entries themselves.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    pub diags: Vec<Diagnostic>,
    /// Things Troupe accepts for Wippy compatibility but ignores (WIPPY-API.md §12).
    pub warnings: Vec<Diagnostic>,
    /// Bytes inlined from `file://` values so far (bounded by [`crate::input::MAX_INLINED_BYTES`]).
    pub inlined: u64,
    pub refs: Vec<Ref>,
    pub hashes: Vec<HashCheck>,
}

/// Where we are while parsing one file or entry.
pub(crate) struct Cx<'a> {
    /// The YAML file (as `app_dir.join(relative)`).
    pub file: &'a Path,
    /// Its directory (for `file://` sources and relative `fs.directory` paths).
    pub dir: &'a Path,
    /// The application directory, canonical (`file://` sources must resolve inside it).
    pub root: &'a Path,
    /// The file's namespace (for bare-name references).
    pub namespace: &'a str,
    /// The entry being parsed, once its ID is known.
    pub entry: Option<EntryId>,
    pub out: &'a mut Collected,
    pub checker: &'a dyn SourceChecker,
}

impl Cx<'_> {
    /// The location of `node` in the current file.
    pub fn loc(&self, node: &Node) -> Location {
        Location {
            file: self.file.to_path_buf(),
            line: node.line,
            column: node.column,
        }
    }

    /// Report a problem at `node`.
    pub fn error(&mut self, node: &Node, message: impl Into<String>) {
        let location = self.loc(node);
        self.error_at(location, message);
    }

    /// Report a problem at an explicit location.
    pub fn error_at(&mut self, location: Location, message: impl Into<String>) {
        self.out.diags.push(Diagnostic {
            location,
            entry: self.entry.clone(),
            message: message.into(),
        });
    }

    /// Report something accepted but ignored at `node` (a warning; an error under
    /// `troupe check --strict`).
    pub fn warn(&mut self, node: &Node, message: impl Into<String>) {
        let location = self.loc(node);
        self.out.warnings.push(Diagnostic {
            location,
            entry: self.entry.clone(),
            message: message.into(),
        });
    }

    /// Report that `node` has the wrong type.
    pub fn wrong_type(&mut self, field: &str, expected: &str, node: &Node) {
        self.error(
            node,
            format!("`{field}`: expected {expected}, found {}", node.type_name()),
        );
    }

    /// Resolve a reference as written: full IDs stay, bare names get the file's namespace
    /// (outside a namespace, e.g. in `troupe.yaml`, a bare name stays as written).
    pub fn resolve(&self, written: &str) -> EntryId {
        if written.contains(':') || self.namespace.is_empty() {
            written.to_string()
        } else {
            format!("{}:{written}", self.namespace)
        }
    }

    /// Read `node` as a reference to an entry of one of `expected` kinds and record it.
    pub fn reference(
        &mut self,
        node: &Node,
        field: &'static str,
        expected: &'static [&'static str],
    ) -> Option<EntryId> {
        let Some(text) = node.as_str() else {
            self.wrong_type(field, "an entry ID (a string)", node);
            return None;
        };
        self.reference_text(node, text, field, expected)
    }

    /// [`Cx::reference`] of `text`, a part of `node`'s string (the entry ID of a
    /// `host: NODE@HOST_ID`).
    pub fn reference_text(
        &mut self,
        node: &Node,
        text: &str,
        field: &'static str,
        expected: &'static [&'static str],
    ) -> Option<EntryId> {
        if text.trim().is_empty() {
            self.error(
                node,
                format!("`{field}`: expected an entry ID, found an empty string"),
            );
            return None;
        }
        let target = self.resolve(text.trim());
        let location = self.loc(node);
        self.out.refs.push(Ref {
            from: self.entry.clone(),
            target: target.clone(),
            location,
            field,
            expected,
        });
        Some(target)
    }

    /// A path written in YAML, relative to the YAML file's directory.
    pub fn path(&self, written: &str) -> PathBuf {
        self.dir.join(written)
    }

    /// Read the file a `file://` URL names (`rest` is the part after `file://`):
    /// `file:///abs` is absolute (anywhere, as Wippy), anything else relative to the YAML
    /// file's directory, and it must then resolve inside the application. Counts against
    /// [`crate::input::MAX_INLINED_BYTES`].
    ///
    /// Errors: the path tried and why it was not read.
    pub fn read_file_url(
        &mut self,
        rest: &str,
    ) -> Result<(PathBuf, String), (PathBuf, InputError)> {
        let rest = rest.trim();
        let path = self.path(rest);
        let read = if Path::new(rest).is_absolute() {
            input::read_text(&path)
        } else {
            input::confine(self.root, &path).and_then(|real| input::read_text(&real))
        };
        let text = read.map_err(|e| (path.clone(), e))?;
        self.out.inlined = self.out.inlined.saturating_add(text.len() as u64);
        if self.out.inlined > input::MAX_INLINED_BYTES {
            let e = InputError::OverBudget {
                path: path.clone(),
                total: self.out.inlined,
            };
            return Err((path, e));
        }
        Ok((path, text))
    }
}

/// A typed reader over one YAML mapping (an entry, or a nested map such as `lifecycle`).
pub(crate) struct Fields<'n> {
    node: &'n Node,
    pairs: &'n [(Node, Node)],
    /// Prefix for field names in messages, e.g. `lifecycle.` (empty for an entry).
    prefix: String,
}

impl<'n> Fields<'n> {
    /// Open `node` as a mapping whose keys must be among `allowed`. `field` names the map in
    /// messages (empty for an entry itself); `owner` completes "unknown field `x` …"
    /// (`for kind process.lua`, ``in `lifecycle` ``). Reports a wrong type or unknown keys.
    pub fn open(
        cx: &mut Cx,
        node: &'n Node,
        field: &str,
        owner: &str,
        allowed: &[&str],
    ) -> Option<Self> {
        Self::open_with(cx, node, field, owner, allowed, &[])
    }

    /// [`Fields::open`] for a map where Wippy accepts more keys than Troupe uses: a key in
    /// `unused` is a warning ("accepted for Wippy compatibility, not used by Troupe"), a key
    /// in neither list an error with the nearest known key suggested (WIPPY-API.md §12).
    pub fn open_with(
        cx: &mut Cx,
        node: &'n Node,
        field: &str,
        owner: &str,
        allowed: &[&str],
        unused: &[&str],
    ) -> Option<Self> {
        let Some(pairs) = node.as_map() else {
            let name = if field.is_empty() { "entry" } else { field };
            cx.wrong_type(name, "a map", node);
            return None;
        };
        for (key, _) in pairs {
            let text = key.scalar_text().unwrap_or_default();
            if allowed.contains(&text.as_str()) {
                continue;
            }
            if unused.contains(&text.as_str()) {
                cx.warn(
                    key,
                    format!(
                        "field `{text}` {owner} is accepted for Wippy compatibility but not used by Troupe; ignored"
                    ),
                );
                continue;
            }
            let known = || allowed.iter().chain(unused.iter()).copied();
            let hint = suggest::did_you_mean(&text, known());
            let hint = if hint.is_empty() {
                format!(
                    " (expected one of: {})",
                    known().collect::<Vec<_>>().join(", ")
                )
            } else {
                hint
            };
            cx.error(key, format!("unknown field `{text}` {owner}{hint}"));
        }
        let prefix = if field.is_empty() {
            String::new()
        } else {
            format!("{field}.")
        };
        Some(Fields {
            node,
            pairs,
            prefix,
        })
    }

    /// The field name as shown in messages.
    pub fn name(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// The value under `key`, if present and not null.
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.pairs
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
            .filter(|v| v.value != Value::Null)
    }

    /// The value under `key`; reports a missing required field.
    pub fn require(&self, cx: &mut Cx, key: &str) -> Option<&'n Node> {
        let found = self.get(key);
        if found.is_none() {
            match self.pairs.iter().find(|(k, _)| k.as_str() == Some(key)) {
                Some((_, v)) => {
                    cx.error(v, format!("required field `{}` is empty", self.name(key)))
                }
                None => cx.error(
                    self.node,
                    format!("missing required field `{}`", self.name(key)),
                ),
            }
        }
        found
    }

    /// An optional string.
    pub fn string(&self, cx: &mut Cx, key: &str) -> Option<String> {
        let node = self.get(key)?;
        self.as_string(cx, key, node)
    }

    /// A required string.
    pub fn req_string(&self, cx: &mut Cx, key: &str) -> Option<String> {
        let node = self.require(cx, key)?;
        self.as_string(cx, key, node)
    }

    fn as_string(&self, cx: &mut Cx, key: &str, node: &Node) -> Option<String> {
        match node.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                cx.wrong_type(&self.name(key), "a string", node);
                None
            }
        }
    }

    /// An optional boolean.
    pub fn bool(&self, cx: &mut Cx, key: &str) -> Option<bool> {
        let node = self.get(key)?;
        match node.value {
            Value::Bool(b) => Some(b),
            _ => {
                cx.wrong_type(&self.name(key), "a boolean (true or false)", node);
                None
            }
        }
    }

    /// An optional non-negative integer.
    pub fn uint(&self, cx: &mut Cx, key: &str) -> Option<u64> {
        let node = self.get(key)?;
        match node.value {
            Value::Int(i) if i >= 0 => Some(i as u64),
            Value::Int(_) => {
                cx.error(
                    node,
                    format!("`{}`: expected a non-negative integer", self.name(key)),
                );
                None
            }
            _ => {
                cx.wrong_type(&self.name(key), "a non-negative integer", node);
                None
            }
        }
    }

    /// An optional non-negative integer that fits in `u32`.
    pub fn u32(&self, cx: &mut Cx, key: &str) -> Option<u32> {
        let n = self.uint(cx, key)?;
        match u32::try_from(n) {
            Ok(n) => Some(n),
            Err(_) => {
                if let Some(node) = self.get(key) {
                    cx.error(
                        node,
                        format!("`{}`: expected at most {}", self.name(key), u32::MAX),
                    );
                }
                None
            }
        }
    }

    /// An optional count that fits in `usize`.
    pub fn usize(&self, cx: &mut Cx, key: &str) -> Option<usize> {
        self.uint(cx, key).and_then(|n| usize::try_from(n).ok())
    }

    /// An optional number (integer or float).
    pub fn number(&self, cx: &mut Cx, key: &str) -> Option<f64> {
        let node = self.get(key)?;
        match node.value {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) if f.is_finite() => Some(f),
            _ => {
                cx.wrong_type(&self.name(key), "a number", node);
                None
            }
        }
    }

    /// An optional duration: `"250ms"`, `"10s"`, `"1m"`, … or an integer of milliseconds.
    pub fn duration(&self, cx: &mut Cx, key: &str) -> Option<Duration> {
        let node = self.get(key)?;
        let expected =
            "a duration such as \"250ms\", \"10s\", \"1m\" or an integer of milliseconds";
        match &node.value {
            Value::Int(i) if *i >= 0 => Some(Duration::from_millis(*i as u64)),
            Value::Str(s) => match units::duration(s) {
                Ok(d) => Some(d),
                Err(e) => {
                    cx.error(
                        node,
                        format!(
                            "`{}`: invalid duration \"{s}\" ({e}); expected {expected}",
                            self.name(key)
                        ),
                    );
                    None
                }
            },
            _ => {
                cx.wrong_type(&self.name(key), expected, node);
                None
            }
        }
    }

    /// An optional list of strings.
    pub fn strings(&self, cx: &mut Cx, key: &str) -> Option<Vec<String>> {
        let node = self.get(key)?;
        self.string_list(cx, key, node, false)
    }

    /// A required string or list of strings.
    pub fn req_string_or_list(&self, cx: &mut Cx, key: &str) -> Option<Vec<String>> {
        let node = self.require(cx, key)?;
        self.string_list(cx, key, node, true)
    }

    fn string_list(
        &self,
        cx: &mut Cx,
        key: &str,
        node: &Node,
        single_ok: bool,
    ) -> Option<Vec<String>> {
        let name = self.name(key);
        match &node.value {
            Value::Str(s) if single_ok => Some(vec![s.clone()]),
            Value::Seq(items) => {
                let mut out = Vec::new();
                for item in items {
                    match item.as_str() {
                        Some(s) => out.push(s.to_string()),
                        None => cx.wrong_type(&format!("{name}[]"), "a string", item),
                    }
                }
                Some(out)
            }
            _ => {
                let expected = if single_ok {
                    "a string or a list of strings"
                } else {
                    "a list of strings"
                };
                cx.wrong_type(&name, expected, node);
                None
            }
        }
    }

    /// An optional string that must be one of `choices` (suggests the nearest).
    pub fn choice(&self, cx: &mut Cx, key: &str, choices: &[&'static str]) -> Option<&'static str> {
        let node = self.get(key)?;
        let Some(text) = node.as_str() else {
            cx.wrong_type(
                &self.name(key),
                &format!("one of {}", choices.join(", ")),
                node,
            );
            return None;
        };
        match choices.iter().find(|c| **c == text) {
            Some(c) => Some(c),
            None => {
                let hint = suggest::did_you_mean(text, choices.iter().copied());
                cx.error(
                    node,
                    format!(
                        "`{}`: unknown value \"{text}\"; expected one of {}{hint}",
                        self.name(key),
                        choices.join(", ")
                    ),
                );
                None
            }
        }
    }

    /// An optional free-form map, as a JSON object.
    pub fn json_map(
        &self,
        cx: &mut Cx,
        key: &str,
    ) -> Option<serde_json::Map<String, serde_json::Value>> {
        let node = self.get(key)?;
        match node.to_json() {
            serde_json::Value::Object(m) => Some(m),
            _ => {
                cx.wrong_type(&self.name(key), "a map", node);
                None
            }
        }
    }

    /// An optional reference to another entry.
    pub fn reference(
        &self,
        cx: &mut Cx,
        key: &str,
        field: &'static str,
        expected: &'static [&'static str],
    ) -> Option<EntryId> {
        let node = self.get(key)?;
        cx.reference(node, field, expected)
    }

    /// An optional list of references (a single string is accepted as a one-element list).
    pub fn references(
        &self,
        cx: &mut Cx,
        key: &str,
        field: &'static str,
        expected: &'static [&'static str],
    ) -> Option<Vec<EntryId>> {
        let node = self.get(key)?;
        Some(reference_list(cx, node, field, expected))
    }
}

/// Read `node` as a list of references (or a single reference).
pub(crate) fn reference_list(
    cx: &mut Cx,
    node: &Node,
    field: &'static str,
    expected: &'static [&'static str],
) -> Vec<EntryId> {
    match &node.value {
        Value::Str(_) => cx.reference(node, field, expected).into_iter().collect(),
        Value::Seq(items) => items
            .iter()
            .filter_map(|item| cx.reference(item, field, expected))
            .collect(),
        _ => {
            cx.wrong_type(field, "a list of entry IDs", node);
            Vec::new()
        }
    }
}
