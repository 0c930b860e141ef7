//! [`CredentialsError`] and its [`ErrorKind`].
//!
//! Messages name the variable, file, profile or field that was wrong and what is allowed; they
//! never contain an access key secret, a security token, a request body or file contents.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

/// What went wrong while obtaining credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The provider does not apply here: variables unset, file absent, metadata service
    /// unreachable, provider disabled. A chain moves on to its next provider.
    NotLoaded,
    /// Configuration is present but wrong: a half-set variable pair, a bad file entry, an
    /// out-of-range option.
    InvalidConfig,
    /// A file or process could not be read.
    Io,
    /// The HTTP exchange failed (connection refused or reset, bad status without a service
    /// error body, body too large).
    Http,
    /// A request or process did not answer within its timeout.
    Timeout,
    /// The remote service answered with an error (STS error JSON, `Code` other than
    /// `Success`); see [`CredentialsError::service_code`].
    Service,
    /// A response, file or process output could not be parsed.
    Parse,
    /// An external credential process failed to start or exited unsuccessfully.
    Process,
    /// The credentials obtained (or cached) have expired.
    Expired,
    /// The configuration asks for something this build does not support (for example an
    /// HTTP-backed provider without the `http` feature, or a deprecated credential type).
    Unsupported,
    /// Every provider of a chain failed; see [`CredentialsError::attempts`].
    ChainExhausted,
}

