//! The request checks of the presign path: method, bucket, key, headers and query, each bad
//! input refused with the error that names it.

use std::borrow::Cow;

use crate::config::SignatureVersion;
use crate::error::{quoted, Error, ErrorKind};
use crate::request::{PairText, PartsRef, PresignParts};
use crate::validation;

/// Checks the method, bucket, key, headers and query of a request; returns the upper-cased
/// method (`'static` for the common ones: no allocation).
pub(crate) fn check_parts(
    parts: &PresignParts<'_>,
    version: SignatureVersion,
) -> Result<Cow<'static, str>, Error> {
    check_ref(&PartsRef::from(parts), version)
}

/// [`check_parts`] of parts however the request keeps them.
pub(crate) fn check_ref<P: PairText>(
    parts: &PartsRef<'_, P>,
    version: SignatureVersion,
) -> Result<Cow<'static, str>, Error> {
    let method = check_target(parts, version)?;
    check_headers(parts.headers)?;
    check_query(parts.query)?;
    Ok(method)
}

/// What the signing path learns about a request's headers in the pass that borrows them for
/// `oss-sign-core` (no second loop over them): the bytes of every header as a `name:value\n`
/// line, and whether a value holds a non-ASCII byte.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct HeaderScan {
    pub(crate) line_bytes: usize,
    high: u64,
}

impl HeaderScan {
    /// Counts one header.
    #[inline]
    pub(crate) fn add(&mut self, name: &str, value: &str) {
        self.line_bytes += name.len() + value.len() + 2;
        self.high |= high_bits(value.as_bytes());
    }
}

/// Whether a request's query parameter names are in strictly increasing byte order, learnt in
/// the pass that borrows them (as a caller that sorts them gives them: then no name repeats).
#[derive(Debug, Clone, Copy)]
pub(crate) struct QueryScan<'a> {
    /// The name before (`""` at the start: below every non-empty name; an empty name is not
    /// above it, which only sends the request to the exact repeat search, and oss-sign-core
    /// refuses an empty name anyway).
    previous: &'a str,
    /// The first eight bytes of `previous` as [`head`] gives them (each name's taken once).
    previous_head: u64,
    increasing: bool,
}

impl Default for QueryScan<'_> {
    fn default() -> Self {
        QueryScan {
            previous: "",
            previous_head: 0,
            increasing: true,
        }
    }
}

impl<'a> QueryScan<'a> {
    /// Looks at the next parameter's name.
    #[inline]
    pub(crate) fn add(&mut self, name: &'a str) {
        let name_head = head(name.as_bytes());
        // When the words differ, so do the texts at the first differing byte (see `head`).
        self.increasing &= if self.previous_head != name_head {
            self.previous_head < name_head
        } else {
            self.previous.as_bytes() < name.as_bytes()
        };
        self.previous = name;
        self.previous_head = name_head;
    }

    /// The scan of `pairs`' names, in a loop of its own over the borrowed pairs (nothing to
    /// do for none).
    #[inline]
    pub(crate) fn over(pairs: &[(&'a str, &str)]) -> Self {
        let mut scan = QueryScan::default();
        for &(name, _) in pairs {
            scan.add(name);
        }
        scan
    }
}

/// The checks of the signing path: [`check_parts`] without the header name and value rules
/// that `oss-sign-core` applies anyway while it signs (names are HTTP tokens, values hold no
/// control byte) and without its query rule (no empty parameter name); of those rules only the
/// one it lacks is checked here (no C1 control character in a non-ASCII value). With
/// `header_repeats_after`, repeated header names are left to the caller too, who looks for them
/// after signing ([`header_repeats`]) unless `oss-sign-core` found none among the signed
/// headers and every header was signed. `None` when a check fails: the caller then runs
/// [`check_parts`] for the error (and does so too when `oss-sign-core` refuses a header), so
/// a bad request gets exactly the error the full checks give, while a good one has each header
/// looked at once (`headers` and `query`: what the pass that borrowed them found). Else the
/// upper-cased method.
#[inline]
pub(crate) fn check_parts_before_signing<P: PairText>(
    parts: &PartsRef<'_, P>,
    version: SignatureVersion,
    header_repeats_after: bool,
    headers: HeaderScan,
    query: QueryScan<'_>,
) -> Option<Cow<'static, str>> {
    let method = check_target(parts, version).ok()?;
    if !header_repeats_after && header_repeats(parts.headers) {
        return None;
    }
    // Every value ASCII: none holds a C1 control character.
    let c1 = |value: &str| value.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c));
    if headers.high != 0 && parts.headers.iter().any(|pair| c1(pair.value())) {
        return None;
    }
    // Names in strictly increasing order repeat none. An empty query parameter name is refused
    // by oss-sign-core (then the full checks name it).
    if !query.increasing
        && oss_sign_core::first_repeated_name(parts.query, PairText::name, false).is_some()
    {
        return None;
    }
    Some(method)
}

