//! The presign itself, once the credentials and the instant are known: checks, signs and writes
//! the URL and the header lists into the [`PresignResult`]'s one buffer.

use oss_credentials::Credentials;
use oss_sign_core::{is_signed_by_default, v1, v4, SignableRequest, SigningTime};

use super::request_checks::{
    check_parts_before_signing, check_ref, header_repeats, HeaderScan, QueryScan,
};
use super::{sign_error, Client};
use crate::config::SignatureVersion;
use crate::endpoint::ResolvedEndpoint;
use crate::error::{Error, ErrorKind};
use crate::presign::{PresignOptions, PresignResult};
use crate::request::{PairText, PartsRef};
use crate::result_writer::ResultWriter;
use oss_sign_core::SignError;

/// How many headers or query parameters are borrowed into a stack array (no allocation).
const PAIRS_ON_STACK: usize = 32;
/// How many configured additional header names are borrowed into a stack array.
const ADDITIONAL_ON_STACK: usize = 8;
/// The smallest stack array, for one or two pairs (the typical GET's one query parameter):
/// filling the four-slot one wrote 16 immediate stores for one pair.
const TWO_PAIRS: usize = 2;
/// The smaller stack array, for the usual few pairs (filling the large one costs a 1 KiB
/// write even for one pair).
const FEW_PAIRS: usize = 4;
/// The middle stack array (a PUT with a few metadata entries: 5 headers fill 8 slots, not 32).
const SOME_PAIRS: usize = 8;

/// Where the `(&str, &str)` view of a request's pairs that [`SignableRequest`] takes is
/// written: a small array for the usual few pairs, one of 8, a larger one for up to [`PAIRS_ON_STACK`]
/// (filling it costs a 1 KiB write even for one pair), else a vector; each array is only
/// initialised when used (no list, no stores). Declared by the caller and filled in place, so
/// no array is moved.
struct PairSlots<'a> {
    two: Option<[(&'a str, &'a str); TWO_PAIRS]>,
    few: Option<[(&'a str, &'a str); FEW_PAIRS]>,
    some: Option<[(&'a str, &'a str); SOME_PAIRS]>,
    many: Option<[(&'a str, &'a str); PAIRS_ON_STACK]>,
    heap: Vec<(&'a str, &'a str)>,
}

/// Borrows `pairs` (at most `N`) into `slot`'s array, initialised here, and returns them as
/// its first `pairs.len()` slots.
#[inline]
fn fill<'s, 'a, P: PairText, const N: usize>(
    slot: &'s mut Option<[(&'a str, &'a str); N]>,
    pairs: &'a [P],
) -> &'s [(&'a str, &'a str)] {
    let slots = slot.insert([("", ""); N]);
    for (slot, pair) in slots.iter_mut().zip(pairs) {
        *slot = (pair.name(), pair.value());
    }
    &slots[..pairs.len()]
}

impl<'a> PairSlots<'a> {
    fn new() -> Self {
        PairSlots {
            two: None,
            few: None,
            some: None,
            many: None,
            heap: Vec::new(),
        }
    }

    /// `pairs` as `(&str, &str)`, on the stack for up to [`PAIRS_ON_STACK`] pairs.
    #[inline]
    fn borrow<P: PairText>(&mut self, pairs: &'a [P]) -> &[(&'a str, &'a str)] {
        if let Some(pairs) = P::as_str_pairs(pairs) {
            return pairs;
        }
        let len = pairs.len();
        if len == 0 {
            &[]
        } else if len <= TWO_PAIRS {
            fill(&mut self.two, pairs)
        } else if len <= FEW_PAIRS {
            fill(&mut self.few, pairs)
        } else if len <= SOME_PAIRS {
            fill(&mut self.some, pairs)
        } else if len <= PAIRS_ON_STACK {
            fill(&mut self.many, pairs)
        } else {
            self.heap
                .extend(pairs.iter().map(|pair| (pair.name(), pair.value())));
            &self.heap
        }
    }
}

