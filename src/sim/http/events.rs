//! Session events: history pages, sending user events, the live stream.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde_json::{Value, json};

use super::reply::*;
use super::sessions::find_session;
use super::validate::*;
use crate::sim::sse::{self, StreamSpec};
use crate::sim::state::AppState;
use crate::sim::wire::{ApiError, Query, page_cursor, paginate};
use crate::sim::world::{Status, StoredEvent, World};

// ---------------------------------------------------------------------------------------------
// Events

/// The valid `types[]` filter values: the wire's `SessionEventType` list, shared with the client.
pub(super) const EVENT_TYPES: &[&str] = &crate::api::events::SESSION_EVENT_TYPES;

/// One page of a history, rendered without re-serializing stored events.
pub(super) fn events_page(history: &[StoredEvent], q: &Query) -> Reply {
    let limit = q.limit(1000, 1000)?;
    let desc = q.order_desc(false)?;
    let cursor = page_cursor(q, desc)?;
    let types = q.enum_list("types", EVENT_TYPES)?;
    let range = q.time_range("created_at")?;
    let page = paginate(
        history,
        |e| time_key(e.processed_at, e.seq),
        desc,
        cursor.as_ref(),
        limit,
        |e| range.contains(e.processed_at) && (types.is_empty() || types.contains(&e.kind)),
    );
    let mut body =
        String::with_capacity(page.items.iter().map(|e| e.json.len() + 1).sum::<usize>() + 64);
    body.push_str("{\"data\":[");
    for (i, e) in page.items.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&e.json);
    }
    body.push_str("],\"next_page\":");
    match page.next {
        Some(c) => {
            body.push('"');
            body.push_str(&c.encode());
            body.push('"');
        }
        None => body.push_str("null"),
    }
    body.push('}');
    Ok(raw_json(body))
}

pub(super) async fn list_events(
    State(st): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let mut w = st.world()?;
    let s = find_session(&mut w, &id)?;
    events_page(&s.history, &q)
}

pub(super) async fn send_events(
    State(st): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let b = body_json(&body)?;
    let Some(Value::Array(events)) = b.get("events") else {
        return Err(ApiError::bad_request(
            "events: required (a non-empty array)",
        ));
    };
    if events.is_empty() {
        return Err(ApiError::bad_request("events: must not be empty"));
    }
    let mut w = st.world()?;
    let now = w.now();
    let idx = w
        .sessions
        .iter()
        .position(|s| s.id == id)
        .ok_or_else(|| ApiError::not_found("session", &id))?;
    {
        let s = &w.sessions[idx];
        if s.archived_at.is_some() {
            return Err(ApiError::conflict(
                "session is archived and cannot receive events",
            ));
        }
        if s.status == Status::Terminated {
            return Err(ApiError::conflict(
                "session is terminated and cannot receive events",
            ));
        }
        let self_hosted = w.environments.iter().any(|e| {
            e.id == s.environment_id
                && e.json.pointer("/config/type").and_then(Value::as_str) == Some("self_hosted")
        });
        let mut answered = std::collections::HashSet::new();
        for ev in events.iter() {
            validate_sendable(s, ev, self_hosted)?;
            if let Some(id) = ["tool_use_id", "custom_tool_use_id"]
                .iter()
                .find_map(|k| ev.get(*k).and_then(Value::as_str))
                && !answered.insert(id)
            {
                return Err(ApiError::bad_request(format!(
                    "events: {id:?} is answered more than once in this request"
                )));
            }
        }
        check_system_message_placement(events)?;
    }
    let mut echoes = Vec::new();
    for ev in events {
        echoes.push(w.send_event(idx, ev.clone(), now));
    }
    // Interrupts and answers take effect at once.
    let World { sessions, idg, .. } = &mut *w;
    sessions[idx].advance(idg, now);
    ok(json!({"data": echoes}))
}

pub(super) async fn session_stream(
    State(st): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let deltas = q.enum_list("event_deltas", &["agent.message", "agent.thinking"])?;
    let spec = {
        let mut w = st.world()?;
        let s = find_session(&mut w, &id)?;
        StreamSpec {
            rx: s.tx.subscribe(),
            deltas,
            session_id: s.id.clone(),
        }
    };
    Ok(sse::respond(&st, spec))
}
