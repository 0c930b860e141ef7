//! Time parsers on arbitrary text never panic, and whatever they accept formats and parses
//! back to the same instant:
//! `SigningTime::{parse_x_oss_date, parse_rfc3339, parse_http_date, from_unix_seconds}` of
//! oss-sign-core, and `SigningTime::parse_rfc3339_strict` (what oss-credentials reads
//! `Expiration` fields with) accepting only what `parse_rfc3339` accepts.
#![no_main]

use libfuzzer_sys::fuzz_target;
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

    if let Ok(strict) = SigningTime::parse_rfc3339_strict(&text) {
        assert_eq!(SigningTime::parse_rfc3339(&text).ok(), Some(strict), "{text:?}");
        assert_eq!(strict.to_rfc3339(), text, "strict form formats back to itself");
    }
});
