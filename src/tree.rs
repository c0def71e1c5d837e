//! `troupe tree` (SPEC §8): the declared supervision tree and the top-level services, as
//! text. Supervisors show strategy and restart intensity, children their restart type,
//! process and stop setting, top-level units whether they auto-start and what they require.

use std::fmt::Write;

use troupe_kernel::service::top_level_owners;
use troupe_registry::{Entry, Kind, Lifecycle, Registry, RestartType};

/// Render the tree of `registry`: one line per unit, children indented under their
/// supervisor in start order with box-drawing guides.
pub fn render(registry: &Registry) -> String {
    let owned = top_level_owners(registry);
    let mut out = String::new();
    let mut roots: Vec<&Entry> = registry
        .entries
        .values()
        .filter(|e| {
            matches!(e.kind, Kind::ProcessService(_) | Kind::ProcessSupervisor(_))
                && !owned.contains_key(&e.id)
        })
        .collect();
    roots.sort_by(|a, b| a.id.cmp(&b.id));
    let _ = writeln!(
        out,
        "node {}: {} top-level unit{}",
        registry.node.name,
        roots.len(),
        if roots.len() == 1 { "" } else { "s" }
    );
    for e in roots {
        let mut line = describe(registry, e, true);
        if let Some(lc) = lifecycle(e) {
            line.push_str(if lc.auto_start {
                ", auto_start"
            } else {
                ", not auto-started"
            });
            if let Some(n) = &lc.node {
                // `lifecycle.node` (SPEC §10): only that node starts it.
                let _ = write!(line, " on node {n}");
            }
            if !lc.requires.is_empty() {
                let _ = write!(line, ", requires {}", lc.requires.join(" "));
            }
            if lc.optional {
                line.push_str(", optional");
            }
        }
        let _ = writeln!(out, "{line}");
        children(registry, e, "", &mut out);
    }
    out
}

fn lifecycle(e: &Entry) -> Option<&Lifecycle> {
    match &e.kind {
        Kind::ProcessService(s) => Some(&s.lifecycle),
        Kind::ProcessSupervisor(s) => Some(&s.lifecycle),
        _ => None,
    }
}

fn children(registry: &Registry, e: &Entry, indent: &str, out: &mut String) {
    let Kind::ProcessSupervisor(s) = &e.kind else {
        return;
    };
    for (i, id) in s.children.iter().enumerate() {
        let last = i + 1 == s.children.len();
        let (branch, next) = if last {
            ("└─ ", "   ")
        } else {
            ("├─ ", "│  ")
        };
        match registry.entries.get(id) {
            Some(child) => {
                let _ = writeln!(out, "{indent}{branch}{}", describe(registry, child, false));
                children(registry, child, &format!("{indent}{next}"), out);
            }
            None => {
                let _ = writeln!(out, "{indent}{branch}{id}  (missing)");
            }
        }
    }
}

fn describe(registry: &Registry, e: &Entry, top: bool) -> String {
    let restart = |lc: &Lifecycle| match lc.restart.restart_type.unwrap_or(RestartType::Permanent) {
        RestartType::Permanent => "permanent",
        RestartType::Transient => "transient",
        RestartType::Temporary => "temporary",
    };
    match &e.kind {
        Kind::ProcessSupervisor(s) => {
            let strategy = s.strategy.as_str();
            let mut line = format!(
                "{}  supervisor {strategy}, intensity {} in {}",
                e.id,
                s.intensity,
                humantime::format_duration(s.period)
            );
            if !top {
                let _ = write!(
                    line,
                    ", {}, stop {}",
                    restart(&s.lifecycle),
                    s.lifecycle.shutdown(true)
                );
            }
            line
        }
        Kind::ProcessService(s) => {
            let host = s
                .host
                .clone()
                .or_else(|| registry.node.default_host.clone())
                .unwrap_or_else(|| "default host".into());
            // `host: NODE@HOST_ID` (SPEC §10): the child runs on that node.
            let host = match &s.node {
                Some(n) => format!("{n}@{host}"),
                None => host,
            };
            let kind = if top {
                let r = &s.lifecycle.restart;
                format!(
                    "service, backoff {}..{} x{}",
                    humantime::format_duration(r.initial_delay),
                    humantime::format_duration(r.max_delay),
                    r.backoff_factor
                )
            } else {
                format!("service {}", restart(&s.lifecycle))
            };
            format!(
                "{}  {kind}, process {} on {host}, stop {}",
                e.id,
                s.process,
                s.lifecycle.shutdown(false)
            )
        }
        Kind::Unimplemented(kind) => format!("{}  {kind} (not implemented by Troupe)", e.id),
        _ => e.id.clone(),
    }
}
