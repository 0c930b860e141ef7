//! [`SigningKey`]: the V4 key derived from the secret for one day, region and product.

use crate::error::{shorten, SignError, SignErrorKind};
use crate::hmac_state::PreparedHmac;
use crate::time::SigningTime;
use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use core::fmt;
use hmac::{Hmac, Mac};
use once_cell::race::OnceBox;
use sha2::Sha256;
use zeroize::Zeroize;

type HmacSha256 = Hmac<Sha256>;

/// The last element of the credential scope, and the last input of the key chain.
pub const TERMINATOR: &str = "aliyun_v4_request";

/// Appends the lower-case hex form of `bytes`.
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for byte in bytes {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
}

/// The lower-case hex form of a 32-byte digest, on the stack.
///
/// Four bytes at a time in one `u64`: the nibbles are spread one per byte (high nibble first)
/// with three shift-and-mask steps, then each becomes `'0'..='9'` or `'a'..='f'` by adding
/// `'0'` and, where the nibble is 10 or more, 39 more; about a quarter of the instructions of
/// a table lookup per nibble (this runs twice per presign).
pub(crate) fn hex_array(bytes: &[u8; 32]) -> [u8; 64] {
    const LOW_NIBBLES: u64 = 0x0f0f_0f0f_0f0f_0f0f;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut out = [0u8; 64];
    // Arrays, not slices: fixed-size loads and stores (no `copy_from_slice` call where the
    // crate is built for size, e.g. a WebAssembly module at opt-level `s`).
    for (four, eight) in bytes
        .as_chunks::<4>()
        .0
        .iter()
        .zip(out.as_chunks_mut::<8>().0)
    {
        let x = u64::from(u32::from_be_bytes(*four));
        let x = (x | (x << 16)) & 0x0000_ffff_0000_ffff;
        let x = (x | (x << 8)) & 0x00ff_00ff_00ff_00ff;
        let nibbles = (x | (x << 4)) & LOW_NIBBLES;
        // 1 in each byte whose nibble is 10 or more (10 + 6 reaches bit 4).
        let letters = ((nibbles + 6 * ONES) >> 4) & ONES;
        let ascii = nibbles + b'0' as u64 * ONES + letters * 39;
        *eight = ascii.to_be_bytes();
    }
    out
}

/// The derived V4 signing key for one (secret, UTC day, region, product).
///
/// The key bytes are zeroized on drop and never shown by `Debug`.
///
/// ```
/// use oss_sign_core::{v4::SigningKey, SigningTime};
/// let day = SigningTime::parse_x_oss_date("20231217T000000Z")?;
/// let key = SigningKey::derive("sk", day, "cn-hangzhou", "oss");
/// let later_same_day = SigningTime::parse_x_oss_date("20231217T235959Z")?;
/// assert!(key.is_for(later_same_day, "cn-hangzhou", "oss"));
/// assert!(!key.is_for(day.checked_add_seconds(86_400).unwrap(), "cn-hangzhou", "oss"));
/// assert!(!format!("{key:?}").contains("sk"));
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
pub struct SigningKey {
    key: [u8; 32],
    prepared: PreparedHmac,
    date: [u8; 8],
    /// The same day in days since 1970 (cheaper to compare than the date text).
    day: i64,
    region: String,
    product: String,
    /// `\nYYYYMMDD/region/product/aliyun_v4_request\n`: the scope with the line breaks around
    /// it in every string to sign, so they are written with it in one copy.
    scope_lines: String,
    /// The same scope encoded as a query value (`/` as `%2F`): the credential's tail.
    encoded_scope: String,
    /// Whether region and product may stand in a credential scope (checked once here instead
    /// of on every signature made with the key).
    scope_is_valid: bool,
    /// The `x-oss-credential` value (`access_key_id/scope`) encoded, for the first access key
    /// id the key presigned for (a key is derived for one credential, so that is every one).
    credential: OnceBox<EncodedCredential>,
}

/// An access key id and its `x-oss-credential` value with this key's scope, raw and encoded.
pub(crate) struct EncodedCredential {
    access_key_id: String,
    /// `x-oss-credential=` + the encoded value + `&x-oss-date=`: how a presign without token or
    /// additional headers writes it, in one copy.
    query: String,
    /// `access_key_id/scope`.
    raw: String,
}

