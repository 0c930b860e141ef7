//! `oss-presign url --op post-policy`: signs a V4 POST policy and prints the form a browser
//! sends (`PostObject`): the bucket URL, then every field in order, the file last.
//!
//! The policy is built from the flags (`--key` exact or `--key-prefix`, `--expires` /
//! `--expiration`, `--content-length-range`, `--content-type`, `--meta`,
//! `--success-action-status`), or taken verbatim from `--policy-file FILE` and signed byte
//! for byte. Output: `url: ...` and one `name: value` line per field (default), the URL alone
//! (`--output url`), or one JSON object (`--json`) with `url`, `expiration`, `fields` (an
//! array of `{"name", "value"}` in order), `file_field` and `policy`.

use clap::Args;
use oss_client::{PostPolicyForm, PostPolicyRequest};
use std::io::Write;

use crate::credential_source;
use crate::credential_source::presign_failure;
use crate::exit_code::{self, Failure};
use crate::output_format::sample_time;
use crate::output_format::OutputFormat;
use crate::size_arg;

/// The flags only `--op post-policy` reads.
#[derive(Debug, Args)]
pub(crate) struct PostPolicyFlags {
    /// For --op post-policy: the object key must start with PREFIX (instead of --key).
    #[arg(long, value_name = "PREFIX", conflicts_with = "key")]
    key_prefix: Option<String>,
    /// For --op post-policy: the file size must be MIN,MAX bytes (e.g. 1,10MiB).
    #[arg(long, value_name = "MIN,MAX")]
    content_length_range: Option<String>,
    /// For --op post-policy: x-oss-meta-NAME=VALUE sent and pinned in the policy (repeatable).
    #[arg(long = "meta", value_name = "NAME=VALUE")]
    meta: Vec<String>,
    /// For --op post-policy: the status OSS answers a successful upload with (200, 201, 204).
    #[arg(long, value_name = "STATUS")]
    success_action_status: Option<u16>,
    /// For --op post-policy: sign this policy document (JSON) byte for byte as given, instead
    /// of building one from the flags.
    #[arg(long, value_name = "FILE")]
    policy_file: Option<String>,
}

impl PostPolicyFlags {
    /// Whether any post-policy flag is given (they need --op post-policy).
    pub(crate) fn any(&self) -> bool {
        self.key_prefix.is_some()
            || self.content_length_range.is_some()
            || !self.meta.is_empty()
            || self.success_action_status.is_some()
            || self.policy_file.is_some()
    }
}

/// What `url` hands over: the object, the expiry and the output format.
pub(crate) struct PostInputs<'a> {
    pub(crate) bucket: &'a str,
    pub(crate) key: Option<&'a str>,
    pub(crate) options: &'a oss_client::PresignOptions,
    pub(crate) content_type: Option<&'a str>,
}

fn parse_range(text: &str) -> Result<(u64, u64), Failure> {
    let bad = |why: String| {
        Failure::usage(format!(
            "--content-length-range {text:?}: {why}; expected MIN,MAX in bytes, e.g. 1,10MiB"
        ))
    };
    let (min, max) = text.split_once(',').ok_or_else(|| bad("no comma".into()))?;
    let min = size_arg::parse_bytes(min.trim()).map_err(bad)?;
    let max = size_arg::parse_bytes(max.trim()).map_err(bad)?;
    if max < min {
        return Err(bad(format!("MAX {max} is below MIN {min}")));
    }
    Ok((min, max))
}

