//! IMAP's `date-time` (INTERNALDATE, APPEND) and `date` (SEARCH).

use std::fmt;

use crate::encode::Writer;
use crate::error::ErrorKind;
use crate::lex::{Cursor, PResult};
use crate::string::ValueError;

const MONTHS: [&[u8; 3]; 12] =
    [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];

/// A calendar date (`date` in SEARCH BEFORE/ON/SINCE …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// Year (four digits).
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, 1–31.
    pub day: u8,
}

impl Date {
    /// A date, checked (the day against the month's length).
    pub fn new(year: u16, month: u8, day: u8) -> Result<Date, ValueError> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) || year > 9999 {
            return Err(ValueError { what: "date", why: "no such day" });
        }
        Ok(Date { year, month, day })
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(&self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date of a day counted from 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)).clamp(0, 9999) as u16;
        Date { year, month, day }
    }

    /// `date`: `d-Mon-yyyy`, bare or quoted.
    pub(crate) fn parse(c: &mut Cursor<'_>) -> PResult<Date> {
        let quoted = c.eat(b'"');
        let d = date_text(c, "date", false)?;
        if quoted {
            c.expect(b'"', "date", "'\"'")?;
        }
        Ok(d)
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.number(u64::from(self.day)).byte(b'-');
        w.raw(MONTHS[usize::from(self.month - 1)]).byte(b'-');
        w.raw(&digits_of::<4>(u32::from(self.year)));
    }
}

/// `n` as exactly `N` decimal digits, zero-padded (higher digits dropped).
fn digits_of<const N: usize>(mut n: u32) -> [u8; N] {
    let mut out = [b'0'; N];
    for d in out.iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// `date-day-fixed "-" date-month "-" date-year` (`fixed`) or
/// `date-day "-" …`.
fn date_text(c: &mut Cursor<'_>, rule: &'static str, fixed: bool) -> PResult<Date> {
    let start = c.pos();
    let day = if fixed && c.eat(b' ') { digits(c, rule, 1)? } else { digits_1_2(c, rule)? };
    c.expect(b'-', rule, "'-'")?;
    let rest = c.rest();
    let month = rest
        .get(..3)
        .and_then(|m| MONTHS.iter().position(|name| m.eq_ignore_ascii_case(&name[..])))
        .ok_or_else(|| c.expected(rule, "a month name"))?;
    c.advance(3);
    c.expect(b'-', rule, "'-'")?;
    let year = digits(c, rule, 4)?;
    Date::new(year as u16, month as u8 + 1, day as u8)
        .map_err(|_| crate::error::ParseError::new(start, rule, ErrorKind::Expected("a valid date")))
}

fn digits(c: &mut Cursor<'_>, rule: &'static str, n: usize) -> PResult<u32> {
    let mut v = 0;
    for _ in 0..n {
        match c.peek() {
            Some(d @ b'0'..=b'9') => {
                v = v * 10 + u32::from(d - b'0');
                c.advance(1);
            }
            _ => return Err(c.expected(rule, "a digit")),
        }
    }
    Ok(v)
}

fn digits_1_2(c: &mut Cursor<'_>, rule: &'static str) -> PResult<u32> {
    let first = digits(c, rule, 1)?;
    match c.peek() {
        Some(d @ b'0'..=b'9') => {
            c.advance(1);
            Ok(first * 10 + u32::from(d - b'0'))
        }
        _ => Ok(first),
    }
}

/// A moment with its zone offset: `date-time`, as in INTERNALDATE
/// (`"17-Jul-1996 02:44:25 -0700"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// The local date.
    pub date: Date,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–60.
    pub second: u8,
    /// Offset from UTC in minutes (−0700 is −420).
    pub offset_minutes: i16,
}

impl DateTime {
    /// A date-time, checked.
    pub fn new(
        date: Date,
        hour: u8,
        minute: u8,
        second: u8,
        offset_minutes: i16,
    ) -> Result<DateTime, ValueError> {
        if hour > 23 || minute > 59 || second > 60 || offset_minutes.abs() > 99 * 60 + 59 {
            return Err(ValueError { what: "date-time", why: "time or zone out of range" });
        }
        Ok(DateTime { date, hour, minute, second, offset_minutes })
    }

