//! CRC-64/XZ (ECMA-182 polynomial, reflected, init and xor-out all ones), the checksum OSS sends
//! in `x-oss-hash-crc64ecma`, plus [`combine`] to join the CRCs of adjacent pieces.
//!
//! The byte-crunching is done by the SIMD implementation of the `crc64fast` crate; combining is
//! the zlib GF(2) matrix method widened to 64 bits, so parts downloaded in parallel can be
//! checked against the whole-object value without reading the file again.
//!
//! ```
//! use oss_transfer::crc64;
//! let whole = crc64::checksum(b"hello world!");
//! assert_eq!(whole, 0x8483C0FA32607D61);
//! let joined = crc64::combine(crc64::checksum(b"hello "), crc64::checksum(b"world!"), 6);
//! assert_eq!(joined, whole);
//! ```

/// The reflected ECMA-182 polynomial.
const POLY_REFLECTED: u64 = 0xC96C_5795_D787_0F42;

/// CRC-64/XZ of `data`.
///
/// ```
/// assert_eq!(oss_transfer::crc64::checksum(b"123456789"), 0x995DC9BBDF1939FA);
/// assert_eq!(oss_transfer::crc64::checksum(b""), 0);
/// ```
pub fn checksum(data: &[u8]) -> u64 {
    let mut d = crc64fast::Digest::new();
    d.write(data);
    d.sum64()
}

/// An incremental CRC-64/XZ.
///
/// ```
/// let mut h = oss_transfer::crc64::Hasher::new();
/// h.update(b"1234");
/// h.update(b"56789");
/// assert_eq!(h.finish(), 0x995DC9BBDF1939FA);
/// ```
#[derive(Clone)]
pub struct Hasher(crc64fast::Digest);

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Hasher({:#018x})", self.0.sum64())
    }
}

impl Default for Hasher {
    fn default() -> Self {
        Self::new()
    }
}

impl Hasher {
    /// A hasher over no bytes yet.
    ///
    /// ```
    /// assert_eq!(oss_transfer::crc64::Hasher::new().finish(), 0);
    /// ```
    pub fn new() -> Self {
        Self(crc64fast::Digest::new())
    }

    /// Feeds bytes.
    ///
    /// ```
    /// let mut h = oss_transfer::crc64::Hasher::new();
    /// h.update(b"abc");
    /// assert_eq!(h.finish(), oss_transfer::crc64::checksum(b"abc"));
    /// ```
    pub fn update(&mut self, data: &[u8]) {
        self.0.write(data);
    }

    /// The CRC of everything fed so far (the hasher can keep going).
    ///
    /// ```
    /// let h = oss_transfer::crc64::Hasher::new();
    /// assert_eq!(h.finish(), 0);
    /// ```
    pub fn finish(&self) -> u64 {
        self.0.sum64()
    }
}

/// The CRC of `A ++ B` from `crc_a = checksum(A)`, `crc_b = checksum(B)` and `len_b = B.len()`.
///
/// ```
/// use oss_transfer::crc64::{checksum, combine};
/// let a = b"first part ";
/// let b = b"second part";
/// assert_eq!(combine(checksum(a), checksum(b), b.len() as u64), checksum(b"first part second part"));
/// assert_eq!(combine(checksum(a), 0, 0), checksum(a));
/// ```
pub fn combine(crc_a: u64, crc_b: u64, len_b: u64) -> u64 {
    if len_b == 0 {
        return crc_a;
    }
    // `odd` is the operator for one zero bit, `even` for two; squaring doubles the count.
    let mut odd = [0u64; 64];
    odd[0] = POLY_REFLECTED;
    let mut row = 1u64;
    for slot in odd.iter_mut().skip(1) {
        *slot = row;
        row <<= 1;
    }
    let mut even = [0u64; 64];
    square(&mut even, &odd); // 2 zero bits
    square(&mut odd, &even); // 4 zero bits

    // Each step squares the operator (the zero bits of one byte, then two, four, ...) into
    // the other buffer and applies it where `len_b` has a one bit; the two buffers swap roles.
    let (mut from, mut to) = (&mut odd, &mut even);
    let mut crc = crc_a;
    let mut len = len_b;
    while len != 0 {
        square(to, from);
        if len & 1 == 1 {
            crc = times(to, crc);
        }
        len >>= 1;
        std::mem::swap(&mut from, &mut to);
    }
    crc ^ crc_b
}

fn times(mat: &[u64; 64], mut vec: u64) -> u64 {
    let mut sum = 0u64;
    let mut i = 0;
    while vec != 0 {
        if vec & 1 == 1 {
            sum ^= mat[i];
        }
        vec >>= 1;
        i += 1;
    }
    sum
}

fn square(out: &mut [u64; 64], mat: &[u64; 64]) {
    for (n, slot) in out.iter_mut().enumerate() {
        *slot = times(mat, mat[n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn check_values_from_the_spec() {
        assert_eq!(checksum(b"123456789"), 11051210869376104954);
        assert_eq!(checksum(b"hello world!"), 0x8483C0FA32607D61);
        assert_eq!(checksum(b""), 0);
    }

    #[test]
    fn agrees_with_the_table_driven_crc_crate() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 31 % 251) as u8).collect();
        let reference = crc::Crc::<u64>::new(&crc::CRC_64_XZ).checksum(&data);
        assert_eq!(checksum(&data), reference);
    }

    proptest! {
        #[test]
        fn combine_equals_sequential(a in proptest::collection::vec(any::<u8>(), 0..3000),
                                     b in proptest::collection::vec(any::<u8>(), 0..3000)) {
            let mut ab = a.clone();
            ab.extend_from_slice(&b);
            prop_assert_eq!(combine(checksum(&a), checksum(&b), b.len() as u64), checksum(&ab));
        }

        #[test]
        fn combine_is_associative_over_three_pieces(
            a in proptest::collection::vec(any::<u8>(), 0..500),
            b in proptest::collection::vec(any::<u8>(), 0..500),
            c in proptest::collection::vec(any::<u8>(), 0..500)) {
            let left = combine(combine(checksum(&a), checksum(&b), b.len() as u64), checksum(&c), c.len() as u64);
            let mut bc = b.clone();
            bc.extend_from_slice(&c);
            let right = combine(checksum(&a), checksum(&bc), bc.len() as u64);
            prop_assert_eq!(left, right);
        }
    }
}
