//! The flags that make a presigning client (region, endpoint, addressing, signature version,
//! credentials profile, ossutil's configuration), shared by `url` and by `get` when it presigns
//! itself, and the clients they make: one for most buckets, and one per bucket that ossutil's
//! `[Bucket-Cname]` / `[Bucket-Endpoint]` sections send elsewhere.
//!
//! Endpoint priority, ossutil's documented one: `--endpoint`/`OSS_ENDPOINT` > the bucket's
//! `[Bucket-Cname]` > its `[Bucket-Endpoint]` > the profile's `endpoint` > derived from the
//! region. An explicit endpoint turns the two sections off (as ossutil's `-e` does). A bucket
//! endpoint that is a standard OSS host (`oss-REGION[-internal].aliyuncs.com`,
//! `REGION.oss.aliyuncs.com`) also gives the V4 scope region of that bucket's URLs, since OSS
//! refuses a V4 URL whose scope names another region than the bucket's.

use std::collections::HashMap;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use oss_client::{Client, Config, ConfigBuilder, FixedClock, SignatureVersion, SigningTime};
use oss_credentials::{BucketHost, ProvideCredentials};

use crate::credential_source;
use crate::exit_code::Failure;
use crate::ossutil_source::{OssutilArgs, OssutilSource};
use crate::time_arg;

/// The client flags of `url` (and of `get` with `oss://BUCKET/KEY`).
#[derive(Debug, Args)]
pub(crate) struct ClientFlags {
    /// Region id, e.g. cn-hangzhou (the V4 scope region).
    #[arg(long, env = "OSS_REGION")]
    pub(crate) region: Option<String>,
    /// Endpoint: a host with an optional :port and http:// or https:// (default: derived from
    /// the region; wins over ossutil's [Bucket-Cname] and [Bucket-Endpoint] sections).
    #[arg(long, env = "OSS_ENDPOINT")]
    pub(crate) endpoint: Option<String>,
    /// Credentials profile (like ALIBABA_CLOUD_PROFILE): a profile of ~/.aliyun/config.json
    /// or a section of ~/.alibabacloud/credentials.ini, used even when credentials are set in
    /// the environment (exit 3 if it exists nowhere), and the ossutil profile (like
    /// OSSUTIL_PROFILE) of ~/.ossutilconfig.
    #[arg(long, env = "ALIBABA_CLOUD_PROFILE")]
    pub(crate) profile: Option<String>,
    /// Further header names to sign (V4; repeatable).
    #[arg(long = "additional-header", value_name = "NAME")]
    additional_headers: Vec<String>,
    /// Signature version.
    #[arg(long, value_enum, default_value_t = Version::V4)]
    signature_version: Version,
    /// Put the bucket in the path instead of the host.
    #[arg(long)]
    path_style: bool,
    /// The endpoint is a custom domain bound to the bucket.
    #[arg(long)]
    cname: bool,
    /// Use the region's internal endpoint.
    #[arg(long)]
    internal: bool,
    /// Use the transfer acceleration endpoint.
    #[arg(long)]
    accelerate: bool,
    /// Use the dual-stack endpoint.
    #[arg(long)]
    dualstack: bool,
    /// Use http for endpoints without a scheme.
    #[arg(long)]
    disable_ssl: bool,
    /// Sign at this instant instead of now (UTC, e.g. 2024-11-12T09:27:56Z), for reproducible URLs.
    #[arg(long)]
    pub(crate) signing_time: Option<String>,
    #[command(flatten)]
    ossutil: OssutilArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Version {
    V1,
    V4,
}

/// The clients of one command: `base` for every bucket without a host of its own in ossutil's
/// sections, one per bucket that has one (a bucket's client that could not be built keeps its
/// error, reported only when that bucket is used).
pub(crate) struct ClientSet {
    base: Client,
    by_bucket: HashMap<String, Result<Client, String>>,
    /// The credentials provider all clients share, for `--list` to ask once and sign many.
    pub(crate) provider: Arc<dyn ProvideCredentials>,
    /// `--signing-time`, parsed.
    pub(crate) signing_time: Option<SigningTime>,
}

impl ClientSet {
    /// The client for `bucket`; the error says which ossutil entry could not be used.
    pub(crate) fn for_bucket(&self, bucket: &str) -> Result<&Client, &str> {
        if self.by_bucket.is_empty() {
            return Ok(&self.base);
        }
        match self.by_bucket.get(bucket) {
            None => Ok(&self.base),
            Some(Ok(client)) => Ok(client),
            Some(Err(message)) => Err(message),
        }
    }

