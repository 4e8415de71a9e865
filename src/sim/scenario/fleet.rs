//! `fleet`: N sessions (up to 100,000) of which a handful matter right now — the test bed for
//! the dashboard's incremental session poller.
//!
//! Start-up is cheap and the world stays light: every session is a real `Session` (list, get,
//! events and streams all work on it), but an idle one holds no script, one status event of
//! history, and no live channel until someone opens its stream. About 2 % run, 0.5 % wait for
//! an approval, a few are rescheduling, errored or terminated, 3 % are archived. A [`FleetDriver`]
//! then changes one session's status every `--change-every` seconds on average (exponential
//! gaps): it starts an idle session or stops a running one (end of turn, an approval request,
//! retries exhausted), keeping about 2 % running, and now and then creates a new session. The
//! driver emits the same events a real turn would (`user.message`, `session.status_running`,
//! `agent.message`, `span.model_request_end`, `session.status_idle` …), so a client sees the
//! change through every endpoint, and it logs each change ([`StatusChange`]) for measurements.

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use super::{AgentSpec, toolset};
use crate::sim::clock::{HOUR, MINUTE, Micros, SECOND};
use crate::sim::world::*;

/// The most sessions a fleet may hold (start-up stays under a few seconds).
pub const MAX_FLEET: usize = 100_000;
/// Share of the fleet the driver keeps running.
const RUNNING_SHARE: f64 = 0.02;
/// Share of changes that create a new session.
const NEW_SESSION_SHARE: f64 = 0.05;

const AGENTS: [(&str, &str, Persona); 6] = [
    ("Support Triage", "claude-haiku-5-5", Persona::Support),
    ("Release Engineer", "claude-sonnet-5", Persona::Coder),
    ("Market Researcher", "claude-opus-5", Persona::Researcher),
    (
        "Billing Reconciler",
        "claude-sonnet-5",
        Persona::Integrations,
    ),
    ("Docs Writer", "claude-haiku-5-5", Persona::Writer),
    ("Incident Scout", "claude-sonnet-5", Persona::Coder),
];

const TASKS: [&str; 12] = [
    "Triage ticket",
    "Refund review",
    "Nightly report",
    "Dependency bump",
    "Flaky test hunt",
    "Invoice mismatch",
    "Changelog draft",
    "Churn analysis",
    "Alert follow-up",
    "Schema migration",
    "Onboarding email",
    "Vendor comparison",
];

