//! The HTTP surface: routing, the request gate (request ids, auth, version, faults), handlers.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;

use super::Faults;
use super::clock::Micros;
use super::scenario::DreamPlan;
use super::sse::{self, StreamSpec};
use super::wire::{
    ApiError, ApiResult, Cursor, CursorKey, Page, Query, REQUEST_ID, page_cursor, paginate,
};
use super::world::{Persona, Session, Status, StoredEvent, World};

#[derive(Clone)]
pub struct AppState {
    pub world: Arc<Mutex<World>>,
    pub faults: Faults,
    pub api_key: Option<String>,
    pub heartbeat: Duration,
    pub shutdown: CancellationToken,
    pub fault_rng: Arc<Mutex<StdRng>>,
}

impl AppState {
    fn lock(&self) -> ApiResult<MutexGuard<'_, World>> {
        self.world.lock().map_err(|_| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "api_error",
                "internal state unavailable",
            )
        })
    }
}

const API_ACTOR_KEY: &str = "apikey_01OverseerDemo00000000";

fn api_actor() -> Value {
    json!({"type": "api_actor", "api_key_id": API_ACTOR_KEY})
}

// ---------------------------------------------------------------------------------------------
// The gate

fn presented_key(headers: &HeaderMap) -> Option<String> {
    if let Some(k) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(k.to_string());
    }
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::to_string)
}

async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (request_id, fault) = {
        let mut rng = match state.fault_rng.lock() {
            Ok(r) => r,
            Err(p) => p.into_inner(),
        };
        let n: u128 = rng.random();
        let id = format!("req_011{}", &format!("{n:032x}")[..24]);
        let is_stream = req.uri().path().ends_with("/stream");
        let fault = if !is_stream
            && state.faults.error_rate > 0.0
            && rng.random_bool(state.faults.error_rate.clamp(0.0, 1.0))
        {
            Some((rng.random_range(0..3u8), rng.random_range(50..=200u64)))
        } else {
            None
        };
        (id, fault)
    };
    let rid = request_id.clone();
    let mut resp = REQUEST_ID
        .scope(request_id, async move {
            if state.faults.latency_ms > 0 {
                tokio::time::sleep(Duration::from_millis(state.faults.latency_ms)).await;
            }
            if let Some(expected) = &state.api_key {
                match presented_key(req.headers()) {
                    None => return ApiError::unauthorized(false).into_response(),
                    Some(k) if k != *expected => {
                        return ApiError::unauthorized(true).into_response();
                    }
                    Some(_) => {}
                }
            }
            if let Some(v) = req
                .headers()
                .get("anthropic-version")
                .and_then(|v| v.to_str().ok())
                && v != "2023-06-01"
                && v != "2026-10-21"
            {
                return ApiError::bad_request(format!(
                    "anthropic-version: {v:?} is not a supported version"
                ))
                .into_response();
            }
            if let Some((kind, retry_ms)) = fault {
                let mut e = match kind {
                    0 => ApiError::new(
                        StatusCode::TOO_MANY_REQUESTS,
                        "rate_limit_error",
                        "Number of requests has exceeded your rate limit (simulated).",
                    ),
                    1 => ApiError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "api_error",
                        "Internal server error (simulated).",
                    ),
                    _ => ApiError::new(
                        StatusCode::from_u16(529).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
                        "overloaded_error",
                        "Overloaded (simulated).",
                    ),
                };
                if kind == 0 {
                    e.headers.push(("retry-after-ms", retry_ms.to_string()));
                    e.headers.push(("retry-after", "1".to_string()));
                }
                return e.into_response();
            }
            next.run(req).await
        })
        .await;
    if let Ok(v) = HeaderValue::from_str(&rid) {
        resp.headers_mut().insert("request-id", v);
    }
    resp
}

async fn not_found_route() -> Response {
    ApiError::new(StatusCode::NOT_FOUND, "not_found_error", "Not found").into_response()
}

