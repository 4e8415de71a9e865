//! Memory stores, memories and memory versions.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::api_actor;
use super::reply::*;
use super::validate::*;
use crate::sim::state::AppState;
use crate::sim::wire::{ApiError, ApiResult, CursorKey, Query, page_cursor, paginate};
use crate::sim::world::World;

// ---------------------------------------------------------------------------------------------
// Memory stores

pub(super) async fn list_stores(State(st): State<AppState>, RawQuery(q): RawQuery) -> Reply {
    let q = Query::parse(q.as_deref());
    let limit = q.limit(20, 100)?;
    let cursor = page_cursor(&q, true)?;
    let range = q.time_range("created_at")?;
    let archived = q.bool("include_archived")?;
    let w = st.world()?;
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

pub(super) fn store_index(w: &World, id: &str) -> ApiResult<usize> {
    w.memory_stores
        .iter()
        .position(|m| m.id == id)
        .ok_or_else(|| ApiError::not_found("memory store", id))
}

pub(super) async fn get_store(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let w = st.world()?;
    let i = store_index(&w, &id)?;
    ok(w.memory_stores[i].to_json())
}

pub(super) async fn create_store(State(st): State<AppState>, body: Bytes) -> Reply {
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
    let mut w = st.world()?;
    let now = w.now();
    let id = w.create_store(&name, &description, metadata, now);
    let i = store_index(&w, &id)?;
    ok(w.memory_stores[i].to_json())
}

pub(super) async fn update_store(
    State(st): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let b = body_json(&body)?;
    let mut w = st.world()?;
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

pub(super) async fn archive_store(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.world()?;
    let now = w.now();
    let i = store_index(&w, &id)?;
    let m = &mut w.memory_stores[i];
    if m.archived_at.is_none() {
        m.archived_at = Some(now);
        m.updated_at = now;
    }
    ok(m.to_json())
}

pub(super) async fn delete_store(State(st): State<AppState>, Path(id): Path<String>) -> Reply {
    let mut w = st.world()?;
    let i = store_index(&w, &id)?;
    w.memory_stores.remove(i);
    w.memories.retain(|m| m.store_id != id);
    w.versions.retain(|v| v.store_id != id);
    ok(json!({"id": id, "type": "memory_store_deleted"}))
}

pub(super) fn view_full(q: &Query, default_full: bool) -> ApiResult<bool> {
    Ok(match q.enum_value("view", &["basic", "full"])?.as_deref() {
        Some("full") => true,
        Some(_) => false,
        None => default_full,
    })
}

pub(super) async fn list_memories(
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
    let w = st.world()?;
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

pub(super) fn memory_index(w: &World, store: &str, id: &str) -> ApiResult<usize> {
    w.memories
        .iter()
        .position(|m| m.id == id && m.store_id == store)
        .ok_or_else(|| ApiError::not_found("memory", id))
}

pub(super) async fn get_memory(
    State(st): State<AppState>,
    Path((sid, mid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let full = view_full(&q, true)?;
    let w = st.world()?;
    store_index(&w, &sid)?;
    let i = memory_index(&w, &sid, &mid)?;
    ok(w.memories[i].to_json(full))
}

pub(super) async fn create_memory(
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
    let mut w = st.world()?;
    let now = w.now();
    let si = store_index(&w, &sid)?;
    if w.memory_stores[si].archived_at.is_some() {
        return Err(ApiError::bad_request("memory store is archived"));
    }
    let i = w.create_memory(&sid, &path, &content, &api_actor(), now)?;
    ok(w.memories[i].to_json(full))
}

pub(super) async fn update_memory(
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
    let mut w = st.world()?;
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

pub(super) async fn delete_memory(
    State(st): State<AppState>,
    Path((sid, mid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let mut w = st.world()?;
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

pub(super) async fn list_versions(
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
    let w = st.world()?;
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

pub(super) async fn get_version(
    State(st): State<AppState>,
    Path((sid, vid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let full = view_full(&q, true)?;
    let w = st.world()?;
    let v = w
        .versions
        .iter()
        .find(|v| v.id == vid && v.store_id == sid)
        .ok_or_else(|| ApiError::not_found("memory version", &vid))?;
    ok(v.to_json(full))
}

pub(super) async fn redact_version(
    State(st): State<AppState>,
    Path((sid, vid)): Path<(String, String)>,
) -> Reply {
    let mut w = st.world()?;
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
