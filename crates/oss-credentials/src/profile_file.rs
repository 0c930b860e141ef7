//! [`ProfileFileProvider`]: the INI credentials file of the Alibaba Cloud credentials SDKs
//! (`~/.alibabacloud/credentials`, or `credentials.ini`).

use crate::env::Environment;
use crate::error::{CredentialsError, ErrorKind};
use crate::lazy_provider::LazyProvider;
use crate::provider::{CredentialsFuture, ProvideCredentials};
use crate::role_config::{check_duration, RoleConfig};
use crate::source::CredentialSource;
use crate::Credentials;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One `[section]` of an INI file.
#[derive(Debug, Default)]
struct Section {
    line: usize,
    entries: HashMap<String, (String, usize)>,
}

impl Section {
    fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .get(key)
            .map(|(v, _)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// Cuts a value at its first `#`, as the official Python reader does (`value.split('#')[0]`):
/// a `#` starts a comment anywhere in a value, even without white space before it, so a
/// secret cannot contain `#`. `;` is kept inside values; it only starts whole-line comments.
fn strip_inline_comment(value: &str) -> &str {
    match value.find('#') {
        Some(index) => &value[..index],
        None => value,
    }
}

fn unquote(value: &str) -> &str {
    let value = value.trim();
    if value.len() >= 2
        && ((value.starts_with('"') && value.ends_with('"'))
            || (value.starts_with('\'') && value.ends_with('\'')))
    {
        &value[1..value.len() - 1]
    } else {
        value
    }
}

/// Parses INI text into sections, with the rules of the official reader (Python's
/// `configparser` in strict mode, then its `#` cut): `key = value` and `key: value` (the first
/// `=` or `:` separates), whole-line `#` and `;` comments, `#` cuts a value, keys are
/// case-insensitive, values trimmed. A repeated `[section]` or a repeated key within a section
/// is refused (never merged). Errors name the file and line, never the line's content.
fn parse_ini(text: &str, file: &Path) -> Result<HashMap<String, Section>, CredentialsError> {
    let mut sections: HashMap<String, Section> = HashMap::new();
    let mut current: Option<String> = None;
    let at = |line_no: usize, what: String| {
        CredentialsError::new(
            ErrorKind::Parse,
            format!("{}, line {line_no}: {what}", file.display()),
        )
    };
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim().trim_start_matches('\u{feff}').trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let header = rest
                .rfind(']')
                .map(|close| (&rest[..close], rest[close + 1..].trim()));
            let Some((name, _)) = header.filter(|(_, after)| {
                after.is_empty() || after.starts_with('#') || after.starts_with(';')
            }) else {
                return Err(at(
                    line_no,
                    String::from("a section header must look like `[name]`"),
                ));
            };
            let name = name.trim().to_owned();
            if name.is_empty() {
                return Err(at(line_no, String::from("empty section name")));
            }
            if let Some(first) = sections.get(&name) {
                return Err(at(
                    line_no,
                    format!(
                        "section [{name}] is repeated (first at line {}); give each section once, sections are never merged",
                        first.line
                    ),
                ));
            }
            sections.insert(
                name.clone(),
                Section {
                    line: line_no,
                    entries: HashMap::new(),
                },
            );
            current = Some(name);
            continue;
        }
        let Some(split) = line.find(['=', ':']) else {
            return Err(at(
                line_no,
                String::from(
                    "expected `key = value` (or `key: value`), a `[section]` header or a comment",
                ),
            ));
        };
        let (key, value) = (&line[..split], &line[split + 1..]);
        let Some(section) = current.as_ref().and_then(|name| sections.get_mut(name)) else {
            return Err(at(
                line_no,
                String::from("`key = value` before any `[section]` header"),
            ));
        };
        let key = key.trim().to_ascii_lowercase();
        if key.is_empty() {
            return Err(at(
                line_no,
                String::from("a `key = value` line without a key"),
            ));
        }
        if let Some((_, first)) = section.entries.get(&key) {
            return Err(at(
                line_no,
                format!("`{key}` is repeated in this section (first at line {first}); give each key once"),
            ));
        }
        let value = unquote(strip_inline_comment(value)).to_owned();
        section.entries.insert(key, (value, line_no));
    }
    Ok(sections)
}

