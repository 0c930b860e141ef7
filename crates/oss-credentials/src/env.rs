//! [`Environment`] (where variables and the home directory come from) and [`EnvProvider`].

use crate::credentials::Credentials;
use crate::error::{join_or, CredentialsError, ErrorKind};
use crate::provider::{CredentialsFuture, ProvideCredentials};
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// Where providers read environment variables and the home directory from.
///
/// [`Environment::process`] reads the real process environment on every lookup; tests and
/// embedders inject a fixed map with [`Environment::from_map`] instead of calling
/// `std::env::set_var`. A variable set to the empty string counts as unset.
///
/// `Debug` prints variable names only, never values.
///
/// ```
/// use oss_credentials::Environment;
///
/// let env = Environment::from_map([("OSS_ACCESS_KEY_ID", "LTAIexample"), ("EMPTY", "")])
///     .with_home_dir("/home/ci");
/// assert_eq!(env.get("OSS_ACCESS_KEY_ID").as_deref(), Some("LTAIexample"));
/// assert_eq!(env.get("EMPTY"), None);
/// assert_eq!(env.home_dir(), Some("/home/ci".into()));
/// ```
#[derive(Clone, Default)]
pub struct Environment {
    vars: Option<Arc<HashMap<String, String>>>,
    home: Option<PathBuf>,
}

impl Environment {
    /// The real process environment, read at each lookup.
    pub fn process() -> Self {
        Self::default()
    }

    /// A fixed set of variables; nothing is read from the process.
    ///
    /// ```
    /// let env = oss_credentials::Environment::from_map([("A", "1")]);
    /// assert_eq!(env.get("A").as_deref(), Some("1"));
    /// assert_eq!(env.get("PATH"), None);
    /// ```
    pub fn from_map<K, V>(vars: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        Self {
            vars: Some(Arc::new(
                vars.into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            )),
            home: None,
        }
    }

    setters! {
        /// Overrides the home directory (otherwise `HOME`, or `USERPROFILE` on Windows, from this
        /// environment).
        fn with_home_dir(home: impl Into<PathBuf>) { home = Some(home.into()) }
    }

    /// The value of `name`, or `None` when unset, empty or not valid UTF-8.
    pub fn get(&self, name: &str) -> Option<String> {
        let value = match &self.vars {
            Some(map) => map.get(name).cloned(),
            None => std::env::var(name).ok(),
        };
        value.filter(|v| !v.is_empty())
    }

    /// Whether `name` is set to `true`, compared case-insensitively (`1`/`yes` are false,
    /// as in the official SDKs).
    pub fn is_true(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    /// The home directory: the override, else `HOME` (`USERPROFILE` on Windows).
    pub fn home_dir(&self) -> Option<PathBuf> {
        if let Some(home) = &self.home {
            return Some(home.clone());
        }
        let name = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
        self.get(name).map(PathBuf::from)
    }
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Environment");
        match &self.vars {
            Some(map) => {
                let mut names: Vec<&str> = map.keys().map(String::as_str).collect();
                names.sort_unstable();
                s.field("variables", &names);
            }
            None => {
                s.field("variables", &"<process environment>");
            }
        }
        s.field("home", &self.home).finish()
    }
}

/// A family of environment variables read by [`EnvProvider`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvFamily {
    /// `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET`, `OSS_SESSION_TOKEN` (the OSS SDKs).
    Oss,
    /// `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`,
    /// `ALIBABA_CLOUD_SECURITY_TOKEN` (the Alibaba Cloud credentials SDKs and CLI).
    AlibabaCloud,
}

impl EnvFamily {
    /// The (id, secret, token) variable names of the family.
    pub fn variables(self) -> (&'static str, &'static str, &'static str) {
        match self {
            EnvFamily::Oss => (
                "OSS_ACCESS_KEY_ID",
                "OSS_ACCESS_KEY_SECRET",
                "OSS_SESSION_TOKEN",
            ),
            EnvFamily::AlibabaCloud => (
                "ALIBABA_CLOUD_ACCESS_KEY_ID",
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                "ALIBABA_CLOUD_SECURITY_TOKEN",
            ),
        }
    }
}

/// Reads credentials from environment variables.
///
/// By default `OSS_ACCESS_KEY_ID` / `OSS_ACCESS_KEY_SECRET` / `OSS_SESSION_TOKEN` are tried
/// first, then `ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET` /
/// `ALIBABA_CLOUD_SECURITY_TOKEN`. The token is only taken from the family that supplied the
/// key pair. Empty variables count as unset.
///
/// * neither family set: [`ErrorKind::NotLoaded`], naming every variable looked for;
/// * an id without its secret (or the reverse) in one family and nothing complete in the
///   other: [`ErrorKind::InvalidConfig`], naming both variables; when the other family is
///   complete it is used, with a [warning](Credentials::warnings) about the half-set one.
///
/// Values are trimmed of leading and trailing white space (the same rule as the INI and
/// CLI-config readers).
///
/// The environment is read on every call, so a changed variable is seen by the next request.
///
/// ```
/// use oss_credentials::{EnvProvider, Environment};
///
/// let env = Environment::from_map([
///     ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIexample"),
///     ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "example-secret"),
/// ]);
/// let creds = EnvProvider::with_environment(env).load()?;
/// assert_eq!(creds.access_key_id(), "LTAIexample");
/// assert_eq!(creds.provider_name(), "env");
/// # Ok::<(), oss_credentials::CredentialsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct EnvProvider {
    env: Environment,
    families: Vec<EnvFamily>,
}

