//! HMAC-SHA256 with the key's inner and outer states computed once.
//!
//! A V4 signing key signs every request of a day, so the two compression rounds that absorb
//! the padded key (`key ^ ipad`, `key ^ opad`) are done once when the key is derived. The states
//! are plain arrays, so they can be zeroized when the key is dropped (the `hmac` crate's
//! prepared state cannot be).
//!
//! Each key also remembers the inner state after the **first block** of the last message it
//! signed ([`FirstBlockCache`]): a V4 string to sign starts with 64 bytes that are the same for
//! every signature made in the same second (`OSS4-HMAC-SHA256\n`, the `x-oss-date`, the start
//! of the scope), so consecutive presigns of one second skip one of their SHA-256 compressions.
//! The cache compares the whole block, so a hit is right whatever the message.

use core::sync::atomic::{fence, AtomicU32, AtomicUsize, Ordering};
use sha2::digest::generic_array::GenericArray;
use sha2::digest::typenum::U64;
use zeroize::Zeroize;

const BLOCK: usize = 64;
const WORD: usize = core::mem::size_of::<usize>();
const IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// The SHA-256 states after absorbing `key ^ ipad` and `key ^ opad`.
pub(crate) struct PreparedHmac {
    inner: [u32; 8],
    outer: [u32; 8],
    first_block: FirstBlockCache,
}

impl Clone for PreparedHmac {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner,
            outer: self.outer,
            first_block: FirstBlockCache::new(),
        }
    }
}

impl PreparedHmac {
    /// Prepares a 32-byte key (a V4 signing key is always 32 bytes, shorter than a block).
    pub(crate) fn new(key: &[u8; 32]) -> Self {
        let mut block = [0u8; BLOCK];
        block[..32].copy_from_slice(key);
        let mut ipad = block;
        let mut opad = block;
        for b in ipad.iter_mut() {
            *b ^= 0x36;
        }
        for b in opad.iter_mut() {
            *b ^= 0x5c;
        }
        let mut inner = IV;
        let mut outer = IV;
        compress(&mut inner, &ipad);
        compress(&mut outer, &opad);
        block.zeroize();
        ipad.zeroize();
        opad.zeroize();
        Self {
            inner,
            outer,
            first_block: FirstBlockCache::new(),
        }
    }

    /// HMAC-SHA256 of `data` (inlined into its one caller on the presign path, where a call
    /// of its own cost about 40 instructions more).
    #[inline(always)]
    pub(crate) fn mac(&self, data: &[u8]) -> [u8; 32] {
        let inner_hash = match data.split_first_chunk::<BLOCK>() {
            Some((first, rest)) => {
                let mut state = match self.first_block.get(first) {
                    Some(state) => state,
                    None => {
                        let mut state = self.inner;
                        compress(&mut state, first);
                        self.first_block.put(first, &state);
                        state
                    }
                };
                finish(&mut state, rest, 2 * BLOCK as u64, Wipe::StateOnly)
            }
            None => {
                let mut state = self.inner;
                finish(&mut state, data, BLOCK as u64, Wipe::StateOnly)
            }
        };
        let mut state = self.outer;
        finish(&mut state, &inner_hash, BLOCK as u64, Wipe::StateAndBlock)
    }
}

impl Drop for PreparedHmac {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
        self.first_block.clear();
    }
}

/// The bench floor's HMAC (feature `bench-floor`, `v4::bench_floor`): [`PreparedHmac::mac`]
/// without the first-block cache, so every call pays the compressions of the whole message.
#[cfg(feature = "bench-floor")]
impl PreparedHmac {
    pub(crate) fn mac_uncached(&self, data: &[u8]) -> [u8; 32] {
        let mut state = self.inner;
        let inner_hash = finish(&mut state, data, BLOCK as u64, Wipe::StateOnly);
        let mut state = self.outer;
        finish(&mut state, &inner_hash, BLOCK as u64, Wipe::StateAndBlock)
    }
}

