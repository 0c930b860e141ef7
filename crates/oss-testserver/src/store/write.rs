//! Writing objects: where an upload is spooled, how it is committed (renamed in, or linked in
//! when it must not overwrite), its metadata kept beside it (the record itself: `sidecar.rs`),
//! deletion and listing.
//!
//! A file-backed object's `Content-Type`, `x-oss-meta-*`, ETag and CRC-64 are kept in memory
//! and, for buckets under the root folder, in a metadata file
//! `<root>/.oss-testserver/meta/<bucket>/<md5 of key>` (no bucket can be called
//! `.oss-testserver`), written to a temporary file and renamed, so objects keep them across a
//! restart. A metadata record applies only while the file is the one it was written for (same
//! inode, size and modification time); otherwise the file is served as any other.

use std::collections::BTreeMap;
use std::io;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::file_content::Content;
use super::sidecar::{read_sidecar, sidecar_path, write_sidecar, StoredMeta};
use super::{now_seconds, safe_join, Bucket, Object, ObjectInfo, ObjectStore};
use crate::oss_error::{already_exists, no_such_bucket, OssError};
use crate::spool::{is_temp_key, Spooled, TEMP_PREFIX};

/// Uploads into an in-memory bucket up to this size are kept in memory; bigger ones in an
/// anonymous temporary file.
const MEMORY_OBJECT_MAX: u64 = 8 << 20;

/// Where an upload for one key goes.
#[derive(Debug, Clone)]
pub(crate) enum Destination {
    /// An in-memory bucket: the spooled file itself becomes the object.
    Memory,
    /// A file in a bucket folder, and the metadata file beside it (root buckets only).
    File {
        path: PathBuf,
        sidecar: Option<PathBuf>,
        /// The folder the file must stay in (links resolved), unless links may go anywhere.
        confined_to: Option<PathBuf>,
    },
}

fn identity(meta: &std::fs::Metadata) -> (u64, u64, i128) {
    (
        meta.ino(),
        meta.len(),
        i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
    )
}

fn internal(e: io::Error) -> OssError {
    OssError::new(
        500,
        "InternalError",
        format!("cannot store the object: {e}"),
    )
}

fn invalid_name(key: &str) -> OssError {
    OssError::new(
        400,
        "InvalidObjectName",
        "The specified object name is not valid here: empty, `.` or `..` path segments, or a \
         name the server keeps for its temporary files.",
    )
    .extra("Key", key.to_string())
}

impl ObjectStore {
    /// Where an upload of `bucket`/`key` goes: `NoSuchBucket` for an unknown bucket,
    /// `InvalidObjectName` for a key that cannot be a file.
    pub(crate) fn destination(&self, bucket: &str, key: &str) -> Result<Destination, OssError> {
        if key.is_empty() || key.len() > 1023 || is_temp_key(key) {
            return Err(invalid_name(key));
        }
        let inner = self.read();
        let (dir, sidecar_root, confined_to) = match inner.buckets.get(bucket) {
            Some(Bucket::Memory(_)) => return Ok(Destination::Memory),
            Some(Bucket::Dir(d)) => (d.clone(), None, inner.confinement(d)),
            None => match (inner.root_bucket(bucket), inner.root.clone()) {
                (Some((dir, confined)), Some(root)) => {
                    // Confined to the bucket's own (real) folder, not just the root.
                    let confined = confined.map(|_| dir.clone());
                    (dir, Some(root), confined)
                }
                _ => return Err(no_such_bucket(bucket)),
            },
        };
        let path = safe_join(&dir, key).ok_or_else(|| invalid_name(key))?;
        let sidecar = sidecar_root.map(|root| sidecar_path(&root, bucket, key));
        Ok(Destination::File {
            path,
            sidecar,
            confined_to,
        })
    }

