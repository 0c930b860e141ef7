//! Objects the server serves: in memory, generated on the fly, or files under a directory.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use bytes::Bytes;
use md5::{Digest, Md5};

use crate::error::{ServerError, ServerErrorKind};
use crate::spool::is_temp_key;

mod file_content;
mod generated;
mod sidecar;
pub(crate) mod write;
pub(crate) use file_content::Content;
use file_content::{crc_file, file_etag, real_path};
use generated::{crc_of_pattern, pattern_block};
pub use generated::{generated_bytes, generated_crc64};
pub(crate) use sidecar::StoredMeta;

/// Facts about a stored object, as the server reports them in headers.
///
/// ```
/// let store = oss_testserver::ObjectStore::new();
/// let info = store.put("bucket", "hello.txt", b"hello world!".to_vec()).unwrap();
/// assert_eq!(info.size, 12);
/// assert_eq!(info.crc64, 0x8483C0FA32607D61);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectInfo {
    /// Size in bytes.
    pub size: u64,
    /// The ETag header value, with its quotes (`"5EB63BBBE01EEED093CB22BB8F5ACDC3"`): the MD5
    /// of the content for [`ObjectStore::put`] into memory; for a file, an MD5 of its identity
    /// (device, inode, size, modification time), known without reading it and stable while the
    /// file is unchanged; for generated objects, derived from seed and length.
    pub etag: String,
    /// CRC-64/XZ (ECMA-182) of the whole object, sent as decimal in `x-oss-hash-crc64ecma`.
    pub crc64: u64,
    /// Last modification time (whole seconds).
    pub last_modified: SystemTime,
}

#[derive(Debug)]
pub(crate) struct Object {
    pub(crate) content: Content,
    pub(crate) info: ObjectInfo,
    /// The CRC-64 when known: a big file's is computed after its first answer has started.
    pub(crate) crc64: Option<u64>,
    pub(crate) content_type: String,
    /// The `x-oss-meta-*` headers it was uploaded with (lower-case names), in order.
    pub(crate) user_meta: Vec<(String, String)>,
}

/// Files up to this size are hashed before their first answer (milliseconds); a bigger one is
/// answered at once, without `x-oss-hash-crc64ecma`, while a background thread hashes it.
const HASH_BEFORE_ANSWER: u64 = 4 << 20;

/// The CRC-64 of a file, or the fact that a background thread is computing it.
#[derive(Debug, Clone, Copy)]
enum FileCrc {
    Known(u64),
    Hashing,
}

/// CRCs of files, keyed by path, valid while length and mtime are unchanged.
type FileMetaCache = HashMap<PathBuf, (u64, SystemTime, FileCrc)>;

/// When a file's CRC-64 may be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HashWhen {
    /// Now, whatever the size (the library API: `info`, `put`).
    Now,
    /// Now for small files, in the background for big ones (answering a request).
    Background,
}

#[derive(Debug)]
enum Bucket {
    Memory(BTreeMap<String, Arc<Object>>),
    Dir(PathBuf),
}

#[derive(Debug, Default)]
struct StoreInner {
    buckets: BTreeMap<String, Bucket>,
    root: Option<PathBuf>,
    follow_symlinks: bool,
}

impl StoreInner {
    /// The folder of a bucket under the root, and the folder its files must stay in (the root,
    /// unless links may be followed anywhere).
    fn root_bucket(&self, bucket: &str) -> Option<(PathBuf, Option<PathBuf>)> {
        let root = self.root.as_ref()?;
        if check_bucket(bucket).is_err() {
            return None;
        }
        let dir = root.join(bucket);
        if !dir.is_dir() {
            return None;
        }
        if self.follow_symlinks {
            return Some((dir, None));
        }
        let real = dir.canonicalize().ok()?;
        real.starts_with(root).then(|| (real, Some(root.clone())))
    }

