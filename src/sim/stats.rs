//! Request counts, served at `GET /_sim/stats` (never counted, never faulted), so a test can
//! assert what a client cost against a hostile simulator: how many list pages, history reads
//! and stream opens, and how many requests carried an API key.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The last path segment of every collection the simulator lists.
const COLLECTIONS: &[&str] = &[
    "agents",
    "versions",
    "environments",
    "sessions",
    "events",
    "threads",
    "memory_stores",
    "memories",
    "memory_versions",
    "dreams",
    "deployments",
    "deployment_runs",
];

/// What kind of request a method and path are, as far as the faults care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Stream,
    List { history: bool, sessions: bool },
    Other,
}

pub fn route(method: &Method, path: &str) -> Route {
    if method != Method::GET {
        return Route::Other;
    }
    if path.ends_with("/stream") {
        return Route::Stream;
    }
    let last = path.rsplit('/').next().unwrap_or("");
    if path.starts_with("/v1/") && COLLECTIONS.contains(&last) {
        return Route::List {
            history: last == "events",
            sessions: path == "/v1/sessions",
        };
    }
    Route::Other
}

#[derive(Debug, Default)]
pub struct Stats {
    requests: AtomicU64,
    /// `GET` of any collection (history pages included).
    lists: AtomicU64,
    /// `GET /v1/sessions`.
    session_lists: AtomicU64,
    /// `GET /v1/sessions/{id}/events` and thread events.
    history: AtomicU64,
    /// Stream opens (session or thread).
    streams: AtomicU64,
    /// Requests that carried `x-api-key` or `authorization`.
    with_api_key: AtomicU64,
}

fn bump(n: &AtomicU64) {
    n.fetch_add(1, Ordering::Relaxed);
}

impl Stats {
    pub fn count(&self, method: &Method, path: &str, headers: &HeaderMap) {
        bump(&self.requests);
        match route(method, path) {
            Route::Stream => bump(&self.streams),
            Route::List { history, sessions } => {
                bump(&self.lists);
                if history {
                    bump(&self.history);
                }
                if sessions {
                    bump(&self.session_lists);
                }
            }
            Route::Other => {}
        }
        if headers.contains_key("x-api-key") || headers.contains_key("authorization") {
            bump(&self.with_api_key);
        }
    }

    pub fn respond(&self) -> Response {
        let get = |n: &AtomicU64| n.load(Ordering::Relaxed);
        axum::Json(json!({
            "requests": get(&self.requests),
            "lists": get(&self.lists),
            "session_lists": get(&self.session_lists),
            "history": get(&self.history),
            "streams": get(&self.streams),
            "with_api_key": get(&self.with_api_key),
        }))
        .into_response()
    }
}
