//! UTC timestamps in the fixed `YYYY-MM-DDTHH:MM:SSZ` form used by STS, ECS metadata, the
//! credentials URI and credential processes (`Expiration` fields).
//!
//! ```
//! use oss_credentials::timestamp::{format_utc, parse_utc};
//! let at = parse_utc("2024-10-26T03:46:38Z").unwrap();
//! assert_eq!(format_utc(at), "2024-10-26T03:46:38Z");
//! assert!(parse_utc("2024-10-26 03:46:38").is_none());
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Days since 1970-01-01 of a proleptic Gregorian civil date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ` (exactly that shape) into Unix seconds.
///
/// ```
/// use oss_credentials::timestamp::parse_utc_seconds;
/// assert_eq!(parse_utc_seconds("2021-10-20T04:27:09Z"), Some(1_634_704_029));
/// ```
pub fn parse_utc_seconds(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 20
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || bytes[10] != b'T'
        || bytes[13] != b':'
        || bytes[16] != b':'
        || bytes[19] != b'Z'
    {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = &bytes[range];
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        part.iter()
            .try_fold(0u32, |acc, b| Some(acc * 10 + u32::from(b - b'0')))
    };
    let year = i64::from(number(0..4)?);
    let month = number(5..7)?;
    let day = number(8..10)?;
    let hour = number(11..13)?;
    let minute = number(14..16)?;
    let second = number(17..19)?;
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    Some(
        days_from_civil(year, month, day) * 86_400
            + i64::from(hour) * 3600
            + i64::from(minute) * 60
            + i64::from(second),
    )
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ` into a [`SystemTime`] (dates before 1970 are rejected).
///
/// ```
/// use oss_credentials::timestamp::parse_utc;
/// assert!(parse_utc("2015-04-09T11:52:19Z").is_some());
/// ```
pub fn parse_utc(text: &str) -> Option<SystemTime> {
    let seconds = u64::try_from(parse_utc_seconds(text)?).ok()?;
    UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
///
/// ```
/// use oss_credentials::timestamp::format_utc_seconds;
/// assert_eq!(format_utc_seconds(1_428_580_339), "2015-04-09T11:52:19Z");
/// ```
pub fn format_utc_seconds(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        (rest % 3600) / 60,
        rest % 60
    )
}

/// Formats a [`SystemTime`] as `YYYY-MM-DDTHH:MM:SSZ` (sub-second part dropped).
///
/// ```
/// use oss_credentials::timestamp::format_utc;
/// assert_eq!(format_utc(std::time::SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
/// ```
pub fn format_utc(time: SystemTime) -> String {
    let seconds = match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX / 2),
    };
    format_utc_seconds(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spec_vectors() {
        assert_eq!(
            parse_utc_seconds("2021-10-20T04:27:09Z"),
            Some(1_634_704_029)
        );
        assert_eq!(
            parse_utc_seconds("2015-04-09T11:52:19Z"),
            Some(1_428_580_339)
        );
        assert_eq!(
            parse_utc_seconds("2024-10-26T03:46:38Z"),
            Some(1_729_914_398)
        );
        assert_eq!(format_utc_seconds(1_729_914_398), "2024-10-26T03:46:38Z");
    }

    #[test]
    fn rejects_other_shapes() {
        for bad in [
            "2021-10-20 04:27:09Z",
            "2021-10-20T04:27:09",
            "2021-10-20T04:27:09.000Z",
            "2021-13-20T04:27:09Z",
            "2021-02-29T04:27:09Z",
            "2021-10-20T24:00:00Z",
            "2021-1a-20T04:27:09Z",
            "",
        ] {
            assert_eq!(parse_utc_seconds(bad), None, "{bad}");
        }
        assert_eq!(
            parse_utc_seconds("2024-02-29T00:00:00Z"),
            Some(1_709_164_800)
        );
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(seconds in 0i64..253_402_300_799) {
            let text = format_utc_seconds(seconds);
            prop_assert_eq!(parse_utc_seconds(&text), Some(seconds));
        }
    }
}
