//! Inputs found by the cargo-fuzz targets of `fuzz/` (see docs/fuzzing.md), kept as plain
//! tests so they run under `cargo test` on the stable toolchain.

use oss_sign_core::verify::{verify_presigned, StaticSecret, VerifyErrorKind, VerifyRequest};
use oss_sign_core::{v4, SignErrorKind, SignableRequest, SigningTime};

/// What `verify_presigned` says of `received` at `now`: accepted, or the kind of refusal.
fn presigned_verdict(
    received: &VerifyRequest<'_>,
    secrets: &StaticSecret,
    now: SigningTime,
) -> Result<(), VerifyErrorKind> {
    verify_presigned(received, secrets, now)
        .map(|_| ())
        .map_err(|e| e.kind())
}

/// The request of `fuzz/regressions/verify/v4-expires-zero-roundtrip`: method `p`, a bucket
/// of four NUL characters, key `"\0"`, access key id and region `` ` ``, signed at
/// 1970-01-01T06:51:12Z.
struct Found {
    signed_at: SigningTime,
}

const METHOD: &str = "p";
const BUCKET: &str = "\0\0\0\0";
const KEY: &str = "\0";
const ACCESS_KEY_ID: &str = "`";
const REGION: &str = "`";
const SECRET: &str = "";

impl Found {
    fn new() -> Self {
        Self {
            signed_at: SigningTime::from_unix_seconds(24_672).expect("a valid time"),
        }
    }

    fn presign(&self, expires: u32) -> Result<v4::Presigned, oss_sign_core::SignError> {
        let key = v4::SigningKey::derive(SECRET, self.signed_at, REGION, "oss");
        let request = SignableRequest::new(METHOD).bucket(BUCKET).key(KEY);
        let params = v4::PresignParams::new(ACCESS_KEY_ID, REGION, self.signed_at, expires);
        v4::presign(&request, &params, &key)
    }

    fn verify(&self, query: &str) -> Result<(), VerifyErrorKind> {
        let received = VerifyRequest::new(METHOD, query).bucket(BUCKET).key(KEY);
        presigned_verdict(
            &received,
            &StaticSecret::new(ACCESS_KEY_ID, SECRET),
            self.signed_at,
        )
    }
}

/// The odd names of the fuzz input (NUL bytes in bucket and key, a back-tick region) sign and
/// verify like any other when the expiry is in range.
#[test]
fn nul_bucket_and_key_round_trip_with_a_valid_expiry() {
    let found = Found::new();
    let presigned = found.presign(1).expect("presign accepts the fuzz input");
    let query = presigned.url_query();
    assert!(presigned.canonical_request().contains("/%00%00%00%00/%00"));
    assert_eq!(found.verify(&query), Ok(()));

    // One second after expiry the same URL is refused.
    let later = found.signed_at.checked_add_seconds(2).expect("in range");
    let received = VerifyRequest::new(METHOD, &query).bucket(BUCKET).key(KEY);
    let err = verify_presigned(&received, &StaticSecret::new(ACCESS_KEY_ID, SECRET), later)
        .expect_err("expired");
    assert_eq!(err.kind(), VerifyErrorKind::Expired);
}

/// The verifier follows OSS: `x-oss-expires` must be 1..=604800.
#[test]
fn verifier_refuses_zero_second_expiry() {
    let found = Found::new();
    let presigned = found.presign(1).expect("presign");
    let query = presigned
        .url_query()
        .replace("x-oss-expires=1&", "x-oss-expires=0&");
    assert_eq!(
        found.verify(&query),
        Err(VerifyErrorKind::ExpiresOutOfRange)
    );
}

/// The input of the crash: `v4::presign` accepts 0 seconds (project policy a: 0..=604800 is
/// signed as given, as the official SDKs do) while the verifier, like OSS, refuses
/// `x-oss-expires=0` (OSS error 0002-00000232). This divergence is deliberate and documented:
/// `oss-presign verify` must tell a user that OSS will refuse such a URL.
#[test]
fn zero_second_expiry_is_signed_but_refused_like_oss_does() {
    let found = Found::new();
    let presigned = found.presign(0).expect("policy a: 0 seconds is signed");
    assert_eq!(
        found.verify(&presigned.url_query()),
        Err(VerifyErrorKind::ExpiresOutOfRange)
    );
}

/// Presigns `GET /` with `query` at the epoch and verifies the URL at the signing time.
fn presign_then_verify(
    query: &[(&str, &str)],
) -> Result<Result<(), VerifyErrorKind>, SignErrorKind> {
    let t = SigningTime::from_unix_seconds(0).expect("the epoch");
    let key = v4::SigningKey::derive("sk", t, "r", "oss");
    let request = SignableRequest::new("GET").query(query);
    let presigned = v4::presign(&request, &v4::PresignParams::new("ak", "r", t, 10), &key)
        .map_err(|e| e.kind())?;
    let url_query = presigned.url_query();
    Ok(presigned_verdict(
        &VerifyRequest::new("GET", &url_query),
        &StaticSecret::new("ak", "sk"),
        t,
    ))
}

