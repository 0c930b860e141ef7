//! [`CliConfigProvider`]: the Aliyun CLI configuration file `~/.aliyun/config.json`.

use crate::credentials::Credentials;
use crate::env::Environment;
use crate::error::{CredentialsError, ErrorKind};
use crate::json_error::describe_json_error;
use crate::lazy_provider::LazyProvider;
use crate::provider::{CredentialsFuture, ProvideCredentials};
use crate::role_config::{check_duration, RoleConfig};
use crate::source::CredentialSource;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

type Profile = Map<String, Value>;

struct Resolver<'a> {
    path: &'a Path,
    env: &'a Environment,
    profiles: Vec<Profile>,
}

impl Resolver<'_> {
    fn find(&self, name: &str) -> Option<&Profile> {
        self.profiles
            .iter()
            .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
    }

    fn place(&self, profile: &str) -> String {
        format!("profile '{profile}' of {}", self.path.display())
    }

    fn string(
        &self,
        profile: &Profile,
        name: &str,
        key: &str,
    ) -> Result<Option<String>, CredentialsError> {
        match profile.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
            Some(_) => Err(CredentialsError::new(
                ErrorKind::InvalidConfig,
                format!("{}: `{key}` must be a string", self.place(name)),
            )),
        }
    }

    fn required(
        &self,
        profile: &Profile,
        name: &str,
        key: &str,
    ) -> Result<String, CredentialsError> {
        self.string(profile, name, key)?.ok_or_else(|| {
            CredentialsError::new(
                ErrorKind::InvalidConfig,
                format!("{}: `{key}` is missing or empty", self.place(name)),
            )
        })
    }

    fn keys(&self, profile: &Profile, name: &str) -> Result<Credentials, CredentialsError> {
        let id = self.required(profile, name, "access_key_id")?;
        let secret = self.required(profile, name, "access_key_secret")?;
        Ok(Credentials::new(id, secret)?.with_provider_name("cli_config"))
    }

    fn role(&self, profile: &Profile, name: &str) -> Result<RoleConfig, CredentialsError> {
        let duration_seconds = match profile.get("expired_seconds") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_u64() == Some(0) => None,
            Some(Value::Number(n)) => match n.as_u64() {
                Some(seconds) => {
                    check_duration(seconds, &self.place(name))?;
                    Some(seconds)
                }
                None => {
                    return Err(CredentialsError::new(
                        ErrorKind::InvalidConfig,
                        format!(
                            "{}: `expired_seconds` must be a whole number of seconds (900 or more)",
                            self.place(name)
                        ),
                    ))
                }
            },
            Some(_) => {
                return Err(CredentialsError::new(
                    ErrorKind::InvalidConfig,
                    format!("{}: `expired_seconds` must be a number", self.place(name)),
                ))
            }
        };
        let enable_vpc = match profile.get("enable_vpc") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(CredentialsError::new(
                    ErrorKind::InvalidConfig,
                    format!("{}: `enable_vpc` must be true or false", self.place(name)),
                ))
            }
        };
        let role_session_name = match self.string(profile, name, "ram_session_name")? {
            Some(s) => Some(s),
            None => self.string(profile, name, "role_session_name")?,
        };
        Ok(RoleConfig {
            role_arn: self.required(profile, name, "ram_role_arn")?,
            role_session_name,
            duration_seconds,
            policy: self.string(profile, name, "policy")?,
            external_id: self
                .string(profile, name, "external_id")?
                .or_else(|| self.env.get("ALIBABA_CLOUD_EXTERNAL_ID")),
            sts_region: self.string(profile, name, "sts_region")?,
            enable_vpc,
            sts_endpoint: self
                .string(profile, name, "sts_endpoint")?
                .or_else(|| self.env.get("ALIBABA_CLOUD_STS_ENDPOINT")),
        })
    }

    /// Guesses a mode for a profile without one, like the CLI does.
    fn guess_mode(profile: &Profile) -> Option<&'static str> {
        let has = |key: &str| {
            profile
                .get(key)
                .and_then(Value::as_str)
                .is_some_and(|s| !s.trim().is_empty())
        };
        if has("source_profile") {
            Some("ChainableRamRoleArn")
        } else if has("access_key_id") && has("access_key_secret") {
            if has("ram_role_arn") {
                Some("RamRoleArn")
            } else if has("sts_token") {
                Some("StsToken")
            } else {
                Some("AK")
            }
        } else if has("oidc_provider_arn") && has("oidc_token_file") && has("ram_role_arn") {
            Some("OIDC")
        } else if has("process_command") {
            Some("External")
        } else if has("credentials_uri") {
            Some("CredentialsURI")
        } else if has("ram_role_name") {
            Some("EcsRamRole")
        } else {
            None
        }
    }

    fn resolve(
        &self,
        name: &str,
        chain: &mut Vec<String>,
    ) -> Result<CredentialSource, CredentialsError> {
        if chain.iter().any(|seen| seen == name) {
            chain.push(name.to_owned());
            return Err(CredentialsError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "{}: source_profile cycle {}",
                    self.path.display(),
                    chain.join(" -> ")
                ),
            ));
        }
        chain.push(name.to_owned());
        let Some(profile) = self.find(name) else {
            return Err(CredentialsError::new(
                ErrorKind::InvalidConfig,
                format!("{} has no profile named '{name}'", self.path.display()),
            ));
        };
        let mode = match self.string(profile, name, "mode")? {
            Some(mode) => mode,
            None => match Self::guess_mode(profile) {
                Some(mode) => mode.to_owned(),
                None => {
                    return Err(CredentialsError::new(
                        ErrorKind::InvalidConfig,
                        format!(
                            "{}: no `mode`, and the fields present do not identify one",
                            self.place(name)
                        ),
                    ))
                }
            },
        };
        let source = match mode.as_str() {
            "AK" => CredentialSource::Static(self.keys(profile, name)?),
            "StsToken" => {
                let token = self.required(profile, name, "sts_token")?;
                CredentialSource::Static(self.keys(profile, name)?.with_security_token(token))
            }
            "RamRoleArn" => {
                let mut credentials = self.keys(profile, name)?;
                if let Some(token) = self.string(profile, name, "sts_token")? {
                    credentials = credentials.with_security_token(token);
                }
                CredentialSource::AssumeRole {
                    source: Box::new(CredentialSource::Static(credentials)),
                    role: self.role(profile, name)?,
                }
            }
            "ChainableRamRoleArn" => {
                let source_name = self.required(profile, name, "source_profile")?;
                let role = self.role(profile, name)?;
                let source = self.resolve(&source_name, chain).map_err(|e| {
                    if e.kind() == ErrorKind::InvalidConfig && e.message().contains("cycle") {
                        e
                    } else {
                        CredentialsError::new(
                            e.kind(),
                            format!(
                                "{}: source profile '{source_name}': {}",
                                self.place(name),
                                e.message()
                            ),
                        )
                    }
                })?;
                CredentialSource::AssumeRole {
                    source: Box::new(source),
                    role,
                }
            }
            "EcsRamRole" => CredentialSource::EcsRamRole {
                role_name: self.string(profile, name, "ram_role_name")?,
            },
            "OIDC" => {
                let role = self.role(profile, name)?;
                CredentialSource::Oidc {
                    role,
                    oidc_provider_arn: self.required(profile, name, "oidc_provider_arn")?,
                    oidc_token_file: PathBuf::from(self.required(profile, name, "oidc_token_file")?),
                }
            }
            "CredentialsURI" => {
                let url = match self.string(profile, name, "credentials_uri")? {
                    Some(url) => url,
                    None => self.env.get("ALIBABA_CLOUD_CREDENTIALS_URI").ok_or_else(|| {
                        CredentialsError::new(
                            ErrorKind::InvalidConfig,
                            format!(
                                "{}: `credentials_uri` is missing or empty and ALIBABA_CLOUD_CREDENTIALS_URI is unset",
                                self.place(name)
                            ),
                        )
                    })?,
                };
                CredentialSource::CredentialsUri { url }
            }
            "External" => CredentialSource::Process {
                command: self.required(profile, name, "process_command")?,
            },
            "CloudSSO" | "OAuth" | "RsaKeyPair" | "RamRoleArnWithRoleName" | "BearerToken"
            | "Anonymous" => {
                return Err(CredentialsError::new(
                    ErrorKind::Unsupported,
                    format!(
                        "{}: mode `{mode}` is not supported; supported modes: AK, StsToken, RamRoleArn, EcsRamRole, OIDC, ChainableRamRoleArn, CredentialsURI, External",
                        self.place(name)
                    ),
                ))
            }
            other => {
                return Err(CredentialsError::new(
                    ErrorKind::InvalidConfig,
                    format!(
                        "{}: unknown mode `{}`; supported modes: AK, StsToken, RamRoleArn, EcsRamRole, OIDC, ChainableRamRoleArn, CredentialsURI, External",
                        self.place(name),
                        other.escape_debug()
                    ),
                ))
            }
        };
        Ok(source)
    }
}

