//! The metadata file kept beside a file-backed object ("sidecar"): what is stored about an
//! uploaded object besides its bytes ([`StoredMeta`]), where its record lives under the server's
//! own folder, and the record's text form, written through a temporary file and a rename.

use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

use md5::{Digest as _, Md5};
use oss_sign_core::encoding::{decode_strict, uri_encode};

use crate::spool::create_temp;

/// Name of the server's own folder under the root.
pub(crate) const SERVER_DIR: &str = ".oss-testserver";

/// The largest metadata file read back (a record is a few hundred bytes).
const MAX_META_FILE: u64 = 64 << 10;

/// What is stored about an uploaded object besides its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StoredMeta {
    pub(crate) etag: String,
    pub(crate) crc64: u64,
    pub(crate) content_type: String,
    pub(crate) user_meta: Vec<(String, String)>,
    /// The file it belongs to: inode, size, modification time (ns since the epoch).
    pub(crate) identity: (u64, u64, i128),
}

pub(super) fn sidecar_path(root: &Path, bucket: &str, key: &str) -> PathBuf {
    let mut md5 = Md5::new();
    md5.update(key.as_bytes());
    root.join(SERVER_DIR)
        .join("meta")
        .join(bucket)
        .join(hex::encode(md5.finalize()))
}

fn encode_meta(key: &str, meta: &StoredMeta) -> String {
    let mut s = String::new();
    let (ino, size, mtime) = meta.identity;
    s.push_str(&format!("key={}\n", uri_encode(key, false)));
    s.push_str(&format!("identity={ino}:{size}:{mtime}\n"));
    s.push_str(&format!("etag={}\n", uri_encode(&meta.etag, false)));
    s.push_str(&format!("crc64={}\n", meta.crc64));
    s.push_str(&format!(
        "content-type={}\n",
        uri_encode(&meta.content_type, false)
    ));
    for (n, v) in &meta.user_meta {
        s.push_str(&format!(
            "meta={}:{}\n",
            uri_encode(n, false),
            uri_encode(v, false)
        ));
    }
    s
}

fn decode_meta(text: &str) -> Option<StoredMeta> {
    let mut m = StoredMeta::default();
    let dec = |v: &str| decode_strict(v).ok().map(|c| c.into_owned());
    for line in text.lines() {
        let (name, value) = line.split_once('=')?;
        match name {
            "key" => {}
            "identity" => {
                let mut it = value.split(':');
                m.identity = (
                    it.next()?.parse().ok()?,
                    it.next()?.parse().ok()?,
                    it.next()?.parse().ok()?,
                );
            }
            "etag" => m.etag = dec(value)?,
            "crc64" => m.crc64 = value.parse().ok()?,
            "content-type" => m.content_type = dec(value)?,
            "meta" => {
                let (n, v) = value.split_once(':')?;
                m.user_meta.push((dec(n)?, dec(v)?));
            }
            _ => return None,
        }
    }
    Some(m)
}

/// Writes the metadata file through a temporary file and a rename (never through a link
/// planted at its name; the server folder itself must be a real folder).
pub(super) fn write_sidecar(path: &Path, key: &str, meta: &StoredMeta) -> io::Result<()> {
    let dir = path.parent().ok_or_else(|| io::Error::other("no parent"))?;
    // `dir` is <root>/.oss-testserver/meta/<bucket>: each folder from the server's own down is
    // created one at a time (never through a link planted in its place) and must be a real
    // folder, so nothing is created or written outside the root.
    let root = dir
        .ancestors()
        .find(|a| a.file_name().is_some_and(|n| n == SERVER_DIR))
        .and_then(Path::parent)
        .ok_or_else(|| io::Error::other("metadata path outside the server folder"))?;
    let mut at = root.to_path_buf();
    for part in dir
        .strip_prefix(root)
        .map_err(io::Error::other)?
        .components()
    {
        at.push(part);
        match std::fs::create_dir(&at) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        let kind = std::fs::symlink_metadata(&at)?.file_type();
        if kind.is_symlink() || !kind.is_dir() {
            return Err(io::Error::other(format!(
                "{} is not a real folder (a symbolic link?); refusing to write metadata there",
                at.display()
            )));
        }
    }
    let (mut file, tmp) = create_temp(dir)?;
    let written = file
        .write_all(encode_meta(key, meta).as_bytes())
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

pub(super) fn read_sidecar(path: &Path) -> Option<StoredMeta> {
    if !std::fs::symlink_metadata(path).ok()?.is_file() {
        return None;
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .ok()?
        .take(MAX_META_FILE)
        .read_to_string(&mut text)
        .ok()?;
    decode_meta(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_records_round_trip_with_any_characters() {
        let m = StoredMeta {
            etag: "\"ABC\"".into(),
            crc64: 42,
            content_type: "text/plain; charset=utf-8".into(),
            user_meta: vec![("x-oss-meta-a".into(), "v:1=2\n3 中".into())],
            identity: (7, 8, -9),
        };
        assert_eq!(decode_meta(&encode_meta("a/b c", &m)), Some(m));
        assert_eq!(decode_meta("unknown=1"), None);
        assert_eq!(decode_meta("crc64=x"), None);
    }
}
