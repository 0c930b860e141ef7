//! Percent-decoding of request paths and query strings, shared by routing and the signature
//! checks.

/// Percent-decodes a path; `None` on bad escapes or invalid UTF-8.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let v = u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
            out.push(v);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Decoded `(name, value)` pairs of a raw query string (`+` is kept as is, like OSS).
pub(crate) fn query_pairs(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            (
                percent_decode(n).unwrap_or_else(|| n.to_string()),
                percent_decode(v).unwrap_or_else(|| v.to_string()),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("/a%20b%2Fc").as_deref(), Some("/a b/c"));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%E4%B8%AD").as_deref(), Some("中"));
    }
}
