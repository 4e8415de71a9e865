//! The Needs-you queue (`!`, `:needs`): one row per call waiting for a person, across sessions.
//!
//! Fed by gathers (at start, when the session list shows sessions entering or leaving the
//! waiting states, and on a slow timer) and live by the watched session's feed. An answer is
//! checked against the live queue, sent by the runner, and shown pending until the API shows
//! the call answered (the echoed event, a later gather or the feed); a failure stays on the row.
//! Notifications (bell, OSC 9/777) go out as `Cmd::Notify`, rate limited.

use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::api::SessionEvent;
use crate::api::feed::FeedItem;
use crate::app::editor::{Edit, Editor};
use crate::app::keymap::Action;
use crate::app::msg::Cmd;
use crate::app::needs::{AnswerEditor, CallRef, EditorPurpose, NOTIFY_EVERY_SECS, NotifyWhen};
use crate::app::panes::{list_page, motion};
use crate::app::state::{Pane, State, View};
use crate::app::update::sessions::watch;
use crate::app::views::set_view;
use crate::model::needs::{Answer, CallKind, NeedsQueue, NeedsRow, SendState};
use crate::model::sessions::DerivedState;
use crate::text;

/// Least time between two gathers asked for by a change in the session list.
pub const GATHER_MIN_SECS: i64 = 5;
/// A gather at least this often while anything waits or the queue is open.
pub const GATHER_EVERY_SECS: i64 = 30;

fn rows(state: &State) -> Vec<&NeedsRow> {
    state.needs.queue.rows()
}

fn selected(state: &State) -> Option<CallRef> {
    rows(state)
        .get(state.needs.nav.cursor)
        .map(|r| (r.session_id.clone(), r.event_id.clone()))
}

fn clamp(state: &mut State) {
    let (len, page) = (state.needs.queue.len(), list_page(state));
    state.needs.nav.clamp(len, page);
}

/// A key in the `Needs` context.
pub(crate) fn on_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    if let Some(m) = motion(action) {
        let (len, page) = (state.needs.queue.len(), list_page(state));
        state.needs.nav.apply(m, len, page);
        return;
    }
    if action.writes() && state.read_only {
        state.show_toast(
            "read-only: answering calls is disabled (started with --read-only)",
            true,
        );
        return;
    }
    match action {
        Action::AllowCall => {
            if let Some(call) = selected(state) {
                answer(state, call, Answer::Allow, cmds);
            }
        }
        Action::DenyCall => open_editor(state, EditorPurpose::Deny),
        Action::AnswerCall => open_editor(state, EditorPurpose::Answer { is_error: false }),
        Action::Mark => {
            if let Some(call) = selected(state) {
                if !state.needs.marks.remove(&call) {
                    state.needs.marks.insert(call);
                }
                let (len, page) = (state.needs.queue.len(), list_page(state));
                state
                    .needs
                    .nav
                    .apply(crate::model::nav::Motion::Down, len, page);
            }
        }
        Action::AllowMarked => {
            let marked: Vec<CallRef> = rows(state)
                .iter()
                .map(|r| (r.session_id.clone(), r.event_id.clone()))
                .filter(|c| state.needs.marks.contains(c))
                .collect();
            if marked.is_empty() {
                state.show_toast("no calls marked (space marks)", true);
            } else {
                state.needs.confirm = Some(marked);
            }
        }
        Action::Open => {
            if let Some((sid, eid)) = selected(state) {
                set_view(state, View::Sessions, cmds);
                watch(state, sid.clone(), cmds);
                state.focus = Pane::Events;
                state.needs.jump = Some((sid, eid));
            }
        }
        Action::Back => set_view(state, View::Sessions, cmds),
        _ => {}
    }
}

/// The key that fits a call of `kind`, for the toast after a wrong one.
fn wrong_key(state: &mut State, kind: CallKind) {
    let text = match kind {
        CallKind::CustomTool => {
            "this is a custom tool waiting for its result: press e to answer it"
        }
        CallKind::ToolConfirmation => {
            "this call waits for a confirmation: press y to allow or n to deny"
        }
    };
    state.show_toast(text, true);
}

