//! `:threads`: the watched session's threads as a tree, kept live from its feed; Enter filters
//! the stream and inspector to the thread under the cursor (the `T` filter), `c` shows the
//! messages the agents sent each other. While the view is open the thread listing is re-read
//! every few seconds (thread usage is not on the primary stream).

use std::time::Duration;

use crate::api::feed::FeedItem;
use crate::app::keymap::Action;
use crate::app::msg::{Cmd, Msg, MsgBox};
use crate::app::panes::{detail_page, list_page, motion};
use crate::app::session_info::{InfoCmd, InfoMsg};
use crate::app::state::{Pane, State, View};
use crate::app::threads_view::THREADS_POLL_SECS;
use crate::app::update::stream::set_thread;
use crate::model::threads;

/// Fold one item of the watched session's primary feed into the tree and the burn rate.
pub(crate) fn on_feed(state: &mut State, session_id: &str, item: &FeedItem) {
    if state
        .watched
        .as_ref()
        .is_none_or(|w| w.session_id != session_id)
    {
        return;
    }
    let v = &mut state.threads;
    if v.tree.session_id != session_id {
        v.reset(session_id);
        if let Some(e) = state.sessions.get(session_id)
            && e.summary.multiagent
        {
            v.tree.set_primary_name(&e.summary.agent);
        }
    }
    let (FeedItem::Event(raw) | FeedItem::Updated(raw)) = item else {
        return;
    };
    let usage = raw.contains("\"session.usage\"");
    if !usage && !threads::may_concern(raw) {
        return;
    }
    let Ok(ev) = serde_json::from_str::<serde_json::Value>(raw) else {
        return;
    };
    let changed = if usage {
        v.burn.observe(&ev)
    } else {
        v.tree.observe(&ev)
    };
    if changed && state.view == View::Threads {
        let len = v.tree.rows().len();
        v.nav.clamp(len, list_page_of(state.size));
        state.dirty = true;
    }
}

fn list_page_of(size: (u16, u16)) -> usize {
    let a = crate::ui::layout::areas(size.0, size.1, false);
    crate::ui::layout::inner_rows(a.sessions)
        .saturating_sub(1)
        .max(1)
}

/// On each tick and list poll: fleet spend today (a pass over the list, never per frame or key).
pub(crate) fn refresh_today(state: &mut State) {
    let today = crate::model::spend::today(state.sessions.iter(), state.now);
    if today != state.today {
        state.today = today;
        state.dirty = true;
    }
}

/// `:threads` (or `T` on a session): the tree of the watched session.
pub(crate) fn open(state: &mut State, cmds: &mut Vec<Cmd>) {
    let Some(id) = state.watched.as_ref().map(|w| w.session_id.clone()) else {
        state.show_toast("open a session first (Enter on the list)", true);
        return;
    };
    if state.threads.tree.session_id != id {
        state.threads.reset(&id);
    }
    state.view = View::Threads;
    state.focus = Pane::Sessions;
    state.threads.fetch.loading = state.threads.tree.nodes().is_empty();
    state.threads.fetch.error = None;
    state.dirty = true;
    cmds.push(Cmd::Info(InfoCmd::ListThreads { session_id: id }));
}

fn close(state: &mut State) {
    state.view = View::Sessions;
    state.focus = Pane::Sessions;
    state.threads.conversation = false;
}

pub(crate) fn on_info(state: &mut State, msg: InfoMsg, cmds: &mut Vec<Cmd>) {
    match msg {
        InfoMsg::ThreadsListed { session_id, result } => {
            let v = &mut state.threads;
            if v.tree.session_id != session_id {
                return;
            }
            v.fetch.loading = false;
            match result {
                Ok(list) => {
                    v.fetch.error = None;
                    v.tree.apply_listing(&list);
                }
                Err(e) => {
                    let first = v.fetch.error.is_none();
                    v.fetch.error = Some(crate::text::one_line(&e));
                    if first && state.view == View::Threads {
                        state.show_toast(&format!("threads: {e}"), true);
                    }
                }
            }
            let len = state.threads.tree.rows().len();
            state.threads.nav.clamp(len, list_page_of(state.size));
            state.dirty = true;
            if state.view == View::Threads {
                cmds.push(Cmd::After {
                    delay: Duration::from_secs(THREADS_POLL_SECS),
                    msg: Box::new(MsgBox(Msg::Info(InfoMsg::ThreadsPoll { session_id }))),
                });
            }
        }
        InfoMsg::ThreadsPoll { session_id } => {
            if state.view == View::Threads && state.threads.tree.session_id == session_id {
                cmds.push(Cmd::Info(InfoCmd::ListThreads { session_id }));
            }
        }
        other => crate::app::update::detail::on_info(state, other, cmds),
    }
}

