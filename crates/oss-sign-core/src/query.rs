//! The query-string parser of the workspace: a raw (still encoded) query string as
//! `(name, value)` pairs, decoded with the strict [`decode_strict`].
//!
//! OSS rules: parameters are separated by `&` (empty parts such as `a&&b` are skipped), the
//! name ends at the first `=`, a parameter without `=` has the empty value, `+` is a literal
//! `+` (never a space), and every `%` must start a two-hex-digit escape of UTF-8. Names and
//! values are borrowed from the input unless they contain an escape, so parsing a query
//! without escapes allocates nothing.
//!
//! ```
//! use oss_sign_core::query::parse_query;
//! let raw = "uploads&versionId=CAEQ%2B1&x-oss-credential=ak%2F20231217%2Fcn-hangzhou";
//! let pairs: Vec<_> = parse_query(raw).collect::<Result<_, _>>()?;
//! assert_eq!(pairs[0].name(), "uploads");
//! assert!(!pairs[0].has_value());
//! assert_eq!(pairs[1].value(), "CAEQ+1");
//! assert_eq!(pairs[2].raw_value(), Some("ak%2F20231217%2Fcn-hangzhou"));
//! assert_eq!(pairs[2].value(), "ak/20231217/cn-hangzhou");
//! # Ok::<(), oss_sign_core::query::QueryError>(())
//! ```

use crate::encoding::{decode_strict, DecodeError, DecodeErrorKind};
use crate::error::shorten;
use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;

/// The query parameters that carry a signature rather than the request: V4's
/// `x-oss-signature-version`, `x-oss-credential`, `x-oss-date`, `x-oss-expires`,
/// `x-oss-signature`, `x-oss-additional-headers` and `x-oss-security-token`, and V1's
/// `OSSAccessKeyId`, `Expires`, `Signature` and `security-token`, spelled as OSS writes them.
/// What identifies the object in a presigned URL is every other parameter.
///
/// ```
/// use oss_sign_core::query::{parse_query, AUTH_QUERY_PARAMS};
/// let raw = "versionId=1&x-oss-date=20231217T033009Z&OSSAccessKeyId=ak&Signature=s";
/// let request: Vec<String> = parse_query(raw)
///     .filter_map(Result::ok)
///     .filter(|p| !AUTH_QUERY_PARAMS.contains(&p.name()))
///     .map(|p| p.name().to_string())
///     .collect();
/// assert_eq!(request, ["versionId"]);
/// ```
pub const AUTH_QUERY_PARAMS: [&str; 11] = [
    "x-oss-signature-version",
    "x-oss-credential",
    "x-oss-date",
    "x-oss-expires",
    "x-oss-signature",
    "x-oss-additional-headers",
    "x-oss-security-token",
    "OSSAccessKeyId",
    "Expires",
    "Signature",
    "security-token",
];

/// Parses a raw query string (without the leading `?`) into its decoded parameters, in order.
///
/// The iterator yields an error for a parameter whose name or value is not valid percent
/// encoding, and goes on with the next parameter after it.
///
/// ```
/// use oss_sign_core::query::parse_query;
/// let mut pairs = parse_query("a=1&&b=%zz&c");
/// assert_eq!(pairs.next().unwrap()?.value(), "1");
/// let err = pairs.next().unwrap().unwrap_err();
/// assert_eq!(err.parameter(), "b");
/// assert_eq!(pairs.next().unwrap()?.name(), "c");
/// assert!(pairs.next().is_none());
/// # Ok::<(), oss_sign_core::query::QueryError>(())
/// ```
pub fn parse_query(raw: &str) -> QueryPairs<'_> {
    QueryPairs { rest: Some(raw) }
}

/// The iterator returned by [`parse_query`].
///
/// ```
/// use oss_sign_core::query::parse_query;
/// assert_eq!(parse_query("a=1&b=2").count(), 2);
/// assert_eq!(parse_query("").count(), 0);
/// ```
#[derive(Debug, Clone)]
pub struct QueryPairs<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for QueryPairs<'a> {
    type Item = Result<QueryPair<'a>, QueryError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let rest = self.rest?;
            let (part, tail) = match rest.split_once('&') {
                Some((part, tail)) => (part, Some(tail)),
                None => (rest, None),
            };
            self.rest = tail;
            if !part.is_empty() {
                return Some(QueryPair::decode(part));
            }
        }
    }
}