async fn method_not_allowed() -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request_error",
        "Method not allowed for this path",
    )
    .into_response()
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/agents", get(list_agents))
        .route("/v1/agents/{id}", get(get_agent))
        .route("/v1/agents/{id}/versions", get(agent_versions))
        .route("/v1/environments", get(list_environments))
        .route("/v1/environments/{id}", get(get_environment))
        .route("/v1/sessions", get(list_sessions).post(create_session))
        .route(
            "/v1/sessions/{id}",
            get(get_session).post(update_session).delete(delete_session),
        )
        .route("/v1/sessions/{id}/archive", post(archive_session))
        .route(
            "/v1/sessions/{id}/events",
            get(list_events).post(send_events),
        )
        .route("/v1/sessions/{id}/events/stream", get(session_stream))
        .route("/v1/sessions/{id}/stream", get(session_stream))
        .route("/v1/sessions/{id}/threads", get(list_threads))
        .route("/v1/sessions/{id}/threads/{tid}", get(get_thread))
        .route(
            "/v1/sessions/{id}/threads/{tid}/archive",
            post(archive_thread),
        )
        .route(
            "/v1/sessions/{id}/threads/{tid}/events",
            get(list_thread_events),
        )
        .route("/v1/sessions/{id}/threads/{tid}/stream", get(thread_stream))
        .route("/v1/memory_stores", get(list_stores).post(create_store))
        .route(
            "/v1/memory_stores/{id}",
            get(get_store).post(update_store).delete(delete_store),
        )
        .route("/v1/memory_stores/{id}/archive", post(archive_store))
        .route(
            "/v1/memory_stores/{id}/memories",
            get(list_memories).post(create_memory),
        )
        .route(
            "/v1/memory_stores/{id}/memories/{mid}",
            get(get_memory).post(update_memory).delete(delete_memory),
        )
        .route("/v1/memory_stores/{id}/memory_versions", get(list_versions))
        .route(
            "/v1/memory_stores/{id}/memory_versions/{vid}",
            get(get_version),
        )
        .route(
            "/v1/memory_stores/{id}/memory_versions/{vid}/redact",
            post(redact_version),
        )
        .route("/v1/dreams", get(list_dreams).post(create_dream))
        .route("/v1/dreams/{id}", get(get_dream))
        .route("/v1/dreams/{id}/cancel", post(cancel_dream))
        .route("/v1/dreams/{id}/archive", post(archive_dream))
        .route("/v1/deployments", get(list_deployments))
        .route("/v1/deployments/{id}", get(get_deployment))
        .route("/v1/deployments/{id}/pause", post(pause_deployment))
        .route("/v1/deployments/{id}/unpause", post(unpause_deployment))
        .route("/v1/deployments/{id}/run", post(run_deployment))
        .route("/v1/deployments/{id}/archive", post(archive_deployment))
        .route("/v1/deployment_runs", get(list_runs))
        .route("/v1/deployment_runs/{id}", get(get_run))
        .fallback(not_found_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), gate))
        .with_state(state)
}

// ---------------------------------------------------------------------------------------------
// Helpers

type Reply = ApiResult<Response>;

fn ok(v: Value) -> Reply {
    Ok((StatusCode::OK, axum::Json(v)).into_response())
}

fn raw_json(body: String) -> Response {
    let mut resp = Response::new(Body::from(body));
    resp.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    resp
}

fn page_json(data: Vec<Value>, next: Option<Cursor>, prev: Option<Option<Cursor>>) -> Reply {
    let mut v = json!({"data": data, "next_page": next.map(|c| c.encode())});
    if let Some(prev) = prev {
        v["prev_page"] = json!(prev.map(|c| c.encode()));
    }
    ok(v)
}

fn body_json(body: &Bytes) -> ApiResult<Map<String, Value>> {
    if body.is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::bad_request("request body must be a JSON object")),
        Err(e) => Err(ApiError::bad_request(format!(
            "request body is not valid JSON: {e}"
        ))),
    }
}

fn opt_str<'a>(m: &'a Map<String, Value>, key: &str) -> ApiResult<Option<&'a str>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::bad_request(format!("{key}: expected a string"))),
    }
}

fn time_key(t: Micros, seq: u64) -> CursorKey {
    CursorKey::Time(t, seq)
}

