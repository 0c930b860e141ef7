//! The counters of one upload run (requests, retries, bytes sent and acknowledged), the
//! progress reports made from them, and the outcome they end in.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::outcome::Crc64Check;
use crate::progress::{ProgressFn, Reporter};
use crate::upload_outcome::UploadOutcome;

/// Counters of one run, and its progress reports.
pub(super) struct Stats {
    pub(super) requests: AtomicU64,
    pub(super) retries: AtomicU64,
    /// Body bytes handed to the connection by this run (all attempts).
    pub(super) sent: AtomicU64,
    /// Bytes of finished parts (including those kept from a checkpoint).
    pub(super) acked: AtomicU64,
    /// Body bytes of the attempts in flight.
    pub(super) inflight: AtomicU64,
    pub(super) total: u64,
    reporter: Reporter,
}

impl Stats {
    pub(super) fn new(total: u64, progress: Option<ProgressFn>) -> Self {
        Self {
            requests: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            acked: AtomicU64::new(0),
            inflight: AtomicU64::new(0),
            total,
            reporter: Reporter::new(progress),
        }
    }

    pub(super) fn report(&self, force: bool) {
        self.reporter.report(force, || {
            let done = self.acked.load(Ordering::Relaxed) + self.inflight.load(Ordering::Relaxed);
            (
                done.min(self.total),
                Some(self.total),
                self.sent.load(Ordering::Relaxed),
            )
        });
    }
}

/// What a finished upload reports besides its counters.
pub(super) struct Finished {
    pub(super) size: u64,
    pub(super) etag: Option<String>,
    pub(super) crc64: u64,
    pub(super) crc64_check: Crc64Check,
    pub(super) upload_id: Option<String>,
    pub(super) parts_total: u64,
    pub(super) parts_uploaded: u64,
}

impl Stats {
    /// The outcome of a finished upload: `finished`, with this run's bytes sent, requests and
    /// retries.
    pub(super) fn outcome(&self, finished: Finished) -> UploadOutcome {
        UploadOutcome {
            size: finished.size,
            etag: finished.etag,
            crc64: finished.crc64,
            crc64_check: finished.crc64_check,
            upload_id: finished.upload_id,
            parts_total: finished.parts_total,
            parts_uploaded: finished.parts_uploaded,
            bytes_sent: self.sent.load(Ordering::Relaxed),
            requests: self.requests.load(Ordering::Relaxed) as u32,
            retries: self.retries.load(Ordering::Relaxed) as u32,
        }
    }
}

/// Runs `work` while reporting progress every 100 ms, and once more (forced) when it succeeds.
pub(super) async fn reporting<T, E>(
    stats: &Arc<Stats>,
    work: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, E> {
    let reporter = {
        let stats = stats.clone();
        async move {
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                stats.report(false);
            }
        }
    };
    let result = tokio::select! {
        r = work => r,
        _ = reporter => unreachable!("the reporter never ends"),
    };
    if result.is_ok() {
        stats.report(true);
    }
    result
}

/// The bytes one attempt's body handed over: counted in the run's `inflight` while the
/// attempt lives, taken back when it ends (a finished part is counted in `acked` instead).
pub(super) struct Attempt {
    pub(super) sent: Arc<AtomicU64>,
    pub(super) stats: Arc<Stats>,
}

impl Attempt {
    pub(super) fn new(stats: &Arc<Stats>) -> Self {
        Self {
            sent: Arc::new(AtomicU64::new(0)),
            stats: stats.clone(),
        }
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        self.stats
            .inflight
            .fetch_sub(self.sent.load(Ordering::Relaxed), Ordering::Relaxed);
    }
}
