//! The policy evaluation table of SPEC §7.1: policies loaded from a real registry
//! (`tests/apps/security_policies`), compiled, and evaluated against requests: deny wins,
//! no match denies, prefix patterns, every operator, `value_from`, strict mode.

mod common;

use std::sync::Arc;

use serde_json::{Map, Value as J, json};
use troupe::kernel::ErrorKind;
use troupe::kernel::security::{Actor, Decision, Policy, Request, Scope, check};

fn policies() -> Vec<Arc<Policy>> {
    let registry = troupe::load(&common::app_dir("security_policies")).expect("the policies load");
    Scope::policies_of(&registry).expect("the policies compile")
}

fn actor(id: &str, meta: J) -> Actor {
    Actor {
        id: id.to_string(),
        meta: meta.as_object().cloned().unwrap_or_default(),
    }
}

fn decide(scope: &Scope, a: &Actor, action: &str, resource: &str) -> Decision {
    scope.evaluate(&Request {
        actor: Some(a),
        action,
        resource,
        meta: None,
    })
}

fn allow(id: &str) -> Decision {
    Decision::Allow(format!("sec:{id}"))
}

#[test]
fn deny_wins_over_allow_and_no_match_denies() {
    let editors = Scope::group(&policies(), "editors");
    let a = actor("ann", json!({}));
    assert_eq!(
        decide(&editors, &a, "read", "document:plan"),
        allow("allow_docs")
    );
    assert_eq!(
        decide(&editors, &a, "write", "document:plan"),
        allow("allow_docs")
    );
    assert_eq!(
        decide(&editors, &a, "read", "document:secret-plan"),
        Decision::Deny("sec:deny_secret".into())
    );
    assert_eq!(
        decide(&editors, &a, "delete", "document:plan"),
        Decision::NoMatch
    );
    assert_eq!(decide(&editors, &a, "read", "image:cat"), Decision::NoMatch);
    assert!(!Decision::NoMatch.allowed());
}

#[test]
fn prefix_and_wildcard_patterns() {
    let workers = Scope::group(&policies(), "workers");
    let a = actor("w", json!({}));
    assert!(decide(&workers, &a, "process.spawn", "app:worker").allowed());
    assert!(decide(&workers, &a, "process.send", "{n@h|0x00001}").allowed());
    assert_eq!(
        decide(&workers, &a, "processes", "x"),
        Decision::NoMatch,
        "a prefix needs its dot"
    );
    assert_eq!(
        decide(&workers, &a, "funcs.call", "app:f"),
        Decision::NoMatch
    );
}

