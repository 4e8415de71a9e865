//! `update(&mut State, Msg) -> Vec<Cmd>`: the only place state changes. No I/O here, and
//! nothing proportional to history (searches run in bounded steps).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEventKind};
use serde_json::json;

use crate::api::feed::{ConnState, FeedItem};
use crate::app::keymap::Action;
use crate::app::msg::{Cmd, Msg, MsgBox};
use crate::app::state::{
    BulkAction, COMMANDS, InputKind, InputLine, ListConn, Overlay, Pane, Preview, State, Toast,
    View, Watched,
};
use crate::app::views;
use crate::model::event_view;
use crate::model::sessions::{DerivedState, SortKey};
use crate::model::transcript::{EventClass, Upsert};
use crate::text;
use crate::ui::layout;

/// Rows a search examines before yielding to the loop.
const SEARCH_STEP_ROWS: usize = 50_000;
/// OSC 52 payloads above this are refused by many terminals (k9s uses 74,994 base64 bytes).
const COPY_MAX_BYTES: usize = 56_000;
const TOAST_SECS: i64 = 6;
/// How long the list selection must rest before the event stream follows it (holding `j`
/// opens no feed per row passed).
pub const SELECTION_SETTLE: std::time::Duration = std::time::Duration::from_millis(250);

pub fn update(state: &mut State, msg: Msg) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    match msg {
        Msg::Key(key) => {
            state.dirty = true;
            state.list_touched = true;
            let before = state.selected_session().map(String::from);
            on_key(state, key, &mut cmds);
            follow_selection(state, before, &mut cmds);
        }
        Msg::Paste(text) => {
            if let Some(input) = &mut state.input {
                input.text.push_str(&text::one_line(&text));
                input_changed(state);
                state.dirty = true;
            }
        }
        Msg::Mouse(m) => {
            let before = state.selected_session().map(String::from);
            on_mouse(state, m, &mut cmds);
            follow_selection(state, before, &mut cmds);
        }
        Msg::SelectionSettled { generation } => {
            if generation == state.selection_generation
                && let Some(id) = state.selected_session().map(String::from)
                && state.watched.as_ref().is_none_or(|w| w.session_id != id)
            {
                watch(state, id, &mut cmds);
                state.dirty = true;
            }
        }
        Msg::Resize(w, h) => {
            state.size = (w, h);
            clamp_list(state);
            clamp_stream(state);
            views::clamp(state);
            state.dirty = true;
        }
        Msg::Tick(now) => {
            on_tick(state, now);
            if std::mem::take(&mut state.auto_watch)
                && !state.list_touched
                && let Some(id) = state.selected_session().map(String::from)
                && state.watched.as_ref().is_none_or(|w| w.session_id != id)
            {
                watch(state, id, &mut cmds);
                state.dirty = true;
            }
        }
        Msg::SessionsLoaded(list) => {
            if state.conn != ListConn::Ok {
                state.conn = ListConn::Ok;
                state.dirty = true;
            }
            // Most polls bring back exactly what is on screen: nothing to redraw.
            if state.sessions.same_sessions(&list) {
                return cmds;
            }
            keep_selection(state, |s| s.sessions.replace_all(list));
            if state.watched.is_none()
                && let Some(id) = state.selected_session().map(String::from)
            {
                watch(state, id, &mut cmds);
            }
            state.dirty = true;
        }
        Msg::SessionEvidence { id, evidence } => {
            if state
                .sessions
                .get(&id)
                .is_some_and(|e| e.evidence == evidence)
            {
                return cmds;
            }
            keep_selection(state, |s| s.sessions.set_evidence(&id, evidence));
            state.dirty = true;
        }
        Msg::ListConn(c) => {
            if state.conn != c {
                // One sentence per failure episode, not per retry.
                match (&state.conn, &c) {
                    (ListConn::Ok | ListConn::Connecting, ListConn::Retrying { reason, .. }) => {
                        toast(state, &format!("session list: {reason} — retrying"), true)
                    }
                    (_, ListConn::Down { reason }) => toast(
                        state,
                        &format!("session list: {reason} — still trying"),
                        true,
                    ),
                    (_, ListConn::Rejected { reason }) => toast(
                        state,
                        &format!("session list: {reason} — ^r tries again"),
                        true,
                    ),
                    _ => {}
                }
                state.conn = c;
                state.dirty = true;
            }
        }
        Msg::Feed { session_id, item } => on_feed(state, &session_id, item),
        Msg::ThreadFeed {
            session_id,
            thread_id,
            item,
        } => on_thread_feed(state, &session_id, &thread_id, item),
        Msg::ThreadsListed {
            session_id,
            threads,
        } => on_threads_listed(state, &session_id, threads),
        Msg::Done { text, error } => {
            toast(state, &text, error);
            if !error {
                cmds.push(Cmd::RefreshNow);
            }
        }
        Msg::ViewLoaded(data) => views::on_loaded(state, data),
        Msg::ViewFailed { load, error } => {
            if views::on_failed(state, &load, &error) {
                toast(state, &format!("{}: {error}", load.label()), true);
            }
        }
        Msg::ExportStep {
            session_id,
            from,
            markdown,
            jsonl,
        } => export_step(state, session_id, from, markdown, jsonl, &mut cmds),
        Msg::SearchStep {
            query,
            from,
            forward,
            scanned,
        } => search_step(state, query, from, forward, scanned, &mut cmds),
    }
    cmds
}

