//! [`OssutilConfigProvider`]: the configuration file of ossutil 2.0 (`~/.ossutilconfig`), read
//! for credentials and for the region, endpoint and addressing style it names.

use crate::env::Environment;
use crate::error::{CredentialsError, ErrorKind};
use crate::lazy_provider::LazyProvider;
use crate::provider::{CredentialsFuture, ProvideCredentials};
use crate::source::CredentialSource;
use profile::ProfileView;
use sections::{parse, ParsedFile};
use std::path::{Path, PathBuf};

/// The variable naming the configuration file.
pub(crate) const ENV_OSSUTIL_CONFIG_FILE: &str = "OSSUTIL_CONFIG_FILE";
/// The variable naming the profile.
pub(crate) const ENV_OSSUTIL_PROFILE: &str = "OSSUTIL_PROFILE";
/// The default file name, in the home directory.
pub(crate) const DEFAULT_FILE_NAME: &str = ".ossutilconfig";

/// Longest configuration file read (a real one is a few KiB).
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The region, endpoint and addressing style an ossutil profile names (each may be absent),
/// and where they were read.
///
/// ```
/// use oss_credentials::{Environment, OssutilConfigProvider};
///
/// let home = tempfile::tempdir()?;
/// std::fs::write(
///     home.path().join(".ossutilconfig"),
///     "[default]\nregion = cn-hangzhou\nendpoint = https://oss-cn-hangzhou-internal.aliyuncs.com\n",
/// )?;
/// let env = Environment::from_map::<&str, &str>([]).with_home_dir(home.path());
/// let settings = OssutilConfigProvider::with_environment(env).settings()?.expect("a profile");
/// assert_eq!(settings.region(), Some("cn-hangzhou"));
/// assert_eq!(settings.endpoint(), Some("https://oss-cn-hangzhou-internal.aliyuncs.com"));
/// assert_eq!(settings.profile(), "default");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OssutilSettings {
    path: PathBuf,
    profile: String,
    region: Option<String>,
    endpoint: Option<String>,
    addressing_style: Option<String>,
}

impl OssutilSettings {
    /// The file the settings come from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The profile (lower case).
    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// `region`, e.g. `cn-hangzhou`.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// `endpoint`, e.g. `oss-cn-hangzhou.aliyuncs.com` or `https://...`.
    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    /// `addressing-style`: `virtual`, `path` or `cname` (lower-cased; not checked here).
    pub fn addressing_style(&self) -> Option<&str> {
        self.addressing_style.as_deref()
    }
}

