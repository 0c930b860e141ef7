//! Generated objects: deterministic pseudo-random content of any length, never held in memory.

use bytes::Bytes;

/// Length of the repeating block used for generated objects: deliberately not a power of two, so
/// that misplaced parts at MiB-aligned offsets never hold the same bytes.
const PATTERN_BLOCK: usize = (1 << 20) + 13;

/// The CRC-64/XZ of the object
/// [`ObjectStore::put_generated`](crate::ObjectStore::put_generated) makes for `len` and `seed`.
///
/// ```
/// assert_eq!(oss_testserver::generated_crc64(0, 1), 0);
/// ```
pub fn generated_crc64(len: u64, seed: u64) -> u64 {
    crc_of_pattern(&pattern_block(seed), len)
}

/// The bytes [`ObjectStore::put_generated`](crate::ObjectStore::put_generated) serves for
/// `len` and `seed` (for small objects in tests that compare content).
///
/// ```
/// let bytes = oss_testserver::generated_bytes(10, 3);
/// assert_eq!(bytes.len(), 10);
/// assert_eq!(bytes, oss_testserver::generated_bytes(10, 3));
/// ```
pub fn generated_bytes(len: usize, seed: u64) -> Vec<u8> {
    let block = pattern_block(seed);
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        let take = (len - out.len()).min(block.len());
        out.extend_from_slice(&block[..take]);
    }
    out
}

pub(super) fn pattern_block(seed: u64) -> Bytes {
    // xorshift64*: deterministic, fast, good enough to make every offset distinct.
    let mut x = seed ^ 0x9E37_79B9_7F4A_7C15;
    if x == 0 {
        x = 1;
    }
    let mut block = Vec::with_capacity(PATTERN_BLOCK + 8);
    while block.len() < PATTERN_BLOCK {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        block.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    block.truncate(PATTERN_BLOCK);
    Bytes::from(block)
}

pub(super) fn crc_of_pattern(block: &[u8], len: u64) -> u64 {
    let mut crc = crc64fast::Digest::new();
    let mut left = len;
    while left > 0 {
        let take = left.min(block.len() as u64) as usize;
        crc.write(&block[..take]);
        left -= take as u64;
    }
    crc.sum64()
}
