//! Troupe's registry (SPEC §2): finds every definition file below an application directory
//! (any `*.yaml`/`*.yml` with a top-level `namespace`, as Wippy, WIPPY-API.md §12), parses
//! entries into typed [`Kind`]s, resolves references and validates everything, reporting
//! *all* problems at once with file:line:column, entry ID and expectation.
//!
//! Leniency (WIPPY-API.md §12): what Wippy accepts and Troupe ignores — a field Troupe does
//! not use, a kind it does not implement — is a warning ([`Registry::warnings`]), not an
//! error; a field neither knows stays an error with a suggestion.
//!
//! This crate has no runtime dependencies. Checks that need a language runtime (Lua syntax)
//! plug in through [`SourceChecker`].

mod context;
mod discover;
mod entry;
pub mod input;
mod kinds;
mod limits;
mod model;
mod node;
mod suggest;
mod units;
mod validate;
mod yaml;

pub use kinds::env::{EnvStorageSpec, EnvVariableSpec, STORAGE_KINDS, valid_variable};
pub use kinds::token_store::{TOKEN_LENGTH_RANGE, TokenStoreSpec};
pub use model::*;
pub use node::{valid_address, valid_node_name};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A loaded, validated application.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    /// The application root directory.
    pub root: PathBuf,
    /// Settings from `troupe.yaml` (defaults when absent).
    pub node: NodeConfig,
    /// All entries by full ID (entries of kinds Troupe does not implement included, as
    /// [`Kind::Unimplemented`]).
    pub entries: BTreeMap<EntryId, Entry>,
    /// What was accepted for Wippy compatibility but is ignored (WIPPY-API.md §12): a field
    /// Troupe does not use, a kind it does not implement, a reference to such an entry.
    /// Sorted by location; `troupe check` prints them, boot logs them, `--strict` refuses.
    pub warnings: Vec<Diagnostic>,
}

impl Registry {
    /// The entry with this full ID.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.get(id)
    }

    /// A digest of the application: SHA-256, in hex, over every entry in ID order — its ID,
    /// the entry as written ([`Entry::raw`]) and the Lua or WAT source it loaded (a
    /// `file://` source's contents, not its path). Two nodes of a cluster must have the
    /// same digest (SPEC §10: "all nodes load the same application"). `troupe.yaml` is
    /// not part of it: each node has its own name and addresses. A compiled `.wasm`
    /// file's bytes are not read; its entry's `hash:`, when written, is.
    pub fn digest(&self) -> String {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        for (id, e) in &self.entries {
            h.update((id.len() as u64).to_le_bytes());
            h.update(id.as_bytes());
            let raw = e.raw.to_string();
            h.update((raw.len() as u64).to_le_bytes());
            h.update(raw.as_bytes());
            let source = match &e.kind {
                Kind::ProcessLua(l) | Kind::FunctionLua(l) | Kind::LibraryLua(l) => Some(&l.source),
                Kind::FunctionWat(w) | Kind::FunctionWasm(w) | Kind::ProcessWasm(w) => {
                    w.source.as_ref()
                }
                _ => None,
            };
            if let Some(src) = source {
                h.update((src.text.len() as u64).to_le_bytes());
                h.update(src.text.as_bytes());
            }
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// One validation problem (SPEC §2.2).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub location: Location,
    /// The entry the problem belongs to, when there is one.
    pub entry: Option<EntryId>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.entry {
            Some(id) => write!(f, "{}: {}: {}", self.location, id, self.message),
            None => write!(f, "{}: {}", self.location, self.message),
        }
    }
}

/// All problems found while loading, sorted by location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(.0))]
pub struct Diagnostics(pub Vec<Diagnostic>);

