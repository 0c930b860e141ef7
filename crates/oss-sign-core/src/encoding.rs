//! The percent codec of the workspace: the OSS URI encoder and its strict inverse.
//!
//! Every crate of the workspace encodes and decodes through this module (the query parser in
//! [`crate::query`] decodes with [`decode_strict`]).
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

use crate::encode_buf::{encode_into, next_escape, EncodeBuf, EncodeSink, QUERY_LITERAL};
use crate::error::shorten;
use crate::error::{SignError, SignErrorKind};
use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Whether a byte stays literal: the RFC 3986 unreserved set.
#[cfg(test)]
const fn is_unreserved(byte: u8) -> bool {
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
/// A name or value with nothing to escape (found eight bytes at a time, `next_escape`) is
/// copied whole. Otherwise the literal bytes before the first escape are copied whole and the
/// rest is encoded eight bytes at a time into a stack buffer whose fill level stays in a
/// register (`EncodeBuf`), then moved into `out` in one copy. Pushing each byte into the
/// `String` instead (as this did until issue 17) made every byte wait for the length the
/// previous push stored (`perf annotate`: the hottest instructions of the presign path outside
/// SHA-256).
///
/// ```
/// use oss_sign_core::encoding::uri_encode_into;
/// let mut url = String::from("/bucket/");
/// uri_encode_into(&mut url, "a+b.txt", true);
/// assert_eq!(url, "/bucket/a%2Bb.txt");
/// ```
#[inline]
pub fn uri_encode_into(out: &mut String, input: &str, keep_slash: bool) {
    encode_into(out, input, keep_slash);
}

impl EncodeSink for String {
    #[inline(always)]
    fn push_literal(&mut self, text: &str) {
        self.push_str(text);
    }

    #[inline(always)]
    fn push_escaped_tail(&mut self, input: &str, at: usize, literal: &[bool; 256]) {
        encode_tail(self, input, at, literal);
    }
}

/// How long the text after the first escape may be for [`encode_tail`] to write it a `char`
/// per byte: below that, the gathering buffer's setup (512 bytes zeroed), UTF-8 check and copy
/// cost more than the pushes they save (the typical GET's key has 12 bytes after its space).
pub(crate) const SHORT_TAIL: usize = 32;

/// Appends the encoding of `input[at..]`, where `input[at]` is the first byte to escape:
/// short tails (up to [`SHORT_TAIL`] bytes) straight into `out` (room reserved once), longer
/// ones through the gathering buffer.
#[inline]
pub(crate) fn encode_tail(out: &mut String, input: &str, at: usize, literal: &[bool; 256]) {
    if input.len() - at <= SHORT_TAIL {
        push_escaped(out, input, at, literal);
    } else {
        encode_gathered(out, input, at, literal);
    }
}

/// The short case of [`encode_tail`]: each byte to escape as `%XY` (a `char` each), each run
/// of literal bytes found with [`next_escape`] and copied whole (a key's tail after its one
/// space is usually one run).
#[inline(never)]
fn push_escaped(out: &mut String, input: &str, mut at: usize, literal: &[bool; 256]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = input.as_bytes();
    out.reserve(3 * (bytes.len() - at));
    while let Some(&b) = bytes.get(at) {
        if literal[usize::from(b)] {
            // A literal byte is ASCII and so is the byte after a run's end (or there is none):
            // both are character boundaries.
            let end = next_escape(bytes, at, literal).unwrap_or(bytes.len());
            out.push_str(input.get(at..end).unwrap_or(""));
            at = end;
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)] & 0x7f));
            out.push(char::from(HEX[usize::from(b & 0x0f)] & 0x7f));
            at += 1;
        }
    }
}

/// The long case of [`encode_tail`]: its own frame, so the buffer exists only here.
#[inline(never)]
fn encode_gathered(out: &mut String, input: &str, at: usize, literal: &[bool; 256]) {
    let mut buf = EncodeBuf::new(out);
    buf.encode_from(input, at, literal);
    buf.flush();
}

/// How many query parameters [`write_pairs`] writes straight into the `String`; more go
/// through the gathering buffer (`EncodeBuf::encode_pairs`), whose setup (512 bytes zeroed, a
/// call, a UTF-8 check and copy at the end) costs more than it saves on one or two.
const FEW_PAIRS: usize = 2;

/// Appends the query parameters `pairs`, each as `name=value` (`name` alone when the value is
/// empty), both encoded, joined with `&`, with a `&` first unless `first`.
#[inline]
pub(crate) fn write_pairs(out: &mut String, pairs: &[(&str, &str)], first: bool) {
    if pairs.len() > FEW_PAIRS {
        write_pairs_gathered(out, pairs, first);
        return;
    }
    for (index, &(name, value)) in pairs.iter().enumerate() {
        if index > 0 || !first {
            out.push('&');
        }
        uri_encode_into(out, name, false);
        if !value.is_empty() {
            out.push('=');
            uri_encode_into(out, value, false);
        }
    }
}

