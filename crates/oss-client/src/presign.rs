//! Presign options (expiry) and the presign result.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use oss_sign_core::SigningTime;

use crate::config::SignatureVersion;
use crate::error::{Error, ErrorKind};

/// Default validity of a presigned URL: 15 minutes, as in the official SDKs.
pub const DEFAULT_EXPIRES: Duration = Duration::from_secs(900);
/// Longest validity of a V4 presigned URL: 7 days (604800 seconds).
pub const MAX_V4_EXPIRES_SECONDS: i64 = 604_800;

/// How long a presigned URL stays valid.
///
/// Give a duration ([`expires`](Self::expires)) or an absolute instant
/// ([`expiration`](Self::expiration)); the absolute instant wins when both are set. Neither:
/// 15 minutes. A V4 URL may be valid for at most 604800 seconds (7 days), counted from the
/// signing instant; a longer expiry is an error, checked before anything is signed.
///
/// ```
/// use std::time::Duration;
/// use oss_client::PresignOptions;
///
/// let one_hour = PresignOptions::new().expires(Duration::from_secs(3600));
/// assert_eq!(one_hour.expires_duration(), Some(Duration::from_secs(3600)));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PresignOptions {
    expires: Option<Duration>,
    expiration: Option<SystemTime>,
}

impl PresignOptions {
    /// Options with the default expiry (15 minutes).
    ///
    /// ```
    /// assert_eq!(oss_client::PresignOptions::new(), Default::default());
    /// ```
    pub const fn new() -> Self {
        Self {
            expires: None,
            expiration: None,
        }
    }

    /// Valid for `duration` from the signing instant (whole seconds; fractions are dropped).
    ///
    /// ```
    /// use std::time::Duration;
    /// let o = oss_client::PresignOptions::new().expires(Duration::from_millis(60_900));
    /// assert_eq!(o.expires_duration(), Some(Duration::from_millis(60_900)));
    /// # use oss_client::{Client, Config, FixedClock, GetObjectRequest, SigningTime};
    /// # let at = SigningTime::from_unix_seconds(1_700_000_000)?;
    /// # let client = Client::new(Config::builder().region("cn-hangzhou").clock(FixedClock::new(at))
    /// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
    /// let url = client.presign_with(&GetObjectRequest::new("examplebucket", "k"), &o)?;
    /// assert!(url.url().contains("x-oss-expires=60&")); // the fraction dropped
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn expires(mut self, duration: Duration) -> Self {
        self.expires = Some(duration);
        self
    }

    /// Valid until `at` (whole seconds; fractions are dropped). Wins over
    /// [`expires`](Self::expires).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// let until = UNIX_EPOCH + Duration::from_secs(1_700_000_600);
    /// let o = oss_client::PresignOptions::new().expires(Duration::from_secs(60)).expiration(until);
    /// assert_eq!(o.expiration_time(), Some(until));
    /// # use oss_client::{Client, Config, FixedClock, GetObjectRequest, SigningTime};
    /// # let at = SigningTime::from_unix_seconds(1_700_000_000)?;
    /// # let client = Client::new(Config::builder().region("cn-hangzhou").clock(FixedClock::new(at))
    /// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
    /// let result = client.presign_with(&GetObjectRequest::new("examplebucket", "k"), &o)?;
    /// assert_eq!(result.expiration().unix_seconds(), 1_700_000_600); // wins over `expires`
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn expiration(mut self, at: SystemTime) -> Self {
        self.expiration = Some(at);
        self
    }

    /// The duration set with [`expires`](Self::expires), if any.
    ///
    /// ```
    /// assert_eq!(oss_client::PresignOptions::new().expires_duration(), None);
    /// ```
    pub fn expires_duration(&self) -> Option<std::time::Duration> {
        self.expires
    }

    /// The instant set with [`expiration`](Self::expiration), if any.
    ///
    /// ```
    /// assert_eq!(oss_client::PresignOptions::new().expiration_time(), None);
    /// ```
    pub fn expiration_time(&self) -> Option<SystemTime> {
        self.expiration
    }

