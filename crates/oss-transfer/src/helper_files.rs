//! Helper files beside a target (temporary data, checkpoints, lock files, replaced files),
//! created so that another local user cannot turn them against the user running the download.
//!
//! Every helper file this crate (and the `oss-presign` CLI) writes goes through this module:
//!
//! - **Exclusive create, never through a link.** New files are opened with
//!   `O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC` ([`create_new`]): a name someone planted (a
//!   symlink to `/etc/passwd`, a hard link, a regular file) makes the call fail instead of
//!   writing through it. Existing helper files (a checkpoint, a kept temporary file) are
//!   opened with `O_NOFOLLOW` and accepted only if they are regular files owned by the
//!   effective user ([`open_own`]).
//! - **Unpredictable names** where the name need not be found again: the temporary data file
//!   and the file written before a rename carry 64 random bits ([`HelperNames::random`]).
//!   Only names a later run must find (checkpoint, lock) are fixed, and those are opened with
//!   the checks above.
//! - **Same folder as the target**, so a rename is atomic and never crosses file systems.
//! - **Names fit `NAME_MAX` (255 bytes)** even for a 255-byte target name: a long target name
//!   is shortened to a prefix plus a CRC-64 of the whole name ([`HelperNames::stem`]).
//! - **Replacing a file** ([`write_replacing`]) writes a fresh exclusive helper file and renames
//!   it over the destination: a symlink at the destination is replaced, never followed.
//! - **Locks** ([`TargetLock`]): `flock` on an exclusively opened, non-link lock file; a second
//!   download into the same target gets [`std::io::ErrorKind::WouldBlock`].
//!
//! Unix only (the crate's downloads target Linux and other Unix systems).
//!
//! ```
//! use oss_transfer::helper_files::{self, HelperNames};
//! let dir = tempfile::tempdir().unwrap();
//! let names = HelperNames::new(dir.path(), "report.pdf".as_ref());
//! let (file, path) = names.create_random("oss-temp", 0o600).unwrap();
//! assert!(path.file_name().unwrap().to_str().unwrap().starts_with(".report.pdf."));
//! drop(file);
//! // a planted symlink is never written through
//! let victim = dir.path().join("victim");
//! std::fs::write(&victim, b"keep").unwrap();
//! let link = dir.path().join("out.pem");
//! std::os::unix::fs::symlink(&victim, &link).unwrap();
//! helper_files::write_replacing(&link, b"new", 0o644).unwrap();
//! assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
//! assert_eq!(std::fs::read(&link).unwrap(), b"new");
//! ```

use std::ffi::{OsStr, OsString};
use std::fs::{File, OpenOptions};
use std::io::{self, Read as _, Write as _};
use std::os::unix::ffi::{OsStrExt as _, OsStringExt as _};
use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};

use crate::crc64;

/// Longest file name most Unix file systems accept (`NAME_MAX`).
pub const NAME_MAX: usize = 255;

/// Longest stem kept as is: leaves room for `.` + stem + `.` + 16 hex digits + `.` + a tag of
/// up to 32 bytes.
const MAX_STEM: usize = NAME_MAX - 51;

/// The tags of the helper files a download uses.
pub(crate) const TEMP_TAG: &str = "oss-temp";
pub(crate) const NEW_TAG: &str = "oss-new";
pub(crate) const LOCK_TAG: &str = "oss-lock";
pub(crate) const CHECKPOINT_TAG: &str = "oss-checkpoint";

/// `O_NOFOLLOW | O_CLOEXEC` for `OpenOptions::custom_flags`.
fn no_follow() -> i32 {
    (rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::CLOEXEC).bits() as i32
}

/// The names of the helper files of one target: `.<stem>.<tag>` and `.<stem>.<random>.<tag>`,
/// in the target's folder.
///
/// ```
/// use oss_transfer::helper_files::{HelperNames, NAME_MAX};
/// let long = "x".repeat(255);
/// let names = HelperNames::new("/tmp".as_ref(), long.as_ref());
/// let lock = names.fixed("oss-lock");
/// assert!(lock.file_name().unwrap().len() <= NAME_MAX);
/// assert_eq!(lock.parent(), Some(std::path::Path::new("/tmp")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelperNames {
    dir: PathBuf,
    stem: OsString,
}

impl HelperNames {
    /// Names for the target `dir/name`.
    ///
    /// ```
    /// let n = oss_transfer::helper_files::HelperNames::new("/data".as_ref(), "a.bin".as_ref());
    /// assert_eq!(n.fixed("oss-lock"), std::path::Path::new("/data/.a.bin.oss-lock"));
    /// ```
    pub fn new(dir: &Path, name: &OsStr) -> Self {
        Self {
            dir: dir.to_path_buf(),
            stem: stem_of(name),
        }
    }

