//! Dream actions in the dashboard against the simulator, asserted through the API: the
//! start-dream form (store, sessions, instructions, model) creates exactly that dream, and the
//! API's refusal is shown on the form with the inputs kept; a running dream is followed in the
//! stream (its reads and writes of memories), canceled, and a finished one archived.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyModifiers};
use overseer::api::params::ListDreamsParams;
use overseer::api::types::{Dream, DreamInput, DreamStatus, OutputBehavior};
use overseer::api::{Client, ClientConfig};
use overseer::app::review_view::JournalSetup;
use overseer::app::state::{State, View};
use overseer::app::{App, Msg};
use overseer::sim::{SimHandle, SimOptions, start};
use overseer::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

mod common;
use common::Harness;

async fn dashboard(dir: &std::path::Path) -> (SimHandle, Client, Harness) {
    let sim = start(SimOptions::default(), ([127, 0, 0, 1], 0).into())
        .await
        .expect("simulator");
    let client = Client::new(ClientConfig::new(sim.base_url(), None)).expect("client");
    let mut state = State::new(overseer::app::terminal::now_secs());
    state.base_url = sim.base_url();
    state.demo = true;
    state.size = (120, 40);
    state.review.journal = Some(JournalSetup {
        path: dir.join("journal.jsonl"),
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
    (sim, client, h)
}

/// Pump until `cond(state)` holds.
async fn until(h: &mut Harness, what: &str, cond: impl Fn(&State) -> bool) {
    let start = Instant::now();
    while !cond(&h.app.state) {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}; screen:\n{}",
            h.screen()
        );
        h.settle().await;
    }
}

async fn all_dreams(c: &Client, include_archived: bool) -> Vec<Dream> {
    c.list_dreams(&ListDreamsParams {
        include_archived: Some(include_archived),
        limit: Some(100),
        ..Default::default()
    })
    .await
    .unwrap()
    .data
}

fn store_of(d: &Dream) -> Option<&str> {
    d.inputs.iter().find_map(|i| match i {
        DreamInput::MemoryStore {
            memory_store_id, ..
        } => Some(memory_store_id.as_str()),
        _ => None,
    })
}

/// Open `:dreams` and wait for its rows.
async fn open_dreams(h: &mut Harness) {
    h.command("dreams").await;
    until(h, "the dreams", |s| {
        s.view == View::Dreams && s.dreams.dreams.len() >= 3
    })
    .await;
}

