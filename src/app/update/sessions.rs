//! The session list: loading and re-sorting it, keeping and following the selection, the
//! clock tick, and the list's own keys.

use crate::app::keymap::Action;
use crate::app::msg::{Cmd, Msg, MsgBox};
use crate::app::panes::*;
use crate::app::state::{
    BulkAction, InputKind, InputLine, ListConn, Overlay, Pane, State, View, Watched,
};
use crate::app::views::{self, set_view};
use crate::model::nav::Motion;
use crate::model::sessions::sync::SessionSync;
use crate::model::sessions::{Evidence, SessionSummary, SortKey};
use crate::ui::layout;

/// How long the list selection must rest before the event stream follows it (holding `j`
/// opens no feed per row passed).
pub const SELECTION_SETTLE: std::time::Duration = std::time::Duration::from_millis(250);

/// Re-sorting moves rows; the cursor stays on the same session.
/// Until the person touches a key, the top (most urgent) row stays selected instead.
pub(crate) fn keep_selection(state: &mut State, change: impl FnOnce(&mut State)) {
    let selected = state.selected_session().map(String::from);
    change(state);
    if !state.list_touched {
        state.list.cursor = 0;
        state.list.offset = 0;
        let top = state.selected_session();
        if top.is_some() && state.watched.as_ref().map(|w| w.session_id.as_str()) != top {
            state.auto_watch = true;
        }
    } else if let Some(pos) = selected.and_then(|id| state.sessions.view_position(&id)) {
        state.list.cursor = pos;
    }
    clamp_list(state);
}

/// Navigation moved the list selection off `before`: watch the new selection once it has
/// rested for [`SELECTION_SETTLE`] (a later move supersedes this one by its generation).
pub(crate) fn follow_selection(state: &mut State, before: Option<String>, cmds: &mut Vec<Cmd>) {
    if state.selected_session() == before.as_deref() {
        return;
    }
    // A click or wheel on the list is a choice too: evidence no longer re-selects the top row.
    state.list_touched = true;
    state.selection_generation += 1;
    cmds.push(Cmd::After {
        delay: SELECTION_SETTLE,
        msg: Box::new(MsgBox(Msg::SelectionSettled {
            generation: state.selection_generation,
        })),
    });
}

fn tick_clocks(state: &mut State, now: i64) {
    let before = state.now;
    state.now = now;
    if state.toast.as_ref().is_some_and(|t| t.until <= now) {
        state.toast = None;
        state.dirty = true;
    }
    // Only redraw when a clock on screen would read differently.
    let minute_changed = before / 60 != now / 60;
    let rows = layout::session_rows(layout::areas(state.size.0, state.size.1, false).sessions);
    let fresh_on_screen = (state.list.offset..state.list.offset + rows).any(|row| {
        state.sessions.view_get(row).is_some_and(|e| {
            let young = |t: Option<i64>| t.is_some_and(|t| now - t < 60);
            young(e.since()) || young(e.last_event_at())
        })
    });
    if minute_changed || fresh_on_screen {
        state.dirty = true;
    }
}

pub(crate) fn watch(state: &mut State, id: String, cmds: &mut Vec<Cmd>) {
    if state.watched.as_ref().is_some_and(|w| w.session_id == id) {
        return;
    }
    state.watched = Some(Watched::new(id.clone()));
    state.stream.follow = true;
    state.stream.nav.cursor = 0;
    state.stream.nav.offset = 0;
    state.stream.filter.thread = None;
    // A search belongs to the session it was typed in.
    state.stream.search = None;
    state.stream.search_hits = None;
    state.inspector = Default::default();
    cmds.push(Cmd::Watch(id));
}

