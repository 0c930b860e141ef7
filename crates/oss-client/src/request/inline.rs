//! [`InlineParts`]: a request's parts written in place, in fixed arrays, so that a typed request
//! is presigned without building the [`PresignParts`] vectors; and the [`PartsSink`] both are
//! written through, so that each typed request states its parts once.

use std::borrow::Cow;

use super::parts::PresignParts;

/// Headers kept inline: PutObjectRequest, the largest typed request, has 18 header fields.
pub(crate) const HEADERS_INLINE: usize = 18;
/// Query parameters kept inline: GetObjectRequest has 8 parameter fields.
pub(crate) const QUERY_INLINE: usize = 8;

/// A number written in decimal in place (a `u64` has at most 20 digits).
#[derive(Debug, Clone, Copy)]
struct Digits {
    bytes: [u8; 20],
    start: u8,
}

impl Digits {
    fn new(mut n: u64) -> Self {
        let mut bytes = [b'0'; 20];
        let mut start = bytes.len();
        loop {
            start -= 1;
            // `n % 10` is a digit: the cast keeps it.
            bytes[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        Digits {
            bytes,
            // At most 20: fits.
            start: start as u8,
        }
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits are written: always UTF-8.
        std::str::from_utf8(&self.bytes[usize::from(self.start)..]).unwrap_or("")
    }
}

/// A name or value as kept inline: borrowed text, a number, or a range of the metadata names.
#[derive(Debug, Clone, Copy)]
enum Piece<'a> {
    Text(&'a str),
    Number(Digits),
    Joined(u32, u32),
}

impl<'a> Piece<'a> {
    fn resolve<'r>(&'r self, joined: &'r str) -> &'r str
    where
        'a: 'r,
    {
        match self {
            Piece::Text(text) => text,
            Piece::Number(digits) => digits.as_str(),
            Piece::Joined(start, end) => joined
                .get(*start as usize..*end as usize)
                .unwrap_or_default(),
        }
    }
}

type Entry<'a> = (Piece<'a>, Piece<'a>);

/// Up to `N` pairs in an array, the rest in a vector.
#[derive(Debug, Clone)]
struct PieceList<'a, const N: usize> {
    inline: [Entry<'a>; N],
    len: usize,
    spill: Vec<Entry<'a>>,
}

impl<'a, const N: usize> PieceList<'a, N> {
    fn new() -> Self {
        PieceList {
            inline: [(Piece::Text(""), Piece::Text("")); N],
            len: 0,
            spill: Vec::new(),
        }
    }

    #[inline]
    fn push(&mut self, entry: Entry<'a>) {
        match self.inline.get_mut(self.len) {
            Some(slot) => {
                *slot = entry;
                self.len += 1;
            }
            None => self.spill.push(entry),
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.len + self.spill.len()
    }

    fn iter(&self) -> impl Iterator<Item = &Entry<'a>> {
        self.inline[..self.len].iter().chain(&self.spill)
    }

    /// The pairs as `(&str, &str)`: in `slots` when they fit, else in `heap`.
    fn resolve<'r>(
        &'r self,
        joined: &'r str,
        slots: &'r mut [(&'r str, &'r str); N],
        heap: &'r mut Vec<(&'r str, &'r str)>,
    ) -> &'r [(&'r str, &'r str)] {
        if self.spill.is_empty() {
            for (slot, (name, value)) in slots.iter_mut().zip(&self.inline[..self.len]) {
                *slot = (name.resolve(joined), value.resolve(joined));
            }
            &slots[..self.len]
        } else {
            heap.extend(
                self.iter()
                    .map(|(name, value)| (name.resolve(joined), value.resolve(joined))),
            );
            heap
        }
    }
}

/// A request's method, bucket, key, headers and query parameters written in place: up to 18
/// headers and 8 query parameters in fixed arrays (as many as the largest typed request has
/// fields; more spill into a vector), numbers written in place, so that presigning a typed
/// request allocates nothing for its parts. What [`Presignable::presign_inline`] fills.
///
/// [`Presignable::presign_inline`]: crate::Presignable::presign_inline
///
/// ```
/// use oss_client::{GetObjectRequest, InlineParts, Presignable};
///
/// let get = GetObjectRequest::new("examplebucket", "k").version_id("CAEQ").traffic_limit(819200);
/// let mut parts = InlineParts::new();
/// assert!(get.presign_inline(&mut parts));
/// assert_eq!((parts.method(), parts.bucket(), parts.key()), ("GET", "examplebucket", "k"));
/// assert!(parts.query().eq([("versionId", "CAEQ")]));
/// assert!(parts.headers().eq([("x-oss-traffic-limit", "819200")]));
/// ```
#[derive(Debug, Clone)]
pub struct InlineParts<'a> {
    method: &'a str,
    bucket: &'a str,
    key: &'a str,
    headers: PieceList<'a, HEADERS_INLINE>,
    query: PieceList<'a, QUERY_INLINE>,
    /// The metadata header names (`x-oss-meta-{name}`), one after another.
    joined: String,
}

