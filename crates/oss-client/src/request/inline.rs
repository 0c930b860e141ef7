//! [`InlineParts`]: a request's parts written in place, in fixed arrays, so that a typed request
//! is presigned without building the `PresignParts` vectors; and the [`PartsSink`] both are
//! written through, so that each typed request states its parts once (its `PresignParts`
//! side is in `parts`).

// The WebAssembly module signs typed requests through `PresignParts` (a smaller module), so
// there only the public InlineParts API and the PartsSink are used.
#![cfg_attr(target_arch = "wasm32", allow(dead_code))]

/// Headers kept inline: PutObjectRequest, the largest typed request, has 18 header fields.
pub(crate) const HEADERS_INLINE: usize = 18;
/// Query parameters kept inline: GetObjectRequest has 8 parameter fields.
pub(crate) const QUERY_INLINE: usize = 8;

use oss_sign_core::decimal::Decimal;

/// Pairs as `oss-sign-core` takes them.
type StrPairs<'r> = &'r [(&'r str, &'r str)];

/// The pairs held before the larger array is used (filling it costs a write of every slot).
const FEW: usize = 4;

/// Up to `N` pairs in arrays (the first [`FEW`] in a small one), the rest in a vector: always
/// one slice.
#[derive(Debug, Clone)]
struct PairList<'a, const N: usize> {
    few: [(&'a str, &'a str); FEW],
    many: Option<[(&'a str, &'a str); N]>,
    heap: Vec<(&'a str, &'a str)>,
    len: usize,
}

impl<'a, const N: usize> PairList<'a, N> {
    fn new() -> Self {
        PairList {
            few: [("", ""); FEW],
            many: None,
            heap: Vec::new(),
            len: 0,
        }
    }

    #[inline]
    fn push(&mut self, pair: (&'a str, &'a str)) {
        let len = self.len;
        if len < FEW {
            self.few[len] = pair;
        } else if len < N {
            let few = &self.few;
            let many = self.many.get_or_insert_with(|| {
                let mut many = [("", ""); N];
                many[..FEW].copy_from_slice(few);
                many
            });
            many[len] = pair;
        } else {
            if self.heap.is_empty() {
                let pairs = self.as_slice();
                let mut heap = Vec::with_capacity(2 * N);
                heap.extend_from_slice(pairs);
                self.heap = heap;
            }
            self.heap.push(pair);
        }
        self.len = len + 1;
    }

    #[inline]
    fn as_slice(&self) -> &[(&'a str, &'a str)] {
        let len = self.len;
        if len <= FEW {
            &self.few[..len]
        } else if len <= N {
            match &self.many {
                Some(many) => &many[..len],
                None => &[],
            }
        } else {
            &self.heap
        }
    }
}

/// Where a list is copied when numbers or metadata names are written in: an array of `N`
/// (initialised only when used), or a vector past it.
#[derive(Debug)]
pub(crate) struct PairCopy<'r, const N: usize> {
    array: Option<[(&'r str, &'r str); N]>,
    heap: Vec<(&'r str, &'r str)>,
}

impl<'r, const N: usize> PairCopy<'r, N> {
    pub(crate) fn new() -> Self {
        PairCopy {
            array: None,
            heap: Vec::new(),
        }
    }

    fn fill(
        &mut self,
        len: usize,
        pairs: impl Iterator<Item = (&'r str, &'r str)>,
    ) -> &[(&'r str, &'r str)] {
        if len <= N {
            let array = self.array.insert([("", ""); N]);
            for (slot, pair) in array.iter_mut().zip(pairs) {
                *slot = pair;
            }
            &array[..len]
        } else {
            self.heap.extend(pairs);
            &self.heap
        }
    }
}

/// A value written after its pair was pushed: a number's digits, kept in the parts.
#[derive(Debug, Clone, Copy)]
struct NumberAt {
    in_query: bool,
    index: usize,
    digits: Decimal,
}