/// [`write_pairs`] of many parameters, through the gathering buffer (its own frame, so the
/// buffer exists only here).
#[inline(never)]
fn write_pairs_gathered(out: &mut String, pairs: &[(&str, &str)], first: bool) {
    let mut buf = EncodeBuf::new(out);
    buf.encode_pairs(pairs, first);
    buf.flush();
}

/// Whether `byte` stays literal in a query name or value (the RFC 3986 unreserved set).
pub(crate) fn is_query_literal(byte: u8) -> bool {
    QUERY_LITERAL[usize::from(byte)]
}

/// Decodes `%XY` escapes (either hex case). `+` is left as `+`: OSS URLs never use
/// form encoding. The result must be UTF-8.
///
/// The same strict rules as [`decode_strict`], which it wraps; this form returns an owned
/// string and a [`SignError`] of kind [`SignErrorKind::InvalidEncoding`].
///
/// ```
/// use oss_sign_core::encoding::percent_decode;
/// assert_eq!(percent_decode("%E6%96%87+x")?, "文+x");
/// assert!(percent_decode("%4").is_err());
/// assert!(percent_decode("%FF").is_err());
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub fn percent_decode(input: &str) -> Result<String, SignError> {
    decode_strict(input)
        .map(Cow::into_owned)
        .map_err(SignError::from)
}

/// The strict percent decoder of the workspace: every `%` must be followed by two hex digits
/// (either case), so `%+F`, `% F`, `%-1`, `%G0` and a truncated `%4` are refused; `+` stays
/// `+`; the decoded bytes must be UTF-8. Borrows the input when it holds no `%` (no
/// allocation), else allocates the decoded string once.
///
/// ```
/// use oss_sign_core::encoding::{decode_strict, DecodeErrorKind};
/// use std::borrow::Cow;
/// assert!(matches!(decode_strict("plain-text")?, Cow::Borrowed("plain-text")));
/// assert_eq!(decode_strict("a%2Fb%2fc")?, "a/b/c");
/// let err = decode_strict("x%+F").unwrap_err();
/// assert_eq!(err.kind(), DecodeErrorKind::InvalidEscape);
/// assert_eq!(err.offset(), 1);
/// assert_eq!(decode_strict("x%4").unwrap_err().kind(), DecodeErrorKind::TruncatedEscape);
/// assert_eq!(decode_strict("%C3%28").unwrap_err().kind(), DecodeErrorKind::NotUtf8);
/// # Ok::<(), oss_sign_core::encoding::DecodeError>(())
/// ```
pub fn decode_strict(input: &str) -> Result<Cow<'_, str>, DecodeError> {
    let bytes = input.as_bytes();
    let Some(first) = bytes.iter().position(|&b| b == b'%') else {
        return Ok(Cow::Borrowed(input));
    };
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..first]);
    let mut index = first;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte == b'%' {
            let hi = bytes.get(index + 1).copied().and_then(hex_value);
            let lo = bytes.get(index + 2).copied().and_then(hex_value);
            match (hi, lo) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    index += 3;
                }
                _ => return Err(DecodeError::escape(input, index)),
            }
        } else {
            out.push(byte);
            index += 1;
        }
    }
    String::from_utf8(out)
        .map(Cow::Owned)
        .map_err(|e| DecodeError::not_utf8(input, e.utf8_error().valid_up_to()))
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// What [`decode_strict`] refused.
///
/// ```
/// use oss_sign_core::encoding::{decode_strict, DecodeErrorKind};
/// assert_eq!(decode_strict("%G0").unwrap_err().kind(), DecodeErrorKind::InvalidEscape);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecodeErrorKind {
    /// A `%` is followed by something other than two hex digits (`%+F`, `%G0`, `% 1`).
    InvalidEscape,
    /// The input ends less than two characters after a `%` (`%`, `%4`).
    TruncatedEscape,
    /// The escapes decode to bytes that are not UTF-8 (`%FF`).
    NotUtf8,
}

/// A refused percent-encoded string: the kind, the byte offset of the offending `%` (or of the
/// first byte that is not UTF-8, counted in the decoded bytes), and a message that quotes the
/// escape and at most 40 characters of the input.
///
/// ```
/// use oss_sign_core::encoding::decode_strict;
/// let err = decode_strict("abc%zz").unwrap_err();
/// assert_eq!(err.offset(), 3);
/// assert!(err.to_string().contains("\"%zz\""));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct DecodeError {
    kind: DecodeErrorKind,
    offset: usize,
    message: String,
}

