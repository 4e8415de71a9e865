//! Sessions and their threads (and the agent snapshot a session runs).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::*;

/// The agent snapshot a session runs (taken at creation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionAgent {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub version: u64,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    pub model: ModelConfig,
    /// Tool definitions, kept as JSON (`agent_toolset_20260401`, `mcp_toolset`, `custom`).
    pub tools: Vec<Value>,
    pub mcp_servers: Vec<Value>,
    pub skills: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_identity: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multiagent: Option<Value>,
}

impl Default for SessionAgent {
    fn default() -> Self {
        SessionAgent {
            kind: "agent".into(),
            id: String::new(),
            version: 0,
            name: String::new(),
            description: None,
            system: None,
            model: ModelConfig::default(),
            tools: Vec::new(),
            mcp_servers: Vec::new(),
            skills: Vec::new(),
            execution_identity: None,
            multiagent: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Session {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub agent: SessionAgent,
    pub archived_at: Option<String>,
    pub budget: Option<BudgetLimit>,
    pub created_at: String,
    pub updated_at: String,
    pub environment_id: String,
    pub metadata: Metadata,
    pub outcome_evaluations: Vec<OutcomeEvaluation>,
    pub resources: Vec<SessionResource>,
    pub stats: Stats,
    pub status: SessionStatus,
    pub title: Option<String>,
    pub usage: Usage,
    pub vault_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            kind: "session".into(),
            id: String::new(),
            agent: SessionAgent::default(),
            archived_at: None,
            budget: None,
            created_at: String::new(),
            updated_at: String::new(),
            environment_id: String::new(),
            metadata: Metadata::new(),
            outcome_evaluations: Vec::new(),
            resources: Vec::new(),
            stats: Stats::default(),
            status: SessionStatus::Idle,
            title: None,
            usage: Usage::default(),
            vault_ids: Vec::new(),
            deployment_id: None,
        }
    }
}

/// Who runs a thread: `{type:"agent", ...snapshot}`, `{type:"advisor", model}` or
/// `{type:"inline", name, model, ...}`. One tolerant struct covers all three.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ThreadAgent {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One thread of a (multiagent) session; `parent_thread_id: null` is the primary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionThread {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub session_id: String,
    pub agent: ThreadAgent,
    pub parent_thread_id: Option<String>,
    pub status: SessionStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stats: Option<Stats>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_run_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl Default for SessionThread {
    fn default() -> Self {
        SessionThread {
            kind: "session_thread".into(),
            id: String::new(),
            session_id: String::new(),
            agent: ThreadAgent::default(),
            parent_thread_id: None,
            status: SessionStatus::Idle,
            stats: None,
            usage: None,
            workflow_run_id: None,
            archived_at: None,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }
}

impl SessionThread {
    pub fn is_primary(&self) -> bool {
        self.parent_thread_id.is_none()
    }
}

#[cfg(test)]
mod tests {
    use crate::api::types::*;
    use serde_json::json;

    #[test]
    fn session_parses_full_example_and_money() {
        let raw = json!({
            "type": "session", "id": "sesn_1", "status": "idle", "title": null,
            "agent": {"type": "agent", "id": "agent_1", "version": 3, "name": "coder",
                      "model": {"id": "claude-opus-4-8", "effort": {"type": "high"}, "speed": "fast"},
                      "tools": [{"type": "custom", "name": "x"}], "mcp_servers": [], "skills": []},
            "archived_at": null,
            "budget": {"type": "limit", "max_list_cost": {"amount": "2500", "currency": "USD"}},
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:01Z",
            "environment_id": "env_1", "metadata": {"team": "a"},
            "outcome_evaluations": [{"type": "outcome_evaluation", "outcome_id": "outc_1",
                "description": "d", "iteration": 1, "result": "needs_coffee"}],
            "resources": [{"type": "memory_store", "memory_store_id": "memstore_1", "access": "read_only"},
                          {"type": "hologram", "id": "h1"}],
            "stats": {"active_seconds": 12.5},
            "usage": {"input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 2,
                      "cache_creation": {"ephemeral_5m_input_tokens": 3, "ephemeral_1h_input_tokens": 4},
                      "list_cost": {"amount": "123", "currency": "USD"}},
            "vault_ids": [], "brand_new_field": {"x": 1}
        });
        let s: Session = serde_json::from_value(raw).unwrap();
        assert_eq!(s.status, SessionStatus::Idle);
        assert_eq!(s.agent.model.effort.as_deref(), Some("high"));
        assert_eq!(s.agent.model.speed.as_deref(), Some("fast"));
        assert_eq!(s.budget.unwrap().max_list_cost.cents(), Some(2500));
        assert_eq!(s.usage.cache_creation_tokens(), 7);
        assert_eq!(s.usage.total_tokens(), 24);
        assert_eq!(s.usage.cost_cents(), Some(123));
        assert_eq!(
            s.outcome_evaluations[0].result,
            OutcomeResult::Other("needs_coffee".into())
        );
        assert!(matches!(s.resources[1], SessionResource::Unknown(_)));
        assert_eq!(
            s.resources[1],
            SessionResource::Unknown(json!({"type": "hologram", "id": "h1"}))
        );
        assert_eq!(s.stats.active_seconds, Some(12.5));
    }

    #[test]
    fn minimal_and_unknown_status_session() {
        let s: Session =
            serde_json::from_value(json!({"id": "sesn_2", "status": "hibernating"})).unwrap();
        assert_eq!(s.status, SessionStatus::Other("hibernating".into()));
        assert_eq!(s.status.to_string(), "hibernating");
        assert!(s.title.is_none());
        assert_eq!(s.usage.total_tokens(), 0);
    }
}