/// How many number values a request may have (UploadPart, the most, has three).
const NUMBERS: usize = 4;

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
    headers: PairList<'a, HEADERS_INLINE>,
    query: PairList<'a, QUERY_INLINE>,
    /// Number values, written over their pairs' empty placeholders when resolved.
    numbers: [Option<NumberAt>; NUMBERS],
    /// Whether a header / a query parameter has a number (its list is then copied).
    numbers_in: (bool, bool),
    /// The metadata: where its headers start, the entries (for the names' lengths), and the
    /// header names (`x-oss-meta-{name}`) one after another.
    metadata: Option<(usize, &'a [(String, String)])>,
    joined: String,
    /// Something could not be written in place (more numbers, a second metadata list): the
    /// client then uses `presign_parts`.
    incomplete: bool,
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
            headers: PairList::new(),
            query: PairList::new(),
            numbers: [None; NUMBERS],
            numbers_in: (false, false),
            metadata: None,
            joined: String::new(),
            incomplete: false,
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
    #[inline]
    pub fn push_header(&mut self, name: &'a str, value: &'a str) {
        self.headers.push((name, value));
    }

    /// Adds a query parameter (raw value; `""` = no value).
    ///
    /// ```
    /// let mut parts = oss_client::InlineParts::new();
    /// parts.push_parameter("uploads", "");
    /// assert!(parts.query().eq([("uploads", "")]));
    /// ```
    #[inline]
    pub fn push_parameter(&mut self, name: &'a str, value: &'a str) {
        self.query.push((name, value));
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
        let mut names = self.metadata_names();
        let (start, count) = self.metadata.map_or((0, 0), |(start, m)| (start, m.len()));
        self.headers
            .as_slice()
            .iter()
            .enumerate()
            .map(move |(i, &(name, value))| {
                let name = if (start..start + count).contains(&i) {
                    names.next().unwrap_or(name)
                } else {
                    name
                };
                (name, self.number_or(false, i, value))
            })
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
            .as_slice()
            .iter()
            .enumerate()
            .map(|(i, &(name, value))| (name, self.number_or(true, i, value)))
    }

    /// The number written for pair `index` of a list, else `value`.
    fn number_or<'r>(&'r self, in_query: bool, index: usize, value: &'r str) -> &'r str {
        self.numbers
            .iter()
            .flatten()
            .find(|n| n.in_query == in_query && n.index == index)
            .map_or(value, |n| n.digits.as_str())
    }

    /// The metadata header names, in order.
    fn metadata_names(&self) -> impl Iterator<Item = &str> + '_ {
        let entries = self.metadata.map_or(&[][..], |(_, m)| m);
        let mut at = 0;
        entries.iter().map(move |(name, _)| {
            let len = PREFIX.len() + name.len();
            let text = self.joined.get(at..at + len).unwrap_or_default();
            at += len;
            text
        })
    }

    /// Whether every part was written in place (else the client uses `presign_parts`).
    pub(crate) fn is_complete(&self) -> bool {
        !self.incomplete
    }

    /// The headers and query parameters as the signing path reads them: the lists as they are when they hold only
    /// borrowed text (no copy), else copied into `header_copy` / `query_copy` (arrays, or
    /// vectors past the inline sizes) with the numbers and metadata names written in.
    #[inline]
    pub(crate) fn resolve<'r>(
        &'r self,
        header_copy: &'r mut PairCopy<'r, HEADERS_INLINE>,
        query_copy: &'r mut PairCopy<'r, QUERY_INLINE>,
    ) -> (StrPairs<'r>, StrPairs<'r>) {
        let (header_numbers, query_numbers) = self.numbers_in;
        let headers = if self.metadata.is_none() && !header_numbers {
            self.headers.as_slice()
        } else {
            header_copy.fill(self.headers.len, self.headers())
        };
        let query = if query_numbers {
            query_copy.fill(self.query.len, self.query())
        } else {
            self.query.as_slice()
        };
        (headers, query)
    }

    /// Records a number for the pair just pushed (whose value is an empty placeholder).
    /// A header (or, `in_query`, a query parameter) whose value is a number or flag: a flag's
    /// text is static; a number is written in when resolved (its slot holds `""` until then).
    fn push_scalar(&mut self, in_query: bool, name: &'a str, value: Scalar) {
        let text = match value {
            Scalar::Number(_) => "",
            Scalar::Flag(flag) => flag_text(flag),
        };
        if in_query {
            self.push_parameter(name, text);
        } else {
            self.push_header(name, text);
        }
        if let Scalar::Number(n) = value {
            self.push_number(in_query, n);
        }
    }

    fn push_number(&mut self, in_query: bool, n: u64) {
        let index = if in_query {
            self.numbers_in.1 = true;
            self.query.len
        } else {
            self.numbers_in.0 = true;
            self.headers.len
        } - 1;
        match self.numbers.iter_mut().find(|slot| slot.is_none()) {
            Some(slot) => {
                *slot = Some(NumberAt {
                    in_query,
                    index,
                    digits: Decimal::new(n),
                })
            }
            None => self.incomplete = true,
        }
    }

    /// How many headers and parameters (for tests).
    #[cfg(test)]
    pub(crate) fn lens(&self) -> (usize, usize) {
        (self.headers.len, self.query.len)
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

pub(crate) fn flag_text(flag: bool) -> &'static str {
    if flag {
        "true"
    } else {
        "false"
    }
}

/// Where a typed request writes its parts: `PresignParts` (vectors) or [`InlineParts`]
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

impl<'a> PartsSink<'a> for InlineParts<'a> {
    #[inline]
    fn header_str(&mut self, name: &'a str, value: &'a str) {
        self.push_header(name, value);
    }

    fn header_scalar(&mut self, name: &'a str, value: Scalar) {
        self.push_scalar(false, name, value);
    }

    #[inline]
    fn param_str(&mut self, name: &'a str, value: &'a str) {
        self.push_parameter(name, value);
    }

    fn param_scalar(&mut self, name: &'a str, value: Scalar) {
        self.push_scalar(true, name, value);
    }

    /// The names go one after another into one string (one allocation for all of them): the
    /// header name `x-oss-meta-{name}` is written nowhere in the request.
    fn metadata(&mut self, metadata: &'a [(String, String)]) {
        if metadata.is_empty() {
            return;
        }
        if self.metadata.is_some() {
            self.incomplete = true;
            return;
        }
        self.metadata = Some((self.headers.len, metadata));
        let bytes: usize = metadata.iter().map(|(n, _)| PREFIX.len() + n.len()).sum();
        self.joined.reserve(bytes);
        for (name, value) in metadata {
            self.joined.push_str(PREFIX);
            self.joined.push_str(name);
            // The name is written in when resolved.
            self.push_header("", value);
        }
    }
}

const PREFIX: &str = "x-oss-meta-";

#[cfg(test)]
mod tests;
