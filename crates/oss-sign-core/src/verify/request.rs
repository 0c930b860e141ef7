//! [`VerifyRequest`]: what a server received, as it resolved it.

/// What a server received, as it resolved it: the method, the decoded bucket and key, the raw
/// (still encoded) query string without `?`, and the headers.
///
/// ```
/// use oss_sign_core::verify::VerifyRequest;
/// let headers = [("Host", "b.example.com")];
/// let r = VerifyRequest::new("GET", "x-oss-expires=60").bucket("b").key("k").headers(&headers);
/// # let _ = r;
/// ```
#[derive(Debug, Clone, Copy)]
pub struct VerifyRequest<'a> {
    pub(super) method: &'a str,
    pub(super) raw_query: &'a str,
    pub(super) bucket: Option<&'a str>,
    pub(super) key: Option<&'a str>,
    pub(super) headers: &'a [(&'a str, &'a str)],
}

impl<'a> VerifyRequest<'a> {
    /// A received request with this method and raw query (without the leading `?`).
    ///
    /// ```
    /// use oss_sign_core::verify::VerifyRequest;
    /// let r = VerifyRequest::new("GET", "");
    /// # let _ = r;
    /// ```
    pub fn new(method: &'a str, raw_query: &'a str) -> Self {
        Self {
            method,
            raw_query: raw_query.strip_prefix('?').unwrap_or(raw_query),
            bucket: None,
            key: None,
            headers: &[],
        }
    }

    /// The decoded bucket name the server resolved (from the host or the path).
    ///
    /// ```
    /// use oss_sign_core::verify::VerifyRequest;
    /// let r = VerifyRequest::new("GET", "").bucket("b");
    /// # let _ = r;
    /// ```
    pub fn bucket(mut self, bucket: &'a str) -> Self {
        self.bucket = Some(bucket);
        self
    }

    /// The decoded object key.
    ///
    /// ```
    /// use oss_sign_core::verify::VerifyRequest;
    /// let r = VerifyRequest::new("GET", "").bucket("b").key("a b");
    /// # let _ = r;
    /// ```
    pub fn key(mut self, key: &'a str) -> Self {
        self.key = Some(key);
        self
    }

    /// The request headers.
    ///
    /// ```
    /// use oss_sign_core::verify::VerifyRequest;
    /// let h = [("content-type", "text/plain")];
    /// let r = VerifyRequest::new("PUT", "").headers(&h);
    /// # let _ = r;
    /// ```
    pub fn headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = headers;
        self
    }

    pub(super) fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}
