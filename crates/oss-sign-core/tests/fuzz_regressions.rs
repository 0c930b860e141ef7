//! Inputs found by the cargo-fuzz targets of `fuzz/` (see docs/fuzzing.md), kept as plain
//! tests so they run under `cargo test` on the stable toolchain.

use oss_sign_core::verify::{verify_presigned, StaticSecret, VerifyErrorKind, VerifyRequest};
use oss_sign_core::{v4, SignErrorKind, SignableRequest, SigningTime};

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
        verify_presigned(
            &received,
            &StaticSecret::new(ACCESS_KEY_ID, SECRET),
            self.signed_at,
        )
        .map(|_| ())
        .map_err(|e| e.kind())
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

/// The crash itself: `v4::presign` accepts 0 seconds and returns a URL that
/// `verify_presigned` (and OSS) refuse. Either fix passes this test: presign refusing 0 with
/// `InvalidExpiry`, or the verifier accepting what presign produced.
#[test]
#[ignore = "open finding in oss-sign-core src (docs/fuzzing.md): presign accepts expires 0, verify refuses it"]
fn presign_and_verify_agree_on_zero_second_expiry() {
    let found = Found::new();
    match found.presign(0) {
        Err(err) => assert_eq!(err.kind(), SignErrorKind::InvalidExpiry),
        Ok(presigned) => assert_eq!(found.verify(&presigned.url_query()), Ok(())),
    }
}
