//! The typed registry model: one [`Entry`] per YAML entry, with its kind's fields parsed
//! into a [`Kind`] value. Everything here is plain data produced by the loader
//! ([`crate::load`]); the runtime never sees raw YAML.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// A full entry ID, `namespace:name` (SPEC §2.1).
pub type EntryId = String;

/// Where something was written: file, 1-based line and 1-based column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// Node settings from the optional `troupe.yaml` at the application root (SPEC §2.1).
#[derive(Debug, Clone, PartialEq)]
pub struct NodeConfig {
    /// Node name used in PIDs (`{node@host|0x…}`); default `"troupe"`.
    pub name: String,
    /// `security.strict_mode`: without actor and scope, deny (true) or allow (false, default).
    pub strict_mode: bool,
    /// Default log level (`info` when absent); `--log-level`/`RUST_LOG` override it.
    pub log_level: Option<String>,
    /// Host used by services that name none; when absent the runtime creates its own.
    pub default_host: Option<EntryId>,
    /// `env`: Troupe's older allowlist, now for `env.storage.os` only — exact names, or
    /// prefixes ending in `*` (`APP_*`). When non-empty, an OS variable it does not list
    /// is PermissionDenied; empty (the default, and every Wippy app) allows all (Lua's
    /// `env` reads only variables declared as `env.variable` entries either way).
    pub env: Vec<String>,
    /// `limits`: node-wide defaults for the per-process limits of SPEC §3.6.
    pub limits: NodeLimits,
    /// `cluster`: this node joins a cluster (SPEC §10); `None` for a lone node.
    pub cluster: Option<ClusterConfig>,
}

/// `cluster:` in `troupe.yaml` (SPEC §10). The command line's `--node`, `--listen` and
/// `--join` fill or override it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterConfig {
    /// `listen`: the `host:port` this node accepts other nodes on (port 0 picks one).
    pub listen: String,
    /// `peers`: `host:port` addresses to connect to at boot (connections are transitive).
    pub peers: Vec<String>,
    /// `cookie_file`: a file whose first line is the cookie (resolved against the
    /// application directory); the environment variable `TROUPE_COOKIE` wins over it.
    pub cookie_file: Option<PathBuf>,
    /// `timeout`: how long a silent peer counts as connected (failure detection);
    /// default 5 s.
    pub timeout: Duration,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            listen: "127.0.0.1:0".into(),
            peers: Vec::new(),
            cookie_file: None,
            timeout: Duration::from_secs(5),
        }
    }
}

impl Default for NodeConfig {
    fn default() -> Self {
        NodeConfig {
            name: "troupe".into(),
            strict_mode: false,
            log_level: None,
            default_host: None,
            env: Vec::new(),
            limits: NodeLimits::default(),
            cluster: None,
        }
    }
}

/// One registry entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// `namespace:name`.
    pub id: EntryId,
    pub namespace: String,
    pub name: String,
    /// The kind's fields, parsed.
    pub kind: Kind,
    /// Free-form `meta` map (JSON object; empty when absent).
    pub meta: serde_json::Map<String, serde_json::Value>,
    /// The whole entry as written (after YAML → JSON), for `registry.get` from Lua.
    pub raw: serde_json::Value,
    /// Location of the entry's `name:` key (or of the entry mapping).
    pub location: Location,
}

impl Entry {
    /// The kind name as written in YAML, e.g. `process.lua` (for an entry of a kind Troupe
    /// does not implement, that kind as written).
    pub fn kind_name(&self) -> &str {
        self.kind.name()
    }

    /// The entry's `limits` for the kinds that run code (`process.lua`, `function.lua`,
    /// the wasm kinds); `None` for the others.
    pub fn limits(&self) -> Option<&Limits> {
        match &self.kind {
            Kind::ProcessLua(s) | Kind::FunctionLua(s) => Some(&s.limits),
            Kind::FunctionWat(s) | Kind::FunctionWasm(s) | Kind::ProcessWasm(s) => Some(&s.limits),
            _ => None,
        }
    }

