//! One definition file: `namespace`, `version`, file-level `meta` and `entries` — or a
//! single top-level entry (WIPPY-API.md §12) — and for each entry its `name`, `kind`,
//! `meta` (the file's `meta` merged under it) and raw JSON with every `file://` string
//! inlined; the kind's own fields go to [`crate::kinds`]. A kind Troupe does not implement
//! is stored as [`Kind::Unimplemented`] with a warning naming it.

use crate::context::{Cx, Fields};
use crate::kinds;
use crate::yaml::{Node, Value};
use crate::{Entry, EntryId, KIND_NAMES, Kind, Location, suggest};

/// Keys of a definition file with an `entries` list.
const FILE_KEYS: &[&str] = &["namespace", "version", "meta", "entries"];
/// Keys of the file itself in the one-entry form (the rest is the entry).
const SINGLE_FILE_KEYS: &[&str] = &["namespace", "version"];
/// Kinds whose parser reads `source` itself (keeping the file for Lua line numbers).
const OWN_SOURCE: &[&str] = &["process.lua", "function.lua", "library.lua", "function.wat"];

/// An entry ID as declared, whether or not its fields parsed (for duplicate and reference checks).
#[derive(Debug, Clone)]
pub(crate) struct Declared {
    pub id: EntryId,
    /// The kind, when it is a known one.
    pub kind: Option<&'static str>,
    /// The kind as written, when Troupe does not implement it.
    pub unimplemented: Option<String>,
    pub location: Location,
}

/// What one file yields.
#[derive(Debug, Default)]
pub(crate) struct FileEntries {
    pub entries: Vec<Entry>,
    pub declared: Vec<Declared>,
}

/// Parse a definition file's root node. Problems go to `cx.out.diags`.
pub(crate) fn parse_file(cx: &mut Cx, root: &Node) -> FileEntries {
    let mut out = FileEntries::default();
    let single = root.as_map().is_some()
        && root.get("entries").is_none()
        && (root.get("kind").is_some() || root.get("name").is_some());
    let (namespace, file_meta) = if single {
        let namespace = match root.get("namespace") {
            Some(n) if n.value != Value::Null => namespace(cx, n),
            _ => {
                cx.error(root, "missing required field `namespace`");
                None
            }
        };
        (namespace.unwrap_or_default(), serde_json::Map::new())
    } else {
        let Some(f) = Fields::open(cx, root, "", "in a definition file", FILE_KEYS) else {
            return out;
        };
        let namespace = f
            .require(cx, "namespace")
            .and_then(|n| namespace(cx, n))
            .unwrap_or_default();
        let meta = match f.get("meta") {
            None => serde_json::Map::new(),
            Some(m) => match m.to_json() {
                serde_json::Value::Object(map) => map,
                _ => {
                    cx.wrong_type("meta", "a map", m);
                    serde_json::Map::new()
                }
            },
        };
        (namespace, meta)
    };
    if let Some(v) = root.get("version")
        && !matches!(
            v.value,
            Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Null
        )
    {
        cx.wrong_type("version", "a string such as \"1.0\"", v);
    }
    let mut entry_cx = Cx {
        file: cx.file,
        dir: cx.dir,
        root: cx.root,
        namespace: &namespace,
        entry: None,
        out: &mut *cx.out,
        checker: cx.checker,
    };
    if single {
        let pairs = root.as_map().unwrap_or_default();
        let entry = Node {
            value: Value::Map(
                pairs
                    .iter()
                    .filter(|(k, _)| !k.as_str().is_some_and(|k| SINGLE_FILE_KEYS.contains(&k)))
                    .cloned()
                    .collect(),
            ),
            ..root.clone()
        };
        parse_entry(&mut entry_cx, &entry, &file_meta, &mut out);
        return out;
    }
    let Some(entries) = root.get("entries").filter(|n| n.value != Value::Null) else {
        return out;
    };
    let Value::Seq(items) = &entries.value else {
        entry_cx.wrong_type("entries", "a list of entries", entries);
        return out;
    };
    for item in items {
        parse_entry(&mut entry_cx, item, &file_meta, &mut out);
    }
    out
}

