//! Prepared presigners: the options of `presign()` but the key, the instant and the validity,
//! read once (`prepare`) and kept in the module under a handle, with their checked credentials
//! and a client of their own (whose signing key is derived once per day). Each call then
//! passes only the key and numbers: no JSON, no options object, no client lookup.
//!
//! A call checks what the one-shot `presign()` checks, in the same order (signing instant,
//! validity, credentials, request, configuration, then the client's validation), so it
//! answers exactly what `presign()` answers for the same options, refusals included.

use std::sync::Mutex;

use oss_client::credentials::Credentials;
use oss_client::{PresignParts, Presignable};

use crate::client_cache::Cached;
use crate::input::{presign_options, signing_time};
use crate::json::Value;
use crate::presign::{read_template, Request, Template};

struct Prepared {
    template: Template,
    credentials: Result<Credentials, String>,
    /// The request with an empty key, built once (what `Template::request` refuses does not
    /// depend on the key); each call signs it with its key through [`WithKey`].
    request: Result<Request, String>,
    client: Option<Cached>,
}

/// A prepared request with a call's key: the typed request's parts, the key replaced (a typed
/// request puts its key nowhere else), so no request is built, copied or freed per call.
struct WithKey<'a> {
    base: &'a (dyn Presignable + Send),
    key: &'a str,
}

impl Presignable for WithKey<'_> {
    fn presign_parts(&self) -> PresignParts<'_> {
        let mut parts = self.base.presign_parts();
        parts.key = self.key;
        parts
    }
}

/// Handle `n` is `SLOTS[n - 1]`; a freed slot is reused.
static SLOTS: Mutex<Vec<Option<Prepared>>> = Mutex::new(Vec::new());

fn slots() -> std::sync::MutexGuard<'static, Vec<Option<Prepared>>> {
    SLOTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The signing instant of one prepared call.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CallTime<'a> {
    /// Unix seconds (the host's clock or a `Date`).
    Seconds(i64),
    /// Text as `signingTime` takes it (`YYYY-MM-DDTHH:MM:SSZ`), checked as `presign()` does.
    Text(&'a str),
    /// None given: refused as `presign()` refuses a missing `signingTime`.
    Missing,
}

/// Reads a prepared presigner's options and returns its handle (1 or more).
pub(crate) fn prepare(options: &str) -> Result<u32, String> {
    let template = read_template(options).map_err(|r| r.0)?;
    let credentials = template.credentials().map_err(|r| r.0);
    let request = template.request(String::new()).map_err(|r| r.0);
    let prepared = Prepared {
        template,
        credentials,
        request,
        client: None,
    };
    let mut slots = slots();
    let index = match slots.iter().position(Option::is_none) {
        Some(free) => {
            slots[free] = Some(prepared);
            free
        }
        None => {
            slots.push(Some(prepared));
            slots.len() - 1
        }
    };
    u32::try_from(index + 1).map_err(|_| "invalid request: too many prepared presigners".into())
}

/// Presigns `key` with the prepared presigner `handle`: the compact answer of
/// `oss_presign_at` written over `out`, or the refusal `presign()` gives for the same options.
pub(crate) fn presign(
    handle: u32,
    key: &str,
    at: CallTime<'_>,
    expires: Option<i64>,
    expiration: Option<i64>,
    out: &mut String,
) -> Result<(), String> {
    let mut slots = slots();
    let prepared = usize::try_from(handle)
        .ok()
        .and_then(|h| h.checked_sub(1))
        .and_then(|index| slots.get_mut(index))
        .and_then(Option::as_mut)
        .ok_or_else(|| {
            format!("invalid request: no prepared presigner {handle} (closed, or never made)")
        })?;
    let seconds = Value::Int;
    let at = match at {
        CallTime::Seconds(n) => Some(seconds(n)),
        CallTime::Text(text) => Some(Value::Str(text.to_owned())),
        CallTime::Missing => None,
    };
    let at = signing_time(at.as_ref()).map_err(|r| r.0)?;
    let options = presign_options(
        expires.map(seconds).as_ref(),
        expiration.map(seconds).as_ref(),
    )
    .map_err(|r| r.0)?;
    let credentials = prepared.credentials.as_ref().map_err(Clone::clone)?;
    let request = prepared.request.as_ref().map_err(Clone::clone)?;
    let request = WithKey {
        base: request.as_ref(),
        key,
    };
    prepared
        .template
        .presign_in(
            &mut prepared.client,
            &request,
            at,
            &options,
            credentials,
            out,
        )
        .map_err(|r| r.0)
}

/// Frees the prepared presigner `handle`; false when there is none.
pub(crate) fn close(handle: u32) -> bool {
    let mut slots = slots();
    let index = usize::try_from(handle).ok().and_then(|h| h.checked_sub(1));
    match index.and_then(|index| slots.get_mut(index)) {
        Some(slot @ Some(_)) => {
            *slot = None;
            true
        }
        _ => false,
    }
}
