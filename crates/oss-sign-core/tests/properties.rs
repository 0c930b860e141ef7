//! Property tests: sign then verify succeeds; changing any one byte of the method, path, a
//! query value, a signed header or the secret makes verification fail; verification of
//! arbitrary query strings never panics.

use oss_sign_core::verify::{
    verify_authorization, verify_presigned, StaticSecret, VerifyErrorKind, VerifyRequest,
};
use oss_sign_core::{v1, v4, SignableRequest, SigningTime};
use proptest::prelude::*;

const START: i64 = 1_600_000_000;

#[derive(Debug, Clone)]
struct Case {
    method: String,
    bucket: String,
    key: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    secret: String,
    token: Option<String>,
    time: i64,
    expires: u32,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(vec!["GET", "PUT", "HEAD", "POST", "DELETE"]),
        "[a-z0-9][a-z0-9-]{1,20}[a-z0-9]",
        "\\PC{1,40}",
        prop::collection::vec(("[a-zA-Z][a-zA-Z0-9_.+|-]{0,10}", "\\PC{0,12}"), 0..4),
        prop::collection::vec(("[a-zA-Z0-9-]{1,10}", "[ -~]{0,16}"), 0..4),
        "[ -~]{1,30}",
        prop::option::of("[A-Za-z0-9+/=]{1,40}"),
        0i64..400_000_000,
        1u32..=604_800,
    )
        .prop_map(
            |(method, bucket, key, query, headers, secret, token, time, expires)| Case {
                method: method.to_string(),
                bucket,
                key,
                // unique names that are not signature parameters
                query: dedup(query)
                    .into_iter()
                    .map(|(n, v)| (format!("p{n}"), v))
                    .collect(),
                headers: dedup(headers)
                    .into_iter()
                    .map(|(n, v)| (format!("x-oss-meta-{n}"), v.trim().to_string()))
                    .collect(),
                secret,
                token,
                time: START + time,
                expires,
            },
        )
}

fn dedup(mut list: Vec<(String, String)>) -> Vec<(String, String)> {
    list.sort_by_key(|a| a.0.to_ascii_lowercase());
    list.dedup_by(|a, b| a.0.eq_ignore_ascii_case(&b.0));
    list
}

