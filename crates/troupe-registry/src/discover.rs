//! Finding definition files: every `_index.yaml` below the application directory
//! (recursively, skipping hidden directories and `target/`), plus the optional root
//! `troupe.yaml`.
//!
//! The walk is iterative (no recursion, whatever the depth), visits each real directory once
//! (symlink loops end), follows a symlink only while it resolves inside the application
//! directory (SPEC §3.6; one pointing outside is a problem naming it), never enters `/proc`,
//! `/sys` or `/dev`, and stops with a problem after [`MAX_DIRS`] directories, so even
//! `troupe check /` ends with an answer.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Name of a definition file.
pub(crate) const INDEX_FILE: &str = "_index.yaml";
/// Name of the optional node settings file at the application root.
pub(crate) const NODE_FILE: &str = "troupe.yaml";
/// Most directories one application may have below its root.
pub(crate) const MAX_DIRS: usize = 10_000;

/// Pseudo file systems that never hold an application (and are endless or huge).
const PSEUDO: &[&str] = &["/proc", "/sys", "/dev"];

/// What was found below the application directory.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// `_index.yaml` paths (each `dir.join(relative)`), sorted.
    pub index_files: Vec<PathBuf>,
    /// Paths that were not followed or read: `(path, what is wrong)`.
    pub problems: Vec<(PathBuf, String)>,
}

/// Walk `dir` (whose canonical form is `root`) for `_index.yaml` files.
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
                    "more than {MAX_DIRS} directories below {}; stopped looking for {INDEX_FILE} \
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
            let is_index = name == INDEX_FILE;
            if !is_index && (name.starts_with('.') || name == "target") {
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
    fn skips_hidden_and_target() {
        let root = std::env::temp_dir().join(format!("troupe-discover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for d in ["a/b", ".hidden", "target", "c"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
            std::fs::write(root.join(d).join(INDEX_FILE), "namespace: x\n").unwrap();
        }
        std::fs::write(root.join(INDEX_FILE), "namespace: x\n").unwrap();
        std::fs::write(root.join("c/other.yaml"), "namespace: x\n").unwrap();
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
                PathBuf::from("c/_index.yaml")
            ]
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
