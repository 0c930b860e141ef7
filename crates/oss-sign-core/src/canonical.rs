//! The V4 canonical request, shared by signing and verification.
//!
//! ```text
//! METHOD \n CANONICAL_URI \n CANONICAL_QUERY \n CANONICAL_HEADERS \n ADDITIONAL_HEADERS \n HASHED_PAYLOAD
//! ```

use crate::encoding::{is_query_literal, uri_encode_into, write_pairs};
use crate::name_order::encoded_key;
use crate::name_order::query_pair_le;
pub(crate) use crate::name_order::{cmp_bytes, cmp_encoded, cmp_lowercase, word_at};
use crate::name_order::{has_upper_case, lower_and_order, same_name};
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::ops::Range;

/// The payload hash OSS signs in place of a body hash.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The canonical request after an empty header list and additional-header line, with the
/// unsigned payload.
const UNSIGNED_TAIL: &str = "\n\n\nUNSIGNED-PAYLOAD";

/// The last line of the canonical request: the request's `x-oss-content-sha256` value when it
/// has a non-empty one, else `UNSIGNED-PAYLOAD` (what every official SDK signs).
pub(crate) fn hashed_payload(header_value: Option<&str>) -> &str {
    header_value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or(UNSIGNED_PAYLOAD)
}

/// `value.trim()`, without the character scan when neither end can be white space (the usual
/// case): every Unicode white-space character other than the ASCII ones begins and ends with a
/// byte of `0x80` or above.
pub(crate) fn trim_value(value: &str) -> &str {
    let plain_end = |b: u8| b < 0x80 && !matches!(b, 0x09..=0x0d | b' ');
    match (value.as_bytes().first(), value.as_bytes().last()) {
        (Some(&first), Some(&last)) if plain_end(first) && plain_end(last) => value,
        _ => value.trim(),
    }
}

/// The additional-headers line of a V4 signature: the [effective
/// list](effective_additional_headers) joined with `;` (its names are never empty). A loop
/// rather than `join`, whose generic copy is a kilobyte of the WebAssembly module.
pub(crate) fn additional_headers_line(list: &[String]) -> String {
    let mut line = String::with_capacity(list.iter().map(|name| name.len() + 1).sum());
    for name in list {
        if !line.is_empty() {
            line.push(';');
        }
        line.push_str(name);
    }
    line
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
        if name.is_empty() || crate::is_signed_by_default(name) {
            continue;
        }
        let present = headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case(name) && !trim_value(v).is_empty());
        if present {
            list.push(name.to_ascii_lowercase());
        }
    }
    crate::sort::sort_by(&mut list, |a, b| a.cmp(b));
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
    /// Whether the names are known to be distinct (lower-case and strictly increasing as
    /// given): then [`write`](Self::write) looks for no repeats.
    distinct: bool,
}

impl<'h> CanonicalHeaders<'h> {
    /// Selects the signed headers of `headers`, plus `extra` (already lower-case headers the
    /// signer adds, such as `x-oss-date`).
    pub(crate) fn select(
        headers: &[(&'h str, &'h str)],
        additional: &[String],
        extra: &[(&'h str, &'h str)],
    ) -> Self {
        if headers.is_empty() && extra.is_empty() {
            return Self::default();
        }
        let mut picked = Picked {
            entries: Vec::with_capacity(headers.len() + extra.len()),
            in_order: true,
            distinct: true,
        };
        // Two loops rather than a chain of the two lists (which costs a test per item).
        for (index, &(name, value)) in headers.iter().enumerate() {
            picked.take(additional, index, name, value);
        }
        for (index, &(name, value)) in extra.iter().enumerate() {
            picked.take(additional, headers.len() + index, name, value);
        }
        let Picked {
            mut entries,
            in_order,
            distinct,
        } = picked;
        if in_order {
            return Self {
                entries,
                request_len: headers.len(),
                distinct,
            };
        }
        // The position as tie-break: every pair ordered, so any sort gives this order.
        crate::sort::sort_by(&mut entries, |a, b| {
            let names = if a.3 && b.3 {
                cmp_bytes(a.0, b.0)
            } else {
                cmp_lowercase(a.0, b.0)
            };
            names.then(a.2.cmp(&b.2))
        });
        Self {
            entries,
            request_len: headers.len(),
            distinct: false,
        }
    }

