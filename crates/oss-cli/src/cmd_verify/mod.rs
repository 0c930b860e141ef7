//! `oss-presign verify URL`: checks a presigned URL offline and explains it.
//!
//! With the signer's credentials (the same chain as `url`), it prints the decoded parameters,
//! the expiry, the canonical request and string to sign recomputed from the URL, and the
//! verdict. When the signature does not match, it tries the usual causes one by one (another
//! method, another reading of bucket and key, a header or query parameter added after signing)
//! and says which one makes the signature match; with `--client-canonical FILE` it diffs the
//! client's canonical request line by line against the recomputed one.

use std::process::ExitCode;
use std::time::SystemTime;

use clap::Args;
use oss_sign_core::verify::{
    explain_presigned, verify_presigned_with, Explanation, StaticSecret, VerifyError,
    VerifyErrorKind, VerifyOptions, VerifyRequest,
};
use oss_sign_core::SigningTime;

use crate::cmd_url::parse_headers;
use crate::credential_source;
use crate::exit_code::{self, Failure};
use crate::presigned_url::{self, AddressingHints, Target, UrlParts};

mod diagnose;
mod diff;
mod explain;
mod params;

/// Examples shown by `oss-presign verify --help`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  # is this URL valid now, and what exactly was signed? (credentials of the signer)
  OSS_ACCESS_KEY_ID=... OSS_ACCESS_KEY_SECRET=... oss-presign verify 'https://b.oss-cn-hangzhou.aliyuncs.com/k?x-oss-...'
  # a PUT URL, with the headers the uploader sends
  oss-presign verify --method PUT --header Content-Type:text/plain 'https://...'
  # a custom domain bound to bucket 'b'
  oss-presign verify --cname --bucket b 'https://static.example.com/img/a.png?...'
  # diff against the canonical request from the SDK's debug log
  oss-presign verify --client-canonical canonical.txt 'https://...'";

/// Options of `oss-presign verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The presigned URL (quote it: it contains '&').
    url: String,
    /// The method the request is sent with.
    #[arg(long, default_value = "GET")]
    method: String,
    /// A header the request sends, `name:value` (repeatable). Host is taken from the URL.
    #[arg(long = "header", value_name = "NAME:VALUE")]
    headers: Vec<String>,
    /// The bucket, when the URL does not say it plainly (with --cname, required).
    #[arg(long)]
    bucket: Option<String>,
    /// Read the bucket from the first path segment.
    #[arg(long, conflicts_with = "cname")]
    path_style: bool,
    /// The host is a custom domain bound to --bucket; the whole path is the key.
    #[arg(long)]
    cname: bool,
    /// Refuse V4 signatures scoped to another region.
    #[arg(long, env = "OSS_REGION")]
    region: Option<String>,
    /// Check validity at this instant (UTC, e.g. 2024-11-12T09:30:00Z) instead of now.
    #[arg(long)]
    at: Option<String>,
    /// A file with the client's canonical request (V4) or string to sign (V1) to diff against.
    #[arg(long, value_name = "FILE")]
    client_canonical: Option<std::path::PathBuf>,
    /// Credentials profile (like ALIBABA_CLOUD_PROFILE).
    #[arg(long, env = "ALIBABA_CLOUD_PROFILE")]
    profile: Option<String>,
}

pub(crate) fn run(args: VerifyArgs) -> ExitCode {
    exit_code::finish(run_inner(&args))
}

