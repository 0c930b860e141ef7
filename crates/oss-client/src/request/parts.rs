//! What every typed request turns into: the HTTP-level parts the client signs.

use std::borrow::Cow;

/// A header or query parameter name and value, borrowed from a request where possible.
pub type Pair<'a> = (Cow<'a, str>, Cow<'a, str>);

/// The HTTP-level view of a request: method, bucket, key, headers and query parameters
/// (raw, unescaped values; an empty value means a parameter without a value, like `uploads`).
///
/// Produced by [`Presignable::presign_parts`]; the client validates it before signing.
///
/// ```
/// use oss_client::{PresignParts, Presignable, PutObjectRequest};
///
/// let put = PutObjectRequest::new("examplebucket", "a.txt").content_type("text/plain");
/// let parts: PresignParts<'_> = put.presign_parts();
/// assert_eq!(parts.method, "PUT");
/// assert_eq!(parts.headers[0], ("Content-Type".into(), "text/plain".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PresignParts<'a> {
    /// HTTP method; upper-cased by the client.
    pub method: Cow<'a, str>,
    /// Bucket name.
    pub bucket: &'a str,
    /// Object key (unescaped).
    pub key: &'a str,
    /// Request headers, in order.
    pub headers: Vec<Pair<'a>>,
    /// Query parameters, in order (raw values).
    pub query: Vec<Pair<'a>>,
}

impl<'a> PresignParts<'a> {
    /// Parts with no headers and no query parameters.
    ///
    /// ```
    /// use oss_client::PresignParts;
    /// let parts = PresignParts::new("DELETE", "examplebucket", "k");
    /// assert!(parts.headers.is_empty() && parts.query.is_empty());
    /// ```
    pub fn new(method: impl Into<Cow<'a, str>>, bucket: &'a str, key: &'a str) -> Self {
        PresignParts {
            method: method.into(),
            bucket,
            key,
            headers: Vec::new(),
            query: Vec::new(),
        }
    }

    // Out of line: the typed requests call these a dozen times each; inlined, every call
    // carried its own vector growth (kilobytes of the WebAssembly module).
    #[inline(never)]
    pub(super) fn header(&mut self, name: &'static str, value: &'a Option<String>) {
        if let Some(value) = value {
            self.headers
                .push((Cow::Borrowed(name), Cow::Borrowed(value)));
        }
    }

    /// A header whose value is a number or flag, written with `Display`.
    #[inline(never)]
    pub(super) fn header_value(&mut self, name: &'static str, value: Option<impl ToString>) {
        if let Some(value) = value {
            self.headers
                .push((Cow::Borrowed(name), Cow::Owned(value.to_string())));
        }
    }

    #[inline(never)]
    pub(super) fn param(&mut self, name: &'static str, value: &'a Option<String>) {
        if let Some(value) = value {
            self.query.push((Cow::Borrowed(name), Cow::Borrowed(value)));
        }
    }

    pub(super) fn extra(
        &mut self,
        headers: &'a [(String, String)],
        parameters: &'a [(String, String)],
    ) {
        self.headers.extend(
            headers
                .iter()
                .map(|(n, v)| (Cow::Borrowed(n.as_str()), Cow::Borrowed(v.as_str()))),
        );
        self.query.extend(
            parameters
                .iter()
                .map(|(n, v)| (Cow::Borrowed(n.as_str()), Cow::Borrowed(v.as_str()))),
        );
    }

    /// `x-oss-request-payer` (when set), then the free-form headers and parameters: how each
    /// typed request's parts end.
    pub(super) fn payer_and_extra(
        &mut self,
        request_payer: &'a Option<String>,
        headers: &'a [(String, String)],
        parameters: &'a [(String, String)],
    ) {
        self.header("x-oss-request-payer", request_payer);
        self.extra(headers, parameters);
    }

    pub(super) fn metadata(&mut self, metadata: &'a [(String, String)]) {
        self.headers.extend(metadata.iter().map(|(n, v)| {
            (
                Cow::Owned(format!("x-oss-meta-{n}")),
                Cow::Borrowed(v.as_str()),
            )
        }));
    }
}

/// A request that can be presigned: one of the seven typed operations, an [`ObjectRequest`](crate::ObjectRequest),
/// or a type of your own that maps itself to [`PresignParts`].
///
/// ```
/// use oss_client::{HeadObjectRequest, Presignable};
/// let head = HeadObjectRequest::new("examplebucket", "k");
/// assert_eq!(head.presign_parts().method, "HEAD");
/// ```
pub trait Presignable {
    /// The method, bucket, key, headers and query parameters of the request.
    fn presign_parts(&self) -> PresignParts<'_>;
}

impl<T: Presignable + ?Sized> Presignable for &T {
    fn presign_parts(&self) -> PresignParts<'_> {
        (**self).presign_parts()
    }
}