fn open_editor(state: &mut State, purpose: EditorPurpose) {
    let Some((sid, eid)) = selected(state) else {
        return;
    };
    let Some(row) = state.needs.queue.session(&sid).and_then(|s| s.row(&eid)) else {
        return;
    };
    let fits = match purpose {
        EditorPurpose::Deny => CallKind::ToolConfirmation,
        EditorPurpose::Answer { .. } => CallKind::CustomTool,
    };
    if row.kind != fits {
        let kind = row.kind;
        wrong_key(state, kind);
        return;
    }
    let tool = row.tool();
    state.needs.editor = Some(AnswerEditor {
        call: (sid, eid),
        tool,
        purpose,
        editor: Editor::multi_line(""),
    });
}

/// Check `answer` against the live queue, mark the row pending and send it.
pub(crate) fn answer(state: &mut State, (sid, eid): CallRef, answer: Answer, cmds: &mut Vec<Cmd>) {
    if state.read_only {
        state.show_toast("read-only: answering calls is disabled", true);
        return;
    }
    let Some(s) = state.needs.queue.session(&sid) else {
        return;
    };
    match s.check(&eid, &answer) {
        Ok(row) if row.send == SendState::Pending => {
            state.show_toast(
                "already sent; waiting for the API to show it answered",
                false,
            );
        }
        Ok(_) => {
            state.needs.queue.session_mut(&sid).mark_pending(&eid);
            state.needs.marks.remove(&(sid.clone(), eid.clone()));
            cmds.push(Cmd::SendAnswer {
                session_id: sid,
                event_id: eid,
                answer,
            });
        }
        Err(crate::model::needs::Refusal::WrongKind { call }) => wrong_key(state, call),
        Err(r) => {
            let sentence = r.sentence(&sid, &eid, &answer);
            state.show_toast(&sentence, true);
        }
    }
    state.dirty = true;
}

/// Keys while the answer editor is open (they all go to it).
pub(crate) fn on_editor_key(state: &mut State, key: KeyEvent, cmds: &mut Vec<Cmd>) {
    let Some(ed) = &mut state.needs.editor else {
        return;
    };
    state.dirty = true;
    if key.code == KeyCode::Char('e') && key.modifiers.contains(KeyModifiers::CONTROL) {
        if let EditorPurpose::Answer { is_error } = &mut ed.purpose {
            *is_error = !*is_error;
        }
        return;
    }
    match ed.editor.key(key) {
        Edit::Cancel => state.needs.editor = None,
        Edit::Submit => {
            let Some(ed) = state.needs.editor.take() else {
                return;
            };
            let typed = ed.editor.text();
            let a = match ed.purpose {
                EditorPurpose::Deny => Answer::Deny {
                    message: (!typed.trim().is_empty()).then_some(typed),
                },
                EditorPurpose::Answer { is_error } => Answer::Result {
                    text: typed,
                    is_error,
                },
            };
            answer(state, ed.call, a, cmds);
        }
        Edit::Changed | Edit::Moved => {}
    }
}

pub(crate) fn on_editor_paste(state: &mut State, pasted: &str) {
    if let Some(ed) = &mut state.needs.editor {
        ed.editor.paste(pasted);
        state.dirty = true;
    }
}

/// `y` / `n` on the allow-all confirmation.
pub(crate) fn on_confirm(state: &mut State, yes: bool, cmds: &mut Vec<Cmd>) {
    let Some(calls) = state.needs.confirm.take() else {
        return;
    };
    state.dirty = true;
    if !yes {
        return;
    }
    let n = calls.len();
    for call in calls {
        answer(state, call, Answer::Allow, cmds);
    }
    state.needs.marks.clear();
    state.show_toast(&format!("allowing {n} call(s)…"), false);
}

