//! Boot-time preparation of wasm entries (SPEC §6): read and verify the bytes, compile
//! through the cache, check the entry's `imports` capabilities, and pre-link, so that a
//! missing capability or a bad module fails the boot naming the entry — and spawning later
//! is only instantiation.

use std::path::PathBuf;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use troupe_registry::{Entry, Kind, Registry, WasmSpec, input};
use wasmtime::component::{ComponentExportIndex, types::ComponentItem};

use crate::WasmRuntime;
use crate::pool::Pool;
use crate::state::State;

/// How a prepared entry runs.
pub enum Code {
    /// A component: a command (`wasi:cli/run`) or one exported function.
    Component {
        pre: wasmtime::component::InstancePre<State>,
        export: Export,
    },
    /// A core module: call `method` (or `_start` for a WASI preview 1 command).
    Core {
        pre: wasmtime::InstancePre<State>,
        method: String,
        wasi1: bool,
    },
}

/// Which component export to call.
pub enum Export {
    /// `wasi:cli/run#run`.
    Command(ComponentExportIndex),
    /// A function export (`method`, possibly `interface#function`).
    Function(ComponentExportIndex, String),
}

/// A wasm entry ready to instantiate.
pub struct Prepared {
    pub entry: Arc<Entry>,
    pub spec: WasmSpec,
    pub code: Code,
    /// `wasi.mounts` resolved.
    pub mounts: Vec<Mount>,
    /// Warm instances of a function entry (SPEC §6.2 `pool`); always `inline` for
    /// `process.wasm`.
    pub pool: Pool,
    /// What every WASI context of the entry starts from.
    pub wasi: WasiTemplate,
}

/// The parts of an entry's WASI context that are the same for all its processes, computed
/// once at boot so a spawn only copies them: the entry ID (the stdout/stderr label),
/// `argv` (`argv[0]` is the entry ID, `wasi.args` follow) and `wasi.env`.
pub struct WasiTemplate {
    pub entry: Arc<str>,
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
}

