//! The security model of SPEC §7: actors, scopes of policies, and their evaluation.
//!
//! - An [`Actor`] is `{id, meta}`; every process runs as one and every message carries
//!   its sender's (SPEC §7.3).
//! - A [`Policy`] (compiled from a `security.policy` entry) allows or denies actions on
//!   resources, optionally under conditions. Action and resource patterns are `*`, an
//!   exact name, or a prefix ending in `*` (`process.*`, `document:*`).
//! - A [`Scope`] is a set of policies. [`Scope::evaluate`]: any matching deny wins; else
//!   any matching allow grants; else denied (SPEC §7.1).
//! - [`check`]: with an actor and a scope the evaluation decides; without them the node's
//!   `security.strict_mode` does (false allows, as in Wippy; true denies). A denial is a
//!   `PERMISSION_DENIED` error naming the action and the resource.
//!
//! Condition fields: `actor.id`, `actor.meta.<path>`, `action`, `resource`,
//! `meta.<path>` (the request's metadata, e.g. the context of the operation). Operators:
//! `eq ne lt gt lte gte in nin exists nexists contains ncontains matches nmatches`;
//! `value_from` names another field whose value is compared instead of a literal. A
//! missing field satisfies only the negative operators (`ne nin nexists ncontains
//! nmatches`).
//!
//! A `security.policy.expr` policy matches when its actions and resources match and its
//! `expression` ([`evalexpr`] syntax, e.g. `actor.meta.role == "admin" && resource !=
//! "x"`) evaluates to `true`; its variables are the condition fields above (a missing one
//! is empty, so comparisons with it are false). An expression that fails or is not a
//! boolean does not match. Expressions are at most 4 KiB (registry) and
//! [`MAX_EXPR_DEPTH`] deep, have no loops and may not call `str::regex_replace` or
//! `random`, so an evaluation is bounded by its size and its inputs.

use std::sync::Arc;

use serde_json::{Map, Value as J};
use troupe_registry::{Condition, PolicySpec};

use crate::{ErrorKind, ProcessError};

/// An actor: `{id, meta}` (SPEC §7.1).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Actor {
    pub id: String,
    pub meta: Map<String, J>,
}

/// An action or resource pattern.
#[derive(Debug, Clone, PartialEq)]
enum Pattern {
    Any,
    Exact(String),
    Prefix(String),
}

impl Pattern {
    fn parse(s: &str) -> Pattern {
        if s == "*" {
            Pattern::Any
        } else if let Some(p) = s.strip_suffix('*') {
            Pattern::Prefix(p.to_string())
        } else {
            Pattern::Exact(s.to_string())
        }
    }

    fn matches(&self, s: &str) -> bool {
        match self {
            Pattern::Any => true,
            Pattern::Exact(e) => e == s,
            Pattern::Prefix(p) => s.starts_with(p.as_str()),
        }
    }
}

/// A condition operator.
#[derive(Debug, Clone)]
enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Lte,
    Gte,
    In,
    Nin,
    Exists,
    Nexists,
    Contains,
    Ncontains,
    Matches(regex::Regex),
    Nmatches(regex::Regex),
}

/// Deepest operator tree a `security.policy.expr` expression may have.
pub const MAX_EXPR_DEPTH: usize = 64;

/// evalexpr built-ins an expression may not call: `str::regex_replace` (its output can be
/// the product of two request-controlled sizes) and `random` (a decision must not be).
const REFUSED_FUNCTIONS: &[&str] = &["str::regex_replace", "random"];

/// A compiled `security.policy.expr` expression and the variables it reads.
#[derive(Debug, Clone)]
struct Expr {
    tree: evalexpr::Node,
    vars: Vec<String>,
}

impl Expr {
    fn compile(text: &str) -> Result<Expr, String> {
        let tree = evalexpr::build_operator_tree::<evalexpr::DefaultNumericTypes>(text)
            .map_err(|e| format!("invalid expression: {e}"))?;
        // Depth, iteratively (evaluation recurses over the tree).
        let mut stack = vec![(&tree, 1usize)];
        while let Some((n, d)) = stack.pop() {
            if d > MAX_EXPR_DEPTH {
                return Err(format!(
                    "invalid expression: nested deeper than {MAX_EXPR_DEPTH} levels"
                ));
            }
            stack.extend(n.children().iter().map(|c| (c, d + 1)));
        }
        if let Some(f) = tree
            .iter_function_identifiers()
            .find(|f| REFUSED_FUNCTIONS.contains(f))
        {
            return Err(format!("invalid expression: function `{f}` is not allowed"));
        }
        let mut vars: Vec<String> = tree.iter_variable_identifiers().map(String::from).collect();
        vars.sort();
        vars.dedup();
        Ok(Expr { tree, vars })
    }