#[test]
fn every_condition_operator_and_value_from() {
    let s = Scope::group(&policies(), "conditions");
    // eq
    assert!(
        decide(
            &s,
            &actor("e", json!({"role": "editor"})),
            "publish",
            "post:1"
        )
        .allowed()
    );
    assert!(
        !decide(
            &s,
            &actor("e", json!({"role": "viewer"})),
            "publish",
            "post:1"
        )
        .allowed()
    );
    assert!(!decide(&s, &actor("e", json!({})), "publish", "post:1").allowed());
    // value_from: the resource must be the actor's own ID
    assert!(decide(&s, &actor("bob", json!({})), "delete", "bob").allowed());
    assert!(!decide(&s, &actor("bob", json!({})), "delete", "alice").allowed());
    // lt gt lte gte ne (all must hold), numbers compare across int/float
    assert!(decide(&s, &actor("l", json!({"level": 2})), "gte", "x").allowed());
    assert!(decide(&s, &actor("l", json!({"level": 9.0})), "gte", "x").allowed());
    assert!(!decide(&s, &actor("l", json!({"level": 1})), "gte", "x").allowed());
    assert!(!decide(&s, &actor("l", json!({"level": 10})), "gte", "x").allowed());
    assert!(
        !decide(
            &s,
            &actor("l", json!({"level": 5, "team": "blocked"})),
            "gte",
            "x"
        )
        .allowed()
    );
    assert!(
        !decide(&s, &actor("l", json!({"level": "5"})), "gte", "x").allowed(),
        "no string/number order"
    );
    // in / nin
    assert!(decide(&s, &actor("ann", json!({"region": "eu"})), "in", "x").allowed());
    assert!(!decide(&s, &actor("ann", json!({"region": "apac"})), "in", "x").allowed());
    assert!(!decide(&s, &actor("mallory", json!({"region": "eu"})), "in", "x").allowed());
    // exists / nexists
    assert!(decide(&s, &actor("b", json!({"badge": 7})), "exists", "x").allowed());
    assert!(!decide(&s, &actor("b", json!({})), "exists", "x").allowed());
    assert!(
        !decide(
            &s,
            &actor("b", json!({"badge": 7, "banned": true})),
            "exists",
            "x"
        )
        .allowed()
    );
    assert!(
        !decide(&s, &actor("b", json!({"badge": null})), "exists", "x").allowed(),
        "null is absent"
    );
    // contains (list and string), matches, and a meta.* field of the request
    let ops = actor(
        "o",
        json!({"tags": ["dev", "ops"], "email": "ops@example.org"}),
    );
    let meta: Map<String, J> = json!({"origin": {"kind": "internal"}})
        .as_object()
        .cloned()
        .unwrap_or_default();
    let req = |a, meta| Request {
        actor: Some(a),
        action: "text",
        resource: "x",
        meta,
    };
    assert!(s.evaluate(&req(&ops, Some(&meta))).allowed());
    assert!(
        !s.evaluate(&req(&ops, None)).allowed(),
        "meta.origin.kind missing"
    );
    let not_ops = actor("o", json!({"tags": ["dev"], "email": "ops@example.org"}));
    assert!(!s.evaluate(&req(&not_ops, Some(&meta))).allowed());
    let bad_mail = actor(
        "o",
        json!({"tags": ["ops"], "email": "Ops@example.org.evil@example.org"}),
    );
    assert!(!s.evaluate(&req(&bad_mail, Some(&meta))).allowed());
}

#[test]
fn strict_mode_decides_without_actor_or_scope() {
    let scope = Scope::group(&policies(), "editors");
    let a = actor("ann", json!({}));
    // No actor or no scope: strict mode off allows, on denies.
    assert_eq!(check(false, None, None, "process.send", "x", None), Ok(()));
    assert_eq!(
        check(false, Some(&a), None, "process.send", "x", None),
        Ok(())
    );
    let e = check(
        true,
        None,
        Some(&scope),
        "process.send",
        "{n@h|0x00002}",
        None,
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::PermissionDenied);
    assert_eq!(
        e.message,
        "permission denied: (no actor) may not process.send {n@h|0x00002} (strict mode: no actor or scope)"
    );
    // With both, the scope decides whatever strict mode says.
    assert_eq!(
        check(true, Some(&a), Some(&scope), "read", "document:x", None),
        Ok(())
    );
    let e = check(
        false,
        Some(&a),
        Some(&scope),
        "read",
        "document:secret",
        None,
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "permission denied: ann may not read document:secret (denied by sec:deny_secret)"
    );
    let e = check(false, Some(&a), Some(&scope), "delete", "document:x", None).unwrap_err();
    assert_eq!(
        e.message,
        "permission denied: ann may not delete document:x (no policy allows it)"
    );
}

