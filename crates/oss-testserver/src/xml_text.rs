//! Just enough XML for the documents OSS takes in a request body (`CompleteMultipartUpload`,
//! `CORSConfiguration`): elements holding text or other elements, found by name, with the five
//! predefined entities and numeric character references. A document type declaration is
//! refused (no entity can be defined, so nothing expands); inputs are size-limited by callers.

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct XmlError(pub(crate) String);

/// The contents of each `<name>...</name>` element directly found in `doc`, in order (nested
/// elements of the same name are not expected in these documents).
pub(crate) fn elements<'a>(doc: &'a str, name: &str) -> Result<Vec<&'a str>, XmlError> {
    if doc.contains("<!DOCTYPE") || doc.contains("<!ENTITY") {
        return Err(XmlError(
            "document type declarations are not accepted".into(),
        ));
    }
    let open = format!("<{name}");
    let close = format!("</{name}>");
    let mut out = Vec::new();
    let mut rest = doc;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        // `<PartNumber` must not match `<Part`.
        match after.chars().next() {
            Some('>') | Some(' ') | Some('\t') | Some('\n') | Some('\r') | Some('/') => {}
            _ => {
                rest = after;
                continue;
            }
        }
        let gt = after
            .find('>')
            .ok_or_else(|| XmlError(format!("<{name}> is not closed")))?;
        if after[..gt].ends_with('/') {
            out.push("");
            rest = &after[gt + 1..];
            continue;
        }
        let body = &after[gt + 1..];
        let end = body
            .find(&close)
            .ok_or_else(|| XmlError(format!("<{name}> has no </{name}>")))?;
        out.push(&body[..end]);
        rest = &body[end + close.len()..];
    }
    Ok(out)
}

/// The unescaped text of the only `<name>` element, if there is one.
pub(crate) fn text(doc: &str, name: &str) -> Result<Option<String>, XmlError> {
    match elements(doc, name)?.as_slice() {
        [] => Ok(None),
        [one] => unescape(one.trim()).map(Some),
        _ => Err(XmlError(format!("<{name}> is given more than once"))),
    }
}

/// Replaces entity and character references (the workspace's one decoder,
/// [`oss_sign_core::xml_text::unescape`]); markup inside text is refused.
pub(crate) fn unescape(s: &str) -> Result<String, XmlError> {
    if s.contains('<') {
        return Err(XmlError(format!("unexpected markup in text {s:?}")));
    }
    oss_sign_core::xml_text::unescape(s)
        .map(std::borrow::Cow::into_owned)
        .map_err(|e| XmlError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_elements_by_exact_name() {
        let doc = "<?xml version=\"1.0\"?><C><Part><PartNumber>1</PartNumber><ETag>&quot;A&quot;</ETag></Part>\
                   <Part>\n<PartNumber>2</PartNumber><ETag>\"B\"</ETag></Part></C>";
        let parts = elements(doc, "Part").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(text(parts[0], "PartNumber").unwrap().as_deref(), Some("1"));
        assert_eq!(text(parts[0], "ETag").unwrap().as_deref(), Some("\"A\""));
        assert_eq!(text(parts[1], "ETag").unwrap().as_deref(), Some("\"B\""));
        assert_eq!(text(parts[1], "Missing").unwrap(), None);
    }

    #[test]
    fn refuses_doctype_bad_entities_and_unclosed_elements() {
        assert!(elements("<!DOCTYPE x [<!ENTITY a \"b\">]><A>&a;</A>", "A").is_err());
        assert!(unescape("&bogus;").is_err());
        assert!(unescape("a & b").is_err());
        assert!(elements("<A>text", "A").is_err());
        assert_eq!(unescape("&#65;&#x42;").unwrap(), "AB");
    }
}
