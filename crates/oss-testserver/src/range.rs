//! `Range` header parsing with OSS semantics (default) and RFC 7233 semantics (`standard`).

/// What a `Range` header asks for, resolved against an object size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RangeAnswer {
    /// No usable range: answer 200 with the whole object.
    Whole,
    /// Answer 206 with bytes `start..=end`.
    Partial { start: u64, end: u64 },
    /// Answer 416 `InvalidRange` (only with `x-oss-range-behavior: standard`).
    Unsatisfiable,
}

/// Resolves `header` for an object of `size` bytes.
///
/// Without `standard`, OSS answers anything invalid or out of bounds with the whole object
/// (200). With `standard`, an end past the object is clamped, and a start at or past the end
/// is 416.
pub(crate) fn resolve(header: Option<&str>, size: u64, standard: bool) -> RangeAnswer {
    let Some(h) = header else {
        return RangeAnswer::Whole;
    };
    let Some(spec) = h.trim().strip_prefix("bytes=") else {
        return RangeAnswer::Whole;
    };
    if spec.contains(',') {
        return RangeAnswer::Whole;
    }
    let Some((a, b)) = spec.split_once('-') else {
        return RangeAnswer::Whole;
    };
    let (a, b) = (a.trim(), b.trim());
    let parse = |s: &str| -> Option<u64> {
        if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
            None
        } else {
            s.parse().ok()
        }
    };
    let whole_or_416 = if standard {
        RangeAnswer::Unsatisfiable
    } else {
        RangeAnswer::Whole
    };
    match (a.is_empty(), b.is_empty()) {
        (true, true) => RangeAnswer::Whole,
        (true, false) => {
            // suffix: the last n bytes
            let Some(n) = parse(b) else {
                return RangeAnswer::Whole;
            };
            if n == 0 || size == 0 {
                return whole_or_416;
            }
            if n > size {
                return if standard {
                    RangeAnswer::Partial {
                        start: 0,
                        end: size - 1,
                    }
                } else {
                    RangeAnswer::Whole
                };
            }
            RangeAnswer::Partial {
                start: size - n,
                end: size - 1,
            }
        }
        (false, open) => {
            let Some(start) = parse(a) else {
                return RangeAnswer::Whole;
            };
            let end = if open {
                None
            } else {
                match parse(b) {
                    Some(e) => Some(e),
                    None => return RangeAnswer::Whole,
                }
            };
            if end.is_some_and(|e| e < start) {
                return RangeAnswer::Whole;
            }
            if start >= size {
                return whole_or_416;
            }
            match end {
                None => RangeAnswer::Partial {
                    start,
                    end: size - 1,
                },
                Some(e) if e < size => RangeAnswer::Partial { start, end: e },
                Some(_) if standard => RangeAnswer::Partial {
                    start,
                    end: size - 1,
                },
                Some(_) => RangeAnswer::Whole,
            }
        }
    }
}

/// The first byte a request asks for (0 without a usable range), used to match fault rules.
pub(crate) fn requested_start(header: Option<&str>) -> u64 {
    header
        .and_then(|h| h.trim().strip_prefix("bytes="))
        .and_then(|s| s.split_once('-'))
        .and_then(|(a, _)| a.trim().parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::RangeAnswer::*;
    use super::*;

    #[test]
    fn oss_default_semantics() {
        assert_eq!(
            resolve(Some("bytes=0-9"), 100, false),
            Partial { start: 0, end: 9 }
        );
        assert_eq!(
            resolve(Some("bytes=90-"), 100, false),
            Partial { start: 90, end: 99 }
        );
        assert_eq!(
            resolve(Some("bytes=-10"), 100, false),
            Partial { start: 90, end: 99 }
        );
        assert_eq!(resolve(Some("bytes=50-200"), 100, false), Whole);
        assert_eq!(resolve(Some("bytes=100-"), 100, false), Whole);
        assert_eq!(resolve(Some("bytes=9-1"), 100, false), Whole);
        assert_eq!(resolve(Some("items=0-1"), 100, false), Whole);
        assert_eq!(resolve(Some("bytes=0-1,4-5"), 100, false), Whole);
        assert_eq!(resolve(None, 100, false), Whole);
    }

    #[test]
    fn standard_semantics() {
        assert_eq!(
            resolve(Some("bytes=50-200"), 100, true),
            Partial { start: 50, end: 99 }
        );
        assert_eq!(resolve(Some("bytes=100-"), 100, true), Unsatisfiable);
        assert_eq!(
            resolve(Some("bytes=-500"), 100, true),
            Partial { start: 0, end: 99 }
        );
        assert_eq!(resolve(Some("bytes=0-0"), 0, true), Unsatisfiable);
    }

    #[test]
    fn start_of_request() {
        assert_eq!(requested_start(Some("bytes=123-456")), 123);
        assert_eq!(requested_start(Some("bytes=-5")), 0);
        assert_eq!(requested_start(None), 0);
    }
}