    /// Seconds of validity from `now`, checked for `version`. The errors are written out of
    /// line ([`validity_error`](Self::validity_error)), so the usual call is a few compares.
    #[inline]
    pub(crate) fn validity_seconds(
        &self,
        now: SigningTime,
        version: SignatureVersion,
    ) -> Result<i64, Error> {
        let seconds = match self.expiration {
            Some(at) => unix_seconds(at).saturating_sub(now.unix_seconds()),
            None => {
                let d = self.expires.unwrap_or(DEFAULT_EXPIRES);
                i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
            }
        };
        // The end after the last signing instant is `now.checked_add_seconds(seconds)`
        // failing, answered here by one compare instead of a call into oss-sign-core
        // (`seconds` is not negative there, so the subtraction cannot overflow).
        if seconds < 0
            || (version == SignatureVersion::V4 && seconds > MAX_V4_EXPIRES_SECONDS)
            || now.unix_seconds() > LAST_SIGNING_SECOND - seconds
        {
            return Err(self.validity_error(now, version, seconds));
        }
        Ok(seconds)
    }

    /// The error of a validity [`validity_seconds`](Self::validity_seconds) refuses: the first
    /// rule it breaks, in the order past, longer than 7 days (V4), after the year 9999.
    #[cold]
    #[inline(never)]
    fn validity_error(&self, now: SigningTime, version: SignatureVersion, seconds: i64) -> Error {
        let field = if self.expiration.is_some() {
            "expiration"
        } else {
            "expires"
        };
        if seconds < 0 {
            return Error::new(
                ErrorKind::InvalidExpiry,
                "expiration",
                format!(
                    "expiration is {} seconds before the signing time {}; it must not be in the past",
                    seconds.unsigned_abs(),
                    now.to_rfc3339()
                ),
            );
        }
        if version == SignatureVersion::V4 && seconds > MAX_V4_EXPIRES_SECONDS {
            return Error::new(
                ErrorKind::InvalidExpiry,
                field,
                format!(
                    "{field} gives {seconds} seconds of validity; a V4 presigned URL is valid for at most {MAX_V4_EXPIRES_SECONDS} seconds (7 days) (expires should be not greater than 604800(seven days))"
                ),
            );
        }
        Error::new(
            ErrorKind::InvalidExpiry,
            field,
            format!(
                "{field} gives {seconds} seconds of validity, which ends after the year 9999; use a shorter expiry"
            ),
        )
    }
}

/// The last instant a [`SigningTime`] holds, 9999-12-31T23:59:59Z, in seconds since 1970.
const LAST_SIGNING_SECOND: i64 = 253_402_300_799;

/// `at` in whole seconds since 1970 (negative before; saturated far out).
fn unix_seconds(at: SystemTime) -> i64 {
    match at.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// A presigned request: what to send, where, until when, and with which headers.
///
/// ```
/// use oss_client::{Client, Config, FixedClock, GetObjectRequest, SigningTime};
/// use oss_credentials::Credentials;
///
/// let client = Client::new(
///     Config::builder()
///         .region("cn-hangzhou")
///         .credentials(Credentials::new("LTAI5tExampleAccessKeyId", "ExampleAccessKeySecret0123456789abcd")?)
///         .clock(FixedClock::new(SigningTime::parse_rfc3339("2024-11-12T09:27:56Z")?))
///         .build()?,
/// );
/// let result = client.presign(&GetObjectRequest::new("examplebucket", "exampleobject.txt"))?;
/// assert_eq!(result.method(), "GET");
/// assert_eq!(result.expiration().to_rfc3339(), "2024-11-12T09:42:56Z");
/// assert!(result.url().starts_with("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/exampleobject.txt?"));
/// assert!(result.signed_headers().is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PresignResult {
    pub(crate) method: std::borrow::Cow<'static, str>,
    /// The URL, then the signed headers, then the unsigned ones, as `name:value\n` each (one
    /// buffer: names are HTTP tokens, so `:` cannot occur inside them, and values hold no
    /// control characters, so `\n` cannot occur inside either). The signed part has the form of
    /// the canonical request's header lines, so it is often copied from there in one piece.
    pub(crate) text: String,
    pub(crate) url_end: usize,
    pub(crate) signed_end: usize,
    pub(crate) signed_count: usize,
    pub(crate) unsigned_count: usize,
    pub(crate) expiration: SigningTime,
    /// When the signing credentials expire (STS tokens), if known.
    pub(crate) credentials_expiration: Option<SigningTime>,
}