impl WasiTemplate {
    /// The template of `entry` with `spec`'s `wasi` settings.
    pub fn new(entry: &str, spec: &WasmSpec) -> WasiTemplate {
        let mut argv = Vec::with_capacity(1 + spec.wasi.args.len());
        argv.push(entry.to_string());
        argv.extend(spec.wasi.args.iter().cloned());
        WasiTemplate {
            entry: entry.into(),
            argv,
            env: spec
                .wasi
                .env
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

/// One `wasi.mounts` item, resolved at boot.
#[derive(Debug, Clone)]
pub struct Mount {
    /// The `fs.directory` entry ID: the resource of the `fs.get` check each process or
    /// call makes before it runs (SPEC §7.2).
    pub fs: String,
    /// Host directory.
    pub host: PathBuf,
    /// Path the guest sees.
    pub guest: String,
    pub read_only: bool,
}

/// A problem preparing one entry.
#[derive(Debug, Clone, thiserror::Error)]
#[error("entry {entry}: {message}")]
pub struct PrepareError {
    pub entry: String,
    pub message: String,
}

/// Capability names of SPEC §6.4, as written in `imports`.
pub const CAPABILITIES: &[&str] = &[
    "wasi:cli",
    "wasi:clocks",
    "wasi:random",
    "wasi:io",
    "wasi:filesystem",
    "wasi:sockets",
    "troupe:process",
    "troupe:funcs",
    "troupe:log",
    "wasi1",
];

/// The capability a component import needs: `wasi:cli/environment@0.2.6` → `wasi:cli`,
/// `troupe:runtime/process@0.1.0` → `troupe:process`. `None` for the shared
/// `troupe:runtime/types`, which comes with any troupe interface.
fn capability(import: &str) -> Option<String> {
    let name = import.split('@').next().unwrap_or(import);
    if let Some(iface) = name.strip_prefix("troupe:runtime/") {
        return (iface != "types").then(|| format!("troupe:{iface}"));
    }
    Some(name.split('/').next().unwrap_or(name).to_string())
}

fn listed(spec: &WasmSpec, cap: &str) -> bool {
    spec.imports
        .iter()
        .any(|i| i == cap || capability(i).as_deref() == Some(cap))
}

/// The wasm bytes of an entry: parsed WAT, or the file in its `fs.directory` (verified
/// against `hash`).
fn bytes(registry: &Registry, spec: &WasmSpec) -> Result<Vec<u8>, String> {
    if let Some(src) = &spec.source {
        return wat::parse_str(&src.text).map_err(|e| format!("invalid WAT: {e}"));
    }
    let (Some(fs), Some(path)) = (&spec.fs, &spec.path) else {
        return Err("needs `source`, or `fs` and `path`".into());
    };
    let dir = match registry.entries.get(fs).map(|e| &e.kind) {
        Some(Kind::FsDirectory(d)) => &d.directory,
        _ => return Err(format!("`fs` {fs} is not an fs.directory entry")),
    };
    let file = dir.join(path);
    // A regular file inside the fs.directory, at most 64 MiB (SPEC §3.6).
    let bytes = dir
        .canonicalize()
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))
        .and_then(|d| {
            input::confine(&d, &file)
                .and_then(|real| input::read_bytes(&real))
                .map_err(|e| format!("cannot read {}: {}", file.display(), e.detail()))
        })?;
    if let Some(expected) = &spec.hash {
        let got: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let want = expected.trim_start_matches("sha256:");
        if !got.eq_ignore_ascii_case(want) {
            return Err(format!(
                "hash mismatch for {}: expected sha256:{want}, file has sha256:{got}",
                file.display()
            ));
        }
    }
    Ok(bytes)
}

/// WIT signatures written on the entry (`compute: func(a: s32) -> s32`, one or more, or a
/// whole WIT document) as a world whose exports the core module implements.
fn wit_document(wit: &str) -> String {
    if ["package ", "world ", "interface "]
        .iter()
        .any(|k| wit.contains(k))
    {
        return wit.to_string();
    }
    let mut body = String::new();
    for stmt in wit
        .split([';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let is_func = stmt.split_once(':').is_some_and(|(name, rest)| {
            !name.contains(char::is_whitespace) && rest.trim_start().starts_with("func")
        });
        if is_func {
            body.push_str(&format!("  export {stmt};\n"));
        } else {
            body.push_str(&format!("  {stmt}\n"));
        }
    }
    format!("package troupe:inline;\n\nworld entry {{\n{body}}}\n")
}

/// Wrap a core module that follows the canonical ABI into a component typed by `wit`.
fn componentize(core: &[u8], wit: &str) -> Result<Vec<u8>, String> {
    let mut resolve = wit_parser::Resolve::default();
    let doc = wit_document(wit);
    let pkg = resolve
        .push_str("wit.wit", &doc)
        .map_err(|e| format!("invalid `wit`: {e:#}"))?;
    let world = resolve
        .select_world(&[pkg], None)
        .map_err(|e| format!("invalid `wit`: {e:#}"))?;
    let mut module = core.to_vec();
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
    )
    .map_err(|e| format!("cannot type the module by `wit`: {e:#}"))?;
    wit_component::ComponentEncoder::default()
        .module(&module)
        .and_then(|enc| enc.validate(true).encode())
        .map_err(|e| format!("the module does not match its `wit` signature: {e:#}"))
}

