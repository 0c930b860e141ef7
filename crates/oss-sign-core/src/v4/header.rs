//! Header-mode signing: [`sign_headers`], [`HeaderParams`] and [`HeaderSigned`].

use super::key::SigningKey;
use super::scope::{scope_setters, string_to_sign, ScopeParams, ALGORITHM};
use crate::canonical::{
    additional_headers_line, effective_additional_headers, hashed_payload, CanonicalHeaders,
    CanonicalInputs, CanonicalRequest, UNSIGNED_PAYLOAD,
};
use crate::error::{SignError, SignErrorKind};
use crate::request::SignableRequest;
use crate::time::SigningTime;
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Options of V4 header-mode signing (the `Authorization` header).
///
/// ```
/// use oss_sign_core::{v4, SignableRequest, SigningTime};
/// let t = SigningTime::from_unix_seconds(0)?;
/// let key = v4::SigningKey::derive("sk", t, "cn-hangzhou", "oss");
/// let params = v4::HeaderParams::new("ak", "cn-hangzhou", t).security_token(Some("token"));
/// let signed = v4::sign_headers(&SignableRequest::new("GET").bucket("b").key("k"), &params, &key)?;
/// assert_eq!(signed.headers_to_add()[2], ("x-oss-security-token", "token".to_string()));
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct HeaderParams<'a> {
    scope: ScopeParams<'a>,
}