file_provider! {
    /// Reads ossutil 2.0's configuration file.
    ///
    /// # Which file and which profile
    ///
    /// * File: the path given with [`OssutilConfigProvider::config_file`] (the CLI's
    ///   `-c/--config-file`), else `OSSUTIL_CONFIG_FILE`, else `~/.ossutilconfig`.
    /// * Profile: [`OssutilConfigProvider::profile`] (the CLI's `--profile`), else
    ///   `OSSUTIL_PROFILE`, else `default`.
    ///
    /// # The format (ossutil 2.0's INI dialect)
    ///
    /// * `key = value` lines in sections; `#` or `;` at the start of a line is a comment (there are
    ///   no inline comments: a secret may contain `#`); values are used as written, trimmed.
    /// * Section and key names are case-insensitive, and a key may be written in lower case,
    ///   camel case, with `-` or with `_`: `accesskeyid`, `accessKeyId`, `access-key-id` and
    ///   `access_key_id` are one key.
    /// * `[default]` is the short form of `[profile default]`; other profiles are
    ///   `[profile NAME]`. `source-profile = OTHER` takes every key the profile does not set from
    ///   profile `OTHER` (which may have a source of its own; cycles are refused).
    /// * `[buckets NAME]` sections (per-bucket settings, with indented nested lines) are read
    ///   but not applied; ossutil 1.x's `[Bucket-Endpoint]` and `[Bucket-Cname]` are read by
    ///   [`OssutilConfigProvider::bucket_hosts`]; ossutil 1.0's `[Credentials]` section (`accessKeyID`,
    ///   `accessKeySecret`, `stsToken`, `endpoint`) stands in for a missing `[default]`.
    ///
    /// # Credentials of a profile
    ///
    /// `mode` chooses the kind (case-insensitive); without it, the kind follows from the keys
    /// present, in this order:
    ///
    /// | mode | keys | becomes |
    /// | --- | --- | --- |
    /// | `CredentialProcess` (or `Process`) | `credential-process` | [`CredentialSource::Process`] |
    /// | `CredentialsURI` (or `URI`) | `credential-uri` | [`CredentialSource::CredentialsUri`] |
    /// | `OIDCRoleArn` (or `OIDC`) | `role-arn`, `oidc-provider-arn`, `oidc-token-file-path` | [`CredentialSource::Oidc`] |
    /// | `RamRoleArn` | `access-key-id`, `access-key-secret` (optional `sts-token`), `role-arn`, optional `role-session-name`, `duration-seconds`, `external-id`, `sts-region`, `sts-endpoint` | [`CredentialSource::AssumeRole`] |
    /// | `EcsRamRole` | optional `ecs-role-name` | [`CredentialSource::EcsRamRole`] |
    /// | `StsToken` | `access-key-id`, `access-key-secret`, `sts-token` | [`CredentialSource::Static`] with a token |
    /// | `AK` | `access-key-id`, `access-key-secret` | [`CredentialSource::Static`] |
    ///
    /// `Anonymous` is refused ([`ErrorKind::Unsupported`]): a presigned URL needs a key. A profile
    /// with no credential keys at all (only a region, say) is [`ErrorKind::NotLoaded`], so a chain
    /// moves on to its next source. Errors name the file, the line and the profile, never a value.
    ///
    /// A missing default file or a missing profile is [`ErrorKind::NotLoaded`] (a chain moves on);
    /// a file named by `OSSUTIL_CONFIG_FILE` or [`config_file`](Self::config_file) that cannot be
    /// read, and a broken profile, are errors. The file is read on the first request; the provider
    /// it describes is kept (with its cache) for later requests.
    ///
    /// ```
    /// use oss_credentials::{CredentialSource, Environment, OssutilConfigProvider};
    ///
    /// let home = tempfile::tempdir()?;
    /// std::fs::write(
    ///     home.path().join(".ossutilconfig"),
    ///     "[default]\naccessKeyID = LTAIexample\naccess_key_secret = example-secret\nregion = cn-hangzhou\n\
    ///      [profile prod]\nsource-profile = default\nsts-token = token\n",
    /// )?;
    /// let env = Environment::from_map([("OSSUTIL_PROFILE", "prod")]).with_home_dir(home.path());
    /// match OssutilConfigProvider::with_environment(env).resolve()? {
    ///     CredentialSource::Static(creds) => {
    ///         assert_eq!(creds.access_key_id(), "LTAIexample");
    ///         assert_eq!(creds.security_token(), Some("token"));
    ///     }
    ///     other => panic!("unexpected {other:?}"),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct OssutilConfigProvider("ossutil_config");

    /// Reads this file (ossutil's `-c/--config-file`) instead of `OSSUTIL_CONFIG_FILE` or
    /// `~/.ossutilconfig`.
    ///
    /// ```
    /// use oss_credentials::{ErrorKind, OssutilConfigProvider};
    /// let err = OssutilConfigProvider::new().config_file("/nonexistent/ossutilconfig").resolve().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    /// ```
    pub fn config_file(path);

    /// Uses this profile (ossutil's `--profile`) instead of `OSSUTIL_PROFILE` / `default`.
    ///
    /// ```
    /// use oss_credentials::{Environment, OssutilConfigProvider};
    /// let home = tempfile::tempdir()?;
    /// std::fs::write(
    ///     home.path().join(".ossutilconfig"),
    ///     "[default]\nregion = cn-hangzhou\n[profile prod]\nregion = cn-shanghai\n",
    /// )?;
    /// let env = Environment::from_map::<&str, &str>([]).with_home_dir(home.path());
    /// let provider = OssutilConfigProvider::with_environment(env).profile("prod");
    /// let settings = provider.settings()?.expect("the profile");
    /// assert_eq!((settings.profile(), settings.region()), ("prod", Some("cn-shanghai")));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn profile(profile);
}

impl OssutilConfigProvider {
    /// The file that would be read: `(path, named explicitly)`, or `None` when no default
    /// file exists.
    pub(crate) fn locate(&self) -> Option<(PathBuf, bool)> {
        if let Some(path) = &self.path {
            return Some((path.clone(), true));
        }
        if let Some(path) = self.env.get(ENV_OSSUTIL_CONFIG_FILE) {
            return Some((PathBuf::from(path), true));
        }
        let candidate = self.env.home_dir()?.join(DEFAULT_FILE_NAME);
        candidate.is_file().then_some((candidate, false))
    }

