//! [`OssutilConfigProvider`]: the configuration file of ossutil 2.0 (`~/.ossutilconfig`), read
//! for credentials and for the region, endpoint and addressing style it names.

use crate::env::Environment;
use crate::error::{CredentialsError, ErrorKind};
use crate::lazy_provider::LazyProvider;
use crate::provider::{CredentialsFuture, ProvideCredentials};
use crate::role_config::{check_duration, RoleConfig};
use crate::source::CredentialSource;
use crate::Credentials;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The variable naming the configuration file.
pub(crate) const ENV_OSSUTIL_CONFIG_FILE: &str = "OSSUTIL_CONFIG_FILE";
/// The variable naming the profile.
pub(crate) const ENV_OSSUTIL_PROFILE: &str = "OSSUTIL_PROFILE";
/// The default file name, in the home directory.
pub(crate) const DEFAULT_FILE_NAME: &str = ".ossutilconfig";

/// Longest configuration file read (a real one is a few KiB).
const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// Longest `source-profile` chain followed.
const MAX_SOURCE_DEPTH: usize = 8;

/// A key in its one spelling: lower case, without `-` and `_`.
fn normalize_key(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// One section: its header line and its entries (normalized key -> value, line).
#[derive(Debug, Default)]
struct Section {
    line: usize,
    entries: HashMap<String, (String, usize)>,
}

/// The sections that matter: profiles (by lower-cased name) and ossutil 1.0's
/// `[Credentials]`.
#[derive(Debug, Default)]
struct ParsedFile {
    profiles: HashMap<String, Section>,
    legacy_credentials: Option<Section>,
}

/// What a section header names.
enum Header {
    Profile(String),
    LegacyCredentials,
    /// `[buckets ...]`, `[Bucket-Endpoint]`, `[Bucket-Cname]` and anything else: read, not used.
    Other,
}

fn classify(name: &str) -> Header {
    let lower = name.to_ascii_lowercase();
    let mut words = lower.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some("default"), None, None) => Header::Profile("default".into()),
        (Some("profile"), Some(profile), None) => Header::Profile(profile.into()),
        (Some("credentials"), None, None) => Header::LegacyCredentials,
        _ => Header::Other,
    }
}

fn parse(text: &str, file: &Path) -> Result<ParsedFile, CredentialsError> {
    let mut parsed = ParsedFile::default();
    // The section being filled: Some(Some(section)) for a used one, Some(None) for ignored.
    let mut current: Option<Option<Section>> = None;
    let mut current_header = Header::Other;
    let finish = |section: Option<Option<Section>>, header: &Header, parsed: &mut ParsedFile| {
        if let Some(Some(section)) = section {
            match header {
                Header::Profile(name) => {
                    // A repeated section adds to the first one.
                    let target = parsed.profiles.entry(name.clone()).or_insert(Section {
                        line: section.line,
                        entries: HashMap::new(),
                    });
                    target.entries.extend(section.entries);
                }
                Header::LegacyCredentials => parsed.legacy_credentials = Some(section),
                Header::Other => {}
            }
        }
    };
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let Some(name) = rest.strip_suffix(']') else {
                return Err(CredentialsError::new(
                    ErrorKind::Parse,
                    format!(
                        "{}, line {line_no}: a section header must look like `[default]`, `[profile NAME]` or `[buckets NAME]`",
                        file.display()
                    ),
                ));
            };
            if name.trim().is_empty() {
                return Err(CredentialsError::new(
                    ErrorKind::Parse,
                    format!("{}, line {line_no}: empty section name", file.display()),
                ));
            }
            finish(current.take(), &current_header, &mut parsed);
            current_header = classify(name.trim());
            current = Some(match current_header {
                Header::Other => None,
                _ => Some(Section {
                    line: line_no,
                    entries: HashMap::new(),
                }),
            });
            continue;
        }
        let Some(section) = current.as_mut() else {
            return Err(CredentialsError::new(
                ErrorKind::Parse,
                format!(
                    "{}, line {line_no}: `key = value` before any `[section]` header",
                    file.display()
                ),
            ));
        };
        let Some((key, value)) = line.split_once('=') else {
            return Err(CredentialsError::new(
                ErrorKind::Parse,
                format!(
                    "{}, line {line_no}: expected `key = value`, a `[section]` header or a comment",
                    file.display()
                ),
            ));
        };
        if key.trim().is_empty() {
            return Err(CredentialsError::new(
                ErrorKind::Parse,
                format!("{}, line {line_no}: a key is empty", file.display()),
            ));
        }
        if let Some(section) = section {
            section.entries.insert(
                normalize_key(key.trim()),
                (value.trim().to_owned(), line_no),
            );
        }
    }
    finish(current.take(), &current_header, &mut parsed);
    Ok(parsed)
}

