//! Bench-only exports (feature `bench-floor`, off by default: the shipped module has none of
//! this): the crypto floor that `benches/floor_vs_ali_oss.mjs` times beside the module's
//! prepared presign and ali-oss's `signatureUrlV4` in one Node process (issue 15).
//!
//! The floor is what every V4 presigner computes for the request: the hex SHA-256 of its
//! canonical request and the hex HMAC-SHA256 (key states precomputed) of its string to sign,
//! here with the very code the module's presign runs (`oss_sign_core::v4::bench_floor`, the
//! crate's SHA-256 padding around `sha2::compress256` and its hex writer, in the same profile).
//!
//! 1. `ptr = oss_input(len)` (the module's input buffer, [`crate::abi::oss_input`]): the host
//!    writes the request there, one field a line: access key id, secret, security token,
//!    region, bucket, key, validity in seconds.
//! 2. `oss_bench_floor_setup(now)` presigns that GET at `now` (Unix seconds) with
//!    oss-sign-core, keeps its canonical request, string to sign and signing key, leaves the
//!    canonical request's hex hash and the signature (128 bytes) at `oss_bench_floor_output()`,
//!    and returns the two lengths (canonical request << 16 | string to sign), 0 if refused.
//! 3. `oss_bench_floor(cached)` computes the floor of the kept request (through the key's
//!    first-block cache when `cached` is 1, as a presign does) into the same 128 bytes.

use std::sync::Mutex;

use oss_sign_core::v4::{self, bench_floor};
use oss_sign_core::{SignableRequest, SigningTime};

struct Kept {
    key: v4::SigningKey,
    canonical_request: String,
    string_to_sign: String,
}

static KEPT: Mutex<Option<Kept>> = Mutex::new(None);
static OUTPUT: Mutex<[u8; 128]> = Mutex::new([0; 128]);

fn lock<T>(cell: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    cell.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[allow(unsafe_code)] // `unsafe(no_mangle)`: the export's fixed name; no unsafe operation
#[unsafe(no_mangle)]
extern "C" fn oss_bench_floor_output() -> *const u8 {
    lock(&OUTPUT).as_ptr()
}

#[allow(unsafe_code)] // `unsafe(no_mangle)`: the export's fixed name; no unsafe operation
#[unsafe(no_mangle)]
extern "C" fn oss_bench_floor_setup(now: f64) -> u32 {
    let mut request = None;
    crate::abi::with_input(|input| request = setup(input, now as i64));
    let Some((kept, signature)) = request else {
        return 0;
    };
    let mut out = lock(&OUTPUT);
    let string_to_sign = kept.string_to_sign.as_bytes();
    out[..64].copy_from_slice(&string_to_sign[string_to_sign.len().saturating_sub(64)..]);
    out[64..].copy_from_slice(signature.as_bytes());
    let lengths = (kept.canonical_request.len() << 16 | string_to_sign.len()) as u32;
    *lock(&KEPT) = Some(kept);
    lengths
}

/// Presigns the GET that `input` describes (see the module's docs) at `now`: what the floor
/// needs, and the signature it must find.
fn setup(input: &[u8], now: i64) -> Option<(Kept, String)> {
    let text = std::str::from_utf8(input).ok()?;
    let fields: Vec<&str> = text.split('\n').collect();
    let [access_key_id, secret, token, region, bucket, key, expires] = fields[..] else {
        return None;
    };
    let time = SigningTime::from_unix_seconds(now).ok()?;
    let signing_key = v4::SigningKey::derive(secret, time, region, "oss");
    let params = v4::PresignParams::new(access_key_id, region, time, expires.parse().ok()?)
        .security_token(Some(token));
    let request = SignableRequest::new("GET").bucket(bucket).key(key);
    let presigned = v4::presign(&request, &params, &signing_key).ok()?;
    if presigned.signature().len() != 64 {
        return None;
    }
    let kept = Kept {
        canonical_request: presigned.canonical_request().to_owned(),
        string_to_sign: presigned.string_to_sign().to_owned(),
        key: signing_key,
    };
    Some((kept, presigned.signature().to_owned()))
}

#[allow(unsafe_code)] // `unsafe(no_mangle)`: the export's fixed name; no unsafe operation
#[unsafe(no_mangle)]
extern "C" fn oss_bench_floor(cached: u32) -> u32 {
    let kept = lock(&KEPT);
    let Some(kept) = kept.as_ref() else {
        return 0;
    };
    let (canonical, string_to_sign) = (
        kept.canonical_request.as_bytes(),
        kept.string_to_sign.as_bytes(),
    );
    let floor = if cached == 1 {
        bench_floor::floor(&kept.key, canonical, string_to_sign)
    } else {
        bench_floor::floor_uncached(&kept.key, canonical, string_to_sign)
    };
    *lock(&OUTPUT) = floor;
    u32::from(floor[127])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_computes_what_the_presign_signed() {
        let request = b"ak\nsk\ntoken\ncn-hangzhou\nexamplebucket\nfolder/a.txt\n900";
        crate::abi::oss_input(request.len());
        crate::abi::with_input(|input| input.copy_from_slice(request));
        let lengths = oss_bench_floor_setup(1_731_400_000.0);
        assert!(lengths >> 16 > 200 && lengths & 0xffff > 64, "{lengths:#x}");
        let expected = *lock(&OUTPUT);
        for cached in [0, 1, 1, 0] {
            *lock(&OUTPUT) = [0; 128];
            assert_eq!(oss_bench_floor(cached), u32::from(expected[127]));
            assert_eq!(*lock(&OUTPUT), expected);
        }
        assert!(!oss_bench_floor_output().is_null());
    }

    #[test]
    fn a_malformed_request_is_refused() {
        assert!(setup(b"ak\nsk", 0).is_none());
        assert!(setup(b"ak\nsk\nt\nr\nb\nk\nsoon", 0).is_none());
    }
}
