//! Progress reports (and their throttling) and cancellation.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// The progress callback of a download or an upload.
pub(crate) type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// The progress reports of one run: its callback, when it started, and when it last reported
/// (reports come at most every 100 ms, unless forced).
pub(crate) struct Reporter {
    started: Instant,
    progress: Option<ProgressFn>,
    last_report: Mutex<Option<Instant>>,
}

impl Reporter {
    /// A run starting now that reports to `progress`, if any.
    pub(crate) fn new(progress: Option<ProgressFn>) -> Self {
        Self {
            started: Instant::now(),
            progress,
            last_report: Mutex::new(None),
        }
    }

    /// Calls the callback, unless there is none or (without `force`) the last report is less
    /// than 100 ms old, with what `counts` says then: the bytes done, the total if known, and
    /// the bytes this run moved (for the rate).
    pub(crate) fn report(&self, force: bool, counts: impl FnOnce() -> (u64, Option<u64>, u64)) {
        let Some(cb) = &self.progress else { return };
        let now = Instant::now();
        if let Ok(mut last) = self.last_report.lock() {
            if !force && last.is_some_and(|t| now.duration_since(t).as_millis() < 100) {
                return;
            }
            *last = Some(now);
        }
        let elapsed = now.duration_since(self.started);
        let (bytes_done, total, moved) = counts();
        let secs = elapsed.as_secs_f64();
        cb(&Progress {
            bytes_done,
            total,
            bytes_per_second: if secs > 0.0 { moved as f64 / secs } else { 0.0 },
            elapsed,
        });
    }
}

/// A progress report, given to the callback set with
/// [`Download::progress`](crate::Download::progress).
///
/// ```
/// let p = oss_transfer::Progress { bytes_done: 50, total: Some(100), bytes_per_second: 10.0,
///     elapsed: std::time::Duration::from_secs(5) };
/// assert_eq!(p.fraction(), Some(0.5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Bytes of the object that are done (including parts finished by an earlier, resumed run).
    pub bytes_done: u64,
    /// Object size, once known.
    pub total: Option<u64>,
    /// Average rate of this run, in bytes per second.
    pub bytes_per_second: f64,
    /// Time since this run started.
    pub elapsed: Duration,
}

impl Progress {
    /// `bytes_done / total`, once the total is known (1.0 for an empty object).
    ///
    /// ```
    /// let p = oss_transfer::Progress { bytes_done: 0, total: Some(0), bytes_per_second: 0.0,
    ///     elapsed: std::time::Duration::ZERO };
    /// assert_eq!(p.fraction(), Some(1.0));
    /// ```
    pub fn fraction(&self) -> Option<f64> {
        self.total.map(|t| {
            if t == 0 {
                1.0
            } else {
                self.bytes_done as f64 / t as f64
            }
        })
    }
}

/// A cancellation signal shared between the caller and a running download. Clones share state.
///
/// A cancelled download stops its requests and returns
/// [`DownloadErrorKind::Cancelled`](crate::DownloadErrorKind::Cancelled); with resuming enabled
/// the temporary file and checkpoint are kept for a later run.
///
/// ```
/// let c = oss_transfer::Cancellation::new();
/// assert!(!c.is_cancelled());
/// c.clone().cancel();
/// assert!(c.is_cancelled());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Cancellation {
    inner: Arc<(AtomicBool, Notify)>,
}

impl Cancellation {
    /// A signal that has not fired.
    ///
    /// ```
    /// let c = oss_transfer::Cancellation::new();
    /// assert!(!c.is_cancelled());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Fires the signal (idempotent).
    ///
    /// ```
    /// let c = oss_transfer::Cancellation::new();
    /// c.cancel();
    /// c.cancel(); // a second call changes nothing
    /// assert!(c.is_cancelled());
    /// ```
    pub fn cancel(&self) {
        self.inner.0.store(true, Ordering::SeqCst);
        self.inner.1.notify_waiters();
    }

    /// Whether the signal has fired.
    ///
    /// ```
    /// assert!(!oss_transfer::Cancellation::new().is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.inner.0.load(Ordering::SeqCst)
    }

    /// Completes once the signal fires.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::time::Duration;
    /// let c = oss_transfer::Cancellation::new();
    /// // Not fired: still waiting when the timeout runs out.
    /// assert!(tokio::time::timeout(Duration::from_millis(10), c.cancelled()).await.is_err());
    /// let waiter = tokio::spawn({
    ///     let c = c.clone();
    ///     async move { c.cancelled().await }
    /// });
    /// c.cancel();
    /// assert!(tokio::time::timeout(Duration::from_secs(5), waiter).await.is_ok());
    /// # }
    /// ```
    pub async fn cancelled(&self) {
        loop {
            let notified = self.inner.1.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}
