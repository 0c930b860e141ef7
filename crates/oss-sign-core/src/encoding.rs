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
    let literal = if keep_slash {
        &PATH_LITERAL
    } else {
        &QUERY_LITERAL
    };
    match next_escape(input.as_bytes(), 0, literal) {
        None => out.push_str(input),
        Some(at) => {
            // Literal bytes are ASCII, so `at` is a character boundary.
            out.push_str(input.get(..at).unwrap_or(""));
            let mut buf = EncodeBuf::new(out);
            buf.encode_from(input, at, literal);
            buf.flush();
        }
    }
}

/// How many encoded bytes [`EncodeBuf`] gathers before it moves them into its `String`.
const GATHER: usize = 256;

/// Text on its way into a `String`, gathered in a stack buffer: encoded bytes are stored at an
/// index held in a register (a `String::push` per byte reloads and stores the length every
/// time, and each byte waits for the previous one), and move into the `String` in one copy,
/// with one UTF-8 check of the gathered bytes, when the buffer fills or on
/// [`flush`](Self::flush).
///
/// The buffer only ever holds whole `&str`s and ASCII bytes, so it is always UTF-8. While it is
/// empty, text with nothing to escape goes straight to the `String` (a request whose query needs
/// no escape never gathers anything).
pub(crate) struct EncodeBuf<'o> {
    out: &'o mut String,
    bytes: [u8; GATHER],
    len: usize,
}

impl<'o> EncodeBuf<'o> {
    #[inline]
    pub(crate) fn new(out: &'o mut String) -> Self {
        Self {
            out,
            bytes: [0; GATHER],
            len: 0,
        }
    }

    /// The `String`, with everything gathered so far moved into it.
    #[inline]
    pub(crate) fn out(&mut self) -> &mut String {
        self.flush();
        self.out
    }

    /// Appends `text` as it is.
    #[inline]
    pub(crate) fn push_str(&mut self, text: &str) {
        let len = self.len;
        if len == 0 {
            self.out.push_str(text);
        } else {
            self.push_gathered(text);
        }
    }

    /// [`push_str`](Self::push_str) once something is gathered: into the buffer.
    #[inline(never)]
    fn push_gathered(&mut self, text: &str) {
        let (len, n) = (self.len, text.len());
        let src = text.as_bytes();
        let Some(slot) = self.bytes.get_mut(len..len + 16).filter(|_| n <= 16) else {
            // Longer: one copy call into the buffer, or straight to the `String` after it.
            if let Some(slot) = self.bytes.get_mut(len..len + n) {
                slot.copy_from_slice(src);
                self.len = len + n;
            } else {
                self.flush();
                self.out.push_str(text);
            }
            return;
        };
        // Up to 16 bytes as two fixed-size copies that may overlap: no copy call.
        if let Some(last) = n.checked_sub(8) {
            slot[..8].copy_from_slice(&src[..8]);
            slot[last..n].copy_from_slice(&src[last..]);
        } else if let Some(last) = n.checked_sub(4) {
            slot[..4].copy_from_slice(&src[..4]);
            slot[last..n].copy_from_slice(&src[last..]);
        } else {
            for (to, &b) in slot.iter_mut().zip(src) {
                *to = b;
            }
        }
        self.len = len + n;
    }

    /// Appends the encoding of `input` (see [`uri_encode`]).
    #[inline]
    pub(crate) fn encode(&mut self, input: &str, keep_slash: bool) {
        let literal = if keep_slash {
            &PATH_LITERAL
        } else {
            &QUERY_LITERAL
        };
        match next_escape(input.as_bytes(), 0, literal) {
            None => self.push_str(input),
            Some(at) => {
                // Literal bytes are ASCII, so `at` is a character boundary.
                self.push_str(input.get(..at).unwrap_or(""));
                self.encode_from(input, at, literal);
            }
        }
    }

    /// Appends the encoding of `input[from..]` (see [`encode_run`]). Out of line: one copy of
    /// the loop serves every caller but [`encode_pairs`](Self::encode_pairs).
    #[inline(never)]
    fn encode_from(&mut self, input: &str, from: usize, literal: &[bool; 256]) {
        let bytes = input.as_bytes().get(from..).unwrap_or(&[]);
        self.len = encode_run(self.out, &mut self.bytes, self.len, bytes, literal);
    }

    /// Appends the query parameters `pairs`, each as `name=value` (`name` alone when the
    /// value is empty), both encoded, joined with `&`, with a `&` first unless `first`.
    ///
    /// Once something is gathered (the first escape met), each short name or value is encoded
    /// straight into the buffer after one room check for all of it, as [`encode_run`] does
    /// (eight bytes a step), with no scan for escapes first and no copy call. Before that, and
    /// for a long one (a third of the buffer or more), [`encode`](Self::encode) is used, which
    /// copies text without escapes straight to the `String`.
    #[inline(never)]
    pub(crate) fn encode_pairs(&mut self, pairs: &[(&str, &str)], first: bool) {
        let mut len = self.len;
        for (index, &(name, value)) in pairs.iter().enumerate() {
            let separator = if index == 0 && first { "" } else { "&" };
            len = self.encode_part(len, separator, name);
            if !value.is_empty() {
                len = self.encode_part(len, "=", value);
            }
        }
        self.len = len;
    }