pub(crate) fn on_sessions_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    if let Some(m) = motion(action) {
        move_list(state, m);
        return;
    }
    match action {
        Action::Open => {
            if let Some(id) = state.selected_session().map(String::from) {
                watch(state, id, cmds);
                state.focus = Pane::Events;
            }
        }
        Action::Filter => {
            state.input = Some(InputLine::new(
                InputKind::SessionFilter,
                state.sessions.filter(),
            ))
        }
        Action::SortNext => {
            let next = state.sessions.sort.next();
            state.sessions.set_sort(next, next.default_descending());
            state.show_toast(&format!("sorted by {}", next.label()), false);
        }
        Action::SortReverse => {
            let (k, d) = (state.sessions.sort, !state.sessions.descending);
            state.sessions.set_sort(k, d);
        }
        Action::ToggleArchived => {
            let on = !state.sessions.show_archived;
            state.sessions.set_show_archived(on);
            clamp_list(state);
            state.show_toast(
                if on {
                    "showing archived"
                } else {
                    "hiding archived"
                },
                false,
            );
        }
        Action::Mark => {
            if let Some(id) = state.selected_session().map(String::from) {
                state.sessions.toggle_mark(&id);
                move_list(state, Motion::Down);
            }
        }
        Action::ClearMarks => {
            state.sessions.clear_marks();
            state.sessions.set_filter("");
            if state.view == View::Needs {
                set_view(state, View::Sessions, cmds);
            }
            clamp_list(state);
        }
        Action::Archive | Action::Delete => {
            if state.read_only {
                state.show_toast("read-only mode: archive and delete are disabled", true);
                return;
            }
            let mut ids = state.sessions.marked();
            if ids.is_empty() {
                ids.extend(state.selected_session().map(String::from));
            }
            if ids.is_empty() {
                return;
            }
            let action = if action == Action::Archive {
                BulkAction::Archive
            } else {
                BulkAction::Delete
            };
            state.overlay = Some(Overlay::Confirm { action, ids });
        }
        _ => {}
    }
}

/// For the sort indicator and tests.
pub fn sort_label(state: &State) -> String {
    // ↓ = largest, latest, most urgent first (Z→A for text), for every column.
    let arrow = if state.sessions.descending {
        "↓"
    } else {
        "↑"
    };
    let _ = SortKey::ALL;
    format!("{}{arrow}", state.sessions.sort.label())
}

pub(crate) fn on_selection_settled(state: &mut State, generation: u64, cmds: &mut Vec<Cmd>) {
    if generation == state.selection_generation
        && let Some(id) = state.selected_session().map(String::from)
        && state.watched.as_ref().is_none_or(|w| w.session_id != id)
    {
        watch(state, id, cmds);
        state.dirty = true;
    }
}

pub(crate) fn on_resize(state: &mut State, w: u16, h: u16) {
    state.size = (w, h);
    clamp_list(state);
    clamp_stream(state);
    views::clamp(state);
    state.dirty = true;
}

pub(crate) fn on_tick(state: &mut State, now: i64, cmds: &mut Vec<Cmd>) {
    tick_clocks(state, now);
    if std::mem::take(&mut state.auto_watch)
        && !state.list_touched
        && let Some(id) = state.selected_session().map(String::from)
        && state.watched.as_ref().is_none_or(|w| w.session_id != id)
    {
        watch(state, id, cmds);
        state.dirty = true;
    }
}

pub(crate) fn on_sessions_loaded(
    state: &mut State,
    list: Vec<SessionSummary>,
    cmds: &mut Vec<Cmd>,
) {
    if state.conn != ListConn::Ok {
        state.conn = ListConn::Ok;
        state.dirty = true;
    }
    // Most polls bring back exactly what is on screen: nothing to redraw.
    if state.sessions.same_sessions(&list) {
        return;
    }
    keep_selection(state, |s| s.sessions.replace_all(list));
    if state.watched.is_none()
        && let Some(id) = state.selected_session().map(String::from)
    {
        watch(state, id, cmds);
    }
    state.dirty = true;
}

/// A poll round: merge it by id; redraw only when a row changed.
pub(crate) fn on_sessions_synced(state: &mut State, sync: SessionSync, cmds: &mut Vec<Cmd>) {
    if state.conn != ListConn::Ok {
        state.conn = ListConn::Ok;
        state.dirty = true;
    }
    let mut changed = false;
    keep_selection(state, |s| changed = s.sessions.apply_sync(sync));
    if state.watched.is_none()
        && let Some(id) = state.selected_session().map(String::from)
    {
        watch(state, id, cmds);
    }
    state.dirty |= changed;
}

pub(crate) fn on_evidence(state: &mut State, id: String, evidence: Evidence) {
    if state
        .sessions
        .get(&id)
        .is_some_and(|e| e.evidence == evidence)
    {
        return;
    }
    keep_selection(state, |s| s.sessions.set_evidence(&id, evidence));
    state.dirty = true;
}

