//! Shared helpers of the table tests: reading case files and naming error kinds.

#![allow(dead_code)]

use std::path::PathBuf;

use oss_client::ErrorKind;
use serde_json::Value;

/// Reads `conformance/client/<name>` (relative to this crate) as JSON.
pub(crate) fn read_cases(name: &str) -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../conformance/client")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The snake_case name the case files use for an error kind.
pub(crate) fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidBucketName => "invalid_bucket_name",
        ErrorKind::InvalidObjectKey => "invalid_object_key",
        ErrorKind::InvalidRegion => "invalid_region",
        ErrorKind::InvalidEndpoint => "invalid_endpoint",
        ErrorKind::InvalidExpiry => "invalid_expiry",
        ErrorKind::InvalidRequest => "invalid_request",
        ErrorKind::InvalidConfig => "invalid_config",
        ErrorKind::Credentials => "credentials",
        ErrorKind::Signing => "signing",
        _ => "other",
    }
}

/// A string value, or `{"repeat": s, "times": n}`.
pub(crate) fn text_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Object(o) => {
            let unit = o["repeat"].as_str().expect("repeat is a string");
            let times = o["times"].as_u64().expect("times is a number");
            unit.repeat(usize::try_from(times).expect("small"))
        }
        other => panic!("not a text value: {other}"),
    }
}
