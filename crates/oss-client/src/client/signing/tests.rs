//! Tests of the presign path: the view and the parts sign alike, errors as the full checks give
//! them, header lists as given.

use super::super::request_checks::check_parts;
use super::*;
use crate::request::Pair;
use std::borrow::Cow;

fn client(version: SignatureVersion) -> Client {
    let at = SigningTime::from_unix_seconds(1_731_400_000).unwrap_or_else(|e| panic!("{e}"));
    let credentials = Credentials::new("LTAIexample", "secret").unwrap_or_else(|e| panic!("{e}"));
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
const VIEW_SIZES: [usize; 9] = [
    0,
    1,
    FEW_PAIRS,
    FEW_PAIRS + 1,
    SOME_PAIRS,
    SOME_PAIRS + 1,
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

/// V4 looks for repeated header names after signing: a repeat among signed headers only,
/// among unsigned ones only, or with a trimmed value beside it, is refused with the full
/// checks' error, and before an expiry error, as when it was looked for first.
#[test]
fn repeats_found_after_signing_keep_their_error_and_precedence() {
    let too_long = PresignOptions::new().expires(std::time::Duration::from_secs(8 * 86_400));
    let cases: [&[(&str, &str)]; 4] = [
        &[
            ("x-oss-meta-a", "1"),
            ("Content-MD5", "m"),
            ("X-Oss-Meta-A", "2"),
        ],
        &[
            ("Range", "bytes=0-1"),
            ("x-oss-meta-a", "1"),
            ("range", "bytes=2-3"),
        ],
        &[("x-oss-meta-b", " padded "), ("x-oss-meta-b", "2")],
        &[
            ("bad name", "1"),
            ("x-oss-meta-a", "1"),
            ("x-oss-meta-a", "2"),
        ],
    ];
    for headers in cases {
        let mut request = crate::ObjectRequest::new("PUT", "examplebucket", "k");
        request.headers = headers
            .iter()
            .map(|&(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        let parts = crate::Presignable::presign_parts(&request);
        let expected = check_parts(&parts, SignatureVersion::V4)
            .map(|_| ())
            .map_err(|e| (e.kind(), e.to_string()));
        assert!(expected.is_err(), "{headers:?}");
        let client = client(SignatureVersion::V4);
        for options in [PresignOptions::new(), too_long] {
            let outcome = client
                .presign_with(&request, &options)
                .map(|_| ())
                .map_err(|e| (e.kind(), e.to_string()));
            assert_eq!(outcome, expected, "{headers:?} {options:?}");
        }
    }
    // Without a repeat the expiry is what is wrong.
    let mut request = crate::ObjectRequest::new("PUT", "examplebucket", "k");
    request.headers = vec![("x-oss-meta-a".into(), "1".into())];
    let err = client(SignatureVersion::V4)
        .presign_with(&request, &too_long)
        .unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::InvalidExpiry);
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
    writer.signed_all([("content-type", "t"), ("host", "h"), ("x-oss-meta-a", "1")].into_iter());
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

proptest::proptest! {
    /// The client writes the URL query itself from the canonical query and the signature: it
    /// is, byte for byte, what `oss-sign-core`'s `Presigned::url_query` gives for the same
    /// request, key, instant and expiry.
    #[test]
    fn the_url_query_is_sign_cores(
        key in "[a-z/ %+?~.-]{1,12}",
        query in proptest::collection::vec(("[a-z0-9-]{1,6}", "[a-z /%=&+-]{0,6}"), 0..5),
        meta in proptest::collection::vec(("[a-z]{1,4}", "[ -~]{0,6}"), 0..4),
    ) {
        let at = SigningTime::from_unix_seconds(1_731_400_000).unwrap_or_else(|e| panic!("{e}"));
        let mut request = crate::ObjectRequest::new("PUT", "examplebucket", key.as_str());
        request.parameters = query.clone();
        request.headers = meta.iter().map(|(n, v)| (format!("x-oss-meta-{n}"), v.clone())).collect();
        let client_url = match client(SignatureVersion::V4).presign(&request) {
            Ok(result) => result.url().to_owned(),
            // Repeated metadata names (refused as the full checks refuse them) sign nothing.
            Err(err) => {
                proptest::prop_assert_eq!(err.kind(), ErrorKind::InvalidRequest);
                return Ok(());
            }
        };
        let query_refs: Vec<(&str, &str)> = query.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let header_refs: Vec<(&str, &str)> =
            request.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let signing_key = v4::SigningKey::derive("secret", at, "cn-hangzhou", "oss");
        let presigned = v4::presign(
            &SignableRequest::new("PUT").bucket("examplebucket").key(&key).query(&query_refs).headers(&header_refs),
            &v4::PresignParams::new("LTAIexample", "cn-hangzhou", at, 900),
            &signing_key,
        ).unwrap_or_else(|e| panic!("{e}"));
        let (_, url_query) = client_url.split_once('?').unwrap_or_else(|| panic!("no query: {client_url}"));
        proptest::prop_assert_eq!(url_query, presigned.url_query());
    }
}
