//! Checks the URL and writes the explanation: what it names, its validity window, the canonical
//! request recomputed from it, and the verdict.

use oss_sign_core::verify::{VerifyError, VerifyErrorKind};

use super::diff::diff_lines;
use super::params::{decode_params, param_note, url_access_key_id, window, TOKEN_PARAMS};
use super::{code_of, Check, Report};
use crate::duration_arg::format_seconds;
use crate::exit_code;
use crate::presigned_url;

impl Check<'_> {
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
        let width = params
            .entries()
            .iter()
            .map(|entry| match entry {
                Ok(p) => p.name().len(),
                Err(refusal) => refusal.parameter().len(),
            })
            .max()
            .unwrap_or(0);
        for entry in params.entries() {
            let text = match entry {
                Ok(p) if TOKEN_PARAMS.contains(&p.name()) => format!(
                    "  {:width$} = <security token, {} characters, not shown>",
                    p.name(),
                    p.value().len()
                ),
                Ok(p) => format!("  {:width$} = {}{}", p.name(), p.value(), param_note(p)),
                Err(refusal) => format!("  {:width$} ! {refusal}", refusal.parameter()),
            };
            line(&mut out, text);
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
        let inside = window.inside_or(self.now);
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
            .decoded()
            .find(|p| TOKEN_PARAMS.contains(&p.name()))
            .map(|p| p.value().to_string());
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
}