/// Build `sessions` sessions and install the driver (`change_every`: mean simulated seconds
/// between status changes).
pub fn build_fleet(w: &mut World, sessions: usize, change_every: f64) {
    let sessions = sessions.min(MAX_FLEET);
    let now = w.clock.origin();
    let env = w.add_environment(
        "fleet",
        "Shared sandbox for the fleet.",
        json!({"type": "cloud", "networking": {"type": "unrestricted"}, "packages": {"type": "packages", "apt": [], "cargo": [], "gem": [], "go": [], "npm": [], "pip": []}}),
        now - 60 * 24 * HOUR,
    );
    let agents: Vec<String> = AGENTS
        .iter()
        .map(|(name, model, persona)| {
            w.add_agent(
                AgentSpec {
                    name,
                    description: "Fleet worker.",
                    model,
                    persona: *persona,
                    system: "You work through one task per session.",
                    tools: json!([toolset(&[("bash", "always_ask")], "always_allow")]),
                    mcp_servers: json!([]),
                },
                now - 60 * 24 * HOUR,
            )
        })
        .collect();
    let mut rng = StdRng::seed_from_u64(w.seed ^ 0xF1EE7);
    // One snapshot per agent, shared by every session of that agent.
    let mut snapshots: Vec<Option<Arc<Value>>> = vec![None; agents.len()];
    // Spread over the last 30 days, oldest first, so ids and created_at agree.
    let span = 30 * 24 * HOUR;
    for i in 0..sessions {
        let created = now - span + (span / sessions.max(1) as Micros) * i as Micros;
        let a = rng.random_range(0..agents.len());
        let Some(idx) = new_session(w, &agents[a], &env, &mut rng, created) else {
            continue;
        };
        let snap = snapshots[a].get_or_insert_with(|| w.sessions[idx].agent.clone());
        w.sessions[idx].agent = snap.clone();
        let roll: f64 = rng.random();
        // Busy sessions started within the last ten minutes; idle ones finished long ago.
        let recent = (now - rng.random_range(0..10 * MINUTE)).max(created + SECOND);
        let busy = roll < RUNNING_SHARE + 0.011;
        let at = if busy {
            recent
        } else {
            (created + MINUTE).min(recent)
        };
        let World { sessions, idg, .. } = &mut *w;
        let s = &mut sessions[idx];
        give_usage(s, &mut rng);
        if roll < RUNNING_SHARE {
            start(s, idg, at);
        } else if roll < RUNNING_SHARE + 0.005 {
            start(s, idg, at);
            ask_approval(s, idg, (at + 20 * SECOND).min(now));
        } else if roll < RUNNING_SHARE + 0.008 {
            start(s, idg, at);
            s.emit(
                idg,
                (at + SECOND).min(now),
                None,
                json!({"type": "session.status_rescheduled"}),
            );
        } else if roll < RUNNING_SHARE + 0.011 {
            start(s, idg, at);
            fail(s, idg, (at + 30 * SECOND).min(now));
        } else if roll < RUNNING_SHARE + 0.016 {
            s.emit(idg, at, None, json!({"type": "session.status_terminated"}));
        } else {
            s.emit(
                idg,
                at,
                None,
                json!({"type": "session.status_idle", "stop_reason": {"type": "end_turn"}}),
            );
            if roll > 0.97 {
                s.archived_at = Some(at + HOUR.min(now - at));
            }
        }
    }
    let mean = (change_every.max(0.01) * SECOND as f64) as Micros;
    let first = now + mean;
    w.driver = Some(Box::new(FleetDriver {
        rng: StdRng::seed_from_u64(w.seed ^ 0xD21E),
        agents,
        env,
        mean_gap: mean,
        next_at: first,
        changes: Vec::new(),
    }));
}

fn new_session(
    w: &mut World,
    agent: &str,
    env: &str,
    rng: &mut StdRng,
    at: Micros,
) -> Option<usize> {
    let task = TASKS[rng.random_range(0..TASKS.len())];
    let title = format!("{task} #{}", rng.random_range(10_000..99_999));
    w.create_session(agent, env, Some(title), at)
}

fn give_usage(s: &mut Session, rng: &mut StdRng) {
    let model = s.model.clone();
    let input = rng.random_range(2_000..400_000u64);
    s.usage.add_model_usage(
        &model,
        &json!({"input_tokens": input, "output_tokens": input / 20}),
    );
}

fn start(s: &mut Session, idg: &mut Gen, at: Micros) {
    s.emit(
        idg,
        at,
        None,
        json!({"type": "user.message", "content": [{"type": "text", "text": "Please pick up the next item in your queue."}]}),
    );
    s.emit(idg, at, None, json!({"type": "session.status_running"}));
}