    /// `separator` (empty or one ASCII byte) and `text` encoded, for
    /// [`encode_pairs`](Self::encode_pairs), with the fill level `len` in a register.
    #[inline(always)]
    fn encode_part(&mut self, mut len: usize, separator: &str, text: &str) -> usize {
        const LONG: usize = GATHER / 3 - 2;
        let literal = &QUERY_LITERAL;
        let bytes = text.as_bytes();
        if len == 0 || bytes.len() > LONG {
            // Nothing gathered yet (text without escapes then goes straight to the `String`),
            // or a long text.
            self.len = len;
            self.push_str(separator);
            self.encode(text, false);
            return self.len;
        }
        // Room for all of it, checked once.
        if len + 3 * bytes.len() + 1 > GATHER {
            move_into(self.out, &self.bytes, len);
            len = 0;
        }
        if let (Some(slot), Some(&sep)) = (self.bytes.get_mut(len), separator.as_bytes().first()) {
            *slot = sep;
            len += 1;
        }
        // As in `encode_run`, without its room check per step.
        let mut at = 0;
        while let Some(eight) = bytes.get(at..at + 8) {
            let Some(slot) = self.bytes.get_mut(len..len + 8) else {
                break;
            };
            slot.copy_from_slice(eight);
            let literal_run = literal_run(eight, literal);
            len += literal_run;
            at += literal_run;
            if let (Some(&b), Some(slot)) =
                (eight.get(literal_run), self.bytes.get_mut(len..len + 3))
            {
                slot.copy_from_slice(&escape(b));
                len += 3;
                at += 1;
            }
        }
        for &b in bytes.get(at..).unwrap_or(&[]) {
            let Some(slot) = self.bytes.get_mut(len..len + 3) else {
                break;
            };
            if literal[usize::from(b)] {
                slot[0] = b;
                len += 1;
            } else {
                slot.copy_from_slice(&escape(b));
                len += 3;
            }
        }
        len
    }

    /// Moves what was gathered into the `String`.
    #[inline]
    pub(crate) fn flush(&mut self) {
        if self.len > 0 {
            move_into(self.out, &self.bytes, self.len);
            self.len = 0;
        }
    }
}

/// Encodes `bytes` into `buf` from `len` (moving `buf` into `out` whenever it could fill) and
/// returns the new fill level: each byte as itself (a literal byte, ASCII) or as `%` and two
/// upper-case hex digits.
///
/// Eight bytes at a time while eight remain: all eight stored in one fixed-size copy, the fill
/// level advanced past the literal ones, and the first escape written over the rest; a name
/// with nothing to escape takes one step, a literal run one step per eight bytes. The last
/// bytes one at a time. The fill level stays in a register throughout.
#[inline(always)]
fn encode_run(
    out: &mut String,
    buf: &mut [u8; GATHER],
    mut len: usize,
    bytes: &[u8],
    literal: &[bool; 256],
) -> usize {
    let mut at = 0;
    loop {
        // Room for eight bytes and an escape.
        if len + 11 > GATHER {
            move_into(out, buf, len);
            len = 0;
        }
        let b = if let Some(eight) = bytes.get(at..at + 8) {
            if let Some(slot) = buf.get_mut(len..len + 8) {
                slot.copy_from_slice(eight);
            }
            let literal_run = literal_run(eight, literal);
            len += literal_run;
            at += literal_run;
            match eight.get(literal_run) {
                Some(&b) => b,
                None => continue,
            }
        } else if let Some(&b) = bytes.get(at) {
            b
        } else {
            break;
        };
        at += 1;
        let Some(slot) = buf.get_mut(len..len + 3) else {
            break;
        };
        if literal[usize::from(b)] {
            slot[0] = b;
            len += 1;
        } else {
            slot.copy_from_slice(&escape(b));
            len += 3;
        }
    }
    len
}

/// How many of `eight`'s bytes are literal before the first that is not (8 when all are).
#[inline(always)]
fn literal_run(eight: &[u8], literal: &[bool; 256]) -> usize {
    let escapes = eight.iter().enumerate().fold(0u32, |mask, (k, &b)| {
        mask | (u32::from(!literal[usize::from(b)]) << k)
    });
    (escapes | 0x100).trailing_zeros() as usize
}

/// `%` and the two upper-case hex digits of `byte`.
#[inline(always)]
fn escape(byte: u8) -> [u8; 3] {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    [
        b'%',
        HEX[usize::from(byte >> 4)],
        HEX[usize::from(byte & 0x0f)],
    ]
}

/// Appends `bytes[..len]` (whole `&str`s and ASCII bytes: UTF-8) to `out`.
#[inline(never)]
fn move_into(out: &mut String, bytes: &[u8; GATHER], len: usize) {
    let gathered = core::str::from_utf8(bytes.get(..len).unwrap_or(&[]));
    debug_assert!(gathered.is_ok());
    out.push_str(gathered.unwrap_or(""));
}

/// The position of the first byte at or after `from` that is not literal. Eight bytes are
/// looked up and and-ed together before one branch, so a literal run costs about three
/// instructions a byte instead of a compare and branch each.
#[inline]
fn next_escape(bytes: &[u8], from: usize, literal: &[bool; 256]) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let mut chunks = rest.chunks_exact(8);
    let mut offset = from;
    for chunk in &mut chunks {
        let all_literal = chunk
            .iter()
            .fold(true, |all, &b| all & literal[usize::from(b)]);
        if !all_literal {
            return chunk
                .iter()
                .position(|&b| !literal[usize::from(b)])
                .map(|p| offset + p);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| !literal[usize::from(b)])
        .map(|p| offset + p)
}

/// Whether `byte` stays literal in a query name or value (the RFC 3986 unreserved set).
pub(crate) fn is_query_literal(byte: u8) -> bool {
    QUERY_LITERAL[usize::from(byte)]
}

/// Which bytes stay literal, as tables for the scan of [`uri_encode_into`].
const QUERY_LITERAL: [bool; 256] = literal_table(false);
const PATH_LITERAL: [bool; 256] = literal_table(true);

const fn literal_table(keep_slash: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/');
        byte += 1;
    }
    table
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
