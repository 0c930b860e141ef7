//! The little XML an upload reads and writes: one element's text from an answer (already
//! bounded by the reader), and the CompleteMultipartUpload document.

use oss_sign_core::xml_text::{escape_into, unescape_lenient};

/// The unescaped text of the first `<name>...</name>` in `doc`, if any.
pub(super) fn element_text(doc: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = doc.find(&open)? + open.len();
    let end = start + doc[start..].find(&close)?;
    Some(unescape_lenient(&doc[start..end]).into_owned())
}

/// The CompleteMultipartUpload body for `parts` (number, ETag), in ascending order.
pub(super) fn complete_document<'a>(parts: impl Iterator<Item = (u32, &'a str)>) -> String {
    let mut x =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUpload>");
    for (n, etag) in parts {
        x.push_str("<Part><PartNumber>");
        x.push_str(&n.to_string());
        x.push_str("</PartNumber><ETag>");
        escape_into(&mut x, etag);
        x.push_str("</ETag></Part>");
    }
    x.push_str("</CompleteMultipartUpload>\n");
    x
}

/// An ETag as a server may send it: printable ASCII, at most 1 KiB. Anything else is a lie
/// that must not reach the Complete document or the checkpoint.
pub(super) fn plausible_etag(etag: &str) -> bool {
    !etag.is_empty() && etag.len() <= 1024 && etag.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// Whether `etag` is the quoted hex of `md5` (any case), as OSS sends for a PUT or a part.
pub(super) fn etag_is_md5(etag: &str, md5: &[u8; 16]) -> bool {
    let bare = etag.trim().trim_matches('"');
    bare.len() == 32 && bare.eq_ignore_ascii_case(&hex_of(md5))
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_escaped_text_and_writes_escaped_documents() {
        let doc = "<R><UploadId>a&amp;b</UploadId><X/></R>";
        assert_eq!(element_text(doc, "UploadId").as_deref(), Some("a&b"));
        assert_eq!(element_text(doc, "Missing"), None);
        assert_eq!(element_text("<UploadId>unterminated", "UploadId"), None);
        let x = complete_document([(1, "\"A\""), (2, "<&>")].into_iter());
        assert!(x.contains("<Part><PartNumber>1</PartNumber><ETag>&quot;A&quot;</ETag></Part>"));
        assert!(x.contains("<ETag>&lt;&amp;&gt;</ETag>"));
    }

    /// An upload answer used to decode only the five entities while an error body also decoded
    /// `&#10;`/`&#13;`: an UploadId or message with a line break read differently in the two.
    #[test]
    fn an_upload_answer_decodes_references_as_an_error_body_does() {
        let text = "id&#10;line&#13;&#x41;&amp;#10;&lt;&bogus; & end";
        let answer = format!("<InitiateMultipartUploadResult><UploadId>{text}</UploadId></InitiateMultipartUploadResult>");
        let error = format!("<Error><Code>C</Code><Message>{text}</Message></Error>");
        let from_answer = element_text(&answer, "UploadId").unwrap();
        assert_eq!(from_answer, "id\nline\rA&#10;<&bogus; & end");
        let body = crate::OssErrorBody::parse(&error).unwrap();
        assert_eq!(body.message, from_answer);
    }

    #[test]
    fn etags_are_checked() {
        assert!(plausible_etag("\"5EB63BBBE01EEED093CB22BB8F5ACDC3\""));
        assert!(!plausible_etag(""));
        assert!(!plausible_etag("a\nb"));
        assert!(!plausible_etag(&"x".repeat(1025)));
        let md5 = [
            0x5e, 0xb6, 0x3b, 0xbb, 0xe0, 0x1e, 0xee, 0xd0, 0x93, 0xcb, 0x22, 0xbb, 0x8f, 0x5a,
            0xcd, 0xc3,
        ];
        assert!(etag_is_md5("\"5EB63BBBE01EEED093CB22BB8F5ACDC3\"", &md5));
        assert!(!etag_is_md5("\"5EB63BBBE01EEED093CB22BB8F5ACDC4\"", &md5));
    }
}