/// Move the dreams cursor to the first row with `status`.
async fn select(h: &mut Harness, status: DreamStatus) -> String {
    let i = h
        .app
        .state
        .dreams
        .dreams
        .iter()
        .position(|d| d.status == status)
        .unwrap_or_else(|| panic!("no {status:?} dream: {:?}", h.app.state.dreams.dreams));
    h.key(KeyCode::Char('g')).await;
    for _ in 0..i {
        h.key(KeyCode::Char('j')).await;
    }
    assert_eq!(h.app.state.dreams.nav.cursor, i);
    h.app.state.dreams.dreams[i].id.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_start_dream_form_creates_exactly_its_dream_and_shows_the_apis_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, client, mut h) = dashboard(dir.path()).await;
    until(&mut h, "sessions", |s| s.sessions.view_len() >= 3).await;
    open_dreams(&mut h).await;
    let before: Vec<String> = all_dreams(&client, true)
        .await
        .into_iter()
        .map(|d| d.id)
        .collect();

    h.key(KeyCode::Char('c')).await;
    until(&mut h, "the form's choices", |s| {
        s.review
            .form
            .as_ref()
            .is_some_and(|f| f.stores.len() >= 2 && f.sessions.len() >= 3)
    })
    .await;
    let s = h.screen();
    assert!(s.contains(" Start a dream "), "{s}");
    let form = h.app.state.review.form.clone().unwrap();
    // The second store, the first and third sessions.
    h.key(KeyCode::Down).await;
    let store = form.stores[1].0.clone();
    h.key(KeyCode::Tab).await;
    h.key(KeyCode::Char(' ')).await;
    h.key(KeyCode::Down).await;
    h.key(KeyCode::Down).await;
    h.key(KeyCode::Char(' ')).await;
    let mut sessions = vec![form.sessions[0].0.clone(), form.sessions[2].0.clone()];
    sessions.sort();
    h.key(KeyCode::Tab).await;
    // Instructions longer than the API takes: the refusal shows on the form.
    h.app.handle(Msg::Paste("x".repeat(4097)));
    h.key(KeyCode::Tab).await;
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL).await;
    h.type_text("claude-opus-5-5").await;
    h.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
    until(&mut h, "the API's refusal", |s| {
        s.review.form.as_ref().is_some_and(|f| f.error.is_some())
    })
    .await;
    let error = h.app.state.review.form.as_ref().unwrap().error.clone();
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.contains("instructions: must be 1-4096 characters")),
        "{error:?}"
    );
    let s = h.screen();
    assert!(
        s.contains("✖ ") && s.contains("instructions: must be 1-4096 characters"),
        "{s}"
    );
    assert_eq!(all_dreams(&client, true).await.len(), before.len());

    // Fix the instructions (undo the paste, write real ones) and start it.
    h.key(KeyCode::BackTab).await;
    h.key_mod(KeyCode::Char('z'), KeyModifiers::CONTROL).await;
    h.type_text("Keep only what the last sprint confirmed.")
        .await;
    h.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
    until(&mut h, "the form to close", |s| s.review.form.is_none()).await;
    let toast = h.app.state.toast.as_ref().map(|t| t.text.clone());
    assert!(
        toast
            .as_deref()
            .is_some_and(|t| t.starts_with("started dream drm_")),
        "{toast:?}"
    );

    let created: Vec<Dream> = all_dreams(&client, true)
        .await
        .into_iter()
        .filter(|d| !before.contains(&d.id))
        .collect();
    assert_eq!(created.len(), 1, "{created:?}");
    let d = &created[0];
    assert_eq!(store_of(d), Some(store.as_str()));
    let mut got = d.input_session_ids().to_vec();
    got.sort();
    assert_eq!(got, sessions);
    assert_eq!(
        d.instructions.as_deref(),
        Some("Keep only what the last sprint confirmed.")
    );
    assert_eq!(d.model.id, "claude-opus-5-5");
    assert!(matches!(d.output_behavior, OutputBehavior::CreateNew));
    assert_eq!(
        toast.as_deref(),
        Some(format!("started dream {}", d.id).as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_cancel_and_archive_dreams_from_the_dreams_view() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, client, mut h) = dashboard(dir.path()).await;
    open_dreams(&mut h).await;

    // Follow the running dream's own session: its reads and writes of memories.
    let running = select(&mut h, DreamStatus::Running).await;
    let session = client
        .get_dream(&running)
        .await
        .unwrap()
        .session_id
        .unwrap();
    h.key(KeyCode::Enter).await;
    assert_eq!(h.app.state.view, View::Sessions);
    assert_eq!(
        h.app.state.watched.as_ref().map(|w| w.session_id.as_str()),
        Some(session.as_str())
    );
    let s = h
        .wait_for("the dream's memory reads", |s| {
            s.contains("/mnt/memory/support-playbook")
        })
        .await;
    assert!(s.contains("glob"), "{s}");

    // Cancel it (confirmed).
    open_dreams(&mut h).await;
    assert_eq!(select(&mut h, DreamStatus::Running).await, running);
    h.key(KeyCode::Char('x')).await;
    let s = h
        .wait_for("the cancel question", |s| s.contains(&running))
        .await;
    assert!(s.contains("Cancel") || s.contains("cancel"), "{s}");
    h.key(KeyCode::Char('y')).await;
    let start = Instant::now();
    loop {
        let d = client.get_dream(&running).await.unwrap();
        if d.status == DreamStatus::Canceled {
            assert!(d.ended_at.is_some());
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{d:?}");
        h.settle().await;
    }

    // Archive the failed one (confirmed): it leaves the default listing.
    open_dreams(&mut h).await;
    let failed = select(&mut h, DreamStatus::Failed).await;
    h.key(KeyCode::Char('D')).await;
    h.wait_for("the archive question", |s| s.contains(&failed))
        .await;
    h.key(KeyCode::Char('y')).await;
    let start = Instant::now();
    loop {
        let d = client.get_dream(&failed).await.unwrap();
        if d.archived_at.is_some() {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{d:?}");
        h.settle().await;
    }
    assert!(
        !all_dreams(&client, false)
            .await
            .iter()
            .any(|d| d.id == failed)
    );
    assert!(
        all_dreams(&client, true)
            .await
            .iter()
            .any(|d| d.id == failed)
    );
}
