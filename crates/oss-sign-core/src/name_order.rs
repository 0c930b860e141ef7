//! Header and query names ordered and compared eight bytes at a time (query names and values
//! in the order of their encoded forms, [`cmp_encoded`]).
//!
//! Each step loads eight bytes of both names as big-endian words (the last, partial word
//! padded with zero bytes), so one integer comparison orders them as their bytes would; ASCII
//! upper-case letters are lowered in the word itself (a few shifts and masks for eight bytes).
//! Padding with zeros keeps the order exact: where the shorter name ends, a non-zero byte of the
//! longer one compares greater, and a zero byte compares equal, leaving the length to decide.

use core::cmp::Ordering;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The eight bytes at `at` as one little-endian word, or zero when fewer remain.
#[inline]
pub(crate) fn word_at(bytes: &[u8], at: usize) -> u64 {
    // An 8-byte load, whatever the optimisation level (`copy_from_slice` stays a call where
    // the crate is built for size).
    bytes
        .get(at..)
        .and_then(<[u8]>::first_chunk::<8>)
        .map_or(0, |word| u64::from_le_bytes(*word))
}

/// The bytes from `at` on as a big-endian word: the first eight, or all that remain followed by
/// zero bytes.
#[inline]
fn padded_word(bytes: &[u8], at: usize) -> u64 {
    match bytes.get(at..).and_then(<[u8]>::first_chunk::<8>) {
        Some(eight) => u64::from_be_bytes(*eight),
        // The last eight bytes, shifted so that those before `at` drop out.
        None if bytes.len() >= 8 && at < bytes.len() => {
            let last = bytes.len() - 8;
            word_at(bytes, last).swap_bytes() << (8 * (at - last))
        }
        None => {
            let rest = bytes.get(at..).unwrap_or(&[]);
            let mut word = 0u64;
            for (i, &b) in rest.iter().take(8).enumerate() {
                word |= u64::from(b) << (56 - 8 * i);
            }
            word
        }
    }
}

/// `0x80` in every byte of `word` that is an ASCII upper-case letter.
#[inline]
fn upper_case_bytes(word: u64) -> u64 {
    // With the high bits cleared no byte carries into the next: 0x7f + 0x3f < 0x100.
    let low7 = word & !HIGHS;
    let from_a = low7 + (0x80 - u64::from(b'A')) * ONES;
    let past_z = low7 + (0x80 - u64::from(b'Z') - 1) * ONES;
    from_a & !past_z & !word & HIGHS
}

/// `word` with its ASCII upper-case letters lowered.
#[inline]
fn lower_word(word: u64) -> u64 {
    word | (upper_case_bytes(word) >> 2)
}

/// Whether `bytes` holds an ASCII upper-case letter.
pub(crate) fn has_upper_case(bytes: &[u8]) -> bool {
    // Arrays, not `chunks_exact`, whose `next` stays a call where the crate is built for size.
    let (chunks, _) = bytes.as_chunks::<8>();
    if chunks
        .iter()
        .any(|eight| upper_case_bytes(u64::from_le_bytes(*eight)) != 0)
    {
        return true;
    }
    // The tail: the last eight bytes (overlapping bytes already looked at), or all of a short
    // name.
    match bytes.len().checked_sub(8) {
        _ if bytes.len().is_multiple_of(8) => false,
        Some(last) => upper_case_bytes(word_at(bytes, last)) != 0,
        None => upper_case_bytes(padded_word(bytes, 0)) != 0,
    }
}

/// `(!has_upper_case(name), cmp_bytes(last, name))` for a lower-case `last`, with the
/// upper-case test starting where the order comparison stopped: the bytes of `name` before
/// its first difference from `last` are `last`'s, so none is upper-case, and the test's words
/// may reach back into them (a 19-byte `x-oss-meta-field-01` after `-00`: one word, not three).
#[inline]
pub(crate) fn lower_and_order(last: &str, name: &str) -> (bool, Ordering) {
    let (a, b) = (last.as_bytes(), name.as_bytes());
    let (order, from) = match first_word_difference(a, b) {
        Some(at) => (a.get(at).cmp(&b.get(at)), at),
        None => (a.len().cmp(&b.len()), a.len().min(b.len())),
    };
    let lower = match b.len().checked_sub(8) {
        // The difference within the last eight bytes (the usual case): one word.
        Some(last) if from >= last => upper_case_bytes(word_at(b, last)) == 0,
        _ => !has_upper_case(b.get(from..).unwrap_or(&[])),
    };
    (lower, order)
}

