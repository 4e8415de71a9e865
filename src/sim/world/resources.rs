//! The resources around sessions: agents, environments, memory, dreams, deployments and runs.

use serde_json::{Map, Value, json};

use crate::cron::Cron;
use crate::sim::clock::{Micros, rfc3339};

/// What kind of work an agent does; drives the content of its turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persona {
    Researcher,
    Coder,
    Support,
    Coordinator,
    Integrations,
    Writer,
    Dreamer,
    Firehose,
}

#[derive(Debug, Clone)]
pub struct Agent {
    pub seq: u64,
    pub id: String,
    pub name: String,
    pub model: String,
    pub persona: Persona,
    /// The full agent object as served (its latest version).
    pub json: Value,
    /// The objects of every earlier version, oldest first (`GET .../versions`, `?version=`).
    pub earlier: Vec<Value>,
    pub created_at: Micros,
}

impl Agent {
    /// The latest version number (versions start at 1, +1 per modification).
    pub fn version(&self) -> u64 {
        self.json
            .get("version")
            .and_then(Value::as_u64)
            .unwrap_or(1)
    }

    /// The agent object as it was at version `v`.
    pub fn at_version(&self, v: u64) -> Option<&Value> {
        self.versions()
            .find(|a| a.get("version").and_then(Value::as_u64) == Some(v))
    }

    /// Every version, oldest first.
    pub fn versions(&self) -> impl Iterator<Item = &Value> {
        self.earlier.iter().chain(std::iter::once(&self.json))
    }

    pub fn archived(&self) -> bool {
        self.json.get("archived_at").is_some_and(|a| !a.is_null())
    }

    /// A new version: `changes` replace top-level fields, the version goes up by one.
    pub fn revise(&mut self, changes: &Map<String, Value>, at: Micros) {
        let next = self.version() + 1;
        let mut v = self.json.clone();
        self.earlier.push(std::mem::take(&mut self.json));
        if let Some(o) = v.as_object_mut() {
            for (k, x) in changes {
                o.insert(k.clone(), x.clone());
            }
            o.insert("version".into(), json!(next));
            o.insert("updated_at".into(), json!(rfc3339(at)));
        }
        if let Some(m) = changes
            .get("model")
            .and_then(|m| m.get("id"))
            .and_then(Value::as_str)
        {
            self.model = m.to_string();
        }
        self.json = v;
    }

    /// The snapshot a session carries (`SessionAgent`): the agent without bookkeeping fields.
    pub fn session_snapshot(&self, multiagent: Option<Value>) -> Value {
        Self::snapshot_of(&self.json, multiagent)
    }

    /// The `SessionAgent` snapshot of one version's object.
    pub fn snapshot_of(version: &Value, multiagent: Option<Value>) -> Value {
        let mut v = version.clone();
        if let Some(obj) = v.as_object_mut() {
            for k in ["metadata", "created_at", "updated_at", "archived_at"] {
                obj.remove(k);
            }
            obj.insert("multiagent".into(), multiagent.unwrap_or(Value::Null));
        }
        v
    }
}

#[derive(Debug, Clone)]
pub struct Environment {
    pub seq: u64,
    pub id: String,
    pub json: Value,
    pub created_at: Micros,
}

// ---------------------------------------------------------------------------------------------
// Memory

#[derive(Debug, Clone)]
pub struct MemoryStore {
    pub seq: u64,
    pub id: String,
    pub name: String,
    pub description: String,
    pub metadata: Map<String, Value>,
    pub created_at: Micros,
    pub updated_at: Micros,
    pub archived_at: Option<Micros>,
}

