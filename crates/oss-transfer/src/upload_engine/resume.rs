//! The checkpoint of a resumable multipart upload: which upload id of which object, for which
//! version of the source file, the parts already accepted (number, size, CRC-64, ETag), and
//! whether a CompleteMultipartUpload was sent.
//! Written through [`checkpoint::store`] (an exclusive helper file renamed over it, never
//! through a link) and read back only if it is the user's own regular file.

use serde::{Deserialize, Serialize};

use crate::checkpoint;

/// One part the server accepted.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(super) struct DonePart {
    pub(super) number: u32,
    pub(super) size: u64,
    pub(super) crc64: u64,
    pub(super) etag: String,
}

/// What a checkpoint records; used only if every identifying field matches.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(super) struct UploadCheckpoint {
    /// The object: the InitiateMultipartUpload URL without its signature parameters.
    pub(super) object: String,
    /// The source file's absolute path, size and modification time (ns since the epoch).
    pub(super) file: String,
    pub(super) size: u64,
    pub(super) mtime_ns: i128,
    pub(super) part_size: u64,
    pub(super) upload_id: String,
    pub(super) parts: Vec<DonePart>,
    /// A CompleteMultipartUpload was sent (its answer may have been lost with the process):
    /// a `NoSuchUpload` on the next run's first Complete is then checked with a HEAD.
    /// Written only when true, so a checkpoint from before it existed (which the checksum
    /// covers as re-serialized) reads as false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) complete_sent: bool,
}

impl checkpoint::Record for UploadCheckpoint {
    const MAGIC: &'static str = "oss-transfer upload checkpoint";
    const VERSION: u32 = 1;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::{load, store};

    /// A checkpoint of upload `U` of a 10-byte file in 4-byte parts, with `parts` accepted.
    fn sample(parts: Vec<DonePart>, complete_sent: bool) -> UploadCheckpoint {
        UploadCheckpoint {
            object: "https://h/b/k?uploads".into(),
            file: "/tmp/f".into(),
            size: 10,
            mtime_ns: 5,
            part_size: 4,
            upload_id: "U".into(),
            parts,
            complete_sent,
        }
    }

    #[test]
    fn round_trips_refuses_edits_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".f.oss-upload-checkpoint");
        let part = DonePart {
            number: 1,
            size: 4,
            crc64: 9,
            etag: "\"E\"".into(),
        };
        let cp = sample(vec![part], true);
        store(&p, &cp).unwrap();
        assert_eq!(load::<UploadCheckpoint>(&p), Some(cp.clone()));
        let edited = std::fs::read_to_string(&p)
            .unwrap()
            .replace("\"size\": 10", "\"size\": 11");
        std::fs::write(&p, edited).unwrap();
        assert_eq!(load::<UploadCheckpoint>(&p), None);
        // a planted link is neither read nor written through
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        std::fs::remove_file(&p).unwrap();
        std::os::unix::fs::symlink(&victim, &p).unwrap();
        assert_eq!(load::<UploadCheckpoint>(&p), None);
        store(&p, &cp).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(load::<UploadCheckpoint>(&p), Some(cp));
    }

    #[test]
    fn a_checkpoint_written_before_complete_sent_existed_loads_as_not_sent() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".f.oss-upload-checkpoint");
        // Not sent, the field is left out: the document is the one written before it existed.
        store(&p, &sample(vec![], false)).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains("\"upload_id\"") && !text.contains("complete_sent"));
        let cp: UploadCheckpoint = load(&p).expect("an older checkpoint loads");
        assert_eq!(cp.upload_id, "U");
        assert!(!cp.complete_sent);
    }
}
