//! Reading what an object holds (memory, a generated pattern, an open file), and the facts of a
//! file known without reading it twice: its real path, its CRC-64, its ETag.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use md5::{Digest, Md5};

/// What an object holds.
#[derive(Debug)]
pub(crate) enum Content {
    Memory(Bytes),
    Pattern {
        block: Bytes,
        len: u64,
    },
    /// An open regular file (opened once per request, so a path swapped for a link later
    /// changes nothing for this answer).
    File(Arc<std::fs::File>),
}

impl Content {
    /// Reads up to `max` bytes at `offset` (fewer only at the end of the object).
    pub(crate) async fn read_at(&self, offset: u64, max: usize) -> io::Result<Bytes> {
        match self {
            Content::Memory(b) => {
                let start = (offset as usize).min(b.len());
                let end = start.saturating_add(max).min(b.len());
                Ok(b.slice(start..end))
            }
            Content::Pattern { block, len } => {
                let left = len.saturating_sub(offset);
                let pos = (offset % block.len() as u64) as usize;
                let take = (max as u64).min(left) as usize;
                let end = (pos + take).min(block.len());
                Ok(block.slice(pos..end))
            }
            Content::File(file) => {
                let f = file.clone();
                tokio::task::spawn_blocking(move || {
                    use std::os::unix::fs::FileExt as _;
                    let mut buf = vec![0u8; max];
                    let mut got = 0;
                    while got < max {
                        let n = f.read_at(&mut buf[got..], offset + got as u64)?;
                        if n == 0 {
                            break;
                        }
                        got += n;
                    }
                    buf.truncate(got);
                    Ok(Bytes::from(buf))
                })
                .await
                .map_err(io::Error::other)?
            }
        }
    }
}

/// Where an open file really is: the kernel's name for it on Linux (immune to a link swapped
/// in after opening), the canonical form of its path elsewhere.
pub(super) fn real_path(file: &std::fs::File, path: &Path) -> io::Result<PathBuf> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd as _;
        if let Ok(p) = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())) {
            return Ok(p);
        }
    }
    let _ = file;
    path.canonicalize()
}

/// The CRC-64/XZ of a whole file, read with `pread` (the descriptor's offset is not touched).
pub(super) fn crc_file(file: &std::fs::File) -> io::Result<u64> {
    use std::os::unix::fs::FileExt as _;
    let mut crc = crc64fast::Digest::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut offset = 0u64;
    loop {
        let n = file.read_at(&mut buf, offset)?;
        if n == 0 {
            break;
        }
        crc.write(&buf[..n]);
        offset += n as u64;
    }
    Ok(crc.sum64())
}

/// A file's ETag, from what identifies this version of it, so that it is known before any byte
/// is read and changes when the file does.
pub(super) fn file_etag(meta: &std::fs::Metadata) -> String {
    use std::os::unix::fs::MetadataExt as _;
    let mut md5 = Md5::new();
    md5.update(format!(
        "file:{}:{}:{}:{}.{}",
        meta.dev(),
        meta.ino(),
        meta.len(),
        meta.mtime(),
        meta.mtime_nsec()
    ));
    format!("\"{}\"", hex::encode_upper(md5.finalize()))
}
