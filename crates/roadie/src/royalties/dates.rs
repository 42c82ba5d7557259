//! Periods and dates as statements write them.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

/// A calendar month, shown and stored as `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, TS)]
#[ts(type = "string")]
pub struct YearMonth {
    pub year: i32,
    pub month: u32,
}

impl YearMonth {
    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((1..=12).contains(&month) && (1900..=2999).contains(&year)).then_some(Self { year, month })
    }
    pub fn of(date: NaiveDate) -> Self {
        Self { year: date.year(), month: date.month() }
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl std::str::FromStr for YearMonth {
    type Err = String;
    /// Strictly `YYYY-MM` (what users type on the command line).
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("'{s}' is not a month as YYYY-MM");
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        YearMonth::new(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?).ok_or_else(bad)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// The month of a date or period as found in statements: `2023-02-02`, `2021-04`, `202104`,
/// `20151231`, `10/15/2023 12:00:00 AM`, `11/25/22 5:45pm` (US month first), `2016-01-21T15:09:26Z`,
/// `Feb 2023`, `February 2023`, `2023/02`, `2023.02`, `2023年2月`.
pub fn parse_month(input: &str) -> Result<YearMonth, String> {
    parse_month_in(input, DateOrder::Auto)
}

/// How a mapped statement writes its dates, when the user says (a column mapping's choice).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// Any style [`parse_month`] reads (slashed dates US month first).
    #[default]
    Auto,
    /// Year first only: `2023-02`, `202302`, `2023-02-15`, `2023/02/15`, `2023年2月`.
    Ymd,
    /// US order: `02/15/2023`.
    Mdy,
    /// Day first: `15/02/2023`, `15.02.2023`.
    Dmy,
}

/// The month of a date or period, with the date order the user chose.
pub fn parse_month_in(input: &str, order: DateOrder) -> Result<YearMonth, String> {
    let bad = || format!("'{}' is not a date or month", input.trim());
    let s = input.trim();
    if s.is_empty() {
        return Err("the date is empty".into());
    }
    // Drop a time part.
    let date = s.split(['T', ' ']).next().unwrap_or(s);
    let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    let year = |t: &str| -> Option<i32> {
        let y: i32 = t.parse().ok()?;
        match t.len() {
            4 => Some(y),
            2 => Some(2000 + y),
            _ => None,
        }
    };
    // Up to three parts, on the stack (this runs twice per statement line); more match nothing.
    let mut split = date.split(['-', '/', '.']);
    let mut parts = [""; 3];
    let mut n = 0;
    for part in split.by_ref().take(3) {
        parts[n] = part;
        n += 1;
    }
    let parts: &[&str] = if split.next().is_some() { &[] } else { &parts[..n] };
    let found = match parts {
        [whole] if digits(whole) && whole.len() == 6 => YearMonth::new(whole[..4].parse().ok().unwrap_or(0), whole[4..].parse().unwrap_or(0)),
        [whole] if digits(whole) && whole.len() == 8 => YearMonth::new(whole[..4].parse().ok().unwrap_or(0), whole[4..6].parse().unwrap_or(0)),
        [y, m] if digits(y) && y.len() == 4 && digits(m) => YearMonth::new(year(y).unwrap_or(0), m.parse().unwrap_or(0)),
        [m, y] if order != DateOrder::Ymd && digits(m) && m.len() <= 2 && digits(y) && y.len() == 4 => YearMonth::new(year(y).unwrap_or(0), m.parse().unwrap_or(0)),
        [y, m, d] if digits(y) && y.len() == 4 && digits(m) && digits(d) => {
            NaiveDate::from_ymd_opt(year(y).unwrap_or(0), m.parse().unwrap_or(0), d.parse().unwrap_or(0)).map(YearMonth::of)
        }
        [d, m, y] if order == DateOrder::Dmy && digits(m) && digits(d) && digits(y) => {
            NaiveDate::from_ymd_opt(year(y).unwrap_or(0), m.parse().unwrap_or(0), d.parse().unwrap_or(0)).map(YearMonth::of)
        }
        [_, _, _] if order == DateOrder::Ymd => None,
        // US order, as CD Baby and Bandcamp write dates.
        [m, d, y] if digits(m) && digits(d) && digits(y) => {
            NaiveDate::from_ymd_opt(year(y).unwrap_or(0), m.parse().unwrap_or(0), d.parse().unwrap_or(0)).map(YearMonth::of)
        }
        _ => None,
    };
    if let Some(found) = found {
        return Ok(found);
    }
    // "2023年2月"
    if let Some((y, rest)) = s.split_once('年') {
        let m = rest.trim_end_matches(|c: char| !c.is_ascii_digit()).split('月').next().unwrap_or("");
        if let (Some(y), Ok(m)) = (year(y.trim()), m.trim().parse()) {
            return YearMonth::new(y, m).ok_or_else(bad);
        }
    }
    // "Feb 2023", "February 2023", "Feb-23"
    let words: Vec<&str> = s.split([' ', '-', ',']).filter(|w| !w.is_empty()).collect();
    if let [m, y] = words.as_slice() {
        let lower = m.to_lowercase();
        if let Some(i) = MONTHS.iter().position(|name| lower.starts_with(name)) {
            if let Some(y) = year(y) {
                return YearMonth::new(y, i as u32 + 1).ok_or_else(bad);
            }
        }
    }
    Err(bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_from_every_statement_style() {
        let cases = [
            ("2023-02-02", "2023-02"),
            ("2021-04", "2021-04"),
            ("202104", "2021-04"),
            ("20151231", "2015-12"),
            ("10/15/2023 12:00:00 AM", "2023-10"),
            ("11/25/22 5:45pm", "2022-11"),
            ("2016-01-21T15:09:26Z", "2016-01"),
            ("Feb 2023", "2023-02"),
            ("February 2023", "2023-02"),
            ("2023/02", "2023-02"),
            ("2023年2月", "2023-02"),
            ("03/2024", "2024-03"),
        ];
        for (input, want) in cases {
            assert_eq!(parse_month(input).map(|m| m.to_string()), Ok(want.to_string()), "{input}");
        }
        for bad in ["", "yesterday", "2023-13", "13/45/2023", "2023-02-30"] {
            assert!(parse_month(bad).is_err(), "{bad}");
        }
        assert_eq!("2024-01".parse::<YearMonth>().unwrap().to_string(), "2024-01");
        assert!("2024-1".parse::<YearMonth>().is_err());
    }

    #[test]
    fn a_chosen_date_order_reads_day_first_dates() {
        assert_eq!(parse_month_in("15/02/2023", DateOrder::Dmy).unwrap().to_string(), "2023-02");
        assert_eq!(parse_month_in("01.12.2023", DateOrder::Dmy).unwrap().to_string(), "2023-12");
        assert_eq!(parse_month_in("01.12.2023", DateOrder::Mdy).unwrap().to_string(), "2023-01");
        assert!(parse_month_in("15/02/2023", DateOrder::Mdy).is_err());
        assert!(parse_month_in("02/15/2023", DateOrder::Ymd).is_err());
        // Year-first styles read the same in every order.
        for order in [DateOrder::Auto, DateOrder::Ymd, DateOrder::Mdy, DateOrder::Dmy] {
            assert_eq!(parse_month_in("2023-02-15", order).unwrap().to_string(), "2023-02");
            assert_eq!(parse_month_in("2023年2月", order).unwrap().to_string(), "2023-02");
        }
    }
}