    fn holds(&self, req: &Request<'_>) -> bool {
        let mut cx = evalexpr::HashMapContext::<evalexpr::DefaultNumericTypes>::new();
        for v in &self.vars {
            let value = field(v, req)
                .map(expr_value)
                .unwrap_or(evalexpr::Value::Empty);
            if evalexpr::ContextWithMutableVariables::set_value(&mut cx, v.clone(), value).is_err()
            {
                return false;
            }
        }
        matches!(
            self.tree.eval_with_context(&cx),
            Ok(evalexpr::Value::Boolean(true))
        )
    }
}

/// A JSON value as an expression value (arrays become tuples; objects are empty).
fn expr_value(j: J) -> evalexpr::Value {
    use evalexpr::Value as V;
    match j {
        J::Null | J::Object(_) => V::Empty,
        J::Bool(b) => V::Boolean(b),
        J::Number(n) => match n.as_i64() {
            Some(i) => V::Int(i),
            None => V::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        J::String(s) => V::String(s),
        J::Array(items) => V::Tuple(items.into_iter().map(expr_value).collect()),
    }
}

/// What a condition compares the field with.
#[derive(Debug, Clone)]
enum Operand {
    None,
    Value(J),
    From(String),
}

#[derive(Debug, Clone)]
struct Cond {
    field: String,
    op: Op,
    operand: Operand,
}

/// A compiled `security.policy`.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The entry ID, named in decisions.
    pub id: String,
    actions: Vec<Pattern>,
    resources: Vec<Pattern>,
    /// `effect: allow` (true) or `deny`.
    pub allow: bool,
    conditions: Vec<Cond>,
    expr: Option<Expr>,
    /// `groups` this policy belongs to (named scopes).
    pub groups: Vec<String>,
}

/// A policy that cannot be compiled.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("policy {policy}: {message}")]
pub struct PolicyError {
    pub policy: String,
    pub message: String,
}

impl Policy {
    /// Compile the policy entry `id`.
    ///
    /// Errors: an unknown operator, a `matches` value that is not a string or not a valid
    /// regular expression, an `in`/`nin` value that is not a list.
    pub fn compile(id: &str, spec: &PolicySpec) -> Result<Policy, PolicyError> {
        let err = |message: String| PolicyError {
            policy: id.to_string(),
            message,
        };
        let mut conditions = Vec::new();
        for c in &spec.conditions {
            conditions.push(cond(c).map_err(err)?);
        }
        let expr = match &spec.expression {
            Some(text) => Some(Expr::compile(text).map_err(err)?),
            None => None,
        };
        Ok(Policy {
            id: id.to_string(),
            actions: spec.actions.iter().map(|a| Pattern::parse(a)).collect(),
            resources: spec.resources.iter().map(|r| Pattern::parse(r)).collect(),
            allow: spec.allow,
            conditions,
            expr,
            groups: spec.groups.clone(),
        })
    }

    /// Whether this policy applies to `req` (action, resource and every condition).
    pub fn matches(&self, req: &Request<'_>) -> bool {
        self.actions.iter().any(|p| p.matches(req.action))
            && self.resources.iter().any(|p| p.matches(req.resource))
            && self.conditions.iter().all(|c| holds(c, req))
            && self.expr.as_ref().is_none_or(|e| e.holds(req))
    }

    /// What this policy alone says about `req` (Wippy's `policy:evaluate`): its effect
    /// when it matches, else [`Effect::Undefined`].
    pub fn evaluate(&self, req: &Request<'_>) -> Effect {
        match (self.matches(req), self.allow) {
            (false, _) => Effect::Undefined,
            (true, true) => Effect::Allow,
            (true, false) => Effect::Deny,
        }
    }
}

