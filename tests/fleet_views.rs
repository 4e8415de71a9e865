//! The threads tree and the session detail against the simulator: the demo's multiagent
//! session shows its coordinator and sub-agents, choosing a sub-agent brings that thread's own
//! events (as the API lists them) under it; a metadata edit and a rename from the detail view
//! land (read back through the API).

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyModifiers};
use futures::StreamExt;
use overseer::api::types::{ListEventsParams, ListThreadsParams};
use overseer::api::{Client, ClientConfig};
use overseer::app::state::{State, View};
use overseer::app::{App, Msg};
use overseer::sim::{SimOptions, start};
use overseer::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

mod common;
use common::Harness;

async fn harness(client: &Client) -> Harness {
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
    h
}

/// Put the list cursor on the session titled `title` and watch it.
async fn select(h: &mut Harness, title: &str) -> String {
    let row = (0..h.app.state.sessions.view_len())
        .find(|&i| {
            h.app
                .state
                .sessions
                .view_get(i)
                .map(|e| e.summary.title.as_str())
                == Some(title)
        })
        .unwrap_or_else(|| panic!("{title} in the demo"));
    h.app.state.list.cursor = row;
    h.app.state.list_touched = true;
    let id = h.app.state.selected_session().unwrap().to_string();
    h.key(KeyCode::Enter).await;
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threads_tree_shows_the_sub_agents_and_their_events() {
    let sim = start(SimOptions::default(), ([127, 0, 0, 1], 0).into())
        .await
        .expect("simulator");
    let client = Client::new(ClientConfig::new(sim.base_url(), None)).expect("client");
    let mut h = harness(&client).await;
    let id = select(&mut h, "Market sizing: observability platforms 2026").await;

    // The API's threads: the primary and its sub-agents.
    let listed: Vec<_> = client
        .threads_all(&id, ListThreadsParams::default())
        .filter_map(|t| async move { t.ok() })
        .collect()
        .await;
    let subs: Vec<_> = listed.iter().filter(|t| !t.is_primary()).collect();
    assert!(subs.len() >= 2, "{listed:#?}");
    let names: Vec<String> = subs
        .iter()
        .map(|t| t.agent.name.clone().unwrap_or_default())
        .collect();

    h.command("threads").await;
    assert_eq!(h.app.state.view, View::Threads);
    let screen = h
        .wait_for("the tree with every sub-agent", |s| {
            names.iter().all(|n| s.contains(n.as_str())) && s.contains("├─ ")
        })
        .await;
    assert!(screen.contains("└─ "), "{screen}");
    // Token counts come from the listing.
    let tree = &h.app.state.threads.tree;
    let first = tree
        .node(&subs[0].id)
        .expect("the first sub-agent in the tree");
    assert_eq!(
        first.tokens,
        subs[0].usage.as_ref().map(|u| u.total_tokens()),
        "{first:?}"
    );

    // Down to the first sub-agent (rows: primary, then the children in listing order), Enter.
    h.key(KeyCode::Down).await;
    h.key(KeyCode::Enter).await;
    assert_eq!(
        h.app.state.stream.filter.thread.as_deref(),
        Some(subs[0].id.as_str())
    );
    // Its own events (from the thread's feed) are the ones the API lists for that thread.
    let api_ids: Vec<String> = client
        .thread_events_all(&id, &subs[0].id, ListEventsParams::default())
        .filter_map(|e| async move { e.ok().and_then(|e| e.id) })
        .collect()
        .await;
    assert!(!api_ids.is_empty());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        h.settle().await;
        let w = h.app.state.watched.as_ref().unwrap();
        let shown: Vec<String> = w
            .thread_feed
            .as_ref()
            .map(|t| {
                (0..t.transcript.len())
                    .filter_map(|i| t.transcript.get(i).map(|e| e.id.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        if api_ids.iter().all(|a| shown.contains(a)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "thread events {api_ids:?} not all under the thread: {shown:?}"
        );
    }
    // The conversation has the coordinator's messages to and from its sub-agents.
    h.key(KeyCode::Char('c')).await;
    let conv = h
        .wait_for("the conversation", |s| s.contains("Conversation"))
        .await;
    assert!(conv.contains(&format!("→ {}", names[0])), "{conv}");
    h.key(KeyCode::Esc).await;
    assert_eq!(h.app.state.view, View::Sessions);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detail_edits_metadata_and_title_through_the_api() {
    let sim = start(SimOptions::default(), ([127, 0, 0, 1], 0).into())
        .await
        .expect("simulator");
    let client = Client::new(ClientConfig::new(sim.base_url(), None)).expect("client");
    let mut h = harness(&client).await;
    let id = select(&mut h, "Release notes for v4.2").await;
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Char('d')).await;
    h.wait_for("the detail", |s| s.contains("Metadata (e edits)"))
        .await;
    let screen = h.screen();
    assert!(screen.contains("budget reached"), "{screen}");

    h.key(KeyCode::Char('e')).await;
    h.type_text("owner=docs").await;
    h.key(KeyCode::Enter).await;
    h.type_text("release=4.2").await;
    h.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
    h.wait_for("saved toast", |s| s.contains("metadata saved"))
        .await;
    let s = client.get_session(&id).await.expect("session");
    assert_eq!(s.metadata.get("owner").map(String::as_str), Some("docs"));
    assert_eq!(s.metadata.get("release").map(String::as_str), Some("4.2"));

    h.key(KeyCode::Char('R')).await;
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL).await;
    h.type_text("Release notes v4.2 (final)").await;
    h.key(KeyCode::Enter).await;
    h.wait_for("title saved", |s| s.contains("title saved"))
        .await;
    let s = client.get_session(&id).await.expect("session");
    assert_eq!(s.title.as_deref(), Some("Release notes v4.2 (final)"));
    h.wait_for("the new title on screen", |s| {
        s.contains("Release notes v4.2 (final)")
    })
    .await;

    // Read-only refuses the editor with a clear line.
    h.app.state.read_only = true;
    h.key(KeyCode::Char('e')).await;
    assert!(h.app.state.detail.edit.is_none());
    h.wait_for("read-only toast", |s| {
        s.contains("read-only: editing the session is disabled")
    })
    .await;
}
