//! Deployments and their runs as display rows: API objects turned into rows once, when they
//! arrive (sanitized text, parsed times, the next fire times computed locally from the cron
//! expression), so drawing only formats what is visible. Pure: no I/O, no async.

use serde_json::Value;

use crate::api::types::{
    Deployment, DeploymentRun, DeploymentStatus, PausedReason, TriggerContext,
};
use crate::cron::Cron;
use crate::model::resources::parse_time;
use crate::text;

/// Fire times shown per deployment.
pub const NEXT_FIRES: usize = 3;

#[derive(Debug, Clone, PartialEq)]
pub enum RunOutcome {
    Session(String),
    /// `type: message`.
    Error(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub id: String,
    /// `schedule` or `manual`.
    pub trigger: String,
    pub at: Option<i64>,
    pub outcome: RunOutcome,
}

impl RunRow {
    pub fn from_api(r: &DeploymentRun) -> RunRow {
        let trigger = match &r.trigger_context {
            TriggerContext::Schedule { .. } => "schedule".to_string(),
            TriggerContext::Manual => "manual".to_string(),
            TriggerContext::Unknown(v) => {
                text::one_line(v.get("type").and_then(|t| t.as_str()).unwrap_or("unknown"))
            }
        };
        let outcome = match (&r.error, &r.session_id) {
            (Some(e), _) => RunOutcome::Error(text::one_line(&if e.message.is_empty() {
                e.kind.clone()
            } else {
                format!("{}: {}", e.kind, e.message)
            })),
            (None, Some(s)) => RunOutcome::Session(text::one_line(s)),
            (None, None) => RunOutcome::Error("no session and no error".into()),
        };
        RunRow {
            id: text::one_line(&r.id),
            trigger,
            at: parse_time(&r.created_at),
            outcome,
        }
    }

    /// The session this run created (the stream can open it).
    pub fn session(&self) -> Option<&str> {
        match &self.outcome {
            RunOutcome::Session(s) => Some(s),
            RunOutcome::Error(_) => None,
        }
    }
}

/// One upcoming fire: unix seconds, and the wall-clock time in the schedule's timezone.
#[derive(Debug, Clone, PartialEq)]
pub struct Fire {
    pub at: i64,
    /// `Thu 26 Nov 13:00`.
    pub local: String,
}

/// Fires as one short line: the day is written only when it changes (`Thu 26 Nov 12:30 ·
/// 13:00 · Fri 27 Nov 09:00`).
pub fn fires_line(fires: &[Fire]) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut day = "";
    for f in fires {
        let (d, t) = f.local.rsplit_once(' ').unwrap_or(("", &f.local));
        if d == day {
            out.push(t);
        } else {
            out.push(&f.local);
            day = d;
        }
    }
    out.join(" · ")
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub agent_id: String,
    pub agent_version: Option<u64>,
    pub environment_id: String,
    pub paused: bool,
    pub archived: bool,
    /// `manual`, or the error type that auto-paused it.
    pub paused_reason: Option<String>,
    /// `*/30 * * * * UTC`.
    pub schedule: Option<String>,
    /// The raw expression and timezone (for the edit form).
    pub cron: Option<(String, String)>,
    /// Why the schedule could not be read locally (shown instead of fire times).
    pub cron_error: Option<String>,
    /// The next fire times computed here from the expression (empty when paused or manual).
    pub next: Vec<Fire>,
    pub last_run: Option<i64>,
    /// The text of the first `user.message` (sanitized, one line).
    pub first_message: String,
    /// The initial events as sent (the edit form replaces only the first message's text).
    pub initial_events: Vec<Value>,
    /// Newest first.
    pub runs: Vec<RunRow>,
}

/// The text of an event's content blocks, joined.
fn event_text(ev: &Value) -> Option<String> {
    let blocks = ev.get("content")?.as_array()?;
    let parts: Vec<&str> = blocks
        .iter()
        .filter_map(|b| b.get("text").and_then(Value::as_str))
        .collect();
    Some(parts.join("\n"))
}

/// The raw (unsanitized) text of the first `user.message` (what the edit form starts with).
pub fn first_message_raw(events: &[Value]) -> String {
    events
        .iter()
        .find(|e| e.get("type").and_then(Value::as_str) == Some("user.message"))
        .and_then(event_text)
        .unwrap_or_default()
}

/// `events` with the first `user.message`'s text replaced by `text` (one text block); a
/// message is added in front when there is none.
pub fn with_first_message(events: &[Value], text: &str) -> Vec<Value> {
    let message = serde_json::json!({"type": "user.message",
        "content": [{"type": "text", "text": text}]});
    let mut out = events.to_vec();
    match out
        .iter()
        .position(|e| e.get("type").and_then(Value::as_str) == Some("user.message"))
    {
        Some(i) => out[i] = message,
        None => out.insert(0, message),
    }
    out
}