#[test]
fn a_bad_regular_expression_is_a_compile_error_naming_the_policy() {
    let spec = troupe::registry::PolicySpec {
        actions: vec!["*".into()],
        resources: vec!["*".into()],
        allow: true,
        conditions: vec![troupe::registry::Condition {
            field: "actor.id".into(),
            operator: "matches".into(),
            value: Some(json!("([unclosed")),
            value_from: None,
        }],
        groups: vec![],
        expression: None,
    };
    let e = Policy::compile("sec:bad", &spec).unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"policy sec:bad: condition on `actor.id`: invalid regular expression "([unclosed": unclosed character class"#
    );
}

#[test]
fn a_bad_policy_fails_troupe_check_at_its_location_and_refuses_the_boot() {
    let dir = common::app_dir("security_bad_regex").display().to_string();
    let problem = format!(
        r#"{dir}/_index.yaml:3:5: sec:bad: condition on `actor.id`: invalid regular expression "([unclosed": unclosed character class"#
    );
    let check = common::cli::troupe(&["check", &dir]);
    assert_eq!(check.code, 1);
    assert_eq!(check.stderr, format!("{problem}\n1 problem found\n"));
    let run = common::cli::troupe(&["run", &dir, "-x", "sec:main"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty(), "the entry must not run");
    assert_eq!(
        run.stderr,
        format!("{problem}\ntroupe: refusing to boot: 1 problem found\n")
    );
}

// ---- SPEC §7.2 checks and §7.3 propagation, end to end -----------------------------------

/// `troupe run tests/apps/security_checks -x app:main` (the services start with the node)
/// and the collector's JSON result.
fn checks() -> J {
    let dir = common::app_dir("security_checks").display().to_string();
    let run = common::cli::troupe(&["run", &dir, "-x", "app:main"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The denials are logged with actor, action and resource.
    assert!(
        run.log
            .iter()
            .any(|r| r["fields"]["message"] == "permission denied"
                && r["fields"]["actor"] == "svc-b"
                && r["fields"]["action"] == "funcs.call"
                && r["fields"]["resource"] == "app:fn"),
        "{}",
        run.stderr
    );
    serde_json::from_str(run.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[test]
fn each_checked_operation_is_denied_or_allowed_by_the_services_policies() {
    let r = checks();
    let denied = |what: &str, res: &str, why: &str| {
        format!("permission denied: svc-b may not {what} {res} ({why}) [PermissionDenied]")
    };
    let none = "no policy allows it";
    // svc-a: `*` on `*` — everything is granted, and its effects happen.
    assert_eq!(
        r["report_svc-a"],
        json!({
            "spawn_child": "ok", "spawn_forbidden": "ok", "call": "ok", "register": "ok",
            "link": "ok", "monitor": "ok", "cancel": "ok", "terminate": "ok",
            "name_taken": true, "victim_alive": false, "grand": "ok",
        })
    );
    // svc-b: send, spawn of three entries and any host; a deny on app:forbidden.
    assert_eq!(
        r["report_svc-b"],
        json!({
            "spawn_child": "ok",
            "spawn_forbidden": denied("process.spawn", "app:forbidden", "denied by app:b_no_forbidden"),
            "call": denied("funcs.call", "app:fn", none),
            "register": denied("process.registry.register", "probe-b", none),
            "link": denied("process.link", "<pid>", none),
            "monitor": denied("process.monitor", "<pid>", none),
            "cancel": denied("process.cancel", "<pid>", none),
            "terminate": denied("process.terminate", "<pid>", none),
            "name_taken": false, "victim_alive": true, "grand": "ok",
        })
    );
}

#[test]
fn grandchildren_inherit_actor_and_scope_and_messages_carry_the_actor() {
    let r = checks();
    // The collector keyed each report by `msg:actor().id`: the grandchildren's messages
    // carry their grandparent service's actor, and svc-b's scope still forbids them.
    assert_eq!(r["grand_svc-a"], json!({"forbidden": "ok"}));
    assert_eq!(
        r["grand_svc-b"],
        json!({"forbidden": "permission denied: svc-b may not process.spawn app:forbidden (denied by app:b_no_forbidden)"})
    );
}

#[test]
fn strict_mode_denies_a_process_without_actor_or_scope() {
    assert_eq!(
        common::run_ok("security_strict", "app:main"),
        json!({
            "spawned": false,
            "spawn_err": "permission denied: (no actor) may not process.spawn app:other (strict mode: no actor or scope)",
            // as Wippy: a refused send is `nil, err` (PermissionDenied)
            "send_is_nil": true,
            "send_kind": "PermissionDenied",
            "send_err": "permission denied: (no actor) may not process.send {troupe@troupe:default|0x00001} (strict mode: no actor or scope)",
        })
    );
}

#[test]
fn the_lua_security_module_sees_actor_scope_and_decides_like_the_kernel() {
    let r = checks();
    let b = [
        "app:b_host",
        "app:b_no_forbidden",
        "app:b_send",
        "app:b_spawn",
    ];
    assert_eq!(
        r["introspect_svc-c"],
        json!({
            "actor_id": "svc-c", "actor_role": "auditor",
            "scope": ["app:b_host", "app:b_no_forbidden", "app:b_send", "app:b_spawn", "app:c_internal_calls", "app:c_security"],
            "can_send": true,
            "can_spawn_forbidden": false,
            "can_call": false,
            "can_call_internal": true,
            "policy_id": "app:b_send", "policy_effect": "allow", "policy_groups": ["probers"],
            "missing": "policy not found: app:nope [Internal]",
            "named": b, "qualified": b,
            "made": ["app:b_send"],
            "with": ["app:b_send", "app:b_host"],
            "without": ["app:b_host", "app:b_no_forbidden", "app:b_spawn", "app:c_internal_calls", "app:c_security"],
            "contains": true,
            "bad_group": "policy group not found: nope",
            "new_actor": {"id": "x", "meta": {"k": 1}},
        })
    );
}

// ---- examples/secure-services --------------------------------------------------------

#[test]
fn the_secure_services_example_allows_alice_denies_bob_and_logs_the_denials() {
    let dir = format!("{}/examples/secure-services", env!("CARGO_MANIFEST_DIR"));
    let run = common::cli::troupe(&["run", &dir, "-x", "app:report"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<Vec<String>> = run
        .stdout
        .lines()
        .map(|l| {
            let mut parts = l.splitn(3, ' ').filter(|p| !p.is_empty());
            let client = parts.next().unwrap_or("").to_string();
            let rest = l[client.len()..].trim_start();
            let (op, outcome) = rest.split_once(' ').unwrap_or((rest, ""));
            vec![client, op.to_string(), outcome.trim_start().to_string()]
        })
        .collect();
    let row = |c: &str, o: &str, r: &str| vec![c.to_string(), o.to_string(), r.to_string()];
    assert_eq!(
        lines,
        vec![
            row("admin", "report_job", "ok: report by alice"),
            row("admin", "purge", "ok: purged by alice"),
            row("admin", "rotate_keys", "ok: keys rotated by alice"),
            row("admin", "root_password", "ok: correct horse battery staple"),
            row("intern", "report_job", "ok: report by bob"),
            row(
                "intern",
                "purge",
                "denied: permission denied: bob may not process.spawn app:purge (denied by app:no_purge)"
            ),
            row(
                "intern",
                "rotate_keys",
                "denied: permission denied: bob may not funcs.call app:rotate_keys (no policy allows it)"
            ),
            row("intern", "root_password", "refused: the vault refuses bob"),
        ]
    );
    // The kernel's denials are logged with actor, action and resource; the purge job
    // never ran as bob.
    let denials: Vec<(String, String, String)> = run
        .log
        .iter()
        .filter(|r| r["fields"]["message"] == "permission denied")
        .map(|r| {
            let f = &r["fields"];
            let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
            (s("actor"), s("action"), s("resource"))
        })
        .collect();
    assert_eq!(
        denials,
        vec![
            ("bob".into(), "process.spawn".into(), "app:purge".into()),
            ("bob".into(), "funcs.call".into(), "app:rotate_keys".into()),
        ]
    );
    let purges = run
        .log
        .iter()
        .filter(|r| r["fields"]["message"] == "purging")
        .count();
    assert_eq!(purges, 1, "the purge job ran for alice only: {:?}", run.log);
}

// ---- security.policy.expr (WIPPY-API.md §9) -------------------------------------------

/// An expression that does not parse, or nests too deep, is a `troupe check` problem at
/// the policy's location, like a bad `matches` pattern.
#[test]
fn a_bad_expression_fails_troupe_check_at_its_location() {
    let dir = std::env::temp_dir().join(format!("troupe-bad-expr-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let deep = format!("{}true{}", "(".repeat(100), ")".repeat(100));
    std::fs::write(
        dir.join("_index.yaml"),
        format!(
            "namespace: sec\nentries:\n  - name: bad\n    kind: security.policy.expr\n    policy: {{actions: '*', resources: '*', effect: allow, expression: '(actor.id == 1'}}\n  - name: deep\n    kind: security.policy.expr\n    policy: {{actions: '*', resources: '*', effect: allow, expression: '{deep}'}}\n  - name: good\n    kind: security.policy.expr\n    policy: {{actions: '*', resources: '*', effect: allow, expression: 'actor.id == \"a\"'}}\n"
        ),
    )
    .unwrap();
    let d = dir.display().to_string();
    let check = common::cli::troupe(&["check", &d]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(check.code, 1, "{}", check.stderr);
    let lines: Vec<&str> = check.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", check.stderr);
    assert!(
        lines[0].starts_with(&format!("{d}/_index.yaml:3:5: sec:bad: invalid expression")),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[1],
        format!("{d}/_index.yaml:6:5: sec:deep: invalid expression: nested deeper than 64 levels")
    );
    assert_eq!(lines[2], "2 problems found");
}

/// `ncontains` / `nmatches` and an expression policy, evaluated like the others.
#[test]
fn negative_operators_and_expressions_decide() {
    use troupe::kernel::security::Effect;
    use troupe::registry::{Condition, PolicySpec};
    let spec = |conditions: Vec<Condition>, expression: Option<&str>| PolicySpec {
        actions: vec!["*".into()],
        resources: vec!["*".into()],
        allow: true,
        conditions,
        groups: vec![],
        expression: expression.map(String::from),
    };
    let cond = |op: &str, value: J| Condition {
        field: "actor.meta.tags".into(),
        operator: op.into(),
        value: Some(value),
        value_from: None,
    };
    let eval = |p: &Policy, a: &Actor| {
        p.evaluate(&Request {
            actor: Some(a),
            action: "x",
            resource: "y",
            meta: None,
        })
    };
    let nc = Policy::compile("sec:nc", &spec(vec![cond("ncontains", json!("b"))], None)).unwrap();
    assert_eq!(
        eval(&nc, &actor("a", json!({"tags": ["a"]}))),
        Effect::Allow
    );
    assert_eq!(
        eval(&nc, &actor("a", json!({"tags": ["a", "b"]}))),
        Effect::Undefined
    );
    assert_eq!(eval(&nc, &actor("a", json!({}))), Effect::Allow);
    let nm = Policy::compile("sec:nm", &spec(vec![cond("nmatches", json!("^ad"))], None)).unwrap();
    assert_eq!(
        eval(&nm, &actor("a", json!({"tags": "user"}))),
        Effect::Allow
    );
    assert_eq!(
        eval(&nm, &actor("a", json!({"tags": "admin"}))),
        Effect::Undefined
    );
    let ex = Policy::compile("sec:ex", &spec(vec![], Some("actor.meta.tags == \"t\""))).unwrap();
    assert_eq!(eval(&ex, &actor("a", json!({"tags": "t"}))), Effect::Allow);
    assert_eq!(
        eval(&ex, &actor("a", json!({"tags": "u"}))),
        Effect::Undefined
    );
}
