//! Calendar dates at the precision an editor gave them (`2023`, `2023-05`, `2023-05-12`),
//! the build date, and anniversary arithmetic. No time zones: the portal deals in days.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A date known to the year, the month or the day. Orders chronologically, with a less precise
/// date sorting before a more precise one in the same period (`2023` < `2023-01` < `2023-01-01`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

/// What `parse` expects, quoted in error messages.
pub const EXPECTED: &str = "a date like 2023-01-15, 2023-01 or 2023";

impl PartialDate {
    pub fn ymd(year: i32, month: u8, day: u8) -> Self {
        PartialDate {
            year,
            month: Some(month),
            day: Some(day),
        }
    }

    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checking that the day exists in that month.
    pub fn parse(text: &str) -> Option<Self> {
        let parts: Vec<&str> = text.trim().split('-').collect();
        let number = |s: &str, len: usize| -> Option<u32> {
            (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        let year = number(parts.first()?, 4)? as i32;
        let month = match parts.get(1) {
            Some(m) => Some(number(m, 2).filter(|m| (1..=12).contains(m))? as u8),
            None => None,
        };
        let day = match parts.get(2) {
            Some(d) => {
                let d = number(d, 2)? as u8;
                Some((d >= 1 && d <= days_in_month(year, month?)).then_some(d)?)
            }
            None => None,
        };
        (parts.len() <= 3).then_some(PartialDate { year, month, day })
    }

    /// The first day of the period, for comparisons with a full date.
    pub fn first_day(&self) -> PartialDate {
        PartialDate::ymd(self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
    }

    /// The date in words, in the page's language: `2023年5月12日` / `12 May 2023`.
    pub fn display(&self, lang: &str) -> String {
        // Numbers through itoa rather than `format!`: every card shows its dates.
        let mut number = itoa::Buffer::new();
        let mut s = String::with_capacity(24);
        if lang.starts_with("zh") {
            s.push_str(number.format(self.year));
            s.push('年');
            if let Some(m) = self.month {
                s.push_str(number.format(m));
                s.push('月');
            }
            if let Some(d) = self.day {
                s.push_str(number.format(d));
                s.push('日');
            }
            return s;
        }
        let month = self.month.map(|m| MONTHS[usize::from(m) - 1]);
        if let (Some(d), Some(_)) = (self.day, month) {
            s.push_str(number.format(d));
            s.push(' ');
        }
        if let Some(m) = month {
            s.push_str(m);
            s.push(' ');
        }
        s.push_str(number.format(self.year));
        s
    }

    /// The `n`th anniversary of this date: 29 February falls on 28 February in common years.
    pub fn anniversary(&self, n: i32) -> PartialDate {
        let year = self.year + n;
        let day = match (self.month, self.day) {
            (Some(m), Some(d)) => Some(d.min(days_in_month(year, m))),
            _ => self.day,
        };
        PartialDate {
            year,
            month: self.month,
            day,
        }
    }

    /// The next round (every `step` years) anniversary on or after `today`, as (years, date).
    /// Year-only and year-month dates count by year: their anniversary is "in that year".
    pub fn next_round_anniversary(&self, today: PartialDate, step: i32) -> (i32, PartialDate) {
        let mut n = ((today.year - self.year) / step).max(1) * step;
        loop {
            let date = self.anniversary(n);
            let due = match (date.month, date.day) {
                (Some(_), Some(_)) => date >= today,
                _ => date.year >= today.year,
            };
            if due {
                return (n, date);
            }
            n += step;
        }
    }

    /// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    pub fn from_unix_days(days: i64) -> PartialDate {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        PartialDate::ymd(year, month, day)
    }

    /// The build date: `SOURCE_DATE_EPOCH` when set (reproducible builds), else today (UTC).
    /// A malformed value counts as unset here: commands refuse it first (`source_date_epoch`).
    pub fn build_date() -> PartialDate {
        let secs = source_date_epoch().ok().flatten().unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        });
        PartialDate::from_unix_days(secs.div_euclid(86_400))
    }
}

/// The last second of the year 9999, the latest build time a date here can show.
const LAST_SECOND: i64 = 253_402_300_799;

/// `SOURCE_DATE_EPOCH` in seconds, `None` when unset or empty; an error saying what is expected
/// when it is not a whole number of seconds from 1970 to the year 9999.
pub fn source_date_epoch() -> Result<Option<i64>, String> {
    let Some(value) = std::env::var_os("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    let text = value.to_string_lossy();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<i64>() {
        Ok(secs) if (0..=LAST_SECOND).contains(&secs) => Ok(Some(secs)),
        _ => Err(format!(
            "SOURCE_DATE_EPOCH={text:?}: expected the build time in whole seconds since \
             1970-01-01 UTC, as `date +%s` prints it (0 to {LAST_SECOND})"
        )),
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// ISO 8601 at the given precision: `2023`, `2023-05`, `2023-05-12` (the `<time datetime>` form).
impl fmt::Display for PartialDate {
    /// `2023-05-12`, the digits placed by hand rather than padded by `{:02}`: every card's
    /// dates are serialized through here, and `fmt`'s padding made that ~1 % of a build.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match u32::try_from(self.year) {
            Ok(year) if year <= 9999 => write_padded::<4>(f, year)?,
            _ => write!(f, "{:04}", self.year)?,
        }
        for part in [self.month, self.day].into_iter().flatten() {
            f.write_str("-")?;
            write_padded::<2>(f, part.into())?;
        }
        Ok(())
    }
}