    /// The limits this entry's processes run under (SPEC §3.6): each value of its own
    /// `limits:`, else `node`'s (`troupe.yaml` `limits:`, else the defaults).
    pub fn resolved_limits(&self, node: &NodeLimits) -> NodeLimits {
        match self.limits() {
            Some(l) => l.resolve(node),
            None => *node,
        }
    }
}

/// Every kind of SPEC §2.3 with its fields.
#[derive(Debug, Clone)]
pub enum Kind {
    ProcessHost(HostSpec),
    ProcessLua(LuaSpec),
    FunctionLua(LuaSpec),
    LibraryLua(LuaSpec),
    FunctionWat(WasmSpec),
    FunctionWasm(WasmSpec),
    ProcessWasm(WasmSpec),
    FsDirectory(FsSpec),
    ProcessService(ServiceSpec),
    ProcessSupervisor(SupervisorSpec),
    SecurityPolicy(PolicySpec),
    /// `security.policy.expr` (its `expression` is set).
    SecurityPolicyExpr(PolicySpec),
    /// `security.token_store`.
    SecurityTokenStore(crate::TokenStoreSpec),
    /// `env.variable`.
    EnvVariable(crate::EnvVariableSpec),
    /// `env.storage.*` (the kind name is [`crate::EnvStorageSpec::kind_name`]).
    EnvStorage(crate::EnvStorageSpec),
    /// `registry.entry`: free data, see [`Entry::raw`].
    RegistryEntry,
    /// A kind Troupe does not implement (`http.service`, `sql.database`, …), as written:
    /// stored so the Lua `registry` module sees it (its fields are in [`Entry::raw`]) and
    /// otherwise ignored, as Wippy ignores kinds it has no handler for (WIPPY-API.md §12).
    /// Loading it is a warning; running it, or anything that needs it, fails then.
    Unimplemented(String),
}

/// All kind names the registry knows, as written in YAML.
pub const KIND_NAMES: &[&str] = &[
    "process.host",
    "process.lua",
    "function.lua",
    "library.lua",
    "function.wat",
    "function.wasm",
    "process.wasm",
    "fs.directory",
    "process.service",
    "process.supervisor",
    "security.policy",
    "security.policy.expr",
    "security.token_store",
    "env.variable",
    "env.storage.os",
    "env.storage.memory",
    "env.storage.file",
    "env.storage.static",
    "env.storage.router",
    "registry.entry",
];

impl Kind {
    /// The kind name as written in YAML.
    pub fn name(&self) -> &str {
        match self {
            Kind::ProcessHost(_) => "process.host",
            Kind::ProcessLua(_) => "process.lua",
            Kind::FunctionLua(_) => "function.lua",
            Kind::LibraryLua(_) => "library.lua",
            Kind::FunctionWat(_) => "function.wat",
            Kind::FunctionWasm(_) => "function.wasm",
            Kind::ProcessWasm(_) => "process.wasm",
            Kind::FsDirectory(_) => "fs.directory",
            Kind::ProcessService(_) => "process.service",
            Kind::ProcessSupervisor(_) => "process.supervisor",
            Kind::SecurityPolicy(_) => "security.policy",
            Kind::SecurityPolicyExpr(_) => "security.policy.expr",
            Kind::SecurityTokenStore(_) => "security.token_store",
            Kind::EnvVariable(_) => "env.variable",
            Kind::EnvStorage(s) => s.kind_name(),
            Kind::RegistryEntry => "registry.entry",
            Kind::Unimplemented(kind) => kind,
        }
    }
}

/// `process.host`: a scheduler with `workers` OS threads.
#[derive(Debug, Clone, PartialEq)]
pub struct HostSpec {
    /// `host.workers`; `None` means one per CPU core.
    pub workers: Option<usize>,
}

/// A Lua source as loaded: inline text or the contents of a `file://` path.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub text: String,
    /// The file the text came from (`None` for inline sources).
    pub path: Option<PathBuf>,
    /// Where the `source:` field was written.
    pub location: Location,
}

