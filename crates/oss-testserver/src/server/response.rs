//! The parts every successful answer shares: the standard headers ([`answer`]), a complete XML
//! or empty body ([`finish`]), and the HTTP date form of `Date` and `Last-Modified`.

use std::time::SystemTime;

use bytes::Bytes;
use http::{Response, StatusCode};
use oss_sign_core::SigningTime;

use crate::body::{full, ResponseBody};
use crate::oss_error::OssError;

/// The headers every successful answer carries.
pub(crate) fn answer(status: StatusCode, request_id: &str) -> http::response::Builder {
    Response::builder()
        .status(status)
        .header("server", "AliyunOSS")
        .header("date", http_date(SystemTime::now()))
        .header("x-oss-request-id", request_id)
}

/// A complete answer with an XML (or empty) body.
pub(crate) fn finish(
    builder: http::response::Builder,
    body: String,
) -> Result<Response<ResponseBody>, OssError> {
    let builder = if body.is_empty() {
        builder.header("content-length", 0)
    } else {
        builder
            .header("content-type", "application/xml")
            .header("content-length", body.len())
    };
    builder.body(full(Bytes::from(body))).map_err(|e| {
        OssError::new(
            500,
            "InternalError",
            format!("cannot build the response: {e}"),
        )
    })
}

/// The `Date`/`Last-Modified` form, through sign-core's one time type.
pub(crate) fn http_date(t: SystemTime) -> String {
    SigningTime::try_from(t)
        .map(SigningTime::to_http_date)
        .unwrap_or_default()
}