impl Default for InlineParts<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> InlineParts<'a> {
    /// Empty parts: no method, bucket or key yet, no headers, no query parameters.
    ///
    /// ```
    /// let parts = oss_client::InlineParts::new();
    /// assert_eq!(parts.method(), "");
    /// assert_eq!(parts.headers().count() + parts.query().count(), 0);
    /// ```
    pub fn new() -> Self {
        InlineParts {
            method: "",
            bucket: "",
            key: "",
            headers: PieceList::new(),
            query: PieceList::new(),
            joined: String::new(),
        }
    }

    /// Sets the method (upper-cased by the client), bucket and key.
    ///
    /// ```
    /// let mut parts = oss_client::InlineParts::new();
    /// parts.set_target("DELETE", "examplebucket", "k");
    /// assert_eq!((parts.method(), parts.bucket(), parts.key()), ("DELETE", "examplebucket", "k"));
    /// ```
    pub fn set_target(&mut self, method: &'a str, bucket: &'a str, key: &'a str) {
        self.method = method;
        self.bucket = bucket;
        self.key = key;
    }

    /// Adds a header (after those added before).
    ///
    /// ```
    /// let mut parts = oss_client::InlineParts::new();
    /// parts.push_header("Range", "bytes=0-9");
    /// assert!(parts.headers().eq([("Range", "bytes=0-9")]));
    /// ```
    pub fn push_header(&mut self, name: &'a str, value: &'a str) {
        self.headers.push((Piece::Text(name), Piece::Text(value)));
    }

    /// Adds a query parameter (raw value; `""` = no value).
    ///
    /// ```
    /// let mut parts = oss_client::InlineParts::new();
    /// parts.push_parameter("uploads", "");
    /// assert!(parts.query().eq([("uploads", "")]));
    /// ```
    pub fn push_parameter(&mut self, name: &'a str, value: &'a str) {
        self.query.push((Piece::Text(name), Piece::Text(value)));
    }

    /// The method as given.
    ///
    /// ```
    /// assert_eq!(oss_client::InlineParts::new().method(), "");
    /// ```
    pub fn method(&self) -> &str {
        self.method
    }

    /// The bucket.
    ///
    /// ```
    /// assert_eq!(oss_client::InlineParts::new().bucket(), "");
    /// ```
    pub fn bucket(&self) -> &str {
        self.bucket
    }

    /// The object key (unescaped).
    ///
    /// ```
    /// assert_eq!(oss_client::InlineParts::new().key(), "");
    /// ```
    pub fn key(&self) -> &str {
        self.key
    }

    /// The headers, in order.
    ///
    /// ```
    /// use oss_client::{InlineParts, Presignable, PutObjectRequest};
    /// let put = PutObjectRequest::new("examplebucket", "k").metadata("author", "alice");
    /// let mut parts = InlineParts::new();
    /// put.presign_inline(&mut parts);
    /// assert!(parts.headers().eq([("x-oss-meta-author", "alice")]));
    /// ```
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.headers
            .iter()
            .map(|(n, v)| (n.resolve(&self.joined), v.resolve(&self.joined)))
    }

    /// The query parameters, in order (raw values).
    ///
    /// ```
    /// use oss_client::{InlineParts, Presignable, UploadPartRequest};
    /// let part = UploadPartRequest::new("examplebucket", "k", 7, "UPID");
    /// let mut parts = InlineParts::new();
    /// part.presign_inline(&mut parts);
    /// assert!(parts.query().eq([("partNumber", "7"), ("uploadId", "UPID")]));
    /// ```
    pub fn query(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.query
            .iter()
            .map(|(n, v)| (n.resolve(&self.joined), v.resolve(&self.joined)))
    }

    /// The parts as the signing path reads them, the pairs resolved into the caller's arrays
    /// (or vectors, past the inline sizes).
    pub(crate) fn resolve<'r>(
        &'r self,
        header_slots: &'r mut [(&'r str, &'r str); HEADERS_INLINE],
        header_heap: &'r mut Vec<(&'r str, &'r str)>,
        query_slots: &'r mut [(&'r str, &'r str); QUERY_INLINE],
        query_heap: &'r mut Vec<(&'r str, &'r str)>,
    ) -> super::PartsRef<'r, (&'r str, &'r str)> {
        super::PartsRef {
            method: self.method,
            bucket: self.bucket,
            key: self.key,
            headers: self
                .headers
                .resolve(&self.joined, header_slots, header_heap),
            query: self.query.resolve(&self.joined, query_slots, query_heap),
        }
    }

    /// How many headers and parameters (for tests).
    #[cfg(test)]
    pub(crate) fn lens(&self) -> (usize, usize) {
        (self.headers.len(), self.query.len())
    }
}

/// A number or flag header or parameter value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scalar {
    Number(u64),
    Flag(bool),
}

impl From<u64> for Scalar {
    fn from(n: u64) -> Self {
        Scalar::Number(n)
    }
}

impl From<u32> for Scalar {
    fn from(n: u32) -> Self {
        Scalar::Number(u64::from(n))
    }
}