/// `process.lua`, `function.lua`, `library.lua`.
#[derive(Debug, Clone, PartialEq)]
pub struct LuaSpec {
    pub source: Source,
    /// `pool` (`function.lua` only; `None` when not written), normalised as for wasm.
    pub pool: Option<PoolSpec>,
    /// `method`; `None` when absent (processes default to `main`; a library has none).
    pub method: Option<String>,
    /// Built-in modules this entry may `require` (SPEC §5).
    pub modules: Vec<String>,
    /// `alias -> library entry ID` (resolved to full IDs).
    pub imports: BTreeMap<String, EntryId>,
    /// `limits` (`process.lua` and `function.lua`; always empty for `library.lua`, which
    /// runs inside the process that requires it).
    pub limits: Limits,
}

/// `function.wat`, `function.wasm`, `process.wasm` (parsed now, run by the wasm crate).
#[derive(Debug, Clone, PartialEq)]
pub struct WasmSpec {
    /// Inline WAT text (`function.wat` only).
    pub source: Option<Source>,
    /// `fs` (an `fs.directory` ID) and `path` inside it (`function.wasm`, `process.wasm`).
    pub fs: Option<EntryId>,
    pub path: Option<String>,
    /// `sha256:<hex>`.
    pub hash: Option<String>,
    pub method: Option<String>,
    pub wit: Option<String>,
    /// Host interfaces this entry may use (SPEC §6.4).
    pub imports: Vec<String>,
    pub wasi: WasiSpec,
    pub pool: Option<PoolSpec>,
    pub limits: Limits,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct WasiSpec {
    pub mounts: Vec<Mount>,
    pub env: BTreeMap<String, String>,
    pub args: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Mount {
    pub fs: EntryId,
    pub guest: String,
    pub read_only: bool,
}

/// `pool` of a function entry, after Wippy's rules (WIPPY-API.md §12): `type` written, or
/// inferred when absent (`workers > 0` → `static`; `workers` 0 and (`size` 0 or
/// `max_size > 0`) → `lazy`; else `inline`); `workers` is the size of a `static` pool;
/// Wippy's `adaptive` (auto-scaling up to `max_size`, default 16) runs as `lazy` keeping up
/// to `max_size` instances with at most `max_size` calls at once.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolSpec {
    /// The pool Troupe runs: `inline`, `lazy` or `static`.
    pub kind: String,
    /// The type as written or inferred (`adaptive` stays `adaptive` here).
    pub requested: String,
    /// Warm instances kept (`size`, or `workers` for `static`).
    pub size: Option<usize>,
    /// Calls running at once, at most.
    pub max_size: Option<usize>,
}

/// `limits:` of one entry (SPEC §3.6); `None` = not written, the node default applies
/// ([`Limits::resolve`]).
///
/// Lua entries (`process.lua`, `function.lua`) accept `max_memory`, `max_mailbox`,
/// `max_message` and `max_slice`; wasm entries accept `max_execution_ms`, `max_memory`,
/// `fuel`, `max_mailbox` and `max_message`. Sizes are bytes (YAML: an integer or `16MiB`,
/// `512KiB`, `1GB`, …), at least 1 byte and at most [`MAX_LIMIT_BYTES`]; durations are
/// above zero, `max_slice` at most [`MAX_SLICE_LIMIT`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Limits {
    /// wasm only: wall time for a call or a process (`max_execution_ms`).
    pub max_execution: Option<Duration>,
    /// Bytes a process may hold (Lua heap it allocated, or wasm linear memory).
    pub max_memory: Option<u64>,
    /// wasm only: fuel units for one call or process.
    pub fuel: Option<u64>,
    /// Bytes of payload queued in the process's mailbox, not yet received.
    pub max_mailbox: Option<u64>,
    /// Bytes one deep copy (a message, spawn arguments, a function result, …) may take.
    pub max_message: Option<u64>,
    /// Lua only: how long the process may hold its worker where it cannot be preempted.
    pub max_slice: Option<Duration>,
}

/// Largest size any `limits` size field accepts (1 TiB): a larger one is a typo.
pub const MAX_LIMIT_BYTES: u64 = 1 << 40;
/// Largest `max_slice` accepted (1 day).
pub const MAX_SLICE_LIMIT: Duration = Duration::from_secs(24 * 3600);
/// Largest `max_execution_ms` accepted (365 days).
pub const MAX_EXECUTION_LIMIT: Duration = Duration::from_secs(365 * 24 * 3600);

