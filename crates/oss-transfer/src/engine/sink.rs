//! Where the bytes go: positional writes into the temporary file or an ordered channel to a
//! writer, and the target's files (helper names, a usable checkpoint and its temp file, the
//! re-check of kept parts, the replaced file's mode).

use std::collections::VecDeque;
use std::fs::File;
use std::os::unix::fs::{FileExt as _, MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc;

use super::plan::Geometry;
use crate::checkpoint::{self, CheckpointData, PartRecord};
use crate::config::Config;
use crate::config::Shared;
use crate::crc64;
use crate::error::{DownloadError, DownloadErrorKind as Kind};
use crate::helper_files::{self, HelperNames, CHECKPOINT_TAG, NEW_TAG, TEMP_TAG};

/// Where a worker's bytes go.
pub(super) enum Out {
    File(FileOut),
    Chan(ChanOut),
}

/// Writes that may be in flight per connection: they absorb short write stalls (page-cache
/// writeback) without stopping the network reads.
pub(super) const MAX_PENDING_WRITES: usize = 3;

pub(super) struct FileOut {
    /// The temporary file (opened once, exclusively); batches are positional writes, so
    /// parallel writers never share an offset and nothing is reopened by name.
    pub(super) file: Arc<File>,
    /// Received frames not yet written (kept as they came: no copy).
    pub(super) chunks: Vec<Bytes>,
    pub(super) len: usize,
    pub(super) buf_pos: u64,
    pub(super) cap: usize,
    pub(super) pending: VecDeque<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl FileOut {
    pub(super) fn new(file: Arc<File>, start: u64, cap: usize) -> Self {
        Self {
            file,
            chunks: Vec::new(),
            len: 0,
            buf_pos: start,
            cap,
            pending: VecDeque::new(),
        }
    }

    /// Waits until at most `keep` writes are in flight.
    pub(super) async fn wait(&mut self, keep: usize) -> Result<(), DownloadError> {
        while self.pending.len() > keep {
            let Some(h) = self.pending.pop_front() else {
                break;
            };
            h.await
                .map_err(|e| DownloadError::new(Kind::Io, format!("writer task failed: {e}")))?
                .map_err(|e| DownloadError::io("writing the temporary file", e))?;
        }
        Ok(())
    }

    /// Starts writing the buffered frames in a blocking thread (one `pwritev` per batch).
    pub(super) async fn submit(&mut self) -> Result<(), DownloadError> {
        self.wait(MAX_PENDING_WRITES - 1).await?;
        if self.chunks.is_empty() {
            return Ok(());
        }
        let chunks = std::mem::take(&mut self.chunks);
        let pos = self.buf_pos;
        self.buf_pos += self.len as u64;
        self.len = 0;
        let file = self.file.clone();
        self.pending.push_back(tokio::task::spawn_blocking(move || {
            use std::io::IoSlice;
            let mut slices: Vec<IoSlice<'_>> = chunks.iter().map(|c| IoSlice::new(c)).collect();
            let mut rest = &mut slices[..];
            let mut at = pos;
            while !rest.is_empty() {
                let n = rustix::io::pwritev(file.as_ref(), rest, at)?;
                if n == 0 {
                    return Err(std::io::ErrorKind::WriteZero.into());
                }
                at += n as u64;
                IoSlice::advance_slices(&mut rest, n);
            }
            Ok(())
        }));
        Ok(())
    }
}

/// Frames for an ordered writer, sent in batches of about `cap` bytes: the received `Bytes`
/// as they came (no copy), one channel send (and wake-up) per batch, not per frame.
pub(super) struct ChanOut {
    pub(super) tx: mpsc::Sender<Vec<Bytes>>,
    pub(super) frames: Vec<Bytes>,
    pub(super) len: usize,
    pub(super) cap: usize,
}

impl ChanOut {
    pub(super) fn new(tx: mpsc::Sender<Vec<Bytes>>, cap: usize) -> Self {
        Self {
            tx,
            frames: Vec::new(),
            len: 0,
            cap,
        }
    }

    async fn send(&mut self) -> Result<(), DownloadError> {
        if self.frames.is_empty() {
            return Ok(());
        }
        let frames = std::mem::take(&mut self.frames);
        self.len = 0;
        self.tx.send(frames).await.map_err(|_| cancelled())
    }
}

impl Out {
    pub(super) async fn push(&mut self, pos: u64, data: Bytes) -> Result<(), DownloadError> {
        match self {
            Out::File(f) => {
                if f.chunks.is_empty() {
                    f.buf_pos = pos;
                }
                f.len += data.len();
                f.chunks.push(data);
                if f.len >= f.cap {
                    f.submit().await?;
                }
            }
            Out::Chan(c) => {
                c.len += data.len();
                c.frames.push(data);
                if c.len >= c.cap {
                    c.send().await?;
                }
            }
        }
        Ok(())
    }

    /// Makes everything pushed so far durable in the sink (written, or handed to the writer).
    pub(super) async fn flush(&mut self) -> Result<(), DownloadError> {
        match self {
            Out::File(f) => {
                f.submit().await?;
                f.wait(0).await
            }
            Out::Chan(c) => c.send().await,
        }
    }
}

pub(super) fn cancelled() -> DownloadError {
    DownloadError::new(Kind::Cancelled, "the download was cancelled")
}

/// A segment being fetched for an ordered writer: its chunks and its task.
pub(super) type InFlight = (
    mpsc::Receiver<Vec<Bytes>>,
    tokio::task::JoinHandle<Result<(), DownloadError>>,
);

pub(super) struct Paths {
    pub(super) target: PathBuf,
    pub(super) names: HelperNames,
    pub(super) checkpoint: PathBuf,
}

impl Paths {
    /// The helper names of the checkpoint file itself (for its write-then-rename files).
    pub(super) fn checkpoint_names(&self) -> Option<HelperNames> {
        let dir = self.checkpoint.parent()?;
        Some(HelperNames::new(dir, self.checkpoint.file_name()?))
    }

    /// Removes every temporary file of this target (and half-written checkpoints), except
    /// `keep`. Only called while the target's lock is held.
    pub(super) fn remove_stale(&self, keep: Option<&Path>) {
        let _ = self.names.remove_stale(&[TEMP_TAG, NEW_TAG], keep);
        if let Some(n) = self.checkpoint_names() {
            let _ = n.remove_stale(&[NEW_TAG], None);
        }
        // The fixed temp name of earlier versions (`.<name>.oss-temp`), if it is ours.
        let legacy = self.names.fixed(TEMP_TAG);
        if helper_files::open_own(&legacy, false).is_ok() {
            let _ = std::fs::remove_file(&legacy);
        }
    }

    pub(super) fn remove_checkpoint(&self) {
        if helper_files::open_own(&self.checkpoint, false).is_ok() {
            let _ = std::fs::remove_file(&self.checkpoint);
        }
    }
}

pub(super) fn paths(shared: &Shared, target: &Path) -> Result<Paths, DownloadError> {
    let invalid = |m: String| DownloadError::new(Kind::InvalidInput, m);
    let name = target
        .file_name()
        .ok_or_else(|| invalid(format!("{} does not name a file", target.display())))?;
    if name.len() > helper_files::NAME_MAX {
        return Err(invalid(format!(
            "the file name of {} is {} bytes; at most {} are allowed",
            target.display(),
            name.len(),
            helper_files::NAME_MAX
        )));
    }
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(invalid(format!(
            "the directory {} of the target does not exist",
            parent.display()
        )));
    }
    if target.is_dir() {
        return Err(invalid(format!("{} is a directory", target.display())));
    }
    let parent = parent
        .canonicalize()
        .map_err(|e| DownloadError::io("resolving the target directory", e))?;
    let target = parent.join(name);
    let names = HelperNames::new(&parent, name);
    let checkpoint = match &shared.config.transfer.checkpoint_dir {
        Some(dir) => {
            let mut file = std::ffi::OsString::from(format!(
                "{:016x}-",
                crc64::checksum(target.as_os_str().as_encoded_bytes())
            ));
            file.push(names.stem());
            file.push(format!(".{CHECKPOINT_TAG}"));
            dir.join(file)
        }
        None => names.fixed(CHECKPOINT_TAG),
    };
    Ok(Paths {
        target,
        names,
        checkpoint,
    })
}

/// A checkpoint that fits this download, with its temporary file opened (never through a
/// link, only the user's own regular file of the right length).
pub(super) fn usable_checkpoint(
    cfg: &Config,
    paths: &Paths,
    identity: &str,
    target: &str,
) -> Option<(CheckpointData, File)> {
    let cp: CheckpointData = checkpoint::load(&paths.checkpoint)?;
    let fits = cp.source == identity
        && cp.target == target
        && cp.part_size == cfg.transfer.part_size
        && cp.size <= cfg.max_size
        && paths.names.is_random(Path::new(&cp.temp), TEMP_TAG)
        && cp
            .parts
            .iter()
            .all(|p| p.index < cp.size.div_ceil(cp.part_size));
    if !fits {
        return None;
    }
    let file = helper_files::open_own(Path::new(&cp.temp), true).ok()?;
    if file.metadata().ok()?.len() != cp.size {
        return None;
    }
    Some((cp, file))
}

/// Re-reads the parts a checkpoint lists and keeps only those whose bytes on disk still have
/// the recorded CRC-64 (the file may have been damaged or edited since).
pub(super) async fn verify_kept_parts(
    file: Arc<File>,
    geo: &Geometry,
    parts: Vec<PartRecord>,
) -> Result<Vec<PartRecord>, DownloadError> {
    let geo = geo.clone();
    tokio::task::spawn_blocking(move || {
        let mut buf = vec![0u8; 1 << 20];
        let mut good = Vec::with_capacity(parts.len());
        for p in parts {
            let (start, end) = geo.part_range(p.index);
            let mut hasher = crc64::Hasher::new();
            let mut at = start;
            while at < end {
                let n = ((end - at) as usize).min(buf.len());
                file.read_exact_at(&mut buf[..n], at)?;
                hasher.update(&buf[..n]);
                at += n as u64;
            }
            if hasher.finish() == p.crc64 {
                good.push(p);
            }
        }
        Ok(good)
    })
    .await
    .map_err(|e| DownloadError::new(Kind::Io, format!("a verify task failed: {e}")))?
    .map_err(|e| DownloadError::io("re-reading the kept parts of the temporary file", e))
}

/// Gives the finished temporary file the permissions (and, where allowed, the owner) of the
/// file it replaces, so replacing a 0600 file does not make it world-readable.
pub(super) fn keep_mode_of_replaced(temp: &File, target: &Path) -> Result<(), DownloadError> {
    let Ok(old) = std::fs::symlink_metadata(target) else {
        return Ok(());
    };
    if !old.file_type().is_file() {
        return Ok(());
    }
    temp.set_permissions(std::fs::Permissions::from_mode(old.mode() & 0o777))
        .map_err(|e| DownloadError::io("copying the replaced file's permissions", e))?;
    // Only root (or the same owner) may do this; otherwise the file stays the user's own.
    let _ = std::os::unix::fs::fchown(temp, Some(old.uid()), Some(old.gid()));
    Ok(())
}
