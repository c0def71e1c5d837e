//! Workspace tasks. `guests` builds every wasm guest in the workspace for
//! `wasm32-wasip2` (installing the target with rustup when it is missing), copies each
//! artifact next to the application that loads it, and writes its `sha256` into the
//! `hash:` of every registry entry whose `path:` names it (SPEC §2.3).
//!
//! Builds are reproducible: source paths are remapped (`--remap-path-prefix`) so the
//! bytes do not depend on where the repository or the cargo home lives. `--check` builds
//! into `target/guests` and fails if a committed artifact differs from its source.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// The wasm target guests build for.
pub const TARGET: &str = "wasm32-wasip2";

/// A guest: its cargo package, the file cargo produces, and where the artifact lives.
pub struct Guest {
    pub package: &'static str,
    pub output: &'static str,
    pub dest: &'static str,
}

/// Every guest in the workspace.
pub const GUESTS: &[Guest] = &[
    Guest {
        package: "guest-test-actor",
        output: "guest-test-actor.wasm",
        dest: "tests/guests/bin/actor.wasm",
    },
    Guest {
        package: "guest-test-types",
        output: "guest_test_types.wasm",
        dest: "tests/guests/bin/types.wasm",
    },
    Guest {
        package: "guest-test-command",
        output: "guest-test-command.wasm",
        dest: "tests/guests/bin/command.wasm",
    },
    Guest {
        package: "guest-test-routing",
        output: "guest-test-routing.wasm",
        dest: "tests/guests/bin/routing.wasm",
    },
    Guest {
        package: "example-ponger",
        output: "example-ponger.wasm",
        dest: "examples/lua-wasm-pingpong/wasm/ponger.wasm",
    },
    Guest {
        package: "example-wasm-worker",
        output: "example-wasm-worker.wasm",
        dest: "examples/wasm-workers/wasm/worker.wasm",
    },
    Guest {
        package: "example-cluster-worker",
        output: "example-cluster-worker.wasm",
        dest: "examples/cluster/wasm/cluster-worker.wasm",
    },
];

/// What [`guests`] does with the built artifacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Copy them into place and update the `hash:` fields.
    Update,
    /// Only compare them with what is committed.
    Check,
}

/// Ensure the wasm target is installed.
///
/// Errors: rustup is missing or cannot install it (the message says what to run).
pub fn ensure_target() -> Result<(), String> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| {
            format!("cannot run rustup ({e}); install the {TARGET} target for your toolchain")
        })?;
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|l| l.trim() == TARGET)
    {
        return Ok(());
    }
    eprintln!("xtask: installing the {TARGET} target (rustup target add {TARGET})");
    let status = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
        .map_err(|e| format!("cannot run rustup: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`rustup target add {TARGET}` failed"))
    }
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Build the guests and apply `mode`. Returns one line per guest.
///
/// Errors: the target cannot be installed, cargo fails, a file cannot be written, or (in
/// [`Mode::Check`]) a committed artifact is stale.
pub fn guests(root: &Path, mode: Mode) -> Result<Vec<String>, String> {
    ensure_target()?;
    let target_dir = root.join("target/guests");
    let cargo_home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|_| std::env::var("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|_| PathBuf::from("/nonexistent"));
    let rustflags = format!(
        "--remap-path-prefix={}=/troupe --remap-path-prefix={}=/cargo",
        root.display(),
        cargo_home.display()
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args([
            "build",
            "--locked",
            "--profile",
            "guest",
            "--target",
            TARGET,
            "--target-dir",
        ])
        .arg(&target_dir)
        .env("RUSTFLAGS", rustflags)
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    for g in GUESTS {
        cmd.args(["-p", g.package]);
    }
    let status = cmd.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("building the wasm guests failed (see cargo's output above)".into());
    }
    let out_dir = target_dir.join(TARGET).join("guest");
    let mut lines = Vec::new();
    let mut stale = Vec::new();
    for g in GUESTS {
        let built = std::fs::read(out_dir.join(g.output))
            .map_err(|e| format!("cannot read {}: {e}", g.output))?;
        let hash = sha256(&built);
        let dest = root.join(g.dest);
        let committed = std::fs::read(&dest).ok();
        let same = committed.as_deref() == Some(built.as_slice());
        match mode {
            Mode::Check if !same => stale.push(g.dest),
            Mode::Check => {}
            Mode::Update => {
                if !same {
                    if let Some(dir) = dest.parent() {
                        std::fs::create_dir_all(dir)
                            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                    }
                    std::fs::write(&dest, &built)
                        .map_err(|e| format!("cannot write {}: {e}", dest.display()))?;
                }
                let name = Path::new(g.dest)
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default();
                for file in update_hashes(root, name, &hash)? {
                    lines.push(format!("  hash updated in {}", file.display()));
                }
            }
        }
        lines.push(format!(
            "{} {} ({} bytes) sha256:{hash}",
            if same { "up to date" } else { "built" },
            g.dest,
            built.len()
        ));
    }
    if !stale.is_empty() {
        return Err(format!(
            "these committed guests differ from their sources: {}; run `cargo xtask guests` and commit the result",
            stale.join(", ")
        ));
    }
    Ok(lines)
}

/// Every `_index.yaml` below `dir`.
fn index_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        let name = e.file_name();
        let name = name.to_string_lossy();
        if p.is_dir() && !name.starts_with('.') && name != "target" {
            index_files(&p, out);
        } else if name == "_index.yaml" {
            out.push(p);
        }
    }
}

/// Set `hash: sha256:<hash>` in every entry whose `path:` ends in `file_name`, in the
/// registry files under `examples/`, `tests/apps/` and `benches/apps/`. Returns the files changed.
fn update_hashes(root: &Path, file_name: &str, hash: &str) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    index_files(&root.join("examples"), &mut files);
    index_files(&root.join("tests/apps"), &mut files);
    index_files(&root.join("benches/apps"), &mut files);
    let mut changed = Vec::new();
    for f in files {
        let text =
            std::fs::read_to_string(&f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
        let mut current_path_matches = false;
        let mut out = String::with_capacity(text.len());
        for line in text.split_inclusive('\n') {
            let t = line.trim_start();
            if t.starts_with("- name:") {
                current_path_matches = false;
            }
            if let Some(p) = t.strip_prefix("path:") {
                let p = p.trim().trim_matches(['"', '\'']);
                current_path_matches =
                    Path::new(p).file_name().and_then(|n| n.to_str()) == Some(file_name);
            }
            if current_path_matches && t.starts_with("hash:") {
                let indent = &line[..line.len() - t.len()];
                let nl = if line.ends_with('\n') { "\n" } else { "" };
                out.push_str(&format!("{indent}hash: sha256:{hash}{nl}"));
                continue;
            }
            out.push_str(line);
        }
        if out != text {
            std::fs::write(&f, out).map_err(|e| format!("cannot write {}: {e}", f.display()))?;
            changed.push(f);
        }
    }
    Ok(changed)
}