/// One decoded query parameter, with its raw (encoded) form.
///
/// ```
/// use oss_sign_core::query::parse_query;
/// let pair = parse_query("response-content-type=text%2Fplain").next().unwrap()?;
/// assert_eq!((pair.name(), pair.value()), ("response-content-type", "text/plain"));
/// assert_eq!(pair.raw(), "response-content-type=text%2Fplain");
/// # Ok::<(), oss_sign_core::query::QueryError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryPair<'a> {
    raw: &'a str,
    raw_name: &'a str,
    raw_value: Option<&'a str>,
    name: Cow<'a, str>,
    value: Cow<'a, str>,
}

impl<'a> QueryPair<'a> {
    fn decode(raw: &'a str) -> Result<Self, QueryError> {
        let (raw_name, raw_value) = match raw.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (raw, None),
        };
        let fail = |source| QueryError {
            parameter: String::from(shorten(raw_name)),
            source,
        };
        let name = decode_strict(raw_name).map_err(fail)?;
        let value = decode_strict(raw_value.unwrap_or("")).map_err(fail)?;
        Ok(Self {
            raw,
            raw_name,
            raw_value,
            name,
            value,
        })
    }

    /// The decoded name.
    ///
    /// ```
    /// use oss_sign_core::query::parse_query;
    /// assert_eq!(parse_query("a%20b=1").next().unwrap()?.name(), "a b");
    /// # Ok::<(), oss_sign_core::query::QueryError>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The decoded value (`""` for a parameter without `=`).
    ///
    /// ```
    /// use oss_sign_core::query::parse_query;
    /// assert_eq!(parse_query("k=a+b").next().unwrap()?.value(), "a+b");
    /// # Ok::<(), oss_sign_core::query::QueryError>(())
    /// ```
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Whether the parameter had an `=` (`uploads` has none, `uploads=` has one).
    ///
    /// ```
    /// use oss_sign_core::query::parse_query;
    /// let flags: Vec<bool> = parse_query("a&b=").map(|p| p.map(|p| p.has_value())).collect::<Result<_, _>>()?;
    /// assert_eq!(flags, [false, true]);
    /// # Ok::<(), oss_sign_core::query::QueryError>(())
    /// ```
    pub fn has_value(&self) -> bool {
        self.raw_value.is_some()
    }

    /// The parameter as it appeared in the query, `name=value` still encoded.
    ///
    /// ```
    /// use oss_sign_core::query::parse_query;
    /// assert_eq!(parse_query("a=%41").next().unwrap()?.raw(), "a=%41");
    /// # Ok::<(), oss_sign_core::query::QueryError>(())
    /// ```
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// The name as it appeared in the query (still encoded).
    ///
    /// ```
    /// use oss_sign_core::query::parse_query;
    /// assert_eq!(parse_query("a%2Db=1").next().unwrap()?.raw_name(), "a%2Db");
    /// # Ok::<(), oss_sign_core::query::QueryError>(())
    /// ```
    pub fn raw_name(&self) -> &'a str {
        self.raw_name
    }

    /// The value as it appeared in the query (still encoded), `None` without `=`.
    ///
    /// ```
    /// use oss_sign_core::query::parse_query;
    /// assert_eq!(parse_query("a").next().unwrap()?.raw_value(), None);
    /// # Ok::<(), oss_sign_core::query::QueryError>(())
    /// ```
    pub fn raw_value(&self) -> Option<&'a str> {
        self.raw_value
    }

    /// The decoded name and value, owned.
    ///
    /// ```
    /// use oss_sign_core::query::parse_query;
    /// let pair = parse_query("a=%31").next().unwrap()?.into_owned();
    /// assert_eq!(pair, ("a".to_string(), "1".to_string()));
    /// # Ok::<(), oss_sign_core::query::QueryError>(())
    /// ```
    pub fn into_owned(self) -> (String, String) {
        (self.name.into_owned(), self.value.into_owned())
    }
}

/// A query parameter whose name or value is not valid percent encoding.
///
/// ```
/// use oss_sign_core::encoding::DecodeErrorKind;
/// use oss_sign_core::query::parse_query;
/// let err = parse_query("x-oss-date=%+F").next().unwrap().unwrap_err();
/// assert_eq!(err.kind(), DecodeErrorKind::InvalidEscape);
/// assert!(err.to_string().starts_with("query parameter \"x-oss-date\" is malformed: malformed percent escape \"%+F\""));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct QueryError {
    parameter: String,
    source: DecodeError,
}

impl QueryError {
    /// The raw name of the refused parameter (at most 40 characters of it).
    ///
    /// ```
    /// use oss_sign_core::query::parse_query;
    /// assert_eq!(parse_query("b%=1").next().unwrap().unwrap_err().parameter(), "b%");
    /// ```
    pub fn parameter(&self) -> &str {
        &self.parameter
    }

