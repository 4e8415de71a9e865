//! Validation rules for request bodies and sent events, kept apart from the handlers.

use serde_json::{Map, Value};

use crate::sim::wire::{ApiError, ApiResult};
use crate::sim::world::{CallKind, Session};

/// Apply a metadata patch: strings upsert, null deletes.
pub(super) fn patch_metadata(target: &mut Map<String, Value>, patch: &Value) -> ApiResult<()> {
    let Some(p) = patch.as_object() else {
        return Err(ApiError::bad_request("metadata: expected an object"));
    };
    for (k, v) in p {
        match v {
            Value::Null => {
                target.remove(k);
            }
            Value::String(s) if s.is_empty() => {
                target.remove(k);
            }
            Value::String(_) => {
                if k.len() > 64 {
                    return Err(ApiError::bad_request(
                        "metadata: keys must be at most 64 characters",
                    ));
                }
                target.insert(k.clone(), v.clone());
            }
            _ => {
                return Err(ApiError::bad_request(
                    "metadata: values must be strings or null",
                ));
            }
        }
    }
    if target.len() > 16 {
        return Err(ApiError::bad_request("metadata: at most 16 pairs"));
    }
    Ok(())
}

pub(super) const SENDABLE: &[&str] = &[
    "user.message",
    "user.interrupt",
    "user.tool_confirmation",
    "user.custom_tool_result",
    "user.define_outcome",
    "user.tool_result",
    "system.message",
];

/// Check an event's type and fields, without looking at any session (also used for a new
/// session's `initial_events`). Returns its type.
pub(super) fn validate_shape(ev: &Value) -> ApiResult<&str> {
    let Some(obj) = ev.as_object() else {
        return Err(ApiError::bad_request(
            "events: each event must be an object",
        ));
    };
    let kind = obj.get("type").and_then(Value::as_str).unwrap_or("");
    if !SENDABLE.contains(&kind) {
        return Err(ApiError::bad_request(format!(
            "events: type {kind:?} cannot be sent; expected one of {}",
            SENDABLE.join(", ")
        )));
    }
    let content_ok = |k: &str| {
        obj.get(k)
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
    };
    match kind {
        "user.message" | "system.message" if !content_ok("content") => Err(ApiError::bad_request(
            format!("{kind}: content must be a non-empty array"),
        )),
        "system.message"
            if obj
                .get("content")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|b| b.get("type").and_then(Value::as_str) != Some("text")) =>
        {
            Err(ApiError::bad_request(
                "system.message: content may only hold text blocks",
            ))
        }
        "user.tool_confirmation" => {
            let result = obj.get("result").and_then(Value::as_str);
            if !matches!(result, Some("allow" | "deny")) {
                return Err(ApiError::bad_request(
                    "user.tool_confirmation: result must be 'allow' or 'deny'",
                ));
            }
            if result == Some("allow") && obj.get("deny_message").is_some_and(|m| !m.is_null()) {
                return Err(ApiError::bad_request(
                    "user.tool_confirmation: deny_message is only allowed with result 'deny'",
                ));
            }
            Ok(kind)
        }
        "user.define_outcome" => {
            if obj.get("description").and_then(Value::as_str).is_none()
                || obj.get("rubric").and_then(Value::as_object).is_none()
            {
                return Err(ApiError::bad_request(
                    "user.define_outcome: description and rubric are required",
                ));
            }
            if let Some(m) = obj.get("max_iterations").filter(|m| !m.is_null())
                && !m.as_u64().is_some_and(|n| (1..=20).contains(&n))
            {
                return Err(ApiError::bad_request(
                    "user.define_outcome: max_iterations must be between 1 and 20",
                ));
            }
            Ok(kind)
        }
        _ => Ok(kind),
    }
}

/// The message the API gives for a `user.tool_result` on a session whose environment runs the
/// tools itself (anything but `self_hosted`).
pub(super) const TOOL_RESULT_CLOUD: &str = "user.tool_result: only accepted on sessions in a self_hosted environment; in a cloud environment the sandbox runs the tools and answers them itself";

/// The rule for `system.message` within one request: at most one, last, and right after the
/// `user.message`, `user.tool_result` or `user.custom_tool_result` it accompanies.
pub(super) fn check_system_message_placement(events: &[Value]) -> ApiResult<()> {
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e.get("type").and_then(Value::as_str).unwrap_or(""))
        .collect();
    let at: Vec<usize> = (0..kinds.len())
        .filter(|&i| kinds[i] == "system.message")
        .collect();
    if at.len() > 1 {
        return Err(ApiError::bad_request(
            "events: at most one system.message per request",
        ));
    }
    if let Some(&i) = at.first() {
        if i + 1 != kinds.len() {
            return Err(ApiError::bad_request(
                "system.message must be the last event of the request",
            ));
        }
        let before = i.checked_sub(1).map(|j| kinds[j]);
        if !matches!(
            before,
            Some("user.message" | "user.tool_result" | "user.custom_tool_result")
        ) {
            return Err(ApiError::bad_request(
                "system.message must immediately follow the user.message, user.tool_result or user.custom_tool_result it accompanies",
            ));
        }
    }
    Ok(())
}

/// Check an event a client sends, against the session's state. `self_hosted`: the session's
/// environment runs tools on the client, the only place `user.tool_result` is accepted.
pub(super) fn validate_sendable(s: &Session, ev: &Value, self_hosted: bool) -> ApiResult<()> {
    let kind = validate_shape(ev)?;
    let field = |k: &str| ev.get(k).and_then(Value::as_str).unwrap_or("");
    match kind {
        "user.tool_confirmation" => {
            check_answerable(s, kind, field("tool_use_id"), CallKind::ToolUse)
        }
        "user.custom_tool_result" => {
            check_answerable(s, kind, field("custom_tool_use_id"), CallKind::Custom)
        }
        "user.tool_result" => {
            if !self_hosted {
                return Err(ApiError::bad_request(TOOL_RESULT_CLOUD));
            }
            let id = field("tool_use_id");
            if !s.waits_for_answer(id) {
                return Err(ApiError::bad_request(format!(
                    "{kind}: {id:?} is not a tool use awaiting a result"
                )));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// An answer must name a call of the right kind that still waits for a human.
fn check_answerable(s: &Session, kind: &str, id: &str, want: CallKind) -> ApiResult<()> {
    let key = match want {
        CallKind::Custom => "custom_tool_use_id",
        _ => "tool_use_id",
    };
    match s.call_kind(id) {
        None => Err(ApiError::bad_request(format!(
            "{kind}: {key} {id:?} does not match any event in this session"
        ))),
        Some(CallKind::Custom) if want == CallKind::ToolUse => Err(ApiError::bad_request(format!(
            "{kind}: {id:?} is a custom tool use; answer it with user.custom_tool_result"
        ))),
        Some(CallKind::ToolUse) if want == CallKind::Custom => Err(ApiError::bad_request(format!(
            "{kind}: {id:?} is not a custom tool use; answer a tool use with user.tool_confirmation"
        ))),
        Some(CallKind::Other) => Err(ApiError::bad_request(format!(
            "{kind}: {id:?} is not a tool use"
        ))),
        Some(_) if s.answered(id) => Err(ApiError::bad_request(format!(
            "{kind}: {id:?} was already answered"
        ))),
        Some(_) if !s.waits_for_answer(id) => Err(ApiError::bad_request(format!(
            "{kind}: {id:?} is not waiting for an answer"
        ))),
        Some(_) => Ok(()),
    }
}
