//! Per-kind field parsers (SPEC §2.3): one module per group of kinds, and [`parse_kind`]
//! which picks the parser, the field list and the list of fields Wippy accepts but Troupe
//! does not use (a warning, WIPPY-API.md §12) for a kind name.

pub(crate) mod env;
pub(crate) mod lua;
pub(crate) mod policy;
pub(crate) mod pool;
pub(crate) mod service;
pub(crate) mod token_store;
pub(crate) mod wasm;

use crate::Kind;
use crate::context::{Cx, Fields};
use crate::yaml::Node;
use wasm::WasmKind;

/// The fields an entry of `kind` may have (`None`: any, for `registry.entry`).
pub(crate) fn fields(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "process.host" => service::HOST_FIELDS,
        "process.lua" => lua::PROCESS_FIELDS,
        "function.lua" => lua::FUNCTION_FIELDS,
        "library.lua" => lua::LIBRARY_FIELDS,
        "function.wat" => wasm::WAT_FIELDS,
        "function.wasm" => wasm::FUNCTION_FIELDS,
        "process.wasm" => wasm::PROCESS_FIELDS,
        "fs.directory" => wasm::FS_FIELDS,
        "process.service" => service::SERVICE_FIELDS,
        "process.supervisor" => service::SUPERVISOR_FIELDS,
        "security.policy" | "security.policy.expr" => policy::FIELDS,
        "security.token_store" => token_store::FIELDS,
        "env.variable" => env::VARIABLE_FIELDS,
        "env.storage.os" | "env.storage.memory" => env::PLAIN_STORAGE_FIELDS,
        "env.storage.file" => env::FILE_STORAGE_FIELDS,
        "env.storage.static" => env::STATIC_STORAGE_FIELDS,
        "env.storage.router" => env::ROUTER_STORAGE_FIELDS,
        _ => return None,
    })
}

/// The fields Wippy accepts on an entry of `kind` that Troupe does not use (each a
/// warning); kept next to each kind's field list.
pub(crate) fn unused(kind: &str) -> &'static [&'static str] {
    match kind {
        "process.host" => service::HOST_UNUSED,
        "process.wasm" => wasm::PROCESS_UNUSED,
        "fs.directory" => wasm::FS_UNUSED,
        _ => &[],
    }
}

/// Parse the fields of an entry of the known kind `kind`. Reports every problem; returns
/// `None` when a required part is missing or invalid.
pub(crate) fn parse_kind(cx: &mut Cx, kind: &str, node: &Node) -> Option<Kind> {
    let Some(allowed) = fields(kind) else {
        return Some(Kind::RegistryEntry);
    };
    let f = Fields::open_with(
        cx,
        node,
        "",
        &format!("for kind {kind}"),
        allowed,
        unused(kind),
    )?;
    Some(match kind {
        "process.host" => Kind::ProcessHost(service::parse_host(cx, &f)?),
        "process.lua" => Kind::ProcessLua(lua::parse(cx, &f, "process.lua")?),
        "function.lua" => Kind::FunctionLua(lua::parse(cx, &f, "function.lua")?),
        "library.lua" => Kind::LibraryLua(lua::parse(cx, &f, "library.lua")?),
        "function.wat" => Kind::FunctionWat(wasm::parse(cx, &f, WasmKind::FunctionWat)?),
        "function.wasm" => Kind::FunctionWasm(wasm::parse(cx, &f, WasmKind::FunctionWasm)?),
        "process.wasm" => Kind::ProcessWasm(wasm::parse(cx, &f, WasmKind::ProcessWasm)?),
        "fs.directory" => Kind::FsDirectory(wasm::parse_fs(cx, &f)?),
        "process.service" => Kind::ProcessService(service::parse_service(cx, &f)?),
        "process.supervisor" => Kind::ProcessSupervisor(service::parse_supervisor(cx, &f)?),
        "security.policy" => Kind::SecurityPolicy(policy::parse(cx, &f, false)?),
        "security.policy.expr" => Kind::SecurityPolicyExpr(policy::parse(cx, &f, true)?),
        "security.token_store" => Kind::SecurityTokenStore(token_store::parse(cx, &f)?),
        "env.variable" => Kind::EnvVariable(env::parse_variable(cx, &f)?),
        k if k.starts_with("env.storage.") => Kind::EnvStorage(env::parse_storage(cx, &f, k)?),
        _ => Kind::RegistryEntry,
    })
}
