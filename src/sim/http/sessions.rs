//! Sessions: list, create, read, update, archive, delete.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde_json::{Map, Value, json};

use super::reply::*;
use super::session_params;
use super::validate::*;
use crate::sim::state::AppState;
use crate::sim::wire::{ApiError, ApiResult, Query, page_cursor, paginate};
use crate::sim::world::{Session, Status, World};

// ---------------------------------------------------------------------------------------------
// Sessions

pub(super) const SESSION_STATUSES: &[&str] = &["rescheduling", "running", "idle", "terminated"];

pub(super) async fn list_sessions(State(st): State<AppState>, RawQuery(q): RawQuery) -> Reply {
    let q = Query::parse(q.as_deref());
    let limit = q.limit(20, 100)?;
    let desc = q.order_desc(true)?;
    let cursor = page_cursor(&q, desc)?;
    let statuses = q.enum_list("statuses", SESSION_STATUSES)?;
    let range = q.time_range("created_at")?;
    let archived = q.bool("include_archived")?;
    let agent_id = q.get("agent_id").map(str::to_string);
    let agent_version = match q.get("agent_version") {
        None => None,
        Some(v) => Some(
            v.parse::<u64>()
                .map_err(|_| ApiError::bad_request("agent_version: expected an integer"))?,
        ),
    };
    if agent_version.is_some() && agent_id.is_none() {
        return Err(ApiError::bad_request("agent_version requires agent_id"));
    }
    let deployment_id = q.get("deployment_id").map(str::to_string);
    let store_id = q.get("memory_store_id").map(str::to_string);
    let w = st.world()?;
    let now = w.now();
    // Sessions made by scheduled runs can be created "in the past", so sort rather than trust order.
    let mut sorted: Vec<&Session> = w.sessions.iter().collect();
    sorted.sort_by_key(|s| (s.created_at, s.seq));
    let page = paginate(
        &sorted,
        |s| time_key(s.created_at, s.seq),
        desc,
        cursor.as_ref(),
        limit,
        |s: &&Session| {
            (archived || s.archived_at.is_none())
                && (statuses.is_empty() || statuses.iter().any(|x| x == s.status.as_str()))
                && range.contains(s.created_at)
                && agent_id
                    .as_deref()
                    .is_none_or(|a| s.agent.get("id").and_then(Value::as_str) == Some(a))
                && agent_version
                    .is_none_or(|v| s.agent.get("version").and_then(Value::as_u64) == Some(v))
                && deployment_id
                    .as_deref()
                    .is_none_or(|d| s.deployment_id.as_deref() == Some(d))
                && store_id.as_deref().is_none_or(|m| {
                    s.resources
                        .iter()
                        .any(|r| r.get("memory_store_id").and_then(Value::as_str) == Some(m))
                })
        },
    );
    let data = page.items.iter().map(|s| s.to_json(now)).collect();
    page_json(data, page.next, Some(page.prev))
}

pub(super) fn find_session<'a>(w: &'a mut World, id: &str) -> ApiResult<&'a mut Session> {
    w.session_mut(id)
        .ok_or_else(|| ApiError::not_found("session", id))
}

pub(super) async fn get_session(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.world()?;
    let now = w.now();
    let v = find_session(&mut w, &id)?.to_json(now);
    ok(v)
}
/// `POST /v1/sessions`. Everything is checked before the session exists, so a rejected create
/// leaves nothing behind.
pub(super) async fn create_session(State(st): State<AppState>, body: Bytes) -> Reply {
    let b = body_json(&body)?;
    let env = opt_str(&b, "environment_id")?
        .ok_or_else(|| ApiError::bad_request("environment_id: required"))?
        .to_string();
    let title = opt_str(&b, "title")?.map(str::to_string);
    let mut metadata = Map::new();
    if let Some(m) = b.get("metadata").filter(|m| !m.is_null()) {
        patch_metadata(&mut metadata, m).map_err(|e| e.code("invalid_metadata"))?;
    }
    let budget = match b.get("budget") {
        None | Some(Value::Null) => None,
        Some(v) => Some(session_params::budget(v)?),
    };
    let vault_ids = session_params::vault_ids(b.get("vault_ids"))?;
    let initial = match b.get("initial_events") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(evs)) if evs.len() <= 50 => evs.clone(),
        Some(_) => {
            return Err(ApiError::bad_request(
                "initial_events: expected an array of at most 50 events",
            ));
        }
    };
    for ev in &initial {
        let kind = validate_shape(ev)?;
        if kind != "user.message" && kind != "user.define_outcome" {
            return Err(ApiError::bad_request(
                "initial_events: only user.message and user.define_outcome are allowed",
            ));
        }
    }
    let mut w = st.world()?;
    let now = w.now();
    let agent = session_params::resolve_agent(&w, b.get("agent"))?;
    match w.environments.iter().find(|e| e.id == env) {
        None => {
            return Err(ApiError::not_found("environment", &env).code("environment_not_found"));
        }
        Some(e) if e.json.get("archived_at").is_some_and(|a| !a.is_null()) => {
            return Err(ApiError::bad_request(format!(
                "environment {env} is archived and cannot start new sessions"
            ))
            .code("environment_archived"));
        }
        Some(_) => {}
    }
    let resources = session_params::resources(&mut w, b.get("resources"), now)?;
    let idx = w
        .create_session(&agent.id, &env, title, now)
        .ok_or_else(|| ApiError::not_found("agent", &agent.id))?;
    {
        let s = &mut w.sessions[idx];
        // The version (and overrides) asked for; the world filled in the multiagent roster.
        let multiagent = s.agent.get("multiagent").cloned().unwrap_or(Value::Null);
        let mut snapshot = agent.snapshot;
        snapshot["multiagent"] = multiagent;
        s.agent = std::sync::Arc::new(snapshot);
        s.model = agent.model;
        s.metadata = metadata;
        s.budget = budget;
        s.vault_ids = vault_ids;
        s.resources = resources;
    }
    for ev in initial {
        w.send_event(idx, ev, now);
    }
    let v = w.sessions[idx].to_json(now);
    ok(v)
}

