//! Gather the Needs-you queue from the API: which sessions wait, and for which calls.

use std::collections::HashSet;

use futures::StreamExt;

use crate::api::types::{ListEventsParams, ListSessionsParams, Order, Session, SessionStatus};
use crate::api::{ApiError, Client, SessionEvent};
use crate::model::needs::{EVENT_TYPES, NeedsQueue, SessionNeeds};
use crate::text;

/// Caps on what one gathering reads (DESIGN rule 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Sessions listed at most.
    pub max_sessions: usize,
    /// Events read at most from one history (the session's, or one thread's).
    pub max_events: usize,
    /// Sub-agent threads read at most per session.
    pub max_threads: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_sessions: 1000,
            max_events: 20_000,
            max_threads: 50,
        }
    }
}

/// The queue across sessions, plus what could not be read.
#[derive(Debug, Default)]
pub struct Gathered {
    pub queue: NeedsQueue,
    /// One sentence per place where reading stopped early or failed; the rest is still valid.
    pub notes: Vec<String>,
}

/// One session's waiting calls, plus notes on what was not read.
#[derive(Debug)]
pub struct SessionGathered {
    pub needs: SessionNeeds,
    pub notes: Vec<String>,
}

/// List the sessions that can wait for a human (status `idle`: the session object does not carry
/// the stop reason, so each idle session's history says whether it waits) and read their calls.
/// A session whose events cannot be read becomes a note; a failed session listing is an error.
pub async fn gather(client: &Client, limits: Limits) -> Result<Gathered, ApiError> {
    let params = ListSessionsParams {
        statuses: vec![SessionStatus::Idle],
        limit: Some(100),
        ..ListSessionsParams::default()
    };
    // One unreadable session costs that session only (counted in the notes), not the queue.
    let listing = client
        .sessions_leniently(params, limits.max_sessions)
        .await?;
    let sessions = listing.sessions;
    let mut out = Gathered::default();
    if listing.skipped > 0 {
        out.notes.push(format!(
            "skipped {} unreadable session{}",
            listing.skipped,
            if listing.skipped == 1 { "" } else { "s" }
        ));
    }
    if let Some(why) = listing.stopped_early {
        out.notes
            .push(format!("the session list may be incomplete: {why}"));
    }
    if sessions.len() >= limits.max_sessions {
        out.notes.push(format!(
            "stopped after {} idle sessions; later ones were not read",
            limits.max_sessions
        ));
    }
    // A few histories at a time: quick on a fleet, gentle on the API.
    // Owned items (not `sessions.iter()`): a borrowing closure makes the future fail the
    // higher-ranked `Send` check when the dashboard spawns the gather as a task.
    let mut reads = futures::stream::iter(sessions)
        .map(|s| {
            let client = client.clone();
            async move {
                let r = session_needs(&client, &s, limits).await;
                (s, r)
            }
        })
        .buffer_unordered(4);
    while let Some((s, result)) = reads.next().await {
        match result {
            Ok(g) => {
                out.notes.extend(g.notes);
                if !g.needs.is_empty() {
                    out.queue.insert(g.needs);
                }
            }
            Err(e) => out.notes.push(format!(
                "session {}: cannot read its events: {e}",
                text::one_line(&s.id)
            )),
        }
    }
    Ok(out)
}