impl Client {
    /// The whole presign at a given instant (the clock has been asked already).
    ///
    /// Allocations on the V4 path: the result's one buffer (URL, then the headers), the
    /// `oss-sign-core` [`v4::Presigned`] buffer, and its signed-header selection when the
    /// request has headers; the borrowed pair views stay on the stack for up to 32 headers and
    /// 32 parameters, the additional header names for up to 8. (The
    /// caller's [`PresignParts`](crate::PresignParts) vectors come on top, one per non-empty
    /// list, unless the request gives a [`PresignView`](crate::PresignView) or writes
    /// [`InlineParts`](crate::InlineParts), as every typed request does.)
    pub(crate) fn presign_parts_at<P: PairText>(
        &self,
        parts: &PartsRef<'_, P>,
        options: &PresignOptions,
        credentials: &Credentials,
        now: SigningTime,
    ) -> Result<PresignResult, Error> {
        let config = &self.inner.config;
        let version = config.signature_version;

        // The pairs borrowed as `oss-sign-core` takes them; what the quick checks need to know
        // of them is found in loops of their own over the borrowed slots.
        let mut header_slots = PairSlots::new();
        let mut query_slots = PairSlots::new();
        let mut header_scan = HeaderScan::default();
        // The headers counted from the borrowed slots, in a loop of their own: fused into the
        // copy, the copy is no longer two 16-byte moves a pair (20 headers: +49 instructions).
        let headers = header_slots.borrow(parts.headers);
        for &(name, value) in headers {
            header_scan.add(name, value);
        }
        // The query's order scanned over the borrowed slots in a loop of its own, as the
        // headers are (the copy stays a plain copy: `client_p20` -126 instructions).
        let query = query_slots.borrow(parts.query);
        let query_scan = QueryScan::over(query);
        let header_bytes = header_scan.line_bytes;

        // V4: repeated header names are looked for after signing, when oss-sign-core has not
        // shown there are none (it joins repeats among the headers it signs).
        let header_repeats_after = version != SignatureVersion::V1;
        let method = match check_parts_before_signing(
            parts,
            version,
            header_repeats_after,
            header_scan,
            query_scan,
        ) {
            Some(method) => method,
            // The full checks name what is wrong (or, had the quick ones been stricter, pass).
            None => check_ref(parts, version)?,
        };
        let seconds = match options.validity_seconds(now, version) {
            Ok(seconds) => seconds,
            // A request error (a repeated header not looked for yet) comes first, as it did.
            Err(err) => {
                check_ref(parts, version)?;
                return Err(err);
            }
        };

        let signable = SignableRequest::new(&method)
            .bucket(parts.bucket)
            .key(parts.key)
            .query(query)
            .headers(headers);

        let endpoint = &config.endpoint;

        match version {
            SignatureVersion::V1 => {
                // Checked by validity_seconds: fits before the year 10000.
                let expiration = now.checked_add_seconds(seconds).ok_or_else(|| {
                    Error::without_field(ErrorKind::InvalidExpiry, "expiry out of range")
                })?;
                let params = v1::PresignParams::new(
                    credentials.access_key_id(),
                    credentials.access_key_secret(),
                    expiration.unix_seconds(),
                )
                .security_token(credentials.security_token());
                let presigned =
                    v1::presign(&signable, &params).map_err(|e| refused(parts, version, e))?;
                let capacity = endpoint.url_capacity(parts.bucket, parts.key) + 512 + header_bytes;
                let mut url = String::with_capacity(capacity);
                endpoint.write_object_url(&mut url, parts.bucket, parts.key);
                url.push('?');
                url.push_str(presigned.url_query());
                if url.ends_with('?') {
                    url.pop();
                }
                let mut writer = ResultWriter::after_url(url);
                writer.signed_all(
                    presigned
                        .signed_headers()
                        .iter()
                        .map(|(name, value)| (name.as_str(), value.as_str())),
                );
                write_unsigned(&mut writer, parts.headers, true);
                Ok(writer.finish(method, expiration, credentials_expiration(credentials)))
            }
            _ => {
                let expires = u32::try_from(seconds).map_err(|_| {
                    Error::without_field(ErrorKind::InvalidExpiry, "expiry out of range")
                })?;
                // The configured additional header names as `&str`: on the stack for up to
                // ADDITIONAL_ON_STACK names (no list to build, and no array to fill, when none
                // are configured).
                let additional_slots: [&str; ADDITIONAL_ON_STACK];
                let additional_heap: Vec<&str>;
                let configured = &config.additional_headers;
                let additional: &[&str] = if configured.is_empty() {
                    &[]
                } else if configured.len() <= ADDITIONAL_ON_STACK {
                    additional_slots =
                        std::array::from_fn(|i| configured.get(i).map_or("", String::as_str));
                    &additional_slots[..configured.len()]
                } else {
                    additional_heap = configured.iter().map(String::as_str).collect();
                    &additional_heap
                };
                let params = v4::PresignParams::new(
                    credentials.access_key_id(),
                    endpoint.signing_region(),
                    now,
                    expires,
                )
                .product(endpoint.product())
                .security_token(credentials.security_token())
                .additional_headers(additional);
                // The result is written under the key cache's read lock, where the signature
                // is: the `Presigned` (a few hundred bytes) is never moved out.
                let no_additional = additional.is_empty();
                let looked_up = self.inner.keys.lookup(credentials, now);
                let signed = match looked_up.key() {
                    Some(key) => v4::presign(&signable, &params, key),
                    // Never (a cached look-up holds the key): a fresh one, as `get` gives.
                    None => {
                        v4::presign(&signable, &params, &self.signing_key(credentials, now).key)
                    }
                };
                // Bound by reference: the `Presigned` (about 200 bytes) stays where
                // `v4::presign` wrote it, inside its `Result` (no copy out of it).
                let presigned = match signed {
                    Ok(ref presigned) => presigned,
                    Err(err) => return Err(refused(parts, version, err)),
                };
                write_v4_result(
                    presigned,
                    method,
                    endpoint,
                    parts,
                    header_bytes,
                    no_additional,
                    credentials,
                )
            }
        }
    }
}

