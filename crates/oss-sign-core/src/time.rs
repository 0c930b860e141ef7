//! [`SigningTime`]: the workspace's one time type, an instant in whole UTC seconds.
//!
//! The crate never reads a clock: the caller passes the instant (or a [`crate::Clock`] it
//! implements). This module holds the workspace's only calendar arithmetic and converts between
//! Unix seconds and the civil forms OSS and its credential sources use (`x-oss-date`, the scope
//! date, RFC 3339 / `Expiration`, and the RFC 1123 `Date` header of V1).

use crate::error::{shorten, SignError, SignErrorKind};
use alloc::format;
use alloc::string::String;
use core::fmt;

/// Seconds from 1970-01-01T00:00:00Z to 10000-01-01T00:00:00Z: the first unsupported instant.
const MAX_UNIX_EXCLUSIVE: i64 = 253_402_300_800;

/// An instant in UTC with second precision, between 1970-01-01T00:00:00Z and
/// 9999-12-31T23:59:59Z.
///
/// ```
/// use oss_sign_core::SigningTime;
/// let t = SigningTime::from_unix_seconds(1_702_783_809)?;
/// assert_eq!(t.x_oss_date(), "20231217T033009Z");
/// assert_eq!(t.date_stamp(), "20231217");
/// assert_eq!(t.to_rfc3339(), "2023-12-17T03:30:09Z");
/// assert_eq!(SigningTime::parse_x_oss_date("20231217T033009Z")?, t);
/// # Ok::<(), oss_sign_core::SignError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SigningTime {
    unix: i64,
}

/// Civil date and time fields of a [`SigningTime`].
#[derive(Clone, Copy)]
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    weekday: u32, // 0 = Sunday
}

impl SigningTime {
    /// The instant `seconds` after the Unix epoch.
    ///
    /// Fails for instants before 1970 or after 9999-12-31T23:59:59Z.
    ///
    /// ```
    /// use oss_sign_core::SigningTime;
    /// assert_eq!(SigningTime::from_unix_seconds(0)?.to_rfc3339(), "1970-01-01T00:00:00Z");
    /// assert!(SigningTime::from_unix_seconds(-5).is_err());
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn from_unix_seconds(seconds: i64) -> Result<Self, SignError> {
        if (0..MAX_UNIX_EXCLUSIVE).contains(&seconds) {
            Ok(Self { unix: seconds })
        } else {
            Err(SignError::new(
                SignErrorKind::InvalidTime,
                format!(
                    "time {seconds} (Unix seconds) is out of range: allowed are 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z"
                ),
            ))
        }
    }

    /// The instant of a civil UTC date and time.
    ///
    /// ```
    /// use oss_sign_core::SigningTime;
    /// let t = SigningTime::from_ymd_hms(2024, 2, 29, 23, 59, 59)?;
    /// assert_eq!(t.x_oss_date(), "20240229T235959Z");
    /// assert!(SigningTime::from_ymd_hms(2023, 2, 29, 0, 0, 0).is_err());
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn from_ymd_hms(
        year: i64,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
    ) -> Result<Self, SignError> {
        let valid = (1970..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour < 24
            && minute < 60
            && second < 60;
        if !valid {
            return Err(SignError::new(
                SignErrorKind::InvalidTime,
                format!(
                    "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z is not a valid UTC date and time between years 1970 and 9999"
                ),
            ));
        }
        let days = days_from_civil(year, month, day);
        Self::from_unix_seconds(
            days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second),
        )
    }

