//! `oss-presign url`: presign one request, as the official "presign" sample does.
//!
//! Credentials come from the default credential chain of `oss-credentials`, whose first
//! source is the environment (`OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET`, optional
//! `OSS_SESSION_TOKEN`). Output, one line each:
//!
//! ```text
//! method: GET, expiration: 2024-11-12T10:27:56.000Z, url: https://...
//! signed headers key: content-type, signed headers value: text/plain
//! ```
//!
//! or, with `--json`, one object with `method`, `expiration`, `url` and `signed_headers`.

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, ValueEnum};
use oss_client::{
    Client, Config, ErrorKind, FixedClock, ObjectRequest, PresignOptions, PresignResult,
    SignatureVersion, SigningTime,
};
use oss_credentials::DefaultChain;

use crate::duration_arg;

/// Options of `oss-presign url`.
#[derive(Debug, Args)]
pub(crate) struct UrlArgs {
    /// Region id, e.g. cn-hangzhou (the V4 scope region).
    #[arg(long, env = "OSS_REGION")]
    region: Option<String>,
    /// Bucket name.
    #[arg(long)]
    bucket: String,
    /// Object key.
    #[arg(long)]
    key: String,
    /// Endpoint: a host with an optional :port and http:// or https:// (default: derived from the region).
    #[arg(long, env = "OSS_ENDPOINT")]
    endpoint: Option<String>,
    /// Validity from now: seconds or 30m, 1h30m, 7d (default 15m; V4 allows at most 7d).
    #[arg(long, conflicts_with = "expiration")]
    expires: Option<String>,
    /// Absolute expiration, UTC, e.g. 2024-11-12T10:27:56Z.
    #[arg(long)]
    expiration: Option<String>,
    /// HTTP method the URL is for.
    #[arg(long, default_value = "GET")]
    method: String,
    /// Request header to sign for, `name:value` (repeatable).
    #[arg(long = "header", value_name = "NAME:VALUE")]
    headers: Vec<String>,
    /// Query parameter, `name=value` or `name` (repeatable).
    #[arg(long = "query", value_name = "NAME=VALUE")]
    query: Vec<String>,
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
    signing_time: Option<String>,
    /// Print one JSON object instead of the sample's lines.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Version {
    V1,
    V4,
}

const CREDENTIALS_HINT: &str = "set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET (and OSS_SESSION_TOKEN for STS credentials), or configure another source of the default credential chain";

pub(crate) fn run(args: UrlArgs) -> ExitCode {
    match presign(&args) {
        Ok(result) => {
            print_result(&result, args.json);
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn presign(args: &UrlArgs) -> Result<PresignResult, String> {
    let mut builder = Config::builder()
        .signature_version(match args.signature_version {
            Version::V1 => SignatureVersion::V1,
            Version::V4 => SignatureVersion::V4,
        })
        .use_path_style(args.path_style)
        .use_cname(args.cname)
        .use_internal_endpoint(args.internal)
        .use_accelerate_endpoint(args.accelerate)
        .use_dualstack_endpoint(args.dualstack)
        .disable_ssl(args.disable_ssl)
        .additional_headers(args.additional_headers.iter().cloned())
        .credentials_provider(DefaultChain::new());
    if let Some(region) = &args.region {
        builder = builder.region(region.as_str());
    }
    if let Some(endpoint) = &args.endpoint {
        builder = builder.endpoint(endpoint.as_str());
    }
    if let Some(text) = &args.signing_time {
        let at = SigningTime::parse_rfc3339(text).map_err(|e| format!("--signing-time: {e}"))?;
        builder = builder.clock(FixedClock::new(at));
    }
    let client = Client::new(builder.build().map_err(|e| e.to_string())?);

    let mut request = ObjectRequest::new(
        args.method.as_str(),
        args.bucket.as_str(),
        args.key.as_str(),
    );
    for header in &args.headers {
        let (name, value) = header.split_once(':').ok_or_else(|| {
            format!("--header {header:?} is not NAME:VALUE (e.g. \"Content-Type:text/plain\")")
        })?;
        request = request.header(name.trim(), value.trim());
    }
    for param in &args.query {
        let (name, value) = param.split_once('=').unwrap_or((param.as_str(), ""));
        request = request.parameter(name, value);
    }

    let mut options = PresignOptions::new();
    if let Some(text) = &args.expires {
        let seconds = duration_arg::parse_seconds(text).map_err(|e| format!("--expires: {e}"))?;
        options = options.expires(Duration::from_secs(seconds));
    }
    if let Some(text) = &args.expiration {
        let at = SigningTime::parse_rfc3339(text).map_err(|e| format!("--expiration: {e}"))?;
        options = options.expiration(to_system_time(at));
    }

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime
        .block_on(client.presign_async(&request, &options))
        .map_err(|e| {
            if e.kind() == ErrorKind::Credentials {
                format!("no usable credentials: {CREDENTIALS_HINT}\n  caused by: {e}")
            } else {
                e.to_string()
            }
        })
}

fn to_system_time(at: SigningTime) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(at.unix_seconds().unsigned_abs())
}

/// `2024-11-12T10:27:56.000Z`, the sample's format.
fn sample_time(at: SigningTime) -> String {
    let text = at.to_rfc3339();
    match text.strip_suffix('Z') {
        Some(stem) => format!("{stem}.000Z"),
        None => text,
    }
}

fn print_result(result: &PresignResult, json: bool) {
    if json {
        let headers: serde_json::Map<String, serde_json::Value> = result
            .signed_headers()
            .iter()
            .map(|(n, v)| (n.clone(), serde_json::Value::String(v.clone())))
            .collect();
        let object = serde_json::json!({
            "method": result.method(),
            "expiration": sample_time(result.expiration()),
            "url": result.url(),
            "signed_headers": headers,
        });
        println!("{object}");
        return;
    }
    println!(
        "method: {}, expiration: {}, url: {}",
        result.method(),
        sample_time(result.expiration()),
        result.url()
    );
    for (name, value) in result.signed_headers() {
        println!("signed headers key: {name}, signed headers value: {value}");
    }
}
