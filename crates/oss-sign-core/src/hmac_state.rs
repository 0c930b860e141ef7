//! HMAC-SHA256 with the key's inner and outer states computed once.
//!
//! A V4 signing key signs every request of a day, so the two compression rounds that absorb
//! the padded key (`key ^ ipad`, `key ^ opad`) are done once when the key is derived. The states
//! are plain arrays, so they can be zeroized when the key is dropped (the `hmac` crate's
//! prepared state cannot be).

use sha2::digest::generic_array::GenericArray;
use sha2::digest::typenum::U64;
use zeroize::Zeroize;

const BLOCK: usize = 64;
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
#[derive(Clone)]
pub(crate) struct PreparedHmac {
    inner: [u32; 8],
    outer: [u32; 8],
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
        Self { inner, outer }
    }

    /// HMAC-SHA256 of `data`.
    pub(crate) fn mac(&self, data: &[u8]) -> [u8; 32] {
        let mut state = self.inner;
        let inner_hash = finish(&mut state, data, BLOCK as u64);
        let mut state = self.outer;
        finish(&mut state, &inner_hash, BLOCK as u64)
    }
}

impl Drop for PreparedHmac {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

fn compress(state: &mut [u32; 8], block: &[u8; BLOCK]) {
    let block: &GenericArray<u8, U64> = GenericArray::from_slice(block);
    sha2::compress256(state, core::slice::from_ref(block));
}

/// Absorbs `data` into a state that has already absorbed `prefix_len` bytes (a whole number of
/// blocks), pads, and returns the digest.
fn finish(state: &mut [u32; 8], data: &[u8], prefix_len: u64) -> [u8; 32] {
    let mut chunks = data.chunks_exact(BLOCK);
    for chunk in &mut chunks {
        let mut block = [0u8; BLOCK];
        block.copy_from_slice(chunk);
        compress(state, &block);
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
    block[BLOCK - 8..].copy_from_slice(&bit_len.to_be_bytes());
    compress(state, &block);
    block.zeroize();
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(4).zip(state.iter()) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    state.zeroize();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn matches_the_hmac_crate(key in any::<[u8; 32]>(), data in prop::collection::vec(any::<u8>(), 0..300)) {
            let mut reference = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key).unwrap();
            reference.update(&data);
            let expected: [u8; 32] = reference.finalize().into_bytes().into();
            prop_assert_eq!(PreparedHmac::new(&key).mac(&data), expected);
        }
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
