//! OSS-style error responses: the `<Error>` XML body and the headers that go with it.

use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};

use crate::body::{full, ResponseBody};

/// An OSS error ready to be rendered as XML.
#[derive(Debug, Clone)]
pub(crate) struct OssError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: String,
    pub(crate) ec: Option<&'static str>,
    /// Extra children after `HostId`, in order (e.g. `StringToSign`).
    pub(crate) extra: Vec<(&'static str, String)>,
}

impl OssError {
    pub(crate) fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code,
            message: message.into(),
            ec: None,
            extra: Vec::new(),
        }
    }

    pub(crate) fn ec(mut self, ec: &'static str) -> Self {
        self.ec = Some(ec);
        self
    }

    pub(crate) fn extra(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.extra.push((name, value.into()));
        self
    }

    /// The standard error for a status the fault injector was told to answer with.
    pub(crate) fn for_status(status: u16) -> Self {
        let (code, message) = match status {
            400 => ("InvalidArgument", "Invalid argument."),
            403 => ("AccessDenied", "AccessDenied"),
            404 => ("NoSuchKey", "The specified key does not exist."),
            408 => ("RequestTimeout", "Your socket connection to the server was not read from or written to within the timeout period."),
            412 => ("PreconditionFailed", "At least one of the pre-conditions you specified did not hold."),
            429 => ("TooManyRequests", "Please reduce your request rate."),
            503 => ("ServiceUnavailable", "Please reduce your request rate."),
            _ => ("InternalError", "We encountered an internal error. Please try again."),
        };
        Self::new(status, code, message)
    }

    pub(crate) fn to_xml(&self, request_id: &str, host_id: &str) -> String {
        let mut x = String::with_capacity(512);
        x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n");
        push_elem(&mut x, "Code", self.code);
        push_elem(&mut x, "Message", &self.message);
        push_elem(&mut x, "RequestId", request_id);
        push_elem(&mut x, "HostId", host_id);
        for (name, value) in &self.extra {
            push_elem(&mut x, name, value);
        }
        if let Some(ec) = self.ec {
            push_elem(&mut x, "EC", ec);
            push_elem(
                &mut x,
                "RecommendDoc",
                &format!("https://api.aliyun.com/troubleshoot?q={ec}"),
            );
        }
        x.push_str("</Error>\n");
        x
    }

    /// The full response; for HEAD the XML goes base64-encoded into `x-oss-err` instead.
    pub(crate) fn into_response(
        self,
        request_id: &str,
        host_id: &str,
        head: bool,
    ) -> Response<ResponseBody> {
        let xml = self.to_xml(request_id, host_id);
        let mut builder = Response::builder()
            .status(self.status)
            .header("content-type", "application/xml")
            .header("x-oss-request-id", request_id)
            .header("server", "AliyunOSS");
        if let Some(ec) = self.ec {
            builder = builder.header("x-oss-ec", ec);
        }
        let body = if head {
            let b64 = base64::engine::general_purpose::STANDARD.encode(xml.as_bytes());
            if let Ok(v) = HeaderValue::from_str(&b64) {
                builder = builder.header("x-oss-err", v);
            }
            builder = builder.header("content-length", xml.len());
            full(Bytes::new())
        } else {
            builder = builder.header("content-length", xml.len());
            full(Bytes::from(xml))
        };
        builder
            .body(body)
            .unwrap_or_else(|_| Response::new(full(Bytes::new())))
    }
}

fn push_elem(x: &mut String, name: &str, value: &str) {
    x.push_str("  <");
    x.push_str(name);
    x.push('>');
    escape_into(x, value);
    x.push_str("</");
    x.push_str(name);
    x.push_str(">\n");
}

/// Appends `<name>value</name>`, the value escaped.
pub(crate) fn push_element(x: &mut String, name: &str, value: &str) {
    x.push('<');
    x.push_str(name);
    x.push('>');
    escape_into(x, value);
    x.push_str("</");
    x.push_str(name);
    x.push('>');
}

/// `409 FileAlreadyExists`: `x-oss-forbid-overwrite: true` and the key exists.
pub(crate) fn already_exists(key: &str) -> OssError {
    OssError::new(
        409,
        "FileAlreadyExists",
        "The object you specified already exists and can not be overwritten.",
    )
    .extra("Key", key.to_string())
}

/// `404 NoSuchBucket` for `bucket`, named in a `BucketName` element.
pub(crate) fn no_such_bucket(bucket: &str) -> OssError {
    OssError::new(404, "NoSuchBucket", "The specified bucket does not exist.")
        .extra("BucketName", bucket.to_string())
}

/// XML-escapes text content (`&`, `<`, `>`, quotes): the workspace's one escape.
pub(crate) use oss_sign_core::xml_text::escape_into;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_ampersands_and_lists_children_in_order() {
        let e = OssError::new(403, "SignatureDoesNotMatch", "bad")
            .extra("CanonicalRequest", "a=1&b=<2>")
            .ec("0002-00000201");
        let xml = e.to_xml("RID", "host");
        assert!(xml.contains("<CanonicalRequest>a=1&amp;b=&lt;2&gt;</CanonicalRequest>"));
        let code = xml.find("<Code>").unwrap();
        let rid = xml.find("<RequestId>").unwrap();
        let ec = xml.find("<EC>0002-00000201</EC>").unwrap();
        assert!(code < rid && rid < ec);
    }
}
