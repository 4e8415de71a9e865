//! Sessions: list, create, read, update, archive, delete.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde_json::{Map, Value, json};

use super::reply::*;
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
pub(super) async fn create_session(State(st): State<AppState>, body: Bytes) -> Reply {
    let b = body_json(&body)?;
    let agent_id = match b.get("agent") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => o
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        _ => {
            return Err(ApiError::bad_request(
                "agent: required (an agent id or {type:\"agent\", id})",
            ));
        }
    };
    let env = opt_str(&b, "environment_id")?
        .ok_or_else(|| ApiError::bad_request("environment_id: required"))?
        .to_string();
    let title = opt_str(&b, "title")?.map(str::to_string);
    let mut w = st.world()?;
    if w.agent(&agent_id).is_none() {
        return Err(ApiError::not_found("agent", &agent_id));
    }
    if !w.environments.iter().any(|e| e.id == env) {
        return Err(ApiError::not_found("environment", &env));
    }
    let now = w.now();
    let idx = w
        .create_session(&agent_id, &env, title, now)
        .ok_or_else(|| ApiError::not_found("agent", &agent_id))?;
    {
        let s = &mut w.sessions[idx];
        if let Some(m) = b.get("metadata").filter(|m| !m.is_null()) {
            patch_metadata(&mut s.metadata, m)?;
        }
        if let Some(bud) = b.get("budget").filter(|m| !m.is_null()) {
            s.budget = Some(bud.clone());
        }
        if let Some(Value::Array(rs)) = b.get("resources") {
            for r in rs {
                if r.get("type").and_then(Value::as_str) == Some("memory_store") {
                    let mut r = r.clone();
                    r["access"] = r
                        .get("access")
                        .cloned()
                        .filter(|a| !a.is_null())
                        .unwrap_or(json!("read_write"));
                    s.resources.push(r);
                }
            }
        }
    }
    if let Some(Value::Array(evs)) = b.get("initial_events") {
        for ev in evs {
            let kind = ev.get("type").and_then(Value::as_str).unwrap_or("");
            if kind != "user.message" && kind != "user.define_outcome" {
                return Err(ApiError::bad_request(
                    "initial_events: only user.message and user.define_outcome are allowed",
                ));
            }
            validate_sendable(&w.sessions[idx], ev)?;
            w.send_event(idx, ev.clone(), now);
        }
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
    let mut changed = Map::new();
    if b.contains_key("title") {
        s.title = opt_str(&b, "title")?.map(str::to_string);
        changed.insert("title".into(), json!(s.title));
    }
    if let Some(m) = b.get("metadata") {
        patch_metadata(&mut s.metadata, m)?;
        changed.insert("metadata".into(), json!(s.metadata));
    }
    if b.contains_key("budget") {
        if s.budget.is_none() && !b["budget"].is_null() {
            return Err(ApiError::bad_request(
                "budget: cannot add a budget to a session created without one",
            ));
        }
        s.budget = b.get("budget").cloned().filter(|v| !v.is_null());
        changed.insert("budget".into(), json!(s.budget));
    }
    if b.contains_key("vault_ids") {
        return Err(ApiError::bad_request(
            "vault_ids: cannot be changed after creation",
        ));
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
