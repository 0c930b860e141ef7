//! Input rules checked before anything is signed: bucket names, object keys, regions,
//! HTTP methods, header names and values.
//!
//! Every function returns an [`Error`] whose message names the field, the offending
//! value and the rule, so that a user can fix the input without reading this code.
//!
//! ```
//! use oss_client::{validation, ErrorKind};
//!
//! assert!(validation::validate_bucket_name("examplebucket").is_ok());
//! assert!(validation::validate_object_key("dir/中文.txt").is_ok());
//! assert!(validation::validate_region("cn-hangzhou").is_ok());
//!
//! let err = validation::validate_bucket_name("my_bucket").unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::InvalidBucketName);
//! assert_eq!(
//!     err.to_string(),
//!     "invalid bucket name: bucket \"my_bucket\" contains '_' at byte 2; only lower-case \
//!      letters a-z, digits 0-9 and '-' are allowed"
//! );
//! ```

use crate::error::{quoted, Error, ErrorKind};

/// Shortest bucket name OSS accepts.
pub const BUCKET_NAME_MIN_LEN: usize = 3;
/// Longest bucket name OSS accepts.
pub const BUCKET_NAME_MAX_LEN: usize = 63;
/// Longest object key, in bytes of UTF-8.
pub const OBJECT_KEY_MAX_BYTES: usize = 1023;

/// The bytes a bucket name may hold: `a-z`, `0-9` and `-`.
const BUCKET_NAME_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-';
        b += 1;
    }
    table
};

/// Whether every byte is `a-z`, `0-9` or `-`: eight bytes at a time in one `u64` (the last
/// word overlapping the one before), a table look-up each for names under eight bytes.
#[inline]
fn bucket_name_bytes_only(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = ONES * 0x80;
    // The high bit of each byte set where `lo <= byte <= hi`, for bytes below 0x80 (so no
    // sum carries into the next byte: each stays at most 0x80 + 0x7f).
    let in_range = |word: u64, lo: u8, hi: u8| {
        word.wrapping_add(ONES * u64::from(0x80 - lo))
            & !word.wrapping_add(ONES * u64::from(0x7f - hi))
            & HIGHS
    };
    let word_allowed = |word: u64| {
        word & HIGHS == 0
            && (in_range(word, b'a', b'z')
                | in_range(word, b'0', b'9')
                | in_range(word, b'-', b'-'))
                == HIGHS
    };
    let word_at = |at: usize| {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(word)
    };
    if bytes.len() < 8 {
        return bytes
            .iter()
            .fold(true, |ok, &b| ok & BUCKET_NAME_BYTES[usize::from(b)]);
    }
    let mut allowed = word_allowed(word_at(bytes.len() - 8));
    let mut at = 0;
    while at + 8 <= bytes.len() {
        allowed &= word_allowed(word_at(at));
        at += 8;
    }
    allowed
}

/// Checks a bucket name: 3-63 characters, only `a-z`, `0-9` and `-`, not starting or ending
/// with `-`.
///
/// ```
/// use oss_client::validation::validate_bucket_name;
///
/// assert!(validate_bucket_name("bucket-2024-11-12").is_ok());
/// assert!(validate_bucket_name("123bucket").is_ok());
/// for bad in ["ab", "-abc", "abc-", "Abc", "a_b", "a.b", "buck et", &"a".repeat(64)] {
///     assert!(validate_bucket_name(bad).is_err(), "{bad}");
/// }
/// ```
#[inline]
pub fn validate_bucket_name(bucket: &str) -> Result<(), Error> {
    let bytes = bucket.as_bytes();
    // One branch-free pass over the bytes and two end checks; the error (which names what is
    // wrong) is written out of line, so the usual pass saves and restores no registers for it.
    if bucket_name_bytes_only(bytes)
        && (BUCKET_NAME_MIN_LEN..=BUCKET_NAME_MAX_LEN).contains(&bytes.len())
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
    {
        return Ok(());
    }
    Err(bucket_name_error(bucket))
}

