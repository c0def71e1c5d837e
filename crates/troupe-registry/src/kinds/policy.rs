//! `security.policy` (SPEC §7.1): actions, resources, effect and conditions; and
//! `security.policy.expr` (WIPPY-API.md §9): actions, resources, effect and an
//! `expression` (compiled and checked by the kernel, `troupe_kernel::security`).

use crate::context::{Cx, Fields};
use crate::yaml::{Node, Value};
use crate::{Condition, PolicySpec};

/// Fields of `security.policy`.
pub(crate) const FIELDS: &[&str] = &["name", "kind", "meta", "policy", "groups"];

const POLICY_KEYS: &[&str] = &["actions", "resources", "effect", "conditions"];
const EXPR_POLICY_KEYS: &[&str] = &["actions", "resources", "effect", "expression"];
/// Longest `expression` of a `security.policy.expr`, in bytes.
pub const MAX_EXPRESSION: usize = 4096;
const CONDITION_KEYS: &[&str] = &["field", "operator", "value", "value_from"];
/// Condition operators.
pub(crate) const OPERATORS: &[&str] = &[
    "eq",
    "ne",
    "lt",
    "gt",
    "lte",
    "gte",
    "in",
    "nin",
    "exists",
    "nexists",
    "contains",
    "ncontains",
    "matches",
    "nmatches",
];

/// Parse `security.policy` (`expr` false) or `security.policy.expr` (`expr` true).
pub(crate) fn parse(cx: &mut Cx, f: &Fields, expr: bool) -> Option<PolicySpec> {
    let groups = f.strings(cx, "groups").unwrap_or_default();
    let node = f.require(cx, "policy")?;
    let keys = if expr { EXPR_POLICY_KEYS } else { POLICY_KEYS };
    let p = Fields::open(cx, node, "policy", "in `policy`", keys)?;
    let expression = if expr {
        let e = p.req_string(cx, "expression");
        match (e, p.get("expression")) {
            (Some(e), Some(at)) if e.trim().is_empty() => {
                cx.error(
                    at,
                    "`policy.expression`: expected an expression, found an empty string",
                );
                return None;
            }
            (Some(e), Some(at)) if e.len() > MAX_EXPRESSION => {
                cx.error(
                    at,
                    format!(
                        "`policy.expression`: {} bytes is too long (at most {MAX_EXPRESSION})",
                        e.len()
                    ),
                );
                return None;
            }
            (Some(e), _) => Some(e),
            (None, _) => return None,
        }
    } else {
        None
    };
    let actions = p.req_string_or_list(cx, "actions");
    let resources = p.req_string_or_list(cx, "resources");
    let effect = match p.require(cx, "effect") {
        Some(_) => p.choice(cx, "effect", &["allow", "deny"]),
        None => None,
    };
    let conditions = match p.get("conditions") {
        None => Vec::new(),
        Some(Node {
            value: Value::Seq(items),
            ..
        }) => items.iter().filter_map(|c| condition(cx, c)).collect(),
        Some(other) => {
            cx.wrong_type(
                "policy.conditions",
                "a list of {field, operator, value}",
                other,
            );
            Vec::new()
        }
    };
    Some(PolicySpec {
        actions: actions?,
        resources: resources?,
        allow: effect? == "allow",
        conditions,
        groups,
        expression,
    })
}

fn condition(cx: &mut Cx, node: &Node) -> Option<Condition> {
    let f = Fields::open(
        cx,
        node,
        "policy.conditions[]",
        "in a condition",
        CONDITION_KEYS,
    )?;
    let field = f.req_string(cx, "field");
    let operator = match f.require(cx, "operator") {
        Some(_) => f.choice(cx, "operator", OPERATORS),
        None => None,
    };
    // `value: null` is a real value to compare with, so look at the raw pair.
    let value = node.get("value").map(Node::to_json);
    let value_from = f.string(cx, "value_from");
    if let Some(op) = operator {
        let unary = matches!(op, "exists" | "nexists");
        if value.is_some() && value_from.is_some() {
            cx.error(node, "a condition takes `value` or `value_from`, not both");
        } else if !unary && value.is_none() && value_from.is_none() {
            cx.error(
                node,
                format!("missing required field `value` (or `value_from`) for operator `{op}`"),
            );
        }
    }
    Some(Condition {
        field: field?,
        operator: operator?.to_string(),
        value,
        value_from,
    })
}