    /// The folder a directory-backed bucket's files must stay in, if confined.
    fn confinement(&self, dir: &Path) -> Option<PathBuf> {
        (!self.follow_symlinks).then(|| dir.to_path_buf())
    }
}

pub(crate) enum Lookup {
    NoSuchBucket,
    NoSuchKey,
    Found(Arc<Object>),
    /// The object may exist but cannot be opened now (out of file descriptors, an I/O error).
    Unavailable(String),
}

/// Why a file cannot be served.
#[derive(Debug)]
enum FileProblem {
    /// Missing, not a regular file, or outside the served folder: answered as a missing key.
    Missing(String),
    /// Anything else (EMFILE, EIO, ...): a server-side failure, worth retrying.
    Unavailable(io::Error),
}

impl FileProblem {
    fn from_io(e: io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::NotFound | io::ErrorKind::NotADirectory => Self::Missing(e.to_string()),
            _ => Self::Unavailable(e),
        }
    }
}

impl From<FileProblem> for ServerError {
    fn from(p: FileProblem) -> Self {
        match p {
            FileProblem::Missing(m) => ServerError::new(ServerErrorKind::InvalidInput, m),
            FileProblem::Unavailable(e) => io_err(e),
        }
    }
}

/// The objects a [`TestServer`](crate::TestServer) serves. Cheap to clone; clones share contents,
/// so a test can add, replace or remove objects while the server runs.
///
/// Buckets are either in memory ([`ObjectStore::put`], [`ObjectStore::put_generated`]), a
/// directory ([`ObjectStore::mount_dir`]: the files under it are the keys), or a root directory
/// whose subdirectories are buckets ([`ObjectStore::mount_root`]). Keys containing `..`, `.` or
/// empty path segments are never resolved on disk, and symbolic links are followed only as far
/// as they stay inside the mounted folder (unless [`ObjectStore::follow_symlinks`] allows more).
///
/// ```
/// let store = oss_testserver::ObjectStore::new();
/// store.put("bucket", "a/b.txt", b"data".to_vec()).unwrap();
/// assert_eq!(store.info("bucket", "a/b.txt").unwrap().size, 4);
/// assert!(store.remove("bucket", "a/b.txt"));
/// assert!(store.info("bucket", "a/b.txt").is_none());
/// ```
#[derive(Debug, Clone, Default)]
pub struct ObjectStore {
    inner: Arc<RwLock<StoreInner>>,
    file_meta: Arc<Mutex<FileMetaCache>>,
    /// What uploads stored about the files they wrote, by path (see `write`).
    written: Arc<Mutex<HashMap<PathBuf, StoredMeta>>>,
}

impl ObjectStore {
    /// An empty store.
    ///
    /// ```
    /// let store = oss_testserver::ObjectStore::new();
    /// assert!(store.info("bucket", "key").is_none());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Creates an empty in-memory bucket (no-op if it exists).
    ///
    /// ```
    /// let store = oss_testserver::ObjectStore::new();
    /// store.create_bucket("empty-bucket").unwrap();
    /// assert!(store.create_bucket("UPPER").is_err());
    /// ```
    pub fn create_bucket(&self, bucket: &str) -> Result<(), ServerError> {
        check_bucket(bucket)?;
        let mut inner = self.write();
        inner
            .buckets
            .entry(bucket.to_string())
            .or_insert_with(|| Bucket::Memory(BTreeMap::new()));
        Ok(())
    }

    /// Serves the files under `dir` as the objects of `bucket` (key `a/b.txt` is `dir/a/b.txt`).
    ///
    /// ```
    /// let dir = std::env::temp_dir();
    /// let store = oss_testserver::ObjectStore::new();
    /// store.mount_dir("files", &dir).unwrap();
    /// assert!(store.mount_dir("files", "/definitely/not/here").is_err());
    /// ```
    pub fn mount_dir(&self, bucket: &str, dir: impl AsRef<Path>) -> Result<(), ServerError> {
        check_bucket(bucket)?;
        let dir = existing_dir(dir.as_ref())?;
        self.write()
            .buckets
            .insert(bucket.to_string(), Bucket::Dir(dir));
        Ok(())
    }

