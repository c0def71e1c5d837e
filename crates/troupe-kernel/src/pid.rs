//! Process identifiers (SPEC §3.1): `{node@host|0x0001a}` — node name, host entry ID and a
//! hex counter of at least five digits. The counter is unique within a node, so lookups
//! use it alone; node and host are carried for display and routing.

use std::fmt;
use std::sync::Arc;

/// A process identifier. Cheap to clone (two `Arc<str>` and a counter).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Pid {
    /// Node-unique counter (never reused within a node's life).
    pub id: u64,
    /// Node name.
    pub node: Arc<str>,
    /// Host entry ID the process was placed on.
    pub host: Arc<str>,
}

impl Pid {
    /// Parse the printed form `{node@host|0x1a}`. Returns `None` for anything else.
    pub fn parse(s: &str) -> Option<Pid> {
        let inner = s.strip_prefix('{')?.strip_suffix('}')?;
        let (nh, hex) = inner.rsplit_once('|')?;
        let (node, host) = nh.split_once('@')?;
        let id = u64::from_str_radix(hex.strip_prefix("0x")?, 16).ok()?;
        Some(Pid { id, node: node.into(), host: host.into() })
    }
}

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{}@{}|0x{:05x}}}", self.node, self.host, self.id)
    }
}

impl fmt::Debug for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn round_trip() {
        let p = Pid { id: 0x1a, node: "n".into(), host: "app:h".into() };
        assert_eq!(p.to_string(), "{n@app:h|0x0001a}");
        assert_eq!(Pid::parse(&p.to_string()), Some(p));
        assert_eq!(Pid::parse("nope"), None);
        assert_eq!(Pid::parse("{a@b|12}"), None);
    }
}
