//! The object's geometry (size, part size, ETag) and the lazy plan of the segments still to
//! fetch.

use std::collections::{BTreeMap, BTreeSet};

use crate::crc64;

/// Size and version of the object being downloaded.
#[derive(Debug, Clone)]
pub(super) struct Geometry {
    pub(super) size: u64,
    pub(super) part_size: u64,
    pub(super) etag: Option<String>,
}

impl Geometry {
    pub(super) fn parts(&self) -> u64 {
        self.size.div_ceil(self.part_size)
    }
    pub(super) fn part_range(&self, i: u64) -> (u64, u64) {
        let s = i * self.part_size;
        (s, (s + self.part_size).min(self.size))
    }
}

/// A contiguous byte range `[start, end)` fetched by one worker, on part boundaries.
#[derive(Debug, Clone, Copy)]
pub(super) struct Segment {
    pub(super) start: u64,
    pub(super) end: u64,
}

/// The segments still to fetch, made one at a time as workers free up: one per part when
/// parallel, maximal runs of missing parts otherwise. Its memory does not grow with the number
/// of parts (a number the server chose); it holds only the parts already on disk.
pub(super) struct Plan {
    size: u64,
    part_size: u64,
    parts: u64,
    next: u64,
    parallel: bool,
    kept: BTreeSet<u64>,
}

impl Plan {
    pub(super) fn new(geo: &Geometry, kept: BTreeSet<u64>, parallel: bool) -> Self {
        Self {
            size: geo.size,
            part_size: geo.part_size,
            parts: geo.parts(),
            next: 0,
            parallel,
            kept,
        }
    }
}

impl Iterator for Plan {
    type Item = Segment;

    fn next(&mut self) -> Option<Segment> {
        while self.next < self.parts && self.kept.contains(&self.next) {
            self.next += 1;
        }
        if self.next >= self.parts {
            return None;
        }
        let first = self.next;
        self.next += 1;
        if !self.parallel {
            while self.next < self.parts && !self.kept.contains(&self.next) {
                self.next += 1;
            }
        }
        Some(Segment {
            start: first * self.part_size,
            end: (self.next * self.part_size).min(self.size),
        })
    }
}

pub(super) fn combined_crc(geo: &Geometry, parts: &BTreeMap<u64, u64>) -> u64 {
    parts.iter().fold(0, |crc, (&i, &part_crc)| {
        let (start, end) = geo.part_range(i);
        crc64::combine(crc, part_crc, end - start)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geo(size: u64, part_size: u64) -> Geometry {
        Geometry {
            size,
            part_size,
            etag: None,
        }
    }

    #[test]
    fn the_plan_is_lazy_even_for_an_astronomical_number_of_parts() {
        let g = geo(1 << 62, 64 << 10);
        let mut plan = Plan::new(&g, BTreeSet::new(), true);
        let first: Vec<Segment> = plan.by_ref().take(3).collect();
        assert_eq!(first[2].start, 2 * (64 << 10));
        assert_eq!(first[2].end, 3 * (64 << 10));
    }

    #[test]
    fn the_plan_skips_kept_parts_and_merges_runs_when_sequential() {
        let g = geo(10 * 4 + 1, 4);
        let kept: BTreeSet<u64> = [0, 3, 4, 10].into_iter().collect();
        let seq: Vec<(u64, u64)> = Plan::new(&g, kept.clone(), false)
            .map(|s| (s.start, s.end))
            .collect();
        assert_eq!(seq, vec![(4, 12), (20, 40)]);
        let par: Vec<(u64, u64)> = Plan::new(&g, kept, true)
            .map(|s| (s.start, s.end))
            .collect();
        assert_eq!(par.len(), 7);
        assert_eq!(par[0], (4, 8));
        assert_eq!(par[6], (36, 40));
        assert_eq!(Plan::new(&geo(0, 4), BTreeSet::new(), true).count(), 0);
    }
}
