//! Page sizes of the panes and moving within them (shared by update and the views).

use crate::app::state::State;
use crate::ui::layout;

pub(crate) fn areas(state: &State) -> layout::Areas {
    layout::areas(
        state.size.0,
        state.size.1,
        state.input.is_some() || state.toast.is_some(),
    )
}

pub(crate) fn list_page(state: &State) -> usize {
    layout::session_rows(areas(state).sessions).max(1)
}

pub(crate) fn stream_page(state: &State) -> usize {
    layout::inner_rows(areas(state).events).max(1)
}

pub(crate) fn clamp_list(state: &mut State) {
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

pub(crate) fn clamp_stream(state: &mut State) {
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

pub(crate) fn pause_follow(state: &mut State) {
    if state.stream.follow {
        state.stream.follow = false;
        state.stream.paused_at_count = state.stream_len();
    }
}

pub(crate) fn move_list(state: &mut State, to: isize) {
    let len = state.sessions.view_len() as isize;
    state.list_cursor = to.clamp(0, (len - 1).max(0)) as usize;
    clamp_list(state);
}

pub(crate) fn move_stream(state: &mut State, to: isize) {
    pause_follow(state);
    let len = state.stream_len() as isize;
    state.stream.cursor = to.clamp(0, (len - 1).max(0)) as usize;
    clamp_stream(state);
}

pub(crate) fn selected_event_index(state: &State) -> Option<usize> {
    let w = state.watched.as_ref()?;
    let c = state.stream.cursor;
    let (shown, filter) = w.shown(&state.stream.filter);
    shown.rows(&filter, c..c + 1).first().map(|r| r.index)
}
