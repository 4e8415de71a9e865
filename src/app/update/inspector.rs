//! Keys of the expanded inspector: move, switch tabs, fold, search, copy, open in `$PAGER`,
//! and jump: to the previous/next error or denied call, between a use and its result, to the
//! call's thread. Every step touches the current tab's rows only (bounded by the tree's caps)
//! or a bounded slice of the transcript's class index, never the raw event — except `o` and
//! `Y`, which read it once, on purpose.

use crossterm::event::KeyEvent;

use crate::app::editor::{Edit, Editor};
use crate::app::keymap::Action;
use crate::app::msg::Cmd;
use crate::app::panes::{clamp_stream, motion, pause_follow, selected_event_index};
use crate::app::state::{Overlay, State};
use crate::app::update::stream::{COPY_MAX_BYTES, set_thread};
use crate::model::json_tree::JsonTree;
use crate::model::toolcall::{JUMP_SCAN, next_problem};
use crate::model::transcript::Filter;

/// Rows of the expanded view that hold tree rows (the frame, the call line and the tab bar
/// take the rest).
pub(crate) fn page(state: &State) -> usize {
    usize::from(state.size.1.saturating_sub(6)).max(1)
}

fn cursor(state: &State) -> usize {
    match &state.overlay {
        Some(Overlay::Event { nav }) => nav.cursor,
        _ => 0,
    }
}

fn tree_mut(state: &mut State) -> Option<&mut JsonTree> {
    let tab = state.inspector.tab;
    state.inspector.tabs.get_mut(tab).map(|(_, t)| t)
}

/// The tree row under the cursor.
fn row_at_cursor(state: &State) -> Option<usize> {
    let (_, t) = state.inspector.tabs.get(state.inspector.tab)?;
    t.visible.get(cursor(state)).map(|&r| r as usize)
}

fn set_cursor_row(state: &mut State, row: usize) {
    let at = state
        .inspector
        .tabs
        .get(state.inspector.tab)
        .and_then(|(_, t)| t.visible.iter().position(|&r| r as usize == row));
    let len = visible_len(state);
    let page = page(state);
    if let (Some(at), Some(Overlay::Event { nav })) = (at, &mut state.overlay) {
        nav.cursor = at;
        nav.clamp(len, page);
    }
}

fn visible_len(state: &State) -> usize {
    state
        .inspector
        .tabs
        .get(state.inspector.tab)
        .map_or(0, |(_, t)| t.visible.len())
}

fn set_tab(state: &mut State, tab: usize) {
    if tab < state.inspector.tabs.len() {
        state.inspector.tab = tab;
        if let Some(Overlay::Event { nav }) = &mut state.overlay {
            *nav = Default::default();
        }
    }
}

