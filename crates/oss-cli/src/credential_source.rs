//! Where `url` and `verify` get credentials: the default chain of `oss-credentials`, with an
//! optional profile name (`--profile`, the same as `ALIBABA_CLOUD_PROFILE`).

use oss_credentials::{Credentials, DefaultChain, Environment, ProvideCredentials};

use crate::exit_code::{Failure, CREDENTIALS};

/// How to get credentials, shown when there are none.
pub(crate) const CREDENTIALS_HINT: &str = "set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET (and OSS_SESSION_TOKEN for STS credentials), or configure another source of the default credential chain (ALIBABA_CLOUD_* variables, ~/.aliyun/config.json, ~/.alibabacloud/credentials.ini, ossutil's ~/.ossutilconfig or -c FILE for `url`, --profile NAME)";

/// The default chain over the process environment; with a profile, as if
/// `ALIBABA_CLOUD_PROFILE=<profile>` were set.
pub(crate) fn chain(profile: Option<&str>) -> DefaultChain {
    match profile {
        None => DefaultChain::new(),
        Some(name) => {
            let mut vars: Vec<(String, String)> = std::env::vars()
                .filter(|(k, _)| k != "ALIBABA_CLOUD_PROFILE")
                .collect();
            vars.push(("ALIBABA_CLOUD_PROFILE".to_string(), name.to_string()));
            DefaultChain::builder()
                .environment(Environment::from_map(vars))
                .build()
        }
    }
}

/// Resolves credentials from the chain; a failure says how to configure them.
pub(crate) async fn resolve(profile: Option<&str>) -> Result<Credentials, Failure> {
    chain(profile)
        .provide_credentials()
        .await
        .map_err(|e| no_credentials(&e.to_string()))
}

/// The failure for missing or unusable credentials.
pub(crate) fn no_credentials(cause: &str) -> Failure {
    Failure::new(
        CREDENTIALS,
        format!("no usable credentials: {CREDENTIALS_HINT}\n  caused by: {cause}"),
    )
}
