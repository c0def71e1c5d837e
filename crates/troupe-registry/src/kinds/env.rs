//! `env.variable` and the `env.storage.*` kinds (WIPPY-API.md §7.5): named environment
//! variables and the storages that hold their values.
//!
//! - `env.variable` {`variable` (`[A-Za-z0-9_]+`, default the entry's name), `storage`
//!   (required, an `env.storage.*` entry), `default`, `readonly`};
//! - `env.storage.os` (the process environment), `env.storage.memory` (a map in memory),
//!   `env.storage.file` {`file_path` (required), `auto_create`, `file_mode`, `dir_mode`}
//!   (`KEY=VALUE` lines), `env.storage.static` {`values`}, `env.storage.router`
//!   {`storages` (non-empty list of `env.storage.*` entries, tried in order)}.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::EntryId;
use crate::context::{Cx, Fields};
use crate::yaml::Value;

/// Every `env.storage.*` kind name.
pub const STORAGE_KINDS: &[&str] = &[
    "env.storage.os",
    "env.storage.memory",
    "env.storage.file",
    "env.storage.static",
    "env.storage.router",
];

/// Fields of `env.variable`.
pub(crate) const VARIABLE_FIELDS: &[&str] = &[
    "name", "kind", "meta", "variable", "storage", "default", "readonly",
];

/// Fields of `env.storage.os` and `env.storage.memory`.
pub(crate) const PLAIN_STORAGE_FIELDS: &[&str] = &["name", "kind", "meta"];
/// Fields of `env.storage.file`.
pub(crate) const FILE_STORAGE_FIELDS: &[&str] = &[
    "name",
    "kind",
    "meta",
    "file_path",
    "auto_create",
    "file_mode",
    "dir_mode",
];
/// Fields of `env.storage.static`.
pub(crate) const STATIC_STORAGE_FIELDS: &[&str] = &["name", "kind", "meta", "values"];
/// Fields of `env.storage.router`.
pub(crate) const ROUTER_STORAGE_FIELDS: &[&str] = &["name", "kind", "meta", "storages"];

/// `env.variable`: a variable the `env` module may read (and, unless `readonly`, write).
#[derive(Debug, Clone, PartialEq)]
pub struct EnvVariableSpec {
    /// `variable`: the name in the storage (`[A-Za-z0-9_]+`); the entry's name when absent.
    pub variable: String,
    /// `storage`: the `env.storage.*` entry holding the value.
    pub storage: EntryId,
    /// `default`: the value when the storage has none (or an empty one).
    pub default: Option<String>,
    /// `readonly`: `env.set` refuses it (PermissionDenied).
    pub readonly: bool,
}

/// An `env.storage.*` entry.
#[derive(Debug, Clone, PartialEq)]
pub enum EnvStorageSpec {
    /// `env.storage.os`: the process environment of the node.
    Os,
    /// `env.storage.memory`: a map kept in memory for the node's lifetime.
    Memory,
    /// `env.storage.file`: `KEY=VALUE` lines in one file.
    File {
        /// `file_path`, relative to the YAML file's directory.
        path: PathBuf,
        /// `auto_create`: create the file (and its directory) when missing.
        auto_create: bool,
        /// `file_mode` (octal, default `0600`).
        file_mode: u32,
        /// `dir_mode` (octal, default `0700`).
        dir_mode: u32,
    },
    /// `env.storage.static`: fixed values (read-only).
    Static(BTreeMap<String, String>),
    /// `env.storage.router`: the listed storages in order (reads: the first that has the
    /// variable; writes: the first storage).
    Router(Vec<EntryId>),
}

impl EnvStorageSpec {
    /// The kind name as written in YAML.
    pub fn kind_name(&self) -> &'static str {
        match self {
            EnvStorageSpec::Os => "env.storage.os",
            EnvStorageSpec::Memory => "env.storage.memory",
            EnvStorageSpec::File { .. } => "env.storage.file",
            EnvStorageSpec::Static(_) => "env.storage.static",
            EnvStorageSpec::Router(_) => "env.storage.router",
        }
    }
}

