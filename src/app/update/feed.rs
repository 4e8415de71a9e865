//! Merging the watched session's feed (and a selected thread's feed) into state.

use serde_json::json;

use crate::api::feed::{ConnState, FeedItem};
use crate::app::panes::*;
use crate::app::state::{Preview, State};
use crate::app::update::sessions::keep_selection;
use crate::model::event_view;
use crate::model::transcript::Upsert;
use crate::text;

pub(crate) fn insert_marker(state: &mut State, kind: &str, reason: &str) {
    let now = jiff::Timestamp::from_second(state.now)
        .map(|t| t.to_string())
        .unwrap_or_default();
    if let Some(w) = &mut state.watched {
        w.markers += 1;
        let raw = json!({
            "type": format!("{}{kind}", event_view::MARKER_PREFIX),
            "id": format!("overseer_marker_{}", w.markers),
            "processed_at": now,
            "reason": reason,
        })
        .to_string();
        w.transcript.upsert(&raw);
    }
}

pub(crate) fn on_feed(state: &mut State, session_id: &str, item: FeedItem) {
    let Some(w) = &mut state.watched else {
        return;
    };
    if w.session_id != session_id {
        return;
    }
    state.dirty = true;
    match item {
        FeedItem::Event(raw) | FeedItem::Updated(raw) => {
            let upsert = w.transcript.upsert(&raw);
            if !w.previews.is_empty() {
                // Even a final event seen before (a replay after a reconnect) ends its preview.
                if let Some(id) = event_view::event_id(&raw) {
                    w.previews.retain(|p| p.event_id != id);
                }
            }
            let inserted = match upsert {
                Upsert::Inserted(i) | Upsert::Updated(i) => i,
                Upsert::Duplicate | Upsert::Invalid => return,
            };
            let Some(e) = w.transcript.get(inserted) else {
                return;
            };
            let ty = e.type_name;
            // Only status-ish events can change the session row; skip parsing the rest. History
            // replays old turns, so rows follow the feed only once it is live (the poller's
            // evidence already describes the present).
            let live = w.history_loaded;
            if (ty.starts_with("session.") || ty == "agent.custom_tool_use")
                && let Ok(v) = serde_json::from_str::<serde_json::Value>(e.raw)
            {
                if ty == "session.thread_created"
                    && let Some(tid) = v.get("session_thread_id").and_then(|t| t.as_str())
                {
                    let name = v.get("agent_name").and_then(|t| t.as_str()).unwrap_or("");
                    if !w.threads.iter().any(|(id, _)| id == tid) {
                        w.threads.push((tid.to_string(), text::one_line(name)));
                    }
                }
                if live {
                    let id = w.session_id.clone();
                    keep_selection(state, |s| {
                        s.sessions.observe_event(&id, &v);
                    });
                }
            }
            clamp_stream(state);
        }
        FeedItem::Preview {
            event_id,
            kind,
            text,
        } => match w.previews.iter_mut().find(|p| p.event_id == event_id) {
            Some(p) => p.text = text,
            None => w.previews.push(Preview {
                event_id,
                kind,
                text,
            }),
        },
        FeedItem::PreviewDiscarded { event_id } => w.previews.retain(|p| p.event_id != event_id),
        FeedItem::HistoryLoaded => {
            w.history_loaded = true;
            clamp_stream(state);
        }
        FeedItem::State(cs) => {
            let reconnected = cs == ConnState::Live
                && w.was_live
                && matches!(w.conn, ConnState::Retrying { .. } | ConnState::Down { .. });
            if cs == ConnState::Live {
                w.was_live = true;
            }
            let reason = match &w.conn {
                ConnState::Retrying { reason, .. } | ConnState::Down { reason } => reason.clone(),
                _ => String::new(),
            };
            if w.conn != cs {
                // A dropped or re-opened stream never finishes what it was typing.
                w.previews.clear();
            }
            w.conn = cs;
            if reconnected {
                insert_marker(state, "reconnected", &reason);
                clamp_stream(state);
            }
        }
        FeedItem::Gap { reason } => {
            w.previews.clear();
            insert_marker(state, "gap", &reason);
            state.show_toast(&format!("events may be missing: {reason}"), true);
            clamp_stream(state);
        }
        FeedItem::Gone { reason } => {
            w.ended = true;
            w.previews.clear();
            insert_marker(state, "ended", &reason);
            state.show_toast(&format!("session gone: {reason}"), true);
            clamp_stream(state);
        }
        FeedItem::Ended => {
            w.ended = true;
            w.previews.clear();
            insert_marker(state, "ended", "session terminated");
            clamp_stream(state);
        }
    }
}

