//! The V4 canonical request, shared by signing and verification.
//!
//! ```text
//! METHOD \n CANONICAL_URI \n CANONICAL_QUERY \n CANONICAL_HEADERS \n ADDITIONAL_HEADERS \n HASHED_PAYLOAD
//! ```

use crate::encoding::uri_encode_into;
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;
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

/// Orders header names as their lower-case forms would sort, without building those forms.
pub(crate) fn cmp_lowercase(a: &str, b: &str) -> Ordering {
    for (x, y) in a.bytes().zip(b.bytes()) {
        if x != y {
            let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
            if x != y {
                return x.cmp(&y);
            }
        }
    }
    a.len().cmp(&b.len())
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
///
/// Nothing is copied: each entry borrows the caller's name and value (as given), the list is
/// sorted by lower-case name and input position (so repeated names keep their order, and
/// repeats sit side by side), and [`write`](Self::write) lower-cases, trims and joins while it
/// writes the canonical request.
#[derive(Debug, Default)]
pub(crate) struct CanonicalHeaders<'h> {
    /// `(name as given, value as given, position in headers then extra, name is lower-case)`.
    entries: Vec<(&'h str, &'h str, usize, bool)>,
    /// How many headers the caller gave: positions below it are theirs, the rest `extra`.
    request_len: usize,
}

impl<'h> CanonicalHeaders<'h> {
    /// Selects the signed headers of `headers`, plus `extra` (already lower-case headers the
    /// signer adds, such as `x-oss-date`).
    pub(crate) fn select(
        headers: &[(&'h str, &'h str)],
        additional: &[String],
        extra: &[(&'h str, &'h str)],
    ) -> Self {
        let mut entries: Vec<(&'h str, &'h str, usize, bool)> =
            Vec::with_capacity(headers.len() + extra.len());
        for (index, &(name, value)) in headers.iter().chain(extra.iter()).enumerate() {
            let signed = is_signed_by_default_any_case(name)
                || additional.iter().any(|a| a.eq_ignore_ascii_case(name));
            if signed {
                let lower = !name.bytes().any(|b| b.is_ascii_uppercase());
                entries.push((name, value, index, lower));
            }
        }
        // Unstable sort with the position as tie-break: the order of a stable sort, no buffer.
        entries.sort_unstable_by(|a, b| {
            let names = if a.3 && b.3 {
                a.0.cmp(b.0)
            } else {
                cmp_lowercase(a.0, b.0)
            };
            names.then(a.2.cmp(&b.2))
        });
        Self {
            entries,
            request_len: headers.len(),
        }
    }

    /// `name:value\n` per distinct name: lower-case, values trimmed, repeats joined with `,`.
    fn write(&self, out: &mut String) {
        let mut previous: Option<&str> = None;
        for &(name, value, _, lower) in &self.entries {
            match previous {
                Some(last) if last.eq_ignore_ascii_case(name) => out.push(','),
                _ => {
                    if previous.is_some() {
                        out.push('\n');
                    }
                    push_lowercase(out, name, lower);
                    out.push(':');
                }
            }
            out.push_str(value.trim());
            previous = Some(name);
        }
        if previous.is_some() {
            out.push('\n');
        }
    }

    fn len_hint(&self) -> usize {
        self.entries
            .iter()
            .map(|(n, v, _, _)| n.len() + v.len() + 2)
            .sum()
    }

    /// The signed headers the caller gave, as `(lower-case name, value as given)`, sorted by
    /// name (repeats in input order), written back to back into `text` with one
    /// `(name start, value start, value end)` span each: two allocations in all, not two per
    /// header.
    pub(crate) fn request_headers(&self) -> (String, Vec<(usize, usize, usize)>) {
        let count = self
            .entries
            .iter()
            .filter(|e| e.2 < self.request_len)
            .count();
        let bytes = self
            .entries
            .iter()
            .filter(|e| e.2 < self.request_len)
            .map(|(n, v, _, _)| n.len() + v.len())
            .sum();
        let mut text = String::with_capacity(bytes);
        let mut spans = Vec::with_capacity(count);
        for &(name, value, index, lower) in &self.entries {
            if index < self.request_len {
                let name_start = text.len();
                push_lowercase(&mut text, name, lower);
                let value_start = text.len();
                text.push_str(value);
                spans.push((name_start, value_start, text.len()));
            }
        }
        (text, spans)
    }
}