/// Re-sorting moves rows; the cursor stays on the same session.
/// Until the person touches a key, the top (most urgent) row stays selected instead.
fn keep_selection(state: &mut State, change: impl FnOnce(&mut State)) {
    let selected = state.selected_session().map(String::from);
    change(state);
    if !state.list_touched {
        state.list_cursor = 0;
        state.list_offset = 0;
        let top = state.selected_session();
        if top.is_some() && state.watched.as_ref().map(|w| w.session_id.as_str()) != top {
            state.auto_watch = true;
        }
    } else if let Some(pos) = selected.and_then(|id| state.sessions.view_position(&id)) {
        state.list_cursor = pos;
    }
    clamp_list(state);
}

/// Navigation moved the list selection off `before`: watch the new selection once it has
/// rested for [`SELECTION_SETTLE`] (a later move supersedes this one by its generation).
fn follow_selection(state: &mut State, before: Option<String>, cmds: &mut Vec<Cmd>) {
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

fn toast(state: &mut State, text: &str, error: bool) {
    state.toast = Some(Toast {
        text: text::one_line(text),
        error,
        // Long sentences stay long enough to read (about 15 characters a second).
        until: state.now + TOAST_SECS.max(text.chars().count() as i64 / 15).min(30),
    });
    state.dirty = true;
}

fn on_tick(state: &mut State, now: i64) {
    let before = state.now;
    state.now = now;
    if state.toast.as_ref().is_some_and(|t| t.until <= now) {
        state.toast = None;
        state.dirty = true;
    }
    // Only redraw when a clock on screen would read differently.
    let minute_changed = before / 60 != now / 60;
    let rows = layout::session_rows(layout::areas(state.size.0, state.size.1, false).sessions);
    let fresh_on_screen = (state.list_offset..state.list_offset + rows).any(|row| {
        state.sessions.view_get(row).is_some_and(|e| {
            let young = |t: Option<i64>| t.is_some_and(|t| now - t < 60);
            young(e.since()) || young(e.last_event_at())
        })
    });
    if minute_changed || fresh_on_screen {
        state.dirty = true;
    }
}

fn areas(state: &State) -> layout::Areas {
    layout::areas(
        state.size.0,
        state.size.1,
        state.input.is_some() || state.toast.is_some(),
    )
}

fn list_page(state: &State) -> usize {
    layout::session_rows(areas(state).sessions).max(1)
}

fn stream_page(state: &State) -> usize {
    layout::inner_rows(areas(state).events).max(1)
}

fn clamp_list(state: &mut State) {
    let len = state.sessions.view_len();
    state.list_cursor = state.list_cursor.min(len.saturating_sub(1));
    let page = list_page(state);
    if state.list_cursor < state.list_offset {
        state.list_offset = state.list_cursor;
    } else if state.list_cursor >= state.list_offset + page {
        state.list_offset = state.list_cursor + 1 - page;
    }
    state.list_offset = state.list_offset.min(len.saturating_sub(page));
}

fn clamp_stream(state: &mut State) {
    let len = state.stream_len();
    let page = stream_page(state);
    let s = &mut state.stream;
    if s.follow {
        s.cursor = len.saturating_sub(1);
        s.offset = len.saturating_sub(page);
        return;
    }
    s.cursor = s.cursor.min(len.saturating_sub(1));
    if s.cursor < s.offset {
        s.offset = s.cursor;
    } else if s.cursor >= s.offset + page {
        s.offset = s.cursor + 1 - page;
    }
}

fn pause_follow(state: &mut State) {
    if state.stream.follow {
        state.stream.follow = false;
        state.stream.paused_at_count = state.stream_len();
    }
}

fn watch(state: &mut State, id: String, cmds: &mut Vec<Cmd>) {
    if state.watched.as_ref().is_some_and(|w| w.session_id == id) {
        return;
    }
    state.watched = Some(Watched::new(id.clone()));
    state.stream.follow = true;
    state.stream.cursor = 0;
    state.stream.offset = 0;
    state.stream.filter.thread = None;
    // A search belongs to the session it was typed in.
    state.stream.search = None;
    state.stream.search_hits = None;
    state.inspector = Default::default();
    cmds.push(Cmd::Watch(id));
}

fn move_list(state: &mut State, to: isize) {
    let len = state.sessions.view_len() as isize;
    state.list_cursor = to.clamp(0, (len - 1).max(0)) as usize;
    clamp_list(state);
}

fn move_stream(state: &mut State, to: isize) {
    pause_follow(state);
    let len = state.stream_len() as isize;
    state.stream.cursor = to.clamp(0, (len - 1).max(0)) as usize;
    clamp_stream(state);
}

fn on_key(state: &mut State, key: KeyEvent, cmds: &mut Vec<Cmd>) {
    if state.input.is_some() {
        on_input_key(state, key, cmds);
        return;
    }
    if state.toast.is_some() && key.code == KeyCode::Esc {
        state.toast = None;
        return;
    }
    let ctx = state.context();
    if let Some(action) = state.keymap.lookup(ctx, &key) {
        on_action(state, action, cmds);
    }
}

fn on_input_key(state: &mut State, key: KeyEvent, cmds: &mut Vec<Cmd>) {
    let Some(input) = &mut state.input else {
        return;
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => {
            let kind = input.kind;
            state.input = None;
            match kind {
                InputKind::SessionFilter => {
                    state.sessions.set_filter("");
                    clamp_list(state);
                }
                InputKind::EventSearch => {
                    state.stream.search = None;
                    state.stream.search_hits = None;
                }
                InputKind::Command => {}
            }
        }
        KeyCode::Enter => {
            let InputLine { kind, text } = state.input.take().unwrap_or(InputLine {
                kind: InputKind::Command,
                text: String::new(),
            });
            match kind {
                InputKind::Command => run_command(state, text.trim(), cmds),
                InputKind::SessionFilter => {}
                InputKind::EventSearch => {
                    state.stream.search_hits = None;
                    if text.is_empty() {
                        state.stream.search = None;
                    } else {
                        state.stream.search = Some(text.clone());
                        let from = state.stream.cursor;
                        search_step(state, text, from, true, 0, cmds);
                    }
                }
            }
        }
        KeyCode::Tab if input.kind == InputKind::Command => {
            if let Some(done) = complete(&input.text) {
                input.text = done.to_string();
            }
        }
        KeyCode::Backspace => {
            if input.text.pop().is_none() && input.kind == InputKind::Command {
                state.input = None;
                return;
            }
            input_changed(state);
        }
        KeyCode::Char('c') if ctrl => state.input = None,
        KeyCode::Char('u') if ctrl => {
            input.text.clear();
            input_changed(state);
        }
        KeyCode::Char(c) if !ctrl => {
            input.text.push(c);
            input_changed(state);
        }
        _ => {}
    }
}

/// The first command that starts with what was typed.
pub fn complete(prefix: &str) -> Option<&'static str> {
    let p = prefix.trim();
    COMMANDS
        .iter()
        .copied()
        .find(|c| c.starts_with(p) && !p.is_empty())
}

