//! Whether a host is an IPv4 or IPv6 address literal, decided exactly as `std`'s
//! `Ipv4Addr`/`Ipv6Addr` parsers decide it. Native builds ask `std`; the WebAssembly module
//! uses the small reader below instead (`std`'s parsers, generic over the number types, are
//! 3 KB there). The tests hold the two to the same answers.

/// A byte cursor over the text, each read atomic (a failed read moves nothing).
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn eat(&mut self, c: u8) -> bool {
        let ate = self.b.get(self.i) == Some(&c);
        self.i += usize::from(ate);
        ate
    }

    /// A number of at most `max_digits` digits in `radix` that fits `limit`; with
    /// `zero_prefix` false, no leading zero unless the number is `0`.
    #[inline(never)]
    fn number(&mut self, radix: u32, max_digits: usize, zero_prefix: bool, limit: u32) -> bool {
        let start = self.i;
        let mut value = 0u32;
        let mut count = 0;
        while let Some(d) = self
            .b
            .get(self.i)
            .and_then(|&c| char::from(c).to_digit(radix))
        {
            self.i += 1;
            count += 1;
            value = value * radix + d;
            if count > max_digits || value > limit {
                self.i = start;
                return false;
            }
        }
        let leading_zero = !zero_prefix && count > 1 && self.b[start] == b'0';
        if count == 0 || leading_zero {
            self.i = start;
            return false;
        }
        true
    }

    /// `a.b.c.d`, each a decimal octet without leading zeros.
    #[inline(never)]
    fn ipv4(&mut self) -> bool {
        let start = self.i;
        for i in 0..4 {
            if (i > 0 && !self.eat(b'.')) || !self.number(10, 3, false, 255) {
                self.i = start;
                return false;
            }
        }
        true
    }

    /// Up to `limit` groups separated by ':' (an IPv4 address may take the last two): how
    /// many were read and whether the last were an IPv4 address.
    fn groups(&mut self, limit: usize) -> (usize, bool) {
        for i in 0..limit {
            let before = self.i;
            if i + 1 < limit && (i == 0 || self.eat(b':')) && self.ipv4() {
                return (i + 2, true);
            }
            self.i = before;
            if !((i == 0 || self.eat(b':')) && self.number(16, 4, true, 0xffff)) {
                self.i = before;
                return (i, false);
            }
        }
        (limit, false)
    }

    fn ipv6(&mut self) -> bool {
        let (head, head_ipv4) = self.groups(8);
        if head == 8 {
            return true;
        }
        if head_ipv4 || !self.eat(b':') || !self.eat(b':') {
            return false;
        }
        self.groups(8 - (head + 1));
        true
    }
}

/// Whether `text` is an IPv4 address (`std::net::Ipv4Addr` parses it).
pub(super) fn is_ipv4(text: &str) -> bool {
    #[cfg(not(target_arch = "wasm32"))]
    return text.parse::<std::net::Ipv4Addr>().is_ok();
    #[cfg(target_arch = "wasm32")]
    return read_ipv4(text);
}

/// Whether `text` is an IPv6 address (`std::net::Ipv6Addr` parses it).
pub(super) fn is_ipv6(text: &str) -> bool {
    #[cfg(not(target_arch = "wasm32"))]
    return text.parse::<std::net::Ipv6Addr>().is_ok();
    #[cfg(target_arch = "wasm32")]
    return read_ipv6(text);
}

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn read_ipv4(text: &str) -> bool {
    reads_whole(text, Cursor::ipv4)
}

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn read_ipv6(text: &str) -> bool {
    reads_whole(text, Cursor::ipv6)
}

/// Whether `read` succeeds on `text` and takes all of it.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn reads_whole<'a>(text: &'a str, read: fn(&mut Cursor<'a>) -> bool) -> bool {
    let mut c = Cursor {
        b: text.as_bytes(),
        i: 0,
    };
    read(&mut c) && c.i == c.b.len()
}

#[cfg(test)]
mod tests {
    use super::{read_ipv4, read_ipv6};
    use proptest::prelude::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn same(text: &str) {
        assert_eq!(
            read_ipv4(text),
            text.parse::<Ipv4Addr>().is_ok(),
            "{text:?}"
        );
        assert_eq!(
            read_ipv6(text),
            text.parse::<Ipv6Addr>().is_ok(),
            "{text:?}"
        );
    }

    #[test]
    fn known_literals_as_std_reads_them() {
        for text in [
            "",
            "0.0.0.0",
            "255.255.255.255",
            "256.1.1.1",
            "01.1.1.1",
            "1.1.1",
            "1.1.1.1.",
            "1.1.1.1.1",
            "1..1.1",
            "0000.1.1.1",
            "::",
            "::1",
            "1::",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7::",
            "::1:2:3:4:5:6:7",
            "::1:2:3:4:5:6:7:8",
            "1::2::3",
            ":::",
            "1:::2",
            "12345::",
            "fFfF::0",
            "::ffff:1.2.3.4",
            "1.2.3.4::",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "::1.2.3.4",
            "::1.2.3.04",
            "1::1.2.3.4:5",
            "1::2:1.2.3.4",
            "1:2:3:4:5:1.2.3.4",
            ":1::",
            "1:",
            ":1",
            "g::",
            "::0000",
            "::00000",
            "1::2:3:4:5:6:7",
            "1:2:3:4:5:6::7",
            "1:2:3:4:5:6:7::8",
            "::1.2.3.4.5",
            "0:0:0:0:0:0:0.0.0.0",
            "0:0:0:0:0:0.0.0.0",
            "1.2.3.4:5:6:7:8:9:0",
        ] {
            same(text);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn answers_as_std(text in "[0-9a-fA-Fg:.]{0,40}") {
            same(&text);
        }

        #[test]
        fn answers_as_std_near_addresses(
            groups in proptest::collection::vec("[0-9a-f]{0,5}|[0-9]{1,3}(\\.[0-9]{1,3}){0,4}", 0..10),
            colons in proptest::collection::vec(0usize..3, 0..10),
        ) {
            let mut text = String::new();
            for (i, group) in groups.iter().enumerate() {
                text.push_str(group);
                text.push_str(&":".repeat(colons.get(i).copied().unwrap_or(1)));
            }
            same(&text);
            same(text.trim_end_matches(':'));
        }
    }
}