/// Merge the API's thread listing (oldest first) with the threads the feed has named: listed
/// threads come first in their order, then any the listing did not have yet (created since).
pub(crate) fn on_threads_listed(
    state: &mut State,
    session_id: &str,
    listed: Vec<(String, String)>,
) {
    let Some(w) = state
        .watched
        .as_mut()
        .filter(|w| w.session_id == session_id)
    else {
        return;
    };
    let mut merged: Vec<(String, String)> = Vec::with_capacity(listed.len() + w.threads.len());
    for (id, name) in listed {
        if merged.iter().any(|(m, _)| *m == id) {
            continue;
        }
        let name = if name.is_empty() {
            // The event may have named it when the listing did not.
            w.threads
                .iter()
                .find(|(t, _)| *t == id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default()
        } else {
            text::one_line(&name)
        };
        merged.push((id, name));
    }
    for (id, name) in &w.threads {
        if !merged.iter().any(|(m, _)| m == id) {
            merged.push((id.clone(), name.clone()));
        }
    }
    if merged != w.threads {
        w.threads = merged;
        state.dirty = true;
    }
}

/// Items of the selected sub-agent thread's own feed (dropped once another thread is chosen).
pub(crate) fn on_thread_feed(state: &mut State, session_id: &str, thread_id: &str, item: FeedItem) {
    let Some(t) = state
        .watched
        .as_mut()
        .filter(|w| w.session_id == session_id)
        .and_then(|w| w.thread_feed.as_mut())
        .filter(|t| t.thread_id == thread_id)
    else {
        return;
    };
    state.dirty = true;
    match item {
        FeedItem::Event(raw) | FeedItem::Updated(raw) => {
            t.transcript.upsert(&raw);
        }
        FeedItem::HistoryLoaded => t.history_loaded = true,
        FeedItem::State(cs) => t.conn = cs,
        FeedItem::Gap { reason } => {
            state.show_toast(&format!("thread events may be missing: {reason}"), true)
        }
        FeedItem::Preview { .. }
        | FeedItem::PreviewDiscarded { .. }
        | FeedItem::Gone { .. }
        | FeedItem::Ended => {}
    }
    clamp_stream(state);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures::demo_state;
    use crate::app::update::testing::*;

    #[test]
    fn previews_show_until_the_final_event_arrives() {
        let mut s = demo_state(120, 40);
        feed(
            &mut s,
            FeedItem::Preview {
                event_id: "m1".into(),
                kind: "agent.message".into(),
                text: "Hel".into(),
            },
        );
        feed(
            &mut s,
            FeedItem::Preview {
                event_id: "m1".into(),
                kind: "agent.message".into(),
                text: "Hello".into(),
            },
        );
        let w = s.watched.as_ref().unwrap();
        assert_eq!(w.previews.len(), 1);
        assert_eq!(w.previews[0].text, "Hello");
        feed(&mut s, FeedItem::Event(r#"{"type":"agent.message","id":"m1","processed_at":"2026-11-26T12:00:00Z","content":[]}"#.into()));
        assert!(s.watched.as_ref().unwrap().previews.is_empty());
        feed(
            &mut s,
            FeedItem::Preview {
                event_id: "m2".into(),
                kind: "agent.message".into(),
                text: "x".into(),
            },
        );
        feed(
            &mut s,
            FeedItem::PreviewDiscarded {
                event_id: "m2".into(),
            },
        );
        assert!(s.watched.as_ref().unwrap().previews.is_empty());
        let typing = |s: &mut State, id: &str| {
            feed(
                s,
                FeedItem::Preview {
                    event_id: id.into(),
                    kind: "agent.thinking".into(),
                    text: "hmm".into(),
                },
            )
        };
        // A final event already in the transcript (replayed after a reconnect) still ends it.
        typing(&mut s, "m1");
        feed(&mut s, FeedItem::Event(r#"{"type":"agent.message","id":"m1","processed_at":"2026-11-26T12:00:00Z","content":[]}"#.into()));
        assert!(s.watched.as_ref().unwrap().previews.is_empty());
        // A dropped stream never finishes what it was typing.
        typing(&mut s, "m3");
        feed(&mut s, FeedItem::State(ConnState::Live));
        feed(
            &mut s,
            FeedItem::State(ConnState::Retrying {
                attempt: 1,
                next_at: std::time::SystemTime::UNIX_EPOCH,
                reason: "reset".into(),
            }),
        );
        assert!(s.watched.as_ref().unwrap().previews.is_empty());
        typing(&mut s, "m4");
        feed(&mut s, FeedItem::State(ConnState::Live));
        assert!(s.watched.as_ref().unwrap().previews.is_empty());
        typing(&mut s, "m5");
        feed(&mut s, FeedItem::Gap { reason: "x".into() });
        assert!(s.watched.as_ref().unwrap().previews.is_empty());
        // Another session starts with none.
        typing(&mut s, "m6");
        let other = s.sessions.view_get(1).unwrap().summary.id.clone();
        let mut cmds = Vec::new();
        watch(&mut s, other, &mut cmds);
        assert!(s.watched.as_ref().unwrap().previews.is_empty());
    }

    #[test]
    fn reconnects_and_gaps_become_rows() {
        let mut s = demo_state(120, 40);
        feed(
            &mut s,
            FeedItem::State(ConnState::Retrying {
                attempt: 1,
                next_at: std::time::SystemTime::UNIX_EPOCH,
                reason: "reset".into(),
            }),
        );
        feed(&mut s, FeedItem::State(ConnState::Live));
        assert_eq!(last_type(&s), "overseer.reconnected");
        feed(
            &mut s,
            FeedItem::Gap {
                reason: "backfill failed: 503".into(),
            },
        );
        assert_eq!(last_type(&s), "overseer.gap");
        assert!(s.toast.as_ref().unwrap().error);
        feed(&mut s, FeedItem::Ended);
        assert_eq!(last_type(&s), "overseer.ended");
    }

    #[test]
    fn listed_threads_join_the_ones_the_feed_named() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Events;
        let sid = s.watched.as_ref().unwrap().session_id.clone();
        let listed = |s: &mut State, session_id: &str, threads: &[(&str, &str)]| {
            update(
                s,
                Msg::ThreadsListed {
                    session_id: session_id.into(),
                    threads: threads
                        .iter()
                        .map(|(i, n)| (i.to_string(), n.to_string()))
                        .collect(),
                },
            )
        };
        // Another session's listing (a stale reply) changes nothing.
        listed(&mut s, "sesn_other", &[("sthr_x", "x")]);
        let names = |s: &State| s.watched.as_ref().unwrap().threads.clone();
        assert_eq!(names(&s), vec![("sthr_tests".into(), "test-runner".into())]);
        // A thread older than the loaded history joins first; the named one keeps its name.
        assert!(
            listed(
                &mut s,
                &sid,
                &[("sthr_old", "research\ner"), ("sthr_tests", "")]
            )
            .is_empty()
        );
        assert_eq!(
            names(&s),
            vec![
                ("sthr_old".to_string(), "research er".to_string()),
                ("sthr_tests".to_string(), "test-runner".to_string()),
            ]
        );
        // `T` reaches it: all → primary → sthr_old → sthr_tests → all.
        key(&mut s, KeyCode::Char('T'));
        assert_eq!(s.stream.filter.thread.as_deref(), Some(""));
        let cmds = key(&mut s, KeyCode::Char('T'));
        assert_eq!(s.stream.filter.thread.as_deref(), Some("sthr_old"));
        assert_eq!(
            cmds,
            vec![Cmd::WatchThread {
                session_id: sid.clone(),
                thread_id: Some("sthr_old".into())
            }]
        );
        key(&mut s, KeyCode::Char('T'));
        assert_eq!(s.stream.filter.thread.as_deref(), Some("sthr_tests"));
        key(&mut s, KeyCode::Char('T'));
        assert_eq!(s.stream.filter.thread, None);
        // A thread the feed named after the listing stays, after the listed ones.
        listed(&mut s, &sid, &[("sthr_old", "researcher")]);
        assert_eq!(
            names(&s),
            vec![
                ("sthr_old".to_string(), "researcher".to_string()),
                ("sthr_tests".to_string(), "test-runner".to_string()),
            ]
        );
    }
}