    /// Serves every subdirectory of `root` as a bucket of the same name (looked up per request,
    /// so directories created later are visible).
    ///
    /// ```
    /// let root = tempfile::tempdir().unwrap();
    /// let store = oss_testserver::ObjectStore::new();
    /// store.mount_root(root.path()).unwrap();
    /// // a folder created after mounting is a bucket at once
    /// std::fs::create_dir(root.path().join("later")).unwrap();
    /// std::fs::write(root.path().join("later/k.txt"), b"12345").unwrap();
    /// assert_eq!(store.info("later", "k.txt").unwrap().size, 5);
    /// assert!(store.mount_root(root.path().join("missing")).is_err());
    /// ```
    pub fn mount_root(&self, root: impl AsRef<Path>) -> Result<(), ServerError> {
        let root = existing_dir(root.as_ref())?;
        self.write().root = Some(root);
        Ok(())
    }

    /// Whether symbolic links in mounted folders may lead anywhere (default `false`).
    ///
    /// By default a bucket folder or file whose real path (all links resolved, checked on the
    /// file as opened) is outside the folder given to [`mount_root`](ObjectStore::mount_root) or
    /// [`mount_dir`](ObjectStore::mount_dir) is answered as missing: another local user who can
    /// create links in the served folder cannot make the server serve `/etc/passwd`.
    ///
    /// ```
    /// let root = tempfile::tempdir().unwrap();
    /// let outside = tempfile::tempdir().unwrap();
    /// std::fs::write(outside.path().join("secret.txt"), b"secret").unwrap();
    /// std::fs::create_dir(root.path().join("bucket")).unwrap();
    /// std::os::unix::fs::symlink(
    ///     outside.path().join("secret.txt"),
    ///     root.path().join("bucket/link.txt"),
    /// )
    /// .unwrap();
    /// let store = oss_testserver::ObjectStore::new();
    /// store.mount_root(root.path()).unwrap();
    /// assert!(store.info("bucket", "link.txt").is_none());
    /// store.follow_symlinks(true);
    /// assert_eq!(store.info("bucket", "link.txt").unwrap().size, 6);
    /// ```
    pub fn follow_symlinks(&self, follow: bool) {
        self.write().follow_symlinks = follow;
    }

