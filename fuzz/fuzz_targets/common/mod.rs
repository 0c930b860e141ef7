//! What several fuzz targets share: borrowing the fuzzer's owned strings as the `&str` slices
//! the signing API takes, a request for the signer from optional bucket and key, and (for the
//! file providers) the per-process input file, the secret check of every output and the whole
//! target ([`file_provider_target`]).
#![allow(dead_code)]

use oss_credentials::{CredentialSource, CredentialsError, Environment};
use oss_sign_core::SignableRequest;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// `(name, value)` pairs as borrowed pairs.
pub fn borrow_pairs(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

/// Strings as borrowed strings.
pub fn borrow_all(items: &[String]) -> Vec<&str> {
    items.iter().map(String::as_str).collect()
}

/// A request to sign: `method` with `query` and `headers`, for `bucket` and `key` when given.
pub fn signable<'a>(
    method: &'a str,
    bucket: Option<&'a str>,
    key: Option<&'a str>,
    query: &'a [(&'a str, &'a str)],
    headers: &'a [(&'a str, &'a str)],
) -> SignableRequest<'a> {
    let mut request = SignableRequest::new(method).query(query).headers(headers);
    if let Some(bucket) = bucket {
        request = request.bucket(bucket);
    }
    if let Some(key) = key {
        request = request.key(key);
    }
    request
}

/// The file a file-provider target writes each input to: `file_name` in the folder
/// `oss-fuzz-<folder>-<process id>` of the temporary directory, created on first use.
pub fn input_file(folder: &str, file_name: &str) -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("oss-fuzz-{folder}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the temporary folder");
        dir.join(file_name)
    })
}

/// One input of a file-provider target: the first line of `data` names the profile (empty:
/// the provider's default), the rest is written to `path` as the file. `resolve` reads it
/// with that profile (`None` for the default); `secrets` finds the secret values of the file.
/// The resolved source, the provider it builds and every error must show none of the
/// secrets (leaving out those that are part of the path or the profile name).
pub fn check_file_provider(
    data: &[u8],
    path: &Path,
    secrets: impl Fn(&str) -> Vec<String>,
    resolve: impl Fn(&Environment, Option<&str>) -> Result<CredentialSource, CredentialsError>,
) {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (profile, file) = input.split_once('\n').unwrap_or(("", input));
    std::fs::write(path, file).expect("write the fuzz input");

    let env = Environment::from_map::<&str, &str>([]);
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
    match resolve(&env, Some(profile).filter(|p| !p.is_empty())) {
        Ok(source) => {
            check(format!("{source:?}"));
            match source.into_provider(&env) {
                Ok(built) => check(format!("{built:?}")),
                Err(error) => check(format!("{error} {error:?}")),
            }
        }
        Err(error) => check(format!("{error} {error:?}")),
    }
}

/// The `fuzz_target!` of a file provider `$provider` (`ProfileFileProvider`,
/// `CliConfigProvider`): each input is written to `$file_name` in the folder `$folder` (see
/// [`input_file`]) and resolved by a provider reading that file with the input's profile, and
/// [`check_file_provider`] checks the outcome against `$secrets`.
#[allow(unused_macros)] // verify and presign include this module without it
macro_rules! file_provider_target {
    ($provider:ty, $folder:literal, $file_name:literal, $secrets:path) => {
        libfuzzer_sys::fuzz_target!(|data: &[u8]| {
            let path = $crate::common::input_file($folder, $file_name);
            $crate::common::check_file_provider(data, path, $secrets, |env, profile| {
                let provider = <$provider>::with_environment(env.clone()).path(path);
                match profile {
                    Some(profile) => provider.profile(profile).resolve(),
                    None => provider.resolve(),
                }
            });
        });
    };
}
#[allow(unused_imports)] // likewise
pub(crate) use file_provider_target;