/// The next `n` fires of `cron` after `now` (unix seconds), labelled in its timezone.
pub fn next_fires(cron: &Cron, timezone: &str, now: i64, n: usize) -> Vec<Fire> {
    let tz = jiff::tz::TimeZone::get(timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    cron.upcoming(now.saturating_mul(1_000_000), n)
        .into_iter()
        .filter_map(|m| {
            let ts = jiff::Timestamp::from_microsecond(m).ok()?;
            Some(Fire {
                at: ts.as_second(),
                local: tz.to_datetime(ts).strftime("%a %d %b %H:%M").to_string(),
            })
        })
        .collect()
}

/// One line saying what a run did: the session it created, or why it created none.
pub fn run_line(name: &str, run: &DeploymentRun) -> (String, bool) {
    match (&run.session_id, &run.error) {
        (Some(s), None) => (
            format!(
                "{}: run {} started session {}",
                name,
                text::one_line(&run.id),
                text::one_line(s)
            ),
            false,
        ),
        (_, Some(e)) => (
            format!(
                "{}: run {} created no session: {}: {}",
                name,
                text::one_line(&run.id),
                text::one_line(&e.kind),
                text::one_line(&e.message)
            ),
            true,
        ),
        (None, None) => (
            format!("{}: run {} has no session", name, text::one_line(&run.id)),
            true,
        ),
    }
}

impl DeploymentRow {
    /// `now` (unix seconds) anchors the locally computed fire times.
    pub fn from_api(d: &Deployment, runs: &[DeploymentRun], now: i64) -> DeploymentRow {
        let paused_reason = d.paused_reason.as_ref().map(|r| match r {
            PausedReason::Manual => "manual".to_string(),
            PausedReason::Error { error } => text::one_line(&format!("error: {}", error.kind)),
            PausedReason::Unknown(v) => {
                text::one_line(v.get("type").and_then(|t| t.as_str()).unwrap_or("unknown"))
            }
        });
        let mut runs: Vec<RunRow> = runs.iter().map(RunRow::from_api).collect();
        runs.sort_by_key(|r| std::cmp::Reverse(r.at));
        let last_from_runs = runs.first().and_then(|r| r.at);
        let paused = d.status == DeploymentStatus::Paused;
        let archived = d.archived_at.is_some();
        let (mut next, mut cron_error) = (Vec::new(), None);
        if let Some(s) = &d.schedule {
            match Cron::parse(&s.expression, &s.timezone) {
                Ok(c) if !paused && !archived => {
                    next = next_fires(&c, &s.timezone, now, NEXT_FIRES);
                }
                Ok(_) => {}
                Err(e) => cron_error = Some(text::one_line(&e)),
            }
        }
        DeploymentRow {
            id: text::one_line(&d.id),
            name: text::one_line(&d.name),
            description: text::one_line(d.description.as_deref().unwrap_or("")),
            agent_id: text::one_line(&d.agent.id),
            agent_version: d.agent.version,
            environment_id: text::one_line(&d.environment_id),
            paused,
            archived,
            paused_reason,
            schedule: d
                .schedule
                .as_ref()
                .map(|s| text::one_line(&format!("{} {}", s.expression, s.timezone))),
            cron: d
                .schedule
                .as_ref()
                .map(|s| (s.expression.clone(), s.timezone.clone())),
            cron_error,
            next,
            last_run: d
                .schedule
                .as_ref()
                .and_then(|s| s.last_run_at.as_deref().and_then(parse_time))
                .max(last_from_runs),
            first_message: text::one_line(&first_message_raw(&d.initial_events)),
            initial_events: d.initial_events.clone(),
            runs,
        }
    }

    pub fn next_run(&self) -> Option<i64> {
        self.next.first().map(|f| f.at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::ErrorObject;
    use serde_json::json;

    #[test]
    fn rows_compute_three_fires_in_the_schedule_timezone() {
        let d: Deployment = serde_json::from_value(json!({"type": "deployment", "id": "depl_1",
            "name": "n\u{1b}[2J", "agent": {"type": "agent", "id": "agent_1", "version": 3},
            "environment_id": "env_1", "status": "active",
            "initial_events": [{"type": "system.message", "content": [{"type": "text", "text": "sys"}]},
                               {"type": "user.message", "content": [{"type": "text", "text": "Do\tit"}]}],
            "schedule": {"type": "cron", "expression": "0 9 * * 1-5", "timezone": "Europe/Berlin"}}))
        .unwrap();
        // Thursday 2026-11-26 12:00 UTC = 13:00 in Berlin: next are Fri, Mon, Tue at 09:00.
        let r = DeploymentRow::from_api(&d, &[], 1_795_694_400);
        assert_eq!(r.name, "n");
        assert_eq!(r.agent_version, Some(3));
        let labels: Vec<&str> = r.next.iter().map(|f| f.local.as_str()).collect();
        assert_eq!(
            labels,
            ["Fri 27 Nov 09:00", "Mon 30 Nov 09:00", "Tue 01 Dec 09:00"]
        );
        assert_eq!(r.next_run(), Some(1_795_694_400 + 20 * 3600));
        assert_eq!(
            fires_line(&next_fires(
                &Cron::parse("0 9,18 * * *", "UTC").unwrap(),
                "UTC",
                1_795_694_400,
                3
            )),
            "Thu 26 Nov 18:00 · Fri 27 Nov 09:00 · 18:00"
        );
        assert_eq!(r.first_message, "Do it");
        let replaced = with_first_message(&r.initial_events, "new");
        assert_eq!(replaced[0], r.initial_events[0]);
        assert_eq!(first_message_raw(&replaced), "new");
        // Paused: no fire times; a broken expression says why.
        let mut p = d.clone();
        p.status = DeploymentStatus::Paused;
        assert!(DeploymentRow::from_api(&p, &[], 0).next.is_empty());
        let mut bad = d;
        if let Some(s) = bad.schedule.as_mut() {
            s.expression = "0 9 * *".into();
        }
        assert_eq!(
            DeploymentRow::from_api(&bad, &[], 0).cron_error.as_deref(),
            Some("cron expression must have 5 fields, got 4")
        );
    }

    #[test]
    fn run_errors_read_as_sentences() {
        let run = DeploymentRun {
            error: Some(ErrorObject {
                kind: "vault_archived_error".into(),
                message: "vault gone".into(),
            }),
            ..Default::default()
        };
        let r = RunRow::from_api(&run);
        assert_eq!(
            r.outcome,
            RunOutcome::Error("vault_archived_error: vault gone".into())
        );
        assert_eq!(r.session(), None);
    }
}
