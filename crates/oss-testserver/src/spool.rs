//! An upload on its way in: the request body streamed into a temporary file created
//! exclusively under an unpredictable name, hashed (MD5 and CRC-64) as it arrives, and removed
//! again unless it is committed. A half-received object is never visible under its key.

use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use md5::{Digest as _, Md5};

use crate::oss_error::OssError;
use crate::request_body::RequestBody;

/// Prefix of the temporary files; a key whose last segment starts with it is never served or
/// listed.
pub(crate) const TEMP_PREFIX: &str = ".oss-tmp-";

/// Whether a key names one of the server's temporary files.
pub(crate) fn is_temp_key(key: &str) -> bool {
    key.rsplit('/')
        .next()
        .is_some_and(|last| last.starts_with(TEMP_PREFIX))
}

/// The largest object one PutObject or one UploadPart may carry (OSS: 5 GB).
pub(crate) const MAX_OBJECT_BYTES: u64 = 5 << 30;

/// A temporary file holding a complete, hashed body.
#[derive(Debug)]
pub(crate) struct Spooled {
    pub(crate) file: File,
    /// Where it is, `None` once unlinked (an anonymous spool) or committed.
    pub(crate) path: Option<PathBuf>,
    pub(crate) size: u64,
    pub(crate) md5: [u8; 16],
    pub(crate) crc64: u64,
}

impl Spooled {
    /// The quoted upper-case hex MD5, OSS's ETag of a simple upload.
    pub(crate) fn etag(&self) -> String {
        format!("\"{}\"", hex::encode_upper(self.md5))
    }

    /// The file is now in its place: no longer removed on drop.
    pub(crate) fn keep(&mut self) {
        self.path = None;
    }
}

impl Drop for Spooled {
    fn drop(&mut self) {
        if let Some(p) = self.path.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Creates a new temporary file in `dir` (exclusively: never through an existing file or link).
pub(crate) fn create_temp(dir: &Path) -> io::Result<(File, PathBuf)> {
    for _ in 0..8 {
        let name = format!("{TEMP_PREFIX}{:032x}", rand::random::<u128>());
        let path = dir.join(name);
        match OpenOptions::new()
            .write(true)
            .read(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => return Ok((f, path)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "no free temporary file name",
    ))
}

/// Where a body is spooled.
pub(crate) enum SpoolTo<'a> {
    /// A named temporary file in this folder (renamed into place later).
    Folder(&'a Path),
    /// An anonymous file in the system's temporary folder (unlinked at once; kept open).
    Anonymous,
}

fn internal(e: io::Error) -> OssError {
    OssError::new(
        500,
        "InternalError",
        format!("cannot store the upload: {e}"),
    )
}

/// A body being spooled: bytes written through a buffer into the temporary file and hashed as
/// they arrive; [`finish`](Self::finish) gives the complete [`Spooled`]. Dropped unfinished,
/// the temporary file is removed.
pub(crate) struct SpoolWriter {
    spooled: Spooled,
    writer: io::BufWriter<File>,
    md5: Md5,
    crc: crc64fast::Digest,
    max: u64,
}

impl SpoolWriter {
    /// A new temporary file for at most `max` bytes.
    pub(crate) fn new(to: SpoolTo<'_>, max: u64) -> Result<Self, OssError> {
        let (file, path) = match to {
            SpoolTo::Folder(dir) => create_temp(dir).map_err(internal)?,
            SpoolTo::Anonymous => {
                let (f, p) = create_temp(&std::env::temp_dir()).map_err(internal)?;
                let _ = std::fs::remove_file(&p);
                (f, p)
            }
        };
        let anonymous = matches!(to, SpoolTo::Anonymous);
        let writer = io::BufWriter::with_capacity(256 << 10, file.try_clone().map_err(internal)?);
        Ok(Self {
            spooled: Spooled {
                file,
                path: (!anonymous).then_some(path),
                size: 0,
                md5: [0; 16],
                crc64: 0,
            },
            writer,
            md5: Md5::new(),
            crc: crc64fast::Digest::new(),
            max,
        })
    }

    /// The bytes written so far.
    pub(crate) fn size(&self) -> u64 {
        self.spooled.size
    }

    /// Appends `chunk`; more than `max` bytes in all is `EntityTooLarge`.
    pub(crate) fn write(&mut self, chunk: &[u8]) -> Result<(), OssError> {
        self.spooled.size += chunk.len() as u64;
        if self.spooled.size > self.max {
            return Err(entity_too_large(self.max));
        }
        self.md5.update(chunk);
        self.crc.write(chunk);
        // Small synchronous writes to a local file; buffered, so each is a memory copy or one
        // write(2) of 256 KiB.
        self.writer.write_all(chunk).map_err(internal)
    }

    /// The complete body.
    pub(crate) fn finish(self) -> Result<Spooled, OssError> {
        let Self {
            mut spooled,
            mut writer,
            md5,
            crc,
            ..
        } = self;
        writer.flush().map_err(internal)?;
        drop(writer);
        spooled.md5 = md5.finalize().into();
        spooled.crc64 = crc.sum64();
        Ok(spooled)
    }
}

/// Streams the rest of `body` into a new temporary file, refusing more than `max` bytes with
/// `EntityTooLarge`; a connection that breaks leaves nothing behind.
pub(crate) async fn spool_body(
    body: &mut RequestBody,
    to: SpoolTo<'_>,
    max: u64,
) -> Result<Spooled, OssError> {
    let mut writer = SpoolWriter::new(to, max)?;
    while let Some(chunk) = body.chunk().await.map_err(|e| e.into_oss())? {
        writer.write(&chunk)?;
    }
    writer.finish()
}

pub(crate) fn entity_too_large(max: u64) -> OssError {
    OssError::new(
        400,
        "EntityTooLarge",
        format!("Your proposed upload exceeds the maximum allowed size of {max} bytes."),
    )
    .extra("MaxSizeAllowed", max.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_not_keys() {
        assert!(is_temp_key("a/.oss-tmp-0011"));
        assert!(is_temp_key(".oss-tmp-x"));
        assert!(!is_temp_key("a/b.oss-tmp-"));
    }
}
