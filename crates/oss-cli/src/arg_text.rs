//! Quoting user input in messages: at most a short prefix, so that a 130 KB argument does not
//! come back as a 130 KB error, and a guard that refuses over-long arguments before parsing.

use std::ffi::OsString;

/// Characters of a value quoted in a message; longer values are cut and marked.
pub(crate) const EXCERPT_CHARS: usize = 40;

/// The longest command-line argument accepted, in bytes (a whole presigned URL with a security
/// token is about 2 KB; an OSS request header block is at most 8 KB).
pub(crate) const MAX_ARG_BYTES: usize = 16 * 1024;

/// `text` quoted like `{:?}`, cut after [`EXCERPT_CHARS`] characters with `...`.
pub(crate) fn quoted_prefix(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        None => format!("{text:?}"),
        Some((cut, _)) => {
            let shown = format!("{:?}", &text[..cut]);
            let stem = shown.strip_suffix('"').unwrap_or(&shown);
            format!("{stem}...\"")
        }
    }
}

/// [`quoted_prefix`], followed by the full length when the value was cut, e.g.
/// `"aaaaaaaa..." (131072 bytes)`.
pub(crate) fn excerpt(text: &str) -> String {
    let shown = quoted_prefix(text);
    if text.chars().nth(EXCERPT_CHARS).is_some() {
        format!("{shown} ({} bytes)", text.len())
    } else {
        shown
    }
}

/// Refuses any argument longer than [`MAX_ARG_BYTES`], quoting only its beginning; clap would
/// otherwise repeat it whole in its own errors.
pub(crate) fn check_lengths(args: &[OsString]) -> Result<(), String> {
    for (index, arg) in args.iter().enumerate().skip(1) {
        if arg.len() > MAX_ARG_BYTES {
            let text = arg.to_string_lossy();
            return Err(format!(
                "argument {index} is {} bytes long (it begins {}); at most {MAX_ARG_BYTES} bytes are accepted (give many objects with --list FILE)",
                arg.len(),
                quoted_prefix(&text)
            ));
        }
    }
    Ok(())
}

/// Arguments longer than this are shown by their beginning in clap's own errors.
const CLAP_QUOTE_BYTES: usize = 200;

/// Prints clap's error (or help) the way clap does, but with every argument longer than
/// [`CLAP_QUOTE_BYTES`] replaced by its beginning, and returns clap's exit code.
pub(crate) fn clap_failure(error: &clap::Error, args: &[OsString]) -> std::process::ExitCode {
    use std::io::Write as _;
    let mut text = error.render().to_string();
    for arg in args.iter().skip(1) {
        let arg = arg.to_string_lossy();
        if arg.len() > CLAP_QUOTE_BYTES {
            let short = format!("{} ({} bytes)", quoted_prefix(&arg), arg.len());
            text = text.replace(arg.as_ref(), &short);
        }
    }
    let code = u8::try_from(error.exit_code()).unwrap_or(crate::exit_code::USAGE);
    if error.use_stderr() {
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    } else {
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
    }
    std::process::ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn short_values_are_quoted_whole() {
        assert_eq!(excerpt("a b"), "\"a b\"");
        assert_eq!(excerpt(""), "\"\"");
    }

    #[test]
    fn long_values_are_cut() {
        let long = "k".repeat(131_072);
        let shown = excerpt(&long);
        assert!(shown.len() < 80, "{shown}");
        assert!(shown.ends_with("...\" (131072 bytes)"), "{shown}");
        assert!(shown.starts_with("\"kkkk"), "{shown}");
    }

    #[test]
    fn over_long_arguments_are_refused() {
        let ok = vec![
            OsString::from("bin"),
            OsString::from("x".repeat(MAX_ARG_BYTES)),
        ];
        assert!(check_lengths(&ok).is_ok());
        let bad = vec![
            OsString::from("bin"),
            OsString::from("url"),
            OsString::from("y".repeat(MAX_ARG_BYTES + 1)),
        ];
        let message = check_lengths(&bad).unwrap_err();
        assert!(
            message.starts_with("argument 2 is 16385 bytes long (it begins \"yyy"),
            "{message}"
        );
        assert!(message.len() < 200, "{message}");
    }

    proptest! {
        #[test]
        fn excerpts_are_bounded(text in "\\PC{0,300}") {
            let shown = excerpt(&text);
            // 40 characters, each escaped to at most 10 bytes, plus the marker.
            prop_assert!(shown.len() <= EXCERPT_CHARS * 10 + 40);
            if text.chars().count() <= EXCERPT_CHARS {
                prop_assert_eq!(shown, format!("{text:?}"));
            }
        }
    }
}