pub(crate) fn on_list_conn(state: &mut State, c: ListConn) {
    if state.conn == c {
        return;
    }
    // One sentence per failure episode, not per retry.
    match (&state.conn, &c) {
        (ListConn::Ok | ListConn::Connecting, ListConn::Retrying { reason, .. }) => {
            state.show_toast(&format!("session list: {reason} — retrying"), true)
        }
        (_, ListConn::Down { reason }) => {
            state.show_toast(&format!("session list: {reason} — still trying"), true)
        }
        (_, ListConn::Rejected { reason }) => {
            state.show_toast(&format!("session list: {reason} — ^r tries again"), true)
        }
        _ => {}
    }
    state.conn = c;
    state.dirty = true;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures::{self, demo_state};
    use crate::app::update::testing::*;

    #[test]
    fn bulk_archive_asks_first_and_read_only_refuses() {
        let mut s = demo_state(120, 40);
        key(&mut s, KeyCode::Char(' '));
        key(&mut s, KeyCode::Char(' '));
        assert_eq!(s.sessions.marked_count(), 2);
        assert!(ctrl(&mut s, 'a').is_empty());
        let Some(Overlay::Confirm {
            action: BulkAction::Archive,
            ids,
        }) = s.overlay.clone()
        else {
            panic!("no confirm dialog: {:?}", s.overlay)
        };
        assert_eq!(ids.len(), 2);
        assert_eq!(key(&mut s, KeyCode::Char('y')), vec![Cmd::Archive(ids)]);
        assert_eq!(s.sessions.marked_count(), 0);

        let mut s = demo_state(120, 40);
        s.read_only = true;
        assert!(ctrl(&mut s, 'd').is_empty());
        assert_eq!(s.overlay, None);
        assert!(s.toast.as_ref().unwrap().text.starts_with("read-only mode"));

        let mut s = demo_state(120, 40);
        ctrl(&mut s, 'd');
        assert!(key(&mut s, KeyCode::Esc).is_empty());
        assert_eq!(s.overlay, None);
    }

    #[test]
    fn list_failures_get_a_sentence() {
        let mut s = demo_state(120, 40);
        let _ = update(
            &mut s,
            Msg::ListConn(ListConn::Retrying {
                attempt: 1,
                reason: "503 overloaded_error: busy (request-id req_1)".into(),
            }),
        );
        let t = s.toast.clone().unwrap();
        assert!(t.error);
        assert_eq!(
            t.text,
            "session list: 503 overloaded_error: busy (request-id req_1) — retrying"
        );
    }

    #[test]
    fn idle_ticks_do_not_redraw_but_visible_clocks_do() {
        let mut s = demo_state(120, 40);
        s.dirty = false;
        // The fleet has sessions under a minute in state: their second counters change.
        let _ = update(&mut s, Msg::Tick(fixtures::NOW + 1));
        assert!(s.dirty);
        let mut s = State::new(fixtures::NOW);
        let _ = update(&mut s, Msg::SessionsLoaded(fixtures::many_sessions(50)));
        s.dirty = false;
        let _ = update(&mut s, Msg::Tick(fixtures::NOW + 1));
        assert!(!s.dirty, "nothing on screen changes within the minute");
    }

    #[test]
    fn first_screen_follows_the_most_urgent_session_until_a_key() {
        let mut s = State::new(fixtures::NOW);
        let fleet = fixtures::fleet();
        let summaries: Vec<_> = fleet.iter().map(|(x, _)| x.clone()).collect();
        let _ = update(&mut s, Msg::SessionsLoaded(summaries));
        for (x, e) in fleet.clone() {
            let _ = update(
                &mut s,
                Msg::SessionEvidence {
                    id: x.id,
                    evidence: e,
                },
            );
        }
        assert_eq!(s.list.cursor, 0);
        let top = s.selected_session().map(String::from);
        assert_eq!(
            s.sessions.view_get(0).map(|e| e.state),
            Some(DerivedState::NeedsApproval)
        );
        let cmds = update(&mut s, Msg::Tick(fixtures::NOW + 1));
        assert!(cmds.contains(&Cmd::Watch(top.clone().unwrap_or_default())));
        assert_eq!(s.watched.as_ref().map(|w| w.session_id.clone()), top);
        // After a key the cursor stays on its session.
        key(&mut s, KeyCode::Char('j'));
        let chosen = s.selected_session().map(String::from);
        let (x, _) = fleet[1].clone();
        let evidence = crate::model::sessions::Evidence::default();
        let _ = update(&mut s, Msg::SessionEvidence { id: x.id, evidence });
        assert_eq!(s.selected_session().map(String::from), chosen);
        assert!(update(&mut s, Msg::Tick(fixtures::NOW + 2)).is_empty());
    }

    #[test]
    fn the_stream_follows_the_list_selection_once_it_rests() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Sessions;
        let opened = s.watched.as_ref().unwrap().session_id.clone();
        let start = s.list.cursor;
        assert!(s.sessions.view_len() > start + 2);
        // Two quick moves: each schedules a settle; nothing is watched yet.
        let stale = settle_msg(key(&mut s, KeyCode::Char('j')));
        let fresh = settle_msg(key(&mut s, KeyCode::Down));
        assert_eq!(s.list.cursor, start + 2);
        let target = s.selected_session().unwrap().to_string();
        assert_ne!(target, opened);
        assert_eq!(s.watched.as_ref().unwrap().session_id, opened);
        // The first move's message is stale: dropped.
        assert!(update(&mut s, stale).is_empty());
        assert_eq!(s.watched.as_ref().unwrap().session_id, opened);
        // The last one watches the final row; the list keeps the focus.
        assert_eq!(
            update(&mut s, fresh.clone()),
            vec![Cmd::Watch(target.clone())]
        );
        assert_eq!(s.watched.as_ref().unwrap().session_id, target);
        assert_eq!(s.focus, Pane::Sessions);
        // Delivered again, it opens nothing new; nor does a key that leaves the selection.
        assert!(update(&mut s, fresh).is_empty());
        assert!(key(&mut s, KeyCode::Char('w')).is_empty());
        // Enter still opens at once (and focuses the stream); its pending settle is a no-op.
        let pending = settle_msg(key(&mut s, KeyCode::Char('k')));
        let back = s.selected_session().unwrap().to_string();
        assert_eq!(key(&mut s, KeyCode::Enter), vec![Cmd::Watch(back.clone())]);
        assert_eq!(s.focus, Pane::Events);
        assert!(update(&mut s, pending).is_empty());
        assert_eq!(s.watched.as_ref().unwrap().session_id, back);
    }

    #[test]
    fn filter_and_sort_changes_that_move_the_selection_follow_too() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Sessions;
        let opened = s.watched.as_ref().unwrap().session_id.clone();
        // Typing a filter moves the cursor to the one match; only the last settle counts.
        key(&mut s, KeyCode::Char('/'));
        let mut settles = Vec::new();
        for c in "quarterly".chars() {
            let cmds = key(&mut s, KeyCode::Char(c));
            if !cmds.is_empty() {
                settles.push(settle_msg(cmds));
            }
        }
        key(&mut s, KeyCode::Enter);
        assert_eq!(s.sessions.view_len(), 1);
        let target = s.selected_session().unwrap().to_string();
        assert_ne!(target, opened);
        let last = settles.pop().expect("the selection moved");
        for stale in settles {
            assert!(update(&mut s, stale).is_empty());
        }
        assert_eq!(update(&mut s, last), vec![Cmd::Watch(target)]);
        // Sorting moves another session under the cursor: it is followed as well.
        let before = s.selected_session().map(String::from);
        key(&mut s, KeyCode::Esc);
        let cmds = key(&mut s, KeyCode::Char('s'));
        assert_ne!(s.selected_session().map(String::from), before);
        let now = s.selected_session().unwrap().to_string();
        assert_eq!(update(&mut s, settle_msg(cmds)), vec![Cmd::Watch(now)]);
        // A move that lands back on the watched session schedules one that opens nothing.
        let mut s = demo_state(120, 40);
        s.focus = Pane::Sessions;
        let a = settle_msg(key(&mut s, KeyCode::Char('j')));
        let b = settle_msg(key(&mut s, KeyCode::Char('k')));
        assert!(update(&mut s, a).is_empty());
        assert!(update(&mut s, b).is_empty());
        assert_eq!(s.watched.as_ref().unwrap().session_id, opened);
    }

    #[test]
    fn sort_cycles_columns() {
        let mut s = demo_state(120, 40);
        key(&mut s, KeyCode::Char('s'));
        assert_eq!(s.sessions.sort, SortKey::Title);
        assert_eq!(sort_label(&s), "title↑"); // A→Z
        key(&mut s, KeyCode::Char('S'));
        assert!(s.sessions.descending);
        assert_eq!(sort_label(&s), "title↓");
        // Numbers start largest first, and that is ↓ too.
        for _ in 0..5 {
            key(&mut s, KeyCode::Char('s'));
        }
        assert_eq!(s.sessions.sort, SortKey::Tokens);
        assert_eq!(sort_label(&s), "tokens↓");
    }

    #[test]
    fn a_shows_and_hides_archived_sessions() {
        let mut s = demo_state(120, 40);
        assert!(!s.sessions.show_archived);
        key(&mut s, KeyCode::Char('a'));
        assert!(s.sessions.show_archived);
        assert_eq!(s.toast.as_ref().unwrap().text, "showing archived");
        key(&mut s, KeyCode::Char('a'));
        assert!(!s.sessions.show_archived);
        assert_eq!(s.toast.as_ref().unwrap().text, "hiding archived");
    }
}
