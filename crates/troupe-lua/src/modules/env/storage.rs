//! The `env.storage.*` storages (WIPPY-API.md §7.5), shared by every process of a node.
//!
//! - `env.storage.os`: the node's process environment. Writes go to a node-wide overlay
//!   read before the environment (the real environment is never changed: `set_var` is
//!   unsound while other threads read it). When `troupe.yaml` has an `env:` list, only
//!   the names it allows are readable or writable here (PermissionDenied otherwise).
//! - `env.storage.memory`: a map in memory.
//! - `env.storage.file`: `KEY=VALUE` lines in the configured file (blank lines and `#`
//!   comments skipped, `export ` and surrounding quotes removed). Loaded at first use
//!   (at most [`MAX_FILE`] bytes), kept in memory, and rewritten whole on each write
//!   (a temporary file in the same directory renamed over it, with `file_mode`). Only the
//!   configured path is ever opened: names and values come from processes, the path from
//!   the registry, and a value cannot hold a newline, so no write reaches another file or
//!   adds another key.
//! - `env.storage.static`: the configured values, read-only.
//! - `env.storage.router`: the listed storages; a read takes the first non-empty value, a
//!   write goes to the first storage. Routers nest at most [`MAX_ROUTER_DEPTH`] deep (a
//!   cycle is an error when used).
//!
//! Bounds: names are `[A-Za-z0-9_]+` and come from `env.variable` entries (so the count
//! of names a process can write is bounded by the registry); a value is at most
//! [`MAX_VALUE`] bytes; a file storage holds at most [`MAX_FILE_KEYS`] keys. Every
//! storage's state sits behind one lock, so concurrent writers serialize.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use parking_lot::Mutex;
use troupe_kernel::{ErrorKind, Node};
use troupe_registry::{EnvStorageSpec, Kind};

/// Longest value a storage accepts, in bytes.
pub const MAX_VALUE: usize = 64 * 1024;
/// Largest `env.storage.file` file read, in bytes.
pub const MAX_FILE: u64 = 1024 * 1024;
/// Most keys one `env.storage.file` holds.
pub const MAX_FILE_KEYS: usize = 4096;
/// Deepest nesting of `env.storage.router`s.
pub const MAX_ROUTER_DEPTH: usize = 8;

/// A storage operation that failed: the error kind and message `env` reports.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct StorageError {
    pub kind: ErrorKind,
    pub message: String,
}

fn err(kind: ErrorKind, message: impl Into<String>) -> StorageError {
    StorageError {
        kind,
        message: message.into(),
    }
}

/// One storage.
pub enum Storage {
    Os {
        allow: Vec<String>,
        overlay: Mutex<HashMap<String, String>>,
    },
    Memory(Mutex<HashMap<String, String>>),
    File(FileStorage),
    Static(BTreeMap<String, String>),
    Router(Vec<Arc<Storage>>),
}

/// An `env.storage.file`.
pub struct FileStorage {
    id: String,
    path: PathBuf,
    auto_create: bool,
    file_mode: u32,
    dir_mode: u32,
    /// `None` until loaded.
    values: Mutex<Option<BTreeMap<String, String>>>,
}

/// Whether `troupe.yaml`'s `env` list allows `name` (exact names, or prefixes ending in
/// `*`); an empty list allows everything.
pub fn allowed(list: &[String], name: &str) -> bool {
    list.is_empty()
        || list.iter().any(|p| match p.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => p == name,
        })
}

/// Check a value a process wants to store.
///
/// Errors: Invalid when longer than [`MAX_VALUE`] or holding a newline or NUL.
pub fn check_value(value: &str) -> Result<(), StorageError> {
    if value.len() > MAX_VALUE {
        return Err(err(
            ErrorKind::Invalid,
            format!(
                "value of {} bytes is too long (at most {MAX_VALUE})",
                value.len()
            ),
        ));
    }
    if value.contains(['\n', '\r', '\0']) {
        return Err(err(
            ErrorKind::Invalid,
            "a value cannot contain a newline or a NUL byte",
        ));
    }
    Ok(())
}

impl Storage {
    /// Whether an operation may touch the file system (run it off the worker thread).
    pub fn does_io(&self) -> bool {
        match self {
            Storage::File(_) => true,
            Storage::Router(list) => list.iter().any(|s| s.does_io()),
            _ => false,
        }
    }

    /// The value of `name`, `None` when unset.
    ///
    /// Errors: PermissionDenied (OS name outside the `env:` list), Internal (file I/O).
    pub fn get(&self, name: &str) -> Result<Option<String>, StorageError> {
        match self {
            Storage::Os { allow, overlay } => {
                if !allowed(allow, name) {
                    return Err(err(
                        ErrorKind::PermissionDenied,
                        format!(
                            "environment variable {name} is not allowed: list it under `env` in troupe.yaml"
                        ),
                    ));
                }
                if let Some(v) = overlay.lock().get(name) {
                    return Ok(Some(v.clone()));
                }
                Ok(std::env::var(name).ok())
            }
            Storage::Memory(m) => Ok(m.lock().get(name).cloned()),
            Storage::File(f) => f.with(|values| Ok(values.get(name).cloned())),
            Storage::Static(values) => Ok(values.get(name).cloned()),
            Storage::Router(list) => {
                for s in list {
                    if let Some(v) = s.get(name)?
                        && !v.is_empty()
                    {
                        return Ok(Some(v));
                    }
                }
                Ok(None)
            }
        }
    }

