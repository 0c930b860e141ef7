//! The presign itself, once the credentials and the instant are known: checks, signs and writes
//! the URL and the header lists into the [`PresignResult`]'s one buffer.

use oss_credentials::Credentials;
use oss_sign_core::{is_signed_by_default, v1, v4, SignableRequest, SigningTime};

use super::request_checks::{check_parts_before_signing, check_ref};
use super::{sign_error, Client};
use crate::config::SignatureVersion;
use crate::endpoint::ResolvedEndpoint;
use crate::error::{Error, ErrorKind};
use crate::presign::{PresignOptions, PresignResult};
use crate::request::{PairText, PartsRef};
use crate::result_writer::ResultWriter;
use oss_sign_core::SignError;

/// How many headers or query parameters are borrowed into a stack array (no allocation).
const PAIRS_ON_STACK: usize = 32;
/// How many configured additional header names are borrowed into a stack array.
const ADDITIONAL_ON_STACK: usize = 8;
/// The smaller stack array, for the usual few pairs (filling the large one costs a 1 KiB
/// write even for one pair).
const FEW_PAIRS: usize = 4;

/// Where the `(&str, &str)` view of a request's pairs that [`SignableRequest`] takes is
/// written: a small array for the usual few pairs, a larger one for up to [`PAIRS_ON_STACK`]
/// (filling it costs a 1 KiB write even for one pair), else a vector; each array is only
/// initialised when used (no list, no stores). Declared by the caller and filled in place, so
/// no array is moved.
struct PairSlots<'a> {
    few: Option<[(&'a str, &'a str); FEW_PAIRS]>,
    many: Option<[(&'a str, &'a str); PAIRS_ON_STACK]>,
    heap: Vec<(&'a str, &'a str)>,
}

/// Borrows `pairs` into the first `pairs.len()` slots.
fn fill<'a, P: PairText>(slots: &mut [(&'a str, &'a str)], pairs: &'a [P]) {
    for (slot, pair) in slots.iter_mut().zip(pairs) {
        *slot = (pair.name(), pair.value());
    }
}

impl<'a> PairSlots<'a> {
    fn new() -> Self {
        PairSlots {
            few: None,
            many: None,
            heap: Vec::new(),
        }
    }

    /// `pairs` as `(&str, &str)`, on the stack for up to [`PAIRS_ON_STACK`] pairs.
    fn borrow<P: PairText>(&mut self, pairs: &'a [P]) -> &[(&'a str, &'a str)] {
        if let Some(pairs) = P::as_str_pairs(pairs) {
            return pairs;
        }
        let len = pairs.len();
        if len == 0 {
            &[]
        } else if len <= FEW_PAIRS {
            let slots = self.few.insert([("", ""); FEW_PAIRS]);
            fill(slots, pairs);
            &slots[..len]
        } else if len <= PAIRS_ON_STACK {
            let slots = self.many.insert([("", ""); PAIRS_ON_STACK]);
            fill(slots, pairs);
            &slots[..len]
        } else {
            self.heap
                .extend(pairs.iter().map(|pair| (pair.name(), pair.value())));
            &self.heap
        }
    }
}

