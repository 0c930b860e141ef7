//! The cache of the V4 signing key: derived once per secret and UTC day, for the region and
//! product of the client's endpoint (fixed when the client is built).

use std::sync::{Arc, RwLock, RwLockReadGuard};

use oss_credentials::Credentials;
use oss_sign_core::{v4, SigningTime};
use subtle::ConstantTimeEq;

/// The most recently derived V4 signing key, with the secret it was derived from.
///
/// The region and product are the cache's own: a client's endpoint never changes, so a key
/// is looked up by secret and day only (no two string comparisons per signature).
pub(super) struct KeyCache {
    region: String,
    product: String,
    slot: RwLock<Slot>,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCache").finish_non_exhaustive()
    }
}

/// What the read lock guards: the cached key and, beside the lock word (on the cache line the
/// lock's atomic operation has just brought in), what a look-up compares: the key's day and
/// where its secret's bytes are. The usual look-up so reads no pointer before it knows the key
/// is the one (the key itself, behind its `Arc`, is loaded in parallel).
pub(super) struct Slot {
    /// [`CachedKey::day_start`] of `cached` (0 while empty: no signing time is in 1970's
    /// first day and also matches an empty slot, since `cached` is `None` then).
    day_start: i64,
    /// The address and length of `cached`'s secret (0 and 0 while empty; a `&str`'s address
    /// is never 0, so no credentials match an empty slot).
    secret_at: usize,
    secret_len: usize,
    cached: Option<Arc<CachedKey>>,
}

impl Slot {
    const EMPTY: Slot = Slot {
        day_start: 0,
        secret_at: 0,
        secret_len: 0,
        cached: None,
    };

    fn holding(cached: Arc<CachedKey>) -> Self {
        let secret = cached.credentials.access_key_secret();
        Slot {
            day_start: cached.day_start,
            secret_at: secret.as_ptr() as usize,
            secret_len: secret.len(),
            cached: Some(cached),
        }
    }

    /// The cached key, if it is the one for `credentials` at `time`.
    #[inline(always)]
    fn matching(&self, credentials: &Credentials, time: SigningTime) -> Option<&Arc<CachedKey>> {
        // Signing times are between 1970 and 9999: no overflow; before `day_start` wraps to
        // a large number.
        if time.unix_seconds().wrapping_sub(self.day_start) as u64 >= DAY as u64 {
            return None;
        }
        let given = credentials.access_key_secret();
        let cached = self.cached.as_ref()?;
        // The same bytes in memory (held alive by the cached credentials, which never change):
        // the same secret. Else the bytes are compared.
        ((given.as_ptr() as usize == self.secret_at && given.len() == self.secret_len)
            || same_secret(
                cached.credentials.access_key_secret().as_bytes(),
                given.as_bytes(),
            ))
        .then_some(cached)
    }
}

pub(crate) struct CachedKey {
    /// The credentials the key was derived from (a clone: one shared count, no copy of the
    /// secret). Holding them keeps their secret's bytes where they are, so credentials whose
    /// secret is at the same address and of the same length are these credentials (or a clone
    /// of them): the usual case, static credentials, is recognised without reading the secret.
    credentials: Credentials,
    /// The first second of the key's UTC day, in seconds since 1970: an instant is of that
    /// day when it is less than a day after it (one subtraction and one comparison; no
    /// division by 86,400 per signature, nor a comparison of the date text).
    day_start: i64,
    pub(crate) key: v4::SigningKey,
}

/// Seconds in a UTC day.
const DAY: i64 = 86_400;

/// The first second of `time`'s UTC day.
#[inline]
fn utc_day_start(time: SigningTime) -> i64 {
    time.unix_seconds().div_euclid(DAY) * DAY
}

/// Equality of two secrets without an early exit: the bytes are XOR-folded branch-free (which
/// the compiler vectorises; `subtle`'s byte-wise `ct_eq` costs about 90 ns on a 36-byte secret,
/// a tenth of a whole presign) and the folded byte is compared with `subtle`.
#[inline]
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
            slot: RwLock::new(Slot::EMPTY),
        }
    }

    pub(super) fn get(&self, credentials: &Credentials, time: SigningTime) -> Arc<CachedKey> {
        if let Ok(slot) = self.slot.read() {
            if let Some(cached) = slot.matching(credentials, time) {
                return Arc::clone(cached);
            }
        }
        let secret = credentials.access_key_secret();
        let fresh = Arc::new(CachedKey {
            credentials: credentials.clone(),
            day_start: utc_day_start(time),
            key: v4::SigningKey::derive(secret, time, &self.region, &self.product),
        });
        // A poisoned lock only means another thread panicked while storing; the slot is
        // overwritten either way.
        let mut slot = match self.slot.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *slot = Slot::holding(Arc::clone(&fresh));
        fresh
    }

    /// The key for these inputs: read under the read lock when the cache holds it (no
    /// reference count taken and dropped per signature; the lock is held as long as the
    /// [`KeyRef`]), else a fresh key.
    #[inline(always)]
    pub(super) fn lookup(&self, credentials: &Credentials, time: SigningTime) -> KeyRef<'_> {
        if let Ok(slot) = self.slot.read() {
            if slot.matching(credentials, time).is_some() {
                return KeyRef::Cached(slot);
            }
        }
        self.fresh(credentials, time)
    }

    /// [`lookup`](Self::lookup) when the cache holds another key (once a day): out of line, so
    /// the usual look-up is a few instructions in its caller.
    #[cold]
    #[inline(never)]
    fn fresh(&self, credentials: &Credentials, time: SigningTime) -> KeyRef<'_> {
        KeyRef::Fresh(self.get(credentials, time))
    }
}