impl DecodeError {
    fn escape(input: &str, index: usize) -> Self {
        let bytes = input.as_bytes();
        let end = (index + 3).min(bytes.len());
        let escape = String::from_utf8_lossy(&bytes[index..end]);
        let kind = if bytes.len() - index < 3
            && bytes[index + 1..].iter().all(|&b| hex_value(b).is_some())
        {
            DecodeErrorKind::TruncatedEscape
        } else {
            DecodeErrorKind::InvalidEscape
        };
        Self {
            kind,
            offset: index,
            message: format!(
                "malformed percent escape {escape:?} in {:?}: '%' must be followed by two hex digits",
                shorten(input)
            ),
        }
    }

    fn not_utf8(input: &str, offset: usize) -> Self {
        Self {
            kind: DecodeErrorKind::NotUtf8,
            offset,
            message: format!(
                "{:?} does not decode to UTF-8 text: percent escapes must encode UTF-8",
                shorten(input)
            ),
        }
    }

    /// What was wrong.
    ///
    /// ```
    /// use oss_sign_core::encoding::{decode_strict, DecodeErrorKind};
    /// assert_eq!(decode_strict("%").unwrap_err().kind(), DecodeErrorKind::TruncatedEscape);
    /// ```
    pub fn kind(&self) -> DecodeErrorKind {
        self.kind
    }

