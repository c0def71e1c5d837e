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
//! `eq ne lt gt lte gte in nin exists nexists contains matches`; `value_from` names another
//! field whose value is compared instead of a literal.

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
    Matches(regex::Regex),
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
        Ok(Policy {
            id: id.to_string(),
            actions: spec.actions.iter().map(|a| Pattern::parse(a)).collect(),
            resources: spec.resources.iter().map(|r| Pattern::parse(r)).collect(),
            allow: spec.allow,
            conditions,
            groups: spec.groups.clone(),
        })
    }

    /// Whether this policy applies to `req` (action, resource and every condition).
    pub fn matches(&self, req: &Request<'_>) -> bool {
        self.actions.iter().any(|p| p.matches(req.action))
            && self.resources.iter().any(|p| p.matches(req.resource))
            && self.conditions.iter().all(|c| holds(c, req))
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
        "matches" => match &operand {
            Operand::Value(J::String(re)) => Op::Matches(regex::Regex::new(re).map_err(|e| {
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
            })?),
            _ => {
                return Err(format!(
                    "condition on `{}`: `matches` needs a string value (a regular expression)",
                    c.field
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
        (Op::Ne, None, _) | (Op::Nin, None, _) => true,
        (_, None, _) => false,
        (Op::Matches(re), Some(J::String(s)), _) => re.is_match(&s),
        (Op::Matches(_), Some(_), _) => false,
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
            if let troupe_registry::Kind::SecurityPolicy(spec) = &registry.entries[id].kind {
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
