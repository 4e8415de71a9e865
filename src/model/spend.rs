//! What a session costs: list cost against its budget (`budget.max_list_cost`, wire §5.1),
//! tokens by kind, active seconds, and a burn rate per hour from the cumulative
//! `session.usage` events. Pure: no I/O.

use std::collections::VecDeque;

use serde_json::Value;

use crate::api::types::{BudgetLimit, Usage};
use crate::model::sessions::{SessionEntry, parse_ts};

/// The budget bar turns to a warning from this share of the budget.
pub const WARN_PERCENT: u64 = 80;
/// Usage samples kept for the burn rate (one `session.usage` every turn or so).
pub const MAX_SAMPLES: usize = 240;
/// The burn rate looks back this far from the newest sample.
pub const BURN_WINDOW_SECS: i64 = 3_600;

/// Where spend stands against the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetLevel {
    /// No budget.
    None,
    Ok,
    /// At or past [`WARN_PERCENT`].
    Warn,
    /// Spent it all (the session stops with `budget_reached`).
    Reached,
}

/// `budget.max_list_cost.amount` in minor units, from a Session (or `session.usage`) JSON.
pub fn budget_minor(v: &Value) -> Option<i64> {
    match v.pointer("/budget/max_list_cost/amount")? {
        Value::String(s) => s.parse::<i64>().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
    .filter(|m| *m >= 0)
}

/// `cost` against `budget` (minor units): the level, and the whole percent spent.
pub fn level(cost: Option<i64>, budget: Option<i64>) -> (BudgetLevel, Option<u64>) {
    let Some(max) = budget else {
        return (BudgetLevel::None, None);
    };
    let cost = cost.unwrap_or(0).max(0) as u64;
    if max <= 0 {
        return (BudgetLevel::Reached, Some(100));
    }
    let pct = cost.saturating_mul(100) / max as u64;
    let lvl = if cost >= max as u64 {
        BudgetLevel::Reached
    } else if pct >= WARN_PERCENT {
        BudgetLevel::Warn
    } else {
        BudgetLevel::Ok
    };
    (lvl, Some(pct))
}

/// A session's spend, as the detail view shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Spend {
    pub cost_minor: Option<i64>,
    pub currency: String,
    pub budget_minor: Option<i64>,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_creation_tokens: u64,
    pub web_searches: u64,
    pub web_fetches: u64,
    /// Wall time with at least one thread running (`usage.active_seconds`).
    pub active_seconds: Option<f64>,
}

impl Spend {
    pub fn from_usage(usage: &Usage, budget: Option<&BudgetLimit>) -> Spend {
        let cost = usage
            .list_cost
            .as_ref()
            .and_then(|m| m.cents())
            .and_then(|c| i64::try_from(c).ok());
        Spend {
            cost_minor: cost,
            currency: usage
                .list_cost
                .as_ref()
                .map(|m| m.currency.clone())
                .filter(|c| !c.is_empty())
                .or_else(|| budget.map(|b| b.max_list_cost.currency.clone()))
                .unwrap_or_else(|| "USD".into()),
            budget_minor: budget
                .and_then(|b| b.max_list_cost.cents())
                .and_then(|c| i64::try_from(c).ok()),
            input_tokens: usage.input_tokens.unwrap_or(0),
            output_tokens: usage.output_tokens.unwrap_or(0),
            cache_read_tokens: usage.cache_read_input_tokens.unwrap_or(0),
            cache_creation_tokens: usage.cache_creation_tokens(),
            web_searches: usage
                .server_tool_use
                .as_ref()
                .and_then(|s| s.web_search_requests)
                .unwrap_or(0),
            web_fetches: usage
                .server_tool_use
                .as_ref()
                .and_then(|s| s.web_fetch_requests)
                .unwrap_or(0),
            active_seconds: usage.active_seconds,
        }
    }

    pub fn level(&self) -> (BudgetLevel, Option<u64>) {
        level(self.cost_minor, self.budget_minor)
    }
}

/// Cumulative cost samples of one session (from `session.usage`), for a burn rate per hour.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BurnRate {
    /// (unix seconds, cost in minor units), in event order.
    samples: VecDeque<(i64, i64)>,
}

impl BurnRate {
    /// Record a `session.usage` event (others are ignored). Returns whether it was one.
    pub fn observe(&mut self, ev: &Value) -> bool {
        if ev.get("type").and_then(Value::as_str) != Some("session.usage") {
            return false;
        }
        let (Some(at), Some(cost)) = (
            parse_ts(ev.get("processed_at")),
            ev.pointer("/usage/list_cost/amount").and_then(|a| match a {
                Value::String(s) => s.parse::<i64>().ok(),
                Value::Number(n) => n.as_i64(),
                _ => None,
            }),
        ) else {
            return false;
        };
        self.record(at, cost);
        true
    }