pub(crate) fn on_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    let page = page(state);
    if let Some(m) = motion(action) {
        let len = visible_len(state);
        if let Some(Overlay::Event { nav }) = &mut state.overlay {
            nav.apply(m, len, page);
        }
        return;
    }
    match action {
        Action::Back => state.overlay = None,
        Action::NextTab => {
            let n = state.inspector.tabs.len().max(1);
            set_tab(state, (state.inspector.tab + 1) % n);
        }
        Action::TabInput => set_tab(state, 0),
        Action::TabOutput => set_tab(state, 1),
        Action::TabRaw => set_tab(state, state.inspector.tabs.len().saturating_sub(1)),
        Action::ToggleFold | Action::FoldClose | Action::FoldOpen => {
            let Some(row) = row_at_cursor(state) else {
                return;
            };
            let fold = match action {
                Action::FoldClose => Some(true),
                Action::FoldOpen => Some(false),
                _ => None,
            };
            let changed = tree_mut(state).is_some_and(|t| t.set_fold(row, fold));
            // `h` on a row that cannot fold (or is folded already) goes to its parent, like a tree.
            if !changed && action == Action::FoldClose {
                let parent = tree_mut(state).and_then(|t| t.parent(row));
                if let Some(p) = parent {
                    set_cursor_row(state, p);
                }
            } else {
                set_cursor_row(state, row);
            }
        }
        Action::FoldAll | Action::UnfoldAll => {
            if let Some(t) = tree_mut(state) {
                t.fold_all(action == Action::FoldAll);
            }
            if let Some(Overlay::Event { nav }) = &mut state.overlay {
                *nav = Default::default();
            }
        }
        Action::Copy => {
            let text = row_at_cursor(state).and_then(|row| {
                let (_, t) = state.inspector.tabs.get(state.inspector.tab)?;
                Some(t.value_text(row))
            });
            match text {
                Some(text) => copy(state, text, "value", cmds),
                None => state.show_toast("nothing under the cursor", true),
            }
        }
        Action::CopyCall => match whole(state) {
            Some(text) => copy(state, text, "call", cmds),
            None => state.show_toast("no event selected", true),
        },
        Action::PrevProblem | Action::NextProblem => {
            jump_problem(state, action == Action::NextProblem)
        }
        Action::JumpPair => {
            let here = selected_event_index(state);
            let call = state.inspector.call.as_ref();
            match (call, here) {
                (Some(c), Some(i)) => match c.partner(i) {
                    Some(target) => {
                        select_event(state, target);
                    }
                    None => state.show_toast("this call has no result yet", true),
                },
                _ => state.show_toast("not a tool call: nothing to pair", true),
            }
        }
        Action::GoToThread => go_to_thread(state, cmds),
        Action::Search => {
            let q = state.inspector.search.clone().unwrap_or_default();
            state.inspector.typing = Some(Editor::single_line(&q));
        }
        Action::NextMatch | Action::PrevMatch => match state.inspector.search.clone() {
            Some(q) => search(state, &q, action == Action::NextMatch, false),
            None => state.show_toast("no search: press / first", true),
        },
        Action::Pager => {
            // The value under the cursor when nothing of it was left out, else the whole
            // event(s): the pager is where a big value is read in full.
            let cut = state
                .inspector
                .tabs
                .get(state.inspector.tab)
                .is_some_and(|(_, t)| t.cut);
            let value = (!cut)
                .then(|| {
                    let row = row_at_cursor(state)?;
                    let (_, t) = state.inspector.tabs.get(state.inspector.tab)?;
                    Some(t.value_text(row))
                })
                .flatten();
            match value.or_else(|| whole(state)) {
                Some(text) => cmds.push(Cmd::Pager(text)),
                None => state.show_toast("no event selected", true),
            }
        }
        _ => {}
    }
}

/// Put the stream cursor on transcript event `index` (the inspector follows it). An event the
/// kind filter hides clears that filter first, and says so. `false` when it cannot be shown.
pub(crate) fn select_event(state: &mut State, index: usize) -> bool {
    let Some(w) = &state.watched else {
        return false;
    };
    let (shown, filter) = w.shown(&state.stream.filter);
    let (row, cleared) = match shown.row_of(&filter, index) {
        Some(row) => (Some(row), false),
        None => {
            let all = Filter {
                classes: Vec::new(),
                thread: filter.thread.clone(),
            };
            (shown.row_of(&all, index), true)
        }
    };
    let Some(row) = row else {
        state.show_toast("that event is not in this view", true);
        return false;
    };
    if cleared {
        state.stream.filter.classes.clear();
        state.show_toast("kind filter cleared to show it", false);
    }
    pause_follow(state);
    state.stream.nav.cursor = row;
    clamp_stream(state);
    true
}

/// `[`/`]`: the previous/next error or denied call in the stream's thread.
fn jump_problem(state: &mut State, forward: bool) {
    let Some(here) = selected_event_index(state) else {
        state.show_toast("no event selected", true);
        return;
    };
    let found = state.watched.as_ref().and_then(|w| {
        let (shown, filter) = w.shown(&state.stream.filter);
        next_problem(shown, filter.thread, here, forward)
    });
    match found {
        Some(i) => {
            select_event(state, i);
        }
        None => state.show_toast(
            &format!(
                "no {} error or denied call (looked at up to {JUMP_SCAN} tool events)",
                if forward { "later" } else { "earlier" }
            ),
            true,
        ),
    }
}