impl Client {
    /// The whole presign at a given instant (the clock has been asked already).
    ///
    /// Allocations on the V4 path: the result's one buffer (URL, then the headers), the
    /// `oss-sign-core` [`v4::Presigned`] buffer, and its signed-header selection when the
    /// request has headers; the borrowed pair views stay on the stack for up to 32 headers and
    /// 32 parameters, the additional header names for up to 8. (The
    /// caller's [`PresignParts`](crate::PresignParts) vectors come on top, one per non-empty
    /// list, unless the request gives a [`PresignView`](crate::PresignView) or writes
    /// [`InlineParts`](crate::InlineParts), as every typed request does.)
    pub(crate) fn presign_parts_at<P: PairText>(
        &self,
        parts: &PartsRef<'_, P>,
        options: &PresignOptions,
        credentials: &Credentials,
        now: SigningTime,
    ) -> Result<PresignResult, Error> {
        let config = &self.inner.config;
        let version = config.signature_version;

        let method = match check_parts_before_signing(parts, version) {
            Some(method) => method,
            // The full checks name what is wrong (or, had the quick ones been stricter, pass).
            None => check_ref(parts, version)?,
        };
        let seconds = options.validity_seconds(now, version)?;

        let mut header_slots = PairSlots::new();
        let mut query_slots = PairSlots::new();
        let signable = SignableRequest::new(&method)
            .bucket(parts.bucket)
            .key(parts.key)
            .query(query_slots.borrow(parts.query))
            .headers(header_slots.borrow(parts.headers));

        let endpoint = &config.endpoint;
        // Bytes of every header as a `name:value\n` line.
        let header_bytes: usize = parts
            .headers
            .iter()
            .map(|pair| pair.name().len() + pair.value().len() + 2)
            .sum();
        let credentials_expiration = credentials
            .expiration()
            .and_then(|at| SigningTime::try_from(at).ok());

        match version {
            SignatureVersion::V1 => {
                // Checked by validity_seconds: fits before the year 10000.
                let expiration = now.checked_add_seconds(seconds).ok_or_else(|| {
                    Error::without_field(ErrorKind::InvalidExpiry, "expiry out of range")
                })?;
                let params = v1::PresignParams::new(
                    credentials.access_key_id(),
                    credentials.access_key_secret(),
                    expiration.unix_seconds(),
                )
                .security_token(credentials.security_token());
                let presigned =
                    v1::presign(&signable, &params).map_err(|e| refused(parts, version, e))?;
                let capacity = endpoint.url_capacity(parts.bucket, parts.key) + 512 + header_bytes;
                let mut url = String::with_capacity(capacity);
                endpoint.write_object_url(&mut url, parts.bucket, parts.key);
                url.push('?');
                url.push_str(presigned.url_query());
                if url.ends_with('?') {
                    url.pop();
                }
                let mut writer = ResultWriter::after_url(url);
                writer.signed_all(
                    presigned
                        .signed_headers()
                        .iter()
                        .map(|(name, value)| (name.as_str(), value.as_str())),
                );
                write_unsigned(&mut writer, parts.headers, true);
                Ok(writer.finish(method, expiration, credentials_expiration))
            }
            _ => {
                let expires = u32::try_from(seconds).map_err(|_| {
                    Error::without_field(ErrorKind::InvalidExpiry, "expiry out of range")
                })?;
                // The configured additional header names as `&str`: on the stack for up to
                // ADDITIONAL_ON_STACK names (no list to build, and no array to fill, when none
                // are configured).
                let additional_slots: [&str; ADDITIONAL_ON_STACK];
                let additional_heap: Vec<&str>;
                let configured = &config.additional_headers;
                let additional: &[&str] = if configured.is_empty() {
                    &[]
                } else if configured.len() <= ADDITIONAL_ON_STACK {
                    additional_slots =
                        std::array::from_fn(|i| configured.get(i).map_or("", String::as_str));
                    &additional_slots[..configured.len()]
                } else {
                    additional_heap = configured.iter().map(String::as_str).collect();
                    &additional_heap
                };
                let params = v4::PresignParams::new(
                    credentials.access_key_id(),
                    endpoint.signing_region(),
                    now,
                    expires,
                )
                .product(endpoint.product())
                .security_token(credentials.security_token())
                .additional_headers(additional);
                // The result is written under the key cache's read lock, where the signature
                // is: the `Presigned` (a few hundred bytes) is never moved out.
                let no_additional = additional.is_empty();
                let (writer, expiration) = self
                    .inner
                    .keys
                    .with(credentials.access_key_secret(), now, |key| {
                        let presigned = v4::presign(&signable, &params, key)?;
                        let writer = write_v4_result(
                            &presigned,
                            endpoint,
                            parts,
                            header_bytes,
                            no_additional,
                        );
                        Ok((writer, presigned.expiration()))
                    })
                    .map_err(|e| refused(parts, version, e))?;
                Ok(writer.finish(method, expiration, credentials_expiration))
            }
        }
    }
}

/// The error for a request `oss-sign-core` refused: the full checks' error when they find one
/// (a header name or value they name as they always did), else the signer's.
fn refused<P: PairText>(
    parts: &PartsRef<'_, P>,
    version: SignatureVersion,
    err: SignError,
) -> Error {
    match check_ref(parts, version) {
        Err(checked) => checked,
        Ok(_) => sign_error(err),
    }
}