/// `troupe.yaml` `limits:`, the node-wide defaults of the per-process limits (SPEC §3.6).
/// Also the shape of a fully resolved entry limit ([`Limits::resolve`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeLimits {
    /// Bytes; default 256 MiB.
    pub max_memory: u64,
    /// Bytes; default 64 MiB.
    pub max_mailbox: u64,
    /// Bytes; default 64 MiB.
    pub max_message: u64,
    /// Default 1 s.
    pub max_slice: Duration,
}

impl Default for NodeLimits {
    fn default() -> Self {
        NodeLimits {
            max_memory: 256 << 20,
            max_mailbox: 64 << 20,
            max_message: 64 << 20,
            max_slice: Duration::from_secs(1),
        }
    }
}

impl Limits {
    /// The effective limits of an entry: each value written on the entry, else `node`'s.
    pub fn resolve(&self, node: &NodeLimits) -> NodeLimits {
        NodeLimits {
            max_memory: self.max_memory.unwrap_or(node.max_memory),
            max_mailbox: self.max_mailbox.unwrap_or(node.max_mailbox),
            max_message: self.max_message.unwrap_or(node.max_message),
            max_slice: self.max_slice.unwrap_or(node.max_slice),
        }
    }
}

/// `fs.directory` (WIPPY-API.md §12).
#[derive(Debug, Clone, PartialEq)]
pub struct FsSpec {
    /// Absolute when written so; else resolved as Wippy does: against the working directory
    /// of the process that loaded the registry (`base` absent, `""` or `project`), or the
    /// application directory (`base: module`).
    pub directory: PathBuf,
    /// `base` as written (`""` when absent).
    pub base: String,
    /// `mode` (an octal string such as `"0755"`): permissions `auto_init` creates the
    /// directory with; default `0o755`.
    pub mode: u32,
    /// `auto_init`: create the directory (and its parents) at boot if missing.
    pub auto_init: bool,
    /// Troupe extension (not in Wippy): mounts of this directory are read-only.
    pub read_only: bool,
}

impl FsSpec {
    /// `auto_init` (as Wippy): create the directory and its missing parents with `mode` if
    /// it does not exist. Nothing to do without `auto_init` or when it exists.
    ///
    /// Errors: the operating system's, or the path exists and is not a directory.
    pub fn init(&self) -> std::io::Result<()> {
        if !self.auto_init || self.directory.is_dir() {
            return Ok(());
        }
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(self.mode);
        }
        builder.create(&self.directory)
    }
}

/// `process.service` (SPEC §4.1).
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceSpec {
    /// The `process.lua` / `process.wasm` entry to run (full ID).
    pub process: EntryId,
    /// The `process.host` to run on (full ID); `None` = node default.
    pub host: Option<EntryId>,
    /// The cluster node whose host it runs on, from `host: NODE@HOST_ID` (SPEC §10): a
    /// supervisor child started on that node. `None`: this node.
    pub node: Option<String>,
    /// Arguments passed to `main(...)`.
    pub input: Vec<serde_json::Value>,
    pub lifecycle: Lifecycle,
}

/// `lifecycle` of services and supervisors.
#[derive(Debug, Clone, PartialEq)]
pub struct Lifecycle {
    /// Default `false` for services (as Wippy), `true` for supervisors is not implied either.
    pub auto_start: bool,
    /// `requires` / `depends_on`, full IDs.
    pub requires: Vec<EntryId>,
    /// How long the process may take to be running (its first slice done).
    pub start_timeout: Duration,
    /// How a stop is done (SPEC §4.1/§4.2): `None` when not written, in which case services
    /// use 10 s and supervisors `infinity`, as OTP's child specs do.
    pub stop_timeout: Option<Shutdown>,
    pub stable_threshold: Duration,
    pub restart: RestartPolicy,
    pub security: Option<SecuritySpec>,
    /// `startup: optional` — a failure to start degrades instead of stopping the node.
    pub optional: bool,
    /// `node: NAME` (Troupe, SPEC §10): with `auto_start`, the unit starts only on the
    /// cluster node of that name (every node loads the same registry; this is how one of
    /// them runs a coordinator or a supervisor of children on the others). `None`: every
    /// node starts it.
    pub node: Option<String>,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Lifecycle {
            auto_start: false,
            requires: Vec::new(),
            start_timeout: Duration::from_secs(10),
            stop_timeout: None,
            stable_threshold: Duration::from_secs(5),
            restart: RestartPolicy::default(),
            security: None,
            optional: false,
            node: None,
        }
    }
}

