//! `oss_transfer::OssErrorBody::parse`, the parser of OSS `<Error>` XML bodies.
//!
//! Properties: no panic on arbitrary text; a parsed body always has a non-empty `Code` that
//! `field("Code")` also returns; and a well-formed document written from arbitrary field values
//! (escaped the way OSS escapes them) parses back to exactly those values.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use oss_transfer::OssErrorBody;

#[derive(Debug, Arbitrary)]
struct Input {
    raw: String,
    code: String,
    message: String,
    request_id: String,
    host_id: String,
    ec: String,
    /// Further elements; names are made alphanumeric and prefixed with `X`.
    extra: Vec<(String, String)>,
}

/// The workspace's one escape, plus the character references OSS writes for line breaks.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    oss_sign_core::xml_text::escape_into(&mut out, value);
    out.replace('\n', "&#10;").replace('\r', "&#13;")
}

fn check_parsed(parsed: &OssErrorBody) {
    assert!(!parsed.code.is_empty());
    assert_eq!(parsed.field("Code"), Some(parsed.code.as_str()));
}

fuzz_target!(|input: Input| {
    if let Some(parsed) = OssErrorBody::parse(&input.raw) {
        check_parsed(&parsed);
    }

    let extra: Vec<(String, String)> = input
        .extra
        .iter()
        .map(|(name, value)| {
            let name: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
            (format!("X{name}"), value.clone())
        })
        .collect();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n");
    for (name, value) in [
        ("Code", &input.code),
        ("Message", &input.message),
        ("RequestId", &input.request_id),
        ("HostId", &input.host_id),
        ("EC", &input.ec),
    ] {
        xml.push_str(&format!("  <{name}>{}</{name}>\n", escape(value)));
    }
    for (name, value) in &extra {
        xml.push_str(&format!("  <{name}>{}</{name}>\n", escape(value)));
    }
    xml.push_str("</Error>\n");

    let parsed = OssErrorBody::parse(&xml);
    if input.code.is_empty() {
        assert!(
            parsed.is_none(),
            "a body without Code was accepted: {xml:?}"
        );
        return;
    }
    let parsed = parsed.unwrap_or_else(|| panic!("well-formed body refused: {xml:?}"));
    check_parsed(&parsed);
    assert_eq!(parsed.code, input.code, "{xml:?}");
    assert_eq!(parsed.message, input.message, "{xml:?}");
    assert_eq!(parsed.request_id, input.request_id, "{xml:?}");
    assert_eq!(parsed.host_id, input.host_id, "{xml:?}");
    assert_eq!(parsed.ec, input.ec, "{xml:?}");
    for (name, value) in &extra {
        // The first element of a repeated name wins.
        let first = extra
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str());
        assert_eq!(parsed.field(name), first, "{name} in {xml:?}");
        let _ = value;
    }
});
