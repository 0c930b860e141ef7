//! [`OssutilBucketHosts`]: ossutil 1.x's per-bucket sections `[Bucket-Cname]` and
//! `[Bucket-Endpoint]`, which map a bucket name to the host its requests go to.
//!
//! ossutil documents the two sections in its configuration file, beside `[Credentials]`:
//!
//! ```text
//! [Bucket-Endpoint]
//!     bucket1 = endpoint1
//! [Bucket-Cname]
//!     bucket2 = cname1
//! ```
//!
//! and the priority `--endpoint` > `Bucket-Cname` > `Bucket-Endpoint` > `endpoint` > the
//! default. The sections are file-wide (not part of a profile).

use std::collections::BTreeMap;

use crate::error::CredentialsError;
use crate::ossutil_config::{read_limited, OssutilConfigProvider};

/// Where one bucket's requests go, from an ossutil configuration file.
///
/// ```
/// use oss_credentials::BucketHost;
/// let host = BucketHost::Cname("static.example.com".into());
/// assert_eq!(host.host(), "static.example.com");
/// assert!(host.is_cname());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BucketHost {
    /// `[Bucket-Cname]`: a custom domain bound to the bucket (URLs carry no bucket label).
    Cname(String),
    /// `[Bucket-Endpoint]`: the endpoint of the bucket's region, e.g.
    /// `oss-cn-shanghai.aliyuncs.com` (URLs are virtual-hosted on it as usual).
    Endpoint(String),
}

impl BucketHost {
    /// The host as written in the file (it may carry `http://`/`https://` and a port).
    ///
    /// ```
    /// use oss_credentials::BucketHost;
    /// assert_eq!(BucketHost::Endpoint("oss-cn-shanghai.aliyuncs.com".into()).host(),
    ///            "oss-cn-shanghai.aliyuncs.com");
    /// ```
    pub fn host(&self) -> &str {
        match self {
            Self::Cname(host) | Self::Endpoint(host) => host,
        }
    }

    /// Whether the host is a custom domain (`[Bucket-Cname]`).
    ///
    /// ```
    /// use oss_credentials::BucketHost;
    /// assert!(!BucketHost::Endpoint("oss-cn-shanghai.aliyuncs.com".into()).is_cname());
    /// ```
    pub fn is_cname(&self) -> bool {
        matches!(self, Self::Cname(_))
    }
}

/// The `[Bucket-Cname]` and `[Bucket-Endpoint]` entries of an ossutil configuration file.
///
/// Section names are matched case-insensitively; bucket names exactly (OSS bucket names are
/// lower case). An entry with an empty value is ignored; for a bucket named twice in one
/// section the last entry wins. A bucket in both sections takes its cname (ossutil's
/// priority). Lines outside the two sections are not looked at here: the file as a whole is
/// checked by [`OssutilConfigProvider`].
///
/// ```
/// use oss_credentials::{BucketHost, OssutilBucketHosts};
///
/// let hosts = OssutilBucketHosts::parse(
///     "[Credentials]\nendpoint = oss-cn-hangzhou.aliyuncs.com\n\
///      [Bucket-Endpoint]\nlogs = oss-cn-shanghai.aliyuncs.com\nsite = oss-cn-beijing.aliyuncs.com\n\
///      [Bucket-Cname]\nsite = static.example.com\n",
/// );
/// assert_eq!(hosts.get("logs"), Some(BucketHost::Endpoint("oss-cn-shanghai.aliyuncs.com".into())));
/// assert_eq!(hosts.get("site"), Some(BucketHost::Cname("static.example.com".into())));
/// assert_eq!(hosts.get("other"), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OssutilBucketHosts {
    cnames: BTreeMap<String, String>,
    endpoints: BTreeMap<String, String>,
}

/// The section a line is in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum In {
    Cname,
    Endpoint,
    Other,
}