/// Resolves one section into a [`CredentialSource`].
fn section_to_source(
    section: &Section,
    profile: &str,
    file: &Path,
) -> Result<CredentialSource, CredentialsError> {
    let place = || {
        format!(
            "profile [{profile}] of {} (line {})",
            file.display(),
            section.line
        )
    };
    let required = |key: &str| -> Result<String, CredentialsError> {
        section.get(key).map(str::to_owned).ok_or_else(|| {
            CredentialsError::new(
                ErrorKind::InvalidConfig,
                format!("{}: `{key}` is missing or empty", place()),
            )
        })
    };
    let optional = |key: &str| section.get(key).map(str::to_owned);
    let duration = |key: &str| -> Result<Option<u64>, CredentialsError> {
        match section.entries.get(key) {
            None => Ok(None),
            Some((value, line)) if value.is_empty() => {
                let _ = line;
                Ok(None)
            }
            Some((value, line)) => match value.parse::<u64>() {
                Ok(seconds) => {
                    check_duration(seconds, &format!("{} (line {line})", place()))?;
                    Ok(Some(seconds))
                }
                Err(_) => Err(CredentialsError::new(
                    ErrorKind::InvalidConfig,
                    format!(
                        "{}, line {line}: `{key}` must be a whole number of seconds (900 or more)",
                        place()
                    ),
                )),
            },
        }
    };
    let keys = |id_key: &str, secret_key: &str| -> Result<Credentials, CredentialsError> {
        let id = required(id_key)?;
        let secret = required(secret_key)?;
        Credentials::new(id, secret)
    };
    if section
        .get("enable")
        .is_some_and(|v| v.eq_ignore_ascii_case("false"))
    {
        return Err(CredentialsError::new(
            ErrorKind::NotLoaded,
            format!("{} is disabled (`enable = false`)", place()),
        ));
    }
    let kind = section.get("type").ok_or_else(|| {
        CredentialsError::new(
            ErrorKind::InvalidConfig,
            format!(
                "{}: `type` is missing; expected access_key, sts, ram_role_arn, oidc_role_arn or ecs_ram_role",
                place()
            ),
        )
    })?;
    let role = |role_arn: String| -> Result<RoleConfig, CredentialsError> {
        Ok(RoleConfig {
            role_arn,
            role_session_name: optional("role_session_name"),
            duration_seconds: duration("role_session_expiration")?,
            policy: optional("policy"),
            external_id: optional("external_id"),
            sts_region: optional("region_id").or_else(|| optional("sts_region")),
            enable_vpc: section
                .get("enable_vpc")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
            sts_endpoint: optional("sts_endpoint"),
        })
    };
    let source = match kind {
        "access_key" => CredentialSource::Static(
            keys("access_key_id", "access_key_secret")?.with_provider_name("profile_file"),
        ),
        "sts" => {
            let credentials = keys("access_key_id", "access_key_secret")?;
            let token = required("security_token")?;
            CredentialSource::Static(
                credentials
                    .with_security_token(token)
                    .with_provider_name("profile_file"),
            )
        }
        "ram_role_arn" => {
            let credentials =
                keys("access_key_id", "access_key_secret")?.with_provider_name("profile_file");
            let role = role(required("role_arn")?)?;
            CredentialSource::AssumeRole {
                source: Box::new(CredentialSource::Static(credentials)),
                role,
            }
        }
        "oidc_role_arn" => {
            let role = role(required("role_arn")?)?;
            CredentialSource::Oidc {
                role,
                oidc_provider_arn: required("oidc_provider_arn")?,
                oidc_token_file: PathBuf::from(required("oidc_token_file_path")?),
            }
        }
        "ecs_ram_role" => CredentialSource::EcsRamRole {
            role_name: optional("role_name"),
        },
        "rsa_key_pair" | "bearer" => {
            return Err(CredentialsError::new(
                ErrorKind::Unsupported,
                format!(
                    "{}: type `{kind}` is not supported (rsa_key_pair is deprecated, bearer tokens do not work with OSS)",
                    place()
                ),
            ))
        }
        other => {
            return Err(CredentialsError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "{}: unknown type `{}`; expected access_key, sts, ram_role_arn, oidc_role_arn or ecs_ram_role",
                    place(),
                    other.escape_debug()
                ),
            ))
        }
    };
    Ok(source)
}

