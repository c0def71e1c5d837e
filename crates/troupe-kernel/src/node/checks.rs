//! Security checks of a [`Node`] (SPEC §7.2): the one [`Node::check`] every operation
//! passes, `security.can`, and the actor and scope of a `lifecycle.security` block.

use std::sync::Arc;

use super::Node;
use crate::KernelError;
use crate::process::ProcessRef;
use crate::security::{Actor, Policy, Scope};

impl Node {
    /// Every compiled `security.policy`, by entry ID order.
    pub fn policies(&self) -> &[Arc<Policy>] {
        &self.0.policies
    }

    /// `security.strict_mode` of `troupe.yaml`.
    pub fn strict_mode(&self) -> bool {
        self.0.strict_mode
    }

    /// Whether `caller` may do `action` on `resource` (Lua's `security.can`): the same
    /// rule as [`Node::check`], with `meta` for conditions on `meta.*`.
    pub fn can(
        &self,
        caller: &ProcessRef,
        action: &str,
        resource: &str,
        meta: Option<&serde_json::Map<String, serde_json::Value>>,
    ) -> bool {
        crate::security::check(
            self.0.strict_mode,
            caller.actor.as_deref(),
            caller.scope.as_deref(),
            action,
            resource,
            meta,
        )
        .is_ok()
    }

    /// The security check of SPEC §7.2 for an operation `caller` makes: `resource` is
    /// built only when a check is needed (strict mode, or a caller with an actor and a
    /// scope). The node itself (`None`) and supervisors (infrastructure acting for the
    /// tree) are not checked.
    ///
    /// Errors: [`KernelError::Denied`] naming the actor, action and resource.
    pub fn check(
        &self,
        caller: Option<&ProcessRef>,
        action: &str,
        resource: impl FnOnce() -> String,
    ) -> Result<(), KernelError> {
        let Some(c) = caller else { return Ok(()) };
        let scoped = c.actor.is_some() && c.scope.is_some();
        if !self.0.strict_mode && !scoped {
            return Ok(());
        }
        if self
            .entry(&c.entry)
            .is_some_and(|e| e.kind_name() == "process.supervisor")
        {
            return Ok(());
        }
        let resource = resource();
        self.check_as(
            c.pid.as_str(),
            c.actor.as_deref(),
            c.scope.as_deref(),
            action,
            &resource,
        )
    }

    /// [`Node::check`] for a caller known by its identity only (`who`, its printed PID,
    /// for the log): a process of another node asking for a spawn here (SPEC §10).
    ///
    /// Errors: [`KernelError::Denied`] naming the actor, action and resource.
    pub(super) fn check_as(
        &self,
        who: &str,
        actor: Option<&Actor>,
        scope: Option<&Scope>,
        action: &str,
        resource: &str,
    ) -> Result<(), KernelError> {
        crate::security::check(self.0.strict_mode, actor, scope, action, resource, None).map_err(
            |e| {
                tracing::warn!(
                    pid = %who,
                    actor = actor.map(|a| a.id.as_str()).unwrap_or(""),
                    action,
                    resource = %resource,
                    "permission denied"
                );
                KernelError::Denied(e.message)
            },
        )
    }

    /// The actor and scope of a `lifecycle.security` block (SPEC §7.3): the scope holds
    /// the listed `policies` and every policy in one of the listed `groups` (a group is
    /// matched as written in the policy, or qualified by the policy's namespace, e.g.
    /// `app:workers`).
    pub fn security_context(
        &self,
        spec: Option<&troupe_registry::SecuritySpec>,
    ) -> (Option<Arc<Actor>>, Option<Arc<Scope>>) {
        let Some(spec) = spec else {
            return (None, None);
        };
        let actor = spec.actor_id.as_ref().map(|id| {
            Arc::new(Actor {
                id: id.clone(),
                meta: spec.actor_meta.clone(),
            })
        });
        let policies: Vec<Arc<Policy>> = self
            .0
            .policies
            .iter()
            .filter(|p| spec.policies.contains(&p.id) || spec.groups.iter().any(|g| p.in_group(g)))
            .cloned()
            .collect();
        let scope =
            (!policies.is_empty() || actor.is_some()).then(|| Arc::new(Scope::new(policies)));
        (actor, scope)
    }
}