    /// The target's name, or for names over 204 bytes a prefix of it, `~` and the CRC-64 of the
    /// whole name in hex (so different long names never share helper files).
    ///
    /// ```
    /// let n = oss_transfer::helper_files::HelperNames::new("/d".as_ref(), "a.bin".as_ref());
    /// assert_eq!(n.stem(), "a.bin");
    /// ```
    pub fn stem(&self) -> &OsStr {
        &self.stem
    }

    /// The folder the helper files live in.
    ///
    /// ```
    /// let n = oss_transfer::helper_files::HelperNames::new("/d".as_ref(), "a".as_ref());
    /// assert_eq!(n.dir(), std::path::Path::new("/d"));
    /// ```
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `dir/.<stem>.<tag>`: a name a later run finds again (lock, checkpoint).
    ///
    /// ```
    /// let n = oss_transfer::helper_files::HelperNames::new("/d".as_ref(), "a".as_ref());
    /// assert_eq!(n.fixed("oss-checkpoint"), std::path::Path::new("/d/.a.oss-checkpoint"));
    /// ```
    pub fn fixed(&self, tag: &str) -> PathBuf {
        let mut s = OsString::from(".");
        s.push(&self.stem);
        s.push(".");
        s.push(tag);
        self.dir.join(s)
    }

    /// `dir/.<stem>.<16 random hex digits>.<tag>`.
    ///
    /// ```
    /// let n = oss_transfer::helper_files::HelperNames::new("/d".as_ref(), "a".as_ref());
    /// assert_ne!(n.random("oss-temp"), n.random("oss-temp"));
    /// ```
    pub fn random(&self, tag: &str) -> PathBuf {
        let mut s = OsString::from(".");
        s.push(&self.stem);
        s.push(format!(".{:016x}.{tag}", rand::random::<u64>()));
        self.dir.join(s)
    }

    /// Whether `path` is one of this target's random helper names with `tag` (as made by
    /// [`random`](Self::random)).
    ///
    /// ```
    /// let n = oss_transfer::helper_files::HelperNames::new("/d".as_ref(), "a".as_ref());
    /// assert!(n.is_random(&n.random("oss-temp"), "oss-temp"));
    /// assert!(!n.is_random("/d/.a.oss-temp".as_ref(), "oss-temp"));
    /// assert!(!n.is_random("/elsewhere/.a.0123456789abcdef.oss-temp".as_ref(), "oss-temp"));
    /// ```
    pub fn is_random(&self, path: &Path, tag: &str) -> bool {
        if path.parent() != Some(self.dir.as_path()) {
            return false;
        }
        path.file_name()
            .is_some_and(|n| self.matches_random(n, tag))
    }

    fn matches_random(&self, name: &OsStr, tag: &str) -> bool {
        let name = name.as_bytes();
        let stem = self.stem.as_bytes();
        let Some(rest) = name
            .strip_prefix(b".")
            .and_then(|r| r.strip_prefix(stem))
            .and_then(|r| r.strip_prefix(b"."))
        else {
            return false;
        };
        let Some(hex) = rest
            .strip_suffix(tag.as_bytes())
            .and_then(|r| r.strip_suffix(b"."))
        else {
            return false;
        };
        hex.len() == 16 && hex.iter().all(u8::is_ascii_hexdigit)
    }