/// The error of a bucket name [`validate_bucket_name`] refuses: the first rule it breaks, in
/// the order characters, length, ends.
#[cold]
#[inline(never)]
fn bucket_name_error(bucket: &str) -> Error {
    const RULE: &str =
        "a bucket name has 3-63 characters: lower-case letters a-z, digits 0-9 and '-'";
    let bytes = bucket.as_bytes();
    let offending = bucket
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
    if let Some((at, c)) = offending {
        return Error::new(
            ErrorKind::InvalidBucketName,
            "bucket",
            format!(
                "bucket {} contains {} at byte {at}; only lower-case letters a-z, digits 0-9 and '-' are allowed",
                quoted(bucket),
                describe_char(c)
            ),
        );
    }
    // Only ASCII from here on, so bytes == characters.
    if bytes.len() < BUCKET_NAME_MIN_LEN || bytes.len() > BUCKET_NAME_MAX_LEN {
        return Error::new(
            ErrorKind::InvalidBucketName,
            "bucket",
            format!(
                "bucket {} is {} characters long; {RULE}",
                quoted(bucket),
                bytes.len()
            ),
        );
    }
    Error::new(
        ErrorKind::InvalidBucketName,
        "bucket",
        format!(
            "bucket {} must not start or end with '-'; {RULE}",
            quoted(bucket)
        ),
    )
}

/// Checks an object key: 1 to 1023 bytes of UTF-8 (Rust strings are always valid UTF-8).
///
/// The key is otherwise used exactly as given: no trimming, no Unicode normalisation, and
/// leading `/`, spaces, `..` segments are all allowed (and signed as such).
///
/// ```
/// use oss_client::validation::validate_object_key;
///
/// assert!(validate_object_key(" ").is_ok());
/// assert!(validate_object_key(&"中".repeat(341)).is_ok()); // 1023 bytes
/// assert!(validate_object_key(&"中".repeat(342)).is_err()); // 1026 bytes
/// assert!(validate_object_key("").is_err());
/// ```
#[inline]
pub fn validate_object_key(key: &str) -> Result<(), Error> {
    if key.is_empty() || key.len() > OBJECT_KEY_MAX_BYTES {
        return Err(object_key_error(key));
    }
    Ok(())
}

/// The error of a key [`validate_object_key`] refuses (written out of line).
#[cold]
#[inline(never)]
fn object_key_error(key: &str) -> Error {
    if key.is_empty() {
        return Error::new(
            ErrorKind::InvalidObjectKey,
            "key",
            "key \"\" is empty; an object key is 1-1023 bytes of UTF-8",
        );
    }
    Error::new(
        ErrorKind::InvalidObjectKey,
        "key",
        format!(
            "key {} is {} bytes of UTF-8 ({} characters); an object key is at most {OBJECT_KEY_MAX_BYTES} bytes",
            quoted(key),
            key.len(),
            key.chars().count()
        ),
    )
}

/// The extra key rule of V1 signing: a key starting with `?` cannot be expressed (the V1
/// resource string would read it as a sub-resource), so it is refused. V4 signs such keys.
pub(crate) fn validate_object_key_v1(key: &str) -> Result<(), Error> {
    if key.starts_with('?') {
        return Err(Error::new(
            ErrorKind::InvalidObjectKey,
            "key",
            format!(
                "key {} starts with '?', which V1 signatures cannot express; use V4 signing or another key",
                quoted(key)
            ),
        ));
    }
    Ok(())
}

/// Checks a region id such as `cn-hangzhou`: non-empty, only `a-z`, `0-9` and `-` (each `-`
/// between two non-empty parts, so `cn-` is refused: it would give host `oss-cn-.aliyuncs.com`), and not
/// the OSS region id form with an `oss-` prefix (`oss-cn-hangzhou`), which would produce a
/// wrong host (`oss-oss-cn-hangzhou...`) and a wrong V4 scope.
///
/// ```
/// use oss_client::validation::validate_region;
///
/// assert!(validate_region("cn-shanghai-finance-1").is_ok());
/// let err = validate_region("oss-cn-hangzhou").unwrap_err();
/// assert!(err.message().contains("drop the \"oss-\" prefix"));
/// assert!(validate_region("CN-HANGZHOU").is_err());
/// // every '-' joins two non-empty parts
/// for bad in ["cn-", "-cn", "cn--hangzhou", "-"] {
///     assert!(validate_region(bad).is_err(), "{bad}");
/// }
/// ```
pub fn validate_region(region: &str) -> Result<(), Error> {
    validate_region_like(region, "region")
}

