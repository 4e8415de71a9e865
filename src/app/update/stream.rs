//! The event stream pane: moving, follow mode, kind and thread filters, copy.

use crate::app::keymap::Action;
use crate::app::msg::Cmd;
use crate::app::panes::*;
use crate::app::state::{InputKind, InputLine, Overlay, Pane, State};
use crate::app::update::{export::export, search::search_step};
use crate::model::transcript::EventClass;

/// OSC 52 payloads above this are refused by many terminals (k9s uses 74,994 base64 bytes).
pub(crate) const COPY_MAX_BYTES: usize = 56_000;

pub(crate) fn set_classes(state: &mut State, classes: Vec<EventClass>) {
    // Keep the selected event selected across filter changes when it is still shown.
    let selected = selected_event_index(state);
    state.stream.filter.classes = classes;
    relocate(state, selected);
}

/// Put the cursor on transcript event `index` if the current filter shows it (else the end).
pub(crate) fn relocate(state: &mut State, index: Option<usize>) {
    let len = state.stream_len();
    if state.stream.follow || index.is_none() {
        state.stream.follow = true;
        clamp_stream(state);
        return;
    }
    // Bounded scan around the old position; falls back to following.
    let target = index.unwrap_or(0);
    if let Some(w) = &state.watched {
        let lo = state.stream.nav.cursor.saturating_sub(5_000);
        let hi = (state.stream.nav.cursor + 5_000).min(len);
        let (shown, filter) = w.shown(&state.stream.filter);
        if let Some(pos) = shown
            .rows(&filter, lo..hi)
            .iter()
            .position(|r| r.index >= target)
        {
            state.stream.nav.cursor = lo + pos;
            clamp_stream(state);
            return;
        }
    }
    state.stream.follow = true;
    clamp_stream(state);
}

pub(crate) fn copy_selected(state: &mut State, cmds: &mut Vec<Cmd>) {
    let raw = selected_event_index(state).and_then(|i| {
        state.watched.as_ref().and_then(|w| {
            w.shown(&state.stream.filter)
                .0
                .get(i)
                .map(|e| e.raw.to_string())
        })
    });
    match raw {
        Some(raw) if raw.len() <= COPY_MAX_BYTES => {
            let n = raw.len();
            cmds.push(Cmd::Copy(raw));
            state.show_toast(&format!("copied event JSON ({n} bytes) via OSC 52"), false);
        }
        Some(raw) => state.show_toast(
            &format!(
                "event is {} bytes, too large for the clipboard: use ctrl-s to export",
                raw.len()
            ),
            true,
        ),
        None => state.show_toast("no event selected", true),
    }
}

pub(crate) fn on_events_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    match action {
        Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Top => {
            if let Some(m) = motion(action) {
                move_stream(state, m);
            }
        }
        Action::Bottom => {
            state.stream.follow = true;
            clamp_stream(state);
        }
        Action::Follow => {
            if state.stream.follow {
                pause_follow(state);
            } else {
                state.stream.follow = true;
            }
            clamp_stream(state);
        }
        Action::ToggleWrap => state.stream.wrap = !state.stream.wrap,
        Action::ToggleTimestamps => state.stream.timestamps = !state.stream.timestamps,
        Action::Search => state.input = Some(InputLine::new(InputKind::EventSearch, "")),
        Action::NextMatch | Action::PrevMatch => match state.stream.search.clone() {
            Some(q) => {
                let forward = action == Action::NextMatch;
                let from = if forward {
                    state.stream.nav.cursor + 1
                } else {
                    state.stream.nav.cursor.saturating_sub(1)
                };
                if !forward && state.stream.nav.cursor == 0 {
                    state.show_toast(&format!("no earlier match for {q:?}"), true);
                } else {
                    search_step(state, q, from, forward, 0, cmds);
                }
            }
            None => state.show_toast("no search: press / first", true),
        },
        Action::Expand if selected_event_index(state).is_some() => {
            state.overlay = Some(Overlay::Event {
                nav: Default::default(),
            });
        }
        Action::Copy => copy_selected(state, cmds),
        Action::Export => export(state, cmds),
        Action::KindAll => set_classes(state, vec![]),
        Action::KindMessages => set_classes(state, vec![EventClass::Message]),
        Action::KindTools => set_classes(state, vec![EventClass::Tool, EventClass::Error]),
        Action::KindErrors => set_classes(state, vec![EventClass::Error]),
        Action::KindStatus => set_classes(state, vec![EventClass::Status]),
        Action::KindSpans => set_classes(state, vec![EventClass::Span]),
        Action::NextThread => {
            let threads: Vec<String> = state
                .watched
                .as_ref()
                .map(|w| w.threads.iter().map(|(id, _)| id.clone()).collect())
                .unwrap_or_default();
            // None → primary → each thread → None.
            let next = match &state.stream.filter.thread {
                None => Some(String::new()),
                Some(cur) => {
                    let pos = if cur.is_empty() {
                        Some(0)
                    } else {
                        threads.iter().position(|t| t == cur).map(|p| p + 1)
                    };
                    pos.and_then(|p| threads.get(p).cloned())
                }
            };
            set_thread_filter(state, next, cmds);
        }
        Action::Back => state.focus = Pane::Sessions,
        _ => {}
    }
}