    /// What was wrong with the encoding.
    ///
    /// ```
    /// use oss_sign_core::encoding::DecodeErrorKind;
    /// use oss_sign_core::query::parse_query;
    /// let err = parse_query("a=%FF").next().unwrap().unwrap_err();
    /// assert_eq!(err.kind(), DecodeErrorKind::NotUtf8);
    /// ```
    pub fn kind(&self) -> DecodeErrorKind {
        self.source.kind()
    }

    /// The decoding error itself.
    ///
    /// ```
    /// use oss_sign_core::query::parse_query;
    /// let err = parse_query("a=xy%4").next().unwrap().unwrap_err();
    /// assert_eq!(err.decode_error().offset(), 2);
    /// ```
    pub fn decode_error(&self) -> &DecodeError {
        &self.source
    }
}

impl fmt::Debug for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueryError")
            .field("parameter", &self.parameter)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "query parameter {:?} is malformed: {}",
            self.parameter, self.source
        )
    }
}

#[cfg(feature = "std")]
impl std::error::Error for QueryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// `raw_query` with the value of every parameter whose decoded name `is_secret` accepts
/// replaced by `<redacted>`; everything else (order, encoding, empty parts) is kept byte for
/// byte. A parameter whose name does not decode is judged by its raw name. For `Debug` output
/// and logs of presigned URLs.
///
/// ```
/// use oss_sign_core::query::redact_query_values;
/// let raw = "versionId=1&x-oss-security-token=abc%2Bdef&x-oss-signature=0f";
/// let redacted = redact_query_values(raw, |name| name == "x-oss-security-token");
/// assert_eq!(redacted, "versionId=1&x-oss-security-token=<redacted>&x-oss-signature=0f");
/// ```
pub fn redact_query_values(raw_query: &str, is_secret: impl Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(raw_query.len());
    for (index, part) in raw_query.split('&').enumerate() {
        if index > 0 {
            out.push('&');
        }
        if part.is_empty() {
            continue;
        }
        let raw_name = part.split_once('=').map_or(part, |(name, _)| name);
        let secret = match decode_strict(raw_name) {
            Ok(name) => is_secret(&name),
            Err(_) => is_secret(raw_name),
        };
        if secret {
            out.push_str(raw_name);
            out.push_str("=<redacted>");
        } else {
            out.push_str(part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::uri_encode;
    use alloc::format;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    #[test]
    fn borrowed_without_escapes() {
        let pair = parse_query("a=b").next().unwrap().unwrap();
        assert!(matches!(pair.name, Cow::Borrowed("a")));
        assert!(matches!(pair.value, Cow::Borrowed("b")));
    }

    #[test]
    fn regression_plus_f_escape_is_refused_in_names_and_values() {
        for raw in ["a=%+F", "%+F=1", "a=%G0", "a=%4", "a=%"] {
            let err = parse_query(raw).next().unwrap().unwrap_err();
            assert_ne!(err.kind(), DecodeErrorKind::NotUtf8, "{raw}");
        }
        let message = format!("{}", parse_query("%+F=1").next().unwrap().unwrap_err());
        assert!(message.starts_with("query parameter \"%+F\" is malformed"));
    }

    #[test]
    fn redaction_keeps_everything_else() {
        assert_eq!(redact_query_values("", |_| true), "");
        assert_eq!(
            redact_query_values("a&&security-token&x=1", |n| n == "security-token"),
            "a&&security-token=<redacted>&x=1"
        );
        assert_eq!(
            redact_query_values("x-oss-security%2Dtoken=s", |n| n == "x-oss-security-token"),
            "x-oss-security%2Dtoken=<redacted>"
        );
    }

    proptest! {
        #[test]
        fn encoded_pairs_parse_back(pairs in prop::collection::vec((".+", ".*"), 0..6)) {
            let raw: Vec<String> = pairs
                .iter()
                .map(|(n, v)| format!("{}={}", uri_encode(n, false), uri_encode(v, false)))
                .collect();
            let raw = raw.join("&");
            let parsed: Vec<(String, String)> = parse_query(&raw)
                .map(|p| p.map(QueryPair::into_owned))
                .collect::<Result<_, _>>()
                .unwrap();
            prop_assert_eq!(parsed, pairs);
        }

        #[test]
        fn never_panics(raw in any::<String>()) {
            for pair in parse_query(&raw) {
                let _ = pair.map(|p| p.raw().len());
            }
            let _ = redact_query_values(&raw, |n| n.len() % 2 == 0);
        }
    }
}
