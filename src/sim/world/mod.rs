//! The simulator's in-memory state: every resource, each session's event log and live channel,
//! and the operations that change the world (create a session, send an event).

use rand::Rng;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

use crate::sim::clock::{Micros, SECOND, SimClock};
use crate::sim::ids::IdGen;

mod answers;
mod deploy;
mod dream;
mod frames;
mod resources;
mod session;
mod thread;

/// Internal inbox marker: start working on an outcome that was recorded at send time.
pub const START_OUTCOME: &str = "sim.start_outcome";

pub use answers::*;
pub use dream::DreamPlan;
pub use frames::*;
pub use resources::*;
pub use session::*;
pub use thread::*;

// ---------------------------------------------------------------------------------------------

pub struct World {
    pub clock: SimClock,
    pub seed: u64,
    pub idg: Gen,
    pub rng: StdRng,
    pub agents: Vec<Agent>,
    pub environments: Vec<Environment>,
    pub sessions: Vec<Session>,
    pub memory_stores: Vec<MemoryStore>,
    pub memories: Vec<Memory>,
    pub versions: Vec<MemoryVersion>,
    pub dreams: Vec<Dream>,
    pub deployments: Vec<Deployment>,
    pub runs: Vec<DeploymentRun>,
    /// A scenario's own clockwork beside the sessions' scripts (the `fleet` scenario's
    /// state changes), run on every tick.
    pub driver: Option<Box<dyn Driver>>,
}

/// A session status change a driver made, for measuring how soon a client notices it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub session_id: String,
    /// The wire status after the change.
    pub status: &'static str,
    /// Simulated time of the change (µs since the epoch).
    pub at: Micros,
}

/// Scenario clockwork that changes the world as time passes.
pub trait Driver: Send {
    /// Do everything due up to `now`.
    fn advance(&mut self, w: &mut World, now: Micros);
    /// The status changes made since the last call.
    fn take_changes(&mut self) -> Vec<StatusChange>;
}

impl World {
    pub fn new(seed: u64, speed: f64) -> World {
        World {
            clock: SimClock::new(speed),
            seed,
            idg: Gen {
                ids: IdGen::new(seed),
                seq: 0,
            },
            rng: StdRng::seed_from_u64(seed),
            agents: Vec::new(),
            environments: Vec::new(),
            sessions: Vec::new(),
            memory_stores: Vec::new(),
            memories: Vec::new(),
            versions: Vec::new(),
            dreams: Vec::new(),
            deployments: Vec::new(),
            runs: Vec::new(),
            driver: None,
        }
    }

    pub fn now(&self) -> Micros {
        self.clock.now()
    }

    pub fn session_mut(&mut self, id: &str) -> Option<&mut Session> {
        self.sessions.iter_mut().find(|s| s.id == id)
    }

    pub fn agent(&self, id: &str) -> Option<&Agent> {
        self.agents.iter().find(|a| a.id == id)
    }

    /// A new idle session of `agent_id`; returns its index.
    pub fn create_session(
        &mut self,
        agent_id: &str,
        environment_id: &str,
        title: Option<String>,
        at: Micros,
    ) -> Option<usize> {
        let agent = self.agent(agent_id)?.clone();
        let subagents: Vec<Agent> = match agent
            .json
            .pointer("/multiagent/subagents/predefined_agents")
        {
            Some(Value::Array(refs)) => refs
                .iter()
                .filter_map(|r| r.get("id").and_then(Value::as_str))
                .filter_map(|id| self.agent(id).cloned())
                .collect(),
            _ => Vec::new(),
        };
        let multiagent = agent.json.get("multiagent").filter(|m| !m.is_null()).map(|_| {
            let snaps: Vec<Value> = subagents.iter().map(|a| a.session_snapshot(None)).map(|mut v| {
                if let Some(o) = v.as_object_mut() {
                    o.remove("multiagent");
                }
                v
            }).collect();
            json!({
                "type": "multiagent_20261001",
                "advisor": {"type": "disabled"},
                "subagents": {"type": "enabled", "inline_agents": {"type": "disabled"}, "predefined_agents": snaps},
                "workflows": {"type": "disabled"},
            })
        });
        let snapshot = agent.session_snapshot(multiagent);
        let mut s = Session::new(
            &mut self.idg,
            self.seed,
            &agent,
            snapshot,
            environment_id,
            title,
            at,
        );
        if !subagents.is_empty() {
            let mut primary_agent = agent.session_snapshot(None);
            if let Some(o) = primary_agent.as_object_mut() {
                o.remove("multiagent");
            }
            let primary_id = self.idg.id("sthr_");
            let pseq = self.idg.seq();
            s.threads.push(Thread {
                seq: pseq,
                id: primary_id.clone(),
                agent_name: agent.name.clone(),
                agent: primary_agent,
                parent: None,
                status: Status::Idle,
                created_at: at,
                updated_at: at,
                archived_at: None,
                history: Vec::new(),
                tx: channel(),
                usage: Default::default(),
            });
            for sub in &subagents {
                let mut snap = sub.session_snapshot(None);
                if let Some(o) = snap.as_object_mut() {
                    o.remove("multiagent");
                }
                let tid = self.idg.id("sthr_");
                let tseq = self.idg.seq();
                s.threads.push(Thread {
                    seq: tseq,
                    id: tid.clone(),
                    agent_name: sub.name.clone(),
                    agent: snap,
                    parent: Some(primary_id.clone()),
                    status: Status::Idle,
                    created_at: at,
                    updated_at: at,
                    archived_at: None,
                    history: Vec::new(),
                    tx: channel(),
                    usage: Default::default(),
                });
                s.emit(
                    &mut self.idg,
                    at,
                    None,
                    json!({"type": "session.thread_created", "session_thread_id": tid, "agent_name": sub.name, "workflow_run_id": null}),
                );
            }
        }
        self.sessions.push(s);
        Some(self.sessions.len() - 1)
    }

