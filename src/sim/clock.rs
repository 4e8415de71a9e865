//! Simulated time: real elapsed time scaled by `--speed`, kept in microseconds since the epoch.

use std::time::Instant;

/// Microseconds since the Unix epoch, in simulated time.
pub type Micros = i64;

pub const SECOND: Micros = 1_000_000;
pub const MINUTE: Micros = 60 * SECOND;
pub const HOUR: Micros = 60 * MINUTE;

#[derive(Debug, Clone)]
pub struct SimClock {
    origin_real: Instant,
    origin_sim: Micros,
    speed: f64,
}

impl SimClock {
    pub fn new(speed: f64) -> Self {
        let now = jiff::Timestamp::now().as_microsecond();
        // Whole milliseconds keep timestamps short without losing ordering.
        SimClock {
            origin_real: Instant::now(),
            origin_sim: now - now % 1000,
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            },
        }
    }

    pub fn now(&self) -> Micros {
        let elapsed = self.origin_real.elapsed().as_micros() as f64;
        self.origin_sim + (elapsed * self.speed) as Micros
    }

    /// The simulated instant the server started at; scenario history lies before it.
    pub fn origin(&self) -> Micros {
        self.origin_sim
    }
}

/// RFC 3339 in UTC with microsecond precision (`2026-05-01T10:00:02.123456Z`).
pub fn rfc3339(t: Micros) -> String {
    match jiff::Timestamp::from_microsecond(t) {
        Ok(ts) => ts.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        Err(_) => "1970-01-01T00:00:00.000000Z".to_string(),
    }
}

/// Parses an RFC 3339 timestamp with any offset; `None` when it is not one.
pub fn parse_rfc3339(s: &str) -> Option<Micros> {
    s.trim()
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_microsecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_round_trip() {
        let t = 1_780_000_000_123_456;
        let s = rfc3339(t);
        assert_eq!(s, "2026-05-28T20:26:40.123456Z");
        assert_eq!(parse_rfc3339(&s), Some(t));
        assert_eq!(parse_rfc3339("2026-05-28T22:26:40.123456+02:00"), Some(t));
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
