//! Spanned YAML nodes: parses one file with `saphyr` into a small tree where every node
//! (keys included) carries its 1-based line and column, and converts nodes to JSON.
//!
//! Everything above this module works on [`Node`]; `saphyr` types do not leak out.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr::{MarkedYamlOwned, ScalarOwned, ScalarStyle, YamlDataOwned};
use saphyr_parser::{Event, SpannedEventReceiver};

/// A YAML node with its position (1-based line and column).
///
/// For a block scalar (`|`, `>`) the position is that of the text's first line, so line `n`
/// of the text is at `line + n - 1` (leading blank lines included).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub line: usize,
    pub column: usize,
    pub value: Value,
}

/// The value of a [`Node`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Key/value pairs in written order; keys are nodes too, so they have positions.
    Map(Vec<(Node, Node)>),
}

/// A YAML syntax error: message and 1-based position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Deepest nesting of lists and maps accepted in one file, aliases counted as expanded
/// (SPEC §3.6 "Bad input"): every walk over the tree (conversion, JSON, drop) is recursive,
/// so this bounds their stack use.
pub(crate) const MAX_DEPTH: usize = 256;
/// Most nodes (scalars, lists, maps) accepted in one file, so a 64 MiB file of `[1,1,1,…]`
/// cannot turn into gigabytes of tree.
pub(crate) const MAX_NODES: usize = 1_000_000;

/// Parse `text` (one YAML document). An empty document is `Null`.
///
/// Errors: a syntax error, several documents, nesting deeper than [`MAX_DEPTH`] or more
/// than [`MAX_NODES`] nodes, each with the position where it was found.
pub(crate) fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    let mut loader: saphyr::YamlLoader<'_, MarkedYamlOwned> = saphyr::YamlLoader::default();
    loader.early_parse(false);
    let mut bounds = Bounds::default();
    let at = |mark: saphyr_parser::Marker, message: String| SyntaxError {
        line: mark.line().max(1),
        column: mark.col() + 1,
        message,
    };
    // Events are pulled one by one (the parser's own `load` recurses per nesting level), and
    // the depth is checked before the loader builds anything.
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| at(*e.marker(), e.info().to_string()))?;
        bounds
            .check(&event)
            .map_err(|message| at(span.start, message))?;
        let end = event == Event::StreamEnd;
        loader.on_event(event, span);
        if let Some(e) = loader.error() {
            return Err(at(*e.marker(), e.info().to_string()));
        }
        if end {
            break;
        }
    }
    let mut docs = loader.into_documents();
    match docs.pop() {
        Some(doc) => Ok(convert(doc)),
        None => Ok(Node {
            line: 1,
            column: 1,
            value: Value::Null,
        }),
    }
}

/// Depth, node and document bounds over the event stream.
#[derive(Default)]
struct Bounds {
    /// Open lists/maps: (anchor id, height of the tallest child so far).
    open: Vec<(usize, usize)>,
    /// Height of each anchored node (a scalar is 0, a list of scalars 1, …).
    anchors: HashMap<usize, usize>,
    nodes: usize,
    documents: usize,
}

impl Bounds {
    fn check(&mut self, event: &Event) -> Result<(), String> {
        let too_deep = || {
            format!(
                "lists and maps are nested deeper than {MAX_DEPTH} levels (aliases counted as \
                 expanded); expected at most {MAX_DEPTH}"
            )
        };
        if matches!(
            event,
            Event::Scalar(..)
                | Event::Alias(_)
                | Event::SequenceStart(..)
                | Event::MappingStart(..)
        ) {
            self.nodes += 1;
            if self.nodes > MAX_NODES {
                return Err(format!(
                    "more than {MAX_NODES} values in one file; expected at most {MAX_NODES}"
                ));
            }
        }
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err("expected a single YAML document, found several".into());
                }
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.open.push((*anchor, 0));
                if self.open.len() > MAX_DEPTH {
                    return Err(too_deep());
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((anchor, tallest)) = self.open.pop() {
                    self.child(anchor, tallest + 1);
                }
            }
            Event::Scalar(_, _, anchor, _) => self.child(*anchor, 0),
            Event::Alias(id) => {
                let height = self.anchors.get(id).copied().unwrap_or(0);
                if self.open.len() + height > MAX_DEPTH {
                    return Err(too_deep());
                }
                self.child(0, height);
            }
            _ => {}
        }
        Ok(())
    }

    /// A node of `height` was completed (anchored as `anchor` when non-zero).
    fn child(&mut self, anchor: usize, height: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, height);
        }
        if let Some(top) = self.open.last_mut() {
            top.1 = top.1.max(height);
        }
    }
}

