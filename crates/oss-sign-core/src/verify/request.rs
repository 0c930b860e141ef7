//! [`VerifyRequest`]: what a server received, as it resolved it.

use crate::request::SignableRequest;

/// What a server received, as it resolved it: the method, the decoded bucket and key, the raw
/// (still encoded) query string without `?`, and the headers.
///
/// ```
/// use oss_sign_core::verify::{explain_presigned, VerifyErrorKind, VerifyRequest};
/// let headers = [("Host", "b.example.com")];
/// let r = VerifyRequest::new("GET", "x-oss-expires=60").bucket("b").key("k").headers(&headers);
/// // an x-oss-expires alone is not a signature
/// assert_eq!(explain_presigned(&r).unwrap_err().kind(), VerifyErrorKind::NotSigned);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct VerifyRequest<'a> {
    /// The method, bucket, key and headers, as a signer would have been given them (with no
    /// query: that is `raw_query`, decoded by each check as its scheme requires).
    pub(super) received: SignableRequest<'a>,
    pub(super) raw_query: &'a str,
}

impl<'a> VerifyRequest<'a> {
    /// A received request with this method and raw query (without the leading `?`).
    ///
    /// ```
    /// use oss_sign_core::{v1, SignableRequest};
    /// use oss_sign_core::verify::{explain_presigned, VerifyRequest};
    /// let p = v1::presign(&SignableRequest::new("GET"), &v1::PresignParams::new("ak", "sk", 100))?;
    /// let with_mark = format!("?{}", p.url_query());
    /// // a leading '?' is ignored
    /// assert_eq!(explain_presigned(&VerifyRequest::new("GET", &with_mark)),
    ///     explain_presigned(&VerifyRequest::new("GET", p.url_query())));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn new(method: &'a str, raw_query: &'a str) -> Self {
        Self {
            received: SignableRequest::new(method),
            raw_query: raw_query.strip_prefix('?').unwrap_or(raw_query),
        }
    }

    /// The decoded bucket name the server resolved (from the host or the path).
    ///
    /// ```
    /// use oss_sign_core::{v1, SignableRequest};
    /// use oss_sign_core::verify::{explain_presigned, VerifyRequest};
    /// let p = v1::presign(&SignableRequest::new("GET").bucket("b"), &v1::PresignParams::new("ak", "sk", 100))?;
    /// let explained = explain_presigned(&VerifyRequest::new("GET", p.url_query()).bucket("b")).unwrap();
    /// assert_eq!(explained.string_to_sign(), Some(p.string_to_sign()));
    /// assert!(p.string_to_sign().ends_with("\n/b/"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn bucket(mut self, bucket: &'a str) -> Self {
        self.received = self.received.bucket(bucket);
        self
    }

    /// The decoded object key.
    ///
    /// ```
    /// use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// use oss_sign_core::verify::{explain_presigned, VerifyRequest};
    /// let t = SigningTime::from_unix_seconds(0)?;
    /// let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("a b"), &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// let query = p.url_query();
    /// let explained = explain_presigned(&VerifyRequest::new("GET", &query).bucket("b").key("a b")).unwrap();
    /// assert!(explained.canonical_request().unwrap().starts_with("GET\n/b/a%20b\n"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn key(mut self, key: &'a str) -> Self {
        self.received = self.received.key(key);
        self
    }

    /// The request headers.
    ///
    /// ```
    /// use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// use oss_sign_core::verify::{explain_presigned, VerifyRequest};
    /// let t = SigningTime::from_unix_seconds(0)?;
    /// let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let h = [("content-type", "text/plain")];
    /// let p = v4::presign(&SignableRequest::new("PUT").headers(&h), &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// let query = p.url_query();
    /// let explained = explain_presigned(&VerifyRequest::new("PUT", &query).headers(&h)).unwrap();
    /// assert!(explained.canonical_request().unwrap().contains("\ncontent-type:text/plain\n"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.received = self.received.headers(headers);
        self
    }

    pub(super) fn header(&self, name: &str) -> Option<&'a str> {
        self.received.header(name)
    }
}