impl Policy {
    /// Whether this policy is in `group`, written as in the policy's `groups`
    /// (`workers`) or qualified by the policy's namespace (`app:workers`).
    pub fn in_group(&self, group: &str) -> bool {
        let ns = self.id.split(':').next().unwrap_or("");
        let qualified = group
            .strip_prefix(ns)
            .and_then(|rest| rest.strip_prefix(':'));
        self.groups
            .iter()
            .any(|g| g == group || qualified == Some(g.as_str()))
    }
}

fn cond(c: &Condition) -> Result<Cond, String> {
    let operand = match (&c.value, &c.value_from) {
        (Some(v), _) => Operand::Value(v.clone()),
        (None, Some(f)) => Operand::From(f.clone()),
        (None, None) => Operand::None,
    };
    let op = match c.operator.as_str() {
        "eq" => Op::Eq,
        "ne" => Op::Ne,
        "lt" => Op::Lt,
        "gt" => Op::Gt,
        "lte" => Op::Lte,
        "gte" => Op::Gte,
        "in" | "nin" => {
            if let Operand::Value(v) = &operand
                && !v.is_array()
            {
                return Err(format!(
                    "condition on `{}`: `{}` needs a list value",
                    c.field, c.operator
                ));
            }
            if c.operator == "in" { Op::In } else { Op::Nin }
        }
        "exists" => Op::Exists,
        "nexists" => Op::Nexists,
        "contains" => Op::Contains,
        "ncontains" => Op::Ncontains,
        "matches" | "nmatches" => match &operand {
            Operand::Value(J::String(re)) => {
                let re = regex::Regex::new(re).map_err(|e| {
                    // regex's own text draws a caret over the pattern on several lines; keep
                    // one line, ending with its summary ("error: unclosed group").
                    let why = e.to_string();
                    let why = why
                        .lines()
                        .last()
                        .unwrap_or("")
                        .trim_start_matches("error: ");
                    format!(
                        "condition on `{}`: invalid regular expression {re:?}: {why}",
                        c.field
                    )
                })?;
                if c.operator == "matches" {
                    Op::Matches(re)
                } else {
                    Op::Nmatches(re)
                }
            }
            _ => {
                return Err(format!(
                    "condition on `{}`: `{}` needs a string value (a regular expression)",
                    c.field, c.operator
                ));
            }
        },
        other => return Err(format!("unknown operator `{other}`")),
    };
    Ok(Cond {
        field: c.field.clone(),
        op,
        operand,
    })
}

/// One access request: who does what to what, with optional metadata.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub actor: Option<&'a Actor>,
    pub action: &'a str,
    pub resource: &'a str,
    /// `meta.*` fields of conditions.
    pub meta: Option<&'a Map<String, J>>,
}

fn path<'a>(mut v: &'a J, rest: &str) -> Option<&'a J> {
    for key in rest.split('.').filter(|k| !k.is_empty()) {
        v = v.as_object()?.get(key)?;
    }
    Some(v)
}

/// The value of a condition field for `req`; `None` when absent.
fn field(name: &str, req: &Request<'_>) -> Option<J> {
    let from_map = |m: &Map<String, J>, rest: &str| {
        let mut parts = rest.splitn(2, '.');
        let first = m.get(parts.next()?)?;
        path(first, parts.next().unwrap_or("")).cloned()
    };
    match name {
        "action" => Some(J::String(req.action.to_string())),
        "resource" => Some(J::String(req.resource.to_string())),
        "actor.id" => req.actor.map(|a| J::String(a.id.clone())),
        _ => {
            if let Some(rest) = name.strip_prefix("actor.meta.") {
                req.actor.and_then(|a| from_map(&a.meta, rest))
            } else if let Some(rest) = name.strip_prefix("meta.") {
                req.meta.and_then(|m| from_map(m, rest))
            } else {
                None
            }
        }
    }
}

