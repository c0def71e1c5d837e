//! Checks that need every entry: duplicate IDs, references (existence and kind; one to an
//! entry of a kind Troupe does not implement is a warning, as it fails only when used),
//! cycles in `requires` and in supervisor children, children with two supervisors, and wasm
//! `hash` digests (`sha256` of the file at the `fs.directory` + `path`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sha2::{Digest, Sha256};

use crate::context::{HashCheck, Ref};
use crate::entry::Declared;
use crate::{Diagnostic, Entry, EntryId, Kind, Location, input, suggest};

/// Run every cross-entry check, appending problems to `diags`.
pub(crate) fn validate(
    declared: &[Declared],
    entries: &BTreeMap<EntryId, Entry>,
    refs: &[Ref],
    hashes: &[HashCheck],
    diags: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) {
    let kinds = duplicates(declared, diags);
    references(&kinds, refs, diags, warnings);
    let requires: Vec<&Ref> = refs
        .iter()
        .filter(|r| r.field == "lifecycle.requires" || r.field == "lifecycle.depends_on")
        .collect();
    cycles(&requires, &kinds, "requires", diags);
    let children: Vec<&Ref> = refs.iter().filter(|r| r.field == "children").collect();
    let sup_edges: Vec<&Ref> = children
        .iter()
        .copied()
        .filter(|r| kinds.get(&r.target).and_then(|d| d.kind) == Some("process.supervisor"))
        .collect();
    cycles(&sup_edges, &kinds, "supervisor children", diags);
    parents(&children, diags);
    for h in hashes {
        check_hash(h, entries, diags);
    }
}

/// Report duplicate IDs at the later declaration; returns the first declaration of each ID.
fn duplicates<'a>(
    declared: &'a [Declared],
    diags: &mut Vec<Diagnostic>,
) -> HashMap<EntryId, &'a Declared> {
    let mut first: HashMap<EntryId, &Declared> = HashMap::new();
    for d in declared {
        match first.get(&d.id) {
            Some(prev) => diags.push(Diagnostic {
                location: d.location.clone(),
                entry: Some(d.id.clone()),
                message: format!(
                    "duplicate entry ID {}: first defined at {}",
                    d.id, prev.location
                ),
            }),
            None => {
                first.insert(d.id.clone(), d);
            }
        }
    }
    first
}

fn a_or_an(kind: &str) -> &'static str {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) || kind.starts_with("fs.") {
        "an"
    } else {
        "a"
    }
}

fn kind_list(kinds: &[&str]) -> String {
    match kinds {
        [] => String::new(),
        [one] => format!("{} {one}", a_or_an(one)),
        [init @ .., last] => format!("{} {} or {last}", a_or_an(init[0]), init.join(", ")),
    }
}

/// Every reference must name an existing entry of an expected kind; one naming an entry of
/// a kind Troupe does not implement is a warning (it fails when used, WIPPY-API.md §12).
fn references(
    kinds: &HashMap<EntryId, &Declared>,
    refs: &[Ref],
    diags: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) {
    for r in refs {
        if let Some(Declared {
            unimplemented: Some(k),
            ..
        }) = kinds.get(&r.target)
        {
            warnings.push(Diagnostic {
                location: r.location.clone(),
                entry: r.from.clone(),
                message: format!(
                    "`{}` refers to {}, an entry of kind {k}, which Troupe does not implement (expected {} entry); it fails when used",
                    r.field,
                    r.target,
                    kind_list(r.expected)
                ),
            });
            continue;
        }
        let message = match kinds.get(&r.target) {
            None => {
                let candidates = kinds
                    .values()
                    .filter(|d| d.kind.is_some_and(|k| r.expected.contains(&k)))
                    .map(|d| d.id.as_str());
                let hint = suggest::did_you_mean(&r.target, candidates);
                format!(
                    "`{}` refers to {}, which does not exist (expected {} entry){hint}",
                    r.field,
                    r.target,
                    kind_list(r.expected)
                )
            }
            // An unknown kind was reported where it was declared.
            Some(Declared { kind: None, .. }) => continue,
            Some(Declared { kind: Some(k), .. }) if r.expected.contains(k) => continue,
            Some(Declared { kind: Some(k), .. }) => format!(
                "`{}` must name {} entry, but {} is {} {k}",
                r.field,
                kind_list(r.expected),
                r.target,
                a_or_an(k)
            ),
        };
        diags.push(Diagnostic {
            location: r.location.clone(),
            entry: r.from.clone(),
            message,
        });
    }
}