impl<'a> HeaderParams<'a> {
    /// Sign as `access_key_id` for `region` at `time`.
    ///
    /// ```
    /// use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// let t = SigningTime::from_unix_seconds(0)?;
    /// let key = v4::SigningKey::derive("sk", t, "cn-hangzhou", "oss");
    /// let p = v4::HeaderParams::new("ak", "cn-hangzhou", t);
    /// let signed = v4::sign_headers(&SignableRequest::new("GET"), &p, &key)?;
    /// assert_eq!(signed.headers_to_add()[0], ("x-oss-date", "19700101T000000Z".to_string()));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn new(access_key_id: &'a str, region: &'a str, time: SigningTime) -> Self {
        Self {
            scope: ScopeParams::new(access_key_id, region, time),
        }
    }

    scope_setters! {
        product: r#"```
use oss_sign_core::{v4, SignableRequest, SigningTime};
let t = SigningTime::from_unix_seconds(0)?;
let key = v4::SigningKey::derive("sk", t, "cb-1", "oss-cloudbox");
let params = v4::HeaderParams::new("ak", "cb-1", t).product("oss-cloudbox");
let signed = v4::sign_headers(&SignableRequest::new("GET").bucket("b").key("k"), &params, &key)?;
assert!(signed.authorization().contains("Credential=ak/19700101/cb-1/oss-cloudbox/aliyun_v4_request,"));
# Ok::<(), oss_sign_core::SignError>(())
```"#,
        security_token: r#"```
use oss_sign_core::{v4, SignableRequest, SigningTime};
let t = SigningTime::from_unix_seconds(0)?;
let key = v4::SigningKey::derive("sk", t, "r", "oss");
let params = v4::HeaderParams::new("ak", "r", t).security_token(Some("tok"));
let signed = v4::sign_headers(&SignableRequest::new("GET"), &params, &key)?;
assert!(signed.headers_to_add().contains(&("x-oss-security-token", "tok".to_string())));
assert!(signed.canonical_request().contains("\nx-oss-security-token:tok\n"));
# Ok::<(), oss_sign_core::SignError>(())
```"#,
        additional_headers: r#"```
use oss_sign_core::{v4, SignableRequest, SigningTime};
let t = SigningTime::from_unix_seconds(0)?;
let key = v4::SigningKey::derive("sk", t, "r", "oss");
let names = ["Content-Disposition"];
let headers = [("Content-Disposition", "attachment")];
let params = v4::HeaderParams::new("ak", "r", t).additional_headers(&names);
let signed = v4::sign_headers(&SignableRequest::new("PUT").headers(&headers), &params, &key)?;
assert!(signed.authorization().contains(",AdditionalHeaders=content-disposition,Signature="));
# Ok::<(), oss_sign_core::SignError>(())
```"#,
    }
}

/// The result of header-mode signing: the headers to set on the request.
///
/// See [`sign_headers`].
#[derive(Clone)]
pub struct HeaderSigned {
    headers_to_add: Vec<(&'static str, String)>,
    canonical_request: String,
    string_to_sign: String,
    signature: String,
}

impl HeaderSigned {
    /// The headers the caller must set, in this order: `x-oss-date`, `x-oss-content-sha256`
    /// (unless the request already has it), `x-oss-security-token` (with a token), and
    /// `authorization`.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let signed = v4::sign_headers(&SignableRequest::new("GET").bucket("b").key("k"),
    ///     &v4::HeaderParams::new("ak", "r", t), &key)?;
    /// let names: Vec<_> = signed.headers_to_add().iter().map(|(n, _)| *n).collect();
    /// assert_eq!(names, ["x-oss-date", "x-oss-content-sha256", "authorization"]);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn headers_to_add(&self) -> &[(&'static str, String)] {
        &self.headers_to_add
    }

    /// The `Authorization` header value.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let signed = v4::sign_headers(&SignableRequest::new("GET"), &v4::HeaderParams::new("ak", "r", t), &key)?;
    /// assert!(signed.authorization().starts_with("OSS4-HMAC-SHA256 Credential=ak/19700101/r/oss/aliyun_v4_request,Signature="));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn authorization(&self) -> &str {
        self.headers_to_add
            .last()
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The hex signature.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let signed = v4::sign_headers(&SignableRequest::new("GET"), &v4::HeaderParams::new("ak", "r", t), &key)?;
    /// assert!(signed.authorization().ends_with(signed.signature()));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The canonical request that was signed.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let signed = v4::sign_headers(&SignableRequest::new("GET"), &v4::HeaderParams::new("ak", "r", t), &key)?;
    /// assert!(signed.canonical_request().contains("x-oss-content-sha256:UNSIGNED-PAYLOAD\n"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }

    /// The string to sign.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let signed = v4::sign_headers(&SignableRequest::new("GET"), &v4::HeaderParams::new("ak", "r", t), &key)?;
    /// assert!(signed.string_to_sign().starts_with("OSS4-HMAC-SHA256\n"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }
}

impl fmt::Debug for HeaderSigned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeaderSigned")
            .field("signature", &self.signature)
            .finish_non_exhaustive()
    }
}

/// Signs `request` in header mode: returns the `x-oss-date`, `x-oss-content-sha256`,
/// `x-oss-security-token` and `Authorization` headers to set. The request is not modified.
///
/// ```
/// use oss_sign_core::{v4, SignableRequest, SigningTime};
/// let t = SigningTime::parse_x_oss_date("20231216T162057Z")?;
/// let key = v4::SigningKey::derive("sk", t, "cn-hangzhou", "oss");
/// let headers = [("content-type", "text/plain"), ("x-oss-content-sha256", "UNSIGNED-PAYLOAD")];
/// let signed = v4::sign_headers(
///     &SignableRequest::new("PUT").bucket("bucket").key("1234+-/123/1.txt").headers(&headers),
///     &v4::HeaderParams::new("ak", "cn-hangzhou", t),
///     &key,
/// )?;
/// assert!(signed.authorization().starts_with("OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature="));
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub fn sign_headers(
    request: &SignableRequest<'_>,
    params: &HeaderParams<'_>,
    key: &SigningKey,
) -> Result<HeaderSigned, SignError> {
    request.validate()?;
    let scope = &params.scope;
    scope.validate(key, key.knows_access_key_id(scope.access_key_id))?;
    if scope.access_key_id.contains(',') {
        return Err(SignError::new(
            SignErrorKind::InvalidInput,
            "access key id contains ',', which cannot be written into an Authorization header (its fields are separated by ','): use query signing (presign) or the real access key id",
        ));
    }
    let date = scope.time.x_oss_date_bytes();
    let date_text = core::str::from_utf8(&date).unwrap_or("");
    let token = scope.token();

    let has_sha = request.header("x-oss-content-sha256").is_some();
    let mut extra: Vec<(&str, &str)> = Vec::with_capacity(3);
    extra.push(("x-oss-date", date_text));
    if !has_sha {
        extra.push(("x-oss-content-sha256", UNSIGNED_PAYLOAD));
    }
    if let Some(token) = token {
        extra.push(("x-oss-security-token", token));
    }
    // The signer's own headers replace any the caller set.
    let caller_headers: Vec<(&str, &str)> = request
        .header_pairs()
        .iter()
        .filter(|(name, _)| {
            let replaced = name.eq_ignore_ascii_case("x-oss-date")
                || (token.is_some() && name.eq_ignore_ascii_case("x-oss-security-token"));
            !replaced
        })
        .copied()
        .collect();

    let additional = effective_additional_headers(scope.additional_headers, &caller_headers);
    let additional_line = additional_headers_line(&additional);
    let headers = CanonicalHeaders::select(&caller_headers, &additional, &extra);
    let payload = hashed_payload(request.header("x-oss-content-sha256"));
    let canonical = CanonicalRequest::build(&CanonicalInputs {
        method: request.method(),
        bucket: request.bucket_name(),
        key: request.key_name(),
        query: request.query_pairs(),
        extra_query: &[],
        headers: &headers,
        additional_line: &additional_line,
        payload,
    });
    // Validated above: the key is for this day, region and product.
    let scope_text = key.scope();
    let string_to_sign = string_to_sign(&date, scope_text, &canonical.text);
    let signature = key.sign_hex(string_to_sign.as_bytes());

    let mut authorization = String::with_capacity(160);
    authorization.push_str(ALGORITHM);
    authorization.push_str(" Credential=");
    authorization.push_str(scope.access_key_id);
    authorization.push('/');
    authorization.push_str(scope_text);
    if !additional_line.is_empty() {
        authorization.push_str(",AdditionalHeaders=");
        authorization.push_str(&additional_line);
    }
    authorization.push_str(",Signature=");
    authorization.push_str(&signature);

    let mut headers_to_add: Vec<(&'static str, String)> = Vec::with_capacity(4);
    headers_to_add.push(("x-oss-date", date_text.to_owned()));
    if !has_sha {
        headers_to_add.push(("x-oss-content-sha256", UNSIGNED_PAYLOAD.to_owned()));
    }
    if let Some(token) = token {
        headers_to_add.push(("x-oss-security-token", token.to_owned()));
    }
    headers_to_add.push(("authorization", authorization));
    Ok(HeaderSigned {
        headers_to_add,
        canonical_request: canonical.text,
        string_to_sign,
        signature,
    })
}