    /// [`for_bucket`](Self::for_bucket) as a usage failure.
    pub(crate) fn for_bucket_or_fail(&self, bucket: &str) -> Result<&Client, Failure> {
        self.for_bucket(bucket).map_err(Failure::usage)
    }
}

/// The region a standard OSS endpoint names: `oss-REGION.aliyuncs.com`,
/// `oss-REGION-internal.aliyuncs.com` or `REGION.oss.aliyuncs.com`, with or without a scheme
/// and port; `None` for anything else (custom domains, IPs, accelerate endpoints).
pub(crate) fn region_of_endpoint(endpoint: &str) -> Option<&str> {
    let rest = endpoint
        .strip_prefix("https://")
        .or_else(|| endpoint.strip_prefix("http://"))
        .unwrap_or(endpoint);
    let host = rest.split(['/', ':']).next().unwrap_or(rest);
    let region = if let Some(label) = host.strip_suffix(".oss.aliyuncs.com") {
        label
    } else {
        let name = host.strip_suffix(".aliyuncs.com")?.strip_prefix("oss-")?;
        name.strip_suffix("-internal").unwrap_or(name)
    };
    let plausible = !region.is_empty()
        && !region.contains('.')
        && !region.starts_with("accelerate")
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    plausible.then_some(region)
}

impl ClientFlags {
    /// Builds the clients: flags and environment variables (clap merges the two) win over the
    /// ossutil file.
    pub(crate) fn build(&self) -> Result<ClientSet, Failure> {
        let ossutil = OssutilSource::load(&self.ossutil, self.profile.as_deref())?;
        let region = self
            .region
            .as_deref()
            .or(ossutil.region())
            .map(str::to_owned);
        let endpoint = self
            .endpoint
            .as_deref()
            .or(ossutil.endpoint())
            .map(str::to_owned);
        if region.is_none() && endpoint.is_none() {
            return Err(Failure::usage(
                "neither a region nor an endpoint is set: give --region (e.g. cn-hangzhou) or OSS_REGION, or set `region` in the ossutil configuration (~/.ossutilconfig, -c FILE)",
            ));
        }
        let (path_style, cname) = (ossutil.path_style(), ossutil.cname());
        // An explicit endpoint turns the per-bucket sections off, as ossutil's -e does.
        let bucket_hosts = match self.endpoint {
            Some(_) => Vec::new(),
            None => ossutil.bucket_hosts().iter().collect(),
        };
        let path = ossutil
            .path()
            .unwrap_or_else(|| "the ossutil configuration".to_owned());
        let provider: Arc<dyn ProvideCredentials> =
            Arc::new(ossutil.chain(credential_source::chain(self.profile.as_deref())));
        let signing_time = match &self.signing_time {
            None => None,
            Some(text) => Some(
                time_arg::parse_instant(text)
                    .map_err(|e| Failure::usage(format!("--signing-time: {e}")))?,
            ),
        };
        let builder = |region: Option<&str>, endpoint: Option<&str>, cname: bool| {
            let mut builder: ConfigBuilder = Config::builder()
                .signature_version(match self.signature_version {
                    Version::V1 => SignatureVersion::V1,
                    Version::V4 => SignatureVersion::V4,
                })
                .use_path_style(self.path_style || path_style)
                .use_cname(cname)
                .use_internal_endpoint(self.internal)
                .use_accelerate_endpoint(self.accelerate)
                .use_dualstack_endpoint(self.dualstack)
                .disable_ssl(self.disable_ssl)
                .additional_headers(self.additional_headers.iter().cloned())
                .shared_credentials_provider(Arc::clone(&provider));
            if let Some(region) = region {
                builder = builder.region(region);
            }
            if let Some(endpoint) = endpoint {
                builder = builder.endpoint(endpoint);
            }
            if let Some(at) = signing_time {
                builder = builder.clock(FixedClock::new(at));
            }
            builder.build().map(Client::new)
        };
        let base = builder(region.as_deref(), endpoint.as_deref(), self.cname || cname)
            .map_err(|e| Failure::usage(e.to_string()))?;
        let by_bucket = bucket_hosts
            .into_iter()
            .map(|(bucket, host)| {
                let (section, is_cname) = match &host {
                    BucketHost::Cname(_) => ("Bucket-Cname", true),
                    _ => ("Bucket-Endpoint", false),
                };
                let bucket_region = region_of_endpoint(host.host()).or(region.as_deref());
                let client = builder(bucket_region, Some(host.host()), is_cname).map_err(|e| {
                    format!("bucket {bucket}: its [{section}] entry in {path} cannot be used: {e}")
                });
                (bucket, client)
            })
            .collect();
        Ok(ClientSet {
            base,
            by_bucket,
            provider,
            signing_time,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_of_standard_endpoints() {
        for (endpoint, region) in [
            ("oss-cn-shanghai.aliyuncs.com", Some("cn-shanghai")),
            (
                "https://oss-cn-shanghai-internal.aliyuncs.com",
                Some("cn-shanghai"),
            ),
            (
                "http://oss-ap-southeast-1.aliyuncs.com:80/",
                Some("ap-southeast-1"),
            ),
            ("cn-beijing.oss.aliyuncs.com", Some("cn-beijing")),
            ("oss-accelerate.aliyuncs.com", None),
            ("oss-accelerate-overseas.aliyuncs.com", None),
            ("static.example.com", None),
            ("127.0.0.1:9000", None),
            ("oss-.aliyuncs.com", None),
            ("b.oss-cn-hangzhou.aliyuncs.com", None),
        ] {
            assert_eq!(region_of_endpoint(endpoint), region, "{endpoint}");
        }
    }
}
