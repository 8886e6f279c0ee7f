//! Calendar dates: the one place that parses them and does month arithmetic, for
//! packs, data, expressions, scripts and calendars alike.

use chrono::{Datelike, Months, NaiveDate};

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    // exactly YYYY-MM-DD (chrono's format parser is lenient about widths, and slow)
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// Whole months from `a` to `b` (negative when b is before a).
pub fn months_between(a: NaiveDate, b: NaiveDate) -> i64 {
    if b < a {
        return -months_between(b, a);
    }
    let mut m = (b.year() as i64 - a.year() as i64) * 12 + b.month() as i64 - a.month() as i64;
    if b.day() < a.day() {
        // not a whole month yet, unless `a`'s day does not exist in b's month and b is its last day
        let last_of_b = b
            .checked_add_months(Months::new(1))
            .and_then(|x| x.with_day(1))
            .and_then(|x| x.pred_opt())
            .map(|x| x.day())
            .unwrap_or(31);
        if !(b.day() == last_of_b && a.day() > last_of_b) {
            m -= 1;
        }
    }
    m
}

/// `d` plus `n` months, clamped to the last day of the month.
pub fn add_months(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    let m = Months::new(u32::try_from(n.unsigned_abs()).ok()?);
    if n >= 0 {
        d.checked_add_months(m)
    } else {
        d.checked_sub_months(m)
    }
}
