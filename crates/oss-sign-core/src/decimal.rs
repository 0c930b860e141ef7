//! Decimal text of unsigned integers without the formatter: the `x-oss-expires` seconds of a
//! presign, integers in JSON, numbers a typed request writes into its query (one digit writer
//! for the workspace).

use alloc::string::String;

/// The decimal digits of a `u64`, on the stack (a `u64` has at most 20), most significant
/// first: what `format!("{n}")` gives, without `core::fmt`.
///
/// ```
/// use oss_sign_core::decimal::Decimal;
/// assert_eq!(Decimal::new(604_800).as_str(), "604800");
/// let mut out = String::from("x-oss-expires=");
/// Decimal::new(0).push_to(&mut out);
/// assert_eq!(out, "x-oss-expires=0");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decimal {
    bytes: [u8; 20],
    /// Where the digits start (at most 19: there is always one).
    start: u8,
}

impl Decimal {
    /// The digits of `value`.
    ///
    /// ```
    /// use oss_sign_core::decimal::Decimal;
    /// assert_eq!(Decimal::new(u64::MAX).as_str(), u64::MAX.to_string());
    /// ```
    #[inline]
    pub fn new(mut value: u64) -> Self {
        let mut bytes = [b'0'; 20];
        let mut start = bytes.len();
        loop {
            start -= 1;
            // `value % 10` is a digit: the cast keeps it.
            bytes[start] = b'0' + (value % 10) as u8;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        Decimal {
            bytes,
            // At most 19: fits.
            start: start as u8,
        }
    }

    /// The digits as text.
    ///
    /// ```
    /// use oss_sign_core::decimal::Decimal;
    /// assert_eq!(Decimal::new(900).as_str(), "900");
    /// ```
    #[inline]
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are written: always UTF-8.
        core::str::from_utf8(self.digits()).unwrap_or("0")
    }

    /// Appends the digits to `out`, a `char` each (no UTF-8 check of the digits).
    ///
    /// ```
    /// use oss_sign_core::decimal::Decimal;
    /// let mut out = String::from("n=");
    /// Decimal::new(42).push_to(&mut out);
    /// assert_eq!(out, "n=42");
    /// ```
    #[inline]
    pub fn push_to(&self, out: &mut String) {
        for &digit in self.digits() {
            out.push(char::from(digit & 0x7f));
        }
    }

    #[inline]
    fn digits(&self) -> &[u8] {
        self.bytes.get(usize::from(self.start)..).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_width_is_the_std_text() {
        for n in [0, 1, 9, 10, 99, 100, 819_200, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(Decimal::new(n).as_str(), alloc::format!("{n}"));
        }
    }

    proptest! {
        #[test]
        fn the_std_text(n in any::<u64>()) {
            let mut out = String::from("x");
            Decimal::new(n).push_to(&mut out);
            let digits = Decimal::new(n);
            prop_assert_eq!(digits.as_str(), alloc::format!("{n}"));
            prop_assert_eq!(out, alloc::format!("x{n}"));
        }
    }
}
