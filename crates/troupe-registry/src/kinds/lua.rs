//! `process.lua`, `function.lua`, `library.lua`, and `source:` handling shared with
//! `function.wat`: inline text or `file://` paths, plus the Lua syntax check through
//! [`crate::SourceChecker`] with the Lua line mapped back to a file position.

use std::collections::BTreeMap;

use crate::context::{Cx, Fields};
use crate::input::InputError;
use crate::limits::{self, Place};
use crate::yaml::Node;
use crate::{Limits, Location, LuaSpec, Source};

/// Fields of `process.lua`.
pub(crate) const PROCESS_FIELDS: &[&str] = &[
    "name", "kind", "meta", "source", "method", "modules", "imports", "limits",
];
/// Fields of `function.lua` (`pool`: [`crate::kinds::pool`]).
pub(crate) const FUNCTION_FIELDS: &[&str] = &[
    "name", "kind", "meta", "source", "method", "modules", "imports", "limits", "pool",
];
/// Fields of `library.lua` (no `method`).
pub(crate) const LIBRARY_FIELDS: &[&str] =
    &["name", "kind", "meta", "source", "modules", "imports"];

const LIBRARY: &[&str] = &["library.lua"];

/// Parse the fields of a Lua entry of kind `kind` (`library.lua` has no `method`/`limits`).
pub(crate) fn parse(cx: &mut Cx, f: &Fields, kind: &'static str) -> Option<LuaSpec> {
    let library = kind == "library.lua";
    let source = source(cx, f);
    let method = if library {
        None
    } else {
        f.string(cx, "method")
    };
    let modules = f.strings(cx, "modules").unwrap_or_default();
    let imports = f
        .get("imports")
        .map(|node| imports(cx, node))
        .unwrap_or_default();
    let limits = match f.get("limits") {
        Some(node) if !library => limits::parse(cx, node, Place::Lua(kind)),
        _ => Limits::default(),
    };
    let pool = match f.get("pool") {
        Some(node) if kind == "function.lua" => super::pool::parse(cx, node),
        _ => None,
    };
    if let Some(src) = &source {
        check_lua(cx, src);
    }
    Some(LuaSpec {
        source: source?,
        pool,
        method,
        modules,
        imports,
        limits,
    })
}

/// `imports: {alias: library-id}`.
fn imports(cx: &mut Cx, node: &Node) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(pairs) = node.as_map() else {
        cx.wrong_type("imports", "a map of alias: library.lua entry ID", node);
        return out;
    };
    for (alias, target) in pairs {
        let Some(alias) = alias.as_str().filter(|a| !a.is_empty()) else {
            cx.wrong_type("imports", "an alias name (a string) as key", alias);
            continue;
        };
        if let Some(id) = cx.reference(target, "imports", LIBRARY) {
            out.insert(alias.to_string(), id);
        }
    }
    out
}

/// Read the required `source` field: `file://path` (relative to the YAML file),
/// `file:///absolute/path`, or inline text.
pub(crate) fn source(cx: &mut Cx, f: &Fields) -> Option<Source> {
    let node = f.require(cx, "source")?;
    let Some(text) = node.as_str() else {
        cx.wrong_type("source", "a string (inline code or file://path)", node);
        return None;
    };
    let location = cx.loc(node);
    match text.strip_prefix("file://") {
        Some(rest) => match cx.read_file_url(rest) {
            Ok((path, text)) => Some(Source {
                text,
                path: Some(path),
                location,
            }),
            Err((path, e)) => {
                let hint = match e {
                    InputError::Outside { .. } => {
                        "; a file:// source must be inside the application directory (file:///path names an absolute one)"
                    }
                    _ => "",
                };
                cx.error(
                    node,
                    format!(
                        "cannot read source file {} ({}): {}{hint}",
                        text.trim(),
                        path.display(),
                        e.detail()
                    ),
                );
                None
            }
        },
        None => Some(Source {
            text: text.to_string(),
            path: None,
            location,
        }),
    }
}

/// Where line `line` (1-based) of `src` is: in its file, or in the YAML for inline text.
pub(crate) fn source_line(src: &Source, line: usize) -> Location {
    match &src.path {
        Some(path) => Location {
            file: path.clone(),
            line: line.max(1),
            column: 1,
        },
        None => Location {
            file: src.location.file.clone(),
            line: src.location.line + line.max(1) - 1,
            column: src.location.column,
        },
    }
}

fn check_lua(cx: &mut Cx, src: &Source) {
    if let Err((line, message)) = cx.checker.check_lua(&src.text) {
        let location = source_line(src, line);
        cx.error_at(
            location,
            format!("Lua syntax error at Lua line {line}: {message}"),
        );
    }
}