fn refs(list: &[(String, String)]) -> Vec<(&str, &str)> {
    list.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

fn presign_v4(c: &Case) -> String {
    let (q, h) = (refs(&c.query), refs(&c.headers));
    let t = SigningTime::from_unix_seconds(c.time).unwrap();
    let key = v4::SigningKey::derive(&c.secret, t, "cn-hangzhou", "oss");
    let request = SignableRequest::new(&c.method)
        .bucket(&c.bucket)
        .key(&c.key)
        .query(&q)
        .headers(&h);
    let params = v4::PresignParams::new("ak", "cn-hangzhou", t, c.expires)
        .security_token(c.token.as_deref());
    v4::presign(&request, &params, &key).unwrap().url_query()
}

fn verify(
    c: &Case,
    method: &str,
    key: &str,
    query: &str,
    headers: &[(String, String)],
    secret: &str,
) -> Result<(), VerifyErrorKind> {
    let h = refs(headers);
    let request = VerifyRequest::new(method, query)
        .bucket(&c.bucket)
        .key(key)
        .headers(&h);
    let now = SigningTime::from_unix_seconds(c.time + 1).unwrap();
    verify_presigned(&request, &StaticSecret::new("ak", secret), now)
        .map(|_| ())
        .map_err(|e| e.kind())
}

/// Replaces the character at `index % len` with one that differs.
fn mutate(text: &str, index: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return String::from("x");
    }
    let at = index % chars.len();
    let mut out = chars.clone();
    out[at] = if chars[at] == 'a' { 'b' } else { 'a' };
    out.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn sign_then_verify_succeeds(c in case()) {
        let query = presign_v4(&c);
        prop_assert_eq!(verify(&c, &c.method, &c.key, &query, &c.headers, &c.secret), Ok(()));
    }

    #[test]
    fn changing_one_byte_fails(c in case(), which in 0usize..5, at in any::<usize>()) {
        let query = presign_v4(&c);
        let result = match which {
            0 => {
                let method = if c.method == "GET" { "PUT" } else { "GET" };
                verify(&c, method, &c.key, &query, &c.headers, &c.secret)
            }
            1 => verify(&c, &c.method, &mutate(&c.key, at), &query, &c.headers, &c.secret),
            2 => {
                // change one query value (or add a parameter when there is none)
                let tampered = if let Some((name, value)) = c.query.first() {
                    let new_value = mutate(value, at);
                    let encode = |s: &str| oss_sign_core::encoding::uri_encode(s, false);
                    let old = if value.is_empty() { encode(name) } else { format!("{}={}", encode(name), encode(value)) };
                    let new = format!("{}={}", encode(name), encode(&new_value));
                    query.replacen(&old, &new, 1)
                } else {
                    format!("extra=1&{query}")
                };
                verify(&c, &c.method, &c.key, &tampered, &c.headers, &c.secret)
            }
            3 => {
                let mut headers = c.headers.clone();
                if let Some(first) = headers.first_mut() {
                    first.1 = mutate(first.1.trim(), at);
                    if first.1.trim() == c.headers[0].1.trim() { first.1.push('z'); }
                } else {
                    headers.push(("x-oss-meta-new".into(), "v".into()));
                }
                verify(&c, &c.method, &c.key, &query, &headers, &c.secret)
            }
            _ => verify(&c, &c.method, &c.key, &query, &c.headers, &mutate(&c.secret, at)),
        };
        prop_assert!(result.is_err(), "tampering kind {} was accepted", which);
    }

    #[test]
    fn v1_sign_then_verify(c in case(), at in any::<usize>()) {
        prop_assume!(!c.key.starts_with('?'));
        let (q, h) = (refs(&c.query), refs(&c.headers));
        let request = SignableRequest::new(&c.method).bucket(&c.bucket).key(&c.key).query(&q).headers(&h);
        let expires = c.time + i64::from(c.expires);
        let p = v1::presign(&request, &v1::PresignParams::new("ak", &c.secret, expires).security_token(c.token.as_deref())).unwrap();
        prop_assert_eq!(verify(&c, &c.method, &c.key, p.url_query(), &c.headers, &c.secret), Ok(()));
        prop_assert!(verify(&c, &c.method, &mutate(&c.key, at), p.url_query(), &c.headers, &c.secret).is_err());
        prop_assert!(verify(&c, &c.method, &c.key, p.url_query(), &c.headers, &mutate(&c.secret, at)).is_err());
    }

    #[test]
    fn header_mode_sign_then_verify(c in case()) {
        let (q, h) = (refs(&c.query), refs(&c.headers));
        let t = SigningTime::from_unix_seconds(c.time).unwrap();
        let key = v4::SigningKey::derive(&c.secret, t, "cn-hangzhou", "oss");
        let request = SignableRequest::new(&c.method).bucket(&c.bucket).key(&c.key).query(&q).headers(&h);
        let signed = v4::sign_headers(&request, &v4::HeaderParams::new("ak", "cn-hangzhou", t).security_token(c.token.as_deref()), &key).unwrap();
        let mut headers = h.clone();
        headers.extend(signed.headers_to_add().iter().map(|(n, v)| (*n, v.as_str())));
        let raw_query = q.iter().map(|(n, v)| format!("{}={}", oss_sign_core::encoding::uri_encode(n, false), oss_sign_core::encoding::uri_encode(v, false))).collect::<Vec<_>>().join("&");
        let received = VerifyRequest::new(&c.method, &raw_query).bucket(&c.bucket).key(&c.key).headers(&headers);
        prop_assert!(verify_authorization(&received, &StaticSecret::new("ak", c.secret.as_str()), t).is_ok());
    }

    #[test]
    fn verifying_arbitrary_queries_never_panics(query in "\\PC{0,200}", method in "[A-Z]{0,6}") {
        let request = VerifyRequest::new(&method, &query).bucket("b").key("k");
        let now = SigningTime::from_unix_seconds(START).unwrap();
        let _ = verify_presigned(&request, &StaticSecret::new("ak", "sk"), now);
        let headers = [("authorization", query.as_str()), ("x-oss-date", "20200101T000000Z")];
        let _ = verify_authorization(&VerifyRequest::new(&method, "").headers(&headers), &StaticSecret::new("ak", "sk"), now);
    }

    #[test]
    fn verifying_structured_garbage_never_panics(
        parts in prop::collection::vec((
            prop::sample::select(vec!["x-oss-signature-version", "x-oss-credential", "x-oss-date", "x-oss-expires", "x-oss-signature", "x-oss-additional-headers", "OSSAccessKeyId", "Expires", "Signature", "other"]),
            "[ -~]{0,70}"), 0..8)
    ) {
        let query = parts.iter().map(|(n, v)| format!("{n}={}", oss_sign_core::encoding::uri_encode(v, false))).collect::<Vec<_>>().join("&");
        let now = SigningTime::from_unix_seconds(START).unwrap();
        let _ = verify_presigned(&VerifyRequest::new("GET", &query).bucket("b").key("k"), &StaticSecret::new("ak", "sk"), now);
    }
}

