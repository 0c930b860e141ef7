//! Reading a presigned URL: scheme, host, path and raw query, and which bucket and key it names.

use oss_sign_core::encoding::percent_decode;

use crate::exit_code::Failure;

/// The parts of an `http(s)://host[:port]/path?query` URL (no fragment, no user info).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UrlParts {
    pub(crate) scheme: String,
    /// `host[:port]` as written.
    pub(crate) authority: String,
    /// The host without port or IPv6 brackets, lower-cased.
    pub(crate) host: String,
    /// The raw path, starting with `/` (`/` when empty).
    pub(crate) raw_path: String,
    /// The raw query without `?`.
    pub(crate) raw_query: String,
}

/// How the bucket is found in the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Addressing {
    /// `bucket.endpoint/key`.
    VirtualHosted,
    /// `endpoint/bucket/key`.
    PathStyle,
    /// A custom domain bound to a bucket: `domain/key` (the bucket is given separately).
    Cname,
}

impl Addressing {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Addressing::VirtualHosted => "virtual-hosted (bucket from the host name)",
            Addressing::PathStyle => "path style (bucket from the first path segment)",
            Addressing::Cname => "custom domain (bucket given with --bucket)",
        }
    }
}

/// The bucket and decoded key a URL names under one addressing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) addressing: Addressing,
    pub(crate) bucket: Option<String>,
    pub(crate) key: Option<String>,
}

/// Splits a URL into its parts.
pub(crate) fn parse(url: &str) -> Result<UrlParts, Failure> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://").ok_or_else(|| {
        Failure::usage(format!(
            "{:?} is not a URL: expected http://host/... or https://host/...",
            shorten(url)
        ))
    })?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(Failure::usage(format!(
            "the URL's scheme is {scheme:?}: only http and https are allowed"
        )));
    }
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (before_query, raw_query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = match before_query.find('/') {
        Some(i) => (&before_query[..i], &before_query[i..]),
        None => (before_query, "/"),
    };
    if authority.is_empty() || authority.contains('@') {
        return Err(Failure::usage(format!(
            "the URL {:?} has no usable host: expected scheme://host[:port]/path (no user info)",
            shorten(url)
        )));
    }
    let host = if let Some(inner) = authority.strip_prefix('[') {
        inner.split_once(']').map(|(h, _)| h).ok_or_else(|| {
            Failure::usage(format!("the URL's host {authority:?} has an unclosed '['"))
        })?
    } else {
        authority.split_once(':').map_or(authority, |(h, _)| h)
    };
    Ok(UrlParts {
        scheme,
        authority: authority.to_string(),
        host: host.to_ascii_lowercase(),
        raw_path: path.to_string(),
        raw_query: raw_query.to_string(),
    })
}

/// Whether the host is an IP literal or `localhost` (whose URLs are path style).
pub(crate) fn is_ip_or_localhost(host: &str) -> bool {
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok()
}

/// The decoded key (a raw path without its leading `/`), `None` when empty.
fn decoded_key(raw: &str) -> Result<Option<String>, Failure> {
    if raw.is_empty() {
        return Ok(None);
    }
    percent_decode(raw)
        .map(Some)
        .map_err(|e| Failure::usage(format!("the URL's path is not valid percent-encoding: {e}")))
}

/// What the user said about how to read the URL.
#[derive(Debug, Clone, Default)]
pub(crate) struct AddressingHints {
    pub(crate) bucket: Option<String>,
    pub(crate) path_style: bool,
    pub(crate) cname: bool,
}

/// Reads the bucket and key under the addressing the hints and the host imply.
pub(crate) fn resolve(url: &UrlParts, hints: &AddressingHints) -> Result<Target, Failure> {
    if hints.cname {
        let bucket = hints.bucket.clone().ok_or_else(|| {
            Failure::usage("--cname needs --bucket NAME: a custom domain does not name its bucket")
        })?;
        return Ok(Target {
            addressing: Addressing::Cname,
            bucket: Some(bucket),
            key: decoded_key(url.raw_path.strip_prefix('/').unwrap_or(&url.raw_path))?,
        });
    }
    let host_label = url.host.split('.').next().unwrap_or("");
    let path_style = hints.path_style
        || is_ip_or_localhost(&url.host)
        || host_label.starts_with("oss-")
        || hints
            .bucket
            .as_deref()
            .is_some_and(|b| host_label != b && first_segment(&url.raw_path) == Some(b));
    if path_style {
        target_for(url, Addressing::PathStyle)
    } else {
        target_for(url, Addressing::VirtualHosted)
    }
}

fn first_segment(raw_path: &str) -> Option<&str> {
    let path = raw_path.strip_prefix('/').unwrap_or(raw_path);
    path.split('/').next().filter(|s| !s.is_empty())
}

