//! The resume checkpoint: which parts of which object version are already in the temp file.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::crc64;
use crate::helper_files;

/// Largest checkpoint file read (a hostile or damaged file cannot decide how much is read).
const MAX_CHECKPOINT_BYTES: u64 = 64 << 20;

/// One finished part and its CRC-64.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct PartRecord {
    pub(crate) index: u64,
    pub(crate) crc64: u64,
}

/// What a checkpoint records. A checkpoint is only used if every identifying field matches.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct CheckpointData {
    /// The URL without its signature parameters.
    pub(crate) source: String,
    /// Absolute target path.
    pub(crate) target: String,
    /// Temp file path.
    pub(crate) temp: String,
    pub(crate) size: u64,
    pub(crate) etag: String,
    pub(crate) part_size: u64,
    /// Finished parts, in any order.
    pub(crate) parts: Vec<PartRecord>,
}

impl Record for CheckpointData {
    const MAGIC: &'static str = "oss-transfer download checkpoint";
    const VERSION: u32 = 1;
}

/// What a checkpoint file holds (a download's [`CheckpointData`], an upload's checkpoint): the
/// format's name and version are written with it and must match when it is read back.
pub(crate) trait Record: Serialize + for<'de> Deserialize<'de> {
    /// The format's name, the file's `magic`.
    const MAGIC: &'static str;
    /// The format's version; a file of another version is not used.
    const VERSION: u32;
}

/// The file format of every checkpoint (downloads and uploads): a magic string, a version,
/// the data, and a CRC-64 of the data's compact JSON.
#[derive(Debug, Serialize, Deserialize)]
struct CheckpointFile<T> {
    magic: String,
    version: u32,
    /// CRC-64 (hex) of the compact JSON of `data`: detects truncated or edited files.
    checksum: String,
    data: T,
}

/// Reads a checkpoint; `None` if missing, unreadable, corrupt, of another format or version,
/// larger than 64 MiB, a link, or not the user's own regular file.
pub(crate) fn load<T: Record>(path: &Path) -> Option<T> {
    let bytes = helper_files::read_own(path, MAX_CHECKPOINT_BYTES).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let file: CheckpointFile<T> = serde_json::from_str(&text).ok()?;
    if file.magic != T::MAGIC || file.version != T::VERSION {
        return None;
    }
    let data_json = serde_json::to_string(&file.data).ok()?;
    if format!("{:016x}", crc64::checksum(data_json.as_bytes())) != file.checksum {
        return None;
    }
    Some(file.data)
}

/// Writes a checkpoint atomically (an exclusive random helper file renamed over it, mode 0600).
pub(crate) fn store<T: Record>(path: &Path, data: &T) -> std::io::Result<()> {
    let data_json = serde_json::to_string(data).map_err(std::io::Error::other)?;
    let file = CheckpointFile {
        magic: T::MAGIC.to_string(),
        version: T::VERSION,
        checksum: format!("{:016x}", crc64::checksum(data_json.as_bytes())),
        data,
    };
    let text = serde_json::to_string_pretty(&file).map_err(std::io::Error::other)?;
    helper_files::write_replacing(path, text.as_bytes(), 0o600)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CheckpointData {
        CheckpointData {
            source: "https://h/b/k".into(),
            target: "/tmp/x".into(),
            temp: "/tmp/.x.oss-temp".into(),
            size: 10,
            etag: "\"E\"".into(),
            part_size: 4,
            parts: vec![PartRecord { index: 1, crc64: 7 }],
        }
    }

    #[test]
    fn round_trips_and_detects_edits() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cp.json");
        store(&p, &sample()).unwrap();
        assert_eq!(load::<CheckpointData>(&p), Some(sample()));
        let edited = std::fs::read_to_string(&p)
            .unwrap()
            .replace("\"size\": 10", "\"size\": 11");
        std::fs::write(&p, edited).unwrap();
        assert_eq!(load::<CheckpointData>(&p), None);
        std::fs::write(&p, "{").unwrap();
        assert_eq!(load::<CheckpointData>(&p), None);
    }

    #[test]
    fn a_planted_symlink_is_replaced_not_written_through_and_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let p = dir.path().join(".x.oss-checkpoint");
        std::os::unix::fs::symlink(&victim, &p).unwrap();
        assert_eq!(
            load::<CheckpointData>(&p),
            None,
            "a checkpoint behind a link is not trusted"
        );
        store(&p, &sample()).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(!std::fs::symlink_metadata(&p)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(load::<CheckpointData>(&p), Some(sample()));
    }
}
