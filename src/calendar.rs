//! Working-day calendars as data: a year's weekend days, holidays (放假) and make-up
//! working days (调休上班), one JSON file per year (`rules/calendars/cn-2025.json`, the
//! format of China's official notices). A pack names the calendars it uses; they are
//! checked when it loads. Deadline arithmetic outside the years they cover is an error,
//! never a guess.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

/// A calendar file, exactly as the JSON.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarFile {
    /// Its name, e.g. `cn-2025`.
    #[allow(dead_code)] // for readers: checked as text, never read
    pub calendar: String,
    /// The year it covers.
    pub year: i32,
    /// Weekend days, e.g. `["Saturday", "Sunday"]`.
    pub weekend: Vec<String>,
    /// Where it comes from (the notice).
    #[serde(default)]
    #[allow(dead_code)] // for readers: checked as text, never read
    pub source: Option<String>,
    /// Holidays: days off.
    #[serde(default)]
    pub holidays: Vec<Holiday>,
    /// Weekend days that are working days (调休上班).
    #[serde(default)]
    pub workdays: Vec<String>,
    /// A note.
    #[serde(default)]
    #[allow(dead_code)] // for readers: checked as text, never read
    pub note: Option<String>,
}

/// A holiday period.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    /// Its name, e.g. 春节.
    pub name: String,
    /// First day off.
    pub from: String,
    /// Last day off.
    pub to: String,
    /// The days off.
    pub days: Vec<String>,
}

#[derive(Debug, Clone)]
struct Year {
    weekend: [bool; 7],
    holidays: HashSet<NaiveDate>,
    workdays: HashSet<NaiveDate>,
}

/// Working days of one or more years.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeMap<i32, Year>,
}

fn weekday(name: &str) -> Option<Weekday> {
    Some(match name {
        "Monday" => Weekday::Mon,
        "Tuesday" => Weekday::Tue,
        "Wednesday" => Weekday::Wed,
        "Thursday" => Weekday::Thu,
        "Friday" => Weekday::Fri,
        "Saturday" => Weekday::Sat,
        "Sunday" => Weekday::Sun,
        _ => return None,
    })
}

/// The longest run of days a deadline may look through (guards against a calendar whose
/// every day is off).
const MAX_SPAN_DAYS: i64 = 3660;

