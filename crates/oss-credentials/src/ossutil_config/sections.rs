//! The file's syntax: `[section]` headers (`[default]`, `[profile NAME]`, ossutil 1.0's
//! `[Credentials]`, others read and ignored), `key = value` entries, and the one spelling of a
//! key (`access-key-id`, `access_key_id` and `AccessKeyId` are one key).

use crate::error::{CredentialsError, ErrorKind};
use std::collections::HashMap;
use std::path::Path;

/// A key in its one spelling: lower case, without `-` and `_`.
pub(super) fn normalize_key(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// One section: its header line and its entries (normalized key -> value, line).
#[derive(Debug, Default)]
pub(super) struct Section {
    pub(super) line: usize,
    pub(super) entries: HashMap<String, (String, usize)>,
}

/// The sections that matter: profiles (by lower-cased name) and ossutil 1.0's
/// `[Credentials]`.
#[derive(Debug, Default)]
pub(super) struct ParsedFile {
    pub(super) profiles: HashMap<String, Section>,
    pub(super) legacy_credentials: Option<Section>,
}

/// What a section header names.
pub(super) enum Header {
    Profile(String),
    LegacyCredentials,
    /// `[buckets ...]`, `[Bucket-Endpoint]`, `[Bucket-Cname]` and anything else: read, not used.
    Other,
}

pub(super) fn classify(name: &str) -> Header {
    let lower = name.to_ascii_lowercase();
    let mut words = lower.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some("default"), None, None) => Header::Profile("default".into()),
        (Some("profile"), Some(profile), None) => Header::Profile(profile.into()),
        (Some("credentials"), None, None) => Header::LegacyCredentials,
        _ => Header::Other,
    }
}

pub(super) fn parse(text: &str, file: &Path) -> Result<ParsedFile, CredentialsError> {
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
    // A parse error at `line_no` of the file, saying `what` is wrong.
    let syntax = |line_no: usize, what: &str| {
        CredentialsError::new(
            ErrorKind::Parse,
            format!("{}, line {line_no}: {what}", file.display()),
        )
    };
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let Some(name) = rest.strip_suffix(']') else {
                return Err(syntax(line_no, "a section header must look like `[default]`, `[profile NAME]` or `[buckets NAME]`"));
            };
            if name.trim().is_empty() {
                return Err(syntax(line_no, "empty section name"));
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
            return Err(syntax(
                line_no,
                "`key = value` before any `[section]` header",
            ));
        };
        let Some((key, value)) = line.split_once('=') else {
            return Err(syntax(
                line_no,
                "expected `key = value`, a `[section]` header or a comment",
            ));
        };
        if key.trim().is_empty() {
            return Err(syntax(line_no, "a key is empty"));
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