file_provider! {
    /// Reads the INI credentials file of the Alibaba Cloud credentials SDKs.
    ///
    /// File: `ALIBABA_CLOUD_CREDENTIALS_FILE`, else `~/.alibabacloud/credentials`, else
    /// `~/.alibabacloud/credentials.ini`. Profile (section): `ALIBABA_CLOUD_PROFILE`, else
    /// `default`. Types: `access_key`, `sts`, `ram_role_arn`, `oidc_role_arn`, `ecs_ram_role`
    /// (the last three need the `http` feature). A section with `enable = false` is skipped.
    ///
    /// Errors name the file, the line and the profile, never a value. A missing file or section
    /// is [`ErrorKind::NotLoaded`] (a chain moves on); a broken one is an error.
    ///
    /// The file is read on the first request; the provider it describes is kept (with its cache)
    /// for later requests.
    ///
    /// ```
    /// use oss_credentials::{CredentialSource, Environment, ProfileFileProvider};
    ///
    /// let home = tempfile::tempdir()?;
    /// std::fs::create_dir(home.path().join(".alibabacloud"))?;
    /// std::fs::write(
    ///     home.path().join(".alibabacloud/credentials"),
    ///     "[default]\ntype = access_key\naccess_key_id = LTAIexample\naccess_key_secret = example-secret\n",
    /// )?;
    /// let env = Environment::from_map::<&str, &str>([]).with_home_dir(home.path());
    /// let provider = ProfileFileProvider::with_environment(env);
    /// match provider.resolve()? {
    ///     CredentialSource::Static(creds) => assert_eq!(creds.access_key_id(), "LTAIexample"),
    ///     other => panic!("unexpected {other:?}"),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct ProfileFileProvider("profile_file");

    /// Reads this file instead of the default locations.
    pub fn path(path);

    /// Uses this profile (section) instead of `ALIBABA_CLOUD_PROFILE` / `default`.
    pub fn profile(profile);
}

impl ProfileFileProvider {
    /// The file that would be read, if any; `Ok(None)` when no default file exists.
    fn locate(&self) -> Result<Option<PathBuf>, CredentialsError> {
        if let Some(path) = &self.path {
            return Ok(Some(path.clone()));
        }
        if let Some(path) = self.env.get("ALIBABA_CLOUD_CREDENTIALS_FILE") {
            return Ok(Some(PathBuf::from(path)));
        }
        let Some(home) = self.env.home_dir() else {
            return Ok(None);
        };
        for name in ["credentials", "credentials.ini"] {
            let candidate = home.join(".alibabacloud").join(name);
            if candidate.is_file() {
                return Ok(Some(candidate));
            }
        }
        Ok(None)
    }

    /// Reads the file and describes the selected profile, without contacting any service.
    ///
    /// ```
    /// use oss_credentials::{Environment, ErrorKind, ProfileFileProvider};
    /// let env = Environment::from_map([("ALIBABA_CLOUD_CREDENTIALS_FILE", "/nonexistent/credentials")]);
    /// let err = ProfileFileProvider::with_environment(env).resolve().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    /// ```
    pub fn resolve(&self) -> Result<CredentialSource, CredentialsError> {
        self.resolve_inner()
            .map_err(|e| e.with_provider("profile_file"))
    }

    fn resolve_inner(&self) -> Result<CredentialSource, CredentialsError> {
        let Some(path) = self.locate()? else {
            let searched = match self.env.home_dir() {
                Some(home) => {
                    let dir = home.join(".alibabacloud");
                    format!(
                        "{} and {} absent",
                        dir.join("credentials").display(),
                        dir.join("credentials.ini").display()
                    )
                }
                None => String::from("no home directory"),
            };
            return Err(CredentialsError::new(
                ErrorKind::NotLoaded,
                format!("no credentials file (ALIBABA_CLOUD_CREDENTIALS_FILE unset, {searched})"),
            ));
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            CredentialsError::new(
                ErrorKind::InvalidConfig,
                format!("cannot read credentials file {}", path.display()),
            )
            .with_source(e)
        })?;
        let sections = parse_ini(&text, &path)?;
        let profile = self
            .profile
            .clone()
            .or_else(|| self.env.get("ALIBABA_CLOUD_PROFILE"))
            .unwrap_or_else(|| String::from("default"));
        let Some(section) = sections.get(&profile) else {
            return Err(CredentialsError::new(
                ErrorKind::NotLoaded,
                format!("{} has no profile [{profile}]", path.display()),
            ));
        };
        section_to_source(section, &profile, &path)
    }
}

