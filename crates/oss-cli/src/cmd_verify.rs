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
use oss_sign_core::encoding::percent_decode;
use oss_sign_core::verify::{
    explain_presigned, verify_presigned_with, Explanation, StaticSecret, VerifyError,
    VerifyErrorKind, VerifyOptions, VerifyRequest,
};
use oss_sign_core::SigningTime;

use crate::cmd_url::parse_headers;
use crate::credential_source;
use crate::duration_arg::format_seconds;
use crate::exit_code::{self, Failure};
use crate::presigned_url::{self, Addressing, AddressingHints, Target, UrlParts};

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

/// A decoded query parameter.
struct Param {
    raw: String,
    name: String,
    value: String,
}

fn decode_params(raw_query: &str) -> Vec<Param> {
    raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            Param {
                raw: part.to_string(),
                name: percent_decode(name).unwrap_or_else(|_| name.to_string()),
                value: percent_decode(value).unwrap_or_else(|_| value.to_string()),
            }
        })
        .collect()
}

const AUTH_PARAMS: [&str; 11] = [
    "x-oss-signature-version",
    "x-oss-credential",
    "x-oss-date",
    "x-oss-expires",
    "x-oss-signature",
    "x-oss-additional-headers",
    "x-oss-security-token",
    "OSSAccessKeyId",
    "Expires",
    "Signature",
    "security-token",
];

const TOKEN_PARAMS: [&str; 2] = ["x-oss-security-token", "security-token"];

/// What the URL says about its validity window.
struct Window {
    v4: bool,
    signed_at: Option<SigningTime>,
    expiration: Option<SigningTime>,
}