fn run_inner(args: &VerifyArgs) -> Result<(), Failure> {
    let url = presigned_url::parse(&args.url)?;
    let hints = AddressingHints {
        bucket: args.bucket.clone(),
        path_style: args.path_style,
        cname: args.cname,
    };
    let target = presigned_url::resolve(&url, &hints)?;
    let headers = parse_headers(&args.headers)?;
    let now = match &args.at {
        Some(text) => {
            SigningTime::parse_rfc3339(text).map_err(|e| Failure::usage(format!("--at: {e}")))?
        }
        None => SigningTime::try_from(SystemTime::now())
            .map_err(|e| Failure::internal(format!("the system clock is unusable: {e}")))?,
    };
    let client_canonical = match &args.client_canonical {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
            Failure::usage(format!(
                "--client-canonical {}: cannot read it: {e}",
                path.display()
            ))
        })?),
        None => None,
    };
    let credentials =
        exit_code::runtime()?.block_on(credential_source::resolve(args.profile.as_deref()))?;
    let secrets = StaticSecret::new(credentials.access_key_id(), credentials.access_key_secret());
    let check = Check {
        url: &url,
        target: &target,
        method: &args.method,
        headers: &headers,
        region: args.region.as_deref(),
        now,
        secrets: &secrets,
        configured_key_id: credentials.access_key_id(),
    };
    let report = check.explain(client_canonical.as_deref());
    say_raw!("{}", report.text);
    match report.code {
        0 => Ok(()),
        code => Err(Failure::new(code, report.summary)),
    }
}

/// One URL to check, as read.
pub(crate) struct Check<'a> {
    pub(crate) url: &'a UrlParts,
    pub(crate) target: &'a Target,
    pub(crate) method: &'a str,
    pub(crate) headers: &'a [(String, String)],
    pub(crate) region: Option<&'a str>,
    pub(crate) now: SigningTime,
    pub(crate) secrets: &'a StaticSecret,
    /// The access key id of the credentials in use (to explain an unknown key).
    pub(crate) configured_key_id: &'a str,
}

/// The explanation, its exit code and a one-line summary.
pub(crate) struct Report {
    pub(crate) text: String,
    pub(crate) code: u8,
    pub(crate) summary: String,
}

/// The exit code of a refusal.
pub(crate) fn code_of(kind: VerifyErrorKind) -> u8 {
    match kind {
        VerifyErrorKind::Expired => exit_code::EXPIRED,
        VerifyErrorKind::SignatureMismatch => exit_code::SIGNATURE_MISMATCH,
        _ => exit_code::REFUSED,
    }
}

impl Check<'_> {
    /// The canonical request and string to sign of the URL as received (no secret needed).
    fn recompute(
        &self,
        method: &str,
        target: &Target,
        raw_query: &str,
        headers: &[(String, String)],
    ) -> Option<Explanation> {
        let pairs = self.header_pairs(headers);
        explain_presigned(&verify_request(method, target, raw_query, &pairs)).ok()
    }

    fn verify_at(
        &self,
        method: &str,
        target: &Target,
        raw_query: &str,
        headers: &[(String, String)],
        at: SigningTime,
        secrets: &StaticSecret,
    ) -> Result<(), VerifyError> {
        let pairs = self.header_pairs(headers);
        let request = verify_request(method, target, raw_query, &pairs);
        let mut options = VerifyOptions::new();
        if let Some(region) = self.region {
            options = options.region(region);
        }
        verify_presigned_with(&request, secrets, at, &options).map(|_| ())
    }

    /// The headers as `(name, value)` pairs, with the URL's Host unless one is given.
    fn header_pairs<'h>(&'h self, headers: &'h [(String, String)]) -> Vec<(&'h str, &'h str)> {
        let mut pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        if !pairs.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            pairs.push(("host", self.url.authority.as_str()));
        }
        pairs
    }
}

/// The request to check: `method`, the bucket and key of `target`, the query and headers.
fn verify_request<'r>(
    method: &'r str,
    target: &'r Target,
    raw_query: &'r str,
    headers: &'r [(&'r str, &'r str)],
) -> VerifyRequest<'r> {
    let mut request = VerifyRequest::new(method, raw_query).headers(headers);
    if let Some(bucket) = &target.bucket {
        request = request.bucket(bucket);
    }
    if let Some(key) = &target.key {
        request = request.key(key);
    }
    request
}