fn input_changed(state: &mut State) {
    if let Some(InputLine {
        kind: InputKind::EventSearch,
        text,
    }) = &state.input
    {
        // Highlight matches while typing; Enter moves to one.
        state.stream.search = (!text.is_empty()).then(|| text.clone());
        state.stream.search_hits = None;
    }
    if let Some(InputLine {
        kind: InputKind::SessionFilter,
        text,
    }) = &state.input
    {
        let text = text.clone();
        state.sessions.set_filter(&text);
        state.list_cursor = 0;
        clamp_list(state);
    }
}

pub(crate) fn set_view(state: &mut State, view: View, cmds: &mut Vec<Cmd>) {
    let was = state.view;
    state.view = view;
    if view.is_resource() {
        // The session list keeps its filter and cursor underneath.
        views::load(state, cmds);
        return;
    }
    if was.is_resource() {
        cmds.push(Cmd::StopView);
    }
    let only: Option<&[DerivedState]> = match view {
        View::Needs => Some(&[DerivedState::NeedsApproval, DerivedState::NeedsInput]),
        _ => None,
    };
    state.sessions.set_state_filter(only);
    if !was.is_resource() {
        state.list_cursor = 0;
    }
    clamp_list(state);
    if matches!(view, View::Sessions | View::Needs) {
        state.focus = Pane::Sessions;
    }
}

fn run_command(state: &mut State, cmd: &str, cmds: &mut Vec<Cmd>) {
    let word = complete(cmd)
        .filter(|c| *c == cmd || cmd.len() >= 2)
        .unwrap_or(cmd);
    if let Some(view) = View::ALL.into_iter().find(|v| v.name() == word) {
        set_view(state, view, cmds);
        return;
    }
    match word {
        "" => {}
        "archived" => on_action(state, Action::ToggleArchived, cmds),
        "mouse" => on_action(state, Action::ToggleMouse, cmds),
        "export" => on_action(state, Action::Export, cmds),
        "help" => on_action(state, Action::ShowHelp, cmds),
        "quit" | "q" => on_action(state, Action::Quit, cmds),
        other => toast(
            state,
            &format!("unknown command :{other} (Tab completes)"),
            true,
        ),
    }
}

