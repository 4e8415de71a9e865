//! Session actions from the list or the stream: `I` interrupt (after a confirm; only the
//! selected sub-agent thread when one is selected with `T`), `m` send a message and `O` define
//! an outcome (both in the compose overlay). Each runs as a `Cmd`; the result is a toast, and a
//! failed send keeps its draft so reopening shows what was typed.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::api::EventParams;
use crate::app::compose::{Compose, ComposeKind};
use crate::app::editor::Edit;
use crate::app::keymap::Action;
use crate::app::msg::Cmd;
use crate::app::state::{Overlay, Pane, State};

/// The session an action applies to: the watched one from the stream, else the list's.
fn target(state: &State) -> Option<String> {
    match (state.focus, &state.watched) {
        (Pane::Events, Some(w)) => Some(w.session_id.clone()),
        _ => state.selected_session().map(String::from),
    }
}

fn title_of(state: &State, session_id: &str) -> String {
    state
        .sessions
        .get(session_id)
        .map(|e| e.summary.title.clone())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| session_id.to_string())
}

pub(crate) fn on_action(state: &mut State, action: Action) {
    if state.read_only {
        state.show_toast(
            "read-only mode: interrupt, message and outcome are disabled",
            true,
        );
        return;
    }
    let Some(session_id) = target(state) else {
        state.show_toast("no session selected", true);
        return;
    };
    let title = title_of(state, &session_id);
    match action {
        Action::Interrupt => {
            // Only the thread shown with `T`, and only when it is this session's.
            let thread_id = state
                .watched
                .as_ref()
                .filter(|w| w.session_id == session_id)
                .and(state.stream.filter.thread.clone());
            state.overlay = Some(Overlay::Interrupt {
                session_id,
                thread_id,
            });
        }
        Action::SendMessage | Action::DefineOutcome => {
            let kind = if action == Action::SendMessage {
                ComposeKind::Message
            } else {
                ComposeKind::Outcome
            };
            let compose = state
                .drafts
                .get(&(session_id.clone(), kind))
                .cloned()
                .unwrap_or_else(|| match kind {
                    ComposeKind::Message => Compose::message(&session_id, &title),
                    ComposeKind::Outcome => Compose::outcome(&session_id, &title),
                });
            state.overlay = Some(Overlay::Compose(Box::new(compose)));
        }
        _ => {}
    }
}

/// `y`/`n` on the interrupt confirm.
pub(crate) fn on_confirm(state: &mut State, yes: bool, cmds: &mut Vec<Cmd>) {
    let Some(Overlay::Interrupt {
        session_id,
        thread_id,
    }) = state.overlay.take()
    else {
        return;
    };
    if !yes {
        return;
    }
    if state.read_only {
        state.show_toast("read-only mode: interrupt is disabled", true);
        return;
    }
    let what = match &thread_id {
        Some(t) => format!("thread {t} of {session_id}"),
        None => session_id.clone(),
    };
    state.show_toast(&format!("interrupting {what}…"), false);
    cmds.push(Cmd::Interrupt {
        session_id,
        thread_id,
    });
}