    /// Store `value` under `name` (checked with [`check_value`] first).
    ///
    /// Errors: Invalid (the value), PermissionDenied (static storage; OS name outside the
    /// `env:` list), Unavailable (a full file storage), Internal (file I/O).
    pub fn set(&self, name: &str, value: &str) -> Result<(), StorageError> {
        check_value(value)?;
        match self {
            Storage::Os { allow, overlay } => {
                if !allowed(allow, name) {
                    return Err(err(
                        ErrorKind::PermissionDenied,
                        format!(
                            "environment variable {name} is not allowed: list it under `env` in troupe.yaml"
                        ),
                    ));
                }
                overlay.lock().insert(name.to_string(), value.to_string());
                Ok(())
            }
            Storage::Memory(m) => {
                m.lock().insert(name.to_string(), value.to_string());
                Ok(())
            }
            Storage::File(f) => f.set(name, value),
            Storage::Static(_) => Err(err(
                ErrorKind::PermissionDenied,
                format!("{name}: an env.storage.static storage is read-only"),
            )),
            Storage::Router(list) => match list.first() {
                Some(s) => s.set(name, value),
                None => Err(err(ErrorKind::Internal, "an empty env.storage.router")),
            },
        }
    }
}

/// Parse `KEY=VALUE` lines.
///
/// Errors: more than [`MAX_FILE_KEYS`] keys.
fn parse_file(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim();
        let v = ['"', '\'']
            .iter()
            .find_map(|q| v.strip_prefix(*q).and_then(|r| r.strip_suffix(*q)))
            .unwrap_or(v);
        out.insert(k.trim().to_string(), v.to_string());
        if out.len() > MAX_FILE_KEYS {
            return Err(format!("more than {MAX_FILE_KEYS} keys"));
        }
    }
    Ok(out)
}

impl FileStorage {
    fn io(&self, what: &str, e: impl std::fmt::Display) -> StorageError {
        err(
            ErrorKind::Internal,
            format!("{} ({}): {what}: {e}", self.id, self.path.display()),
        )
    }

    /// Run `f` on the loaded values (loading them first).
    fn with<R>(
        &self,
        f: impl FnOnce(&mut BTreeMap<String, String>) -> Result<R, StorageError>,
    ) -> Result<R, StorageError> {
        let mut guard = self.values.lock();
        if guard.is_none() {
            *guard = Some(self.load()?);
        }
        match guard.as_mut() {
            Some(values) => f(values),
            None => Err(err(ErrorKind::Internal, "env file not loaded")),
        }
    }

    fn load(&self) -> Result<BTreeMap<String, String>, StorageError> {
        use std::io::Read;
        let file = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && self.auto_create => {
                if let Some(dir) = self.path.parent() {
                    let mut b = std::fs::DirBuilder::new();
                    b.recursive(true);
                    #[cfg(unix)]
                    std::os::unix::fs::DirBuilderExt::mode(&mut b, self.dir_mode);
                    b.create(dir)
                        .map_err(|e| self.io("creating its directory", e))?;
                }
                self.write(&BTreeMap::new())?;
                return Ok(BTreeMap::new());
            }
            Err(e) => return Err(self.io("opening", e)),
        };
        let mut text = String::new();
        file.take(MAX_FILE + 1)
            .read_to_string(&mut text)
            .map_err(|e| self.io("reading", e))?;
        if text.len() as u64 > MAX_FILE {
            return Err(self.io("reading", format!("larger than {MAX_FILE} bytes")));
        }
        parse_file(&text).map_err(|e| self.io("parsing", e))
    }

    fn write(&self, values: &BTreeMap<String, String>) -> Result<(), StorageError> {
        let mut text = String::new();
        for (k, v) in values {
            text.push_str(k);
            text.push('=');
            // Quoted when reading back would change it (parse_file trims and unquotes).
            let needs_quotes =
                v.trim() != v || v.starts_with(['"', '\'']) || v.ends_with(['"', '\'']);
            if needs_quotes {
                text.push('"');
                text.push_str(v);
                text.push('"');
            } else {
                text.push_str(v);
            }
            text.push('\n');
        }
        let tmp = self.path.with_file_name(format!(
            ".{}.tmp",
            self.path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, self.file_mode);
        let mut f = o.open(&tmp).map_err(|e| self.io("writing", e))?;
        f.write_all(text.as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| self.io("writing", e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(self.file_mode));
        }
        std::fs::rename(&tmp, &self.path).map_err(|e| self.io("replacing", e))
    }

    fn set(&self, name: &str, value: &str) -> Result<(), StorageError> {
        self.with(|values| {
            if !values.contains_key(name) && values.len() >= MAX_FILE_KEYS {
                return Err(err(
                    ErrorKind::Unavailable,
                    format!("{}: full ({MAX_FILE_KEYS} keys)", self.id),
                ));
            }
            let mut next = values.clone();
            next.insert(name.to_string(), value.to_string());
            self.write(&next)?;
            *values = next;
            Ok(())
        })
    }
}