fn compare(a: &J, b: &J) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (J::Number(x), J::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (J::String(x), J::String(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Equality that treats 1 and 1.0 alike.
fn same(a: &J, b: &J) -> bool {
    match (a, b) {
        (J::Number(_), J::Number(_)) => compare(a, b) == Some(std::cmp::Ordering::Equal),
        _ => a == b,
    }
}

fn holds(c: &Cond, req: &Request<'_>) -> bool {
    use std::cmp::Ordering::*;
    let got = field(&c.field, req).filter(|v| !v.is_null());
    let want = match &c.operand {
        Operand::None => None,
        Operand::Value(v) => Some(v.clone()),
        Operand::From(f) => field(f, req),
    };
    match (&c.op, got, want) {
        (Op::Exists, got, _) => got.is_some(),
        (Op::Nexists, got, _) => got.is_none(),
        // A missing field satisfies only `ne` and `nin` (it is not equal to anything).
        (Op::Ne | Op::Nin | Op::Ncontains | Op::Nmatches(_), None, _) => true,
        (_, None, _) => false,
        (Op::Matches(re), Some(J::String(s)), _) => re.is_match(&s),
        (Op::Matches(_), Some(_), _) => false,
        (Op::Nmatches(re), Some(J::String(s)), _) => !re.is_match(&s),
        (Op::Nmatches(_), Some(_), _) => true,
        (_, Some(_), None) => false,
        (Op::Eq, Some(g), Some(w)) => same(&g, &w),
        (Op::Ne, Some(g), Some(w)) => !same(&g, &w),
        (Op::Lt, Some(g), Some(w)) => compare(&g, &w) == Some(Less),
        (Op::Gt, Some(g), Some(w)) => compare(&g, &w) == Some(Greater),
        (Op::Lte, Some(g), Some(w)) => matches!(compare(&g, &w), Some(Less | Equal)),
        (Op::Gte, Some(g), Some(w)) => matches!(compare(&g, &w), Some(Greater | Equal)),
        (Op::In, Some(g), Some(J::Array(list))) => list.iter().any(|x| same(&g, x)),
        (Op::Nin, Some(g), Some(J::Array(list))) => !list.iter().any(|x| same(&g, x)),
        (Op::In | Op::Nin, Some(_), Some(_)) => false,
        (Op::Contains, Some(J::String(s)), Some(J::String(sub))) => s.contains(sub.as_str()),
        (Op::Contains, Some(J::Array(items)), Some(w)) => items.iter().any(|x| same(x, &w)),
        (Op::Contains, Some(_), Some(_)) => false,
        (Op::Ncontains, Some(J::String(s)), Some(J::String(sub))) => !s.contains(sub.as_str()),
        (Op::Ncontains, Some(J::Array(items)), Some(w)) => !items.iter().any(|x| same(x, &w)),
        (Op::Ncontains, Some(_), Some(_)) => true,
    }
}

/// What a policy or a scope says about one request (Wippy's `evaluate` results).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
    /// No policy matched.
    Undefined,
}

impl Effect {
    /// `"allow"`, `"deny"` or `"undefined"`, as Wippy.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "allow",
            Effect::Deny => "deny",
            Effect::Undefined => "undefined",
        }
    }
}

impl From<&Decision> for Effect {
    fn from(d: &Decision) -> Effect {
        match d {
            Decision::Allow(_) => Effect::Allow,
            Decision::Deny(_) => Effect::Deny,
            Decision::NoMatch => Effect::Undefined,
        }
    }
}

/// The outcome of evaluating a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Granted by this allow policy (and no deny matched).
    Allow(String),
    /// Refused by this deny policy.
    Deny(String),
    /// No policy matched: denied.
    NoMatch,
}

impl Decision {
    /// Whether the request may proceed.
    pub fn allowed(&self) -> bool {
        matches!(self, Decision::Allow(_))
    }
}

/// A set of policies (SPEC §7.1).
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub policies: Vec<Arc<Policy>>,
}