/// A gather arrived: it replaces the queue (a call it does not list is no longer waiting),
/// keeping the send state of rows still there.
pub(crate) fn on_gathered(
    state: &mut State,
    result: Result<Box<NeedsQueue>, String>,
    cmds: &mut Vec<Cmd>,
) {
    state.needs.gathering = false;
    let mut queue = match result {
        Ok(q) => *q,
        Err(e) => {
            state.show_toast(&format!("needs-you queue: {e}"), true);
            return;
        }
    };
    for row in state.needs.queue.rows() {
        let s = queue.session_mut(&row.session_id);
        match &row.send {
            SendState::Idle => {}
            SendState::Pending => {
                s.mark_pending(&row.event_id);
            }
            SendState::Failed(e) => {
                s.mark_failed(&row.event_id, e);
            }
        }
    }
    state.needs.queue = queue;
    after_change(state, cmds);
}

/// The runner sent an answer: apply the echo (which closes the row) or keep the error.
pub(crate) fn on_answer_sent(
    state: &mut State,
    session_id: &str,
    event_id: &str,
    result: Result<Vec<SessionEvent>, String>,
    cmds: &mut Vec<Cmd>,
) {
    state.dirty = true;
    match result {
        Ok(echo) => {
            let s = state.needs.queue.session_mut(session_id);
            for ev in &echo {
                s.apply(ev);
            }
            after_change(state, cmds);
        }
        Err(e) => {
            let e = text::one_line(&e);
            state
                .needs
                .queue
                .session_mut(session_id)
                .mark_failed(event_id, &e);
            state.show_toast(&format!("not sent: {e}"), true);
        }
    }
}

/// An item of the watched session's feed (or one of its threads' feeds).
pub(crate) fn on_feed_item(
    state: &mut State,
    session_id: &str,
    thread: Option<&str>,
    item: &FeedItem,
    cmds: &mut Vec<Cmd>,
) {
    if let FeedItem::Event(raw) | FeedItem::Updated(raw) = item {
        on_feed_event(state, session_id, thread, raw, cmds);
    }
}

/// The `type` of a raw event, read without building the rest.
fn event_type(raw: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Ty {
        #[serde(rename = "type")]
        ty: String,
    }
    serde_json::from_str::<Ty>(raw).ok().map(|t| t.ty)
}

/// One event (raw JSON), fed into the queue incrementally.
pub(crate) fn on_feed_event(
    state: &mut State,
    session_id: &str,
    thread: Option<&str>,
    raw: &str,
    cmds: &mut Vec<Cmd>,
) {
    // Only the event types the queue reads are parsed.
    let Some(ty) = event_type(raw) else {
        return;
    };
    let relevant = crate::model::needs::EVENT_TYPES.contains(&ty.as_str())
        || ty == "session.thread_status_running"
        || ty == "session.deleted"
        || ty == "session.error";
    if !relevant {
        return;
    }
    let ev = SessionEvent::parse(raw);
    if ty == "session.error" {
        let live = state.watched.as_ref().is_some_and(|w| w.history_loaded);
        if live {
            notify(
                state,
                &format!("session {} errored", text::one_line(session_id)),
                cmds,
            );
        }
        return;
    }
    let before = state.needs.queue.len();
    state
        .needs
        .queue
        .session_mut(session_id)
        .apply_in_thread(&ev, thread);
    if state.needs.queue.len() != before {
        state.dirty = true;
    }
    after_change(state, cmds);
}

/// After the queue changed: keep the cursor and marks valid, notify about new calls.
fn after_change(state: &mut State, cmds: &mut Vec<Cmd>) {
    clamp(state);
    let present: BTreeSet<CallRef> = rows(state)
        .iter()
        .map(|r| (r.session_id.clone(), r.event_id.clone()))
        .collect();
    state.needs.marks.retain(|c| present.contains(c));
    let new: Vec<CallRef> = present
        .iter()
        .filter(|c| !state.needs.known.contains(*c))
        .cloned()
        .collect();
    // Forget calls no longer waiting: `known` stays as big as the queue.
    state.needs.known.retain(|c| present.contains(c));
    if new.is_empty() {
        state.dirty = true;
        return;
    }
    state.needs.known.extend(new.iter().cloned());
    state.dirty = true;
    let first = &new[0];
    let what = state
        .needs
        .queue
        .session(&first.0)
        .and_then(|s| s.row(&first.1))
        .map(|r| format!("{} waits for you", r.tool()))
        .unwrap_or_else(|| "a call waits for you".to_string());
    let text = if new.len() > 1 {
        format!("{} calls wait for you", new.len())
    } else {
        what
    };
    notify(state, &text, cmds);
}

