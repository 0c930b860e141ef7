//! The inline parts against the vectors: every typed request, presigned through
//! [`InlineParts`] (as the client now does) and through [`PresignParts`] alone (as it did before),
//! gives the same URL and header lists, byte for byte, or the same error.

use super::*;
use crate::{
    AbortMultipartUploadRequest, Client, CompleteMultipartUploadRequest, Config, Error, FixedClock,
    GetObjectRequest, HeadObjectRequest, InitiateMultipartUploadRequest, PresignResult,
    Presignable, PutObjectRequest, SignatureVersion, SigningTime, UploadPartRequest,
};
use oss_credentials::Credentials;
use proptest::prelude::*;

#[test]
fn pairs_past_the_inline_arrays_spill_in_order() {
    let names: Vec<String> = (0..40).map(|i| format!("n{i}")).collect();
    for n in [
        0,
        1,
        QUERY_INLINE,
        QUERY_INLINE + 1,
        HEADERS_INLINE,
        HEADERS_INLINE + 1,
        40,
    ] {
        let mut parts = InlineParts::new();
        for name in &names[..n] {
            parts.push_header(name, "h");
            parts.push_parameter(name, "q");
        }
        assert_eq!(parts.lens(), (n, n));
        let (mut header_copy, mut query_copy) = (PairCopy::new(), PairCopy::new());
        let (headers, query) = parts.resolve(&mut header_copy, &mut query_copy);
        let expected_h: Vec<(&str, &str)> = names[..n].iter().map(|s| (s.as_str(), "h")).collect();
        let expected_q: Vec<(&str, &str)> = names[..n].iter().map(|s| (s.as_str(), "q")).collect();
        assert_eq!(headers, expected_h.as_slice(), "{n}");
        assert_eq!(query, expected_q.as_slice(), "{n}");
    }
}

/// A typed request as the client signed it before: through `presign_parts` only.
struct PartsOnly<'r, R>(&'r R);

impl<R: Presignable> Presignable for PartsOnly<'_, R> {
    fn presign_parts(&self) -> crate::PresignParts<'_> {
        self.0.presign_parts()
    }
}

fn client(version: SignatureVersion) -> Client {
    let at = SigningTime::from_unix_seconds(1_731_400_000).unwrap_or_else(|e| panic!("{e}"));
    let credentials = Credentials::new("LTAIexample", "secret").unwrap_or_else(|e| panic!("{e}"));
    Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .signature_version(version)
            .credentials(credentials)
            .clock(FixedClock::new(at))
            .build()
            .unwrap_or_else(|e| panic!("{e}")),
    )
}

type Outcome = Result<PresignResult, (crate::ErrorKind, String)>;

fn outcome(result: Result<PresignResult, Error>) -> Outcome {
    result.map_err(|e| (e.kind(), e.to_string()))
}

/// Inline and vector parts of `request` list the same pairs, and the client signs them alike.
fn same_both_ways<R: Presignable>(request: &R, client: &Client) -> Result<(), TestCaseError> {
    let mut inline = InlineParts::new();
    prop_assert!(request.presign_inline(&mut inline));
    let parts = request.presign_parts();
    prop_assert_eq!(
        (inline.method(), inline.bucket(), inline.key()),
        (parts.method.as_ref(), parts.bucket, parts.key)
    );
    prop_assert!(inline
        .headers()
        .eq(parts.headers.iter().map(|(n, v)| (n.as_ref(), v.as_ref()))));
    prop_assert!(inline
        .query()
        .eq(parts.query.iter().map(|(n, v)| (n.as_ref(), v.as_ref()))));
    prop_assert_eq!(
        outcome(client.presign(request)),
        outcome(client.presign(&PartsOnly(request)))
    );
    Ok(())
}

fn text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(
        prop::sample::select(vec!["v", "", " x ", "a\nb", "caf\u{e9}", "bytes=0-9", "1"])
            .prop_map(str::to_owned),
    )
}

