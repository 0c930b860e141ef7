//! The multipart uploads in progress, held in memory by upload id: each with its target, the
//! metadata Complete gives the object, and its parts (an open spooled file, size, ETag, MD5).

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::store::StoredMeta;

/// One uploaded part.
#[derive(Debug)]
pub(super) struct Part {
    pub(super) file: Arc<File>,
    pub(super) size: u64,
    pub(super) etag: String,
    pub(super) md5: [u8; 16],
    pub(super) last_modified: SystemTime,
}

/// An upload in progress.
#[derive(Debug)]
pub(super) struct Upload {
    pub(super) bucket: String,
    pub(super) key: String,
    pub(super) meta: StoredMeta,
    pub(super) parts: BTreeMap<u32, Part>,
}

/// The uploads in progress, by upload id.
#[derive(Debug, Default)]
pub(crate) struct Uploads(Mutex<HashMap<String, Upload>>);

impl Uploads {
    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Upload>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}