/// Read one session's waiting calls: its history (newest first, bounded, only the event types
/// the queue needs) and, for a multiagent session, its sub-agent threads' histories.
pub async fn session_needs(
    client: &Client,
    session: &Session,
    limits: Limits,
) -> Result<SessionGathered, ApiError> {
    let sid = session.id.as_str();
    let mut notes = Vec::new();
    let params = ListEventsParams {
        order: Some(Order::Desc),
        types: EVENT_TYPES.iter().map(|t| t.to_string()).collect(),
        limit: Some(1000),
        ..ListEventsParams::default()
    };
    let mut primary = read_bounded(client.events_all(sid, params), limits.max_events).await?;
    if primary.len() >= limits.max_events {
        notes.push(format!(
            "session {}: read only its newest {} relevant events",
            text::one_line(sid),
            limits.max_events
        ));
    }
    primary.reverse();
    // (thread id, event): `None` for the primary history.
    let mut events: Vec<(Option<String>, SessionEvent)> =
        primary.into_iter().map(|e| (None, e)).collect();
    let mut thread_agents = Vec::new();
    if session.agent.multiagent.is_some() {
        let threads = read_bounded(
            client.threads_all(sid, Default::default()),
            limits.max_threads,
        )
        .await?;
        for t in threads
            .iter()
            .filter(|t| t.parent_thread_id.is_some() && t.archived_at.is_none())
        {
            if let Some(name) = &t.agent.name {
                thread_agents.push((t.id.clone(), name.clone()));
            }
            let params = ListEventsParams {
                limit: Some(1000),
                ..ListEventsParams::default()
            };
            let stream = client.thread_events_all(sid, &t.id, params);
            let read = read_bounded(stream, limits.max_events).await?;
            if read.len() >= limits.max_events {
                notes.push(format!(
                    "session {} thread {}: read only its first {} events",
                    text::one_line(sid),
                    text::one_line(&t.id),
                    limits.max_events
                ));
            }
            events.extend(read.into_iter().map(|e| (Some(t.id.clone()), e)));
        }
    }
    let mut needs = SessionNeeds::new(sid);
    needs.set_primary_agent(&session.agent.name);
    for (thread, name) in &thread_agents {
        needs.set_thread_agent(thread, name);
    }
    for (thread, ev) in merge(events) {
        needs.apply_in_thread(&ev, thread.as_deref());
    }
    Ok(SessionGathered { needs, notes })
}

/// Collect at most `max` items of a listing; the first error ends it.
async fn read_bounded<T>(
    stream: impl futures::Stream<Item = Result<T, ApiError>>,
    max: usize,
) -> Result<Vec<T>, ApiError> {
    let mut stream = Box::pin(stream.take(max));
    let mut out = Vec::new();
    while let Some(item) = stream.next().await {
        out.push(item?);
    }
    Ok(out)
}

/// The primary history and thread histories as one sequence: each event once (cross-posted copies
/// share the id), ordered by `processed_at` (stable, so equal times keep the read order; events
/// without a parseable time, e.g. answers still queued, go last).
fn merge(events: Vec<(Option<String>, SessionEvent)>) -> Vec<(Option<String>, SessionEvent)> {
    let mut seen = HashSet::new();
    let mut out: Vec<(Option<String>, SessionEvent)> = events
        .into_iter()
        .filter(|(_, e)| e.id.as_ref().is_none_or(|id| seen.insert(id.clone())))
        .collect();
    out.sort_by_key(|(_, e)| {
        e.processed_at
            .as_deref()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            .map_or((1, jiff::Timestamp::UNIX_EPOCH), |t| (0, t))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_dedupes_cross_posts_and_orders_by_time() {
        let e = |id: &str, at: &str| {
            SessionEvent::parse(&format!(
                r#"{{"type":"agent.thinking","id":"{id}","processed_at":"{at}"}}"#
            ))
        };
        let events = vec![
            (None, e("a", "2026-01-01T00:00:01Z")),
            (None, e("c", "2026-01-01T00:00:03Z")),
            (Some("t".to_string()), e("b", "2026-01-01T00:00:01.5Z")),
            (Some("t".to_string()), e("c", "2026-01-01T00:00:03Z")),
        ];
        let merged = merge(events);
        let merged: Vec<(Option<&str>, &str)> = merged
            .iter()
            .map(|(t, e)| (t.as_deref(), e.id.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(merged, [(None, "a"), (Some("t"), "b"), (None, "c")]);
    }
}