/// Writes `n` (below 10^N) in `N` digits, zero-padded.
fn write_padded<const N: usize>(f: &mut fmt::Formatter<'_>, mut n: u32) -> fmt::Result {
    let mut digits = [b'0'; N];
    for digit in digits.iter_mut().rev() {
        *digit += (n % 10) as u8;
        n /= 10;
    }
    f.write_str(std::str::from_utf8(&digits).map_err(|_| fmt::Error)?)
}

impl Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// From what `Serialize` writes (for the build cache): a date `parse` reads back as it was.
impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        PartialDate::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a date")))
    }
}

/// English ordinal: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 35th.
pub fn ordinal(n: i32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_reads_back_as_it_was_written_by_the_build_cache() {
        for text in ["2023", "2023-05", "2024-02-29", "0999", "1001-12-31"] {
            let date = PartialDate::parse(text).unwrap();
            let bytes = bincode::serialize(&date).unwrap();
            assert_eq!(bincode::deserialize::<PartialDate>(&bytes).unwrap(), date);
        }
        let not_a_date = bincode::serialize("2023-02-30").unwrap();
        assert!(bincode::deserialize::<PartialDate>(&not_a_date).is_err());
    }

    fn d(s: &str) -> PartialDate {
        PartialDate::parse(s).unwrap()
    }

    #[test]
    fn parses_three_precisions_and_rejects_the_rest() {
        assert_eq!(d("2023").to_string(), "2023");
        assert_eq!(d("2023-05").to_string(), "2023-05");
        assert_eq!(d("2024-02-29").to_string(), "2024-02-29");
        for bad in [
            "spring 2023",
            "2023-13",
            "2023-02-29",
            "23",
            "2023-5",
            "2023-05-12-1",
            "",
        ] {
            assert_eq!(PartialDate::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn orders_mixed_precisions() {
        let mut v = [d("2023-05-12"), d("2022"), d("2023"), d("2023-05")];
        v.sort();
        let s: Vec<String> = v.iter().map(|x| x.to_string()).collect();
        assert_eq!(s, ["2022", "2023", "2023-05", "2023-05-12"]);
    }

    #[test]
    fn iso_form_pads_like_fmt_at_any_year() {
        for year in [0, 7, 45, 999, 2023, 9999, 10_000, 123_456, -5, -2023] {
            let date = PartialDate::ymd(year, 3, 9);
            assert_eq!(date.to_string(), format!("{year:04}-03-09"));
        }
    }

    #[test]
    fn displays_in_both_languages() {
        assert_eq!(d("2023-05").display("zh"), "2023年5月");
        assert_eq!(d("2023-05").display("en"), "May 2023");
        assert_eq!(d("2023-07-06").display("en"), "6 July 2023");
        assert_eq!(d("2023-07-06").display("zh"), "2023年7月6日");
        assert_eq!(d("2023").display("en"), "2023");
        assert_eq!(d("2023").display("zh"), "2023年");
    }

    #[test]
    fn leap_day_anniversary_falls_on_28_february() {
        let signed = d("2004-02-29");
        assert_eq!(signed.anniversary(5).to_string(), "2009-02-28");
        assert_eq!(signed.anniversary(20).to_string(), "2024-02-29");
        let (n, when) = signed.next_round_anniversary(d("2026-11-25"), 5);
        assert_eq!((n, when.to_string()), (25, "2029-02-28".into()));
    }

    #[test]
    fn next_anniversary_counts_from_today() {
        let today = d("2026-11-25");
        assert_eq!(d("1988").next_round_anniversary(today, 5).0, 40);
        assert_eq!(d("2023").next_round_anniversary(today, 5).0, 5);
        // Year-only: the anniversary year itself still counts as upcoming.
        assert_eq!(d("2006").next_round_anniversary(today, 5).0, 20);
        // Full date already passed this year: the next round one.
        let (n, when) = d("2001-03-01").next_round_anniversary(today, 5);
        assert_eq!((n, when.to_string()), (30, "2031-03-01".into()));
        let (n, _) = d("2001-12-01").next_round_anniversary(today, 5);
        assert_eq!(n, 25);
    }

    #[test]
    fn unix_days_to_civil() {
        assert_eq!(PartialDate::from_unix_days(0).to_string(), "1970-01-01");
        assert_eq!(
            PartialDate::from_unix_days(19_723).to_string(),
            "2024-01-01"
        );
        assert_eq!(
            PartialDate::from_unix_days(11_016).to_string(),
            "2000-02-29"
        );
    }

    #[test]
    fn ordinals() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 35, 40].map(ordinal).to_vec();
        assert_eq!(
            got,
            ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "35th", "40th"]
        );
    }
}
