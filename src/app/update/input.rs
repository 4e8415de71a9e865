//! The bottom input line (`:` commands, `/` filter, stream search): its keys and what Enter does.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::commands::{self, Run};
use crate::app::editor::Edit;
use crate::app::msg::Cmd;
use crate::app::panes::*;
use crate::app::state::{InputKind, Overlay, State};
use crate::app::update::{
    actions::on_action, search::search_step, session_actions, sessions::follow_selection,
};
use crate::app::views::set_view;

pub(crate) fn on_key(state: &mut State, key: KeyEvent, cmds: &mut Vec<Cmd>) {
    if state.input.is_some() {
        on_input_key(state, key, cmds);
        return;
    }
    if state.needs.editor.is_some() {
        crate::app::update::needs::on_editor_key(state, key, cmds);
        return;
    }
    if state.inspector.typing.is_some() {
        crate::app::update::inspector::on_search_key(state, key);
        return;
    }
    if state.view == crate::app::state::View::Memory && state.memory.typing() {
        crate::app::update::memory::on_typing_key(state, key);
        return;
    }
    if state.view == crate::app::state::View::Detail && state.detail.typing() {
        crate::app::update::detail::on_typing_key(state, key, cmds);
        return;
    }
    if matches!(state.overlay, Some(Overlay::Compose(_))) {
        session_actions::on_compose_key(state, key, cmds);
        return;
    }
    if state.toast.is_some() && key.code == KeyCode::Esc {
        state.toast = None;
        return;
    }
    if crate::app::update::review::on_editor_key(state, key, cmds) {
        return;
    }
    if crate::app::update::deployments::on_form_key(state, key, cmds) {
        return;
    }
    let ctx = state.context();
    if let Some(action) = state.keymap.lookup(ctx, &key) {
        on_action(state, action, cmds);
    }
}

pub(crate) fn on_input_key(state: &mut State, key: KeyEvent, cmds: &mut Vec<Cmd>) {
    let Some(input) = &mut state.input else {
        return;
    };
    // Backspace on an empty `:` line closes it (as in vim).
    if key.code == KeyCode::Backspace && input.kind == InputKind::Command && input.editor.is_empty()
    {
        state.input = None;
        return;
    }
    if key.code == KeyCode::Tab && key.modifiers == KeyModifiers::NONE {
        if input.kind == InputKind::Command
            && let Some(done) = complete(&input.text())
        {
            input.editor.set_text(done);
        }
        return;
    }
    match input.editor.key(key) {
        Edit::Cancel => {
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
        Edit::Submit => {
            let kind = input.kind;
            let text = input.text();
            state.input = None;
            match kind {
                InputKind::Command => run_command(state, text.trim(), cmds),
                InputKind::SessionFilter => {}
                InputKind::EventSearch => {
                    state.stream.search_hits = None;
                    if text.is_empty() {
                        state.stream.search = None;
                    } else {
                        state.stream.search = Some(text.clone());
                        let from = state.stream.nav.cursor;
                        search_step(state, text, from, true, 0, cmds);
                    }
                }
            }
        }
        Edit::Changed => input_changed(state),
        Edit::Moved => {}
    }
}

pub use crate::app::commands::complete;

pub(crate) fn input_changed(state: &mut State) {
    let Some(input) = &state.input else {
        return;
    };
    let text = input.text();
    match input.kind {
        InputKind::EventSearch => {
            // Highlight matches while typing; Enter moves to one.
            state.stream.search = (!text.is_empty()).then_some(text);
            state.stream.search_hits = None;
        }
        InputKind::SessionFilter => {
            state.sessions.set_filter(&text);
            state.list.cursor = 0;
            clamp_list(state);
        }
        InputKind::Command => {}
    }
}

pub(crate) fn run_command(state: &mut State, typed: &str, cmds: &mut Vec<Cmd>) {
    match commands::parse(typed) {
        Some(c) => match c.run {
            Run::View(crate::app::state::View::Review) => {
                crate::app::update::review::open(state, None, cmds)
            }
            Run::View(crate::app::state::View::Detail) => {
                crate::app::update::detail::open(state, cmds)
            }
            Run::View(crate::app::state::View::Threads) => {
                crate::app::update::threads::open(state, cmds)
            }
            Run::View(view) => set_view(state, view, cmds),
            Run::Action(action) => on_action(state, action, cmds),
        },
        None if typed.trim().is_empty() => {}
        None => state.show_toast(
            &format!("unknown command :{} (Tab completes)", typed.trim()),
            true,
        ),
    }
}

/// A key press: the input line takes it when open, else the keymap of the current context.
pub(crate) fn on_key_msg(state: &mut State, key: KeyEvent, cmds: &mut Vec<Cmd>) {
    state.dirty = true;
    state.list_touched = true;
    let before = state.selected_session().map(String::from);
    on_key(state, key, cmds);
    follow_selection(state, before, cmds);
}

/// Pasted text goes into the open input line, as one line.
pub(crate) fn on_paste(state: &mut State, pasted: &str) {
    if state.needs.editor.is_some() {
        crate::app::update::needs::on_editor_paste(state, pasted);
        return;
    }
    if state.view == crate::app::state::View::Memory && state.memory.typing() {
        crate::app::update::memory::on_paste(state, pasted);
        return;
    }
    if crate::app::update::review::on_paste(state, pasted) {
        return;
    }
    if crate::app::update::deployments::on_paste(state, pasted) {
        return;
    }
    if let Some(editor) = &mut state.inspector.typing {
        editor.paste(pasted);
        return;
    }
    if state.view == crate::app::state::View::Detail && state.detail.typing() {
        crate::app::update::detail::on_paste(state, pasted);
        return;
    }
    if let Some(input) = &mut state.input {
        if input.editor.paste(pasted) == Edit::Changed {
            input_changed(state);
        }
        state.dirty = true;
    } else if let Some(Overlay::Compose(c)) = &mut state.overlay
        && let Some(editor) = c.focused()
    {
        editor.paste(pasted);
        state.dirty = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures::demo_state;
    use crate::app::update::testing::*;

    #[test]
    fn command_line_completes_and_switches_views() {
        let mut s = demo_state(120, 40);
        key(&mut s, KeyCode::Char(':'));
        key(&mut s, KeyCode::Char('d'));
        key(&mut s, KeyCode::Char('r'));
        key(&mut s, KeyCode::Tab);
        assert_eq!(s.input.as_ref().unwrap().text(), "dreams");
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
}