impl Scope {
    /// Every `security.policy` of `registry`, compiled, by entry ID order.
    ///
    /// Errors: every policy that cannot be compiled.
    pub fn policies_of(
        registry: &troupe_registry::Registry,
    ) -> Result<Vec<Arc<Policy>>, Vec<PolicyError>> {
        let mut ids: Vec<&String> = registry.entries.keys().collect();
        ids.sort();
        let (mut out, mut errors) = (Vec::new(), Vec::new());
        for id in ids {
            if let troupe_registry::Kind::SecurityPolicy(spec)
            | troupe_registry::Kind::SecurityPolicyExpr(spec) = &registry.entries[id].kind
            {
                match Policy::compile(id, spec) {
                    Ok(p) => out.push(Arc::new(p)),
                    Err(e) => errors.push(e),
                }
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    /// The named scope `group`: the policies in it (see [`Policy::in_group`]).
    pub fn group(policies: &[Arc<Policy>], group: &str) -> Scope {
        Scope::new(
            policies
                .iter()
                .filter(|p| p.in_group(group))
                .cloned()
                .collect(),
        )
    }

    /// A scope of these policies.
    pub fn new(policies: Vec<Arc<Policy>>) -> Scope {
        Scope { policies }
    }

    /// Evaluate `req`: any matching deny wins, else any matching allow grants, else
    /// [`Decision::NoMatch`] (denied).
    pub fn evaluate(&self, req: &Request<'_>) -> Decision {
        let mut allow = None;
        for p in &self.policies {
            if p.matches(req) {
                if !p.allow {
                    return Decision::Deny(p.id.clone());
                }
                allow.get_or_insert_with(|| p.id.clone());
            }
        }
        allow.map(Decision::Allow).unwrap_or(Decision::NoMatch)
    }
}

/// Check an operation (SPEC §7.1, §7.2): with both an actor and a scope the scope decides;
/// otherwise `strict_mode` does (false allows).
///
/// Errors: `PERMISSION_DENIED` naming the actor, the action and the resource (and the
/// deny policy when one matched).
pub fn check(
    strict_mode: bool,
    actor: Option<&Actor>,
    scope: Option<&Scope>,
    action: &str,
    resource: &str,
    meta: Option<&Map<String, J>>,
) -> Result<(), ProcessError> {
    let denied = |why: String| {
        let who = actor.map(|a| a.id.as_str()).unwrap_or("(no actor)");
        Err(ProcessError::new(
            ErrorKind::PermissionDenied,
            format!("permission denied: {who} may not {action} {resource}{why}"),
        ))
    };
    match (actor, scope) {
        (Some(a), Some(s)) => match s.evaluate(&Request {
            actor: Some(a),
            action,
            resource,
            meta,
        }) {
            Decision::Allow(_) => Ok(()),
            Decision::Deny(p) => denied(format!(" (denied by {p})")),
            Decision::NoMatch => denied(" (no policy allows it)".into()),
        },
        _ if strict_mode => denied(" (strict mode: no actor or scope)".into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr_policy(e: &str) -> Result<Policy, PolicyError> {
        Policy::compile(
            "t:p",
            &PolicySpec {
                actions: vec!["*".into()],
                resources: vec!["*".into()],
                allow: true,
                conditions: vec![],
                groups: vec![],
                expression: Some(e.into()),
            },
        )
    }

    fn req<'a>(actor: &'a Actor, resource: &'a str) -> Request<'a> {
        Request {
            actor: Some(actor),
            action: "read",
            resource,
            meta: None,
        }
    }

    #[test]
    fn expressions_read_dotted_fields() {
        let mut meta = Map::new();
        meta.insert("role".into(), J::String("admin".into()));
        meta.insert("level".into(), J::from(3));
        let a = Actor {
            id: "alice".into(),
            meta,
        };
        let p =
            expr_policy(r#"actor.meta.role == "admin" && actor.meta.level > 2 && resource != "x""#)
                .unwrap();
        assert_eq!(p.evaluate(&req(&a, "doc")), Effect::Allow);
        assert_eq!(p.evaluate(&req(&a, "x")), Effect::Undefined);
        // A missing variable is empty: comparisons are false, not errors that match.
        let p = expr_policy(r#"actor.meta.missing == "y""#).unwrap();
        assert_eq!(p.evaluate(&req(&a, "doc")), Effect::Undefined);
        // Not a boolean: no match.
        let p = expr_policy("1 + 2").unwrap();
        assert_eq!(p.evaluate(&req(&a, "doc")), Effect::Undefined);
    }

    #[test]
    fn expressions_are_bounded_and_checked() {
        assert!(expr_policy("(((").is_err());
        let deep = format!("{}true{}", "(".repeat(200), ")".repeat(200));
        let e = expr_policy(&deep).unwrap_err();
        assert!(e.message.contains("nested deeper"), "{}", e.message);
        let e = expr_policy(r#"str::regex_replace(actor.id, "", actor.id) == "x""#).unwrap_err();
        assert!(e.message.contains("str::regex_replace"), "{}", e.message);
        assert!(expr_policy("random() > 0.5").is_err());
        assert!(expr_policy(r#"str::regex_matches(actor.id, "^a")"#).is_ok());
        // Assignments have no mutable context to write to.
        let a = Actor::default();
        let p = expr_policy("x = 1; true").unwrap();
        assert_eq!(p.evaluate(&req(&a, "doc")), Effect::Undefined);
    }
}
