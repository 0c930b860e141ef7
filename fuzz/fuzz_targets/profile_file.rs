//! The INI credentials-file parser of oss-credentials (`ProfileFileProvider::resolve`), which
//! only reads from a file: each input is written to a file in a per-process temporary folder.
//!
//! Input: the first line names the profile to select (empty: `default`), the rest is the file.
//! Properties: no panic; a resolved source turns into a provider (`into_provider`, which builds
//! but contacts nothing) or a typed error; and no error text nor `Debug` output contains an
//! `access_key_secret` / `security_token` value of the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oss_credentials::{Environment, ProfileFileProvider};
use std::path::PathBuf;
use std::sync::OnceLock;

fn file_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("oss-fuzz-profile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the temporary folder");
        dir.join("credentials")
    })
}

/// Secret values of the file that the parser must never echo: plain alphanumeric values of
/// at least 8 characters that occur once in the whole input (so they cannot also be a
/// profile name, a type or part of another value).
fn secrets(input: &str) -> Vec<&str> {
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
    let mut provider = ProfileFileProvider::with_environment(env.clone()).path(path);
    if !profile.is_empty() {
        provider = provider.profile(profile);
    }
    let secrets = secrets(file);
    let path_text = path.display().to_string();
    let secrets: Vec<&str> = secrets
        .into_iter()
        .filter(|s| !path_text.contains(s) && !profile.contains(s))
        .collect();
    let check = |text: String| {
        for secret in &secrets {
            assert!(
                !text.contains(secret),
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
