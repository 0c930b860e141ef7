//! The streaming response body: chunks produced by a task, so faults can cut or pace them.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::BodyExt as _;
use hyper::body::{Body, Frame};
use tokio::sync::mpsc;

/// The body type of every response.
pub(crate) type ResponseBody = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;

pub(crate) fn full(b: Bytes) -> ResponseBody {
    http_body_util::Full::new(b)
        .map_err(|never| match never {})
        .boxed()
}

/// A body fed through a channel; an `Err` item aborts the connection mid-body.
pub(crate) struct ChannelBody {
    pub(crate) rx: mpsc::Receiver<std::io::Result<Bytes>>,
}

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(Ok(b))) => Poll::Ready(Some(Ok(Frame::data(b)))),
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}