/// The URL and header lines of a V4 presign, in one buffer sized once the query is known (the
/// URL and every header fit, so it never grows).
fn write_v4_result<P: PairText>(
    presigned: &v4::Presigned,
    endpoint: &ResolvedEndpoint,
    parts: &PartsRef<'_, P>,
    header_bytes: usize,
    no_additional: bool,
) -> ResultWriter {
    // The key as the canonical URI holds it (`/bucket/KEY`; the bucket, a checked name, needs
    // no escape): encoded by the URL path's rules already.
    let encoded_key = presigned
        .canonical_uri()
        .strip_prefix('/')
        .and_then(|uri| uri.strip_prefix(parts.bucket))
        .and_then(|uri| uri.strip_prefix('/'));
    let capacity = endpoint.url_capacity_encoded(
        parts.bucket,
        encoded_key.map_or(parts.key.len() * 3, str::len),
    ) + 1
        + presigned.canonical_query().len()
        + SIGNATURE_PARAMETER_LEN
        + header_bytes;
    let mut url = String::with_capacity(capacity);
    match encoded_key {
        Some(key) => endpoint.write_object_url_encoded(&mut url, parts.bucket, key),
        None => endpoint.write_object_url(&mut url, parts.bucket, parts.key),
    }
    url.push('?');
    presigned.write_url_query(&mut url);
    let mut writer = ResultWriter::after_url(url);
    if !parts.headers.is_empty() {
        // The canonical request's header lines when they are the signed headers as given.
        match presigned.signed_header_lines() {
            Some(lines) => writer.signed_lines(lines, presigned.signed_header_pairs().len()),
            None => writer.signed_all(presigned.signed_header_pairs()),
        }
    }
    debug_assert!(writer.signed_so_far().eq(presigned.signed_header_pairs()));
    // Every header signed (the request names none twice): none left to list.
    if writer.signed_count() < parts.headers.len() {
        write_unsigned(&mut writer, parts.headers, no_additional);
    }
    debug_assert!(writer.len() <= capacity, "{} > {capacity}", writer.len());
    writer
}

/// `&x-oss-signature=` and the 64 hex digits of the signature.
const SIGNATURE_PARAMETER_LEN: usize = 17 + 64;

