//! Session detail (`d`): read the session whole, scroll its document, rename it (`R`) and
//! edit its metadata (`e`) through `POST /v1/sessions/{id}`. Writes are refused in read-only
//! mode; a failed write keeps the editor open with what was typed.

use crossterm::event::KeyEvent;

use crate::api::params::UpdateSessionParams;
use crate::api::types::Patch;
use crate::app::detail_view::{DetailEdit, DetailView, EditKind, metadata_patch, metadata_text};
use crate::app::editor::{Edit, Editor};
use crate::app::keymap::Action;
use crate::app::msg::Cmd;
use crate::app::panes::motion;
use crate::app::session_info::{InfoCmd, InfoMsg};
use crate::app::state::{State, View};

/// Lines of the document on screen (the whole body, less borders).
pub(crate) fn page(state: &State) -> usize {
    let a = crate::app::panes::areas(state);
    crate::ui::layout::inner_rows(a.sessions.union(crate::ui::layout::detail(&a))).max(1)
}

/// `d` on a session (the list's selection, or the watched one elsewhere).
pub(crate) fn open(state: &mut State, cmds: &mut Vec<Cmd>) {
    let id = match state.view {
        View::Sessions | View::Needs => state.selected_session().map(String::from),
        _ => state.watched.as_ref().map(|w| w.session_id.clone()),
    };
    let Some(id) = id else {
        state.show_toast("no session selected", true);
        return;
    };
    let from_threads = state.view == View::Threads;
    state.detail = DetailView::open(&id);
    state.detail.back_to_threads = from_threads;
    state.view = View::Detail;
    state.dirty = true;
    cmds.push(Cmd::Info(InfoCmd::LoadSession { session_id: id }));
}

fn close(state: &mut State) {
    state.view = if state.detail.back_to_threads {
        View::Threads
    } else {
        View::Sessions
    };
    state.detail.edit = None;
    state.dirty = true;
}

pub(crate) fn on_info(state: &mut State, msg: InfoMsg, _cmds: &mut Vec<Cmd>) {
    match msg {
        InfoMsg::SessionLoaded { session_id, result } => {
            let d = &mut state.detail;
            if d.session_id != session_id {
                return;
            }
            match result {
                Ok(s) => d.set_session(*s),
                Err(e) => {
                    d.fetch.loading = false;
                    d.fetch.error = Some(crate::text::one_line(&e));
                    if state.view == View::Detail {
                        state.show_toast(&format!("session: {e}"), true);
                    }
                }
            }
            let len = state.detail.doc.len();
            let page = page(state);
            state.detail.scroll.clamp(len, page);
            state.dirty = true;
        }
        InfoMsg::Updated {
            session_id,
            what,
            result,
        } => {
            let mine = state.detail.session_id == session_id;
            match result {
                Ok(s) => {
                    if mine {
                        state.detail.edit = None;
                        state.detail.set_session(*s);
                    }
                    state.show_toast(
                        &format!("{what} saved for {}", crate::text::one_line(&session_id)),
                        false,
                    );
                }
                Err(e) => {
                    if mine && let Some(edit) = &mut state.detail.edit {
                        // Keep what was typed: fix and send again, or Esc.
                        edit.saving = false;
                    }
                    state.show_toast(&format!("{what} not saved: {e}"), true);
                }
            }
            state.dirty = true;
        }
        InfoMsg::ThreadsListed { .. } | InfoMsg::ThreadsPoll { .. } => {}
    }
}

pub(crate) fn on_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    match action {
        Action::Back => close(state),
        Action::Refresh => {
            let id = state.detail.session_id.clone();
            state.detail.fetch.loading = state.detail.session.is_none();
            cmds.push(Cmd::Info(InfoCmd::LoadSession { session_id: id }));
        }
        Action::Rename | Action::Edit => {
            if state.read_only {
                state.show_toast("read-only: editing the session is disabled", true);
                return;
            }
            let Some(s) = &state.detail.session else {
                state.show_toast("the session has not loaded yet", true);
                return;
            };
            state.detail.edit = Some(if action == Action::Rename {
                DetailEdit {
                    kind: EditKind::Title,
                    editor: Editor::single_line(s.title.as_deref().unwrap_or("")),
                    saving: false,
                }
            } else {
                DetailEdit {
                    kind: EditKind::Metadata,
                    editor: Editor::multi_line(&metadata_text(&s.metadata)),
                    saving: false,
                }
            });
        }
        a => {
            if let Some(m) = motion(a) {
                let (len, page) = (state.detail.doc.len(), page(state));
                // The cursor is the first line shown: it stops where the last page begins.
                state
                    .detail
                    .scroll
                    .apply(m, len.saturating_sub(page) + 1, 1);
            }
        }
    }
}

/// A key while an editor is open.
pub(crate) fn on_typing_key(state: &mut State, key: KeyEvent, cmds: &mut Vec<Cmd>) {
    let Some(edit) = &mut state.detail.edit else {
        return;
    };
    match edit.editor.key(key) {
        Edit::Cancel => state.detail.edit = None,
        Edit::Submit => submit(state, cmds),
        Edit::Changed | Edit::Moved => {}
    }
    state.dirty = true;
}

pub(crate) fn on_paste(state: &mut State, pasted: &str) {
    if let Some(edit) = &mut state.detail.edit
        && !edit.saving
    {
        edit.editor.paste(pasted);
        state.dirty = true;
    }
}

