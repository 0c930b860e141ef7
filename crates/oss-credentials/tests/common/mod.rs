//! Helpers shared by the integration tests: the secret strings used everywhere, a scanner that
//! proves they never leak, and (with the `http` feature) a loopback HTTP server.
#![allow(dead_code, unreachable_pub)]

#[cfg(feature = "http")]
pub mod server;

use oss_credentials::CredentialsError;
use std::error::Error;
use std::fmt::Debug;
use std::path::Path;
use std::time::SystemTime;

/// Every secret or token value used by the suite. None may appear in any output.
pub const SECRETS: &[&str] = &[
    "SECRET-source-3f9a7c",
    "SECRET-sts-b81d44",
    "SECRET-token-5e2c90",
    "SECRET-ecs-a07f13",
    "SECRET-uri-c4d8e2",
    "SECRET-proc-91be6f",
    "SECRET-file-77aa01",
    "SECRET-env-2b3c4d",
    "SECRET-oidc-jwt-0d9e8f",
];

/// Asserts that `text` contains no secret of [`SECRETS`].
pub fn assert_no_secret(text: &str) {
    for secret in SECRETS {
        assert!(
            !text.contains(secret),
            "a secret leaked into output: {text}"
        );
    }
}

/// Scans an error's Display, Debug and source chain for secrets, and returns it.
pub fn scan_error(error: &CredentialsError) -> &CredentialsError {
    assert_no_secret(&error.to_string());
    assert_no_secret(&format!("{error:?}"));
    assert_no_secret(&format!("{error:#?}"));
    let mut source = error.source();
    while let Some(cause) = source {
        assert_no_secret(&cause.to_string());
        assert_no_secret(&format!("{cause:?}"));
        source = cause.source();
    }
    for attempt in error.attempts() {
        scan_error(attempt);
    }
    error
}

/// Scans any value's Debug output (and Display when given) for secrets.
pub fn scan_debug<T: Debug>(value: &T) {
    assert_no_secret(&format!("{value:?}"));
    assert_no_secret(&format!("{value:#?}"));
}

/// Unwraps an error result and scans it.
pub fn expect_err<T: Debug>(result: Result<T, CredentialsError>) -> CredentialsError {
    match result {
        Ok(value) => {
            scan_debug(&value);
            panic!("expected an error, got {value:?}")
        }
        Err(error) => {
            scan_error(&error);
            error
        }
    }
}

/// Unwraps an Ok result; on error, scans and panics with the (scanned) message.
pub fn expect_ok<T: Debug>(result: Result<T, CredentialsError>) -> T {
    match result {
        Ok(value) => {
            scan_debug(&value);
            value
        }
        Err(error) => {
            scan_error(&error);
            panic!("expected success, got {error}")
        }
    }
}

/// Decodes `%XY` escapes (no `+` handling: the RPC encoder never emits `+` for a space).
pub fn percent_decode(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ascii");
            out.push(u8::from_str_radix(hex, 16).expect("hex escape"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8")
}

/// Splits `a=1&b=2` into decoded pairs.
pub fn parse_pairs(input: &str) -> Vec<(String, String)> {
    input
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// `YYYY-MM-DDTHH:MM:SSZ` of `time`, as the providers write `Expiration` fields.
pub fn format_utc(time: SystemTime) -> String {
    oss_sign_core::SigningTime::try_from(time)
        .expect("test instants lie in 1970..=9999")
        .to_rfc3339()
}

/// The test clock's instant as a `SystemTime` (it always has one here).
pub fn system_now(clock: &oss_credentials::ManualClock) -> SystemTime {
    use oss_credentials::Clock as _;
    SystemTime::from(clock.now().expect("the test clock stays in 1970..=9999"))
}

/// Writes `text` to `relative` below `home`, creating the folders on the way.
pub fn write_home_file(home: &Path, relative: &str, text: &str) {
    let path = home.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The names of the providers a chain error says it tried, in order.
pub fn attempted_providers(error: &CredentialsError) -> Vec<&str> {
    error
        .attempts()
        .iter()
        .filter_map(|e| e.provider())
        .collect()
}

/// Asserts that `text` contains each of `needles`.
pub fn assert_mentions(text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(text.contains(needle), "`{needle}` missing from: {text}");
    }
}
