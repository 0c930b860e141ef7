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

use libfuzzer_sys::fuzz_target;
use oss_credentials::{CliConfigProvider, Environment};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::OnceLock;

fn file_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("oss-fuzz-cli-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the temporary folder");
        dir.join("config.json")
    })
}

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

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (profile, file) = input.split_once('\n').unwrap_or(("", input));
    let path = file_path();
    std::fs::write(path, file).expect("write the fuzz input");

    let env = Environment::from_map::<&str, &str>([]);
    let mut provider = CliConfigProvider::with_environment(env.clone()).path(path);
    if !profile.is_empty() {
        provider = provider.profile(profile);
    }
    let path_text = path.display().to_string();
    let secrets: Vec<String> = secrets(file)
        .into_iter()
        .filter(|s| !path_text.contains(s.as_str()) && !profile.contains(s.as_str()))
        .collect();
    let check = |text: String| {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "secret {secret:?} shown in {text:?}"
            );
        }
    };
    match provider.resolve() {
        Ok(source) => {
            check(format!("{source:?}"));
            match source.into_provider(&env) {
                Ok(built) => check(format!("{built:?}")),
                Err(error) => check(format!("{error} {error:?}")),
            }
        }
        Err(error) => check(format!("{error} {error:?}")),
    }
});
