//! Presigned URLs (query mode): [`presign`], [`PresignParams`] and [`Presigned`].

mod plain;
mod presigned;

use crate::decimal::Decimal;
use plain::{write_plain_canonical_request, PlainAuth};
pub use presigned::Presigned;

use crate::canonical::{
    additional_headers_line, effective_additional_headers, hashed_payload, write_canonical_request,
    CanonicalHeaders, CanonicalInputs, QueryValue,
};
use crate::error::{SignError, SignErrorKind};
use crate::request::SignableRequest;
use crate::time::SigningTime;
use crate::v4::key::{hex_array, EncodedCredential, SigningKey};
use crate::v4::scope::{scope_setters, ScopeParams, ALGORITHM};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use once_cell::race::OnceBox;

/// The longest validity of a V4 presigned URL: seven days, in seconds.
pub const MAX_EXPIRES_SECONDS: u32 = 604_800;

/// Options of a V4 presigned URL (query mode).
///
/// ```
/// use oss_sign_core::{v4::PresignParams, SigningTime};
/// let now = SigningTime::from_unix_seconds(1_700_000_000)?;
/// let headers = ["host"];
/// let params = PresignParams::new("ak", "cn-hangzhou", now, 900)
///     .security_token(Some("sts-token"))
///     .additional_headers(&headers);
/// assert_eq!(params.expires_seconds(), 900);
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PresignParams<'a> {
    scope: ScopeParams<'a>,
    expires_seconds: u32,
}

impl<'a> PresignParams<'a> {
    /// Presign as `access_key_id` for `region` at `time`, valid for `expires_seconds`
    /// (0..=604800) counted from `time`.
    ///
    /// ```
    /// use oss_sign_core::{v4::PresignParams, SigningTime};
    /// let p = PresignParams::new("ak", "cn-hangzhou", SigningTime::from_unix_seconds(0)?, 60);
    /// assert_eq!(p.expires_seconds(), 60);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn new(
        access_key_id: &'a str,
        region: &'a str,
        time: SigningTime,
        expires_seconds: u32,
    ) -> Self {
        Self {
            scope: ScopeParams::new(access_key_id, region, time),
            expires_seconds,
        }
    }

    scope_setters! {
        product: r#"```
use oss_sign_core::{v4, SignableRequest, SigningTime};
let t = SigningTime::from_unix_seconds(0)?;
let key = v4::SigningKey::derive("sk", t, "cb-123", "oss-cloudbox");
let params = v4::PresignParams::new("ak", "cb-123", t, 60).product("oss-cloudbox");
let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("k"), &params, &key)?;
assert!(p.canonical_query().contains("%2Fcb-123%2Foss-cloudbox%2Faliyun_v4_request"));
# Ok::<(), oss_sign_core::SignError>(())
```"#,
        security_token: r#"```
use oss_sign_core::{v4, SignableRequest, SigningTime};
let t = SigningTime::from_unix_seconds(0)?;
let key = v4::SigningKey::derive("sk", t, "r", "oss");
let request = SignableRequest::new("GET").bucket("b").key("k");
let sts = v4::PresignParams::new("ak", "r", t, 60).security_token(Some("tok+1"));
assert!(v4::presign(&request, &sts, &key)?.url_query().contains("&x-oss-security-token=tok%2B1&"));
let empty = v4::PresignParams::new("ak", "r", t, 60).security_token(Some(""));
assert!(!v4::presign(&request, &empty, &key)?.url_query().contains("security-token"));
# Ok::<(), oss_sign_core::SignError>(())
```"#,
        additional_headers: r#"```
use oss_sign_core::{v4, SignableRequest, SigningTime};
let t = SigningTime::from_unix_seconds(0)?;
let key = v4::SigningKey::derive("sk", t, "r", "oss");
let names = ["Host", "Content-Type", "Range"];
let headers = [("Host", "b.example.com"), ("Content-Type", "text/plain")];
let params = v4::PresignParams::new("ak", "r", t, 60).additional_headers(&names);
let p = v4::presign(&SignableRequest::new("PUT").bucket("b").key("k").headers(&headers), &params, &key)?;
// content-type is signed anyway and Range is not sent: only host is listed
assert!(p.url_query().starts_with("x-oss-additional-headers=host&"));
# Ok::<(), oss_sign_core::SignError>(())
```"#,
    }

    /// The validity in seconds.
    ///
    /// ```
    /// use oss_sign_core::{v4::PresignParams, SigningTime};
    /// let p = PresignParams::new("ak", "r", SigningTime::from_unix_seconds(0)?, 7);
    /// assert_eq!(p.expires_seconds(), 7);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn expires_seconds(&self) -> u32 {
        self.expires_seconds
    }
}