/// A profile with its `source-profile` chain, looked up key by key.
struct ProfileView<'a> {
    name: String,
    chain: Vec<&'a Section>,
    file: &'a Path,
}

impl<'a> ProfileView<'a> {
    fn new(
        parsed: &'a ParsedFile,
        name: &str,
        file: &'a Path,
    ) -> Result<Option<Self>, CredentialsError> {
        let lower = name.to_ascii_lowercase();
        let first = match parsed.profiles.get(&lower) {
            Some(section) => section,
            None if lower == "default" => match &parsed.legacy_credentials {
                Some(section) => section,
                None => return Ok(None),
            },
            None => return Ok(None),
        };
        let mut chain = vec![first];
        let mut seen = vec![lower.clone()];
        let mut section = first;
        while let Some((source, line)) = section.entries.get("sourceprofile") {
            let source_lower = source.to_ascii_lowercase();
            if seen.contains(&source_lower) || chain.len() > MAX_SOURCE_DEPTH {
                return Err(CredentialsError::new(
                    ErrorKind::InvalidConfig,
                    format!(
                        "{}, line {line}: `source-profile` of profile [{}] loops back (profiles {}); break the cycle",
                        file.display(),
                        seen.last().map_or("", String::as_str),
                        seen.join(" -> ")
                    ),
                ));
            }
            let Some(next) = parsed.profiles.get(&source_lower) else {
                return Err(CredentialsError::new(
                    ErrorKind::InvalidConfig,
                    format!(
                        "{}, line {line}: `source-profile` names profile [{source_lower}], which the file does not have",
                        file.display()
                    ),
                ));
            };
            seen.push(source_lower);
            chain.push(next);
            section = next;
        }
        Ok(Some(Self {
            name: lower,
            chain,
            file,
        }))
    }

    /// The value (non-empty) and line of a normalized key, from the first profile that has it.
    fn get(&self, key: &str) -> Option<(&'a str, usize)> {
        self.chain.iter().find_map(|section| {
            section
                .entries
                .get(key)
                .filter(|(v, _)| !v.is_empty())
                .map(|(v, line)| (v.as_str(), *line))
        })
    }

    fn value(&self, key: &str) -> Option<String> {
        self.get(key).map(|(v, _)| v.to_owned())
    }

    fn place(&self) -> String {
        format!(
            "profile [{}] of {} (line {})",
            self.name,
            self.file.display(),
            self.chain[0].line
        )
    }

