//! The HTTP surface: routing and the request gate (request ids, auth, version, faults).
//! Handlers live in one file per resource; replies and paging in `reply`, rules in `validate`.

mod agents;
mod deployments;
mod dreams;
mod events;
mod faults;
mod memory;
mod reply;
mod session_params;
mod sessions;
mod threads;
mod validate;

use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rand::Rng;
use serde_json::{Value, json};

use super::state::AppState;
use super::wire::{ApiError, REQUEST_ID};
use agents::*;
use deployments::*;
use dreams::*;
use events::*;
use memory::*;
use sessions::*;
use threads::*;

pub(super) const API_ACTOR_KEY: &str = "apikey_01OverseerDemo00000000";

pub(super) fn api_actor() -> Value {
    json!({"type": "api_actor", "api_key_id": API_ACTOR_KEY})
}

// ---------------------------------------------------------------------------------------------
// The gate

pub(super) fn presented_key(headers: &HeaderMap) -> Option<String> {
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

pub(super) async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.uri().path() == "/_sim/stats" {
        return state.stats.respond();
    }
    state
        .stats
        .count(req.method(), req.uri().path(), req.headers());
    state
        .requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
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
            let (method, uri) = (req.method().clone(), req.uri().clone());
            if let Some(resp) = faults::intercept(&state, &method, &uri).await {
                return resp;
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
            if let Some(e) = beta_refusal(req.uri().path(), req.headers()) {
                return e.into_response();
            }
            if req.method() == axum::http::Method::POST
                && req.uri().path().ends_with("/events")
                && state
                    .writes_to_fail
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok()
            {
                return ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "api_error",
                    "Internal server error (simulated write failure).",
                )
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
            faults::run(&state, req, next).await
        })
        .await;
    if let Ok(v) = HeaderValue::from_str(&rid) {
        resp.headers_mut().insert("request-id", v);
    }
    resp
}

/// The `anthropic-beta` tokens each resource family accepts (the SDK table, lenient where it
/// is: memory also takes the Managed Agents beta; dreams need only the dreaming beta). The
/// first token is the one the SDK sends, named in the refusal.
fn betas_for(path: &str) -> Option<&'static [&'static str]> {
    const MANAGED: &[&str] = &["managed-agents-2026-04-01"];
    const MEMORY: &[&str] = &["agent-memory-2026-07-22", "managed-agents-2026-04-01"];
    const DREAMS: &[&str] = &["dreaming-2026-04-21"];
    let family = path.strip_prefix("/v1/")?.split('/').next()?;
    match family {
        "memory_stores" => Some(MEMORY),
        "dreams" => Some(DREAMS),
        "agents" | "environments" | "sessions" | "deployments" | "deployment_runs" | "vaults" => {
            Some(MANAGED)
        }
        _ => None,
    }
}

/// 400 when the request lacks the beta its resource needs (any comma list containing it is fine).
pub(super) fn beta_refusal(path: &str, headers: &HeaderMap) -> Option<ApiError> {
    let need = betas_for(path)?;
    let sent: Vec<&str> = headers
        .get_all("anthropic-beta")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    if sent.iter().any(|t| need.contains(t)) {
        return None;
    }
    let got = if sent.is_empty() {
        "none was sent".to_string()
    } else {
        format!("got `{}`", sent.join(","))
    };
    Some(ApiError::bad_request(format!(
        "this endpoint requires the `anthropic-beta: {}` header ({got})",
        need[0]
    )))
}

pub(super) async fn not_found_route() -> Response {
    ApiError::new(StatusCode::NOT_FOUND, "not_found_error", "Not found").into_response()
}

pub(super) async fn method_not_allowed() -> Response {
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
        .route(
            "/v1/deployments",
            get(list_deployments).post(create_deployment),
        )
        .route(
            "/v1/deployments/{id}",
            get(get_deployment).post(update_deployment),
        )
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
