//! The on-disk compile cache (SPEC §6.1): a second boot loads machine code instead of
//! compiling again. Entries are keyed by the SHA-256 of the wasm bytes and by the engine's
//! compatibility hash (wasmtime version and every setting that changes code), so a cache
//! directory can be shared by different builds safely.
//!
//! Location: `$TROUPE_CACHE_DIR`, else `$XDG_CACHE_HOME/troupe/wasm`, else
//! `$HOME/.cache/troupe/wasm`. `TROUPE_CACHE_DIR=off` disables it.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::{Engine, Module};

/// What a cached artifact is.
#[derive(Debug, Clone, Copy)]
enum Artifact {
    Component,
    Module,
}

/// The cache: where artifacts live (`None`: compile every time). Each compilation and
/// each load is logged at `debug` (`wasm compiled`, `wasm loaded from the compile cache`).
#[derive(Debug, Default)]
pub struct CompileCache {
    dir: Option<PathBuf>,
}

impl CompileCache {
    /// The cache at the location the environment gives (see the module doc).
    pub fn from_env() -> CompileCache {
        let dir = match std::env::var_os("TROUPE_CACHE_DIR") {
            Some(d) if d == "off" => None,
            Some(d) => Some(PathBuf::from(d)),
            None => std::env::var_os("XDG_CACHE_HOME")
                .map(|d| PathBuf::from(d).join("troupe"))
                .or_else(|| {
                    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/troupe"))
                })
                .map(|d| d.join("wasm")),
        };
        CompileCache::at(dir)
    }

    /// A cache in `dir` (`None`: compile every time).
    pub fn at(dir: Option<PathBuf>) -> CompileCache {
        CompileCache { dir }
    }

    /// Compile (or load) a component. `entry` labels the log lines.
    ///
    /// Errors: the bytes are not a valid component.
    pub fn component(
        &self,
        engine: &Engine,
        bytes: &[u8],
        entry: &str,
    ) -> wasmtime::Result<Component> {
        self.load_or_compile(
            engine,
            bytes,
            entry,
            Artifact::Component,
            // SAFETY: see `load_or_compile`.
            |p| unsafe { Component::deserialize_file(engine, p) },
            || Component::new(engine, bytes),
            Component::serialize,
        )
    }

    /// Compile (or load) a core module.
    ///
    /// Errors: the bytes are not a valid module.
    pub fn module(&self, engine: &Engine, bytes: &[u8], entry: &str) -> wasmtime::Result<Module> {
        self.load_or_compile(
            engine,
            bytes,
            entry,
            Artifact::Module,
            // SAFETY: see `load_or_compile`.
            |p| unsafe { Module::deserialize_file(engine, p) },
            || Module::new(engine, bytes),
            Module::serialize,
        )
    }

    /// Load the cached artifact for `bytes`, or compile and cache it. `deserialize` is only
    /// given files this cache wrote (`serialize` output, named by the hash of the source
    /// and of the engine settings); wasmtime checks their header and version before use.
    #[allow(clippy::too_many_arguments)]
    fn load_or_compile<T>(
        &self,
        engine: &Engine,
        bytes: &[u8],
        entry: &str,
        kind: Artifact,
        deserialize: impl FnOnce(&Path) -> wasmtime::Result<T>,
        compile: impl FnOnce() -> wasmtime::Result<T>,
        serialize: impl FnOnce(&T) -> wasmtime::Result<Vec<u8>>,
    ) -> wasmtime::Result<T> {
        let path = self.path(engine, bytes, kind);
        if let Some(p) = &path
            && p.exists()
        {
            match deserialize(p) {
                Ok(t) => {
                    tracing::debug!(entry, path = %p.display(), "wasm loaded from the compile cache");
                    return Ok(t);
                }
                Err(e) => {
                    tracing::warn!(entry, error = %e, "ignoring an unusable compile-cache file")
                }
            }
        }
        let t = compile()?;
        self.note_compiled(entry, path.as_deref(), || serialize(&t));
        Ok(t)
    }

    fn note_compiled(
        &self,
        entry: &str,
        path: Option<&Path>,
        serialize: impl FnOnce() -> wasmtime::Result<Vec<u8>>,
    ) {
        tracing::debug!(entry, "wasm compiled");
        let Some(path) = path else { return };
        let written = serialize().map_err(|e| e.to_string()).and_then(|bytes| {
            let dir = path.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            // Write then rename, so a concurrent boot never reads half a file.
            let tmp = path.with_extension(format!("tmp{}", std::process::id()));
            std::fs::write(&tmp, &bytes).map_err(|e| e.to_string())?;
            std::fs::rename(&tmp, path).map_err(|e| e.to_string())
        });
        if let Err(e) = written {
            tracing::warn!(entry, path = %path.display(), error = %e, "cannot write the compile cache");
        }
    }

    fn path(&self, engine: &Engine, bytes: &[u8], kind: Artifact) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut h);
        let digest = Sha256::digest(bytes);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let ext = match kind {
            Artifact::Component => "cwasm",
            Artifact::Module => "cwasm-module",
        };
        Some(dir.join(format!("{hex}-{:016x}.{ext}", h.finish())))
    }
}
