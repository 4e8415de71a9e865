//! Agents and environments (read-only in the simulator).

use axum::extract::{Path, RawQuery, State};
use serde_json::Value;

use super::reply::*;
use crate::sim::state::AppState;
use crate::sim::wire::{ApiError, Query, page_cursor};

// ---------------------------------------------------------------------------------------------
// Agents, environments

pub(super) async fn list_agents(State(st): State<AppState>, RawQuery(q): RawQuery) -> Reply {
    let q = Query::parse(q.as_deref());
    let limit = q.limit(20, 100)?;
    let cursor = page_cursor(&q, true)?;
    let range = q.time_range("created_at")?;
    let archived = q.bool("include_archived")?;
    let w = st.world()?;
    let (items, next, _) = list_sorted(
        w.agents.iter(),
        |a| time_key(a.created_at, a.seq),
        true,
        cursor.as_ref(),
        limit,
        |a| {
            range.contains(a.created_at)
                && (archived || a.json.get("archived_at").is_none_or(Value::is_null))
        },
    );
    page_json(items.iter().map(|a| a.json.clone()).collect(), next, None)
}

/// `GET /v1/agents/{id}?version=N`: that version (latest when omitted), 404 when it never existed.
pub(super) async fn get_agent(
    State(st): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let version = match q.get("version") {
        None | Some("") => None,
        Some(v) => match v.parse::<u64>() {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "version: expected an integer of at least 1, got {v:?}"
                )));
            }
        },
    };
    let w = st.world()?;
    let a = w
        .agent(&id)
        .ok_or_else(|| ApiError::not_found("agent", &id))?;
    match version {
        None => ok(a.json.clone()),
        Some(n) => a
            .at_version(n)
            .cloned()
            .ok_or_else(|| ApiError::not_found(&format!("agent {id} version"), &n.to_string()))
            .and_then(ok),
    }
}

/// `GET /v1/agents/{id}/versions`: one agent object per version, newest first, paged.
pub(super) async fn agent_versions(
    State(st): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let limit = q.limit(20, 100)?;
    let cursor = page_cursor(&q, true)?;
    let w = st.world()?;
    let a = w
        .agent(&id)
        .ok_or_else(|| ApiError::not_found("agent", &id))?;
    let number = |v: &Value| v.get("version").and_then(Value::as_u64).unwrap_or(0);
    let (items, next, _) = list_sorted(
        a.versions(),
        |v| time_key(number(v) as i64, number(v)),
        true,
        cursor.as_ref(),
        limit,
        |_| true,
    );
    page_json(items.into_iter().cloned().collect(), next, None)
}

pub(super) async fn list_environments(State(st): State<AppState>, RawQuery(q): RawQuery) -> Reply {
    let q = Query::parse(q.as_deref());
    let limit = q.limit(20, 100)?;
    let cursor = page_cursor(&q, true)?;
    let archived = q.bool("include_archived")?;
    let w = st.world()?;
    let (items, next, _) = list_sorted(
        w.environments.iter(),
        |e| time_key(e.created_at, e.seq),
        true,
        cursor.as_ref(),
        limit,
        |e| archived || e.json.get("archived_at").is_none_or(Value::is_null),
    );
    page_json(items.iter().map(|e| e.json.clone()).collect(), next, None)
}

pub(super) async fn get_environment(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let w = st.world()?;
    w.environments
        .iter()
        .find(|e| e.id == id)
        .map(|e| e.json.clone())
        .ok_or_else(|| ApiError::not_found("environment", &id))
        .and_then(ok)
}