    /// Stores `data` under `bucket`/`key` in memory, creating the bucket if needed, and returns
    /// the new ETag, size and CRC. A directory-backed bucket gets the file written instead.
    ///
    /// ```
    /// let store = oss_testserver::ObjectStore::new();
    /// let first = store.put("bucket", "k", b"one".to_vec()).unwrap();
    /// let second = store.put("bucket", "k", b"two".to_vec()).unwrap();
    /// assert_ne!(first.etag, second.etag);
    /// ```
    pub fn put(
        &self,
        bucket: &str,
        key: &str,
        data: impl Into<Bytes>,
    ) -> Result<ObjectInfo, ServerError> {
        check_bucket(bucket)?;
        check_key(key)?;
        let data: Bytes = data.into();
        if let Some(path) = self.dir_path(bucket, key) {
            let path = path?;
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io_err)?;
            }
            std::fs::write(&path, &data).map_err(io_err)?;
            return self
                .file_object(&path, None, HashWhen::Now)
                .map(|o| o.info.clone())
                .map_err(ServerError::from);
        }
        let mut md5 = Md5::new();
        md5.update(&data);
        let mut crc = crc64fast::Digest::new();
        crc.write(&data);
        let info = ObjectInfo {
            size: data.len() as u64,
            etag: format!("\"{}\"", hex::encode_upper(md5.finalize())),
            crc64: crc.sum64(),
            last_modified: now_seconds(),
        };
        self.insert(bucket, key, Content::Memory(data), info.clone());
        Ok(info)
    }

    /// Stores an object of `len` deterministic pseudo-random bytes derived from `seed` without
    /// holding it in memory (a 1 MiB block is repeated with a shift); use it for big objects.
    /// Its ETag is derived from `seed` and `len`, not an MD5 of the content.
    ///
    /// ```
    /// let store = oss_testserver::ObjectStore::new();
    /// let info = store.put_generated("bucket", "big", 3 << 20, 7).unwrap();
    /// assert_eq!(info.size, 3 << 20);
    /// assert_eq!(info.crc64, oss_testserver::generated_crc64(3 << 20, 7));
    /// ```
    pub fn put_generated(
        &self,
        bucket: &str,
        key: &str,
        len: u64,
        seed: u64,
    ) -> Result<ObjectInfo, ServerError> {
        check_bucket(bucket)?;
        check_key(key)?;
        let block = pattern_block(seed);
        let crc64 = crc_of_pattern(&block, len);
        let mut md5 = Md5::new();
        md5.update(format!("generated:{seed}:{len}"));
        let info = ObjectInfo {
            size: len,
            etag: format!("\"{}\"", hex::encode_upper(md5.finalize())),
            crc64,
            last_modified: now_seconds(),
        };
        self.insert(bucket, key, Content::Pattern { block, len }, info.clone());
        Ok(info)
    }

    /// Removes an in-memory object; returns whether it existed.
    ///
    /// ```
    /// let store = oss_testserver::ObjectStore::new();
    /// assert!(!store.remove("bucket", "nothing"));
    /// ```
    pub fn remove(&self, bucket: &str, key: &str) -> bool {
        match self.write().buckets.get_mut(bucket) {
            Some(Bucket::Memory(map)) => map.remove(key).is_some(),
            _ => false,
        }
    }

    /// Size, ETag and CRC of an object, if it exists.
    ///
    /// ```
    /// let store = oss_testserver::ObjectStore::new();
    /// store.put("bucket", "k", Vec::from(&b"abc"[..])).unwrap();
    /// assert_eq!(store.info("bucket", "k").unwrap().size, 3);
    /// ```
    pub fn info(&self, bucket: &str, key: &str) -> Option<ObjectInfo> {
        match self.find(bucket, key, HashWhen::Now) {
            Lookup::Found(o) => Some(o.info.clone()),
            _ => None,
        }
    }

    pub(crate) fn bucket_exists(&self, bucket: &str) -> bool {
        let inner = self.read();
        inner.buckets.contains_key(bucket) || inner.root_bucket(bucket).is_some()
    }

    /// The object to answer a request with; a big file not hashed yet is returned at once with
    /// its CRC-64 unknown, and hashed in the background for the next requests.
    pub(crate) fn lookup(&self, bucket: &str, key: &str) -> Lookup {
        self.find(bucket, key, HashWhen::Background)
    }

    fn find(&self, bucket: &str, key: &str, when: HashWhen) -> Lookup {
        if is_temp_key(key) {
            return Lookup::NoSuchKey;
        }
        let (dir, confined_to) = {
            let inner = self.read();
            match inner.buckets.get(bucket) {
                Some(Bucket::Memory(map)) => {
                    return match map.get(key) {
                        Some(o) => Lookup::Found(o.clone()),
                        None => Lookup::NoSuchKey,
                    }
                }
                Some(Bucket::Dir(d)) => (d.clone(), inner.confinement(d)),
                None => match inner.root_bucket(bucket) {
                    Some(found) => found,
                    None => return Lookup::NoSuchBucket,
                },
            }
        };
        let Some(path) = safe_join(&dir, key) else {
            return Lookup::NoSuchKey;
        };
        match self.file_object(&path, confined_to.as_deref(), when) {
            Ok(mut o) => {
                if let Content::File(file) = &o.content {
                    let sidecar = self.sidecar_of(bucket, key);
                    if let Some(m) = self.stored_meta(&path, sidecar.as_deref(), file) {
                        o.info.etag = m.etag;
                        o.info.crc64 = m.crc64;
                        o.crc64 = Some(m.crc64);
                        o.content_type = m.content_type;
                        o.user_meta = m.user_meta;
                    }
                }
                Lookup::Found(Arc::new(o))
            }
            Err(FileProblem::Missing(_)) => Lookup::NoSuchKey,
            Err(FileProblem::Unavailable(e)) => Lookup::Unavailable(e.to_string()),
        }
    }

    fn dir_path(&self, bucket: &str, key: &str) -> Option<Result<PathBuf, ServerError>> {
        let inner = self.read();
        let dir = match inner.buckets.get(bucket) {
            Some(Bucket::Dir(d)) => d.clone(),
            Some(Bucket::Memory(_)) => return None,
            None => inner.root_bucket(bucket)?.0,
        };
        Some(safe_join(&dir, key).ok_or_else(|| {
            ServerError::new(
                ServerErrorKind::InvalidInput,
                format!("key {key:?} cannot be stored on disk (empty, `.` or `..` segments)"),
            )
        }))
    }

    /// Opens the file at `path` and describes it; with `confined_to`, the file as opened must
    /// really be inside that folder (links resolved), else it is refused.
    fn file_object(
        &self,
        path: &Path,
        confined_to: Option<&Path>,
        when: HashWhen,
    ) -> Result<Object, FileProblem> {
        let not_regular =
            || FileProblem::Missing(format!("{} is not a regular file", path.display()));
        // Checked before opening, so that a FIFO or device is never opened (open would block).
        if !std::fs::metadata(path)
            .map_err(FileProblem::from_io)?
            .is_file()
        {
            return Err(not_regular());
        }
        let file = std::fs::File::open(path).map_err(FileProblem::from_io)?;
        if let Some(base) = confined_to {
            let real = real_path(&file, path).map_err(FileProblem::from_io)?;
            if !real.starts_with(base) {
                return Err(FileProblem::Missing(format!(
                    "{} leads outside the served folder {} (links are not followed out of it)",
                    path.display(),
                    base.display()
                )));
            }
        }
        let meta = file.metadata().map_err(FileProblem::from_io)?;
        if !meta.is_file() {
            return Err(not_regular());
        }
        let mtime = meta.modified().map_err(FileProblem::from_io)?;
        let len = meta.len();
        let cached = self
            .file_meta
            .lock()
            .ok()
            .and_then(|m| m.get(path).copied())
            .filter(|(l, t, _)| *l == len && *t == mtime)
            .map(|(_, _, crc)| crc);
        let crc64 = match (cached, when) {
            (Some(FileCrc::Known(crc)), _) => Some(crc),
            (Some(FileCrc::Hashing), HashWhen::Background) => None,
            (_, HashWhen::Background) if len > HASH_BEFORE_ANSWER => {
                self.hash_in_background(&file, path, len, mtime);
                None
            }
            _ => {
                let crc = crc_file(&file).map_err(FileProblem::Unavailable)?;
                self.remember_crc(path, len, mtime, FileCrc::Known(crc));
                Some(crc)
            }
        };
        Ok(Object {
            content: Content::File(Arc::new(file)),
            info: ObjectInfo {
                size: len,
                etag: file_etag(&meta),
                crc64: crc64.unwrap_or_default(),
                last_modified: truncate_seconds(mtime),
            },
            crc64,
            content_type: content_type_for(path),
            user_meta: Vec::new(),
        })
    }

    fn remember_crc(&self, path: &Path, len: u64, mtime: SystemTime, crc: FileCrc) {
        if let Ok(mut m) = self.file_meta.lock() {
            m.insert(path.to_path_buf(), (len, mtime, crc));
        }
    }

    /// Starts one thread computing the file's CRC-64 (unless one already is); the result is kept
    /// for the file as it was (length and mtime) when hashing began.
    fn hash_in_background(&self, file: &std::fs::File, path: &Path, len: u64, mtime: SystemTime) {
        let Ok(file) = file.try_clone() else { return };
        self.remember_crc(path, len, mtime, FileCrc::Hashing);
        let cache = self.file_meta.clone();
        let key = path.to_path_buf();
        let spawned = std::thread::Builder::new()
            .name("oss-testserver-crc".into())
            .spawn(move || {
                let crc = crc_file(&file);
                let Ok(mut m) = cache.lock() else { return };
                let ours = matches!(
                    m.get(&key),
                    Some((l, t, FileCrc::Hashing)) if *l == len && *t == mtime
                );
                match crc {
                    Ok(crc) if ours => {
                        m.insert(key, (len, mtime, FileCrc::Known(crc)));
                    }
                    // A read error: forget the marker, the next request tries again.
                    Err(_) if ours => {
                        m.remove(&key);
                    }
                    _ => {}
                }
            });
        if spawned.is_err() {
            if let Ok(mut m) = self.file_meta.lock() {
                m.remove(path);
            }
        }
    }

    fn insert(&self, bucket: &str, key: &str, content: Content, info: ObjectInfo) {
        let mut inner = self.write();
        let b = inner
            .buckets
            .entry(bucket.to_string())
            .or_insert_with(|| Bucket::Memory(BTreeMap::new()));
        if let Bucket::Memory(map) = b {
            map.insert(
                key.to_string(),
                Arc::new(Object {
                    content,
                    crc64: Some(info.crc64),
                    info,
                    content_type: content_type_for(Path::new(key)),
                    user_meta: Vec::new(),
                }),
            );
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, StoreInner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, StoreInner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }
}

