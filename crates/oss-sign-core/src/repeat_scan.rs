//! The first step of [`first_repeated_name`](crate::first_repeated_name): a one-pass check for
//! a repeated header or query parameter name. Each name is hashed into a small table on the
//! stack as it comes, so the first repeat is met in request order without sorting (issue 17:
//! the sort was about a quarter of what the client added to a presign of 20 headers).
//!
//! It answers exactly what the sort answers (a proptest below compares them), and declines
//! ([`Scan::TooLarge`]) where its table would be too small or the names too long for hashing
//! to pay, so the caller falls back to the sort.

/// Most names the table takes (its 128 slots are then at most half full).
const MAX_ITEMS: usize = 64;
/// Most name bytes hashed in one scan: beyond, the caller's sort, whose comparisons stop at the
/// first differing byte, is the better bound.
const MAX_NAME_BYTES: usize = 4096;
const SLOTS: usize = 128;

/// What a scan found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scan {
    /// Every name is distinct.
    Distinct,
    /// The position of the first name equal to an earlier one.
    Repeat(usize),
    /// Too many names, or too long ones: not scanned.
    TooLarge,
}

/// Finds the first item whose name (`name_of`) repeats an earlier one: case-insensitively (ASCII) when
/// `ignore_ascii_case` (headers), else exactly (query parameters).
pub(crate) fn first_repeat<T>(
    pairs: &[T],
    name_of: &impl Fn(&T) -> &str,
    ignore_ascii_case: bool,
) -> Scan {
    if pairs.len() < 2 {
        return Scan::Distinct;
    }
    if pairs.len() > MAX_ITEMS
        || pairs.iter().map(|p| name_of(p).len()).sum::<usize>() > MAX_NAME_BYTES
    {
        return Scan::TooLarge;
    }
    // slot -> position + 1 (0: empty); the full hash of each position, compared before the
    // names are.
    let mut slots = [0u8; SLOTS];
    let mut hashes = [0u64; MAX_ITEMS];
    for (position, pair) in pairs.iter().enumerate() {
        let name = name_of(pair);
        let hash = name_hash(name.as_bytes(), ignore_ascii_case);
        hashes[position] = hash;
        // The top bits pick the slot: the multiply of the last round mixes into them best.
        let mut slot = (hash >> 57) as usize;
        loop {
            match slots[slot] {
                0 => {
                    // MAX_ITEMS < 256: the position fits.
                    slots[slot] = (position + 1) as u8;
                    break;
                }
                taken => {
                    let earlier = usize::from(taken - 1);
                    if hashes[earlier] == hash
                        && same_name(name_of(&pairs[earlier]), name, ignore_ascii_case)
                    {
                        return Scan::Repeat(position);
                    }
                    slot = (slot + 1) % SLOTS;
                }
            }
        }
    }
    Scan::Distinct
}

