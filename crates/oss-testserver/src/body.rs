//! The response body type: a whole body, or (GET) chunks produced by a task through an
//! `http_body_util` channel, so faults can cut or pace them.

use bytes::Bytes;
use http_body_util::BodyExt as _;

/// The body type of every response.
pub(crate) type ResponseBody = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;

pub(crate) fn full(b: Bytes) -> ResponseBody {
    http_body_util::Full::new(b)
        .map_err(|never| match never {})
        .boxed()
}
