//! The V4 canonical request, shared by signing and verification.
//!
//! ```text
//! METHOD \n CANONICAL_URI \n CANONICAL_QUERY \n CANONICAL_HEADERS \n ADDITIONAL_HEADERS \n HASHED_PAYLOAD
//! ```

use crate::encoding::uri_encode_into;
use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Range;

/// The payload hash OSS signs in place of a body hash.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Whether a header name (any case) is signed without being listed as an additional header:
/// `x-oss-*`, `content-type` and `content-md5`.
pub(crate) fn is_signed_by_default_any_case(name: &str) -> bool {
    let bytes = name.as_bytes();
    (bytes.len() >= 6 && bytes[..6].eq_ignore_ascii_case(b"x-oss-"))
        || name.eq_ignore_ascii_case("content-type")
        || name.eq_ignore_ascii_case("content-md5")
}

/// The last line of the canonical request: the request's `x-oss-content-sha256` value when it
/// has a non-empty one, else `UNSIGNED-PAYLOAD` (what every official SDK signs).
pub(crate) fn hashed_payload(header_value: Option<&str>) -> &str {
    header_value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or(UNSIGNED_PAYLOAD)
}

fn lower(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// The effective additional-header list: lower-cased, without names signed by default, without
/// names the request does not carry (or carries empty), sorted and de-duplicated.
pub(crate) fn effective_additional_headers<'h>(
    requested: &[&str],
    headers: &[(&'h str, &'h str)],
) -> Vec<String> {
    let mut list: Vec<String> = Vec::new();
    for name in requested {
        let name = name.trim();
        if name.is_empty() || is_signed_by_default_any_case(name) {
            continue;
        }
        let present = headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case(name) && !v.trim().is_empty());
        if present {
            list.push(name.to_ascii_lowercase());
        }
    }
    list.sort_unstable();
    list.dedup();
    list
}

/// The headers a signature covers: lower-case names sorted by byte order, values trimmed, repeated
/// names joined with `,`.
#[derive(Debug, Default)]
pub(crate) struct CanonicalHeaders<'h> {
    pub(crate) entries: Vec<(Cow<'h, str>, Cow<'h, str>)>,
}

impl<'h> CanonicalHeaders<'h> {
    /// Selects and normalises the signed headers of `headers`, plus `extra` (already lower-case
    /// headers the signer adds, such as `x-oss-date`).
    pub(crate) fn select(
        headers: &[(&'h str, &'h str)],
        additional: &[String],
        extra: &[(&'h str, &'h str)],
    ) -> Self {
        let mut entries: Vec<(Cow<'h, str>, Cow<'h, str>)> = Vec::new();
        for (name, value) in headers.iter().chain(extra.iter()) {
            let signed = is_signed_by_default_any_case(name)
                || additional.iter().any(|a| a.eq_ignore_ascii_case(name));
            if signed {
                entries.push((lower(name), Cow::Borrowed(value.trim())));
            }
        }
        if entries.len() > 1 {
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            let mut merged: Vec<(Cow<'h, str>, Cow<'h, str>)> = Vec::with_capacity(entries.len());
            for (name, value) in entries {
                match merged.last_mut() {
                    Some((last_name, last_value)) if *last_name == name => {
                        let joined = last_value.to_mut();
                        joined.push(',');
                        joined.push_str(&value);
                    }
                    _ => merged.push((name, value)),
                }
            }
            entries = merged;
        }
        Self { entries }
    }

    fn write(&self, out: &mut String) {
        for (name, value) in &self.entries {
            out.push_str(name);
            out.push(':');
            out.push_str(value);
            out.push('\n');
        }
    }

    fn len_hint(&self) -> usize {
        self.entries
            .iter()
            .map(|(n, v)| n.len() + v.len() + 2)
            .sum()
    }
}

/// The canonical request text and where its query line sits in it.
#[derive(Debug, Clone)]
pub(crate) struct CanonicalRequest {
    pub(crate) text: String,
    pub(crate) query: Range<usize>,
}

/// Inputs of [`CanonicalRequest::build`].
pub(crate) struct CanonicalInputs<'a, 'h> {
    pub(crate) method: &'a str,
    pub(crate) bucket: Option<&'a str>,
    pub(crate) key: Option<&'a str>,
    /// Decoded query parameters.
    pub(crate) query: &'a [(&'a str, &'a str)],
    /// Further decoded query parameters (the authentication parameters of presigning).
    pub(crate) extra_query: &'a [(&'a str, &'a str)],
    pub(crate) headers: &'a CanonicalHeaders<'h>,
    pub(crate) additional_line: &'a str,
    pub(crate) payload: &'a str,
}

impl CanonicalRequest {
    pub(crate) fn build(inputs: &CanonicalInputs<'_, '_>) -> Self {
        // Encode every query name and value once into a scratch buffer, then sort ranges.
        let pair_count = inputs.query.len() + inputs.extra_query.len();
        let raw_len: usize = inputs
            .query
            .iter()
            .chain(inputs.extra_query.iter())
            .map(|(n, v)| n.len() + v.len())
            .sum();
        let mut scratch = String::with_capacity(raw_len + raw_len / 2 + 16);
        let mut entries: Vec<(Range<usize>, Range<usize>)> = Vec::with_capacity(pair_count);
        for (name, value) in inputs.query.iter().chain(inputs.extra_query.iter()) {
            let name_start = scratch.len();
            uri_encode_into(&mut scratch, name, false);
            let value_start = scratch.len();
            uri_encode_into(&mut scratch, value, false);
            entries.push((name_start..value_start, value_start..scratch.len()));
        }
        entries.sort_unstable_by(|a, b| {
            let (an, av) = (
                &scratch.as_bytes()[a.0.clone()],
                &scratch.as_bytes()[a.1.clone()],
            );
            let (bn, bv) = (
                &scratch.as_bytes()[b.0.clone()],
                &scratch.as_bytes()[b.1.clone()],
            );
            an.cmp(bn).then_with(|| av.cmp(bv))
        });

        let key_len = inputs.key.map_or(0, str::len);
        let bucket_len = inputs.bucket.map_or(0, str::len);
        let capacity = inputs.method.len()
            + 3
            + bucket_len
            + key_len * 3
            + scratch.len()
            + 2 * pair_count
            + inputs.headers.len_hint()
            + inputs.additional_line.len()
            + inputs.payload.len()
            + 8;
        let mut text = String::with_capacity(capacity);
        text.push_str(inputs.method);
        text.push('\n');
        text.push('/');
        if let Some(bucket) = inputs.bucket {
            uri_encode_into(&mut text, bucket, true);
            text.push('/');
            if let Some(key) = inputs.key {
                uri_encode_into(&mut text, key, true);
            }
        }
        text.push('\n');
        let query_start = text.len();
        for (index, (name, value)) in entries.iter().enumerate() {
            if index > 0 {
                text.push('&');
            }
            text.push_str(&scratch[name.clone()]);
            if !value.is_empty() {
                text.push('=');
                text.push_str(&scratch[value.clone()]);
            }
        }
        let query_end = text.len();
        text.push('\n');
        inputs.headers.write(&mut text);
        text.push('\n');
        text.push_str(inputs.additional_line);
        text.push('\n');
        text.push_str(inputs.payload);
        Self {
            text,
            query: query_start..query_end,
        }
    }
}