#[inline]
fn same_name(a: &str, b: &str, ignore_ascii_case: bool) -> bool {
    if ignore_ascii_case {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

/// A 64-bit hash of `name`, eight bytes a time; with `ignore_ascii_case` every byte is hashed
/// with its `0x20` bit set, so names that differ only in the case of letters hash alike (other
/// bytes that differ only in that bit do too, which costs a comparison, not a wrong answer).
#[inline]
fn name_hash(name: &[u8], ignore_ascii_case: bool) -> u64 {
    const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;
    let fold = if ignore_ascii_case {
        0x2020_2020_2020_2020
    } else {
        0
    };
    let mut hash = name.len() as u64;
    let mut mix = |word: u64| {
        hash = (hash ^ (word | fold)).wrapping_mul(MULTIPLIER);
        hash ^= hash >> 29;
    };
    if name.len() < 8 {
        // Short: the bytes shifted into one word (no copy of a variable length).
        let word = name
            .iter()
            .fold(0u64, |word, &b| (word << 8) | u64::from(b));
        // Only the name's own bytes get the case bit.
        let fold_mask = u64::MAX
            .checked_shr(64 - 8 * name.len() as u32)
            .unwrap_or(0);
        hash = (hash ^ (word | (fold & fold_mask))).wrapping_mul(MULTIPLIER);
    } else {
        // Arrays, not `chunks_exact`, whose `next` stays a call where the crate is built for
        // size.
        let (chunks, tail) = name.as_chunks::<8>();
        for chunk in chunks {
            mix(u64::from_le_bytes(*chunk));
        }
        if !tail.is_empty() {
            // The last eight bytes, overlapping the last whole word: a function of the name
            // all the same.
            mix(word(&name[name.len() - 8..]));
        }
    }
    hash.wrapping_mul(MULTIPLIER)
}

/// Eight bytes as a word (`bytes` holds exactly eight).
#[inline]
fn word(bytes: &[u8]) -> u64 {
    // An 8-byte load, whatever the optimisation level (`copy_from_slice` stays a call where
    // the crate is built for size).
    bytes
        .first_chunk::<8>()
        .map_or(0, |word| u64::from_le_bytes(*word))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::borrow::ToOwned;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    fn pairs(names: &[String]) -> Vec<(&str, &str)> {
        names.iter().map(|n| (n.as_str(), "v")).collect()
    }

    fn first_repeat(list: &[(&str, &str)], ignore_ascii_case: bool) -> Scan {
        super::first_repeat(list, &|p: &(&str, &str)| p.0, ignore_ascii_case)
    }

    fn by_sorting(list: &[(&str, &str)], ignore_ascii_case: bool) -> Scan {
        match crate::request::repeat_by_sorting(list, |p| p.0, ignore_ascii_case) {
            Some(at) => Scan::Repeat(at),
            None => Scan::Distinct,
        }
    }

    #[test]
    fn the_first_repeat_by_position_any_case_for_headers() {
        let names: Vec<String> = ["z", "b", "Z", "B"].map(String::from).to_vec();
        assert_eq!(first_repeat(&pairs(&names), true), Scan::Repeat(2));
        assert_eq!(first_repeat(&pairs(&names), false), Scan::Distinct);
        let names: Vec<String> = ["x-oss-meta-a", "Content-Type", "X-OSS-META-A"]
            .map(String::from)
            .to_vec();
        assert_eq!(first_repeat(&pairs(&names), true), Scan::Repeat(2));
        // `@` and `` ` `` differ only in the case bit: same hash, different names.
        let names: Vec<String> = ["a@", "a`", "A@"].map(String::from).to_vec();
        assert_eq!(first_repeat(&pairs(&names), true), Scan::Repeat(2));
        assert_eq!(first_repeat(&pairs(&names[..2]), true), Scan::Distinct);
    }

    #[test]
    fn too_many_or_too_long_names_are_left_to_the_sort() {
        let many: Vec<String> = (0..=MAX_ITEMS).map(|i| format!("n{i}")).collect();
        assert_eq!(first_repeat(&pairs(&many), false), Scan::TooLarge);
        assert_eq!(
            first_repeat(&pairs(&many[..MAX_ITEMS]), false),
            Scan::Distinct
        );
        let long = alloc::vec!["a".repeat(MAX_NAME_BYTES), "b".to_owned()];
        assert_eq!(first_repeat(&pairs(&long), true), Scan::TooLarge);
        assert_eq!(first_repeat(&pairs(&long[..1]), true), Scan::Distinct);
    }

    #[test]
    fn a_full_table_of_distinct_names() {
        // 64 names whose hashes share their top bits as often as chance has it: the probing
        // wraps around the table and still finds every repeat.
        let mut names: Vec<String> = (0..MAX_ITEMS - 1).map(|i| format!("h-{i:03}")).collect();
        assert_eq!(first_repeat(&pairs(&names), true), Scan::Distinct);
        names.push("H-017".to_owned());
        assert_eq!(
            first_repeat(&pairs(&names), true),
            Scan::Repeat(MAX_ITEMS - 1)
        );
    }

    proptest::proptest! {
        #[test]
        fn answers_what_the_sort_answers(
            names in proptest::collection::vec(
                proptest::sample::select(alloc::vec![
                    "a", "A", "b", "", "x-oss-meta-k", "X-Oss-Meta-K", "x-oss-meta-kk",
                    "content-type-long-enough", "Content-Type-Long-Enough", "a@", "a`", "caf\u{e9}",
                ]),
                0..70,
            ),
        ) {
            let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
            let list = pairs(&names);
            for ignore in [true, false] {
                let fast = first_repeat(&list, ignore);
                if fast != Scan::TooLarge {
                    proptest::prop_assert_eq!(fast, by_sorting(&list, ignore));
                }
            }
        }
    }
}