impl std::fmt::Debug for PresignResult {
    /// Shows everything but the STS token, which is replaced by `<redacted>` in the URL.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PresignResult")
            .field("method", &self.method)
            .field("url", &redact_url_token(self.url()))
            .field("expiration", &self.expiration)
            .field("signed_headers", &self.signed_headers())
            .field("unsigned_headers", &self.unsigned_headers())
            .field("credentials_expiration", &self.credentials_expiration)
            .finish()
    }
}

/// Headers of a [`PresignResult`], borrowed from it: an iterator of `(name, value)` pairs
/// that knows its length (no copy, no allocation).
///
/// Returned by [`PresignResult::signed_headers`] and [`PresignResult::unsigned_headers`].
///
/// ```
/// # use oss_client::{Client, Config, ObjectRequest};
/// # use oss_credentials::Credentials;
/// # let client = Client::new(Config::builder().region("cn-hangzhou")
/// #     .credentials(Credentials::new("id", "secret")?).build()?);
/// let mut put = ObjectRequest::new("PUT", "examplebucket", "k");
/// put.headers = vec![
///     ("Content-Type".to_string(), "text/plain".to_string()),
///     ("Content-Length".to_string(), "5".to_string()),
/// ];
/// let result = client.presign(&put)?;
/// let signed = result.signed_headers();
/// assert_eq!(signed.len(), 1);
/// assert!(signed.eq([("content-type", "text/plain")]));
/// let owned: Vec<(String, String)> = result
///     .unsigned_headers()
///     .map(|(name, value)| (name.to_owned(), value.to_owned()))
///     .collect();
/// assert_eq!(owned, [("Content-Length".to_string(), "5".to_string())]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct ResultHeaders<'a> {
    pub(crate) rest: &'a str,
    pub(crate) left: usize,
}

impl ResultHeaders<'_> {
    /// Whether no header is left (for a fresh list: whether there is none).
    ///
    /// ```
    /// # use oss_client::{Client, Config, GetObjectRequest};
    /// # use oss_credentials::Credentials;
    /// # let client = Client::new(Config::builder().region("cn-hangzhou")
    /// #     .credentials(Credentials::new("id", "secret")?).build()?);
    /// let result = client.presign(&GetObjectRequest::new("examplebucket", "k"))?;
    /// assert!(result.signed_headers().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.left == 0
    }
}