/// Neighbours of `fuzz/regressions/verify/v4-empty-query-name-roundtrip` that do round-trip:
/// odd but non-empty names and repeated names.
#[test]
fn unusual_query_names_round_trip() {
    for query in [
        vec![("\0\0", "")],
        vec![("+", "")],
        vec![("a", ""), ("a", "")],
    ] {
        assert_eq!(presign_then_verify(&query), Ok(Ok(())), "{query:?}");
    }
}

/// The crash: a query pair with an empty name and an empty value was signed (the canonical
/// query started with an empty `&` segment) but the verifier dropped that segment. Fixed by
/// refusing empty parameter names in presign, with or without a value.
#[test]
fn empty_query_names_are_refused() {
    for query in [[("", "")], [("", "x")]] {
        assert_eq!(
            presign_then_verify(&query),
            Err(SignErrorKind::InvalidInput)
        );
    }
}

/// Signs `GET /b/k` in V4 header mode with `access_key_id` and `region` and verifies the
/// headers.
fn header_round_trip(
    access_key_id: &str,
    region: &str,
) -> Result<Result<(), VerifyErrorKind>, SignErrorKind> {
    let t = SigningTime::from_unix_seconds(65_535).expect("a valid time");
    let key = v4::SigningKey::derive("sk", t, region, "oss");
    let request = SignableRequest::new("GET").bucket("b").key("k");
    let signed = v4::sign_headers(
        &request,
        &v4::HeaderParams::new(access_key_id, region, t),
        &key,
    )
    .map_err(|e| e.kind())?;
    let headers: Vec<(&str, &str)> = signed
        .headers_to_add()
        .iter()
        .map(|(n, v)| (*n, v.as_str()))
        .collect();
    let received = VerifyRequest::new("GET", "")
        .bucket("b")
        .key("k")
        .headers(&headers);
    Ok(oss_sign_core::verify::verify_authorization(
        &received,
        &StaticSecret::new(access_key_id, "sk"),
        t,
    )
    .map(|_| ())
    .map_err(|e| e.kind()))
}

/// Access key ids with spaces, `/`, `=`, `:` or non-ASCII letters survive the V4
/// `Authorization` header.
#[test]
fn unusual_access_key_ids_round_trip_in_header_mode() {
    for id in ["a b", " a", "a/b", "a=b", "a:b", "Signature=x", "é"] {
        assert_eq!(header_round_trip(id, "e"), Ok(Ok(())), "{id:?}");
    }
}

/// The crashes of `fuzz/regressions/verify/v4-header-comma-in-access-key-id` and
/// `...-in-region`: an access key id (`,ur`) or region (`b,bbg$ature`) with a comma is written
/// into `Credential=.../aliyun_v4_request,Signature=...` and the verifier then cannot split the
/// `Authorization` header (`Malformed`). Fixed: `sign_headers` refuses such a scope with
/// `InvalidInput`.
#[test]
fn comma_in_credential_scope_is_refused() {
    for (id, region) in [(",ur", "e"), ("bb", "b,bbg$ature")] {
        assert_eq!(
            header_round_trip(id, region),
            Err(SignErrorKind::InvalidInput),
            "{id:?} {region:?}"
        );
    }
}

/// V1-presigns `GET /b/k` with `query` and verifies the URL.
fn v1_round_trip(query: &[(&str, &str)]) -> Result<Result<(), VerifyErrorKind>, SignErrorKind> {
    let request = SignableRequest::new("GET")
        .bucket("b")
        .key("k")
        .query(query);
    let presigned = oss_sign_core::v1::presign(
        &request,
        &oss_sign_core::v1::PresignParams::new("ak", "sk", 100),
    )
    .map_err(|e| e.kind())?;
    let received = VerifyRequest::new("GET", presigned.url_query())
        .bucket("b")
        .key("k");
    Ok(presigned_verdict(
        &received,
        &StaticSecret::new("ak", "sk"),
        SigningTime::from_unix_seconds(50).expect("valid"),
    ))
}

/// V1 URLs with ordinary and sub-resource query parameters verify.
#[test]
fn v1_query_parameters_round_trip() {
    for query in [
        vec![("acl", "")],
        vec![("x-oss-process", "image/resize")],
        vec![("a", "b")],
    ] {
        assert_eq!(v1_round_trip(&query), Ok(Ok(())), "{query:?}");
    }
}

/// The crash of `fuzz/regressions/verify/v1-query-named-x-oss-signature`: V1 presign accepts
/// a query parameter named `x-oss-signature` (or `x-oss-credential`,
/// `x-oss-signature-version`), and the verifier then treats the URL as V4
/// (`MissingParameter`). Fixed: V1 presign refuses those names with `InvalidInput`.
#[test]
fn v1_refuses_v4_named_parameters() {
    for name in [
        "x-oss-signature",
        "x-oss-credential",
        "x-oss-signature-version",
    ] {
        assert_eq!(
            v1_round_trip(&[(name, "-")]),
            Err(SignErrorKind::InvalidInput),
            "{name}"
        );
    }
}