/// Same rule as [`validate_region`], for a cloud box id (`cb-...`), which replaces the region
/// in the V4 scope.
pub(crate) fn validate_cloud_box_id(id: &str) -> Result<(), Error> {
    validate_region_like(id, "cloud_box_id")
}

fn validate_region_like(region: &str, field: &'static str) -> Result<(), Error> {
    let what = if field == "region" {
        "a region id such as \"cn-hangzhou\""
    } else {
        "a cloud box id such as \"cb-f8z7yvzgwfkl9q0h\""
    };
    if region.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidRegion,
            field,
            format!("{field} is empty; give {what}"),
        ));
    }
    if let Some((at, c)) = region
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
    {
        return Err(Error::new(
            ErrorKind::InvalidRegion,
            field,
            format!(
                "{field} {} contains {} at byte {at}; {what} has only lower-case letters a-z, digits 0-9 and '-'",
                quoted(region),
                describe_char(c)
            ),
        ));
    }
    if region.starts_with('-') || region.ends_with('-') || region.contains("--") {
        return Err(Error::new(
            ErrorKind::InvalidRegion,
            field,
            format!(
                "{field} {} has an empty part between '-' (or one at either end); {what} is words of a-z and 0-9 joined by single '-'",
                quoted(region)
            ),
        ));
    }
    if field == "region" {
        if let Some(rest) = region.strip_prefix("oss-") {
            return Err(Error::new(
                ErrorKind::InvalidRegion,
                field,
                format!(
                    "region {} starts with \"oss-\", the endpoint prefix; use the region id {} (drop the \"oss-\" prefix)",
                    quoted(region),
                    quoted(rest)
                ),
            ));
        }
    }
    Ok(())
}

/// Checks an HTTP method token and returns it upper-cased (`get` becomes `GET`).
pub(crate) fn normalize_method(method: &str) -> Result<String, Error> {
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(Error::new(
            ErrorKind::InvalidRequest,
            "method",
            format!(
                "method {} is not an HTTP method; use letters only, e.g. GET, PUT, HEAD, POST or DELETE",
                quoted(method)
            ),
        ));
    }
    Ok(method.to_ascii_uppercase())
}

/// Checks a header name (an HTTP token) and value (no control characters except tab).
pub(crate) fn validate_header(name: &str, value: &str) -> Result<(), Error> {
    if !oss_sign_core::is_http_token(name) {
        return Err(Error::new(
            ErrorKind::InvalidRequest,
            "header",
            format!(
                "header name {} is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)",
                quoted(name)
            ),
        ));
    }
    // Printable ASCII (and tab) needs no look at characters: one branch-free pass over the
    // bytes; anything else (a control byte, or non-ASCII text, which may hold a C1 control)
    // is looked at character by character.
    if is_printable_ascii(value.as_bytes()) {
        return Ok(());
    }
    if let Some(c) = value.chars().find(|&c| c.is_control() && c != '\t') {
        return Err(Error::new(
            ErrorKind::InvalidRequest,
            "header",
            format!(
                "header {name} has a value with the control character {}; header values must not contain line breaks or control characters",
                describe_char(c)
            ),
        ));
    }
    Ok(())
}

/// Whether every byte is printable ASCII (`0x20..=0x7e`) or tab. Eight bytes at a time: a word
/// with no byte below `0x20` and none above `0x7e` passes with a few word operations; a word
/// with one (a tab, say) is looked at byte by byte.
fn is_printable_ascii(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let exact = |chunk: &[u8]| {
        chunk
            .iter()
            .all(|&b| (0x20..0x7f).contains(&b) || b == b'\t')
    };
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        // "some byte is below 0x20" and "some byte is 0x7f or above", each exact as a yes/no.
        let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
        let from_del = (word.wrapping_add(ONES) | word) & HIGHS;
        if (below_space | from_del) != 0 && !exact(chunk) {
            return false;
        }
    }
    exact(chunks.remainder())
}

