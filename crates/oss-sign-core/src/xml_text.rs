//! The workspace's one XML text codec, for the little XML OSS exchanges (`<Error>` bodies,
//! `InitiateMultipartUpload` and `CompleteMultipartUpload` documents, POST object answers).
//!
//! * [`escape_into`] writes text content with the five predefined entities (`&amp;`, `&lt;`,
//!   `&gt;`, `&quot;`, `&apos;`); every other character is written as it is.
//! * [`unescape`] decodes the five predefined entities and character references, decimal
//!   (`&#10;`, `&#13;`, as OSS sends for a line break in a message) and hexadecimal (`&#xA;`).
//!   Only ASCII digits are taken (no sign, no spaces), a reference is at most
//!   [`MAX_REFERENCE_LEN`] bytes between `&` and `;`, and it must name a Unicode scalar value
//!   other than NUL. Anything else is refused with an [`XmlTextError`].
//! * [`unescape_lenient`] decodes the same references and keeps anything it cannot decode as
//!   written, for a client reading what a server sent.
//!
//! No document type declaration is understood: no entity can be defined, so nothing expands,
//! and the output is never longer than the input.

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;

/// The longest reference name accepted between `&` and `;` (`#x10FFFF` is 8 bytes, `#1114111`
/// is 8). Longer runs are not references, so a decoder never looks further than this for `;`.
///
/// ```
/// assert!(oss_sign_core::xml_text::MAX_REFERENCE_LEN >= "#x10FFFF".len());
/// ```
pub const MAX_REFERENCE_LEN: usize = 10;

/// Why [`unescape`] refused a text: an `&` that starts no known entity or character reference.
///
/// ```
/// let e = oss_sign_core::xml_text::unescape("a & b").unwrap_err();
/// assert_eq!(e.offset(), 2);
/// assert!(e.to_string().contains('&'));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct XmlTextError {
    message: String,
    offset: usize,
}

message_error!(XmlTextError, debug: message, offset);

impl XmlTextError {
    /// The byte offset of the `&` that was refused.
    ///
    /// ```
    /// let e = oss_sign_core::xml_text::unescape("ok&bogus;").unwrap_err();
    /// assert_eq!(e.offset(), 2);
    /// ```
    pub fn offset(&self) -> usize {
        self.offset
    }
}

/// Appends `text` to `out` as XML text content, escaping `&`, `<`, `>`, `"` and `'`.
///
/// ```
/// let mut out = String::from("<Key>");
/// oss_sign_core::xml_text::escape_into(&mut out, "a&b <\"c\"> 'd'");
/// assert_eq!(out, "<Key>a&amp;b &lt;&quot;c&quot;&gt; &apos;d&apos;");
/// ```
pub fn escape_into(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&apos;",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
}

/// `text` with its entity and character references decoded; borrowed when it holds no `&`.
///
/// ```
/// use oss_sign_core::xml_text::unescape;
///
/// assert_eq!(unescape("a&amp;b&#10;c&#xD;&lt;&quot;&apos;&gt;")?, "a&b\nc\r<\"'>");
/// assert_eq!(unescape("&amp;#10;")?, "&#10;"); // decoded once, not twice
/// assert!(unescape("&#+10;").is_err()); // digits only
/// assert!(unescape("&#0;").is_err());
/// assert!(unescape("&nbsp;").is_err()); // no DTD, so no other entity
/// # Ok::<(), oss_sign_core::xml_text::XmlTextError>(())
/// ```
pub fn unescape(text: &str) -> Result<Cow<'_, str>, XmlTextError> {
    decode(text, false)
}

/// Like [`unescape`], but an `&` that starts no reference it knows is kept as written.
///
/// ```
/// use oss_sign_core::xml_text::unescape_lenient;
///
/// assert_eq!(unescape_lenient("id&#10;&amp; & &bogus;"), "id\n& & &bogus;");
/// ```
pub fn unescape_lenient(text: &str) -> Cow<'_, str> {
    match decode(text, true) {
        Ok(decoded) => decoded,
        // Lenient decoding keeps what it cannot decode instead of refusing it.
        Err(_) => Cow::Borrowed(text),
    }
}

fn decode(text: &str, lenient: bool) -> Result<Cow<'_, str>, XmlTextError> {
    let Some(first) = text.find('&') else {
        return Ok(Cow::Borrowed(text));
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..first]);
    let mut at = first;
    loop {
        // `text[at]` is an `&`.
        let tail = &text[at + 1..];
        let window = &tail.as_bytes()[..tail.len().min(MAX_REFERENCE_LEN + 1)];
        let decoded = window
            .iter()
            .position(|&b| b == b';')
            .and_then(|semi| Some((reference_char(&tail[..semi])?, semi)));
        let resume = match decoded {
            Some((c, semi)) => {
                out.push(c);
                at + 1 + semi + 1
            }
            None if lenient => {
                out.push('&');
                at + 1
            }
            None => {
                let shown: String = tail.chars().take(MAX_REFERENCE_LEN + 1).collect();
                return Err(XmlTextError {
                    message: format!(
                        "unknown entity or character reference at byte {at} (&{shown}...): \
                         allowed are &amp; &lt; &gt; &quot; &apos; and &#N; or &#xH; naming a \
                         character"
                    ),
                    offset: at,
                });
            }
        };
        match text[resume..].find('&') {
            Some(next) => {
                out.push_str(&text[resume..resume + next]);
                at = resume + next;
            }
            None => {
                out.push_str(&text[resume..]);
                return Ok(Cow::Owned(out));
            }
        }
    }
}

/// The character a reference name (between `&` and `;`) stands for.
fn reference_char(name: &str) -> Option<char> {
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let (digits, radix) = match name.strip_prefix("#x") {
                Some(hex) => (hex, 16),
                None => (name.strip_prefix('#')?, 10),
            };
            if digits.is_empty() || !digits.bytes().all(|b| (b as char).is_digit(radix)) {
                return None;
            }
            char::from_u32(u32::from_str_radix(digits, radix).ok()?)?
        }
    };
    (c != '\0').then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn a_reference_longer_than_the_bound_is_not_looked_into() {
        let long = "&#0000000000065;";
        assert!(unescape(long).is_err());
        assert_eq!(unescape_lenient(long), long);
        assert_eq!(unescape("&#00000065;").unwrap(), "A");
    }

    #[test]
    fn refusals_name_the_offset_and_what_is_allowed() {
        let e = unescape("ab&").unwrap_err();
        assert_eq!(e.offset(), 2);
        assert!(e.to_string().contains("&#xH;"), "{e}");
        assert!(unescape("&#x;").is_err());
        assert!(unescape("&#xD800;").is_err());
        assert!(unescape("&#x110000;").is_err());
        assert!(unescape("&# 65;").is_err());
    }

    #[test]
    fn text_without_references_is_borrowed() {
        assert!(matches!(unescape("plain"), Ok(Cow::Borrowed("plain"))));
        assert!(matches!(unescape_lenient("plain"), Cow::Borrowed("plain")));
    }
}