/// `t`: show the stream of the thread the call belongs to.
fn go_to_thread(state: &mut State, cmds: &mut Vec<Cmd>) {
    let thread = state.inspector.call.as_ref().and_then(|c| c.thread.clone());
    match thread {
        None => state.show_toast("this call is on the primary thread", false),
        Some(t) if state.stream.filter.thread.as_deref() == Some(t.as_str()) => {
            state.show_toast(&format!("already showing thread {t}"), false)
        }
        Some(t) => {
            state.overlay = None;
            state.focus = crate::app::state::Pane::Events;
            set_thread(state, Some(t.clone()), cmds);
            state.show_toast(&format!("showing thread {t} (T cycles threads)"), false);
        }
    }
}

/// Move the cursor to the next/previous row of the current tab matching `q`, unfolding what
/// hides it; `here` also accepts the row under the cursor (a new search).
fn search(state: &mut State, q: &str, forward: bool, here: bool) {
    let row = row_at_cursor(state).unwrap_or(0);
    let found = state
        .inspector
        .tabs
        .get(state.inspector.tab)
        .and_then(|(_, t)| {
            if here
                && t.rows
                    .get(row)
                    .is_some_and(|r| crate::model::json_tree::row_matches(r, q))
            {
                Some(row)
            } else {
                t.find(q, row, forward)
            }
        });
    match found {
        Some(hit) => {
            if let Some(t) = tree_mut(state) {
                t.reveal(hit);
            }
            set_cursor_row(state, hit);
        }
        None => state.show_toast(
            &format!(
                "no {} match for {q:?} in this tab",
                if forward { "later" } else { "earlier" }
            ),
            true,
        ),
    }
}

/// Keys while the inspector's `/` query is typed.
pub(crate) fn on_search_key(state: &mut State, key: KeyEvent) {
    let Some(editor) = &mut state.inspector.typing else {
        return;
    };
    match editor.key(key) {
        Edit::Cancel => state.inspector.typing = None,
        Edit::Submit => {
            let q = editor.text();
            state.inspector.typing = None;
            if q.is_empty() {
                state.inspector.search = None;
            } else {
                state.inspector.search = Some(q.clone());
                search(state, &q, true, true);
            }
        }
        Edit::Changed | Edit::Moved => {}
    }
}

/// The raw JSON of the selected call (use, confirmation, result) or event, one per line.
fn whole(state: &State) -> Option<String> {
    let w = state.watched.as_ref()?;
    let (shown, _) = w.shown(&state.stream.filter);
    let i = selected_event_index(state)?;
    let indexes: Vec<usize> = match &state.inspector.call {
        Some(c) => [c.use_index, c.confirm_index, c.result_index]
            .into_iter()
            .flatten()
            .collect(),
        None => vec![i],
    };
    let parts: Vec<&str> = indexes
        .into_iter()
        .filter_map(|i| shown.get(i).map(|e| e.raw))
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n"))
}