fn on_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    let ctx = state.context();
    use crate::app::keymap::Context as C;
    match (ctx, action) {
        (_, Action::Quit) => {
            state.quit = true;
            cmds.push(Cmd::Quit);
        }
        (_, Action::ShowHelp) => state.overlay = Some(Overlay::Help { scroll: 0 }),
        (_, Action::CommandLine) => {
            state.input = Some(InputLine {
                kind: InputKind::Command,
                text: String::new(),
            })
        }
        (_, Action::FocusNext) | (_, Action::FocusPrev) => {
            state.focus = match state.focus {
                Pane::Sessions => Pane::Events,
                Pane::Events => Pane::Sessions,
            };
        }
        (_, Action::ToggleMouse) => {
            state.mouse = !state.mouse;
            cmds.push(Cmd::SetMouse(state.mouse));
            let msg = if state.mouse {
                "mouse on (hold Shift to select text)"
            } else {
                "mouse off"
            };
            toast(state, msg, false);
        }
        (_, Action::Refresh) => {
            if state.view.is_resource() {
                views::load(state, cmds);
            } else {
                cmds.push(Cmd::RefreshNow);
            }
        }
        (_, Action::Suspend) => cmds.push(Cmd::Suspend),
        (_, Action::ViewNeeds) => set_view(state, View::Needs, cmds),
        (C::Help, Action::Up) => {
            if let Some(Overlay::Help { scroll }) = &mut state.overlay {
                *scroll = scroll.saturating_sub(1);
            }
        }
        (C::Help, Action::Down) => {
            // Stop at the last line (the overlay's text depends on the width only).
            let area = ratatui::layout::Rect::new(0, 0, state.size.0, state.size.1);
            let max = crate::ui::overlays::help_max_scroll(state, area);
            if let Some(Overlay::Help { scroll }) = &mut state.overlay {
                *scroll = scroll.saturating_add(1).min(max);
            }
        }
        (C::Help, Action::Back) | (C::Inspector, Action::Back) => state.overlay = None,
        (C::Confirm, Action::Yes) => {
            if let Some(Overlay::Confirm { action, ids }) = state.overlay.take() {
                state.sessions.clear_marks();
                let n = ids.len();
                cmds.push(match action {
                    BulkAction::Archive => Cmd::Archive(ids),
                    BulkAction::Delete => Cmd::Delete(ids),
                });
                let verb = if action == BulkAction::Archive {
                    "archiving"
                } else {
                    "deleting"
                };
                toast(state, &format!("{verb} {n} session(s)…"), false);
            }
        }
        (C::Confirm, Action::No) => state.overlay = None,
        (C::Inspector, a) => {
            if let Some(Overlay::Event { scroll }) = &mut state.overlay {
                let page = usize::from(state.size.1.saturating_sub(4)).max(1);
                let max = state.inspector.lines.len().saturating_sub(page);
                *scroll = match a {
                    Action::Up => scroll.saturating_sub(1),
                    Action::Down => (*scroll + 1).min(max),
                    Action::PageUp => scroll.saturating_sub(page),
                    Action::PageDown => (*scroll + page).min(max),
                    Action::Top => 0,
                    Action::Bottom => max,
                    _ => *scroll,
                };
            }
            if a == Action::Copy {
                copy_selected(state, cmds);
            }
        }
        (C::Memory | C::Dreams | C::Deployments, a) => views::on_action(state, a, cmds),
        (C::Sessions, a) => on_sessions_action(state, a, cmds),
        (C::Events, a) => on_events_action(state, a, cmds),
        _ => {}
    }
}

fn on_sessions_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    let cur = state.list_cursor as isize;
    let page = list_page(state) as isize;
    match action {
        Action::Up => move_list(state, cur - 1),
        Action::Down => move_list(state, cur + 1),
        Action::PageUp => move_list(state, cur - page),
        Action::PageDown => move_list(state, cur + page),
        Action::Top => move_list(state, 0),
        Action::Bottom => move_list(state, isize::MAX / 2),
        Action::Open => {
            if let Some(id) = state.selected_session().map(String::from) {
                watch(state, id, cmds);
                state.focus = Pane::Events;
            }
        }
        Action::Filter => {
            state.input = Some(InputLine {
                kind: InputKind::SessionFilter,
                text: state.sessions.filter().to_string(),
            })
        }
        Action::SortNext => {
            let next = state.sessions.sort.next();
            state.sessions.set_sort(next, next.default_descending());
            toast(state, &format!("sorted by {}", next.label()), false);
        }
        Action::SortReverse => {
            let (k, d) = (state.sessions.sort, !state.sessions.descending);
            state.sessions.set_sort(k, d);
        }
        Action::ToggleArchived => {
            let on = !state.sessions.show_archived;
            state.sessions.set_show_archived(on);
            clamp_list(state);
            toast(
                state,
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
                move_list(state, cur + 1);
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
                toast(
                    state,
                    "read-only mode: archive and delete are disabled",
                    true,
                );
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

fn set_classes(state: &mut State, classes: Vec<EventClass>) {
    // Keep the selected event selected across filter changes when it is still shown.
    let selected = selected_event_index(state);
    state.stream.filter.classes = classes;
    relocate(state, selected);
}

/// Put the cursor on transcript event `index` if the current filter shows it (else the end).
fn relocate(state: &mut State, index: Option<usize>) {
    let len = state.stream_len();
    if state.stream.follow || index.is_none() {
        state.stream.follow = true;
        clamp_stream(state);
        return;
    }
    // Bounded scan around the old position; falls back to following.
    let target = index.unwrap_or(0);
    if let Some(w) = &state.watched {
        let lo = state.stream.cursor.saturating_sub(5_000);
        let hi = (state.stream.cursor + 5_000).min(len);
        let (shown, filter) = w.shown(&state.stream.filter);
        if let Some(pos) = shown
            .rows(&filter, lo..hi)
            .iter()
            .position(|r| r.index >= target)
        {
            state.stream.cursor = lo + pos;
            clamp_stream(state);
            return;
        }
    }
    state.stream.follow = true;
    clamp_stream(state);
}

pub fn selected_event_index(state: &State) -> Option<usize> {
    let w = state.watched.as_ref()?;
    let c = state.stream.cursor;
    let (shown, filter) = w.shown(&state.stream.filter);
    shown.rows(&filter, c..c + 1).first().map(|r| r.index)
}

fn copy_selected(state: &mut State, cmds: &mut Vec<Cmd>) {
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
            toast(
                state,
                &format!("copied event JSON ({n} bytes) via OSC 52"),
                false,
            );
        }
        Some(raw) => toast(
            state,
            &format!(
                "event is {} bytes, too large for the clipboard: use ctrl-s to export",
                raw.len()
            ),
            true,
        ),
        None => toast(state, "no event selected", true),
    }
}

fn on_events_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    let cur = state.stream.cursor as isize;
    let page = stream_page(state) as isize;
    match action {
        Action::Up => move_stream(state, cur - 1),
        Action::Down => move_stream(state, cur + 1),
        Action::PageUp => move_stream(state, cur - page),
        Action::PageDown => move_stream(state, cur + page),
        Action::Top => move_stream(state, 0),
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
        Action::Search => {
            state.input = Some(InputLine {
                kind: InputKind::EventSearch,
                text: String::new(),
            })
        }
        Action::NextMatch | Action::PrevMatch => match state.stream.search.clone() {
            Some(q) => {
                let forward = action == Action::NextMatch;
                let from = if forward {
                    state.stream.cursor + 1
                } else {
                    state.stream.cursor.saturating_sub(1)
                };
                if !forward && state.stream.cursor == 0 {
                    toast(state, &format!("no earlier match for {q:?}"), true);
                } else {
                    search_step(state, q, from, forward, 0, cmds);
                }
            }
            None => toast(state, "no search: press / first", true),
        },
        Action::Expand if selected_event_index(state).is_some() => {
            state.overlay = Some(Overlay::Event { scroll: 0 });
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
        Action::Back => state.focus = Pane::Sessions,
        _ => {}
    }
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return true;
    }
    if n.len() > h.len() {
        return false;
    }
    let first = n[0].to_ascii_lowercase();
    (0..=h.len() - n.len())
        .any(|i| h[i].to_ascii_lowercase() == first && h[i..i + n.len()].eq_ignore_ascii_case(n))
}