    /// The byte offset of the offending `%` in the input (for [`DecodeErrorKind::NotUtf8`]: of
    /// the first invalid byte in the decoded bytes).
    ///
    /// ```
    /// use oss_sign_core::encoding::decode_strict;
    /// assert_eq!(decode_strict("ab%2").unwrap_err().offset(), 2);
    /// ```
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The message (the same text as `Display`).
    ///
    /// ```
    /// use oss_sign_core::encoding::decode_strict;
    /// assert!(decode_strict("%FF").unwrap_err().message().contains("UTF-8"));
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

message_error!(DecodeError, debug: kind, offset, message);

/// A decoding error as a [`SignError`] of kind [`SignErrorKind::InvalidEncoding`], same message.
impl From<DecodeError> for SignError {
    fn from(error: DecodeError) -> Self {
        SignError::new(SignErrorKind::InvalidEncoding, error.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode_buf::PATH_LITERAL;
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    use proptest::prelude::*;

    /// The bytes OSS escapes in query names and values, as a `percent-encoding` set (the
    /// reference the encoder is tested against).
    const QUERY_ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    /// The same with `/` left literal.
    const PATH_ESCAPED: &AsciiSet = &QUERY_ESCAPED.remove(b'/');

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

    /// Tails after the first escape just under, at and just over [`SHORT_TAIL`] (written a
    /// `char` per byte, or through the gathering buffer) encode the same as the reference.
    #[test]
    fn tails_around_the_short_tail_limit_match_the_reference() {
        use alloc::string::ToString;
        for len in SHORT_TAIL - 2..=SHORT_TAIL + 2 {
            for filler in ["a", "b c", "é/"] {
                let tail: String = filler.repeat(len).chars().take(len).collect();
                let input = alloc::format!("photos/x {tail}");
                for keep in [false, true] {
                    let set = if keep { PATH_ESCAPED } else { QUERY_ESCAPED };
                    let expected = utf8_percent_encode(&input, set).to_string();
                    assert_eq!(uri_encode(&input, keep), expected, "{input:?} {keep}");
                }
            }
        }
    }

    #[test]
    fn literal_tables_agree_with_the_escape_sets() {
        use alloc::string::ToString;
        for byte in 0..=255u8 {
            let unreserved = is_unreserved(byte);
            assert_eq!(QUERY_LITERAL[usize::from(byte)], unreserved, "{byte}");
            assert_eq!(
                PATH_LITERAL[usize::from(byte)],
                unreserved || byte == b'/',
                "{byte}"
            );
            if byte.is_ascii() {
                let text = char::from(byte).to_string();
                let query = utf8_percent_encode(&text, QUERY_ESCAPED).to_string();
                let path = utf8_percent_encode(&text, PATH_ESCAPED).to_string();
                assert_eq!(query == text, unreserved, "{byte}");
                assert_eq!(path == text, unreserved || byte == b'/', "{byte}");
            }
        }
    }

    /// Regression (issue 13): the test server's old decoder used `u8::from_str_radix`, which
    /// accepts a sign, so `%+F` decoded to 0x0F. The workspace codec refuses every escape that
    /// is not exactly two hex digits.
    #[test]
    fn escapes_that_are_not_two_hex_digits_are_refused() {
        for (input, kind) in [
            ("%+F", DecodeErrorKind::InvalidEscape),
            ("%-1", DecodeErrorKind::InvalidEscape),
            ("% F", DecodeErrorKind::InvalidEscape),
            ("%G0", DecodeErrorKind::InvalidEscape),
            ("%0G", DecodeErrorKind::InvalidEscape),
            ("a%+Fb", DecodeErrorKind::InvalidEscape),
            ("%", DecodeErrorKind::TruncatedEscape),
            ("%4", DecodeErrorKind::TruncatedEscape),
            ("ok%4", DecodeErrorKind::TruncatedEscape),
            ("%FF", DecodeErrorKind::NotUtf8),
        ] {
            let err = decode_strict(input).unwrap_err();
            assert_eq!(err.kind(), kind, "{input}");
            let sign = percent_decode(input).unwrap_err();
            assert_eq!(sign.kind(), SignErrorKind::InvalidEncoding, "{input}");
            assert_eq!(sign.message(), err.message());
        }
        assert_eq!(decode_strict("%+F").unwrap_err().offset(), 0);
        assert!(decode_strict("%+F")
            .unwrap_err()
            .message()
            .contains("\"%+F\""));
        assert_eq!(decode_strict("%0f%0F").unwrap(), "\u{f}\u{f}");
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
        fn same_output_as_the_percent_encoding_crate(
            input in any::<String>(),
            ascii in "[ -~]{0,40}",
            // long literal runs around the eight-byte chunks of the scan
            runs in "([a-zA-Z0-9._~/-]{0,19}[ +%/\u{e9}]?){0,12}",
            keep in any::<bool>(),
        ) {
            for text in [&input, &ascii, &runs] {
                let set = if keep { PATH_ESCAPED } else { QUERY_ESCAPED };
                let expected: String = utf8_percent_encode(text, set).collect();
                let mut out = String::from("x");
                uri_encode_into(&mut out, text, keep);
                prop_assert_eq!(&out[1..], expected.as_str());
            }
        }

        /// The gathering buffer (issue 17) against the `percent-encoding` crate: any mix of
        /// text copied as it is (of every length around the fixed-size copies) and text
        /// encoded, past the buffer's size many times, gives the concatenation of the pieces.
        #[test]
        fn gathered_pieces_are_the_concatenation_of_their_encodings(
            pieces in prop::collection::vec(
                (
                    prop_oneof![
                        any::<String>(),
                        "[a-z0-9._~/-]{0,40}",
                        "([a-zA-Z0-9._~/-]{0,19}[ +%/\u{e9}]?){0,30}",
                    ],
                    0u8..3,
                ),
                0..40,
            ),
            prefix in "[a-z]{0,3}",
        ) {
            let mut out = prefix.clone();
            let mut expected = prefix;
            let mut buf = EncodeBuf::new(&mut out);
            for (text, how) in &pieces {
                match how {
                    0 => {
                        buf.push_str(text);
                        expected.push_str(text);
                    }
                    keep => {
                        let keep = *keep == 2;
                        buf.encode(text, keep);
                        let set = if keep { PATH_ESCAPED } else { QUERY_ESCAPED };
                        expected.extend(utf8_percent_encode(text, set));
                    }
                }
            }
            buf.flush();
            prop_assert_eq!(out, expected);
        }

        /// The pair writer (`EncodeBuf::encode_pairs` from three pairs on) against the
        /// `percent-encoding` crate, around and past the buffer's size and its long-text path.
        #[test]
        fn written_pairs_are_their_encodings_joined(
            pairs in prop::collection::vec(
                (
                    // Literal runs of every length around the leading blocks of eight and four.
                    prop_oneof!["[a-z0-9 /.-]{1,12}", any::<String>(), "[a-z %]{80,90}", "[a-z0-9._~-]{1,13}[ /%]?[a-z]{0,5}"],
                    prop_oneof!["[a-z0-9 /.-]{0,12}", any::<String>(), "[a-z %]{80,90}", "[a-z0-9._~-]{0,13}[ /%]?[a-z]{0,5}"],
                ),
                0..30,
            ),
            first in any::<bool>(),
        ) {
            let refs: Vec<(&str, &str)> = pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let mut out = String::from("x");
            write_pairs(&mut out, &refs, first);
            let mut expected = String::from("x");
            for (index, (name, value)) in refs.iter().enumerate() {
                if index > 0 || !first {
                    expected.push('&');
                }
                expected.extend(utf8_percent_encode(name, QUERY_ESCAPED));
                if !value.is_empty() {
                    expected.push('=');
                    expected.extend(utf8_percent_encode(value, QUERY_ESCAPED));
                }
            }
            prop_assert_eq!(out, expected);
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