    /// Queue a user event on a session (echoing it live), as `POST .../events` does.
    /// Returns the echo.
    pub fn send_event(&mut self, idx: usize, mut ev: Value, at: Micros) -> Value {
        let id = self.idg.id("sevt_");
        let kind = ev
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if let Some(o) = ev.as_object_mut() {
            o.insert("id".into(), json!(id));
            if kind == "user.define_outcome" {
                o.insert("outcome_id".into(), json!(self.idg.id("outc_")));
                o.entry("max_iterations").or_insert(json!(3));
            } else {
                o.insert("processed_at".into(), Value::Null);
            }
        }
        let World { sessions, idg, .. } = self;
        let Some(s) = sessions.get_mut(idx) else {
            return ev;
        };
        if kind == "user.define_outcome" {
            // Outcome definitions are recorded at once; the work starts when the session is free.
            s.emit(idg, at, None, ev.clone());
            let mut marker = ev.clone();
            marker["type"] = json!(START_OUTCOME);
            s.inbox.push_back(Queued {
                event: marker,
                queued_at: at,
            });
            if let Some(last) = s.history.last()
                && let Ok(v) = serde_json::from_str::<Value>(&last.json)
            {
                return v;
            }
            return ev;
        }
        // Answers to a sub-agent's call are routed to its thread, and say so from the start.
        let target = ["tool_use_id", "custom_tool_use_id"]
            .iter()
            .find_map(|k| ev.get(*k).and_then(Value::as_str))
            .map(str::to_string);
        if let (Some(i), Some(o)) = (
            target.and_then(|t| s.thread_of_event(&t)),
            ev.as_object_mut(),
        ) {
            o.insert("session_thread_id".into(), json!(s.threads[i].id));
        }
        s.echo_queued(&ev);
        s.inbox.push_back(Queued {
            event: ev.clone(),
            queued_at: at,
        });
        ev
    }

    pub fn say_to(&mut self, idx: usize, text: &str, at: Micros) {
        self.send_event(
            idx,
            json!({"type": "user.message", "content": [{"type": "text", "text": text}]}),
            at,
        );
    }

    /// Fast-forward, approving every pending tool call 20–60 s after it asked.
    pub fn run_with_approvals(&mut self, idx: usize, until: Micros) {
        loop {
            self.run_session_to(idx, until);
            let s = &mut self.sessions[idx];
            if s.blocked_on.is_empty() {
                return;
            }
            let at = s.last_ts + s.rng.random_range(20 * SECOND..60 * SECOND);
            if at > until {
                return;
            }
            for id in s.blocked_on.clone() {
                self.send_event(
                    idx,
                    json!({"type": "user.tool_confirmation", "tool_use_id": id, "result": "allow"}),
                    at,
                );
            }
        }
    }

    pub fn run_session_to(&mut self, idx: usize, t: Micros) {
        let World { sessions, idg, .. } = self;
        if let Some(s) = sessions.get_mut(idx) {
            s.advance(idg, t);
        }
    }
}
