//! The fields of an OSS `<Error>` XML answer, read by both the download and the upload
//! engines and kept in both error types.

use oss_sign_core::xml_text::unescape_lenient;

/// The fields of an OSS `<Error>` XML body.
///
/// ```
/// let xml = "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>nope</Message>\
///            <RequestId>R1</RequestId><HostId>h</HostId><Key>a&amp;b</Key></Error>";
/// let e = oss_transfer::OssErrorBody::parse(xml).unwrap();
/// assert_eq!(e.code, "NoSuchKey");
/// assert_eq!(e.field("Key"), Some("a&b"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OssErrorBody {
    /// `Code`, e.g. `AccessDenied`.
    pub code: String,
    /// `Message`.
    pub message: String,
    /// `RequestId` (or the `x-oss-request-id` header when the body has none).
    pub request_id: String,
    /// `HostId`.
    pub host_id: String,
    /// `EC`, the fine-grained error code (or the `x-oss-ec` header).
    pub ec: String,
    /// Every child element, in order (including the ones above).
    pub fields: Vec<(String, String)>,
}

impl OssErrorBody {
    /// Parses the flat `<Error>` document OSS sends; `None` if it is not one.
    ///
    /// ```
    /// assert!(oss_transfer::OssErrorBody::parse("not xml").is_none());
    /// ```
    pub fn parse(xml: &str) -> Option<Self> {
        let start = xml.find("<Error")?;
        let rest = &xml[start..];
        let open_end = rest.find('>')?;
        let mut body = &rest[open_end + 1..];
        let mut fields = Vec::new();
        while let Some(lt) = body.find('<') {
            body = &body[lt + 1..];
            if body.starts_with('/') {
                break;
            }
            let gt = body.find('>')?;
            let tag = &body[..gt];
            if let Some(self_closing) = tag.strip_suffix('/') {
                fields.push((self_closing.trim().to_string(), String::new()));
                body = &body[gt + 1..];
                continue;
            }
            let name = tag.split_whitespace().next()?.to_string();
            body = &body[gt + 1..];
            let close = format!("</{name}>");
            let end = body.find(&close)?;
            fields.push((name, unescape_lenient(&body[..end]).into_owned()));
            body = &body[end + close.len()..];
        }
        let all = Self {
            fields,
            ..Self::default()
        };
        let [code, message, request_id, host_id, ec] =
            ["Code", "Message", "RequestId", "HostId", "EC"]
                .map(|name| all.field(name).unwrap_or_default().to_string());
        if code.is_empty() {
            return None;
        }
        Some(Self {
            code,
            message,
            request_id,
            host_id,
            ec,
            ..all
        })
    }

    /// The value of a child element by name.
    ///
    /// ```
    /// let e = oss_transfer::OssErrorBody::parse("<Error><Code>X</Code><EC>1</EC></Error>").unwrap();
    /// assert_eq!(e.field("EC"), Some("1"));
    /// assert_eq!(e.field("Nope"), None);
    /// ```
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}