    /// Creates a new random helper file with `tag` ([`create_new`], retried on the unlikely
    /// name collision).
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let n = oss_transfer::helper_files::HelperNames::new(dir.path(), "a".as_ref());
    /// let (_file, path) = n.create_random("oss-temp", 0o600).unwrap();
    /// assert!(path.exists());
    /// ```
    pub fn create_random(&self, tag: &str, mode: u32) -> io::Result<(File, PathBuf)> {
        let mut tries = 0;
        loop {
            let path = self.random(tag);
            match create_new(&path, mode) {
                Ok(f) => return Ok((f, path)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && tries < 16 => tries += 1,
                Err(e) => return Err(e),
            }
        }
    }

    /// Removes this target's random helper files with one of `tags` (regular files owned by
    /// the effective user, never following links), except `keep`. Returns how many were
    /// removed. Call it only while holding the target's [`TargetLock`].
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let n = oss_transfer::helper_files::HelperNames::new(dir.path(), "a".as_ref());
    /// let (_f, stale) = n.create_random("oss-temp", 0o600).unwrap();
    /// assert_eq!(n.remove_stale(&["oss-temp"], None).unwrap(), 1);
    /// assert!(!stale.exists());
    /// ```
    pub fn remove_stale(&self, tags: &[&str], keep: Option<&Path>) -> io::Result<usize> {
        let me = rustix::process::geteuid().as_raw();
        let mut removed = 0;
        for entry in std::fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name();
            if !tags.iter().any(|t| self.matches_random(&name, t)) {
                continue;
            }
            let path = entry.path();
            if keep == Some(path.as_path()) {
                continue;
            }
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.file_type().is_file() && meta.uid() == me {
                match std::fs::remove_file(&path) {
                    Ok(()) => removed += 1,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(removed)
    }
}

/// The stem of a target name: the name itself when short enough, else a prefix (cut on a
/// UTF-8 character boundary when the name is UTF-8), `~`, and the name's CRC-64.
fn stem_of(name: &OsStr) -> OsString {
    let bytes = name.as_bytes();
    if bytes.len() <= MAX_STEM {
        return name.to_owned();
    }
    let mut cut = MAX_STEM - 17;
    while cut > 0 && (bytes[cut] & 0b1100_0000) == 0b1000_0000 {
        cut -= 1;
    }
    let mut s = bytes[..cut].to_vec();
    s.extend_from_slice(format!("~{:016x}", crc64::checksum(bytes)).as_bytes());
    OsString::from_vec(s)
}

/// Creates `path` exclusively (`O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC`), read-write, with
/// `mode` (minus the umask). Fails with `AlreadyExists` if anything, including a dangling
/// symlink, has that name.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let p = dir.path().join("x");
/// std::os::unix::fs::symlink("/nonexistent-target", &p).unwrap();
/// let e = oss_transfer::helper_files::create_new(&p, 0o600).unwrap_err();
/// assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
/// ```
pub fn create_new(path: &Path, mode: u32) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .custom_flags(no_follow())
        .mode(mode)
        .open(path)
}

/// Opens an existing helper file without following a link (`O_NOFOLLOW`), read-only or
/// read-write, and accepts it only if it is a regular file owned by the effective user (so a
/// file another user planted under a predictable name is refused with `PermissionDenied`).
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let p = dir.path().join("cp");
/// std::fs::write(&p, b"{}").unwrap();
/// assert!(oss_transfer::helper_files::open_own(&p, false).is_ok());
/// let link = dir.path().join("link");
/// std::os::unix::fs::symlink(&p, &link).unwrap();
/// assert!(oss_transfer::helper_files::open_own(&link, false).is_err());
/// ```
pub fn open_own(path: &Path, write: bool) -> io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .write(write)
        .custom_flags(no_follow())
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{} is not a regular file", path.display()),
        ));
    }
    if meta.uid() != rustix::process::geteuid().as_raw() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{} belongs to another user", path.display()),
        ));
    }
    Ok(file)
}

/// Reads a helper file opened with [`open_own`], refusing more than `limit` bytes (so a huge
/// or endless file cannot decide how much memory is used).
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let p = dir.path().join("cp");
/// std::fs::write(&p, b"0123456789").unwrap();
/// assert_eq!(oss_transfer::helper_files::read_own(&p, 10).unwrap(), b"0123456789");
/// assert!(oss_transfer::helper_files::read_own(&p, 9).is_err());
/// ```
pub fn read_own(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    read_bounded(open_own(path, false)?, limit, path)
}

/// Reads at most `limit` bytes from `reader`; more is an `InvalidData` error naming `what`.
pub(crate) fn read_bounded(reader: impl io::Read, limit: u64, what: &Path) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    reader.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is larger than {limit} bytes", what.display()),
        ));
    }
    Ok(buf)
}

/// Replaces `dest` with `bytes` atomically: writes an exclusive random helper file beside it
/// (mode `mode` minus the umask), then renames it over `dest`. A symlink at `dest` is
/// replaced, never written through; in a sticky folder a file of another user is not replaced
/// (the rename fails with `PermissionDenied`).
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let p = dir.path().join("ca.pem");
/// oss_transfer::helper_files::write_replacing(&p, b"one", 0o644).unwrap();
/// oss_transfer::helper_files::write_replacing(&p, b"two", 0o644).unwrap();
/// assert_eq!(std::fs::read(&p).unwrap(), b"two");
/// assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
/// ```
pub fn write_replacing(dest: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let name = dest.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} does not name a file", dest.display()),
        )
    })?;
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let (mut file, tmp) = HelperNames::new(dir, name).create_random(NEW_TAG, mode)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.flush())
        .and_then(|()| std::fs::rename(&tmp, dest));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// An exclusive lock on a target: `flock(LOCK_EX | LOCK_NB)` on `.<stem>.oss-lock` beside it,