fn convert(node: MarkedYamlOwned) -> Node {
    let mut line = node.span.start.line().max(1);
    let column = node.span.start.col() + 1;
    let value = match node.data {
        YamlDataOwned::Representation(text, style, tag) => {
            if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                // saphyr points at the first non-blank content line; blank lines before it
                // are part of the text.
                let blank = text.chars().take_while(|c| *c == '\n').count();
                line = line.saturating_sub(blank).max(1);
            }
            let tag = tag.map(Cow::Owned);
            match ScalarOwned::parse_from_cow_and_metadata(
                Cow::Owned(text.clone()),
                style,
                tag.as_ref(),
            ) {
                Some(s) => scalar(s),
                None => Value::Str(text),
            }
        }
        YamlDataOwned::Value(s) => scalar(s),
        YamlDataOwned::Sequence(items) => Value::Seq(items.into_iter().map(convert).collect()),
        YamlDataOwned::Mapping(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| (convert(k), convert(v)))
                .collect(),
        ),
        YamlDataOwned::Tagged(_, inner) => {
            let mut n = convert(*inner);
            // Keep the tag's position if the inner node has none.
            if n.line == 0 {
                n.line = line;
                n.column = column;
            }
            return n;
        }
        YamlDataOwned::Alias(_) | YamlDataOwned::BadValue => Value::Null,
    };
    Node {
        line,
        column,
        value,
    }
}

fn scalar(s: ScalarOwned) -> Value {
    match s {
        ScalarOwned::Null => Value::Null,
        ScalarOwned::Boolean(b) => Value::Bool(b),
        ScalarOwned::Integer(i) => Value::Int(i),
        ScalarOwned::FloatingPoint(f) => Value::Float(f.into_inner()),
        ScalarOwned::String(s) => Value::Str(s),
    }
}

impl Node {
    /// "a string", "a list", … for "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
        }
    }

    /// The string value, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar rendered as text (used for map keys and lenient string fields).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Null => Some("null".into()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Str(s) => Some(s.clone()),
            Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// The mapping's pairs, if this is a mapping.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The value under string key `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// The node as JSON (map keys become strings; non-finite floats become null).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or(J::Null),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(pairs) => J::Object(
                pairs
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.scalar_text().unwrap_or_else(|| k.to_json().to_string()),
                            v.to_json(),
                        )
                    })
                    .collect(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let n = parse("a: 1\nlist:\n  - x\n  - {k: v}\ntext: |\n  hello\n").unwrap();
        let m = n.as_map().unwrap();
        assert_eq!((m[0].0.line, m[0].0.column), (1, 1));
        assert_eq!((m[0].1.line, m[0].1.column), (1, 4));
        assert_eq!(m[0].1.value, Value::Int(1));
        let list = &m[1].1;
        let Value::Seq(items) = &list.value else {
            panic!()
        };
        assert_eq!((items[0].line, items[0].column), (3, 5));
        assert_eq!((items[1].line, items[1].column), (4, 5));
        let text = &m[2].1;
        assert_eq!((text.line, text.column), (6, 3));
        assert_eq!(text.as_str(), Some("hello\n"));
        let n = parse("text: |\n\n  hello\n").unwrap();
        assert_eq!(n.get("text").unwrap().line, 2);
    }

    #[test]
    fn quoted_numbers_stay_strings() {
        let n = parse("v: \"1.0\"\nw: 1.0\nx: yes\ny: true\n").unwrap();
        assert_eq!(n.get("v").unwrap().value, Value::Str("1.0".into()));
        assert_eq!(n.get("w").unwrap().value, Value::Float(1.0));
        assert_eq!(n.get("x").unwrap().value, Value::Str("yes".into()));
        assert_eq!(n.get("y").unwrap().value, Value::Bool(true));
    }

    #[test]
    fn syntax_error_has_position() {
        let e = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.line >= 1, "{e:?}");
        let e = parse("a: 1\na: 2\n").unwrap_err();
        assert_eq!(e.line, 2, "{e:?}");
        assert!(e.message.contains("duplicate"), "{e:?}");
    }

    #[test]
    fn aliases_expand() {
        let n = parse("base: &b {x: 1}\nother: *b\n").unwrap();
        assert_eq!(
            n.get("other").unwrap().get("x").unwrap().value,
            Value::Int(1)
        );
    }

    #[test]
    fn nesting_is_bounded_before_any_recursion() {
        let ok = format!("{}x", "- ".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let deep = format!("{}x", "- ".repeat(20_000));
        let e = parse(&deep).unwrap_err();
        assert_eq!((e.line, e.column), (1, 2 * MAX_DEPTH + 1), "{e:?}");
        assert!(e.message.contains("nested deeper than 256 levels"), "{e:?}");
        let flow = format!("{}1{}", "{a: ".repeat(20_000), "}".repeat(20_000));
        assert!(parse(&flow).is_err());
        // Aliases count as expanded: each anchor is 16 levels taller than the last, so the
        // file is shallow and small but its tree is not.
        let mut text = String::from("a0: &a0 [1]\n");
        for i in 1..30 {
            let (open, close) = ("[".repeat(16), "]".repeat(16));
            text.push_str(&format!("a{i}: &a{i} {open}*a{}{close}\n", i - 1));
        }
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("nested deeper"), "{e:?}");
    }

    #[test]
    fn several_documents_are_refused() {
        let e = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(e.line, 2, "{e:?}");
        assert_eq!(e.message, "expected a single YAML document, found several");
    }

    #[test]
    fn empty_document_is_null() {
        assert_eq!(parse("").unwrap().value, Value::Null);
        assert_eq!(parse("# just a comment\n").unwrap().value, Value::Null);
    }
}