fn submit(state: &mut State, cmds: &mut Vec<Cmd>) {
    if state.read_only {
        state.detail.edit = None;
        state.show_toast("read-only: editing the session is disabled", true);
        return;
    }
    let (Some(edit), Some(s)) = (&mut state.detail.edit, &state.detail.session) else {
        return;
    };
    let text = edit.editor.text();
    let (params, what) = match edit.kind {
        EditKind::Title => {
            let title = text.trim().to_string();
            (
                UpdateSessionParams {
                    title: if title.is_empty() {
                        Patch::Clear
                    } else {
                        Patch::Set(title)
                    },
                    metadata: None,
                },
                "title",
            )
        }
        EditKind::Metadata => match metadata_patch(&s.metadata, &text) {
            Ok(p) if p.is_empty() => {
                state.detail.edit = None;
                state.show_toast("metadata unchanged", false);
                return;
            }
            Ok(p) => (
                UpdateSessionParams {
                    title: Patch::Keep,
                    metadata: Some(p),
                },
                "metadata",
            ),
            Err(e) => {
                state.show_toast(&format!("metadata: {e}"), true);
                return;
            }
        },
    };
    edit.saving = true;
    cmds.push(Cmd::Info(InfoCmd::Update {
        session_id: s.id.clone(),
        params,
        what,
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::Session;
    use crate::app::fixtures::demo_state;
    use crate::app::update::testing::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    /// The metadata keys a patch deletes.
    fn deleted_keys(p: &BTreeMap<String, Option<String>>) -> Vec<&str> {
        p.iter()
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| k.as_str())
            .collect()
    }

    fn session(id: &str) -> Session {
        serde_json::from_value(json!({
            "type": "session", "id": id, "status": "idle", "title": "Fix invoices",
            "metadata": {"team": "billing", "ticket": "8812"},
            "agent": {"type": "agent", "id": "agent_1", "version": 2, "name": "Repo Engineer",
                      "model": {"id": "claude-sonnet-5-5"}, "tools": [], "mcp_servers": [], "skills": []},
            "usage": {"list_cost": {"amount": "50", "currency": "USD"}},
            "budget": {"type": "limit", "max_list_cost": {"amount": "60", "currency": "USD"}}
        }))
        .unwrap()
    }

    fn open_loaded(s: &mut State) -> String {
        let cmds = key(s, KeyCode::Char('d'));
        let id = s.selected_session().unwrap().to_string();
        assert_eq!(
            cmds,
            vec![Cmd::Info(InfoCmd::LoadSession {
                session_id: id.clone()
            })]
        );
        assert_eq!(s.view, View::Detail);
        let _ = update(
            s,
            Msg::Info(InfoMsg::SessionLoaded {
                session_id: id.clone(),
                result: Ok(Box::new(session(&id))),
            }),
        );
        id
    }

    #[test]
    fn edit_metadata_sends_a_patch_and_keeps_the_text_on_failure() {
        let mut s = demo_state(120, 40);
        let id = open_loaded(&mut s);
        assert!(!s.detail.doc.is_empty());
        key(&mut s, KeyCode::Char('e'));
        assert_eq!(s.context(), crate::app::keymap::Context::Input);
        // Replace the second line: ticket removed, priority added.
        let e = &mut s.detail.edit.as_mut().unwrap().editor;
        e.set_text("team=billing\npriority=high");
        let cmds = ctrl(&mut s, 's');
        let [Cmd::Info(InfoCmd::Update { params, what, .. })] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(*what, "metadata");
        let m = params.metadata.as_ref().unwrap();
        assert_eq!(m.get("priority"), Some(&Some("high".to_string())));
        assert_eq!(deleted_keys(m), vec!["ticket"]);
        // A failure: one line with the request id, the editor keeps the text.
        let _ = update(
            &mut s,
            Msg::Info(InfoMsg::Updated {
                session_id: id.clone(),
                what: "metadata",
                result: Err("409 conflict_error: busy (request-id req_1)".into()),
            }),
        );
        assert_eq!(
            s.toast.as_ref().unwrap().text,
            "metadata not saved: 409 conflict_error: busy (request-id req_1)"
        );
        let edit = s.detail.edit.as_ref().unwrap();
        assert!(!edit.saving);
        assert_eq!(edit.editor.text(), "team=billing\npriority=high");
        // Success closes the editor and shows the new session.
        let mut after = session(&id);
        after.metadata.remove("ticket");
        after.metadata.insert("priority".into(), "high".into());
        let _ = update(
            &mut s,
            Msg::Info(InfoMsg::Updated {
                session_id: id.clone(),
                what: "metadata",
                result: Ok(Box::new(after)),
            }),
        );
        assert!(s.detail.edit.is_none());
        assert_eq!(
            s.detail.session.as_ref().unwrap().metadata.get("priority"),
            Some(&"high".to_string())
        );
    }

    #[test]
    fn rename_sends_the_title_and_read_only_refuses() {
        let mut s = demo_state(120, 40);
        open_loaded(&mut s);
        key(&mut s, KeyCode::Char('R'));
        s.detail
            .edit
            .as_mut()
            .unwrap()
            .editor
            .set_text("  New title ");
        let cmds = key(&mut s, KeyCode::Enter);
        let [Cmd::Info(InfoCmd::Update { params, what, .. })] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(
            (*what, &params.title),
            ("title", &Patch::Set("New title".into()))
        );
        // Read-only: no editor, a clear toast.
        s.detail.edit = None;
        s.read_only = true;
        assert!(key(&mut s, KeyCode::Char('R')).is_empty());
        assert!(s.detail.edit.is_none());
        assert_eq!(
            s.toast.as_ref().unwrap().text,
            "read-only: editing the session is disabled"
        );
        key(&mut s, KeyCode::Esc);
        key(&mut s, KeyCode::Esc);
        assert_eq!(s.view, View::Sessions);
    }
}
