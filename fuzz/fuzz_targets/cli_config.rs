//! The Alibaba Cloud CLI `config.json` parser of oss-credentials (`CliConfigProvider::resolve`),
//! which only reads from a file: each input is written to a file in a per-process temporary
//! folder.
//!
//! Input: the first line names the profile to select (empty: `current`, else `default`), the
//! rest is the file. Properties: no panic (including deep or cyclic `source_profile` chains); a
//! resolved source turns into a provider (`into_provider`, which builds but contacts nothing)
//! or a typed error; and no error text nor `Debug` output contains an `access_key_secret` /
//! `sts_token` value of the file.
#![no_main]

mod common;

use common::file_provider_target;
use oss_credentials::CliConfigProvider;
use serde_json::Value;

/// Secret values of the document that must never be echoed: strings of at least 8 characters
/// under `access_key_secret` / `sts_token` that occur once in the raw input.
fn secrets(raw: &str) -> Vec<String> {
    let Ok(document) = serde_json::from_str::<Value>(raw) else {
        return Vec::new();
    };
    let Some(profiles) = document.get("profiles").and_then(Value::as_array) else {
        return Vec::new();
    };
    profiles
        .iter()
        .flat_map(|p| ["access_key_secret", "sts_token"].map(|k| p.get(k).and_then(Value::as_str)))
        .flatten()
        .map(str::trim)
        .filter(|s| s.len() >= 8 && raw.matches(s).count() == 1)
        .map(str::to_owned)
        .collect()
}

file_provider_target!(CliConfigProvider, "cli-config", "config.json", secrets);
