//! Page sizes of the panes and moving within them (shared by update and the views).

use crate::app::keymap::Action;
use crate::app::state::State;
use crate::model::nav::Motion;
use crate::ui::layout;

/// The motion a movement key asks for (None for other actions).
pub(crate) fn motion(action: Action) -> Option<Motion> {
    Some(match action {
        Action::Up => Motion::Up,
        Action::Down => Motion::Down,
        Action::PageUp => Motion::PageUp,
        Action::PageDown => Motion::PageDown,
        Action::Top => Motion::Top,
        Action::Bottom => Motion::Bottom,
        _ => return None,
    })
}

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

/// Rows of the detail pane beside a resource list.
pub(crate) fn detail_page(state: &State) -> usize {
    layout::inner_rows(layout::detail(&areas(state))).max(1)
}

pub(crate) fn clamp_list(state: &mut State) {
    let (len, page) = (state.sessions.view_len(), list_page(state));
    state.list.clamp(len, page);
}

pub(crate) fn clamp_stream(state: &mut State) {
    let (len, page) = (state.stream_len(), stream_page(state));
    if state.stream.follow {
        state.stream.nav.to_end(len, page);
    } else {
        state.stream.nav.clamp(len, page);
    }
}

pub(crate) fn pause_follow(state: &mut State) {
    if state.stream.follow {
        state.stream.follow = false;
        state.stream.paused_at_count = state.stream_len();
    }
}

pub(crate) fn move_list(state: &mut State, motion: Motion) {
    let (len, page) = (state.sessions.view_len(), list_page(state));
    state.list.apply(motion, len, page);
}

/// Any move of the stream cursor pauses follow mode.
pub(crate) fn move_stream(state: &mut State, motion: Motion) {
    pause_follow(state);
    let (len, page) = (state.stream_len(), stream_page(state));
    state.stream.nav.apply(motion, len, page);
}

pub(crate) fn selected_event_index(state: &State) -> Option<usize> {
    let w = state.watched.as_ref()?;
    let c = state.stream.nav.cursor;
    let (shown, filter) = w.shown(&state.stream.filter);
    shown.rows(&filter, c..c + 1).first().map(|r| r.index)
}
