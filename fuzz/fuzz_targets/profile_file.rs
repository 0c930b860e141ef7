//! The INI credentials-file parser of oss-credentials (`ProfileFileProvider::resolve`), which
//! only reads from a file: each input is written to a file in a per-process temporary folder.
//!
//! Input: the first line names the profile to select (empty: `default`), the rest is the file.
//! Properties: no panic; a resolved source turns into a provider (`into_provider`, which builds
//! but contacts nothing) or a typed error; and no error text nor `Debug` output contains an
//! `access_key_secret` / `security_token` value of the file.
#![no_main]

mod common;

use common::file_provider_target;
use oss_credentials::ProfileFileProvider;

/// Secret values of the file that the parser must never echo: plain alphanumeric values of
/// at least 8 characters that occur once in the whole input (so they cannot also be a
/// profile name, a type or part of another value).
fn secrets(input: &str) -> Vec<String> {
    input
        .lines()
        .filter_map(|line| line.split_once('='))
        .filter(|(key, _)| {
            let key = key.trim().to_ascii_lowercase();
            key == "access_key_secret" || key == "security_token"
        })
        .map(|(_, value)| value.trim())
        .filter(|value| value.len() >= 8 && value.bytes().all(|b| b.is_ascii_alphanumeric()))
        .filter(|value| input.matches(value).count() == 1)
        .map(str::to_owned)
        .collect()
}

file_provider_target!(ProfileFileProvider, "profile", "credentials", secrets);