fn window(params: &[Param]) -> Window {
    let get = |n: &str| {
        params
            .iter()
            .find(|p| p.name == n)
            .map(|p| p.value.as_str())
    };
    let v4 = [
        "x-oss-signature",
        "x-oss-credential",
        "x-oss-signature-version",
    ]
    .iter()
    .any(|n| get(n).is_some());
    if v4 {
        let signed_at = get("x-oss-date").and_then(|t| SigningTime::parse_x_oss_date(t).ok());
        let expires = get("x-oss-expires").and_then(|t| t.parse::<i64>().ok());
        let expiration = match (signed_at, expires) {
            (Some(at), Some(e)) => at.checked_add_seconds(e),
            _ => None,
        };
        Window {
            v4,
            signed_at,
            expiration,
        }
    } else {
        let expiration = get("Expires")
            .and_then(|t| t.parse::<i64>().ok())
            .and_then(|s| SigningTime::from_unix_seconds(s).ok());
        Window {
            v4,
            signed_at: None,
            expiration,
        }
    }
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
        let mut pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        if !pairs.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            pairs.push(("host", self.url.authority.as_str()));
        }
        let mut request = VerifyRequest::new(method, raw_query).headers(&pairs);
        if let Some(bucket) = &target.bucket {
            request = request.bucket(bucket);
        }
        if let Some(key) = &target.key {
            request = request.key(key);
        }
        explain_presigned(&request).ok()
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
        let mut pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        if !pairs.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            pairs.push(("host", self.url.authority.as_str()));
        }
        let mut request = VerifyRequest::new(method, raw_query).headers(&pairs);
        if let Some(bucket) = &target.bucket {
            request = request.bucket(bucket);
        }
        if let Some(key) = &target.key {
            request = request.key(key);
        }
        let mut options = VerifyOptions::new();
        if let Some(region) = self.region {
            options = options.region(region);
        }
        verify_presigned_with(&request, secrets, at, &options).map(|_| ())
    }

    /// Checks the URL and writes the explanation.
    pub(crate) fn explain(&self, client_canonical: Option<&str>) -> Report {
        let mut out = String::new();
        let line = |out: &mut String, text: String| {
            out.push_str(&text);
            out.push('\n');
        };
        let params = decode_params(&self.url.raw_query);
        let window = window(&params);
        line(
            &mut out,
            format!("url:        {}", presigned_url::without_query(self.url)),
        );
        line(
            &mut out,
            format!("addressing: {}", self.target.addressing.describe()),
        );
        line(
            &mut out,
            format!(
                "bucket:     {}",
                self.target.bucket.as_deref().unwrap_or("(none)")
            ),
        );
        line(
            &mut out,
            format!(
                "key:        {}",
                self.target.key.as_deref().unwrap_or("(none)")
            ),
        );
        line(&mut out, format!("method:     {}", self.method));
        line(
            &mut out,
            format!(
                "scheme:     {}",
                if window.v4 {
                    "V4 (OSS4-HMAC-SHA256)"
                } else {
                    "V1 (HMAC-SHA1)"
                }
            ),
        );
        line(&mut out, "parameters:".to_string());
        let width = params.iter().map(|p| p.name.len()).max().unwrap_or(0);
        for p in &params {
            let shown = if TOKEN_PARAMS.contains(&p.name.as_str()) {
                format!("<security token, {} characters, not shown>", p.value.len())
            } else {
                p.value.clone()
            };
            line(
                &mut out,
                format!("  {:width$} = {shown}{}", p.name, param_note(p)),
            );
        }

        // Validity now.
        let now_result = self.verify_at(
            self.method,
            self.target,
            &self.url.raw_query,
            self.headers,
            self.now,
            self.secrets,
        );
        if let Some(at) = window.signed_at {
            line(&mut out, format!("signed at:  {}", at.to_rfc3339()));
        }
        if let Some(exp) = window.expiration {
            let delta = exp.unix_seconds() - self.now.unix_seconds();
            let state = if delta >= 0 {
                format!("valid for another {}", format_seconds(delta.unsigned_abs()))
            } else {
                format!("expired {} ago", format_seconds(delta.unsigned_abs()))
            };
            line(
                &mut out,
                format!("expires at: {} ({state})", exp.to_rfc3339()),
            );
        }

        // The signature, checked at an instant inside the window so expiry does not hide it.
        let inside = window.signed_at.or(window.expiration).unwrap_or(self.now);
        let signature_result = match &now_result {
            Err(e)
                if matches!(
                    e.kind(),
                    VerifyErrorKind::Expired | VerifyErrorKind::NotYetValid
                ) =>
            {
                self.verify_at(
                    self.method,
                    self.target,
                    &self.url.raw_query,
                    self.headers,
                    inside,
                    self.secrets,
                )
            }
            other => other.clone(),
        };

        // The canonical request and string to sign, recomputed without the secret.
        let key_id = url_access_key_id(&params);
        let recomputed =
            self.recompute(self.method, self.target, &self.url.raw_query, self.headers);
        let token = params
            .iter()
            .find(|p| TOKEN_PARAMS.contains(&p.name.as_str()))
            .map(|p| p.value.clone());
        let redact = |text: &str| -> String {
            match &token {
                Some(t) if !t.is_empty() => {
                    let encoded = oss_sign_core::encoding::uri_encode(t, false);
                    text.replace(&encoded, "<security token>")
                        .replace(t.as_str(), "<security token>")
                }
                _ => text.to_string(),
            }
        };
        if let Some(e) = &recomputed {
            if let Some(cr) = e.canonical_request() {
                line(&mut out, "canonical request:".to_string());
                for l in redact(cr).split('\n') {
                    line(&mut out, format!("  | {l}").trim_end().to_string());
                }
            }
            if let Some(sts) = e.string_to_sign() {
                line(&mut out, "string to sign:".to_string());
                for l in redact(sts).split('\n') {
                    line(&mut out, format!("  | {l}").trim_end().to_string());
                }
            }
            if let Some(client) = client_canonical {
                let ours = e.canonical_request().or(e.string_to_sign()).unwrap_or("");
                diff_lines(&mut out, client, ours, window.v4);
            }
        }

        // The verdict.
        let (code, summary) = match (&now_result, &signature_result) {
            (Ok(()), _) => {
                line(&mut out, "signature:  matches".to_string());
                line(&mut out, "result:     VALID".to_string());
                (0, String::new())
            }
            (_, Err(e)) if e.kind() == VerifyErrorKind::SignatureMismatch => {
                line(
                    &mut out,
                    "signature:  DOES NOT MATCH (SignatureDoesNotMatch)".to_string(),
                );
                let causes = self.diagnose(&params);
                if causes.is_empty() {
                    line(&mut out, format!(
                        "cause:      none of the usual suspects (method, bucket/key reading, an added header or parameter) makes it match: either the secret differs from the signer's (the URL names access key id {key_id:?}), or the URL was altered after signing (a parameter value, the signature, the path's encoding)"
                    ));
                } else {
                    for cause in causes {
                        line(&mut out, format!("cause:      {cause}"));
                    }
                }
                if now_result.as_ref().err().map(VerifyError::kind)
                    == Some(VerifyErrorKind::Expired)
                {
                    line(&mut out, "note:       the URL has also expired".to_string());
                }
                line(
                    &mut out,
                    "result:     REFUSED (signature mismatch)".to_string(),
                );
                (
                    exit_code::SIGNATURE_MISMATCH,
                    "the signature does not match (see the cause above)".to_string(),
                )
            }
            (_, Err(e)) if e.kind() == VerifyErrorKind::UnknownAccessKey => {
                line(&mut out, format!(
                    "signature:  not checked: the URL was signed by access key id {key_id:?}, but the credentials in use are for {:?}; verify with the signer's credentials",
                    self.configured_key_id
                ));
                line(
                    &mut out,
                    "result:     REFUSED (unknown access key)".to_string(),
                );
                (
                    exit_code::REFUSED,
                    format!("the URL names access key id {key_id:?}, not the configured one"),
                )
            }
            (Err(now_err), Ok(())) => {
                line(&mut out, "signature:  matches".to_string());
                line(&mut out, format!("result:     REFUSED: {now_err}"));
                (code_of(now_err.kind()), now_err.to_string())
            }
            (_, Err(e)) => {
                line(&mut out, format!("result:     REFUSED: {e}"));
                (code_of(e.kind()), e.to_string())
            }
        };
        Report {
            text: out,
            code,
            summary,
        }
    }

    /// Tries the usual causes of a mismatch; returns those that make the signature match.
    fn diagnose(&self, params: &[Param]) -> Vec<String> {
        let inside = {
            let w = window(params);
            w.signed_at.or(w.expiration).unwrap_or(self.now)
        };
        let ok = |method: &str, target: &Target, query: &str, headers: &[(String, String)]| {
            self.verify_at(method, target, query, headers, inside, self.secrets)
                .is_ok()
        };
        let query = self.url.raw_query.as_str();
        let mut causes = Vec::new();
        for m in ["GET", "PUT", "HEAD", "POST", "DELETE"] {
            if !m.eq_ignore_ascii_case(self.method) && ok(m, self.target, query, self.headers) {
                causes.push(format!(
                    "the URL was signed for method {m}, not {}: send {m} (or presign for {})",
                    self.method, self.method
                ));
            }
        }
        let readings = [
            Addressing::PathStyle,
            Addressing::VirtualHosted,
            Addressing::Cname,
        ];
        for addressing in readings {
            if addressing == self.target.addressing {
                continue;
            }
            if let Ok(other) = presigned_url::target_for(self.url, addressing) {
                if &other != self.target && ok(self.method, &other, query, self.headers) {
                    causes.push(format!(
                        "the URL was signed for bucket {:?} and key {:?} ({}): the signer and the server read the URL differently; say how to read it with --path-style, --cname or --bucket",
                        other.bucket.as_deref().unwrap_or(""),
                        other.key.as_deref().unwrap_or(""),
                        addressing.describe()
                    ));
                }
            }
        }
        if let Some(key) = &self.target.key {
            let raw_path = self.url.raw_path.trim_start_matches('/');
            let raw_key = match self.target.addressing {
                Addressing::PathStyle => raw_path.split_once('/').map_or("", |(_, k)| k),
                _ => raw_path,
            };
            if raw_key != key {
                let encoded = Target {
                    key: Some(raw_key.to_string()),
                    ..self.target.clone()
                };
                if ok(self.method, &encoded, query, self.headers) {
                    causes.push(format!(
                        "the key was signed still percent-encoded ({raw_key:?} instead of {key:?}): the signer encoded the key twice; give it the plain key"
                    ));
                }
            }
        }
        for (i, (name, _)) in self.headers.iter().enumerate() {
            let fewer: Vec<(String, String)> = self
                .headers
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, h)| h.clone())
                .collect();
            if ok(self.method, self.target, query, &fewer) {
                causes.push(format!(
                    "header {name} was not signed (or signed with another value): the URL matches without it; send the exact value it was presigned with, or presign with --header {name}:VALUE"
                ));
            }
        }
        for p in params
            .iter()
            .filter(|p| !AUTH_PARAMS.contains(&p.name.as_str()))
        {
            let fewer: Vec<&str> = params
                .iter()
                .filter(|q| !std::ptr::eq(*q, p))
                .map(|q| q.raw.as_str())
                .collect();
            if ok(self.method, self.target, &fewer.join("&"), self.headers) {
                causes.push(format!(
                    "query parameter {:?} was added or changed after signing: the URL matches without it",
                    p.name
                ));
            }
        }
        causes
    }
}

