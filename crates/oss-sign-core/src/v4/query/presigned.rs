//! [`Presigned`]: what a V4 presign returns, every intermediate in one string (canonical
//! request, string to sign, credential, token, additional-header line, signed headers), and
//! the accessors that write the URL query from it.

use crate::encoding::uri_encode_into;
use crate::time::SigningTime;
use crate::v4::scope::ALGORITHM;
use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::ops::Range;
use once_cell::race::OnceBox;

/// A V4 presigned request: the parameters to add to the URL, and every intermediate.
///
/// Everything it holds sits in one string (canonical request, string to sign, credential,
/// token, additional-header line, signed headers), with the signature in a stack array: one
/// allocation per presign.
///
/// See [`presign`](crate::v4::presign).
#[derive(Clone)]
pub struct Presigned {
    /// canonical request | string to sign | credential | token | additional line | headers
    pub(super) text: String,
    pub(super) query: Range<usize>,
    pub(super) canonical_end: usize,
    pub(super) string_to_sign_end: usize,
    pub(super) credential: Range<usize>,
    pub(super) security_token: Option<Range<usize>>,
    pub(super) additional_headers: Range<usize>,
    pub(super) signed_headers: Range<usize>,
    pub(super) signed_header_count: usize,
    /// Whether `signed_headers` are canonical-request lines (`name:value\n`) rather than
    /// `name\nvalue\n` pairs.
    pub(super) headers_are_lines: bool,
    pub(super) signature: [u8; 64],
    pub(super) date: [u8; 16],
    pub(super) expires_seconds: u32,
    pub(super) expiration: SigningTime,
    pub(super) owned_headers: OnceBox<Vec<(String, String)>>,
}

