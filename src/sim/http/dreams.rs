//! Dreams: list, create, cancel, archive.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::memory::store_index;
use super::reply::*;
use crate::sim::state::AppState;
use crate::sim::wire::{ApiError, ApiResult, Query, page_cursor};
use crate::sim::world::DreamPlan;
use crate::sim::world::{Persona, World};

// ---------------------------------------------------------------------------------------------
// Dreams

pub(super) const DREAM_STATUSES: &[&str] =
    &["pending", "running", "completed", "failed", "canceled"];

pub(super) async fn list_dreams(State(st): State<AppState>, RawQuery(q): RawQuery) -> Reply {
    let q = Query::parse(q.as_deref());
    let limit = q.limit(20, 100)?;
    let cursor = page_cursor(&q, true)?;
    let statuses = q.enum_list("statuses", DREAM_STATUSES)?;
    let range = q.time_range("created_at")?;
    let archived = q.bool("include_archived")?;
    let w = st.world()?;
    let (items, next, _) = list_sorted(
        w.dreams.iter(),
        |d| time_key(d.created_at, d.seq),
        true,
        cursor.as_ref(),
        limit,
        |d| {
            range.contains(d.created_at)
                && (archived || d.archived_at.is_none())
                && (statuses.is_empty() || statuses.iter().any(|s| s == d.status))
        },
    );
    page_json(items.iter().map(|d| d.to_json()).collect(), next, None)
}

pub(super) fn dream_index(w: &World, id: &str) -> ApiResult<usize> {
    w.dreams
        .iter()
        .position(|d| d.id == id)
        .ok_or_else(|| ApiError::not_found("dream", id))
}

pub(super) async fn get_dream(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let w = st.world()?;
    let i = dream_index(&w, &id)?;
    ok(w.dreams[i].to_json())
}

pub(super) async fn create_dream(State(st): State<AppState>, body: Bytes) -> Reply {
    let b = body_json(&body)?;
    let Some(Value::Array(inputs)) = b.get("inputs") else {
        return Err(ApiError::bad_request("inputs: required"));
    };
    let kind = |t: &str| {
        inputs
            .iter()
            .filter(|i| i.get("type").and_then(Value::as_str) == Some(t))
            .count()
    };
    if kind("memory_store") != 1 {
        return Err(ApiError::bad_request(
            "inputs: exactly one memory_store input is required",
        ));
    }
    if kind("sessions") != 1 {
        return Err(ApiError::bad_request(
            "inputs: exactly one sessions input is required",
        ));
    }
    if let Some(other) = inputs
        .iter()
        .filter_map(|i| i.get("type").and_then(Value::as_str))
        .find(|t| *t != "memory_store" && *t != "sessions")
    {
        return Err(ApiError::bad_request(format!(
            "inputs: unknown input type {other:?}; expected memory_store or sessions"
        )));
    }
    let store = inputs
        .iter()
        .find(|i| i.get("type").and_then(Value::as_str) == Some("memory_store"))
        .and_then(|i| i.get("memory_store_id").and_then(Value::as_str))
        .ok_or_else(|| ApiError::bad_request("inputs: exactly one memory_store input is required"))?
        .to_string();
    let sessions: Vec<String> = inputs
        .iter()
        .find(|i| i.get("type").and_then(Value::as_str) == Some("sessions"))
        .and_then(|i| i.get("session_ids").and_then(Value::as_array))
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if sessions.is_empty() || sessions.len() > 100 {
        return Err(ApiError::bad_request(
            "inputs: a sessions input with 1-100 session_ids is required",
        ));
    }
    let mut unique = sessions.clone();
    unique.sort();
    unique.dedup();
    if unique.len() != sessions.len() {
        return Err(ApiError::bad_request("inputs: session_ids must be unique"));
    }
    let model = match b.get("model") {
        Some(Value::String(m)) => json!({"id": m, "speed": "standard"}),
        Some(Value::Object(o)) if o.get("id").is_some_and(Value::is_string) => {
            Value::Object(o.clone())
        }
        _ => {
            return Err(ApiError::bad_request(
                "model: required (a model id or {id})",
            ));
        }
    };
    let instructions = opt_str(&b, "instructions")?.map(str::to_string);
    if instructions
        .as_deref()
        .is_some_and(|i| i.is_empty() || i.chars().count() > 4096)
    {
        return Err(ApiError::bad_request(
            "instructions: must be 1-4096 characters",
        ));
    }
    let output_behavior = b
        .get("output_behavior")
        .cloned()
        .filter(|v| !v.is_null())
        .unwrap_or(json!({"type": "create_new"}));
    let in_place = match output_behavior.get("type").and_then(Value::as_str) {
        Some("create_new") => false,
        Some("update_existing") => {
            if output_behavior
                .get("memory_store_id")
                .and_then(Value::as_str)
                != Some(store.as_str())
            {
                return Err(ApiError::bad_request(
                    "output_behavior.memory_store_id: update_existing must name the input memory store",
                ));
            }
            true
        }
        _ => {
            return Err(ApiError::bad_request(
                "output_behavior.type: expected create_new or update_existing",
            ));
        }
    };
    let mut w = st.world()?;
    store_index(&w, &store)?;
    if let Some(missing) = sessions
        .iter()
        .find(|id| !w.sessions.iter().any(|s| &s.id == *id))
    {
        return Err(ApiError::not_found("session", missing));
    }
    if in_place
        && w.dreams.iter().any(|d| {
            d.input_store_id == store
                && (d.status == "pending" || d.status == "running")
                && d.output_behavior.get("type").and_then(Value::as_str) == Some("update_existing")
        })
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict_error",
            "another update_existing dream on this memory store has not stopped yet",
        ));
    }
    let dreamer = w
        .agents
        .iter()
        .find(|a| a.persona == Persona::Dreamer)
        .or_else(|| w.agents.first())
        .map(|a| a.id.clone())
        .ok_or_else(|| ApiError::bad_request("no agent available to run the dream"))?;
    let now = w.now();
    let i = w.add_dream(&dreamer, &store, &sessions, now, DreamPlan::Fresh);
    let d = &mut w.dreams[i];
    d.model = model;
    d.instructions = instructions;
    d.output_behavior = output_behavior;
    ok(d.to_json())
}

pub(super) async fn cancel_dream(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.world()?;
    let now = w.now();
    let i = dream_index(&w, &id)?;
    let d = &mut w.dreams[i];
    match d.status {
        "completed" | "failed" => {
            return Err(ApiError::bad_request(format!(
                "dream is already {}",
                d.status
            )));
        }
        "canceled" => {}
        _ => {
            d.status = "canceled";
            d.ended_at = Some(now);
        }
    }
    ok(d.to_json())
}

pub(super) async fn archive_dream(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.world()?;
    let now = w.now();
    let i = dream_index(&w, &id)?;
    let d = &mut w.dreams[i];
    if d.status == "pending" || d.status == "running" {
        return Err(ApiError::bad_request(
            "a pending or running dream cannot be archived; cancel it first",
        ));
    }
    if d.archived_at.is_none() {
        d.archived_at = Some(now);
    }
    ok(d.to_json())
}