file_provider! {
    /// Reads a profile of the Aliyun CLI configuration (`~/.aliyun/config.json`).
    ///
    /// File: `ALIBABA_CLOUD_CONFIG_FILE`, else `~/.aliyun/config.json`. Profile:
    /// `ALIBABA_CLOUD_PROFILE` (or `ALIBABACLOUD_PROFILE`, `ALICLOUD_PROFILE`), else the file's
    /// `current`. Modes: `AK`, `StsToken`, `RamRoleArn`, `EcsRamRole`, `OIDC`,
    /// `ChainableRamRoleArn` (source profiles resolved recursively; cycles are an error),
    /// `CredentialsURI`, `External` (a process run without a shell). A profile without `mode` gets
    /// one guessed from its fields, as the CLI does. `CloudSSO` and `OAuth` are not supported.
    ///
    /// Disabled (reported as [`ErrorKind::NotLoaded`]) by `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`
    /// or `ALIBABA_CLOUD_IGNORE_PROFILE=true`. Errors name the file and profile, and describe JSON
    /// errors by line and column without quoting the file.
    ///
    /// ```
    /// use oss_credentials::{CliConfigProvider, CredentialSource, Environment};
    ///
    /// let home = tempfile::tempdir()?;
    /// std::fs::create_dir(home.path().join(".aliyun"))?;
    /// std::fs::write(
    ///     home.path().join(".aliyun/config.json"),
    ///     r#"{"current":"dev","profiles":[{"name":"dev","mode":"AK",
    ///         "access_key_id":"LTAIexample","access_key_secret":"example-secret"}]}"#,
    /// )?;
    /// let env = Environment::from_map::<&str, &str>([]).with_home_dir(home.path());
    /// match CliConfigProvider::with_environment(env).resolve()? {
    ///     CredentialSource::Static(creds) => assert_eq!(creds.access_key_id(), "LTAIexample"),
    ///     other => panic!("unexpected {other:?}"),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct CliConfigProvider("cli_config");

    /// Reads this file instead of the default location.
    pub fn path(path);

    /// Uses this profile instead of `ALIBABA_CLOUD_PROFILE` / `current`.
    pub fn profile(profile);
}