fn search_step(
    state: &mut State,
    query: String,
    from: usize,
    forward: bool,
    scanned: usize,
    cmds: &mut Vec<Cmd>,
) {
    if state.stream.search.as_deref() != Some(query.as_str()) {
        return; // superseded
    }
    let Some(w) = &state.watched else {
        return;
    };
    let (shown, filter) = w.shown(&state.stream.filter);
    let len = shown.count(&filter);
    let (mut from, mut scanned) = (from.min(len.saturating_sub(1)), scanned);
    // One step examines at most SEARCH_STEP_ROWS rows, wrapping around the end within the step
    // (a small transcript answers "no match" at once).
    let mut budget = SEARCH_STEP_ROWS;
    while scanned < len && budget > 0 {
        let take = budget.min(len - scanned);
        let range = if forward {
            from..(from + take).min(len)
        } else {
            (from + 1).saturating_sub(take)..from + 1
        };
        let rows = shown.rows(&filter, range.clone());
        let hit = if forward {
            rows.iter().position(|r| contains_ci(r.raw, &query))
        } else {
            rows.iter().rposition(|r| contains_ci(r.raw, &query))
        };
        if let Some(p) = hit {
            move_stream(state, (range.start + p) as isize);
            state.stream.search_hits = match_counter(state, &query);
            state.dirty = true;
            return;
        }
        let n = range.len().max(1);
        scanned += n;
        budget = budget.saturating_sub(n);
        from = if forward {
            if range.end >= len { 0 } else { range.end }
        } else if range.start == 0 {
            len - 1
        } else {
            range.start - 1
        };
    }
    if scanned >= len {
        state.stream.search_hits = Some((0, 0));
        toast(state, &format!("no match for {query:?}"), true);
        return;
    }
    cmds.push(Cmd::Defer(Box::new(MsgBox(Msg::SearchStep {
        query,
        from,
        forward,
        scanned,
    }))));
}

/// `(which match the cursor is on, how many)` for the pane title; `None` when the view is too
/// long to count in one step.
fn match_counter(state: &State, query: &str) -> Option<(usize, usize)> {
    let w = state.watched.as_ref()?;
    let (shown, filter) = w.shown(&state.stream.filter);
    let len = shown.count(&filter);
    if len > SEARCH_STEP_ROWS {
        return None;
    }
    let cursor = state.stream.cursor;
    let (mut at, mut total) = (0, 0);
    for (i, r) in shown.rows(&filter, 0..len).iter().enumerate() {
        if contains_ci(r.raw, query) {
            total += 1;
            if i <= cursor {
                at = total;
            }
        }
    }
    Some((at, total))
}

fn export(state: &mut State, cmds: &mut Vec<Cmd>) {
    let Some(w) = &state.watched else {
        toast(state, "no session open", true);
        return;
    };
    let session_id = w.session_id.clone();
    let markdown = format!("# Session {}\n\n", text::one_line(&session_id));
    toast(state, "exporting…", false);
    export_step(state, session_id, 0, markdown, String::new(), cmds);
}

/// Events rendered per export step before yielding to keys.
const EXPORT_STEP_ROWS: usize = 20_000;

fn export_step(
    state: &mut State,
    session_id: String,
    from: usize,
    mut md: String,
    mut jsonl: String,
    cmds: &mut Vec<Cmd>,
) {
    let Some(w) = state
        .watched
        .as_ref()
        .filter(|w| w.session_id == session_id)
    else {
        toast(state, "export cancelled: another session was opened", true);
        return;
    };
    let n = w.transcript.len();
    let to = (from + EXPORT_STEP_ROWS).min(n);
    let all = Default::default();
    // Rows give only the time of day: a header line opens each new date.
    let mut day = from
        .checked_sub(1)
        .and_then(|p| w.transcript.get(p))
        .and_then(|e| event_view::date(e.raw));
    for e in w.transcript.rows(&all, from..to) {
        // overseer's own marker rows (reconnects, gaps) are not API events.
        if !e.type_name.starts_with(event_view::MARKER_PREFIX) {
            jsonl.push_str(e.raw);
            jsonl.push('\n');
        }
        if let Some(d) = event_view::date(e.raw)
            && day.as_ref() != Some(&d)
        {
            md.push_str(&format!("\n## {d}\n\n"));
            day = Some(d);
        }
        let s = event_view::summarize(e.raw);
        md.push_str(&format!("- `{}` **{}** {}\n", s.time, s.kind, s.text));
        if e.type_name.ends_with("tool_result")
            && let Some(body) = event_view::readable_body(e.raw).filter(|b| b.contains('\n'))
        {
            md.push_str(&fenced(&body));
        }
    }
    if to < n {
        cmds.push(Cmd::Defer(Box::new(MsgBox(Msg::ExportStep {
            session_id,
            from: to,
            markdown: md,
            jsonl,
        }))));
        return;
    }
    let safe: String = w
        .session_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let events = jsonl.bytes().filter(|b| *b == b'\n').count();
    cmds.push(Cmd::Export {
        files: vec![
            (format!("overseer-{safe}.md").into(), md),
            (format!("overseer-{safe}.jsonl").into(), jsonl),
        ],
        events,
    });
}