impl Presigned {
    /// The lower-case hex signature (the value of `x-oss-signature`).
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("k"),
    ///     &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// assert_eq!(p.signature().len(), 64);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn signature(&self) -> &str {
        core::str::from_utf8(&self.signature).unwrap_or("")
    }

    /// The canonical request that was signed.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("a b"),
    ///     &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// assert!(p.canonical_request().starts_with("GET\n/b/a%20b\n"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn canonical_request(&self) -> &str {
        self.part(0..self.canonical_end)
    }

    /// The string to sign.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let p = v4::presign(&SignableRequest::new("GET"), &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// assert!(p.string_to_sign().starts_with("OSS4-HMAC-SHA256\n19700101T000000Z\n19700101/r/oss/aliyun_v4_request\n"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn string_to_sign(&self) -> &str {
        self.part(self.canonical_end..self.string_to_sign_end)
    }

    /// The canonical query string: every query parameter (the caller's and the authentication
    /// ones), encoded and sorted, without `x-oss-signature`.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let q = [("uploads", "")];
    /// let p = v4::presign(&SignableRequest::new("POST").bucket("b").key("k").query(&q),
    ///     &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// assert!(p.canonical_query().starts_with("uploads&x-oss-credential=ak%2F19700101%2Fr%2Foss%2Faliyun_v4_request&"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn canonical_query(&self) -> &str {
        self.part(self.query.clone())
    }

    /// Appends the complete URL query (the caller's parameters, the authentication parameters
    /// and `x-oss-signature`, encoded, without the leading `?`) to `out`.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("k"),
    ///     &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// let mut url = String::from("https://b.example.com/k?");
    /// p.write_url_query(&mut url);
    /// assert!(url.contains("x-oss-expires=60&"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn write_url_query(&self, out: &mut String) {
        out.push_str(self.canonical_query());
        out.push_str("&x-oss-signature=");
        out.push_str(self.signature());
    }

    /// The complete URL query as a new string (see [`write_url_query`](Self::write_url_query)).
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("k"),
    ///     &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// assert!(p.url_query().ends_with(p.signature()));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn url_query(&self) -> String {
        let mut out = String::with_capacity(self.query.len() + 80);
        self.write_url_query(&mut out);
        out
    }

    /// Only the authentication parameters, encoded and joined with `&`, `x-oss-signature` last,
    /// for callers that write their own parameters into the URL.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let q = [("versionId", "v1")];
    /// let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("k").query(&q),
    ///     &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// assert!(p.encoded_query().starts_with("x-oss-signature-version=OSS4-HMAC-SHA256&"));
    /// assert!(!p.encoded_query().contains("versionId"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn encoded_query(&self) -> String {
        let mut out = String::with_capacity(256);
        for (index, (name, value)) in self.query_params().iter().enumerate() {
            if index > 0 {
                out.push('&');
            }
            out.push_str(name);
            out.push('=');
            uri_encode_into(&mut out, value, false);
        }
        out
    }

    /// The authentication parameters in URL order, with raw (unencoded) values:
    /// `x-oss-signature-version`, `x-oss-date`, `x-oss-expires`, `x-oss-credential`, then
    /// `x-oss-security-token` and `x-oss-additional-headers` when present, and
    /// `x-oss-signature` last.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("k"),
    ///     &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// let params = p.query_params();
    /// assert_eq!(params[3], ("x-oss-credential", "ak/19700101/r/oss/aliyun_v4_request".to_string()));
    /// assert_eq!(params.last().unwrap().0, "x-oss-signature");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn query_params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::with_capacity(7);
        params.push(("x-oss-signature-version", ALGORITHM.to_owned()));
        params.push((
            "x-oss-date",
            self.date.iter().map(|&b| char::from(b)).collect(),
        ));
        params.push(("x-oss-expires", format!("{}", self.expires_seconds)));
        params.push((
            "x-oss-credential",
            self.part(self.credential.clone()).to_owned(),
        ));
        if let Some(token) = &self.security_token {
            params.push(("x-oss-security-token", self.part(token.clone()).to_owned()));
        }
        if !self.additional_headers.is_empty() {
            params.push((
                "x-oss-additional-headers",
                self.part(self.additional_headers.clone()).to_owned(),
            ));
        }
        params.push(("x-oss-signature", self.signature().to_owned()));
        params
    }

    /// Every header the signature covers, as `(lower-case name, value as given)`, sorted by
    /// name. Whoever uses the URL must send exactly these headers with these values.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let h = [("Content-Type", "text/plain"), ("Range", "bytes=0-9")];
    /// let p = v4::presign(&SignableRequest::new("PUT").bucket("b").key("k").headers(&h),
    ///     &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// assert_eq!(p.signed_headers(), &[("content-type".to_string(), "text/plain".to_string())]);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn signed_headers(&self) -> &[(String, String)] {
        self.owned_headers.get_or_init(|| {
            Box::new(
                self.signed_header_pairs()
                    .map(|(name, value)| (name.to_owned(), value.to_owned()))
                    .collect(),
            )
        })
    }

    /// The same headers as [`signed_headers`](Self::signed_headers), borrowed: no copy per
    /// header (`signed_headers` builds its owned list on first use; this never does).
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let h = [("X-Oss-Meta-B", "2"), ("Content-Type", "text/plain"), ("x-oss-meta-a", " 1 ")];
    /// let p = v4::presign(&SignableRequest::new("PUT").bucket("b").key("k").headers(&h),
    ///     &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// let pairs: Vec<(&str, &str)> = p.signed_header_pairs().collect();
    /// assert_eq!(pairs, [("content-type", "text/plain"), ("x-oss-meta-a", " 1 "), ("x-oss-meta-b", "2")]);
    /// assert_eq!(p.signed_header_pairs().len(), p.signed_headers().len());
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn signed_header_pairs(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        HeaderPairs {
            rest: self.part(self.signed_headers.clone()),
            left: self.signed_header_count,
            lines: self.headers_are_lines,
        }
    }

    /// The canonical URI as the canonical request holds it: `/bucket/key` with the bucket and
    /// the key URI-encoded (`/` kept), `/bucket/` without a key, `/` without a bucket. It is
    /// the path of the URL to use, so a caller need not encode the key again.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("a b/c~"),
    ///     &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// assert_eq!(p.canonical_uri(), "/b/a%20b/c~");
    /// assert!(p.canonical_request().starts_with("GET\n/b/a%20b/c~\n"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn canonical_uri(&self) -> &str {
        // `METHOD\nURI\nQUERY...`: the method is a short token (no line break; a byte loop,
        // no `memchr` call), the URI ends where the query line starts.
        let before_query = self.part(0..self.query.start.saturating_sub(1));
        match before_query.bytes().position(|b| b == b'\n') {
            Some(at) => before_query.get(at + 1..).unwrap_or(""),
            None => "",
        }
    }

    /// The signed headers as the canonical request's header lines, `name:value\n` each
    /// (lower-case names, sorted), when those lines are exactly
    /// [`signed_header_pairs`](Self::signed_header_pairs) (no value trimmed, no name given
    /// twice: the usual case); `None` otherwise. A caller that lists the signed headers as
    /// such lines can copy them in one piece.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// # let params = v4::PresignParams::new("ak", "r", t, 60);
    /// let h = [("X-Oss-Meta-B", "2"), ("Content-Type", "text/plain"), ("Range", "bytes=0-9")];
    /// let p = v4::presign(&SignableRequest::new("PUT").bucket("b").key("k").headers(&h),
    ///     &params, &key)?;
    /// assert_eq!(p.signed_header_lines(), Some("content-type:text/plain\nx-oss-meta-b:2\n"));
    /// // A value with white space at an end is signed trimmed: no such lines.
    /// let h = [("x-oss-meta-a", " 1 ")];
    /// let p = v4::presign(&SignableRequest::new("PUT").bucket("b").key("k").headers(&h),
    ///     &params, &key)?;
    /// assert_eq!(p.signed_header_lines(), None);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn signed_header_lines(&self) -> Option<&str> {
        self.headers_are_lines
            .then(|| self.part(self.signed_headers.clone()))
    }

    /// When the URL stops being valid: `x-oss-date` + `x-oss-expires`.
    ///
    /// ```
    /// # use oss_sign_core::{v4, SignableRequest, SigningTime};
    /// # let t = SigningTime::from_unix_seconds(0)?;
    /// # let key = v4::SigningKey::derive("sk", t, "r", "oss");
    /// let p = v4::presign(&SignableRequest::new("GET"), &v4::PresignParams::new("ak", "r", t, 60), &key)?;
    /// assert_eq!(p.expiration().unix_seconds(), 60);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn expiration(&self) -> SigningTime {
        self.expiration
    }

    fn part(&self, range: Range<usize>) -> &str {
        self.text.get(range).unwrap_or("")
    }
}

impl fmt::Debug for Presigned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Presigned")
            .field("credential", &self.part(self.credential.clone()))
            .field("expires_seconds", &self.expires_seconds)
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "additional_headers",
                &self.part(self.additional_headers.clone()),
            )
            .field("signature", &self.signature())
            .finish_non_exhaustive()
    }
}

/// The signed headers as written by `CanonicalHeaders::write_request_headers`:
/// `name\nvalue\n` each, or, with `lines`, as canonical header lines `name:value\n` (a name
/// is a token, so its first `:` ends it).
struct HeaderPairs<'a> {
    rest: &'a str,
    left: usize,
    lines: bool,
}

impl<'a> Iterator for HeaderPairs<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let (name, rest) = crate::canonical::split_line(self.rest);
        if self.lines {
            self.rest = rest;
            return Some(name.split_once(':').unwrap_or((name, "")));
        }
        let (value, rest) = crate::canonical::split_line(rest);
        self.rest = rest;
        Some((name, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for HeaderPairs<'_> {}