impl OssutilBucketHosts {
    /// Collects the two sections' entries from the text of a configuration file (never
    /// fails: lines that are not `bucket = host` inside the two sections are skipped).
    ///
    /// ```
    /// let hosts = oss_credentials::OssutilBucketHosts::parse("[default]\nregion = cn-hangzhou\n");
    /// assert!(hosts.is_empty());
    /// ```
    pub fn parse(text: &str) -> Self {
        let mut hosts = Self::default();
        let mut section = In::Other;
        for raw in text.lines() {
            let line = raw.trim().trim_start_matches('\u{feff}');
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                let name = name.trim();
                section = if name.eq_ignore_ascii_case("Bucket-Cname") {
                    In::Cname
                } else if name.eq_ignore_ascii_case("Bucket-Endpoint") {
                    In::Endpoint
                } else {
                    In::Other
                };
                continue;
            }
            let target = match section {
                In::Cname => &mut hosts.cnames,
                In::Endpoint => &mut hosts.endpoints,
                In::Other => continue,
            };
            let Some((bucket, host)) = line.split_once('=') else {
                continue;
            };
            let (bucket, host) = (bucket.trim(), host.trim());
            if bucket.is_empty() {
                continue;
            }
            if host.is_empty() {
                target.remove(bucket);
            } else {
                target.insert(bucket.to_owned(), host.to_owned());
            }
        }
        hosts
    }

    /// Where `bucket`'s requests go: its `[Bucket-Cname]` entry, else its `[Bucket-Endpoint]`
    /// entry, else `None`.
    ///
    /// ```
    /// let hosts = oss_credentials::OssutilBucketHosts::parse("[Bucket-Endpoint]\nb = oss-cn-beijing.aliyuncs.com\n");
    /// assert_eq!(hosts.get("b").map(|h| h.host().to_owned()).as_deref(), Some("oss-cn-beijing.aliyuncs.com"));
    /// ```
    pub fn get(&self, bucket: &str) -> Option<BucketHost> {
        if let Some(host) = self.cnames.get(bucket) {
            return Some(BucketHost::Cname(host.clone()));
        }
        self.endpoints
            .get(bucket)
            .map(|host| BucketHost::Endpoint(host.clone()))
    }

    /// Every bucket with a host, in name order, each with the host [`get`](Self::get) gives.
    ///
    /// ```
    /// let hosts = oss_credentials::OssutilBucketHosts::parse(
    ///     "[Bucket-Cname]\na = cdn.example.com\n[Bucket-Endpoint]\na = x\nb = y\n");
    /// let names: Vec<String> = hosts.iter().map(|(bucket, _)| bucket).collect();
    /// assert_eq!(names, ["a", "b"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (String, BucketHost)> + '_ {
        let mut names: Vec<&String> = self.cnames.keys().chain(self.endpoints.keys()).collect();
        names.sort();
        names.dedup();
        names
            .into_iter()
            .filter_map(|bucket| self.get(bucket).map(|host| (bucket.clone(), host)))
    }

    /// Whether the file has no per-bucket host at all.
    ///
    /// ```
    /// assert!(oss_credentials::OssutilBucketHosts::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.cnames.is_empty() && self.endpoints.is_empty()
    }
}