/// The first 64-byte block of the last message a key signed and the inner state after it, shared
/// by the threads that sign with the key.
///
/// A sequence lock made of atomics (the workspace forbids `unsafe`): a writer makes the
/// sequence odd, stores the words and makes it even again; a reader takes the words only if the
/// sequence was even and unchanged across its reads, so it never uses a torn pair. A writer
/// that finds another one at work just leaves the cache alone, and a reader that misses
/// computes the block itself: the cache only ever saves work.
struct FirstBlockCache {
    /// Even when stable, odd while written; 0 while empty.
    seq: AtomicUsize,
    /// The block in machine words (eight on a 64-bit target: half the loads and comparisons
    /// of 32-bit words; 32-bit targets may have no 64-bit atomics).
    block: [AtomicUsize; BLOCK / WORD],
    state: [AtomicU32; 8],
}

impl FirstBlockCache {
    fn new() -> Self {
        Self {
            seq: AtomicUsize::new(0),
            block: core::array::from_fn(|_| AtomicUsize::new(0)),
            state: core::array::from_fn(|_| AtomicU32::new(0)),
        }
    }

    /// The inner state after `block`, if `block` is the cached one.
    fn get(&self, block: &[u8; BLOCK]) -> Option<[u32; 8]> {
        let seq = self.seq.load(Ordering::Acquire);
        if seq == 0 || seq & 1 == 1 {
            return None;
        }
        let mut same = true;
        for (cached, word) in self.block.iter().zip(block.as_chunks::<WORD>().0) {
            same &= cached.load(Ordering::Relaxed) == usize::from_ne_bytes(*word);
        }
        let state: [u32; 8] = core::array::from_fn(|i| self.state[i].load(Ordering::Relaxed));
        fence(Ordering::Acquire);
        (same && self.seq.load(Ordering::Relaxed) == seq).then_some(state)
    }

    /// Remembers `state` as the inner state after `block` (unless another thread is writing).
    fn put(&self, block: &[u8; BLOCK], state: &[u32; 8]) {
        let seq = self.seq.load(Ordering::Relaxed);
        if seq & 1 == 1
            || self
                .seq
                .compare_exchange(
                    seq,
                    seq.wrapping_add(1),
                    Ordering::Acquire,
                    Ordering::Relaxed,
                )
                .is_err()
        {
            return;
        }
        fence(Ordering::Release);
        for (cached, word) in self.block.iter().zip(block.as_chunks::<WORD>().0) {
            cached.store(usize::from_ne_bytes(*word), Ordering::Relaxed);
        }
        for (cached, word) in self.state.iter().zip(state) {
            cached.store(*word, Ordering::Relaxed);
        }
        // Skip 0 (empty) when the count wraps.
        let next = seq.wrapping_add(2);
        self.seq
            .store(if next == 0 { 2 } else { next }, Ordering::Release);
    }

    /// Forgets the cached block and state (they derive from the key).
    fn clear(&mut self) {
        *self.seq.get_mut() = 0;
        for word in &mut self.block {
            *word.get_mut() = 0;
        }
        for word in &mut self.state {
            *word.get_mut() = 0;
        }
    }
}

/// SHA-256 of `data`: the same compression and padding as the HMACs here, without the
/// `digest` crate's generic block buffering (instantiated where it is used, and there, when
/// built for size, copying each block through calls).
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let mut state = IV;
    finish(&mut state, data, 0, Wipe::StateOnly)
}

fn compress(state: &mut [u32; 8], block: &[u8; BLOCK]) {
    let block: &GenericArray<u8, U64> = GenericArray::from_slice(block);
    sha2::compress256(state, core::slice::from_ref(block));
}

/// What [`finish`] wipes besides its result: the state always (it derives from the key); the
/// padded last block only when it holds key-derived bytes (the outer hash's input, the inner
/// hash), not when it holds the tail of the message, which is no more secret than the message's
/// whole blocks (never copied) or the string to sign the caller gets back.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wipe {
    StateOnly,
    StateAndBlock,
}