/// Orders header names as their lower-case forms would sort, without building those forms.
pub(crate) fn cmp_lowercase(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let common = a.len().min(b.len());
    let mut at = 0;
    while at < common {
        let (x, y) = (
            lower_word(padded_word(a, at)),
            lower_word(padded_word(b, at)),
        );
        if x != y {
            return x.cmp(&y);
        }
        at += 8;
    }
    a.len().cmp(&b.len())
}

/// Byte order of `a` and `b` (what `a.cmp(b)` gives), without a `memcmp` call (names are
/// short and share prefixes): the first differing byte decides, else the length.
pub(crate) fn cmp_bytes(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    match first_word_difference(a, b) {
        Some(at) => a.get(at).cmp(&b.get(at)),
        None => a.len().cmp(&b.len()),
    }
}

/// Whether two header names are equal ignoring ASCII case; `both_lower` says that neither has
/// an upper-case letter. The last eight bytes are compared first: names that differ mostly
/// differ at the end (`x-oss-meta-field-01`, `x-oss-meta-field-02`).
pub(crate) fn same_name(a: &str, b: &str, both_lower: bool) -> bool {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() != y.len() {
        return false;
    }
    if let Some(last) = x.len().checked_sub(8) {
        let (p, q) = (word_at(x, last), word_at(y, last));
        let (p, q) = if both_lower {
            (p, q)
        } else {
            (lower_word(p), lower_word(q))
        };
        if p != q {
            return false;
        }
    }
    if both_lower {
        cmp_bytes(a, b).is_eq()
    } else {
        cmp_lowercase(a, b).is_eq()
    }
}

/// Where a raw byte sorts once encoded: a literal byte as itself, an escaped one as `%` followed
/// by its two upper-case hex digits (which sort like the byte). Comparing these keys byte by
/// byte orders raw strings exactly as their encoded forms would sort.
#[inline]
pub(crate) fn encoded_key(byte: u8) -> u16 {
    ENCODED_KEYS[usize::from(byte)]
}

/// [`encoded_key`] of every byte: one load where a test and a select were.
const ENCODED_KEYS: [u16; 256] = {
    let mut keys = [0u16; 256];
    let mut byte = 0;
    while byte < 256 {
        keys[byte] = if crate::encode_buf::QUERY_LITERAL[byte] {
            (byte as u16) << 8
        } else {
            0x2500 | byte as u16
        };
        byte += 1;
    }
    keys
};

/// Orders two raw query names or values as their encoded forms sort, without encoding them:
/// equal raw bytes encode equally, and the first differing byte decides. The first difference
/// is looked for eight bytes at a time (names share prefixes: `param-01`, `param-02`).
pub(crate) fn cmp_encoded(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    match first_difference(a, b) {
        Some(at) => encoded_key(a[at]).cmp(&encoded_key(b[at])),
        None => a.len().cmp(&b.len()),
    }
}

/// Whether the query pair `a` sorts before `b` or equals it (what
/// `cmp_encoded(a.0, b.0).then_with(|| cmp_encoded(a.1, b.1)).is_le()` gives), for the
/// sortedness check of the caller's parameters: names of eight bytes or more that differ in
/// their first eight (`param-01`, `param-02`) are ordered by one word comparison and two
/// loads of the key table, without the general loop's setup.
#[inline]
pub(crate) fn query_pair_le(a: &(&str, &str), b: &(&str, &str)) -> bool {
    let (x, y) = (a.0.as_bytes(), b.0.as_bytes());
    if let (Some(x), Some(y)) = (x.first_chunk::<8>(), y.first_chunk::<8>()) {
        let diff = u64::from_le_bytes(*x) ^ u64::from_le_bytes(*y);
        if diff != 0 {
            // Little-endian: the lowest differing bit is in the first differing byte (0..8).
            let at = (diff.trailing_zeros() / 8) as usize & 7;
            // Different bytes have different keys (the encoding is injective).
            return encoded_key(x[at]) < encoded_key(y[at]);
        }
    }
    cmp_encoded(a.0, b.0)
        .then_with(|| cmp_encoded(a.1, b.1))
        .is_le()
}

