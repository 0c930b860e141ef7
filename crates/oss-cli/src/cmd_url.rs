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
//! or, with `--output url`, the URL alone; with `--output json` (`--json`), one object with
//! `method`, `expiration`, `url`, `signed_headers`, `credentials_expiration` (null for
//! long-term keys), `effective_expiration` and `outlives_credentials` (see [`output_format`]).
//! The object is `oss://BUCKET/KEY` or `--bucket`/`--key`; `--list FILE` presigns many (see
//! [`url_list`]). A URL signed for longer than its STS credentials live gets a warning on
//! stderr naming the instant it really stops working.

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, ValueEnum};
use oss_client::{
    AbortMultipartUploadRequest, CompleteMultipartUploadRequest, GetObjectRequest,
    HeadObjectRequest, InitiateMultipartUploadRequest, ObjectRequest, PresignOptions,
    PresignResult, PutObjectRequest, SigningTime, UploadPartRequest,
};
use oss_credentials::ProvideCredentials;

use crate::arg_text::excerpt;
use crate::client_flags::ClientFlags;
use crate::credential_source;
use crate::duration_arg;
use crate::exit_code::{self, Failure};
use crate::object_uri;
use crate::output_format::{self, sample_time, OutputFormat};
use crate::request_template::{Prepared, RequestFlags, RequestTemplate};
use crate::time_arg;
use crate::url_list;
use crate::url_post_policy;

/// Examples shown by `oss-presign url --help`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  # GetObject, valid 15 minutes (the default), credentials from OSS_ACCESS_KEY_ID/SECRET
  oss-presign url --region cn-hangzhou oss://examplebucket/photos/cat.jpg
  # the same with --bucket/--key; print the URL alone and download it
  curl -fSO \"$(oss-presign url --region cn-hangzhou --bucket examplebucket --key photos/cat.jpg --output url)\"
  # one URL per line for every object listed in keys.txt (one key per line), valid 1 week
  oss-presign url --region cn-hangzhou --bucket examplebucket --list keys.txt --expires 1w --output url
  # a download that is saved under another name, at most 100 KiB/s
  oss-presign url --region cn-hangzhou oss://examplebucket/report.pdf \\
      --response-content-disposition 'attachment; filename=\"q3.pdf\"' --traffic-limit 819200
  # a PUT that must send this Content-Type, valid one hour, as JSON
  oss-presign url --region cn-hangzhou --bucket examplebucket --key up.txt --op put \\
      --content-type text/plain --expires 1h --json
  # UploadPart 3 of an upload, with the credentials of profile 'prod'
  oss-presign url --profile prod --region cn-hangzhou --bucket b --key big.iso \\
      --op upload-part --upload-id 0004B9894A22E5B1888A1E29F823**** --part-number 3
  # a V1 URL through the internal endpoint
  oss-presign url --region cn-hangzhou --bucket b --key k --signature-version v1 --internal
  # the form of a browser upload under user/ (at most 10 MiB, PNG only), as JSON
  oss-presign url --region cn-hangzhou --bucket examplebucket --op post-policy --key-prefix user/ \\
      --content-length-range 1,10MiB --content-type image/png --expires 1h --json
  # the local server of `oss-presign serve` (path style is automatic for IP endpoints)
  oss-presign url --endpoint http://127.0.0.1:9000 --region cn-hangzhou --bucket b --key k";

/// Options of `oss-presign url`.
#[derive(Debug, Args)]
pub(crate) struct UrlArgs {
    /// The object, oss://BUCKET/KEY (instead of --bucket and --key); everything after the
    /// bucket's '/' is the key, verbatim (spaces, Unicode, ? and # included).
    #[arg(value_name = "OSS_URI")]
    object: Option<String>,
    /// Bucket name (with --list: the bucket of the lines that are bare keys).
    #[arg(long)]
    bucket: Option<String>,
    /// Object key.
    #[arg(long, conflicts_with = "list")]
    key: Option<String>,
    /// Presign every object listed in FILE ('-' for stdin), one per line: oss://BUCKET/KEY,
    /// or a bare key with --bucket; one result per line; bad lines are reported on stderr
    /// with their line number and the rest continue (exit code 4 if any failed).
    #[arg(long, value_name = "FILE", conflicts_with = "object")]
    list: Option<String>,
    /// Validity from now: seconds or 30m, 1h30m, 7d, 1w (default 15m; at least 1s; V4 allows
    /// at most 1w = 7d).
    #[arg(long, conflicts_with = "expiration")]
    expires: Option<String>,
    /// Absolute expiration, e.g. 2024-11-12T10:27:56Z or 2024-11-12T18:27:56+08:00; without an
    /// offset (2024-11-12T10:27:56, 2024-11-12 10:27:56) the time is read as UTC.
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
    /// Request header to sign for, `name:value` (repeatable).
    #[arg(long = "header", value_name = "NAME:VALUE")]
    headers: Vec<String>,
    /// Query parameter, `name=value` or `name` (repeatable).
    #[arg(long = "query", value_name = "NAME=VALUE")]
    query: Vec<String>,
    /// What to print: the sample's lines (default), the URL alone, or one JSON object per line.
    #[arg(long, value_enum, value_name = "FORMAT")]
    output: Option<OutputFormat>,
    /// Print one JSON object instead of the sample's lines (the same as --output json).
    #[arg(long, conflicts_with = "output")]
    json: bool,
    #[command(flatten)]
    request_flags: RequestFlags,
    #[command(flatten)]
    post_policy: url_post_policy::PostPolicyFlags,
    #[command(flatten)]
    client: ClientFlags,
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
    /// A V4 POST policy for a browser form upload (PostObject): prints the form fields.
    PostPolicy,
}