/// Emit a notification if the settings, the focus and the rate limit allow it.
pub(crate) fn notify(state: &mut State, text: &str, cmds: &mut Vec<Cmd>) {
    let n = state.needs.notify;
    let wanted = match n.when {
        NotifyWhen::Never => false,
        NotifyWhen::Always => true,
        NotifyWhen::Unfocused => !state.needs.focused,
    };
    if !wanted || !(n.bell || n.desktop) {
        return;
    }
    if let Some(last) = state.needs.last_notify
        && state.now - last < NOTIFY_EVERY_SECS
    {
        state.needs.held += 1;
        return;
    }
    let held = std::mem::take(&mut state.needs.held);
    let text = if held > 0 {
        format!("{} (+{held} more)", text::one_line(text))
    } else {
        text::one_line(text)
    };
    state.needs.last_notify = Some(state.now);
    cmds.push(Cmd::Notify {
        text: format!("overseer: {text}"),
        bell: n.bell,
        desktop: n.desktop,
    });
}

/// After a feed item: once `Enter`'s session has its call loaded, put the stream cursor on it.
pub(crate) fn after_feed(state: &mut State) {
    let Some((sid, eid)) = &state.needs.jump else {
        return;
    };
    let Some(w) = state.watched.as_ref().filter(|w| w.session_id == *sid) else {
        return;
    };
    let Some(i) = w.transcript.find(eid) else {
        return;
    };
    state.needs.jump = None;
    state.stream.filter = Default::default();
    state.stream.follow = false;
    state.stream.paused_at_count = state.stream_len();
    let page = crate::app::panes::stream_page(state);
    let len = state.stream_len();
    state.stream.nav.cursor = i;
    state.stream.nav.clamp(len, page);
    state.dirty = true;
}

pub(crate) fn on_focus(state: &mut State, focused: bool) {
    state.needs.focused = focused;
}

/// Ask for a gather when the waiting sessions changed (at most every `GATHER_MIN_SECS`) or
/// every `GATHER_EVERY_SECS`; never two at once. Called on each tick and session poll.
pub(crate) fn maybe_gather(state: &mut State, cmds: &mut Vec<Cmd>) {
    if state.needs.gathering {
        return;
    }
    let since = state.now - state.needs.last_gather;
    if since < GATHER_MIN_SECS {
        return;
    }
    let waiting: BTreeSet<String> = state
        .sessions
        .iter()
        .filter(|e| {
            matches!(
                e.state,
                DerivedState::NeedsApproval | DerivedState::NeedsInput
            )
        })
        .map(|e| e.summary.id.clone())
        .collect();
    let first = state.needs.last_gather == 0;
    let changed = waiting != state.needs.waiting_seen;
    let due = since >= GATHER_EVERY_SECS
        && (!waiting.is_empty() || !state.needs.queue.is_empty() || state.view == View::Needs);
    if first || changed || due {
        state.needs.waiting_seen = waiting;
        state.needs.last_gather = state.now;
        state.needs.gathering = true;
        cmds.push(Cmd::GatherNeeds);
    }
}

/// The line a row's send state shows (None when idle).
pub fn send_label(send: &SendState) -> Option<String> {
    match send {
        SendState::Idle => None,
        SendState::Pending => Some("sent, waiting for the API".to_string()),
        // The hint first: a long error is cut at the column's end.
        SendState::Failed(e) => Some(format!("failed (y/n/e retries): {e}")),
    }
}

