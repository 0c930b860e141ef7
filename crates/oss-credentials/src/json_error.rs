//! How a malformed JSON document (credential process output, STS/ECS/URI answers, the Aliyun
//! CLI's `config.json`) is described in errors: by category and position, never by content,
//! because the document may hold a secret.

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
}