/// The string to sign's first line, with its line break.
const STRING_TO_SIGN_START: &str = "OSS4-HMAC-SHA256\n";

/// Query parameter names that presigning adds and a caller may not pass itself.
pub(crate) const RESERVED_QUERY: [&str; 7] = [
    "x-oss-signature-version",
    "x-oss-credential",
    "x-oss-date",
    "x-oss-expires",
    "x-oss-signature",
    "x-oss-security-token",
    "x-oss-additional-headers",
];

/// Bit `n` set when a name in [`RESERVED_QUERY`] is `n` bytes long (all are under 64).
const RESERVED_LENGTHS: u64 = {
    let mut mask = 0u64;
    let mut i = 0;
    while i < RESERVED_QUERY.len() {
        mask |= 1 << RESERVED_QUERY[i].len();
        i += 1;
    }
    mask
};

/// Whether `name` is one of [`RESERVED_QUERY`]: a test of its length first (one shift and
/// mask; most names have none of the seven lengths), then the names themselves.
#[inline]
fn is_reserved_query(name: &str) -> bool {
    let len = name.len();
    len < 64
        && (RESERVED_LENGTHS >> len) & 1 != 0
        && name.starts_with("x-oss-")
        && RESERVED_QUERY.contains(&name)
}

/// Presigns `request` (query mode): computes the canonical request, the string to sign and the
/// signature, and returns the parameters to add to the URL.
///
/// Refuses an expiry over [`MAX_EXPIRES_SECONDS`], query parameters that presigning adds itself
/// (`x-oss-signature`, `x-oss-credential`, ...), a key derived for another day, region or
/// product, and malformed methods, headers, regions or products.
///
/// ```
/// use oss_sign_core::{v4, SignableRequest, SigningTime, SignErrorKind};
/// let now = SigningTime::from_unix_seconds(1_700_000_000)?;
/// let key = v4::SigningKey::derive("secret", now, "cn-hangzhou", "oss");
/// let request = SignableRequest::new("GET").bucket("b").key("k");
/// let too_long = v4::PresignParams::new("ak", "cn-hangzhou", now, 604_801);
/// let err = v4::presign(&request, &too_long, &key).unwrap_err();
/// assert_eq!(err.kind(), SignErrorKind::InvalidExpiry);
/// assert!(err.to_string().contains("604800"));
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub fn presign(
    request: &SignableRequest<'_>,
    params: &PresignParams<'_>,
    key: &SigningKey,
) -> Result<Presigned, SignError> {
    request.validate()?;
    let scope = &params.scope;
    // The access key id's credential as the key keeps it (raw, encoded, as query text): one
    // comparison of the access key id for all of them and for its checks.
    let cached = key.cached_credential(scope.access_key_id);
    scope.validate(key, cached.is_some())?;
    if params.expires_seconds > MAX_EXPIRES_SECONDS {
        return Err(SignError::new(
            SignErrorKind::InvalidExpiry,
            format!(
                "expires should be not greater than 604800(seven days): got {} seconds; V4 presigned URLs are valid for 0 to 604800 seconds",
                params.expires_seconds
            ),
        ));
    }
    if let Some((name, _)) = request
        .query_pairs()
        .iter()
        .find(|(name, _)| is_reserved_query(name))
    {
        return Err(SignError::new(
            SignErrorKind::InvalidInput,
            format!(
                "query parameter {name:?} is added by presigning itself and cannot be passed in: remove it"
            ),
        ));
    }
    let expiration = scope
        .time
        .checked_add_seconds(i64::from(params.expires_seconds))
        .ok_or_else(|| {
            SignError::new(
                SignErrorKind::InvalidExpiry,
                "the expiration falls after year 9999: use a shorter expiry",
            )
        })?;

    let date = key.x_oss_date_of(scope.time);
    let date_text = core::str::from_utf8(&date).unwrap_or("");
    // Validated above: the key is for this day, region and product, so its scope is the
    // request's.
    let scope_text = key.scope();

    // No additional headers asked for (the usual case): no list, no join.
    let (additional, additional_line) = if scope.additional_headers.is_empty() {
        (Vec::new(), String::new())
    } else {
        let list = effective_additional_headers(scope.additional_headers, request.header_pairs());
        let line = additional_headers_line(&list);
        (list, line)
    };
    let headers = CanonicalHeaders::select(request.header_pairs(), &additional, &[]);

    let token = scope.token();
    let credential = QueryValue::Credential {
        access_key_id: scope.access_key_id,
        scope: scope_text,
        encoded_scope: key.encoded_scope(),
        encoded: cached.map(EncodedCredential::encoded),
    };
    let payload = hashed_payload(request.header("x-oss-content-sha256"));
    let inputs = CanonicalInputs {
        method: request.method(),
        bucket: request.bucket_name(),
        key: request.key_name(),
        query: request.query_pairs(),
        extra_query: &[],
        headers: &headers,
        additional_line: &additional_line,
        payload,
    };
    // One buffer for everything the result keeps, sized so that it never grows.
    let scope_len = scope_text.len();
    let header_bytes: usize = request
        .header_pairs()
        .iter()
        .map(|(n, v)| n.len() + v.len() + 2)
        .sum();
    let rest_len = (ALGORITHM.len() + date.len() + scope_len + 64 + 3)
        + (scope.access_key_id.len() + 1 + scope_len)
        + token.map_or(0, str::len)
        + additional_line.len()
        + header_bytes;
    let mut text;
    let capacity;
    let (query, header_lines) = if token.is_none() && additional_line.is_empty() {
        // The usual case: the authentication parameters in one straight line.
        let auth = PlainAuth {
            credential_query: cached.map(EncodedCredential::query),
            credential,
            date: date_text,
            expires: params.expires_seconds,
        };
        capacity = inputs.len_bound() + auth.len_bound() + rest_len;
        text = String::with_capacity(capacity);
        write_plain_canonical_request(&mut text, &inputs, &auth)
    } else {
        // The authentication parameters in canonical (sorted) order (built only here: the
        // usual case above needs neither the list nor the expiry's digits as text).
        let expires_digits = Decimal::new(u64::from(params.expires_seconds));
        let mut extra: [(&str, QueryValue<'_>); 6] = [("", QueryValue::Text("")); 6];
        let mut extra_len = 0;
        let mut add = |name, value| {
            extra[extra_len] = (name, value);
            extra_len += 1;
        };
        if !additional_line.is_empty() {
            add(
                "x-oss-additional-headers",
                QueryValue::Text(&additional_line),
            );
        }
        add("x-oss-credential", credential);
        add("x-oss-date", QueryValue::Literal(date_text));
        add(
            "x-oss-expires",
            QueryValue::Literal(expires_digits.as_str()),
        );
        if let Some(token) = token {
            add("x-oss-security-token", QueryValue::Text(token));
        }
        add("x-oss-signature-version", QueryValue::Literal(ALGORITHM));
        let inputs = CanonicalInputs {
            extra_query: &extra[..extra_len],
            ..inputs
        };
        capacity = inputs.len_bound() + rest_len;
        text = String::with_capacity(capacity);
        write_canonical_request(&mut text, &inputs)
    };
    let canonical_end = text.len();

    let hash = hex_array(&crate::hmac_state::sha256(text.as_bytes()));
    // `OSS4-HMAC-SHA256\n` date `\n` scope `\n` hash: the scope and its line breaks are one
    // piece of the key.
    text.push_str(STRING_TO_SIGN_START);
    text.push_str(date_text);
    text.push_str(key.scope_lines());
    text.push_str(core::str::from_utf8(&hash).unwrap_or(""));
    let string_to_sign_end = text.len();
    let signature = key.sign_hex_array(&text.as_bytes()[canonical_end..]);

    let credential_start = text.len();
    match cached.map(EncodedCredential::raw) {
        Some(raw) => text.push_str(raw),
        None => {
            text.push_str(scope.access_key_id);
            text.push('/');
            text.push_str(scope_text);
        }
    }
    let credential = credential_start..text.len();
    let security_token = token.map(|token| {
        let start = text.len();
        text.push_str(token);
        start..text.len()
    });
    let additional_start = text.len();
    text.push_str(&additional_line);
    let additional_headers = additional_start..text.len();
    // The signed headers: the canonical request's header lines when they are the request's
    // headers as given (untrimmed values, no repeats: the usual case; names lower-cased),
    // else a list of their own.
    let (signed_headers, signed_header_count, headers_are_lines) = match header_lines {
        Some(lines) => (lines, headers.len(), true),
        None => {
            let headers_start = text.len();
            let count = headers.write_request_headers(&mut text);
            (headers_start..text.len(), count, false)
        }
    };
    debug_assert!(text.len() <= capacity, "{} > {capacity}", text.len());
    Ok(Presigned {
        text,
        query,
        canonical_end,
        string_to_sign_end,
        credential,
        security_token,
        additional_headers,
        signed_headers,
        signed_header_count,
        headers_are_lines,
        signature,
        date,
        expires_seconds: params.expires_seconds,
        expiration,
        owned_headers: OnceBox::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::SignErrorKind;

    #[test]
    fn key_for_another_day_is_refused() {
        let t = SigningTime::parse_x_oss_date("20231217T235959Z").unwrap();
        let key = SigningKey::derive("sk", t, "cn-hangzhou", "oss");
        let next = t.checked_add_seconds(1).unwrap();
        let err = presign(
            &SignableRequest::new("GET"),
            &PresignParams::new("ak", "cn-hangzhou", next, 60),
            &key,
        )
        .unwrap_err();
        assert_eq!(err.kind(), SignErrorKind::InvalidInput);
        assert!(err.message().contains("20231217"));
        assert!(err.message().contains("20231218"));
    }

    #[test]
    fn reserved_query_and_bad_inputs_are_refused() {
        let t = SigningTime::from_unix_seconds(0).unwrap();
        let key = SigningKey::derive("sk", t, "r", "oss");
        let q = [("x-oss-signature", "abc")];
        let bad_query = SignableRequest::new("GET").query(&q);
        let p = PresignParams::new("ak", "r", t, 60);
        assert_eq!(
            presign(&bad_query, &p, &key).unwrap_err().kind(),
            SignErrorKind::InvalidInput
        );
        let h = [("x-oss-meta", "a\r\nb")];
        let bad_header = SignableRequest::new("GET").headers(&h);
        assert!(presign(&bad_header, &p, &key).is_err());
        assert!(presign(&SignableRequest::new("G ET"), &p, &key).is_err());
        assert!(presign(&SignableRequest::new(""), &p, &key).is_err());
        let empty_ak = PresignParams::new("", "r", t, 60);
        assert!(presign(&SignableRequest::new("GET"), &empty_ak, &key).is_err());
        let key_slash = SigningKey::derive("sk", t, "cn/x", "oss");
        let bad_region = PresignParams::new("ak", "cn/x", t, 60);
        let err = presign(&SignableRequest::new("GET"), &bad_region, &key_slash).unwrap_err();
        assert!(err.message().contains("region"));
    }

    #[test]
    fn presigned_stays_send_and_sync_and_clones_its_header_list() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Presigned>();
        let t = SigningTime::from_unix_seconds(0).unwrap();
        let key = SigningKey::derive("sk", t, "r", "oss");
        let h = [("x-oss-meta-a", "1")];
        let p = presign(
            &SignableRequest::new("PUT").headers(&h),
            &PresignParams::new("ak", "r", t, 60),
            &key,
        )
        .unwrap();
        let before = p.clone();
        assert_eq!(p.signed_headers().len(), 1);
        let after = p.clone();
        assert_eq!(before.signed_headers(), after.signed_headers());
    }

    #[test]
    fn the_keys_encoded_credential_is_only_used_for_its_access_key_id() {
        let t = SigningTime::from_unix_seconds(1_700_000_000).unwrap();
        let shared = SigningKey::derive("sk", t, "r", "oss");
        let req = SignableRequest::new("GET").bucket("b").key("k");
        // The first presign fills the key's cache with "ak 1"; "ak/2" must not get it.
        for ak in ["ak 1", "ak/2", "ak 1", "ak/2", "ak 1x", "ak "] {
            let params = PresignParams::new(ak, "r", t, 60);
            let fresh = SigningKey::derive("sk", t, "r", "oss");
            let expected = presign(&req, &params, &fresh).unwrap();
            let got = presign(&req, &params, &shared).unwrap();
            assert_eq!(
                got.canonical_request(),
                expected.canonical_request(),
                "{ak}"
            );
            assert_eq!(got.url_query(), expected.url_query(), "{ak}");
        }
        assert_eq!(
            shared.encoded_credential("ak 1"),
            Some("ak%201%2F20231114%2Fr%2Foss%2Faliyun_v4_request")
        );
        assert_eq!(shared.encoded_credential("ak/2"), None);
        assert!(shared.clone().encoded_credential("ak/2").is_some());
        // An access key id the checks refuse is never kept, so it is never taken as checked.
        for bad in ["a\tk", "a\u{7f}k", ""] {
            let fresh = SigningKey::derive("sk", t, "r", "oss");
            assert_eq!(fresh.encoded_credential(bad), None);
            assert!(!fresh.knows_access_key_id(bad));
            let err = presign(&req, &PresignParams::new(bad, "r", t, 60), &fresh).unwrap_err();
            assert_eq!(err.kind(), SignErrorKind::InvalidInput);
            assert!(presign(&req, &PresignParams::new(bad, "r", t, 60), &shared).is_err());
        }
        assert!(shared.knows_access_key_id("ak 1"));
    }

    #[test]
    fn signed_headers_are_the_same_read_from_the_canonical_lines_or_a_list() {
        let t = SigningTime::from_unix_seconds(0).unwrap();
        let key = SigningKey::derive("sk", t, "r", "oss");
        let params = PresignParams::new("ak", "r", t, 60);
        // As given (untrimmed, distinct; any case): read back from the canonical lines.
        let plain = [
            ("X-Oss-Meta-B", "2:3"),
            ("content-type", "a/b"),
            ("range", "x"),
        ];
        // A value to trim, a repeat: a list of their own.
        let mixed = [
            ("X-Oss-Meta-B", " 2:3"),
            ("content-type", "a/b"),
            ("x-oss-meta-b", ""),
        ];
        for (headers, lines, expected) in [
            (
                &plain,
                true,
                alloc::vec![("content-type", "a/b"), ("x-oss-meta-b", "2:3")],
            ),
            (
                &mixed,
                false,
                alloc::vec![
                    ("content-type", "a/b"),
                    ("x-oss-meta-b", " 2:3"),
                    ("x-oss-meta-b", "")
                ],
            ),
        ] {
            let p = presign(&SignableRequest::new("PUT").headers(headers), &params, &key).unwrap();
            assert_eq!(p.headers_are_lines, lines);
            let pairs: alloc::vec::Vec<(&str, &str)> = p.signed_header_pairs().collect();
            assert_eq!(pairs, expected);
            assert_eq!(p.signed_header_pairs().len(), expected.len());
        }
    }

    #[test]
    fn reserved_names_are_found_by_length_and_text() {
        for name in RESERVED_QUERY {
            assert!(is_reserved_query(name), "{name}");
            assert!(!is_reserved_query(&name[..name.len() - 1]), "{name}");
            assert!(!is_reserved_query(&alloc::format!("{name}x")), "{name}");
            assert!(!is_reserved_query(&name.to_uppercase()), "{name}");
        }
        for name in [
            "",
            "x-oss-",
            "x-oss-process",
            "param-01",
            "x-oss-dat",
            "x-oss-datf",
        ] {
            assert!(!is_reserved_query(name), "{name}");
        }
        assert!(!is_reserved_query(&"x".repeat(200)));
    }

    #[test]
    fn empty_token_is_no_token() {
        let t = SigningTime::from_unix_seconds(1_700_000_000).unwrap();
        let key = SigningKey::derive("sk", t, "r", "oss");
        let req = SignableRequest::new("GET").bucket("b").key("k");
        let a = presign(&req, &PresignParams::new("ak", "r", t, 60), &key).unwrap();
        let b = presign(
            &req,
            &PresignParams::new("ak", "r", t, 60).security_token(Some("")),
            &key,
        )
        .unwrap();
        assert_eq!(a.signature(), b.signature());
        assert!(!b.url_query().contains("security-token"));
    }
}
