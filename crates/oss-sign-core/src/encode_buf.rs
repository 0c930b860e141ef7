//! The gathering buffer of the percent encoder ([`EncodeBuf`]) and the literal-byte tables
//! and scan it shares with [`crate::encoding`] (issue 17).
//!
//! Encoded text is gathered on the stack and moved into its `String` in large copies, instead of
//! a `String::push` per byte (whose length load and store make each byte wait for the previous
//! one). It pays for long text only (its 512 bytes are zeroed, and the gathered text is
//! UTF-8-checked and copied): [`crate::encoding::uri_encode_into`] uses it for more than 32
//! bytes after the first escape, and the canonical query (`encoding::write_pairs`) for more
//! than two parameters.

use alloc::string::String;

/// How many encoded bytes [`EncodeBuf`] gathers before it moves them into its `String`.
const GATHER: usize = 512;

/// The buffer's size: [`GATHER`] bytes and eight more, so that a four- or eight-byte store
/// of [`EncodeBuf::encode_pairs`] from any index below `GATHER` fits (what the last packed
/// store spills past the text is never part of it).
const ROOM: usize = GATHER + 8;
const _: () = assert!(GATHER.is_power_of_two());

/// Text on its way into a `String`, gathered in a stack buffer: encoded bytes are stored at an
/// index held in a register (a `String::push` per byte reloads and stores the length every
/// time, and each byte waits for the previous one), and move into the `String` in one copy,
/// with one UTF-8 check of the gathered bytes, when the buffer fills or on
/// [`flush`](Self::flush).
///
/// The buffer only ever holds whole `&str`s and ASCII bytes, so it is always UTF-8. While it is
/// empty, text with nothing to escape goes straight to the `String` (a request whose query needs
/// no escape never gathers anything).
pub(crate) struct EncodeBuf<'o> {
    out: &'o mut String,
    bytes: [u8; ROOM],
    len: usize,
}

impl<'o> EncodeBuf<'o> {
    #[inline]
    pub(crate) fn new(out: &'o mut String) -> Self {
        Self {
            out,
            bytes: [0; ROOM],
            len: 0,
        }
    }

    /// Appends `text` as it is.
    #[inline]
    pub(crate) fn push_str(&mut self, text: &str) {
        let len = self.len;
        if len == 0 {
            self.out.push_str(text);
        } else {
            self.push_gathered(text);
        }
    }

    /// [`push_str`](Self::push_str) once something is gathered: into the buffer.
    #[inline(never)]
    fn push_gathered(&mut self, text: &str) {
        let (len, n) = (self.len, text.len());
        let src = text.as_bytes();
        let Some(slot) = self.bytes.get_mut(len..len + 16).filter(|_| n <= 16) else {
            // Longer: one copy call into the buffer, or straight to the `String` after it.
            if let Some(slot) = self.bytes.get_mut(len..len + n) {
                slot.copy_from_slice(src);
                self.len = len + n;
            } else {
                self.flush();
                self.out.push_str(text);
            }
            return;
        };
        // Up to 16 bytes as two fixed-size copies that may overlap: no copy call.
        if let Some(last) = n.checked_sub(8) {
            slot[..8].copy_from_slice(&src[..8]);
            slot[last..n].copy_from_slice(&src[last..]);
        } else if let Some(last) = n.checked_sub(4) {
            slot[..4].copy_from_slice(&src[..4]);
            slot[last..n].copy_from_slice(&src[last..]);
        } else {
            for (to, &b) in slot.iter_mut().zip(src) {
                *to = b;
            }
        }
        self.len = len + n;
    }

    /// Appends the encoding of `input` (see [`crate::encoding::uri_encode`]).
    #[inline]
    pub(crate) fn encode(&mut self, input: &str, keep_slash: bool) {
        encode_into(self, input, keep_slash);
    }

