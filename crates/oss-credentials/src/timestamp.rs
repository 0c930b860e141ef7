//! `Expiration` and `Timestamp` fields: UTC in exactly `YYYY-MM-DDTHH:MM:SSZ`, the form STS,
//! ECS metadata, credential URIs and credential processes use, read and written as
//! [`SystemTime`] through the workspace's one time type, [`SigningTime`] (no calendar
//! arithmetic of its own here).

use oss_sign_core::SigningTime;
use std::time::{SystemTime, UNIX_EPOCH};

/// Parses exactly `YYYY-MM-DDTHH:MM:SSZ` ([`SigningTime::parse_rfc3339_strict`]): no fraction,
/// no offset, upper-case `T` and `Z`, years 1970 to 9999.
pub(crate) fn parse_utc(text: &str) -> Option<SystemTime> {
    SigningTime::parse_rfc3339_strict(text)
        .ok()
        .map(SystemTime::from)
}

/// Formats `time` as `YYYY-MM-DDTHH:MM:SSZ`, the sub-second part dropped. An instant outside
/// 1970..=9999 (only a broken clock or a hand-made `SystemTime` gives one) cannot be written in
/// that form and is shown as its offset from the Unix epoch instead, so `Debug` output and
/// error messages never panic.
pub(crate) fn format_utc(time: SystemTime) -> String {
    match SigningTime::try_from(time) {
        Ok(at) => at.to_rfc3339(),
        Err(_) => match time.duration_since(UNIX_EPOCH) {
            Ok(after) => format!("{} s after 1970-01-01T00:00:00Z", after.as_secs()),
            Err(before) => format!(
                "{} s before 1970-01-01T00:00:00Z",
                before.duration().as_secs()
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::time::Duration;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn spec_vectors() {
        assert_eq!(parse_utc("2021-10-20T04:27:09Z"), Some(at(1_634_704_029)));
        assert_eq!(parse_utc("2015-04-09T11:52:19Z"), Some(at(1_428_580_339)));
        assert_eq!(parse_utc("2024-10-26T03:46:38Z"), Some(at(1_729_914_398)));
        assert_eq!(format_utc(at(1_729_914_398)), "2024-10-26T03:46:38Z");
        assert_eq!(format_utc(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            format_utc(at(1_729_914_398) + Duration::from_millis(999)),
            "2024-10-26T03:46:38Z"
        );
    }

    #[test]
    fn rejects_other_shapes() {
        for bad in [
            "2021-10-20 04:27:09Z",
            "2021-10-20T04:27:09",
            "2021-10-20T04:27:09.000Z",
            "2021-10-20t04:27:09z",
            "2021-13-20T04:27:09Z",
            "2021-02-29T04:27:09Z",
            "2021-10-20T24:00:00Z",
            "2021-1a-20T04:27:09Z",
            "1969-12-31T23:59:59Z",
            "",
        ] {
            assert_eq!(parse_utc(bad), None, "{bad}");
        }
        assert_eq!(parse_utc("2024-02-29T00:00:00Z"), Some(at(1_709_164_800)));
    }

    #[test]
    fn out_of_range_instants_still_format() {
        let before = UNIX_EPOCH - Duration::from_secs(5);
        assert_eq!(format_utc(before), "5 s before 1970-01-01T00:00:00Z");
        let after = at(253_402_300_800);
        assert_eq!(
            format_utc(after),
            "253402300800 s after 1970-01-01T00:00:00Z"
        );
        assert_eq!(parse_utc(&format_utc(after)), None);
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(seconds in 0u64..253_402_300_800) {
            let text = format_utc(at(seconds));
            prop_assert_eq!(parse_utc(&text), Some(at(seconds)));
        }
    }
}