#[cfg(test)]
pub(crate) use tests::{custom, feed_raw, idle};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::update::testing::*;

    fn demo() -> State {
        let mut s = State::new(1_000_000);
        s.size = (120, 40);
        s
    }

    fn ask(id: &str, at: &str, cmd: &str) -> String {
        json!({"type":"agent.tool_use","id":id,"processed_at":at,"name":"bash",
            "input":{"command":cmd},"evaluated_permission":"ask"})
        .to_string()
    }

    pub(crate) fn custom(id: &str, at: &str) -> String {
        json!({"type":"agent.custom_tool_use","id":id,"processed_at":at,"name":"lookup_order",
            "input":{"order":"A-1"}})
        .to_string()
    }

    pub(crate) fn idle(id: &str, at: &str, ids: &[&str]) -> String {
        json!({"type":"session.status_idle","id":id,"processed_at":at,
            "stop_reason":{"type":"requires_action","event_ids":ids}})
        .to_string()
    }

    pub(crate) fn feed_raw(s: &mut State, sid: &str, raw: &str) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        on_feed_event(s, sid, None, raw, &mut cmds);
        cmds
    }

    fn ids(s: &State) -> Vec<(String, String, Option<String>)> {
        rows(s)
            .iter()
            .map(|r| {
                (
                    r.session_id.clone(),
                    r.event_id.clone(),
                    send_label(&r.send),
                )
            })
            .collect()
    }

    fn queue_of_three(s: &mut State) {
        feed_raw(s, "sesn_b", &custom("c1", "2026-01-01T00:00:02Z"));
        feed_raw(
            s,
            "sesn_a",
            &ask("u1", "2026-01-01T00:00:01Z", "rm -rf build"),
        );
        feed_raw(s, "sesn_a", &ask("u2", "2026-01-01T00:00:03Z", "make"));
        feed_raw(
            s,
            "sesn_a",
            &idle("i1", "2026-01-01T00:00:04Z", &["u1", "u2"]),
        );
        s.view = View::Needs;
    }

    #[test]
    fn rows_across_sessions_oldest_first_after_feed_events() {
        let mut s = demo();
        queue_of_three(&mut s);
        assert_eq!(
            ids(&s),
            [
                ("sesn_a".into(), "u1".into(), None),
                ("sesn_b".into(), "c1".into(), None),
                ("sesn_a".into(), "u2".into(), None),
            ]
        );
        assert_eq!(s.context(), crate::app::keymap::Context::Needs);
    }

    #[test]
    fn allow_sends_marks_pending_then_echo_removes_the_row() {
        let mut s = demo();
        queue_of_three(&mut s);
        let cmds = key(&mut s, KeyCode::Char('y'));
        assert_eq!(
            cmds,
            [Cmd::SendAnswer {
                session_id: "sesn_a".into(),
                event_id: "u1".into(),
                answer: Answer::Allow
            }]
        );
        assert_eq!(ids(&s)[0].2.as_deref(), Some("sent, waiting for the API"));
        // A second `y` does not send twice.
        assert!(key(&mut s, KeyCode::Char('y')).is_empty());
        // The echo closes it.
        let echo = SessionEvent::parse(
            &json!({"type":"user.tool_confirmation","id":"sevt_9","tool_use_id":"u1","result":"allow"})
                .to_string(),
        );
        let _ = update(
            &mut s,
            Msg::AnswerSent {
                session_id: "sesn_a".into(),
                event_id: "u1".into(),
                result: Ok(vec![echo]),
            },
        );
        assert_eq!(
            ids(&s),
            [
                ("sesn_b".into(), "c1".into(), None),
                ("sesn_a".into(), "u2".into(), None),
            ]
        );
    }

    #[test]
    fn failure_stays_on_the_row_and_y_retries() {
        let mut s = demo();
        queue_of_three(&mut s);
        key(&mut s, KeyCode::Char('y'));
        let _ = update(
            &mut s,
            Msg::AnswerSent {
                session_id: "sesn_a".into(),
                event_id: "u1".into(),
                result: Err("HTTP 500: boom (request-id req_1)".into()),
            },
        );
        assert_eq!(
            ids(&s)[0].2.as_deref(),
            Some("failed (y/n/e retries): HTTP 500: boom (request-id req_1)")
        );
        assert_eq!(
            s.toast.as_ref().unwrap().text,
            "not sent: HTTP 500: boom (request-id req_1)"
        );
        let cmds = key(&mut s, KeyCode::Char('y'));
        assert_eq!(cmds.len(), 1);
        assert_eq!(ids(&s)[0].2.as_deref(), Some("sent, waiting for the API"));
    }

    #[test]
    fn a_gather_that_no_longer_lists_a_pending_call_removes_it_and_keeps_others_pending() {
        let mut s = demo();
        queue_of_three(&mut s);
        key(&mut s, KeyCode::Char('y')); // u1 pending
        key(&mut s, KeyCode::Char('j'));
        key(&mut s, KeyCode::Char('j'));
        key(&mut s, KeyCode::Char('y')); // u2 pending
        let mut q = NeedsQueue::new();
        let a = q.session_mut("sesn_a");
        a.apply(&SessionEvent::parse(&ask(
            "u2",
            "2026-01-01T00:00:03Z",
            "make",
        )));
        a.apply(&SessionEvent::parse(&idle(
            "i2",
            "2026-01-01T00:00:05Z",
            &["u2"],
        )));
        let _ = update(&mut s, Msg::NeedsGathered(Ok(Box::new(q))));
        assert_eq!(
            ids(&s),
            [(
                "sesn_a".into(),
                "u2".into(),
                Some("sent, waiting for the API".into())
            )]
        );
    }

    #[test]
    fn deny_with_a_message_and_answer_a_custom_tool_as_error() {
        let mut s = demo();
        queue_of_three(&mut s);
        key(&mut s, KeyCode::Char('n'));
        assert!(s.needs.editor.is_some());
        for c in "not here".chars() {
            key(&mut s, KeyCode::Char(c));
        }
        let cmds = ctrl(&mut s, 's');
        assert_eq!(
            cmds,
            [Cmd::SendAnswer {
                session_id: "sesn_a".into(),
                event_id: "u1".into(),
                answer: Answer::Deny {
                    message: Some("not here".into())
                }
            }]
        );
        assert!(s.needs.editor.is_none());
        // `y` on the custom tool says which key fits; `e` opens the editor.
        key(&mut s, KeyCode::Char('j'));
        assert!(key(&mut s, KeyCode::Char('y')).is_empty());
        assert_eq!(
            s.toast.as_ref().unwrap().text,
            "this is a custom tool waiting for its result: press e to answer it"
        );
        key(&mut s, KeyCode::Char('e'));
        key(&mut s, KeyCode::Char('4'));
        key(&mut s, KeyCode::Char('2'));
        ctrl(&mut s, 'e');
        let cmds = update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT)),
        );
        assert_eq!(
            cmds,
            [Cmd::SendAnswer {
                session_id: "sesn_b".into(),
                event_id: "c1".into(),
                answer: Answer::Result {
                    text: "42".into(),
                    is_error: true
                }
            }]
        );
        // `e` on a confirmation says which keys fit.
        key(&mut s, KeyCode::Char('j'));
        key(&mut s, KeyCode::Char('e'));
        assert!(s.needs.editor.is_none());
        assert_eq!(
            s.toast.as_ref().unwrap().text,
            "this call waits for a confirmation: press y to allow or n to deny"
        );
    }

    #[test]
    fn empty_deny_sends_no_message_and_esc_cancels() {
        let mut s = demo();
        queue_of_three(&mut s);
        key(&mut s, KeyCode::Char('n'));
        assert!(key(&mut s, KeyCode::Esc).is_empty());
        assert!(s.needs.editor.is_none());
        key(&mut s, KeyCode::Char('n'));
        let cmds = ctrl(&mut s, 's');
        assert_eq!(
            cmds,
            [Cmd::SendAnswer {
                session_id: "sesn_a".into(),
                event_id: "u1".into(),
                answer: Answer::Deny { message: None }
            }]
        );
    }

    #[test]
    fn marked_calls_are_allowed_after_a_confirm() {
        let mut s = demo();
        queue_of_three(&mut s);
        key(&mut s, KeyCode::Char(' ')); // u1, cursor to c1
        key(&mut s, KeyCode::Char('j')); // u2
        key(&mut s, KeyCode::Char(' '));
        assert!(key(&mut s, KeyCode::Char('Y')).is_empty());
        assert_eq!(
            s.needs.confirm,
            Some(vec![
                ("sesn_a".into(), "u1".into()),
                ("sesn_a".into(), "u2".into())
            ])
        );
        assert_eq!(s.context(), crate::app::keymap::Context::Confirm);
        let cmds = key(&mut s, KeyCode::Char('y'));
        assert_eq!(cmds.len(), 2);
        assert!(s.needs.marks.is_empty());
        assert_eq!(s.toast.as_ref().unwrap().text, "allowing 2 call(s)…");
    }

    #[test]
    fn read_only_refuses_every_answer() {
        let mut s = demo();
        s.read_only = true;
        queue_of_three(&mut s);
        for c in ['y', 'n', 'e', 'Y'] {
            assert!(key(&mut s, KeyCode::Char(c)).is_empty(), "{c}");
            assert_eq!(
                s.toast.as_ref().unwrap().text,
                "read-only: answering calls is disabled (started with --read-only)"
            );
        }
        assert!(s.needs.editor.is_none());
        let hints: Vec<&str> = s
            .keymap
            .hints_for(crate::app::keymap::Context::Needs, true)
            .iter()
            .map(|h| h.1)
            .collect();
        assert!(!hints.contains(&"allow"), "{hints:?}");
    }

    #[test]
    fn notifications_only_unfocused_and_at_most_one_per_5s() {
        let mut s = demo();
        // Focused: nothing.
        assert!(feed_raw(&mut s, "sesn_b", &custom("c1", "2026-01-01T00:00:02Z")).is_empty());
        let _ = update(&mut s, Msg::Focus(false));
        let cmds = feed_raw(&mut s, "sesn_b", &custom("c2", "2026-01-01T00:00:03Z"));
        assert_eq!(
            cmds,
            [Cmd::Notify {
                text: "overseer: lookup_order waits for you".into(),
                bell: true,
                desktop: true
            }]
        );
        s.now += 4;
        assert!(feed_raw(&mut s, "sesn_b", &custom("c3", "2026-01-01T00:00:04Z")).is_empty());
        s.now += 1;
        let cmds = feed_raw(&mut s, "sesn_b", &custom("c4", "2026-01-01T00:00:05Z"));
        assert_eq!(
            cmds,
            [Cmd::Notify {
                text: "overseer: lookup_order waits for you (+1 more)".into(),
                bell: true,
                desktop: true
            }]
        );
        s.needs.notify.when = NotifyWhen::Never;
        s.now += 10;
        assert!(feed_raw(&mut s, "sesn_b", &custom("c5", "2026-01-01T00:00:06Z")).is_empty());
    }

    #[test]
    fn notification_settings_always_bell_desktop_and_session_errors() {
        let mut s = demo();
        // `always` notifies while focused; bell off leaves the desktop notification.
        s.needs.notify.when = NotifyWhen::Always;
        s.needs.notify.bell = false;
        let cmds = feed_raw(&mut s, "sesn_b", &custom("c1", "2026-01-01T00:00:02Z"));
        assert_eq!(
            cmds,
            [Cmd::Notify {
                text: "overseer: lookup_order waits for you".into(),
                bell: false,
                desktop: true
            }]
        );
        // Both off: nothing, and nothing is held for later.
        s.needs.notify.desktop = false;
        s.now += 10;
        assert!(feed_raw(&mut s, "sesn_b", &custom("c2", "2026-01-01T00:00:03Z")).is_empty());
        assert_eq!(s.needs.held, 0);
        // A watched session's error notifies once its history is loaded, not while replaying it.
        s.needs.notify.bell = true;
        s.now += 10;
        let err = json!({"type":"session.error","id":"x1","processed_at":"2026-01-01T00:00:04Z",
            "error":{"type":"unknown_error","message":"boom"}})
        .to_string();
        let mut w = crate::app::state::Watched::new("sesn_b");
        w.history_loaded = false;
        s.watched = Some(w);
        assert!(feed_raw(&mut s, "sesn_b", &err).is_empty());
        if let Some(w) = &mut s.watched {
            w.history_loaded = true;
        }
        assert_eq!(
            feed_raw(&mut s, "sesn_b", &err),
            [Cmd::Notify {
                text: "overseer: session sesn_b errored".into(),
                bell: true,
                desktop: false
            }]
        );
    }

    #[test]
    fn header_counts_calls() {
        let mut s = demo();
        queue_of_three(&mut s);
        assert_eq!(s.needs.queue.len(), 3);
    }
}