    /// The folder an upload to `dest` is spooled in: the target's own folder (created if
    /// needed, and checked to be inside the bucket), or `None` for an anonymous spool.
    pub(crate) fn spool_folder(&self, dest: &Destination) -> Result<Option<PathBuf>, OssError> {
        let Destination::File {
            path, confined_to, ..
        } = dest
        else {
            return Ok(None);
        };
        let parent = path
            .parent()
            .ok_or_else(|| internal(io::Error::other("no parent")))?;
        let conflict = || {
            OssError::new(
                409,
                "ObjectNameConflict",
                "A path segment of the key is an existing object, so the key cannot be a file.",
            )
        };
        let Some(base) = confined_to else {
            std::fs::create_dir_all(parent).map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists | io::ErrorKind::NotADirectory => conflict(),
                _ => internal(e),
            })?;
            return Ok(Some(parent.to_path_buf()));
        };
        // One folder at a time from the bucket's real folder, none of them a link: nothing is
        // created through a link another user planted.
        let rel = parent
            .strip_prefix(base)
            .map_err(|_| internal(io::Error::other("the key's folder is outside the bucket")))?;
        let mut at = base.clone();
        for part in rel.components() {
            at.push(part);
            match std::fs::create_dir(&at) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) if e.kind() == io::ErrorKind::NotADirectory => return Err(conflict()),
                Err(e) => return Err(internal(e)),
            }
            let kind = std::fs::symlink_metadata(&at)
                .map_err(internal)?
                .file_type();
            if kind.is_symlink() {
                return Err(OssError::new(
                    403,
                    "AccessDenied",
                    "The key leads outside the bucket's folder (symbolic links are not followed out of it).",
                ));
            }
            if !kind.is_dir() {
                return Err(conflict());
            }
        }
        Ok(Some(at))
    }

    /// Whether an object exists under `bucket`/`key` now.
    pub(crate) fn exists(&self, bucket: &str, key: &str) -> bool {
        matches!(self.lookup_quick(bucket, key), Some(true))
    }

    fn lookup_quick(&self, bucket: &str, key: &str) -> Option<bool> {
        match self.destination(bucket, key).ok()? {
            Destination::Memory => {
                let inner = self.read();
                match inner.buckets.get(bucket) {
                    Some(Bucket::Memory(m)) => Some(m.contains_key(key)),
                    _ => Some(false),
                }
            }
            Destination::File { path, .. } => Some(
                std::fs::symlink_metadata(&path)
                    .map(|m| !m.is_dir())
                    .unwrap_or(false),
            ),
        }
    }

    /// Puts a complete spooled body in place under `bucket`/`key`; with `forbid_overwrite`, an
    /// existing object is left alone and `409 FileAlreadyExists` answered.
    pub(crate) fn commit(
        &self,
        bucket: &str,
        key: &str,
        dest: &Destination,
        mut spooled: Spooled,
        mut meta: StoredMeta,
        forbid_overwrite: bool,
    ) -> Result<ObjectInfo, OssError> {
        meta.crc64 = spooled.crc64;
        let file_meta = spooled.file.metadata().map_err(internal)?;
        meta.identity = identity(&file_meta);
        let info = ObjectInfo {
            size: spooled.size,
            etag: meta.etag.clone(),
            crc64: spooled.crc64,
            last_modified: now_seconds(),
        };
        match dest {
            Destination::Memory => {
                let mut inner = self.write();
                let Some(Bucket::Memory(map)) = inner.buckets.get_mut(bucket) else {
                    return Err(OssError::for_status(500));
                };
                if forbid_overwrite && map.contains_key(key) {
                    return Err(already_exists(key));
                }
                // Small objects are kept in memory (no descriptor held per object); bigger ones
                // stay in their anonymous temporary file.
                let content = if spooled.size <= MEMORY_OBJECT_MAX {
                    use std::os::unix::fs::FileExt as _;
                    let mut buf = vec![0u8; spooled.size as usize];
                    spooled.file.read_exact_at(&mut buf, 0).map_err(internal)?;
                    Content::Memory(buf.into())
                } else {
                    Content::File(Arc::new(spooled.file.try_clone().map_err(internal)?))
                };
                spooled.keep();
                map.insert(
                    key.to_string(),
                    Arc::new(Object {
                        content,
                        info: info.clone(),
                        crc64: Some(info.crc64),
                        content_type: meta.content_type,
                        user_meta: meta.user_meta,
                    }),
                );
                Ok(info)
            }
            Destination::File { path, sidecar, .. } => {
                let tmp = spooled
                    .path
                    .clone()
                    .ok_or_else(|| OssError::for_status(500))?;
                if let Some(side) = sidecar {
                    write_sidecar(side, key, &meta).map_err(internal)?;
                }
                if let Ok(mut m) = self.written.lock() {
                    m.insert(path.clone(), meta.clone());
                }
                if forbid_overwrite {
                    // A hard link never replaces an existing name: atomic "create if absent".
                    match std::fs::hard_link(&tmp, path) {
                        Ok(()) => {
                            let _ = std::fs::remove_file(&tmp);
                        }
                        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                            return Err(already_exists(key))
                        }
                        Err(e) => return Err(internal(e)),
                    }
                } else if let Err(e) = std::fs::rename(&tmp, path) {
                    return Err(match e.kind() {
                        io::ErrorKind::IsADirectory | io::ErrorKind::DirectoryNotEmpty => {
                            OssError::new(
                                409,
                                "ObjectNameConflict",
                                "The key is a prefix of other objects (a folder on disk), so it cannot be a file.",
                            )
                        }
                        _ => internal(e),
                    });
                }
                spooled.keep();
                self.remember_crc(
                    path,
                    file_meta.len(),
                    file_meta.modified().map_err(internal)?,
                    super::FileCrc::Known(meta.crc64),
                );
                Ok(info)
            }
        }
    }

    /// The metadata file of a key in a bucket under the root, if the bucket is one.
    pub(crate) fn sidecar_of(&self, bucket: &str, key: &str) -> Option<PathBuf> {
        let inner = self.read();
        if inner.buckets.contains_key(bucket) {
            return None;
        }
        inner.root.as_ref().map(|r| sidecar_path(r, bucket, key))
    }

    /// The stored metadata of a file, if it still belongs to `file`.
    pub(crate) fn stored_meta(
        &self,
        path: &Path,
        sidecar: Option<&Path>,
        file: &std::fs::File,
    ) -> Option<StoredMeta> {
        let now = identity(&file.metadata().ok()?);
        let cached = self.written.lock().ok()?.get(path).cloned();
        let meta = match cached {
            Some(m) => m,
            None => {
                let m = read_sidecar(sidecar?)?;
                if let Ok(mut w) = self.written.lock() {
                    w.insert(path.to_path_buf(), m.clone());
                }
                m
            }
        };
        (meta.identity == now).then_some(meta)
    }

    /// DeleteObject: removes the object (and its metadata) if it exists.
    pub(crate) fn delete(&self, bucket: &str, key: &str) -> Result<(), OssError> {
        match self.destination(bucket, key) {
            Ok(Destination::Memory) => {
                self.remove(bucket, key);
                Ok(())
            }
            Ok(Destination::File { path, sidecar, .. }) => {
                match std::fs::symlink_metadata(&path) {
                    Ok(m) if m.is_dir() => return Ok(()),
                    Ok(_) => std::fs::remove_file(&path).map_err(internal)?,
                    Err(_) => {}
                }
                if let Some(s) = sidecar {
                    let _ = std::fs::remove_file(s);
                }
                if let Ok(mut m) = self.written.lock() {
                    m.remove(&path);
                }
                Ok(())
            }
            // A key that cannot exist is simply not there.
            Err(e) if e.code == "InvalidObjectName" => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Every key of a bucket, sorted (files found by walking the folder; links are listed only
    /// when they may be followed; the server's temporary files never).
    pub(crate) fn keys(&self, bucket: &str) -> Result<Vec<String>, OssError> {
        let inner = self.read();
        let (dir, follow) = match inner.buckets.get(bucket) {
            Some(Bucket::Memory(m)) => {
                return Ok(m.keys().filter(|k| !is_temp_key(k)).cloned().collect())
            }
            Some(Bucket::Dir(d)) => (d.clone(), inner.follow_symlinks),
            None => match inner.root_bucket(bucket) {
                Some((d, _)) => (d, inner.follow_symlinks),
                None => return Err(no_such_bucket(bucket)),
            },
        };
        drop(inner);
        let mut keys = BTreeMap::new();
        walk(&dir, "", follow, &mut keys, 0);
        Ok(keys.into_keys().collect())
    }
}

fn walk(dir: &Path, prefix: &str, follow: bool, out: &mut BTreeMap<String, ()>, depth: usize) {
    if depth > 64 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.starts_with(TEMP_PREFIX) {
            continue;
        }
        let Ok(ft) = entry.file_type() else { continue };
        let key = format!("{prefix}{name}");
        if ft.is_dir() {
            walk(&entry.path(), &format!("{key}/"), follow, out, depth + 1);
        } else if ft.is_file()
            || (ft.is_symlink()
                && follow
                && std::fs::metadata(entry.path()).is_ok_and(|m| m.is_file()))
        {
            out.insert(key, ());
        }
    }
}
