//! `function.wat`, `function.wasm`, `process.wasm` and `fs.directory` (SPEC §2.3, §6):
//! their fields, `wasi`, `pool` and `limits`, the WAT check, and the `hash` format (the
//! digest itself is verified in [`crate::validate`] once `fs` is resolved).

use std::collections::BTreeMap;

use crate::context::{Cx, Fields, HashCheck};
use crate::kinds::lua;
use crate::limits::{self, Place};
use crate::yaml::{Node, Value};
use crate::{FsSpec, Mount, PoolSpec, WasiSpec, WasmSpec};

/// Fields of `function.wat`.
pub(crate) const WAT_FIELDS: &[&str] = &[
    "name", "kind", "meta", "source", "method", "wit", "imports", "wasi", "pool", "limits",
];
/// Fields of `function.wasm`.
pub(crate) const FUNCTION_FIELDS: &[&str] = &[
    "name", "kind", "meta", "fs", "path", "hash", "method", "wit", "imports", "wasi", "pool",
    "limits",
];
/// Fields of `process.wasm`.
pub(crate) const PROCESS_FIELDS: &[&str] = &[
    "name", "kind", "meta", "fs", "path", "hash", "method", "imports", "wasi", "limits",
];
/// Fields of `fs.directory`.
pub(crate) const FS_FIELDS: &[&str] = &["name", "kind", "meta", "directory", "read_only"];

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
    let pool = f.get("pool").and_then(|n| pool(cx, n));
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
    let Some(f) = Fields::open(cx, node, "wasi", "in `wasi`", &["mounts", "env", "args"]) else {
        return spec;
    };
    if let Some(mounts) = f.get("mounts") {
        match &mounts.value {
            Value::Seq(items) => spec.mounts = items.iter().filter_map(|m| mount(cx, m)).collect(),
            _ => cx.wrong_type("wasi.mounts", "a list of {fs, guest, read_only}", mounts),
        }
    }
    if let Some(env) = f.get("env") {
        spec.env = string_map(cx, "wasi.env", env);
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

fn pool(cx: &mut Cx, node: &Node) -> Option<PoolSpec> {
    let f = Fields::open(cx, node, "pool", "in `pool`", &["type", "size", "max_size"])?;
    let kind = f
        .choice(cx, "type", &["inline", "lazy", "static"])
        .unwrap_or("inline")
        .to_string();
    let size = f.usize(cx, "size");
    let max_size = f.usize(cx, "max_size");
    if let (Some(s), Some(m)) = (size, max_size)
        && s > m
        && let Some(n) = f.get("size")
    {
        cx.error(
            n,
            format!("`pool.size` ({s}) must not exceed `pool.max_size` ({m})"),
        );
    }
    Some(PoolSpec {
        kind,
        size,
        max_size,
    })
}

/// Parse `fs.directory`: `directory` is resolved against the YAML file's directory.
pub(crate) fn parse_fs(cx: &mut Cx, f: &Fields) -> Option<FsSpec> {
    let directory = f.req_string(cx, "directory");
    let read_only = f.bool(cx, "read_only").unwrap_or(false);
    Some(FsSpec {
        directory: cx.path(directory?.trim()),
        read_only,
    })
}
