//! Parsing of durations (`"250ms"`, `"10s"`, `"1m"`, or integer milliseconds) and byte sizes
//! (`16MiB`, `64KiB`, `1GiB`, `16MB`, `1000KB`, or integer bytes).

use std::time::Duration;

/// Parse a duration string: humantime syntax (`250ms`, `1m 30s`, `1h`) or bare digits (ms).
pub(crate) fn duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t
            .parse::<u64>()
            .map(Duration::from_millis)
            .map_err(|e| e.to_string());
    }
    humantime::parse_duration(t).map_err(|e| e.to_string())
}

/// Parse a byte size with an optional unit (binary `KiB`/`MiB`/`GiB`/`TiB`, decimal
/// `KB`/`MB`/`GB`/`TB`, or `B`). Case-insensitive units; spaces allowed before the unit.
pub(crate) fn bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    if t.starts_with('-') {
        return Err("a size cannot be negative".into());
    }
    if digits.is_empty() {
        return Err("a size starts with a number".into());
    }
    let n: u64 = digits
        .parse()
        .map_err(|_| "the size is too large".to_string())?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" | "ki" => 1 << 10,
        "mib" | "mi" => 1 << 20,
        "gib" | "gi" => 1 << 30,
        "tib" | "ti" => 1 << 40,
        "kb" | "k" => 1_000,
        "mb" | "m" => 1_000_000,
        "gb" | "g" => 1_000_000_000,
        "tb" | "t" => 1_000_000_000_000,
        other => {
            return Err(format!(
                "unknown unit \"{other}\" (use B, KiB, MiB, GiB, KB, MB or GB)"
            ));
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| "the size is too large".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(duration("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(duration("1500"), Ok(Duration::from_millis(1500)));
        assert!(duration("fast").is_err());
        assert!(duration("").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(bytes("16MiB"), Ok(16 << 20));
        assert_eq!(bytes("64KiB"), Ok(64 << 10));
        assert_eq!(bytes("1GiB"), Ok(1 << 30));
        assert_eq!(bytes("16MB"), Ok(16_000_000));
        assert_eq!(bytes("1000KB"), Ok(1_000_000));
        assert_eq!(bytes("4096"), Ok(4096));
        assert_eq!(bytes("2 MiB"), Ok(2 << 20));
        assert!(bytes("MiB").is_err());
        assert!(bytes("5 parsecs").is_err());
        assert!(bytes("99999999999999999999GiB").is_err());
    }
}