    /// Whether a configuration file is named explicitly (`config_file` or
    /// `OSSUTIL_CONFIG_FILE`), as opposed to found at `~/.ossutilconfig` or absent.
    ///
    /// ```
    /// use oss_credentials::{Environment, OssutilConfigProvider};
    /// let env = Environment::from_map([("OSSUTIL_CONFIG_FILE", "/etc/ossutil.conf")]);
    /// assert!(OssutilConfigProvider::with_environment(env).is_explicit());
    /// ```
    pub fn is_explicit(&self) -> bool {
        self.path.is_some() || self.env.get(ENV_OSSUTIL_CONFIG_FILE).is_some()
    }

    fn profile_name(&self) -> String {
        self.profile
            .clone()
            .or_else(|| self.env.get(ENV_OSSUTIL_PROFILE))
            .unwrap_or_else(|| "default".to_owned())
    }

    /// Reads and parses the file; `Ok(None)` when there is none to read.
    fn load(&self) -> Result<Option<(PathBuf, ParsedFile)>, CredentialsError> {
        let Some((path, _explicit)) = self.locate() else {
            return Ok(None);
        };
        let text = read_limited(&path)?;
        let parsed = parse(&text, &path)?;
        Ok(Some((path, parsed)))
    }

    /// The region, endpoint and addressing style of the selected profile; `Ok(None)` when
    /// there is no file or no such profile.
    pub fn settings(&self) -> Result<Option<OssutilSettings>, CredentialsError> {
        let Some((path, parsed)) = self.load().map_err(|e| e.with_provider("ossutil_config"))?
        else {
            return Ok(None);
        };
        let name = self.profile_name();
        let Some(view) = ProfileView::new(&parsed, &name, &path)
            .map_err(|e| e.with_provider("ossutil_config"))?
        else {
            return Ok(None);
        };
        Ok(Some(OssutilSettings {
            region: view.value("region"),
            endpoint: view.value("endpoint"),
            addressing_style: view
                .value("addressingstyle")
                .map(|s| s.to_ascii_lowercase()),
            profile: view.name.clone(),
            path,
        }))
    }

    /// Reads the file and describes the selected profile's credentials, without contacting
    /// any service.
    ///
    /// ```
    /// use oss_credentials::{Environment, ErrorKind, OssutilConfigProvider};
    /// let env = Environment::from_map([("OSSUTIL_CONFIG_FILE", "/nonexistent/ossutilconfig")]);
    /// let err = OssutilConfigProvider::with_environment(env).resolve().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    /// ```
    pub fn resolve(&self) -> Result<CredentialSource, CredentialsError> {
        self.resolve_inner()
            .map_err(|e| e.with_provider("ossutil_config"))
    }

    fn resolve_inner(&self) -> Result<CredentialSource, CredentialsError> {
        let Some((path, parsed)) = self.load()? else {
            return Err(CredentialsError::new(
                ErrorKind::NotLoaded,
                "no ossutil configuration (OSSUTIL_CONFIG_FILE unset, ~/.ossutilconfig absent)",
            ));
        };
        let name = self.profile_name();
        let Some(view) = ProfileView::new(&parsed, &name, &path)? else {
            return Err(CredentialsError::new(
                ErrorKind::NotLoaded,
                format!(
                    "{} has no profile [{}]",
                    path.display(),
                    name.to_ascii_lowercase()
                ),
            ));
        };
        view.credential_source()
    }
}

/// Reads a configuration file of at most [`MAX_FILE_BYTES`].
pub(crate) fn read_limited(path: &Path) -> Result<String, CredentialsError> {
    use std::io::Read;
    let cannot = |e: std::io::Error| {
        CredentialsError::new(
            ErrorKind::InvalidConfig,
            format!("cannot read the ossutil configuration {}", path.display()),
        )
        .with_source(e)
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut text = String::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(cannot)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(CredentialsError::new(
            ErrorKind::InvalidConfig,
            format!(
                "the ossutil configuration {} is larger than {MAX_FILE_BYTES} bytes; this is not a configuration file",
                path.display()
            ),
        ));
    }
    Ok(text)
}

file_provider_credentials!(OssutilConfigProvider, "ossutil_config");

mod profile;
mod sections;

#[cfg(test)]
mod tests;
