//! The request's path and query string, decoded with `oss-sign-core`'s one strict codec and
//! parser (`%+F`, `%G0` or a truncated `%4` are refused, never decoded leniently), and turned
//! into OSS's error answers when they are not valid.

use oss_sign_core::encoding::decode_strict;
use oss_sign_core::query::parse_query;

use crate::oss_error::OssError;

/// Percent-decodes a request path; a bad escape or invalid UTF-8 is `400 InvalidURI`.
pub(crate) fn decode_path(raw: &str) -> Result<String, OssError> {
    decode_strict(raw).map(|p| p.into_owned()).map_err(|e| {
        OssError::new(
            400,
            "InvalidURI",
            format!("The request path is not valid percent-encoding: {e}"),
        )
    })
}

/// The decoded `(name, value)` pairs of a raw query string (`+` is kept as is, like OSS); a
/// parameter that is not valid percent-encoding is `400 InvalidArgument` naming it.
pub(crate) fn query_pairs(raw: &str) -> Result<Vec<(String, String)>, OssError> {
    parse_query(raw)
        .map(|pair| {
            pair.map(|p| p.into_owned()).map_err(|e| {
                OssError::new(400, "InvalidArgument", format!("Invalid argument: {e}"))
                    .extra("ArgumentName", e.parameter().to_string())
            })
        })
        .collect()
}

/// The value of the first parameter called `name`.
pub(crate) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_decode_strictly() {
        assert_eq!(decode_path("/a%20b%2Fc").unwrap(), "/a b/c");
        assert_eq!(decode_path("%E4%B8%AD").unwrap(), "中");
        for bad in ["%zz", "%4", "%FF", "/a%+Fb", "%-1"] {
            let e = decode_path(bad).unwrap_err();
            assert_eq!((e.status.as_u16(), e.code), (400, "InvalidURI"), "{bad}");
        }
    }

    /// Regression: the old decoder used `u8::from_str_radix`, which accepts `"+F"`, so `%+F`
    /// decoded to 0x0F where the signature verifier refused it.
    #[test]
    fn plus_sign_escape_is_refused() {
        let e = query_pairs("a=1&b=%+F").unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (400, "InvalidArgument"));
        assert!(e
            .extra
            .iter()
            .any(|(n, v)| *n == "ArgumentName" && v == "b"));
        assert!(decode_path("/bucket/%+F").is_err());
    }

    #[test]
    fn queries_decode_with_plus_literal() {
        let pairs = query_pairs("uploads&partNumber=2&x=a+b%2Bc").unwrap();
        assert_eq!(param(&pairs, "uploads"), Some(""));
        assert_eq!(param(&pairs, "partNumber"), Some("2"));
        assert_eq!(param(&pairs, "x"), Some("a+b+c"));
        assert_eq!(param(&pairs, "y"), None);
    }
}