/// Appends the request headers the signature does not cover, names as given, in request order.
///
/// Both V4 and V1 sign every `x-oss-*`, `content-type` and `content-md5` header, so those are
/// answered from the name alone; without configured additional headers nothing else is
/// signed (`no_additional`), else the signed list written so far is asked.
fn write_unsigned<P: PairText>(writer: &mut ResultWriter, headers: &[P], no_additional: bool) {
    for pair in headers {
        let (name, value) = (pair.name(), pair.value());
        let signed = is_signed_by_default(name)
            || (!no_additional
                && writer
                    .signed_so_far()
                    .any(|(listed, _)| listed.eq_ignore_ascii_case(name)));
        if !signed {
            writer.unsigned(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::request_checks::check_parts;
    use super::*;
    use crate::request::Pair;
    use std::borrow::Cow;

    fn client(version: SignatureVersion) -> Client {
        let at = SigningTime::from_unix_seconds(1_731_400_000).unwrap_or_else(|e| panic!("{e}"));
        let credentials =
            Credentials::new("LTAIexample", "secret").unwrap_or_else(|e| panic!("{e}"));
        let config = crate::Config::builder()
            .region("cn-hangzhou")
            .signature_version(version)
            .credentials(credentials)
            .clock(crate::FixedClock::new(at))
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        Client::new(config)
    }

    proptest::proptest! {
        /// The signing path looks at each header once (oss-sign-core checks names and
        /// values while it signs); whatever it refuses, the error is the one the full checks
        /// give, and what they accept it signs.
        #[test]
        fn presign_refuses_with_the_full_checks_error(
            headers in proptest::collection::vec((proptest::sample::select(vec![
                "x-oss-meta-a", "X-OSS-META-A", "Content-Type", "Range", "bad name", "", "h\u{e9}",
            ]), proptest::sample::select(vec![
                "v", "", " x ", "a\nb", "t\tab", "\u{85}", "caf\u{e9}", "\u{7f}", "\u{0}",
            ])), 0..6),
            query in proptest::collection::vec((proptest::sample::select(vec![
                "a", "b", "", "uploads",
            ]), proptest::sample::select(vec!["1", ""])), 0..4),
            method in proptest::sample::select(vec!["GET", "put", "G T"]),
            v1 in proptest::bool::ANY,
        ) {
            let version = if v1 { SignatureVersion::V1 } else { SignatureVersion::V4 };
            let mut request = crate::ObjectRequest::new(method, "examplebucket", "k");
            request.headers = headers.iter().map(|&(n, v)| (n.to_owned(), v.to_owned())).collect();
            request.parameters = query.iter().map(|&(n, v)| (n.to_owned(), v.to_owned())).collect();
            let outcome = client(version).presign(&request).map(|_| ()).map_err(|e| (e.kind(), e.to_string()));
            let parts = crate::Presignable::presign_parts(&request);
            let checked = check_parts(&parts, version).map(|_| ()).map_err(|e| (e.kind(), e.to_string()));
            proptest::prop_assert_eq!(outcome, checked);
        }
    }

    /// A request that gives only [`crate::Presignable::presign_parts`] (no view).
    struct PartsOnly<'r>(&'r crate::ObjectRequest);

    impl crate::Presignable for PartsOnly<'_> {
        fn presign_parts(&self) -> crate::PresignParts<'_> {
            self.0.presign_parts()
        }
    }

    proptest::proptest! {
        /// `ObjectRequest` is signed through its `PresignView` (no `PresignParts` vectors): the
        /// same result, byte for byte, or the same error, as through `presign_parts`.
        #[test]
        fn the_view_and_the_parts_sign_alike(
            headers in proptest::collection::vec((proptest::sample::select(vec![
                "x-oss-meta-a", "X-OSS-META-A", "Content-Type", "Range", "bad name", "Host", "content-md5",
            ]), proptest::sample::select(vec!["v", "", " x ", "a\nb", "caf\u{e9}", "\u{85}"])), 0..6),
            query in proptest::collection::vec((proptest::sample::select(vec![
                "a", "b", "", "uploads", "versionId", "x-oss-signature", "p q",
            ]), proptest::sample::select(vec!["1", "", "a/b c"])), 0..6),
            method in proptest::sample::select(vec!["GET", "put", "PATCH", "G T"]),
            bucket in proptest::sample::select(vec!["examplebucket", "Bad_Bucket", "ab"]),
            key in proptest::sample::select(vec!["k", "a b/c", "?q", ""]),
            v1 in proptest::bool::ANY,
        ) {
            let version = if v1 { SignatureVersion::V1 } else { SignatureVersion::V4 };
            let mut request = crate::ObjectRequest::new(method, bucket, key);
            request.headers = headers.iter().map(|&(n, v)| (n.to_owned(), v.to_owned())).collect();
            request.parameters = query.iter().map(|&(n, v)| (n.to_owned(), v.to_owned())).collect();
            let client = client(version);
            let outcome = |r: Result<PresignResult, Error>| r.map_err(|e| (e.kind(), e.to_string()));
            proptest::prop_assert!(crate::Presignable::presign_view(&request).is_some());
            proptest::prop_assert_eq!(
                outcome(client.presign(&request)),
                outcome(client.presign(&PartsOnly(&request)))
            );
        }
    }

    /// The list sizes the view tests take: empty, one, and each side of the stack arrays.
    const VIEW_SIZES: [usize; 7] = [
        0,
        1,
        FEW_PAIRS,
        FEW_PAIRS + 1,
        PAIRS_ON_STACK,
        PAIRS_ON_STACK + 1,
        40,
    ];

    /// The same through every size of borrowed view (small array, large array, vector): good
    /// requests, signed alike.
    #[test]
    fn the_view_and_the_parts_sign_alike_at_every_view_size() {
        for version in [SignatureVersion::V4, SignatureVersion::V1] {
            let client = client(version);
            for n in VIEW_SIZES {
                let mut request = crate::ObjectRequest::new("PUT", "examplebucket", "a b/c");
                request.headers = (0..n)
                    .map(|i| (format!("x-oss-meta-h{i}"), format!("v {i}")))
                    .chain((0..n).map(|i| (format!("If-Match-{i}"), format!("e{i}"))))
                    .collect();
                request.parameters = (0..n)
                    .map(|i| (format!("p{i}"), format!("{i}/x")))
                    .collect();
                let viewed = client
                    .presign(&request)
                    .unwrap_or_else(|e| panic!("{n}: {e}"));
                let parted = client
                    .presign(&PartsOnly(&request))
                    .unwrap_or_else(|e| panic!("{n}: {e}"));
                assert_eq!(viewed, parted, "{version:?} {n}");
                assert_eq!(viewed.signed_headers().count(), n, "{version:?} {n}");
                assert_eq!(viewed.unsigned_headers().count(), n, "{version:?} {n}");
            }
        }
    }

    #[test]
    fn borrowed_pairs_on_the_stack_and_on_the_heap() {
        for n in VIEW_SIZES {
            let pairs: Vec<Pair<'static>> = (0..n)
                .map(|i| (Cow::Owned(format!("n{i}")), Cow::Owned(format!("v{i}"))))
                .collect();
            let mut slots = PairSlots::new();
            let borrowed = slots.borrow(&pairs);
            let expected: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(a, b)| (a.as_ref(), b.as_ref()))
                .collect();
            assert_eq!(borrowed, expected.as_slice(), "{n}");
        }
    }

    /// The signed headers copied from the canonical request's lines, and those read back pair
    /// by pair (a value trimmed there, additional headers configured): the same lists.
    #[test]
    fn signed_headers_as_given_whichever_way_they_are_written() {
        let at = SigningTime::from_unix_seconds(1_731_400_000).unwrap_or_else(|e| panic!("{e}"));
        let with_additional = Client::new(
            crate::Config::builder()
                .region("cn-hangzhou")
                .credentials(
                    Credentials::new("LTAIexample", "secret").unwrap_or_else(|e| panic!("{e}")),
                )
                .additional_headers(["Host", "Range"])
                .clock(crate::FixedClock::new(at))
                .build()
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let headers: &[(&str, &str)] = &[
            ("X-Oss-Meta-B", "2:3"),
            ("Range", "bytes=0-1"),
            ("content-type", "text/plain"),
            ("x-oss-meta-a", ""),
            ("Host", "h"),
        ];
        let spaced = [("x-oss-meta-c", " padded\t")];
        let plain: Vec<(&str, &str)> = vec![
            ("content-type", "text/plain"),
            ("x-oss-meta-a", ""),
            ("x-oss-meta-b", "2:3"),
        ];
        for (client, extra, signed, unsigned) in [
            (
                client(SignatureVersion::V4),
                &[][..],
                plain.clone(),
                vec![("Range", "bytes=0-1"), ("Host", "h")],
            ),
            (
                client(SignatureVersion::V4),
                &spaced[..],
                {
                    let mut all = plain.clone();
                    all.push(("x-oss-meta-c", " padded\t"));
                    all
                },
                vec![("Range", "bytes=0-1"), ("Host", "h")],
            ),
            (
                with_additional,
                &[][..],
                vec![
                    ("content-type", "text/plain"),
                    ("host", "h"),
                    ("range", "bytes=0-1"),
                    ("x-oss-meta-a", ""),
                    ("x-oss-meta-b", "2:3"),
                ],
                vec![],
            ),
        ] {
            let mut request = crate::ObjectRequest::new("PUT", "examplebucket", "a b/c");
            request.headers = headers
                .iter()
                .chain(extra)
                .map(|&(n, v)| (n.to_owned(), v.to_owned()))
                .collect();
            let result = client.presign(&request).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                result.signed_headers().eq(signed.iter().copied()),
                "{result:?}"
            );
            assert!(
                result.unsigned_headers().eq(unsigned.iter().copied()),
                "{result:?}"
            );
            assert!(result
                .url()
                .starts_with("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/a%20b/c?"));
        }
    }

    /// Issue 17: the signing path finds repeats without sorting; the refusal is the one the
    /// full checks give, whichever list and case.
    #[test]
    fn repeated_names_are_refused_as_before() {
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a [(&'a str, &'a str)], &'a str);
        let cases: [Case<'_>; 4] = [
            (
                &[("Content-Type", "a"), ("x-oss-meta-a", "1"), ("content-type", "b")],
                &[],
                "header \"content-type\" is given twice (names are case-insensitive); give each header once",
            ),
            (
                &[("Range", "bytes=0-1"), ("RANGE", "bytes=2-3")],
                &[],
                "header \"RANGE\" is given twice (names are case-insensitive); give each header once",
            ),
            (
                &[],
                &[("versionId", "1"), ("uploads", ""), ("versionId", "2")],
                "query parameter \"versionId\" is given twice; give each parameter once",
            ),
            // query names are exact: not a repeat
            (&[], &[("versionId", "1"), ("versionid", "2")], ""),
        ];
        for version in [SignatureVersion::V4, SignatureVersion::V1] {
            for (headers, query, message) in cases {
                let mut request = crate::ObjectRequest::new("GET", "examplebucket", "k");
                request.headers = headers
                    .iter()
                    .map(|&(n, v)| (n.to_owned(), v.to_owned()))
                    .collect();
                request.parameters = query
                    .iter()
                    .map(|&(n, v)| (n.to_owned(), v.to_owned()))
                    .collect();
                match client(version).presign(&request) {
                    Ok(_) => assert!(message.is_empty(), "{version:?} {headers:?} {query:?}"),
                    Err(e) => {
                        assert_eq!(e.kind(), crate::ErrorKind::InvalidRequest);
                        assert!(e.message().contains(message), "{e}");
                        assert!(!message.is_empty(), "{e}");
                    }
                }
            }
        }
    }

    /// The configured additional header names, borrowed on the stack up to
    /// [`ADDITIONAL_ON_STACK`] and into a vector past it: every one is signed either way.
    #[test]
    fn additional_headers_on_the_stack_and_on_the_heap() {
        let at = SigningTime::from_unix_seconds(1_731_400_000).unwrap_or_else(|e| panic!("{e}"));
        for n in [1, ADDITIONAL_ON_STACK, ADDITIONAL_ON_STACK + 1, 12] {
            let names: Vec<String> = (0..n).map(|i| format!("h{i:02}")).collect();
            let client = Client::new(
                crate::Config::builder()
                    .region("cn-hangzhou")
                    .credentials(
                        Credentials::new("LTAIexample", "secret").unwrap_or_else(|e| panic!("{e}")),
                    )
                    .additional_headers(names.iter().map(String::as_str))
                    .clock(crate::FixedClock::new(at))
                    .build()
                    .unwrap_or_else(|e| panic!("{e}")),
            );
            let mut request = crate::ObjectRequest::new("GET", "examplebucket", "k");
            request.headers = names.iter().map(|h| (h.clone(), "v".to_owned())).collect();
            let result = client
                .presign(&request)
                .unwrap_or_else(|e| panic!("{n}: {e}"));
            assert!(
                result
                    .signed_headers()
                    .map(|(h, _)| h)
                    .eq(names.iter().map(String::as_str)),
                "{n}: {result:?}"
            );
            assert!(
                result
                    .url()
                    .contains(&format!("x-oss-additional-headers={}", names.join("%3B"))),
                "{n}: {}",
                result.url()
            );
            assert_eq!(result.unsigned_headers().count(), 0, "{n}");
        }
    }

    #[test]
    fn unsigned_headers_are_those_not_signed() {
        let headers: Vec<Pair<'static>> = [
            ("Range", "bytes=0-1"),
            ("X-Oss-Meta-A", "1"),
            ("Host", "h"),
            ("Content-Type", "t"),
            ("If-Match", "e"),
        ]
        .iter()
        .map(|&(n, v)| (Cow::Borrowed(n), Cow::Borrowed(v)))
        .collect();
        let mut writer = ResultWriter::after_url(String::from("u"));
        writer
            .signed_all([("content-type", "t"), ("host", "h"), ("x-oss-meta-a", "1")].into_iter());
        write_unsigned(&mut writer, &headers, false);
        let at = SigningTime::from_unix_seconds(0).unwrap_or_else(|e| panic!("{e}"));
        let result = writer.finish("GET".into(), at, None);
        assert!(result
            .unsigned_headers()
            .eq([("Range", "bytes=0-1"), ("If-Match", "e")]));
        let mut writer = ResultWriter::after_url(String::from("u"));
        write_unsigned(&mut writer, &headers, true);
        let result = writer.finish("GET".into(), at, None);
        assert!(result.unsigned_headers().eq([
            ("Range", "bytes=0-1"),
            ("Host", "h"),
            ("If-Match", "e")
        ]));
    }
}
