//! The review queue in the dashboard against the simulator: open the review of the demo's
//! completed dream, accept one change, reject the next, apply, and read the input store back
//! through the API.

use std::collections::BTreeMap;
use std::time::Duration;

use crossterm::event::KeyCode;
use futures::StreamExt;
use overseer::api::types::{ListMemoriesParams, MemoryListItem, MemoryView};
use overseer::api::{Client, ClientConfig};
use overseer::app::review_view::JournalSetup;
use overseer::app::state::State;
use overseer::app::{App, Msg};
use overseer::model::review::{ChangeKind, ChangeState};
use overseer::sim::{SimOptions, start};
use overseer::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

mod common;
use common::Harness;

/// Every memory of a store: path → content.
async fn contents(c: &Client, store: &str) -> BTreeMap<String, String> {
    let params = ListMemoriesParams {
        limit: Some(100),
        view: Some(MemoryView::Basic),
        ..Default::default()
    };
    let mut out = BTreeMap::new();
    let mut s = Box::pin(c.memories_all(store, params));
    let mut ids = Vec::new();
    while let Some(item) = s.next().await {
        if let MemoryListItem::Memory(m) = item.unwrap() {
            ids.push((m.path, m.id));
        }
    }
    for (path, id) in ids {
        let full = c
            .get_memory(store, &id, Some(MemoryView::Full))
            .await
            .unwrap();
        out.insert(path, full.content.unwrap_or_default());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_one_reject_one_apply_writes_exactly_that() {
    let sim = start(SimOptions::default(), ([127, 0, 0, 1], 0).into())
        .await
        .expect("simulator");
    let dir = tempfile::tempdir().unwrap();
    let client = Client::new(ClientConfig::new(sim.base_url(), None)).expect("client");
    let mut state = State::new(overseer::app::terminal::now_secs());
    state.base_url = sim.base_url();
    state.demo = true;
    state.size = (120, 40);
    state.review.journal = Some(JournalSetup {
        path: dir.path().join("journal.jsonl"),
        base_url: sim.base_url(),
        workspace: None,
    });
    let mut h = Harness {
        app: App::new(state, Some(client.clone())),
        term: Terminal::new(TestBackend::new(120, 40)).unwrap(),
        theme: Theme::dark(),
    };
    h.app.handle(Msg::Resize(120, 40));
    h.app.start(Duration::from_millis(500));

    h.command("review").await;
    h.wait_for("the changes", |_| true).await;
    let start = std::time::Instant::now();
    while h.app.state.review.queue.is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no queue: {:?}\n{}",
            h.app.state.review.loading,
            h.screen()
        );
        h.settle().await;
    }
    let q = h.app.state.review.queue.clone().unwrap();
    assert!(q.changes.len() >= 2, "the demo dream proposes changes");
    let input = h.app.state.review.input_store.clone();
    let before = contents(&client, &input).await;
    let (first, second) = (q.changes[0].clone(), q.changes[1].clone());
    let s = h.screen();
    assert!(s.contains(" Review "), "{s}");
    assert!(s.contains(&first.path), "{s}");

    h.app.state.review.list.cursor = 0;
    h.key(KeyCode::Char('y')).await;
    h.wait_for("saved accept", |s| s.contains("accepted")).await;
    h.key(KeyCode::Char('n')).await;
    h.wait_for("saved reject", |s| s.contains("rejected")).await;
    h.key(KeyCode::Char('A')).await;
    let s = h
        .wait_for("apply confirm", |s| s.contains("to update"))
        .await;
    assert!(s.contains("Apply 1 accepted change(s)"), "{s}");
    h.key(KeyCode::Char('y')).await;
    h.wait_for("applied", |s| s.contains("applied 1 change(s)"))
        .await;
    let states: Vec<ChangeState> = h.app.state.review.queue.as_ref().unwrap().entries[..2]
        .iter()
        .map(|e| e.state)
        .collect();
    assert_eq!(states, vec![ChangeState::Applied, ChangeState::Rejected]);

    let after = contents(&client, &input).await;
    let proposed =
        |c: &overseer::model::review::Change| c.proposed.as_ref().and_then(|s| s.content.clone());
    match first.kind {
        ChangeKind::Added | ChangeKind::Modified => {
            assert_eq!(after.get(&first.path).cloned(), proposed(&first))
        }
        ChangeKind::Deleted => assert_eq!(after.get(&first.path), None),
        ChangeKind::Renamed => {
            assert!(after.contains_key(&first.path));
            assert_eq!(after.get(first.old_path.as_deref().unwrap()), None);
        }
    }
    // The rejected change left its path exactly as it was.
    let second_path = second.old_path.clone().unwrap_or(second.path.clone());
    assert_eq!(after.get(&second_path), before.get(&second_path));
    if second.kind == ChangeKind::Added {
        assert_eq!(after.get(&second.path), None);
    }
}
