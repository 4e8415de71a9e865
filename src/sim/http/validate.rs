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

/// Check an event a client sends, against the session's state.
pub(super) fn validate_sendable(s: &Session, ev: &Value) -> ApiResult<()> {
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
        "user.tool_confirmation" => {
            let id = obj.get("tool_use_id").and_then(Value::as_str).unwrap_or("");
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
            check_answerable(s, kind, id, CallKind::ToolUse)
        }
        "user.custom_tool_result" => {
            let id = obj
                .get("custom_tool_use_id")
                .and_then(Value::as_str)
                .unwrap_or("");
            check_answerable(s, kind, id, CallKind::Custom)
        }
        "user.tool_result" => {
            let id = obj.get("tool_use_id").and_then(Value::as_str).unwrap_or("");
            if !s.waits_for_answer(id) {
                return Err(ApiError::bad_request(format!(
                    "{kind}: {id:?} is not a tool use awaiting a result"
                )));
            }
            Ok(())
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
