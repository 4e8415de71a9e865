//! The body of every event type (everything except `type`, `id`, `processed_at` and
//! `session_thread_id`, which live on `SessionEvent`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::types::common::{
    BudgetLimit, ErrorObject, Metadata, OutcomeResult, Patch, StopReason, Usage, open_enum,
};
use crate::api::types::session::SessionAgent;

use super::content::*;

open_enum! {
    /// `evaluated_permission` on tool uses.
    Permission { Allow = "allow", Ask = "ask", Deny = "deny" }
}

open_enum! {
    /// `user.tool_confirmation.result`.
    ConfirmationResult { Allow = "allow", Deny = "deny" }
}

open_enum! {
    /// `session.error.error.type`.
    SessionErrorType {
        UnknownError = "unknown_error",
        ModelOverloadedError = "model_overloaded_error",
        ModelRateLimitedError = "model_rate_limited_error",
        ModelRequestFailedError = "model_request_failed_error",
        McpConnectionFailedError = "mcp_connection_failed_error",
        McpAuthenticationFailedError = "mcp_authentication_failed_error",
        BillingError = "billing_error",
        CredentialHostUnreachableError = "credential_host_unreachable_error",
        ToolUseLimitReachedError = "tool_use_limit_reached_error",
        CompactionLimitReachedError = "compaction_limit_reached_error",
        RepositoryAuthenticationError = "repository_authentication_error",
        RepositoryForbiddenError = "repository_forbidden_error",
        RepositoryNotFoundError = "repository_not_found_error",
        RepositoryCheckoutError = "repository_checkout_error",
        RepositoryCloneError = "repository_clone_error",
    }
}

/// How the auto policy decided (inside `Evaluation::Auto`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AutoPermission {
    Allow,
    Ask {
        #[serde(default)]
        reason_code: String,
    },
    Deny {
        #[serde(default)]
        reason_code: String,
    },
    #[serde(untagged)]
    Unknown(Value),
}

/// Which permission policy decided a tool call (`evaluation`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Evaluation {
    AlwaysAllow,
    AlwaysAsk,
    Auto {
        evaluated_permission: AutoPermission,
    },
    #[serde(untagged)]
    Unknown(Value),
}

/// `retry_status` of a `session.error`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RetryStatus {
    /// The server is retrying; wait.
    Retrying,
    /// The turn is dead; the session went idle (`retries_exhausted`).
    Exhausted,
    /// The session is terminated.
    Terminal,
    #[serde(untagged)]
    Unknown(Value),
}

/// `session.error.error`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionError {
    #[serde(rename = "type", default)]
    pub kind: SessionErrorType,
    #[serde(default)]
    pub message: String,
    pub retry_status: RetryStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcp_server_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vault_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_url: Option<String>,
}

/// `stop_details` of an idle with a refusal.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StopDetails {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

/// `user.define_outcome.rubric`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Rubric {
    Text {
        #[serde(default)]
        content: String,
    },
    File {
        #[serde(default)]
        file_id: String,
    },
    #[serde(untagged)]
    Unknown(Value),
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkflowPhase {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `workflow_run.status_ended.result`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WorkflowResult {
    Completed,
    Stopped,
    Error {
        #[serde(default)]
        error: ErrorObject,
    },
    #[serde(untagged)]
    Unknown(Value),
}

// ---------------------------------------------------------------------------------------------
// Event payloads (everything except `type`, `id`, `processed_at`, `session_thread_id`, which
// live on `SessionEvent`).

/// `user.message`, `system.message`, `agent.message`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageEvent {
    pub content: Vec<ContentBlock>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolConfirmationEvent {
    pub tool_use_id: String,
    pub result: ConfirmationResult,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deny_message: Option<String>,
}

/// `user.custom_tool_result` (`custom_tool_use_id`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomToolResultEvent {
    pub custom_tool_use_id: String,
    #[serde(default)]
    pub content: Vec<ContentBlock>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
}

/// `user.tool_result` and `agent.tool_result` (`tool_use_id`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolResultEvent {
    pub tool_use_id: String,
    #[serde(default)]
    pub content: Vec<ContentBlock>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DefineOutcomeEvent {
    pub description: String,
    pub rubric: Rubric,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_iterations: Option<u32>,
    #[serde(default)]
    pub outcome_id: String,
}

