//! Instants on the command line (`--expiration`, `--signing-time`), in the forms ossutil 2.0
//! documents for its time options:
//!
//! * `2024-11-12T10:27:56Z`, with an optional fraction (`.123`, dropped);
//! * `2024-11-12T10:27:56+08:00` or `-0500`: an offset from UTC;
//! * `2024-11-12T10:27:56`: no offset, **read as UTC** (ossutil documents its time options as
//!   UTC; the machine's time zone is never consulted, so a command gives the same URL
//!   everywhere);
//! * a space instead of the `T` (`2024-11-12 10:27:56`), and a date alone (`2024-11-12`,
//!   midnight UTC).

use oss_client::SigningTime;

use crate::arg_text::excerpt;

const RULE: &str = "expected YYYY-MM-DDTHH:MM:SS with Z or an offset like +08:00 (no offset = UTC), e.g. 2024-11-12T10:27:56Z, 2024-11-12T18:27:56+08:00, 2024-11-12 10:27:56 or 2024-11-12";

/// Parses one of the forms in the module documentation.
pub(crate) fn parse_instant(text: &str) -> Result<SigningTime, String> {
    let bad = || format!("time {} is malformed; {RULE}", excerpt(text));
    let b = text.trim().as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = b.get(range)?;
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        digits.iter().try_fold(0u32, |acc, d| {
            acc.checked_mul(10)?.checked_add(u32::from(d - b'0'))
        })
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let (year, month, day) = match (number(0..4), number(5..7), number(8..10)) {
        (Some(y), Some(m), Some(d)) => (y, m, d),
        _ => return Err(bad()),
    };
    let (mut hour, mut minute, mut second) = (0, 0, 0);
    let mut rest = &b[10..];
    if !rest.is_empty() {
        if !matches!(rest[0], b'T' | b't' | b' ')
            || rest.len() < 9
            || rest[3] != b':'
            || rest[6] != b':'
        {
            return Err(bad());
        }
        let at = 10;
        match (
            number(at + 1..at + 3),
            number(at + 4..at + 6),
            number(at + 7..at + 9),
        ) {
            (Some(h), Some(m), Some(s)) => (hour, minute, second) = (h, m, s),
            _ => return Err(bad()),
        }
        rest = &rest[9..];
        if let Some(fraction) = rest.strip_prefix(b".") {
            let digits = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                return Err(bad());
            }
            rest = &fraction[digits..];
        }
    }
    let offset_seconds: i64 = match rest {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), zone @ ..] => {
            let (hh, mm) = match zone {
                [h1, h2, m1, m2] => ([*h1, *h2], [*m1, *m2]),
                [h1, h2, b':', m1, m2] => ([*h1, *h2], [*m1, *m2]),
                _ => return Err(bad()),
            };
            let two = |pair: [u8; 2]| -> Option<i64> {
                pair.iter()
                    .all(u8::is_ascii_digit)
                    .then(|| i64::from((pair[0] - b'0') * 10 + (pair[1] - b'0')))
            };
            let (Some(hours), Some(minutes)) = (two(hh), two(mm)) else {
                return Err(bad());
            };
            if hours > 23 || minutes > 59 {
                return Err(format!(
                    "time {} has the offset {}; an offset is at most +23:59",
                    excerpt(text),
                    String::from_utf8_lossy(rest)
                ));
            }
            let magnitude = hours * 3600 + minutes * 60;
            if *sign == b'+' {
                magnitude
            } else {
                -magnitude
            }
        }
        _ => return Err(bad()),
    };
    let civil = SigningTime::from_ymd_hms(i64::from(year), month, day, hour, minute, second)
        .map_err(|e| format!("time {}: {}", excerpt(text), e.message()))?;
    // The local reading minus the offset is UTC.
    civil
        .checked_add_seconds(-offset_seconds)
        .ok_or_else(|| format!("time {} is before 1970 or after 9999 in UTC", excerpt(text)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn utc(text: &str) -> String {
        parse_instant(text)
            .map(SigningTime::to_rfc3339)
            .unwrap_or_else(|e| e)
    }

    #[test]
    fn documented_forms() {
        let expected = "2024-11-12T10:27:56Z";
        for text in [
            "2024-11-12T10:27:56Z",
            "2024-11-12t10:27:56z",
            "2024-11-12T10:27:56.999Z",
            "2024-11-12T10:27:56",
            "2024-11-12 10:27:56",
            "2024-11-12T18:27:56+08:00",
            "2024-11-12T18:27:56+0800",
            "2024-11-12T05:27:56-05:00",
            "2024-11-12 18:27:56.5+08:00",
            " 2024-11-12T10:27:56Z ",
        ] {
            assert_eq!(utc(text), expected, "{text}");
        }
        assert_eq!(utc("2024-11-12"), "2024-11-12T00:00:00Z");
        assert_eq!(utc("2024-11-12T00:30:00+01:00"), "2024-11-11T23:30:00Z");
    }

    #[test]
    fn malformed_forms_are_refused() {
        for bad in [
            "",
            "2024-11-12T",
            "2024-11-12T10:27",
            "2024-11-12X10:27:56",
            "2024-11-12T10:27:56.Z",
            "2024-11-12T10:27:56+8",
            "2024-11-12T10:27:56+08:0",
            "2024-11-12T10:27:56+0:800",
            "2024-11-12T10:27:56+08::00",
            "2024-11-12T10:27:56+24:00",
            "2024-13-12T10:27:56Z",
            "2024-02-30T10:27:56Z",
            "2024-11-12T24:00:00Z",
            "1969-12-31T23:59:59Z",
            "1970-01-01T00:00:00+00:01",
            "tomorrow",
            "1731407276",
        ] {
            assert!(parse_instant(bad).is_err(), "{bad} -> {}", utc(bad));
        }
    }

    #[test]
    fn errors_quote_a_short_prefix() {
        let long = format!("2024-11-12T10:27:56Z{}", "x".repeat(100_000));
        let message = parse_instant(&long).unwrap_err();
        assert!(message.len() < 400, "{message}");
    }

    proptest! {
        #[test]
        fn written_instants_parse_back(seconds in 0i64..253_402_300_799, offset_minutes in -1439i64..1440) {
            let at = SigningTime::from_unix_seconds(seconds).unwrap();
            prop_assert_eq!(parse_instant(&at.to_rfc3339()), Ok(at));
            // The same instant written in another zone.
            if let Some(local) = at.checked_add_seconds(offset_minutes * 60) {
                let stem = local.to_rfc3339();
                let stem = stem.trim_end_matches('Z');
                let sign = if offset_minutes < 0 { '-' } else { '+' };
                let m = offset_minutes.abs();
                let text = format!("{stem}{sign}{:02}:{:02}", m / 60, m % 60);
                prop_assert_eq!(parse_instant(&text), Ok(at), "{}", text);
            }
        }

        #[test]
        fn never_panics(text in "\\PC{0,40}") {
            let _ = parse_instant(&text);
        }
    }
}