impl EncodedCredential {
    /// The encoded `x-oss-credential` value.
    pub(crate) fn encoded(&self) -> &str {
        let query = &self.query;
        query
            .get(CREDENTIAL_NAME.len()..query.len() - DATE_NAME.len())
            .unwrap_or("")
    }

    /// `x-oss-credential=VALUE&x-oss-date=`, the value encoded.
    pub(crate) fn query(&self) -> &str {
        &self.query
    }

    /// `access_key_id/scope`.
    pub(crate) fn raw(&self) -> &str {
        &self.raw
    }
}

/// What stands before the encoded credential in [`EncodedCredential::query`].
const CREDENTIAL_NAME: &str = "x-oss-credential=";
/// What follows it.
const DATE_NAME: &str = "&x-oss-date=";

impl SigningKey {
    /// Derives the key: `HMAC(HMAC(HMAC(HMAC("aliyun_v4" + secret, date), region), product),
    /// "aliyun_v4_request")`, the date being the UTC day of `time`.
    ///
    /// ```
    /// use oss_sign_core::{v4::SigningKey, SigningTime};
    /// let t = SigningTime::from_unix_seconds(1_702_783_809)?;
    /// let key = SigningKey::derive("sk", t, "cn-hangzhou", "oss");
    /// assert_eq!(key.date_stamp(), "20231217");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn derive(secret: &str, time: SigningTime, region: &str, product: &str) -> Self {
        let stamp = time.x_oss_date_bytes();
        let mut date = [0u8; 8];
        date.copy_from_slice(&stamp[..8]);