    /// Appends the encoding of `input[from..]` (see [`encode_run`]). Out of line: one copy of
    /// the loop serves every caller but [`encode_pairs`](Self::encode_pairs).
    #[inline(never)]
    pub(crate) fn encode_from(&mut self, input: &str, from: usize, literal: &[bool; 256]) {
        let bytes = input.as_bytes().get(from..).unwrap_or(&[]);
        self.len = encode_run(self.out, &mut self.bytes, self.len, bytes, literal);
    }

    /// Appends the query parameters `pairs`, each as `name=value` (`name` alone when the
    /// value is empty), both encoded, joined with `&`, with a `&` first unless `first`.
    ///
    /// A short pair (the usual one) is encoded straight into the buffer after one room check
    /// for all of it, a byte a step through the packed table (no branch on the byte), with no
    /// scan for escapes first and no copy call; its `&` and `=` are stored whether or not they
    /// are wanted, the fill level advancing past them only when they are. A long pair (name and
    /// value together over 83 bytes, a third of the old 256-byte buffer) goes through [`encode`](Self::encode), which
    /// copies literal runs whole.
    #[inline(never)]
    pub(crate) fn encode_pairs(&mut self, pairs: &[(&str, &str)], first: bool) {
        const LONG: usize = 83;
        const _: () = assert!(3 * LONG + 2 <= GATHER);
        let mut len = self.len;
        let mut skip_separator = first;
        for &(name, value) in pairs {
            let (n, v) = (name.as_bytes(), value.as_bytes());
            // Together, so that `&`, `=` and both always fit in an emptied buffer.
            if n.len() + v.len() > LONG {
                self.len = len;
                if !skip_separator {
                    self.push_str("&");
                }
                self.encode_long(name);
                if !v.is_empty() {
                    self.push_str("=");
                    self.encode_long(value);
                }
                len = self.len;
            } else {
                // Room for all of it: `&`, `=` and three bytes a byte (the fourth byte of the
                // last packed store falls in the buffer's spare bytes).
                if len + 3 * (n.len() + v.len()) + 2 > GATHER {
                    move_into(self.out, &self.bytes, len);
                    len = 0;
                }
                // Every store starts below `GATHER` (the room check), so the mask changes no
                // index: it only lets the compiler see that eight bytes from it fit in `ROOM`.
                let buf = &mut self.bytes;
                buf[len & (GATHER - 1)] = b'&';
                len += usize::from(!skip_separator);
                len = put_packed_bytes(buf, len, n);
                buf[len & (GATHER - 1)] = b'=';
                len += usize::from(!v.is_empty());
                len = put_packed_bytes(buf, len, v);
                debug_assert!(len <= GATHER);
            }
            skip_separator = false;
        }
        self.len = len;
    }

    /// A name or value of a long pair of [`encode_pairs`](Self::encode_pairs): its literal
    /// runs found and copied whole. Out of line: rare.
    #[inline(never)]
    fn encode_long(&mut self, text: &str) {
        self.encode(text, false);
    }

    /// Moves what was gathered into the `String`.
    #[inline]
    pub(crate) fn flush(&mut self) {
        if self.len > 0 {
            move_into(self.out, &self.bytes, self.len);
            self.len = 0;
        }
    }
}

/// Where [`encode_into`] writes: the `String` itself ([`crate::encoding::uri_encode_into`]) or
/// an [`EncodeBuf`] ([`EncodeBuf::encode`]).
pub(crate) trait EncodeSink {
    /// Appends `text` as it is.
    fn push_literal(&mut self, text: &str);
    /// Appends the encoding of `input[at..]`, where `input[at]` is the first byte to escape.
    fn push_escaped_tail(&mut self, input: &str, at: usize, literal: &[bool; 256]);
}

impl EncodeSink for EncodeBuf<'_> {
    #[inline(always)]
    fn push_literal(&mut self, text: &str) {
        self.push_str(text);
    }

    #[inline(always)]
    fn push_escaped_tail(&mut self, input: &str, at: usize, literal: &[bool; 256]) {
        self.encode_from(input, at, literal);
    }
}

