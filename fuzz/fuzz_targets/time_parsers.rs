//! Time parsers on arbitrary text never panic, and whatever they accept formats and parses
//! back to the same instant:
//! `SigningTime::{parse_x_oss_date, parse_rfc3339, parse_http_date, from_unix_seconds}` of
//! oss-sign-core and `timestamp::{parse_utc_seconds, parse_utc, format_utc_seconds, format_utc}` of oss-credentials.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oss_credentials::timestamp::{format_utc, format_utc_seconds, parse_utc, parse_utc_seconds};
use oss_sign_core::SigningTime;

fn check_round_trips(time: SigningTime) {
    let seconds = time.unix_seconds();
    assert_eq!(SigningTime::from_unix_seconds(seconds).ok(), Some(time));
    if let Ok(again) = SigningTime::parse_x_oss_date(&time.x_oss_date()) {
        assert_eq!(again, time, "x-oss-date {}", time.x_oss_date());
    }
    assert!(time.x_oss_date().starts_with(&time.date_stamp()));
    if let Ok(again) = SigningTime::parse_rfc3339(&time.to_rfc3339()) {
        assert_eq!(again, time, "rfc3339 {}", time.to_rfc3339());
    }
    if let Ok(again) = SigningTime::parse_http_date(&time.to_http_date()) {
        assert_eq!(again, time, "http date {}", time.to_http_date());
    }
    for delta in [-1, 1, 86_400] {
        if let Some(moved) = time.checked_add_seconds(delta) {
            assert_eq!(moved.unix_seconds(), seconds + delta);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    for parsed in [
        SigningTime::parse_x_oss_date(&text),
        SigningTime::parse_rfc3339(&text),
        SigningTime::parse_http_date(&text),
    ]
    .into_iter()
    .flatten()
    {
        check_round_trips(parsed);
    }
    if data.len() >= 8 {
        let mut raw = [0u8; 8];
        raw.copy_from_slice(&data[..8]);
        if let Ok(time) = SigningTime::from_unix_seconds(i64::from_le_bytes(raw)) {
            check_round_trips(time);
        }
    }

    if let Some(seconds) = parse_utc_seconds(&text) {
        assert_eq!(
            parse_utc_seconds(&format_utc_seconds(seconds)),
            Some(seconds),
            "{text:?}"
        );
        if let Some(time) = parse_utc(&text) {
            assert_eq!(parse_utc(&format_utc(time)), Some(time), "{text:?}");
            if seconds >= 0 {
                assert_eq!(parse_utc_seconds(&format_utc(time)), Some(seconds));
            }
        }
    } else {
        assert_eq!(
            parse_utc(&text),
            None,
            "parse_utc accepted what parse_utc_seconds refused"
        );
    }
});