/// A signing key looked up by [`KeyCache::lookup`]: the cache's, under its read lock, or a
/// fresh one. Signing with it is straight-line code in the caller (no closure to call, no
/// result to hand back through it).
pub(super) enum KeyRef<'c> {
    Cached(RwLockReadGuard<'c, Slot>),
    Fresh(Arc<CachedKey>),
}

impl KeyRef<'_> {
    /// The key (`None` only if the slot were empty, which a cached look-up never leaves it).
    #[inline]
    pub(super) fn key(&self) -> Option<&v4::SigningKey> {
        match self {
            KeyRef::Cached(slot) => slot.cached.as_deref().map(|cached| &cached.key),
            KeyRef::Fresh(fresh) => Some(&fresh.key),
        }
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

    /// A key is reused for the same credentials (a clone, or other credentials with the same
    /// secret) on the same day, and derived again for another secret or day.
    #[test]
    fn keys_by_secret_and_day() {
        let cache = KeyCache::new("cn-hangzhou", "oss");
        let at = |s| SigningTime::from_unix_seconds(s).unwrap_or_else(|e| panic!("{e}"));
        let creds =
            |id: &str, secret: &str| Credentials::new(id, secret).unwrap_or_else(|e| panic!("{e}"));
        let a = creds("id", "secret-a");
        let first = cache.get(&a, at(86_400));
        assert!(Arc::ptr_eq(
            &first,
            &cache.get(&a.clone(), at(86_400 + 3600))
        ));
        assert!(Arc::ptr_eq(
            &first,
            &cache.get(&creds("other", "secret-a"), at(86_400))
        ));
        for (credentials, time) in [
            (creds("id", "secret-b"), at(86_400)),
            (creds("id", "secret-a"), at(2 * 86_400)),
            (creds("id", "secret-"), at(2 * 86_400)),
        ] {
            let key = cache.get(&credentials, time);
            assert!(!Arc::ptr_eq(&first, &key));
            let expected =
                v4::SigningKey::derive(credentials.access_key_secret(), time, "cn-hangzhou", "oss");
            let sign = |k: &v4::SigningKey| {
                let params = v4::PresignParams::new("id", "cn-hangzhou", time, 60);
                v4::presign(&oss_sign_core::SignableRequest::new("GET"), &params, k)
                    .map(|p| p.signature().to_owned())
                    .unwrap_or_else(|e| panic!("{e}"))
            };
            assert_eq!(sign(&key.key), sign(&expected));
            let looked_up = cache.lookup(&credentials, time);
            assert!(matches!(looked_up, KeyRef::Cached(_)));
            assert_eq!(looked_up.key().map(sign), Some(sign(&expected)));
        }
    }

    /// Threads looking keys up while others make the cache change its key (another secret,
    /// another day) always sign with the key derived afresh for their own inputs.
    #[test]
    fn lookups_under_threads_changing_the_key() {
        let cache = KeyCache::new("cn-hangzhou", "oss");
        let at = |s| SigningTime::from_unix_seconds(s).unwrap_or_else(|e| panic!("{e}"));
        let inputs: Vec<(Credentials, SigningTime)> = (0..4)
            .map(|i| {
                let credentials = Credentials::new("id", format!("secret-{}", i % 2))
                    .unwrap_or_else(|e| panic!("{e}"));
                (credentials, at(86_400 * (1 + i / 2) + 7))
            })
            .collect();
        let sign = |k: &v4::SigningKey, time: SigningTime| {
            let params = v4::PresignParams::new("id", "cn-hangzhou", time, 60);
            v4::presign(&oss_sign_core::SignableRequest::new("GET"), &params, k)
                .map(|p| p.signature().to_owned())
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let expected: Vec<String> = inputs
            .iter()
            .map(|(credentials, time)| {
                let key = v4::SigningKey::derive(
                    credentials.access_key_secret(),
                    *time,
                    "cn-hangzhou",
                    "oss",
                );
                sign(&key, *time)
            })
            .collect();
        std::thread::scope(|scope| {
            for thread in 0..4 {
                let (cache, inputs, expected) = (&cache, &inputs, &expected);
                scope.spawn(move || {
                    for round in 0..300 {
                        // Each thread keeps to one input for a few rounds, then moves on: the
                        // cached key changes under the others' look-ups.
                        let which = (thread + round / 7) % inputs.len();
                        let (credentials, time) = &inputs[which];
                        let looked_up = cache.lookup(credentials, *time);
                        let signature = looked_up.key().map(|key| sign(key, *time));
                        // The read lock released before `get` may take the write lock.
                        drop(looked_up);
                        assert_eq!(signature.as_ref(), Some(&expected[which]));
                        // A clone of the credentials (the same secret bytes) finds the same key.
                        let clone = credentials.clone();
                        assert_eq!(sign(&cache.get(&clone, *time).key, *time), expected[which]);
                    }
                });
            }
        });
    }
}