pub(crate) fn run(args: UrlArgs) -> ExitCode {
    exit_code::finish(run_inner(&args))
}

fn run_inner(args: &UrlArgs) -> Result<(), Failure> {
    let format = output_format::choose(args.output, args.json);
    if args.op == Some(Operation::PostPolicy) {
        return post_policy(args, format);
    }
    if args.post_policy.any() {
        return Err(Failure::usage(
            "--key-prefix, --content-length-range, --meta, --success-action-status and --policy-file are for --op post-policy",
        ));
    }
    let mut prepared = prepare(args)?;
    if let Some(list) = &args.list {
        return url_list::run(list, args.bucket.as_deref(), &mut prepared, format);
    }
    let (bucket, key) = object_uri::target(
        args.object.as_deref(),
        args.bucket.as_deref(),
        args.key.as_deref(),
    )
    .map_err(Failure::usage)?;
    prepared.template.set_object(bucket, key);
    let result = presign(&prepared, bucket)?;
    print_result(&result, format)
}

/// `--op post-policy`: the form of a browser upload (see [`url_post_policy`]).
fn post_policy(args: &UrlArgs, format: OutputFormat) -> Result<(), Failure> {
    if args.list.is_some() {
        return Err(Failure::usage(
            "--op post-policy signs one form: --list is not for it",
        ));
    }
    let prepared = prepare(args)?;
    // oss://BUCKET/ (or oss://BUCKET) names the bucket alone: the key comes from --key-prefix.
    let bucket_only = args
        .object
        .as_deref()
        .and_then(|o| o.strip_prefix("oss://"))
        .map(|rest| rest.strip_suffix('/').unwrap_or(rest))
        .filter(|b| !b.is_empty() && !b.contains('/'));
    let (bucket, key) = match (args.object.as_deref(), args.bucket.as_deref(), bucket_only) {
        (Some(_), None, Some(bucket)) if args.key.is_none() => (bucket, None),
        (Some(_), _, _) => {
            let (b, k) = object_uri::target(
                args.object.as_deref(),
                args.bucket.as_deref(),
                args.key.as_deref(),
            )
            .map_err(Failure::usage)?;
            (b, Some(k))
        }
        (None, Some(bucket), _) => (bucket, args.key.as_deref()),
        (None, None, _) => {
            return Err(Failure::usage(
                "--op post-policy needs the bucket: oss://BUCKET/KEY, oss://BUCKET/ with --key-prefix, or --bucket",
            ))
        }
    };
    let inputs = url_post_policy::PostInputs {
        bucket,
        key,
        options: &prepared.options,
        content_type: args.request_flags.content_type(),
    };
    let request = url_post_policy::build(&args.post_policy, &inputs)?;
    url_post_policy::run(
        prepared.clients.for_bucket_or_fail(bucket)?,
        prepared.clients.provider.as_ref(),
        &request,
        format,
    )
}

fn upload_id(args: &UrlArgs, op: &str) -> Result<String, Failure> {
    args.upload_id.clone().ok_or_else(|| {
        Failure::usage(format!(
            "--op {op} needs --upload-id ID (the id InitiateMultipartUpload returned)"
        ))
    })
}