impl ErrorKind {
    /// A short lower-case name for the kind, as used in conformance files.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotLoaded => "not_loaded",
            ErrorKind::InvalidConfig => "invalid_config",
            ErrorKind::Io => "io",
            ErrorKind::Http => "http",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Service => "service",
            ErrorKind::Parse => "parse",
            ErrorKind::Process => "process",
            ErrorKind::Expired => "expired",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::ChainExhausted => "chain_exhausted",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Details of an error answer from a remote credential service.
#[derive(Debug, Clone, Default)]
struct ServiceDetails {
    status: Option<u16>,
    code: Option<String>,
    request_id: Option<String>,
    recommend: Option<String>,
}

/// The error returned by every provider in this crate.
///
/// Opaque: inspect it with [`kind`](Self::kind) and the accessors. Its `Display` names the
/// provider and says what was wrong; it never contains secrets.
///
/// ```
/// use oss_credentials::{EnvProvider, Environment, ErrorKind};
///
/// let env = Environment::from_map([("OSS_ACCESS_KEY_ID", "LTAIexample")]);
/// let err = EnvProvider::with_environment(env).load().unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidConfig);
/// assert!(err.to_string().contains("OSS_ACCESS_KEY_SECRET"));
/// ```
pub struct CredentialsError {
    kind: ErrorKind,
    message: Cow<'static, str>,
    provider: Option<Cow<'static, str>>,
    service: Option<Box<ServiceDetails>>,
    attempts: Vec<CredentialsError>,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
    /// The peer could not be reached at all (connection refused, no route, connect timeout).
    unreachable: bool,
}

impl CredentialsError {
    /// Creates an error of `kind` with a message (which must not contain secrets).
    ///
    /// ```
    /// use oss_credentials::{CredentialsError, ErrorKind};
    /// let err = CredentialsError::new(ErrorKind::NotLoaded, "vault is not configured");
    /// assert_eq!(err.kind(), ErrorKind::NotLoaded);
    /// assert_eq!(err.to_string(), "vault is not configured");
    /// ```
    pub fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind,
            message: message.into(),
            provider: None,
            service: None,
            attempts: Vec::new(),
            source: None,
            unreachable: false,
        }
    }

    /// Marks the error as "nobody answered at that address".
    #[cfg_attr(not(feature = "http"), allow(dead_code))]
    pub(crate) fn mark_unreachable(mut self) -> Self {
        self.unreachable = true;
        self
    }

    /// Whether the error means nobody answered at that address.
    #[cfg_attr(not(feature = "http"), allow(dead_code))]
    pub(crate) fn is_unreachable(&self) -> bool {
        self.unreachable
    }

    /// Attaches the lower-level cause (shown by [`std::error::Error::source`]).
    #[must_use]
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// Records the name of the provider that failed, unless one is already recorded.
    #[must_use]
    pub fn with_provider(mut self, provider: impl Into<Cow<'static, str>>) -> Self {
        if self.provider.is_none() {
            self.provider = Some(provider.into());
        }
        self
    }

    /// Records that the failing provider sits inside `outer` (e.g. `profile_file` around
    /// `assume_role` gives `profile_file/assume_role`).
    pub(crate) fn within(mut self, outer: &str) -> Self {
        self.provider = Some(match self.provider.take() {
            Some(inner) if inner == outer || inner.starts_with(&format!("{outer}/")) => inner,
            Some(inner) => Cow::Owned(format!("{outer}/{inner}")),
            None => Cow::Owned(outer.to_owned()),
        });
        self
    }

    #[cfg_attr(not(feature = "http"), allow(dead_code))]
    pub(crate) fn service(
        status: Option<u16>,
        code: Option<String>,
        message: String,
        request_id: Option<String>,
        recommend: Option<String>,
    ) -> Self {
        let mut err = Self::new(ErrorKind::Service, message);
        err.service = Some(Box::new(ServiceDetails {
            status,
            code,
            request_id,
            recommend,
        }));
        err
    }

    #[cfg_attr(not(feature = "http"), allow(dead_code))]
    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.service
            .get_or_insert_with(Default::default)
            .status
            .replace(status);
        self
    }

    pub(crate) fn chain(message: impl Into<Cow<'static, str>>, attempts: Vec<Self>) -> Self {
        let mut err = Self::new(ErrorKind::ChainExhausted, message);
        err.attempts = attempts;
        err
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The name of the provider that failed, when known.
    pub fn provider(&self) -> Option<&str> {
        self.provider.as_deref()
    }

    /// The message without the provider prefix.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status of the failed exchange, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        self.service.as_ref().and_then(|s| s.status)
    }

    /// The service's error code (e.g. `NoPermission`), for [`ErrorKind::Service`] errors.
    pub fn service_code(&self) -> Option<&str> {
        self.service.as_ref().and_then(|s| s.code.as_deref())
    }

    /// The service's request id, when it sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.service.as_ref().and_then(|s| s.request_id.as_deref())
    }

    /// The service's troubleshooting link (`Recommend`), when it sent one.
    pub fn recommend(&self) -> Option<&str> {
        self.service.as_ref().and_then(|s| s.recommend.as_deref())
    }

    /// For [`ErrorKind::ChainExhausted`]: the error of every provider tried, in order.
    pub fn attempts(&self) -> &[CredentialsError] {
        &self.attempts
    }

    /// Whether retrying later may succeed (timeouts, transport failures, 5xx, throttling,
    /// credentials that were already expired when received).
    pub fn is_transient(&self) -> bool {
        match self.kind {
            ErrorKind::Http => !self
                .http_status()
                .is_some_and(|s| (400..500).contains(&s) && s != 429),
            ErrorKind::Timeout | ErrorKind::Io | ErrorKind::Process | ErrorKind::Expired => true,
            ErrorKind::Service => {
                self.http_status().is_some_and(|s| s >= 500)
                    || self
                        .service_code()
                        .is_some_and(|c| c.starts_with("Throttling"))
            }
            _ => false,
        }
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(provider) = &self.provider {
            write!(f, "{provider}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(service) = &self.service {
            if let Some(code) = &service.code {
                write!(f, " (code {code}")?;
                if let Some(status) = service.status {
                    write!(f, ", HTTP {status}")?;
                }
                if let Some(id) = &service.request_id {
                    write!(f, ", request id {id}")?;
                }
                f.write_str(")")?;
            } else if let Some(status) = service.status {
                write!(f, " (HTTP {status})")?;
            }
        }
        if !self.attempts.is_empty() {
            f.write_str(": [")?;
            for (index, attempt) in self.attempts.iter().enumerate() {
                if index > 0 {
                    f.write_str("; ")?;
                }
                write!(f, "{attempt}")?;
            }
            f.write_str("]")?;
        }
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("CredentialsError");
        s.field("kind", &self.kind)
            .field("provider", &self.provider)
            .field("message", &self.message);
        if let Some(service) = &self.service {
            s.field("service", service);
        }
        if !self.attempts.is_empty() {
            s.field("attempts", &self.attempts);
        }
        if let Some(source) = &self.source {
            s.field("source", source);
        }
        s.finish()
    }
}

impl StdError for CredentialsError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn StdError + 'static))
    }
}

/// The `items` joined by `separator` for a message, or `empty` when there are none (what a
/// chain tried, which variables were looked for).
pub(crate) fn join_or<S: AsRef<str>>(items: &[S], separator: &str, empty: &str) -> String {
    if items.is_empty() {
        empty.to_owned()
    } else {
        items
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<&str>>()
            .join(separator)
    }
}
