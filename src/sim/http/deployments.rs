//! Deployments and their runs.

use axum::extract::{Path, RawQuery, State};
use serde_json::json;

use super::reply::*;
use crate::sim::state::AppState;
use crate::sim::wire::{ApiError, ApiResult, Query, page_cursor};
use crate::sim::world::World;

// ---------------------------------------------------------------------------------------------
// Deployments

pub(super) async fn list_deployments(State(st): State<AppState>, RawQuery(q): RawQuery) -> Reply {
    let q = Query::parse(q.as_deref());
    let limit = q.limit(20, 100)?;
    let cursor = page_cursor(&q, true)?;
    let range = q.time_range("created_at")?;
    let archived = q.bool("include_archived")?;
    let status = q.enum_value("status", &["active", "paused"])?;
    if status.is_some() && q.get("include_archived").is_some() {
        return Err(ApiError::bad_request(
            "status cannot be combined with include_archived",
        ));
    }
    let agent_id = q.get("agent_id").map(str::to_string);
    let w = st.world()?;
    let now = w.now();
    let (items, next, _) = list_sorted(
        w.deployments.iter(),
        |d| time_key(d.created_at, d.seq),
        true,
        cursor.as_ref(),
        limit,
        |d| {
            range.contains(d.created_at)
                && (archived || d.archived_at.is_none())
                && agent_id.as_deref().is_none_or(|a| d.agent_id == a)
                && status
                    .as_deref()
                    .is_none_or(|s| (s == "paused") == d.paused_reason.is_some())
        },
    );
    page_json(items.iter().map(|d| d.to_json(now)).collect(), next, None)
}

pub(super) fn deployment_index(w: &World, id: &str) -> ApiResult<usize> {
    w.deployments
        .iter()
        .position(|d| d.id == id)
        .ok_or_else(|| ApiError::not_found("deployment", id))
}

pub(super) async fn get_deployment(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let w = st.world()?;
    let now = w.now();
    let i = deployment_index(&w, &id)?;
    ok(w.deployments[i].to_json(now))
}

pub(super) async fn pause_deployment(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.world()?;
    let now = w.now();
    let i = deployment_index(&w, &id)?;
    let d = &mut w.deployments[i];
    if d.paused_reason.is_none() {
        d.paused_reason = Some(json!({"type": "manual"}));
        d.updated_at = now;
    }
    ok(d.to_json(now))
}

pub(super) async fn unpause_deployment(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Reply {
    let mut w = st.world()?;
    let now = w.now();
    let i = deployment_index(&w, &id)?;
    let d = &mut w.deployments[i];
    if d.paused_reason.is_some() {
        d.paused_reason = None;
        d.updated_at = now;
        // An unpaused deployment fires from now on, not for the time it was paused.
        if let Some(s) = d.schedule.as_mut() {
            s.checked_until = now;
        }
    }
    ok(d.to_json(now))
}

pub(super) async fn run_deployment(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.world()?;
    let now = w.now();
    let i = deployment_index(&w, &id)?;
    if w.deployments[i].archived_at.is_some() {
        return Err(ApiError::bad_request("deployment is archived"));
    }
    let pos = w
        .fire_deployment(i, None, now)
        .ok_or_else(|| ApiError::not_found("deployment", &id))?;
    ok(w.runs[pos].to_json())
}

pub(super) async fn archive_deployment(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Reply {
    let mut w = st.world()?;
    let now = w.now();
    let i = deployment_index(&w, &id)?;
    let d = &mut w.deployments[i];
    if d.archived_at.is_none() {
        d.archived_at = Some(now);
        d.updated_at = now;
    }
    ok(d.to_json(now))
}

pub(super) async fn list_runs(State(st): State<AppState>, RawQuery(q): RawQuery) -> Reply {
    let q = Query::parse(q.as_deref());
    let limit = q.limit(20, 1000)?;
    let cursor = page_cursor(&q, true)?;
    let range = q.time_range("created_at")?;
    let deployment_id = q.get("deployment_id").map(str::to_string);
    let has_error = match q.get("has_error") {
        None => None,
        Some(_) => Some(q.bool("has_error")?),
    };
    let trigger = q.enum_value("trigger_type", &["schedule", "manual"])?;
    let w = st.world()?;
    let (items, next, _) = list_sorted(
        w.runs.iter(),
        |r| time_key(r.created_at, r.seq),
        true,
        cursor.as_ref(),
        limit,
        |r| {
            range.contains(r.created_at)
                && deployment_id
                    .as_deref()
                    .is_none_or(|d| r.deployment_id == d)
                && has_error.is_none_or(|h| h == r.error.is_some())
                && trigger
                    .as_deref()
                    .is_none_or(|t| (t == "schedule") == r.scheduled_at.is_some())
        },
    );
    page_json(items.iter().map(|r| r.to_json()).collect(), next, None)
}

pub(super) async fn get_run(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let w = st.world()?;
    let r = w
        .runs
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| ApiError::not_found("deployment run", &id))?;
    ok(r.to_json())
}
