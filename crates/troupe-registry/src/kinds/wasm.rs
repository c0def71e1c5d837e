//! `function.wat`, `function.wasm`, `process.wasm` and `fs.directory` (SPEC §2.3, §6,
//! WIPPY-API.md §12): their fields, `wasi`, `transport`, `pool` ([`super::pool`]) and
//! `limits`, the WAT check, the `hash` format (the digest itself is verified in
//! [`crate::validate`] once `fs` is resolved), and `fs.directory`'s `base`/`mode`/`auto_init`.

use std::collections::BTreeMap;

use crate::context::{Cx, Fields, HashCheck};
use crate::kinds::lua;
use crate::limits::{self, Place};
use crate::yaml::{Node, Value};
use crate::{FsSpec, Mount, WasiSpec, WasmSpec};

/// Fields of `function.wat`.
pub(crate) const WAT_FIELDS: &[&str] = &[
    "name",
    "kind",
    "meta",
    "source",
    "method",
    "wit",
    "imports",
    "wasi",
    "pool",
    "limits",
    "transport",
];
/// Fields of `function.wasm`.
pub(crate) const FUNCTION_FIELDS: &[&str] = &[
    "name",
    "kind",
    "meta",
    "fs",
    "path",
    "hash",
    "method",
    "wit",
    "imports",
    "wasi",
    "pool",
    "limits",
    "transport",
];
/// Fields of `process.wasm`.
pub(crate) const PROCESS_FIELDS: &[&str] = &[
    "name",
    "kind",
    "meta",
    "fs",
    "path",
    "hash",
    "method",
    "imports",
    "wasi",
    "limits",
    "transport",
];
/// Fields of `process.wasm` Wippy accepts and Troupe does not use (warnings): a process is
/// never pooled, and its `main` takes no WIT-typed call.
pub(crate) const PROCESS_UNUSED: &[&str] = &["wit", "pool"];
/// Fields of `fs.directory`; `read_only` is a Troupe extension (not in Wippy).
pub(crate) const FS_FIELDS: &[&str] = &[
    "name",
    "kind",
    "meta",
    "directory",
    "base",
    "mode",
    "auto_init",
    "read_only",
];
/// Fields of `fs.directory` Wippy accepts and Troupe does not use (warnings).
pub(crate) const FS_UNUSED: &[&str] = &["type"];
/// Keys of `wasi`.
const WASI_KEYS: &[&str] = &["mounts", "env", "args"];
/// Keys of `wasi` Wippy accepts and Troupe does not use (warnings).
const WASI_UNUSED: &[&str] = &["cwd"];
/// `transport` values Wippy accepts; Troupe implements `payload` (its default).
const TRANSPORTS: &[&str] = &["payload", "wasi-http"];

const FS_DIRECTORY: &[&str] = &["fs.directory"];

/// Which wasm kind is being parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WasmKind {
    FunctionWat,
    FunctionWasm,
    ProcessWasm,
}