/// The thread filter value for a tree node: `""` is the primary thread, else its id.
fn filter_of(state: &State, row: usize) -> Option<String> {
    let t = &state.threads.tree;
    let r = t.rows().get(row).copied()?;
    let n = t.nodes().get(r.node)?;
    Some(if n.is_primary() {
        String::new()
    } else {
        n.id.clone()
    })
}

pub(crate) fn on_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    let page = list_page(state).saturating_sub(1).max(1);
    if state.focus == Pane::Events {
        // The conversation on the right.
        let len = state.threads.tree.messages().len();
        let cpage = conversation_page(state);
        match action {
            Action::Back => state.focus = Pane::Sessions,
            a => {
                if let Some(m) = motion(a) {
                    state.threads.conv_nav.apply(m, len, cpage);
                }
            }
        }
        return;
    }
    match action {
        Action::Back => close(state),
        Action::Open => {
            let Some(next) = filter_of(state, state.threads.nav.cursor) else {
                return;
            };
            let same = state.stream.filter.thread.as_deref() == Some(next.as_str());
            set_thread(state, if same { None } else { Some(next) }, cmds);
            // The conversation follows the thread: its first message with that thread.
            if let Some(t) = state.stream.filter.thread.clone().filter(|t| !t.is_empty())
                && let Some(i) = state.threads.tree.next_message_of(&t, 0)
            {
                let len = state.threads.tree.messages().len();
                let cpage = conversation_page(state);
                state
                    .threads
                    .conv_nav
                    .apply(crate::model::nav::Motion::To(i), len, cpage);
            }
        }
        Action::ToggleConversation => {
            let v = &mut state.threads;
            v.conversation = !v.conversation;
            if v.conversation {
                let len = v.tree.messages().len();
                let cpage = conversation_page(state);
                state.threads.conv_nav.to_end(len, cpage);
            }
        }
        Action::OpenDetail => crate::app::update::detail::open(state, cmds),
        a => {
            if let Some(m) = motion(a) {
                let len = state.threads.tree.rows().len();
                state.threads.nav.apply(m, len, page);
            }
        }
    }
}