file_provider_credentials!(ProfileFileProvider, "profile_file", cached);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn file() -> PathBuf {
        PathBuf::from("/test/credentials")
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC*") {
            let _ = parse_ini(&text, &file());
        }

        #[test]
        fn a_repeated_section_is_always_refused_with_both_lines(
            name in "[a-z][a-z0-9_-]{0,8}",
            gap in 0usize..4,
        ) {
            let mut text = format!("[{name}]\nkey_one = a\n");
            text.push_str(&"\n".repeat(gap));
            text.push_str(&format!("[ {name} ]\nkey_two = b\n"));
            let err = parse_ini(&text, &file()).unwrap_err();
            prop_assert_eq!(err.kind(), ErrorKind::Parse);
            let message = err.to_string();
            let second = format!("line {}", 3 + gap);
            prop_assert!(message.contains(&second), "{}", message);
            prop_assert!(message.contains("first at line 1"), "{}", message);
        }

        #[test]
        fn a_hash_cuts_a_value_and_a_semicolon_does_not(
            head in "[A-Za-z0-9;:=+/._-]{1,12}",
            tail in "[A-Za-z0-9#;:=+/._ -]{0,12}",
        ) {
            let text = format!("[p]\nkey = {head}#{tail}\n");
            let sections = parse_ini(&text, &file()).unwrap();
            prop_assert_eq!(sections["p"].get("key"), Some(head.trim()));
        }

        #[test]
        fn rendered_sections_parse_back(
            sections in proptest::collection::btree_map(
                "[a-z][a-z0-9_-]{0,8}",
                proptest::collection::btree_map("[a-z][a-z_]{0,10}", "[A-Za-z0-9+/=._:-][A-Za-z0-9+/=._:;-]{0,19}", 0..5),
                1..4,
            )
        ) {
            let mut text = String::from("# generated\n");
            for (name, entries) in &sections {
                text.push_str(&format!("\n[ {name} ]   ; comment\n"));
                for (index, (key, value)) in entries.iter().enumerate() {
                    let separator = if index % 2 == 0 { " = " } else { ": " };
                    text.push_str(&format!("{key}{separator}{value}    # trailing comment\n"));
                }
            }
            let parsed = parse_ini(&text, &file()).unwrap();
            prop_assert_eq!(parsed.len(), sections.len());
            for (name, entries) in &sections {
                let section = &parsed[name];
                prop_assert_eq!(section.entries.len(), entries.len());
                for (key, value) in entries {
                    prop_assert_eq!(section.get(key), Some(value.as_str()));
                }
            }
        }
    }

    #[test]
    fn inline_comments_and_quotes() {
        assert_eq!(strip_inline_comment("abc # x"), "abc ");
        assert_eq!(strip_inline_comment("LTAI#x"), "LTAI");
        assert_eq!(strip_inline_comment("a;b ; c"), "a;b ; c");
        assert_eq!(unquote(" \"q\" "), "q");
        assert_eq!(unquote("'q'"), "q");
        assert_eq!(unquote("\"q'"), "\"q'");
    }

    #[test]
    fn colon_separators_duplicates_and_comment_rules() {
        let text =
            "[default]\ntype: access_key\naccess_key_id = LTAI#x\naccess_key_secret = s;y ; z\n";
        let sections = parse_ini(text, &file()).unwrap();
        let default = &sections["default"];
        assert_eq!(default.get("type"), Some("access_key"));
        assert_eq!(default.get("access_key_id"), Some("LTAI"));
        assert_eq!(default.get("access_key_secret"), Some("s;y ; z"));

        let repeated = "[default]\naccess_key_id = a\n\n[default]\naccess_key_secret = b\n";
        let err = parse_ini(repeated, &file()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Parse);
        assert!(
            err.to_string().contains("/test/credentials, line 4"),
            "{err}"
        );
        assert!(err.to_string().contains("first at line 1"), "{err}");

        let twice = "[p]\nkey = SECRET-one\nKEY = SECRET-two\n";
        let err = parse_ini(twice, &file()).unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
        assert!(!err.to_string().contains("SECRET-"), "{err}");
    }
}