fn render(d: &[Diagnostic]) -> String {
    d.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Language checks the registry cannot do itself (they need a runtime).
pub trait SourceChecker {
    /// Compile-check Lua source. `Err((line, message))` with the 1-based Lua line.
    fn check_lua(&self, _source: &str) -> Result<(), (usize, String)> {
        Ok(())
    }
    /// Check WAT text. `Err(message)`.
    fn check_wat(&self, _source: &str) -> Result<(), String> {
        Ok(())
    }
}

/// A checker that accepts every source.
pub struct NoChecks;
impl SourceChecker for NoChecks {}

/// Everything one load found: the registry (partial when there are errors), the errors and
/// the warnings, each sorted by location.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub registry: Registry,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

/// Load and validate the application at `dir`.
///
/// Errors: every problem of SPEC §2.2, all at once, sorted by file and line. Warnings are
/// in [`Registry::warnings`] (use [`load_all`] to have them next to the errors).
pub fn load(dir: &Path, checker: &dyn SourceChecker) -> Result<Registry, Diagnostics> {
    let report = load_all(dir, checker);
    if report.errors.is_empty() {
        Ok(report.registry)
    } else {
        Err(Diagnostics(report.errors))
    }
}

/// Load and validate the application at `dir`, returning errors and warnings together
/// (what `troupe check` prints; `--strict` counts the warnings as errors).
pub fn load_all(dir: &Path, checker: &dyn SourceChecker) -> Report {
    let mut out = context::Collected::default();
    let mut registry = Registry {
        root: dir.to_path_buf(),
        ..Registry::default()
    };
    let whole = |file: &Path| Location {
        file: file.to_path_buf(),
        line: 1,
        column: 1,
    };
    let fail = |registry: Registry, location: Location, message: String| Report {
        registry,
        errors: vec![Diagnostic {
            location,
            entry: None,
            message,
        }],
        warnings: Vec::new(),
    };

    if !dir.is_dir() {
        let message = format!(
            "{} is not a directory (expected an application directory)",
            dir.display()
        );
        return fail(registry, whole(dir), message);
    }

    let root = match dir.canonicalize() {
        Ok(root) => root,
        Err(e) => {
            let message = format!("cannot resolve the application directory: {e}");
            return fail(registry, whole(dir), message);
        }
    };

    // troupe.yaml (anything at that name, even a dangling link or a FIFO, is read and checked)
    let node_file = dir.join(discover::NODE_FILE);
    if node_file.symlink_metadata().is_ok()
        && let Some(root_node) = read_yaml(&node_file, &root, &mut out.diags)
    {
        let mut cx = context::Cx {
            file: &node_file,
            dir,
            root: &root,
            namespace: "",
            entry: None,
            out: &mut out,
            checker,
        };
        registry.node = node::parse(&mut cx, &root_node);
    }

    // Definition files: every YAML file with a top-level `namespace`.
    let found = discover::index_files(dir, &root);
    for (path, message) in &found.problems {
        out.diags.push(Diagnostic {
            location: whole(path),
            entry: None,
            message: message.clone(),
        });
    }
    let mut declared = Vec::new();
    let mut definitions = 0usize;
    for file in &found.index_files {
        let index = file.file_name().is_some_and(|n| n == discover::INDEX_FILE);
        let Some(text) = read_file(file, &root, &mut out.diags) else {
            definitions += 1;
            continue;
        };
        let file_root = match yaml::parse(&text) {
            Ok(node) => node,
            Err(e) => {
                // A YAML file that is not a definition file may be anything; one that says
                // `namespace:` at the top level was meant to be one.
                if index || declares_namespace(&text) {
                    definitions += 1;
                    out.diags.push(yaml_error(file, e));
                }
                continue;
            }
        };
        if !index && file_root.get("namespace").is_none() {
            continue;
        }
        definitions += 1;
        let file_dir = file.parent().unwrap_or(dir);
        let mut cx = context::Cx {
            file,
            dir: file_dir,
            root: &root,
            namespace: "",
            entry: None,
            out: &mut out,
            checker,
        };
        let parsed = entry::parse_file(&mut cx, &file_root);
        declared.extend(parsed.declared);
        for e in parsed.entries {
            // Duplicates are reported by validation; the first definition wins here.
            registry.entries.entry(e.id.clone()).or_insert(e);
        }
    }
    if definitions == 0 && found.problems.is_empty() {
        out.diags.push(Diagnostic {
            location: whole(dir),
            entry: None,
            message: format!(
                "no definition files found below {} (expected {} or other YAML files with a top-level `namespace`)",
                dir.display(),
                discover::INDEX_FILE,
            ),
        });
    }

    validate::validate(
        &declared,
        &registry.entries,
        &out.refs,
        &out.hashes,
        &mut out.diags,
        &mut out.warnings,
    );

    let mut errors = out.diags;
    errors.sort();
    errors.dedup();
    let mut warnings = out.warnings;
    warnings.sort();
    warnings.dedup();
    registry.warnings = warnings.clone();
    Report {
        registry,
        errors,
        warnings,
    }
}

/// Whether `text` has a top-level `namespace:` line (a definition file that failed to parse).
fn declares_namespace(text: &str) -> bool {
    text.lines().any(|l| {
        l.strip_prefix("namespace")
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// Read one file (a regular file inside `root`, at most [`input::MAX_FILE_BYTES`]);
/// problems become diagnostics.
fn read_file(file: &Path, root: &Path, diags: &mut Vec<Diagnostic>) -> Option<String> {
    match input::confine(root, file).and_then(|real| input::read_text(&real)) {
        Ok(t) => Some(t),
        Err(e) => {
            let message = match e {
                input::InputError::Outside { .. } => format!(
                    "cannot read file: {}; definition files must be inside the application directory",
                    e.detail()
                ),
                e => format!("cannot read file: {}", e.detail()),
            };
            diags.push(Diagnostic {
                location: Location {
                    file: file.to_path_buf(),
                    line: 1,
                    column: 1,
                },
                entry: None,
                message,
            });
            None
        }
    }
}

fn yaml_error(file: &Path, e: yaml::SyntaxError) -> Diagnostic {
    Diagnostic {
        location: Location {
            file: file.to_path_buf(),
            line: e.line,
            column: e.column,
        },
        entry: None,
        message: format!("invalid YAML: {}", e.message),
    }
}

/// Read and parse one YAML file (a regular file inside `root`, at most
/// [`input::MAX_FILE_BYTES`]); problems become diagnostics.
fn read_yaml(file: &Path, root: &Path, diags: &mut Vec<Diagnostic>) -> Option<yaml::Node> {
    let text = read_file(file, root, diags)?;
    match yaml::parse(&text) {
        Ok(node) => Some(node),
        Err(e) => {
            diags.push(yaml_error(file, e));
            None
        }
    }
}