/// How a child is stopped, as OTP's child spec `shutdown`: cancel then wait `After(d)`
/// before terminating, terminate at once (`brutal_kill`), or wait forever (`infinity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shutdown {
    BrutalKill,
    After(Duration),
    Infinity,
}

impl Shutdown {
    /// The default for a service child (10 s).
    pub const SERVICE_DEFAULT: Shutdown = Shutdown::After(Duration::from_secs(10));
}

impl std::fmt::Display for Shutdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Shutdown::BrutalKill => f.write_str("brutal_kill"),
            Shutdown::Infinity => f.write_str("infinity"),
            Shutdown::After(d) => write!(f, "{}", humantime::format_duration(*d)),
        }
    }
}

impl Lifecycle {
    /// The effective stop: the written one, else 10 s for services and `infinity` for
    /// supervisors (OTP's defaults for worker and supervisor children).
    pub fn shutdown(&self, supervisor: bool) -> Shutdown {
        self.stop_timeout.unwrap_or(if supervisor {
            Shutdown::Infinity
        } else {
            Shutdown::SERVICE_DEFAULT
        })
    }
}

/// Restart settings (SPEC §4.1) plus the OTP restart type (SPEC §4.2).
#[derive(Debug, Clone, PartialEq)]
pub struct RestartPolicy {
    pub initial_delay: Duration,
    pub max_delay: Duration,
    pub backoff_factor: f64,
    /// Fraction (0.0..=1.0) of random spread added to each delay.
    pub jitter: f64,
    /// 0 = unlimited.
    pub max_attempts: u32,
    /// `type`: permanent / transient / temporary; `None` when not written.
    pub restart_type: Option<RestartType>,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        RestartPolicy {
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(90),
            backoff_factor: 2.0,
            jitter: 0.1,
            max_attempts: 0,
            restart_type: None,
        }
    }
}

/// OTP child restart type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartType {
    Permanent,
    Transient,
    Temporary,
}

impl RestartType {
    /// The YAML spelling (`permanent`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            RestartType::Permanent => "permanent",
            RestartType::Transient => "transient",
            RestartType::Temporary => "temporary",
        }
    }
}

/// `lifecycle.security` (SPEC §7.3).
#[derive(Debug, Clone, PartialEq)]
pub struct SecuritySpec {
    pub actor_id: Option<String>,
    pub actor_meta: serde_json::Map<String, serde_json::Value>,
    pub policies: Vec<EntryId>,
    pub groups: Vec<String>,
}

/// OTP supervisor strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    OneForOne,
    OneForAll,
    RestForOne,
}

impl Strategy {
    /// The YAML spelling (`one_for_one`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::OneForOne => "one_for_one",
            Strategy::OneForAll => "one_for_all",
            Strategy::RestForOne => "rest_for_one",
        }
    }
}

/// `process.supervisor` (SPEC §4.2).
#[derive(Debug, Clone, PartialEq)]
pub struct SupervisorSpec {
    /// Ordered children (services or supervisors), full IDs.
    pub children: Vec<EntryId>,
    pub strategy: Strategy,
    /// Max restarts within `period` (OTP default 1 in 5 s).
    pub intensity: u32,
    pub period: Duration,
    pub lifecycle: Lifecycle,
}

/// `security.policy` (SPEC §7.1).
#[derive(Debug, Clone, PartialEq)]
pub struct PolicySpec {
    pub actions: Vec<String>,
    pub resources: Vec<String>,
    pub allow: bool,
    pub conditions: Vec<Condition>,
    pub groups: Vec<String>,
    /// `security.policy.expr`'s `expression` (`None` for `security.policy`).
    pub expression: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub field: String,
    /// eq ne lt gt lte gte in nin exists nexists contains ncontains matches nmatches
    pub operator: String,
    pub value: Option<serde_json::Value>,
    pub value_from: Option<String>,
}