/// The access key id a URL names: V1 `OSSAccessKeyId`, or the V4 credential without its four
/// scope parts (the id itself may contain `/`).
fn url_access_key_id(params: &[Param]) -> String {
    if let Some(p) = params.iter().find(|p| p.name == "x-oss-credential") {
        let parts: Vec<&str> = p.value.rsplitn(5, '/').collect();
        return parts.last().copied().unwrap_or("").to_string();
    }
    params
        .iter()
        .find(|p| p.name == "OSSAccessKeyId")
        .map(|p| p.value.clone())
        .unwrap_or_default()
}

/// A note after a parameter's value: what it means.
fn param_note(p: &Param) -> String {
    match p.name.as_str() {
        "x-oss-credential" => {
            let parts: Vec<&str> = p.value.rsplitn(5, '/').collect();
            if parts.len() == 5 {
                format!(
                    "\n      (access key id {}, date {}, region {}, product {})",
                    parts[4], parts[3], parts[2], parts[1]
                )
            } else {
                String::new()
            }
        }
        "x-oss-date" => SigningTime::parse_x_oss_date(&p.value)
            .map(|t| format!(" ({})", t.to_rfc3339()))
            .unwrap_or_default(),
        "x-oss-expires" => p
            .value
            .parse::<u64>()
            .map(|s| format!(" ({})", format_seconds(s)))
            .unwrap_or_default(),
        "Expires" => p
            .value
            .parse::<i64>()
            .ok()
            .and_then(|s| SigningTime::from_unix_seconds(s).ok())
            .map(|t| format!(" ({})", t.to_rfc3339()))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// What line `index` of a V4 canonical request holds.
fn part_name(lines: &[&str], index: usize) -> &'static str {
    match index {
        0 => "HTTP method",
        1 => "canonical URI (bucket and key)",
        2 => "canonical query string",
        _ => {
            let blank = lines
                .iter()
                .skip(3)
                .position(|l| l.is_empty())
                .map(|p| p + 3);
            match blank {
                Some(b) if index < b => "canonical header",
                Some(b) if index == b => "end of headers",
                Some(b) if index == b + 1 => "additional headers",
                Some(b) if index == b + 2 => "payload hash",
                _ => "line",
            }
        }
    }
}

/// Prints which lines of the client's canonical request differ from the recomputed one.
fn diff_lines(out: &mut String, client: &str, ours: &str, v4: bool) {
    let client: Vec<&str> = client
        .trim_end_matches(['\n', '\r'])
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .collect();
    let ours: Vec<&str> = ours.split('\n').collect();
    let what = if v4 {
        "canonical request"
    } else {
        "string to sign"
    };
    let mut differ = 0;
    out.push_str(&format!("compared with the client's {what}:\n"));
    for i in 0..client.len().max(ours.len()) {
        let (c, o) = (client.get(i), ours.get(i));
        if c == o {
            continue;
        }
        differ += 1;
        let label = if v4 { part_name(&ours, i) } else { "line" };
        out.push_str(&format!("  line {} ({label}) differs:\n", i + 1));
        out.push_str(&format!(
            "    client:     {}\n",
            c.copied().unwrap_or("(missing)")
        ));
        out.push_str(&format!(
            "    recomputed: {}\n",
            o.copied().unwrap_or("(missing)")
        ));
    }
    if differ == 0 {
        out.push_str("  identical: the difference is in the secret or the signing time/scope\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_access_key_id_may_contain_slashes() {
        let params = decode_params(
            "x-oss-credential=a%2Fb%2F20241112%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=1",
        );
        assert_eq!(url_access_key_id(&params), "a/b");
        assert_eq!(
            url_access_key_id(&decode_params("OSSAccessKeyId=ak&Expires=1")),
            "ak"
        );
        assert_eq!(url_access_key_id(&decode_params("x=1")), "");
    }

    #[test]
    fn canonical_parts_are_named() {
        let lines = ["GET", "/b/k", "q", "host:x", "", "host", "UNSIGNED-PAYLOAD"];
        let names: Vec<&str> = (0..lines.len()).map(|i| part_name(&lines, i)).collect();
        assert_eq!(
            names,
            [
                "HTTP method",
                "canonical URI (bucket and key)",
                "canonical query string",
                "canonical header",
                "end of headers",
                "additional headers",
                "payload hash"
            ]
        );
    }

    #[test]
    fn diff_names_the_differing_part() {
        let mut out = String::new();
        diff_lines(
            &mut out,
            "GET\n/b/k2\nq\n\n\nUNSIGNED-PAYLOAD\n",
            "GET\n/b/k\nq\n\n\nUNSIGNED-PAYLOAD",
            true,
        );
        assert!(
            out.contains("line 2 (canonical URI (bucket and key)) differs"),
            "{out}"
        );
        assert!(!out.contains("line 1 "), "{out}");
    }
}