fn pairs(names: Vec<&'static str>, max: usize) -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(
        (
            prop::sample::select(names).prop_map(str::to_owned),
            prop::sample::select(vec!["1", "", "a/b c", "\u{85}"]).prop_map(str::to_owned),
        ),
        0..max,
    )
}

/// Every field a typed request takes, drawn at once (each request reads the ones it has).
#[derive(Debug, Clone)]
struct Fields {
    texts: Vec<Option<String>>,
    numbers: (Option<u64>, Option<u64>, u32),
    flags: (Option<bool>, bool),
    metadata: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    parameters: Vec<(String, String)>,
    key: &'static str,
}

fn fields() -> impl Strategy<Value = Fields> {
    (
        prop::collection::vec(text(), 24),
        (
            prop::option::of(prop::sample::select(vec![0u64, 5, 819_200, u64::MAX])),
            prop::option::of(any::<u64>()),
            prop::sample::select(vec![0u32, 1, 10_000, 10_001]),
        ),
        (prop::option::of(any::<bool>()), any::<bool>()),
        pairs(vec!["a", "author", "A", "", "b c", "x"], 24),
        pairs(
            vec![
                "x-oss-meta-a",
                "Range",
                "Content-Type",
                "Host",
                "bad name",
                "x-oss-meta-author",
            ],
            8,
        ),
        pairs(vec!["a", "versionId", "uploads", "", "p q"], 12),
        prop::sample::select(vec!["k", "a b/c", ""]),
    )
        .prop_map(
            |(texts, numbers, flags, metadata, headers, parameters, key)| Fields {
                texts,
                numbers,
                flags,
                metadata,
                headers,
                parameters,
                key,
            },
        )
}

macro_rules! set_texts {
    ($req:ident, $texts:expr, [$($field:ident),*]) => {{
        let mut texts = $texts.iter().cloned();
        $($req.$field = texts.next().flatten();)*
    }};
}

/// The drawn free-form headers and parameters on `$req`, then [`same_both_ways`] (`?`).
macro_rules! free_form_same_both_ways {
    ($req:ident, $f:expr, $client:expr) => {{
        $req.headers.clone_from(&$f.headers);
        $req.parameters.clone_from(&$f.parameters);
        same_both_ways(&$req, $client)?;
    }};
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn typed_requests_sign_alike_inline_and_through_vectors(f in fields(), v1 in any::<bool>()) {
        let client = client(if v1 { SignatureVersion::V1 } else { SignatureVersion::V4 });
        let (length, limit, part) = f.numbers;
        let (forbid, all) = f.flags;

        let mut get = GetObjectRequest::new("examplebucket", f.key);
        set_texts!(get, f.texts, [range, range_behavior, if_match, if_none_match,
            if_modified_since, if_unmodified_since, accept_encoding, response_cache_control,
            response_content_disposition, response_content_encoding, response_content_language,
            response_content_type, response_expires, version_id, process, request_payer]);
        get.traffic_limit = limit;
        free_form_same_both_ways!(get, f, &client);

        let mut head = HeadObjectRequest::new("examplebucket", f.key);
        set_texts!(head, f.texts, [version_id, if_match, if_none_match, if_modified_since,
            if_unmodified_since, request_payer]);
        free_form_same_both_ways!(head, f, &client);

        let mut put = PutObjectRequest::new("examplebucket", f.key);
        set_texts!(put, f.texts, [content_md5, acl, callback, callback_var, content_type,
            cache_control, content_disposition, content_encoding, expires, storage_class,
            tagging, server_side_encryption, server_side_data_encryption,
            server_side_encryption_key_id, request_payer]);
        put.content_length = length;
        put.traffic_limit = limit;
        put.forbid_overwrite = forbid;
        put.metadata.clone_from(&f.metadata);
        free_form_same_both_ways!(put, f, &client);

        let mut init = InitiateMultipartUploadRequest::from(&put);
        set_texts!(init, f.texts, [encoding_type]);
        init.parameters.clone_from(&f.parameters);
        same_both_ways(&init, &client)?;

        let mut upload = UploadPartRequest::new("examplebucket", f.key, part, "UPID");
        set_texts!(upload, f.texts, [content_md5, request_payer]);
        upload.content_length = length;
        upload.traffic_limit = limit;
        free_form_same_both_ways!(upload, f, &client);

        let mut done = CompleteMultipartUploadRequest::new("examplebucket", f.key, "UPID");
        set_texts!(done, f.texts, [encoding_type, acl, callback, callback_var, request_payer]);
        done.complete_all = all;
        done.forbid_overwrite = forbid;
        free_form_same_both_ways!(done, f, &client);

        let mut abort = AbortMultipartUploadRequest::new("examplebucket", f.key, "");
        set_texts!(abort, f.texts, [request_payer]);
        abort.upload_id = f.texts[3].clone().unwrap_or_default();
        free_form_same_both_ways!(abort, f, &client);
    }
}

