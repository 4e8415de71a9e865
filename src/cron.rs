//! A 5-field POSIX cron matcher (`min hour dom mon dow`) in an IANA timezone: the schedule of
//! a deployment. At the bottom layer because both sides need it: the simulator fires
//! deployments with it and the dashboard computes their next fire times locally.

/// Microseconds since the Unix epoch.
pub type Micros = i64;
pub const MINUTE: Micros = 60_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: u64,
    hours: u32,
    days: u32,
    months: u16,
    weekdays: u8,
    /// POSIX: when both day fields are restricted, a day matches if either does.
    dom_any: bool,
    dow_any: bool,
    tz: jiff::tz::TimeZone,
}

fn parse_field(field: &str, min: u32, max: u32, dow: bool) -> Result<u64, String> {
    let mut bits = 0u64;
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (
                r,
                s.parse::<u32>()
                    .map_err(|_| format!("bad step in {part:?}"))?,
            ),
            None => (part, 1),
        };
        if step == 0 {
            return Err(format!("zero step in {part:?}"));
        }
        let (lo, hi) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            let a = a.parse::<u32>().map_err(|_| format!("bad value {a:?}"))?;
            let b = b.parse::<u32>().map_err(|_| format!("bad value {b:?}"))?;
            (a, b)
        } else {
            let v = range
                .parse::<u32>()
                .map_err(|_| format!("bad value {range:?}"))?;
            // `5/15` means from 5 to the end in steps of 15.
            (v, if part.contains('/') { max } else { v })
        };
        if lo < min || hi > max || lo > hi {
            return Err(format!("{part:?} is out of range {min}-{max}"));
        }
        let mut v = lo;
        while v <= hi {
            // Sunday is both 0 and 7.
            let bit = if dow && v == 7 { 0 } else { v };
            bits |= 1u64 << bit;
            v += step;
        }
    }
    Ok(bits)
}