/// Appends the encoding of `input` to `sink` (`keep_slash`: see
/// [`crate::encoding::uri_encode`]): found eight bytes at a time ([`next_escape`]), the literal
/// bytes before the first escape go whole, the rest to
/// [`push_escaped_tail`](EncodeSink::push_escaped_tail).
// Forced inline natively (its callers stay as they were written by hand); only a hint on
// WebAssembly, where a copy in every caller made the module 3 KB larger.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
#[cfg_attr(target_arch = "wasm32", inline)]
pub(crate) fn encode_into<S: EncodeSink>(sink: &mut S, input: &str, keep_slash: bool) {
    let literal = if keep_slash {
        &PATH_LITERAL
    } else {
        &QUERY_LITERAL
    };
    match next_escape(input.as_bytes(), 0, literal) {
        None => sink.push_literal(input),
        Some(at) => {
            // Literal bytes are ASCII, so `at` is a character boundary.
            sink.push_literal(input.get(..at).unwrap_or(""));
            sink.push_escaped_tail(input, at, literal);
        }
    }
}

/// Encodes `bytes` into `buf` from `len` (moving `buf` into `out` whenever it could fill) and
/// returns the new fill level: each byte as itself (a literal byte, ASCII) or as `%` and two
/// upper-case hex digits.
///
/// Eight bytes at a time while eight remain: all eight stored in one fixed-size copy, the fill
/// level advanced past the literal ones, and the first escape written over the rest; a name
/// with nothing to escape takes one step, a literal run one step per eight bytes. The last
/// bytes one at a time. The fill level stays in a register throughout.
#[inline(always)]
fn encode_run(
    out: &mut String,
    buf: &mut [u8; ROOM],
    mut len: usize,
    bytes: &[u8],
    literal: &[bool; 256],
) -> usize {
    let mut at = 0;
    loop {
        // Room for eight bytes and an escape.
        if len + 11 > GATHER {
            move_into(out, buf, len);
            len = 0;
        }
        let b = if let Some(eight) = bytes.get(at..at + 8) {
            if let Some(slot) = buf.get_mut(len..len + 8) {
                slot.copy_from_slice(eight);
            }
            let literal_run = literal_run(eight, literal);
            len += literal_run;
            at += literal_run;
            match eight.get(literal_run) {
                Some(&b) => b,
                None => continue,
            }
        } else if let Some(&b) = bytes.get(at) {
            b
        } else {
            break;
        };
        at += 1;
        let Some(slot) = buf.get_mut(len..len + 3) else {
            break;
        };
        len += put_encoded(slot, b, literal);
    }
    len
}

/// Writes `byte` at the start of `slot` (three bytes) as itself (a literal byte, ASCII) or as
/// `%` and two upper-case hex digits; returns how many bytes it took (1 or 3).
#[inline(always)]
fn put_encoded(slot: &mut [u8], byte: u8, literal: &[bool; 256]) -> usize {
    if literal[usize::from(byte)] {
        if let Some(first) = slot.first_mut() {
            *first = byte;
        }
        1
    } else {
        if let Some(three) = slot.get_mut(..3) {
            three.copy_from_slice(&escape(byte));
        }
        3
    }
}

/// Writes the query encoding of `bytes` into `buf` from `len` and returns the new fill level:
/// leading blocks of eight literal bytes (looked up and and-ed, one branch) in one store each,
/// then at most one leading block of four the same way, then a byte a step, its packed encoding stored as four bytes and the fill level advanced by
/// its length, no branch on the byte. The caller checked room (`len + 3 * bytes.len() <= GATHER`):
/// every store starts below `GATHER`, so the mask changes no index.
#[inline(always)]
fn put_packed_bytes(buf: &mut [u8; ROOM], mut len: usize, bytes: &[u8]) -> usize {
    // Leading blocks of eight literal bytes (a name such as `param-01`) in one store each.
    let mut rest = bytes;
    while let Some((eight, tail)) = rest.split_first_chunk::<8>() {
        if !eight
            .iter()
            .fold(true, |all, &b| all & QUERY_LITERAL[usize::from(b)])
        {
            break;
        }
        let at = len & (GATHER - 1);
        buf[at..at + 8].copy_from_slice(eight);
        len += 8;
        rest = tail;
    }
    // Then one leading block of four (a value such as `value 7/x` starts with `valu`).
    if let Some((four, tail)) = rest.split_first_chunk::<4>() {
        if four
            .iter()
            .fold(true, |all, &b| all & QUERY_LITERAL[usize::from(b)])
        {
            let at = len & (GATHER - 1);
            buf[at..at + 4].copy_from_slice(four);
            len += 4;
            rest = tail;
        }
    }
    for &b in rest {
        let packed = QUERY_ENCODED[usize::from(b)];
        let at = len & (GATHER - 1);
        buf[at..at + 4].copy_from_slice(&packed.to_le_bytes());
        len += (packed >> 24) as usize;
    }
    len
}