#[test]
fn each_refusal_has_its_own_kind() {
    let t = SigningTime::from_unix_seconds(START).unwrap();
    let key = v4::SigningKey::derive("sk", t, "cn-hangzhou", "oss");
    let h = [("x-oss-meta-a", "1"), ("content-disposition", "inline")];
    let names = ["content-disposition"];
    let request = SignableRequest::new("GET").bucket("b").key("k").headers(&h);
    let p = v4::presign(
        &request,
        &v4::PresignParams::new("ak", "cn-hangzhou", t, 60).additional_headers(&names),
        &key,
    )
    .unwrap();
    let q = p.url_query();
    let secrets = StaticSecret::new("ak", "sk");
    let check = |query: &str, headers: &[(&str, &str)], now: i64| {
        verify_presigned(
            &VerifyRequest::new("GET", query)
                .bucket("b")
                .key("k")
                .headers(headers),
            &secrets,
            SigningTime::from_unix_seconds(START + now).unwrap(),
        )
        .map(|_| ())
        .map_err(|e| e.kind())
    };
    assert_eq!(check(&q, &h, 0), Ok(()));
    assert_eq!(check(&q, &h, 61), Err(VerifyErrorKind::Expired));
    assert_eq!(check(&q, &h, -901), Err(VerifyErrorKind::NotYetValid));
    assert_eq!(
        check(&q, &h[..1], 0),
        Err(VerifyErrorKind::MissingSignedHeader)
    );
    let sig = p.signature();
    assert_eq!(
        check(&q.replace(sig, &sig[..63]), &h, 0),
        Err(VerifyErrorKind::Malformed)
    );
    assert_eq!(
        check(
            &q.replace("x-oss-expires=60", "x-oss-expires=604801"),
            &h,
            0
        ),
        Err(VerifyErrorKind::ExpiresOutOfRange)
    );
    assert_eq!(
        check(&q.replace("x-oss-expires=60", "x-oss-expires=6x"), &h, 0),
        Err(VerifyErrorKind::Malformed)
    );
    assert_eq!(
        check(&format!("{q}&x-oss-date=20200101T000000Z"), &h, 0),
        Err(VerifyErrorKind::DuplicateParameter)
    );
    assert_eq!(
        check(&q.replace("cn-hangzhou", "cn-beijing"), &h, 0),
        Err(VerifyErrorKind::SignatureMismatch)
    );
    let other_day = q.replacen("%2F2020", "%2F2019", 1);
    assert_eq!(
        check(&other_day, &h, 0),
        Err(VerifyErrorKind::ScopeMismatch)
    );
    assert_eq!(
        check(&q.replace("ak%2F", "other%2F"), &h, 0),
        Err(VerifyErrorKind::UnknownAccessKey)
    );
    let no_date: String = q
        .split('&')
        .filter(|p| !p.starts_with("x-oss-date="))
        .collect::<Vec<_>>()
        .join("&");
    assert_eq!(
        check(&no_date, &h, 0),
        Err(VerifyErrorKind::MissingParameter)
    );
    assert_eq!(check("versionId=1", &h, 0), Err(VerifyErrorKind::NotSigned));
    // A mismatch explains itself.
    let err = verify_presigned(
        &VerifyRequest::new("PUT", &q)
            .bucket("b")
            .key("k")
            .headers(&h),
        &secrets,
        t,
    )
    .unwrap_err();
    assert!(err.canonical_request().unwrap().starts_with("PUT\n/b/k\n"));
    assert!(err
        .string_to_sign()
        .unwrap()
        .starts_with("OSS4-HMAC-SHA256\n"));
    assert!(!err.to_string().contains("sk"));
}

#[test]
fn midnight_rolls_the_scope_date() {
    let before = SigningTime::from_ymd_hms(2024, 2, 28, 23, 59, 59).unwrap();
    let after = before.checked_add_seconds(1).unwrap();
    let leap = SigningTime::from_ymd_hms(2024, 2, 29, 0, 0, 0).unwrap();
    assert_eq!(after, leap);
    let key = v4::SigningKey::derive("sk", before, "r", "oss");
    assert!(key.is_for(before, "r", "oss"));
    assert!(!key.is_for(after, "r", "oss"));
    let next = v4::SigningKey::derive("sk", after, "r", "oss");
    let p = v4::presign(
        &SignableRequest::new("GET").bucket("b").key("k"),
        &v4::PresignParams::new("ak", "r", after, 60),
        &next,
    )
    .unwrap();
    assert!(p
        .canonical_query()
        .contains("x-oss-credential=ak%2F20240229%2Fr"));
    assert!(p.canonical_query().contains("x-oss-date=20240229T000000Z"));
}