/// Apply a metadata patch: strings upsert, null deletes.
fn patch_metadata(target: &mut Map<String, Value>, patch: &Value) -> ApiResult<()> {
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

fn list_sorted<'a, T>(
    items: impl Iterator<Item = &'a T>,
    key: impl Fn(&T) -> CursorKey + Copy,
    desc: bool,
    cursor: Option<&Cursor>,
    limit: usize,
    keep: impl Fn(&T) -> bool,
) -> (Vec<&'a T>, Option<Cursor>, Option<Cursor>)
where
    T: 'a,
{
    let mut sorted: Vec<&T> = items.collect();
    sorted.sort_by_key(|t| key(t));
    let Page { items, next, prev } =
        paginate(&sorted, |t| key(t), desc, cursor, limit, |t| keep(t));
    (items.into_iter().copied().collect(), next, prev)
}

// ---------------------------------------------------------------------------------------------
// Agents, environments

async fn list_agents(State(st): State<AppState>, RawQuery(q): RawQuery) -> Reply {
    let q = Query::parse(q.as_deref());
    let limit = q.limit(20, 100)?;
    let cursor = page_cursor(&q, true)?;
    let range = q.time_range("created_at")?;
    let archived = q.bool("include_archived")?;
    let w = st.lock()?;
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

async fn get_agent(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let w = st.lock()?;
    w.agent(&id)
        .map(|a| a.json.clone())
        .ok_or_else(|| ApiError::not_found("agent", &id))
        .and_then(ok)
}

async fn agent_versions(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let w = st.lock()?;
    let a = w
        .agent(&id)
        .ok_or_else(|| ApiError::not_found("agent", &id))?;
    page_json(vec![a.json.clone()], None, None)
}

async fn list_environments(State(st): State<AppState>, RawQuery(q): RawQuery) -> Reply {
    let q = Query::parse(q.as_deref());
    let limit = q.limit(20, 100)?;
    let cursor = page_cursor(&q, true)?;
    let archived = q.bool("include_archived")?;
    let w = st.lock()?;
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

async fn get_environment(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let w = st.lock()?;
    w.environments
        .iter()
        .find(|e| e.id == id)
        .map(|e| e.json.clone())
        .ok_or_else(|| ApiError::not_found("environment", &id))
        .and_then(ok)
}

// ---------------------------------------------------------------------------------------------
// Sessions

const SESSION_STATUSES: &[&str] = &["rescheduling", "running", "idle", "terminated"];

async fn list_sessions(State(st): State<AppState>, RawQuery(q): RawQuery) -> Reply {
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
    let mut w = st.lock()?;
    w.tick();
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

fn find_session<'a>(w: &'a mut World, id: &str) -> ApiResult<&'a mut Session> {
    w.session_mut(id)
        .ok_or_else(|| ApiError::not_found("session", id))
}

async fn get_session(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.lock()?;
    w.tick();
    let now = w.now();
    let v = find_session(&mut w, &id)?.to_json(now);
    ok(v)
}

const SENDABLE: &[&str] = &[
    "user.message",
    "user.interrupt",
    "user.tool_confirmation",
    "user.custom_tool_result",
    "user.define_outcome",
    "user.tool_result",
    "system.message",
];

/// Check an event a client sends, against the session's state.
fn validate_sendable(s: &Session, ev: &Value) -> ApiResult<()> {
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
            match obj.get("result").and_then(Value::as_str) {
                Some("allow") | Some("deny") => {}
                _ => {
                    return Err(ApiError::bad_request(
                        "user.tool_confirmation: result must be 'allow' or 'deny'",
                    ));
                }
            }
            if !s
                .blocked_on
                .iter()
                .chain(s.awaiting.iter())
                .any(|x| x == id)
            {
                return Err(ApiError::bad_request(format!(
                    "user.tool_confirmation: {id:?} is not a tool use awaiting confirmation"
                )));
            }
            Ok(())
        }
        "user.custom_tool_result" | "user.tool_result" => {
            let key = if kind == "user.custom_tool_result" {
                "custom_tool_use_id"
            } else {
                "tool_use_id"
            };
            let id = obj.get(key).and_then(Value::as_str).unwrap_or("");
            if !s
                .blocked_on
                .iter()
                .chain(s.awaiting.iter())
                .any(|x| x == id)
            {
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

async fn create_session(State(st): State<AppState>, body: Bytes) -> Reply {
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
    let mut w = st.lock()?;
    w.tick();
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

async fn update_session(State(st): State<AppState>, Path(id): Path<String>, body: Bytes) -> Reply {
    let b = body_json(&body)?;
    let mut w = st.lock()?;
    w.tick();
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

async fn archive_session(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.lock()?;
    w.tick();
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

async fn delete_session(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.lock()?;
    w.tick();
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
        json!({"type": "session.deleted", "id": ev_id, "processed_at": super::clock::rfc3339(now)})
            .to_string();
    let frame = super::world::Frame {
        event_type: "session.deleted".into(),
        data: Arc::from(data),
        id: Some(ev_id),
        preview: None,
        ends_stream: true,
    };
    s.broadcast(None, frame);
    for t in s.threads.iter().filter(|t| t.parent.is_some()) {
        let _ = t.tx.send(Arc::new(super::world::Frame {
            event_type: "session.deleted".into(),
            data: Arc::from(json!({"type": "session.deleted", "id": w.idg.id("sevt_"), "processed_at": super::clock::rfc3339(now)}).to_string()),
            id: None,
            preview: None,
            ends_stream: true,
        }));
    }
    ok(json!({"id": id, "type": "session_deleted"}))
}

// ---------------------------------------------------------------------------------------------
// Events

/// The valid `types[]` filter values: the wire's `SessionEventType` list, shared with the client.
const EVENT_TYPES: &[&str] = &crate::api::events::SESSION_EVENT_TYPES;

/// One page of a history, rendered without re-serializing stored events.
fn events_page(history: &[StoredEvent], q: &Query) -> Reply {
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

async fn list_events(
    State(st): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let mut w = st.lock()?;
    w.tick();
    let s = find_session(&mut w, &id)?;
    events_page(&s.history, &q)
}

async fn send_events(State(st): State<AppState>, Path(id): Path<String>, body: Bytes) -> Reply {
    let b = body_json(&body)?;
    let Some(Value::Array(events)) = b.get("events") else {
        return Err(ApiError::bad_request(
            "events: required (a non-empty array)",
        ));
    };
    if events.is_empty() {
        return Err(ApiError::bad_request("events: must not be empty"));
    }
    let mut w = st.lock()?;
    w.tick();
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
        for (i, ev) in events.iter().enumerate() {
            validate_sendable(s, ev)?;
            if ev.get("type").and_then(Value::as_str) == Some("system.message")
                && i + 1 != events.len()
            {
                return Err(ApiError::bad_request(
                    "system.message must be the last event of the request",
                ));
            }
        }
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

async fn session_stream(
    State(st): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let deltas = q.enum_list("event_deltas", &["agent.message", "agent.thinking"])?;
    let spec = {
        let mut w = st.lock()?;
        w.tick();
        let s = find_session(&mut w, &id)?;
        StreamSpec {
            rx: s.tx.subscribe(),
            deltas,
            session_id: s.id.clone(),
        }
    };
    Ok(sse::respond(&st, spec))
}

// ---------------------------------------------------------------------------------------------
// Threads

async fn list_threads(
    State(st): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let limit = q.limit(1000, 1000)?;
    let cursor = page_cursor(&q, false)?;
    let statuses = q.enum_list("statuses", SESSION_STATUSES)?;
    let mut w = st.lock()?;
    w.tick();
    let now = w.now();
    let s = find_session(&mut w, &id)?;
    let page = paginate(
        &s.threads,
        |t| time_key(t.created_at, t.seq),
        false,
        cursor.as_ref(),
        limit,
        |t| statuses.is_empty() || statuses.iter().any(|x| x == t.status.as_str()),
    );
    page_json(
        page.items.iter().map(|t| s.thread_json(t, now)).collect(),
        page.next,
        None,
    )
}

async fn get_thread(State(st): State<AppState>, Path((id, tid)): Path<(String, String)>) -> Reply {
    let mut w = st.lock()?;
    w.tick();
    let now = w.now();
    let s = find_session(&mut w, &id)?;
    let t = s
        .threads
        .iter()
        .find(|t| t.id == tid)
        .ok_or_else(|| ApiError::not_found("thread", &tid))?;
    ok(s.thread_json(t, now))
}

async fn archive_thread(
    State(st): State<AppState>,
    Path((id, tid)): Path<(String, String)>,
) -> Reply {
    let mut w = st.lock()?;
    w.tick();
    let now = w.now();
    let s = find_session(&mut w, &id)?;
    let i = s
        .thread_index(&tid)
        .ok_or_else(|| ApiError::not_found("thread", &tid))?;
    if s.threads[i].parent.is_none() {
        return Err(ApiError::bad_request(
            "the primary thread cannot be archived; archive the session instead",
        ));
    }
    if s.threads[i].archived_at.is_none() {
        s.threads[i].archived_at = Some(now);
    }
    let v = s.thread_json(&s.threads[i], now);
    ok(v)
}

async fn list_thread_events(
    State(st): State<AppState>,
    Path((id, tid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let mut w = st.lock()?;
    w.tick();
    let s = find_session(&mut w, &id)?;
    let t = s
        .threads
        .iter()
        .find(|t| t.id == tid)
        .ok_or_else(|| ApiError::not_found("thread", &tid))?;
    events_page(&t.history, &q)
}

async fn thread_stream(
    State(st): State<AppState>,
    Path((id, tid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let deltas = q.enum_list("event_deltas", &["agent.message", "agent.thinking"])?;
    let spec = {
        let mut w = st.lock()?;
        w.tick();
        let s = find_session(&mut w, &id)?;
        let t = s
            .threads
            .iter()
            .find(|t| t.id == tid)
            .ok_or_else(|| ApiError::not_found("thread", &tid))?;
        let session_id = s.id.clone();
        StreamSpec {
            rx: t.tx.subscribe(),
            deltas,
            session_id,
        }
    };
    Ok(sse::respond(&st, spec))
}

// ---------------------------------------------------------------------------------------------
// Memory stores

async fn list_stores(State(st): State<AppState>, RawQuery(q): RawQuery) -> Reply {
    let q = Query::parse(q.as_deref());
    let limit = q.limit(20, 100)?;
    let cursor = page_cursor(&q, true)?;
    let range = q.time_range("created_at")?;
    let archived = q.bool("include_archived")?;
    let mut w = st.lock()?;
    w.tick();
    let (items, next, _) = list_sorted(
        w.memory_stores.iter(),
        |m| time_key(m.created_at, m.seq),
        true,
        cursor.as_ref(),
        limit,
        |m| range.contains(m.created_at) && (archived || m.archived_at.is_none()),
    );
    page_json(items.iter().map(|m| m.to_json()).collect(), next, None)
}

fn store_index(w: &World, id: &str) -> ApiResult<usize> {
    w.memory_stores
        .iter()
        .position(|m| m.id == id)
        .ok_or_else(|| ApiError::not_found("memory store", id))
}

async fn get_store(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.lock()?;
    w.tick();
    let i = store_index(&w, &id)?;
    ok(w.memory_stores[i].to_json())
}

async fn create_store(State(st): State<AppState>, body: Bytes) -> Reply {
    let b = body_json(&body)?;
    let name = opt_str(&b, "name")?
        .ok_or_else(|| ApiError::bad_request("name: required"))?
        .to_string();
    if name.is_empty() || name.len() > 255 || name.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "name: 1-255 characters, no control characters",
        ));
    }
    let description = opt_str(&b, "description")?.unwrap_or("").to_string();
    let mut metadata = Map::new();
    if let Some(m) = b.get("metadata").filter(|m| !m.is_null()) {
        patch_metadata(&mut metadata, m)?;
    }
    let mut w = st.lock()?;
    let now = w.now();
    let id = w.create_store(&name, &description, metadata, now);
    let i = store_index(&w, &id)?;
    ok(w.memory_stores[i].to_json())
}

async fn update_store(State(st): State<AppState>, Path(id): Path<String>, body: Bytes) -> Reply {
    let b = body_json(&body)?;
    let mut w = st.lock()?;
    let now = w.now();
    let i = store_index(&w, &id)?;
    let m = &mut w.memory_stores[i];
    if m.archived_at.is_some() {
        return Err(ApiError::bad_request("memory store is archived"));
    }
    if let Some(n) = opt_str(&b, "name")? {
        m.name = n.to_string();
    }
    if b.contains_key("description") {
        m.description = opt_str(&b, "description")?.unwrap_or("").to_string();
    }
    if let Some(md) = b.get("metadata") {
        patch_metadata(&mut m.metadata, md)?;
    }
    m.updated_at = now;
    ok(m.to_json())
}

async fn archive_store(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.lock()?;
    let now = w.now();
    let i = store_index(&w, &id)?;
    let m = &mut w.memory_stores[i];
    if m.archived_at.is_none() {
        m.archived_at = Some(now);
        m.updated_at = now;
    }
    ok(m.to_json())
}

async fn delete_store(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.lock()?;
    let i = store_index(&w, &id)?;
    w.memory_stores.remove(i);
    w.memories.retain(|m| m.store_id != id);
    w.versions.retain(|v| v.store_id != id);
    ok(json!({"id": id, "type": "memory_store_deleted"}))
}

fn view_full(q: &Query, default_full: bool) -> ApiResult<bool> {
    Ok(match q.enum_value("view", &["basic", "full"])?.as_deref() {
        Some("full") => true,
        Some(_) => false,
        None => default_full,
    })
}

async fn list_memories(
    State(st): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let full = view_full(&q, false)?;
    // The full view caps pages at 20 memories.
    let limit = q.limit(20, 100)?.min(if full { 20 } else { 100 });
    let cursor = page_cursor(&q, false)?;
    let prefix = q.get("path_prefix").unwrap_or("/").to_string();
    if !prefix.starts_with('/') || !prefix.ends_with('/') {
        return Err(ApiError::bad_request(
            "path_prefix: must start and end with '/'",
        ));
    }
    let depth = match q.get("depth") {
        None => None,
        Some(d) => Some(
            d.parse::<usize>()
                .map_err(|_| ApiError::bad_request("depth: expected a non-negative integer"))?,
        ),
    };
    let mut w = st.lock()?;
    w.tick();
    store_index(&w, &id)?;
    // (path, item) pairs sorted by path; directories deeper than `depth` roll up to a prefix.
    let mut items: Vec<(String, Value)> = Vec::new();
    let mut seen_prefixes = std::collections::BTreeSet::new();
    for m in w
        .memories
        .iter()
        .filter(|m| m.store_id == id && m.path.starts_with(&prefix))
    {
        let rest = &m.path[prefix.len()..];
        let segs: Vec<&str> = rest.split('/').collect();
        match depth {
            Some(d) if d > 0 && segs.len() > d => {
                let p = format!("{prefix}{}/", segs[..d].join("/"));
                if seen_prefixes.insert(p.clone()) {
                    items.push((p.clone(), json!({"type": "memory_prefix", "path": p})));
                }
            }
            _ => items.push((m.path.clone(), m.to_json(full))),
        }
    }
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let page = paginate(
        &items,
        |(p, _)| CursorKey::Text(p.clone()),
        false,
        cursor.as_ref(),
        limit,
        |_| true,
    );
    page_json(
        page.items.iter().map(|(_, v)| v.clone()).collect(),
        page.next,
        None,
    )
}

fn memory_index(w: &World, store: &str, id: &str) -> ApiResult<usize> {
    w.memories
        .iter()
        .position(|m| m.id == id && m.store_id == store)
        .ok_or_else(|| ApiError::not_found("memory", id))
}

async fn get_memory(
    State(st): State<AppState>,
    Path((sid, mid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let full = view_full(&q, true)?;
    let mut w = st.lock()?;
    w.tick();
    store_index(&w, &sid)?;
    let i = memory_index(&w, &sid, &mid)?;
    ok(w.memories[i].to_json(full))
}

async fn create_memory(
    State(st): State<AppState>,
    Path(sid): Path<String>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let full = view_full(&q, false)?;
    let b = body_json(&body)?;
    let path = opt_str(&b, "path")?
        .ok_or_else(|| ApiError::bad_request("path: required"))?
        .to_string();
    let content = match b.get("content") {
        Some(Value::String(s)) => s.clone(),
        _ => {
            return Err(ApiError::bad_request(
                "content: required (a string; \"\" is allowed)",
            ));
        }
    };
    let mut w = st.lock()?;
    let now = w.now();
    let si = store_index(&w, &sid)?;
    if w.memory_stores[si].archived_at.is_some() {
        return Err(ApiError::bad_request("memory store is archived"));
    }
    let i = w.create_memory(&sid, &path, &content, &api_actor(), now)?;
    ok(w.memories[i].to_json(full))
}

async fn update_memory(
    State(st): State<AppState>,
    Path((sid, mid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let full = view_full(&q, false)?;
    let b = body_json(&body)?;
    let content = opt_str(&b, "content")?.map(str::to_string);
    let path = opt_str(&b, "path")?.map(str::to_string);
    let mut w = st.lock()?;
    let now = w.now();
    let si = store_index(&w, &sid)?;
    if w.memory_stores[si].archived_at.is_some() {
        return Err(ApiError::bad_request("memory store is archived"));
    }
    let i = memory_index(&w, &sid, &mid)?;
    if let Some(p) = b.get("precondition").filter(|p| !p.is_null()) {
        if p.get("type").and_then(Value::as_str) != Some("content_sha256") {
            return Err(ApiError::bad_request(
                "precondition.type: must be 'content_sha256'",
            ));
        }
        let want = p
            .get("content_sha256")
            .and_then(Value::as_str)
            .unwrap_or("");
        if want != w.memories[i].sha {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "memory_precondition_failed_error",
                format!(
                    "precondition failed: the memory's content_sha256 is {}, not {want}",
                    w.memories[i].sha
                ),
            ));
        }
    }
    w.update_memory(i, content.as_deref(), path.as_deref(), &api_actor(), now)?;
    ok(w.memories[i].to_json(full))
}

async fn delete_memory(
    State(st): State<AppState>,
    Path((sid, mid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let mut w = st.lock()?;
    let now = w.now();
    store_index(&w, &sid)?;
    let i = memory_index(&w, &sid, &mid)?;
    if let Some(want) = q.get("expected_content_sha256")
        && want != w.memories[i].sha
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "memory_precondition_failed_error",
            format!(
                "precondition failed: the memory's content_sha256 is {}, not {want}",
                w.memories[i].sha
            ),
        ));
    }
    w.delete_memory(i, &api_actor(), now);
    ok(json!({"id": mid, "type": "memory_deleted"}))
}

async fn list_versions(
    State(st): State<AppState>,
    Path(sid): Path<String>,
    RawQuery(q): RawQuery,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let full = view_full(&q, false)?;
    let limit = q.limit(20, 100)?;
    let cursor = page_cursor(&q, true)?;
    let range = q.time_range("created_at")?;
    let operation = q.enum_value("operation", &["created", "modified", "deleted"])?;
    let memory_id = q.get("memory_id").map(str::to_string);
    let session_id = q.get("session_id").map(str::to_string);
    let api_key_id = q.get("api_key_id").map(str::to_string);
    let svc = q.get("service_account_id").map(str::to_string);
    let mut w = st.lock()?;
    w.tick();
    store_index(&w, &sid)?;
    let actor_is = |v: &Value, field: &str, want: &Option<String>| {
        want.as_deref()
            .is_none_or(|x| v.get(field).and_then(Value::as_str) == Some(x))
    };
    let (items, next, _) = list_sorted(
        w.versions.iter().filter(|v| v.store_id == sid),
        |v| time_key(v.created_at, v.seq),
        true,
        cursor.as_ref(),
        limit,
        |v| {
            range.contains(v.created_at)
                && operation.as_deref().is_none_or(|o| v.operation == o)
                && memory_id.as_deref().is_none_or(|m| v.memory_id == m)
                && actor_is(&v.created_by, "session_id", &session_id)
                && actor_is(&v.created_by, "api_key_id", &api_key_id)
                && actor_is(&v.created_by, "service_account_id", &svc)
        },
    );
    page_json(items.iter().map(|v| v.to_json(full)).collect(), next, None)
}

async fn get_version(
    State(st): State<AppState>,
    Path((sid, vid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let full = view_full(&q, true)?;
    let w = st.lock()?;
    let v = w
        .versions
        .iter()
        .find(|v| v.id == vid && v.store_id == sid)
        .ok_or_else(|| ApiError::not_found("memory version", &vid))?;
    ok(v.to_json(full))
}

async fn redact_version(
    State(st): State<AppState>,
    Path((sid, vid)): Path<(String, String)>,
) -> Reply {
    let mut w = st.lock()?;
    let now = w.now();
    let v = w
        .versions
        .iter_mut()
        .find(|v| v.id == vid && v.store_id == sid)
        .ok_or_else(|| ApiError::not_found("memory version", &vid))?;
    if v.redacted_at.is_none() {
        v.content = None;
        v.path = None;
        v.sha = None;
        v.redacted_at = Some(now);
        v.redacted_by = Some(api_actor());
    }
    ok(v.to_json(true))
}

// ---------------------------------------------------------------------------------------------
// Dreams

const DREAM_STATUSES: &[&str] = &["pending", "running", "completed", "failed", "canceled"];

async fn list_dreams(State(st): State<AppState>, RawQuery(q): RawQuery) -> Reply {
    let q = Query::parse(q.as_deref());
    let limit = q.limit(20, 100)?;
    let cursor = page_cursor(&q, true)?;
    let statuses = q.enum_list("statuses", DREAM_STATUSES)?;
    let range = q.time_range("created_at")?;
    let archived = q.bool("include_archived")?;
    let mut w = st.lock()?;
    w.tick();
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

fn dream_index(w: &World, id: &str) -> ApiResult<usize> {
    w.dreams
        .iter()
        .position(|d| d.id == id)
        .ok_or_else(|| ApiError::not_found("dream", id))
}

async fn get_dream(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.lock()?;
    w.tick();
    let i = dream_index(&w, &id)?;
    ok(w.dreams[i].to_json())
}

async fn create_dream(State(st): State<AppState>, body: Bytes) -> Reply {
    let b = body_json(&body)?;
    let Some(Value::Array(inputs)) = b.get("inputs") else {
        return Err(ApiError::bad_request("inputs: required"));
    };
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
    let mut w = st.lock()?;
    w.tick();
    store_index(&w, &store)?;
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

async fn cancel_dream(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.lock()?;
    w.tick();
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

async fn archive_dream(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.lock()?;
    w.tick();
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

// ---------------------------------------------------------------------------------------------
// Deployments

async fn list_deployments(State(st): State<AppState>, RawQuery(q): RawQuery) -> Reply {
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
    let mut w = st.lock()?;
    w.tick();
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

fn deployment_index(w: &World, id: &str) -> ApiResult<usize> {
    w.deployments
        .iter()
        .position(|d| d.id == id)
        .ok_or_else(|| ApiError::not_found("deployment", id))
}

async fn get_deployment(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.lock()?;
    w.tick();
    let now = w.now();
    let i = deployment_index(&w, &id)?;
    ok(w.deployments[i].to_json(now))
}

async fn pause_deployment(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.lock()?;
    w.tick();
    let now = w.now();
    let i = deployment_index(&w, &id)?;
    let d = &mut w.deployments[i];
    if d.paused_reason.is_none() {
        d.paused_reason = Some(json!({"type": "manual"}));
        d.updated_at = now;
    }
    ok(d.to_json(now))
}

async fn unpause_deployment(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.lock()?;
    w.tick();
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

async fn run_deployment(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.lock()?;
    w.tick();
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

async fn archive_deployment(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.lock()?;
    w.tick();
    let now = w.now();
    let i = deployment_index(&w, &id)?;
    let d = &mut w.deployments[i];
    if d.archived_at.is_none() {
        d.archived_at = Some(now);
        d.updated_at = now;
    }
    ok(d.to_json(now))
}

async fn list_runs(State(st): State<AppState>, RawQuery(q): RawQuery) -> Reply {
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
    let mut w = st.lock()?;
    w.tick();
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

async fn get_run(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.lock()?;
    w.tick();
    let r = w
        .runs
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| ApiError::not_found("deployment run", &id))?;
    ok(r.to_json())
}