    /// `name:value\n` per distinct name: lower-case, values trimmed, repeats joined with `,`.
    ///
    /// Returns whether each line is one of the caller's headers with its value as given
    /// (untrimmed, no repeat; the name in any case, as the list lower-cases it too): then the
    /// lines are also the signed-header list (see
    /// [`write_request_headers`](Self::write_request_headers)).
    pub(crate) fn write(&self, out: &mut String) -> bool {
        let mut verbatim = true;
        if self.distinct {
            // No repeats to join (the usual case): each entry one whole line, no look back.
            for &(name, value, index, lower) in &self.entries {
                push_lowercase(out, name, lower);
                out.push(':');
                let trimmed = trim_value(value);
                verbatim &= trimmed.len() == value.len() && index < self.request_len;
                out.push_str(trimmed);
                out.push('\n');
            }
            return verbatim;
        }
        let mut previous: Option<(&str, bool)> = None;
        for &(name, value, index, lower) in &self.entries {
            match previous {
                Some((last, last_lower))
                    if !self.distinct && same_name(last, name, last_lower && lower) =>
                {
                    verbatim = false;
                    out.push(',')
                }
                _ => {
                    if previous.is_some() {
                        out.push('\n');
                    }
                    push_lowercase(out, name, lower);
                    out.push(':');
                }
            }
            let trimmed = trim_value(value);
            verbatim &= trimmed.len() == value.len() && index < self.request_len;
            out.push_str(trimmed);
            previous = Some((name, lower));
        }
        if previous.is_some() {
            out.push('\n');
        }
        verbatim
    }

    /// How many headers were selected.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    fn len_hint(&self) -> usize {
        self.entries
            .iter()
            .map(|(n, v, _, _)| n.len() + v.len() + 2)
            .sum()
    }

    /// Appends the signed headers the caller gave to `out` as `name\nvalue\n` (lower-case
    /// name, value as given; names are tokens and values hold no line break, so `\n` cannot
    /// occur inside either), sorted by name (repeats in input order); returns how many.
    pub(crate) fn write_request_headers(&self, out: &mut String) -> usize {
        let mut count = 0;
        for &(name, value, index, lower) in &self.entries {
            if index < self.request_len {
                push_lowercase(out, name, lower);
                out.push('\n');
                out.push_str(value);
                out.push('\n');
                count += 1;
            }
        }
        count
    }
}

/// The signed headers met so far, for [`CanonicalHeaders::select`], and whether their names
/// are lower-case and in order (ties in position order) and whether strictly (no repeats),
/// checked as they come: then the sort is skipped.
struct Picked<'h> {
    entries: Vec<(&'h str, &'h str, usize, bool)>,
    in_order: bool,
    distinct: bool,
}

impl<'h> Picked<'h> {
    #[inline(always)]
    fn take(&mut self, additional: &[String], index: usize, name: &'h str, value: &'h str) {
        let signed = crate::is_signed_by_default(name)
            || additional.iter().any(|a| a.eq_ignore_ascii_case(name));
        if signed {
            // While in order, every name so far is lower-case, the last one too: the
            // upper-case test and the order comparison go over the name once.
            let lower = match self.entries.last() {
                Some(last) if self.in_order => {
                    let (lower, order) = lower_and_order(last.0, name);
                    self.in_order = lower && order.is_le();
                    self.distinct &= order.is_lt();
                    lower
                }
                _ => !has_upper_case(name.as_bytes()),
            };
            self.in_order &= lower;
            self.entries.push((name, value, index, lower));
        }
    }
}