/// opened without following links and only if it is the user's own regular file. The lock
/// file is removed when the lock is dropped.
///
/// ```
/// use oss_transfer::helper_files::{HelperNames, TargetLock};
/// let dir = tempfile::tempdir().unwrap();
/// let names = HelperNames::new(dir.path(), "a.bin".as_ref());
/// let lock = TargetLock::acquire(&names).unwrap();
/// let second = TargetLock::acquire(&names).unwrap_err();
/// assert_eq!(second.kind(), std::io::ErrorKind::WouldBlock);
/// drop(lock);
/// assert!(TargetLock::acquire(&names).is_ok());
/// ```
#[derive(Debug)]
pub struct TargetLock {
    file: File,
    path: PathBuf,
}

impl TargetLock {
    /// Takes the lock or fails at once: `WouldBlock` if another transfer holds it,
    /// `PermissionDenied` if the lock file is a link or belongs to someone else.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let names = oss_transfer::helper_files::HelperNames::new(dir.path(), "x".as_ref());
    /// let lock = oss_transfer::helper_files::TargetLock::acquire(&names).unwrap();
    /// assert!(lock.path().ends_with(".x.oss-lock"));
    /// ```
    pub fn acquire(names: &HelperNames) -> io::Result<Self> {
        let path = names.fixed(LOCK_TAG);
        for _ in 0..16 {
            let file = match create_new(&path, 0o600) {
                Ok(f) => f,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => match open_own(&path, true) {
                    Ok(f) => f,
                    // removed by its holder between the two calls: try again
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e),
                },
                Err(e) => return Err(e),
            };
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(io::Error::new(
                        io::ErrorKind::WouldBlock,
                        format!("{} is locked by another transfer", path.display()),
                    ))
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(e),
            }
            // The holder before us may have removed the file after we opened it: the lock is
            // only ours if the name still points at the file we locked.
            let ours = file.metadata()?;
            match std::fs::symlink_metadata(&path) {
                Ok(now) if now.ino() == ours.ino() && now.dev() == ours.dev() => {
                    return Ok(Self { file, path });
                }
                _ => continue,
            }
        }
        Err(io::Error::other(format!(
            "{}: could not take the lock (it kept changing)",
            path.display()
        )))
    }

    /// The lock file.
    ///
    /// ```
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let names = oss_transfer::helper_files::HelperNames::new(dir.path(), "x".as_ref());
    /// let lock = oss_transfer::helper_files::TargetLock::acquire(&names).unwrap();
    /// assert!(lock.path().exists());
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TargetLock {
    fn drop(&mut self) {
        // Removed while still locked, so nobody can lock this inode and believe it is current.
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_name_max_for_every_length_and_stay_distinct() {
        let dir = tempfile::tempdir().unwrap();
        let mut stems = std::collections::HashSet::new();
        let mut seen = std::collections::HashSet::new();
        for len in [1usize, 200, 204, 205, 228, 229, 254, 255] {
            for fill in ["x", "é"] {
                let name = fill.repeat(len / fill.len()) + &"x".repeat(len % fill.len());
                assert_eq!(name.len(), len);
                let n = HelperNames::new(dir.path(), name.as_ref());
                for tag in [TEMP_TAG, NEW_TAG, LOCK_TAG, CHECKPOINT_TAG] {
                    for p in [n.fixed(tag), n.random(tag)] {
                        let fname = p.file_name().unwrap();
                        assert!(fname.len() <= NAME_MAX, "{len} {tag}: {}", fname.len());
                        assert!(std::str::from_utf8(fname.as_bytes()).is_ok());
                    }
                }
                let (_f, p) = n.create_random(TEMP_TAG, 0o600).unwrap();
                assert!(n.is_random(&p, TEMP_TAG));
                if seen.insert(name.clone()) {
                    assert!(stems.insert(n.stem().to_owned()), "stem reused for {len}");
                }
            }
        }
    }

    #[test]
    fn a_planted_file_of_the_same_name_is_not_opened_for_a_lock_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let names = HelperNames::new(dir.path(), "t".as_ref());
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"v").unwrap();
        std::os::unix::fs::symlink(&victim, names.fixed(LOCK_TAG)).unwrap();
        let e = TargetLock::acquire(&names).unwrap_err();
        assert_ne!(e.kind(), io::ErrorKind::WouldBlock);
        assert_eq!(std::fs::read(&victim).unwrap(), b"v");
    }
}