/// Each byte's query encoding packed in a `u32` (little-endian): the byte itself, or `%` and
/// two upper-case hex digits, in the low three bytes; its length (1 or 3) in the high byte.
/// Stored as four bytes: the fourth, past the new fill level, is overwritten by what follows.
const QUERY_ENCODED: [u32; 256] = packed_table(&QUERY_LITERAL);

const fn packed_table(literal: &[bool; 256]) -> [u32; 256] {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut table = [0u32; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = if literal[byte] {
            byte as u32 | 1 << 24
        } else {
            b'%' as u32 | (HEX[byte >> 4] as u32) << 8 | (HEX[byte & 15] as u32) << 16 | 3 << 24
        };
        byte += 1;
    }
    table
}

/// How many of `eight`'s bytes are literal before the first that is not (8 when all are).
#[inline(always)]
fn literal_run(eight: &[u8], literal: &[bool; 256]) -> usize {
    let escapes = eight.iter().enumerate().fold(0u32, |mask, (k, &b)| {
        mask | (u32::from(!literal[usize::from(b)]) << k)
    });
    (escapes | 0x100).trailing_zeros() as usize
}

/// `%` and the two upper-case hex digits of `byte`.
#[inline(always)]
fn escape(byte: u8) -> [u8; 3] {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    [
        b'%',
        HEX[usize::from(byte >> 4)],
        HEX[usize::from(byte & 0x0f)],
    ]
}

/// Appends `bytes[..len]` (whole `&str`s and ASCII bytes: UTF-8) to `out`.
#[inline(never)]
fn move_into(out: &mut String, bytes: &[u8; ROOM], len: usize) {
    let gathered = core::str::from_utf8(bytes.get(..len).unwrap_or(&[]));
    debug_assert!(gathered.is_ok());
    out.push_str(gathered.unwrap_or(""));
}

/// The position of the first byte at or after `from` that is not literal. Eight bytes are
/// looked up and and-ed together before one branch, so a literal run costs about three
/// instructions a byte instead of a compare and branch each.
#[inline]
pub(crate) fn next_escape(bytes: &[u8], from: usize, literal: &[bool; 256]) -> Option<usize> {
    let rest = bytes.get(from..)?;
    // Arrays, not `chunks_exact`, whose `next` stays a call where the crate is built for size.
    let (chunks, tail) = rest.as_chunks::<8>();
    let mut offset = from;
    for chunk in chunks {
        let all_literal = chunk
            .iter()
            .fold(true, |all, &b| all & literal[usize::from(b)]);
        if !all_literal {
            return chunk
                .iter()
                .position(|&b| !literal[usize::from(b)])
                .map(|p| offset + p);
        }
        offset += 8;
    }
    tail.iter()
        .position(|&b| !literal[usize::from(b)])
        .map(|p| offset + p)
}

/// Which bytes stay literal (the RFC 3986 unreserved set, and `/` in a path).
pub(crate) const QUERY_LITERAL: [bool; 256] = literal_table(false);
pub(crate) const PATH_LITERAL: [bool; 256] = literal_table(true);

const fn literal_table(keep_slash: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/');
        byte += 1;
    }
    table
}
