//! One keymap action in its context: the global ones and the overlays here; panes get their own.

use crate::app::keymap::Action;
use crate::app::msg::Cmd;
use crate::app::panes::motion;
use crate::app::state::{BulkAction, InputKind, InputLine, Overlay, Pane, State, View};
use crate::app::update::{session_actions, sessions::on_sessions_action, stream::on_events_action};
use crate::app::views::{self, set_view};

pub(crate) fn on_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    let ctx = state.context();
    use crate::app::keymap::Context as C;
    match (ctx, action) {
        (_, Action::Quit) => {
            state.quit = true;
            cmds.push(Cmd::Quit);
        }
        (_, Action::ShowHelp) => {
            state.overlay = Some(Overlay::Help {
                nav: Default::default(),
            })
        }
        (_, Action::CommandLine) => state.input = Some(InputLine::new(InputKind::Command, "")),
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
            state.show_toast(msg, false);
        }
        (C::Detail, Action::Refresh) => crate::app::update::detail::on_action(state, action, cmds),
        (c, Action::Refresh) if c != C::Review => {
            if state.view.is_resource() {
                views::load(state, cmds);
            } else {
                cmds.push(Cmd::RefreshNow);
            }
        }
        (_, Action::Suspend) => cmds.push(Cmd::Suspend),
        (_, Action::ViewNeeds) => set_view(state, View::Needs, cmds),
        (c, Action::Audit) if !matches!(c, C::Memory | C::MemoryVersions | C::MemoryAudit) => {
            if state.view != View::Memory {
                set_view(state, View::Memory, cmds);
            }
            crate::app::update::memory::open_audit(state, cmds);
        }
        (C::Help, a) if motion(a).is_some() => {
            // Stop at the last line (the overlay's text depends on the width only).
            let area = ratatui::layout::Rect::new(0, 0, state.size.0, state.size.1);
            let max = usize::from(crate::ui::overlays::help_max_scroll(state, area));
            let page = usize::from(state.size.1.saturating_sub(4)).max(1);
            if let (Some(m), Some(Overlay::Help { nav })) = (motion(a), &mut state.overlay) {
                nav.apply(m, max + 1, page);
            }
        }
        (C::Help, Action::Back) => state.overlay = None,
        (C::Confirm, Action::Yes | Action::No) if state.needs.confirm.is_some() => {
            crate::app::update::needs::on_confirm(state, action == Action::Yes, cmds)
        }
        (C::Needs, a) => crate::app::update::needs::on_action(state, a, cmds),
        (C::Confirm, Action::Yes | Action::No)
            if state.view == View::Deployments && state.deployments.confirm.is_some() =>
        {
            crate::app::update::deployments::on_confirm(state, action == Action::Yes, cmds)
        }
        (C::Deployments | C::DeploymentForm, a) => {
            crate::app::update::deployments::on_action(state, a, cmds)
        }
        (C::Confirm, a) if state.memory.confirm.is_some() => {
            crate::app::update::memory::on_confirm(state, a, cmds)
        }
        (C::Confirm, Action::Yes | Action::No)
            if matches!(state.overlay, Some(Overlay::Interrupt { .. })) =>
        {
            session_actions::on_confirm(state, action == Action::Yes, cmds)
        }
        (
            C::Sessions | C::Events,
            Action::Interrupt | Action::SendMessage | Action::DefineOutcome,
        ) => session_actions::on_action(state, action),
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
                state.show_toast(&format!("{verb} {n} session(s)…"), false);
            }
        }
        (C::Confirm, Action::No) => state.overlay = None,
        (C::Inspector, a) => crate::app::update::inspector::on_action(state, a, cmds),
        (C::Review | C::ReviewConfirm | C::DreamForm, a) => {
            crate::app::update::review::on_action(state, a, cmds)
        }
        (
            C::Dreams,
            a @ (Action::OpenReview
            | Action::StartDream
            | Action::CancelDream
            | Action::ArchiveDream
            | Action::Open),
        ) if crate::app::update::review::on_dreams_action(state, a, cmds) => {}
        (C::Memory | C::MemoryVersions | C::MemoryAudit | C::Dreams, a) => {
            views::on_action(state, a, cmds)
        }
        // Threads tree and session detail.
        (C::Detail, a) => crate::app::update::detail::on_action(state, a, cmds),
        (C::Threads | C::Conversation, a) => crate::app::update::threads::on_action(state, a, cmds),
        (C::Sessions, Action::OpenDetail) => crate::app::update::detail::open(state, cmds),
        (C::Sessions, Action::ViewThreads) => crate::app::update::threads::open(state, cmds),
        (C::Sessions, a) => on_sessions_action(state, a, cmds),
        (C::Events, a) => on_events_action(state, a, cmds),
        _ => {}
    }
}

/// A background action finished: say so, and refresh the list after a success.
pub(crate) fn on_done(state: &mut State, text: &str, error: bool, cmds: &mut Vec<Cmd>) {
    state.show_toast(text, error);
    if !error {
        cmds.push(Cmd::RefreshNow);
    }
}
