//! Why a signature does not match: tries the usual causes one by one (another method, another
//! reading of bucket and key, a key encoded twice, a header or query parameter added after
//! signing) and keeps those that make the signature match.

use super::params::{window, Params, AUTH_PARAMS};
use super::Check;
use crate::presigned_url::{self, Addressing, Target};

impl Check<'_> {
    /// Tries the usual causes of a mismatch; returns those that make the signature match.
    pub(super) fn diagnose(&self, params: &Params<'_>) -> Vec<String> {
        let inside = window(params).inside_or(self.now);
        let ok = |method: &str, target: &Target, query: &str, headers: &[(String, String)]| {
            self.verify_at(method, target, query, headers, inside, self.secrets)
                .is_ok()
        };
        let query = self.url.raw_query.as_str();
        let mut causes = Vec::new();
        for m in ["GET", "PUT", "HEAD", "POST", "DELETE"] {
            if !m.eq_ignore_ascii_case(self.method) && ok(m, self.target, query, self.headers) {
                causes.push(format!(
                    "the URL was signed for method {m}, not {}: send {m} (or presign for {})",
                    self.method, self.method
                ));
            }
        }
        let readings = [
            Addressing::PathStyle,
            Addressing::VirtualHosted,
            Addressing::Cname,
        ];
        for addressing in readings {
            if addressing == self.target.addressing {
                continue;
            }
            if let Ok(other) = presigned_url::target_for(self.url, addressing) {
                if &other != self.target && ok(self.method, &other, query, self.headers) {
                    causes.push(format!(
                        "the URL was signed for bucket {:?} and key {:?} ({}): the signer and the server read the URL differently; say how to read it with --path-style, --cname or --bucket",
                        other.bucket.as_deref().unwrap_or(""),
                        other.key.as_deref().unwrap_or(""),
                        addressing.describe()
                    ));
                }
            }
        }
        if let Some(key) = &self.target.key {
            let raw_path = self.url.raw_path.trim_start_matches('/');
            let raw_key = match self.target.addressing {
                Addressing::PathStyle => raw_path.split_once('/').map_or("", |(_, k)| k),
                _ => raw_path,
            };
            if raw_key != key {
                let encoded = Target {
                    key: Some(raw_key.to_string()),
                    ..self.target.clone()
                };
                if ok(self.method, &encoded, query, self.headers) {
                    causes.push(format!(
                        "the key was signed still percent-encoded ({raw_key:?} instead of {key:?}): the signer encoded the key twice; give it the plain key"
                    ));
                }
            }
        }
        for (i, (name, _)) in self.headers.iter().enumerate() {
            let fewer: Vec<(String, String)> = self
                .headers
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, h)| h.clone())
                .collect();
            if ok(self.method, self.target, query, &fewer) {
                causes.push(format!(
                    "header {name} was not signed (or signed with another value): the URL matches without it; send the exact value it was presigned with, or presign with --header {name}:VALUE"
                ));
            }
        }
        for p in params
            .decoded()
            .filter(|p| !AUTH_PARAMS.contains(&p.name()))
        {
            let fewer: Vec<&str> = params
                .decoded()
                .filter(|q| !std::ptr::eq(*q, p))
                .map(|q| q.raw())
                .collect();
            if ok(self.method, self.target, &fewer.join("&"), self.headers) {
                causes.push(format!(
                    "query parameter {:?} was added or changed after signing: the URL matches without it",
                    p.name()
                ));
            }
        }
        causes
    }
}