        let mut seed = String::with_capacity(9 + secret.len());
        seed.push_str("aliyun_v4");
        seed.push_str(secret);
        let mut key = hmac(seed.as_bytes(), &date);
        seed.zeroize();
        for part in [region.as_bytes(), product.as_bytes(), TERMINATOR.as_bytes()] {
            let next = hmac(&key, part);
            key.zeroize();
            key = next;
        }
        let mut scope_lines = String::with_capacity(10 + region.len() + product.len() + 20);
        scope_lines.push('\n');
        scope_lines.push_str(core::str::from_utf8(&date).unwrap_or(""));
        for part in [region, product, TERMINATOR] {
            scope_lines.push('/');
            scope_lines.push_str(part);
        }
        scope_lines.push('\n');
        let scope = scope_lines.get(1..scope_lines.len() - 1).unwrap_or("");
        Self {
            prepared: PreparedHmac::new(&key),
            key,
            date,
            day: time.unix_seconds().div_euclid(86_400),
            region: region.to_owned(),
            product: product.to_owned(),
            encoded_scope: crate::encoding::uri_encode(scope, false),
            scope_lines,
            scope_is_valid: check_scope_part("region", region).is_ok()
                && check_scope_part("product", product).is_ok(),
            credential: OnceBox::new(),
        }
    }

    /// The credential scope `YYYYMMDD/region/product/aliyun_v4_request`.
    pub(crate) fn scope(&self) -> &str {
        let lines = &self.scope_lines;
        lines.get(1..lines.len() - 1).unwrap_or("")
    }

    /// [`scope`](Self::scope) with a line break before and after it, as the string to sign
    /// holds it.
    pub(crate) fn scope_lines(&self) -> &str {
        &self.scope_lines
    }

    /// [`scope`](Self::scope) encoded as a query value.
    pub(crate) fn encoded_scope(&self) -> &str {
        &self.encoded_scope
    }

    /// The encoded `x-oss-credential` value for `access_key_id`: made on the first call, then
    /// given whenever the access key id is the same again (compared exactly); `None` for
    /// another one, which the caller encodes itself.
    #[cfg(test)]
    pub(crate) fn encoded_credential(&self, access_key_id: &str) -> Option<&str> {
        self.cached_credential(access_key_id)
            .map(EncodedCredential::encoded)
    }

    /// The access key id's credential, raw and encoded: made on the first call (for an access
    /// key id that passes the presign checks), then given whenever the access key id is the
    /// same again (compared exactly, once for all its forms); `None` for another one.
    pub(crate) fn cached_credential(&self, access_key_id: &str) -> Option<&EncodedCredential> {
        let cached = match self.credential.get() {
            Some(cached) => cached,
            // Only an access key id that passes the presign checks is kept (see
            // `knows_access_key_id`).
            None if access_key_id.is_empty()
                || crate::request::has_control_byte_or(access_key_id.as_bytes(), true) =>
            {
                return None
            }
            None => self.credential.get_or_init(|| {
                let mut query = String::with_capacity(
                    CREDENTIAL_NAME.len()
                        + 3 * access_key_id.len()
                        + 3
                        + self.encoded_scope.len()
                        + DATE_NAME.len(),
                );
                query.push_str(CREDENTIAL_NAME);
                crate::encoding::uri_encode_into(&mut query, access_key_id, false);
                query.push_str("%2F");
                query.push_str(&self.encoded_scope);
                query.push_str(DATE_NAME);
                let mut raw = String::with_capacity(access_key_id.len() + 1 + self.scope().len());
                raw.push_str(access_key_id);
                raw.push('/');
                raw.push_str(self.scope());
                Box::new(EncodedCredential {
                    access_key_id: access_key_id.to_owned(),
                    query,
                    raw,
                })
            }),
        };
        (cached.access_key_id == access_key_id).then_some(cached)
    }

    /// Whether `access_key_id` is the one whose credential this key keeps encoded, and so one
    /// that passed the access key id checks already (non-empty, no control byte or tab).
    pub(crate) fn knows_access_key_id(&self, access_key_id: &str) -> bool {
        self.credential
            .get()
            .is_some_and(|cached| cached.access_key_id == access_key_id)
    }

    /// Whether region and product passed the scope checks when the key was derived.
    pub(crate) fn scope_is_valid(&self) -> bool {
        self.scope_is_valid
    }

    /// Whether this key signs requests made at `time` for `region` and `product`.
    ///
    /// ```
    /// use oss_sign_core::{v4::SigningKey, SigningTime};
    /// let t = SigningTime::from_unix_seconds(0)?;
    /// let key = SigningKey::derive("sk", t, "cn-hangzhou", "oss");
    /// assert!(!key.is_for(t, "cn-beijing", "oss"));
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn is_for(&self, time: SigningTime, region: &str, product: &str) -> bool {
        time.unix_seconds().div_euclid(86_400) == self.day
            && self.region == region
            && self.product == product
    }

    /// The UTC day the key is for, `YYYYMMDD`.
    ///
    /// ```
    /// use oss_sign_core::{v4::SigningKey, SigningTime};
    /// let key = SigningKey::derive("sk", SigningTime::from_unix_seconds(0)?, "r", "oss");
    /// assert_eq!(key.date_stamp(), "19700101");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn date_stamp(&self) -> &str {
        core::str::from_utf8(&self.date).unwrap_or("")
    }

    /// The region the key is for.
    ///
    /// ```
    /// use oss_sign_core::{v4::SigningKey, SigningTime};
    /// let key = SigningKey::derive("sk", SigningTime::from_unix_seconds(0)?, "cn-shanghai", "oss");
    /// assert_eq!(key.region(), "cn-shanghai");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The product the key is for.
    ///
    /// ```
    /// use oss_sign_core::{v4::SigningKey, SigningTime};
    /// let key = SigningKey::derive("sk", SigningTime::from_unix_seconds(0)?, "cb-1", "oss-cloudbox");
    /// assert_eq!(key.product(), "oss-cloudbox");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn product(&self) -> &str {
        &self.product
    }

    /// HMAC-SHA256 of `data` under this key, as lower-case hex.
    /// `YYYYMMDDTHHMMSSZ` of `time`, a time of the key's day ([`is_for`](Self::is_for)): the
    /// date from the key, only the time of day computed.
    pub(crate) fn x_oss_date_of(&self, time: SigningTime) -> [u8; 16] {
        let mut out = *b"00000000T000000Z";
        if let Some(date) = out.first_chunk_mut::<8>() {
            *date = self.date;
        }
        let of_day = time.unix_seconds().rem_euclid(86_400) as u32;
        for (at, value) in [
            (9, of_day / 3600),
            (11, of_day / 60 % 60),
            (13, of_day % 60),
        ] {
            out[at] = b'0' + (value / 10) as u8;
            out[at + 1] = b'0' + (value % 10) as u8;
        }
        out
    }

    /// HMAC-SHA256 of `data` as lower-case hex, on the stack.
    pub(crate) fn sign_hex_array(&self, data: &[u8]) -> [u8; 64] {
        hex_array(&self.prepared.mac(data))
    }

    pub(crate) fn sign_hex(&self, data: &[u8]) -> String {
        let hex = self.sign_hex_array(data);
        let mut out = String::with_capacity(64);
        out.push_str(core::str::from_utf8(&hex).unwrap_or_default());
        out
    }

    #[cfg(test)]
    pub(crate) fn key_hex(&self) -> String {
        hex_lower(&self.key)
    }
}

