//! [`SignableRequest`]: the parts of an HTTP request that a signature covers.

use crate::canonical::cmp_lowercase;
use crate::error::shorten;
use crate::error::{SignError, SignErrorKind};
use crate::repeat_scan::Scan;
use alloc::format;
use alloc::vec::Vec;
use core::cmp::Ordering;

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
        if !is_short_token(self.method) {
            return Err(SignError::new(
                SignErrorKind::InvalidInput,
                format!(
                    "method {:?} is not an HTTP method: use an upper-case token such as GET, PUT, HEAD, POST or DELETE",
                    shorten(self.method)
                ),
            ));
        }
        if let Some(bucket) = self.bucket {
            // A fold rather than `contains` (a `memchr` call, dearer for a short name).
            let slash = bucket.bytes().fold(false, |any, b| any | (b == b'/'));
            if bucket.is_empty() || slash {
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
            if !is_http_token(name) {
                return Err(SignError::new(
                    SignErrorKind::InvalidInput,
                    format!(
                        "header name {:?} is not an HTTP token: use letters, digits and -",
                        shorten(name)
                    ),
                ));
            }
            let control = has_control_byte(value.as_bytes());
            if control {
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

/// The position of the first item whose name repeats an earlier item's name, or `None` when
/// every name is distinct: the rule "give each header (case-insensitive) or query parameter
/// (exact) once".
///
/// Up to 64 items (4 KiB of names) it hashes each name into a small table on the stack as it
/// comes (one pass, the first repeat met in order); beyond, it sorts the positions by name and
/// compares neighbours (O(n log n), no allocation for up to 32 items). Either way no name is
/// compared with every earlier one, and the answer is exactly what that pairwise check
/// answers: the smallest position that has an equal name before it.
///
/// ```
/// use oss_sign_core::first_repeated_name;
/// let headers = [("X-Oss-Meta-A", "1"), ("Content-Type", "t"), ("x-oss-meta-a", "2"), ("content-type", "u")];
/// assert_eq!(first_repeated_name(&headers, |h| h.0, true), Some(2));
/// assert_eq!(first_repeated_name(&headers, |h| h.0, false), None);
/// let query = [("uploads", ""), ("versionId", "1")];
/// assert_eq!(first_repeated_name(&query, |q| q.0, false), None);
/// ```
pub fn first_repeated_name<T>(
    items: &[T],
    name_of: impl Fn(&T) -> &str,
    ignore_ascii_case: bool,
) -> Option<usize> {
    match crate::repeat_scan::first_repeat(items, &name_of, ignore_ascii_case) {
        Scan::Distinct => None,
        Scan::Repeat(at) => Some(at),
        Scan::TooLarge => repeat_by_sorting(items, name_of, ignore_ascii_case),
    }
}

/// [`first_repeated_name`] by sorting the positions by name (any number of items).
pub(crate) fn repeat_by_sorting<T>(
    items: &[T],
    name_of: impl Fn(&T) -> &str,
    ignore_ascii_case: bool,
) -> Option<usize> {
    if items.len() < 2 {
        return None;
    }
    let compare = |a: usize, b: usize| {
        let (x, y) = (name_of(&items[a]), name_of(&items[b]));
        if ignore_ascii_case {
            cmp_lowercase(x, y)
        } else {
            x.cmp(y)
        }
    };
    let mut on_stack = [0usize; 32];
    let mut on_heap: Vec<usize>;
    let order: &mut [usize] = if items.len() <= on_stack.len() {
        for (index, slot) in on_stack.iter_mut().enumerate().take(items.len()) {
            *slot = index;
        }
        &mut on_stack[..items.len()]
    } else {
        on_heap = (0..items.len()).collect();
        &mut on_heap
    };
    crate::sort::sort_positions(order, &|a, b| compare(a, b).then(a.cmp(&b)));
    // In each run of equal names the positions ascend, so every later member of a run repeats
    // the first; the answer is the smallest such member over all runs.
    order
        .windows(2)
        .filter(|pair| compare(pair[0], pair[1]) == Ordering::Equal)
        .map(|pair| pair[1])
        .min()
}

/// Whether `bytes` holds a control byte other than tab (`0x00..=0x1f` but `0x09`, or `0x7f`).
///
/// Eight bytes at a time: a word with no byte below `0x20` and no `0x7f` (the usual case) is
/// passed with a few word operations; only a word that has one (a tab, say) is looked at byte
/// by byte.
pub(crate) fn has_control_byte(bytes: &[u8]) -> bool {
    has_control_byte_or(bytes, false)
}

/// [`has_control_byte`], tab counted as a control byte too when `tab_too` (one scan instead
/// of a second look for a tab).
#[inline]
pub(crate) fn has_control_byte_or(bytes: &[u8], tab_too: bool) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let exact = |chunk: &[u8]| {
        chunk
            .iter()
            .any(|&b| (b < 0x20 && (tab_too || b != b'\t')) || b == 0x7f)
    };
    // A byte below 0x20 (exact for "is there one": bytes are below 0x80 or have their high
    // bit set, which the `!word` mask clears), or a byte equal to 0x7f.
    let flagged = |word: u64| {
        let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
        let del = word ^ (ONES * 0x7f);
        let has_del = del.wrapping_sub(ONES) & !del & HIGHS;
        (below_space | has_del) != 0
    };
    // Arrays, not `chunks_exact`, whose `next` stays a call where the crate is built for size.
    let (chunks, tail) = bytes.as_chunks::<8>();
    for chunk in chunks {
        if flagged(u64::from_le_bytes(*chunk)) && exact(chunk) {
            return true;
        }
    }
    // The tail: the last eight bytes as one word (overlapping the chunks already checked,
    // which is harmless), or byte by byte when there are fewer than eight in all.
    match bytes.len().checked_sub(8) {
        _ if tail.is_empty() => false,
        Some(last) => flagged(crate::canonical::word_at(bytes, last)) && exact(tail),
        None => exact(tail),
    }
}

/// RFC 9110 `tchar`, one table lookup per byte (the tests' view of the table
/// [`is_http_token`] folds over).
#[cfg(test)]
pub(crate) fn is_token_byte(byte: u8) -> bool {
    TOKEN_BYTES[usize::from(byte)]
}

/// Whether `text` is an HTTP token (RFC 9110 `token`: one or more of letters, digits and
/// ``!#$%&'*+-.^_`|~``), as a method and a header name must be.
///
/// Names of sixteen bytes or more are tested sixteen at a time (the last sixteen overlapping
/// the ones before) for the usual letters, digits and `-`, as comparisons the compiler turns
/// into vector instructions; a name with another byte, and a shorter one, is looked up in the
/// token table byte by byte, and-ed together without a branch per byte (names are checked
/// on every presign).
///
/// ```
/// use oss_sign_core::is_http_token;
/// assert!(is_http_token("x-oss-meta-a"));
/// assert!(is_http_token("GET"));
/// assert!(!is_http_token("bad name"));
/// assert!(!is_http_token(""));
/// ```
pub fn is_http_token(text: &str) -> bool {
    let bytes = text.as_bytes();
    let table = |part: &[u8]| {
        part.iter()
            .fold(true, |all, &b| all & TOKEN_BYTES[usize::from(b)])
    };
    match bytes.len().checked_sub(16) {
        None => !bytes.is_empty() && table(bytes),
        Some(last) => {
            let (blocks, _) = bytes.as_chunks::<16>();
            let tail = bytes.get(last..).and_then(<[u8]>::first_chunk::<16>);
            let common =
                tail.is_some_and(common_token_bytes) && blocks.iter().all(common_token_bytes);
            common || table(bytes)
        }
    }
}

/// [`is_http_token`] inlined for a text that is usually short (a method): the table, and the
/// call for sixteen bytes or more.
#[inline(always)]
fn is_short_token(text: &str) -> bool {
    match text.len() {
        1..16 => text
            .bytes()
            .fold(true, |all, b| all & TOKEN_BYTES[usize::from(b)]),
        _ => is_http_token(text),
    }
}

/// Whether all sixteen bytes are ASCII letters, digits or `-` (token bytes): no branch, no
/// table (`b | 0x20` is a letter's lower case and a lower-case letter for no other byte).
#[inline(always)]
fn common_token_bytes(block: &[u8; 16]) -> bool {
    block.iter().fold(true, |all, &b| {
        all & ((b | 0x20).wrapping_sub(b'a') < 26 || b.wrapping_sub(b'0') < 10 || b == b'-')
    })
}

const TOKEN_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        byte += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;
    use proptest::prelude::*;

    /// What oss-client's `check_headers` / `check_query` do today: every name against every
    /// earlier one.
    fn pairwise(names: &[String], ignore_case: bool) -> Option<usize> {
        (0..names.len()).find(|&i| {
            names[..i].iter().any(|earlier| {
                if ignore_case {
                    earlier.eq_ignore_ascii_case(&names[i])
                } else {
                    *earlier == names[i]
                }
            })
        })
    }

    /// Regression (issue 17): the sorted check refuses the same header as the pairwise one, so
    /// the client's "header X is given twice" error names the same header as before.
    #[test]
    fn duplicate_refusal_names_the_same_header_as_the_pairwise_check() {
        let names: Vec<String> = [
            "x-oss-meta-a",
            "Content-Type",
            "X-OSS-META-B",
            "x-oss-meta-b",
            "content-type",
        ]
        .iter()
        .map(|s| String::from(*s))
        .collect();
        assert_eq!(first_repeated_name(&names, String::as_str, true), Some(3));
        assert_eq!(pairwise(&names, true), Some(3));
        assert_eq!(first_repeated_name(&names, String::as_str, false), None);
        let many: Vec<String> = (0..40)
            .map(|i| alloc::format!("x-oss-meta-{}", i % 37))
            .collect();
        assert_eq!(first_repeated_name(&many, String::as_str, true), Some(37));
    }

    proptest! {
        #[test]
        fn sorted_check_answers_like_the_pairwise_one(
            names in prop::collection::vec("[aAbB-]{0,3}", 0..50),
            ignore_case in any::<bool>(),
        ) {
            prop_assert_eq!(
                first_repeated_name(&names, String::as_str, ignore_case),
                pairwise(&names, ignore_case)
            );
        }
    }

    #[test]
    fn token_table_is_rfc_9110_tchar() {
        for byte in 0..=255u8 {
            let tchar = byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte);
            assert_eq!(is_token_byte(byte), tchar, "byte {byte}");
            // Every byte at every place of names around the sixteen-byte blocks.
            for len in [1, 15, 16, 17, 31, 32, 33] {
                for at in 0..len {
                    let mut name = alloc::vec![b'a'; len];
                    name[at] = byte;
                    if let Ok(name) = core::str::from_utf8(&name) {
                        assert_eq!(is_http_token(name), tchar, "{name:?}");
                        assert_eq!(is_short_token(name), tchar, "{name:?}");
                    }
                }
            }
        }
    }

    proptest! {
        #[test]
        fn control_scan_is_the_byte_rule(bytes in prop::collection::vec(prop::sample::select(alloc::vec![
            0u8, 0x08, 0x09, 0x0a, 0x1f, 0x20, 0x41, 0x7e, 0x7f, 0x80, 0x9f, 0xa0, 0xc3, 0xff,
        ]), 0..40), name in "[a-zA-Z0-9 !#$%&'*+.^_`|~(),:\r\u{10}\u{e9}/@\\[{-]{0,40}") {
            let reference = bytes.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f);
            prop_assert_eq!(has_control_byte(&bytes), reference);
            let token = !name.is_empty() && name.bytes().all(is_token_byte);
            prop_assert_eq!(is_http_token(&name), token);
        }
    }
}
