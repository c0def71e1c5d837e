//! Troupe's registry (SPEC §2): finds every `_index.yaml` below an application directory,
//! parses entries into typed [`Kind`]s, resolves references and validates everything,
//! reporting *all* problems at once with file:line:column, entry ID and expectation.
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

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A loaded, validated application.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    /// The application root directory.
    pub root: PathBuf,
    /// Settings from `troupe.yaml` (defaults when absent).
    pub node: NodeConfig,
    /// All entries by full ID.
    pub entries: BTreeMap<EntryId, Entry>,
}

impl Registry {
    /// The entry with this full ID.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.get(id)
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

/// Load and validate the application at `dir`.
///
/// Errors: every problem of SPEC §2.2, all at once, sorted by file and line.
pub fn load(dir: &Path, checker: &dyn SourceChecker) -> Result<Registry, Diagnostics> {
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

    if !dir.is_dir() {
        let message = format!(
            "{} is not a directory (expected an application directory)",
            dir.display()
        );
        return Err(Diagnostics(vec![Diagnostic {
            location: whole(dir),
            entry: None,
            message,
        }]));
    }

    let root = match dir.canonicalize() {
        Ok(root) => root,
        Err(e) => {
            return Err(Diagnostics(vec![Diagnostic {
                location: whole(dir),
                entry: None,
                message: format!("cannot resolve the application directory: {e}"),
            }]));
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

    // _index.yaml files
    let found = discover::index_files(dir, &root);
    for (path, message) in &found.problems {
        out.diags.push(Diagnostic {
            location: whole(path),
            entry: None,
            message: message.clone(),
        });
    }
    if found.index_files.is_empty() && found.problems.is_empty() {
        out.diags.push(Diagnostic {
            location: whole(dir),
            entry: None,
            message: format!(
                "no {} files found below {}",
                discover::INDEX_FILE,
                dir.display()
            ),
        });
    }
    let mut declared = Vec::new();
    for file in &found.index_files {
        let Some(file_root) = read_yaml(file, &root, &mut out.diags) else {
            continue;
        };
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

    validate::validate(
        &declared,
        &registry.entries,
        &out.refs,
        &out.hashes,
        &mut out.diags,
    );

    let mut diags = out.diags;
    diags.sort();
    diags.dedup();
    if diags.is_empty() {
        Ok(registry)
    } else {
        Err(Diagnostics(diags))
    }
}

/// Read and parse one YAML file (a regular file inside `root`, at most
/// [`input::MAX_FILE_BYTES`]); problems become diagnostics.
fn read_yaml(file: &Path, root: &Path, diags: &mut Vec<Diagnostic>) -> Option<yaml::Node> {
    let text = match input::confine(root, file).and_then(|real| input::read_text(&real)) {
        Ok(t) => t,
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
            return None;
        }
    };
    match yaml::parse(&text) {
        Ok(node) => Some(node),
        Err(e) => {
            diags.push(Diagnostic {
                location: Location {
                    file: file.to_path_buf(),
                    line: e.line,
                    column: e.column,
                },
                entry: None,
                message: format!("invalid YAML: {}", e.message),
            });
            None
        }
    }
}