    /// The date-time of a Unix timestamp, in UTC.
    pub fn from_unix(seconds: i64) -> DateTime {
        let days = seconds.div_euclid(86_400);
        let secs = seconds.rem_euclid(86_400);
        DateTime {
            date: Date::from_days_since_epoch(days),
            hour: (secs / 3600) as u8,
            minute: (secs / 60 % 60) as u8,
            second: (secs % 60) as u8,
            offset_minutes: 0,
        }
    }

    /// Seconds since the Unix epoch.
    pub fn to_unix(&self) -> i64 {
        self.date.days_since_epoch() * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.offset_minutes) * 60
    }

    /// `date-time`: `DQUOTE date-day-fixed "-" date-month "-" date-year SP
    /// time SP zone DQUOTE`.
    pub(crate) fn parse(c: &mut Cursor<'_>) -> PResult<DateTime> {
        const RULE: &str = "date-time";
        let start = c.pos();
        c.expect(b'"', RULE, "'\"'")?;
        let date = date_text(c, RULE, true)?;
        c.sp(RULE)?;
        let hour = digits(c, RULE, 2)?;
        c.expect(b':', RULE, "':'")?;
        let minute = digits(c, RULE, 2)?;
        c.expect(b':', RULE, "':'")?;
        let second = digits(c, RULE, 2)?;
        c.sp(RULE)?;
        let sign: i16 = match c.peek() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return Err(c.expected(RULE, "'+' or '-'")),
        };
        c.advance(1);
        let zh = digits(c, RULE, 2)? as i16;
        let zm = digits(c, RULE, 2)? as i16;
        c.expect(b'"', RULE, "'\"'")?;
        DateTime::new(date, hour as u8, minute as u8, second as u8, sign * (zh * 60 + zm))
            .map_err(|_| crate::error::ParseError::new(start, RULE, ErrorKind::Expected("a valid time")))
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        // Written often (INTERNALDATE in every FETCH): no formatting
        // machinery, no allocation.
        let off = self.offset_minutes.unsigned_abs();
        w.byte(b'"').raw(&digits_of::<2>(u32::from(self.date.day))).byte(b'-');
        w.raw(MONTHS[usize::from(self.date.month - 1)]).byte(b'-');
        w.raw(&digits_of::<4>(u32::from(self.date.year))).sp();
        w.raw(&digits_of::<2>(u32::from(self.hour))).byte(b':');
        w.raw(&digits_of::<2>(u32::from(self.minute))).byte(b':');
        w.raw(&digits_of::<2>(u32::from(self.second))).sp();
        w.byte(if self.offset_minutes < 0 { b'-' } else { b'+' });
        w.raw(&digits_of::<2>(u32::from(off / 60))).raw(&digits_of::<2>(u32::from(off % 60))).byte(b'"');
    }
}

impl fmt::Display for DateTime {
    /// The wire form, quotes included.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut w = Writer::default();
        self.encode(&mut w);
        f.write_str(&String::from_utf8_lossy(w.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn dt(s: &str) -> PResult<DateTime> {
        let b = Bytes::copy_from_slice(s.as_bytes());
        let l = crate::Limits::default();
        DateTime::parse(&mut Cursor::new(&b, &l))
    }

    #[test]
    fn round_trip() {
        let d = dt("\"17-Jul-1996 02:44:25 -0700\"").unwrap();
        assert_eq!(d.offset_minutes, -420);
        assert_eq!(d.to_string(), "\"17-Jul-1996 02:44:25 -0700\"");
        assert_eq!(d.to_unix(), 837_596_665);
        assert_eq!(DateTime::from_unix(837_596_665).to_unix(), 837_596_665);
        assert!(dt("\" 7-Jul-1996 02:44:25 +0000\"").is_ok());
        assert!(dt("\"31-Feb-1996 02:44:25 +0000\"").is_err());
        assert!(dt("\"17-Jly-1996 02:44:25 +0000\"").is_err());
    }

    #[test]
    fn epoch_days() {
        for days in [-1000, 0, 1, 59, 60, 10_957, 20_000] {
            assert_eq!(Date::from_days_since_epoch(days).days_since_epoch(), days);
        }
    }
}