/// Messages that fit on the right (each takes a header line and at least one line of text).
pub(crate) fn conversation_page(state: &State) -> usize {
    (detail_page(state) / 3).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures::demo_state;
    use crate::app::update::testing::*;
    use crate::app::update::update;
    use serde_json::json;

    fn command(s: &mut State, word: &str) -> Vec<Cmd> {
        key(s, KeyCode::Char(':'));
        for c in word.chars() {
            key(s, KeyCode::Char(c));
        }
        key(s, KeyCode::Enter)
    }

    fn ev(v: serde_json::Value) -> FeedItem {
        FeedItem::Event(v.to_string())
    }

    fn multiagent_feed(s: &mut State) -> String {
        let id = s.watched.as_ref().unwrap().session_id.clone();
        for v in [
            json!({"type": "session.thread_created", "id": "t1", "processed_at": "2026-01-01T00:00:01Z", "session_thread_id": "sthr_r", "agent_name": "researcher"}),
            json!({"type": "agent.thread_message_sent", "id": "t2", "processed_at": "2026-01-01T00:00:02Z", "to_session_thread_id": "sthr_r", "to_agent_name": "researcher", "content": [{"type": "text", "text": "go"}]}),
            json!({"type": "session.thread_status_running", "id": "t3", "processed_at": "2026-01-01T00:00:03Z", "session_thread_id": "sthr_r", "agent_name": "researcher"}),
            json!({"type": "session.usage", "id": "t4", "processed_at": "2026-01-01T00:00:04Z", "usage": {"list_cost": {"amount": "10", "currency": "USD"}}}),
        ] {
            let _ = update(
                s,
                Msg::Feed {
                    session_id: id.clone(),
                    item: ev(v),
                },
            );
        }
        id
    }

    #[test]
    fn the_tree_follows_the_feed_and_enter_filters_the_stream() {
        let mut s = demo_state(120, 40);
        let id = multiagent_feed(&mut s);
        assert_eq!(s.threads.tree.session_id, id);
        assert_eq!(s.threads.burn.len(), 1);
        let cmds = command(&mut s, "threads");
        assert_eq!(s.view, View::Threads);
        assert_eq!(s.context(), crate::app::keymap::Context::Threads);
        assert_eq!(
            cmds,
            vec![Cmd::Info(InfoCmd::ListThreads {
                session_id: id.clone()
            })]
        );
        let t = &s.threads.tree;
        let names: Vec<&str> = t
            .rows()
            .iter()
            .map(|r| t.nodes()[r.node].agent_name.as_str())
            .collect();
        // The fixture's transcript already has a test-runner sub-agent.
        assert_eq!(names, vec!["", "test-runner", "researcher"]);
        // Down to the researcher, Enter: the stream shows that thread from its own feed.
        key(&mut s, KeyCode::Down);
        key(&mut s, KeyCode::Down);
        let cmds = key(&mut s, KeyCode::Enter);
        assert_eq!(s.stream.filter.thread.as_deref(), Some("sthr_r"));
        assert!(cmds.contains(&Cmd::WatchThread {
            session_id: id.clone(),
            thread_id: Some("sthr_r".into())
        }));
        // Enter again clears the filter.
        key(&mut s, KeyCode::Enter);
        assert_eq!(s.stream.filter.thread, None);
        // c: the conversation, scrolled to its end; tab moves into it, esc back to the tree.
        key(&mut s, KeyCode::Char('c'));
        assert!(s.threads.conversation);
        key(&mut s, KeyCode::Tab);
        assert_eq!(s.context(), crate::app::keymap::Context::Conversation);
        key(&mut s, KeyCode::Esc);
        assert_eq!(s.context(), crate::app::keymap::Context::Threads);
        key(&mut s, KeyCode::Esc);
        assert_eq!(s.view, View::Sessions);
    }

    #[test]
    fn listing_polls_only_while_the_view_is_open() {
        let mut s = demo_state(120, 40);
        let id = multiagent_feed(&mut s);
        command(&mut s, "threads");
        let listed = |s: &mut State| {
            update(
                s,
                Msg::Info(InfoMsg::ThreadsListed {
                    session_id: id.clone(),
                    result: Ok(vec![]),
                }),
            )
        };
        let cmds = listed(&mut s);
        assert!(matches!(cmds.as_slice(), [Cmd::After { .. }]));
        let poll = update(
            &mut s,
            Msg::Info(InfoMsg::ThreadsPoll {
                session_id: id.clone(),
            }),
        );
        assert_eq!(
            poll,
            vec![Cmd::Info(InfoCmd::ListThreads {
                session_id: id.clone()
            })]
        );
        key(&mut s, KeyCode::Esc);
        assert!(listed(&mut s).is_empty(), "closed: no more polls");
        // A failure says so once, with the request id, and keeps the tree.
        command(&mut s, "threads");
        s.toast = None;
        let _ = update(
            &mut s,
            Msg::Info(InfoMsg::ThreadsListed {
                session_id: id.clone(),
                result: Err("503 overloaded_error: busy (request-id req_9)".into()),
            }),
        );
        assert_eq!(
            s.toast.as_ref().map(|t| t.text.as_str()),
            Some("threads: 503 overloaded_error: busy (request-id req_9)")
        );
        assert_eq!(s.threads.tree.rows().len(), 3);
    }
}