impl WasmRuntime {
    /// Prepare one entry.
    pub(crate) fn prepare(
        &self,
        registry: &Registry,
        entry: &Arc<Entry>,
        spec: &WasmSpec,
    ) -> Result<Prepared, String> {
        let bytes = bytes(registry, spec)?;
        let is_component = wasmparser::Parser::is_component(&bytes);
        let is_process = entry.kind_name() == "process.wasm";
        let pool = Pool::new(
            spec.pool.as_ref(),
            !is_process,
            &registry.node.name,
            &entry.id,
        )?;
        let mounts = spec
            .wasi
            .mounts
            .iter()
            .map(|m| match registry.entries.get(&m.fs).map(|e| &e.kind) {
                Some(Kind::FsDirectory(d)) => Ok(Mount {
                    fs: m.fs.clone(),
                    host: d.directory.clone(),
                    guest: m.guest.clone(),
                    read_only: m.read_only || d.read_only,
                }),
                _ => Err(format!("mount `fs` {} is not an fs.directory entry", m.fs)),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let engine = &self.engine.engine;
        let code = if !is_component && spec.wit.is_none() {
            let module = self
                .cache
                .module(engine, &bytes, &entry.id)
                .map_err(|e| format!("invalid module: {e:#}"))?;
            let wasi1 = module
                .imports()
                .any(|i| i.module() == "wasi_snapshot_preview1");
            for i in module.imports() {
                if i.module() == "wasi_snapshot_preview1" {
                    if !listed(spec, "wasi1") {
                        return Err(format!(
                            "imports WASI preview 1 ({}::{}), but `imports` does not list `wasi1`",
                            i.module(),
                            i.name()
                        ));
                    }
                } else {
                    return Err(format!(
                        "imports {}::{}, which Troupe does not provide to core modules",
                        i.module(),
                        i.name()
                    ));
                }
            }
            let method = spec.method.clone().unwrap_or_else(|| "_start".into());
            if module.get_export(&method).is_none() {
                return Err(format!("has no export named `{method}`"));
            }
            let pre = self
                .core_linker
                .instantiate_pre(&module)
                .map_err(|e| format!("cannot link: {e:#}"))?;
            Code::Core { pre, method, wasi1 }
        } else {
            let bytes = if is_component {
                bytes
            } else {
                componentize(&bytes, spec.wit.as_deref().unwrap_or_default())?
            };
            let component = self
                .cache
                .component(engine, &bytes, &entry.id)
                .map_err(|e| format!("invalid component: {e:#}"))?;
            let ty = component.component_type();
            let mut missing = Vec::new();
            for (name, _) in ty.imports(engine) {
                let Some(cap) = capability(name) else {
                    continue;
                };
                if !CAPABILITIES.contains(&cap.as_str()) {
                    return Err(format!("imports {name}, which Troupe does not provide"));
                }
                if !listed(spec, &cap) {
                    missing.push(format!("{name} (needs `{cap}`)"));
                }
            }
            if !missing.is_empty() {
                return Err(format!(
                    "imports interfaces its `imports` does not list: {}; `imports` lists [{}]",
                    missing.join(", "),
                    spec.imports.join(", ")
                ));
            }
            let export = match &spec.method {
                Some(method) => {
                    let idx = match method.split_once('#') {
                        Some((iface, func)) => component
                            .get_export_index(None, iface)
                            .and_then(|i| component.get_export_index(Some(&i), func)),
                        None => component.get_export_index(None, method.as_str()),
                    };
                    Export::Function(
                        idx.ok_or_else(|| format!("exports no function `{method}`"))?,
                        method.clone(),
                    )
                }
                None if is_process => {
                    let run = ty.exports(engine).find_map(|(name, item)| {
                        (name.starts_with("wasi:cli/run@")
                            && matches!(item.ty, ComponentItem::ComponentInstance(_)))
                        .then(|| name.to_string())
                    });
                    let idx = run
                        .and_then(|r| component.get_export_index(None, r.as_str()))
                        .and_then(|i| component.get_export_index(Some(&i), "run"))
                        .ok_or(
                            "exports neither `wasi:cli/run` nor the function named by `method`",
                        )?;
                    Export::Command(idx)
                }
                None => return Err("needs `method`".into()),
            };
            let pre = self
                .linker
                .instantiate_pre(&component)
                .map_err(|e| format!("cannot link: {e:#}"))?;
            Code::Component { pre, export }
        };
        Ok(Prepared {
            entry: entry.clone(),
            spec: spec.clone(),
            code,
            mounts,
            pool,
            wasi: WasiTemplate::new(&entry.id, spec),
        })
    }
}