    fn required(&self, key: &str, spelled: &str, mode: &str) -> Result<String, CredentialsError> {
        self.value(key).ok_or_else(|| {
            CredentialsError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "{}: mode {mode} needs `{spelled}`, which is missing or empty",
                    self.place()
                ),
            )
        })
    }

    fn keys(&self, mode: &str) -> Result<Credentials, CredentialsError> {
        let id = self.required("accesskeyid", "access-key-id", mode)?;
        let secret = self.required("accesskeysecret", "access-key-secret", mode)?;
        Ok(Credentials::new(id, secret)?.with_provider_name("ossutil_config"))
    }

    fn role(&self, mode: &str) -> Result<RoleConfig, CredentialsError> {
        let duration_seconds = match self.get("durationseconds") {
            None => None,
            Some((text, line)) => {
                let seconds = text.parse::<u64>().map_err(|_| {
                    CredentialsError::new(
                        ErrorKind::InvalidConfig,
                        format!(
                            "{}, line {line}: `duration-seconds` must be a whole number of seconds (900 or more)",
                            self.place()
                        ),
                    )
                })?;
                check_duration(seconds, &format!("{} (line {line})", self.place()))?;
                Some(seconds)
            }
        };
        let mut role = RoleConfig::new(self.required("rolearn", "role-arn", mode)?);
        role.role_session_name = self.value("rolesessionname");
        role.duration_seconds = duration_seconds;
        role.external_id = self.value("externalid");
        role.sts_region = self.value("stsregion");
        role.sts_endpoint = self.value("stsendpoint");
        Ok(role)
    }

    fn credential_source(&self) -> Result<CredentialSource, CredentialsError> {
        let has = |key: &str| self.get(key).is_some();
        let mode = match self.get("mode") {
            Some((mode, _)) => normalize_key(mode),
            None if has("credentialprocess") => "credentialprocess".into(),
            None if has("credentialuri") => "credentialsuri".into(),
            None if has("rolearn") && has("oidcproviderarn") => "oidcrolearn".into(),
            None if has("rolearn") => "ramrolearn".into(),
            None if has("ecsrolename") => "ecsramrole".into(),
            None if has("ststoken") => "ststoken".into(),
            None if has("accesskeyid") || has("accesskeysecret") => "ak".into(),
            None => {
                return Err(CredentialsError::new(
                    ErrorKind::NotLoaded,
                    format!("{} has no credentials (no mode, access-key-id, role-arn, ecs-role-name, credential-process or credential-uri)", self.place()),
                ))
            }
        };
        let source = match mode.as_str() {
            "ak" | "accesskey" => CredentialSource::Static(self.keys("AK")?),
            "ststoken" | "sts" => {
                let token = self.required("ststoken", "sts-token", "StsToken")?;
                CredentialSource::Static(self.keys("StsToken")?.with_security_token(token))
            }
            "ramrolearn" => {
                let mut keys = self.keys("RamRoleArn")?;
                if let Some(token) = self.value("ststoken") {
                    keys = keys.with_security_token(token);
                }
                CredentialSource::AssumeRole {
                    source: Box::new(CredentialSource::Static(keys)),
                    role: self.role("RamRoleArn")?,
                }
            }
            "oidcrolearn" | "oidc" => CredentialSource::Oidc {
                role: self.role("OIDCRoleArn")?,
                oidc_provider_arn: self.required("oidcproviderarn", "oidc-provider-arn", "OIDCRoleArn")?,
                oidc_token_file: PathBuf::from(self.required(
                    "oidctokenfilepath",
                    "oidc-token-file-path",
                    "OIDCRoleArn",
                )?),
            },
            "ecsramrole" => CredentialSource::EcsRamRole {
                role_name: self.value("ecsrolename"),
            },
            "credentialprocess" | "process" => CredentialSource::Process {
                command: self.required("credentialprocess", "credential-process", "CredentialProcess")?,
            },
            "credentialsuri" | "credentialuri" | "uri" => CredentialSource::CredentialsUri {
                url: self.required("credentialuri", "credential-uri", "CredentialsURI")?,
            },
            "anonymous" => {
                return Err(CredentialsError::new(
                    ErrorKind::Unsupported,
                    format!("{}: mode Anonymous has no key, and a presigned URL must be signed with one", self.place()),
                ))
            }
            _ => {
                return Err(CredentialsError::new(
                    ErrorKind::InvalidConfig,
                    format!(
                        "{}: unknown mode; expected AK, StsToken, RamRoleArn, EcsRamRole, OIDCRoleArn, CredentialProcess or CredentialsURI",
                        self.place()
                    ),
                ))
            }
        };
        Ok(source)
    }
}

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
#[derive(Debug)]
pub struct OssutilConfigProvider {
    env: Environment,
    path: Option<PathBuf>,
    profile: Option<String>,
    resolved: LazyProvider,
}

impl Default for OssutilConfigProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl OssutilConfigProvider {
    /// Uses the process environment to find the file and profile.
    ///
    /// ```
    /// let provider = oss_credentials::OssutilConfigProvider::new();
    /// # let _ = provider;
    /// ```
    pub fn new() -> Self {
        Self::with_environment(Environment::process())
    }

