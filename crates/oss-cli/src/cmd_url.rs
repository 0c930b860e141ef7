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
//! or, with `--json`, one object with `method`, `expiration`, `url`, `signed_headers`,
//! `credentials_expiration` (null for long-term keys), `effective_expiration` and
//! `outlives_credentials`. A URL signed for longer than its STS credentials live gets a
//! warning on stderr naming the instant it really stops working.

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, ValueEnum};
use oss_client::{
    AbortMultipartUploadRequest, Client, CompleteMultipartUploadRequest, Config, ErrorKind,
    FixedClock, GetObjectRequest, HeadObjectRequest, InitiateMultipartUploadRequest, ObjectRequest,
    PresignOptions, PresignResult, Presignable, PutObjectRequest, SignatureVersion, SigningTime,
    UploadPartRequest,
};

use crate::credential_source;
use crate::duration_arg;
use crate::exit_code::{self, Failure};

/// Examples shown by `oss-presign url --help`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  # GetObject, valid 15 minutes (the default), credentials from OSS_ACCESS_KEY_ID/SECRET
  oss-presign url --region cn-hangzhou --bucket examplebucket --key photos/cat.jpg
  # a PUT that must send this Content-Type, valid one hour, as JSON
  oss-presign url --region cn-hangzhou --bucket examplebucket --key up.txt --op put \\
      --header Content-Type:text/plain --expires 1h --json
  # UploadPart 3 of an upload, with the credentials of profile 'prod'
  oss-presign url --profile prod --region cn-hangzhou --bucket b --key big.iso \\
      --op upload-part --upload-id 0004B9894A22E5B1888A1E29F823**** --part-number 3
  # a V1 URL through the internal endpoint
  oss-presign url --region cn-hangzhou --bucket b --key k --signature-version v1 --internal
  # the local server of `oss-presign serve` (path style is automatic for IP endpoints)
  oss-presign url --endpoint http://127.0.0.1:9000 --region cn-hangzhou --bucket b --key k";

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
    /// The operation (sets the method and its query parameters); overrides --method.
    #[arg(long, value_enum)]
    op: Option<Operation>,
    /// Upload id, for --op upload-part, complete-multipart and abort-multipart.
    #[arg(long)]
    upload_id: Option<String>,
    /// Part number (1 to 10000), for --op upload-part.
    #[arg(long)]
    part_number: Option<u32>,
    /// HTTP method the URL is for (without --op: a free-form object request).
    #[arg(long, default_value = "GET")]
    method: String,
    /// Credentials profile (like ALIBABA_CLOUD_PROFILE): a profile of ~/.aliyun/config.json
    /// or a section of ~/.alibabacloud/credentials.ini, used even when credentials are set in
    /// the environment; exit 3 if it exists in neither.
    #[arg(long, env = "ALIBABA_CLOUD_PROFILE")]
    profile: Option<String>,
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

/// The typed operations of `oss-client`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Operation {
    /// GetObject (GET).
    Get,
    /// PutObject (PUT).
    Put,
    /// HeadObject (HEAD).
    Head,
    /// InitiateMultipartUpload (POST ?uploads).
    InitiateMultipart,
    /// UploadPart (PUT ?partNumber&uploadId).
    UploadPart,
    /// CompleteMultipartUpload (POST ?uploadId).
    CompleteMultipart,
    /// AbortMultipartUpload (DELETE ?uploadId).
    AbortMultipart,
}

pub(crate) fn run(args: UrlArgs) -> ExitCode {
    exit_code::finish(presign(&args).and_then(|result| print_result(&result, args.json)))
}

/// Adds the `--header` and `--query` values to a typed request (all have the same fields).
macro_rules! with_extras {
    ($request:expr, $headers:expr, $query:expr) => {{
        let mut request = $request;
        request.headers.extend($headers.iter().cloned());
        request.parameters.extend($query.iter().cloned());
        Box::new(request) as Box<dyn Presignable + Sync>
    }};
}

fn upload_id(args: &UrlArgs, op: &str) -> Result<String, Failure> {
    args.upload_id.clone().ok_or_else(|| {
        Failure::usage(format!(
            "--op {op} needs --upload-id ID (the id InitiateMultipartUpload returned)"
        ))
    })
}

fn build_request(
    args: &UrlArgs,
    headers: &[(String, String)],
    query: &[(String, String)],
) -> Result<Box<dyn Presignable + Sync>, Failure> {
    let (bucket, key) = (args.bucket.as_str(), args.key.as_str());
    if args.part_number.is_some() && args.op != Some(Operation::UploadPart) {
        return Err(Failure::usage("--part-number is only for --op upload-part"));
    }
    Ok(match args.op {
        None => with_extras!(
            ObjectRequest::new(args.method.as_str(), bucket, key),
            headers,
            query
        ),
        Some(Operation::Get) => with_extras!(GetObjectRequest::new(bucket, key), headers, query),
        Some(Operation::Put) => with_extras!(PutObjectRequest::new(bucket, key), headers, query),
        Some(Operation::Head) => with_extras!(HeadObjectRequest::new(bucket, key), headers, query),
        Some(Operation::InitiateMultipart) => with_extras!(
            InitiateMultipartUploadRequest::new(bucket, key),
            headers,
            query
        ),
        Some(Operation::UploadPart) => {
            let part = args.part_number.ok_or_else(|| {
                Failure::usage("--op upload-part needs --part-number N (1 to 10000)")
            })?;
            with_extras!(
                UploadPartRequest::new(bucket, key, part, upload_id(args, "upload-part")?),
                headers,
                query
            )
        }
        Some(Operation::CompleteMultipart) => with_extras!(
            CompleteMultipartUploadRequest::new(
                bucket,
                key,
                upload_id(args, "complete-multipart")?
            ),
            headers,
            query
        ),
        Some(Operation::AbortMultipart) => with_extras!(
            AbortMultipartUploadRequest::new(bucket, key, upload_id(args, "abort-multipart")?),
            headers,
            query
        ),
    })
}

