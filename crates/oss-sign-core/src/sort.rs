//! The one sort of the signing code: stable, O(n log n), and in the WebAssembly module
//! compiled once.
//!
//! `core`'s `sort_by`/`sort_unstable_by` are monomorphised for every element type and every
//! comparison closure; the crate's handful of call sites (query parameters, headers, repeated
//! names) cost about 55 KB of the WebAssembly module that way (issue 15). Here the sorting itself
//! is one non-generic function over positions, [`sort_positions`], which calls the comparison
//! through `&dyn Fn`; what stays generic per call site ([`sort_by`]) only builds the position
//! list and moves the elements into the sorted order with swaps. Native builds, where size
//! matters less than speed, use the standard stable sort for [`sort_by`] (the same order).
//!
//! The order is the one `<[T]>::sort_by` gives (stable: equal elements keep their order), so an
//! unstable sort whose comparison breaks every tie gives the same order too.

use alloc::vec::Vec;
use core::cmp::Ordering;

/// Lists up to this long are sorted by insertion alone (the usual request has fewer items).
const INSERTION_ONLY: usize = 32;

/// Longer lists are sorted by insertion in runs of this many, then merged.
const INSERTION_RUN: usize = 16;

/// Positions of up to this many elements are kept on the stack.
#[cfg(any(target_arch = "wasm32", test))]
const POSITIONS_ON_STACK: usize = 32;

/// Sorts `items` by `compare`, stably: the order `<[T]>::sort_by(compare)` gives.
///
/// Natively this is `<[T]>::sort_by` itself: there code size matters little and the sort
/// inlined with its comparison is faster (`presign_ratios`, 2026-12-01: 20 query parameters
/// 3.41-3.48 x floor against 3.55-3.61, 20 headers 3.42-3.44 against 3.56). The WebAssembly module, where each copy of the standard sort costs
/// kilobytes, sorts through [`sort_by_positions`].
#[cfg(not(target_arch = "wasm32"))]
#[inline]
pub(crate) fn sort_by<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    items.sort_by(compare);
}

/// Sorts `items` by `compare`, stably: the order `<[T]>::sort_by(compare)` gives.
#[cfg(target_arch = "wasm32")]
pub(crate) fn sort_by<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    sort_by_positions(items, compare);
}

/// [`sort_by`] through the one non-generic [`sort_positions`]: only the position list and the
/// final permutation are generic.
#[cfg(any(target_arch = "wasm32", test))]
pub(crate) fn sort_by_positions<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    let len = items.len();
    if len < 2 {
        return;
    }
    let mut on_stack = [0usize; POSITIONS_ON_STACK];
    let mut on_heap: Vec<usize>;
    let order: &mut [usize] = if len <= POSITIONS_ON_STACK {
        for (index, slot) in on_stack.iter_mut().enumerate().take(len) {
            *slot = index;
        }
        &mut on_stack[..len]
    } else {
        on_heap = (0..len).collect();
        &mut on_heap
    };
    {
        let items: &[T] = items;
        sort_positions(order, &|a, b| compare(&items[a], &items[b]));
    }
    permute(items, order);
}

/// Sorts the positions in `order` by `compare` (which is given two of them), stably: positions
/// that compare equal keep their order in `order`.
///
/// Insertion sort for short lists (up to [`INSERTION_ONLY`]); longer ones are sorted in runs of
/// [`INSERTION_RUN`] and the runs merged bottom-up through a buffer (O(n log n) comparisons).
pub(crate) fn sort_positions(order: &mut [usize], compare: &dyn Fn(usize, usize) -> Ordering) {
    let len = order.len();
    if len <= INSERTION_ONLY {
        insertion_sort(order, compare);
        return;
    }
    for run in order.chunks_mut(INSERTION_RUN) {
        insertion_sort(run, compare);
    }
    let mut buffer: Vec<usize> = Vec::with_capacity(len);
    let mut width = INSERTION_RUN;
    while width < len {
        buffer.clear();
        let mut start = 0;
        while start < len {
            let middle = (start + width).min(len);
            let end = (start + 2 * width).min(len);
            merge(
                &order[start..middle],
                &order[middle..end],
                &mut buffer,
                compare,
            );
            start = end;
        }
        order.copy_from_slice(&buffer);
        width *= 2;
    }
}

/// Stable insertion sort of a short list of positions.
fn insertion_sort(order: &mut [usize], compare: &dyn Fn(usize, usize) -> Ordering) {
    for next in 1..order.len() {
        let moving = order[next];
        let mut hole = next;
        while hole > 0 && compare(moving, order[hole - 1]) == Ordering::Less {
            order[hole] = order[hole - 1];
            hole -= 1;
        }
        order[hole] = moving;
    }
}

/// Appends the merge of the sorted `left` and `right` to `out`; on ties `left` comes first.
fn merge(
    left: &[usize],
    right: &[usize],
    out: &mut Vec<usize>,
    compare: &dyn Fn(usize, usize) -> Ordering,
) {
    let (mut l, mut r) = (0, 0);
    while l < left.len() && r < right.len() {
        if compare(right[r], left[l]) == Ordering::Less {
            out.push(right[r]);
            r += 1;
        } else {
            out.push(left[l]);
            l += 1;
        }
    }
    out.extend_from_slice(&left[l..]);
    out.extend_from_slice(&right[r..]);
}

/// Reorders `items` so that position `i` holds what was at `order[i]` (a permutation of
/// `0..items.len()`), with swaps along each cycle; `order` is left as `0..items.len()`.
#[cfg(any(target_arch = "wasm32", test))]
fn permute<T>(items: &mut [T], order: &mut [usize]) {
    for start in 0..order.len() {
        let mut hole = start;
        loop {
            let source = order[hole];
            order[hole] = hole;
            if source == start {
                break;
            }
            items.swap(hole, source);
            hole = source;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;
    use alloc::vec;
    use proptest::prelude::*;

    #[test]
    fn equal_elements_keep_their_order() {
        let mut items = [("b", 1), ("a", 2), ("b", 0), ("a", 1)];
        sort_by_positions(&mut items, |x, y| x.0.cmp(y.0));
        assert_eq!(items, [("a", 2), ("a", 1), ("b", 1), ("b", 0)]);
    }

    #[test]
    fn long_lists_are_merged_in_order() {
        // Past the stack and past several insertion runs, with many ties.
        let mut items: Vec<(u32, usize)> =
            (0..1000).map(|i| ((i * 7919) % 13, i as usize)).collect();
        let mut expected = items.clone();
        expected.sort_by_key(|x| x.0);
        sort_by_positions(&mut items, |x, y| x.0.cmp(&y.0));
        assert_eq!(items, expected);
    }

    #[test]
    fn positions_sort_as_given() {
        let keys = [3, 1, 2, 1];
        let mut order = vec![0, 1, 2, 3];
        sort_positions(&mut order, &|a, b| keys[a].cmp(&keys[b]));
        assert_eq!(order, [1, 3, 2, 0]);
    }

    proptest! {
        #[test]
        fn same_order_as_the_standard_stable_sort(
            items in proptest::collection::vec(("[a-c]{0,2}", 0u8..4), 0..200),
        ) {
            let mut ours: Vec<(String, u8)> = items.clone();
            let mut theirs = items;
            sort_by_positions(&mut ours, |x, y| x.0.cmp(&y.0));
            theirs.sort_by(|x, y| x.0.cmp(&y.0));
            prop_assert_eq!(ours, theirs);
        }
    }
}
