//! The Needs-you queue in the dashboard (the real app loop: update + runner + feeds) against the
//! simulator, checked through the API's event history, not only the screen: allow, deny with a
//! message typed in the deny editor, answer a custom tool (text, and Ctrl-E error), allow all
//! marked behind a confirm that lists them, a sub-agent's call, a failed send that stays on its
//! row and is retried, and an interrupt scoped to one sub-agent thread.
//!
//! Each test starts its calls in fresh sessions (created with a first message, so the only
//! writes to `/events` are the dashboard's) and finds their rows in the live queue.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyModifiers};
use futures::StreamExt;
use overseer::api::types::{CreateSessionParams, ListParams};
use overseer::api::{Client, EventParams};
use overseer::model::needs::SendState;
use overseer::sim::SimOptions;
use serde_json::Value;

mod common;
use common::{Harness, demo_state, history};

/// The machine is slow and shared: "eventually" waits this long.
const PATIENCE: Duration = Duration::from_secs(60);

fn fast() -> SimOptions {
    SimOptions {
        speed: 20.0,
        ..SimOptions::default()
    }
}

/// A new session of `agent`, started with `first` as its first message ("" for none).
async fn new_session(c: &Client, agent: &str, title: &str, first: &str) -> String {
    let agents: Vec<_> = c.agents_all(ListParams::default()).collect().await;
    let agent_id = agents
        .into_iter()
        .filter_map(Result::ok)
        .find(|a| a.name == agent)
        .map(|a| a.id)
        .unwrap_or_else(|| panic!("no agent {agent}"));
    let envs: Vec<_> = c.environments_all(ListParams::default()).collect().await;
    let env = envs
        .into_iter()
        .find_map(Result::ok)
        .map(|e| e.id)
        .expect("an environment");
    let params = CreateSessionParams {
        agent: agent_id,
        environment_id: env,
        title: Some(title.to_string()),
        initial_events: if first.is_empty() {
            Vec::new()
        } else {
            vec![EventParams::user_text(first)]
        },
        ..CreateSessionParams::default()
    };
    c.create_session(&params).await.expect("create session").id
}

/// Wait until the session's latest idle waits for a human (`requires_action`); its event ids.
async fn blocked_ids(h: &mut Harness, c: &Client, sid: &str) -> Vec<String> {
    let start = Instant::now();
    loop {
        let hist = history(c, sid).await;
        let ids: Option<Vec<String>> = hist
            .iter()
            .rev()
            .find(|v| v["type"] == "session.status_idle")
            .filter(|v| v["stop_reason"]["type"] == "requires_action")
            .map(|v| {
                v["stop_reason"]["event_ids"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            });
        if let Some(ids) = ids.filter(|ids: &Vec<String>| !ids.is_empty()) {
            return ids;
        }
        assert!(start.elapsed() < PATIENCE, "{sid} never waited: {hist:#?}");
        h.settle().await;
    }
}

/// Wait until the session's latest idle waits on `id` alone (the other call was answered).
async fn waits_only_on(h: &mut Harness, c: &Client, sid: &str, id: &str) {
    let start = Instant::now();
    while blocked_ids(h, c, sid).await != [id.to_string()] {
        assert!(
            start.elapsed() < PATIENCE,
            "{sid} never waited on {id} alone"
        );
        h.settle().await;
    }
}

/// Wait until the session's history ends a turn (`end_turn` last); the history.
async fn after_turn(h: &mut Harness, c: &Client, sid: &str) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let hist = history(c, sid).await;
        if hist.last().is_some_and(|v| {
            v["type"] == "session.status_idle" && v["stop_reason"]["type"] == "end_turn"
        }) {
            return hist;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "{sid} never ended its turn: {hist:#?}"
        );
        h.settle().await;
    }
}

/// Wait until an event matching `pred` is in the session's history; the history.
async fn wait_history(
    h: &mut Harness,
    c: &Client,
    sid: &str,
    what: &str,
    pred: impl Fn(&Value) -> bool,
) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let hist = history(c, sid).await;
        if hist.iter().any(&pred) {
            return hist;
        }
        assert!(start.elapsed() < PATIENCE, "no {what} in {sid}: {hist:#?}");
        h.settle().await;
    }
}

