//! What every typed request turns into: the HTTP-level parts the client signs.

use std::borrow::Cow;

use super::inline::{flag_text, InlineParts, PartsSink, Scalar};

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

    /// The same parts borrowed in place, for a request that keeps its headers and query
    /// parameters as `(String, String)` lists (as [`ObjectRequest`](crate::ObjectRequest)
    /// does): the client then signs them without building the [`PresignParts`] vectors (one
    /// allocation and two copies of every pair fewer per presign). `None`, the default, means
    /// "use [`presign_parts`](Self::presign_parts)". When it gives `Some`, it must describe the
    /// same request as `presign_parts`: the client signs whichever it uses.
    ///
    /// ```
    /// use oss_client::{ObjectRequest, PresignView, Presignable};
    ///
    /// struct Listing {
    ///     bucket: String,
    ///     parameters: Vec<(String, String)>,
    /// }
    /// impl Presignable for Listing {
    ///     fn presign_parts(&self) -> oss_client::PresignParts<'_> {
    ///         let mut parts = oss_client::PresignParts::new("GET", &self.bucket, "index.html");
    ///         parts.query = self.parameters.iter().map(|(n, v)| (n.into(), v.into())).collect();
    ///         parts
    ///     }
    ///     fn presign_view(&self) -> Option<PresignView<'_>> {
    ///         Some(PresignView::new("GET", &self.bucket, "index.html").query(&self.parameters))
    ///     }
    /// }
    /// let listing = Listing { bucket: "examplebucket".into(), parameters: vec![("versionId".into(), "1".into())] };
    /// let view = listing.presign_view().unwrap();
    /// assert_eq!(view.query, listing.parameters.as_slice());
    /// assert!(ObjectRequest::new("GET", "examplebucket", "k").presign_view().is_some());
    /// ```
    fn presign_view(&self) -> Option<PresignView<'_>> {
        None
    }

    /// The same parts written into `parts` in place (fixed arrays, numbers written in place):
    /// the client then signs them without building the [`PresignParts`] vectors. `false`, the
    /// default, means "not written: use [`presign_view`](Self::presign_view) or
    /// [`presign_parts`](Self::presign_parts)". Every typed request writes its parts here;
    /// when it gives `true`, `parts` must describe the same request as `presign_parts`.
    ///
    /// ```
    /// use oss_client::{InlineParts, Presignable, PresignParts};
    ///
    /// struct Thumbnail<'k>(&'k str);
    /// impl Presignable for Thumbnail<'_> {
    ///     fn presign_parts(&self) -> PresignParts<'_> {
    ///         let mut parts = PresignParts::new("GET", "examplebucket", self.0);
    ///         parts.query.push(("x-oss-process".into(), "image/resize,w_100".into()));
    ///         parts
    ///     }
    ///     fn presign_inline<'a>(&'a self, parts: &mut InlineParts<'a>) -> bool {
    ///         parts.set_target("GET", "examplebucket", self.0);
    ///         parts.push_parameter("x-oss-process", "image/resize,w_100");
    ///         true
    ///     }
    /// }
    /// let mut parts = InlineParts::new();
    /// assert!(Thumbnail("a.jpg").presign_inline(&mut parts));
    /// assert!(parts.query().eq([("x-oss-process", "image/resize,w_100")]));
    /// ```
    fn presign_inline<'a>(&'a self, parts: &mut InlineParts<'a>) -> bool {
        let _ = parts;
        false
    }
}

impl<T: Presignable + ?Sized> Presignable for &T {
    fn presign_parts(&self) -> PresignParts<'_> {
        (**self).presign_parts()
    }

    fn presign_view(&self) -> Option<PresignView<'_>> {
        (**self).presign_view()
    }

    fn presign_inline<'a>(&'a self, parts: &mut InlineParts<'a>) -> bool {
        (**self).presign_inline(parts)
    }
}

/// A request's parts borrowed from where the request keeps them: method, bucket, key, and the
/// headers and query parameters as `(String, String)` lists (raw values, in order; an empty
/// value is a parameter without a value). What [`Presignable::presign_view`] gives.
///
/// ```
/// use oss_client::PresignView;
///
/// let headers = vec![("x-oss-meta-a".to_owned(), "1".to_owned())];
/// let view = PresignView::new("PUT", "examplebucket", "a.txt").headers(&headers);
/// assert_eq!(view.headers[0].0, "x-oss-meta-a");
/// assert!(view.query.is_empty());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PresignView<'a> {
    /// HTTP method; upper-cased by the client.
    pub method: &'a str,
    /// Bucket name.
    pub bucket: &'a str,
    /// Object key (unescaped).
    pub key: &'a str,
    /// Request headers, in order.
    pub headers: &'a [(String, String)],
    /// Query parameters, in order (raw values).
    pub query: &'a [(String, String)],
}

impl<'a> PresignView<'a> {
    /// A view with no headers and no query parameters.
    ///
    /// ```
    /// let view = oss_client::PresignView::new("GET", "examplebucket", "k");
    /// assert!(view.headers.is_empty() && view.query.is_empty());
    /// ```
    pub fn new(method: &'a str, bucket: &'a str, key: &'a str) -> Self {
        PresignView {
            method,
            bucket,
            key,
            headers: &[],
            query: &[],
        }
    }

