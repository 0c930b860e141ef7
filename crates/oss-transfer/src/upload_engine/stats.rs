//! The counters of one upload run (requests, retries, bytes sent and acknowledged) and the
//! progress reports made from them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::progress::{ProgressFn, Reporter};

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