impl OssutilConfigProvider {
    /// The `[Bucket-Cname]` and `[Bucket-Endpoint]` entries of the file this provider reads
    /// (the same file as [`settings`](Self::settings): `config_file`, else
    /// `OSSUTIL_CONFIG_FILE`, else `~/.ossutilconfig`); empty when there is no file. A file
    /// that cannot be read, or is larger than 1 MiB, is an error.
    ///
    /// ```
    /// use oss_credentials::{BucketHost, Environment, OssutilConfigProvider};
    ///
    /// let home = tempfile::tempdir()?;
    /// std::fs::write(
    ///     home.path().join(".ossutilconfig"),
    ///     "[Credentials]\nendpoint = oss-cn-hangzhou.aliyuncs.com\n[Bucket-Cname]\nsite = static.example.com\n",
    /// )?;
    /// let env = Environment::from_map::<&str, &str>([]).with_home_dir(home.path());
    /// let hosts = OssutilConfigProvider::with_environment(env).bucket_hosts()?;
    /// assert_eq!(hosts.get("site"), Some(BucketHost::Cname("static.example.com".into())));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bucket_hosts(&self) -> Result<OssutilBucketHosts, CredentialsError> {
        let Some((path, _explicit)) = self.locate() else {
            return Ok(OssutilBucketHosts::default());
        };
        let text = read_limited(&path).map_err(|e| e.with_provider("ossutil_config"))?;
        Ok(OssutilBucketHosts::parse(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Environment;
    use proptest::prelude::*;

    #[test]
    fn sections_priority_and_spelling() {
        let text = "\
[Credentials]
endpoint = oss-cn-hangzhou.aliyuncs.com
accessKeyID = LTAIx
accessKeySecret = s
[bucket-endpoint]
    logs = oss-cn-shanghai.aliyuncs.com
    site = oss-cn-beijing.aliyuncs.com
    gone = oss-cn-beijing.aliyuncs.com
    gone =
  # a comment
    not an entry
[BUCKET-CNAME]
    site = https://static.example.com:8443
[default]
logs = not-a-host
";
        let hosts = OssutilBucketHosts::parse(text);
        assert_eq!(
            hosts.get("logs"),
            Some(BucketHost::Endpoint("oss-cn-shanghai.aliyuncs.com".into()))
        );
        assert_eq!(
            hosts.get("site"),
            Some(BucketHost::Cname("https://static.example.com:8443".into()))
        );
        assert_eq!(hosts.get("gone"), None);
        assert_eq!(hosts.get("LOGS"), None);
        assert_eq!(
            hosts.iter().map(|(b, _)| b).collect::<Vec<_>>(),
            ["logs", "site"]
        );
    }

    #[test]
    fn read_from_the_located_file() {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join(".ossutilconfig"),
            "[Bucket-Endpoint]\nhome = oss-cn-beijing.aliyuncs.com\n",
        )
        .unwrap();
        let flagged = home.path().join("flag.conf");
        std::fs::write(&flagged, "[Bucket-Cname]\nflag = cdn.example.com\n").unwrap();
        let env = || Environment::from_map::<&str, &str>([]).with_home_dir(home.path());
        let from_home = OssutilConfigProvider::with_environment(env())
            .bucket_hosts()
            .unwrap();
        assert!(from_home.get("home").is_some() && from_home.get("flag").is_none());
        let from_flag = OssutilConfigProvider::with_environment(env())
            .config_file(&flagged)
            .bucket_hosts()
            .unwrap();
        assert!(from_flag.get("flag").is_some_and(|h| h.is_cname()));
        assert!(from_flag.get("home").is_none());
        let none = OssutilConfigProvider::with_environment(Environment::from_map::<&str, &str>([]))
            .bucket_hosts()
            .unwrap();
        assert!(none.is_empty());
        let missing = OssutilConfigProvider::with_environment(env())
            .config_file(home.path().join("missing.conf"))
            .bucket_hosts();
        assert!(missing.is_err());
    }

    proptest! {
        #[test]
        fn written_entries_read_back(
            entries in proptest::collection::btree_map("[a-z0-9][a-z0-9-]{2,20}", "[a-z0-9.-]{1,30}", 0..8),
            cname in any::<bool>(),
        ) {
            let section = if cname { "Bucket-Cname" } else { "Bucket-Endpoint" };
            let mut text = format!("[{section}]\n");
            for (bucket, host) in &entries {
                text.push_str(&format!("  {bucket} = {host}\n"));
            }
            let hosts = OssutilBucketHosts::parse(&text);
            for (bucket, host) in &entries {
                let got = hosts.get(bucket).unwrap();
                prop_assert_eq!(got.host(), host.as_str());
                prop_assert_eq!(got.is_cname(), cname);
            }
            prop_assert_eq!(hosts.iter().count(), entries.len());
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC*") {
            let _ = OssutilBucketHosts::parse(&text);
        }
    }
}
