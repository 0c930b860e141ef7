//! What presign and POST-policy options share: the client configuration they name, the
//! signing instant and the expiry, read from JSON with errors worded like the native crate's
//! (`KIND: message`).

use std::time::{Duration, UNIX_EPOCH};

use crate::json::{text, Fields, Value};
pub(crate) use crate::refusal::Refusal;
use oss_client::credentials::Credentials;
use oss_client::{ConfigBuilder, ErrorKind, PresignOptions, SignatureVersion, SigningTime};

/// The configuration part of the options: everything that decides the client, so that equal
/// values can share one client (and its cached signing key).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ClientSettings {
    pub(crate) region: Option<String>,
    pub(crate) endpoint: Option<String>,
    pub(crate) path_style: bool,
    pub(crate) cname: bool,
    pub(crate) internal_endpoint: bool,
    pub(crate) accelerate_endpoint: bool,
    pub(crate) dualstack_endpoint: bool,
    pub(crate) disable_ssl: bool,
    pub(crate) signature_version: Option<String>,
    pub(crate) additional_headers: Vec<String>,
}

/// The credential options `presign()` and `presignPost()` share: `accessKeyId`,
/// `accessKeySecret` and `securityToken`. Its `Debug` shows neither the secret nor the token.
#[derive(Default)]
pub(crate) struct Keys {
    access_key_id: String,
    access_key_secret: String,
    security_token: Option<String>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl Keys {
    /// Reads the credential options, in the order above (which decides the first refusal).
    pub(crate) fn read(f: &mut Fields) -> Result<Self, Refusal> {
        Ok(Self {
            access_key_id: f.string("accessKeyId")?,
            access_key_secret: f.string("accessKeySecret")?,
            security_token: f.opt_string("securityToken")?,
        })
    }

    /// The credentials these options name, refused with the native wording when unusable.
    pub(crate) fn credentials(&self) -> Result<Credentials, Refusal> {
        let credentials =
            Credentials::new(&self.access_key_id, &self.access_key_secret).map_err(|e| {
                Refusal::new(
                    ErrorKind::Credentials,
                    format!("the credentials are unusable: {e}"),
                )
            })?;
        Ok(match self.security_token.as_deref() {
            Some(token) => credentials.with_security_token(token),
            None => credentials,
        })
    }
}

/// An option-name list (`&[&str]`): the names before `;`, then the endpoint names
/// [`ClientSettings::read_endpoint`] reads (in its order), then the names after `;`. Both
/// `presign()` and `presignPost()` build their list with it, so the endpoint names stand once.
macro_rules! option_names {
    ($($head:literal),+ ; $($tail:literal),* $(,)?) => {
        &[
            $($head,)+
            "endpoint",
            "pathStyle",
            "cname",
            "internalEndpoint",
            "accelerateEndpoint",
            "dualstackEndpoint",
            "disableSsl",
            $($tail),*
        ]
    };
}
pub(crate) use option_names;

impl ClientSettings {
    /// Reads the endpoint options (`endpoint`, `pathStyle`, `cname`, `internalEndpoint`,
    /// `accelerateEndpoint`, `dualstackEndpoint`, `disableSsl`, in this order) that
    /// `presign()` and `presignPost()` share; `region` is read by the caller, and the signature
    /// version and additional headers are left unset.
    pub(crate) fn read_endpoint(f: &mut Fields, region: Option<String>) -> Result<Self, Refusal> {
        Ok(Self {
            region,
            endpoint: f.opt_string("endpoint")?,
            path_style: f.flag("pathStyle")?,
            cname: f.flag("cname")?,
            internal_endpoint: f.flag("internalEndpoint")?,
            accelerate_endpoint: f.flag("accelerateEndpoint")?,
            dualstack_endpoint: f.flag("dualstackEndpoint")?,
            disable_ssl: f.flag("disableSsl")?,
            signature_version: None,
            additional_headers: Vec::new(),
        })
    }

