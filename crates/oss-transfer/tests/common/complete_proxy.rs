//! An HTTP proxy on 127.0.0.1 in front of a real `oss-testserver` that forwards every request
//! but does something to the first CompleteMultipartUpload (`POST ?uploadId=`): forwards it and
//! drops the connection before the answer (the server has completed the upload, the client
//! never hears so), or has "someone else" abort the upload (and maybe write the key) and drops
//! the connection without forwarding it. It can also strip `x-oss-hash-crc64ecma` from HEAD
//! answers (a server that sends no CRC-64).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;

use super::{forward, read_whole, upstream, Upstream};

/// What happens to the first CompleteMultipartUpload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FirstComplete {
    /// Forwarded (the server completes the upload), then the connection is dropped before the
    /// answer.
    AnswerLost,
    /// Not forwarded: the proxy aborts the upload (`DELETE ?uploadId=`), PUTs these bytes
    /// under the key when some are given, and drops the connection.
    AbortedBySomeoneElse(Option<Vec<u8>>),
}

/// The proxy's behaviour.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) first_complete: FirstComplete,
    /// Remove `x-oss-hash-crc64ecma` from every HEAD answer.
    pub(crate) strip_head_crc: bool,
}

struct State {
    upstream: Upstream,
    target: SocketAddr,
    plan: Plan,
    completes: AtomicU32,
}

impl State {
    /// `method` on `path_and_query` of the upstream server ([`forward`]).
    async fn forward(
        &self,
        method: http::Method,
        path_and_query: &str,
        headers: &http::HeaderMap,
        body: Bytes,
    ) -> Result<Response<Full<Bytes>>, std::io::Error> {
        forward(
            &self.upstream,
            self.target,
            method,
            path_and_query,
            headers,
            body,
        )
        .await
    }
}

/// Starts a proxy forwarding to `target` by `plan`; returns its address.
pub(crate) async fn start(target: SocketAddr, plan: Plan) -> SocketAddr {
    let state = Arc::new(State {
        upstream: upstream(),
        target,
        plan,
        completes: AtomicU32::new(0),
    });
    super::serve_http(move |req| handle(req, state.clone())).await
}

async fn handle(
    req: Request<Incoming>,
    state: Arc<State>,
) -> Result<Response<Full<Bytes>>, std::io::Error> {
    let (parts, body) = req.into_parts();
    let data = read_whole(body).await?;
    let path = parts.uri.path().to_string();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let query = parts.uri.query().unwrap_or("");
    let is_complete = parts.method == http::Method::POST && query.contains("uploadId=");
    if is_complete && state.completes.fetch_add(1, Ordering::SeqCst) == 0 {
        match &state.plan.first_complete {
            FirstComplete::AnswerLost => {
                let answer = state
                    .forward(parts.method, &path_and_query, &parts.headers, data)
                    .await?;
                assert!(answer.status().is_success(), "the first Complete succeeded");
            }
            FirstComplete::AbortedBySomeoneElse(replacement) => {
                let empty = http::HeaderMap::new();
                let abort = format!("{path}?{query}");
                let a = state
                    .forward(http::Method::DELETE, &abort, &empty, Bytes::new())
                    .await?;
                assert_eq!(a.status(), 204, "the upload was aborted");
                if let Some(bytes) = replacement {
                    let bytes = Bytes::from(bytes.clone());
                    let p = state
                        .forward(http::Method::PUT, &path, &empty, bytes)
                        .await?;
                    assert_eq!(p.status(), 200, "another object was stored");
                }
            }
        }
        return Err(std::io::Error::other(
            "proxy: the Complete's answer is lost",
        ));
    }
    let head = parts.method == http::Method::HEAD;
    let mut answer = state
        .forward(parts.method, &path_and_query, &parts.headers, data)
        .await?;
    if head && state.plan.strip_head_crc {
        answer.headers_mut().remove("x-oss-hash-crc64ecma");
    }
    Ok(answer)
}