/// The first position where `a` and `b` differ, within the shorter one (the last bytes one at
/// a time: short query names and values).
fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    let common = a.len().min(b.len());
    let mut at = 0;
    while at + 8 <= common {
        // Little-endian words: the lowest differing bit is in the first differing byte.
        let diff = word_at(a, at) ^ word_at(b, at);
        if diff != 0 {
            return Some(at + (diff.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    (at..common).find(|&i| a[i] != b[i])
}

/// [`first_difference`] with the last (partial) step as the last eight common bytes, which
/// overlap bytes already found equal, so its first difference is the first of all: header
/// names (`x-oss-meta-field-01`) take three word steps and no byte loop.
fn first_word_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    let common = a.len().min(b.len());
    let differ = |at: usize| {
        let diff = word_at(a, at) ^ word_at(b, at);
        (diff != 0).then(|| at + (diff.trailing_zeros() / 8) as usize)
    };
    let mut at = 0;
    while at + 8 <= common {
        if let Some(found) = differ(at) {
            return Some(found);
        }
        at += 8;
    }
    if at == common {
        return None;
    }
    match common.checked_sub(8) {
        Some(last) => differ(last),
        None => (at..common).find(|&i| a.get(i) != b.get(i)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn word_orders_are_the_byte_orders(
            a in "([xX]-[oO]ss-meta-)?[a-cA-C\0@\\[`{Zz~-]{0,20}",
            b in "([xX]-[oO]ss-meta-)?[a-cA-C\0@\\[`{Zz~-]{0,20}",
            wide in any::<(String, String)>(),
        ) {
            for (a, b) in [(a.as_str(), b.as_str()), (wide.0.as_str(), wide.1.as_str()), (a.as_str(), a.as_str())] {
                let (la, lb) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
                prop_assert_eq!(cmp_bytes(a, b), a.cmp(b));
                prop_assert_eq!(cmp_lowercase(a, b), la.cmp(&lb));
                prop_assert_eq!(same_name(a, b, false), la == lb);
                let lower = !has_upper_case(a.as_bytes()) && !has_upper_case(b.as_bytes());
                prop_assert_eq!(lower, la == a && lb == b);
                if lower {
                    prop_assert_eq!(same_name(a, b, true), a == b);
                }
                // The fused test after a lower-case name against the two general ones.
                let after = lower_and_order(&la, b);
                prop_assert_eq!(after, (!has_upper_case(b.as_bytes()), cmp_bytes(&la, b)));
                let after = lower_and_order(&lb, a);
                prop_assert_eq!(after, (!has_upper_case(a.as_bytes()), cmp_bytes(&lb, a)));
                // Long shared prefixes: the difference in the last word.
                for tail in ["Z", "z", "-0Z", "aB"] {
                    let next = la.clone() + tail;
                    let after = lower_and_order(&la, &next);
                    prop_assert_eq!(after, (!has_upper_case(next.as_bytes()), cmp_bytes(&la, &next)));
                }
            }
        }
    }

    proptest! {
        /// The sortedness check's pair order against the general comparison.
        #[test]
        fn query_pair_order_is_the_general_one(
            a in ("(param-|x-oss-)?[a-c%~ /.-]{0,10}", "[a-c%~ /.-]{0,10}"),
            b in ("(param-|x-oss-)?[a-c%~ /.-]{0,10}", "[a-c%~ /.-]{0,10}"),
            wide in any::<((String, String), (String, String))>(),
        ) {
            let (wa, wb) = (&wide.0, &wide.1);
            for (a, b) in [
                ((a.0.as_str(), a.1.as_str()), (b.0.as_str(), b.1.as_str())),
                ((wa.0.as_str(), wa.1.as_str()), (wb.0.as_str(), wb.1.as_str())),
                ((a.0.as_str(), a.1.as_str()), (a.0.as_str(), b.1.as_str())),
            ] {
                let general = cmp_encoded(a.0, b.0).then_with(|| cmp_encoded(a.1, b.1)).is_le();
                prop_assert_eq!(query_pair_le(&a, &b), general);
                let general = cmp_encoded(b.0, a.0).then_with(|| cmp_encoded(b.1, a.1)).is_le();
                prop_assert_eq!(query_pair_le(&b, &a), general);
            }
        }
    }

    #[test]
    fn every_byte_lowers_like_to_ascii_lowercase() {
        for byte in 0..=255u8 {
            let word = u64::from_be_bytes([byte, b'a', byte, b'Z', 0, 0xff, byte, b'@']);
            let expected = u64::from_be_bytes(
                [byte, b'a', byte, b'Z', 0, 0xff, byte, b'@'].map(|b| b.to_ascii_lowercase()),
            );
            assert_eq!(lower_word(word), expected, "{byte:#x}");
        }
    }
}
