//! Finding definition files: every `*.yaml` / `*.yml` below the application directory
//! (recursively, skipping hidden files and directories and `target/`) except the root
//! `troupe.yaml` (the node settings), as Wippy loads them (WIPPY-API.md §12). Which of them
//! are definition files (a top-level `namespace`) is decided when they are read
//! (`crate::load`); `_index.yaml` always is one.
//!
//! The walk is iterative (no recursion, whatever the depth), visits each real directory once
//! (symlink loops end), follows a symlink only while it resolves inside the application
//! directory (SPEC §3.6; one pointing outside is a problem naming it), never enters `/proc`,
//! `/sys` or `/dev`, and stops with a problem after [`MAX_DIRS`] directories or
//! [`MAX_FILES`] YAML files, so even `troupe check /` ends with an answer.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Name of a file that is always a definition file (a missing `namespace` is an error).
pub(crate) const INDEX_FILE: &str = "_index.yaml";
/// Name of the optional node settings file at the application root.
pub(crate) const NODE_FILE: &str = "troupe.yaml";
/// Most directories one application may have below its root.
pub(crate) const MAX_DIRS: usize = 10_000;
/// Most YAML files one application may have (each is read to see whether it has a
/// `namespace`); past it discovery stops with a problem.
pub(crate) const MAX_FILES: usize = 100_000;

/// Pseudo file systems that never hold an application (and are endless or huge).
const PSEUDO: &[&str] = &["/proc", "/sys", "/dev"];

/// What was found below the application directory.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// Candidate definition files, `*.yaml` / `*.yml` (each `dir.join(relative)`), sorted.
    pub index_files: Vec<PathBuf>,
    /// Paths that were not followed or read: `(path, what is wrong)`.
    pub problems: Vec<(PathBuf, String)>,
}

/// Whether `name` is a YAML file name (`*.yaml`, `*.yml`).
pub(crate) fn is_yaml(name: &str) -> bool {
    name.ends_with(".yaml") || name.ends_with(".yml")
}

/// Walk `dir` (whose canonical form is `root`) for YAML files.
pub(crate) fn index_files(dir: &Path, root: &Path) -> Found {
    let mut found = Found::default();
    let mut seen = HashSet::from([root.to_path_buf()]);
    let mut stack = vec![dir.to_path_buf()];
    let mut visited = 0usize;
    while let Some(current) = stack.pop() {
        visited += 1;
        if visited > MAX_DIRS {
            found.problems.push((
                dir.to_path_buf(),
                format!(
                    "more than {MAX_DIRS} directories below {}; stopped looking for definition \
                     files (expected an application directory)",
                    dir.display()
                ),
            ));
            break;
        }
        let entries = match std::fs::read_dir(&current) {
            Ok(e) => e,
            Err(e) => {
                found
                    .problems
                    .push((current, format!("cannot read directory: {e}")));
                continue;
            }
        };
        let mut subdirs = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            let at_root = current == dir;
            let is_index = is_yaml(&name) && !(at_root && name == NODE_FILE);
            if name.starts_with('.') || name == "target" {
                continue;
            }
            if at_root && name == NODE_FILE {
                continue;
            }
            if file_type.is_symlink() {
                // Follow it only while it stays inside the application directory.
                let real = match path.canonicalize() {
                    Ok(real) => real,
                    Err(e) => {
                        if is_index {
                            found
                                .problems
                                .push((path, format!("cannot read file: {e}")));
                        }
                        continue;
                    }
                };
                if !real.starts_with(root) {
                    if is_index || real.is_dir() {
                        found.problems.push((
                            path,
                            format!(
                                "symbolic link to {}, outside the application directory {}; \
                                 not followed (links must stay inside it)",
                                real.display(),
                                root.display()
                            ),
                        ));
                    }
                    continue;
                }
            }
            // `metadata` follows symlinks, so a symlink counts as what it points to.
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                let Ok(real) = path.canonicalize() else {
                    continue;
                };
                let pseudo = PSEUDO.iter().any(|p| real == Path::new(p));
                if !pseudo && seen.insert(real) {
                    subdirs.push(path);
                }
            } else if is_index {
                // Regular-file and size checks happen when it is read.
                if found.index_files.len() >= MAX_FILES {
                    found.problems.push((
                        dir.to_path_buf(),
                        format!(
                            "more than {MAX_FILES} YAML files below {}; stopped looking for \
                             definition files (expected an application directory)",
                            dir.display()
                        ),
                    ));
                    found.index_files.sort();
                    return found;
                }
                found.index_files.push(path);
            }
        }
        // Depth first, in name order.
        subdirs.sort();
        stack.extend(subdirs.into_iter().rev());
    }
    found.index_files.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_yaml_file_but_hidden_target_and_the_root_troupe_yaml() {
        let root = std::env::temp_dir().join(format!("troupe-discover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for d in ["a/b", ".hidden", "target", "c"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
            std::fs::write(root.join(d).join(INDEX_FILE), "namespace: x\n").unwrap();
        }
        std::fs::write(root.join(INDEX_FILE), "namespace: x\n").unwrap();
        std::fs::write(root.join("c/other.yaml"), "namespace: x\n").unwrap();
        std::fs::write(root.join("c/more.yml"), "namespace: x\n").unwrap();
        std::fs::write(root.join("c/notes.txt"), "namespace: x\n").unwrap();
        std::fs::write(root.join(".hidden.yaml"), "namespace: x\n").unwrap();
        std::fs::write(root.join(NODE_FILE), "name: n\n").unwrap();
        std::fs::write(root.join("a").join(NODE_FILE), "namespace: x\n").unwrap();
        let found = index_files(&root, &root.canonicalize().unwrap());
        let rel: Vec<_> = found
            .index_files
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            rel,
            vec![
                PathBuf::from("_index.yaml"),
                PathBuf::from("a/b/_index.yaml"),
                PathBuf::from("a/troupe.yaml"),
                PathBuf::from("c/_index.yaml"),
                PathBuf::from("c/more.yml"),
                PathBuf::from("c/other.yaml"),
            ]
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