impl CliConfigProvider {
    /// Reads the file and describes the selected profile, without contacting any service.
    ///
    /// ```
    /// use oss_credentials::{CliConfigProvider, Environment, ErrorKind};
    /// let env = Environment::from_map([("HOME", "/nonexistent")]);
    /// let err = CliConfigProvider::with_environment(env).resolve().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::NotLoaded);
    /// ```
    pub fn resolve(&self) -> Result<CredentialSource, CredentialsError> {
        self.resolve_inner()
            .map_err(|e| e.with_provider("cli_config"))
    }

    fn resolve_inner(&self) -> Result<CredentialSource, CredentialsError> {
        if self.env.is_true("ALIBABA_CLOUD_CLI_PROFILE_DISABLED") {
            return Err(CredentialsError::new(
                ErrorKind::NotLoaded,
                "the CLI profile is disabled (ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true)",
            ));
        }
        if self.env.is_true("ALIBABA_CLOUD_IGNORE_PROFILE") {
            return Err(CredentialsError::new(
                ErrorKind::NotLoaded,
                "the CLI profile is ignored (ALIBABA_CLOUD_IGNORE_PROFILE=true)",
            ));
        }
        let (path, explicit) = match (&self.path, self.env.get("ALIBABA_CLOUD_CONFIG_FILE")) {
            (Some(path), _) => (path.clone(), true),
            (None, Some(path)) => (PathBuf::from(path), true),
            (None, None) => match self.env.home_dir() {
                Some(home) => (home.join(".aliyun").join("config.json"), false),
                None => {
                    return Err(CredentialsError::new(
                        ErrorKind::NotLoaded,
                        "no home directory to find ~/.aliyun/config.json in",
                    ))
                }
            },
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if !explicit && e.kind() == std::io::ErrorKind::NotFound => {
                return Err(CredentialsError::new(
                    ErrorKind::NotLoaded,
                    format!("no CLI configuration at {}", path.display()),
                ))
            }
            Err(e) => {
                return Err(CredentialsError::new(
                    ErrorKind::InvalidConfig,
                    format!("cannot read CLI configuration {}", path.display()),
                )
                .with_source(e))
            }
        };
        let document: Value = serde_json::from_str(&text).map_err(|e| {
            CredentialsError::new(
                ErrorKind::Parse,
                format!(
                    "cannot parse CLI configuration {}: {}",
                    path.display(),
                    describe_json_error(&e)
                ),
            )
        })?;
        let Value::Object(mut document) = document else {
            return Err(CredentialsError::new(
                ErrorKind::Parse,
                format!("{}: the top level must be a JSON object", path.display()),
            ));
        };
        let profiles = match document.remove("profiles") {
            Some(Value::Array(items)) => items
                .into_iter()
                .filter_map(|item| match item {
                    Value::Object(map) => Some(map),
                    _ => None,
                })
                .collect::<Vec<_>>(),
            None | Some(Value::Null) => Vec::new(),
            Some(_) => {
                return Err(CredentialsError::new(
                    ErrorKind::Parse,
                    format!("{}: `profiles` must be an array", path.display()),
                ))
            }
        };
        if profiles.is_empty() {
            return Err(CredentialsError::new(
                ErrorKind::NotLoaded,
                format!("{} has no profiles", path.display()),
            ));
        }
        let from_env = self
            .env
            .get("ALIBABA_CLOUD_PROFILE")
            .or_else(|| self.env.get("ALIBABACLOUD_PROFILE"))
            .or_else(|| self.env.get("ALICLOUD_PROFILE"));
        let (name, name_from_env) = match (&self.profile, from_env) {
            (Some(name), _) => (name.clone(), false),
            (None, Some(name)) => (name, true),
            (None, None) => (
                document
                    .get("current")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .unwrap_or("default")
                    .to_owned(),
                false,
            ),
        };
        let resolver = Resolver {
            path: &path,
            env: &self.env,
            profiles,
        };
        if resolver.find(&name).is_none() {
            // A named profile may live in the INI file instead: let the chain move on. A
            // `current` that names no profile is a broken file.
            let (kind, origin) = match (&self.profile, name_from_env) {
                (Some(_), _) => (ErrorKind::NotLoaded, ""),
                (None, true) => (ErrorKind::NotLoaded, " (from ALIBABA_CLOUD_PROFILE)"),
                (None, false) => (ErrorKind::InvalidConfig, " (its `current`)"),
            };
            return Err(CredentialsError::new(
                kind,
                format!("{} has no profile named '{name}'{origin}", path.display()),
            ));
        }
        resolver.resolve(&name, &mut Vec::new())
    }
}

file_provider_credentials!(CliConfigProvider, "cli_config", cached);