/// `text` split at its first `\n` (the `\n` dropped), or all of it: how the `name\nvalue\n`
/// lines of [`CanonicalHeaders::write_request_headers`] are read back. Eight bytes at a time
/// without a call: names and values are short, where a `memchr` call costs more than it saves.
pub(crate) fn split_line(text: &str) -> (&str, &str) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let bytes = text.as_bytes();
    let mut from = 0;
    while from + 8 <= bytes.len() {
        let word = word_at(bytes, from) ^ (ONES * u64::from(b'\n'));
        if word.wrapping_sub(ONES) & !word & HIGHS != 0 {
            break;
        }
        from += 8;
    }
    let at = bytes[from..].iter().position(|&b| b == b'\n');
    match at.map(|p| from + p) {
        Some(at) => (
            text.get(..at).unwrap_or(""),
            text.get(at + 1..).unwrap_or(""),
        ),
        None => (text, ""),
    }
}

fn push_lowercase(out: &mut String, name: &str, already_lower: bool) {
    if already_lower {
        out.push_str(name);
    } else {
        out.extend(name.chars().map(|c| c.to_ascii_lowercase()));
    }
}

/// The canonical request text (header mode and verification; presigning writes it into its
/// own buffer with [`write_canonical_request`]).
#[derive(Debug, Clone)]
pub(crate) struct CanonicalRequest {
    pub(crate) text: String,
}

/// A query value as it is encoded into the canonical request.
#[derive(Debug, Clone, Copy)]
pub(crate) enum QueryValue<'a> {
    /// A raw text, encoded when written.
    Text(&'a str),
    /// A text with nothing to escape (digits, the date, the algorithm): written as it is.
    Literal(&'a str),
    /// The credential `access_key_id/scope`, its scope given raw and encoded (the signing key
    /// keeps both), so only the access key id is encoded per signature, and not even that when
    /// the key holds the whole value encoded for this access key id (`encoded`).
    Credential {
        access_key_id: &'a str,
        scope: &'a str,
        encoded_scope: &'a str,
        encoded: Option<&'a str>,
    },
}

impl QueryValue<'_> {
    fn is_empty(&self) -> bool {
        match self {
            QueryValue::Text(text) | QueryValue::Literal(text) => text.is_empty(),
            QueryValue::Credential { .. } => false,
        }
    }

    fn raw_len(&self) -> usize {
        match self {
            QueryValue::Text(text) | QueryValue::Literal(text) => text.len(),
            QueryValue::Credential {
                access_key_id,
                encoded_scope,
                ..
            } => access_key_id.len() + 1 + encoded_scope.len(),
        }
    }

    pub(crate) fn write(&self, out: &mut String) {
        match self {
            QueryValue::Text(text) => uri_encode_into(out, text, false),
            QueryValue::Literal(text) => {
                debug_assert!(text.bytes().all(is_query_literal), "{text}");
                out.push_str(text);
            }
            QueryValue::Credential {
                encoded: Some(encoded),
                ..
            } => out.push_str(encoded),
            QueryValue::Credential {
                access_key_id,
                encoded_scope,
                ..
            } => {
                uri_encode_into(out, access_key_id, false);
                out.push_str("%2F");
                out.push_str(encoded_scope);
            }
        }
    }

    /// The raw (decoded) bytes.
    fn bytes(&self) -> impl Iterator<Item = u8> + '_ {
        let (first, rest): (&str, Option<&str>) = match self {
            QueryValue::Text(text) | QueryValue::Literal(text) => (text, None),
            QueryValue::Credential {
                access_key_id,
                scope,
                ..
            } => (access_key_id, Some(scope)),
        };
        first.bytes().chain(
            rest.into_iter()
                .flat_map(|scope| core::iter::once(b'/').chain(scope.bytes())),
        )
    }
}