/// `namespace`: dot-separated identifiers (letters, digits, `_`, `-`).
fn namespace(cx: &mut Cx, node: &Node) -> Option<String> {
    let Some(text) = node.as_str() else {
        cx.wrong_type("namespace", "a string such as \"app.workers\"", node);
        return None;
    };
    let valid = !text.is_empty()
        && text.split('.').all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        });
    if !valid {
        cx.error(
            node,
            format!("`namespace`: \"{text}\" is not valid; expected dot-separated identifiers such as \"app.workers\""),
        );
        return None;
    }
    Some(text.to_string())
}

/// A valid entry name: non-empty, no `:` and no whitespace.
fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(':') && !name.chars().any(char::is_whitespace)
}

fn parse_entry(
    cx: &mut Cx,
    node: &Node,
    file_meta: &serde_json::Map<String, serde_json::Value>,
    out: &mut FileEntries,
) {
    cx.entry = None;
    if node.as_map().is_none() {
        cx.wrong_type("entries[]", "an entry (a map with name and kind)", node);
        return;
    }
    let name_node = node.get("name").filter(|n| n.value != Value::Null);
    let name = match name_node {
        None => {
            cx.error(node, "missing required field `name`");
            None
        }
        Some(n) => match n.as_str() {
            Some(s) if valid_name(s) => Some(s.to_string()),
            Some(s) => {
                cx.error(
                    n,
                    format!("`name`: \"{s}\" is not valid; expected a name without `:` or spaces"),
                );
                None
            }
            None => {
                cx.wrong_type("name", "a string", n);
                None
            }
        },
    };
    let id = match (&name, cx.namespace.is_empty()) {
        (Some(name), false) => Some(format!("{}:{name}", cx.namespace)),
        _ => None,
    };
    cx.entry = id.clone();
    // Entry location: the `name:` key, or the entry mapping.
    let key_node = node
        .as_map()
        .and_then(|pairs| {
            pairs
                .iter()
                .find(|(k, _)| k.as_str() == Some("name"))
                .map(|(k, _)| k)
        })
        .unwrap_or(node);
    let location = cx.loc(key_node);

    let kind = kind(cx, node);
    if let Some(id) = &id {
        out.declared.push(Declared {
            id: id.clone(),
            kind: kind.as_ref().and_then(|k| k.known()),
            unimplemented: match &kind {
                Some(Written::Other(k)) => Some(k.clone()),
                _ => None,
            },
            location: location.clone(),
        });
    }
    // The file's `meta` first, the entry's own keys over it.
    let mut meta = file_meta.clone();
    match node.get("meta").filter(|n| n.value != Value::Null) {
        None => {}
        Some(m) => match m.to_json() {
            serde_json::Value::Object(map) => meta.extend(map),
            _ => cx.wrong_type("meta", "a map", m),
        },
    }
    let Some(kind) = kind else { return };
    let own_source = kind.known().is_some_and(|k| OWN_SOURCE.contains(&k));
    let node = &inline_files(cx, node, own_source);
    let parsed = match &kind {
        Written::Known(k) => kinds::parse_kind(cx, k, node),
        Written::Other(k) => Some(Kind::Unimplemented(k.clone())),
    };
    if let (Some(kind), Some(id), Some(name)) = (parsed, id, name) {
        let mut raw = node.to_json();
        if let (Some(src), serde_json::Value::Object(map)) = (kind_source(&kind), &mut raw)
            && src.path.is_some()
        {
            map.insert("source".into(), serde_json::Value::String(src.text.clone()));
        }
        out.entries.push(Entry {
            id,
            namespace: cx.namespace.to_string(),
            name,
            kind,
            meta,
            raw,
            location,
        });
    }
}

