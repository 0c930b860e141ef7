//! Helpers shared by the integration tests of `oss-client`.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use oss_client::{
    Client, Config, Error, PresignOptions, PresignResult, Presignable, SignatureVersion,
};

/// A future that is `Pending` once before it is ready, like a network call (so that a provider
/// built on it never answers on the first poll).
pub(crate) struct YieldOnce(pub(crate) bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// A client for cn-hangzhou signing with `version`, without credentials.
pub(crate) fn client_with_version(version: SignatureVersion) -> Client {
    Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .signature_version(version)
            .build()
            .expect("config"),
    )
}

/// `client.presign_async(request)` with the default options, run to completion on this thread.
pub(crate) fn presign_async_now<R: Presignable + Sync>(
    client: &Client,
    request: &R,
) -> Result<PresignResult, Error> {
    futures_executor::block_on(client.presign_async(request, &PresignOptions::new()))
}