fn describe_char(c: char) -> String {
    if c.is_ascii_graphic() {
        format!("'{c}'")
    } else {
        format!("{:?} (U+{:04X})", c, c as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The word-at-a-time byte check answers what a table look-up per byte answers.
        #[test]
        fn bucket_bytes_word_check_is_the_table(
            bytes in proptest::collection::vec(proptest::prop_oneof![
                proptest::sample::select(b"az09-_.A/ \x7f\x80\xff`{,:@".to_vec()),
                proptest::num::u8::ANY,
            ], 0..70),
        ) {
            let table = bytes.iter().all(|&b| BUCKET_NAME_BYTES[usize::from(b)]);
            proptest::prop_assert_eq!(bucket_name_bytes_only(&bytes), table);
            let allowed: Vec<u8> = bytes.iter().map(|&b| if BUCKET_NAME_BYTES[usize::from(b)] { b } else { b'a' }).collect();
            proptest::prop_assert!(bucket_name_bytes_only(&allowed));
        }
    }

    #[test]
    fn bucket_bytes_every_byte_at_every_place() {
        for len in [1, 7, 8, 9, 15, 16, 17, 63] {
            for at in 0..len {
                for byte in 0..=255u8 {
                    let mut name = vec![b'a'; len];
                    name[at] = byte;
                    assert_eq!(
                        bucket_name_bytes_only(&name),
                        BUCKET_NAME_BYTES[usize::from(byte)],
                        "{len} {at} {byte}"
                    );
                }
            }
        }
    }

    #[test]
    fn method_is_upper_cased_and_checked() {
        assert_eq!(normalize_method("get").ok().as_deref(), Some("GET"));
        assert_eq!(normalize_method("DELETE").ok().as_deref(), Some("DELETE"));
        for bad in ["", "GE T", "GET\n", "G3T"] {
            let err = normalize_method(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidRequest);
            assert_eq!(err.field(), Some("method"));
        }
    }

    #[test]
    fn header_rules() {
        assert!(validate_header("x-oss-meta-cn", "中文").is_ok());
        assert!(validate_header("Content-Type", "text/plain; charset=utf-8").is_ok());
        assert!(validate_header("X", " spaced\tvalue ").is_ok());
        let err = validate_header("bad name", "v").unwrap_err();
        assert!(err.message().contains("\"bad name\""), "{err}");
        let err = validate_header("x-oss-meta-a", "line\r\nbreak").unwrap_err();
        assert!(err.message().contains("U+000D"), "{err}");
        assert!(validate_header("", "v").is_err());
    }

    /// The header check as it was before its fast paths (issue 17): a character scan of every
    /// value and a `matches!` per name byte.
    fn reference_header_check(name: &str, value: &str) -> bool {
        let token = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        token && !value.chars().any(|c| c.is_control() && c != '\t')
    }

    proptest::proptest! {
        #[test]
        fn header_check_answers_what_the_character_scan_answered(
            name in "[a-zA-Z0-9 !#$%&'*+.^_`|~(),:;\"/-]{0,12}",
            value in "[ -~\t\r\n\u{0}\u{7f}\u{80}\u{85}\u{9f}\u{a0}\u{e9}\u{6587}]{0,40}",
        ) {
            let ours = validate_header(&name, &value);
            proptest::prop_assert_eq!(ours.is_ok(), reference_header_check(&name, &value), "{:?}", ours);
        }
    }

    #[test]
    fn c1_controls_and_del_are_refused() {
        for value in ["a\u{85}b", "\u{9f}", "x\u{7f}", "\u{0}"] {
            let err = validate_header("x-oss-meta-a", value).unwrap_err();
            assert!(err.message().contains("control character"), "{err}");
        }
        assert!(validate_header("x-oss-meta-a", "caf\u{e9}\u{a0}").is_ok());
    }

    #[test]
    fn v1_key_rule() {
        assert!(validate_object_key_v1("a?b").is_ok());
        let err = validate_object_key_v1("?acl").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidObjectKey);
        assert!(err.message().contains("V1"));
    }

    #[test]
    fn cloud_box_id_rule() {
        assert!(validate_cloud_box_id("cb-123").is_ok());
        let err = validate_cloud_box_id("CB_1").unwrap_err();
        assert_eq!(err.field(), Some("cloud_box_id"));
    }
}