    pub fn record(&mut self, at: i64, cost_minor: i64) {
        // Replays after a reconnect come again: keep each instant once, in time order.
        if let Some(&(last, _)) = self.samples.back()
            && at <= last
        {
            return;
        }
        if self.samples.len() >= MAX_SAMPLES {
            self.samples.pop_front();
        }
        self.samples.push_back((at, cost_minor));
    }

    /// Minor units per hour over the last hour of samples (`None` with fewer than two samples
    /// a minute apart).
    pub fn per_hour(&self) -> Option<i64> {
        let &(t1, c1) = self.samples.back()?;
        let &(t0, c0) = self
            .samples
            .iter()
            .find(|(t, _)| t1 - *t <= BURN_WINDOW_SECS)?;
        let dt = t1 - t0;
        if dt < 60 {
            return None;
        }
        Some(((c1 - c0).max(0) as i128 * 3_600 / dt as i128) as i64)
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }
}

/// Fleet spend for today: list cost of the sessions active since 00:00 UTC (created or updated
/// today), and how many there are. The API reports cumulative cost per session, so a session
/// that started yesterday counts whole.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Today {
    pub cost_minor: i64,
    pub sessions: usize,
}

/// Sum today's spend over the session list (once a tick, not per frame).
pub fn today<'a>(sessions: impl Iterator<Item = &'a SessionEntry>, now: i64) -> Today {
    let start = day_start(now);
    let mut t = Today::default();
    for e in sessions {
        let s = &e.summary;
        let active = s.updated_at.or(s.created_at).is_some_and(|u| u >= start);
        if active && s.currency == "USD" {
            t.cost_minor += s.cost_minor.unwrap_or(0);
            t.sessions += 1;
        }
    }
    t
}

/// Start of the UTC day of `now`.
pub fn day_start(now: i64) -> i64 {
    now - now.rem_euclid(86_400)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn budget_levels_warn_at_eighty_percent() {
        assert_eq!(level(Some(10), None), (BudgetLevel::None, None));
        assert_eq!(level(Some(79), Some(100)), (BudgetLevel::Ok, Some(79)));
        assert_eq!(level(Some(80), Some(100)), (BudgetLevel::Warn, Some(80)));
        assert_eq!(level(Some(61), Some(60)), (BudgetLevel::Reached, Some(101)));
        assert_eq!(level(None, Some(60)), (BudgetLevel::Ok, Some(0)));
        let v = json!({"budget": {"type": "limit", "max_list_cost": {"amount": "2500", "currency": "USD"}}});
        assert_eq!(budget_minor(&v), Some(2500));
        assert_eq!(budget_minor(&json!({"budget": null})), None);
    }

    #[test]
    fn spend_reads_tokens_by_kind() {
        let u: Usage = serde_json::from_value(json!({
            "input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 2,
            "cache_creation": {"ephemeral_5m_input_tokens": 3, "ephemeral_1h_input_tokens": 4},
            "server_tool_use": {"web_search_requests": 2, "web_fetch_requests": 1},
            "list_cost": {"amount": "123", "currency": "USD"}, "active_seconds": 12.5
        }))
        .unwrap();
        let b: BudgetLimit = serde_json::from_value(
            json!({"type": "limit", "max_list_cost": {"amount": "150", "currency": "USD"}}),
        )
        .unwrap();
        let s = Spend::from_usage(&u, Some(&b));
        assert_eq!(
            (
                s.input_tokens,
                s.output_tokens,
                s.cache_read_tokens,
                s.cache_creation_tokens
            ),
            (10, 5, 2, 7)
        );
        assert_eq!((s.web_searches, s.web_fetches), (2, 1));
        assert_eq!((s.cost_minor, s.budget_minor), (Some(123), Some(150)));
        assert_eq!(s.level(), (BudgetLevel::Warn, Some(82)));
        assert_eq!(s.active_seconds, Some(12.5));
    }

    #[test]
    fn burn_rate_over_the_last_hour() {
        let mut b = BurnRate::default();
        let usage = |t: &str, cost: &str| json!({"type": "session.usage", "processed_at": t, "usage": {"list_cost": {"amount": cost, "currency": "USD"}}});
        assert!(b.observe(&usage("2026-01-01T00:00:00Z", "100")));
        assert_eq!(b.per_hour(), None, "one sample");
        // Two hours later the first sample is out of the window.
        b.observe(&usage("2026-01-01T01:30:00Z", "400"));
        b.observe(&usage("2026-01-01T02:00:00Z", "700"));
        // A replay of an older sample is ignored.
        b.observe(&usage("2026-01-01T01:30:00Z", "400"));
        assert_eq!(b.len(), 3);
        // 300 cents over 30 minutes.
        assert_eq!(b.per_hour(), Some(600));
        assert!(!b.observe(&json!({"type": "session.status_idle"})));
    }

    #[test]
    fn day_start_is_utc_midnight() {
        assert_eq!(day_start(86_400 * 3 + 5), 86_400 * 3);
    }
}