/// The typed request for `--op` (without it: GetObject, PutObject or HeadObject for those
/// methods, else a free-form request), with an empty object that the caller sets.
fn build_request(args: &UrlArgs) -> Result<RequestTemplate, Failure> {
    let (bucket, key) = ("", "");
    if args.part_number.is_some() && args.op != Some(Operation::UploadPart) {
        return Err(Failure::usage("--part-number is only for --op upload-part"));
    }
    Ok(match args.op {
        None => match args.method.to_ascii_uppercase().as_str() {
            "GET" => RequestTemplate::Get(GetObjectRequest::new(bucket, key)),
            "PUT" => RequestTemplate::Put(PutObjectRequest::new(bucket, key)),
            "HEAD" => RequestTemplate::Head(HeadObjectRequest::new(bucket, key)),
            _ => RequestTemplate::Free(ObjectRequest::new(args.method.as_str(), bucket, key)),
        },
        Some(Operation::Get) => RequestTemplate::Get(GetObjectRequest::new(bucket, key)),
        Some(Operation::Put) => RequestTemplate::Put(PutObjectRequest::new(bucket, key)),
        Some(Operation::Head) => RequestTemplate::Head(HeadObjectRequest::new(bucket, key)),
        Some(Operation::InitiateMultipart) => {
            RequestTemplate::InitiateMultipart(InitiateMultipartUploadRequest::new(bucket, key))
        }
        Some(Operation::UploadPart) => {
            let part = args.part_number.ok_or_else(|| {
                Failure::usage("--op upload-part needs --part-number N (1 to 10000)")
            })?;
            RequestTemplate::UploadPart(UploadPartRequest::new(
                bucket,
                key,
                part,
                upload_id(args, "upload-part")?,
            ))
        }
        Some(Operation::CompleteMultipart) => {
            RequestTemplate::CompleteMultipart(CompleteMultipartUploadRequest::new(
                bucket,
                key,
                upload_id(args, "complete-multipart")?,
            ))
        }
        // Signs no request: the template only carries the shared flags' checks.
        Some(Operation::PostPolicy) => RequestTemplate::Put(PutObjectRequest::new(bucket, key)),
        Some(Operation::AbortMultipart) => RequestTemplate::AbortMultipart(
            AbortMultipartUploadRequest::new(bucket, key, upload_id(args, "abort-multipart")?),
        ),
    })
}

fn prepare(args: &UrlArgs) -> Result<Prepared, Failure> {
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
    let clients = args.client.build()?;
    let signing_time = clients.signing_time;

    let headers = parse_headers(&args.headers)?;
    let query: Vec<(String, String)> = args
        .query
        .iter()
        .map(|param| {
            let (name, value) = param.split_once('=').unwrap_or((param.as_str(), ""));
            (name.to_string(), value.to_string())
        })
        .collect();
    let mut template = build_request(args)?;
    template.apply(&args.request_flags)?;
    template.add_extras(&headers, &query);

    let mut options = PresignOptions::new();
    if let Some(text) = &args.expires {
        let seconds = duration_arg::parse_seconds(text)
            .map_err(|e| Failure::usage(format!("--expires: {e}")))?;
        if seconds == 0 {
            return Err(Failure::usage(
                "--expires 0 would give a URL that has expired when it is made (OSS and `oss-presign verify` refuse it); give at least 1s (ossutil allows 1s to 1w)",
            ));
        }
        options = options.expires(Duration::from_secs(seconds));
    }
    if let Some(text) = &args.expiration {
        let at = time_arg::parse_instant(text)
            .map_err(|e| Failure::usage(format!("--expiration: {e}")))?;
        let now = signing_time.map_or_else(
            || {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            },
            SigningTime::unix_seconds,
        );
        if at.unix_seconds() <= now {
            return Err(Failure::usage(format!(
                "--expiration {} is not after the signing time; a URL must stay valid at least 1 second",
                at.to_rfc3339()
            )));
        }
        options = options.expiration(to_system_time(at));
    }
    Ok(Prepared {
        clients,
        template,
        options,
    })
}

/// Presigns the prepared request for its current object, asking the credentials chain first.
fn presign(prepared: &Prepared, bucket: &str) -> Result<PresignResult, Failure> {
    let client = prepared.clients.for_bucket_or_fail(bucket)?;
    let runtime = exit_code::runtime()?;
    let credentials = runtime
        .block_on(prepared.clients.provider.provide_credentials())
        .map_err(|e| credential_source::no_credentials(&e.to_string()))?;
    credential_source::print_warnings(&credentials);
    client
        .presign_with_credentials(
            prepared.template.presignable(),
            &prepared.options,
            &credentials,
        )
        .map_err(credential_source::presign_failure)
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
                    "--header {} is not NAME:VALUE (e.g. \"Content-Type:text/plain\")",
                    excerpt(header)
                ))
            })?;
            if name.trim().is_empty() {
                return Err(Failure::usage(format!(
                    "--header {} has an empty name; expected NAME:VALUE",
                    excerpt(header)
                )));
            }
            Ok((name.trim().to_string(), value.trim().to_string()))
        })
        .collect()
}

pub(crate) fn to_system_time(at: SigningTime) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(at.unix_seconds().unsigned_abs())
}

fn print_result(result: &PresignResult, format: OutputFormat) -> Result<(), Failure> {
    if let Some(warning) = lifetime_warning(result) {
        eprintln!("{warning}");
    }
    if let Some(note) = output_format::url_only_note(result, format) {
        eprintln!("{note}");
    }
    let mut stdout = std::io::stdout().lock();
    output_format::write_result(&mut stdout, result, format, None)
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure::internal(format!("cannot write the URL: {e}")))
}