fn safe_join(dir: &Path, key: &str) -> Option<PathBuf> {
    if key.is_empty() || key.contains('\\') || key.contains('\0') {
        return None;
    }
    let mut path = dir.to_path_buf();
    for seg in key.split('/') {
        if seg.is_empty() || seg == "." || seg == ".." {
            return None;
        }
        let p = Path::new(seg);
        if p.components().count() != 1
            || !matches!(p.components().next(), Some(Component::Normal(_)))
        {
            return None;
        }
        path.push(seg);
    }
    Some(path)
}

fn existing_dir(dir: &Path) -> Result<PathBuf, ServerError> {
    if !dir.is_dir() {
        return Err(ServerError::new(
            ServerErrorKind::InvalidInput,
            format!("{} is not an existing directory", dir.display()),
        ));
    }
    dir.canonicalize().map_err(io_err)
}

/// Checks an OSS bucket name: 3-63 characters, lower-case letters, digits and `-`, starting and
/// ending with a letter or digit.
pub(crate) fn check_bucket(bucket: &str) -> Result<(), ServerError> {
    let ok = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !bucket.starts_with('-')
        && !bucket.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(ServerError::new(
            ServerErrorKind::InvalidInput,
            format!(
                "invalid bucket name {bucket:?}: 3-63 characters of a-z, 0-9 and '-', \
                 starting and ending with a letter or digit"
            ),
        ))
    }
}

fn check_key(key: &str) -> Result<(), ServerError> {
    if key.is_empty() || key.len() > 1023 || key.starts_with('/') || key.starts_with('\\') {
        return Err(ServerError::new(
            ServerErrorKind::InvalidInput,
            format!("invalid object key {key:?}: 1-1023 bytes, not starting with '/' or '\\'"),
        ));
    }
    Ok(())
}

pub(crate) fn content_type_for(path: &Path) -> String {
    match path.extension().and_then(|e| e.to_str()) {
        Some("txt") => "text/plain",
        Some("html") => "text/html",
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        _ => "application/octet-stream",
    }
    .to_string()
}

fn io_err(e: io::Error) -> ServerError {
    ServerError::new(ServerErrorKind::Io, e.to_string())
}

fn now_seconds() -> SystemTime {
    truncate_seconds(SystemTime::now())
}

fn truncate_seconds(t: SystemTime) -> SystemTime {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs)
}