/// `agent.tool_use` (builtin tools).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolUseEvent {
    pub name: String,
    #[serde(default)]
    pub input: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluated_permission: Option<Permission>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<Evaluation>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct McpToolUseEvent {
    pub mcp_server_name: String,
    pub name: String,
    #[serde(default)]
    pub input: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluated_permission: Option<Permission>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<Evaluation>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct McpToolResultEvent {
    pub mcp_tool_use_id: String,
    #[serde(default)]
    pub content: Vec<ContentBlock>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
}

/// `agent.custom_tool_use`: the session waits for a `user.custom_tool_result`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomToolUseEvent {
    pub name: String,
    #[serde(default)]
    pub input: Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThreadMessageSentEvent {
    pub to_session_thread_id: String,
    /// Absent = the primary agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_agent_name: Option<String>,
    #[serde(default)]
    pub content: Vec<ContentBlock>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThreadMessageReceivedEvent {
    pub from_session_thread_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_agent_name: Option<String>,
    #[serde(default)]
    pub content: Vec<ContentBlock>,
}

/// `session.status_idle` and (with `agent_name`) `session.thread_status_idle`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdleEvent {
    pub stop_reason: StopReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_details: Option<StopDetails>,
    /// Thread idles only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionErrorEvent {
    pub error: SessionError,
}

/// `session.updated`: only the fields that changed are present.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionUpdatedEvent {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<SessionAgent>,
    /// `Clear` = the budget was removed.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub budget: Patch<BudgetLimit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub title: Patch<String>,
}

/// `session.usage`: cumulative.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionUsageEvent {
    #[serde(default)]
    pub usage: Usage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetLimit>,
}

/// `session.thread_created` (the new thread id is `SessionEvent::session_thread_id`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThreadCreatedEvent {
    #[serde(default)]
    pub agent_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_run_id: Option<String>,
}

/// `session.thread_status_{running,rescheduled,terminated}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThreadStatusEvent {
    #[serde(default)]
    pub agent_name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelRequestEndEvent {
    pub model_request_start_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
    #[serde(default)]
    pub model_usage: Usage,
}

/// `span.outcome_evaluation_start` / `_ongoing`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutcomeIterationEvent {
    pub outcome_id: String,
    #[serde(default)]
    pub iteration: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutcomeEvaluationEndEvent {
    #[serde(default)]
    pub outcome_evaluation_start_id: String,
    pub outcome_id: String,
    #[serde(default)]
    pub iteration: u32,
    pub result: OutcomeResult,
    #[serde(default)]
    pub explanation: String,
    #[serde(default)]
    pub usage: Usage,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkflowRunCreatedEvent {
    pub workflow_run_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub phases: Vec<WorkflowPhase>,
}

/// `workflow_run.status_running` / `workflow_run.status_idle`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkflowRunStatusEvent {
    pub workflow_run_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkflowPhaseStartedEvent {
    pub workflow_run_id: String,
    pub workflow_run_phase_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkflowPhaseEndedEvent {
    pub workflow_run_id: String,
    pub workflow_run_phase_id: String,
    #[serde(default)]
    pub phase_started_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkflowRunErrorEvent {
    /// `None` = the run was never created.
    #[serde(default)]
    pub workflow_run_id: Option<String>,
    pub error: ErrorObject,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkflowRunEndedEvent {
    pub workflow_run_id: String,
    pub result: WorkflowResult,
}

/// `event_start.event`: which buffered event a preview belongs to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreviewTarget {
    /// `agent.message` or `agent.thinking`.
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

/// `event_start` (stream only, with `event_deltas[]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventStartEvent {
    pub event: PreviewTarget,
}

/// `event_delta.delta`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContentDelta {
    /// `content_delta`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Position in the final `content` (missing = 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    pub content: ContentBlock,
}

/// `event_delta` (stream only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventDeltaEvent {
    pub event_id: String,
    pub delta: ContentDelta,
}
