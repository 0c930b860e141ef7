//! Which headers V4 and V1 sign by their name alone.

/// Whether V4 and V1 sign a header by its name alone, without it being listed as an additional
/// header: `x-oss-*`, `content-type` and `content-md5`, in any case.
///
/// The `x-oss-` prefix is one test of the first six bytes as a word (`| 0x20` lowers the four
/// letters and equals their lower case for no other byte; the two `-` are compared exactly);
/// the two `content-*` names are looked at out of line, only for their lengths.
///
/// ```
/// use oss_sign_core::is_signed_by_default;
/// assert!(is_signed_by_default("X-Oss-Meta-A"));
/// assert!(is_signed_by_default("Content-Type"));
/// assert!(is_signed_by_default("CONTENT-MD5"));
/// assert!(!is_signed_by_default("Range"));
/// assert!(!is_signed_by_default("x-oss"));
/// ```
#[inline]
pub fn is_signed_by_default(name: &str) -> bool {
    // `x-oss-` with its letters' case bit set, as a little-endian word of six bytes.
    const PREFIX: u64 = u64::from_le_bytes(*b"x-oss-\0\0");
    const LETTERS: u64 = u64::from_le_bytes([0x20, 0, 0x20, 0x20, 0x20, 0, 0, 0]);
    let b = name.as_bytes();
    match b.first_chunk::<6>() {
        Some(&[b0, b1, b2, b3, b4, b5]) => {
            let word = u64::from_le_bytes([b0, b1, b2, b3, b4, b5, 0, 0]);
            word | LETTERS == PREFIX || (matches!(b.len(), 11 | 12) && is_content_name(name))
        }
        None => false,
    }
}

/// `content-type` or `content-md5`, in any case.
#[inline(never)]
fn is_content_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("content-type") || name.eq_ignore_ascii_case("content-md5")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_by_name_alone() {
        for name in [
            "x-oss-meta-a",
            "X-OSS-",
            "X-Oss-Date",
            "content-type",
            "Content-Type",
            "CONTENT-MD5",
        ] {
            assert!(is_signed_by_default(name), "{name}");
        }
        for name in [
            "",
            "x-oss",
            "x_oss-a",
            "y-oss-a",
            "x-osz-a",
            "content-typ",
            "content-types",
            "Range",
            "x-os--a",
            "content-md55",
        ] {
            assert!(!is_signed_by_default(name), "{name}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_word_test_is_the_byte_test(name in "[xX\r-][-\r][oO/][sS3][sS3][-\r]{0,1}[a-z]{0,8}|(?i:content-(type|md5))[a-z]{0,1}|.{0,14}") {
            let lower = name.to_ascii_lowercase();
            let expected = (name.len() >= 6 && lower.as_bytes()[..6] == *b"x-oss-")
                || lower == "content-type"
                || lower == "content-md5";
            proptest::prop_assert_eq!(is_signed_by_default(&name), expected);
        }
    }
}
