//! Session actions from the dashboard against the simulator: `m` sends a message that lands in
//! the session's history with exactly the typed text; `I` + `y` interrupts a running session,
//! which records `user.interrupt` and goes idle.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyModifiers};
use futures::StreamExt;
use overseer::api::types::{ListEventsParams, SessionStatus};
use overseer::api::{Client, ClientConfig};
use overseer::app::state::State;
use overseer::app::{App, Msg};
use overseer::sim::{SimOptions, start};
use overseer::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

mod common;
use common::Harness;

async fn history(c: &Client, id: &str) -> Vec<serde_json::Value> {
    c.events_all(id, ListEventsParams::default())
        .filter_map(|e| async move { e.ok().map(|e| e.to_value()) })
        .collect()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_a_message_and_interrupt_from_the_dashboard() {
    let sim = start(SimOptions::default(), ([127, 0, 0, 1], 0).into())
        .await
        .expect("simulator");
    let client = Client::new(ClientConfig::new(sim.base_url(), None)).expect("client");
    let mut state = State::new(overseer::app::terminal::now_secs());
    state.demo = true;
    state.size = (120, 40);
    let mut h = Harness {
        app: App::new(state, Some(client.clone())),
        term: Terminal::new(TestBackend::new(120, 40)).unwrap(),
        theme: Theme::dark(),
    };
    h.app.handle(Msg::Resize(120, 40));
    h.app.start(Duration::from_millis(500));
    h.wait_for("the list", |s| s.contains("● connected")).await;

    // A running session, selected in the list.
    let row = (0..h.app.state.sessions.view_len())
        .find(|&i| {
            h.app
                .state
                .sessions
                .view_get(i)
                .map(|e| e.summary.status.as_str())
                == Some("running")
        })
        .expect("a running session in the demo");
    h.app.state.list.cursor = row;
    h.app.state.list_touched = true;
    let id = h.app.state.selected_session().unwrap().to_string();

    // m, type two lines, Ctrl-S.
    h.key(KeyCode::Char('m')).await;
    h.wait_for("the message overlay", |s| s.contains("Message to"))
        .await;
    h.type_text("please check").await;
    h.key(KeyCode::Enter).await;
    h.type_text("the totals").await;
    h.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
    h.wait_for("sent toast", |s| s.contains("message sent to"))
        .await;
    // A running session queues new work until its turn ends: wait for it in history.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let sent = history(&client, &id).await;
        if sent.iter().any(|e| {
            e["type"] == "user.message" && e["content"][0]["text"] == "please check\nthe totals"
        }) {
            break;
        }
        assert!(Instant::now() < deadline, "{sent:#?}");
        h.settle().await;
    }
    assert!(
        h.app.state.drafts.is_empty(),
        "a sent message forgets its draft"
    );

    // I asks first, y interrupts.
    h.key(KeyCode::Char('I')).await;
    h.wait_for("the confirm", |s| s.contains("Interrupt this session?"))
        .await;
    h.key(KeyCode::Char('y')).await;
    h.wait_for("interrupted toast", |s| s.contains("interrupted "))
        .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let events = history(&client, &id).await;
        let interrupted = events.iter().any(|e| e["type"] == "user.interrupt");
        let idle = client
            .get_session(&id)
            .await
            .is_ok_and(|s| s.status == SessionStatus::Idle);
        if interrupted && idle {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "interrupted={interrupted} idle={idle}"
        );
        h.settle().await;
    }
}