/// Show only `next`'s events (`""` = the primary thread, `None` = every thread); a sub-agent
/// thread's own events come from its own feed (`T` and the threads tree both use this).
pub(crate) fn set_thread_filter(state: &mut State, next: Option<String>, cmds: &mut Vec<Cmd>) {
    let selected = selected_event_index(state);
    let was_own_feed = state
        .watched
        .as_ref()
        .is_some_and(|w| !std::ptr::eq(w.shown(&state.stream.filter).0, &w.transcript));
    state.stream.filter.thread = next.clone();
    // A sub-agent thread's own events come from its own feed; the primary feed runs on.
    if let Some(w) = &mut state.watched {
        let wanted = next.filter(|t| !t.is_empty());
        if w.thread_feed.as_ref().map(|t| &t.thread_id) != wanted.as_ref() {
            w.thread_feed = wanted.clone().map(crate::app::state::ThreadFeed::new);
            cmds.push(Cmd::WatchThread {
                session_id: w.session_id.clone(),
                thread_id: wanted,
            });
        }
    }
    let now_own_feed = state
        .watched
        .as_ref()
        .is_some_and(|w| !std::ptr::eq(w.shown(&state.stream.filter).0, &w.transcript));
    if was_own_feed || now_own_feed {
        // Another transcript: indexes mean other events.
        state.inspector = Default::default();
        state.stream.follow = true;
        clamp_stream(state);
    } else {
        relocate(state, selected);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures::{self, demo_state};
    use crate::app::update::testing::*;

    #[test]
    fn follow_pause_counts_new_events_and_end_resumes() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Events;
        let len = s.stream_len();
        assert!(s.stream.follow);
        assert_eq!(s.stream.nav.cursor, len - 1);
        key(&mut s, KeyCode::Up);
        assert!(!s.stream.follow);
        assert_eq!(s.stream.nav.cursor, len - 2);
        for raw in fixtures::many_events(3) {
            feed(&mut s, FeedItem::Event(raw));
        }
        assert_eq!(s.stream_len() - s.stream.paused_at_count, 3);
        assert_eq!(s.stream.nav.cursor, len - 2, "a paused view does not move");
        key(&mut s, KeyCode::End);
        assert!(s.stream.follow);
        assert_eq!(s.stream.nav.cursor, len + 2);
    }

    #[test]
    fn kind_filters_keep_the_selected_event_when_shown() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Events;
        key(&mut s, KeyCode::Char('1'));
        assert_eq!(s.stream.filter.classes, vec![EventClass::Message]);
        assert_eq!(s.stream.kind_label(), "messages");
        key(&mut s, KeyCode::Char('0'));
        assert!(s.stream.filter.classes.is_empty());
        // T cycles: primary only → the one thread → all.
        key(&mut s, KeyCode::Char('T'));
        assert_eq!(s.stream.filter.thread.as_deref(), Some(""));
        key(&mut s, KeyCode::Char('T'));
        assert_eq!(s.stream.filter.thread.as_deref(), Some("sthr_tests"));
        key(&mut s, KeyCode::Char('T'));
        assert_eq!(s.stream.filter.thread, None);
    }

    #[test]
    fn a_selected_thread_shows_its_own_feed_and_switching_back_stops_it() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Events;
        let sid = s.watched.as_ref().unwrap().session_id.clone();
        // All → primary: no thread feed.
        let cmds = key(&mut s, KeyCode::Char('T'));
        assert!(!cmds.iter().any(|c| matches!(c, Cmd::WatchThread { .. })));
        // Primary → the sub-agent: its own feed opens (the primary feed is not touched).
        let cmds = key(&mut s, KeyCode::Char('T'));
        assert_eq!(
            cmds,
            vec![Cmd::WatchThread {
                session_id: sid.clone(),
                thread_id: Some("sthr_tests".into())
            }]
        );
        assert_eq!(s.stream_len(), 0, "nothing from the thread feed yet");
        let thread_item = |s: &mut State, thread: &str, raw: serde_json::Value| {
            update(
                s,
                Msg::ThreadFeed {
                    session_id: sid.clone(),
                    thread_id: thread.into(),
                    item: FeedItem::Event(raw.to_string()),
                },
            )
        };
        thread_item(
            &mut s,
            "sthr_tests",
            json!({"type": "agent.tool_use", "id": "sevt_t1", "name": "bash", "input": {"command": "cargo test"}}),
        );
        thread_item(
            &mut s,
            "sthr_tests",
            json!({"type": "agent.message", "id": "sevt_t2", "content": [{"type": "text", "text": "42 passed"}]}),
        );
        // Items of another thread are not this view's.
        thread_item(
            &mut s,
            "sthr_other",
            json!({"type": "agent.message", "id": "sevt_t3", "content": []}),
        );
        assert_eq!(s.stream_len(), 2);
        assert_eq!(s.stream.nav.cursor, 1);
        prepare_frame(&mut s);
        assert_eq!(s.inspector.title, "agent.message");
        // Past the last thread → all events: the thread feed stops, the main transcript is back.
        let main_len = s.watched.as_ref().unwrap().transcript.len();
        let cmds = key(&mut s, KeyCode::Char('T'));
        assert_eq!(
            cmds,
            vec![Cmd::WatchThread {
                session_id: sid.clone(),
                thread_id: None
            }]
        );
        assert!(s.watched.as_ref().unwrap().thread_feed.is_none());
        assert_eq!(s.stream_len(), main_len);
    }

    #[test]
    fn f_pauses_and_resumes_follow() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Events;
        let len = s.stream_len();
        assert!(s.stream.follow);
        key(&mut s, KeyCode::Char('f'));
        assert!(!s.stream.follow);
        assert_eq!(s.stream.paused_at_count, len);
        key(&mut s, KeyCode::Up);
        assert_eq!(s.stream.nav.cursor, len - 2);
        key(&mut s, KeyCode::Char('f'));
        assert!(s.stream.follow);
        assert_eq!(s.stream.nav.cursor, len - 1);
    }
}
