//! Byte sizes on the command line: `1048576`, `64K`, `8M`, `8MiB`, `1G` (binary units).

/// Parses a byte count with an optional binary unit (`K`/`KiB`, `M`/`MiB`, `G`/`GiB`; case
/// insensitive; `B` alone means bytes).
pub(crate) fn parse_bytes(text: &str) -> Result<u64, String> {
    let rule = "expected a number of bytes with an optional unit: 65536, 64K, 8M, 8MiB, 1G";
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    if number.is_empty() {
        return Err(format!("size {text:?} has no number; {rule}"));
    }
    let value: u64 = number
        .parse()
        .map_err(|_| format!("size {text:?} is too large"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => return Err(format!("size {text:?} has the unit {other:?}; {rule}")),
    };
    value
        .checked_mul(factor)
        .ok_or_else(|| format!("size {text:?} is too large"))
}

/// `1.5 MiB`-style text for a byte count.
pub(crate) fn human_bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        assert_eq!(parse_bytes("65536"), Ok(65_536));
        assert_eq!(parse_bytes("64K"), Ok(65_536));
        assert_eq!(parse_bytes("8MiB"), Ok(8 << 20));
        assert_eq!(parse_bytes("1g"), Ok(1 << 30));
        for bad in ["", "K", "8X", "1.5M", "-1", "99999999999999999999G"] {
            assert!(parse_bytes(bad).is_err(), "{bad}");
        }
        assert_eq!(human_bytes(512.0), "512 B");
        assert_eq!(human_bytes(1_572_864.0), "1.5 MiB");
    }

    proptest! {
        #[test]
        fn kib_multiples_parse(n in 0u64..1_000_000) {
            prop_assert_eq!(parse_bytes(&format!("{n}K")), Ok(n * 1024));
        }

        #[test]
        fn never_panics(text in "\\PC{0,12}") {
            let _ = parse_bytes(&text);
        }
    }
}
