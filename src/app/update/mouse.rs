//! Clicks and the wheel.

use crossterm::event::MouseEventKind;

use crate::app::keymap::Action;
use crate::app::msg::Cmd;
use crate::app::panes::*;
use crate::app::state::{Pane, State};
use crate::app::update::{actions::on_action, sessions::follow_selection};
use crate::app::views::{self};
use crate::model::nav::Motion;

fn mouse_event(state: &mut State, m: crossterm::event::MouseEvent, cmds: &mut Vec<Cmd>) {
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
                move_list(state, Motion::To(state.list.offset + row));
            } else {
                let row = m.row.saturating_sub(a.events.y + 1) as usize;
                move_stream(state, Motion::To(state.stream.nav.offset + row));
            }
        }
        _ => {}
    }
}

pub(crate) fn on_mouse(state: &mut State, m: crossterm::event::MouseEvent, cmds: &mut Vec<Cmd>) {
    let before = state.selected_session().map(String::from);
    mouse_event(state, m, cmds);
    follow_selection(state, before, cmds);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures::{self};
    use crate::app::update::testing::*;

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
        assert_eq!(s.list.cursor, 3);
        assert!(s.list_touched);
        let row3 = s.selected_session().unwrap().to_string();
        assert_eq!(update(&mut s, settle_msg(cmds)), vec![Cmd::Watch(row3)]);
    }
}
