//! One definition file (`_index.yaml`): `namespace`, `version`, `entries`, and for each entry
//! its `name`, `kind`, `meta` and raw JSON; the kind's own fields go to [`crate::kinds`].

use crate::context::{Cx, Fields};
use crate::kinds;
use crate::yaml::{Node, Value};
use crate::{Entry, EntryId, KIND_NAMES, Location, suggest};

const FILE_KEYS: &[&str] = &["namespace", "version", "entries"];

/// An entry ID as declared, whether or not its fields parsed (for duplicate and reference checks).
#[derive(Debug, Clone)]
pub(crate) struct Declared {
    pub id: EntryId,
    /// The kind, when it is a known one.
    pub kind: Option<&'static str>,
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
    let Some(f) = Fields::open(cx, root, "", "in a definition file", FILE_KEYS) else {
        return out;
    };
    let namespace = f
        .require(cx, "namespace")
        .and_then(|n| namespace(cx, n))
        .unwrap_or_default();
    if let Some(v) = f.get("version")
        && !matches!(v.value, Value::Str(_) | Value::Int(_) | Value::Float(_))
    {
        cx.wrong_type("version", "a string such as \"1.0\"", v);
    }
    let Some(entries) = f.get("entries") else {
        return out;
    };
    let Value::Seq(items) = &entries.value else {
        cx.wrong_type("entries", "a list of entries", entries);
        return out;
    };
    let mut entry_cx = Cx {
        file: cx.file,
        dir: cx.dir,
        root: cx.root,
        namespace: &namespace,
        entry: None,
        out: &mut *cx.out,
        checker: cx.checker,
    };
    for item in items {
        parse_entry(&mut entry_cx, item, &mut out);
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

fn parse_entry(cx: &mut Cx, node: &Node, out: &mut FileEntries) {
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
            kind,
            location: location.clone(),
        });
    }
    let meta = match node.get("meta").filter(|n| n.value != Value::Null) {
        None => serde_json::Map::new(),
        Some(m) => match m.to_json() {
            serde_json::Value::Object(map) => map,
            _ => {
                cx.wrong_type("meta", "a map", m);
                serde_json::Map::new()
            }
        },
    };
    let Some(kind) = kind else { return };
    let parsed = kinds::parse_kind(cx, kind, node);
    if let (Some(kind), Some(id), Some(name)) = (parsed, id, name) {
        out.entries.push(Entry {
            id,
            namespace: cx.namespace.to_string(),
            name,
            kind,
            meta,
            raw: node.to_json(),
            location,
        });
    }
}

/// The entry's `kind`, if it is a known one (reports missing/unknown kinds).
fn kind(cx: &mut Cx, node: &Node) -> Option<&'static str> {
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
        return Some(known);
    }
    let hint = match suggest::nearest(text, KIND_NAMES.iter().copied()) {
        Some(n) => format!(", did you mean \"{n}\"?"),
        None => String::new(),
    };
    cx.error(k, format!("unknown kind \"{text}\"{hint}"));
    None
}