/// A Markdown code block (indented under its list item) holding `body` verbatim: the fence is
/// longer than any backtick run inside.
fn fenced(body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    let mut out = format!("\n  {fence}\n");
    for line in body.lines() {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&format!("  {fence}\n\n"));
    out
}

fn on_mouse(state: &mut State, m: crossterm::event::MouseEvent, cmds: &mut Vec<Cmd>) {
    let a = areas(state);
    let inside = |r: ratatui::layout::Rect| {
        m.column >= r.x && m.column < r.x + r.width && m.row >= r.y && m.row < r.y + r.height
    };
    let pane = if inside(a.sessions) {
        Some(Pane::Sessions)
    } else if inside(a.events) {
        Some(Pane::Events)
    } else {
        None
    };
    let Some(pane) = pane else {
        return;
    };
    state.dirty = true;
    if state.view.is_resource() {
        // The resource views only scroll with the wheel.
        let action = match m.kind {
            MouseEventKind::ScrollUp => Action::Up,
            MouseEventKind::ScrollDown => Action::Down,
            _ => return,
        };
        for _ in 0..3 {
            views::on_action(state, action, cmds);
        }
        return;
    }
    match m.kind {
        MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
            let up = m.kind == MouseEventKind::ScrollUp;
            let action = if up { Action::Up } else { Action::Down };
            let saved = state.focus;
            state.focus = pane;
            for _ in 0..3 {
                on_action(state, action, cmds);
            }
            state.focus = saved;
        }
        MouseEventKind::Down(_) => {
            state.focus = pane;
            if pane == Pane::Sessions {
                let row = m.row.saturating_sub(a.sessions.y + 2) as usize;
                move_list(state, (state.list_offset + row) as isize);
            } else {
                let row = m.row.saturating_sub(a.events.y + 1) as usize;
                move_stream(state, (state.stream.offset + row) as isize);
            }
        }
        _ => {}
    }
}