/// A key while the compose overlay is open: Tab moves between fields, the rest edits.
pub(crate) fn on_compose_key(state: &mut State, key: KeyEvent, cmds: &mut Vec<Cmd>) {
    let Some(Overlay::Compose(compose)) = &mut state.overlay else {
        return;
    };
    if key.code == KeyCode::Tab && key.modifiers == KeyModifiers::NONE {
        compose.next_field();
        return;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    let send = matches!(key.code, KeyCode::Char('s') if ctrl)
        || (key.code == KeyCode::Enter && (ctrl || alt));
    let Some(editor) = compose.focused() else {
        return;
    };
    // Enter in a one-line field moves on (it would submit a prompt); send works from any field.
    if key.code == KeyCode::Enter && !send && !editor.is_multi_line() {
        compose.next_field();
        return;
    }
    let edit = if send { Edit::Submit } else { editor.key(key) };
    match edit {
        Edit::Changed | Edit::Moved => {}
        Edit::Cancel => {
            if let Some(Overlay::Compose(c)) = state.overlay.take() {
                keep_draft(state, *c);
            }
        }
        Edit::Submit => {
            if let Some(Overlay::Compose(c)) = state.overlay.take() {
                submit(state, *c, cmds);
            }
        }
    }
}

/// Keep what was typed (nothing to keep when every field is empty).
fn keep_draft(state: &mut State, c: Compose) {
    let key = (c.session_id.clone(), c.kind);
    if c.fields.iter().all(|f| f.editor.is_empty()) {
        state.drafts.remove(&key);
    } else {
        state.drafts.insert(key, c);
    }
}

fn submit(state: &mut State, c: Compose, cmds: &mut Vec<Cmd>) {
    if state.read_only {
        state.show_toast("read-only mode: nothing was sent", true);
        keep_draft(state, c);
        return;
    }
    let session_id = c.session_id.clone();
    let cmd = match c.kind {
        ComposeKind::Message => {
            let text = c.field("message");
            if text.trim().is_empty() {
                state.show_toast("the message is empty; nothing was sent", true);
                state.overlay = Some(Overlay::Compose(Box::new(c)));
                return;
            }
            Cmd::SendMessage { session_id, text }
        }
        ComposeKind::Outcome => {
            let description = c.field("description").trim().to_string();
            let rubric = c.field("rubric");
            let max = c.field("max iterations").trim().to_string();
            let max_iterations = if max.is_empty() {
                None
            } else {
                match max.parse::<u32>() {
                    Ok(n) if n > 0 => Some(n),
                    _ => {
                        state.show_toast(
                            &format!("max iterations must be a whole number above 0, not {max:?}"),
                            true,
                        );
                        state.overlay = Some(Overlay::Compose(Box::new(c)));
                        return;
                    }
                }
            };
            if description.is_empty() || rubric.trim().is_empty() {
                state.show_toast("an outcome needs a description and a rubric", true);
                state.overlay = Some(Overlay::Compose(Box::new(c)));
                return;
            }
            Cmd::SendEvent {
                session_id,
                draft: ComposeKind::Outcome,
                event: EventParams::define_outcome(description, rubric, max_iterations),
            }
        }
    };
    let what = match c.kind {
        ComposeKind::Message => "sending message",
        ComposeKind::Outcome => "defining outcome",
    };
    state.show_toast(&format!("{what}…"), false);
    // Kept until the send succeeds: a failure loses nothing.
    state.drafts.insert((c.session_id.clone(), c.kind), c);
    cmds.push(cmd);
}

/// A session action finished: the toast, and a successful send forgets its draft.
pub(crate) fn on_done(
    state: &mut State,
    draft: Option<(String, ComposeKind)>,
    text: &str,
    error: bool,
) {
    let text = if error && draft.is_some() {
        format!("{text} (m/O reopens what you wrote)")
    } else {
        text.to_string()
    };
    if !error && let Some(key) = draft {
        state.drafts.remove(&key);
    }
    state.show_toast(&text, error);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures::demo_state;
    use crate::app::update::testing::*;

    fn typed(s: &mut State, text: &str) {
        for c in text.chars() {
            key(s, KeyCode::Char(c));
        }
    }

    fn compose(s: &State) -> &Compose {
        match &s.overlay {
            Some(Overlay::Compose(c)) => c,
            other => panic!("no compose overlay: {other:?}"),
        }
    }

    #[test]
    fn interrupt_asks_first_then_sends_for_the_selected_session() {
        let mut s = demo_state(120, 40);
        let id = s.selected_session().unwrap().to_string();
        assert!(
            key(&mut s, KeyCode::Char('I')).is_empty(),
            "nothing before yes"
        );
        assert_eq!(
            s.overlay,
            Some(Overlay::Interrupt {
                session_id: id.clone(),
                thread_id: None
            })
        );
        assert!(key(&mut s, KeyCode::Char('n')).is_empty());
        assert_eq!(s.overlay, None);
        key(&mut s, KeyCode::Char('I'));
        assert_eq!(
            key(&mut s, KeyCode::Char('y')),
            vec![Cmd::Interrupt {
                session_id: id.clone(),
                thread_id: None
            }]
        );
        assert_eq!(s.overlay, None);
        assert_eq!(
            s.toast.as_ref().unwrap().text,
            format!("interrupting {id}…")
        );
    }

    #[test]
    fn interrupt_on_a_selected_thread_is_only_that_thread() {
        let mut s = demo_state(120, 40);
        let id = s.selected_session().unwrap().to_string();
        let mut w = crate::app::state::Watched::new(&id);
        w.threads.push(("sthr_1".into(), "researcher".into()));
        s.watched = Some(w);
        s.stream.filter.thread = Some("sthr_1".into());
        s.focus = Pane::Events;
        key(&mut s, KeyCode::Char('I'));
        assert_eq!(
            key(&mut s, KeyCode::Char('y')),
            vec![Cmd::Interrupt {
                session_id: id,
                thread_id: Some("sthr_1".into())
            }]
        );
    }

    #[test]
    fn message_sends_the_typed_text_and_keeps_it_until_it_is_sent() {
        let mut s = demo_state(120, 40);
        let id = s.selected_session().unwrap().to_string();
        key(&mut s, KeyCode::Char('m'));
        typed(&mut s, "hello");
        key(&mut s, KeyCode::Enter);
        typed(&mut s, "world");
        assert_eq!(compose(&s).field("message"), "hello\nworld");
        assert_eq!(
            ctrl(&mut s, 's'),
            vec![Cmd::SendMessage {
                session_id: id.clone(),
                text: "hello\nworld".into()
            }]
        );
        assert_eq!(s.overlay, None);
        // The send fails: the toast says so with the request id, and `m` reopens the text.
        update(
            &mut s,
            Msg::SessionActionDone {
                draft: Some((id.clone(), ComposeKind::Message)),
                text: "message to x not sent: 500 (request-id req_9)".into(),
                error: true,
            },
        );
        assert_eq!(
            s.toast.as_ref().unwrap().text,
            "message to x not sent: 500 (request-id req_9) (m/O reopens what you wrote)"
        );
        key(&mut s, KeyCode::Char('m'));
        assert_eq!(compose(&s).field("message"), "hello\nworld");
        // Alt-Enter sends too; success forgets the draft.
        let alt = KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT);
        assert_eq!(update(&mut s, Msg::Key(alt)).len(), 1);
        update(
            &mut s,
            Msg::SessionActionDone {
                draft: Some((id.clone(), ComposeKind::Message)),
                text: "message sent".into(),
                error: false,
            },
        );
        assert!(s.drafts.is_empty());
        key(&mut s, KeyCode::Char('m'));
        assert_eq!(compose(&s).field("message"), "");
        // An empty message is not sent; Esc closes.
        assert!(ctrl(&mut s, 's').is_empty());
        assert_eq!(
            s.toast.as_ref().unwrap().text,
            "the message is empty; nothing was sent"
        );
        key(&mut s, KeyCode::Esc);
        assert_eq!(s.overlay, None);
    }

    #[test]
    fn outcome_form_builds_define_outcome() {
        let mut s = demo_state(120, 40);
        let id = s.selected_session().unwrap().to_string();
        key(&mut s, KeyCode::Char('O'));
        typed(&mut s, "Totals reconcile");
        key(&mut s, KeyCode::Tab);
        typed(&mut s, "x");
        key(&mut s, KeyCode::Tab);
        typed(&mut s, "every row sums");
        assert!(ctrl(&mut s, 's').is_empty());
        assert_eq!(
            s.toast.as_ref().unwrap().text,
            "max iterations must be a whole number above 0, not \"x\""
        );
        key(&mut s, KeyCode::Tab);
        key(&mut s, KeyCode::Tab);
        key(&mut s, KeyCode::Backspace);
        typed(&mut s, "3");
        assert_eq!(
            ctrl(&mut s, 's'),
            vec![Cmd::SendEvent {
                session_id: id,
                draft: ComposeKind::Outcome,
                event: EventParams::define_outcome("Totals reconcile", "every row sums", Some(3)),
            }]
        );
    }

    #[test]
    fn read_only_refuses_every_session_action() {
        for c in ['I', 'm', 'O'] {
            let mut s = demo_state(120, 40);
            s.read_only = true;
            assert!(key(&mut s, KeyCode::Char(c)).is_empty());
            assert_eq!(s.overlay, None, "{c}");
            assert_eq!(
                s.toast.as_ref().unwrap().text,
                "read-only mode: interrupt, message and outcome are disabled"
            );
        }
        let hints = crate::app::keymap::Keymap::default()
            .hints_for(crate::app::keymap::Context::Sessions, true);
        assert!(
            !hints
                .iter()
                .any(|(_, l)| *l == "interrupt" || *l == "message")
        );
    }
}
