//! Threads of a multiagent session (index 0 is the primary thread).

use serde_json::{Value, json};

use super::*;
use crate::sim::clock::{Micros, rfc3339};

#[derive(Debug)]
pub struct Thread {
    pub seq: u64,
    pub id: String,
    pub agent_name: String,
    pub agent: Value,
    pub parent: Option<String>,
    pub status: Status,
    pub created_at: Micros,
    pub updated_at: Micros,
    pub archived_at: Option<Micros>,
    pub history: Vec<StoredEvent>,
    pub tx: FrameTx,
    pub usage: Usage,
}

impl Session {
    pub fn thread_json(&self, t: &Thread, now: Micros) -> Value {
        json!({
            "type": "session_thread",
            "id": t.id,
            "session_id": self.id,
            "agent": t.agent,
            "parent_thread_id": t.parent,
            "status": t.status.as_str(),
            "stats": {
                "active_seconds": (((now - t.created_at).max(0) as f64) / 2e6 * 10.0).round() / 10.0,
                "duration_seconds": (((now - t.created_at).max(0) as f64) / 1e5).round() / 10.0,
                "startup_seconds": 1.4,
            },
            "usage": t.usage.to_json(0.0),
            "workflow_run_id": null,
            "archived_at": t.archived_at.map(rfc3339),
            "created_at": rfc3339(t.created_at),
            "updated_at": rfc3339(t.updated_at),
        })
    }
}