    /// Sets the headers.
    ///
    /// ```
    /// let headers = vec![("Range".to_owned(), "bytes=0-9".to_owned())];
    /// let view = oss_client::PresignView::new("GET", "examplebucket", "k").headers(&headers);
    /// assert_eq!(view.headers.len(), 1);
    /// ```
    pub fn headers(mut self, headers: &'a [(String, String)]) -> Self {
        self.headers = headers;
        self
    }

    /// Sets the query parameters.
    ///
    /// ```
    /// let query = vec![("uploads".to_owned(), String::new())];
    /// let view = oss_client::PresignView::new("POST", "examplebucket", "k").query(&query);
    /// assert_eq!(view.query[0].0, "uploads");
    /// ```
    pub fn query(mut self, query: &'a [(String, String)]) -> Self {
        self.query = query;
        self
    }
}

/// A header or query parameter as the signing path reads it, whichever way the request keeps
/// it ([`Pair`] in [`PresignParts`], `(String, String)` in a [`PresignView`]).
pub(crate) trait PairText {
    fn name(&self) -> &str;
    fn value(&self) -> &str;

    /// The list itself when it is already `(&str, &str)` pairs (as [`InlineParts`] resolves
    /// to), so that the signing path need not copy it.
    #[inline]
    fn as_str_pairs(list: &[Self]) -> Option<&[(&str, &str)]>
    where
        Self: Sized,
    {
        let _ = list;
        None
    }
}

impl PairText for (&str, &str) {
    #[inline]
    fn name(&self) -> &str {
        self.0
    }
    #[inline]
    fn value(&self) -> &str {
        self.1
    }
    #[inline]
    fn as_str_pairs(list: &[Self]) -> Option<&[(&str, &str)]> {
        Some(list)
    }
}

/// [`PairText`] of the owning pair types, which both read their text through `Deref<Target = str>`
/// (one body for both).
macro_rules! owned_pair_text {
    ($($pair:ty),*) => {$(
        impl PairText for $pair {
            #[inline]
            fn name(&self) -> &str {
                &self.0
            }
            #[inline]
            fn value(&self) -> &str {
                &self.1
            }
        }
    )*};
}

owned_pair_text!(Pair<'_>, (String, String));

/// What the signing path reads of a request: [`PresignParts`] or a [`PresignView`], borrowed.
#[derive(Debug)]
pub(crate) struct PartsRef<'r, P> {
    pub(crate) method: &'r str,
    pub(crate) bucket: &'r str,
    pub(crate) key: &'r str,
    pub(crate) headers: &'r [P],
    pub(crate) query: &'r [P],
}

impl<'r, 'a> From<&'r PresignParts<'a>> for PartsRef<'r, Pair<'a>> {
    fn from(parts: &'r PresignParts<'a>) -> Self {
        PartsRef {
            method: &parts.method,
            bucket: parts.bucket,
            key: parts.key,
            headers: &parts.headers,
            query: &parts.query,
        }
    }
}

impl<'r> From<PresignView<'r>> for PartsRef<'r, (String, String)> {
    fn from(view: PresignView<'r>) -> Self {
        PartsRef {
            method: view.method,
            bucket: view.bucket,
            key: view.key,
            headers: view.headers,
            query: view.query,
        }
    }
}

fn scalar_cow(value: Scalar) -> Cow<'static, str> {
    match value {
        Scalar::Number(n) => Cow::Owned(n.to_string()),
        Scalar::Flag(flag) => Cow::Borrowed(flag_text(flag)),
    }
}

impl<'a> PartsSink<'a> for PresignParts<'a> {
    // Out of line in the WebAssembly module: each typed request calls these a dozen times,
    // and inlined every call carried its own vector growth (kilobytes of the module).
    #[cfg_attr(target_arch = "wasm32", inline(never))]
    fn header_str(&mut self, name: &'a str, value: &'a str) {
        self.headers
            .push((Cow::Borrowed(name), Cow::Borrowed(value)));
    }

    #[cfg_attr(target_arch = "wasm32", inline(never))]
    fn header_scalar(&mut self, name: &'a str, value: Scalar) {
        self.headers.push((Cow::Borrowed(name), scalar_cow(value)));
    }

    #[cfg_attr(target_arch = "wasm32", inline(never))]
    fn param_str(&mut self, name: &'a str, value: &'a str) {
        self.query.push((Cow::Borrowed(name), Cow::Borrowed(value)));
    }

    #[cfg_attr(target_arch = "wasm32", inline(never))]
    fn param_scalar(&mut self, name: &'a str, value: Scalar) {
        self.query.push((Cow::Borrowed(name), scalar_cow(value)));
    }

    fn metadata(&mut self, metadata: &'a [(String, String)]) {
        self.headers.extend(metadata.iter().map(|(n, v)| {
            (
                Cow::Owned(format!("x-oss-meta-{n}")),
                Cow::Borrowed(v.as_str()),
            )
        }));
    }
}
