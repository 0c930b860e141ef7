//! ossutil 2.0's configuration as a source for `url`: credentials, region, endpoint and
//! addressing style (and ossutil 1.x's per-bucket `[Bucket-Cname]`/`[Bucket-Endpoint]`) from `~/.ossutilconfig` (or `-c/--config-file`, `OSSUTIL_CONFIG_FILE`),
//! profile from `--profile`, else `OSSUTIL_PROFILE`, else `default`.
//!
//! Precedence is ossutil's own: flags, then environment variables, then the file. For
//! credentials that means: the environment (`OSS_*`, `ALIBABA_CLOUD_*` keys, and the OIDC
//! role variables), then the ossutil profile, then the rest of the default chain
//! (`~/.aliyun/config.json`, `~/.alibabacloud/credentials`, ECS metadata, credentials URI),
//! unchanged. Without an ossutil file the chain is exactly the default chain (the ossutil
//! source answers "not loaded" and is passed over).

use std::path::PathBuf;

use clap::Args;
use oss_credentials::{
    ChainProvider, DefaultChain, EnvProvider, Environment, OssutilBucketHosts,
    OssutilConfigProvider, OssutilSettings,
};

use crate::credential_source;
use crate::exit_code::Failure;

/// The ossutil flags of `url`.
#[derive(Debug, Default, Args)]
pub(crate) struct OssutilArgs {
    /// ossutil configuration file to read credentials, region and endpoint from (default:
    /// OSSUTIL_CONFIG_FILE, else ~/.ossutilconfig; profile: --profile, else OSSUTIL_PROFILE,
    /// else default).
    #[arg(short = 'c', long = "config-file", value_name = "FILE")]
    config_file: Option<PathBuf>,
}

/// The ossutil source of one command.
#[derive(Debug)]
pub(crate) struct OssutilSource {
    provider: OssutilConfigProvider,
    settings: Option<OssutilSettings>,
    bucket_hosts: OssutilBucketHosts,
}

impl OssutilSource {
    /// Reads the file's settings (a file that cannot be read or parsed is a failure, exit 3).
    pub(crate) fn load(args: &OssutilArgs, profile: Option<&str>) -> Result<Self, Failure> {
        let provider = Self::provider(args, profile);
        let settings = provider.settings().map_err(|e| {
            credential_source::no_credentials(&format!("the ossutil configuration: {e}"))
        })?;
        let bucket_hosts = provider.bucket_hosts().map_err(|e| {
            credential_source::no_credentials(&format!("the ossutil configuration: {e}"))
        })?;
        Ok(Self {
            provider,
            settings,
            bucket_hosts,
        })
    }

    fn provider(args: &OssutilArgs, profile: Option<&str>) -> OssutilConfigProvider {
        let mut provider = OssutilConfigProvider::new();
        if let Some(path) = &args.config_file {
            provider = provider.config_file(path);
        }
        if let Some(profile) = profile {
            provider = provider.profile(profile);
        }
        provider
    }

    /// The file's `[Bucket-Cname]` and `[Bucket-Endpoint]` entries (empty without a file).
    pub(crate) fn bucket_hosts(&self) -> &OssutilBucketHosts {
        &self.bucket_hosts
    }

    /// The file read, for messages (`None` without a file or profile).
    pub(crate) fn path(&self) -> Option<String> {
        self.settings
            .as_ref()
            .map(|s| s.path().display().to_string())
    }

    /// The profile's `region`, if any.
    pub(crate) fn region(&self) -> Option<&str> {
        self.settings.as_ref().and_then(OssutilSettings::region)
    }

    /// The profile's `endpoint`, if any.
    pub(crate) fn endpoint(&self) -> Option<&str> {
        self.settings.as_ref().and_then(OssutilSettings::endpoint)
    }

    /// Whether the profile asks for path-style URLs (`addressing-style = path`).
    pub(crate) fn path_style(&self) -> bool {
        self.settings
            .as_ref()
            .and_then(OssutilSettings::addressing_style)
            == Some("path")
    }

    /// Whether the profile's endpoint is a custom domain (`addressing-style = cname`).
    pub(crate) fn cname(&self) -> bool {
        self.settings
            .as_ref()
            .and_then(OssutilSettings::addressing_style)
            == Some("cname")
    }

    /// The credentials chain with the ossutil profile in its place: after the environment
    /// (and the OIDC role variables), before the default chain's files. With a profile named
    /// explicitly (`--profile`, `ALIBABA_CLOUD_PROFILE`) the environment's keys are not used:
    /// the named profile of the ossutil file, else of the default chain's profile files (which
    /// refuses a name found nowhere). Like the default chain, a broken source is skipped (and
    /// reported as a warning) rather than ending the walk.
    pub(crate) fn chain(self, default_chain: DefaultChain) -> ChainProvider {
        let chain = ChainProvider::new().named("default+ossutil").try_all(true);
        if default_chain.profile().is_some() {
            return chain.push(self.provider).push(default_chain);
        }
        let env = Environment::process();
        let oidc_configured = [
            "ALIBABA_CLOUD_ROLE_ARN",
            "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
            "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
        ]
        .iter()
        .all(|name| env.get(name).is_some());
        if oidc_configured {
            // The default chain answers from the environment or the OIDC role first.
            chain.push(default_chain).push(self.provider)
        } else {
            chain
                .push(EnvProvider::new())
                .push(self.provider)
                .push(default_chain)
        }
    }
}