impl<'a> Iterator for ResultHeaders<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let (name, rest) = split_at_byte(self.rest, b':');
        let (value, rest) = split_at_byte(rest, b'\n');
        self.rest = rest;
        Some((name, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for ResultHeaders<'_> {}

/// `text` split at its first `byte` (an ASCII one, dropped), or all of it. A plain byte loop:
/// names and values are short, where a `memchr` call costs more than it saves.
fn split_at_byte(text: &str, byte: u8) -> (&str, &str) {
    match text.bytes().position(|b| b == byte) {
        Some(at) => (
            text.get(..at).unwrap_or(""),
            text.get(at + 1..).unwrap_or(""),
        ),
        None => (text, ""),
    }
}

impl std::iter::FusedIterator for ResultHeaders<'_> {}

impl std::fmt::Debug for ResultHeaders<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// `url` with the value of its `x-oss-security-token` / `security-token` parameter replaced by
/// `<redacted>`, for `Debug` output.
pub(crate) fn redact_url_token(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let query = oss_sign_core::query::redact_query_values(query, |name| {
        name == "x-oss-security-token" || name == "security-token"
    });
    format!("{base}?{query}")
}

impl PresignResult {
    /// The HTTP method the URL is signed for (upper case).
    ///
    /// See the [type-level example](PresignResult).
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The presigned URL. Use it as is: re-encoding or re-ordering it breaks the signature.
    ///
    /// See the [type-level example](PresignResult).
    #[inline]
    pub fn url(&self) -> &str {
        self.text.get(..self.url_end).unwrap_or("")
    }

    /// The URL, consuming the result.
    ///
    /// ```
    /// # use oss_client::{Client, Config, GetObjectRequest};
    /// # use oss_credentials::Credentials;
    /// # let client = Client::new(Config::builder().region("cn-hangzhou")
    /// #     .credentials(Credentials::new("id", "secret")?).build()?);
    /// let url: String = client.presign(&GetObjectRequest::new("examplebucket", "k"))?.into_url();
    /// assert!(url.starts_with("https://"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_url(self) -> String {
        let mut text = self.text;
        text.truncate(self.url_end);
        text
    }

    /// When the URL stops being valid (V4: `x-oss-date` + `x-oss-expires`; V1: `Expires`).
    ///
    /// See the [type-level example](PresignResult).
    pub fn expiration(&self) -> SigningTime {
        self.expiration
    }

    /// [`expiration`](Self::expiration) as a [`SystemTime`].
    ///
    /// ```
    /// # use oss_client::{Client, Config, GetObjectRequest};
    /// # use oss_credentials::Credentials;
    /// # let client = Client::new(Config::builder().region("cn-hangzhou")
    /// #     .credentials(Credentials::new("id", "secret")?).build()?);
    /// let result = client.presign(&GetObjectRequest::new("examplebucket", "k"))?;
    /// assert!(result.expiration_system_time() > std::time::SystemTime::now());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expiration_system_time(&self) -> SystemTime {
        // Signing times are never before 1970.
        UNIX_EPOCH + Duration::from_secs(self.expiration.unix_seconds().unsigned_abs())
    }

    /// When the credentials that signed the URL expire, if they have an expiry (STS
    /// tokens); `None` for long-term AccessKey pairs.
    ///
    /// OSS checks the security token carried by the URL on every request, so a URL signed
    /// with temporary credentials stops working when they expire, whatever its own
    /// expiration says.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use oss_client::{Client, Config, GetObjectRequest, PresignOptions};
    /// use oss_credentials::Credentials;
    ///
    /// let client = Client::new(Config::builder().region("cn-hangzhou").build()?);
    /// let in_one_hour = SystemTime::now() + Duration::from_secs(3600);
    /// let sts = Credentials::new("STS.example", "secret")?
    ///     .with_security_token("token")
    ///     .with_expiration(in_one_hour);
    /// let week = PresignOptions::new().expires(Duration::from_secs(7 * 86_400));
    /// let result = client.presign_with_credentials(&GetObjectRequest::new("examplebucket", "k"), &week, &sts)?;
    /// assert!(result.outlives_credentials());
    /// assert_eq!(result.credentials_expiration(), Some(result.effective_expiration()));
    /// assert!(result.effective_expiration() < result.expiration());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn credentials_expiration(&self) -> Option<SigningTime> {
        self.credentials_expiration
    }

    /// Whether the URL's expiration is later than its credentials' expiration, i.e. the URL
    /// will stop working before the instant it was signed for (see
    /// [`effective_expiration`](Self::effective_expiration)).
    ///
    /// See [`credentials_expiration`](Self::credentials_expiration) for an example.
    pub fn outlives_credentials(&self) -> bool {
        self.credentials_expiration
            .is_some_and(|credentials| credentials < self.expiration)
    }

    /// The instant the URL really stops working: the earlier of its expiration and its
    /// credentials' expiration.
    ///
    /// See [`credentials_expiration`](Self::credentials_expiration) for an example.
    pub fn effective_expiration(&self) -> SigningTime {
        match self.credentials_expiration {
            Some(credentials) if credentials < self.expiration => credentials,
            _ => self.expiration,
        }
    }

    /// Every header the signature covers, as `(lower-case name, value as given)`, sorted by
    /// name: `x-oss-*`, `content-type`, `content-md5` and the configured additional headers.
    /// Whoever uses the URL must send exactly these headers with these values. The pairs are
    /// borrowed from the result (see [`ResultHeaders`]).
    ///
    /// ```
    /// # use oss_client::{Client, Config, PutObjectRequest};
    /// # use oss_credentials::Credentials;
    /// # let client = Client::new(Config::builder().region("cn-hangzhou")
    /// #     .credentials(Credentials::new("id", "secret")?).build()?);
    /// let put = PutObjectRequest::new("examplebucket", "k").content_type("text/plain");
    /// let result = client.presign(&put)?;
    /// assert!(result.signed_headers().eq([("content-type", "text/plain")]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn signed_headers(&self) -> ResultHeaders<'_> {
        ResultHeaders {
            rest: self.text.get(self.url_end..self.signed_end).unwrap_or(""),
            left: self.signed_count,
        }
    }

    /// The request's headers that the signature does not cover (`Range`, `If-Match`,
    /// `Content-Length`, ...), with their names as given, in request order. The URL works with
    /// or without them, but the request was described with them.
    ///
    /// ```
    /// # use oss_client::{Client, Config, GetObjectRequest};
    /// # use oss_credentials::Credentials;
    /// # let client = Client::new(Config::builder().region("cn-hangzhou")
    /// #     .credentials(Credentials::new("id", "secret")?).build()?);
    /// let get = GetObjectRequest::new("examplebucket", "k").range("bytes=0-99");
    /// let result = client.presign(&get)?;
    /// assert!(result.unsigned_headers().eq([("Range", "bytes=0-99")]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unsigned_headers(&self) -> ResultHeaders<'_> {
        ResultHeaders {
            rest: self.text.get(self.signed_end..).unwrap_or(""),
            left: self.unsigned_count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result_writer::ResultWriter;

    #[test]
    fn debug_urls_hide_the_token_however_its_name_is_spelled() {
        let url = "https://b.oss-cn-hangzhou.aliyuncs.com/k?versionId=v%2B1\
                   &x-oss-security-token=CAIS%2Babc&x%2Doss%2Dsecurity%2Dtoken=CAIS2&x-oss-signature=0f";
        assert_eq!(
            redact_url_token(url),
            "https://b.oss-cn-hangzhou.aliyuncs.com/k?versionId=v%2B1\
             &x-oss-security-token=<redacted>&x%2Doss%2Dsecurity%2Dtoken=<redacted>&x-oss-signature=0f"
        );
        let v1 = "https://b.example.com/k?OSSAccessKeyId=id&security-token=CAIS3&Signature=s";
        assert_eq!(
            redact_url_token(v1),
            "https://b.example.com/k?OSSAccessKeyId=id&security-token=<redacted>&Signature=s"
        );
        assert_eq!(
            redact_url_token("https://b.example.com/k"),
            "https://b.example.com/k"
        );
    }

    fn at(s: i64) -> SigningTime {
        SigningTime::from_unix_seconds(s).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The V4 validity `options` give at `now` (seconds since 1970), if valid.
    fn v4_seconds(options: PresignOptions, now: i64) -> Option<i64> {
        options.validity_seconds(at(now), SignatureVersion::V4).ok()
    }

    #[test]
    fn default_is_fifteen_minutes() {
        assert_eq!(v4_seconds(PresignOptions::new(), 1000), Some(900));
    }

    #[test]
    fn expiration_wins_over_duration() {
        let o = PresignOptions::new()
            .expires(Duration::from_secs(60))
            .expiration(UNIX_EPOCH + Duration::from_secs(1000 + 3600));
        assert_eq!(v4_seconds(o, 1000), Some(3600));
    }

    #[test]
    fn v4_maximum_is_inclusive() {
        let ok = PresignOptions::new().expires(Duration::from_secs(604_800));
        assert_eq!(v4_seconds(ok, 0), Some(604_800));
        let bad = PresignOptions::new().expires(Duration::from_secs(604_801));
        let err = bad
            .validity_seconds(at(0), SignatureVersion::V4)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidExpiry);
        assert_eq!(err.field(), Some("expires"));
        assert!(err.message().contains("604801 seconds"), "{err}");
        assert!(err.message().contains("at most 604800"), "{err}");
        // V1 has no maximum.
        assert_eq!(
            bad.validity_seconds(at(0), SignatureVersion::V1).ok(),
            Some(604_801)
        );
    }

    #[test]
    fn absolute_expiration_is_checked_against_the_signing_instant() {
        let now = at(1_700_000_000);
        let exactly = UNIX_EPOCH + Duration::from_secs(1_700_000_000 + 604_800);
        let o = PresignOptions::new().expiration(exactly);
        assert_eq!(
            o.validity_seconds(now, SignatureVersion::V4).ok(),
            Some(604_800)
        );
        let o = PresignOptions::new().expiration(exactly + Duration::from_secs(1));
        let err = o.validity_seconds(now, SignatureVersion::V4).unwrap_err();
        assert_eq!(err.field(), Some("expiration"));
    }

    #[test]
    fn past_expiration_and_year_10000_are_errors() {
        let o = PresignOptions::new().expiration(UNIX_EPOCH + Duration::from_secs(10));
        let err = o
            .validity_seconds(at(20), SignatureVersion::V1)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidExpiry);
        assert!(err.message().contains("10 seconds before"), "{err}");
        let o = PresignOptions::new().expires(Duration::from_secs(u64::MAX));
        let err = o
            .validity_seconds(at(20), SignatureVersion::V1)
            .unwrap_err();
        assert!(err.message().contains("9999"), "{err}");
    }

    fn result(expiration: i64, credentials: Option<i64>) -> PresignResult {
        ResultWriter::after_url(String::from("https://b.example/k?x-oss-security-token=T")).finish(
            "GET".into(),
            at(expiration),
            credentials.map(at),
        )
    }

    #[test]
    fn headers_live_in_the_url_buffer() {
        let mut writer = ResultWriter::after_url(String::from("https://b.example/k?q"));
        writer.signed_all([("content-type", "text/plain"), ("x-oss-meta-a", " 1 ")].into_iter());
        assert!(writer
            .signed_so_far()
            .eq([("content-type", "text/plain"), ("x-oss-meta-a", " 1 ")]));
        writer.unsigned("Range", "bytes=0-1");
        writer.unsigned("If-Match", "");
        let result = writer.finish("PUT".into(), at(5), None);
        assert_eq!(result.url(), "https://b.example/k?q");
        assert_eq!(result.signed_headers().len(), 2);
        assert!(result
            .signed_headers()
            .eq([("content-type", "text/plain"), ("x-oss-meta-a", " 1 ")]));
        assert!(result
            .unsigned_headers()
            .eq([("Range", "bytes=0-1"), ("If-Match", "")]));
        let shown = format!("{result:?}");
        assert!(
            shown.contains(
                r#"signed_headers: [("content-type", "text/plain"), ("x-oss-meta-a", " 1 ")]"#
            ),
            "{shown}"
        );
        assert_eq!(result.clone().into_url(), "https://b.example/k?q");
        let empty = ResultWriter::after_url(String::from("u")).finish("GET".into(), at(5), None);
        assert_eq!(empty.signed_headers().len(), 0);
        assert_eq!(empty.unsigned_headers().next(), None);
    }

    #[test]
    fn a_url_outlives_its_credentials_only_when_they_expire_first() {
        let long_term = result(5000, None);
        assert!(!long_term.outlives_credentials());
        assert_eq!(long_term.effective_expiration(), at(5000));
        let same = result(5000, Some(5000));
        assert!(!same.outlives_credentials());
        assert_eq!(same.effective_expiration(), at(5000));
        let later = result(5000, Some(9000));
        assert!(!later.outlives_credentials());
        assert_eq!(later.effective_expiration(), at(5000));
        let sooner = result(5000, Some(4999));
        assert!(sooner.outlives_credentials());
        assert_eq!(sooner.effective_expiration(), at(4999));
        assert!(!format!("{sooner:?}").contains("=T"));
    }

    /// The bound `validity_seconds` compares with is the one of `SigningTime`, so it refuses
    /// exactly what `checked_add_seconds` refuses.
    #[test]
    fn the_year_9999_bound_is_the_signing_times_one() {
        assert!(SigningTime::from_unix_seconds(LAST_SIGNING_SECOND).is_ok());
        assert!(SigningTime::from_unix_seconds(LAST_SIGNING_SECOND + 1).is_err());
        for (now, seconds) in [
            (0, LAST_SIGNING_SECOND),
            (0, LAST_SIGNING_SECOND + 1),
            (LAST_SIGNING_SECOND, 0),
            (LAST_SIGNING_SECOND, 1),
            (LAST_SIGNING_SECOND - 900, 900),
            (LAST_SIGNING_SECOND - 899, 900),
            (1_700_000_000, i64::MAX),
        ] {
            let options =
                PresignOptions::new().expires(Duration::from_secs(seconds.unsigned_abs()));
            assert_eq!(
                options
                    .validity_seconds(at(now), SignatureVersion::V1)
                    .is_ok(),
                at(now).checked_add_seconds(seconds).is_some(),
                "{now} + {seconds}"
            );
        }
    }

    #[test]
    fn new_is_the_default() {
        const NEW: PresignOptions = PresignOptions::new();
        assert_eq!(NEW, PresignOptions::default());
    }

    #[test]
    fn fractions_are_dropped() {
        let o = PresignOptions::new().expires(Duration::from_millis(1999));
        assert_eq!(v4_seconds(o, 0), Some(1));
    }
}