fn end_turn(s: &mut Session, idg: &mut Gen, at: Micros) {
    let input = 1_500 + (at % 4_000) as u64;
    s.emit(
        idg,
        at,
        None,
        json!({"type": "agent.message", "content": [{"type": "text", "text": "Done: the item is handled and the notes are in the ticket."}]}),
    );
    s.emit(
        idg,
        at,
        None,
        json!({"type": "span.model_request_end", "is_error": false, "model_usage": {"input_tokens": input, "output_tokens": input / 25, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}),
    );
    s.emit(
        idg,
        at,
        None,
        json!({"type": "session.status_idle", "stop_reason": {"type": "end_turn"}}),
    );
}

fn ask_approval(s: &mut Session, idg: &mut Gen, at: Micros) {
    let id = s.emit(
        idg,
        at,
        None,
        json!({"type": "agent.tool_use", "name": "bash", "input": {"command": "kubectl rollout restart deploy/api"}, "evaluated_permission": "ask"}),
    );
    s.blocked_on = std::mem::take(&mut s.awaiting);
    s.emit(
        idg,
        at,
        None,
        json!({"type": "session.status_idle", "stop_reason": {"type": "requires_action", "event_ids": [id]}}),
    );
}

fn fail(s: &mut Session, idg: &mut Gen, at: Micros) {
    s.emit(
        idg,
        at,
        None,
        json!({"type": "session.error", "error": {"type": "model_overloaded_error", "message": "The model was overloaded; retries are exhausted.", "retry_status": {"type": "exhausted"}}}),
    );
    s.emit(
        idg,
        at,
        None,
        json!({"type": "session.status_idle", "stop_reason": {"type": "retries_exhausted"}}),
    );
}

/// Changes one session at a time, at exponentially distributed gaps.
pub struct FleetDriver {
    rng: StdRng,
    agents: Vec<String>,
    env: String,
    mean_gap: Micros,
    next_at: Micros,
    changes: Vec<StatusChange>,
}

/// Changes made per tick at most (a clock that jumped far ahead does not wedge the world).
const MAX_CHANGES_PER_TICK: usize = 1_000;
/// Changes kept for [`Driver::take_changes`] at most (nobody may be reading them).
const MAX_LOGGED: usize = 100_000;

impl FleetDriver {
    fn gap(&mut self) -> Micros {
        let u: f64 = self.rng.random_range(1e-9..1.0);
        ((-u.ln()) * self.mean_gap as f64).max(1.0) as Micros
    }

    fn log(&mut self, s: &Session) {
        if self.changes.len() < MAX_LOGGED {
            self.changes.push(StatusChange {
                session_id: s.id.clone(),
                status: s.status.as_str(),
                at: s.last_ts,
            });
        }
    }

    /// A random session (by index) that passes `ok`, trying a few.
    fn pick(&mut self, w: &World, ok: impl Fn(&Session) -> bool) -> Option<usize> {
        if w.sessions.is_empty() {
            return None;
        }
        (0..64)
            .map(|_| self.rng.random_range(0..w.sessions.len()))
            .find(|&i| ok(&w.sessions[i]))
    }

    fn change(&mut self, w: &mut World, at: Micros) {
        if self.rng.random_bool(NEW_SESSION_SHARE) {
            let a = self.rng.random_range(0..self.agents.len());
            let agent = self.agents[a].clone();
            let env = self.env.clone();
            if let Some(idx) = new_session(w, &agent, &env, &mut self.rng, at) {
                // Shared snapshot: the newest sibling of the same agent has one.
                if let Some(snap) = w.sessions[..idx]
                    .iter()
                    .rev()
                    .take(500)
                    .find(|s| s.agent.get("id") == w.sessions[idx].agent.get("id"))
                    .map(|s| s.agent.clone())
                {
                    w.sessions[idx].agent = snap;
                }
                if self.rng.random_bool(0.5) {
                    let World { sessions, idg, .. } = &mut *w;
                    start(&mut sessions[idx], idg, at);
                }
                self.log(&w.sessions[idx]);
            }
            return;
        }
        let running = w
            .sessions
            .iter()
            .filter(|s| s.status == Status::Running)
            .count();
        let target = ((w.sessions.len() as f64) * RUNNING_SHARE).ceil() as usize;
        let quiet = |s: &Session| {
            s.archived_at.is_none() && s.script.is_empty() && s.inbox.is_empty() && !s.busy()
        };
        let stop = running > 0 && (running >= target || self.rng.random_bool(0.3));
        let picked = if stop {
            self.pick(w, |s| s.status == Status::Running && quiet(s))
        } else {
            self.pick(w, |s| s.status == Status::Idle && quiet(s))
        };
        let Some(i) = picked else { return };
        let roll: f64 = self.rng.random();
        let World { sessions, idg, .. } = &mut *w;
        let s = &mut sessions[i];
        if !stop {
            start(s, idg, at);
        } else if roll < 0.85 {
            end_turn(s, idg, at);
        } else if roll < 0.95 {
            ask_approval(s, idg, at);
        } else {
            fail(s, idg, at);
        }
        self.log(&w.sessions[i]);
    }
}

impl Driver for FleetDriver {
    fn advance(&mut self, w: &mut World, now: Micros) {
        for _ in 0..MAX_CHANGES_PER_TICK {
            if self.next_at > now {
                return;
            }
            let at = self.next_at;
            self.change(w, at);
            self.next_at = at + self.gap();
        }
        // Far behind (a huge speed): skip ahead rather than replay.
        self.next_at = now + self.gap();
    }

    fn take_changes(&mut self) -> Vec<StatusChange> {
        std::mem::take(&mut self.changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world(n: usize) -> World {
        let mut w = World::new(7, 1.0);
        build_fleet(&mut w, n, 2.0);
        w
    }

    fn count(w: &World, st: Status) -> usize {
        w.sessions.iter().filter(|s| s.status == st).count()
    }

    #[test]
    fn a_fleet_is_mostly_idle_with_a_few_running() {
        let w = world(10_000);
        assert_eq!(w.sessions.len(), 10_000);
        let running = count(&w, Status::Running);
        assert!((120..=300).contains(&running), "running {running}");
        assert!(count(&w, Status::Idle) > 9_400);
        let waiting = w
            .sessions
            .iter()
            .filter(|s| !s.blocked_on.is_empty())
            .count();
        assert!((20..=90).contains(&waiting), "waiting {waiting}");
        // Oldest first, strictly: created_at[gt] paging never skips a sibling.
        assert!(
            w.sessions
                .windows(2)
                .all(|p| p[0].created_at < p[1].created_at)
        );
        // Snapshots are shared, not copied per session.
        let same_agent = w
            .sessions
            .iter()
            .skip(1)
            .find(|s| s.agent.get("id") == w.sessions[0].agent.get("id"));
        assert!(same_agent.is_some_and(|s| Arc::ptr_eq(&s.agent, &w.sessions[0].agent)));
    }

    #[test]
    fn the_driver_changes_a_status_every_few_seconds_and_logs_it() {
        let mut w = world(2_000);
        let t0 = w.clock.origin();
        let before: Vec<&'static str> = w.sessions.iter().map(|s| s.status.as_str()).collect();
        w.advance_to(t0 + 60 * SECOND);
        let changes = w
            .driver
            .as_mut()
            .map(|d| d.take_changes())
            .unwrap_or_default();
        // Mean gap 2 s over a minute: about 30 changes.
        assert!(
            (12..=60).contains(&changes.len()),
            "{} changes",
            changes.len()
        );
        for c in &changes {
            assert!(c.at > t0 && c.at <= t0 + 60 * SECOND + SECOND);
            let s = w.sessions.iter().find(|s| s.id == c.session_id);
            assert!(s.is_some(), "logged session exists");
        }
        // The last change of each session is its status now.
        let last = changes.last().map(|c| (c.session_id.clone(), c.status));
        if let Some((id, status)) = last {
            let s = w
                .sessions
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.status.as_str());
            assert_eq!(s, Some(status));
        }
        let after: Vec<&'static str> = w.sessions.iter().map(|s| s.status.as_str()).collect();
        let flipped = before.iter().zip(&after).filter(|(a, b)| a != b).count();
        assert!(flipped >= 5, "{flipped} sessions changed status");
        // A drained log stays drained.
        assert!(
            w.driver
                .as_mut()
                .is_some_and(|d| d.take_changes().is_empty())
        );
    }
}