    /// Seconds since the Unix epoch.
    ///
    /// ```
    /// use oss_sign_core::SigningTime;
    /// assert_eq!(SigningTime::from_unix_seconds(42)?.unix_seconds(), 42);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn unix_seconds(self) -> i64 {
        self.unix
    }

    /// This instant plus `seconds` (which may be negative), or `None` when out of range.
    ///
    /// ```
    /// use oss_sign_core::SigningTime;
    /// let t = SigningTime::from_unix_seconds(100)?;
    /// assert_eq!(t.checked_add_seconds(900).map(|t| t.unix_seconds()), Some(1000));
    /// assert!(t.checked_add_seconds(-101).is_none());
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn checked_add_seconds(self, seconds: i64) -> Option<Self> {
        self.unix
            .checked_add(seconds)
            .and_then(|unix| Self::from_unix_seconds(unix).ok())
    }

    /// Parses the `x-oss-date` form `YYYYMMDDTHHMMSSZ`.
    ///
    /// ```
    /// use oss_sign_core::SigningTime;
    /// let t = SigningTime::parse_x_oss_date("20250411T064124Z")?;
    /// assert_eq!(t.unix_seconds(), 1_744_353_684);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn parse_x_oss_date(text: &str) -> Result<Self, SignError> {
        let b = text.as_bytes();
        let shape_ok = b.len() == 16
            && b[8] == b'T'
            && b[15] == b'Z'
            && b[..8].iter().all(u8::is_ascii_digit)
            && b[9..15].iter().all(u8::is_ascii_digit);
        if !shape_ok {
            return Err(SignError::new(
                SignErrorKind::InvalidTime,
                format!(
                    "x-oss-date {:?} is malformed: expected YYYYMMDDTHHMMSSZ in UTC, e.g. 20231217T033009Z",
                    shorten(text)
                ),
            ));
        }
        Self::from_fields(b, X_OSS_DATE_FIELDS)
    }

    /// Parses RFC 3339 UTC `YYYY-MM-DDTHH:MM:SSZ`, optionally with fractional seconds
    /// (`.000Z`, truncated to the second).
    ///
    /// ```
    /// use oss_sign_core::SigningTime;
    /// let a = SigningTime::parse_rfc3339("2024-11-12T10:27:56Z")?;
    /// let b = SigningTime::parse_rfc3339("2024-11-12T10:27:56.000Z")?;
    /// assert_eq!(a, b);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn parse_rfc3339(text: &str) -> Result<Self, SignError> {
        let b = text.as_bytes();
        let bad = || {
            SignError::new(
                SignErrorKind::InvalidTime,
                format!(
                    "time {:?} is malformed: expected UTC YYYY-MM-DDTHH:MM:SSZ, e.g. 2024-11-12T10:27:56Z",
                    shorten(text)
                ),
            )
        };
        if b.len() < 20
            || b[4] != b'-'
            || b[7] != b'-'
            || !(b[10] == b'T' || b[10] == b't')
            || b[13] != b':'
            || b[16] != b':'
            || !(b[b.len() - 1] == b'Z' || b[b.len() - 1] == b'z')
        {
            return Err(bad());
        }
        if (0..6).any(|i| {
            !b[field_range(RFC3339_FIELDS, i)]
                .iter()
                .all(u8::is_ascii_digit)
        }) {
            return Err(bad());
        }
        let rest = &b[19..b.len() - 1];
        let fraction_ok = rest.is_empty()
            || (rest[0] == b'.' && rest.len() > 1 && rest[1..].iter().all(u8::is_ascii_digit));
        if !fraction_ok {
            return Err(bad());
        }
        Self::from_fields(b, RFC3339_FIELDS)
    }

    /// Parses exactly `YYYY-MM-DDTHH:MM:SSZ` (upper-case `T` and `Z`, no fraction): the form
    /// STS, ECS metadata, credential processes and credential URIs write in `Expiration`.
    /// [`parse_rfc3339`](Self::parse_rfc3339) also accepts fractional seconds and lower case.
    ///
    /// ```
    /// use oss_sign_core::SigningTime;
    /// let t = SigningTime::parse_rfc3339_strict("2021-10-20T04:27:09Z")?;
    /// assert_eq!(t.unix_seconds(), 1_634_704_029);
    /// assert!(SigningTime::parse_rfc3339_strict("2021-10-20T04:27:09.000Z").is_err());
    /// assert!(SigningTime::parse_rfc3339_strict("2021-10-20t04:27:09z").is_err());
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn parse_rfc3339_strict(text: &str) -> Result<Self, SignError> {
        let b = text.as_bytes();
        if b.len() != 20 || b[10] != b'T' || b[19] != b'Z' {
            return Err(SignError::new(
                SignErrorKind::InvalidTime,
                format!(
                    "time {:?} is malformed: expected exactly YYYY-MM-DDTHH:MM:SSZ, e.g. 2024-11-12T10:27:56Z",
                    shorten(text)
                ),
            ));
        }
        Self::parse_rfc3339(text)
    }

    /// Seconds from `earlier` to `self` (negative when `earlier` is later).
    ///
    /// ```
    /// use oss_sign_core::SigningTime;
    /// let signed = SigningTime::from_unix_seconds(1_000)?;
    /// let expires = SigningTime::from_unix_seconds(1_900)?;
    /// assert_eq!(expires.seconds_since(signed), 900);
    /// assert_eq!(signed.seconds_since(expires), -900);
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn seconds_since(self, earlier: SigningTime) -> i64 {
        // Both lie in 0..MAX_UNIX_EXCLUSIVE, so the difference cannot overflow.
        self.unix - earlier.unix
    }

    fn civil(self) -> Civil {
        let days = self.unix.div_euclid(86_400);
        let secs = self.unix.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs / 60 % 60,
            second: secs % 60,
            weekday: (days + 4).rem_euclid(7) as u32,
        }
    }

    /// The time whose six fields stand in `b` at `starts` (already checked to be digits).
    fn from_fields(b: &[u8], starts: FieldStarts) -> Result<Self, SignError> {
        let n = |i: usize| digits(&b[field_range(starts, i)]);
        Self::from_ymd_hms(i64::from(n(0)), n(1), n(2), n(3), n(4), n(5))
    }

    /// Writes the six fields of this time into `out` at `starts`, zero-padded.
    #[inline]
    fn write_fields(self, out: &mut [u8], starts: FieldStarts) {
        let c = self.civil();
        let values = [c.year as u32, c.month, c.day, c.hour, c.minute, c.second];
        for (i, value) in values.into_iter().enumerate() {
            put_digits(&mut out[field_range(starts, i)], value);
        }
    }

    /// Writes `YYYYMMDDTHHMMSSZ` into a fixed buffer (no allocation).
    pub(crate) fn x_oss_date_bytes(self) -> [u8; 16] {
        let mut out = *b"00000000T000000Z";
        self.write_fields(&mut out, X_OSS_DATE_FIELDS);
        out
    }

    /// The `x-oss-date` form, `YYYYMMDDTHHMMSSZ`.
    ///
    /// ```
    /// use oss_sign_core::SigningTime;
    /// assert_eq!(SigningTime::from_unix_seconds(1_700_000_000)?.x_oss_date(), "20231114T221320Z");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn x_oss_date(self) -> String {
        ascii_string(&self.x_oss_date_bytes())
    }

    /// The scope date, `YYYYMMDD` (the first eight characters of [`x_oss_date`](Self::x_oss_date)).
    ///
    /// ```
    /// use oss_sign_core::SigningTime;
    /// assert_eq!(SigningTime::from_unix_seconds(1_700_000_000)?.date_stamp(), "20231114");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn date_stamp(self) -> String {
        ascii_string(&self.x_oss_date_bytes()[..8])
    }

    /// RFC 3339 in UTC with second precision, `YYYY-MM-DDTHH:MM:SSZ`.
    ///
    /// ```
    /// use oss_sign_core::SigningTime;
    /// assert_eq!(SigningTime::from_unix_seconds(951_782_400)?.to_rfc3339(), "2000-02-29T00:00:00Z");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn to_rfc3339(self) -> String {
        ascii_string(&self.rfc3339_bytes())
    }

    /// Writes `YYYY-MM-DDTHH:MM:SSZ` into a fixed buffer (no allocation; years are 1970-9999,
    /// so always four digits).
    pub(crate) fn rfc3339_bytes(self) -> [u8; 20] {
        let mut out = *b"0000-00-00T00:00:00Z";
        self.write_fields(&mut out, RFC3339_FIELDS);
        out
    }

    /// The RFC 1123 form used by the HTTP `Date` header, e.g. `Wed, 28 Dec 2022 10:27:41 GMT`.
    ///
    /// ```
    /// use oss_sign_core::SigningTime;
    /// let t = SigningTime::from_ymd_hms(2022, 12, 28, 10, 27, 41)?;
    /// assert_eq!(t.to_http_date(), "Wed, 28 Dec 2022 10:27:41 GMT");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn to_http_date(self) -> String {
        const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let c = self.civil();
        format!(
            "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
            DAYS[c.weekday as usize],
            c.day,
            MONTHS[(c.month - 1) as usize],
            c.year,
            c.hour,
            c.minute,
            c.second
        )
    }

    /// Parses the RFC 1123 `Date` header form, e.g. `Wed, 28 Dec 2022 10:27:41 GMT`.
    ///
    /// ```
    /// use oss_sign_core::SigningTime;
    /// let t = SigningTime::parse_http_date("Wed, 28 Dec 2022 10:27:41 GMT")?;
    /// assert_eq!(t.to_rfc3339(), "2022-12-28T10:27:41Z");
    /// # Ok::<(), oss_sign_core::SignError>(())
    /// ```
    pub fn parse_http_date(text: &str) -> Result<Self, SignError> {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let bad = || {
            SignError::new(
                SignErrorKind::InvalidTime,
                format!(
                    "date {:?} is malformed: expected RFC 1123, e.g. Wed, 28 Dec 2022 10:27:41 GMT",
                    shorten(text)
                ),
            )
        };
        let b = text.as_bytes();
        if b.len() != 29 || &b[3..5] != b", " || &b[25..] != b" GMT" {
            return Err(bad());
        }
        let num = |r: core::ops::Range<usize>| -> Result<u32, SignError> {
            if b[r.clone()].iter().all(u8::is_ascii_digit) {
                Ok(digits(&b[r]))
            } else {
                Err(bad())
            }
        };
        let month = MONTHS
            .iter()
            .position(|m| m.as_bytes() == &b[8..11])
            .ok_or_else(bad)? as u32
            + 1;
        if b[7] != b' ' || b[11] != b' ' || b[16] != b' ' || b[19] != b':' || b[22] != b':' {
            return Err(bad());
        }
        Self::from_ymd_hms(
            i64::from(num(12..16)?),
            month,
            num(5..7)?,
            num(17..19)?,
            num(20..22)?,
            num(23..25)?,
        )
    }
}

