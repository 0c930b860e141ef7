//! The OSS URI encoder and its inverse.
//!
//! OSS V4 escapes every byte of the UTF-8 form except the RFC 3986 unreserved characters
//! `A-Z a-z 0-9 - _ . ~`, writing `%` and two **upper-case** hex digits. Space becomes `%20`
//! (never `+`), `+` becomes `%2B`, and `! ' ( ) *` are escaped too. The same function serves the
//! canonical URI (where `/` stays literal) and query names and values (where `/` is `%2F`).
//!
//! ```
//! use oss_sign_core::encoding::{uri_encode, percent_decode};
//! assert_eq!(uri_encode("dir/my file 文.txt", true), "dir/my%20file%20%E6%96%87.txt");
//! assert_eq!(uri_encode("a+b/c", false), "a%2Bb%2Fc");
//! assert_eq!(percent_decode("a%2Bb%2Fc")?, "a+b/c");
//! # Ok::<(), oss_sign_core::SignError>(())
//! ```

use crate::error::shorten;
use crate::error::{SignError, SignErrorKind};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Whether a byte stays literal: the RFC 3986 unreserved set.
#[inline]
pub(crate) const fn is_unreserved(byte: u8) -> bool {
    matches!(byte, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~')
}

/// Encodes `input` with the OSS rules; `keep_slash` leaves `/` literal (canonical URI and URL
/// path) instead of writing `%2F` (query names and values).
///
/// ```
/// use oss_sign_core::encoding::uri_encode;
/// assert_eq!(uri_encode("a b*c~", false), "a%20b%2Ac~");
/// assert_eq!(uri_encode("/bucket/key", true), "/bucket/key");
/// ```
pub fn uri_encode(input: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 2);
    uri_encode_into(&mut out, input, keep_slash);
    out
}

/// Appends the encoding of `input` to `out` (see [`uri_encode`]); no allocation when `out` has room.
///
/// ```
/// use oss_sign_core::encoding::uri_encode_into;
/// let mut url = String::from("/bucket/");
/// uri_encode_into(&mut url, "a+b.txt", true);
/// assert_eq!(url, "/bucket/a%2Bb.txt");
/// ```
pub fn uri_encode_into(out: &mut String, input: &str, keep_slash: bool) {
    let bytes = input.as_bytes();
    let mut start = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        if is_unreserved(byte) || (keep_slash && byte == b'/') {
            continue;
        }
        out.push_str(ascii_run(&bytes[start..index]));
        out.push('%');
        out.push(char::from(HEX_UPPER[usize::from(byte >> 4)]));
        out.push(char::from(HEX_UPPER[usize::from(byte & 0x0f)]));
        start = index + 1;
    }
    out.push_str(ascii_run(&bytes[start..]));
}

/// A run of literal (unreserved or `/`) bytes, which are ASCII and so valid UTF-8.
#[inline]
fn ascii_run(bytes: &[u8]) -> &str {
    core::str::from_utf8(bytes).unwrap_or_default()
}

/// Decodes `%XY` escapes (either hex case). `+` is left as `+`: OSS URLs never use
/// form encoding. The result must be UTF-8.
///
/// ```
/// use oss_sign_core::encoding::percent_decode;
/// assert_eq!(percent_decode("%E6%96%87+x")?, "文+x");
/// assert!(percent_decode("%4").is_err());
/// assert!(percent_decode("%FF").is_err());
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub fn percent_decode(input: &str) -> Result<String, SignError> {
    if !input.contains('%') {
        return Ok(String::from(input));
    }
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte == b'%' {
            let hi = bytes.get(index + 1).and_then(|b| hex_value(*b));
            let lo = bytes.get(index + 2).and_then(|b| hex_value(*b));
            match (hi, lo) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    index += 3;
                }
                _ => {
                    let end = (index + 3).min(bytes.len());
                    let escape = String::from_utf8_lossy(&bytes[index..end]);
                    return Err(SignError::new(
                        SignErrorKind::InvalidEncoding,
                        format!(
                            "malformed percent escape {escape:?} in {:?}: '%' must be followed by two hex digits",
                            shorten(input)
                        ),
                    ));
                }
            }
        } else {
            out.push(byte);
            index += 1;
        }
    }
    String::from_utf8(out).map_err(|_| {
        SignError::new(
            SignErrorKind::InvalidEncoding,
            format!(
                "{:?} does not decode to UTF-8 text: percent escapes must encode UTF-8",
                shorten(input)
            ),
        )
    })
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spec_examples() {
        assert_eq!(
            uri_encode("a+b=c&d?e#f%g~h!i*j'k(l)m;n,o:p@q$r.txt", true),
            "a%2Bb%3Dc%26d%3Fe%23f%25g~h%21i%2Aj%27k%28l%29m%3Bn%2Co%3Ap%40q%24r.txt"
        );
        assert_eq!(uri_encode("文", false), "%E6%96%87");
        assert_eq!(uri_encode("", false), "");
        assert_eq!(uri_encode("abc-_.~", false), "abc-_.~");
        assert_eq!(uri_encode("a/b", false), "a%2Fb");
    }

    proptest! {
        #[test]
        fn encoded_output_uses_only_allowed_bytes_and_decodes_back(input in any::<String>(), keep in any::<bool>()) {
            let encoded = uri_encode(&input, keep);
            let bytes = encoded.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                let b = bytes[i];
                if b == b'%' {
                    prop_assert!(i + 2 < bytes.len());
                    prop_assert!(matches!(bytes[i + 1], b'0'..=b'9' | b'A'..=b'F'));
                    prop_assert!(matches!(bytes[i + 2], b'0'..=b'9' | b'A'..=b'F'));
                    i += 3;
                } else {
                    prop_assert!(is_unreserved(b) || (keep && b == b'/'), "byte {b} left literal");
                    i += 1;
                }
            }
            prop_assert_eq!(percent_decode(&encoded).unwrap(), input);
        }

        #[test]
        fn decode_never_panics(input in any::<String>()) {
            let _ = percent_decode(&input);
        }

        #[test]
        fn encoding_is_injective(a in any::<String>(), b in any::<String>()) {
            prop_assume!(a != b);
            prop_assert_ne!(uri_encode(&a, false), uri_encode(&b, false));
        }
    }
}
