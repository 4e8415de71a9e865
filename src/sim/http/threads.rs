//! Threads of multiagent sessions: list, read, archive, their history and streams.

use axum::extract::{Path, RawQuery, State};

use super::events::events_page;
use super::reply::*;
use super::sessions::{SESSION_STATUSES, find_session};
use crate::sim::sse::{self, StreamSpec};
use crate::sim::state::AppState;
use crate::sim::wire::{ApiError, Query, page_cursor, paginate};

// ---------------------------------------------------------------------------------------------
// Threads

pub(super) async fn list_threads(
    State(st): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let limit = q.limit(1000, 1000)?;
    let cursor = page_cursor(&q, false)?;
    let statuses = q.enum_list("statuses", SESSION_STATUSES)?;
    let mut w = st.world()?;
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

pub(super) async fn get_thread(
    State(st): State<AppState>,
    Path((id, tid)): Path<(String, String)>,
) -> Reply {
    let mut w = st.world()?;
    let now = w.now();
    let s = find_session(&mut w, &id)?;
    let t = s
        .threads
        .iter()
        .find(|t| t.id == tid)
        .ok_or_else(|| ApiError::not_found("thread", &tid))?;
    ok(s.thread_json(t, now))
}

pub(super) async fn archive_thread(
    State(st): State<AppState>,
    Path((id, tid)): Path<(String, String)>,
) -> Reply {
    let mut w = st.world()?;
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

pub(super) async fn list_thread_events(
    State(st): State<AppState>,
    Path((id, tid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let mut w = st.world()?;
    let s = find_session(&mut w, &id)?;
    let t = s
        .threads
        .iter()
        .find(|t| t.id == tid)
        .ok_or_else(|| ApiError::not_found("thread", &tid))?;
    events_page(&t.history, &q)
}

pub(super) async fn thread_stream(
    State(st): State<AppState>,
    Path((id, tid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Reply {
    let q = Query::parse(q.as_deref());
    let deltas = q.enum_list("event_deltas", &["agent.message", "agent.thinking"])?;
    let spec = {
        let mut w = st.world()?;
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
