//! The read-only resource views against the simulator over loopback HTTP: `:memory` down to
//! one memory's content and versions, `:dreams`, `:deployments` with an errored run. Asserts
//! on screen text; "eventually" conditions poll with generous timeouts.

use crossterm::event::KeyCode;
use overseer::api::{Client, ClientConfig};
use overseer::app::state::State;
use overseer::app::{App, Msg};
use overseer::sim::{SimOptions, start};
use overseer::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

mod common;
use common::Harness;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_dreams_and_deployments_against_the_simulator() {
    let sim = start(SimOptions::default(), ([127, 0, 0, 1], 0).into())
        .await
        .expect("simulator");
    let client = Client::new(ClientConfig::new(sim.base_url(), None)).expect("client");
    let mut state = State::new(overseer::app::terminal::now_secs());
    state.profile = "demo".into();
    state.base_url = sim.base_url();
    state.demo = true;
    let mut h = Harness {
        app: App::new(state, Some(client)),
        term: Terminal::new(TestBackend::new(160, 45)).unwrap(),
        theme: Theme::dark(),
    };
    h.app.handle(Msg::Resize(160, 45));

    // :memory lists both demo stores; open engineering-notes.
    h.command("memory").await;
    let s = h
        .wait_for("memory stores", |s| {
            s.contains("engineering-notes") && s.contains("support-playbook")
        })
        .await;
    assert!(s.contains("Memory stores"), "{s}");
    assert!(
        h.down_until(8, |s| s.contains("name        engineering-notes   "))
            .await,
        "{}",
        h.screen()
    );
    h.key(KeyCode::Enter).await;
    // The store's tree: folders first, loaded one level at a time.
    let s = h
        .wait_for("the store's tree", |s| s.contains("▸ architecture/"))
        .await;
    assert!(s.contains("Memory engineering-notes"), "{s}");
    h.key(KeyCode::Enter).await;
    h.wait_for("the folder's memories", |s| {
        s.contains("▾ architecture/") && s.contains("· billing.md")
    })
    .await;
    // Open the first memory: its content; v: its versions and a diff.
    h.key(KeyCode::Char('j')).await;
    h.key(KeyCode::Enter).await;
    h.wait_for("a memory's content", |s| {
        s.contains("# Billing") && s.contains("line 1/")
    })
    .await;
    h.key(KeyCode::Char('v')).await;
    let s = h
        .wait_for("its versions", |s| {
            s.contains("Versions /architecture/billing.md")
        })
        .await;
    assert!(
        s.contains("created") || s.contains("modified"),
        "a version's operation: {s}"
    );
    // Esc walks back up to the session list.
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Esc).await;
    assert!(h.screen().contains("Memory stores"), "{}", h.screen());
    h.key(KeyCode::Esc).await;
    assert!(h.screen().contains("Sessions"), "{}", h.screen());

    // :dreams shows the three demo dreams with their status; the failed one has an error.
    h.command("dreams").await;
    let s = h
        .wait_for("dreams", |s| {
            s.contains("✔ completed") && s.contains("▶ running") && s.contains("✖ failed")
        })
        .await;
    assert!(!s.contains("review queue"), "no promise of a queue: {s}");
    assert!(
        h.down_until(5, |s| s.contains(" error    ✖")).await,
        "{}",
        h.screen()
    );
    h.key(KeyCode::Enter).await;
    assert!(h.screen().contains("j/k scroll JSON"));

    // :deployments: both demo deployments; the triage one has an errored run.
    h.command("deployments").await;
    let s = h
        .wait_for("deployments", |s| {
            s.contains("Stale PR digest") && s.contains("Hourly support triage")
        })
        .await;
    assert!(s.contains("*/30 * * * * UTC"), "{s}");
    assert!(
        h.down_until(3, |s| s.contains("errored ")
            && s.contains("vault_archived_error"))
            .await,
        "{}",
        h.screen()
    );
    let s = h.screen();
    assert!(s.contains("⏸ paused"), "{s}");
    assert!(s.contains("✖ schedule"), "{s}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_view_says_why_with_the_request_id_and_keeps_running() {
    let mut opts = SimOptions::default();
    opts.faults.error_rate = 1.0;
    let sim = start(opts, ([127, 0, 0, 1], 0).into())
        .await
        .expect("simulator");
    let client = Client::new(ClientConfig::new(sim.base_url(), None)).expect("client");
    let mut state = State::new(overseer::app::terminal::now_secs());
    state.demo = true;
    let mut h = Harness {
        app: App::new(state, Some(client)),
        term: Terminal::new(TestBackend::new(160, 45)).unwrap(),
        theme: Theme::dark(),
    };
    h.app.handle(Msg::Resize(160, 45));
    h.command("dreams").await;
    let s = h
        .wait_for("an error toast", |s| s.contains("✖ dreams: "))
        .await;
    assert!(s.contains("request-id"), "{s}");
    // The simulator answers each request with 429, 500 or 529 at random: whichever came
    // last, the pane names it.
    assert!(
        ["429", "500", "529"]
            .iter()
            .any(|code| s.contains(&format!("✖ failed, retrying (^r: now) · {code}"))),
        "{s}"
    );
    // Keys still work while the fetch keeps failing.
    h.key(KeyCode::Esc).await; // closes the toast
    h.key(KeyCode::Esc).await;
    assert!(h.screen().contains("Sessions"), "{}", h.screen());
}