fn cmp_values(a: &QueryValue<'_>, b: &QueryValue<'_>) -> Ordering {
    match (a, b) {
        (
            QueryValue::Text(x) | QueryValue::Literal(x),
            QueryValue::Text(y) | QueryValue::Literal(y),
        ) => cmp_encoded(x, y),
        _ => a.bytes().map(encoded_key).cmp(b.bytes().map(encoded_key)),
    }
}

/// Inputs of [`write_canonical_request`].
pub(crate) struct CanonicalInputs<'a, 'h> {
    pub(crate) method: &'a str,
    pub(crate) bucket: Option<&'a str>,
    pub(crate) key: Option<&'a str>,
    /// Decoded query parameters.
    pub(crate) query: &'a [(&'a str, &'a str)],
    /// Further decoded query parameters (the authentication parameters of presigning), sorted
    /// by name, with names that need no escape.
    pub(crate) extra_query: &'a [(&'a str, QueryValue<'a>)],
    pub(crate) headers: &'a CanonicalHeaders<'h>,
    pub(crate) additional_line: &'a str,
    pub(crate) payload: &'a str,
}

impl CanonicalInputs<'_, '_> {
    /// An upper bound of the canonical request's length (every query and path byte escaped).
    pub(crate) fn len_bound(&self) -> usize {
        let query: usize = self
            .query
            .iter()
            .map(|(n, v)| n.len() + v.len())
            .chain(self.extra_query.iter().map(|(n, v)| n.len() + v.raw_len()))
            .map(|raw| 3 * raw + 2)
            .sum();
        self.method.len()
            + 4
            + 3 * (self.bucket.map_or(0, str::len) + self.key.map_or(0, str::len))
            + query
            + self.headers.len_hint()
            + self.additional_line.len()
            + self.payload.len()
            + 4
    }
}

/// How many query parameters are sorted in a stack array (no allocation).
const QUERY_ON_STACK: usize = 32;

/// Appends the canonical request to `out` and returns where its query line sits in `out`, and
/// where its header lines sit when they are the caller's headers as given
/// ([`CanonicalHeaders::write`]).
///
/// Every query name and value is encoded exactly once, straight into `out`. The caller's
/// parameters are sorted by their encoded order computed from the raw bytes ([`cmp_encoded`]),
/// in a stack array for up to 32 parameters; `extra_query` (the authentication parameters)
/// comes sorted, with names that need no escape, and is merged in. Nothing is allocated when
/// `out` has room.
pub(crate) fn write_canonical_request(
    out: &mut String,
    inputs: &CanonicalInputs<'_, '_>,
) -> (Range<usize>, Option<Range<usize>>) {
    with_sorted_query(inputs.query, |user| {
        write_path(out, inputs);
        let query_start = out.len();
        merge_query(out, user, inputs.extra_query);
        let query_end = out.len();
        let header_lines = write_after_query(out, inputs);
        (query_start..query_end, header_lines)
    })
}

/// Calls `write` with the caller's query parameters in canonical order: as given when they are
/// in order already (one pass, the usual case for a caller that keeps its parameters sorted,
/// and always for one parameter), else sorted in a stack array for up to 32 parameters.
pub(crate) fn with_sorted_query<'q, R>(
    query: &[(&'q str, &'q str)],
    write: impl FnOnce(&[(&'q str, &'q str)]) -> R,
) -> R {
    let compare = |a: &(&str, &str), b: &(&str, &str)| {
        cmp_encoded(a.0, b.0).then_with(|| cmp_encoded(a.1, b.1))
    };
    if query.len() < 2 || query.is_sorted_by(query_pair_le) {
        write(query)
    } else if query.len() <= QUERY_ON_STACK {
        let mut on_stack = [("", ""); QUERY_ON_STACK];
        let user = &mut on_stack[..query.len()];
        user.copy_from_slice(query);
        crate::sort::sort_by(user, compare);
        write(user)
    } else {
        let mut on_heap = query.to_vec();
        crate::sort::sort_by(&mut on_heap, compare);
        write(&on_heap)
    }
}