/// Absorbs `data` into a state that has already absorbed `prefix_len` bytes (a whole number of
/// blocks), pads, and returns the digest.
fn finish(state: &mut [u32; 8], data: &[u8], prefix_len: u64, wipe: Wipe) -> [u8; 32] {
    let mut chunks = data.chunks_exact(BLOCK);
    for chunk in &mut chunks {
        sha2::compress256(
            state,
            core::slice::from_ref(GenericArray::from_slice(chunk)),
        );
    }
    let rest = chunks.remainder();
    let bit_len = (prefix_len + data.len() as u64) * 8;
    let mut block = [0u8; BLOCK];
    block[..rest.len()].copy_from_slice(rest);
    block[rest.len()] = 0x80;
    if rest.len() + 1 > BLOCK - 8 {
        compress(state, &block);
        block = [0u8; BLOCK];
    }
    // Fixed-size stores rather than `copy_from_slice` (which stays a call where the crate is
    // built for size: 3% of a WebAssembly presign at opt-level `s`).
    if let Some(tail) = block.last_chunk_mut::<8>() {
        *tail = bit_len.to_be_bytes();
    }
    compress(state, &block);
    // As slices: `zeroize` fills a slice in bulk behind an optimisation barrier, where an
    // array is written one volatile store per element (64 byte stores for the block).
    if wipe == Wipe::StateAndBlock {
        block[..].zeroize();
    }
    let mut out = [0u8; 32];
    for (chunk, word) in out.as_chunks_mut::<4>().0.iter_mut().zip(state.iter()) {
        *chunk = word.to_be_bytes();
    }
    state[..].zeroize();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sha256_matches_the_sha2_crate(data in prop::collection::vec(any::<u8>(), 0..300)) {
            use sha2::Digest;
            let reference: [u8; 32] = sha2::Sha256::digest(&data).into();
            prop_assert_eq!(sha256(&data), reference);
        }

        #[test]
        fn matches_the_hmac_crate(key in any::<[u8; 32]>(), data in prop::collection::vec(any::<u8>(), 0..300)) {
            let mut reference = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key).unwrap();
            reference.update(&data);
            let expected: [u8; 32] = reference.finalize().into_bytes().into();
            prop_assert_eq!(PreparedHmac::new(&key).mac(&data), expected);
        }
    }

    #[test]
    fn the_first_block_cache_never_changes_a_result() {
        let key = [9u8; 32];
        let prepared = PreparedHmac::new(&key);
        let reference = |data: &[u8]| -> [u8; 32] {
            let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key).unwrap();
            mac.update(data);
            mac.finalize().into_bytes().into()
        };
        // Same first block, different tails; then another first block; then the first again.
        let mut a = alloc::vec![b'a'; 141];
        let mut b = a.clone();
        b[100] = b'b';
        let mut c = a.clone();
        c[63] = b'c';
        a.truncate(64);
        for data in [&a, &b, &b, &c, &b, &a, &c, &c] {
            assert_eq!(prepared.mac(data), reference(data));
        }
        assert_eq!(prepared.clone().mac(&b), reference(&b));
    }

    #[cfg(feature = "std")]
    #[test]
    fn the_first_block_cache_is_shared_by_threads() {
        let key = [3u8; 32];
        let prepared = PreparedHmac::new(&key);
        let messages: alloc::vec::Vec<alloc::vec::Vec<u8>> = (0..4u8)
            .map(|i| (0..150u8).map(|b| b.wrapping_mul(i + 1)).collect())
            .collect();
        let expected: alloc::vec::Vec<[u8; 32]> = messages
            .iter()
            .map(|m| {
                let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key).unwrap();
                mac.update(m);
                mac.finalize().into_bytes().into()
            })
            .collect();
        std::thread::scope(|s| {
            for t in 0..4 {
                let (prepared, messages, expected) = (&prepared, &messages, &expected);
                s.spawn(move || {
                    for round in 0..2_000 {
                        let i = (round + t) % messages.len();
                        assert_eq!(prepared.mac(&messages[i]), expected[i]);
                    }
                });
            }
        });
    }

    #[test]
    fn block_boundaries() {
        let key = [7u8; 32];
        for len in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128] {
            let data = alloc::vec![0xabu8; len];
            let mut reference = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key).unwrap();
            reference.update(&data);
            let expected: [u8; 32] = reference.finalize().into_bytes().into();
            assert_eq!(PreparedHmac::new(&key).mac(&data), expected, "length {len}");
        }
    }
}