/// Non-zero when a byte of `bytes` is not ASCII: up to 16 bytes with two (overlapping) eight-byte
/// loads, shorter texts byte by byte, longer ones by `is_ascii` (no loop over each byte of the
/// usual short header value).
#[inline]
fn high_bits(bytes: &[u8]) -> u64 {
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    if bytes.len() > 16 {
        return u64::from(!bytes.is_ascii());
    }
    match (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
        (Some(first), Some(last)) => {
            (u64::from_ne_bytes(*first) | u64::from_ne_bytes(*last)) & HIGHS
        }
        _ => bytes.iter().fold(0, |acc, &b| acc | u64::from(b)) & 0x80,
    }
}

/// Whether a header name repeats an earlier one, case-insensitively (`first_repeated_name`:
/// one pass over a small hash table for the usual few names; nothing to look at for fewer
/// than two).
pub(crate) fn header_repeats<P: PairText>(headers: &[P]) -> bool {
    headers.len() > 1 && oss_sign_core::first_repeated_name(headers, PairText::name, true).is_some()
}

/// The first eight bytes of `s` as one big-endian number, zero-padded: when two of these
/// differ, so do the texts at the first differing byte (a text that ends there has a 0
/// against a non-zero byte, and is the smaller, as a prefix is), so order is decided by the
/// numbers with no `memcmp` call for names that differ early, as most do.
#[inline]
fn head(s: &[u8]) -> u64 {
    match s.first_chunk::<8>() {
        Some(word) => u64::from_be_bytes(*word),
        None => s
            .iter()
            .enumerate()
            .fold(0, |word, (i, &b)| word | u64::from(b) << (56 - 8 * i)),
    }
}

/// What both paths check first: the method (returned upper-cased, a `'static` string for the
/// common ones), the bucket and the key (with the V1 key rule when signing V1).
#[inline]
fn check_target<P>(
    parts: &PartsRef<'_, P>,
    version: SignatureVersion,
) -> Result<Cow<'static, str>, Error> {
    let method = match static_method(parts.method) {
        Some(common) => Cow::Borrowed(common),
        None if !parts.method.is_empty()
            && parts.method.bytes().all(|b| b.is_ascii_uppercase()) =>
        {
            Cow::Owned(parts.method.to_owned())
        }
        None => {
            let upper = validation::normalize_method(parts.method)?;
            static_method(&upper).map_or(Cow::Owned(upper), Cow::Borrowed)
        }
    };
    validation::validate_bucket_name(parts.bucket)?;
    validation::validate_object_key(parts.key)?;
    if version == SignatureVersion::V1 {
        validation::validate_object_key_v1(parts.key)?;
    }
    Ok(method)
}

/// The method as a `'static` string when it is a common one, upper-case as given.
#[inline]
fn static_method(method: &str) -> Option<&'static str> {
    Some(match method {
        "GET" => "GET",
        "PUT" => "PUT",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "DELETE" => "DELETE",
        _ => return None,
    })
}

/// The items a check item by item would have looked at before it met the first repeat at
/// `repeated` (all of them when there is none), the repeat included.
fn up_to_repeat<T>(items: &[T], repeated: Option<usize>) -> &[T] {
    &items[..repeated.map_or(items.len(), |d| d + 1)]
}

