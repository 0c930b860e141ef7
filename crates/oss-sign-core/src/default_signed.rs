//! Which headers V4 and V1 sign by their name alone.

/// Whether V4 and V1 sign a header by its name alone, without it being listed as an additional
/// header: `x-oss-*`, `content-type` and `content-md5`, in any case.
///
/// Byte tests instead of `eq_ignore_ascii_case` calls where they can: `b | 0x20` is the lower
/// case of a letter and equals it for no other byte.
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
    let b = name.as_bytes();
    match b.len() {
        0..=5 => false,
        len => {
            (b[0] | 0x20 == b'x'
                && b[1] == b'-'
                && b[2] | 0x20 == b'o'
                && b[3] | 0x20 == b's'
                && b[4] | 0x20 == b's'
                && b[5] == b'-')
                || (len == 12 && name.eq_ignore_ascii_case("content-type"))
                || (len == 11 && name.eq_ignore_ascii_case("content-md5"))
        }
    }
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
}
