//! What a client sends: `POST /v1/sessions/{id}/events`, body `{"events":[...]}`.

use serde::{Deserialize, Serialize};

use super::SessionEvent;
use super::content::*;
use super::payloads::*;

/// One sendable event (`BetaManagedAgentsEventParams`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum EventParams {
    #[serde(rename = "user.message")]
    UserMessage { content: Vec<ContentBlock> },
    #[serde(rename = "user.interrupt")]
    UserInterrupt {
        /// Absent: interrupt everything; present: only that thread.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session_thread_id: Option<String>,
    },
    #[serde(rename = "user.tool_confirmation")]
    UserToolConfirmation {
        /// The `id` of the `agent.tool_use` / `agent.mcp_tool_use` event.
        tool_use_id: String,
        result: ConfirmationResult,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deny_message: Option<String>,
    },
    #[serde(rename = "user.custom_tool_result")]
    UserCustomToolResult {
        /// The `id` of the `agent.custom_tool_use` event.
        custom_tool_use_id: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        content: Vec<ContentBlock>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        is_error: Option<bool>,
    },
    /// Self-hosted environments only.
    #[serde(rename = "user.tool_result")]
    UserToolResult {
        tool_use_id: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        content: Vec<ContentBlock>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        is_error: Option<bool>,
    },
    #[serde(rename = "user.define_outcome")]
    UserDefineOutcome {
        description: String,
        rubric: Rubric,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_iterations: Option<u32>,
    },
    /// At most one per request, last, right after the user event it accompanies.
    #[serde(rename = "system.message")]
    SystemMessage { content: Vec<ContentBlock> },
}

impl EventParams {
    pub fn user_text(text: impl Into<String>) -> Self {
        EventParams::UserMessage {
            content: vec![ContentBlock::text(text)],
        }
    }
    pub fn interrupt() -> Self {
        EventParams::UserInterrupt {
            session_thread_id: None,
        }
    }
    pub fn allow(tool_use_id: impl Into<String>) -> Self {
        EventParams::UserToolConfirmation {
            tool_use_id: tool_use_id.into(),
            result: ConfirmationResult::Allow,
            deny_message: None,
        }
    }
    pub fn deny(tool_use_id: impl Into<String>, message: Option<String>) -> Self {
        EventParams::UserToolConfirmation {
            tool_use_id: tool_use_id.into(),
            result: ConfirmationResult::Deny,
            deny_message: message,
        }
    }
    pub fn custom_tool_result(
        custom_tool_use_id: impl Into<String>,
        text: impl Into<String>,
        is_error: bool,
    ) -> Self {
        EventParams::UserCustomToolResult {
            custom_tool_use_id: custom_tool_use_id.into(),
            content: vec![ContentBlock::text(text)],
            is_error: Some(is_error),
        }
    }
    pub fn define_outcome(
        description: impl Into<String>,
        rubric_text: impl Into<String>,
        max_iterations: Option<u32>,
    ) -> Self {
        EventParams::UserDefineOutcome {
            description: description.into(),
            rubric: Rubric::Text {
                content: rubric_text.into(),
            },
            max_iterations,
        }
    }
    pub fn system_text(text: impl Into<String>) -> Self {
        EventParams::SystemMessage {
            content: vec![ContentBlock::text(text)],
        }
    }
    pub fn type_name(&self) -> &'static str {
        match self {
            EventParams::UserMessage { .. } => "user.message",
            EventParams::UserInterrupt { .. } => "user.interrupt",
            EventParams::UserToolConfirmation { .. } => "user.tool_confirmation",
            EventParams::UserCustomToolResult { .. } => "user.custom_tool_result",
            EventParams::UserToolResult { .. } => "user.tool_result",
            EventParams::UserDefineOutcome { .. } => "user.define_outcome",
            EventParams::SystemMessage { .. } => "system.message",
        }
    }
}

/// `POST /v1/sessions/{id}/events` body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SendEventsRequest {
    pub events: Vec<EventParams>,
}

/// `POST /v1/sessions/{id}/events` answer: the sent events echoed with server ids.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SendEventsResponse {
    #[serde(default)]
    pub data: Vec<SessionEvent>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sendable_params_serialize_exactly() {
        let cases = [
            (
                EventParams::user_text("Hello"),
                json!({"type": "user.message", "content": [{"type": "text", "text": "Hello"}]}),
            ),
            (EventParams::interrupt(), json!({"type": "user.interrupt"})),
            (
                EventParams::allow("sevt_1"),
                json!({"type": "user.tool_confirmation", "tool_use_id": "sevt_1", "result": "allow"}),
            ),
            (
                EventParams::deny("sevt_1", Some("use read".into())),
                json!({"type": "user.tool_confirmation", "tool_use_id": "sevt_1", "result": "deny", "deny_message": "use read"}),
            ),
            (
                EventParams::custom_tool_result("sevt_2", "42", false),
                json!({"type": "user.custom_tool_result", "custom_tool_use_id": "sevt_2",
                       "content": [{"type": "text", "text": "42"}], "is_error": false}),
            ),
            (
                EventParams::define_outcome("Build X", "# R", Some(5)),
                json!({"type": "user.define_outcome", "description": "Build X",
                       "rubric": {"type": "text", "content": "# R"}, "max_iterations": 5}),
            ),
            (
                EventParams::system_text("tz"),
                json!({"type": "system.message", "content": [{"type": "text", "text": "tz"}]}),
            ),
        ];
        for (p, want) in cases {
            assert_eq!(serde_json::to_value(&p).unwrap(), want);
            assert_eq!(serde_json::from_value::<EventParams>(want).unwrap(), p);
            assert_eq!(serde_json::to_value(&p).unwrap()["type"], p.type_name());
        }
    }
}