/// Builds the request from the flags (or the policy file).
pub(crate) fn build(
    flags: &PostPolicyFlags,
    inputs: &PostInputs<'_>,
) -> Result<PostPolicyRequest, Failure> {
    if let Some(path) = &flags.policy_file {
        let document = std::fs::read(path)
            .map_err(|e| Failure::usage(format!("--policy-file {path}: cannot read it: {e}")))?;
        if document.len() > oss_sign_core::post_policy::MAX_POLICY_BYTES {
            return Err(Failure::usage(format!(
                "--policy-file {path}: {} bytes; a policy may hold at most {}",
                document.len(),
                oss_sign_core::post_policy::MAX_POLICY_BYTES
            )));
        }
        let document = String::from_utf8(document)
            .map_err(|_| Failure::usage(format!("--policy-file {path}: not UTF-8 text")))?;
        return Ok(PostPolicyRequest::verbatim(inputs.bucket, document));
    }
    let mut request = PostPolicyRequest::new(inputs.bucket);
    request = match (inputs.key, &flags.key_prefix) {
        (Some(key), _) => request.key(key),
        (None, Some(prefix)) => request.key_prefix(prefix.as_str()),
        (None, None) => {
            return Err(Failure::usage(
                "--op post-policy needs the key: oss://BUCKET/KEY, --key KEY, or --key-prefix PREFIX (any key under it); --key-prefix '' allows any key",
            ))
        }
    };
    if let Some(d) = inputs.options.expires_duration() {
        request = request.expires(d);
    }
    if let Some(at) = inputs.options.expiration_time() {
        request = request.expiration(at);
    }
    if let Some(text) = &flags.content_length_range {
        let (min, max) = parse_range(text)?;
        request = request.content_length_range(min, max);
    }
    if let Some(ct) = inputs.content_type {
        request = request.content_type(ct);
    }
    for m in &flags.meta {
        let (name, value) = m
            .split_once('=')
            .filter(|(n, _)| !n.trim().is_empty())
            .ok_or_else(|| {
                Failure::usage(format!("--meta {m:?} is not NAME=VALUE (e.g. owner=alice)"))
            })?;
        let name = name.trim();
        let name = name
            .strip_prefix("x-oss-meta-")
            .or_else(|| name.strip_prefix("X-Oss-Meta-"))
            .unwrap_or(name);
        request = request.meta(name, value);
    }
    if let Some(status) = flags.success_action_status {
        request = request.success_action_status(status);
    }
    Ok(request)
}

/// Signs with the chain's credentials and prints the form.
pub(crate) fn run(
    client: &oss_client::Client,
    provider: &dyn oss_credentials::ProvideCredentials,
    request: &PostPolicyRequest,
    format: OutputFormat,
) -> Result<(), Failure> {
    let runtime = exit_code::runtime()?;
    let credentials = runtime
        .block_on(provider.provide_credentials())
        .map_err(|e| credential_source::no_credentials(&e.to_string()))?;
    credential_source::print_warnings(&credentials);
    let form = client
        .presign_post_with_credentials(request, &credentials)
        .map_err(presign_failure)?;
    let mut out = std::io::stdout().lock();
    write_form(&mut out, &form, format)
        .and_then(|()| out.flush())
        .map_err(|e| Failure::internal(format!("cannot write the form: {e}")))
}

fn write_form(
    out: &mut impl Write,
    form: &PostPolicyForm,
    format: OutputFormat,
) -> std::io::Result<()> {
    match format {
        OutputFormat::Url => writeln!(out, "{}", form.url()),
        OutputFormat::Sample => {
            writeln!(out, "url: {}", form.url())?;
            writeln!(out, "expiration: {}", sample_time(form.expiration()))?;
            for (name, value) in form.fields() {
                writeln!(out, "{name}: {value}")?;
            }
            writeln!(out, "{}: <the file, sent last>", PostPolicyForm::FILE_FIELD)
        }
        OutputFormat::Json => {
            let fields: Vec<serde_json::Value> = form
                .fields()
                .iter()
                .map(|(n, v)| serde_json::json!({ "name": n, "value": v }))
                .collect();
            let value = serde_json::json!({
                "url": form.url(),
                "expiration": sample_time(form.expiration()),
                "fields": fields,
                "file_field": PostPolicyForm::FILE_FIELD,
                "policy": form.policy_json(),
            });
            writeln!(out, "{value}")
        }
    }
}