fn copy(state: &mut State, text: String, what: &str, cmds: &mut Vec<Cmd>) {
    let n = text.len();
    if n <= COPY_MAX_BYTES {
        cmds.push(Cmd::Copy(text));
        state.show_toast(&format!("copied {what} ({n} bytes) via OSC 52"), false);
    } else {
        state.show_toast(
            &format!("{what} is {n} bytes, too large for the clipboard: o opens it in $PAGER"),
            true,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures::demo_state;
    use crate::app::frame::prepare_frame;
    use crate::app::state::Pane;
    use crate::app::update::testing::*;

    fn open_failed_edit() -> State {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Events;
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
        key(&mut s, KeyCode::Enter);
        s
    }

    #[test]
    fn tabs_fold_and_copy_in_the_expanded_call() {
        let mut s = open_failed_edit();
        assert!(matches!(s.overlay, Some(Overlay::Event { .. })));
        assert_eq!(s.inspector.tab, 1);
        key(&mut s, KeyCode::Char('1'));
        assert_eq!(s.inspector.tab, 0);
        key(&mut s, KeyCode::Tab);
        key(&mut s, KeyCode::Tab);
        assert_eq!(s.inspector.tab, 2);
        // Raw: fold the root with `h`, unfold with `l`.
        let all = s.inspector.tabs[2].1.visible.len();
        key(&mut s, KeyCode::Char('h'));
        assert_eq!(s.inspector.tabs[2].1.visible.len(), 1);
        key(&mut s, KeyCode::Char('l'));
        assert_eq!(s.inspector.tabs[2].1.visible.len(), all);
        key(&mut s, KeyCode::Char('M'));
        assert!(s.inspector.tabs[2].1.visible.len() < all);
        key(&mut s, KeyCode::Char('R'));
        assert_eq!(s.inspector.tabs[2].1.visible.len(), all);
        // `y` on the first field copies its value.
        key(&mut s, KeyCode::Down);
        let cmds = key(&mut s, KeyCode::Char('y'));
        let row = s.inspector.tabs[2].1.visible[1] as usize;
        let want = s.inspector.tabs[2].1.rows[row].text.clone();
        assert_eq!(cmds, vec![Cmd::Copy(want)]);
        // `o` hands the value to the pager; q closes.
        let cmds = key(&mut s, KeyCode::Char('o'));
        assert!(matches!(cmds.as_slice(), [Cmd::Pager(_)]));
        key(&mut s, KeyCode::Char('q'));
        assert!(s.overlay.is_none());
    }

    fn selected_id(s: &State) -> String {
        selected_event_index(s)
            .and_then(|i| {
                s.watched
                    .as_ref()?
                    .transcript
                    .get(i)
                    .map(|e| e.id.to_string())
            })
            .unwrap_or_default()
    }

    #[test]
    fn jumps_between_problems_use_and_result_and_search() {
        let mut s = open_failed_edit();
        assert_eq!(selected_id(&s), "ev_09");
        // `]` from the failed edit's use: its error result, then the session error.
        key(&mut s, KeyCode::Char(']'));
        assert_eq!(selected_id(&s), "ev_10");
        prepare_frame(&mut s);
        assert_eq!(s.inspector.title, "edit · error");
        key(&mut s, KeyCode::Char(']'));
        assert_eq!(selected_id(&s), "ev_11");
        key(&mut s, KeyCode::Char(']'));
        assert_eq!(selected_id(&s), "ev_11");
        assert!(
            s.toast
                .as_ref()
                .is_some_and(|t| t.text.contains("no later error"))
        );
        key(&mut s, KeyCode::Char('['));
        assert_eq!(selected_id(&s), "ev_10");
        prepare_frame(&mut s);
        // `p` goes from the result to its use and back.
        key(&mut s, KeyCode::Char('p'));
        assert_eq!(selected_id(&s), "ev_09");
        prepare_frame(&mut s);
        key(&mut s, KeyCode::Char('%'));
        assert_eq!(selected_id(&s), "ev_10");
        prepare_frame(&mut s);
        // `/` on the Raw tab finds the key, n finds nothing more.
        key(&mut s, KeyCode::Char('3'));
        key(&mut s, KeyCode::Char('/'));
        for c in "tool_use".chars() {
            key(&mut s, KeyCode::Char(c));
        }
        key(&mut s, KeyCode::Enter);
        let row = row_at_cursor(&s).unwrap();
        assert_eq!(
            s.inspector.tabs[2].1.rows[row].key.as_deref(),
            Some("tool_use_id")
        );
        assert_eq!(s.inspector.search.as_deref(), Some("tool_use"));
        // A kind filter that hides the target is cleared to show it.
        s.stream.filter.classes = vec![crate::model::transcript::EventClass::Error];
        s.stream.nav.cursor = 0;
        prepare_frame(&mut s);
        assert_eq!(selected_id(&s), "ev_10");
        key(&mut s, KeyCode::Char('p'));
        assert_eq!(selected_id(&s), "ev_09");
        assert!(s.stream.filter.classes.is_empty());
    }
}
