//! How a malformed JSON document (credential process output, STS/ECS/URI answers, the Aliyun
//! CLI's `config.json`) is described in errors: by category and position, never by content,
//! because the document may hold a secret; and a credential answer without a field it needs.

use crate::error::{CredentialsError, ErrorKind};

/// Describes a JSON parse failure by category and position, never by content.
pub(crate) fn describe_json_error(error: &serde_json::Error) -> String {
    let category = match error.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected value type",
        serde_json::error::Category::Eof => "unexpected end of input",
    };
    format!(
        "{category} at line {}, column {}",
        error.line(),
        error.column()
    )
}

/// The error for a credential answer (`answer`, e.g. "the credential process output") that
/// lacks `field` or has it empty.
pub(crate) fn missing_field(answer: &str, field: &str) -> CredentialsError {
    CredentialsError::new(
        ErrorKind::Parse,
        format!("{answer} has no {field} (or it is empty)"),
    )
}

/// `value` when present and not empty, else [`missing_field`].
pub(crate) fn required_field<T: AsRef<str>>(
    value: Option<T>,
    answer: &str,
    field: &str,
) -> Result<T, CredentialsError> {
    value
        .filter(|v| !v.as_ref().is_empty())
        .ok_or_else(|| missing_field(answer, field))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_position_not_content() {
        let error =
            serde_json::from_str::<serde_json::Value>("{\"secret\": SECRET-x}").unwrap_err();
        let text = describe_json_error(&error);
        assert_eq!(text, "syntax error at line 1, column 12");
        assert!(!text.contains("SECRET"));
    }

    #[test]
    fn an_empty_field_is_missing() {
        let answer = "the answer";
        assert_eq!(
            required_field(Some("LTAI"), answer, "AccessKeyId").ok(),
            Some("LTAI")
        );
        for value in [None, Some("")] {
            let error = required_field(value, answer, "AccessKeyId").unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Parse);
            assert_eq!(
                error.message(),
                "the answer has no AccessKeyId (or it is empty)"
            );
        }
    }
}