impl From<bool> for Scalar {
    fn from(flag: bool) -> Self {
        Scalar::Flag(flag)
    }
}

fn flag_text(flag: bool) -> &'static str {
    if flag {
        "true"
    } else {
        "false"
    }
}

/// Where a typed request writes its parts: [`PresignParts`] (vectors) or [`InlineParts`]
/// (arrays). Each typed request writes them once, through this, for both.
pub(crate) trait PartsSink<'a> {
    /// A header with a borrowed name and value.
    fn header_str(&mut self, name: &'a str, value: &'a str);
    /// A header whose value is a number or flag.
    fn header_scalar(&mut self, name: &'a str, value: Scalar);
    /// A query parameter with a borrowed name and value.
    fn param_str(&mut self, name: &'a str, value: &'a str);
    /// A query parameter whose value is a number or flag.
    fn param_scalar(&mut self, name: &'a str, value: Scalar);
    /// Each `(name, value)` as header `x-oss-meta-{name}`.
    fn metadata(&mut self, metadata: &'a [(String, String)]);

    /// A header, when the field is set.
    fn header(&mut self, name: &'static str, value: &'a Option<String>) {
        if let Some(value) = value {
            self.header_str(name, value);
        }
    }

    /// A header whose value is a number or flag, when the field is set.
    fn header_value(&mut self, name: &'static str, value: Option<impl Into<Scalar>>) {
        if let Some(value) = value {
            self.header_scalar(name, value.into());
        }
    }

    /// A query parameter, when the field is set.
    fn param(&mut self, name: &'static str, value: &'a Option<String>) {
        if let Some(value) = value {
            self.param_str(name, value);
        }
    }

    /// The free-form headers and parameters.
    fn extra(&mut self, headers: &'a [(String, String)], parameters: &'a [(String, String)]) {
        for (name, value) in headers {
            self.header_str(name, value);
        }
        for (name, value) in parameters {
            self.param_str(name, value);
        }
    }

    /// `x-oss-request-payer` (when set), then the free-form headers and parameters: how each
    /// typed request's parts end.
    fn payer_and_extra(
        &mut self,
        request_payer: &'a Option<String>,
        headers: &'a [(String, String)],
        parameters: &'a [(String, String)],
    ) {
        self.header("x-oss-request-payer", request_payer);
        self.extra(headers, parameters);
    }
}

fn scalar_cow(value: Scalar) -> Cow<'static, str> {
    match value {
        Scalar::Number(n) => Cow::Owned(n.to_string()),
        Scalar::Flag(flag) => Cow::Borrowed(flag_text(flag)),
    }
}

impl<'a> PartsSink<'a> for PresignParts<'a> {
    fn header_str(&mut self, name: &'a str, value: &'a str) {
        self.headers
            .push((Cow::Borrowed(name), Cow::Borrowed(value)));
    }

    fn header_scalar(&mut self, name: &'a str, value: Scalar) {
        self.headers.push((Cow::Borrowed(name), scalar_cow(value)));
    }

    fn param_str(&mut self, name: &'a str, value: &'a str) {
        self.query.push((Cow::Borrowed(name), Cow::Borrowed(value)));
    }

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

fn scalar_piece(value: Scalar) -> Piece<'static> {
    match value {
        Scalar::Number(n) => Piece::Number(Digits::new(n)),
        Scalar::Flag(flag) => Piece::Text(flag_text(flag)),
    }
}

impl<'a> PartsSink<'a> for InlineParts<'a> {
    #[inline]
    fn header_str(&mut self, name: &'a str, value: &'a str) {
        self.push_header(name, value);
    }

    fn header_scalar(&mut self, name: &'a str, value: Scalar) {
        self.headers.push((Piece::Text(name), scalar_piece(value)));
    }

    #[inline]
    fn param_str(&mut self, name: &'a str, value: &'a str) {
        self.push_parameter(name, value);
    }

    fn param_scalar(&mut self, name: &'a str, value: Scalar) {
        self.query.push((Piece::Text(name), scalar_piece(value)));
    }

    /// The names go one after another into one string (one allocation for all of them): the
    /// header name `x-oss-meta-{name}` is written nowhere in the request.
    fn metadata(&mut self, metadata: &'a [(String, String)]) {
        if metadata.is_empty() {
            return;
        }
        let bytes: usize = metadata.iter().map(|(n, _)| PREFIX.len() + n.len()).sum();
        self.joined.reserve(bytes);
        for (name, value) in metadata {
            // Offsets past `u32::MAX` resolve to "" (the checks then refuse the empty name):
            // no header block of that size is signed anyway.
            let start = u32::try_from(self.joined.len()).unwrap_or(u32::MAX);
            self.joined.push_str(PREFIX);
            self.joined.push_str(name);
            let end = u32::try_from(self.joined.len()).unwrap_or(u32::MAX);
            self.headers
                .push((Piece::Joined(start, end), Piece::Text(value)));
        }
    }
}

const PREFIX: &str = "x-oss-meta-";

#[cfg(test)]
mod tests;
