//! The counters of one upload run (requests, retries, bytes sent and acknowledged) and the
//! progress reports made from them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::config::ProgressFn;
use crate::progress::Progress;

/// Counters of one run, and the progress callback.
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
    pub(super) started: Instant,
    pub(super) progress: Option<ProgressFn>,
    last_report: Mutex<Option<Instant>>,
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
            started: Instant::now(),
            progress,
            last_report: Mutex::new(None),
        }
    }

    pub(super) fn report(&self, force: bool) {
        let Some(cb) = &self.progress else { return };
        let now = Instant::now();
        if let Ok(mut last) = self.last_report.lock() {
            if !force && last.is_some_and(|t| now.duration_since(t).as_millis() < 100) {
                return;
            }
            *last = Some(now);
        }
        let elapsed = now.duration_since(self.started);
        let secs = elapsed.as_secs_f64();
        let done = self.acked.load(Ordering::Relaxed) + self.inflight.load(Ordering::Relaxed);
        cb(&Progress {
            bytes_done: done.min(self.total),
            total: Some(self.total),
            bytes_per_second: if secs > 0.0 {
                self.sent.load(Ordering::Relaxed) as f64 / secs
            } else {
                0.0
            },
            elapsed,
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
