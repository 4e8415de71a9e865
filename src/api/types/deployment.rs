//! Deployments and their runs.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::*;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Schedule {
    /// `cron`.
    #[serde(rename = "type")]
    pub kind: String,
    pub expression: String,
    pub timezone: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_run_at: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub upcoming_runs_at: Vec<String>,
}

/// Why a deployment is paused (non-null iff paused).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PausedReason {
    Manual,
    /// Auto-paused; `error.type` e.g. `environment_archived_error` (no message).
    Error {
        #[serde(default)]
        error: ErrorObject,
    },
    #[serde(untagged)]
    Unknown(Value),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Deployment {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub agent: AgentRef,
    pub environment_id: String,
    /// Event params (`user.message`, `user.define_outcome`, `system.message`), kept as JSON.
    pub initial_events: Vec<Value>,
    pub resources: Vec<Value>,
    pub vault_ids: Vec<String>,
    pub metadata: Metadata,
    pub budget: Option<BudgetLimit>,
    pub schedule: Option<Schedule>,
    pub status: DeploymentStatus,
    pub paused_reason: Option<PausedReason>,
    pub archived_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl Default for Deployment {
    fn default() -> Self {
        Deployment {
            kind: "deployment".into(),
            id: String::new(),
            name: String::new(),
            description: None,
            agent: AgentRef::default(),
            environment_id: String::new(),
            initial_events: Vec::new(),
            resources: Vec::new(),
            vault_ids: Vec::new(),
            metadata: Metadata::new(),
            budget: None,
            schedule: None,
            status: DeploymentStatus::Active,
            paused_reason: None,
            archived_at: None,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TriggerContext {
    Schedule {
        #[serde(default)]
        scheduled_at: String,
    },
    #[default]
    Manual,
    #[serde(untagged)]
    Unknown(Value),
}

/// One session creation by a deployment: exactly one of `session_id` / `error` is set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeploymentRun {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub deployment_id: String,
    pub agent: AgentRef,
    pub created_at: String,
    pub trigger_context: TriggerContext,
    pub session_id: Option<String>,
    pub error: Option<ErrorObject>,
}

impl Default for DeploymentRun {
    fn default() -> Self {
        DeploymentRun {
            kind: "deployment_run".into(),
            id: String::new(),
            deployment_id: String::new(),
            agent: AgentRef::default(),
            created_at: String::new(),
            trigger_context: TriggerContext::Manual,
            session_id: None,
            error: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::api::types::*;
    use serde_json::json;

    #[test]
    fn deployment_and_run() {
        let d: Deployment = serde_json::from_value(json!({"type": "deployment", "id": "depl_1", "name": "n",
            "agent": {"type": "agent", "id": "agent_1", "version": 2}, "environment_id": "env_1",
            "status": "paused", "paused_reason": {"type": "error", "error": {"type": "agent_archived_error"}},
            "schedule": {"type": "cron", "expression": "0 9 * * 1", "timezone": "Europe/Paris",
                         "upcoming_runs_at": ["a", "b"]}}))
        .unwrap();
        assert_eq!(d.status, DeploymentStatus::Paused);
        assert_eq!(
            d.paused_reason,
            Some(PausedReason::Error {
                error: ErrorObject {
                    kind: "agent_archived_error".into(),
                    message: String::new()
                }
            })
        );
        assert_eq!(d.schedule.unwrap().upcoming_runs_at.len(), 2);
        let r: DeploymentRun = serde_json::from_value(json!({"type": "deployment_run", "id": "drun_1",
            "deployment_id": "depl_1", "trigger_context": {"type": "schedule", "scheduled_at": "t"},
            "session_id": null, "error": {"type": "session_rate_limited_error", "message": "slow down"}}))
        .unwrap();
        assert_eq!(
            r.trigger_context,
            TriggerContext::Schedule {
                scheduled_at: "t".into()
            }
        );
        assert_eq!(r.error.unwrap().message, "slow down");
    }
}