/// The bucket and key under one addressing (for `Cname`, the key is the whole path and the
/// bucket is unknown).
pub(crate) fn target_for(url: &UrlParts, addressing: Addressing) -> Result<Target, Failure> {
    match addressing {
        Addressing::PathStyle => {
            let path = url.raw_path.strip_prefix('/').unwrap_or(&url.raw_path);
            let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
            let bucket = percent_decode(bucket).map_err(|e| {
                Failure::usage(format!(
                    "the URL's bucket segment is not valid percent-encoding: {e}"
                ))
            })?;
            Ok(Target {
                addressing,
                bucket: Some(bucket).filter(|b| !b.is_empty()),
                key: decoded_key(key)?,
            })
        }
        Addressing::VirtualHosted => {
            let bucket = url.host.split('.').next().unwrap_or("").to_string();
            Ok(Target {
                addressing,
                bucket: Some(bucket).filter(|b| !b.is_empty()),
                key: decoded_key(url.raw_path.strip_prefix('/').unwrap_or(&url.raw_path))?,
            })
        }
        Addressing::Cname => Ok(Target {
            addressing,
            bucket: None,
            key: decoded_key(url.raw_path.strip_prefix('/').unwrap_or(&url.raw_path))?,
        }),
    }
}

/// A key as it appears in a URL path (segments percent-encoded, `/` kept).
pub(crate) fn encode_path(key: &str) -> String {
    oss_sign_core::encoding::uri_encode(key, true)
}

/// The URL without its query: safe to print (no signature, no token).
pub(crate) fn without_query(url: &UrlParts) -> String {
    format!("{}://{}{}", url.scheme, url.authority, url.raw_path)
}

/// The first 60 characters of a value, for messages.
pub(crate) fn shorten(text: &str) -> String {
    if text.chars().count() <= 60 {
        text.to_string()
    } else {
        let head: String = text.chars().take(57).collect();
        format!("{head}...")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn target(url: &str, hints: &AddressingHints) -> Target {
        resolve(&parse(url).unwrap(), hints).unwrap()
    }

    #[test]
    fn addressing_is_read_from_the_host() {
        let none = AddressingHints::default();
        let t = target(
            "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/dir/a%20b.txt?x=1",
            &none,
        );
        assert_eq!(t.addressing, Addressing::VirtualHosted);
        assert_eq!(t.bucket.as_deref(), Some("examplebucket"));
        assert_eq!(t.key.as_deref(), Some("dir/a b.txt"));

        let t = target("http://127.0.0.1:9000/b/k/x.txt?y", &none);
        assert_eq!(t.addressing, Addressing::PathStyle);
        assert_eq!(t.bucket.as_deref(), Some("b"));
        assert_eq!(t.key.as_deref(), Some("k/x.txt"));

        let t = target("http://[::1]:9000/b/k", &none);
        assert_eq!(
            (t.bucket.as_deref(), t.key.as_deref()),
            (Some("b"), Some("k"))
        );

        let t = target("https://oss-cn-hangzhou.aliyuncs.com/b/k", &none);
        assert_eq!(t.addressing, Addressing::PathStyle);

        let cname = AddressingHints {
            bucket: Some("b".into()),
            cname: true,
            ..AddressingHints::default()
        };
        let t = target("https://static.example.com/img/a.png", &cname);
        assert_eq!(t.addressing, Addressing::Cname);
        assert_eq!(t.bucket.as_deref(), Some("b"));
        assert_eq!(t.key.as_deref(), Some("img/a.png"));

        let bucket_only = target("https://b.oss-cn-hangzhou.aliyuncs.com/?acl", &none);
        assert_eq!(bucket_only.key, None);
    }

    #[test]
    fn bad_urls_are_usage_errors() {
        for bad in [
            "not a url",
            "ftp://x/y",
            "https:///k",
            "https://u@h/k",
            "https://[::1/k",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let cname = AddressingHints {
            cname: true,
            ..AddressingHints::default()
        };
        assert!(resolve(&parse("https://h/k").unwrap(), &cname).is_err());
        assert!(resolve(
            &parse("https://h/%zz").unwrap(),
            &AddressingHints::default()
        )
        .is_err());
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,40}") {
            if let Ok(url) = parse(&text) {
                let _ = resolve(&url, &AddressingHints::default());
            }
        }

        #[test]
        fn path_style_keys_round_trip(key in "[a-z0-9/ _.-]{1,30}") {
            let encoded: String = key.replace(' ', "%20");
            let t = target(&format!("http://127.0.0.1:1/bucket/{encoded}?q"), &AddressingHints::default());
            prop_assert_eq!(t.key.as_deref(), Some(key.as_str()));
        }
    }
}