impl MemoryStore {
    pub fn to_json(&self) -> Value {
        json!({
            "type": "memory_store",
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "metadata": self.metadata,
            "created_at": rfc3339(self.created_at),
            "updated_at": rfc3339(self.updated_at),
            "archived_at": self.archived_at.map(rfc3339),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Memory {
    pub id: String,
    pub store_id: String,
    pub path: String,
    pub content: String,
    pub sha: String,
    pub version_id: String,
    pub created_at: Micros,
    pub updated_at: Micros,
}

impl Memory {
    pub fn to_json(&self, full: bool) -> Value {
        json!({
            "type": "memory",
            "id": self.id,
            "memory_store_id": self.store_id,
            "path": self.path,
            "content": if full { Value::String(self.content.clone()) } else { Value::Null },
            "content_sha256": self.sha,
            "content_size_bytes": self.content.len(),
            "memory_version_id": self.version_id,
            "created_at": rfc3339(self.created_at),
            "updated_at": rfc3339(self.updated_at),
        })
    }
}

#[derive(Debug, Clone)]
pub struct MemoryVersion {
    pub seq: u64,
    pub id: String,
    pub memory_id: String,
    pub store_id: String,
    pub operation: &'static str,
    pub created_at: Micros,
    pub path: Option<String>,
    pub content: Option<String>,
    pub sha: Option<String>,
    pub created_by: Value,
    pub redacted_at: Option<Micros>,
    pub redacted_by: Option<Value>,
}

impl MemoryVersion {
    pub fn to_json(&self, full: bool) -> Value {
        json!({
            "type": "memory_version",
            "id": self.id,
            "memory_id": self.memory_id,
            "memory_store_id": self.store_id,
            "operation": self.operation,
            "created_at": rfc3339(self.created_at),
            "path": self.path,
            "content": if full { self.content.clone() } else { None },
            "content_sha256": self.sha,
            "content_size_bytes": self.content.as_ref().map(String::len),
            "created_by": self.created_by,
            "redacted_at": self.redacted_at.map(rfc3339),
            "redacted_by": self.redacted_by,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Dreams, deployments

#[derive(Debug, Clone)]
pub struct Dream {
    pub seq: u64,
    pub id: String,
    pub status: &'static str,
    pub input_store_id: String,
    pub session_ids: Vec<String>,
    pub model: Value,
    pub instructions: Option<String>,
    pub output_behavior: Value,
    pub outputs: Vec<String>,
    pub session_id: Option<String>,
    pub usage: [u64; 4],
    pub error: Option<Value>,
    pub created_at: Micros,
    pub ended_at: Option<Micros>,
    pub archived_at: Option<Micros>,
    /// When it starts running, when the output store appears, when it finishes.
    pub start_at: Micros,
    pub clone_at: Micros,
    pub finish_at: Micros,
    /// Ends in `failed` instead of `completed`.
    pub will_fail: bool,
    /// Its planned writes into the output store, each at the time its session shows it.
    pub work: std::collections::VecDeque<(Micros, crate::sim::memory::DreamOp)>,
    /// When it completes, another dream over the same store starts (the demo always has one
    /// running).
    pub repeat: bool,
    /// Its writes are planned (from the output store, once it exists).
    pub planned: bool,
}

impl Dream {
    pub fn to_json(&self) -> Value {
        let mut sids = self.session_ids.clone();
        sids.sort();
        json!({
            "type": "dream",
            "id": self.id,
            "status": self.status,
            "inputs": [
                {"type": "memory_store", "memory_store_id": self.input_store_id},
                {"type": "sessions", "session_ids": sids},
            ],
            "model": self.model,
            "instructions": self.instructions,
            "output_behavior": self.output_behavior,
            "outputs": self.outputs.iter().map(|id| json!({"type": "memory_store", "memory_store_id": id})).collect::<Vec<_>>(),
            "session_id": self.session_id,
            "usage": {
                "input_tokens": self.usage[0],
                "output_tokens": self.usage[1],
                "cache_creation_input_tokens": self.usage[2],
                "cache_read_input_tokens": self.usage[3],
            },
            "error": self.error,
            "created_at": rfc3339(self.created_at),
            "ended_at": self.ended_at.map(rfc3339),
            "archived_at": self.archived_at.map(rfc3339),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Schedule {
    pub expression: String,
    pub timezone: String,
    pub cron: Cron,
    /// Fires at or before this minute have been handled.
    pub checked_until: Micros,
    pub last_run_at: Option<Micros>,
}

#[derive(Debug, Clone)]
pub struct Deployment {
    pub seq: u64,
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub agent_id: String,
    pub agent_version: u64,
    pub environment_id: String,
    pub initial_events: Value,
    pub metadata: Map<String, Value>,
    pub resources: Value,
    pub vault_ids: Vec<String>,
    pub budget: Option<Value>,
    pub schedule: Option<Schedule>,
    pub paused_reason: Option<Value>,
    pub archived_at: Option<Micros>,
    pub created_at: Micros,
    pub updated_at: Micros,
    /// Runs of this deployment fail with this run error type (the "errored" demo deployment).
    pub failing_with: Option<&'static str>,
}

impl Deployment {
    pub fn agent_ref(&self) -> Value {
        json!({"type": "agent", "id": self.agent_id, "version": self.agent_version})
    }

    pub fn to_json(&self, now: Micros) -> Value {
        let schedule = self.schedule.as_ref().map(|s| {
            let upcoming: Vec<String> =
                if self.paused_reason.is_none() && self.archived_at.is_none() {
                    s.cron.upcoming(now, 5).into_iter().map(rfc3339).collect()
                } else {
                    Vec::new()
                };
            json!({
                "type": "cron",
                "expression": s.expression,
                "timezone": s.timezone,
                "last_run_at": s.last_run_at.map(rfc3339),
                "upcoming_runs_at": upcoming,
            })
        });
        json!({
            "type": "deployment",
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "agent": self.agent_ref(),
            "environment_id": self.environment_id,
            "initial_events": self.initial_events,
            "resources": self.resources,
            "vault_ids": self.vault_ids,
            "metadata": self.metadata,
            "budget": self.budget,
            "schedule": schedule,
            "status": if self.paused_reason.is_some() { "paused" } else { "active" },
            "paused_reason": self.paused_reason,
            "archived_at": self.archived_at.map(rfc3339),
            "created_at": rfc3339(self.created_at),
            "updated_at": rfc3339(self.updated_at),
        })
    }
}

#[derive(Debug, Clone)]
pub struct DeploymentRun {
    pub seq: u64,
    pub id: String,
    pub deployment_id: String,
    pub agent: Value,
    pub created_at: Micros,
    /// `None` for manual runs.
    pub scheduled_at: Option<Micros>,
    pub session_id: Option<String>,
    pub error: Option<Value>,
}

impl DeploymentRun {
    pub fn to_json(&self) -> Value {
        let trigger = match self.scheduled_at {
            Some(t) => json!({"type": "schedule", "scheduled_at": rfc3339(t)}),
            None => json!({"type": "manual"}),
        };
        json!({
            "type": "deployment_run",
            "id": self.id,
            "deployment_id": self.deployment_id,
            "agent": self.agent,
            "created_at": rfc3339(self.created_at),
            "trigger_context": trigger,
            "session_id": self.session_id,
            "error": self.error,
        })
    }
}