impl Default for EnvProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl EnvProvider {
    /// Reads the process environment, `OSS_*` first, then `ALIBABA_CLOUD_*`.
    pub fn new() -> Self {
        Self::with_environment(Environment::process())
    }

    /// Reads the given environment, `OSS_*` first, then `ALIBABA_CLOUD_*`.
    pub fn with_environment(env: Environment) -> Self {
        Self {
            env,
            families: vec![EnvFamily::Oss, EnvFamily::AlibabaCloud],
        }
    }

    setters! {
        /// Restricts (and orders) the variable families consulted.
        ///
        /// ```
        /// use oss_credentials::{EnvFamily, EnvProvider, Environment, ErrorKind};
        /// let env = Environment::from_map([("OSS_ACCESS_KEY_ID", "a"), ("OSS_ACCESS_KEY_SECRET", "b")]);
        /// let provider = EnvProvider::with_environment(env).families(&[EnvFamily::AlibabaCloud]);
        /// assert_eq!(provider.load().unwrap_err().kind(), ErrorKind::NotLoaded);
        /// ```
        fn families(families: &[EnvFamily]) { families = families.to_vec() }
    }

    /// Reads the credentials now, synchronously.
    ///
    /// ```
    /// use oss_credentials::{EnvProvider, Environment};
    /// let env = Environment::from_map([
    ///     ("OSS_ACCESS_KEY_ID", "STS.id"),
    ///     ("OSS_ACCESS_KEY_SECRET", "secret"),
    ///     ("OSS_SESSION_TOKEN", "token"),
    /// ]);
    /// let creds = EnvProvider::with_environment(env).load()?;
    /// assert_eq!(creds.security_token(), Some("token"));
    /// # Ok::<(), oss_credentials::CredentialsError>(())
    /// ```
    pub fn load(&self) -> Result<Credentials, CredentialsError> {
        // A half-set family is remembered; a complete family later in the order still wins
        // (with a warning), as the official SDKs, which read only one family, would find it.
        let mut partial: Vec<String> = Vec::new();
        for family in &self.families {
            let (id_var, secret_var, token_var) = family.variables();
            let id = self.value(id_var);
            let secret = self.value(secret_var);
            match (id, secret) {
                (None, None) => continue,
                (Some(_), None) => partial.push(format!(
                    "{id_var} is set but {secret_var} is empty or unset; set both"
                )),
                (None, Some(_)) => partial.push(format!(
                    "{secret_var} is set but {id_var} is empty or unset; set both"
                )),
                (Some(id), Some(secret)) => {
                    let mut creds = Credentials::new(id, secret)
                        .map_err(|e| {
                            CredentialsError::new(
                                ErrorKind::InvalidConfig,
                                format!("{id_var}/{secret_var}: {}", e.message()),
                            )
                        })
                        .map_err(|e| e.with_provider("env"))?
                        .with_provider_name("env");
                    if let Some(token) = self.value(token_var) {
                        creds = creds.with_security_token(token);
                    }
                    for message in partial {
                        creds = creds.with_warning(format!(
                            "env: {message} (ignored: used {id_var}/{secret_var})"
                        ));
                    }
                    return Ok(creds);
                }
            }
        }
        if !partial.is_empty() {
            return Err(
                CredentialsError::new(ErrorKind::InvalidConfig, partial.join("; "))
                    .with_provider("env"),
            );
        }
        let looked_for: Vec<String> = self
            .families
            .iter()
            .map(|family| {
                let (id, secret, _) = family.variables();
                format!("{id}/{secret}")
            })
            .collect();
        Err(CredentialsError::new(
            ErrorKind::NotLoaded,
            format!(
                "no credentials in the environment (looked for {})",
                join_or(&looked_for, ", then ", "no variable family")
            ),
        )
        .with_provider("env"))
    }
}

impl EnvProvider {
    /// A credential variable with leading and trailing white space removed (the one trimming
    /// rule of the crate, also applied to INI and CLI-config values); empty counts as unset.
    fn value(&self, name: &str) -> Option<String> {
        self.env
            .get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }
}

impl ProvideCredentials for EnvProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(std::future::ready(self.load()))
    }
    fn name(&self) -> &str {
        "env"
    }
    /// Reading variables never waits: the same answer as [`EnvProvider::load`], or `None`.
    fn credentials_if_cached(&self) -> Option<Credentials> {
        self.load().ok()
    }
}