/// Whether `name` is a valid variable name (`[A-Za-z0-9_]+`, as Wippy).
pub fn valid_variable(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Parse `env.variable`.
pub(crate) fn parse_variable(cx: &mut Cx, f: &Fields) -> Option<EnvVariableSpec> {
    let own_name = cx
        .entry
        .as_deref()
        .and_then(|id| id.rsplit(':').next())
        .unwrap_or("")
        .to_string();
    let variable = match f.get("variable") {
        Some(node) => {
            let v = f.string(cx, "variable")?;
            if !valid_variable(&v) {
                cx.error(
                    node,
                    format!("`variable`: \"{v}\" is not a valid name (expected [A-Za-z0-9_]+)"),
                );
                return None;
            }
            v
        }
        None => own_name,
    };
    let storage = match f.require(cx, "storage") {
        Some(node) => cx.reference(node, "storage", STORAGE_KINDS),
        None => None,
    };
    let default = match f.get("default") {
        None => None,
        Some(node) => match node.scalar_text() {
            Some(s) => Some(s),
            None => {
                cx.wrong_type("default", "a string", node);
                None
            }
        },
    };
    let readonly = f.bool(cx, "readonly").unwrap_or(false);
    Some(EnvVariableSpec {
        variable,
        storage: storage?,
        default,
        readonly,
    })
}

/// An octal mode string (`"0644"`) or integer; `fallback` when absent.
fn mode(cx: &mut Cx, f: &Fields, key: &str, fallback: u32) -> u32 {
    let Some(node) = f.get(key) else {
        return fallback;
    };
    let parsed = match &node.value {
        Value::Str(s) => u32::from_str_radix(s.trim_start_matches("0o"), 8).ok(),
        Value::Int(i) => u32::from_str_radix(&i.to_string(), 8).ok(),
        _ => None,
    };
    match parsed {
        Some(m) if m <= 0o7777 => m,
        _ => {
            cx.wrong_type(key, "an octal mode such as \"0600\"", node);
            fallback
        }
    }
}

/// Parse one `env.storage.*` kind.
pub(crate) fn parse_storage(cx: &mut Cx, f: &Fields, kind: &str) -> Option<EnvStorageSpec> {
    Some(match kind {
        "env.storage.os" => EnvStorageSpec::Os,
        "env.storage.memory" => EnvStorageSpec::Memory,
        "env.storage.file" => {
            let path = f.req_string(cx, "file_path");
            let auto_create = f.bool(cx, "auto_create").unwrap_or(false);
            let file_mode = mode(cx, f, "file_mode", 0o600);
            let dir_mode = mode(cx, f, "dir_mode", 0o700);
            let path = path?;
            if path.trim().is_empty() {
                if let Some(node) = f.get("file_path") {
                    cx.error(node, "`file_path`: expected a path, found an empty string");
                }
                return None;
            }
            EnvStorageSpec::File {
                path: cx.path(&path),
                auto_create,
                file_mode,
                dir_mode,
            }
        }
        "env.storage.static" => {
            let mut values = BTreeMap::new();
            if let Some(node) = f.get("values") {
                match node.as_map() {
                    Some(pairs) => {
                        for (k, v) in pairs {
                            let key = k.scalar_text().unwrap_or_default();
                            match v.scalar_text() {
                                Some(text) => {
                                    values.insert(key, text);
                                }
                                None => cx.wrong_type(&format!("values.{key}"), "a string", v),
                            }
                        }
                    }
                    None => cx.wrong_type("values", "a map of NAME: value", node),
                }
            }
            EnvStorageSpec::Static(values)
        }
        "env.storage.router" => {
            let node = f.require(cx, "storages")?;
            let list = crate::context::reference_list(cx, node, "storages", STORAGE_KINDS);
            if list.is_empty() {
                cx.error(
                    node,
                    "`storages`: expected at least one env.storage.* entry",
                );
                return None;
            }
            EnvStorageSpec::Router(list)
        }
        _ => return None,
    })
}