/// The error for a request `oss-sign-core` refused: the full checks' error when they find one
/// (a header name or value they name as they always did), else the signer's.
fn refused<P: PairText>(
    parts: &PartsRef<'_, P>,
    version: SignatureVersion,
    err: SignError,
) -> Error {
    match check_ref(parts, version) {
        Err(checked) => checked,
        Ok(_) => sign_error(err),
    }
}

/// The URL and header lines of a V4 presign, in one buffer sized once the query is known (the
/// URL and every header fit, so it never grows). Inlined into its one caller (no frame to set
/// up, no result to move back).
///
/// The result is finished here and returned as the caller returns it: handing the writer and
/// a flag back as a pair had the caller reload the writer's fields as one 16-byte load right
/// after they were stored as two 8-byte ones (store-to-load forwarding fails, 4-8 ns).
#[inline]
#[allow(clippy::too_many_arguments)]
fn write_v4_result<P: PairText>(
    presigned: &v4::Presigned,
    method: std::borrow::Cow<'static, str>,
    endpoint: &ResolvedEndpoint,
    parts: &PartsRef<'_, P>,
    header_bytes: usize,
    no_additional: bool,
    credentials: &Credentials,
) -> Result<PresignResult, Error> {
    // The credentials' expiration read here, after signing, not before: its chain of loads
    // (the credentials, their shared part, the field) no longer waits in front of the
    // signature.
    let credentials_expiration = credentials_expiration(credentials);
    // Each accessor of `Presigned` is a call into oss-sign-core: each asked once.
    let canonical = presigned.canonical_request();
    let query = presigned.canonical_query();
    let encoded_key = encoded_key(canonical, query, &method, parts.bucket);
    debug_assert_eq!(
        encoded_key,
        presigned
            .canonical_uri()
            .strip_prefix('/')
            .and_then(|uri| uri.strip_prefix(parts.bucket))
            .and_then(|uri| uri.strip_prefix('/'))
    );
    let capacity = endpoint.url_capacity_encoded(
        parts.bucket,
        encoded_key.map_or(parts.key.len() * 3, str::len),
    ) + 1
        + query.len()
        + SIGNATURE_PARAMETER_LEN
        + header_bytes;
    let mut url = String::with_capacity(capacity);
    match encoded_key {
        Some(key) => endpoint.write_object_url_encoded(&mut url, parts.bucket, key),
        None => endpoint.write_object_url(&mut url, parts.bucket, parts.key),
    }
    url.push('?');
    // What `Presigned::write_url_query` writes, from the query already at hand (pinned by the
    // test `the_url_query_is_sign_cores`; not a debug assertion, whose string would be an
    // allocation the test binary `presign_allocations` counts).
    url.push_str(query);
    url.push_str("&x-oss-signature=");
    url.push_str(presigned.signature());
    let mut writer = ResultWriter::after_url(url);
    // Whether the headers are known to name none twice: every one signed, and oss-sign-core
    // found no repeat among the signed ones (it joins repeats, and then gives no lines).
    let mut no_repeats = true;
    if !parts.headers.is_empty() {
        // The canonical request's header lines when they are the signed headers as given.
        match presigned.signed_header_lines() {
            Some(lines) => writer.signed_lines(lines, presigned.signed_header_pairs().len()),
            None => {
                no_repeats = false;
                writer.signed_all(presigned.signed_header_pairs());
            }
        }
    }
    debug_assert!(writer.signed_so_far().eq(presigned.signed_header_pairs()));
    // Every header signed (the request names none twice): none left to list.
    if writer.signed_count() < parts.headers.len() {
        no_repeats = false;
        write_unsigned(&mut writer, parts.headers, no_additional);
    }
    debug_assert!(writer.len() <= capacity, "{} > {capacity}", writer.len());
    if !no_repeats && header_repeats(parts.headers) {
        // The full checks' error (a header before the repeat may be wrong too).
        check_ref(parts, SignatureVersion::V4)?;
    }
    Ok(writer.finish(method, presigned.expiration(), credentials_expiration))
}