    /// Uses `env` to find the file and profile.
    ///
    /// ```
    /// use oss_credentials::{Environment, ErrorKind, OssutilConfigProvider};
    /// let env = Environment::from_map::<&str, &str>([]); // no HOME: no default file
    /// let err = OssutilConfigProvider::with_environment(env).resolve().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::NotLoaded);
    /// ```
    pub fn with_environment(env: Environment) -> Self {
        Self {
            env,
            path: None,
            profile: None,
            resolved: LazyProvider::default(),
        }
    }

    /// Reads this file (ossutil's `-c/--config-file`) instead of `OSSUTIL_CONFIG_FILE` or
    /// `~/.ossutilconfig`.
    ///
    /// ```
    /// use oss_credentials::{ErrorKind, OssutilConfigProvider};
    /// let err = OssutilConfigProvider::new().config_file("/nonexistent/ossutilconfig").resolve().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    /// ```
    #[must_use]
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Uses this profile (ossutil's `--profile`) instead of `OSSUTIL_PROFILE` / `default`.
    ///
    /// ```
    /// let provider = oss_credentials::OssutilConfigProvider::new().profile("prod");
    /// # let _ = provider;
    /// ```
    #[must_use]
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

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

impl ProvideCredentials for OssutilConfigProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            let provider = self
                .resolved
                .get_or_try_init(|| self.resolve()?.into_provider(&self.env))
                .map_err(|e| e.with_provider("ossutil_config"))?;
            provider
                .provide_credentials()
                .await
                .map_err(|e| e.within("ossutil_config"))
        })
    }

    fn name(&self) -> &str {
        "ossutil_config"
    }

    fn invalidate(&self) {
        self.resolved.invalidate();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn file() -> PathBuf {
        PathBuf::from("/test/.ossutilconfig")
    }

    fn source_of(text: &str, profile: &str) -> Result<CredentialSource, CredentialsError> {
        let parsed = parse(text, &file())?;
        let path = file();
        let view = ProfileView::new(&parsed, profile, &path)?
            .ok_or_else(|| CredentialsError::new(ErrorKind::NotLoaded, "no profile"))?;
        view.credential_source()
    }

    fn static_keys(source: CredentialSource) -> (String, Option<String>) {
        match source {
            CredentialSource::Static(c) => (
                c.access_key_id().to_owned(),
                c.security_token().map(str::to_owned),
            ),
            other => panic!("not static: {other:?}"),
        }
    }

    #[test]
    fn key_spellings_are_one_key() {
        for id_key in [
            "accesskeyid",
            "accessKeyId",
            "access-key-id",
            "access_key_id",
            "AccessKeyID",
        ] {
            let text = format!("[default]\n{id_key} = LTAIa\naccessKeySecret=s\n");
            assert_eq!(
                static_keys(source_of(&text, "default").unwrap()).0,
                "LTAIa",
                "{id_key}"
            );
        }
    }

    #[test]
    fn sections_profiles_and_sources() {
        let text = "\
# comment
; another
[Profile Dev]
mode = StsToken
access-key-id = LTAIdev
access-key-secret = s#not-a-comment
sts-token = tok
region = cn-beijing

[profile child]
source_profile = dev
mode = AK

[buckets shared]
examplebucket =
  region = cn-shanghai
  endpoint = oss-cn-shanghai.aliyuncs.com

[default]
access-key-id = LTAIdefault
access-key-secret = s
";
        assert_eq!(
            static_keys(source_of(text, "dev").unwrap()),
            ("LTAIdev".into(), Some("tok".into()))
        );
        assert_eq!(static_keys(source_of(text, "DEV").unwrap()).0, "LTAIdev");
        assert_eq!(
            static_keys(source_of(text, "child").unwrap()),
            ("LTAIdev".into(), None)
        );
        assert_eq!(
            static_keys(source_of(text, "default").unwrap()).0,
            "LTAIdefault"
        );
        assert_eq!(
            source_of(text, "absent").unwrap_err().kind(),
            ErrorKind::NotLoaded
        );
        let parsed = parse(text, &file()).unwrap();
        let path = file();
        let child = ProfileView::new(&parsed, "child", &path).unwrap().unwrap();
        assert_eq!(child.value("region").as_deref(), Some("cn-beijing"));
    }

    #[test]
    fn legacy_credentials_section_stands_in_for_default() {
        let text = "[Credentials]\nlanguage=EN\nendpoint=oss-cn-hangzhou.aliyuncs.com\naccessKeyID=LTAIold\naccessKeySecret=s\nstsToken=t\n";
        assert_eq!(
            static_keys(source_of(text, "default").unwrap()),
            ("LTAIold".into(), Some("t".into()))
        );
    }

    #[test]
    fn modes() {
        let base = "[default]\naccess-key-id=LTAIa\naccess-key-secret=s\n";
        match source_of(&format!("{base}mode=RamRoleArn\nrole-arn=acs:ram::1:role/r\nrole-session-name=n\nduration-seconds=1800\n"), "default").unwrap() {
            CredentialSource::AssumeRole { role, .. } => {
                assert_eq!(role.role_arn, "acs:ram::1:role/r");
                assert_eq!(role.role_session_name.as_deref(), Some("n"));
                assert_eq!(role.duration_seconds, Some(1800));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            source_of("[default]\nmode=EcsRamRole\necs-role-name=r\n", "default").unwrap(),
            CredentialSource::EcsRamRole { role_name: Some(r) } if r == "r"
        ));
        assert!(matches!(
            source_of("[default]\ncredential-process=/bin/echo x\n", "default").unwrap(),
            CredentialSource::Process { .. }
        ));
        assert!(matches!(
            source_of(
                "[default]\ncredential-uri=http://127.0.0.1:1/creds\n",
                "default"
            )
            .unwrap(),
            CredentialSource::CredentialsUri { .. }
        ));
        assert!(matches!(
            source_of(
                "[default]\nrole-arn=a\noidc-provider-arn=p\noidc-token-file-path=/t\n",
                "default"
            )
            .unwrap(),
            CredentialSource::Oidc { .. }
        ));
        for (text, kind) in [
            ("[default]\nmode=Anonymous\n", ErrorKind::Unsupported),
            ("[default]\nmode=Magic\n", ErrorKind::InvalidConfig),
            (
                "[default]\nmode=StsToken\naccess-key-id=a\naccess-key-secret=s\n",
                ErrorKind::InvalidConfig,
            ),
            ("[default]\naccess-key-id=a\n", ErrorKind::InvalidConfig),
            ("[default]\nregion=cn-hangzhou\n", ErrorKind::NotLoaded),
            (
                &format!("{base}mode=RamRoleArn\nrole-arn=r\nduration-seconds=10\n"),
                ErrorKind::InvalidConfig,
            ),
        ] {
            assert_eq!(
                source_of(text, "default").unwrap_err().kind(),
                kind,
                "{text}"
            );
        }
    }

    #[test]
    fn errors_never_show_values() {
        let secret = "VerySecretValue123";
        for text in [
            format!("[default]\nmode=Nope{secret}\naccess-key-secret={secret}\n"),
            format!("[default]\naccess-key-secret={secret}\n"),
            format!("[default]\n{secret}\n"),
            format!("{secret}=1\n"),
        ] {
            let err = source_of(&text, "default").unwrap_err();
            assert!(!err.to_string().contains(secret), "{err}");
            assert!(!format!("{err:?}").contains(secret), "{err:?}");
        }
    }

    #[test]
    fn source_profile_cycles_and_gaps_are_refused() {
        let cycle = "[profile a]\nsource-profile=b\n[profile b]\nsource-profile=a\n";
        assert_eq!(
            source_of(cycle, "a").unwrap_err().kind(),
            ErrorKind::InvalidConfig
        );
        let gap = "[profile a]\nsource-profile=missing\n";
        assert_eq!(
            source_of(gap, "a").unwrap_err().kind(),
            ErrorKind::InvalidConfig
        );
        let selfish = "[profile a]\nsource-profile=A\n";
        assert_eq!(
            source_of(selfish, "a").unwrap_err().kind(),
            ErrorKind::InvalidConfig
        );
    }

    #[test]
    fn malformed_files_name_the_line() {
        for (text, line) in [
            ("[default\n", 1),
            ("key=1\n", 1),
            ("[default]\n\nno equals sign\n", 3),
            ("[]\n", 1),
            ("[default]\n = v\n", 2),
        ] {
            let err = parse(text, &file()).unwrap_err();
            assert!(
                err.to_string().contains(&format!("line {line}")),
                "{text:?}: {err}"
            );
        }
    }

    #[test]
    fn file_and_profile_precedence() {
        let home = tempfile::tempdir().unwrap();
        let write = |name: &str, id: &str| {
            let path = home.path().join(name);
            std::fs::write(
                &path,
                format!("[default]\naccess-key-id={id}\naccess-key-secret=s\n[profile p]\naccess-key-id={id}P\naccess-key-secret=s\nregion=cn-beijing\n"),
            )
            .unwrap();
            path
        };
        write(DEFAULT_FILE_NAME, "LTAIhome");
        let from_env = write("env.conf", "LTAIenv");
        let from_flag = write("flag.conf", "LTAIflag");
        let id = |provider: OssutilConfigProvider| {
            let creds = futures_executor::block_on(provider.provide_credentials()).unwrap();
            assert_eq!(creds.provider_name(), "ossutil_config");
            creds.access_key_id().to_owned()
        };
        let env = |vars: &[(&str, &str)]| {
            Environment::from_map(vars.iter().copied()).with_home_dir(home.path())
        };
        assert_eq!(
            id(OssutilConfigProvider::with_environment(env(&[]))),
            "LTAIhome"
        );
        let env_file = from_env.to_str().unwrap();
        assert_eq!(
            id(OssutilConfigProvider::with_environment(env(&[(
                ENV_OSSUTIL_CONFIG_FILE,
                env_file
            )]))),
            "LTAIenv"
        );
        assert_eq!(
            id(OssutilConfigProvider::with_environment(env(&[(
                ENV_OSSUTIL_CONFIG_FILE,
                env_file
            )]))
            .config_file(&from_flag)),
            "LTAIflag"
        );
        assert_eq!(
            id(OssutilConfigProvider::with_environment(env(&[(
                ENV_OSSUTIL_PROFILE,
                "p"
            )]))),
            "LTAIhomeP"
        );
        assert_eq!(
            id(
                OssutilConfigProvider::with_environment(env(&[(ENV_OSSUTIL_PROFILE, "absent")]))
                    .profile("P")
            ),
            "LTAIhomeP"
        );
        let settings = OssutilConfigProvider::with_environment(env(&[]))
            .profile("p")
            .settings()
            .unwrap()
            .unwrap();
        assert_eq!(
            (settings.region(), settings.endpoint()),
            (Some("cn-beijing"), None)
        );
        assert!(OssutilConfigProvider::with_environment(env(&[]))
            .profile("nope")
            .settings()
            .unwrap()
            .is_none());
        let huge = home.path().join("huge.conf");
        std::fs::write(&huge, vec![b'#'; 2 * 1024 * 1024]).unwrap();
        let err = OssutilConfigProvider::with_environment(env(&[]))
            .config_file(&huge)
            .resolve()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC*") {
            if let Ok(parsed) = parse(&text, &file()) {
                let path = file();
                if let Ok(Some(view)) = ProfileView::new(&parsed, "default", &path) {
                    let _ = view.credential_source();
                }
            }
        }

        #[test]
        fn written_profiles_read_back(
            name in "[a-z][a-z0-9-]{0,10}",
            id in "LTAI[A-Za-z0-9]{8,20}",
            secret in "[!-~]{1,40}",
            region in "[a-z]{2}-[a-z]{3,10}",
        ) {
            let text = format!("[profile {name}]\naccess-key-id = {id}\naccess-key-secret = {secret}\nregion = {region}\n");
            let parsed = parse(&text, &file()).unwrap();
            let path = file();
            let view = ProfileView::new(&parsed, &name, &path).unwrap().unwrap();
            prop_assert_eq!(view.value("region"), Some(region));
            match view.credential_source().unwrap() {
                CredentialSource::Static(c) => {
                    prop_assert_eq!(c.access_key_id(), id.as_str());
                    prop_assert_eq!(c.access_key_secret(), secret.trim());
                }
                other => prop_assert!(false, "{other:?}"),
            }
        }
    }
}