impl Calendar {
    /// Adds a year from the text of a calendar file; every problem is returned.
    pub fn add_file(&mut self, text: &str) -> Result<(), Vec<String>> {
        let f: CalendarFile =
            serde_json::from_str(text).map_err(|e| vec![format!("not a calendar file: {e}")])?;
        let mut problems = Vec::new();
        let mut weekend = [false; 7];
        for w in &f.weekend {
            match weekday(w) {
                Some(d) => weekend[d.num_days_from_monday() as usize] = true,
                None => problems.push(format!(
                    "weekend: '{w}' is not a day name (Monday … Sunday)"
                )),
            }
        }
        let date = |s: &str, what: &str, problems: &mut Vec<String>| -> Option<NaiveDate> {
            match crate::dates::parse_date(s) {
                Some(d) if d.year() == f.year => Some(d),
                Some(_) => {
                    problems.push(format!("{what}: {s} is not in {}", f.year));
                    None
                }
                None => {
                    problems.push(format!("{what}: '{s}' is not a date YYYY-MM-DD"));
                    None
                }
            }
        };
        let mut holidays = HashSet::new();
        for h in &f.holidays {
            let what = format!("holiday {}", h.name);
            let (from, to) = (
                date(&h.from, &what, &mut problems),
                date(&h.to, &what, &mut problems),
            );
            for d in &h.days {
                if let Some(d) = date(d, &what, &mut problems) {
                    if let (Some(a), Some(b)) = (from, to) {
                        if d < a || d > b {
                            problems.push(format!("{what}: {d} is outside {a} to {b}"));
                        }
                    }
                    holidays.insert(d);
                }
            }
        }
        let mut workdays = HashSet::new();
        for s in &f.workdays {
            if let Some(d) = date(s, "workdays", &mut problems) {
                if !weekend[d.weekday().num_days_from_monday() as usize] {
                    problems.push(format!(
                        "workdays: {d} is a {} (not a weekend day), so it is a working day anyway",
                        d.weekday()
                    ));
                }
                if holidays.contains(&d) {
                    problems.push(format!("workdays: {d} is also a holiday"));
                }
                workdays.insert(d);
            }
        }
        if self.years.contains_key(&f.year) {
            problems.push(format!("{} is given by two calendars", f.year));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        self.years.insert(
            f.year,
            Year {
                weekend,
                holidays,
                workdays,
            },
        );
        Ok(())
    }

    /// The years covered.
    pub fn years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    /// Whether `d` is a working day.
    /// Whether `d` falls in one of the calendars' years (the working-day functions can
    /// read it).
    pub fn in_calendars(&self, d: NaiveDate) -> bool {
        self.years.contains_key(&d.year())
    }

    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, String> {
        let y = self.years.get(&d.year()).ok_or_else(|| {
            format!(
                "{d} is outside the pack's calendars (years {:?})",
                self.years()
            )
        })?;
        if y.holidays.contains(&d) {
            return Ok(false);
        }
        if y.workdays.contains(&d) {
            return Ok(true);
        }
        Ok(!y.weekend[d.weekday().num_days_from_monday() as usize])
    }

    /// The date `n` working days after `d` (before it when `n` is negative); `d` itself
    /// when `n` is 0. "Within 5 working days of the month's end" is
    /// `add_working_days(month_end, 5)`.
    pub fn add_working_days(&self, d: NaiveDate, n: i64) -> Result<NaiveDate, String> {
        // the start is read too: a date outside the calendars is an error, even when the
        // day after it is inside them
        self.is_working_day(d)?;
        let step = if n >= 0 { 1 } else { -1 };
        let mut left = n.abs();
        let mut cur = d;
        let mut looked = 0;
        while left > 0 {
            cur = cur
                .checked_add_signed(chrono::Duration::days(step))
                .ok_or("add_working_days leaves the calendar")?;
            looked += 1;
            if looked > MAX_SPAN_DAYS {
                return Err("no working day found within ten years".into());
            }
            if self.is_working_day(cur)? {
                left -= 1;
            }
        }
        Ok(cur)
    }

    /// Working days after `a` up to and including `b` (negative when `b` is before `a`).
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Result<i64, String> {
        if b < a {
            return self.working_days_between(b, a).map(|n| -n);
        }
        // both ends are read, even when they are the same day
        self.is_working_day(a)?;
        self.is_working_day(b)?;
        if (b - a).num_days() > MAX_SPAN_DAYS {
            return Err("working_days_between spans more than ten years".into());
        }
        let mut n = 0;
        let mut cur = a;
        while cur < b {
            cur = cur.succ_opt().ok_or("date out of range")?;
            if self.is_working_day(cur)? {
                n += 1;
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn official() -> Calendar {
        let mut c = Calendar::default();
        for y in [2024, 2025, 2026] {
            let p = format!("{}/rules/calendars/cn-{y}.json", env!("CARGO_MANIFEST_DIR"));
            c.add_file(&std::fs::read_to_string(p).unwrap()).unwrap();
        }
        c
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn every_date_read_is_checked() {
        let c = official();
        // the day after 2023-12-31 is in the calendars, but the start is not
        let e = c.add_working_days(d("2023-12-31"), 1).unwrap_err();
        assert!(e.contains("2023-12-31 is outside the pack's calendars"), "{e}");
        assert!(c.add_working_days(d("2023-12-31"), 0).is_err());
        assert!(c.working_days_between(d("2023-12-31"), d("2024-01-02")).is_err());
        assert!(c.working_days_between(d("2027-01-01"), d("2027-01-01")).is_err());
        assert_eq!(c.working_days_between(d("2024-01-02"), d("2024-01-02")), Ok(0));
        assert!(c.in_calendars(d("2024-01-01")) && c.in_calendars(d("2026-12-31")));
        assert!(!c.in_calendars(d("2023-12-31")) && !c.in_calendars(d("2027-01-01")));
    }

    #[test]
    fn spring_festival_2025() {
        let c = official();
        // January's report is due 5 working days after 2025-01-31: 2025-01-28 … 02-04 are
        // off, 02-05 (Wed) is the first working day, 02-08 (Sat) a make-up working day
        assert!(!c.is_working_day(d("2025-02-04")).unwrap());
        assert!(
            c.is_working_day(d("2025-02-08")).unwrap(),
            "make-up Saturday"
        );
        assert!(c.is_working_day(d("2025-01-26")).unwrap(), "make-up Sunday");
        assert_eq!(
            c.add_working_days(d("2025-01-31"), 1).unwrap(),
            d("2025-02-05")
        );
        assert_eq!(
            c.add_working_days(d("2025-01-31"), 4).unwrap(),
            d("2025-02-08"),
            "the make-up Saturday counts"
        );
        assert_eq!(
            c.add_working_days(d("2025-01-31"), 5).unwrap(),
            d("2025-02-10")
        );
        assert_eq!(
            c.working_days_between(d("2025-01-31"), d("2025-02-10"))
                .unwrap(),
            5
        );
    }

    #[test]
    fn national_day_2026_and_year_ends() {
        let c = official();
        // September's report: 5 working days after 2026-09-30; 10-01 … 10-07 off,
        // 10-10 (Sat) a make-up working day
        assert_eq!(
            c.add_working_days(d("2026-09-30"), 1).unwrap(),
            d("2026-10-08")
        );
        assert_eq!(
            c.add_working_days(d("2026-09-30"), 3).unwrap(),
            d("2026-10-10"),
            "due on a make-up Saturday"
        );
        assert_eq!(
            c.add_working_days(d("2026-09-30"), 5).unwrap(),
            d("2026-10-13")
        );
        // December 2024's report crosses into 2025 (元旦 off)
        assert_eq!(
            c.add_working_days(d("2024-12-31"), 1).unwrap(),
            d("2025-01-02")
        );
        assert_eq!(
            c.add_working_days(d("2025-02-10"), -5).unwrap(),
            d("2025-01-27")
        );
        assert_eq!(
            c.working_days_between(d("2025-02-10"), d("2025-01-31"))
                .unwrap(),
            -5
        );
        assert!(c
            .add_working_days(d("2026-12-31"), 1)
            .unwrap_err()
            .contains("outside the pack's calendars"));
    }

    #[test]
    fn bad_calendars_are_refused_with_every_problem() {
        let mut c = Calendar::default();
        let bad = r#"{"calendar": "x", "year": 2025, "weekend": ["Saturday", "Sundae"],
            "holidays": [{"name": "h", "from": "2025-01-01", "to": "2025-01-02", "days": ["2025-01-03", "2024-12-31"]}],
            "workdays": ["2025-01-06", "2025-01-04", "2025-13-01"]}"#;
        let e = c.add_file(bad).unwrap_err();
        let all = e.join("\n");
        for needle in [
            "'Sundae' is not a day name",
            "2025-01-03 is outside",
            "2024-12-31 is not in 2025",
            "2025-01-06 is a Mon",
            "'2025-13-01' is not a date",
        ] {
            assert!(all.contains(needle), "{needle} missing in:\n{all}");
        }
        assert!(c.add_file(r#"{"calendar": "x"}"#).unwrap_err()[0].contains("not a calendar file"));
    }
}