    /// The builder these settings describe (no credentials, no clock yet).
    pub(crate) fn builder(&self) -> Result<ConfigBuilder, Refusal> {
        let version = match self.signature_version.as_deref() {
            None | Some("v4") => SignatureVersion::V4,
            Some("v1") => SignatureVersion::V1,
            Some(other) => {
                return Err(Refusal::new(
                    ErrorKind::InvalidConfig,
                    format!("signatureVersion {other:?} is not supported; use \"v4\" or \"v1\""),
                ))
            }
        };
        let mut builder = oss_client::Config::builder()
            .signature_version(version)
            .use_path_style(self.path_style)
            .use_cname(self.cname)
            .use_internal_endpoint(self.internal_endpoint)
            .use_accelerate_endpoint(self.accelerate_endpoint)
            .use_dualstack_endpoint(self.dualstack_endpoint)
            .disable_ssl(self.disable_ssl)
            .additional_headers(self.additional_headers.iter().cloned());
        if let Some(region) = &self.region {
            builder = builder.region(region.as_str());
        }
        if let Some(endpoint) = &self.endpoint {
            builder = builder.endpoint(endpoint.as_str());
        }
        Ok(builder)
    }
}

/// The signing instant: Unix seconds, or `YYYY-MM-DDTHH:MM:SSZ`. Required: the module has no
/// clock (the JavaScript wrapper passes the host's time when the caller gives none).
pub(crate) fn signing_time(value: Option<&Value>) -> Result<SigningTime, Refusal> {
    let value = value.ok_or_else(|| {
        Refusal::new(
            ErrorKind::InvalidConfig,
            "signingTime is missing: the WebAssembly module has no clock; pass the instant (a Date, Unix seconds or YYYY-MM-DDTHH:MM:SSZ)",
        )
    })?;
    instant(value, "signingTime").and_then(|seconds| {
        SigningTime::from_unix_seconds(seconds).map_err(|e| {
            Refusal::new(
                ErrorKind::InvalidRequest,
                format!("signingTime {seconds} is out of range: {e}"),
            )
        })
    })
}

/// Unix seconds from a number or an RFC 3339 `YYYY-MM-DDTHH:MM:SSZ` text.
fn instant(value: &Value, field: &str) -> Result<i64, Refusal> {
    match value {
        Value::Int(n) => Ok(*n),
        Value::Number(n) => Err(Refusal::new(
            ErrorKind::InvalidRequest,
            format!("{field} {n} is not a whole number of Unix seconds"),
        )),
        Value::Str(text) => SigningTime::parse_rfc3339(text)
            .map(SigningTime::unix_seconds)
            .map_err(|e| {
                Refusal::new(
                    ErrorKind::InvalidRequest,
                    format!("{field} {text:?} is not YYYY-MM-DDTHH:MM:SSZ: {e}"),
                )
            }),
        other => Err(Refusal::new(
            ErrorKind::InvalidRequest,
            format!(
                "{field} must be a Date, Unix seconds or YYYY-MM-DDTHH:MM:SSZ, not {}",
                text(other)
            ),
        )),
    }
}

/// `expires` (seconds from the signing instant) and `expiration` (an absolute instant, which
/// wins), as the native [`PresignOptions`].
pub(crate) fn presign_options(
    expires: Option<&Value>,
    expiration: Option<&Value>,
) -> Result<PresignOptions, Refusal> {
    let mut options = PresignOptions::new();
    if let Some(value) = expires {
        let seconds = match value {
            Value::Int(n) => *n,
            Value::Number(n) => {
                return Err(Refusal::new(
                    ErrorKind::InvalidExpiry,
                    format!("expires {n} is not a whole number of seconds"),
                ))
            }
            other => {
                return Err(Refusal::new(
                    ErrorKind::InvalidExpiry,
                    format!("expires must be a number of seconds, not {}", text(other)),
                ))
            }
        };
        if seconds < 0 {
            return Err(Refusal::new(
                ErrorKind::InvalidExpiry,
                format!("expires {seconds} is negative; a validity is 0 or more seconds"),
            ));
        }
        options = options.expires(Duration::from_secs(seconds.unsigned_abs()));
    }
    if let Some(value) = expiration {
        let seconds = instant(value, "expiration")?;
        let at = u64::try_from(seconds)
            .ok()
            .and_then(|s| UNIX_EPOCH.checked_add(Duration::from_secs(s)))
            .ok_or_else(|| {
                Refusal::new(
                    ErrorKind::InvalidExpiry,
                    format!("expiration {seconds} is before 1970 or out of range; it must not be in the past"),
                )
            })?;
        options = options.expiration(at);
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::Keys;

    #[test]
    fn keys_debug_hides_the_secret_and_the_token() {
        let keys = Keys {
            access_key_id: "LTAIexample".into(),
            access_key_secret: "s3cr3t-value".into(),
            security_token: Some("t0ken-value".into()),
        };
        let shown = format!("{keys:?}");
        assert!(shown.contains("LTAIexample"), "{shown}");
        assert!(!shown.contains("s3cr3t-value"), "{shown}");
        assert!(!shown.contains("t0ken-value"), "{shown}");
        let without = format!("{:?}", Keys::default());
        assert!(without.contains("security_token: None"), "{without}");
    }
}