impl fmt::Debug for SigningTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningTime({})", self.to_rfc3339())
    }
}

impl fmt::Display for SigningTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

#[cfg(feature = "std")]
impl TryFrom<std::time::SystemTime> for SigningTime {
    type Error = SignError;

    /// Truncates to the second. Fails before 1970 or after year 9999.
    fn try_from(value: std::time::SystemTime) -> Result<Self, SignError> {
        let seconds = value
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|_| {
                SignError::new(
                    SignErrorKind::InvalidTime,
                    "system time is before 1970-01-01T00:00:00Z: allowed are 1970 to 9999",
                )
            })?
            .as_secs();
        Self::from_unix_seconds(i64::try_from(seconds).unwrap_or(i64::MAX))
    }
}

#[cfg(feature = "std")]
impl From<SigningTime> for std::time::SystemTime {
    fn from(value: SigningTime) -> Self {
        // `unix` is always in 0..MAX_UNIX_EXCLUSIVE, so the cast is lossless.
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(value.unix as u64)
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (era-based algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Where the six fields of a fixed-width form start: the four-digit year, then the two-digit
/// month, day, hour, minute and second.
type FieldStarts = [usize; 6];
/// `YYYYMMDDTHHMMSSZ`.
const X_OSS_DATE_FIELDS: FieldStarts = [0, 4, 6, 9, 11, 13];
/// `YYYY-MM-DDTHH:MM:SSZ`.
const RFC3339_FIELDS: FieldStarts = [0, 5, 8, 11, 14, 17];

/// The bytes of field `i` (0 is the year) of a form laid out as `starts`.
#[inline]
fn field_range(starts: FieldStarts, i: usize) -> core::ops::Range<usize> {
    let width = if i == 0 { 4 } else { 2 };
    starts[i]..starts[i] + width
}

fn digits(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'))
}

fn put_digits(out: &mut [u8], mut value: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

fn ascii_string(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts that `parse` refuses every text of `bad` as an invalid time.
    fn assert_refused(parse: fn(&str) -> Result<SigningTime, SignError>, bad: &[&str]) {
        for bad in bad {
            let err = parse(bad).unwrap_err();
            assert_eq!(err.kind(), SignErrorKind::InvalidTime, "{bad}");
        }
    }

    #[test]
    fn civil_round_trip_over_many_days() {
        // every day from 1970 to 2100 plus a few far ones round-trips through civil form
        let mut day = 0i64;
        while day < 50_000 {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
            day += 1;
        }
        let far = SigningTime::from_ymd_hms(9999, 12, 31, 23, 59, 59).unwrap();
        assert_eq!(far.unix_seconds(), MAX_UNIX_EXCLUSIVE - 1);
        assert_eq!(far.x_oss_date(), "99991231T235959Z");
    }

    #[test]
    fn known_instants() {
        let y2038 = SigningTime::from_unix_seconds(2_147_483_648).unwrap();
        assert_eq!(y2038.to_rfc3339(), "2038-01-19T03:14:08Z");
        let y2099 = SigningTime::from_ymd_hms(2099, 12, 31, 23, 59, 59).unwrap();
        assert_eq!(y2099.unix_seconds(), 4_102_444_799);
        let leap = SigningTime::from_ymd_hms(2024, 2, 29, 12, 0, 0).unwrap();
        assert_eq!(leap.to_http_date(), "Thu, 29 Feb 2024 12:00:00 GMT");
        assert!(SigningTime::from_ymd_hms(1900, 1, 1, 0, 0, 0).is_err());
        assert!(SigningTime::from_ymd_hms(2100, 2, 29, 0, 0, 0).is_err());
    }

    /// The vectors of oss-credentials' own `timestamp` module, which this parser is meant to
    /// replace: same answers, so the migration changes no behaviour.
    #[test]
    fn strict_rfc3339_matches_the_credentials_timestamp_rules() {
        for (text, unix) in [
            ("2021-10-20T04:27:09Z", 1_634_704_029),
            ("2015-04-09T11:52:19Z", 1_428_580_339),
            ("2024-10-26T03:46:38Z", 1_729_914_398),
            ("2024-02-29T00:00:00Z", 1_709_164_800),
        ] {
            let t = SigningTime::parse_rfc3339_strict(text).unwrap();
            assert_eq!(t.unix_seconds(), unix);
            assert_eq!(t.to_rfc3339(), text);
        }
        assert_refused(
            SigningTime::parse_rfc3339_strict,
            &[
                "2021-10-20 04:27:09Z",
                "2021-10-20T04:27:09",
                "2021-10-20T04:27:09.000Z",
                "2021-13-20T04:27:09Z",
                "2021-02-29T04:27:09Z",
                "2021-10-20T24:00:00Z",
                "2021-1a-20T04:27:09Z",
                "",
            ],
        );
    }

    proptest::proptest! {
        #[test]
        fn rfc3339_strict_round_trips(seconds in 0i64..MAX_UNIX_EXCLUSIVE) {
            let t = SigningTime::from_unix_seconds(seconds).unwrap();
            proptest::prop_assert_eq!(SigningTime::parse_rfc3339_strict(&t.to_rfc3339()).unwrap(), t);
        }
    }

    #[test]
    fn malformed_dates_are_refused() {
        assert_refused(
            SigningTime::parse_x_oss_date,
            &[
                "",
                "20231217T033009",
                "2023121xT033009Z",
                "20231317T033009Z",
                "20231217T246009Z",
                "20231217 033009Z",
                "２０２３1217T033009Z",
            ],
        );
        assert_refused(
            SigningTime::parse_rfc3339,
            &[
                "2024-11-12 10:27:56Z",
                "2024-11-12T10:27:56",
                "2024-11-12T10:27:56.Z",
                "2024-13-12T10:27:56Z",
            ],
        );
        assert!(SigningTime::parse_http_date("Wed, 28 Foo 2022 10:27:41 GMT").is_err());
    }
}
