//! Deployments and their runs.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde_json::{Map, Value, json};

use super::reply::*;
use super::validate::patch_metadata;
use crate::cron::Cron;
use crate::sim::clock::Micros;
use crate::sim::state::AppState;
use crate::sim::wire::{ApiError, ApiResult, Query, page_cursor};
use crate::sim::world::{Deployment, Schedule, World};

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

/// The event types a deployment may start its sessions with.
const INITIAL_TYPES: [&str; 3] = ["user.message", "user.define_outcome", "system.message"];

/// `initial_events`: 1–50 events of the allowed types, each well formed.
fn initial_events(v: &Value) -> ApiResult<Value> {
    let Some(events) = v.as_array() else {
        return Err(ApiError::bad_request(
            "initial_events: expected an array of events",
        ));
    };
    if events.is_empty() || events.len() > 50 {
        return Err(ApiError::bad_request(format!(
            "initial_events: must contain between 1 and 50 events, got {}",
            events.len()
        )));
    }
    for (i, ev) in events.iter().enumerate() {
        let kind = ev.get("type").and_then(Value::as_str).unwrap_or("");
        if !INITIAL_TYPES.contains(&kind) {
            return Err(ApiError::bad_request(format!(
                "initial_events[{i}].type: {kind:?} is not allowed; expected one of {}",
                INITIAL_TYPES.join(", ")
            )));
        }
        let has_text = ev
            .get("content")
            .and_then(Value::as_array)
            .is_some_and(|c| {
                c.iter().any(|b| {
                    b.get("text")
                        .and_then(Value::as_str)
                        .is_some_and(|t| !t.trim().is_empty())
                })
            });
        if kind != "user.define_outcome" && !has_text {
            return Err(ApiError::bad_request(format!(
                "initial_events[{i}].content: must contain a non-empty text block"
            )));
        }
    }
    Ok(v.clone())
}

/// `schedule`: `{type:"cron", expression, timezone}` → a parsed schedule; `null` → manual only.
fn schedule(v: &Value, now: Micros) -> ApiResult<Option<Schedule>> {
    if v.is_null() {
        return Ok(None);
    }
    let Some(o) = v.as_object() else {
        return Err(ApiError::bad_request(
            "schedule: expected an object {type: \"cron\", expression, timezone} or null",
        ));
    };
    if o.get("type").and_then(Value::as_str) != Some("cron") {
        return Err(ApiError::bad_request("schedule.type: must be \"cron\""));
    }
    let field = |k: &str| {
        o.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::bad_request(format!("schedule.{k}: Field required")))
    };
    let (expression, timezone) = (field("expression")?, field("timezone")?);
    if jiff::tz::TimeZone::get(timezone).is_err() {
        return Err(ApiError::bad_request(format!(
            "schedule.timezone: {timezone:?} is not a known IANA timezone"
        )));
    }
    let cron = Cron::parse(expression, timezone).map_err(|e| {
        ApiError::bad_request(format!(
            "schedule.expression: invalid cron expression {expression:?}: {e}"
        ))
    })?;
    Ok(Some(Schedule {
        expression: expression.to_string(),
        timezone: timezone.to_string(),
        cron,
        checked_until: now,
        last_run_at: None,
    }))
}

/// `agent`: an id or `{type:"agent", id, version?}` of an existing, unarchived agent →
/// (id, version).
fn agent(w: &World, v: &Value) -> ApiResult<(String, u64)> {
    let (id, version) = match v {
        Value::String(s) => (s.clone(), None),
        Value::Object(o) if o.get("type").and_then(Value::as_str) == Some("agent") => (
            o.get("id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            o.get("version").and_then(Value::as_u64),
        ),
        _ => {
            return Err(ApiError::bad_request(
                "agent: expected an agent id or {type: \"agent\", id, version}",
            ));
        }
    };
    let Some(a) = w.agent(&id) else {
        return Err(ApiError::bad_request(format!(
            "agent: agent {id:?} does not exist"
        )));
    };
    if a.json.get("archived_at").is_some_and(|t| !t.is_null()) {
        return Err(ApiError::bad_request(format!(
            "agent: agent {id} is archived"
        )));
    }
    let latest = a.json.get("version").and_then(Value::as_u64).unwrap_or(1);
    match version {
        Some(v) if v == 0 || v > latest => Err(ApiError::bad_request(format!(
            "agent.version: agent {id} has no version {v} (latest is {latest})"
        ))),
        Some(v) => Ok((id, v)),
        None => Ok((id, latest)),
    }
}

fn environment(w: &World, v: &Value) -> ApiResult<String> {
    let id = v
        .as_str()
        .ok_or_else(|| ApiError::bad_request("environment_id: expected a string"))?;
    let Some(e) = w.environments.iter().find(|e| e.id == id) else {
        return Err(ApiError::bad_request(format!(
            "environment_id: environment {id:?} does not exist"
        )));
    };
    if e.json.get("archived_at").is_some_and(|t| !t.is_null()) {
        return Err(ApiError::bad_request(format!(
            "environment_id: environment {id} is archived"
        )));
    }
    Ok(id.to_string())
}

fn name(v: &Value) -> ApiResult<String> {
    match v.as_str().map(str::trim) {
        Some(n) if !n.is_empty() && n.chars().count() <= 256 => Ok(n.to_string()),
        Some(n) if !n.is_empty() => Err(ApiError::bad_request(
            "name: must be at most 256 characters",
        )),
        _ => Err(ApiError::bad_request("name: must be a non-empty string")),
    }
}

fn vault_ids(v: &Value) -> ApiResult<Vec<String>> {
    let ids: Option<Vec<String>> = v
        .as_array()
        .map(|a| a.iter().map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or(None);
    match ids {
        Some(ids) if ids.len() <= 50 => Ok(ids),
        Some(_) => Err(ApiError::bad_request("vault_ids: at most 50 vaults")),
        None => Err(ApiError::bad_request(
            "vault_ids: expected an array of strings",
        )),
    }
}

fn resources(v: &Value) -> ApiResult<Value> {
    match v.as_array() {
        Some(a) if a.len() <= 500 => Ok(v.clone()),
        Some(_) => Err(ApiError::bad_request("resources: at most 500 resources")),
        None => Err(ApiError::bad_request("resources: expected an array")),
    }
}

fn budget(v: &Value) -> ApiResult<Option<Value>> {
    match v {
        Value::Null => Ok(None),
        Value::Object(_) => Ok(Some(v.clone())),
        _ => Err(ApiError::bad_request("budget: expected an object or null")),
    }
}

fn description(v: &Value) -> ApiResult<Option<String>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(ApiError::bad_request("description: expected a string")),
    }
}

