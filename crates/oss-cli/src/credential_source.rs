//! Where `url` and `verify` get credentials: the default chain of `oss-credentials`, with an
//! optional profile name (`--profile`, the same as `ALIBABA_CLOUD_PROFILE`).

use oss_credentials::{Credentials, DefaultChain, ProvideCredentials};

use crate::exit_code::{Failure, CREDENTIALS};

/// How to get credentials, shown when there are none.
pub(crate) const CREDENTIALS_HINT: &str = "set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET (and OSS_SESSION_TOKEN for STS credentials), or configure another source of the default credential chain (ALIBABA_CLOUD_* variables, ~/.aliyun/config.json, ~/.alibabacloud/credentials.ini, ossutil's ~/.ossutilconfig or -c FILE for `url`, --profile NAME)";

/// The default chain over the process environment; with a profile (`--profile`, or
/// `ALIBABA_CLOUD_PROFILE`), only that profile of ~/.aliyun/config.json or the INI file, even
/// when credentials are set in the environment.
pub(crate) fn chain(profile: Option<&str>) -> DefaultChain {
    match profile {
        None => DefaultChain::new(),
        Some(name) => DefaultChain::builder().profile(name).build(),
    }
}

/// Resolves credentials from the chain; a failure says how to configure them. Sources the
/// chain skipped because they are broken are printed to stderr as warnings.
pub(crate) async fn resolve(profile: Option<&str>) -> Result<Credentials, Failure> {
    let credentials = chain(profile)
        .provide_credentials()
        .await
        .map_err(|e| no_credentials(&e.to_string()))?;
    print_warnings(&credentials);
    Ok(credentials)
}

/// Prints the sources the chain skipped because they are broken (stderr, one line each).
pub(crate) fn print_warnings(credentials: &Credentials) {
    for warning in credentials.warnings() {
        eprintln!("warning: {warning}");
    }
}

/// The failure for missing or unusable credentials.
pub(crate) fn no_credentials(cause: &str) -> Failure {
    Failure::new(
        CREDENTIALS,
        format!("no usable credentials: {CREDENTIALS_HINT}\n  caused by: {cause}"),
    )
}

/// The failure for a presign error: credentials (exit 3) or usage (exit 2).
pub(crate) fn presign_failure(e: oss_client::Error) -> Failure {
    if e.kind() == oss_client::ErrorKind::Credentials {
        no_credentials(&e.to_string())
    } else {
        Failure::usage(e.to_string())
    }
}
