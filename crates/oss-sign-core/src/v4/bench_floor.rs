//! The crypto floor of a V4 presign, for benches only (feature `bench-floor`, off by default,
//! hidden from the docs: not a supported API).
//!
//! What every V4 presigner must compute for a request whatever else it does: the lower-case hex
//! SHA-256 of the canonical request and the lower-case hex HMAC-SHA256 of the string to sign
//! with the key's inner and outer states precomputed. Both functions run the very code
//! [`presign`](super::presign) runs for those two steps (this crate's SHA-256 padding around
//! `sha2::compress256`, its hex writer), so a bench can put a presign beside its floor in the
//! same build, profile and runtime (issue 15: the WebAssembly module against ali-oss in Node).

use super::key::hex_array;
use super::SigningKey;

/// The floor as [`presign`](super::presign) pays it: the hex SHA-256 of `canonical_request`
/// (bytes 0..64 of the answer) and the hex HMAC of `string_to_sign` (bytes 64..128, the
/// signature), the HMAC through the key's first-block cache (a second presign of the same
/// second skips the compression of the string to sign's first 64 bytes).
///
/// ```
/// use oss_sign_core::{v4, SignableRequest, SigningTime};
/// let t = SigningTime::from_unix_seconds(1_731_400_000)?;
/// let key = v4::SigningKey::derive("sk", t, "cn-hangzhou", "oss");
/// let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("k"),
///     &v4::PresignParams::new("ak", "cn-hangzhou", t, 900), &key)?;
/// let floor = v4::bench_floor::floor(&key, p.canonical_request().as_bytes(), p.string_to_sign().as_bytes());
/// assert!(p.string_to_sign().ends_with(core::str::from_utf8(&floor[..64]).unwrap()));
/// assert_eq!(&floor[64..], p.signature().as_bytes());
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub fn floor(key: &SigningKey, canonical_request: &[u8], string_to_sign: &[u8]) -> [u8; 128] {
    let mut out = [0u8; 128];
    let (hash, mac) = out.split_at_mut(64);
    hash.copy_from_slice(&hex_array(&crate::hmac_state::sha256(canonical_request)));
    mac.copy_from_slice(&key.sign_hex_array(string_to_sign));
    out
}

/// [`floor`] without the first-block cache: every call compresses the whole string to sign
/// (the floor as defined, key states precomputed and nothing else reused).
///
/// ```
/// use oss_sign_core::{v4, SignableRequest, SigningTime};
/// let t = SigningTime::from_unix_seconds(1_731_400_000)?;
/// let key = v4::SigningKey::derive("sk", t, "cn-hangzhou", "oss");
/// let p = v4::presign(&SignableRequest::new("GET").bucket("b").key("k"),
///     &v4::PresignParams::new("ak", "cn-hangzhou", t, 900), &key)?;
/// let (c, s) = (p.canonical_request().as_bytes(), p.string_to_sign().as_bytes());
/// assert_eq!(v4::bench_floor::floor_uncached(&key, c, s), v4::bench_floor::floor(&key, c, s));
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub fn floor_uncached(
    key: &SigningKey,
    canonical_request: &[u8],
    string_to_sign: &[u8],
) -> [u8; 128] {
    let mut out = [0u8; 128];
    let (hash, mac) = out.split_at_mut(64);
    hash.copy_from_slice(&hex_array(&crate::hmac_state::sha256(canonical_request)));
    mac.copy_from_slice(&hex_array(
        &key.prepared_hmac().mac_uncached(string_to_sign),
    ));
    out
}

/// The SHA-256 compressions of [`floor_uncached`] (`cached: false`) or of a repeated
/// [`floor`] call (`cached: true`): those of the canonical request, of the string to sign after
/// the precomputed key block (one fewer when its first block is cached), and one for the outer
/// hash.
///
/// ```
/// use oss_sign_core::v4::bench_floor::compressions;
/// assert_eq!(compressions(295, 141, false), 5 + 3 + 1);
/// assert_eq!(compressions(295, 141, true), 5 + 2 + 1);
/// assert_eq!(compressions(55, 55, true), 1 + 1 + 1);
/// ```
pub fn compressions(canonical_len: usize, string_to_sign_len: usize, cached: bool) -> usize {
    let blocks = |len: usize| (len + 8) / 64 + 1;
    let skipped = usize::from(cached && string_to_sign_len >= 64);
    blocks(canonical_len) + blocks(string_to_sign_len) - skipped + 1
}