fn required<'a>(b: &'a Map<String, Value>, key: &str) -> ApiResult<&'a Value> {
    b.get(key)
        .filter(|v| !v.is_null())
        .ok_or_else(|| ApiError::bad_request(format!("{key}: Field required")))
}

pub(super) async fn create_deployment(State(st): State<AppState>, body: Bytes) -> Reply {
    let b = body_json(&body)?;
    let name = name(required(&b, "name")?)?;
    let events = initial_events(required(&b, "initial_events")?)?;
    let mut w = st.world()?;
    let now = w.now();
    let (agent_id, agent_version) = agent(&w, required(&b, "agent")?)?;
    let environment_id = environment(&w, required(&b, "environment_id")?)?;
    let mut d = Deployment {
        seq: 0,
        id: String::new(),
        name,
        description: b.get("description").map(description).transpose()?.flatten(),
        agent_id,
        agent_version,
        environment_id,
        initial_events: events,
        metadata: Map::new(),
        resources: b
            .get("resources")
            .map(resources)
            .transpose()?
            .unwrap_or(json!([])),
        vault_ids: b
            .get("vault_ids")
            .map(vault_ids)
            .transpose()?
            .unwrap_or_default(),
        budget: b.get("budget").map(budget).transpose()?.flatten(),
        schedule: b
            .get("schedule")
            .map(|v| schedule(v, now))
            .transpose()?
            .flatten(),
        paused_reason: None,
        archived_at: None,
        created_at: now,
        updated_at: now,
        failing_with: None,
    };
    if let Some(m) = b.get("metadata").filter(|m| !m.is_null()) {
        patch_metadata(&mut d.metadata, m)?;
    }
    let i = w.push_deployment(d);
    ok(w.deployments[i].to_json(now))
}

/// `POST /v1/deployments/{id}`: every field optional, arrays replace, `null` clears
/// `schedule` (manual only), `budget` and `description`. Validated whole before anything changes.
pub(super) async fn update_deployment(
    State(st): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let b = body_json(&body)?;
    let mut w = st.world()?;
    let now = w.now();
    let i = deployment_index(&w, &id)?;
    if w.deployments[i].archived_at.is_some() {
        return Err(ApiError::bad_request(format!(
            "deployment {id} is archived and cannot be updated"
        )));
    }
    let mut d = w.deployments[i].clone();
    for (key, v) in &b {
        match key.as_str() {
            "name" => d.name = name(v)?,
            "description" => d.description = description(v)?,
            "agent" => (d.agent_id, d.agent_version) = agent(&w, v)?,
            "environment_id" => d.environment_id = environment(&w, v)?,
            "initial_events" => d.initial_events = initial_events(v)?,
            "schedule" => {
                let last = d.schedule.as_ref().and_then(|s| s.last_run_at);
                d.schedule = schedule(v, now)?.map(|s| Schedule {
                    last_run_at: last,
                    ..s
                });
            }
            "budget" => d.budget = budget(v)?,
            "resources" => d.resources = resources(v)?,
            "vault_ids" => d.vault_ids = vault_ids(v)?,
            "metadata" if v.is_null() => {}
            "metadata" => patch_metadata(&mut d.metadata, v)?,
            other => {
                return Err(ApiError::bad_request(format!(
                    "{other}: Extra inputs are not permitted"
                )));
            }
        }
    }
    d.updated_at = now;
    w.deployments[i] = d;
    ok(w.deployments[i].to_json(now))
}

/// Pause, unpause and run refuse an archived deployment (archive is terminal).
fn not_archived(w: &World, i: usize) -> ApiResult<()> {
    match &w.deployments[i] {
        d if d.archived_at.is_some() => Err(ApiError::bad_request(format!(
            "deployment {} is archived",
            d.id
        ))),
        _ => Ok(()),
    }
}

pub(super) async fn pause_deployment(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.world()?;
    let now = w.now();
    let i = deployment_index(&w, &id)?;
    not_archived(&w, i)?;
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
    not_archived(&w, i)?;
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
    not_archived(&w, i)?;
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