/// Every typed request with every field set (more headers and parameters than the inline
/// arrays hold, with the free-form ones): the same both ways, and good.
#[test]
fn every_field_set_past_the_inline_arrays() {
    let meta: Vec<(String, String)> = (0..30).map(|i| (format!("m{i}"), format!("{i}"))).collect();
    let extra: Vec<(String, String)> = (0..12).map(|i| (format!("p{i}"), format!("{i}"))).collect();
    let mut put = PutObjectRequest::new("examplebucket", "a b/c")
        .content_md5("eB5eJF1ptWaXm4bijSPyxw==")
        .content_length(5)
        .acl("private")
        .callback("e30=")
        .callback_var("e30=")
        .traffic_limit(819_200)
        .content_type("text/plain")
        .cache_control("no-cache")
        .content_disposition("attachment")
        .content_encoding("gzip")
        .expires("0")
        .storage_class("IA")
        .tagging("a=1")
        .forbid_overwrite(true)
        .server_side_encryption("KMS")
        .server_side_data_encryption("SM4")
        .server_side_encryption_key_id("id")
        .request_payer("requester");
    put.metadata = meta;
    put.parameters = extra.clone();
    let mut get =
        crate::request::tests::with_query_fields(GetObjectRequest::new("examplebucket", "k"))
            .range("bytes=0-9")
            .traffic_limit(1);
    get.parameters = extra;
    for version in [SignatureVersion::V4, SignatureVersion::V1] {
        let client = client(version);
        for result in [same_both_ways(&put, &client), same_both_ways(&get, &client)] {
            result.unwrap_or_else(|e| panic!("{version:?}: {e}"));
        }
        let signed = client.presign(&put).unwrap_or_else(|e| panic!("{e}"));
        assert!(signed
            .signed_headers()
            .any(|h| h == ("x-oss-meta-m29", "29")));
        assert!(client
            .presign(&get)
            .unwrap_or_else(|e| panic!("{e}"))
            .url()
            .contains("p11=11"));
    }
}

/// What cannot be written in place (a fifth number, a second metadata list) marks the parts
/// incomplete, so that the client signs `presign_parts` instead; what was written stays right.
#[test]
fn more_than_the_inline_parts_hold_is_refused_not_dropped() {
    let metadata = vec![("a".to_owned(), "1".to_owned())];
    let mut parts = InlineParts::new();
    for n in 0..NUMBERS as u64 {
        parts.header_value("x-oss-n", Some(n));
    }
    parts.metadata(&metadata);
    assert!(parts.is_complete());
    assert!(parts.headers().eq([
        ("x-oss-n", "0"),
        ("x-oss-n", "1"),
        ("x-oss-n", "2"),
        ("x-oss-n", "3"),
        ("x-oss-meta-a", "1")
    ]));
    let mut more_numbers = parts.clone();
    more_numbers.param_scalar("partNumber", Scalar::from(9u32));
    assert!(!more_numbers.is_complete());
    parts.metadata(&metadata);
    assert!(!parts.is_complete());
}