/// Every storage of a node that has been used, by entry ID (`Node::shared`).
#[derive(Default)]
pub struct Storages(Mutex<HashMap<String, Arc<Storage>>>);

/// The storage of entry `id`, built at first use and shared from then on.
///
/// Errors: Internal when `id` is not an `env.storage.*` entry, or routers nest deeper
/// than [`MAX_ROUTER_DEPTH`] (a cycle).
pub fn storage(node: &Node, id: &str) -> Result<Arc<Storage>, StorageError> {
    let all = node.shared(Storages::default);
    build(node, &all, id, 0)
}

fn build(
    node: &Node,
    all: &Storages,
    id: &str,
    depth: usize,
) -> Result<Arc<Storage>, StorageError> {
    if let Some(s) = all.0.lock().get(id) {
        return Ok(s.clone());
    }
    if depth > MAX_ROUTER_DEPTH {
        return Err(err(
            ErrorKind::Internal,
            format!(
                "env.storage.router {id}: routers nest deeper than {MAX_ROUTER_DEPTH} (a cycle?)"
            ),
        ));
    }
    let Some(entry) = node.entry(id) else {
        return Err(err(
            ErrorKind::Internal,
            format!("env storage not found: {id}"),
        ));
    };
    let Kind::EnvStorage(spec) = &entry.kind else {
        return Err(err(
            ErrorKind::Internal,
            format!("{id} is a {}, not an env.storage.*", entry.kind_name()),
        ));
    };
    let made = match spec {
        EnvStorageSpec::Os => Storage::Os {
            allow: node.registry().node.env.clone(),
            overlay: Mutex::new(HashMap::new()),
        },
        EnvStorageSpec::Memory => Storage::Memory(Mutex::new(HashMap::new())),
        EnvStorageSpec::File {
            path,
            auto_create,
            file_mode,
            dir_mode,
        } => Storage::File(FileStorage {
            id: id.to_string(),
            path: path.clone(),
            auto_create: *auto_create,
            file_mode: *file_mode,
            dir_mode: *dir_mode,
            values: Mutex::new(None),
        }),
        EnvStorageSpec::Static(values) => Storage::Static(values.clone()),
        EnvStorageSpec::Router(ids) => {
            let mut list = Vec::with_capacity(ids.len());
            for s in ids {
                list.push(build(node, all, s, depth + 1)?);
            }
            Storage::Router(list)
        }
    };
    // Two processes may build the same storage at once: the first one stored wins.
    Ok(all
        .0
        .lock()
        .entry(id.to_string())
        .or_insert_with(|| Arc::new(made))
        .clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_names_and_prefixes() {
        let list = vec!["HOME".to_string(), "APP_*".to_string()];
        assert!(allowed(&list, "HOME"));
        assert!(!allowed(&list, "HOMEDIR"));
        assert!(allowed(&list, "APP_TOKEN"));
        assert!(!allowed(&list, "PATH"));
        assert!(allowed(&[], "HOME"));
    }

    #[test]
    fn file_lines() {
        let m = parse_file("# c\n\nA=1\nexport B = \"two\"\nC='x=y'\nnoequals\n").unwrap();
        assert_eq!(m.get("A").map(String::as_str), Some("1"));
        assert_eq!(m.get("B").map(String::as_str), Some("two"));
        assert_eq!(m.get("C").map(String::as_str), Some("x=y"));
        assert_eq!(m.len(), 3);
        let many: String = (0..=MAX_FILE_KEYS).map(|i| format!("K{i}=v\n")).collect();
        assert!(parse_file(&many).is_err());
    }

    #[test]
    fn written_values_read_back_unchanged() {
        let dir = std::env::temp_dir().join(format!("troupe-env-file-{}", std::process::id()));
        let f = FileStorage {
            id: "t:f".into(),
            path: dir.join("sub/x.env"),
            auto_create: true,
            file_mode: 0o600,
            dir_mode: 0o700,
            values: Mutex::new(None),
        };
        let tricky = [
            " lead",
            "trail ",
            "\"quoted\"",
            "'single'",
            "a=b",
            "#hash",
            "",
        ];
        for (i, v) in tricky.iter().enumerate() {
            f.set(&format!("K{i}"), v).unwrap();
        }
        let text = std::fs::read_to_string(dir.join("sub/x.env")).unwrap();
        let back = parse_file(&text).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        for (i, v) in tricky.iter().enumerate() {
            assert_eq!(
                back.get(&format!("K{i}")).map(String::as_str),
                Some(*v),
                "{text}"
            );
        }
    }

    #[test]
    fn values_are_bounded() {
        assert!(check_value("ok").is_ok());
        assert_eq!(
            check_value("a\nB=evil").unwrap_err().kind,
            ErrorKind::Invalid
        );
        assert!(check_value(&"x".repeat(MAX_VALUE + 1)).is_err());
    }
}
