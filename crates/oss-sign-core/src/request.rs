//! [`SignableRequest`]: the parts of an HTTP request that a signature covers.

use crate::error::shorten;
use crate::error::{SignError, SignErrorKind};
use alloc::format;

/// The signed parts of a request, borrowed from the caller: method, bucket, object key, query
/// parameters and headers. Nothing is parsed from a URL: the bucket and key are the decoded
/// logical names, and the query parameters are decoded name/value pairs (`""` for a parameter
/// without a value).
///
/// ```
/// use oss_sign_core::SignableRequest;
/// let query = [("versionId", "v1"), ("uploads", "")];
/// let headers = [("Content-Type", "text/plain")];
/// let request = SignableRequest::new("PUT")
///     .bucket("examplebucket")
///     .key("dir/a b.txt")
///     .query(&query)
///     .headers(&headers);
/// assert_eq!(request.method(), "PUT");
/// assert_eq!(request.key_name(), Some("dir/a b.txt"));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SignableRequest<'a> {
    method: &'a str,
    bucket: Option<&'a str>,
    key: Option<&'a str>,
    query: &'a [(&'a str, &'a str)],
    headers: &'a [(&'a str, &'a str)],
}

impl<'a> SignableRequest<'a> {
    /// A request with this HTTP method (used as given: pass it upper-case) and nothing else.
    ///
    /// ```
    /// use oss_sign_core::SignableRequest;
    /// assert_eq!(SignableRequest::new("GET").bucket_name(), None);
    /// ```
    pub fn new(method: &'a str) -> Self {
        Self {
            method,
            bucket: None,
            key: None,
            query: &[],
            headers: &[],
        }
    }

    /// Sets the bucket name.
    ///
    /// ```
    /// use oss_sign_core::SignableRequest;
    /// assert_eq!(SignableRequest::new("GET").bucket("b1").bucket_name(), Some("b1"));
    /// ```
    pub fn bucket(mut self, bucket: &'a str) -> Self {
        self.bucket = Some(bucket);
        self
    }

    /// Sets the object key (decoded; used byte for byte, no normalisation).
    ///
    /// ```
    /// use oss_sign_core::SignableRequest;
    /// assert_eq!(SignableRequest::new("GET").key("a/../b").key_name(), Some("a/../b"));
    /// ```
    pub fn key(mut self, key: &'a str) -> Self {
        self.key = Some(key);
        self
    }

    /// Sets the query parameters, decoded; `""` is a parameter without a value.
    ///
    /// ```
    /// use oss_sign_core::SignableRequest;
    /// let q = [("uploads", "")];
    /// assert_eq!(SignableRequest::new("POST").query(&q).query_pairs().len(), 1);
    /// ```
    pub fn query(mut self, query: &'a [(&'a str, &'a str)]) -> Self {
        self.query = query;
        self
    }

    /// Sets the request headers (any case; the signer lower-cases the names it signs).
    ///
    /// ```
    /// use oss_sign_core::SignableRequest;
    /// let h = [("x-oss-meta-a", "1")];
    /// assert_eq!(SignableRequest::new("PUT").headers(&h).header_pairs()[0].0, "x-oss-meta-a");
    /// ```
    pub fn headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = headers;
        self
    }

    /// The HTTP method.
    ///
    /// ```
    /// use oss_sign_core::SignableRequest;
    /// assert_eq!(SignableRequest::new("HEAD").method(), "HEAD");
    /// ```
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The bucket, if set.
    ///
    /// ```
    /// use oss_sign_core::SignableRequest;
    /// assert_eq!(SignableRequest::new("GET").bucket_name(), None);
    /// ```
    pub fn bucket_name(&self) -> Option<&'a str> {
        self.bucket
    }

    /// The object key, if set.
    ///
    /// ```
    /// use oss_sign_core::SignableRequest;
    /// assert_eq!(SignableRequest::new("GET").key("k").key_name(), Some("k"));
    /// ```
    pub fn key_name(&self) -> Option<&'a str> {
        self.key
    }

    /// The query parameters.
    ///
    /// ```
    /// use oss_sign_core::SignableRequest;
    /// assert!(SignableRequest::new("GET").query_pairs().is_empty());
    /// ```
    pub fn query_pairs(&self) -> &'a [(&'a str, &'a str)] {
        self.query
    }

    /// The headers.
    ///
    /// ```
    /// use oss_sign_core::SignableRequest;
    /// assert!(SignableRequest::new("GET").header_pairs().is_empty());
    /// ```
    pub fn header_pairs(&self) -> &'a [(&'a str, &'a str)] {
        self.headers
    }

    /// The first value of a header, by case-insensitive name.
    pub(crate) fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    /// Checks what can be checked without knowing the scheme: the method is an HTTP token,
    /// query parameter names are not empty, header names are tokens, header values hold no line
    /// breaks or control characters, and the bucket has no `/`.
    pub(crate) fn validate(&self) -> Result<(), SignError> {
        if self.method.is_empty() || !self.method.bytes().all(is_token_byte) {
            return Err(SignError::new(
                SignErrorKind::InvalidInput,
                format!(
                    "method {:?} is not an HTTP method: use an upper-case token such as GET, PUT, HEAD, POST or DELETE",
                    shorten(self.method)
                ),
            ));
        }
        if let Some(bucket) = self.bucket {
            if bucket.is_empty() || bucket.contains('/') {
                return Err(SignError::new(
                    SignErrorKind::InvalidInput,
                    format!(
                        "bucket {:?} is not a bucket name: it must be non-empty and contain no '/'",
                        shorten(bucket)
                    ),
                ));
            }
        }
        if self.query.iter().any(|(name, _)| name.is_empty()) {
            return Err(SignError::new(
                SignErrorKind::InvalidInput,
                "a query parameter has an empty name: every parameter needs a name (its value may be empty)",
            ));
        }
        for (name, value) in self.headers {
            if name.is_empty() || !name.bytes().all(is_token_byte) {
                return Err(SignError::new(
                    SignErrorKind::InvalidInput,
                    format!(
                        "header name {:?} is not an HTTP token: use letters, digits and -",
                        shorten(name)
                    ),
                ));
            }
            if value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
                return Err(SignError::new(
                    SignErrorKind::InvalidInput,
                    format!(
                        "the value of header {:?} contains a control character or line break, which HTTP does not allow",
                        shorten(name)
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// RFC 9110 `tchar`.
pub(crate) fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}