/// The `source` a kind's parser read, if any.
fn kind_source(kind: &Kind) -> Option<&crate::Source> {
    match kind {
        Kind::ProcessLua(s) | Kind::FunctionLua(s) | Kind::LibraryLua(s) => Some(&s.source),
        Kind::FunctionWat(s) => s.source.as_ref(),
        _ => None,
    }
}

/// `node` with every string value of its fields that starts with `file://` replaced by the
/// file's text (WIPPY-API.md §12): `file://rel` against the YAML file's directory,
/// `file:///abs` absolute. `name`, `kind` and `meta` are left as written, and `source`
/// when the kind's parser reads it itself. A file that cannot be read is reported at the
/// string and the string is kept. Recursion is bounded by the YAML depth limit.
fn inline_files(cx: &mut Cx, node: &Node, own_source: bool) -> Node {
    let Some(pairs) = node.as_map() else {
        return node.clone();
    };
    let pairs = pairs
        .iter()
        .map(|(k, v)| {
            let keep = match k.as_str() {
                Some("name" | "kind" | "meta") => true,
                Some("source") => own_source,
                _ => false,
            };
            let v = if keep { v.clone() } else { inline_value(cx, v) };
            (k.clone(), v)
        })
        .collect();
    Node {
        value: Value::Map(pairs),
        ..node.clone()
    }
}

fn inline_value(cx: &mut Cx, node: &Node) -> Node {
    let value = match &node.value {
        Value::Str(s) => match s.strip_prefix("file://") {
            Some(rest) => match cx.read_file_url(rest) {
                Ok((_, text)) => Value::Str(text),
                Err((path, e)) => {
                    cx.error(
                        node,
                        format!(
                            "cannot read {} ({}): {}",
                            s.trim(),
                            path.display(),
                            e.detail()
                        ),
                    );
                    node.value.clone()
                }
            },
            None => return node.clone(),
        },
        Value::Seq(items) => Value::Seq(items.iter().map(|i| inline_value(cx, i)).collect()),
        Value::Map(pairs) => Value::Map(
            pairs
                .iter()
                .map(|(k, v)| (k.clone(), inline_value(cx, v)))
                .collect(),
        ),
        _ => return node.clone(),
    };
    Node {
        value,
        ..node.clone()
    }
}

/// An entry's `kind` as written.
enum Written {
    /// One Troupe implements.
    Known(&'static str),
    /// One it does not (stored, ignored, fails when used).
    Other(String),
}

impl Written {
    fn known(&self) -> Option<&'static str> {
        match self {
            Written::Known(k) => Some(k),
            Written::Other(_) => None,
        }
    }
}

/// The entry's `kind` (reports a missing one; warns about one Troupe does not implement,
/// suggesting the nearest Troupe kind when it looks like a misspelling of one).
fn kind(cx: &mut Cx, node: &Node) -> Option<Written> {
    let Some(k) = node.get("kind").filter(|n| n.value != Value::Null) else {
        cx.error(
            node,
            format!(
                "missing required field `kind` (one of: {})",
                KIND_NAMES.join(", ")
            ),
        );
        return None;
    };
    let Some(text) = k.as_str() else {
        cx.wrong_type("kind", "a kind name such as \"process.lua\"", k);
        return None;
    };
    if let Some(known) = KIND_NAMES.iter().find(|n| **n == text) {
        return Some(Written::Known(known));
    }
    if text.trim().is_empty() {
        cx.error(
            k,
            "`kind`: expected a kind name such as \"process.lua\", found an empty string",
        );
        return None;
    }
    let hint = match suggest::close(text, KIND_NAMES.iter().copied()) {
        Some(near) => format!(" (did you mean \"{near}\"?)"),
        None => String::new(),
    };
    cx.warn(
        k,
        format!(
            "kind \"{text}\" is not implemented by Troupe{hint}; the entry is stored (the Lua `registry` module sees it) and otherwise ignored, and whatever uses it fails"
        ),
    );
    Some(Written::Other(text.to_string()))
}
