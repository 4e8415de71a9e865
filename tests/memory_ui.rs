//! The memory browser's writes against the simulator, through the real app loop: an edit
//! lands exactly; a change made behind its back turns the save into a 409 that keeps the edit
//! and the API's content; a revert writes the old version back; a delete with a stale hash is
//! refused.

use crossterm::event::{KeyCode, KeyModifiers};
use overseer::api::types::{MemoryView, UpdateMemoryParams};
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
async fn edit_conflict_revert_and_stale_delete_against_the_simulator() {
    let sim = start(SimOptions::default(), ([127, 0, 0, 1], 0).into())
        .await
        .expect("simulator");
    let client = Client::new(ClientConfig::new(sim.base_url(), None)).expect("client");
    let mut state = State::new(overseer::app::terminal::now_secs());
    state.demo = true;
    let mut h = Harness {
        app: App::new(state, Some(client.clone())),
        term: Terminal::new(TestBackend::new(160, 45)).unwrap(),
        theme: Theme::dark(),
    };
    h.app.handle(Msg::Resize(160, 45));

    h.command("memory").await;
    h.wait_for("stores", |s| s.contains("engineering-notes"))
        .await;
    assert!(
        h.down_until(8, |s| s.contains("name        engineering-notes   "))
            .await
    );
    h.key(KeyCode::Enter).await;
    h.wait_for("tree", |s| s.contains("▸ architecture/")).await;
    h.key(KeyCode::Enter).await;
    h.wait_for("folder", |s| s.contains("· billing.md")).await;
    h.key(KeyCode::Char('j')).await;
    h.key(KeyCode::Enter).await;
    h.wait_for("content", |s| s.contains("# Billing")).await;
    let store_id = h.app.state.memory.store.clone().unwrap().id;
    let memory_id = h.app.state.memory.memory.clone().unwrap().id;
    let original = h.app.state.memory.memory.clone().unwrap().content;
    let live = |client: Client, store: String, id: String| async move {
        client
            .get_memory(&store, &id, Some(MemoryView::Full))
            .await
            .expect("get memory")
            .content
            .unwrap_or_default()
    };

    // e, type, ctrl-s, y: the API holds exactly the edited text.
    h.key(KeyCode::Char('e')).await;
    h.type_text(" ok").await;
    h.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
    h.wait_for("confirm", |s| s.contains("Save memory")).await;
    h.key(KeyCode::Char('y')).await;
    h.wait_for("saved", |s| s.contains("saved /architecture/billing.md"))
        .await;
    let edited = format!("{original} ok");
    assert_eq!(
        live(client.clone(), store_id.clone(), memory_id.clone()).await,
        edited
    );
    for _ in 0..50 {
        h.settle().await;
        if h.app
            .state
            .memory
            .memory
            .as_ref()
            .is_some_and(|m| m.content == edited)
        {
            break;
        }
    }

    // Edit again, but someone writes first: 409, the edit stays, the API keeps theirs.
    h.key(KeyCode::Char('e')).await;
    h.type_text("!").await;
    let theirs = UpdateMemoryParams {
        content: Some("theirs".into()),
        ..Default::default()
    };
    client
        .update_memory(&store_id, &memory_id, &theirs)
        .await
        .expect("their write");
    h.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
    h.key(KeyCode::Char('y')).await;
    let s = h
        .wait_for("conflict", |s| {
            s.contains("409 someone changed this memory")
        })
        .await;
    assert!(s.contains("changed meanwhile (409)"), "{s}");
    assert_eq!(
        h.app.state.memory.edit.as_ref().map(|e| e.editor.text()),
        Some(format!("{edited}!"))
    );
    assert_eq!(
        live(client.clone(), store_id.clone(), memory_id.clone()).await,
        "theirs"
    );
    h.key(KeyCode::Esc).await;
    for _ in 0..50 {
        h.settle().await;
        if h.app
            .state
            .memory
            .memory
            .as_ref()
            .is_some_and(|m| m.content == "theirs")
        {
            break;
        }
    }

    // v, j (the version before theirs), R, y: the content is that version's exactly.
    h.key(KeyCode::Char('v')).await;
    h.wait_for("versions", |s| {
        s.contains("Versions /architecture/billing.md")
    })
    .await;
    h.key(KeyCode::Char('j')).await;
    let old = h
        .app
        .state
        .memory
        .selected_version()
        .and_then(|v| v.content.clone())
        .expect("an older version with content");
    assert_eq!(old, edited);
    h.key(KeyCode::Char('R')).await;
    h.wait_for("confirm", |s| s.contains("Revert memory")).await;
    h.key(KeyCode::Char('y')).await;
    h.wait_for("reverted", |s| {
        s.contains("reverted /architecture/billing.md")
    })
    .await;
    assert_eq!(
        live(client.clone(), store_id.clone(), memory_id.clone()).await,
        old
    );
    for _ in 0..50 {
        h.settle().await;
        if h.app
            .state
            .memory
            .memory
            .as_ref()
            .is_some_and(|m| m.content == old)
        {
            break;
        }
    }

    // The content changes behind the screen; d, y: refused, nothing deleted.
    // Esc closes an open toast first, then leaves the versions list.
    for _ in 0..3 {
        if h.app.state.context() == overseer::app::keymap::Context::Memory {
            break;
        }
        h.key(KeyCode::Esc).await;
    }
    assert_eq!(
        h.app.state.context(),
        overseer::app::keymap::Context::Memory
    );
    let again = UpdateMemoryParams {
        content: Some("changed again".into()),
        ..Default::default()
    };
    client
        .update_memory(&store_id, &memory_id, &again)
        .await
        .expect("their second write");
    h.key(KeyCode::Char('d')).await;
    h.wait_for("confirm", |s| s.contains("Delete memory")).await;
    h.key(KeyCode::Char('y')).await;
    h.wait_for("refused", |s| {
        s.contains("refused: it changed since it was shown")
    })
    .await;
    assert_eq!(
        live(client.clone(), store_id.clone(), memory_id.clone()).await,
        "changed again"
    );
}
