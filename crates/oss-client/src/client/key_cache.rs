//! The cache of the V4 signing key: derived once per secret and UTC day, for the region and
//! product of the client's endpoint (fixed when the client is built).

use std::sync::{Arc, RwLock};

use oss_sign_core::{v4, SigningTime};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The most recently derived V4 signing key, with the secret it was derived from.
///
/// The region and product are the cache's own: a client's endpoint never changes, so a key
/// is looked up by secret and day only (no two string comparisons per signature).
pub(super) struct KeyCache {
    region: String,
    product: String,
    slot: RwLock<Option<Arc<CachedKey>>>,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCache").finish_non_exhaustive()
    }
}

pub(crate) struct CachedKey {
    secret: Zeroizing<String>,
    /// The UTC day of the key, in days since 1970 (cheaper to compare than the date text).
    day: i64,
    pub(crate) key: v4::SigningKey,
}

fn utc_day(time: SigningTime) -> i64 {
    time.unix_seconds().div_euclid(86_400)
}

impl CachedKey {
    fn matches(&self, secret: &str, time: SigningTime) -> bool {
        self.day == utc_day(time) && same_secret(self.secret.as_bytes(), secret.as_bytes())
    }
}

/// Equality of two secrets without an early exit: the bytes are XOR-folded branch-free (which
/// the compiler vectorises; `subtle`'s byte-wise `ct_eq` costs about 90 ns on a 36-byte secret,
/// a tenth of a whole presign) and the folded byte is compared with `subtle`.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    bool::from(diff.ct_eq(&0))
}

impl KeyCache {
    /// An empty cache for keys of `region` and `product`.
    pub(super) fn new(region: &str, product: &str) -> Self {
        KeyCache {
            region: region.to_owned(),
            product: product.to_owned(),
            slot: RwLock::new(None),
        }
    }

    pub(super) fn get(&self, secret: &str, time: SigningTime) -> Arc<CachedKey> {
        if let Ok(slot) = self.slot.read() {
            if let Some(cached) = slot.as_ref() {
                if cached.matches(secret, time) {
                    return Arc::clone(cached);
                }
            }
        }
        let fresh = Arc::new(CachedKey {
            secret: Zeroizing::new(secret.to_owned()),
            day: utc_day(time),
            key: v4::SigningKey::derive(secret, time, &self.region, &self.product),
        });
        // A poisoned lock only means another thread panicked while storing; the slot is
        // overwritten either way.
        let mut slot = match self.slot.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *slot = Some(Arc::clone(&fresh));
        fresh
    }

    /// Runs `sign` with the key for these inputs, under the read lock when the cache holds it
    /// (no reference count taken and dropped per signature), else with a fresh key.
    pub(super) fn with<T>(
        &self,
        secret: &str,
        time: SigningTime,
        sign: impl FnOnce(&v4::SigningKey) -> T,
    ) -> T {
        if let Ok(slot) = self.slot.read() {
            if let Some(cached) = slot.as_ref() {
                if cached.matches(secret, time) {
                    return sign(&cached.key);
                }
            }
        }
        let fresh = self.get(secret, time);
        sign(&fresh.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_secret_is_plain_equality() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(same_secret(b"", b""));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
        assert!(!same_secret(b"\x00", b""));
    }
}
