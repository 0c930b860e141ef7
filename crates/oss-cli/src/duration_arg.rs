//! Durations on the command line: `900`, `900s`, `30m`, `1h30m`, `7d`, `1w` (parsed and written;
//! `w` is read, as in ossutil, but never written).

use crate::arg_text::excerpt;

/// Parses a duration made of `<number><unit>` groups (units `w`, `d`, `h`, `m`, `s`; a bare
/// number is seconds) into whole seconds.
pub(crate) fn parse_seconds(text: &str) -> Result<u64, String> {
    let rule =
        "expected a number of seconds or groups like 30m, 1h30m, 7d, 1w (units w, d, h, m, s)";
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("empty duration; {rule}"));
    }
    // Every other refusal quotes the duration, then says what is wrong with it.
    let refuse = |problem: &str| format!("duration {} {problem}", excerpt(text));
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<u64>().map_err(|_| refuse("is too large"));
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit: u64 = match c {
            'w' => 604_800,
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return Err(refuse(&format!("has the unit {c:?}; {rule}"))),
        };
        if number.is_empty() {
            return Err(refuse(&format!("has a unit without a number; {rule}")));
        }
        let value: u64 = number.parse().map_err(|_| refuse("is too large"))?;
        total = value
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| refuse("is too large"))?;
        number.clear();
    }
    if !number.is_empty() {
        return Err(refuse(&format!(
            "ends with a number without a unit; {rule}"
        )));
    }
    Ok(total)
}

/// Writes whole seconds the way `parse_seconds` reads them: `0s`, `45s`, `15m`, `1h30m`, `7d`.
pub(crate) fn format_seconds(seconds: u64) -> String {
    if seconds == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    let mut rest = seconds;
    for (unit, size) in [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats() {
        assert_eq!(format_seconds(0), "0s");
        assert_eq!(format_seconds(900), "15m");
        assert_eq!(format_seconds(5400), "1h30m");
        assert_eq!(format_seconds(604_800), "7d");
        assert_eq!(format_seconds(93_784), "1d2h3m4s");
    }

    #[test]
    fn examples() {
        assert_eq!(parse_seconds("900"), Ok(900));
        assert_eq!(parse_seconds("30m"), Ok(1800));
        assert_eq!(parse_seconds("1h30m"), Ok(5400));
        assert_eq!(parse_seconds("7d"), Ok(604_800));
        assert_eq!(parse_seconds("1d2h3m4s"), Ok(93_784));
        assert_eq!(parse_seconds("1w"), Ok(604_800));
        assert_eq!(parse_seconds("1w1s"), Ok(604_801));
        for bad in ["", "m", "10x", "1h30", "-5", "1.5h", "99999999999999999999"] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn written_durations_parse_back(d in 0u64..1000, h in 0u64..1000, m in 0u64..1000, s in 0u64..1000) {
            let text = format!("{d}d{h}h{m}m{s}s");
            prop_assert_eq!(parse_seconds(&text), Ok(d * 86_400 + h * 3_600 + m * 60 + s));
        }

        #[test]
        fn formatted_durations_parse_back(seconds in 0u64..100_000_000) {
            prop_assert_eq!(parse_seconds(&format_seconds(seconds)), Ok(seconds));
        }

        #[test]
        fn never_panics(text in "\\PC{0,20}") {
            let _ = parse_seconds(&text);
        }
    }
}