/// Parse a wasm entry's fields.
pub(crate) fn parse(cx: &mut Cx, f: &Fields, kind: WasmKind) -> Option<WasmSpec> {
    let mut ok = true;
    let mut source = None;
    let (mut fs, mut path, mut hash) = (None, None, None);
    if kind == WasmKind::FunctionWat {
        source = lua::source(cx, f);
        ok &= source.is_some();
        if let Some(src) = &source
            && let Err(message) = cx.checker.check_wat(&src.text)
        {
            let location = src.location.clone();
            cx.error_at(location, format!("invalid WAT: {message}"));
        }
    } else {
        fs = f
            .require(cx, "fs")
            .and_then(|n| cx.reference(n, "fs", FS_DIRECTORY));
        path = f.req_string(cx, "path");
        hash = f.require(cx, "hash").and_then(|n| parse_hash(cx, n));
        ok &= fs.is_some() && path.is_some() && hash.is_some();
        if let (Some(fs), Some(p), Some(h), Some(path_node), Some(hash_node)) =
            (&fs, &path, &hash, f.get("path"), f.get("hash"))
            && let Some(entry) = cx.entry.clone()
        {
            let check = HashCheck {
                entry,
                fs: fs.clone(),
                path: p.clone(),
                path_location: cx.loc(path_node),
                expected: h.trim_start_matches("sha256:").to_string(),
                hash_location: cx.loc(hash_node),
            };
            cx.out.hashes.push(check);
        }
    }
    let method = if kind == WasmKind::ProcessWasm {
        f.string(cx, "method")
    } else {
        f.req_string(cx, "method")
    };
    ok &= kind == WasmKind::ProcessWasm || method.is_some();
    let wit = f.string(cx, "wit");
    let imports = f.strings(cx, "imports").unwrap_or_default();
    let wasi = f.get("wasi").map(|n| wasi(cx, n)).unwrap_or_default();
    let pool = f.get("pool").and_then(|n| super::pool::parse(cx, n));
    if f.choice(cx, "transport", TRANSPORTS) == Some("wasi-http")
        && let Some(n) = f.get("transport")
    {
        cx.warn(
            n,
            "`transport: wasi-http` is accepted for Wippy compatibility but not implemented by Troupe; the entry is called with the `payload` transport",
        );
    }
    let place = Place::Wasm(match kind {
        WasmKind::FunctionWat => "function.wat",
        WasmKind::FunctionWasm => "function.wasm",
        WasmKind::ProcessWasm => "process.wasm",
    });
    let limits = f
        .get("limits")
        .map(|n| limits::parse(cx, n, place))
        .unwrap_or_default();
    ok.then_some(WasmSpec {
        source,
        fs,
        path,
        hash,
        method,
        wit,
        imports,
        wasi,
        pool,
        limits,
    })
}

/// `sha256:<64 hex digits>`, normalised to lower case.
fn parse_hash(cx: &mut Cx, node: &Node) -> Option<String> {
    let Some(text) = node.as_str() else {
        cx.wrong_type("hash", "a string \"sha256:<hex>\"", node);
        return None;
    };
    match text.trim().strip_prefix("sha256:") {
        Some(hex) if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Some(format!("sha256:{}", hex.to_ascii_lowercase()))
        }
        _ => {
            cx.error(
                node,
                format!("`hash`: expected \"sha256:\" followed by 64 hex digits, found \"{text}\""),
            );
            None
        }
    }
}

fn wasi(cx: &mut Cx, node: &Node) -> WasiSpec {
    let mut spec = WasiSpec::default();
    let Some(f) = Fields::open_with(cx, node, "wasi", "in `wasi`", WASI_KEYS, WASI_UNUSED) else {
        return spec;
    };
    if let Some(cwd) = f.get("cwd") {
        match cwd.as_str() {
            Some(p) if p.starts_with('/') => {}
            _ => cx.error(cwd, "`wasi.cwd`: expected an absolute path"),
        }
    }
    if let Some(mounts) = f.get("mounts") {
        match &mounts.value {
            Value::Seq(items) => spec.mounts = items.iter().filter_map(|m| mount(cx, m)).collect(),
            _ => cx.wrong_type("wasi.mounts", "a list of {fs, guest, read_only}", mounts),
        }
    }
    if let Some(env) = f.get("env") {
        match &env.value {
            Value::Seq(items) => wippy_env(cx, env, items),
            _ => spec.env = string_map(cx, "wasi.env", env),
        }
    }
    spec.args = f.strings(cx, "args").unwrap_or_default();
    spec
}

fn mount(cx: &mut Cx, node: &Node) -> Option<Mount> {
    let f = Fields::open(
        cx,
        node,
        "wasi.mounts[]",
        "in a mount",
        &["fs", "guest", "read_only"],
    )?;
    let fs = f
        .require(cx, "fs")
        .and_then(|n| cx.reference(n, "wasi.mounts[].fs", FS_DIRECTORY));
    let guest = f.req_string(cx, "guest");
    let read_only = f.bool(cx, "read_only").unwrap_or(false);
    Some(Mount {
        fs: fs?,
        guest: guest?,
        read_only,
    })
}

/// Wippy's `wasi.env`: a list of `{id, name, required}` naming `env.variable` entries.
/// Checked, then ignored with a warning (Troupe's `wasi.env` is a map of values).
fn wippy_env(cx: &mut Cx, env: &Node, items: &[Node]) {
    for item in items {
        if let Some(f) = Fields::open(
            cx,
            item,
            "wasi.env[]",
            "in a `wasi.env` item",
            &["id", "name", "required"],
        ) {
            let _ = (
                f.req_string(cx, "id"),
                f.string(cx, "name"),
                f.bool(cx, "required"),
            );
        }
    }
    cx.warn(
        env,
        "`wasi.env` as a list of env.variable references is accepted for Wippy compatibility but not used by Troupe (it takes a map of NAME: value); ignored",
    );
}