/// Wait until the queue lists the call, open the queue and put the cursor on it.
async fn select(h: &mut Harness, sid: &str, eid: &str) {
    let start = Instant::now();
    if h.app.state.view != overseer::app::state::View::Needs {
        h.key(KeyCode::Char('!')).await;
    }
    loop {
        let at = h
            .app
            .state
            .needs
            .queue
            .rows()
            .iter()
            .position(|r| r.session_id == sid && r.event_id == eid);
        if let Some(i) = at {
            // The key that follows acts on this row at once (no pump in between, so no gather
            // can move it); a short page keeps it on screen.
            let len = h.app.state.needs.queue.len();
            h.app.state.needs.nav.cursor = i;
            h.app.state.needs.nav.clamp(len, 10);
            return;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "{eid} of {sid} never reached the queue:\n{}",
            h.screen()
        );
        h.settle().await;
    }
}

/// The queue's row for a call, if listed: its send state.
fn send_state(h: &Harness, sid: &str, eid: &str) -> Option<SendState> {
    h.app
        .state
        .needs
        .queue
        .session(sid)
        .and_then(|s| s.row(eid))
        .map(|r| r.send.clone())
}

/// Wait until the queue no longer lists the call.
async fn wait_gone(h: &mut Harness, sid: &str, eid: &str) {
    let start = Instant::now();
    while send_state(h, sid, eid).is_some() {
        assert!(
            start.elapsed() < PATIENCE,
            "{eid} stays in the queue:\n{}",
            h.screen()
        );
        h.settle().await;
    }
}

#[track_caller]
fn index_of(hist: &[Value], what: &str, pred: impl Fn(&Value) -> bool) -> usize {
    hist.iter()
        .position(pred)
        .unwrap_or_else(|| panic!("no {what} in history: {hist:#?}"))
}

fn text_of(v: &Value) -> String {
    v["content"][0]["text"].as_str().unwrap_or("").to_string()
}

/// The first agent message at or after `from`.
fn next_message(hist: &[Value], from: usize) -> String {
    hist[from..]
        .iter()
        .find(|v| v["type"] == "agent.message")
        .map(text_of)
        .unwrap_or_default()
}

fn confirmation<'a>(id: &'a str) -> impl Fn(&Value) -> bool + 'a {
    move |v| v["type"] == "user.tool_confirmation" && v["tool_use_id"] == id
}

