//! What the V4 result copies from the canonical request instead of writing it again: the
//! encoded object key (the URL path) and the signed headers' lines.
//!
//! The canonical request is `METHOD\n/bucket/KEY\nQUERY\nHEADERS\nADDITIONAL\nPAYLOAD` (the
//! V4 specification); [`v4::Presigned`] gives it and its query line, and the rest follows
//! from where the query line sits. Every lookup is checked against the line breaks around it
//! and gives `None` when anything is not where the layout says, so the caller writes that
//! part itself.

use oss_sign_core::v4;

use crate::request::Pair;

/// Where the parts of one canonical request are.
#[derive(Debug, Clone, Copy)]
pub(super) struct CanonicalLayout<'p> {
    /// The object key as the canonical URI holds it: encoded by the same rules as the URL
    /// path (`/` kept; the bucket, a checked bucket name, needs no escape).
    pub(super) encoded_key: &'p str,
    /// Where the header lines start (right after the query line).
    headers_start: usize,
}

impl<'p> CanonicalLayout<'p> {
    /// The layout of `presigned`'s canonical request for `method` on `bucket`.
    pub(super) fn of(presigned: &'p v4::Presigned, method: &str, bucket: &str) -> Option<Self> {
        let canonical = presigned.canonical_request();
        let query = presigned.canonical_query();
        // The query line is a part of the canonical request (the same buffer): its offset is
        // the distance of the two starts. No `memchr` for the end of the URI line.
        let query_start = (query.as_ptr() as usize).checked_sub(canonical.as_ptr() as usize)?;
        let headers_start = query_start + query.len() + 1;
        let bytes = canonical.as_bytes();
        if bytes.get(query_start.checked_sub(1)?) != Some(&b'\n')
            || bytes.get(headers_start - 1) != Some(&b'\n')
        {
            return None;
        }
        let encoded_key = canonical
            .get(method.len()..query_start - 1)?
            .strip_prefix('\n')?
            .strip_prefix('/')?
            .strip_prefix(bucket)?
            .strip_prefix('/')?;
        Some(Self {
            encoded_key,
            headers_start,
        })
    }

    /// The signed headers' lines (`name:value\n` each, lower-case names, sorted), when they
    /// are the signed headers as given. Without configured additional headers (the caller's
    /// condition) the signed headers are those of [`signed_by_default`] names, each given
    /// once (the checks made sure); when none of their values has white space at an end, the
    /// canonical lines hold them unchanged. `None` when a value was trimmed, or the lines are
    /// not followed by the blank line.
    pub(super) fn signed_header_lines(
        &self,
        presigned: &'p v4::Presigned,
        summary: &HeaderSummary,
    ) -> Option<&'p str> {
        if !summary.signed_untrimmed || presigned.signed_header_pairs().len() != summary.signed {
            return None;
        }
        let start = self.headers_start;
        let end = start + summary.signed_bytes;
        let bytes = presigned.canonical_request().as_bytes();
        let last = if end > start { end - 1 } else { start - 1 };
        if bytes.get(last) != Some(&b'\n') || bytes.get(end) != Some(&b'\n') {
            return None;
        }
        presigned.canonical_request().get(start..end)
    }
}

/// What the result's header lines need to know of the request's headers, in one pass.
#[derive(Debug, Clone, Copy)]
pub(super) struct HeaderSummary {
    /// Bytes of every header as a `name:value\n` line.
    pub(super) bytes: usize,
    /// How many headers are signed by their name alone (`x-oss-*`, `content-type`,
    /// `content-md5`), and the bytes of their lines.
    pub(super) signed: usize,
    signed_bytes: usize,
    /// Whether no value of those has white space at an end (the canonical request holds the
    /// values trimmed).
    signed_untrimmed: bool,
}

impl HeaderSummary {
    pub(super) fn of(headers: &[Pair<'_>]) -> Self {
        let mut summary = HeaderSummary {
            bytes: 0,
            signed: 0,
            signed_bytes: 0,
            signed_untrimmed: true,
        };
        for (name, value) in headers {
            let line = name.len() + value.len() + 2;
            summary.bytes += line;
            if signed_by_default(name) {
                summary.signed += 1;
                summary.signed_bytes += line;
                summary.signed_untrimmed &= plain_ends(value);
            }
        }
        summary
    }
}

/// Whether neither end of `value` can be white space (what trimming removes): every Unicode
/// white-space character begins and ends with an ASCII white-space byte or one of `0x80` and
/// above.
fn plain_ends(value: &str) -> bool {
    let plain = |b: &u8| *b < 0x80 && !matches!(b, 0x09..=0x0d | b' ');
    value.as_bytes().first().is_none_or(plain) && value.as_bytes().last().is_none_or(plain)
}

/// Whether V4 and V1 sign a header by its name alone: `x-oss-*`, `content-type`, `content-md5`
/// (any case). Byte tests instead of `eq_ignore_ascii_case` calls: `b | 0x20` is the lower
/// case of a letter and equals it for no other byte.
#[inline]
pub(super) fn signed_by_default(name: &str) -> bool {
    let b = name.as_bytes();
    match b.len() {
        0..=5 => false,
        len => {
            (b[0] | 0x20 == b'x'
                && b[1] == b'-'
                && b[2] | 0x20 == b'o'
                && b[3] | 0x20 == b's'
                && b[4] | 0x20 == b's'
                && b[5] == b'-')
                || (len == 12 && name.eq_ignore_ascii_case("content-type"))
                || (len == 11 && name.eq_ignore_ascii_case("content-md5"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_by_name_alone() {
        for name in [
            "x-oss-meta-a",
            "X-OSS-",
            "X-Oss-Date",
            "content-type",
            "Content-Type",
            "CONTENT-MD5",
        ] {
            assert!(signed_by_default(name), "{name}");
        }
        for name in [
            "",
            "x-oss",
            "x_oss-a",
            "y-oss-a",
            "x-osz-a",
            "content-typ",
            "content-types",
            "Range",
            "x-os--a",
            "content-md55",
        ] {
            assert!(!signed_by_default(name), "{name}");
        }
    }

    #[test]
    fn trimmed_values_are_told_apart() {
        for plain in ["", "a", "a b", "caf\u{e9}!"] {
            assert!(plain_ends(plain), "{plain:?}");
        }
        for spaced in [" a", "a ", "\ta", "a\u{b}", "\u{a0}a", "a\u{3000}"] {
            assert!(!plain_ends(spaced), "{spaced:?}");
            assert!(spaced.trim().len() < spaced.len(), "{spaced:?}");
        }
    }
}