/// When the credentials expire, as the result gives it (`None` past what a [`SigningTime`]
/// holds).
#[inline]
fn credentials_expiration(credentials: &Credentials) -> Option<SigningTime> {
    credentials
        .expiration()
        .and_then(|at| SigningTime::try_from(at).ok())
}

/// The key as the canonical request holds it (`canonical`, with `query` its query line),
/// encoded by the URL path's rules already: the canonical request starts `METHOD\n/BUCKET/KEY\nQUERY`, and the bucket (a checked name)
/// needs no escape, so the key is found from the lengths of the method and the bucket and the
/// start of the query, with four separator bytes checked (no search for the line break, no
/// comparison of the bucket). `None` if the canonical request is not of that form.
#[inline]
fn encoded_key<'p>(canonical: &'p str, query: &str, method: &str, bucket: &str) -> Option<&'p str> {
    // Where the query line starts: the query is a part of the canonical request.
    let query_start = (query.as_ptr() as usize).checked_sub(canonical.as_ptr() as usize)?;
    let key_start = method.len() + bucket.len() + 3;
    let key_end = query_start.checked_sub(1)?;
    let bytes = canonical.as_bytes();
    let at = |i: usize| bytes.get(i).copied();
    if key_start > key_end
        || at(method.len()) != Some(b'\n')
        || at(method.len() + 1) != Some(b'/')
        || at(key_start - 1) != Some(b'/')
        || at(key_end) != Some(b'\n')
    {
        return None;
    }
    // Two one-sided slices (one boundary test each, inlined) rather than `get(range)`, which
    // stayed an out-of-line call here (20 instructions and the call).
    canonical.get(..key_end)?.get(key_start..)
}

/// `&x-oss-signature=` and the 64 hex digits of the signature.
const SIGNATURE_PARAMETER_LEN: usize = 17 + 64;

/// Appends the request headers the signature does not cover, names as given, in request order.
///
/// Both V4 and V1 sign every `x-oss-*`, `content-type` and `content-md5` header, so those are
/// answered from the name alone; without configured additional headers nothing else is
/// signed (`no_additional`), else the signed list written so far is asked.
fn write_unsigned<P: PairText>(writer: &mut ResultWriter, headers: &[P], no_additional: bool) {
    for pair in headers {
        let (name, value) = (pair.name(), pair.value());
        let signed = is_signed_by_default(name)
            || (!no_additional
                && writer
                    .signed_so_far()
                    .any(|(listed, _)| listed.eq_ignore_ascii_case(name)));
        if !signed {
            writer.unsigned(name, value);
        }
    }
}

#[cfg(test)]
mod tests;
