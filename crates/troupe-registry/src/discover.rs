//! Finding definition files: every `_index.yaml` below the application directory
//! (recursively, skipping hidden directories and `target/`), plus the optional root
//! `troupe.yaml`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Name of a definition file.
pub(crate) const INDEX_FILE: &str = "_index.yaml";
/// Name of the optional node settings file at the application root.
pub(crate) const NODE_FILE: &str = "troupe.yaml";

/// What was found below the application directory.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// `_index.yaml` paths (each `dir.join(relative)`), sorted.
    pub index_files: Vec<PathBuf>,
    /// Directories that could not be read: `(path, error)`.
    pub unreadable: Vec<(PathBuf, String)>,
}

/// Walk `dir` for `_index.yaml` files. Symlinked directories are followed once each.
pub(crate) fn index_files(dir: &Path) -> Found {
    let mut found = Found::default();
    let mut seen = HashSet::new();
    walk(dir, &mut found, &mut seen);
    found.index_files.sort();
    found
}

fn walk(dir: &Path, found: &mut Found, seen: &mut HashSet<PathBuf>) {
    if let Ok(canonical) = dir.canonicalize()
        && !seen.insert(canonical)
    {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            found.unreadable.push((dir.to_path_buf(), e.to_string()));
            return;
        }
    };
    let mut subdirs = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // `metadata` follows symlinks, so a symlinked file or directory counts as what it points to.
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if !name.starts_with('.') && name != "target" {
                subdirs.push(path);
            }
        } else if name == INDEX_FILE {
            found.index_files.push(path);
        }
    }
    subdirs.sort();
    for sub in subdirs {
        walk(&sub, found, seen);
    }
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
        let found = index_files(&root);
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