/// `METHOD\n/bucket/key\n`: the method and the canonical URI lines.
pub(crate) fn write_path(out: &mut String, inputs: &CanonicalInputs<'_, '_>) {
    out.push_str(inputs.method);
    out.push_str("\n/");
    // A long key's text after its first escape goes through the gathering buffer (see
    // `encoding::encode_tail`); a short one straight into `out`.
    if let Some(bucket) = inputs.bucket {
        uri_encode_into(out, bucket, true);
        out.push('/');
        if let Some(key) = inputs.key {
            uri_encode_into(out, key, true);
        }
    }
    out.push('\n');
}

/// The query line: `user` (sorted) merged with `extra` (sorted, names that need no escape).
pub(crate) fn merge_query(
    out: &mut String,
    user: &[(&str, &str)],
    extra: &[(&str, QueryValue<'_>)],
) {
    debug_assert!(extra
        .windows(2)
        .all(|w| cmp_encoded(w[0].0, w[1].0).is_lt()));
    debug_assert!(extra
        .iter()
        .all(|(name, _)| name.bytes().all(is_query_literal)));
    // Before each authentication parameter, the user's parameters that sort before it, found by
    // comparing the last of them and else by a binary search (the usual parameters all sort
    // before `x-oss-...`: one comparison, not one per parameter).
    let mut rest = user;
    let mut written = false;
    for index in 0..=extra.len() {
        let next = extra.get(index);
        let before = match next {
            Some((name, value)) => match rest.last() {
                None => 0,
                // All of them (the usual case: one comparison).
                Some(last) if sorts_before(last, name, value) => rest.len(),
                Some(_) => rest.partition_point(|a| sorts_before(a, name, value)),
            },
            None => rest.len(),
        };
        let (now, later) = rest.split_at(before);
        rest = later;
        if !now.is_empty() {
            write_pairs(out, now, !written);
            written = true;
        }
        // The authentication parameters need no escape: straight to `out`.
        if let Some((name, value)) = next {
            if written {
                out.push('&');
            }
            written = true;
            out.push_str(name);
            if !value.is_empty() {
                out.push('=');
                value.write(out);
            }
        }
    }
}

/// Whether the caller's parameter `pair` sorts before the parameter `name=value`.
pub(crate) fn sorts_before(pair: &(&str, &str), name: &str, value: &QueryValue<'_>) -> bool {
    cmp_encoded(pair.0, name)
        .then_with(|| cmp_values(&QueryValue::Text(pair.1), value))
        .is_lt()
}

/// Everything after the query line: `\n`, the header lines, `\n`, the additional-header
/// line, `\n` and the payload hash; returns where the header lines sit when they are the
/// caller's headers as given.
pub(crate) fn write_after_query(
    out: &mut String,
    inputs: &CanonicalInputs<'_, '_>,
) -> Option<Range<usize>> {
    // No header lines and no additional headers, the payload unsigned (a typical GET): one
    // copy of a constant. The payload is compared by address, which is exact for the
    // constant `hashed_payload` gives and otherwise takes the general way, with the same text.
    if inputs.headers.len() == 0
        && inputs.additional_line.is_empty()
        && core::ptr::eq(inputs.payload, UNSIGNED_PAYLOAD)
    {
        let headers_start = out.len() + 1;
        out.push_str(UNSIGNED_TAIL);
        return Some(headers_start..headers_start);
    }
    out.push('\n');
    let headers_start = out.len();
    let verbatim = inputs.headers.write(out);
    let header_lines = verbatim.then_some(headers_start..out.len());
    out.push('\n');
    if !inputs.additional_line.is_empty() {
        out.push_str(inputs.additional_line);
    }
    out.push('\n');
    out.push_str(inputs.payload);
    header_lines
}

impl CanonicalRequest {
    pub(crate) fn build(inputs: &CanonicalInputs<'_, '_>) -> Self {
        let mut text = String::with_capacity(inputs.len_bound());
        write_canonical_request(&mut text, inputs);
        Self { text }
    }
}

#[cfg(test)]
mod tests;