fn presign(args: &UrlArgs) -> Result<PresignResult, Failure> {
    if args.upload_id.is_some()
        && !matches!(
            args.op,
            Some(Operation::UploadPart | Operation::CompleteMultipart | Operation::AbortMultipart)
        )
    {
        return Err(Failure::usage(
            "--upload-id is only for --op upload-part, complete-multipart or abort-multipart",
        ));
    }
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
        .additional_headers(args.additional_headers.iter().cloned());
    if let Some(region) = &args.region {
        builder = builder.region(region.as_str());
    }
    if let Some(endpoint) = &args.endpoint {
        builder = builder.endpoint(endpoint.as_str());
    }
    if let Some(text) = &args.signing_time {
        let at = SigningTime::parse_rfc3339(text)
            .map_err(|e| Failure::usage(format!("--signing-time: {e}")))?;
        builder = builder.clock(FixedClock::new(at));
    }
    let client = Client::new(builder.build().map_err(|e| Failure::usage(e.to_string()))?);

    let headers = parse_headers(&args.headers)?;
    let query: Vec<(String, String)> = args
        .query
        .iter()
        .map(|param| {
            let (name, value) = param.split_once('=').unwrap_or((param.as_str(), ""));
            (name.to_string(), value.to_string())
        })
        .collect();
    let request = build_request(args, &headers, &query)?;

    let mut options = PresignOptions::new();
    if let Some(text) = &args.expires {
        let seconds = duration_arg::parse_seconds(text)
            .map_err(|e| Failure::usage(format!("--expires: {e}")))?;
        options = options.expires(Duration::from_secs(seconds));
    }
    if let Some(text) = &args.expiration {
        let at = SigningTime::parse_rfc3339(text)
            .map_err(|e| Failure::usage(format!("--expiration: {e}")))?;
        options = options.expiration(to_system_time(at));
    }

    let runtime = exit_code::runtime()?;
    let credentials = runtime.block_on(credential_source::resolve(args.profile.as_deref()))?;
    client
        .presign_with_credentials(&*request, &options, &credentials)
        .map_err(|e| {
            if e.kind() == ErrorKind::Credentials {
                credential_source::no_credentials(&e.to_string())
            } else {
                Failure::usage(e.to_string())
            }
        })
}

/// The warning for a URL signed for longer than its credentials live (STS tokens): OSS
/// checks the token on every request, so the URL stops working when the token expires.
fn lifetime_warning(result: &PresignResult) -> Option<String> {
    let credentials = result.credentials_expiration()?;
    result.outlives_credentials().then(|| {
        format!(
            "warning: the URL is signed until {} but its credentials (an STS token) expire at {}; OSS refuses the URL from {} on. Use an --expires of at most the token's remaining life, or longer-lived credentials.",
            sample_time(result.expiration()),
            sample_time(credentials),
            sample_time(result.effective_expiration()),
        )
    })
}

/// Parses `--header NAME:VALUE` values (names and values trimmed).
pub(crate) fn parse_headers(values: &[String]) -> Result<Vec<(String, String)>, Failure> {
    values
        .iter()
        .map(|header| {
            let (name, value) = header.split_once(':').ok_or_else(|| {
                Failure::usage(format!(
                    "--header {header:?} is not NAME:VALUE (e.g. \"Content-Type:text/plain\")"
                ))
            })?;
            if name.trim().is_empty() {
                return Err(Failure::usage(format!(
                    "--header {header:?} has an empty name; expected NAME:VALUE"
                )));
            }
            Ok((name.trim().to_string(), value.trim().to_string()))
        })
        .collect()
}

pub(crate) fn to_system_time(at: SigningTime) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(at.unix_seconds().unsigned_abs())
}

/// `2024-11-12T10:27:56.000Z`, the sample's format.
pub(crate) fn sample_time(at: SigningTime) -> String {
    let text = at.to_rfc3339();
    match text.strip_suffix('Z') {
        Some(stem) => format!("{stem}.000Z"),
        None => text,
    }
}

fn print_result(result: &PresignResult, json: bool) -> Result<(), Failure> {
    let text = if json {
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
            "credentials_expiration": result.credentials_expiration().map(sample_time),
            "effective_expiration": sample_time(result.effective_expiration()),
            "outlives_credentials": result.outlives_credentials(),
        });
        format!("{object}\n")
    } else {
        let mut text = format!(
            "method: {}, expiration: {}, url: {}\n",
            result.method(),
            sample_time(result.expiration()),
            result.url()
        );
        for (name, value) in result.signed_headers() {
            text.push_str(&format!(
                "signed headers key: {name}, signed headers value: {value}\n"
            ));
        }
        text
    };
    if let Some(warning) = lifetime_warning(result) {
        eprintln!("{warning}");
    }
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure::internal(format!("cannot write the URL: {e}")))
}