fn result_of<'a>(id: &'a str) -> impl Fn(&Value) -> bool + 'a {
    move |v| v["type"] == "agent.tool_result" && v["tool_use_id"] == id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_deny_and_allow_marked_from_the_queue() {
    let (sim, client) = common::sim(fast()).await;
    let mut h = Harness::new(demo_state(&sim.base_url()), client.clone(), (160, 45));
    h.start();
    let a = new_session(&client, "Repo Engineer", "needs A", "Fix the rounding bug").await;
    let b = new_session(&client, "Repo Engineer", "needs B", "Fix the rounding bug").await;
    let a_ids = blocked_ids(&mut h, &client, &a).await;
    let b_ids = blocked_ids(&mut h, &client, &b).await;
    assert_eq!((a_ids.len(), b_ids.len()), (2, 2), "the coder asks twice");

    // `y` on A's first call: the confirmation is in history, the session waits on the other
    // call only, and the row leaves while the other stays.
    select(&mut h, &a, &a_ids[0]).await;
    h.key(KeyCode::Char('y')).await;
    let hist = wait_history(&mut h, &client, &a, "confirmation", confirmation(&a_ids[0])).await;
    let confirmed = index_of(&hist, "confirmation", confirmation(&a_ids[0]));
    assert_eq!(hist[confirmed]["result"], "allow");
    assert!(hist[confirmed].get("deny_message").is_none());
    wait_gone(&mut h, &a, &a_ids[0]).await;
    waits_only_on(&mut h, &client, &a, &a_ids[1]).await;
    assert_eq!(send_state(&h, &a, &a_ids[1]), Some(SendState::Idle));

    // `n` on A's second call (the push), a message typed in the deny editor, Ctrl-S.
    select(&mut h, &a, &a_ids[1]).await;
    h.key(KeyCode::Char('n')).await;
    let s = h
        .wait_for("the deny editor", |s| {
            s.contains(" Deny bash · message (optional) ")
        })
        .await;
    assert!(s.contains("^S  send"), "{s}");
    h.type_text("no pushes during the freeze").await;
    h.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
    assert!(
        h.app.state.needs.editor.is_none(),
        "sending closes the editor"
    );
    let hist = after_turn(&mut h, &client, &a).await;
    // The allowed call ran after its confirmation; the denied one never did.
    let confirmed = index_of(&hist, "confirmation", confirmation(&a_ids[0]));
    let result = index_of(&hist, "result", result_of(&a_ids[0]));
    assert!(confirmed < result, "the result follows the confirmation");
    assert_eq!(hist[result]["is_error"], false);
    let denied = index_of(&hist, "deny", confirmation(&a_ids[1]));
    assert_eq!(hist[denied]["result"], "deny");
    assert_eq!(hist[denied]["deny_message"], "no pushes during the freeze");
    let next = next_message(&hist, denied);
    assert!(next.contains("You denied `git push origin HEAD:"), "{next}");
    assert!(next.contains("\"no pushes during the freeze\""), "{next}");
    assert!(next.contains("I did not run it."), "{next}");
    assert!(
        !hist.iter().any(result_of(&a_ids[1])),
        "the denied push never ran"
    );
    assert!(
        hist[denied..]
            .iter()
            .filter(|v| v["type"] == "agent.message")
            .all(|v| !text_of(v).contains("pushed as")),
        "no message claims the push happened"
    );
    wait_gone(&mut h, &a, &a_ids[1]).await;

    // Mark both of B's calls, `Y`: a confirm that lists them; `y` allows both.
    select(&mut h, &b, &b_ids[0]).await;
    h.key(KeyCode::Char(' ')).await;
    select(&mut h, &b, &b_ids[1]).await;
    h.key(KeyCode::Char(' ')).await;
    h.key(KeyCode::Char('Y')).await;
    let s = h
        .wait_for("the allow-all confirm", |s| s.contains("Allow 2 call(s)?"))
        .await;
    assert_eq!(
        h.app.state.needs.confirm,
        Some(vec![
            (b.clone(), b_ids[0].clone()),
            (b.clone(), b_ids[1].clone())
        ])
    );
    assert!(s.contains("• bash"), "{s}");
    assert!(
        s.contains("git push origin HEAD:"),
        "the push is listed: {s}"
    );
    let before = history(&client, &b).await;
    assert!(
        !before.iter().any(|v| v["type"] == "user.tool_confirmation"),
        "nothing is sent before the yes"
    );
    h.key(KeyCode::Char('y')).await;
    let hist = after_turn(&mut h, &client, &b).await;
    for id in &b_ids {
        let confirmed = index_of(&hist, "confirmation", confirmation(id));
        assert_eq!(hist[confirmed]["result"], "allow");
        let result = index_of(&hist, "result", result_of(id));
        assert!(confirmed < result);
    }
    let last = hist
        .iter()
        .rev()
        .find(|v| v["type"] == "agent.message")
        .map(text_of)
        .unwrap_or_default();
    assert!(
        last.starts_with("Tests pass and the branch is pushed as"),
        "{last}"
    );
    for id in &b_ids {
        wait_gone(&mut h, &b, id).await;
    }
    assert!(h.app.state.needs.marks.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answer_a_custom_tool_with_text_and_as_an_error() {
    let (sim, client) = common::sim(fast()).await;
    let mut h = Harness::new(demo_state(&sim.base_url()), client.clone(), (160, 45));
    h.start();
    let ok = new_session(
        &client,
        "Support Concierge",
        "needs text",
        "Where is order A-1?",
    )
    .await;
    let bad = new_session(
        &client,
        "Support Concierge",
        "needs error",
        "Where is order A-1?",
    )
    .await;
    for (sid, text, ctrl_e, says) in [
        (
            &ok,
            "Order A-1: delivered 3 March, box crushed",
            false,
            "returned: \"Order A-1: delivered 3 March, box crushed\"",
        ),
        (
            &bad,
            "order A-1 not found",
            true,
            "failed: \"order A-1 not found\"",
        ),
    ] {
        let ids = blocked_ids(&mut h, &client, sid).await;
        assert_eq!(ids.len(), 1);
        let call = &ids[0];
        select(&mut h, sid, call).await;
        // `y` does not fit a custom tool: nothing is sent.
        h.key(KeyCode::Char('y')).await;
        h.wait_for("the hint", |s| s.contains("press e to answer it"))
            .await;
        select(&mut h, sid, call).await;
        h.key(KeyCode::Char('e')).await;
        h.wait_for("the answer editor", |s| {
            s.contains("send as error: off (^E)")
        })
        .await;
        h.type_text(text).await;
        if ctrl_e {
            h.key_mod(KeyCode::Char('e'), KeyModifiers::CONTROL).await;
            h.wait_for("error on", |s| s.contains("send as error: ON (^E)"))
                .await;
        }
        h.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
        let hist = after_turn(&mut h, &client, sid).await;
        let answers: Vec<&Value> = hist
            .iter()
            .filter(|v| v["type"] == "user.custom_tool_result")
            .collect();
        assert_eq!(answers.len(), 1, "one answer, and no confirmation was sent");
        assert!(!hist.iter().any(|v| v["type"] == "user.tool_confirmation"));
        assert_eq!(answers[0]["custom_tool_use_id"], call.as_str());
        assert_eq!(answers[0]["content"][0]["text"], text);
        assert_eq!(answers[0]["is_error"] == true, ctrl_e);
        let at = index_of(&hist, "answer", |v| v["type"] == "user.custom_tool_result");
        let next = next_message(&hist, at);
        assert!(next.contains(says), "{next}");
        wait_gone(&mut h, sid, call).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sub_agent_call_answered_from_the_queue_resumes_its_thread() {
    let (sim, client) = common::sim(fast()).await;
    let mut h = Harness::new(demo_state(&sim.base_url()), client.clone(), (160, 45));
    h.start();
    let sid = new_session(
        &client,
        "Research Lead",
        "needs sub-agent",
        "Run the strict citation check on the draft.",
    )
    .await;
    let ids = blocked_ids(&mut h, &client, &sid).await;
    assert_eq!(ids.len(), 1);
    let call = &ids[0];
    let hist = history(&client, &sid).await;
    let tid = hist[index_of(&hist, "the call", |v| v["id"] == call.as_str())]["session_thread_id"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(tid.starts_with("sthr_"), "a sub-agent's call");
    select(&mut h, &sid, call).await;
    let row_thread = h
        .app
        .state
        .needs
        .queue
        .session(&sid)
        .and_then(|s| s.row(call))
        .and_then(|r| r.thread_id.clone());
    assert_eq!(
        row_thread.as_deref(),
        Some(tid.as_str()),
        "the row names its thread"
    );
    h.key(KeyCode::Char('y')).await;
    let hist = after_turn(&mut h, &client, &sid).await;
    let confirmed = index_of(&hist, "confirmation", confirmation(call));
    // Sent by tool_use_id alone; the server routes it to the sub-agent's thread.
    assert_eq!(hist[confirmed]["session_thread_id"], tid.as_str());
    let thread: Vec<Value> = client
        .thread_events_all(&sid, &tid, Default::default())
        .filter_map(|e| async move { e.ok().map(|e| e.to_value()) })
        .collect()
        .await;
    let result = index_of(&thread, "the sub-agent's result", result_of(call));
    let waited = index_of(&thread, "the wait", |v| {
        v["type"] == "session.thread_status_idle" && v["stop_reason"]["type"] == "requires_action"
    });
    assert!(waited < result);
    assert_eq!(thread[result]["is_error"], false);
    wait_gone(&mut h, &sid, call).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_send_stays_on_its_row_and_a_retry_works() {
    let (sim, client) = common::sim(fast()).await;
    let mut h = Harness::new(demo_state(&sim.base_url()), client.clone(), (160, 45));
    h.start();
    let sid = new_session(
        &client,
        "Repo Engineer",
        "needs retry",
        "Fix the rounding bug",
    )
    .await;
    let ids = blocked_ids(&mut h, &client, &sid).await;
    let call = &ids[0];
    select(&mut h, &sid, call).await;
    // Every attempt of the next send fails (the client tries five times).
    sim.fail_writes(5);
    h.key(KeyCode::Char('y')).await;
    // While the client retries, the row is pending and nothing is in history.
    assert_eq!(send_state(&h, &sid, call), Some(SendState::Pending));
    let s = h.screen();
    assert!(s.contains("⧗ "), "{s}");
    assert!(s.contains("sent, waiting for the API"), "{s}");
    let start = Instant::now();
    let error = loop {
        if let Some(SendState::Failed(e)) = send_state(&h, &sid, call) {
            break e;
        }
        assert!(start.elapsed() < PATIENCE, "never failed:\n{}", h.screen());
        h.settle().await;
    };
    assert!(
        error.starts_with("500 api_error: Internal server error (simulated write failure).")
            && error.contains("request-id req_"),
        "{error}"
    );
    assert!(!error.contains('\n'));
    let s = h
        .wait_for("the failed row", |s| s.contains("✗ needs retry"))
        .await;
    assert!(s.contains("failed (y/n/e retries): 500 api_error"), "{s}");
    assert!(
        s.contains(&format!("not sent: {error}")),
        "the call pane says why: {s}"
    );
    assert!(
        !history(&client, &sid).await.iter().any(confirmation(call)),
        "nothing reached the session"
    );
    // The row is still there, with the cursor on it: `y` again goes through.
    select(&mut h, &sid, call).await;
    h.key(KeyCode::Char('y')).await;
    let hist = wait_history(&mut h, &client, &sid, "confirmation", confirmation(call)).await;
    assert_eq!(hist.iter().filter(|v| confirmation(call)(v)).count(), 1);
    wait_gone(&mut h, &sid, call).await;
    waits_only_on(&mut h, &client, &sid, &ids[1]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupt_one_sub_agent_thread_from_its_stream() {
    let (sim, client) = common::sim(SimOptions {
        speed: 3.0,
        ..SimOptions::default()
    })
    .await;
    let mut h = Harness::new(demo_state(&sim.base_url()), client.clone(), (160, 45));
    h.start();
    // Idle until the thread is on screen: the interrupt follows its start at once.
    let sid = new_session(&client, "Research Lead", "needs interrupt", "").await;
    let threads: Vec<_> = client
        .threads_all(&sid, Default::default())
        .filter_map(|t| async move { t.ok() })
        .collect()
        .await;
    let children: Vec<String> = threads
        .iter()
        .filter(|t| t.parent_thread_id.is_some())
        .map(|t| t.id.clone())
        .collect();
    assert_eq!(children.len(), 2);
    // Watch the session and show its first sub-agent's thread (`T` cycles).
    h.wait_for("the new session", |s| s.contains("needs interrupt"))
        .await;
    let row = (0..h.app.state.sessions.view_len())
        .find(|&i| {
            h.app
                .state
                .sessions
                .view_get(i)
                .is_some_and(|e| e.summary.id == sid)
        })
        .expect("listed");
    h.app.state.list.cursor = row;
    h.app.state.list_touched = true;
    h.key(KeyCode::Enter).await;
    h.wait_for("the session's history", |s| {
        s.contains("Events needs interrupt")
            && s.contains("● live")
            && !s.contains("loading history")
    })
    .await;
    let start = Instant::now();
    while h.app.state.stream.filter.thread.as_deref() != Some(children[0].as_str()) {
        assert!(
            start.elapsed() < PATIENCE,
            "T never reached the thread:\n{}",
            h.screen()
        );
        h.key(KeyCode::Char('T')).await;
    }
    client
        .send_event(&sid, EventParams::user_text("Size the market"))
        .await
        .expect("the task is sent");
    wait_history(&mut h, &client, &sid, "the first sub-agent running", |v| {
        v["type"] == "session.thread_status_running"
            && v["session_thread_id"] == children[0].as_str()
    })
    .await;
    h.key(KeyCode::Char('I')).await;
    h.wait_for("the confirm", |s| s.contains("Interrupt only thread"))
        .await;
    h.key(KeyCode::Char('y')).await;
    let hist = wait_history(&mut h, &client, &sid, "the other sub-agent running", |v| {
        v["type"] == "session.thread_status_running"
            && v["session_thread_id"] == children[1].as_str()
    })
    .await;
    let interrupt = index_of(&hist, "the interrupt", |v| v["type"] == "user.interrupt");
    assert_eq!(hist[interrupt]["session_thread_id"], children[0].as_str());
    assert!(
        hist[interrupt..]
            .iter()
            .any(|v| v["type"] == "session.thread_status_idle"
                && v["session_thread_id"] == children[0].as_str()),
        "the interrupted sub-agent went idle"
    );
    assert!(
        !hist[interrupt..]
            .iter()
            .any(|v| v["type"] == "session.status_idle"),
        "the session itself kept running"
    );
    let session = client.get_session(&sid).await.expect("session");
    assert_eq!(session.status, overseer::api::types::SessionStatus::Running);
}
