//! `oss://bucket/key` object arguments, as ossutil and the SDK samples write them.
//!
//! Everything after the first `/` following the bucket is the key, byte for byte: no
//! percent-decoding, no trimming, so spaces, Unicode, `?`, `#`, `%` and repeated `/` stay
//! exactly as written (the shell's quoting is the only escaping needed).

use crate::arg_text::excerpt;

/// The scheme prefix, matched case-insensitively.
pub(crate) const SCHEME: &str = "oss://";

/// Whether `text` starts with `oss://` (any case).
pub(crate) fn is_oss_uri(text: &str) -> bool {
    text.get(..SCHEME.len())
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case(SCHEME))
}

/// Splits `oss://bucket/key` into bucket and key (both borrowed from `text`). The bucket and
/// key rules themselves are checked later by the client, with its own messages.
pub(crate) fn parse(text: &str) -> Result<(&str, &str), String> {
    // Every refusal quotes the argument, then says what is wrong with it.
    let refuse = |problem: &str| format!("{} {problem}", excerpt(text));
    if !is_oss_uri(text) {
        return Err(refuse(
            "is not an oss:// URI; write the object as oss://BUCKET/KEY (or use --bucket and --key)",
        ));
    }
    let rest = &text[SCHEME.len()..];
    let Some((bucket, key)) = rest.split_once('/') else {
        return Err(refuse(
            "names a bucket but no object; write oss://BUCKET/KEY",
        ));
    };
    if bucket.is_empty() {
        return Err(refuse("has no bucket; write oss://BUCKET/KEY"));
    }
    if key.is_empty() {
        return Err(refuse(
            "names a bucket but no object (the key after the '/' is empty); write oss://BUCKET/KEY",
        ));
    }
    Ok((bucket, key))
}

/// The object of a single-object command: `oss://bucket/key`, or `--bucket` and `--key`.
pub(crate) fn target<'a>(
    object: Option<&'a str>,
    bucket: Option<&'a str>,
    key: Option<&'a str>,
) -> Result<(&'a str, &'a str), String> {
    match (object, bucket, key) {
        (Some(uri), None, None) => parse(uri),
        (Some(_), _, _) => Err(
            "give the object either as oss://BUCKET/KEY or with --bucket and --key, not both"
                .to_string(),
        ),
        (None, Some(bucket), Some(key)) => Ok((bucket, key)),
        (None, Some(_), None) => {
            Err("--bucket needs --key KEY (or give the object as oss://BUCKET/KEY)".to_string())
        }
        (None, None, Some(_)) => {
            Err("--key needs --bucket BUCKET (or give the object as oss://BUCKET/KEY)".to_string())
        }
        (None, None, None) => Err(
            "no object: give oss://BUCKET/KEY, or --bucket and --key, or --list FILE".to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keys_are_taken_verbatim() {
        for key in [
            "k",
            "dir/a b.txt",
            "中文/文件.txt",
            "a?b=c#d",
            "100%25 real%",
            "//double//slash/",
            " leading and trailing ",
            "#",
            "?",
        ] {
            let uri = format!("oss://examplebucket/{key}");
            assert_eq!(parse(&uri), Ok(("examplebucket", key)), "{uri}");
        }
        assert_eq!(parse("OSS://b-1/k"), Ok(("b-1", "k")));
    }

    #[test]
    fn incomplete_uris_are_refused() {
        for bad in [
            "oss://",
            "oss://bucket",
            "oss://bucket/",
            "oss:///key",
            "s3://b/k",
            "b/k",
            "",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let long = format!("oss://{}", "b".repeat(100_000));
        assert!(parse(&long).unwrap_err().len() < 200);
    }

    #[test]
    fn one_way_to_name_the_object() {
        assert_eq!(target(Some("oss://b/k"), None, None), Ok(("b", "k")));
        assert_eq!(target(None, Some("b"), Some("k")), Ok(("b", "k")));
        assert!(target(Some("oss://b/k"), Some("b"), None).is_err());
        assert!(target(Some("oss://b/k"), None, Some("k")).is_err());
        assert!(target(None, Some("b"), None).is_err());
        assert!(target(None, None, Some("k")).is_err());
        assert!(target(None, None, None).is_err());
    }

    proptest! {
        #[test]
        fn any_key_round_trips(bucket in "[a-z0-9][a-z0-9-]{1,61}[a-z0-9]", key in "\\PC{1,100}") {
            let uri = format!("oss://{bucket}/{key}");
            prop_assert_eq!(parse(&uri), Ok((bucket.as_str(), key.as_str())));
        }

        #[test]
        fn never_panics(text in "\\PC{0,40}") {
            let _ = parse(&text);
        }
    }
}
