//! A session: its state, its event log and live channel, and how an event changes it.

use std::collections::VecDeque;
use std::sync::Arc;

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Map, Value, json};

use super::*;
use crate::sim::clock::{Micros, rfc3339};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Idle,
    Running,
    Rescheduling,
    Terminated,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::Running => "running",
            Status::Rescheduling => "rescheduling",
            Status::Terminated => "terminated",
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_input_tokens: u64,
    pub cache_creation_input_tokens: u64,
    pub web_search_requests: u64,
    pub web_fetch_requests: u64,
    /// List cost in cents (fractional until rounded for the wire).
    pub cost_cents: f64,
}

/// USD per million tokens (input, output) for a model id.
pub fn model_prices(model: &str) -> (f64, f64) {
    if model.contains("opus") {
        (15.0, 75.0)
    } else if model.contains("haiku") {
        (1.0, 5.0)
    } else {
        (3.0, 15.0)
    }
}

impl Usage {
    pub fn add_model_usage(&mut self, model: &str, mu: &Value) {
        let get = |k: &str| mu.get(k).and_then(Value::as_u64).unwrap_or(0);
        let (input, output, cread, ccreate) = (
            get("input_tokens"),
            get("output_tokens"),
            get("cache_read_input_tokens"),
            get("cache_creation_input_tokens"),
        );
        self.input_tokens += input;
        self.output_tokens += output;
        self.cache_read_input_tokens += cread;
        self.cache_creation_input_tokens += ccreate;
        let (pin, pout) = model_prices(model);
        let usd = (input as f64 * pin
            + output as f64 * pout
            + cread as f64 * pin * 0.1
            + ccreate as f64 * pin * 1.25)
            / 1_000_000.0;
        self.cost_cents += usd * 100.0;
    }

    pub fn to_json(self, active_seconds: f64) -> Value {
        json!({
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_read_input_tokens": self.cache_read_input_tokens,
            "cache_creation": {"ephemeral_5m_input_tokens": self.cache_creation_input_tokens, "ephemeral_1h_input_tokens": 0},
            "server_tool_use": {"web_search_requests": self.web_search_requests, "web_fetch_requests": self.web_fetch_requests},
            "list_cost": {"amount": format!("{}", self.cost_cents.round() as i64), "currency": "USD"},
            "active_seconds": (active_seconds * 10.0).round() / 10.0,
        })
    }
}

/// A step of a session's script: after `delay`, do `act` (on a child thread when `thread` is set).
#[derive(Debug, Clone)]
pub struct Beat {
    pub delay: Micros,
    pub thread: Option<usize>,
    pub act: Act,
}

