//! One profile with its `source-profile` chain, and how its `mode` (or, without one, the keys
//! it has) turns it into a credential source.

use super::sections::{normalize_key, ParsedFile, Section};
use crate::error::{CredentialsError, ErrorKind};
use crate::role_config::{check_duration, RoleConfig};
use crate::source::CredentialSource;
use crate::Credentials;
use std::path::{Path, PathBuf};

/// Longest `source-profile` chain followed.
const MAX_SOURCE_DEPTH: usize = 8;

/// A profile with its `source-profile` chain, looked up key by key.
pub(super) struct ProfileView<'a> {
    pub(super) name: String,
    chain: Vec<&'a Section>,
    file: &'a Path,
}

impl<'a> ProfileView<'a> {
    pub(super) fn new(
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

    pub(super) fn value(&self, key: &str) -> Option<String> {
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

    pub(super) fn credential_source(&self) -> Result<CredentialSource, CredentialsError> {
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
