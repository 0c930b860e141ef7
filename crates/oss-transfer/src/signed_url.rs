//! What downloads ([`PresignedGet`](crate::PresignedGet)) and uploads
//! ([`PresignedRequest`](crate::PresignedRequest)) send alike: a checked absolute URL and the
//! headers signed with it, with what is read from the URL (when it expires, what identifies
//! the object for checkpoints) and its form for messages and `Debug` (credentials hidden).

use std::time::{Duration, SystemTime};

use http::{HeaderMap, HeaderName, HeaderValue, Uri};
use oss_sign_core::query::{redact_query_values, AUTH_QUERY_PARAMS};

/// A presigned URL (absolute, `http` or `https`, with a host) and the headers to send with it.
#[derive(Clone)]
pub(crate) struct SignedUrl {
    pub(crate) uri: Uri,
    pub(crate) headers: HeaderMap,
}

impl SignedUrl {
    /// Parses `url` (surrounding white space ignored); the error says what is wrong with it.
    pub(crate) fn parse(url: &str) -> Result<Self, String> {
        let uri: Uri = url
            .trim()
            .parse()
            .map_err(|e| format!("not a valid URL: {e}"))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) {
            return Err("the URL must be absolute and use http:// or https://".to_string());
        }
        if uri.host().is_none_or(str::is_empty) {
            return Err("the URL has no host".to_string());
        }
        Ok(Self {
            uri,
            headers: HeaderMap::new(),
        })
    }

    /// Adds a header to send; the names in `managed` are set by the `who` ("downloader",
    /// "uploader") and refused. The error says what is wrong.
    pub(crate) fn add_header(
        &mut self,
        name: &str,
        value: &str,
        managed: &[&str],
        who: &str,
    ) -> Result<(), String> {
        let n = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("invalid header name {name:?}"))?;
        if managed.contains(&n.as_str()) {
            return Err(format!(
                "header {n} is set by the {who} and cannot be given"
            ));
        }
        let v = HeaderValue::from_str(value).map_err(|_| {
            format!("invalid value for header {n} (control characters are not allowed)")
        })?;
        self.headers.append(n, v);
        Ok(())
    }

    /// When the URL stops being valid: `x-oss-date` + `x-oss-expires` for V4, `Expires` for V1.
    pub(crate) fn expires_at(&self) -> Option<SystemTime> {
        expiry_of(&self.uri)
    }

    /// The URL without its signature parameters: what identifies the object for checkpoints.
    pub(crate) fn identity(&self) -> String {
        identity_of(&self.uri)
    }

    /// `METHOD scheme://host/path` without the query, for messages.
    pub(crate) fn display_target(&self, method: &str) -> String {
        format!("{method} {}", without_query(&self.uri, "https"))
    }

    /// Adds the `url` (credential values hidden) and the `headers` (names only) to a `Debug`.
    pub(crate) fn debug_fields(&self, f: &mut std::fmt::DebugStruct<'_, '_>) {
        f.field("url", &redacted_url(&self.uri))
            .field("headers", &self.headers.keys().collect::<Vec<_>>());
    }
}

/// When a presigned URL stops being valid: `x-oss-date` + `x-oss-expires` for V4, `Expires`
/// for V1.
fn expiry_of(uri: &Uri) -> Option<SystemTime> {
    let q = uri.query()?;
    let get = |name: &str| {
        q.split('&').find_map(|p| {
            let (n, v) = p.split_once('=')?;
            n.eq_ignore_ascii_case(name).then_some(v)
        })
    };
    if let (Some(date), Some(exp)) = (get("x-oss-date"), get("x-oss-expires")) {
        let t = chrono::NaiveDateTime::parse_from_str(date, "%Y%m%dT%H%M%SZ").ok()?;
        let secs: u64 = exp.parse().ok()?;
        let start: SystemTime = t.and_utc().into();
        return start.checked_add(Duration::from_secs(secs));
    }
    let secs: u64 = get("Expires")?.parse().ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// A presigned URL without its signature parameters: what identifies the object (and its
/// other query parameters) for checkpoints.
fn identity_of(uri: &Uri) -> String {
    let mut s = without_query(uri, "https");
    let kept: Vec<&str> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| {
            let name = p.split('=').next().unwrap_or("");
            // The signature parameters (any case) are left out of the object's identity so a
            // re-presigned URL for the same object resumes the same checkpoint.
            !p.is_empty()
                && !AUTH_QUERY_PARAMS
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(name))
        })
        .collect();
    if !kept.is_empty() {
        s.push('?');
        s.push_str(&kept.join("&"));
    }
    s
}

/// Query parameters whose values are credentials, hidden by `Debug`.
const SECRET_PARAMS: [&str; 4] = [
    "x-oss-signature",
    "x-oss-security-token",
    "signature",
    "security-token",
];

fn redacted_url(uri: &Uri) -> String {
    let mut s = without_query(uri, "");
    if let Some(q) = uri.query() {
        s.push('?');
        s.push_str(&redact_query_values(q, |name| {
            SECRET_PARAMS.iter().any(|a| a.eq_ignore_ascii_case(name))
        }));
    }
    s
}

/// `scheme://authority/path` of `uri` (`default_scheme` when it has none), without the query.
fn without_query(uri: &Uri, default_scheme: &str) -> String {
    format!(
        "{}://{}{}",
        uri.scheme_str().unwrap_or(default_scheme),
        uri.authority().map(|a| a.as_str()).unwrap_or(""),
        uri.path()
    )
}
