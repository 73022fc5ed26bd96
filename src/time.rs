//! Time as a plain value: the detector and policy take `now` as an argument and never read a clock,
//! so tests and the simulator drive them in virtual time.

use std::fmt;
use std::ops::{Add, Sub};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// From whole seconds since the epoch.
    pub const fn from_secs(secs: u64) -> Self {
        Self(secs * 1000)
    }

    /// From milliseconds since the epoch.
    pub const fn from_millis(ms: u64) -> Self {
        Self(ms)
    }

    /// Milliseconds since the epoch.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Whole seconds since the epoch.
    pub const fn as_secs(self) -> u64 {
        self.0 / 1000
    }

    /// Time elapsed from `earlier` to `self`, zero if `earlier` is later.
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }

    /// The wall clock, for the Lambda and CLI edges only (never the detector).
    pub fn now() -> Self {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        Self(ms)
    }

    /// Parses RFC 3339 (`2026-11-20T09:14:03Z`, `...+00:00`) and CloudWatch's `+0000` offsets.
    pub fn parse_rfc3339(input: &str) -> Option<Self> {
        parse_rfc3339(input)
    }

    /// The UTC calendar date: `(year, month 1-12, day 1-31)`.
    pub fn date(self) -> (i64, u32, u32) {
        civil_from_days((self.as_secs() / 86_400) as i64)
    }

    /// The UTC day of the week, 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday).
    pub fn weekday(self) -> u32 {
        ((self.as_secs() / 86_400 + 3) % 7) as u32
    }

    /// Whether this is the last day of its month (UTC).
    pub fn is_last_day_of_month(self) -> bool {
        let (_, month, _) = (self + Duration::from_secs(86_400)).date();
        month != self.date().1
    }

    /// Formats as RFC 3339 in UTC with second precision, e.g. `2026-11-20T09:14:03Z`.
    pub fn to_rfc3339(self) -> String {
        let secs = self.as_secs();
        let (y, m, d) = civil_from_days((secs / 86_400) as i64);
        let rem = secs % 86_400;
        format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
    }
}

impl Add<Duration> for Timestamp {
    type Output = Timestamp;
    fn add(self, rhs: Duration) -> Timestamp {
        Timestamp(self.0.saturating_add(rhs.as_millis() as u64))
    }
}

impl Sub<Duration> for Timestamp {
    type Output = Timestamp;
    fn sub(self, rhs: Duration) -> Timestamp {
        Timestamp(self.0.saturating_sub(rhs.as_millis() as u64))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

// Howard Hinnant's days-from-civil algorithms: exact for the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

fn parse_rfc3339(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() < 20 || b.len() > 40 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let t = s.get(r)?;
        if t.bytes().all(|c| c.is_ascii_digit()) { t.parse().ok() } else { None }
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if b[13] != b':' || b[16] != b':' || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    if hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut millis = 0u64;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let frac = s.get(start..i)?;
        if frac.is_empty() {
            return None;
        }
        let padded: String = frac.chars().chain("000".chars()).take(3).collect();
        millis = padded.parse().ok()?;
    }
    let offset_secs: i64 = match s.get(i..)? {
        "Z" | "z" => 0,
        tz if tz.len() == 6 || tz.len() == 5 => {
            let sign = match tz.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = tz[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let h: i64 = digits[..2].parse().ok()?;
            let m: i64 = digits[2..].parse().ok()?;
            sign * (h * 3600 + m * 60)
        }
        _ => return None,
    };
    let days = days_from_civil(year as i64, month, day);
    let secs = days * 86_400 + (hour * 3600 + min * 60 + sec) as i64 - offset_secs;
    if secs < 0 {
        return None;
    }
    Some(Timestamp(secs as u64 * 1000 + millis))
}

/// `13.0 s`, `5 min 12 s`, `7 h 2 min`, `24 h 5 min`, `9 days 23 h`: what a person would say.
pub fn spoken(secs: f64) -> String {
    if secs < 60.0 {
        return format!("{secs:.1} s");
    }
    let whole = secs.round() as u64;
    if whole < 3_600 {
        let (m, s) = (whole / 60, whole % 60);
        return if s == 0 { format!("{m} min") } else { format!("{m} min {s} s") };
    }
    let minutes = (secs / 60.0).round() as u64;
    if minutes >= 48 * 60 {
        let hours = (secs / 3_600.0).round() as u64;
        let (d, h) = (hours / 24, hours % 24);
        return if h == 0 { format!("{d} days") } else { format!("{d} days {h} h") };
    }
    let (h, m) = (minutes / 60, minutes % 60);
    if m == 0 { format!("{h} h") } else { format!("{h} h {m} min") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_aws_timestamp_variants() {
        let z = Timestamp::parse_rfc3339("2026-11-20T09:14:03Z").unwrap();
        assert_eq!(z.to_rfc3339(), "2026-11-20T09:14:03Z");
        assert_eq!(
            Timestamp::parse_rfc3339("2026-11-20T09:14:03.512+0000").unwrap().as_millis(),
            z.as_millis() + 512
        );
        assert_eq!(Timestamp::parse_rfc3339("2026-11-20T10:14:03+01:00"), Some(z));
        for bad in
            ["", "2026-13-20T09:14:03Z", "2026-11-20T09:14:03", "2026-11-20T09:14:03+0x00", "yesterday"]
        {
            assert_eq!(Timestamp::parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn knows_the_weekday_and_the_end_of_the_month() {
        let at = |s: &str| Timestamp::parse_rfc3339(s).unwrap();
        assert_eq!(at("2026-11-20T23:59:59Z").weekday(), 4, "a Friday");
        assert_eq!(at("2026-11-23T00:00:00Z").weekday(), 0, "a Monday");
        assert_eq!(at("2026-11-20T10:00:00Z").date(), (2026, 11, 20));
        assert!(at("2026-11-30T10:00:00Z").is_last_day_of_month());
        assert!(at("2028-02-29T10:00:00Z").is_last_day_of_month());
        assert!(!at("2028-02-28T10:00:00Z").is_last_day_of_month());
    }

    #[test]
    fn round_trips_through_civil_dates() {
        for secs in [0u64, 951_782_400, 1_763_630_520, 4_102_444_800] {
            let t = Timestamp::from_secs(secs);
            assert_eq!(Timestamp::parse_rfc3339(&t.to_rfc3339()), Some(t));
        }
    }
}