/// The error of the repeated name at `repeated`, if any, in `field`.
fn refuse_repeat(
    repeated: Option<usize>,
    field: &'static str,
    message: impl FnOnce(usize) -> String,
) -> Result<(), Error> {
    match repeated {
        Some(d) => Err(Error::new(ErrorKind::InvalidRequest, field, message(d))),
        None => Ok(()),
    }
}

/// Checks every header and refuses a repeated name (case-insensitive).
///
/// The same error as checking header by header (each one validated, then compared with the
/// earlier ones): the repeat is found by `first_repeated_name` (one pass, or a sort for many
/// names, instead of every name against every earlier one), the headers up to and including it are validated in
/// order, and then the repeat is reported.
fn check_headers<P: PairText>(headers: &[P]) -> Result<(), Error> {
    let repeated = oss_sign_core::first_repeated_name(headers, PairText::name, true);
    for pair in up_to_repeat(headers, repeated) {
        validation::validate_header(pair.name(), pair.value())?;
    }
    refuse_repeat(repeated, "header", |d| {
        format!(
            "header {} is given twice (names are case-insensitive); give each header once",
            quoted(headers[d].name())
        )
    })
}

/// Refuses empty and repeated (exact) query parameter names, with the error a check parameter
/// by parameter would give first (see [`check_headers`]).
fn check_query<P: PairText>(query: &[P]) -> Result<(), Error> {
    let repeated = oss_sign_core::first_repeated_name(query, PairText::name, false);
    if up_to_repeat(query, repeated)
        .iter()
        .any(|pair| pair.name().is_empty())
    {
        return Err(Error::new(
            ErrorKind::InvalidRequest,
            "query",
            "a query parameter has an empty name; every parameter needs a name",
        ));
    }
    refuse_repeat(repeated, "query", |d| {
        format!(
            "query parameter {} is given twice; give each parameter once",
            quoted(query[d].name())
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// `high_bits` finds a non-ASCII byte wherever it is, at every length.
        #[test]
        fn high_bits_is_not_ascii(
            bytes in proptest::collection::vec(proptest::sample::select(vec![0u8, b'a', 0x7f, 0x80, 0xc2, 0xff]), 0..40),
        ) {
            proptest::prop_assert_eq!(high_bits(&bytes) != 0, !bytes.is_ascii());
        }
    }

    proptest::proptest! {
        /// The eight-byte comparison is byte order.
        #[test]
        fn less_is_byte_order(
            a in proptest::collection::vec(proptest::sample::select(vec![0u8, 1, b'a', b'b', 0xff]), 0..12),
            b in proptest::collection::vec(proptest::sample::select(vec![0u8, 1, b'a', b'b', 0xff]), 0..12),
        ) {
            // The comparison `QueryScan::add` makes.
            let less = |a: &[u8], b: &[u8]| match (head(a), head(b)) {
                (x, y) if x != y => x < y,
                _ => a < b,
            };
            proptest::prop_assert_eq!(less(&a, &b), a < b);
            proptest::prop_assert_eq!(less(&b, &a), b < a);
        }

        /// The scan finds the names strictly increasing exactly when they are (an empty first
        /// name aside: then it says not, which only asks the exact search).
        #[test]
        fn query_scan_is_strictly_increasing(
            names in proptest::collection::vec(
                proptest::sample::select(vec!["", "\0", "a", "a\0", "ab", "abcdefgh", "abcdefgh\0", "abcdefghi", "b"]),
                0..6,
            ),
        ) {
            let mut scan = QueryScan::default();
            for name in &names {
                scan.add(name);
            }
            let strictly = names.windows(2).all(|w| w[0] < w[1]);
            let empty_first = names.first() == Some(&"");
            proptest::prop_assert_eq!(scan.increasing, strictly && !empty_first);
        }
    }
    use crate::request::Pair;

    /// The checks as they were before issue 17 (every name against every earlier one).
    fn pairwise_headers(headers: &[Pair<'_>]) -> Result<(), Error> {
        for (index, (name, value)) in headers.iter().enumerate() {
            validation::validate_header(name, value)?;
            if headers[..index]
                .iter()
                .any(|(earlier, _)| earlier.eq_ignore_ascii_case(name))
            {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    "header",
                    format!(
                        "header {} is given twice (names are case-insensitive); give each header once",
                        quoted(name)
                    ),
                ));
            }
        }
        Ok(())
    }

    fn pairwise_query(query: &[Pair<'_>]) -> Result<(), Error> {
        for (index, (name, _)) in query.iter().enumerate() {
            if name.is_empty() {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    "query",
                    "a query parameter has an empty name; every parameter needs a name",
                ));
            }
            if query[..index].iter().any(|(earlier, _)| earlier == name) {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    "query",
                    format!(
                        "query parameter {} is given twice; give each parameter once",
                        quoted(name)
                    ),
                ));
            }
        }
        Ok(())
    }

    fn outcome(result: Result<(), Error>) -> Option<(ErrorKind, String)> {
        result.err().map(|e| (e.kind(), e.to_string()))
    }

    fn pairs(items: &[(&'static str, &'static str)]) -> Vec<Pair<'static>> {
        items
            .iter()
            .map(|&(n, v)| (Cow::Borrowed(n), Cow::Borrowed(v)))
            .collect()
    }

    #[test]
    fn common_methods_are_static() {
        let checked = |method: &str| {
            let parts = PresignParts::new(method.to_owned(), "examplebucket", "k");
            check_parts(&parts, SignatureVersion::V4).map_err(|e| e.to_string())
        };
        for (given, upper) in [("GET", "GET"), ("get", "GET"), ("Delete", "DELETE")] {
            assert!(
                matches!(checked(given), Ok(Cow::Borrowed(m)) if m == upper),
                "{given}"
            );
        }
        assert!(matches!(checked("PATCH"), Ok(Cow::Owned(m)) if m == "PATCH"));
        assert!(matches!(checked("patch"), Ok(Cow::Owned(m)) if m == "PATCH"));
        let err = checked("G T").unwrap_err();
        assert!(err.contains("is not an HTTP method"), "{err}");
    }

    #[test]
    fn duplicate_header_refusal_is_unchanged() {
        let cases: [&[(&str, &str)]; 5] = [
            &[
                ("Content-Type", "a"),
                ("x-oss-meta-a", "1"),
                ("content-type", "b"),
            ],
            // the repeat is reported, not the later bad value
            &[
                ("x-oss-meta-a", "1"),
                ("X-OSS-META-A", "2"),
                ("bad name", "v"),
            ],
            // a bad header before the repeat wins
            &[
                ("x-oss-meta-a", "1"),
                ("x-oss-meta-b", "a\nb"),
                ("x-oss-meta-a", "2"),
            ],
            // the repeated header itself is validated first
            &[("x-oss-meta-a", "1"), ("x-oss-meta-a", "a\rb")],
            // the first repeat by position, not by name order
            &[("z", "1"), ("b", "1"), ("Z", "2"), ("B", "2")],
        ];
        for case in cases {
            let headers = pairs(case);
            let before = outcome(pairwise_headers(&headers));
            assert!(before.is_some(), "{case:?}");
            assert_eq!(outcome(check_headers(&headers)), before, "{case:?}");
        }
        let headers = pairs(&[("Content-Type", "a"), ("x", "1"), ("content-type", "b")]);
        let (kind, message) = outcome(check_headers(&headers)).unwrap_or_else(|| unreachable!());
        assert_eq!(kind, ErrorKind::InvalidRequest);
        assert!(
            message.contains(
                "header \"content-type\" is given twice (names are case-insensitive); give each header once"
            ),
            "{message}"
        );
    }

    proptest::proptest! {
        #[test]
        fn checks_answer_what_the_pairwise_checks_answered(
            items in proptest::collection::vec(
                (proptest::sample::select(vec![
                    "a", "A", "b", "x-oss-meta-k", "X-Oss-Meta-K", "", "bad name", "Range", "range",
                ]), proptest::sample::select(vec!["v", "", "a\nb", " x "])),
                0..40,
            ),
        ) {
            let list: Vec<Pair<'static>> = items
                .iter()
                .map(|&(n, v)| (Cow::Borrowed(n), Cow::Borrowed(v)))
                .collect();
            proptest::prop_assert_eq!(outcome(check_headers(&list)), outcome(pairwise_headers(&list)));
            proptest::prop_assert_eq!(outcome(check_query(&list)), outcome(pairwise_query(&list)));
        }
    }
}