impl Cron {
    pub fn parse(expression: &str, timezone: &str) -> Result<Cron, String> {
        let fields: Vec<&str> = expression.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "cron expression must have 5 fields, got {}",
                fields.len()
            ));
        }
        let tz = jiff::tz::TimeZone::get(timezone)
            .map_err(|_| format!("unknown timezone {timezone:?}"))?;
        Ok(Cron {
            minutes: parse_field(fields[0], 0, 59, false)?,
            hours: parse_field(fields[1], 0, 23, false)? as u32,
            days: parse_field(fields[2], 1, 31, false)? as u32,
            months: parse_field(fields[3], 1, 12, false)? as u16,
            weekdays: parse_field(fields[4], 0, 7, true)? as u8,
            dom_any: fields[2] == "*",
            dow_any: fields[4] == "*",
            tz,
        })
    }

    /// Does the minute starting at `t` (a whole minute) match?
    pub fn matches(&self, t: Micros) -> bool {
        let Ok(ts) = jiff::Timestamp::from_microsecond(t) else {
            return false;
        };
        let dt = self.tz.to_datetime(ts);
        let (minute, hour) = (dt.minute() as u32, dt.hour() as u32);
        self.minutes & (1 << minute) != 0 && self.hours & (1 << hour) != 0 && self.day_matches(&dt)
    }

    /// The first matching minute strictly after `t`, searching at most `horizon`. Skips whole
    /// local days and hours that cannot match, so a yearly schedule costs a few hundred steps.
    pub fn next_after(&self, t: Micros, horizon: Micros) -> Option<Micros> {
        let mut m = t - t.rem_euclid(MINUTE) + MINUTE;
        let end = t.saturating_add(horizon);
        while m <= end {
            let Ok(ts) = jiff::Timestamp::from_microsecond(m) else {
                return None;
            };
            let dt = self.tz.to_datetime(ts);
            let (minute, hour) = (dt.minute() as i64, dt.hour() as u32);
            if !self.day_matches(&dt) {
                m = self
                    .next_local_midnight(dt.date())
                    .filter(|n| *n > m)
                    .unwrap_or(m + (24 * 60 - hour as i64 * 60 - minute).max(1) * MINUTE);
                continue;
            }
            if self.hours & (1 << hour) == 0 {
                m += (60 - minute) * MINUTE;
                continue;
            }
            if self.minutes & (1 << minute) != 0 {
                return Some(m);
            }
            m += MINUTE;
        }
        None
    }

    fn day_matches(&self, dt: &jiff::civil::DateTime) -> bool {
        let (day, month) = (dt.day() as u32, dt.month() as u32);
        let weekday = dt.weekday().to_sunday_zero_offset() as u32;
        if self.months & (1 << month) == 0 {
            return false;
        }
        let dom = self.days & (1 << day) != 0;
        let dow = self.weekdays & (1 << weekday) != 0;
        match (self.dom_any, self.dow_any) {
            (true, true) => true,
            (true, false) => dow,
            (false, true) => dom,
            (false, false) => dom || dow,
        }
    }

    /// The instant the local day after `date` starts (DST-aware).
    fn next_local_midnight(&self, date: jiff::civil::Date) -> Option<Micros> {
        let next = date
            .tomorrow()
            .ok()?
            .to_datetime(jiff::civil::Time::midnight());
        let ts = self.tz.to_ambiguous_timestamp(next).compatible().ok()?;
        Some(ts.as_microsecond())
    }

    /// Up to `n` upcoming fire times after `t` (within a year and a day).
    pub fn upcoming(&self, t: Micros, n: usize) -> Vec<Micros> {
        let mut out = Vec::new();
        let mut from = t;
        let horizon = 366 * 24 * 60 * MINUTE;
        while out.len() < n {
            match self.next_after(from, horizon - (from - t)) {
                Some(m) => {
                    out.push(m);
                    from = m;
                }
                None => break,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Micros {
        s.parse::<jiff::Timestamp>()
            .map(|t| t.as_microsecond())
            .unwrap_or_default()
    }

    #[test]
    fn matches_steps_ranges_and_weekdays() {
        let c = Cron::parse("*/15 9-17 * * 1-5", "UTC").unwrap_or_else(|e| panic!("{e}"));
        // 2026-11-26 is a Thursday.
        assert!(c.matches(at("2026-11-26T09:45:00Z")));
        assert!(!c.matches(at("2026-11-26T09:44:00Z")));
        assert!(!c.matches(at("2026-11-26T18:00:00Z")));
        assert!(!c.matches(at("2026-11-28T10:00:00Z"))); // Saturday
        let sunday = Cron::parse("0 3 * * 7", "UTC").unwrap_or_else(|e| panic!("{e}"));
        assert!(sunday.matches(at("2026-11-29T03:00:00Z")));
        assert_eq!(
            c.next_after(at("2026-11-26T17:50:00Z"), 7 * 24 * 60 * MINUTE),
            Some(at("2026-11-27T09:00:00Z"))
        );
        assert_eq!(c.upcoming(at("2026-11-26T09:00:00Z"), 3).len(), 3);
    }

    #[test]
    fn honours_timezones_and_rejects_bad_input() {
        let c = Cron::parse("0 9 * * *", "Europe/Berlin").unwrap_or_else(|e| panic!("{e}"));
        assert!(c.matches(at("2026-11-26T08:00:00Z")));
        assert!(Cron::parse("0 9 * *", "UTC").is_err());
        assert!(Cron::parse("61 * * * *", "UTC").is_err());
        assert!(Cron::parse("0 9 * * *", "Mars/Olympus").is_err());
        assert!(Cron::parse("@daily", "UTC").is_err());
        assert!(Cron::parse("0 9 L * *", "UTC").is_err());
    }

    #[test]
    fn next_fires_skip_days_and_follow_dst() {
        // Yearly: found in one search, far away.
        let c = Cron::parse("30 6 1 1 *", "UTC").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            c.upcoming(at("2026-11-26T09:00:00Z"), 2),
            vec![at("2027-01-01T06:30:00Z")]
        );
        // 09:00 in New York is 14:00 UTC before the November DST change and 13:00 after it.
        let ny = Cron::parse("0 9 * * *", "America/New_York").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ny.upcoming(at("2026-10-31T12:00:00Z"), 3),
            vec![
                at("2026-10-31T13:00:00Z"),
                at("2026-11-01T14:00:00Z"),
                at("2026-11-02T14:00:00Z")
            ]
        );
        // Day-of-month OR day-of-week when both are restricted (POSIX).
        let either = Cron::parse("0 0 13 * 5", "UTC").unwrap_or_else(|e| panic!("{e}"));
        // 2026-11-27 is a Friday; 2026-12-04 the next; the 13th of December is a Sunday.
        assert_eq!(
            either.upcoming(at("2026-11-26T00:00:00Z"), 3),
            vec![
                at("2026-11-27T00:00:00Z"),
                at("2026-12-04T00:00:00Z"),
                at("2026-12-11T00:00:00Z")
            ]
        );
    }
}