/// A map of scalars, rendered as strings (`{PORT: 8080}` gives `"8080"`).
fn string_map(cx: &mut Cx, field: &str, node: &Node) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(pairs) = node.as_map() else {
        cx.wrong_type(field, "a map of names to strings", node);
        return out;
    };
    for (k, v) in pairs {
        let key = k.scalar_text().unwrap_or_default();
        match &v.value {
            Value::Seq(_) | Value::Map(_) | Value::Null => {
                cx.wrong_type(&format!("{field}.{key}"), "a string", v)
            }
            _ => {
                out.insert(key, v.scalar_text().unwrap_or_default());
            }
        }
    }
    out
}

/// Parse `fs.directory` (WIPPY-API.md §12): `directory` (absolute, or relative to the
/// working directory — `base` absent, `""` or `project` — or to the application directory
/// with `base: module`), `mode` (octal, default `0755`), `auto_init`, and Troupe's
/// `read_only`.
pub(crate) fn parse_fs(cx: &mut Cx, f: &Fields) -> Option<FsSpec> {
    let directory = f.req_string(cx, "directory");
    let read_only = f.bool(cx, "read_only").unwrap_or(false);
    let auto_init = f.bool(cx, "auto_init").unwrap_or(false);
    let mut ok = true;
    let base = match f.get("base") {
        None => String::new(),
        Some(n) => match n.as_str() {
            Some(b @ ("" | "project" | "module")) => b.to_string(),
            Some(other) => {
                let hint = crate::suggest::did_you_mean(other, ["project", "module"]);
                cx.error(
                    n,
                    format!("`base`: unknown value \"{other}\"; expected \"\" or \"project\" (the working directory) or \"module\" (the application directory){hint}"),
                );
                ok = false;
                String::new()
            }
            None => {
                cx.wrong_type("base", "a string (\"project\" or \"module\")", n);
                ok = false;
                String::new()
            }
        },
    };
    let mode = match f.get("mode") {
        None => Some(DEFAULT_MODE),
        Some(n) => {
            let m = mode(n);
            if m.is_none() {
                cx.error(
                    n,
                    format!(
                        "`mode`: expected octal permissions such as \"0755\", found {}",
                        n.scalar_text()
                            .map(|t| format!("\"{t}\""))
                            .unwrap_or_else(|| n.type_name().into())
                    ),
                );
            }
            m
        }
    };
    let written = directory?;
    let written = std::path::Path::new(written.trim());
    let resolved = if written.is_absolute() {
        written.to_path_buf()
    } else if base == "module" {
        cx.root.join(written)
    } else {
        match std::env::current_dir() {
            Ok(cwd) => cwd.join(written),
            Err(e) => {
                if let Some(n) = f.get("directory") {
                    cx.error(
                        n,
                        format!("`directory`: cannot resolve against the working directory ({e}); use an absolute path or `base: module`"),
                    );
                }
                return None;
            }
        }
    };
    if !ok {
        return None;
    }
    Some(FsSpec {
        directory: resolved,
        base,
        mode: mode?,
        auto_init,
        read_only,
    })
}

/// Permissions of a directory `auto_init` creates when `mode` is not written (as Wippy).
const DEFAULT_MODE: u32 = 0o755;

/// `mode`: an octal string (`"0755"`, `"755"`, `"0o755"`) or an integer whose decimal
/// digits are read as octal (YAML reads an unquoted `0755` as the integer 755); at most
/// `0o7777`.
fn mode(node: &Node) -> Option<u32> {
    let text = match &node.value {
        Value::Str(s) => s.trim().to_string(),
        Value::Int(i) if *i >= 0 => i.to_string(),
        _ => return None,
    };
    let digits = text.strip_prefix("0o").unwrap_or(&text);
    if digits.is_empty() || digits.len() > 5 {
        return None;
    }
    u32::from_str_radix(digits, 8).ok().filter(|m| *m <= 0o7777)
}