pub(super) async fn update_session(
    State(st): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let b = body_json(&body)?;
    let mut w = st.world()?;
    let now = w.now();
    let World { sessions, idg, .. } = &mut *w;
    let s = sessions
        .iter_mut()
        .find(|s| s.id == id)
        .ok_or_else(|| ApiError::not_found("session", &id))?;
    if b.contains_key("vault_ids") {
        return Err(ApiError::bad_request(
            "vault_ids: cannot be changed after creation",
        ));
    }
    // Check everything first: a rejected update changes nothing.
    let agent = match b.get("agent") {
        None => None,
        Some(patch) => {
            if s.status == Status::Running {
                return Err(ApiError::conflict(
                    "cannot change the agent of a running session; wait for it to go idle or interrupt it",
                ));
            }
            Some(session_params::agent_update(&s.agent, patch)?)
        }
    };
    let title = if b.contains_key("title") {
        Some(opt_str(&b, "title")?.map(str::to_string))
    } else {
        None
    };
    let mut metadata = s.metadata.clone();
    if let Some(m) = b.get("metadata") {
        patch_metadata(&mut metadata, m).map_err(|e| e.code("invalid_metadata"))?;
    }
    let budget = match b.get("budget") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(_) if s.budget.is_none() => {
            return Err(ApiError::bad_request(
                "budget: cannot add a budget to a session created without one",
            ));
        }
        Some(v) => Some(Some(session_params::budget(v)?)),
    };
    let mut changed = Map::new();
    if let Some(a) = agent {
        changed.insert("agent".into(), a.clone());
        s.agent = std::sync::Arc::new(a);
    }
    if let Some(t) = title {
        s.title = t;
        changed.insert("title".into(), json!(s.title));
    }
    if b.contains_key("metadata") {
        s.metadata = metadata;
        changed.insert("metadata".into(), json!(s.metadata));
    }
    if let Some(bud) = budget {
        s.budget = bud;
        changed.insert("budget".into(), json!(s.budget));
    }
    if !changed.is_empty() {
        s.updated_at = now;
        let mut ev = Value::Object(changed);
        ev["type"] = json!("session.updated");
        s.emit(idg, now, None, ev);
    }
    ok(s.to_json(now))
}

pub(super) async fn archive_session(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.world()?;
    let now = w.now();
    let s = find_session(&mut w, &id)?;
    if s.status == Status::Running {
        return Err(ApiError::conflict(
            "cannot archive a session while it is running",
        ));
    }
    if s.archived_at.is_none() {
        s.archived_at = Some(now);
        s.updated_at = now;
        s.autopilot = false;
    }
    ok(s.to_json(now))
}

pub(super) async fn delete_session(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.world()?;
    let now = w.now();
    let idx = w
        .sessions
        .iter()
        .position(|s| s.id == id)
        .ok_or_else(|| ApiError::not_found("session", &id))?;
    if w.sessions[idx].status == Status::Running {
        return Err(ApiError::conflict(
            "cannot delete a session while it is running; interrupt it first",
        ));
    }
    let s = w.sessions.remove(idx);
    let ev_id = w.idg.id("sevt_");
    let data =
        json!({"type": "session.deleted", "id": ev_id, "processed_at": crate::sim::clock::rfc3339(now)})
            .to_string();
    let frame = crate::sim::world::Frame {
        event_type: "session.deleted".into(),
        data: Arc::from(data),
        id: Some(ev_id),
        preview: None,
        ends_stream: true,
    };
    s.broadcast(None, frame);
    for t in s.threads.iter().filter(|t| t.parent.is_some()) {
        let _ = t.tx.send(Arc::new(crate::sim::world::Frame {
            event_type: "session.deleted".into(),
            data: Arc::from(json!({"type": "session.deleted", "id": w.idg.id("sevt_"), "processed_at": crate::sim::clock::rfc3339(now)}).to_string()),
            id: None,
            preview: None,
            ends_stream: true,
        }));
    }
    ok(json!({"id": id, "type": "session_deleted"}))
}
