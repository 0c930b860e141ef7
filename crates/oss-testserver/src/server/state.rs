//! What every request handler shares: the objects, the fault rules, the signature checks, the
//! request log and the counters behind request ids.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use std::time::Duration;

use super::uploads::Uploads;
use crate::auth::Verifier;
use crate::cors::CorsRules;
use crate::fault::FaultPlan;
use crate::request_log::RequestLog;
use crate::store::ObjectStore;

/// Everything the handler shares.
pub(crate) struct State {
    pub(crate) store: ObjectStore,
    pub(crate) faults: FaultPlan,
    pub(crate) verifier: Verifier,
    pub(crate) requests: RequestLog,
    /// Requests answered so far (the low half of each request id).
    pub(crate) counter: AtomicU64,
    /// TCP connections accepted so far.
    pub(crate) connections: Arc<AtomicU64>,
    /// The high half of each request id, random per server.
    pub(crate) id_prefix: u32,
    /// CORS rules per bucket.
    pub(crate) cors: CorsRules,
    /// Multipart uploads in progress.
    pub(crate) uploads: Uploads,
    /// How long a request body may pause between chunks.
    pub(crate) body_idle_timeout: Duration,
}
