//! Process identifiers (SPEC §3.1): `{node@host|0x0001a}` — node name, host entry ID and a
//! hex counter of at least five digits. The counter is unique within a node, so lookups
//! use it alone. The printed form is rendered once at spawn and shared, so handing a PID
//! to Lua (where PIDs are strings) costs no formatting.

use std::fmt;
use std::sync::Arc;

/// A process identifier. Cheap to clone (an `Arc<str>` and a counter).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Pid {
    /// Node-unique counter (never reused within a node's life).
    pub id: u64,
    /// The printed form.
    text: Arc<str>,
}

impl Pid {
    /// The PID of process `id` on `host` of node `node`.
    pub fn new(node: &str, host: &str, id: u64) -> Pid {
        // Written by hand: `format!` was ≈ 1,800 instructions per spawn (callgrind).
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let digits = ((64 - id.leading_zeros()).div_ceil(4) as usize).max(5);
        let mut text = String::with_capacity(node.len() + host.len() + digits + 6);
        text.push('{');
        text.push_str(node);
        text.push('@');
        text.push_str(host);
        text.push_str("|0x");
        for i in (0..digits).rev() {
            text.push(HEX[((id >> (4 * i)) & 0xf) as usize] as char);
        }
        text.push('}');
        Pid {
            id,
            text: text.into(),
        }
    }

    /// Parse the printed form `{node@host|0x1a}`. Returns `None` for anything else.
    pub fn parse(s: &str) -> Option<Pid> {
        let id = Pid::parse_id(s)?;
        let inner = s.strip_prefix('{')?.strip_suffix('}')?;
        let (nh, _) = inner.rsplit_once('|')?;
        nh.split_once('@')?;
        Some(Pid { id, text: s.into() })
    }

    /// Only the counter of a printed PID (no allocation); `None` if malformed.
    pub fn parse_id(s: &str) -> Option<u64> {
        let inner = s.strip_prefix('{')?.strip_suffix('}')?;
        let (_, hex) = inner.rsplit_once('|')?;
        u64::from_str_radix(hex.strip_prefix("0x")?, 16).ok()
    }

    /// The printed form.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The node name.
    pub fn node(&self) -> &str {
        self.text[1..].split_once('@').map(|(n, _)| n).unwrap_or("")
    }

    /// The host entry ID.
    pub fn host(&self) -> &str {
        let inner = &self.text[1..self.text.len() - 1];
        inner
            .split_once('@')
            .and_then(|(_, rest)| rest.rsplit_once('|'))
            .map(|(h, _)| h)
            .unwrap_or("")
    }
}

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn printed_form_has_at_least_five_hex_digits() {
        for (id, hex) in [
            (0u64, "00000"),
            (1, "00001"),
            (0x1a, "0001a"),
            (0xfffff, "fffff"),
            (0x100000, "100000"),
            (u64::MAX, "ffffffffffffffff"),
        ] {
            let p = Pid::new("app", "h:w", id);
            assert_eq!(p.as_str(), format!("{{app@h:w|0x{hex}}}"));
            assert_eq!(p.as_str(), format!("{{app@h:w|0x{id:05x}}}"));
            assert_eq!(Pid::parse_id(p.as_str()), Some(id));
        }
    }

    use super::*;
    #[test]
    fn round_trip() {
        let p = Pid::new("n", "app:h", 0x1a);
        assert_eq!(p.to_string(), "{n@app:h|0x0001a}");
        assert_eq!(p.node(), "n");
        assert_eq!(p.host(), "app:h");
        assert_eq!(Pid::parse(p.as_str()), Some(p));
        assert_eq!(Pid::parse("nope"), None);
        assert_eq!(Pid::parse("{a@b|12}"), None);
        assert_eq!(Pid::parse_id("{a@b|0x00ff}"), Some(255));
    }
}