fn push_lowercase(out: &mut String, name: &str, already_lower: bool) {
    if already_lower {
        out.push_str(name);
    } else {
        out.extend(name.chars().map(|c| c.to_ascii_lowercase()));
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::borrow::ToOwned;
    use alloc::vec;
    use proptest::prelude::*;

    /// The selection as it was written before it stopped copying (issue 17): lower-cased
    /// copies, stable sort, a second vector for the merge.
    fn reference(
        headers: &[(&str, &str)],
        additional: &[String],
    ) -> (String, Vec<(String, String)>) {
        let mut entries: Vec<(String, String)> = Vec::new();
        for (name, value) in headers {
            if is_signed_by_default_any_case(name)
                || additional.iter().any(|a| a.eq_ignore_ascii_case(name))
            {
                entries.push((name.to_ascii_lowercase(), value.trim().to_owned()));
            }
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut merged: Vec<(String, String)> = Vec::new();
        for (name, value) in entries {
            match merged.last_mut() {
                Some((last, joined)) if *last == name => {
                    joined.push(',');
                    joined.push_str(&value);
                }
                _ => merged.push((name, value)),
            }
        }
        let mut text = String::new();
        for (name, value) in &merged {
            text.push_str(name);
            text.push(':');
            text.push_str(value);
            text.push('\n');
        }
        let mut list: Vec<(String, String)> = headers
            .iter()
            .filter(|(name, _)| {
                is_signed_by_default_any_case(name)
                    || additional.iter().any(|a| a.eq_ignore_ascii_case(name))
            })
            .map(|(name, value)| (name.to_ascii_lowercase(), (*value).to_owned()))
            .collect();
        list.sort_by(|a, b| a.0.cmp(&b.0));
        (text, list)
    }

    fn owned(selected: &CanonicalHeaders<'_>) -> Vec<(String, String)> {
        let (text, spans) = selected.request_headers();
        spans
            .iter()
            .map(|&(n, v, e)| (text[n..v].to_owned(), text[v..e].to_owned()))
            .collect()
    }

    #[test]
    fn repeated_mixed_case_names_join_in_input_order() {
        let headers = [
            ("X-OSS-Meta-B", " 2 "),
            ("content-type", "text/plain"),
            ("x-oss-meta-b", "1"),
            ("Range", "bytes=0-1"),
            ("x-oss-meta-a", "0"),
        ];
        let selected = CanonicalHeaders::select(&headers, &[], &[("x-oss-date", "d")]);
        let mut text = String::new();
        selected.write(&mut text);
        assert_eq!(
            text,
            "content-type:text/plain\nx-oss-date:d\nx-oss-meta-a:0\nx-oss-meta-b:2,1\n"
        );
        assert_eq!(
            owned(&selected),
            vec![
                ("content-type".to_owned(), "text/plain".to_owned()),
                ("x-oss-meta-a".to_owned(), "0".to_owned()),
                ("x-oss-meta-b".to_owned(), " 2 ".to_owned()),
                ("x-oss-meta-b".to_owned(), "1".to_owned()),
            ]
        );
    }

    proptest! {
        #[test]
        fn lowercase_order_is_the_order_of_the_lowercase_forms(a in "[a-cA-C-]{0,5}", b in "[a-cA-C-]{0,5}") {
            prop_assert_eq!(cmp_lowercase(&a, &b), a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase()));
        }

        #[test]
        fn same_canonical_headers_as_the_copying_selection(
            headers in prop::collection::vec(
                (prop::sample::select(vec![
                    "x-oss-meta-a", "X-OSS-META-A", "x-oss-meta-B", "Content-Type", "content-md5",
                    "Host", "host", "range", "x-oss-date", "X-Oss-Meta-b",
                ]), "[ a-z0-9,]{0,6}"),
                0..12,
            ),
            with_host in any::<bool>(),
        ) {
            let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let additional = if with_host { vec!["host".to_owned()] } else { Vec::new() };
            let selected = CanonicalHeaders::select(&pairs, &additional, &[]);
            let mut text = String::new();
            selected.write(&mut text);
            let (expected_text, expected_list) = reference(&pairs, &additional);
            prop_assert_eq!(text, expected_text);
            prop_assert_eq!(owned(&selected), expected_list);
        }
    }
}
