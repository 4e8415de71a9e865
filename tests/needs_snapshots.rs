//! Snapshots of the Needs-you queue on the fixed demo clock: several calls across sessions and a
//! sub-agent thread (one pending, one failed, one marked), the deny editor, the custom tool's
//! answer editor with Ctrl-E on, and the allow-all confirmation listing the marked calls.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use overseer::api::SessionEvent;
use overseer::app::fixtures::{NOW, demo_state};
use overseer::app::state::{State, View};
use overseer::app::{Msg, update};
use overseer::model::needs::{NeedsQueue, SendState};
use overseer::theme::Theme;
use serde_json::{Value, json};

mod common;
use common::snap::frame;

fn at(secs_ago: i64) -> String {
    jiff::Timestamp::from_second(NOW - secs_ago)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn ev(mut v: Value, id: &str, secs_ago: i64) -> SessionEvent {
    v["id"] = json!(id);
    v["processed_at"] = json!(at(secs_ago));
    SessionEvent::parse(&v.to_string())
}

fn bash(command: &str) -> Value {
    json!({"type": "agent.tool_use", "name": "bash", "input": {"command": command},
           "evaluated_permission": "ask"})
}

fn waits(ids: &[&str]) -> Value {
    json!({"type": "session.status_idle",
           "stop_reason": {"type": "requires_action", "event_ids": ids}})
}

/// Five calls in three sessions of the fixture fleet, oldest first: two bash confirmations, a
/// custom tool, an MCP confirmation and a sub-agent's web fetch.
fn queue() -> NeedsQueue {
    let mut q = NeedsQueue::new();
    let a = q.session_mut("sesn_000001");
    a.set_primary_agent("coder");
    a.apply(&ev(bash("cargo test -p billing"), "tu_1", 320));
    a.apply(&ev(bash("git push origin HEAD:billing-v2"), "tu_2", 310));
    a.apply(&ev(waits(&["tu_1", "tu_2"]), "e2", 300));
    let b = q.session_mut("sesn_000002");
    b.set_primary_agent("triager");
    b.apply(&ev(
        json!({"type": "agent.custom_tool_use", "name": "lookup_order",
               "input": {"order_id": "A-4411", "include": ["shipping", "refunds"]}}),
        "ct_1",
        96,
    ));
    b.apply(&ev(waits(&["ct_1"]), "e3", 95));
    let c = q.session_mut("sesn_000003");
    c.set_primary_agent("researcher");
    c.set_thread_agent("sthr_0000citecheck", "fact-checker");
    c.apply(&ev(
        json!({"type": "agent.mcp_tool_use", "name": "create_issue", "mcp_server_name": "github",
               "input": {"repo": "acme/vector-db-eval", "title": "Benchmark pgvector at 10M rows"},
               "evaluated_permission": "ask"}),
        "mcp_1",
        70,
    ));
    c.apply_in_thread(
        &ev(
            json!({"type": "agent.tool_use", "name": "web_fetch",
                   "input": {"url": "https://example.com/vector-db-report-2026.pdf"},
                   "evaluated_permission": "ask"}),
            "tu_9",
            50,
        ),
        Some("sthr_0000citecheck"),
    );
    c.apply_in_thread(
        &ev(
            json!({"type": "session.thread_status_idle", "agent_name": "fact-checker",
                   "stop_reason": {"type": "requires_action", "event_ids": ["tu_9"]}}),
            "e9",
            49,
        ),
        Some("sthr_0000citecheck"),
    );
    c.apply(&ev(waits(&["mcp_1", "tu_9"]), "e10", 48));
    q
}

fn key(s: &mut State, code: KeyCode) {
    let _ = update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn ctrl(s: &mut State, c: char) {
    let _ = update(
        s,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    );
}

fn type_text(s: &mut State, text: &str) {
    for c in text.chars() {
        key(s, KeyCode::Char(c));
    }
}

fn cursor_to(s: &mut State, event_id: &str) {
    let i = s
        .needs
        .queue
        .rows()
        .iter()
        .position(|r| r.event_id == event_id)
        .unwrap_or_else(|| panic!("no row {event_id}"));
    s.needs.nav.cursor = i;
}

/// The queue open with `tu_1` sent (pending), `tu_2` failed, `mcp_1` marked, cursor on `ct_1`.
fn queue_state(w: u16, h: u16) -> State {
    let mut s = demo_state(w, h);
    let _ = update(&mut s, Msg::NeedsGathered(Ok(Box::new(queue()))));
    key(&mut s, KeyCode::Char('!'));
    assert_eq!(s.view, View::Needs);
    cursor_to(&mut s, "tu_1");
    key(&mut s, KeyCode::Char('y'));
    cursor_to(&mut s, "tu_2");
    key(&mut s, KeyCode::Char('y'));
    let _ = update(
        &mut s,
        Msg::AnswerSent {
            session_id: "sesn_000001".into(),
            event_id: "tu_2".into(),
            result: Err(
                "500 api_error: Internal server error (simulated write failure). (request-id req_011CWq)"
                    .into(),
            ),
        },
    );
    cursor_to(&mut s, "mcp_1");
    key(&mut s, KeyCode::Char(' '));
    cursor_to(&mut s, "ct_1");
    s.toast = None;
    let sends: Vec<(&str, SendState)> = s
        .needs
        .queue
        .rows()
        .iter()
        .map(|r| (r.event_id.as_str(), r.send.clone()))
        .collect();
    assert_eq!(
        sends,
        [
            ("tu_1", SendState::Pending),
            (
                "tu_2",
                SendState::Failed(
                    "500 api_error: Internal server error (simulated write failure). (request-id req_011CWq)"
                        .into()
                )
            ),
            ("ct_1", SendState::Idle),
            ("mcp_1", SendState::Idle),
            ("tu_9", SendState::Idle),
        ]
    );
    s
}

#[test]
fn queue_with_pending_failed_and_marked_calls() {
    for (w, h) in [(120, 40), (80, 24)] {
        let snap = frame(queue_state(w, h), &Theme::dark());
        assert!(snap.contains("Needs you"), "{snap}");
        insta::assert_snapshot!(format!("needs_queue_{w}x{h}"), snap);
    }
    // The failed row says why in the call pane.
    let mut s = queue_state(120, 40);
    cursor_to(&mut s, "tu_2");
    let snap = frame(s, &Theme::dark());
    assert!(
        snap.contains("not sent: 500 api_error: Internal server error"),
        "{snap}"
    );
    insta::assert_snapshot!("needs_failed_call_120x40", snap);
}

#[test]
fn deny_editor() {
    let mut s = queue_state(120, 40);
    cursor_to(&mut s, "tu_2");
    key(&mut s, KeyCode::Char('n'));
    type_text(&mut s, "Not on main during the freeze.");
    key(&mut s, KeyCode::Enter);
    type_text(&mut s, "Open a PR instead.");
    let snap = frame(s, &Theme::dark());
    assert!(snap.contains(" Deny bash · message (optional) "), "{snap}");
    insta::assert_snapshot!("needs_deny_editor_120x40", snap);
}

#[test]
fn answer_editor_as_error() {
    let mut s = queue_state(120, 40);
    key(&mut s, KeyCode::Char('e'));
    type_text(&mut s, "order service timed out");
    ctrl(&mut s, 'e');
    let snap = frame(s, &Theme::dark());
    assert!(
        snap.contains(" Answer lookup_order · send as error: ON (^E) "),
        "{snap}"
    );
    insta::assert_snapshot!("needs_answer_editor_120x40", snap);
}

#[test]
fn allow_marked_confirm_lists_the_calls() {
    let mut s = queue_state(120, 40);
    cursor_to(&mut s, "tu_9");
    key(&mut s, KeyCode::Char(' '));
    cursor_to(&mut s, "tu_2");
    key(&mut s, KeyCode::Char(' '));
    key(&mut s, KeyCode::Char('Y'));
    let snap = frame(s, &Theme::dark());
    assert!(snap.contains("Allow 3 call(s)?"), "{snap}");
    insta::assert_snapshot!("needs_allow_marked_120x40", snap);
}