#[derive(Debug, Clone)]
pub enum Act {
    /// Emit an event (its `id` is preassigned when other beats refer to it).
    Event(Value),
    /// Stream-only preview (`event_start` / `event_delta`) of the given kind.
    Preview(&'static str, Value),
    /// Wait for answers to every tool use that asked since the last block.
    Block,
    /// Emit a cumulative `session.usage`.
    Usage,
    /// The agent's message after the human answered `uses`: written when it runs, from the
    /// answers (a denial or a custom tool's answer changes what it says); `done` when every
    /// use was allowed.
    Reflect { uses: Vec<String>, done: String },
}

/// A user event waiting to be processed.
#[derive(Debug, Clone)]
pub struct Queued {
    pub event: Value,
    pub queued_at: Micros,
}

#[derive(Debug, Clone)]
pub struct ActiveOutcome {
    pub outcome_id: String,
    pub start_id: Option<String>,
    pub iteration: u64,
}

#[derive(Debug)]
pub struct Session {
    pub seq: u64,
    pub id: String,
    /// The agent snapshot (shared: a fleet's sessions of one agent hold one copy).
    pub agent: Arc<Value>,
    pub model: String,
    pub persona: Persona,
    pub environment_id: String,
    pub title: Option<String>,
    pub metadata: Map<String, Value>,
    pub budget: Option<Value>,
    pub resources: Vec<Value>,
    pub vault_ids: Vec<String>,
    pub deployment_id: Option<String>,
    pub created_at: Micros,
    pub updated_at: Micros,
    pub archived_at: Option<Micros>,
    pub status: Status,
    pub stop_reason: Option<Value>,
    pub usage: Usage,
    pub active_micros: Micros,
    pub running_since: Option<Micros>,
    pub terminated_at: Option<Micros>,
    pub outcome_evaluations: Vec<Value>,
    pub history: Vec<StoredEvent>,
    pub tx: FrameTx,
    /// Index 0 is the primary thread when the session is multiagent.
    pub threads: Vec<Thread>,
    // --- behaviour ---
    pub script: VecDeque<Beat>,
    pub next_at: Micros,
    pub awaiting: Vec<String>,
    pub blocked_on: Vec<String>,
    pub inbox: VecDeque<Queued>,
    pub outcome: Option<ActiveOutcome>,
    /// Demo sessions get a new prompt a while after each turn.
    pub autopilot: bool,
    pub autopilot_at: Option<Micros>,
    pub turns: u64,
    pub last_ts: Micros,
    pub rng: StdRng,
    /// How each tool use that waited for a human was answered, by tool use id.
    pub answers: std::collections::HashMap<String, Answer>,
}

/// Events that child threads also post to the primary stream.
fn cross_posted(kind: &str, ev: &Value) -> bool {
    kind.starts_with("session.thread_status_")
        || kind == "agent.custom_tool_use"
        || ((kind == "agent.tool_use" || kind == "agent.mcp_tool_use")
            && ev.get("evaluated_permission").and_then(Value::as_str) == Some("ask"))
}

impl Session {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        idg: &mut Gen,
        seed: u64,
        agent: &Agent,
        snapshot: Value,
        environment_id: &str,
        title: Option<String>,
        created_at: Micros,
    ) -> Session {
        let id = idg.id("sesn_");
        let rng_seed = seed ^ (idg.seq.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        Session {
            seq: idg.seq(),
            id,
            agent: Arc::new(snapshot),
            model: agent.model.clone(),
            persona: agent.persona,
            environment_id: environment_id.to_string(),
            title,
            metadata: Map::new(),
            budget: None,
            resources: Vec::new(),
            vault_ids: Vec::new(),
            deployment_id: None,
            created_at,
            updated_at: created_at,
            archived_at: None,
            status: Status::Idle,
            stop_reason: None,
            usage: Usage::default(),
            active_micros: 0,
            running_since: None,
            terminated_at: None,
            outcome_evaluations: Vec::new(),
            history: Vec::new(),
            tx: channel(),
            threads: Vec::new(),
            script: VecDeque::new(),
            next_at: created_at,
            awaiting: Vec::new(),
            blocked_on: Vec::new(),
            inbox: VecDeque::new(),
            outcome: None,
            autopilot: false,
            autopilot_at: None,
            turns: 0,
            last_ts: created_at,
            rng: StdRng::seed_from_u64(rng_seed),
            answers: Default::default(),
        }
    }

    pub fn thread_index(&self, thread_id: &str) -> Option<usize> {
        self.threads.iter().position(|t| t.id == thread_id)
    }

    pub fn busy(&self) -> bool {
        !self.script.is_empty() || !self.blocked_on.is_empty()
    }

    pub fn budget_cents(&self) -> Option<f64> {
        self.budget
            .as_ref()
            .and_then(|b| b.pointer("/max_list_cost/amount"))
            .and_then(Value::as_str)
            .and_then(|a| a.parse::<f64>().ok())
    }

    pub fn over_budget(&self) -> bool {
        self.budget_cents()
            .is_some_and(|max| self.usage.cost_cents >= max)
    }

    pub fn set_status(&mut self, status: Status, at: Micros) {
        if status == Status::Running && self.running_since.is_none() {
            self.running_since = Some(at);
        }
        if status != Status::Running
            && let Some(since) = self.running_since.take()
        {
            self.active_micros += (at - since).max(0);
        }
        if status == Status::Terminated {
            self.terminated_at = Some(at);
        }
        self.status = status;
    }

    pub fn active_seconds(&self, now: Micros) -> f64 {
        let running = self.running_since.map(|s| (now - s).max(0)).unwrap_or(0);
        (self.active_micros + running) as f64 / 1e6
    }

    /// Broadcast a frame to whoever watches `thread` (or the primary stream).
    pub fn broadcast(&self, thread: Option<usize>, frame: Frame) {
        let frame = Arc::new(frame);
        match thread.and_then(|i| self.threads.get(i)) {
            Some(t) if t.parent.is_some() => {
                let _ = t.tx.send(frame);
            }
            _ => {
                let _ = self.tx.send(frame.clone());
                // The primary thread's own stream mirrors the session stream.
                if let Some(primary) = self.threads.first() {
                    let _ = primary.tx.send(frame);
                }
            }
        }
    }

    /// Echo a just-sent user event (not yet processed) to live streams only.
    pub fn echo_queued(&self, ev: &Value) {
        let kind = ev
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let data: Arc<str> = Arc::from(ev.to_string());
        let id = ev.get("id").and_then(Value::as_str).map(str::to_string);
        self.broadcast(
            None,
            Frame {
                event_type: kind,
                data,
                id,
                preview: None,
                ends_stream: false,
            },
        );
    }

    pub fn preview(&self, thread: Option<usize>, kind: &'static str, ev: &Value) {
        let event_type = ev
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("event_delta")
            .to_string();
        let data: Arc<str> = Arc::from(ev.to_string());
        self.broadcast(
            thread,
            Frame {
                event_type,
                data,
                id: None,
                preview: Some(kind),
                ends_stream: false,
            },
        );
    }

    /// Record and broadcast an event at `at` (clamped so history stays ordered), applying its
    /// effect on the session's state. Returns the event id.
    pub fn emit(
        &mut self,
        idg: &mut Gen,
        at: Micros,
        thread: Option<usize>,
        mut ev: Value,
    ) -> String {
        // Strictly increasing per session, so `created_at[gt]=<last seen>` never skips a sibling.
        let at = at.max(self.last_ts + 1);
        self.last_ts = at;
        let Some(obj) = ev.as_object_mut() else {
            return String::new();
        };
        let id = match obj.get("id").and_then(Value::as_str) {
            Some(id) => id.to_string(),
            None => {
                let id = idg.id("sevt_");
                obj.insert("id".into(), Value::String(id.clone()));
                id
            }
        };
        obj.insert("processed_at".into(), Value::String(rfc3339(at)));
        let kind = obj
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let child = thread.filter(|&i| self.threads.get(i).is_some_and(|t| t.parent.is_some()));
        self.apply_effects(&kind, &ev, at, child);
        let seq = idg.seq();
        let json: Arc<str> = Arc::from(ev.to_string());
        let stored = StoredEvent {
            seq,
            id: id.clone(),
            kind: kind.clone(),
            processed_at: at,
            json: json.clone(),
        };
        match child {
            Some(i) => {
                if cross_posted(&kind, &ev) {
                    let mut primary = ev.clone();
                    if let Some(o) = primary.as_object_mut() {
                        o.insert(
                            "session_thread_id".into(),
                            Value::String(self.threads[i].id.clone()),
                        );
                    }
                    let pjson: Arc<str> = Arc::from(primary.to_string());
                    self.history.push(StoredEvent {
                        json: pjson.clone(),
                        ..stored.clone()
                    });
                    self.broadcast(
                        None,
                        Frame {
                            event_type: kind.clone(),
                            data: pjson,
                            id: Some(id.clone()),
                            preview: None,
                            ends_stream: false,
                        },
                    );
                }
                let t = &mut self.threads[i];
                t.history.push(stored);
                t.updated_at = at;
                let _ = t.tx.send(Arc::new(Frame {
                    event_type: kind,
                    data: json,
                    id: Some(id.clone()),
                    preview: None,
                    ends_stream: false,
                }));
            }
            None => {
                if let Some(primary) = self.threads.first_mut() {
                    primary.history.push(stored.clone());
                    primary.updated_at = at;
                }
                self.history.push(stored);
                self.broadcast(
                    None,
                    Frame {
                        event_type: kind,
                        data: json,
                        id: Some(id.clone()),
                        preview: None,
                        ends_stream: false,
                    },
                );
            }
        }
        self.updated_at = at;
        id
    }

    pub fn apply_effects(&mut self, kind: &str, ev: &Value, at: Micros, child: Option<usize>) {
        let str_field = |k: &str| ev.get(k).and_then(Value::as_str).map(str::to_string);
        let thread_status = |s: &mut Session, st: Status| {
            if let Some(i) = str_field("session_thread_id").and_then(|t| s.thread_index(&t)) {
                s.threads[i].status = st;
                s.threads[i].updated_at = at;
            }
        };
        match kind {
            "session.status_running" => {
                self.set_status(Status::Running, at);
                self.stop_reason = None;
                if let Some(p) = self.threads.first_mut() {
                    p.status = Status::Running;
                }
            }
            "session.status_idle" => {
                self.set_status(Status::Idle, at);
                self.stop_reason = ev.get("stop_reason").cloned();
                if let Some(p) = self.threads.first_mut() {
                    p.status = Status::Idle;
                }
            }
            "session.status_rescheduled" => self.set_status(Status::Rescheduling, at),
            "session.status_terminated" => {
                self.set_status(Status::Terminated, at);
                for t in &mut self.threads {
                    t.status = Status::Terminated;
                }
            }
            "session.thread_status_running" => thread_status(self, Status::Running),
            "session.thread_status_idle" => thread_status(self, Status::Idle),
            "session.thread_status_rescheduled" => thread_status(self, Status::Rescheduling),
            "session.thread_status_terminated" => thread_status(self, Status::Terminated),
            "span.model_request_end" => {
                if let Some(mu) = ev.get("model_usage") {
                    let model = self.model.clone();
                    self.usage.add_model_usage(&model, mu);
                    if let Some(t) = child.and_then(|i| self.threads.get_mut(i)) {
                        t.usage.add_model_usage(&model, mu);
                    }
                }
            }
            "agent.tool_use" | "agent.mcp_tool_use" => {
                if str_field("name").as_deref() == Some("web_search") {
                    self.usage.web_search_requests += 1;
                }
                if str_field("name").as_deref() == Some("web_fetch") {
                    self.usage.web_fetch_requests += 1;
                }
                if str_field("evaluated_permission").as_deref() == Some("ask")
                    && let Some(id) = str_field("id")
                {
                    self.awaiting.push(id);
                }
            }
            "agent.custom_tool_use" => {
                if let Some(id) = str_field("id") {
                    self.awaiting.push(id);
                }
            }
            "user.define_outcome" => {
                if let Some(oid) = str_field("outcome_id") {
                    self.outcome_evaluations.push(json!({
                        "type": "outcome_evaluation",
                        "outcome_id": oid,
                        "description": str_field("description").unwrap_or_default(),
                        "iteration": 0,
                        "result": "running",
                        "explanation": null,
                        "completed_at": null,
                    }));
                }
            }
            "span.outcome_evaluation_start" => {
                let oid = str_field("outcome_id");
                if let Some(o) = self.outcome.as_mut() {
                    o.start_id = str_field("id");
                    o.iteration = ev.get("iteration").and_then(Value::as_u64).unwrap_or(0);
                }
                self.update_outcome(oid.as_deref(), ev, "evaluating", None);
            }
            "span.outcome_evaluation_end" => {
                let oid = str_field("outcome_id");
                let result = str_field("result").unwrap_or_default();
                let terminal = result != "needs_revision";
                if let Some(o) = self.outcome.as_mut() {
                    o.start_id = None;
                }
                if terminal {
                    self.outcome = None;
                }
                let shown = if terminal { result.as_str() } else { "running" };
                self.update_outcome(
                    oid.as_deref(),
                    ev,
                    shown,
                    if terminal { Some(at) } else { None },
                );
            }
            _ => {}
        }
    }

    pub fn update_outcome(
        &mut self,
        oid: Option<&str>,
        ev: &Value,
        result: &str,
        completed: Option<Micros>,
    ) {
        let Some(oid) = oid else { return };
        for o in &mut self.outcome_evaluations {
            if o.get("outcome_id").and_then(Value::as_str) == Some(oid) {
                o["result"] = json!(result);
                o["iteration"] = ev.get("iteration").cloned().unwrap_or(json!(0));
                if let Some(e) = ev.get("explanation") {
                    o["explanation"] = e.clone();
                }
                if let Some(c) = completed {
                    o["completed_at"] = json!(rfc3339(c));
                }
            }
        }
    }

    pub fn to_json(&self, now: Micros) -> Value {
        let end = self.terminated_at.unwrap_or(now);
        json!({
            "type": "session",
            "id": self.id,
            "agent": *self.agent,
            "archived_at": self.archived_at.map(rfc3339),
            "budget": self.budget,
            "created_at": rfc3339(self.created_at),
            "updated_at": rfc3339(self.updated_at),
            "environment_id": self.environment_id,
            "metadata": self.metadata,
            "outcome_evaluations": self.outcome_evaluations,
            "resources": self.resources,
            "stats": {
                "active_seconds": (self.active_seconds(now) * 10.0).round() / 10.0,
                "duration_seconds": ((end - self.created_at).max(0) as f64 / 1e5).round() / 10.0,
            },
            "status": self.status.as_str(),
            "title": self.title,
            "usage": self.usage.to_json(self.active_seconds(now)),
            "vault_ids": self.vault_ids,
            "deployment_id": self.deployment_id,
        })
    }
}
