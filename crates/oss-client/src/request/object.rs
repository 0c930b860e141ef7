//! [`ObjectRequest`]: any method, with free-form headers and query parameters.

use super::inline::PartsSink;
use super::parts::{PresignParts, PresignView, Presignable};

/// Any object request: a method of your choice with free-form headers and query parameters.
///
/// This is what the `oss-presign batch` command uses for conformance cases; prefer the typed
/// requests in application code.
///
/// ```
/// use oss_client::{ObjectRequest, Presignable};
/// let req = ObjectRequest::new("post", "examplebucket", "k").parameter("uploads", "");
/// let parts = req.presign_parts();
/// assert_eq!(parts.method, "post"); // upper-cased by the client when it signs
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectRequest {
    /// HTTP method (upper-cased when signed).
    pub method: String,
    /// Bucket name.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// Request headers.
    pub headers: Vec<(String, String)>,
    /// Query parameters (raw values; `""` = no value).
    pub parameters: Vec<(String, String)>,
}

impl ObjectRequest {
    /// A request with `method` on `bucket`/`key`.
    ///
    /// ```
    /// let req = oss_client::ObjectRequest::new("GET", "examplebucket", "k");
    /// assert_eq!(req.method, "GET");
    /// ```
    pub fn new(
        method: impl Into<String>,
        bucket: impl Into<String>,
        key: impl Into<String>,
    ) -> Self {
        ObjectRequest {
            method: method.into(),
            bucket: bucket.into(),
            key: key.into(),
            ..Default::default()
        }
    }
}

common_setters!(
    ObjectRequest,
    "ObjectRequest::new(\"GET\", \"examplebucket\", \"k\")"
);

impl Presignable for ObjectRequest {
    fn presign_parts(&self) -> PresignParts<'_> {
        let mut p = PresignParts::new(self.method.as_str(), &self.bucket, &self.key);
        p.extra(&self.headers, &self.parameters);
        p
    }

    fn presign_view(&self) -> Option<PresignView<'_>> {
        Some(
            PresignView::new(&self.method, &self.bucket, &self.key)
                .headers(&self.headers)
                .query(&self.parameters),
        )
    }
}
