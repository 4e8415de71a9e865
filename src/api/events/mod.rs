//! Every documented session event type, forward compatible (unknown → raw JSON kept).
//!
//! [`SessionEvent::parse`] never fails: an unknown `type` becomes [`EventBody::Unknown`], a known
//! type whose fields do not have the documented shape becomes [`EventBody::Invalid`] (both keep
//! the JSON value and re-serialize it unchanged), and input that is not JSON at all becomes
//! [`EventBody::Malformed`] with the raw text.
//!
//! - `content`: content blocks and their text.
//! - `payloads`: the body struct of every event type.
//! - this file: the type list, the `EventBody` union and `SessionEvent` parse/serialize.
//! - `send`: what a client sends (`EventParams`).

use std::borrow::Cow;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

mod content;
mod payloads;
mod send;

pub use content::*;
pub use payloads::*;
pub use send::*;

/// `session.deleted`, `event_start` and `event_delta` are events too but not filter values.
pub const SESSION_EVENT_TYPES: [&str; 41] = [
    "user.message",
    "user.interrupt",
    "user.tool_confirmation",
    "user.custom_tool_result",
    "user.tool_result",
    "user.define_outcome",
    "system.message",
    "agent.message",
    "agent.thinking",
    "agent.tool_use",
    "agent.tool_result",
    "agent.mcp_tool_use",
    "agent.mcp_tool_result",
    "agent.custom_tool_use",
    "agent.thread_message_sent",
    "agent.thread_message_received",
    "agent.thread_context_compacted",
    "session.status_running",
    "session.status_idle",
    "session.status_rescheduled",
    "session.status_terminated",
    "session.error",
    "session.updated",
    "session.usage",
    "session.thread_created",
    "session.thread_status_running",
    "session.thread_status_idle",
    "session.thread_status_rescheduled",
    "session.thread_status_terminated",
    "span.model_request_start",
    "span.model_request_end",
    "span.outcome_evaluation_start",
    "span.outcome_evaluation_ongoing",
    "span.outcome_evaluation_end",
    "workflow_run.created",
    "workflow_run.status_running",
    "workflow_run.status_idle",
    "workflow_run.phase_started",
    "workflow_run.phase_ended",
    "workflow_run.error",
    "workflow_run.status_ended",
];

// ---------------------------------------------------------------------------------------------
// The event union

