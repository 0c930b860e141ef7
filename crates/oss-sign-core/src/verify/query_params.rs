//! The received query string as decoded pairs, and the single-value rule of signature
//! parameters (missing and repeated are errors).

use super::error::{VerifyError, VerifyErrorKind};
use alloc::format;
use alloc::vec::Vec;

pub(super) use crate::query::QueryPair;

/// Every parameter of the received query, decoded by the workspace's one parser
/// ([`crate::query::parse_query`]); the first malformed one refuses the request.
pub(super) fn parse_query(raw: &str) -> Result<Vec<QueryPair<'_>>, VerifyError> {
    crate::query::parse_query(raw)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| VerifyError::new(VerifyErrorKind::Malformed, format!("{e}")))
}

/// The signature parameter of a V4 URL, which its signature does not cover.
pub(super) const V4_UNSIGNED: &[&str] = &["x-oss-signature"];
/// The parameters of a V1 URL its signature does not cover.
pub(super) const V1_UNSIGNED: &[&str] = &["OSSAccessKeyId", "Expires", "Signature"];

/// The `(name, value)` pairs the signature covers: every pair but those named in `left_out`,
/// in received order.
pub(super) fn signed_pairs<'q>(
    pairs: &'q [QueryPair<'_>],
    left_out: &[&str],
) -> Vec<(&'q str, &'q str)> {
    pairs
        .iter()
        .filter(|p| !left_out.contains(&p.name()))
        .map(|p| (p.name(), p.value()))
        .collect()
}

/// The single value of an authentication parameter: missing and repeated are errors.
pub(super) fn single<'q>(
    pairs: &'q [QueryPair<'_>],
    name: &str,
) -> Result<Option<&'q str>, VerifyError> {
    let mut found = None;
    for pair in pairs.iter().filter(|p| p.name() == name) {
        if found.is_some() {
            return Err(VerifyError::new(
                VerifyErrorKind::DuplicateParameter,
                format!("query parameter {name} appears more than once: a presigned URL carries each signature parameter exactly once"),
            ));
        }
        found = Some(pair.value());
    }
    Ok(found)
}

pub(super) fn required<'q>(pairs: &'q [QueryPair<'_>], name: &str) -> Result<&'q str, VerifyError> {
    single(pairs, name)?.ok_or_else(|| {
        VerifyError::new(
            VerifyErrorKind::MissingParameter,
            format!("query parameter {name} is missing: a presigned URL must carry it"),
        )
    })
}