/// Find cycles in the graph of `edges` (only between declared entries) and report each once,
/// at the edge leaving the cycle's smallest ID.
fn cycles(
    edges: &[&Ref],
    kinds: &HashMap<EntryId, &Declared>,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let mut graph: BTreeMap<&str, Vec<&Ref>> = BTreeMap::new();
    for e in edges {
        if let Some(from) = &e.from
            && kinds.contains_key(&e.target)
        {
            graph.entry(from.as_str()).or_default().push(e);
        }
    }
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Active,
        Done,
    }
    let mut marks: HashMap<&str, Mark> = HashMap::new();
    let mut found: BTreeSet<Vec<&str>> = BTreeSet::new();
    for start in graph.keys().copied() {
        if marks.contains_key(start) {
            continue;
        }
        // Iterative DFS: (node, next edge index); `path` mirrors the active nodes.
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        let mut path: Vec<&str> = vec![start];
        marks.insert(start, Mark::Active);
        while let Some((node, i)) = stack.last_mut() {
            let out = graph.get(*node).map(Vec::as_slice).unwrap_or(&[]);
            let Some(edge) = out.get(*i) else {
                marks.insert(node, Mark::Done);
                stack.pop();
                path.pop();
                continue;
            };
            *i += 1;
            let next = edge.target.as_str();
            match marks.get(next) {
                None => {
                    marks.insert(next, Mark::Active);
                    stack.push((next, 0));
                    path.push(next);
                }
                Some(Mark::Active) => {
                    if let Some(pos) = path.iter().position(|n| *n == next) {
                        let mut cycle: Vec<&str> = path[pos..].to_vec();
                        let min = cycle
                            .iter()
                            .enumerate()
                            .min_by_key(|(_, n)| **n)
                            .map_or(0, |(i, _)| i);
                        cycle.rotate_left(min);
                        found.insert(cycle);
                    }
                }
                Some(Mark::Done) => {}
            }
        }
    }
    for cycle in found {
        let (first, second) = (cycle[0], cycle.get(1).copied().unwrap_or(cycle[0]));
        let Some(edge) = graph
            .get(first)
            .and_then(|es| es.iter().find(|e| e.target == second))
        else {
            continue;
        };
        let mut names: Vec<&str> = cycle.clone();
        names.push(first);
        diags.push(Diagnostic {
            location: edge.location.clone(),
            entry: Some(first.to_string()),
            message: format!("cycle in {what}: {}", names.join(" -> ")),
        });
    }
}

/// A child belongs to exactly one supervisor, once.
fn parents(children: &[&Ref], diags: &mut Vec<Diagnostic>) {
    let mut sorted: Vec<&&Ref> = children.iter().collect();
    sorted.sort_by(|a, b| a.location.cmp(&b.location));
    let mut owner: HashMap<&str, &Ref> = HashMap::new();
    for r in sorted {
        let Some(parent) = &r.from else { continue };
        match owner.get(r.target.as_str()) {
            None => {
                owner.insert(&r.target, r);
            }
            Some(first) if first.from.as_deref() == Some(parent.as_str()) => diags.push(Diagnostic {
                location: r.location.clone(),
                entry: Some(parent.clone()),
                message: format!("{} is listed twice in `children` (first at {})", r.target, first.location),
            }),
            Some(first) => diags.push(Diagnostic {
                location: r.location.clone(),
                entry: Some(parent.clone()),
                message: format!(
                    "{} is a child of both {} and {}; a child has exactly one supervisor (first listed at {})",
                    r.target,
                    first.from.as_deref().unwrap_or("?"),
                    parent,
                    first.location
                ),
            }),
        }
    }
}

/// Lower-case hex sha256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn check_hash(h: &HashCheck, entries: &BTreeMap<EntryId, Entry>, diags: &mut Vec<Diagnostic>) {
    // A missing or wrong-kind `fs` was reported as a reference problem.
    let Some(Entry {
        kind: Kind::FsDirectory(fs),
        ..
    }) = entries.get(&h.fs)
    else {
        return;
    };
    let file = fs.directory.join(&h.path);
    let push = |diags: &mut Vec<Diagnostic>, location: &Location, message: String| {
        diags.push(Diagnostic {
            location: location.clone(),
            entry: Some(h.entry.clone()),
            message,
        })
    };
    // `path` must stay inside its fs.directory (the directory itself is the capability).
    let read = fs
        .directory
        .canonicalize()
        .map_err(|e| input::InputError::Io {
            path: fs.directory.clone(),
            error: e.to_string(),
        })
        .and_then(|dir| input::confine(&dir, &file))
        .and_then(|real| input::read_bytes(&real));
    match read {
        Err(e) => push(
            diags,
            &h.path_location,
            format!(
                "cannot read wasm file {} (`path` in {}): {}",
                file.display(),
                h.fs,
                e.detail()
            ),
        ),
        Ok(bytes) => {
            let actual = sha256_hex(&bytes);
            if actual != h.expected {
                push(
                    diags,
                    &h.hash_location,
                    format!(
                        "`hash` does not match {}: expected sha256:{}, actual sha256:{actual}",
                        file.display(),
                        h.expected
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_empty() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn kind_lists() {
        assert_eq!(
            kind_list(&["process.lua", "process.wasm"]),
            "a process.lua or process.wasm"
        );
        assert_eq!(kind_list(&["fs.directory"]), "an fs.directory");
    }
}
