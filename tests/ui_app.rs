//! Drives the real app loop (update + runner + feed) with key events against the simulator
//! over loopback HTTP, and asserts what is on screen (TestBackend) after each step.
//! "Eventually" conditions poll with generous timeouts: the machine is slow and shared.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyModifiers};
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
async fn select_follow_search_filter_expand() {
    let sim = start(SimOptions::default(), ([127, 0, 0, 1], 0).into())
        .await
        .expect("simulator");
    let client = Client::new(ClientConfig::new(sim.base_url(), None)).expect("client");
    let mut state = State::new(overseer::app::terminal::now_secs());
    state.profile = "demo".into();
    state.base_url = sim.base_url();
    state.demo = true;
    state.size = (160, 45);
    let mut h = Harness {
        app: App::new(state, Some(client)),
        term: Terminal::new(TestBackend::new(160, 45)).unwrap(),
        theme: Theme::dark(),
    };
    h.app.handle(Msg::Resize(160, 45));
    h.app.start(Duration::from_millis(500));

    // The list loads and derived states arrive from events.
    let s = h
        .wait_for("derived states", |s| {
            s.contains("● connected") && s.contains("needs approval") && s.contains("DEMO")
        })
        .await;
    assert!(s.contains("Needs you ("), "{s}");

    // The stream follows the list selection once it rests: `j`, no Enter.
    let mut selected = String::new();
    for _ in 0..5 {
        h.key(KeyCode::Char('j')).await;
        let st = &h.app.state;
        let id = st.selected_session().unwrap_or_default().to_string();
        let title = st.sessions.get(&id).map(|e| e.summary.title.clone());
        let watched = st.watched.as_ref().map(|w| w.session_id.clone());
        if let Some(title) = title.filter(|t| t.is_ascii() && !t.is_empty())
            && watched.as_deref() != Some(id.as_str())
        {
            selected = title.chars().take(20).collect();
            break;
        }
    }
    assert!(!selected.is_empty(), "{}", h.screen());
    let events_title = format!("Events {selected}");
    h.wait_for("the selected session's stream", |s| {
        s.contains(&events_title)
    })
    .await;
    assert_eq!(h.app.state.focus, overseer::app::state::Pane::Sessions);

    // Select a session: filter the list, open it.
    h.key(KeyCode::Char('/')).await;
    h.type_text("invoice rounding").await;
    let s = h.screen();
    assert!(s.contains("filter /invoice rounding"), "{s}");
    h.key(KeyCode::Enter).await;
    let s = h
        .wait_for("filtered list", |s| s.contains("Sessions 1/"))
        .await;
    assert!(s.contains("Fix invoice rounding"), "{s}");
    h.key(KeyCode::Enter).await;
    let s = h
        .wait_for("the stream of the selected session", |s| {
            s.contains("Events Fix invoice rounding") && s.contains("● live")
        })
        .await;
    assert!(s.contains("⇣ following"), "{s}");
    h.wait_for("history rows", |s| s.contains("requires action"))
        .await;

    // Follow: moving up pauses; End resumes.
    h.key(KeyCode::Up).await;
    let s = h.screen();
    assert!(
        s.contains("⏸ paused ·") && s.contains("End to follow"),
        "{s}"
    );
    h.key(KeyCode::End).await;
    assert!(h.screen().contains("⇣ following"));

    // Search: jump to a match, highlighted in the title; n/N keep working.
    h.key(KeyCode::Home).await;
    h.key(KeyCode::Char('/')).await;
    h.type_text("requires_action").await;
    h.key(KeyCode::Enter).await;
    let s = h
        .wait_for("search result", |s| s.contains("· /requires_action"))
        .await;
    assert!(!s.contains("no match"), "{s}");
    assert!(s.contains("⏸ paused"), "a search match pauses follow: {s}");
    // The inspector shows the matching event.
    h.wait_for("inspector on the match", |s| {
        s.contains("Inspector session.status_idle")
    })
    .await;
    // `n` moves the cursor to the next row whose JSON holds the query (wrapping).
    let (before, hits) = {
        let st = &h.app.state;
        let w = st.watched.as_ref().expect("a watched session");
        let (t, f) = w.shown(&st.stream.filter);
        let hits: Vec<usize> = t
            .rows(&f, 0..t.count(&f))
            .iter()
            .enumerate()
            .filter(|(_, r)| r.raw.contains("requires_action"))
            .map(|(i, _)| i)
            .collect();
        (st.stream.nav.cursor, hits)
    };
    assert!(
        hits.len() >= 2,
        "the demo session has several matches: {hits:?}"
    );
    assert!(
        hits.contains(&before),
        "the search put the cursor on a match"
    );
    let next = hits
        .iter()
        .copied()
        .find(|&i| i > before)
        .unwrap_or(hits[0]);
    h.key(KeyCode::Char('n')).await;
    assert_eq!(h.app.state.stream.nav.cursor, next);
    h.key(KeyCode::Char('N')).await;
    assert_eq!(h.app.state.stream.nav.cursor, before, "N goes back");

    // Filter by kind: tools only (tool calls, their results, failed results), then all again.
    h.key(KeyCode::Char('2')).await;
    let s = h.screen();
    assert!(s.contains("· tools"), "{s}");
    {
        let st = &h.app.state;
        let w = st.watched.as_ref().expect("a watched session");
        let all = Default::default();
        let tool_types = [
            "agent.tool_use",
            "agent.tool_result",
            "agent.mcp_tool_use",
            "agent.mcp_tool_result",
            "agent.custom_tool_use",
            "user.custom_tool_result",
            "user.tool_result",
            "user.tool_confirmation",
            "session.error",
            "workflow_run.error",
        ];
        let expected: Vec<String> = w
            .transcript
            .rows(&all, 0..w.transcript.len())
            .iter()
            .filter(|r| tool_types.contains(&r.type_name))
            .map(|r| r.raw.to_string())
            .collect();
        let (t, f) = w.shown(&st.stream.filter);
        let shown: Vec<String> = t
            .rows(&f, 0..t.count(&f))
            .iter()
            .map(|r| r.raw.to_string())
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(shown, expected, "the rows are exactly the tool events");
    }
    h.key(KeyCode::Char('1')).await;
    let s = h
        .wait_for("messages filter", |s| s.contains("· messages"))
        .await;
    assert!(
        !s.contains("┌ model"),
        "spans are hidden under the messages filter: {s}"
    );
    h.key(KeyCode::Char('0')).await;
    assert!(!h.screen().contains("· messages"));

    // Expand the selected event in full; esc closes.
    h.key(KeyCode::Enter).await;
    let s = h.screen();
    assert!(s.contains("esc closes · tab switches"), "{s}");
    // `3` is the Raw tab (the last one): the event as a JSON tree.
    h.key(KeyCode::Char('3')).await;
    let s = h.screen();
    assert!(s.contains("processed_at: \""), "{s}");
    h.key(KeyCode::Esc).await;
    assert!(!h.screen().contains("esc closes · tab switches"));

    // Help overlay from the keymap table.
    h.key(KeyCode::Char('?')).await;
    assert!(h.screen().contains("Help · esc closes"));
    h.key(KeyCode::Esc).await;

    // The :needs view shows only sessions waiting for a human.
    h.key(KeyCode::Tab).await; // back to the list
    h.key(KeyCode::Esc).await; // clears the filter
    assert!(!h.screen().contains("/invoice rounding"));
    h.key(KeyCode::Char(':')).await;
    h.type_text("nee").await;
    h.key(KeyCode::Tab).await;
    h.key(KeyCode::Enter).await;
    let s = h
        .wait_for("needs view", |s| s.contains(" call(s) waiting"))
        .await;
    let header_count = s
        .split("Needs you (")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .and_then(|n| n.parse::<usize>().ok())
        .expect("header count");
    // The queue has one row per waiting call; the header counts those calls plus the sessions
    // stopped at their budget (named in the queue's title, not as rows).
    let calls = s
        .split("Needs you · ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .expect("queue title");
    let at_budget = s
        .split(" session(s) at budget")
        .next()
        .and_then(|r| r.rsplit(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0);
    assert_eq!(header_count, calls + at_budget, "{s}");

    // Quit.
    h.key(KeyCode::Char('q')).await;
    assert!(h.app.state.quit);
    drop(sim);
}

/// Bulk archive goes through the client: mark a finished session, ^a, confirm with `y`; the
/// simulator archives it, the list (archived hidden) drops it, and a toast says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archive_a_marked_session_through_the_api() {
    let sim = start(SimOptions::default(), ([127, 0, 0, 1], 0).into())
        .await
        .expect("simulator");
    let client = Client::new(ClientConfig::new(sim.base_url(), None)).expect("client");
    let mut state = State::new(overseer::app::terminal::now_secs());
    state.size = (160, 45);
    let mut h = Harness {
        app: App::new(state, Some(client.clone())),
        term: Terminal::new(TestBackend::new(160, 45)).unwrap(),
        theme: Theme::dark(),
    };
    h.app.handle(Msg::Resize(160, 45));
    h.app.start(Duration::from_millis(500));
    h.wait_for("the list", |s| s.contains("Onboarding guide"))
        .await;

    h.key(KeyCode::Char('/')).await;
    h.type_text("'Onboarding guide").await;
    h.key(KeyCode::Enter).await;
    h.wait_for("filtered list", |s| s.contains("Sessions 1/"))
        .await;
    h.key(KeyCode::Char(' ')).await;
    h.key_mod(KeyCode::Char('a'), KeyModifiers::CONTROL).await;
    let s = h.screen();
    assert!(
        s.contains(" Confirm ") && s.contains("Onboarding guide"),
        "{s}"
    );
    h.key(KeyCode::Char('y')).await;
    let s = h
        .wait_for("the archive toast", |s| s.contains("archived 1 session(s)"))
        .await;
    assert!(!s.contains("not archived"), "{s}");
    h.wait_for("the row to leave the list", |s| s.contains("Sessions 0/"))
        .await;

    // The server agrees: the session is archived.
    let sessions = client
        .list_sessions(&overseer::api::types::ListSessionsParams {
            include_archived: Some(true),
            limit: Some(100),
            ..Default::default()
        })
        .await
        .expect("list");
    let s = sessions
        .data
        .iter()
        .find(|s| s.title.as_deref() == Some("Onboarding guide rewrite"))
        .expect("the session");
    assert!(s.archived_at.is_some(), "{s:?}");
    drop(sim);
}

/// `T` on a sub-agent thread shows that thread's own transcript (its tool uses are only on the
/// thread's stream), from a second feed; back on all events the session's rows return.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sub_agent_thread_shows_its_own_work() {
    let sim = start(SimOptions::default(), ([127, 0, 0, 1], 0).into())
        .await
        .expect("simulator");
    let client = Client::new(ClientConfig::new(sim.base_url(), None)).expect("client");
    let mut state = State::new(overseer::app::terminal::now_secs());
    state.size = (160, 45);
    let mut h = Harness {
        app: App::new(state, Some(client)),
        term: Terminal::new(TestBackend::new(160, 45)).unwrap(),
        theme: Theme::dark(),
    };
    h.app.handle(Msg::Resize(160, 45));
    h.app.start(Duration::from_millis(500));
    h.wait_for("the list", |s| {
        s.contains("● connected") && s.contains("Market sizing")
    })
    .await;
    h.key(KeyCode::Char('/')).await;
    h.type_text("Market sizing").await;
    h.key(KeyCode::Enter).await;
    h.wait_for("filtered list", |s| s.contains("Sessions 1/"))
        .await;
    h.key(KeyCode::Enter).await;
    h.wait_for("the session's history", |s| {
        s.contains("Events Market sizing") && s.contains("● live") && !s.contains("loading history")
    })
    .await;
    // The researcher's web search is on its thread only.
    let query = "market size estimate 2026 primary source";
    assert!(!h.screen().contains(query), "{}", h.screen());
    h.key(KeyCode::Char('T')).await; // primary
    h.key(KeyCode::Char('T')).await; // first sub-agent
    let s = h
        .wait_for("the sub-agent's own tool use", |s| s.contains(query))
        .await;
    assert!(s.contains("· ⑂ "), "{s}");
    assert!(!s.contains("⑂ primary"), "{s}");
    // Past the last thread: all events of the session again, without the thread's rows.
    for _ in 0..h.app.state.watched.as_ref().unwrap().threads.len() {
        h.key(KeyCode::Char('T')).await;
    }
    let s = h.wait_for("all events", |s| !s.contains("· ⑂ ")).await;
    assert!(!s.contains(query), "{s}");
    assert!(h.app.state.watched.as_ref().unwrap().thread_feed.is_none());
    drop(sim);
}