fn insert_marker(state: &mut State, kind: &str, reason: &str) {
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

fn on_feed(state: &mut State, session_id: &str, item: FeedItem) {
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
            toast(state, &format!("events may be missing: {reason}"), true);
            clamp_stream(state);
        }
        FeedItem::Gone { reason } => {
            w.ended = true;
            w.previews.clear();
            insert_marker(state, "ended", &reason);
            toast(state, &format!("session gone: {reason}"), true);
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
fn on_threads_listed(state: &mut State, session_id: &str, listed: Vec<(String, String)>) {
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
fn on_thread_feed(state: &mut State, session_id: &str, thread_id: &str, item: FeedItem) {
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
        FeedItem::Gap { reason } => toast(
            state,
            &format!("thread events may be missing: {reason}"),
            true,
        ),
        FeedItem::Preview { .. }
        | FeedItem::PreviewDiscarded { .. }
        | FeedItem::Gone { .. }
        | FeedItem::Ended => {}
    }
    clamp_stream(state);
}

/// Work done once per frame, before drawing (never per event): refresh the inspector's
/// pretty JSON when the selected event changed.
pub fn prepare_frame(state: &mut State) {
    let index = selected_event_index(state);
    if index == state.inspector.index {
        return;
    }
    let found = index.and_then(|i| {
        let w = state.watched.as_ref()?;
        let (shown, _) = w.shown(&state.stream.filter);
        let e = shown.get(i)?;
        // A tool use and its result belong together: show the other half below.
        let pair = shown
            .tool_pair(i)
            .and_then(|p| shown.get(p))
            .map(|p| (p.type_name.to_string(), p.raw.to_string()));
        Some((e.type_name.to_string(), e.raw.to_string(), pair))
    });
    state.inspector = match found {
        Some((ty, raw, pair)) => {
            // What a person reads first (block text, tool input), then the JSON itself.
            let mut lines: Vec<String> = event_view::readable_body(&raw)
                .map(|b| b.lines().map(String::from).collect())
                .unwrap_or_default();
            let body_lines = lines.len();
            if body_lines > 0 {
                lines.push(String::new());
                lines.push("── JSON ──".to_string());
            }
            let body_lines = if body_lines > 0 { body_lines + 2 } else { 0 };
            lines.extend(pretty_head(&raw).lines().map(String::from));
            if let Some((pair_ty, pair_raw)) = pair {
                lines.push(String::new());
                lines.push(format!("── ↔ {} ──", text::one_line(&pair_ty)));
                lines.extend(pretty_head(&pair_raw).lines().map(String::from));
            }
            crate::app::state::InspectorCache {
                index,
                title: text::one_line(&ty),
                lines,
                body_lines,
                raw,
            }
        }
        None => Default::default(),
    };
}

/// Pretty JSON of at most the first 512 KiB (the whole event is one ctrl-s away).
fn pretty_head(raw: &str) -> String {
    let mut cut = raw.len().min(512 * 1024);
    while !raw.is_char_boundary(cut) {
        cut -= 1;
    }
    text::json_pretty(&raw[..cut])
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures::{self, demo_state};
    use crossterm::event::KeyModifiers;

    fn key(state: &mut State, code: KeyCode) -> Vec<Cmd> {
        update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }
    fn ctrl(state: &mut State, c: char) -> Vec<Cmd> {
        update(
            state,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
        )
    }
    fn feed(state: &mut State, item: FeedItem) {
        let id = state.watched.as_ref().unwrap().session_id.clone();
        let _ = update(
            state,
            Msg::Feed {
                session_id: id,
                item,
            },
        );
    }
    fn last_type(state: &State) -> String {
        let w = state.watched.as_ref().unwrap();
        w.transcript
            .get(w.transcript.len() - 1)
            .unwrap()
            .type_name
            .to_string()
    }

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
    fn follow_pause_counts_new_events_and_end_resumes() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Events;
        let len = s.stream_len();
        assert!(s.stream.follow);
        assert_eq!(s.stream.cursor, len - 1);
        key(&mut s, KeyCode::Up);
        assert!(!s.stream.follow);
        assert_eq!(s.stream.cursor, len - 2);
        for raw in fixtures::many_events(3) {
            feed(&mut s, FeedItem::Event(raw));
        }
        assert_eq!(s.stream_len() - s.stream.paused_at_count, 3);
        assert_eq!(s.stream.cursor, len - 2, "a paused view does not move");
        key(&mut s, KeyCode::End);
        assert!(s.stream.follow);
        assert_eq!(s.stream.cursor, len + 2);
    }

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
    fn search_moves_to_matches_in_bounded_steps() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Events;
        key(&mut s, KeyCode::Home);
        key(&mut s, KeyCode::Char('/'));
        for c in "git push".chars() {
            key(&mut s, KeyCode::Char(c));
        }
        key(&mut s, KeyCode::Enter);
        let idx = selected_event_index(&s).unwrap();
        let w = s.watched.as_ref().unwrap();
        assert_eq!(w.transcript.get(idx).unwrap().id, "tu_2");
        // No further match: wraps around through deferred steps, then says so.
        let mut cmds = key(&mut s, KeyCode::Char('n'));
        let mut guard = 0;
        while let Some(Cmd::Defer(m)) = cmds.pop() {
            cmds = update(&mut s, m.0);
            guard += 1;
            assert!(guard < 10);
        }
        assert_eq!(selected_event_index(&s), Some(idx));
    }

    #[test]
    fn search_says_no_match_at_once_counts_matches_and_stays_with_its_session() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Events;
        let type_search = |s: &mut State, q: &str| {
            key(s, KeyCode::Char('/'));
            for c in q.chars() {
                key(s, KeyCode::Char(c));
            }
        };
        type_search(&mut s, "zzz-nowhere");
        // Matches are highlighted while typing.
        assert_eq!(s.stream.search.as_deref(), Some("zzz-nowhere"));
        let cmds = key(&mut s, KeyCode::Enter);
        assert!(cmds.is_empty(), "{cmds:?}");
        assert_eq!(
            s.toast.as_ref().unwrap().text,
            "no match for \"zzz-nowhere\""
        );
        assert_eq!(s.stream.search_hits, Some((0, 0)));
        // A counter: which match of how many.
        key(&mut s, KeyCode::Home);
        type_search(&mut s, "agent.tool_result");
        let (shown, filter) = s.watched.as_ref().unwrap().shown(&s.stream.filter);
        let total = shown
            .rows(&filter, 0..shown.count(&filter))
            .iter()
            .filter(|r| r.raw.contains("agent.tool_result"))
            .count();
        assert!(total >= 2);
        key(&mut s, KeyCode::Enter);
        assert_eq!(s.stream.search_hits, Some((1, total)));
        key(&mut s, KeyCode::Char('n'));
        assert_eq!(s.stream.search_hits, Some((2, total)));
        // Another session starts without the query.
        let other = s.sessions.view_get(1).unwrap().summary.id.clone();
        let mut cmds = Vec::new();
        watch(&mut s, other, &mut cmds);
        assert_eq!(s.stream.search, None);
        assert_eq!(s.stream.search_hits, None);
    }

    #[test]
    fn copy_export_and_mouse_are_commands() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Events;
        let cmds = key(&mut s, KeyCode::Char('y'));
        let [Cmd::Copy(raw)] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert!(raw.contains("\"ev_22\""));
        let cmds = ctrl(&mut s, 's');
        let [Cmd::Export { files, events }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(*events, 22);
        assert_eq!(files[0].0.to_str(), Some("overseer-sesn_000001.md"));
        assert_eq!(files[1].1.lines().count(), 22);
        assert!(!files[0].1.contains('\u{1b}'));
        assert_eq!(key(&mut s, KeyCode::Char('M')), vec![Cmd::SetMouse(true)]);
    }

    #[test]
    fn large_exports_run_in_steps() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Events;
        for raw in fixtures::many_events(45_000) {
            feed(&mut s, FeedItem::Event(raw));
        }
        let mut cmds = ctrl(&mut s, 's');
        let mut steps = 0;
        while let Some(Cmd::Defer(m)) = cmds.first().cloned() {
            cmds = update(&mut s, m.0);
            steps += 1;
        }
        assert_eq!(steps, 2);
        let [Cmd::Export { files, events }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(*events, 45_022);
        assert_eq!(files[1].1.lines().count(), 45_022);
    }

    #[test]
    fn exports_keep_only_api_events_in_jsonl_and_date_and_fence_the_markdown() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Events;
        let before = s.watched.as_ref().unwrap().transcript.len();
        feed(
            &mut s,
            FeedItem::Gap {
                reason: "503".into(),
            },
        );
        feed(&mut s, FeedItem::Event(json!({
            "type": "agent.tool_result", "id": "sevt_out", "processed_at": "2026-11-27T00:00:01Z",
            "tool_use_id": "x",
            "content": [{"type": "text", "text": "   1\tuse crate::money;\n   2\t```\n"}],
        }).to_string()));
        let cmds = ctrl(&mut s, 's');
        let [Cmd::Export { files, events }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(*events, before + 1, "the gap marker is not an API event");
        let jsonl = &files[1].1;
        assert_eq!(jsonl.lines().count(), before + 1);
        assert!(!jsonl.contains("overseer."), "{jsonl}");
        let md = &files[0].1;
        assert!(md.contains("\n## 2026-11-26\n"), "{md}");
        assert!(md.contains("gap"), "the markdown keeps the marker: {md}");
        assert!(
            md.ends_with(
                "\n## 2026-11-27\n\n- `00:00:01` **result** \
                 1 use crate::money; 2 ```\n\n  ````\n     1    use crate::money;\n     2    ```\n  ````\n\n"
            ),
            "{md}"
        );
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
    fn command_line_completes_and_switches_views() {
        let mut s = demo_state(120, 40);
        key(&mut s, KeyCode::Char(':'));
        key(&mut s, KeyCode::Char('d'));
        key(&mut s, KeyCode::Char('r'));
        key(&mut s, KeyCode::Tab);
        assert_eq!(s.input.as_ref().unwrap().text, "dreams");
        key(&mut s, KeyCode::Enter);
        assert_eq!(s.view, View::Dreams);
        key(&mut s, KeyCode::Char(':'));
        for c in "bogus".chars() {
            key(&mut s, KeyCode::Char(c));
        }
        key(&mut s, KeyCode::Enter);
        assert_eq!(
            s.toast.as_ref().unwrap().text,
            "unknown command :bogus (Tab completes)"
        );
        key(&mut s, KeyCode::Char('!'));
        assert_eq!(s.view, View::Needs);
        assert_eq!(s.sessions.view_len(), 2);
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
    fn inspector_shows_the_tool_result_with_its_use() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Events;
        // ev_09 (edit) failed: its result is ev_10.
        while selected_event_index(&s)
            .and_then(|i| {
                s.watched
                    .as_ref()?
                    .transcript
                    .get(i)
                    .map(|e| e.id != "ev_09")
            })
            .unwrap_or(false)
        {
            key(&mut s, KeyCode::Up);
        }
        prepare_frame(&mut s);
        assert_eq!(s.inspector.title, "agent.tool_use");
        let pos = s
            .inspector
            .lines
            .iter()
            .position(|l| l == "── ↔ agent.tool_result ──");
        let pos = pos.expect("paired result shown");
        assert!(
            s.inspector.lines[pos..]
                .iter()
                .any(|l| l.contains("edit failed: old text not found"))
        );
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
        assert_eq!(s.list_cursor, 0);
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

    /// The `Msg` a `Cmd::After` carries, checking it waits for the selection to rest.
    fn settle_msg(cmds: Vec<Cmd>) -> Msg {
        let [Cmd::After { delay, msg }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(*delay, SELECTION_SETTLE);
        msg.0.clone()
    }

    #[test]
    fn the_stream_follows_the_list_selection_once_it_rests() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Sessions;
        let opened = s.watched.as_ref().unwrap().session_id.clone();
        let start = s.list_cursor;
        assert!(s.sessions.view_len() > start + 2);
        // Two quick moves: each schedules a settle; nothing is watched yet.
        let stale = settle_msg(key(&mut s, KeyCode::Char('j')));
        let fresh = settle_msg(key(&mut s, KeyCode::Down));
        assert_eq!(s.list_cursor, start + 2);
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
    fn a_click_on_another_row_is_followed_and_counts_as_a_choice() {
        let mut s = State::new(fixtures::NOW);
        let _ = update(&mut s, Msg::Resize(120, 40));
        let _ = update(&mut s, Msg::SessionsLoaded(fixtures::many_sessions(5)));
        assert!(!s.list_touched);
        let a = areas(&s).sessions;
        let click = crossterm::event::MouseEvent {
            kind: MouseEventKind::Down(crossterm::event::MouseButton::Left),
            column: a.x + 3,
            row: a.y + 2 + 3,
            modifiers: KeyModifiers::NONE,
        };
        let cmds = update(&mut s, Msg::Mouse(click));
        assert_eq!(s.list_cursor, 3);
        assert!(s.list_touched);
        let row3 = s.selected_session().unwrap().to_string();
        assert_eq!(update(&mut s, settle_msg(cmds)), vec![Cmd::Watch(row3)]);
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
        assert_eq!(s.stream.cursor, 1);
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
}