macro_rules! event_bodies {
    (
        payload { $( $(#[$pm:meta])* $pty:literal => $pvar:ident($pstruct:ty), )+ }
        unit { $( $(#[$um:meta])* $uty:literal => $uvar:ident, )+ }
    ) => {
        /// What an event says, by `type`.
        #[derive(Clone, Debug, PartialEq)]
        pub enum EventBody {
            $( $(#[$pm])* $pvar($pstruct), )+
            $( $(#[$um])* $uvar, )+
            /// A `type` this version does not know (or no `type` at all): the JSON, verbatim.
            Unknown { raw: Value },
            /// A known `type` whose fields are not the documented shape: the JSON, verbatim.
            Invalid { raw: Value, error: String },
            /// Not JSON at all: the text, verbatim.
            Malformed { raw: String, error: String },
        }

        impl EventBody {
            /// The wire `type` (for `Unknown`/`Invalid`, whatever the JSON says, else "").
            pub fn type_name(&self) -> &str {
                match self {
                    $( EventBody::$pvar(_) => $pty, )+
                    $( EventBody::$uvar => $uty, )+
                    EventBody::Unknown { raw } | EventBody::Invalid { raw, .. } => {
                        raw.get("type").and_then(Value::as_str).unwrap_or("")
                    }
                    EventBody::Malformed { .. } => "",
                }
            }

            /// Whether `ty` is a type this version parses.
            pub fn is_known_type(ty: &str) -> bool {
                matches!(ty, $( $pty )|+ | $( $uty )|+)
            }

            /// Parse the payload of a known `type` from the whole event text.
            fn parse_known(ty: &str, raw: &str) -> Option<Result<EventBody, serde_json::Error>> {
                Some(match ty {
                    $( $pty => serde_json::from_str::<$pstruct>(raw).map(EventBody::$pvar), )+
                    $( $uty => Ok(EventBody::$uvar), )+
                    _ => return None,
                })
            }

            /// The payload fields of a known body as a JSON object.
            fn payload(&self) -> Result<Map<String, Value>, serde_json::Error> {
                let v = match self {
                    $( EventBody::$pvar(p) => serde_json::to_value(p)?, )+
                    _ => Value::Object(Map::new()),
                };
                Ok(match v {
                    Value::Object(m) => m,
                    _ => Map::new(),
                })
            }
        }
    };
}

event_bodies! {
    payload {
        "user.message" => UserMessage(MessageEvent),
        "user.tool_confirmation" => UserToolConfirmation(ToolConfirmationEvent),
        "user.custom_tool_result" => UserCustomToolResult(CustomToolResultEvent),
        /// Self-hosted environments only.
        "user.tool_result" => UserToolResult(ToolResultEvent),
        "user.define_outcome" => UserDefineOutcome(DefineOutcomeEvent),
        "system.message" => SystemMessage(MessageEvent),
        "agent.message" => AgentMessage(MessageEvent),
        "agent.tool_use" => AgentToolUse(ToolUseEvent),
        "agent.tool_result" => AgentToolResult(ToolResultEvent),
        "agent.mcp_tool_use" => AgentMcpToolUse(McpToolUseEvent),
        "agent.mcp_tool_result" => AgentMcpToolResult(McpToolResultEvent),
        "agent.custom_tool_use" => AgentCustomToolUse(CustomToolUseEvent),
        "agent.thread_message_sent" => AgentThreadMessageSent(ThreadMessageSentEvent),
        "agent.thread_message_received" => AgentThreadMessageReceived(ThreadMessageReceivedEvent),
        "session.status_idle" => SessionStatusIdle(IdleEvent),
        "session.error" => SessionError(SessionErrorEvent),
        "session.updated" => SessionUpdated(SessionUpdatedEvent),
        "session.usage" => SessionUsage(SessionUsageEvent),
        "session.thread_created" => SessionThreadCreated(ThreadCreatedEvent),
        "session.thread_status_running" => SessionThreadStatusRunning(ThreadStatusEvent),
        "session.thread_status_idle" => SessionThreadStatusIdle(IdleEvent),
        "session.thread_status_rescheduled" => SessionThreadStatusRescheduled(ThreadStatusEvent),
        "session.thread_status_terminated" => SessionThreadStatusTerminated(ThreadStatusEvent),
        "span.model_request_end" => SpanModelRequestEnd(ModelRequestEndEvent),
        "span.outcome_evaluation_start" => SpanOutcomeEvaluationStart(OutcomeIterationEvent),
        "span.outcome_evaluation_ongoing" => SpanOutcomeEvaluationOngoing(OutcomeIterationEvent),
        "span.outcome_evaluation_end" => SpanOutcomeEvaluationEnd(OutcomeEvaluationEndEvent),
        "workflow_run.created" => WorkflowRunCreated(WorkflowRunCreatedEvent),
        "workflow_run.status_running" => WorkflowRunStatusRunning(WorkflowRunStatusEvent),
        "workflow_run.status_idle" => WorkflowRunStatusIdle(WorkflowRunStatusEvent),
        "workflow_run.phase_started" => WorkflowRunPhaseStarted(WorkflowPhaseStartedEvent),
        "workflow_run.phase_ended" => WorkflowRunPhaseEnded(WorkflowPhaseEndedEvent),
        "workflow_run.error" => WorkflowRunError(WorkflowRunErrorEvent),
        "workflow_run.status_ended" => WorkflowRunStatusEnded(WorkflowRunEndedEvent),
        /// Stream only: a typing preview opens.
        "event_start" => EventStart(EventStartEvent),
        /// Stream only: more preview text.
        "event_delta" => EventDelta(EventDeltaEvent),
    }
    unit {
        /// Interrupt (all threads, or the one in `session_thread_id`).
        "user.interrupt" => UserInterrupt,
        /// Progress signal only; no thinking text.
        "agent.thinking" => AgentThinking,
        "agent.thread_context_compacted" => AgentThreadContextCompacted,
        "session.status_running" => SessionStatusRunning,
        /// Transient error; the server retries.
        "session.status_rescheduled" => SessionStatusRescheduled,
        "session.status_terminated" => SessionStatusTerminated,
        /// Ends every stream of the session.
        "session.deleted" => SessionDeleted,
        "span.model_request_start" => SpanModelRequestStart,
    }
}

/// Coarse family of an event, from its `type` prefix (filters, colours).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    User,
    System,
    Agent,
    Session,
    Span,
    Workflow,
    /// `event_start` / `event_delta`.
    Preview,
    Unknown,
}

impl EventKind {
    pub fn of_type(ty: &str) -> EventKind {
        match ty.split('.').next().unwrap_or("") {
            "user" => EventKind::User,
            "system" => EventKind::System,
            "agent" => EventKind::Agent,
            "session" => EventKind::Session,
            "span" => EventKind::Span,
            "workflow_run" => EventKind::Workflow,
            "event_start" | "event_delta" => EventKind::Preview,
            _ => EventKind::Unknown,
        }
    }
}

/// One session (or thread) event: the common envelope plus the typed body.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionEvent {
    /// `sevt_...`; absent on `event_delta`.
    pub id: Option<String>,
    /// `None` on client events still queued.
    pub processed_at: Option<String>,
    /// Set on events cross-posted from a subagent thread, and on thread events.
    pub session_thread_id: Option<String>,
    pub body: EventBody,
}

/// The envelope, read without copying the strings when they have no escapes.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type", borrow, default)]
    ty: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    processed_at: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    session_thread_id: Option<Cow<'a, str>>,
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

impl SessionEvent {
    /// Parse one event from its JSON text. Never fails; see the module docs.
    pub fn parse(raw: &str) -> SessionEvent {
        match serde_json::from_str::<Envelope<'_>>(raw) {
            Ok(env) => {
                let id = env.id.map(Cow::into_owned);
                let processed_at = env.processed_at.map(Cow::into_owned);
                let session_thread_id = env.session_thread_id.map(Cow::into_owned);
                let body = match env
                    .ty
                    .as_deref()
                    .and_then(|ty| EventBody::parse_known(ty, raw))
                {
                    Some(Ok(body)) => body,
                    Some(Err(e)) => match serde_json::from_str::<Value>(raw) {
                        Ok(v) => EventBody::Invalid {
                            raw: v,
                            error: e.to_string(),
                        },
                        Err(e) => EventBody::Malformed {
                            raw: raw.to_owned(),
                            error: e.to_string(),
                        },
                    },
                    None => match serde_json::from_str::<Value>(raw) {
                        Ok(v) => EventBody::Unknown { raw: v },
                        Err(e) => EventBody::Malformed {
                            raw: raw.to_owned(),
                            error: e.to_string(),
                        },
                    },
                };
                SessionEvent {
                    id,
                    processed_at,
                    session_thread_id,
                    body,
                }
            }
            // Not an object with string envelope fields: keep whatever it is.
            Err(env_err) => match serde_json::from_str::<Value>(raw) {
                Ok(v) => {
                    let known = v
                        .get("type")
                        .and_then(Value::as_str)
                        .is_some_and(EventBody::is_known_type);
                    SessionEvent {
                        id: str_field(&v, "id"),
                        processed_at: str_field(&v, "processed_at"),
                        session_thread_id: str_field(&v, "session_thread_id"),
                        body: if known {
                            EventBody::Invalid {
                                raw: v,
                                error: env_err.to_string(),
                            }
                        } else {
                            EventBody::Unknown { raw: v }
                        },
                    }
                }
                Err(e) => SessionEvent {
                    id: None,
                    processed_at: None,
                    session_thread_id: None,
                    body: EventBody::Malformed {
                        raw: raw.to_owned(),
                        error: e.to_string(),
                    },
                },
            },
        }
    }

    /// Parse raw bytes (e.g. an SSE `data:` payload); invalid UTF-8 is `Malformed`.
    pub fn parse_bytes(raw: &[u8]) -> SessionEvent {
        match std::str::from_utf8(raw) {
            Ok(s) => SessionEvent::parse(s),
            Err(e) => SessionEvent {
                id: None,
                processed_at: None,
                session_thread_id: None,
                body: EventBody::Malformed {
                    raw: String::from_utf8_lossy(raw).into_owned(),
                    error: e.to_string(),
                },
            },
        }
    }

    /// Parse an already-decoded JSON value.
    pub fn from_value(v: &Value) -> SessionEvent {
        SessionEvent::parse(&v.to_string())
    }

    /// A new event with just a body (tests, the simulator).
    pub fn new(id: impl Into<String>, processed_at: Option<String>, body: EventBody) -> Self {
        SessionEvent {
            id: Some(id.into()),
            processed_at,
            session_thread_id: None,
            body,
        }
    }

    pub fn type_name(&self) -> &str {
        self.body.type_name()
    }

    pub fn kind(&self) -> EventKind {
        EventKind::of_type(self.type_name())
    }

    /// Whether the body was parsed into a typed variant.
    pub fn is_known(&self) -> bool {
        !matches!(
            self.body,
            EventBody::Unknown { .. } | EventBody::Invalid { .. } | EventBody::Malformed { .. }
        )
    }

    /// The JSON form. `Unknown`/`Invalid` give back exactly what was parsed; `Malformed` gives
    /// the raw text as a JSON string.
    pub fn to_value(&self) -> Value {
        match &self.body {
            EventBody::Unknown { raw } | EventBody::Invalid { raw, .. } => raw.clone(),
            EventBody::Malformed { raw, .. } => Value::String(raw.clone()),
            body => {
                // Payload structs only hold plain data; if one ever failed to serialize we
                // still produce the envelope rather than panic.
                let mut m = body.payload().unwrap_or_default();
                m.insert("type".into(), Value::String(body.type_name().to_owned()));
                if let Some(id) = &self.id {
                    m.insert("id".into(), Value::String(id.clone()));
                }
                if let Some(p) = &self.processed_at {
                    m.insert("processed_at".into(), Value::String(p.clone()));
                }
                if let Some(t) = &self.session_thread_id {
                    m.insert("session_thread_id".into(), Value::String(t.clone()));
                }
                Value::Object(m)
            }
        }
    }

    /// JSON text; `Malformed` gives the raw text back unchanged.
    pub fn to_json_string(&self) -> String {
        match &self.body {
            EventBody::Malformed { raw, .. } => raw.clone(),
            _ => self.to_value().to_string(),
        }
    }
}

impl Serialize for SessionEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for SessionEvent {
    /// Never fails on a JSON value (the tolerance of [`SessionEvent::parse`] applies).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<serde_json::value::RawValue>::deserialize(d)?;
        Ok(SessionEvent::parse(raw.get()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{Patch, StopReason};
    use serde_json::json;

    fn parse(v: Value) -> SessionEvent {
        SessionEvent::parse(&v.to_string())
    }

    /// One realistic example of every event type the reference documents.
    fn examples() -> Vec<Value> {
        vec![
            json!({"type": "user.message", "id": "sevt_1", "processed_at": "2026-05-01T10:00:00Z",
                   "content": [{"type": "text", "text": "Fix the build"},
                               {"type": "image", "source": {"type": "url", "url": "https://x/y.png"}},
                               {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "log"}, "title": "ci.log"}]}),
            json!({"type": "user.interrupt", "id": "sevt_2", "processed_at": null, "session_thread_id": "sthr_2"}),
            json!({"type": "user.tool_confirmation", "id": "sevt_3", "processed_at": "2026-05-01T10:00:01Z",
                   "tool_use_id": "sevt_9", "result": "deny", "deny_message": "use read instead"}),
            json!({"type": "user.custom_tool_result", "id": "sevt_4", "custom_tool_use_id": "sevt_8",
                   "content": [{"type": "text", "text": "42"}], "is_error": false}),
            json!({"type": "user.tool_result", "id": "sevt_5", "tool_use_id": "sevt_7",
                   "content": [{"type": "text", "text": "ok"}], "is_error": true}),
            json!({"type": "user.define_outcome", "id": "sevt_6", "processed_at": "2026-05-01T10:00:02Z",
                   "description": "Build X", "rubric": {"type": "text", "content": "# Rubric"},
                   "max_iterations": 5, "outcome_id": "outc_1"}),
            json!({"type": "system.message", "id": "sevt_7", "content": [{"type": "text", "text": "TZ is UTC"}]}),
            json!({"type": "agent.message", "id": "sevt_8", "processed_at": "2026-05-01T10:00:03Z",
                   "content": [{"type": "text", "text": "Done."}, {"type": "redacted"}]}),
            json!({"type": "agent.thinking", "id": "sevt_9", "processed_at": "2026-05-01T10:00:03Z"}),
            json!({"type": "agent.tool_use", "id": "sevt_10", "processed_at": "2026-05-01T10:00:04Z",
                   "name": "bash", "input": {"command": "cargo build"}, "evaluated_permission": "ask",
                   "evaluation": {"type": "auto", "evaluated_permission": {"type": "ask", "reason_code": "indeterminate"}},
                   "session_thread_id": "sthr_2"}),
            json!({"type": "agent.tool_result", "id": "sevt_11", "processed_at": "2026-05-01T10:00:05Z",
                   "tool_use_id": "sevt_10", "content": [{"type": "search_result", "source": "https://d",
                   "title": "Docs", "content": [{"type": "text", "text": "t"}], "citations": {"enabled": true}}],
                   "is_error": false}),
            json!({"type": "agent.mcp_tool_use", "id": "sevt_12", "processed_at": "2026-05-01T10:00:06Z",
                   "mcp_server_name": "github", "name": "create_issue", "input": {"title": "bug"},
                   "evaluated_permission": "allow", "evaluation": {"type": "always_allow"}}),
            json!({"type": "agent.mcp_tool_result", "id": "sevt_13", "processed_at": "2026-05-01T10:00:07Z",
                   "mcp_tool_use_id": "sevt_12", "content": [{"type": "text", "text": "#12"}]}),
            json!({"type": "agent.custom_tool_use", "id": "sevt_14", "processed_at": "2026-05-01T10:00:08Z",
                   "name": "lookup", "input": {"q": 1}}),
            json!({"type": "agent.thread_message_sent", "id": "sevt_15", "processed_at": "2026-05-01T10:00:09Z",
                   "to_session_thread_id": "sthr_3", "to_agent_name": "tester",
                   "content": [{"type": "text", "text": "run tests"}]}),
            json!({"type": "agent.thread_message_received", "id": "sevt_16", "processed_at": "2026-05-01T10:00:10Z",
                   "from_session_thread_id": "sthr_3", "content": [{"type": "text", "text": "green"}]}),
            json!({"type": "agent.thread_context_compacted", "id": "sevt_17", "processed_at": "2026-05-01T10:00:11Z"}),
            json!({"type": "session.status_running", "id": "sevt_18", "processed_at": "2026-05-01T10:00:12Z"}),
            json!({"type": "session.status_idle", "id": "sevt_19", "processed_at": "2026-05-01T10:00:13Z",
                   "stop_reason": {"type": "requires_action", "event_ids": ["sevt_10"]}}),
            json!({"type": "session.status_rescheduled", "id": "sevt_20", "processed_at": "2026-05-01T10:00:14Z"}),
            json!({"type": "session.status_terminated", "id": "sevt_21", "processed_at": "2026-05-01T10:00:15Z"}),
            json!({"type": "session.error", "id": "sevt_22", "processed_at": "2026-05-01T10:00:16Z",
                   "error": {"type": "mcp_connection_failed_error", "message": "refused",
                             "mcp_server_name": "github", "retry_status": {"type": "exhausted"}}}),
            json!({"type": "session.updated", "id": "sevt_23", "processed_at": "2026-05-01T10:00:17Z",
                   "title": "New title", "budget": null, "metadata": {"k": "v"}}),
            json!({"type": "session.usage", "id": "sevt_24", "processed_at": "2026-05-01T10:00:18Z",
                   "usage": {"input_tokens": 100, "output_tokens": 20,
                             "list_cost": {"amount": "15", "currency": "USD"}},
                   "budget": {"type": "limit", "max_list_cost": {"amount": "2500", "currency": "USD"}}}),
            json!({"type": "session.thread_created", "id": "sevt_25", "processed_at": "2026-05-01T10:00:19Z",
                   "session_thread_id": "sthr_3", "agent_name": "tester", "workflow_run_id": null}),
            json!({"type": "session.thread_status_running", "id": "sevt_26", "processed_at": "2026-05-01T10:00:20Z",
                   "session_thread_id": "sthr_3", "agent_name": "tester"}),
            json!({"type": "session.thread_status_idle", "id": "sevt_27", "processed_at": "2026-05-01T10:00:21Z",
                   "session_thread_id": "sthr_3", "agent_name": "tester",
                   "stop_reason": {"type": "refusal"}, "stop_details": {"type": "refusal", "category": "cyber"}}),
            json!({"type": "session.thread_status_rescheduled", "id": "sevt_28", "processed_at": "2026-05-01T10:00:22Z",
                   "session_thread_id": "sthr_3", "agent_name": "tester"}),
            json!({"type": "session.thread_status_terminated", "id": "sevt_29", "processed_at": "2026-05-01T10:00:23Z",
                   "session_thread_id": "sthr_3", "agent_name": "tester"}),
            json!({"type": "span.model_request_start", "id": "sevt_30", "processed_at": "2026-05-01T10:00:24Z"}),
            json!({"type": "span.model_request_end", "id": "sevt_31", "processed_at": "2026-05-01T10:00:25Z",
                   "model_request_start_id": "sevt_30", "is_error": false,
                   "model_usage": {"input_tokens": 5, "output_tokens": 6, "cache_creation_input_tokens": 7,
                                   "cache_read_input_tokens": 8, "speed": "standard"}}),
            json!({"type": "span.outcome_evaluation_start", "id": "sevt_32", "processed_at": "2026-05-01T10:00:26Z",
                   "outcome_id": "outc_1", "iteration": 0}),
            json!({"type": "span.outcome_evaluation_ongoing", "id": "sevt_33", "processed_at": "2026-05-01T10:00:27Z",
                   "outcome_id": "outc_1", "iteration": 0}),
            json!({"type": "span.outcome_evaluation_end", "id": "sevt_34", "processed_at": "2026-05-01T10:00:28Z",
                   "outcome_evaluation_start_id": "sevt_32", "outcome_id": "outc_1", "iteration": 0,
                   "result": "needs_revision", "explanation": "tests missing",
                   "usage": {"input_tokens": 1, "output_tokens": 1}}),
            json!({"type": "workflow_run.created", "id": "sevt_35", "processed_at": "2026-05-01T10:00:29Z",
                   "workflow_run_id": "wfr_1", "name": "review", "description": null,
                   "phases": [{"id": "ph_1", "name": "plan"}, {"id": "ph_2", "name": "do", "description": "d"}]}),
            json!({"type": "workflow_run.status_running", "id": "sevt_36", "processed_at": "2026-05-01T10:00:30Z",
                   "workflow_run_id": "wfr_1"}),
            json!({"type": "workflow_run.status_idle", "id": "sevt_37", "processed_at": "2026-05-01T10:00:31Z",
                   "workflow_run_id": "wfr_1"}),
            json!({"type": "workflow_run.phase_started", "id": "sevt_38", "processed_at": "2026-05-01T10:00:32Z",
                   "workflow_run_id": "wfr_1", "workflow_run_phase_id": "ph_1"}),
            json!({"type": "workflow_run.phase_ended", "id": "sevt_39", "processed_at": "2026-05-01T10:00:33Z",
                   "workflow_run_id": "wfr_1", "workflow_run_phase_id": "ph_1", "phase_started_id": "sevt_38"}),
            json!({"type": "workflow_run.error", "id": "sevt_40", "processed_at": "2026-05-01T10:00:34Z",
                   "workflow_run_id": null, "error": {"type": "thread_limit_error", "message": "too many"}}),
            json!({"type": "workflow_run.status_ended", "id": "sevt_41", "processed_at": "2026-05-01T10:00:35Z",
                   "workflow_run_id": "wfr_1", "result": {"type": "error", "error": {"type": "timeout_error", "message": "slow"}}}),
            json!({"type": "session.deleted", "id": "sevt_42", "processed_at": "2026-05-01T10:00:36Z"}),
            json!({"type": "event_start", "event": {"type": "agent.message", "id": "sevt_43"}}),
            json!({"type": "event_delta", "event_id": "sevt_43",
                   "delta": {"type": "content_delta", "index": 0, "content": {"type": "text", "text": "Hel"}}}),
        ]
    }

    #[test]
    fn every_documented_type_parses_into_a_typed_variant() {
        let mut seen = std::collections::BTreeSet::new();
        for ex in examples() {
            let e = parse(ex.clone());
            assert!(e.is_known(), "{} parsed as {:?}", ex["type"], e.body);
            assert_eq!(e.type_name(), ex["type"].as_str().unwrap());
            assert_eq!(e.id.as_deref(), ex.get("id").and_then(Value::as_str));
            seen.insert(e.type_name().to_owned());
        }
        for ty in SESSION_EVENT_TYPES {
            assert!(seen.contains(ty), "no example for {ty}");
            assert!(EventBody::is_known_type(ty));
        }
        assert_eq!(seen.len(), 44);
    }

    #[test]
    fn typed_examples_round_trip_through_json() {
        for ex in examples() {
            let e = parse(ex);
            assert_eq!(parse(e.to_value()), e);
        }
    }

    #[test]
    fn specific_fields_land_where_expected() {
        let ex = examples();
        let e = parse(ex[9].clone());
        assert_eq!(e.session_thread_id.as_deref(), Some("sthr_2"));
        match e.body {
            EventBody::AgentToolUse(t) => {
                assert_eq!(t.name, "bash");
                assert_eq!(t.input, json!({"command": "cargo build"}));
                assert_eq!(t.evaluated_permission, Some(Permission::Ask));
                assert_eq!(
                    t.evaluation,
                    Some(Evaluation::Auto {
                        evaluated_permission: AutoPermission::Ask {
                            reason_code: "indeterminate".into()
                        }
                    })
                );
            }
            other => panic!("{other:?}"),
        }
        match parse(ex[18].clone()).body {
            EventBody::SessionStatusIdle(i) => {
                assert_eq!(
                    i.stop_reason,
                    StopReason::RequiresAction {
                        event_ids: vec!["sevt_10".into()]
                    }
                )
            }
            other => panic!("{other:?}"),
        }
        match parse(ex[21].clone()).body {
            EventBody::SessionError(e) => {
                assert_eq!(e.error.kind, SessionErrorType::McpConnectionFailedError);
                assert_eq!(e.error.retry_status, RetryStatus::Exhausted);
                assert_eq!(e.error.mcp_server_name.as_deref(), Some("github"));
            }
            other => panic!("{other:?}"),
        }
        match parse(ex[22].clone()).body {
            EventBody::SessionUpdated(u) => {
                assert_eq!(u.title, Patch::Set("New title".into()));
                assert_eq!(u.budget, Patch::Clear);
                assert!(u.agent.is_none());
            }
            other => panic!("{other:?}"),
        }
        match parse(ex[23].clone()).body {
            EventBody::SessionUsage(u) => {
                assert_eq!(u.usage.cost_cents(), Some(15));
                assert_eq!(u.budget.unwrap().max_list_cost.cents(), Some(2500));
            }
            other => panic!("{other:?}"),
        }
        match parse(ex[30].clone()).body {
            EventBody::SpanModelRequestEnd(m) => assert_eq!(m.model_usage.total_tokens(), 26),
            other => panic!("{other:?}"),
        }
        match parse(ex[43].clone()).body {
            EventBody::EventDelta(d) => {
                assert_eq!(d.event_id, "sevt_43");
                assert_eq!(d.delta.index, Some(0));
                assert_eq!(d.delta.content.as_text(), Some("Hel"));
            }
            other => panic!("{other:?}"),
        }
        match parse(ex[0].clone()).body {
            EventBody::UserMessage(m) => {
                assert_eq!(content_text(&m.content), "Fix the build");
                assert_eq!(m.content[1].type_name(), "image");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_type_is_kept_verbatim() {
        let raw = json!({"type": "agent.hologram", "id": "sevt_x", "processed_at": "t", "beams": [1, 2, {"z": null}]});
        let e = parse(raw.clone());
        assert_eq!(e.body, EventBody::Unknown { raw: raw.clone() });
        assert_eq!(e.type_name(), "agent.hologram");
        assert_eq!(e.id.as_deref(), Some("sevt_x"));
        assert_eq!(e.kind(), EventKind::Agent);
        assert_eq!(e.to_value(), raw);
        assert_eq!(serde_json::to_value(&e).unwrap(), raw);
    }

    #[test]
    fn known_type_with_wrong_shape_is_invalid_and_kept() {
        let raw = json!({"type": "agent.tool_use", "id": "sevt_y", "name": 5});
        let e = parse(raw.clone());
        assert!(matches!(&e.body, EventBody::Invalid { raw: r, .. } if *r == raw));
        assert_eq!(e.type_name(), "agent.tool_use");
        assert_eq!(e.to_value(), raw);
        // An envelope field of the wrong type still keeps the JSON.
        let raw = json!({"type": "agent.message", "id": 7, "content": []});
        let e = parse(raw.clone());
        assert!(matches!(e.body, EventBody::Invalid { .. }));
        assert_eq!(e.id, None);
        assert_eq!(e.to_value(), raw);
    }

    #[test]
    fn non_json_is_malformed_with_raw_text() {
        let e = SessionEvent::parse("{\"type\": \"agent.message\", oops");
        match &e.body {
            EventBody::Malformed { raw, error } => {
                assert_eq!(raw, "{\"type\": \"agent.message\", oops");
                assert!(!error.is_empty());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(e.to_json_string(), "{\"type\": \"agent.message\", oops");
        assert!(matches!(
            SessionEvent::parse_bytes(&[0xff, 0xfe]).body,
            EventBody::Malformed { .. }
        ));
        // JSON that is not an object: valid JSON, no type.
        assert_eq!(
            SessionEvent::parse("[1,2]").body,
            EventBody::Unknown { raw: json!([1, 2]) }
        );
    }

    #[test]
    fn unknown_content_blocks_are_kept_inside_known_events() {
        let raw = json!({"type": "agent.message", "id": "sevt_z",
                         "content": [{"type": "hologram", "beam": 1}, {"type": "text", "text": "hi"}]});
        let e = parse(raw.clone());
        match &e.body {
            EventBody::AgentMessage(m) => {
                assert_eq!(
                    m.content[0],
                    ContentBlock::Unknown(json!({"type": "hologram", "beam": 1}))
                );
                assert_eq!(m.content[0].type_name(), "hologram");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(e.to_value(), raw);
    }

    #[test]
    fn page_of_events_deserializes_tolerantly() {
        let page: crate::api::Page<SessionEvent> = serde_json::from_value(json!({
            "data": [{"type": "session.status_running", "id": "a", "processed_at": "t"},
                     {"type": "from.the.future", "id": "b"}],
            "next_page": "page_2"
        }))
        .unwrap();
        assert_eq!(page.data[0].body, EventBody::SessionStatusRunning);
        assert_eq!(page.data[1].type_name(), "from.the.future");
        assert_eq!(page.next_page.as_deref(), Some("page_2"));
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn arb_json() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(|n| json!(n)),
                // Quarters are exact in binary and in decimal, so text round-trips are exact.
                any::<i32>().prop_map(|n| json!(f64::from(n) / 4.0)),
                ".{0,12}".prop_map(Value::String),
            ];
            leaf.prop_recursive(4, 48, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                    prop::collection::btree_map("[a-z_]{1,10}", inner, 0..6)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        fn arb_type() -> impl Strategy<Value = String> {
            prop_oneof![
                prop::sample::select(SESSION_EVENT_TYPES.to_vec()).prop_map(str::to_owned),
                "[a-z_]{1,8}\\.[a-z_]{1,12}",
                ".{0,16}",
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
                let e = SessionEvent::parse_bytes(&bytes);
                let _ = e.type_name();
                let _ = e.to_json_string();
            }

            #[test]
            fn random_text_never_panics(s in ".{0,200}") {
                let e = SessionEvent::parse(&s);
                let _ = e.to_value();
            }

            #[test]
            fn unknown_or_invalid_events_round_trip_exactly(
                ty in arb_type(),
                mut fields in prop::collection::btree_map("[a-z_]{1,10}", arb_json(), 0..8),
                id in proptest::option::of("[a-z0-9_]{1,12}"),
            ) {
                fields.insert("type".into(), Value::String(ty.clone()));
                if let Some(id) = id { fields.insert("id".into(), Value::String(id)); }
                let raw = Value::Object(fields.into_iter().collect());
                let e = SessionEvent::parse(&raw.to_string());
                prop_assert_eq!(e.type_name(), ty.as_str());
                if !EventBody::is_known_type(&ty) {
                    prop_assert_eq!(&e.body, &EventBody::Unknown { raw: raw.clone() });
                }
                if !e.is_known() {
                    prop_assert_eq!(e.to_value(), raw.clone());
                } else {
                    // A typed parse re-parses to the same thing.
                    prop_assert_eq!(SessionEvent::parse(&e.to_json_string()), e);
                }
            }

            #[test]
            fn arbitrary_json_values_never_panic(v in arb_json()) {
                let e = SessionEvent::parse(&v.to_string());
                if !e.is_known() {
                    prop_assert_eq!(e.to_value(), v);
                }
            }
        }
    }
}