/// The key's HMAC states, for the bench floor (feature `bench-floor`, `v4::bench_floor`).
#[cfg(feature = "bench-floor")]
impl SigningKey {
    pub(crate) fn prepared_hmac(&self) -> &PreparedHmac {
        &self.prepared
    }
}

impl Clone for SigningKey {
    fn clone(&self) -> Self {
        Self {
            key: self.key,
            prepared: self.prepared.clone(),
            date: self.date,
            day: self.day,
            region: self.region.clone(),
            product: self.product.clone(),
            scope_lines: self.scope_lines.clone(),
            encoded_scope: self.encoded_scope.clone(),
            scope_is_valid: self.scope_is_valid,
            credential: OnceBox::new(),
        }
    }
}

impl Drop for SigningKey {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("date", &self.date_stamp())
            .field("region", &self.region)
            .field("product", &self.product)
            .field("key", &"<redacted>")
            .finish()
    }
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this never fails.
    let mut mac =
        <HmacSha256 as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable_hmac_key_error());
    mac.update(data);
    mac.finalize().into_bytes().into()
}

#[cold]
fn unreachable_hmac_key_error() -> HmacSha256 {
    // `Hmac::new_from_slice` only fails for fixed-length-key MACs; HMAC is not one.
    <HmacSha256 as Mac>::new_from_slice(&[0u8; 32]).unwrap_or_else(|_| unreachable!())
}

#[cfg(test)]
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    push_hex(&mut out, bytes);
    out
}

/// Checks a region or product for a V4 credential scope (the key's and the request's).
pub(super) fn check_scope_part(field: &str, value: &str) -> Result<(), SignError> {
    if value.is_empty()
        || value.bytes().any(|b| {
            matches!(b, b'/' | b',')
                || b.is_ascii_whitespace()
                || b.is_ascii_control()
                || !b.is_ascii()
        })
    {
        return Err(SignError::new(
        SignErrorKind::InvalidInput,
        format!(
            "{field} {:?} cannot be part of a V4 credential scope: it must be non-empty ASCII without '/', ',', spaces or control characters (e.g. cn-hangzhou)",
            shorten(value)
        ),
    ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_of_the_key_day_is_the_x_oss_date() {
        for base in [0i64, 1_702_771_200, 253_402_214_400] {
            let key = SigningKey::derive(
                "sk",
                SigningTime::from_unix_seconds(base).unwrap(),
                "r",
                "oss",
            );
            for offset in [0i64, 1, 59, 60, 3599, 3600, 43_210, 86_399] {
                let t = SigningTime::from_unix_seconds(base + offset).unwrap();
                assert!(key.is_for(t, "r", "oss"));
                assert_eq!(
                    key.x_oss_date_of(t),
                    t.x_oss_date_bytes(),
                    "{base}+{offset}"
                );
            }
            if let Ok(next) = SigningTime::from_unix_seconds(base + 86_400) {
                assert!(!key.is_for(next, "r", "oss"));
            }
        }
    }

    #[test]
    fn hex_array_is_lower_case_hex() {
        let mut bytes = [0u8; 32];
        for start in (0..=255u8).step_by(7) {
            for (i, b) in bytes.iter_mut().enumerate() {
                *b = start.wrapping_add((i as u8).wrapping_mul(37));
            }
            bytes[0] = 0x00;
            bytes[31] = 0xff;
            assert_eq!(&hex_array(&bytes)[..], hex_lower(&bytes).as_bytes());
        }
        for byte in 0..=255u8 {
            let hex = hex_array(&[byte; 32]);
            assert_eq!(&hex[..2], alloc::format!("{byte:02x}").as_bytes());
        }
    }

    #[test]
    fn signing_key_sanity_value_from_the_spec() {
        let t = SigningTime::parse_x_oss_date("20231217T000000Z").unwrap();
        let key = SigningKey::derive("sk", t, "cn-hangzhou", "oss");
        assert_eq!(
            key.key_hex(),
            "0e11d77e422d3484e84ee6b628fdf2a85f3788e1a597f23116b477efb407e94e"
        );
    }
}
